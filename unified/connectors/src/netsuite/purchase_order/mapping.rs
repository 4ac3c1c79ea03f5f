//! NetSuite ⇄ canonical for purchase orders: the `purchaseOrder` record (read with
//! `expandSubResources=true`, so that the `item` sublist is there), and the bodies that create
//! and change one.
//!
//! # Reading
//! - `remote_id` = `id` (the internal id); `number` = `tranId` (then `transactionNumber`, then the
//!   id); `remote_updated_at` = `lastModifiedDate`; `remote_created_at` = `createdDate`;
//!   `remote_version` none (NetSuite has no record versions); `raw` the native object as read.
//! - `vendor_remote_id` = `entity.id`; `company` = `subsidiary.id`; `currency` = the ISO code of
//!   the `currency` reference (see `reference`); `order_date` = `tranDate`; `payment_terms` =
//!   the name of `terms`.
//! - Lines are the `item` sublist in NetSuite's order, closed lines included (they stay part of
//!   the order's value): `line_number` = `line`, `item` = `item.id` (the internal id, what writes
//!   take), `description`, `quantity`, `unit` = `units` (name, else id), `unit_price` = `rate`
//!   (`amount ÷ quantity` when NetSuite printed no rate), `price_unit` 1, `location` = the line's
//!   `location.id` (the header's when the line has none), `expected_delivery_date` =
//!   `expectedReceiptDate`. `amount` = quantity × rate rounded to the currency's minor unit, and
//!   `total_amount` their sum (NetSuite's own `total` includes tax and shipping, the model's
//!   does not).
//! - Status, from `orderStatus` (the letter) or else `status` (the text; SuiteQL's `PurchOrd:B`
//!   form too):
//!
//!   | NetSuite | canonical |
//!   |---|---|
//!   | A Pending Supervisor Approval | `draft` |
//!   | B Pending Receipt | `open` |
//!   | C Rejected by Supervisor | `cancelled` |
//!   | D Partially Received, E Pending Billing/Partially Received | `partially_received` |
//!   | F Pending Bill | `received` |
//!   | G Fully Billed, H Closed | `closed` |
//!
//!   A status NetSuite prints that is not in the table is told from the lines instead: every line
//!   received in full → `received`, some received → `partially_received`, otherwise `open`.
//! - A record without its id, change stamp, currency, or a line without quantity or price is a
//!   protocol error naming the field.
//!
//! # Creating
//! `POST purchaseOrder` with `entity`, `subsidiary` (from `company`; NetSuite derives it from the
//! vendor otherwise), `currency`, `tranDate`, `terms`, the header `location` when every line has
//! the same one, and `item.items[]` of `{item, quantity, rate, description, location, units,
//! expectedReceiptDate}`. Checked before sending: NetSuite needs an item (an internal id) on
//! every line; ids are digits; decimals must travel exactly as JSON numbers; `remote_fields` go
//! on the header and may not restate what a canonical field sets.
//!
//! # Changing
//! `PATCH purchaseOrder/<id>` with `terms`, `tranDate`, `remote_fields`, and the changed lines as
//! `item.items[]` each carrying its `line`, so that NetSuite merges them into the existing lines
//! (no `replace`). Lines are found by `line_number` against the order as just read.

