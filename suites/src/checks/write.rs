//! WRITE: writes through the unified API, checked against what the emulator holds.

use super::no_write_since;
use crate::context::{
    Ctx, Outcome, Step, default_settings, ensure, evidence_of, expect_problem, expect_status,
};
use crate::systems::{self, decimal, same_decimal};
use mw_model::Entity;
use mw_reports::Evidence;
use rust_decimal::Decimal;
use serde_json::{Value, json};

pub(crate) async fn create_purchase_order(ctx: &mut Ctx) -> Step {
    let po = Entity::PurchaseOrders;
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, po, Some("create")).await?;
    let body = systems::purchase_order_body(ctx).await?;
    let created = ctx
        .h
        .api
        .post(&format!("/v1/connections/{id}/{po}"), &body)
        .await?;
    expect_status(&created, 201, "creating a purchase order")?;
    let Some(remote_id) = created.body["remote_id"].as_str().map(str::to_owned) else {
        return Err(Outcome::failed_at(
            "the created record has no remote_id",
            &created,
        ));
    };
    // The source holds exactly what was written, read in its own terms.
    let native = ctx.h.admin.record(po.as_str(), &remote_id).await?;
    let differences = systems::written_differences(ctx.system(), po, &body, &native);
    ensure(
        differences.is_empty(),
        "the source does not hold what was written",
        || Evidence {
            request: Some(created.request_line()),
            diff: Some(differences.join("\n")),
            notes: vec![format!("native record: {native}")],
            ..Evidence::default()
        },
    )?;
    // The API returns the record as written, and serves the same from the store.
    let lines = created.body["lines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let sent = body["lines"].as_array().cloned().unwrap_or_default();
    ensure(
        lines.len() == sent.len(),
        "the returned record has another number of lines",
        || evidence_of(&created),
    )?;
    for (got, want) in lines.iter().zip(&sent) {
        ensure(
            same_decimal(&got["quantity"], &want["quantity"])
                && same_decimal(&got["unit_price"], &want["unit_price"]),
            "a returned line differs from the line sent",
            || evidence_of(&created),
        )?;
    }
    let line_total: Option<Decimal> = lines.iter().map(|l| decimal(&l["amount"])).sum();
    ensure(
        line_total.is_some() && line_total == decimal(&created.body["total_amount"]),
        "total_amount is not the sum of the lines",
        || evidence_of(&created),
    )?;
    let record_id = created.body["id"].as_str().unwrap_or_default();
    let stored = ctx
        .h
        .api
        .get(&format!("/v1/connections/{id}/{po}/{record_id}"))
        .await?;
    expect_status(&stored, 200, "reading the created purchase order")?;
    ensure(
        stored.body == created.body,
        "the stored record differs from the one returned",
        || Evidence {
            diff: Some(format!(
                "returned: {}\nstored:   {}",
                created.body, stored.body
            )),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!("created {remote_id}"));
    Ok(())
}

pub(crate) async fn missing_write_is_not_supported(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    let caps = ctx.capabilities(&id).await?;
    let offered: Vec<String> = caps["entities"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["entity"] == entity.as_str()))
        .and_then(|e| e["operations"].as_array())
        .map(|ops| {
            ops.iter()
                .filter_map(|o| o.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let create = if entity == Entity::Inventory {
        "adjust"
    } else {
        "create"
    };
    // Each write the capabilities lack, as a client would send it; the record named is a real one
    // where the entity has any, so only the capability can stop it.
    let record = ctx
        .h
        .admin
        .truth(entity.as_str(), None, None)
        .await
        .ok()
        .and_then(|t| t.records.last().map(|r| crate::api_path_segment(&r.id)))
        .unwrap_or_else(|| "0".into());
    let base = format!("/v1/connections/{id}/{entity}");
    let body = json!({"name": "Millwright conformance"});
    let attempts = [
        (create, reqwest::Method::POST, base.clone(), Some(&body)),
        (
            "update",
            reqwest::Method::PATCH,
            format!("{base}/{record}"),
            Some(&body),
        ),
        (
            "delete",
            reqwest::Method::DELETE,
            format!("{base}/{record}"),
            None,
        ),
    ];
    let lacking: Vec<_> = attempts
        .into_iter()
        .filter(|(op, ..)| !offered.iter().any(|o| o == op))
        .collect();
    if lacking.is_empty() {
        return Err(Outcome::Skipped(format!(
            "the connector offers every write on {entity}; there is nothing to refuse"
        )));
    }
    let mark = ctx.h.admin.journal_mark().await?;
    let mut refused = Vec::new();
    for (op, method, path, body) in lacking {
        let ex = ctx.h.api.send(method, &path, body).await?;
        expect_problem(
            &ex,
            422,
            "not_supported",
            &format!("`{op}`, which the capabilities lack"),
        )?;
        refused.push(op);
    }
    no_write_since(ctx, mark).await?;
    ctx.note(format!("refused: {}", refused.join(", ")));
    Ok(())
}

pub(crate) async fn idempotency_key_makes_a_create_safe_to_retry(ctx: &mut Ctx) -> Step {
    let po = Entity::PurchaseOrders;
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, po, Some("create")).await?;
    let body = systems::purchase_order_body(ctx).await?;
    let path = format!("/v1/connections/{id}/{po}");
    let key = [("Idempotency-Key", "millwright-write-007")];
    let before = ctx.h.admin.truth(po.as_str(), None, None).await?.count;
    let mark = ctx.h.admin.journal_mark().await?;
    let api = &ctx.h.api;
    let post = async |body: &serde_json::Value| {
        api.send_with(reqwest::Method::POST, &path, Some(body), &key)
            .await
    };
    let first = post(&body).await?;
    expect_status(&first, 201, "the first create with an Idempotency-Key")?;
    let again = post(&body).await?;
    expect_status(&again, 201, "the same create sent again with the same key")?;
    ensure(
        again.body == first.body,
        "the retry answered another record than the first create",
        || Evidence {
            diff: Some(format!("first: {}\nretry: {}", first.body, again.body)),
            ..Evidence::default()
        },
    )?;
    let mut other = body.clone();
    other["lines"][0]["quantity"] = json!("99");
    let reused = post(&other).await?;
    expect_problem(
        &reused,
        422,
        "idempotency_key_reused",
        "the same key with another body",
    )?;
    let after = ctx.h.admin.truth(po.as_str(), None, None).await?.count;
    let writes: Vec<_> = ctx
        .h
        .admin
        .journal(mark)
        .await?
        .into_iter()
        .filter(|e| e.is_write() && e.status.is_some_and(|s| s < 300))
        .collect();
    ensure(
        after == before + 1,
        format!(
            "the source holds {} new records, not 1",
            after.saturating_sub(before)
        ),
        || Evidence {
            notes: writes
                .iter()
                .map(|w| format!("{} {}", w.method, w.path))
                .collect(),
            ..evidence_of(&again)
        },
    )?;
    ctx.note(format!(
        "one record created ({}), the retry replayed{}",
        first.body["remote_id"].as_str().unwrap_or(""),
        if again.headers.contains_key("idempotent-replayed") {
            " (Idempotent-Replayed: true)"
        } else {
            ""
        }
    ));
    Ok(())
}

/// The newest record of `entity` in the emulator that the system still lets change, with its
/// native form.
async fn newest(ctx: &Ctx, entity: Entity) -> Step<(String, Value)> {
    newest_where(ctx, entity, systems::changeable, "can still be changed").await
}

/// The most recently changed record of `entity` that `fits` (among the last 50).
async fn newest_where(
    ctx: &Ctx,
    entity: Entity,
    fits: fn(&str, Entity, &Value) -> bool,
    what: &str,
) -> Step<(String, Value)> {
    let mut records = ctx
        .h
        .admin
        .truth(entity.as_str(), None, None)
        .await?
        .records;
    records.sort_by_key(|r| r.changed_at);
    for record in records.iter().rev().take(50) {
        let native = ctx.h.admin.record(entity.as_str(), &record.id).await?;
        if fits(ctx.system(), entity, &native) {
            return Ok((record.id.clone(), native));
        }
    }
    Err(Outcome::failed(
        format!("the emulator holds no {entity} that {what}"),
        Evidence::default(),
    ))
}

/// Creates a record of the check's entity and compares the source's record with what was sent.
async fn create_and_compare(ctx: &mut Ctx, entity: Entity) -> Step<Value> {
    let probe = ctx.connect(default_settings()).await?;
    ctx.require(&probe, entity, Some("create")).await?;
    // Write defaults (organisation, types) come from the source's own records, as a customer's
    // integration engineer would configure them.
    let setup = systems::create_setup(ctx, entity).await?;
    let id = ctx.connect(setup.settings.clone()).await?;
    let created = ctx
        .h
        .api
        .post(&format!("/v1/connections/{id}/{entity}"), &setup.body)
        .await?;
    expect_status(&created, 201, &format!("creating {entity}"))?;
    let Some(remote_id) = created.body["remote_id"].as_str().map(str::to_owned) else {
        return Err(Outcome::failed_at(
            "the created record has no remote_id",
            &created,
        ));
    };
    let native = ctx.h.admin.record(entity.as_str(), &remote_id).await?;
    let differences = systems::written_differences(ctx.system(), entity, &setup.body, &native);
    ensure(
        differences.is_empty(),
        "the source does not hold what was written",
        || Evidence {
            request: Some(created.request_line()),
            diff: Some(differences.join("\n")),
            notes: vec![format!("native record: {native}")],
            ..Evidence::default()
        },
    )?;
    let record_id = created.body["id"].as_str().unwrap_or_default();
    let stored = ctx
        .h
        .api
        .get(&format!("/v1/connections/{id}/{entity}/{record_id}"))
        .await?;
    ensure(
        stored.body == created.body,
        "the stored record differs from the one returned",
        || Evidence {
            diff: Some(format!(
                "returned: {}\nstored:   {}",
                created.body, stored.body
            )),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!("created {remote_id}"));
    Ok(created.body)
}

pub(crate) async fn create_record(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    create_and_compare(ctx, entity).await.map(|_| ())
}

pub(crate) async fn create_vendor(ctx: &mut Ctx) -> Step {
    create_and_compare(ctx, Entity::Vendors).await.map(|_| ())
}

/// Top-level native fields whose values are allowed to change with any write.
const STAMPS: &[&str] = &[
    "LastChangeDateTime",
    "LastChangeDate",
    "LastChangeTime",
    "LastChangedByUser",
    "LastChangeByUser",
    "ETag",
    "__metadata",
    "lastModifiedDate",
    "changedate",
    "changeby",
    "_rowstamp",
];

pub(crate) async fn update_changes_exactly_that(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, entity, Some("update")).await?;
    let (remote_id, before) = newest(ctx, entity).await?;
    let systems::UpdateSetup {
        patch,
        expected,
        derived,
    } = systems::update_setup(ctx.system(), entity, &before)?;
    let updated = ctx
        .h
        .api
        .send(
            reqwest::Method::PATCH,
            &format!(
                "/v1/connections/{id}/{entity}/{}",
                crate::api_path_segment(&remote_id)
            ),
            Some(&patch),
        )
        .await?;
    expect_status(&updated, 200, &format!("updating {entity}"))?;
    ensure(
        updated.body["remote_id"] == remote_id,
        "the answer is another record",
        || evidence_of(&updated),
    )?;
    let after = ctx.h.admin.record(entity.as_str(), &remote_id).await?;
    let mut problems = Vec::new();
    for (field, want) in &expected {
        let got = systems::find(&after, field).cloned().unwrap_or(Value::Null);
        if !(same_decimal(&got, want) || got == *want) {
            problems.push(format!(
                "{field}: the source holds {got}, the change said {want}"
            ));
        }
    }
    // Nothing else at the top level moved (stamps aside).
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, v) in b {
            let expected_change = expected.iter().any(|(f, _)| f == k)
                || STAMPS.contains(&k.as_str())
                || derived.contains(&k.as_str());
            if !expected_change && !v.is_object() && !v.is_array() && a.get(k) != Some(v) {
                problems.push(format!(
                    "{k} changed from {v} to {}",
                    a.get(k).unwrap_or(&Value::Null)
                ));
            }
        }
    }
    ensure(
        problems.is_empty(),
        "the source does not hold exactly the change",
        || Evidence {
            request: Some(updated.request_line()),
            diff: Some(problems.join("\n")),
            ..Evidence::default()
        },
    )?;
    ctx.note(format!("updated {remote_id}"));
    Ok(())
}

