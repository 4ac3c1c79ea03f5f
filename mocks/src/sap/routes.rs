//! The HTTP face of the SAP emulator: `/sap/opu/odata/sap/<SERVICE>/…` and the OAuth token
//! endpoint.
//!
//! One handler serves every OData request, in the order SAP's stack does it: logon (401), then
//! the service (404 `/IWFND/MED/170`), CSRF (403 `Required`), authorisation (403), query
//! options and resource path (400/404), and finally the read or write. Every refusal after
//! logon is SAP's v2 error envelope; nothing a client sends can make it panic or answer 500.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, HOST, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

use super::auth::{Principal, SapAuth, csrf_headers, csrf_required, unauthorized};
use super::odata::batch;
use super::odata::body::parse_body;
use super::odata::edm::{EntitySet, Multiplicity, ServiceDef};
use super::odata::engine::{PageRequest, Row, RowSource, RowsInKeyOrder, SortPlan, count, execute};
use super::odata::error::{ErrorContext, ODataError};
use super::odata::etag::{self, EtagConfig, check_if_match};
use super::odata::eval::{StoredForm, compare_for_sort, compile_filter, literal_for_property};
use super::odata::function::{
    FunctionImport, FunctionResult, ReturnType, complex_result_json, parse_arguments,
};
use super::odata::json::Json;
use super::odata::metadata::{MetadataExtras, render_metadata_with};
use super::odata::payload::{
    Entity, Expanded, PayloadContext, Shape, collection_json, entity_json, service_document, wrap_d,
};
use super::odata::query::{FormatRequest, QueryOptions, decode_component};
use super::odata::uri::{KeyPart, Segment, parse_resource_path};
use super::odata::value::{Ticks, Value};
use super::service::{ODataService, ParentRef, ServiceReader, WriteContext};
use crate::server::Core;

/// Where OData v2 services live.
pub(crate) const SERVICE_PREFIX: &str = "/sap/opu/odata/sap/";
/// Request bodies larger than this are refused (413).
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Shared state of the SAP emulator's routes.
pub(crate) struct SapState {
    pub(crate) core: Arc<Core>,
    pub(crate) auth: Arc<SapAuth>,
    pub(crate) services: Vec<Arc<dyn ODataService>>,
    transactions: AtomicU64,
    /// Entity sets the profile gave an ETag.
    pub(crate) etags: EtagConfig,
    /// Held from an `If-Match` check to the end of the write it guards, so no other write can
    /// slip in between and make the check stale.
    write_gate: Mutex<()>,
    /// `$batch` changesets hold it exclusively from checkpoint to commit or rollback; every
    /// other write holds it shared, so none can slip into a changeset that may be undone.
    changesets: RwLock<()>,
}

impl SapState {
    pub(crate) fn new(
        core: Arc<Core>,
        auth: Arc<SapAuth>,
        services: Vec<Arc<dyn ODataService>>,
    ) -> Self {
        SapState {
            core,
            auth,
            services,
            transactions: AtomicU64::new(0),
            etags: EtagConfig::default(),
            write_gate: Mutex::new(()),
            changesets: RwLock::new(()),
        }
    }

    /// Gives the entity sets of `etags` an ETag (see [`EtagConfig::resolve`]).
    pub(crate) fn with_etags(mut self, etags: EtagConfig) -> Self {
        self.etags = etags;
        self
    }

    /// A 32-hex-digit transaction id, deterministic for a seed and request order.
    fn transaction_id(&self) -> String {
        let count = self.transactions.fetch_add(1, Ordering::Relaxed);
        let mut hasher = Sha256::new();
        hasher.update(b"millwright/sap/transaction");
        hasher.update(self.core.seed.to_le_bytes());
        hasher.update(count.to_le_bytes());
        hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    fn error_context<'a>(
        &self,
        service_id: &'a str,
        service_version: &'a str,
        component_id: &'a str,
    ) -> ErrorContext<'a> {
        ErrorContext {
            service_id,
            service_version,
            component_id,
            transaction_id: self.transaction_id(),
            timestamp: self
                .core
                .clock
                .now()
                .format("%Y%m%d%H%M%S.0000000")
                .to_string(),
        }
    }
}

/// Entry point for every request under [`SERVICE_PREFIX`].
pub(crate) async fn odata(State(state): State<Arc<SapState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        let context = state.error_context("", "0001", "");
        return ODataError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "/IWCOR/CX_OD_BAD_REQUEST",
            "The request body is too large",
        )
        .into_response(&context);
    };
    if parts.method == Method::HEAD {
        let mut response = handle(&state, &parts, &bytes, &Method::GET);
        *response.body_mut() = Body::empty();
        return response;
    }
    handle(&state, &parts, &bytes, &parts.method)
}

/// `POST /sap/bc/sec/oauth2/token`.
pub(crate) async fn token(State(state): State<Arc<SapState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
    }
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request too large").into_response();
    };
    state
        .auth
        .token_response(&parts.headers, &bytes, state.core.clock.now())
}

