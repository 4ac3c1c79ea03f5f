//! AUTH: connecting a system.

use super::{connection_count, no_secret_in, upstream_status};
use crate::context::{
    Ctx, Outcome, Step, default_settings, ensure, evidence_of, expect_problem, expect_status,
};
use crate::systems;
use mw_reports::Evidence;
use serde_json::json;

pub(crate) async fn valid_credentials_connect(ctx: &mut Ctx) -> Step {
    let secrets = systems::secrets(&ctx.h.credentials());
    let ex = ctx
        .h
        .api
        .create_connection(
            ctx.system(),
            ctx.h.emulator_base_url(),
            &ctx.h.credentials(),
            default_settings(),
        )
        .await?;
    expect_status(&ex, 201, "connecting with valid credentials")?;
    no_secret_in(&ex, &secrets)?;
    ensure(
        ex.body.get("credentials").is_none(),
        "the response echoes the credentials",
        || evidence_of(&ex),
    )?;
    let id = ex.body["id"].as_str().unwrap_or_default().to_owned();
    let read = ctx.h.api.get(&format!("/v1/connections/{id}")).await?;
    expect_status(&read, 200, "reading the new connection")?;
    no_secret_in(&read, &secrets)?;
    // Usable: it syncs.
    ctx.sync(&id, json!({})).await?;
    ctx.note(format!("connected as {id} and synced"));
    Ok(())
}

pub(crate) async fn wrong_secret_is_refused(ctx: &mut Ctx) -> Step {
    let before = connection_count(ctx).await?;
    let wrong = systems::wrong_credentials(ctx.system(), &ctx.h.credentials());
    let ex = ctx
        .h
        .api
        .create_connection(
            ctx.system(),
            ctx.h.emulator_base_url(),
            &wrong,
            default_settings(),
        )
        .await?;
    expect_problem(
        &ex,
        422,
        "connection_auth_failed",
        "connecting with a wrong secret",
    )?;
    ensure(
        matches!(upstream_status(&ex), Some(401 | 403)),
        "the problem does not keep the upstream status",
        || evidence_of(&ex),
    )?;
    let after = connection_count(ctx).await?;
    ensure(
        after == before,
        format!("{} connections stored", after - before),
        || evidence_of(&ex),
    )?;
    ctx.note(format!(
        "refused with upstream status {}",
        upstream_status(&ex).unwrap_or(0)
    ));
    Ok(())
}

pub(crate) async fn unreachable_system_is_refused(ctx: &mut Ctx) -> Step {
    // A port that was just free and is closed again: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Outcome::failed(e.to_string(), Default::default()))?;
        l.local_addr()
            .map_err(|e| Outcome::failed(e.to_string(), Default::default()))?
            .port()
    };
    let before = connection_count(ctx).await?;
    let started = std::time::Instant::now();
    let ex = ctx
        .h
        .api
        .create_connection(
            ctx.system(),
            &format!("http://127.0.0.1:{port}"),
            &ctx.h.credentials(),
            default_settings(),
        )
        .await?;
    let elapsed = started.elapsed();
    expect_problem(
        &ex,
        502,
        "upstream_unavailable",
        "connecting to a closed port",
    )?;
    // A refused connection is immediate; anything near a timeout means the refusal was missed.
    ensure(elapsed.as_secs() < 30, format!("took {elapsed:?}"), || {
        evidence_of(&ex)
    })?;
    let after = connection_count(ctx).await?;
    ensure(after == before, "a connection was stored", || {
        evidence_of(&ex)
    })?;
    ctx.note(format!("refused in {} ms", elapsed.as_millis()));
    Ok(())
}

pub(crate) async fn no_secret_in_responses(ctx: &mut Ctx) -> Step {
    let secrets = systems::secrets(&ctx.h.credentials());
    ensure(
        !secrets.is_empty(),
        "the manifest lists no secrets to look for",
        Default::default,
    )?;
    let id = ctx.connect(default_settings()).await?;
    ctx.sync(&id, json!({})).await?;
    let paths = [
        "/v1/connections".to_owned(),
        format!("/v1/connections/{id}"),
        format!("/v1/connections/{id}/capabilities"),
        format!("/v1/connections/{id}/syncs"),
        format!("/v1/connections/{id}/purchase-orders?limit=5"),
    ];
    let mut seen = 0;
    for path in &paths {
        let ex = ctx.h.api.get(path).await?;
        no_secret_in(&ex, &secrets)?;
        seen += 1;
    }
    // Refusals too: a failed connection must not quote what it was given.
    let wrong = systems::wrong_credentials(ctx.system(), &ctx.h.credentials());
    let refused = ctx
        .h
        .api
        .create_connection(
            ctx.system(),
            ctx.h.emulator_base_url(),
            &wrong,
            default_settings(),
        )
        .await?;
    let wrong_secrets = systems::secrets(&wrong);
    no_secret_in(&refused, &wrong_secrets)?;
    no_secret_in(&refused, &secrets)?;
    if !mw_harness::logs::capturing() {
        return Err(Outcome::failed(
            "log lines are not captured in this process, so they cannot be searched",
            Evidence {
                notes: vec!["call mw_harness::logs::install() before running the check".into()],
                ..Evidence::default()
            },
        ));
    }
    for s in secrets.iter().chain(&wrong_secrets) {
        let leaked = mw_harness::logs::lines_containing(s);
        ensure(leaked.is_empty(), "a secret appears in a log line", || {
            Evidence {
                notes: leaked.iter().take(5).cloned().collect(),
                ..Evidence::default()
            }
        })?;
    }
    ctx.note(format!(
        "{} responses and {} log lines searched for {} secrets",
        seen + 1,
        mw_harness::logs::len(),
        secrets.len() + wrong_secrets.len()
    ));
    Ok(())
}

