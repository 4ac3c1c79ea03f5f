//! The admin API under `/__admin`, shared by every emulator.
//!
//! Clock and journal are common; ground truth, native records and churn depend on the system
//! and are answered through [`SystemAdmin`]. Entity names are the unified API's
//! (`purchase-orders`, `vendors`); ids and timestamps are the system's own, never mapped. No
//! authentication: the harness is the only client. Errors are `{"error":"…"}` with 400 or 404.
//!
//! Fault plans (`/faults`): `GET` lists the plan and each rule's `matched`/`fired` counters;
//! `PUT` (or `POST`) replaces it with a plan in TOML (`Content-Type: application/toml` or
//! `text/*`) or JSON (the same shape), or with `{"plan":"NAME"}` (a built-in plan of
//! `fixtures/faults/`, optionally with `"seed"`); `DELETE` removes it. A refused plan leaves the
//! installed one as it was.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value as JsonValue, json};
use sha2::{Digest as _, Sha256};

use crate::clock::format_instant;
use crate::faults::{self, FaultPlan};
use crate::server::Core;
use crate::{MockError, SystemKind};

/// A refusal from the admin API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AdminError {
    BadRequest(String),
    NotFound(String),
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AdminError::BadRequest(message) => (StatusCode::BAD_REQUEST, message),
            AdminError::NotFound(message) => (StatusCode::NOT_FOUND, message),
        };
        (status, axum::Json(json!({ "error": message }))).into_response()
    }
}

/// The inclusive window of a ground-truth request.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TruthWindow {
    pub(crate) changed_since: Option<DateTime<Utc>>,
    pub(crate) changed_until: Option<DateTime<Utc>>,
}

impl TruthWindow {
    pub(crate) fn contains(&self, at: DateTime<Utc>) -> bool {
        self.changed_since.is_none_or(|since| at >= since)
            && self.changed_until.is_none_or(|until| at <= until)
    }
}

/// One record of ground truth: the system's id and its last change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TruthRecord {
    pub(crate) id: String,
    pub(crate) changed_at: DateTime<Utc>,
}

/// Ground truth of one entity.
#[derive(Clone, Debug)]
pub(crate) struct Truth {
    /// The native collection the entity maps to (`A_PurchaseOrder`).
    pub(crate) entity_set: String,
    /// Sorted by id.
    pub(crate) records: Vec<TruthRecord>,
}

/// What a churn call did.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChurnOutcome {
    pub(crate) changed: Vec<String>,
    pub(crate) created: Vec<String>,
}

