//! `/v1/connections`: connect a system (credentials checked live before anything is stored),
//! read, list and delete connections, and their capabilities.

use super::parse_id;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, Json};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mw_connectors::resilience::Health;
use mw_model::{FieldError, System};
use mw_store::{ConnectionStatus, NewConnection, StoredConnection};
use mw_sync::SyncSettings;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateConnection {
    system: System,
    base_url: String,
    credentials: Map<String, Value>,
    #[serde(default)]
    settings: Option<Map<String, Value>>,
}

/// A connection as the API shows it: never its credentials.
#[derive(Serialize)]
pub(crate) struct ConnectionView {
    id: Uuid,
    system: System,
    base_url: String,
    settings: Value,
    status: ConnectionStatus,
    created_at: DateTime<Utc>,
    /// Live, from the connection's resilience layer, once this process has used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    health: Option<Health>,
}

impl ConnectionView {
    fn of(state: &AppState, c: StoredConnection) -> ConnectionView {
        ConnectionView {
            health: state.runner.health(c.id),
            id: c.id,
            system: c.system,
            base_url: c.base_url,
            settings: c.settings,
            status: c.status,
            created_at: c.created_at,
        }
    }
}

fn check_base_url(url: &str) -> Result<String, ApiError> {
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|_| ApiError::field("$.base_url", "must be an absolute http or https URL"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.host().is_none_or(str::is_empty) {
        return Err(ApiError::field(
            "$.base_url",
            "must be an absolute http or https URL",
        ));
    }
    if uri.query().is_some() {
        return Err(ApiError::field(
            "$.base_url",
            "must not carry a query string",
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Json(body): Json<CreateConnection>,
) -> Result<Response, ApiError> {
    let base_url = check_base_url(&body.base_url)?;
    let settings = Value::Object(body.settings.unwrap_or_default());
    SyncSettings::from_settings(&settings).map_err(ApiError::validation)?;
    let credentials = Value::Object(body.credentials);
    // The live check answers a caller who is waiting: one attempt, no backoff, unless the
    // settings ask otherwise (syncs retry as configured).
    let mut probe = settings.clone();
    if let Value::Object(fields) = &mut probe {
        fields.entry("retry_max_attempts").or_insert(Value::from(1));
    }
    let connector = state
        .runner
        .build_connector(body.system, &base_url, credentials.clone(), probe)
        .map_err(|e| match e {
            mw_connectors::ConnectorError::NotSupported { what } => ApiError {
                errors: vec![FieldError::new(
                    "$.system",
                    format!("{what} is not available yet"),
                )],
                ..ApiError::not_supported(format!("{what} is not available yet"))
            },
            other => other.into(),
        })?;
    // Nothing is stored until the system itself has accepted the credentials.
    connector.verify().await?;
    let stored = state
        .store
        .insert_connection(NewConnection {
            tenant_id: tenant.id,
            system: body.system,
            base_url,
            credentials,
            settings,
        })
        .await?;
    let location = format!("/v1/connections/{}", stored.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(ConnectionView::of(&state, stored)),
    )
        .into_response())
}

/// The caller's connection `id`, or 404 whether it is missing or another tenant's.
pub(crate) async fn owned(
    state: &AppState,
    tenant: &mw_store::Tenant,
    id: &str,
) -> Result<StoredConnection, ApiError> {
    let id = parse_id(id, "connection")?;
    state
        .store
        .connection(tenant.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ConnectionView>, ApiError> {
    let connection = owned(&state, &tenant, &id).await?;
    Ok(axum::Json(ConnectionView::of(&state, connection)))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(tenant): Caller,
) -> Result<axum::Json<Value>, ApiError> {
    let connections: Vec<ConnectionView> = state
        .store
        .list_connections(tenant.id)
        .await?
        .into_iter()
        .map(|c| ConnectionView::of(&state, c))
        .collect();
    Ok(axum::Json(serde_json::json!({ "data": connections })))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "connection")?;
    if state.store.delete_connection(tenant.id, id).await? {
        state.runner.forget_connection(id);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("connection"))
    }
}

pub(crate) async fn capabilities(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let connection = owned(&state, &tenant, &id).await?;
    let connector = state.runner.connector(&connection).await?;
    Ok(axum::Json(serde_json::json!({
        "system": connection.system,
        "entities": connector.capabilities().entities,
    })))
}
