//! Requests to Maximo's REST/OSLC JSON API: object-structure URLs, rest ids, query parameters,
//! the headers writes carry, and Maximo's error bodies turned into [`ConnectorError`]s.
//!
//! # URLs
//! Object structures live under `<base>/maximo/api/os/<os>` (or `/maximo/oslc/os/<os>` with the
//! `route` setting `oslc`); a base URL that already ends in `/maximo` is not given a second one.
//! One record is `…/os/<os>/<restid>`, where the rest id is `_` + standard base64 of the record's
//! key values joined by `/` (its `remote_id`), every `=` replaced by `-`; in the path, `+` and `/`
//! of the base64 alphabet are percent-encoded so that the id stays one segment. Query values are
//! percent-encoded by hand (everything but RFC 3986 unreserved characters), because Maximo reads
//! a bare `+` in `oslc.orderBy` as a space. Every request carries `lean=1`.
//!
//! # Errors
//! `{"Error":{"reasonCode":"BMXAA…E","message":…,"statusCode":"400"}}` is decoded into
//! [`Upstream`] (status, reason code, message). The reason code decides where the HTTP status
//! alone would mislead: `BMXAA9549E` (API key invalid, expired or revoked) is an auth failure
//! whether Maximo answers it 400 or 401; `BMXAA8229W`/`BMXAA4200E` (updated by another user) are
//! conflicts; `BMXAA9301E` (object structure not authorised for the API) is a permission refusal.

use super::auth::Auth;
use super::keyset::{self, Fetched, Row, Segment, Source};
use super::txn::Journal;
use super::wire::{Collection, NativeError};
use crate::http::Response;
use crate::resilience::{Resilience, Safety};
use crate::{ConnectorError, Page, PageQuery, Upstream, http};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use mw_model::{FieldError, RemoteRecord};
use percent_encoding::utf8_percent_encode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

/// The system name in [`Upstream`] and in messages.
pub(crate) const SYSTEM: &str = "maximo";

/// The page size when the caller gives none, and the most asked for at once. One row more than
/// the page is always asked for (see `keyset`), so the largest request is for 1000 rows.
const DEFAULT_PAGE_SIZE: u32 = 500;
pub(crate) const MAX_PAGE_SIZE: u32 = 999;

pub(crate) const TRANSACTION_ID: HeaderName = HeaderName::from_static("transactionid");
const METHOD_OVERRIDE: HeaderName = HeaderName::from_static("x-method-override");
const PATCH_TYPE: HeaderName = HeaderName::from_static("patchtype");

/// Reason codes of refused credentials (bad login, bad or revoked API key, expired password,
/// session ended by an administrator).
const AUTH_CODES: [&str; 5] = [
    "BMXAA7901E",
    "BMXAA9549E",
    "BMXAA0021E",
    "BMXAA2283E",
    "BMXAA5646I",
];

/// Reason codes of a record changed by someone else since it was read.
const STALE_CODES: [&str; 2] = ["BMXAA8229W", "BMXAA4200E"];

/// The reason code of a `transactionid` Maximo has seen before: the write was applied already.
pub(crate) const REPLAYED: &str = "BMXAA9524E";

/// One key attribute of an object structure's main object, in rest-id order.
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) name: &'static str,
    /// An integer attribute (`revisionnum`), written bare in `oslc.where`; others are quoted.
    pub(crate) numeric: bool,
}

impl Key {
    pub(crate) const fn text(name: &'static str) -> Key {
        Key {
            name,
            numeric: false,
        }
    }

    pub(crate) const fn integer(name: &'static str) -> Key {
        Key {
            name,
            numeric: true,
        }
    }
}

/// An object structure read and written by this connector.
#[derive(Debug)]
pub(crate) struct ObjectStructure {
    pub(crate) name: &'static str,
    /// `oslc.select` of every read: `*` is every persistent attribute of the main object;
    /// children and non-persistent attributes are named.
    pub(crate) select: &'static str,
    /// The change stamp reads are incremental on; `None` for snapshot reads.
    pub(crate) stamp: Option<&'static str>,
    /// The key attributes in rest-id order; `remote_id` is their values joined by `/`.
    pub(crate) keys: &'static [Key],
}