use crate::ConnectorError;
use crate::native::present;
use crate::netsuite::reference;
use crate::netsuite::wire::{
    NsDate, NsDateTime, NsDecimal, NsText, Ref, Sublist, number_of_decimal,
};
use mw_model::{
    Decimal, EntityData, FieldError, NewPurchaseOrder, PurchaseOrder, PurchaseOrderLine,
    PurchaseOrderPatch, PurchaseOrderStatus, RemoteRecord, Validate, round_amount,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// The native `purchaseOrder`, the fields the model needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NativeOrder {
    #[serde(default)]
    pub(crate) id: Option<NsText>,
    #[serde(default)]
    tran_id: Option<String>,
    #[serde(default)]
    transaction_number: Option<String>,
    #[serde(default)]
    entity: Option<Ref>,
    #[serde(default)]
    subsidiary: Option<Ref>,
    #[serde(default)]
    location: Option<Ref>,
    #[serde(default)]
    currency: Option<Ref>,
    #[serde(default)]
    tran_date: Option<NsDate>,
    #[serde(default)]
    terms: Option<Ref>,
    #[serde(default)]
    status: Option<Ref>,
    #[serde(default)]
    order_status: Option<Ref>,
    #[serde(default)]
    created_date: Option<NsDateTime>,
    #[serde(default)]
    last_modified_date: Option<NsDateTime>,
    #[serde(default)]
    pub(crate) item: Sublist<NativeLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NativeLine {
    #[serde(default)]
    pub(crate) line: Option<NsText>,
    #[serde(default)]
    item: Option<Ref>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    quantity: Option<NsDecimal>,
    #[serde(default)]
    rate: Option<NsDecimal>,
    #[serde(default)]
    amount: Option<NsDecimal>,
    #[serde(default)]
    units: Option<Ref>,
    #[serde(default)]
    location: Option<Ref>,
    #[serde(default)]
    expected_receipt_date: Option<NsDate>,
    #[serde(default)]
    quantity_received: Option<NsDecimal>,
}

/// Reads a native purchase order, naming the field that does not parse.
pub(crate) fn parse_order(raw: &Value) -> Result<NativeOrder, ConnectorError> {
    crate::native::parse(raw, || {
        let id = raw.get("id").map(Value::to_string).unwrap_or_default();
        format!("purchase order {id}")
    })
}

/// Reads one native `purchaseOrder` (sublists expanded) into a record.
pub(crate) fn purchase_order_record(raw: Value) -> Result<RemoteRecord, ConnectorError> {
    let native = parse_order(&raw)?;
    let id = native
        .id
        .as_ref()
        .map(|t| t.0.trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ConnectorError::protocol("a purchase order has no `id`".into()))?;
    let what = |field: &str| format!("purchase order {id}: `{field}`");
    let updated = native.last_modified_date.ok_or_else(|| {
        ConnectorError::protocol(format!("{} is missing", what("lastModifiedDate")))
    })?;
    let currency = native
        .currency
        .as_ref()
        .and_then(reference::currency_code)
        .ok_or_else(|| ConnectorError::protocol(format!("{} is missing", what("currency"))))?;
    let header_location = native.location.as_ref().and_then(Ref::id);
    let mut lines = Vec::with_capacity(native.item.0.len());
    for (i, native_line) in native.item.0.iter().enumerate() {
        lines.push(line(&id, i, native_line, &currency, header_location)?);
    }
    let total_amount = lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(l.amount))
        .ok_or_else(|| {
            ConnectorError::protocol(format!("purchase order {id}: the total overflows"))
        })?;
    let status = status(&native, &native.item.0);
    let number = present(&native.tran_id)
        .or_else(|| present(&native.transaction_number))
        .unwrap_or_else(|| id.clone());
    let po = PurchaseOrder {
        number,
        status,
        vendor_remote_id: native.entity.as_ref().and_then(Ref::id).map(str::to_owned),
        company: native
            .subsidiary
            .as_ref()
            .and_then(Ref::id)
            .map(str::to_owned),
        currency,
        order_date: native.tran_date.map(|d| d.0),
        payment_terms: native
            .terms
            .as_ref()
            .and_then(Ref::name_or_id)
            .map(str::to_owned),
        total_amount,
        lines,
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: native.created_date.map(|d| d.0),
        remote_updated_at: updated.0,
        remote_version: None,
        data: EntityData::PurchaseOrder(po),
        raw: Some(raw),
    })
}

