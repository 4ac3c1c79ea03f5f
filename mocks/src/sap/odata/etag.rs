//! ETags and `If-Match`, per entity set (reference §3.4).
//!
//! SAP declares an ETag with `ConcurrencyMode="Fixed"` on one property of the entity type; the
//! value travels as `__metadata.etag` and the `ETag` header in SAP's literal form, weak:
//! `W/"datetimeoffset'2026-03-02T08%3A00%3A00Z'"`. A modifying request on such an entity must
//! carry `If-Match` with the current value or `*`: without it SAP answers 428, with a stale one
//! 412. The real PO, maintenance order, equipment and business partner EDMX declare no ETag, so
//! every set starts without one; a profile switches sets on (`[sap] etag_entity_sets`), which
//! lets one emulator serve both kinds of system a connector meets.
//!
//! Codes: 428 is `SADL_ENTITY_RUNTIME/004` (entities) or `/006` (actions), the messages SAP's
//! SADL runtime behind these CDS-based services raises; a malformed header is
//! `/IWFND/CM_MGW/094`. SAP's v2 text for a stale ETag was not found; 412 is raised as a
//! business exception with that status, which is how SADL reports it (uncertain).

use axum::http::{HeaderMap, StatusCode, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::edm::{EdmType, EntitySet, Property, ServiceDef};
use super::error::ODataError;
use super::value::{Value, format_iso_local};

/// Characters kept literally inside an ETag's literal (as in key predicates).
const ETAG_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'\'');

/// The properties that can carry an ETag, in order of preference: the change stamp, or the
/// `ETag` string some SAP types (business partners) expose.
const ETAG_PROPERTIES: [&str; 2] = ["LastChangeDateTime", "ETag"];

