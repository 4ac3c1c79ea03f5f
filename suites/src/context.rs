//! What a check works with ([`Ctx`]) and how it ends ([`Outcome`]).
//!
//! Checks are written as `Result<(), Outcome>` functions: `?` ends a check early with a failure
//! (always with evidence) or a skip (always with the missing capability as its reason).

use mw_harness::truth::{Diff, compare};
use mw_harness::{Exchange, Harness, HarnessError, TruthRecord};
use mw_model::Entity;
use mw_reports::Evidence;
use serde_json::{Value, json};

pub enum Outcome {
    Passed(Vec<String>),
    Failed {
        reason: String,
        evidence: Box<Evidence>,
    },
    Skipped(String),
}

impl Outcome {
    pub fn failed(reason: impl Into<String>, evidence: Evidence) -> Outcome {
        Outcome::Failed {
            reason: reason.into(),
            evidence: Box::new(evidence),
        }
    }

    /// A failure shown with the exchange that revealed it.
    pub fn failed_at(reason: impl Into<String>, exchange: &Exchange) -> Outcome {
        Outcome::failed(reason, evidence_of(exchange))
    }
}

impl From<HarnessError> for Outcome {
    fn from(e: HarnessError) -> Outcome {
        Outcome::failed(
            format!("the run could not proceed: {e}"),
            Evidence {
                notes: vec![e.to_string()],
                ..Evidence::default()
            },
        )
    }
}

pub fn evidence_of(exchange: &Exchange) -> Evidence {
    Evidence {
        request: Some(exchange.request_line()),
        response_excerpt: Some(exchange.response_excerpt(2000)),
        diff: None,
        notes: vec![],
    }
}

pub type Step<T = ()> = Result<T, Outcome>;

/// A check's working state: a fresh harness, the entity of a per-entity check, and notes that end
/// up in the report beside the verdict.
pub struct Ctx {
    pub h: Harness,
    pub entity: Option<Entity>,
    notes: Vec<String>,
}

