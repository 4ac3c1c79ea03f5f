//! The HTTP face of the NetSuite emulator: everything under `/services/rest/`.
//!
//! Order of checks, as NetSuite's front does it: the account's concurrency pool (429
//! `CONCURRENCY_LIMIT_EXCEEDED`, before any work), the body size, token-based authentication
//! or an OAuth 2.0 bearer token (401 `INVALID_LOGIN`; tokens come from `oauth2`'s token
//! endpoint), then the resource: the record API (`/record/v1/…`), SuiteQL
//! (`/query/v1/suiteql`), asynchronous jobs (`/async/v1/job/…`) and the governance limits
//! (`/system/v1/governanceLimits`). `Prefer: respond-async` turns any record or SuiteQL request
//! into a job. Work runs on the blocking pool, holding its concurrency slot until the answer is
//! ready. Every refusal is NetSuite's error envelope; nothing a client sends can make it panic
//! or answer 500.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Value as JsonValue, json};

use super::auth::{NsAuth, Principal, SignedRequest, real_unix_now};
use super::data::{NetSuiteData, Stamp};
use super::error::NsError;
use super::filter;
use super::governance::Governance;
use super::jobs::{Jobs, Reply};
use super::oauth2;
use super::records::{
    self, RECORD_ROOT, RecordType, View, WriteContext, body_object, inventory, purchase_order,
    shape, vendor,
};
use super::suiteql;
use crate::server::Core;

/// Where the REST services live.
pub(crate) const REST_ROOT: &str = "/services/rest";
/// Request bodies larger than this are refused (413). NetSuite's own ceiling is 104 MB; the
/// emulator keeps memory small.
const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;
/// NetSuite's page size limit and the collection / SuiteQL result ceiling.
pub(crate) const MAX_LIMIT: u64 = 1_000;
pub(crate) const RESULT_CEILING: u64 = 100_000;

const COLLECTION_TYPE: &str = "application/vnd.oracle.resource+json; type=collection";
const SINGULAR_TYPE: &str = "application/vnd.oracle.resource+json; type=singular";

/// Shared state of the NetSuite routes.
pub(crate) struct NsState {
    pub(crate) core: Arc<Core>,
    pub(crate) auth: Arc<NsAuth>,
    pub(crate) governance: Arc<Governance>,
    pub(crate) data: Arc<RwLock<NetSuiteData>>,
    pub(crate) jobs: Mutex<Jobs>,
}

impl Reply {
    fn json(status: StatusCode, content_type: &str, body: &JsonValue) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some((content_type.to_owned(), body.to_string().into_bytes())),
        }
    }

    fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    fn with_header(mut self, name: HeaderName, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

impl From<NsError> for Reply {
    fn from(error: NsError) -> Reply {
        Reply {
            status: error.status,
            headers: error.headers.clone(),
            body: Some((
                String::from(super::error::ERROR_CONTENT_TYPE),
                error.body().to_string().into_bytes(),
            )),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some((content_type, bytes)) => {
                let mut response = (self.status, bytes).into_response();
                if let Ok(value) = HeaderValue::from_str(&content_type) {
                    response.headers_mut().insert(CONTENT_TYPE, value);
                }
                response
            }
            None => self.status.into_response(),
        };
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// Entry point for every request under [`REST_ROOT`].
pub(crate) async fn rest(State(state): State<Arc<NsState>>, request: Request) -> Response {
    let Some(slot) = state.governance.try_acquire() else {
        return NsError::concurrency_limit().into_response();
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return NsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_CONTENT",
            "The request body is too large.",
        )
        .into_response();
    };
    let worker = Arc::clone(&state);
    let outcome = tokio::task::spawn_blocking(move || {
        let reply = process(&worker, &parts, &bytes);
        drop(slot);
        reply
    })
    .await;
    match outcome {
        Ok(reply) => reply.into_response(),
        Err(_) => NsError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "An unexpected error occurred. Error ID: emulator-worker",
        )
        .into_response(),
    }
}

/// Anything outside the REST services.
pub(crate) async fn not_found(request: Request) -> Response {
    NsError::not_found(request.uri().path()).into_response()
}

/// The request's scheme and host, for links and `Location`.
fn base_url(state: &NsState, headers: &HeaderMap) -> String {
    headers.get(HOST).and_then(|h| h.to_str().ok()).map_or_else(
        || state.core.base_url.clone(),
        |host| format!("http://{host}"),
    )
}

/// Decoded query parameters (`+` is a space).
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| {
                percent_decode_str(&text.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(name), decode(value))
        })
        .collect()
}

