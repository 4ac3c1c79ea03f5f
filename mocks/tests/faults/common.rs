//! Test support: an emulator of any system on 127.0.0.1:0, a client that authenticates as that
//! system expects, the admin calls the fault tests need, and what a client saw of an answer
//! (including no answer at all).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use mw_mocks::{EmulatorOptions, FaultPlan, Profile, RunningEmulator, SystemKind, serve};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A data page of purchase orders, per system.
pub(crate) fn page_path(system: SystemKind) -> &'static str {
    match system {
        SystemKind::Sap => {
            "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder?$top=2&$format=json"
        }
        SystemKind::NetSuite => "/services/rest/record/v1/purchaseOrder?limit=2",
        SystemKind::Maximo => "/maximo/api/os/mxapipo?lean=1&oslc.pageSize=2",
    }
}

/// What a client saw.
#[derive(Debug)]
pub(crate) enum Seen {
    /// The connection failed before any status arrived.
    NoStatus(reqwest::Error),
    /// A status and headers arrived, then reading the body failed.
    BrokenBody {
        status: StatusCode,
        headers: HeaderMap,
        error: reqwest::Error,
    },
    /// A whole answer.
    Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: String,
    },
}

impl Seen {
    /// The status, when one arrived.
    pub(crate) fn status(&self) -> Option<StatusCode> {
        match self {
            Seen::NoStatus(_) => None,
            Seen::BrokenBody { status, .. } | Seen::Answer { status, .. } => Some(*status),
        }
    }

    /// The whole answer's status, headers and body as JSON; panics on anything else.
    pub(crate) fn answer(&self) -> (StatusCode, &HeaderMap, Value) {
        match self {
            Seen::Answer {
                status,
                headers,
                body,
            } => (
                *status,
                headers,
                serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.clone())),
            ),
            other => panic!("expected a whole answer, saw {other:?}"),
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        match self {
            Seen::NoStatus(_) => None,
            Seen::BrokenBody { headers, .. } | Seen::Answer { headers, .. } => headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

/// A running emulator, a client, and how to authenticate.
pub(crate) struct Emulator {
    pub(crate) system: SystemKind,
    pub(crate) running: RunningEmulator,
    pub(crate) client: reqwest::Client,
    /// A NetSuite OAuth 2.0 bearer token, once [`Emulator::netsuite_bearer`] fetched one.
    pub(crate) bearer: Option<String>,
}

pub(crate) async fn start(system: SystemKind) -> Emulator {
    start_with(system, 7, None).await.expect("serve")
}

pub(crate) async fn start_with(
    system: SystemKind,
    seed: u64,
    faults: Option<FaultPlan>,
) -> Result<Emulator, mw_mocks::MockError> {
    // reqwest is compiled with `rustls-no-provider`: a provider must exist before a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = serve(
        EmulatorOptions {
            system,
            profile: Profile::builtin("tiny").expect("tiny"),
            seed,
            faults,
        },
        listener,
    )
    .await?;
    Ok(Emulator {
        system,
        running,
        client: reqwest::Client::builder().build().expect("client"),
        bearer: None,
    })
}

/// Reads an answer to the end, keeping what a client can tell apart.
pub(crate) async fn seen(result: Result<reqwest::Response, reqwest::Error>) -> Seen {
    let response = match result {
        Ok(response) => response,
        Err(error) => return Seen::NoStatus(error),
    };
    let status = response.status();
    let headers = response.headers().clone();
    match response.text().await {
        Ok(body) => Seen::Answer {
            status,
            headers,
            body,
        },
        Err(error) => Seen::BrokenBody {
            status,
            headers,
            error,
        },
    }
}

impl Emulator {
    pub(crate) fn credential(&self, name: &str) -> String {
        self.running.credentials[name]
            .as_str()
            .expect(name)
            .to_owned()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }

