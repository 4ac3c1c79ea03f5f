//! `GET /v1/events`: the tenant's event outbox (`sync.failed`, `connection.degraded`), oldest
//! first, for clients that poll instead of receiving webhooks.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, Params};
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

/// Events per page when the caller names no `limit`, and the most it may name.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventParams {
    /// Continue after this `seq` (the `next_after` of the previous page).
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// A whole number from `min` to `max` in query parameter `name`, or its default.
fn whole(
    text: Option<&str>,
    name: &str,
    min: i64,
    max: i64,
    default: i64,
) -> Result<i64, ApiError> {
    match text {
        None => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::field(
                format!("query.{name}"),
                format!("must be a whole number from {min} to {max}"),
            )),
        },
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(tenant): Caller,
    Params(params): Params<EventParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let after = whole(params.after.as_deref(), "after", 0, i64::MAX, 0)?;
    let limit = whole(
        params.limit.as_deref(),
        "limit",
        1,
        i64::from(MAX_LIMIT),
        i64::from(DEFAULT_LIMIT),
    )?;
    let limit = u32::try_from(limit).unwrap_or(DEFAULT_LIMIT);
    let events = state.store.events(tenant.id, after, limit).await?;
    let next_after = events.last().map_or(after, |e| e.seq);
    Ok(axum::Json(
        json!({ "data": events, "next_after": next_after }),
    ))
}