fn line(
    order: &str,
    index: usize,
    native: &NativeLine,
    currency: &str,
    header_location: Option<&str>,
) -> Result<PurchaseOrderLine, ConnectorError> {
    let what = |field: &str| format!("purchase order {order}: `item.items[{index}].{field}`");
    let quantity = native
        .quantity
        .ok_or_else(|| ConnectorError::protocol(format!("{} is missing", what("quantity"))))?
        .0;
    let unit_price = match (native.rate, native.amount) {
        (Some(rate), _) => rate.0,
        (None, Some(amount)) if !quantity.is_zero() => amount
            .0
            .checked_div(quantity)
            .map(|rate| rate.normalize())
            .ok_or_else(|| {
                ConnectorError::protocol(format!("{} ÷ quantity overflows", what("amount")))
            })?,
        _ => {
            return Err(ConnectorError::protocol(format!(
                "{} is missing",
                what("rate")
            )));
        }
    };
    let amount = quantity
        .checked_mul(unit_price)
        .map(|a| round_amount(a, currency))
        .ok_or_else(|| {
            ConnectorError::protocol(format!("{} × rate overflows", what("quantity")))
        })?;
    Ok(PurchaseOrderLine {
        line_number: native
            .line
            .as_ref()
            .map(|l| l.0.trim().to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| (index + 1).to_string()),
        item: native.item.as_ref().and_then(Ref::id).map(str::to_owned),
        description: present(&native.description),
        quantity,
        unit: native
            .units
            .as_ref()
            .and_then(Ref::name_or_id)
            .map(str::to_owned),
        unit_price,
        price_unit: Decimal::ONE,
        amount,
        location: native
            .location
            .as_ref()
            .and_then(Ref::id)
            .or(header_location)
            .map(str::to_owned),
        expected_delivery_date: native.expected_receipt_date.map(|d| d.0),
    })
}

/// The canonical status of a NetSuite status letter or text.
pub(crate) fn status_of(code: &str) -> Option<PurchaseOrderStatus> {
    use PurchaseOrderStatus::*;
    let code = code.trim();
    let code = code.strip_prefix("PurchOrd:").unwrap_or(code);
    let by_letter = match code {
        "A" => Some(Draft),
        "B" => Some(Open),
        "C" => Some(Cancelled),
        "D" | "E" => Some(PartiallyReceived),
        "F" => Some(Received),
        "G" | "H" => Some(Closed),
        _ => None,
    };
    by_letter.or_else(|| match code.to_lowercase().as_str() {
        "pending supervisor approval" | "pending approval" => Some(Draft),
        "pending receipt" => Some(Open),
        "rejected by supervisor" | "rejected" => Some(Cancelled),
        "partially received" | "pending billing/partially received" => Some(PartiallyReceived),
        "pending bill" | "pending billing" => Some(Received),
        "fully billed" | "closed" => Some(Closed),
        _ => None,
    })
}

fn status(native: &NativeOrder, lines: &[NativeLine]) -> PurchaseOrderStatus {
    let printed = [&native.order_status, &native.status]
        .into_iter()
        .flatten()
        .flat_map(|r| [r.id(), r.name()])
        .flatten()
        .find_map(status_of);
    if let Some(status) = printed {
        return status;
    }
    let received = |l: &NativeLine| l.quantity_received.map_or(Decimal::ZERO, |q| q.0);
    let ordered = |l: &NativeLine| l.quantity.map_or(Decimal::ZERO, |q| q.0);
    if !lines.is_empty() && lines.iter().all(|l| received(l) >= ordered(l)) {
        PurchaseOrderStatus::Received
    } else if lines.iter().any(|l| received(l) > Decimal::ZERO) {
        PurchaseOrderStatus::PartiallyReceived
    } else {
        PurchaseOrderStatus::Open
    }
}

fn reference(id: &str) -> Value {
    json!({ "id": id })
}

/// The JSON number of a decimal field, or the error at `path` when it cannot travel exactly.
fn number(value: Decimal, path: String, errors: &mut Vec<FieldError>) -> Value {
    number_of_decimal(value).unwrap_or_else(|| {
        errors.push(FieldError::new(
            path,
            "has more significant digits than NetSuite's JSON numbers carry exactly (15)",
        ));
        Value::Null
    })
}

fn internal_id(value: &str, path: &str, what: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if !crate::netsuite::client::is_internal_id(value) {
        errors.push(FieldError::new(
            path,
            format!("must be the NetSuite internal id of {what} (digits)"),
        ));
    }
    value.to_owned()
}

/// Header fields a body may not take from `remote_fields`.
const RESERVED: [&str; 4] = ["id", "links", "item", "entity"];

