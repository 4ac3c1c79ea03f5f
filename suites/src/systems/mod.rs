//! What the checks must know about each system, in that system's own terms: which credential
//! fields are secret, how to spoil a credential, how to build a valid write from a native sample,
//! and how to read a written record back. Written from the systems' documentation, never from a
//! connector's mapping, so the two can catch each other's mistakes.

mod maximo;
mod netsuite;
mod sap;

use crate::context::{Ctx, Outcome, Step};
use mw_harness::TruthRecord;
use mw_model::Entity;
use serde_json::Value;

/// Credential fields that are secrets, whatever the system.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "client_secret",
    "consumer_secret",
    "token_secret",
    "apikey",
    "readonly_password",
    "readonly_token_secret",
    "readonly_apikey",
    "private_key",
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

/// The manifest's OAuth 2.0 client credentials, as a connection takes them (AUTH-004): SAP's
/// client id and secret, NetSuite's M2M client id, certificate id and private key.
pub(crate) fn oauth2_credentials(system: &str, credentials: &Value) -> Option<Value> {
    let fields: &[&str] = match system {
        "netsuite" => &["account_id", "client_id", "certificate_id", "private_key"],
        "sap" => &["client_id", "client_secret", "token_url"],
        _ => return None,
    };
    let all = credentials.as_object()?;
    let picked: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| Some(((*f).to_owned(), all.get(*f)?.clone())))
        .collect::<Option<_>>()?;
    Some(Value::Object(picked))
}

/// Why a system's connections hold no token that expires mid-run (AUTH-004).
pub(crate) fn no_expiring_tokens(system: &str) -> &'static str {
    match system {
        "netsuite" => "the emulator's manifest offers no OAuth 2.0 M2M mapping",
        "maximo" => {
            "Maximo's REST API authenticates each request with an API key or maxauth; there is no token to expire"
        }
        _ => "the emulator's manifest offers no OAuth2 client credentials",
    }
}

/// The manifest's read-only user, as credentials a connection takes; `None` when it lists none.
pub(crate) fn readonly_credentials(system: &str, credentials: &Value) -> Option<Value> {
    let swaps: &[(&str, &str)] = match system {
        "netsuite" => &[
            ("token_id", "readonly_token_id"),
            ("token_secret", "readonly_token_secret"),
        ],
        "maximo" => &[
            ("apikey", "readonly_apikey"),
            ("username", "readonly_username"),
            ("password", "readonly_password"),
        ],
        _ => &[
            ("username", "readonly_username"),
            ("password", "readonly_password"),
        ],
    };
    let mut c = credentials.as_object()?.clone();
    for (field, readonly) in swaps {
        let value = c.remove(*readonly)?;
        c.insert((*field).to_owned(), value);
    }
    // Only the fields a connection of the system takes.
    c.retain(|k, _| !k.starts_with("readonly_"));
    if system == "sap" {
        c.retain(|k, _| k == "username" || k == "password");
    }
    Some(Value::Object(c))
}

/// A change to send and the native fields (with their new values) that must hold it afterwards.
pub(crate) struct UpdateSetup {
    pub(crate) patch: Value,
    pub(crate) expected: Vec<(&'static str, Value)>,
    /// Native fields the system derives from the changed ones (NetSuite's `defaultAddress` text
    /// starts with the company name): they may move too.
    pub(crate) derived: &'static [&'static str],
}

/// What a create needs: connection settings (write defaults) and the canonical body.
pub(crate) struct WriteSetup {
    pub(crate) settings: Value,
    pub(crate) body: Value,
}

fn no_expectations(system: &str, what: &str) -> Outcome {
    Outcome::Skipped(format!(
        "no {what} expectations are written for {system} yet"
    ))
}

/// A stock row of the source with 10 or more on hand, to adjust.
pub(crate) async fn stocked_level(ctx: &Ctx) -> Step<TruthRecord> {
    let system = ctx.system();
    ctx.truth(Entity::Inventory, None)
        .await?
        .into_iter()
        .find(|t| truth_quantity(system, t).is_some_and(|q| q >= rust_decimal::Decimal::TEN))
        .ok_or_else(|| {
            Outcome::failed(
                "no stock row with 10 or more on hand",
                mw_reports::Evidence::default(),
            )
        })
}

