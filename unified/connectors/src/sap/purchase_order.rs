//! Changing and deleting purchase orders in `API_PURCHASEORDER_PROCESS_SRV` (reading and
//! creating them is in `mapping` and the connector itself).
//!
//! # Update
//! The order is read first (items and schedule lines expanded) and the whole patch is checked
//! against it before anything is sent; then, each only when it has something to change:
//! 1. `PATCH A_PurchaseOrder('<n>')`: `PaymentTerms`, `PurchaseOrderDate` (`/Date(ms)/`) and
//!    `remote_fields`;
//! 2. per line, `PATCH A_PurchaseOrderItem(PurchaseOrder='<n>',PurchaseOrderItem='<i>')`:
//!    `PurchaseOrderItemText`, `OrderQuantity`, `NetPriceAmount` (the price for the item's price
//!    unit, as the canonical `unit_price` reads);
//! 3. per line with a delivery date: `PATCH A_PurchaseOrderScheduleLine(PurchasingDocument='<n>',
//!    PurchasingDocumentItem='<i>',ScheduleLine='<s>')` with `ScheduleLineDeliveryDate` when the
//!    item has one schedule line, or `POST A_PurchaseOrderItem(…)/to_ScheduleLine` with the date
//!    and the item's quantity when it has none. An item split over several schedule lines is
//!    refused: the canonical line has one date and cannot say which delivery moves.
//!
//! then the order is read back. Lines are found by `line_number` (leading zeros ignored, as SAP
//! ignores them in NUMC keys); lines cannot be added or removed through a patch. The requests
//! are not one transaction: a failure part-way leaves the earlier ones done, and the error is
//! SAP's. Every request sets values, so sending the same patch again is safe.
//!
//! # Delete
//! `DELETE A_PurchaseOrder('<n>')`: SAP sets the deletion code and keeps the order, which is
//! read back and returned (status `cancelled`); an order SAP no longer has answers `None`.

pub(crate) mod mapping;

use super::client::{PURCHASE_ORDERS, SYSTEM, Service};
use super::mapping::fits;
use super::wire::{EdmDecimal, Navigation, ODataDate};
use super::{SapConnector, client, version};
use crate::Problems;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation};
use mw_model::{Entity, FieldError, NaiveDate, PurchaseOrderPatch, RemoteRecord, Validate};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// What the capabilities endpoint says about purchase orders.
pub(super) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::PurchaseOrders,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create, Operation::Update, Operation::Delete],
        optimistic_concurrency: false,
        note: Some(
            "Delete sets SAP's deletion code: the order stays, cancelled. Updates change payment terms, order date and remote_fields of the header, and text, quantity, price and delivery date (the single schedule line) of existing items; items are not added or removed. API_PURCHASEORDER_PROCESS_SRV declares no ETag, so updates cannot be made conditional on a version.".into(),
        ),
    }
}

/// `__metadata` of a native entity, for its ETag.
#[derive(Debug, Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    etag: Option<String>,
}

