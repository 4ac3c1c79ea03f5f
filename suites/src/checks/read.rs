//! READ: records through the unified API, per entity.

use crate::context::{Ctx, Outcome, Step, default_settings, ensure, evidence_of, expect_problem};
use chrono::Duration;
use mw_harness::TruthRecord;
use mw_model::Entity;
use mw_reports::Evidence;
use serde_json::{Value, json};

/// Transactional entities are synced back `initial_lookback_days`; master data whole.
fn has_lookback(entity: Entity) -> bool {
    matches!(entity, Entity::PurchaseOrders | Entity::WorkOrders)
}

/// Connects, checks the entity is readable, runs an initial sync of it; returns the connection
/// and the truth it must match.
async fn synced(ctx: &mut Ctx) -> Step<(String, Vec<TruthRecord>)> {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, entity, None).await?;
    ctx.sync(&id, json!({"entities": [entity]})).await?;
    let since = if has_lookback(entity) {
        Some(ctx.h.admin.now().await? - Duration::days(30))
    } else {
        None
    };
    let truth = ctx.truth(entity, since).await?;
    Ok((id, truth))
}

pub(crate) async fn initial_sync_is_exact(ctx: &mut Ctx) -> Step {
    let (id, truth) = synced(ctx).await?;
    ensure(
        !truth.is_empty(),
        "the emulator's truth is empty, so exactness proves nothing",
        Default::default,
    )?;
    let served = ctx.served(&id, ctx.entity()).await?;
    ctx.expect_exact("initial sync", &served, &truth)
}

pub(crate) async fn paging_returns_every_record_once(ctx: &mut Ctx) -> Step {
    let (id, truth) = synced(ctx).await?;
    let entity = ctx.entity();
    let mut orders: Vec<(u32, Vec<String>)> = Vec::new();
    for limit in [1, 7, 500] {
        let records = match ctx
            .h
            .api
            .list_all(&id, entity.as_str(), limit, None)
            .await?
        {
            Ok(r) => r,
            Err(ex) => {
                return Err(Outcome::failed_at(
                    format!("paging with limit {limit} failed"),
                    &ex,
                ));
            }
        };
        ctx.expect_exact(&format!("paging with limit {limit}"), &records, &truth)?;
        let ids = records
            .iter()
            .map(|r| r["id"].as_str().unwrap_or("").to_owned())
            .collect();
        orders.push((limit, ids));
    }
    let (_, first) = &orders[0];
    for (limit, ids) in &orders[1..] {
        ensure(
            ids == first,
            format!("limit {limit} returns another order than limit 1"),
            || Evidence {
                diff: Some(format!(
                    "limit 1: {:?}…\nlimit {limit}: {:?}…",
                    &first[..first.len().min(5)],
                    &ids[..ids.len().min(5)]
                )),
                ..Evidence::default()
            },
        )?;
    }
    Ok(())
}

pub(crate) async fn modified_after_is_exact(ctx: &mut Ctx) -> Step {
    let (id, truth) = synced(ctx).await?;
    let mut stamps: Vec<_> = truth.iter().filter_map(|t| t.changed_at).collect();
    if stamps.is_empty() && !truth.is_empty() {
        return Err(Outcome::Skipped(format!(
            "the source does not stamp changes to {}; snapshot reads are checked by SYNC-007",
            ctx.entity()
        )));
    }
    stamps.sort();
    let Some(&pivot) = stamps.get(stamps.len() / 2) else {
        return Err(Outcome::failed(
            "the emulator's truth is empty",
            Evidence::default(),
        ));
    };
    let expected: Vec<TruthRecord> = truth
        .into_iter()
        .filter(|t| t.changed_at.is_some_and(|c| c > pivot))
        .collect();
    let pivot_text = pivot.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let served = match ctx
        .h
        .api
        .list_all(&id, ctx.entity().as_str(), 500, Some(&pivot_text))
        .await?
    {
        Ok(r) => r,
        Err(ex) => {
            return Err(Outcome::failed_at(
                "listing with modified_after failed",
                &ex,
            ));
        }
    };
    ctx.expect_exact(&format!("modified_after={pivot_text}"), &served, &expected)
}

pub(crate) async fn missing_entity_is_not_supported(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    let caps = ctx.capabilities(&id).await?;
    let entry = caps["entities"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["entity"] == entity.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
    if entry["read"] == true {
        return Err(Outcome::Skipped(format!(
            "the connector reads {entity}; there is nothing to refuse"
        )));
    }
    let list = ctx
        .h
        .api
        .get(&format!("/v1/connections/{id}/{entity}"))
        .await?;
    expect_problem(
        &list,
        422,
        "not_supported",
        "listing an entity the connector lacks",
    )?;
    let sync = ctx
        .h
        .api
        .post(
            &format!("/v1/connections/{id}/syncs"),
            &json!({"entities": [entity]}),
        )
        .await?;
    expect_problem(
        &sync,
        422,
        "not_supported",
        "syncing an entity the connector lacks",
    )?;
    ensure(
        entry.is_null() || entry["read"] == false,
        "the capabilities document does not say the entity is missing",
        || evidence_of(&list),
    )?;
    Ok(())
}
