//! Test support: a served Maximo emulator on 127.0.0.1:0 and a small client for it.

use mw_mocks::{EmulatorOptions, Profile, RunningEmulator, SystemKind, serve};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A running emulator and the credentials from its manifest entry.
pub(crate) struct Emulator {
    pub(crate) running: RunningEmulator,
    pub(crate) client: reqwest::Client,
    pub(crate) apikey: String,
}

/// A response: status, headers and the body as JSON (a string when it is not JSON, null when
/// empty).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

pub(crate) async fn start(profile: &str, seed: u64) -> Emulator {
    // reqwest is compiled with `rustls-no-provider`: a provider must exist before a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let options = EmulatorOptions {
        system: SystemKind::Maximo,
        profile: Profile::builtin(profile).expect("profile"),
        seed,
        faults: None,
    };
    let running = serve(options, listener).await.expect("serve");
    let apikey = running.credentials["apikey"]
        .as_str()
        .expect("apikey")
        .to_owned();
    Emulator {
        client: reqwest::Client::builder().build().expect("client"),
        apikey,
        running,
    }
}

impl Emulator {
    pub(crate) fn credential(&self, name: &str) -> String {
        self.running.credentials[name]
            .as_str()
            .expect("credential")
            .to_owned()
    }

    /// `path` is relative to the emulator root, e.g. `/maximo/api/os/mxapiasset?lean=1`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }

    /// A request with the API key header.
    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("apikey", &self.apikey)
    }

    pub(crate) async fn send(builder: reqwest::RequestBuilder) -> Answer {
        let response = builder.send().await.expect("request");
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

    pub(crate) async fn get(&self, path: &str) -> Answer {
        Self::send(self.request(Method::GET, path)).await
    }

    /// A POST with a JSON body and extra headers.
    pub(crate) async fn post(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Answer {
        let mut builder = self
            .request(Method::POST, path)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        Self::send(builder).await
    }

    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.running.admin_url))
            .send()
            .await
            .expect("admin");
        response.json().await.expect("admin json")
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
        (status, response.json().await.expect("admin json"))
    }

    /// Follows `nextPage` from `path` to the end; returns every member and the page sizes.
    pub(crate) async fn all_pages(&self, path: &str) -> (Vec<Value>, Vec<usize>) {
        let mut url = self.url(path);
        let mut members = Vec::new();
        let mut pages = Vec::new();
        loop {
            let answer = Self::send(self.client.get(&url).header("apikey", &self.apikey)).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            let page = answer.body["member"].as_array().expect("member").clone();
            pages.push(page.len());
            members.extend(page);
            match answer.body["responseInfo"]["nextPage"]["href"].as_str() {
                Some(next) => url = next.to_owned(),
                None => break,
            }
            assert!(pages.len() < 100_000, "paging does not end");
        }
        (members, pages)
    }
}

/// The rest id Maximo gives a record with these key values: `_` + base64, `=` → `-`.
pub(crate) fn rest_id(keys: &str) -> String {
    use base64::Engine as _;
    format!(
        "_{}",
        base64::engine::general_purpose::STANDARD
            .encode(keys)
            .replace('=', "-")
    )
}

/// Percent-encodes a query value (quotes, spaces, `+`, `>`, …).
pub(crate) fn enc(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The Maximo error of an answer, lean or namespaced: (status, reasonCode). The error's own
/// `statusCode` (a string) must agree with the HTTP status.
pub(crate) fn reason(answer: &Answer) -> (u16, String) {
    let (error, code, status) = match answer.body.get("Error") {
        Some(error) => (error, "reasonCode", "statusCode"),
        None => (
            &answer.body["oslc:Error"],
            "spi:reasonCode",
            "oslc:statusCode",
        ),
    };
    if !error.is_null() {
        assert_eq!(
            error[status].as_str(),
            Some(answer.status.as_u16().to_string().as_str()),
            "statusCode is the HTTP status, as a string"
        );
    }
    (
        answer.status.as_u16(),
        error[code].as_str().unwrap_or_default().to_owned(),
    )
}

/// Epoch seconds of an ISO-8601 date with an offset.
pub(crate) fn seconds(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("rfc3339")
        .timestamp()
}