/// A fault plan's refusal in SAP Gateway's envelope, stamped with the service the path names
/// (none for paths outside a service). SAP publishes no body for throttling or outages, so the
/// code is the framework's exception class: technical for 5xx, business for 4xx.
pub(crate) fn fault_response(
    state: &SapState,
    uri: &axum::http::Uri,
    status: StatusCode,
    message: &str,
) -> Response {
    let rest = uri.path().strip_prefix(SERVICE_PREFIX).unwrap_or_default();
    let raw_service = rest.split('/').next().unwrap_or_default();
    let decoded = decode_component(raw_service).unwrap_or_default();
    let name = decoded.split(';').next().unwrap_or_default();
    let version = service_version(&decoded);
    let definition = state.services.iter().map(|s| s.definition()).find(|d| {
        d.name.eq_ignore_ascii_case(name)
            && service_version(&format!(";v={}", d.version)) == version
    });
    let context = match definition {
        Some(d) => state.error_context(d.name, d.version, d.component_id),
        None => state.error_context("", "0001", ""),
    };
    let code = if status.is_server_error() {
        "/IWBEP/CX_MGW_TECH_EXCEPTION"
    } else {
        "/IWBEP/CX_MGW_BUSI_EXCEPTION"
    };
    ODataError::new(status, code, message).into_response(&context)
}

/// Anything outside the known ICF nodes: the ICF's plain 404 page.
pub(crate) async fn not_found() -> Response {
    let mut response = (
        StatusCode::NOT_FOUND,
        "<html><head><title>Service cannot be reached</title></head><body><h1>404 Not Found</h1>\
         <p>Service cannot be reached. The requested ICF node does not exist.</p></body></html>",
    )
        .into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn is_modifying(method: &Method) -> bool {
    matches!(
        method.as_str(),
        "POST" | "PUT" | "PATCH" | "MERGE" | "DELETE"
    )
}

fn handle(state: &SapState, parts: &Parts, body: &Bytes, method: &Method) -> Response {
    let now = state.core.clock.now();
    let principal = match state.auth.authenticate(&parts.headers, now) {
        Ok(principal) => principal,
        Err(failure) => return unauthorized(failure),
    };
    let raw_query = parts.uri.query();
    if let Some(client) = custom_option(raw_query, "sap-client")
        && client != super::auth::CLIENT
    {
        // There is no client other than 100 to log on to.
        return unauthorized(super::auth::AuthFailure::Logon);
    }

    let path = parts.uri.path();
    let rest = path.strip_prefix(SERVICE_PREFIX).unwrap_or_default();
    let (raw_service, resource) = rest.split_once('/').unwrap_or((rest, ""));
    let decoded_service = decode_component(raw_service).unwrap_or_default();
    let service_name = decoded_service
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    // `API_MAINTENANCEORDER;v=0002`: without `;v=` a request means version 1, which is a
    // different service (the read-only v1 API) that this system does not activate.
    let requested_version = service_version(&decoded_service);
    let Some(service) = state.services.iter().find(|service| {
        let definition = service.definition();
        definition.name.eq_ignore_ascii_case(&service_name)
            && service_version(&format!(";v={}", definition.version)) == requested_version
    }) else {
        let version = requested_version.map_or_else(|| String::from("????"), |v| format!("{v:04}"));
        let context = state.error_context(&service_name, &version, "");
        return ODataError::new(
            StatusCode::NOT_FOUND,
            "/IWFND/MED/170",
            format!(
                "No service found for namespace '/SAP/', name '{service_name}', version '{version}'"
            ),
        )
        .into_response(&context);
    };
    let definition = service.definition();
    let context = state.error_context(definition.name, definition.version, definition.component_id);

    // `X-HTTP-Method` tunnels MERGE and friends through POST.
    let mut method = method.clone();
    if method == Method::POST
        && let Some(tunnel) = parts
            .headers
            .get("x-http-method")
            .and_then(|v| v.to_str().ok())
        && let Ok(tunnelled) = Method::from_bytes(tunnel.trim().to_ascii_uppercase().as_bytes())
        && is_modifying(&tunnelled)
    {
        method = tunnelled;
    }

    let mut grant_headers = HeaderMap::new();
    if method == Method::GET {
        let fetch = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("fetch"));
        if fetch {
            let grant = state.auth.fetch_csrf(&parts.headers, &principal, now);
            csrf_headers(&grant, &mut grant_headers);
        }
    } else if is_modifying(&method) {
        if !state.auth.check_csrf(&parts.headers, &principal, now) {
            return csrf_required();
        }
        // A batch is a POST, but a display user may read through one; its writes are refused
        // one by one when they run.
        if principal.read_only && !is_batch_path(resource) {
            return ODataError::forbidden(
                "/IWBEP/CX_MGW_BUSI_EXCEPTION",
                format!(
                    "User {} is not authorized to change purchasing documents (authorization object M_BEST_EKO)",
                    principal.user
                ),
            )
            .into_response(&context);
        }
    } else {
        return ODataError::method_not_allowed(format!("Method {method} is not supported"))
            .into_response(&context);
    }

    let request = RequestContext {
        state,
        service: service.as_ref(),
        definition,
        principal: &principal,
        headers: &parts.headers,
        service_root: service_root(state, &parts.headers, definition),
        resource: resource.trim_end_matches('/'),
        now: Ticks::from_datetime(now),
    };
    // Writes outside a `$batch` wait for a running changeset; operations of a batch are
    // covered by their changeset, and the batch request itself takes no part.
    let _shared = (is_modifying(&method)
        && parts.extensions.get::<BatchOperation>().is_none()
        && !is_batch_path(resource))
    .then(|| {
        state
            .changesets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    });
    let result = QueryOptions::parse(raw_query).and_then(|options| {
        let segments = parse_resource_path(resource)?;
        if method == Method::GET {
            request.read(&segments, &options)
        } else {
            request.write(&method, &segments, &options, body)
        }
    });
    let mut response = match result {
        Ok(response) => response,
        Err(error) => error.into_response(&context),
    };
    for (name, value) in &grant_headers {
        response.headers_mut().append(name, value.clone());
    }
    response
}

