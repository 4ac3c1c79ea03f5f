//! The supply half of the SAP admin API: ground truth, native records and churn for `vendors`
//! (suppliers, through their business partners) and `inventory` (stock rows).
//!
//! - `vendors`: ids are supplier numbers as JSON prints them (`17300001`); `changed_at` is the
//!   business partner's `LastChangeDate` + `LastChangeTime` read as UTC. Churn changes partner
//!   or supplier data (terms, incoterms, contact, address, name) and creates suppliers.
//! - `inventory`: one record per `A_MatlStkInAcctMod` row; the id is its key predicate text
//!   (`Material='RM10001',Plant='1710',…`). Stock has no stamp, so the truth is the whole
//!   snapshot with `changed_at: null` and the native quantity and unit in `values`; churn
//!   changes quantities, creates rows and, with `deleted`, lets rows vanish.

use std::sync::{Arc, PoisonError, RwLock};

use serde_json::Value as JsonValue;

use super::schema::*;
use crate::admin::{
    AdminError, ChurnOutcome, SnapshotRecord, SnapshotTruth, Truth, TruthRecord, TruthWindow,
};
use crate::sap::data::business_partners::{PartnerBook, PartnerChurnRefusal};
use crate::sap::data::inventory::{InventoryBook, StockChurnRefusal, StockKey};
use crate::sap::data::{instant, ticks};
use crate::sap::material_stock::schema::{
    MATERIAL_NAV, MATERIAL_PROPERTIES, STOCK_PROPERTIES, STOCK_SET,
};
use crate::sap::odata::edm::Property;
use crate::sap::odata::value::Value;
use crate::server::Core;

pub(crate) const VENDORS: &str = "vendors";
pub(crate) const INVENTORY: &str = "inventory";

/// Truth, records and churn of suppliers and stock.
pub(crate) struct SupplyAdmin {
    core: Arc<Core>,
    partners: Arc<RwLock<PartnerBook>>,
    inventory: Arc<RwLock<InventoryBook>>,
}

/// A row as plain JSON in OData names and value formats.
pub(crate) fn row_json(
    properties: &[Property],
    row: &[Value],
) -> serde_json::Map<String, JsonValue> {
    properties
        .iter()
        .zip(row)
        .map(|(property, value)| (property.name.to_owned(), value.to_plain_json(property.edm)))
        .collect()
}

fn rows_json(properties: &[Property], rows: &[Vec<Value>]) -> JsonValue {
    JsonValue::Array(
        rows.iter()
            .map(|row| JsonValue::Object(row_json(properties, row)))
            .collect(),
    )
}

impl SupplyAdmin {
    pub(crate) fn new(
        core: Arc<Core>,
        partners: Arc<RwLock<PartnerBook>>,
        inventory: Arc<RwLock<InventoryBook>>,
    ) -> Self {
        SupplyAdmin {
            core,
            partners,
            inventory,
        }
    }

    pub(crate) fn entities(&self) -> [&'static str; 2] {
        [VENDORS, INVENTORY]
    }

    pub(crate) fn handles(&self, entity: &str) -> bool {
        self.entities().contains(&entity)
    }

