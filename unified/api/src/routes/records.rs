//! Records of one entity of one connection, read from the store: list (cursor paging,
//! `modified_after`) and get. Writes are in `writes.rs`.

use super::connections::owned;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, Params};
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use mw_model::Entity;
use mw_store::{ListQuery, StoredConnection};
use serde::Deserialize;
use serde_json::json;

pub(crate) const MAX_LIMIT: u32 = 500;
const DEFAULT_LIMIT: u32 = 100;

pub(crate) fn parse_entity(raw: &str) -> Result<Entity, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("route"))
}

/// The connection, after checking its system provides `entity` at all.
pub(crate) async fn readable(
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
