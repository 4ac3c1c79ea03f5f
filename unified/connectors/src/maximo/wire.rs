//! The native JSON shapes of Maximo's REST/OSLC API (`lean=1`), shared by every object structure:
//! the collection envelope, the error body, and the value types attributes come in.
//!
//! Maximo prints values its own way, and these types read (and, for writes, produce) exactly that:
//! - Datetimes are ISO-8601 with an offset (`2024-02-01T03:00:02-05:00`), whole seconds
//!   ([`MxDateTime`]). A value without an offset is refused: Maximo always prints one, and
//!   guessing a zone would shift every timestamp.
//! - Decimals (quantities, balances, costs) are JSON numbers. serde_json reads them as `f64`,
//!   possibly one unit in the last place off, so [`MxDecimal`] rounds them to 15 significant
//!   digits (what a double carries exactly) before making them exact decimals; integers are read
//!   exactly. A decimal string is accepted too.
//! - Integers (`wopriority`, `polinenum`, `revisionnum`) are JSON numbers ([`MxInteger`]);
//!   booleans are JSON booleans, `0`/`1` accepted ([`MxBool`]).
//! - `_rowstamp` is a string of digits; a number is accepted ([`Rowstamp`]).
//! - Null attributes are left out of the response altogether; every field is optional here and
//!   the mappings decide which ones a record cannot do without, so that their errors name the
//!   field.

use crate::native::kind;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::{Map, Number, Value};
use std::str::FromStr;

/// Significant decimal digits a double carries exactly.
const DOUBLE_DIGITS: usize = 15;

/// A datetime attribute as Maximo prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MxDateTime(pub(crate) DateTime<FixedOffset>);

impl MxDateTime {
    pub(crate) fn utc(self) -> DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }

    /// The calendar date as printed, in the zone Maximo printed it in (a date field's midnight
    /// in Maximo's zone is the day it means, whatever that is in UTC).
    pub(crate) fn date(self) -> NaiveDate {
        self.0.date_naive()
    }
}

impl<'de> Deserialize<'de> for MxDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(text.trim())
            .map(MxDateTime)
            .map_err(|_| {
                de::Error::custom(format!(
                    "{text:?} is not an ISO-8601 datetime with an offset"
                ))
            })
    }
}

/// A datetime as Maximo reads it in a request body and in `oslc.where`: UTC, whole seconds.
pub(crate) fn datetime_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// A date field's value in a request body: midnight UTC of that day.
pub(crate) fn date_text(date: NaiveDate) -> String {
    format!("{}T00:00:00+00:00", date.format("%Y-%m-%d"))
}

/// A decimal attribute (a JSON number, or a decimal string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MxDecimal(pub(crate) Decimal);

impl<'de> Deserialize<'de> for MxDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => decimal_of_number(&n)
                .map(MxDecimal)
                .ok_or_else(|| de::Error::custom(format!("{n} is out of decimal range"))),
            Value::String(s) => parse_decimal(&s)
                .map(MxDecimal)
                .ok_or_else(|| de::Error::custom(format!("{s:?} is not a decimal"))),
            other => Err(de::Error::custom(format!(
                "expected a number, found {}",
                kind(&other)
            ))),
        }
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

/// A JSON number as an exact decimal: integers as they are, fractions rounded to the 15
/// significant digits a double holds, so that `52.65` read as 52.649999999999998… is 52.65 again.
pub(crate) fn decimal_of_number(n: &Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        return Some(Decimal::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(Decimal::from(u));
    }
    decimal_of_f64(n.as_f64()?)
}

fn decimal_of_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    let text = format!("{:.*e}", DOUBLE_DIGITS - 1, f);
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

/// A decimal as the JSON number Maximo reads, or `None` when a double cannot carry it exactly
/// (more than 15 significant digits): sending it would change the value.
pub(crate) fn number_of_decimal(d: Decimal) -> Option<Value> {
    let d = d.normalize();
    if d.fract().is_zero()
        && let Some(i) = d.to_i64()
        && i.unsigned_abs() < (1 << 53)
    {
        return Some(Value::Number(Number::from(i)));
    }
    let f = d.to_f64()?;
    if decimal_of_f64(f)? != d {
        return None;
    }
    Number::from_f64(f).map(Value::Number)
}

/// An integer attribute (a JSON number without a fraction, or a string of digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MxInteger(pub(crate) i64);

