//! SAP ⇄ canonical: purchase orders read from `A_PurchaseOrder` (with `to_PurchaseOrderItem`
//! and its `to_ScheduleLine`), and the deep-insert body that creates one.
//!
//! # Reading a purchase order
//! - `remote_id` and `number` are `PurchaseOrder` as SAP prints it; `remote_updated_at` is
//!   `LastChangeDateTime`; `remote_created_at` is `CreationDate` (a date, taken as midnight UTC);
//!   `raw` is the native JSON object as received, deleted items included.
//! - Lines are the items without a deletion code, in SAP's order: `line_number` =
//!   `PurchaseOrderItem`, `item` = `Material`, `description` = `PurchaseOrderItemText`,
//!   `quantity` = `OrderQuantity`, `unit` = `PurchaseOrderQuantityUnit`, `unit_price` =
//!   `NetPriceAmount`, `price_unit` = `NetPriceQuantity` (1 when absent or zero), `location` =
//!   `Plant`, `expected_delivery_date` = the earliest schedule line's date when schedule lines
//!   were expanded. `amount` = quantity × unit price ÷ price unit, rounded to the document
//!   currency's minor unit; `total_amount` is the sum of the lines. Deleted items are left out
//!   because SAP leaves them out of the order's value too.
//! - Status, first rule that applies:
//!   1. header `PurchasingDocumentDeletionCode` not blank → `cancelled`;
//!   2. `ReleaseIsNotCompleted` → `draft` (the release strategy has not approved it yet);
//!   3. every line `IsCompletelyDelivered` and `IsFinallyInvoiced` → `closed`;
//!   4. every line `IsCompletelyDelivered` → `received`;
//!   5. some line `IsCompletelyDelivered` → `partially_received`;
//!   6. otherwise (also when no line is left) → `open`.
//! - Blank strings, which is how SAP prints an unset field, become `None`.
//! - A record without its key, change stamp, currency, an item number, quantity or price, or with
//!   a value SAP would never print (a date that is not `/Date(…)/`, a decimal that is not a
//!   decimal string, arithmetic that overflows) is a protocol error naming the field.
//!
//! # Creating a purchase order
//! `POST A_PurchaseOrder` with the items as a deep insert (see [`purchase_order_payload`]). Before
//! anything is sent, the body is checked for what SAP needs beyond the canonical validation: a
//! plant and a unit on every line, a known company code, lengths and decimal places that fit the
//! service's metadata, and `remote_fields` that do not contradict the canonical fields.

use crate::ConnectorError;
use crate::Problems;
use crate::sap::mapping::{body_with, fits, parse, printed};
use crate::sap::version;
use crate::sap::wire::{self, EdmDecimal, Navigation, ODataDate};
use mw_model::{
    Decimal, EntityData, FieldError, NewPurchaseOrder, PurchaseOrder, PurchaseOrderLine,
    PurchaseOrderStatus, RemoteRecord, Validate, round_amount,
};
use serde_json::Value;

/// Defaults for fields of a new purchase order that the canonical body does not carry, from the
/// connection's settings. `remote_fields` override them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PurchaseOrderDefaults {
    /// `PurchaseOrderType`; `NB` (standard PO) unless the `purchase_order_type` setting says otherwise.
    pub(crate) purchase_order_type: String,
    pub(crate) company_code: Option<String>,
    pub(crate) purchasing_organization: Option<String>,
    pub(crate) purchasing_group: Option<String>,
}

impl Default for PurchaseOrderDefaults {
    fn default() -> Self {
        PurchaseOrderDefaults {
            purchase_order_type: "NB".into(),
            company_code: None,
            purchasing_organization: None,
            purchasing_group: None,
        }
    }
}