/// A purchase-order create body the system will accept, built from its own master data.
pub(crate) async fn purchase_order_body(ctx: &Ctx) -> Step<Value> {
    match ctx.system() {
        "sap" => sap::purchase_order_body(ctx).await,
        "netsuite" => netsuite::purchase_order_body(ctx).await,
        "maximo" => maximo::purchase_order_body(ctx).await,
        other => Err(no_expectations(other, "purchase-order")),
    }
}

/// A purchase-order body that is canonically valid but that the system itself cannot take, what
/// makes it so, and the field path the refusal must name: the connector must know the rule and
/// refuse before anything reaches the source.
pub(crate) fn invalid_to_the_system(
    system: &str,
    valid: &Value,
) -> (&'static str, Value, &'static str) {
    let mut body = valid.clone();
    match system {
        // NetSuite orders items by internal id: a line without one cannot be posted.
        "netsuite" => {
            body["lines"][0].as_object_mut().map(|o| o.remove("item"));
            ("a line without item", body, "$.lines[0].item")
        }
        // Maximo vendors belong to an organisation: the order must be for that organisation.
        "maximo" => {
            body["company"] = Value::String("OTHERORG".into());
            (
                "a vendor of another organisation",
                body,
                "$.vendor_remote_id",
            )
        }
        // SAP needs a receiving plant on every line.
        _ => {
            body["lines"][0]
                .as_object_mut()
                .map(|o| o.remove("location"));
            ("a line without location", body, "$.lines[0].location")
        }
    }
}

/// Settings and a body that create a record of `entity` the system will accept.
pub(crate) async fn create_setup(ctx: &Ctx, entity: Entity) -> Step<WriteSetup> {
    match ctx.system() {
        "sap" => sap::create_setup(ctx, entity).await,
        "netsuite" => netsuite::create_setup(ctx, entity).await,
        "maximo" => maximo::create_setup(ctx, entity).await,
        other => Err(no_expectations(other, "create")),
    }
}

/// Differences between what was sent to create a record and the native record the system now
/// holds; empty when the system holds exactly what was written.
pub(crate) fn written_differences(
    system: &str,
    entity: Entity,
    sent: &Value,
    native: &Value,
) -> Vec<String> {
    match system {
        "sap" => sap::written_differences(entity, sent, native),
        "netsuite" => netsuite::written_differences(entity, sent, native),
        "maximo" => maximo::written_differences(entity, sent, native),
        other => vec![format!("no {entity} expectations are written for {other}")],
    }
}

/// A change to a record of `entity` (whose native form is `native`) and the native fields that
/// must then hold the new values.
pub(crate) fn update_setup(
    system: &str,
    entity: Entity,
    native: &Value,
) -> Result<UpdateSetup, Outcome> {
    match system {
        "sap" => sap::update_setup(entity, native),
        "netsuite" => netsuite::update_setup(entity, native),
        "maximo" => maximo::update_setup(entity, native),
        other => Err(no_expectations(other, "update")),
    }
}

/// Whether the system still lets a record be changed (a closed work order does not).
pub(crate) fn changeable(system: &str, entity: Entity, native: &Value) -> bool {
    match system {
        "sap" => sap::changeable(entity, native),
        "netsuite" => netsuite::changeable(entity, native),
        "maximo" => maximo::changeable(entity, native),
        _ => true,
    }
}

/// The native status of a work order, as the system prints it.
pub(crate) fn native_status(system: &str, native: &Value) -> String {
    match system {
        "sap" => find(native, "SystemStatusText")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        "maximo" => native
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    }
}

/// Moves a new work order can make through the system's lifecycle, one after another, and a move
/// the lifecycle then forbids.
pub(crate) fn status_scenario(system: &str) -> (&'static [&'static str], &'static str) {
    match system {
        // Maximo: WAPPR → INPRG → COMP; a completed order cannot be started again.
        "maximo" => (&["in_progress", "completed"], "in_progress"),
        // SAP: CRTD → REL → DLFL; a deletion-flagged order cannot be released again.
        _ => (&["in_progress", "cancelled"], "in_progress"),
    }
}

/// The native status token a canonical work-order status shows as.
pub(crate) fn status_token(system: &str, status: &str) -> &'static str {
    match (system, status) {
        ("sap", "in_progress") => "REL",
        ("sap", "completed") => "TECO",
        ("sap", "closed") => "CLSD",
        ("sap", "cancelled") => "DLFL",
        ("sap", _) => "CRTD",
        ("maximo", "approved") => "APPR",
        ("maximo", "scheduled") => "WSCH",
        ("maximo", "in_progress") => "INPRG",
        ("maximo", "on_hold") => "WMATL",
        ("maximo", "completed") => "COMP",
        ("maximo", "closed") => "CLOSE",
        ("maximo", "cancelled") => "CAN",
        ("maximo", _) => "WAPPR",
        _ => "",
    }
}

