//! The plant profile: a connector-style keyset sync over two years of data stays exact and fast.

use std::time::Instant;

use crate::common::{date_ms, start};

/// Pages through `LastChangeDateTime` order with the keyset filter a connector uses, from
/// `since` on, and returns `(id, changed ms)` of every row.
async fn keyset_sync(emulator: &crate::common::Emulator, since: &str) -> Vec<(String, i64)> {
    let mut rows = Vec::new();
    let mut filter = format!("LastChangeDateTime ge datetimeoffset'{since}'");
    loop {
        let (status, body) = emulator
            .get_json(&format!(
                "A_PurchaseOrder?$select=PurchaseOrder,LastChangeDateTime&$orderby=LastChangeDateTime asc,PurchaseOrder asc&$top=1000&$filter={filter}"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        let page = body["d"]["results"].as_array().expect("results").clone();
        let Some(last) = page.last() else { break };
        let at = date_ms(&last["LastChangeDateTime"]);
        let id = last["PurchaseOrder"].as_str().expect("id").to_owned();
        let literal = chrono::DateTime::from_timestamp_millis(at)
            .expect("instant")
            .format("%Y-%m-%dT%H:%M:%S%.3fZ");
        filter = format!(
            "LastChangeDateTime gt datetimeoffset'{literal}' or (LastChangeDateTime eq datetimeoffset'{literal}' and PurchaseOrder gt '{id}')"
        );
        let full = page.len() == 1000;
        rows.extend(page.iter().map(|r| {
            (
                r["PurchaseOrder"].as_str().expect("id").to_owned(),
                date_ms(&r["LastChangeDateTime"]),
            )
        }));
        if !full {
            break;
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_sync_of_the_plant_is_exact() {
    let emulator = start("plant", 7).await;
    let started = Instant::now();
    let rows = keyset_sync(&emulator, "2024-03-02T08:00:00Z").await;
    let elapsed = started.elapsed();
    let truth = emulator
        .admin_get("/truth/purchase-orders?changed_since=2024-03-02T08:00:00Z")
        .await;
    let mut expected: Vec<(String, i64)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            let at = chrono::DateTime::parse_from_rfc3339(r["changed_at"].as_str().expect("at"))
                .expect("rfc3339")
                .timestamp_millis();
            (r["id"].as_str().expect("id").to_owned(), at)
        })
        .collect();
    expected.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    assert_eq!(rows.len(), expected.len());
    assert_eq!(rows, expected, "every order once, in change order");
    println!("plant keyset sync: {} orders in {elapsed:?}", rows.len());
}
