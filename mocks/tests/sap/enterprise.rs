//! The enterprise profile (1,200,000 purchase orders): it starts at once and serves pages by
//! change time without scanning or sorting the history, in the order the truth lists them.

use std::time::{Duration, Instant};

use crate::common::{date_ms, rfc3339_ms, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enterprise_pages_by_change_time_without_scanning_the_history() {
    let started = Instant::now();
    let emulator = start("enterprise", 7).await;
    let startup = started.elapsed();
    // Generous for unoptimised test builds; the release benchmark reports the real figure.
    assert!(startup < Duration::from_secs(2), "startup took {startup:?}");
    let (status, count) = emulator.get_json("A_PurchaseOrder/$count").await;
    assert_eq!(status, 200);
    assert_eq!(count, serde_json::json!(1_200_000));

    // A connector's keyset page from somewhere in the middle of five years of history.
    let since = "2023-06-01T00:00:00Z";
    let query = format!(
        "A_PurchaseOrder?$select=PurchaseOrder,LastChangeDateTime&$orderby=LastChangeDateTime%20asc,PurchaseOrder%20asc&$top=500&$filter=LastChangeDateTime%20ge%20datetimeoffset'{since}'"
    );
    let page_started = Instant::now();
    let (status, body) = emulator.get_json(&query).await;
    let page_time = page_started.elapsed();
    assert_eq!(status, 200, "{body}");
    let rows = body["d"]["results"].as_array().expect("results");
    assert_eq!(rows.len(), 500);
    assert!(
        page_time < Duration::from_secs(5),
        "a page took {page_time:?}"
    );
    let served: Vec<(i64, String)> = rows
        .iter()
        .map(|r| {
            (
                date_ms(&r["LastChangeDateTime"]),
                r["PurchaseOrder"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    assert!(served.windows(2).all(|w| w[0] < w[1]), "change order");
    // The truth of the window the page covers lists the same orders first.
    let last = served.last().expect("last").0;
    let until = chrono::DateTime::from_timestamp_millis(last)
        .expect("instant")
        .to_rfc3339();
    let truth = emulator
        .admin_get(&format!(
            "/truth/purchase-orders?changed_since={}&changed_until={}",
            since.replace(':', "%3A"),
            until.replace(':', "%3A").replace('+', "%2B")
        ))
        .await;
    let mut expected: Vec<(i64, String)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                rfc3339_ms(r["changed_at"].as_str().expect("at")),
                r["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(served, expected[..500].to_vec());
}
