//! NetSuite ⇄ canonical for inventory: the levels in an `inventoryItem`'s `locations` sublist,
//! and the `inventoryAdjustment` body that moves one.
//!
//! # Reading
//! One level per line of the item's `locations` sublist (read with `expandSubResources=true`):
//! - `remote_id` = `"<item internal id>:<location internal id>"`;
//! - `item` = the item's internal id (what adjustments and purchase order lines take);
//!   `item_description` = `displayName`, else `itemId`;
//! - `location` = the line's `location.id` (or `locationId`); no `sub_location` or `batch` (bins
//!   and lots live in inventory detail, not read here);
//! - `quantity_on_hand` = `quantityOnHand`, zero when NetSuite left it out (it omits empty fields);
//! - `unit` = the name of the item's `stockUnit`, else `baseUnit`;
//! - `remote_updated_at` = the source's clock when the item was read (levels carry no stamp of
//!   their own; the item's `lastModifiedDate` does not move with stock); `raw` = the sublist line
//!   with the item reference added.
//!
//! # Adjusting
//! `POST inventoryAdjustment` with `account` (the adjustment account), `adjLocation`,
//! `subsidiary` when known, `memo` = `reason`, and one `inventory` line `{item, location,
//! adjustQtyBy: delta}`. NetSuite moves `quantityOnHand` of the item at the location by exactly
//! `adjustQtyBy`, in the item's stock unit.

