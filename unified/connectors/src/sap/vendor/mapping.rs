//! SAP ⇄ canonical for vendors: a business partner in the supplier role, read from
//! `A_BusinessPartner` with `to_Supplier`, `to_Supplier/to_SupplierPurchasingOrg` and
//! `to_BusinessPartnerAddress` expanded; and the bodies that create and change one.
//!
//! # Reading a vendor
//! - `remote_id` and `number` are the supplier number (`Supplier` of the partner, else of
//!   `to_Supplier`), as SAP prints it. It usually equals the business partner number, but the
//!   reads page by the partner number and keep the two apart.
//! - `remote_updated_at` is `LastChangeDate` + `LastChangeTime` read as UTC; `remote_created_at`
//!   is `CreationDate` + `CreationTime` (midnight when the time is missing).
//! - `name`: the first non-blank of `BusinessPartnerFullName`, `OrganizationBPName1`,
//!   `BusinessPartnerName`, the supplier's `SupplierName`, `FirstName LastName`.
//! - `status`: `blocked` when the supplier is blocked for purchasing (`PurchasingIsBlocked`),
//!   flagged for deletion (`DeletionIndicator`) or the whole partner is blocked
//!   (`BusinessPartnerIsBlocked`); otherwise `active`.
//! - `tax_id`: `VATRegistration`, else `TaxNumber1`, of the supplier.
//! - `currency` and `payment_terms`: `PurchaseOrderCurrency` and `PaymentTerms` of the first
//!   purchasing organisation in SAP's order; a supplier can hold different terms per organisation
//!   and the canonical vendor has room for one set.
//! - `address`: the first address: `line1` = `StreetName` followed by `HouseNumber` when there is
//!   one, `city` = `CityName`, `postal_code`, `region`, `country`.
//! - `email` and `phone` stay empty: SAP keeps them below the address (`to_EmailAddress`,
//!   `to_PhoneNumber`), which these reads do not expand.
//! - Blank strings (SAP's unset value) become `None`.
//! - A partner without its number, supplier number, change stamp or any name, with a navigation
//!   that was not expanded, or with a value SAP would never print is a protocol error naming it.
//!
//! # Creating a vendor
//! `POST A_BusinessPartner` as an organisation (`BusinessPartnerCategory` `2`) in the supplier
//! role `FLVN01`, deep-inserting the supplier with its purchasing organisation and company code
//! and the address (see [`new_supplier_payload`]).

use super::super::mapping::{object_of, parse};
use super::super::version;
use super::super::wire::{Navigation, ODataDate};
use super::wire::{self, EdmTime};
use crate::ConnectorError;
use crate::Problems;
use crate::native::present;
use mw_model::{
    Address, DateTime, EntityData, FieldError, NewVendor, RemoteRecord, Utc, Validate, Vendor,
    VendorPatch, VendorStatus,
};
use serde_json::{Map, Value};

/// The supplier role a new business partner gets: supplier for purchasing.
pub(crate) const SUPPLIER_ROLE: &str = "FLVN01";

/// Organisation, the category whose name is `OrganizationBPName1`.
const ORGANIZATION: &str = "2";

/// SAP field lengths from `API_BUSINESS_PARTNER`'s metadata.
mod limits {
    pub(super) const NAME: usize = 40;
    pub(super) const VAT_REGISTRATION: usize = 20;
    pub(super) const PAYMENT_TERMS: usize = 4;
    pub(super) const STREET: usize = 60;
    pub(super) const CITY: usize = 40;
    pub(super) const POSTAL_CODE: usize = 10;
    pub(super) const REGION: usize = 3;
    pub(super) const CODE: usize = 4;
}

/// Where a new supplier's organisational data comes from when its `remote_fields` do not say:
/// the connection's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SupplierDefaults {
    /// `BusinessPartnerGrouping` (setting `business_partner_grouping`); SAP's default grouping
    /// applies without it.
    pub(crate) grouping: Option<String>,
    /// The purchasing organisation that gets the supplier's currency and payment terms
    /// (setting `purchasing_organization`).
    pub(crate) purchasing_organization: Option<String>,
    /// The company code the supplier is created in (setting `company_code`).
    pub(crate) company_code: Option<String>,
}

/// A vendor as read, with the business partner number the reads page by.
#[derive(Debug)]
pub(crate) struct SupplierRecord {
    pub(crate) record: RemoteRecord,
    pub(crate) business_partner: String,
}

