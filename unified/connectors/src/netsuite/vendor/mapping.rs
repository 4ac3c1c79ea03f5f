//! NetSuite ⇄ canonical for vendors: the `vendor` record (read with `expandSubResources=true`,
//! so that `addressBook` is there) and the body that creates one.
//!
//! # Reading
//! - `remote_id` = `id`; `number` = `entityId` (the id when NetSuite printed none);
//!   `remote_created_at` = `dateCreated` (a vendor's is `dateCreated`, not `createdDate`);
//!   `remote_updated_at` = `lastModifiedDate`; no `remote_version`.
//! - `name` = `companyName`; for a person (`isPerson`) `firstName lastName`; then `legalName`,
//!   `entityId`, the id.
//! - `status` = `blocked` when `isInactive`, else `active`.
//! - `tax_id` = `taxIdNum`; `currency` = the ISO code of the `currency` reference (see
//!   `reference`); `payment_terms` = the name of `terms`; `email`, `phone`.
//! - `address` = the `addressBookAddress` of the default billing entry of `addressBook` (else the
//!   first): `addr1`, `city`, `zip`, `state`, `country.id` (NetSuite's country ids are ISO 3166
//!   alpha-2, `US`).
//!
//! # Creating
//! `POST vendor` with `companyName`, `subsidiary` (required in OneWorld accounts: see the
//! connector's settings), `currency`, `terms`, `email`, `phone`, `taxIdNum` and the address as
//! one `addressBook` entry, default for billing and shipping. `remote_fields` go on the body and
//! may not restate what a canonical field sets.
//!
//! # Changing and retiring
//! `PATCH vendor/<id>` with only the fields a patch names (not the address: see
//! [`vendor_changes`]); a delete sets `isInactive`, as NetSuite users retire vendors with history.

