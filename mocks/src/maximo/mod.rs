//! The IBM Maximo emulator: the OSLC JSON API under `/maximo/oslc/` and `/maximo/api/`
//! (reference §1), over deterministic plant data, and the Maximo half of the admin API.
//!
//! - `routes`: the one request handler (auth, paths, method overrides, reads, writes).
//! - `auth`: API keys, `maxauth`, Basic, sessions; revocation for the admin API.
//! - `oslc_where` (parser), `eval` (compiled filters), `select` (`oslc.select`), `query`
//!   (parameters, `oslc.orderBy`), `engine` (filter, order and page in bounded memory),
//!   `render` (lean and namespaced JSON), `restid` (resource ids), `error` (BMXAA bodies).
//! - `schema`: object structures, MBOs, attributes, domains; `value`: attribute values.
//! - `data`: deterministic generation with an overlay of writes; `writes`: creates, updates,
//!   `changeStatus`, `adjustCurrentBalance`; `churn`; `admin`.

mod admin;
mod auth;
mod churn;
mod data;
mod engine;
mod error;
mod eval;
mod oslc_where;
mod query;
mod render;
mod restid;
mod routes;
mod schema;
mod select;
mod value;
mod writes;

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::any;

use crate::MockError;
use crate::server::{BuiltSystem, Core};
use admin::MaximoAdmin;
use auth::MaximoAuth;
use data::MaximoData;
use routes::MaximoState;

/// Assembles the Maximo emulator over `core`. Nothing is generated up front: records are
/// drawn on demand, so even the million-work-order profile starts at once.
pub(crate) fn build(core: Arc<Core>) -> Result<BuiltSystem, MockError> {
    let data = Arc::new(RwLock::new(MaximoData::new(core.seed, &core.profile)));
    let auth = Arc::new(MaximoAuth::new(core.seed));
    let credentials = auth.credentials();
    let state = Arc::new(MaximoState::new(
        Arc::clone(&core),
        Arc::clone(&auth),
        Arc::clone(&data),
    ));
    let router = Router::new()
        .route("/maximo", any(routes::handle))
        .route("/maximo/{*rest}", any(routes::handle))
        .fallback(routes::not_found)
        .with_state(state);
    Ok(BuiltSystem {
        router,
        admin: Arc::new(MaximoAdmin::new(core, data, auth)),
        credentials,
    })
}
