//! The SAP S/4HANA emulator: OData v2 services under `/sap/opu/odata/sap/`, the OAuth token
//! endpoint, and the SAP half of the admin API.
//!
//! - `routes`: the generic OData handler (auth, CSRF, paths, query options, reads, writes).
//! - `auth`: Basic, OAuth bearer tokens, sessions and CSRF tokens.
//! - `odata`: OData v2 machinery shared by every service.
//! - `service`: the trait a service implements; `purchase_order` is the first one.
//! - `data`: deterministic generation and the overlay of writes.
//! - `admin`: ground truth, native records and churn for the harness.

mod admin;
mod auth;
mod data;
pub(crate) mod odata;
mod purchase_order;
mod routes;
mod service;

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::any;

use crate::server::{BuiltSystem, Core};
use data::PurchaseOrderBook;
use purchase_order::PurchaseOrderService;
use routes::SapState;

/// Assembles the SAP emulator over `core`.
pub(crate) fn build(core: Arc<Core>) -> BuiltSystem {
    let book = Arc::new(RwLock::new(PurchaseOrderBook::new(
        core.seed,
        &core.profile,
    )));
    let auth = Arc::new(auth::SapAuth::new(core.seed, &core.profile));
    let credentials = auth.credentials(&core.base_url);
    let services: Vec<Arc<dyn service::ODataService>> =
        vec![Arc::new(PurchaseOrderService::new(Arc::clone(&book)))];
    let state = Arc::new(SapState::new(
        Arc::clone(&core),
        Arc::clone(&auth),
        services,
    ));
    let router = Router::new()
        .route("/sap/opu/odata/sap/", any(routes::odata))
        .route("/sap/opu/odata/sap/{*rest}", any(routes::odata))
        .route(auth::TOKEN_PATH, any(routes::token))
        .fallback(routes::not_found)
        .with_state(state);
    BuiltSystem {
        router,
        admin: Arc::new(admin::SapAdmin::new(core, book, auth)),
        credentials,
    }
}
