//! ETags of the entities this connector changes, and the `If-Match` each write carries.
//!
//! The EDMX files of the services used here (`API_PURCHASEORDER_PROCESS_SRV`,
//! `API_BUSINESS_PARTNER`, `API_MAINTENANCEORDER;v=0002`, `API_EQUIPMENT`) seen in the wild declare
//! no ETag (`ConcurrencyMode="Fixed"`), but SAP Gateway sends `__metadata.etag` for every entity
//! that has one and then answers a write without `If-Match` with 428. So:
//! - a record's `remote_version` is its `__metadata.etag` when SAP sent one;
//! - every write is preceded by a read of the entity it changes, and carries that entity's ETag
//!   as `If-Match` when it has one (as SAP's own Cloud SDK does);
//! - a client's expected version is compared with the ETag just read: a different one is refused
//!   as a conflict before anything is sent, and is also sent as `If-Match`, so that SAP itself
//!   refuses a change that lands in between (412). Where SAP sent no ETag the version cannot be
//!   checked, and a conditional write is refused as not supported rather than done blindly.

use super::client::SYSTEM;
use crate::{ConnectorError, Upstream};
use serde_json::Value;

/// `__metadata.etag` of a native entity, when SAP sent a non-empty one.
pub(crate) fn etag_of(raw: &Value) -> Option<String> {
    raw.pointer("/__metadata/etag")
        .and_then(Value::as_str)
        .filter(|etag| !etag.trim().is_empty())
        .map(str::to_owned)
}

/// The `If-Match` of a write to `what`, whose ETag as just read is `current`, for a client that
/// expects `expected`.
pub(crate) fn if_match(
    expected: Option<&str>,
    current: Option<&str>,
    what: &str,
) -> Result<Option<String>, ConnectorError> {
    match (expected, current) {
        (None, current) => Ok(current.map(str::to_owned)),
        (Some(_), None) => Err(ConnectorError::NotSupported {
            what: format!(
                "a conditional change of {what}: SAP sends no ETag for it, so the expected version cannot be checked"
            ),
        }),
        (Some(expected), Some(current)) if expected == current => Ok(Some(current.to_owned())),
        (Some(expected), Some(current)) => Err(ConnectorError::Conflict(Upstream {
            system: SYSTEM.into(),
            // What SAP answers a write whose If-Match no longer matches; refused here before
            // anything is sent.
            status: 412,
            code: None,
            message: Some(format!(
                "{what} changed since version {expected}; it is now at {current}"
            )),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn etags_come_from_the_metadata() {
        let raw = json!({"__metadata": {"etag": "W/\"datetimeoffset'2024-01-31T09%3A15%3A02Z'\""}});
        assert_eq!(
            etag_of(&raw).as_deref(),
            Some("W/\"datetimeoffset'2024-01-31T09%3A15%3A02Z'\"")
        );
        assert_eq!(etag_of(&json!({"__metadata": {"uri": "x"}})), None);
        assert_eq!(etag_of(&json!({"__metadata": {"etag": ""}})), None);
        assert_eq!(etag_of(&json!("not an entity")), None);
    }

    #[test]
    fn expected_versions_are_checked_where_sap_has_them() {
        assert_eq!(if_match(None, None, "x").unwrap(), None);
        assert_eq!(
            if_match(None, Some("W/\"1\""), "x").unwrap().as_deref(),
            Some("W/\"1\"")
        );
        assert_eq!(
            if_match(Some("W/\"1\""), Some("W/\"1\""), "x")
                .unwrap()
                .as_deref(),
            Some("W/\"1\"")
        );
        assert!(matches!(
            if_match(Some("W/\"1\""), Some("W/\"2\""), "x"),
            Err(ConnectorError::Conflict(u)) if u.status == 412
        ));
        assert!(matches!(
            if_match(Some("W/\"1\""), None, "x"),
            Err(ConnectorError::NotSupported { .. })
        ));
    }
}