/// Whether the system lets a record be deleted (NetSuite keeps an order that has receipts or
/// bills: they are its dependent records; Maximo cancels only work orders waiting on approval).
pub(crate) fn deletable(system: &str, entity: Entity, native: &Value) -> bool {
    match system {
        "netsuite" => netsuite::deletable(entity, native),
        "maximo" => maximo::deletable(entity, native),
        _ => changeable(system, entity, native),
    }
}

/// Whether a record the system kept after a delete shows as deleted or cancelled natively.
pub(crate) fn shows_deleted(system: &str, entity: Entity, native: &Value) -> bool {
    match (system, entity) {
        ("sap", Entity::PurchaseOrders) => {
            find(native, "PurchasingDocumentDeletionCode").and_then(Value::as_str) == Some("L")
        }
        ("netsuite", _) => netsuite::shows_deleted(entity, native),
        ("maximo", _) => maximo::shows_deleted(entity, native),
        _ => false,
    }
}

/// An adjustment body for the inventory level the truth record describes.
pub(crate) async fn adjustment_body(ctx: &Ctx, level: &TruthRecord, delta: &str) -> Step<Value> {
    match ctx.system() {
        "sap" => sap::adjustment_body(ctx, level, delta).await,
        "netsuite" => netsuite::adjustment_body(ctx, level, delta).await,
        "maximo" => maximo::adjustment_body(ctx, level, delta).await,
        other => Err(no_expectations(other, "inventory")),
    }
}

/// The quantity on hand a truth record of an inventory level says.
pub(crate) fn truth_quantity(system: &str, level: &TruthRecord) -> Option<rust_decimal::Decimal> {
    let field = match system {
        "sap" => "MatlWrhsStkQtyInMatlBaseUnit",
        "netsuite" => "quantityonhand",
        "maximo" => "curbal",
        _ => return None,
    };
    level.values.get(field).and_then(decimal)
}

/// The native record of the most recently changed `entity` record.
pub(crate) async fn sample(ctx: &Ctx, entity: Entity) -> Step<Value> {
    let truth = ctx.h.admin.truth(entity.as_str(), None, None).await?;
    let mut records = truth.records;
    records.sort_by_key(|r| r.changed_at);
    let id = records
        .last()
        .map(|r| r.id.clone())
        .ok_or_else(|| Outcome::Skipped(format!("the emulator holds no {entity}")))?;
    Ok(ctx.h.admin.record(entity.as_str(), &id).await?)
}

/// The text of `field` anywhere in a native record; empty when there is none.
pub(crate) fn text_of(native: &Value, field: &str) -> String {
    find(native, field)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// Differences between what was sent (`field` of the canonical body) and what the system holds
/// (`native_field` anywhere in its record), pair by pair; numbers compare by value.
pub(crate) fn field_differences(
    system: &str,
    pairs: &[(&str, &str)],
    sent: &Value,
    native: &Value,
) -> Vec<String> {
    pairs
        .iter()
        .filter_map(|(native_field, field)| {
            let got = find(native, native_field).unwrap_or(&Value::Null);
            let want = &sent[*field];
            (got != want && !same_decimal(got, want))
                .then(|| format!("{native_field}: {system} holds {got}, the request said {want}"))
        })
        .collect()
}

/// The first value of `field` anywhere in a native record (depth first), so expectations do not
/// depend on where a system nests a navigation.
pub(crate) fn find<'a>(native: &'a Value, field: &str) -> Option<&'a Value> {
    match native {
        Value::Object(map) => map
            .get(field)
            .or_else(|| map.values().find_map(|v| find(v, field))),
        Value::Array(items) => items.iter().find_map(|v| find(v, field)),
        _ => None,
    }
}

pub(crate) fn decimal(v: &Value) -> Option<rust_decimal::Decimal> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// Compares two decimal strings (or numbers) by value: `"39"` equals `"39.000"`.
pub(crate) fn same_decimal(a: &Value, b: &Value) -> bool {
    matches!((decimal(a), decimal(b)), (Some(x), Some(y)) if x == y)
}
