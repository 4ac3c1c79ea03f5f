//! The NetSuite half of the admin API: ground truth, native records, churn, credentials, and
//! the governance endpoint.
//!
//! Entity names are the unified API's; ids and stamps are NetSuite's own:
//! - `purchase-orders`: `purchaseOrder` internal ids with their `lastModifiedDate` (minute
//!   precision, UTC); deleted orders are gone from the truth.
//! - `vendors`: `vendor` internal ids with their `lastModifiedDate`.
//! - `inventory`: one level per item and stocked location, id `"{item}:{location}"`; levels
//!   have no stamp of their own, so the truth is the whole snapshot with `changed_at: null` and
//!   `values: {"quantityonhand": "<decimal>"}`; churn changes quantities, stocks items at new
//!   locations and, with `deleted`, lets levels vanish.
//! - `work-orders`, `assets`: NetSuite has neither natively; there is no truth for them.
//!
//! `GET /__admin/records/{entity}/{id}` returns the record as the REST record API shows it with
//! `expandSubResources=true` (an inventory level as `{item, location, quantityOnHand, …}`).
//! `GET|POST /__admin/governance` reads or sets `{"concurrency_limit": n, "busy_slots": k}`:
//! busy slots count as requests in flight from other integrations until set back to 0.

use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value as JsonValue, json};

use super::auth::NsAuth;
use super::data::items::parse_level_id;
use super::data::{NetSuiteData, Stamp, plain_decimal};
use super::error::NsError;
use super::governance::Governance;
use super::records::{View, inventory, number, purchase_order, vendor};
use crate::SystemKind;
use crate::admin::{
    AdminError, ChurnOutcome, SnapshotRecord, SnapshotTruth, SystemAdmin, Truth, TruthRecord,
    TruthWindow,
};
use crate::server::Core;

const PURCHASE_ORDERS: &str = "purchase-orders";
const VENDORS: &str = "vendors";
const INVENTORY: &str = "inventory";

pub(crate) struct NetSuiteAdmin {
    core: Arc<Core>,
    data: Arc<RwLock<NetSuiteData>>,
    auth: Arc<NsAuth>,
    governance: Arc<Governance>,
}

