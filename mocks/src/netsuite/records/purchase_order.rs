//! `purchaseOrder`: the record, its `item` sublist, filters and writes (reference §1.3–1.7).
//!
//! Create: `entity` (the vendor) and at least one `item.items[]` line with an `item`
//! reference are mandatory; `quantity` defaults to 1, `rate` to the item's purchase price,
//! the line `location` to the header's; `subsidiary` and `currency` default to the vendor's
//! and must agree with it. Update merges `item` lines by `line` (new lines without one are
//! added) unless `?replace=item` replaces them all; a line cannot drop below what was received.
//! Delete refuses an order with receipts or bills (they are dependent records).

use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue, json};

use super::{
    View, WriteContext, bool_field, date, date_field, decimal_field, external_id_field, instant,
    missing, number, put, reference_id, sublist_items, text_field,
};
use crate::netsuite::data::NetSuiteData;
use crate::netsuite::data::items::Item;
use crate::netsuite::data::masters::{currency, subsidiary};
use crate::netsuite::data::transactions::{
    Approval, PoLine, PurchaseOrder, Transaction, TxnHandle, TxnKind,
};
use crate::netsuite::error::NsError;
use crate::netsuite::filter::{FieldType, FieldValue, Filterable};

pub(crate) const FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("tranId", FieldType::String),
    ("tranDate", FieldType::Date),
    ("dueDate", FieldType::Date),
    ("createdDate", FieldType::DateTime),
    ("lastModifiedDate", FieldType::DateTime),
    ("entity", FieldType::Select),
    ("subsidiary", FieldType::Select),
    ("location", FieldType::Select),
    ("currency", FieldType::Select),
    ("status", FieldType::Select),
    ("orderStatus", FieldType::Select),
    ("approvalStatus", FieldType::Select),
    ("memo", FieldType::String),
    ("total", FieldType::Number),
    ("externalId", FieldType::String),
];

/// A purchase order met by a scan, drawn only when a filter reads more than its stamps.
pub(crate) struct Lazy<'a, 'b> {
    pub(crate) handle: &'b TxnHandle<'a>,
}

impl Filterable for Lazy<'_, '_> {
    fn field(&self, name: &str) -> FieldValue {
        match name {
            "id" => FieldValue::Number(Decimal::from(self.handle.id)),
            "createdDate" => FieldValue::Instant(self.handle.created),
            "lastModifiedDate" => FieldValue::Instant(self.handle.last_modified),
            other => match self.handle.record().as_purchase_order() {
                Some(order) => order_field(order, other),
                None => FieldValue::Null,
            },
        }
    }
}

fn optional_text(value: Option<&str>) -> FieldValue {
    value.map_or(FieldValue::Null, |v| FieldValue::Text(v.to_owned()))
}

fn order_field(order: &PurchaseOrder, name: &str) -> FieldValue {
    let status = order.derive_status();
    match name {
        "id" => FieldValue::Number(Decimal::from(order.id)),
        "tranId" => FieldValue::Text(order.tran_id.clone()),
        "tranDate" => FieldValue::Date(order.tran_date),
        "dueDate" => order.due_date.map_or(FieldValue::Null, FieldValue::Date),
        "createdDate" => FieldValue::Instant(order.created),
        "lastModifiedDate" => FieldValue::Instant(order.last_modified),
        "entity" => FieldValue::Select(order.vendor.to_string()),
        "subsidiary" => FieldValue::Select(order.subsidiary.to_string()),
        "location" => order
            .location
            .map_or(FieldValue::Null, |l| FieldValue::Select(l.to_string())),
        "currency" => FieldValue::Select(order.currency.to_string()),
        "status" => FieldValue::Select(status.text().to_owned()),
        "orderStatus" => FieldValue::Select(status.letter().to_owned()),
        "approvalStatus" => FieldValue::Select(order.approval.id().to_owned()),
        "memo" => optional_text(order.memo.as_deref()),
        "total" => FieldValue::Number(order.total()),
        "externalId" => optional_text(order.external_id.as_deref()),
        _ => FieldValue::Null,
    }
}

fn item_name(data: &NetSuiteData, id: u64) -> String {
    data.items
        .get(id)
        .map_or_else(|| id.to_string(), |item| item.item_id)
}

fn location_name(data: &NetSuiteData, id: u32) -> String {
    data.masters
        .location(id)
        .map_or_else(|| id.to_string(), |l| l.name.clone())
}

