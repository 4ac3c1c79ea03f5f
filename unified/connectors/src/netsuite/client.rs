//! Requests to NetSuite's REST web services: URLs, signing, the concurrency limit, and NetSuite's
//! error bodies turned into [`ConnectorError`]s.
//!
//! # URLs
//! Record API under `<base>/services/rest/record/v1/<recordType>[/<id>]`, SuiteQL at
//! `POST <base>/services/rest/query/v1/suiteql`. Query values are percent-encoded by hand
//! (everything but RFC 3986 unreserved characters, so a space is `%20`, never `+`): the signature
//! covers the query, and NetSuite must decode it to the same text we signed. Record ids in paths
//! are internal ids (digits only); anything else is refused before a request is made, so that no
//! client text ever becomes a path.
//!
//! # Every request
//! Goes through the connection's resilience layer (`crate::resilience`: at most the account's
//! concurrency limit in flight, 429s and failures in passing retried with backoff, see
//! `governance`) and is signed with a fresh nonce and timestamp on each attempt (`auth`), or
//! carries the
//! connection's bearer token (`oauth2`), renewed once when NetSuite refuses it. `Content-Type:
//! application/json` on bodies; `Prefer: transient` on SuiteQL, as Oracle's examples and every
//! client send it.
//!
//! # Errors
//! `application/vnd.oracle.resource+json; type=error` bodies are read for `o:errorCode` and
//! `detail` ([`NativeError`]); statuses map as: 401 → `Auth`; 403 → `PermissionDenied`; 404 →
//! `NotFound`; 409, 412 and the record-changed refusals → `Conflict`; 429 (after the layer's
//! retries) → `RateLimited`; 5xx → `Unavailable`; a redirect → `Auth` (a login page); any
//! other → `Rejected`.

use super::auth::{self, Auth, Stamp};
use super::wire::{Collection, NativeError};
use crate::http::Response;
use crate::native::kind;
use crate::resilience::{Resilience, Safety};
use crate::{ConnectorError, Upstream, http};
use percent_encoding::utf8_percent_encode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};

/// The system name in [`Upstream`] and in messages.
pub(crate) const SYSTEM: &str = "netsuite";

const RECORD_ROOT: &str = "/services/rest/record/v1";
const SUITEQL_PATH: &str = "/services/rest/query/v1/suiteql";

/// The most rows NetSuite returns in one record-list or SuiteQL page.
pub(crate) const MAX_PAGE: u32 = 1000;

/// Whether `id` is a NetSuite internal id: digits only.
pub(crate) fn is_internal_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

/// A signed, governed HTTP client for one NetSuite account.
pub(crate) struct NetsuiteClient {
    http: reqwest::Client,
    /// The base URL as configured, without a trailing slash.
    base: String,
    auth: Auth,
    resilience: Resilience,
}

impl NetsuiteClient {
    pub(crate) fn new(
        http: reqwest::Client,
        base: &Url,
        auth: Auth,
        resilience: Resilience,
    ) -> NetsuiteClient {
        NetsuiteClient {
            http,
            base: base.as_str().trim_end_matches('/').to_owned(),
            auth,
            resilience,
        }
    }

