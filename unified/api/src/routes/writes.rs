//! Writes through to the source system: create, update, delete and status changes. Each is
//! refused before anything is sent when the connection's capabilities lack it, goes to the source,
//! and only then reaches the store.
//!
//! With an `Idempotency-Key` header a write is performed once: the same key with the same request
//! replays the first answer, the same key with another request is refused with 422.

use super::records::{parse_entity, readable};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, RawJson, parse_json};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mw_connectors::{Connector, Operation};
use mw_model::{Entity, NewRecord, RecordPatch, RemoteRecord, StatusChange, Validate};
use mw_store::{IdempotentStart, StoredConnection, StoredResponse, Tenant};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::future::Future;
use uuid::Uuid;

const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity)): Path<(String, String)>,
    headers: HeaderMap,
    RawJson(body): RawJson,
) -> Result<Response, ApiError> {
    let entity = parse_entity(&entity)?;
    let (connection, connector) = readable(&state, &tenant, &id, entity).await?;
    let operation = match entity {
        Entity::Inventory => Operation::Adjust,
        _ => Operation::Create,
    };
    require(&connection, connector.as_ref(), entity, operation)?;
    let path = format!("/v1/connections/{id}/{entity}");
    idempotent(&state, &tenant, &headers, "POST", &path, &body, || async {
        let record = match entity {
            Entity::PurchaseOrders => NewRecord::PurchaseOrder(valid(&body)?),
            Entity::WorkOrders => NewRecord::WorkOrder(valid(&body)?),
            Entity::Assets => NewRecord::Asset(valid(&body)?),
            Entity::Vendors => NewRecord::Vendor(valid(&body)?),
            Entity::Inventory => NewRecord::InventoryAdjustment(valid(&body)?),
        };
        let created = connector.create(&record).await?;
        let status = match entity {
            // An adjustment moves an existing level (or creates one): it answers the level.
            Entity::Inventory => StatusCode::OK,
            _ => StatusCode::CREATED,
        };
        stored(&state, &connection, created, status).await
    })
    .await
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity, record)): Path<(String, String, String)>,
    headers: HeaderMap,
    RawJson(body): RawJson,
) -> Result<Response, ApiError> {
    let entity = parse_entity(&entity)?;
    let (connection, connector) = readable(&state, &tenant, &id, entity).await?;
    require(&connection, connector.as_ref(), entity, Operation::Update)?;
    let remote_id = remote_id_of(&state, &connection, entity, &record).await?;
    let path = format!("/v1/connections/{id}/{entity}/{record}");
    idempotent(&state, &tenant, &headers, "PATCH", &path, &body, || async {
        let patch = match entity {
            Entity::PurchaseOrders => RecordPatch::PurchaseOrder(valid(&body)?),
            Entity::WorkOrders => RecordPatch::WorkOrder(valid(&body)?),
            Entity::Assets => RecordPatch::Asset(valid(&body)?),
            Entity::Vendors => RecordPatch::Vendor(valid(&body)?),
            Entity::Inventory => {
                return Err(ApiError::not_supported(
                    "inventory levels change through adjustments (POST …/inventory)",
                ));
            }
        };
        let updated = connector
            .update(&remote_id, &patch, if_match(&headers)?.as_deref())
            .await?;
        stored(&state, &connection, updated, StatusCode::OK).await
    })
    .await
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity, record)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let entity = parse_entity(&entity)?;
    let (connection, connector) = readable(&state, &tenant, &id, entity).await?;
    require(&connection, connector.as_ref(), entity, Operation::Delete)?;
    let remote_id = remote_id_of(&state, &connection, entity, &record).await?;
    let path = format!("/v1/connections/{id}/{entity}/{record}");
    idempotent(&state, &tenant, &headers, "DELETE", &path, b"", || async {
        match connector
            .delete(entity, &remote_id, if_match(&headers)?.as_deref())
            .await?
        {
            // The source keeps the record, cancelled or flagged: serve it as it now is.
            Some(kept) => stored(&state, &connection, kept, StatusCode::OK).await,
            None => {
                state
                    .store
                    .delete_record(connection.id, entity, &remote_id)
                    .await?;
                Ok(StatusCode::NO_CONTENT.into_response())
            }
        }
    })
    .await
}

