//! Authentication as Maximo does it (reference §1.6): an API key in the `apikey` header or
//! query parameter, native `maxauth` (base64 `user:password`), HTTP Basic, legacy
//! `_lid`/`_lpwd` query parameters, and sessions (`JSESSIONID`) opened by `POST /oslc/login`
//! or the form login `POST /j_security_check`.
//!
//! Two users: the integration user of the manifest (full access) and a read-only user whose
//! writes get 403. Secrets derive from the seed, so a manifest is reproducible. An
//! administrator's revocation (admin API) invalidates the integration user's API key and
//! password and ends its sessions until restored.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::error::MaximoError;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "JSESSIONID";
const MAX_SESSIONS: usize = 10_000;

/// Who a request runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    /// Upper case (`MXINTADM`).
    pub(crate) user: String,
    pub(crate) read_only: bool,
}

#[derive(Clone, Debug)]
struct User {
    name: String,
    password: String,
    apikey: String,
    read_only: bool,
    display_name: &'static str,
}

/// Users, API keys and sessions of one emulator.
pub(crate) struct MaximoAuth {
    users: Vec<User>,
    /// Whether the integration user (users[0]) is revoked.
    revoked: Mutex<bool>,
    sessions: Mutex<(HashMap<String, String>, VecDeque<String>)>,
    key: [u8; 32],
    counter: AtomicU64,
}

fn derive(seed: u64, purpose: &str, length: usize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/maximo/credentials/");
    hasher.update(purpose.as_bytes());
    hasher.update(seed.to_le_bytes());
    // API keys are long lower-case alphanumerics.
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    hasher
        .finalize()
        .iter()
        .cycle()
        .take(length)
        .enumerate()
        .map(|(position, b)| {
            let mixed = b.wrapping_add(u8::try_from(position % 251).unwrap_or(0).wrapping_mul(37));
            ALPHABET[usize::from(mixed) % ALPHABET.len()] as char
        })
        .collect()
}

/// How a request tried to authenticate.
enum Offer {
    ApiKey(String),
    Password(String, String),
    Session(String),
}

impl MaximoAuth {
    pub(crate) fn new(seed: u64) -> Self {
        let mut key = Sha256::new();
        key.update(b"millwright/maximo/sessions");
        key.update(seed.to_le_bytes());
        MaximoAuth {
            users: vec![
                User {
                    name: String::from("MXINTADM"),
                    password: format!("Mx-{}", derive(seed, "password", 14)),
                    apikey: derive(seed, "apikey", 40),
                    read_only: false,
                    display_name: "Integration Administrator",
                },
                User {
                    name: String::from("MXREAD"),
                    password: format!("Mx-{}", derive(seed, "readonly-password", 14)),
                    apikey: derive(seed, "readonly-apikey", 40),
                    read_only: true,
                    display_name: "Read-Only Reporting User",
                },
            ],
            revoked: Mutex::new(false),
            sessions: Mutex::new((HashMap::new(), VecDeque::new())),
            key: key.finalize().into(),
            counter: AtomicU64::new(0),
        }
    }

    /// The manifest credentials (conventions: `apikey`, `username`, `password`, plus the
    /// read-only user's).
    pub(crate) fn credentials(&self) -> serde_json::Value {
        let full = &self.users[0];
        let reader = &self.users[1];
        json!({
            "apikey": full.apikey,
            "username": full.name,
            "password": full.password,
            "readonly_apikey": reader.apikey,
            "readonly_username": reader.name,
            "readonly_password": reader.password,
        })
    }

    fn is_revoked(&self, user: &User) -> bool {
        !user.read_only && *self.revoked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn principal(user: &User) -> Principal {
        Principal {
            user: user.name.clone(),
            read_only: user.read_only,
        }
    }

    /// Checks user and password (case-insensitive user name, as Maximo logins are).
    pub(crate) fn login(&self, user: &str, password: &str) -> Result<Principal, MaximoError> {
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(user) && u.password == password)
            .filter(|u| !self.is_revoked(u))
            .map(Self::principal)
            .ok_or_else(MaximoError::login)
    }

