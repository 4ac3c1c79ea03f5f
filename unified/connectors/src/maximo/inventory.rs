//! Inventory: `INVENTORY` records (one item in one storeroom) of the object structure
//! `mxapiinventory`, read as snapshots and adjusted with `adjustCurrentBalance`.
//!
//! # Reads: snapshots
//! The record's only timestamp (`statusdate`) moves with the item status, not with the balance,
//! so every read returns every record (`changed_since` is ignored) and the sync engine diffs the
//! snapshot against the store. Pages go by keyset on (`itemnum`, `itemsetid`, `location`,
//! `siteid`), never by `pageno` (see `keyset`):
//! `GET …/os/mxapiinventory?lean=1&oslc.select=*,curbal&oslc.orderBy=+itemnum,+itemsetid,
//! +location,+siteid&oslc.pageSize=<n+1>[&oslc.where=itemnum>"…"]`. `curbal` is named because
//! it is not a persistent attribute in every Maximo (`*` would leave it out). Each record is
//! stamped with its response's `Date`.
//!
//! # Adjustments: a guarded read-modify-write
//! 1. The record is found: `oslc.where=itemnum="<item>" and siteid="<location>"
//!    [and location="<sub_location>"]`. None: the adjustment is refused at `$.item`; several
//!    (no storeroom named, the item is stocked in more than one): refused at `$.sub_location`.
//! 2. `newcurbal` = `curbal` + `delta`, exactly (a balance a JSON double cannot carry is refused).
//! 3. `POST …/os/mxapiinventory/<restid>?action=wsmethod:adjustCurrentBalance` with
//!    `x-method-override: PATCH`, `If-Match: <_rowstamp read in 1>`, a `transactionid`, and
//!    `{"newcurbal": <number>}`. A balance that moved in between is refused by Maximo (412), a
//!    [`ConnectorError::Conflict`]: nothing is lost, the caller adjusts again from the new
//!    balance.
//! 4. The record is read back and returned as the level.
//!
//! A repeat of an unanswered adjustment goes out with the first attempt's transaction id (see
//! `txn`): if the first was applied, Maximo answers `BMXAA9524E` and the level is returned
//! without a second adjustment. The adjustment's `reason` has no place in `adjustCurrentBalance`
//! and is only logged.

mod mapping;
mod wire;

use super::client::{Key, MaximoClient, ObjectStructure, SYSTEM, WriteKind, read_at};
use super::txn;
use crate::Problems;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{Entity, EntityData, FieldError, InventoryAdjustment, RemoteRecord};
use serde_json::json;

pub(crate) const INVENTORY: ObjectStructure = ObjectStructure {
    name: "mxapiinventory",
    select: "*,curbal",
    stamp: None,
    keys: &[
        Key::text("itemnum"),
        Key::text("itemsetid"),
        Key::text("location"),
        Key::text("siteid"),
    ],
};

/// What the capabilities endpoint says about inventory.
pub(crate) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Inventory,
        read: true,
        change_tracking: ChangeTracking::Snapshot,
        operations: vec![Operation::Adjust],
        optimistic_concurrency: false,
        note: Some(
            "Inventory records of mxapiinventory (one item in one storeroom: location = site, sub_location = storeroom) have no change stamp (statusdate moves with the item status only), so every sync reads the whole snapshot and diffs it. Adjustments set the storeroom's balance with adjustCurrentBalance, guarded by the record's _rowstamp (a concurrent change answers conflict); lots and bins are not addressed, and the reason is not kept by Maximo.".into(),
        ),
    }
}

pub(crate) async fn read_page(
    client: &MaximoClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    let snapshot = PageQuery {
        changed_since: None,
        ..query.clone()
    };
    client
        .read_changes(&INVENTORY, &snapshot, mapping::inventory_record)
        .await
}

