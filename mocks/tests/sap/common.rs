//! Test support: a served emulator on 127.0.0.1:0 and a small client for it.

use mw_mocks::{EmulatorOptions, Profile, RunningEmulator, SystemKind, serve};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

pub(crate) const ROOT: &str = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/";

/// A running emulator and the credentials from its manifest entry.
pub(crate) struct Emulator {
    pub(crate) running: RunningEmulator,
    pub(crate) client: reqwest::Client,
    pub(crate) user: String,
    pub(crate) password: String,
}

/// A CSRF token and the session cookie it belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Csrf {
    pub(crate) token: String,
    pub(crate) cookie: String,
}

pub(crate) async fn start(profile: &str, seed: u64) -> Emulator {
    // reqwest is compiled with `rustls-no-provider`: a provider must exist before a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let options = EmulatorOptions {
        system: SystemKind::Sap,
        profile: Profile::builtin(profile).expect("profile"),
        seed,
        faults: None,
    };
    let running = serve(options, listener).await.expect("serve");
    let credentials = running.credentials.clone();
    Emulator {
        client: reqwest::Client::builder().build().expect("client"),
        user: credentials["username"]
            .as_str()
            .expect("username")
            .to_owned(),
        password: credentials["password"]
            .as_str()
            .expect("password")
            .to_owned(),
        running,
    }
}

impl Emulator {
    /// `resource` is relative to the service root, e.g. `A_PurchaseOrder?$top=1`.
    pub(crate) fn url(&self, resource: &str) -> String {
        format!("{}{ROOT}{resource}", self.running.base_url)
    }

    pub(crate) fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.running.admin_url)
    }

    pub(crate) fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .basic_auth(&self.user, Some(&self.password))
            .header("Accept", "application/json")
    }

    pub(crate) async fn get(&self, resource: &str) -> Response {
        self.request(Method::GET, &self.url(resource))
            .send()
            .await
            .expect("request")
    }

    pub(crate) async fn get_json(&self, resource: &str) -> (StatusCode, Value) {
        let response = self.get(resource).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
        (status, json)
    }

    /// Follows `__next` to the end; returns every row and the size of each page.
    pub(crate) async fn all_pages(
        &self,
        resource: &str,
    ) -> Result<(Vec<Value>, Vec<usize>), (StatusCode, Value)> {
        let mut url = self.url(resource);
        let mut rows = Vec::new();
        let mut pages = Vec::new();
        loop {
            let response = self
                .request(Method::GET, &url)
                .send()
                .await
                .expect("request");
            let status = response.status();
            let body: Value = response.json().await.expect("json body");
            if status != StatusCode::OK {
                return Err((status, body));
            }
            let results = body["d"]["results"].as_array().expect("results").clone();
            pages.push(results.len());
            rows.extend(results);
            match body["d"]["__next"].as_str() {
                Some(next) => url = next.to_owned(),
                None => break,
            }
            assert!(pages.len() < 10_000, "paging does not end");
        }
        Ok((rows, pages))
    }

    pub(crate) async fn fetch_csrf(&self) -> Csrf {
        let response = self
            .request(Method::GET, &self.url(""))
            .header("X-CSRF-Token", "Fetch")
            .send()
            .await
            .expect("fetch");
        assert_eq!(response.status(), StatusCode::OK);
        let token = response.headers()["x-csrf-token"]
            .to_str()
            .expect("token")
            .to_owned();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("SAP_SESSIONID_MW1_100="))
            .and_then(|v| v.split(';').next())
            .expect("session cookie")
            .to_owned();
        Csrf { token, cookie }
    }

    pub(crate) fn write_headers(csrf: &Csrf) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-csrf-token",
            HeaderValue::from_str(&csrf.token).expect("token"),
        );
        headers.insert(
            "cookie",
            HeaderValue::from_str(&csrf.cookie).expect("cookie"),
        );
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers
    }

    /// Sends a write with a CSRF token; returns status, headers and body text.
    pub(crate) async fn write(
        &self,
        method: Method,
        resource: &str,
        csrf: &Csrf,
        body: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = self
            .request(method, &self.url(resource))
            .headers(Self::write_headers(csrf));
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.expect("write");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("body"))
    }

    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(self.admin(path))
            .send()
            .await
            .expect("admin");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    pub(crate) async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.admin(path))
            .json(&body)
            .send()
            .await
            .expect("admin");
        let status = response.status();
        (status, response.json().await.expect("json"))
    }

    pub(crate) async fn truth_digest(&self) -> String {
        self.admin_get("/truth/purchase-orders").await["digest"]
            .as_str()
            .expect("digest")
            .to_owned()
    }
}

/// Milliseconds of a `/Date(<ms>[+0000])/` value.
pub(crate) fn date_ms(value: &Value) -> i64 {
    let text = value.as_str().expect("date string");
    let inner = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
        .expect("date form");
    let digits = inner.split('+').next().expect("digits");
    digits.parse().expect("milliseconds")
}

/// Milliseconds of an RFC 3339 instant.
pub(crate) fn rfc3339_ms(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("rfc3339")
        .timestamp_millis()
}
