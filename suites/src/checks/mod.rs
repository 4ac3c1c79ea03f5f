//! The checks, one module per catalog area.

pub(crate) mod auth;
pub(crate) mod err;
pub(crate) mod read;
pub(crate) mod retry;
pub(crate) mod sync;
pub(crate) mod write;

use crate::context::{Ctx, Outcome, Step, ensure, expect_status};
use mw_harness::Exchange;
use mw_reports::Evidence;
use serde_json::Value;

/// How many connections the API lists for this tenant.
pub(crate) async fn connection_count(ctx: &Ctx) -> Step<usize> {
    let ex = ctx.h.api.get("/v1/connections").await?;
    expect_status(&ex, 200, "listing connections")?;
    ex.body["data"]
        .as_array()
        .map(Vec::len)
        .ok_or_else(|| Outcome::failed_at("the connection list has no `data` array", &ex))
}

/// Fails when any secret value appears in the exchange's response.
pub(crate) fn no_secret_in(ex: &Exchange, secrets: &[String]) -> Step {
    for s in secrets {
        if ex.raw_body.contains(s.as_str()) {
            return Err(Outcome::failed_at(
                "a secret from the credentials appears in the response",
                ex,
            ));
        }
    }
    Ok(())
}

/// The `status` of an upstream object in a problem body, if any.
pub(crate) fn upstream_status(ex: &Exchange) -> Option<u64> {
    ex.body
        .get("upstream")
        .and_then(|u| u.get("status"))
        .and_then(Value::as_u64)
}

/// Fails when any write reached the source after journal entry `mark`.
pub(crate) async fn no_write_since(ctx: &Ctx, mark: u64) -> Step {
    let writes: Vec<_> = ctx
        .h
        .admin
        .journal(mark)
        .await?
        .into_iter()
        .filter(|e| e.is_write())
        .collect();
    ensure(writes.is_empty(), "a write reached the source", || {
        Evidence {
            notes: writes
                .iter()
                .map(|w| format!("{} {} → {:?}", w.method, w.path, w.status))
                .collect(),
            ..Evidence::default()
        }
    })
}
