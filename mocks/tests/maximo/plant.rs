//! The plant profile: a connector-style keyset sync over two years of work orders stays exact,
//! and the volumes follow the reference's plant figures.

use std::time::Instant;

use crate::common::{Emulator, enc, seconds, start};

/// Pages through `(changedate, workorderid)` order with the keyset filter a connector uses,
/// from `since` on; returns `(site/wonum, changedate seconds)` of every work order.
async fn keyset_sync(emulator: &Emulator, since: &str) -> Vec<(String, i64)> {
    let mut rows = Vec::new();
    let mut filter = format!("changedate>=\"{since}\"");
    loop {
        let answer = emulator
            .get(&format!(
                "/maximo/api/os/mxapiwodetail?lean=1&oslc.select=wonum,siteid,workorderid,changedate&oslc.orderBy={}&oslc.pageSize=1000&oslc.where={}",
                enc("+changedate,+workorderid"),
                enc(&filter)
            ))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = answer.body["member"].as_array().expect("member").clone();
        let Some(last) = page.last() else { break };
        let at = last["changedate"].as_str().expect("changedate").to_owned();
        let id = last["workorderid"].as_i64().expect("id");
        filter = format!("changedate>\"{at}\" or (changedate=\"{at}\" and workorderid>{id})");
        let full = page.len() == 1000;
        rows.extend(page.iter().map(|m| {
            (
                format!(
                    "{}/{}",
                    m["siteid"].as_str().expect("site"),
                    m["wonum"].as_str().expect("wonum")
                ),
                seconds(m["changedate"].as_str().expect("changedate")),
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
    let rows = keyset_sync(&emulator, "2024-03-02T03:00:00-05:00").await;
    let elapsed = started.elapsed();
    let truth = emulator
        .admin_get("/truth/work-orders?changed_since=2024-03-02T08:00:00Z")
        .await;
    let mut expected: Vec<(String, i64)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            let at = chrono::DateTime::parse_from_rfc3339(r["changed_at"].as_str().expect("at"))
                .expect("rfc3339")
                .timestamp();
            (r["id"].as_str().expect("id").to_owned(), at)
        })
        .collect();
    let mut sorted_rows = rows.clone();
    sorted_rows.sort();
    expected.sort();
    assert_eq!(rows.len(), expected.len());
    assert_eq!(sorted_rows, expected, "every work order once");
    assert!(rows.windows(2).all(|w| w[0].1 <= w[1].1), "in change order");
    println!(
        "plant keyset sync: {} work orders in {elapsed:?}",
        rows.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plant_volumes_follow_the_reference() {
    let emulator = start("plant", 7).await;
    let count = |os: &'static str, filter: Option<&'static str>| {
        let emulator = &emulator;
        async move {
            let filter = filter.map_or_else(String::new, |f| format!("&oslc.where={}", enc(f)));
            emulator
                .get(&format!("/maximo/api/os/{os}?lean=1&count=1{filter}"))
                .await
                .body["totalCount"]
                .as_u64()
                .expect("count")
        }
    };
    let work_orders = count("mxapiwodetail", None).await;
    let last_year = count(
        "mxapiwodetail",
        Some("reportdate>=\"2025-03-02T03:00:00-05:00\""),
    )
    .await;
    let closed = count("mxapiwodetail", Some("status=\"CLOSE\"")).await;
    let cancelled = count("mxapiwodetail", Some("status=\"CAN\"")).await;
    let inspections = count("mxapiwodetail", Some("worktype=\"INSP\"")).await;
    let assets = count("mxapiasset", None).await;
    let per_site = count("mxapiasset", Some("siteid=\"NASHUA\"")).await;
    let inventory = count("mxapiinventory", None).await;
    let purchase_orders = count("mxapipo", None).await;
    // Reference §4: 2,000-30,000 work orders per plant-year; mostly closed; inspections and PM
    // first in the work-type mix; assets 1k-10k per plant.
    assert_eq!(work_orders, 20_000);
    assert!((9_000..=11_000).contains(&last_year), "{last_year} a year");
    assert!(closed * 100 / work_orders >= 85, "{closed} closed");
    assert!(
        (1..work_orders / 20).contains(&cancelled),
        "{cancelled} cancelled"
    );
    assert!(
        (6_500..=8_700).contains(&inspections),
        "{inspections} inspections"
    );
    assert_eq!(assets, 3_600);
    assert_eq!(per_site, 1_800);
    assert!(
        (5_000..=7_000).contains(&inventory),
        "{inventory} inventory records"
    );
    assert_eq!(purchase_orders, 8_000);
    // Status history: about five rows per closed work order.
    let (members, _) = emulator
        .all_pages(&format!(
            "/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=1000&oslc.select=wostatus%7Bstatus%7D&oslc.where={}",
            enc("status=\"CLOSE\" and reportdate<\"2024-06-01T00:00:00-05:00\"")
        ))
        .await;
    let rows: usize = members
        .iter()
        .map(|m| m["wostatus"].as_array().map_or(0, Vec::len))
        .sum();
    let average = rows as f64 / members.len() as f64;
    assert!(
        (4.5..=5.5).contains(&average),
        "{average} history rows per closed work order"
    );
    println!(
        "plant: {work_orders} work orders ({last_year} in the last year, {closed} closed, {cancelled} cancelled, {inspections} inspections), {assets} assets, {inventory} inventory records, {purchase_orders} purchase orders, {average:.2} status rows per closed work order"
    );
}
