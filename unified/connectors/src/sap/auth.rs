//! Credentials → request authentication for SAP.
//!
//! Two modes, chosen from the fields the connection's `credentials` hold:
//! - **Basic** (`username`, `password`): a communication user (Cloud) or a technical user
//!   (on-premise). Used whenever both fields are given, even if OAuth2 fields are present too.
//! - **OAuth 2.0 client credentials** (`client_id`, `client_secret`, `token_url`): the token is
//!   fetched from `token_url` (`…/sap/bc/sec/oauth2/token`; a path is taken relative to the base
//!   URL) with `client_id:client_secret` as Basic credentials and `grant_type=client_credentials`,
//!   cached until shortly before `expires_in` runs out, and fetched again once when the system
//!   answers 401 to a request that carried it (the token was revoked or the system restarted).
//!
//! Secrets are never logged: nothing here derives `Debug` over them.

use super::client::{self, SYSTEM};
use crate::{ConnectorError, config};
use mw_model::FieldError;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{RequestBuilder, Url};
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Renew a token this long before SAP says it expires, so a request never leaves with a token
/// that dies in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// How requests to one SAP system authenticate.
pub(crate) enum Auth {
    Basic {
        username: String,
        password: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: String,
        token_url: Url,
        token: Mutex<Option<AccessToken>>,
    },
}

/// A bearer token and when to stop using it.
#[derive(Clone)]
pub(crate) struct AccessToken {
    value: String,
    /// `None` when the token endpoint gave no `expires_in`: then only a 401 retires the token.
    renew_at: Option<Instant>,
}

/// RFC 6749 §5.1 token response (only the fields used).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<Value>,
}

impl Auth {
    /// Reads `$.credentials`. `base` resolves a `token_url` given as a path; `sap_client` is added
    /// to a token URL on the same host, as on-premise token endpoints need it.
    pub(crate) fn from_credentials(
        credentials: &Value,
        base: &Url,
        sap_client: Option<&str>,
    ) -> Result<Auth, Vec<FieldError>> {
        let Some(fields) = credentials.as_object() else {
            return Err(vec![FieldError::new(
                "$.credentials",
                "must be an object with username and password (or client_id, client_secret and token_url)",
            )]);
        };
        let mut errors = Vec::new();
        let mut text = |name: &str| config::credential(fields, name, &mut errors);
        let username = text("username");
        let password = text("password");
        let client_id = text("client_id");
        let client_secret = text("client_secret");
        let token_url = text("token_url");
        if !errors.is_empty() {
            return Err(errors);
        }
        let blank =
            |name: &str| FieldError::new(format!("$.credentials.{name}"), "must not be blank");

        if let (Some(username), Some(password)) = (&username, &password) {
            return Ok(Auth::Basic {
                username: username.clone(),
                password: password.clone(),
            });
        }
        let wants_oauth = client_id.is_some() || client_secret.is_some() || token_url.is_some();
        if !wants_oauth {
            if username.is_none() {
                errors.push(blank("username"));
            }
            if password.is_none() {
                errors.push(blank("password"));
            }
            return Err(errors);
        }
        let (Some(client_id), Some(client_secret), Some(token_url)) =
            (client_id, client_secret, token_url)
        else {
            return Err(["client_id", "client_secret", "token_url"]
                .into_iter()
                .filter(|name| {
                    fields
                        .get(*name)
                        .and_then(Value::as_str)
                        .is_none_or(|s| s.trim().is_empty())
                })
                .map(blank)
                .collect());
        };
        let token_url = match base.join(&token_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                return Err(vec![FieldError::new(
                    "$.credentials.token_url",
                    "must be an http(s) URL or a path on the base URL",
                )]);
            }
        };
        let token_url = with_sap_client(token_url, base, sap_client);
        Ok(Auth::ClientCredentials {
            client_id,
            client_secret,
            token_url,
            token: Mutex::new(None),
        })
    }

    /// Adds this system's credentials to `request`. Returns the bearer token used, if any, so
    /// that a 401 can retire exactly that token.
    pub(crate) async fn authorize(
        &self,
        http: &reqwest::Client,
        request: RequestBuilder,
    ) -> Result<(RequestBuilder, Option<String>), ConnectorError> {
        match self {
            Auth::Basic { username, password } => {
                Ok((request.basic_auth(username, Some(password)), None))
            }
            Auth::ClientCredentials { .. } => {
                let token = self.bearer(http).await?;
                Ok((request.bearer_auth(&token), Some(token)))
            }
        }
    }

    /// Forgets `used` if it is still the cached token, so the next request fetches a new one.
    pub(crate) async fn retire(&self, used: &str) {
        if let Auth::ClientCredentials { token, .. } = self {
            let mut cached = token.lock().await;
            if cached.as_ref().is_some_and(|t| t.value == used) {
                *cached = None;
            }
        }
    }

    /// The cached token, or a new one. The lock is held across the fetch so that concurrent
    /// requests wait for one token instead of each fetching their own.
    async fn bearer(&self, http: &reqwest::Client) -> Result<String, ConnectorError> {
        let Auth::ClientCredentials {
            client_id,
            client_secret,
            token_url,
            token,
        } = self
        else {
            return Err(ConnectorError::protocol(
                "a bearer token was asked of Basic credentials".into(),
            ));
        };
        let mut cached = token.lock().await;
        if let Some(t) = cached.as_ref()
            && t.renew_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(t.value.clone());
        }
        let fresh = fetch_token(http, token_url, client_id, client_secret).await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }
}

