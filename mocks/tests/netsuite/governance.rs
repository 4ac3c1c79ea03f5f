//! The account concurrency limit: busy slots force 429 `CONCURRENCY_LIMIT_EXCEEDED` without
//! `Retry-After`, deterministically; the admin endpoint validates what it is given.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{RECORDS, start};

#[tokio::test]
async fn a_full_pool_refuses_with_429_and_no_retry_after() {
    let ns = start("tiny", 7).await;
    let state = ns.admin_get("/governance").await;
    assert_eq!(state["concurrency_limit"], 5);
    let (status, _) = ns.admin_post("/governance", json!({"busy_slots": 5})).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        format!("{RECORDS}/vendor/100001"),
        String::from("/services/rest/query/v1/suiteql"),
        String::from("/services/rest/nowhere"),
    ] {
        let answer = ns.get(&path).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert_eq!(answer.code(), "CONCURRENCY_LIMIT_EXCEEDED");
        assert_eq!(answer.body["title"], "Bad Request");
        assert_eq!(answer.body["status"], 429);
        assert!(answer.header("retry-after").is_none());
        assert!(answer.header("date").is_some());
    }
    // One free slot lets a request through.
    ns.admin_post("/governance", json!({"busy_slots": 4})).await;
    assert_eq!(
        ns.get(&format!("{RECORDS}/vendor/100001")).await.status,
        StatusCode::OK
    );
    let (_, state) = ns
        .admin_post(
            "/governance",
            json!({"concurrency_limit": 2, "busy_slots": 2}),
        )
        .await;
    assert_eq!(state["refused"], 3);
    assert_eq!(
        ns.get(&format!("{RECORDS}/vendor/100001")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    ns.admin_post("/governance", json!({"busy_slots": 0})).await;
    let limits = ns.get("/services/rest/system/v1/governanceLimits").await;
    assert_eq!(limits.body["accountConcurrencyLimit"], 2);
    let index = ns.admin_get("").await;
    assert!(
        index["endpoints"]
            .as_array()
            .expect("endpoints")
            .contains(&json!("POST /__admin/governance"))
    );
    // The journal shows the refusals.
    let journal = ns.admin_get("/journal").await;
    let refused = journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["status"] == 429)
        .count();
    assert_eq!(refused, 4);
}

#[tokio::test]
async fn governance_settings_are_validated() {
    let ns = start("tiny", 7).await;
    let cases: &[(Value, StatusCode)] = &[
        (json!({"concurrency_limit": 0}), StatusCode::BAD_REQUEST),
        (json!({"concurrency_limit": -1}), StatusCode::BAD_REQUEST),
        (json!({"busy_slots": "2"}), StatusCode::BAD_REQUEST),
        (json!({"slots": 2}), StatusCode::BAD_REQUEST),
        (json!({}), StatusCode::BAD_REQUEST),
        (json!([1]), StatusCode::BAD_REQUEST),
        (
            json!({"concurrency_limit": 15, "busy_slots": 0}),
            StatusCode::OK,
        ),
    ];
    for (body, status) in cases {
        let (got, answer) = ns.admin_post("/governance", body.clone()).await;
        assert_eq!(got, *status, "{body}: {answer}");
        if *status == StatusCode::BAD_REQUEST {
            assert!(answer["error"].is_string());
        }
    }
    assert_eq!(ns.admin_get("/governance").await["concurrency_limit"], 15);
}

#[tokio::test]
async fn concurrent_requests_beyond_the_limit_are_refused() {
    let ns = start("tiny", 7).await;
    // Hold every slot but one, then send a burst: whatever the timing, at most one request is in
    // flight at a time, and each answer is a success or a clean 429.
    ns.admin_post("/governance", json!({"busy_slots": 4})).await;
    let path = format!("{RECORDS}/purchaseOrder?limit=1000");
    let burst = (0..8).map(|_| ns.get(&path));
    let answers = futures_join(burst).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| {
            a.status == StatusCode::TOO_MANY_REQUESTS && a.code() == "CONCURRENCY_LIMIT_EXCEEDED"
        })
        .count();
    assert_eq!(ok + refused, 8);
    assert!(ok >= 1);
    assert_eq!(ns.admin_get("/governance").await["in_flight"], 0);
}

/// Runs futures concurrently on the test's runtime (no extra dependency).
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