    fn offer(headers: &HeaderMap, query: &[(String, String)]) -> Option<Offer> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(key) = header("apikey") {
            return Some(Offer::ApiKey(key.trim().to_owned()));
        }
        if let Some((_, key)) = query.iter().find(|(name, _)| name == "apikey") {
            return Some(Offer::ApiKey(key.clone()));
        }
        let decode = |text: &str| {
            let bytes = STANDARD.decode(text.trim()).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            let (user, password) = text.split_once(':')?;
            Some(Offer::Password(user.to_owned(), password.to_owned()))
        };
        if let Some(value) = header("maxauth") {
            return Some(decode(value).unwrap_or(Offer::Password(String::new(), String::new())));
        }
        if let Some(value) = header(AUTHORIZATION.as_str()) {
            let basic = value
                .split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
                .and_then(|(_, rest)| decode(rest));
            return Some(basic.unwrap_or(Offer::Password(String::new(), String::new())));
        }
        let query_value = |name: &str| {
            query
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if let (Some(user), Some(password)) = (query_value("_lid"), query_value("_lpwd")) {
            return Some(Offer::Password(user, password));
        }
        session_cookie(headers).map(Offer::Session)
    }

    /// Who `headers`/`query` authenticate as: 401 `BMXAA7901E` without valid credentials,
    /// 401 `BMXAA9549E` for an unknown or revoked API key.
    pub(crate) fn authenticate(
        &self,
        headers: &HeaderMap,
        query: &[(String, String)],
    ) -> Result<Principal, MaximoError> {
        match Self::offer(headers, query) {
            Some(Offer::ApiKey(key)) => self
                .users
                .iter()
                .find(|u| u.apikey == key)
                .filter(|u| !self.is_revoked(u))
                .map(Self::principal)
                .ok_or_else(MaximoError::bad_api_key),
            Some(Offer::Password(user, password)) => self.login(&user, &password),
            Some(Offer::Session(id)) => {
                let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
                let user = sessions.0.get(&id).cloned();
                drop(sessions);
                user.and_then(|name| self.users.iter().find(|u| u.name == name))
                    .filter(|u| !self.is_revoked(u))
                    .map(Self::principal)
                    .ok_or_else(MaximoError::login)
            }
            None => Err(MaximoError::login()),
        }
    }

    /// Opens a session for `principal`; returns the `JSESSIONID` value.
    pub(crate) fn open_session(&self, principal: &Principal) -> String {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(count.to_le_bytes());
        let id: String = hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let (by_id, order) = &mut *sessions;
        if order.len() >= MAX_SESSIONS
            && let Some(oldest) = order.pop_front()
        {
            by_id.remove(&oldest);
        }
        by_id.insert(id.clone(), principal.user.clone());
        order.push_back(id.clone());
        id
    }

    /// Ends the session named by the request's cookie, if any.
    pub(crate) fn close_session(&self, headers: &HeaderMap) {
        if let Some(id) = session_cookie(headers) {
            let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
            let (by_id, order) = &mut *sessions;
            by_id.remove(&id);
            order.retain(|s| *s != id);
        }
    }

    /// The `whoami` profile of a user.
    pub(crate) fn profile(
        &self,
        principal: &Principal,
        site: &str,
        org: &str,
    ) -> serde_json::Value {
        let display = self
            .users
            .iter()
            .find(|u| u.name == principal.user)
            .map_or("", |u| u.display_name);
        json!({
            "personid": principal.user,
            "userName": principal.user,
            "loginID": principal.user.to_ascii_lowercase(),
            "displayName": display,
            "defaultSite": site,
            "insertSite": site,
            "defaultOrg": org,
            "insertOrg": org,
            "langcode": "EN",
            "baseLang": "EN",
        })
    }