    pub(crate) fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    /// How many requests this connection has in flight at most.
    pub(crate) fn concurrency(&self) -> usize {
        self.resilience.settings().max_in_flight
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url, ConnectorError> {
        let mut text = format!("{}{path}", self.base);
        for (i, (name, value)) in query.iter().enumerate() {
            text.push(if i == 0 { '?' } else { '&' });
            text.push_str(name);
            text.push('=');
            text.push_str(&utf8_percent_encode(value, http::EXCEPT_UNRESERVED).to_string());
        }
        Url::parse(&text).map_err(|e| {
            ConnectorError::protocol(format!("cannot build a request URL for {path}: {e}"))
        })
    }

    /// `…/record/v1/<record_type>[/<id>]?<query>`. `id` must be an internal id.
    fn record_url(
        &self,
        record_type: &str,
        id: Option<&str>,
        query: &[(&str, String)],
    ) -> Result<Url, ConnectorError> {
        let path = match id {
            Some(id) if is_internal_id(id) => format!("{RECORD_ROOT}/{record_type}/{id}"),
            Some(_) => return Err(ConnectorError::NotFound(None)),
            None => format!("{RECORD_ROOT}/{record_type}"),
        };
        self.url(&path, query)
    }

    /// The `Authorization` header of one attempt: signed anew (TBA) or the bearer token held.
    async fn authorization(&self, method: &Method, url: &Url) -> Result<String, ConnectorError> {
        match &self.auth {
            Auth::Tba(tba) => Ok(tba.authorization(
                method,
                url,
                &Stamp {
                    timestamp: auth::timestamp_now(),
                    nonce: &auth::nonce(),
                },
            )),
            Auth::M2m(m2m) => Ok(format!(
                "Bearer {}",
                m2m.bearer(&self.http, &self.base).await?
            )),
        }
    }

    /// Sends one attempt of a request, authenticated, and reads the whole response. A 401 on a
    /// bearer token is sent once more with a new token (see `oauth2`); any other answer is
    /// returned as it is.
    async fn send(
        &self,
        method: &Method,
        url: &Url,
        bytes: Option<&[u8]>,
        prefer: Option<&'static str>,
    ) -> Result<Response, ConnectorError> {
        let mut renewed = false;
        loop {
            let authorization = self.authorization(method, url).await?;
            let header = HeaderValue::from_str(&authorization).map_err(|_| {
                ConnectorError::InvalidConfig(vec![mw_model::FieldError::new(
                    "$.credentials",
                    "cannot be sent in an HTTP header",
                )])
            })?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, header);
            if let Some(prefer) = prefer {
                request = request.header("prefer", prefer);
            }
            if let Some(bytes) = bytes {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.to_vec());
            }
            tracing::debug!(system = SYSTEM, %method, path = url.path(), "request");
            let response = http::send(SYSTEM, request).await?;
            if let (Auth::M2m(m2m), StatusCode::UNAUTHORIZED, false) =
                (&self.auth, response.status, renewed)
            {
                tracing::info!(
                    system = SYSTEM,
                    path = url.path(),
                    "bearer token refused; renewing it"
                );
                m2m.forget(authorization.trim_start_matches("Bearer "))
                    .await;
                renewed = true;
                continue;
            }
            return Ok(response);
        }
    }

    /// Sends a request through the resilience layer and returns what `read` makes of the
    /// successful response; a refusal is decoded into its error. `read` runs inside each attempt,
    /// so that a body cut short or unreadable is tried again like any failure in passing.
    async fn exchange<T>(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        prefer: Option<&'static str>,
        safety: Safety,
        read: impl Fn(Response) -> Result<T, ConnectorError>,
    ) -> Result<T, ConnectorError> {
        let bytes = body.map(serde_json::to_vec).transpose().map_err(|e| {
            ConnectorError::protocol(format!("cannot serialise the request body: {e}"))
        })?;
        self.resilience
            .run(safety, || async {
                let response = self
                    .send(&method, url, bytes.as_deref(), prefer)
                    .await?
                    .success(error_from_response)?;
                read(response)
            })
            .await
    }

    /// One record with its sublists expanded, and the response headers (for the `Date`).
    pub(crate) async fn get_record(
        &self,
        record_type: &str,
        id: &str,
    ) -> Result<(HeaderMap, Value), ConnectorError> {
        let url = self.record_url(
            record_type,
            Some(id),
            &[("expandSubResources", "true".into())],
        )?;
        let what = format!("{record_type} {id}");
        self.exchange(Method::GET, &url, None, None, Safety::Safe, |response| {
            let value = json_object(&response, &what)?;
            Ok((response.headers, value))
        })
        .await
    }

    /// One page of a record collection (stubs: `id` and `links`).
    pub(crate) async fn list(
        &self,
        record_type: &str,
        query: &[(&str, String)],
    ) -> Result<(HeaderMap, Collection), ConnectorError> {
        let url = self.record_url(record_type, None, query)?;
        self.exchange(Method::GET, &url, None, None, Safety::Safe, |response| {
            let collection = collection(&response, record_type)?;
            Ok((response.headers, collection))
        })
        .await
    }

    /// `POST <record_type>` → 204 with the new record's URL in `Location`; returns its id.
    ///
    /// The duplicate-order trap: a create can be applied although its answer is lost (a reset, a
    /// gateway 5xx), and sending it again would create a second record. So every create carries
    /// an `externalId` of its own (`mw-` + a random UUID, unless the body names one), and after
    /// such a failure the record is looked for by `eid:<externalId>`: found, the create was
    /// applied and its id is the answer; missing, nothing was applied and it is sent again. When
    /// the look-up itself fails, the original failure is reported.
    pub(crate) async fn create(
        &self,
        record_type: &str,
        body: &Value,
    ) -> Result<String, ConnectorError> {
        let mut body = body.clone();
        let external_id = match body.get("externalId").and_then(Value::as_str) {
            Some(given) => given.to_owned(),
            None => {
                let made = format!("mw-{}", uuid::Uuid::new_v4().simple());
                body["externalId"] = Value::String(made.clone());
                made
            }
        };
        let mut attempt = 1;
        loop {
            let failure = match self.post_create(record_type, &body).await {
                Ok(id) => return Ok(id),
                Err(e) if e.outcome_unknown() => e,
                Err(e) => return Err(e),
            };
            match self.find_by_external_id(record_type, &external_id).await {
                Ok(Some(id)) => {
                    tracing::info!(
                        system = SYSTEM,
                        record_type,
                        id,
                        "the create was applied although its answer was lost"
                    );
                    return Ok(id);
                }
                Ok(None) if attempt < CREATE_ATTEMPTS => attempt += 1,
                Ok(None) | Err(_) => return Err(failure),
            }
        }
    }

    /// One `POST <record_type>`, through the resilience layer (repeated only after a 429).
    async fn post_create(&self, record_type: &str, body: &Value) -> Result<String, ConnectorError> {
        let url = self.record_url(record_type, None, &[])?;
        let created = self.exchange(Method::POST, &url, Some(body), None, Safety::Unsafe, Ok);
        let response = match created.await {
            Ok(response) => response,
            // The collection exists; what NetSuite did not find is a record the body refers to
            // (a vendor, an item): a refusal of the body, not a missing resource.
            Err(ConnectorError::NotFound(Some(upstream))) => {
                return Err(ConnectorError::Rejected(upstream));
            }
            Err(e) => return Err(e),
        };
        id_from_location(&response.headers).ok_or_else(|| ConnectorError::Protocol {
            detail: format!(
                "NetSuite created a {record_type} but its Location header names no internal id"
            ),
            upstream: Some(upstream(response.status, NativeError::default())),
        })
    }

    /// The internal id of the `record_type` record with `external_id`, if there is one.
    async fn find_by_external_id(
        &self,
        record_type: &str,
        external_id: &str,
    ) -> Result<Option<String>, ConnectorError> {
        let key = format!("eid:{external_id}");
        let segment = utf8_percent_encode(external_id, http::EXCEPT_UNRESERVED);
        let path = format!("{RECORD_ROOT}/{record_type}/eid:{segment}");
        let url = self.url(&path, &[("fields", "id".into())])?;
        let found = self.exchange(Method::GET, &url, None, None, Safety::Safe, |response| {
            json_object(&response, &format!("{record_type} {key}"))
        });
        match found.await {
            Ok(record) => Ok(record.get("id").and_then(|id| {
                id.as_str()
                    .map(str::to_owned)
                    .or_else(|| id.as_u64().map(|n| n.to_string()))
            })),
            Err(ConnectorError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `PATCH <record_type>/<id>` → 204. Sublist lines are merged by their `line`.
    pub(crate) async fn update(
        &self,
        record_type: &str,
        id: &str,
        body: &Value,
    ) -> Result<(), ConnectorError> {
        let url = self.record_url(record_type, Some(id), &[])?;
        self.exchange(
            Method::PATCH,
            &url,
            Some(body),
            None,
            Safety::Unsafe,
            drop_body,
        )
        .await
    }

    /// `DELETE <record_type>/<id>` → 204.
    pub(crate) async fn delete(&self, record_type: &str, id: &str) -> Result<(), ConnectorError> {
        let url = self.record_url(record_type, Some(id), &[])?;
        self.exchange(Method::DELETE, &url, None, None, Safety::Unsafe, drop_body)
            .await
    }

    /// The first page (`offset=0`) of a SuiteQL query, at most `limit` rows. Reads never page
    /// by offset: they continue with a keyset query instead (see `suiteql`).
    pub(crate) async fn suiteql(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<(HeaderMap, Collection), ConnectorError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let url = self.url(
            SUITEQL_PATH,
            &[("limit", limit.to_string()), ("offset", "0".into())],
        )?;
        tracing::debug!(system = SYSTEM, query, "suiteql");
        // A query changes nothing, so it is as safe to repeat as a GET.
        self.exchange(
            Method::POST,
            &url,
            Some(&json!({ "q": query })),
            Some("transient"),
            Safety::Safe,
            |response| {
                let collection = collection(&response, "SuiteQL")?;
                Ok((response.headers, collection))
            },
        )
        .await
    }

    /// The cheapest authenticated request: one vendor stub. Returns the headers for the `Date`.
    pub(crate) async fn verify(&self) -> Result<HeaderMap, ConnectorError> {
        self.list("vendor", &[("limit", "1".into())])
            .await
            .map(|(headers, _)| headers)
    }
}

/// How often a create whose answer was lost, and which was not applied, is sent in all.
const CREATE_ATTEMPTS: u32 = 3;

/// What a write's answer leaves once it succeeded: nothing (204).
fn drop_body(_: Response) -> Result<(), ConnectorError> {
    Ok(())
}

fn json_object(response: &Response, what: &str) -> Result<Value, ConnectorError> {
    let protocol = |detail: String| ConnectorError::Protocol {
        detail: format!("{what}: {detail}"),
        upstream: Some(upstream(response.status, NativeError::default())),
    };
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(other) => Err(protocol(format!(
            "the response is {}, not a record",
            kind(&other)
        ))),
        Err(e) => Err(protocol(format!("the response is not JSON: {e}"))),
    }
}

fn collection(response: &Response, what: &str) -> Result<Collection, ConnectorError> {
    Collection::parse(&response.body).map_err(|detail| ConnectorError::Protocol {
        detail: format!("{what} page: {detail}"),
        upstream: Some(upstream(response.status, NativeError::default())),
    })
}

pub(crate) fn upstream(status: StatusCode, native: NativeError) -> Upstream {
    http::upstream(SYSTEM, status, native.code, native.message)
}

/// Whether NetSuite refused a write because the record changed or went away since it was read
/// (SuiteScript's `RCRD_HAS_BEEN_CHANGED`, surfacing in REST as a 400 with that detail).
fn record_changed(native: &NativeError) -> bool {
    native.code.as_deref() == Some("RCRD_HAS_BEEN_CHANGED")
        || native.message.as_deref().is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("record has been changed")
                || m.contains("has been deleted since you retrieved it")
        })
}

