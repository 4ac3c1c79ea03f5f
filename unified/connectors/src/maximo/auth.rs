//! Credentials → request authentication for Maximo.
//!
//! Two modes, chosen from the fields of the connection's `credentials`:
//! - **API key** (`apikey`): sent as the `apikey` header on every request. Stateless: no session,
//!   nothing to renew, the only mode MAS 8/9 accepts. Used whenever `apikey` is given.
//! - **Native login** (`username` + `password`): `maxauth: base64(user:password)` on every
//!   request, also stateless (Maximo-managed users, `mxe.useAppSecurity=0`).
//!
//! No cookies are kept: an API-key client that replays a session cookie can be answered
//! `BMXAA0021E` by a Maximo that prefers the (credential-less) session. Other fields of a manifest
//! entry (`readonly_apikey`, …) are ignored. Secrets are never logged: nothing here derives
//! `Debug`, and the header values are marked sensitive.

use crate::config;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mw_model::FieldError;
use reqwest::RequestBuilder;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

const APIKEY: HeaderName = HeaderName::from_static("apikey");
const MAXAUTH: HeaderName = HeaderName::from_static("maxauth");

/// How requests to one Maximo authenticate.
pub(crate) enum Auth {
    ApiKey(HeaderValue),
    MaxAuth(HeaderValue),
}

impl Auth {
    /// Reads `$.credentials`; every problem is reported with its JSON path.
    pub(crate) fn from_credentials(credentials: &Value) -> Result<Auth, Vec<FieldError>> {
        let Some(fields) = credentials.as_object() else {
            return Err(vec![FieldError::new(
                "$.credentials",
                "must be an object with apikey, or username and password",
            )]);
        };
        let mut errors = Vec::new();
        let mut text = |name: &str| config::credential(fields, name, &mut errors);
        let apikey = text("apikey");
        let username = text("username");
        let password = text("password");
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(key) = apikey {
            return secret(&key, "$.credentials.apikey").map(Auth::ApiKey);
        }
        match (username, password) {
            (Some(user), Some(password)) => {
                // The user cannot contain `:`, which would split differently on Maximo's side.
                if user.contains(':') {
                    return Err(vec![FieldError::new(
                        "$.credentials.username",
                        "must not contain `:`",
                    )]);
                }
                let token = STANDARD.encode(format!("{user}:{password}"));
                secret(&token, "$.credentials.password").map(Auth::MaxAuth)
            }
            (Some(_), None) => Err(vec![FieldError::new(
                "$.credentials.password",
                "is required with username (or give an apikey)",
            )]),
            (None, Some(_)) => Err(vec![FieldError::new(
                "$.credentials.username",
                "is required with password (or give an apikey)",
            )]),
            (None, None) => Err(vec![FieldError::new(
                "$.credentials.apikey",
                "is required unless username and password are given",
            )]),
        }
    }

    /// Adds the credential header to a request.
    pub(crate) fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Auth::ApiKey(key) => request.header(APIKEY, key.clone()),
            Auth::MaxAuth(token) => request.header(MAXAUTH, token.clone()),
        }
    }
}

/// A header value that is never printed.
fn secret(value: &str, path: &str) -> Result<HeaderValue, Vec<FieldError>> {
    let mut header = HeaderValue::from_str(value.trim()).map_err(|_| {
        vec![FieldError::new(
            path,
            "must hold only visible ASCII characters",
        )]
    })?;
    header.set_sensitive(true);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(credentials: Value) -> Vec<String> {
        match Auth::from_credentials(&credentials) {
            Err(errors) => errors.into_iter().map(|e| e.path).collect(),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn api_key_wins_over_a_login() {
        let auth = Auth::from_credentials(&json!({"apikey": "k1", "username": "wilson",
            "password": "wilson", "readonly_apikey": "k2"}));
        assert!(matches!(auth, Ok(Auth::ApiKey(v)) if v == "k1" && v.is_sensitive()));
    }

    #[test]
    fn a_login_becomes_maxauth() {
        let auth = Auth::from_credentials(&json!({"username": "wilson", "password": "wilson"}));
        // base64("wilson:wilson")
        assert!(matches!(auth, Ok(Auth::MaxAuth(v)) if v == "d2lsc29uOndpbHNvbg=="));
    }

    #[test]
    fn missing_and_malformed_credentials_name_the_field() {
        assert_eq!(paths(json!({})), ["$.credentials.apikey"]);
        assert_eq!(paths(json!({"apikey": ""})), ["$.credentials.apikey"]);
        assert_eq!(paths(json!({"username": "u"})), ["$.credentials.password"]);
        assert_eq!(paths(json!({"password": "p"})), ["$.credentials.username"]);
        assert_eq!(
            paths(json!({"apikey": 7, "username": ["u"]})),
            ["$.credentials.apikey", "$.credentials.username"]
        );
        assert_eq!(paths(json!({"apikey": "a\nb"})), ["$.credentials.apikey"]);
        assert_eq!(
            paths(json!({"username": "a:b", "password": "p"})),
            ["$.credentials.username"]
        );
        assert_eq!(paths(json!("key")), ["$.credentials"]);
    }
}
