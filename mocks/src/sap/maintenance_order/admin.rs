//! The plant-maintenance half of the SAP admin API: ground truth, native records and churn for
//! `work-orders` (maintenance orders) and `assets` (equipment).
//!
//! Ids are SAP's own: the order number (`4000123`) and the equipment number (`10000042`) as
//! JSON prints them; `changed_at` is `LastChangeDateTime` (whole seconds). Assets count the
//! current time slice only, one record per piece of equipment.

use std::sync::{Arc, PoisonError, RwLock};

use serde_json::Value as JsonValue;

use crate::admin::{AdminError, ChurnOutcome, Truth, TruthRecord, TruthWindow};
use crate::sap::data::ChurnRefusal;
use crate::sap::data::equipment::{EquipmentBook, EquipmentChurnRefusal, parse_equipment};
use crate::sap::data::maintenance_orders::{MaintenanceOrderBook, parse_order};
use crate::sap::data::{instant, ticks};
use crate::server::Core;

pub(crate) const WORK_ORDERS: &str = "work-orders";
pub(crate) const ASSETS: &str = "assets";

/// Truth, records and churn of maintenance orders and equipment.
pub(crate) struct PlantMaintenanceAdmin {
    core: Arc<Core>,
    orders: Arc<RwLock<MaintenanceOrderBook>>,
    equipment: Arc<RwLock<EquipmentBook>>,
}

impl PlantMaintenanceAdmin {
    pub(crate) fn new(
        core: Arc<Core>,
        orders: Arc<RwLock<MaintenanceOrderBook>>,
        equipment: Arc<RwLock<EquipmentBook>>,
    ) -> Self {
        PlantMaintenanceAdmin {
            core,
            orders,
            equipment,
        }
    }

    /// The entity names answered here.
    pub(crate) fn entities(&self) -> [&'static str; 2] {
        [WORK_ORDERS, ASSETS]
    }

    pub(crate) fn handles(&self, entity: &str) -> bool {
        self.entities().contains(&entity)
    }

    pub(crate) fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError> {
        let since = window.changed_since.map(ticks);
        let until = window.changed_until.map(ticks);
        let (entity_set, changes) = if entity == WORK_ORDERS {
            let orders = self.orders.read().unwrap_or_else(PoisonError::into_inner);
            ("MaintenanceOrder", orders.changes(since, until))
        } else {
            let equipment = self
                .equipment
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            ("Equipment", equipment.changes(since, until))
        };
        // Sorted by id as text, as every truth is.
        let mut records: Vec<TruthRecord> = changes
            .into_iter()
            .map(|(number, changed)| TruthRecord {
                id: number.to_string(),
                changed_at: instant(changed),
            })
            .collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Truth {
            entity_set: String::from(entity_set),
            records,
        })
    }

    pub(crate) fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError> {
        let missing = || AdminError::NotFound(format!("no {entity} record with id {id:?}"));
        // Orders before equipment, the order every path takes both locks in.
        if entity == WORK_ORDERS {
            let orders = self.orders.read().unwrap_or_else(PoisonError::into_inner);
            let equipment = self
                .equipment
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let number = parse_order(id).ok_or_else(missing)?;
            let order = orders.order(number).ok_or_else(missing)?;
            Ok(super::record_json(&equipment, &order))
        } else {
            let equipment = self
                .equipment
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let number = parse_equipment(id).ok_or_else(missing)?;
            let record = equipment.record(number).ok_or_else(missing)?;
            Ok(crate::sap::equipment::record_json(&record))
        }
    }

    pub(crate) fn churn(
        &self,
        entity: &str,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<ChurnOutcome, AdminError> {
        if deleted > 0 {
            return Err(AdminError::BadRequest(format!(
                "deleted is not available for {entity:?}: SAP neither deletes maintenance orders nor equipment (they get a deletion flag); only inventory rows vanish"
            )));
        }
        let now = ticks(self.core.clock.now());
        let (changed, created) = if entity == WORK_ORDERS {
            let mut orders = self.orders.write().unwrap_or_else(PoisonError::into_inner);
            orders
                .churn(changed, created, now)
                .map_err(|refusal| match refusal {
                    ChurnRefusal::NotEnoughOrders {
                        requested,
                        available,
                    } => AdminError::BadRequest(format!(
                        "cannot change {requested} work orders: only {available} are open (neither closed nor flagged for deletion)"
                    )),
                    ChurnRefusal::NumberRangeExhausted => AdminError::BadRequest(String::from(
                        "the maintenance order number range is exhausted",
                    )),
                })?
        } else {
            let mut equipment = self
                .equipment
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            equipment
                .churn(changed, created, now)
                .map_err(|refusal| match refusal {
                    EquipmentChurnRefusal::NotEnough {
                        requested,
                        available,
                    } => AdminError::BadRequest(format!(
                        "cannot change {requested} assets: only {available} can be changed"
                    )),
                    EquipmentChurnRefusal::NumberRangeExhausted => AdminError::BadRequest(
                        String::from("the equipment number range is exhausted"),
                    ),
                })?
        };
        Ok(ChurnOutcome {
            changed: changed.into_iter().map(|n| n.to_string()).collect(),
            created: created.into_iter().map(|n| n.to_string()).collect(),
        })
    }
}