/// Ground truth of an entity the source does not stamp (stock): every record with the native
/// values a check compares, and no `changed_at`.
#[derive(Clone, Debug)]
pub(crate) struct SnapshotTruth {
    pub(crate) entity_set: String,
    /// Sorted by id.
    pub(crate) records: Vec<SnapshotRecord>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SnapshotRecord {
    pub(crate) id: String,
    pub(crate) values: serde_json::Map<String, JsonValue>,
}

/// The system-specific half of the admin API.
pub(crate) trait SystemAdmin: Send + Sync {
    fn system(&self) -> SystemKind;
    fn entities(&self) -> Vec<&'static str>;
    fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError>;
    fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError>;
    fn churn(&self, entity: &str, changed: u64, created: u64) -> Result<ChurnOutcome, AdminError>;
    /// The truth of an entity read as a snapshot, or `None` for entities with change stamps.
    fn snapshot_truth(&self, entity: &str) -> Option<Result<SnapshotTruth, AdminError>> {
        let _ = entity;
        None
    }
    /// Churn where `deleted` records also vanish; returns the outcome and the vanished ids.
    /// Only snapshot entities can lose records this way; the others refuse `deleted`.
    fn churn_with_deletions(
        &self,
        entity: &str,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<(ChurnOutcome, Vec<String>), AdminError> {
        if deleted > 0 {
            return Err(AdminError::BadRequest(format!(
                "deleted applies only to entities read as snapshots; {entity:?} records are \
                 changed or created, never removed by churn"
            )));
        }
        Ok((self.churn(entity, changed, created)?, Vec::new()))
    }
    /// Revokes the manifest's main credentials (user, OAuth client, API key) as the system's
    /// administrator would; returns what was revoked.
    fn revoke_credentials(&self) -> Vec<String>;
    /// Makes every revoked credential valid again; returns what was restored.
    fn restore_credentials(&self) -> Vec<String>;
    /// The system's own error answer with `status` (a fault plan's `status` and `rate_limit`
    /// rules), rendered by its usual error code; `uri` is the faulted request's, for what the
    /// system stamps on errors (SAP's service, Maximo's lean form).
    fn fault_response(&self, uri: &Uri, status: StatusCode, message: &str) -> Response;
    /// Ends the short-lived credentials (sessions, CSRF tokens, bearer tokens) as if their
    /// lifetime had run out (a fault plan's `expire_tokens`); long-lived ones (passwords, API
    /// keys, TBA tokens) stay. Returns what ended.
    fn expire_sessions(&self) -> Vec<String>;
    /// Admin endpoints only this system has (NetSuite's `/governance`), mounted beside the
    /// common ones under `/__admin`; they must not set a fallback.
    fn extra_routes(&self) -> Option<Router> {
        None
    }
    /// The extra endpoints as the index lists them (`"POST /__admin/governance"`).
    fn extra_endpoints(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

#[derive(Clone)]
struct AdminState {
    core: Arc<Core>,
    system: Arc<dyn SystemAdmin>,
}

/// The router mounted at `/__admin`.
pub(crate) fn router(core: Arc<Core>, system: Arc<dyn SystemAdmin>) -> Router {
    let extra = system.extra_routes();
    let common = Router::new()
        .route("/", get(index))
        .route("/clock", get(get_clock).post(set_clock))
        .route("/churn", axum::routing::post(churn))
        .route("/truth/{entity}", get(truth))
        .route("/records/{entity}/{id}", get(record))
        .route("/journal", get(journal).delete(clear_journal))
        .route(
            "/faults",
            get(get_faults)
                .put(set_faults)
                .post(set_faults)
                .delete(clear_faults),
        )
        .route(
            "/credentials/revoke",
            axum::routing::post(revoke_credentials),
        )
        .route(
            "/credentials/restore",
            axum::routing::post(restore_credentials),
        )
        .fallback(|| async { AdminError::NotFound(String::from("no such admin endpoint")) })
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                axum::Json(json!({ "error": "method not allowed on this admin endpoint" })),
            )
        })
        .with_state(AdminState { core, system });
    match extra {
        Some(extra) => common.merge(extra),
        None => common,
    }
}

/// RFC 3339 with milliseconds and `Z`, the form of every `changed_at`.
pub(crate) fn format_millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_body(bytes: &Bytes) -> Result<serde_json::Map<String, JsonValue>, AdminError> {
    match serde_json::from_slice::<JsonValue>(bytes) {
        Ok(JsonValue::Object(map)) => Ok(map),
        Ok(_) => Err(AdminError::BadRequest(String::from(
            "the body must be a JSON object",
        ))),
        Err(error) => Err(AdminError::BadRequest(format!(
            "malformed JSON body: {error}"
        ))),
    }
}

fn parse_instant(name: &str, text: &str) -> Result<DateTime<Utc>, AdminError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| {
            AdminError::BadRequest(format!("{name} must be RFC 3339 ({error}): {text:?}"))
        })
}

fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, AdminError> {
    let mut pairs = Vec::new();
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        // `+` stays a plus: RFC 3339 offsets (`+01:00`) are the only place it appears here.
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .map(|t| t.into_owned())
                .map_err(|_| AdminError::BadRequest(format!("malformed query component {text:?}")))
        };
        pairs.push((decode(name)?, decode(value)?));
    }
    Ok(pairs)
}

async fn index(State(state): State<AdminState>) -> Response {
    let mut endpoints: Vec<&str> = vec![
        "GET /__admin/clock",
        "POST /__admin/clock",
        "POST /__admin/churn",
        "GET /__admin/truth/{entity}",
        "GET /__admin/records/{entity}/{id}",
        "GET /__admin/journal",
        "DELETE /__admin/journal",
        "GET /__admin/faults",
        "PUT /__admin/faults",
        "POST /__admin/faults",
        "DELETE /__admin/faults",
        "POST /__admin/credentials/revoke",
        "POST /__admin/credentials/restore",
    ];
    endpoints.extend(state.system.extra_endpoints());
    axum::Json(json!({
        "system": state.system.system().as_str(),
        "now": format_instant(state.core.clock.now()),
        "entities": state.system.entities(),
        "endpoints": endpoints,
    }))
    .into_response()
}

