//! NetSuite's REST error envelope (reference §5).
//!
//! Every refusal of the record API, SuiteQL, the async endpoints, authentication and governance
//! answers `application/vnd.oracle.resource+json; type=error` with
//! `{"type","title","status","o:errorDetails":[{"detail","o:errorCode","o:errorPath"?,…}]}`,
//! so a connector's error mapping meets the real shape. `type` is the RFC 9110 section of the
//! status, as newer NetSuite releases send it; the 429 of the concurrency limit keeps the older
//! RFC 2616 link and the title "Bad Request" that clients observed on it.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as JsonValue, json};

/// The content type of every error body.
pub(crate) const ERROR_CONTENT_TYPE: &str = "application/vnd.oracle.resource+json; type=error";

/// The detail NetSuite gives for every failed login, whatever the cause (the cause is visible
/// only in the account's Login Audit Trail).
pub(crate) const INVALID_LOGIN_DETAIL: &str = "Invalid login attempt. For more details, see the \
     Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login \
     Audit Trail.";

/// One entry of `o:errorDetails`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorDetail {
    pub(crate) detail: String,
    pub(crate) code: &'static str,
    /// JSON path into the request body (`item.items[0].item`).
    pub(crate) path: Option<String>,
    /// The query parameter at fault (`limit`, `q`).
    pub(crate) query_param: Option<String>,
}

/// A refusal in NetSuite's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NsError {
    pub(crate) status: StatusCode,
    pub(crate) details: Vec<ErrorDetail>,
    /// Extra response headers (`WWW-Authenticate`, `Location` of an earlier async job).
    pub(crate) headers: Vec<(HeaderName, String)>,
    /// Overrides the status's standard title (NetSuite says "Conflict" on a 400).
    pub(crate) title: Option<&'static str>,
}

