//! Maximo ⇄ canonical for work orders: a `WORKORDER` of `mxapiwodetail` into a [`WorkOrder`],
//! the body that creates one, and the status table both ways.
//!
//! # Reading a work order
//! - `remote_id` = `siteid/wonum` (the rest id's key order); `number` = `wonum`;
//!   `remote_updated_at` = `changedate`; `remote_created_at` = `reportdate`; `remote_version` =
//!   `_rowstamp`; `raw` = the native object as received.
//! - `title` = `description` (empty when Maximo has none); `description` =
//!   `description_longdescription` when Maximo sends it; `work_type` = `worktype`; `priority` =
//!   `wopriority` as digits; `site` = `siteid`; `location` = `location`; `asset_remote_id` =
//!   `assetnum/siteid` (an asset's `remote_id`: assets belong to the work order's site).
//! - `planned_start`/`planned_end` = `schedstart`/`schedfinish` once the work is scheduled, else
//!   the target dates `targstartdate`/`targcompdate`; `actual_start`/`actual_end` =
//!   `actstart`/`actfinish`.
//! - `status` from the `WOSTATUS` value (see [`canonical_status`]); `native_status` = `status` as
//!   Maximo printed it. A status that is no `WOSTATUS` value (a synonym this mapping does not
//!   know) is read through `status_maxvalue` when Maximo sent it, else it is a protocol error.
//! - A record without `siteid`, `wonum`, `changedate` or `status`, or with a value of the wrong
//!   type, is a protocol error naming the field.
//!
//! # Creating a work order
//! `POST mxapiwodetail` with [`work_order_payload`]: `description` (the title),
//! `description_longdescription`, `siteid` (the body's `site`, else the asset's site, else the
//! `siteid` setting), `worktype`, `wopriority` (the priority must be a whole number),
//! `assetnum` (from `asset_remote_id`, `A6002/BEDFORD` or a bare `A6002`), `location`,
//! `targstartdate`/`targcompdate` (the planned dates, UTC, whole seconds). `wonum` comes from
//! Maximo's autokey unless `remote_fields` names one. Refused before sending: an asset of
//! another site than the work order's, a `status` (new work orders start `WAPPR`; status moves
//! through `changeStatus`) and attributes Maximo sets itself.

use super::WORK_ORDERS;
use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::maximo::mapping::{Defaults, parse, put, record_id, split_reference};
use crate::maximo::wire::{MxDateTime, datetime_text};
use crate::native::present;
use chrono::{DateTime, Utc};
use mw_model::{
    EntityData, FieldError, NewWorkOrder, RemoteRecord, Validate, WorkOrder, WorkOrderPatch,
    WorkOrderStatus,
};
use serde_json::{Map, Value};

/// The canonical status of a `WOSTATUS` value.
pub(crate) fn canonical_status(native: &str) -> Option<WorkOrderStatus> {
    Some(match native.trim().to_ascii_uppercase().as_str() {
        "WAPPR" => WorkOrderStatus::Requested,
        "APPR" => WorkOrderStatus::Approved,
        "WSCH" => WorkOrderStatus::Scheduled,
        "INPRG" => WorkOrderStatus::InProgress,
        "WMATL" | "WPCOND" => WorkOrderStatus::OnHold,
        "COMP" => WorkOrderStatus::Completed,
        // History edit is a closed work order opened for corrections.
        "CLOSE" | "HISTEDIT" => WorkOrderStatus::Closed,
        "CAN" => WorkOrderStatus::Cancelled,
        _ => return None,
    })
}

/// The `WOSTATUS` value a status change to `status` asks `changeStatus` for. On hold is
/// "waiting on material" (`WMATL`), the usual hold; `WPCOND` is read as on hold too.
pub(crate) fn native_status(status: WorkOrderStatus) -> &'static str {
    match status {
        WorkOrderStatus::Requested => "WAPPR",
        WorkOrderStatus::Approved => "APPR",
        WorkOrderStatus::Scheduled => "WSCH",
        WorkOrderStatus::InProgress => "INPRG",
        WorkOrderStatus::OnHold => "WMATL",
        WorkOrderStatus::Completed => "COMP",
        WorkOrderStatus::Closed => "CLOSE",
        WorkOrderStatus::Cancelled => "CAN",
    }
}