/// Which of Maximo's two API routes requests go to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/maximo/api`: the default in MAS 8+, where API keys bypass the app server's security.
    #[default]
    Api,
    /// `/maximo/oslc`: the original route, for Maximo 7.6 systems that serve only it.
    Oslc,
}

/// The API root (`http://host:port/maximo/api`) of a base URL, or why it cannot be one.
pub(crate) fn api_root(base_url: &str, route: Route) -> Result<String, FieldError> {
    let invalid = |why: &str| FieldError::new("$.base_url", why);
    let url = Url::parse(base_url.trim()).map_err(|_| {
        invalid("must be an absolute http(s) URL such as https://maximo.example.com")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            "must be an absolute http(s) URL such as https://maximo.example.com",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not carry a query or a fragment"));
    }
    let base = url.as_str().trim_end_matches('/');
    let context = if url.path().trim_end_matches('/').ends_with("/maximo") {
        base.to_owned()
    } else {
        format!("{base}/maximo")
    };
    let route = match route {
        Route::Api => "api",
        Route::Oslc => "oslc",
    };
    Ok(format!("{context}/{route}"))
}

/// The rest id of a record: `_` + standard base64 of its `remote_id`, `=` replaced by `-`.
pub(crate) fn rest_id(remote_id: &str) -> String {
    format!("_{}", STANDARD.encode(remote_id).replace('=', "-"))
}

/// The `remote_id` a rest id stands for, or `None` when it is not one.
pub(crate) fn remote_id_of(rest_id: &str) -> Option<String> {
    let encoded = rest_id.strip_prefix('_')?.replace('-', "=");
    let bytes = STANDARD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

/// The `remote_id` of a native record: its key values joined by `/`, or the missing key.
pub(crate) fn remote_id_from(raw: &Value, keys: &[Key]) -> Result<String, String> {
    let mut parts = Vec::with_capacity(keys.len());
    for key in keys {
        parts.push(
            key_text(raw.get(key.name), key)
                .ok_or_else(|| format!("no key attribute `{}`", key.name))?,
        );
    }
    Ok(parts.join("/"))
}

/// A key value as it appears in a remote id: the string, or the integer's digits.
pub(crate) fn key_text(value: Option<&Value>, key: &Key) -> Option<String> {
    match value? {
        Value::String(s) if !key.numeric && !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) if key.numeric => n.as_i64().map(|i| i.to_string()),
        Value::String(s) if key.numeric => s.trim().parse::<i64>().ok().map(|i| i.to_string()),
        _ => None,
    }
}

/// Whether `remote_id` has the shape of an id of `os` (as many non-blank parts as keys, or more
/// where a key value itself holds `/`). An id that does not names no record Maximo could have.
pub(crate) fn plausible_id(remote_id: &str, os: &ObjectStructure) -> bool {
    let parts: Vec<&str> = remote_id.split('/').collect();
    parts.len() >= os.keys.len() && parts.iter().all(|p| !p.trim().is_empty())
}

/// The rest id at the end of a `Location` header (`…/os/mxapiwodetail/_QkVERk9SRC8xMDAw`). A
/// numeric unique id (`…/os/mxapiwodetail/41`), which Maximo also accepts as a rest id, is taken
/// as it is.
pub(crate) fn location_rest_id(headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let path = location.split(['?', '#']).next()?;
    let segment = path.trim_end_matches('/').rsplit('/').next()?;
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?;
    let unique_id = !decoded.is_empty() && decoded.bytes().all(|b| b.is_ascii_digit());
    (unique_id || remote_id_of(&decoded).is_some()).then(|| decoded.into_owned())
}

/// Percent-encodes a query value (`+` as `%2B`, `"` as `%22`, spaces as `%20`).
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, http::EXCEPT_UNRESERVED).to_string()
}

/// How a write reaches a record.
pub(crate) enum WriteKind<'a> {
    /// `POST …/os/<os>`: create.
    Create,
    /// `POST …/os/<os>/<restid>` with `x-method-override: PATCH` and `patchtype: MERGE`: change
    /// the attributes sent, add or update the children sent, keep the others.
    Merge,
    /// `POST …/os/<os>/<restid>?action=wsmethod:<name>` with `x-method-override: PATCH`: call a
    /// web method of the record (`changeStatus`, `adjustCurrentBalance`).
    Action(&'a str),
}

