//! The catalog: each check's stable ID, title and function. IDs and meanings follow
//! `shared/design/catalog.md`; an ID is never reused.

use crate::checks::{auth, err, read, retry, sync, write};
use crate::context::{Ctx, Step};
use mw_model::Entity;
use std::future::Future;
use std::pin::Pin;

pub type CheckFn = for<'a> fn(&'a mut Ctx) -> Pin<Box<dyn Future<Output = Step> + 'a>>;

pub struct CheckDef {
    pub id: &'static str,
    pub title: &'static str,
    /// Reported once per canonical entity (`READ-001/purchase-orders`).
    pub per_entity: bool,
    /// Restricts a per-entity check to these entities (the others have checks of their own).
    pub only: Option<&'static [Entity]>,
    /// A failure denies certification.
    pub required: bool,
    pub run: CheckFn,
}

/// One check, or one entity of a per-entity check.
pub struct Instance {
    pub def: &'static CheckDef,
    pub entity: Option<Entity>,
}

impl Instance {
    pub fn id(&self) -> String {
        match self.entity {
            Some(e) => format!("{}/{e}", self.def.id),
            None => self.def.id.to_owned(),
        }
    }
}

macro_rules! catalog {
    ($($id:literal $per:ident $(($($only:ident),*))? $f:path, $title:literal;)*) => {
        pub static CATALOG: &[CheckDef] = &[$(CheckDef {
            id: $id,
            title: $title,
            per_entity: catalog!(@per $per),
            only: catalog!(@only $($($only),*)?),
            required: true,
            run: |ctx| Box::pin($f(ctx)),
        },)*];
    };
    (@per once) => { false };
    (@per each) => { true };
    (@only) => { None };
    (@only $($only:ident),+) => { Some(&[$(Entity::$only),+]) };
}

