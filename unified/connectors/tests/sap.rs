//! The SAP connector's protocol behaviour against a scripted SAP Gateway (wiremock): what it
//! sends (auth, query options, CSRF handshake, deep insert) and how it reads what comes back
//! (keyset paging, SAP error bodies, broken responses).
//!
//! The stateful SAP emulator lives in `mocks/` and is exercised by the conformance suites; these
//! tests pin the exact requests, which an emulator would accept more loosely.

// Helpers outside `#[test]` functions build fixed test data; a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod common;

use mw_connectors::{Connector, ConnectorConfig, ConnectorError, Page, PageQuery, connect};
use mw_model::{
    Entity, EntityData, NaiveDate, NewPurchaseOrder, NewPurchaseOrderLine, NewRecord, System,
};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use wiremock::matchers::{
    any, basic_auth, bearer_token, body_partial_json, body_string, header, method, path,
    query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::sap::{page, sap_error, sap_json, sap_with};
use common::{at, ids};

const SRV: &str = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV";

fn settings() -> Value {
    json!({"sap_client": "100", "purchasing_organization": "1710", "purchasing_group": "001"})
}

fn config(base_url: String, credentials: Value) -> ConnectorConfig {
    common::config(base_url, credentials, settings())
}

fn sap(server: &MockServer) -> Box<dyn Connector> {
    sap_with(server, settings())
}

/// A native purchase order with one item, as `API_PURCHASEORDER_PROCESS_SRV` returns it.
fn native_po(number: &str, changed: &str) -> Value {
    json!({
        "__metadata": {"type": "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType"},
        "PurchaseOrder": number, "CompanyCode": "1710", "PurchaseOrderType": "NB",
        "Supplier": "17300001", "DocumentCurrency": "USD", "PaymentTerms": "0004",
        "CreationDate": "/Date(1706486400000)/", "PurchaseOrderDate": "/Date(1706486400000)/",
        "LastChangeDateTime": format!("/Date({}+0000)/", at(changed).timestamp_millis()),
        "PurchasingDocumentDeletionCode": "", "ReleaseIsNotCompleted": false,
        "to_PurchaseOrderItem": {"results": [{
            "PurchaseOrder": number, "PurchaseOrderItem": "10", "Material": "TG11",
            "PurchaseOrderItemText": "Trading Good 11", "Plant": "1710", "OrderQuantity": "2",
            "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": "52.65", "NetPriceQuantity": "1",
            "IsCompletelyDelivered": false, "IsFinallyInvoiced": false,
            "PurchasingDocumentDeletionCode": ""
        }]}
    })
}

// ---- verify and authentication ----

#[tokio::test]
async fn verify_sends_basic_auth_and_reads_the_source_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/")))
        .and(basic_auth("ALICE", "s3cret"))
        .and(header("accept", "application/json"))
        .and(query_param("sap-client", "100"))
        .and(query_param_is_missing("$format"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"d": {"EntitySets": ["A_PurchaseOrder", "A_PurchaseOrderItem"]}}),
                )
                .insert_header("date", "Wed, 31 Jan 2024 08:00:00 GMT"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let info = sap(&server).verify().await.unwrap();
    assert_eq!(info.now, Some(at("2024-01-31T08:00:00Z")));
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_with_the_upstream_status() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Basic realm=\"SAP NetWeaver Application Server [S4H/100]\"")
                .set_body_raw(
                    "<html><head><title>Logon Error Message</title></head><body>Logon failed</body></html>",
                    "text/html",
                ),
        )
        .mount(&server)
        .await;

    match sap(&server).verify().await {
        Err(ConnectorError::Auth(upstream)) => {
            assert_eq!((upstream.system.as_str(), upstream.status), ("sap", 401));
            assert_eq!(upstream.message.as_deref(), Some("Logon Error Message"));
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_system_is_unavailable() {
    // A port that was just free: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sap = connect(
        System::Sap,
        config(
            format!("http://127.0.0.1:{port}"),
            json!({"username": "u", "password": "p"}),
        ),
    )
    .unwrap();
    match sap.verify().await {
        Err(ConnectorError::Unavailable {
            upstream: None,
            detail,
        }) => {
            assert!(detail.contains("could not be reached"), "{detail}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn oauth_client_credentials_are_cached_and_renewed_once_on_401() {
    let server = MockServer::start().await;
    let issued = AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/sap/bc/sec/oauth2/token"))
        .and(basic_auth("MW_CLIENT", "client-secret"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(query_param("sap-client", "100"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(move |_: &Request| {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(
                json!({"access_token": format!("token-{n}"), "token_type": "Bearer", "expires_in": 3600}),
            )
        })
        .expect(2)
        .mount(&server)
        .await;
    // The first token has been revoked; the second is good.
    Mock::given(method("GET"))
        .and(bearer_token("token-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/")))
        .and(bearer_token("token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"d": {"EntitySets": []}})))
        .expect(2)
        .mount(&server)
        .await;

    let sap = connect(
        System::Sap,
        config(
            server.uri(),
            json!({"client_id": "MW_CLIENT", "client_secret": "client-secret",
                   "token_url": format!("{}/sap/bc/sec/oauth2/token", server.uri())}),
        ),
    )
    .unwrap();
    sap.verify().await.unwrap();
    sap.verify().await.unwrap();
}

#[tokio::test]
async fn a_refused_oauth_client_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sap/bc/sec/oauth2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
        ))
        .mount(&server)
        .await;
    let sap = connect(
        System::Sap,
        config(
            server.uri(),
            json!({"client_id": "c", "client_secret": "wrong", "token_url": "/sap/bc/sec/oauth2/token"}),
        ),
    )
    .unwrap();
    match sap.verify().await {
        Err(ConnectorError::Auth(upstream)) => {
            assert_eq!(upstream.code.as_deref(), Some("invalid_client"));
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

// ---- keyset paging ----

#[tokio::test]
async fn keyset_paging_continues_after_the_last_record_and_ends_on_a_short_page() {
    let server = MockServer::start().await;
    let since = "LastChangeDateTime ge datetimeoffset'2024-01-31T08:00:00.123Z'";
    let order = "LastChangeDateTime asc,PurchaseOrder asc";
    let after = |ts: &str, key: &str| {
        format!(
            "{since} and (LastChangeDateTime gt datetimeoffset'{ts}' or (LastChangeDateTime eq datetimeoffset'{ts}' and PurchaseOrder gt '{key}'))"
        )
    };

    // Page 1: the first page asks for the count.
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder")))
        .and(query_param("$filter", since))
        .and(query_param("$orderby", order))
        .and(query_param("$top", "3"))
        .and(query_param(
            "$expand",
            "to_PurchaseOrderItem,to_PurchaseOrderItem/to_ScheduleLine",
        ))
        .and(query_param("$inlinecount", "allpages"))
        .and(query_param("sap-client", "100"))
        .and(basic_auth("ALICE", "s3cret"))
        .respond_with(sap_json(&page(
            &[
                native_po("4500000001", "2024-01-31T08:00:00.123Z"),
                native_po("4500000002", "2024-02-01T10:11:12.500Z"),
                native_po("4500000003", "2024-02-01T10:11:12.500Z"),
            ],
            Some("7"),
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    // Page 2: SAP caps the page at two and announces more with __next (not followed).
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder")))
        .and(query_param(
            "$filter",
            after("2024-02-01T10:11:12.500Z", "4500000003"),
        ))
        .and(query_param("$orderby", order))
        .and(query_param("$top", "3"))
        .and(query_param_is_missing("$inlinecount"))
        .and(query_param_is_missing("$skip"))
        .respond_with(sap_json(&page(
            &[
                native_po("4500000004", "2024-02-02T00:00:00Z"),
                native_po("4500000005", "2024-02-02T00:00:00Z"),
            ],
            None,
            Some("https://sap/A_PurchaseOrder?$skiptoken=5"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    // Page 3: short and without __next, so the read is over.
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder")))
        .and(query_param(
            "$filter",
            after("2024-02-02T00:00:00.000Z", "4500000005"),
        ))
        .respond_with(sap_json(&page(
            &[
                native_po("4500000006", "2024-02-03T00:00:00Z"),
                native_po("4500000007", "2024-02-04T00:00:00Z"),
            ],
            None,
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;

    let query = PageQuery {
        changed_since: Some(at("2024-01-31T08:00:00.123456Z")),
        resume: None,
        page_size: 3,
    };
    let first = sap(&server)
        .read_page(Entity::PurchaseOrders, &query)
        .await
        .unwrap();
    assert_eq!(ids(&first), ["4500000001", "4500000002", "4500000003"]);
    assert_eq!(first.total, Some(7));
    assert_eq!(
        first.records[1].remote_updated_at,
        at("2024-02-01T10:11:12.500Z")
    );

    // The cursor survives a restart: a new connector continues from it.
    let resume = |page: &Page| PageQuery {
        resume: page.next.clone(),
        ..query.clone()
    };
    let second = sap(&server)
        .read_page(Entity::PurchaseOrders, &resume(&first))
        .await
        .unwrap();
    assert_eq!(ids(&second), ["4500000004", "4500000005"]);
    assert_eq!(second.total, None);
    assert!(
        second.next.is_some(),
        "a capped page with __next is not the end"
    );

    let third = sap(&server)
        .read_page(Entity::PurchaseOrders, &resume(&second))
        .await
        .unwrap();
    assert_eq!(ids(&third), ["4500000006", "4500000007"]);
    assert_eq!(third.next, None);

    // Query values are percent-encoded: spaces as %20, quotes as %27, never a bare `+` or `'`.
    for request in server.received_requests().await.unwrap() {
        let query = request.url.query().unwrap_or_default();
        assert!(
            !query.contains('+') && !query.contains('\'') && !query.contains(' '),
            "{query}"
        );
        assert!(query.contains("%20") && query.contains("%27"), "{query}");
    }
}

#[tokio::test]
async fn a_read_that_cannot_advance_is_reported_not_looped() {
    // A server that keeps more sub-millisecond changes in one printed millisecond than a page
    // holds answers a resumed query with records at or before the cursor.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("$filter"))
        .respond_with(sap_json(&page(
            &[
                native_po("4500000001", "2024-02-01T10:11:12.500Z"),
                native_po("4500000002", "2024-02-01T10:11:12.500Z"),
            ],
            Some("3"),
            None,
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$top", "2"))
        .and(wiremock::matchers::query_param_contains("$filter", "gt"))
        .respond_with(sap_json(&page(
            &[
                native_po("4500000001", "2024-02-01T10:11:12.500Z"),
                native_po("4500000002", "2024-02-01T10:11:12.500Z"),
            ],
            None,
            None,
        )))
        .mount(&server)
        .await;
    let sap = sap(&server);
    let query = PageQuery {
        changed_since: None,
        resume: None,
        page_size: 2,
    };
    let first = sap.read_page(Entity::PurchaseOrders, &query).await.unwrap();
    let again = PageQuery {
        resume: first.next,
        ..query
    };
    match sap.read_page(Entity::PurchaseOrders, &again).await {
        Err(ConnectorError::Protocol { detail, .. }) => {
            assert!(detail.contains("does not advance"), "{detail}")
        }
        other => panic!("expected Protocol, got {other:?}"),
    }
}

#[tokio::test]
async fn a_foreign_cursor_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let query = PageQuery {
        changed_since: None,
        resume: Some("bm90IG91cnM".into()),
        page_size: 10,
    };
    assert!(matches!(
        sap(&server).read_page(Entity::PurchaseOrders, &query).await,
        Err(ConnectorError::Invalid(_))
    ));
}

// ---- get ----

#[tokio::test]
async fn get_reads_one_order_by_its_key_with_quotes_doubled() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder('4500000001')")))
        .and(query_param(
            "$expand",
            "to_PurchaseOrderItem,to_PurchaseOrderItem/to_ScheduleLine",
        ))
        .respond_with(sap_json(
            &json!({"d": native_po("4500000001", "2024-02-01T10:11:12.500Z")}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder('45''01')")))
        .respond_with(ResponseTemplate::new(404).set_body_json(sap_error(
            "/IWBEP/CM_MGW_RT/020",
            "Resource not found for segment 'A_PurchaseOrderType'",
        )))
        .expect(1)
        .mount(&server)
        .await;

    let sap = sap(&server);
    let record = sap.get(Entity::PurchaseOrders, "4500000001").await.unwrap();
    assert_eq!(record.remote_id, "4500000001");
    let EntityData::PurchaseOrder(po) = &record.data else {
        panic!("not a purchase order");
    };
    assert_eq!(po.total_amount.to_string(), "105.30");

    match sap.get(Entity::PurchaseOrders, "45'01").await {
        Err(ConnectorError::NotFound(Some(upstream))) => {
            assert_eq!(upstream.status, 404);
            assert_eq!(upstream.code.as_deref(), Some("/IWBEP/CM_MGW_RT/020"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

// ---- create: CSRF and deep insert ----

fn new_order() -> NewRecord {
    NewRecord::PurchaseOrder(NewPurchaseOrder {
        vendor_remote_id: "17300001".into(),
        currency: "USD".into(),
        company: Some("1710".into()),
        order_date: NaiveDate::from_ymd_opt(2024, 5, 3),
        payment_terms: None,
        lines: vec![NewPurchaseOrderLine {
            item: Some("TG11".into()),
            description: None,
            quantity: "2".parse().unwrap(),
            unit: Some("PC".into()),
            unit_price: "52.65".parse().unwrap(),
            location: Some("1710".into()),
            expected_delivery_date: None,
        }],
        remote_fields: Some(
            json!({"IncotermsClassification": "FOB"})
                .as_object()
                .unwrap()
                .clone(),
        ),
    })
}

/// The CSRF fetch: token `tokens[n]` on the n-th call, with the session cookies.
async fn mount_csrf_fetch(server: &MockServer, tokens: &'static [&'static str], times: u64) {
    let calls = AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/")))
        .and(header("x-csrf-token", "Fetch"))
        .and(basic_auth("ALICE", "s3cret"))
        .respond_with(move |_: &Request| {
            let n = calls.fetch_add(1, Ordering::SeqCst).min(tokens.len() - 1);
            ResponseTemplate::new(200)
                .set_body_json(json!({"d": {"EntitySets": ["A_PurchaseOrder"]}}))
                .insert_header("x-csrf-token", tokens[n])
                .append_header(
                    "set-cookie",
                    format!("SAP_SESSIONID_S4H_100=session-{n}; path=/; HttpOnly"),
                )
                .append_header("set-cookie", "sap-usercontext=sap-client=100; path=/")
        })
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_read_back(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder('4500000100')")))
        .respond_with(sap_json(
            &json!({"d": native_po("4500000100", "2024-05-03T09:00:00Z")}),
        ))
        .expect(1)
        .mount(server)
        .await;
}

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201)
        .insert_header(
            "location",
            format!("https://sap{SRV}/A_PurchaseOrder('4500000100')"),
        )
        .set_body_json(json!({"d": {"PurchaseOrder": "4500000100", "PurchaseOrderType": "NB"}}))
}

#[tokio::test]
async fn create_fetches_a_csrf_token_and_posts_a_deep_insert_with_the_session() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, &["token-A"], 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{SRV}/A_PurchaseOrder")))
        .and(basic_auth("ALICE", "s3cret"))
        .and(header("x-csrf-token", "token-A"))
        .and(header("cookie", "SAP_SESSIONID_S4H_100=session-0; sap-usercontext=sap-client=100"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(query_param("sap-client", "100"))
        .and(query_param_is_missing("$format"))
        .and(body_partial_json(json!({
            "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
            "PurchasingGroup": "001", "Supplier": "17300001", "DocumentCurrency": "USD",
            "PurchaseOrderDate": "/Date(1714694400000)/", "IncotermsClassification": "FOB",
            "to_PurchaseOrderItem": [{"PurchaseOrderItem": "10", "Material": "TG11", "Plant": "1710",
                "OrderQuantity": "2", "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": "52.65",
                "NetPriceQuantity": "1"}]
        })))
        .respond_with(created())
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SRV}/A_PurchaseOrder('4500000100')")))
        .respond_with(sap_json(
            &json!({"d": native_po("4500000100", "2024-05-03T09:00:00Z")}),
        ))
        .expect(2)
        .mount(&server)
        .await;

    let sap = sap(&server);
    let record = sap.create(&new_order()).await.unwrap();
    assert_eq!(record.remote_id, "4500000100");
    assert_eq!(record.remote_updated_at, at("2024-05-03T09:00:00Z"));
    // The token and its session are reused: one fetch for two writes.
    sap.create(&new_order()).await.unwrap();
}

#[tokio::test]
async fn an_expired_csrf_token_is_fetched_again_and_the_write_retried_once() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, &["token-old", "token-new"], 2).await;
    Mock::given(method("POST"))
        .and(header("x-csrf-token", "token-old"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-csrf-token", "Required")
                .set_body_raw("CSRF token validation failed", "text/plain"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("x-csrf-token", "token-new"))
        .and(header(
            "cookie",
            "SAP_SESSIONID_S4H_100=session-1; sap-usercontext=sap-client=100",
        ))
        .respond_with(created())
        .expect(1)
        .mount(&server)
        .await;
    mount_read_back(&server).await;

    let record = sap(&server).create(&new_order()).await.unwrap();
    assert_eq!(record.remote_id, "4500000100");
}

#[tokio::test]
async fn csrf_refused_twice_is_not_retried_forever() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, &["token-1", "token-2"], 2).await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-csrf-token", "Required")
                .set_body_raw("CSRF token validation failed", "text/plain"),
        )
        .expect(2)
        .mount(&server)
        .await;
    match sap(&server).create(&new_order()).await {
        Err(ConnectorError::PermissionDenied(upstream)) => {
            assert_eq!(
                upstream.message.as_deref(),
                Some("CSRF token validation failed")
            );
        }
        other => panic!("expected PermissionDenied, got {other:?}"),
    }
}

#[tokio::test]
async fn a_403_without_the_csrf_marker_is_permission_denied_without_retry() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, &["token-A"], 1).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(sap_error(
            "/IWFND/MED/170",
            "No service found for namespace '', name 'API_PURCHASEORDER_PROCESS_SRV', version '0001'",
        )))
        .expect(1)
        .mount(&server)
        .await;
    match sap(&server).create(&new_order()).await {
        Err(ConnectorError::PermissionDenied(upstream)) => {
            assert_eq!(upstream.status, 403);
            assert_eq!(upstream.code.as_deref(), Some("/IWFND/MED/170"));
        }
        other => panic!("expected PermissionDenied, got {other:?}"),
    }
}

#[tokio::test]
async fn business_refusals_keep_the_sap_code_and_message() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, &["token-A"], 1).await;
    let refusals = AtomicUsize::new(0);
    Mock::given(method("POST"))
        .respond_with(move |_: &Request| {
            let body = match refusals.fetch_add(1, Ordering::SeqCst) {
                0 => sap_error(
                    "06/027",
                    "Supplier 17300001 has not been created for purch. organization 1710",
                ),
                _ => sap_error(
                    "MMPUR_INTEGRATION_PO/002",
                    "Purchase Order 4500000001 is locked in another session",
                ),
            };
            ResponseTemplate::new(400).set_body_json(body)
        })
        .expect(2)
        .mount(&server)
        .await;

    let sap = sap(&server);
    match sap.create(&new_order()).await {
        Err(ConnectorError::Rejected(upstream)) => {
            assert_eq!(upstream.status, 400);
            assert_eq!(upstream.code.as_deref(), Some("06/027"));
            assert_eq!(
                upstream.message.as_deref(),
                Some("Supplier 17300001 has not been created for purch. organization 1710")
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    match sap.create(&new_order()).await {
        Err(ConnectorError::Conflict(upstream)) => {
            assert_eq!(upstream.code.as_deref(), Some("MMPUR_INTEGRATION_PO/002"));
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn an_invalid_order_never_reaches_sap() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let NewRecord::PurchaseOrder(mut po) = new_order() else {
        unreachable!()
    };
    po.company = None;
    po.lines[0].location = None;
    po.lines[0].unit = None;
    match sap(&server).create(&NewRecord::PurchaseOrder(po)).await {
        Err(ConnectorError::Invalid(errors)) => {
            let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(
                paths,
                ["$.company", "$.lines[0].location", "$.lines[0].unit"]
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn deletes_sap_does_not_offer_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let sap = sap(&server);
    for entity in [
        Entity::WorkOrders,
        Entity::Assets,
        Entity::Inventory,
        Entity::Vendors,
    ] {
        assert!(matches!(
            sap.delete(entity, "1", None).await,
            Err(ConnectorError::NotSupported { .. })
        ));
        assert!(
            !sap.capabilities()
                .supports(entity, mw_connectors::Operation::Delete)
        );
    }
}

// ---- errors on reads ----

async fn read_with(response: ResponseTemplate) -> Result<Page, ConnectorError> {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let query = PageQuery {
        changed_since: None,
        resume: None,
        page_size: 50,
    };
    // One attempt: these tests are about what each answer means, not about retrying it.
    let mut once = settings();
    once["retry_max_attempts"] = json!(1);
    sap_with(&server, once)
        .read_page(Entity::PurchaseOrders, &query)
        .await
}

#[tokio::test]
async fn throttling_and_outages_are_told_apart() {
    match read_with(ResponseTemplate::new(429).insert_header("retry-after", "7")).await {
        Err(ConnectorError::RateLimited {
            upstream,
            retry_after,
        }) => {
            assert_eq!(
                (upstream.status, retry_after),
                (429, Some(Duration::from_secs(7)))
            );
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    match read_with(
        ResponseTemplate::new(503)
            .set_body_json(sap_error("/IWFND/CM_BEC/026", "No work process available")),
    )
    .await
    {
        Err(ConnectorError::Unavailable {
            upstream: Some(upstream),
            detail,
        }) => {
            assert_eq!(upstream.status, 503);
            assert_eq!(upstream.code.as_deref(), Some("/IWFND/CM_BEC/026"));
            assert!(detail.contains("No work process available"), "{detail}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    match read_with(ResponseTemplate::new(400).set_body_json(sap_error(
        "/IWBEP/CM_MGW_RT/004",
        "Invalid filter expression",
    )))
    .await
    {
        Err(ConnectorError::Rejected(upstream)) => {
            assert_eq!(
                upstream.message.as_deref(),
                Some("Invalid filter expression")
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn answers_that_are_not_odata_are_protocol_errors() {
    for body in [
        r#"{"d":{"results":[{"PurchaseOrder":"45"#,
        r#"{"value":[]}"#,
        "<html><body>Maintenance</body></html>",
        r#"{"d":{"results":[{"PurchaseOrder":"4500000001","DocumentCurrency":"USD","LastChangeDateTime":"yesterday","to_PurchaseOrderItem":{"results":[]}}]}}"#,
    ] {
        match read_with(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await {
            Err(ConnectorError::Protocol { .. }) => {}
            other => panic!("expected Protocol for {body}, got {other:?}"),
        }
    }
}
