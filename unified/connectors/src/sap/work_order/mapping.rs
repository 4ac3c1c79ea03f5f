//! SAP ⇄ canonical for work orders: `MaintenanceOrder` (with `to_MaintenanceOrderOperation`) into
//! a [`WorkOrder`], and the bodies that create and change one.
//!
//! # Reading a maintenance order
//! - `remote_id` and `number` are `MaintenanceOrder` as SAP prints it (`4000123`);
//!   `remote_updated_at` is `LastChangeDateTime` (whole seconds); `remote_created_at` is
//!   `MaintOrderCreationDateTime`; `remote_version` is `__metadata.etag` when SAP sends one (the
//!   service declares no ETag, so normally none); `raw` is the native object as received.
//! - `title` = `MaintenanceOrderDesc` (empty when SAP has none); `description` stays empty: the
//!   long text lives in another entity set this connector does not read.
//! - `status` from `SystemStatusText` by the rules in [`super::status`]; `native_status` is the
//!   text itself.
//! - `work_type` = `MaintenanceOrderType`, `priority` = `MaintPriority`, `asset_remote_id` =
//!   `Equipment`, `site` = `MaintenancePlanningPlant` (else `MaintenancePlant`), `location` =
//!   `FunctionalLocation`, `planned_start`/`planned_end` = `MaintOrdBasicStartDateTime` /
//!   `MaintOrdBasicEndDateTime`.
//! - `actual_start` = the earliest `OpActualExecutionStartDateTime` of the operations not marked
//!   for deletion; `actual_end` = the latest `OpActualExecutionEndDateTime`, only once every such
//!   operation has one (work is not over while an operation is still open). Both are empty when
//!   the operations were not expanded.
//! - Blank strings (SAP's "not set") become `None`. A record without its key or change stamp, or
//!   with a value the metadata does not allow (a date that is not `/Date(…)/`, a number where a
//!   string belongs), is a protocol error naming the field.
//!
//! # Writing
//! `POST MaintenanceOrder` ([`work_order_payload`]) and `PATCH MaintenanceOrder('…')`
//! ([`work_order_changes`]). Before anything is sent the body is checked for what SAP would
//! refuse: lengths from the metadata, dates SAP can hold (whole seconds, years 1–9999), properties
//! SAP does not let a client set (`SystemStatusText`, the key, change stamps; the order type and
//! planning plant after creation), `remote_fields` that contradict the canonical fields, and a
//! `description`, which would need the long-text entity set.

use super::status::SystemStatus;
use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::sap::mapping::{body_with, parse, printed};
use crate::sap::version;
use crate::sap::wire::{Navigation, ODataDate};
use chrono::{DateTime, Datelike, Timelike, Utc};
use mw_model::{
    EntityData, FieldError, NewWorkOrder, RemoteRecord, Validate, WorkOrder, WorkOrderPatch,
};
use serde_json::{Map, Value};

/// Defaults for a new maintenance order's fields the canonical body does not carry, from the
/// connection's settings. `remote_fields` override them, `work_type` and `site` too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WorkOrderDefaults {
    /// `MaintenanceOrderType`: setting `maintenance_order_type`, default `PM01` (corrective).
    pub(crate) maintenance_order_type: String,
    /// `MaintenancePlanningPlant`: setting `maintenance_planning_plant`.
    pub(crate) maintenance_planning_plant: Option<String>,
    /// `MainWorkCenter`: setting `main_work_center`.
    pub(crate) main_work_center: Option<String>,
    /// `MainWorkCenterPlant`: setting `main_work_center_plant`.
    pub(crate) main_work_center_plant: Option<String>,
}

impl Default for WorkOrderDefaults {
    fn default() -> Self {
        WorkOrderDefaults {
            maintenance_order_type: "PM01".into(),
            maintenance_planning_plant: None,
            main_work_center: None,
            main_work_center_plant: None,
        }
    }
}

