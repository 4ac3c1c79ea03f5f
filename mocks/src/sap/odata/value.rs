//! Typed OData v2 primitive values and their wire forms.
//!
//! SAP Gateway writes dates as `/Date(<ms>)/` (Edm.DateTime) and `/Date(<ms>+0000)/`
//! (Edm.DateTimeOffset), decimals and Int64 as JSON strings, and `null` for empty dates.
//! Filter literals carry up to seven fractional digits (`datetimeoffset'…T00:00:00.1234567Z'`),
//! so instants are kept as 100-nanosecond ticks: comparing a millisecond-precise
//! `LastChangeDateTime` with a seven-digit literal must not round either side.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike as _, NaiveDate, Timelike as _, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::edm::EdmType;
use super::json::Json;

/// 100-nanosecond ticks per millisecond.
pub(crate) const TICKS_PER_MS: i64 = 10_000;
/// 100-nanosecond ticks per second.
pub(crate) const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

/// An instant as 100-nanosecond ticks since the Unix epoch (UTC); for Edm.Time, a duration
/// since midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ticks(pub(crate) i64);

impl Ticks {
    pub(crate) fn from_millis(ms: i64) -> Self {
        Ticks(ms.saturating_mul(TICKS_PER_MS))
    }

    /// Milliseconds since the epoch, rounded towards negative infinity as `/Date(..)/` needs.
    pub(crate) fn millis(self) -> i64 {
        self.0.div_euclid(TICKS_PER_MS)
    }

    pub(crate) fn from_datetime(at: DateTime<Utc>) -> Self {
        let seconds = at.timestamp();
        let sub = i64::from(at.timestamp_subsec_nanos() / 100);
        Ticks(seconds.saturating_mul(TICKS_PER_SECOND).saturating_add(sub))
    }

    pub(crate) fn to_datetime(self) -> Option<DateTime<Utc>> {
        let seconds = self.0.div_euclid(TICKS_PER_SECOND);
        let nanos = u32::try_from(self.0.rem_euclid(TICKS_PER_SECOND) * 100).ok()?;
        DateTime::from_timestamp(seconds, nanos)
    }

    /// Midnight (UTC) of the day this instant falls on: SAP's date-only fields.
    pub(crate) fn start_of_day(self) -> Self {
        Ticks(self.0 - self.0.rem_euclid(TICKS_PER_DAY))
    }
}

/// One OData primitive value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    String(String),
    Boolean(bool),
    /// Every integer type (Byte, Int16, Int32, Int64); the property's type decides the wire form.
    Integer(i64),
    Decimal(Decimal),
    DateTime(Ticks),
    DateTimeOffset(Ticks),
    Time(Ticks),
    Guid(Uuid),
}

impl Value {
    pub(crate) fn string(text: impl Into<String>) -> Self {
        Value::String(text.into())
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Decimal(value) => Some(*value),
            Value::Integer(value) => Some(Decimal::from(*value)),
            _ => None,
        }
    }

    pub(crate) fn as_ticks(&self) -> Option<Ticks> {
        match self {
            Value::DateTime(ticks) | Value::DateTimeOffset(ticks) | Value::Time(ticks) => {
                Some(*ticks)
            }
            _ => None,
        }
    }

    /// The OData v2 JSON form of this value for a property of type `edm`.
    pub(crate) fn to_json(&self, edm: EdmType) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::String(text) => Json::String(text.clone()),
            Value::Boolean(flag) => Json::Bool(*flag),
            Value::Integer(number) => match edm {
                // Int64 travels as a string in OData v2 JSON (JavaScript cannot hold it exactly).
                EdmType::Int64 => Json::String(number.to_string()),
                _ => Json::Number(number.to_string()),
            },
            Value::Decimal(number) => Json::String(number.to_string()),
            Value::DateTime(ticks) => Json::Date(format_json_datetime(*ticks)),
            Value::DateTimeOffset(ticks) => Json::Date(format_json_datetime_offset(*ticks)),
            Value::Time(ticks) => Json::String(format_time(*ticks)),
            Value::Guid(id) => Json::String(id.to_string()),
        }
    }

    /// The plain-text form used by `$value` and by key predicates in URIs.
    pub(crate) fn to_plain_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::String(text) => text.clone(),
            Value::Boolean(flag) => flag.to_string(),
            Value::Integer(number) => number.to_string(),
            Value::Decimal(number) => number.to_string(),
            Value::DateTime(ticks) => format_iso_local(*ticks),
            Value::DateTimeOffset(ticks) => format!("{}Z", format_iso_local(*ticks)),
            Value::Time(ticks) => format_time(*ticks),
            Value::Guid(id) => id.to_string(),
        }
    }

    /// The value as a plain JSON value (admin API), with OData's value formats.
    pub(crate) fn to_plain_json(&self, edm: EdmType) -> serde_json::Value {
        match self.to_json(edm) {
            Json::Null => serde_json::Value::Null,
            Json::Bool(flag) => serde_json::Value::Bool(flag),
            Json::Number(text) => text
                .parse::<i64>()
                .map(serde_json::Value::from)
                .unwrap_or(serde_json::Value::String(text)),
            Json::String(text) | Json::Date(text) => serde_json::Value::String(text),
            Json::Array(_) | Json::Object(_) => serde_json::Value::Null,
        }
    }
}

