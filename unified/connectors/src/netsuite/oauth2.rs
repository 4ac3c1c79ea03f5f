//! OAuth 2.0 client credentials (machine-to-machine), written from NetSuite's "OAuth 2.0 Client
//! Credentials (M2M) Setup" and RFC 7523.
//!
//! # Credentials
//! `client_id` (the integration record's client id; `consumer_key` is taken when it is absent,
//! they are the same value), `certificate_id` (the id NetSuite gave the public certificate mapped
//! to the integration, entity and role) and `private_key` (the certificate's EC P-256 key as
//! PKCS#8 PEM, `-----BEGIN PRIVATE KEY-----`). These are chosen when the credentials carry no
//! TBA token (`token_id`).
//!
//! # Tokens
//! `POST <base>/services/rest/auth/oauth2/v1/token` with `grant_type=client_credentials`,
//! `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a
//! `client_assertion`: a JWT with header `{"alg":"ES256","typ":"JWT","kid":<certificate_id>}` and
//! claims `iss` = client id, `scope` = `["rest_webservices"]`, `aud` = the token URL, `iat` now
//! and `exp` 30 minutes on (NetSuite wants less than 60), signed with ES256 (fixed-length
//! `r‖s`). `iat`/`exp` use the local real clock, like TBA's `oauth_timestamp`.
//!
//! The answer's `access_token` goes out as `Authorization: Bearer …` and is kept for a minute
//! less than its `expires_in` (a string or a number; an hour). There is no refresh token for this
//! grant: a new assertion gets a new token. A 401 on a request drops the token, and the request is
//! sent once more with a fresh one (the source's clock may run ahead of ours); a second 401 is the
//! answer.

use crate::{ConnectorError, http};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use mw_model::FieldError;
use reqwest::{StatusCode, Url};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use super::client::SYSTEM;

/// Where NetSuite issues tokens, below the account's REST host.
pub(crate) const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// How long an assertion is valid: NetSuite refuses `exp` 60 minutes or more after `iat`.
const ASSERTION_SECONDS: u64 = 30 * 60;

/// How much earlier than it says a token is treated as expired.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// A token and when this connection stops using it.
struct Token {
    value: String,
    until: Instant,
}

/// The M2M credentials of one connection and its current token.
pub(crate) struct M2m {
    client_id: String,
    certificate_id: String,
    key: EcdsaKeyPair,
    token: Mutex<Option<Token>>,
}

impl M2m {
    /// Reads `$.credentials`, reporting every missing or malformed field at once.
    pub(crate) fn from_credentials(credentials: &Value) -> Result<M2m, Vec<FieldError>> {
        let text = |name: &str| {
            credentials
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let mut errors = Vec::new();
        let client_id = text("client_id").or_else(|| text("consumer_key"));
        if client_id.is_none() {
            errors.push(FieldError::new(
                "$.credentials.client_id",
                "must be the integration record's client id",
            ));
        }
        let certificate_id = text("certificate_id");
        if certificate_id.is_none() {
            errors.push(FieldError::new(
                "$.credentials.certificate_id",
                "must be the certificate id of the M2M mapping",
            ));
        }
        let key = match text("private_key") {
            Some(pem) => match key_pair(pem) {
                Ok(key) => Some(key),
                Err(message) => {
                    errors.push(FieldError::new("$.credentials.private_key", message));
                    None
                }
            },
            None => {
                errors.push(FieldError::new(
                    "$.credentials.private_key",
                    "must be the certificate's private key (PKCS#8 PEM)",
                ));
                None
            }
        };
        match (client_id, certificate_id, key) {
            (Some(client_id), Some(certificate_id), Some(key)) if errors.is_empty() => Ok(M2m {
                client_id: client_id.to_owned(),
                certificate_id: certificate_id.to_owned(),
                key,
                token: Mutex::new(None),
            }),
            _ => Err(errors),
        }
    }

    /// The JWT that asserts this client to `token_url`, issued at `now` (Unix seconds).
    pub(crate) fn assertion(&self, token_url: &str, now: u64) -> Result<String, ConnectorError> {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.certificate_id});
        let claims = json!({
            "iss": self.client_id,
            "scope": ["rest_webservices"],
            "aud": token_url,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| {
                ConnectorError::protocol("the client assertion could not be signed".into())
            })?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }

    /// The bearer token to send: the one held while it lasts, else a new one from `base`.
    pub(crate) async fn bearer(
        &self,
        http_client: &reqwest::Client,
        base: &str,
    ) -> Result<String, ConnectorError> {
        let mut held = self.token.lock().await;
        if let Some(token) = held.as_ref().filter(|t| Instant::now() < t.until) {
            return Ok(token.value.clone());
        }
        let token = self.fetch(http_client, base).await?;
        let value = token.value.clone();
        *held = Some(token);
        Ok(value)
    }