catalog! {
    "AUTH-001" once auth::valid_credentials_connect,
        "Valid credentials connect: 201, the connection is usable, and no secret appears in the response.";
    "AUTH-002" once auth::wrong_secret_is_refused,
        "Wrong secret: refused with `connection_auth_failed` (upstream status and native code kept); nothing stored.";
    "AUTH-003" once auth::unreachable_system_is_refused,
        "Unreachable system (closed port): refused with `upstream_unavailable` within the connect timeout; nothing stored.";
    "AUTH-004" once auth::expiring_tokens_are_renewed,
        "Expiring tokens (OAuth2): a token that expires mid-sync is refreshed and the sync is exact.";
    "AUTH-005" once auth::revoked_credentials_fail_the_next_sync,
        "Credentials revoked after connecting: the next sync fails with `connection_auth_failed`, the connection is marked as needing re-authentication, no data is lost.";
    "AUTH-006" once auth::no_secret_in_responses,
        "No secret used in the run appears in any API response or log line.";
    "READ-001" each read::initial_sync_is_exact,
        "Initial sync is exact for the entity (transactional entities: changed within the lookback; master data: all).";
    "READ-002" each read::mapping_matches_snapshot_and_invariants,
        "Mapping: records match the reviewed mapping snapshot and the model's invariants (PO total = sum of lines, UTC timestamps, exact decimals, references resolve).";
    "READ-003" each read::paging_returns_every_record_once,
        "Paging through the unified API (limits 1, 7 and 500) returns every record once, in a stable order.";
    "READ-004" each read::modified_after_is_exact,
        "`modified_after` returns exactly the records changed after the given instant.";
    "READ-005" each read::missing_entity_is_not_supported,
        "An entity the system lacks answers `not_supported`, and the capabilities document says so.";
    "SYNC-001" once sync::initial_sync_honours_lookback,
        "The initial sync honours the lookback: records changed before it are absent, those within it present.";
    "SYNC-002" once sync::incremental_sync_after_churn_is_exact,
        "After churn (N changed, M created), an incremental sync is exact and touches nothing else.";
    "SYNC-003" once sync::quiet_incremental_sync_changes_nothing,
        "An incremental sync with no changes changes nothing and asks the source for no more than a constant number of requests.";
    "SYNC-004" once sync::source_clock_decides,
        "Watermarks come from the source's clock: with the emulator's clock skewed by ±10 minutes, incremental syncs stay exact.";
    "SYNC-005" once sync::records_changing_while_paging_are_kept,
        "Records that change while a sync pages through them are neither lost nor duplicated (exact after that sync and the next).";
    "SYNC-006" once sync::lookback_is_configurable,
        "The lookback is configurable: 30 and 90 days give the two expected sets.";
    "SYNC-007" once sync::snapshot_sync_detects_changes,
        "Entities without change timestamps are synced by snapshot and diff: changed, new and vanished rows are detected, nothing else is touched.";
    "SYNC-008" once sync::syncs_never_interleave,
        "Two syncs of one connection never interleave: the second waits or is refused with `conflict`.";
    "SYNC-009" once sync::status_agrees_with_store,
        "Sync status (state, per-entity counts, progress, watermark) agrees with the store at the end.";
    "WRITE-001" once write::create_purchase_order,
        "Create a purchase order: the emulator holds exactly what was written; the API returns it with its `remote_id`.";
    "WRITE-002" once write::status_changes_follow_the_source,
        "Update a work order's status through the system's own mechanism; an illegal transition is refused with the upstream reason.";
    "WRITE-003" once write::adjustment_moves_stock_by_the_delta,
        "Adjust inventory: the source's quantity moves by exactly the delta.";
    "WRITE-004" once write::create_vendor,
        "Create a vendor.";
    "WRITE-005" each write::stale_version_is_refused,
        "Update with optimistic concurrency: a stale version (ETag, rowstamp) is refused with `conflict`; nothing changes.";
    "WRITE-006" each write::delete_as_the_source_does,
        "Delete or cancel where the system allows it, as the system does it (a deletion code, a status).";
    "WRITE-007" once write::idempotency_key_makes_a_create_safe_to_retry,
        "Idempotency key: the same key and body twice create one record; the same key with another body gets 422.";
    "WRITE-009" each write::missing_write_is_not_supported,
        "A write the capabilities lack answers `not_supported`, and nothing reaches the source.";
    "WRITE-010" each write::update_changes_exactly_that,
        "Update a record: the source holds exactly the change, and the API returns the record as the source now has it.";
    "WRITE-011" each (WorkOrders, Assets) write::create_record,
        "Create a work order or an asset: the source holds exactly what was written; the API returns it with its `remote_id`.";
    "ERR-001" once err::invalid_body_reaches_nothing,
        "An invalid body is refused with 422 and field paths; nothing reaches the source (its request journal shows no write).";
    "ERR-002" once err::business_refusal_keeps_the_native_answer,
        "The source refuses a write on business grounds (unknown supplier, locked record): `validation_failed` or `conflict`, native code and message kept.";
    "ERR-003" once err::read_only_write_is_permission_denied,
        "A read-only user's write: `permission_denied`, with the upstream 403 kept.";
    "ERR-004" once err::unknown_id_is_not_found,
        "An unknown id: 404 `not_found`.";
    "ERR-005" once err::malformed_requests_are_refused,
        "Malformed JSON, a wrong content type, an oversized body: 400 / 415 / 413 as problem+json; nothing changes.";
    "ERR-006" once err::other_tenants_connection_is_not_found,
        "An unknown connection, or another tenant's: 404, indistinguishable from each other.";
    "RETRY-001" once retry::server_errors_are_retried,
        "5xx on some pages: retried, sync exact.";
    "RETRY-002" once retry::retry_after_seconds_is_honoured,
        "429 with `Retry-After` in seconds: the wait is honoured, sync exact.";
    "RETRY-003" once retry::retry_after_date_is_honoured,
        "429 with `Retry-After` as an HTTP date: honoured, sync exact.";
    "RETRY-004" once retry::concurrency_limit_is_waited_out,
        "429 without `Retry-After` (NetSuite's concurrency limit): backed off, sync exact.";
    "RETRY-005" once retry::latency_is_tolerated,
        "Latency with jitter inside the timeouts: sync exact.";
    "RETRY-006" once retry::resets_are_retried,
        "Connection reset before and during the body: retried, sync exact.";
    "RETRY-007" once retry::broken_bodies_are_retried,
        "Truncated body or malformed JSON: treated as transient, retried, never stored in part.";
    "RETRY-008" once retry::hangs_time_out_and_are_retried,
        "A request that hangs: timed out and retried, sync exact.";
    "RETRY-009" once retry::outage_fails_cleanly_and_recovers,
        "An outage longer than the retry budget: the sync fails cleanly, the watermark stays, committed records are consistent; after recovery the next sync is exact.";
    "RETRY-010" once retry::expired_tokens_are_renewed_mid_run,
        "A token or CSRF token that expires mid-run: renewed once, sync exact.";
    "RETRY-011" once retry::page_drift_is_caught_up,
        "Page drift under offset paging: exact after the sync and the next one.";
    "RETRY-012" once retry::clock_skew_loses_nothing,
        "Clock skew between emulator and client: exact.";
    "RETRY-013" once retry::circuit_opens_and_closes,
        "Sustained failure opens the connection's circuit breaker; recovery closes it; both are visible in the connection's status.";
    "RETRY-014" once retry::killed_sync_resumes_exact,
        "The process is killed mid-sync: after a restart the sync resumes and is exact.";
    "RETRY-015" each(PurchaseOrders, WorkOrders, Assets, Vendors) retry::lost_write_answer_applies_once,
        "A create that commits in the source but whose answer is lost: the source ends with exactly one record, the one the API names.";
    "RETRY-016" once retry::lost_adjustment_answer_moves_stock_once,
        "An inventory adjustment that commits in the source but whose answer is lost: the stock moves by the delta exactly once.";
}

/// Every check instance, per-entity checks expanded over the five entities, in catalog order.
pub fn instances() -> Vec<Instance> {
    CATALOG
        .iter()
        .flat_map(|def| {
            let entities: Vec<Option<Entity>> = if def.per_entity {
                Entity::ALL
                    .into_iter()
                    .filter(|e| def.only.is_none_or(|only| only.contains(e)))
                    .map(Some)
                    .collect()
            } else {
                vec![None]
            };
            entities
                .into_iter()
                .map(move |entity| Instance { def, entity })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_well_formed_and_titled() {
        let mut seen = BTreeSet::new();
        for def in CATALOG {
            assert!(seen.insert(def.id), "{} twice", def.id);
            let (area, number) = def.id.split_once('-').unwrap();
            assert!(
                [
                    "AUTH", "READ", "SYNC", "WRITE", "ERR", "RETRY", "HOOK", "FLOW", "MAP", "PERF"
                ]
                .contains(&area),
                "{}",
                def.id
            );
            assert!(number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()));
            assert!(def.title.ends_with('.'), "{}", def.id);
        }
        let ids: Vec<_> = instances().iter().map(Instance::id).collect();
        assert!(ids.contains(&"READ-001/work-orders".to_owned()));
        assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len());
    }
}
