//! Maintenance work orders.

use crate::validate::{Errors, FieldError, Validate};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A work order's place in the maintenance lifecycle. Each system's native statuses map onto these
/// (SAP `CRTD`/`REL`/`TECO`/`CLSD`, Maximo `WAPPR`/`APPR`/`INPRG`/`COMP`/`CLOSE`/`CAN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderStatus {
    Requested,
    Approved,
    Scheduled,
    InProgress,
    OnHold,
    Completed,
    Closed,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub status: WorkOrderStatus,
    /// The source's own status code, kept because the canonical status is coarser.
    pub native_status: Option<String>,
    /// The source's work type or order type (`PM01`, `CM`, …).
    pub work_type: Option<String>,
    pub priority: Option<String>,
    pub asset_remote_id: Option<String>,
    /// Site or plant.
    pub site: Option<String>,
    /// Functional location or location code.
    pub location: Option<String>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub actual_start: Option<DateTime<Utc>>,
    pub actual_end: Option<DateTime<Utc>>,
}

/// The body of `POST /v1/connections/{id}/work-orders`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWorkOrder {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub work_type: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub asset_remote_id: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub planned_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub planned_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

impl Validate for NewWorkOrder {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        e.non_blank(&self.title, "$.title");
        if let (Some(start), Some(end)) = (self.planned_start, self.planned_end) {
            e.require(
                start <= end,
                || "$.planned_end".into(),
                "must not be before planned_start",
            );
        }
        e.0
    }
}

/// The body of `PATCH /v1/connections/{id}/work-orders/{record}`. Status is not patched: it moves
/// only through `POST …/work-orders/{record}/status`, as every CMMS moves it through its own
/// lifecycle actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub planned_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub planned_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

impl Validate for WorkOrderPatch {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        let empty = self.title.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.planned_start.is_none()
            && self.planned_end.is_none()
            && self.remote_fields.as_ref().is_none_or(Map::is_empty);
        e.require(!empty, || "$".into(), "names no field to change");
        if let Some(title) = &self.title {
            e.non_blank(title, "$.title");
        }
        if let (Some(start), Some(end)) = (self.planned_start, self.planned_end) {
            e.require(
                start <= end,
                || "$.planned_end".into(),
                "must not be before planned_start",
            );
        }
        e.0
    }
}

/// The body of `POST /v1/connections/{id}/work-orders/{record}/status`: move the work order to
/// `status` through the source's own lifecycle actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: WorkOrderStatus,
    /// A note the source keeps with the change, where it keeps one (Maximo `memo`).
    #[serde(default)]
    pub note: Option<String>,
}
