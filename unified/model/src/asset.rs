//! Physical assets: SAP equipment, Maximo assets.

use crate::validate::{Errors, FieldError, Validate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    Active,
    Inactive,
    /// Marked for deletion or decommissioned in the source.
    Decommissioned,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// Equipment or asset number.
    pub number: String,
    pub name: String,
    pub status: AssetStatus,
    pub category: Option<String>,
    pub site: Option<String>,
    pub location: Option<String>,
    pub parent_remote_id: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub installed_on: Option<NaiveDate>,
    pub acquisition_cost: Option<Decimal>,
    pub currency: Option<String>,
}

/// The body of `POST /v1/connections/{id}/assets`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAsset {
    /// The asset number, where the source numbers assets externally; otherwise it assigns one.
    #[serde(default)]
    pub number: Option<String>,
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub parent_remote_id: Option<String>,
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub serial_number: Option<String>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

impl Validate for NewAsset {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        e.non_blank(&self.name, "$.name");
        if let Some(number) = &self.number {
            e.non_blank(number, "$.number");
        }
        e.0
    }
}

/// The body of `PATCH /v1/connections/{id}/assets/{record}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub serial_number: Option<String>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

impl Validate for AssetPatch {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        let empty = self.name.is_none()
            && self.location.is_none()
            && self.manufacturer.is_none()
            && self.model.is_none()
            && self.serial_number.is_none()
            && self.remote_fields.as_ref().is_none_or(Map::is_empty);
        e.require(!empty, || "$".into(), "names no field to change");
        if let Some(name) = &self.name {
            e.non_blank(name, "$.name");
        }
        e.0
    }
}