/// `/Date(<ms>)/` for Edm.DateTime.
pub(crate) fn format_json_datetime(ticks: Ticks) -> String {
    format!("/Date({})/", ticks.millis())
}

/// `/Date(<ms>+0000)/` for Edm.DateTimeOffset; SAP always reports UTC.
pub(crate) fn format_json_datetime_offset(ticks: Ticks) -> String {
    format!("/Date({}+0000)/", ticks.millis())
}

/// Parses `/Date(<ms>)/` or `/Date(<ms>±<minutes>)/`. Returns the UTC instant and the offset in
/// minutes when one was written (the OData v2 offset is informational; the milliseconds are UTC).
pub(crate) fn parse_json_date(text: &str) -> Option<(Ticks, Option<i32>)> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let (digits, offset) = match inner.get(1..).and_then(|rest| rest.find(['+', '-'])) {
        Some(position) => {
            let split = position + 1;
            let (number, offset_text) = inner.split_at(split);
            let sign = if offset_text.starts_with('-') { -1 } else { 1 };
            let magnitude = offset_text.get(1..)?;
            if magnitude.is_empty() || !magnitude.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let minutes: i32 = magnitude.parse().ok()?;
            (number, Some(sign * minutes))
        }
        None => (inner, None),
    };
    let body = digits.strip_prefix('-').unwrap_or(digits);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms: i64 = digits.parse().ok()?;
    // Keep to years 0001..9999, the range SAP's DEC timestamps can hold.
    if !(-62_135_596_800_000..=253_402_300_799_999).contains(&ms) {
        return None;
    }
    Some((Ticks::from_millis(ms), offset))
}

/// An ISO 8601 instant as written in filter literals and accepted in request bodies:
/// `YYYY-MM-DDTHH:MM[:SS[.fffffff]][Z|±HH:MM]`, or a bare date `YYYY-MM-DD` when allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IsoInstant {
    /// The instant in UTC.
    pub(crate) utc: Ticks,
    /// The written offset in minutes, if any (`Z` is 0).
    pub(crate) offset_minutes: Option<i32>,
}

pub(crate) fn parse_iso(text: &str, allow_date_only: bool) -> Option<IsoInstant> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let slice = bytes.get(range)?;
        if slice.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(slice).ok()?.parse().ok()
        } else {
            None
        }
    };
    if bytes.len() < 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    if year == 0 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let days = i64::from(date.num_days_from_ce()) - 719_163;
    if bytes.len() == 10 {
        return allow_date_only.then_some(IsoInstant {
            utc: Ticks(days * TICKS_PER_DAY),
            offset_minutes: None,
        });
    }
    if bytes.get(10) != Some(&b'T') || bytes.get(13) != Some(&b':') {
        return None;
    }
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let mut position = 16;
    let mut second = 0;
    let mut fraction_ticks = 0_i64;
    if bytes.get(position) == Some(&b':') {
        second = digits(17..19)?;
        position = 19;
        if bytes.get(position) == Some(&b'.') {
            let start = position + 1;
            let mut end = start;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            let count = end - start;
            if count == 0 || count > 7 {
                return None;
            }
            let value = i64::from(digits(start..end)?);
            fraction_ticks = value * 10_i64.pow(u32::try_from(7 - count).ok()?);
            position = end;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let local = days * TICKS_PER_DAY
        + i64::from(hour) * 3600 * TICKS_PER_SECOND
        + i64::from(minute) * TICKS_PER_MINUTE
        + i64::from(second) * TICKS_PER_SECOND
        + fraction_ticks;
    let rest = &text[position..];
    let offset_minutes = match rest {
        "" => None,
        "Z" => Some(0),
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let offset = rest.as_bytes();
            if offset.len() != 6 || offset.get(3) != Some(&b':') {
                return None;
            }
            let hours = digits(position + 1..position + 3)?;
            let minutes = digits(position + 4..position + 6)?;
            if hours > 14 || minutes > 59 {
                return None;
            }
            Some(sign * i32::try_from(hours * 60 + minutes).ok()?)
        }
    };
    let utc = local - i64::from(offset_minutes.unwrap_or(0)) * TICKS_PER_MINUTE;
    Some(IsoInstant {
        utc: Ticks(utc),
        offset_minutes,
    })
}

