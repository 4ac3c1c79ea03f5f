//! `ApiError`: every refusal, rendered as `application/problem+json` (RFC 9457) with a stable
//! `code`, the request id, field errors with JSON paths, and the source's answer when the source
//! said no.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mw_connectors::{ConnectorError, Upstream};
use mw_model::FieldError;
use mw_store::StoreError;
use serde::Serialize;
use std::time::Duration;

tokio::task_local! {
    /// The id of the request being handled, set by the request-id middleware.
    pub static REQUEST_ID: String;
}

#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<Upstream>,
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            title: title(code),
            detail: detail.into(),
            errors: vec![],
            upstream: None,
            retry_after: None,
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.path, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError {
            errors,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                detail,
            )
        }
    }

    pub fn field(path: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::validation(vec![FieldError::new(path, message)])
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn not_supported(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_supported", detail)
    }

    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred; the request id identifies it in the server log",
        )
    }
}

fn title(code: &str) -> &'static str {
    match code {
        "validation_failed" => "The request is invalid",
        "malformed_json" => "The body is not valid JSON",
        "unsupported_media_type" => "The body must be JSON",
        "payload_too_large" => "The body is too large",
        "unauthorized" => "A valid API key is required",
        "connection_auth_failed" => "The source system refused the credentials",
        "permission_denied" => "The source system refused permission",
        "not_found" => "Not found",
        "method_not_allowed" => "Method not allowed",
        "not_supported" => "Not supported by this system",
        "rate_limited" => "The source system is rate limiting",
        "upstream_unavailable" => "The source system is unavailable",
        "upstream_invalid_response" => "The source system answered something unreadable",
        "conflict" => "Conflict",
        _ => "Internal error",
    }
}

impl From<ConnectorError> for ApiError {
    fn from(e: ConnectorError) -> ApiError {
        let status = match &e {
            ConnectorError::InvalidConfig(_)
            | ConnectorError::Invalid(_)
            | ConnectorError::Auth(_)
            | ConnectorError::Rejected(_)
            | ConnectorError::NotSupported { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ConnectorError::PermissionDenied(_) => StatusCode::FORBIDDEN,
            ConnectorError::Conflict(_) => StatusCode::CONFLICT,
            ConnectorError::NotFound(_) => StatusCode::NOT_FOUND,
            ConnectorError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ConnectorError::Unavailable { .. } | ConnectorError::Protocol { .. } => {
                StatusCode::BAD_GATEWAY
            }
            // Nothing was sent: the connection itself is pausing, as a 503 says.
            ConnectorError::CircuitOpen { .. } => StatusCode::SERVICE_UNAVAILABLE,
        };
        let mut detail = e.to_string();
        if let Some(msg) = e.upstream().and_then(|u| u.message.as_deref()) {
            detail = format!("{detail}: {msg}");
        }
        let retry_after = match &e {
            ConnectorError::RateLimited { retry_after, .. } => *retry_after,
            ConnectorError::CircuitOpen { retry_in, .. } => Some(*retry_in),
            _ => None,
        };
        let code = e.code();
        let upstream = e.upstream().cloned();
        let errors = match e {
            ConnectorError::InvalidConfig(errors) | ConnectorError::Invalid(errors) => errors,
            _ => vec![],
        };
        ApiError {
            errors,
            upstream,
            retry_after,
            ..ApiError::new(status, code, detail)
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found("resource"),
            StoreError::InvalidCursor => {
                ApiError::field("query.cursor", "is not a cursor this API issued")
            }
            StoreError::SyncInProgress(job) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("sync {job} is already queued or running for this connection"),
            ),
            other => ApiError::internal(other),
        }
    }
}

impl From<mw_sync::SyncError> for ApiError {
    fn from(e: mw_sync::SyncError) -> ApiError {
        match e {
            mw_sync::SyncError::Store(e) => e.into(),
            mw_sync::SyncError::Connector(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Problem<'a> {
            r#type: String,
            status: u16,
            #[serde(flatten)]
            error: &'a ApiError,
            request_id: Option<String>,
        }
        let body = Problem {
            r#type: format!("/problems/{}", self.code),
            status: self.status.as_u16(),
            error: &self,
            request_id: REQUEST_ID.try_with(Clone::clone).ok(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status, json).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(wait) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
        }
        response
    }
}
