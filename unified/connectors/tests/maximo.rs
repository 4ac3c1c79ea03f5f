//! The Maximo connector's reads against a scripted Maximo (wiremock): what it sends (auth
//! headers, the API route, `lean=1`, `oslc.select`/`oslc.where`/`oslc.orderBy`/`oslc.pageSize`,
//! rest ids) and how it reads what comes back (keyset pages across a group of rows sharing one
//! change second, snapshots, BMXAA error bodies).
//!
//! The stateful Maximo emulator lives in `mocks/` and is exercised by the conformance suites;
//! these tests pin the exact requests, which an emulator would accept more loosely.

// Helpers outside `#[test]` functions build fixed test data; a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod common;

use mw_connectors::{Connector, ConnectorError, PageQuery, connect};
use mw_model::{AssetStatus, Decimal, Entity, EntityData, System, WorkOrderStatus};
use serde_json::{Value, json};
use wiremock::matchers::{
    header, header_exists, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::maximo::{maximo_error, maximo_with};
use common::{at, config, ids};

const WO: &str = "/maximo/api/os/mxapiwodetail";
const INVENTORY: &str = "/maximo/api/os/mxapiinventory";
const ASSET: &str = "/maximo/api/os/mxapiasset";
const PO: &str = "/maximo/api/os/mxapipo";

fn maximo(server: &MockServer) -> Box<dyn Connector> {
    maximo_with(server, json!({}))
}

/// A native work order as `mxapiwodetail` returns it with `lean=1&oslc.select=*`.
fn native_wo(site: &str, wonum: &str, changed: &str, status: &str) -> Value {
    json!({
        "href": format!("http://maximo{WO}/_x"),
        "wonum": wonum, "siteid": site, "orgid": "EAGLENA", "description": "Pump leaking",
        "status": status, "status_description": status, "worktype": "CM", "wopriority": 2,
        "assetnum": "11430", "reportdate": "2024-01-29T08:05:11-05:00",
        "changedate": changed, "_rowstamp": "756466"
    })
}

fn collection(members: Vec<Value>, total: Option<u64>) -> ResponseTemplate {
    let mut info = json!({"href": "http://maximo/…", "pagenum": 1});
    if let Some(total) = total {
        info["totalCount"] = json!(total);
    }
    ResponseTemplate::new(200).set_body_json(json!({
        "member": members, "href": format!("http://maximo{WO}"), "responseInfo": info
    }))
}

// ---- auth ----

#[tokio::test]
async fn verify_sends_the_api_key_and_reads_the_source_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(WO))
        .and(header("apikey", "k3y"))
        .and(query_param("lean", "1"))
        .and(query_param("oslc.select", "wonum"))
        .and(query_param("oslc.pageSize", "1"))
        .respond_with(
            collection(vec![], None).insert_header("date", "Thu, 01 Feb 2024 08:00:00 GMT"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let info = maximo(&server).verify().await.unwrap();
    assert_eq!(info.now, Some(at("2024-02-01T08:00:00Z")));
}

#[tokio::test]
async fn a_login_goes_as_maxauth_on_the_oslc_route() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/maximo/oslc/os/mxapiwodetail"))
        // base64("wilson:wilson")
        .and(header("maxauth", "d2lsc29uOndpbHNvbg=="))
        .respond_with(collection(vec![], None))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connect(
        System::Maximo,
        config(
            format!("{}/maximo", server.uri()),
            json!({"username": "wilson", "password": "wilson"}),
            json!({"route": "oslc"}),
        ),
    )
    .unwrap();
    connector.verify().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !r.headers.contains_key("apikey")));
}

#[tokio::test]
async fn refused_credentials_keep_maximo_s_reason() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("apikey", "k3y"))
        .respond_with(maximo_error(
            401,
            "BMXAA7901E",
            "You cannot log in at this time.",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("apikey", "revoked"))
        .respond_with(maximo_error(
            400,
            "BMXAA9549E",
            "The API key token is invalid. Either the token may have expired or the token has been revoked by the administrator.",
        ))
        .mount(&server)
        .await;
    let err = maximo(&server).verify().await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Auth(u) if u.status == 401 && u.code.as_deref() == Some("BMXAA7901E")),
        "{err:?}"
    );
    let revoked = connect(
        System::Maximo,
        config(server.uri(), json!({"apikey": "revoked"}), json!(null)),
    )
    .unwrap();
    let err = revoked.verify().await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Auth(u) if u.status == 400 && u.code.as_deref() == Some("BMXAA9549E")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_maximo_is_unavailable() {
    // A port that was free a moment ago and has no listener now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("http://127.0.0.1:{port}");
    let connector = connect(
        System::Maximo,
        config(uri, json!({"apikey": "k"}), json!({})),
    )
    .unwrap();
    let err = connector.verify().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
}

// ---- reads ----