pub(crate) async fn delete_as_the_source_does(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, entity, Some("delete")).await?;
    // A source whose own records cannot be deleted (Maximo cancels only orders waiting on
    // approval) gets one created for the purpose.
    let remote_id = match newest_where(ctx, entity, systems::deletable, "can be deleted").await {
        Ok((remote_id, _)) => remote_id,
        Err(none) => match created_for_deletion(ctx, entity).await? {
            Some(remote_id) => remote_id,
            None => return Err(none),
        },
    };
    let deleted = ctx
        .h
        .api
        .delete(&format!(
            "/v1/connections/{id}/{entity}/{}",
            crate::api_path_segment(&remote_id)
        ))
        .await?;
    match deleted.status {
        200 => {
            let native = ctx.h.admin.record(entity.as_str(), &remote_id).await?;
            ensure(
                systems::shows_deleted(ctx.system(), entity, &native),
                "the source's record does not show the deletion",
                || Evidence {
                    notes: vec![format!("native record: {native}")],
                    ..evidence_of(&deleted)
                },
            )?;
            let status = deleted.body["status"].as_str().unwrap_or("");
            ensure(
                matches!(status, "cancelled" | "decommissioned" | "blocked"),
                format!("the record the API returns has status `{status}`"),
                || evidence_of(&deleted),
            )?;
            ctx.note(format!("{remote_id} kept by the source, marked deleted"));
        }
        204 => {
            let still = ctx.h.admin.record(entity.as_str(), &remote_id).await;
            ensure(still.is_err(), "the source still holds the record", || {
                evidence_of(&deleted)
            })?;
            let gone = ctx
                .h
                .api
                .get(&format!(
                    "/v1/connections/{id}/{entity}/{}",
                    crate::api_path_segment(&remote_id)
                ))
                .await?;
            expect_problem(&gone, 404, "not_found", "reading a deleted record")?;
        }
        _ => {
            return Err(Outcome::failed_at(
                "a delete answered neither 200 nor 204",
                &deleted,
            ));
        }
    }
    Ok(())
}