use crate::ConnectorError;
use crate::native::present;
use crate::netsuite::client::is_internal_id;
use crate::netsuite::wire::{NsDecimal, NsText, Ref, Sublist, number_of_decimal};
use chrono::{DateTime, Utc};
use mw_model::{
    Decimal, EntityData, FieldError, InventoryAdjustment, InventoryLevel, RemoteRecord, Validate,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NativeItem {
    #[serde(default)]
    id: Option<NsText>,
    #[serde(default)]
    item_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    stock_unit: Option<Ref>,
    #[serde(default)]
    base_unit: Option<Ref>,
    #[serde(default)]
    locations: Sublist<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NativeLocationLine {
    #[serde(default)]
    location: Option<Ref>,
    #[serde(default)]
    location_id: Option<Ref>,
    #[serde(default)]
    quantity_on_hand: Option<NsDecimal>,
}

/// The `remote_id` of the level of `item` at `location`.
pub(crate) fn level_id(item: &str, location: &str) -> String {
    format!("{item}:{location}")
}

/// The item and location of a level's `remote_id`, when it is one this connector wrote.
pub(crate) fn parse_level_id(id: &str) -> Option<(&str, &str)> {
    let (item, location) = id.split_once(':')?;
    (is_internal_id(item) && is_internal_id(location)).then_some((item, location))
}

/// The unit an item's stock is counted in, as the model prints it.
pub(crate) fn item_unit(raw: &Value) -> Option<String> {
    let native: NativeItem = serde_json::from_value(raw.clone()).ok()?;
    native
        .stock_unit
        .as_ref()
        .and_then(Ref::name_or_id)
        .or_else(|| native.base_unit.as_ref().and_then(Ref::name_or_id))
        .map(str::to_owned)
}

/// The levels of one native `inventoryItem`, read at `read_at` on the source's clock.
pub(crate) fn levels(
    raw: &Value,
    read_at: DateTime<Utc>,
) -> Result<Vec<RemoteRecord>, ConnectorError> {
    let native: NativeItem = crate::native::parse(raw, || {
        let id = raw.get("id").map(Value::to_string).unwrap_or_default();
        format!("inventory item {id}")
    })?;
    let item = native
        .id
        .as_ref()
        .map(|t| t.0.trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ConnectorError::protocol("an inventory item has no `id`".into()))?;
    let description = present(&native.display_name).or_else(|| present(&native.item_id));
    let unit = native
        .stock_unit
        .as_ref()
        .and_then(Ref::name_or_id)
        .or_else(|| native.base_unit.as_ref().and_then(Ref::name_or_id))
        .map(str::to_owned);
    let item_ref = json!({"id": item, "refName": native.item_id.as_deref().map(str::trim)});
    let mut out = Vec::with_capacity(native.locations.0.len());
    for (i, line) in native.locations.0.iter().enumerate() {
        let what = |field: &str| format!("inventory item {item}: `locations.items[{i}].{field}`");
        let parsed: NativeLocationLine = serde_path_to_error::deserialize(line).map_err(|e| {
            ConnectorError::protocol(format!("{}: {}", what(&e.path().to_string()), e.inner()))
        })?;
        let location = parsed
            .location
            .as_ref()
            .and_then(Ref::id)
            .or_else(|| parsed.location_id.as_ref().and_then(Ref::id))
            .map(str::to_owned)
            .ok_or_else(|| ConnectorError::protocol(format!("{} is missing", what("location"))))?;
        let mut raw_line = match line {
            Value::Object(fields) => fields.clone(),
            _ => Map::new(),
        };
        raw_line.insert("item".into(), item_ref.clone());
        out.push(RemoteRecord {
            remote_id: level_id(&item, &location),
            remote_created_at: None,
            remote_updated_at: read_at,
            remote_version: None,
            data: EntityData::InventoryLevel(InventoryLevel {
                item: item.clone(),
                item_description: description.clone(),
                location,
                sub_location: None,
                batch: None,
                quantity_on_hand: parsed.quantity_on_hand.map_or(Decimal::ZERO, |q| q.0),
                unit: unit.clone(),
            }),
            raw: Some(Value::Object(raw_line)),
        });
    }
    Ok(out)
}

/// What NetSuite would refuse in an adjustment, found before sending.
pub(crate) fn check_adjustment(adjustment: &InventoryAdjustment) -> Vec<FieldError> {
    let mut errors = adjustment.validate();
    if !adjustment.item.trim().is_empty() && !is_internal_id(adjustment.item.trim()) {
        errors.push(FieldError::new(
            "$.item",
            "must be the NetSuite internal id of an inventory item (digits)",
        ));
    }
    if !adjustment.location.trim().is_empty() && !is_internal_id(adjustment.location.trim()) {
        errors.push(FieldError::new(
            "$.location",
            "must be the NetSuite internal id of a location (digits)",
        ));
    }
    for (path, value) in [
        ("$.sub_location", &adjustment.sub_location),
        ("$.batch", &adjustment.batch),
    ] {
        if present(value).is_some() {
            errors.push(FieldError::new(
                path,
                "bins and lots need NetSuite inventory detail, which this connector does not write",
            ));
        }
    }
    if number_of_decimal(adjustment.delta).is_none() {
        errors.push(FieldError::new(
            "$.delta",
            "has more significant digits than NetSuite's JSON numbers carry exactly (15)",
        ));
    }
    errors
}

/// The body of `POST inventoryAdjustment`.
pub(crate) fn adjustment_payload(
    adjustment: &InventoryAdjustment,
    account: &str,
    subsidiary: Option<&str>,
) -> Result<Value, Vec<FieldError>> {
    let errors = check_adjustment(adjustment);
    if !errors.is_empty() {
        return Err(errors);
    }
    let item = adjustment.item.trim();
    let location = adjustment.location.trim();
    let mut body = Map::new();
    if let Some(subsidiary) = subsidiary {
        body.insert("subsidiary".into(), json!({ "id": subsidiary }));
    }
    body.insert("account".into(), json!({ "id": account }));
    body.insert("adjLocation".into(), json!({ "id": location }));
    if let Some(reason) = present(&adjustment.reason) {
        body.insert("memo".into(), json!(reason));
    }
    body.insert(
        "inventory".into(),
        json!({"items": [{
            "item": {"id": item},
            "location": {"id": location},
            "adjustQtyBy": number_of_decimal(adjustment.delta).unwrap_or(Value::Null),
        }]}),
    );
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;
    use proptest::prelude::*;

    #[test]
    fn realistic_items_map_as_reviewed() {
        let items: Value = serde_json::from_str(include_str!(
            "../../../../../fixtures/protocol/netsuite/inventory_items.json"
        ))
        .unwrap();
        let read_at = at("2026-03-02T08:00:00Z");
        let shown: Vec<Value> = items
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|raw| levels(raw, read_at).unwrap())
            .map(|r| {
                json!({"remote_id": r.remote_id, "remote_updated_at": r.remote_updated_at,
                    "data": r.data, "raw": r.raw})
            })
            .collect();
        insta::assert_json_snapshot!("inventory_levels", shown);
    }

    #[test]
    fn level_ids() {
        assert_eq!(level_id("13861", "1"), "13861:1");
        assert_eq!(parse_level_id("13861:1"), Some(("13861", "1")));
        assert_eq!(parse_level_id("13861"), None);
        assert_eq!(parse_level_id("a:1"), None);
        assert_eq!(parse_level_id("1:2:3"), None);
    }

    #[test]
    fn broken_items_name_the_field() {
        let err = |v: Value| match levels(&v, at("2026-03-02T08:00:00Z")) {
            Err(ConnectorError::Protocol { detail, .. }) => detail,
            other => panic!("{other:?}"),
        };
        assert!(err(json!({"locations": {"items": []}})).contains("no `id`"));
        assert!(
            err(json!({"id": "5", "locations": {"items": [{"quantityOnHand": 1}]}}))
                .contains("locations.items[0].location")
        );
        assert!(
            err(json!({"id": "5", "locations": {"items": [{"location": {"id": "1"}, "quantityOnHand": "many"}]}}))
                .contains("quantityOnHand")
        );
    }

    fn adjustment(delta: &str) -> InventoryAdjustment {
        InventoryAdjustment {
            item: "13861".into(),
            location: "1".into(),
            sub_location: None,
            batch: None,
            delta: delta.parse().unwrap(),
            unit: None,
            reason: Some("cycle count".into()),
        }
    }

    #[test]
    fn adjustment_bodies() {
        assert_eq!(
            adjustment_payload(&adjustment("-3"), "58", Some("1")).unwrap(),
            json!({"subsidiary": {"id": "1"}, "account": {"id": "58"}, "adjLocation": {"id": "1"},
                "memo": "cycle count",
                "inventory": {"items": [{"item": {"id": "13861"}, "location": {"id": "1"}, "adjustQtyBy": -3}]}})
        );
        assert_eq!(
            adjustment_payload(&adjustment("5.5"), "58", None).unwrap()["inventory"]["items"][0]["adjustQtyBy"],
            json!(5.5)
        );
        let bad = InventoryAdjustment {
            item: "ROUTER".into(),
            location: "Main".into(),
            sub_location: Some("BIN-1".into()),
            batch: Some("L1".into()),
            delta: "0.1234567890123456789".parse().unwrap(),
            ..adjustment("1")
        };
        let paths: Vec<String> = check_adjustment(&bad).into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "$.item",
                "$.location",
                "$.sub_location",
                "$.batch",
                "$.delta"
            ]
        );
    }

    proptest! {
        /// The delta NetSuite receives is exactly the delta asked for.
        #[test]
        fn deltas_travel_exactly(mantissa in -10_000_000_i64..10_000_000, scale in 0_u32..5) {
            let delta = Decimal::new(mantissa, scale);
            prop_assume!(!delta.is_zero());
            let a = InventoryAdjustment { delta, ..adjustment("1") };
            let body = adjustment_payload(&a, "58", None).unwrap();
            let sent: NsDecimal = serde_json::from_value(body["inventory"]["items"][0]["adjustQtyBy"].clone()).unwrap();
            prop_assert_eq!(sent.0, delta.normalize());
        }

        /// Whatever an item looks like, reading it answers levels or an error, never a panic.
        #[test]
        fn mapping_never_panics(
            quantity in prop_oneof![Just(json!(3)), Just(json!("2.5")), Just(json!(null)), Just(json!([]))],
            location in prop_oneof![Just(json!({"id": "1"})), Just(json!("2")), Just(json!(null)), Just(json!(true))],
            lines in prop_oneof![Just(json!(null)), Just(json!({"items": 3})), Just(json!({"items": [1]}))],
        ) {
            let one = json!({"id": "5", "locations": {"items": [{"location": location, "quantityOnHand": quantity}]}});
            let _ = levels(&one, Utc::now());
            let other = json!({"id": "5", "locations": lines});
            let _ = levels(&other, Utc::now());
        }
    }
}