/// Reads one native `MaintenanceOrder` into a record.
pub(crate) fn work_order_record(raw: Value) -> Result<RemoteRecord, ConnectorError> {
    let order: wire::MaintenanceOrder = parse(&raw, "maintenance order", "MaintenanceOrder")?;
    let number = printed(&order.maintenance_order).ok_or_else(|| {
        ConnectorError::protocol("maintenance order without `MaintenanceOrder`".into())
    })?;
    let updated_at = order.last_change_date_time.ok_or_else(|| {
        ConnectorError::protocol(format!(
            "maintenance order {number}: no `LastChangeDateTime`"
        ))
    })?;
    let data = work_order(&number, &order);
    Ok(RemoteRecord {
        remote_id: number,
        remote_created_at: order.maint_order_creation_date_time.map(|d| d.0),
        remote_updated_at: updated_at.0,
        remote_version: version::etag_of(&raw),
        data: EntityData::WorkOrder(data),
        raw: Some(raw),
    })
}

fn work_order(number: &str, order: &wire::MaintenanceOrder) -> WorkOrder {
    let status = SystemStatus::parse(order.system_status_text.as_deref().unwrap_or(""));
    let operations: Vec<&wire::MaintenanceOrderOperation> = order
        .operations
        .as_ref()
        .and_then(Navigation::expanded)
        .unwrap_or_default()
        .iter()
        .filter(|op| op.is_marked_for_deletion != Some(true))
        .collect();
    let actual_start = operations
        .iter()
        .filter_map(|op| op.op_actual_execution_start_date_time)
        .min()
        .map(|d| d.0);
    let ends: Option<Vec<ODataDate>> = operations
        .iter()
        .map(|op| op.op_actual_execution_end_date_time)
        .collect();
    let actual_end = ends.and_then(|ends| ends.into_iter().max()).map(|d| d.0);
    WorkOrder {
        number: number.to_owned(),
        title: printed(&order.maintenance_order_desc).unwrap_or_default(),
        description: None,
        status: status.canonical(),
        native_status: printed(&order.system_status_text),
        work_type: printed(&order.maintenance_order_type),
        priority: printed(&order.maint_priority),
        asset_remote_id: printed(&order.equipment),
        site: printed(&order.maintenance_planning_plant)
            .or_else(|| printed(&order.maintenance_plant)),
        location: printed(&order.functional_location),
        planned_start: order.maint_ord_basic_start_date_time.map(|d| d.0),
        planned_end: order.maint_ord_basic_end_date_time.map(|d| d.0),
        actual_start,
        actual_end,
    }
}

/// Lengths of `MaintenanceOrderType`'s string properties (`$metadata` `MaxLength`).
mod limits {
    pub(super) const ORDER_TYPE: usize = 4;
    pub(super) const DESCRIPTION: usize = 40;
    pub(super) const PLANT: usize = 4;
    pub(super) const EQUIPMENT: usize = 18;
    pub(super) const FUNCTIONAL_LOCATION: usize = 30;
    pub(super) const WORK_CENTER: usize = 8;
    pub(super) const PRIORITY: usize = 1;
}

/// Properties a client never sets: SAP assigns or derives them (`sap:creatable="false"
/// sap:updatable="false"`), or, for the status, moves them only through function imports.
const READ_ONLY: [&str; 18] = [
    "MaintenanceOrder",
    "SystemStatusText",
    "UserStatusText",
    "LastChangeDateTime",
    "MaintOrderCreationDateTime",
    "LastChangeByUser",
    "CreatedByUser",
    "CompanyCode",
    "ControllingArea",
    "Currency",
    "EquipmentName",
    "MaintOrdProcessPhaseCode",
    "MaintOrdProcessSubPhaseCode",
    "MaintOrdBasicStartDate",
    "MaintOrdBasicStartTime",
    "MaintOrdBasicEndDate",
    "MaintOrdBasicEndTime",
    "MaintenanceOrderInternalID",
];

/// Creatable but not updatable (`sap:updatable="false"`).
const FIXED_AFTER_CREATE: [&str; 2] = ["MaintenanceOrderType", "MaintenancePlanningPlant"];

/// Defaulted properties `remote_fields` may override, and their lengths.
const OVERRIDABLE: [(&str, usize); 4] = [
    ("MaintenanceOrderType", limits::ORDER_TYPE),
    ("MaintenancePlanningPlant", limits::PLANT),
    ("MainWorkCenter", limits::WORK_CENTER),
    ("MainWorkCenterPlant", limits::PLANT),
];

