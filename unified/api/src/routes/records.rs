//! Records of one entity of one connection: list (cursor paging, `modified_after`), get, and
//! create (through to the source system, then into the store).

use super::connections::owned;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, Json, Params};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mw_connectors::Operation;
use mw_model::{Entity, NewRecord, Validate};
use mw_store::{ListQuery, StoredConnection};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

pub(crate) const MAX_LIMIT: u32 = 500;
const DEFAULT_LIMIT: u32 = 100;

fn parse_entity(raw: &str) -> Result<Entity, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("route"))
}

/// The connection, after checking its system provides `entity` at all.
async fn readable(
    state: &AppState,
    tenant: &mw_store::Tenant,
    id: &str,
    entity: Entity,
) -> Result<
    (
        StoredConnection,
        std::sync::Arc<dyn mw_connectors::Connector>,
    ),
    ApiError,
> {
    let connection = owned(state, tenant, id).await?;
    let connector = state.runner.connector(&connection).await?;
    if connector.capabilities().entity(entity).is_none() {
        return Err(ApiError::not_supported(format!(
            "{} does not provide {entity} through this connector; see the connection's capabilities",
            connection.system.display_name()
        )));
    }
    Ok((connection, connector))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    #[serde(default)]
    modified_after: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity)): Path<(String, String)>,
    Params(params): Params<ListParams>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let entity = parse_entity(&entity)?;
    let (connection, _) = readable(&state, &tenant, &id, entity).await?;
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::field(
                    "query.limit",
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                ));
            }
        },
    };
    let modified_after = params
        .modified_after
        .as_deref()
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::field(
                        "query.modified_after",
                        "must be an RFC 3339 instant such as 2026-03-01T00:00:00Z",
                    )
                })
        })
        .transpose()?;
    let page = state
        .store
        .list_records(
            connection.id,
            entity,
            ListQuery {
                modified_after,
                cursor: params.cursor,
                limit,
            },
        )
        .await?;
    let data = page
        .records
        .iter()
        .map(|r| r.to_record())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(
        json!({ "data": data, "next_cursor": page.next_cursor }),
    ))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity, record)): Path<(String, String, String)>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let entity = parse_entity(&entity)?;
    let (connection, _) = readable(&state, &tenant, &id, entity).await?;
    let stored = state
        .store
        .get_record(connection.id, entity, &record)
        .await?
        .ok_or_else(|| ApiError::not_found("record"))?;
    Ok(axum::Json(
        serde_json::to_value(stored.to_record()?).map_err(ApiError::internal)?,
    ))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path((id, entity)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let entity = parse_entity(&entity)?;
    let (connection, connector) = readable(&state, &tenant, &id, entity).await?;
    let operation = match entity {
        Entity::Inventory => Operation::Adjust,
        _ => Operation::Create,
    };
    // Refuse what the system cannot do before reading the body, so nothing reaches the source.
    if !connector.capabilities().supports(entity, operation) {
        return Err(ApiError::not_supported(format!(
            "{} connections cannot create {entity}",
            connection.system.display_name()
        )));
    }
    let record = match entity {
        Entity::PurchaseOrders => NewRecord::PurchaseOrder(body(request).await?),
        Entity::WorkOrders => NewRecord::WorkOrder(body(request).await?),
        Entity::Vendors => NewRecord::Vendor(body(request).await?),
        Entity::Inventory => NewRecord::InventoryAdjustment(body(request).await?),
        Entity::Assets => {
            return Err(ApiError::not_supported(
                "creating assets is not available yet",
            ));
        }
    };
    let created = connector.create(&record).await?;
    let settings = mw_sync::SyncSettings::from_settings(&connection.settings).unwrap_or_default();
    let stored = state
        .store
        .upsert_record(connection.id, created, settings.keep_raw)
        .await?;
    let location = format!("/v1/connections/{}/{entity}/{}", connection.id, stored.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(serde_json::to_value(stored.to_record()?).map_err(ApiError::internal)?),
    )
        .into_response())
}

/// Reads and validates a create body.
async fn body<T: DeserializeOwned + Validate>(request: Request) -> Result<T, ApiError> {
    let Json(value) = Json::<T>::from_request(request, &()).await?;
    let errors = value.validate();
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::validation(errors))
    }
}
