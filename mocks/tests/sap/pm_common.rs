//! Test support for the plant-maintenance services (`API_MAINTENANCEORDER;v=0002`,
//! `API_EQUIPMENT`): requests against any service root, CSRF fetched there, custom profiles.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use mw_mocks::{EmulatorOptions, Profile, SystemKind, serve};

use crate::common::{Csrf, Emulator};

pub(crate) const MO_ROOT: &str = "/sap/opu/odata/sap/API_MAINTENANCEORDER;v=0002/";
pub(crate) const EQ_ROOT: &str = "/sap/opu/odata/sap/API_EQUIPMENT/";

/// The key predicate of the current time slice of an equipment, as SAP writes it in URIs.
pub(crate) fn current_slice(equipment: &str) -> String {
    format!("Equipment(Equipment='{equipment}',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')")
}

/// An emulator over the tiny profile changed by `edit` (TOML text in, TOML text out).
pub(crate) async fn start_edited(seed: u64, edit: impl Fn(String) -> String) -> Emulator {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let text = edit(
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/profiles/tiny.toml"
        ))
        .expect("tiny profile"),
    );
    let profile = Profile::from_toml(&text, "test profile").expect("profile");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = serve(
        EmulatorOptions {
            system: SystemKind::Sap,
            profile,
            seed,
            faults: None,
        },
        listener,
    )
    .await
    .expect("serve");
    let credentials = running.credentials.clone();
    Emulator {
        client: reqwest::Client::builder().build().expect("client"),
        user: credentials["username"].as_str().expect("user").to_owned(),
        password: credentials["password"]
            .as_str()
            .expect("password")
            .to_owned(),
        running,
    }
}

/// What a request answered: status, headers and the body as JSON (or as a JSON string when it
/// is not JSON).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// `error.code` of an SAP error envelope.
    pub(crate) fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `error.message.value` of an SAP error envelope.
    pub(crate) fn message(&self) -> &str {
        self.body["error"]["message"]["value"]
            .as_str()
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

/// One request to `root` + `resource`.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) root: &'a str,
    pub(crate) resource: String,
    pub(crate) csrf: Option<&'a Csrf>,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, root: &'a str, resource: impl Into<String>) -> Self {
        Call {
            method,
            root,
            resource: resource.into(),
            csrf: None,
            body: None,
            headers: Vec::new(),
        }
    }

    pub(crate) fn csrf(mut self, csrf: &'a Csrf) -> Self {
        self.csrf = Some(csrf);
        self
    }

    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) async fn send(self, emulator: &Emulator) -> Answer {
        let url = format!(
            "{}{}{}",
            emulator.running.base_url, self.root, self.resource
        );
        let mut request = emulator.request(self.method, &url);
        if let Some(csrf) = self.csrf {
            request = request
                .header("x-csrf-token", &csrf.token)
                .header("cookie", &csrf.cookie);
        }
        if let Some(body) = self.body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }
}

/// `GET root + resource`.
pub(crate) async fn get(emulator: &Emulator, root: &str, resource: &str) -> Answer {
    Call::new(Method::GET, root, resource).send(emulator).await
}

/// A CSRF token and session cookie fetched from `root`.
pub(crate) async fn fetch_csrf(emulator: &Emulator, root: &str) -> Csrf {
    let answer = Call::new(Method::GET, root, "")
        .header("x-csrf-token", "Fetch")
        .send(emulator)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    let token = answer.headers["x-csrf-token"]
        .to_str()
        .expect("token")
        .to_owned();
    let cookie = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("SAP_SESSIONID_MW1_100="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    Csrf { token, cookie }
}

/// Follows `__next` from `root` + `resource`; every row.
pub(crate) async fn all_rows(emulator: &Emulator, root: &str, resource: &str) -> Vec<Value> {
    let mut url = format!("{}{root}{resource}", emulator.running.base_url);
    let mut rows = Vec::new();
    for _ in 0..10_000 {
        let response = emulator
            .request(Method::GET, &url)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        rows.extend(body["d"]["results"].as_array().expect("results").clone());
        match body["d"]["__next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return rows,
        }
    }
    panic!("paging does not end: {resource}");
}

/// Advances the virtual clock and returns the new instant (RFC 3339).
pub(crate) async fn advance(emulator: &Emulator, seconds: u64) -> String {
    let (status, body) = emulator
        .admin_post("/clock", serde_json::json!({ "advance_seconds": seconds }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["now"].as_str().expect("now").to_owned()
}

/// `/Date(ms)/` of an RFC 3339 instant, as SAP writes Edm.DateTimeOffset values (`+0000`).
pub(crate) fn json_offset(rfc3339: &str) -> String {
    format!("/Date({}+0000)/", crate::common::rfc3339_ms(rfc3339))
}