pub(crate) async fn get(
    client: &MaximoClient,
    remote_id: &str,
) -> Result<RemoteRecord, ConnectorError> {
    client
        .get_record(&INVENTORY, remote_id, mapping::inventory_record)
        .await
}

pub(crate) async fn adjust(
    client: &MaximoClient,
    adjustment: &InventoryAdjustment,
) -> Result<RemoteRecord, ConnectorError> {
    let filter = mapping::adjustment_filter(adjustment).map_err(ConnectorError::Invalid)?;
    let current = find(client, adjustment, &filter).await?;
    let EntityData::InventoryLevel(level) = &current.data else {
        return Err(ConnectorError::protocol(format!(
            "inventory record {} did not map to an inventory level",
            current.remote_id
        )));
    };
    let mut p = Problems::default();
    if let (Some(asked), Some(unit)) = (
        adjustment.unit.as_deref().map(str::trim),
        level.unit.as_deref(),
    ) {
        p.require(
            asked.eq_ignore_ascii_case(unit),
            "$.unit",
            format!(
                "{} is counted in {unit} in storeroom {}; give the delta in {unit}",
                level.item,
                level.sub_location.as_deref().unwrap_or("?")
            ),
        );
    }
    let balance = level.quantity_on_hand.checked_add(adjustment.delta);
    p.require(balance.is_some(), "$.delta", "overflows the balance");
    let number = balance.and_then(|b| p.number(b, "$.delta"));
    let (Some(newcurbal), true) = (number, p.0.is_empty()) else {
        return Err(ConnectorError::Invalid(p.0));
    };
    if let Some(reason) = &adjustment.reason {
        tracing::debug!(system = SYSTEM, inventory = %current.remote_id, %reason,
            "adjustment reason not kept: adjustCurrentBalance takes none");
    }
    let fingerprint = txn::fingerprint("adjust", &current.remote_id, adjustment);
    txn::change(
        client,
        &INVENTORY,
        &current.remote_id,
        WriteKind::Action("adjustCurrentBalance"),
        &json!({"newcurbal": newcurbal}),
        &fingerprint,
        current.remote_version.as_deref(),
        mapping::inventory_record,
    )
    .await
}

/// The one inventory record an adjustment names.
async fn find(
    client: &MaximoClient,
    adjustment: &InventoryAdjustment,
    filter: &str,
) -> Result<RemoteRecord, ConnectorError> {
    let order = INVENTORY
        .keys
        .iter()
        .map(|k| format!("+{}", k.name))
        .collect::<Vec<_>>()
        .join(",");
    let (headers, collection) = client
        .query(&INVENTORY, Some(filter), &order, 3, false)
        .await?;
    let stamp = read_at(&headers);
    let mut records = collection
        .member
        .into_iter()
        .map(|raw| mapping::inventory_record(raw, stamp))
        .collect::<Result<Vec<_>, _>>()?;
    match records.len() {
        1 => Ok(records.remove(0)),
        0 => Err(ConnectorError::Invalid(vec![FieldError::new(
            "$.item",
            format!(
                "Maximo holds no inventory of item {} at site {}{}",
                adjustment.item.trim(),
                adjustment.location.trim(),
                adjustment
                    .sub_location
                    .as_deref()
                    .map(|s| format!(" in storeroom {}", s.trim()))
                    .unwrap_or_default()
            ),
        )])),
        _ => {
            let storerooms: Vec<String> = records
                .iter()
                .filter_map(|r| match &r.data {
                    EntityData::InventoryLevel(l) => l.sub_location.clone(),
                    _ => None,
                })
                .collect();
            Err(ConnectorError::Invalid(vec![FieldError::new(
                "$.sub_location",
                format!(
                    "item {} is stocked in several storerooms at site {} ({}{}): name one",
                    adjustment.item.trim(),
                    adjustment.location.trim(),
                    storerooms.join(", "),
                    if collection.more { ", …" } else { "" }
                ),
            )]))
        }
    }
}