/// The value of a non-`$` query option such as `sap-client`.
fn custom_option(raw_query: Option<&str>, name: &str) -> Option<String> {
    raw_query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| decode_component(value).ok())
}

/// The service version a path segment asks for: `;v=0002` (or `;v=2`) is 2, none is 1; a
/// malformed version is `None` and matches no service.
fn service_version(segment: &str) -> Option<u32> {
    let mut version = Some(1);
    for parameter in segment.split(';').skip(1) {
        if let Some(value) = parameter.strip_prefix("v=") {
            version = value
                .parse::<u32>()
                .ok()
                .filter(|_| !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()));
        }
    }
    version
}

/// `http://<Host>/sap/opu/odata/sap/<SERVICE>[;v=NNNN]/`: SAP builds absolute URIs from the
/// Host header, with the version segment of versioned services.
fn service_root(state: &SapState, headers: &HeaderMap, definition: &ServiceDef) -> String {
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|host| !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()))
        .map(|host| format!("http://{host}"))
        .unwrap_or_else(|| state.core.base_url.clone());
    if service_version(&format!(";v={}", definition.version)) == Some(1) {
        format!("{host}{SERVICE_PREFIX}{}/", definition.name)
    } else {
        format!(
            "{host}{SERVICE_PREFIX}{};v={}/",
            definition.name, definition.version
        )
    }
}