    /// A request with the system's simplest credentials (SAP Basic, Maximo API key, NetSuite
    /// bearer token when one was fetched).
    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match self.system {
            SystemKind::Sap => builder
                .basic_auth(
                    self.credential("username"),
                    Some(self.credential("password")),
                )
                .header("Accept", "application/json"),
            SystemKind::Maximo => builder.header("apikey", self.credential("apikey")),
            SystemKind::NetSuite => match &self.bearer {
                Some(token) => builder.bearer_auth(token),
                None => builder,
            },
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Seen {
        seen(self.request(Method::GET, path).send().await).await
    }

    /// A GET of a data page.
    pub(crate) async fn page(&self) -> Seen {
        self.get(page_path(self.system)).await
    }

    pub(crate) fn admin_url(&self, path: &str) -> String {
        format!("{}{path}", self.running.admin_url)
    }

    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(self.admin_url(path))
            .send()
            .await
            .expect("admin");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    /// `PUT /__admin/faults` with a JSON body.
    pub(crate) async fn set_faults(&self, plan: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .put(self.admin_url("/faults"))
            .json(&plan)
            .send()
            .await
            .expect("admin");
        (response.status(), response.json().await.expect("json"))
    }

    /// `PUT /__admin/faults` with a TOML body.
    pub(crate) async fn set_faults_toml(&self, toml: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .put(self.admin_url("/faults"))
            .header("content-type", "application/toml")
            .body(toml.to_owned())
            .send()
            .await
            .expect("admin");
        (response.status(), response.json().await.expect("json"))
    }

    /// Installs a one-rule plan (the rule's JSON form); panics when it is refused.
    pub(crate) async fn install(&self, rule: Value) {
        let (status, body) = self.set_faults(json!({ "rule": [rule] })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    pub(crate) async fn faults(&self) -> Value {
        self.admin_get("/faults").await
    }

    /// `(matched, fired)` of the rule at `index`.
    pub(crate) async fn counters(&self, index: usize) -> (u64, u64) {
        let faults = self.faults().await;
        let rule = &faults["rules"][index];
        (
            rule["matched"].as_u64().expect("matched"),
            rule["fired"].as_u64().expect("fired"),
        )
    }

    pub(crate) async fn journal(&self) -> Vec<Value> {
        self.admin_get("/journal").await["entries"]
            .as_array()
            .expect("entries")
            .clone()
    }

    /// The virtual clock.
    pub(crate) async fn now(&self) -> DateTime<Utc> {
        let now = self.admin_get("/clock").await;
        DateTime::parse_from_rfc3339(now["now"].as_str().expect("now"))
            .expect("rfc 3339")
            .with_timezone(&Utc)
    }

    /// Fetches a NetSuite OAuth 2.0 (M2M) bearer token; later requests carry it.
    pub(crate) async fn netsuite_bearer(&mut self) {
        const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";
        let header =
            json!({"alg": "ES256", "typ": "JWT", "kid": self.credential("certificate_id")});
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("after 1970")
                .as_secs(),
        )
        .expect("fits");
        let claims = json!({"iss": self.credential("client_id"), "scope": ["rest_webservices"],
            "aud": self.url(TOKEN_PATH), "iat": now, "exp": now + 1800});
        let pem = self.credential("private_key");
        let der = STANDARD
            .decode(
                pem.lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .expect("PEM");
        let rng = ring::rand::SystemRandom::new();
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &der,
            &rng,
        )
        .expect("key");
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = key.sign(&rng, input.as_bytes()).expect("sign");
        let assertion = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()));
        let form = format!(
            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
        );
        let answer: Value = self
            .client
            .post(self.url(TOKEN_PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token json");
        self.bearer = Some(
            answer["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("no token: {answer}"))
                .to_owned(),
        );
    }
}

/// Parses an IMF-fixdate (`Mon, 02 Mar 2026 08:00:00 GMT`).
pub(crate) fn http_date(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc2822(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

/// A client that gives up after `timeout`.
pub(crate) fn impatient_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("client")
}
