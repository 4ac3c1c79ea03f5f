//! `inventoryItem` (read-only) with its `locations` sublist, and `inventoryAdjustment`.
//!
//! An item's `locations` sublist lists the locations it is stocked at, one line per location
//! (line id = location id) with `quantityOnHand`, `quantityAvailable` (on hand less committed),
//! `quantityOnOrder`, `quantityCommitted`, `quantityBackOrdered`, `reorderPoint` and
//! `preferredStockLevel`.
//!
//! An adjustment needs `subsidiary`, an `account` of an adjustable type (cost of goods sold,
//! expense, other expense) and `inventory.items[]` lines with `item`, `location` (or the
//! header's `adjLocation`) and a non-zero `adjustQtyBy`; each line moves the item's
//! `quantityOnHand` at that location by exactly `adjustQtyBy`, all lines or none. NetSuite
//! refuses to take stock below zero. Updating an adjustment re-applies its lines (the old
//! ones are reversed); deleting it reverses them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue, json};

use super::{
    View, WriteContext, date, date_field, decimal_field, external_id_field, instant, missing,
    number, put, reference_id, sublist_items, text_field,
};
use crate::netsuite::data::NetSuiteData;
use crate::netsuite::data::items::{Item, Level, LevelRefusal};
use crate::netsuite::data::masters::{COGS_ACCOUNT, INVENTORY_ASSET_ACCOUNT, account, subsidiary};
use crate::netsuite::data::transactions::{
    AdjustmentLine, InventoryAdjustment, Transaction, TxnKind,
};
use crate::netsuite::error::NsError;
use crate::netsuite::filter::{FieldType, FieldValue, Filterable};

pub(crate) const ITEM_FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("itemId", FieldType::String),
    ("displayName", FieldType::String),
    ("description", FieldType::String),
    ("isInactive", FieldType::Boolean),
    ("cost", FieldType::Number),
    ("averageCost", FieldType::Number),
    ("createdDate", FieldType::DateTime),
    ("lastModifiedDate", FieldType::DateTime),
];

pub(crate) const ADJUSTMENT_FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("tranId", FieldType::String),
    ("tranDate", FieldType::Date),
    ("createdDate", FieldType::DateTime),
    ("lastModifiedDate", FieldType::DateTime),
    ("subsidiary", FieldType::Select),
    ("account", FieldType::Select),
    ("adjLocation", FieldType::Select),
    ("memo", FieldType::String),
    ("externalId", FieldType::String),
];

pub(crate) struct ItemFields<'a>(pub(crate) &'a Item);

impl Filterable for ItemFields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let item = self.0;
        match name {
            "id" => FieldValue::Number(Decimal::from(item.id)),
            "itemId" => FieldValue::Text(item.item_id.clone()),
            "displayName" => FieldValue::Text(item.display_name.clone()),
            "description" => FieldValue::Text(item.description.clone()),
            "isInactive" => FieldValue::Bool(item.is_inactive),
            "cost" => FieldValue::Number(item.cost),
            "averageCost" => FieldValue::Number(item.average_cost),
            "createdDate" => FieldValue::Instant(item.created),
            "lastModifiedDate" => FieldValue::Instant(item.last_modified),
            _ => FieldValue::Null,
        }
    }
}

pub(crate) struct AdjustmentFields<'a>(pub(crate) &'a InventoryAdjustment);

impl Filterable for AdjustmentFields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let adjustment = self.0;
        let text = |v: &Option<String>| v.clone().map_or(FieldValue::Null, FieldValue::Text);
        match name {
            "id" => FieldValue::Number(Decimal::from(adjustment.id)),
            "tranId" => FieldValue::Text(adjustment.tran_id.clone()),
            "tranDate" => FieldValue::Date(adjustment.tran_date),
            "createdDate" => FieldValue::Instant(adjustment.created),
            "lastModifiedDate" => FieldValue::Instant(adjustment.last_modified),
            "subsidiary" => FieldValue::Select(adjustment.subsidiary.to_string()),
            "account" => FieldValue::Select(adjustment.account.to_string()),
            "adjLocation" => adjustment
                .adj_location
                .map_or(FieldValue::Null, |l| FieldValue::Select(l.to_string())),
            "memo" => text(&adjustment.memo),
            "externalId" => text(&adjustment.external_id),
            _ => FieldValue::Null,
        }
    }
}

