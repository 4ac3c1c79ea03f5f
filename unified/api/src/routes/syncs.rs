//! Sync jobs: start one (202), read one (optionally waiting for it to end), list a connection's.

use super::connections::owned;
use super::parse_id;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, OptionalJson, Params};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mw_model::{Entity, FieldError};
use mw_store::{EntityProgress, SyncJob, SyncMode, SyncState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartSync {
    #[serde(default)]
    mode: Option<SyncMode>,
    #[serde(default)]
    entities: Option<Vec<Entity>>,
}

/// A sync job as the API shows it.
#[derive(Serialize)]
pub(crate) struct SyncView {
    id: Uuid,
    connection_id: Uuid,
    mode: SyncMode,
    state: SyncState,
    entities: Vec<Entity>,
    progress: BTreeMap<Entity, ProgressView>,
    error: Option<mw_store::SyncError>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct ProgressView {
    #[serde(flatten)]
    progress: EntityProgress,
    /// Share of the total read so far, where the source reports a total.
    fraction: Option<f64>,
}

impl From<SyncJob> for SyncView {
    fn from(job: SyncJob) -> Self {
        SyncView {
            id: job.id,
            connection_id: job.connection_id,
            mode: job.mode,
            state: job.state,
            entities: job.entities,
            progress: job
                .progress
                .into_iter()
                .map(|(e, mut p)| {
                    // The connector's cursor is internal to the engine.
                    p.resume = None;
                    let fraction = p.fraction();
                    (
                        e,
                        ProgressView {
                            progress: p,
                            fraction,
                        },
                    )
                })
                .collect(),
            error: job.error,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
        }
    }
}

pub(crate) async fn start(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<StartSync>,
) -> Result<Response, ApiError> {
    let connection = owned(&state, &tenant, &id).await?;
    let connector = state.runner.connector(&connection).await?;
    let capabilities = connector.capabilities();
    let (mode, requested) = match body {
        Some(b) => (b.mode.unwrap_or(SyncMode::Auto), b.entities),
        None => (SyncMode::Auto, None),
    };
    let entities = match requested {
        None => capabilities.readable().collect::<Vec<_>>(),
        Some(list) => {
            if list.is_empty() {
                return Err(ApiError::field(
                    "$.entities",
                    "must name at least one entity",
                ));
            }
            let unsupported: Vec<FieldError> = list
                .iter()
                .enumerate()
                .filter(|(_, e)| capabilities.entity(**e).is_none())
                .map(|(i, e)| {
                    FieldError::new(
                        format!("$.entities[{i}]"),
                        format!("{} does not provide {e}", connection.system.display_name()),
                    )
                })
                .collect();
            if !unsupported.is_empty() {
                return Err(ApiError {
                    errors: unsupported,
                    ..ApiError::not_supported("the connection cannot sync some of these entities")
                });
            }
            let mut unique = Vec::new();
            for e in list {
                if !unique.contains(&e) {
                    unique.push(e);
                }
            }
            unique
        }
    };
    let job = state.runner.start(&connection, mode, entities).await?;
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, format!("/v1/syncs/{}", job.id))],
        axum::Json(SyncView::from(job)),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetSyncParams {
    /// Hold the response until the job ends or this many seconds pass (at most 60).
    #[serde(default)]
    wait_seconds: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
    Params(params): Params<GetSyncParams>,
) -> Result<axum::Json<SyncView>, ApiError> {
    let id = parse_id(&id, "sync")?;
    let wait = match params.wait_seconds.as_deref() {
        None => None,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n <= 60 => Some(Duration::from_secs(n)),
            _ => {
                return Err(ApiError::field(
                    "query.wait_seconds",
                    "must be a whole number from 0 to 60",
                ));
            }
        },
    };
    let job = state
        .store
        .sync_job(tenant.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("sync"))?;
    let job = match wait {
        Some(wait) if !job.state.is_finished() => {
            state.runner.wait(id, wait).await;
            state
                .store
                .sync_job(tenant.id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("sync"))?
        }
        _ => job,
    };
    Ok(axum::Json(job.into()))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let connection = owned(&state, &tenant, &id).await?;
    let jobs: Vec<SyncView> = state
        .store
        .sync_jobs_of(connection.id, 50)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(axum::Json(serde_json::json!({ "data": jobs })))
}
