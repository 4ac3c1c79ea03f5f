//! SAP S/4HANA in its own terms: `A_PurchaseOrder` with `to_PurchaseOrderItem`, suppliers by
//! number, plants, materials and units from the system's own records.

use super::{UpdateSetup, WriteSetup, field_differences, find, same_decimal, sample, text_of};
use crate::context::{Ctx, Outcome, Step};
use mw_harness::TruthRecord;
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

fn purchase_order_differences(sent: &Value, native: &Value) -> Vec<String> {
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

pub(super) async fn create_setup(ctx: &Ctx, entity: Entity) -> Step<WriteSetup> {
    match entity {
        Entity::PurchaseOrders => Ok(WriteSetup {
            settings: json!({}),
            body: purchase_order_body(ctx).await?,
        }),
        Entity::WorkOrders => {
            let order = sample(ctx, Entity::WorkOrders).await?;
            let equipment = ctx
                .h
                .admin
                .truth(Entity::Assets.as_str(), None, None)
                .await?
                .records
                .first()
                .map(|r| r.id.clone())
                .ok_or_else(|| Outcome::Skipped("the emulator holds no equipment".into()))?;
            Ok(WriteSetup {
                settings: json!({
                    "maintenance_order_type": text_of(&order, "MaintenanceOrderType"),
                    "maintenance_planning_plant": text_of(&order, "MaintenancePlanningPlant"),
                    "main_work_center": text_of(&order, "MainWorkCenter"),
                }),
                body: json!({
                    "title": "Conformance: replace pump seal",
                    "priority": "2",
                    "asset_remote_id": equipment,
                    "site": text_of(&order, "MaintenancePlanningPlant"),
                }),
            })
        }
        Entity::Assets => {
            let equipment = sample(ctx, Entity::Assets).await?;
            Ok(WriteSetup {
                settings: json!({"equipment_category": text_of(&equipment, "EquipmentCategory")}),
                body: json!({
                    "name": "Millwright conformance pump",
                    "site": text_of(&equipment, "MaintenancePlant"),
                    "manufacturer": "Millwright Pumps",
                    "model": "MW-200",
                    "serial_number": "MW-SN-0007",
                }),
            })
        }
        Entity::Vendors => {
            let supplier = sample(ctx, Entity::Vendors).await?;
            Ok(WriteSetup {
                settings: json!({
                    "business_partner_grouping": text_of(&supplier, "BusinessPartnerGrouping"),
                    "purchasing_organization": text_of(&supplier, "PurchasingOrganization"),
                    "company_code": text_of(&supplier, "CompanyCode"),
                }),
                body: json!({
                    "name": "Millwright Conformance Supplies",
                    "currency": text_of(&supplier, "PurchaseOrderCurrency"),
                    "address": {"line1": "1 Test Street", "city": "Palo Alto", "postal_code": "94304", "country": "US"},
                }),
            })
        }
        Entity::Inventory => Err(Outcome::Skipped(
            "inventory is adjusted, not created (WRITE-003)".into(),
        )),
    }
}

pub(super) fn written_differences(entity: Entity, sent: &Value, native: &Value) -> Vec<String> {
    let pairs: &[(&str, &str)] = match entity {
        Entity::PurchaseOrders => return purchase_order_differences(sent, native),
        Entity::WorkOrders => &[
            ("MaintenanceOrderDesc", "title"),
            ("Equipment", "asset_remote_id"),
            ("MaintPriority", "priority"),
            ("MaintenancePlanningPlant", "site"),
        ],
        Entity::Assets => &[
            ("EquipmentName", "name"),
            ("AssetManufacturerName", "manufacturer"),
            ("ManufacturerPartTypeName", "model"),
            ("MaintenancePlant", "site"),
        ],
        Entity::Vendors => &[
            ("OrganizationBPName1", "name"),
            ("PurchaseOrderCurrency", "currency"),
        ],
        Entity::Inventory => &[],
    };
    let mut out = field_differences("SAP", pairs, sent, native);
    if entity == Entity::Vendors {
        let roles = find(native, "to_BusinessPartnerRole")
            .cloned()
            .unwrap_or(Value::Null);
        if !roles.to_string().contains("FLVN") {
            out.push(format!(
                "the business partner has no supplier role: {roles}"
            ));
        }
    }
    out
}

/// Whether SAP still lets a record be changed: closed or deletion-flagged maintenance orders refuse
/// every change (system status `CLSD`, `DLFL`).
pub(super) fn changeable(entity: Entity, native: &Value) -> bool {
    match entity {
        Entity::WorkOrders => {
            let status = text_of(native, "SystemStatusText");
            !status
                .split_whitespace()
                .any(|t| t == "CLSD" || t == "DLFL")
        }
        _ => true,
    }
}

pub(super) fn update_setup(entity: Entity, native: &Value) -> Result<UpdateSetup, Outcome> {
    let setup = |patch: Value, expected: Vec<(&'static str, Value)>| {
        Ok(UpdateSetup {
            patch,
            expected,
            derived: &[],
        })
    };
    match entity {
        Entity::PurchaseOrders => {
            let item = items(native).into_iter().next().unwrap_or(Value::Null);
            let line = text_of(&item, "PurchaseOrderItem");
            setup(
                json!({"lines": [{"line_number": line, "quantity": "17"}]}),
                vec![("OrderQuantity", json!("17"))],
            )
        }
        Entity::WorkOrders => {
            let title = "Conformance: inspect gearbox";
            setup(
                json!({"title": title, "priority": "1"}),
                vec![
                    ("MaintenanceOrderDesc", json!(title)),
                    ("MaintPriority", json!("1")),
                ],
            )
        }
        Entity::Assets => {
            let name = "Conformance pump, renamed";
            setup(json!({"name": name}), vec![("EquipmentName", json!(name))])
        }
        Entity::Vendors => {
            let name = "Millwright Renamed Supplies";
            // The supplier's names are the business partner's, derived by SAP.
            setup(
                json!({"name": name}),
                vec![
                    ("OrganizationBPName1", json!(name)),
                    ("SupplierName", json!(name)),
                    ("SupplierFullName", json!(name)),
                ],
            )
        }
        Entity::Inventory => Err(Outcome::Skipped(
            "inventory levels change through adjustments (WRITE-003)".into(),
        )),
    }
}

pub(super) async fn adjustment_body(ctx: &Ctx, level: &TruthRecord, delta: &str) -> Step<Value> {
    let native = ctx
        .h
        .admin
        .record(Entity::Inventory.as_str(), &level.id)
        .await?;
    let batch = text_of(&native, "Batch");
    Ok(json!({
        "item": text_of(&native, "Material"),
        "location": text_of(&native, "Plant"),
        "sub_location": text_of(&native, "StorageLocation"),
        "batch": if batch.is_empty() { Value::Null } else { Value::String(batch) },
        "delta": delta,
        "unit": text_of(&native, "MaterialBaseUnit"),
        "reason": "Conformance count",
    }))
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