async fn fetch_token(
    http: &reqwest::Client,
    token_url: &Url,
    client_id: &str,
    client_secret: &str,
) -> Result<AccessToken, ConnectorError> {
    let requested = Instant::now();
    let request = http
        .post(token_url.clone())
        .basic_auth(client_id, Some(client_secret))
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials");
    let response = crate::http::send(SYSTEM, request)
        .await?
        .success(token_error)?;
    let parsed: TokenResponse =
        serde_json::from_slice(&response.body).map_err(|e| ConnectorError::Protocol {
            detail: format!("the OAuth token response is not a token: {e}"),
            upstream: Some(crate::http::upstream(SYSTEM, response.status, None, None)),
        })?;
    // Some token endpoints send `expires_in` as a string.
    let expires_in = match parsed.expires_in {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Ok(AccessToken {
        value: parsed.access_token,
        renew_at: expires_in
            .map(|secs| requested + Duration::from_secs(secs).saturating_sub(EXPIRY_MARGIN)),
    })
}

/// The token endpoint refusing the client (400 `invalid_client`, 401) is an authentication
/// failure, not a rejected business request.
fn token_error(status: reqwest::StatusCode, headers: &HeaderMap, body: &[u8]) -> ConnectorError {
    match client::error_from_response(status, headers, body) {
        ConnectorError::Rejected(upstream) | ConnectorError::PermissionDenied(upstream)
            if status.as_u16() == 400 || status.as_u16() == 403 =>
        {
            ConnectorError::Auth(upstream)
        }
        other => other,
    }
}

fn with_sap_client(mut url: Url, base: &Url, sap_client: Option<&str>) -> Url {
    let same_host = url.host_str() == base.host_str() && url.port() == base.port();
    let has_client = url.query_pairs().any(|(k, _)| k == "sap-client");
    if let Some(client) = sap_client
        && same_host
        && !has_client
    {
        url.query_pairs_mut().append_pair("sap-client", client);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Url {
        Url::parse("https://my100001-api.s4hana.cloud.sap").unwrap()
    }

    fn paths(result: Result<Auth, Vec<FieldError>>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.path).collect(),
        }
    }

    #[test]
    fn basic_wins_whenever_username_and_password_are_given() {
        let both = json!({"username": "u", "password": "p", "client_id": "c"});
        assert!(matches!(
            Auth::from_credentials(&both, &base(), None),
            Ok(Auth::Basic { .. })
        ));
    }

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            paths(Auth::from_credentials(
                &json!({"username": "u", "password": " "}),
                &base(),
                None
            )),
            ["$.credentials.password"]
        );
        assert_eq!(
            paths(Auth::from_credentials(&json!({}), &base(), None)),
            ["$.credentials.username", "$.credentials.password"]
        );
        assert_eq!(
            paths(Auth::from_credentials(
                &json!({"client_id": "c"}),
                &base(),
                None
            )),
            ["$.credentials.client_secret", "$.credentials.token_url"]
        );
        assert_eq!(
            paths(Auth::from_credentials(
                &json!({"username": 7, "password": "p"}),
                &base(),
                None
            )),
            ["$.credentials.username"]
        );
        assert_eq!(
            paths(Auth::from_credentials(&json!("secret"), &base(), None)),
            ["$.credentials"]
        );
    }

    #[test]
    fn token_url_may_be_a_path_and_gets_the_client_on_the_same_host() {
        let creds = json!({"client_id": "c", "client_secret": "s", "token_url": "/sap/bc/sec/oauth2/token"});
        let Ok(Auth::ClientCredentials { token_url, .. }) =
            Auth::from_credentials(&creds, &base(), Some("100"))
        else {
            panic!("expected client credentials");
        };
        assert_eq!(
            token_url.as_str(),
            "https://my100001-api.s4hana.cloud.sap/sap/bc/sec/oauth2/token?sap-client=100"
        );
        let elsewhere = json!({"client_id": "c", "client_secret": "s",
            "token_url": "https://sub.authentication.eu10.hana.ondemand.com/oauth/token"});
        let Ok(Auth::ClientCredentials { token_url, .. }) =
            Auth::from_credentials(&elsewhere, &base(), Some("100"))
        else {
            panic!("expected client credentials");
        };
        assert_eq!(token_url.query(), None);
    }
}