/// One `item` line in the record API's form.
pub(crate) fn line_json(
    data: &NetSuiteData,
    order: &PurchaseOrder,
    line: &PoLine,
    view: &View,
) -> JsonValue {
    let href = format!(
        "{}/item/{}",
        view.record_url("purchaseorder", order.id),
        line.line
    );
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&href));
    map.insert(String::from("line"), json!(line.line));
    map.insert(
        String::from("item"),
        view.reference("inventoryitem", line.item, &item_name(data, line.item)),
    );
    map.insert(
        String::from("itemType"),
        view.select("InvtPart", "InvtPart"),
    );
    put(
        &mut map,
        "description",
        (!line.description.is_empty()).then(|| json!(line.description)),
    );
    map.insert(String::from("quantity"), number(line.quantity));
    map.insert(String::from("rate"), number(line.rate));
    map.insert(String::from("amount"), number(line.amount()));
    put(
        &mut map,
        "location",
        line.location
            .map(|l| view.reference("location", l, &location_name(data, l))),
    );
    map.insert(
        String::from("quantityReceived"),
        number(line.quantity_received),
    );
    map.insert(String::from("quantityBilled"), number(line.quantity_billed));
    map.insert(String::from("isClosed"), json!(line.is_closed));
    map.insert(
        String::from("isOpen"),
        json!(!line.is_closed && line.quantity_received < line.quantity),
    );
    put(
        &mut map,
        "expectedReceiptDate",
        line.expected_receipt.map(date),
    );
    JsonValue::Object(map)
}

/// The record, `None` when no purchase order has this id; a different transaction type is
/// NetSuite's 400 "Transaction type specified is incorrect".
pub(crate) fn render(
    data: &NetSuiteData,
    id: u64,
    view: &View,
) -> Result<Option<Map<String, JsonValue>>, NsError> {
    let Some(txn) = data.transactions.get(id) else {
        return Ok(None);
    };
    let Some(order) = txn.as_purchase_order() else {
        return Err(wrong_type());
    };
    Ok(Some(order_json(data, order, view)))
}

pub(crate) fn wrong_type() -> NsError {
    NsError::user_error(
        "Error while accessing a resource. Transaction type specified is incorrect.",
    )
}

pub(crate) fn order_json(
    data: &NetSuiteData,
    order: &PurchaseOrder,
    view: &View,
) -> Map<String, JsonValue> {
    let url = view.record_url("purchaseorder", order.id);
    let status = order.derive_status();
    let vendor_name = data
        .vendors
        .get(order.vendor)
        .map_or_else(|| order.vendor.to_string(), |v| v.company_name);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(order.id.to_string()));
    map.insert(String::from("tranId"), json!(order.tran_id));
    map.insert(
        String::from("transactionNumber"),
        json!(order.tran_id.replacen("PO", "PURCHORD", 1)),
    );
    map.insert(
        String::from("entity"),
        view.reference("vendor", order.vendor, &vendor_name),
    );
    map.insert(
        String::from("subsidiary"),
        view.reference(
            "subsidiary",
            order.subsidiary,
            subsidiary(order.subsidiary).map_or("", |s| s.name),
        ),
    );
    put(
        &mut map,
        "location",
        order
            .location
            .map(|l| view.reference("location", l, &location_name(data, l))),
    );
    map.insert(
        String::from("currency"),
        view.reference(
            "currency",
            order.currency,
            currency(order.currency).map_or("", |c| c.name),
        ),
    );
    map.insert(String::from("exchangeRate"), number(order.exchange_rate));
    map.insert(String::from("tranDate"), date(order.tran_date));
    put(&mut map, "dueDate", order.due_date.map(date));
    map.insert(
        String::from("status"),
        view.select(status.text(), status.text()),
    );
    // Observed: the letter code is both id and refName.
    map.insert(
        String::from("orderStatus"),
        view.select(status.letter(), status.letter()),
    );
    map.insert(
        String::from("approvalStatus"),
        view.select(order.approval.id(), order.approval.text()),
    );
    put(&mut map, "memo", order.memo.as_ref().map(|m| json!(m)));
    map.insert(String::from("total"), number(order.total()));
    map.insert(String::from("createdDate"), instant(order.created));
    map.insert(
        String::from("lastModifiedDate"),
        instant(order.last_modified),
    );
    put(
        &mut map,
        "externalId",
        order.external_id.as_ref().map(|e| json!(e)),
    );
    let lines = order
        .lines
        .iter()
        .map(|line| line_json(data, order, line, view))
        .collect();
    map.insert(
        String::from("item"),
        view.sublist(&format!("{url}/item"), lines),
    );
    map
}