/// A record created through the API to be deleted, when the connector creates `entity` records;
/// its remote id.
async fn created_for_deletion(ctx: &mut Ctx, entity: Entity) -> Step<Option<String>> {
    let probe = ctx.connect(default_settings()).await?;
    if ctx.require(&probe, entity, Some("create")).await.is_err() {
        return Ok(None);
    }
    let setup = systems::create_setup(ctx, entity).await?;
    let id = ctx.connect(setup.settings.clone()).await?;
    let created = ctx
        .h
        .api
        .post(&format!("/v1/connections/{id}/{entity}"), &setup.body)
        .await?;
    expect_status(&created, 201, &format!("creating {entity} to delete"))?;
    let remote_id = created.body["remote_id"].as_str().map(str::to_owned);
    ctx.note(format!(
        "no {entity} of the source could be deleted; created {} to delete",
        remote_id.as_deref().unwrap_or("?")
    ));
    Ok(remote_id)
}

pub(crate) async fn stale_version_is_refused(ctx: &mut Ctx) -> Step {
    let entity = ctx.entity();
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, entity, Some("update")).await?;
    let caps = ctx.capabilities(&id).await?;
    let versioned = caps["entities"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["entity"] == entity.as_str()))
        .is_some_and(|e| e["optimistic_concurrency"] == true);
    if !versioned {
        return Err(Outcome::Skipped(format!(
            "the connector declares no optimistic concurrency for {entity} (the source offers no version token for it)"
        )));
    }
    ctx.sync(&id, json!({"entities": [entity]})).await?;
    let (remote_id, before) = newest(ctx, entity).await?;
    let patch = systems::update_setup(ctx.system(), entity, &before)?.patch;
    let path = format!(
        "/v1/connections/{id}/{entity}/{}",
        crate::api_path_segment(&remote_id)
    );
    let current = ctx.h.api.get(&path).await?;
    let Some(version) = current.body["remote_version"].as_str().map(str::to_owned) else {
        return Err(Outcome::failed_at(
            "a versioned entity's record has no remote_version",
            &current,
        ));
    };
    let api = &ctx.h.api;
    let first = api
        .send_with(
            reqwest::Method::PATCH,
            &path,
            Some(&patch),
            &[("If-Match", &version)],
        )
        .await?;
    expect_status(&first, 200, "an update with the current version")?;
    let native = ctx.h.admin.record(entity.as_str(), &remote_id).await?;
    let stale = api
        .send_with(
            reqwest::Method::PATCH,
            &path,
            Some(&patch),
            &[("If-Match", &version)],
        )
        .await?;
    expect_problem(&stale, 409, "conflict", "an update with a stale version")?;
    let unchanged = ctx.h.admin.record(entity.as_str(), &remote_id).await?;
    ensure(
        unchanged == native,
        "the stale update changed the source",
        || evidence_of(&stale),
    )?;
    Ok(())
}

