//! The SAP half of the admin API: ground truth, native records and churn.
//!
//! Entity names are the unified API's; ids and timestamps are SAP's own: `purchase-orders` are
//! `A_PurchaseOrder` keys with their `LastChangeDateTime`, `vendors` are supplier numbers with
//! their business partner's last change.

use std::sync::{Arc, PoisonError, RwLock};

use serde_json::{Value as JsonValue, json};

use super::auth::SapAuth;
use super::data::{ChurnRefusal, PurchaseOrderBook, instant, parse_number, ticks};
use super::odata::value::{Value, format_json_datetime, format_time};
use super::purchase_order::record_json;
use crate::SystemKind;
use crate::admin::{AdminError, ChurnOutcome, SystemAdmin, Truth, TruthRecord, TruthWindow};
use crate::server::Core;

const PURCHASE_ORDERS: &str = "purchase-orders";
const VENDORS: &str = "vendors";

pub(crate) struct SapAdmin {
    core: Arc<Core>,
    book: Arc<RwLock<PurchaseOrderBook>>,
    auth: Arc<SapAuth>,
}

impl SapAdmin {
    pub(crate) fn new(
        core: Arc<Core>,
        book: Arc<RwLock<PurchaseOrderBook>>,
        auth: Arc<SapAuth>,
    ) -> Self {
        SapAdmin { core, book, auth }
    }

    fn unknown(entity: &str) -> AdminError {
        AdminError::NotFound(format!(
            "unknown entity {entity:?}; the SAP emulator has purchase-orders and vendors"
        ))
    }
}

impl SystemAdmin for SapAdmin {
    fn system(&self) -> SystemKind {
        SystemKind::Sap
    }

    fn entities(&self) -> Vec<&'static str> {
        vec![PURCHASE_ORDERS, VENDORS]
    }

    fn revoke_credentials(&self) -> Vec<String> {
        self.auth.lock_integration_user()
    }

    fn restore_credentials(&self) -> Vec<String> {
        self.auth.unlock_users()
    }

    fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError> {
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
            VENDORS => {
                let suppliers = &book.generator.suppliers;
                let mut records = Vec::new();
                for index in 0..suppliers.count() {
                    let supplier = suppliers.supplier(index);
                    let changed_at = instant(supplier.changed_at);
                    if window.contains(changed_at) {
                        records.push(TruthRecord {
                            id: supplier.number,
                            changed_at,
                        });
                    }
                }
                records.sort_by(|a, b| a.id.cmp(&b.id));
                Ok(Truth {
                    entity_set: String::from("A_Supplier"),
                    records,
                })
            }
            other => Err(Self::unknown(other)),
        }
    }

    fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError> {
        let book = self.book.read().unwrap_or_else(PoisonError::into_inner);
        let missing = || AdminError::NotFound(format!("no {entity} record with id {id:?}"));
        match entity {
            PURCHASE_ORDERS => {
                let number = parse_number(id).ok_or_else(missing)?;
                let order = book.order(number).ok_or_else(missing)?;
                Ok(record_json(&order))
            }
            VENDORS => {
                let index = book.generator.suppliers.index_of(id).ok_or_else(missing)?;
                let supplier = book.generator.suppliers.supplier(index);
                let changed = supplier.changed_at;
                let (region, city) = (supplier.region, supplier.terms.city);
                Ok(json!({
                    "Supplier": supplier.number,
                    "SupplierName": supplier.name,
                    "SupplierFullName": supplier.name,
                    "SupplierAccountGroup": "SUPL",
                    "StreetName": supplier.street,
                    "CityName": city,
                    "Region": region,
                    "PostalCode": supplier.postal_code,
                    "Country": "US",
                    "PhoneNumber1": supplier.terms.phone,
                    "SupplierRespSalesPersonName": supplier.terms.sales_person,
                    "PurchasingOrganization": super::data::PURCHASING_ORGANIZATION,
                    "PaymentTerms": supplier.terms.payment_terms.key,
                    "IncotermsClassification": supplier.terms.incoterms,
                    "PurchaseOrderCurrency": super::data::CURRENCY,
                    "PurchasingIsBlocked": false,
                    "PostingIsBlocked": false,
                    "DeletionIndicator": false,
                    "CreationDate": format_json_datetime(supplier.created_at.start_of_day()),
                    "LastChangeDate": format_json_datetime(changed.start_of_day()),
                    "LastChangeTime": format_time(super::odata::value::Ticks(changed.0 - changed.start_of_day().0)),
                    "to_BusinessPartner": { "BusinessPartner": Value::string(supplier_number_of(id)).to_plain_text() },
                }))
            }
            other => Err(Self::unknown(other)),
        }
    }

    fn churn(&self, entity: &str, changed: u64, created: u64) -> Result<ChurnOutcome, AdminError> {
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
}

/// Business partner and supplier share their number in this system.
fn supplier_number_of(id: &str) -> String {
    id.trim_start_matches('0').to_owned()
}