/// An authenticated HTTP client for one Maximo.
pub(crate) struct MaximoClient {
    http: reqwest::Client,
    /// `<base>/maximo/api`, without a trailing slash.
    root: String,
    auth: Auth,
    pub(crate) journal: Journal,
    resilience: Resilience,
}

impl MaximoClient {
    pub(crate) fn new(
        http: reqwest::Client,
        root: String,
        auth: Auth,
        resilience: Resilience,
    ) -> MaximoClient {
        MaximoClient {
            http,
            root,
            auth,
            journal: Journal::default(),
            resilience,
        }
    }

    pub(crate) fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    /// `<root>/os/<os>[/<restid>]?lean=1&<params>`.
    pub(crate) fn url(
        &self,
        os: &str,
        rest_id: Option<&str>,
        params: &[(&str, String)],
    ) -> Result<Url, ConnectorError> {
        let mut text = format!("{}/os/{os}", self.root);
        if let Some(id) = rest_id {
            text.push('/');
            text.push_str(&encode(id));
        }
        text.push_str("?lean=1");
        for (name, value) in params {
            text.push('&');
            text.push_str(name);
            text.push('=');
            text.push_str(&encode(value));
        }
        Url::parse(&text).map_err(|e| {
            ConnectorError::protocol(format!("cannot build a request URL for {os}: {e}"))
        })
    }

