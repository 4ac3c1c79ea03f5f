//! Maximo ⇄ canonical for vendors: a `COMPANIES` record of `mxapivendor` into a [`Vendor`], and
//! the body that creates one.
//!
//! # Reading a company
//! - `remote_id` = `company/orgid`; `number` = `company`; `remote_updated_at` = `changedate`;
//!   `remote_created_at` = none; `remote_version` = `_rowstamp`.
//! - `name`; `status` = `blocked` when `disabled`, else `active`; `currency` = `currencycode`;
//!   `payment_terms` = `paymentterms`; `phone`; `address` from `address1`, `city`,
//!   `stateprovince` (region), `zip` and `country` (none when all are empty); `tax_id` and
//!   `email` = none (a company keeps neither in `mxapivendor`; e-mail lives on its contacts).
//!
//! # Creating a company
//! `POST mxapivendor` with [`company_payload`]: `name`, `type` (the `company_type` setting,
//! default `V`), `orgid` (the `orgid` setting), `currencycode`, `paymentterms`, `phone` and the
//! address attributes. `company` (the code) goes in `remote_fields`; without it Maximo must
//! number the company itself (an autokey) or refuses. Refused before sending: a `tax_id` and an
//! `email` (no such attributes), and attributes Maximo sets itself.

use super::VENDORS;
use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::maximo::mapping::{Defaults, parse, put, record_id};
use crate::native::present;
use chrono::{DateTime, Utc};
use mw_model::{
    Address, EntityData, FieldError, NewVendor, RemoteRecord, Validate, Vendor, VendorPatch,
    VendorStatus,
};
use serde_json::{Map, Value};

/// Reads one native company into a record.
pub(crate) fn vendor_record(
    raw: Value,
    _read_at: DateTime<Utc>,
) -> Result<RemoteRecord, ConnectorError> {
    let id = record_id(&raw, "company", VENDORS.keys)?;
    let company: wire::Company = parse(&raw, "company", VENDORS.keys)?;
    let changed = company
        .changedate
        .ok_or_else(|| ConnectorError::protocol(format!("company {id}: no `changedate`")))?;
    let address = Address {
        line1: present(&company.address1),
        city: present(&company.city),
        postal_code: present(&company.zip),
        region: present(&company.stateprovince),
        country: present(&company.country),
    };
    let data = Vendor {
        number: company.company.clone().unwrap_or_default(),
        name: present(&company.name).unwrap_or_default(),
        status: if company.disabled.is_some_and(|d| d.0) {
            VendorStatus::Blocked
        } else {
            VendorStatus::Active
        },
        tax_id: None,
        currency: present(&company.currencycode),
        payment_terms: present(&company.paymentterms),
        email: None,
        phone: present(&company.phone),
        address: (address != Address::default()).then_some(address),
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: None,
        remote_updated_at: changed.utc(),
        remote_version: company.rowstamp.map(|r| r.0),
        data: EntityData::Vendor(data),
        raw: Some(raw),
    })
}

