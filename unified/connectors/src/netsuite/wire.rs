//! The native JSON shapes of NetSuite's REST web services, as serde types.
//!
//! NetSuite prints values its own way, and these types read (and, for writes, produce) exactly
//! that:
//! - A reference (select) field is `{"id": "1335929", "refName": "Acme Supply", "links": […]}`
//!   ([`Ref`]); ids are strings of the internal id. An enum-like select has the same shape with a
//!   code as the id (`{"id": "B", "refName": "B"}`).
//! - An expanded sublist is `{"links": […], "items": […], "totalResults": N}`; not expanded it is
//!   only `{"links": […]}` ([`Sublist`], empty then).
//! - The record API prints numbers as JSON numbers and SuiteQL prints them as strings;
//!   [`NsDecimal`] reads both into an exact [`Decimal`] (a JSON number through its shortest
//!   decimal form, so `0.1` stays `0.1`).
//! - Datetimes are ISO 8601 in UTC (`"2025-12-19T15:23:00Z"`, observed at minute precision), dates
//!   `"2025-12-19"` ([`NsDateTime`], [`NsDate`]). SuiteQL booleans are `"T"`/`"F"` ([`NsBool`]).
//! - Null or empty fields are generally left out, so every field is optional at this level; the
//!   mapping decides which ones a record cannot do without, so that its error names the field.
//! - Collections (record lists and SuiteQL pages) share one envelope ([`Collection`]); errors are
//!   `application/vnd.oracle.resource+json; type=error` with `o:errorDetails` ([`NativeError`]).

use crate::native::kind;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Number, Value};
use std::str::FromStr;

/// An id or code printed as a string or, by some producers, as a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NsText(pub(crate) String);

impl<'de> Deserialize<'de> for NsText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(NsText(s)),
            Value::Number(n) => Ok(NsText(n.to_string())),
            other => Err(D::Error::custom(format!(
                "expected a string or a number, found {}",
                kind(&other)
            ))),
        }
    }
}

/// A reference field. Some producers print a bare id instead of the object; that reads as a
/// reference without a name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ref {
    pub(crate) id: Option<String>,
    pub(crate) ref_name: Option<String>,
}

impl Ref {
    /// The id, when NetSuite gave a non-blank one.
    pub(crate) fn id(&self) -> Option<&str> {
        self.id.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The display name, when NetSuite gave a non-blank one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.ref_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The display name, or the id when there is none.
    pub(crate) fn name_or_id(&self) -> Option<&str> {
        self.name().or_else(|| self.id())
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = |v: Option<&Value>, field: &str| -> Result<Option<String>, D::Error> {
            match v {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(other) => Err(D::Error::custom(format!(
                    "`{field}` of a reference is {}",
                    kind(other)
                ))),
            }
        };
        match Value::deserialize(d)? {
            Value::Object(fields) => Ok(Ref {
                id: text(fields.get("id"), "id")?,
                ref_name: text(fields.get("refName"), "refName")?,
            }),
            Value::String(s) => Ok(Ref {
                id: Some(s),
                ref_name: None,
            }),
            Value::Number(n) => Ok(Ref {
                id: Some(n.to_string()),
                ref_name: None,
            }),
            other => Err(D::Error::custom(format!(
                "expected a reference object, found {}",
                kind(&other)
            ))),
        }
    }
}

/// The lines of an expanded sublist; empty when NetSuite did not expand it. A plain array (the
/// form of request bodies) reads too.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sublist<T>(pub(crate) Vec<T>);

impl<T> Default for Sublist<T> {
    fn default() -> Self {
        Sublist(Vec::new())
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Sublist<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = match Value::deserialize(d)? {
            Value::Object(mut fields) => match fields.remove("items") {
                None | Some(Value::Null) => return Ok(Sublist::default()),
                Some(items) => items,
            },
            Value::Null => return Ok(Sublist::default()),
            array @ Value::Array(_) => array,
            other => {
                return Err(D::Error::custom(format!(
                    "expected a sublist, found {}",
                    kind(&other)
                )));
            }
        };
        let Value::Array(items) = items else {
            return Err(D::Error::custom(format!(
                "`items` of a sublist is {}",
                kind(&items)
            )));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                T::deserialize(item).map_err(|e| D::Error::custom(format!("items[{i}]: {e}")))
            })
            .collect::<Result<Vec<T>, D::Error>>()
            .map(Sublist)
    }
}

/// The exact decimal of a JSON number, through its shortest round-trip form: `0.1` is `0.1`, not
/// the binary fraction nearest to it.
pub(crate) fn decimal_of_number(n: &Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        return Some(Decimal::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(Decimal::from(u));
    }
    let f = n.as_f64().filter(|f| f.is_finite())?;
    // `Display` of f64 is the shortest text that reads back as the same f64, never in exponent
    // form.
    Decimal::from_str(&f.to_string()).ok()
}

