//! SuiteQL values and the Oracle rules the emulator applies to them: three-valued comparisons
//! with `NULL`, implicit conversion of strings to numbers and dates, `LIKE` patterns, and the
//! datetime format models of `TO_CHAR`, `TO_DATE` and `TO_TIMESTAMP`.
//!
//! Dates and datetimes are one type (Oracle's `DATE` carries a time), in UTC (the integration
//! role's time zone). Rendered raw in a result they show in the account's date format `M/D/YYYY`
//! WITHOUT the time (reference §3.2: `"lastmodifieddate": "12/19/2025"`); a client that needs
//! the time asks for `TO_CHAR(…, 'YYYY-MM-DD HH24:MI:SS')`.

use std::cmp::Ordering;

use chrono::{Datelike as _, NaiveDate, NaiveDateTime, Timelike as _};
use rust_decimal::Decimal;

use crate::netsuite::data::{SECONDS_PER_DAY, Stamp, plain_decimal};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    Null,
    Str(String),
    Num(Decimal),
    /// Seconds since the epoch, UTC.
    Date(i64),
}

impl Value {
    pub(crate) fn date_of(date: NaiveDate) -> Value {
        Value::Date(
            date.and_hms_opt(0, 0, 0)
                .map_or(0, |d| d.and_utc().timestamp()),
        )
    }

    pub(crate) fn stamp(stamp: Stamp) -> Value {
        Value::Date(stamp.0)
    }

    pub(crate) fn text(text: impl Into<String>) -> Value {
        Value::Str(text.into())
    }

    pub(crate) fn flag(on: bool) -> Value {
        Value::Str(String::from(if on { "T" } else { "F" }))
    }

    pub(crate) fn is_null(&self) -> bool {
        // Oracle treats the empty string as NULL.
        matches!(self, Value::Null) || matches!(self, Value::Str(s) if s.is_empty())
    }

    /// The string a result row carries; `None` for NULL (the key is left out).
    pub(crate) fn render(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Str(s) if s.is_empty() => None,
            Value::Str(s) => Some(s.clone()),
            Value::Num(n) => Some(plain_decimal(*n)),
            Value::Date(seconds) => Some(account_date(*seconds)),
        }
    }

    /// The value as text, as `||` and string functions see it.
    pub(crate) fn as_text(&self) -> Option<String> {
        self.render()
    }
}

/// `M/D/YYYY`, the account's date format.
pub(crate) fn account_date(seconds: i64) -> String {
    let at = Stamp(seconds).to_datetime();
    format!("{}/{}/{}", at.month(), at.day(), at.year())
}

/// Why a value could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ValueError(pub(crate) String);

pub(crate) fn to_number(value: &Value) -> Result<Option<Decimal>, ValueError> {
    match value {
        Value::Null => Ok(None),
        Value::Num(n) => Ok(Some(*n)),
        Value::Str(s) if s.is_empty() => Ok(None),
        Value::Str(s) => s
            .trim()
            .parse::<Decimal>()
            .map(Some)
            .map_err(|_| ValueError(format!("invalid number: '{s}'"))),
        Value::Date(_) => Err(ValueError(String::from(
            "inconsistent datatypes: expected NUMBER got DATE",
        ))),
    }
}

/// A string read as a date in the account format (`M/D/YYYY`, optionally with a time).
pub(crate) fn implicit_date(text: &str) -> Result<i64, ValueError> {
    let trimmed = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%m/%d/%Y") {
        return Ok(Value::date_of(date).as_seconds());
    }
    for format in ["%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(&trimmed.to_ascii_uppercase(), format) {
            return Ok(at.and_utc().timestamp());
        }
    }
    Err(ValueError(format!(
        "'{text}' is not a date in the account's format M/D/YYYY; use TO_DATE or TO_TIMESTAMP"
    )))
}

impl Value {
    fn as_seconds(&self) -> i64 {
        match self {
            Value::Date(s) => *s,
            _ => 0,
        }
    }
}

/// Compares two values as Oracle does for `=`, `<` …; `None` when either is NULL.
pub(crate) fn compare(left: &Value, right: &Value) -> Result<Option<Ordering>, ValueError> {
    if left.is_null() || right.is_null() {
        return Ok(None);
    }
    Ok(Some(match (left, right) {
        (Value::Num(a), Value::Num(b)) => a.cmp(b),
        (Value::Str(a), Value::Str(b)) => a.cmp(b),
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        (Value::Num(a), Value::Str(_)) => match to_number(right)? {
            Some(b) => a.cmp(&b),
            None => return Ok(None),
        },
        (Value::Str(_), Value::Num(b)) => match to_number(left)? {
            Some(a) => a.cmp(b),
            None => return Ok(None),
        },
        (Value::Date(a), Value::Str(text)) => a.cmp(&implicit_date(text)?),
        (Value::Str(text), Value::Date(b)) => implicit_date(text)?.cmp(b),
        (Value::Date(_), Value::Num(_)) | (Value::Num(_), Value::Date(_)) => {
            return Err(ValueError(String::from(
                "inconsistent datatypes: a date compared with a number",
            )));
        }
        _ => return Ok(None),
    }))
}

