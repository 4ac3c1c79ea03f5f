//! SYNC: initial and incremental syncs against the emulator's ground truth.

use crate::context::{Ctx, Outcome, Step, default_settings, ensure, evidence_of};
use chrono::{DateTime, Duration, Utc};
use mw_model::Entity;
use mw_reports::Evidence;
use serde_json::{Value, json};

const PO: Entity = Entity::PurchaseOrders;

/// Connects with `lookback_days`, checks purchase orders are readable, syncs them.
async fn initial(ctx: &mut Ctx, lookback_days: u32) -> Step<(String, Value)> {
    let id = ctx
        .connect(json!({"initial_lookback_days": lookback_days}))
        .await?;
    ctx.require(&id, PO, None).await?;
    let job = ctx.sync(&id, json!({"entities": [PO]})).await?;
    Ok((id, job))
}

fn progress(job: &Value) -> &Value {
    &job["progress"][PO.as_str()]
}

fn count(job: &Value, field: &str) -> u64 {
    progress(job)[field].as_u64().unwrap_or(u64::MAX)
}

fn job_evidence(job: &Value) -> Evidence {
    Evidence {
        response_excerpt: Some(serde_json::to_string_pretty(job).unwrap_or_default()),
        ..Evidence::default()
    }
}

pub(crate) async fn initial_sync_honours_lookback(ctx: &mut Ctx) -> Step {
    let (id, _) = initial(ctx, 30).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    let all = ctx.truth(PO, None).await?;
    let window = ctx.truth(PO, Some(since)).await?;
    ensure(
        !window.is_empty() && window.len() < all.len(),
        "the profile has no records on both sides of the lookback, so the check proves nothing",
        Default::default,
    )?;
    let served = ctx.served(&id, PO).await?;
    ctx.expect_exact("initial sync with a 30-day lookback", &served, &window)?;
    ctx.note(format!(
        "{} older records left out",
        all.len() - window.len()
    ));
    Ok(())
}