use crate::ConnectorError;
use crate::native::present;
use crate::netsuite::reference;
use crate::netsuite::wire::{NsBool, NsDateTime, NsText, Ref, Sublist};
use mw_model::{
    Address, EntityData, FieldError, NewVendor, RemoteRecord, Validate, Vendor, VendorPatch,
    VendorStatus,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NativeVendor {
    #[serde(default)]
    id: Option<NsText>,
    #[serde(default)]
    entity_id: Option<String>,
    #[serde(default)]
    company_name: Option<String>,
    #[serde(default)]
    is_person: Option<NsBool>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    legal_name: Option<String>,
    #[serde(default)]
    is_inactive: Option<NsBool>,
    #[serde(default)]
    tax_id_num: Option<String>,
    #[serde(default)]
    currency: Option<Ref>,
    #[serde(default)]
    terms: Option<Ref>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    date_created: Option<NsDateTime>,
    #[serde(default)]
    last_modified_date: Option<NsDateTime>,
    #[serde(default)]
    address_book: Sublist<AddressBookEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddressBookEntry {
    #[serde(default)]
    default_billing: Option<NsBool>,
    #[serde(default)]
    address_book_address: Option<NativeAddress>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NativeAddress {
    #[serde(default)]
    addr1: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    zip: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    country: Option<Ref>,
}

/// Reads one native `vendor` into a record.
pub(crate) fn vendor_record(raw: Value) -> Result<RemoteRecord, ConnectorError> {
    let native: NativeVendor = crate::native::parse(&raw, || {
        let id = raw.get("id").map(Value::to_string).unwrap_or_default();
        format!("vendor {id}")
    })?;
    let id = native
        .id
        .as_ref()
        .map(|t| t.0.trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ConnectorError::protocol("a vendor has no `id`".into()))?;
    let updated = native.last_modified_date.ok_or_else(|| {
        ConnectorError::protocol(format!("vendor {id}: `lastModifiedDate` is missing"))
    })?;
    let person = native.is_person.is_some_and(|p| p.0).then(|| {
        [present(&native.first_name), present(&native.last_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let name = present(&native.company_name)
        .or(person.filter(|p| !p.is_empty()))
        .or_else(|| present(&native.legal_name))
        .or_else(|| present(&native.entity_id))
        .unwrap_or_else(|| id.clone());
    let entries = &native.address_book.0;
    let entry = entries
        .iter()
        .find(|e| e.default_billing.is_some_and(|b| b.0))
        .or_else(|| entries.first());
    let address = entry
        .and_then(|e| e.address_book_address.as_ref())
        .map(|a| Address {
            line1: present(&a.addr1),
            city: present(&a.city),
            postal_code: present(&a.zip),
            region: present(&a.state),
            country: a.country.as_ref().and_then(Ref::id).map(str::to_owned),
        })
        .filter(|a| *a != Address::default());
    let vendor = Vendor {
        number: present(&native.entity_id).unwrap_or_else(|| id.clone()),
        name,
        status: if native.is_inactive.is_some_and(|i| i.0) {
            VendorStatus::Blocked
        } else {
            VendorStatus::Active
        },
        tax_id: present(&native.tax_id_num),
        currency: native.currency.as_ref().and_then(reference::currency_code),
        payment_terms: native
            .terms
            .as_ref()
            .and_then(Ref::name_or_id)
            .map(str::to_owned),
        email: present(&native.email),
        phone: present(&native.phone),
        address,
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: native.date_created.map(|d| d.0),
        remote_updated_at: updated.0,
        remote_version: None,
        data: EntityData::Vendor(vendor),
        raw: Some(raw),
    })
}

/// What a vendor create needs resolved to internal ids.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) subsidiary: Option<String>,
    pub(crate) currency: Option<String>,
    pub(crate) terms: Option<String>,
}

/// The body of `POST vendor`, or everything NetSuite would refuse in it.
pub(crate) fn vendor_payload(
    vendor: &NewVendor,
    resolved: &Resolved,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = vendor.validate();
    let mut body = Map::new();
    body.insert("companyName".into(), json!(vendor.name.trim()));
    if let Some(id) = &resolved.subsidiary {
        body.insert("subsidiary".into(), json!({ "id": id }));
    }
    if let Some(id) = &resolved.currency {
        body.insert("currency".into(), json!({ "id": id }));
    }
    if let Some(id) = &resolved.terms {
        body.insert("terms".into(), json!({ "id": id }));
    }
    put_contact(&mut body, &vendor.email, &vendor.phone, &vendor.tax_id);
    if let Some(address) = &vendor.address {
        let mut fields = Map::new();
        let parts = [
            ("addr1", &address.line1),
            ("city", &address.city),
            ("zip", &address.postal_code),
            ("state", &address.region),
        ];
        for (field, value) in parts {
            if let Some(value) = present(value) {
                fields.insert(field.into(), json!(value));
            }
        }
        if let Some(country) = present(&address.country) {
            fields.insert("country".into(), json!({ "id": country }));
        }
        if !fields.is_empty() {
            body.insert(
                "addressBook".into(),
                json!({"items": [{"defaultBilling": true, "defaultShipping": true,
                    "addressBookAddress": Value::Object(fields)}]}),
            );
        }
    }
    put_remote_fields(&mut body, vendor.remote_fields.as_ref(), &mut errors);
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// `email`, `phone` and `taxIdNum`, where given.
fn put_contact(
    body: &mut Map<String, Value>,
    email: &Option<String>,
    phone: &Option<String>,
    tax_id: &Option<String>,
) {
    for (field, value) in [("email", email), ("phone", phone), ("taxIdNum", tax_id)] {
        if let Some(value) = present(value) {
            body.insert(field.into(), json!(value));
        }
    }
}

/// `remote_fields` onto the body: never NetSuite's own (`id`, `links`), never what a canonical
/// field already set.
fn put_remote_fields(
    body: &mut Map<String, Value>,
    remote_fields: Option<&Map<String, Value>>,
    errors: &mut Vec<FieldError>,
) {
    for (key, value) in remote_fields.into_iter().flatten() {
        let path = format!("$.remote_fields.{key}");
        if key == "id" || key == "links" {
            errors.push(FieldError::new(path, "is NetSuite's to set"));
        } else if body.contains_key(key) {
            errors.push(FieldError::new(
                path,
                "is set from a canonical field or a setting; give it there only",
            ));
        } else {
            body.insert(key.clone(), value.clone());
        }
    }
}

/// The body of `PATCH vendor/<id>`: only what the patch names. An address is refused: NetSuite
/// keeps it as a line of the `addressBook` sublist, which a PATCH merges into rather than
/// replaces, so the vendor would end up with two.
pub(crate) fn vendor_changes(
    patch: &VendorPatch,
    terms: Option<&str>,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = patch.validate();
    let mut body = Map::new();
    if let Some(name) = present(&patch.name) {
        body.insert("companyName".into(), json!(name));
    }
    if let Some(id) = terms {
        body.insert("terms".into(), json!({ "id": id }));
    }
    put_contact(&mut body, &patch.email, &patch.phone, &patch.tax_id);
    if patch.address.is_some() {
        errors.push(FieldError::new(
            "$.address",
            "is not changed through this connector: NetSuite keeps addresses as addressBook lines; change them in NetSuite",
        ));
    }
    put_remote_fields(&mut body, patch.remote_fields.as_ref(), &mut errors);
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// The body that makes a vendor inactive: NetSuite's way to retire a vendor that transactions
/// still refer to (a DELETE is refused for those with "dependent records").
pub(crate) fn inactivation() -> Value {
    json!({"isInactive": true})
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixture() -> Value {
        serde_json::from_str(include_str!(
            "../../../../../fixtures/protocol/netsuite/vendors.json"
        ))
        .unwrap()
    }

    #[test]
    fn realistic_vendors_map_as_reviewed() {
        let shown: Vec<Value> = fixture()
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(|raw| vendor_record(raw).unwrap())
            .map(|r| {
                json!({
                    "remote_id": r.remote_id,
                    "remote_created_at": r.remote_created_at,
                    "remote_updated_at": r.remote_updated_at,
                    "remote_version": r.remote_version,
                    "data": r.data,
                })
            })
            .collect();
        insta::assert_json_snapshot!("vendors", shown);
    }

    #[test]
    fn broken_vendors_name_the_field() {
        let err = |v: Value| match vendor_record(v) {
            Err(ConnectorError::Protocol { detail, .. }) => detail,
            other => panic!("{other:?}"),
        };
        assert!(err(json!({"id": "1"})).contains("lastModifiedDate"));
        assert!(err(json!({"lastModifiedDate": "2026-03-02T08:00:00Z"})).contains("no `id`"));
        assert!(err(json!({"id": "1", "lastModifiedDate": "2026-03-02T08:00:00Z", "isInactive": "maybe"}))
            .contains("isInactive"));
    }

    fn new_vendor() -> NewVendor {
        NewVendor {
            name: " Millwright Conformance Supplies ".into(),
            tax_id: Some("94-1234567".into()),
            currency: Some("USD".into()),
            payment_terms: None,
            email: Some("ap@millwright.example".into()),
            phone: None,
            address: Some(Address {
                line1: Some("1 Test Street".into()),
                city: Some("Palo Alto".into()),
                postal_code: Some("94304".into()),
                region: Some("CA".into()),
                country: Some("US".into()),
            }),
            remote_fields: Some(json!({"isPerson": false}).as_object().unwrap().clone()),
        }
    }

    #[test]
    fn create_body_in_netsuite_terms() {
        let resolved = Resolved {
            subsidiary: Some("1".into()),
            currency: Some("2".into()),
            terms: Some("3".into()),
        };
        assert_eq!(
            vendor_payload(&new_vendor(), &resolved).unwrap(),
            json!({"companyName": "Millwright Conformance Supplies", "subsidiary": {"id": "1"},
                "currency": {"id": "2"}, "terms": {"id": "3"}, "email": "ap@millwright.example",
                "taxIdNum": "94-1234567", "isPerson": false,
                "addressBook": {"items": [{"defaultBilling": true, "defaultShipping": true,
                    "addressBookAddress": {"addr1": "1 Test Street", "city": "Palo Alto",
                        "zip": "94304", "state": "CA", "country": {"id": "US"}}}]}})
        );
        let mut bad = new_vendor();
        bad.name = " ".into();
        bad.remote_fields = Some(
            json!({"id": "9", "companyName": "x"})
                .as_object()
                .unwrap()
                .clone(),
        );
        let paths: Vec<String> = vendor_payload(&bad, &resolved)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.name",
                "$.remote_fields.companyName",
                "$.remote_fields.id"
            ]
        );
    }

    #[test]
    fn changes_carry_only_what_the_patch_names() {
        let patch: VendorPatch =
            serde_json::from_value(json!({"name": " Acme Two ", "phone": "555-0100"})).unwrap();
        assert_eq!(
            vendor_changes(&patch, Some("4")).unwrap(),
            json!({"companyName": "Acme Two", "phone": "555-0100", "terms": {"id": "4"}})
        );
        let refused: VendorPatch = serde_json::from_value(json!({
            "address": {"city": "Austin"},
            "remote_fields": {"id": "9", "companyName": "x", "category": {"id": "3"}}
        }))
        .unwrap();
        let paths: Vec<String> = vendor_changes(&refused, None)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.address", "$.remote_fields.id"]);
        assert_eq!(inactivation(), json!({"isInactive": true}));
    }

    proptest! {
        /// A created vendor reads back as what was sent.
        #[test]
        fn create_payload_round_trips(
            name in "[A-Za-z][A-Za-z0-9 &.,-]{0,40}[A-Za-z0-9]",
            email in proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.example"),
            city in proptest::option::of("[A-Z][a-z]{1,12}"),
        ) {
            let vendor = NewVendor {
                name: name.clone(),
                email: email.clone(),
                address: Some(Address { city: city.clone(), country: Some("DE".into()), ..Address::default() }),
                remote_fields: None,
                ..new_vendor()
            };
            let mut body = vendor_payload(&vendor, &Resolved::default()).unwrap();
            body["id"] = json!("501");
            body["lastModifiedDate"] = json!("2026-03-02T08:00:00Z");
            let EntityData::Vendor(read) = vendor_record(body).unwrap().data else { unreachable!() };
            prop_assert_eq!(read.name, name.trim());
            prop_assert_eq!(read.email, email);
            let address = read.address.unwrap();
            prop_assert_eq!(address.city, city);
            prop_assert_eq!(address.country.as_deref(), Some("DE"));
            prop_assert_eq!(read.status, VendorStatus::Active);
        }

        /// Whatever NetSuite sends, the mapping answers a record or an error, never a panic.
        #[test]
        fn mapping_never_panics(
            name in proptest::option::of(prop_oneof![Just(json!("A")), Just(json!(5)), Just(Value::Null)]),
            person in proptest::option::of(prop_oneof![Just(json!(true)), Just(json!("T")), Just(json!("x"))]),
            book in prop_oneof![Just(json!({"items": [{"addressBookAddress": {"country": "US"}}]})),
                Just(json!({"items": [{}]})), Just(json!([])), Just(json!(3))],
        ) {
            let raw = json!({"id": "1", "lastModifiedDate": "2026-03-02T08:00:00Z",
                "companyName": name, "isPerson": person, "addressBook": book});
            let _ = vendor_record(raw);
        }
    }
}
