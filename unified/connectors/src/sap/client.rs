//! Requests to SAP Gateway (OData v2): service URLs, query options, keyset paging, the CSRF
//! handshake for writes, and SAP's error bodies turned into [`ConnectorError`]s.
//!
//! # URLs
//! Every service lives under `<base>/sap/opu/odata/sap/<SERVICE>/`. Query values are
//! percent-encoded by hand (everything but RFC 3986 unreserved characters), because SAP reads `+`
//! as a space and a literal `'` inside a filter literal must arrive as the doubled `''`. With the
//! `sap_client` setting, `sap-client=NNN` goes on every request. JSON is asked for with
//! `Accept: application/json`, never with `$format`, which SAP refuses on writes.
//!
//! # Keyset paging
//! Reads never use `$skip`: records that change while a read pages would shift under an offset
//! and be skipped. Each page asks for the records after the last one seen, by the change stamp and
//! then the key:
//! ```text
//! $filter=LastChangeDateTime ge datetimeoffset'<since>'
//!     and (LastChangeDateTime gt datetimeoffset'<ts>'
//!          or (LastChangeDateTime eq datetimeoffset'<ts>' and PurchaseOrder gt '<key>'))
//! $orderby=LastChangeDateTime asc,PurchaseOrder asc   $top=<page size>
//! ```
//! `$inlinecount=allpages` goes on the first page only (it costs SAP a count query). SAP may cut a
//! page short and add `__next` (server-driven paging); the `__next` link is not followed, the next
//! keyset query continues from the last record instead, so a skiptoken that expires or drifts
//! cannot lose records. The read is over when a page comes back shorter than `$top` without
//! `__next`.
//!
//! SAP keeps `LastChangeDateTime` to 100 ns but v2 JSON prints milliseconds, so a resumed query
//! with `gt '<ts>'` re-reads the rest of that millisecond: at worst a record twice (the store
//! upserts), never a gap. Should more than a page of records share one printed millisecond the
//! read could not advance; that is reported as a protocol error rather than looped on.
//!
//! # CSRF
//! Writes need a token fetched with `X-CSRF-Token: Fetch` on a GET of the service root, sent back
//! with the session cookies that came with it. The pair is cached per service; a 403 carrying
//! `x-csrf-token: Required` (token expired with its session) fetches a new pair and retries once.

use super::auth::Auth;
use super::wire::{Collection, NativeError};
use crate::http::Response;
use crate::native::kind;
use crate::resilience::{Resilience, Safety};
use crate::{ConnectorError, Page, PageQuery, Upstream, cursor, http};
use chrono::{DateTime, Utc};
use mw_model::{FieldError, RemoteRecord};
use percent_encoding::{AsciiSet, utf8_percent_encode};
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue, IF_MATCH, LOCATION,
    SET_COOKIE,
};
use reqwest::{Method, StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use tokio::sync::Mutex;

/// The system name in [`Upstream`] and in messages.
pub(crate) const SYSTEM: &str = "sap";

/// The page size when the caller gives none, and the most asked for in one request: SAP's RAP
/// services cap `$top` at 5000 and large pages of deep-expanded orders get slow.
const DEFAULT_PAGE_SIZE: u32 = 500;
const MAX_PAGE_SIZE: u32 = 5000;

const CSRF_TOKEN: HeaderName = HeaderName::from_static("x-csrf-token");

/// Key values inside a path segment keep `'` literal, so that a doubled quote reaches SAP as the
/// OData escape `''` whether or not it decodes the path first.
const KEY_VALUE: &AsciiSet = &http::EXCEPT_UNRESERVED.remove(b'\'');

/// An OData v2 service of S/4HANA. Work orders (`API_MAINTENANCEORDER;v=0002`), equipment
/// (`API_EQUIPMENT`), stock (`API_MATERIAL_STOCK_SRV`) and suppliers (`API_BUSINESS_PARTNER`)
/// join here as their entities are implemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Service {
    PurchaseOrder,
    MaintenanceOrder,
    Equipment,
    /// Business partners and their supplier role (vendors).
    BusinessPartner,
    /// Stock per material, plant, storage location, batch and stock type; read-only.
    MaterialStock,
    /// Material documents: goods movements that change stock (inventory adjustments).
    MaterialDocument,
}

