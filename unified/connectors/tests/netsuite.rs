//! The NetSuite connector's protocol behaviour against a scripted NetSuite (wiremock): what it
//! sends (TBA signatures verified independently here, SuiteQL keyset queries, record reads with
//! `expandSubResources`, write bodies) and how it reads what comes back (collections, `Location`
//! headers, NetSuite error bodies, 429 `CONCURRENCY_LIMIT_EXCEEDED`), and that it never has more
//! requests in flight than its concurrency limit.
//!
//! The stateful NetSuite emulator lives in `mocks/` and is exercised by the conformance suites;
//! these tests pin the exact requests, which an emulator would accept more loosely.

// Helpers outside `#[test]` functions build fixed test data; a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use mw_connectors::http::HttpConfig;
use mw_connectors::{Connector, ConnectorConfig, ConnectorError, PageQuery, connect};
use mw_model::{
    Entity, EntityData, InventoryAdjustment, NaiveDate, NewPurchaseOrder, NewPurchaseOrderLine,
    NewRecord, NewVendor, PurchaseOrderLinePatch, PurchaseOrderPatch, PurchaseOrderStatus,
    RecordPatch, System,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

use common::{at, connect_to, ids};

const RECORD: &str = "/services/rest/record/v1";
const SUITEQL: &str = "/services/rest/query/v1/suiteql";
const REALM: &str = "1234567_SB1";
const CONSUMER_SECRET: &str = "c0nsumer&secret";
const TOKEN_SECRET: &str = "t0ken secret";

fn credentials() -> Value {
    json!({"account_id": "1234567-sb1", "consumer_key": "ck-4a03", "consumer_secret": CONSUMER_SECRET,
        "token_id": "tk-2e44", "token_secret": TOKEN_SECRET})
}

fn netsuite_with(server: &MockServer, settings: Value) -> Box<dyn Connector> {
    connect_to(System::Netsuite, server, credentials(), settings)
}

fn netsuite(server: &MockServer) -> Box<dyn Connector> {
    netsuite_with(server, json!({}))
}

// ---- an independent TBA verifier, as NetSuite checks a request ----

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

fn dec(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// Accepts a request only when its OAuth 1.0a HMAC-SHA256 signature is right, its realm is the
/// account's, its timestamp within 300 s of real time, and its nonce never seen before.
#[derive(Clone, Default)]
struct SignedByTba {
    nonces: Arc<Mutex<HashSet<String>>>,
}

impl SignedByTba {
    fn check(&self, request: &Request) -> Result<(), String> {
        let header = request
            .headers
            .get("authorization")
            .ok_or("no Authorization")?
            .to_str()
            .map_err(|e| e.to_string())?;
        let params = header.strip_prefix("OAuth ").ok_or("not OAuth")?;
        let mut oauth = Vec::new();
        for part in params.split(',') {
            let (name, value) = part.trim().split_once('=').ok_or("bad parameter")?;
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or("unquoted value")?;
            oauth.push((name.to_owned(), dec(value)));
        }
        let get = |name: &str| {
            oauth
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        if oauth.first().map(|(n, _)| n.as_str()) != Some("realm") || get("realm") != REALM {
            return Err(format!("realm {}", get("realm")));
        }
        if get("oauth_signature_method") != "HMAC-SHA256" || get("oauth_version") != "1.0" {
            return Err("method or version".into());
        }
        if get("oauth_consumer_key") != "ck-4a03" || get("oauth_token") != "tk-2e44" {
            return Err("keys".into());
        }
        let timestamp: i64 = get("oauth_timestamp").parse().map_err(|_| "timestamp")?;
        if (timestamp - Utc::now().timestamp()).abs() > 300 {
            return Err("timestamp outside the window".into());
        }
        let nonce = get("oauth_nonce");
        if nonce.len() < 6 || !self.nonces.lock().unwrap().insert(nonce.clone()) {
            return Err(format!("nonce {nonce} reused or short"));
        }
        let mut normalized: Vec<(String, String)> = oauth
            .iter()
            .filter(|(n, _)| n != "realm" && n != "oauth_signature")
            .map(|(n, v)| (enc(n), enc(v)))
            .collect();
        normalized.extend(request.url.query_pairs().map(|(k, v)| (enc(&k), enc(&v))));
        normalized.sort();
        let normalized = normalized
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        // wiremock rebuilds the URL without the authority; the Host header carries it, as it
        // does for any server.
        let host = request
            .headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .ok_or("no Host")?
            .to_ascii_lowercase();
        let base_url = format!("http://{host}{}", request.url.path());
        let base = format!(
            "{}&{}&{}",
            request.method.as_str(),
            enc(&base_url),
            enc(&normalized)
        );
        let key = format!("{}&{}", enc(CONSUMER_SECRET), enc(TOKEN_SECRET));
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(base.as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        if expected == get("oauth_signature") {
            Ok(())
        } else {
            Err(format!("signature mismatch over {base}"))
        }
    }
}

impl Match for SignedByTba {
    fn matches(&self, request: &Request) -> bool {
        match self.check(request) {
            Ok(()) => true,
            Err(why) => {
                eprintln!("refused: {why}");
                false
            }
        }
    }
}

fn ns_error(status: u16, code: &str, detail: &str) -> ResponseTemplate {
    let body = json!({"type": format!("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.{}", status.saturating_sub(399)),
        "title": "Error", "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}]});
    ResponseTemplate::new(status).set_body_raw(
        body.to_string(),
        "application/vnd.oracle.resource+json; type=error",
    )
}

fn collection(items: Vec<Value>, has_more: bool, total: u64) -> ResponseTemplate {
    let count = items.len();
    ResponseTemplate::new(200)
        .set_body_raw(
            json!({"links": [], "count": count, "hasMore": has_more, "items": items,
                "offset": 0, "totalResults": total})
            .to_string(),
            "application/vnd.oracle.resource+json; type=collection",
        )
        .insert_header("date", "Mon, 02 Mar 2026 08:00:00 GMT")
}

fn row(id: u64, modified: &str) -> Value {
    json!({"links": [], "id": id.to_string(), "lastmodified": modified})
}

fn native_po(id: &str, modified: &str) -> Value {
    json!({
        "links": [], "id": id, "tranId": format!("PO{id}"),
        "entity": {"id": "1335929", "refName": "Acme Supply"},
        "subsidiary": {"id": "1", "refName": "Parent Co"},
        "currency": {"id": "1", "refName": "US Dollar"},
        "terms": {"id": "2", "refName": "Net 30"},
        "tranDate": "2026-03-01", "orderStatus": {"id": "B", "refName": "B"},
        "createdDate": "2026-03-01T10:00:00Z", "lastModifiedDate": modified,
        "item": {"links": [], "totalResults": 2, "items": [
            {"links": [], "line": 1, "item": {"id": "13861", "refName": "Router"}, "quantity": 2, "rate": 52.65,
             "location": {"id": "1"}},
            {"links": [], "line": 2, "item": {"id": "13877", "refName": "Collet"}, "quantity": 1, "rate": 10,
             "location": {"id": "1"}}
        ]}
    })
}

fn record(value: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(
            value.to_string(),
            "application/vnd.oracle.resource+json; type=singular",
        )
        .insert_header("date", "Mon, 02 Mar 2026 08:00:00 GMT")
}

const PO_QUERY_HEAD: &str = "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified FROM transaction WHERE type = 'PurchOrd'";

// ---- verify and authentication ----

#[tokio::test]
async fn verify_signs_with_tba_and_reads_the_source_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor")))
        .and(query_param("limit", "1"))
        .and(SignedByTba::default())
        .respond_with(collection(vec![json!({"links": [], "id": "1"})], true, 40))
        .expect(2)
        .mount(&server)
        .await;
    let ns = netsuite(&server);
    assert_eq!(
        ns.verify().await.unwrap().now,
        Some(at("2026-03-02T08:00:00Z"))
    );
    // A second request is signed anew (a fresh nonce), or the verifier would refuse it.
    ns.verify().await.unwrap();
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_with_the_native_code() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ns_error(401, "INVALID_LOGIN", "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.")
                .insert_header("www-authenticate", "OAuth realm=\"1234567_SB1\", error=\"token_rejected\", error_description=\"Invalid login attempt.\""),
        )
        .mount(&server)
        .await;
    match netsuite(&server).verify().await {
        Err(ConnectorError::Auth(u)) => {
            assert_eq!((u.system.as_str(), u.status), ("netsuite", 401));
            assert_eq!(u.code.as_deref(), Some("INVALID_LOGIN"));
            assert!(u.message.unwrap().starts_with("Invalid login attempt."));
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_account_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ns = connect(
        System::Netsuite,
        ConnectorConfig {
            base_url: format!("http://127.0.0.1:{port}"),
            credentials: credentials(),
            // Retried as any failure in passing, after backoffs of milliseconds.
            settings: json!({"retry_base_delay_ms": 1, "retry_max_delay_ms": 5}),
            http: HttpConfig::default(),
        },
    )
    .unwrap();
    assert!(matches!(
        ns.verify().await,
        Err(ConnectorError::Unavailable { upstream: None, .. })
    ));
}

// ---- incremental reads: SuiteQL keyset, then records ----

#[tokio::test]
async fn purchase_orders_page_by_keyset_and_are_read_whole() {
    let server = MockServer::start().await;
    let signed = SignedByTba::default();
    let first = format!(
        "{PO_QUERY_HEAD} AND lastmodifieddate >= TO_TIMESTAMP('2026-02-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS') ORDER BY lastmodifieddate, id"
    );
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(query_param("limit", "3"))
        .and(query_param("offset", "0"))
        .and(header("prefer", "transient"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"q": first})))
        .and(signed.clone())
        .respond_with(collection(
            vec![
                row(9, "2026-03-01 10:00:00"),
                row(10, "2026-03-01 10:00:00"),
                row(4, "2026-03-01 10:05:00"),
            ],
            true,
            5,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let second = format!(
        "{PO_QUERY_HEAD} AND (lastmodifieddate > TO_TIMESTAMP('2026-03-01 10:05:00', 'YYYY-MM-DD HH24:MI:SS') OR (lastmodifieddate = TO_TIMESTAMP('2026-03-01 10:05:00', 'YYYY-MM-DD HH24:MI:SS') AND id > 4)) ORDER BY lastmodifieddate, id"
    );
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(body_json(json!({"q": second})))
        .and(signed.clone())
        .respond_with(collection(vec![row(2, "2026-03-01 11:00:00")], false, 1))
        .expect(1)
        .mount(&server)
        .await;
    for (id, modified) in [
        ("9", "2026-03-01T10:00:00Z"),
        ("10", "2026-03-01T10:00:00Z"),
        // Changed again between the SuiteQL page and its read: it carries its newer stamp.
        ("4", "2026-03-01T12:00:00Z"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{RECORD}/purchaseOrder/{id}")))
            .and(query_param("expandSubResources", "true"))
            .and(signed.clone())
            .respond_with(record(native_po(id, modified)))
            .expect(1)
            .mount(&server)
            .await;
    }
    // Deleted after SuiteQL listed it: left out.
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/purchaseOrder/2")))
        .respond_with(ns_error(
            404,
            "NONEXISTENT_ID",
            "The record instance does not exist. Provide a valid record instance ID.",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let ns = netsuite(&server);
    let query = PageQuery {
        changed_since: Some(at("2026-02-01T00:00:00.400Z")),
        resume: None,
        page_size: 3,
    };
    let page = ns.read_page(Entity::PurchaseOrders, &query).await.unwrap();
    assert_eq!(ids(&page), ["9", "10", "4"]);
    assert_eq!(page.total, Some(5));
    let r = &page.records[0];
    assert_eq!(r.remote_updated_at, at("2026-03-01T10:00:00Z"));
    let EntityData::PurchaseOrder(po) = &r.data else {
        panic!("not a purchase order")
    };
    assert_eq!(po.total_amount.to_string(), "115.30");
    assert_eq!(
        (po.currency.as_str(), po.status),
        ("USD", PurchaseOrderStatus::Open)
    );
    assert!(r.raw.is_some());

    let next = PageQuery {
        resume: page.next.clone(),
        ..query
    };
    let last = ns.read_page(Entity::PurchaseOrders, &next).await.unwrap();
    assert!(last.records.is_empty());
    assert_eq!((last.next, last.total), (None, None));
}

#[tokio::test]
async fn a_cursor_of_another_read_is_refused_before_asking() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .respond_with(collection(vec![row(7, "2026-03-01 10:00:00")], true, 9))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(record(
            json!({"id": "7", "lastModifiedDate": "2026-03-01T10:00:00Z", "companyName": "A"}),
        ))
        .mount(&server)
        .await;
    let ns = netsuite(&server);
    let query = PageQuery {
        changed_since: None,
        resume: None,
        page_size: 1,
    };
    let vendors = ns.read_page(Entity::Vendors, &query).await.unwrap();
    let foreign = PageQuery {
        resume: vendors.next,
        ..query
    };
    match ns.read_page(Entity::PurchaseOrders, &foreign).await {
        Err(ConnectorError::Invalid(errors)) => assert_eq!(errors[0].path, "$.resume"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_source_that_breaks_the_keyset_order_is_reported_not_looped_on() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .respond_with(collection(
            vec![row(9, "2026-03-01 10:00:00"), row(3, "2026-03-01 10:00:00")],
            true,
            9,
        ))
        .mount(&server)
        .await;
    let err = netsuite(&server)
        .read_page(Entity::Vendors, &PageQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Protocol { .. }), "{err:?}");
}

#[tokio::test]
async fn vendors_read_by_keyset_on_the_vendor_table() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(query_param("limit", "500"))
        .and(body_json(json!({"q": "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified FROM vendor ORDER BY lastmodifieddate, id"})))
        .respond_with(collection(vec![row(1335929, "2026-02-28 09:14:00")], false, 1))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor/1335929")))
        .and(query_param("expandSubResources", "true"))
        .respond_with(record(json!({"id": "1335929", "entityId": "V-00417", "companyName": "Acme Supply",
            "isInactive": true, "lastModifiedDate": "2026-02-28T09:14:00Z", "currency": {"id": "1", "refName": "USD"}})))
        .expect(1)
        .mount(&server)
        .await;
    let page = netsuite(&server)
        .read_page(Entity::Vendors, &PageQuery::default())
        .await
        .unwrap();
    assert_eq!(ids(&page), ["1335929"]);
    assert_eq!(page.next, None);
    let EntityData::Vendor(v) = &page.records[0].data else {
        panic!("not a vendor")
    };
    assert_eq!(
        (v.number.as_str(), v.name.as_str()),
        ("V-00417", "Acme Supply")
    );
    assert_eq!(v.status, mw_model::VendorStatus::Blocked);
}

// ---- inventory snapshots ----

fn native_item(id: &str, levels: Value) -> Value {
    json!({"links": [], "id": id, "itemId": format!("ITEM-{id}"), "displayName": format!("Item {id}"),
        "stockUnit": {"id": "1", "refName": "Each"}, "lastModifiedDate": "2025-01-01T00:00:00Z",
        "locations": {"links": [], "items": levels}})
}

#[tokio::test]
async fn inventory_is_a_snapshot_of_item_locations() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(query_param("limit", "2"))
        .and(body_json(
            json!({"q": "SELECT id FROM item WHERE itemtype = 'InvtPart' ORDER BY id"}),
        ))
        .respond_with(collection(
            vec![
                json!({"links": [], "id": "21"}),
                json!({"links": [], "id": "30"}),
            ],
            true,
            3,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(body_json(
            json!({"q": "SELECT id FROM item WHERE itemtype = 'InvtPart' AND id > 30 ORDER BY id"}),
        ))
        .respond_with(collection(vec![], false, 0))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/inventoryItem/21")))
        .and(query_param("expandSubResources", "true"))
        .respond_with(record(native_item(
            "21",
            json!([
                {"location": {"id": "2", "refName": "East"}, "quantityOnHand": 4.5},
                {"location": {"id": "1", "refName": "Main"}, "quantityOnHand": 12}
            ]),
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/inventoryItem/30")))
        .respond_with(record(native_item(
            "30",
            json!([{"location": {"id": "1"}}]),
        )))
        .mount(&server)
        .await;
    let ns = netsuite(&server);
    let query = PageQuery {
        changed_since: Some(at("2026-03-01T00:00:00Z")),
        resume: None,
        page_size: 2,
    };
    let page = ns.read_page(Entity::Inventory, &query).await.unwrap();
    assert_eq!(ids(&page), ["21:1", "21:2", "30:1"]);
    assert!(
        page.records
            .iter()
            .all(|r| r.remote_updated_at == at("2026-03-02T08:00:00Z"))
    );
    let EntityData::InventoryLevel(level) = &page.records[1].data else {
        panic!("not a level")
    };
    assert_eq!(level.quantity_on_hand.to_string(), "4.5");
    assert_eq!(level.unit.as_deref(), Some("Each"));
    let rest = ns
        .read_page(
            Entity::Inventory,
            &PageQuery {
                resume: page.next,
                ..query
            },
        )
        .await
        .unwrap();
    assert!(rest.records.is_empty() && rest.next.is_none());

    let one = ns.get(Entity::Inventory, "21:2").await.unwrap();
    assert_eq!(one.remote_id, "21:2");
    assert!(matches!(
        ns.get(Entity::Inventory, "21:9").await,
        Err(ConnectorError::NotFound(_))
    ));
}

// ---- governance ----

#[tokio::test]
async fn never_more_in_flight_than_the_concurrency_limit() {
    let server = MockServer::start().await;
    let rows: Vec<Value> = (1..=8).map(|i| row(i, "2026-03-01 10:00:00")).collect();
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .respond_with(collection(rows, false, 8))
        .mount(&server)
        .await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = arrivals.clone();
    const HELD: Duration = Duration::from_millis(150);
    Mock::given(method("GET"))
        .respond_with(move |request: &Request| {
            seen.lock().unwrap().push(Instant::now());
            let id = request.url.path().rsplit('/').next().unwrap().to_owned();
            record(native_po(&id, "2026-03-01T10:00:00Z")).set_delay(HELD)
        })
        .expect(8)
        .mount(&server)
        .await;
    let page = netsuite_with(&server, json!({"concurrency_limit": 2}))
        .read_page(Entity::PurchaseOrders, &PageQuery::default())
        .await
        .unwrap();
    assert_eq!(page.records.len(), 8);
    let arrivals = arrivals.lock().unwrap().clone();
    // A request is in flight from its arrival until its delayed answer has been read; the
    // connector sends the next only after that.
    let margin = Duration::from_millis(10);
    let most = arrivals
        .iter()
        .map(|a| {
            arrivals
                .iter()
                .filter(|b| *b <= a && a.duration_since(**b) < HELD - margin)
                .count()
        })
        .max()
        .unwrap();
    assert_eq!(most, 2, "{arrivals:?}");
}

#[tokio::test]
async fn concurrency_limit_refusals_are_waited_out() {
    let server = MockServer::start().await;
    let refused = AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor")))
        .respond_with(move |_: &Request| {
            if refused.fetch_add(1, Ordering::SeqCst) < 2 {
                ns_error(
                    429,
                    "CONCURRENCY_LIMIT_EXCEEDED",
                    "Concurrent request limit exceeded. Request blocked.",
                )
            } else {
                collection(vec![], false, 0)
            }
        })
        .expect(3)
        .mount(&server)
        .await;
    let info = netsuite(&server).verify().await.unwrap();
    assert_eq!(info.now, Some(at("2026-03-02T08:00:00Z")));
}

#[tokio::test]
async fn refusals_beyond_the_retry_budget_are_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ns_error(
            429,
            "CONCURRENCY_LIMIT_EXCEEDED",
            "Concurrent request limit exceeded. Request blocked.",
        ))
        .expect(2)
        .mount(&server)
        .await;
    match netsuite_with(&server, json!({"concurrency_retries": 1}))
        .verify()
        .await
    {
        Err(ConnectorError::RateLimited {
            upstream,
            retry_after: None,
        }) => assert_eq!(upstream.code.as_deref(), Some("CONCURRENCY_LIMIT_EXCEEDED")),
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

/// Matches a create body: exactly the JSON given plus the connector's own `externalId` (`mw-…`),
/// by which a create whose answer is lost is found again.
struct CreateBody(Value);

impl wiremock::Match for CreateBody {
    fn matches(&self, request: &Request) -> bool {
        let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else {
            return false;
        };
        let external = body.as_object_mut().and_then(|o| o.remove("externalId"));
        let ours = external
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|e| e.starts_with("mw-") && e.len() > 10);
        ours && body == self.0
    }
}

/// A vendor create naming its subsidiary, so that nothing but the create is sent.
fn vendor_in_subsidiary_1(name: &str) -> NewVendor {
    NewVendor {
        name: name.into(),
        tax_id: None,
        currency: None,
        payment_terms: None,
        email: None,
        phone: None,
        address: None,
        remote_fields: Some(serde_json::Map::from_iter([(
            "subsidiary".to_owned(),
            json!({"id": "1"}),
        )])),
    }
}

/// The `externalId` of the first create `server` received.
async fn external_id_sent(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    let create = requests
        .iter()
        .find(|r| r.method.as_str() == "POST")
        .unwrap();
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    body["externalId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_found_by_its_external_id_not_sent_twice() {
    let server = MockServer::start().await;
    // NetSuite applied the create, but a gateway lost the answer.
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/vendor")))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/services/rest/record/v1/vendor/eid:mw-[0-9a-f]{32}$",
        ))
        .respond_with(record(json!({"id": "1400002"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor/1400002")))
        .respond_with(record(
            json!({"id": "1400002", "companyName": "Lost Answer Co",
            "lastModifiedDate": "2026-03-02T08:00:00Z", "subsidiary": {"id": "1"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let vendor = vendor_in_subsidiary_1("Lost Answer Co");
    let created = netsuite(&server)
        .create(&NewRecord::Vendor(vendor))
        .await
        .unwrap();
    assert_eq!(created.remote_id, "1400002");
    let looked_up = server.received_requests().await.unwrap();
    let eid = external_id_sent(&server).await;
    assert!(
        looked_up
            .iter()
            .any(|r| r.url.path().ends_with(&format!("eid:{eid}"))),
        "the look-up names the external id the create carried"
    );
}

#[tokio::test]
async fn a_create_lost_before_netsuite_applied_it_is_sent_again_with_the_same_external_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/vendor")))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/vendor")))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("location", "/services/rest/record/v1/vendor/1400003"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/services/rest/record/v1/vendor/eid:",
        ))
        .respond_with(ns_error(
            404,
            "NONEXISTENT_ID",
            "The record instance does not exist.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor/1400003")))
        .respond_with(record(
            json!({"id": "1400003", "companyName": "Second Try Co",
            "lastModifiedDate": "2026-03-02T08:00:00Z", "subsidiary": {"id": "1"}}),
        ))
        .mount(&server)
        .await;
    let vendor = vendor_in_subsidiary_1("Second Try Co");
    let created = netsuite(&server)
        .create(&NewRecord::Vendor(vendor))
        .await
        .unwrap();
    assert_eq!(created.remote_id, "1400003");
    let posts: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["externalId"], posts[1]["externalId"]);
}

// ---- purchase order writes ----

fn new_po() -> NewPurchaseOrder {
    NewPurchaseOrder {
        vendor_remote_id: "1335929".into(),
        currency: "USD".into(),
        company: None,
        order_date: NaiveDate::from_ymd_opt(2026, 3, 2),
        payment_terms: None,
        lines: vec![NewPurchaseOrderLine {
            item: Some("13861".into()),
            description: Some("Millwright conformance line".into()),
            quantity: "12.5".parse().unwrap(),
            unit: None,
            unit_price: "41.20".parse().unwrap(),
            location: Some("1".into()),
            expected_delivery_date: None,
        }],
        remote_fields: None,
    }
}

#[tokio::test]
async fn a_purchase_order_is_created_and_read_back_by_its_location() {
    let server = MockServer::start().await;
    let signed = SignedByTba::default();
    // The currency's id is learned from the vendor the order goes to.
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor/1335929")))
        .respond_with(record(
            json!({"id": "1335929", "lastModifiedDate": "2026-01-01T00:00:00Z",
            "currency": {"id": "1", "refName": "US Dollar"}, "subsidiary": {"id": "1"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/purchaseOrder")))
        .and(header("content-type", "application/json"))
        .and(CreateBody(json!({
            "entity": {"id": "1335929"}, "currency": {"id": "1"}, "tranDate": "2026-03-02",
            "location": {"id": "1"},
            "item": {"items": [{"item": {"id": "13861"}, "quantity": 12.5, "rate": 41.2,
                "description": "Millwright conformance line", "location": {"id": "1"}}]}
        })))
        .and(signed.clone())
        .respond_with(ResponseTemplate::new(204).insert_header(
            "location",
            format!("{}{RECORD}/purchaseOrder/700001", server.uri()).as_str(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/purchaseOrder/700001")))
        .and(query_param("expandSubResources", "true"))
        .respond_with(record(native_po("700001", "2026-03-02T08:00:00Z")))
        .expect(1)
        .mount(&server)
        .await;
    let created = netsuite(&server)
        .create(&NewRecord::PurchaseOrder(new_po()))
        .await
        .unwrap();
    assert_eq!(created.remote_id, "700001");
}

#[tokio::test]
async fn netsuite_refusals_of_a_create_keep_the_native_code() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor/999")))
        .respond_with(ns_error(
            404,
            "NONEXISTENT_ID",
            "The record instance does not exist.",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/purchaseOrder")))
        .respond_with(ns_error(
            400,
            "INVALID_CONTENT",
            "Error while accessing resource: You have entered an Invalid Field Value 999 for the following field: entity",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut po = new_po();
    po.vendor_remote_id = "999".into();
    match netsuite(&server)
        .create(&NewRecord::PurchaseOrder(po))
        .await
    {
        Err(ConnectorError::Rejected(u)) => {
            assert_eq!(
                (u.status, u.code.as_deref()),
                (400, Some("INVALID_CONTENT"))
            );
            assert!(u.message.unwrap().contains("entity"));
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn what_netsuite_would_refuse_never_reaches_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let mut po = new_po();
    po.currency = "EUR".into();
    po.lines[0].item = Some("ROUTER".into());
    let ns = netsuite_with(&server, json!({"currencies": {"EUR": "4"}}));
    match ns.create(&NewRecord::PurchaseOrder(po)).await {
        Err(ConnectorError::Invalid(errors)) => {
            let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(paths, ["$.lines[0].item"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let wo: mw_model::NewWorkOrder =
        serde_json::from_value(json!({"title": "Replace pump seal"})).unwrap();
    assert!(matches!(
        ns.create(&NewRecord::WorkOrder(wo)).await,
        Err(ConnectorError::NotSupported { .. })
    ));
    assert!(matches!(
        ns.read_page(Entity::Assets, &PageQuery::default()).await,
        Err(ConnectorError::NotSupported { .. })
    ));
    assert!(matches!(
        ns.get(Entity::PurchaseOrders, "../vendor/1").await,
        Err(ConnectorError::NotFound(None))
    ));
}

#[tokio::test]
async fn a_purchase_order_change_merges_lines_by_number() {
    let server = MockServer::start().await;
    let reads = AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/purchaseOrder/607632")))
        .respond_with(move |_: &Request| {
            let stamp = if reads.fetch_add(1, Ordering::SeqCst) == 0 {
                "2026-03-01T10:00:00Z"
            } else {
                "2026-03-02T08:00:00Z"
            };
            record(native_po("607632", stamp))
        })
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{RECORD}/purchaseOrder/607632")))
        .and(body_json(json!({"terms": {"id": "2"},
            "item": {"items": [{"line": 2, "quantity": 17}]}})))
        .and(SignedByTba::default())
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let patch = PurchaseOrderPatch {
        payment_terms: Some("Net 30".into()),
        lines: Some(vec![PurchaseOrderLinePatch {
            line_number: "2".into(),
            description: None,
            quantity: Some("17".parse().unwrap()),
            unit_price: None,
            expected_delivery_date: None,
        }]),
        ..PurchaseOrderPatch::default()
    };
    let ns = netsuite(&server);
    let changed = ns
        .update("607632", &RecordPatch::PurchaseOrder(patch.clone()), None)
        .await
        .unwrap();
    assert_eq!(changed.remote_updated_at, at("2026-03-02T08:00:00Z"));
    assert!(matches!(
        ns.update("607632", &RecordPatch::PurchaseOrder(patch), Some("v1"))
            .await,
        Err(ConnectorError::NotSupported { .. })
    ));
}

#[tokio::test]
async fn a_deleted_purchase_order_is_gone() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{RECORD}/purchaseOrder/607632")))
        .and(SignedByTba::default())
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{RECORD}/purchaseOrder/1")))
        .respond_with(ns_error(
            403,
            "INSUFFICIENT_PERMISSION",
            "Permission Violation: You need a higher level of the 'Purchase Order' permission.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let ns = netsuite(&server);
    assert_eq!(
        ns.delete(Entity::PurchaseOrders, "607632", None)
            .await
            .unwrap(),
        None
    );
    match ns.delete(Entity::PurchaseOrders, "1", None).await {
        Err(ConnectorError::PermissionDenied(u)) => {
            assert_eq!(u.code.as_deref(), Some("INSUFFICIENT_PERMISSION"))
        }
        other => panic!("expected PermissionDenied, got {other:?}"),
    }
}

// ---- vendor create ----

#[tokio::test]
async fn a_vendor_is_created_in_the_usual_subsidiary() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(query_param("limit", "10"))
        .and(body_json(json!({"q": "SELECT id FROM vendor ORDER BY id"})))
        .respond_with(collection(
            vec![json!({"id": "5"}), json!({"id": "6"})],
            true,
            50,
        ))
        .expect(1)
        .mount(&server)
        .await;
    for (id, subsidiary) in [("5", "3"), ("6", "3")] {
        Mock::given(method("GET"))
            .and(path(format!("{RECORD}/vendor/{id}")))
            .respond_with(record(
                json!({"id": id, "lastModifiedDate": "2026-01-01T00:00:00Z",
                "subsidiary": {"id": subsidiary}, "currency": {"id": "4", "refName": "Euro"}}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/vendor")))
        .and(CreateBody(
            json!({"companyName": "Millwright Conformance Supplies",
            "subsidiary": {"id": "3"}, "currency": {"id": "4"}}),
        ))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("location", "/services/rest/record/v1/vendor/1400001"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/vendor/1400001")))
        .respond_with(record(json!({"id": "1400001", "companyName": "Millwright Conformance Supplies",
            "lastModifiedDate": "2026-03-02T08:00:00Z", "currency": {"id": "4", "refName": "Euro"}})))
        .expect(1)
        .mount(&server)
        .await;
    let vendor = NewVendor {
        name: "Millwright Conformance Supplies".into(),
        tax_id: None,
        currency: Some("EUR".into()),
        payment_terms: None,
        email: None,
        phone: None,
        address: None,
        remote_fields: None,
    };
    let created = netsuite(&server)
        .create(&NewRecord::Vendor(vendor))
        .await
        .unwrap();
    assert_eq!(created.remote_id, "1400001");
}

// ---- inventory adjustments ----

#[tokio::test]
async fn an_adjustment_posts_to_an_adjustment_account_and_returns_the_level() {
    let server = MockServer::start().await;
    let reads = AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/inventoryItem/21")))
        .respond_with(move |_: &Request| {
            let on_hand = if reads.fetch_add(1, Ordering::SeqCst) == 0 {
                json!(12)
            } else {
                json!(17.5)
            };
            record(native_item(
                "21",
                json!([{"location": {"id": "1"}, "quantityOnHand": on_hand}]),
            ))
        })
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(SUITEQL))
        .and(body_json(json!({"q": "SELECT * FROM account"})))
        .respond_with(collection(
            vec![
                json!({"id": "1", "acctnumber": "1000", "fullname": "Checking", "accttype": "Bank"}),
                json!({"id": "54", "fullname": "Cost of Goods Sold", "accttype": "COGS"}),
                json!({"id": "58", "fullname": "Inventory Adjustment", "accttype": "OthExpense"}),
            ],
            false,
            3,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{RECORD}/location/1")))
        .respond_with(record(json!({"id": "1", "name": "Main Warehouse",
            "subsidiary": {"links": [], "items": [{"id": "2", "refName": "US Ops"}]}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{RECORD}/inventoryAdjustment")))
        .and(CreateBody(json!({"subsidiary": {"id": "2"}, "account": {"id": "58"},
            "adjLocation": {"id": "1"}, "memo": "cycle count",
            "inventory": {"items": [{"item": {"id": "21"}, "location": {"id": "1"}, "adjustQtyBy": 5.5}]}})))
        .and(SignedByTba::default())
        .respond_with(ResponseTemplate::new(204).insert_header("location", "/services/rest/record/v1/inventoryAdjustment/88"))
        .expect(1)
        .mount(&server)
        .await;
    let adjustment = InventoryAdjustment {
        item: "21".into(),
        location: "1".into(),
        sub_location: None,
        batch: None,
        delta: "5.5".parse().unwrap(),
        unit: Some("each".into()),
        reason: Some("cycle count".into()),
    };
    let level = netsuite(&server)
        .create(&NewRecord::InventoryAdjustment(adjustment))
        .await
        .unwrap();
    assert_eq!(level.remote_id, "21:1");
    let EntityData::InventoryLevel(level) = level.data else {
        panic!("not a level")
    };
    assert_eq!(level.quantity_on_hand.to_string(), "17.5");
}
