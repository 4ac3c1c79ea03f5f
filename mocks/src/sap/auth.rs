//! Authentication as the SAP NetWeaver ICF layer does it: Basic, OAuth 2.0 bearer tokens from
//! `POST /sap/bc/sec/oauth2/token` (client credentials), security sessions with the
//! `SAP_SESSIONID_<SID>_<client>` cookie, and CSRF tokens bound to that session (reference §3.1,
//! §4).
//!
//! Secrets derive from the seed, so a manifest is reproducible; sessions, CSRF tokens and
//! access tokens expire on the virtual clock, so a test can age them by advancing it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::Profile;

/// The emulated system id and client, as they appear in cookies and realms.
pub(crate) const SYSTEM_ID: &str = "MW1";
pub(crate) const CLIENT: &str = "100";
pub(crate) const SESSION_COOKIE: &str = "SAP_SESSIONID_MW1_100";
pub(crate) const REALM: &str = "SAP NetWeaver Application Server [MW1/100]";
/// The path of the OAuth token endpoint.
pub(crate) const TOKEN_PATH: &str = "/sap/bc/sec/oauth2/token";

/// Sessions and tokens kept at most; the oldest are forgotten first.
const MAX_SESSIONS: usize = 10_000;
const MAX_TOKENS: usize = 10_000;

/// Who a request runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    pub(crate) user: String,
    /// A display-only user: writes are refused with 403.
    pub(crate) read_only: bool,
}

#[derive(Clone, Debug)]
struct User {
    name: String,
    password: String,
    read_only: bool,
}

#[derive(Clone, Debug)]
struct Session {
    user: String,
    csrf_token: String,
    last_used: DateTime<Utc>,
}

#[derive(Clone, Debug)]
struct AccessToken {
    user: String,
    expires_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Sessions {
    by_id: HashMap<String, Session>,
    order: VecDeque<String>,
}

/// Why authentication failed; decides the challenge sent back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// No usable credentials, or wrong user/password.
    Logon,
    /// A bearer token that is unknown or expired.
    InvalidToken,
}

/// The outcome of a CSRF fetch: what to send back.
#[derive(Clone, Debug)]
pub(crate) struct CsrfGrant {
    pub(crate) token: String,
    /// `Some` when a new session was opened and its cookie must be set.
    pub(crate) new_session: Option<String>,
}

/// Users, OAuth client, sessions and tokens of one SAP emulator.
#[derive(Debug)]
pub(crate) struct SapAuth {
    users: Vec<User>,
    client_id: String,
    client_secret: String,
    /// The user an OAuth client's tokens act as.
    client_user: String,
    session_timeout: TimeDelta,
    token_lifetime_seconds: u64,
    sessions: Mutex<Sessions>,
    tokens: Mutex<(HashMap<String, AccessToken>, VecDeque<String>)>,
    key: [u8; 32],
    counter: AtomicU64,
    /// Users an administrator locked (SU01): every way in is refused until they are unlocked.
    locked: Mutex<HashSet<String>>,
}

fn derive(seed: u64, purpose: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/sap/credentials/");
    hasher.update(purpose.as_bytes());
    hasher.update(seed.to_le_bytes());
    let digest = hasher.finalize();
    digest[..9].iter().map(|b| format!("{b:02x}")).collect()
}