fn param<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn is_form(headers: &HeaderMap) -> bool {
    header(headers, "content-type").is_some_and(|c| {
        c.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    })
}

fn process(state: &NsState, parts: &Parts, bytes: &Bytes) -> Reply {
    let host = header(&parts.headers, "host")
        .map(str::to_owned)
        .unwrap_or_else(|| state.core.base_url.trim_start_matches("http://").to_owned());
    let signed = SignedRequest {
        method: parts.method.as_str(),
        host: &host,
        path: parts.uri.path(),
        query: parts.uri.query(),
        authorization: header(&parts.headers, "authorization"),
        form_body: is_form(&parts.headers).then_some(bytes.as_ref()),
    };
    if parts.uri.path() == oauth2::TOKEN_PATH {
        return token_endpoint(state, parts, bytes);
    }
    let authorization = header(&parts.headers, "authorization").unwrap_or_default();
    let verified = match authorization.strip_prefix("Bearer ") {
        Some(token) => state
            .auth
            .verify_bearer(token.trim(), state.core.clock.now().timestamp()),
        None => state.auth.verify(&signed, real_unix_now()),
    };
    let principal = match verified {
        Ok(principal) => principal,
        Err(error) => return error.into(),
    };
    let path = parts.uri.path();
    let rest = path.strip_prefix(REST_ROOT).unwrap_or(path);
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let context = RequestContext {
        state,
        parts,
        bytes,
        principal: &principal,
        base: base_url(state, &parts.headers),
        query: query_pairs(parts.uri.query()),
    };
    let prefers_async = header(&parts.headers, "prefer").is_some_and(|prefer| {
        prefer
            .split(',')
            .any(|p| p.trim().eq_ignore_ascii_case("respond-async"))
    });
    let is_async_resource = matches!(
        segments.first().map(String::as_str),
        Some("record" | "query")
    );
    if prefers_async && is_async_resource {
        return submit_job(&context, &segments);
    }
    route(&context, &segments).unwrap_or_else(Reply::from)
}

/// `POST …/auth/oauth2/v1/token`: OAuth 2.0 client credentials (see `oauth2`). Its answers are
/// OAuth's JSON, not NetSuite's error envelope.
fn token_endpoint(state: &NsState, parts: &Parts, bytes: &Bytes) -> Reply {
    if parts.method != Method::POST {
        return NsError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "INVALID_REQUEST",
            "The token endpoint accepts POST only.",
        )
        .into();
    }
    if !is_form(&parts.headers) {
        return token_refusal(&oauth2::OAuthError {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: "the body must be application/x-www-form-urlencoded".into(),
        });
    }
    let token_url = format!("{}{}", base_url(state, &parts.headers), oauth2::TOKEN_PATH);
    match state.auth.issue_token(
        bytes,
        &token_url,
        real_unix_now(),
        state.core.clock.now().timestamp(),
    ) {
        Ok(answer) => Reply::json(StatusCode::OK, "application/json", &answer),
        Err(refusal) => token_refusal(&refusal),
    }
}

fn token_refusal(refusal: &oauth2::OAuthError) -> Reply {
    Reply::json(refusal.status, "application/json", &refusal.body())
}

struct RequestContext<'r> {
    state: &'r NsState,
    parts: &'r Parts,
    bytes: &'r Bytes,
    principal: &'r Principal,
    base: String,
    query: Vec<(String, String)>,
}

