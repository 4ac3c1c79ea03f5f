//! The record types of the REST record API and their JSON (reference §1).
//!
//! Each type renders NetSuite's singular shape: `links` (self), `id` as a string, reference
//! fields as `{id, refName, links}`, list values (`status`, `acctType`) as `{id, refName}`
//! (`{id}` with `simpleEnumFormat=true`), numbers as JSON numbers, dates `YYYY-MM-DD`,
//! datetimes ISO 8601 UTC with minute precision, empty fields omitted, and sublists as
//! `{links, items, totalResults}` when `expandSubResources=true`, otherwise just their `links`.
//! Record links are lower case (`…/record/v1/purchaseorder/1000001`), as observed.
//!
//! - `purchase_order`: `purchaseOrder` with the `item` sublist; create, update, upsert, delete.
//! - `vendor`: `vendor`; create, update, upsert, delete (of vendors without transactions).
//! - `inventory`: `inventoryItem` (read-only) with its `locations` sublist (quantities per
//!   location), and `inventoryAdjustment` with its `inventory` sublist, whose lines move
//!   `quantityOnHand`; create, update (lines are re-applied), upsert, delete (reverses).
//! - `masters`: `location`, `account`, `subsidiary`, `currency` (read-only).

pub(crate) mod inventory;
pub(crate) mod masters;
pub(crate) mod purchase_order;
pub(crate) mod vendor;

use axum::http::HeaderMap;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue, json};

use super::data::{NetSuiteData, Stamp};
use super::error::NsError;
use super::filter::{Compiled, FieldType};

/// Where the record API lives.
pub(crate) const RECORD_ROOT: &str = "/services/rest/record/v1";

/// The record types the emulator serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum RecordType {
    PurchaseOrder,
    Vendor,
    InventoryItem,
    InventoryAdjustment,
    Location,
    Account,
    Subsidiary,
    Currency,
}

const TYPES: [RecordType; 8] = [
    RecordType::PurchaseOrder,
    RecordType::Vendor,
    RecordType::InventoryItem,
    RecordType::InventoryAdjustment,
    RecordType::Location,
    RecordType::Account,
    RecordType::Subsidiary,
    RecordType::Currency,
];

impl RecordType {
    /// The documented (camelCase) record id.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RecordType::PurchaseOrder => "purchaseOrder",
            RecordType::Vendor => "vendor",
            RecordType::InventoryItem => "inventoryItem",
            RecordType::InventoryAdjustment => "inventoryAdjustment",
            RecordType::Location => "location",
            RecordType::Account => "account",
            RecordType::Subsidiary => "subsidiary",
            RecordType::Currency => "currency",
        }
    }

    /// Record types are matched without regard to case: clients call both spellings.
    pub(crate) fn parse(segment: &str) -> Option<Self> {
        TYPES
            .iter()
            .copied()
            .find(|kind| kind.name().eq_ignore_ascii_case(segment))
    }

    /// The sublist this type has, if any.
    pub(crate) fn sublist(self) -> Option<&'static str> {
        match self {
            RecordType::PurchaseOrder => Some("item"),
            RecordType::InventoryItem => Some("locations"),
            RecordType::InventoryAdjustment => Some("inventory"),
            _ => None,
        }
    }

    /// Whether the emulator takes writes for this type.
    pub(crate) fn writable(self) -> bool {
        matches!(
            self,
            RecordType::PurchaseOrder | RecordType::Vendor | RecordType::InventoryAdjustment
        )
    }

    /// The filterable fields of the type and their types.
    pub(crate) fn filter_fields(self) -> &'static [(&'static str, FieldType)] {
        match self {
            RecordType::PurchaseOrder => purchase_order::FILTER_FIELDS,
            RecordType::Vendor => vendor::FILTER_FIELDS,
            RecordType::InventoryItem => inventory::ITEM_FILTER_FIELDS,
            RecordType::InventoryAdjustment => inventory::ADJUSTMENT_FILTER_FIELDS,
            RecordType::Location => masters::LOCATION_FILTER_FIELDS,
            RecordType::Account => masters::ACCOUNT_FILTER_FIELDS,
            RecordType::Subsidiary => masters::SUBSIDIARY_FILTER_FIELDS,
            RecordType::Currency => masters::CURRENCY_FILTER_FIELDS,
        }
    }
}

/// How a record is rendered for one request.
#[derive(Clone, Debug)]
pub(crate) struct View {
    /// `http://host:port`, from the request's `Host`.
    pub(crate) base: String,
    pub(crate) expand: bool,
    pub(crate) simple_enum: bool,
}

impl View {
    pub(crate) fn record_url(&self, lower_type: &str, id: impl std::fmt::Display) -> String {
        format!("{}{RECORD_ROOT}/{lower_type}/{id}", self.base)
    }

