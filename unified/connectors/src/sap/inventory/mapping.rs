//! SAP ⇄ canonical for inventory: stock rows of `A_MatlStkInAcctMod` read as inventory levels, and
//! the goods movement that adjusts one.
//!
//! # Reading a stock row
//! - `remote_id` is the row's key predicate text in key order, values exactly as SAP printed
//!   them with quotes doubled, not percent-encoded:
//!   `Material='FG29',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01'`.
//! - `item` = `Material`, `location` = `Plant`, `sub_location` = `StorageLocation`, `batch` =
//!   `Batch` (blank → `None`), `quantity_on_hand` = `MatlWrhsStkQtyInMatlBaseUnit` exactly
//!   (trailing zeros dropped), `unit` = `MaterialBaseUnit`. SAP has no material description here.
//! - `remote_updated_at` is the source's clock when the row was read (its `Date` header): stock
//!   has no change stamp; `remote_created_at` stays empty.
//! - Which rows are levels: every stock type (`01` unrestricted, `02` quality inspection, `07`
//!   blocked, …) of stock that lies in the plant: the company's own (special stock type blank)
//!   and the special stocks kept in its storage locations, `E` (sales order), `K` (supplier
//!   consignment), `M` (supplier's returnable packaging) and `Q` (project). Each is its own level,
//!   so the levels of one material, plant, location and batch add up to what is physically
//!   there; the stock type and owner stay in `raw`. Special stock held by someone else (`O`
//!   provided to a supplier, `V` and `W` at a customer) and special stock types this mapping does
//!   not know are not levels of the plant and are left out of reads.
//! - A row without one of its key fields, or with a quantity that is not an exact decimal, is a
//!   protocol error naming it.
//!
//! # Adjusting stock
//! A goods movement (`POST A_MaterialDocumentHeader` of `API_MATERIAL_DOCUMENT_SRV`,
//! `GoodsMovementCode` `05`, "other goods receipts") with one item: movement type `561` (initial
//! entry of stock) for a positive delta, `562` (its reversal) for a negative one, the absolute
//! delta as `QuantityInEntryUnit`. Both post to unrestricted own stock (`InventoryStockType`
//! `01`), the row the adjustment then reads back.

use super::super::client;
use super::super::mapping::{fits, parse};
use super::wire::{KEY, StockRow};
use crate::ConnectorError;
use crate::Problems;
use crate::native::present;
use mw_model::{
    DateTime, Decimal, EntityData, FieldError, InventoryAdjustment, InventoryLevel, RemoteRecord,
    Utc, Validate,
};
use serde_json::{Value, json};

/// Special stock types kept in the plant's own storage locations (see the module documentation).
const IN_THE_PLANT: [&str; 4] = ["E", "K", "M", "Q"];

/// Unrestricted-use stock, where goods movements 561/562 post.
pub(crate) const UNRESTRICTED: &str = "01";

/// `GoodsMovementCode` of other goods receipts, the code of movement types 561/562.
const OTHER_GOODS_RECEIPTS: &str = "05";

/// A stock row as read: its key, which a read continues after, and the level it is, if it is one.
#[derive(Debug)]
pub(crate) struct StockRead {
    pub(crate) key: Vec<String>,
    pub(crate) level: Option<RemoteRecord>,
}

/// The `remote_id` of the row with key values `key` (in key order).
pub(crate) fn stock_id(key: &[String]) -> String {
    KEY.iter()
        .zip(key)
        .map(|(name, value)| format!("{name}={}", client::string_literal(value)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The key values of a `remote_id`, or `None` when it is not one this connector wrote.
pub(crate) fn parse_stock_id(id: &str) -> Option<Vec<String>> {
    let mut rest = id;
    let mut values = Vec::with_capacity(KEY.len());
    for (i, name) in KEY.iter().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix(',')?;
        }
        rest = rest.strip_prefix(name)?.strip_prefix("='")?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            let (at, c) = chars.next()?;
            if c != '\'' {
                value.push(c);
                continue;
            }
            if rest[at + 1..].starts_with('\'') {
                value.push('\'');
                chars.next();
            } else {
                break at + 1;
            }
        };
        rest = &rest[end..];
        values.push(value);
    }
    rest.is_empty().then_some(values)
}

/// The key predicate of a row for a URL path: `(Material='FG29',…)`, values percent-encoded.
pub(crate) fn key_predicate(key: &[String]) -> String {
    let pairs = KEY
        .iter()
        .zip(key)
        .map(|(name, value)| format!("{name}='{}'", client::key_value(value)))
        .collect::<Vec<_>>()
        .join(",");
    format!("({pairs})")
}

