//! Maximo ⇄ canonical for inventory: an `INVENTORY` record of `mxapiinventory` into an
//! [`InventoryLevel`], and the checks of an adjustment.
//!
//! # Reading an inventory record
//! - `remote_id` = `itemnum/itemsetid/location/siteid`; `remote_updated_at` = the source's
//!   clock when the record was read (the response's `Date`): inventory has no change stamp;
//!   `remote_created_at` = none; `remote_version` = `_rowstamp`.
//! - `item` = `itemnum`; `location` = `siteid` (the canonical location is the site, plant or
//!   warehouse); `sub_location` = `location` (the storeroom); `quantity_on_hand` = `curbal`
//!   exactly; `unit` = `issueunit`; `batch` = none (the balance is the storeroom's, over all
//!   bins and lots); `item_description` = none (the item's description lives in `mxapiitem`).
//! - A record without its key or `curbal` is a protocol error naming the field.
//!
//! # Adjustments
//! An [`InventoryAdjustment`] names the item (`item` = `itemnum`), the site (`location`) and
//! the storeroom (`sub_location`; it may be left out when the item is stocked in one storeroom
//! of the site). Refused before anything is sent: a `batch` (`adjustCurrentBalance` sets the
//! storeroom's balance, not a lot's), and names Maximo's where syntax cannot carry (`"`, `%`).
//! The unit, when given, must be the record's issue unit (checked once the record is read).

use super::INVENTORY;
use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::maximo::keyset::where_safe;
use crate::maximo::mapping::{parse, record_id};
use crate::native::present;
use chrono::{DateTime, Utc};
use mw_model::{
    EntityData, FieldError, InventoryAdjustment, InventoryLevel, RemoteRecord, Validate,
};
use serde_json::Value;

/// Reads one native inventory record into a record stamped with `read_at`.
pub(crate) fn inventory_record(
    raw: Value,
    read_at: DateTime<Utc>,
) -> Result<RemoteRecord, ConnectorError> {
    let id = record_id(&raw, "inventory record", INVENTORY.keys)?;
    let inventory: wire::Inventory = parse(&raw, "inventory record", INVENTORY.keys)?;
    let balance = inventory
        .curbal
        .ok_or_else(|| ConnectorError::protocol(format!("inventory record {id}: no `curbal`")))?;
    let data = InventoryLevel {
        item: inventory.itemnum.clone().unwrap_or_default(),
        item_description: None,
        location: inventory.siteid.clone().unwrap_or_default(),
        sub_location: inventory.location.clone(),
        batch: None,
        quantity_on_hand: balance.0,
        unit: present(&inventory.issueunit),
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: None,
        remote_updated_at: read_at,
        remote_version: inventory.rowstamp.map(|r| r.0),
        data: EntityData::InventoryLevel(data),
        raw: Some(raw),
    })
}

/// The `oslc.where` finding the inventory record(s) an adjustment names, or every reason it
/// cannot be built.
pub(crate) fn adjustment_filter(
    adjustment: &InventoryAdjustment,
) -> Result<String, Vec<FieldError>> {
    let mut p = Problems(adjustment.validate());
    p.require(
        adjustment.batch.is_none(),
        "$.batch",
        "Maximo's adjustCurrentBalance sets the storeroom's balance, not a lot's: leave the batch out",
    );
    let mut clauses = Vec::new();
    for (value, attr, path) in [
        (Some(adjustment.item.clone()), "itemnum", "$.item"),
        (Some(adjustment.location.clone()), "siteid", "$.location"),
        (
            adjustment.sub_location.clone(),
            "location",
            "$.sub_location",
        ),
    ] {
        if let Some(value) = present(&value) {
            p.require(
                where_safe(&value),
                path,
                "cannot be looked up in Maximo: its where syntax has no escape for `\"` or `%`",
            );
            clauses.push(format!("{attr}=\"{value}\""));
        }
    }
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(clauses.join(" and "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::mapping::test_support::{members, now};
    use crate::test_support::{assert_keeps_raw, reviewed_page};
    use mw_model::Decimal;
    use mw_model::Entity;
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/maximo/inventory.json");

    #[test]
    fn realistic_inventory_maps_as_reviewed() {
        let records = reviewed_page(members(PAGE), |raw| inventory_record(raw, now()));
        insta::assert_json_snapshot!("inventory", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(
            members(PAGE).remove(0),
            |raw| inventory_record(raw, now()),
            Entity::Inventory,
        );
    }

    #[test]
    fn a_record_without_a_balance_is_refused() {
        let mut raw = members(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("curbal");
        let err = inventory_record(raw, now()).unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Protocol { detail, .. } if detail.contains("curbal")),
            "{err:?}"
        );
    }

    fn adjustment() -> InventoryAdjustment {
        InventoryAdjustment {
            item: "0-0006".into(),
            location: "BEDFORD".into(),
            sub_location: Some("CENTRAL".into()),
            batch: None,
            delta: Decimal::new(55, 1),
            unit: Some("EACH".into()),
            reason: Some("Cycle count".into()),
        }
    }

    #[test]
    fn adjustments_find_their_record() {
        assert_eq!(
            adjustment_filter(&adjustment()).unwrap(),
            r#"itemnum="0-0006" and siteid="BEDFORD" and location="CENTRAL""#
        );
        let any_storeroom = InventoryAdjustment {
            sub_location: None,
            ..adjustment()
        };
        assert_eq!(
            adjustment_filter(&any_storeroom).unwrap(),
            r#"itemnum="0-0006" and siteid="BEDFORD""#
        );
        let wrong = InventoryAdjustment {
            item: "50%".into(),
            batch: Some("LOT-1".into()),
            delta: Decimal::ZERO,
            ..adjustment()
        };
        let paths: Vec<String> = adjustment_filter(&wrong)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.delta", "$.batch", "$.item"]);
    }

    proptest! {
        #[test]
        fn mapping_never_panics(
            curbal in prop_oneof![any::<f64>().prop_map(Value::from), any::<String>().prop_map(Value::String),
                any::<i64>().prop_map(Value::from), Just(Value::Null)],
            itemnum in prop_oneof![any::<String>().prop_map(Value::String), any::<i64>().prop_map(Value::from)],
        ) {
            let raw = json!({"itemnum": itemnum, "itemsetid": "SET1", "location": "CENTRAL",
                "siteid": "BEDFORD", "curbal": curbal});
            if let Ok(record) = inventory_record(raw, now()) {
                prop_assert_eq!(record.remote_updated_at, now());
            }
        }

        #[test]
        fn balances_are_exact(m in -999_999_999_999i64..999_999_999_999, s in 0u32..=3) {
            let balance = Decimal::new(m, s);
            let raw = json!({"itemnum": "0-0006", "itemsetid": "SET1", "location": "CENTRAL",
                "siteid": "BEDFORD", "curbal": crate::maximo::wire::number_of_decimal(balance)});
            let record = match inventory_record(raw, now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            match record.data {
                EntityData::InventoryLevel(level) => prop_assert_eq!(level.quantity_on_hand, balance.normalize()),
                other => return Err(TestCaseError::fail(format!("{other:?}"))),
            }
        }
    }
}
