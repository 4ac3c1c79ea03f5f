//! The Maximo connector's writes against a scripted Maximo (wiremock): the exact requests of
//! each write (`transactionid`, `x-method-override`, `patchtype`, `If-Match`, web-method
//! actions, bodies), how a repeat of a write whose answer was lost is recognised by its
//! transaction id and never applied twice, and how Maximo's refusals come back.

// Helpers outside `#[test]` functions build fixed test data; a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod common;

use mw_connectors::http::HttpConfig;
use mw_connectors::{Connector, ConnectorConfig, ConnectorError, connect};
use mw_model::{
    AssetPatch, Decimal, Entity, EntityData, InventoryAdjustment, NewPurchaseOrder,
    NewPurchaseOrderLine, NewRecord, NewVendor, NewWorkOrder, RecordPatch, StatusChange, System,
    WorkOrderStatus,
};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::maximo::{maximo_error, maximo_with};

const WO: &str = "/maximo/api/os/mxapiwodetail";
const ASSET: &str = "/maximo/api/os/mxapiasset";
const INVENTORY: &str = "/maximo/api/os/mxapiinventory";
const PO: &str = "/maximo/api/os/mxapipo";
const VENDOR: &str = "/maximo/api/os/mxapivendor";
/// The rest id of `BEDFORD/1000`.
const WO_1000: &str = "_QkVERk9SRC8xMDAw";

fn maximo(server: &MockServer) -> Box<dyn Connector> {
    maximo_with(server, json!({"siteid": "BEDFORD", "orgid": "EAGLENA"}))
}

fn native_wo(status: &str, rowstamp: &str) -> Value {
    json!({"wonum": "1000", "siteid": "BEDFORD", "description": "Relief valve leaking",
        "status": status, "worktype": "CM", "changedate": "2024-02-01T03:00:02-05:00",
        "_rowstamp": rowstamp})
}

fn created(rest_path: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).insert_header("location", format!("http://maximo{rest_path}"))
}

/// The `transactionid` of every request `server` received, in order.
async fn transaction_ids(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| r.headers.get("transactionid"))
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn new_order() -> NewWorkOrder {
    NewWorkOrder {
        title: "Relief valve leaking".into(),
        description: None,
        work_type: Some("CM".into()),
        priority: Some("1".into()),
        asset_remote_id: Some("11430/BEDFORD".into()),
        site: None,
        location: None,
        planned_start: None,
        planned_end: None,
        remote_fields: None,
    }
}

// ---- work orders ----

#[tokio::test]
async fn a_work_order_is_posted_with_a_transaction_id_and_read_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(WO))
        .and(query_param("lean", "1"))
        .and(header("apikey", "k3y"))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"description": "Relief valve leaking", "siteid": "BEDFORD",
            "worktype": "CM", "wopriority": 1, "assetnum": "11430"}),
        ))
        .respond_with(created(&format!("{WO}/{WO_1000}")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{WO}/{WO_1000}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_wo("WAPPR", "1")))
        .expect(1)
        .mount(&server)
        .await;
    let record = maximo(&server)
        .create(&NewRecord::WorkOrder(new_order()))
        .await
        .unwrap();
    assert_eq!(record.remote_id, "BEDFORD/1000");
    let requests = server.received_requests().await.unwrap();
    let post = &requests[0];
    assert!(post.headers.get("x-method-override").is_none());
    let tids = transaction_ids(&server).await;
    assert_eq!(tids.len(), 1);
    assert!(tids[0].starts_with("mw-") && tids[0].len() > 20, "{tids:?}");
}

