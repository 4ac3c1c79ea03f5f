//! ERR: bad input and refusals.

use super::{connection_count, no_write_since};
use crate::context::{Ctx, Outcome, Step, default_settings, ensure, evidence_of, expect_problem};
use crate::systems;
use mw_model::Entity;
use mw_reports::Evidence;
use reqwest::Method;
use serde_json::{Value, json};

fn paths(ex: &mw_harness::Exchange) -> Vec<String> {
    ex.body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .filter_map(|e| e["path"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn invalid_body_reaches_nothing(ctx: &mut Ctx) -> Step {
    let po = Entity::PurchaseOrders;
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, po, Some("create")).await?;
    ctx.sync(&id, json!({"entities": [po]})).await?;
    let before = ctx.served(&id, po).await?;
    let valid = systems::purchase_order_body(ctx).await?;
    let mut no_lines = valid.clone();
    no_lines["lines"] = json!([]);
    let mut wrong_type = valid.clone();
    wrong_type["lines"][0]["quantity"] = json!({"value": 3});
    let mut no_vendor = valid.clone();
    no_vendor
        .as_object_mut()
        .map(|o| o.remove("vendor_remote_id"));
    let mut negative = valid.clone();
    negative["lines"][1]["quantity"] = json!("-2");
    let (system_rule, system_invalid, system_path) =
        systems::invalid_to_the_system(ctx.system(), &valid);
    let cases: [(&str, Value, &str); 5] = [
        ("no lines", no_lines, "$.lines"),
        (
            "a quantity of the wrong type",
            wrong_type,
            "$.lines[0].quantity",
        ),
        ("no vendor", no_vendor, "$.vendor_remote_id"),
        ("a negative quantity", negative, "$.lines[1].quantity"),
        (system_rule, system_invalid, system_path),
    ];
    let mark = ctx.h.admin.journal_mark().await?;
    for (what, body, path) in cases {
        let ex = ctx
            .h
            .api
            .post(&format!("/v1/connections/{id}/{po}"), &body)
            .await?;
        expect_problem(
            &ex,
            422,
            "validation_failed",
            &format!("a body with {what}"),
        )?;
        ensure(
            paths(&ex).iter().any(|p| p == path),
            format!("a body with {what}: no error at `{path}`"),
            || evidence_of(&ex),
        )?;
    }
    no_write_since(ctx, mark).await?;
    let after = ctx.served(&id, po).await?;
    ensure(before == after, "the store changed", Default::default)?;
    Ok(())
}

pub(crate) async fn unknown_id_is_not_found(ctx: &mut Ctx) -> Step {
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, Entity::PurchaseOrders, None).await?;
    ctx.sync(&id, json!({"entities": ["purchase-orders"]}))
        .await?;
    let unknown = [
        format!("/v1/connections/{id}/purchase-orders/{}", uuid_like()),
        format!("/v1/connections/{id}/purchase-orders/NO-SUCH-ORDER"),
        format!("/v1/syncs/{}", uuid_like()),
        format!("/v1/connections/{}", uuid_like()),
    ];
    for path in unknown {
        let ex = ctx.h.api.get(&path).await?;
        expect_problem(&ex, 404, "not_found", &format!("GET {path}"))?;
    }
    Ok(())
}

fn uuid_like() -> String {
    "0190f2a4-0000-7000-8000-00000000beef".to_owned()
}

pub(crate) async fn malformed_requests_are_refused(ctx: &mut Ctx) -> Step {
    let before = connection_count(ctx).await?;
    let api = &ctx.h.api;
    let post = |ct: Option<&'static str>, body: Vec<u8>| {
        api.send_raw(Method::POST, "/v1/connections", ct, Some(body), &[])
    };
    let malformed = post(
        Some("application/json"),
        br#"{"system": "sap", "base_url": "#.to_vec(),
    )
    .await?;
    expect_problem(&malformed, 400, "malformed_json", "malformed JSON")?;
    let text = post(Some("text/plain"), br#"{"system": "sap"}"#.to_vec()).await?;
    expect_problem(&text, 415, "unsupported_media_type", "a text/plain body")?;
    let mut huge = br#"{"system": "sap", "base_url": ""#.to_vec();
    huge.extend(std::iter::repeat_n(b'x', 2 << 20));
    huge.extend(br#""}"#);
    let oversized = post(Some("application/json"), huge).await?;
    expect_problem(&oversized, 413, "payload_too_large", "a 2 MiB body")?;
    let after = connection_count(ctx).await?;
    ensure(after == before, "a connection was stored", || {
        evidence_of(&malformed)
    })?;
    Ok(())
}

pub(crate) async fn other_tenants_connection_is_not_found(ctx: &mut Ctx) -> Step {
    let Some(other_key) = ctx.h.second_tenant_key().await? else {
        return Err(Outcome::Skipped(
            "needs a second tenant's API key, which only the built-in API can mint".into(),
        ));
    };
    let id = ctx.connect(default_settings()).await?;
    let other = ctx.h.api.with_key(&other_key);
    let theirs = other.get(&format!("/v1/connections/{id}")).await?;
    let unknown = ctx
        .h
        .api
        .get(&format!("/v1/connections/{}", uuid_like()))
        .await?;
    expect_problem(&theirs, 404, "not_found", "another tenant's connection")?;
    expect_problem(&unknown, 404, "not_found", "an unknown connection")?;
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().map(|o| o.remove("request_id"));
        v
    };
    ensure(
        strip(&theirs.body) == strip(&unknown.body),
        "the two 404s can be told apart",
        || Evidence {
            diff: Some(format!(
                "another tenant's: {}\nunknown:          {}",
                theirs.body, unknown.body
            )),
            ..Evidence::default()
        },
    )?;
    let deleted = other.delete(&format!("/v1/connections/{id}")).await?;
    expect_problem(
        &deleted,
        404,
        "not_found",
        "deleting another tenant's connection",
    )?;
    let still = ctx.h.api.get(&format!("/v1/connections/{id}")).await?;
    ensure(
        still.status == 200,
        "another tenant deleted the connection",
        || evidence_of(&still),
    )?;
    let listed = other.get("/v1/connections").await?;
    ensure(
        listed.body["data"].as_array().is_some_and(Vec::is_empty),
        "another tenant lists the connection",
        || evidence_of(&listed),
    )?;
    Ok(())
}

/// How many records of `entity` the emulator holds.
async fn source_count(ctx: &Ctx, entity: Entity) -> Step<usize> {
    Ok(ctx.h.admin.truth(entity.as_str(), None, None).await?.count)
}

pub(crate) async fn business_refusal_keeps_the_native_answer(ctx: &mut Ctx) -> Step {
    let po = Entity::PurchaseOrders;
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, po, Some("create")).await?;
    let mut body = systems::purchase_order_body(ctx).await?;
    // A vendor number no system in the profile has.
    body["vendor_remote_id"] = json!("99999999");
    let before = source_count(ctx, po).await?;
    let ex = ctx
        .h
        .api
        .post(&format!("/v1/connections/{id}/{po}"), &body)
        .await?;
    let code = ex.code().unwrap_or("");
    ensure(
        ex.status == 422 && code == "validation_failed" || ex.status == 409 && code == "conflict",
        format!(
            "an unknown vendor: expected `validation_failed` or `conflict`, got HTTP {} `{code}`",
            ex.status
        ),
        || evidence_of(&ex),
    )?;
    let upstream = &ex.body["upstream"];
    ensure(
        upstream["status"].is_u64()
            && upstream["code"].as_str().is_some_and(|c| !c.is_empty())
            && upstream["message"].as_str().is_some_and(|m| !m.is_empty()),
        "the source's own code and message are not kept under `upstream`",
        || evidence_of(&ex),
    )?;
    let after = source_count(ctx, po).await?;
    ensure(
        after == before,
        "the source holds a new record after refusing",
        || evidence_of(&ex),
    )?;
    ctx.note(format!(
        "refused with {} {}",
        upstream["code"].as_str().unwrap_or(""),
        upstream["message"].as_str().unwrap_or("")
    ));
    Ok(())
}