impl Service {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::PurchaseOrder => "API_PURCHASEORDER_PROCESS_SRV",
            // Version 2 of the service: version 1 is read-only and has no status function imports.
            Service::MaintenanceOrder => "API_MAINTENANCEORDER;v=0002",
            Service::Equipment => "API_EQUIPMENT",
            Service::BusinessPartner => "API_BUSINESS_PARTNER",
            Service::MaterialStock => "API_MATERIAL_STOCK_SRV",
            Service::MaterialDocument => "API_MATERIAL_DOCUMENT_SRV",
        }
    }
}

/// An entity set read incrementally: where it lives, its key and its change stamp.
#[derive(Debug)]
pub(crate) struct EntitySet {
    pub(crate) service: Service,
    pub(crate) name: &'static str,
    /// The single key property the keyset orders on after the change stamp.
    pub(crate) key: &'static str,
    /// The `Edm.DateTimeOffset` property SAP bumps on every change.
    pub(crate) changed_at: &'static str,
    /// Navigation properties read with every record.
    pub(crate) expand: Option<&'static str>,
    /// A `$filter` clause every read of the set carries, ahead of the keyset (equipment: the
    /// current time slice only).
    pub(crate) scope: Option<&'static str>,
}

pub(crate) const PURCHASE_ORDERS: EntitySet = EntitySet {
    service: Service::PurchaseOrder,
    name: "A_PurchaseOrder",
    key: "PurchaseOrder",
    changed_at: "LastChangeDateTime",
    // Schedule lines carry the delivery dates; naming the items too keeps the expand valid for
    // parsers that do not imply the intermediate navigation.
    expand: Some("to_PurchaseOrderItem,to_PurchaseOrderItem/to_ScheduleLine"),
    scope: None,
};

/// The system query options of one request, in the order they are written.
#[derive(Debug, Default)]
pub(crate) struct ODataQuery {
    pub(crate) filter: Option<String>,
    pub(crate) orderby: Option<String>,
    pub(crate) top: Option<u32>,
    pub(crate) expand: Option<&'static str>,
    pub(crate) inlinecount: bool,
}

impl ODataQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(filter) = &self.filter {
            pairs.push(("$filter", filter.clone()));
        }
        if let Some(orderby) = &self.orderby {
            pairs.push(("$orderby", orderby.clone()));
        }
        if let Some(top) = self.top {
            pairs.push(("$top", top.to_string()));
        }
        if let Some(expand) = self.expand {
            pairs.push(("$expand", expand.to_owned()));
        }
        if self.inlinecount {
            pairs.push(("$inlinecount", "allpages".to_owned()));
        }
        pairs
    }
}

/// An OData string literal: quoted, with quotes inside doubled.
pub(crate) fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// An OData v2 `datetimeoffset` literal at millisecond precision, the precision SAP prints.
pub(crate) fn datetimeoffset_literal(at: DateTime<Utc>) -> String {
    format!("datetimeoffset'{}'", at.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// Percent-encodes a query value (spaces as `%20`, `+` as `%2B`, quotes as `%27`).
pub(crate) fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, http::EXCEPT_UNRESERVED).to_string()
}

/// The key predicate of an entity with a single string key: `('4500000001')`.
pub(crate) fn key_predicate(key: &str) -> String {
    format!("('{}')", key_value(key))
}

/// A string key value for a key predicate in a path segment: quotes doubled, everything but
/// unreserved characters and `'` percent-encoded. Composite keys are built from these
/// (`Equipment(Equipment='…',ValidityEndDate=datetime'…')`).
pub(crate) fn key_value(value: &str) -> String {
    path_text(&value.replace('\'', "''"))
}

/// Text for a key predicate taken as it is (`datetime'9999-12-31T00:00:00'`), percent-encoded
/// like key values (`:` becomes `%3A`, as SAP writes it in its own URIs).
pub(crate) fn path_text(text: &str) -> String {
    utf8_percent_encode(text, KEY_VALUE).to_string()
}