    /// Sends one request with credentials and `Accept: application/json`, and reads the whole
    /// response.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<Response, ConnectorError> {
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, "application/json")
            .headers(headers);
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let request = self.auth.apply(request);
        tracing::debug!(system = SYSTEM, %method, path = url.path(), "request");
        http::send(SYSTEM, request).await
    }

    /// GETs `url` and returns the response headers and its JSON body.
    /// A failure in passing, an unreadable body too, is tried again (see `resilience`).
    pub(crate) async fn get_json(&self, url: &Url) -> Result<(HeaderMap, Value), ConnectorError> {
        self.resilience
            .run(Safety::Safe, || async {
                let response = self
                    .send(Method::GET, url, HeaderMap::new(), None)
                    .await?
                    .success(error_from_response)?;
                let value = serde_json::from_slice(&response.body).map_err(|e| {
                    ConnectorError::Protocol {
                        detail: format!("the response is not JSON: {e}"),
                        upstream: Some(upstream(response.status, NativeError::default())),
                    }
                })?;
                Ok((response.headers, value))
            })
            .await
    }

    /// One collection query of `os`: `oslc.select`, `oslc.where`, `oslc.orderBy`,
    /// `oslc.pageSize`, and `collectioncount=1` when `count`.
    pub(crate) async fn query(
        &self,
        os: &ObjectStructure,
        filter: Option<&str>,
        order: &str,
        page_size: u32,
        count: bool,
    ) -> Result<(HeaderMap, Collection), ConnectorError> {
        let mut params = vec![("oslc.select", os.select.to_owned())];
        if let Some(filter) = filter {
            params.push(("oslc.where", filter.to_owned()));
        }
        params.push(("oslc.orderBy", order.to_owned()));
        params.push(("oslc.pageSize", page_size.to_string()));
        if count {
            params.push(("collectioncount", "1".to_owned()));
        }
        let url = self.url(os.name, None, &params)?;
        let (headers, value) = self.get_json(&url).await?;
        let collection = Collection::from_value(value)
            .map_err(|why| ConnectorError::protocol(format!("{} page: {why}", os.name)))?;
        Ok((headers, collection))
    }

    /// Reads one keyset page of `os` (see `keyset`), mapping each member with `map`, which
    /// also gets the source's clock of the response it came in.
    pub(crate) async fn read_changes(
        &self,
        os: &ObjectStructure,
        query: &PageQuery,
        map: fn(Value, DateTime<Utc>) -> Result<RemoteRecord, ConnectorError>,
    ) -> Result<Page, ConnectorError> {
        let size = query.page_size_or(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        let (start, first) = match &query.resume {
            Some(text) => (keyset::decode(text, os)?, false),
            None => (Segment::start(os, query.changed_since), true),
        };
        let mut source = Pages {
            client: self,
            os,
            map,
        };
        let read = keyset::read(os, start, size, first, &mut source).await?;
        let mut records: Vec<RemoteRecord> = read.rows.into_iter().map(|r| r.record).collect();
        // Maximo sorted already; sorting again makes the page order the contract's whatever the
        // server's collation did, and is a no-op when they agree.
        records.sort_by(|a, b| {
            (a.remote_updated_at, &a.remote_id).cmp(&(b.remote_updated_at, &b.remote_id))
        });
        Ok(Page {
            records,
            next: read.next.map(|segment| keyset::encode(os, &segment)),
            total: read.total,
        })
    }

    /// GETs one record by its rest id, with the structure's `oslc.select`.
    pub(crate) async fn member(
        &self,
        os: &ObjectStructure,
        rest_id: &str,
    ) -> Result<(HeaderMap, Value), ConnectorError> {
        let url = self.url(
            os.name,
            Some(rest_id),
            &[("oslc.select", os.select.to_owned())],
        )?;
        self.get_json(&url).await
    }

    /// One record by its `remote_id`, mapped with `map`. An id of the wrong shape is
    /// [`ConnectorError::NotFound`] without a request.
    pub(crate) async fn get_record(
        &self,
        os: &ObjectStructure,
        remote_id: &str,
        map: fn(Value, DateTime<Utc>) -> Result<RemoteRecord, ConnectorError>,
    ) -> Result<RemoteRecord, ConnectorError> {
        if !plausible_id(remote_id, os) {
            return Err(ConnectorError::NotFound(None));
        }
        self.get_by_rest_id(os, &rest_id(remote_id), map).await
    }

    pub(crate) async fn get_by_rest_id(
        &self,
        os: &ObjectStructure,
        rest_id: &str,
        map: fn(Value, DateTime<Utc>) -> Result<RemoteRecord, ConnectorError>,
    ) -> Result<RemoteRecord, ConnectorError> {
        let (headers, raw) = self.member(os, rest_id).await?;
        map(raw, read_at(&headers))
    }

    /// Sends one write with its `transactionid` (and `If-Match` when given) and returns the
    /// successful response; a refusal is decoded into its error.
    pub(crate) async fn write(
        &self,
        os: &ObjectStructure,
        kind: WriteKind<'_>,
        rest_id: Option<&str>,
        body: &Value,
        transaction_id: &str,
        if_match: Option<&str>,
    ) -> Result<Response, ConnectorError> {
        let params = match kind {
            WriteKind::Action(name) => vec![("action", format!("wsmethod:{name}"))],
            WriteKind::Create | WriteKind::Merge => Vec::new(),
        };
        let url = self.url(os.name, rest_id, &params)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            TRANSACTION_ID,
            header_value(transaction_id, "transactionid")?,
        );
        if !matches!(kind, WriteKind::Create) {
            headers.insert(METHOD_OVERRIDE, HeaderValue::from_static("PATCH"));
        }
        if matches!(kind, WriteKind::Merge) {
            headers.insert(PATCH_TYPE, HeaderValue::from_static("MERGE"));
        }
        if let Some(version) = if_match {
            headers.insert(
                reqwest::header::IF_MATCH,
                header_value(version, "$.remote_version")?,
            );
        }
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ConnectorError::protocol(format!("cannot serialise the request body: {e}"))
        })?;
        // Safe to repeat: a repeat carries the same `transactionid`, which Maximo refuses with
        // 409 `BMXAA9524E` when the first attempt was applied (see `txn`).
        self.resilience
            .run(Safety::Safe, || async {
                self.send(Method::POST, &url, headers.clone(), Some(bytes.clone()))
                    .await?
                    .success(error_from_response)
            })
            .await
    }
}

/// The collection queries of one keyset read.
struct Pages<'a> {
    client: &'a MaximoClient,
    os: &'a ObjectStructure,
    map: fn(Value, DateTime<Utc>) -> Result<RemoteRecord, ConnectorError>,
}

impl Source for Pages<'_> {
    async fn fetch(
        &mut self,
        segment: &Segment,
        ask: u32,
        count: bool,
    ) -> Result<Fetched, ConnectorError> {
        let filter = keyset::where_clause(self.os, segment)?;
        let order = keyset::order_by(self.os, segment);
        let (headers, collection) = self
            .client
            .query(self.os, filter.as_deref(), &order, ask, count)
            .await?;
        let stamp = read_at(&headers);
        let rows = collection
            .member
            .into_iter()
            .map(|raw| (self.map)(raw, stamp).and_then(|record| Row::of(self.os, record)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Fetched {
            rows,
            more: collection.more,
            total: collection.total,
        })
    }
}

