//! The SAP connector's plant-maintenance entities against a scripted SAP Gateway (wiremock):
//! work orders from `API_MAINTENANCEORDER;v=0002` and assets from `API_EQUIPMENT`. Pinned here:
//! the exact query strings of first and resumed pages, the composite equipment key, the CSRF
//! handshake on creates, updates and status function imports, the function imports a status
//! change calls and in which order, and how SAP's refusals come back.

// Helpers outside `#[test]` functions build fixed test data; a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod common;

use mw_connectors::{Connector, ConnectorError, PageQuery};
use mw_model::{
    AssetPatch, AssetStatus, Entity, EntityData, NewAsset, NewRecord, NewWorkOrder, RecordPatch,
    StatusChange, WorkOrderPatch, WorkOrderStatus,
};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{
    any, basic_auth, body_json, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::sap::{page_of, sap_error, sap_json, sap_with};
use common::{at, ids};

const MO: &str = "/sap/opu/odata/sap/API_MAINTENANCEORDER;v=0002";
const EQ: &str = "/sap/opu/odata/sap/API_EQUIPMENT";
const CURRENT: &str = "ValidityEndDate eq datetime'9999-12-31T00:00:00'";

fn sap(server: &MockServer) -> Box<dyn Connector> {
    sap_with(
        server,
        json!({"sap_client": "100", "maintenance_planning_plant": "1710",
            "main_work_center": "RES-0100", "equipment_category": "M"}),
    )
}

fn sap_date(text: &str) -> String {
    format!("/Date({}+0000)/", at(text).timestamp_millis())
}

/// A native maintenance order as `API_MAINTENANCEORDER;v=0002` returns it.
fn native_order(number: &str, changed: &str, status: &str) -> Value {
    json!({
        "__metadata": {"type": "cds_api_maintenanceorder_2.MaintenanceOrderType"},
        "MaintenanceOrder": number, "MaintenanceOrderType": "PM01",
        "MaintenanceOrderDesc": "Pump P-101 leaking", "MaintenancePlanningPlant": "1710",
        "MaintenancePlant": "1710", "Equipment": "10000042", "FunctionalLocation": "",
        "MainWorkCenter": "RES-0100", "MaintPriority": "2",
        "MaintOrdBasicStartDateTime": sap_date("2024-02-01T08:00:00Z"),
        "MaintOrdBasicEndDateTime": sap_date("2024-02-01T16:00:00Z"),
        "SystemStatusText": status, "UserStatusText": "",
        "LastChangeDateTime": sap_date(changed),
        "MaintOrderCreationDateTime": sap_date("2024-01-29T08:00:00Z"),
        "to_MaintenanceOrderOperation": {"results": [{
            "MaintenanceOrder": number, "MaintenanceOrderOperation": "0010",
            "MaintenanceOrderSubOperation": "", "OperationDescription": "Replace seal",
            "OpActualExecutionStartDateTime": null, "OpActualExecutionEndDateTime": null,
            "IsMarkedForDeletion": false
        }]}
    })
}

/// A native equipment (current slice) as `API_EQUIPMENT` returns it.
fn native_equipment(number: &str, changed: &str) -> Value {
    json!({
        "__metadata": {"type": "cds_api_equipment.EquipmentType"},
        "Equipment": number, "ValidityEndDate": "/Date(253402214400000)/",
        "EquipmentName": "Centrifugal pump", "EquipmentCategory": "M",
        "TechnicalObjectType": "PUMP", "MaintenancePlant": "1710", "FunctionalLocation": "",
        "SuperordinateEquipment": "", "AssetManufacturerName": "KSB",
        "ManufacturerPartTypeName": "Etanorm", "ManufacturerSerialNumber": "KSB-1",
        "SerialNumber": "", "AcquisitionValue": "12500.00", "Currency": "USD",
        "CreationDate": "/Date(1706486400000)/", "LastChangeDateTime": sap_date(changed),
        "EquipmentIsMarkedForDeletion": false, "EquipmentIsInactive": false
    })
}

/// The CSRF fetch on `service`'s root: token `tokens[n]` on the n-th call, with the session.
async fn mount_csrf_fetch(
    server: &MockServer,
    service: &str,
    tokens: &'static [&'static str],
    times: u64,
) {
    let calls = AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path(format!("{service}/")))
        .and(header("x-csrf-token", "Fetch"))
        .and(basic_auth("ALICE", "s3cret"))
        .respond_with(move |_: &Request| {
            let n = calls.fetch_add(1, Ordering::SeqCst).min(tokens.len() - 1);
            ResponseTemplate::new(200)
                .set_body_json(json!({"d": {"EntitySets": []}}))
                .insert_header("x-csrf-token", tokens[n])
                .append_header(
                    "set-cookie",
                    format!("SAP_SESSIONID_S4H_100=session-{n}; path=/; HttpOnly"),
                )
        })
        .expect(times)
        .mount(server)
        .await;
}