/// SAP keeps these dates as `YYYYMMDDhhmmss` timestamps: whole seconds, years 1 to 9999.
fn sap_instant(p: &mut Problems, value: Option<DateTime<Utc>>, path: &str) {
    if let Some(at) = value {
        p.require(
            at.nanosecond() == 0,
            path,
            "SAP keeps maintenance order dates to the second; give a whole second",
        );
        p.require(
            (1..=9999).contains(&at.year()),
            path,
            "SAP holds dates from year 1 to 9999",
        );
    }
}

/// Checks the `remote_fields` of a body whose canonical fields set `canonical` (property and
/// path), for an order whose `fixed` properties can no longer change.
fn remote_fields(
    p: &mut Problems,
    remote: Option<&Map<String, Value>>,
    canonical: &[(&str, &str)],
    fixed: &[&str],
) {
    for (key, value) in remote.into_iter().flatten() {
        let path = format!("$.remote_fields.{key}");
        if let Some((_, from)) = canonical.iter().find(|(name, _)| name == key) {
            p.0.push(FieldError::new(
                path,
                format!("is set from `{from}`; give it there only"),
            ));
        } else if key == "SystemStatusText" {
            p.0.push(FieldError::new(
                path,
                "SAP moves a maintenance order's status only through status changes",
            ));
        } else if READ_ONLY.contains(&key.as_str()) {
            p.0.push(FieldError::new(
                path,
                "is read-only in SAP (set by SAP itself)",
            ));
        } else if fixed.contains(&key.as_str()) {
            p.0.push(FieldError::new(
                path,
                "cannot be changed once the maintenance order exists",
            ));
        } else if let Some((_, max)) = OVERRIDABLE.iter().find(|(name, _)| name == key) {
            p.require(
                value.as_str().is_some_and(|s| s.chars().count() <= *max),
                path,
                format!("must be an SAP code of at most {max} characters"),
            );
        }
    }
}

const NO_LONG_TEXT: &str = "SAP keeps a maintenance order's long text apart from the order; \
     this connector writes only the short text (`title`, at most 40 characters)";

/// Everything wrong with `order` as an SAP maintenance order, canonical validation included.
pub(crate) fn check_new_work_order(order: &NewWorkOrder) -> Vec<FieldError> {
    let mut p = Problems(order.validate());
    p.require(order.description.is_none(), "$.description", NO_LONG_TEXT);
    p.max_len(
        Some(&order.title),
        limits::DESCRIPTION,
        "$.title",
        "a maintenance order's description",
    );
    p.max_len(
        order.work_type.as_deref(),
        limits::ORDER_TYPE,
        "$.work_type",
        "an order type",
    );
    p.max_len(
        order.priority.as_deref(),
        limits::PRIORITY,
        "$.priority",
        "a maintenance priority",
    );
    p.max_len(
        order.asset_remote_id.as_deref(),
        limits::EQUIPMENT,
        "$.asset_remote_id",
        "an equipment number",
    );
    p.max_len(order.site.as_deref(), limits::PLANT, "$.site", "a plant");
    p.max_len(
        order.location.as_deref(),
        limits::FUNCTIONAL_LOCATION,
        "$.location",
        "a functional location",
    );
    sap_instant(&mut p, order.planned_start, "$.planned_start");
    sap_instant(&mut p, order.planned_end, "$.planned_end");
    let mut canonical = vec![("MaintenanceOrderDesc", "$.title")];
    for (set, name, from) in [
        (
            order.work_type.is_some(),
            "MaintenanceOrderType",
            "$.work_type",
        ),
        (order.priority.is_some(), "MaintPriority", "$.priority"),
        (
            order.asset_remote_id.is_some(),
            "Equipment",
            "$.asset_remote_id",
        ),
        (order.site.is_some(), "MaintenancePlanningPlant", "$.site"),
        (order.location.is_some(), "FunctionalLocation", "$.location"),
        (
            order.planned_start.is_some(),
            "MaintOrdBasicStartDateTime",
            "$.planned_start",
        ),
        (
            order.planned_end.is_some(),
            "MaintOrdBasicEndDateTime",
            "$.planned_end",
        ),
    ] {
        if set {
            canonical.push((name, from));
        }
    }
    remote_fields(&mut p, order.remote_fields.as_ref(), &canonical, &[]);
    p.0
}