fn json_response(status: StatusCode, json: &Json) -> Response {
    let mut response = (status, json.render()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert("dataserviceversion", HeaderValue::from_static("2.0"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    response
}

fn text_response(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert("dataserviceversion", HeaderValue::from_static("2.0"));
    response
}

fn no_content() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert("dataserviceversion", HeaderValue::from_static("2.0"));
    response
}

/// The `ETag` header of a single entity, when its set has one.
fn set_etag_header(response: &mut Response, etag: Option<String>) {
    if let Some(value) = etag.and_then(|etag| HeaderValue::from_str(&etag).ok()) {
        response.headers_mut().insert(header::ETAG, value);
    }
}

/// Refuses requests that accept only formats this emulator does not write (Atom/XML).
fn negotiate_json(headers: &HeaderMap, format: Option<FormatRequest>) -> Result<(), ODataError> {
    let refusal = || {
        ODataError::not_acceptable(
            "This service answers in JSON only; send Accept: application/json or $format=json",
        )
    };
    match format {
        Some(FormatRequest::Json) => return Ok(()),
        Some(FormatRequest::Xml) => return Err(refusal()),
        None => {}
    }
    let ranges: Vec<String> = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(|range| {
            range
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|range| !range.is_empty())
        .collect();
    if ranges.is_empty()
        || ranges
            .iter()
            .any(|range| matches!(range.as_str(), "application/json" | "*/*" | "application/*"))
    {
        Ok(())
    } else {
        Err(refusal())
    }
}

/// What a resource path names, resolved against the data.
enum Target {
    Collection {
        set: &'static EntitySet,
        /// Navigation results; `None` for a whole entity set.
        rows: Option<Vec<Row>>,
        parent: Option<ParentRef>,
    },
    Entity {
        set: &'static EntitySet,
        row: Row,
    },
    Property {
        set: &'static EntitySet,
        row: Row,
        index: usize,
        raw: bool,
    },
    Count {
        set: &'static EntitySet,
        rows: Option<Vec<Row>>,
    },
}

struct RequestContext<'a> {
    state: &'a SapState,
    service: &'a dyn ODataService,
    definition: &'static ServiceDef,
    principal: &'a Principal,
    headers: &'a HeaderMap,
    service_root: String,
    resource: &'a str,
    now: Ticks,
}

/// Converts a key predicate into key values in key order.
fn key_values(set: &EntitySet, parts: &[KeyPart]) -> Result<Vec<Value>, ODataError> {
    let entity_type = set.entity_type;
    let invalid = || {
        ODataError::bad_request(format!(
            "Invalid key predicate for entity set '{}'",
            set.name
        ))
    };
    let mut values = Vec::with_capacity(entity_type.keys.len());
    if let [KeyPart { name: None, value }] = parts {
        let [key] = entity_type.keys else {
            return Err(invalid());
        };
        let property = entity_type.property(key).ok_or_else(invalid)?;
        values.push(literal_for_property(value, property.edm).ok_or_else(invalid)?);
        return Ok(values);
    }
    if parts.len() != entity_type.keys.len() {
        return Err(invalid());
    }
    for key in entity_type.keys {
        let part = parts
            .iter()
            .find(|part| part.name.as_deref() == Some(*key))
            .ok_or_else(invalid)?;
        let property = entity_type.property(key).ok_or_else(invalid)?;
        values.push(literal_for_property(&part.value, property.edm).ok_or_else(invalid)?);
    }
    Ok(values)
}

fn row_key(set: &EntitySet, row: &[Value]) -> Vec<Value> {
    set.entity_type
        .key_indices()
        .into_iter()
        .map(|index| row.get(index).cloned().unwrap_or(Value::Null))
        .collect()
}

fn same_key(set: &EntitySet, left: &[Value], right: &[Value]) -> bool {
    let forms: Vec<Option<StoredForm>> = set
        .entity_type
        .key_indices()
        .into_iter()
        .map(|index| StoredForm::of(&set.entity_type.properties[index]))
        .collect();
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .zip(forms)
            .all(|((a, b), form)| compare_for_sort(a, b, form) == std::cmp::Ordering::Equal)
}

fn resolve(
    reader: &dyn ServiceReader,
    definition: &'static ServiceDef,
    segments: &[Segment],
) -> Result<Target, ODataError> {
    let Some((first, rest)) = segments.split_first() else {
        return Err(ODataError::resource_not_found(""));
    };
    let Segment::Named { name, keys } = first else {
        return Err(ODataError::resource_not_found(&first.label()));
    };
    let Some(set) = definition.entity_set(name) else {
        return Err(ODataError::resource_not_found(name));
    };
    let mut target = match keys {
        Some(parts) => {
            let key = key_values(set, parts)?;
            let row = reader
                .get(set, &key)
                .ok_or_else(|| ODataError::resource_not_found(set.entity_type.name))?;
            Target::Entity { set, row }
        }
        None => Target::Collection {
            set,
            rows: None,
            parent: None,
        },
    };
    for segment in rest {
        target = match (target, segment) {
            (Target::Collection { set, rows, .. }, Segment::Count) => Target::Count { set, rows },
            (Target::Entity { set, row }, Segment::Named { name, keys }) => {
                if let Some(navigation) = set.entity_type.navigation(name) {
                    let target_set = definition
                        .entity_set(navigation.target_set)
                        .ok_or_else(|| ODataError::resource_not_found(name))?;
                    let rows = reader.navigate(set, &row, navigation);
                    match (navigation.multiplicity, keys) {
                        (Multiplicity::Many, None) => Target::Collection {
                            set: target_set,
                            rows: Some(rows),
                            parent: Some(ParentRef {
                                set,
                                key: row_key(set, &row),
                                navigation,
                            }),
                        },
                        (Multiplicity::Many, Some(parts)) => {
                            let key = key_values(target_set, parts)?;
                            let row = rows
                                .into_iter()
                                .find(|candidate| {
                                    same_key(target_set, &row_key(target_set, candidate), &key)
                                })
                                .ok_or_else(|| {
                                    ODataError::resource_not_found(target_set.entity_type.name)
                                })?;
                            Target::Entity {
                                set: target_set,
                                row,
                            }
                        }
                        (Multiplicity::One, None) => {
                            let row = rows.into_iter().next().ok_or_else(|| {
                                ODataError::resource_not_found(target_set.entity_type.name)
                            })?;
                            Target::Entity {
                                set: target_set,
                                row,
                            }
                        }
                        (Multiplicity::One, Some(_)) => {
                            return Err(ODataError::resource_not_found(name));
                        }
                    }
                } else if let (Some(index), None) = (set.entity_type.property_index(name), keys) {
                    Target::Property {
                        set,
                        row,
                        index,
                        raw: false,
                    }
                } else {
                    return Err(ODataError::resource_not_found(name));
                }
            }
            (
                Target::Property {
                    set,
                    row,
                    index,
                    raw: false,
                },
                Segment::Value,
            ) => Target::Property {
                set,
                row,
                index,
                raw: true,
            },
            (_, segment) => return Err(ODataError::resource_not_found(&segment.label())),
        };
    }
    Ok(target)
}

/// Builds an entity with the navigation targets its shape expands.
fn expand(reader: &dyn ServiceReader, shape: &Shape, row: Row) -> Entity {
    let mut expanded = Vec::new();
    for (navigation, child) in &shape.expanded {
        let rows = reader.navigate(shape.set, &row, navigation);
        let value = match navigation.multiplicity {
            Multiplicity::Many => {
                Expanded::Many(rows.into_iter().map(|r| expand(reader, child, r)).collect())
            }
            Multiplicity::One => Expanded::One(
                rows.into_iter()
                    .next()
                    .map(|r| Box::new(expand(reader, child, r))),
            ),
        };
        expanded.push((navigation.name, value));
    }
    Entity { row, expanded }
}

impl RequestContext<'_> {
    fn payload_context(&self) -> PayloadContext<'_> {
        PayloadContext {
            service_root: &self.service_root,
            namespace: self.service.namespace(),
            etags: &self.state.etags,
        }
    }

    fn read(&self, segments: &[Segment], options: &QueryOptions) -> Result<Response, ODataError> {
        match segments {
            [] => {
                options.only_allow(&["$format"])?;
                negotiate_json(self.headers, options.format)?;
                return Ok(json_response(
                    StatusCode::OK,
                    &service_document(self.definition),
                ));
            }
            [Segment::Metadata] => {
                options.only_allow(&[])?;
                let extras = MetadataExtras {
                    namespace: self.service.namespace(),
                    etags: &self.state.etags,
                    function_imports: self.service.function_imports(),
                };
                let xml = render_metadata_with(self.definition, &extras, &self.service_root);
                let mut response = (StatusCode::OK, xml).into_response();
                let headers = response.headers_mut();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
                headers.insert("dataserviceversion", HeaderValue::from_static("2.0"));
                return Ok(response);
            }
            [Segment::Batch] => {
                return Err(ODataError::method_not_allowed("$batch requires POST"));
            }
            _ => {}
        }
        if let Some(function) = self.function_import(segments) {
            return self.call_function(&Method::GET, function, options);
        }
        let mut result: Option<Result<Response, ODataError>> = None;
        self.service.read(&mut |reader| {
            result = Some(self.read_with(reader, segments, options));
        });
        result.unwrap_or_else(|| Err(ODataError::resource_not_found(self.resource)))
    }

    fn read_with(
        &self,
        reader: &dyn ServiceReader,
        segments: &[Segment],
        options: &QueryOptions,
    ) -> Result<Response, ODataError> {
        let target = resolve(reader, self.definition, segments)?;
        let context = self.payload_context();
        match target {
            Target::Collection { set, rows, .. } => {
                negotiate_json(self.headers, options.format)?;
                let filter = options
                    .filter
                    .as_ref()
                    .map(|expr| compile_filter(expr, set.entity_type))
                    .transpose()?;
                let shape = Shape::build(
                    self.definition,
                    set,
                    options.select.as_deref(),
                    &options.expand,
                )?;
                let source: Box<dyn RowSource + '_> = match rows {
                    Some(rows) => Box::new(RowsInKeyOrder::new(set.entity_type, rows)),
                    None => reader.source(set),
                };
                let plan = SortPlan::new(set.entity_type, &options.orderby, source.as_ref())?;
                let page_size =
                    usize::try_from(self.state.core.profile.sap.page_size).unwrap_or(usize::MAX);
                let page = execute(
                    source.as_ref(),
                    &PageRequest {
                        filter: filter.as_ref(),
                        filter_text: options
                            .filter
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        plan: &plan,
                        skip: options.skip.unwrap_or(0),
                        top: options.top,
                        page_size,
                        inline_count: options.inline_count,
                        skiptoken: options.skiptoken.as_deref(),
                    },
                )?;
                let entities: Vec<Entity> = page
                    .rows
                    .into_iter()
                    .map(|row| expand(reader, &shape, row))
                    .collect();
                let next = page.next_token.map(|token| {
                    format!(
                        "{}{}?{}",
                        self.service_root,
                        self.resource,
                        options.next_query(&token)
                    )
                });
                Ok(json_response(
                    StatusCode::OK,
                    &collection_json(&context, &shape, &entities, page.count, next),
                ))
            }
            Target::Entity { set, row } => {
                options.only_allow(&["$select", "$expand", "$format"])?;
                negotiate_json(self.headers, options.format)?;
                let shape = Shape::build(
                    self.definition,
                    set,
                    options.select.as_deref(),
                    &options.expand,
                )?;
                let etag = self.state.etags.etag(set, &row);
                let entity = expand(reader, &shape, row);
                let mut response = json_response(
                    StatusCode::OK,
                    &wrap_d(entity_json(&context, &shape, &entity)),
                );
                set_etag_header(&mut response, etag);
                Ok(response)
            }
            Target::Property {
                set,
                row,
                index,
                raw,
            } => {
                let property = &set.entity_type.properties[index];
                let value = row.get(index).cloned().unwrap_or(Value::Null);
                if raw {
                    options.only_allow(&[])?;
                    return Ok(text_response(value.to_plain_text()));
                }
                options.only_allow(&["$format"])?;
                negotiate_json(self.headers, options.format)?;
                let mut inner = Json::object();
                inner.push(property.name, value.to_json(property.edm));
                Ok(json_response(StatusCode::OK, &wrap_d(inner)))
            }
            Target::Count { set, rows } => {
                options.only_allow(&["$filter", "$top", "$skip", "$orderby", "$format"])?;
                let filter = options
                    .filter
                    .as_ref()
                    .map(|expr| compile_filter(expr, set.entity_type))
                    .transpose()?;
                let source: Box<dyn RowSource + '_> = match rows {
                    Some(rows) => Box::new(RowsInKeyOrder::new(set.entity_type, rows)),
                    None => reader.source(set),
                };
                let total = count(
                    source.as_ref(),
                    filter.as_ref(),
                    options.skip.unwrap_or(0),
                    options.top,
                );
                Ok(text_response(total.to_string()))
            }
        }
    }

    fn write(
        &self,
        method: &Method,
        segments: &[Segment],
        options: &QueryOptions,
        body: &Bytes,
    ) -> Result<Response, ODataError> {
        // SAP refuses system query options (even $format) on modifying requests.
        options.only_allow(&[])?;
        if let Some(function) = self.function_import(segments) {
            return self.call_function(method, function, options);
        }
        if matches!(segments, [Segment::Batch]) {
            return self.batch(body);
        }
        let mut resolved: Option<Result<Target, ODataError>> = None;
        self.service.read(&mut |reader| {
            resolved = Some(resolve(reader, self.definition, segments));
        });
        let target =
            resolved.unwrap_or_else(|| Err(ODataError::resource_not_found(self.resource)))?;
        let context = WriteContext {
            user: self.principal.user.to_ascii_uppercase(),
            now: self.now,
        };
        match (method.as_str(), target) {
            ("POST", Target::Collection { set, parent, .. }) => {
                self.check_content_type()?;
                let through_parent = parent
                    .as_ref()
                    .is_some_and(|parent| self.service.creatable_through(parent.navigation));
                if !set.creatable && !through_parent {
                    return Err(ODataError::method_not_allowed(format!(
                        "Entity set '{}' is not creatable",
                        set.name
                    )));
                }
                let payload = parse_body(self.definition, set.entity_type, body, parent.is_none())?;
                let deep_paths = payload.navigation_paths();
                let created = self.service.create(&context, set, parent, payload)?;
                let (expand_paths, entity) =
                    self.created_entity(created.set, created.row, created.children, deep_paths);
                let shape = Shape::build(self.definition, created.set, None, &expand_paths)?;
                let payload_context = self.payload_context();
                let location = payload_context.entity_uri(created.set, &entity.row);
                let mut response = json_response(
                    StatusCode::CREATED,
                    &wrap_d(entity_json(&payload_context, &shape, &entity)),
                );
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(LOCATION, value);
                }
                set_etag_header(
                    &mut response,
                    self.state.etags.etag(created.set, &entity.row),
                );
                if let Some((code, message)) = created.message {
                    let header_json = serde_json::json!({
                        "code": code, "message": message, "target": "", "severity": "success",
                        "transition": false, "details": [],
                    });
                    if let Ok(value) = HeaderValue::from_str(&header_json.to_string()) {
                        response.headers_mut().insert("sap-message", value);
                    }
                }
                Ok(response)
            }
            ("PATCH" | "MERGE" | "PUT", Target::Entity { set, row }) => {
                self.check_content_type()?;
                if !set.updatable {
                    return Err(ODataError::method_not_allowed(format!(
                        "Entity set '{}' is not updatable",
                        set.name
                    )));
                }
                let payload = parse_body(self.definition, set.entity_type, body, false)?;
                let _gate = self.precondition(set, &row, false)?;
                let key = row_key(set, &row);
                self.service.update(&context, set, &key, payload)?;
                let mut response = no_content();
                set_etag_header(&mut response, self.current_etag(set, &key));
                Ok(response)
            }
            ("DELETE", Target::Entity { set, row }) => {
                if !set.deletable {
                    return Err(ODataError::method_not_allowed(format!(
                        "Entity set '{}' is not deletable",
                        set.name
                    )));
                }
                let _gate = self.precondition(set, &row, false)?;
                self.service.delete(&context, set, &row_key(set, &row))?;
                Ok(no_content())
            }
            (method, _) => Err(ODataError::method_not_allowed(format!(
                "Method {method} is not allowed on this resource"
            ))),
        }
    }

    /// The created entity with what the deep insert created, read back through the service
    /// so nested levels (items with schedule lines, a partner's supplier with its purchasing
    /// data) come out as the service serves them; the service's own children otherwise.
    fn created_entity(
        &self,
        set: &'static EntitySet,
        row: Row,
        children: Vec<(&'static super::odata::edm::Navigation, Vec<Row>)>,
        deep_paths: Vec<Vec<String>>,
    ) -> (Vec<Vec<String>>, Entity) {
        let mut paths: Vec<Vec<String>> = children
            .iter()
            .map(|(navigation, _)| vec![navigation.name.to_owned()])
            .collect();
        for path in deep_paths {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        let key = row_key(set, &row);
        let mut reread: Option<Entity> = None;
        if let Ok(shape) = Shape::build(self.definition, set, None, &paths) {
            self.service.read(&mut |reader| {
                reread = reader.get(set, &key).map(|row| expand(reader, &shape, row));
            });
        }
        if let Some(entity) = reread {
            return (paths, entity);
        }
        let mut entity = Entity {
            row,
            expanded: Vec::new(),
        };
        let paths = children
            .iter()
            .map(|(navigation, _)| vec![navigation.name.to_owned()])
            .collect();
        for (navigation, rows) in children {
            entity.expanded.push((
                navigation.name,
                Expanded::Many(
                    rows.into_iter()
                        .map(|row| Entity {
                            row,
                            expanded: Vec::new(),
                        })
                        .collect(),
                ),
            ));
        }
        (paths, entity)
    }

    /// `POST $batch`: parses the multipart body and runs its parts through [`handle`] with the
    /// batch's own headers (logon, session, CSRF token), each part as if sent alone.
    fn batch(&self, body: &Bytes) -> Result<Response, ODataError> {
        let content_type = self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let parts = batch::parse(content_type, body)?;
        let root_path = self
            .service_root
            .find(SERVICE_PREFIX)
            .map_or_else(String::new, |at| self.service_root[at..].to_owned());
        let mut executor = BatchExecutor {
            request: self,
            root_path,
            exclusive: None,
            checkpoint: None,
        };
        let id = self.state.transaction_id();
        let (content_type, body) = batch::execute(parts, &mut executor, &id[..16]);
        let mut response = (StatusCode::ACCEPTED, body).into_response();
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        response
            .headers_mut()
            .insert("dataserviceversion", HeaderValue::from_static("2.0"));
        Ok(response)
    }

    /// Bodies must be JSON; Atom/XML payloads are refused with 415.
    fn check_content_type(&self) -> Result<(), ODataError> {
        let Some(value) = self.headers.get(CONTENT_TYPE) else {
            return Ok(());
        };
        let media = value
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if media == "application/json" || media.is_empty() {
            Ok(())
        } else {
            Err(ODataError::unsupported_media_type(format!(
                "Content type '{media}' is not supported; send application/json"
            )))
        }
    }

    /// The function import a path names: one segment, no key predicate, not an entity set.
    fn function_import(&self, segments: &[Segment]) -> Option<&'static FunctionImport> {
        let [Segment::Named { name, keys: None }] = segments else {
            return None;
        };
        if self.definition.entity_set(name).is_some() {
            return None;
        }
        self.service
            .function_imports()
            .iter()
            .find(|function| function.name == name)
    }

    /// Calls a function import: method, parameters, the precondition of the entity it acts on
    /// (bound actions need `If-Match` where the entity has an ETag), then the service.
    fn call_function(
        &self,
        method: &Method,
        function: &'static FunctionImport,
        options: &QueryOptions,
    ) -> Result<Response, ODataError> {
        if !function.http_method.eq_ignore_ascii_case(method.as_str()) {
            return Err(ODataError::method_not_allowed(format!(
                "Function import '{}' must be called with HTTP method {}",
                function.name, function.http_method
            )));
        }
        if method == Method::GET {
            options.only_allow(&["$format"])?;
        }
        negotiate_json(self.headers, options.format)?;
        let arguments = parse_arguments(function, &options.raw_pairs)?;
        let _gate = self.action_precondition(function, &arguments)?;
        let context = WriteContext {
            user: self.principal.user.to_ascii_uppercase(),
            now: self.now,
        };
        let result = self.service.call_function(&context, function, &arguments)?;
        match (function.returns, result) {
            (ReturnType::Complex(complex), FunctionResult::Complex(values)) => Ok(json_response(
                StatusCode::OK,
                &complex_result_json(self.service.namespace(), function, complex, &values),
            )),
            (ReturnType::Entity { entity_set }, FunctionResult::Entity(row)) => {
                let set = self
                    .definition
                    .entity_set(entity_set)
                    .ok_or_else(|| ODataError::resource_not_found(entity_set))?;
                let shape = Shape::build(self.definition, set, None, &[])?;
                let etag = self.state.etags.etag(set, &row);
                let entity = Entity {
                    row,
                    expanded: Vec::new(),
                };
                let mut response = json_response(
                    StatusCode::OK,
                    &wrap_d(entity_json(&self.payload_context(), &shape, &entity)),
                );
                set_etag_header(&mut response, etag);
                Ok(response)
            }
            // A service answering with the wrong kind of result is a defect of the emulator;
            // the unit tests of each service check their declarations against their answers.
            _ => Err(ODataError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "/IWBEP/CX_MGW_TECH_EXCEPTION",
                format!(
                    "Function import '{}' produced a result of the wrong type",
                    function.name
                ),
            )),
        }
    }

    /// The `If-Match` check of a bound action: the entity its key parameters name, when that
    /// entity's set has an ETag and the entity exists (otherwise the service answers).
    fn action_precondition(
        &self,
        function: &FunctionImport,
        arguments: &super::odata::function::Arguments,
    ) -> Result<Option<std::sync::MutexGuard<'_, ()>>, ODataError> {
        let Some(type_name) = function.action_for else {
            return Ok(None);
        };
        let Some(set) = self.definition.entity_sets.iter().find(|set| {
            set.entity_type.name == type_name && self.state.etags.property(set).is_some()
        }) else {
            return Ok(None);
        };
        let key: Option<Vec<Value>> = set
            .entity_type
            .keys
            .iter()
            .map(|name| arguments.get(name).cloned())
            .collect();
        let Some(key) = key else {
            return Ok(None);
        };
        self.guarded(set, &key, true)
    }

    /// The `If-Match` check of a write on an entity read as `row`.
    fn precondition(
        &self,
        set: &'static EntitySet,
        row: &[Value],
        action: bool,
    ) -> Result<Option<std::sync::MutexGuard<'_, ()>>, ODataError> {
        if self.state.etags.property(set).is_none() {
            return Ok(None);
        }
        self.guarded(set, &row_key(set, row), action)
    }

    /// Takes the write gate and compares `If-Match` with the entity's ETag as it is now.
    fn guarded(
        &self,
        set: &'static EntitySet,
        key: &[Value],
        action: bool,
    ) -> Result<Option<std::sync::MutexGuard<'_, ()>>, ODataError> {
        let gate = self
            .state
            .write_gate
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut current: Option<Vec<Value>> = None;
        self.service
            .read(&mut |reader| current = reader.get(set, key));
        let Some(row) = current else {
            return Ok(Some(gate));
        };
        let Some(etag) = self.state.etags.etag(set, &row) else {
            return Ok(Some(gate));
        };
        let precondition = check_if_match(self.headers, &etag);
        match etag::refusal(&precondition, set, &etag::key_text(set, &row), action) {
            Some(error) => Err(error),
            None => Ok(Some(gate)),
        }
    }

    /// The ETag of an entity as it is now (after a write).
    fn current_etag(&self, set: &'static EntitySet, key: &[Value]) -> Option<String> {
        self.state.etags.property(set)?;
        let mut current: Option<Vec<Value>> = None;
        self.service
            .read(&mut |reader| current = reader.get(set, key));
        current.and_then(|row| self.state.etags.etag(set, &row))
    }
}