impl RequestContext<'_> {
    fn now(&self) -> Stamp {
        Stamp::minute_of(self.state.core.clock.now())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, NetSuiteData> {
        self.state
            .data
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, NetSuiteData> {
        self.state
            .data
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn job_url(&self, id: u64) -> String {
        format!("{}{REST_ROOT}/async/v1/job/{id}", self.base)
    }
}

fn route(context: &RequestContext<'_>, segments: &[String]) -> Result<Reply, NsError> {
    let method = &context.parts.method;
    let names: Vec<&str> = segments.iter().map(String::as_str).collect();
    match names.as_slice() {
        ["record", "v1", rest @ ..] => record_api(context, rest),
        ["query", "v1", "suiteql"] => {
            if *method != Method::POST {
                return Err(NsError::method_not_allowed(
                    "SuiteQL queries are sent with POST.",
                ));
            }
            suiteql_query(context)
        }
        ["async", "v1", "job", rest @ ..] => {
            if *method != Method::GET {
                return Err(NsError::method_not_allowed(
                    "Async job resources are read with GET.",
                ));
            }
            async_job(context, rest)
        }
        ["system", "v1", "governanceLimits"] if *method == Method::GET => {
            let state = context.state.governance.state();
            Ok(Reply::json(
                StatusCode::OK,
                SINGULAR_TYPE,
                &json!({
                    "links": [],
                    "accountConcurrencyLimit": state.concurrency_limit,
                    "unallocatedConcurrencyLimit": state.concurrency_limit,
                    "limitType": "accountLimit",
                }),
            ))
        }
        _ => Err(NsError::not_found(context.parts.uri.path())),
    }
}

// ---------------------------------------------------------------------------------------------
// Paging

/// `limit` and `offset` as NetSuite checks them.
fn paging(context: &RequestContext<'_>) -> Result<(u64, u64), NsError> {
    let limit = match param(&context.query, "limit") {
        None => MAX_LIMIT,
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                NsError::invalid_query_param(
                    "limit",
                    format!(
                        "Invalid value for the query parameter limit: {text}. The value must be \
                         an integer between 1 and {MAX_LIMIT}."
                    ),
                )
            })?,
    };
    let offset = match param(&context.query, "offset") {
        None => 0,
        Some(text) => text.trim().parse::<u64>().map_err(|_| {
            NsError::invalid_query_param(
                "offset",
                format!("Invalid value for the query parameter offset: {text}."),
            )
        })?,
    };
    if offset % limit != 0 {
        return Err(NsError::invalid_query_param(
            "offset",
            format!("The offset ({offset}) must be a multiple of the limit ({limit})."),
        ));
    }
    if offset >= RESULT_CEILING {
        return Err(NsError::invalid_query_param(
            "offset",
            format!(
                "Only the first {RESULT_CEILING} results can be paged through; narrow the query \
                 instead of paging past them."
            ),
        ));
    }
    Ok((limit, offset))
}

/// The collection envelope's `links`, `count`, `hasMore`, `offset` and `totalResults`; `count`
/// rows were served. Rows past the result ceiling are never served: there `hasMore` is false
/// although `offset + count < totalResults`, as NetSuite answers.
fn envelope(
    context: &RequestContext<'_>,
    items: Vec<JsonValue>,
    limit: u64,
    offset: u64,
    total: u64,
) -> JsonValue {
    let count = items.len() as u64;
    let reachable = total.min(RESULT_CEILING);
    let has_more = offset + count < reachable;
    let path = context.parts.uri.path();
    let extra: Vec<String> = context
        .query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("limit") && !k.eq_ignore_ascii_case("offset"))
        .map(|(k, v)| {
            format!(
                "{}={}",
                super::auth::oauth_encode(k.as_bytes()),
                super::auth::oauth_encode(v.as_bytes())
            )
        })
        .collect();
    let link = |rel: &str, at: u64| {
        let mut href = format!("{}{path}?limit={limit}&offset={at}", context.base);
        for pair in &extra {
            href.push('&');
            href.push_str(pair);
        }
        json!({ "rel": rel, "href": href })
    };
    let mut links = Vec::new();
    if offset > 0 {
        links.push(link("previous", offset.saturating_sub(limit)));
        links.push(link("first", 0));
    }
    if has_more {
        links.push(link("next", offset + limit));
    }
    if reachable > 0 {
        links.push(link("last", (reachable - 1) / limit * limit));
    }
    links.push(link("self", offset));
    json!({
        "links": links,
        "count": count,
        "hasMore": has_more,
        "items": items,
        "offset": offset,
        "totalResults": total,
    })
}

// ---------------------------------------------------------------------------------------------
// Record API

/// How a path segment names a record.
enum RecordKey {
    Internal(u64),
    External(String),
}