/// Where a read continues: the position of the last record returned, and the window the read
/// started with. Serialised as base64url JSON so that it survives a restart and can be stored
/// as an opaque string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    /// Format version.
    v: u8,
    /// The entity set this cursor belongs to; a cursor of another set is refused.
    set: String,
    /// `changed_since` of the first page, in epoch milliseconds.
    since: Option<i64>,
    /// `LastChangeDateTime` of the last record returned, in epoch milliseconds.
    ts: i64,
    /// The key of the last record returned.
    key: String,
}

impl Cursor {
    const VERSION: u8 = 1;

    fn encode(&self) -> String {
        cursor::encode(self)
    }

    fn decode(text: &str, set: &EntitySet) -> Result<Cursor, ConnectorError> {
        let invalid = |why: &str| cursor::invalid("SAP", set.name, why);
        let cursor: Cursor = cursor::decode(text, invalid, "not JSON")?;
        if cursor.v != Self::VERSION {
            return Err(invalid("unknown version"));
        }
        if cursor.set != set.name {
            return Err(invalid("it belongs to another entity set"));
        }
        if millis_to_utc(cursor.ts).is_none()
            || cursor.since.is_some_and(|s| millis_to_utc(s).is_none())
        {
            return Err(invalid("timestamp out of range"));
        }
        Ok(cursor)
    }
}

/// The page a keyset read of `set` answers, its `total` given. When SAP may have `more` (a full
/// page, or `__next`), the read continues after `last`, the position of the last row SAP returned,
/// with the cursor `continue_after` makes of it (refusing a position that does not advance). An
/// empty page that still announces more has nothing to continue from and ends the read: the next
/// incremental read starts at the watermark and finds whatever it was.
pub(crate) fn keyset_page<P>(
    set: &str,
    records: Vec<RemoteRecord>,
    more: bool,
    last: Option<P>,
    continue_after: impl FnOnce(P) -> Result<String, ConnectorError>,
    total: Option<u64>,
) -> Result<Page, ConnectorError> {
    let next = match last {
        Some(last) if more => Some(continue_after(last)?),
        Some(_) => None,
        None => {
            if more {
                tracing::warn!(
                    system = SYSTEM,
                    set,
                    "empty page with __next; read ends here"
                );
            }
            None
        }
    };
    Ok(Page {
        records,
        next,
        total,
    })
}

fn millis_to_utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The `$filter` of a keyset page: the read's window, then the position after the last record.
fn keyset_filter(
    set: &EntitySet,
    since: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, &str)>,
) -> Option<String> {
    let mut clauses = Vec::new();
    if let Some(scope) = set.scope {
        clauses.push(scope.to_owned());
    }
    if let Some(since) = since {
        clauses.push(format!(
            "{} ge {}",
            set.changed_at,
            datetimeoffset_literal(since)
        ));
    }
    if let Some((ts, key)) = after {
        let (c, ts, k, key) = (
            set.changed_at,
            datetimeoffset_literal(ts),
            set.key,
            string_literal(key),
        );
        clauses.push(format!("({c} gt {ts} or ({c} eq {ts} and {k} gt {key}))"));
    }
    (!clauses.is_empty()).then(|| clauses.join(" and "))
}

/// A token and the session cookies it is valid with.
#[derive(Clone, Debug)]
struct CsrfSession {
    token: HeaderValue,
    /// `name=value` pairs of every `Set-Cookie` of the fetch, joined with `; `.
    cookies: Option<HeaderValue>,
}

/// An authenticated HTTP client for one SAP system.
pub(crate) struct SapClient {
    http: reqwest::Client,
    /// The base URL as configured, without a trailing slash.
    base: String,
    sap_client: Option<String>,
    auth: Auth,
    csrf: Mutex<HashMap<Service, CsrfSession>>,
    resilience: Resilience,
}

impl SapClient {
    pub(crate) fn new(
        http: reqwest::Client,
        base: &Url,
        sap_client: Option<String>,
        auth: Auth,
        resilience: Resilience,
    ) -> SapClient {
        SapClient {
            http,
            base: base.as_str().trim_end_matches('/').to_owned(),
            sap_client,
            auth,
            csrf: Mutex::new(HashMap::new()),
            resilience,
        }
    }

