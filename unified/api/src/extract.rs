//! Extractors that refuse bad input with a clear problem+json instead of axum's plain-text
//! rejections: the API key, JSON bodies (syntax → 400, shape → 422 with the field's JSON path),
//! and query strings.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::{StatusCode, header, request::Parts};
use mw_model::FieldError;
use mw_store::Tenant;
use serde::de::DeserializeOwned;

/// The tenant whose API key the request carries (`Authorization: Bearer <key>`).
pub struct Caller(pub Tenant);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = |detail: &str| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail.to_owned())
        };
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send the API key as `Authorization: Bearer <key>`"))?;
        let key = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <key>`"))?;
        match state.store.tenant_for_key(key).await? {
            Some(tenant) => Ok(Caller(tenant)),
            None => Err(unauthorized("the API key is not valid")),
        }
    }
}

/// A JSON request body of type `T`.
pub struct Json<T>(pub T);

/// A JSON request body that may be absent (no body at all means `None`).
pub struct OptionalJson<T>(pub Option<T>);

/// A JSON request body not yet parsed: checked for content type and size, so a handler can look
/// at the request (capabilities, idempotency) before deciding what type to read it as.
pub struct RawJson(pub Bytes);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let RawJson(bytes) = RawJson::from_request(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        body_bytes(req, state).await.map(RawJson)
    }
}

/// Reads a required JSON body: empty is 400, bad syntax 400, bad shape 422 with field paths.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "the request needs a JSON body",
        ));
    }
    parse(bytes)
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let has_body = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() != b"0");
        if !has_body && !req.headers().contains_key(header::CONTENT_TYPE) {
            return Ok(OptionalJson(None));
        }
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        parse(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// How much of an oversized body is read and discarded before the 413 goes out; past this the
/// connection is closed instead.
const DRAIN_LIMIT: usize = 16 << 20;

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let has_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_none_or(|v| v.as_bytes() != b"0");
    if has_body && essence != "application/json" && !essence.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "the body must be sent as `Content-Type: application/json`, not `{content_type}`"
            ),
        ));
    }
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body exceeds {} bytes", crate::MAX_BODY_BYTES),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > crate::MAX_BODY_BYTES) {
        // Read what was sent (up to a bound) before answering: a server that answers while the
        // client is still sending resets the connection, and the client sees a broken pipe (or a
        // dead pooled connection on its next request) instead of this answer.
        let _ = axum::body::to_bytes(req.into_body(), DRAIN_LIMIT).await;
        return Err(too_large());
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body could not be read: {}", rejection.body_text()),
            )
        }
    })
}

/// Deserialises `bytes`, reporting syntax errors as 400 and shape errors as 422 with the path of
/// the offending field.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, over the whole body: a truncated body is malformed even when its first
    // value already has the wrong shape.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {e}"),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    // The syntax is known to be fine, so every error left is about shape (serde_json reports a
    // number where an enum belongs as "expected value", a syntax category, hence no classify()).
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = json_path(err.path());
        let message = strip_position(&err.into_inner().to_string());
        // serde names a missing field in the message, one level below the path it reports.
        let path = match message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(field) => join(&path, field),
            None => path,
        };
        let message = if message.starts_with("expected value") {
            "has the wrong type".to_owned()
        } else {
            message
        };
        ApiError::validation(vec![FieldError::new(path, message)])
    })
}

fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out = join(&out, key);
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !key.is_empty() {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", serde_json::Value::String(key.to_owned()))
    }
}

fn named_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split('`').next()
}

/// serde_json appends " at line 1 column 40"; the path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string of type `T`; unknown or malformed parameters get 422.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| Params(v))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let message = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text)
                    .to_owned();
                let path = match named_field(&message) {
                    Some(field) => format!("query.{field}"),
                    None => "query".to_owned(),
                };
                ApiError::validation(vec![FieldError::new(path, message)])
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mw_model::NewPurchaseOrder;

    fn check(body: &str, expected: (StatusCode, &str, Option<&str>)) {
        let Err(err) = parse::<NewPurchaseOrder>(body.as_bytes()) else {
            panic!("{body} parsed");
        };
        let path = err.errors.first().map(|e| e.path.as_str());
        assert_eq!(
            (err.status, err.code, path),
            expected,
            "{body}: {}",
            err.detail
        );
    }

    #[test]
    fn bad_bodies_say_what_and_where() {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        check("{", (StatusCode::BAD_REQUEST, "malformed_json", None));
        check("[1,", (StatusCode::BAD_REQUEST, "malformed_json", None));
        check(
            r#"{"currency":"EUR","lines":[]}"#,
            (
                unprocessable,
                "validation_failed",
                Some("$.vendor_remote_id"),
            ),
        );
        check(
            r#"{"vendor_remote_id":"1","currency":"EUR","lines":[],"colour":1}"#,
            (unprocessable, "validation_failed", Some("$.colour")),
        );
        check(
            r#"{"vendor_remote_id":"1","currency":"EUR","lines":[{"quantity":"x","unit_price":"1"}]}"#,
            (
                unprocessable,
                "validation_failed",
                Some("$.lines[0].quantity"),
            ),
        );
        check(
            r#"{"vendor_remote_id":5,"currency":"EUR","lines":[]}"#,
            (
                unprocessable,
                "validation_failed",
                Some("$.vendor_remote_id"),
            ),
        );
        check(
            r#"{"vendor_remote_id":"1","currency":"EUR","lines":[{"unit_price":"1"}]}"#,
            (
                unprocessable,
                "validation_failed",
                Some("$.lines[0].quantity"),
            ),
        );
        check("[]", (unprocessable, "validation_failed", Some("$")));
    }
}