    pub(crate) fn self_links(href: &str) -> JsonValue {
        json!([{ "rel": "self", "href": href }])
    }

    /// A reference field: `{id, refName, links}`.
    pub(crate) fn reference(
        &self,
        lower_type: &str,
        id: impl std::fmt::Display,
        name: &str,
    ) -> JsonValue {
        let id = id.to_string();
        json!({
            "id": id,
            "refName": name,
            "links": View::self_links(&self.record_url(lower_type, &id)),
        })
    }

    /// A list value with no record behind it: `{id, refName}`, or `{id}` in simple enum form.
    pub(crate) fn select(&self, id: &str, text: &str) -> JsonValue {
        if self.simple_enum {
            json!({ "id": id })
        } else {
            json!({ "id": id, "refName": text })
        }
    }

    /// A sublist: `{links, items, totalResults}`; the caller drops `items` unless expanded.
    pub(crate) fn sublist(&self, href: &str, items: Vec<JsonValue>) -> JsonValue {
        let total = items.len();
        json!({
            "links": View::self_links(href),
            "items": items,
            "totalResults": total,
        })
    }
}

/// A decimal as a JSON number, as the record API prints amounts and quantities.
pub(crate) fn number(value: Decimal) -> JsonValue {
    serde_json::from_str::<JsonValue>(&value.normalize().to_string()).unwrap_or(JsonValue::Null)
}

pub(crate) fn date(value: NaiveDate) -> JsonValue {
    JsonValue::String(value.format("%Y-%m-%d").to_string())
}

pub(crate) fn instant(value: Stamp) -> JsonValue {
    JsonValue::String(value.iso())
}

/// Inserts `value` under `key` unless it is absent: NetSuite omits empty fields.
pub(crate) fn put(map: &mut Map<String, JsonValue>, key: &str, value: Option<JsonValue>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value);
    }
}

/// Applies `expandSubResources` and `fields` to a rendered record.
pub(crate) fn shape(
    mut record: Map<String, JsonValue>,
    sublist: Option<&str>,
    view: &View,
    fields: Option<&[String]>,
) -> JsonValue {
    if !view.expand
        && let Some(name) = sublist
        && let Some(JsonValue::Object(list)) = record.get_mut(name)
    {
        list.retain(|key, _| key == "links");
    }
    if let Some(fields) = fields {
        record.retain(|key, _| {
            key == "links" || key == "id" || fields.iter().any(|f| f.eq_ignore_ascii_case(key))
        });
    }
    JsonValue::Object(record)
}

/// Renders one record, or `None` when it does not exist.
pub(crate) fn render(
    data: &NetSuiteData,
    kind: RecordType,
    id: u64,
    view: &View,
) -> Result<Option<Map<String, JsonValue>>, NsError> {
    Ok(match kind {
        RecordType::PurchaseOrder => {
            return purchase_order::render(data, id, view);
        }
        RecordType::InventoryAdjustment => {
            return inventory::render_adjustment(data, id, view);
        }
        RecordType::Vendor => data.vendors.get(id).map(|v| vendor::render(&v, view)),
        RecordType::InventoryItem => data
            .items
            .get(id)
            .map(|item| inventory::render_item(data, &item, view)),
        RecordType::Location => u32::try_from(id)
            .ok()
            .and_then(|id| data.masters.location(id))
            .map(|l| masters::render_location(l, view)),
        RecordType::Account => u32::try_from(id)
            .ok()
            .and_then(super::data::masters::account)
            .map(|a| masters::render_account(a, view)),
        RecordType::Subsidiary => u32::try_from(id)
            .ok()
            .and_then(super::data::masters::subsidiary)
            .map(|s| masters::render_subsidiary(s, view)),
        RecordType::Currency => u32::try_from(id)
            .ok()
            .and_then(super::data::masters::currency)
            .map(|c| masters::render_currency(c, view)),
    })
}

/// Resolves `eid:{externalId}` to an internal id.
pub(crate) fn by_external_id(data: &NetSuiteData, kind: RecordType, external: &str) -> Option<u64> {
    use super::data::transactions::TxnKind;
    match kind {
        RecordType::PurchaseOrder => data
            .transactions
            .by_external_id(TxnKind::PurchaseOrder, external),
        RecordType::InventoryAdjustment => data
            .transactions
            .by_external_id(TxnKind::InventoryAdjustment, external),
        RecordType::Vendor => data.vendors.by_external_id(external),
        _ => None,
    }
}

