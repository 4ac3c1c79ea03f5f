//! The enterprise profile (1,200,000 purchase orders): it starts at once, and incremental reads
//! by `lastModifiedDate` — SuiteQL and the record API — touch only the recent tail of history.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::common::{RECORDS, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enterprise_reads_the_recent_tail_without_scanning_history() {
    let rss_before = resident_kib();
    let started = Instant::now();
    let ns = start("enterprise", 7).await;
    let startup = started.elapsed();
    assert!(startup < Duration::from_secs(2), "startup took {startup:?}");
    println!(
        "enterprise: started in {startup:?}, resident memory grew by {} KiB",
        resident_kib().saturating_sub(rss_before)
    );

    let list = ns
        .get(&format!("{RECORDS}/purchaseOrder?limit=3&offset=0"))
        .await;
    assert_eq!(list.body["totalResults"], 1_200_000);

    // A connector's incremental page: the last seven days of five years, in change order.
    let q = "SELECT t.id, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate \
             FROM transaction t WHERE t.type = 'PurchOrd' \
             AND t.lastmodifieddate >= TO_TIMESTAMP('2026-02-23 08:00:00', 'YYYY-MM-DD HH24:MI:SS') \
             ORDER BY t.lastmodifieddate, t.id";
    let page_started = Instant::now();
    let page = ns.suiteql(q, "?limit=1000").await;
    let page_time = page_started.elapsed();
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert!(
        page_time < Duration::from_secs(10),
        "a page took {page_time:?}"
    );
    let total = page.body["totalResults"].as_u64().expect("total");
    let truth = ns
        .admin_get("/truth/purchase-orders?changed_since=2026-02-23T08:00:00Z")
        .await;
    assert_eq!(truth["count"].as_u64(), Some(total));
    assert!(total > 1_000, "{total}");

    // Keyset paging past the ceiling: offsets stop at 100,000 results.
    let q = "SELECT id FROM transaction WHERE id > 1050000 AND id <= 1160000 ORDER BY id";
    let near = ns.suiteql(q, "?limit=1000&offset=99000").await;
    assert_eq!(near.status, StatusCode::OK, "{:?}", near.body);
    assert_eq!(near.body["totalResults"], 110_000);
    assert_eq!(near.body["count"], 1000);
    assert_eq!(
        near.body["hasMore"], false,
        "nothing past the 100,000th result"
    );
    assert_eq!(near.body["items"][999]["id"], "1150000");
    let past = ns.suiteql(q, "?limit=1000&offset=100000").await;
    assert_eq!(past.code(), "INVALID_PARAMETER");
    let keyset = ns
        .suiteql(
            "SELECT id FROM transaction WHERE id > 1150000 AND id <= 1160000 ORDER BY id",
            "?limit=1000",
        )
        .await;
    assert_eq!(keyset.body["items"][0]["id"], "1150001");
    println!(
        "enterprise: 7-day SuiteQL page in {page_time:?}; resident memory after the run {} KiB",
        resident_kib()
    );
}

/// The process's resident set in KiB (Linux; 0 elsewhere), for the report only.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn plant_has_realistic_volumes() {
    let ns = start("plant", 7).await;
    let orders = ns.admin_get("/truth/purchase-orders").await;
    assert_eq!(orders["count"], 24_000);
    let recent = ns
        .admin_get("/truth/purchase-orders?changed_since=2026-01-31T08:00:00Z")
        .await;
    let recent = recent["count"].as_u64().expect("count");
    assert!(
        recent > 500 && recent < 2_000,
        "{recent} orders changed in 30 days"
    );
    assert_eq!(ns.admin_get("/truth/vendors").await["count"], 800);
    let locations = ns.get(&format!("{RECORDS}/location")).await;
    assert_eq!(locations.body["totalResults"], 12);
    let items = ns.suiteql("SELECT COUNT(*) AS n FROM item", "").await;
    assert_eq!(items.body["items"][0]["n"], "10000");
    assert_eq!(ns.admin_get("/governance").await["concurrency_limit"], 5);
}
