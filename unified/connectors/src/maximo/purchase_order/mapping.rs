//! Maximo ⇄ canonical for purchase orders: a `PO` of `mxapipo` with its `poline` children into
//! a [`PurchaseOrder`], and the body that creates one.
//!
//! # Reading a purchase order
//! - `remote_id` = `ponum/revisionnum/siteid`; `number` = `ponum`; `remote_updated_at` =
//!   `changedate`; `remote_created_at` = none (a PO has no creation stamp; `orderdate` is a
//!   business date); `remote_version` = `_rowstamp`.
//! - `vendor_remote_id` = `vendor/orgid` (a vendor's `remote_id`); `company` = `orgid`;
//!   `currency` = `currencycode` (required); `order_date` = the date of `orderdate` as printed;
//!   `payment_terms` = `paymentterms`.
//! - Lines in `polinenum` order: `line_number` = `polinenum`; `item` = `itemnum`; `description`;
//!   `quantity` = `orderqty`; `unit` = `orderunit`; `unit_price` = `unitcost`; `price_unit` = 1;
//!   `amount` = quantity × unit price rounded to the currency's minor unit; `location` =
//!   `storeloc`; `expected_delivery_date` = `vendeliverydate`, else `reqdeliverydate`.
//!   `total_amount` is the sum of the line amounts (Maximo's `totalcost` adds taxes and is kept
//!   in `raw`).
//! - Status from `POSTATUS`: `WAPPR`, `PNDREV` (a revision awaiting approval) and `HOLD` →
//!   `draft`; `APPR`, `INPRG` and `REVISE` (the revision in force while the next is prepared) →
//!   by receipts: every line received in full → `received`, some received → `partially_received`,
//!   else `open`; `CLOSE` and `REVISD` (a superseded revision) → `closed`; `CAN` → `cancelled`.
//!   An unknown value is read through `status_maxvalue`, else it is a protocol error.
//!
//! # Creating a purchase order
//! `POST mxapipo` with [`purchase_order_payload`]: `siteid` (the `siteid` setting, or
//! `remote_fields`), `vendor` (the company of `vendor_remote_id`), `orgid` (the body's
//! `company`), `currencycode`, `orderdate`, `paymentterms`, and `poline[]` with `linetype`
//! (`ITEM` when the line names an item, `MATERIAL` otherwise), `itemnum`, `description`,
//! `orderqty`, `orderunit`, `unitcost`, `storeloc` (the line's `location`) and
//! `reqdeliverydate`. `ponum` comes from Maximo's autokey unless `remote_fields` names one.
//! Refused before sending: a vendor of another organisation than the body's `company`,
//! quantities and prices a JSON double cannot carry, a `status`, a `revisionnum` and `totalcost`.

use super::PURCHASE_ORDERS;
use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::maximo::mapping::{Defaults, parse, put, record_id, split_reference};
use crate::maximo::wire::{MxDateTime, date_text};
use crate::native::present;
use chrono::{DateTime, Utc};
use mw_model::{
    Decimal, EntityData, FieldError, NewPurchaseOrder, PurchaseOrder, PurchaseOrderLine,
    PurchaseOrderPatch, PurchaseOrderStatus, RemoteRecord, Validate, round_amount,
};
use serde_json::{Map, Value};

/// How far a `POSTATUS` value says the order got; `None` for a value this mapping does not know.
enum Stage {
    Draft,
    /// Approved: open, or received in part or whole.
    Approved,
    Closed,
    Cancelled,
}

fn stage(native: &str) -> Option<Stage> {
    Some(match native.trim().to_ascii_uppercase().as_str() {
        "WAPPR" | "PNDREV" | "HOLD" => Stage::Draft,
        "APPR" | "INPRG" | "REVISE" => Stage::Approved,
        "CLOSE" | "REVISD" => Stage::Closed,
        "CAN" => Stage::Cancelled,
        _ => return None,
    })
}

