//! What every Maximo mapping shares: reading a native record with field-naming errors, the write
//! defaults from the settings, and the checks every write body goes through before it is sent
//! (`remote_fields` that contradict canonical fields or name attributes Maximo sets itself,
//! numbers a JSON double cannot carry, references to records of another site). The tests of
//! every mapping read their recorded pages through `test_support`.

use super::client::{Key, remote_id_from};
use super::wire::number_of_decimal;
use crate::{ConnectorError, Problems};
use mw_model::{Decimal, FieldError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Defaults of new records for attributes the canonical bodies do not carry, from the settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Defaults {
    /// `siteid` of new work orders, assets and purchase orders that name none. Without it Maximo
    /// uses the user's default insert site.
    pub(crate) siteid: Option<String>,
    /// `orgid` of new vendors. Without it Maximo uses the organisation of the user's default
    /// insert site.
    pub(crate) orgid: Option<String>,
    /// `type` of new companies; `V` (vendor) unless the `company_type` setting says otherwise.
    pub(crate) company_type: String,
}

/// Attributes no write sets: Maximo keeps them itself.
const MAXIMO_OWNED: [&str; 5] = ["_rowstamp", "href", "changedate", "changeby", "rowstamp"];

/// Reads a native record into its wire type; a value of the wrong shape is a protocol error
/// naming the record (`what`) and the field.
pub(crate) fn parse<T: DeserializeOwned>(
    raw: &Value,
    what: &str,
    keys: &[Key],
) -> Result<T, ConnectorError> {
    crate::native::parse(raw, || {
        let id = remote_id_from(raw, keys).unwrap_or_else(|_| "?".into());
        format!("{what} {id}")
    })
}

/// The `remote_id` of a native record, or a protocol error naming the missing key.
pub(crate) fn record_id(raw: &Value, what: &str, keys: &[Key]) -> Result<String, ConnectorError> {
    remote_id_from(raw, keys)
        .map_err(|why| ConnectorError::protocol(format!("a {what} with {why}")))
}

/// The checks of a Maximo write body.
impl Problems {
    /// A decimal as the JSON number Maximo reads, or a problem at `path` when a double cannot
    /// carry it exactly.
    pub(in crate::maximo) fn number(&mut self, value: Decimal, path: &str) -> Option<Value> {
        let number = number_of_decimal(value);
        self.require(
            number.is_some(),
            path,
            "has more significant digits than Maximo's JSON numbers carry (15)",
        );
        number
    }

    /// Adds `remote_fields` to `body`, lower-cased as Maximo names attributes. Refused: an
    /// attribute a canonical field of the body sets (`canonical`: attribute and its path), one
    /// Maximo keeps itself, and one of `refused` (with its reason).
    pub(in crate::maximo) fn remote_fields(
        &mut self,
        body: &mut Map<String, Value>,
        remote: Option<&Map<String, Value>>,
        canonical: &[(&str, &str)],
        refused: &[(&str, &str)],
    ) {
        for (key, value) in remote.into_iter().flatten() {
            let name = key.trim().to_ascii_lowercase();
            let path = format!("$.remote_fields.{key}");
            if let Some((_, from)) = canonical.iter().find(|(attr, _)| *attr == name) {
                self.0.push(FieldError::new(
                    path,
                    format!("is set from `{from}`; give it there only"),
                ));
            } else if MAXIMO_OWNED.contains(&name.as_str()) {
                self.0
                    .push(FieldError::new(path, "is set by Maximo itself"));
            } else if let Some((_, why)) = refused.iter().find(|(attr, _)| *attr == name) {
                self.0.push(FieldError::new(path, *why));
            } else if name.is_empty() {
                self.0
                    .push(FieldError::new(path, "is not an attribute name"));
            } else {
                body.insert(name, value.clone());
            }
        }
    }
}

/// Splits a reference to a site- or organisation-level record (`A6002/BEDFORD`,
/// `ACME/EAGLENA`) into its code and the site or organisation; a bare code has none.
pub(crate) fn split_reference(reference: &str) -> (String, Option<String>) {
    match reference.trim().rsplit_once('/') {
        Some((code, scope)) if !code.trim().is_empty() && !scope.trim().is_empty() => {
            (code.trim().to_owned(), Some(scope.trim().to_owned()))
        }
        _ => (reference.trim().to_owned(), None),
    }
}

/// Inserts `value` under `name` when it is set.
pub(crate) fn put(body: &mut Map<String, Value>, name: &str, value: Option<String>) {
    if let Some(value) = value {
        body.insert(name.to_owned(), Value::String(value));
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Test data every Maximo mapping's tests read.

    use crate::maximo::wire::Collection;
    use chrono::{DateTime, Utc};
    use serde_json::Value;

    /// The records of a recorded collection page (`member`).
    pub(crate) fn members(page: &str) -> Vec<Value> {
        Collection::from_value(serde_json::from_str(page).unwrap())
            .unwrap()
            .member
    }

    /// The source's clock of the recorded pages.
    pub(crate) fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_706_774_400, 0).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn remote_fields_are_checked_and_lower_cased() {
        let mut p = Problems::default();
        let mut body = Map::new();
        let remote = json!({"WONUM": "W1", "Description": "x", "_rowstamp": "1",
            "status": "APPR", "glaccount": "6000-200"});
        p.remote_fields(
            &mut body,
            remote.as_object(),
            &[("description", "$.title")],
            &[("status", "moves through a status change")],
        );
        let paths: Vec<&str> = p.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.remote_fields.Description",
                "$.remote_fields._rowstamp",
                "$.remote_fields.status"
            ]
        );
        assert_eq!(
            Value::Object(body),
            json!({"wonum": "W1", "glaccount": "6000-200"})
        );
    }

    #[test]
    fn references_split_at_the_last_slash() {
        assert_eq!(
            split_reference("A6002/BEDFORD"),
            ("A6002".into(), Some("BEDFORD".into()))
        );
        assert_eq!(
            split_reference("A/60/02/BEDFORD"),
            ("A/60/02".into(), Some("BEDFORD".into()))
        );
        assert_eq!(split_reference("A6002"), ("A6002".into(), None));
        assert_eq!(split_reference("/BEDFORD"), ("/BEDFORD".into(), None));
    }
}