pub(crate) async fn read_only_write_is_permission_denied(ctx: &mut Ctx) -> Step {
    let po = Entity::PurchaseOrders;
    let creds = ctx.h.credentials();
    let Some(readonly) = systems::readonly_credentials(ctx.system(), &creds) else {
        return Err(Outcome::failed(
            "the emulator's manifest lists no read-only user",
            Evidence {
                notes: vec![format!(
                    "credential fields: {:?}",
                    creds.as_object().map(|o| o.keys().collect::<Vec<_>>())
                )],
                ..Evidence::default()
            },
        ));
    };
    let ex = ctx
        .h
        .api
        .create_connection(
            ctx.system(),
            ctx.h.emulator_base_url(),
            &readonly,
            default_settings(),
        )
        .await?;
    crate::context::expect_status(&ex, 201, "connecting as the read-only user")?;
    let id = ex.body["id"].as_str().unwrap_or_default().to_owned();
    ctx.require(&id, po, Some("create")).await?;
    let body = systems::purchase_order_body(ctx).await?;
    let before = source_count(ctx, po).await?;
    let refused = ctx
        .h
        .api
        .post(&format!("/v1/connections/{id}/{po}"), &body)
        .await?;
    expect_problem(
        &refused,
        403,
        "permission_denied",
        "a read-only user's write",
    )?;
    ensure(
        refused.body["upstream"]["status"] == 403,
        "the upstream 403 is not kept",
        || evidence_of(&refused),
    )?;
    let after = source_count(ctx, po).await?;
    ensure(after == before, "the source holds a new record", || {
        evidence_of(&refused)
    })?;
    Ok(())
}