fn merge_remote_fields(
    body: &mut Map<String, Value>,
    remote_fields: Option<&Map<String, Value>>,
    errors: &mut Vec<FieldError>,
) {
    for (key, value) in remote_fields.into_iter().flatten() {
        let path = format!("$.remote_fields.{key}");
        if RESERVED.contains(&key.as_str()) {
            errors.push(FieldError::new(
                path,
                "is set from the canonical fields (vendor, lines) and cannot be given here",
            ));
        } else if body.contains_key(key) {
            errors.push(FieldError::new(
                path,
                "is set from a canonical field; give it there only",
            ));
        } else {
            body.insert(key.clone(), value.clone());
        }
    }
}

/// What a create needs resolved to internal ids before the body can be written.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) currency: Option<String>,
    pub(crate) terms: Option<String>,
}

/// The body of `POST purchaseOrder`, or everything NetSuite would refuse in it.
pub(crate) fn purchase_order_payload(
    po: &NewPurchaseOrder,
    resolved: &Resolved,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = po.validate();
    let mut body = Map::new();
    let vendor = internal_id(
        &po.vendor_remote_id,
        "$.vendor_remote_id",
        "a vendor",
        &mut errors,
    );
    body.insert("entity".into(), reference(&vendor));
    if let Some(company) = po.company.as_deref().filter(|c| !c.trim().is_empty()) {
        let id = internal_id(company, "$.company", "a subsidiary", &mut errors);
        body.insert("subsidiary".into(), reference(&id));
    }
    if let Some(currency) = &resolved.currency {
        body.insert("currency".into(), reference(currency));
    }
    if let Some(date) = po.order_date {
        body.insert("tranDate".into(), json!(date.to_string()));
    }
    if let Some(terms) = &resolved.terms {
        body.insert("terms".into(), reference(terms));
    }
    let mut items = Vec::with_capacity(po.lines.len());
    let mut locations = HashSet::new();
    for (i, line) in po.lines.iter().enumerate() {
        let path = |field: &str| format!("$.lines[{i}].{field}");
        let mut item = Map::new();
        match line
            .item
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(id) => {
                let id = internal_id(id, &path("item"), "an item", &mut errors);
                item.insert("item".into(), reference(&id));
            }
            None => errors.push(FieldError::new(
                path("item"),
                "NetSuite needs an item (its internal id) on every purchase order line",
            )),
        }
        item.insert(
            "quantity".into(),
            number(line.quantity, path("quantity"), &mut errors),
        );
        item.insert(
            "rate".into(),
            number(line.unit_price, path("unit_price"), &mut errors),
        );
        if let Some(text) = line.description.as_deref().filter(|s| !s.trim().is_empty()) {
            item.insert("description".into(), json!(text.trim()));
        }
        match line
            .location
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(location) => {
                let id = internal_id(location, &path("location"), "a location", &mut errors);
                locations.insert(id.clone());
                item.insert("location".into(), reference(&id));
            }
            None => {
                locations.insert(String::new());
            }
        }
        if let Some(unit) = line
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let id = internal_id(
                unit,
                &path("unit"),
                "a unit of the item's units type",
                &mut errors,
            );
            item.insert("units".into(), reference(&id));
        }
        if let Some(date) = line.expected_delivery_date {
            item.insert("expectedReceiptDate".into(), json!(date.to_string()));
        }
        items.push(Value::Object(item));
    }
    // NetSuite's header location is the receiving location; it is set when every line agrees.
    if locations.len() == 1
        && let Some(location) = locations.iter().next().filter(|l| !l.is_empty())
    {
        body.insert("location".into(), reference(location));
    }
    merge_remote_fields(&mut body, po.remote_fields.as_ref(), &mut errors);
    body.insert("item".into(), json!({ "items": items }));
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// The body of `PATCH purchaseOrder/<id>` applying `patch` to `order` (as just read), or
/// everything NetSuite would refuse in it. `terms` is the resolved id of `payment_terms`.
pub(crate) fn purchase_order_changes(
    patch: &PurchaseOrderPatch,
    order: &NativeOrder,
    terms: Option<&str>,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = patch.validate();
    let mut body = Map::new();
    if let Some(terms) = terms {
        body.insert("terms".into(), reference(terms));
    }
    if let Some(date) = patch.order_date {
        body.insert("tranDate".into(), json!(date.to_string()));
    }
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for (i, change) in patch.lines.iter().flatten().enumerate() {
        let path = |field: &str| format!("$.lines[{i}].{field}");
        let wanted = change.line_number.trim();
        if !seen.insert(wanted.to_owned()) {
            errors.push(FieldError::new(
                path("line_number"),
                "names a line named before in this patch",
            ));
            continue;
        }
        let found = order.item.0.iter().enumerate().find_map(|(index, l)| {
            let number = l
                .line
                .as_ref()
                .map(|n| n.0.trim().to_owned())
                .unwrap_or_else(|| (index + 1).to_string());
            (number == wanted).then_some(number)
        });
        let Some(line_no) = found else {
            errors.push(FieldError::new(
                path("line_number"),
                format!("the purchase order has no line {wanted}"),
            ));
            continue;
        };
        let mut item = Map::new();
        item.insert(
            "line".into(),
            line_no
                .parse::<u64>()
                .map_or_else(|_| json!(line_no), |n| json!(n)),
        );
        if let Some(text) = &change.description {
            item.insert("description".into(), json!(text.trim()));
        }
        if let Some(quantity) = change.quantity {
            item.insert(
                "quantity".into(),
                number(quantity, path("quantity"), &mut errors),
            );
        }
        if let Some(price) = change.unit_price {
            item.insert(
                "rate".into(),
                number(price, path("unit_price"), &mut errors),
            );
        }
        if let Some(date) = change.expected_delivery_date {
            item.insert("expectedReceiptDate".into(), json!(date.to_string()));
        }
        items.push(Value::Object(item));
    }
    merge_remote_fields(&mut body, patch.remote_fields.as_ref(), &mut errors);
    if !items.is_empty() {
        body.insert("item".into(), json!({ "items": items }));
    }
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mw_model::{NaiveDate, NewPurchaseOrderLine, PurchaseOrderLinePatch};
    use proptest::prelude::*;

    fn fixture() -> Value {
        serde_json::from_str(include_str!(
            "../../../../../fixtures/protocol/netsuite/purchase_orders.json"
        ))
        .unwrap()
    }

    #[test]
    fn realistic_purchase_orders_map_as_reviewed() {
        let records: Vec<RemoteRecord> = fixture()
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(|raw| purchase_order_record(raw).unwrap())
            .map(|r| RemoteRecord { raw: None, ..r })
            .collect();
        for r in &records {
            let EntityData::PurchaseOrder(po) = &r.data else {
                panic!("not a purchase order")
            };
            assert_eq!(po.total_amount, po.lines_total(), "{}", r.remote_id);
        }
        let shown: Vec<Value> = records
            .iter()
            .map(|r| {
                json!({
                    "remote_id": r.remote_id,
                    "remote_created_at": r.remote_created_at,
                    "remote_updated_at": r.remote_updated_at,
                    "remote_version": r.remote_version,
                    "data": r.data,
                })
            })
            .collect();
        insta::assert_json_snapshot!("purchase_orders", shown);
    }

    #[test]
    fn raw_is_the_native_object() {
        let raw = fixture()[0].clone();
        let record = purchase_order_record(raw.clone()).unwrap();
        assert_eq!(record.raw, Some(raw));
    }

    #[test]
    fn statuses_by_letter_text_and_suiteql_code() {
        use PurchaseOrderStatus::*;
        for (code, want) in [
            ("A", Draft),
            ("B", Open),
            ("PurchOrd:B", Open),
            ("C", Cancelled),
            ("D", PartiallyReceived),
            ("Pending Billing/Partially Received", PartiallyReceived),
            ("F", Received),
            ("Pending Bill", Received),
            ("G", Closed),
            ("fully billed", Closed),
            ("H", Closed),
        ] {
            assert_eq!(status_of(code), Some(want), "{code}");
        }
        assert_eq!(status_of("Planned"), None);
    }

    #[test]
    fn unknown_statuses_are_told_from_the_lines() {
        let order = |received: &str| {
            json!({"id": "1", "lastModifiedDate": "2026-03-02T08:00:00Z",
                "currency": {"id": "1", "refName": "USD"}, "status": {"id": "Planned"},
                "item": {"items": [{"line": 1, "quantity": 4, "rate": 1, "quantityReceived": received}]}})
        };
        let status = |v: Value| match purchase_order_record(v).unwrap().data {
            EntityData::PurchaseOrder(po) => po.status,
            _ => unreachable!(),
        };
        assert_eq!(status(order("0")), PurchaseOrderStatus::Open);
        assert_eq!(status(order("1")), PurchaseOrderStatus::PartiallyReceived);
        assert_eq!(status(order("4")), PurchaseOrderStatus::Received);
    }

    #[test]
    fn broken_records_name_the_field() {
        let base = json!({"id": "7", "lastModifiedDate": "2026-03-02T08:00:00Z",
            "currency": {"id": "1", "refName": "US Dollar"},
            "item": {"items": [{"line": 1, "quantity": 2, "rate": 3}]}});
        let error = |patch: Value| {
            let mut v = base.clone();
            for (k, val) in patch.as_object().unwrap() {
                v[k] = val.clone();
            }
            match purchase_order_record(v) {
                Err(ConnectorError::Protocol { detail, .. }) => detail,
                other => panic!("{other:?}"),
            }
        };
        assert!(error(json!({"lastModifiedDate": null})).contains("lastModifiedDate"));
        assert!(error(json!({"lastModifiedDate": "yesterday"})).contains("lastModifiedDate"));
        assert!(error(json!({"currency": null})).contains("currency"));
        assert!(
            error(json!({"item": {"items": [{"line": 1, "rate": 3}]}}))
                .contains("item.items[0].quantity")
        );
        assert!(error(json!({"item": {"items": [{"line": 1, "quantity": "x"}]}})).contains("item"));
        assert!(error(json!({"id": null})).contains("no `id`"));
        // A line without a rate takes amount ÷ quantity.
        let mut v = base.clone();
        v["item"] = json!({"items": [{"line": 1, "quantity": 4, "amount": 10}]});
        let EntityData::PurchaseOrder(po) = purchase_order_record(v).unwrap().data else {
            unreachable!()
        };
        assert_eq!(po.lines[0].unit_price.to_string(), "2.5");
    }

    fn new_line() -> NewPurchaseOrderLine {
        NewPurchaseOrderLine {
            item: Some("13861".into()),
            description: Some("CNC router bits".into()),
            quantity: "12.5".parse().unwrap(),
            unit: None,
            unit_price: "41.20".parse().unwrap(),
            location: Some("1".into()),
            expected_delivery_date: NaiveDate::from_ymd_opt(2026, 3, 20),
        }
    }

    fn new_po(lines: Vec<NewPurchaseOrderLine>) -> NewPurchaseOrder {
        NewPurchaseOrder {
            vendor_remote_id: "1335929".into(),
            currency: "USD".into(),
            company: Some("1".into()),
            order_date: NaiveDate::from_ymd_opt(2026, 3, 2),
            payment_terms: Some("Net 30".into()),
            lines,
            remote_fields: Some(
                json!({"memo": "conformance", "externalId": "MW-1"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        }
    }

    #[test]
    fn create_body_in_netsuite_terms() {
        let resolved = Resolved {
            currency: Some("1".into()),
            terms: Some("2".into()),
        };
        let body = purchase_order_payload(
            &new_po(vec![
                new_line(),
                NewPurchaseOrderLine {
                    description: None,
                    quantity: "3".parse().unwrap(),
                    unit_price: "1999.99".parse().unwrap(),
                    expected_delivery_date: None,
                    ..new_line()
                },
            ]),
            &resolved,
        )
        .unwrap();
        assert_eq!(
            body,
            json!({
                "entity": {"id": "1335929"}, "subsidiary": {"id": "1"}, "currency": {"id": "1"},
                "tranDate": "2026-03-02", "terms": {"id": "2"}, "location": {"id": "1"},
                "memo": "conformance", "externalId": "MW-1",
                "item": {"items": [
                    {"item": {"id": "13861"}, "quantity": 12.5, "rate": 41.2,
                     "description": "CNC router bits", "location": {"id": "1"},
                     "expectedReceiptDate": "2026-03-20"},
                    {"item": {"id": "13861"}, "quantity": 3, "rate": 1999.99, "location": {"id": "1"}}
                ]}
            })
        );
    }

    #[test]
    fn what_netsuite_would_refuse_is_refused_before_sending() {
        let mut po = new_po(vec![
            NewPurchaseOrderLine {
                item: None,
                ..new_line()
            },
            NewPurchaseOrderLine {
                item: Some("ROUTER-1".into()),
                location: Some("Main".into()),
                unit: Some("ea".into()),
                quantity: "1.000000000000000001".parse().unwrap(),
                ..new_line()
            },
        ]);
        po.vendor_remote_id = "Acme".into();
        po.remote_fields = Some(
            json!({"entity": {"id": "1"}, "tranDate": "2026-01-01"})
                .as_object()
                .unwrap()
                .clone(),
        );
        let paths: Vec<String> = purchase_order_payload(&po, &Resolved::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.vendor_remote_id",
                "$.lines[0].item",
                "$.lines[1].item",
                "$.lines[1].quantity",
                "$.lines[1].location",
                "$.lines[1].unit",
                "$.remote_fields.entity",
                "$.remote_fields.tranDate",
            ]
        );
    }

    fn order() -> NativeOrder {
        parse_order(&json!({"id": "5", "item": {"items": [
            {"line": 1, "quantity": 10, "rate": 2}, {"line": 3, "quantity": 1, "rate": 1}]}}))
        .unwrap()
    }

    fn change(line: &str) -> PurchaseOrderLinePatch {
        PurchaseOrderLinePatch {
            line_number: line.into(),
            description: None,
            quantity: None,
            unit_price: None,
            expected_delivery_date: None,
        }
    }

    #[test]
    fn changes_merge_into_lines_by_their_number() {
        let patch = PurchaseOrderPatch {
            payment_terms: Some("Net 30".into()),
            order_date: NaiveDate::from_ymd_opt(2026, 3, 5),
            lines: Some(vec![PurchaseOrderLinePatch {
                quantity: Some("17".parse().unwrap()),
                unit_price: Some("2.25".parse().unwrap()),
                description: Some(" Router ".into()),
                expected_delivery_date: NaiveDate::from_ymd_opt(2026, 4, 1),
                ..change("3")
            }]),
            remote_fields: Some(json!({"memo": "m"}).as_object().unwrap().clone()),
        };
        assert_eq!(
            purchase_order_changes(&patch, &order(), Some("2")).unwrap(),
            json!({"terms": {"id": "2"}, "tranDate": "2026-03-05", "memo": "m",
                "item": {"items": [{"line": 3, "quantity": 17, "rate": 2.25, "description": "Router",
                    "expectedReceiptDate": "2026-04-01"}]}})
        );
        let patch = PurchaseOrderPatch {
            lines: Some(vec![change("2"), change("1"), change("1")]),
            remote_fields: Some(json!({"item": []}).as_object().unwrap().clone()),
            ..PurchaseOrderPatch::default()
        };
        let paths: Vec<String> = purchase_order_changes(&patch, &order(), None)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.lines[0].line_number",
                "$.lines[2].line_number",
                "$.remote_fields.item"
            ]
        );
    }

    fn any_number() -> impl Strategy<Value = Value> {
        prop_oneof![
            (-1_000_000_i64..1_000_000).prop_map(|n| json!(n)),
            (-1e9_f64..1e9).prop_map(|f| json!(f)),
            (-1_000_000_i64..1_000_000, 0_u32..6)
                .prop_map(|(m, s)| json!(Decimal::new(m, s).to_string())),
            Just(json!("x")),
            Just(Value::Null),
        ]
    }

    fn any_ref() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[0-9]{1,6}".prop_map(|id| json!({"id": id, "refName": "R"})),
            "[A-H]".prop_map(|id| json!({"id": id})),
            Just(json!("12")),
            Just(json!(5)),
            Just(json!([])),
            Just(Value::Null),
        ]
    }

    fn any_line() -> impl Strategy<Value = Value> {
        (
            any_number(),
            any_number(),
            any_number(),
            any_ref(),
            any_ref(),
            any_number(),
        )
            .prop_map(|(line, quantity, rate, item, location, received)| {
                json!({"line": line, "quantity": quantity, "rate": rate, "item": item,
                    "location": location, "quantityReceived": received})
            })
    }

    fn any_order() -> impl Strategy<Value = Value> {
        (
            proptest::collection::vec(any_line(), 0..4),
            any_ref(),
            any_ref(),
            prop_oneof![
                Just(json!("2026-03-02T08:00:00Z")),
                Just(json!("bad")),
                Just(Value::Null)
            ],
        )
            .prop_map(|(lines, currency, status, modified)| {
                json!({"id": "9", "lastModifiedDate": modified, "currency": currency,
                    "orderStatus": status, "item": {"items": lines}})
            })
    }

    fn good_line() -> impl Strategy<Value = Value> {
        (1_i64..100_000, 0_u32..3, 0_i64..10_000_000, 0_u32..4).prop_map(|(q, qs, r, rs)| {
            json!({"line": 1, "quantity": Decimal::new(q, qs).to_string(),
                "rate": Decimal::new(r, rs).to_string(), "item": {"id": "1"}})
        })
    }

    proptest! {
        /// Whatever NetSuite sends, the mapping answers a record or an error, never a panic.
        #[test]
        fn mapping_never_panics(raw in any_order()) {
            let _ = purchase_order_record(raw);
        }

        /// The total is the sum of the lines, each rounded to the currency's minor unit.
        #[test]
        fn totals_are_the_sum_of_rounded_lines(
            lines in proptest::collection::vec(good_line(), 0..8),
            currency in prop_oneof![Just("USD"), Just("JPY"), Just("KWD")],
        ) {
            let raw = json!({"id": "9", "lastModifiedDate": "2026-03-02T08:00:00Z",
                "currency": {"id": "1", "refName": currency}, "item": {"items": lines}});
            let EntityData::PurchaseOrder(po) = purchase_order_record(raw).unwrap().data else {
                unreachable!()
            };
            prop_assert_eq!(po.total_amount, po.lines_total());
            for line in &po.lines {
                prop_assert_eq!(line.amount, round_amount(line.quantity * line.unit_price, currency));
                prop_assert!(line.amount.scale() <= mw_model::currency_decimals(currency));
            }
        }

        /// What a create sends reads back as the canonical order: the same vendor, items,
        /// quantities and prices, exactly.
        #[test]
        fn create_payload_round_trips(
            lines in proptest::collection::vec((1_i64..10_000_000, 0_u32..4, 0_i64..100_000_000, 0_u32..4, 1_u32..99_999), 1..6),
        ) {
            let po = new_po(lines.iter().map(|(q, qs, p, ps, item)| NewPurchaseOrderLine {
                item: Some(item.to_string()),
                quantity: Decimal::new(*q, *qs),
                unit_price: Decimal::new(*p, *ps),
                ..new_line()
            }).collect());
            let resolved = Resolved { currency: Some("1".into()), terms: None };
            let mut body = purchase_order_payload(&po, &resolved).unwrap();
            // What NetSuite would print back: the same body with an id, a stamp and line numbers.
            body["id"] = json!("77");
            body["lastModifiedDate"] = json!("2026-03-02T08:00:00Z");
            body["currency"] = json!({"id": "1", "refName": "US Dollar"});
            if let Some(items) = body["item"]["items"].as_array_mut() {
                for (i, item) in items.iter_mut().enumerate() {
                    item["line"] = json!(i + 1);
                }
            }
            let EntityData::PurchaseOrder(read) = purchase_order_record(body).unwrap().data else {
                unreachable!()
            };
            prop_assert_eq!(read.vendor_remote_id.as_deref(), Some("1335929"));
            prop_assert_eq!(read.currency, "USD");
            prop_assert_eq!(read.lines.len(), po.lines.len());
            for (sent, got) in po.lines.iter().zip(&read.lines) {
                prop_assert_eq!(&sent.item, &got.item);
                prop_assert_eq!(sent.quantity, got.quantity);
                prop_assert_eq!(sent.unit_price, got.unit_price);
                prop_assert_eq!(&sent.location, &got.location);
            }
        }
    }
}