/// Reads one native purchase order (lines included) into a record.
pub(crate) fn purchase_order_record(
    raw: Value,
    _read_at: DateTime<Utc>,
) -> Result<RemoteRecord, ConnectorError> {
    let id = record_id(&raw, "purchase order", PURCHASE_ORDERS.keys)?;
    let po: wire::PurchaseOrder = parse(&raw, "purchase order", PURCHASE_ORDERS.keys)?;
    let changed = po
        .changedate
        .ok_or_else(|| ConnectorError::protocol(format!("purchase order {id}: no `changedate`")))?;
    let currency = present(&po.currencycode).ok_or_else(|| {
        ConnectorError::protocol(format!("purchase order {id}: no `currencycode`"))
    })?;
    let native = present(&po.status)
        .ok_or_else(|| ConnectorError::protocol(format!("purchase order {id}: no `status`")))?;
    let stage = stage(&native)
        .or_else(|| present(&po.status_maxvalue).and_then(|v| stage(&v)))
        .ok_or_else(|| {
            ConnectorError::protocol(format!(
                "purchase order {id}: status {native:?} is no POSTATUS value (WAPPR, APPR, \
                 INPRG, HOLD, REVISE, PNDREV, CLOSE, CAN)"
            ))
        })?;
    let mut native_lines: Vec<&wire::PoLine> = po.poline.iter().flatten().collect();
    native_lines.sort_by_key(|l| l.polinenum.map(|n| n.0));
    let mut lines = Vec::with_capacity(native_lines.len());
    let mut received = Vec::with_capacity(native_lines.len());
    for (i, line) in native_lines.into_iter().enumerate() {
        let number = line.polinenum.map(|n| n.0.to_string()).ok_or_else(|| {
            ConnectorError::protocol(format!("purchase order {id}: line {i} has no `polinenum`"))
        })?;
        let field = |value: Option<Decimal>, name: &str| {
            value.ok_or_else(|| {
                ConnectorError::protocol(format!("purchase order {id} line {number}: no `{name}`"))
            })
        };
        let quantity = field(line.orderqty.map(|d| d.0), "orderqty")?;
        let unit_price = field(line.unitcost.map(|d| d.0), "unitcost")?;
        let amount = quantity
            .checked_mul(unit_price)
            .map(|amount| round_amount(amount, &currency))
            .ok_or_else(|| {
                ConnectorError::protocol(format!(
                    "purchase order {id} line {number}: the amount overflows"
                ))
            })?;
        received.push((quantity, line.receivedqty.map_or(Decimal::ZERO, |d| d.0)));
        lines.push(PurchaseOrderLine {
            line_number: number,
            item: present(&line.itemnum),
            description: present(&line.description),
            quantity,
            unit: present(&line.orderunit),
            unit_price,
            price_unit: Decimal::ONE,
            amount,
            location: present(&line.storeloc),
            expected_delivery_date: line
                .vendeliverydate
                .or(line.reqdeliverydate)
                .map(MxDateTime::date),
        });
    }
    let total_amount = lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, line| sum.checked_add(line.amount))
        .ok_or_else(|| {
            ConnectorError::protocol(format!("purchase order {id}: the total overflows"))
        })?;
    let status = match stage {
        Stage::Draft => PurchaseOrderStatus::Draft,
        Stage::Closed => PurchaseOrderStatus::Closed,
        Stage::Cancelled => PurchaseOrderStatus::Cancelled,
        Stage::Approved if received.is_empty() => PurchaseOrderStatus::Open,
        Stage::Approved if received.iter().all(|(ordered, got)| got >= ordered) => {
            PurchaseOrderStatus::Received
        }
        Stage::Approved if received.iter().any(|(_, got)| *got > Decimal::ZERO) => {
            PurchaseOrderStatus::PartiallyReceived
        }
        Stage::Approved => PurchaseOrderStatus::Open,
    };
    let org = present(&po.orgid);
    let data = PurchaseOrder {
        number: po.ponum.clone().unwrap_or_default(),
        status,
        vendor_remote_id: present(&po.vendor).map(|vendor| match &org {
            Some(org) => format!("{vendor}/{org}"),
            None => vendor,
        }),
        company: org,
        currency,
        order_date: po.orderdate.map(MxDateTime::date),
        payment_terms: present(&po.paymentterms),
        total_amount,
        lines,
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: None,
        remote_updated_at: changed.utc(),
        remote_version: po.rowstamp.map(|r| r.0),
        data: EntityData::PurchaseOrder(data),
        raw: Some(raw),
    })
}