/// Date and time of a stamp, read as UTC.
pub(crate) fn instant(date: ODataDate, time: Option<EdmTime>) -> DateTime<Utc> {
    let time = time.map(|t| t.0).unwrap_or_default();
    date.0.date_naive().and_time(time).and_utc()
}

/// The native partner as typed fields; a value SAP would never print is an error naming it.
pub(crate) fn parse_partner(raw: &Value) -> Result<wire::BusinessPartner, ConnectorError> {
    parse(raw, "business partner", "BusinessPartner")
}

/// Reads one native `A_BusinessPartner` (supplier role, purchasing organisations and addresses
/// expanded) into a vendor record.
pub(crate) fn supplier_record(raw: Value) -> Result<SupplierRecord, ConnectorError> {
    let bp = parse_partner(&raw)?;
    let partner = present(bp.business_partner.as_ref()).ok_or_else(|| {
        ConnectorError::protocol("business partner without `BusinessPartner`".into())
    })?;
    let fail = |why: String| ConnectorError::protocol(format!("business partner {partner}: {why}"));
    let role = match &bp.supplier_role {
        Some(role) if role.deferred.is_none() => role,
        Some(_) => return Err(fail("`to_Supplier` was not expanded".into())),
        None => return Err(fail("has no supplier role (`to_Supplier` is empty)".into())),
    };
    let number = present(bp.supplier.as_ref())
        .or_else(|| present(role.supplier.as_ref()))
        .ok_or_else(|| fail("no `Supplier` number".into()))?;
    let date = bp
        .last_change_date
        .ok_or_else(|| fail("no `LastChangeDate`".into()))?;
    let time = bp
        .last_change_time
        .ok_or_else(|| fail("no `LastChangeTime`".into()))?;
    let orgs = expanded(
        &role.purchasing_orgs,
        "to_Supplier/to_SupplierPurchasingOrg",
    )
    .map_err(&fail)?;
    let addresses = expanded(&bp.addresses, "to_BusinessPartnerAddress").map_err(&fail)?;
    let person_name = [
        present(bp.first_name.as_ref()),
        present(bp.last_name.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let name = present(bp.full_name.as_ref())
        .or_else(|| present(bp.organization_name1.as_ref()))
        .or_else(|| present(bp.name.as_ref()))
        .or_else(|| present(role.name.as_ref()))
        .or_else(|| (!person_name.is_empty()).then_some(person_name))
        .ok_or_else(|| fail("no name".into()))?;
    let blocked = role.purchasing_is_blocked == Some(true)
        || role.deletion_indicator == Some(true)
        || bp.is_blocked == Some(true);
    let org = orgs.first();
    let vendor = Vendor {
        number: number.clone(),
        name,
        status: if blocked {
            VendorStatus::Blocked
        } else {
            VendorStatus::Active
        },
        tax_id: present(role.vat_registration.as_ref())
            .or_else(|| present(role.tax_number1.as_ref())),
        currency: org.and_then(|o| present(o.purchase_order_currency.as_ref())),
        payment_terms: org.and_then(|o| present(o.payment_terms.as_ref())),
        email: None,
        phone: None,
        address: addresses.first().and_then(address),
    };
    Ok(SupplierRecord {
        record: RemoteRecord {
            remote_id: number,
            remote_created_at: bp.creation_date.map(|d| instant(d, bp.creation_time)),
            remote_updated_at: instant(date, Some(time)),
            remote_version: version::etag_of(&raw),
            data: EntityData::Vendor(vendor),
            raw: Some(raw),
        },
        business_partner: partner,
    })
}

/// The entries of a to-many navigation the read expanded; absent or deferred is an error, since
/// an empty answer and an unread one must not look alike.
fn expanded<'a, T>(navigation: &'a Option<Navigation<T>>, name: &str) -> Result<&'a [T], String> {
    navigation
        .as_ref()
        .and_then(Navigation::expanded)
        .ok_or_else(|| format!("`{name}` was not expanded"))
}

fn address(native: &wire::BusinessPartnerAddress) -> Option<Address> {
    let street = present(native.street_name.as_ref());
    let line1 = match (street, present(native.house_number.as_ref())) {
        (Some(street), Some(number)) => Some(format!("{street} {number}")),
        (street, None) => street,
        (None, number) => number,
    };
    let address = Address {
        line1,
        city: present(native.city_name.as_ref()),
        postal_code: present(native.postal_code.as_ref()),
        region: present(native.region.as_ref()),
        country: present(native.country.as_ref()),
    };
    (address != Address::default()).then_some(address)
}

