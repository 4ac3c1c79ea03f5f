//! OAuth 2.0 client credentials (M2M), as NetSuite issues and checks them (reference §4.2).
//!
//! `POST /services/rest/auth/oauth2/v1/token` (form body) with `grant_type=client_credentials`,
//! `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a
//! `client_assertion` JWT: header `alg` (this account's certificate is EC P-256, so `ES256`), `kid`
//! = the certificate id of the M2M mapping; claims `iss` = the integration's client id, `scope`
//! naming `rest_webservices` (a comma-separated string or an array), `aud` = the token endpoint's
//! URL, `iat` and `exp` less than 60 minutes apart, `exp` in the future and `iat` not ahead of the
//! host's real clock by more than the TBA window (assertions are signed with real time, as OAuth
//! timestamps are). The answer is `{"access_token", "expires_in": "3600", "token_type":
//! "bearer"}`; refusals are OAuth JSON (`invalid_request`, `unsupported_grant_type`,
//! `invalid_grant`, `invalid_scope`).
//!
//! An access token lives 3,600 s of the **virtual** clock, so a check can age it through the admin
//! API; a request with a missing, unknown or expired token gets 401 `INVALID_LOGIN` with
//! `WWW-Authenticate: Bearer … error="invalid_token"`. The key pair is made when the emulator
//! starts (its private half goes into the manifest); tokens act with the integration's
//! administrator role, so they may write.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use axum::http::{StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use serde_json::{Value, json};

use super::auth::TIMESTAMP_WINDOW_SECONDS;
use super::error::NsError;

/// The token endpoint's path.
pub(crate) const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// How long an access token lives, in seconds of the virtual clock.
const TOKEN_SECONDS: i64 = 3600;

/// The longest an assertion may be valid (`exp - iat`): NetSuite wants less than 60 minutes.
const MAX_ASSERTION_SECONDS: i64 = 3600;

/// Tokens remembered at most; expired ones go first.
const MAX_TOKENS: usize = 10_000;

/// An OAuth error answer of the token endpoint.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub(crate) status: StatusCode,
    pub(crate) error: &'static str,
    pub(crate) description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    pub(crate) fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

/// The integration's M2M mapping (client id, certificate) and the tokens issued under it.
#[derive(Debug)]
pub(crate) struct Issuer {
    client_id: String,
    certificate_id: String,
    /// PKCS#8 PEM of the private key, for the manifest.
    private_key_pem: String,
    public_key: Vec<u8>,
    /// Token → expiry (virtual Unix seconds).
    tokens: Mutex<HashMap<String, i64>>,
}