impl SapAuth {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let mut key_hasher = Sha256::new();
        key_hasher.update(b"millwright/sap/auth-key");
        key_hasher.update(seed.to_le_bytes());
        SapAuth {
            users: vec![
                User {
                    name: String::from("MW_COMM_USER"),
                    password: format!("Mw-{}", derive(seed, "password")),
                    read_only: false,
                },
                User {
                    name: String::from("MW_DISPLAY"),
                    password: format!("Mw-{}", derive(seed, "readonly-password")),
                    read_only: true,
                },
            ],
            client_id: String::from("MW_OAUTH_CLIENT"),
            client_secret: derive(seed, "client-secret"),
            client_user: String::from("MW_COMM_USER"),
            session_timeout: TimeDelta::seconds(
                i64::try_from(profile.sap.csrf_session_timeout_seconds).unwrap_or(i64::MAX / 2_000),
            ),
            token_lifetime_seconds: profile.sap.oauth_token_lifetime_seconds,
            sessions: Mutex::new(Sessions::default()),
            tokens: Mutex::new((HashMap::new(), VecDeque::new())),
            key: key_hasher.finalize().into(),
            counter: AtomicU64::new(0),
            locked: Mutex::new(HashSet::new()),
        }
    }

    /// The manifest credentials: every key a client needs, plus the read-only user.
    pub(crate) fn credentials(&self, base_url: &str) -> serde_json::Value {
        let full = &self.users[0];
        let display = &self.users[1];
        json!({
            "username": full.name,
            "password": full.password,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "token_url": format!("{base_url}{TOKEN_PATH}"),
            "readonly_username": display.name,
            "readonly_password": display.password,
        })
    }

    /// A fresh opaque value: deterministic for a seed and call order, unguessable enough here.
    fn fresh(&self, purpose: &str) -> String {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(purpose.as_bytes());
        hasher.update(count.to_le_bytes());
        let digest = hasher.finalize();
        URL_SAFE_NO_PAD.encode(&digest[..18])
    }

    /// Locks the communication user (and so the OAuth client acting as it), as an administrator
    /// revoking an integration's access would: its sessions and tokens end at once. Returns the
    /// names locked.
    pub(crate) fn lock_integration_user(&self) -> Vec<String> {
        let user = self.client_user.clone();
        self.locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(user.clone());
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.by_id.retain(|_, s| s.user != user);
        let Sessions { by_id, order } = &mut *sessions;
        order.retain(|id| by_id.contains_key(id));
        drop(sessions);
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.0.retain(|_, t| t.user != user);
        let (by_token, order) = &mut *tokens;
        order.retain(|t| by_token.contains_key(t));
        vec![user, self.client_id.clone()]
    }

    /// Ends every session (and with it its CSRF token) and every OAuth access token, as if
    /// their lifetime had run out; users and the OAuth client stay valid, so a client gets new
    /// ones by logging on again. Returns what ended.
    pub(crate) fn expire_sessions(&self) -> Vec<String> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let ended_sessions = sessions.by_id.len();
        sessions.by_id.clear();
        sessions.order.clear();
        drop(sessions);
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let ended_tokens = tokens.0.len();
        tokens.0.clear();
        tokens.1.clear();
        vec![
            format!("{ended_sessions} sessions with their CSRF tokens"),
            format!("{ended_tokens} OAuth access tokens"),
        ]
    }

    /// Unlocks every locked user. Returns the names unlocked.
    pub(crate) fn unlock_users(&self) -> Vec<String> {
        let mut locked = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        let mut names: Vec<String> = locked.drain().collect();
        names.sort();
        names
    }

    fn is_locked(&self, user: &str) -> bool {
        self.locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(user)
    }

    /// Who the request is, from `Authorization` (Basic or Bearer) or a live session cookie. A
    /// locked user is refused like a wrong password, as SAP does.
    pub(crate) fn authenticate(
        &self,
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthFailure> {
        let principal = self.identify(headers, now)?;
        if self.is_locked(&principal.user) {
            return Err(AuthFailure::Logon);
        }
        Ok(principal)
    }

    fn identify(&self, headers: &HeaderMap, now: DateTime<Utc>) -> Result<Principal, AuthFailure> {
        if let Some(value) = headers.get(AUTHORIZATION) {
            let text = value.to_str().map_err(|_| AuthFailure::Logon)?.trim();
            let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
            if scheme.eq_ignore_ascii_case("basic") {
                let decoded = STANDARD
                    .decode(rest.trim())
                    .map_err(|_| AuthFailure::Logon)?;
                let decoded = String::from_utf8(decoded).map_err(|_| AuthFailure::Logon)?;
                let (name, password) = decoded.split_once(':').ok_or(AuthFailure::Logon)?;
                // SAP user names are case-insensitive; passwords are not.
                return self
                    .users
                    .iter()
                    .find(|user| user.name.eq_ignore_ascii_case(name) && user.password == password)
                    .map(|user| Principal {
                        user: user.name.clone(),
                        read_only: user.read_only,
                    })
                    .ok_or(AuthFailure::Logon);
            }
            if scheme.eq_ignore_ascii_case("bearer") {
                let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
                return match tokens.0.get(rest.trim()) {
                    Some(token) if token.expires_at > now => Ok(self.principal(&token.user)),
                    _ => Err(AuthFailure::InvalidToken),
                };
            }
            return Err(AuthFailure::Logon);
        }
        if let Some(session_id) = session_cookie(headers) {
            let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(session) = sessions.by_id.get_mut(&session_id)
                && session.last_used + self.session_timeout > now
            {
                session.last_used = now;
                let user = session.user.clone();
                drop(sessions);
                return Ok(self.principal(&user));
            }
        }
        Err(AuthFailure::Logon)
    }

    fn principal(&self, name: &str) -> Principal {
        let read_only = self
            .users
            .iter()
            .find(|user| user.name == name)
            .is_some_and(|user| user.read_only);
        Principal {
            user: name.to_owned(),
            read_only,
        }
    }

    /// Answers `X-CSRF-Token: Fetch`: the live session's token, or a new session and token.
    pub(crate) fn fetch_csrf(
        &self,
        headers: &HeaderMap,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> CsrfGrant {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(session_id) = session_cookie(headers)
            && let Some(session) = sessions.by_id.get_mut(&session_id)
            && session.user == principal.user
            && session.last_used + self.session_timeout > now
        {
            session.last_used = now;
            return CsrfGrant {
                token: session.csrf_token.clone(),
                new_session: None,
            };
        }
        let session_id = self.fresh("session");
        let token = self.fresh("csrf");
        if sessions.order.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions.order.pop_front()
        {
            sessions.by_id.remove(&oldest);
        }
        sessions.order.push_back(session_id.clone());
        sessions.by_id.insert(
            session_id.clone(),
            Session {
                user: principal.user.clone(),
                csrf_token: token.clone(),
                last_used: now,
            },
        );
        CsrfGrant {
            token,
            new_session: Some(session_id),
        }
    }

    /// Whether a modifying request carries the CSRF token of its own live session.
    pub(crate) fn check_csrf(
        &self,
        headers: &HeaderMap,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(sent) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let Some(session_id) = session_cookie(headers) else {
            return false;
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        match sessions.by_id.get_mut(&session_id) {
            Some(session)
                if session.user == principal.user
                    && session.csrf_token == sent.trim()
                    && session.last_used + self.session_timeout > now =>
            {
                session.last_used = now;
                true
            }
            _ => false,
        }
    }

    /// The token endpoint: client credentials grant with Basic (or form) client authentication.
    pub(crate) fn token_response(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Response {
        let form = parse_form(body);
        let field = |name: &str| {
            form.iter()
                .find(|(key, _)| key == name)
                .map(|(_, v)| v.clone())
        };
        let basic = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|text| {
                let (scheme, rest) = text.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("basic")
                    .then_some(rest.trim().to_owned())
            })
            .and_then(|encoded| STANDARD.decode(encoded).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| {
                text.split_once(':')
                    .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
            });
        let client = basic.or_else(|| Some((field("client_id")?, field("client_secret")?)));
        let authenticated = client
            .as_ref()
            .is_some_and(|(id, secret)| *id == self.client_id && *secret == self.client_secret)
            && !self.is_locked(&self.client_user);
        if !authenticated {
            let mut response = oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed",
            );
            if let Ok(value) = HeaderValue::from_str(&format!("Basic realm=\"{REALM}\"")) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            return response;
        }
        match field("grant_type").as_deref() {
            Some("client_credentials") => {}
            Some(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "Only the client_credentials grant is supported",
                );
            }
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "grant_type is missing",
                );
            }
        }
        let access_token = self.fresh("access-token");
        let lifetime = i64::try_from(self.token_lifetime_seconds).unwrap_or(i64::MAX / 2_000);
        let expires_at = now + TimeDelta::seconds(lifetime);
        {
            let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
            let (by_value, order) = &mut *tokens;
            by_value.retain(|_, token| token.expires_at > now);
            order.retain(|value| by_value.contains_key(value));
            if order.len() >= MAX_TOKENS
                && let Some(oldest) = order.pop_front()
            {
                by_value.remove(&oldest);
            }
            order.push_back(access_token.clone());
            by_value.insert(
                access_token.clone(),
                AccessToken {
                    user: self.client_user.clone(),
                    expires_at,
                },
            );
        }
        let body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_seconds,
            "scope": "API_PURCHASEORDER_PROCESS_SRV_0001",
        });
        let mut response = (StatusCode::OK, axum::Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |raw: &str| {
                percent_encoding::percent_decode_str(&raw.replace('+', " "))
                    .decode_utf8()
                    .ok()
                    .map(|t| t.into_owned())
            };
            Some((decode(name)?, decode(value)?))
        })
        .collect()
}

