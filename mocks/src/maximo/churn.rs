//! Churn for the admin API: real business changes made "now", through the same write paths
//! clients use, so churned records look exactly like written ones.
//!
//! Work orders move one legal step along their life (`WAPPR → APPR → INPRG → COMP → CLOSE`,
//! `WSCH`/`WMATL`/`WPCOND → INPRG`); purchase orders are approved or closed on receipt; assets
//! change priority or status; vendors change phone or address; inventory balances move by an
//! issue or a receipt, new storeroom stockings appear and, with `deleted`, stock records vanish.
//! Created records are new work orders (`WAPPR`), assets, purchase orders with lines, vendors,
//! and inventory records. The choice follows the seed and a round counter.

use std::collections::HashSet;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue, json};

use super::data::book::Generator as _;
use super::data::masters::ItemMaster;
use super::data::{MaximoData, record_rng, stream_key};
use super::render::key_values;
use super::schema::{OsKind, PO_LINES, Record, asset, inventory, po, poline, wo};
use super::value::Value;
use super::writes::{self, WORK_TYPES, WriteContext};

/// What a churn round did, as rest-id key texts (`BEDFORD/1234`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Churned {
    pub(crate) changed: Vec<String>,
    pub(crate) created: Vec<String>,
    pub(crate) deleted: Vec<String>,
}

fn object(value: JsonValue) -> Map<String, JsonValue> {
    match value {
        JsonValue::Object(map) => map,
        _ => Map::new(),
    }
}

/// The next status of a work order in a churn step, if it is open.
fn next_work_order_status(status: &str) -> Option<&'static str> {
    match status {
        "WAPPR" => Some("APPR"),
        "APPR" | "WSCH" | "WMATL" | "WPCOND" => Some("INPRG"),
        "INPRG" => Some("COMP"),
        "COMP" => Some("CLOSE"),
        _ => None,
    }
}

fn id_of(data: &MaximoData, kind: OsKind, index: u64) -> Option<String> {
    data.get(kind, index)
        .map(|record| key_values(data, kind.def(), &record).join("/"))
}

/// Chooses up to `wanted` indices whose records pass `eligible`: random picks first (from
/// `recent..end` when the eligible ones cluster at the end of the history), then a sweep from
/// the newest down, so the choice always terminates.
fn choose(
    data: &MaximoData,
    kind: OsKind,
    rng: &mut ChaCha8Rng,
    wanted: u64,
    recent: u64,
    end: u64,
    eligible: &dyn Fn(&Record) -> bool,
) -> Vec<u64> {
    let mut chosen = Vec::new();
    let mut seen = HashSet::new();
    let span = end.saturating_sub(recent);
    let mut attempts = 0_u64;
    while (chosen.len() as u64) < wanted && span > 0 && attempts < wanted.saturating_mul(30) + 100 {
        attempts += 1;
        let index = recent + rng.random_range(0..span);
        if seen.insert(index)
            && let Some(record) = data.get(kind, index)
            && eligible(&record)
        {
            chosen.push(index);
        }
    }
    let mut index = end;
    while (chosen.len() as u64) < wanted && index > 0 {
        index -= 1;
        if seen.insert(index)
            && let Some(record) = data.get(kind, index)
            && eligible(&record)
        {
            chosen.push(index);
        }
    }
    chosen.sort_unstable();
    chosen
}

fn not_enough(kind: OsKind, requested: u64, available: usize, what: &str) -> String {
    format!(
        "cannot change {requested} {}: only {available} {what}",
        kind.def().entity
    )
}

