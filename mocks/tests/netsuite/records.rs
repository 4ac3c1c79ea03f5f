//! Reading the record API: collections of stubs with NetSuite's paging envelope, `q=`
//! filters, single records with `expandSubResources`, `fields` and `simpleEnumFormat`,
//! sublists, and refusals.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Ns, RECORDS, start, truth_ids};

fn rels(body: &Value) -> Vec<String> {
    body["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["rel"].as_str().expect("rel").to_owned())
        .collect()
}

/// Follows `next` links from `path`; returns every id and the number of pages.
async fn all_ids(ns: &Ns, path: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut next = Some(ns.url(path));
    let mut pages = 0;
    while let Some(url) = next {
        let path = url.trim_start_matches(&ns.running.base_url).to_owned();
        let page = ns.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {:?}", page.body);
        for item in page.body["items"].as_array().expect("items") {
            ids.push(item["id"].as_str().expect("id").to_owned());
            assert!(
                item["links"][0]["href"]
                    .as_str()
                    .expect("href")
                    .ends_with(item["id"].as_str().expect("id"))
            );
        }
        next = page.body["links"]
            .as_array()
            .expect("links")
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().expect("href").to_owned());
        pages += 1;
        assert!(pages < 1_000, "paging does not end");
    }
    (ids, pages)
}