fn location_name(data: &NetSuiteData, id: u32) -> String {
    data.masters
        .location(id)
        .map_or_else(|| id.to_string(), |l| l.name.clone())
}

/// One line of an item's `locations` sublist.
pub(crate) fn level_json(data: &NetSuiteData, level: &Level, view: &View) -> JsonValue {
    let href = format!(
        "{}/locations/{}",
        view.record_url("inventoryitem", level.item),
        level.location
    );
    json!({
        "links": View::self_links(&href),
        "location": view.reference("location", level.location, &location_name(data, level.location)),
        "locationId": level.location.to_string(),
        "quantityOnHand": number(level.on_hand),
        "quantityAvailable": number(level.available()),
        "quantityOnOrder": number(level.on_order),
        "quantityCommitted": number(level.committed),
        "quantityBackOrdered": 0,
        "reorderPoint": number(level.reorder_point),
        "preferredStockLevel": number(level.preferred),
    })
}

pub(crate) fn render_item(data: &NetSuiteData, item: &Item, view: &View) -> Map<String, JsonValue> {
    let url = view.record_url("inventoryitem", item.id);
    let asset = account(INVENTORY_ASSET_ACCOUNT);
    let cogs = account(COGS_ACCOUNT);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(item.id.to_string()));
    map.insert(String::from("itemId"), json!(item.item_id));
    map.insert(String::from("displayName"), json!(item.display_name));
    map.insert(String::from("description"), json!(item.description));
    map.insert(String::from("isInactive"), json!(item.is_inactive));
    map.insert(String::from("baseUnit"), view.select(item.unit, item.unit));
    map.insert(String::from("cost"), number(item.cost));
    map.insert(String::from("averageCost"), number(item.average_cost));
    if let Some(asset) = asset {
        map.insert(
            String::from("assetAccount"),
            view.reference("account", asset.id, &asset.full_name()),
        );
    }
    if let Some(cogs) = cogs {
        map.insert(
            String::from("cogsAccount"),
            view.reference("account", cogs.id, &cogs.full_name()),
        );
    }
    map.insert(
        String::from("atpMethod"),
        view.select(
            "CUMULATIVE_ATP_WITH_LOOK_AHEAD",
            "Cumulative ATP with Look Ahead",
        ),
    );
    map.insert(String::from("createdDate"), instant(item.created));
    map.insert(
        String::from("lastModifiedDate"),
        instant(item.last_modified),
    );
    let levels = data
        .levels
        .levels_of(&data.items, item.id)
        .iter()
        .map(|level| level_json(data, level, view))
        .collect();
    map.insert(
        String::from("locations"),
        view.sublist(&format!("{url}/locations"), levels),
    );
    map
}

fn adjustment_line_json(
    data: &NetSuiteData,
    adjustment: &InventoryAdjustment,
    line: &AdjustmentLine,
    view: &View,
) -> JsonValue {
    let href = format!(
        "{}/inventory/{}",
        view.record_url("inventoryadjustment", adjustment.id),
        line.line
    );
    let item_name = data
        .items
        .get(line.item)
        .map_or_else(|| line.item.to_string(), |item| item.item_id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&href));
    map.insert(String::from("line"), json!(line.line));
    map.insert(
        String::from("item"),
        view.reference("inventoryitem", line.item, &item_name),
    );
    map.insert(
        String::from("location"),
        view.reference(
            "location",
            line.location,
            &location_name(data, line.location),
        ),
    );
    map.insert(String::from("adjustQtyBy"), number(line.adjust_qty_by));
    put(&mut map, "memo", line.memo.as_ref().map(|m| json!(m)));
    JsonValue::Object(map)
}