impl<'de> Deserialize<'de> for MxInteger {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        integer_of(&value)
            .map(MxInteger)
            .ok_or_else(|| de::Error::custom(format!("{value} is not a whole number")))
    }
}

/// A whole number from a JSON number (`2`, `2.0`) or a string of digits.
pub(crate) fn integer_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean attribute (`true`/`false`, or `1`/`0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MxBool(pub(crate) bool);

impl<'de> Deserialize<'de> for MxBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(MxBool(b)),
            Value::Number(n) if n.as_u64() == Some(0) => Ok(MxBool(false)),
            Value::Number(n) if n.as_u64() == Some(1) => Ok(MxBool(true)),
            other => Err(de::Error::custom(format!(
                "expected a boolean, found {other}"
            ))),
        }
    }
}

/// `_rowstamp`: Maximo's row version, sent back as `If-Match`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rowstamp(pub(crate) String);

impl<'de> Deserialize<'de> for Rowstamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if !s.trim().is_empty() => Ok(Rowstamp(s.trim().to_owned())),
            Value::Number(n) if n.is_u64() => Ok(Rowstamp(n.to_string())),
            other => Err(de::Error::custom(format!(
                "expected a rowstamp, found {other}"
            ))),
        }
    }
}

/// A lean collection: `member[]` and `responseInfo`.
#[derive(Debug, Default)]
pub(crate) struct Collection {
    pub(crate) member: Vec<Value>,
    /// `responseInfo.nextPage` was present: Maximo holds more rows than it sent.
    pub(crate) more: bool,
    /// `responseInfo.totalCount`, sent with `collectioncount=1`.
    pub(crate) total: Option<u64>,
}

impl Collection {
    pub(crate) fn from_value(value: Value) -> Result<Collection, String> {
        let Value::Object(mut object) = value else {
            return Err(format!(
                "the response is {}, not a collection",
                kind(&value)
            ));
        };
        let member = match object.remove("member") {
            Some(Value::Array(member)) => member,
            // An empty collection may leave `member` out like any other null.
            None => Vec::new(),
            Some(other) => {
                return Err(format!("`member` is {}, not an array", kind(&other)));
            }
        };
        let info = object.get("responseInfo");
        let more = info
            .and_then(|i| i.get("nextPage"))
            .is_some_and(|next| !next.is_null());
        let total = info
            .and_then(|i| i.get("totalCount"))
            .and_then(integer_of)
            .and_then(|n| u64::try_from(n).ok());
        Ok(Collection {
            member,
            more,
            total,
        })
    }
}

/// A Maximo error body: `{"Error":{"reasonCode":"BMXAA…E","message":"BMXAA…E - …",
/// "statusCode":"400",…}}`, its namespaced form (`oslc:Error`, `spi:reasonCode`), or the plain
/// text some older endpoints answer (`Error 400: BMXAA7901E - …`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct NativeError {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

impl NativeError {
    pub(crate) fn parse(body: &[u8]) -> NativeError {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => Self::from_json(&object),
            _ => Self::from_text(&String::from_utf8_lossy(body)),
        }
    }

    fn from_json(object: &Map<String, Value>) -> NativeError {
        let error = object.get("Error").or_else(|| object.get("oslc:Error"));
        let Some(error) = error else {
            return NativeError::default();
        };
        let field = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| error.get(*n).and_then(Value::as_str))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let message = field(&["message", "oslc:message", "spi:message"]);
        let code = field(&["reasonCode", "spi:reasonCode", "oslc:reasonCode"])
            .or_else(|| message.as_deref().and_then(reason_code_in));
        NativeError { code, message }
    }

    fn from_text(text: &str) -> NativeError {
        let text = text.trim();
        if text.is_empty() {
            return NativeError::default();
        }
        // Plain text and HTML bodies are cut short: they are for people, and may be pages long.
        let message: String = text.chars().take(300).collect();
        NativeError {
            code: reason_code_in(text),
            message: Some(message),
        }
    }
}

/// The first Maximo message code (`BMXAA` + four digits + severity letter) in `text`.
pub(crate) fn reason_code_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("BMXAA").map(|i| i + from) {
        let code = bytes.get(i..i + 10)?;
        if code[5..9].iter().all(u8::is_ascii_digit) && code[9].is_ascii_uppercase() {
            return std::str::from_utf8(code).ok().map(str::to_owned);
        }
        from = i + 5;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn numbers_become_the_decimals_maximo_meant() {
        let read = |v: Value| serde_json::from_value::<MxDecimal>(v).map(|d| d.0.to_string());
        assert_eq!(read(json!(52.65)).unwrap(), "52.65");
        assert_eq!(read(json!(0.1)).unwrap(), "0.1");
        assert_eq!(read(json!(15.0)).unwrap(), "15");
        assert_eq!(read(json!(-3)).unwrap(), "-3");
        assert_eq!(read(json!("12.500")).unwrap(), "12.500");
        assert!(read(json!(true)).is_err());
        assert!(read(json!("twelve")).is_err());
        assert!(read(json!(1.0e300)).is_err());
    }

    #[test]
    fn decimals_become_numbers_only_when_exact() {
        assert_eq!(number_of_decimal(Decimal::new(5265, 2)), Some(json!(52.65)));
        assert_eq!(number_of_decimal(Decimal::new(150, 1)), Some(json!(15)));
        assert_eq!(
            number_of_decimal(Decimal::from_str("0.1234567890123456789").unwrap()),
            None
        );
    }

    #[test]
    fn datetimes_need_an_offset() {
        let at: MxDateTime = serde_json::from_value(json!("2024-02-01T03:00:02-05:00")).unwrap();
        assert_eq!(at.utc().to_rfc3339(), "2024-02-01T08:00:02+00:00");
        assert_eq!(at.date().to_string(), "2024-02-01");
        assert!(serde_json::from_value::<MxDateTime>(json!("2024-02-01T03:00:02")).is_err());
        assert_eq!(datetime_text(at.utc()), "2024-02-01T08:00:02+00:00");
    }

    #[test]
    fn collections_and_their_paging() {
        let c = Collection::from_value(json!({
            "member": [{"wonum": "1000"}],
            "responseInfo": {"pagenum": 1, "totalCount": 7,
                "nextPage": {"href": "http://h/maximo/api/os/mxapiwodetail?pageno=2"}}
        }))
        .unwrap();
        assert_eq!((c.member.len(), c.more, c.total), (1, true, Some(7)));
        let c = Collection::from_value(json!({"responseInfo": {"pagenum": 1}})).unwrap();
        assert_eq!((c.member.len(), c.more, c.total), (0, false, None));
        assert!(Collection::from_value(json!({"member": {}})).is_err());
        assert!(Collection::from_value(json!([1])).is_err());
    }

    #[test]
    fn error_bodies_in_every_form() {
        let lean = br#"{"Error":{"extendedError":{"moreInfo":{"href":"oslc/error/messages/BMXAA4153E"}},
            "reasonCode":"BMXAA4153E","message":"BMXAA4153E - BEDFORDXX is not a valid site.","statusCode":"400"}}"#;
        assert_eq!(
            NativeError::parse(lean),
            NativeError {
                code: Some("BMXAA4153E".into()),
                message: Some("BMXAA4153E - BEDFORDXX is not a valid site.".into())
            }
        );
        let namespaced =
            br#"{"oslc:Error":{"spi:reasonCode":"BMXAA7901E","oslc:message":"You cannot log in."}}"#;
        assert_eq!(
            NativeError::parse(namespaced).code.as_deref(),
            Some("BMXAA7901E")
        );
        let no_code = br#"{"Error":{"message":"BMXAA9549E - The API key token is invalid."}}"#;
        assert_eq!(
            NativeError::parse(no_code).code.as_deref(),
            Some("BMXAA9549E")
        );
        let text = b"Error 400: BMXAA7901E - You cannot log in at this time.";
        assert_eq!(NativeError::parse(text).code.as_deref(), Some("BMXAA7901E"));
        assert_eq!(NativeError::parse(b""), NativeError::default());
        assert_eq!(
            reason_code_in("BMXAA12 BMXAA1234X"),
            Some("BMXAA1234X".into())
        );
        assert_eq!(reason_code_in("BMXAA"), None);
    }

    proptest! {
        #[test]
        fn error_parsing_never_panics(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = NativeError::parse(&body);
        }

        #[test]
        fn decimals_with_few_digits_survive_json(m in -999_999_999_999_999_i64..999_999_999_999_999, s in 0u32..=6) {
            let d = Decimal::new(m, s);
            let number = number_of_decimal(d);
            prop_assert!(number.is_some());
            let text = serde_json::to_string(&number).unwrap();
            let back: MxDecimal = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back.0, d.normalize());
        }
    }
}