/// Changes `changed`, creates `created` and (inventory only) deletes `deleted` records of
/// `kind` at `now`.
pub(crate) fn churn(
    data: &mut MaximoData,
    kind: OsKind,
    changed: u64,
    created: u64,
    deleted: u64,
    now: i64,
) -> Result<Churned, String> {
    if deleted > 0 && kind != OsKind::Inventory {
        return Err(format!(
            "deleted applies only to inventory (stock records vanish); {} are changed or created, never removed by churn",
            kind.def().entity
        ));
    }
    let mut rng = record_rng(&stream_key(data.world.seed, "churn"), data.churn_rounds);
    data.churn_rounds += 1;
    let context = WriteContext {
        user: String::from("MAXADMIN"),
        now,
        lean: true,
        offset: data.world.offset,
    };
    // Churn is all or nothing: a refusal part-way leaves nothing behind.
    let checkpoint = data.checkpoint();
    let result = run(data, kind, changed, created, deleted, &context, &mut rng);
    if result.is_err() {
        data.restore(checkpoint);
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn run(
    data: &mut MaximoData,
    kind: OsKind,
    changed: u64,
    created: u64,
    deleted: u64,
    context: &WriteContext,
    rng: &mut ChaCha8Rng,
) -> Result<Churned, String> {
    let mut outcome = Churned::default();
    let world_sites = data.world.sites.clone();
    let chosen = match kind {
        OsKind::WorkOrders => {
            let recent = data.work_orders.first_candidate(now_minus(
                context.now,
                data.work_orders.generator.max_delay() * 2,
            ));
            let end = data.work_orders.end();
            let open = |record: &Record| next_work_order_status(record.text(wo::STATUS)).is_some();
            let chosen = choose(data, kind, rng, changed, recent, end, &open);
            if (chosen.len() as u64) < changed {
                return Err(not_enough(
                    kind,
                    changed,
                    chosen.len(),
                    "are open (neither closed nor cancelled)",
                ));
            }
            chosen
        }
        OsKind::PurchaseOrders => {
            let recent = data.purchase_orders.first_candidate(now_minus(
                context.now,
                data.purchase_orders.generator.max_delay() * 2,
            ));
            let end = data.purchase_orders.end();
            let open = |record: &Record| matches!(record.text(po::STATUS), "WAPPR" | "APPR");
            let chosen = choose(data, kind, rng, changed, recent, end, &open);
            if (chosen.len() as u64) < changed {
                return Err(not_enough(
                    kind,
                    changed,
                    chosen.len(),
                    "are open (waiting for approval or approved)",
                ));
            }
            chosen
        }
        OsKind::Assets | OsKind::Vendors | OsKind::Inventory => {
            let end = match kind {
                OsKind::Assets => data.assets.end(),
                OsKind::Vendors => data.vendors.end(),
                _ => data.inventory.end(),
            };
            let any = |_: &Record| true;
            let chosen = choose(
                data,
                kind,
                rng,
                changed.saturating_add(deleted),
                0,
                end,
                &any,
            );
            if (chosen.len() as u64) < changed.saturating_add(deleted) {
                return Err(not_enough(
                    kind,
                    changed.saturating_add(deleted),
                    chosen.len(),
                    "exist",
                ));
            }
            chosen
        }
    };
    let (to_change, to_delete) = chosen.split_at(
        usize::try_from(changed)
            .unwrap_or(usize::MAX)
            .min(chosen.len()),
    );
    for index in to_change {
        change_one(data, kind, *index, context, rng)?;
        if let Some(id) = id_of(data, kind, *index) {
            outcome.changed.push(id);
        }
    }
    for index in to_delete {
        if let Some(id) = id_of(data, kind, *index) {
            outcome.deleted.push(id);
        }
        data.inventory.remove(*index);
    }
    for _ in 0..created {
        let index = create_one(data, kind, context, rng, &world_sites)?;
        if let Some(id) = id_of(data, kind, index) {
            outcome.created.push(id);
        }
    }
    outcome.changed.sort();
    outcome.deleted.sort();
    Ok(outcome)
}

fn now_minus(now: i64, seconds: i64) -> i64 {
    now.saturating_sub(seconds)
}

fn change_one(
    data: &mut MaximoData,
    kind: OsKind,
    index: u64,
    context: &WriteContext,
    rng: &mut ChaCha8Rng,
) -> Result<(), String> {
    let record = data.get(kind, index).ok_or("a chosen record vanished")?;
    let refused = |error: super::error::MaximoError| error.message;
    match kind {
        OsKind::WorkOrders => {
            let next = next_work_order_status(record.text(wo::STATUS)).ok_or("not open")?;
            let params = object(json!({ "status": next, "memo": "Progressed by the plant" }));
            writes::change_status(data, context, index, &params).map_err(refused)
        }
        OsKind::PurchaseOrders => {
            let mut record = record;
            let next = if record.text(po::STATUS) == "WAPPR" {
                "APPR"
            } else {
                "CLOSE"
            };
            record.set(po::STATUS, Value::str(next));
            record.set(po::STATUSDATE, Value::Date(context.now));
            if next == "APPR" {
                record.set(po::ORDERDATE, Value::Date(context.now));
            } else {
                record.set(po::RECEIPTS, Value::str("COMPLETE"));
                record.set(po::HISTORYFLAG, Value::Bool(true));
                for line in &mut record.children[PO_LINES] {
                    let ordered = line.get(poline::ORDERQTY).clone();
                    line.set(poline::RECEIVEDQTY, ordered);
                }
            }
            record.set(po::CHANGEDATE, Value::Date(context.now));
            record.set(po::CHANGEBY, Value::Str(context.user.clone()));
            record.rowstamp = data.next_rowstamp();
            data.purchase_orders.put(index, record);
            Ok(())
        }
        OsKind::Assets => {
            let body = if rng.random_bool(0.5) {
                let priority = record.get(asset::PRIORITY).as_int().unwrap_or(3);
                json!({ "priority": if priority >= 5 { 1 } else { priority + 1 } })
            } else {
                let status = match record.text(asset::STATUS) {
                    "OPERATING" => "BROKEN",
                    _ => "OPERATING",
                };
                json!({ "status": status })
            };
            writes::update(data, kind, context, index, &object(body), true).map_err(refused)
        }
        OsKind::Vendors => {
            let body = if rng.random_bool(0.5) {
                json!({ "phone": format!("617-{}-{}", rng.random_range(200..999), rng.random_range(1000..9999)) })
            } else {
                json!({ "address1": format!("{} Commerce Dr", rng.random_range(10..9_999)) })
            };
            writes::update(data, kind, context, index, &object(body), true).map_err(refused)
        }
        OsKind::Inventory => {
            let current = record
                .get(inventory::CURBAL)
                .as_dec()
                .unwrap_or(Decimal::ZERO);
            let step = Decimal::from(rng.random_range(1..=20_i64));
            let next = if current > step && rng.random_bool(0.6) {
                current - step
            } else {
                current + step
            };
            let params = object(json!({ "newcurbal": next.to_string() }));
            writes::adjust_current_balance(data, index, &params).map_err(refused)
        }
    }
}

fn create_one(
    data: &mut MaximoData,
    kind: OsKind,
    context: &WriteContext,
    rng: &mut ChaCha8Rng,
    sites: &[String],
) -> Result<u64, String> {
    let site = sites
        .get(rng.random_range(0..sites.len().max(1)))
        .cloned()
        .unwrap_or_else(|| String::from("BEDFORD"));
    let site_position = data.world.site_position(&site).unwrap_or(0);
    let refused = |error: super::error::MaximoError| error.message;
    match kind {
        OsKind::WorkOrders => {
            let asset_index = data.assets.generator.at_site(site_position, rng.random());
            let assetnum = data
                .assets
                .get(asset_index)
                .map(|record| record.text(asset::ASSETNUM).to_owned());
            let worktype = WORK_TYPES[rng.random_range(0..WORK_TYPES.len())];
            let body = json!({
                "siteid": site,
                "assetnum": assetnum,
                "worktype": worktype,
                "wopriority": rng.random_range(1..=4),
                "description": format!("{} reported by operations", match worktype {
                    "EM" => "Breakdown",
                    "PM" | "INSP" | "CAL" => "Scheduled work",
                    _ => "Defect",
                }),
            });
            writes::create(data, kind, context, &object(body)).map_err(refused)
        }
        OsKind::Assets => {
            let location = data
                .locations
                .code(data.locations.at_site(site_position, rng.random()));
            let body = json!({
                "siteid": site,
                "description": "Replacement pump - commissioning",
                "location": location,
                "assettype": "PUMP",
                "status": "NOT READY",
            });
            writes::create(data, kind, context, &object(body)).map_err(refused)
        }
        OsKind::PurchaseOrders => {
            let vendor_count = data.vendors.generator.codes.count();
            let vendor = data
                .vendors
                .generator
                .codes
                .code(rng.random_range(0..vendor_count.max(1)));
            let item = ItemMaster::itemnum(rng.random_range(0..data.items.count().max(1)));
            let body = json!({
                "siteid": site,
                "vendor": vendor,
                "description": "Replenishment order",
                "poline": [{ "itemnum": item, "orderqty": rng.random_range(1..=50) }],
            });
            writes::create(data, kind, context, &object(body)).map_err(refused)
        }
        OsKind::Vendors => {
            let mut number = data.vendors.end() + 50_000;
            while data
                .vendors
                .find(&[format!("NEWV{number}"), String::from(super::data::ORG)])
                .is_some()
            {
                number += 1;
            }
            let body = json!({
                "company": format!("NEWV{number}"),
                "name": format!("New Vendor {number}"),
                "city": "Bedford",
                "stateprovince": "MA",
                "country": "US",
            });
            writes::create(data, kind, context, &object(body)).map_err(refused)
        }
        OsKind::Inventory => {
            // A pair of item and storeroom that holds no record: an item newly stocked.
            let end = data.inventory.generator.base_count();
            let mut tries = 0;
            loop {
                tries += 1;
                if tries > 100_000 || end == 0 {
                    return Err(String::from("every item is stocked in every storeroom"));
                }
                let index = rng.random_range(0..end);
                if data.inventory.present(index) {
                    continue;
                }
                let (site, storeroom, item) = data.inventory.generator.place(index);
                let body = json!({
                    "itemnum": ItemMaster::itemnum(item),
                    "location": storeroom,
                    "siteid": site,
                });
                let index = writes::create(data, kind, context, &object(body)).map_err(refused)?;
                let balance = rng.random_range(1..=80_i64);
                let params = object(json!({ "newcurbal": balance }));
                writes::adjust_current_balance(data, index, &params).map_err(refused)?;
                return Ok(index);
            }
        }
    }
}