impl Issuer {
    /// A mapping for `client_id`, with a key pair made now. `None` only if the system's random
    /// source fails.
    pub(crate) fn new(client_id: &str, certificate_id: &str) -> Option<Issuer> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .ok()?;
        let body = STANDARD.encode(pkcs8.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Some(Issuer {
            client_id: client_id.to_owned(),
            certificate_id: certificate_id.to_owned(),
            private_key_pem: format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                lines.join("\n")
            ),
            public_key: pair.public_key().as_ref().to_vec(),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The manifest fields of the mapping.
    pub(crate) fn credentials(&self) -> Value {
        json!({
            "client_id": self.client_id,
            "certificate_id": self.certificate_id,
            "private_key": self.private_key_pem,
        })
    }

    /// Answers a token request: its form `body`, the URL it was sent to (`token_url`, the
    /// expected `aud`), the host's real time and the virtual time (Unix seconds).
    pub(crate) fn issue(
        &self,
        body: &[u8],
        token_url: &str,
        real_now: i64,
        virtual_now: i64,
    ) -> Result<Value, OAuthError> {
        let form: HashMap<String, String> = form_pairs(body);
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
        match field("grant_type") {
            "client_credentials" => {}
            "" => return Err(OAuthError::new("invalid_request", "grant_type is missing")),
            _ => {
                return Err(OAuthError::new(
                    "unsupported_grant_type",
                    "only client_credentials is enabled for this integration",
                ));
            }
        }
        if field("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        {
            return Err(OAuthError::new(
                "invalid_request",
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        let claims = self.verify_assertion(field("client_assertion"), token_url, real_now)?;
        let scopes = match &claims["scope"] {
            Value::String(s) => s.split(',').map(|s| s.trim().to_owned()).collect(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        if !scopes.iter().any(|s| s == "rest_webservices") {
            return Err(OAuthError::new(
                "invalid_scope",
                "the assertion's scope does not name rest_webservices",
            ));
        }
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.retain(|_, until| *until > virtual_now);
        if tokens.len() >= MAX_TOKENS {
            return Err(OAuthError::new(
                "invalid_request",
                "too many active tokens for this integration",
            ));
        }
        tokens.insert(token.clone(), virtual_now + TOKEN_SECONDS);
        Ok(json!({
            "access_token": token,
            "expires_in": TOKEN_SECONDS.to_string(),
            "token_type": "bearer",
        }))
    }

    /// Whether `token` is a live token at virtual time `now`.
    pub(crate) fn accepts(&self, token: &str, now: i64) -> bool {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .is_some_and(|until| *until > now)
    }

    /// Ends every token as if its hour had run out; returns how many there were.
    pub(crate) fn expire_tokens(&self) -> usize {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let count = tokens.len();
        tokens.clear();
        count
    }

    /// Forgets every token (the mapping was revoked).
    pub(crate) fn revoke_tokens(&self) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The claims of a valid assertion.
    fn verify_assertion(
        &self,
        jwt: &str,
        token_url: &str,
        real_now: i64,
    ) -> Result<Value, OAuthError> {
        let invalid = |why: &str| OAuthError::new("invalid_grant", why.to_owned());
        let mut parts = jwt.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(OAuthError::new(
                "invalid_request",
                "client_assertion is not a JWT",
            ));
        };
        let decode = |part: &str| -> Option<Value> {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
        };
        let (Some(head), Some(body)) = (decode(header), decode(claims)) else {
            return Err(OAuthError::new(
                "invalid_request",
                "client_assertion is not a JWT",
            ));
        };
        if head["kid"].as_str() != Some(self.certificate_id.as_str()) {
            return Err(invalid("the kid names no certificate of an M2M mapping"));
        }
        if head["alg"] != "ES256" {
            return Err(invalid(
                "the certificate is an EC P-256 key: alg must be ES256",
            ));
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| invalid("the signature is not base64url"))?;
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.public_key)
            .verify(format!("{header}.{claims}").as_bytes(), &signature)
            .map_err(|_| invalid("the signature does not verify with the mapped certificate"))?;
        if body["iss"].as_str() != Some(self.client_id.as_str()) {
            return Err(invalid("iss is not the client id of the integration"));
        }
        if body["aud"].as_str() != Some(token_url) {
            return Err(invalid("aud is not this token endpoint's URL"));
        }
        let (Some(iat), Some(exp)) = (body["iat"].as_i64(), body["exp"].as_i64()) else {
            return Err(invalid("iat and exp must be numbers"));
        };
        if exp <= real_now || iat > real_now + TIMESTAMP_WINDOW_SECONDS {
            return Err(invalid("the assertion is expired or not yet valid"));
        }
        if exp - iat >= MAX_ASSERTION_SECONDS || exp <= iat {
            return Err(invalid("exp must be less than 60 minutes after iat"));
        }
        Ok(body)
    }
}

/// A bearer token NetSuite does not accept: 401 `INVALID_LOGIN`, and the Bearer challenge.
pub(crate) fn invalid_token(realm: &str) -> NsError {
    let mut error = NsError::invalid_login(realm);
    error
        .headers
        .retain(|(name, _)| name != header::WWW_AUTHENTICATE);
    error.headers.push((
        header::WWW_AUTHENTICATE,
        format!(
            "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"Invalid login attempt.\""
        ),
    ));
    error
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space), the last of a name winning.
fn form_pairs(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| {
                percent_encoding::percent_decode_str(&text.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(name), decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:9/services/rest/auth/oauth2/v1/token";

    fn sign(issuer: &Issuer, header: Value, claims: Value) -> String {
        let pem = &issuer.private_key_pem;
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = STANDARD.decode(body).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &SystemRandom::new())
                .unwrap();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    fn form(assertion: &str) -> Vec<u8> {
        format!(
            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
        )
        .into_bytes()
    }

    fn check(header: Value, claims: Value, expected: Result<(), &str>) {
        let issuer = Issuer::new("client-1", "cert-1").unwrap();
        let jwt = sign(&issuer, header, claims);
        let got = issuer
            .issue(&form(&jwt), URL, 1_000_000, 50)
            .map(|answer| {
                assert!(issuer.accepts(answer["access_token"].as_str().unwrap(), 50));
                assert!(!issuer.accepts(answer["access_token"].as_str().unwrap(), 50 + 3600));
                assert_eq!(answer["expires_in"], "3600");
            })
            .map_err(|e| e.error);
        assert_eq!(got, expected);
    }

    #[test]
    fn assertions_are_checked_claim_by_claim() {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": "cert-1"});
        let claims = json!({"iss": "client-1", "scope": ["restlets", "rest_webservices"],
            "aud": URL, "iat": 1_000_000, "exp": 1_000_000 + 1800});
        let with = |key: &str, value: Value| {
            let mut c = claims.clone();
            c[key] = value;
            c
        };
        let header_with = |key: &str, value: Value| {
            let mut h = header.clone();
            h[key] = value;
            h
        };
        check(header.clone(), claims.clone(), Ok(()));
        check(
            header.clone(),
            with("scope", json!("restlets,rest_webservices")),
            Ok(()),
        );
        check(
            header.clone(),
            with("scope", json!("restlets")),
            Err("invalid_scope"),
        );
        check(
            header.clone(),
            with("iss", json!("other")),
            Err("invalid_grant"),
        );
        check(
            header.clone(),
            with("aud", json!("https://elsewhere/token")),
            Err("invalid_grant"),
        );
        check(
            header.clone(),
            with("exp", json!(1_000_000 + 3600)),
            Err("invalid_grant"),
        );
        check(
            header.clone(),
            with("exp", json!(999_999)),
            Err("invalid_grant"),
        );
        check(
            header_with("kid", json!("cert-2")),
            claims.clone(),
            Err("invalid_grant"),
        );
        check(
            header_with("alg", json!("PS256")),
            claims.clone(),
            Err("invalid_grant"),
        );
    }

    #[test]
    fn a_forged_or_malformed_assertion_is_refused() {
        let issuer = Issuer::new("client-1", "cert-1").unwrap();
        let other = Issuer::new("client-1", "cert-1").unwrap();
        let claims = json!({"iss": "client-1", "scope": "rest_webservices", "aud": URL,
            "iat": 1_000_000, "exp": 1_000_100});
        let forged = sign(&other, json!({"alg": "ES256", "kid": "cert-1"}), claims);
        let refused = issuer.issue(&form(&forged), URL, 1_000_000, 0).unwrap_err();
        assert_eq!(refused.error, "invalid_grant");
        for body in [
            b"grant_type=password".to_vec(),
            b"".to_vec(),
            form("not-a-jwt"),
        ] {
            assert!(issuer.issue(&body, URL, 1_000_000, 0).is_err());
        }
        assert!(!issuer.accepts("unknown", 0));
    }
}
