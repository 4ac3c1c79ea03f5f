//! The HTTP face of the Maximo emulator: `/maximo/oslc/…` and `/maximo/api/…` (the same
//! servlet, reference §1.1), plus the form login `/maximo/j_security_check`.
//!
//! One handler serves every request, in the order Maximo's servlet does it: authentication
//! (401 `BMXAA7901E` / `BMXAA9549E`), the resource path (404 `BMXAA8727E`), the method and its
//! override header, authorisation of writes (403 for the read-only user), `transactionid`
//! (409 `BMXAA9524E`), `If-Match` / `_rowstamp` (412 / 400 `BMXAA8229W`), then the read or
//! write. Every refusal is Maximo's error JSON; nothing a client sends makes it panic or
//! answer 500.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG, HOST, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as JsonValue, json};

use super::auth::{MaximoAuth, Principal, SESSION_COOKIE};
use super::data::{MaximoData, ORG};
use super::engine::{self, Query};
use super::error::MaximoError;
use super::eval::compile;
use super::oslc_where;
use super::query::{Params, parse_order};
use super::render::{Renderer, ResponseInfo};
use super::restid::{self, MemberId};
use super::schema::{OsKind, Record};
use super::select::{self, Projection};
use super::value::format_date;
use super::writes::{self, WriteContext};
use crate::MaximoSettings;
use crate::server::Core;

/// Request bodies larger than this are refused (413).
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Transaction ids remembered at most; the oldest are forgotten first.
const MAX_TRANSACTIONS: usize = 100_000;

/// `transactionid` → when it was used (virtual seconds), and the ids in arrival order.
type Transactions = (HashMap<String, i64>, VecDeque<(String, i64)>);

/// Shared state of the Maximo routes.
pub(crate) struct MaximoState {
    pub(crate) core: Arc<Core>,
    pub(crate) auth: Arc<MaximoAuth>,
    pub(crate) data: Arc<RwLock<MaximoData>>,
    settings: MaximoSettings,
    transactions: Mutex<Transactions>,
}

impl MaximoState {
    pub(crate) fn new(
        core: Arc<Core>,
        auth: Arc<MaximoAuth>,
        data: Arc<RwLock<MaximoData>>,
    ) -> Self {
        let settings = core.profile.maximo.clone();
        MaximoState {
            core,
            auth,
            data,
            settings,
            transactions: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    fn now(&self) -> i64 {
        self.core.clock.now().timestamp()
    }

    /// Whether `id` was used within the retention window (expired ids are forgotten first).
    fn transaction_seen(&self, id: &str) -> bool {
        let now = self.now();
        let retention =
            i64::try_from(self.settings.transaction_id_retention_seconds).unwrap_or(i64::MAX);
        let mut guard = self
            .transactions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (by_id, order) = &mut *guard;
        while let Some((oldest, at)) = order.front() {
            if now - *at < retention && order.len() <= MAX_TRANSACTIONS {
                break;
            }
            if by_id.get(oldest) == Some(at) {
                by_id.remove(oldest);
            }
            order.pop_front();
        }
        by_id.contains_key(id)
    }

    fn remember_transaction(&self, id: &str) {
        let now = self.now();
        let mut guard = self
            .transactions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (by_id, order) = &mut *guard;
        by_id.insert(id.to_owned(), now);
        order.push_back((id.to_owned(), now));
    }
}

/// What a response looks like before it is sent.
enum Answer {
    Json(StatusCode, JsonValue),
    Empty(StatusCode),
}

type Outcome = Result<(Answer, HeaderMap), MaximoError>;

fn header_text<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
}

/// `http://host/maximo/oslc`, or the `x-public-uri` a client asked for.
fn href_base(state: &MaximoState, parts: &Parts) -> String {
    if let Some(public) = header_text(parts, "x-public-uri") {
        return public.trim_end_matches('/').to_owned();
    }
    match header_text(parts, HOST.as_str()) {
        Some(host) => format!("http://{host}/maximo/oslc"),
        None => format!("{}/maximo/oslc", state.core.base_url),
    }
}

/// Entry point for every request under `/maximo`.
pub(crate) async fn handle(State(state): State<Arc<MaximoState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let lean_hint = parts
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "lean=1" || p == "lean=true"));
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return MaximoError::protocol(
            StatusCode::PAYLOAD_TOO_LARGE,
            "oslc#request_too_large",
            "The request body is larger than the server accepts.",
        )
        .response(lean_hint);
    };
    let params = match Params::parse(parts.uri.query()) {
        Ok(params) => params,
        Err(error) => return error.response(lean_hint),
    };
    let lean = params.lean();
    let outcome = dispatch(&state, &parts, &params, &bytes);
    let mut response = match outcome {
        Ok((Answer::Json(status, body), headers)) => {
            let mut response = (status, axum::Json(body)).into_response();
            response.headers_mut().extend(headers);
            response
        }
        Ok((Answer::Empty(status), headers)) => {
            let mut response = status.into_response();
            response.headers_mut().extend(headers);
            response
        }
        Err(error) => error.response(lean),
    };
    if response.headers().get(CONTENT_TYPE).is_some() {
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
    }
    if parts.method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