fn header_value(text: &str, path: &str) -> Result<HeaderValue, ConnectorError> {
    HeaderValue::from_str(text).map_err(|_| {
        ConnectorError::Invalid(vec![FieldError::new(
            path,
            "is not a value Maximo issued (not a valid header value)",
        )])
    })
}

/// The source's clock from a response, or the local one when Maximo sent no readable `Date`.
pub(crate) fn read_at(headers: &HeaderMap) -> DateTime<Utc> {
    http::source_date(headers).unwrap_or_else(Utc::now)
}

pub(crate) fn upstream(status: StatusCode, native: NativeError) -> Upstream {
    http::upstream(SYSTEM, status, native.code, native.message)
}

/// Turns a non-success response into the error it means: Maximo's reason codes first (refused
/// credentials, permission, stale rowstamps, a replayed transaction), 423 and 428 as conflicts,
/// then what the status says ([`http::status_error`]). A Maximo behind form login redirects an
/// unauthenticated request to its login page, which is an authentication failure there.
pub(crate) fn error_from_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ConnectorError {
    let native = NativeError::parse(body);
    let code = native.code.clone().unwrap_or_default();
    let upstream = upstream(status, native);
    if AUTH_CODES.contains(&code.as_str()) {
        return ConnectorError::Auth(upstream);
    }
    if code == "BMXAA9301E" {
        return ConnectorError::PermissionDenied(upstream);
    }
    if STALE_CODES.contains(&code.as_str()) || code == REPLAYED {
        return ConnectorError::Conflict(upstream);
    }
    match status.as_u16() {
        423 | 428 => ConnectorError::Conflict(upstream),
        _ => http::status_error(SYSTEM, status, headers, upstream),
    }
}