/// Marks a request as one operation of a `$batch` (its changeset guards it).
#[derive(Clone, Copy, Debug)]
struct BatchOperation;

fn is_batch_path(resource: &str) -> bool {
    resource.trim_end_matches('/') == "$batch"
}

/// Runs batch operations through [`handle`] and keeps a changeset's checkpoint.
struct BatchExecutor<'r, 'a> {
    request: &'r RequestContext<'a>,
    /// `/sap/opu/odata/sap/<SERVICE>[;v=NNNN]/`.
    root_path: String,
    exclusive: Option<std::sync::RwLockWriteGuard<'a, ()>>,
    checkpoint: Option<super::service::Checkpoint>,
}

/// Characters a request target written into a batch may carry unencoded but a URI may not.
const BATCH_TARGET_ESCAPE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl BatchExecutor<'_, '_> {
    /// The request path of an operation's target, within this service.
    fn target_path(&self, url: &str) -> Option<String> {
        let without_scheme = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        let path = match without_scheme {
            Some(rest) => rest.find('/').map(|at| rest[at..].to_owned())?,
            None if url.starts_with('/') => url.to_owned(),
            None => format!("{}{url}", self.root_path),
        };
        path.starts_with(&self.root_path).then_some(path)
    }

    fn error_outcome(&self, error: ODataError) -> batch::Outcome {
        let definition = self.request.definition;
        let context = self.request.state.error_context(
            definition.name,
            definition.version,
            definition.component_id,
        );
        collect(error.into_response(&context))
    }
}

