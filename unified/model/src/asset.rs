//! Physical assets: SAP equipment, Maximo assets.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

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
