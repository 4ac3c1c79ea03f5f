//! Inventory levels: quantity on hand of one item at one location.

use crate::validate::{Errors, FieldError, Validate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryLevel {
    pub item: String,
    pub item_description: Option<String>,
    /// Plant, warehouse or site.
    pub location: String,
    /// Storage location, bin or storeroom within `location`.
    pub sub_location: Option<String>,
    pub batch: Option<String>,
    pub quantity_on_hand: Decimal,
    pub unit: Option<String>,
}

/// The body of `POST /v1/connections/{id}/inventory/adjustments`: move the quantity on hand by
/// `delta` (negative to take stock out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryAdjustment {
    pub item: String,
    pub location: String,
    #[serde(default)]
    pub sub_location: Option<String>,
    #[serde(default)]
    pub batch: Option<String>,
    pub delta: Decimal,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl Validate for InventoryAdjustment {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        e.non_blank(&self.item, "$.item");
        e.non_blank(&self.location, "$.location");
        e.require(
            !self.delta.is_zero(),
            || "$.delta".into(),
            "must not be zero",
        );
        e.0
    }
}
