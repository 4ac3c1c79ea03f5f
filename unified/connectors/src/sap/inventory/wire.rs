//! The native shape of `A_MatlStkInAcctMod` ("material stock in the accounting model") of
//! `API_MATERIAL_STOCK_SRV`: one row per material, plant, storage location, batch, special-stock
//! owner and stock type, all eleven of them the key.

use mw_model::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The key properties of `A_MatlStkInAcctMod`, in the order of the EDMX `<Key>`.
pub(crate) const KEY: [&str; 11] = [
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "Supplier",
    "Customer",
    "WBSElementInternalID",
    "SDDocument",
    "SDDocumentItem",
    "InventorySpecialStockType",
    "InventoryStockType",
];

/// `A_MatlStkInAcctModType`. Key fields are never null in SAP (empty string when they do not
/// apply); they are optional here so that the mapping can name a missing one.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StockRow {
    #[serde(default)]
    pub(crate) material: Option<String>,
    #[serde(default)]
    pub(crate) plant: Option<String>,
    #[serde(default)]
    pub(crate) storage_location: Option<String>,
    #[serde(default)]
    pub(crate) batch: Option<String>,
    #[serde(default)]
    pub(crate) supplier: Option<String>,
    #[serde(default)]
    pub(crate) customer: Option<String>,
    #[serde(rename = "WBSElementInternalID", default)]
    pub(crate) wbs_element_internal_id: Option<String>,
    #[serde(rename = "SDDocument", default)]
    pub(crate) sd_document: Option<String>,
    #[serde(rename = "SDDocumentItem", default)]
    pub(crate) sd_document_item: Option<String>,
    /// Blank for the company's own stock; `K` consignment, `E` sales order stock, … otherwise.
    #[serde(default)]
    pub(crate) inventory_special_stock_type: Option<String>,
    /// `01` unrestricted, `02` quality inspection, `07` blocked, …
    #[serde(default)]
    pub(crate) inventory_stock_type: Option<String>,
    #[serde(default)]
    pub(crate) material_base_unit: Option<String>,
    /// `Edm.Decimal(31,14)` in the base unit.
    #[serde(default)]
    pub(crate) matl_wrhs_stk_qty_in_matl_base_unit: Option<StockQuantity>,
}

impl StockRow {
    /// The key values in key order, as SAP printed them.
    pub(crate) fn key(&self) -> [Option<&String>; 11] {
        [
            self.material.as_ref(),
            self.plant.as_ref(),
            self.storage_location.as_ref(),
            self.batch.as_ref(),
            self.supplier.as_ref(),
            self.customer.as_ref(),
            self.wbs_element_internal_id.as_ref(),
            self.sd_document.as_ref(),
            self.sd_document_item.as_ref(),
            self.inventory_special_stock_type.as_ref(),
            self.inventory_stock_type.as_ref(),
        ]
    }
}

/// A stock quantity, `Edm.Decimal(31,14)` as a JSON string. SAP prints up to 31 digits, more
/// than a [`Decimal`] holds; trailing zeros of the fraction are dropped first, and a value that
/// still does not fit exactly is refused rather than rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StockQuantity(pub(crate) Decimal);

impl StockQuantity {
    pub(crate) fn parse(text: &str) -> Option<StockQuantity> {
        let text = text.trim();
        let significant = match text.split_once('.') {
            Some((int, frac)) => {
                let frac = frac.trim_end_matches('0');
                if frac.is_empty() {
                    int.to_owned()
                } else {
                    format!("{int}.{frac}")
                }
            }
            None => text.to_owned(),
        };
        // `from_str_exact` takes a few forms SAP never prints (`_` separators, exponents).
        let plain = !significant.is_empty()
            && significant
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
            && significant
                .trim_start_matches('-')
                .starts_with(|c: char| c.is_ascii_digit());
        if !plain {
            return None;
        }
        Decimal::from_str_exact(&significant)
            .ok()
            .map(|d| StockQuantity(d.normalize()))
    }
}

impl<'de> Deserialize<'de> for StockQuantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct QuantityVisitor;
        impl Visitor<'_> for QuantityVisitor {
            type Value = StockQuantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OData v2 decimal string of at most 28 significant digits")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StockQuantity, E> {
                StockQuantity::parse(v)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(QuantityVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantity(text: &str) -> Option<String> {
        StockQuantity::parse(text).map(|q| q.0.to_string())
    }

    #[test]
    fn quantities_are_exact() {
        assert_eq!(quantity("100").as_deref(), Some("100"));
        assert_eq!(quantity("100.00000000000000").as_deref(), Some("100"));
        assert_eq!(quantity("0.00100000000000").as_deref(), Some("0.001"));
        assert_eq!(quantity("-3.50000000000000").as_deref(), Some("-3.5"));
        assert_eq!(
            quantity("99999999999999999.00000000000000").as_deref(),
            Some("99999999999999999")
        );
        assert_eq!(
            quantity("12345678901234567.12345678901234").as_deref(),
            None,
            "31 significant digits do not fit a Decimal exactly"
        );
        for bad in ["", "1,5", "1e3", "abc", "1_000", ".5", "-", "1.2.3", "+1"] {
            assert_eq!(quantity(bad), None, "{bad}");
        }
    }
}
