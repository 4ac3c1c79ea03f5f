//! SuiteQL over HTTP: the envelope, string values and lower-case keys, paging, the incremental
//! query a connector sends, and refusals.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{SUITEQL, Token, start, truth_ids};

const INCREMENTAL: &str = "SELECT t.id, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS lastmodifieddate \
     FROM transaction t WHERE t.type = 'PurchOrd' \
     AND t.lastmodifieddate >= TO_TIMESTAMP('2026-01-31 08:00:00', 'YYYY-MM-DD HH24:MI:SS') \
     ORDER BY t.lastmodifieddate, t.id";

#[tokio::test]
async fn rows_are_strings_with_lower_case_keys() {
    let ns = start("tiny", 7).await;
    let answer = ns
        .suiteql(
            "SELECT t.ID, t.TranId, t.tranDate, t.memo, t.foreigntotal AS Total, BUILTIN.DF(t.entity) AS vendor \
             FROM transaction t WHERE t.id IN (1000001, 1000002, 1000003) ORDER BY t.id",
            "?limit=2",
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(answer.body["count"], 2);
    assert_eq!(answer.body["hasMore"], true);
    assert_eq!(answer.body["totalResults"], 3);
    let row = &answer.body["items"][0];
    assert_eq!(row["links"], json!([]));
    assert_eq!(row["id"], "1000001");
    assert_eq!(row["tranid"], "PO1");
    assert!(row["total"].is_string(), "numbers come back as strings");
    let date = row["trandate"].as_str().expect("date");
    assert!(
        date.split('/').count() == 3 && date.ends_with("/2025"),
        "account format: {date}"
    );
    assert!(row["vendor"].is_string());
    for row in answer.body["items"].as_array().expect("rows") {
        for (key, value) in row.as_object().expect("row") {
            assert_eq!(key, &key.to_lowercase());
            assert!(key == "links" || value.is_string(), "{key}: {value}");
        }
    }
    let rels: Vec<&str> = answer.body["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["rel"].as_str().expect("rel"))
        .collect();
    assert_eq!(rels, ["next", "last", "self"]);
    // NULL columns are left out of the row.
    let nulls = ns
        .suiteql(
            "SELECT id, memo FROM transaction WHERE memo IS NULL FETCH FIRST 1 ROWS ONLY",
            "",
        )
        .await;
    assert!(nulls.body["items"][0].get("memo").is_none());
    // Prefer: transient is optional.
    let plain = ns
        .send(
            Method::POST,
            SUITEQL,
            Some(&json!({"q": "SELECT COUNT(*) AS n FROM vendor"})),
            Token::Main,
            &[],
        )
        .await;
    assert_eq!(plain.body["items"][0]["n"], "40");
}

#[tokio::test]
async fn the_incremental_query_matches_the_truth_on_every_page() {
    let ns = start("tiny", 7).await;
    let whole = ns.suiteql(INCREMENTAL, "").await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.body);
    let truth = ns
        .admin_get("/truth/purchase-orders?changed_since=2026-01-31T08:00:00Z")
        .await;
    let mut served: Vec<(String, String)> = whole.body["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").to_owned(),
                r["lastmodifieddate"].as_str().expect("at").to_owned(),
            )
        })
        .collect();
    assert!(
        served.windows(2).all(|w| w[0].1 <= w[1].1),
        "ordered by change"
    );
    served.sort();
    let expected: Vec<(String, String)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            let at = r["changed_at"].as_str().expect("at").replace(".000Z", "Z");
            (r["id"].as_str().expect("id").to_owned(), at)
        })
        .collect();
    assert_eq!(served, expected);
    let mut paged: Vec<Value> = Vec::new();
    let total = whole.body["totalResults"].as_u64().expect("total");
    let mut offset = 0;
    while offset < total {
        let page = ns
            .suiteql(INCREMENTAL, &format!("?limit=10&offset={offset}"))
            .await;
        paged.extend(page.body["items"].as_array().expect("rows").iter().cloned());
        offset += 10;
    }
    assert_eq!(Value::Array(paged), whole.body["items"]);
    assert_eq!(truth_ids(&truth).len() as u64, total);
}

#[tokio::test]
async fn refusals_are_invalid_parameter() {
    let ns = start("tiny", 7).await;
    let cases: &[(&str, &str, StatusCode, &str)] = &[
        (
            "SELECT nonsense FROM transaction",
            "",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "SELECT id FROM deletedrecord",
            "",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "SELECT id FROM",
            "",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "DELETE FROM vendor",
            "",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "SELECT id FROM vendor",
            "?limit=1001",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "SELECT id FROM vendor",
            "?limit=10&offset=15",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
        (
            "SELECT id FROM vendor",
            "?offset=100000",
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER",
        ),
    ];
    for (q, paging, status, code) in cases {
        let answer = ns.suiteql(q, paging).await;
        assert_eq!(answer.status, *status, "{q}{paging}: {:?}", answer.body);
        assert_eq!(answer.code(), *code, "{q}{paging}");
    }
    let no_q = ns
        .send(
            Method::POST,
            SUITEQL,
            Some(&json!({"query": "SELECT 1"})),
            Token::Main,
            &[],
        )
        .await;
    assert_eq!(no_q.code(), "INVALID_CONTENT");
    let get = ns.get(SUITEQL).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
}