/// Which entity sets have an ETag, and on which property.
#[derive(Clone, Debug, Default)]
pub(crate) struct EtagConfig {
    sets: Vec<(&'static EntitySet, usize)>,
}

impl EtagConfig {
    /// Resolves the profile's set names against the services' models. Unknown names and sets
    /// without a property that can carry an ETag are refused, so a typo cannot silently leave
    /// concurrency control off.
    pub(crate) fn resolve(
        names: &[String],
        services: &[&'static ServiceDef],
    ) -> Result<EtagConfig, String> {
        let mut config = EtagConfig::default();
        for name in names {
            let sets: Vec<&'static EntitySet> = services
                .iter()
                .filter_map(|service| service.entity_set(name))
                .collect();
            if sets.is_empty() {
                return Err(format!(
                    "sap.etag_entity_sets names {name:?}, which no SAP service has"
                ));
            }
            for set in sets {
                let Some(index) = ETAG_PROPERTIES
                    .iter()
                    .find_map(|property| set.entity_type.property_index(property))
                else {
                    return Err(format!(
                        "sap.etag_entity_sets names {name:?}, whose type has no LastChangeDateTime or ETag property"
                    ));
                };
                if !config
                    .sets
                    .iter()
                    .any(|(known, _)| std::ptr::eq(*known, set))
                {
                    config.sets.push((set, index));
                }
            }
        }
        Ok(config)
    }

    /// The position of the ETag property of `set`, when it has one.
    pub(crate) fn property(&self, set: &EntitySet) -> Option<usize> {
        self.sets
            .iter()
            .find(|(known, _)| std::ptr::eq(*known, set))
            .map(|(_, index)| *index)
    }

    /// The ETag of `row`, when its set has one.
    pub(crate) fn etag(&self, set: &EntitySet, row: &[Value]) -> Option<String> {
        let index = self.property(set)?;
        let property = set.entity_type.properties.get(index)?;
        Some(etag_value(property, row.get(index).unwrap_or(&Value::Null)))
    }
}

/// `W/"<literal>"` with the literal in URI form, as SAP Gateway writes it.
pub(crate) fn etag_value(property: &Property, value: &Value) -> String {
    let literal = match value {
        Value::DateTimeOffset(ticks) => {
            let mut text = format_iso_local(*ticks);
            // SAP prints the full seven digits of a long timestamp and none for `Precision=0`.
            if property.precision.is_some_and(|p| p > 0) && !text.contains('.') {
                text.push_str(".0000000");
            }
            if property.precision == Some(0)
                && let Some((seconds, _)) = text.split_once('.')
            {
                text = seconds.to_owned();
            }
            format!("datetimeoffset'{text}Z'")
        }
        Value::DateTime(ticks) => format!("datetime'{}'", format_iso_local(*ticks)),
        Value::String(text) => format!("'{}'", text.replace('\'', "''")),
        Value::Null => String::from("null"),
        other => other.to_plain_text(),
    };
    format!("W/\"{}\"", utf8_percent_encode(&literal, ETAG_ESCAPE))
}

/// The outcome of comparing `If-Match` with the current ETag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Precondition {
    Satisfied,
    Missing,
    Mismatch,
    Malformed,
}

/// Evaluates `If-Match` (weak comparison, `*` matches anything, lists allowed).
pub(crate) fn check_if_match(headers: &HeaderMap, current: &str) -> Precondition {
    let values: Vec<&str> = headers
        .get_all(header::IF_MATCH)
        .iter()
        .map(|value| value.to_str().unwrap_or("\u{0}"))
        .collect();
    if values.is_empty() {
        return Precondition::Missing;
    }
    let wanted = opaque(current);
    let mut outcome = Precondition::Mismatch;
    for candidate in values.iter().flat_map(|value| split_list(value)) {
        let candidate = candidate.trim();
        if candidate == "*" {
            return Precondition::Satisfied;
        }
        let tag = candidate.strip_prefix("W/").unwrap_or(candidate);
        let Some(inner) = tag
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
        else {
            outcome = Precondition::Malformed;
            continue;
        };
        // Clients sometimes send the literal decoded; both spellings name the same version.
        if inner == wanted || decoded(inner) == decoded(&wanted) {
            return Precondition::Satisfied;
        }
    }
    outcome
}

/// The quoted part of an ETag, without `W/` and the quotes.
fn opaque(etag: &str) -> String {
    let tag = etag.strip_prefix("W/").unwrap_or(etag);
    tag.trim_matches('"').to_owned()
}

fn decoded(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Splits an `If-Match` list at commas outside quotes.
fn split_list(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (position, ch) in value.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&value[start..position]);
                start = position + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .collect()
}

/// The refusal for a precondition that does not hold, naming the entity as `Set~key`.
pub(crate) fn refusal(
    precondition: &Precondition,
    set: &EntitySet,
    key: &str,
    action: bool,
) -> Option<ODataError> {
    match precondition {
        Precondition::Satisfied => None,
        Precondition::Missing => {
            let (code, text) = if action {
                (
                    "SADL_ENTITY_RUNTIME/006",
                    format!(
                        "Precondition required for action in entity {}~{key} (If-Match missing)",
                        set.name
                    ),
                )
            } else {
                (
                    "SADL_ENTITY_RUNTIME/004",
                    format!(
                        "Precondition required for entity {}~{key} (If-Match missing)",
                        set.name
                    ),
                )
            };
            let mut error = ODataError::business(code, text, "");
            error.status = StatusCode::PRECONDITION_REQUIRED;
            Some(error)
        }
        Precondition::Mismatch => {
            let mut error = ODataError::new(
                StatusCode::PRECONDITION_FAILED,
                "/IWBEP/CX_MGW_BUSI_EXCEPTION",
                format!(
                    "Entity {}~{key} was changed in the meantime (If-Match does not match the current ETag); read it again",
                    set.name
                ),
            );
            error.business = true;
            Some(error)
        }
        Precondition::Malformed => Some(ODataError::new(
            StatusCode::BAD_REQUEST,
            "/IWFND/CM_MGW/094",
            "Invalid eTag format - The if-match header field has an invalid format",
        )),
    }
}

/// `Set~key` text of a row's key, for the messages above.
pub(crate) fn key_text(set: &EntitySet, row: &[Value]) -> String {
    set.entity_type
        .key_indices()
        .into_iter()
        .map(|index| {
            let value = row.get(index).unwrap_or(&Value::Null);
            match (value, set.entity_type.properties[index].edm) {
                (Value::DateTime(ticks), EdmType::DateTime) => {
                    format_iso_local(*ticks)[..10].to_owned()
                }
                _ => value.to_plain_text(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::sap::odata::value::Ticks;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                header::IF_MATCH,
                HeaderValue::from_str(value).expect("header"),
            );
        }
        map
    }

    #[test]
    fn values_follow_the_property_precision() {
        let at = Value::DateTimeOffset(Ticks::from_millis(1_772_438_400_123));
        let p0 = Property::timestamp("LastChangeDateTime", 0, "Stamp");
        let p7 = Property::timestamp("LastChangeDateTime", 7, "Stamp");
        assert_eq!(
            etag_value(&p0, &at),
            "W/\"datetimeoffset'2026-03-02T08%3A00%3A00Z'\""
        );
        assert_eq!(
            etag_value(&p7, &at),
            "W/\"datetimeoffset'2026-03-02T08%3A00%3A00.1230000Z'\""
        );
        let whole = Value::DateTimeOffset(Ticks::from_millis(1_772_438_400_000));
        assert_eq!(
            etag_value(&p7, &whole),
            "W/\"datetimeoffset'2026-03-02T08%3A00%3A00.0000000Z'\""
        );
        let text = Property::string("ETag", 26, "ETag");
        assert_eq!(
            etag_value(&text, &Value::string("a'b c")),
            "W/\"'a''b%20c'\""
        );
    }

    proptest::proptest! {
        /// Any header value is answered without panicking; an ETag always matches itself,
        /// weak or strong, and never a different version.
        #[test]
        fn if_match_never_panics_and_matches_itself(header_value in "[ -~]{0,60}", ms in 0_i64..253_402_300_799_000) {
            let property = Property::timestamp("LastChangeDateTime", 7, "Stamp");
            let etag = etag_value(&property, &Value::DateTimeOffset(Ticks::from_millis(ms)));
            let _ = check_if_match(&headers(&[&header_value]), &etag);
            proptest::prop_assert_eq!(check_if_match(&headers(&[&etag]), &etag), Precondition::Satisfied);
            let strong = etag.trim_start_matches("W/").to_owned();
            proptest::prop_assert_eq!(check_if_match(&headers(&[&strong]), &etag), Precondition::Satisfied);
            let other = etag_value(&property, &Value::DateTimeOffset(Ticks::from_millis(ms + 1)));
            proptest::prop_assert_eq!(check_if_match(&headers(&[&other]), &etag), Precondition::Mismatch);
        }
    }

    #[test]
    fn if_match_comparison() {
        let current = "W/\"datetimeoffset'2026-03-02T08%3A00%3A00Z'\"";
        for (values, expected) in [
            (vec![], Precondition::Missing),
            (vec![current], Precondition::Satisfied),
            (vec!["*"], Precondition::Satisfied),
            (
                vec!["\"datetimeoffset'2026-03-02T08%3A00%3A00Z'\""],
                Precondition::Satisfied,
            ),
            (
                vec!["W/\"datetimeoffset'2026-03-02T08:00:00Z'\""],
                Precondition::Satisfied,
            ),
            (
                vec!["W/\"x\", W/\"datetimeoffset'2026-03-02T08%3A00%3A00Z'\""],
                Precondition::Satisfied,
            ),
            (
                vec!["W/\"datetimeoffset'2026-03-02T07%3A00%3A00Z'\""],
                Precondition::Mismatch,
            ),
            (vec!["garbage"], Precondition::Malformed),
        ] {
            assert_eq!(
                check_if_match(&headers(&values), current),
                expected,
                "{values:?}"
            );
        }
    }
}