/// Reads one native `A_PurchaseOrder` (items expanded) into a record.
pub(crate) fn purchase_order_record(raw: Value) -> Result<RemoteRecord, ConnectorError> {
    let header: wire::PurchaseOrder = parse(&raw, "purchase order", "PurchaseOrder")?;
    let number = printed(&header.purchase_order)
        .ok_or_else(|| ConnectorError::protocol("purchase order without `PurchaseOrder`".into()))?;
    let updated_at = header.last_change_date_time.ok_or_else(|| {
        ConnectorError::protocol(format!("purchase order {number}: no `LastChangeDateTime`"))
    })?;
    let data = purchase_order(&number, &header)?;
    Ok(RemoteRecord {
        remote_id: number,
        remote_created_at: header
            .creation_date
            .map(|d| ODataDate::from_date(d.0.date_naive()).0),
        remote_updated_at: updated_at.0,
        // API_PURCHASEORDER_PROCESS_SRV declares no ETag (no ConcurrencyMode="Fixed"); one a
        // system sends anyway is kept, for the If-Match of later changes.
        remote_version: version::etag_of(&raw),
        data: EntityData::PurchaseOrder(data),
        raw: Some(raw),
    })
}

fn purchase_order(
    number: &str,
    header: &wire::PurchaseOrder,
) -> Result<PurchaseOrder, ConnectorError> {
    let currency = header.document_currency.clone().ok_or_else(|| {
        ConnectorError::protocol(format!("purchase order {number}: no `DocumentCurrency`"))
    })?;
    let items = match &header.items {
        Some(Navigation::Expanded(items)) => items.as_slice(),
        _ => {
            return Err(ConnectorError::protocol(format!(
                "purchase order {number}: `to_PurchaseOrderItem` was not expanded"
            )));
        }
    };
    let live: Vec<&wire::PurchaseOrderItem> = items
        .iter()
        .filter(|item| printed(&item.purchasing_document_deletion_code).is_none())
        .collect();
    let lines = live
        .iter()
        .enumerate()
        .map(|(i, item)| line(number, i, item, &currency))
        .collect::<Result<Vec<_>, _>>()?;
    let total_amount = lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, line| sum.checked_add(line.amount))
        .ok_or_else(|| {
            ConnectorError::protocol(format!("purchase order {number}: the total overflows"))
        })?;
    Ok(PurchaseOrder {
        number: number.to_owned(),
        status: status(header, &live),
        vendor_remote_id: printed(&header.supplier),
        company: printed(&header.company_code),
        currency,
        order_date: header.purchase_order_date.map(|d| d.0.date_naive()),
        payment_terms: printed(&header.payment_terms),
        total_amount,
        lines,
    })
}

fn line(
    number: &str,
    index: usize,
    item: &wire::PurchaseOrderItem,
    currency: &str,
) -> Result<PurchaseOrderLine, ConnectorError> {
    let line_number = printed(&item.purchase_order_item).ok_or_else(|| {
        ConnectorError::protocol(format!(
            "purchase order {number}: item #{index} has no `PurchaseOrderItem`"
        ))
    })?;
    let missing = |field: &str| {
        ConnectorError::protocol(format!(
            "purchase order {number} item {line_number}: no `{field}`"
        ))
    };
    let quantity = item
        .order_quantity
        .ok_or_else(|| missing("OrderQuantity"))?
        .0;
    let unit_price = item
        .net_price_amount
        .ok_or_else(|| missing("NetPriceAmount"))?
        .0;
    let price_unit = match item.net_price_quantity {
        None => Decimal::ONE,
        Some(EdmDecimal(p)) if p.is_zero() => Decimal::ONE,
        Some(EdmDecimal(p)) if p.is_sign_negative() => {
            return Err(ConnectorError::protocol(format!(
                "purchase order {number} item {line_number}: `NetPriceQuantity` is negative ({p})"
            )));
        }
        Some(EdmDecimal(p)) => p,
    };
    let amount = quantity
        .checked_mul(unit_price)
        .and_then(|gross| gross.checked_div(price_unit))
        .map(|amount| round_amount(amount, currency))
        .ok_or_else(|| {
            ConnectorError::protocol(format!(
                "purchase order {number} item {line_number}: the amount overflows"
            ))
        })?;
    let expected_delivery_date = item
        .schedule_lines
        .as_ref()
        .and_then(Navigation::expanded)
        .and_then(|lines| {
            lines
                .iter()
                .filter_map(|l| l.schedule_line_delivery_date)
                .min()
        })
        .map(|d| d.0.date_naive());
    Ok(PurchaseOrderLine {
        line_number,
        item: printed(&item.material),
        description: printed(&item.purchase_order_item_text),
        quantity,
        unit: printed(&item.purchase_order_quantity_unit),
        unit_price,
        price_unit,
        amount,
        location: printed(&item.plant),
        expected_delivery_date,
    })
}