/// The order of `ORDER BY`: values of one type compare naturally; NULLs are placed by the
/// caller; mixed types order numbers, then dates, then strings.
pub(crate) fn sort_order(left: &Value, right: &Value) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Null => 0,
            Value::Num(_) => 1,
            Value::Date(_) => 2,
            Value::Str(_) => 3,
        }
    }
    match (left, right) {
        (Value::Num(a), Value::Num(b)) => a.cmp(b),
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        (Value::Str(a), Value::Str(b)) => a.cmp(b),
        _ => rank(left).cmp(&rank(right)),
    }
}

/// `LIKE` with `%` (any run) and `_` (one character).
pub(crate) fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    // Iterative matching with one backtrack point per `%`: linear in practice, never
    // exponential on adversarial patterns.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '_' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == '%' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == '%' {
        p += 1;
    }
    p == pattern.len()
}

// ---------------------------------------------------------------------------------------------
// Datetime format models

#[derive(Clone, Debug, PartialEq, Eq)]
enum Element {
    Year4,
    Year2,
    Month,
    MonthAbbrev(Case),
    MonthName(Case),
    Day,
    DayAbbrev(Case),
    Hour24,
    Hour12,
    Minute,
    Second,
    Fraction(usize),
    Meridian { dotted: bool, case: Case },
    Literal(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Upper,
    Capital,
    Lower,
}

fn case_of(text: &str) -> Case {
    let mut letters = text.chars().filter(|c| c.is_alphabetic());
    match (letters.next(), letters.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_uppercase() => Case::Upper,
        (Some(first), _) if first.is_uppercase() => Case::Capital,
        _ => Case::Lower,
    }
}

fn apply_case(text: &str, case: Case) -> String {
    match case {
        Case::Upper => text.to_uppercase(),
        Case::Lower => text.to_lowercase(),
        Case::Capital => {
            let lower = text.to_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

const MONTHS: [&str; 12] = [
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
];
const DAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

/// Parses an Oracle datetime format model (`YYYY-MM-DD"T"HH24:MI:SS`).
fn format_model(model: &str) -> Result<Vec<Element>, ValueError> {
    let chars: Vec<char> = model.chars().collect();
    let mut elements = Vec::new();
    let mut i = 0;
    let upper: Vec<char> = chars.iter().map(|c| c.to_ascii_uppercase()).collect();
    let starts = |i: usize, token: &str| {
        let token: Vec<char> = token.chars().collect();
        upper.len() >= i + token.len() && upper[i..i + token.len()] == token[..]
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            let close = chars[i + 1..]
                .iter()
                .position(|c| *c == '"')
                .ok_or_else(|| {
                    ValueError(String::from(
                        "date format not recognized: unterminated quote",
                    ))
                })?;
            elements.push(Element::Literal(
                chars[i + 1..i + 1 + close].iter().collect(),
            ));
            i += close + 2;
            continue;
        }
        if matches!(c, '-' | '/' | ',' | '.' | ';' | ':' | ' ') {
            elements.push(Element::Literal(c.to_string()));
            i += 1;
            continue;
        }
        let original: String = chars[i..].iter().take(5).collect();
        let (element, width) = if starts(i, "YYYY") {
            (Element::Year4, 4)
        } else if starts(i, "YY") {
            (Element::Year2, 2)
        } else if starts(i, "MONTH") {
            (Element::MonthName(case_of(&original)), 5)
        } else if starts(i, "MON") {
            (Element::MonthAbbrev(case_of(&original)), 3)
        } else if starts(i, "MM") {
            (Element::Month, 2)
        } else if starts(i, "MI") {
            (Element::Minute, 2)
        } else if starts(i, "DD") {
            (Element::Day, 2)
        } else if starts(i, "DY") {
            (Element::DayAbbrev(case_of(&original)), 2)
        } else if starts(i, "HH24") {
            (Element::Hour24, 4)
        } else if starts(i, "HH12") {
            (Element::Hour12, 4)
        } else if starts(i, "HH") {
            (Element::Hour12, 2)
        } else if starts(i, "SS") {
            (Element::Second, 2)
        } else if starts(i, "FF") {
            let digits = chars
                .get(i + 2)
                .and_then(|c| c.to_digit(10))
                .map_or(6, |d| usize::try_from(d).unwrap_or(6).clamp(1, 9));
            let width = if chars.get(i + 2).is_some_and(char::is_ascii_digit) {
                3
            } else {
                2
            };
            (Element::Fraction(digits), width)
        } else if starts(i, "A.M.") || starts(i, "P.M.") {
            (
                Element::Meridian {
                    dotted: true,
                    case: case_of(&original),
                },
                4,
            )
        } else if starts(i, "AM") || starts(i, "PM") {
            (
                Element::Meridian {
                    dotted: false,
                    case: case_of(&original),
                },
                2,
            )
        } else {
            return Err(ValueError(format!(
                "date format not recognized: '{model}' at '{}'",
                chars[i..].iter().collect::<String>()
            )));
        };
        elements.push(element);
        i += width;
    }
    Ok(elements)
}

/// `TO_CHAR(date, model)`.
pub(crate) fn format_date(seconds: i64, model: &str) -> Result<String, ValueError> {
    let at = Stamp(seconds).to_datetime();
    let mut out = String::new();
    for element in format_model(model)? {
        match element {
            Element::Year4 => out.push_str(&format!("{:04}", at.year())),
            Element::Year2 => out.push_str(&format!("{:02}", at.year().rem_euclid(100))),
            Element::Month => out.push_str(&format!("{:02}", at.month())),
            Element::MonthAbbrev(case) => {
                let name = MONTHS[usize::try_from(at.month0()).unwrap_or(0)];
                out.push_str(&apply_case(&name[..3], case));
            }
            Element::MonthName(case) => {
                let name = MONTHS[usize::try_from(at.month0()).unwrap_or(0)];
                // Oracle pads month names to the longest (9 characters).
                out.push_str(&format!("{:<9}", apply_case(name, case)));
            }
            Element::Day => out.push_str(&format!("{:02}", at.day())),
            Element::DayAbbrev(case) => {
                let day = DAYS[usize::try_from(at.weekday().num_days_from_monday()).unwrap_or(0)];
                out.push_str(&apply_case(day, case));
            }
            Element::Hour24 => out.push_str(&format!("{:02}", at.hour())),
            Element::Hour12 => {
                let hour = match at.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                out.push_str(&format!("{hour:02}"));
            }
            Element::Minute => out.push_str(&format!("{:02}", at.minute())),
            Element::Second => out.push_str(&format!("{:02}", at.second())),
            Element::Fraction(digits) => out.push_str(&"0".repeat(digits)),
            Element::Meridian { dotted, case } => {
                let text = match (at.hour() < 12, dotted) {
                    (true, false) => "AM",
                    (false, false) => "PM",
                    (true, true) => "A.M.",
                    (false, true) => "P.M.",
                };
                out.push_str(&apply_case(text, case));
            }
            Element::Literal(text) => out.push_str(&text),
        }
    }
    Ok(out)
}

/// `TO_DATE(text, model)` / `TO_TIMESTAMP(text, model)`; fields the model leaves out default
/// to the first of the current month, as in Oracle.
pub(crate) fn parse_date(text: &str, model: &str, now: i64) -> Result<i64, ValueError> {
    let elements = format_model(model)?;
    let current = Stamp(now).to_datetime();
    let (mut year, mut month, mut day) = (current.year(), current.month(), 1_u32);
    let (mut hour, mut minute, mut second) = (0_u32, 0_u32, 0_u32);
    let mut pm: Option<bool> = None;
    let mut twelve_hour = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let fail = || ValueError(format!("'{text}' does not match the date format '{model}'"));
    let digits = |i: &mut usize, max: usize| -> Result<u32, ValueError> {
        let start = *i;
        while *i < chars.len() && *i - start < max && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            return Err(fail());
        }
        chars[start..*i]
            .iter()
            .collect::<String>()
            .parse()
            .map_err(|_| fail())
    };
    for element in &elements {
        match element {
            Element::Year4 => year = i32::try_from(digits(&mut i, 4)?).map_err(|_| fail())?,
            Element::Year2 => {
                year = 2000 + i32::try_from(digits(&mut i, 2)?).map_err(|_| fail())?
            }
            Element::Month => month = digits(&mut i, 2)?,
            Element::Day => day = digits(&mut i, 2)?,
            Element::Hour24 => hour = digits(&mut i, 2)?,
            Element::Hour12 => {
                hour = digits(&mut i, 2)?;
                twelve_hour = true;
            }
            Element::Minute => minute = digits(&mut i, 2)?,
            Element::Second => second = digits(&mut i, 2)?,
            Element::Fraction(_) => {
                digits(&mut i, 9)?;
            }
            Element::MonthAbbrev(_) | Element::MonthName(_) => {
                let rest: String = chars[i..].iter().collect::<String>().to_ascii_uppercase();
                let found = MONTHS
                    .iter()
                    .enumerate()
                    .find_map(|(index, name)| {
                        if rest.starts_with(name) {
                            Some((index, name.len()))
                        } else if rest.starts_with(&name[..3]) {
                            Some((index, 3))
                        } else {
                            None
                        }
                    })
                    .ok_or_else(fail)?;
                month = u32::try_from(found.0).unwrap_or(0) + 1;
                i += found.1;
                while i < chars.len() && chars[i] == ' ' && matches!(element, Element::MonthName(_))
                {
                    i += 1;
                }
            }
            Element::DayAbbrev(_) => {
                let rest: String = chars[i..]
                    .iter()
                    .take(3)
                    .collect::<String>()
                    .to_ascii_uppercase();
                if !DAYS.contains(&rest.as_str()) {
                    return Err(fail());
                }
                i += 3;
            }
            Element::Meridian { dotted, .. } => {
                let width = if *dotted { 4 } else { 2 };
                let rest: String = chars[i..]
                    .iter()
                    .take(width)
                    .collect::<String>()
                    .to_ascii_uppercase();
                pm = Some(match rest.as_str() {
                    "AM" | "A.M." => false,
                    "PM" | "P.M." => true,
                    _ => return Err(fail()),
                });
                i += width;
            }
            Element::Literal(literal) => {
                for expected in literal.chars() {
                    if chars.get(i) != Some(&expected) {
                        return Err(fail());
                    }
                    i += 1;
                }
            }
        }
    }
    if i != chars.len() {
        return Err(ValueError(format!(
            "date format picture ends before converting entire input string '{text}'"
        )));
    }
    if twelve_hour || pm.is_some() {
        if !(1..=12).contains(&hour) {
            return Err(fail());
        }
        hour %= 12;
        if pm == Some(true) {
            hour += 12;
        }
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(fail)?;
    let time = chrono::NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(fail)?;
    Ok(date.and_time(time).and_utc().timestamp())
}

/// `TRUNC(date)`: midnight of the day.
pub(crate) fn trunc_day(seconds: i64) -> i64 {
    seconds - seconds.rem_euclid(SECONDS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: i64 = 1_772_438_400; // 2026-03-02T08:00:00Z, a Monday

    #[test]
    fn format_models_print_and_parse() {
        let midnight = AT - 8 * 3600;
        let cases: &[(&str, &str, i64)] = &[
            ("YYYY-MM-DD HH24:MI:SS", "2026-03-02 08:00:00", AT),
            ("YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"", "2026-03-02T08:00:00Z", AT),
            ("MM/DD/YYYY HH:MI AM", "03/02/2026 08:00 AM", AT),
            ("DD-Mon-YY", "02-Mar-26", midnight),
            ("DY, DD MON YYYY", "MON, 02 MAR 2026", midnight),
        ];
        for (model, expected, parsed) in cases {
            assert_eq!(format_date(AT, model).as_deref(), Ok(*expected), "{model}");
            assert_eq!(parse_date(expected, model, 0), Ok(*parsed), "{model}");
        }
        assert_eq!(parse_date("2026-3-2", "YYYY-MM-DD", 0), Ok(AT - 8 * 3600));
        assert!(parse_date("2026-03-02 8", "YYYY-MM-DD", 0).is_err());
        assert!(parse_date("2026-02-30", "YYYY-MM-DD", 0).is_err());
        assert!(format_date(AT, "YYYY-QQ").is_err());
        assert!(format_date(AT, "\"open").is_err());
        assert_eq!(account_date(AT), "3/2/2026");
    }

    #[test]
    fn comparisons_follow_oracle() {
        let n = |v: i64| Value::Num(Decimal::from(v));
        assert_eq!(compare(&n(1), &Value::text("2")), Ok(Some(Ordering::Less)));
        assert!(compare(&n(1), &Value::text("x")).is_err());
        assert_eq!(compare(&Value::Null, &n(1)), Ok(None));
        assert_eq!(compare(&Value::text(""), &Value::text("")), Ok(None));
        assert_eq!(
            compare(&Value::Date(AT), &Value::text("3/1/2026")),
            Ok(Some(Ordering::Greater))
        );
        assert!(like("PO1234", "PO%4"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("", "%"));
        assert!(!like(&"a".repeat(50), &format!("{}b", "%a".repeat(20))));
    }
}