/// `YYYY-MM-DDTHH:MM:SS` plus seven fractional digits when the instant has any.
pub(crate) fn format_iso_local(ticks: Ticks) -> String {
    let Some(at) = ticks.to_datetime() else {
        return String::from("0001-01-01T00:00:00");
    };
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let fraction = ticks.0.rem_euclid(TICKS_PER_SECOND);
    if fraction != 0 {
        let _ = write!(text, ".{fraction:07}");
    }
    text
}

/// `±HH:MM` (or `Z` for zero) for a filter literal's offset.
pub(crate) fn format_offset(minutes: i32) -> String {
    if minutes == 0 {
        return String::from("Z");
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let magnitude = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", magnitude / 60, magnitude % 60)
}

/// Edm.Time as an ISO duration, `PT15H51M04S`.
pub(crate) fn format_time(ticks: Ticks) -> String {
    let total = ticks.0.rem_euclid(TICKS_PER_DAY);
    let seconds = total / TICKS_PER_SECOND;
    let fraction = total % TICKS_PER_SECOND;
    let mut text = format!(
        "PT{:02}H{:02}M{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    );
    if fraction != 0 {
        let _ = write!(text, ".{fraction:07}");
    }
    text.push('S');
    text
}

/// Parses `PT<h>H<m>M<s>[.f]S` (each part optional but at least one present).
pub(crate) fn parse_time(text: &str) -> Option<Ticks> {
    let mut rest = text.strip_prefix("PT")?;
    if rest.is_empty() {
        return None;
    }
    let mut total = 0_i64;
    let mut last_unit = 0;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (number, after) = rest.split_at(end);
        let unit = after.chars().next()?;
        rest = &after[1..];
        if number.is_empty() {
            return None;
        }
        let (rank, scale) = match unit {
            'H' => (1, 3600 * TICKS_PER_SECOND),
            'M' => (2, TICKS_PER_MINUTE),
            'S' => (3, TICKS_PER_SECOND),
            _ => return None,
        };
        if rank <= last_unit {
            return None;
        }
        last_unit = rank;
        let part = if unit == 'S' {
            let value = Decimal::from_str_exact(number).ok()?;
            let ticks = value.checked_mul(Decimal::from(TICKS_PER_SECOND))?;
            if ticks.fract() != Decimal::ZERO {
                return None;
            }
            i64::try_from(ticks).ok()?
        } else {
            if number.contains('.') {
                return None;
            }
            number.parse::<i64>().ok()?.checked_mul(scale)?
        };
        total = total.checked_add(part)?;
    }
    (total < TICKS_PER_DAY).then_some(Ticks(total))
}

/// Why a JSON value does not fit a property type; the caller names the property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ValueMismatch {
    pub(crate) expected: EdmType,
}

