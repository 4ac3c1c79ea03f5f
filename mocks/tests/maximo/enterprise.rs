//! The enterprise profile (1,100,000 work orders): it starts at once, counts without
//! materialising anything, and serves keyset pages by changedate in the order the truth lists
//! them, in bounded memory.

use std::time::{Duration, Instant};

use crate::common::{enc, seconds, start};

/// Peak resident memory of this process (`VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enterprise_starts_at_once_and_pages_by_change_time() {
    let started = Instant::now();
    let emulator = start("enterprise", 7).await;
    let startup = started.elapsed();
    // Generous for unoptimised test builds.
    assert!(startup < Duration::from_secs(2), "startup took {startup:?}");
    let count = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&count=1")
        .await;
    assert_eq!(count.body["totalCount"], 1_100_000);

    // A connector's keyset page from the middle of five years of history.
    let since = "2023-06-01T00:00:00-05:00";
    let page_started = Instant::now();
    let answer = emulator
        .get(&format!(
            "/maximo/api/os/mxapiwodetail?lean=1&oslc.select=wonum,siteid,changedate,status,woactivity%7B*%7D&oslc.orderBy={}&oslc.pageSize=1000&collectioncount=1&oslc.where={}",
            enc("+changedate,+workorderid"),
            enc(&format!("changedate>=\"{since}\""))
        ))
        .await;
    let page_time = page_started.elapsed();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        page_time < Duration::from_secs(10),
        "a page took {page_time:?}"
    );
    let total = answer.body["responseInfo"]["totalCount"]
        .as_u64()
        .expect("total");
    assert!(total > 500_000, "{total}");
    let members = answer.body["member"].as_array().expect("member");
    assert_eq!(members.len(), 1000);
    let served: Vec<(i64, String)> = members
        .iter()
        .map(|m| {
            (
                seconds(m["changedate"].as_str().expect("changedate")),
                format!(
                    "{}/{}",
                    m["siteid"].as_str().expect("site"),
                    m["wonum"].as_str().expect("wonum")
                ),
            )
        })
        .collect();
    assert!(served.windows(2).all(|w| w[0].0 <= w[1].0), "change order");
    // The truth of the window the page covers lists the same work orders.
    let last = served.last().expect("last").0;
    let until = chrono::DateTime::from_timestamp(last, 0)
        .expect("instant")
        .to_rfc3339();
    let truth = emulator
        .admin_get(&format!(
            "/truth/work-orders?changed_since={}&changed_until={}",
            enc("2023-06-01T05:00:00Z"),
            enc(&until)
        ))
        .await;
    let mut expected: Vec<(i64, String)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                seconds(r["changed_at"].as_str().expect("at")),
                r["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    expected.sort();
    let mut sorted = served.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        expected[..served.len().min(expected.len())].to_vec()
    );
    if let Some(mib) = peak_rss_mib() {
        assert!(mib < 1024.0, "peak RSS {mib:.0} MiB");
        println!(
            "enterprise: startup {startup:?}, keyset page {page_time:?}, peak RSS {mib:.0} MiB"
        );
    }
}