/// Reads one native stock row, read from SAP at `read_at` (its clock).
pub(crate) fn stock_read(raw: Value, read_at: DateTime<Utc>) -> Result<StockRead, ConnectorError> {
    let row: StockRow = parse(&raw, "stock of material", "Material")?;
    let key = row
        .key()
        .iter()
        .zip(KEY)
        .map(|(value, name)| {
            value.cloned().ok_or_else(|| {
                let material = row.material.as_deref().unwrap_or("?");
                ConnectorError::protocol(format!(
                    "stock of material {material}: no key field `{name}`"
                ))
            })
        })
        .collect::<Result<Vec<String>, _>>()?;
    let id = stock_id(&key);
    let special = key[9].trim();
    if !special.is_empty() && !IN_THE_PLANT.contains(&special) {
        return Ok(StockRead { key, level: None });
    }
    let item = present(row.material.as_ref())
        .ok_or_else(|| ConnectorError::protocol(format!("stock row {id}: blank `Material`")))?;
    let location = present(row.plant.as_ref())
        .ok_or_else(|| ConnectorError::protocol(format!("stock row {id}: blank `Plant`")))?;
    let quantity = row.matl_wrhs_stk_qty_in_matl_base_unit.ok_or_else(|| {
        ConnectorError::protocol(format!("stock row {id}: no `MatlWrhsStkQtyInMatlBaseUnit`"))
    })?;
    let level = InventoryLevel {
        item,
        item_description: None,
        location,
        sub_location: present(row.storage_location.as_ref()),
        batch: present(row.batch.as_ref()),
        quantity_on_hand: quantity.0,
        unit: present(row.material_base_unit.as_ref()),
    };
    Ok(StockRead {
        key,
        level: Some(RemoteRecord {
            remote_id: id,
            remote_created_at: None,
            remote_updated_at: read_at,
            // Stock is read-only in SAP; there is nothing to version.
            remote_version: None,
            data: EntityData::InventoryLevel(level),
            raw: Some(raw),
        }),
    })
}

/// SAP field lengths and decimal shapes from `API_MATERIAL_DOCUMENT_SRV`'s metadata.
mod limits {
    pub(super) const MATERIAL: usize = 40;
    pub(super) const PLANT: usize = 4;
    pub(super) const STORAGE_LOCATION: usize = 4;
    pub(super) const BATCH: usize = 10;
    pub(super) const UNIT: usize = 3;
    pub(super) const HEADER_TEXT: usize = 25;
    /// `QuantityInEntryUnit` is Decimal(13,3).
    pub(super) const QUANTITY: (u32, u32) = (13, 3);
}

/// Everything SAP would refuse in `adjustment`, the canonical validation included. The unit may
/// still be missing: it is then looked up in SAP before the movement is posted.
pub(crate) fn check_adjustment(adjustment: &InventoryAdjustment) -> Vec<FieldError> {
    let mut p = Problems(adjustment.validate());
    let fits_length =
        |value: Option<&str>, max: usize| value.is_none_or(|s| s.trim().chars().count() <= max);
    p.require(
        fits_length(Some(&adjustment.item), limits::MATERIAL),
        "$.item",
        "an SAP material number has at most 40 characters",
    );
    p.require(
        fits_length(Some(&adjustment.location), limits::PLANT),
        "$.location",
        "an SAP plant has at most 4 characters",
    );
    p.require(
        adjustment
            .sub_location
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty()),
        "$.sub_location",
        "SAP posts stock to a storage location: give the storage location",
    );
    p.require(
        fits_length(adjustment.sub_location.as_deref(), limits::STORAGE_LOCATION),
        "$.sub_location",
        "an SAP storage location has at most 4 characters",
    );
    p.require(
        fits_length(adjustment.batch.as_deref(), limits::BATCH),
        "$.batch",
        "an SAP batch has at most 10 characters",
    );
    p.require(
        fits_length(adjustment.unit.as_deref(), limits::UNIT),
        "$.unit",
        "an SAP unit of measure has at most 3 characters",
    );
    p.require(
        fits_length(adjustment.reason.as_deref(), limits::HEADER_TEXT),
        "$.reason",
        "an SAP material document header text has at most 25 characters",
    );
    p.require(
        fits(adjustment.delta, limits::QUANTITY),
        "$.delta",
        "SAP movement quantities have at most 10 integer digits and 3 decimals",
    );
    p.0
}