/// Turns a non-success response into the error it means: a record changed since it was read and
/// a repeated idempotency key are conflicts, the rest is what the status says
/// ([`http::status_error`]; NetSuite sends no `Retry-After` with a 429, one a proxy in front of it
/// adds is honoured).
pub(crate) fn error_from_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ConnectorError {
    let native = NativeError::parse(body);
    let changed = record_changed(&native);
    let idempotency = native.code.as_deref() == Some("IDEMPOTENCY_ERROR");
    let upstream = upstream(status, native);
    match status.as_u16() {
        400 if changed || idempotency => ConnectorError::Conflict(upstream),
        _ => http::status_error(SYSTEM, status, headers, upstream),
    }
}

/// The internal id of a created record from its `Location` header, absolute
/// (`https://…/record/v1/customer/647`) or relative (`/services/rest/record/v1/customer/647`).
pub(crate) fn id_from_location(headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let path = location.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    is_internal_id(last).then(|| last.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LOCATION, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn created_ids_from_location() {
        assert_eq!(
            id_from_location(&location(
                "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/customer/647"
            ))
            .as_deref(),
            Some("647")
        );
        assert_eq!(
            id_from_location(&location("/services/rest/record/v1/purchaseOrder/12345/")).as_deref(),
            Some("12345")
        );
        assert_eq!(
            id_from_location(&location("/services/rest/record/v1/vendor/eid:X1")),
            None
        );
        assert_eq!(id_from_location(&HeaderMap::new()), None);
    }

    #[test]
    fn internal_ids_are_digits() {
        assert!(is_internal_id("607632"));
        assert!(!is_internal_id(""));
        assert!(!is_internal_id("12/../vendor"));
        assert!(!is_internal_id("eid:A"));
        assert!(!is_internal_id(&"9".repeat(21)));
    }

    fn error(code: &str, detail: &str) -> Vec<u8> {
        json!({"type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "title": "x",
            "status": 400, "o:errorDetails": [{"detail": detail, "o:errorCode": code}]})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn statuses_map_to_errors() {
        let h = HeaderMap::new();
        let e = error_from_response(
            StatusCode::UNAUTHORIZED,
            &h,
            &error("INVALID_LOGIN", "Invalid login attempt."),
        );
        assert!(
            matches!(&e, ConnectorError::Auth(u) if u.code.as_deref() == Some("INVALID_LOGIN") && u.status == 401),
            "{e:?}"
        );
        assert!(matches!(
            error_from_response(
                StatusCode::FORBIDDEN,
                &h,
                &error("INSUFFICIENT_PERMISSION", "x")
            ),
            ConnectorError::PermissionDenied(_)
        ));
        assert!(matches!(
            error_from_response(StatusCode::NOT_FOUND, &h, &error("NONEXISTENT_ID", "x")),
            ConnectorError::NotFound(Some(_))
        ));
        assert!(matches!(
            error_from_response(
                StatusCode::BAD_REQUEST,
                &h,
                &error("INVALID_CONTENT", "Invalid Field Value")
            ),
            ConnectorError::Rejected(_)
        ));
        assert!(matches!(
            error_from_response(
                StatusCode::BAD_REQUEST,
                &h,
                &error("USER_ERROR", "Record has been changed")
            ),
            ConnectorError::Conflict(_)
        ));
        assert!(matches!(
            error_from_response(
                StatusCode::TOO_MANY_REQUESTS,
                &h,
                &error(
                    "CONCURRENCY_LIMIT_EXCEEDED",
                    "Concurrent request limit exceeded. Request blocked."
                )
            ),
            ConnectorError::RateLimited {
                retry_after: None,
                ..
            }
        ));
        assert!(matches!(
            error_from_response(StatusCode::SERVICE_UNAVAILABLE, &h, b"<html></html>"),
            ConnectorError::Unavailable { .. }
        ));
        assert!(matches!(
            error_from_response(StatusCode::METHOD_NOT_ALLOWED, &h, b""),
            ConnectorError::Rejected(_)
        ));
        let e = error_from_response(
            StatusCode::FOUND,
            &location("https://system.netsuite.com/pages/customerlogin.jsp"),
            b"",
        );
        assert!(matches!(e, ConnectorError::Auth(_)), "{e:?}");
    }
}