/// `/maximo/…` paths that answer 404 in Maximo's shape.
pub(crate) async fn not_found(request: Request) -> Response {
    MaximoError::not_found("RESOURCE", request.uri().path()).response(true)
}

fn dispatch(state: &MaximoState, parts: &Parts, params: &Params, bytes: &Bytes) -> Outcome {
    let path = parts.uri.path();
    let rest = path.strip_prefix("/maximo").unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if segments.as_slice() == ["j_security_check"] {
        return form_login(state, parts, bytes);
    }
    let Some((root, rest)) = segments.split_first() else {
        return Err(MaximoError::not_found("RESOURCE", path));
    };
    if !root.eq_ignore_ascii_case("oslc") && !root.eq_ignore_ascii_case("api") {
        return Err(MaximoError::not_found("RESOURCE", path));
    }
    let principal = state.auth.authenticate(&parts.headers, params.pairs())?;
    let base = href_base(state, parts);
    match rest {
        [] => home(state, &principal, &base),
        [name] if name.eq_ignore_ascii_case("whoami") => whoami(state, &principal, &base),
        [name] if name.eq_ignore_ascii_case("login") => {
            let session = state.auth.open_session(&principal);
            let mut headers = HeaderMap::new();
            if let Ok(cookie) = HeaderValue::from_str(&format!(
                "{SESSION_COOKIE}={session}; Path=/maximo; HttpOnly"
            )) {
                headers.insert(SET_COOKIE, cookie);
            }
            let (answer, _) = whoami(state, &principal, &base)?;
            Ok((answer, headers))
        }
        [name] if name.eq_ignore_ascii_case("logout") => {
            state.auth.close_session(&parts.headers);
            Ok((Answer::Empty(StatusCode::OK), HeaderMap::new()))
        }
        [os, rest @ ..] if os.eq_ignore_ascii_case("os") => {
            let Some((name, rest)) = rest.split_first() else {
                return Err(MaximoError::not_found("RESOURCE", path));
            };
            let kind = OsKind::from_name(name)
                .ok_or_else(|| MaximoError::not_found(&name.to_ascii_uppercase(), ""))?;
            let request = OsRequest {
                state,
                parts,
                params,
                principal: &principal,
                base: &base,
                kind,
            };
            match rest {
                [] => request.collection(bytes),
                [member] => request.member(member, bytes),
                [member, child] => request.child_collection(member, child),
                _ => Err(MaximoError::not_found(kind.def().name, &rest.join("/"))),
            }
        }
        _ => Err(MaximoError::not_found("RESOURCE", path)),
    }
}

fn home(state: &MaximoState, principal: &Principal, base: &str) -> Outcome {
    let body = json!({
        "whoami": { "href": format!("{base}/whoami") },
        "systeminfo": { "href": format!("{base}/systeminfo") },
        "os": OsKind::ALL.iter().map(|kind| format!("{base}/os/{}", kind.def().lower_name())).collect::<Vec<_>>(),
        "serverDate": format_date(state.now(), state.data.read().unwrap_or_else(PoisonError::into_inner).world.offset),
        "userName": principal.user,
        "lang": "EN",
    });
    Ok((Answer::Json(StatusCode::OK, body), HeaderMap::new()))
}