/// The status rules of the module documentation; `live` are the items without a deletion code.
fn status(header: &wire::PurchaseOrder, live: &[&wire::PurchaseOrderItem]) -> PurchaseOrderStatus {
    if printed(&header.purchasing_document_deletion_code).is_some() {
        return PurchaseOrderStatus::Cancelled;
    }
    if header.release_is_not_completed == Some(true) {
        return PurchaseOrderStatus::Draft;
    }
    let delivered = live
        .iter()
        .filter(|i| i.is_completely_delivered == Some(true))
        .count();
    if live.is_empty() || delivered == 0 {
        PurchaseOrderStatus::Open
    } else if delivered < live.len() {
        PurchaseOrderStatus::PartiallyReceived
    } else if live.iter().all(|i| i.is_finally_invoiced == Some(true)) {
        PurchaseOrderStatus::Closed
    } else {
        PurchaseOrderStatus::Received
    }
}

/// SAP field lengths and decimal shapes from `API_PURCHASEORDER_PROCESS_SRV`'s metadata.
mod limits {
    pub(super) const SUPPLIER: usize = 10;
    pub(super) const COMPANY_CODE: usize = 4;
    pub(super) const PAYMENT_TERMS: usize = 4;
    pub(super) const MATERIAL: usize = 40;
    pub(super) const ITEM_TEXT: usize = 40;
    pub(super) const PLANT: usize = 4;
    pub(super) const UNIT: usize = 3;
    /// `PurchaseOrderItem` is NUMC(5) and items go 10, 20, …, so 9999 items at most.
    pub(super) const ITEMS: usize = 9999;
    /// `OrderQuantity` is Decimal(13,3).
    pub(super) const QUANTITY: (u32, u32) = (13, 3);
    /// `NetPriceAmount` is Decimal(12,3).
    pub(super) const NET_PRICE: (u32, u32) = (12, 3);
}

fn blank(value: Option<&str>) -> bool {
    value.is_none_or(|s| s.trim().is_empty())
}

/// Fields of the native header that the canonical body sets, and where; `remote_fields` may not
/// set them too.
fn canonical_header_fields(po: &NewPurchaseOrder) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("Supplier", "$.vendor_remote_id"),
        ("DocumentCurrency", "$.currency"),
        ("to_PurchaseOrderItem", "$.lines"),
    ];
    if po.company.is_some() {
        fields.push(("CompanyCode", "$.company"));
    }
    if po.payment_terms.is_some() {
        fields.push(("PaymentTerms", "$.payment_terms"));
    }
    if po.order_date.is_some() {
        fields.push(("PurchaseOrderDate", "$.order_date"));
    }
    fields
}