/// Internal ids of the type matching `filter`, ascending, from position `offset` (at most
/// `limit` of them), and how many match in all.
pub(crate) fn list(
    data: &NetSuiteData,
    kind: RecordType,
    filter: Option<&Compiled>,
    offset: u64,
    limit: u64,
) -> (Vec<u64>, u64) {
    let mut ids = Vec::new();
    let mut total = 0_u64;
    let mut take = |id: u64| {
        if total >= offset && (ids.len() as u64) < limit {
            ids.push(id);
        }
        total += 1;
    };
    let min_id = filter.and_then(Compiled::min_id).unwrap_or(0);
    match kind {
        RecordType::PurchaseOrder if filter.is_none() => {
            // No filter: the count is known without scanning, and the page is found by
            // skipping `offset` orders (at most the result ceiling).
            total = data.transactions.purchase_order_count();
            let mut position = 0_u64;
            data.transactions.scan(0, None, &mut |handle| {
                if handle.kind != super::data::transactions::TxnKind::PurchaseOrder {
                    return true;
                }
                if position >= offset {
                    ids.push(handle.id);
                }
                position += 1;
                (ids.len() as u64) < limit
            });
            return (ids, total);
        }
        RecordType::PurchaseOrder => {
            let since = filter.and_then(|f| f.changed_since("lastModifiedDate"));
            data.transactions.scan(min_id, since, &mut |handle| {
                if handle.kind == super::data::transactions::TxnKind::PurchaseOrder {
                    let record = purchase_order::Lazy { handle: &handle };
                    if filter.is_none_or(|f| f.matches(&record)) {
                        take(handle.id);
                    }
                }
                true
            });
        }
        RecordType::InventoryAdjustment => {
            for adjustment in data.transactions.adjustments(min_id) {
                if filter.is_none_or(|f| f.matches(&inventory::AdjustmentFields(&adjustment))) {
                    take(adjustment.id);
                }
            }
        }
        RecordType::Vendor => data.vendors.scan(min_id, &mut |vendor| {
            if filter.is_none_or(|f| f.matches(&vendor::Fields(&vendor))) {
                take(vendor.id);
            }
            true
        }),
        RecordType::InventoryItem => {
            let start = data.items.index_of(min_id).unwrap_or(
                if min_id <= super::data::items::FIRST_ITEM {
                    0
                } else {
                    data.items.count()
                },
            );
            for index in start..data.items.count() {
                let item = data.items.item(index);
                if filter.is_none_or(|f| f.matches(&inventory::ItemFields(&item))) {
                    take(item.id);
                }
            }
        }
        RecordType::Location => {
            for location in &data.masters.locations {
                if u64::from(location.id) >= min_id
                    && filter.is_none_or(|f| f.matches(&masters::LocationFields(location)))
                {
                    take(u64::from(location.id));
                }
            }
        }
        RecordType::Account => {
            for account in &super::data::masters::ACCOUNTS {
                if u64::from(account.id) >= min_id
                    && filter.is_none_or(|f| f.matches(&masters::AccountFields(account)))
                {
                    take(u64::from(account.id));
                }
            }
        }
        RecordType::Subsidiary => {
            for subsidiary in &super::data::masters::SUBSIDIARIES {
                if u64::from(subsidiary.id) >= min_id
                    && filter.is_none_or(|f| f.matches(&masters::SubsidiaryFields(subsidiary)))
                {
                    take(u64::from(subsidiary.id));
                }
            }
        }
        RecordType::Currency => {
            for currency in &super::data::masters::CURRENCIES {
                if u64::from(currency.id) >= min_id
                    && filter.is_none_or(|f| f.matches(&masters::CurrencyFields(currency)))
                {
                    take(u64::from(currency.id));
                }
            }
        }
    }
    (ids, total)
}

// ---------------------------------------------------------------------------------------------
// Reading write bodies

/// `X-NetSuite-PropertyNameValidation`: what an unknown field name in a body does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameValidation {
    Error,
    Warning,
    Ignore,
}

/// Who writes, when, and how strictly.
#[derive(Debug)]
pub(crate) struct WriteContext {
    pub(crate) now: Stamp,
    pub(crate) names: NameValidation,
    /// Collected for the `X-NetSuite-Warning` header.
    pub(crate) warnings: Vec<String>,
}

impl WriteContext {
    pub(crate) fn new(now: Stamp, headers: &HeaderMap) -> Self {
        let names = match headers
            .get("x-netsuite-propertynamevalidation")
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("error") => NameValidation::Error,
            Some("ignore") => NameValidation::Ignore,
            _ => NameValidation::Warning,
        };
        WriteContext {
            now,
            names,
            warnings: Vec::new(),
        }
    }

    /// An unknown or read-only field in the body, at `path`.
    pub(crate) fn unknown_field(&mut self, path: &str) -> Result<(), NsError> {
        match self.names {
            NameValidation::Error => Err(NsError::invalid_content(
                format!(
                    "Invalid content in the request body: the field '{path}' is unknown or read-only."
                ),
                Some(path),
            )),
            NameValidation::Warning => {
                self.warnings
                    .push(format!("Unknown or read-only field ignored: {path}"));
                Ok(())
            }
            NameValidation::Ignore => Ok(()),
        }
    }

    /// Checks every key of `object` against `known`, reporting the others.
    pub(crate) fn check_names(
        &mut self,
        object: &Map<String, JsonValue>,
        known: &[&str],
        prefix: &str,
    ) -> Result<(), NsError> {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.unknown_field(&format!("{prefix}{key}"))?;
            }
        }
        Ok(())
    }
}