/// Mounts a Maximo whose first answer to a work-order create is lost (a gateway 502 after the
/// write was applied) and which answers a repeated `transactionid` with `BMXAA9524E`; returns
/// the transaction ids it received. The record it made is found again, newest first, by site
/// and description.
async fn lossy_create(server: &MockServer) -> Arc<Mutex<Vec<String>>> {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    Mock::given(method("POST"))
        .and(path(WO))
        .respond_with(move |req: &Request| {
            let tid = req
                .headers
                .get("transactionid")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let mut seen = log.lock().unwrap();
            let repeat = seen.contains(&tid);
            seen.push(tid);
            if repeat {
                maximo_error(409, "BMXAA9524E", "The transaction ID already exists.")
            } else {
                ResponseTemplate::new(502).set_body_string("Bad Gateway")
            }
        })
        .expect(2)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(WO))
        .and(query_param(
            "oslc.where",
            r#"siteid="BEDFORD" and description="Relief valve leaking""#,
        ))
        .and(query_param("oslc.orderBy", "-changedate"))
        .and(query_param("oslc.pageSize", "20"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "member": [native_wo("WAPPR", "1")], "responseInfo": {"pagenum": 1}
        })))
        .expect(1)
        .mount(server)
        .await;
    seen
}

fn assert_one_transaction(seen: &Mutex<Vec<String>>) {
    let tids = seen.lock().unwrap().clone();
    assert_eq!(tids.len(), 2);
    assert_eq!(
        tids[0], tids[1],
        "the repeat must carry the first attempt's transaction id"
    );
}

#[tokio::test]
async fn a_create_retried_after_a_lost_answer_is_not_applied_twice() {
    let server = MockServer::start().await;
    let seen = lossy_create(&server).await;
    let connector = maximo_with(
        &server,
        json!({"siteid": "BEDFORD", "orgid": "EAGLENA", "retry_base_delay_ms": 1}),
    );
    let record = connector
        .create(&NewRecord::WorkOrder(new_order()))
        .await
        .unwrap();
    assert_eq!(record.remote_id, "BEDFORD/1000");
    assert_one_transaction(&seen);
}

#[tokio::test]
async fn a_create_repeated_by_the_caller_after_a_lost_answer_is_not_applied_twice() {
    let server = MockServer::start().await;
    let seen = lossy_create(&server).await;
    // Without retries in the layer the loss reaches the caller, who repeats the write.
    let connector = maximo_with(
        &server,
        json!({"siteid": "BEDFORD", "orgid": "EAGLENA", "retry_max_attempts": 1}),
    );
    let order = NewRecord::WorkOrder(new_order());
    let lost = connector.create(&order).await.unwrap_err();
    assert!(
        matches!(lost, ConnectorError::Unavailable { .. }),
        "{lost:?}"
    );
    let record = connector.create(&order).await.unwrap();
    assert_eq!(record.remote_id, "BEDFORD/1000");
    assert_one_transaction(&seen);
}

#[tokio::test]
async fn two_identical_creates_are_two_transactions() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(WO))
        .respond_with(created(&format!("{WO}/{WO_1000}")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{WO}/{WO_1000}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_wo("WAPPR", "1")))
        .mount(&server)
        .await;
    let connector = maximo(&server);
    let order = NewRecord::WorkOrder(new_order());
    connector.create(&order).await.unwrap();
    connector.create(&order).await.unwrap();
    let tids = transaction_ids(&server).await;
    assert_eq!(tids.len(), 2);
    assert_ne!(tids[0], tids[1]);
}