    pub(crate) fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    /// `<base>/sap/opu/odata/sap/<SERVICE>/<resource>?<query>&sap-client=NNN`.
    pub(crate) fn url(
        &self,
        service: Service,
        resource: &str,
        query: &ODataQuery,
    ) -> Result<Url, ConnectorError> {
        self.url_with(service, resource, Vec::new(), query)
    }

    /// Like [`SapClient::url`], with custom query parameters (a function import's parameters)
    /// ahead of the system query options.
    pub(crate) fn url_with(
        &self,
        service: Service,
        resource: &str,
        params: Vec<(&'static str, String)>,
        query: &ODataQuery,
    ) -> Result<Url, ConnectorError> {
        let mut text = format!(
            "{}/sap/opu/odata/sap/{}/{resource}",
            self.base,
            service.name()
        );
        let mut pairs = params;
        pairs.extend(query.pairs());
        if let Some(client) = &self.sap_client {
            pairs.push(("sap-client", client.clone()));
        }
        for (i, (name, value)) in pairs.iter().enumerate() {
            text.push(if i == 0 { '?' } else { '&' });
            text.push_str(name);
            text.push('=');
            text.push_str(&encode_query_value(value));
        }
        Url::parse(&text).map_err(|e| {
            ConnectorError::protocol(format!(
                "cannot build a request URL for {}: {e}",
                service.name()
            ))
        })
    }

    /// Sends one request with credentials and `Accept: application/json`, and reads the whole
    /// response. A 401 to a bearer token retires the token and tries once more with a new one.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Response, ConnectorError> {
        let mut renewed = false;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, "application/json")
                .headers(headers.clone());
            if let Some(body) = body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec());
            }
            let (request, bearer) = self.auth.authorize(&self.http, request).await?;
            tracing::debug!(system = SYSTEM, %method, path = url.path(), "request");
            let response = http::send(SYSTEM, request).await?;
            if response.status == StatusCode::UNAUTHORIZED
                && let Some(used) = bearer
                && !renewed
            {
                self.auth.retire(&used).await;
                renewed = true;
                continue;
            }
            return Ok(response);
        }
    }

    /// GETs `url` and returns the response headers and its `d`.
    /// A failure in passing, an unreadable body too, is tried again (see `resilience`).
    pub(crate) async fn get_d(&self, url: &Url) -> Result<(HeaderMap, Value), ConnectorError> {
        self.resilience
            .run(Safety::Safe, || async {
                let response = self
                    .send(Method::GET, url, HeaderMap::new(), None)
                    .await?
                    .success(error_from_response)?;
                let d = d_of(&response)?;
                Ok((response.headers, d))
            })
            .await
    }

    /// GETs the service document, the cheapest authenticated request a service answers.
    pub(crate) async fn service_document(
        &self,
        service: Service,
    ) -> Result<HeaderMap, ConnectorError> {
        let url = self.url(service, "", &ODataQuery::default())?;
        self.get_d(&url).await.map(|(headers, _)| headers)
    }

    /// GETs one entity by its single string key, expanded as the set's reads are.
    pub(crate) async fn get_entity(
        &self,
        set: &EntitySet,
        key: &str,
    ) -> Result<Value, ConnectorError> {
        self.get_entity_at(set, &key_predicate(key)).await
    }

    /// GETs one entity of `set` by a key predicate already built and encoded (a composite key
    /// such as `(Equipment='10000042',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')`),
    /// expanded as the set's reads are.
    pub(crate) async fn get_entity_at(
        &self,
        set: &EntitySet,
        predicate: &str,
    ) -> Result<Value, ConnectorError> {
        let query = ODataQuery {
            expand: set.expand,
            ..ODataQuery::default()
        };
        let resource = format!("{}{predicate}", set.name);
        let url = self.url(set.service, &resource, &query)?;
        self.get_d(&url).await.map(|(_, d)| d)
    }

    /// Reads one keyset page of `set`, mapping each native record with `map`. See the module
    /// documentation for the queries and when the read ends.
    pub(crate) async fn read_changes(
        &self,
        set: &EntitySet,
        query: &PageQuery,
        map: impl Fn(Value) -> Result<RemoteRecord, ConnectorError>,
    ) -> Result<Page, ConnectorError> {
        let top = query.page_size_or(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        // A resumed read keeps the window it started with.
        let (since, after) = match &query.resume {
            Some(text) => {
                let cursor = Cursor::decode(text, set)?;
                (cursor.since, Some((cursor.ts, cursor.key)))
            }
            None => (query.changed_since.map(|at| at.timestamp_millis()), None),
        };
        let first_page = after.is_none();
        let since_at = since.and_then(millis_to_utc);
        let after_at = after
            .as_ref()
            .map(|(ts, key)| (millis_to_utc(*ts).unwrap_or_default(), key.as_str()));
        let odata = ODataQuery {
            filter: keyset_filter(set, since_at, after_at),
            orderby: Some(format!("{} asc,{} asc", set.changed_at, set.key)),
            top: Some(top),
            expand: set.expand,
            inlinecount: first_page,
        };
        let url = self.url(set.service, set.name, &odata)?;
        let (_, d) = self.get_d(&url).await?;
        let collection = Collection::from_d(d)
            .map_err(|why| ConnectorError::protocol(format!("{} page: {why}", set.name)))?;
        let returned = collection.results.len();
        let mut records = collection
            .results
            .into_iter()
            .map(&map)
            .collect::<Result<Vec<_>, _>>()?;
        // SAP sorted already; sorting again makes the page order the contract's whatever the
        // server did, and is a no-op when it agrees.
        records.sort_by(|a, b| {
            (a.remote_updated_at, &a.remote_id).cmp(&(b.remote_updated_at, &b.remote_id))
        });

        let more = returned >= top as usize || collection.next.is_some();
        let last = records
            .last()
            .map(|r| (r.remote_updated_at.timestamp_millis(), r.remote_id.clone()));
        let continue_after = |(ts, key): (i64, String)| {
            if let Some((after_ts, after_key)) = &after
                && (ts, key.as_str()) <= (*after_ts, after_key.as_str())
            {
                return Err(ConnectorError::protocol(format!(
                    "{} paging does not advance past {} {}: more than {top} records share one printed change time; read with a larger page size",
                    set.name, set.key, after_key
                )));
            }
            let cursor = Cursor {
                v: Cursor::VERSION,
                set: set.name.to_owned(),
                since,
                ts,
                key,
            };
            Ok(cursor.encode())
        };
        let total = if first_page { collection.count } else { None };
        keyset_page(set.name, records, more, last, continue_after, total)
    }

    /// POSTs `body` to `resource` of `service` with a CSRF token, and returns the `d` of the
    /// answer together with its headers.
    pub(crate) async fn post(
        &self,
        service: Service,
        resource: &str,
        body: &Value,
    ) -> Result<(HeaderMap, Option<Value>), ConnectorError> {
        let url = self.url(service, resource, &ODataQuery::default())?;
        let response = self
            .modify(Method::POST, service, &url, Some(body), None)
            .await?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok((response.headers, None));
        }
        let d = d_of(&response)?;
        Ok((response.headers, Some(d)))
    }

    /// PATCHes `resource` of `service` with the properties in `body` (SAP answers 204). With
    /// `if_match`, SAP refuses the change when the entity's ETag moved on (412).
    pub(crate) async fn patch(
        &self,
        service: Service,
        resource: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> Result<(), ConnectorError> {
        let url = self.url(service, resource, &ODataQuery::default())?;
        self.modify(Method::PATCH, service, &url, Some(body), if_match)
            .await
            .map(drop)
    }

    /// Calls a function import that changes data (`m:HttpMethod="POST"`): parameters are OData
    /// literals in the query string (`?MaintenanceOrder='4000123'`), there is no body, a CSRF
    /// token is needed as for any write, and `if_match` goes along where the entity the import
    /// acts on has an ETag. What the import returns (`DummyFunctionImportResult` for the
    /// maintenance order status imports) is not read: the change it made is read back from the
    /// entity instead.
    pub(crate) async fn call_function(
        &self,
        service: Service,
        name: &str,
        params: Vec<(&'static str, String)>,
        if_match: Option<&str>,
    ) -> Result<(), ConnectorError> {
        let url = self.url_with(service, name, params, &ODataQuery::default())?;
        self.modify(Method::POST, service, &url, None, if_match)
            .await
            .map(drop)
    }

    /// Sends a modifying request with the service's CSRF token and session cookies, and returns
    /// the successful response. A 403 carrying `x-csrf-token: Required` (the token expired with
    /// its session) fetches a new pair and sends once more; any other failure is decoded.
    pub(crate) async fn modify(
        &self,
        method: Method,
        service: Service,
        url: &Url,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Result<Response, ConnectorError> {
        let bytes = body.map(serde_json::to_vec).transpose().map_err(|e| {
            ConnectorError::protocol(format!("cannot serialise the request body: {e}"))
        })?;
        let if_match = if_match
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| {
                ConnectorError::Invalid(vec![FieldError::new(
                    "$.remote_version",
                    "is not a version SAP issued (not a valid If-Match value)",
                )])
            })?;
        // A write is sent again only when SAP refused it unprocessed (429, see `resilience`).
        self.resilience
            .run(Safety::Unsafe, || {
                self.modify_once(
                    method.clone(),
                    service,
                    url,
                    bytes.as_deref(),
                    if_match.as_ref(),
                )
            })
            .await
    }

    /// One attempt of [`Self::modify`].
    async fn modify_once(
        &self,
        method: Method,
        service: Service,
        url: &Url,
        bytes: Option<&[u8]>,
        if_match: Option<&HeaderValue>,
    ) -> Result<Response, ConnectorError> {
        let mut session = self.csrf_session(service, None).await?;
        let mut refetched = false;
        loop {
            let mut headers = HeaderMap::new();
            headers.insert(CSRF_TOKEN, session.token.clone());
            if let Some(cookies) = &session.cookies {
                headers.insert(COOKIE, cookies.clone());
            }
            if let Some(if_match) = if_match {
                headers.insert(IF_MATCH, if_match.clone());
            }
            let response = self.send(method.clone(), url, headers, bytes).await?;
            if response.status == StatusCode::FORBIDDEN
                && csrf_required(&response.headers)
                && !refetched
            {
                // The token expired with its session: nothing was written, so one retry is safe.
                session = self.csrf_session(service, Some(&session.token)).await?;
                refetched = true;
                continue;
            }
            return response.success(error_from_response);
        }
    }

    /// The cached CSRF session of `service`, or a new one when there is none or the cached one
    /// is `stale`. The lock is held across the fetch so that concurrent writes share one fetch.
    async fn csrf_session(
        &self,
        service: Service,
        stale: Option<&HeaderValue>,
    ) -> Result<CsrfSession, ConnectorError> {
        let mut cache = self.csrf.lock().await;
        if let Some(session) = cache.get(&service)
            && Some(&session.token) != stale
        {
            return Ok(session.clone());
        }
        let url = self.url(service, "", &ODataQuery::default())?;
        let mut headers = HeaderMap::new();
        headers.insert(CSRF_TOKEN, HeaderValue::from_static("Fetch"));
        let response = self
            .send(Method::GET, &url, headers, None)
            .await?
            .success(error_from_response)?;
        let token = response
            .headers
            .get(&CSRF_TOKEN)
            .filter(|t| !t.is_empty() && !t.as_bytes().eq_ignore_ascii_case(b"required"))
            .cloned()
            .ok_or_else(|| ConnectorError::Protocol {
                detail: format!("{} sent no CSRF token when asked for one", service.name()),
                upstream: Some(upstream(response.status, NativeError::default())),
            })?;
        let cookies = session_cookies(&response.headers);
        let session = CsrfSession { token, cookies };
        cache.insert(service, session.clone());
        Ok(session)
    }
}

/// The `Cookie` header that replays every cookie the response set: `name=value` of each
/// `Set-Cookie`, attributes dropped.
fn session_cookies(headers: &HeaderMap) -> Option<HeaderValue> {
    let pairs: Vec<&str> = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::trim)
        .filter(|pair| pair.contains('='))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    HeaderValue::from_str(&pairs.join("; ")).ok()
}

