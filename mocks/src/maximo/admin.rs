//! The Maximo half of the admin API: ground truth, native records, churn and credentials.
//!
//! Entity names are the unified API's; ids are the record's key values joined by `/` in
//! rest-id order (the decoded rest id without its `_`): work orders `BEDFORD/1000`, assets
//! `1000/BEDFORD`, purchase orders `1000/0/BEDFORD`, vendors `ALLIED10000/EAGLENA`, inventory
//! `0-0006/SET1/CENTRAL/BEDFORD`. `changed_at` is `changedate`; inventory has no change stamp,
//! so it is a snapshot entity whose truth carries `values: {"curbal": "<decimal>"}`.

use std::sync::{Arc, PoisonError, RwLock};

use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value as JsonValue;

use super::auth::MaximoAuth;
use super::churn;
use super::data::MaximoData;
use super::data::book::{Book, Generator};
use super::error::MaximoError;
use super::render::{Renderer, key_values};
use super::schema::{OsKind, inventory};
use super::select::Projection;
use crate::SystemKind;
use crate::admin::{
    AdminError, ChurnOutcome, SnapshotRecord, SnapshotTruth, SystemAdmin, Truth, TruthRecord,
    TruthWindow,
};
use crate::server::Core;

pub(crate) struct MaximoAdmin {
    core: Arc<Core>,
    data: Arc<RwLock<MaximoData>>,
    auth: Arc<MaximoAuth>,
}

impl MaximoAdmin {
    pub(crate) fn new(
        core: Arc<Core>,
        data: Arc<RwLock<MaximoData>>,
        auth: Arc<MaximoAuth>,
    ) -> Self {
        MaximoAdmin { core, data, auth }
    }

    fn kind(entity: &str) -> Result<OsKind, AdminError> {
        OsKind::from_entity(entity).ok_or_else(|| {
            AdminError::NotFound(format!(
                "unknown entity {entity:?}; the Maximo emulator has work-orders, assets, inventory, purchase-orders and vendors"
            ))
        })
    }
}

fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The joined key of the record at `index`, from cheap values when the base can give them.
fn key_text<G: Generator>(data: &MaximoData, book: &Book<G>, index: u64) -> Option<String> {
    let os = book.os();
    if let Some(record) = book.light(index, os.rest_key) {
        let keys = key_values(data, os, &record);
        if keys.iter().all(|key| !key.is_empty()) {
            return Some(keys.join("/"));
        }
    }
    book.get(index)
        .map(|record| key_values(data, os, &record).join("/"))
}

fn truth_of<G: Generator>(data: &MaximoData, book: &Book<G>, window: TruthWindow) -> Truth {
    let since = window.changed_since.map(|at| at.timestamp());
    // Stamps have whole seconds: an instant within a second bounds by that second.
    let until = window.changed_until.map(|at| at.timestamp());
    let mut records: Vec<TruthRecord> = book
        .changes(since, until)
        .into_iter()
        .filter(|(_, at)| window.contains(instant(*at)))
        .filter_map(|(index, at)| {
            Some(TruthRecord {
                id: key_text(data, book, index)?,
                changed_at: instant(at),
            })
        })
        .collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Truth {
        entity_set: book.os().name.to_owned(),
        records,
    }
}

impl SystemAdmin for MaximoAdmin {
    fn system(&self) -> SystemKind {
        SystemKind::Maximo
    }

    fn entities(&self) -> Vec<&'static str> {
        OsKind::ALL.iter().map(|kind| kind.def().entity).collect()
    }

    fn truth(&self, entity: &str, window: TruthWindow) -> Result<Truth, AdminError> {
        let kind = Self::kind(entity)?;
        let data = self.data.read().unwrap_or_else(PoisonError::into_inner);
        Ok(match kind {
            OsKind::WorkOrders => truth_of(&data, &data.work_orders, window),
            OsKind::Assets => truth_of(&data, &data.assets, window),
            OsKind::PurchaseOrders => truth_of(&data, &data.purchase_orders, window),
            OsKind::Vendors => truth_of(&data, &data.vendors, window),
            OsKind::Inventory => {
                return Err(AdminError::BadRequest(String::from(
                    "inventory has no change stamp; its truth is a snapshot",
                )));
            }
        })
    }

    fn snapshot_truth(&self, entity: &str) -> Option<Result<SnapshotTruth, AdminError>> {
        if Self::kind(entity).ok()? != OsKind::Inventory {
            return None;
        }
        let data = self.data.read().unwrap_or_else(PoisonError::into_inner);
        let book = &data.inventory;
        let os = book.os();
        let mut records = Vec::new();
        book.scan_index(0, None, &mut |_, record| {
            let mut values = serde_json::Map::new();
            let balance = record
                .get(inventory::CURBAL)
                .as_dec()
                .map(|mut d| {
                    d.rescale(2);
                    d.to_string()
                })
                .unwrap_or_default();
            values.insert(String::from("curbal"), JsonValue::String(balance));
            records.push(SnapshotRecord {
                id: key_values(&data, os, &record).join("/"),
                values,
            });
            true
        });
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Some(Ok(SnapshotTruth {
            entity_set: os.name.to_owned(),
            records,
        }))
    }

    fn record(&self, entity: &str, id: &str) -> Result<JsonValue, AdminError> {
        let kind = Self::kind(entity)?;
        let missing = || AdminError::NotFound(format!("no {entity} record with id {id:?}"));
        let data = self.data.read().unwrap_or_else(PoisonError::into_inner);
        let keys: Vec<String> = id.split('/').map(str::to_owned).collect();
        if keys.len() != kind.def().rest_key.len() {
            return Err(missing());
        }
        let index = data.find(kind, &keys).ok_or_else(missing)?;
        let record = data.get(kind, index).ok_or_else(missing)?;
        let base = format!("{}/maximo/oslc", self.core.base_url);
        let renderer = Renderer {
            data: &data,
            kind,
            lean: true,
            drop_nulls: true,
            collection_refs: false,
            base: &base,
        };
        Ok(renderer.member(&record, Some(&Projection::everything(kind.def().mbo))))
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
        let kind = Self::kind(entity)?;
        let now = self.core.clock.now().timestamp();
        let mut data = self.data.write().unwrap_or_else(PoisonError::into_inner);
        let churned = churn::churn(&mut data, kind, changed, created, deleted, now)
            .map_err(AdminError::BadRequest)?;
        Ok((
            ChurnOutcome {
                changed: churned.changed,
                created: churned.created,
            },
            churned.deleted,
        ))
    }

    fn revoke_credentials(&self) -> Vec<String> {
        self.auth.revoke()
    }

    fn restore_credentials(&self) -> Vec<String> {
        self.auth.restore()
    }

    fn fault_response(&self, uri: &Uri, status: StatusCode, message: &str) -> Response {
        // Lean exactly when the request asked for it, as the routes decide.
        let lean = uri.query().is_some_and(|query| {
            query
                .split('&')
                .any(|pair| pair == "lean=1" || pair == "lean=true")
        });
        MaximoError::fault(status, message).response(lean)
    }

    fn expire_sessions(&self) -> Vec<String> {
        self.auth.end_sessions()
    }
}