/// The order as the update needs it: its items, their schedule lines, and the ETags.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Order {
    #[serde(rename = "__metadata", default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    purchase_order: Option<String>,
    #[serde(rename = "to_PurchaseOrderItem", default)]
    items: Option<Navigation<Item>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Item {
    #[serde(rename = "__metadata", default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    purchase_order_item: Option<String>,
    #[serde(default)]
    order_quantity: Option<EdmDecimal>,
    #[serde(default)]
    purchasing_document_deletion_code: Option<String>,
    #[serde(rename = "to_ScheduleLine", default)]
    schedule_lines: Option<Navigation<ScheduleLine>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScheduleLine {
    #[serde(rename = "__metadata", default)]
    metadata: Option<Metadata>,
    /// NUMC(4), printed without leading zeros: `"1"`.
    #[serde(default)]
    schedule_line: Option<String>,
}

fn etag(metadata: &Option<Metadata>) -> Option<String> {
    metadata
        .as_ref()
        .and_then(|m| m.etag.clone())
        .filter(|e| !e.trim().is_empty())
}

/// A NUMC value without its leading zeros, the form SAP prints and compares.
fn numc(value: &str) -> &str {
    let value = value.trim();
    let stripped = value.trim_start_matches('0');
    if stripped.is_empty() && !value.is_empty() {
        "0"
    } else {
        stripped
    }
}

/// One request of an update, in the order they are sent.
#[derive(Debug, PartialEq)]
enum Change {
    /// `PATCH` of an entity: the resource after the service root, the body, its ETag.
    Patch {
        resource: String,
        body: Map<String, Value>,
        etag: Option<String>,
    },
    /// `POST` of a new schedule line below an item.
    AddScheduleLine { resource: String, body: Value },
}

/// SAP field lengths and decimal shapes from `API_PURCHASEORDER_PROCESS_SRV`'s metadata.
mod limits {
    pub(super) const PAYMENT_TERMS: usize = 4;
    pub(super) const ITEM_TEXT: usize = 40;
    pub(super) const QUANTITY: (u32, u32) = (13, 3);
    pub(super) const NET_PRICE: (u32, u32) = (12, 3);
}

fn date_value(date: NaiveDate) -> Value {
    Value::String(ODataDate::from_date(date).to_wire())
}

fn item_resource(number: &str, item: &str) -> String {
    format!(
        "A_PurchaseOrderItem(PurchaseOrder='{}',PurchaseOrderItem='{}')",
        client::key_value(number),
        client::key_value(item)
    )
}

/// The requests that apply `patch` to `order` (number `number`, whose header ETag the caller
/// checks), or everything SAP would refuse in it.
fn plan(
    number: &str,
    patch: &PurchaseOrderPatch,
    order: &Order,
    header_etag: Option<String>,
) -> Result<Vec<Change>, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    let mut header = Map::new();
    if let Some(terms) = &patch.payment_terms {
        p.require(
            terms.trim().chars().count() <= limits::PAYMENT_TERMS,
            "$.payment_terms",
            "SAP payment terms have at most 4 characters",
        );
        header.insert(
            "PaymentTerms".into(),
            Value::String(terms.trim().to_owned()),
        );
    }
    if let Some(date) = patch.order_date {
        header.insert("PurchaseOrderDate".into(), date_value(date));
    }
    for (key, value) in patch.remote_fields.iter().flatten() {
        let why = if key == "PurchaseOrder" {
            Some("is the key and cannot change")
        } else if key.starts_with("to_") || key.starts_with("__") {
            Some("SAP takes no navigation properties in a change; lines go in `$.lines`")
        } else if header.contains_key(key) {
            Some("is set from a canonical field; give it there only")
        } else {
            None
        };
        match why {
            Some(why) => p.require(false, format!("$.remote_fields.{key}"), why),
            None => {
                header.insert(key.clone(), value.clone());
            }
        }
    }
    let mut changes = Vec::new();
    if !header.is_empty() {
        changes.push(Change::Patch {
            resource: format!("A_PurchaseOrder{}", client::key_predicate(number)),
            body: header,
            etag: header_etag,
        });
    }

    let items: &[Item] = order
        .items
        .as_ref()
        .and_then(Navigation::expanded)
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let mut schedule_changes = Vec::new();
    for (i, line) in patch.lines.iter().flatten().enumerate() {
        let path = |field: &str| format!("$.lines[{i}].{field}");
        let wanted = numc(&line.line_number);
        if !seen.insert(wanted.to_owned()) {
            p.require(
                false,
                path("line_number"),
                "names a line named before in this patch",
            );
            continue;
        }
        let Some(item) = items.iter().find(|item| {
            item.purchase_order_item
                .as_deref()
                .is_some_and(|n| numc(n) == wanted)
        }) else {
            p.require(
                false,
                path("line_number"),
                format!(
                    "purchase order {number} has no item {}",
                    line.line_number.trim()
                ),
            );
            continue;
        };
        let item_number = item
            .purchase_order_item
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned();
        p.require(
            item.purchasing_document_deletion_code
                .as_deref()
                .is_none_or(|c| c.trim().is_empty()),
            path("line_number"),
            format!("item {item_number} is deleted in SAP"),
        );
        let mut body = Map::new();
        if let Some(text) = &line.description {
            p.require(
                text.trim().chars().count() <= limits::ITEM_TEXT,
                path("description"),
                "an SAP item text has at most 40 characters",
            );
            body.insert(
                "PurchaseOrderItemText".into(),
                Value::String(text.trim().to_owned()),
            );
        }
        if let Some(quantity) = line.quantity {
            p.require(
                fits(quantity, limits::QUANTITY),
                path("quantity"),
                "SAP order quantities have at most 10 integer digits and 3 decimals",
            );
            body.insert(
                "OrderQuantity".into(),
                Value::String(quantity.normalize().to_string()),
            );
        }
        if let Some(price) = line.unit_price {
            p.require(
                fits(price, limits::NET_PRICE),
                path("unit_price"),
                "SAP net prices have at most 9 integer digits and 3 decimals",
            );
            body.insert(
                "NetPriceAmount".into(),
                Value::String(price.normalize().to_string()),
            );
        }
        if !body.is_empty() {
            changes.push(Change::Patch {
                resource: item_resource(number, &item_number),
                body,
                etag: etag(&item.metadata),
            });
        }
        let Some(date) = line.expected_delivery_date else {
            continue;
        };
        let Some(lines) = item.schedule_lines.as_ref().and_then(Navigation::expanded) else {
            p.require(
                false,
                path("expected_delivery_date"),
                "SAP did not show the item's schedule lines",
            );
            continue;
        };
        match lines {
            [] => {
                let quantity = line.quantity.or(item.order_quantity.map(|q| q.0));
                let Some(quantity) = quantity else {
                    p.require(
                        false,
                        path("expected_delivery_date"),
                        "the item has no quantity in SAP to schedule",
                    );
                    continue;
                };
                schedule_changes.push(Change::AddScheduleLine {
                    resource: format!("{}/to_ScheduleLine", item_resource(number, &item_number)),
                    body: serde_json::json!({
                        "ScheduleLineDeliveryDate": date_value(date),
                        "ScheduleLineOrderQuantity": quantity.normalize().to_string(),
                    }),
                });
            }
            [only] => {
                let Some(schedule_line) = only
                    .schedule_line
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                else {
                    p.require(
                        false,
                        path("expected_delivery_date"),
                        "SAP showed the item's schedule line without its number",
                    );
                    continue;
                };
                let mut body = Map::new();
                body.insert("ScheduleLineDeliveryDate".into(), date_value(date));
                schedule_changes.push(Change::Patch {
                    resource: format!(
                        "A_PurchaseOrderScheduleLine(PurchasingDocument='{}',PurchasingDocumentItem='{}',ScheduleLine='{}')",
                        client::key_value(number),
                        client::key_value(&item_number),
                        client::key_value(schedule_line)
                    ),
                    body,
                    etag: etag(&only.metadata),
                });
            }
            several => p.require(
                false,
                path("expected_delivery_date"),
                format!(
                    "item {item_number} is delivered in {} schedule lines in SAP; a single delivery date cannot say which one moves",
                    several.len()
                ),
            ),
        }
    }
    // Quantities first: a new schedule line is checked against the item's quantity.
    changes.extend(schedule_changes);
    if p.0.is_empty() {
        Ok(changes)
    } else {
        Err(p.0)
    }
}