// ---- writing ----

/// E-mail and phone live below the partner's address in SAP (`to_EmailAddress`,
/// `to_PhoneNumber`), which this connector neither reads nor writes: refusing them is better than
/// dropping them.
fn no_contact(check: &mut Problems, email: Option<&String>, phone: Option<&String>) {
    let message = "is not written to SAP by this connector: SAP keeps it below the business partner's address (to_EmailAddress / to_PhoneNumber), which it does not handle yet";
    check.require(email.is_none(), "$.email", message);
    check.require(phone.is_none(), "$.phone", message);
}

fn check_address(check: &mut Problems, address: &Address, need_country: bool) {
    check.max_len(
        address.line1.as_deref(),
        limits::STREET,
        "$.address.line1",
        "a street",
    );
    check.max_len(
        address.city.as_deref(),
        limits::CITY,
        "$.address.city",
        "a city",
    );
    check.max_len(
        address.postal_code.as_deref(),
        limits::POSTAL_CODE,
        "$.address.postal_code",
        "a postal code",
    );
    check.max_len(
        address.region.as_deref(),
        limits::REGION,
        "$.address.region",
        "a region code",
    );
    if need_country {
        check.require(
            address
                .country
                .as_deref()
                .is_some_and(|c| !c.trim().is_empty()),
            "$.address.country",
            "SAP needs the country of an address",
        );
    }
}

/// A code from `remote_fields`, which must be a short string when present.
fn remote_code(
    remote: Option<&Map<String, Value>>,
    key: &str,
    check: &mut Problems,
) -> Option<String> {
    match remote.and_then(|r| r.get(key)) {
        None | Some(Value::Null) => None,
        Some(Value::String(s))
            if !s.trim().is_empty() && s.trim().chars().count() <= limits::CODE =>
        {
            Some(s.trim().to_owned())
        }
        Some(_) => {
            check.require(
                false,
                format!("$.remote_fields.{key}"),
                "must be an SAP code of at most 4 characters",
            );
            None
        }
    }
}

/// Fields of `A_BusinessPartner` a new vendor's body sets itself; `remote_fields` may not.
const FIELDS_OF_NEW_VENDORS: [(&str, &str); 5] = [
    ("OrganizationBPName1", "$.name"),
    (
        "BusinessPartnerCategory",
        "a vendor is created as an organisation",
    ),
    (
        "to_BusinessPartnerRole",
        "a vendor is created in the supplier role",
    ),
    ("to_Supplier", "$.tax_id, $.currency, $.payment_terms"),
    ("to_BusinessPartnerAddress", "$.address"),
];