fn record_key(segment: &str) -> Option<RecordKey> {
    if let Some(external) = segment.strip_prefix("eid:") {
        return (!external.is_empty()).then(|| RecordKey::External(external.to_owned()));
    }
    if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
        return segment.parse().ok().map(RecordKey::Internal);
    }
    None
}

fn resolve(data: &NetSuiteData, kind: RecordType, key: &RecordKey) -> Option<u64> {
    match key {
        RecordKey::Internal(id) => Some(*id),
        RecordKey::External(external) => records::by_external_id(data, kind, external),
    }
}

fn view(context: &RequestContext<'_>) -> View {
    let flag = |name: &str| {
        param(&context.query, name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    };
    View {
        base: context.base.clone(),
        expand: flag("expandSubResources"),
        simple_enum: flag("simpleEnumFormat"),
    }
}

fn fields(context: &RequestContext<'_>) -> Option<Vec<String>> {
    param(&context.query, "fields").map(|list| {
        list.split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect()
    })
}

fn record_api(context: &RequestContext<'_>, rest: &[&str]) -> Result<Reply, NsError> {
    let Some((type_segment, rest)) = rest.split_first() else {
        return Err(NsError::not_found(context.parts.uri.path()));
    };
    let kind = RecordType::parse(type_segment)
        .ok_or_else(|| NsError::unknown_record_type(type_segment))?;
    let method = context.parts.method.clone();
    match rest {
        [] => match method {
            Method::GET => list(context, kind),
            Method::POST => create(context, kind, type_segment),
            _ => Err(NsError::method_not_allowed(format!(
                "The {method} method is not allowed on a record collection."
            ))),
        },
        [id] => {
            let key = record_key(id).ok_or_else(NsError::nonexistent_id)?;
            match method {
                Method::GET => get_record(context, kind, &key),
                Method::PATCH => update(context, kind, &key),
                Method::PUT => upsert(context, kind, &key, type_segment),
                Method::DELETE => delete(context, kind, &key),
                _ => Err(NsError::method_not_allowed(format!(
                    "The {method} method is not allowed on a record."
                ))),
            }
        }
        [id, sublist] | [id, sublist, _] if !sublist.starts_with('!') => {
            if method != Method::GET {
                return Err(NsError::method_not_allowed(
                    "Sublists are changed through their record (PATCH).",
                ));
            }
            let key = record_key(id).ok_or_else(NsError::nonexistent_id)?;
            get_sublist(context, kind, &key, sublist, rest.get(2).copied())
        }
        _ => Err(NsError::not_found(context.parts.uri.path())),
    }
}

fn list(context: &RequestContext<'_>, kind: RecordType) -> Result<Reply, NsError> {
    let (limit, offset) = paging(context)?;
    let compiled = match param(&context.query, "q") {
        Some(q) if !q.trim().is_empty() => {
            let parsed = filter::parse(q)?;
            Some(filter::compile(&parsed, kind.filter_fields(), kind.name())?)
        }
        _ => None,
    };
    let data = context.read();
    let (ids, total) = records::list(&data, kind, compiled.as_ref(), offset, limit);
    let view = view(context);
    let wanted_fields = fields(context);
    let items = ids
        .iter()
        .map(|id| {
            let href = format!("{}{RECORD_ROOT}/{}/{id}", context.base, kind.name());
            let mut item = serde_json::Map::new();
            item.insert(String::from("links"), View::self_links(&href));
            item.insert(String::from("id"), json!(id.to_string()));
            // `fields` on a collection adds those fields to each stub.
            if let Some(wanted) = &wanted_fields
                && let Ok(Some(record)) = records::render(&data, kind, *id, &view)
            {
                for (key, value) in record {
                    if wanted.iter().any(|w| w.eq_ignore_ascii_case(&key)) {
                        item.insert(key, value);
                    }
                }
            }
            JsonValue::Object(item)
        })
        .collect();
    Ok(Reply::json(
        StatusCode::OK,
        COLLECTION_TYPE,
        &envelope(context, items, limit, offset, total),
    ))
}

fn get_record(
    context: &RequestContext<'_>,
    kind: RecordType,
    key: &RecordKey,
) -> Result<Reply, NsError> {
    let data = context.read();
    let id = resolve(&data, kind, key).ok_or_else(NsError::nonexistent_id)?;
    let view = view(context);
    let record = records::render(&data, kind, id, &view)?.ok_or_else(NsError::nonexistent_id)?;
    let body = shape(record, kind.sublist(), &view, fields(context).as_deref());
    Ok(Reply::json(StatusCode::OK, SINGULAR_TYPE, &body))
}

fn get_sublist(
    context: &RequestContext<'_>,
    kind: RecordType,
    key: &RecordKey,
    sublist: &str,
    line: Option<&str>,
) -> Result<Reply, NsError> {
    let data = context.read();
    let id = resolve(&data, kind, key).ok_or_else(NsError::nonexistent_id)?;
    let name = kind
        .sublist()
        .filter(|s| s.eq_ignore_ascii_case(sublist))
        .ok_or_else(|| NsError::not_found(context.parts.uri.path()))?;
    let view = View {
        expand: true,
        ..view(context)
    };
    let record = records::render(&data, kind, id, &view)?.ok_or_else(NsError::nonexistent_id)?;
    let list = record
        .get(name)
        .cloned()
        .ok_or_else(|| NsError::not_found(context.parts.uri.path()))?;
    match line {
        None => Ok(Reply::json(StatusCode::OK, COLLECTION_TYPE, &list)),
        Some(line) => {
            // Lines are found by the last segment of their own link (line number, location id).
            let found = list
                .get("items")
                .and_then(JsonValue::as_array)
                .and_then(|items| {
                    items.iter().find(|item| {
                        item.pointer("/links/0/href")
                            .and_then(JsonValue::as_str)
                            .and_then(|href| href.rsplit('/').next())
                            == Some(line)
                    })
                })
                .cloned()
                .ok_or_else(NsError::nonexistent_id)?;
            Ok(Reply::json(StatusCode::OK, SINGULAR_TYPE, &found))
        }
    }
}

fn require_write(
    context: &RequestContext<'_>,
    kind: RecordType,
    action: &str,
) -> Result<(), NsError> {
    if context.principal.read_only {
        return Err(NsError::insufficient_permission(format!(
            "Permission Violation: You need a higher level of the '{}' permission to {action} \
             this record.",
            kind.name()
        )));
    }
    if !kind.writable() {
        return Err(NsError::method_not_allowed(format!(
            "The emulator serves {} records read-only.",
            kind.name()
        )));
    }
    Ok(())
}

fn write_body(context: &RequestContext<'_>) -> Result<serde_json::Map<String, JsonValue>, NsError> {
    if let Some(content_type) = header(&context.parts.headers, "content-type") {
        let lower = content_type.to_ascii_lowercase();
        if !lower.starts_with("application/json")
            && !lower.starts_with("application/vnd.oracle.resource+json")
        {
            return Err(NsError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "INVALID_CONTENT_TYPE",
                format!("The content type {content_type} is not supported; send application/json."),
            ));
        }
    }
    body_object(context.bytes)
}