pub(crate) fn adjustment_json(
    data: &NetSuiteData,
    adjustment: &InventoryAdjustment,
    view: &View,
) -> Map<String, JsonValue> {
    let url = view.record_url("inventoryadjustment", adjustment.id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(adjustment.id.to_string()));
    map.insert(String::from("tranId"), json!(adjustment.tran_id));
    map.insert(String::from("tranDate"), date(adjustment.tran_date));
    map.insert(
        String::from("subsidiary"),
        view.reference(
            "subsidiary",
            adjustment.subsidiary,
            subsidiary(adjustment.subsidiary).map_or("", |s| s.name),
        ),
    );
    if let Some(account) = account(adjustment.account) {
        map.insert(
            String::from("account"),
            view.reference("account", account.id, &account.full_name()),
        );
    }
    put(
        &mut map,
        "adjLocation",
        adjustment
            .adj_location
            .map(|l| view.reference("location", l, &location_name(data, l))),
    );
    put(&mut map, "memo", adjustment.memo.as_ref().map(|m| json!(m)));
    map.insert(String::from("createdDate"), instant(adjustment.created));
    map.insert(
        String::from("lastModifiedDate"),
        instant(adjustment.last_modified),
    );
    put(
        &mut map,
        "externalId",
        adjustment.external_id.as_ref().map(|e| json!(e)),
    );
    let lines = adjustment
        .lines
        .iter()
        .map(|line| adjustment_line_json(data, adjustment, line, view))
        .collect();
    map.insert(
        String::from("inventory"),
        view.sublist(&format!("{url}/inventory"), lines),
    );
    map
}

pub(crate) fn render_adjustment(
    data: &NetSuiteData,
    id: u64,
    view: &View,
) -> Result<Option<Map<String, JsonValue>>, NsError> {
    let Some(txn) = data.transactions.get(id) else {
        return Ok(None);
    };
    let Some(adjustment) = txn.as_adjustment() else {
        return Err(super::purchase_order::wrong_type());
    };
    Ok(Some(adjustment_json(data, adjustment, view)))
}

// ---------------------------------------------------------------------------------------------
// Writes

const HEADER_FIELDS: &[&str] = &[
    "subsidiary",
    "account",
    "adjLocation",
    "tranDate",
    "memo",
    "externalId",
    "inventory",
];
const LINE_FIELDS: &[&str] = &["item", "location", "adjustQtyBy", "memo", "line"];

fn location_ref(data: &NetSuiteData, value: &JsonValue, path: &str) -> Result<u32, NsError> {
    let id = reference_id(value, "location", path)?;
    u32::try_from(id)
        .ok()
        .filter(|l| data.masters.location(*l).is_some())
        .ok_or_else(|| NsError::invalid_field_value(&id.to_string(), "location", path))
}

