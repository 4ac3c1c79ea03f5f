//! The admin API for NetSuite: ground truth, churn, native records, determinism and the tiny
//! profile's lookback figures.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{RECORDS, start, truth_ids};

#[tokio::test]
async fn lookbacks_select_strict_subsets() {
    let ns = start("tiny", 7).await;
    let all = ns.admin_get("/truth/purchase-orders").await;
    let days30 = ns
        .admin_get("/truth/purchase-orders?changed_since=2026-01-31T08:00:00Z")
        .await;
    let days90 = ns
        .admin_get("/truth/purchase-orders?changed_since=2025-12-02T08:00:00Z")
        .await;
    let (n_all, n30, n90) = (
        all["count"].as_u64().expect("n"),
        days30["count"].as_u64().expect("n"),
        days90["count"].as_u64().expect("n"),
    );
    println!("tiny seed 7: {n30} purchase orders changed in 30 days, {n90} in 90, {n_all} in all");
    assert_eq!(n_all, 400);
    assert!(0 < n30 && n30 < n90 && n90 < n_all, "{n30} {n90} {n_all}");
    assert_eq!((n30, n90), (106, 310), "deterministic for seed 7");
    assert_eq!(all["entity_set"], "purchaseOrder");
    assert_eq!(all["system"], "netsuite");
    let vendors = ns.admin_get("/truth/vendors").await;
    assert_eq!(vendors["count"], 40);
    let inventory = ns.admin_get("/truth/inventory").await;
    let levels = inventory["records"].as_array().expect("levels");
    assert!(levels.len() > 160, "{}", levels.len());
    assert!(
        levels
            .iter()
            .all(|r| r["changed_at"].is_null() && r["values"]["quantityonhand"].is_string())
    );
    let ids = truth_ids(&inventory);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "sorted by id");

    // The same seed gives the same truth; another seed another.
    let again = start("tiny", 7).await;
    assert_eq!(
        again.admin_get("/truth/purchase-orders").await["digest"],
        all["digest"]
    );
    assert_eq!(
        again.admin_get("/truth/inventory").await["digest"],
        inventory["digest"]
    );
    let other = start("tiny", 8).await;
    assert_ne!(
        other.admin_get("/truth/purchase-orders").await["digest"],
        all["digest"]
    );
}

#[tokio::test]
async fn churn_changes_creates_and_removes_at_the_virtual_now() {
    let ns = start("tiny", 7).await;
    ns.admin_post("/clock", json!({"advance_seconds": 86_400 + 45}))
        .await;
    let (status, churn) = ns
        .admin_post(
            "/churn",
            json!({"entity": "purchase-orders", "changed": 3, "created": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{churn}");
    let mut expected: Vec<String> = serde_json::from_value(churn["changed"].clone()).expect("ids");
    let created: Vec<String> = serde_json::from_value(churn["created"].clone()).expect("ids");
    assert_eq!(created, ["1000401", "1000402"]);
    expected.extend(created);
    expected.sort();
    let truth = ns
        .admin_get("/truth/purchase-orders?changed_since=2026-03-03T08:00:00Z")
        .await;
    assert_eq!(truth_ids(&truth), expected);
    for record in truth["records"].as_array().expect("records") {
        assert_eq!(
            record["changed_at"], "2026-03-03T08:00:00.000Z",
            "the minute of the churn"
        );
    }
    let seen = ns
        .suiteql(
            "SELECT id FROM transaction WHERE lastmodifieddate >= TO_DATE('2026-03-03', 'YYYY-MM-DD') ORDER BY id",
            "",
        )
        .await;
    let ids: Vec<String> = seen.body["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids, expected);

    let (_, vendors) = ns
        .admin_post(
            "/churn",
            json!({"entity": "vendors", "changed": 2, "created": 1}),
        )
        .await;
    assert_eq!(vendors["created"], json!(["100041"]));
    assert_eq!(
        ns.admin_get("/truth/vendors?changed_since=2026-03-03T08:00:00Z")
            .await["count"],
        3
    );

    let before = ns.admin_get("/truth/inventory").await;
    let (status, stock) = ns
        .admin_post(
            "/churn",
            json!({"entity": "inventory", "changed": 2, "created": 2, "deleted": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stock}");
    let after = ns.admin_get("/truth/inventory").await;
    assert_eq!(after["count"], before["count"].as_u64().expect("n") + 1);
    let after_ids = truth_ids(&after);
    for id in stock["created"].as_array().expect("created") {
        assert!(after_ids.contains(&id.as_str().expect("id").to_owned()));
    }
    let gone = stock["deleted"][0].as_str().expect("deleted");
    assert!(!after_ids.contains(&gone.to_owned()));
    let (item, location) = gone.split_once(':').expect("pair");
    let record = ns
        .get(&format!(
            "{RECORDS}/inventoryItem/{item}?expandSubResources=true"
        ))
        .await
        .body;
    assert!(
        record["locations"]["items"]
            .as_array()
            .expect("locations")
            .iter()
            .all(|l| l["location"]["id"] != location),
        "the vanished level is gone from the item too"
    );

    for (body, status) in [
        (
            json!({"entity": "purchase-orders", "deleted": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"entity": "purchase-orders", "changed": 100_000}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"entity": "work-orders", "changed": 1}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"entity": "invoices", "changed": 1}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (got, answer) = ns.admin_post("/churn", body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
    }
}

#[tokio::test]
async fn native_records_and_entities_netsuite_lacks() {
    let ns = start("tiny", 7).await;
    let order = ns.admin_get("/records/purchase-orders/1000001").await;
    assert_eq!(order["id"], "1000001");
    assert!(order["item"]["items"].is_array(), "children inline");
    let vendor = order["entity"]["id"].as_str().expect("vendor");
    let native = ns.admin_get(&format!("/records/vendors/{vendor}")).await;
    assert_eq!(native["id"], vendor);
    let level = truth_ids(&ns.admin_get("/truth/inventory").await)[0].clone();
    let stock = ns.admin_get(&format!("/records/inventory/{level}")).await;
    assert!(stock["quantityOnHand"].is_number() && stock["location"]["id"].is_string());
    for path in [
        "/records/purchase-orders/99",
        "/records/inventory/1:2:3",
        "/records/work-orders/1",
        "/truth/assets",
        "/truth/work-orders",
    ] {
        let response = ns
            .client
            .get(format!("{}{path}", ns.running.admin_url))
            .send()
            .await
            .expect("admin");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let index = ns.admin_get("").await;
    assert_eq!(index["system"], "netsuite");
    assert_eq!(
        index["entities"],
        json!(["purchase-orders", "vendors", "inventory"])
    );
}
