//! Purchase orders and their lines.

use crate::validate::{Errors, FieldError, Validate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a purchase order is in its life, in terms common to every ERP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOrderStatus {
    /// Entered but not yet released to the vendor (approval pending).
    Draft,
    Open,
    PartiallyReceived,
    Received,
    Closed,
    /// Deleted or cancelled in the source; kept so that the deletion is visible.
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// The document number the business uses.
    pub number: String,
    pub status: PurchaseOrderStatus,
    /// The vendor's `remote_id`.
    pub vendor_remote_id: Option<String>,
    /// Legal entity: SAP company code, NetSuite subsidiary.
    pub company: Option<String>,
    pub currency: String,
    pub order_date: Option<NaiveDate>,
    pub payment_terms: Option<String>,
    /// Always the sum of the lines' `amount`s.
    pub total_amount: Decimal,
    pub lines: Vec<PurchaseOrderLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PurchaseOrderLine {
    /// The source's line number (`10`, `20`, …).
    pub line_number: String,
    /// The material or item code.
    pub item: Option<String>,
    pub description: Option<String>,
    pub quantity: Decimal,
    pub unit: Option<String>,
    /// Price for `price_unit` units.
    pub unit_price: Decimal,
    /// How many units `unit_price` is for (SAP's price unit; 1 almost everywhere).
    pub price_unit: Decimal,
    /// `quantity × unit_price ÷ price_unit`, rounded to the currency's minor unit.
    pub amount: Decimal,
    /// Plant, warehouse or location that receives the goods.
    pub location: Option<String>,
    pub expected_delivery_date: Option<NaiveDate>,
}

impl PurchaseOrder {
    /// The sum of the lines, which `total_amount` must equal.
    pub fn lines_total(&self) -> Decimal {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

/// The body of `POST /v1/connections/{id}/purchase-orders`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPurchaseOrder {
    pub vendor_remote_id: String,
    pub currency: String,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub order_date: Option<NaiveDate>,
    #[serde(default)]
    pub payment_terms: Option<String>,
    pub lines: Vec<NewPurchaseOrderLine>,
    /// Source-specific fields the model does not cover, passed to the source as they are
    /// (for SAP e.g. `PurchaseOrderType`, `PurchasingOrganization`).
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPurchaseOrderLine {
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub quantity: Decimal,
    #[serde(default)]
    pub unit: Option<String>,
    pub unit_price: Decimal,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub expected_delivery_date: Option<NaiveDate>,
}

impl Validate for NewPurchaseOrder {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        e.non_blank(&self.vendor_remote_id, "$.vendor_remote_id");
        e.currency(&self.currency, "$.currency");
        e.require(
            !self.lines.is_empty(),
            || "$.lines".into(),
            "must hold at least one line",
        );
        for (i, line) in self.lines.iter().enumerate() {
            e.require(
                line.quantity > Decimal::ZERO,
                || format!("$.lines[{i}].quantity"),
                "must be greater than zero",
            );
            e.require(
                line.unit_price >= Decimal::ZERO,
                || format!("$.lines[{i}].unit_price"),
                "must not be negative",
            );
            e.require(
                line.item.as_deref().is_some_and(|s| !s.trim().is_empty())
                    || line
                        .description
                        .as_deref()
                        .is_some_and(|s| !s.trim().is_empty()),
                || format!("$.lines[{i}].item"),
                "a line needs an item or a description",
            );
        }
        e.0
    }
}

/// The body of `PATCH /v1/connections/{id}/purchase-orders/{record}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseOrderPatch {
    #[serde(default)]
    pub payment_terms: Option<String>,
    #[serde(default)]
    pub order_date: Option<NaiveDate>,
    /// Changes to existing lines, found by `line_number`.
    #[serde(default)]
    pub lines: Option<Vec<PurchaseOrderLinePatch>>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseOrderLinePatch {
    pub line_number: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub quantity: Option<Decimal>,
    #[serde(default)]
    pub unit_price: Option<Decimal>,
    #[serde(default)]
    pub expected_delivery_date: Option<NaiveDate>,
}

impl Validate for PurchaseOrderPatch {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        let empty = self.payment_terms.is_none()
            && self.order_date.is_none()
            && self.lines.as_ref().is_none_or(Vec::is_empty)
            && self.remote_fields.as_ref().is_none_or(Map::is_empty);
        e.require(!empty, || "$".into(), "names no field to change");
        for (i, line) in self.lines.iter().flatten().enumerate() {
            e.non_blank(&line.line_number, &format!("$.lines[{i}].line_number"));
            e.require(
                line.quantity.is_none_or(|q| q > Decimal::ZERO),
                || format!("$.lines[{i}].quantity"),
                "must be greater than zero",
            );
            e.require(
                line.unit_price.is_none_or(|p| p >= Decimal::ZERO),
                || format!("$.lines[{i}].unit_price"),
                "must not be negative",
            );
        }
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value, expected_paths: &[&str]) {
        let po: NewPurchaseOrder = serde_json::from_value(body).unwrap();
        let paths: Vec<_> = po.validate().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, expected_paths);
    }

    #[test]
    fn validation_reports_every_bad_field_by_path() {
        let line = json!({"item": "RM-1", "quantity": "2", "unit_price": "3.50"});
        check(
            json!({"vendor_remote_id": "17300001", "currency": "EUR", "lines": [line]}),
            &[],
        );
        check(
            json!({"vendor_remote_id": " ", "currency": "eur", "lines": []}),
            &["$.vendor_remote_id", "$.currency", "$.lines"],
        );
        check(
            json!({"vendor_remote_id": "1", "currency": "USD",
                   "lines": [line, {"quantity": 0, "unit_price": "-1"}]}),
            &[
                "$.lines[1].quantity",
                "$.lines[1].unit_price",
                "$.lines[1].item",
            ],
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_value::<NewPurchaseOrder>(json!({
            "vendor_remote_id": "1", "currency": "USD", "lines": [], "colour": "red"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn decimals_are_exact_strings_on_the_wire() {
        let line = PurchaseOrderLine {
            line_number: "10".into(),
            item: None,
            description: None,
            quantity: "0.1".parse().unwrap(),
            unit: None,
            unit_price: "0.2".parse().unwrap(),
            price_unit: Decimal::ONE,
            amount: "0.02".parse().unwrap(),
            location: None,
            expected_delivery_date: None,
        };
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(json["quantity"], "0.1");
        assert_eq!(json["amount"], "0.02");
    }
}
