//! What follows every SAP create: the key SAP gave the new entity, and the entity read back.
//!
//! SAP answers a create (201) with the entity as it stored it, or with an empty body and the new
//! entity's URL in `Location`; the key comes from the one or the other. The entity is then read
//! back as SAP holds it. It exists by then, so a passing failure of that read must not look like
//! a failed create, which would invite a retry and a duplicate: the create answer stands in when
//! it maps to a whole record.

use crate::ConnectorError;
use serde_json::Value;

/// The key of a created entity: its property `key` in the create answer, else what
/// `from_location` reads from the `Location` header. Neither is a protocol error about `a_what`
/// (`a purchase order`).
pub(crate) fn created_key(
    created: Option<&Value>,
    key: &str,
    from_location: impl FnOnce() -> Option<String>,
    a_what: &str,
) -> Result<String, ConnectorError> {
    created
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .map(str::to_owned)
        .or_else(from_location)
        .ok_or_else(|| {
            ConnectorError::protocol(format!("SAP created {a_what} but named no `{key}` number"))
        })
}

/// The created entity as `read` gets it from SAP. When that read fails in passing, the create
/// answer `created` mapped by `map` stands in, and `warn` is told why; when the answer does not
/// map (or there is none), and on any other failure, the read's error is the outcome.
pub(crate) async fn read_back<T>(
    read: impl Future<Output = Result<T, ConnectorError>>,
    created: Option<Value>,
    map: impl FnOnce(Value) -> Result<T, ConnectorError>,
    warn: impl FnOnce(&ConnectorError),
) -> Result<T, ConnectorError> {
    match read.await {
        Ok(record) => Ok(record),
        Err(e) if e.is_transient() => match created.map(map) {
            Some(Ok(record)) => {
                warn(&e);
                Ok(record)
            }
            _ => Err(e),
        },
        Err(e) => Err(e),
    }
}