async fn get_clock(State(state): State<AdminState>) -> Response {
    axum::Json(json!({ "now": format_instant(state.core.clock.now()) })).into_response()
}

async fn set_clock(State(state): State<AdminState>, body: Bytes) -> Result<Response, AdminError> {
    let map = parse_body(&body)?;
    let advance = map.get("advance_seconds");
    let set = map.get("set");
    if let Some(unknown) = map.keys().find(|k| *k != "advance_seconds" && *k != "set") {
        return Err(AdminError::BadRequest(format!("unknown field {unknown:?}")));
    }
    let result = match (advance, set) {
        (Some(seconds), None) => {
            let seconds = seconds.as_u64().ok_or_else(|| {
                AdminError::BadRequest(String::from(
                    "advance_seconds must be a non-negative integer",
                ))
            })?;
            state.core.clock.advance(seconds)
        }
        (None, Some(JsonValue::String(text))) => {
            let at = parse_instant("set", text)?;
            state.core.clock.set(at)
        }
        (None, Some(_)) => {
            return Err(AdminError::BadRequest(String::from(
                "set must be an RFC 3339 string",
            )));
        }
        _ => {
            return Err(AdminError::BadRequest(String::from(
                "give exactly one of advance_seconds or set",
            )));
        }
    };
    let now = result.map_err(|refusal| AdminError::BadRequest(refusal.to_string()))?;
    Ok(axum::Json(json!({ "now": format_instant(now) })).into_response())
}

async fn churn(State(state): State<AdminState>, body: Bytes) -> Result<Response, AdminError> {
    let map = parse_body(&body)?;
    if let Some(unknown) = map
        .keys()
        .find(|k| !["entity", "changed", "created", "deleted"].contains(&k.as_str()))
    {
        return Err(AdminError::BadRequest(format!("unknown field {unknown:?}")));
    }
    let entity = map
        .get("entity")
        .and_then(JsonValue::as_str)
        .ok_or_else(|| AdminError::BadRequest(String::from("entity must be a string")))?;
    let count = |name: &str| -> Result<u64, AdminError> {
        match map.get(name) {
            None => Ok(0),
            Some(value) => value.as_u64().ok_or_else(|| {
                AdminError::BadRequest(format!("{name} must be a non-negative integer"))
            }),
        }
    };
    let (changed, created, deleted) = (count("changed")?, count("created")?, count("deleted")?);
    let at = state.core.clock.now();
    let (outcome, vanished) = state
        .system
        .churn_with_deletions(entity, changed, created, deleted)?;
    Ok(axum::Json(json!({
        "at": format_instant(at),
        "changed": outcome.changed,
        "created": outcome.created,
        "deleted": vanished,
    }))
    .into_response())
}