fn csrf_required(headers: &HeaderMap) -> bool {
    headers
        .get(&CSRF_TOKEN)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"required"))
}

/// The `d` of a successful JSON response.
fn d_of(response: &Response) -> Result<Value, ConnectorError> {
    let protocol = |detail: String| ConnectorError::Protocol {
        detail,
        upstream: Some(upstream(response.status, NativeError::default())),
    };
    let value: Value = serde_json::from_slice(&response.body)
        .map_err(|e| protocol(format!("the response is not JSON: {e}")))?;
    match value {
        Value::Object(mut object) => object
            .remove("d")
            .ok_or_else(|| protocol("the response has no OData v2 `d` envelope".into())),
        other => Err(protocol(format!(
            "the response is {}, not an OData v2 envelope",
            kind(&other)
        ))),
    }
}

fn upstream(status: StatusCode, native: NativeError) -> Upstream {
    http::upstream(SYSTEM, status, native.code, native.message)
}

/// Message codes SAP uses for a document locked by another user or session. Classic v2 APIs
/// raise them as business exceptions (400); they are conflicts, worth retrying later.
const LOCK_CODES: [&str; 2] = ["06/001", "MMPUR_INTEGRATION_PO/002"];

/// Turns a non-success response into the error it means: SAP's lock messages and the gateway's
/// quota faults first, 423 and 428 as conflicts, then what the status says ([`http::status_error`]).
pub(crate) fn error_from_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ConnectorError {
    let native = NativeError::parse(body);
    let locked = native
        .code
        .iter()
        .chain(&native.detail_codes)
        .any(|code| LOCK_CODES.contains(&code.as_str()));
    // API Management in front of SAP answers an exhausted quota with 500 unless a fault rule
    // maps it; its error code says what it is.
    let throttled = native.code.as_deref().is_some_and(|c| {
        c.contains("ratelimit") || c.contains("SpikeArrest") || c.contains("QuotaViolation")
    });
    let upstream = upstream(status, native);
    match status.as_u16() {
        400 if locked => ConnectorError::Conflict(upstream),
        423 | 428 => ConnectorError::Conflict(upstream),
        500..=599 if throttled => ConnectorError::RateLimited {
            upstream,
            retry_after: http::retry_after(headers),
        },
        _ => http::status_error(SYSTEM, status, headers, upstream),
    }
}