// ---- work orders: reads ----

#[tokio::test]
async fn work_orders_page_by_change_second_then_order_number() {
    let server = MockServer::start().await;
    let since = "LastChangeDateTime ge datetimeoffset'2024-02-01T08:00:00.000Z'";
    let order = "LastChangeDateTime asc,MaintenanceOrder asc";
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder")))
        .and(query_param("$filter", since))
        .and(query_param("$orderby", order))
        .and(query_param("$top", "2"))
        .and(query_param("$expand", "to_MaintenanceOrderOperation"))
        .and(query_param("$inlinecount", "allpages"))
        .and(query_param("sap-client", "100"))
        .and(basic_auth("ALICE", "s3cret"))
        .respond_with(sap_json(&page_of(
            &[
                native_order("4000123", "2024-02-01T08:00:02Z", "REL"),
                native_order("4000124", "2024-02-01T08:00:02Z", "CRTD"),
            ],
            Some("3"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    // Three orders changed in the same second: the resumed page continues after the key.
    let after = format!(
        "{since} and (LastChangeDateTime gt datetimeoffset'2024-02-01T08:00:02.000Z' or \
         (LastChangeDateTime eq datetimeoffset'2024-02-01T08:00:02.000Z' and MaintenanceOrder gt '4000124'))"
    );
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder")))
        .and(query_param("$filter", after.as_str()))
        .and(query_param("$orderby", order))
        .and(query_param("$top", "2"))
        .and(query_param("$expand", "to_MaintenanceOrderOperation"))
        .and(query_param_is_missing("$inlinecount"))
        .and(query_param_is_missing("$skip"))
        .respond_with(sap_json(&page_of(
            &[native_order("4000125", "2024-02-01T08:00:02Z", "TECO")],
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;

    let sap = sap(&server);
    let query = PageQuery {
        changed_since: Some(at("2024-02-01T08:00:00Z")),
        resume: None,
        page_size: 2,
    };
    let first = sap.read_page(Entity::WorkOrders, &query).await.unwrap();
    assert_eq!(ids(&first), ["4000123", "4000124"]);
    assert_eq!(first.total, Some(3));
    let EntityData::WorkOrder(wo) = &first.records[0].data else {
        panic!("not a work order");
    };
    assert_eq!(wo.status, WorkOrderStatus::InProgress);
    assert_eq!(
        first.records[0].remote_updated_at,
        at("2024-02-01T08:00:02Z")
    );

    let second = sap
        .read_page(
            Entity::WorkOrders,
            &PageQuery {
                resume: first.next.clone(),
                ..query.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&second), ["4000125"]);
    assert_eq!(second.next, None);

    // A work-order cursor is not an equipment cursor.
    let foreign = sap
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
async fn get_reads_one_order_with_its_operations() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder('4000123')")))
        .and(query_param("$expand", "to_MaintenanceOrderOperation"))
        .respond_with(sap_json(&json!({"d": native_order(
            "4000123",
            "2024-02-01T08:00:02Z",
            "TECO DLFL"
        )})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder('4000999')")))
        .respond_with(ResponseTemplate::new(404).set_body_json(sap_error(
            "/IWBEP/CM_MGW_RT/020",
            "Resource not found for segment 'MaintenanceOrderType'",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let sap = sap(&server);
    let record = sap.get(Entity::WorkOrders, "4000123").await.unwrap();
    let EntityData::WorkOrder(wo) = &record.data else {
        panic!("not a work order");
    };
    assert_eq!(wo.status, WorkOrderStatus::Cancelled);
    assert_eq!(wo.native_status.as_deref(), Some("TECO DLFL"));
    assert!(matches!(
        sap.get(Entity::WorkOrders, "4000999").await,
        Err(ConnectorError::NotFound(Some(_)))
    ));
    // Not a maintenance order number at all: nothing is asked.
    assert!(matches!(
        sap.get(Entity::WorkOrders, "1234567890123").await,
        Err(ConnectorError::NotFound(None))
    ));
}

// ---- work orders: writes ----

#[tokio::test]
async fn create_posts_the_order_with_csrf_and_reads_it_back() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{MO}/MaintenanceOrder")))
        .and(header("x-csrf-token", "token-A"))
        .and(header("cookie", "SAP_SESSIONID_S4H_100=session-0"))
        .and(header("content-type", "application/json"))
        .and(query_param("sap-client", "100"))
        .and(query_param_is_missing("$format"))
        .and(body_json(json!({
            "MaintenanceOrderType": "PM02", "MaintenanceOrderDesc": "Quarterly inspection C-7",
            "MaintenancePlanningPlant": "1710", "Equipment": "10000043",
            "MainWorkCenter": "RES-0100", "MaintPriority": "3",
            "MaintOrdBasicStartDateTime": "/Date(1707379200000+0000)/",
            "MaintenanceActivityType": "002"
        })))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header(
                    "location",
                    format!("https://sap{MO}/MaintenanceOrder('4000200')"),
                )
                .set_body_json(json!({"d": {"MaintenanceOrder": "4000200"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder('4000200')")))
        .respond_with(sap_json(&json!({"d": native_order(
            "4000200",
            "2024-02-01T09:00:00Z",
            "CRTD"
        )})))
        .expect(1)
        .mount(&server)
        .await;

    let record = sap(&server)
        .create(&NewRecord::WorkOrder(NewWorkOrder {
            title: "Quarterly inspection C-7".into(),
            description: None,
            work_type: Some("PM02".into()),
            priority: Some("3".into()),
            asset_remote_id: Some("10000043".into()),
            site: None,
            location: None,
            planned_start: Some(at("2024-02-08T08:00:00Z")),
            planned_end: None,
            remote_fields: Some(
                json!({"MaintenanceActivityType": "002"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        }))
        .await
        .unwrap();
    assert_eq!(record.remote_id, "4000200");
    assert_eq!(record.remote_updated_at, at("2024-02-01T09:00:00Z"));
}

#[tokio::test]
async fn an_invalid_work_order_or_asset_never_reaches_sap() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let sap = sap(&server);
    let order = NewWorkOrder {
        title: "x".repeat(41),
        description: Some("Long text".into()),
        work_type: None,
        priority: None,
        asset_remote_id: None,
        site: Some("17100".into()),
        location: None,
        planned_start: None,
        planned_end: None,
        remote_fields: None,
    };
    match sap.create(&NewRecord::WorkOrder(order)).await {
        Err(ConnectorError::Invalid(errors)) => {
            let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(paths, ["$.description", "$.title", "$.site"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let asset = NewAsset {
        number: None,
        name: "Pump".into(),
        category: None,
        site: None,
        location: Some("1710-SPA".into()),
        parent_remote_id: None,
        manufacturer: None,
        model: None,
        serial_number: None,
        remote_fields: None,
    };
    match sap.create(&NewRecord::Asset(asset)).await {
        Err(ConnectorError::Invalid(errors)) => assert_eq!(errors[0].path, "$.location"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let patch = RecordPatch::WorkOrder(WorkOrderPatch {
        remote_fields: Some(
            json!({"SystemStatusText": "TECO"})
                .as_object()
                .unwrap()
                .clone(),
        ),
        ..WorkOrderPatch::default()
    });
    assert!(matches!(
        sap.update("4000123", &patch, None).await,
        Err(ConnectorError::Invalid(_))
    ));
}

#[tokio::test]
async fn update_patches_only_the_named_fields_and_reads_back() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 1).await;
    Mock::given(method("PATCH"))
        .and(path(format!("{MO}/MaintenanceOrder('4000123')")))
        .and(header("x-csrf-token", "token-A"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "MaintenanceOrderDesc": "Pump P-101: replace seal and bearing",
            "MaintOrdBasicEndDateTime": "/Date(1706832000000+0000)/"
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder('4000123')")))
        .respond_with(sap_json(&json!({"d": native_order(
            "4000123",
            "2024-02-01T10:00:00Z",
            "REL"
        )})))
        // Read before the change (it exists, it has no ETag) and after it.
        .expect(2)
        .mount(&server)
        .await;
    let patch = RecordPatch::WorkOrder(WorkOrderPatch {
        title: Some("Pump P-101: replace seal and bearing".into()),
        planned_end: Some(at("2024-02-02T00:00:00Z")),
        ..WorkOrderPatch::default()
    });
    let record = sap(&server).update("4000123", &patch, None).await.unwrap();
    assert_eq!(record.remote_updated_at, at("2024-02-01T10:00:00Z"));
}

/// A stateful maintenance order: GETs show `status`; each status function import moves it as
/// SAP's status management would, or refuses with SAP's business error.
async fn mount_stateful_order(server: &MockServer, status: &str) -> Arc<Mutex<String>> {
    let state = Arc::new(Mutex::new(status.to_owned()));
    let read = state.clone();
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder('4000123')")))
        .respond_with(move |_: &Request| {
            let status = read.lock().unwrap().clone();
            sap_json(&json!({"d": native_order("4000123", "2024-02-01T10:00:00Z", &status)}))
        })
        .mount(server)
        .await;
    let write = state.clone();
    Mock::given(method("POST"))
        .and(query_param("MaintenanceOrder", "'4000123'"))
        .and(header("x-csrf-token", "token-A"))
        .respond_with(move |request: &Request| {
            let import = request.url.path().rsplit('/').next().unwrap_or_default();
            let mut status = write.lock().unwrap();
            let next = match (import, status.as_str()) {
                ("ReleaseMaintenanceOrder", "CRTD") => "REL",
                ("SetMaintOrdToTechCompleted", "REL") => "TECO",
                ("ResetMaintOrdStsTechCompleted", "TECO") => "REL",
                ("SetMaintOrderStatusToClosed", "TECO") => "CLSD",
                ("ResetMaintOrderStatusClosed", "CLSD") => "TECO",
                ("SetMaintOrdStsToMrkdForDeltn", "CRTD" | "REL" | "TECO") => {
                    *status = format!("{status} DLFL");
                    return ResponseTemplate::new(200).set_body_json(
                        json!({"d": {"DummyFunctionImportResult": {"IsInvalid": false}}}),
                    );
                }
                _ => {
                    return ResponseTemplate::new(400).set_body_json(sap_error(
                        "IW/416",
                        &format!("Order 4000123: status {status} does not allow {import}"),
                    ));
                }
            };
            *status = next.to_owned();
            ResponseTemplate::new(200)
                .set_body_json(json!({"d": {"DummyFunctionImportResult": {"IsInvalid": false}}}))
        })
        .mount(server)
        .await;
    state
}

async fn imports_called(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| {
            format!(
                "{}?{}",
                r.url.path().rsplit('/').next().unwrap_or_default(),
                r.url.query().unwrap_or_default()
            )
        })
        .collect()
}

fn to(status: WorkOrderStatus) -> StatusChange {
    StatusChange { status, note: None }
}

#[tokio::test]
async fn closing_a_created_order_releases_completes_and_closes_it_in_turn() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 1).await;
    let state = mount_stateful_order(&server, "CRTD").await;

    let record = sap(&server)
        .change_status(Entity::WorkOrders, "4000123", &to(WorkOrderStatus::Closed))
        .await
        .unwrap();
    let EntityData::WorkOrder(wo) = &record.data else {
        panic!("not a work order");
    };
    assert_eq!(wo.status, WorkOrderStatus::Closed);
    assert_eq!(*state.lock().unwrap(), "CLSD");
    // Parameters are OData literals in the query string, percent-encoded; no body.
    assert_eq!(
        imports_called(&server).await,
        [
            "ReleaseMaintenanceOrder?MaintenanceOrder=%274000123%27&sap-client=100",
            "SetMaintOrdToTechCompleted?MaintenanceOrder=%274000123%27&sap-client=100",
            "SetMaintOrderStatusToClosed?MaintenanceOrder=%274000123%27&sap-client=100",
        ]
    );
    for request in server.received_requests().await.unwrap() {
        if request.method.as_str() == "POST" {
            assert!(request.body.is_empty());
            assert_eq!(
                request.headers.get("cookie").unwrap(),
                "SAP_SESSIONID_S4H_100=session-0"
            );
        }
    }
}

#[tokio::test]
async fn reopening_and_cancelling_use_the_reset_and_deletion_imports() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 1).await;
    let state = mount_stateful_order(&server, "CLSD").await;
    let sap = sap(&server);
    sap.change_status(
        Entity::WorkOrders,
        "4000123",
        &to(WorkOrderStatus::InProgress),
    )
    .await
    .unwrap();
    assert_eq!(*state.lock().unwrap(), "REL");
    let record = sap
        .change_status(
            Entity::WorkOrders,
            "4000123",
            &to(WorkOrderStatus::Cancelled),
        )
        .await
        .unwrap();
    let EntityData::WorkOrder(wo) = &record.data else {
        panic!("not a work order");
    };
    assert_eq!(wo.status, WorkOrderStatus::Cancelled);
    assert_eq!(
        imports_called(&server)
            .await
            .iter()
            .map(|c| c.split('?').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        [
            "ResetMaintOrderStatusClosed",
            "ResetMaintOrdStsTechCompleted",
            "SetMaintOrdStsToMrkdForDeltn"
        ]
    );
}

#[tokio::test]
async fn an_order_already_there_is_returned_without_calling_sap_imports() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 0).await;
    mount_stateful_order(&server, "TECO").await;
    let record = sap(&server)
        .change_status(
            Entity::WorkOrders,
            "4000123",
            &to(WorkOrderStatus::Completed),
        )
        .await
        .unwrap();
    assert_eq!(record.remote_id, "4000123");
    assert!(imports_called(&server).await.is_empty());
}

#[tokio::test]
async fn sap_refusing_a_transition_is_a_conflict_with_its_code_and_message() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 1).await;
    // SAP does not flag a closed order for deletion; the connector leaves that rule to SAP.
    let state = mount_stateful_order(&server, "CLSD").await;
    match sap(&server)
        .change_status(
            Entity::WorkOrders,
            "4000123",
            &to(WorkOrderStatus::Cancelled),
        )
        .await
    {
        Err(ConnectorError::Conflict(upstream)) => {
            assert_eq!(upstream.status, 400);
            assert_eq!(upstream.code.as_deref(), Some("IW/416"));
            assert_eq!(
                upstream.message.as_deref(),
                Some("Order 4000123: status CLSD does not allow SetMaintOrdStsToMrkdForDeltn")
            );
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(*state.lock().unwrap(), "CLSD");
}

#[tokio::test]
async fn targets_no_import_reaches_are_refused_before_anything_is_written() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 0).await;
    mount_stateful_order(&server, "REL").await;
    let sap = sap(&server);
    match sap
        .change_status(
            Entity::WorkOrders,
            "4000123",
            &to(WorkOrderStatus::Requested),
        )
        .await
    {
        Err(ConnectorError::Invalid(errors)) => {
            assert_eq!(errors[0].path, "$.status");
            assert!(errors[0].message.contains("REL"), "{}", errors[0].message);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(matches!(
        sap.change_status(Entity::WorkOrders, "4000123", &to(WorkOrderStatus::OnHold))
            .await,
        Err(ConnectorError::NotSupported { .. })
    ));
    assert!(matches!(
        sap.change_status(Entity::Assets, "10000042", &to(WorkOrderStatus::Closed))
            .await,
        Err(ConnectorError::NotSupported { .. })
    ));
    assert!(imports_called(&server).await.is_empty());
}

#[tokio::test]
async fn an_expired_token_on_a_status_import_is_fetched_again_once() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-old", "token-A"], 2).await;
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
    let state = mount_stateful_order(&server, "CRTD").await;
    sap(&server)
        .change_status(
            Entity::WorkOrders,
            "4000123",
            &to(WorkOrderStatus::InProgress),
        )
        .await
        .unwrap();
    assert_eq!(*state.lock().unwrap(), "REL");
}

#[tokio::test]
async fn work_orders_and_assets_are_not_deleted() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let sap = sap(&server);
    for entity in [Entity::WorkOrders, Entity::Assets] {
        match sap.delete(entity, "4000123", None).await {
            Err(ConnectorError::NotSupported { what }) => {
                assert!(what.contains("SAP"), "{what}")
            }
            other => panic!("expected NotSupported, got {other:?}"),
        }
    }
}

// ---- assets ----

#[tokio::test]
async fn assets_read_the_current_time_slice_by_keyset() {
    let server = MockServer::start().await;
    let order = "LastChangeDateTime asc,Equipment asc";
    Mock::given(method("GET"))
        .and(path(format!("{EQ}/Equipment")))
        .and(query_param("$filter", CURRENT))
        .and(query_param("$orderby", order))
        .and(query_param("$top", "2"))
        .and(query_param_is_missing("$expand"))
        .and(query_param("$inlinecount", "allpages"))
        .respond_with(sap_json(&page_of(
            &[
                native_equipment("10000042", "2024-02-01T08:00:02Z"),
                native_equipment("10000043", "2024-02-01T08:00:02Z"),
            ],
            Some("3"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let after = format!(
        "{CURRENT} and (LastChangeDateTime gt datetimeoffset'2024-02-01T08:00:02.000Z' or \
         (LastChangeDateTime eq datetimeoffset'2024-02-01T08:00:02.000Z' and Equipment gt '10000043'))"
    );
    Mock::given(method("GET"))
        .and(path(format!("{EQ}/Equipment")))
        .and(query_param("$filter", after.as_str()))
        .and(query_param("$orderby", order))
        .and(query_param_is_missing("$inlinecount"))
        .respond_with(sap_json(&page_of(
            &[native_equipment("217100002", "2024-02-02T00:00:00Z")],
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let sap = sap(&server);
    let query = PageQuery {
        changed_since: None,
        resume: None,
        page_size: 2,
    };
    let first = sap.read_page(Entity::Assets, &query).await.unwrap();
    assert_eq!(ids(&first), ["10000042", "10000043"]);
    assert_eq!(first.total, Some(3));
    let EntityData::Asset(asset) = &first.records[0].data else {
        panic!("not an asset");
    };
    assert_eq!(asset.status, AssetStatus::Active);
    assert_eq!(
        asset.acquisition_cost.map(|c| c.to_string()).as_deref(),
        Some("12500.00")
    );
    let second = sap
        .read_page(
            Entity::Assets,
            &PageQuery {
                resume: first.next.clone(),
                ..query
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&second), ["217100002"]);
    assert_eq!(second.next, None);
}

#[tokio::test]
async fn asset_create_and_update_address_the_composite_key() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, EQ, &["token-E"], 1).await;
    let key = "Equipment(Equipment='10000050',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')";
    Mock::given(method("POST"))
        .and(path(format!("{EQ}/Equipment")))
        .and(header("x-csrf-token", "token-E"))
        .and(body_json(json!({
            "EquipmentName": "Centrifugal pump P-102", "EquipmentCategory": "M",
            "TechnicalObjectType": "PUMP", "MaintenancePlant": "1710",
            "AssetManufacturerName": "KSB", "ManufacturerSerialNumber": "KSB-2"
        })))
        // Answered with the key in `Location` only.
        .respond_with(
            ResponseTemplate::new(201).insert_header("location", format!("https://sap{EQ}/{key}")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{EQ}/{key}")))
        .and(header("x-csrf-token", "token-E"))
        .and(query_param("sap-client", "100"))
        .and(body_json(
            json!({"EquipmentName": "Pump P-102 (spare)", "ManufacturerPartTypeName": "Etanorm"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    // Read after the create, before and after the change, and before the refused change.
    Mock::given(method("GET"))
        .and(path(format!("{EQ}/{key}")))
        .and(query_param_is_missing("$expand"))
        .respond_with(sap_json(
            &json!({"d": native_equipment("10000050", "2024-02-01T09:00:00Z")}),
        ))
        .expect(4)
        .mount(&server)
        .await;

    let sap = sap(&server);
    let record = sap
        .create(&NewRecord::Asset(NewAsset {
            number: None,
            name: "Centrifugal pump P-102".into(),
            category: Some("PUMP".into()),
            site: Some("1710".into()),
            location: None,
            parent_remote_id: None,
            manufacturer: Some("KSB".into()),
            model: None,
            serial_number: Some("KSB-2".into()),
            remote_fields: None,
        }))
        .await
        .unwrap();
    assert_eq!(record.remote_id, "10000050");
    assert_eq!(record.remote_version, None);
    let patch = RecordPatch::Asset(AssetPatch {
        name: Some("Pump P-102 (spare)".into()),
        model: Some("Etanorm".into()),
        ..AssetPatch::default()
    });
    let record = sap.update("10000050", &patch, None).await.unwrap();
    assert_eq!(record.remote_id, "10000050");
    // Without an ETag from SAP an expected version cannot be checked: refused, nothing sent.
    assert!(matches!(
        sap.update("10000050", &patch, Some("W/\"x\"")).await,
        Err(ConnectorError::NotSupported { .. })
    ));
}

#[tokio::test]
async fn where_sap_sends_etags_updates_and_imports_carry_them() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, MO, &["token-A"], 1).await;
    let etag = "W/\"datetimeoffset'2024-02-01T10%3A00%3A00Z'\"";
    let mut order = native_order("4000123", "2024-02-01T10:00:00Z", "REL");
    order["__metadata"]["etag"] = json!(etag);
    Mock::given(method("GET"))
        .and(path(format!("{MO}/MaintenanceOrder('4000123')")))
        .respond_with(sap_json(&json!({"d": order})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{MO}/MaintenanceOrder('4000123')")))
        .and(header("if-match", etag))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{MO}/SetMaintOrdToTechCompleted")))
        .and(header("if-match", etag))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let sap = sap(&server);
    let patch = RecordPatch::WorkOrder(WorkOrderPatch {
        priority: Some("1".into()),
        ..WorkOrderPatch::default()
    });
    let record = sap.update("4000123", &patch, Some(etag)).await.unwrap();
    assert_eq!(record.remote_version.as_deref(), Some(etag));
    // A stale version is refused before anything is sent, as SAP would (412).
    match sap.update("4000123", &patch, Some("W/\"old\"")).await {
        Err(ConnectorError::Conflict(upstream)) => assert_eq!(upstream.status, 412),
        other => panic!("expected Conflict, got {other:?}"),
    }
    sap.change_status(
        Entity::WorkOrders,
        "4000123",
        &to(WorkOrderStatus::Completed),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_sap_refusal_of_an_asset_keeps_its_code() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, EQ, &["token-E"], 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{EQ}/Equipment")))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(sap_error("IE/025", "Equipment category Z does not exist")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let asset = NewAsset {
        number: None,
        name: "Pump".into(),
        category: None,
        site: None,
        location: None,
        parent_remote_id: None,
        manufacturer: None,
        model: None,
        serial_number: None,
        remote_fields: Some(
            json!({"EquipmentCategory": "Z"})
                .as_object()
                .unwrap()
                .clone(),
        ),
    };
    match sap(&server).create(&NewRecord::Asset(asset)).await {
        Err(ConnectorError::Rejected(upstream)) => {
            assert_eq!(upstream.code.as_deref(), Some("IE/025"));
            assert_eq!(
                upstream.message.as_deref(),
                Some("Equipment category Z does not exist")
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}