pub(crate) async fn status_changes_follow_the_source(ctx: &mut Ctx) -> Step {
    let wo = Entity::WorkOrders;
    let probe = ctx.connect(default_settings()).await?;
    ctx.require(&probe, wo, Some("update_status")).await?;
    ctx.require(&probe, wo, Some("create")).await?;
    let setup = systems::create_setup(ctx, wo).await?;
    let id = ctx.connect(setup.settings.clone()).await?;
    // A fresh order starts where every lifecycle starts.
    let created = ctx
        .h
        .api
        .post(&format!("/v1/connections/{id}/{wo}"), &setup.body)
        .await?;
    expect_status(&created, 201, "creating a work order to move")?;
    let remote_id = created.body["remote_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!(
        "/v1/connections/{id}/{wo}/{}/status",
        crate::api_path_segment(&remote_id)
    );
    let system = ctx.system().to_owned();
    let (legal, illegal) = systems::status_scenario(&system);
    for &target in legal {
        let moved = ctx.h.api.post(&path, &json!({"status": target})).await?;
        expect_status(&moved, 200, &format!("moving the work order to {target}"))?;
        ensure(
            moved.body["status"] == target,
            format!("the answer is not `{target}`"),
            || evidence_of(&moved),
        )?;
        let native = ctx.h.admin.record(wo.as_str(), &remote_id).await?;
        let token = systems::status_token(&system, target);
        let status = systems::native_status(&system, &native);
        ensure(
            status.split_whitespace().any(|t| t == token),
            format!("the source shows `{status}`, not `{token}`"),
            || evidence_of(&moved),
        )?;
    }
    let before = ctx.h.admin.record(wo.as_str(), &remote_id).await?;
    // A step the source's lifecycle forbids from here: the source says why.
    let refused = ctx.h.api.post(&path, &json!({"status": illegal})).await?;
    let code = refused.code().unwrap_or("");
    ensure(
        matches!(
            (refused.status, code),
            (422, "validation_failed") | (409, "conflict")
        ),
        format!(
            "an illegal transition answered HTTP {} `{code}`",
            refused.status
        ),
        || evidence_of(&refused),
    )?;
    let upstream = &refused.body["upstream"];
    ensure(
        upstream["code"].as_str().is_some_and(|c| !c.is_empty())
            && upstream["message"].as_str().is_some_and(|m| !m.is_empty()),
        "the source's reason is not kept under `upstream`",
        || evidence_of(&refused),
    )?;
    let after = ctx.h.admin.record(wo.as_str(), &remote_id).await?;
    ensure(
        after == before,
        "the refused transition changed the source",
        || evidence_of(&refused),
    )?;
    ctx.note(format!(
        "{remote_id}: requested → {}; then {illegal} refused with {}",
        legal.join(" → "),
        upstream["code"].as_str().unwrap_or("")
    ));
    Ok(())
}