/// Whether `key` can be a key of type String(`max`). No entity has a blank or longer one, and
/// asking SAP for it would only earn a 400 about the URL.
pub(crate) fn could_be_key(key: &str, max: usize) -> bool {
    !key.trim().is_empty() && key.chars().count() <= max
}

/// The single string key of an entity of set `set` created without a body, from its `Location`
/// header (`…/A_PurchaseOrder('4500000123')`).
pub(crate) fn key_from_location(headers: &HeaderMap, set: &str) -> Option<String> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let decoded = percent_encoding::percent_decode_str(location)
        .decode_utf8()
        .ok()?;
    let after = decoded.rsplit_once(&format!("{set}("))?.1;
    let inner = after.strip_prefix('\'')?;
    let end = inner.rfind("')")?;
    Some(inner[..end].replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_for_sap() {
        assert_eq!(encode_query_value("a b'+c,d"), "a%20b%27%2Bc%2Cd");
        assert_eq!(
            encode_query_value("to_PurchaseOrderItem"),
            "to_PurchaseOrderItem"
        );
    }

    #[test]
    fn keys_double_their_quotes() {
        assert_eq!(key_predicate("4500000001"), "('4500000001')");
        assert_eq!(key_predicate("O'Brien/1 2"), "('O''Brien%2F1%202')");
    }

    #[test]
    fn keyset_filters() {
        let since = DateTime::parse_from_rfc3339("2024-01-31T08:00:00.123456Z")
            .unwrap()
            .to_utc();
        let ts = DateTime::parse_from_rfc3339("2024-02-01T10:11:12.5Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            keyset_filter(&PURCHASE_ORDERS, Some(since), None).unwrap(),
            "LastChangeDateTime ge datetimeoffset'2024-01-31T08:00:00.123Z'"
        );
        assert_eq!(
            keyset_filter(&PURCHASE_ORDERS, None, Some((ts, "45'1"))).unwrap(),
            "(LastChangeDateTime gt datetimeoffset'2024-02-01T10:11:12.500Z' or (LastChangeDateTime eq datetimeoffset'2024-02-01T10:11:12.500Z' and PurchaseOrder gt '45''1'))"
        );
        assert_eq!(keyset_filter(&PURCHASE_ORDERS, None, None), None);
    }

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let cursor = Cursor {
            v: 1,
            set: "A_PurchaseOrder".into(),
            since: Some(1_706_688_000_123),
            ts: 1_706_781_072_500,
            key: "4500000001".into(),
        };
        let text = cursor.encode();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(Cursor::decode(&text, &PURCHASE_ORDERS).unwrap(), cursor);
        let other = Cursor {
            set: "MaintenanceOrder".into(),
            ..cursor.clone()
        };
        assert!(Cursor::decode(&other.encode(), &PURCHASE_ORDERS).is_err());
        let far = Cursor {
            ts: i64::MAX,
            ..cursor
        };
        assert!(Cursor::decode(&far.encode(), &PURCHASE_ORDERS).is_err());
        assert!(Cursor::decode("not a cursor!", &PURCHASE_ORDERS).is_err());
        assert!(Cursor::decode("e30", &PURCHASE_ORDERS).is_err());
    }

    #[test]
    fn cookies_are_replayed_without_attributes() {
        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("SAP_SESSIONID_S4H_100=abc%3d; path=/; secure; HttpOnly"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("sap-usercontext=sap-client=100; path=/"),
        );
        assert_eq!(
            session_cookies(&headers).unwrap(),
            "SAP_SESSIONID_S4H_100=abc%3d; sap-usercontext=sap-client=100"
        );
        assert_eq!(session_cookies(&HeaderMap::new()), None);
    }

    #[test]
    fn statuses_map_to_errors() {
        let h = HeaderMap::new();
        let lock = br#"{"error":{"code":"MMPUR_INTEGRATION_PO/002","message":{"lang":"en","value":"locked"}}}"#;
        assert!(matches!(
            error_from_response(StatusCode::BAD_REQUEST, &h, lock),
            ConnectorError::Conflict(_)
        ));
        assert!(matches!(
            error_from_response(StatusCode::BAD_REQUEST, &h, b"{}"),
            ConnectorError::Rejected(_)
        ));
        assert!(matches!(
            error_from_response(StatusCode::PRECONDITION_REQUIRED, &h, b""),
            ConnectorError::Conflict(_)
        ));
        assert!(matches!(
            error_from_response(StatusCode::METHOD_NOT_ALLOWED, &h, b""),
            ConnectorError::Rejected(_)
        ));
        let quota = br#"{"fault":{"faultstring":"Rate limit quota violation","detail":{"errorcode":"policies.ratelimit.QuotaViolation"}}}"#;
        assert!(matches!(
            error_from_response(StatusCode::INTERNAL_SERVER_ERROR, &h, quota),
            ConnectorError::RateLimited { .. }
        ));
        let mut redirect = HeaderMap::new();
        redirect.insert(LOCATION, HeaderValue::from_static("https://idp/saml/login"));
        let err = error_from_response(StatusCode::FOUND, &redirect, b"");
        assert!(
            matches!(&err, ConnectorError::Auth(u) if u.message.as_deref() == Some("redirected to https://idp/saml/login")),
            "{err:?}"
        );
    }

    #[test]
    fn created_keys_from_location() {
        let mut h = HeaderMap::new();
        h.insert(LOCATION, HeaderValue::from_static("https://h/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('4500000123')"));
        assert_eq!(
            key_from_location(&h, PURCHASE_ORDERS.name).as_deref(),
            Some("4500000123")
        );
        assert_eq!(
            key_from_location(&HeaderMap::new(), PURCHASE_ORDERS.name),
            None
        );
    }
}