impl NetSuiteAdmin {
    pub(crate) fn new(
        core: Arc<Core>,
        data: Arc<RwLock<NetSuiteData>>,
        auth: Arc<NsAuth>,
        governance: Arc<Governance>,
    ) -> Self {
        NetSuiteAdmin {
            core,
            data,
            auth,
            governance,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, NetSuiteData> {
        self.data.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn view(&self) -> View {
        View {
            base: self.core.base_url.clone(),
            expand: true,
            simple_enum: false,
        }
    }

    fn unknown(entity: &str) -> AdminError {
        match entity {
            "work-orders" | "assets" => AdminError::NotFound(format!(
                "NetSuite has no native {entity} (maintenance work orders and assets live in \
                 custom records or SuiteApps); the emulator has no truth for them"
            )),
            _ => AdminError::NotFound(format!(
                "unknown entity {entity:?}; the NetSuite emulator has purchase-orders, vendors \
                 and inventory"
            )),
        }
    }
}

fn digits(id: &str) -> Option<u64> {
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| id.parse().ok())
        .flatten()
}

fn sorted_by_id(mut records: Vec<TruthRecord>) -> Vec<TruthRecord> {
    records.sort_by(|a, b| a.id.cmp(&b.id));
    records
}

impl SystemAdmin for NetSuiteAdmin {
    fn system(&self) -> SystemKind {
        SystemKind::NetSuite
    }

    fn entities(&self) -> Vec<&'static str> {
        vec![PURCHASE_ORDERS, VENDORS, INVENTORY]
    }

    fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError> {
        let data = self.read();
        let since = window.changed_since.map(Stamp::from_datetime);
        let until = window.changed_until.map(Stamp::from_datetime);
        match entity {
            PURCHASE_ORDERS => Ok(Truth {
                entity_set: String::from("purchaseOrder"),
                records: sorted_by_id(
                    data.transactions
                        .po_changes(since, until)
                        .into_iter()
                        .map(|(id, at)| TruthRecord {
                            id: id.to_string(),
                            changed_at: at.to_datetime(),
                        })
                        .collect(),
                ),
            }),
            VENDORS => {
                let mut records = Vec::new();
                data.vendors.scan(0, &mut |vendor| {
                    let at = vendor.last_modified.to_datetime();
                    if window.contains(at) {
                        records.push(TruthRecord {
                            id: vendor.id.to_string(),
                            changed_at: at,
                        });
                    }
                    true
                });
                Ok(Truth {
                    entity_set: String::from("vendor"),
                    records: sorted_by_id(records),
                })
            }
            INVENTORY => Err(AdminError::BadRequest(String::from(
                "inventory is read as a snapshot",
            ))),
            other => Err(Self::unknown(other)),
        }
    }

    fn snapshot_truth(&self, entity: &str) -> Option<Result<SnapshotTruth, AdminError>> {
        if entity != INVENTORY {
            return None;
        }
        let data = self.read();
        let mut records = Vec::new();
        data.levels.scan(&data.items, 0, &mut |level| {
            let mut values = serde_json::Map::new();
            values.insert(
                String::from("quantityonhand"),
                JsonValue::String(plain_decimal(level.on_hand)),
            );
            records.push(SnapshotRecord {
                id: level.id(),
                values,
            });
            true
        });
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Some(Ok(SnapshotTruth {
            entity_set: String::from("inventoryitemlocations"),
            records,
        }))
    }

    fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError> {
        let data = self.read();
        let missing = || AdminError::NotFound(format!("no {entity} record with id {id:?}"));
        let view = self.view();
        match entity {
            PURCHASE_ORDERS => {
                let id = digits(id).ok_or_else(missing)?;
                let txn = data.transactions.get(id).ok_or_else(missing)?;
                let order = txn.as_purchase_order().ok_or_else(missing)?;
                Ok(JsonValue::Object(purchase_order::order_json(
                    &data, order, &view,
                )))
            }
            VENDORS => {
                let id = digits(id).ok_or_else(missing)?;
                let found = data.vendors.get(id).ok_or_else(missing)?;
                Ok(JsonValue::Object(vendor::render(&found, &view)))
            }
            INVENTORY => {
                let (item, location) = parse_level_id(id).ok_or_else(missing)?;
                let level = data
                    .levels
                    .level(&data.items, item, location)
                    .ok_or_else(missing)?;
                let line = inventory::level_json(&data, &level, &view);
                let item_name = data
                    .items
                    .get(item)
                    .map_or_else(|| item.to_string(), |i| i.item_id);
                Ok(json!({
                    "id": level.id(),
                    "item": view.reference("inventoryitem", item, &item_name),
                    "location": line["location"],
                    "quantityOnHand": number(level.on_hand),
                    "quantityAvailable": line["quantityAvailable"],
                    "quantityOnOrder": line["quantityOnOrder"],
                    "quantityCommitted": line["quantityCommitted"],
                }))
            }
            other => Err(Self::unknown(other)),
        }
    }

    fn churn(&self, entity: &str, changed: u64, created: u64) -> Result<ChurnOutcome, AdminError> {
        self.churn_with_deletions(entity, changed, created, 0)
            .map(|(outcome, _)| outcome)
    }

    fn churn_with_deletions(
        &self,
        entity: &str,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<(ChurnOutcome, Vec<String>), AdminError> {
        let now = Stamp::minute_of(self.core.clock.now());
        if deleted > 0 && entity != INVENTORY {
            return Err(AdminError::BadRequest(format!(
                "deleted applies only to inventory (levels vanish); {entity:?} records are \
                 changed or created, never removed by churn"
            )));
        }
        let mut data = self.data.write().unwrap_or_else(PoisonError::into_inner);
        let ids = |list: Vec<u64>| list.into_iter().map(|id| id.to_string()).collect();
        match entity {
            PURCHASE_ORDERS => {
                let (changed, created) = data
                    .transactions
                    .churn(changed, created, now)
                    .map_err(|refusal| AdminError::BadRequest(format!("{refusal:?}")))?;
                Ok((
                    ChurnOutcome {
                        changed: ids(changed),
                        created: ids(created),
                    },
                    Vec::new(),
                ))
            }
            VENDORS => {
                let (changed, created) = data
                    .vendors
                    .churn(changed, created, now)
                    .map_err(|refusal| AdminError::BadRequest(format!("{refusal:?}")))?;
                Ok((
                    ChurnOutcome {
                        changed: ids(changed),
                        created: ids(created),
                    },
                    Vec::new(),
                ))
            }
            INVENTORY => {
                let NetSuiteData {
                    levels,
                    items,
                    masters,
                    ..
                } = &mut *data;
                let (changed, created, vanished) = levels
                    .churn(items, masters.location_count(), changed, created, deleted)
                    .map_err(|refusal| AdminError::BadRequest(format!("{refusal:?}")))?;
                Ok((ChurnOutcome { changed, created }, vanished))
            }
            other => Err(Self::unknown(other)),
        }
    }

    fn revoke_credentials(&self) -> Vec<String> {
        self.auth.revoke_main_token()
    }

    fn restore_credentials(&self) -> Vec<String> {
        self.auth.restore_tokens()
    }

    fn fault_response(&self, _uri: &Uri, status: StatusCode, message: &str) -> Response {
        NsError::fault(status, message).into_response()
    }

    fn expire_sessions(&self) -> Vec<String> {
        self.auth.expire_bearer_tokens()
    }

    fn extra_routes(&self) -> Option<Router> {
        Some(
            Router::new()
                .route("/governance", get(get_governance).post(set_governance))
                .with_state(Arc::clone(&self.governance)),
        )
    }

    fn extra_endpoints(&self) -> Vec<&'static str> {
        vec!["GET /__admin/governance", "POST /__admin/governance"]
    }
}

fn governance_json(governance: &Governance) -> JsonValue {
    let state = governance.state();
    json!({
        "concurrency_limit": state.concurrency_limit,
        "busy_slots": state.busy_slots,
        "in_flight": state.in_flight,
        "refused": state.refused,
    })
}

async fn get_governance(State(governance): State<Arc<Governance>>) -> Response {
    axum::Json(governance_json(&governance)).into_response()
}

async fn set_governance(
    State(governance): State<Arc<Governance>>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let map = match serde_json::from_slice::<JsonValue>(&body) {
        Ok(JsonValue::Object(map)) => map,
        Ok(_) => {
            return Err(AdminError::BadRequest(String::from(
                "the body must be a JSON object",
            )));
        }
        Err(error) => {
            return Err(AdminError::BadRequest(format!(
                "malformed JSON body: {error}"
            )));
        }
    };
    if let Some(unknown) = map
        .keys()
        .find(|k| *k != "concurrency_limit" && *k != "busy_slots")
    {
        return Err(AdminError::BadRequest(format!("unknown field {unknown:?}")));
    }
    let count = |name: &str| -> Result<Option<u32>, AdminError> {
        match map.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    AdminError::BadRequest(format!("{name} must be a non-negative integer"))
                }),
        }
    };
    let limit = count("concurrency_limit")?;
    let busy = count("busy_slots")?;
    if limit == Some(0) {
        return Err(AdminError::BadRequest(String::from(
            "concurrency_limit must be at least 1",
        )));
    }
    if limit.is_none() && busy.is_none() {
        return Err(AdminError::BadRequest(String::from(
            "give concurrency_limit, busy_slots or both",
        )));
    }
    governance.set(limit, busy);
    Ok(axum::Json(governance_json(&governance)).into_response())
}