    pub(crate) fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError> {
        if entity != VENDORS {
            return Err(AdminError::BadRequest(format!(
                "{entity:?} has no change stamps; its truth is a snapshot"
            )));
        }
        let partners = self.partners.read().unwrap_or_else(PoisonError::into_inner);
        let mut records: Vec<TruthRecord> = partners
            .supplier_changes()
            .into_iter()
            .map(|(number, changed)| TruthRecord {
                id: number.to_string(),
                changed_at: instant(changed),
            })
            .filter(|record| window.contains(record.changed_at))
            .collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Truth {
            entity_set: String::from(SUPPLIER_SET),
            records,
        })
    }

    pub(crate) fn snapshot_truth(&self, entity: &str) -> Option<Result<SnapshotTruth, AdminError>> {
        if entity != INVENTORY {
            return None;
        }
        let inventory = self
            .inventory
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let mut records: Vec<SnapshotRecord> = inventory
            .snapshot()
            .into_iter()
            .map(|(key, unit, quantity)| {
                let mut values = serde_json::Map::new();
                values.insert(
                    String::from("MatlWrhsStkQtyInMatlBaseUnit"),
                    JsonValue::String(quantity.normalize().to_string()),
                );
                values.insert(
                    String::from("MaterialBaseUnit"),
                    JsonValue::String(unit.to_owned()),
                );
                SnapshotRecord {
                    id: key.id(),
                    values,
                }
            })
            .collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Some(Ok(SnapshotTruth {
            entity_set: String::from(STOCK_SET),
            records,
        }))
    }

    pub(crate) fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError> {
        let missing = || AdminError::NotFound(format!("no {entity} record with id {id:?}"));
        if entity == INVENTORY {
            let key = StockKey::parse_id(id).ok_or_else(missing)?;
            let inventory = self
                .inventory
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let row = inventory.row(&key).ok_or_else(missing)?;
            let material = inventory
                .find_material(key.material())
                .ok_or_else(missing)?;
            let mut json = row_json(&STOCK_PROPERTIES, &row);
            json.insert(
                MATERIAL_NAV.to_owned(),
                JsonValue::Object(row_json(
                    &MATERIAL_PROPERTIES,
                    &[Value::string(material.id), Value::string(material.unit)],
                )),
            );
            return Ok(JsonValue::Object(json));
        }
        let partners = self.partners.read().unwrap_or_else(PoisonError::into_inner);
        let partner = partners.partner_by_text(id).ok_or_else(missing)?;
        let supplier = partner.supplier.as_ref().ok_or_else(missing)?;
        let mut json = row_json(&SUPPLIER_PROPERTIES, &supplier.supplier);
        json.insert(
            PURCHASING_NAV.to_owned(),
            rows_json(&PURCHASING_PROPERTIES, &supplier.purchasing),
        );
        json.insert(
            COMPANY_NAV.to_owned(),
            rows_json(&COMPANY_PROPERTIES, &supplier.companies),
        );
        // The partner carries the supplier's change stamp, its address and its roles.
        let mut business_partner = row_json(&PARTNER_PROPERTIES, &partner.partner);
        business_partner.insert(
            ADDRESS_NAV.to_owned(),
            rows_json(&ADDRESS_PROPERTIES, &partner.addresses),
        );
        business_partner.insert(
            ROLE_NAV.to_owned(),
            rows_json(&ROLE_PROPERTIES, &partner.roles),
        );
        json.insert(
            String::from("to_BusinessPartner"),
            JsonValue::Object(business_partner),
        );
        Ok(JsonValue::Object(json))
    }

    pub(crate) fn churn(
        &self,
        entity: &str,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<(ChurnOutcome, Vec<String>), AdminError> {
        if entity == INVENTORY {
            let mut inventory = self
                .inventory
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let (changed, created, deleted) = inventory.churn(changed, created, deleted).map_err(
                |StockChurnRefusal::NotEnoughRows {
                     requested,
                     available,
                 }| {
                    AdminError::BadRequest(format!(
                        "cannot touch {requested} stock rows: only {available} could be found"
                    ))
                },
            )?;
            return Ok((ChurnOutcome { changed, created }, deleted));
        }
        if deleted > 0 {
            return Err(AdminError::BadRequest(String::from(
                "vendors are never deleted in SAP (business partners are archived); churn \
                 accepts deleted for inventory only",
            )));
        }
        let now = ticks(self.core.clock.now());
        let mut partners = self
            .partners
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let (changed, created) =
            partners
                .churn(changed, created, now)
                .map_err(|refusal| match refusal {
                    PartnerChurnRefusal::NotEnoughSuppliers {
                        requested,
                        available,
                    } => AdminError::BadRequest(format!(
                        "cannot change {requested} suppliers: only {available} can be changed"
                    )),
                    PartnerChurnRefusal::NumberRangeExhausted => AdminError::BadRequest(
                        String::from("the supplier number range is exhausted"),
                    ),
                })?;
        Ok((
            ChurnOutcome {
                changed: changed.iter().map(u64::to_string).collect(),
                created: created.iter().map(u64::to_string).collect(),
            },
            Vec::new(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_print_in_odata_value_formats() {
        let json = row_json(
            &STOCK_PROPERTIES[..2],
            &[Value::string("RM10001"), Value::string("1710")],
        );
        assert_eq!(
            json,
            json!({"Material": "RM10001", "Plant": "1710"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
    }
}