/// Converts a request-body JSON value into a typed value for a property of type `edm`.
///
/// Accepts what SAP Gateway's JSON parser accepts in practice: decimals and Int64 as strings or
/// numbers, dates as `/Date(..)/` or ISO strings.
pub(crate) fn from_request_json(
    edm: EdmType,
    json: &serde_json::Value,
) -> Result<Value, ValueMismatch> {
    use serde_json::Value as J;
    let mismatch = || ValueMismatch { expected: edm };
    if json.is_null() {
        return Ok(Value::Null);
    }
    match edm {
        EdmType::String => match json {
            J::String(text) => Ok(Value::String(text.clone())),
            _ => Err(mismatch()),
        },
        EdmType::Boolean => match json {
            J::Bool(flag) => Ok(Value::Boolean(*flag)),
            _ => Err(mismatch()),
        },
        EdmType::Decimal => {
            let text = match json {
                J::String(text) => text.trim().to_owned(),
                J::Number(number) => number.to_string(),
                _ => return Err(mismatch()),
            };
            Decimal::from_str_exact(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map(Value::Decimal)
                .map_err(|_| mismatch())
        }
        EdmType::Int64 | EdmType::Int32 | EdmType::Int16 | EdmType::Byte => {
            let number = match json {
                J::Number(number) => number.as_i64().ok_or_else(mismatch)?,
                J::String(text) if edm == EdmType::Int64 => {
                    text.trim().parse::<i64>().map_err(|_| mismatch())?
                }
                _ => return Err(mismatch()),
            };
            let fits = match edm {
                EdmType::Int32 => i32::try_from(number).is_ok(),
                EdmType::Int16 => i16::try_from(number).is_ok(),
                EdmType::Byte => u8::try_from(number).is_ok(),
                _ => true,
            };
            if fits {
                Ok(Value::Integer(number))
            } else {
                Err(mismatch())
            }
        }
        EdmType::DateTime | EdmType::DateTimeOffset => {
            let J::String(text) = json else {
                return Err(mismatch());
            };
            let utc = if let Some((ticks, _)) = parse_json_date(text) {
                ticks
            } else {
                let instant = parse_iso(text, true).ok_or_else(mismatch)?;
                instant.utc
            };
            Ok(if edm == EdmType::DateTime {
                Value::DateTime(utc)
            } else {
                Value::DateTimeOffset(utc)
            })
        }
        EdmType::Time => match json {
            J::String(text) => parse_time(text).map(Value::Time).ok_or_else(mismatch),
            _ => Err(mismatch()),
        },
        EdmType::Guid => match json {
            J::String(text) => Uuid::parse_str(text)
                .map(Value::Guid)
                .map_err(|_| mismatch()),
            _ => Err(mismatch()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_dates_use_milliseconds_and_utc_offset() {
        let ticks = Ticks::from_millis(1_472_796_947_125);
        assert_eq!(format_json_datetime(ticks), "/Date(1472796947125)/");
        assert_eq!(
            format_json_datetime_offset(ticks),
            "/Date(1472796947125+0000)/"
        );
        assert_eq!(
            parse_json_date("/Date(1472796947125+0060)/"),
            Some((ticks, Some(60)))
        );
        assert_eq!(
            parse_json_date("/Date(-1000)/"),
            Some((Ticks(-10_000_000), None))
        );
        assert_eq!(parse_json_date("/Date()/"), None);
        assert_eq!(parse_json_date("/Date(12a)/"), None);
    }

    #[test]
    fn iso_parsing_accepts_seven_digit_fractions_and_offsets() {
        let instant = parse_iso("2024-01-31T01:00:00.1234567+01:00", false).expect("valid");
        assert_eq!(instant.offset_minutes, Some(60));
        assert_eq!(format_iso_local(instant.utc), "2024-01-31T00:00:00.1234567");
        assert!(parse_iso("2024-01-31T00:00:00.12345678Z", false).is_none());
        assert!(parse_iso("2024-02-30T00:00:00Z", false).is_none());
        assert!(parse_iso("2024-01-31", false).is_none());
        assert!(parse_iso("2024-01-31", true).is_some());
        assert_eq!(
            parse_iso("2024-01-31T10:15", false).map(|i| format_iso_local(i.utc)),
            Some(String::from("2024-01-31T10:15:00"))
        );
    }

    #[test]
    fn times_round_trip() {
        let ticks = parse_time("PT15H51M04S").expect("valid");
        assert_eq!(format_time(ticks), "PT15H51M04S");
        assert!(parse_time("PT").is_none());
        assert!(parse_time("PT5M3H").is_none());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Milliseconds of years 0001..9999.
    const MIN_MS: i64 = -62_135_596_800_000;
    const MAX_MS: i64 = 253_402_300_799_999;

    proptest! {
        #[test]
        fn json_dates_round_trip(ms in MIN_MS..=MAX_MS) {
            let ticks = Ticks::from_millis(ms);
            prop_assert_eq!(parse_json_date(&format_json_datetime(ticks)), Some((ticks, None)));
            prop_assert_eq!(parse_json_date(&format_json_datetime_offset(ticks)), Some((ticks, Some(0))));
        }

        #[test]
        fn iso_instants_round_trip(ticks in (MIN_MS * TICKS_PER_MS)..=(MAX_MS * TICKS_PER_MS)) {
            let text = format_iso_local(Ticks(ticks));
            prop_assert_eq!(parse_iso(&text, false).map(|i| i.utc), Some(Ticks(ticks)));
            let with_zone = format!("{text}Z");
            prop_assert_eq!(parse_iso(&with_zone, false).map(|i| (i.utc, i.offset_minutes)), Some((Ticks(ticks), Some(0))));
        }

        #[test]
        fn request_json_dates_accept_both_forms(ms in 0_i64..=MAX_MS) {
            let ticks = Ticks::from_millis(ms);
            let wire = serde_json::Value::String(format_json_datetime(ticks));
            prop_assert_eq!(from_request_json(EdmType::DateTimeOffset, &wire), Ok(Value::DateTimeOffset(ticks)));
            let iso = serde_json::Value::String(format!("{}Z", format_iso_local(ticks)));
            prop_assert_eq!(from_request_json(EdmType::DateTime, &iso), Ok(Value::DateTime(ticks)));
        }

        #[test]
        fn date_parsing_never_panics(text in ".{0,40}") {
            let _ = parse_json_date(&text);
            let _ = parse_iso(&text, true);
            let _ = parse_time(&text);
        }
    }
}