impl batch::Executor for BatchExecutor<'_, '_> {
    fn run(&mut self, operation: &batch::Operation, url: &str) -> batch::Outcome {
        let Some(path) = self.target_path(url) else {
            return self.error_outcome(ODataError::resource_not_found(url));
        };
        let resource = path[self.root_path.len()..]
            .split('?')
            .next()
            .unwrap_or_default();
        if is_batch_path(resource) {
            return self.error_outcome(ODataError::bad_request(
                "A $batch request cannot contain another $batch request",
            ));
        }
        let encoded = percent_encoding::utf8_percent_encode(&path, BATCH_TARGET_ESCAPE).to_string();
        let Ok(method) = Method::from_bytes(operation.method.as_bytes()) else {
            return self.error_outcome(ODataError::method_not_allowed(format!(
                "Method {} is not supported",
                operation.method
            )));
        };
        let Ok(mut request) = Request::builder()
            .method(method.clone())
            .uri(encoded)
            .body(())
        else {
            return self.error_outcome(ODataError::bad_request(format!(
                "Invalid request target '{url}'"
            )));
        };
        // The batch's logon, session and CSRF token apply; the part's own headers say the rest.
        let headers = request.headers_mut();
        for (name, value) in self.request.headers {
            if *name != CONTENT_TYPE && *name != header::CONTENT_LENGTH && *name != ACCEPT {
                headers.append(name, value.clone());
            }
        }
        for (name, value) in &operation.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) && name != HOST
                && name != header::CONTENT_LENGTH
            {
                headers.insert(name, value);
            }
        }
        let (mut parts, ()) = request.into_parts();
        parts.extensions.insert(BatchOperation);
        let body = Bytes::from(operation.body.clone());
        let response = if method == Method::HEAD {
            handle(self.request.state, &parts, &body, &Method::GET)
        } else {
            handle(self.request.state, &parts, &body, &method)
        };
        collect(response)
    }

    fn begin_changeset(&mut self, operations: usize) -> Result<(), batch::Outcome> {
        let exclusive = self
            .request
            .state
            .changesets
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        // Taken under the lock, so nothing written before it can be lost by a rollback.
        self.checkpoint = self.request.service.checkpoint();
        if self.checkpoint.is_none() && operations > 1 {
            drop(exclusive);
            return Err(self.error_outcome(ODataError::new(
                StatusCode::NOT_IMPLEMENTED,
                "/IWBEP/CM_MGW_RT/050",
                format!(
                    "Service {} cannot undo writes; send changesets of one operation",
                    self.request.definition.name
                ),
            )));
        }
        self.exclusive = Some(exclusive);
        Ok(())
    }

    fn rollback(&mut self) {
        if let Some(checkpoint) = self.checkpoint.take() {
            self.request.service.restore(checkpoint);
        }
        self.exclusive = None;
    }

    fn commit(&mut self) {
        self.checkpoint = None;
        self.exclusive = None;
    }

    fn refusal(&mut self, error: ODataError) -> batch::Outcome {
        self.error_outcome(error)
    }
}

/// Status, headers and body of a response built in memory (every response of the handler is).
fn collect(response: Response) -> batch::Outcome {
    use std::future::Future as _;
    let (parts, body) = response.into_parts();
    let mut future = std::pin::pin!(axum::body::to_bytes(body, MAX_BODY_BYTES * 10));
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    let body = match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(Ok(bytes)) => bytes.to_vec(),
        // In-memory bodies are ready at once; anything else would be a bug, answered empty.
        _ => Vec::new(),
    };
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "date" | "set-cookie" | "content-length" | "x-csrf-token"
            )
        })
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|value| (name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    batch::Outcome {
        status: parts.status.as_u16(),
        headers,
        body,
    }
}
