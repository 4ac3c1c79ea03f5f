//! The SAP S/4HANA emulator: OData v2 services under `/sap/opu/odata/sap/`, the OAuth token
//! endpoint, and the SAP half of the admin API.
//!
//! - `routes`: the generic OData handler (auth, CSRF, paths, query options, reads, writes).
//! - `auth`: Basic, OAuth bearer tokens, sessions and CSRF tokens.
//! - `odata`: OData v2 machinery shared by every service.
//! - `service`: the trait a service implements; `purchase_order` is the first one,
//!   `maintenance_order` (`API_MAINTENANCEORDER;v=0002`) and `equipment` (`API_EQUIPMENT`)
//!   serve plant maintenance.
//!   Supply chain: `business_partner` (`API_BUSINESS_PARTNER`, the supplier master),
//!   `material_stock` (`API_MATERIAL_STOCK_SRV`, read-only) and `material_document`
//!   (`API_MATERIAL_DOCUMENT_SRV`, goods movements that move that stock).
//! - `data`: deterministic generation and the overlay of writes.
//! - `admin`: ground truth, native records and churn for the harness.

mod admin;
mod auth;
mod business_partner;
mod data;
mod equipment;
mod maintenance_order;
mod material_document;
mod material_stock;
pub(crate) mod odata;
mod purchase_order;
mod routes;
mod service;

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::any;

use crate::MockError;
use crate::server::{BuiltSystem, Core};
use business_partner::BusinessPartnerService;
use business_partner::admin::SupplyAdmin;
use data::PurchaseOrderBook;
use data::business_partners::PartnerBook;
use data::equipment::EquipmentBook;
use data::inventory::InventoryBook;
use data::maintenance_orders::MaintenanceOrderBook;
use equipment::EquipmentService;
use maintenance_order::MaintenanceOrderService;
use maintenance_order::admin::PlantMaintenanceAdmin;
use material_document::MaterialDocumentService;
use material_stock::MaterialStockService;
use odata::etag::EtagConfig;
use purchase_order::PurchaseOrderService;
use routes::SapState;

/// Assembles the SAP emulator over `core`; refuses a profile whose ETag sets do not exist.
pub(crate) fn build(core: Arc<Core>) -> Result<BuiltSystem, MockError> {
    let book = Arc::new(RwLock::new(PurchaseOrderBook::new(
        core.seed,
        &core.profile,
    )));
    let auth = Arc::new(auth::SapAuth::new(core.seed, &core.profile));
    let credentials = auth.credentials(&core.base_url);
    let equipment = Arc::new(RwLock::new(EquipmentBook::new(core.seed, &core.profile)));
    let maintenance_orders = Arc::new(RwLock::new(MaintenanceOrderBook::new(
        core.seed,
        &core.profile,
    )));
    // One supplier master for purchasing and the partner service; one stock for the stock and
    // goods-movement services.
    let partners = Arc::new(RwLock::new(PartnerBook::new(core.seed, &core.profile)));
    let inventory = Arc::new(RwLock::new(InventoryBook::new(core.seed, &core.profile)));
    let mut services: Vec<Arc<dyn service::ODataService>> = vec![Arc::new(
        PurchaseOrderService::new(Arc::clone(&book), Arc::clone(&partners)),
    )];
    services.push(Arc::new(BusinessPartnerService::new(Arc::clone(&partners))));
    services.push(Arc::new(MaterialStockService::new(Arc::clone(&inventory))));
    services.push(Arc::new(MaterialDocumentService::new(Arc::clone(
        &inventory,
    ))));
    services.push(Arc::new(MaintenanceOrderService::new(
        Arc::clone(&maintenance_orders),
        Arc::clone(&equipment),
    )));
    services.push(Arc::new(EquipmentService::new(Arc::clone(&equipment))));
    let definitions: Vec<&'static odata::edm::ServiceDef> = services
        .iter()
        .map(|service| service.definition())
        .collect();
    let etags = EtagConfig::resolve(&core.profile.sap.etag_entity_sets, &definitions).map_err(
        |reason| MockError::ProfileInvalid {
            origin: format!("profile {}", core.profile.name),
            reason,
        },
    )?;
    let plant_maintenance =
        PlantMaintenanceAdmin::new(Arc::clone(&core), maintenance_orders, equipment);
    let state =
        Arc::new(SapState::new(Arc::clone(&core), Arc::clone(&auth), services).with_etags(etags));
    let router = Router::new()
        .route("/sap/opu/odata/sap/", any(routes::odata))
        .route("/sap/opu/odata/sap/{*rest}", any(routes::odata))
        .route(auth::TOKEN_PATH, any(routes::token))
        .fallback(routes::not_found)
        .with_state(Arc::clone(&state));
    Ok(BuiltSystem {
        router,
        admin: Arc::new(
            admin::SapAdmin::new(Arc::clone(&core), book, auth, state)
                .with_plant_maintenance(plant_maintenance)
                .with_supply(SupplyAdmin::new(core, partners, inventory)),
        ),
        credentials,
    })
}