async fn truth(
    State(state): State<AdminState>,
    Path(entity): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    let mut window = TruthWindow::default();
    for (name, value) in query_pairs(query.as_deref())? {
        match name.as_str() {
            "changed_since" => window.changed_since = Some(parse_instant(&name, &value)?),
            "changed_until" => window.changed_until = Some(parse_instant(&name, &value)?),
            other => {
                return Err(AdminError::BadRequest(format!(
                    "unknown parameter {other:?}"
                )));
            }
        }
    }
    if let Some(snapshot) = state.system.snapshot_truth(&entity) {
        // No change stamps: the window cannot select anything, so the whole snapshot is the truth.
        let snapshot = snapshot?;
        let mut hasher = Sha256::new();
        let mut records = Vec::with_capacity(snapshot.records.len());
        for record in &snapshot.records {
            let values = JsonValue::Object(record.values.clone());
            hasher.update(format!("{}\t{values}\n", record.id).as_bytes());
            records.push(json!({ "id": record.id, "changed_at": null, "values": values }));
        }
        let digest: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        return Ok(axum::Json(json!({
            "system": state.system.system().as_str(),
            "entity": entity,
            "entity_set": snapshot.entity_set,
            "now": format_instant(state.core.clock.now()),
            "count": records.len(),
            "digest": digest,
            "records": records,
        }))
        .into_response());
    }
    let truth = state.system.truth(&entity, window)?;
    let mut hasher = Sha256::new();
    let mut records = Vec::with_capacity(truth.records.len());
    for record in &truth.records {
        let changed_at = format_millis(record.changed_at);
        hasher.update(format!("{}\t{changed_at}\n", record.id).as_bytes());
        records.push(json!({ "id": record.id, "changed_at": changed_at }));
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(axum::Json(json!({
        "system": state.system.system().as_str(),
        "entity": entity,
        "entity_set": truth.entity_set,
        "now": format_instant(state.core.clock.now()),
        "count": records.len(),
        "digest": digest,
        "records": records,
    }))
    .into_response())
}

async fn record(
    State(state): State<AdminState>,
    Path((entity, id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    Ok(axum::Json(state.system.record(&entity, &id)?).into_response())
}

async fn journal(
    State(state): State<AdminState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    let mut since = 0;
    for (name, value) in query_pairs(query.as_deref())? {
        match name.as_str() {
            "since_seq" => {
                since = value.parse().map_err(|_| {
                    AdminError::BadRequest(String::from("since_seq must be a non-negative integer"))
                })?;
            }
            other => {
                return Err(AdminError::BadRequest(format!(
                    "unknown parameter {other:?}"
                )));
            }
        }
    }
    Ok(axum::Json(json!({ "entries": state.core.journal.since(since) })).into_response())
}

async fn revoke_credentials(State(state): State<AdminState>) -> Response {
    let revoked = state.system.revoke_credentials();
    axum::Json(json!({ "revoked": revoked })).into_response()
}

async fn restore_credentials(State(state): State<AdminState>) -> Response {
    let restored = state.system.restore_credentials();
    axum::Json(json!({ "restored": restored })).into_response()
}

async fn clear_journal(State(state): State<AdminState>) -> Response {
    axum::Json(json!({ "cleared": state.core.journal.clear() })).into_response()
}

async fn get_faults(State(state): State<AdminState>) -> Response {
    axum::Json(state.core.faults.describe(state.core.seed)).into_response()
}

/// Reads a plan from an admin body: `{"plan":"NAME"}` (with an optional `seed`), a JSON plan, or
/// a TOML plan. TOML when the content type says so (`application/toml`, `text/*`), JSON when it
/// says JSON, otherwise by the first character.
fn plan_from_body(headers: &HeaderMap, body: &Bytes) -> Result<FaultPlan, AdminError> {
    let invalid = |error: MockError| AdminError::BadRequest(error.to_string());
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let text = std::str::from_utf8(body)
        .map_err(|_| AdminError::BadRequest(String::from("the body must be UTF-8")))?;
    let is_toml = content_type.contains("toml") || content_type.starts_with("text/");
    let is_json = content_type.contains("json");
    if is_toml || (!is_json && !text.trim_start().starts_with('{')) {
        return FaultPlan::from_toml(text).map_err(invalid);
    }
    let map = parse_body(body)?;
    if !map.contains_key("plan") {
        return FaultPlan::from_json(&JsonValue::Object(map)).map_err(invalid);
    }
    if let Some(unknown) = map.keys().find(|key| *key != "plan" && *key != "seed") {
        return Err(AdminError::BadRequest(format!(
            "unknown field {unknown:?} beside plan (give a built-in plan's name, or rules)"
        )));
    }
    let name = map.get("plan").and_then(JsonValue::as_str).ok_or_else(|| {
        AdminError::BadRequest(String::from("plan must be the name of a built-in plan"))
    })?;
    let mut plan = FaultPlan::builtin(name).map_err(invalid)?;
    if let Some(seed) = map.get("seed") {
        plan.seed = Some(seed.as_u64().ok_or_else(|| {
            AdminError::BadRequest(String::from("seed must be a non-negative integer"))
        })?);
    }
    Ok(plan)
}

async fn set_faults(
    State(state): State<AdminState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AdminError> {
    let plan = plan_from_body(&headers, &body)?;
    faults::check_plan(&plan, state.system.system(), &state.system.entities())
        .map_err(|reason| AdminError::BadRequest(format!("invalid fault plan: {reason}")))?;
    Ok(axum::Json(state.core.faults.install(plan, state.core.seed)).into_response())
}

async fn clear_faults(State(state): State<AdminState>) -> Response {
    // Answers like GET (no plan now), plus what was removed.
    let (cleared, removed) = state.core.faults.clear();
    axum::Json(json!({
        "cleared": cleared,
        "removed": removed,
        "plan": null,
        "seed": state.core.seed,
        "rules": [],
    }))
    .into_response()
}
