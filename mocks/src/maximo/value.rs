//! Attribute values as Maximo holds them, and their JSON and text forms.
//!
//! Dates are whole seconds since the epoch: Maximo emits them to the second, with the server's
//! UTC offset (`2026-03-02T03:00:00-05:00`), and reads naive dates in `oslc.where` and in write
//! bodies as server-local time. Decimals are exact (`rust_decimal`) and go out as JSON numbers,
//! the way Maximo prints its DECIMAL and AMOUNT columns.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset as _, TimeZone as _, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde_json::Value as JsonValue;

/// One attribute value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Str(String),
    Int(i64),
    Dec(Decimal),
    Bool(bool),
    /// Seconds since the epoch (UTC).
    Date(i64),
}

impl Value {
    pub(crate) fn str(text: impl Into<String>) -> Value {
        Value::Str(text.into())
    }

    /// A string value, or `Null` for `None`.
    pub(crate) fn opt_str(text: Option<impl Into<String>>) -> Value {
        text.map_or(Value::Null, |t| Value::Str(t.into()))
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn as_dec(&self) -> Option<Decimal> {
        match self {
            Value::Dec(d) => Some(*d),
            Value::Int(n) => Some(Decimal::from(*n)),
            _ => None,
        }
    }

    pub(crate) fn as_date(&self) -> Option<i64> {
        match self {
            Value::Date(at) => Some(*at),
            _ => None,
        }
    }

    /// The JSON form Maximo answers with; `offset` is the server's.
    pub(crate) fn to_json(&self, offset: FixedOffset) -> JsonValue {
        match self {
            Value::Null => JsonValue::Null,
            Value::Str(text) => JsonValue::String(text.clone()),
            Value::Int(n) => JsonValue::from(*n),
            Value::Dec(d) => decimal_json(*d),
            Value::Bool(flag) => JsonValue::Bool(*flag),
            Value::Date(at) => JsonValue::String(format_date(*at, offset)),
        }
    }

    /// Text for ids, truth values and error messages.
    pub(crate) fn display(&self, offset: FixedOffset) -> String {
        match self {
            Value::Null => String::new(),
            Value::Str(text) => text.clone(),
            Value::Int(n) => n.to_string(),
            Value::Dec(d) => d.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Date(at) => format_date(*at, offset),
        }
    }
}

/// A decimal as a JSON number (`12.0`, `125.5`), as Maximo prints decimal columns.
pub(crate) fn decimal_json(value: Decimal) -> JsonValue {
    match value.to_f64().and_then(serde_json::Number::from_f64) {
        Some(number) => JsonValue::Number(number),
        None => JsonValue::String(value.to_string()),
    }
}

/// `2026-03-02T03:00:00-05:00`.
pub(crate) fn format_date(seconds: i64, offset: FixedOffset) -> String {
    match DateTime::<Utc>::from_timestamp(seconds, 0) {
        Some(at) => at
            .with_timezone(&offset)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        None => String::new(),
    }
}

/// Reads a date as clients send it: RFC 3339 with an offset or `Z`, or naive
/// (`2024-01-01T08:00:00`, `2024-01-01 08:00:00`, `2024-01-01`) in the server's offset.
/// Fractions of a second are cut, as Maximo stores whole seconds.
pub(crate) fn parse_date(text: &str, offset: FixedOffset) -> Option<i64> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.timestamp());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return offset
                .from_local_datetime(&naive)
                .single()
                .map(|at| at.timestamp());
        }
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    offset
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|at| at.timestamp())
}

/// Parses `-05:00` / `+00:00` (checked when the profile loads).
pub(crate) fn parse_offset(text: &str) -> FixedOffset {
    DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{text}"))
        .map(|at| *at.offset())
        .unwrap_or(Utc.fix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_in_the_server_offset() {
        let eastern = parse_offset("-05:00");
        let at = parse_date("2026-03-02T08:00:00Z", eastern).expect("rfc3339");
        assert_eq!(format_date(at, eastern), "2026-03-02T03:00:00-05:00");
        assert_eq!(parse_date("2026-03-02T03:00:00", eastern), Some(at));
        assert_eq!(parse_date("2026-03-02 03:00:00.750", eastern), Some(at));
        assert_eq!(parse_date("2026-03-02T03:00:00-05:00", eastern), Some(at));
        assert_eq!(
            parse_date("2026-03-02", eastern),
            Some(at - 3 * 3600),
            "a bare date is local midnight"
        );
        assert_eq!(parse_date("yesterday", eastern), None);
    }

    #[test]
    fn decimals_are_json_numbers() {
        assert_eq!(decimal_json(Decimal::new(1200, 2)).to_string(), "12.0");
        assert_eq!(decimal_json(Decimal::new(12550, 2)).to_string(), "125.5");
    }
}