fn location(context: &RequestContext<'_>, type_segment: &str, id: u64) -> String {
    format!("{}{RECORD_ROOT}/{type_segment}/{id}", context.base)
}

fn written(reply: Reply, write: &WriteContext) -> Reply {
    if write.warnings.is_empty() {
        reply
    } else {
        reply.with_header(
            HeaderName::from_static("x-netsuite-warning"),
            write.warnings.join("; "),
        )
    }
}

fn create_record(
    data: &mut NetSuiteData,
    kind: RecordType,
    write: &mut WriteContext,
    body: &serde_json::Map<String, JsonValue>,
    external: Option<&str>,
) -> Result<u64, NsError> {
    match kind {
        RecordType::PurchaseOrder => purchase_order::create(data, write, body, external),
        RecordType::Vendor => vendor::create(data, write, body, external),
        RecordType::InventoryAdjustment => inventory::create(data, write, body, external),
        other => Err(NsError::method_not_allowed(format!(
            "The emulator serves {} records read-only.",
            other.name()
        ))),
    }
}

fn update_record(
    data: &mut NetSuiteData,
    kind: RecordType,
    write: &mut WriteContext,
    id: u64,
    body: &serde_json::Map<String, JsonValue>,
    replace: &[String],
) -> Result<(), NsError> {
    match kind {
        RecordType::PurchaseOrder => purchase_order::update(data, write, id, body, replace),
        RecordType::Vendor => vendor::update(data, write, id, body),
        RecordType::InventoryAdjustment => inventory::update(data, write, id, body),
        other => Err(NsError::method_not_allowed(format!(
            "The emulator serves {} records read-only.",
            other.name()
        ))),
    }
}