impl NsError {
    pub(crate) fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        NsError {
            status,
            details: vec![ErrorDetail {
                detail: detail.into(),
                code,
                path: None,
                query_param: None,
            }],
            headers: Vec::new(),
            title: None,
        }
    }

    /// 400 `INVALID_PARAMETER`: a bad query parameter, `q` filter or SuiteQL query.
    pub(crate) fn invalid_parameter(detail: impl Into<String>) -> Self {
        NsError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", detail)
    }

    /// 400 `INVALID_PARAMETER` naming the query parameter at fault.
    pub(crate) fn invalid_query_param(param: &str, detail: impl Into<String>) -> Self {
        let mut error = NsError::invalid_parameter(detail);
        if let Some(entry) = error.details.first_mut() {
            entry.query_param = Some(param.to_owned());
        }
        error
    }

    /// 400 `INVALID_CONTENT`: the body is not what the record accepts; `path` points into it.
    pub(crate) fn invalid_content(detail: impl Into<String>, path: Option<&str>) -> Self {
        let mut error = NsError::new(StatusCode::BAD_REQUEST, "INVALID_CONTENT", detail);
        if let Some(entry) = error.details.first_mut() {
            entry.path = path.map(str::to_owned);
        }
        error
    }

    /// 400 `INVALID_CONTENT` for a reference or value the account does not have.
    pub(crate) fn invalid_field_value(value: &str, field: &str, path: &str) -> Self {
        NsError::invalid_content(
            format!(
                "Error while accessing a resource. You have entered an Invalid Field Value \
                 {value} for the following field: {field}"
            ),
            Some(path),
        )
    }

    /// 400 `USER_ERROR`: a business rule refused the request.
    pub(crate) fn user_error(detail: impl Into<String>) -> Self {
        NsError::new(StatusCode::BAD_REQUEST, "USER_ERROR", detail)
    }

    /// 404 `NONEXISTENT_ID`: no record with that id.
    pub(crate) fn nonexistent_id() -> Self {
        NsError::new(
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
            "The record instance does not exist. Provide a valid record instance ID.",
        )
    }

    /// 404 for a record type the account does not have (or the emulator does not serve).
    pub(crate) fn unknown_record_type(name: &str) -> Self {
        NsError::new(
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
            format!("Record type '{name}' does not exist."),
        )
    }

    /// 404 for a path that is no resource at all.
    pub(crate) fn not_found(path: &str) -> Self {
        NsError::new(
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
            format!("The requested resource {path} does not exist."),
        )
    }

    /// 405: the record type or path does not take this method (PUT without `eid:`).
    pub(crate) fn method_not_allowed(detail: impl Into<String>) -> Self {
        NsError::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", detail)
    }

    /// 401 `INVALID_LOGIN` with the OAuth challenge NetSuite sends.
    pub(crate) fn invalid_login(realm: &str) -> Self {
        let mut error = NsError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            INVALID_LOGIN_DETAIL,
        );
        error.headers.push((
            header::WWW_AUTHENTICATE,
            format!(
                "OAuth realm=\"{realm}\", error=\"token_rejected\", \
                 error_description=\"Invalid login attempt.\""
            ),
        ));
        error
    }

    /// 403 `INSUFFICIENT_PERMISSION`: the token's role may not do this.
    pub(crate) fn insufficient_permission(detail: impl Into<String>) -> Self {
        NsError::new(StatusCode::FORBIDDEN, "INSUFFICIENT_PERMISSION", detail)
    }

    /// 429 `CONCURRENCY_LIMIT_EXCEEDED`, without `Retry-After` (NetSuite never sends one).
    pub(crate) fn concurrency_limit() -> Self {
        let mut error = NsError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "CONCURRENCY_LIMIT_EXCEEDED",
            "Concurrent request limit exceeded. Request blocked.",
        );
        error.title = Some("Bad Request");
        error
    }

    /// A fault plan's refusal with `status`: the governance 429 for throttling, otherwise the
    /// code NetSuite gives that status (`UNEXPECTED_ERROR` for every 5xx; reference §5.2 has no
    /// code for 503, which may also come as an HTML maintenance page).
    pub(crate) fn fault(status: StatusCode, message: &str) -> Self {
        let code = match status.as_u16() {
            429 => return NsError::concurrency_limit(),
            401 => "INVALID_LOGIN",
            403 => "INSUFFICIENT_PERMISSION",
            404 => "NONEXISTENT_ID",
            400..=499 => "USER_ERROR",
            _ => "UNEXPECTED_ERROR",
        };
        NsError::new(status, code, message)
    }

    /// 400 `IDEMPOTENCY_ERROR` (titled "Conflict") pointing at the job that used the key.
    pub(crate) fn idempotency(job_url: &str) -> Self {
        let mut error = NsError::new(
            StatusCode::BAD_REQUEST,
            "IDEMPOTENCY_ERROR",
            "The idempotency key has already been used for another request. Check the \
             Location header for the job of the original request.",
        );
        error.title = Some("Conflict");
        error.headers.push((header::LOCATION, job_url.to_owned()));
        error
    }

    /// Adds a JSON path into the body to the first detail.
    pub(crate) fn at_path(mut self, path: impl Into<String>) -> Self {
        if let Some(entry) = self.details.first_mut() {
            entry.path = Some(path.into());
        }
        self
    }

    /// The envelope as JSON.
    pub(crate) fn body(&self) -> JsonValue {
        let details: Vec<JsonValue> = self
            .details
            .iter()
            .map(|entry| {
                let mut map = Map::new();
                map.insert(String::from("detail"), json!(entry.detail));
                map.insert(String::from("o:errorCode"), json!(entry.code));
                if let Some(path) = &entry.path {
                    map.insert(String::from("o:errorPath"), json!(path));
                }
                if let Some(param) = &entry.query_param {
                    map.insert(String::from("o:errorQueryParam"), json!(param));
                }
                JsonValue::Object(map)
            })
            .collect();
        json!({
            "type": type_link(self.status),
            "title": self.title.unwrap_or_else(|| self.status.canonical_reason().unwrap_or("Error")),
            "status": self.status.as_u16(),
            "o:errorDetails": details,
        })
    }
}

/// The `type` link of a status: the RFC 9110 section (15.5.N for 4xx, 15.6.N for 5xx).
fn type_link(status: StatusCode) -> String {
    let code = status.as_u16();
    match code {
        // Observed on the concurrency limit: the RFC 2616 link of "400 Bad Request".
        429 => String::from("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1"),
        400..=417 => format!(
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.{}",
            code - 399
        ),
        421..=422 => format!(
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.{}",
            code - 401
        ),
        500..=505 => format!(
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.{}",
            code - 499
        ),
        _ => String::from("https://www.rfc-editor.org/rfc/rfc9110.html"),
    }
}

impl IntoResponse for NsError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ERROR_CONTENT_TYPE),
        );
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name.clone(), value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_carry_the_section_of_their_status() {
        let body = NsError::nonexistent_id().body();
        assert_eq!(
            body["type"],
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5"
        );
        assert_eq!(body["title"], "Not Found");
        assert_eq!(body["o:errorDetails"][0]["o:errorCode"], "NONEXISTENT_ID");
        let limit = NsError::concurrency_limit().body();
        assert_eq!(limit["status"], 429);
        assert_eq!(limit["title"], "Bad Request");
        let path = NsError::invalid_field_value("9999", "item", "item.items[0].item").body();
        assert_eq!(
            path["o:errorDetails"][0]["o:errorPath"],
            "item.items[0].item"
        );
        assert_eq!(
            NsError::invalid_login("1_SB1").body()["type"],
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2"
        );
    }
}
