//! `location`, `account`, `subsidiary` and `currency`: read-only records the writes refer to.
//! A client finds an account for inventory adjustments here
//! (`GET …/account?q=acctType ANY_OF [COGS, Expense]`) or through SuiteQL on `account`.

use rust_decimal::Decimal;
use serde_json::{Map, Value as JsonValue, json};

use super::{View, instant};
use crate::netsuite::data::masters::{Account, Currency, Location, Subsidiary, currency};
use crate::netsuite::filter::{FieldType, FieldValue, Filterable};

pub(crate) const LOCATION_FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("name", FieldType::String),
    ("isInactive", FieldType::Boolean),
    ("subsidiary", FieldType::Select),
    ("locationType", FieldType::Select),
    ("lastModifiedDate", FieldType::DateTime),
];
pub(crate) const ACCOUNT_FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("acctNumber", FieldType::String),
    ("acctName", FieldType::String),
    ("acctType", FieldType::Select),
    ("isInactive", FieldType::Boolean),
    ("description", FieldType::String),
];
pub(crate) const SUBSIDIARY_FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("name", FieldType::String),
    ("isInactive", FieldType::Boolean),
    ("currency", FieldType::Select),
];
pub(crate) const CURRENCY_FILTER_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Number),
    ("name", FieldType::String),
    ("symbol", FieldType::String),
    ("isInactive", FieldType::Boolean),
];

pub(crate) struct LocationFields<'a>(pub(crate) &'a Location);

impl Filterable for LocationFields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let location = self.0;
        match name {
            "id" => FieldValue::Number(Decimal::from(location.id)),
            "name" => FieldValue::Text(location.name.clone()),
            "isInactive" => FieldValue::Bool(false),
            "subsidiary" => FieldValue::Select(location.subsidiary.to_string()),
            "locationType" => FieldValue::Select(location.kind.0.to_owned()),
            "lastModifiedDate" => FieldValue::Instant(location.last_modified),
            _ => FieldValue::Null,
        }
    }
}

pub(crate) struct AccountFields<'a>(pub(crate) &'a Account);

impl Filterable for AccountFields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let account = self.0;
        match name {
            "id" => FieldValue::Number(Decimal::from(account.id)),
            "acctNumber" => FieldValue::Text(account.number.to_owned()),
            "acctName" => FieldValue::Text(account.name.to_owned()),
            "acctType" => FieldValue::Select(account.kind.id.to_owned()),
            "isInactive" => FieldValue::Bool(false),
            "description" => FieldValue::Text(account.description.to_owned()),
            _ => FieldValue::Null,
        }
    }
}

pub(crate) struct SubsidiaryFields<'a>(pub(crate) &'a Subsidiary);

impl Filterable for SubsidiaryFields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let subsidiary = self.0;
        match name {
            "id" => FieldValue::Number(Decimal::from(subsidiary.id)),
            "name" => FieldValue::Text(subsidiary.name.to_owned()),
            "isInactive" => FieldValue::Bool(false),
            "currency" => FieldValue::Select(subsidiary.currency.to_string()),
            _ => FieldValue::Null,
        }
    }
}

pub(crate) struct CurrencyFields<'a>(pub(crate) &'a Currency);

impl Filterable for CurrencyFields<'_> {
    fn field(&self, name: &str) -> FieldValue {
        let currency = self.0;
        match name {
            "id" => FieldValue::Number(Decimal::from(currency.id)),
            "name" => FieldValue::Text(currency.name.to_owned()),
            "symbol" => FieldValue::Text(currency.symbol.to_owned()),
            "isInactive" => FieldValue::Bool(false),
            _ => FieldValue::Null,
        }
    }
}

fn subsidiary_list(view: &View, id: u32) -> JsonValue {
    let name = crate::netsuite::data::masters::subsidiary(id).map_or("", |s| s.name);
    json!({
        "links": [],
        "count": 1,
        "hasMore": false,
        "items": [view.reference("subsidiary", id, name)],
        "offset": 0,
        "totalResults": 1,
    })
}

pub(crate) fn render_location(location: &Location, view: &View) -> Map<String, JsonValue> {
    let url = view.record_url("location", location.id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(location.id.to_string()));
    map.insert(String::from("name"), json!(location.name));
    map.insert(String::from("isInactive"), json!(false));
    // A multiselect: a location can serve several subsidiaries.
    map.insert(
        String::from("subsidiary"),
        subsidiary_list(view, location.subsidiary),
    );
    map.insert(
        String::from("locationType"),
        view.select(location.kind.0, location.kind.1),
    );
    map.insert(String::from("tranPrefix"), json!(location.tran_prefix));
    map.insert(String::from("makeInventoryAvailable"), json!(true));
    map.insert(
        String::from("mainAddress"),
        json!({
            "links": View::self_links(&format!("{url}/mainAddress")),
            "city": location.city,
            "state": location.state,
            "country": { "id": "US", "refName": "United States" },
        }),
    );
    map.insert(
        String::from("lastModifiedDate"),
        instant(location.last_modified),
    );
    map
}

pub(crate) fn render_account(account: &Account, view: &View) -> Map<String, JsonValue> {
    let url = view.record_url("account", account.id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(account.id.to_string()));
    map.insert(String::from("acctNumber"), json!(account.number));
    map.insert(String::from("acctName"), json!(account.name));
    map.insert(
        String::from("acctType"),
        view.select(account.kind.id, account.kind.text),
    );
    map.insert(String::from("description"), json!(account.description));
    map.insert(String::from("isInactive"), json!(false));
    map.insert(String::from("isSummary"), json!(false));
    map.insert(String::from("subsidiary"), subsidiary_list(view, 1));
    map
}

pub(crate) fn render_subsidiary(subsidiary: &Subsidiary, view: &View) -> Map<String, JsonValue> {
    let url = view.record_url("subsidiary", subsidiary.id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(subsidiary.id.to_string()));
    map.insert(String::from("name"), json!(subsidiary.name));
    map.insert(String::from("legalName"), json!(subsidiary.legal_name));
    map.insert(String::from("isInactive"), json!(false));
    map.insert(
        String::from("currency"),
        view.reference(
            "currency",
            subsidiary.currency,
            currency(subsidiary.currency).map_or("", |c| c.name),
        ),
    );
    map.insert(
        String::from("country"),
        view.select(subsidiary.country.0, subsidiary.country.1),
    );
    map
}

pub(crate) fn render_currency(currency: &Currency, view: &View) -> Map<String, JsonValue> {
    let url = view.record_url("currency", currency.id);
    let mut map = Map::new();
    map.insert(String::from("links"), View::self_links(&url));
    map.insert(String::from("id"), json!(currency.id.to_string()));
    map.insert(String::from("name"), json!(currency.name));
    map.insert(String::from("symbol"), json!(currency.symbol));
    map.insert(
        String::from("displaySymbol"),
        json!(currency.display_symbol),
    );
    map.insert(
        String::from("exchangeRate"),
        super::number(currency.exchange_rate()),
    );
    map.insert(String::from("isBaseCurrency"), json!(currency.id == 1));
    map.insert(String::from("isInactive"), json!(false));
    map
}
