//! RETRY: syncs that meet the failures real systems produce, and stay exact.
//!
//! Until the shared fault layer exists (issue 6), only what a system does natively is checked:
//! NetSuite's account concurrency limit (RETRY-004). The other RETRY checks join with the layer.

use crate::context::{Ctx, Outcome, Step, default_settings, ensure};
use chrono::Duration;
use mw_model::Entity;
use serde_json::{Value, json};

const PO: Entity = Entity::PurchaseOrders;

/// How long the check holds the account's slots at most, waiting for the connector to be refused.
const HOLD_POLLS: usize = 500;

/// NetSuite's concurrency limit: while every slot of the account is taken by "other
/// integrations", the connector's requests get 429 `CONCURRENCY_LIMIT_EXCEEDED` without
/// `Retry-After`; once slots free up, the sync must finish, exact.
pub(crate) async fn concurrency_limit_is_waited_out(ctx: &mut Ctx) -> Step {
    if ctx.system() != "netsuite" {
        return Err(Outcome::Skipped(
            "the system has no account concurrency limit of its own; 429s without Retry-After are injected by the fault layer (issue 6)"
                .into(),
        ));
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
