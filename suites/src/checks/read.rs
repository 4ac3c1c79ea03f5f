//! READ: records through the unified API, per entity.

use crate::context::{Ctx, Outcome, Step, default_settings, ensure, evidence_of, expect_problem};
use crate::systems::decimal;
use chrono::Duration;
use mw_harness::TruthRecord;
use mw_model::Entity;
use mw_reports::Evidence;
use rust_decimal::Decimal;
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

/// Where reviewed mapping snapshots live: `suites/snapshots/<system>/<entity>.json`, taken from
/// the `tiny` profile with seed 7.
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots");
/// Set to write missing or changed snapshots instead of failing; review the files afterwards.
const UPDATE_SNAPSHOTS: &str = "MILLWRIGHT_UPDATE_SNAPSHOTS";

pub(crate) async fn mapping_matches_snapshot_and_invariants(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, entity, None).await?;
    ctx.sync(&id, json!({"entities": [entity]})).await?;
    let served = ctx.served(&id, entity).await?;
    ensure(
        !served.is_empty(),
        "nothing was served, so nothing could be checked",
        Default::default,
    )?;
    let mut problems = Vec::new();
    for record in &served {
        problems.extend(invariants(entity, record));
    }
    // References resolve in the source's own records.
    let reference = match entity {
        Entity::PurchaseOrders => Some(("vendor_remote_id", Entity::Vendors)),
        Entity::WorkOrders => Some(("asset_remote_id", Entity::Assets)),
        Entity::Assets => Some(("parent_remote_id", Entity::Assets)),
        _ => None,
    };
    if let Some((field, target)) = reference {
        let known: std::collections::BTreeSet<String> = ctx
            .h
            .admin
            .truth(target.as_str(), None, None)
            .await?
            .records
            .into_iter()
            .map(|r| r.id)
            .collect();
        for record in &served {
            if let Some(r) = record[field].as_str().filter(|r| !known.contains(*r)) {
                problems.push(format!(
                    "{}: {field} `{r}` is not a {target} of the source",
                    record["remote_id"]
                ));
            }
        }
    }
    ensure(
        problems.is_empty(),
        "records break the model's invariants",
        || Evidence {
            diff: Some(
                problems
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            ..Evidence::default()
        },
    )?;
    // The reviewed snapshot holds the first records (by remote_id) of the tiny profile, seed 7.
    let (profile, seed) = (ctx.h.options.profile.clone(), ctx.h.options.seed);
    if (profile.as_str(), seed) != ("tiny", 7) {
        ctx.note(format!(
            "invariants hold for {} records; the snapshot is of tiny/7, not {profile}/{seed}",
            served.len()
        ));
        return Ok(());
    }
    let mut canonical: Vec<Value> = served.iter().map(without_envelope_ids).collect();
    canonical.sort_by(|a, b| a["remote_id"].as_str().cmp(&b["remote_id"].as_str()));
    canonical.truncate(3);
    let text = serde_json::to_string_pretty(&canonical).unwrap_or_default() + "\n";
    let path = std::path::Path::new(SNAPSHOTS)
        .join(ctx.system())
        .join(format!("{entity}.json"));
    let reviewed = std::fs::read_to_string(&path).ok();
    if reviewed.as_deref() == Some(text.as_str()) {
        ctx.note(format!(
            "invariants hold for {} records; matches {}",
            served.len(),
            path.display()
        ));
        return Ok(());
    }
    if std::env::var_os(UPDATE_SNAPSHOTS).is_some() {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(&path, &text).map_err(|e| {
            Outcome::failed(
                format!("cannot write {}: {e}", path.display()),
                Evidence::default(),
            )
        })?;
        ctx.note(format!("wrote {}: review it", path.display()));
        return Ok(());
    }
    Err(Outcome::failed(
        match reviewed {
            Some(_) => format!(
                "the mapping differs from the reviewed snapshot {}",
                path.display()
            ),
            None => format!(
                "no reviewed snapshot at {}; write it with {UPDATE_SNAPSHOTS}=1 and review it",
                path.display()
            ),
        },
        Evidence {
            diff: Some(line_diff(reviewed.as_deref().unwrap_or(""), &text)),
            ..Evidence::default()
        },
    ))
}

/// The record without the store's own ids, which differ on every run.
fn without_envelope_ids(record: &Value) -> Value {
    let mut r = record.clone();
    if let Some(o) = r.as_object_mut() {
        o.remove("id");
        o.remove("connection_id");
        o.remove("raw");
    }
    r
}

/// `-`/`+` lines where two texts differ (first 40).
fn line_diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<_>, Vec<_>) = (old.lines().collect(), new.lines().collect());
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                if let Some(x) = x {
                    out.push(format!("-{x}"));
                }
                if let Some(y) = y {
                    out.push(format!("+{y}"));
                }
            }
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.join("\n")
}

/// The model's invariants for one served record.
fn invariants(entity: Entity, r: &Value) -> Vec<String> {
    let id = r["remote_id"].as_str().unwrap_or("?");
    let mut out = Vec::new();
    for field in ["remote_updated_at", "remote_created_at"] {
        if let Some(t) = r[field].as_str()
            && !(t.ends_with('Z') && t.parse::<chrono::DateTime<chrono::Utc>>().is_ok())
        {
            out.push(format!("{id}: {field} `{t}` is not a UTC instant"));
        }
    }
    let exact = |v: &Value| v.as_str().is_some_and(|s| s.parse::<Decimal>().is_ok());
    match entity {
        Entity::PurchaseOrders => {
            let lines = r["lines"].as_array().cloned().unwrap_or_default();
            let mut sum = Decimal::ZERO;
            for l in &lines {
                for f in ["quantity", "unit_price", "price_unit", "amount"] {
                    if !exact(&l[f]) {
                        out.push(format!(
                            "{id}: line {} {f} is not an exact decimal string: {}",
                            l["line_number"], l[f]
                        ));
                    }
                }
                sum += decimal(&l["amount"]).unwrap_or_default();
            }
            if decimal(&r["total_amount"]) != Some(sum) {
                out.push(format!(
                    "{id}: total_amount {} is not the sum of the lines, {sum}",
                    r["total_amount"]
                ));
            }
        }
        Entity::Inventory => {
            if !exact(&r["quantity_on_hand"]) {
                out.push(format!(
                    "{id}: quantity_on_hand is not an exact decimal string: {}",
                    r["quantity_on_hand"]
                ));
            }
        }
        Entity::Assets => {
            if !(r["acquisition_cost"].is_null() || exact(&r["acquisition_cost"])) {
                out.push(format!(
                    "{id}: acquisition_cost is not an exact decimal string: {}",
                    r["acquisition_cost"]
                ));
            }
        }
        Entity::WorkOrders | Entity::Vendors => {}
    }
    out
}