fn whoami(state: &MaximoState, principal: &Principal, base: &str) -> Outcome {
    let data = state.data.read().unwrap_or_else(PoisonError::into_inner);
    let mut profile = state.auth.profile(principal, data.world.site(0), ORG);
    if let Some(map) = profile.as_object_mut() {
        map.insert(String::from("href"), json!(format!("{base}/whoami")));
    }
    Ok((Answer::Json(StatusCode::OK, profile), HeaderMap::new()))
}

/// `POST /maximo/j_security_check` with `j_username` and `j_password` (form encoded).
fn form_login(state: &MaximoState, parts: &Parts, bytes: &Bytes) -> Outcome {
    if parts.method != Method::POST {
        return Err(MaximoError::protocol(
            StatusCode::METHOD_NOT_ALLOWED,
            "oslc#method_not_allowed",
            "The form login accepts POST only.",
        ));
    }
    let form = Params::parse(std::str::from_utf8(bytes).ok())?;
    let (Some(user), Some(password)) = (form.get("j_username"), form.get("j_password")) else {
        return Err(MaximoError::login());
    };
    let principal = state.auth.login(user, password)?;
    let session = state.auth.open_session(&principal);
    let mut headers = HeaderMap::new();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={session}; Path=/maximo; HttpOnly"
    )) {
        headers.insert(SET_COOKIE, cookie);
    }
    Ok((Answer::Empty(StatusCode::OK), headers))
}

/// A request under `/os/{name}`.
struct OsRequest<'a> {
    state: &'a MaximoState,
    parts: &'a Parts,
    params: &'a Params,
    principal: &'a Principal,
    base: &'a str,
    kind: OsKind,
}

fn etag(rowstamp: u64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{rowstamp}\"")) {
        headers.insert(ETAG, value);
    }
    headers
}

/// Finds a member by a URL segment (rest id or unique id).
fn find_member(data: &MaximoData, kind: OsKind, segment: &str) -> Result<u64, MaximoError> {
    let os = kind.def();
    let found = match restid::decode(segment, os.rest_key.len()) {
        Some(MemberId::Keys(keys)) => data.find(kind, &keys),
        Some(MemberId::Unique(id)) => data.find_unique_id(kind, id),
        None => None,
    };
    found.ok_or_else(|| MaximoError::not_found(os.name, segment))
}

