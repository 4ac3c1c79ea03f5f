//! Vendors (suppliers): SAP business partners in the supplier role, NetSuite vendors, Maximo companies.

use crate::validate::{Errors, FieldError, Validate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VendorStatus {
    Active,
    /// Blocked for purchasing or marked for deletion.
    Blocked,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub line1: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vendor {
    /// The vendor number the business uses.
    pub number: String,
    pub name: String,
    pub status: VendorStatus,
    pub tax_id: Option<String>,
    pub currency: Option<String>,
    pub payment_terms: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
}

/// The body of `POST /v1/connections/{id}/vendors`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVendor {
    pub name: String,
    #[serde(default)]
    pub tax_id: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub payment_terms: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

impl Validate for NewVendor {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        e.non_blank(&self.name, "$.name");
        if let Some(c) = &self.currency {
            e.currency(c, "$.currency");
        }
        if let Some(country) = self.address.as_ref().and_then(|a| a.country.as_deref()) {
            e.require(
                country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()),
                || "$.address.country".into(),
                "must be an ISO 3166-1 alpha-2 code",
            );
        }
        e.0
    }
}

/// The body of `PATCH /v1/connections/{id}/vendors/{record}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tax_id: Option<String>,
    #[serde(default)]
    pub payment_terms: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub remote_fields: Option<Map<String, Value>>,
}

impl Validate for VendorPatch {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::default();
        let empty = self.name.is_none()
            && self.tax_id.is_none()
            && self.payment_terms.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.address.is_none()
            && self.remote_fields.as_ref().is_none_or(Map::is_empty);
        e.require(!empty, || "$".into(), "names no field to change");
        if let Some(name) = &self.name {
            e.non_blank(name, "$.name");
        }
        e.0
    }
}
