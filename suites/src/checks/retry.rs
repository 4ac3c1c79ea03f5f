//! RETRY: syncs that meet the failures real systems produce, and stay exact.
//!
//! Each check installs one of the emulator's fault plans (`fixtures/faults/<plan>.toml`, the
//! shared fault layer) and holds the sync to the ground truth: it completes with exactly the
//! truth (nothing lost, nothing twice, values equal), or, where the fault outlasts any retry, it
//! fails cleanly and the next run completes it. A plan that never fired proves nothing, so the
//! check fails then. NetSuite's own account concurrency limit (RETRY-004) is the system's, not
//! the fault layer's.
//!
//! Connections are made with short backoffs and timeouts (`FAST`) so that a check spends
//! milliseconds, not minutes, waiting out what it injected; a `Retry-After` is honoured as sent.

use crate::context::{Ctx, Outcome, Step, default_settings, ensure, expect_status};
use crate::systems;
use chrono::Duration;
use mw_harness::Exchange;
use mw_model::Entity;
use mw_reports::{CheckResult, Evidence, FaultRow, Status};
use serde_json::{Value, json};

const PO: Entity = Entity::PurchaseOrders;

/// The connection settings of a RETRY check: several pages, backoffs of milliseconds, a request
/// timeout a hang outlasts, and a circuit that needs more failures than any plan but the outage
/// produces in a row.
fn fast() -> Value {
    json!({
        "initial_lookback_days": 30,
        "page_size": 20,
        "retry_base_delay_ms": 5,
        "retry_max_delay_ms": 40,
        "request_timeout_ms": 1500,
        "circuit_failure_threshold": 50,
    })
}

/// `fast()` with `extra` on top.
fn fast_with(extra: Value) -> Value {
    let mut settings = fast();
    if let (Some(s), Value::Object(extra)) = (settings.as_object_mut(), extra) {
        s.extend(extra);
    }
    settings
}

/// How often the installed plan's rules fired, in all.
async fn fired(ctx: &Ctx) -> Step<u64> {
    let faults = ctx.h.admin.faults().await?;
    Ok(faults["rules"]
        .as_array()
        .map(|rules| rules.iter().filter_map(|r| r["fired"].as_u64()).sum())
        .unwrap_or(0))
}