#[tokio::test]
async fn collections_page_with_netsuites_envelope() {
    let ns = start("tiny", 7).await;
    let first = ns.get(&format!("{RECORDS}/purchaseOrder?limit=5")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.header("content-type"),
        Some("application/vnd.oracle.resource+json; type=collection")
    );
    assert_eq!(first.body["count"], 5);
    assert_eq!(first.body["hasMore"], true);
    assert_eq!(first.body["offset"], 0);
    assert_eq!(first.body["totalResults"], 400);
    assert_eq!(rels(&first.body), ["next", "last", "self"]);
    let stub = &first.body["items"][0];
    assert_eq!(stub["id"], "1000001");
    assert_eq!(
        stub.as_object().map(|o| o.len()),
        Some(2),
        "stubs carry links and id only"
    );
    let second = ns
        .get(&format!("{RECORDS}/purchaseOrder?limit=5&offset=5"))
        .await;
    assert_eq!(
        rels(&second.body),
        ["previous", "first", "next", "last", "self"]
    );
    let last = ns
        .get(&format!("{RECORDS}/purchaseOrder?limit=5&offset=395"))
        .await;
    assert_eq!(last.body["hasMore"], false);
    assert_eq!(last.body["items"][4]["id"], "1000400");

    // Every vendor once, ascending, whatever the page size.
    let (ids, pages) = all_ids(&ns, &format!("{RECORDS}/vendor?limit=7")).await;
    assert_eq!(pages, 6);
    let vendors = truth_ids(&ns.admin_get("/truth/vendors").await);
    assert_eq!(ids, vendors);
    // Lower-case record types are accepted.
    assert_eq!(
        ns.get(&format!("{RECORDS}/purchaseorder?limit=1"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn lookback_filters_agree_with_the_truth() {
    let ns = start("tiny", 7).await;
    for (since, q) in [
        (
            "2026-01-31T08:00:00Z",
            "lastModifiedDate%20ON_OR_AFTER%20%222026-01-31T08%3A00%3A00Z%22",
        ),
        (
            "2025-12-02T08:00:00Z",
            "lastModifiedDate%20ON_OR_AFTER%20%222025-12-02T08:00:00Z%22",
        ),
    ] {
        let (ids, _) = all_ids(&ns, &format!("{RECORDS}/purchaseOrder?limit=20&q={q}")).await;
        let truth = ns
            .admin_get(&format!("/truth/purchase-orders?changed_since={since}"))
            .await;
        assert_eq!(ids, truth_ids(&truth), "since {since}");
        assert!(!ids.is_empty() && ids.len() < 400);
    }
    // Combined conditions and the account date format.
    let page = ns
        .get(&format!(
            "{RECORDS}/purchaseOrder?q=lastModifiedDate%20AFTER%20%222%2F1%2F2026%22%20AND%20(entity%20ANY_OF%20%5B100001%2C%20100002%5D%20OR%20total%20GREATER%2010000)"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    let total = page.body["totalResults"].as_u64().expect("total");
    assert!(total > 0 && total < 400, "{total}");
    for item in page.body["items"].as_array().expect("items") {
        let id = item["id"].as_str().expect("id");
        let order = ns.get(&format!("{RECORDS}/purchaseOrder/{id}")).await.body;
        let entity = order["entity"]["id"].as_str().expect("entity");
        let total = order["total"].as_f64().expect("total");
        assert!(order["lastModifiedDate"].as_str().expect("date") >= "2026-02-02");
        assert!(
            ["100001", "100002"].contains(&entity) || total > 10_000.0,
            "{order}"
        );
    }
}

#[tokio::test]
async fn collection_refusals() {
    let ns = start("tiny", 7).await;
    let cases: &[(&str, StatusCode, &str)] = &[
        (
            "purchaseOrder?limit=0",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?limit=1001",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?limit=abc",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?limit=5&offset=3",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?limit=1000&offset=100000",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?q=lastModifiedDate%20AFTER",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?q=lastModifiedDate%20AFTER%20%222026-01-01%22",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?q=tranId%20AFTER%20x",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "purchaseOrder?q=shoeSize%20EQUAL%201",
            StatusCode::BAD_REQUEST,
            "NONEXISTENT_FIELD",
        ),
        ("purchaseOrder/99", StatusCode::NOT_FOUND, "NONEXISTENT_ID"),
        ("purchaseOrder/abc", StatusCode::NOT_FOUND, "NONEXISTENT_ID"),
        (
            "purchaseOrder/eid:missing",
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
        ),
        ("salesOrder/1", StatusCode::NOT_FOUND, "NONEXISTENT_ID"),
        (
            "purchaseOrder/1000001/expense",
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
        ),
        (
            "purchaseOrder/1000001/item/99",
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
        ),
    ];
    for (path, status, code) in cases {
        let answer = ns.get(&format!("{RECORDS}/{path}")).await;
        assert_eq!(answer.status, *status, "{path}: {:?}", answer.body);
        assert_eq!(answer.code(), *code, "{path}");
        assert!(
            answer.body["type"]
                .as_str()
                .expect("type")
                .starts_with("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.")
        );
    }
    let limit = ns.get(&format!("{RECORDS}/purchaseOrder?limit=0")).await;
    assert_eq!(
        limit.body["o:errorDetails"][0]["o:errorQueryParam"],
        "limit"
    );
    let unknown_path = ns.get("/services/rest/nothing/here").await;
    assert_eq!(unknown_path.status, StatusCode::NOT_FOUND);
    let outside = ns
        .client
        .get(ns.url("/elsewhere"))
        .send()
        .await
        .expect("request");
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn single_records_expand_select_and_simplify() {
    let ns = start("tiny", 7).await;
    let plain = ns.get(&format!("{RECORDS}/purchaseOrder/1000001")).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(
        plain.header("content-type"),
        Some("application/vnd.oracle.resource+json; type=singular")
    );
    let order = &plain.body;
    assert_eq!(order["id"], "1000001");
    assert!(order["entity"]["refName"].is_string());
    assert!(
        order["entity"]["links"][0]["href"]
            .as_str()
            .expect("href")
            .ends_with(&format!(
                "/vendor/{}",
                order["entity"]["id"].as_str().expect("id")
            ))
    );
    let item_keys: BTreeSet<&str> = order["item"]
        .as_object()
        .expect("sublist")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        item_keys,
        BTreeSet::from(["links"]),
        "unexpanded sublists are links only"
    );
    let lmd = order["lastModifiedDate"].as_str().expect("stamp");
    assert!(
        lmd.ends_with(":00Z") && lmd.len() == 20,
        "minute precision in UTC: {lmd}"
    );

    let expanded = ns
        .get(&format!(
            "{RECORDS}/purchaseOrder/1000001?expandSubResources=true"
        ))
        .await
        .body;
    let lines = expanded["item"]["items"].as_array().expect("lines");
    assert_eq!(expanded["item"]["totalResults"], lines.len());
    let sum: f64 = lines
        .iter()
        .map(|l| l["amount"].as_f64().expect("amount"))
        .sum();
    assert!((sum - expanded["total"].as_f64().expect("total")).abs() < 0.005);
    assert!(lines[0]["quantity"].is_number() && lines[0]["item"]["refName"].is_string());

    let some = ns
        .get(&format!(
            "{RECORDS}/purchaseOrder/1000001?fields=tranId,total"
        ))
        .await
        .body;
    let keys: BTreeSet<&str> = some
        .as_object()
        .expect("record")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["id", "links", "total", "tranId"]));
    let simple = ns
        .get(&format!(
            "{RECORDS}/purchaseOrder/1000001?simpleEnumFormat=true"
        ))
        .await
        .body;
    assert_eq!(simple["status"].as_object().map(|o| o.len()), Some(1));

    let sublist = ns
        .get(&format!("{RECORDS}/purchaseOrder/1000001/item"))
        .await;
    assert_eq!(sublist.status, StatusCode::OK);
    assert_eq!(sublist.body["items"], expanded["item"]["items"]);
    let line = ns
        .get(&format!("{RECORDS}/purchaseOrder/1000001/item/1"))
        .await;
    assert_eq!(line.body, lines[0]);
}

#[tokio::test]
async fn items_locations_and_the_masters_writes_refer_to() {
    let ns = start("tiny", 7).await;
    let truth = ns.admin_get("/truth/inventory").await;
    let level = &truth["records"][0];
    let (item, location) = level["id"]
        .as_str()
        .expect("id")
        .split_once(':')
        .expect("pair");
    let record = ns
        .get(&format!(
            "{RECORDS}/inventoryItem/{item}?expandSubResources=true"
        ))
        .await
        .body;
    let line = record["locations"]["items"]
        .as_array()
        .expect("locations")
        .iter()
        .find(|l| l["location"]["id"] == location)
        .expect("the level's location")
        .clone();
    assert_eq!(
        line["quantityOnHand"].to_string(),
        level["values"]["quantityonhand"]
            .as_str()
            .expect("quantity")
    );
    let by_location = ns
        .get(&format!(
            "{RECORDS}/inventoryItem/{item}/locations/{location}"
        ))
        .await;
    assert_eq!(by_location.body, line);

    let accounts = ns
        .get(&format!(
            "{RECORDS}/account?q=acctType%20ANY_OF%20%5BCOGS%2C%20Expense%5D"
        ))
        .await;
    assert_eq!(accounts.body["totalResults"], 3);
    let account = ns.get(&format!("{RECORDS}/account/8")).await.body;
    assert_eq!(account["acctType"]["id"], "COGS");
    for path in ["location/1", "subsidiary/1", "currency/1"] {
        let answer = ns.get(&format!("{RECORDS}/{path}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.body["id"], "1");
    }
    let locations = ns.get(&format!("{RECORDS}/location")).await;
    assert_eq!(locations.body["totalResults"], 3);
    let written = ns
        .post(
            &format!("{RECORDS}/location"),
            &serde_json::json!({"name": "New"}),
        )
        .await;
    assert_eq!(written.status, StatusCode::METHOD_NOT_ALLOWED);
}