/// The body of `POST mxapipo`, or every reason it cannot be built.
pub(crate) fn purchase_order_payload(
    po: &NewPurchaseOrder,
    defaults: &Defaults,
) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(po.validate());
    let mut body = Map::new();
    let (vendor, vendor_org) = split_reference(&po.vendor_remote_id);
    let company = present(&po.company);
    if let (Some(company), Some(vendor_org)) = (&company, &vendor_org) {
        p.require(
            company.eq_ignore_ascii_case(vendor_org),
            "$.vendor_remote_id",
            format!("is a vendor of organisation {vendor_org}; the order is for {company}"),
        );
    }
    put(&mut body, "siteid", defaults.siteid.clone());
    put(&mut body, "vendor", Some(vendor).filter(|v| !v.is_empty()));
    put(&mut body, "orgid", company);
    put(
        &mut body,
        "currencycode",
        Some(po.currency.trim().to_owned()),
    );
    put(&mut body, "orderdate", po.order_date.map(date_text));
    put(&mut body, "paymentterms", present(&po.payment_terms));
    let mut lines = Vec::with_capacity(po.lines.len());
    for (i, line) in po.lines.iter().enumerate() {
        let mut native = Map::new();
        let item = present(&line.item);
        let kind = if item.is_some() { "ITEM" } else { "MATERIAL" };
        put(&mut native, "linetype", Some(kind.to_owned()));
        put(&mut native, "itemnum", item);
        put(&mut native, "description", present(&line.description));
        if let Some(n) = p.number(line.quantity, &format!("$.lines[{i}].quantity")) {
            native.insert("orderqty".into(), n);
        }
        put(&mut native, "orderunit", present(&line.unit));
        if let Some(n) = p.number(line.unit_price, &format!("$.lines[{i}].unit_price")) {
            native.insert("unitcost".into(), n);
        }
        put(&mut native, "storeloc", present(&line.location));
        put(
            &mut native,
            "reqdeliverydate",
            line.expected_delivery_date.map(date_text),
        );
        lines.push(Value::Object(native));
    }
    body.insert("poline".into(), Value::Array(lines));
    let mut canonical = vec![
        ("vendor", "$.vendor_remote_id"),
        ("currencycode", "$.currency"),
        ("poline", "$.lines"),
    ];
    for (set, attr, path) in [
        (po.company.is_some(), "orgid", "$.company"),
        (po.order_date.is_some(), "orderdate", "$.order_date"),
        (
            po.payment_terms.is_some(),
            "paymentterms",
            "$.payment_terms",
        ),
    ] {
        if set {
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        po.remote_fields.as_ref(),
        &canonical,
        &[
            (
                "status",
                "new purchase orders start WAPPR; Maximo approves them",
            ),
            ("statusdate", "is set by Maximo with the status"),
            ("revisionnum", "new purchase orders are revision 0"),
            ("poid", "is numbered by Maximo"),
            ("totalcost", "is summed by Maximo from the lines"),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

/// The attributes a change of a purchase order merges (`patchtype: MERGE`; lines matched on
/// `polinenum`), or every reason it cannot. Maximo edits an order only while it waits on
/// approval; that is Maximo's to refuse.
pub(crate) fn purchase_order_changes(patch: &PurchaseOrderPatch) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    let mut body = Map::new();
    let mut canonical = Vec::new();
    if let Some(date) = patch.order_date {
        put(&mut body, "orderdate", Some(date_text(date)));
        canonical.push(("orderdate", "$.order_date"));
    }
    if let Some(terms) = present(&patch.payment_terms) {
        put(&mut body, "paymentterms", Some(terms));
        canonical.push(("paymentterms", "$.payment_terms"));
    }
    if let Some(changes) = &patch.lines {
        let mut lines = Vec::with_capacity(changes.len());
        for (i, line) in changes.iter().enumerate() {
            let path = |field: &str| format!("$.lines[{i}].{field}");
            let mut native = Map::new();
            match line.line_number.trim().parse::<u32>() {
                Ok(n) => {
                    native.insert("polinenum".into(), Value::from(n));
                }
                Err(_) => p.require(
                    false,
                    path("line_number"),
                    "must be a line number of the order (Maximo's polinenum, a whole number)",
                ),
            }
            put(&mut native, "description", present(&line.description));
            if let Some(quantity) = line.quantity
                && let Some(n) = p.number(quantity, &path("quantity"))
            {
                native.insert("orderqty".into(), n);
            }
            if let Some(price) = line.unit_price
                && let Some(n) = p.number(price, &path("unit_price"))
            {
                native.insert("unitcost".into(), n);
            }
            put(
                &mut native,
                "reqdeliverydate",
                line.expected_delivery_date.map(date_text),
            );
            lines.push(Value::Object(native));
        }
        body.insert("poline".into(), Value::Array(lines));
        canonical.push(("poline", "$.lines"));
    }
    p.remote_fields(
        &mut body,
        patch.remote_fields.as_ref(),
        &canonical,
        &[
            ("ponum", "is the order's key and does not change"),
            ("revisionnum", "changes only through a revision"),
            ("siteid", "is the order's key and does not change"),
            ("status", "moves through Maximo's status action"),
            ("totalcost", "is summed by Maximo from the lines"),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

/// Refuses a change naming a line the order does not have: a merge would add it as a new line.
pub(crate) fn lines_exist(current: &RemoteRecord, body: &Value) -> Result<(), ConnectorError> {
    let EntityData::PurchaseOrder(order) = &current.data else {
        return Ok(());
    };
    let errors: Vec<FieldError> = body["poline"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, line)| {
            let number = line["polinenum"].to_string();
            !order.lines.iter().any(|l| l.line_number == number)
        })
        .map(|(i, line)| {
            FieldError::new(
                format!("$.lines[{i}].line_number"),
                format!(
                    "purchase order {} has no line {}",
                    current.remote_id, line["polinenum"]
                ),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConnectorError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::mapping::test_support::{members, now};
    use crate::test_support::{assert_keeps_raw, protocol_detail, reviewed};
    use mw_model::Entity;
    use mw_model::{NaiveDate, NewPurchaseOrderLine};
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/maximo/purchase_orders.json");

    fn po_of(record: &RemoteRecord) -> &PurchaseOrder {
        match &record.data {
            EntityData::PurchaseOrder(po) => po,
            other => panic!("not a purchase order: {other:?}"),
        }
    }

    #[test]
    fn changes_merge_lines_by_number_and_refuse_what_maximo_keeps() {
        let patch: PurchaseOrderPatch = serde_json::from_value(json!({
            "payment_terms": "NET30",
            "lines": [{"line_number": "2", "quantity": "17", "unit_price": "3.50"}]
        }))
        .unwrap();
        assert_eq!(
            purchase_order_changes(&patch).unwrap(),
            json!({"paymentterms": "NET30",
                "poline": [{"polinenum": 2, "orderqty": 17, "unitcost": 3.5}]})
        );
        let refused: PurchaseOrderPatch = serde_json::from_value(json!({
            "lines": [{"line_number": "two", "quantity": "1"}],
            "remote_fields": {"status": "APPR"}
        }))
        .unwrap();
        let paths: Vec<String> = purchase_order_changes(&refused)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.lines[0].line_number", "$.remote_fields.status"]);
    }

    #[test]
    fn a_merge_may_not_name_a_line_the_order_lacks() {
        let raw = json!({"ponum": "1017", "revisionnum": 0, "siteid": "BEDFORD", "status": "WAPPR",
            "changedate": "2026-03-01T10:00:00-05:00", "currencycode": "USD",
            "poline": [{"polinenum": 1, "orderqty": 2.0, "unitcost": 9.11}]});
        let order = purchase_order_record(raw, now()).unwrap();
        assert!(lines_exist(&order, &json!({"poline": [{"polinenum": 1}]})).is_ok());
        let missing = lines_exist(
            &order,
            &json!({"poline": [{"polinenum": 1}, {"polinenum": 3}]}),
        );
        assert!(
            matches!(&missing, Err(ConnectorError::Invalid(e)) if e[0].path == "$.lines[1].line_number"),
            "{missing:?}"
        );
    }

    #[test]
    fn realistic_purchase_orders_map_as_reviewed() {
        let records: Vec<Value> = members(PAGE)
            .into_iter()
            .map(|raw| {
                let record = purchase_order_record(raw, now()).unwrap();
                assert_eq!(po_of(&record).total_amount, po_of(&record).lines_total());
                reviewed(&record)
            })
            .collect();
        insta::assert_json_snapshot!("purchase_orders", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(
            members(PAGE).remove(0),
            |raw| purchase_order_record(raw, now()),
            Entity::PurchaseOrders,
        );
    }

    #[test]
    fn receipts_decide_an_approved_order_s_status() {
        let raw = |received: [f64; 2]| {
            json!({"ponum": "1017", "revisionnum": 0, "siteid": "BEDFORD", "status": "APPR",
            "currencycode": "USD", "changedate": "2024-02-01T08:00:02+00:00",
            "poline": [
                {"polinenum": 1, "orderqty": 2.0, "unitcost": 10.0, "receivedqty": received[0]},
                {"polinenum": 2, "orderqty": 3.0, "unitcost": 1.5, "receivedqty": received[1]}
            ]})
        };
        let status = |received| po_of(&purchase_order_record(raw(received), now()).unwrap()).status;
        assert_eq!(status([0.0, 0.0]), PurchaseOrderStatus::Open);
        assert_eq!(status([1.0, 0.0]), PurchaseOrderStatus::PartiallyReceived);
        assert_eq!(status([2.0, 3.0]), PurchaseOrderStatus::Received);
        let mut revised = raw([0.0, 0.0]);
        revised["status"] = json!("REVISD");
        assert_eq!(
            po_of(&purchase_order_record(revised, now()).unwrap()).status,
            PurchaseOrderStatus::Closed
        );
    }

    #[test]
    fn broken_records_name_the_field() {
        let detail = |raw: Value| protocol_detail(purchase_order_record(raw, now()));
        let mut raw = members(PAGE).remove(0);
        raw["poline"][0]["orderqty"] = json!("two");
        let d = detail(raw);
        assert!(
            d.contains("orderqty") && d.contains("1017/0/BEDFORD"),
            "{d}"
        );
        let mut raw = members(PAGE).remove(0);
        raw["poline"][0].as_object_mut().unwrap().remove("unitcost");
        assert!(detail(raw).contains("unitcost"));
        let mut raw = members(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("currencycode");
        assert!(detail(raw).contains("currencycode"));
        let mut raw = members(PAGE).remove(0);
        raw["status"] = json!("SHIPPED");
        assert!(detail(raw).contains("SHIPPED"));
    }

    fn new_po() -> NewPurchaseOrder {
        NewPurchaseOrder {
            vendor_remote_id: "ACME/EAGLENA".into(),
            currency: "USD".into(),
            company: Some("EAGLENA".into()),
            order_date: NaiveDate::from_ymd_opt(2024, 2, 1),
            payment_terms: Some("NET30".into()),
            lines: vec![
                NewPurchaseOrderLine {
                    item: Some("0-0006".into()),
                    description: None,
                    quantity: Decimal::new(25, 0),
                    unit: Some("EACH".into()),
                    unit_price: Decimal::new(1250, 2),
                    location: Some("CENTRAL".into()),
                    expected_delivery_date: NaiveDate::from_ymd_opt(2024, 2, 15),
                },
                NewPurchaseOrderLine {
                    item: None,
                    description: Some("Gasket kit, special order".into()),
                    quantity: Decimal::new(2, 0),
                    unit: None,
                    unit_price: Decimal::new(8990, 2),
                    location: None,
                    expected_delivery_date: None,
                },
            ],
            remote_fields: json!({"description": "Spares for PM"}).as_object().cloned(),
        }
    }

    #[test]
    fn new_purchase_orders_carry_what_maximo_reads() {
        let defaults = Defaults {
            siteid: Some("BEDFORD".into()),
            ..Defaults::default()
        };
        assert_eq!(
            purchase_order_payload(&new_po(), &defaults).unwrap(),
            json!({
                "siteid": "BEDFORD", "vendor": "ACME", "orgid": "EAGLENA", "currencycode": "USD",
                "orderdate": "2024-02-01T00:00:00+00:00", "paymentterms": "NET30",
                "description": "Spares for PM",
                "poline": [
                    {"linetype": "ITEM", "itemnum": "0-0006", "orderqty": 25, "orderunit": "EACH",
                     "unitcost": 12.5, "storeloc": "CENTRAL",
                     "reqdeliverydate": "2024-02-15T00:00:00+00:00"},
                    {"linetype": "MATERIAL", "description": "Gasket kit, special order",
                     "orderqty": 2, "unitcost": 89.9}
                ]
            })
        );
    }

    #[test]
    fn what_maximo_would_refuse_is_refused_first() {
        let mut po = new_po();
        po.company = Some("EAGLEUK".into());
        po.lines[0].unit_price = Decimal::from_str_exact("0.12345678901234567").unwrap();
        po.remote_fields = json!({"revisionnum": 1, "poline": []}).as_object().cloned();
        let paths: Vec<String> = purchase_order_payload(&po, &Defaults::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.vendor_remote_id",
                "$.lines[0].unit_price",
                "$.remote_fields.poline",
                "$.remote_fields.revisionnum"
            ]
        );
    }

    proptest! {
        #[test]
        fn mapping_never_panics(
            qty in prop_oneof![any::<f64>().prop_map(Value::from), any::<i64>().prop_map(Value::from), any::<String>().prop_map(Value::String)],
            cost in prop_oneof![any::<f64>().prop_map(Value::from), any::<i64>().prop_map(Value::from)],
            currency in prop_oneof![Just("USD"), Just("JPY"), Just("KWD"), Just("")],
            status in prop_oneof![Just("APPR"), Just("WAPPR"), Just("X"), Just("")],
            polinenum in prop_oneof![any::<i64>().prop_map(Value::from), Just(Value::Null), any::<f64>().prop_map(Value::from)],
        ) {
            let raw = json!({"ponum": "1", "revisionnum": 0, "siteid": "S", "status": status,
                "currencycode": currency, "changedate": "2024-02-01T08:00:02+00:00",
                "poline": [{"polinenum": polinenum, "orderqty": qty, "unitcost": cost}]});
            if let Ok(record) = purchase_order_record(raw, now()) {
                let po = po_of(&record);
                prop_assert_eq!(po.total_amount, po.lines_total());
            }
        }

        #[test]
        fn create_payload_round_trips(
            lines in proptest::collection::vec(((1i64..100_000, 0u32..=3), (0i64..10_000_000, 0u32..=2), proptest::option::of("[A-Z0-9-]{1,10}")), 1..5),
            currency in prop_oneof![Just("USD"), Just("EUR"), Just("JPY")],
        ) {
            let po = NewPurchaseOrder {
                vendor_remote_id: "ACME".into(),
                currency: currency.into(),
                company: None,
                order_date: None,
                payment_terms: None,
                lines: lines.iter().map(|((q, qs), (p, ps), item)| NewPurchaseOrderLine {
                    item: item.clone(),
                    description: Some("Part".into()),
                    quantity: Decimal::new(*q, *qs),
                    unit: None,
                    unit_price: Decimal::new(*p, *ps),
                    location: None,
                    expected_delivery_date: None,
                }).collect(),
                remote_fields: None,
            };
            let mut echoed = match purchase_order_payload(&po, &Defaults::default()) {
                Ok(body) => body,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            // What Maximo then prints maps back to the same lines.
            echoed["ponum"] = json!("1017");
            echoed["revisionnum"] = json!(0);
            echoed["siteid"] = json!("BEDFORD");
            echoed["orgid"] = json!("EAGLENA");
            echoed["status"] = json!("WAPPR");
            echoed["changedate"] = json!("2024-02-01T03:00:02-05:00");
            for (i, line) in echoed["poline"].as_array_mut().unwrap().iter_mut().enumerate() {
                line["polinenum"] = json!(i + 1);
            }
            let record = match purchase_order_record(echoed, now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let read = po_of(&record);
            prop_assert_eq!(read.status, PurchaseOrderStatus::Draft);
            prop_assert_eq!(read.vendor_remote_id.as_deref(), Some("ACME/EAGLENA"));
            prop_assert_eq!(read.lines.len(), po.lines.len());
            for (line, sent) in read.lines.iter().zip(&po.lines) {
                prop_assert_eq!(line.quantity, sent.quantity.normalize());
                prop_assert_eq!(line.unit_price, sent.unit_price.normalize());
                prop_assert_eq!(&line.item, &sent.item);
                prop_assert_eq!(line.amount, round_amount(sent.quantity * sent.unit_price, currency));
            }
            prop_assert_eq!(read.total_amount, read.lines_total());
        }
    }
}
