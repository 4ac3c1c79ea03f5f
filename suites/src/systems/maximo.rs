//! Maximo in its own terms: OSLC JSON of the `mxapi*` object structures, lower-case attribute
//! names, codes (`siteid`, `orgid`, `itemnum`, `storeloc`) rather than internal ids, remote ids
//! made of the record's key values joined with `/`.

use super::{UpdateSetup, WriteSetup, field_differences, same_decimal, sample, text_of};
use crate::context::{Ctx, Outcome, Step};
use mw_harness::TruthRecord;
use mw_model::Entity;
use serde_json::{Value, json};

/// The first key value of a remote id (`1079/BEDFORD` → `1079`).
fn code(remote_id: &str) -> &str {
    remote_id.split('/').next().unwrap_or(remote_id)
}

/// The first `poline` of a purchase order, by line number.
fn first_line(native: &Value) -> Value {
    let mut lines = native["poline"].as_array().cloned().unwrap_or_default();
    lines.sort_by_key(|l| l["polinenum"].as_u64().unwrap_or(u64::MAX));
    lines.into_iter().next().unwrap_or(Value::Null)
}

/// Differences of one attribute, whose canonical value is `want`.
fn differ(out: &mut Vec<String>, what: &str, got: &Value, want: &Value) {
    if got != want && !same_decimal(got, want) {
        out.push(format!(
            "{what}: Maximo holds {got}, the request said {want}"
        ));
    }
}

/// Two lines for the vendor of a recent order, of the item it orders, into its storeroom.
pub(super) async fn purchase_order_body(ctx: &Ctx) -> Step<Value> {
    let order = sample(ctx, Entity::PurchaseOrders).await?;
    let line = first_line(&order);
    let org = text_of(&order, "orgid");
    let text = |v: &Value, f: &str| v[f].as_str().unwrap_or("").to_owned();
    let new_line = |description: &str, quantity: &str, price: &str| {
        json!({
            "item": text(&line, "itemnum"),
            "description": description,
            "quantity": quantity,
            "unit": text(&line, "orderunit"),
            "unit_price": price,
            "location": text(&line, "storeloc"),
        })
    };
    Ok(json!({
        "vendor_remote_id": format!("{}/{org}", text(&order, "vendor")),
        "company": org,
        "currency": text(&order, "currencycode"),
        "order_date": "2026-03-02",
        "lines": [
            new_line("Millwright conformance line one", "12.5", "41.20"),
            new_line("Millwright conformance line two", "3", "1999.99"),
        ]
    }))
}

fn purchase_order_differences(sent: &Value, native: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let vendor = sent["vendor_remote_id"].as_str().map(code).unwrap_or("");
    differ(&mut out, "vendor", &native["vendor"], &json!(vendor));
    differ(&mut out, "orgid", &native["orgid"], &sent["company"]);
    differ(
        &mut out,
        "currencycode",
        &native["currencycode"],
        &sent["currency"],
    );
    let mut held = native["poline"].as_array().cloned().unwrap_or_default();
    held.sort_by_key(|l| l["polinenum"].as_u64().unwrap_or(u64::MAX));
    let lines = sent["lines"].as_array().cloned().unwrap_or_default();
    if held.len() != lines.len() {
        differ(&mut out, "poline", &json!(held.len()), &json!(lines.len()));
    }
    for (i, (line, want)) in held.iter().zip(&lines).enumerate() {
        for (attribute, field) in [
            ("itemnum", "item"),
            ("description", "description"),
            ("orderqty", "quantity"),
            ("orderunit", "unit"),
            ("unitcost", "unit_price"),
            ("storeloc", "location"),
        ] {
            differ(
                &mut out,
                &format!("poline {i} {attribute}"),
                &line[attribute],
                &want[field],
            );
        }
    }
    out
}