/// Fails unless the plan fired: a check whose fault never happened proved nothing.
async fn expect_fired(ctx: &mut Ctx, plan: &str) -> Step<u64> {
    let fired = fired(ctx).await?;
    let faults = ctx.h.admin.faults().await?;
    ensure(
        fired > 0,
        format!("fault plan `{plan}` never fired: the sync met no fault"),
        || Evidence {
            diff: Some(faults.to_string()),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!("fault plan `{plan}`: {fired} faults injected"));
    Ok(fired)
}

/// Purchase orders the truth holds for a sync that started at `since` (30 days back).
async fn expect_exact_since(
    ctx: &mut Ctx,
    id: &str,
    what: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Step {
    let truth = ctx.truth(PO, Some(since)).await?;
    let served = ctx.served(id, PO).await?;
    ctx.expect_exact(what, &served, &truth)
}

/// Connects with `settings`, installs `plan`, runs an initial purchase-order sync through it and
/// expects the sync exact. The plan is cleared before the truth is read.
async fn exact_through(ctx: &mut Ctx, plan: &str, settings: Value) -> Step {
    exact_through_waiting(ctx, plan, settings, std::time::Duration::ZERO).await
}

/// [`exact_through`], and the sync must have taken at least `wait`: the `Retry-After` the plan
/// sends (a connector that retried at once would finish a tiny sync in a fraction of it).
async fn exact_through_waiting(
    ctx: &mut Ctx,
    plan: &str,
    settings: Value,
    wait: std::time::Duration,
) -> Step {
    let id = ctx.connect(settings).await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.h.admin.set_fault_plan(plan).await?;
    let started = std::time::Instant::now();
    let synced = ctx.sync(&id, json!({"entities": [PO]})).await;
    let took = started.elapsed();
    expect_fired(ctx, plan).await?;
    ctx.h.admin.clear_faults().await?;
    synced?;
    ensure(
        took >= wait,
        format!(
            "the sync took {took:?}: the source's `Retry-After` of {wait:?} was not waited out"
        ),
        Evidence::default,
    )?;
    if !wait.is_zero() {
        ctx.note(format!(
            "the sync took {took:.1?}, the source asked to wait {wait:?}"
        ));
    }
    expect_exact_since(ctx, &id, &format!("sync through `{plan}`"), since).await
}

/// The `Retry-After` of the rate-limit plans (`fixtures/faults/rate-limit-*.toml`).
const PLAN_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// RETRY-001: 5xx on some pages (the system's own error bodies): retried, exact.
pub(crate) async fn server_errors_are_retried(ctx: &mut Ctx) -> Step {
    exact_through(ctx, "server-errors", fast()).await
}

/// RETRY-002: 429 with `Retry-After` in seconds.
pub(crate) async fn retry_after_seconds_is_honoured(ctx: &mut Ctx) -> Step {
    exact_through_waiting(ctx, "rate-limit-seconds", fast(), PLAN_RETRY_AFTER).await
}

/// RETRY-003: 429 with `Retry-After` as an HTTP date (measured on the source's `Date`).
pub(crate) async fn retry_after_date_is_honoured(ctx: &mut Ctx) -> Step {
    exact_through_waiting(ctx, "rate-limit-date", fast(), PLAN_RETRY_AFTER).await
}

/// RETRY-005: latency with jitter inside the timeouts.
pub(crate) async fn latency_is_tolerated(ctx: &mut Ctx) -> Step {
    exact_through(ctx, "latency", fast()).await
}

/// RETRY-006: connections reset before the answer and during its body.
pub(crate) async fn resets_are_retried(ctx: &mut Ctx) -> Step {
    exact_through(ctx, "reset", fast()).await
}

/// RETRY-007: bodies cut short or not JSON: retried, never stored in part.
pub(crate) async fn broken_bodies_are_retried(ctx: &mut Ctx) -> Step {
    exact_through(ctx, "truncated", fast()).await
}

/// RETRY-008: a request that hangs: the connection's request timeout ends it, and it is retried.
pub(crate) async fn hangs_time_out_and_are_retried(ctx: &mut Ctx) -> Step {
    exact_through(ctx, "hang", fast_with(json!({"request_timeout_ms": 500}))).await
}

/// RETRY-009: an outage longer than the retries: the sync fails cleanly (`sync.failed`, the
/// records it committed consistent, the watermark where it was), and after recovery the next
/// sync is exact, changes made before and during the outage included.
pub(crate) async fn outage_fails_cleanly_and_recovers(ctx: &mut Ctx) -> Step {
    let id = ctx
        .connect(fast_with(json!({"retry_max_attempts": 3})))
        .await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.sync(&id, json!({"entities": [PO]})).await?;
    ctx.h.admin.advance(60).await?;
    let churn = ctx.h.admin.churn(PO.as_str(), 5, 2).await?;
    ctx.h.admin.set_fault_plan("outage").await?;
    let (start, job) = ctx.h.api.sync(&id, json!({"entities": [PO]})).await?;
    expect_status(&start, 202, "starting a sync during an outage")?;
    expect_fired(ctx, "outage").await?;
    ctx.h.admin.clear_faults().await?;
    ensure(
        job.body["state"] == "failed" && job.body["error"]["code"] == "upstream_unavailable",
        "a sync during an outage must fail with `upstream_unavailable`",
        || crate::context::evidence_of(&job),
    )?;
    let announced = failed_sync_announced(ctx, job.body["id"].as_str().unwrap_or_default()).await?;
    ensure(
        announced,
        "the failed sync was not announced as `sync.failed` in /v1/events",
        Evidence::default,
    )?;
    // What the first sync committed is still served, unchanged by the failure.
    let served = ctx.served(&id, PO).await?;
    let truth = ctx.truth(PO, Some(since)).await?;
    let stale: Vec<&str> = churn
        .changed
        .iter()
        .chain(&churn.created)
        .map(String::as_str)
        .collect();
    let before: Vec<_> = truth
        .iter()
        .filter(|r| !stale.contains(&r.id.as_str()))
        .cloned()
        .collect();
    let kept: Vec<Value> = served
        .iter()
        .filter(|r| !stale.iter().any(|id| r["remote_id"] == *id))
        .cloned()
        .collect();
    ctx.expect_exact("records committed before the outage", &kept, &before)?;
    // The watermark stayed: the next sync finds every change made before the outage.
    ctx.sync(&id, json!({"entities": [PO]})).await?;
    expect_exact_since(ctx, &id, "the sync after the outage", since).await
}

/// Whether `/v1/events` holds `sync.failed` for sync `job_id`.
async fn failed_sync_announced(ctx: &Ctx, job_id: &str) -> Step<bool> {
    let ex = ctx.h.api.get("/v1/events?limit=1000").await?;
    expect_status(&ex, 200, "listing events")?;
    Ok(ex.body["data"].as_array().is_some_and(|events| {
        events
            .iter()
            .any(|e| e["type"] == "sync.failed" && e["data"]["sync_id"] == job_id)
    }))
}

/// RETRY-010: a token or CSRF token that expires mid-run: renewed once, exact.
pub(crate) async fn expired_tokens_are_renewed_mid_run(ctx: &mut Ctx) -> Step {
    let id = ctx.connect_oauth2(fast()).await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.h.admin.set_fault_plan("token-expiry").await?;
    let synced = ctx.sync(&id, json!({"entities": [PO]})).await;
    expect_fired(ctx, "token-expiry").await?;
    ctx.h.admin.clear_faults().await?;
    synced?;
    expect_exact_since(ctx, &id, "sync with tokens expiring mid-run", since).await
}

/// RETRY-011: records change while the connector pages: exact after the sync and the next one.
pub(crate) async fn page_drift_is_caught_up(ctx: &mut Ctx) -> Step {
    let id = ctx.connect(fast()).await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.h.admin.set_fault_plan("page-drift").await?;
    let synced = ctx.sync(&id, json!({"entities": [PO]})).await;
    expect_fired(ctx, "page-drift").await?;
    ctx.h.admin.clear_faults().await?;
    synced?;
    let served = ctx.served(&id, PO).await?;
    let duplicates = super::sync::duplicates(&served);
    ensure(
        duplicates.is_empty(),
        format!("records served twice after drift: {duplicates:?}"),
        Evidence::default,
    )?;
    ctx.sync(&id, json!({"entities": [PO]})).await?;
    expect_exact_since(ctx, &id, "the sync after the one that met drift", since).await
}

/// RETRY-012: the source's `Date` an hour off its own change stamps during an incremental sync:
/// the watermark comes from the stamps, so nothing changed in that hour is lost.
pub(crate) async fn clock_skew_loses_nothing(ctx: &mut Ctx) -> Step {
    let id = ctx.connect(fast()).await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.sync(&id, json!({"entities": [PO]})).await?;
    ctx.h.admin.set_fault_plan("clock-skew").await?;
    ctx.h.admin.advance(120).await?;
    ctx.h.admin.churn(PO.as_str(), 5, 2).await?;
    let synced = ctx.sync(&id, json!({"entities": [PO]})).await;
    expect_fired(ctx, "clock-skew").await?;
    synced?;
    // More changes after the skewed sync: a watermark taken from the skewed clock skips them.
    ctx.h.admin.advance(120).await?;
    ctx.h.admin.churn(PO.as_str(), 5, 2).await?;
    let synced = ctx.sync(&id, json!({"entities": [PO]})).await;
    ctx.h.admin.clear_faults().await?;
    synced?;
    expect_exact_since(ctx, &id, "incremental syncs under a skewed clock", since).await
}

/// RETRY-013: sustained failure opens the connection's circuit (connection `degraded`, health
/// `open`, `connection.degraded` announced); once the source answers again and the cooldown has
/// passed, a sync closes it and completes exact.
pub(crate) async fn circuit_opens_and_closes(ctx: &mut Ctx) -> Step {
    // Long enough that the checks between the opening and the paused sync never outlast it.
    const COOLDOWN_MS: u64 = 1000;
    let settings = fast_with(json!({
        "retry_max_attempts": 2, "circuit_failure_threshold": 3, "circuit_cooldown_ms": COOLDOWN_MS,
    }));
    let id = ctx.connect(settings).await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.h.admin.set_fault_plan("outage").await?;
    // Each failed sync adds failures in a row until the circuit opens.
    let mut opened = None;
    for _ in 0..4 {
        let (_, job) = ctx.h.api.sync(&id, json!({"entities": [PO]})).await?;
        ensure(
            job.body["state"] == "failed",
            "a sync during an outage succeeded",
            || crate::context::evidence_of(&job),
        )?;
        let connection = ctx.h.api.get(&format!("/v1/connections/{id}")).await?;
        if connection.body["health"]["circuit"] == "open" {
            opened = Some(connection);
            break;
        }
    }
    expect_fired(ctx, "outage").await?;
    ctx.h.admin.clear_faults().await?;
    let Some(open) = opened else {
        return Err(Outcome::failed(
            "the circuit never opened during a sustained outage",
            Evidence::default(),
        ));
    };
    ensure(
        open.body["status"] == "degraded",
        "an open circuit must show as a degraded connection",
        || crate::context::evidence_of(&open),
    )?;
    let events = ctx.h.api.get("/v1/events?limit=1000").await?;
    let degraded = events.body["data"].as_array().is_some_and(|all| {
        all.iter()
            .any(|e| e["type"] == "connection.degraded" && e["connection_id"] == id.as_str())
    });
    ensure(degraded, "`connection.degraded` was not announced", || {
        crate::context::evidence_of(&events)
    })?;
    // While open, nothing reaches the source.
    let mark = ctx.h.admin.journal_mark().await?;
    let (_, paused) = ctx.h.api.sync(&id, json!({"entities": [PO]})).await?;
    let sent = ctx.h.admin.journal(mark).await?;
    ensure(
        paused.body["state"] == "failed" && sent.is_empty(),
        format!("an open circuit let {} requests through", sent.len()),
        || crate::context::evidence_of(&paused),
    )?;
    // The cooldown is the API process's own timer; it cannot be moved from outside.
    tokio::time::sleep(std::time::Duration::from_millis(COOLDOWN_MS + 50)).await;
    ctx.sync(&id, json!({"entities": [PO]})).await?;
    let closed = ctx.h.api.get(&format!("/v1/connections/{id}")).await?;
    ensure(
        closed.body["health"]["circuit"] == "closed" && closed.body["status"] == "active",
        "after recovery the circuit must close and the connection be active",
        || crate::context::evidence_of(&closed),
    )?;
    expect_exact_since(ctx, &id, "the sync after recovery", since).await
}

/// How long the check holds the account's slots at most, waiting for the connector to be refused.
const HOLD_POLLS: usize = 500;

/// RETRY-004. NetSuite's concurrency limit: while every slot of the account is taken by "other
/// integrations", the connector's requests get 429 `CONCURRENCY_LIMIT_EXCEEDED` without
/// `Retry-After`; once slots free up, the sync must finish, exact.
pub(crate) async fn concurrency_limit_is_waited_out(ctx: &mut Ctx) -> Step {
    if ctx.system() != "netsuite" {
        // No limit of its own: the fault layer throttles without `Retry-After` instead.
        return exact_through(ctx, "rate-limit-bare", fast()).await;
    }
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, PO, None).await?;
    let admin = &ctx.h.admin;
    let governance = admin.setting("/governance").await?;
    let limit = governance["concurrency_limit"].as_u64().unwrap_or(5);
    let refused_before = governance["refused"].as_u64().unwrap_or(0);
    admin
        .set("/governance", json!({"busy_slots": limit}))
        .await?;
    // The account's slots are freed as soon as the connector has been refused at least once.
    let release = async {
        let mut refused = refused_before;
        for _ in 0..HOLD_POLLS {
            let now = admin.setting("/governance").await?;
            refused = now["refused"].as_u64().unwrap_or(0);
            if refused > refused_before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        admin.set("/governance", json!({"busy_slots": 0})).await?;
        Ok::<u64, mw_harness::HarnessError>(refused - refused_before)
    };
    let (job, refused) = tokio::join!(ctx.sync(&id, json!({"entities": [PO]})), release);
    let refused = refused?;
    let job: Value = job?;
    ensure(
        refused > 0,
        "the connector was never refused while the account's slots were taken",
        Default::default,
    )?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    let truth = ctx.truth(PO, Some(since)).await?;
    let served = ctx.served(&id, PO).await?;
    ctx.expect_exact("sync through the concurrency limit", &served, &truth)?;
    ctx.note(format!(
        "{refused} requests refused with 429 while the account was full; sync {}",
        job["state"].as_str().unwrap_or("?")
    ));
    Ok(())
}

/// RETRY-014: the API is killed mid-sync (its runtime dropped where it stands) and started again
/// on the same database: the job resumes from its last committed page and ends exact.
pub(crate) async fn killed_sync_resumes_exact(ctx: &mut Ctx) -> Step {
    if !ctx.h.is_builtin() {
        return Err(Outcome::Skipped(
            "the API under test runs elsewhere; only its operator can kill its process".into(),
        ));
    }
    let id = ctx.connect(fast_with(json!({"page_size": 5}))).await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    // Slow reads keep the sync running long enough to be interrupted between pages.
    ctx.h.admin.set_fault_plan("latency").await?;
    let job_id = ctx.start_sync(&id, PO).await?;
    let mut read_before = 0;
    for _ in 0..KILL_POLLS {
        let job = ctx.h.api.get(&format!("/v1/syncs/{job_id}")).await?;
        let state = job.body["state"].as_str().unwrap_or_default();
        ensure(
            matches!(state, "queued" | "running"),
            "the sync ended before it could be interrupted",
            || crate::context::evidence_of(&job),
        )?;
        read_before = job.body["progress"][PO.as_str()]["read"]
            .as_u64()
            .unwrap_or(0);
        if read_before >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    ensure(
        read_before >= 5,
        "the sync committed no page to interrupt",
        Evidence::default,
    )?;
    ctx.h.crash_and_restart_api().await?;
    let mut ended = None;
    for _ in 0..20 {
        let job = ctx
            .h
            .api
            .get(&format!("/v1/syncs/{job_id}?wait_seconds=30"))
            .await?;
        if matches!(job.body["state"].as_str(), Some("succeeded" | "failed")) {
            ended = Some(job);
            break;
        }
    }
    ctx.h.admin.clear_faults().await?;
    let Some(ended) = ended else {
        return Err(Outcome::failed(
            "the resumed sync never ended",
            Evidence::default(),
        ));
    };
    ensure(
        ended.body["state"] == "succeeded",
        "the sync did not succeed after the restart",
        || crate::context::evidence_of(&ended),
    )?;
    ctx.note(format!(
        "killed after {read_before} records were read; resumed after the restart"
    ));
    expect_exact_since(ctx, &id, "the sync resumed after the kill", since).await
}

/// RETRY-015: the duplicate-order trap, per entity (purchase orders, work orders, assets,
/// vendors). A
/// create commits in the source but its answer never arrives (the connection is cut). The
/// unified API either still answers with the record (it recognised the write when it tried
/// again) or says the source is unavailable, in which case the client repeats the write with the
/// same `Idempotency-Key`; either way the source ends up with exactly one new record, and the API
/// names that one.
pub(crate) async fn lost_write_answer_applies_once(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let setup = systems::create_setup(ctx, entity).await?;
    let mut settings = fast();
    if let (Some(s), Value::Object(extra)) = (settings.as_object_mut(), setup.settings) {
        s.extend(extra);
    }
    let id = ctx.connect(settings).await?;
    ctx.require(&id, entity, Some("create")).await?;
    let before: Vec<String> = ctx
        .truth(entity, None)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let path = format!("/v1/connections/{id}/{entity}");
    let answered = write_losing_the_first_answer(ctx, &path, &setup.body, 201).await?;
    let after = ctx.truth(entity, None).await?;
    let new: Vec<&str> = after
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !before.iter().any(|b| b == id))
        .collect();
    ensure(
        new.len() == 1,
        format!(
            "one create left {} new {entity} in the source: {new:?}",
            new.len()
        ),
        || crate::context::evidence_of(&answered),
    )?;
    ensure(
        answered.body["remote_id"] == new[0],
        format!(
            "the API answered {} but the source created {}",
            answered.body["remote_id"], new[0]
        ),
        || crate::context::evidence_of(&answered),
    )?;
    ctx.note(format!(
        "the lost create left exactly one record: {}",
        new[0]
    ));
    Ok(())
}

/// POSTs `body` to `path` with an `Idempotency-Key` while the emulator cuts the answer to the
/// first write (`duplicate-write`), then as a client would: takes the API's answer when it is
/// `success`, and repeats the write with the same key when the API said the source was
/// unavailable (a refusal would make a client give up on a write that was applied). Returns the
/// successful answer.
async fn write_losing_the_first_answer(
    ctx: &mut Ctx,
    path: &str,
    body: &Value,
    success: u16,
) -> Step<Exchange> {
    let key = format!("lost-answer-{}", uuid::Uuid::new_v4());
    let headers = [("idempotency-key", key.as_str())];
    ctx.h.admin.set_fault_plan("duplicate-write").await?;
    let first = ctx
        .h
        .api
        .send_with(reqwest::Method::POST, path, Some(body), &headers)
        .await?;
    expect_fired(ctx, "duplicate-write").await?;
    ctx.h.admin.clear_faults().await?;
    if first.status == success {
        return Ok(first);
    }
    ensure(
        first.status >= 500,
        "a write whose answer was lost must not be reported as refused: the client would not repeat it",
        || crate::context::evidence_of(&first),
    )?;
    let again = ctx
        .h
        .api
        .send_with(reqwest::Method::POST, path, Some(body), &headers)
        .await?;
    expect_status(
        &again,
        success,
        "repeating the write with the same Idempotency-Key",
    )?;
    Ok(again)
}

/// RETRY-016: the same trap for stock. An inventory adjustment (a goods movement, an
/// `inventoryAdjustment`, `adjustCurrentBalance`) commits but its answer is lost: after the API's
/// answer (and the client's repeat with the same `Idempotency-Key` when that answer was a 5xx),
/// the stock has moved by the delta exactly once.
pub(crate) async fn lost_adjustment_answer_moves_stock_once(ctx: &mut Ctx) -> Step {
    let inv = Entity::Inventory;
    let id = ctx.connect(fast()).await?;
    ctx.require(&id, inv, Some("adjust")).await?;
    let system = ctx.system().to_owned();
    let level = systems::stocked_level(ctx).await?;
    let start = systems::truth_quantity(&system, &level).unwrap_or_default();
    let delta = "4";
    let body = systems::adjustment_body(ctx, &level, delta).await?;
    let path = format!("/v1/connections/{id}/{inv}");
    let answered = write_losing_the_first_answer(ctx, &path, &body, 200).await?;
    let expected = start + delta.parse::<rust_decimal::Decimal>().unwrap_or_default();
    let now = ctx
        .truth(inv, None)
        .await?
        .into_iter()
        .find(|t| t.id == level.id)
        .and_then(|t| systems::truth_quantity(&system, &t));
    ensure(
        now == Some(expected),
        format!(
            "{}: the source holds {now:?} after one adjustment of {delta} from {start}, expected {expected}",
            level.id
        ),
        || crate::context::evidence_of(&answered),
    )?;
    ctx.note(format!("{}: {start} → {expected}, moved once", level.id));
    Ok(())
}

/// How often RETRY-014 looks at the job (5 ms apart) before giving up on interrupting it.
const KILL_POLLS: usize = 2000;

/// The fault each RETRY check injects, for the report's fault matrix: (check, fault in words,
/// fault plan; `None` where the system itself produces the fault).
const FAULT_KINDS: &[(&str, &str, Option<&str>)] = &[
    (
        "RETRY-001",
        "5xx with the system's error body on some pages",
        Some("server-errors"),
    ),
    (
        "RETRY-002",
        "429 with `Retry-After` in seconds",
        Some("rate-limit-seconds"),
    ),
    (
        "RETRY-003",
        "429 with `Retry-After` as an HTTP date",
        Some("rate-limit-date"),
    ),
    (
        "RETRY-004",
        "429 without `Retry-After`",
        Some("rate-limit-bare"),
    ),
    ("RETRY-005", "latency with jitter", Some("latency")),
    (
        "RETRY-006",
        "connection reset before and during the body",
        Some("reset"),
    ),
    (
        "RETRY-007",
        "truncated body, malformed JSON",
        Some("truncated"),
    ),
    ("RETRY-008", "a request that hangs", Some("hang")),
    (
        "RETRY-009",
        "an outage longer than the retries",
        Some("outage"),
    ),
    (
        "RETRY-010",
        "tokens and CSRF tokens expiring mid-run",
        Some("token-expiry"),
    ),
    (
        "RETRY-011",
        "records changing while the client pages",
        Some("page-drift"),
    ),
    (
        "RETRY-012",
        "the source's clock an hour off",
        Some("clock-skew"),
    ),
    (
        "RETRY-013",
        "sustained failure (circuit breaker)",
        Some("outage"),
    ),
    ("RETRY-014", "the API process killed mid-sync", None),
    (
        "RETRY-015",
        "a create that commits but is never answered",
        Some("duplicate-write"),
    ),
    (
        "RETRY-016",
        "a stock adjustment that commits but is never answered",
        Some("duplicate-write"),
    ),
];

/// The fault matrix of `system`'s results: one row per RETRY check that ran or was skipped.
pub(crate) fn fault_matrix(system: &str, results: &[CheckResult]) -> Vec<FaultRow> {
    FAULT_KINDS
        .iter()
        .flat_map(|&(check, fault, plan)| {
            // A per-entity check has a row per entity (`RETRY-015/assets`).
            let per_entity = format!("{check}/");
            results
                .iter()
                .filter(move |r| r.id == check || r.id.starts_with(&per_entity))
                .map(move |result| fault_row(system, result, check, fault, plan))
        })
        .collect()
}

fn fault_row(
    system: &str,
    result: &CheckResult,
    check: &str,
    fault: &str,
    plan: Option<&str>,
) -> FaultRow {
    // NetSuite's own concurrency limit stands in for the fault layer's bare 429s.
    let (fault, plan) = match (check, system) {
        ("RETRY-004", "netsuite") => (
            format!("{fault} (NetSuite's account concurrency limit)"),
            None,
        ),
        _ => (fault.to_owned(), plan),
    };
    let detail = match result.status {
        Status::Passed => result
            .evidence
            .as_ref()
            .map(|e| e.notes.join("; "))
            .filter(|notes| !notes.is_empty()),
        Status::Failed | Status::Skipped => result.reason.clone(),
    };
    FaultRow {
        check_id: result.id.clone(),
        fault,
        plan: plan.map(str::to_owned),
        status: result.status,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CATALOG;

    #[test]
    fn every_retry_check_has_a_fault_kind_and_every_plan_exists() {
        let retry: Vec<&str> = CATALOG
            .iter()
            .map(|def| def.id)
            .filter(|id| id.starts_with("RETRY-"))
            .collect();
        let kinds: Vec<&str> = FAULT_KINDS.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(retry, kinds);
        for (id, _, plan) in FAULT_KINDS {
            if let Some(plan) = plan {
                let path = format!(
                    "{}/../fixtures/faults/{plan}.toml",
                    env!("CARGO_MANIFEST_DIR")
                );
                assert!(std::path::Path::new(&path).exists(), "{id}: no plan {path}");
            }
        }
    }

    #[test]
    fn the_matrix_reads_verdicts_and_notes() {
        let results = vec![
            CheckResult::passed("RETRY-001", "5xx", 10).with_evidence(Evidence {
                notes: vec!["fault plan `server-errors`: 4 faults injected".into()],
                ..Evidence::default()
            }),
            CheckResult::skipped("RETRY-010", "tokens", "no token to expire"),
            CheckResult::passed("RETRY-004", "429", 5),
        ];
        let rows = fault_matrix("netsuite", &results);
        let summary: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.check_id.as_str(),
                    r.plan.as_deref(),
                    r.status,
                    r.detail.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "RETRY-001",
                    Some("server-errors"),
                    Status::Passed,
                    Some("fault plan `server-errors`: 4 faults injected")
                ),
                ("RETRY-004", None, Status::Passed, None),
                (
                    "RETRY-010",
                    Some("token-expiry"),
                    Status::Skipped,
                    Some("no token to expire")
                ),
            ]
        );
    }
}