impl Ctx {
    pub fn new(h: Harness, entity: Option<Entity>) -> Ctx {
        Ctx {
            h,
            entity,
            notes: vec![],
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub(crate) fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    pub fn system(&self) -> &str {
        &self.h.options.system
    }

    /// The entity of a per-entity check.
    pub fn entity(&self) -> Entity {
        self.entity.unwrap_or(Entity::PurchaseOrders)
    }

    /// Connects the emulated system with its valid credentials and `settings`; the connection id.
    pub async fn connect(&mut self, settings: Value) -> Step<String> {
        let ex = self
            .h
            .api
            .create_connection(
                self.system(),
                self.h.emulator_base_url(),
                &self.h.credentials(),
                settings,
            )
            .await?;
        expect_status(&ex, 201, "connecting with valid credentials")?;
        match ex.body.get("id").and_then(Value::as_str) {
            Some(id) => Ok(id.to_owned()),
            None => Err(Outcome::failed_at("the created connection has no id", &ex)),
        }
    }

    /// Connects with the system's OAuth 2.0 client credentials (bearer tokens that expire);
    /// SKIPPED where the system or its manifest has none.
    pub async fn connect_oauth2(&mut self, settings: Value) -> Step<String> {
        let creds = self.h.credentials();
        let Some(oauth) = crate::systems::oauth2_credentials(self.system(), &creds) else {
            return Err(Outcome::Skipped(
                crate::systems::no_expiring_tokens(self.system()).into(),
            ));
        };
        let ex = self
            .h
            .api
            .create_connection(self.system(), self.h.emulator_base_url(), &oauth, settings)
            .await?;
        expect_status(&ex, 201, "connecting with OAuth2 client credentials")?;
        match ex.body.get("id").and_then(Value::as_str) {
            Some(id) => Ok(id.to_owned()),
            None => Err(Outcome::failed_at("the created connection has no id", &ex)),
        }
    }

    /// Starts a sync of `entity` without waiting for it; the job's id.
    pub async fn start_sync(&self, connection: &str, entity: Entity) -> Step<String> {
        let start = self
            .h
            .api
            .post(
                &format!("/v1/connections/{connection}/syncs"),
                &json!({"entities": [entity]}),
            )
            .await?;
        expect_status(&start, 202, "starting a sync")?;
        match start.body.get("id").and_then(Value::as_str) {
            Some(id) => Ok(id.to_owned()),
            None => Err(Outcome::failed_at("the started sync has no id", &start)),
        }
    }

    /// The connection's capabilities document.
    pub async fn capabilities(&self, connection: &str) -> Step<Value> {
        let ex = self
            .h
            .api
            .get(&format!("/v1/connections/{connection}/capabilities"))
            .await?;
        expect_status(&ex, 200, "reading capabilities")?;
        Ok(ex.body)
    }

    /// Skips the check unless the capabilities say `entity` can be read (and, when given, that
    /// `operation` is offered).
    pub async fn require(&self, connection: &str, entity: Entity, operation: Option<&str>) -> Step {
        let caps = self.capabilities(connection).await?;
        let entry = caps["entities"]
            .as_array()
            .and_then(|all| all.iter().find(|e| e["entity"] == entity.as_str()));
        let readable = entry.is_some_and(|e| e["read"] == true);
        if !readable {
            let why = entry
                .and_then(|e| e["note"].as_str())
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            return Err(Outcome::Skipped(format!(
                "the connector does not read {entity}{why}"
            )));
        }
        if let Some(op) = operation {
            let offered = entry
                .and_then(|e| e["operations"].as_array())
                .is_some_and(|ops| ops.iter().any(|o| o == op));
            if !offered {
                return Err(Outcome::Skipped(format!(
                    "the connector offers no `{op}` on {entity}"
                )));
            }
        }
        Ok(())
    }

    /// Runs a sync and expects it to succeed; returns the final job.
    pub async fn sync(&self, connection: &str, body: Value) -> Step<Value> {
        let (start, job) = self.h.api.sync(connection, body).await?;
        expect_status(&start, 202, "starting a sync")?;
        if job.body["state"] != "succeeded" {
            return Err(Outcome::failed_at("the sync did not succeed", &job));
        }
        Ok(job.body)
    }

    /// Every record of `entity` the API serves for the connection.
    pub async fn served(&self, connection: &str, entity: Entity) -> Step<Vec<Value>> {
        match self
            .h
            .api
            .list_all(connection, entity.as_str(), 500, None)
            .await?
        {
            Ok(records) => Ok(records),
            Err(ex) => Err(Outcome::failed_at("listing records failed", &ex)),
        }
    }

    /// The emulator's truth for `entity` changed at or after `since`.
    pub async fn truth(
        &self,
        entity: Entity,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Step<Vec<TruthRecord>> {
        Ok(self
            .h
            .admin
            .truth(entity.as_str(), since, None)
            .await?
            .records)
    }

    /// Passes when `served` is exactly `truth`; otherwise fails with the diff.
    pub fn expect_exact(&mut self, what: &str, served: &[Value], truth: &[TruthRecord]) -> Step {
        let diff: Diff = compare(served, truth);
        if diff.is_exact() {
            self.note(format!("{what}: {} records, exact", truth.len()));
            Ok(())
        } else {
            Err(Outcome::failed(
                format!("{what} is not exact"),
                Evidence {
                    diff: Some(diff.describe(truth.len(), served.len())),
                    ..Evidence::default()
                },
            ))
        }
    }
}

/// Fails unless the exchange has `status`.
pub fn expect_status(ex: &Exchange, status: u16, doing: &str) -> Step {
    if ex.status == status {
        Ok(())
    } else {
        Err(Outcome::failed_at(
            format!("{doing}: expected HTTP {status}, got {}", ex.status),
            ex,
        ))
    }
}

/// Fails unless the exchange is a problem+json with `status` and `code`.
pub fn expect_problem(ex: &Exchange, status: u16, code: &str, doing: &str) -> Step {
    let is_problem = ex.content_type.starts_with("application/problem+json");
    if ex.status == status && ex.code() == Some(code) && is_problem {
        Ok(())
    } else {
        Err(Outcome::failed_at(
            format!(
                "{doing}: expected problem+json {status} `{code}`, got HTTP {} `{}` ({})",
                ex.status,
                ex.code().unwrap_or("-"),
                ex.content_type
            ),
            ex,
        ))
    }
}

/// Fails with `reason` unless `ok`.
pub fn ensure(ok: bool, reason: impl Into<String>, evidence: impl FnOnce() -> Evidence) -> Step {
    if ok {
        Ok(())
    } else {
        Err(Outcome::failed(reason, evidence()))
    }
}

/// The default settings checks connect with.
pub fn default_settings() -> Value {
    json!({"initial_lookback_days": 30})
}