/// Whether `error` is Maximo's answer to a `transactionid` it has seen: the write was applied
/// by an earlier attempt.
pub(crate) fn is_replayed(error: &ConnectorError) -> bool {
    error
        .upstream()
        .is_some_and(|u| u.code.as_deref() == Some(REPLAYED))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORK_ORDERS: ObjectStructure = ObjectStructure {
        name: "mxapiwodetail",
        select: "*",
        stamp: Some("changedate"),
        keys: &[Key::text("siteid"), Key::text("wonum")],
    };

    #[test]
    fn rest_ids_are_maximo_s() {
        // Decoded examples from IBM's documentation.
        assert_eq!(rest_id("BEDFORD/1000"), "_QkVERk9SRC8xMDAw");
        assert_eq!(rest_id("A6002/FLEET"), "_QTYwMDIvRkxFRVQ-");
        assert_eq!(rest_id("1017/0/BEDFORD"), "_MTAxNy8wL0JFREZPUkQ-");
        assert_eq!(rest_id("L12510/LAREDO"), "_TDEyNTEwL0xBUkVETw--");
        assert_eq!(
            remote_id_of("_TDEyNTEwL0xBUkVETw--").as_deref(),
            Some("L12510/LAREDO")
        );
        assert_eq!(remote_id_of("QkVERk9SRC8xMDAw"), None);
        assert_eq!(remote_id_of("_!!"), None);
        // `+` and `/` of the alphabet stay inside the one path segment.
        assert_eq!(encode("_a+b/c-"), "_a%2Bb%2Fc-");
    }

    #[test]
    fn roots_of_base_urls() {
        let root = |b: &str| api_root(b, Route::Api);
        assert_eq!(
            root("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/maximo/api"
        );
        assert_eq!(root("https://h/maximo/").unwrap(), "https://h/maximo/api");
        assert_eq!(root("https://h/eam").unwrap(), "https://h/eam/maximo/api");
        assert_eq!(
            api_root("http://h", Route::Oslc).unwrap(),
            "http://h/maximo/oslc"
        );
        assert!(root("ftp://h").is_err());
        assert!(root("http://h?x=1").is_err());
        assert!(root("maximo").is_err());
    }

    #[test]
    fn ids_of_records() {
        let raw = serde_json::json!({"siteid": "BEDFORD", "wonum": "1000"});
        assert_eq!(
            remote_id_from(&raw, WORK_ORDERS.keys).unwrap(),
            "BEDFORD/1000"
        );
        let raw = serde_json::json!({"siteid": "BEDFORD"});
        assert!(
            remote_id_from(&raw, WORK_ORDERS.keys)
                .unwrap_err()
                .contains("wonum")
        );
        let po = serde_json::json!({"ponum": "1017", "revisionnum": 0, "siteid": "BEDFORD"});
        let keys = [
            Key::text("ponum"),
            Key::integer("revisionnum"),
            Key::text("siteid"),
        ];
        assert_eq!(remote_id_from(&po, &keys).unwrap(), "1017/0/BEDFORD");
        assert!(plausible_id("BEDFORD/1000", &WORK_ORDERS));
        assert!(plausible_id("BEDFORD/10/A", &WORK_ORDERS));
        assert!(!plausible_id("1000", &WORK_ORDERS));
        assert!(!plausible_id("BEDFORD/ ", &WORK_ORDERS));
    }

    #[test]
    fn rest_ids_from_location() {
        let mut h = HeaderMap::new();
        h.insert(
            LOCATION,
            HeaderValue::from_static("http://h/maximo/api/os/mxapiwodetail/_QkVERk9SRC8xMDAw"),
        );
        assert_eq!(location_rest_id(&h).as_deref(), Some("_QkVERk9SRC8xMDAw"));
        h.insert(
            LOCATION,
            HeaderValue::from_static("/maximo/oslc/os/mxapiasset/_QTYwMDIvRkxFRVQ-?lean=1"),
        );
        assert_eq!(location_rest_id(&h).as_deref(), Some("_QTYwMDIvRkxFRVQ-"));
        h.insert(
            LOCATION,
            HeaderValue::from_static("/maximo/oslc/os/mxapiasset"),
        );
        assert_eq!(location_rest_id(&h), None);
        h.insert(
            LOCATION,
            HeaderValue::from_static("/maximo/api/os/mxapiwodetail/41"),
        );
        assert_eq!(location_rest_id(&h).as_deref(), Some("41"));
        assert_eq!(location_rest_id(&HeaderMap::new()), None);
    }

    #[test]
    fn statuses_and_codes_map_to_errors() {
        let h = HeaderMap::new();
        let body = |code: &str| {
            format!(
                r#"{{"Error":{{"reasonCode":"{code}","message":"{code} - text","statusCode":"400"}}}}"#
            )
        };
        let err = |status: u16, code: &str| {
            error_from_response(
                StatusCode::from_u16(status).unwrap(),
                &h,
                body(code).as_bytes(),
            )
        };
        assert!(matches!(err(401, "BMXAA7901E"), ConnectorError::Auth(_)));
        assert!(matches!(err(400, "BMXAA9549E"), ConnectorError::Auth(_)));
        assert!(matches!(
            err(403, "BMXAA0024E"),
            ConnectorError::PermissionDenied(_)
        ));
        assert!(matches!(
            err(400, "BMXAA9301E"),
            ConnectorError::PermissionDenied(_)
        ));
        assert!(matches!(
            err(404, "BMXAA8727E"),
            ConnectorError::NotFound(Some(_))
        ));
        assert!(matches!(
            err(400, "BMXAA8229W"),
            ConnectorError::Conflict(_)
        ));
        assert!(matches!(
            err(412, "BMXAA8229W"),
            ConnectorError::Conflict(_)
        ));
        let replayed = err(409, REPLAYED);
        assert!(
            matches!(&replayed, ConnectorError::Conflict(u) if u.code.as_deref() == Some(REPLAYED))
        );
        assert!(is_replayed(&replayed));
        assert!(!is_replayed(&err(409, "BMXAA4129E")));
        assert!(matches!(
            err(400, "BMXAA4153E"),
            ConnectorError::Rejected(_)
        ));
        assert!(matches!(
            err(503, "BMXAA0000E"),
            ConnectorError::Unavailable { .. }
        ));
        assert!(matches!(
            err(429, "BMXAA0000E"),
            ConnectorError::RateLimited { .. }
        ));
        let mut redirect = HeaderMap::new();
        redirect.insert(
            LOCATION,
            HeaderValue::from_static("/maximo/webclient/login/login.jsp"),
        );
        assert!(matches!(
            error_from_response(StatusCode::FOUND, &redirect, b""),
            ConnectorError::Auth(u) if u.message.as_deref() == Some("redirected to /maximo/webclient/login/login.jsp")
        ));
    }
}
