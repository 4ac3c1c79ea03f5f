//! What every connector does the same way with a source's native JSON: name the kind of a value
//! in a message, read an optional text, and read a record into its wire type with an error that
//! names the field.
//!
//! The shapes themselves are each system's `wire` module; its `mapping` modules read them with
//! these helpers, so that a value a source would never send fails alike in every connector.

use crate::ConnectorError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What kind of JSON value this is, for error messages that must not echo payloads.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional text, trimmed; `None` when absent or blank. Takes `&Option<String>` and
/// `Option<&String>` alike.
pub(crate) fn present<'a>(value: impl Into<Option<&'a String>>) -> Option<String> {
    value
        .into()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads the native record `raw` into its wire type. A value of the wrong shape is a protocol
/// error naming the record (`what`, such as `purchase order 4500000001`, built only then) and the
/// field's path: ``purchase order 4500000001: field `to_PurchaseOrderItem.results[1].OrderQuantity`: …``.
pub(crate) fn parse<T: DeserializeOwned>(
    raw: &Value,
    what: impl FnOnce() -> String,
) -> Result<T, ConnectorError> {
    serde_path_to_error::deserialize(raw).map_err(|e| {
        ConnectorError::protocol(format!("{}: field `{}`: {}", what(), e.path(), e.inner()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn blank_text_is_absent_and_text_is_trimmed() {
        assert_eq!(present(&Some(" 1710 ".to_owned())), Some("1710".to_owned()));
        assert_eq!(present(Some(&"  ".to_owned())), None);
        assert_eq!(present(&None), None);
    }

    #[test]
    fn parse_errors_name_the_record_and_the_field() {
        let e =
            parse::<BTreeMap<String, Vec<u32>>>(&json!({"lines": [1, "two"]}), || "order 7".into())
                .unwrap_err();
        match e {
            ConnectorError::Protocol { detail, upstream } => {
                assert!(
                    detail.starts_with("order 7: field `lines[1]`: "),
                    "{detail}"
                );
                assert_eq!(upstream, None);
            }
            other => panic!("expected a protocol error, got {other:?}"),
        }
        assert_eq!(kind(&json!([])), "an array");
    }
}
