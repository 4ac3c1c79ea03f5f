//! `API_MAINTENANCEORDER;v=0002` over HTTP: reads and queries, creates with deep insert,
//! updates, and the status lifecycle through the function imports with CSRF.

use std::cmp::Ordering;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Emulator, date_ms, rfc3339_ms, start};
use crate::pm_common::{
    Call, EQ_ROOT, MO_ROOT, advance, all_rows, current_slice, fetch_csrf, get, json_offset,
};

fn text<'a>(row: &'a Value, name: &str) -> &'a str {
    row[name].as_str().unwrap_or_default()
}

fn status_of(row: &Value) -> String {
    text(row, "SystemStatusText").to_owned()
}

#[tokio::test]
async fn orders_read_like_sap() {
    let emulator = start("tiny", 7).await;
    let answer = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder?$top=3&$inlinecount=allpages",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert_eq!(answer.body["d"]["__count"], "150");
    let first = &answer.body["d"]["results"][0];
    assert_eq!(first["MaintenanceOrder"], "4000000");
    assert_eq!(
        first["__metadata"]["type"],
        "cds_api_maintenanceorder_2.MaintenanceOrderType"
    );
    let uri = first["__metadata"]["uri"].as_str().expect("uri");
    assert!(
        uri.ends_with("/sap/opu/odata/sap/API_MAINTENANCEORDER;v=0002/MaintenanceOrder('4000000')"),
        "{uri}"
    );
    assert!(
        first["to_MaintenanceOrderOperation"]["__deferred"]["uri"]
            .as_str()
            .is_some_and(
                |u| u.ends_with("MaintenanceOrder('4000000')/to_MaintenanceOrderOperation")
            )
    );

    let all = all_rows(&emulator, MO_ROOT, "MaintenanceOrder").await;
    assert_eq!(all.len(), 150);
    let mut phases = std::collections::BTreeMap::<String, usize>::new();
    for row in &all {
        let changed = date_ms(&row["LastChangeDateTime"]);
        assert_eq!(changed % 1000, 0, "Precision 0: whole seconds");
        assert!(changed >= date_ms(&row["MaintOrderCreationDateTime"]));
        let status = status_of(row);
        let phase = status.split(' ').next().expect("phase").to_owned();
        assert!(
            ["CRTD", "REL", "TECO", "CLSD"].contains(&phase.as_str()),
            "{status}"
        );
        *phases.entry(phase).or_default() += 1;
        assert!(["PM01", "PM02", "PM03"].contains(&text(row, "MaintenanceOrderType")));
        assert!(["1", "2", "3", "4"].contains(&text(row, "MaintPriority")));
        assert_eq!(text(row, "MaintenancePlanningPlant"), "1710");
        // The split date and time forms agree with the timestamp.
        let start_ms = date_ms(&row["MaintOrdBasicStartDateTime"]);
        assert_eq!(
            date_ms(&row["MaintOrdBasicStartDate"]),
            start_ms - start_ms % 86_400_000
        );
        assert!(text(row, "MaintOrdBasicStartTime").starts_with("PT"));
    }
    assert_eq!(phases.len(), 4, "every lifecycle status occurs: {phases:?}");

    // An order with equipment names it as the equipment master does now.
    let order = all
        .iter()
        .find(|row| !text(row, "Equipment").is_empty())
        .expect("an order with equipment");
    let equipment = get(&emulator, EQ_ROOT, &current_slice(text(order, "Equipment"))).await;
    assert_eq!(equipment.status, StatusCode::OK, "{equipment:?}");
    assert_eq!(order["EquipmentName"], equipment.body["d"]["EquipmentName"]);
    assert_eq!(
        order["FunctionalLocation"], equipment.body["d"]["FunctionalLocation"],
        "generated orders stand where their equipment stands"
    );

    // Operations: keyed with the sub-operation, reachable every way SAP offers.
    let expanded = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder('4000001')?$expand=to_MaintenanceOrderOperation",
    )
    .await;
    let operations = expanded.body["d"]["to_MaintenanceOrderOperation"]["results"]
        .as_array()
        .expect("operations")
        .clone();
    assert!((1..=10).contains(&operations.len()));
    assert_eq!(operations[0]["MaintenanceOrderOperation"], "0010");
    assert_eq!(operations[0]["MaintenanceOrderSubOperation"], "");
    assert!(
        operations[0]["NumberOfCapacities"].is_number(),
        "Edm.Byte is a number"
    );
    assert!(
        operations[0]["MaintOrderOperationDuration"].is_string(),
        "decimals are strings"
    );
    let via_navigation = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder('000004000001')/to_MaintenanceOrderOperation",
    )
    .await;
    assert_eq!(
        via_navigation.body["d"]["results"].as_array(),
        Some(&operations)
    );
    for key in [
        "MaintenanceOrderOperation(MaintenanceOrder='4000001',MaintenanceOrderOperation='0010',MaintenanceOrderSubOperation='')",
        "MaintenanceOrderOperation(MaintenanceOrder='4000001',MaintenanceOrderOperation='10',MaintenanceOrderSubOperation='')",
    ] {
        let single = get(&emulator, MO_ROOT, key).await;
        assert_eq!(single.status, StatusCode::OK, "{key}: {single:?}");
        assert_eq!(
            single.body["d"]["OperationDescription"],
            operations[0]["OperationDescription"]
        );
    }
    let back = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrderOperation(MaintenanceOrder='4000001',MaintenanceOrderOperation='0010',MaintenanceOrderSubOperation='')/to_MaintenanceOrder",
    )
    .await;
    assert_eq!(back.body["d"]["MaintenanceOrder"], "4000001");
    let count = get(&emulator, MO_ROOT, "MaintenanceOrderOperation/$count").await;
    let total: usize = all_rows(&emulator, MO_ROOT, "MaintenanceOrderOperation")
        .await
        .len();
    assert_eq!(count.body, json!(total), "$count is plain text");

    // Only version 2 is active: without `;v=0002` the request names the v1 service.
    let v1 = get(
        &emulator,
        "/sap/opu/odata/sap/API_MAINTENANCEORDER/",
        "MaintenanceOrder",
    )
    .await;
    assert_eq!(v1.status, StatusCode::NOT_FOUND);
    assert_eq!(v1.code(), "/IWFND/MED/170");
    assert!(v1.message().contains("version '0001'"), "{v1:?}");
    let v2 = get(
        &emulator,
        "/sap/opu/odata/sap/API_MAINTENANCEORDER;v=2/",
        "MaintenanceOrder('4000000')",
    )
    .await;
    assert_eq!(v2.status, StatusCode::OK);
}

