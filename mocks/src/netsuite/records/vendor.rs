//! `vendor`: the record, filters and writes.
//!
//! Create: `companyName` and `subsidiary` (the primary subsidiary of a OneWorld account) are
//! mandatory; `currency` defaults to the subsidiary's; `entityId` to the next `V#####`.
//! Delete: only a vendor nothing refers to — a generated vendor may have transactions, so
//! NetSuite's "dependent records" refusal applies to all of them; a vendor created here and
//! not used on an order can go.

use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue, json};

use super::{
    View, WriteContext, bool_field, external_id_field, instant, missing, put, reference_id,
    text_field,
};
use crate::netsuite::data::NetSuiteData;
use crate::netsuite::data::masters::{currency, subsidiary};
use crate::netsuite::data::vendors::{FIRST_VENDOR, Vendor};
use crate::netsuite::error::NsError;
use crate::netsuite::filter::{FieldType, FieldValue, Filterable};

pub(crate) const FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("entityId", FieldType::String),
    ("companyName", FieldType::String),
    ("legalName", FieldType::String),
    ("email", FieldType::String),
    ("phone", FieldType::String),
    ("isInactive", FieldType::Boolean),
    ("subsidiary", FieldType::Select),
    ("currency", FieldType::Select),
    ("dateCreated", FieldType::DateTime),
    ("lastModifiedDate", FieldType::DateTime),
    ("externalId", FieldType::String),
];

pub(crate) struct Fields<'a>(pub(crate) &'a Vendor);

fn optional_text(value: Option<&String>) -> FieldValue {
    value.map_or(FieldValue::Null, |v| FieldValue::Text(v.clone()))
}

impl Filterable for Fields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let vendor = self.0;
        match name {
            "id" => FieldValue::Number(Decimal::from(vendor.id)),
            "entityId" => FieldValue::Text(vendor.entity_id.clone()),
            "companyName" => FieldValue::Text(vendor.company_name.clone()),
            "legalName" => optional_text(vendor.legal_name.as_ref()),
            "email" => optional_text(vendor.email.as_ref()),
            "phone" => optional_text(vendor.phone.as_ref()),
            "isInactive" => FieldValue::Bool(vendor.is_inactive),
            "subsidiary" => FieldValue::Select(vendor.subsidiary.to_string()),
            "currency" => FieldValue::Select(vendor.currency.to_string()),
            "dateCreated" => FieldValue::Instant(vendor.date_created),
            "lastModifiedDate" => FieldValue::Instant(vendor.last_modified),
            "externalId" => optional_text(vendor.external_id.as_ref()),
            _ => FieldValue::Null,
        }
    }
}