/// A write body as a JSON object.
pub(crate) fn body_object(bytes: &[u8]) -> Result<Map<String, JsonValue>, NsError> {
    match serde_json::from_slice::<JsonValue>(bytes) {
        Ok(JsonValue::Object(map)) => Ok(map),
        Ok(_) => Err(NsError::invalid_content(
            "Invalid content in the request body: a record must be a JSON object.",
            None,
        )),
        Err(error) => Err(NsError::invalid_content(
            format!("Invalid content in the request body: {error}"),
            None,
        )),
    }
}

/// The id of a reference value `{"id": "12"}` (or a bare id) at `path`.
pub(crate) fn reference_id(value: &JsonValue, field: &str, path: &str) -> Result<u64, NsError> {
    let raw = match value {
        JsonValue::Object(map) => map.get("id").cloned().unwrap_or(JsonValue::Null),
        other => other.clone(),
    };
    let text = match &raw {
        JsonValue::String(s) => s.trim().to_owned(),
        JsonValue::Number(n) => n.to_string(),
        _ => String::new(),
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map_err(|_| NsError::invalid_field_value(&text, field, path));
    }
    let shown = if text.is_empty() {
        raw.to_string()
    } else {
        text
    };
    Err(NsError::invalid_field_value(&shown, field, path))
}

/// The largest magnitude a quantity, rate or adjustment may have: amounts stay far inside
/// what a decimal holds, whatever the number of lines.
const MAX_MAGNITUDE: i64 = 1_000_000_000;

/// A number (JSON number or numeric string) at `path`, at most a billion either way with at
/// most eight decimals.
pub(crate) fn decimal_field(
    value: &JsonValue,
    field: &str,
    path: &str,
) -> Result<Decimal, NsError> {
    let text = match value {
        JsonValue::Number(n) => n.to_string(),
        JsonValue::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    };
    // serde_json prints large or tiny floats with an exponent; Decimal reads both forms.
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
        .map(|d| d.normalize())
        .ok()
        .filter(|d| d.abs() <= Decimal::from(MAX_MAGNITUDE) && d.scale() <= 8)
        .ok_or_else(|| NsError::invalid_field_value(&text, field, path))
}

/// A date `YYYY-MM-DD` at `path`.
pub(crate) fn date_field(value: &JsonValue, field: &str, path: &str) -> Result<NaiveDate, NsError> {
    let text = value.as_str().unwrap_or_default();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| NsError::invalid_field_value(&value.to_string(), field, path))
}

/// A string at `path`; `null` and `""` clear it.
pub(crate) fn text_field(
    value: &JsonValue,
    field: &str,
    path: &str,
) -> Result<Option<String>, NsError> {
    match value {
        JsonValue::Null => Ok(None),
        JsonValue::String(s) if s.is_empty() => Ok(None),
        JsonValue::String(s) => Ok(Some(s.clone())),
        JsonValue::Number(n) => Ok(Some(n.to_string())),
        other => Err(NsError::invalid_field_value(
            &other.to_string(),
            field,
            path,
        )),
    }
}

pub(crate) fn bool_field(value: &JsonValue, field: &str, path: &str) -> Result<bool, NsError> {
    value
        .as_bool()
        .ok_or_else(|| NsError::invalid_field_value(&value.to_string(), field, path))
}

/// An external id: letters, digits, `_` and `-` (reference §1.6).
pub(crate) fn external_id_field(value: &JsonValue, path: &str) -> Result<Option<String>, NsError> {
    let text = text_field(value, "externalId", path)?;
    if let Some(text) = &text
        && !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(NsError::invalid_field_value(text, "externalId", path));
    }
    Ok(text)
}

/// The `items` array of a sublist value `{"items": [...]}` at `path`.
pub(crate) fn sublist_items<'a>(
    value: &'a JsonValue,
    path: &str,
) -> Result<&'a Vec<JsonValue>, NsError> {
    value
        .get("items")
        .and_then(JsonValue::as_array)
        .ok_or_else(|| {
            NsError::invalid_content(
                format!(
                    "Invalid content in the request body: {path} must be {{\"items\": [...]}}."
                ),
                Some(path),
            )
        })
}

/// "Please enter value(s) for: X", NetSuite's refusal of a missing mandatory field.
pub(crate) fn missing(label: &str, path: &str) -> NsError {
    NsError::user_error(format!("Please enter value(s) for: {label}")).at_path(path)
}
