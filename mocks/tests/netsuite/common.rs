//! Test support: a served NetSuite emulator, a client that signs every request with token-based
//! authentication, and admin helpers.

use std::sync::atomic::{AtomicU64, Ordering};

use mw_mocks::{EmulatorOptions, Profile, RunningEmulator, SystemKind, serve};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub(crate) const RECORDS: &str = "/services/rest/record/v1";
pub(crate) const SUITEQL: &str = "/services/rest/query/v1/suiteql";

/// OAuth 1.0a (RFC 5849) with HMAC-SHA256, written from the RFC for these tests.
pub(crate) mod oauth {
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit as _, Mac as _};
    use sha2::Sha256;

    /// RFC 5849 §3.6: unreserved characters as they are, every other byte `%XX` upper case.
    pub(crate) fn encode(text: &str) -> String {
        let mut out = String::new();
        for byte in text.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    out.push(char::from(byte));
                }
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
        out
    }

    /// What one signature needs.
    pub(crate) struct Signing<'a> {
        pub(crate) method: &'a str,
        /// The full request URL, query included.
        pub(crate) url: &'a str,
        pub(crate) realm: &'a str,
        pub(crate) consumer_key: &'a str,
        pub(crate) consumer_secret: &'a str,
        pub(crate) token: &'a str,
        pub(crate) token_secret: &'a str,
        pub(crate) nonce: &'a str,
        pub(crate) timestamp: i64,
        pub(crate) signature_method: &'a str,
    }

    /// The `Authorization` header value.
    pub(crate) fn header(s: &Signing<'_>) -> String {
        let url = reqwest::Url::parse(s.url).expect("url");
        // §3.4.1.2: scheme and host lower case, the port only when it is not the default.
        let mut base_uri = format!(
            "{}://{}",
            url.scheme(),
            url.host_str().expect("host").to_ascii_lowercase()
        );
        if let Some(port) = url.port() {
            base_uri.push_str(&format!(":{port}"));
        }
        base_uri.push_str(url.path());
        let timestamp = s.timestamp.to_string();
        let oauth: Vec<(&str, &str)> = vec![
            ("oauth_consumer_key", s.consumer_key),
            ("oauth_token", s.token),
            ("oauth_signature_method", s.signature_method),
            ("oauth_timestamp", &timestamp),
            ("oauth_nonce", s.nonce),
            ("oauth_version", "1.0"),
        ];
        // §3.4.1.3: query parameters (decoded) and the oauth_* parameters, encoded and sorted.
        let mut pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (encode(&k), encode(&v)))
            .chain(oauth.iter().map(|(k, v)| (encode(k), encode(v))))
            .collect();
        pairs.sort();
        let normalized: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let base = format!(
            "{}&{}&{}",
            s.method.to_ascii_uppercase(),
            encode(&base_uri),
            encode(&normalized.join("&"))
        );
        let key = format!("{}&{}", encode(s.consumer_secret), encode(s.token_secret));
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
        mac.update(base.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let mut parts = vec![format!("realm=\"{}\"", s.realm)];
        for (k, v) in oauth {
            parts.push(format!("{k}=\"{}\"", encode(v)));
        }
        parts.push(format!("oauth_signature=\"{}\"", encode(&signature)));
        format!("OAuth {}", parts.join(", "))
    }
}

/// Which token signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    Main,
    ReadOnly,
}

/// A running emulator and its credentials.
pub(crate) struct Ns {
    pub(crate) running: RunningEmulator,
    pub(crate) client: reqwest::Client,
    pub(crate) credentials: Value,
}

static NONCES: AtomicU64 = AtomicU64::new(0);

/// A nonce no other request of this test binary uses.
pub(crate) fn nonce() -> String {
    format!(
        "n{:012}x{}",
        NONCES.fetch_add(1, Ordering::Relaxed),
        std::process::id()
    )
}

/// The host's real time, as OAuth libraries stamp requests.
pub(crate) fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .try_into()
        .expect("fits")
}

pub(crate) async fn start(profile: &str, seed: u64) -> Ns {
    // reqwest is compiled with `rustls-no-provider`: a provider must exist before a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let options = EmulatorOptions {
        system: SystemKind::NetSuite,
        profile: Profile::builtin(profile).expect("profile"),
        seed,
        faults: None,
    };
    let running = serve(options, listener).await.expect("serve");
    Ns {
        credentials: running.credentials.clone(),
        client: reqwest::Client::builder().build().expect("client"),
        running,
    }
}

/// A response as the tests read it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// The first `o:errorCode` of an error envelope.
    pub(crate) fn code(&self) -> &str {
        self.body["o:errorDetails"][0]["o:errorCode"]
            .as_str()
            .unwrap_or("")
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Ns {
    pub(crate) fn credential(&self, name: &str) -> String {
        self.credentials[name].as_str().expect(name).to_owned()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }

    /// The `Authorization` header for a request, signed now with a fresh nonce.
    pub(crate) fn authorization(&self, method: &Method, url: &str, token: Token) -> String {
        let (token_id, token_secret) = match token {
            Token::Main => (self.credential("token_id"), self.credential("token_secret")),
            Token::ReadOnly => (
                self.credential("readonly_token_id"),
                self.credential("readonly_token_secret"),
            ),
        };
        oauth::header(&oauth::Signing {
            method: method.as_str(),
            url,
            realm: &self.credential("account_id"),
            consumer_key: &self.credential("consumer_key"),
            consumer_secret: &self.credential("consumer_secret"),
            token: &token_id,
            token_secret: &token_secret,
            nonce: &nonce(),
            timestamp: real_now(),
            signature_method: "HMAC-SHA256",
        })
    }

    /// Sends a signed request; `path` includes the query.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Token,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = self.url(path);
        let mut request = self
            .client
            .request(method.clone(), &url)
            .header("Authorization", self.authorization(&method, &url, token));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        read(response).await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, Token::Main, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body), Token::Main, &[])
            .await
    }

    pub(crate) async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(body), Token::Main, &[])
            .await
    }

    pub(crate) async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None, Token::Main, &[])
            .await
    }

    /// Runs a SuiteQL query (`Prefer: transient`, as clients send it).
    pub(crate) async fn suiteql(&self, q: &str, paging: &str) -> Answer {
        self.send(
            Method::POST,
            &format!("{SUITEQL}{paging}"),
            Some(&serde_json::json!({ "q": q })),
            Token::Main,
            &[("Prefer", "transient")],
        )
        .await
    }

    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.running.admin_url))
            .send()
            .await
            .expect("admin");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    pub(crate) async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.running.admin_url))
            .json(&body)
            .send()
            .await
            .expect("admin");
        let status = response.status();
        (status, response.json().await.expect("json"))
    }

    /// The quantity on hand of an inventory level, from the admin truth.
    pub(crate) async fn quantity(&self, level: &str) -> Option<String> {
        let truth = self.admin_get("/truth/inventory").await;
        truth["records"]
            .as_array()
            .expect("records")
            .iter()
            .find(|r| r["id"] == level)
            .map(|r| {
                r["values"]["quantityonhand"]
                    .as_str()
                    .expect("quantity")
                    .to_owned()
            })
    }
}

pub(crate) async fn read(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// The internal id at the end of a `Location` header.
pub(crate) fn location_id(answer: &Answer) -> String {
    let location = answer.header("location").expect("Location header");
    location.rsplit('/').next().expect("id").to_owned()
}

/// Ids of a ground-truth answer.
pub(crate) fn truth_ids(truth: &Value) -> Vec<String> {
    truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}