/// The member segment of an href (`…/os/mxapiasset/_QTYw…` → `_QTYw…`).
fn member_of_href(href: &str) -> &str {
    let path = href.split(['?', '#']).next().unwrap_or(href);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

impl OsRequest<'_> {
    fn renderer<'d>(&'d self, data: &'d MaximoData) -> Renderer<'d> {
        Renderer {
            data,
            kind: self.kind,
            lean: self.params.lean(),
            drop_nulls: self
                .params
                .get("_dropnulls")
                .is_none_or(|v| v.trim() != "0"),
            collection_refs: !self.params.flag("ignorecollectionref"),
            base: self.base,
        }
    }

    fn method_override(&self) -> Option<String> {
        header_text(self.parts, "x-method-override").map(|v| v.trim().to_ascii_uppercase())
    }

    fn write_context(&self, data: &MaximoData) -> WriteContext {
        WriteContext {
            user: self.principal.user.clone(),
            now: self.state.now(),
            lean: self.params.lean(),
            offset: data.world.offset,
        }
    }

    fn merge(&self) -> bool {
        header_text(self.parts, "patchtype").is_some_and(|v| v.trim().eq_ignore_ascii_case("MERGE"))
    }

    /// The projection a `properties` header asks for (`None` without the header).
    fn properties(&self) -> Result<Option<Projection>, MaximoError> {
        match header_text(self.parts, "properties") {
            None => Ok(None),
            Some(text) => {
                let items = select::parse(text)?;
                Ok(Some(Projection::resolve(&items, self.kind.def())))
            }
        }
    }

    fn refuse_read_only(&self, action: &str) -> Result<(), MaximoError> {
        if self.principal.read_only {
            return Err(MaximoError::not_allowed(
                StatusCode::FORBIDDEN,
                action,
                self.kind.def().mbo.name,
            ));
        }
        Ok(())
    }

    fn json_body(bytes: &Bytes) -> Result<JsonValue, MaximoError> {
        serde_json::from_slice(bytes).map_err(|error| {
            MaximoError::protocol(
                StatusCode::BAD_REQUEST,
                "oslc#invalid_json",
                format!("The request body is not valid JSON: {error}"),
            )
        })
    }

    fn object_body(bytes: &Bytes) -> Result<Map<String, JsonValue>, MaximoError> {
        match Self::json_body(bytes)? {
            JsonValue::Object(map) => Ok(map),
            _ => Err(MaximoError::protocol(
                StatusCode::BAD_REQUEST,
                "oslc#invalid_json",
                "The request body must be a JSON object.",
            )),
        }
    }

    /// Runs a write under the data lock with `transactionid` protection: a repeated id is
    /// refused before anything happens, and an id is remembered only once its write succeeded.
    fn transact<T>(
        &self,
        work: impl FnOnce(&mut MaximoData) -> Result<T, MaximoError>,
    ) -> Result<T, MaximoError> {
        let mut data = self
            .state
            .data
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let transaction = header_text(self.parts, "transactionid")
            .map(str::trim)
            .filter(|id| !id.is_empty());
        if let Some(id) = transaction
            && self.state.transaction_seen(id)
        {
            return Err(MaximoError::transaction_exists(id));
        }
        let result = work(&mut data)?;
        if let Some(id) = transaction {
            self.state.remember_transaction(id);
        }
        Ok(result)
    }

    // -----------------------------------------------------------------------------------------
    // Reads

    fn collection(&self, bytes: &Bytes) -> Outcome {
        let method = &self.parts.method;
        if *method == Method::POST {
            return self.collection_write(bytes);
        }
        if *method != Method::GET && *method != Method::HEAD {
            return Err(method_not_allowed(method));
        }
        let os = self.kind.def();
        let data = self
            .state
            .data
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let cond = match self
            .params
            .get("oslc.where")
            .filter(|w| !w.trim().is_empty())
        {
            Some(text) => {
                let expr = oslc_where::parse(text)
                    .map_err(|error| MaximoError::syntax(error.to_string()))?;
                Some(compile(&expr, os, data.world.offset)?)
            }
            None => None,
        };
        if self.params.flag("count") {
            let total = engine::count(&data, self.kind, cond.as_ref());
            return Ok((
                Answer::Json(StatusCode::OK, json!({ "totalCount": total })),
                HeaderMap::new(),
            ));
        }
        let order = match self
            .params
            .get("oslc.orderBy")
            .filter(|o| !o.trim().is_empty())
        {
            Some(text) => parse_order(text, os)?,
            None => Vec::new(),
        };
        let projection = match self.params.get("oslc.select") {
            Some(text) => Some(Projection::resolve(&select::parse(text)?, os)),
            None => None,
        };
        let page_size = self
            .params
            .positive("oslc.pageSize")?
            .unwrap_or(u64::from(self.settings().default_page_size))
            .min(u64::from(self.settings().max_page_size));
        let page = self.params.positive("pageno")?.unwrap_or(1);
        let want_total = self.params.flag("collectioncount");
        let query = Query {
            cond,
            order,
            offset: (page - 1).saturating_mul(page_size),
            limit: page_size,
            want_total,
        };
        let result = engine::run(&data, self.kind, &query);
        let renderer = self.renderer(&data);
        let members: Vec<JsonValue> = result
            .records
            .iter()
            .map(|record| renderer.member(record, projection.as_ref()))
            .collect();
        let collection = renderer.collection_href();
        let link = |page: u64| format!("{collection}?{}", self.params.with_page(page));
        let raw = self.params.raw_query();
        let info = ResponseInfo {
            href: if raw.is_empty() {
                collection.clone()
            } else {
                format!("{collection}?{raw}")
            },
            page,
            next: result.more.then(|| link(page + 1)),
            previous: (page > 1).then(|| link(page - 1)),
            total: result
                .total
                .map(|total| (total, total.div_ceil(page_size.max(1)))),
        };
        Ok((
            Answer::Json(StatusCode::OK, renderer.collection(members, &info)),
            HeaderMap::new(),
        ))
    }

    fn settings(&self) -> &MaximoSettings {
        &self.state.settings
    }

    fn member(&self, segment: &str, bytes: &Bytes) -> Outcome {
        let method = &self.parts.method;
        if *method == Method::POST {
            return self.member_write(segment, bytes);
        }
        if *method == Method::DELETE {
            self.refuse_read_only("DELETE")?;
            let data = self
                .state
                .data
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            find_member(&data, self.kind, segment)?;
            return Err(MaximoError::not_allowed(
                StatusCode::BAD_REQUEST,
                "DELETE",
                self.kind.def().mbo.name,
            ));
        }
        if *method != Method::GET && *method != Method::HEAD {
            return Err(method_not_allowed(method));
        }
        let os = self.kind.def();
        let data = self
            .state
            .data
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let index = find_member(&data, self.kind, segment)?;
        let record = data
            .get(self.kind, index)
            .ok_or_else(|| MaximoError::not_found(os.name, segment))?;
        let selection = self
            .params
            .get("oslc.select")
            .or_else(|| self.params.get("oslc.properties"));
        let projection = match selection {
            Some(text) => Projection::resolve(&select::parse(text)?, os),
            None => Projection::everything(os.mbo),
        };
        let body = self.renderer(&data).member(&record, Some(&projection));
        Ok((Answer::Json(StatusCode::OK, body), etag(record.rowstamp)))
    }

    fn child_collection(&self, segment: &str, child: &str) -> Outcome {
        if self.parts.method != Method::GET && self.parts.method != Method::HEAD {
            return Err(method_not_allowed(&self.parts.method));
        }
        let os = self.kind.def();
        let data = self
            .state
            .data
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let index = find_member(&data, self.kind, segment)?;
        let record = data
            .get(self.kind, index)
            .ok_or_else(|| MaximoError::not_found(os.name, segment))?;
        let name = child.strip_prefix("int_").unwrap_or(child);
        let position = os
            .mbo
            .child(name)
            .ok_or_else(|| MaximoError::not_found(os.name, &format!("{segment}/{child}")))?;
        let definition = &os.mbo.children[position];
        let renderer = self.renderer(&data);
        let everything = Projection::everything(definition.mbo);
        let members: Vec<JsonValue> = record.children[position]
            .iter()
            .map(|row| {
                let mut map = Map::new();
                for (attr, output) in &everything.attrs {
                    let value = row.get(*attr);
                    if !value.is_null() {
                        map.insert(
                            if renderer.lean {
                                output.clone()
                            } else {
                                format!("spi:{output}")
                            },
                            value.to_json(data.world.offset),
                        );
                    }
                }
                map.insert(String::from("_rowstamp"), json!(row.rowstamp.to_string()));
                JsonValue::Object(map)
            })
            .collect();
        let href = format!("{}/{child}", renderer.member_href(&record));
        let info = ResponseInfo {
            href: href.clone(),
            page: 1,
            next: None,
            previous: None,
            total: None,
        };
        let mut body = renderer.collection(members, &info);
        if let Some(map) = body.as_object_mut() {
            map.insert(
                String::from(if renderer.lean { "href" } else { "rdf:about" }),
                json!(href),
            );
        }
        Ok((Answer::Json(StatusCode::OK, body), HeaderMap::new()))
    }

    // -----------------------------------------------------------------------------------------
    // Writes

    fn collection_write(&self, bytes: &Bytes) -> Outcome {
        match self.method_override().as_deref() {
            None => {
                self.refuse_read_only("INSERT")?;
                if self.params.get("action").is_some() {
                    return Err(MaximoError::protocol(
                        StatusCode::BAD_REQUEST,
                        "oslc#action_on_collection",
                        "An action on a collection needs x-method-override: BULK.",
                    ));
                }
                let object = Self::object_body(bytes)?;
                let properties = self.properties()?;
                let (index, record) = self.transact(|data| {
                    let context = self.write_context(data);
                    let index = writes::create(data, self.kind, &context, &object)?;
                    let record = data.get(self.kind, index).ok_or_else(|| {
                        MaximoError::not_found(self.kind.def().name, &index.to_string())
                    })?;
                    Ok((index, record))
                })?;
                let _ = index;
                self.created_answer(&record, properties.as_ref())
            }
            Some("BULK") => self.bulk(bytes),
            Some("SYNC") => {
                self.refuse_read_only("SYNC")?;
                let object = Self::object_body(bytes)?;
                let properties = self.properties()?;
                let merge = self.merge();
                let (created, record) = self.transact(|data| {
                    let context = self.write_context(data);
                    let existing = writes::find_by_body_keys(data, self.kind, &context, &object)?;
                    let index = match existing {
                        Some(index) => {
                            writes::update(data, self.kind, &context, index, &object, merge)?;
                            index
                        }
                        None => writes::create(data, self.kind, &context, &object)?,
                    };
                    let record = data.get(self.kind, index).ok_or_else(|| {
                        MaximoError::not_found(self.kind.def().name, &index.to_string())
                    })?;
                    Ok((existing.is_none(), record))
                })?;
                if created {
                    self.created_answer(&record, properties.as_ref())
                } else {
                    self.updated_answer(&record, properties.as_ref())
                }
            }
            Some(other) => Err(MaximoError::protocol(
                StatusCode::BAD_REQUEST,
                "oslc#update_on_createuri",
                format!("The method override {other} is not supported on a collection URI."),
            )),
        }
    }

    fn created_answer(&self, record: &Record, properties: Option<&Projection>) -> Outcome {
        let data = self
            .state
            .data
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let renderer = self.renderer(&data);
        let href = renderer.member_href(record);
        let mut headers = etag(record.rowstamp);
        if let Ok(value) = HeaderValue::from_str(&href) {
            headers.insert(LOCATION, value);
        }
        match properties {
            Some(projection) => Ok((
                Answer::Json(
                    StatusCode::CREATED,
                    renderer.member(record, Some(projection)),
                ),
                headers,
            )),
            None => Ok((Answer::Empty(StatusCode::CREATED), headers)),
        }
    }

    fn updated_answer(&self, record: &Record, properties: Option<&Projection>) -> Outcome {
        let headers = etag(record.rowstamp);
        match properties {
            Some(projection) => {
                let data = self
                    .state
                    .data
                    .read()
                    .unwrap_or_else(PoisonError::into_inner);
                let body = self.renderer(&data).member(record, Some(projection));
                Ok((Answer::Json(StatusCode::OK, body), headers))
            }
            None => Ok((Answer::Empty(StatusCode::NO_CONTENT), headers)),
        }
    }

    /// `If-Match` against the stored rowstamp (412), and a body `_rowstamp` (400).
    fn check_concurrency(
        &self,
        record: &Record,
        segment: &str,
        body: Option<&Map<String, JsonValue>>,
    ) -> Result<(), MaximoError> {
        let object = self.kind.def().mbo.name;
        if let Some(expected) = header_text(self.parts, "if-match") {
            let expected = expected.trim();
            let matches = expected == "*"
                || expected
                    .split(',')
                    .map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"'))
                    .any(|tag| tag == record.rowstamp.to_string());
            if !matches {
                return Err(MaximoError::updated_by_another_user(
                    StatusCode::PRECONDITION_FAILED,
                    object,
                    segment,
                ));
            }
        }
        if let Some(stamp) =
            body.and_then(|b| b.get("_rowstamp").or_else(|| b.get("spi:_rowstamp")))
        {
            let text = match stamp {
                JsonValue::String(text) => text.clone(),
                other => other.to_string(),
            };
            if text.trim() != record.rowstamp.to_string() {
                return Err(MaximoError::updated_by_another_user(
                    StatusCode::BAD_REQUEST,
                    object,
                    segment,
                ));
            }
        }
        Ok(())
    }

    fn member_write(&self, segment: &str, bytes: &Bytes) -> Outcome {
        let verb = self.method_override();
        match verb.as_deref() {
            Some("PATCH") => {}
            Some("DELETE") => {
                self.refuse_read_only("DELETE")?;
                return Err(MaximoError::not_allowed(
                    StatusCode::BAD_REQUEST,
                    "DELETE",
                    self.kind.def().mbo.name,
                ));
            }
            Some(other) => {
                return Err(MaximoError::protocol(
                    StatusCode::BAD_REQUEST,
                    "oslc#create_on_updateuri",
                    format!("The method override {other} is not supported on a member URI."),
                ));
            }
            None => {
                return Err(MaximoError::protocol(
                    StatusCode::BAD_REQUEST,
                    "oslc#create_on_updateuri",
                    "A POST on a member URI needs x-method-override: PATCH.",
                ));
            }
        }
        let action = self.params.get("action").map(str::to_owned);
        let action_name = action
            .as_deref()
            .map(|a| a.strip_prefix("wsmethod:").unwrap_or(a).to_owned());
        self.refuse_read_only(
            &action_name
                .clone()
                .map_or_else(|| String::from("SAVE"), |a| a.to_ascii_uppercase()),
        )?;
        let object = if bytes.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            Self::object_body(bytes)?
        };
        let properties = self.properties()?;
        let merge = self.merge();
        let record = self.transact(|data| {
            let index = find_member(data, self.kind, segment)?;
            let current = data
                .get(self.kind, index)
                .ok_or_else(|| MaximoError::not_found(self.kind.def().name, segment))?;
            self.check_concurrency(&current, segment, action.is_none().then_some(&object))?;
            let context = self.write_context(data);
            self.apply_member(data, &context, index, action.as_deref(), &object, merge)?;
            data.get(self.kind, index)
                .ok_or_else(|| MaximoError::not_found(self.kind.def().name, segment))
        })?;
        self.updated_answer(&record, properties.as_ref())
    }

    /// An update or an action on the member at `index`.
    fn apply_member(
        &self,
        data: &mut MaximoData,
        context: &WriteContext,
        index: u64,
        action: Option<&str>,
        object: &Map<String, JsonValue>,
        merge: bool,
    ) -> Result<(), MaximoError> {
        let Some(action) = action else {
            return writes::update(data, self.kind, context, index, object, merge);
        };
        let method = action.strip_prefix("wsmethod:").unwrap_or(action);
        match (self.kind, method.to_ascii_lowercase().as_str()) {
            (OsKind::WorkOrders, "changestatus") => {
                writes::change_status(data, context, index, object)
            }
            (OsKind::PurchaseOrders, "changestatus") => {
                writes::change_po_status(data, context, index, object)
            }
            (OsKind::Assets, "changestatus") => {
                writes::change_asset_status(data, context, index, object)
            }
            (OsKind::Inventory, "adjustcurrentbalance") => {
                writes::adjust_current_balance(data, index, object)
            }
            _ => Err(MaximoError::not_allowed(
                StatusCode::BAD_REQUEST,
                action,
                self.kind.def().mbo.name,
            )),
        }
    }

    /// `x-method-override: BULK`: an array of items, each answered in place with its
    /// `_responsemeta` (and `_responsedata` on failure or with `properties`); committed per
    /// item unless `allornothing: 1`.
    fn bulk(&self, bytes: &Bytes) -> Outcome {
        self.refuse_read_only("BULK")?;
        let JsonValue::Array(items) = Self::json_body(bytes)? else {
            return Err(MaximoError::protocol(
                StatusCode::BAD_REQUEST,
                "oslc#invalid_json",
                "A BULK request body must be a JSON array.",
            ));
        };
        let properties = self.properties()?;
        let all_or_nothing =
            header_text(self.parts, "allornothing").is_some_and(|v| v.trim() == "1");
        let action = self.params.get("action").map(str::to_owned);
        let merge = self.merge();
        let answers = self.transact(|data| {
            let checkpoint = all_or_nothing.then(|| data.checkpoint());
            let mut answers = Vec::with_capacity(items.len());
            let mut failure: Option<MaximoError> = None;
            for item in &items {
                let result = self.bulk_item(data, item, action.as_deref(), merge);
                match result {
                    Ok((status, index)) => {
                        let record = data.get(self.kind, index);
                        let mut meta = Map::new();
                        meta.insert(String::from("status"), json!(status.as_u16().to_string()));
                        let mut answer = Map::new();
                        if let Some(record) = &record {
                            let renderer = self.renderer(data);
                            if status == StatusCode::CREATED {
                                meta.insert(
                                    String::from("Location"),
                                    json!(renderer.member_href(record)),
                                );
                            }
                            if let Some(projection) = &properties {
                                answer.insert(
                                    String::from("_responsedata"),
                                    renderer.member(record, Some(projection)),
                                );
                            }
                        }
                        answer.insert(String::from("_responsemeta"), JsonValue::Object(meta));
                        answers.push(JsonValue::Object(answer));
                    }
                    Err(error) => {
                        answers.push(json!({
                            "_responsedata": error.body(self.params.lean()),
                            "_responsemeta": { "status": error.status.as_u16().to_string() },
                        }));
                        if failure.is_none() {
                            failure = Some(error);
                        }
                    }
                }
            }
            if let (Some(checkpoint), Some(error)) = (checkpoint, failure) {
                data.restore(checkpoint);
                return Err(error);
            }
            Ok(answers)
        })?;
        Ok((
            Answer::Json(StatusCode::OK, JsonValue::Array(answers)),
            HeaderMap::new(),
        ))
    }

    fn bulk_item(
        &self,
        data: &mut MaximoData,
        item: &JsonValue,
        action: Option<&str>,
        merge: bool,
    ) -> Result<(StatusCode, u64), MaximoError> {
        let JsonValue::Object(object) = item else {
            return Err(MaximoError::protocol(
                StatusCode::BAD_REQUEST,
                "oslc#invalid_json",
                "Every BULK item must be a JSON object.",
            ));
        };
        let href = object.get("href").and_then(JsonValue::as_str);
        let context = self.write_context(data);
        if let Some(action) = action {
            let href =
                href.ok_or_else(|| MaximoError::required("href", self.kind.def().mbo.name))?;
            let segment = member_of_href(href);
            let index = find_member(data, self.kind, segment)?;
            self.apply_member(data, &context, index, Some(action), object, merge)?;
            return Ok((StatusCode::NO_CONTENT, index));
        }
        let verb = object
            .get("_action")
            .and_then(JsonValue::as_str)
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| String::from(if href.is_some() { "update" } else { "add" }));
        match (verb.as_str(), href) {
            ("add" | "create", _) => {
                let index = writes::create(data, self.kind, &context, object)?;
                Ok((StatusCode::CREATED, index))
            }
            ("update" | "addchange" | "replace", Some(href)) => {
                let segment = member_of_href(href);
                let index = find_member(data, self.kind, segment)?;
                if let Some(current) = data.get(self.kind, index) {
                    self.check_concurrency(&current, segment, Some(object))?;
                }
                writes::update(data, self.kind, &context, index, object, merge)?;
                Ok((StatusCode::NO_CONTENT, index))
            }
            ("delete", Some(href)) => {
                find_member(data, self.kind, member_of_href(href))?;
                Err(MaximoError::not_allowed(
                    StatusCode::BAD_REQUEST,
                    "DELETE",
                    self.kind.def().mbo.name,
                ))
            }
            (_, None) => Err(MaximoError::required("href", self.kind.def().mbo.name)),
            (other, Some(_)) => Err(MaximoError::protocol(
                StatusCode::BAD_REQUEST,
                "oslc#invalid_action",
                format!("The _action {other} is not supported."),
            )),
        }
    }
}

fn method_not_allowed(method: &Method) -> MaximoError {
    MaximoError::protocol(
        StatusCode::METHOD_NOT_ALLOWED,
        "oslc#method_not_allowed",
        format!("The HTTP method {method} is not supported; use POST with x-method-override."),
    )
}