pub(super) async fn create_setup(ctx: &Ctx, entity: Entity) -> Step<WriteSetup> {
    match entity {
        Entity::PurchaseOrders => {
            let order = sample(ctx, Entity::PurchaseOrders).await?;
            Ok(WriteSetup {
                settings: json!({"siteid": text_of(&order, "siteid")}),
                body: purchase_order_body(ctx).await?,
            })
        }
        Entity::WorkOrders => {
            let asset = sample(ctx, Entity::Assets).await?;
            let site = text_of(&asset, "siteid");
            Ok(WriteSetup {
                settings: json!({"siteid": site}),
                body: json!({
                    "title": "Conformance: replace pump seal",
                    "priority": "2",
                    "asset_remote_id": format!("{}/{site}", text_of(&asset, "assetnum")),
                    "site": site,
                }),
            })
        }
        Entity::Assets => {
            let asset = sample(ctx, Entity::Assets).await?;
            Ok(WriteSetup {
                settings: json!({"siteid": text_of(&asset, "siteid")}),
                body: json!({
                    "name": "Millwright conformance pump",
                    "site": text_of(&asset, "siteid"),
                    "category": text_of(&asset, "assettype"),
                    "manufacturer": text_of(&asset, "manufacturer"),
                    "serial_number": "MW-SN-0007",
                }),
            })
        }
        Entity::Vendors => {
            let company = sample(ctx, Entity::Vendors).await?;
            Ok(WriteSetup {
                settings: json!({"orgid": text_of(&company, "orgid")}),
                body: json!({
                    "name": "Millwright Conformance Supplies",
                    "currency": text_of(&company, "currencycode"),
                    "phone": "512-555-0199",
                    "address": {"line1": "1 Test Street", "city": "Austin", "region": "TX",
                        "postal_code": "78701", "country": "US"},
                    "remote_fields": {"company": "MWCONF01"},
                }),
            })
        }
        Entity::Inventory => Err(Outcome::Skipped(
            "inventory is adjusted, not created (WRITE-003)".into(),
        )),
    }
}

pub(super) fn written_differences(entity: Entity, sent: &Value, native: &Value) -> Vec<String> {
    match entity {
        Entity::PurchaseOrders => purchase_order_differences(sent, native),
        Entity::WorkOrders => {
            let mut out = field_differences(
                "Maximo",
                &[
                    ("description", "title"),
                    ("wopriority", "priority"),
                    ("siteid", "site"),
                ],
                sent,
                native,
            );
            let asset = sent["asset_remote_id"].as_str().map(code).unwrap_or("");
            differ(&mut out, "assetnum", &native["assetnum"], &json!(asset));
            out
        }
        Entity::Assets => field_differences(
            "Maximo",
            &[
                ("description", "name"),
                ("siteid", "site"),
                ("assettype", "category"),
                ("manufacturer", "manufacturer"),
                ("serialnum", "serial_number"),
            ],
            sent,
            native,
        ),
        Entity::Vendors => {
            let mut out = field_differences(
                "Maximo",
                &[
                    ("name", "name"),
                    ("currencycode", "currency"),
                    ("phone", "phone"),
                ],
                sent,
                native,
            );
            differ(
                &mut out,
                "company",
                &native["company"],
                &sent["remote_fields"]["company"],
            );
            for (attribute, field) in [
                ("address1", "line1"),
                ("city", "city"),
                ("stateprovince", "region"),
                ("zip", "postal_code"),
                ("country", "country"),
            ] {
                differ(
                    &mut out,
                    attribute,
                    &native[attribute],
                    &sent["address"][field],
                );
            }
            out
        }
        Entity::Inventory => vec![],
    }
}