pub(crate) fn render(vendor: &Vendor, view: &View) -> Map<String, JsonValue> {
    let url = view.record_url("vendor", vendor.id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(vendor.id.to_string()));
    map.insert(String::from("entityId"), json!(vendor.entity_id));
    map.insert(String::from("companyName"), json!(vendor.company_name));
    map.insert(String::from("isPerson"), json!(false));
    put(
        &mut map,
        "legalName",
        vendor.legal_name.as_ref().map(|v| json!(v)),
    );
    put(&mut map, "email", vendor.email.as_ref().map(|v| json!(v)));
    put(&mut map, "phone", vendor.phone.as_ref().map(|v| json!(v)));
    map.insert(String::from("isInactive"), json!(vendor.is_inactive));
    map.insert(
        String::from("subsidiary"),
        view.reference(
            "subsidiary",
            vendor.subsidiary,
            subsidiary(vendor.subsidiary).map_or("", |s| s.name),
        ),
    );
    map.insert(
        String::from("currency"),
        view.reference(
            "currency",
            vendor.currency,
            currency(vendor.currency).map_or("", |c| c.name),
        ),
    );
    map.insert(
        String::from("emailPreference"),
        view.select("DEFAULT", "Default"),
    );
    let address: Vec<&str> = [
        Some(vendor.company_name.as_str()),
        vendor.city.as_deref(),
        vendor.state.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    map.insert(String::from("defaultAddress"), json!(address.join("\n")));
    map.insert(String::from("dateCreated"), instant(vendor.date_created));
    map.insert(
        String::from("lastModifiedDate"),
        instant(vendor.last_modified),
    );
    put(
        &mut map,
        "externalId",
        vendor.external_id.as_ref().map(|v| json!(v)),
    );
    map
}

const FIELDS: &[&str] = &[
    "companyName",
    "entityId",
    "legalName",
    "email",
    "phone",
    "isInactive",
    "subsidiary",
    "currency",
    "externalId",
    "isPerson",
];

fn apply(
    context: &mut WriteContext,
    vendor: &mut Vendor,
    body: &Map<String, JsonValue>,
    creating: bool,
) -> Result<(), NsError> {
    context.check_names(body, FIELDS, "")?;
    if let Some(value) = body.get("isPerson")
        && bool_field(value, "isPerson", "isPerson")?
    {
        return Err(NsError::invalid_field_value("true", "isPerson", "isPerson"));
    }
    if let Some(value) = body.get("companyName") {
        vendor.company_name = text_field(value, "companyName", "companyName")?
            .ok_or_else(|| missing("Company Name", "companyName"))?;
    } else if creating {
        return Err(missing("Company Name", "companyName"));
    }
    if let Some(value) = body.get("subsidiary") {
        let id = reference_id(value, "subsidiary", "subsidiary")?;
        let found = u32::try_from(id).ok().and_then(subsidiary).ok_or_else(|| {
            NsError::invalid_field_value(&id.to_string(), "subsidiary", "subsidiary")
        })?;
        if !creating && found.id != vendor.subsidiary {
            return Err(NsError::user_error(
                "You cannot change the primary subsidiary of a vendor with transactions.",
            )
            .at_path("subsidiary"));
        }
        vendor.subsidiary = found.id;
        if creating && !body.contains_key("currency") {
            vendor.currency = found.currency;
        }
    } else if creating {
        return Err(missing("Primary Subsidiary", "subsidiary"));
    }
    if let Some(value) = body.get("currency") {
        let id = reference_id(value, "currency", "currency")?;
        vendor.currency = u32::try_from(id)
            .ok()
            .and_then(currency)
            .map(|c| c.id)
            .ok_or_else(|| NsError::invalid_field_value(&id.to_string(), "currency", "currency"))?;
    }
    if let Some(value) = body.get("entityId")
        && let Some(entity_id) = text_field(value, "entityId", "entityId")?
    {
        vendor.entity_id = entity_id;
    }
    if let Some(value) = body.get("legalName") {
        vendor.legal_name = text_field(value, "legalName", "legalName")?;
    }
    if let Some(value) = body.get("email") {
        let email = text_field(value, "email", "email")?;
        if let Some(text) = &email
            && !text.contains('@')
        {
            return Err(NsError::invalid_field_value(text, "email", "email"));
        }
        vendor.email = email;
    }
    if let Some(value) = body.get("phone") {
        vendor.phone = text_field(value, "phone", "phone")?;
    }
    if let Some(value) = body.get("isInactive") {
        vendor.is_inactive = bool_field(value, "isInactive", "isInactive")?;
    }
    if let Some(value) = body.get("externalId") {
        vendor.external_id = external_id_field(value, "externalId")?;
    }
    Ok(())
}

fn duplicate(external: &str) -> NsError {
    super::purchase_order::duplicate_external_id(external)
}

/// Creates a vendor; returns its id.
pub(crate) fn create(
    data: &mut NetSuiteData,
    context: &mut WriteContext,
    body: &Map<String, JsonValue>,
    external_id: Option<&str>,
) -> Result<u64, NsError> {
    let now = context.now;
    let mut vendor = Vendor {
        id: 0,
        entity_id: String::new(),
        company_name: String::new(),
        legal_name: None,
        email: None,
        phone: None,
        is_inactive: false,
        subsidiary: 1,
        currency: 1,
        date_created: now,
        last_modified: now,
        external_id: external_id.map(str::to_owned),
        city: None,
        state: None,
    };
    apply(context, &mut vendor, body, true)?;
    if let Some(external) = &vendor.external_id
        && data.vendors.by_external_id(external).is_some()
    {
        return Err(duplicate(external));
    }
    vendor.id = data.vendors.allocate();
    if vendor.entity_id.is_empty() {
        vendor.entity_id = format!("V{:05}", vendor.id - FIRST_VENDOR + 1);
    }
    let id = vendor.id;
    data.vendors.store(vendor);
    Ok(id)
}

/// Updates a vendor.
pub(crate) fn update(
    data: &mut NetSuiteData,
    context: &mut WriteContext,
    id: u64,
    body: &Map<String, JsonValue>,
) -> Result<(), NsError> {
    let mut vendor = data.vendors.get(id).ok_or_else(NsError::nonexistent_id)?;
    apply(context, &mut vendor, body, false)?;
    if let Some(external) = &vendor.external_id
        && data
            .vendors
            .by_external_id(external)
            .is_some_and(|other| other != id)
    {
        return Err(duplicate(external));
    }
    vendor.last_modified = context.now;
    data.vendors.store(vendor);
    Ok(())
}

/// Deletes a vendor nothing refers to.
pub(crate) fn delete(data: &mut NetSuiteData, id: u64) -> Result<(), NsError> {
    if data.vendors.get(id).is_none() {
        return Err(NsError::nonexistent_id());
    }
    if data.vendors.is_generated(id) || data.transactions.refers_to_vendor(id) {
        return Err(NsError::user_error(
            "This record cannot be deleted because it has dependent records.",
        ));
    }
    data.vendors.delete(id);
    Ok(())
}