/// A decimal string the way SuiteQL prints it (`"12.5"`, `"-3"`, `".5"`).
pub(crate) fn decimal_of_text(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

/// A number as JSON number or decimal string, read exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NsDecimal(pub(crate) Decimal);

impl<'de> Deserialize<'de> for NsDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => decimal_of_number(&n)
                .map(NsDecimal)
                .ok_or_else(|| D::Error::custom(format!("{n} does not fit a decimal"))),
            Value::String(s) => decimal_of_text(&s)
                .map(NsDecimal)
                .ok_or_else(|| D::Error::custom(format!("`{s}` is not a decimal number"))),
            other => Err(D::Error::custom(format!(
                "expected a number, found {}",
                kind(&other)
            ))),
        }
    }
}

/// The JSON number NetSuite's record API takes for `value`, when that number reads back as
/// exactly `value`: JSON numbers travel as binary floats, so a decimal with more than about 15
/// significant digits would arrive as another number.
pub(crate) fn number_of_decimal(value: Decimal) -> Option<Value> {
    let normal = value.normalize();
    if normal.scale() == 0
        && let Ok(i) = i64::try_from(normal.mantissa())
        && i.unsigned_abs() < (1 << 53)
    {
        return Some(Value::Number(Number::from(i)));
    }
    let f: f64 = normal.to_string().parse().ok()?;
    let number = Number::from_f64(f)?;
    (decimal_of_number(&number)? == normal).then_some(Value::Number(number))
}

/// Reads an ISO 8601 datetime: with `Z` or an offset (fractions allowed), or without a zone
/// (taken as UTC); also SuiteQL's `TO_CHAR(…, 'YYYY-MM-DD HH24:MI:SS')` form.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Some(at.to_utc());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(t, format) {
            return Some(at.and_utc());
        }
    }
    None
}

/// Reads a date: `2025-12-19`, the date of an ISO datetime, or the US account format
/// `12/19/2025`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_datetime(t).map(|at| at.date_naive()))
        .or_else(|| NaiveDate::parse_from_str(t, "%m/%d/%Y").ok())
}

/// A datetime field (`createdDate`, `lastModifiedDate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NsDateTime(pub(crate) DateTime<Utc>);

impl<'de> Deserialize<'de> for NsDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_datetime(&text)
            .map(NsDateTime)
            .ok_or_else(|| D::Error::custom(format!("`{text}` is not an ISO 8601 datetime")))
    }
}

/// A date field (`tranDate`, `expectedReceiptDate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NsDate(pub(crate) NaiveDate);

impl<'de> Deserialize<'de> for NsDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_date(&text)
            .map(NsDate)
            .ok_or_else(|| D::Error::custom(format!("`{text}` is not a date")))
    }
}

/// A boolean as JSON boolean (record API) or `"T"`/`"F"` (SuiteQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NsBool(pub(crate) bool);

impl<'de> Deserialize<'de> for NsBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(NsBool(b)),
            Value::String(s) => match s.trim() {
                "T" | "t" | "true" => Ok(NsBool(true)),
                "F" | "f" | "false" => Ok(NsBool(false)),
                other => Err(D::Error::custom(format!("`{other}` is not a boolean"))),
            },
            other => Err(D::Error::custom(format!(
                "expected a boolean, found {}",
                kind(&other)
            ))),
        }
    }
}

/// The envelope of a record collection or a SuiteQL page.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Collection {
    #[serde(default)]
    pub(crate) items: Vec<Value>,
    #[serde(default)]
    pub(crate) has_more: Option<bool>,
    #[serde(default)]
    pub(crate) total_results: Option<u64>,
}

impl Collection {
    pub(crate) fn parse(body: &[u8]) -> Result<Collection, String> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("the response is not JSON: {e}"))?;
        if !value.is_object() {
            return Err(format!(
                "the response is {}, not a NetSuite collection",
                kind(&value)
            ));
        }
        serde_path_to_error::deserialize(value)
            .map_err(|e| format!("field `{}`: {}", e.path(), e.inner()))
    }
}

/// What NetSuite said in an error body: the first of its `o:errorDetails`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NativeError {
    /// `o:errorCode` (`INVALID_LOGIN`, `CONCURRENCY_LIMIT_EXCEEDED`, …).
    pub(crate) code: Option<String>,
    /// `detail`, with `o:errorPath` after it when NetSuite named the field.
    pub(crate) message: Option<String>,
    /// `title`, the status text NetSuite put in the envelope.
    pub(crate) title: Option<String>,
}

