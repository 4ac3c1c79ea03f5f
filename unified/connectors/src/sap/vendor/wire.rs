//! The native shapes of `API_BUSINESS_PARTNER`: `A_BusinessPartner` with its supplier role
//! (`to_Supplier`, a to-one navigation), the supplier's purchasing organisations and company codes,
//! and the partner's addresses, as serde types that read SAP's JSON and write the deep-insert body
//! of a new supplier.
//!
//! Beside the value formats of the shared `wire` module, business partners bring `Edm.Time`
//! (`"PT15H51M04S"`, [`EdmTime`]): `LastChangeTime` and `CreationTime` are separate from their
//! dates. Read-only properties are never serialised, so a value read can never be written back by
//! accident.

use super::super::wire::{Navigation, ODataDate};
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// An `Edm.Time` value: a time of day, printed as an ISO 8601 duration since midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EdmTime(pub(crate) NaiveTime);

impl EdmTime {
    /// Reads `PT15H51M04S`: each of hours, minutes and seconds may be left out (`PT0S`, `PT15H`),
    /// seconds may carry a fraction (`PT4.5S`), and the whole must be a time of day.
    pub(crate) fn parse(text: &str) -> Option<EdmTime> {
        let mut rest = text.trim().strip_prefix("PT")?;
        if rest.is_empty() {
            return None;
        }
        let mut take = |unit: char| -> Option<Option<&str>> {
            match rest.find(unit) {
                Some(at) => {
                    let number = &rest[..at];
                    rest = &rest[at + 1..];
                    Some(Some(number))
                }
                None => Some(None),
            }
        };
        let hours = take('H')?;
        let minutes = take('M')?;
        let seconds = take('S')?;
        if !rest.is_empty() {
            return None;
        }
        let whole = |n: Option<&str>| -> Option<u32> {
            match n {
                None => Some(0),
                Some(n)
                    if !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    n.parse().ok()
                }
                Some(_) => None,
            }
        };
        let (seconds, nanos) = match seconds {
            None => (Some(0), 0),
            Some(s) => match s.split_once('.') {
                None => (whole(Some(s)), 0),
                Some((int, frac))
                    if !frac.is_empty()
                        && frac.len() <= 9
                        && frac.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    let padded = format!("{frac:0<9}");
                    (whole(Some(int)), padded.parse::<u32>().ok()?)
                }
                Some(_) => return None,
            },
        };
        NaiveTime::from_hms_nano_opt(whole(hours)?, whole(minutes)?, seconds?, nanos).map(EdmTime)
    }

    /// The form SAP prints: `PT15H51M04S`, with a fraction of a second only when there is one.
    pub(crate) fn to_wire(self) -> String {
        let t = self.0;
        let mut text = format!("PT{:02}H{:02}M{:02}", t.hour(), t.minute(), t.second());
        let nanos = t.nanosecond() % 1_000_000_000;
        if nanos != 0 {
            let fraction = format!("{nanos:09}");
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        text.push('S');
        text
    }

    /// The time of day of an instant, as `LastChangeTime` holds it.
    pub(crate) fn of(at: DateTime<Utc>) -> EdmTime {
        EdmTime(at.time())
    }
}

impl Serialize for EdmTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for EdmTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = EdmTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OData v2 time such as \"PT15H51M04S\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EdmTime, E> {
                EdmTime::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(TimeVisitor)
    }
}

/// `A_BusinessPartnerType`: the fields the vendor mapping and the create body use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct BusinessPartner {
    /// The key, String(10), printed without leading zeros.
    #[serde(rename = "BusinessPartner", default, skip_serializing)]
    pub(crate) business_partner: Option<String>,
    /// `1` person, `2` organisation, `3` group.
    #[serde(
        rename = "BusinessPartnerCategory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) category: Option<String>,
    #[serde(rename = "BusinessPartnerFullName", default, skip_serializing)]
    pub(crate) full_name: Option<String>,
    #[serde(rename = "BusinessPartnerName", default, skip_serializing)]
    pub(crate) name: Option<String>,
    /// The first name line of an organisation, Char(40).
    #[serde(
        rename = "OrganizationBPName1",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) organization_name1: Option<String>,
    #[serde(rename = "FirstName", default, skip_serializing)]
    pub(crate) first_name: Option<String>,
    #[serde(rename = "LastName", default, skip_serializing)]
    pub(crate) last_name: Option<String>,
    /// Decides the number range of a new partner.
    #[serde(
        rename = "BusinessPartnerGrouping",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) grouping: Option<String>,
    /// The supplier number of the partner's supplier role; blank when it has none. Read-only.
    #[serde(rename = "Supplier", default, skip_serializing)]
    pub(crate) supplier: Option<String>,
    #[serde(rename = "BusinessPartnerIsBlocked", default, skip_serializing)]
    pub(crate) is_blocked: Option<bool>,
    #[serde(rename = "CreationDate", default, skip_serializing)]
    pub(crate) creation_date: Option<ODataDate>,
    #[serde(rename = "CreationTime", default, skip_serializing)]
    pub(crate) creation_time: Option<EdmTime>,
    /// The change stamp, day part (`Edm.DateTime` at midnight UTC).
    #[serde(rename = "LastChangeDate", default, skip_serializing)]
    pub(crate) last_change_date: Option<ODataDate>,
    /// The change stamp, time part.
    #[serde(rename = "LastChangeTime", default, skip_serializing)]
    pub(crate) last_change_time: Option<EdmTime>,
    #[serde(
        rename = "to_BusinessPartnerRole",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) roles: Option<Navigation<BusinessPartnerRole>>,
    /// The supplier role: an object when expanded, `null` when the partner has none.
    #[serde(
        rename = "to_Supplier",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) supplier_role: Option<Supplier>,
    #[serde(
        rename = "to_BusinessPartnerAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) addresses: Option<Navigation<BusinessPartnerAddress>>,
}

