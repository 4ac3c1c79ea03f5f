//! The native shapes of `API_MAINTENANCEORDER;v=0002`: `MaintenanceOrderType` and the
//! `MaintenanceOrderOperationType` fields read through `to_MaintenanceOrderOperation`.
//!
//! Only the properties the mapping and the writes use are named; everything else SAP sends stays
//! in the record's `raw` payload. Property types and lengths follow the service's `$metadata`:
//! the dates here are `Edm.DateTimeOffset` with precision 0 (whole seconds), printed
//! `/Date(<ms>+0000)/` and written back in the same form. Read-only properties
//! (`sap:creatable="false" sap:updatable="false"`) are never serialised.

use crate::sap::wire::{Navigation, ODataDate};
use serde::{Deserialize, Serialize, Serializer};

/// `MaintenanceOrderType`: the order header.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MaintenanceOrder {
    /// The key, String(12); numbered by SAP on create, not updatable.
    #[serde(default, skip_serializing)]
    pub(crate) maintenance_order: Option<String>,
    /// `PM01`, `PM02`, …; creatable, not updatable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maintenance_order_type: Option<String>,
    /// The order's short text, String(40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maintenance_order_desc: Option<String>,
    /// Creatable, not updatable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maintenance_planning_plant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maintenance_plant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) equipment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) functional_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) main_work_center: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) main_work_center_plant: Option<String>,
    /// One character (`1` very high … `4` low in SAP's standard priority type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maint_priority: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "datetimeoffset"
    )]
    pub(crate) maint_ord_basic_start_date_time: Option<ODataDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "datetimeoffset"
    )]
    pub(crate) maint_ord_basic_end_date_time: Option<ODataDate>,
    /// The system statuses, space-separated (`REL`, `TECO`, `CRTD DLFL`); read-only, moved
    /// only through the status function imports.
    #[serde(default, skip_serializing)]
    pub(crate) system_status_text: Option<String>,
    /// The change stamp incremental reads filter and order on.
    #[serde(default, skip_serializing)]
    pub(crate) last_change_date_time: Option<ODataDate>,
    #[serde(default, skip_serializing)]
    pub(crate) maint_order_creation_date_time: Option<ODataDate>,
    #[serde(rename = "to_MaintenanceOrderOperation", default, skip_serializing)]
    pub(crate) operations: Option<Navigation<MaintenanceOrderOperation>>,
}

/// `MaintenanceOrderOperationType`: the fields of an operation the order's actual dates come from.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MaintenanceOrderOperation {
    #[serde(default)]
    pub(crate) op_actual_execution_start_date_time: Option<ODataDate>,
    #[serde(default)]
    pub(crate) op_actual_execution_end_date_time: Option<ODataDate>,
    #[serde(default)]
    pub(crate) is_marked_for_deletion: Option<bool>,
}

/// Writes an `Edm.DateTimeOffset` as SAP prints it, `/Date(<ms>+0000)/`; the offset-less
/// `/Date(<ms>)/` of `Edm.DateTime` is the other type's form.
fn datetimeoffset<S: Serializer>(value: &Option<ODataDate>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(date) => s.serialize_str(&format!("/Date({}+0000)/", date.0.timestamp_millis())),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use serde_json::json;

    #[test]
    fn dates_are_written_as_datetimeoffset_and_read_back() {
        let at = DateTime::from_timestamp(1_714_723_200, 0).unwrap();
        let order = MaintenanceOrder {
            maintenance_order: Some("4000123".into()),
            maint_ord_basic_start_date_time: Some(ODataDate(at)),
            system_status_text: Some("REL".into()),
            ..MaintenanceOrder::default()
        };
        let body = serde_json::to_value(&order).unwrap();
        // Read-only properties and the key never go out.
        assert_eq!(
            body,
            json!({"MaintOrdBasicStartDateTime": "/Date(1714723200000+0000)/"})
        );
        let back: MaintenanceOrder = serde_json::from_value(body).unwrap();
        assert_eq!(back.maint_ord_basic_start_date_time, Some(ODataDate(at)));
    }
}
