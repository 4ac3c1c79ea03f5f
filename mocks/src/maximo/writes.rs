//! Creates, updates and actions on the data, with Maximo's validation and error codes
//! (reference §1.7): new work orders start `WAPPR` with a `wonum` from the autokey sequence,
//! PATCH replaces child collections unless `patchtype: MERGE` (then children are matched on
//! their keys, `_action: "Delete"` removes one), `changeStatus` follows the transition table
//! (work orders: WOSTATUS; purchase orders: POSTATUS, no cancelling once received; assets:
//! LOCASSETSTATUS, nothing after DECOMMISSIONED), purchase orders are edited only while WAPPR or
//! PNDREV (after approval Maximo wants a revision),
//! `adjustCurrentBalance` sets a storeroom balance. Every write stamps `changedate` (where the
//! object has one), `changeby` and a new `_rowstamp` from the virtual clock.
//!
//! Bodies are read by attribute type; attributes the object does not have, and system-managed
//! ones (keys after creation, unique ids, stamps, descriptions of domains), are ignored as
//! Maximo's inbound processing ignores them. A namespaced (non-lean) body must prefix its
//! attributes with `spi:` or they are ignored, as on a real server.

use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue};

use super::data::book::Generator as _;
use super::data::work_orders::{allowed_next, is_history};
use super::data::{CURRENCY, ITEMSET, MaximoData, ORG};
use super::error::MaximoError;
use super::schema::{
    ASSET, ASSET_METERS, ASSETMETER, COMPANIES, INV_BALANCES, Kind, Mbo, OsKind, PO, PO_LINES,
    POLINE, Record, WO_STATUS_HISTORY, WO_TASKS, WOACTIVITY, WORKORDER, WOSTATUS, WOSTATUS_MBO,
    asset, assetmeter, companies, invbalances, inventory, po, poline, wo, woactivity, wostatus,
};
use super::value::{Value, parse_date};

/// Who writes, when, and how the body is spelled.
#[derive(Clone, Debug)]
pub(crate) struct WriteContext {
    pub(crate) user: String,
    pub(crate) now: i64,
    pub(crate) lean: bool,
    /// The server's offset: dates without one are read in it.
    pub(crate) offset: chrono::FixedOffset,
}

/// Work types of the plant's WORKTYPE table.
pub(crate) const WORK_TYPES: [&str; 6] = ["CM", "PM", "EM", "INSP", "CAL", "CP"];

/// One child element of a body.
#[derive(Clone, Debug, Default)]
struct ChildItem {
    values: Vec<(usize, Value)>,
    delete: bool,
}

impl ChildItem {
    fn get(&self, attr: usize) -> Option<&Value> {
        self.values.iter().find(|(a, _)| *a == attr).map(|(_, v)| v)
    }
}

/// A body read against an MBO.
#[derive(Clone, Debug, Default)]
pub(crate) struct Body {
    values: Vec<(usize, Value)>,
    children: Vec<(usize, Vec<ChildItem>)>,
}

impl Body {
    fn get(&self, attr: usize) -> Option<&Value> {
        self.values.iter().find(|(a, _)| *a == attr).map(|(_, v)| v)
    }

    fn text(&self, attr: usize) -> Option<&str> {
        self.get(attr).and_then(Value::as_str)
    }

    fn child(&self, child: usize) -> Option<&[ChildItem]> {
        self.children
            .iter()
            .find(|(c, _)| *c == child)
            .map(|(_, items)| items.as_slice())
    }
}

fn invalid_value(name: &str, shown: &str) -> MaximoError {
    MaximoError::not_in_value_list(name, shown)
}

/// Converts one JSON value to an attribute's type.
fn convert(
    mbo: &Mbo,
    attr: usize,
    json: &JsonValue,
    context: &WriteContext,
) -> Result<Value, MaximoError> {
    let definition = &mbo.attrs[attr];
    let shown = json.to_string();
    let wrong = || invalid_value(definition.name, &shown).on(definition.name, mbo.name);
    if json.is_null() {
        return Ok(Value::Null);
    }
    let value = match definition.kind {
        Kind::Upper | Kind::Aln => {
            let text = match json {
                JsonValue::String(text) => text.clone(),
                JsonValue::Number(number) => number.to_string(),
                _ => return Err(wrong()),
            };
            if definition.max_len > 0 && text.chars().count() > definition.max_len {
                return Err(
                    MaximoError::too_long(&text, definition.max_len).on(definition.name, mbo.name)
                );
            }
            if definition.kind == Kind::Upper {
                Value::Str(text.to_uppercase())
            } else {
                Value::Str(text)
            }
        }
        Kind::Int => {
            let number = match json {
                JsonValue::Number(number) => number.as_i64(),
                JsonValue::String(text) => text.trim().parse().ok(),
                _ => None,
            };
            Value::Int(number.ok_or_else(wrong)?)
        }
        Kind::Dec => {
            let text = match json {
                JsonValue::Number(number) => number.to_string(),
                JsonValue::String(text) => text.trim().to_owned(),
                _ => return Err(wrong()),
            };
            let number = text
                .parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(&text))
                .map_err(|_| wrong())?;
            Value::Dec(number)
        }
        Kind::Bool => match json {
            JsonValue::Bool(flag) => Value::Bool(*flag),
            JsonValue::Number(number) if number.as_i64() == Some(1) => Value::Bool(true),
            JsonValue::Number(number) if number.as_i64() == Some(0) => Value::Bool(false),
            JsonValue::String(text) => match text.to_ascii_lowercase().as_str() {
                "true" | "1" | "y" => Value::Bool(true),
                "false" | "0" | "n" => Value::Bool(false),
                _ => return Err(wrong()),
            },
            _ => return Err(wrong()),
        },
        Kind::Date => match json {
            JsonValue::String(text) => {
                Value::Date(parse_date(text, context.offset).ok_or_else(wrong)?)
            }
            _ => return Err(wrong()),
        },
    };
    Ok(value)
}

/// The attribute name of a body key, or `None` when the key is ignored.
fn key_name(key: &str, lean: bool) -> Option<&str> {
    if lean {
        Some(key.strip_prefix("spi:").unwrap_or(key))
    } else {
        key.strip_prefix("spi:")
    }
}

/// Reads a JSON object body against `mbo`.
pub(crate) fn read_body(
    mbo: &'static Mbo,
    object: &Map<String, JsonValue>,
    context: &WriteContext,
) -> Result<Body, MaximoError> {
    let mut body = Body::default();
    for (key, json) in object {
        let Some(name) = key_name(key, context.lean) else {
            continue;
        };
        if let Some(attr) = mbo.attr(name) {
            body.values.push((attr, convert(mbo, attr, json, context)?));
            continue;
        }
        let Some(child) = mbo.child(name) else {
            continue;
        };
        let definition = &mbo.children[child];
        let items = match json {
            JsonValue::Array(items) => items.as_slice(),
            JsonValue::Object(_) => std::slice::from_ref(json),
            _ => {
                return Err(invalid_value(definition.name, &json.to_string()));
            }
        };
        let mut rows = Vec::new();
        for item in items {
            let JsonValue::Object(fields) = item else {
                return Err(invalid_value(definition.name, &item.to_string()));
            };
            let mut row = ChildItem::default();
            for (field, value) in fields {
                if field == "_action" {
                    row.delete = value
                        .as_str()
                        .is_some_and(|action| action.eq_ignore_ascii_case("delete"));
                    continue;
                }
                let Some(name) = key_name(field, context.lean) else {
                    continue;
                };
                if let Some(attr) = definition.mbo.attr(name) {
                    row.values
                        .push((attr, convert(definition.mbo, attr, value, context)?));
                }
            }
            rows.push(row);
        }
        body.children.push((child, rows));
    }
    Ok(body)
}