#[tokio::test]
async fn a_status_change_calls_change_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{WO}/{WO_1000}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_wo("WAPPR", "1")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{WO}/{WO_1000}")))
        .and(query_param("action", "wsmethod:changeStatus"))
        .and(query_param("lean", "1"))
        .and(header("x-method-override", "PATCH"))
        .and(body_json(
            json!({"status": "INPRG", "memo": "Crew on site"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{WO}/{WO_1000}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_wo("INPRG", "2")))
        .expect(1)
        .mount(&server)
        .await;
    let record = maximo(&server)
        .change_status(
            Entity::WorkOrders,
            "BEDFORD/1000",
            &StatusChange {
                status: WorkOrderStatus::InProgress,
                note: Some("Crew on site".into()),
            },
        )
        .await
        .unwrap();
    let EntityData::WorkOrder(wo) = &record.data else {
        panic!("not a work order");
    };
    assert_eq!(wo.status, WorkOrderStatus::InProgress);
    assert_eq!(transaction_ids(&server).await.len(), 1);
}

#[tokio::test]
async fn an_illegal_move_is_maximo_s_refusal_and_a_move_to_where_it_is_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{WO}/{WO_1000}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_wo("CAN", "5")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{WO}/{WO_1000}")))
        .and(body_json(json!({"status": "INPRG"})))
        .respond_with(maximo_error(
            400,
            "BMXAA4638E",
            "Status CAN cannot be changed to INPRG.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let connector = maximo(&server);
    let refused = connector
        .change_status(
            Entity::WorkOrders,
            "BEDFORD/1000",
            &StatusChange {
                status: WorkOrderStatus::InProgress,
                note: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ConnectorError::Conflict(u) if u.status == 400 && u.code.as_deref() == Some("BMXAA4638E")),
        "{refused:?}"
    );
    let same = connector
        .change_status(
            Entity::WorkOrders,
            "BEDFORD/1000",
            &StatusChange {
                status: WorkOrderStatus::Cancelled,
                note: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(same.remote_version.as_deref(), Some("5"));
}

// ---- assets ----

#[tokio::test]
async fn an_asset_update_merges_under_its_rowstamp() {
    let server = MockServer::start().await;
    let asset = |rowstamp: &str, description: &str| {
        json!({"assetnum": "11430", "siteid": "BEDFORD", "description": description,
            "status": "OPERATING", "changedate": "2024-02-01T08:00:02+00:00", "_rowstamp": rowstamp})
    };
    let rest = format!("{ASSET}/_MTE0MzAvQkVERk9SRA--");
    Mock::given(method("GET"))
        .and(path(&rest))
        .respond_with(ResponseTemplate::new(200).set_body_json(asset("36654", "Pump")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(&rest))
        .and(header("x-method-override", "PATCH"))
        .and(header("patchtype", "MERGE"))
        .and(header("if-match", "36654"))
        .and(query_param_is_missing("action"))
        .and(body_json(
            json!({"description": "Pump (spare)", "serialnum": "KSB-1"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&rest))
        .respond_with(ResponseTemplate::new(200).set_body_json(asset("36700", "Pump (spare)")))
        .mount(&server)
        .await;
    let connector = maximo(&server);
    let patch = RecordPatch::Asset(AssetPatch {
        name: Some("Pump (spare)".into()),
        serial_number: Some("KSB-1".into()),
        ..AssetPatch::default()
    });
    let record = connector
        .update("11430/BEDFORD", &patch, Some("36654"))
        .await
        .unwrap();
    assert_eq!(record.remote_version.as_deref(), Some("36700"));
    // The version just used is stale now: refused before anything is sent.
    let stale = connector
        .update("11430/BEDFORD", &patch, Some("36654"))
        .await
        .unwrap_err();
    assert!(
        matches!(&stale, ConnectorError::Conflict(u) if u.status == 412),
        "{stale:?}"
    );
    assert_eq!(transaction_ids(&server).await.len(), 1);
}

#[tokio::test]
async fn maximo_s_own_412_is_a_conflict() {
    let server = MockServer::start().await;
    let rest = format!("{ASSET}/_MTE0MzAvQkVERk9SRA--");
    Mock::given(method("GET"))
        .and(path(&rest))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"assetnum": "11430",
            "siteid": "BEDFORD", "status": "OPERATING",
            "changedate": "2024-02-01T08:00:02+00:00", "_rowstamp": "36654"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(&rest))
        .respond_with(maximo_error(
            412,
            "BMXAA8229W",
            "Record ASSET : 11430 has been updated by another user.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let patch = RecordPatch::Asset(AssetPatch {
        location: Some("BR200".into()),
        ..AssetPatch::default()
    });
    let err = maximo(&server)
        .update("11430/BEDFORD", &patch, Some("36654"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Conflict(u) if u.status == 412 && u.code.as_deref() == Some("BMXAA8229W")),
        "{err:?}"
    );
}

// ---- inventory ----

#[tokio::test]
async fn an_adjustment_sets_the_new_balance_under_the_rowstamp_it_was_computed_from() {
    let server = MockServer::start().await;
    let level = |curbal: f64, rowstamp: &str| {
        json!({"itemnum": "0-0006", "itemsetid": "SET1", "location": "CENTRAL",
            "siteid": "BEDFORD", "curbal": curbal, "issueunit": "EACH", "_rowstamp": rowstamp})
    };
    Mock::given(method("GET"))
        .and(path(INVENTORY))
        .and(query_param(
            "oslc.where",
            r#"itemnum="0-0006" and siteid="BEDFORD" and location="CENTRAL""#,
        ))
        .and(query_param("oslc.select", "*,curbal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "member": [level(39.0, "221001")], "responseInfo": {"pagenum": 1}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let rest = format!("{INVENTORY}/_MC0wMDA2L1NFVDEvQ0VOVFJBTC9CRURGT1JE");
    Mock::given(method("POST"))
        .and(path(&rest))
        .and(query_param("action", "wsmethod:adjustCurrentBalance"))
        .and(header("x-method-override", "PATCH"))
        .and(header("if-match", "221001"))
        .and(body_json(json!({"newcurbal": 44.5})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&rest))
        .respond_with(ResponseTemplate::new(200).set_body_json(level(44.5, "221050")))
        .expect(1)
        .mount(&server)
        .await;
    let record = maximo(&server)
        .create(&NewRecord::InventoryAdjustment(InventoryAdjustment {
            item: "0-0006".into(),
            location: "BEDFORD".into(),
            sub_location: Some("CENTRAL".into()),
            batch: None,
            delta: Decimal::new(55, 1),
            unit: Some("EACH".into()),
            reason: Some("Cycle count".into()),
        }))
        .await
        .unwrap();
    let EntityData::InventoryLevel(level) = &record.data else {
        panic!("not an inventory level");
    };
    assert_eq!(level.quantity_on_hand, Decimal::new(445, 1));
    assert_eq!(transaction_ids(&server).await.len(), 1);
}

#[tokio::test]
async fn an_adjustment_in_the_wrong_unit_or_of_unknown_stock_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(INVENTORY))
        .and(query_param(
            "oslc.where",
            r#"itemnum="0-0006" and siteid="BEDFORD""#,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"member": [
            {"itemnum": "0-0006", "itemsetid": "SET1", "location": "CENTRAL", "siteid": "BEDFORD",
             "curbal": 39.0, "issueunit": "EACH", "_rowstamp": "1"}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(INVENTORY))
        .and(query_param(
            "oslc.where",
            r#"itemnum="NOPE" and siteid="BEDFORD""#,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"member": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let connector = maximo(&server);
    let adjustment = |item: &str, unit: &str| {
        NewRecord::InventoryAdjustment(InventoryAdjustment {
            item: item.into(),
            location: "BEDFORD".into(),
            sub_location: None,
            batch: None,
            delta: Decimal::new(-3, 0),
            unit: Some(unit.into()),
            reason: None,
        })
    };
    let paths = |e: ConnectorError| match e {
        ConnectorError::Invalid(errors) => errors.into_iter().map(|e| e.path).collect::<Vec<_>>(),
        other => panic!("expected Invalid, got {other:?}"),
    };
    assert_eq!(
        paths(
            connector
                .create(&adjustment("0-0006", "BOX"))
                .await
                .unwrap_err()
        ),
        ["$.unit"]
    );
    assert_eq!(
        paths(
            connector
                .create(&adjustment("NOPE", "EACH"))
                .await
                .unwrap_err()
        ),
        ["$.item"]
    );
}

// ---- purchase orders and vendors ----

#[tokio::test]
async fn a_purchase_order_is_posted_with_its_lines() {
    let server = MockServer::start().await;
    let rest = format!("{PO}/_MTAxOC8wL0JFREZPUkQ-");
    Mock::given(method("POST"))
        .and(path(PO))
        .and(body_json(json!({
            "siteid": "BEDFORD", "vendor": "ACME", "currencycode": "USD",
            "poline": [{"linetype": "ITEM", "itemnum": "0-0006", "orderqty": 25,
                "orderunit": "EACH", "unitcost": 12.5, "storeloc": "CENTRAL"}]
        })))
        .respond_with(created(&rest))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&rest))
        .and(query_param("oslc.select", "*,poline{*}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ponum": "1018", "revisionnum": 0, "siteid": "BEDFORD", "orgid": "EAGLENA",
            "status": "WAPPR", "vendor": "ACME", "currencycode": "USD",
            "changedate": "2024-02-01T08:00:02+00:00", "_rowstamp": "9",
            "poline": [{"polinenum": 1, "itemnum": "0-0006", "orderqty": 25.0, "orderunit": "EACH",
                "unitcost": 12.5, "storeloc": "CENTRAL"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let record = maximo(&server)
        .create(&NewRecord::PurchaseOrder(NewPurchaseOrder {
            vendor_remote_id: "ACME/EAGLENA".into(),
            currency: "USD".into(),
            company: None,
            order_date: None,
            payment_terms: None,
            lines: vec![NewPurchaseOrderLine {
                item: Some("0-0006".into()),
                description: None,
                quantity: Decimal::new(25, 0),
                unit: Some("EACH".into()),
                unit_price: Decimal::new(125, 1),
                location: Some("CENTRAL".into()),
                expected_delivery_date: None,
            }],
            remote_fields: None,
        }))
        .await
        .unwrap();
    assert_eq!(record.remote_id, "1018/0/BEDFORD");
    let EntityData::PurchaseOrder(po) = &record.data else {
        panic!("not a purchase order");
    };
    assert_eq!(po.total_amount, Decimal::new(3125, 1));
}

#[tokio::test]
async fn a_vendor_is_posted_and_a_read_only_user_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(VENDOR))
        .and(header("apikey", "k3y"))
        .and(body_json(
            json!({"company": "ACME2", "name": "Acme Two", "type": "V",
            "orgid": "EAGLENA", "currencycode": "USD"}),
        ))
        .respond_with(created(&format!("{VENDOR}/_QUNNRTIvRUFHTEVOQQ--")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{VENDOR}/_QUNNRTIvRUFHTEVOQQ--")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "company": "ACME2", "orgid": "EAGLENA", "name": "Acme Two", "type": "V",
            "disabled": false, "currencycode": "USD", "changedate": "2024-02-01T08:00:02+00:00"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(VENDOR))
        .and(header("apikey", "read-only"))
        .respond_with(maximo_error(
            403,
            "BMXAA0024E",
            "The action ADD is not allowed on object COMPANIES.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let vendor = NewRecord::Vendor(NewVendor {
        name: "Acme Two".into(),
        tax_id: None,
        currency: Some("USD".into()),
        payment_terms: None,
        email: None,
        phone: None,
        address: None,
        remote_fields: json!({"company": "ACME2"}).as_object().cloned(),
    });
    let record = maximo(&server).create(&vendor).await.unwrap();
    assert_eq!(record.remote_id, "ACME2/EAGLENA");
    let read_only = connect(
        System::Maximo,
        ConnectorConfig {
            base_url: server.uri(),
            credentials: json!({"apikey": "read-only"}),
            settings: json!({"orgid": "EAGLENA"}),
            http: HttpConfig::default(),
        },
    )
    .unwrap();
    let refused = read_only.create(&vendor).await.unwrap_err();
    assert!(
        matches!(&refused, ConnectorError::PermissionDenied(u) if u.status == 403 && u.code.as_deref() == Some("BMXAA0024E")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn writes_the_capabilities_lack_send_nothing() {
    let server = MockServer::start().await;
    let connector = maximo(&server);
    let delete = connector
        .delete(Entity::Inventory, "0-0059/SET1/MAINT/BEDFORD", None)
        .await;
    assert!(
        matches!(delete, Err(ConnectorError::NotSupported { .. })),
        "{delete:?}"
    );
    let status = connector
        .change_status(
            Entity::Assets,
            "11430/BEDFORD",
            &StatusChange {
                status: WorkOrderStatus::Closed,
                note: None,
            },
        )
        .await;
    assert!(
        matches!(status, Err(ConnectorError::NotSupported { .. })),
        "{status:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
