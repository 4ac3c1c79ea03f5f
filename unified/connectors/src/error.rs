//! The connector error: what went wrong, in terms the API turns into problem+json codes.

use mw_model::FieldError;
use serde::Serialize;
use std::time::Duration;

/// What the source system said when it refused a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub system: String,
    /// The HTTP status the source answered with.
    pub status: u16,
    /// The source's own error code (`06/027`, `INVALID_LOGIN`, `BMXAA7901E`), when it gave one.
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The connection's credentials or settings lack what the system needs.
    #[error("invalid connection configuration: {}", describe(.0))]
    InvalidConfig(Vec<FieldError>),

    /// The source refused the credentials (401 or an auth-specific error).
    #[error("the source refused the credentials")]
    Auth(Upstream),

    /// The credentials are valid but lack permission for this operation (403).
    #[error("the source refused permission")]
    PermissionDenied(Upstream),

    /// The source refused the request as invalid on business grounds (400 and friends).
    #[error("the source refused the request")]
    Rejected(Upstream),

    /// The request is invalid before it reaches the source; nothing was sent.
    #[error("invalid request: {}", describe(.0))]
    Invalid(Vec<FieldError>),

    /// A concurrent change or lock in the source (409, 412, a locked document).
    #[error("the source reported a conflict")]
    Conflict(Upstream),

    #[error("not found in the source")]
    NotFound(Option<Upstream>),

    #[error("{what} is not supported")]
    NotSupported { what: String },

    /// The source asked us to slow down (429).
    #[error("rate limited by the source")]
    RateLimited {
        upstream: Upstream,
        retry_after: Option<Duration>,
    },

    /// The source could not be reached, timed out, or answered 5xx.
    #[error("the source is unavailable: {detail}")]
    Unavailable {
        detail: String,
        upstream: Option<Upstream>,
    },

    /// The connection's circuit is open after `failures` transient failures in a row: nothing
    /// was sent. A probe goes through in `retry_in`.
    #[error(
        "the source keeps failing ({failures} failures in a row, last: {last_failure}); \
         the connection pauses its requests for {retry_in:?}"
    )]
    CircuitOpen {
        failures: u32,
        retry_in: Duration,
        last_failure: String,
    },

    /// The source answered something this connector cannot read (bad JSON, missing fields).
    #[error("unexpected response from the source: {detail}")]
    Protocol {
        detail: String,
        upstream: Option<Upstream>,
    },
}

/// The problems of one request body, collected so that all are reported at once (as
/// [`ConnectorError::Invalid`]). Each system adds the checks its writes need (`sap::mapping`,
/// `maximo::mapping`).
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<FieldError>);

impl Problems {
    /// A problem at `path` unless `ok`.
    pub(crate) fn require(
        &mut self,
        ok: bool,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        if !ok {
            self.0.push(FieldError::new(path, message));
        }
    }
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConnectorError {
    /// A [`ConnectorError::Protocol`] without an upstream answer: what the source sent (a record,
    /// a cursor, a created entity's key) cannot be read. Every connector's mapping reports this way.
    pub(crate) fn protocol(detail: String) -> ConnectorError {
        ConnectorError::Protocol {
            detail,
            upstream: None,
        }
    }

    /// The source's answer behind this error, if there was one.
    pub fn upstream(&self) -> Option<&Upstream> {
        match self {
            ConnectorError::Auth(u)
            | ConnectorError::PermissionDenied(u)
            | ConnectorError::Rejected(u)
            | ConnectorError::Conflict(u)
            | ConnectorError::RateLimited { upstream: u, .. } => Some(u),
            ConnectorError::NotFound(u)
            | ConnectorError::Unavailable { upstream: u, .. }
            | ConnectorError::Protocol { upstream: u, .. } => u.as_ref(),
            ConnectorError::InvalidConfig(_)
            | ConnectorError::Invalid(_)
            | ConnectorError::NotSupported { .. }
            | ConnectorError::CircuitOpen { .. } => None,
        }
    }

    /// The unified API's stable error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectorError::InvalidConfig(_) | ConnectorError::Invalid(_) => "validation_failed",
            ConnectorError::Auth(_) => "connection_auth_failed",
            ConnectorError::PermissionDenied(_) => "permission_denied",
            ConnectorError::Rejected(_) => "validation_failed",
            ConnectorError::Conflict(_) => "conflict",
            ConnectorError::NotFound(_) => "not_found",
            ConnectorError::NotSupported { .. } => "not_supported",
            ConnectorError::RateLimited { .. } => "rate_limited",
            ConnectorError::Unavailable { .. } | ConnectorError::CircuitOpen { .. } => {
                "upstream_unavailable"
            }
            ConnectorError::Protocol { .. } => "upstream_invalid_response",
        }
    }

    /// Whether a failed write may still have been applied: the request may have reached the
    /// source, but its answer did not come back whole (a transport failure, a 5xx, a body cut
    /// short or unreadable). Such a write is repeated only in a way the source recognises.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ConnectorError::Unavailable { .. } | ConnectorError::Protocol { .. }
        )
    }

    /// Whether repeating the same request later may succeed (network trouble, 5xx, 429, a
    /// response cut short, an open circuit). Refusals are final.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ConnectorError::Unavailable { .. }
                | ConnectorError::RateLimited { .. }
                | ConnectorError::Protocol { .. }
                | ConnectorError::CircuitOpen { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_without_a_whole_answer_leave_the_outcome_unknown() {
        let unavailable = ConnectorError::Unavailable {
            detail: "reset".into(),
            upstream: None,
        };
        assert!(unavailable.outcome_unknown());
        assert!(ConnectorError::protocol("cut short".into()).outcome_unknown());
        assert!(!ConnectorError::NotFound(None).outcome_unknown());
        let circuit = ConnectorError::CircuitOpen {
            failures: 3,
            retry_in: Duration::from_secs(1),
            last_failure: String::new(),
        };
        assert!(!circuit.outcome_unknown(), "nothing was sent");
    }
}
