//! Value handling shared by the plant-maintenance services (maintenance orders, equipment):
//! how a written value is stored, and the refusals every write path uses.
//!
//! Message classes are SAP's (`00` general, `IW` maintenance orders, `IE` equipment, `BS` status
//! management); the status messages are real (`BS/013` "System status & is active (&)", `BS/007`
//! "& is not allowed (&)"), the numbers of the `IW`/`IE` messages are illustrative.

use crate::sap::odata::edm::{Conversion, EdmType, Property};
use crate::sap::odata::error::{ErrorDetail, ODataError};
use crate::sap::odata::value::{TICKS_PER_SECOND, Ticks, Value};

/// A value as SAP stores it: upper case where the domain is, conversion exits applied
/// (ALPHA/NUMC numbers unpadded on output), decimals at their scale, dates without time,
/// `Precision="0"` timestamps in whole seconds.
pub(crate) fn stored(property: &Property, value: Value) -> Value {
    match value {
        Value::String(text) => {
            let mut text = if property.display_format == Some("UpperCase") {
                text.to_uppercase()
            } else {
                text
            };
            if property.conversion != Conversion::None
                && !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit())
            {
                let trimmed = text.trim_start_matches('0');
                text = if trimmed.is_empty() {
                    String::from("0")
                } else {
                    trimmed.to_owned()
                };
            }
            Value::String(text)
        }
        Value::Decimal(number) => {
            let mut number = number.normalize();
            number.rescale(property.scale.unwrap_or(0));
            Value::Decimal(number)
        }
        Value::DateTime(ticks) if property.display_format == Some("Date") => {
            Value::DateTime(ticks.start_of_day())
        }
        Value::DateTimeOffset(ticks) if property.precision == Some(0) => {
            Value::DateTimeOffset(Ticks(ticks.0 - ticks.0.rem_euclid(TICKS_PER_SECOND)))
        }
        other => other,
    }
}

/// The text of a string property of a row (`""` when empty or not a string).
pub(crate) fn text(row: &[Value], index: usize) -> &str {
    row.get(index).and_then(Value::as_str).unwrap_or_default()
}

/// Whether a property of a row is empty.
pub(crate) fn is_blank(row: &[Value], index: usize) -> bool {
    match row.get(index) {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.trim().is_empty(),
        Some(_) => false,
    }
}

/// `00/055`: a required field is missing.
pub(crate) fn required(property: &str) -> ODataError {
    ODataError::business(
        "00/055",
        format!("Fill in all required entry fields ({property})"),
        property,
    )
}

/// A field that cannot be changed after creation, or is maintained by the system.
pub(crate) fn not_changeable(property: &Property, hint: &str) -> ODataError {
    let message = if hint.is_empty() {
        format!("Field {} cannot be changed", property.name)
    } else {
        format!("Field {} cannot be changed; {hint}", property.name)
    };
    ODataError::business("IW/041", message, property.name)
}

/// A value the plant's customizing does not know.
pub(crate) fn not_defined(code: &str, property: &str, value: &str, what: &str) -> ODataError {
    ODataError::business(
        code,
        format!("{what} {value} is not defined for plant 1710"),
        property,
    )
}

/// SAP status management: `BS/013` naming the active status that forbids the step, with
/// `BS/007` naming the business transaction, for object `object` (`ORD 4000123`).
pub(crate) fn status_forbids(status: &str, transaction: &str, object: &str) -> ODataError {
    let mut error = ODataError::business(
        "BS/013",
        format!("System status {status} is active ({object})"),
        "SystemStatusText",
    );
    error.details.push(ErrorDetail {
        code: String::from("BS/007"),
        message: format!("{transaction} is not allowed ({object})"),
        target: String::new(),
    });
    error
}

/// Checks a payload value of a key property against the key of the entity written.
pub(crate) fn same_key_value(property: &Property, given: &Value, current: &Value) -> bool {
    match (stored(property, given.clone()), current) {
        (Value::String(a), Value::String(b)) if property.edm == EdmType::String => a == *b,
        (a, b) => a == *b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms() {
        let order = Property::string("MaintenanceOrder", 12, "Order").alpha();
        assert_eq!(
            stored(&order, Value::string("000004000123")),
            Value::string("4000123")
        );
        let kind = Property::string("MaintenanceOrderType", 4, "Type").upper_case();
        assert_eq!(stored(&kind, Value::string("pm01")), Value::string("PM01"));
        let stamp = Property::timestamp("Start", 0, "Start");
        assert_eq!(
            stored(
                &stamp,
                Value::DateTimeOffset(Ticks(TICKS_PER_SECOND * 10 + 5))
            ),
            Value::DateTimeOffset(Ticks(TICKS_PER_SECOND * 10))
        );
        use rust_decimal::Decimal;
        let duration = Property::decimal("Duration", 5, 1, "Duration");
        assert_eq!(
            stored(&duration, Value::Decimal(Decimal::new(2, 0))),
            Value::Decimal(Decimal::new(20, 1))
        );
        assert!(same_key_value(
            &order,
            &Value::string("0004000123"),
            &Value::string("4000123")
        ));
        let error = status_forbids("CLSD", "Release", "ORD 4000123");
        assert_eq!(error.code, "BS/013");
        assert_eq!(error.details.len(), 2);
    }
}