/// Everything wrong with `po` as an SAP purchase order, the canonical validation included.
pub(crate) fn check_new_purchase_order(
    po: &NewPurchaseOrder,
    defaults: &PurchaseOrderDefaults,
) -> Vec<FieldError> {
    let mut p = Problems(po.validate());
    let no_longer =
        |value: Option<&str>, max: usize| value.is_none_or(|s| s.chars().count() <= max);
    let remote = po.remote_fields.as_ref();

    for (field, from) in canonical_header_fields(po) {
        p.require(
            remote.is_none_or(|r| !r.contains_key(field)),
            format!("$.remote_fields.{field}"),
            format!("is set from `{from}`; give it there only"),
        );
    }
    let remote_company = remote
        .and_then(|r| r.get("CompanyCode"))
        .and_then(Value::as_str);
    p.require(
        !blank(po.company.as_deref()) || !blank(remote_company) || defaults.company_code.is_some(),
        "$.company",
        "SAP needs a company code: give `company`, `remote_fields.CompanyCode` or the connection setting `company_code`",
    );
    p.require(
        no_longer(Some(&po.vendor_remote_id), limits::SUPPLIER),
        "$.vendor_remote_id",
        "an SAP supplier number has at most 10 characters",
    );
    p.require(
        no_longer(po.company.as_deref(), limits::COMPANY_CODE),
        "$.company",
        "an SAP company code has at most 4 characters",
    );
    p.require(
        no_longer(po.payment_terms.as_deref(), limits::PAYMENT_TERMS),
        "$.payment_terms",
        "SAP payment terms have at most 4 characters",
    );
    p.require(
        po.lines.len() <= limits::ITEMS,
        "$.lines",
        "an SAP purchase order holds at most 9999 items",
    );
    for (i, line) in po.lines.iter().enumerate() {
        let path = |field: &str| format!("$.lines[{i}].{field}");
        p.require(
            !blank(line.location.as_deref()),
            path("location"),
            "SAP needs the receiving plant of every line",
        );
        p.require(
            no_longer(line.location.as_deref(), limits::PLANT),
            path("location"),
            "an SAP plant has at most 4 characters",
        );
        p.require(
            !blank(line.unit.as_deref()),
            path("unit"),
            "SAP needs the order unit of every line",
        );
        p.require(
            no_longer(line.unit.as_deref(), limits::UNIT),
            path("unit"),
            "an SAP unit of measure has at most 3 characters",
        );
        p.require(
            no_longer(line.item.as_deref(), limits::MATERIAL),
            path("item"),
            "an SAP material number has at most 40 characters",
        );
        p.require(
            no_longer(line.description.as_deref(), limits::ITEM_TEXT),
            path("description"),
            "an SAP item text has at most 40 characters",
        );
        p.require(
            fits(line.quantity, limits::QUANTITY),
            path("quantity"),
            "SAP order quantities have at most 10 integer digits and 3 decimals",
        );
        p.require(
            fits(line.unit_price, limits::NET_PRICE),
            path("unit_price"),
            "SAP net prices have at most 9 integer digits and 3 decimals",
        );
    }
    p.0
}