// ---------------------------------------------------------------------------------------------
// Writes

const HEADER_FIELDS: &[&str] = &[
    "entity",
    "subsidiary",
    "location",
    "currency",
    "tranDate",
    "dueDate",
    "memo",
    "externalId",
    "approvalStatus",
    "item",
];
const LINE_FIELDS: &[&str] = &[
    "line",
    "item",
    "quantity",
    "rate",
    "location",
    "description",
    "expectedReceiptDate",
    "isClosed",
];

fn active_item(data: &NetSuiteData, value: &JsonValue, path: &str) -> Result<Item, NsError> {
    let id = reference_id(value, "item", path)?;
    data.items
        .get(id)
        .filter(|item| !item.is_inactive)
        .ok_or_else(|| NsError::invalid_field_value(&id.to_string(), "item", path))
}

fn location_ref(data: &NetSuiteData, value: &JsonValue, path: &str) -> Result<u32, NsError> {
    let id = reference_id(value, "location", path)?;
    u32::try_from(id)
        .ok()
        .filter(|l| data.masters.location(*l).is_some())
        .ok_or_else(|| NsError::invalid_field_value(&id.to_string(), "location", path))
}

/// Applies the fields of one line object to `line` (a new line when `fresh`).
fn apply_line(
    data: &NetSuiteData,
    context: &mut WriteContext,
    line: &mut PoLine,
    object: &Map<String, JsonValue>,
    path: &str,
    fresh: bool,
) -> Result<(), NsError> {
    context.check_names(object, LINE_FIELDS, &format!("{path}."))?;
    if let Some(value) = object.get("item") {
        let item = active_item(data, value, &format!("{path}.item"))?;
        if fresh || line.item != item.id {
            if line.quantity_received > Decimal::ZERO {
                return Err(NsError::user_error(
                    "You cannot change the item of a line that has been received.",
                )
                .at_path(format!("{path}.item")));
            }
            line.item = item.id;
            line.description = item.display_name.clone();
            line.rate = item.cost;
        }
    } else if fresh {
        return Err(missing("Item", &format!("{path}.item")));
    }
    if let Some(value) = object.get("quantity") {
        let quantity = decimal_field(value, "quantity", &format!("{path}.quantity"))?;
        if quantity <= Decimal::ZERO {
            return Err(NsError::invalid_field_value(
                &quantity.to_string(),
                "quantity",
                &format!("{path}.quantity"),
            ));
        }
        if quantity < line.quantity_received {
            return Err(NsError::user_error(format!(
                "The quantity cannot be less than the quantity received ({}).",
                line.quantity_received.normalize()
            ))
            .at_path(format!("{path}.quantity")));
        }
        line.quantity = quantity;
    }
    if let Some(value) = object.get("rate") {
        let rate = decimal_field(value, "rate", &format!("{path}.rate"))?;
        if rate < Decimal::ZERO {
            return Err(NsError::invalid_field_value(
                &rate.to_string(),
                "rate",
                &format!("{path}.rate"),
            ));
        }
        line.rate = rate;
    }
    if let Some(value) = object.get("location") {
        line.location = if value.is_null() {
            None
        } else {
            Some(location_ref(data, value, &format!("{path}.location"))?)
        };
    }
    if let Some(value) = object.get("description") {
        line.description =
            text_field(value, "description", &format!("{path}.description"))?.unwrap_or_default();
    }
    if let Some(value) = object.get("expectedReceiptDate") {
        line.expected_receipt = if value.is_null() {
            None
        } else {
            Some(date_field(
                value,
                "expectedReceiptDate",
                &format!("{path}.expectedReceiptDate"),
            )?)
        };
    }
    if let Some(value) = object.get("isClosed") {
        line.is_closed = bool_field(value, "isClosed", &format!("{path}.isClosed"))?;
    }
    Ok(())
}