/// Reads one native work order into a record.
pub(crate) fn work_order_record(
    raw: Value,
    _read_at: DateTime<Utc>,
) -> Result<RemoteRecord, ConnectorError> {
    let id = record_id(&raw, "work order", WORK_ORDERS.keys)?;
    let wo: wire::WorkOrder = parse(&raw, "work order", WORK_ORDERS.keys)?;
    let changed = wo
        .changedate
        .ok_or_else(|| ConnectorError::protocol(format!("work order {id}: no `changedate`")))?;
    let native = present(&wo.status)
        .ok_or_else(|| ConnectorError::protocol(format!("work order {id}: no `status`")))?;
    let status = canonical_status(&native)
        .or_else(|| present(&wo.status_maxvalue).and_then(|v| canonical_status(&v)))
        .ok_or_else(|| {
            ConnectorError::protocol(format!(
                "work order {id}: status {native:?} is no WOSTATUS value (WAPPR, APPR, WSCH, \
                 INPRG, WMATL, WPCOND, COMP, CLOSE, CAN)"
            ))
        })?;
    let site = present(&wo.siteid);
    let data = WorkOrder {
        // Exactly as printed: the key part of `remote_id`.
        number: wo.wonum.clone().unwrap_or_default(),
        title: present(&wo.description).unwrap_or_default(),
        description: present(&wo.description_longdescription),
        status,
        native_status: Some(native),
        work_type: present(&wo.worktype),
        priority: wo.wopriority.map(|p| p.0.to_string()),
        asset_remote_id: present(&wo.assetnum).map(|asset| match &site {
            Some(site) => format!("{asset}/{site}"),
            None => asset,
        }),
        site,
        location: present(&wo.location),
        planned_start: wo.schedstart.or(wo.targstartdate).map(MxDateTime::utc),
        planned_end: wo.schedfinish.or(wo.targcompdate).map(MxDateTime::utc),
        actual_start: wo.actstart.map(MxDateTime::utc),
        actual_end: wo.actfinish.map(MxDateTime::utc),
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: wo.reportdate.map(MxDateTime::utc),
        remote_updated_at: changed.utc(),
        remote_version: wo.rowstamp.map(|r| r.0),
        data: EntityData::WorkOrder(data),
        raw: Some(raw),
    })
}