/// The deep-insert body of `POST A_BusinessPartner` for a new supplier, or every reason SAP
/// would refuse it. `remote_fields` `BusinessPartnerGrouping`, `PurchasingOrganization` and
/// `CompanyCode` override the settings; the first goes into the body as it is, the other two
/// decide the supplier's purchasing organisation and company code. Any other `remote_fields`
/// are `A_BusinessPartner` properties merged into the body (e.g. `SearchTerm1`).
pub(crate) fn new_supplier_payload(
    vendor: &NewVendor,
    defaults: &SupplierDefaults,
) -> Result<Value, Vec<FieldError>> {
    let mut check = Problems(vendor.validate());
    let remote = vendor.remote_fields.as_ref();
    for (field, from) in FIELDS_OF_NEW_VENDORS {
        check.require(
            remote.is_none_or(|r| !r.contains_key(field)),
            format!("$.remote_fields.{field}"),
            format!("is set by the connector ({from})"),
        );
    }
    let grouping = remote_code(remote, "BusinessPartnerGrouping", &mut check)
        .or_else(|| defaults.grouping.clone());
    let purchasing_organization = remote_code(remote, "PurchasingOrganization", &mut check)
        .or_else(|| defaults.purchasing_organization.clone());
    let company_code =
        remote_code(remote, "CompanyCode", &mut check).or_else(|| defaults.company_code.clone());

    check.max_len(
        Some(&vendor.name),
        limits::NAME,
        "$.name",
        "an organisation name line",
    );
    check.max_len(
        vendor.tax_id.as_deref(),
        limits::VAT_REGISTRATION,
        "$.tax_id",
        "a VAT registration number",
    );
    check.max_len(
        vendor.payment_terms.as_deref(),
        limits::PAYMENT_TERMS,
        "$.payment_terms",
        "a payment terms key",
    );
    no_contact(&mut check, vendor.email.as_ref(), vendor.phone.as_ref());
    if purchasing_organization.is_some() {
        check.require(
            vendor.currency.is_some(),
            "$.currency",
            "SAP needs the order currency of the supplier's purchasing organisation",
        );
    } else {
        let message = "SAP keeps it per purchasing organisation: give `remote_fields.PurchasingOrganization` or the connection setting `purchasing_organization`";
        check.require(vendor.currency.is_none(), "$.currency", message);
        check.require(vendor.payment_terms.is_none(), "$.payment_terms", message);
    }
    if let Some(address) = &vendor.address {
        check_address(&mut check, address, true);
    }
    if !check.0.is_empty() {
        return Err(check.0);
    }

    let purchasing_orgs = purchasing_organization.map(|org| {
        Navigation::Expanded(vec![wire::SupplierPurchasingOrg {
            purchasing_organization: Some(org),
            purchase_order_currency: vendor.currency.clone(),
            payment_terms: present(vendor.payment_terms.as_ref()),
        }])
    });
    let companies = company_code.map(|code| {
        Navigation::Expanded(vec![wire::SupplierCompany {
            company_code: Some(code),
        }])
    });
    let partner = wire::BusinessPartner {
        category: Some(ORGANIZATION.into()),
        organization_name1: Some(vendor.name.trim().to_owned()),
        grouping,
        roles: Some(Navigation::Expanded(vec![wire::BusinessPartnerRole {
            role: Some(SUPPLIER_ROLE.into()),
        }])),
        supplier_role: Some(wire::Supplier {
            vat_registration: present(vendor.tax_id.as_ref()),
            purchasing_orgs,
            companies,
            ..wire::Supplier::default()
        }),
        addresses: vendor.address.as_ref().map(|a| {
            Navigation::Expanded(vec![wire::BusinessPartnerAddress {
                street_name: present(a.line1.as_ref()),
                city_name: present(a.city.as_ref()),
                postal_code: present(a.postal_code.as_ref()),
                region: present(a.region.as_ref()),
                country: present(a.country.as_ref()),
                ..wire::BusinessPartnerAddress::default()
            }])
        }),
        ..wire::BusinessPartner::default()
    };
    let mut body = object_of(&partner, "an SAP business partner")?;
    for (key, value) in remote.into_iter().flatten() {
        if !matches!(key.as_str(), "PurchasingOrganization" | "CompanyCode") {
            body.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Object(body))
}

/// The changes of one vendor patch, entity by entity, as SAP takes them. Each body is sent only
/// when it holds something.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SupplierChanges {
    /// `PATCH A_BusinessPartner('…')`.
    pub(crate) partner: Map<String, Value>,
    /// `PATCH A_Supplier('…')`.
    pub(crate) supplier: Map<String, Value>,
    /// `PATCH A_SupplierPurchasingOrg(Supplier='…',PurchasingOrganization='…')` of the first
    /// purchasing organisation, the one the mapping reads.
    pub(crate) purchasing_org: Map<String, Value>,
    /// `PATCH A_BusinessPartnerAddress(BusinessPartner='…',AddressID='…')` of the first address.
    pub(crate) address: Map<String, Value>,
}

/// Fields of `A_BusinessPartner` that `remote_fields` of a patch may not touch: the key, the
/// name when the patch sets it, and navigations (SAP Gateway takes no deep updates).
fn forbidden_in_patch(key: &str, patch: &VendorPatch) -> Option<&'static str> {
    if key == "BusinessPartner" || key == "Supplier" {
        Some("is a key and cannot change")
    } else if key.starts_with("to_") || key.starts_with("__") {
        Some("SAP takes no navigation properties in a change")
    } else if key == "OrganizationBPName1" && patch.name.is_some() {
        Some("is set from `$.name`; give it there only")
    } else {
        None
    }
}