#[tokio::test]
async fn work_orders_page_by_changedate_then_key_across_a_shared_second() {
    let server = MockServer::start().await;
    let order = "+changedate,+siteid,+wonum";
    let group = "+siteid,+wonum";
    let second =
        r#"changedate>="2024-02-01T08:00:02+00:00" and changedate<"2024-02-01T08:00:03+00:00""#;
    let wo_1000 = native_wo("BEDFORD", "1000", "2024-02-01T03:00:02-05:00", "INPRG");
    let wo_1001 = native_wo("BEDFORD", "1001", "2024-02-01T08:00:02+00:00", "WAPPR");
    let wo_1002 = native_wo("NASHUA", "1002", "2024-02-01T08:00:02+00:00", "WPCOND");
    let wo_997 = native_wo("BEDFORD", "997", "2024-02-01T09:30:00+00:00", "CLOSE");
    // Page 1: two rows and the look-ahead, which shares their second.
    Mock::given(method("GET"))
        .and(path(WO))
        .and(query_param("lean", "1"))
        .and(query_param("oslc.select", "*"))
        .and(query_param(
            "oslc.where",
            r#"changedate>="2024-02-01T08:00:00+00:00""#,
        ))
        .and(query_param("oslc.orderBy", order))
        .and(query_param("oslc.pageSize", "3"))
        .and(query_param("collectioncount", "1"))
        .and(query_param_is_missing("pageno"))
        .respond_with(collection(
            vec![wo_1000.clone(), wo_1001.clone(), wo_1002.clone()],
            Some(4),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Page 2: the rest of that second, in key order, from its start (the rows already
    // returned are skipped), then the phases after the last key, then the next second.
    Mock::given(method("GET"))
        .and(path(WO))
        .and(query_param("oslc.where", second))
        .and(query_param("oslc.orderBy", group))
        .and(query_param("oslc.pageSize", "3"))
        .and(query_param_is_missing("collectioncount"))
        .respond_with(collection(vec![wo_1000, wo_1001, wo_1002], None))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(WO))
        .and(query_param(
            "oslc.where",
            format!(r#"{second} and siteid="NASHUA" and wonum>"1002""#),
        ))
        .and(query_param("oslc.orderBy", group))
        .respond_with(collection(vec![], None))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(WO))
        .and(query_param(
            "oslc.where",
            format!(r#"{second} and siteid>"NASHUA""#),
        ))
        .and(query_param("oslc.orderBy", group))
        .respond_with(collection(vec![], None))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(WO))
        .and(query_param(
            "oslc.where",
            r#"changedate>="2024-02-01T08:00:03+00:00""#,
        ))
        .and(query_param("oslc.orderBy", order))
        .and(query_param("oslc.pageSize", "2"))
        .respond_with(collection(vec![wo_997], None))
        .expect(1)
        .mount(&server)
        .await;

    let connector = maximo(&server);
    let query = PageQuery {
        changed_since: Some(at("2024-02-01T08:00:00.750Z")),
        resume: None,
        page_size: 2,
    };
    let first = connector
        .read_page(Entity::WorkOrders, &query)
        .await
        .unwrap();
    assert_eq!(ids(&first), ["BEDFORD/1000", "BEDFORD/1001"]);
    assert_eq!(first.total, Some(4));
    assert_eq!(
        first.records[0].remote_updated_at,
        at("2024-02-01T08:00:02Z")
    );
    assert_eq!(first.records[0].remote_version.as_deref(), Some("756466"));
    let EntityData::WorkOrder(wo) = &first.records[0].data else {
        panic!("not a work order");
    };
    assert_eq!(wo.status, WorkOrderStatus::InProgress);

    let second_page = connector
        .read_page(
            Entity::WorkOrders,
            &PageQuery {
                resume: first.next.clone(),
                ..query.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&second_page), ["NASHUA/1002", "BEDFORD/997"]);
    assert_eq!(second_page.next, None);
    assert_eq!(second_page.total, None);

    // A work-order cursor is no asset cursor.
    let foreign = connector
        .read_page(
            Entity::Assets,
            &PageQuery {
                resume: first.next,
                ..query
            },
        )
        .await;
    assert!(
        matches!(foreign, Err(ConnectorError::Invalid(_))),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn inventory_is_a_snapshot_in_key_order_stamped_with_the_source_clock() {
    let server = MockServer::start().await;
    let row = |item: &str, store: &str, curbal: f64| {
        json!({"itemnum": item, "itemsetid": "SET1", "location": store, "siteid": "BEDFORD",
            "curbal": curbal, "issueunit": "EACH", "statusdate": "2008-07-11T12:37:45-04:00",
            "_rowstamp": "221001"})
    };
    Mock::given(method("GET"))
        .and(path(INVENTORY))
        .and(query_param("oslc.select", "*,curbal"))
        .and(query_param(
            "oslc.orderBy",
            "+itemnum,+itemsetid,+location,+siteid",
        ))
        .and(query_param("oslc.pageSize", "3"))
        .and(query_param_is_missing("oslc.where"))
        .respond_with(
            collection(
                vec![
                    row("0-0006", "CENTRAL", 39.0),
                    row("0-0006", "NORTH", 2.5),
                    row("PIPE-2", "CENTRAL", 0.0),
                ],
                Some(3),
            )
            .insert_header("date", "Thu, 01 Feb 2024 08:00:00 GMT"),
        )
        .expect(1)
        .mount(&server)
        .await;
    // The look-ahead differs in the first key: the next page is everything after that item.
    Mock::given(method("GET"))
        .and(path(INVENTORY))
        .and(query_param("oslc.where", r#"itemnum>"0-0006""#))
        .and(query_param("oslc.pageSize", "3"))
        .respond_with(collection(vec![row("PIPE-2", "CENTRAL", 0.0)], None))
        .expect(1)
        .mount(&server)
        .await;
    let connector = maximo(&server);
    // A window means nothing to a snapshot.
    let query = PageQuery {
        changed_since: Some(at("2024-01-01T00:00:00Z")),
        resume: None,
        page_size: 2,
    };
    let first = connector
        .read_page(Entity::Inventory, &query)
        .await
        .unwrap();
    assert_eq!(
        ids(&first),
        ["0-0006/SET1/CENTRAL/BEDFORD", "0-0006/SET1/NORTH/BEDFORD"]
    );
    assert!(
        first
            .records
            .iter()
            .all(|r| r.remote_updated_at == at("2024-02-01T08:00:00Z"))
    );
    let EntityData::InventoryLevel(level) = &first.records[1].data else {
        panic!("not an inventory level");
    };
    assert_eq!(level.quantity_on_hand, Decimal::new(25, 1));
    assert_eq!(
        (level.location.as_str(), level.sub_location.as_deref()),
        ("BEDFORD", Some("NORTH"))
    );
    let last = connector
        .read_page(
            Entity::Inventory,
            &PageQuery {
                resume: first.next,
                ..query
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&last), ["PIPE-2/SET1/CENTRAL/BEDFORD"]);
    assert_eq!(last.next, None);
}

#[tokio::test]
async fn one_record_by_its_rest_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{ASSET}/_QTYwMDIvRkxFRVQ-")))
        .and(query_param("lean", "1"))
        .and(query_param("oslc.select", "*"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "assetnum": "A6002", "siteid": "FLEET", "description": "Delivery truck #2",
            "status": "DECOMMISSIONED", "changedate": "2024-01-30T16:45:10-05:00",
            "_rowstamp": "35002"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PO}/_MTAxNy8wL0JFREZPUkQ-")))
        .and(query_param("oslc.select", "*,poline{*}"))
        .respond_with(maximo_error(
            404,
            "BMXAA8727E",
            "OSLC resource mxapipo with the ID _MTAxNy8wL0JFREZPUkQ- not found.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let connector = maximo(&server);
    let asset = connector.get(Entity::Assets, "A6002/FLEET").await.unwrap();
    let EntityData::Asset(a) = &asset.data else {
        panic!("not an asset");
    };
    assert_eq!(a.status, AssetStatus::Decommissioned);
    assert_eq!(asset.remote_version.as_deref(), Some("35002"));
    let missing = connector
        .get(Entity::PurchaseOrders, "1017/0/BEDFORD")
        .await;
    assert!(
        matches!(&missing, Err(ConnectorError::NotFound(Some(u))) if u.code.as_deref() == Some("BMXAA8727E")),
        "{missing:?}"
    );
    // Not a purchase order id at all (three keys): nothing is asked.
    assert!(matches!(
        connector.get(Entity::PurchaseOrders, "1017").await,
        Err(ConnectorError::NotFound(None))
    ));
}

#[tokio::test]
async fn refusals_and_broken_answers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(WO))
        .and(header_exists("apikey"))
        .respond_with(maximo_error(
            400,
            "BMXAA8744E",
            "Encountered \"(\". Was expecting <SORT_ORDER_SIGN>",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(WO))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"member\": [", "application/json"))
        .mount(&server)
        .await;
    let connector = maximo(&server);
    let query = PageQuery {
        page_size: 10,
        ..PageQuery::default()
    };
    let refused = connector
        .read_page(Entity::WorkOrders, &query)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ConnectorError::Rejected(u) if u.code.as_deref() == Some("BMXAA8744E")),
        "{refused:?}"
    );
    let broken = connector
        .read_page(Entity::WorkOrders, &query)
        .await
        .unwrap_err();
    assert!(
        matches!(broken, ConnectorError::Protocol { .. }),
        "{broken:?}"
    );
    assert!(broken.is_transient());
}