fn apply(
    data: &NetSuiteData,
    context: &mut WriteContext,
    adjustment: &mut InventoryAdjustment,
    body: &Map<String, JsonValue>,
    creating: bool,
) -> Result<(), NsError> {
    context.check_names(body, HEADER_FIELDS, "")?;
    if let Some(value) = body.get("subsidiary") {
        let id = reference_id(value, "subsidiary", "subsidiary")?;
        adjustment.subsidiary = u32::try_from(id)
            .ok()
            .and_then(subsidiary)
            .map(|s| s.id)
            .ok_or_else(|| {
                NsError::invalid_field_value(&id.to_string(), "subsidiary", "subsidiary")
            })?;
    } else if creating {
        return Err(missing("Subsidiary", "subsidiary"));
    }
    if let Some(value) = body.get("account") {
        let id = reference_id(value, "account", "account")?;
        adjustment.account = u32::try_from(id)
            .ok()
            .and_then(account)
            .filter(|a| a.kind.adjustable)
            .map(|a| a.id)
            .ok_or_else(|| NsError::invalid_field_value(&id.to_string(), "account", "account"))?;
    } else if creating {
        return Err(missing("Adjustment Account", "account"));
    }
    if let Some(value) = body.get("adjLocation") {
        adjustment.adj_location = if value.is_null() {
            None
        } else {
            Some(location_ref(data, value, "adjLocation")?)
        };
    }
    if let Some(value) = body.get("tranDate") {
        adjustment.tran_date = date_field(value, "tranDate", "tranDate")?;
    }
    if let Some(value) = body.get("memo") {
        adjustment.memo = text_field(value, "memo", "memo")?;
    }
    if let Some(value) = body.get("externalId") {
        adjustment.external_id = external_id_field(value, "externalId")?;
    }
    if let Some(value) = body.get("inventory") {
        let items = sublist_items(value, "inventory")?;
        let mut lines = Vec::with_capacity(items.len());
        for (position, entry) in items.iter().enumerate() {
            let path = format!("inventory.items[{position}]");
            let JsonValue::Object(object) = entry else {
                return Err(NsError::invalid_content(
                    "Invalid content in the request body: a line must be a JSON object.",
                    Some(&path),
                ));
            };
            context.check_names(object, LINE_FIELDS, &format!("{path}."))?;
            let item_value = object
                .get("item")
                .ok_or_else(|| missing("Item", &format!("{path}.item")))?;
            let item_id = reference_id(item_value, "item", &format!("{path}.item"))?;
            if data.items.get(item_id).is_none() {
                return Err(NsError::invalid_field_value(
                    &item_id.to_string(),
                    "item",
                    &format!("{path}.item"),
                ));
            }
            let location = match object.get("location") {
                Some(value) if !value.is_null() => {
                    location_ref(data, value, &format!("{path}.location"))?
                }
                _ => adjustment
                    .adj_location
                    .ok_or_else(|| missing("Location", &format!("{path}.location")))?,
            };
            let quantity = object
                .get("adjustQtyBy")
                .ok_or_else(|| missing("Adjust Qty. By", &format!("{path}.adjustQtyBy")))?;
            let adjust_qty_by =
                decimal_field(quantity, "adjustQtyBy", &format!("{path}.adjustQtyBy"))?;
            if adjust_qty_by.is_zero() {
                return Err(NsError::invalid_field_value(
                    "0",
                    "adjustQtyBy",
                    &format!("{path}.adjustQtyBy"),
                ));
            }
            let memo = match object.get("memo") {
                Some(value) => text_field(value, "memo", &format!("{path}.memo"))?,
                None => None,
            };
            lines.push(AdjustmentLine {
                line: u32::try_from(position + 1).unwrap_or(u32::MAX),
                item: item_id,
                location,
                adjust_qty_by,
                memo,
            });
        }
        if lines.is_empty() {
            return Err(NsError::user_error(
                "You must enter at least one line item for this transaction.",
            )
            .at_path("inventory"));
        }
        adjustment.lines = lines;
    } else if creating {
        return Err(NsError::user_error(
            "You must enter at least one line item for this transaction.",
        )
        .at_path("inventory"));
    }
    Ok(())
}

/// The net quantity change per `(item, location)` of some lines, times `sign`.
fn deltas(lines: &[AdjustmentLine], sign: Decimal, into: &mut BTreeMap<(u64, u32), Decimal>) {
    for line in lines {
        *into
            .entry((line.item, line.location))
            .or_insert(Decimal::ZERO) += line.adjust_qty_by * sign;
    }
}

