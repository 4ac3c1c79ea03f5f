//! Reviewed snapshots of the plant-maintenance services: one sample of every entity set, a
//! status function import's answer and refusal, and both `$metadata` documents.

use reqwest::Method;

use crate::common::{Emulator, start};
use crate::pm_common::{Call, EQ_ROOT, MO_ROOT, current_slice, fetch_csrf, get};

/// The body as text with the system-chosen port replaced.
async fn text(emulator: &Emulator, root: &str, resource: &str) -> String {
    let url = format!("{}{root}{resource}", emulator.running.base_url);
    let response = emulator
        .request(Method::GET, &url)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "{resource}");
    response
        .text()
        .await
        .expect("body")
        .replace(&emulator.running.base_url, "http://emulator")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("json")
}

#[tokio::test]
async fn maintenance_order_samples() {
    let emulator = start("tiny", 7).await;
    let order = text(&emulator, MO_ROOT, "MaintenanceOrder('4000141')").await;
    insta::assert_snapshot!("maintenance_order_wire", order);
    let operation = text(
        &emulator,
        MO_ROOT,
        "MaintenanceOrderOperation(MaintenanceOrder='4000141',MaintenanceOrderOperation='0010',MaintenanceOrderSubOperation='')",
    )
    .await;
    insta::assert_json_snapshot!("maintenance_order_operation", json(&operation));

    let csrf = fetch_csrf(&emulator, MO_ROOT).await;
    let status = get(&emulator, MO_ROOT, "MaintenanceOrder('4000141')")
        .await
        .body["d"]["SystemStatusText"]
        .as_str()
        .expect("status")
        .to_owned();
    assert!(
        status.starts_with("CRTD") || status.starts_with("REL"),
        "{status}"
    );
    let function = if status.starts_with("CRTD") {
        "ReleaseMaintenanceOrder"
    } else {
        "SetMaintOrdToTechCompleted"
    };
    let done = Call::new(
        Method::POST,
        MO_ROOT,
        format!("{function}?MaintenanceOrder='4000141'"),
    )
    .csrf(&csrf)
    .send(&emulator)
    .await;
    insta::assert_json_snapshot!("status_function_result", done.body);
    // Released or technically completed now, the order cannot be released (again).
    let refused = Call::new(
        Method::POST,
        MO_ROOT,
        "ReleaseMaintenanceOrder?MaintenanceOrder='4000141'",
    )
    .csrf(&csrf)
    .send(&emulator)
    .await;
    insta::assert_json_snapshot!("status_function_refusal", refused.body, {
        // Counts requests; everything else in the envelope is a function of the data.
        ".error.innererror.transactionid" => "[transaction]",
    });
}

#[tokio::test]
async fn equipment_samples() {
    let emulator = start("tiny", 7).await;
    let equipment = text(&emulator, EQ_ROOT, &current_slice("10000001")).await;
    insta::assert_snapshot!("equipment_wire", equipment);
    let warranties = text(&emulator, EQ_ROOT, "EquipmentWarranty?$top=2").await;
    insta::assert_json_snapshot!("equipment_warranties", json(&warranties));
}

#[tokio::test]
async fn plant_maintenance_metadata() {
    let emulator = start("tiny", 7).await;
    insta::assert_snapshot!(
        "maintenance_order_metadata",
        text(&emulator, MO_ROOT, "$metadata").await
    );
    insta::assert_snapshot!(
        "equipment_metadata",
        text(&emulator, EQ_ROOT, "$metadata").await
    );
}
