//! Token-based authentication (TBA) as NetSuite verifies it: OAuth 1.0a with `HMAC-SHA256`
//! (reference §4.1, RFC 5849).
//!
//! Every request to the record, query and async APIs carries
//! `Authorization: OAuth realm="<account id>", oauth_consumer_key=…, oauth_token=…,
//! oauth_signature_method="HMAC-SHA256", oauth_timestamp=…, oauth_nonce=…, oauth_version="1.0",
//! oauth_signature=…`. The emulator rebuilds the signature base string exactly as RFC 5849 §3.4
//! says — upper-case method, `http://host[:port]/path` (scheme and host lower case, default port
//! dropped, no query), and the normalised parameters: every `oauth_*` parameter except
//! `oauth_signature` (and never `realm`) plus the URL's query parameters (plus form parameters
//! of an `application/x-www-form-urlencoded` body; JSON bodies are not signed), each name and
//! value percent-encoded per RFC 3986, sorted by name then value — and signs it with
//! `consumer_secret&token_secret`. Any mismatch, an unknown or revoked token, a realm other
//! than the account id (`1234567_SB1`, not the host form `1234567-sb1`), `HMAC-SHA1` (gone since
//! 2023.1), a reused nonce or a stale timestamp is a 401 `INVALID_LOGIN` with NetSuite's
//! `WWW-Authenticate: OAuth realm=…, error="token_rejected"` challenge; the cause is not told,
//! as NetSuite keeps it for the Login Audit Trail.
//!
//! Clocks: `oauth_timestamp` is checked against the HOST's real clock (±300 s), the one place
//! the emulator reads it. Standard OAuth 1.0a libraries stamp requests with the real clock and
//! must be accepted unmodified, while the emulator's data clock is virtual and may be days
//! ahead. Nonces are remembered per token for as long as their timestamp could still pass.
//!
//! `oauth_version` is optional as in RFC 5849 (when present it must be `1.0`). Secrets derive
//! from the seed, so a manifest is reproducible. Two tokens exist: the integration's full-role
//! token and a read-only one (a role without create/edit/delete permission, refused with 403
//! `INSUFFICIENT_PERMISSION` on writes).

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::error::NsError;
use super::oauth2::{Issuer, OAuthError, invalid_token};

/// RFC 3986 unreserved characters stay; everything else is `%XX` (upper-case hex).
const OAUTH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How far `oauth_timestamp` may be from the host's real clock, either way.
pub(crate) const TIMESTAMP_WINDOW_SECONDS: i64 = 300;
/// Nonces remembered at most; the oldest are forgotten first (they are also forgotten once
/// their timestamp has left the window, when a replay fails on the timestamp anyway).
const MAX_NONCES: usize = 200_000;

/// Who a request runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    pub(crate) token_id: String,
    /// The token's role may read but not create, edit or delete.
    pub(crate) read_only: bool,
}

#[derive(Clone, Debug)]
struct Token {
    id: String,
    secret: String,
    read_only: bool,
}

#[derive(Debug, Default)]
struct NonceCache {
    seen: HashSet<(String, String)>,
    /// `(timestamp, token, nonce)` in arrival order, for pruning.
    order: VecDeque<(i64, String, String)>,
}

impl NonceCache {
    /// Records a nonce; `false` when the token already used it.
    fn remember(&mut self, token: &str, nonce: &str, timestamp: i64, now: i64) -> bool {
        while let Some((at, _, _)) = self.order.front() {
            if *at >= now - 2 * TIMESTAMP_WINDOW_SECONDS && self.order.len() < MAX_NONCES {
                break;
            }
            if let Some((_, old_token, old_nonce)) = self.order.pop_front() {
                self.seen.remove(&(old_token, old_nonce));
            }
        }
        let key = (token.to_owned(), nonce.to_owned());
        if self.seen.contains(&key) {
            return false;
        }
        self.seen.insert(key);
        self.order
            .push_back((timestamp, token.to_owned(), nonce.to_owned()));
        true
    }
}

/// What the verifier needs of a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a str,
    /// The `Host` header as sent (`127.0.0.1:PORT`).
    pub(crate) host: &'a str,
    /// The path exactly as in the request line (still percent-encoded).
    pub(crate) path: &'a str,
    /// The raw query string, without `?`.
    pub(crate) query: Option<&'a str>,
    pub(crate) authorization: Option<&'a str>,
    /// The body, when it is `application/x-www-form-urlencoded` (its parameters are signed).
    pub(crate) form_body: Option<&'a [u8]>,
}