/// The body of `POST MaintenanceOrder`, or every reason it cannot be built. The order type is
/// `work_type`, else the setting (default `PM01`); the planning plant is `site`, else the
/// setting; the main work center and its plant come from the settings. `remote_fields` are
/// merged last and override the settings.
pub(crate) fn work_order_payload(
    order: &NewWorkOrder,
    defaults: &WorkOrderDefaults,
) -> Result<Value, Vec<FieldError>> {
    let errors = check_new_work_order(order);
    if !errors.is_empty() {
        return Err(errors);
    }
    let native = wire::MaintenanceOrder {
        maintenance_order_type: Some(
            printed(&order.work_type).unwrap_or_else(|| defaults.maintenance_order_type.clone()),
        ),
        maintenance_order_desc: Some(order.title.clone()),
        maintenance_planning_plant: printed(&order.site)
            .or_else(|| defaults.maintenance_planning_plant.clone()),
        equipment: printed(&order.asset_remote_id),
        functional_location: printed(&order.location),
        main_work_center: defaults.main_work_center.clone(),
        main_work_center_plant: defaults.main_work_center_plant.clone(),
        maint_priority: printed(&order.priority),
        maint_ord_basic_start_date_time: order.planned_start.map(ODataDate),
        maint_ord_basic_end_date_time: order.planned_end.map(ODataDate),
        ..wire::MaintenanceOrder::default()
    };
    body_with(
        &native,
        order.remote_fields.as_ref(),
        "an SAP maintenance order",
    )
}

