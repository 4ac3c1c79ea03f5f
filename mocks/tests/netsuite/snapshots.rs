//! Reviewed snapshots of what a client sees: one record of each type, a collection page, a
//! SuiteQL page and error envelopes. The port is chosen by the system; everything else is
//! deterministic for the seed.

use serde_json::{Value, json};

use crate::common::{Ns, RECORDS, start};

fn stable(ns: &Ns, value: &Value) -> Value {
    let text = value
        .to_string()
        .replace(&ns.running.base_url, "http://emulator");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test]
async fn one_record_of_each_type() {
    let ns = start("tiny", 7).await;
    let created = ns
        .post(
            &format!("{RECORDS}/inventoryAdjustment"),
            &json!({
                "subsidiary": {"id": "1"},
                "account": {"id": "8"},
                "adjLocation": {"id": "1"},
                "memo": "Cycle count",
                "externalId": "CC-2026-03",
                "inventory": {"items": [{"item": {"id": "200001"}, "adjustQtyBy": 4}]}
            }),
        )
        .await;
    assert_eq!(created.status, 204, "{:?}", created.body);
    for (name, path) in [
        (
            "purchase_order",
            "purchaseOrder/1000001?expandSubResources=true",
        ),
        ("purchase_order_unexpanded", "purchaseOrder/1000001"),
        ("vendor", "vendor/100001"),
        (
            "inventory_item",
            "inventoryItem/200001?expandSubResources=true",
        ),
        (
            "inventory_adjustment",
            "inventoryAdjustment/eid:CC-2026-03?expandSubResources=true",
        ),
        ("location", "location/1"),
        ("account", "account/8"),
        ("subsidiary", "subsidiary/1"),
        ("currency", "currency/2"),
        ("collection", "purchaseOrder?limit=2&offset=2"),
        ("not_found", "purchaseOrder/42"),
    ] {
        let answer = ns.get(&format!("{RECORDS}/{path}")).await;
        insta::assert_json_snapshot!(name, stable(&ns, &answer.body));
    }
}

#[tokio::test]
async fn suiteql_page_and_refusals() {
    let ns = start("tiny", 7).await;
    let page = ns
        .suiteql(
            "SELECT t.id, t.tranid, t.trandate, t.status, BUILTIN.DF(t.status) AS statustext, t.foreigntotal, \
             TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified, tl.linesequencenumber, \
             tl.item, tl.quantity, tl.rate, tl.mainline \
             FROM transaction t JOIN transactionline tl ON tl.transaction = t.id \
             WHERE t.id = 1000002 ORDER BY tl.linesequencenumber",
            "?limit=2",
        )
        .await;
    insta::assert_json_snapshot!("suiteql_page", stable(&ns, &page.body));
    let refusal = ns.suiteql("SELECT id FROM transaction WHERE", "").await;
    insta::assert_json_snapshot!("suiteql_refusal", refusal.body);
    let login = ns
        .client
        .get(ns.url(&format!("{RECORDS}/vendor/100001")))
        .send()
        .await
        .expect("request");
    let body: Value = login.json().await.expect("json");
    insta::assert_json_snapshot!("invalid_login", body);
}