/// The body of `POST mxapivendor`, or every reason it cannot be built.
pub(crate) fn company_payload(
    vendor: &NewVendor,
    defaults: &Defaults,
) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(vendor.validate());
    p.require(
        vendor.tax_id.is_none(),
        "$.tax_id",
        "mxapivendor has no tax id attribute; give your installation's attribute in remote_fields",
    );
    p.require(
        vendor.email.is_none(),
        "$.email",
        "Maximo keeps e-mail addresses on a company's contacts, not on the company",
    );
    let mut body = Map::new();
    put(&mut body, "name", present(&Some(vendor.name.clone())));
    put(&mut body, "type", Some(defaults.company_type.clone()));
    put(&mut body, "orgid", defaults.orgid.clone());
    put(&mut body, "currencycode", present(&vendor.currency));
    put(&mut body, "paymentterms", present(&vendor.payment_terms));
    put(&mut body, "phone", present(&vendor.phone));
    let address = vendor.address.clone().unwrap_or_default();
    put(&mut body, "address1", present(&address.line1));
    put(&mut body, "city", present(&address.city));
    put(&mut body, "stateprovince", present(&address.region));
    put(&mut body, "zip", present(&address.postal_code));
    put(&mut body, "country", present(&address.country));
    let mut canonical = vec![("name", "$.name")];
    for (set, attr, path) in [
        (vendor.currency.is_some(), "currencycode", "$.currency"),
        (
            vendor.payment_terms.is_some(),
            "paymentterms",
            "$.payment_terms",
        ),
        (vendor.phone.is_some(), "phone", "$.phone"),
        (address.line1.is_some(), "address1", "$.address.line1"),
        (address.city.is_some(), "city", "$.address.city"),
        (
            address.region.is_some(),
            "stateprovince",
            "$.address.region",
        ),
        (
            address.postal_code.is_some(),
            "zip",
            "$.address.postal_code",
        ),
        (address.country.is_some(), "country", "$.address.country"),
    ] {
        if set {
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        vendor.remote_fields.as_ref(),
        &canonical,
        &[("companiesid", "is numbered by Maximo")],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

/// The attributes a change of a company merges, or every reason it cannot. Tax id and e-mail
/// have no attribute on a company (as for creates).
pub(crate) fn company_changes(patch: &VendorPatch) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    p.require(
        patch.tax_id.is_none(),
        "$.tax_id",
        "mxapivendor has no tax id attribute; give your installation's attribute in remote_fields",
    );
    p.require(
        patch.email.is_none(),
        "$.email",
        "Maximo keeps e-mail addresses on a company's contacts, not on the company",
    );
    let mut body = Map::new();
    let address = patch.address.clone().unwrap_or_default();
    let mut canonical = Vec::new();
    for (value, attr, path) in [
        (&patch.name, "name", "$.name"),
        (&patch.payment_terms, "paymentterms", "$.payment_terms"),
        (&patch.phone, "phone", "$.phone"),
        (&address.line1, "address1", "$.address.line1"),
        (&address.city, "city", "$.address.city"),
        (&address.region, "stateprovince", "$.address.region"),
        (&address.postal_code, "zip", "$.address.postal_code"),
        (&address.country, "country", "$.address.country"),
    ] {
        if let Some(value) = value {
            body.insert(attr.to_owned(), Value::String(value.trim().to_owned()));
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        patch.remote_fields.as_ref(),
        &canonical,
        &[
            ("company", "is the company's key and does not change"),
            ("orgid", "is the company's key and does not change"),
            ("companiesid", "is numbered by Maximo"),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

/// What a delete merges: Maximo keeps companies (orders and invoices refer to them) and
/// disables them instead.
pub(crate) fn disabling() -> Value {
    serde_json::json!({"disabled": true})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::mapping::test_support::{members, now};
    use crate::test_support::{assert_keeps_raw, reviewed_page};
    use mw_model::Entity;
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/maximo/vendors.json");

    fn vendor_of(record: &RemoteRecord) -> &Vendor {
        match &record.data {
            EntityData::Vendor(v) => v,
            other => panic!("not a vendor: {other:?}"),
        }
    }

    #[test]
    fn company_changes_merge_what_the_patch_names() {
        let patch: VendorPatch = serde_json::from_value(
            json!({"name": "Acme Two", "address": {"city": "Austin", "country": "US"}}),
        )
        .unwrap();
        assert_eq!(
            company_changes(&patch).unwrap(),
            json!({"name": "Acme Two", "city": "Austin", "country": "US"})
        );
        let refused: VendorPatch = serde_json::from_value(
            json!({"email": "a@b.example", "remote_fields": {"company": "X"}}),
        )
        .unwrap();
        let paths: Vec<String> = company_changes(&refused)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.email", "$.remote_fields.company"]);
        assert_eq!(disabling(), json!({"disabled": true}));
    }

    #[test]
    fn realistic_companies_map_as_reviewed() {
        let records = reviewed_page(members(PAGE), |raw| vendor_record(raw, now()));
        insta::assert_json_snapshot!("vendors", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(
            members(PAGE).remove(0),
            |raw| vendor_record(raw, now()),
            Entity::Vendors,
        );
    }

    #[test]
    fn broken_records_name_the_field() {
        let mut raw = members(PAGE).remove(0);
        raw["disabled"] = json!("no");
        let err = vendor_record(raw, now()).unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Protocol { detail, .. } if detail.contains("disabled") && detail.contains("ACME/EAGLENA")),
            "{err:?}"
        );
    }

    #[test]
    fn new_companies_carry_what_maximo_reads() {
        let vendor = NewVendor {
            name: "Acme Industrial Supply".into(),
            tax_id: None,
            currency: Some("USD".into()),
            payment_terms: Some("NET30".into()),
            email: None,
            phone: Some("+1 781 555 0100".into()),
            address: Some(Address {
                line1: Some("1 Industrial Way".into()),
                city: Some("Bedford".into()),
                postal_code: Some("01730".into()),
                region: Some("MA".into()),
                country: Some("US".into()),
            }),
            remote_fields: json!({"company": "ACME2"}).as_object().cloned(),
        };
        let defaults = Defaults {
            orgid: Some("EAGLENA".into()),
            company_type: "V".into(),
            ..Defaults::default()
        };
        assert_eq!(
            company_payload(&vendor, &defaults).unwrap(),
            json!({"company": "ACME2", "name": "Acme Industrial Supply", "type": "V",
                "orgid": "EAGLENA", "currencycode": "USD", "paymentterms": "NET30",
                "phone": "+1 781 555 0100", "address1": "1 Industrial Way", "city": "Bedford",
                "stateprovince": "MA", "zip": "01730", "country": "US"})
        );
        let wrong = NewVendor {
            tax_id: Some("04-1234567".into()),
            email: Some("sales@acme.example".into()),
            remote_fields: json!({"city": "Boston", "changeby": "ME"})
                .as_object()
                .cloned(),
            ..vendor
        };
        let paths: Vec<String> = company_payload(&wrong, &defaults)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.tax_id",
                "$.email",
                "$.remote_fields.changeby",
                "$.remote_fields.city"
            ]
        );
    }

    proptest! {
        #[test]
        fn mapping_never_panics(
            disabled in prop_oneof![any::<bool>().prop_map(Value::Bool), any::<i64>().prop_map(Value::from), any::<String>().prop_map(Value::String)],
            company in prop_oneof![any::<String>().prop_map(Value::String), Just(Value::Null)],
            changedate in prop_oneof![any::<String>().prop_map(Value::String), Just(json!("2024-02-01T08:00:02+00:00"))],
        ) {
            let raw = json!({"company": company, "orgid": "EAGLENA", "disabled": disabled,
                "changedate": changedate, "name": "Acme"});
            if let Ok(record) = vendor_record(raw, now()) {
                prop_assert!(record.remote_id.ends_with("/EAGLENA"));
            }
        }

        #[test]
        fn create_payload_round_trips(
            name in "[A-Za-z][ -~]{0,40}[A-Za-z]",
            company in "[A-Z0-9]{1,12}",
            currency in proptest::option::of(prop_oneof![Just("USD"), Just("EUR")]),
            city in proptest::option::of("[A-Za-z ]{1,20}[a-z]"),
        ) {
            let vendor = NewVendor {
                name: name.clone(), tax_id: None, currency: currency.map(str::to_owned),
                payment_terms: None, email: None, phone: None,
                address: city.clone().map(|c| Address { city: Some(c), ..Address::default() }),
                remote_fields: json!({"company": company}).as_object().cloned(),
            };
            let defaults = Defaults { orgid: Some("EAGLENA".into()), company_type: "V".into(), ..Defaults::default() };
            let mut echoed = match company_payload(&vendor, &defaults) {
                Ok(body) => body,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            echoed["changedate"] = json!("2024-02-01T03:00:02-05:00");
            let record = match vendor_record(echoed, now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let v = vendor_of(&record);
            prop_assert_eq!(&record.remote_id, &format!("{company}/EAGLENA"));
            prop_assert_eq!(&v.name, name.trim());
            prop_assert_eq!(v.currency.as_deref(), currency);
            prop_assert_eq!(v.address.as_ref().and_then(|a| a.city.clone()), city.map(|c| c.trim().to_owned()));
            prop_assert_eq!(v.status, VendorStatus::Active);
        }
    }
}