pub(crate) async fn change_status(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity, record)): Path<(String, String, String)>,
    headers: HeaderMap,
    RawJson(body): RawJson,
) -> Result<Response, ApiError> {
    let entity = parse_entity(&entity)?;
    if entity != Entity::WorkOrders {
        return Err(ApiError::not_supported(
            "status changes through this route are for work orders",
        ));
    }
    let (connection, connector) = readable(&state, &tenant, &id, entity).await?;
    require(
        &connection,
        connector.as_ref(),
        entity,
        Operation::UpdateStatus,
    )?;
    let remote_id = remote_id_of(&state, &connection, entity, &record).await?;
    let path = format!("/v1/connections/{id}/{entity}/{record}/status");
    idempotent(&state, &tenant, &headers, "POST", &path, &body, || async {
        let change: StatusChange = parse_json(&body)?;
        let changed = connector.change_status(entity, &remote_id, &change).await?;
        stored(&state, &connection, changed, StatusCode::OK).await
    })
    .await
}

/// Refuses an operation the connection's capabilities lack, before anything is sent.
fn require(
    connection: &StoredConnection,
    connector: &dyn Connector,
    entity: Entity,
    operation: Operation,
) -> Result<(), ApiError> {
    if connector.capabilities().supports(entity, operation) {
        return Ok(());
    }
    let verb = serde_json::to_value(operation)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Err(ApiError::not_supported(format!(
        "{} connections do not offer `{verb}` on {entity}; see the connection's capabilities",
        connection.system.display_name()
    )))
}

/// Reads and validates a write body.
fn valid<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, ApiError> {
    let value: T = parse_json(body)?;
    let errors = value.validate();
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The source's id of the record a path names: a stored record by `id` or `remote_id`, or, for a
/// record not synced yet, the `remote_id` itself.
async fn remote_id_of(
    state: &AppState,
    connection: &StoredConnection,
    entity: Entity,
    record: &str,
) -> Result<String, ApiError> {
    match state
        .store
        .get_record(connection.id, entity, record)
        .await?
    {
        Some(r) => Ok(r.remote_id),
        None if Uuid::parse_str(record).is_err() => Ok(record.to_owned()),
        None => Err(ApiError::not_found("record")),
    }
}

/// The `If-Match` header: the `remote_version` the client last read.
fn if_match(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    headers
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| ApiError::field("header.If-Match", "must be visible ASCII"))
        })
        .transpose()
}

/// Stores what the source answered and serves it.
async fn stored(
    state: &AppState,
    connection: &StoredConnection,
    record: RemoteRecord,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let entity = record.entity();
    let settings = mw_sync::SyncSettings::from_settings(&connection.settings).unwrap_or_default();
    let stored = state
        .store
        .upsert_record(connection.id, record, settings.keep_raw)
        .await?;
    let body = serde_json::to_vec(&stored.to_record()?).map_err(ApiError::internal)?;
    let location = format!("/v1/connections/{}/{entity}/{}", connection.id, stored.id);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&location)
    {
        headers.insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Runs `write` once per idempotency key. Without the header it simply runs.
async fn idempotent<F, Fut>(
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &[u8],
    write: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let Some(key) = headers.get(IDEMPOTENCY_KEY) else {
        return write().await;
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::field(
                "header.Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )
        })?;
    let fingerprint = fingerprint(method, path, body);
    match state
        .store
        .start_idempotent(tenant.id, key, &fingerprint)
        .await?
    {
        IdempotentStart::Proceed => {}
        IdempotentStart::Replay(answer) => return Ok(replay(answer)),
        IdempotentStart::Mismatch => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            ));
        }
        IdempotentStart::InProgress => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "a request with this Idempotency-Key is still being handled",
            ));
        }
    }
    let response = match write().await {
        Ok(r) => r,
        Err(e) if e.status.is_server_error() || e.status == StatusCode::TOO_MANY_REQUESTS => {
            // The write may not have happened: free the key so the client can retry with it.
            state.store.abandon_idempotent(tenant.id, key).await?;
            return Err(e);
        }
        Err(e) => e.into_response(),
    };
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES * 8)
        .await
        .map_err(ApiError::internal)?;
    let answer = StoredResponse {
        status: parts.status.as_u16(),
        location: parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: bytes.to_vec(),
    };
    state
        .store
        .finish_idempotent(tenant.id, key, answer)
        .await?;
    Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
}

/// What makes two requests "the same": method, path and the body's JSON value (so whitespace and
/// key order do not matter).
fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|v| v.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update(b" ");
    hash.update(path.as_bytes());
    hash.update(b"\n");
    hash.update(&canonical);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn replay(answer: StoredResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Some(v) = answer
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        headers.insert(header::LOCATION, v);
    }
    response
}
