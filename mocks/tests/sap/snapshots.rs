//! Reviewed snapshots of what a client sees: one purchase order and the `$metadata` document.

use crate::common::start;

#[tokio::test]
async fn purchase_order_json_on_the_wire() {
    let emulator = start("tiny", 7).await;
    let response = emulator
        .get("A_PurchaseOrder('4500000001')?$expand=to_PurchaseOrderItem")
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("body");
    // The port is chosen by the system; everything else is deterministic.
    let text = text.replace(&emulator.running.base_url, "http://emulator");
    let pretty: serde_json::Value = serde_json::from_str(&text).expect("json");
    insta::assert_snapshot!("purchase_order_wire", text);
    insta::assert_json_snapshot!("purchase_order_decoded", pretty);
}

#[tokio::test]
async fn metadata_document() {
    let emulator = start("tiny", 7).await;
    let xml = emulator.get("$metadata").await.text().await.expect("xml");
    insta::assert_snapshot!(
        "metadata",
        xml.replace(&emulator.running.base_url, "http://emulator")
    );
}
