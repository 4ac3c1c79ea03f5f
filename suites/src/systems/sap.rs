//! SAP S/4HANA in its own terms: `A_PurchaseOrder` with `to_PurchaseOrderItem`, suppliers by
//! number, plants, materials and units from the system's own records.

use super::same_decimal;
use crate::context::{Ctx, Outcome, Step};
use mw_model::Entity;
use serde_json::{Value, json};

fn items(native: &Value) -> Vec<Value> {
    let list = &native["to_PurchaseOrderItem"];
    let array = list
        .as_array()
        .or_else(|| list["results"].as_array())
        .cloned()
        .unwrap_or_default();
    let mut items = array;
    items.sort_by_key(|i| {
        i["PurchaseOrderItem"]
            .as_str()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    });
    items
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or("")
}

/// Two lines for a supplier of the system, ordering a material it already buys, at a plant it
/// already uses.
pub(super) async fn purchase_order_body(ctx: &Ctx) -> Step<Value> {
    let vendors = ctx
        .h
        .admin
        .truth(Entity::Vendors.as_str(), None, None)
        .await?;
    let supplier = vendors
        .records
        .first()
        .map(|r| r.id.clone())
        .ok_or_else(|| Outcome::Skipped("the emulator holds no suppliers".into()))?;
    let orders = ctx.truth(Entity::PurchaseOrders, None).await?;
    let sample_id = orders
        .last()
        .map(|r| r.id.clone())
        .ok_or_else(|| Outcome::Skipped("the emulator holds no purchase orders".into()))?;
    let sample = ctx
        .h
        .admin
        .record(Entity::PurchaseOrders.as_str(), &sample_id)
        .await?;
    let item = items(&sample).into_iter().next().unwrap_or(Value::Null);
    Ok(json!({
        "vendor_remote_id": supplier,
        "currency": text(&sample, "DocumentCurrency"),
        "company": text(&sample, "CompanyCode"),
        "order_date": "2026-03-02",
        "remote_fields": {
            "PurchasingOrganization": text(&sample, "PurchasingOrganization"),
            "PurchasingGroup": text(&sample, "PurchasingGroup"),
        },
        "lines": [
            {
                "item": text(&item, "Material"),
                "description": "Millwright conformance line one",
                "quantity": "12.5",
                "unit": text(&item, "PurchaseOrderQuantityUnit"),
                "unit_price": "41.20",
                "location": text(&item, "Plant"),
            },
            {
                "item": text(&item, "Material"),
                "description": "Millwright conformance line two",
                "quantity": "3",
                "unit": text(&item, "PurchaseOrderQuantityUnit"),
                "unit_price": "1999.99",
                "location": text(&item, "Plant"),
            }
        ]
    }))
}

pub(super) fn purchase_order_differences(sent: &Value, native: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut expect = |what: String, ok: bool, got: &Value, want: &Value| {
        if !ok {
            out.push(format!("{what}: SAP holds {got}, the request said {want}"));
        }
    };
    expect(
        "Supplier".into(),
        native["Supplier"] == sent["vendor_remote_id"],
        &native["Supplier"],
        &sent["vendor_remote_id"],
    );
    expect(
        "DocumentCurrency".into(),
        native["DocumentCurrency"] == sent["currency"],
        &native["DocumentCurrency"],
        &sent["currency"],
    );
    expect(
        "CompanyCode".into(),
        native["CompanyCode"] == sent["company"],
        &native["CompanyCode"],
        &sent["company"],
    );
    let items = items(native);
    let lines = sent["lines"].as_array().cloned().unwrap_or_default();
    if items.len() != lines.len() {
        expect(
            "number of to_PurchaseOrderItem entries".into(),
            false,
            &Value::from(items.len()),
            &Value::from(lines.len()),
        );
    }
    for (i, (item, line)) in items.iter().zip(&lines).enumerate() {
        let pairs = [
            ("Material", "item", false),
            ("PurchaseOrderQuantityUnit", "unit", false),
            ("Plant", "location", false),
            ("OrderQuantity", "quantity", true),
            ("NetPriceAmount", "unit_price", true),
        ];
        for (native_field, field, decimal) in pairs {
            let got = &item[native_field];
            let want = &line[field];
            let ok = if decimal {
                same_decimal(got, want)
            } else {
                got == want
            };
            expect(format!("item {i} {native_field}"), ok, got, want);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_found_field_by_field() {
        let sent = json!({"vendor_remote_id": "17300001", "currency": "USD", "company": "1710",
            "lines": [{"item": "M1", "unit": "PC", "location": "1710", "quantity": "2", "unit_price": "3.5"}]});
        let native = json!({"Supplier": "17300001", "DocumentCurrency": "USD", "CompanyCode": "1710",
            "to_PurchaseOrderItem": {"results": [{"PurchaseOrderItem": "10", "Material": "M1",
                "PurchaseOrderQuantityUnit": "PC", "Plant": "1710", "OrderQuantity": "2.000",
                "NetPriceAmount": "3.50"}]}});
        assert!(purchase_order_differences(&sent, &native).is_empty());
        let mut wrong = native.clone();
        wrong["to_PurchaseOrderItem"]["results"][0]["OrderQuantity"] = json!("2.001");
        wrong["Supplier"] = json!("17300002");
        let diffs = purchase_order_differences(&sent, &wrong);
        assert_eq!(diffs.len(), 2, "{diffs:?}");
    }
}