fn trimmed(value: Option<&String>) -> String {
    value.map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// The goods movement that moves unrestricted stock by `adjustment.delta`, counted in `unit`.
pub(crate) fn goods_movement_payload(
    adjustment: &InventoryAdjustment,
    unit: &str,
) -> Result<Value, Vec<FieldError>> {
    let errors = check_adjustment(adjustment);
    if !errors.is_empty() {
        return Err(errors);
    }
    let movement_type = if adjustment.delta.is_sign_positive() {
        "561"
    } else {
        "562"
    };
    let mut header = json!({
        "GoodsMovementCode": OTHER_GOODS_RECEIPTS,
        "to_MaterialDocumentItem": [{
            "Material": adjustment.item.trim(),
            "Plant": adjustment.location.trim(),
            "StorageLocation": trimmed(adjustment.sub_location.as_ref()),
            "Batch": trimmed(adjustment.batch.as_ref()),
            "GoodsMovementType": movement_type,
            "QuantityInEntryUnit": adjustment.delta.abs().normalize().to_string(),
            "EntryUnit": unit.trim(),
        }]
    });
    if let Some(reason) = present(adjustment.reason.as_ref()) {
        header["MaterialDocumentHeaderText"] = Value::String(reason);
    }
    Ok(header)
}

/// The key of the unrestricted own-stock row a goods movement of `adjustment` posts to, with
/// the blank values SAP prints for the parts that do not apply.
pub(crate) fn unrestricted_key(adjustment: &InventoryAdjustment) -> Vec<String> {
    vec![
        adjustment.item.trim().to_owned(),
        adjustment.location.trim().to_owned(),
        trimmed(adjustment.sub_location.as_ref()),
        trimmed(adjustment.batch.as_ref()),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        "0".into(),
        String::new(),
        UNRESTRICTED.into(),
    ]
}

/// The `$filter` that finds the unrestricted own stock of `key`'s material, plant, location and
/// batch. The WBS element is left out: SAP prints "no WBS element" as blank or as zeros
/// depending on the release.
pub(crate) fn unrestricted_filter(key: &[String]) -> String {
    let eq = |name: &str, value: &str| format!("{name} eq {}", client::string_literal(value));
    [
        eq("Material", &key[0]),
        eq("Plant", &key[1]),
        eq("StorageLocation", &key[2]),
        eq("Batch", &key[3]),
        eq("Supplier", ""),
        eq("Customer", ""),
        eq("SDDocument", ""),
        eq("InventorySpecialStockType", ""),
        eq("InventoryStockType", UNRESTRICTED),
    ]
    .join(" and ")
}

/// The level of stock that is no longer there: what a reversal that took the last of it leaves
/// when SAP drops the row.
pub(crate) fn empty_level(
    adjustment: &InventoryAdjustment,
    unit: &str,
    read_at: DateTime<Utc>,
) -> RemoteRecord {
    let key = unrestricted_key(adjustment);
    RemoteRecord {
        remote_id: stock_id(&key),
        remote_created_at: None,
        remote_updated_at: read_at,
        remote_version: None,
        data: EntityData::InventoryLevel(InventoryLevel {
            item: key[0].clone(),
            item_description: None,
            location: key[1].clone(),
            sub_location: Some(key[2].clone()).filter(|s| !s.is_empty()),
            batch: Some(key[3].clone()).filter(|s| !s.is_empty()),
            quantity_on_hand: Decimal::ZERO,
            unit: Some(unit.to_owned()),
        }),
        raw: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::mapping::test_support::results;
    use crate::test_support::protocol_detail;
    use proptest::prelude::*;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/sap/stock_page.json");

    fn read_at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-01-31T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    /// Whether `KEY` and the wire type agree.
    fn key_names_match_the_wire() -> bool {
        let row: StockRow = serde_json::from_value(json!({
            "Material": "0", "Plant": "1", "StorageLocation": "2", "Batch": "3", "Supplier": "4",
            "Customer": "5", "WBSElementInternalID": "6", "SDDocument": "7", "SDDocumentItem": "8",
            "InventorySpecialStockType": "9", "InventoryStockType": "10"
        }))
        .unwrap_or_default();
        row.key()
            .iter()
            .enumerate()
            .all(|(i, v)| v.map(String::as_str) == Some(i.to_string().as_str()))
            && KEY.len() == 11
    }

    #[test]
    fn the_key_is_in_edmx_order() {
        assert!(key_names_match_the_wire());
    }

    #[test]
    fn realistic_stock_maps_as_reviewed() {
        let records: Vec<Value> = results(PAGE)
            .into_iter()
            .map(|raw| {
                let read = stock_read(raw, read_at()).unwrap();
                match read.level {
                    Some(level) => json!({
                        "remote_id": level.remote_id,
                        "remote_updated_at": level.remote_updated_at,
                        "data": level.data,
                    }),
                    None => json!({"left_out": stock_id(&read.key)}),
                }
            })
            .collect();
        insta::assert_json_snapshot!("stock", records);
    }

    #[test]
    fn ids_round_trip_with_quotes() {
        let key: Vec<String> = ["FG'29", "1710", "171A", "", "", "", "", "", "0", "", "01"]
            .map(String::from)
            .to_vec();
        let id = stock_id(&key);
        assert_eq!(
            id,
            "Material='FG''29',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01'"
        );
        assert_eq!(parse_stock_id(&id), Some(key.clone()));
        assert_eq!(
            key_predicate(&key),
            "(Material='FG''29',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01')"
        );
        for bad in [
            "",
            "4500000001",
            "Material='FG29'",
            &format!("{id},Extra='1'"),
            &id.replace("Plant", "Werk"),
            &id[..id.len() - 1],
        ] {
            assert_eq!(parse_stock_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn broken_rows_name_the_field() {
        let detail = |raw: Value| protocol_detail(stock_read(raw, read_at()));
        let mut raw = results(PAGE).remove(0);
        raw["MatlWrhsStkQtyInMatlBaseUnit"] = json!(100.5);
        assert!(detail(raw).contains("MatlWrhsStkQtyInMatlBaseUnit"));
        let mut raw = results(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("SDDocumentItem");
        assert!(detail(raw).contains("SDDocumentItem"));
        let mut raw = results(PAGE).remove(0);
        raw.as_object_mut()
            .unwrap()
            .remove("MatlWrhsStkQtyInMatlBaseUnit");
        assert!(detail(raw).contains("MatlWrhsStkQtyInMatlBaseUnit"));
    }

    fn adjustment(delta: &str) -> InventoryAdjustment {
        InventoryAdjustment {
            item: "FG29".into(),
            location: "1710".into(),
            sub_location: Some("171A".into()),
            batch: None,
            delta: delta.parse().unwrap(),
            unit: Some("PC".into()),
            reason: Some("Cycle count".into()),
        }
    }

    #[test]
    fn adjustments_are_goods_movements() {
        assert_eq!(
            goods_movement_payload(&adjustment("12.500"), "PC").unwrap(),
            json!({"GoodsMovementCode": "05", "MaterialDocumentHeaderText": "Cycle count",
                "to_MaterialDocumentItem": [{"Material": "FG29", "Plant": "1710",
                    "StorageLocation": "171A", "Batch": "", "GoodsMovementType": "561",
                    "QuantityInEntryUnit": "12.5", "EntryUnit": "PC"}]})
        );
        let out = goods_movement_payload(&adjustment("-3"), "PC").unwrap();
        assert_eq!(
            out["to_MaterialDocumentItem"][0]["GoodsMovementType"],
            "562"
        );
        assert_eq!(
            out["to_MaterialDocumentItem"][0]["QuantityInEntryUnit"],
            "3"
        );

        let mut bad = adjustment("0.0001");
        bad.sub_location = None;
        bad.reason = Some("r".repeat(26));
        let paths: Vec<String> = goods_movement_payload(&bad, "PC")
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.sub_location", "$.reason", "$.delta"]);
    }

    #[test]
    fn the_row_a_movement_posts_to() {
        let key = unrestricted_key(&adjustment("1"));
        assert_eq!(
            stock_id(&key),
            "Material='FG29',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01'"
        );
        assert_eq!(
            unrestricted_filter(&key),
            "Material eq 'FG29' and Plant eq '1710' and StorageLocation eq '171A' and Batch eq '' and Supplier eq '' and Customer eq '' and SDDocument eq '' and InventorySpecialStockType eq '' and InventoryStockType eq '01'"
        );
    }

    // ---- properties ----

    fn any_text() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "[A-Z0-9']{0,10}".prop_map(Value::String),
            Just(json!("")),
            Just(Value::Null),
            any::<i32>().prop_map(|n| json!(n)),
        ]
    }

    fn any_quantity() -> impl Strategy<Value = Value> {
        prop_oneof![
            (any::<i64>(), 0u32..=14).prop_map(|(m, s)| json!(Decimal::new(m, s).to_string())),
            "-?[0-9]{1,17}\\.[0-9]{14}".prop_map(Value::String),
            any::<String>().prop_map(Value::String),
            any::<f64>().prop_map(|f| json!(f)),
            Just(Value::Null),
        ]
    }

    fn any_row() -> impl Strategy<Value = Value> {
        let fields: Vec<_> = KEY
            .iter()
            .chain(["MaterialBaseUnit"].iter())
            .map(|name| proptest::option::of(any_text()).prop_map(move |v| (*name, v)))
            .collect();
        (fields, proptest::option::of(any_quantity())).prop_map(|(pairs, quantity)| {
            let mut row: serde_json::Map<String, Value> = pairs
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                .collect();
            if let Some(q) = quantity {
                row.insert("MatlWrhsStkQtyInMatlBaseUnit".into(), q);
            }
            Value::Object(row)
        })
    }

    /// Rows as SAP prints them: every key present, the quantity a Decimal(31,14).
    fn sap_row() -> impl Strategy<Value = (Value, Decimal)> {
        (
            "[A-Z0-9'-]{1,40}",
            "[0-9]{4}",
            "[A-Z0-9]{0,4}",
            "[A-Z0-9]{0,10}",
            prop_oneof![Just(""), Just("01"), Just("02"), Just("07")],
            prop_oneof![Just(""), Just("E"), Just("K"), Just("O"), Just("W")],
            (0_i64..10_i64.pow(17), 0_i64..10_i64.pow(11)),
            "[A-Z]{1,3}",
        )
            .prop_map(|(material, plant, sloc, batch, stock_type, special, (int, frac), unit)| {
                let printed = Decimal::new(int, 0) + Decimal::new(frac, 11);
                let row = json!({
                    "Material": material, "Plant": plant, "StorageLocation": sloc, "Batch": batch,
                    "Supplier": "", "Customer": "", "WBSElementInternalID": "", "SDDocument": "",
                    "SDDocumentItem": "0", "InventorySpecialStockType": special,
                    "InventoryStockType": stock_type, "MaterialBaseUnit": unit,
                    "MatlWrhsStkQtyInMatlBaseUnit": format!("{int}.{frac:011}000"),
                });
                (row, printed)
            })
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_row()) {
            if let Ok(read) = stock_read(raw, read_at()) {
                prop_assert_eq!(read.key.len(), KEY.len());
                if let Some(level) = read.level {
                    prop_assert_eq!(parse_stock_id(&level.remote_id), Some(read.key));
                }
            }
        }

        #[test]
        fn sap_rows_map_exactly((raw, printed) in sap_row()) {
            let read = match stock_read(raw.clone(), read_at()) {
                Ok(read) => read,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let special = raw["InventorySpecialStockType"].as_str().unwrap_or_default();
            prop_assert_eq!(read.level.is_some(), matches!(special, "" | "E" | "K"));
            if let Some(level) = read.level {
                let EntityData::InventoryLevel(level) = level.data else {
                    panic!("not an inventory level");
                };
                prop_assert_eq!(level.quantity_on_hand, printed);
                prop_assert_eq!(level.item.as_str(), raw["Material"].as_str().unwrap());
            }
        }

        #[test]
        fn ids_round_trip(key in proptest::collection::vec(any::<String>(), 11)) {
            prop_assert_eq!(parse_stock_id(&stock_id(&key)), Some(key));
        }

        #[test]
        fn movements_carry_the_delta(
            delta in (1_i64..10_i64.pow(10), 0u32..=3, any::<bool>()),
            batch in proptest::option::of("[A-Z0-9]{1,10}"),
        ) {
            let (mantissa, scale, negative) = delta;
            let delta = Decimal::new(if negative { -mantissa } else { mantissa }, scale);
            let adjustment = InventoryAdjustment { delta, batch: batch.clone(), ..adjustment("1") };
            let body = match goods_movement_payload(&adjustment, "PC") {
                Ok(body) => body,
                Err(errors) => return Err(TestCaseError::fail(format!("{errors:?}"))),
            };
            let item = &body["to_MaterialDocumentItem"][0];
            let quantity: Decimal = item["QuantityInEntryUnit"].as_str().unwrap().parse().unwrap();
            let signed = if item["GoodsMovementType"] == "561" { quantity } else { -quantity };
            prop_assert_eq!(signed, delta);
            prop_assert!(quantity > Decimal::ZERO);
            prop_assert_eq!(item["Batch"].as_str(), Some(batch.as_deref().unwrap_or("")));
        }
    }
}