/// The account's integration record and tokens.
#[derive(Debug)]
pub(crate) struct NsAuth {
    account_id: String,
    consumer_key: String,
    consumer_secret: String,
    tokens: Vec<Token>,
    revoked: Mutex<HashSet<String>>,
    nonces: Mutex<NonceCache>,
    /// The integration's OAuth 2.0 M2M mapping (`None` only if no key pair could be made).
    m2m: Option<Issuer>,
}

/// The id under which revocation holds the M2M mapping.
const M2M: &str = "m2m-mapping";

fn derive(seed: u64, purpose: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/netsuite/credentials/");
    hasher.update(purpose.as_bytes());
    hasher.update(seed.to_le_bytes());
    // NetSuite's keys and secrets are 64 hex digits.
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The host's real time in Unix seconds. The only read of the real clock in the emulator: see
/// the module docs for why OAuth timestamps need it.
pub(crate) fn real_unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// RFC 3986 percent-encoding of raw bytes, as the base string needs it.
pub(crate) fn oauth_encode(bytes: &[u8]) -> String {
    percent_encode(bytes, OAUTH_ENCODE).to_string()
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn form_decode(text: &str) -> Vec<u8> {
    let spaced = text.replace('+', " ");
    percent_decode(spaced.as_bytes()).collect()
}

/// The parameters of a query string or form body, decoded.
fn form_pairs(text: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

/// Parses `OAuth realm="…", oauth_…="…"`; `None` when it is not that form or repeats a name.
pub(crate) fn parse_authorization(header: &str) -> Option<Vec<(String, String)>> {
    let trimmed = header.trim_start();
    let scheme_end = trimmed.find(char::is_whitespace)?;
    if !trimmed[..scheme_end].eq_ignore_ascii_case("OAuth") {
        return None;
    }
    let mut rest = trimmed[scheme_end..].trim_start();
    let mut params: Vec<(String, String)> = Vec::new();
    while !rest.is_empty() {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let equals = rest.find('=')?;
        let name = rest[..equals].trim().to_owned();
        let after = rest[equals + 1..].trim_start();
        let (raw, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let close = quoted.find('"')?;
            (&quoted[..close], &quoted[close + 1..])
        } else {
            // RFC 5849 quotes every value; tolerate a bare token up to the next comma.
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        let value = if name == "realm" {
            raw.to_owned()
        } else {
            String::from_utf8(percent_decode(raw.as_bytes()).collect()).ok()?
        };
        if name.is_empty() || params.iter().any(|(seen, _)| *seen == name) {
            return None;
        }
        params.push((name, value));
        rest = remainder;
    }
    Some(params)
}

/// `http://host[:port]` lower case with the default port dropped, then the path.
pub(crate) fn base_string_uri(host: &str, path: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    let host = host.strip_suffix(":80").unwrap_or(&host);
    format!("http://{host}{path}")
}

/// The signature base string of RFC 5849 §3.4.1.
pub(crate) fn signature_base_string(
    method: &str,
    uri: &str,
    params: &[(Vec<u8>, Vec<u8>)],
) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (oauth_encode(name), oauth_encode(value)))
        .collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        oauth_encode(uri.as_bytes()),
        oauth_encode(normalized.as_bytes())
    )
}

/// Base64 of HMAC-SHA256 over `base` keyed with `consumer_secret&token_secret`.
pub(crate) fn hmac_sha256_signature(
    consumer_secret: &str,
    token_secret: &str,
    base: &str,
) -> Option<Vec<u8>> {
    let key = format!(
        "{}&{}",
        oauth_encode(consumer_secret.as_bytes()),
        oauth_encode(token_secret.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(base.as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

impl NsAuth {
    pub(crate) fn new(seed: u64) -> Self {
        let digest = Sha256::digest(format!("millwright/netsuite/account/{seed}").as_bytes());
        let number = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) % 9_000_000
            + 1_000_000;
        NsAuth {
            // A sandbox account: the realm form has the upper-case `_SB1` suffix.
            account_id: format!("{number}_SB1"),
            consumer_key: derive(seed, "consumer-key"),
            consumer_secret: derive(seed, "consumer-secret"),
            tokens: vec![
                Token {
                    id: derive(seed, "token-id"),
                    secret: derive(seed, "token-secret"),
                    read_only: false,
                },
                Token {
                    id: derive(seed, "readonly-token-id"),
                    secret: derive(seed, "readonly-token-secret"),
                    read_only: true,
                },
            ],
            revoked: Mutex::new(HashSet::new()),
            nonces: Mutex::new(NonceCache::default()),
            // The integration record's client id is its consumer key.
            m2m: Issuer::new(
                &derive(seed, "consumer-key"),
                &derive(seed, "certificate-id"),
            ),
        }
    }

    /// The manifest credentials, plus the read-only token.
    pub(crate) fn credentials(&self) -> serde_json::Value {
        let full = &self.tokens[0];
        let read_only = &self.tokens[1];
        let mut credentials = json!({
            "account_id": self.account_id,
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "token_id": full.id,
            "token_secret": full.secret,
            "readonly_token_id": read_only.id,
            "readonly_token_secret": read_only.secret,
        });
        if let (Some(m2m), Some(fields)) = (&self.m2m, credentials.as_object_mut())
            && let Some(more) = m2m.credentials().as_object()
        {
            fields.extend(more.clone());
        }
        credentials
    }

    fn is_revoked(&self, id: &str) -> bool {
        self.revoked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(id)
    }

    /// Answers the token endpoint (see `oauth2`).
    pub(crate) fn issue_token(
        &self,
        body: &[u8],
        token_url: &str,
        real_now: i64,
        virtual_now: i64,
    ) -> Result<serde_json::Value, OAuthError> {
        match &self.m2m {
            Some(m2m) if !self.is_revoked(M2M) => m2m.issue(body, token_url, real_now, virtual_now),
            _ => Err(OAuthError {
                status: axum::http::StatusCode::BAD_REQUEST,
                error: "invalid_grant",
                description: "no active M2M mapping for this certificate".into(),
            }),
        }
    }

    /// Checks a bearer token at virtual time `now`; it acts with the integration's full role.
    pub(crate) fn verify_bearer(&self, token: &str, now: i64) -> Result<Principal, NsError> {
        match &self.m2m {
            Some(m2m) if !self.is_revoked(M2M) && m2m.accepts(token, now) => Ok(Principal {
                token_id: String::from(M2M),
                read_only: false,
            }),
            _ => Err(invalid_token(&self.account_id)),
        }
    }

    /// Revokes the integration's main token, as an administrator would on the access token
    /// record; returns what was revoked.
    pub(crate) fn revoke_main_token(&self) -> Vec<String> {
        let id = self.tokens[0].id.clone();
        let mut revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
        revoked.insert(id.clone());
        revoked.insert(String::from(M2M));
        if let Some(m2m) = &self.m2m {
            m2m.revoke_tokens();
        }
        let mut revoked = vec![String::from("the M2M mapping"), format!("token {id}")];
        revoked.sort();
        revoked
    }

    /// Ends the OAuth 2.0 bearer tokens as if their hour had run out; the M2M mapping and the
    /// TBA tokens (which do not expire) stay. Returns what ended.
    pub(crate) fn expire_bearer_tokens(&self) -> Vec<String> {
        let count = self.m2m.as_ref().map_or(0, Issuer::expire_tokens);
        vec![format!("{count} OAuth 2.0 access tokens")]
    }

    /// Makes every revoked token valid again; returns what was restored.
    pub(crate) fn restore_tokens(&self) -> Vec<String> {
        let mut revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
        let mut restored: Vec<String> = revoked
            .drain()
            .map(|id| {
                if id == M2M {
                    String::from("the M2M mapping")
                } else {
                    format!("token {id}")
                }
            })
            .collect();
        restored.sort();
        restored
    }

    /// Verifies a request's TBA signature at real time `now` (Unix seconds).
    pub(crate) fn verify(
        &self,
        request: &SignedRequest<'_>,
        now: i64,
    ) -> Result<Principal, NsError> {
        let refuse = || NsError::invalid_login(&self.account_id);
        let header = request.authorization.ok_or_else(refuse)?;
        let params = parse_authorization(header).ok_or_else(refuse)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        if get("realm") != Some(self.account_id.as_str()) {
            return Err(refuse());
        }
        let (
            Some(consumer_key),
            Some(token_id),
            Some(method),
            Some(timestamp),
            Some(nonce),
            Some(signature),
        ) = (
            get("oauth_consumer_key"),
            get("oauth_token"),
            get("oauth_signature_method"),
            get("oauth_timestamp"),
            get("oauth_nonce"),
            get("oauth_signature"),
        )
        else {
            return Err(refuse());
        };
        if method != "HMAC-SHA256" || get("oauth_version").is_some_and(|v| v != "1.0") {
            return Err(refuse());
        }
        if !(6..=64).contains(&nonce.len()) {
            return Err(refuse());
        }
        let timestamp: i64 = timestamp.parse().map_err(|_| refuse())?;
        if (timestamp - now).abs() > TIMESTAMP_WINDOW_SECONDS {
            return Err(refuse());
        }
        if consumer_key != self.consumer_key {
            return Err(refuse());
        }
        let token = self
            .tokens
            .iter()
            .find(|token| token.id == token_id)
            .ok_or_else(refuse)?;
        if self
            .revoked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&token.id)
        {
            return Err(refuse());
        }
        let mut signed: Vec<(Vec<u8>, Vec<u8>)> = params
            .iter()
            .filter(|(name, _)| name != "realm" && name != "oauth_signature")
            .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
            .collect();
        if let Some(query) = request.query {
            signed.extend(form_pairs(query));
        }
        if let Some(body) = request.form_body {
            signed.extend(form_pairs(&String::from_utf8_lossy(body)));
        }
        let base = signature_base_string(
            request.method,
            &base_string_uri(request.host, request.path),
            &signed,
        );
        let expected = hmac_sha256_signature(&self.consumer_secret, &token.secret, &base)
            .ok_or_else(refuse)?;
        let given = STANDARD.decode(signature).map_err(|_| refuse())?;
        if !constant_time_eq(&expected, &given) {
            return Err(refuse());
        }
        // Only a correctly signed request uses up its nonce: a forged one must not block the
        // real client's next request.
        let fresh = self
            .nonces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remember(&token.id, nonce, timestamp, now);
        if !fresh {
            return Err(refuse());
        }
        Ok(Principal {
            token_id: token.id.clone(),
            read_only: token.read_only,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5849 §3.4.1.1's example request, signed with our base string (its HMAC-SHA1 value
    /// is not ours to check, but the base string is fixed by the RFC).
    #[test]
    fn base_string_matches_rfc_5849_example() {
        let params: Vec<(Vec<u8>, Vec<u8>)> = form_pairs("b5=%3D%253D&a3=a&c%40=&a2=r%20b")
            .into_iter()
            .chain(form_pairs("c2&a3=2+q"))
            .chain(
                [
                    ("oauth_consumer_key", "9djdj82h48djs9d2"),
                    ("oauth_token", "kkk9d7dh3k39sjv7"),
                    ("oauth_signature_method", "HMAC-SHA1"),
                    ("oauth_timestamp", "137131201"),
                    ("oauth_nonce", "7d8f3e4a"),
                ]
                .into_iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())),
            )
            .collect();
        let base = signature_base_string(
            "post",
            &base_string_uri("EXAMPLE.com:80", "/request"),
            &params,
        );
        assert_eq!(
            base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D\
             %253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce\
             %3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26\
             oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    #[test]
    fn authorization_headers_parse_strictly() {
        let params = parse_authorization(
            "OAuth realm=\"1_SB1\", oauth_nonce=\"a%2Bb\",oauth_version=\"1.0\"",
        )
        .expect("parses");
        assert_eq!(
            params[1],
            (String::from("oauth_nonce"), String::from("a+b"))
        );
        assert!(parse_authorization("Bearer abc").is_none());
        assert!(parse_authorization("OAuth a=\"1\", a=\"2\"").is_none());
        assert!(parse_authorization("OAuth a=\"unterminated").is_none());
    }

    #[test]
    fn nonces_are_single_use_and_bounded() {
        let mut cache = NonceCache::default();
        assert!(cache.remember("t", "n1", 1000, 1000));
        assert!(!cache.remember("t", "n1", 1000, 1001));
        assert!(cache.remember("u", "n1", 1000, 1001));
        // Long after the window, old entries are pruned.
        assert!(cache.remember("t", "n2", 5000, 5000));
        assert_eq!(cache.seen.len(), 1);
    }
}