/// The value of the `SAP_SESSIONID_MW1_100` cookie, if sent.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// SAP's 401: a Basic (or Bearer) challenge and the HTML logon error page.
pub(crate) fn unauthorized(failure: AuthFailure) -> Response {
    let body = "<html><head><title>Logon Error Message</title></head><body>\
                <h1>Logon failed</h1><p>Logon failed. Check your user name and password, or \
                contact your system administrator.</p><p>Server: MW1, client 100</p></body></html>";
    let mut response = (StatusCode::UNAUTHORIZED, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let challenge = match failure {
        AuthFailure::Logon => format!("Basic realm=\"{REALM}\""),
        AuthFailure::InvalidToken => format!("Bearer realm=\"{REALM}\", error=\"invalid_token\""),
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        headers.insert(header::WWW_AUTHENTICATE, value);
    }
    headers.insert("sap-system", HeaderValue::from_static(SYSTEM_ID));
    headers.insert("sap-server", HeaderValue::from_static("true"));
    headers.append(
        header::SET_COOKIE,
        HeaderValue::from_static("sap-usercontext=sap-client=100; path=/"),
    );
    response
}

/// SAP's CSRF refusal: 403, `x-csrf-token: Required`, plain text.
pub(crate) fn csrf_required() -> Response {
    let mut response = (StatusCode::FORBIDDEN, "CSRF token validation failed").into_response();
    let headers = response.headers_mut();
    headers.insert("x-csrf-token", HeaderValue::from_static("Required"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Headers that hand out a CSRF token (and a new session's cookies).
pub(crate) fn csrf_headers(grant: &CsrfGrant, headers: &mut HeaderMap) {
    if let Ok(value) = HeaderValue::from_str(&grant.token) {
        headers.insert("x-csrf-token", value);
    }
    if let Some(session) = &grant.new_session
        && let Ok(value) =
            HeaderValue::from_str(&format!("{SESSION_COOKIE}={session}; path=/; HttpOnly"))
    {
        headers.append(header::SET_COOKIE, value);
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("sap-usercontext=sap-client=100; path=/"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> SapAuth {
        SapAuth::new(7, &Profile::builtin("tiny").expect("tiny"))
    }

    fn basic(user: &str, password: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&value).expect("header"),
        );
        headers
    }

    #[test]
    fn basic_logon_and_csrf_bound_to_the_session() {
        let auth = auth();
        let credentials = auth.credentials("http://x");
        let user = credentials["username"].as_str().expect("user");
        let password = credentials["password"].as_str().expect("password");
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(
            auth.authenticate(&basic(user, "wrong"), now),
            Err(AuthFailure::Logon)
        );
        let principal = auth
            .authenticate(&basic(user, password), now)
            .expect("logon");
        assert!(!principal.read_only);

        let grant = auth.fetch_csrf(&HeaderMap::new(), &principal, now);
        let session = grant.new_session.clone().expect("new session");
        let mut write = basic(user, password);
        write.insert(
            "x-csrf-token",
            HeaderValue::from_str(&grant.token).expect("token"),
        );
        assert!(
            !auth.check_csrf(&write, &principal, now),
            "token without its cookie"
        );
        write.insert(
            COOKIE,
            HeaderValue::from_str(&format!("{SESSION_COOKIE}={session}")).expect("cookie"),
        );
        assert!(auth.check_csrf(&write, &principal, now));
        let later = now + TimeDelta::seconds(1800);
        assert!(
            !auth.check_csrf(&write, &principal, later),
            "session expired"
        );
    }

    #[test]
    fn credentials_depend_on_the_seed() {
        let tiny = Profile::builtin("tiny").expect("tiny");
        let a = SapAuth::new(7, &tiny).credentials("http://x");
        let b = SapAuth::new(8, &tiny).credentials("http://x");
        assert_ne!(a["password"], b["password"]);
        assert_eq!(a, SapAuth::new(7, &tiny).credentials("http://x"));
    }
}