/// The body of `POST mxapiwodetail`, or every reason it cannot be built.
pub(crate) fn work_order_payload(
    order: &NewWorkOrder,
    defaults: &Defaults,
) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(order.validate());
    let mut body = Map::new();
    let site = present(&order.site);
    let (asset, asset_site) = match order.asset_remote_id.as_deref().map(str::trim) {
        None => (None, None),
        Some("") => {
            p.require(false, "$.asset_remote_id", "must not be blank");
            (None, None)
        }
        Some(reference) => {
            let (asset, asset_site) = split_reference(reference);
            (Some(asset), asset_site)
        }
    };
    if let (Some(site), Some(asset_site)) = (&site, &asset_site) {
        p.require(
            site.eq_ignore_ascii_case(asset_site),
            "$.asset_remote_id",
            format!("is an asset of site {asset_site}; the work order is for site {site}"),
        );
    }
    let mut canonical = vec![("description", "$.title")];
    if site.is_some() {
        canonical.push(("siteid", "$.site"));
    } else if asset_site.is_some() {
        canonical.push(("siteid", "$.asset_remote_id"));
    }
    put(
        &mut body,
        "description",
        present(&Some(order.title.clone())),
    );
    put(
        &mut body,
        "description_longdescription",
        present(&order.description),
    );
    put(
        &mut body,
        "siteid",
        site.or(asset_site).or_else(|| defaults.siteid.clone()),
    );
    put(&mut body, "worktype", present(&order.work_type));
    if let Some(priority) = &order.priority {
        match priority.trim().parse::<i64>() {
            Ok(n) => {
                body.insert("wopriority".into(), Value::from(n));
            }
            Err(_) => p.require(
                false,
                "$.priority",
                "must be a whole number: Maximo's wopriority is an integer",
            ),
        }
    }
    put(&mut body, "assetnum", asset);
    put(&mut body, "location", present(&order.location));
    put(
        &mut body,
        "targstartdate",
        order.planned_start.map(datetime_text),
    );
    put(
        &mut body,
        "targcompdate",
        order.planned_end.map(datetime_text),
    );
    for (set, attr, path) in [
        (
            order.description.is_some(),
            "description_longdescription",
            "$.description",
        ),
        (order.work_type.is_some(), "worktype", "$.work_type"),
        (order.priority.is_some(), "wopriority", "$.priority"),
        (
            order.asset_remote_id.is_some(),
            "assetnum",
            "$.asset_remote_id",
        ),
        (order.location.is_some(), "location", "$.location"),
        (
            order.planned_start.is_some(),
            "targstartdate",
            "$.planned_start",
        ),
        (order.planned_end.is_some(), "targcompdate", "$.planned_end"),
    ] {
        if set {
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        order.remote_fields.as_ref(),
        &canonical,
        &[
            (
                "status",
                "new work orders start WAPPR; move them with a status change",
            ),
            ("statusdate", "is set by Maximo with the status"),
            ("workorderid", "is numbered by Maximo"),
            (
                "historyflag",
                "is set by Maximo when the work order is closed",
            ),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

/// The attributes a field update of a work order merges (`PATCH`, `patchtype: MERGE`), or every
/// reason it cannot. Status moves through `changeStatus`, never through a merge.
pub(crate) fn work_order_changes(patch: &WorkOrderPatch) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    let mut body = Map::new();
    let mut canonical = Vec::new();
    for (value, attr, path) in [
        (&patch.title, "description", "$.title"),
        (
            &patch.description,
            "description_longdescription",
            "$.description",
        ),
    ] {
        if let Some(value) = value {
            body.insert(attr.to_owned(), Value::String(value.trim().to_owned()));
            canonical.push((attr, path));
        }
    }
    if let Some(priority) = &patch.priority {
        match priority.trim().parse::<i64>() {
            Ok(n) => {
                body.insert("wopriority".into(), Value::from(n));
                canonical.push(("wopriority", "$.priority"));
            }
            Err(_) => p.require(
                false,
                "$.priority",
                "must be a whole number: Maximo's wopriority is an integer",
            ),
        }
    }
    for (value, attr, path) in [
        (patch.planned_start, "targstartdate", "$.planned_start"),
        (patch.planned_end, "targcompdate", "$.planned_end"),
    ] {
        if let Some(at) = value {
            put(&mut body, attr, Some(datetime_text(at)));
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        patch.remote_fields.as_ref(),
        &canonical,
        &[
            ("wonum", "is the work order's key and does not change"),
            ("siteid", "is the work order's key and does not change"),
            ("status", "moves through a status change (POST …/status)"),
            ("statusdate", "is set by Maximo with the status"),
            ("workorderid", "is numbered by Maximo"),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::mapping::test_support::{members, now};
    use crate::test_support::{assert_keeps_raw, protocol_detail, reviewed_page, work_order_of};
    use mw_model::Entity;
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/maximo/work_orders.json");

    #[test]
    fn field_changes_merge_what_the_patch_names_and_never_the_status() {
        let patch: WorkOrderPatch = serde_json::from_value(json!({
            "title": " Inspect gearbox ", "priority": "1",
            "planned_start": "2026-03-03T14:00:00Z"
        }))
        .unwrap();
        let body = work_order_changes(&patch).unwrap();
        assert_eq!(body["description"], "Inspect gearbox");
        assert_eq!(body["wopriority"], 1);
        assert!(
            body["targstartdate"]
                .as_str()
                .unwrap()
                .starts_with("2026-03-03")
        );
        assert_eq!(body.as_object().unwrap().len(), 3);
        let refused: WorkOrderPatch = serde_json::from_value(json!({
            "priority": "high", "remote_fields": {"STATUS": "COMP", "wonum": "9"}
        }))
        .unwrap();
        let mut paths: Vec<String> = work_order_changes(&refused)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "$.priority",
                "$.remote_fields.STATUS",
                "$.remote_fields.wonum"
            ]
        );
    }

    #[test]
    fn realistic_work_orders_map_as_reviewed() {
        let records = reviewed_page(members(PAGE), |raw| work_order_record(raw, now()));
        insta::assert_json_snapshot!("work_orders", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(
            members(PAGE).remove(0),
            |raw| work_order_record(raw, now()),
            Entity::WorkOrders,
        );
    }

    #[test]
    fn statuses_map_both_ways() {
        for status in [
            WorkOrderStatus::Requested,
            WorkOrderStatus::Approved,
            WorkOrderStatus::Scheduled,
            WorkOrderStatus::InProgress,
            WorkOrderStatus::OnHold,
            WorkOrderStatus::Completed,
            WorkOrderStatus::Closed,
            WorkOrderStatus::Cancelled,
        ] {
            assert_eq!(canonical_status(native_status(status)), Some(status));
        }
        assert_eq!(canonical_status("wpcond"), Some(WorkOrderStatus::OnHold));
        assert_eq!(canonical_status("DONE"), None);
    }

    #[test]
    fn unknown_statuses_are_read_through_the_internal_value() {
        let mut raw = members(PAGE).remove(0);
        raw["status"] = json!("STARTED");
        raw["status_maxvalue"] = json!("INPRG");
        let record = work_order_record(raw.clone(), now()).unwrap();
        let wo = work_order_of(&record);
        assert_eq!(
            (wo.status, wo.native_status.as_deref()),
            (WorkOrderStatus::InProgress, Some("STARTED"))
        );
        raw.as_object_mut().unwrap().remove("status_maxvalue");
        let err = work_order_record(raw, now()).unwrap_err();
        assert!(err.to_string().contains("unexpected response"), "{err}");
    }

    #[test]
    fn broken_records_name_the_field() {
        let detail = |raw: Value| protocol_detail(work_order_record(raw, now()));
        let mut raw = members(PAGE).remove(0);
        raw["changedate"] = json!("2024-02-01 08:00");
        let d = detail(raw);
        assert!(
            d.contains("changedate") && d.contains("BEDFORD/1000"),
            "{d}"
        );
        let mut raw = members(PAGE).remove(0);
        raw["wopriority"] = json!("high");
        assert!(detail(raw).contains("wopriority"));
        let mut raw = members(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("wonum");
        assert!(detail(raw).contains("wonum"));
        let mut raw = members(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("changedate");
        assert!(detail(raw).contains("changedate"));
    }

    fn new_order() -> NewWorkOrder {
        NewWorkOrder {
            title: "Pump P-101 leaking at the seal".into(),
            description: Some("Seal drips about 1 l/h.".into()),
            work_type: Some("CM".into()),
            priority: Some("2".into()),
            asset_remote_id: Some("13143/BEDFORD".into()),
            site: None,
            location: Some("BPM3100".into()),
            planned_start: Some("2024-02-05T07:00:00Z".parse().unwrap()),
            planned_end: Some("2024-02-05T15:30:00.250Z".parse().unwrap()),
            remote_fields: None,
        }
    }

    #[test]
    fn new_work_orders_carry_what_maximo_reads() {
        let body = work_order_payload(&new_order(), &Defaults::default()).unwrap();
        assert_eq!(
            body,
            json!({
                "description": "Pump P-101 leaking at the seal",
                "description_longdescription": "Seal drips about 1 l/h.",
                "siteid": "BEDFORD", "worktype": "CM", "wopriority": 2, "assetnum": "13143",
                "location": "BPM3100",
                "targstartdate": "2024-02-05T07:00:00+00:00",
                "targcompdate": "2024-02-05T15:30:00+00:00"
            })
        );
        let defaults = Defaults {
            siteid: Some("NASHUA".into()),
            ..Defaults::default()
        };
        let minimal = NewWorkOrder {
            title: "Inspect".into(),
            description: None,
            work_type: None,
            priority: None,
            asset_remote_id: None,
            site: None,
            location: None,
            planned_start: None,
            planned_end: None,
            remote_fields: json!({"wonum": "WO-77", "siteid": "LAREDO"})
                .as_object()
                .cloned(),
        };
        assert_eq!(
            work_order_payload(&minimal, &defaults).unwrap(),
            json!({"description": "Inspect", "siteid": "LAREDO", "wonum": "WO-77"})
        );
    }

    #[test]
    fn what_maximo_would_refuse_is_refused_first() {
        let order = NewWorkOrder {
            title: " ".into(),
            site: Some("NASHUA".into()),
            priority: Some("urgent".into()),
            remote_fields: json!({"status": "APPR", "description": "x", "changedate": "now"})
                .as_object()
                .cloned(),
            ..new_order()
        };
        let paths: Vec<String> = work_order_payload(&order, &Defaults::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.title",
                "$.asset_remote_id",
                "$.priority",
                "$.remote_fields.changedate",
                "$.remote_fields.description",
                "$.remote_fields.status"
            ]
        );
    }

    // ---- properties ----

    fn any_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9][+-]0[0-9]:00"
                .prop_map(Value::String),
            "[A-Z]{4,6}".prop_map(Value::String),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ]
    }

    fn any_work_order() -> impl Strategy<Value = Value> {
        let names = [
            "wonum",
            "siteid",
            "description",
            "status",
            "status_maxvalue",
            "worktype",
            "wopriority",
            "assetnum",
            "location",
            "targstartdate",
            "schedstart",
            "actfinish",
            "reportdate",
            "changedate",
            "_rowstamp",
        ];
        proptest::collection::vec(proptest::option::of(any_value()), names.len()).prop_map(
            move |values| {
                Value::Object(
                    names
                        .iter()
                        .zip(values)
                        .filter_map(|(n, v)| v.map(|v| ((*n).to_owned(), v)))
                        .collect(),
                )
            },
        )
    }

    /// Work orders as Maximo prints them: every value one its dictionary allows.
    fn maximo_work_order() -> impl Strategy<Value = Value> {
        (
            "[A-Z]{3,8}",
            "[0-9A-Z-]{1,10}",
            0i64..4_102_444_800,
            prop_oneof![
                Just("WAPPR"),
                Just("APPR"),
                Just("WSCH"),
                Just("INPRG"),
                Just("WMATL"),
                Just("WPCOND"),
                Just("COMP"),
                Just("CLOSE"),
                Just("CAN")
            ],
            proptest::option::of(0i64..10),
            proptest::option::of("[A-Z0-9]{1,8}"),
            -12i32..=14,
        )
            .prop_map(|(site, wonum, changed, status, priority, asset, offset)| {
                let zone = chrono::FixedOffset::east_opt(offset * 3600).unwrap();
                let changed = DateTime::from_timestamp(changed, 0)
                    .unwrap()
                    .with_timezone(&zone);
                let mut raw = json!({
                    "siteid": site, "wonum": wonum, "status": status,
                    "changedate": changed.to_rfc3339(), "_rowstamp": "756466",
                    "description": "Work"
                });
                if let Some(p) = priority {
                    raw["wopriority"] = json!(p);
                }
                if let Some(a) = asset {
                    raw["assetnum"] = json!(a);
                }
                raw
            })
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_work_order()) {
            if let Ok(record) = work_order_record(raw, now()) {
                let wo = work_order_of(&record);
                let suffix = format!("/{}", wo.number);
                prop_assert!(record.remote_id.ends_with(&suffix));
            }
        }

        #[test]
        fn work_orders_as_maximo_prints_them_always_map(raw in maximo_work_order()) {
            let record = match work_order_record(raw.clone(), now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let wo = work_order_of(&record);
            prop_assert_eq!(&record.remote_id, &format!("{}/{}", raw["siteid"].as_str().unwrap(), raw["wonum"].as_str().unwrap()));
            prop_assert_eq!(native_status(wo.status) == raw["status"], raw["status"] != "WPCOND");
            prop_assert_eq!(record.remote_updated_at.timestamp(),
                DateTime::parse_from_rfc3339(raw["changedate"].as_str().unwrap()).unwrap().timestamp());
            if let Some(asset) = &wo.asset_remote_id {
                prop_assert_eq!(asset, &format!("{}/{}", raw["assetnum"].as_str().unwrap(), raw["siteid"].as_str().unwrap()));
            }
        }

        #[test]
        fn create_payload_round_trips(
            title in "[A-Za-z][ -~]{0,60}[A-Za-z]",
            site in "[A-Z]{3,8}",
            priority in proptest::option::of(0i64..10),
            asset in proptest::option::of("[A-Z0-9]{1,8}"),
            start in proptest::option::of(0i64..4_102_444_800),
        ) {
            let order = NewWorkOrder {
                title: title.clone(),
                description: None,
                work_type: Some("PM".into()),
                priority: priority.map(|p| p.to_string()),
                asset_remote_id: asset.clone().map(|a| format!("{a}/{site}")),
                site: Some(site.clone()),
                location: None,
                planned_start: start.map(|s| DateTime::from_timestamp(s, 0).unwrap()),
                planned_end: None,
                remote_fields: None,
            };
            let mut echoed = match work_order_payload(&order, &Defaults::default()) {
                Ok(body) => body,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            // What Maximo then prints maps back to the same canonical fields.
            echoed["wonum"] = json!("1001");
            echoed["status"] = json!("WAPPR");
            echoed["changedate"] = json!("2024-02-01T03:00:02-05:00");
            let record = match work_order_record(echoed, now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let wo = work_order_of(&record);
            prop_assert_eq!(&wo.title, title.trim());
            prop_assert_eq!(wo.site.as_deref(), Some(site.as_str()));
            prop_assert_eq!(&wo.priority, &order.priority);
            prop_assert_eq!(&wo.asset_remote_id, &order.asset_remote_id);
            prop_assert_eq!(wo.planned_start, order.planned_start);
            prop_assert_eq!(wo.status, WorkOrderStatus::Requested);
        }
    }
}