/// The body of `PATCH MaintenanceOrder('…')`, or every reason it cannot be built. Only the fields
/// the patch names are sent; an empty `priority` clears it.
pub(crate) fn work_order_changes(patch: &WorkOrderPatch) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    p.require(patch.description.is_none(), "$.description", NO_LONG_TEXT);
    p.max_len(
        patch.title.as_deref(),
        limits::DESCRIPTION,
        "$.title",
        "a maintenance order's description",
    );
    p.max_len(
        patch.priority.as_deref(),
        limits::PRIORITY,
        "$.priority",
        "a maintenance priority",
    );
    sap_instant(&mut p, patch.planned_start, "$.planned_start");
    sap_instant(&mut p, patch.planned_end, "$.planned_end");
    let mut canonical = Vec::new();
    for (set, name, from) in [
        (patch.title.is_some(), "MaintenanceOrderDesc", "$.title"),
        (patch.priority.is_some(), "MaintPriority", "$.priority"),
        (
            patch.planned_start.is_some(),
            "MaintOrdBasicStartDateTime",
            "$.planned_start",
        ),
        (
            patch.planned_end.is_some(),
            "MaintOrdBasicEndDateTime",
            "$.planned_end",
        ),
    ] {
        if set {
            canonical.push((name, from));
        }
    }
    remote_fields(
        &mut p,
        patch.remote_fields.as_ref(),
        &canonical,
        &FIXED_AFTER_CREATE,
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    let native = wire::MaintenanceOrder {
        maintenance_order_desc: patch.title.clone(),
        maint_priority: patch.priority.as_deref().map(str::trim).map(str::to_owned),
        maint_ord_basic_start_date_time: patch.planned_start.map(ODataDate),
        maint_ord_basic_end_date_time: patch.planned_end.map(ODataDate),
        ..wire::MaintenanceOrder::default()
    };
    body_with(
        &native,
        patch.remote_fields.as_ref(),
        "an SAP maintenance order",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::mapping::test_support::{any_flag, results};
    use crate::test_support::{
        assert_keeps_raw, at, object, protocol_detail, reviewed_page, work_order_of,
    };
    use mw_model::Entity;
    use mw_model::WorkOrderStatus;
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str =
        include_str!("../../../../../fixtures/protocol/sap/maintenance_orders_page.json");

    #[test]
    fn realistic_maintenance_orders_map_as_reviewed() {
        let records = reviewed_page(results(PAGE), work_order_record);
        insta::assert_json_snapshot!("work_orders", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(
            results(PAGE).remove(0),
            work_order_record,
            Entity::WorkOrders,
        );
    }

    #[test]
    fn actual_end_waits_for_every_open_operation() {
        let mut raw = results(PAGE).remove(0);
        raw["to_MaintenanceOrderOperation"] = json!({"results": [
            {"OpActualExecutionStartDateTime": "/Date(1706774400000+0000)/",
             "OpActualExecutionEndDateTime": "/Date(1706788800000+0000)/", "IsMarkedForDeletion": false},
            {"OpActualExecutionStartDateTime": "/Date(1706770800000+0000)/",
             "OpActualExecutionEndDateTime": null, "IsMarkedForDeletion": false},
            // A deleted operation counts for neither date.
            {"OpActualExecutionStartDateTime": "/Date(1706000000000+0000)/",
             "OpActualExecutionEndDateTime": null, "IsMarkedForDeletion": true}
        ]});
        let record = work_order_record(raw.clone()).unwrap();
        let wo = work_order_of(&record);
        assert_eq!(wo.actual_start, Some(at("2024-02-01T07:00:00Z")));
        assert_eq!(wo.actual_end, None);

        raw["to_MaintenanceOrderOperation"]["results"][1]["OpActualExecutionEndDateTime"] =
            json!("/Date(1706799600000+0000)/");
        let record = work_order_record(raw.clone()).unwrap();
        assert_eq!(
            work_order_of(&record).actual_end,
            Some(at("2024-02-01T15:00:00Z"))
        );

        raw["to_MaintenanceOrderOperation"] = json!({"__deferred": {"uri": "x"}});
        let record = work_order_record(raw).unwrap();
        let wo = work_order_of(&record);
        assert_eq!((wo.actual_start, wo.actual_end), (None, None));
    }

    #[test]
    fn broken_records_name_the_field() {
        let detail = |raw: Value| protocol_detail(work_order_record(raw));
        let mut raw = results(PAGE).remove(0);
        raw["MaintOrdBasicStartDateTime"] = json!("2024-02-01T08:00:00Z");
        let d = detail(raw);
        assert!(d.contains("MaintOrdBasicStartDateTime"), "{d}");
        assert!(d.contains("4000123"), "{d}");

        let mut raw = results(PAGE).remove(0);
        raw["MaintPriority"] = json!(2);
        assert!(detail(raw).contains("MaintPriority"));

        let mut raw = results(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("LastChangeDateTime");
        assert!(detail(raw).contains("LastChangeDateTime"));

        let mut raw = results(PAGE).remove(0);
        raw["MaintenanceOrder"] = json!("");
        assert!(detail(raw).contains("without `MaintenanceOrder`"));

        assert!(detail(json!("not an order")).contains("maintenance order ?"));
    }

    fn new_order() -> NewWorkOrder {
        NewWorkOrder {
            title: "Replace pump seal".into(),
            description: None,
            work_type: None,
            priority: Some("2".into()),
            asset_remote_id: Some("10000042".into()),
            site: Some("1710".into()),
            location: Some("1710-SPA-SAC-PLAR1".into()),
            planned_start: Some(at("2024-05-03T08:00:00Z")),
            planned_end: Some(at("2024-05-03T16:00:00Z")),
            remote_fields: None,
        }
    }

    #[test]
    fn create_payload_uses_the_defaults() {
        let defaults = WorkOrderDefaults {
            maintenance_planning_plant: Some("1010".into()),
            main_work_center: Some("RES-0100".into()),
            main_work_center_plant: Some("1710".into()),
            ..WorkOrderDefaults::default()
        };
        let mut order = new_order();
        order.remote_fields = Some(
            json!({"MaintenanceActivityType": "001", "MainWorkCenter": "MECH"})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(
            work_order_payload(&order, &defaults).unwrap(),
            json!({
                "MaintenanceOrderType": "PM01", "MaintenanceOrderDesc": "Replace pump seal",
                "MaintenancePlanningPlant": "1710", "Equipment": "10000042",
                "FunctionalLocation": "1710-SPA-SAC-PLAR1", "MainWorkCenter": "MECH",
                "MainWorkCenterPlant": "1710", "MaintPriority": "2",
                "MaintOrdBasicStartDateTime": "/Date(1714723200000+0000)/",
                "MaintOrdBasicEndDateTime": "/Date(1714752000000+0000)/",
                "MaintenanceActivityType": "001"
            })
        );
        // The work type wins over the setting; without a site the setting's plant is used.
        let order = NewWorkOrder {
            work_type: Some("PM02".into()),
            site: None,
            asset_remote_id: None,
            location: None,
            priority: None,
            planned_start: None,
            planned_end: None,
            ..new_order()
        };
        assert_eq!(
            work_order_payload(&order, &defaults).unwrap(),
            json!({
                "MaintenanceOrderType": "PM02", "MaintenanceOrderDesc": "Replace pump seal",
                "MaintenancePlanningPlant": "1010", "MainWorkCenter": "RES-0100",
                "MainWorkCenterPlant": "1710"
            })
        );
    }

    #[test]
    fn what_sap_would_refuse_is_refused_before_sending() {
        let mut order = new_order();
        order.title = "x".repeat(41);
        order.description = Some("Long text".into());
        order.priority = Some("12".into());
        order.planned_start = Some(at("2024-05-03T08:00:00.5Z"));
        order.remote_fields = Some(
            json!({"Equipment": "1", "SystemStatusText": "REL", "LastChangeDateTime": "x",
                   "MainWorkCenter": 7, "MaintenanceOrderType": "PM01"})
            .as_object()
            .unwrap()
            .clone(),
        );
        let paths: Vec<String> = work_order_payload(&order, &WorkOrderDefaults::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.description",
                "$.title",
                "$.priority",
                "$.planned_start",
                "$.remote_fields.Equipment",
                "$.remote_fields.LastChangeDateTime",
                "$.remote_fields.MainWorkCenter",
                "$.remote_fields.SystemStatusText",
            ]
        );
        let blank = NewWorkOrder {
            title: " ".into(),
            ..new_order()
        };
        assert!(work_order_payload(&blank, &WorkOrderDefaults::default()).is_err());
    }

    #[test]
    fn changes_name_only_what_the_patch_names() {
        let patch = WorkOrderPatch {
            title: Some("Replace pump seal and bearing".into()),
            priority: Some("".into()),
            planned_end: Some(at("2024-05-04T16:00:00Z")),
            ..WorkOrderPatch::default()
        };
        assert_eq!(
            work_order_changes(&patch).unwrap(),
            json!({"MaintenanceOrderDesc": "Replace pump seal and bearing", "MaintPriority": "",
                   "MaintOrdBasicEndDateTime": "/Date(1714838400000+0000)/"})
        );
        let patch = WorkOrderPatch {
            description: Some("x".into()),
            remote_fields: Some(
                json!({"MaintenanceOrderType": "PM02", "MaintenancePlanningPlant": "1010",
                       "CostCenter": "17101301"})
                .as_object()
                .unwrap()
                .clone(),
            ),
            ..WorkOrderPatch::default()
        };
        let paths: Vec<String> = work_order_changes(&patch)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.description",
                "$.remote_fields.MaintenanceOrderType",
                "$.remote_fields.MaintenancePlanningPlant"
            ]
        );
        assert!(work_order_changes(&WorkOrderPatch::default()).is_err());
    }

    // ---- properties ----

    fn any_date() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(|n| json!(format!("/Date({n}+0000)/"))),
            any::<i64>().prop_map(|n| json!(format!("\\/Date({n})\\/"))),
            any::<String>().prop_map(Value::String),
            Just(Value::Null),
        ]
    }

    fn any_text() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "[A-Z0-9 ]{0,12}".prop_map(Value::String),
            Just(Value::Null),
            any::<i32>().prop_map(|n| json!(n)),
        ]
    }

    /// `SystemStatusText` as SAP prints it: status codes separated by spaces.
    fn status_codes() -> impl Strategy<Value = Value> {
        proptest::collection::vec(
            prop_oneof![
                Just("CRTD"),
                Just("REL"),
                Just("TECO"),
                Just("CLSD"),
                Just("DLFL"),
                Just("PCNF"),
                Just("MANC")
            ],
            0..4,
        )
        .prop_map(|codes| json!(codes.join(" ")))
    }

    fn any_status_text() -> impl Strategy<Value = Value> {
        prop_oneof![status_codes(), any_text()]
    }

    fn any_operation() -> impl Strategy<Value = Value> {
        object(vec![
            ("MaintenanceOrderOperation", any_text().boxed()),
            ("OpActualExecutionStartDateTime", any_date().boxed()),
            ("OpActualExecutionEndDateTime", any_date().boxed()),
            ("IsMarkedForDeletion", any_flag().boxed()),
        ])
    }

    fn any_order() -> impl Strategy<Value = Value> {
        let operations = prop_oneof![
            proptest::collection::vec(any_operation(), 0..4).prop_map(|v| json!({"results": v})),
            proptest::collection::vec(any_operation(), 0..4).prop_map(Value::Array),
            Just(json!({"__deferred": {"uri": "x"}})),
            any_text(),
        ];
        object(vec![
            ("MaintenanceOrder", any_text().boxed()),
            ("MaintenanceOrderType", any_text().boxed()),
            ("MaintenanceOrderDesc", any_text().boxed()),
            ("MaintenancePlanningPlant", any_text().boxed()),
            ("MaintenancePlant", any_text().boxed()),
            ("Equipment", any_text().boxed()),
            ("FunctionalLocation", any_text().boxed()),
            ("MaintPriority", any_text().boxed()),
            ("SystemStatusText", any_status_text().boxed()),
            ("MaintOrdBasicStartDateTime", any_date().boxed()),
            ("MaintOrdBasicEndDateTime", any_date().boxed()),
            ("LastChangeDateTime", any_date().boxed()),
            ("MaintOrderCreationDateTime", any_date().boxed()),
            (
                "__metadata",
                prop_oneof![
                    Just(json!({"etag": "W/\"x\""})),
                    Just(json!({"etag": 5})),
                    any_text()
                ]
                .boxed(),
            ),
            ("to_MaintenanceOrderOperation", operations.boxed()),
        ])
    }

    /// Seconds SAP can print: years 1 to 9999.
    fn sap_second() -> impl Strategy<Value = i64> {
        -62_135_596_800_i64..253_402_300_799
    }

    /// Orders as SAP prints them: every value one the metadata allows.
    fn sap_order() -> impl Strategy<Value = Value> {
        (
            "[0-9]{7,12}",
            status_codes(),
            sap_second(),
            proptest::option::of(sap_second()),
            proptest::collection::vec(
                (
                    proptest::option::of(sap_second()),
                    proptest::option::of(sap_second()),
                    any::<bool>(),
                ),
                0..5,
            ),
            "[ -~]{0,40}",
        )
            .prop_map(|(number, status, changed, start, ops, desc)| {
                let date = |s: i64| json!(format!("/Date({}+0000)/", s * 1000));
                json!({
                    "MaintenanceOrder": number,
                    "MaintenanceOrderDesc": desc,
                    "MaintenanceOrderType": "PM01",
                    "SystemStatusText": status,
                    "LastChangeDateTime": date(changed),
                    "MaintOrdBasicStartDateTime": start.map(date),
                    "MaintPriority": "",
                    "to_MaintenanceOrderOperation": {"results": ops.into_iter().map(|(s, e, del)| json!({
                        "OpActualExecutionStartDateTime": s.map(date),
                        "OpActualExecutionEndDateTime": e.map(date),
                        "IsMarkedForDeletion": del,
                    })).collect::<Vec<_>>()},
                })
            })
    }

    fn sap_instant() -> impl Strategy<Value = DateTime<Utc>> {
        sap_second().prop_filter_map("in range", |s| DateTime::from_timestamp(s, 0))
    }

    fn code(max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Z0-9][A-Z0-9-]{{0,{}}}", max - 1))
            .unwrap_or_else(|_| unreachable!())
    }

    fn new_work_order() -> impl Strategy<Value = NewWorkOrder> {
        (
            "[A-Za-z0-9][ -~]{0,38}[A-Za-z0-9]",
            proptest::option::of(code(4)),
            proptest::option::of("[1-4]"),
            proptest::option::of(code(18)),
            proptest::option::of(code(4)),
            proptest::option::of(code(30)),
            proptest::option::of(sap_instant()),
            proptest::option::of(sap_instant()),
        )
            .prop_map(
                |(title, work_type, priority, asset, site, location, start, end)| {
                    // Dates in order, as the canonical validation requires.
                    let (planned_start, planned_end) = match (start, end) {
                        (Some(a), Some(b)) => (Some(a.min(b)), Some(a.max(b))),
                        other => other,
                    };
                    NewWorkOrder {
                        title,
                        description: None,
                        work_type,
                        priority,
                        asset_remote_id: asset,
                        site,
                        location,
                        planned_start,
                        planned_end,
                        remote_fields: None,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_order()) {
            if let Ok(record) = work_order_record(raw) {
                let wo = work_order_of(&record);
                prop_assert_eq!(&wo.number, &record.remote_id);
                prop_assert!(!wo.number.trim().is_empty());
            }
        }

        #[test]
        fn orders_as_sap_prints_them_always_map(raw in sap_order()) {
            let record = match work_order_record(raw.clone()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let wo = work_order_of(&record);
            let text = raw["SystemStatusText"].as_str().unwrap_or("");
            prop_assert_eq!(
                wo.status == WorkOrderStatus::Cancelled,
                text.split_whitespace().any(|c| c == "DLFL")
            );
            let ops = raw["to_MaintenanceOrderOperation"]["results"].as_array().unwrap();
            let live: Vec<&Value> = ops.iter().filter(|o| o["IsMarkedForDeletion"] == false).collect();
            prop_assert_eq!(
                wo.actual_end.is_some(),
                !live.is_empty() && live.iter().all(|o| o["OpActualExecutionEndDateTime"].is_string())
            );
        }

        #[test]
        fn create_payload_round_trips(order in new_work_order()) {
            let payload = match work_order_payload(&order, &WorkOrderDefaults::default()) {
                Ok(payload) => payload,
                Err(errors) => return Err(TestCaseError::fail(format!("{errors:?}"))),
            };
            let text = serde_json::to_string(&payload).unwrap();
            let back: wire::MaintenanceOrder = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back.maintenance_order_desc.as_ref(), Some(&order.title));
            prop_assert_eq!(
                back.maintenance_order_type,
                Some(order.work_type.clone().unwrap_or_else(|| "PM01".into()))
            );
            prop_assert_eq!(&back.maint_priority, &order.priority);
            prop_assert_eq!(&back.equipment, &order.asset_remote_id);
            prop_assert_eq!(&back.maintenance_planning_plant, &order.site);
            prop_assert_eq!(&back.functional_location, &order.location);
            prop_assert_eq!(back.maint_ord_basic_start_date_time.map(|d| d.0), order.planned_start);
            prop_assert_eq!(back.maint_ord_basic_end_date_time.map(|d| d.0), order.planned_end);

            // What SAP then prints maps back to the same canonical fields.
            let mut echoed = payload.clone();
            echoed["MaintenanceOrder"] = json!("4000001");
            echoed["LastChangeDateTime"] = json!("/Date(1714723200000+0000)/");
            echoed["SystemStatusText"] = json!("CRTD");
            let record = match work_order_record(echoed) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let wo = work_order_of(&record);
            prop_assert_eq!(&wo.title, &order.title);
            prop_assert_eq!(&wo.priority, &order.priority);
            prop_assert_eq!(&wo.asset_remote_id, &order.asset_remote_id);
            prop_assert_eq!(&wo.site, &order.site);
            prop_assert_eq!(&wo.location, &order.location);
            prop_assert_eq!(wo.planned_start, order.planned_start);
            prop_assert_eq!(wo.planned_end, order.planned_end);
            prop_assert_eq!(wo.status, WorkOrderStatus::Requested);
        }

        #[test]
        fn changes_round_trip(
            title in proptest::option::of("[A-Za-z][ -~]{0,39}"),
            priority in proptest::option::of("[1-4]?"),
            start in proptest::option::of(sap_instant()),
        ) {
            let patch = WorkOrderPatch {
                title: title.clone(),
                priority: priority.clone(),
                planned_start: start,
                ..WorkOrderPatch::default()
            };
            match work_order_changes(&patch) {
                Ok(body) => {
                    let back: wire::MaintenanceOrder = serde_json::from_value(body).unwrap();
                    prop_assert_eq!(back.maintenance_order_desc, title);
                    prop_assert_eq!(back.maint_priority, priority);
                    prop_assert_eq!(back.maint_ord_basic_start_date_time.map(|d| d.0), start);
                }
                Err(errors) => {
                    // Only an empty patch or a blank title is refused.
                    prop_assert!(title.is_none() && priority.is_none() && start.is_none()
                        || title.as_deref().is_some_and(|t| t.trim().is_empty()), "{:?}", errors);
                }
            }
        }
    }
}