type Keep = Box<dyn Fn(&Value) -> bool>;
type Order = Box<dyn Fn(&Value, &Value) -> Ordering>;

/// What a query must produce.
enum Expect {
    /// Baseline rows kept by the predicate, sorted (key order when `None`), then `skip`/`top`.
    Rows {
        keep: Keep,
        order: Option<Order>,
        skip: usize,
        top: Option<usize>,
    },
    /// An SAP error with this status and code.
    Error(u16, &'static str),
}

fn rows(keep: impl Fn(&Value) -> bool + 'static) -> Expect {
    Expect::Rows {
        keep: Box::new(keep),
        order: None,
        skip: 0,
        top: None,
    }
}

/// Runs `query` (following `__next`) and compares the orders delivered with `expect` applied
/// to `baseline`, computed independently of the emulator's query engine.
async fn check(emulator: &Emulator, baseline: &[Value], query: &str, expect: Expect) {
    match expect {
        Expect::Rows {
            keep,
            order,
            skip,
            top,
        } => {
            let mut expected: Vec<&Value> = baseline.iter().filter(|row| keep(row)).collect();
            if let Some(order) = order {
                expected.sort_by(|a, b| {
                    order(a, b).then_with(|| {
                        let number =
                            |row: &Value| text(row, "MaintenanceOrder").parse::<u64>().unwrap_or(0);
                        number(a).cmp(&number(b))
                    })
                });
            }
            let expected: Vec<&str> = expected
                .into_iter()
                .skip(skip)
                .take(top.unwrap_or(usize::MAX))
                .map(|row| text(row, "MaintenanceOrder"))
                .collect();
            let actual = all_rows(emulator, MO_ROOT, query).await;
            let actual: Vec<&str> = actual
                .iter()
                .map(|row| text(row, "MaintenanceOrder"))
                .collect();
            assert_eq!(actual, expected, "{query}");
        }
        Expect::Error(status, code) => {
            let answer = get(emulator, MO_ROOT, query).await;
            assert_eq!(answer.status.as_u16(), status, "{query}: {answer:?}");
            assert_eq!(answer.code(), code, "{query}: {answer:?}");
        }
    }
}

#[tokio::test]
async fn order_queries() {
    let emulator = start("tiny", 7).await;
    let baseline = all_rows(&emulator, MO_ROOT, "MaintenanceOrder").await;
    let since = rfc3339_ms("2026-01-31T08:00:00Z");
    let changed = |row: &Value| date_ms(&row["LastChangeDateTime"]);
    let cases: Vec<(&str, Expect)> = vec![
        (
            "MaintenanceOrder?$filter=LastChangeDateTime ge datetimeoffset'2026-01-31T08:00:00Z'",
            rows(move |row| changed(row) >= since),
        ),
        (
            "MaintenanceOrder?$filter=MaintenanceOrderType eq 'PM01' and MaintPriority eq '1'",
            rows(|row| {
                text(row, "MaintenanceOrderType") == "PM01" && text(row, "MaintPriority") == "1"
            }),
        ),
        (
            "MaintenanceOrder?$filter=(MaintPriority eq '1' or MaintPriority eq '2') and not (MaintenanceOrderType eq 'PM02')",
            rows(|row| {
                ["1", "2"].contains(&text(row, "MaintPriority"))
                    && text(row, "MaintenanceOrderType") != "PM02"
            }),
        ),
        (
            "MaintenanceOrder?$filter=substringof('pump', MaintenanceOrderDesc)",
            rows(|row| text(row, "MaintenanceOrderDesc").contains("pump")),
        ),
        (
            "MaintenanceOrder?$filter=startswith(FunctionalLocation, '1710-PRD')",
            rows(|row| text(row, "FunctionalLocation").starts_with("1710-PRD")),
        ),
        (
            // ALPHA: the padded form compares equal to the unpadded one.
            "MaintenanceOrder?$filter=Equipment eq '000000000010000001'",
            rows(|row| text(row, "Equipment") == "10000001"),
        ),
        (
            "MaintenanceOrder?$orderby=LastChangeDateTime desc&$top=17&$skip=3",
            Expect::Rows {
                keep: Box::new(|_| true),
                order: Some(Box::new(move |a, b| changed(b).cmp(&changed(a)))),
                skip: 3,
                top: Some(17),
            },
        ),
        (
            "MaintenanceOrder?$orderby=LastChangeDateTime asc&$filter=LastChangeDateTime gt datetimeoffset'2026-02-15T00:00:00Z'",
            Expect::Rows {
                keep: Box::new(move |row| changed(row) > rfc3339_ms("2026-02-15T00:00:00Z")),
                order: Some(Box::new(move |a, b| changed(a).cmp(&changed(b)))),
                skip: 0,
                top: None,
            },
        ),
        (
            "MaintenanceOrder?$filter=SystemStatusText eq 'REL'",
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            "MaintenanceOrder?$orderby=SystemStatusText",
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            "MaintenanceOrder?$filter=LastChangeDateTime ge datetime'2026-01-31T08:00:00'",
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            "MaintenanceOrder?$filter=Nope eq 1",
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            "MaintenanceOrder?$expand=to_Nope",
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            "MaintenanceOrder('4999999')",
            Expect::Error(404, "/IWBEP/CM_MGW_RT/020"),
        ),
    ];
    for (query, expect) in cases {
        check(&emulator, &baseline, query, expect).await;
    }
}

/// A new order for equipment `10000003` with two operations, in the `{results}` form.
fn new_order() -> Value {
    json!({
        "MaintenanceOrderType": "PM01",
        "MaintenanceOrderDesc": "Pump seal leaking",
        "MainWorkCenter": "MECHANIC",
        "MaintPriority": "2",
        "Equipment": "10000003",
        "MaintOrdBasicStartDateTime": "/Date(1772445600000+0000)/",
        "MaintOrdBasicEndDateTime": "/Date(1772460000000+0000)/",
        "SystemStatusText": "REL",
        "to_MaintenanceOrderOperation": {"results": [
            {"OperationDescription": "Replace mechanical seal", "MaintOrderOperationDuration": "2.5", "NumberOfCapacities": 2},
            {"OperationDescription": "Test run", "WorkCenter": "ELECTRIC"}
        ]}
    })
}

#[tokio::test]
async fn creates_with_deep_insert_and_business_checks() {
    let emulator = start("tiny", 7).await;
    let now = advance(&emulator, 3600).await;
    let csrf = fetch_csrf(&emulator, MO_ROOT).await;
    let created = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder")
        .csrf(&csrf)
        .json(new_order())
        .send(&emulator)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let order = &created.body["d"];
    assert_eq!(order["MaintenanceOrder"], "4000150");
    assert!(
        created.headers["location"]
            .to_str()
            .expect("location")
            .ends_with("API_MAINTENANCEORDER;v=0002/MaintenanceOrder('4000150')")
    );
    assert_eq!(
        order["SystemStatusText"], "CRTD NMAT PRC",
        "read-only status ignored on create"
    );
    assert_eq!(order["LastChangeDateTime"], json_offset(&now));
    assert_eq!(order["MaintOrderCreationDateTime"], json_offset(&now));
    assert_eq!(order["CreatedByUser"], "MW_COMM_USER");
    let equipment = get(&emulator, EQ_ROOT, &current_slice("10000003")).await;
    assert_eq!(
        order["FunctionalLocation"],
        equipment.body["d"]["FunctionalLocation"]
    );
    assert_eq!(order["EquipmentName"], equipment.body["d"]["EquipmentName"]);
    assert_eq!(order["MaintOrdBasicStartTime"], "PT10H00M00S");
    let operations = order["to_MaintenanceOrderOperation"]["results"]
        .as_array()
        .expect("operations");
    let numbers: Vec<&str> = operations
        .iter()
        .map(|op| text(op, "MaintenanceOrderOperation"))
        .collect();
    assert_eq!(numbers, ["0010", "0020"]);
    assert_eq!(
        operations[0]["MaintOrdOperationWorkDuration"], "5.0",
        "work = duration × capacities"
    );
    assert_eq!(operations[1]["WorkCenter"], "ELECTRIC");
    assert_eq!(operations[1]["SystemStatusText"], "CRTD");

    // Without operations PM creates the first one from the order's text.
    let mut bare = new_order();
    bare.as_object_mut()
        .expect("object")
        .remove("to_MaintenanceOrderOperation");
    let created = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder")
        .csrf(&csrf)
        .json(json!({"d": bare}))
        .send(&emulator)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let single = &created.body["d"]["to_MaintenanceOrderOperation"]["results"][0];
    assert_eq!(single["OperationDescription"], "Pump seal leaking");

    let with = |change: Value| {
        let mut body = new_order();
        for (key, value) in change.as_object().expect("object") {
            if value.is_null() {
                body.as_object_mut().expect("object").remove(key);
            } else {
                body[key] = value.clone();
            }
        }
        body
    };
    let refusals: Vec<(Value, u16, &str)> = vec![
        (with(json!({"Equipment": "10099999"})), 400, "IE/001"),
        (with(json!({"MaintenanceOrderType": "ZZ99"})), 400, "IW/003"),
        (with(json!({"MaintenanceOrderType": null})), 400, "00/055"),
        (
            with(json!({"FunctionalLocation": "1710-WHS-L01"})),
            400,
            "IW/118",
        ),
        (
            with(json!({"Equipment": null, "FunctionalLocation": "1710-XXX-L01"})),
            400,
            "IW/117",
        ),
        (
            with(json!({"MaintOrdBasicEndDateTime": "/Date(1772400000000+0000)/"})),
            400,
            "IW/025",
        ),
        (
            with(json!({"MaintenancePlanningPlant": "1010"})),
            400,
            "IW/012",
        ),
        (with(json!({"MaintPriority": "9"})), 400, "IW/015"),
        (with(json!({"MainWorkCenter": "NOPE"})), 400, "IW/013"),
        (with(json!({"MaintenanceOrder": "4000999"})), 400, "IW/004"),
        (
            with(json!({"Surprise": "x"})),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(json!({"MaintPriority": 1})),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(json!({"to_MaintenanceOrderOperation": [{"OperationControlKey": "XX01"}]})),
            400,
            "IW/032",
        ),
        (
            with(
                json!({"to_MaintenanceOrderOperation": [{"MaintenanceOrderOperation": "10"}, {"MaintenanceOrderOperation": "0010"}]}),
            ),
            400,
            "IW/030",
        ),
        (
            with(
                json!({"to_MaintenanceOrderOperation": [{"MaintenanceOrderSubOperation": "0001"}]}),
            ),
            400,
            "IW/031",
        ),
    ];
    let before = emulator.admin_get("/truth/work-orders").await["count"].clone();
    for (body, status, code) in refusals {
        let answer = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder")
            .csrf(&csrf)
            .json(body.clone())
            .send(&emulator)
            .await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {answer:?}");
        assert_eq!(answer.code(), code, "{body}: {answer:?}");
    }
    assert_eq!(
        emulator.admin_get("/truth/work-orders").await["count"],
        before,
        "a refused create stores nothing"
    );

    // Protocol refusals: operations have no set-level create, writes need the token and no
    // system query options.
    let direct = Call::new(Method::POST, MO_ROOT, "MaintenanceOrderOperation")
        .csrf(&csrf)
        .json(json!({"MaintenanceOrder": "4000001", "OperationDescription": "x"}))
        .send(&emulator)
        .await;
    assert_eq!(direct.status, StatusCode::METHOD_NOT_ALLOWED, "{direct:?}");
    let formatted = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder?$format=json")
        .csrf(&csrf)
        .json(new_order())
        .send(&emulator)
        .await;
    assert_eq!(formatted.code(), "/IWBEP/CM_MGW_RT/022");
    let tokenless = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder")
        .json(new_order())
        .send(&emulator)
        .await;
    assert_eq!(tokenless.status, StatusCode::FORBIDDEN);
    assert_eq!(tokenless.headers["x-csrf-token"], "Required");
}

#[tokio::test]
async fn updates_operations_and_deletes() {
    let emulator = start("tiny", 7).await;
    let csrf = fetch_csrf(&emulator, MO_ROOT).await;
    let created = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder")
        .csrf(&csrf)
        .json(new_order())
        .send(&emulator)
        .await;
    let number = text(&created.body["d"], "MaintenanceOrder").to_owned();
    let order = format!("MaintenanceOrder('{number}')");
    let now = advance(&emulator, 600).await;

    let patched = Call::new(Method::PATCH, MO_ROOT, order.clone())
        .csrf(&csrf)
        .json(json!({"MaintenanceOrderDesc": "Seal and bearing", "MaintPriority": "1", "MaintenanceOrderType": "PM01"}))
        .send(&emulator)
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{patched:?}");
    let read = get(&emulator, MO_ROOT, &order).await;
    assert_eq!(read.body["d"]["MaintenanceOrderDesc"], "Seal and bearing");
    assert_eq!(read.body["d"]["MaintPriority"], "1");
    assert_eq!(read.body["d"]["LastChangeDateTime"], json_offset(&now));
    assert_eq!(read.body["d"]["LastChangeByUser"], "MW_COMM_USER");
    assert!(
        read.headers.get("etag").is_none(),
        "no ETag unless the profile declares one"
    );

    // MERGE tunnelled through POST, as older clients send it.
    let merged = Call::new(Method::POST, MO_ROOT, order.clone())
        .csrf(&csrf)
        .header("x-http-method", "MERGE")
        .json(json!({"MaintenanceOrderDesc": "Merged"}))
        .send(&emulator)
        .await;
    assert_eq!(merged.status, StatusCode::NO_CONTENT, "{merged:?}");

    for (body, code) in [
        (json!({"MaintenanceOrderType": "PM02"}), "IW/041"),
        (json!({"MaintenancePlanningPlant": "1010"}), "IW/041"),
        (json!({"SystemStatusText": "REL"}), "IW/041"),
        (json!({"MaintPriority": "7"}), "IW/015"),
        (json!({"Equipment": "99999999"}), "IE/001"),
        (
            json!({"MaintenanceOrder": "4000001"}),
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
    ] {
        let answer = Call::new(Method::PATCH, MO_ROOT, order.clone())
            .csrf(&csrf)
            .json(body.clone())
            .send(&emulator)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {answer:?}");
        assert_eq!(answer.code(), code, "{body}: {answer:?}");
    }
    let status_hint = Call::new(Method::PATCH, MO_ROOT, order.clone())
        .csrf(&csrf)
        .json(json!({"SystemStatusText": "TECO"}))
        .send(&emulator)
        .await;
    assert!(
        status_hint.message().contains("function imports"),
        "{status_hint:?}"
    );

    // Changing the equipment moves the order to the new equipment's place.
    let moved = Call::new(Method::PATCH, MO_ROOT, order.clone())
        .csrf(&csrf)
        .json(json!({"Equipment": "10000010"}))
        .send(&emulator)
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{moved:?}");
    let equipment = get(&emulator, EQ_ROOT, &current_slice("10000010")).await;
    let read = get(&emulator, MO_ROOT, &order).await;
    assert_eq!(
        read.body["d"]["FunctionalLocation"],
        equipment.body["d"]["FunctionalLocation"]
    );

    let deleted = Call::new(Method::DELETE, MO_ROOT, order.clone())
        .csrf(&csrf)
        .send(&emulator)
        .await;
    assert_eq!(
        deleted.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "orders are not deletable"
    );
    assert_eq!(deleted.code(), "/IWCOR/CX_OD_METHD_NOT_ALLOWED");

    // Operations: created through the navigation, changed, deleted (flagged).
    let added = Call::new(
        Method::POST,
        MO_ROOT,
        format!("{order}/to_MaintenanceOrderOperation"),
    )
    .csrf(&csrf)
    .json(json!({"OperationDescription": "Align coupling", "MaintOrderOperationDuration": "1.5"}))
    .send(&emulator)
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{added:?}");
    assert_eq!(added.body["d"]["MaintenanceOrderOperation"], "0030");
    let operation = format!(
        "MaintenanceOrderOperation(MaintenanceOrder='{number}',MaintenanceOrderOperation='0030',MaintenanceOrderSubOperation='')"
    );
    let changed = Call::new(Method::PATCH, MO_ROOT, operation.clone())
        .csrf(&csrf)
        .json(json!({"NumberOfCapacities": 3, "MaintOrdOperationDurationUnit": "MIN"}))
        .send(&emulator)
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{changed:?}");
    let wrong_unit = Call::new(Method::PATCH, MO_ROOT, operation.clone())
        .csrf(&csrf)
        .json(json!({"MaintOrdOperationDurationUnit": "KG"}))
        .send(&emulator)
        .await;
    assert_eq!(wrong_unit.code(), "IW/035");
    let removed = Call::new(Method::DELETE, MO_ROOT, operation.clone())
        .csrf(&csrf)
        .send(&emulator)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{removed:?}");
    let read = get(&emulator, MO_ROOT, &operation).await;
    assert_eq!(read.body["d"]["IsMarkedForDeletion"], true);
    assert_eq!(read.body["d"]["NumberOfCapacities"], 3);
    assert_eq!(read.body["d"]["SystemStatusText"], "CRTD DLT");
}

/// One step of the lifecycle: the function import, extra parameters, and either the status
/// line it leads to or the error code it is refused with.
struct Step {
    function: &'static str,
    parameters: &'static str,
    outcome: Result<&'static str, (u16, &'static str)>,
}

const fn ok(function: &'static str, status: &'static str) -> Step {
    Step {
        function,
        parameters: "",
        outcome: Ok(status),
    }
}

const fn refused(function: &'static str, code: &'static str) -> Step {
    Step {
        function,
        parameters: "",
        outcome: Err((400, code)),
    }
}

#[tokio::test]
async fn status_lifecycle_through_function_imports() {
    let emulator = start("tiny", 7).await;
    let csrf = fetch_csrf(&emulator, MO_ROOT).await;
    let created = Call::new(Method::POST, MO_ROOT, "MaintenanceOrder")
        .csrf(&csrf)
        .json(new_order())
        .send(&emulator)
        .await;
    let number = text(&created.body["d"], "MaintenanceOrder").to_owned();
    let steps = [
        refused("SetMaintOrderStatusToClosed", "BS/013"),
        refused("SetMaintOrdToTechCompleted", "BS/013"),
        refused("ResetMaintOrdStsMrkdForDeltn", "BS/013"),
        ok("ReleaseMaintenanceOrder", "REL NMAT PRC SETC"),
        refused("ReleaseMaintenanceOrder", "BS/013"),
        Step {
            function: "SetMaintOrdToTechCompleted",
            parameters: "&MaintOrderReferenceDateTime=datetimeoffset'2026-03-02T12:00:00Z'&AssignedMaintNotifIsToBeClosed=true",
            outcome: Ok("TECO CNF NMAT PRC SETC"),
        },
        ok("ResetMaintOrdStsTechCompleted", "REL NMAT PRC SETC"),
        ok("SetMaintOrdToTechCompleted", "TECO CNF NMAT PRC SETC"),
        ok("SetMaintOrderStatusToClosed", "CLSD CNF NMAT PRC SETC"),
        refused("SetMaintOrdStsToMrkdForDeltn", "BS/013"),
        refused("ReleaseMaintenanceOrder", "BS/013"),
        ok("ResetMaintOrderStatusClosed", "TECO CNF NMAT PRC SETC"),
        ok(
            "SetMaintOrdStsToMrkdForDeltn",
            "TECO DLFL CNF NMAT PRC SETC",
        ),
        refused("SetMaintOrderStatusToClosed", "BS/013"),
        refused("SetMaintOrdStsToMrkdForDeltn", "BS/013"),
        ok("ResetMaintOrdStsMrkdForDeltn", "TECO CNF NMAT PRC SETC"),
        Step {
            function: "ReleaseMaintenanceOrder",
            parameters: "&Surprise='x'",
            outcome: Err((400, "/IWCOR/CX_OD_BAD_REQUEST")),
        },
    ];
    let order = format!("MaintenanceOrder('{number}')");
    for step in steps {
        let before = get(&emulator, MO_ROOT, &order).await.body["d"].clone();
        let now = advance(&emulator, 60).await;
        let answer = Call::new(
            Method::POST,
            MO_ROOT,
            format!(
                "{}?MaintenanceOrder='{number}'{}",
                step.function, step.parameters
            ),
        )
        .csrf(&csrf)
        .send(&emulator)
        .await;
        let after = get(&emulator, MO_ROOT, &order).await.body["d"].clone();
        match step.outcome {
            Ok(status) => {
                assert_eq!(
                    answer.status,
                    StatusCode::OK,
                    "{}: {answer:?}",
                    step.function
                );
                assert_eq!(answer.body["d"][step.function]["IsInvalid"], false);
                assert_eq!(
                    answer.body["d"][step.function]["__metadata"]["type"],
                    "cds_api_maintenanceorder_2.DummyFunctionImportResult"
                );
                assert_eq!(status_of(&after), status, "{}", step.function);
                assert_eq!(
                    after["LastChangeDateTime"],
                    json_offset(&now),
                    "every step stamps"
                );
                if step.parameters.contains("MaintOrderReferenceDateTime") {
                    assert_eq!(
                        after["MaintOrderReferenceDateTime"],
                        json_offset("2026-03-02T12:00:00Z"),
                        "technical completion keeps the reference it is given"
                    );
                } else if status.starts_with("TECO")
                    && step.function == "SetMaintOrdToTechCompleted"
                {
                    assert_eq!(after["MaintOrderReferenceDateTime"], json_offset(&now));
                }
            }
            Err((code_status, code)) => {
                assert_eq!(
                    answer.status.as_u16(),
                    code_status,
                    "{}: {answer:?}",
                    step.function
                );
                assert_eq!(answer.code(), code, "{}: {answer:?}", step.function);
                assert_eq!(after, before, "a refused step changes nothing");
                if code == "BS/013" {
                    let blocking = status_of(&before);
                    let blocking = if blocking.contains("DLFL") {
                        "DLFL"
                    } else {
                        blocking.split(' ').next().unwrap_or_default()
                    };
                    assert!(
                        answer.message().contains(&format!(
                            "System status {blocking} is active (ORD {number})"
                        )),
                        "{answer:?}"
                    );
                    let details = answer.body["error"]["innererror"]["errordetails"]
                        .as_array()
                        .expect("details");
                    assert!(details.iter().any(|d| d["code"] == "BS/007"), "{answer:?}");
                }
            }
        }
    }
    // A closed order refuses every change.
    let close = |function: &str| {
        Call::new(
            Method::POST,
            MO_ROOT,
            format!("{function}?MaintenanceOrder='{number}'"),
        )
        .csrf(&csrf)
    };
    assert_eq!(
        close("SetMaintOrderStatusToClosed")
            .send(&emulator)
            .await
            .status,
        StatusCode::OK
    );
    let frozen = Call::new(Method::PATCH, MO_ROOT, order.clone())
        .csrf(&csrf)
        .json(json!({"MaintenanceOrderDesc": "too late"}))
        .send(&emulator)
        .await;
    assert_eq!(frozen.code(), "BS/013");
    assert!(frozen.message().contains("CLSD"));

    // Protocol: POST only, CSRF required, parameters checked, unknown orders not found,
    // display users refused.
    let via_get = get(
        &emulator,
        MO_ROOT,
        &format!("ReleaseMaintenanceOrder?MaintenanceOrder='{number}'"),
    )
    .await;
    assert_eq!(
        via_get.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{via_get:?}"
    );
    let tokenless = Call::new(
        Method::POST,
        MO_ROOT,
        format!("ResetMaintOrderStatusClosed?MaintenanceOrder='{number}'"),
    )
    .send(&emulator)
    .await;
    assert_eq!(tokenless.status, StatusCode::FORBIDDEN);
    assert_eq!(tokenless.headers["x-csrf-token"], "Required");
    for (query, status, code) in [
        ("ReleaseMaintenanceOrder", 400, "/IWCOR/CX_OD_BAD_REQUEST"),
        (
            "ReleaseMaintenanceOrder?MaintenanceOrder=4000001",
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            "ReleaseMaintenanceOrder?MaintenanceOrder='4999999'",
            404,
            "/IWBEP/CM_MGW_RT/020",
        ),
        (
            "ReleaseMaintenanceOrder?MaintenanceOrder='4000001'&$format=json",
            400,
            "/IWBEP/CM_MGW_RT/022",
        ),
        (
            "SetMaintOrdToTechCompleted?MaintenanceOrder='4000001'&MaintOrderReferenceDateTime=datetime'2026-03-02T12:00:00'",
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            "ApproveMaintenanceOrder?MaintenanceOrder='4000001'",
            404,
            "/IWBEP/CM_MGW_RT/020",
        ),
    ] {
        let answer = Call::new(Method::POST, MO_ROOT, query)
            .csrf(&csrf)
            .send(&emulator)
            .await;
        assert_eq!(answer.status.as_u16(), status, "{query}: {answer:?}");
        assert_eq!(answer.code(), code, "{query}: {answer:?}");
    }
    let display = emulator.running.credentials["readonly_username"]
        .as_str()
        .expect("user")
        .to_owned();
    let display_password = emulator.running.credentials["readonly_password"]
        .as_str()
        .expect("password")
        .to_owned();
    let reader = Emulator {
        running: mw_mocks::serve(
            mw_mocks::EmulatorOptions {
                system: mw_mocks::SystemKind::Sap,
                profile: mw_mocks::Profile::builtin("tiny").expect("tiny"),
                seed: 7,
                faults: None,
            },
            tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind"),
        )
        .await
        .expect("serve"),
        client: emulator.client.clone(),
        user: display,
        password: display_password,
    };
    let reader_csrf = fetch_csrf(&reader, MO_ROOT).await;
    let forbidden = Call::new(
        Method::POST,
        MO_ROOT,
        "ReleaseMaintenanceOrder?MaintenanceOrder='4000149'",
    )
    .csrf(&reader_csrf)
    .send(&reader)
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{forbidden:?}");
    assert!(
        forbidden.headers.get("x-csrf-token").is_none(),
        "an authorisation error, not CSRF"
    );
}

#[tokio::test]
async fn metadata_declares_the_function_imports() {
    let emulator = start("tiny", 7).await;
    let answer = get(&emulator, MO_ROOT, "$metadata").await;
    let xml = answer.body.as_str().expect("xml").to_owned();
    assert!(xml.contains("<Schema Namespace=\"cds_api_maintenanceorder_2\""));
    assert!(xml.contains(
        "<FunctionImport Name=\"ReleaseMaintenanceOrder\" ReturnType=\"cds_api_maintenanceorder_2.DummyFunctionImportResult\" m:HttpMethod=\"POST\" sap:action-for=\"cds_api_maintenanceorder_2.MaintenanceOrderType\">"
    ));
    assert!(xml.contains("<ComplexType Name=\"DummyFunctionImportResult\">"));
    assert!(xml.contains(
        "<EntitySet Name=\"MaintenanceOrder\" EntityType=\"cds_api_maintenanceorder_2.MaintenanceOrderType\" sap:deletable=\"false\""
    ));
    assert!(xml.contains(
        "<Property Name=\"SystemStatusText\" Type=\"Edm.String\" MaxLength=\"40\" sap:label=\"System status\" sap:creatable=\"false\" sap:updatable=\"false\" sap:sortable=\"false\" sap:filterable=\"false\"/>"
    ));
    assert!(!xml.contains("ConcurrencyMode"), "no ETag by default");
    assert!(xml.contains("API_MAINTENANCEORDER;v=0002/$metadata"));
    let service_document = get(&emulator, MO_ROOT, "").await;
    assert_eq!(
        service_document.body["d"]["EntitySets"],
        json!(["MaintenanceOrder", "MaintenanceOrderOperation"])
    );
}

#[tokio::test]
async fn batch_changesets_roll_back_orders_and_status_steps() {
    let emulator = start("tiny", 7).await;
    let csrf = fetch_csrf(&emulator, MO_ROOT).await;
    let all = all_rows(&emulator, MO_ROOT, "MaintenanceOrder").await;
    let find = |prefix: &str| {
        all.iter()
            .find(|row| status_of(row).starts_with(prefix) && !status_of(row).contains("DLFL"))
            .map(|row| text(row, "MaintenanceOrder").to_owned())
            .expect("an order in that status")
    };
    let (open, closed) = (find("CRTD"), find("CLSD"));
    let before = get(&emulator, MO_ROOT, &format!("MaintenanceOrder('{open}')")).await;
    let operation = |request_line: String, body: Option<Value>| {
        let mut text = format!(
            "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n{request_line} HTTP/1.1\r\nAccept: application/json\r\n"
        );
        match body {
            Some(body) => {
                text.push_str(&format!("Content-Type: application/json\r\n\r\n{body}\r\n"))
            }
            None => text.push_str("\r\n\r\n"),
        }
        text
    };
    // The release of the open order succeeds inside the changeset, the release of the closed one
    // fails: SAP undoes the whole changeset, status step included.
    let changeset = [
        operation(
            format!("PATCH MaintenanceOrder('{open}')"),
            Some(json!({"MaintenanceOrderDesc": "Batched"})),
        ),
        operation(
            format!("POST ReleaseMaintenanceOrder?MaintenanceOrder='{open}'"),
            None,
        ),
        operation(
            format!("POST ReleaseMaintenanceOrder?MaintenanceOrder='{closed}'"),
            None,
        ),
    ];
    let mut body =
        String::from("--batch_pm\r\nContent-Type: multipart/mixed; boundary=changeset_pm\r\n\r\n");
    for part in &changeset {
        body.push_str(&format!("--changeset_pm\r\n{part}"));
    }
    body.push_str("--changeset_pm--\r\n--batch_pm--\r\n");
    let url = format!("{}{MO_ROOT}$batch", emulator.running.base_url);
    let response = emulator
        .request(Method::POST, &url)
        .header("content-type", "multipart/mixed; boundary=batch_pm")
        .header("x-csrf-token", &csrf.token)
        .header("cookie", &csrf.cookie)
        .body(body)
        .send()
        .await
        .expect("batch");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let text_body = response.text().await.expect("body");
    assert!(text_body.contains("HTTP/1.1 400"), "{text_body}");
    assert!(text_body.contains("BS/013"), "{text_body}");
    let after = get(&emulator, MO_ROOT, &format!("MaintenanceOrder('{open}')")).await;
    assert_eq!(
        after.body["d"], before.body["d"],
        "the changeset left nothing behind"
    );
}
