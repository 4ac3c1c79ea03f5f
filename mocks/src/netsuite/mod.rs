//! The Oracle NetSuite emulator: SuiteTalk REST web services under `/services/rest/` — the
//! record API, SuiteQL and asynchronous jobs — behind token-based authentication and the
//! account's concurrency limit, plus the NetSuite half of the admin API.
//!
//! - `routes`: the HTTP face (governance, auth, dispatch, paging envelopes, async jobs).
//! - `auth`: token-based authentication, OAuth 1.0a `HMAC-SHA256` verified exactly. Its
//!   `oauth_timestamp` window (±300 s) is checked against the host's REAL clock — standard
//!   OAuth 1.0a libraries sign with it — while all data and the `Date` header follow the
//!   virtual clock.
//! - `oauth2`: OAuth 2.0 client credentials (M2M): the token endpoint, ES256 client assertions,
//!   bearer tokens that live an hour of the virtual clock.
//! - `governance`: the account concurrency limit (429 `CONCURRENCY_LIMIT_EXCEEDED`).
//! - `error`: NetSuite's error envelope.
//! - `records`: record types, their JSON and their writes; `filter`: the `q=` filter parser.
//! - `suiteql`: the SuiteQL tokenizer, parser and executor.
//! - `jobs`: `Prefer: respond-async` jobs and idempotency keys.
//! - `data`: deterministic generation and the overlays of writes. Change stamps
//!   (`lastModifiedDate`) have minute precision in UTC, as NetSuite prints them.
//! - `admin`: ground truth, native records, churn and the governance endpoint.
//!
//! Facts come from `shared/reference/netsuite.md`; choices where it is uncertain are named in
//! the module that makes them.

mod admin;
mod auth;
mod data;
mod error;
mod filter;
mod governance;
mod jobs;
mod oauth2;
mod records;
mod routes;
mod suiteql;

use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::routing::any;

use crate::MockError;
use crate::server::{BuiltSystem, Core};
use data::NetSuiteData;
use governance::Governance;
use routes::NsState;

/// Assembles the NetSuite emulator over `core`.
pub(crate) fn build(core: Arc<Core>) -> Result<BuiltSystem, MockError> {
    let data = Arc::new(RwLock::new(NetSuiteData::new(core.seed, &core.profile)));
    let auth = Arc::new(auth::NsAuth::new(core.seed));
    let governance = Arc::new(Governance::new(core.profile.netsuite.concurrency_limit));
    let credentials = auth.credentials();
    let state = Arc::new(NsState {
        core: Arc::clone(&core),
        auth: Arc::clone(&auth),
        governance: Arc::clone(&governance),
        data: Arc::clone(&data),
        jobs: Mutex::new(jobs::Jobs::default()),
    });
    let router = Router::new()
        .route("/services/rest/{*rest}", any(routes::rest))
        .fallback(routes::not_found)
        .with_state(state);
    Ok(BuiltSystem {
        router,
        admin: Arc::new(admin::NetSuiteAdmin::new(core, data, auth, governance)),
        credentials,
    })
}