pub(crate) async fn adjustment_moves_stock_by_the_delta(ctx: &mut Ctx) -> Step {
    let inv = Entity::Inventory;
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, inv, Some("adjust")).await?;
    let system = ctx.system().to_owned();
    let level = systems::stocked_level(ctx).await?;
    let start = systems::truth_quantity(&system, &level).unwrap_or_default();
    let mut expected = start;
    for delta in ["5.5", "-3"] {
        let body = systems::adjustment_body(ctx, &level, delta).await?;
        let adjusted = ctx
            .h
            .api
            .post(&format!("/v1/connections/{id}/{inv}"), &body)
            .await?;
        expect_status(&adjusted, 200, &format!("adjusting by {delta}"))?;
        expected += delta.parse::<Decimal>().unwrap_or_default();
        let now = ctx
            .truth(inv, None)
            .await?
            .into_iter()
            .find(|t| t.id == level.id)
            .and_then(|t| systems::truth_quantity(&system, &t));
        ensure(
            now == Some(expected),
            format!("the source holds {now:?}, expected {expected}"),
            || evidence_of(&adjusted),
        )?;
        let served = decimal(&adjusted.body["quantity_on_hand"]);
        ensure(
            served == Some(expected),
            format!("the API answers {served:?}, expected {expected}"),
            || evidence_of(&adjusted),
        )?;
    }
    ctx.note(format!("{}: {start} → {expected}", level.id));
    Ok(())
}