impl NativeError {
    /// Reads an error body; anything else (an HTML maintenance page, nothing) gives an empty one.
    pub(crate) fn parse(body: &[u8]) -> NativeError {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return NativeError::default();
        };
        let text = |o: &Map<String, Value>, key: &str| {
            o.get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let first = fields
            .get("o:errorDetails")
            .and_then(Value::as_array)
            .and_then(|details| details.first())
            .and_then(Value::as_object);
        let code = first.and_then(|d| text(d, "o:errorCode"));
        let detail = first.and_then(|d| text(d, "detail"));
        let path = first.and_then(|d| text(d, "o:errorPath"));
        let message = match (detail, path) {
            (Some(detail), Some(path)) => Some(format!("{detail} (at {path})")),
            (detail, _) => detail.or_else(|| text(&fields, "title")),
        };
        NativeError {
            code,
            message,
            title: text(&fields, "title"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_in_every_printed_form() {
        let r: Ref = serde_json::from_value(
            json!({"id": "1335929", "refName": "Acme", "links": [{"rel": "self", "href": "x"}]}),
        )
        .unwrap();
        assert_eq!((r.id(), r.name()), (Some("1335929"), Some("Acme")));
        let r: Ref = serde_json::from_value(json!({"id": 7})).unwrap();
        assert_eq!((r.id(), r.name_or_id()), (Some("7"), Some("7")));
        let r: Ref = serde_json::from_value(json!("12")).unwrap();
        assert_eq!(r.id(), Some("12"));
        let r: Ref = serde_json::from_value(json!({"id": " ", "refName": ""})).unwrap();
        assert_eq!((r.id(), r.name()), (None, None));
        assert!(serde_json::from_value::<Ref>(json!([1])).is_err());
    }

    #[test]
    fn sublists_expanded_or_not() {
        let s: Sublist<Ref> = serde_json::from_value(
            json!({"links": [], "items": [{"id": "1"}, {"id": "2"}], "totalResults": 2}),
        )
        .unwrap();
        assert_eq!(s.0.len(), 2);
        let s: Sublist<Ref> =
            serde_json::from_value(json!({"links": [{"rel": "self", "href": "…/item"}]})).unwrap();
        assert!(s.0.is_empty());
        let err = serde_json::from_value::<Sublist<NsDecimal>>(json!({"items": [1, "x"]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("items[1]"), "{err}");
    }

    #[test]
    fn decimals_are_exact_from_numbers_and_strings() {
        let d = |v: Value| serde_json::from_value::<NsDecimal>(v).map(|d| d.0.to_string());
        assert_eq!(d(json!(0.1)).unwrap(), "0.1");
        assert_eq!(d(json!(3800)).unwrap(), "3800");
        assert_eq!(d(json!(-12.25)).unwrap(), "-12.25");
        assert_eq!(d(json!("41.20")).unwrap(), "41.20");
        assert_eq!(d(json!(".5")).unwrap(), "0.5");
        assert_eq!(d(json!(1e300)).ok(), None);
        assert!(d(json!("ten")).is_err());
        assert!(d(json!(true)).is_err());
    }

    #[test]
    fn numbers_written_are_exactly_the_decimal() {
        let n = |s: &str| number_of_decimal(Decimal::from_str(s).unwrap());
        assert_eq!(n("12.50"), Some(json!(12.5)));
        assert_eq!(n("3"), Some(json!(3)));
        assert_eq!(n("-0.001"), Some(json!(-0.001)));
        assert_eq!(n("1999.99"), Some(json!(1999.99)));
        assert_eq!(n("1234567890.123456789"), None);
    }

    #[test]
    fn dates_and_datetimes() {
        let at = |s: &str| parse_datetime(s).map(|d| d.to_rfc3339());
        assert_eq!(
            at("2025-12-19T15:23:00Z").as_deref(),
            Some("2025-12-19T15:23:00+00:00")
        );
        assert_eq!(
            at("2025-12-19T16:23:00+01:00").as_deref(),
            Some("2025-12-19T15:23:00+00:00")
        );
        assert_eq!(
            at("2025-12-19 15:23:07").as_deref(),
            Some("2025-12-19T15:23:07+00:00")
        );
        assert_eq!(at("12/19/2025"), None);
        assert_eq!(
            parse_date("12/19/2025"),
            NaiveDate::from_ymd_opt(2025, 12, 19)
        );
        assert_eq!(
            parse_date("2025-12-19T23:00:00Z"),
            NaiveDate::from_ymd_opt(2025, 12, 19)
        );
        assert_eq!(parse_date("19.12.2025"), None);
    }

    #[test]
    fn error_bodies() {
        let body = json!({"type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
            "title": "Bad Request", "status": 400,
            "o:errorDetails": [{"detail": "Invalid Field Value 9999 for the following field: item",
                "o:errorCode": "INVALID_CONTENT", "o:errorPath": "item.items[0].item"}]});
        let e = NativeError::parse(body.to_string().as_bytes());
        assert_eq!(e.code.as_deref(), Some("INVALID_CONTENT"));
        assert_eq!(
            e.message.as_deref(),
            Some("Invalid Field Value 9999 for the following field: item (at item.items[0].item)")
        );
        assert_eq!(
            NativeError::parse(b"<html>down</html>"),
            NativeError::default()
        );
        let bare = NativeError::parse(br#"{"title": "Not Found", "status": 404}"#);
        assert_eq!(bare.message.as_deref(), Some("Not Found"));
    }
}