/// Moves every quantity of `changes`, or none when one would go below zero.
fn move_stock(
    data: &mut NetSuiteData,
    changes: &BTreeMap<(u64, u32), Decimal>,
) -> Result<(), NsError> {
    for ((item, location), delta) in changes {
        let on_hand = data
            .levels
            .level(&data.items, *item, *location)
            .map_or(Decimal::ZERO, |level| level.on_hand);
        if on_hand + delta < Decimal::ZERO {
            let item_name = data
                .items
                .get(*item)
                .map_or_else(|| item.to_string(), |i| i.item_id);
            return Err(NsError::user_error(format!(
                "You cannot adjust the quantity of {item_name} at location {location} below zero: \
                 {} on hand, adjustment of {}.",
                on_hand.normalize(),
                delta.normalize()
            )));
        }
    }
    for ((item, location), delta) in changes {
        if delta.is_zero() {
            continue;
        }
        data.levels
            .adjust(&data.items, *item, *location, *delta)
            .map_err(|refusal| match refusal {
                LevelRefusal::UnknownItem => {
                    NsError::invalid_field_value(&item.to_string(), "item", "inventory")
                }
                other => NsError::user_error(format!("The adjustment cannot be made: {other:?}")),
            })?;
    }
    Ok(())
}

/// Creates an inventory adjustment and moves its quantities; returns its id.
pub(crate) fn create(
    data: &mut NetSuiteData,
    context: &mut WriteContext,
    body: &Map<String, JsonValue>,
    external_id: Option<&str>,
) -> Result<u64, NsError> {
    let now = context.now;
    let mut adjustment = InventoryAdjustment {
        id: 0,
        tran_id: String::new(),
        tran_date: now.date(),
        subsidiary: 1,
        account: 0,
        adj_location: None,
        memo: None,
        created: now,
        last_modified: now,
        external_id: external_id.map(str::to_owned),
        lines: Vec::new(),
    };
    apply(data, context, &mut adjustment, body, true)?;
    if let Some(external) = &adjustment.external_id
        && data
            .transactions
            .by_external_id(TxnKind::InventoryAdjustment, external)
            .is_some()
    {
        return Err(super::purchase_order::duplicate_external_id(external));
    }
    let mut changes = BTreeMap::new();
    deltas(&adjustment.lines, Decimal::ONE, &mut changes);
    move_stock(data, &changes)?;
    let (id, tran_id) = data.transactions.allocate(TxnKind::InventoryAdjustment);
    adjustment.id = id;
    adjustment.tran_id = tran_id;
    data.transactions
        .store(Transaction::InventoryAdjustment(adjustment));
    Ok(id)
}

fn existing(data: &NetSuiteData, id: u64) -> Result<InventoryAdjustment, NsError> {
    let txn = data
        .transactions
        .get(id)
        .ok_or_else(NsError::nonexistent_id)?;
    txn.as_adjustment()
        .cloned()
        .ok_or_else(super::purchase_order::wrong_type)
}

/// Updates an adjustment; new lines replace the old ones, whose quantities are reversed.
pub(crate) fn update(
    data: &mut NetSuiteData,
    context: &mut WriteContext,
    id: u64,
    body: &Map<String, JsonValue>,
) -> Result<(), NsError> {
    let old = existing(data, id)?;
    let mut adjustment = old.clone();
    apply(data, context, &mut adjustment, body, false)?;
    if let Some(external) = &adjustment.external_id
        && data
            .transactions
            .by_external_id(TxnKind::InventoryAdjustment, external)
            .is_some_and(|other| other != id)
    {
        return Err(super::purchase_order::duplicate_external_id(external));
    }
    let mut changes = BTreeMap::new();
    deltas(&old.lines, -Decimal::ONE, &mut changes);
    deltas(&adjustment.lines, Decimal::ONE, &mut changes);
    move_stock(data, &changes)?;
    adjustment.last_modified = context.now;
    data.transactions
        .store(Transaction::InventoryAdjustment(adjustment));
    Ok(())
}

/// Deletes an adjustment, reversing its quantities.
pub(crate) fn delete(data: &mut NetSuiteData, id: u64) -> Result<(), NsError> {
    let old = existing(data, id)?;
    let mut changes = BTreeMap::new();
    deltas(&old.lines, -Decimal::ONE, &mut changes);
    move_stock(data, &changes)?;
    data.transactions.delete(id);
    Ok(())
}
