//! What the checks must know about each system, in that system's own terms: which credential
//! fields are secret, how to spoil a credential, how to build a valid write from a native sample,
//! and how to read a written record back. Written from the systems' documentation, never from a
//! connector's mapping, so the two can catch each other's mistakes.

mod sap;

use crate::context::{Ctx, Outcome, Step};
use serde_json::Value;

/// Credential fields that are secrets, whatever the system.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "client_secret",
    "consumer_secret",
    "token_secret",
    "apikey",
    "readonly_password",
];

/// The secret values among a manifest entry's credentials.
pub(crate) fn secrets(credentials: &Value) -> Vec<String> {
    SECRET_FIELDS
        .iter()
        .filter_map(|f| credentials.get(*f).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The credentials with their main secret spoilt.
pub(crate) fn wrong_credentials(system: &str, credentials: &Value) -> Value {
    let mut c = credentials.clone();
    let field = match system {
        "netsuite" => "token_secret",
        "maximo" => "apikey",
        _ => "password",
    };
    if let Some(v) = c.get_mut(field) {
        *v = Value::String(format!("{}-wrong", v.as_str().unwrap_or("")));
    }
    c
}

/// A purchase-order create body the system will accept, built from its own master data.
pub(crate) async fn purchase_order_body(ctx: &Ctx) -> Step<Value> {
    match ctx.system() {
        "sap" => sap::purchase_order_body(ctx).await,
        other => Err(Outcome::Skipped(format!(
            "no purchase-order expectations written for {other} yet"
        ))),
    }
}

/// Differences between what was sent to create a purchase order and the native record the system
/// now holds; empty when the system holds exactly what was written.
pub(crate) fn written_purchase_order_differences(
    system: &str,
    sent: &Value,
    native: &Value,
) -> Vec<String> {
    match system {
        "sap" => sap::purchase_order_differences(sent, native),
        other => vec![format!(
            "no purchase-order expectations written for {other}"
        )],
    }
}

/// Compares two decimal strings (or numbers) by value: `"39"` equals `"39.000"`.
pub(crate) fn same_decimal(a: &Value, b: &Value) -> bool {
    let parse = |v: &Value| -> Option<rust_decimal::Decimal> {
        match v {
            Value::String(s) => s.parse().ok(),
            Value::Number(n) => n.to_string().parse().ok(),
            _ => None,
        }
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}