/// The deep-insert body of `POST A_PurchaseOrder`, or every reason it cannot be built. Items are
/// numbered 10, 20, …; each carries `NetPriceQuantity` 1 because canonical prices are per unit
/// (SAP would otherwise take the price unit from the info record); a delivery date becomes one
/// schedule line for the whole quantity. `remote_fields` are merged into the header last.
pub(crate) fn purchase_order_payload(
    po: &NewPurchaseOrder,
    defaults: &PurchaseOrderDefaults,
) -> Result<Value, Vec<FieldError>> {
    let errors = check_new_purchase_order(po, defaults);
    if !errors.is_empty() {
        return Err(errors);
    }
    let items = po
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| wire::PurchaseOrderItem {
            purchase_order_item: Some(((i + 1) * 10).to_string()),
            material: printed(&line.item),
            purchase_order_item_text: printed(&line.description),
            plant: printed(&line.location),
            order_quantity: Some(EdmDecimal(line.quantity)),
            purchase_order_quantity_unit: printed(&line.unit),
            net_price_amount: Some(EdmDecimal(line.unit_price)),
            net_price_quantity: Some(EdmDecimal(Decimal::ONE)),
            schedule_lines: line.expected_delivery_date.map(|date| {
                Navigation::Expanded(vec![wire::PurchaseOrderScheduleLine {
                    schedule_line_delivery_date: Some(ODataDate::from_date(date)),
                    schedule_line_order_quantity: Some(EdmDecimal(line.quantity)),
                }])
            }),
            ..wire::PurchaseOrderItem::default()
        })
        .collect();
    let header = wire::PurchaseOrder {
        purchase_order_type: Some(defaults.purchase_order_type.clone()),
        company_code: printed(&po.company).or_else(|| defaults.company_code.clone()),
        purchasing_organization: defaults.purchasing_organization.clone(),
        purchasing_group: defaults.purchasing_group.clone(),
        supplier: Some(po.vendor_remote_id.clone()),
        document_currency: Some(po.currency.clone()),
        payment_terms: printed(&po.payment_terms),
        purchase_order_date: po.order_date.map(ODataDate::from_date),
        items: Some(Navigation::Expanded(items)),
        ..wire::PurchaseOrder::default()
    };
    body_with(&header, po.remote_fields.as_ref(), "an SAP purchase order")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::mapping::test_support::{any_decimal, any_flag, results};
    use crate::test_support::{object, protocol_detail};
    use mw_model::{NaiveDate, NewPurchaseOrderLine};
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str =
        include_str!("../../../../../fixtures/protocol/sap/purchase_orders_page.json");

    #[test]
    fn realistic_purchase_orders_map_as_reviewed() {
        let records: Vec<Value> = results(PAGE)
            .into_iter()
            .map(|raw| {
                let record = purchase_order_record(raw).unwrap();
                json!({
                    "remote_id": record.remote_id,
                    "remote_created_at": record.remote_created_at,
                    "remote_updated_at": record.remote_updated_at,
                    "data": record.data,
                })
            })
            .collect();
        insta::assert_json_snapshot!("purchase_orders", records);
    }

    #[test]
    fn raw_is_the_native_object_deleted_items_included() {
        let raw = results(PAGE).remove(0);
        let record = purchase_order_record(raw.clone()).unwrap();
        assert_eq!(record.raw, Some(raw));
        let EntityData::PurchaseOrder(po) = record.data else {
            panic!("not a purchase order");
        };
        assert_eq!(po.lines.len(), 2);
        assert_eq!(po.total_amount, po.lines_total());
    }

    #[test]
    fn broken_records_name_the_field() {
        let detail = |raw: Value| protocol_detail(purchase_order_record(raw));
        let mut raw = results(PAGE).remove(0);
        raw["to_PurchaseOrderItem"]["results"][1]["OrderQuantity"] = json!("lots");
        let d = detail(raw);
        assert!(
            d.contains("to_PurchaseOrderItem.results[1].OrderQuantity"),
            "{d}"
        );
        assert!(d.contains("4500000028"), "{d}");

        let mut raw = results(PAGE).remove(0);
        raw["LastChangeDateTime"] = json!("2024-01-31T09:15:02Z");
        assert!(detail(raw).contains("LastChangeDateTime"));

        let mut raw = results(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("LastChangeDateTime");
        assert!(detail(raw).contains("LastChangeDateTime"));

        let mut raw = results(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("PurchaseOrder");
        assert!(detail(raw).contains("PurchaseOrder"));

        let mut raw = results(PAGE).remove(0);
        raw["to_PurchaseOrderItem"] = json!({"__deferred": {"uri": "x"}});
        assert!(detail(raw).contains("to_PurchaseOrderItem"));

        assert!(detail(json!("not an object")).contains("purchase order ?"));
    }

    fn new_po(lines: Vec<NewPurchaseOrderLine>) -> NewPurchaseOrder {
        NewPurchaseOrder {
            vendor_remote_id: "17300001".into(),
            currency: "USD".into(),
            company: Some("1710".into()),
            order_date: NaiveDate::from_ymd_opt(2024, 5, 3),
            payment_terms: Some("0004".into()),
            lines,
            remote_fields: None,
        }
    }

    fn new_line() -> NewPurchaseOrderLine {
        NewPurchaseOrderLine {
            item: Some("TG11".into()),
            description: Some("Trading Good 11".into()),
            quantity: "39".parse().unwrap(),
            unit: Some("PC".into()),
            unit_price: "61.05".parse().unwrap(),
            location: Some("1710".into()),
            expected_delivery_date: NaiveDate::from_ymd_opt(2024, 6, 1),
        }
    }

    #[test]
    fn create_payload_is_a_deep_insert() {
        let mut po = new_po(vec![
            new_line(),
            NewPurchaseOrderLine {
                expected_delivery_date: None,
                description: None,
                ..new_line()
            },
        ]);
        po.remote_fields = Some(
            json!({"PurchasingOrganization": "1710", "IncotermsClassification": "FOB"})
                .as_object()
                .unwrap()
                .clone(),
        );
        let defaults = PurchaseOrderDefaults {
            purchasing_organization: Some("1010".into()),
            purchasing_group: Some("001".into()),
            ..PurchaseOrderDefaults::default()
        };
        let payload = purchase_order_payload(&po, &defaults).unwrap();
        assert_eq!(
            payload,
            json!({
                "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
                "PurchasingGroup": "001", "Supplier": "17300001", "DocumentCurrency": "USD",
                "PaymentTerms": "0004", "PurchaseOrderDate": "/Date(1714694400000)/",
                "IncotermsClassification": "FOB",
                "to_PurchaseOrderItem": [
                    {"PurchaseOrderItem": "10", "Material": "TG11", "PurchaseOrderItemText": "Trading Good 11",
                     "Plant": "1710", "OrderQuantity": "39", "PurchaseOrderQuantityUnit": "PC",
                     "NetPriceAmount": "61.05", "NetPriceQuantity": "1",
                     "to_ScheduleLine": [{"ScheduleLineDeliveryDate": "/Date(1717200000000)/",
                                          "ScheduleLineOrderQuantity": "39"}]},
                    {"PurchaseOrderItem": "20", "Material": "TG11", "Plant": "1710", "OrderQuantity": "39",
                     "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": "61.05", "NetPriceQuantity": "1"}
                ]
            })
        );
    }

    #[test]
    fn sap_requirements_are_checked_before_sending() {
        let mut po = new_po(vec![
            NewPurchaseOrderLine {
                location: None,
                unit: Some(" ".into()),
                ..new_line()
            },
            NewPurchaseOrderLine {
                quantity: "1.0001".parse().unwrap(),
                unit_price: "1000000000".parse().unwrap(),
                description: Some("x".repeat(41)),
                ..new_line()
            },
        ]);
        po.company = None;
        po.remote_fields = Some(json!({"Supplier": "1"}).as_object().unwrap().clone());
        let paths: Vec<String> = purchase_order_payload(&po, &PurchaseOrderDefaults::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.remote_fields.Supplier",
                "$.company",
                "$.lines[0].location",
                "$.lines[0].unit",
                "$.lines[1].description",
                "$.lines[1].quantity",
                "$.lines[1].unit_price",
            ]
        );
        // A company code from the settings or from remote_fields is enough.
        let mut po = new_po(vec![new_line()]);
        po.company = None;
        let with_setting = PurchaseOrderDefaults {
            company_code: Some("1010".into()),
            ..PurchaseOrderDefaults::default()
        };
        assert_eq!(
            purchase_order_payload(&po, &with_setting).unwrap()["CompanyCode"],
            "1010"
        );
        po.remote_fields = Some(json!({"CompanyCode": "1710"}).as_object().unwrap().clone());
        assert_eq!(
            purchase_order_payload(&po, &PurchaseOrderDefaults::default()).unwrap()["CompanyCode"],
            "1710"
        );
    }

    // ---- properties ----

    fn any_date() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(|n| json!(format!("/Date({n})/"))),
            any::<i64>().prop_map(|n| json!(format!("\\/Date({n}+0000)\\/"))),
            any::<String>().prop_map(Value::String),
            Just(Value::Null),
        ]
    }

    fn any_text() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "[0-9]{0,10}".prop_map(Value::String),
            Just(Value::Null),
            any::<i32>().prop_map(|n| json!(n)),
        ]
    }

    fn any_item() -> impl Strategy<Value = Value> {
        object(vec![
            ("PurchaseOrderItem", any_text().boxed()),
            ("Material", any_text().boxed()),
            ("PurchaseOrderItemText", any_text().boxed()),
            ("Plant", any_text().boxed()),
            ("OrderQuantity", any_decimal().boxed()),
            ("PurchaseOrderQuantityUnit", any_text().boxed()),
            ("NetPriceAmount", any_decimal().boxed()),
            ("NetPriceQuantity", any_decimal().boxed()),
            ("IsCompletelyDelivered", any_flag().boxed()),
            ("IsFinallyInvoiced", any_flag().boxed()),
            ("PurchasingDocumentDeletionCode", any_text().boxed()),
        ])
    }

    fn any_header() -> impl Strategy<Value = Value> {
        let items = prop_oneof![
            proptest::collection::vec(any_item(), 0..4).prop_map(|v| json!({"results": v})),
            proptest::collection::vec(any_item(), 0..4).prop_map(Value::Array),
            Just(json!({"__deferred": {"uri": "x"}})),
            any_text(),
        ];
        object(vec![
            ("PurchaseOrder", any_text().boxed()),
            (
                "DocumentCurrency",
                prop_oneof![
                    Just(json!("USD")),
                    Just(json!("JPY")),
                    Just(json!("KWD")),
                    any_text()
                ]
                .boxed(),
            ),
            ("LastChangeDateTime", any_date().boxed()),
            ("CreationDate", any_date().boxed()),
            ("PurchaseOrderDate", any_date().boxed()),
            ("ReleaseIsNotCompleted", any_flag().boxed()),
            ("PurchasingDocumentDeletionCode", any_text().boxed()),
            ("Supplier", any_text().boxed()),
            ("CompanyCode", any_text().boxed()),
            ("PaymentTerms", any_text().boxed()),
            ("to_PurchaseOrderItem", items.boxed()),
        ])
    }

    /// Well-formed items: every value is one SAP could print.
    fn sap_item() -> impl Strategy<Value = Value> {
        (
            1u32..=9999,
            -10_i64.pow(13)..10_i64.pow(13),
            0_i64..10_i64.pow(12),
            prop_oneof![Just(None), (0_i64..100_000).prop_map(Some)],
            any::<bool>(),
            any::<bool>(),
            prop_oneof![Just(""), Just("L")],
        )
            .prop_map(|(n, qty, price, per, delivered, invoiced, deleted)| {
                let mut item = json!({
                    "PurchaseOrderItem": (n * 10).to_string(),
                    "OrderQuantity": Decimal::new(qty, 3).to_string(),
                    "NetPriceAmount": Decimal::new(price, 3).to_string(),
                    "IsCompletelyDelivered": delivered,
                    "IsFinallyInvoiced": invoiced,
                    "PurchasingDocumentDeletionCode": deleted,
                    "Plant": "1710",
                });
                if let Some(per) = per {
                    item["NetPriceQuantity"] = json!(Decimal::new(per, 3).to_string());
                }
                item
            })
    }

    fn sap_header() -> impl Strategy<Value = Value> {
        (
            proptest::collection::vec(sap_item(), 0..8),
            prop_oneof![Just("USD"), Just("EUR"), Just("JPY"), Just("KWD")],
            -62_135_596_800_000_i64..253_402_300_799_999,
        )
            .prop_map(|(items, currency, changed)| {
                json!({
                    "PurchaseOrder": "4500000001",
                    "DocumentCurrency": currency,
                    "LastChangeDateTime": format!("/Date({changed}+0000)/"),
                    "to_PurchaseOrderItem": {"results": items},
                })
            })
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_header()) {
            if let Ok(record) = purchase_order_record(raw) {
                let EntityData::PurchaseOrder(po) = record.data else {
                    panic!("not a purchase order");
                };
                prop_assert_eq!(po.total_amount, po.lines_total());
            }
        }

        #[test]
        fn totals_are_the_sum_of_rounded_lines(raw in sap_header()) {
            let record = purchase_order_record(raw.clone());
            let record = match record {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let EntityData::PurchaseOrder(po) = record.data else {
                panic!("not a purchase order");
            };
            prop_assert_eq!(po.total_amount, po.lines_total());
            let live = raw["to_PurchaseOrderItem"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["PurchasingDocumentDeletionCode"] == "")
                .count();
            prop_assert_eq!(po.lines.len(), live);
            for line in &po.lines {
                let expected = round_amount(line.quantity * line.unit_price / line.price_unit, &po.currency);
                prop_assert_eq!(line.amount, expected);
                prop_assert!(line.price_unit > Decimal::ZERO);
            }
        }

        #[test]
        fn create_payload_round_trips(po in new_purchase_order()) {
            let payload = match purchase_order_payload(&po, &PurchaseOrderDefaults::default()) {
                Ok(payload) => payload,
                Err(errors) => return Err(TestCaseError::fail(format!("{errors:?}"))),
            };
            // Through text, as it travels.
            let text = serde_json::to_string(&payload).unwrap();
            let back: wire::PurchaseOrder = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back.supplier.as_ref(), Some(&po.vendor_remote_id));
            prop_assert_eq!(back.document_currency.as_ref(), Some(&po.currency));
            prop_assert_eq!(back.company_code, po.company.clone());
            prop_assert_eq!(back.payment_terms, po.payment_terms.clone());
            prop_assert_eq!(back.purchase_order_date.map(|d| d.0.date_naive()), po.order_date);
            let items = back.items.as_ref().and_then(Navigation::expanded).unwrap_or_default();
            prop_assert_eq!(items.len(), po.lines.len());
            for (i, (item, line)) in items.iter().zip(&po.lines).enumerate() {
                prop_assert_eq!(item.purchase_order_item.clone(), Some(((i + 1) * 10).to_string()));
                prop_assert_eq!(&item.material, &line.item);
                prop_assert_eq!(&item.purchase_order_item_text, &line.description);
                prop_assert_eq!(&item.plant, &line.location);
                prop_assert_eq!(&item.purchase_order_quantity_unit, &line.unit);
                prop_assert_eq!(item.order_quantity.map(|d| d.0), Some(line.quantity));
                prop_assert_eq!(item.net_price_amount.map(|d| d.0), Some(line.unit_price));
                prop_assert_eq!(item.net_price_quantity.map(|d| d.0), Some(Decimal::ONE));
                let delivery = item
                    .schedule_lines
                    .as_ref()
                    .and_then(Navigation::expanded)
                    .and_then(|s| s.first())
                    .and_then(|s| s.schedule_line_delivery_date)
                    .map(|d| d.0.date_naive());
                prop_assert_eq!(delivery, line.expected_delivery_date);
            }
        }
    }

    fn any_naive_date() -> impl Strategy<Value = NaiveDate> {
        (0_i64..3_000_000).prop_filter_map("in range", |days| {
            NaiveDate::from_ymd_opt(1900, 1, 1)?.checked_add_days(chrono::Days::new(days as u64))
        })
    }

    fn new_purchase_order() -> impl Strategy<Value = NewPurchaseOrder> {
        let line = (
            proptest::option::of("[A-Z0-9][A-Z0-9-]{0,39}"),
            proptest::option::of("[A-Za-z][ -~]{0,38}[A-Za-z]"),
            1_i64..10_i64.pow(13),
            "[A-Z]{1,3}",
            0_i64..10_i64.pow(12),
            "[0-9]{4}",
            proptest::option::of(any_naive_date()),
        )
            .prop_filter("a line needs an item or a description", |l| {
                l.0.is_some() || l.1.is_some()
            })
            .prop_map(
                |(item, description, qty, unit, price, plant, date)| NewPurchaseOrderLine {
                    item,
                    description,
                    quantity: Decimal::new(qty, 3),
                    unit: Some(unit),
                    unit_price: Decimal::new(price, 3),
                    location: Some(plant),
                    expected_delivery_date: date,
                },
            );
        (
            "[0-9]{1,10}",
            prop_oneof![Just("USD"), Just("EUR"), Just("JPY")],
            "[0-9]{4}",
            proptest::option::of(any_naive_date()),
            proptest::option::of("[0-9]{4}"),
            proptest::collection::vec(line, 1..6),
        )
            .prop_map(
                |(vendor, currency, company, order_date, payment_terms, lines)| NewPurchaseOrder {
                    vendor_remote_id: vendor,
                    currency: currency.into(),
                    company: Some(company),
                    order_date,
                    payment_terms,
                    lines,
                    remote_fields: None,
                },
            )
    }
}