fn create(
    context: &RequestContext<'_>,
    kind: RecordType,
    type_segment: &str,
) -> Result<Reply, NsError> {
    require_write(context, kind, "create")?;
    let body = write_body(context)?;
    let mut write = WriteContext::new(context.now(), &context.parts.headers);
    let mut data = context.write();
    let id = create_record(&mut data, kind, &mut write, &body, None)?;
    Ok(written(
        Reply::empty(StatusCode::NO_CONTENT)
            .with_header(LOCATION, location(context, type_segment, id)),
        &write,
    ))
}

fn replace_list(context: &RequestContext<'_>) -> Vec<String> {
    param(&context.query, "replace")
        .map(|list| list.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default()
}

fn update(
    context: &RequestContext<'_>,
    kind: RecordType,
    key: &RecordKey,
) -> Result<Reply, NsError> {
    require_write(context, kind, "edit")?;
    let body = write_body(context)?;
    let mut write = WriteContext::new(context.now(), &context.parts.headers);
    let mut data = context.write();
    let id = resolve(&data, kind, key).ok_or_else(NsError::nonexistent_id)?;
    if records::render(&data, kind, id, &view(context))?.is_none() {
        return Err(NsError::nonexistent_id());
    }
    update_record(
        &mut data,
        kind,
        &mut write,
        id,
        &body,
        &replace_list(context),
    )?;
    Ok(written(Reply::empty(StatusCode::NO_CONTENT), &write))
}

fn upsert(
    context: &RequestContext<'_>,
    kind: RecordType,
    key: &RecordKey,
    type_segment: &str,
) -> Result<Reply, NsError> {
    let RecordKey::External(external) = key else {
        return Err(NsError::method_not_allowed(
            "PUT is only allowed with an external ID (eid:) in the URL: the upsert operation.",
        ));
    };
    require_write(context, kind, "create")?;
    let body = write_body(context)?;
    if body
        .get("externalId")
        .and_then(JsonValue::as_str)
        .is_some_and(|e| e != external)
    {
        return Err(NsError::invalid_content(
            "The externalId in the body differs from the one in the URL.",
            Some("externalId"),
        ));
    }
    let mut write = WriteContext::new(context.now(), &context.parts.headers);
    let mut data = context.write();
    let id = match records::by_external_id(&data, kind, external) {
        Some(id) => {
            update_record(
                &mut data,
                kind,
                &mut write,
                id,
                &body,
                &replace_list(context),
            )?;
            id
        }
        None => create_record(&mut data, kind, &mut write, &body, Some(external))?,
    };
    Ok(written(
        Reply::empty(StatusCode::NO_CONTENT)
            .with_header(LOCATION, location(context, type_segment, id)),
        &write,
    ))
}

fn delete(
    context: &RequestContext<'_>,
    kind: RecordType,
    key: &RecordKey,
) -> Result<Reply, NsError> {
    require_write(context, kind, "delete")?;
    let mut data = context.write();
    let id = resolve(&data, kind, key).ok_or_else(NsError::nonexistent_id)?;
    match kind {
        RecordType::PurchaseOrder => purchase_order::delete(&mut data, id)?,
        RecordType::Vendor => vendor::delete(&mut data, id)?,
        RecordType::InventoryAdjustment => inventory::delete(&mut data, id)?,
        other => {
            return Err(NsError::method_not_allowed(format!(
                "The emulator serves {} records read-only.",
                other.name()
            )));
        }
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

// ---------------------------------------------------------------------------------------------
// SuiteQL

fn suiteql_query(context: &RequestContext<'_>) -> Result<Reply, NsError> {
    let (limit, offset) = paging(context)?;
    let body = write_body(context)?;
    let q = body
        .get("q")
        .and_then(JsonValue::as_str)
        .ok_or_else(|| {
            NsError::invalid_content(
                "Invalid content in the request body: the query must be given as {\"q\": \"SELECT …\"}.",
                Some("q"),
            )
        })?;
    let data = context.read();
    let outcome = suiteql::query(&data, context.now(), q, offset, limit)?;
    let items = outcome
        .rows
        .into_iter()
        .map(|row| {
            let mut item = serde_json::Map::new();
            item.insert(String::from("links"), json!([]));
            for (key, value) in row {
                item.insert(key, JsonValue::String(value));
            }
            JsonValue::Object(item)
        })
        .collect();
    Ok(Reply::json(
        StatusCode::OK,
        COLLECTION_TYPE,
        &envelope(context, items, limit, offset, outcome.total),
    ))
}

// ---------------------------------------------------------------------------------------------
// Async jobs

fn submit_job(context: &RequestContext<'_>, segments: &[String]) -> Reply {
    let key = header(&context.parts.headers, "x-netsuite-idempotency-key").map(str::to_owned);
    let mut jobs = context
        .state
        .jobs
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(key) = &key
        && let Some(previous) = jobs.by_key(key)
    {
        return NsError::idempotency(&context.job_url(previous)).into();
    }
    let started = Stamp::from_datetime(context.state.core.clock.now());
    // Jobs hold the lock while the request runs, so a key cannot be used twice concurrently.
    let reply = route(context, segments).unwrap_or_else(Reply::from);
    let id = jobs.add(started, key, reply);
    Reply::empty(StatusCode::ACCEPTED)
        .with_header(LOCATION, context.job_url(id))
        .with_header(
            HeaderName::from_static("preference-applied"),
            String::from("respond-async"),
        )
}

fn async_job(context: &RequestContext<'_>, rest: &[&str]) -> Result<Reply, NsError> {
    let jobs = context
        .state
        .jobs
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let parse = |segment: &str| segment.parse::<u64>().ok();
    let self_links = |href: String| json!([{ "rel": "self", "href": href }]);
    match rest {
        [] => {
            let (limit, offset) = paging(context)?;
            let (ids, total) = jobs.page(offset, limit);
            let items = ids
                .into_iter()
                .map(|id| json!({ "links": self_links(context.job_url(id)), "id": id.to_string() }))
                .collect();
            Ok(Reply::json(
                StatusCode::OK,
                COLLECTION_TYPE,
                &envelope(context, items, limit, offset, total),
            ))
        }
        [id, tail @ ..] => {
            let job = parse(id)
                .and_then(|id| jobs.get(id))
                .ok_or_else(NsError::nonexistent_id)?;
            let url = context.job_url(job.id);
            let progress = if job.succeeded() {
                "succeeded"
            } else {
                "failed"
            };
            match tail {
                [] => Ok(Reply::json(
                    StatusCode::OK,
                    SINGULAR_TYPE,
                    &json!({
                        "links": self_links(url.clone()),
                        "completed": true,
                        "id": job.id.to_string(),
                        "progress": progress,
                        "task": { "links": self_links(format!("{url}/task")) },
                    }),
                )),
                ["task"] => Ok(Reply::json(
                    StatusCode::OK,
                    COLLECTION_TYPE,
                    &json!({
                        "links": self_links(format!("{url}/task")),
                        "count": 1,
                        "hasMore": false,
                        "items": [{
                            "links": self_links(format!("{url}/task/{}", job.id)),
                            "id": job.id.to_string(),
                        }],
                        "offset": 0,
                        "totalResults": 1,
                    }),
                )),
                ["task", task] if parse(task) == Some(job.id) => {
                    let at = job.started.iso();
                    Ok(Reply::json(
                        StatusCode::OK,
                        SINGULAR_TYPE,
                        &json!({
                            "links": [
                                { "rel": "related", "href": format!("{url}/task/{task}/result") },
                                { "rel": "self", "href": format!("{url}/task/{task}") },
                            ],
                            "completed": true,
                            "endTime": at,
                            "id": task.to_string(),
                            "progress": progress,
                            "startTime": at,
                        }),
                    ))
                }
                ["task", task, "result"] if parse(task) == Some(job.id) => Ok(job.reply.clone()),
                _ => Err(NsError::nonexistent_id()),
            }
        }
    }
}