    /// Revokes the integration user's API key and password, as an administrator would; its
    /// sessions end at once.
    pub(crate) fn revoke(&self) -> Vec<String> {
        *self.revoked.lock().unwrap_or_else(PoisonError::into_inner) = true;
        let user = self.users[0].name.clone();
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let (by_id, order) = &mut *sessions;
        by_id.retain(|_, owner| *owner != user);
        order.retain(|id| by_id.contains_key(id));
        vec![user.clone(), format!("{user} API key")]
    }

    /// Ends every session (`JSESSIONID`) as if it had timed out; API keys and passwords do not
    /// expire. Returns what ended.
    pub(crate) fn end_sessions(&self) -> Vec<String> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let (by_id, order) = &mut *sessions;
        let count = by_id.len();
        by_id.clear();
        order.clear();
        vec![format!("{count} sessions")]
    }

    pub(crate) fn restore(&self) -> Vec<String> {
        let mut revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
        if !*revoked {
            return Vec::new();
        }
        *revoked = false;
        let user = self.users[0].name.clone();
        vec![user.clone(), format!("{user} API key")]
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn every_way_in_and_revocation() {
        let auth = MaximoAuth::new(7);
        let credentials = auth.credentials();
        let key = credentials["apikey"].as_str().expect("key").to_owned();
        let password = credentials["password"]
            .as_str()
            .expect("password")
            .to_owned();
        assert_eq!(key.len(), 40);
        assert_eq!(
            MaximoAuth::new(7).credentials(),
            credentials,
            "deterministic"
        );

        let mut headers = HeaderMap::new();
        headers.insert("apikey", HeaderValue::from_str(&key).expect("header"));
        assert_eq!(
            auth.authenticate(&headers, &[]).expect("key").user,
            "MXINTADM"
        );
        let query = vec![(String::from("apikey"), String::from("nope"))];
        assert_eq!(
            auth.authenticate(&HeaderMap::new(), &query)
                .expect_err("bad")
                .reason,
            "BMXAA9549E"
        );
        let mut maxauth = HeaderMap::new();
        let encoded = STANDARD.encode(format!("mxintadm:{password}"));
        maxauth.insert("maxauth", HeaderValue::from_str(&encoded).expect("header"));
        let principal = auth.authenticate(&maxauth, &[]).expect("maxauth");
        let mut basic = HeaderMap::new();
        basic.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).expect("header"),
        );
        assert!(auth.authenticate(&basic, &[]).is_ok());
        assert_eq!(
            auth.authenticate(&HeaderMap::new(), &[])
                .expect_err("none")
                .reason,
            "BMXAA7901E"
        );

        let session = auth.open_session(&principal);
        let mut cookie = HeaderMap::new();
        cookie.insert(
            COOKIE,
            HeaderValue::from_str(&format!("other=1; {SESSION_COOKIE}={session}")).expect("cookie"),
        );
        assert!(auth.authenticate(&cookie, &[]).is_ok());

        auth.revoke();
        assert_eq!(
            auth.authenticate(&headers, &[])
                .expect_err("revoked")
                .reason,
            "BMXAA9549E"
        );
        assert_eq!(
            auth.authenticate(&maxauth, &[])
                .expect_err("revoked")
                .reason,
            "BMXAA7901E"
        );
        assert!(auth.authenticate(&cookie, &[]).is_err(), "sessions end");
        let reader_key = credentials["readonly_apikey"].as_str().expect("reader");
        let mut reader = HeaderMap::new();
        reader.insert("apikey", HeaderValue::from_str(reader_key).expect("header"));
        assert!(auth.authenticate(&reader, &[]).expect("reader").read_only);
        assert_eq!(auth.restore().len(), 2);
        assert!(auth.authenticate(&headers, &[]).is_ok());
        assert!(auth.restore().is_empty());
    }
}