fn parse_order(raw: &Value, number: &str) -> Result<Order, ConnectorError> {
    crate::native::parse(raw, || format!("purchase order {number}"))
}

impl SapConnector {
    pub(super) async fn update_purchase_order(
        &self,
        number: &str,
        patch: &PurchaseOrderPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        if number.trim().is_empty() {
            return Err(ConnectorError::NotFound(None));
        }
        let raw = self.client.get_entity(&PURCHASE_ORDERS, number).await?;
        let order = parse_order(&raw, number)?;
        let number = order
            .purchase_order
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| number.to_owned());
        let header_etag = version::if_match(
            expected_version,
            etag(&order.metadata).as_deref(),
            &format!("purchase order {number}"),
        )?;
        let changes = plan(&number, patch, &order, header_etag).map_err(ConnectorError::Invalid)?;
        let service = Service::PurchaseOrder;
        for change in &changes {
            match change {
                Change::Patch {
                    resource,
                    body,
                    etag,
                } => {
                    self.client
                        .patch(
                            service,
                            resource,
                            &Value::Object(body.clone()),
                            etag.as_deref(),
                        )
                        .await?;
                }
                Change::AddScheduleLine { resource, body } => {
                    self.client.post(service, resource, body).await?;
                }
            }
        }
        tracing::info!(system = SYSTEM, purchase_order = %number, requests = changes.len(), "purchase order changed");
        self.get_purchase_order(&number).await
    }

    pub(super) async fn delete_purchase_order(
        &self,
        number: &str,
        expected_version: Option<&str>,
    ) -> Result<Option<RemoteRecord>, ConnectorError> {
        if number.trim().is_empty() {
            return Err(ConnectorError::NotFound(None));
        }
        let raw = self.client.get_entity(&PURCHASE_ORDERS, number).await?;
        let if_match = version::if_match(
            expected_version,
            version::etag_of(&raw).as_deref(),
            &format!("purchase order {number}"),
        )?;
        let resource = format!("{}{}", PURCHASE_ORDERS.name, client::key_predicate(number));
        let url = self.client.url(
            Service::PurchaseOrder,
            &resource,
            &client::ODataQuery::default(),
        )?;
        self.client
            .modify(
                Method::DELETE,
                Service::PurchaseOrder,
                &url,
                None,
                if_match.as_deref(),
            )
            .await?;
        tracing::info!(system = SYSTEM, purchase_order = %number, "purchase order deleted (deletion code set)");
        match self.get_purchase_order(number).await {
            Ok(record) => Ok(Some(record)),
            Err(ConnectorError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mw_model::{Decimal, PurchaseOrderLinePatch};
    use proptest::prelude::*;
    use serde_json::json;

    fn order() -> Order {
        serde_json::from_value(json!({
            "__metadata": {"etag": "W/\"1\""},
            "PurchaseOrder": "4500000001",
            "to_PurchaseOrderItem": {"results": [
                {"PurchaseOrderItem": "10", "OrderQuantity": "39",
                 "to_ScheduleLine": {"results": [{"__metadata": {"etag": "W/\"s\""},
                    "PurchasingDocument": "4500000001", "PurchasingDocumentItem": "10", "ScheduleLine": "1",
                    "ScheduleLineDeliveryDate": "/Date(1717200000000)/"}]}},
                {"PurchaseOrderItem": "20", "OrderQuantity": "5", "to_ScheduleLine": {"results": []}},
                {"PurchaseOrderItem": "30", "OrderQuantity": "5", "PurchasingDocumentDeletionCode": "L",
                 "to_ScheduleLine": {"results": []}},
                {"PurchaseOrderItem": "40", "OrderQuantity": "8", "to_ScheduleLine": {"results": [
                    {"ScheduleLine": "1"}, {"ScheduleLine": "2"}]}}
            ]}
        }))
        .unwrap()
    }

    fn line(number: &str) -> PurchaseOrderLinePatch {
        PurchaseOrderLinePatch {
            line_number: number.into(),
            description: None,
            quantity: None,
            unit_price: None,
            expected_delivery_date: None,
        }
    }

    #[test]
    fn a_patch_becomes_one_request_per_entity() {
        let patch = PurchaseOrderPatch {
            payment_terms: Some("0001".into()),
            order_date: NaiveDate::from_ymd_opt(2024, 5, 3),
            lines: Some(vec![
                PurchaseOrderLinePatch {
                    quantity: Some("40.000".parse().unwrap()),
                    unit_price: Some("61.05".parse().unwrap()),
                    description: Some("Trading Good 11".into()),
                    expected_delivery_date: NaiveDate::from_ymd_opt(2024, 6, 1),
                    ..line("00010")
                },
                PurchaseOrderLinePatch {
                    expected_delivery_date: NaiveDate::from_ymd_opt(2024, 7, 1),
                    ..line("20")
                },
            ]),
            remote_fields: Some(
                json!({"IncotermsClassification": "CIF"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        };
        let changes = plan("4500000001", &patch, &order(), Some("W/\"1\"".into())).unwrap();
        let patch_of = |resource: &str, body: Value, etag: Option<&str>| Change::Patch {
            resource: resource.into(),
            body: body.as_object().unwrap().clone(),
            etag: etag.map(str::to_owned),
        };
        assert_eq!(
            changes,
            [
                patch_of(
                    "A_PurchaseOrder('4500000001')",
                    json!({"PaymentTerms": "0001", "PurchaseOrderDate": "/Date(1714694400000)/",
                           "IncotermsClassification": "CIF"}),
                    Some("W/\"1\"")
                ),
                patch_of(
                    "A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')",
                    json!({"PurchaseOrderItemText": "Trading Good 11", "OrderQuantity": "40",
                           "NetPriceAmount": "61.05"}),
                    None
                ),
                patch_of(
                    "A_PurchaseOrderScheduleLine(PurchasingDocument='4500000001',PurchasingDocumentItem='10',ScheduleLine='1')",
                    json!({"ScheduleLineDeliveryDate": "/Date(1717200000000)/"}),
                    Some("W/\"s\"")
                ),
                Change::AddScheduleLine {
                    resource: "A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='20')/to_ScheduleLine".into(),
                    body: json!({"ScheduleLineDeliveryDate": "/Date(1719792000000)/",
                                 "ScheduleLineOrderQuantity": "5"}),
                },
            ]
        );
    }

    #[test]
    fn what_sap_would_refuse_is_refused_before_sending() {
        let date = NaiveDate::from_ymd_opt(2024, 6, 1);
        let patch = PurchaseOrderPatch {
            payment_terms: Some("00001".into()),
            order_date: None,
            lines: Some(vec![
                line("50"),
                line("30"),
                PurchaseOrderLinePatch {
                    expected_delivery_date: date,
                    ..line("40")
                },
                PurchaseOrderLinePatch {
                    quantity: Some("0.0001".parse().unwrap()),
                    ..line("10")
                },
                line("010"),
            ]),
            remote_fields: Some(
                json!({"PaymentTerms": "0002", "to_PurchaseOrderItem": []})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        };
        let paths: Vec<String> = plan("4500000001", &patch, &order(), None)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.payment_terms",
                "$.remote_fields.PaymentTerms",
                "$.remote_fields.to_PurchaseOrderItem",
                "$.lines[0].line_number",
                "$.lines[1].line_number",
                "$.lines[2].expected_delivery_date",
                "$.lines[3].quantity",
                "$.lines[4].line_number",
            ]
        );
    }

    #[test]
    fn numc_values_compare_without_leading_zeros() {
        assert_eq!(numc("00010"), "10");
        assert_eq!(numc("10"), "10");
        assert_eq!(numc("0000"), "0");
        assert_eq!(numc(""), "");
    }

    fn any_naive_date() -> impl Strategy<Value = NaiveDate> {
        (0_i64..3_000_000).prop_filter_map("in range", |days| {
            NaiveDate::from_ymd_opt(1900, 1, 1)?.checked_add_days(chrono::Days::new(days as u64))
        })
    }

    proptest! {
        /// What a patch writes reads back as the patch: decimals exactly, dates as the same day.
        #[test]
        fn what_a_change_writes_round_trips(
            quantity in proptest::option::of((1_i64..10_i64.pow(10), 0u32..=3)),
            price in proptest::option::of((0_i64..10_i64.pow(9), 0u32..=3)),
            text in proptest::option::of("[A-Za-z0-9][ -~]{0,38}[A-Za-z0-9]"),
            date in proptest::option::of(any_naive_date()),
            order_date in proptest::option::of(any_naive_date()),
            item in prop_oneof![Just("10"), Just("20"), Just("0010")],
        ) {
            let quantity = quantity.map(|(m, s)| Decimal::new(m, s));
            let price = price.map(|(m, s)| Decimal::new(m, s));
            let patch = PurchaseOrderPatch {
                payment_terms: None,
                order_date,
                lines: Some(vec![PurchaseOrderLinePatch {
                    line_number: item.into(),
                    description: text.clone(),
                    quantity,
                    unit_price: price,
                    expected_delivery_date: date,
                }]),
                remote_fields: None,
            };
            if patch.validate().is_empty() {
                let changes = match plan("4500000001", &patch, &order(), None) {
                    Ok(changes) => changes,
                    Err(errors) => return Err(TestCaseError::fail(format!("{errors:?}"))),
                };
                let mut bodies = Vec::new();
                for change in changes {
                    match change {
                        Change::Patch { body, .. } => bodies.push(Value::Object(body)),
                        Change::AddScheduleLine { body, .. } => bodies.push(body),
                    }
                }
                let text_of = |key: &str| bodies.iter().find_map(|b| b.get(key)?.as_str().map(str::to_owned));
                let decimal = |key: &str| text_of(key).map(|t| t.parse::<Decimal>().unwrap());
                let day = |key: &str| text_of(key).and_then(|t| ODataDate::parse(&t)).map(|d| d.0.date_naive());
                prop_assert_eq!(decimal("OrderQuantity"), quantity);
                prop_assert_eq!(decimal("NetPriceAmount"), price);
                prop_assert_eq!(text_of("PurchaseOrderItemText"), text);
                prop_assert_eq!(day("PurchaseOrderDate"), order_date);
                prop_assert_eq!(day("ScheduleLineDeliveryDate"), date);
            }
        }
    }
}
