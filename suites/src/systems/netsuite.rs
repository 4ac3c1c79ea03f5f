//! NetSuite in its own terms: record API JSON (`purchaseOrder` with its `item` sublist, `vendor`,
//! inventory levels per item and location), references as `{id, refName}` by internal id.

use super::{UpdateSetup, WriteSetup, field_differences, same_decimal, sample};
use crate::context::{Ctx, Outcome, Step};
use mw_harness::TruthRecord;
use mw_model::Entity;
use serde_json::{Value, json};

/// The lines of a purchase order, in line order.
fn lines(native: &Value) -> Vec<Value> {
    let mut lines = native["item"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    lines.sort_by_key(|l| l["line"].as_u64().unwrap_or(u64::MAX));
    lines
}

/// The internal id a reference field (`{"id": …, "refName": …}`) points at.
fn reference(native: &Value, field: &str) -> Value {
    native[field]["id"].clone()
}

fn id_text(native: &Value, field: &str) -> String {
    native[field]["id"].as_str().unwrap_or("").to_owned()
}

/// Two lines for the vendor of a recent order, ordering the item it already orders, received at
/// the location it already uses, for the order's subsidiary.
pub(super) async fn purchase_order_body(ctx: &Ctx) -> Step<Value> {
    let order = sample(ctx, Entity::PurchaseOrders).await?;
    let line = lines(&order).into_iter().next().unwrap_or(Value::Null);
    let item = id_text(&line, "item");
    let location = id_text(&line, "location");
    Ok(json!({
        "vendor_remote_id": id_text(&order, "entity"),
        "company": id_text(&order, "subsidiary"),
        "currency": "USD",
        "order_date": "2026-03-02",
        "lines": [
            {"item": item, "description": "Millwright conformance line one", "quantity": "12.5",
             "unit_price": "41.20", "location": location},
            {"item": item, "description": "Millwright conformance line two", "quantity": "3",
             "unit_price": "1999.99", "location": location},
        ]
    }))
}

fn purchase_order_differences(sent: &Value, native: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (field, wanted) in [("entity", "vendor_remote_id"), ("subsidiary", "company")] {
        if reference(native, field) != sent[wanted] {
            out.push(format!(
                "{field}: NetSuite holds {}, the request said {}",
                native[field], sent[wanted]
            ));
        }
    }
    let held = lines(native);
    let sent_lines = sent["lines"].as_array().cloned().unwrap_or_default();
    if held.len() != sent_lines.len() {
        out.push(format!(
            "item: NetSuite holds {} lines, the request had {}",
            held.len(),
            sent_lines.len()
        ));
    }
    for (i, (line, want)) in held.iter().zip(&sent_lines).enumerate() {
        for (field, wanted) in [("item", "item"), ("location", "location")] {
            if reference(line, field) != want[wanted] {
                out.push(format!(
                    "line {i} {field}: NetSuite holds {}, the request said {}",
                    line[field], want[wanted]
                ));
            }
        }
        for (field, wanted) in [
            ("quantity", "quantity"),
            ("rate", "unit_price"),
            ("description", "description"),
        ] {
            if !(line[field] == want[wanted] || same_decimal(&line[field], &want[wanted])) {
                out.push(format!(
                    "line {i} {field}: NetSuite holds {}, the request said {}",
                    line[field], want[wanted]
                ));
            }
        }
    }
    out
}

pub(super) async fn create_setup(ctx: &Ctx, entity: Entity) -> Step<WriteSetup> {
    match entity {
        Entity::PurchaseOrders => Ok(WriteSetup {
            settings: json!({}),
            body: purchase_order_body(ctx).await?,
        }),
        Entity::Vendors => Ok(WriteSetup {
            settings: json!({}),
            body: json!({
                "name": "Millwright Conformance Supplies",
                "currency": "USD",
                "email": "ap@conformance.example.com",
                "phone": "(555) 010-0199",
                "address": {"line1": "1 Test Street", "city": "Austin", "region": "TX",
                    "postal_code": "78701", "country": "US"},
            }),
        }),
        Entity::WorkOrders | Entity::Assets => {
            Err(Outcome::Skipped(format!("NetSuite has no native {entity}")))
        }
        Entity::Inventory => Err(Outcome::Skipped(
            "inventory is adjusted, not created (WRITE-003)".into(),
        )),
    }
}

pub(super) fn written_differences(entity: Entity, sent: &Value, native: &Value) -> Vec<String> {
    match entity {
        Entity::PurchaseOrders => purchase_order_differences(sent, native),
        Entity::Vendors => field_differences(
            "NetSuite",
            &[
                ("companyName", "name"),
                ("email", "email"),
                ("phone", "phone"),
            ],
            sent,
            native,
        ),
        _ => vec![format!("NetSuite has no {entity} to compare")],
    }
}

/// NetSuite refuses changes to a closed order.
pub(super) fn changeable(entity: Entity, native: &Value) -> bool {
    match entity {
        Entity::PurchaseOrders => {
            let status = native["status"]["id"].as_str().unwrap_or("");
            !matches!(status, "Closed" | "Fully Billed")
                && lines(native).first().is_some_and(|l| l["isClosed"] != true)
        }
        Entity::Vendors => native["isInactive"] != true,
        _ => true,
    }
}

/// An order with receipts or bills has dependent records and cannot be deleted.
pub(super) fn deletable(entity: Entity, native: &Value) -> bool {
    match entity {
        Entity::PurchaseOrders => {
            changeable(entity, native)
                && lines(native).iter().all(|l| {
                    ["quantityReceived", "quantityBilled"]
                        .iter()
                        .all(|f| l[*f].as_f64().unwrap_or(0.0) == 0.0)
                })
        }
        _ => true,
    }
}

pub(super) fn update_setup(entity: Entity, native: &Value) -> Result<UpdateSetup, Outcome> {
    match entity {
        Entity::PurchaseOrders => {
            // Header date and a line text: neither moves the order's derived totals.
            let line = lines(native)
                .first()
                .and_then(|l| l["line"].as_u64())
                .unwrap_or(1);
            let text = "Conformance: revised line";
            Ok(UpdateSetup {
                patch: json!({"order_date": "2026-02-27",
                    "lines": [{"line_number": line.to_string(), "description": text}]}),
                expected: vec![
                    ("tranDate", json!("2026-02-27")),
                    ("description", json!(text)),
                ],
                derived: &[],
            })
        }
        Entity::Vendors => {
            let name = "Millwright Renamed Supplies";
            Ok(UpdateSetup {
                patch: json!({"name": name, "phone": "(555) 010-0142"}),
                expected: vec![
                    ("companyName", json!(name)),
                    ("phone", json!("(555) 010-0142")),
                ],
                derived: &["defaultAddress"],
            })
        }
        _ => Err(Outcome::Skipped(format!(
            "no update of NetSuite {entity} is expected"
        ))),
    }
}

/// A vendor NetSuite keeps after a delete is inactive.
pub(super) fn shows_deleted(entity: Entity, native: &Value) -> bool {
    entity == Entity::Vendors && native["isInactive"] == true
}

/// An adjustment of the level's item at its location (NetSuite adjusts in the stock unit).
pub(super) async fn adjustment_body(ctx: &Ctx, level: &TruthRecord, delta: &str) -> Step<Value> {
    let native = ctx
        .h
        .admin
        .record(Entity::Inventory.as_str(), &level.id)
        .await?;
    Ok(json!({
        "item": id_text(&native, "item"),
        "location": id_text(&native, "location"),
        "delta": delta,
        "reason": "Conformance count",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_order_differences_compare_references_and_numbers() {
        let sent = json!({"vendor_remote_id": "100004", "company": "1", "lines": [
            {"item": "200028", "location": "1", "quantity": "12.5", "unit_price": "41.20",
             "description": "one"}]});
        let native = json!({"entity": {"id": "100004"}, "subsidiary": {"id": "1"},
            "item": {"items": [{"line": 1, "item": {"id": "200028"}, "location": {"id": "1"},
                "quantity": 12.5, "rate": 41.2, "description": "one"}]}});
        assert!(purchase_order_differences(&sent, &native).is_empty());
        let mut wrong = native.clone();
        wrong["item"]["items"][0]["rate"] = json!(41.21);
        wrong["entity"]["id"] = json!("100005");
        assert_eq!(purchase_order_differences(&sent, &wrong).len(), 2);
    }

    #[test]
    fn orders_with_receipts_are_not_deletable() {
        let open = json!({"status": {"id": "Pending Receipt"}, "item": {"items": [
            {"line": 1, "isClosed": false, "quantityReceived": 0, "quantityBilled": 0}]}});
        assert!(deletable(Entity::PurchaseOrders, &open));
        let mut received = open.clone();
        received["item"]["items"][0]["quantityReceived"] = json!(2);
        assert!(!deletable(Entity::PurchaseOrders, &received));
        let mut closed = open;
        closed["status"]["id"] = json!("Closed");
        assert!(!changeable(Entity::PurchaseOrders, &closed));
    }
}
