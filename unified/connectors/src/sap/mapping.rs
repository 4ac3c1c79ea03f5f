//! What every SAP mapping shares: reading a native entity with an error that names the entity and
//! the field, SAP's blank strings, the checks a write body goes through before it is sent
//! (lengths and decimal shapes from the services' `$metadata`), and the body itself, the native
//! struct as JSON with `remote_fields` merged in last.
//!
//! The mappings themselves are per entity, `<entity>/mapping`: purchase orders, work orders,
//! assets, vendors and inventory; their tests share the recorded pages and native values of
//! `test_support`.

use crate::{ConnectorError, Problems};
use mw_model::{Decimal, FieldError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Reads the native entity `raw` into its wire type. A value SAP would never print is a protocol
/// error naming the entity, `what` and the value of its `key` property (`?` without one), and the
/// field: ``purchase order 4500000028: field `to_PurchaseOrderItem.results[1].OrderQuantity`: …``.
pub(crate) fn parse<T: DeserializeOwned>(
    raw: &Value,
    what: &str,
    key: &str,
) -> Result<T, ConnectorError> {
    crate::native::parse(raw, || {
        let number = raw.get(key).and_then(Value::as_str).unwrap_or("?");
        format!("{what} {number}")
    })
}

/// A string as SAP printed it, `None` when blank. Unlike [`crate::native::present`], a value is
/// kept untrimmed: keys and numbers stay exactly as SAP prints them.
pub(crate) fn printed(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

/// Whether `value` fits `Edm.Decimal(precision, scale)`.
pub(crate) fn fits(value: Decimal, (precision, scale): (u32, u32)) -> bool {
    let value = value.normalize();
    let integer_digits = precision - scale;
    value.scale() <= scale && value.abs().trunc() < Decimal::from(10_i64.pow(integer_digits))
}

/// The checks of an SAP write body.
impl Problems {
    /// A text that SAP holds in at most `max` characters; `what` names it in the message.
    pub(in crate::sap) fn max_len(
        &mut self,
        value: Option<&str>,
        max: usize,
        path: &str,
        what: &str,
    ) {
        self.require(
            value.is_none_or(|s| s.chars().count() <= max),
            path,
            format!("{what} has at most {max} characters in SAP"),
        );
    }
}

/// `native` as a JSON object, or the problem that it is none (`what`: `an SAP equipment`). A
/// struct always serialises to an object; anything else is reported, not panicked on.
pub(crate) fn object_of<T: Serialize>(
    native: &T,
    what: &str,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    match serde_json::to_value(native) {
        Ok(Value::Object(body)) => Ok(body),
        _ => Err(vec![FieldError::new(
            "$",
            format!("cannot be written as {what}"),
        )]),
    }
}

/// The body of a create or a change: `native` as a JSON object (see [`object_of`]) with
/// `remote_fields` merged in last, so that they override what the mapping set.
pub(crate) fn body_with<T: Serialize>(
    native: &T,
    remote_fields: Option<&Map<String, Value>>,
    what: &str,
) -> Result<Value, Vec<FieldError>> {
    let mut body = object_of(native, what)?;
    for (key, value) in remote_fields.into_iter().flatten() {
        body.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Test data every SAP mapping's tests read: recorded pages and native values.

    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// The entities of a recorded OData v2 page, `{"d": {"results": […]}}`.
    pub(crate) fn results(page: &str) -> Vec<Value> {
        let page: Value = serde_json::from_str(page).unwrap();
        page["d"]["results"].as_array().unwrap().clone()
    }

    /// Values an `Edm.Boolean` may hold, and some it may not.
    pub(crate) fn any_flag() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            Just(json!("X"))
        ]
    }

    /// Values SAP's metadata allows for a decimal property, and some it does not.
    pub(crate) fn any_decimal() -> impl Strategy<Value = Value> {
        prop_oneof![
            (any::<i64>(), 0u32..=6)
                .prop_map(|(m, s)| json!(mw_model::Decimal::new(m, s).to_string())),
            "-?[0-9]{1,40}(\\.[0-9]{0,30})?".prop_map(Value::String),
            any::<String>().prop_map(Value::String),
            any::<f64>().prop_map(|f| json!(f)),
            Just(Value::Null),
        ]
    }
}