pub(crate) async fn revoked_credentials_fail_the_next_sync(ctx: &mut Ctx) -> Step {
    let po = mw_model::Entity::PurchaseOrders;
    let id = ctx.connect(default_settings()).await?;
    ctx.require(&id, po, None).await?;
    ctx.sync(&id, json!({"entities": [po]})).await?;
    let since = ctx.h.admin.now().await? - chrono::Duration::days(30);
    let before = ctx.served(&id, po).await?;
    ctx.h.admin.revoke_credentials().await?;
    ctx.h.admin.advance(60).await?;
    ctx.h.admin.churn(po.as_str(), 3, 1).await?;
    let (_, failed) = ctx.h.api.sync(&id, json!({"entities": [po]})).await?;
    ensure(
        failed.body["state"] == "failed"
            && failed.body["error"]["code"] == "connection_auth_failed",
        "a sync with revoked credentials did not fail with `connection_auth_failed`",
        || evidence_of(&failed),
    )?;
    let connection = ctx.h.api.get(&format!("/v1/connections/{id}")).await?;
    ensure(
        connection.body["status"] == "needs_reauth",
        "the connection is not marked as needing re-authentication",
        || evidence_of(&connection),
    )?;
    let during = ctx.served(&id, po).await?;
    ensure(
        during == before,
        "records changed or vanished while the credentials were revoked",
        Default::default,
    )?;
    // Once access is restored, the next sync picks up everything it missed.
    ctx.h.admin.restore_credentials().await?;
    ctx.sync(&id, json!({"entities": [po]})).await?;
    let after = ctx.served(&id, po).await?;
    let truth = ctx.truth(po, Some(since)).await?;
    ctx.expect_exact("after access was restored", &after, &truth)?;
    let connection = ctx.h.api.get(&format!("/v1/connections/{id}")).await?;
    ensure(
        connection.body["status"] == "active",
        "the connection stays flagged after a successful sync",
        || evidence_of(&connection),
    )?;
    Ok(())
}

pub(crate) async fn expiring_tokens_are_renewed(ctx: &mut Ctx) -> Step {
    let po = mw_model::Entity::PurchaseOrders;
    let id = ctx
        .connect_oauth2(json!({"initial_lookback_days": 30, "page_size": 5}))
        .await?;
    ctx.require(&id, po, None).await?;
    let since = ctx.h.admin.now().await? - chrono::Duration::days(30);
    let mark = ctx.h.admin.journal_mark().await?;
    let job = ctx.start_sync(&id, po).await?;
    // Expire the token once the sync has committed a page (tokens live an hour on the source's
    // clock), so the rest of the read needs a new one.
    let mut expired_mid_sync = false;
    for _ in 0..200 {
        let state = ctx.h.api.get(&format!("/v1/syncs/{job}")).await?;
        if matches!(state.body["state"].as_str(), Some("succeeded" | "failed")) {
            break;
        }
        if state.body["progress"][po.as_str()]["read"]
            .as_u64()
            .unwrap_or(0)
            > 0
        {
            ctx.h.admin.advance(3601).await?;
            expired_mid_sync = true;
            break;
        }
    }
    let done = ctx
        .h
        .api
        .get(&format!("/v1/syncs/{job}?wait_seconds=60"))
        .await?;
    ensure(
        done.body["state"] == "succeeded",
        "the sync did not survive expiring tokens",
        || evidence_of(&done),
    )?;
    // A second sync, hours later on the source's clock, needs a fresh token too.
    ctx.h.admin.advance(7200).await?;
    ctx.h.admin.churn(po.as_str(), 2, 1).await?;
    ctx.sync(&id, json!({"entities": [po]})).await?;
    let served = ctx.served(&id, po).await?;
    let truth = ctx.truth(po, Some(since)).await?;
    ctx.expect_exact("after syncs across expired tokens", &served, &truth)?;
    let token_requests = ctx
        .h
        .admin
        .journal(mark)
        .await?
        .into_iter()
        .filter(|e| e.path.contains("oauth2") && e.path.ends_with("/token"))
        .count();
    ensure(
        token_requests >= 2,
        format!("only {token_requests} token request(s): no token was renewed"),
        Default::default,
    )?;
    ctx.note(format!(
        "{token_requests} tokens fetched; {}",
        if expired_mid_sync {
            "one expired while the first sync paged"
        } else {
            "the first sync ended before its token could be aged; the second began with an expired one"
        }
    ));
    Ok(())
}
