//! The admin API for `work-orders` and `assets`: ground truth agrees with what OData serves,
//! lookback windows, native records, churn, determinism, and the plant profile's figures.

use std::time::Instant;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Emulator, date_ms, rfc3339_ms, start};
use crate::pm_common::{EQ_ROOT, MO_ROOT, advance, all_rows, get};

fn truth_pairs(truth: &Value) -> Vec<(String, i64)> {
    truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|record| {
            (
                record["id"].as_str().expect("id").to_owned(),
                rfc3339_ms(record["changed_at"].as_str().expect("changed_at")),
            )
        })
        .collect()
}

/// `(id, LastChangeDateTime)` of OData rows, sorted by id as text (the truth's order).
fn odata_pairs(rows: &[Value], id: &str) -> Vec<(String, i64)> {
    let mut pairs: Vec<(String, i64)> = rows
        .iter()
        .map(|row| {
            (
                row[id].as_str().expect("id").to_owned(),
                date_ms(&row["LastChangeDateTime"]),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

async fn current_equipment(emulator: &Emulator, filter: &str) -> Vec<Value> {
    let mut query =
        String::from("Equipment?$filter=ValidityEndDate eq datetime'9999-12-31T00:00:00'");
    if !filter.is_empty() {
        query.push_str(" and ");
        query.push_str(filter);
    }
    all_rows(emulator, EQ_ROOT, &query).await
}

#[tokio::test]
async fn truth_matches_odata_with_strict_lookbacks() {
    let emulator = start("tiny", 7).await;
    let index = emulator.admin_get("").await;
    for entity in ["work-orders", "assets"] {
        assert!(
            index["entities"]
                .as_array()
                .expect("entities")
                .contains(&json!(entity)),
            "{index}"
        );
    }

    let orders = emulator.admin_get("/truth/work-orders").await;
    assert_eq!(orders["entity_set"], "MaintenanceOrder");
    assert_eq!(orders["count"], 150);
    let rows = all_rows(&emulator, MO_ROOT, "MaintenanceOrder").await;
    assert_eq!(truth_pairs(&orders), odata_pairs(&rows, "MaintenanceOrder"));

    let since = "2026-01-31T08:00:00Z";
    let window = emulator
        .admin_get(&format!("/truth/work-orders?changed_since={since}"))
        .await;
    let count_30 = window["count"].as_u64().expect("count");
    let count_90 = emulator
        .admin_get("/truth/work-orders?changed_since=2025-12-02T08:00:00Z")
        .await["count"]
        .as_u64()
        .expect("count");
    println!("tiny seed 7: 150 work orders, {count_90} changed in 90 days, {count_30} in 30");
    assert!(0 < count_30 && count_30 < count_90 && count_90 < 150);
    let recent = all_rows(
        &emulator,
        MO_ROOT,
        &format!("MaintenanceOrder?$filter=LastChangeDateTime ge datetimeoffset'{since}'"),
    )
    .await;
    assert_eq!(
        truth_pairs(&window),
        odata_pairs(&recent, "MaintenanceOrder")
    );

    let assets = emulator.admin_get("/truth/assets").await;
    assert_eq!(assets["entity_set"], "Equipment");
    assert_eq!(assets["count"], 60, "one record per piece of equipment");
    let equipment = current_equipment(&emulator, "").await;
    assert_eq!(truth_pairs(&assets), odata_pairs(&equipment, "Equipment"));
    let window = emulator
        .admin_get(&format!("/truth/assets?changed_since={since}"))
        .await;
    let recent = current_equipment(
        &emulator,
        &format!("LastChangeDateTime ge datetimeoffset'{since}'"),
    )
    .await;
    assert_eq!(truth_pairs(&window), odata_pairs(&recent, "Equipment"));
    assert!(window["count"].as_u64().expect("count") < 60);
}

#[tokio::test]
async fn records_carry_their_main_navigation() {
    let emulator = start("tiny", 7).await;
    let order = emulator.admin_get("/records/work-orders/4000001").await;
    let odata = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder('4000001')?$expand=to_MaintenanceOrderOperation",
    )
    .await;
    assert_eq!(order["MaintenanceOrder"], "4000001");
    assert_eq!(
        order["SystemStatusText"],
        odata.body["d"]["SystemStatusText"]
    );
    assert_eq!(order["EquipmentName"], odata.body["d"]["EquipmentName"]);
    assert_eq!(
        order["LastChangeDateTime"],
        odata.body["d"]["LastChangeDateTime"]
    );
    let operations = order["to_MaintenanceOrderOperation"]
        .as_array()
        .expect("operations");
    assert_eq!(
        operations.len(),
        odata.body["d"]["to_MaintenanceOrderOperation"]["results"]
            .as_array()
            .expect("results")
            .len()
    );
    assert_eq!(operations[0]["MaintenanceOrderOperation"], "0010");
    assert!(operations[0]["NumberOfCapacities"].is_number());

    let asset = emulator
        .admin_get("/records/assets/000000000010000002")
        .await;
    assert_eq!(asset["Equipment"], "10000002");
    assert_eq!(
        asset["ValidityEndDate"], "/Date(253402214400000)/",
        "the current slice"
    );
    assert!(asset["to_Warranty"].is_array());

    for path in [
        "/records/work-orders/4999999",
        "/records/work-orders/nope",
        "/records/assets/19999999",
        "/records/assets/PUMP",
    ] {
        let response = emulator
            .client
            .get(emulator.admin(path))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn churn_changes_and_creates_work_orders_and_assets() {
    let emulator = start("tiny", 7).await;
    let now = advance(&emulator, 86_400).await;
    for (entity, root, set, key) in [
        (
            "work-orders",
            MO_ROOT,
            "MaintenanceOrder",
            "MaintenanceOrder",
        ),
        ("assets", EQ_ROOT, "Equipment", "Equipment"),
    ] {
        let (status, churn) = emulator
            .admin_post(
                "/churn",
                json!({"entity": entity, "changed": 4, "created": 2}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{churn}");
        assert_eq!(churn["at"], now.as_str());
        let changed: Vec<String> = serde_json::from_value(churn["changed"].clone()).expect("ids");
        let created: Vec<String> = serde_json::from_value(churn["created"].clone()).expect("ids");
        assert_eq!((changed.len(), created.len()), (4, 2), "{churn}");
        let truth = emulator
            .admin_get(&format!("/truth/{entity}?changed_since={now}"))
            .await;
        let mut expected: Vec<String> = changed.iter().chain(&created).cloned().collect();
        expected.sort();
        let ids: Vec<String> = truth_pairs(&truth).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, expected, "{entity}");
        let filter = format!("LastChangeDateTime ge datetimeoffset'{now}'");
        let rows = if entity == "assets" {
            current_equipment(&emulator, &filter).await
        } else {
            all_rows(&emulator, root, &format!("{set}?$filter={filter}")).await
        };
        let mut served: Vec<String> = rows
            .iter()
            .map(|row| row[key].as_str().expect("id").to_owned())
            .collect();
        served.sort();
        assert_eq!(served, expected, "{entity} through OData");
        for row in &rows {
            assert_eq!(date_ms(&row["LastChangeDateTime"]), rfc3339_ms(&now));
        }
    }
    let orders = all_rows(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder?$filter=MaintenanceOrder ge '4000150'",
    )
    .await;
    assert!(
        orders.iter().all(|row| row["SystemStatusText"]
            .as_str()
            .is_some_and(|s| s.starts_with("CRTD"))),
        "new orders start created"
    );

    for bad in [
        json!({"entity": "work-orders", "changed": 1, "deleted": 1}),
        json!({"entity": "assets", "deleted": 2}),
        json!({"entity": "work-orders", "changed": 100_000}),
        json!({"entity": "assets", "changed": 100_000}),
    ] {
        let (status, body) = emulator.admin_post("/churn", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn same_seed_same_plant_maintenance() {
    let a = start("tiny", 7).await;
    let b = start("tiny", 7).await;
    let c = start("tiny", 8).await;
    for entity in ["work-orders", "assets"] {
        let path = format!("/truth/{entity}");
        let digest = a.admin_get(&path).await["digest"].clone();
        assert_eq!(digest, b.admin_get(&path).await["digest"], "{entity}");
        assert_ne!(digest, c.admin_get(&path).await["digest"], "{entity}");
    }
    let record = "/records/work-orders/4000042";
    assert_eq!(a.admin_get(record).await, b.admin_get(record).await);
    assert_ne!(a.admin_get(record).await, c.admin_get(record).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plant_profile_figures() {
    let started = Instant::now();
    let emulator = start("plant", 7).await;
    let startup = started.elapsed();
    let orders = emulator.admin_get("/truth/work-orders").await;
    assert_eq!(orders["count"], 16_000);
    let assets = emulator.admin_get("/truth/assets").await;
    assert_eq!(assets["count"], 12_000);
    let since = "2026-01-31T08:00:00Z";
    let window = emulator
        .admin_get(&format!("/truth/work-orders?changed_since={since}"))
        .await;
    let synced = Instant::now();
    let recent = all_rows(
        &emulator,
        MO_ROOT,
        &format!(
            "MaintenanceOrder?$filter=LastChangeDateTime ge datetimeoffset'{since}'&$orderby=LastChangeDateTime asc,MaintenanceOrder asc"
        ),
    )
    .await;
    let elapsed = synced.elapsed();
    let mut served = odata_pairs(&recent, "MaintenanceOrder");
    served.sort();
    assert_eq!(truth_pairs(&window), served);
    let changed: Vec<i64> = recent
        .iter()
        .map(|row| date_ms(&row["LastChangeDateTime"]))
        .collect();
    assert!(
        changed.windows(2).all(|pair| pair[0] <= pair[1]),
        "change order"
    );
    println!(
        "plant: started in {startup:?}; {} of 16000 work orders changed in 30 days, read in {elapsed:?}",
        recent.len()
    );
    assert!(!recent.is_empty() && recent.len() < 16_000);
}