/// Maximo refuses changes to closed or cancelled work orders, purchase orders past approval,
/// decommissioned assets and disabled companies.
pub(super) fn changeable(entity: Entity, native: &Value) -> bool {
    let status = native["status"].as_str().unwrap_or("");
    match entity {
        Entity::PurchaseOrders => matches!(status, "WAPPR" | "PNDREV"),
        Entity::WorkOrders => !matches!(status, "CLOSE" | "CAN"),
        Entity::Assets => status != "DECOMMISSIONED",
        Entity::Vendors => native["disabled"] != true,
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
            let line = first_line(native)["polinenum"].as_u64().unwrap_or(1);
            Ok(UpdateSetup {
                patch: json!({"lines": [{"line_number": line.to_string(), "quantity": "17"}]}),
                expected: vec![("orderqty", json!(17))],
                // Maximo sums the order's cost from its lines.
                derived: &["totalcost"],
            })
        }
        Entity::Assets => {
            let name = "Conformance pump, renamed";
            setup(json!({"name": name}), vec![("description", json!(name))])
        }
        Entity::WorkOrders => {
            let title = "Conformance: inspect gearbox";
            setup(
                json!({"title": title, "priority": "1"}),
                vec![("description", json!(title)), ("wopriority", json!(1))],
            )
        }
        Entity::Vendors => {
            let name = "Millwright Renamed Supplies";
            setup(
                json!({"name": name, "phone": "512-555-0142"}),
                vec![("name", json!(name)), ("phone", json!("512-555-0142"))],
            )
        }
        _ => Err(Outcome::Skipped(format!(
            "no update of Maximo {entity} is expected"
        ))),
    }
}

/// Maximo deletes none of these: it cancels work orders (only those waiting on approval) and
/// purchase orders (not once goods were received), decommissions assets and disables companies.
pub(super) fn deletable(entity: Entity, native: &Value) -> bool {
    match entity {
        Entity::WorkOrders => native["status"] == "WAPPR",
        Entity::PurchaseOrders => {
            matches!(native["status"].as_str(), Some("WAPPR" | "APPR" | "HOLD"))
                && native["receipts"].as_str().is_none_or(|r| r == "NONE")
        }
        _ => changeable(entity, native),
    }
}

/// What a delete leaves in Maximo: a cancelled order, a decommissioned asset, a disabled
/// company.
pub(super) fn shows_deleted(entity: Entity, native: &Value) -> bool {
    match entity {
        Entity::WorkOrders | Entity::PurchaseOrders => native["status"] == "CAN",
        Entity::Assets => native["status"] == "DECOMMISSIONED",
        Entity::Vendors => native["disabled"] == true,
        Entity::Inventory => false,
    }
}

/// An adjustment of the item's balance in its storeroom (location = site, sub_location =
/// storeroom), in the storeroom's issue unit.
pub(super) async fn adjustment_body(ctx: &Ctx, level: &TruthRecord, delta: &str) -> Step<Value> {
    let native = ctx
        .h
        .admin
        .record(Entity::Inventory.as_str(), &level.id)
        .await?;
    Ok(json!({
        "item": text_of(&native, "itemnum"),
        "location": text_of(&native, "siteid"),
        "sub_location": text_of(&native, "location"),
        "unit": text_of(&native, "issueunit"),
        "delta": delta,
        "reason": "Conformance count",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_order_differences_compare_codes_and_numbers() {
        let sent = json!({"vendor_remote_id": "RELIAB10017/EAGLENA", "company": "EAGLENA",
            "currency": "USD", "lines": [{"item": "0-0015", "description": "d", "quantity": "2",
            "unit": "EA", "unit_price": "9.11", "location": "MAINT"}]});
        let native = json!({"vendor": "RELIAB10017", "orgid": "EAGLENA", "currencycode": "USD",
            "poline": [{"polinenum": 1, "itemnum": "0-0015", "description": "d", "orderqty": 2.0,
            "orderunit": "EA", "unitcost": 9.11, "storeloc": "MAINT"}]});
        assert!(purchase_order_differences(&sent, &native).is_empty());
        let mut wrong = native.clone();
        wrong["poline"][0]["orderqty"] = json!(2.5);
        wrong["vendor"] = json!("OTHER");
        assert_eq!(purchase_order_differences(&sent, &wrong).len(), 2);
    }
}
