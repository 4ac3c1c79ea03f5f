//! The SAP half of the admin API: ground truth, native records and churn.
//!
//! Entity names are the unified API's; ids and timestamps are SAP's own: `purchase-orders` are
//! `A_PurchaseOrder` keys with their `LastChangeDateTime`, `vendors` are supplier numbers with
//! their business partner's last change. `work-orders` and `assets` are answered by
//! [`PlantMaintenanceAdmin`], `vendors` and `inventory` (a snapshot entity) by [`SupplyAdmin`].

use std::sync::{Arc, PoisonError, RwLock};

use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::Value as JsonValue;

use super::auth::SapAuth;
use super::business_partner::admin::SupplyAdmin;
use super::data::{ChurnRefusal, PurchaseOrderBook, instant, parse_number, ticks};
use super::maintenance_order::admin::PlantMaintenanceAdmin;
use super::purchase_order::record_json;
use super::routes::{SapState, fault_response};
use crate::SystemKind;
use crate::admin::{
    AdminError, ChurnOutcome, SnapshotTruth, SystemAdmin, Truth, TruthRecord, TruthWindow,
};
use crate::server::Core;

const PURCHASE_ORDERS: &str = "purchase-orders";

pub(crate) struct SapAdmin {
    core: Arc<Core>,
    book: Arc<RwLock<PurchaseOrderBook>>,
    auth: Arc<SapAuth>,
    /// The routes' state: a fault's error envelope is stamped like any other.
    routes: Arc<SapState>,
    /// Work orders and assets.
    plant_maintenance: Option<PlantMaintenanceAdmin>,
    /// Vendors and inventory.
    supply: Option<SupplyAdmin>,
}

impl SapAdmin {
    pub(crate) fn new(
        core: Arc<Core>,
        book: Arc<RwLock<PurchaseOrderBook>>,
        auth: Arc<SapAuth>,
        routes: Arc<SapState>,
    ) -> Self {
        SapAdmin {
            core,
            book,
            auth,
            routes,
            plant_maintenance: None,
            supply: None,
        }
    }

    /// Adds vendors (business partners) and inventory (stock).
    pub(crate) fn with_supply(mut self, admin: SupplyAdmin) -> Self {
        self.supply = Some(admin);
        self
    }

    /// The supply admin, when it answers for `entity`.
    fn supply_for(&self, entity: &str) -> Option<&SupplyAdmin> {
        self.supply.as_ref().filter(|admin| admin.handles(entity))
    }

    /// Adds the work orders and assets of plant maintenance.
    pub(crate) fn with_plant_maintenance(mut self, admin: PlantMaintenanceAdmin) -> Self {
        self.plant_maintenance = Some(admin);
        self
    }

    /// The plant-maintenance admin, when it answers for `entity`.
    fn plant_maintenance_for(&self, entity: &str) -> Option<&PlantMaintenanceAdmin> {
        self.plant_maintenance
            .as_ref()
            .filter(|admin| admin.handles(entity))
    }

    fn unknown(entity: &str) -> AdminError {
        AdminError::NotFound(format!(
            "unknown entity {entity:?}; the SAP emulator has purchase-orders, vendors, inventory, work-orders and assets"
        ))
    }
}

impl SystemAdmin for SapAdmin {
    fn system(&self) -> SystemKind {
        SystemKind::Sap
    }

    fn entities(&self) -> Vec<&'static str> {
        let mut entities = vec![PURCHASE_ORDERS];
        if let Some(admin) = &self.supply {
            entities.extend(admin.entities());
        }
        if let Some(admin) = &self.plant_maintenance {
            entities.extend(admin.entities());
        }
        entities
    }

    fn revoke_credentials(&self) -> Vec<String> {
        self.auth.lock_integration_user()
    }

    fn restore_credentials(&self) -> Vec<String> {
        self.auth.unlock_users()
    }

    fn fault_response(&self, uri: &Uri, status: StatusCode, message: &str) -> Response {
        fault_response(&self.routes, uri, status, message)
    }

    fn expire_sessions(&self) -> Vec<String> {
        self.auth.expire_sessions()
    }

    fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError> {
        if let Some(admin) = self.plant_maintenance_for(entity) {
            return admin.truth(entity, window);
        }
        if let Some(admin) = self.supply_for(entity) {
            return admin.truth(entity, window);
        }
        let book = self.book.read().unwrap_or_else(PoisonError::into_inner);
        match entity {
            PURCHASE_ORDERS => {
                let changes = book.changes(
                    window.changed_since.map(ticks),
                    window.changed_until.map(ticks),
                );
                Ok(Truth {
                    entity_set: String::from("A_PurchaseOrder"),
                    records: changes
                        .into_iter()
                        .map(|(number, changed)| TruthRecord {
                            id: number.to_string(),
                            changed_at: instant(changed),
                        })
                        .collect(),
                })
            }
            other => Err(Self::unknown(other)),
        }
    }

    fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError> {
        if let Some(admin) = self.plant_maintenance_for(entity) {
            return admin.record(entity, id);
        }
        if let Some(admin) = self.supply_for(entity) {
            return admin.record(entity, id);
        }
        let book = self.book.read().unwrap_or_else(PoisonError::into_inner);
        let missing = || AdminError::NotFound(format!("no {entity} record with id {id:?}"));
        match entity {
            PURCHASE_ORDERS => {
                let number = parse_number(id).ok_or_else(missing)?;
                let order = book.order(number).ok_or_else(missing)?;
                Ok(record_json(&order))
            }
            other => Err(Self::unknown(other)),
        }
    }

    fn churn(&self, entity: &str, changed: u64, created: u64) -> Result<ChurnOutcome, AdminError> {
        if let Some(admin) = self.plant_maintenance_for(entity) {
            return admin.churn(entity, changed, created, 0);
        }
        if let Some(admin) = self.supply_for(entity) {
            return admin
                .churn(entity, changed, created, 0)
                .map(|(outcome, _)| outcome);
        }
        if entity != PURCHASE_ORDERS {
            return Err(AdminError::BadRequest(format!(
                "churn is not available for {entity:?}; the SAP emulator churns purchase-orders"
            )));
        }
        let now = ticks(self.core.clock.now());
        let mut book = self.book.write().unwrap_or_else(PoisonError::into_inner);
        let (changed, created) =
            book.churn(changed, created, now)
                .map_err(|refusal| match refusal {
                    ChurnRefusal::NotEnoughOrders {
                        requested,
                        available,
                    } => AdminError::BadRequest(format!(
                        "cannot change {requested} purchase orders: only {available} can be changed"
                    )),
                    ChurnRefusal::NumberRangeExhausted => AdminError::BadRequest(String::from(
                        "the purchase order number range is exhausted",
                    )),
                })?;
        Ok(ChurnOutcome {
            changed: changed.into_iter().map(|n| n.to_string()).collect(),
            created: created.into_iter().map(|n| n.to_string()).collect(),
        })
    }

    fn snapshot_truth(&self, entity: &str) -> Option<Result<SnapshotTruth, AdminError>> {
        self.supply_for(entity)?.snapshot_truth(entity)
    }

    fn churn_with_deletions(
        &self,
        entity: &str,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<(ChurnOutcome, Vec<String>), AdminError> {
        if let Some(admin) = self.supply_for(entity) {
            return admin.churn(entity, changed, created, deleted);
        }
        if deleted > 0 {
            return Err(AdminError::BadRequest(format!(
                "deleted applies only to inventory (stock rows vanish); {entity:?} records are \
                 changed or created, never removed by churn"
            )));
        }
        Ok((self.churn(entity, changed, created)?, Vec::new()))
    }
}
