//! WRITE: writes through the unified API, checked against what the emulator holds.

use super::no_write_since;
use crate::context::{
    Ctx, Outcome, Step, default_settings, ensure, evidence_of, expect_problem, expect_status,
};
use crate::systems::{self, same_decimal};
use mw_model::Entity;
use mw_reports::Evidence;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn decimal(v: &Value) -> Option<Decimal> {
    v.as_str().and_then(|s| s.parse().ok())
}

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
    let differences = systems::written_purchase_order_differences(ctx.system(), &body, &native);
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
    let operation = if entity == Entity::Inventory {
        "adjust"
    } else {
        "create"
    };
    let offered = caps["entities"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["entity"] == entity.as_str()))
        .and_then(|e| e["operations"].as_array())
        .is_some_and(|ops| ops.iter().any(|o| o == operation));
    if offered {
        return Err(Outcome::Skipped(format!(
            "the connector offers `{operation}` on {entity}; there is nothing to refuse"
        )));
    }
    let mark = ctx.h.admin.journal_mark().await?;
    let ex = ctx
        .h
        .api
        .post(
            &format!("/v1/connections/{id}/{entity}"),
            &json!({"name": "Millwright conformance"}),
        )
        .await?;
    expect_problem(&ex, 422, "not_supported", "a write the capabilities lack")?;
    no_write_since(ctx, mark).await
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