/// Copies the attributes of `body` in `writable` onto `record`.
fn apply_writable(record: &mut Record, body: &Body, writable: &[usize]) {
    for (attr, value) in &body.values {
        if writable.contains(attr) {
            record.set(*attr, value.clone());
        }
    }
}

fn site_of(
    data: &MaximoData,
    body: &Body,
    attr: usize,
    object: &str,
) -> Result<String, MaximoError> {
    match body.text(attr) {
        None => Ok(data.world.site(0).to_owned()),
        Some(site) if data.world.site_position(site).is_some() => Ok(site.to_owned()),
        Some(site) => Err(MaximoError::invalid_site(site).on("siteid", object)),
    }
}

fn check_location(
    data: &MaximoData,
    location: &str,
    site: &str,
    object: &str,
) -> Result<(), MaximoError> {
    if data.locations.exists(location, site) {
        Ok(())
    } else {
        Err(MaximoError::invalid_location(location).on("location", object))
    }
}

fn check_key_text(value: &str, label: &str, object: &str) -> Result<(), MaximoError> {
    if value.trim().is_empty() || value.contains('/') {
        return Err(invalid_value(label, value).on(label, object));
    }
    Ok(())
}

/// The next free autokey number of a kind (fixed width, after the base).
fn autokey(data: &mut MaximoData, kind: OsKind, site: &str) -> String {
    loop {
        let number = data.take_autokey(kind);
        let text = number.to_string();
        let taken = match kind {
            OsKind::WorkOrders => data
                .work_orders
                .find(&[site.to_owned(), text.clone()])
                .is_some(),
            OsKind::Assets => data.assets.find(&[text.clone(), site.to_owned()]).is_some(),
            OsKind::PurchaseOrders => data
                .purchase_orders
                .find(&[text.clone(), String::from("0"), site.to_owned()])
                .is_some(),
            _ => false,
        };
        if !taken {
            return text;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Children

/// Builds a new child from a body item and the children already there.
type FreshChild<'a> =
    dyn FnMut(&mut MaximoData, &ChildItem, &[Record]) -> Result<Record, MaximoError> + 'a;

/// Applies the body's items for child collection `child` of `record`: replace (unlisted
/// children go) or merge (matched on keys, `_action: "Delete"` removes). `fresh` builds a new
/// child from an item and its position.
fn apply_children(
    data: &mut MaximoData,
    mbo: &'static Mbo,
    record: &mut Record,
    child: usize,
    items: &[ChildItem],
    merge: bool,
    fresh: &mut FreshChild<'_>,
) -> Result<(), MaximoError> {
    let definition = &mbo.children[child];
    if !definition.writable {
        return Ok(());
    }
    let existing = record.children.get(child).cloned().unwrap_or_default();
    let matches = |row: &Record, item: &ChildItem| {
        definition.keys.iter().all(|key| match item.get(*key) {
            Some(value) => row.get(*key) == value,
            None => false,
        }) && !definition.keys.is_empty()
            && definition.keys.iter().any(|key| item.get(*key).is_some())
    };
    let mut result: Vec<Record> = if merge { existing.clone() } else { Vec::new() };
    for item in items {
        let position = result.iter().position(|row| matches(row, item));
        let found_before = existing.iter().find(|row| matches(row, item)).cloned();
        match (item.delete, position, found_before) {
            (true, Some(position), _) => {
                result.remove(position);
            }
            (true, None, _) => {}
            (false, Some(position), _) => {
                let row = &mut result[position];
                for (attr, value) in &item.values {
                    if !definition.keys.contains(attr) {
                        row.set(*attr, value.clone());
                    }
                }
                row.rowstamp = data.next_rowstamp();
            }
            (false, None, Some(mut row)) => {
                // Replace mode: a listed child that existed stays, with the sent values.
                for (attr, value) in &item.values {
                    row.set(*attr, value.clone());
                }
                row.rowstamp = data.next_rowstamp();
                result.push(row);
            }
            (false, None, None) => {
                let row = fresh(data, item, &result)?;
                result.push(row);
            }
        }
    }
    if let Some(slot) = record.children.get_mut(child) {
        *slot = result;
    }
    Ok(())
}

fn next_number(rows: &[Record], attr: usize, step: i64) -> i64 {
    rows.iter()
        .filter_map(|row| row.get(attr).as_int())
        .max()
        .unwrap_or(0)
        .saturating_add(step)
}

// ---------------------------------------------------------------------------------------------
// Work orders

const WO_WRITABLE: [usize; 22] = [
    wo::DESCRIPTION,
    wo::WORKTYPE,
    wo::WOPRIORITY,
    wo::ASSETNUM,
    wo::LOCATION,
    wo::TARGSTARTDATE,
    wo::TARGCOMPDATE,
    wo::SCHEDSTART,
    wo::SCHEDFINISH,
    wo::SUPERVISOR,
    wo::LEAD,
    wo::PERSONGROUP,
    wo::FAILURECODE,
    wo::PROBLEMCODE,
    wo::GLACCOUNT,
    wo::ESTDUR,
    wo::ESTLABHRS,
    wo::ESTLABCOST,
    wo::ESTMATCOST,
    wo::DOWNTIME,
    wo::JPNUM,
    wo::REPORTEDBY,
];

fn check_work_order_fields(data: &MaximoData, record: &Record) -> Result<(), MaximoError> {
    let site = record.text(wo::SITEID).to_owned();
    if let Some(assetnum) = record.get(wo::ASSETNUM).as_str()
        && data
            .assets
            .find(&[assetnum.to_owned(), site.clone()])
            .is_none()
    {
        return Err(MaximoError::invalid_asset(assetnum).on("assetnum", "WORKORDER"));
    }
    if let Some(location) = record.get(wo::LOCATION).as_str() {
        check_location(data, location, &site, "WORKORDER")?;
    }
    if let Some(worktype) = record.get(wo::WORKTYPE).as_str()
        && !WORK_TYPES.contains(&worktype)
    {
        return Err(invalid_value("Work Type", worktype).on("worktype", "WORKORDER"));
    }
    Ok(())
}

fn new_task(
    data: &mut MaximoData,
    parent: &Record,
    item: &ChildItem,
    existing: &[Record],
    now: i64,
) -> Record {
    let mut row = WOACTIVITY.blank();
    for (attr, value) in &item.values {
        row.set(*attr, value.clone());
    }
    let taskid = item
        .get(woactivity::TASKID)
        .and_then(Value::as_int)
        .unwrap_or_else(|| next_number(existing, woactivity::TASKID, 10));
    let wonum = parent.text(wo::WONUM).to_owned();
    row.set(woactivity::TASKID, Value::Int(taskid));
    row.set(woactivity::WONUM, Value::Str(format!("{wonum}-{taskid}")));
    row.set(woactivity::WORKORDERID, Value::Int(data.next_child_id()));
    row.set(woactivity::PARENT, Value::Str(wonum));
    row.set(woactivity::SITEID, parent.get(wo::SITEID).clone());
    row.set(woactivity::ORGID, Value::str(ORG));
    row.set(woactivity::STATUS, parent.get(wo::STATUS).clone());
    row.set(woactivity::STATUSDATE, Value::Date(now));
    row.set(woactivity::ISTASK, Value::Bool(true));
    row.set(woactivity::CHANGEDATE, Value::Date(now));
    row.rowstamp = data.next_rowstamp();
    row
}

fn create_work_order(
    data: &mut MaximoData,
    context: &WriteContext,
    body: &Body,
) -> Result<u64, MaximoError> {
    let site = site_of(data, body, wo::SITEID, "WORKORDER")?;
    let wonum = match body.text(wo::WONUM) {
        Some(wonum) => {
            check_key_text(wonum, "wonum", "WORKORDER")?;
            if data
                .work_orders
                .find(&[site.clone(), wonum.to_owned()])
                .is_some()
            {
                return Err(MaximoError::already_exists(
                    "WORKORDER",
                    &format!("Site={site}, Work Order={wonum}"),
                ));
            }
            wonum.to_owned()
        }
        None => autokey(data, OsKind::WorkOrders, &site),
    };
    let index = data.work_orders.allocate();
    let uid = data.work_orders.generator.unique_id(index);
    let now = context.now;
    let mut record = WORKORDER.blank();
    apply_writable(&mut record, body, &WO_WRITABLE);
    record.set(wo::WONUM, Value::Str(wonum.clone()));
    record.set(wo::WORKORDERID, Value::Int(uid));
    record.set(wo::SITEID, Value::Str(site.clone()));
    record.set(wo::ORGID, Value::str(ORG));
    record.set(wo::STATUS, Value::str("WAPPR"));
    record.set(wo::STATUSDATE, Value::Date(now));
    record.set(wo::WOCLASS, Value::str("WORKORDER"));
    record.set(wo::REPORTDATE, Value::Date(now));
    if record.get(wo::REPORTEDBY).is_null() {
        record.set(wo::REPORTEDBY, Value::Str(context.user.clone()));
    }
    record.set(wo::CHANGEDATE, Value::Date(now));
    record.set(wo::CHANGEBY, Value::Str(context.user.clone()));
    record.set(wo::ISTASK, Value::Bool(false));
    record.set(wo::HISTORYFLAG, Value::Bool(false));
    if record.get(wo::DOWNTIME).is_null() {
        record.set(wo::DOWNTIME, Value::Bool(false));
    }
    if record.get(wo::WOPRIORITY).is_null() {
        record.set(wo::WOPRIORITY, Value::Int(3));
    }
    for attr in [wo::ACTLABHRS, wo::ACTLABCOST, wo::ACTMATCOST] {
        record.set(attr, Value::Dec(Decimal::ZERO));
    }
    if let (Some(assetnum), true) = (
        record.get(wo::ASSETNUM).as_str().map(str::to_owned),
        record.get(wo::LOCATION).is_null(),
    ) && let Some(asset_index) = data.assets.find(&[assetnum, site.clone()])
        && let Some(asset_record) = data.assets.get(asset_index)
    {
        record.set(wo::LOCATION, asset_record.get(asset::LOCATION).clone());
    }
    check_work_order_fields(data, &record)?;
    if let Some(items) = body.child(WO_TASKS) {
        let parent = record.clone();
        apply_children(
            data,
            &WORKORDER,
            &mut record,
            WO_TASKS,
            items,
            false,
            &mut |data, item, rows| Ok(new_task(data, &parent, item, rows, now)),
        )?;
    }
    record.set(
        wo::HASCHILDREN,
        Value::Bool(!record.children[WO_TASKS].is_empty()),
    );
    let history_id = data.next_child_id();
    let mut first_status = status_row(history_id, &record, "WAPPR", now, &context.user, None);
    first_status.rowstamp = data.next_rowstamp();
    record.children[WO_STATUS_HISTORY].push(first_status);
    record.rowstamp = data.next_rowstamp();
    data.work_orders
        .insert_created(index, &[site, wonum], record);
    Ok(index)
}

fn status_row(
    id: i64,
    order: &Record,
    status: &str,
    at: i64,
    user: &str,
    memo: Option<&str>,
) -> Record {
    let mut row = WOSTATUS_MBO.blank();
    row.set(wostatus::WOSTATUSID, Value::Int(id));
    row.set(wostatus::WONUM, order.get(wo::WONUM).clone());
    row.set(wostatus::SITEID, order.get(wo::SITEID).clone());
    row.set(wostatus::ORGID, Value::str(ORG));
    row.set(wostatus::STATUS, Value::str(status));
    row.set(wostatus::CHANGEDATE, Value::Date(at));
    row.set(wostatus::CHANGEBY, Value::str(user));
    row.set(wostatus::MEMO, Value::opt_str(memo));
    row
}

fn update_work_order(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    body: &Body,
    merge: bool,
) -> Result<(), MaximoError> {
    let mut record = data
        .work_orders
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIWODETAIL", &index.to_string()))?;
    apply_writable(&mut record, body, &WO_WRITABLE);
    check_work_order_fields(data, &record)?;
    let now = context.now;
    if let Some(items) = body.child(WO_TASKS) {
        let parent = record.clone();
        apply_children(
            data,
            &WORKORDER,
            &mut record,
            WO_TASKS,
            items,
            merge,
            &mut |data, item, rows| Ok(new_task(data, &parent, item, rows, now)),
        )?;
        record.set(
            wo::HASCHILDREN,
            Value::Bool(!record.children[WO_TASKS].is_empty()),
        );
    }
    // A plain PATCH of `status` is a status change too, with the same rules.
    if let Some(status) = body.text(wo::STATUS).map(str::to_owned)
        && status != record.text(wo::STATUS)
    {
        apply_status(data, &mut record, &status, None, None, context)?;
    }
    record.set(wo::CHANGEDATE, Value::Date(now));
    record.set(wo::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.work_orders.put(index, record);
    Ok(())
}

fn status_refusal(record: &Record, from: &str, to: &str) -> MaximoError {
    let wonum = record.text(wo::WONUM);
    if to == "APPR" {
        return MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4679E",
            format!(
                "Work Order {wonum} must be of Waiting on Approval status, but it has a status of {from}."
            ),
        );
    }
    if to == "INPRG" {
        return MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4638E",
            format!("Work order {wonum} cannot be initiated because its status is {from}."),
        );
    }
    MaximoError::new(
        StatusCode::BAD_REQUEST,
        "BMXAA4590E",
        format!(
            "Could not change Work Order {wonum} status to {to}. The status {from} does not allow a change to {to}."
        ),
    )
}

/// Changes a work order's status in place (history row, tasks, dates); validates first.
fn apply_status(
    data: &mut MaximoData,
    record: &mut Record,
    status: &str,
    date: Option<i64>,
    memo: Option<&str>,
    context: &WriteContext,
) -> Result<(), MaximoError> {
    let wonum = record.text(wo::WONUM).to_owned();
    let from = record.text(wo::STATUS).to_owned();
    let to = status.trim().to_uppercase();
    let could_not = |detail: String| {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4590E",
            format!("Could not change Work Order {wonum} status to {to}.\n\t{detail}"),
        )
    };
    if !WOSTATUS.contains(&to) {
        return Err(could_not(format!(
            "BMXAA4190E - {} {to} is not in the value list.",
            WOSTATUS.name
        )));
    }
    if to == from {
        return Err(could_not(String::from(
            "BMXAA0032E - The status that you selected is the same as the current status. Select a different status.",
        )));
    }
    if !allowed_next(&from).contains(&to.as_str()) {
        return Err(status_refusal(record, &from, &to));
    }
    if let Some(memo) = memo
        && memo.chars().count() > 50
    {
        return Err(could_not(format!(
            "BMXAA4049E - The value specified {memo} exceeds the maximum field length of 50."
        )));
    }
    let at = date.unwrap_or(context.now);
    if at > context.now {
        return Err(could_not(String::from(
            "The status date cannot be in the future.",
        )));
    }
    if record
        .get(wo::STATUSDATE)
        .as_date()
        .is_some_and(|last| at < last)
    {
        return Err(could_not(String::from(
            "The status date cannot be earlier than the date of the last status change.",
        )));
    }
    record.set(wo::STATUS, Value::Str(to.clone()));
    record.set(wo::STATUSDATE, Value::Date(at));
    record.set(wo::HISTORYFLAG, Value::Bool(is_history(&to)));
    if to == "INPRG" && record.get(wo::ACTSTART).is_null() {
        record.set(wo::ACTSTART, Value::Date(at));
    }
    if to == "COMP" && record.get(wo::ACTFINISH).is_null() {
        record.set(wo::ACTFINISH, Value::Date(at));
    }
    // Tasks inherit the change where their own status allows it.
    let task_stamp = data.next_rowstamp();
    for task in &mut record.children[WO_TASKS] {
        let current = task.text(woactivity::STATUS).to_owned();
        if allowed_next(&current).contains(&to.as_str()) {
            task.set(woactivity::STATUS, Value::Str(to.clone()));
            task.set(woactivity::STATUSDATE, Value::Date(at));
            task.set(woactivity::CHANGEDATE, Value::Date(context.now));
            task.rowstamp = task_stamp;
        }
    }
    let id = data.next_child_id();
    let mut row = status_row(id, record, &to, at, &context.user, memo);
    row.rowstamp = data.next_rowstamp();
    record.children[WO_STATUS_HISTORY].push(row);
    Ok(())
}

/// The parameters of `wsmethod:changeStatus`: `{"status": …, "memo"?: …, "date"?: …}`.
struct StatusParams {
    status: String,
    memo: Option<String>,
    date: Option<i64>,
}

impl StatusParams {
    /// Reads the parameters; `object` names the MBO in a missing-status refusal.
    fn read(
        params: &Map<String, JsonValue>,
        context: &WriteContext,
        object: &str,
    ) -> Result<StatusParams, MaximoError> {
        // Method parameters are never spi-prefixed; a prefixed one is read all the same.
        let param = |name: &str| {
            params
                .iter()
                .find(|(key, _)| {
                    key.strip_prefix("spi:")
                        .unwrap_or(key)
                        .eq_ignore_ascii_case(name)
                })
                .map(|(_, value)| value)
        };
        let status = match param("status") {
            Some(JsonValue::String(status)) if !status.trim().is_empty() => {
                status.trim().to_uppercase()
            }
            _ => return Err(MaximoError::required("Status", object).on("status", object)),
        };
        let memo = match param("memo") {
            Some(JsonValue::String(memo)) => Some(memo.clone()),
            Some(JsonValue::Null) | None => None,
            Some(other) => return Err(invalid_value("memo", &other.to_string())),
        };
        let date = match param("date") {
            Some(JsonValue::String(text)) => {
                Some(parse_date(text, context.offset).ok_or_else(|| invalid_value("date", text))?)
            }
            Some(JsonValue::Null) | None => None,
            Some(other) => return Err(invalid_value("date", &other.to_string())),
        };
        Ok(StatusParams { status, memo, date })
    }
}

/// `wsmethod:changeStatus` on a work order.
pub(crate) fn change_status(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    params: &Map<String, JsonValue>,
) -> Result<(), MaximoError> {
    let mut record = data
        .work_orders
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIWODETAIL", &index.to_string()))?;
    let p = StatusParams::read(params, context, "WORKORDER")?;
    apply_status(
        data,
        &mut record,
        &p.status,
        p.date,
        p.memo.as_deref(),
        context,
    )?;
    record.set(wo::CHANGEDATE, Value::Date(context.now));
    record.set(wo::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.work_orders.put(index, record);
    Ok(())
}

/// The purchase-order statuses a status may move to (POSTATUS). Assumption where IBM's
/// documentation is not explicit: approval comes first (WAPPR → APPR), received orders close,
/// an order on hold goes back to where it can be approved, and nothing leaves CLOSE, CAN or
/// REVISE (history statuses).
fn po_allowed_next(from: &str) -> &'static [&'static str] {
    match from {
        "WAPPR" | "PNDREV" => &["APPR", "CAN", "HOLD"],
        "APPR" => &["INPRG", "CLOSE", "CAN", "HOLD"],
        "INPRG" => &["CLOSE", "HOLD"],
        "HOLD" => &["WAPPR", "APPR", "CAN"],
        _ => &[],
    }
}

/// Maximo's refusal of a status change of a record other than a work order.
fn could_not_change(object: &str, key: &str, to: &str, detail: &str) -> MaximoError {
    MaximoError::new(
        StatusCode::BAD_REQUEST,
        "BMXAA4590E",
        format!("Could not change {object} {key} status to {to}.\n\t{detail}"),
    )
}

/// `wsmethod:changeStatus` on a purchase order: POSTATUS moves; an order with receipts cannot
/// be cancelled.
pub(crate) fn change_po_status(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    params: &Map<String, JsonValue>,
) -> Result<(), MaximoError> {
    let mut record = data
        .purchase_orders
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIPO", &index.to_string()))?;
    let p = StatusParams::read(params, context, "PO")?;
    let ponum = record.text(po::PONUM).to_owned();
    let from = record.text(po::STATUS).to_owned();
    let to = p.status;
    if !super::schema::POSTATUS.contains(&to) {
        return Err(invalid_value("Status", &to).on("status", "PO"));
    }
    if to == from {
        return Err(could_not_change(
            "Purchase Order",
            &ponum,
            &to,
            "BMXAA0032E - The status that you selected is the same as the current status. Select a different status.",
        ));
    }
    if !po_allowed_next(&from).contains(&to.as_str()) {
        return Err(could_not_change(
            "Purchase Order",
            &ponum,
            &to,
            &format!("The status {from} does not allow a change to {to}."),
        ));
    }
    let received = record.text(po::RECEIPTS) != "NONE" && !record.text(po::RECEIPTS).is_empty()
        || record.children[PO_LINES].iter().any(|line| {
            line.get(poline::RECEIVEDQTY)
                .as_dec()
                .is_some_and(|q| q > Decimal::ZERO)
        });
    if to == "CAN" && received {
        return Err(could_not_change(
            "Purchase Order",
            &ponum,
            &to,
            "The purchase order cannot be canceled because items on it have been received.",
        ));
    }
    let at = p.date.unwrap_or(context.now).min(context.now);
    record.set(po::STATUS, Value::Str(to.clone()));
    record.set(po::STATUSDATE, Value::Date(at));
    record.set(
        po::HISTORYFLAG,
        Value::Bool(matches!(to.as_str(), "CLOSE" | "CAN")),
    );
    record.set(po::CHANGEDATE, Value::Date(context.now));
    record.set(po::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.purchase_orders.put(index, record);
    Ok(())
}

/// `wsmethod:changeStatus` on an asset: any LOCASSETSTATUS value; a decommissioned asset keeps
/// its status for good.
pub(crate) fn change_asset_status(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    params: &Map<String, JsonValue>,
) -> Result<(), MaximoError> {
    let mut record = data
        .assets
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIASSET", &index.to_string()))?;
    let p = StatusParams::read(params, context, "ASSET")?;
    let assetnum = record.text(asset::ASSETNUM).to_owned();
    let from = record.text(asset::STATUS).to_owned();
    let to = p.status;
    if !super::schema::LOCASSETSTATUS.contains(&to) {
        return Err(invalid_value("Status", &to).on("status", "ASSET"));
    }
    if from == "DECOMMISSIONED" {
        return Err(could_not_change(
            "Asset",
            &assetnum,
            &to,
            "The asset is decommissioned; its status cannot be changed.",
        ));
    }
    if to == from {
        return Err(could_not_change(
            "Asset",
            &assetnum,
            &to,
            "BMXAA0032E - The status that you selected is the same as the current status. Select a different status.",
        ));
    }
    let at = p.date.unwrap_or(context.now).min(context.now);
    record.set(asset::STATUS, Value::Str(to));
    record.set(asset::STATUSDATE, Value::Date(at));
    record.set(asset::CHANGEDATE, Value::Date(context.now));
    record.set(asset::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.assets.put(index, record);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Assets

const ASSET_WRITABLE: [usize; 16] = [
    asset::DESCRIPTION,
    asset::STATUS,
    asset::LOCATION,
    asset::ASSETTYPE,
    asset::SERIALNUM,
    asset::ASSETTAG,
    asset::MANUFACTURER,
    asset::VENDOR,
    asset::INSTALLDATE,
    asset::PRIORITY,
    asset::PARENT,
    asset::ISRUNNING,
    asset::PURCHASEPRICE,
    asset::REPLACECOST,
    asset::BUDGETCOST,
    asset::DISABLED,
];

fn check_asset_fields(data: &MaximoData, record: &Record) -> Result<(), MaximoError> {
    let site = record.text(asset::SITEID).to_owned();
    if let Some(location) = record.get(asset::LOCATION).as_str() {
        check_location(data, location, &site, "ASSET")?;
    }
    if let Some(status) = record.get(asset::STATUS).as_str()
        && !super::schema::LOCASSETSTATUS.contains(status)
    {
        return Err(invalid_value(super::schema::LOCASSETSTATUS.name, status).on("status", "ASSET"));
    }
    Ok(())
}

fn new_meter(
    data: &mut MaximoData,
    parent: &Record,
    item: &ChildItem,
) -> Result<Record, MaximoError> {
    let mut row = ASSETMETER.blank();
    for (attr, value) in &item.values {
        row.set(*attr, value.clone());
    }
    if row.get(assetmeter::METERNAME).is_null() {
        return Err(MaximoError::required("Meter", "ASSETMETER").on("metername", "ASSETMETER"));
    }
    if row.get(assetmeter::LINEARASSETID).is_null() {
        row.set(assetmeter::LINEARASSETID, Value::Int(0));
    }
    row.set(assetmeter::ASSETNUM, parent.get(asset::ASSETNUM).clone());
    row.set(assetmeter::SITEID, parent.get(asset::SITEID).clone());
    if row.get(assetmeter::ACTIVE).is_null() {
        row.set(assetmeter::ACTIVE, Value::Bool(true));
    }
    if row.get(assetmeter::READINGTYPE).is_null() {
        row.set(assetmeter::READINGTYPE, Value::str("ACTUAL"));
    }
    row.rowstamp = data.next_rowstamp();
    Ok(row)
}

fn create_asset(
    data: &mut MaximoData,
    context: &WriteContext,
    body: &Body,
) -> Result<u64, MaximoError> {
    let site = site_of(data, body, asset::SITEID, "ASSET")?;
    let assetnum = match body.text(asset::ASSETNUM) {
        Some(assetnum) => {
            check_key_text(assetnum, "assetnum", "ASSET")?;
            if data
                .assets
                .find(&[assetnum.to_owned(), site.clone()])
                .is_some()
            {
                return Err(MaximoError::already_exists(
                    "ASSET",
                    &format!("Site={site}, Asset={assetnum}"),
                ));
            }
            assetnum.to_owned()
        }
        None => autokey(data, OsKind::Assets, &site),
    };
    let index = data.assets.allocate();
    let mut record = ASSET.blank();
    apply_writable(&mut record, body, &ASSET_WRITABLE);
    record.set(asset::ASSETNUM, Value::Str(assetnum.clone()));
    record.set(
        asset::ASSETID,
        Value::Int(data.assets.generator.unique_id(index)),
    );
    record.set(asset::SITEID, Value::Str(site.clone()));
    record.set(asset::ORGID, Value::str(ORG));
    if record.get(asset::STATUS).is_null() {
        record.set(asset::STATUS, Value::str("NOT READY"));
    }
    record.set(asset::STATUSDATE, Value::Date(context.now));
    for (attr, default) in [
        (asset::ISRUNNING, Value::Bool(true)),
        (asset::DISABLED, Value::Bool(false)),
        (asset::PRIORITY, Value::Int(3)),
    ] {
        if record.get(attr).is_null() {
            record.set(attr, default);
        }
    }
    for attr in [asset::TOTALCOST, asset::YTDCOST] {
        record.set(attr, Value::Dec(Decimal::ZERO));
    }
    record.set(asset::CHANGEDATE, Value::Date(context.now));
    record.set(asset::CHANGEBY, Value::Str(context.user.clone()));
    check_asset_fields(data, &record)?;
    if let Some(items) = body.child(ASSET_METERS) {
        let parent = record.clone();
        apply_children(
            data,
            &ASSET,
            &mut record,
            ASSET_METERS,
            items,
            false,
            &mut |data, item, _| new_meter(data, &parent, item),
        )?;
    }
    record.rowstamp = data.next_rowstamp();
    data.assets.insert_created(index, &[assetnum, site], record);
    Ok(index)
}

fn update_asset(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    body: &Body,
    merge: bool,
) -> Result<(), MaximoError> {
    let mut record = data
        .assets
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIASSET", &index.to_string()))?;
    let old_status = record.get(asset::STATUS).clone();
    apply_writable(&mut record, body, &ASSET_WRITABLE);
    check_asset_fields(data, &record)?;
    if record.get(asset::STATUS) != &old_status {
        record.set(asset::STATUSDATE, Value::Date(context.now));
    }
    if let Some(items) = body.child(ASSET_METERS) {
        let parent = record.clone();
        apply_children(
            data,
            &ASSET,
            &mut record,
            ASSET_METERS,
            items,
            merge,
            &mut |data, item, _| new_meter(data, &parent, item),
        )?;
    }
    record.set(asset::CHANGEDATE, Value::Date(context.now));
    record.set(asset::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.assets.put(index, record);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Purchase orders

const PO_WRITABLE: [usize; 8] = [
    po::DESCRIPTION,
    po::ORDERDATE,
    po::PAYMENTTERMS,
    po::VENDOR,
    po::REQUIREDDATE,
    po::VENDELIVERYDATE,
    po::PURCHASEAGENT,
    po::CURRENCYCODE,
];

fn new_line(
    data: &mut MaximoData,
    parent: &Record,
    item: &ChildItem,
    existing: &[Record],
) -> Result<Record, MaximoError> {
    let mut row = POLINE.blank();
    for (attr, value) in &item.values {
        row.set(*attr, value.clone());
    }
    let site = parent.text(po::SITEID).to_owned();
    let item_facts = match row.get(poline::ITEMNUM).as_str() {
        Some(itemnum) => Some(
            data.items
                .index_of(itemnum)
                .map(|index| data.items.facts(index))
                .ok_or_else(|| invalid_value("Item", itemnum).on("itemnum", "POLINE"))?,
        ),
        None => None,
    };
    let number = row
        .get(poline::POLINENUM)
        .as_int()
        .unwrap_or_else(|| next_number(existing, poline::POLINENUM, 1));
    row.set(poline::POLINENUM, Value::Int(number));
    row.set(poline::POLINEID, Value::Int(data.next_child_id()));
    row.set(poline::PONUM, parent.get(po::PONUM).clone());
    row.set(poline::REVISIONNUM, parent.get(po::REVISIONNUM).clone());
    row.set(poline::SITEID, Value::Str(site.clone()));
    if row.get(poline::LINETYPE).is_null() {
        row.set(
            poline::LINETYPE,
            Value::str(if item_facts.is_some() {
                "ITEM"
            } else {
                "SERVICE"
            }),
        );
    }
    if let Some(linetype) = row.get(poline::LINETYPE).as_str()
        && !super::schema::POLINETYPE.contains(linetype)
    {
        return Err(invalid_value("Line Type", linetype).on("linetype", "POLINE"));
    }
    if let Some(facts) = &item_facts {
        if row.get(poline::DESCRIPTION).is_null() {
            row.set(poline::DESCRIPTION, Value::Str(facts.description.clone()));
        }
        if row.get(poline::ORDERUNIT).is_null() {
            row.set(poline::ORDERUNIT, Value::str(facts.unit));
        }
        if row.get(poline::UNITCOST).is_null() {
            row.set(
                poline::UNITCOST,
                Value::Dec(Decimal::new(facts.price_cents, 2)),
            );
        }
        if row.get(poline::STORELOC).is_null() {
            row.set(poline::STORELOC, Value::str(data.world.storerooms()[0]));
        }
    }
    let quantity = row.get(poline::ORDERQTY).as_dec();
    match quantity {
        Some(quantity) if quantity > Decimal::ZERO => {}
        Some(quantity) => {
            return Err(invalid_value("Quantity", &quantity.to_string()).on("orderqty", "POLINE"));
        }
        None => return Err(MaximoError::required("Quantity", "POLINE").on("orderqty", "POLINE")),
    }
    if row.get(poline::UNITCOST).is_null() {
        return Err(MaximoError::required("Unit Cost", "POLINE").on("unitcost", "POLINE"));
    }
    if let Some(storeroom) = row.get(poline::STORELOC).as_str()
        && !data.locations.is_storeroom(storeroom, &site)
    {
        return Err(MaximoError::invalid_location(storeroom).on("storeloc", "POLINE"));
    }
    row.set(poline::TOSITEID, Value::Str(site));
    if row.get(poline::RECEIVEDQTY).is_null() {
        row.set(poline::RECEIVEDQTY, Value::Dec(Decimal::ZERO));
    }
    row.rowstamp = data.next_rowstamp();
    Ok(row)
}

/// `linecost = orderqty × unitcost` on every line, `totalcost` their sum; amounts beyond
/// what a decimal column holds are refused.
fn recompute_po_totals(record: &mut Record) -> Result<(), MaximoError> {
    let mut total = Decimal::ZERO;
    for line in &mut record.children[PO_LINES] {
        if let (Some(quantity), Some(cost)) = (
            line.get(poline::ORDERQTY).as_dec(),
            line.get(poline::UNITCOST).as_dec(),
        ) {
            let too_large = || {
                invalid_value("Line Cost", &format!("{quantity} x {cost}")).on("linecost", "POLINE")
            };
            let line_cost = quantity
                .checked_mul(cost)
                .ok_or_else(too_large)?
                .round_dp(2);
            line.set(poline::LINECOST, Value::Dec(line_cost));
            total = total.checked_add(line_cost).ok_or_else(too_large)?;
        }
    }
    record.set(po::TOTALCOST, Value::Dec(total));
    Ok(())
}

fn check_vendor(data: &MaximoData, record: &Record) -> Result<(), MaximoError> {
    match record.get(po::VENDOR).as_str() {
        None => Err(MaximoError::required("Vendor", "PO").on("vendor", "PO")),
        Some(vendor)
            if data
                .vendors
                .find(&[vendor.to_owned(), ORG.to_owned()])
                .is_some() =>
        {
            Ok(())
        }
        Some(vendor) => Err(invalid_value("Vendor", vendor).on("vendor", "PO")),
    }
}

fn create_purchase_order(
    data: &mut MaximoData,
    context: &WriteContext,
    body: &Body,
) -> Result<u64, MaximoError> {
    let site = site_of(data, body, po::SITEID, "PO")?;
    let ponum = match body.text(po::PONUM) {
        Some(ponum) => {
            check_key_text(ponum, "ponum", "PO")?;
            if data
                .purchase_orders
                .find(&[ponum.to_owned(), String::from("0"), site.clone()])
                .is_some()
            {
                return Err(MaximoError::already_exists(
                    "PO",
                    &format!("Site={site}, PO={ponum}, Revision=0"),
                ));
            }
            ponum.to_owned()
        }
        None => autokey(data, OsKind::PurchaseOrders, &site),
    };
    let index = data.purchase_orders.allocate();
    let mut record = PO.blank();
    apply_writable(&mut record, body, &PO_WRITABLE);
    record.set(po::PONUM, Value::Str(ponum.clone()));
    record.set(po::REVISIONNUM, Value::Int(0));
    record.set(
        po::POID,
        Value::Int(data.purchase_orders.generator.unique_id(index)),
    );
    record.set(po::SITEID, Value::Str(site.clone()));
    record.set(po::ORGID, Value::str(ORG));
    record.set(po::STATUS, Value::str("WAPPR"));
    record.set(po::STATUSDATE, Value::Date(context.now));
    record.set(po::POTYPE, Value::str("STD"));
    record.set(po::ORDERDATE, Value::Date(context.now));
    if record.get(po::CURRENCYCODE).is_null() {
        record.set(po::CURRENCYCODE, Value::str(CURRENCY));
    }
    if record.get(po::PURCHASEAGENT).is_null() {
        record.set(po::PURCHASEAGENT, Value::Str(context.user.clone()));
    }
    record.set(po::RECEIPTS, Value::str("NONE"));
    record.set(po::HISTORYFLAG, Value::Bool(false));
    record.set(po::CHANGEDATE, Value::Date(context.now));
    record.set(po::CHANGEBY, Value::Str(context.user.clone()));
    check_vendor(data, &record)?;
    if let Some(items) = body.child(PO_LINES) {
        let parent = record.clone();
        apply_children(
            data,
            &PO,
            &mut record,
            PO_LINES,
            items,
            false,
            &mut |data, item, rows| new_line(data, &parent, item, rows),
        )?;
    }
    recompute_po_totals(&mut record)?;
    record.rowstamp = data.next_rowstamp();
    data.purchase_orders
        .insert_created(index, &[ponum, String::from("0"), site], record);
    Ok(index)
}

fn update_purchase_order(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    body: &Body,
    merge: bool,
) -> Result<(), MaximoError> {
    let mut record = data
        .purchase_orders
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIPO", &index.to_string()))?;
    // Maximo edits an order only while it waits on approval (or a revision is pending); an
    // approved one changes through a revision.
    let status = record.text(po::STATUS).to_owned();
    if !matches!(status.as_str(), "WAPPR" | "PNDREV") {
        return Err(MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4590E",
            format!(
                "Purchase Order {} cannot be modified because its status is {status}. Revise the purchase order to change it.",
                record.text(po::PONUM)
            ),
        ));
    }
    apply_writable(&mut record, body, &PO_WRITABLE);
    check_vendor(data, &record)?;
    if let Some(items) = body.child(PO_LINES) {
        let parent = record.clone();
        apply_children(
            data,
            &PO,
            &mut record,
            PO_LINES,
            items,
            merge,
            &mut |data, item, rows| new_line(data, &parent, item, rows),
        )?;
    }
    recompute_po_totals(&mut record)?;
    record.set(po::CHANGEDATE, Value::Date(context.now));
    record.set(po::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.purchase_orders.put(index, record);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Vendors

const VENDOR_WRITABLE: [usize; 13] = [
    companies::NAME,
    companies::TYPE,
    companies::CURRENCYCODE,
    companies::ADDRESS1,
    companies::CITY,
    companies::STATEPROVINCE,
    companies::ZIP,
    companies::COUNTRY,
    companies::PHONE,
    companies::FAX,
    companies::HOMEPAGE,
    companies::PAYMENTTERMS,
    companies::DISABLED,
];

fn check_vendor_fields(record: &Record) -> Result<(), MaximoError> {
    if let Some(kind) = record.get(companies::TYPE).as_str()
        && !super::schema::COMPTYPE.contains(kind)
    {
        return Err(invalid_value("Type", kind).on("type", "COMPANIES"));
    }
    Ok(())
}

fn create_vendor(
    data: &mut MaximoData,
    context: &WriteContext,
    body: &Body,
) -> Result<u64, MaximoError> {
    let company = body
        .text(companies::COMPANY)
        .ok_or_else(|| MaximoError::required("Company", "COMPANIES").on("company", "COMPANIES"))?
        .to_owned();
    check_key_text(&company, "company", "COMPANIES")?;
    let org = body.text(companies::ORGID).unwrap_or(ORG).to_owned();
    if org != ORG {
        return Err(invalid_value("Organization", &org).on("orgid", "COMPANIES"));
    }
    if data.vendors.find(&[company.clone(), org.clone()]).is_some() {
        return Err(MaximoError::already_exists(
            "COMPANIES",
            &format!("Organization={org}, Company={company}"),
        ));
    }
    let index = data.vendors.allocate();
    let mut record = COMPANIES.blank();
    apply_writable(&mut record, body, &VENDOR_WRITABLE);
    record.set(companies::COMPANY, Value::Str(company.clone()));
    record.set(
        companies::COMPANIESID,
        Value::Int(data.vendors.generator.unique_id(index)),
    );
    record.set(companies::ORGID, Value::Str(org.clone()));
    for (attr, default) in [
        (companies::TYPE, Value::str("V")),
        (companies::CURRENCYCODE, Value::str(CURRENCY)),
        (companies::DISABLED, Value::Bool(false)),
    ] {
        if record.get(attr).is_null() {
            record.set(attr, default);
        }
    }
    record.set(companies::CHANGEDATE, Value::Date(context.now));
    record.set(companies::CHANGEBY, Value::Str(context.user.clone()));
    check_vendor_fields(&record)?;
    record.rowstamp = data.next_rowstamp();
    data.vendors.insert_created(index, &[company, org], record);
    Ok(index)
}

fn update_vendor(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    body: &Body,
) -> Result<(), MaximoError> {
    let mut record = data
        .vendors
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIVENDOR", &index.to_string()))?;
    apply_writable(&mut record, body, &VENDOR_WRITABLE);
    check_vendor_fields(&record)?;
    record.set(companies::CHANGEDATE, Value::Date(context.now));
    record.set(companies::CHANGEBY, Value::Str(context.user.clone()));
    record.rowstamp = data.next_rowstamp();
    data.vendors.put(index, record);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inventory

const INVENTORY_WRITABLE: [usize; 6] = [
    inventory::MINLEVEL,
    inventory::MAXLEVEL,
    inventory::ORDERQTY,
    inventory::BINNUM,
    inventory::REORDER,
    inventory::ABCTYPE,
];

fn create_inventory(
    data: &mut MaximoData,
    context: &WriteContext,
    body: &Body,
) -> Result<u64, MaximoError> {
    let site = site_of(data, body, inventory::SITEID, "INVENTORY")?;
    let itemnum = body
        .text(inventory::ITEMNUM)
        .ok_or_else(|| MaximoError::required("Item", "INVENTORY").on("itemnum", "INVENTORY"))?
        .to_owned();
    let location = body
        .text(inventory::LOCATION)
        .ok_or_else(|| MaximoError::required("Storeroom", "INVENTORY").on("location", "INVENTORY"))?
        .to_owned();
    let Some(item_index) = data.items.index_of(&itemnum) else {
        return Err(invalid_value("Item", &itemnum).on("itemnum", "INVENTORY"));
    };
    if !data.locations.is_storeroom(&location, &site) {
        return Err(MaximoError::invalid_location(&location).on("location", "INVENTORY"));
    }
    let keys = [
        itemnum.clone(),
        ITEMSET.to_owned(),
        location.clone(),
        site.clone(),
    ];
    if data.inventory.find(&keys).is_some() {
        return Err(MaximoError::already_exists(
            "INVENTORY",
            &format!("Item={itemnum}, Storeroom={location}, Site={site}"),
        ));
    }
    let Some(index) = data.inventory.generator.index(&itemnum, &location, &site) else {
        return Err(invalid_value("Item", &itemnum).on("itemnum", "INVENTORY"));
    };
    let facts = data.items.facts(item_index);
    let mut record = data.inventory.generator.draw(index);
    let zero = Value::Dec(Decimal::new(0, 2));
    record.set(inventory::CURBAL, zero.clone());
    record.set(inventory::AVBLBALANCE, zero.clone());
    if let Some(bin) = record.children[INV_BALANCES].first_mut() {
        bin.set(invbalances::CURBAL, zero.clone());
        bin.set(invbalances::PHYSCNT, zero);
        bin.rowstamp = data.next_rowstamp();
    }
    record.set(
        inventory::STATUS,
        Value::str(if facts.active { "ACTIVE" } else { "PLANNING" }),
    );
    record.set(inventory::STATUSDATE, Value::Date(context.now));
    apply_writable(&mut record, body, &INVENTORY_WRITABLE);
    record.rowstamp = data.next_rowstamp();
    data.inventory.insert_created(index, &keys, record);
    Ok(index)
}

fn update_inventory(
    data: &mut MaximoData,
    context: &WriteContext,
    index: u64,
    body: &Body,
) -> Result<(), MaximoError> {
    let mut record = data
        .inventory
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIINVENTORY", &index.to_string()))?;
    apply_writable(&mut record, body, &INVENTORY_WRITABLE);
    if let Some(status) = body.text(inventory::STATUS) {
        if !super::schema::ITEMSTATUS.contains(status) {
            return Err(
                invalid_value(super::schema::ITEMSTATUS.name, status).on("status", "INVENTORY")
            );
        }
        if record.text(inventory::STATUS) != status {
            record.set(inventory::STATUS, Value::str(status));
            record.set(inventory::STATUSDATE, Value::Date(context.now));
        }
    }
    record.rowstamp = data.next_rowstamp();
    data.inventory.put(index, record);
    Ok(())
}

/// `wsmethod:adjustCurrentBalance` with `{"newcurbal": n}`: sets the balance (and the bin's).
pub(crate) fn adjust_current_balance(
    data: &mut MaximoData,
    index: u64,
    params: &Map<String, JsonValue>,
) -> Result<(), MaximoError> {
    let mut record = data
        .inventory
        .get(index)
        .ok_or_else(|| MaximoError::not_found("MXAPIINVENTORY", &index.to_string()))?;
    let value = params
        .iter()
        .find(|(key, _)| {
            key.strip_prefix("spi:")
                .unwrap_or(key)
                .eq_ignore_ascii_case("newcurbal")
        })
        .map(|(_, value)| value);
    let balance = match value {
        Some(JsonValue::Number(number)) => number.to_string().parse::<Decimal>().ok(),
        Some(JsonValue::String(text)) => text.trim().parse::<Decimal>().ok(),
        None | Some(JsonValue::Null) => {
            return Err(MaximoError::required("New Current Balance", "INVENTORY")
                .on("newcurbal", "INVENTORY"));
        }
        _ => None,
    };
    let Some(mut balance) = balance.filter(|b| *b >= Decimal::ZERO) else {
        return Err(invalid_value(
            "New Current Balance",
            &value.map(JsonValue::to_string).unwrap_or_default(),
        )
        .on("newcurbal", "INVENTORY"));
    };
    balance = balance.round_dp(2);
    balance.rescale(2);
    record.set(inventory::CURBAL, Value::Dec(balance));
    record.set(inventory::AVBLBALANCE, Value::Dec(balance));
    let stamp = data.next_rowstamp();
    if let Some(bin) = record.children[INV_BALANCES].first_mut() {
        bin.set(invbalances::CURBAL, Value::Dec(balance));
        bin.rowstamp = stamp;
    }
    record.rowstamp = stamp;
    data.inventory.put(index, record);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/// Creates a record of `kind` from a body object; returns its index.
pub(crate) fn create(
    data: &mut MaximoData,
    kind: OsKind,
    context: &WriteContext,
    object: &Map<String, JsonValue>,
) -> Result<u64, MaximoError> {
    let body = read_body(kind.def().mbo, object, context)?;
    match kind {
        OsKind::WorkOrders => create_work_order(data, context, &body),
        OsKind::Assets => create_asset(data, context, &body),
        OsKind::PurchaseOrders => create_purchase_order(data, context, &body),
        OsKind::Vendors => create_vendor(data, context, &body),
        OsKind::Inventory => create_inventory(data, context, &body),
    }
}

/// Updates the record at `index` from a body object; `merge` for `patchtype: MERGE`.
pub(crate) fn update(
    data: &mut MaximoData,
    kind: OsKind,
    context: &WriteContext,
    index: u64,
    object: &Map<String, JsonValue>,
    merge: bool,
) -> Result<(), MaximoError> {
    let body = read_body(kind.def().mbo, object, context)?;
    match kind {
        OsKind::WorkOrders => update_work_order(data, context, index, &body, merge),
        OsKind::Assets => update_asset(data, context, index, &body, merge),
        OsKind::PurchaseOrders => update_purchase_order(data, context, index, &body, merge),
        OsKind::Vendors => update_vendor(data, context, index, &body),
        OsKind::Inventory => update_inventory(data, context, index, &body),
    }
}

/// The index of the record whose keys a body carries (for `SYNC`), if it exists.
pub(crate) fn find_by_body_keys(
    data: &MaximoData,
    kind: OsKind,
    context: &WriteContext,
    object: &Map<String, JsonValue>,
) -> Result<Option<u64>, MaximoError> {
    let os = kind.def();
    let body = read_body(os.mbo, object, context)?;
    let default_site = data.world.site(0).to_owned();
    let mut keys = Vec::new();
    for attr in os.rest_key {
        let value = match body.get(*attr) {
            Some(value) => value.display(data.world.offset),
            None if os.mbo.attrs[*attr].name == "siteid" => default_site.clone(),
            None if os.mbo.attrs[*attr].name == "orgid" => ORG.to_owned(),
            None if os.mbo.attrs[*attr].name == "itemsetid" => ITEMSET.to_owned(),
            None if os.mbo.attrs[*attr].name == "revisionnum" => String::from("0"),
            None => return Ok(None),
        };
        keys.push(value);
    }
    Ok(data.find(kind, &keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = JsonValue> {
        let leaf = prop_oneof![
            Just(JsonValue::Null),
            any::<bool>().prop_map(JsonValue::Bool),
            any::<i64>().prop_map(JsonValue::from),
            any::<f64>().prop_map(
                |f| serde_json::Number::from_f64(f).map_or(JsonValue::Null, JsonValue::Number)
            ),
            "[A-Za-z0-9 %/*:.-]{0,12}".prop_map(JsonValue::String),
            Just(JsonValue::String(String::from("2026-01-01T00:00:00Z"))),
            Just(JsonValue::String(String::from("1e400"))),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(JsonValue::Array),
                prop::collection::btree_map(field(), inner, 0..4)
                    .prop_map(|map| JsonValue::Object(map.into_iter().collect())),
            ]
        })
    }

    /// Real attribute and child names (so bodies reach the validation code) and noise.
    fn field() -> impl Strategy<Value = String> {
        let names: Vec<String> = [
            "wonum",
            "siteid",
            "description",
            "status",
            "assetnum",
            "location",
            "worktype",
            "wopriority",
            "woactivity",
            "taskid",
            "_action",
            "estdur",
            "targstartdate",
            "assetmeter",
            "metername",
            "company",
            "name",
            "type",
            "vendor",
            "poline",
            "itemnum",
            "orderqty",
            "unitcost",
            "linetype",
            "storeloc",
            "newcurbal",
            "memo",
            "date",
            "minlevel",
            "spi:description",
            "_rowstamp",
            "polinenum",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        prop_oneof![prop::sample::select(names), "[a-z_:]{1,8}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever a client sends, every write path answers (success or a Maximo error) and
        /// never panics.
        #[test]
        fn arbitrary_bodies_never_panic(body in prop::collection::btree_map(field(), json_value(), 0..8), lean in any::<bool>()) {
            let profile = Profile::builtin("tiny").expect("tiny");
            let mut data = MaximoData::new(7, &profile);
            let object: Map<String, JsonValue> = body.into_iter().collect();
            let context = WriteContext {
                user: String::from("MXINTADM"),
                now: profile.clock_start.timestamp(),
                lean,
                offset: data.world.offset,
            };
            for kind in OsKind::ALL {
                let _ = create(&mut data, kind, &context, &object);
                let _ = update(&mut data, kind, &context, 0, &object, lean);
                let _ = find_by_body_keys(&data, kind, &context, &object);
            }
            let _ = change_status(&mut data, &context, 0, &object);
            let _ = adjust_current_balance(&mut data, 0, &object);
        }
    }
}