/// What SAP would refuse in `patch` of the supplier as it is now (`current`), or the bodies
/// that make the change.
pub(crate) fn supplier_changes(
    patch: &VendorPatch,
    current: &wire::BusinessPartner,
) -> Result<SupplierChanges, Vec<FieldError>> {
    let mut check = Problems(patch.validate());
    let mut changes = SupplierChanges::default();
    no_contact(&mut check, patch.email.as_ref(), patch.phone.as_ref());
    if let Some(name) = &patch.name {
        check.max_len(
            Some(name),
            limits::NAME,
            "$.name",
            "an organisation name line",
        );
        check.require(
            current.category.as_deref().is_none_or(|c| c == ORGANIZATION),
            "$.name",
            "this business partner is not an organisation: SAP keeps a person's name in FirstName and LastName",
        );
        changes.partner.insert(
            "OrganizationBPName1".into(),
            Value::String(name.trim().to_owned()),
        );
    }
    for (key, value) in patch.remote_fields.iter().flatten() {
        match forbidden_in_patch(key, patch) {
            Some(why) => check.require(false, format!("$.remote_fields.{key}"), why),
            None => {
                changes.partner.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(tax_id) = &patch.tax_id {
        check.max_len(
            Some(tax_id),
            limits::VAT_REGISTRATION,
            "$.tax_id",
            "a VAT registration number",
        );
        changes.supplier.insert(
            "VATRegistration".into(),
            Value::String(tax_id.trim().to_owned()),
        );
    }
    let role = current.supplier_role.as_ref();
    if let Some(terms) = &patch.payment_terms {
        check.max_len(
            Some(terms),
            limits::PAYMENT_TERMS,
            "$.payment_terms",
            "a payment terms key",
        );
        let has_org = role
            .and_then(|r| r.purchasing_orgs.as_ref())
            .and_then(Navigation::expanded)
            .is_some_and(|orgs| !orgs.is_empty());
        check.require(
            has_org,
            "$.payment_terms",
            "the supplier has no purchasing organisation in SAP to hold payment terms",
        );
        changes.purchasing_org.insert(
            "PaymentTerms".into(),
            Value::String(terms.trim().to_owned()),
        );
    }
    if let Some(address) = &patch.address {
        check_address(&mut check, address, false);
        let first = current
            .addresses
            .as_ref()
            .and_then(Navigation::expanded)
            .and_then(<[_]>::first);
        check.require(
            first.is_some(),
            "$.address",
            "the business partner has no address in SAP to change",
        );
        let mut set = |field: &str, value: &Option<String>| {
            if let Some(value) = value {
                changes
                    .address
                    .insert(field.into(), Value::String(value.trim().to_owned()));
            }
        };
        set("StreetName", &address.line1);
        set("CityName", &address.city);
        set("PostalCode", &address.postal_code);
        set("Region", &address.region);
        set("Country", &address.country);
        // `line1` is the whole street line: a house number kept apart would be read back
        // behind it.
        if address.line1.is_some()
            && first.is_some_and(|a| present(a.house_number.as_ref()).is_some())
        {
            changes
                .address
                .insert("HouseNumber".into(), Value::String(String::new()));
        }
    }
    if check.0.is_empty() {
        Ok(changes)
    } else {
        Err(check.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::mapping::test_support::{any_flag, results};
    use crate::test_support::{object, protocol_detail};
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/sap/suppliers_page.json");

    #[test]
    fn realistic_suppliers_map_as_reviewed() {
        let records: Vec<Value> = results(PAGE)
            .into_iter()
            .map(|raw| {
                let read = supplier_record(raw).unwrap();
                json!({
                    "business_partner": read.business_partner,
                    "remote_id": read.record.remote_id,
                    "remote_created_at": read.record.remote_created_at,
                    "remote_updated_at": read.record.remote_updated_at,
                    "remote_version": read.record.remote_version,
                    "data": read.record.data,
                })
            })
            .collect();
        insta::assert_json_snapshot!("suppliers", records);
    }

    #[test]
    fn broken_partners_name_the_field() {
        let detail = |raw: Value| protocol_detail(supplier_record(raw));
        let base = results(PAGE).remove(0);
        let mut raw = base.clone();
        raw["LastChangeTime"] = json!("15:51:04");
        let d = detail(raw);
        assert!(
            d.contains("LastChangeTime") && d.contains("17300001"),
            "{d}"
        );

        let mut raw = base.clone();
        raw.as_object_mut().unwrap().remove("LastChangeDate");
        assert!(detail(raw).contains("LastChangeDate"));

        let mut raw = base.clone();
        raw["to_Supplier"] = json!({"__deferred": {"uri": "x"}});
        assert!(detail(raw).contains("to_Supplier"));

        let mut raw = base.clone();
        raw["to_Supplier"]["to_SupplierPurchasingOrg"] = json!({"__deferred": {"uri": "x"}});
        assert!(detail(raw).contains("to_SupplierPurchasingOrg"));

        let mut raw = base.clone();
        raw["to_Supplier"] = Value::Null;
        assert!(detail(raw).contains("supplier role"));

        let mut raw = base;
        raw["to_Supplier"]["to_SupplierPurchasingOrg"]["results"][0]["PaymentTerms"] = json!(4);
        assert!(
            detail(raw).contains("to_Supplier.to_SupplierPurchasingOrg.results[0].PaymentTerms")
        );

        assert!(detail(json!("not an object")).contains("business partner ?"));
    }

    fn new_vendor() -> NewVendor {
        NewVendor {
            name: "Bolt & Nut Supply Inc.".into(),
            tax_id: Some("US123456789".into()),
            currency: Some("USD".into()),
            payment_terms: Some("0004".into()),
            email: None,
            phone: None,
            address: Some(Address {
                line1: Some("100 Industrial Way".into()),
                city: Some("Palo Alto".into()),
                postal_code: Some("94304".into()),
                region: Some("CA".into()),
                country: Some("US".into()),
            }),
            remote_fields: Some(
                json!({"SearchTerm1": "BOLTNUT", "CompanyCode": "1710"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        }
    }

    fn defaults() -> SupplierDefaults {
        SupplierDefaults {
            grouping: Some("BP02".into()),
            purchasing_organization: Some("1710".into()),
            company_code: Some("1010".into()),
        }
    }

    #[test]
    fn create_payload_is_a_deep_insert_in_the_supplier_role() {
        assert_eq!(
            new_supplier_payload(&new_vendor(), &defaults()).unwrap(),
            json!({
                "BusinessPartnerCategory": "2",
                "OrganizationBPName1": "Bolt & Nut Supply Inc.",
                "BusinessPartnerGrouping": "BP02",
                "SearchTerm1": "BOLTNUT",
                "to_BusinessPartnerRole": [{"BusinessPartnerRole": "FLVN01"}],
                "to_Supplier": {
                    "VATRegistration": "US123456789",
                    "to_SupplierPurchasingOrg": [{"PurchasingOrganization": "1710",
                        "PurchaseOrderCurrency": "USD", "PaymentTerms": "0004"}],
                    "to_SupplierCompany": [{"CompanyCode": "1710"}]
                },
                "to_BusinessPartnerAddress": [{"StreetName": "100 Industrial Way",
                    "CityName": "Palo Alto", "PostalCode": "94304", "Region": "CA", "Country": "US"}]
            })
        );
        // Without organisational settings: a supplier with general data only.
        let bare = NewVendor {
            name: "Acme".into(),
            tax_id: None,
            currency: None,
            payment_terms: None,
            email: None,
            phone: None,
            address: None,
            remote_fields: None,
        };
        assert_eq!(
            new_supplier_payload(&bare, &SupplierDefaults::default()).unwrap(),
            json!({"BusinessPartnerCategory": "2", "OrganizationBPName1": "Acme",
                   "to_BusinessPartnerRole": [{"BusinessPartnerRole": "FLVN01"}], "to_Supplier": {}})
        );
    }

    #[test]
    fn sap_requirements_are_checked_before_sending() {
        let mut vendor = new_vendor();
        vendor.name = "N".repeat(41);
        vendor.email = Some("buyer@example.com".into());
        vendor.address = Some(Address {
            country: None,
            ..Address::default()
        });
        vendor.remote_fields = Some(
            json!({"to_Supplier": {}, "CompanyCode": 1710})
                .as_object()
                .unwrap()
                .clone(),
        );
        let paths: Vec<String> = new_supplier_payload(&vendor, &defaults())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.remote_fields.to_Supplier",
                "$.remote_fields.CompanyCode",
                "$.name",
                "$.email",
                "$.address.country"
            ]
        );
        // Currency and terms need a purchasing organisation.
        let vendor = NewVendor {
            remote_fields: None,
            ..new_vendor()
        };
        let paths: Vec<String> = new_supplier_payload(&vendor, &SupplierDefaults::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.currency", "$.payment_terms"]);
        // And a purchasing organisation needs the currency.
        let vendor = NewVendor {
            currency: None,
            ..new_vendor()
        };
        let paths: Vec<String> = new_supplier_payload(&vendor, &defaults())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.currency"]);
    }

    #[test]
    fn patches_split_by_entity() {
        let current: wire::BusinessPartner =
            serde_json::from_value(results(PAGE).remove(0)).unwrap();
        let patch = VendorPatch {
            name: Some("Domestic US Supplier 1 Inc.".into()),
            tax_id: Some("US987654321".into()),
            payment_terms: Some("0001".into()),
            address: Some(Address {
                line1: Some("3410 Hillview Ave".into()),
                ..Address::default()
            }),
            remote_fields: Some(
                json!({"SearchTerm1": "DOMUS1"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            ..VendorPatch::default()
        };
        let changes = supplier_changes(&patch, &current).unwrap();
        assert_eq!(
            Value::Object(changes.partner),
            json!({"OrganizationBPName1": "Domestic US Supplier 1 Inc.", "SearchTerm1": "DOMUS1"})
        );
        assert_eq!(
            Value::Object(changes.supplier),
            json!({"VATRegistration": "US987654321"})
        );
        assert_eq!(
            Value::Object(changes.purchasing_org),
            json!({"PaymentTerms": "0001"})
        );
        assert_eq!(
            Value::Object(changes.address),
            json!({"StreetName": "3410 Hillview Ave", "HouseNumber": ""})
        );

        let refused = VendorPatch {
            phone: Some("+1 650 000".into()),
            remote_fields: Some(
                json!({"to_Supplier": {}, "BusinessPartner": "1"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            ..VendorPatch::default()
        };
        let paths: Vec<String> = supplier_changes(&refused, &current)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.phone",
                "$.remote_fields.BusinessPartner",
                "$.remote_fields.to_Supplier"
            ]
        );
        let mut bare = current;
        bare.addresses = Some(Navigation::Expanded(vec![]));
        let address_only = VendorPatch {
            address: Some(Address {
                city: Some("Boston".into()),
                ..Address::default()
            }),
            ..VendorPatch::default()
        };
        assert!(supplier_changes(&address_only, &bare).is_err());
    }

    // ---- properties ----

    fn any_text() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "[0-9]{0,10}".prop_map(Value::String),
            Just(Value::Null),
            any::<i32>().prop_map(|n| json!(n)),
        ]
    }

    fn any_date() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(|n| json!(format!("/Date({n})/"))),
            (-2_208_988_800_000_i64..253_402_214_400_000)
                .prop_map(|n| json!(format!("\\/Date({})\\/", n - n.rem_euclid(86_400_000)))),
            any::<String>().prop_map(Value::String),
            Just(Value::Null),
        ]
    }

    fn any_time() -> impl Strategy<Value = Value> {
        prop_oneof![
            (0u32..30, 0u32..70, 0u32..70)
                .prop_map(|(h, m, s)| json!(format!("PT{h:02}H{m:02}M{s:02}S"))),
            any::<String>().prop_map(Value::String),
            Just(Value::Null),
        ]
    }

    fn many(entry: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
        prop_oneof![
            proptest::collection::vec(entry.clone(), 0..3).prop_map(|v| json!({"results": v})),
            proptest::collection::vec(entry, 0..3).prop_map(Value::Array),
            Just(json!({"__deferred": {"uri": "x"}})),
            any_text(),
        ]
        .boxed()
    }

    fn any_partner() -> impl Strategy<Value = Value> {
        let org = object(vec![
            ("PurchasingOrganization", any_text().boxed()),
            ("PurchaseOrderCurrency", any_text().boxed()),
            ("PaymentTerms", any_text().boxed()),
        ])
        .boxed();
        let supplier = prop_oneof![
            object(vec![
                ("Supplier", any_text().boxed()),
                ("SupplierName", any_text().boxed()),
                ("PurchasingIsBlocked", any_flag().boxed()),
                ("DeletionIndicator", any_flag().boxed()),
                ("VATRegistration", any_text().boxed()),
                ("TaxNumber1", any_text().boxed()),
                ("to_SupplierPurchasingOrg", many(org)),
            ]),
            Just(json!({"__deferred": {"uri": "x"}})),
            Just(Value::Null),
        ];
        let address = object(vec![
            ("AddressID", any_text().boxed()),
            ("StreetName", any_text().boxed()),
            ("HouseNumber", any_text().boxed()),
            ("CityName", any_text().boxed()),
            ("PostalCode", any_text().boxed()),
            ("Region", any_text().boxed()),
            ("Country", any_text().boxed()),
        ])
        .boxed();
        object(vec![
            ("BusinessPartner", any_text().boxed()),
            ("BusinessPartnerCategory", any_text().boxed()),
            ("BusinessPartnerFullName", any_text().boxed()),
            ("OrganizationBPName1", any_text().boxed()),
            ("FirstName", any_text().boxed()),
            ("LastName", any_text().boxed()),
            ("Supplier", any_text().boxed()),
            ("BusinessPartnerIsBlocked", any_flag().boxed()),
            ("CreationDate", any_date().boxed()),
            ("CreationTime", any_time().boxed()),
            ("LastChangeDate", any_date().boxed()),
            ("LastChangeTime", any_time().boxed()),
            ("to_Supplier", supplier.boxed()),
            ("to_BusinessPartnerAddress", many(address)),
        ])
    }

    fn any_code() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[A-Z0-9]{1,4}")
    }

    fn new_vendors() -> impl Strategy<Value = NewVendor> {
        let address = (
            proptest::option::of("[A-Za-z0-9][ -~]{0,58}[A-Za-z0-9]"),
            proptest::option::of("[A-Za-z][A-Za-z .-]{0,38}[a-z]"),
            proptest::option::of("[0-9A-Z]{3,10}"),
            proptest::option::of("[A-Z0-9]{1,3}"),
            "[A-Z]{2}",
        )
            .prop_map(|(line1, city, postal_code, region, country)| Address {
                line1,
                city,
                postal_code,
                region,
                country: Some(country),
            });
        (
            "[A-Za-z0-9][ -~]{0,38}[A-Za-z0-9.]",
            proptest::option::of("[A-Z]{2}[0-9A-Z]{2,18}"),
            prop_oneof![Just("USD"), Just("EUR"), Just("JPY")],
            proptest::option::of("[0-9A-Z]{4}"),
            proptest::option::of(address),
        )
            .prop_map(
                |(name, tax_id, currency, payment_terms, address)| NewVendor {
                    name,
                    tax_id,
                    currency: Some(currency.into()),
                    payment_terms,
                    email: None,
                    phone: None,
                    address,
                    remote_fields: None,
                },
            )
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_partner()) {
            if let Ok(read) = supplier_record(raw) {
                let EntityData::Vendor(vendor) = read.record.data else {
                    panic!("not a vendor");
                };
                prop_assert!(!vendor.name.trim().is_empty());
                prop_assert_eq!(&vendor.number, &read.record.remote_id);
            }
        }

        #[test]
        fn what_is_created_reads_back(
            vendor in new_vendors(),
            grouping in any_code(),
            company in any_code(),
            org in "[A-Z0-9]{4}",
        ) {
            let defaults = SupplierDefaults {
                grouping,
                purchasing_organization: Some(org),
                company_code: company,
            };
            let payload = match new_supplier_payload(&vendor, &defaults) {
                Ok(payload) => payload,
                Err(errors) => return Err(TestCaseError::fail(format!("{errors:?}"))),
            };
            // SAP answers the create with the body it kept, plus what it assigned.
            let mut stored = payload.clone();
            stored["BusinessPartner"] = json!("17300099");
            stored["Supplier"] = json!("17300099");
            stored["BusinessPartnerFullName"] = payload["OrganizationBPName1"].clone();
            stored["LastChangeDate"] = json!("/Date(1706659200000)/");
            stored["LastChangeTime"] = json!("PT15H51M04S");
            let addresses = stored
                .get("to_BusinessPartnerAddress")
                .cloned()
                .unwrap_or_else(|| json!([]));
            stored["to_BusinessPartnerAddress"] = json!({"results": addresses});
            let orgs = stored["to_Supplier"].get("to_SupplierPurchasingOrg").cloned().unwrap_or_else(|| json!([]));
            stored["to_Supplier"]["to_SupplierPurchasingOrg"] = json!({"results": orgs});
            let text = serde_json::to_string(&stored).unwrap();
            let read = supplier_record(serde_json::from_str(&text).unwrap());
            let read = match read {
                Ok(read) => read,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let EntityData::Vendor(back) = read.record.data else {
                panic!("not a vendor");
            };
            prop_assert_eq!(back.name, vendor.name.trim());
            prop_assert_eq!(back.tax_id, vendor.tax_id);
            prop_assert_eq!(back.currency, vendor.currency);
            prop_assert_eq!(back.payment_terms, vendor.payment_terms);
            prop_assert_eq!(back.status, VendorStatus::Active);
            let expected_address = vendor.address.map(|a| Address {
                line1: a.line1.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
                city: a.city.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
                ..a
            });
            prop_assert_eq!(back.address, expected_address);
        }
    }
}