/// `A_BusinessPartnerRoleType`: `FLVN01` is the supplier (purchasing) role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct BusinessPartnerRole {
    #[serde(
        rename = "BusinessPartnerRole",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) role: Option<String>,
}

/// `A_SupplierType`. A to-one navigation that was not expanded arrives as
/// `{"__deferred":{…}}`, which reads as a supplier with only `deferred` set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Supplier {
    #[serde(rename = "Supplier", default, skip_serializing)]
    pub(crate) supplier: Option<String>,
    #[serde(rename = "SupplierName", default, skip_serializing)]
    pub(crate) name: Option<String>,
    #[serde(rename = "PurchasingIsBlocked", default, skip_serializing)]
    pub(crate) purchasing_is_blocked: Option<bool>,
    #[serde(rename = "DeletionIndicator", default, skip_serializing)]
    pub(crate) deletion_indicator: Option<bool>,
    /// The VAT registration number, Char(20).
    #[serde(
        rename = "VATRegistration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) vat_registration: Option<String>,
    #[serde(rename = "TaxNumber1", default, skip_serializing)]
    pub(crate) tax_number1: Option<String>,
    #[serde(
        rename = "to_SupplierPurchasingOrg",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) purchasing_orgs: Option<Navigation<SupplierPurchasingOrg>>,
    #[serde(
        rename = "to_SupplierCompany",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) companies: Option<Navigation<SupplierCompany>>,
    #[serde(rename = "__deferred", default, skip_serializing)]
    pub(crate) deferred: Option<Value>,
}

/// `A_SupplierPurchasingOrgType`: the supplier's terms in one purchasing organisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SupplierPurchasingOrg {
    #[serde(
        rename = "PurchasingOrganization",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) purchasing_organization: Option<String>,
    #[serde(
        rename = "PurchaseOrderCurrency",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) purchase_order_currency: Option<String>,
    #[serde(
        rename = "PaymentTerms",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) payment_terms: Option<String>,
}

/// `A_SupplierCompanyType`: the supplier in one company code.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SupplierCompany {
    #[serde(
        rename = "CompanyCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) company_code: Option<String>,
}

/// `A_BusinessPartnerAddressType`: the fields of a postal address the canonical vendor holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct BusinessPartnerAddress {
    /// Key with `BusinessPartner`; assigned by SAP.
    #[serde(rename = "AddressID", default, skip_serializing)]
    pub(crate) address_id: Option<String>,
    #[serde(
        rename = "StreetName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) street_name: Option<String>,
    #[serde(rename = "HouseNumber", default, skip_serializing)]
    pub(crate) house_number: Option<String>,
    #[serde(rename = "CityName", default, skip_serializing_if = "Option::is_none")]
    pub(crate) city_name: Option<String>,
    #[serde(
        rename = "PostalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) postal_code: Option<String>,
    #[serde(rename = "Region", default, skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<String>,
    #[serde(rename = "Country", default, skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn time(text: &str) -> Option<String> {
        EdmTime::parse(text).map(|t| t.0.format("%H:%M:%S%.f").to_string())
    }

    #[test]
    fn times_in_every_form_sap_prints() {
        assert_eq!(time("PT15H51M04S").as_deref(), Some("15:51:04"));
        assert_eq!(time("PT00H00M00S").as_deref(), Some("00:00:00"));
        assert_eq!(time("PT15H").as_deref(), Some("15:00:00"));
        assert_eq!(time("PT4M5S").as_deref(), Some("00:04:05"));
        assert_eq!(time("PT23H59M59.5S").as_deref(), Some("23:59:59.500"));
        for bad in [
            "",
            "PT",
            "15:51:04",
            "PT24H00M00S",
            "PT15H60M",
            "PT15H51M04",
            "P1DT1H",
            "PT-1H",
            "PT1H2H",
            "PT1.5H",
            "PT123H",
            "PT1S2M",
            "PT1.S",
            "PT1.1234567890S",
        ] {
            assert_eq!(time(bad), None, "{bad}");
        }
        let t = EdmTime::parse("PT07H05M09S").unwrap();
        assert_eq!(t.to_wire(), "PT07H05M09S");
        assert_eq!(
            EdmTime::parse("PT23H59M59.25S").unwrap().to_wire(),
            "PT23H59M59.25S"
        );
        assert_eq!(serde_json::to_value(t).unwrap(), json!("PT07H05M09S"));
        assert!(serde_json::from_value::<EdmTime>(json!(12)).is_err());
    }

    #[test]
    fn a_deferred_supplier_role_is_told_apart() {
        let bp: BusinessPartner = serde_json::from_value(json!({
            "BusinessPartner": "17300001",
            "to_Supplier": {"__deferred": {"uri": "https://x/A_BusinessPartner('17300001')/to_Supplier"}}
        }))
        .unwrap();
        assert!(bp.supplier_role.unwrap().deferred.is_some());
        let bp: BusinessPartner =
            serde_json::from_value(json!({"BusinessPartner": "1", "to_Supplier": null})).unwrap();
        assert_eq!(bp.supplier_role, None);
    }
}