    /// Drops `value` if it is the token held: the source refused it.
    pub(crate) async fn forget(&self, value: &str) {
        let mut held = self.token.lock().await;
        if held.as_ref().is_some_and(|t| t.value == value) {
            *held = None;
        }
    }

    async fn fetch(
        &self,
        http_client: &reqwest::Client,
        base: &str,
    ) -> Result<Token, ConnectorError> {
        let token_url = format!("{base}{TOKEN_PATH}");
        let url = Url::parse(&token_url).map_err(|e| {
            ConnectorError::protocol(format!("cannot build the token URL {token_url}: {e}"))
        })?;
        let assertion = self.assertion(&token_url, super::auth::timestamp_now())?;
        let form = format!(
            "grant_type=client_credentials&client_assertion_type={}&client_assertion={assertion}",
            "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
        );
        let request = http_client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form);
        let response = http::send(SYSTEM, request).await?;
        let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        if !response.status.is_success() {
            let code = body["error"].as_str().map(str::to_owned);
            let message = body["error_description"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| code.clone());
            let upstream = http::upstream(SYSTEM, response.status, code, message);
            return Err(match response.status {
                StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED => {
                    ConnectorError::Auth(upstream)
                }
                status => http::status_error(SYSTEM, status, &response.headers, upstream),
            });
        }
        token_of(&body)
    }
}

/// Reads a token answer: `access_token`, and `expires_in` as a string or a number.
fn token_of(body: &Value) -> Result<Token, ConnectorError> {
    let value = body["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ConnectorError::protocol("the token answer has no access_token".into()))?;
    let seconds = match &body["expires_in"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(3600);
    let lifetime = Duration::from_secs(seconds).saturating_sub(EXPIRY_MARGIN);
    Ok(Token {
        value: value.to_owned(),
        until: Instant::now() + lifetime,
    })
}

/// The EC P-256 key pair of a PKCS#8 PEM (or its bare base64).
fn key_pair(pem: &str) -> Result<EcdsaKeyPair, String> {
    if pem.contains("BEGIN EC PRIVATE KEY") {
        return Err(
            "is a SEC1 EC key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)".into(),
        );
    }
    if pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("ENCRYPTED") {
        return Err("must be an unencrypted EC P-256 key in PKCS#8 (ES256)".into());
    }
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .flat_map(|line| line.trim().chars())
        .collect();
    let der = STANDARD
        .decode(body)
        .map_err(|_| "is not PEM: its body is not base64".to_owned())?;
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &SystemRandom::new())
        .map_err(|_| "is not an EC P-256 private key in PKCS#8 (ES256)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, KeyPair, UnparsedPublicKey};

    fn pem_and_public_key() -> (String, Vec<u8>) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(pkcs8.as_ref())
        );
        (pem, pair.public_key().as_ref().to_vec())
    }

    #[test]
    fn assertions_are_es256_jwts_a_verifier_accepts() {
        let (pem, public) = pem_and_public_key();
        let m2m = M2m::from_credentials(&json!({"consumer_key": "ck", "certificate_id": "cert-1",
            "private_key": pem}))
        .unwrap();
        let jwt = m2m
            .assertion(
                "https://1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token",
                1_000,
            )
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |p: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
        };
        assert_eq!(
            decode(parts[0]),
            json!({"alg": "ES256", "typ": "JWT", "kid": "cert-1"})
        );
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "ck");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            ASSERTION_SECONDS
        );
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .unwrap();
    }

    #[test]
    fn credentials_are_checked_field_by_field() {
        let paths = |c: Value| -> Vec<String> {
            M2m::from_credentials(&c)
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.path)
                .collect()
        };
        assert_eq!(
            paths(json!({})),
            [
                "$.credentials.client_id",
                "$.credentials.certificate_id",
                "$.credentials.private_key"
            ]
        );
        assert_eq!(
            paths(json!({"client_id": "c", "certificate_id": "k",
                "private_key": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"})),
            ["$.credentials.private_key"]
        );
        assert_eq!(
            paths(json!({"client_id": "c", "certificate_id": "k", "private_key": "not base64!"})),
            ["$.credentials.private_key"]
        );
    }

    #[test]
    fn token_answers_take_expiry_as_string_or_number() {
        for expires in [json!("3600"), json!(3600)] {
            let token = token_of(
                &json!({"access_token": "t", "expires_in": expires, "token_type": "bearer"}),
            )
            .unwrap();
            let left = token.until - Instant::now();
            assert!(left > Duration::from_secs(3400) && left <= Duration::from_secs(3540));
        }
        assert!(token_of(&json!({"expires_in": "3600"})).is_err());
    }
}