fn blank_line(number: u32) -> PoLine {
    PoLine {
        line: number,
        item: 0,
        description: String::new(),
        quantity: Decimal::ONE,
        rate: Decimal::ZERO,
        location: None,
        quantity_received: Decimal::ZERO,
        quantity_billed: Decimal::ZERO,
        is_closed: false,
        expected_receipt: None,
    }
}

/// Applies a create or update body to `order`.
fn apply(
    data: &NetSuiteData,
    context: &mut WriteContext,
    order: &mut PurchaseOrder,
    body: &Map<String, JsonValue>,
    replace_lines: bool,
    creating: bool,
) -> Result<(), NsError> {
    context.check_names(body, HEADER_FIELDS, "")?;
    if let Some(value) = body.get("entity") {
        let id = reference_id(value, "entity", "entity")?;
        let vendor = data
            .vendors
            .get(id)
            .filter(|v| !v.is_inactive)
            .ok_or_else(|| NsError::invalid_field_value(&id.to_string(), "entity", "entity"))?;
        if !creating
            && vendor.id != order.vendor
            && order
                .lines
                .iter()
                .any(|l| l.quantity_received > Decimal::ZERO)
        {
            return Err(NsError::user_error(
                "You cannot change the vendor of a purchase order that has been received.",
            )
            .at_path("entity"));
        }
        order.vendor = vendor.id;
        order.subsidiary = vendor.subsidiary;
        order.currency = vendor.currency;
    } else if creating {
        return Err(missing("Vendor", "entity"));
    }
    let vendor = data.vendors.get(order.vendor).ok_or_else(|| {
        NsError::invalid_field_value(&order.vendor.to_string(), "entity", "entity")
    })?;
    if let Some(value) = body.get("subsidiary") {
        let id = reference_id(value, "subsidiary", "subsidiary")?;
        // The order's subsidiary is the vendor's; naming another one is refused.
        if u64::from(vendor.subsidiary) != id {
            return Err(NsError::invalid_field_value(
                &id.to_string(),
                "subsidiary",
                "subsidiary",
            ));
        }
    }
    if let Some(value) = body.get("currency") {
        let id = reference_id(value, "currency", "currency")?;
        if u64::from(vendor.currency) != id {
            return Err(NsError::invalid_field_value(
                &id.to_string(),
                "currency",
                "currency",
            ));
        }
    }
    order.exchange_rate = currency(order.currency).map_or(Decimal::ONE, |c| c.exchange_rate());
    if let Some(value) = body.get("location") {
        order.location = if value.is_null() {
            None
        } else {
            Some(location_ref(data, value, "location")?)
        };
    }
    if let Some(value) = body.get("tranDate") {
        order.tran_date = date_field(value, "tranDate", "tranDate")?;
    }
    if let Some(value) = body.get("dueDate") {
        order.due_date = if value.is_null() {
            None
        } else {
            Some(date_field(value, "dueDate", "dueDate")?)
        };
    }
    if let Some(value) = body.get("memo") {
        order.memo = text_field(value, "memo", "memo")?;
    }
    if let Some(value) = body.get("externalId") {
        order.external_id = external_id_field(value, "externalId")?;
    }
    if let Some(value) = body.get("approvalStatus") {
        let id = match value {
            JsonValue::Object(map) => map.get("id").cloned().unwrap_or(JsonValue::Null),
            other => other.clone(),
        };
        let id = match id {
            JsonValue::String(s) => s,
            JsonValue::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        order.approval = Approval::from_id(&id)
            .ok_or_else(|| NsError::invalid_field_value(&id, "approvalStatus", "approvalStatus"))?;
    }
    if let Some(value) = body.get("item") {
        let items = sublist_items(value, "item")?;
        if replace_lines {
            if order
                .lines
                .iter()
                .any(|l| l.quantity_received > Decimal::ZERO)
            {
                return Err(NsError::user_error(
                    "You cannot replace the lines of a purchase order that has been received.",
                )
                .at_path("item"));
            }
            order.lines.clear();
        }
        for (position, entry) in items.iter().enumerate() {
            let path = format!("item.items[{position}]");
            let JsonValue::Object(object) = entry else {
                return Err(NsError::invalid_content(
                    "Invalid content in the request body: a line must be a JSON object.",
                    Some(&path),
                ));
            };
            let existing = match object.get("line") {
                Some(value) if !replace_lines => {
                    let number = reference_id(value, "line", &format!("{path}.line"))?;
                    Some(
                        order
                            .lines
                            .iter()
                            .position(|l| u64::from(l.line) == number)
                            .ok_or_else(|| {
                                NsError::invalid_field_value(
                                    &number.to_string(),
                                    "line",
                                    &format!("{path}.line"),
                                )
                            })?,
                    )
                }
                _ => None,
            };
            match existing {
                Some(index) => {
                    let mut line = order.lines[index].clone();
                    apply_line(data, context, &mut line, object, &path, false)?;
                    order.lines[index] = line;
                }
                None => {
                    let next = order.lines.iter().map(|l| l.line).max().unwrap_or(0) + 1;
                    let mut line = blank_line(next);
                    line.location = order.location;
                    line.expected_receipt = order.due_date;
                    apply_line(data, context, &mut line, object, &path, true)?;
                    order.lines.push(line);
                }
            }
        }
    } else if creating {
        return Err(NsError::user_error(
            "You must enter at least one line item for this transaction.",
        )
        .at_path("item"));
    }
    if order.lines.is_empty() {
        return Err(NsError::user_error(
            "You must enter at least one line item for this transaction.",
        )
        .at_path("item"));
    }
    Ok(())
}

/// Creates a purchase order; returns its id.
pub(crate) fn create(
    data: &mut NetSuiteData,
    context: &mut WriteContext,
    body: &Map<String, JsonValue>,
    external_id: Option<&str>,
) -> Result<u64, NsError> {
    let now = context.now;
    let mut order = PurchaseOrder {
        id: 0,
        tran_id: String::new(),
        vendor: 0,
        subsidiary: 1,
        location: None,
        currency: 1,
        exchange_rate: Decimal::ONE,
        tran_date: now.date(),
        due_date: None,
        memo: None,
        approval: Approval::Approved,
        created: now,
        last_modified: now,
        external_id: external_id.map(str::to_owned),
        lines: Vec::new(),
    };
    apply(data, context, &mut order, body, false, true)?;
    if let Some(external) = &order.external_id
        && data
            .transactions
            .by_external_id(TxnKind::PurchaseOrder, external)
            .is_some()
    {
        return Err(duplicate_external_id(external));
    }
    let (id, tran_id) = data.transactions.allocate(TxnKind::PurchaseOrder);
    order.id = id;
    order.tran_id = tran_id;
    data.transactions.store(Transaction::PurchaseOrder(order));
    Ok(id)
}

pub(crate) fn duplicate_external_id(external: &str) -> NsError {
    NsError::user_error(format!(
        "A record with the external ID '{external}' already exists. Use the upsert operation \
         (PUT with eid:) to change it."
    ))
    .at_path("externalId")
}

/// Updates a purchase order (`PATCH`, or `PUT eid:` on an existing one).
pub(crate) fn update(
    data: &mut NetSuiteData,
    context: &mut WriteContext,
    id: u64,
    body: &Map<String, JsonValue>,
    replace: &[String],
) -> Result<(), NsError> {
    let txn: Arc<Transaction> = data
        .transactions
        .get(id)
        .ok_or_else(NsError::nonexistent_id)?;
    let mut order = txn.as_purchase_order().cloned().ok_or_else(wrong_type)?;
    let replace_lines = replace.iter().any(|r| r.eq_ignore_ascii_case("item"));
    apply(data, context, &mut order, body, replace_lines, false)?;
    if let Some(external) = &order.external_id
        && data
            .transactions
            .by_external_id(TxnKind::PurchaseOrder, external)
            .is_some_and(|other| other != id)
    {
        return Err(duplicate_external_id(external));
    }
    order.last_modified = context.now;
    data.transactions.store(Transaction::PurchaseOrder(order));
    Ok(())
}

/// Deletes a purchase order that has neither receipts nor bills.
pub(crate) fn delete(data: &mut NetSuiteData, id: u64) -> Result<(), NsError> {
    let txn = data
        .transactions
        .get(id)
        .ok_or_else(NsError::nonexistent_id)?;
    let order = txn.as_purchase_order().ok_or_else(wrong_type)?;
    if order
        .lines
        .iter()
        .any(|l| l.quantity_received > Decimal::ZERO || l.quantity_billed > Decimal::ZERO)
    {
        return Err(NsError::user_error(
            "This record cannot be deleted because it has dependent records.",
        ));
    }
    data.transactions.delete(id);
    Ok(())
}
