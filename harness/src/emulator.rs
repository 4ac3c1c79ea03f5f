//! The emulator's admin API: virtual clock, churn, ground truth, native records, request journal.

use crate::{HarnessError, REQUEST_TIMEOUT};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

/// What a correct sync must hold for one entity, in the system's own terms.
#[derive(Clone, Debug, Deserialize)]
pub struct GroundTruth {
    pub system: String,
    pub entity: String,
    /// The emulator's clock when the truth was taken.
    pub now: DateTime<Utc>,
    pub count: usize,
    pub digest: String,
    pub records: Vec<TruthRecord>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TruthRecord {
    pub id: String,
    /// The source's change stamp; `None` for entities the source does not stamp (stock).
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
    /// Native values a check compares beyond the stamp (a stock row's quantity), in the system's
    /// own field names and formats.
    #[serde(default)]
    pub values: serde_json::Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Churn {
    pub at: DateTime<Utc>,
    pub changed: Vec<String>,
    pub created: Vec<String>,
    /// Records that vanished (stock rows used up), for entities read as snapshots.
    #[serde(default)]
    pub deleted: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    /// `None` when the client left before an answer was sent.
    pub status: Option<u16>,
}

impl JournalEntry {
    /// Whether the request could change the source. NetSuite's SuiteQL queries are POSTs that
    /// only read.
    pub fn is_write(&self) -> bool {
        let reads_by_post = self.method == "POST" && self.path.ends_with("/query/v1/suiteql");
        !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS") && !reads_by_post
    }
}

#[derive(Clone)]
pub struct AdminClient {
    base: String,
    http: reqwest::Client,
}

impl AdminClient {
    pub fn new(admin_url: &str) -> Result<AdminClient, HarnessError> {
        mw_connectors::http::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| HarnessError::Unexpected(e.to_string()))?;
        Ok(AdminClient {
            base: admin_url.trim_end_matches('/').to_owned(),
            http,
        })
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, HarnessError> {
        let url = format!("{}{path}", self.base);
        let err = |detail: String| HarnessError::Http {
            method: method.to_string(),
            url: url.clone(),
            detail,
        };
        let mut req = self.http.request(method.clone(), &url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| err(e.to_string()))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| err(e.to_string()))?;
        if !status.is_success() {
            return Err(err(format!("HTTP {status}: {text}")));
        }
        serde_json::from_str(&text).map_err(|e| err(format!("unreadable answer ({e}): {text}")))
    }

    /// The emulator's virtual clock.
    pub async fn now(&self) -> Result<DateTime<Utc>, HarnessError> {
        #[derive(Deserialize)]
        struct Clock {
            now: DateTime<Utc>,
        }
        let c: Clock = self.call(reqwest::Method::GET, "/clock", None).await?;
        Ok(c.now)
    }

    pub async fn advance(&self, seconds: u64) -> Result<DateTime<Utc>, HarnessError> {
        #[derive(Deserialize)]
        struct Clock {
            now: DateTime<Utc>,
        }
        let c: Clock = self
            .call(
                reqwest::Method::POST,
                "/clock",
                Some(json!({"advance_seconds": seconds})),
            )
            .await?;
        Ok(c.now)
    }

    /// Changes `changed` records and creates `created` ones, now.
    pub async fn churn(
        &self,
        entity: &str,
        changed: usize,
        created: usize,
    ) -> Result<Churn, HarnessError> {
        self.call(
            reqwest::Method::POST,
            "/churn",
            Some(json!({"entity": entity, "changed": changed, "created": created})),
        )
        .await
    }

    /// Like [`AdminClient::churn`], and `deleted` records vanish (snapshot entities).
    pub async fn churn_with_deletions(
        &self,
        entity: &str,
        changed: usize,
        created: usize,
        deleted: usize,
    ) -> Result<Churn, HarnessError> {
        self.call(
            reqwest::Method::POST,
            "/churn",
            Some(json!({"entity": entity, "changed": changed, "created": created, "deleted": deleted})),
        )
        .await
    }

    /// Ids and change stamps of `entity`'s records changed within [since, until] (both optional,
    /// both inclusive).
    pub async fn truth(
        &self,
        entity: &str,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<GroundTruth, HarnessError> {
        let mut query = Vec::new();
        if let Some(s) = since {
            query.push(format!(
                "changed_since={}",
                crate::api::urlencode(&s.to_rfc3339())
            ));
        }
        if let Some(u) = until {
            query.push(format!(
                "changed_until={}",
                crate::api::urlencode(&u.to_rfc3339())
            ));
        }
        let path = if query.is_empty() {
            format!("/truth/{entity}")
        } else {
            format!("/truth/{entity}?{}", query.join("&"))
        };
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// A record as the system holds it, in its own field names and formats.
    pub async fn record(&self, entity: &str, id: &str) -> Result<Value, HarnessError> {
        self.call(
            reqwest::Method::GET,
            &format!("/records/{entity}/{}", crate::api::urlencode(id)),
            None,
        )
        .await
    }

    /// Revokes the manifest's main credentials, as the system's administrator would.
    pub async fn revoke_credentials(&self) -> Result<Value, HarnessError> {
        self.call(
            reqwest::Method::POST,
            "/credentials/revoke",
            Some(json!({})),
        )
        .await
    }

    /// Makes revoked credentials valid again.
    pub async fn restore_credentials(&self) -> Result<Value, HarnessError> {
        self.call(
            reqwest::Method::POST,
            "/credentials/restore",
            Some(json!({})),
        )
        .await
    }

    /// A system's own admin setting (`/governance` of NetSuite's account concurrency limit), as
    /// it stands.
    pub async fn setting(&self, path: &str) -> Result<Value, HarnessError> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Changes a system's own admin setting; the setting as it now stands.
    pub async fn set(&self, path: &str, body: Value) -> Result<Value, HarnessError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// Requests the emulator received after journal entry `since_seq`.
    pub async fn journal(&self, since_seq: u64) -> Result<Vec<JournalEntry>, HarnessError> {
        #[derive(Deserialize)]
        struct Journal {
            entries: Vec<JournalEntry>,
        }
        let j: Journal = self
            .call(
                reqwest::Method::GET,
                &format!("/journal?since_seq={since_seq}"),
                None,
            )
            .await?;
        Ok(j.entries)
    }

    /// Installs a fault plan in its JSON form (`{"seed"?, "rule": [{…}]}`, the shape of
    /// `fixtures/faults/*.toml`); counters start at zero. Answers the plan as installed.
    pub async fn set_faults(&self, plan: Value) -> Result<Value, HarnessError> {
        self.call(reqwest::Method::PUT, "/faults", Some(plan)).await
    }

    /// Installs one of the built-in fault plans (`fixtures/faults/NAME.toml`).
    pub async fn set_fault_plan(&self, name: &str) -> Result<Value, HarnessError> {
        self.call(
            reqwest::Method::PUT,
            "/faults",
            Some(json!({ "plan": name })),
        )
        .await
    }

    /// Removes the fault plan: nothing is faulted any more.
    pub async fn clear_faults(&self) -> Result<Value, HarnessError> {
        self.call(reqwest::Method::DELETE, "/faults", None).await
    }

    /// The installed fault plan with each rule's `matched` and `fired` counters.
    pub async fn faults(&self) -> Result<Value, HarnessError> {
        self.call(reqwest::Method::GET, "/faults", None).await
    }

    /// The sequence number of the newest journal entry (0 when empty).
    pub async fn journal_mark(&self) -> Result<u64, HarnessError> {
        Ok(self.journal(0).await?.last().map_or(0, |e| e.seq))
    }
}