pub(crate) async fn incremental_sync_after_churn_is_exact(ctx: &mut Ctx) -> Step {
    let (id, _) = initial(ctx, 30).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    ctx.h.admin.advance(3600).await?;
    let churn = ctx.h.admin.churn(PO.as_str(), 5, 3).await?;
    let job = ctx
        .sync(&id, json!({"mode": "incremental", "entities": [PO]}))
        .await?;
    let served = ctx.served(&id, PO).await?;
    let truth = ctx.truth(PO, Some(since)).await?;
    ctx.expect_exact("after churn and an incremental sync", &served, &truth)?;
    let touched = count(&job, "created") + count(&job, "updated");
    let churned = (churn.changed.len() + churn.created.len()) as u64;
    ensure(
        progress(&job)["mode"] == "incremental",
        "the second sync was not incremental",
        || job_evidence(&job),
    )?;
    ensure(
        touched == churned,
        format!("the incremental sync wrote {touched} records for {churned} changes"),
        || job_evidence(&job),
    )?;
    let changed_now: Vec<&str> = served
        .iter()
        .filter(|r| {
            r["remote_updated_at"]
                .as_str()
                .and_then(|s| s.parse::<DateTime<Utc>>().ok())
                == Some(churn.at)
        })
        .filter_map(|r| r["remote_id"].as_str())
        .collect();
    let mut expected: Vec<&str> = churn
        .changed
        .iter()
        .chain(&churn.created)
        .map(String::as_str)
        .collect();
    let mut got = changed_now.clone();
    expected.sort();
    got.sort();
    ensure(
        got == expected,
        "the records stamped by the churn are not the churned ones",
        || Evidence {
            diff: Some(format!(
                "churned: {expected:?}\nserved with the churn's stamp: {got:?}"
            )),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!(
        "{} changed and {} created, all picked up",
        churn.changed.len(),
        churn.created.len()
    ));
    Ok(())
}

/// Requests an incremental sync with nothing to read may send: checking the credentials, one
/// page, and one spare for a token or session fetch.
const QUIET_SYNC_REQUESTS: usize = 4;

pub(crate) async fn quiet_incremental_sync_changes_nothing(ctx: &mut Ctx) -> Step {
    let (id, _) = initial(ctx, 30).await?;
    let before = ctx.served(&id, PO).await?;
    let mark = ctx.h.admin.journal_mark().await?;
    let job = ctx
        .sync(&id, json!({"mode": "incremental", "entities": [PO]}))
        .await?;
    let requests = ctx.h.admin.journal(mark).await?;
    let after = ctx.served(&id, PO).await?;
    ensure(
        count(&job, "created") == 0 && count(&job, "updated") == 0,
        "a sync with no changes wrote records",
        || job_evidence(&job),
    )?;
    ensure(
        before == after,
        "the served records changed",
        Default::default,
    )?;
    ensure(
        requests.len() <= QUIET_SYNC_REQUESTS,
        format!(
            "{} requests reached the source (at most {QUIET_SYNC_REQUESTS} expected)",
            requests.len()
        ),
        || Evidence {
            notes: requests
                .iter()
                .map(|r| {
                    format!(
                        "{} {}?{}",
                        r.method,
                        r.path,
                        r.query.as_deref().unwrap_or("")
                    )
                })
                .collect(),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!("{} requests to the source", requests.len()));
    Ok(())
}

pub(crate) async fn lookback_is_configurable(ctx: &mut Ctx) -> Step {
    let (short, _) = initial(ctx, 30).await?;
    let (long, _) = initial(ctx, 90).await?;
    let now = ctx.h.admin.now().await?;
    let truth30 = ctx.truth(PO, Some(now - Duration::days(30))).await?;
    let truth90 = ctx.truth(PO, Some(now - Duration::days(90))).await?;
    ensure(
        truth90.len() > truth30.len(),
        "the profile has no records between 30 and 90 days back, so the check proves nothing",
        Default::default,
    )?;
    let served30 = ctx.served(&short, PO).await?;
    let served90 = ctx.served(&long, PO).await?;
    ctx.expect_exact("30-day lookback", &served30, &truth30)?;
    ctx.expect_exact("90-day lookback", &served90, &truth90)
}

pub(crate) async fn syncs_never_interleave(ctx: &mut Ctx) -> Step {
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, PO, None).await?;
    let path = format!("/v1/connections/{id}/syncs");
    let body = json!({"mode": "initial"});
    let api = &ctx.h.api;
    let (a, b, c) = tokio::join!(
        api.post(&path, &body),
        api.post(&path, &body),
        api.post(&path, &body)
    );
    let starts = [a?, b?, c?];
    let mut jobs = Vec::new();
    for ex in &starts {
        match ex.status {
            202 => jobs.push(ex.body["id"].as_str().unwrap_or("").to_owned()),
            409 if ex.code() == Some("conflict") => {}
            _ => {
                return Err(Outcome::failed_at(
                    "a concurrent sync was neither started nor refused with `conflict`",
                    ex,
                ));
            }
        }
    }
    ensure(!jobs.is_empty(), "no sync started", || {
        evidence_of(&starts[0])
    })?;
    let mut spans = Vec::new();
    for job in &jobs {
        let done = loop {
            let ex = ctx
                .h
                .api
                .get(&format!("/v1/syncs/{job}?wait_seconds=30"))
                .await?;
            if matches!(ex.body["state"].as_str(), Some("succeeded" | "failed")) {
                break ex;
            }
        };
        let at = |f: &str| {
            done.body[f]
                .as_str()
                .and_then(|s| s.parse::<DateTime<Utc>>().ok())
        };
        match (at("started_at"), at("finished_at")) {
            (Some(s), Some(f)) => spans.push((s, f, job.clone())),
            _ => {
                return Err(Outcome::failed_at(
                    "a finished sync lacks its start or end time",
                    &done,
                ));
            }
        }
    }
    spans.sort();
    for pair in spans.windows(2) {
        ensure(
            pair[0].1 <= pair[1].0,
            "two syncs of one connection ran at the same time",
            || Evidence {
                notes: spans
                    .iter()
                    .map(|(s, f, id)| format!("{id}: {s} – {f}"))
                    .collect(),
                ..Evidence::default()
            },
        )?;
    }
    ctx.note(format!(
        "{} of 3 concurrent requests started a sync, the rest were refused",
        jobs.len()
    ));
    Ok(())
}

pub(crate) async fn status_agrees_with_store(ctx: &mut Ctx) -> Step {
    let (id, job) = initial(ctx, 30).await?;
    let served = ctx.served(&id, PO).await?;
    let p = progress(&job);
    let newest = served
        .iter()
        .filter_map(|r| r["remote_updated_at"].as_str())
        .filter_map(|s| s.parse::<DateTime<Utc>>().ok())
        .max();
    let watermark = p["watermark"]
        .as_str()
        .and_then(|s| s.parse::<DateTime<Utc>>().ok());
    let checks = [
        (
            job["state"] == "succeeded",
            "the job's state is not `succeeded`",
        ),
        (
            p["state"] == "succeeded",
            "the entity's state is not `succeeded`",
        ),
        (
            count(&job, "created") == served.len() as u64,
            "`created` differs from the records served",
        ),
        (
            count(&job, "read") >= served.len() as u64,
            "`read` is below the records served",
        ),
        (
            watermark.is_some() && watermark == newest,
            "the watermark is not the newest change served",
        ),
        (
            p["fraction"]
                .as_f64()
                .is_none_or(|f| (f - 1.0).abs() < f64::EPSILON),
            "progress is not complete",
        ),
        (job["finished_at"].is_string(), "the job has no end time"),
    ];
    for (ok, reason) in checks {
        ensure(ok, reason, || Evidence {
            notes: vec![format!(
                "records served: {}, newest change: {newest:?}",
                served.len()
            )],
            ..job_evidence(&job)
        })?;
    }
    Ok(())
}

pub(crate) async fn records_changing_while_paging_are_kept(ctx: &mut Ctx) -> Step {
    // Small pages, so that changes land between them.
    let id = ctx
        .connect(json!({"initial_lookback_days": 30, "page_size": 5}))
        .await?;
    ctx.require(&id, PO, None).await?;
    let since = ctx.h.admin.now().await? - Duration::days(30);
    let start = ctx
        .h
        .api
        .post(
            &format!("/v1/connections/{id}/syncs"),
            &json!({"entities": [PO]}),
        )
        .await?;
    crate::context::expect_status(&start, 202, "starting a sync")?;
    let job = start.body["id"].as_str().unwrap_or_default().to_owned();
    // Change records while the sync pages, until it ends (a bounded number of rounds).
    let mut churned = 0;
    for _ in 0..50 {
        let state = ctx.h.api.get(&format!("/v1/syncs/{job}")).await?;
        if matches!(state.body["state"].as_str(), Some("succeeded" | "failed")) {
            break;
        }
        ctx.h.admin.advance(1).await?;
        churned += ctx.h.admin.churn(PO.as_str(), 2, 1).await?.changed.len();
    }
    let done = ctx
        .h
        .api
        .get(&format!("/v1/syncs/{job}?wait_seconds=60"))
        .await?;
    ensure(
        done.body["state"] == "succeeded",
        "the sync did not succeed",
        || evidence_of(&done),
    )?;
    let after_first = ctx.served(&id, PO).await?;
    let duplicates = crate::checks::sync::duplicates(&after_first);
    ensure(
        duplicates.is_empty(),
        "the sync stored a record twice",
        || Evidence {
            notes: duplicates,
            ..Evidence::default()
        },
    )?;
    ctx.sync(&id, json!({"entities": [PO]})).await?;
    let served = ctx.served(&id, PO).await?;
    let truth = ctx.truth(PO, Some(since)).await?;
    ctx.expect_exact("after the changed sync and the next", &served, &truth)?;
    ctx.note(format!(
        "{churned} records changed while the first sync paged"
    ));
    Ok(())
}

/// `remote_id`s served more than once.
pub(crate) fn duplicates(served: &[Value]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    served
        .iter()
        .filter_map(|r| r["remote_id"].as_str())
        .filter(|id| !seen.insert(*id))
        .map(str::to_owned)
        .collect()
}

pub(crate) async fn snapshot_sync_detects_changes(ctx: &mut Ctx) -> Step {
    let id = ctx.connect(default_settings()).await?;
    let caps = ctx.capabilities(&id).await?;
    let snapshot = caps["entities"].as_array().and_then(|all| {
        all.iter()
            .find(|e| e["read"] == true && e["change_tracking"] == "snapshot")
            .and_then(|e| e["entity"].as_str())
            .and_then(|e| e.parse::<Entity>().ok())
    });
    let Some(entity) = snapshot else {
        return Err(Outcome::Skipped(
            "every entity the connector reads has change timestamps".into(),
        ));
    };
    ctx.sync(&id, json!({"entities": [entity]})).await?;
    let first: std::collections::BTreeMap<String, Value> = ctx
        .served(&id, entity)
        .await?
        .into_iter()
        .map(|r| (r["remote_id"].as_str().unwrap_or("").to_owned(), r))
        .collect();
    ctx.h.admin.advance(60).await?;
    let churn = ctx
        .h
        .admin
        .churn_with_deletions(entity.as_str(), 3, 2, 2)
        .await?;
    let job = ctx.sync(&id, json!({"entities": [entity]})).await?;
    let p = &job["progress"][entity.as_str()];
    let counts = |f: &str| p[f].as_u64().unwrap_or(u64::MAX);
    let expected = (
        churn.created.len() as u64,
        churn.changed.len() as u64,
        churn.deleted.len() as u64,
    );
    ensure(
        (counts("created"), counts("updated"), counts("deleted")) == expected,
        format!(
            "the snapshot sync found {}/{}/{} created/changed/vanished, the source made {}/{}/{}",
            counts("created"),
            counts("updated"),
            counts("deleted"),
            expected.0,
            expected.1,
            expected.2
        ),
        || job_evidence(&job),
    )?;
    let served = ctx.served(&id, entity).await?;
    let truth = ctx.truth(entity, None).await?;
    ctx.expect_exact("after the second snapshot", &served, &truth)?;
    // Untouched records keep the stamp of the read that first saw them.
    let touched: std::collections::BTreeSet<&String> =
        churn.changed.iter().chain(&churn.created).collect();
    let moved: Vec<String> = served
        .iter()
        .filter(|r| {
            let rid = r["remote_id"].as_str().unwrap_or("").to_owned();
            !touched.contains(&rid)
                && first
                    .get(&rid)
                    .is_some_and(|f| f["remote_updated_at"] != r["remote_updated_at"] || f != *r)
        })
        .filter_map(|r| r["remote_id"].as_str().map(str::to_owned))
        .collect();
    ensure(
        moved.is_empty(),
        "records the source did not change were touched",
        || Evidence {
            notes: moved.iter().take(10).cloned().collect(),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!(
        "{} changed, {} new, {} vanished; {} untouched",
        expected.1,
        expected.0,
        expected.2,
        served.len() as u64 - expected.0 - expected.1
    ));
    Ok(())
}

pub(crate) async fn source_clock_decides(ctx: &mut Ctx) -> Step {
    // The emulator's clock runs on its own: a connector that read the local clock anywhere would
    // ask for the wrong window.
    let source_now = ctx.h.admin.now().await?;
    let skew = source_now - Utc::now();
    ensure(
        skew.num_minutes().abs() >= 10,
        format!(
            "the emulator's clock is only {} minutes off the local one",
            skew.num_minutes()
        ),
        Default::default,
    )?;
    let (id, _) = initial(ctx, 30).await?;
    let since = source_now - Duration::days(30);
    for (advance, changed, created) in [(600, 3, 2), (1, 2, 0), (0, 1, 1)] {
        ctx.h.admin.advance(advance).await?;
        ctx.h.admin.churn(PO.as_str(), changed, created).await?;
        ctx.sync(&id, json!({"mode": "incremental", "entities": [PO]}))
            .await?;
        let served = ctx.served(&id, PO).await?;
        let truth = ctx.truth(PO, Some(since)).await?;
        ctx.expect_exact(
            &format!("incremental sync after +{advance} s"),
            &served,
            &truth,
        )?;
    }
    ctx.note(format!(
        "the source's clock is {} days off the local one",
        skew.num_days()
    ));
    Ok(())
}
