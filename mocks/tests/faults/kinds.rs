//! Every fault kind over HTTP, as a client sees it: native error bodies, throttling with and
//! without `Retry-After`, latency, connections cut before and during the answer, truncated and
//! malformed bodies, hangs, expired sessions, drifting records, writes without an answer, and a
//! skewed `Date`.

use std::time::{Duration, Instant};

use mw_mocks::SystemKind;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Seen, http_date, impatient_client, page_path, seen, start};

/// What a native error body must show, per system.
fn assert_native_error(system: SystemKind, seen: &Seen, status: u16) {
    let (got, headers, body) = seen.answer();
    assert_eq!(got.as_u16(), status, "{system}: {body}");
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match system {
        SystemKind::Sap => {
            assert!(
                content_type.starts_with("application/json"),
                "{content_type}"
            );
            let code = body["error"]["code"].as_str().expect("code");
            assert!(code.starts_with("/IWBEP/CX_MGW_"), "{code}");
            assert_eq!(body["error"]["message"]["lang"], "en");
            assert!(body["error"]["message"]["value"].is_string(), "{body}");
            assert_eq!(
                body["error"]["innererror"]["application"]["service_id"],
                "API_PURCHASEORDER_PROCESS_SRV",
                "stamped with the service the path names"
            );
        }
        SystemKind::NetSuite => {
            assert_eq!(
                content_type,
                "application/vnd.oracle.resource+json; type=error"
            );
            assert_eq!(body["status"], status);
            let code = body["o:errorDetails"][0]["o:errorCode"]
                .as_str()
                .expect("code");
            let expected = if status == 429 {
                "CONCURRENCY_LIMIT_EXCEEDED"
            } else {
                "UNEXPECTED_ERROR"
            };
            assert_eq!(code, expected, "{body}");
        }
        SystemKind::Maximo => {
            let error = &body["Error"];
            let reason = error["reasonCode"].as_str().expect("reasonCode");
            assert!(
                reason.starts_with("BMXAA") && reason.ends_with('E'),
                "{reason}"
            );
            assert_eq!(error["statusCode"], status.to_string());
            assert!(
                error["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(reason)),
                "{body}"
            );
        }
    }
}

#[tokio::test]
async fn status_faults_answer_in_each_systems_own_error_body() {
    for system in [SystemKind::Sap, SystemKind::NetSuite, SystemKind::Maximo] {
        for status in [503, 500, 429] {
            let emulator = start(system).await;
            emulator
                .install(
                    json!({"name": "fails", "method": "GET", "kind": "status", "status": status}),
                )
                .await;
            let seen = emulator.page().await;
            assert_native_error(system, &seen, status);
            assert!(seen.header("date").is_some(), "fault answers carry Date");
            assert!(
                seen.header("retry-after").is_none(),
                "a status rule never adds Retry-After"
            );
            assert_eq!(emulator.counters(0).await, (1, 1));
        }
    }
}

#[tokio::test]
async fn rate_limits_send_retry_after_as_seconds_as_a_date_or_not_at_all() {
    for system in [SystemKind::Sap, SystemKind::NetSuite, SystemKind::Maximo] {
        let emulator = start(system).await;
        let cases: [(Value, Option<&str>); 3] = [
            (json!({"retry_after": 2}), Some("seconds")),
            (json!({"retry_after_date": 2}), Some("date")),
            (json!({}), None),
        ];
        for (extra, form) in cases {
            let mut rule = json!({"name": "throttled", "kind": "rate_limit"});
            if let (Some(rule), Some(extra)) = (rule.as_object_mut(), extra.as_object()) {
                rule.extend(extra.clone());
            }
            emulator.install(rule).await;
            let seen = emulator.page().await;
            assert_native_error(system, &seen, 429);
            let retry_after = seen.header("retry-after");
            match form {
                Some("seconds") => assert_eq!(retry_after.as_deref(), Some("2")),
                Some(_) => {
                    let date = http_date(&seen.header("date").expect("Date"));
                    let retry = http_date(&retry_after.expect("Retry-After"));
                    assert_eq!(retry - date, chrono::TimeDelta::seconds(2));
                    assert_eq!(date, emulator.now().await, "the virtual clock");
                }
                None => assert_eq!(retry_after, None, "{system}"),
            }
        }
    }
}

#[tokio::test]
async fn latency_delays_the_answer_and_composes_with_a_terminal_rule() {
    let emulator = start(SystemKind::Maximo).await;
    let (status, body) = emulator
        .set_faults(json!({"rule": [
            {"name": "slow", "kind": "latency", "ms": 120, "jitter_ms": 30},
            {"name": "second fails", "kind": "status", "status": 503, "every": 2},
        ]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let started = Instant::now();
    let first = emulator.page().await;
    let elapsed = started.elapsed();
    assert_eq!(first.status(), Some(StatusCode::OK));
    assert!(elapsed >= Duration::from_millis(120), "{elapsed:?}");
    let started = Instant::now();
    let second = emulator.page().await;
    assert_eq!(second.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(started.elapsed() >= Duration::from_millis(120));
    assert_eq!(emulator.counters(0).await, (2, 2));
}

#[tokio::test]
async fn reset_before_closes_the_connection_without_any_status() {
    let emulator = start(SystemKind::Sap).await;
    emulator
        .install(json!({"name": "cut", "kind": "reset", "phase": "before", "first": 1}))
        .await;
    let seen = emulator.page().await;
    let Seen::NoStatus(error) = &seen else {
        panic!("expected a transport error, saw {seen:?}");
    };
    assert!(error.status().is_none(), "{error:?}");
    assert!(!error.is_timeout(), "{error:?}");
    assert!(
        emulator.journal().await.is_empty(),
        "the request never reached the system"
    );
    // The next request gets through on a new connection.
    assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
    assert_eq!(emulator.journal().await.len(), 1);
}

#[tokio::test]
async fn reset_during_sends_the_status_and_part_of_the_body_then_cuts() {
    let emulator = start(SystemKind::Maximo).await;
    emulator
        .install(json!({"name": "cut", "kind": "reset", "phase": "during"}))
        .await;
    let seen = emulator.page().await;
    let Seen::BrokenBody { status, error, .. } = &seen else {
        panic!("expected a broken body, saw {seen:?}");
    };
    assert_eq!(*status, StatusCode::OK);
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    let journal = emulator.journal().await;
    assert_eq!(journal.len(), 1, "the system answered");
    assert_eq!(journal[0]["status"], 200);
}

#[tokio::test]
async fn truncate_keeps_the_whole_content_length_over_half_the_body() {
    let emulator = start(SystemKind::Sap).await;
    let length = emulator
        .request(Method::GET, page_path(SystemKind::Sap))
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("body")
        .len();
    emulator
        .install(json!({"name": "cut short", "kind": "truncate"}))
        .await;
    let raw = emulator
        .request(Method::GET, page_path(SystemKind::Sap))
        .send()
        .await
        .expect("status arrives");
    assert_eq!(raw.status(), StatusCode::OK);
    let declared: usize = raw
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Content-Length");
    assert_eq!(declared, length, "the whole body's length");
    let error = raw.bytes().await.expect_err("the body is incomplete");
    assert!(error.is_body() || error.is_decode(), "{error:?}");
}

#[tokio::test]
async fn malformed_bodies_arrive_whole_and_fail_to_parse() {
    for system in [SystemKind::Sap, SystemKind::Maximo] {
        let emulator = start(system).await;
        emulator
            .install(json!({"name": "garbled", "kind": "malformed", "method": "GET"}))
            .await;
        let raw = emulator
            .request(Method::GET, page_path(system))
            .send()
            .await
            .expect("status arrives");
        assert_eq!(raw.status(), StatusCode::OK);
        let declared: usize = raw
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Content-Length");
        let body = raw.bytes().await.expect("the transport succeeds");
        assert_eq!(body.len(), declared);
        assert!(!body.is_empty());
        assert!(
            serde_json::from_slice::<Value>(&body).is_err(),
            "{system}: not JSON"
        );
    }
}

#[tokio::test]
async fn a_hang_outlasts_the_client_and_never_holds_up_shutdown() {
    let emulator = start(SystemKind::Maximo).await;
    emulator
        .install(json!({"name": "stuck", "kind": "hang", "ms": 120_000, "method": "GET"}))
        .await;
    let client = impatient_client(Duration::from_millis(200));
    let url = emulator.url(page_path(SystemKind::Maximo));
    let apikey = emulator.credential("apikey");
    let error = client
        .get(&url)
        .header("apikey", &apikey)
        .send()
        .await
        .expect_err("the client gives up first");
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        emulator.journal().await.is_empty(),
        "never reached the system"
    );

    // A hang in flight ends when the emulator shuts down, well within its 5 s grace.
    let pending = tokio::spawn(async move {
        let client = impatient_client(Duration::from_secs(30));
        seen(client.get(&url).header("apikey", &apikey).send().await).await
    });
    while emulator.counters(0).await.1 < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    emulator.running.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let seen = pending.await.expect("task");
    assert!(seen.status().is_none(), "{seen:?}");
}

#[tokio::test]
async fn a_short_hang_answers_normally_afterwards() {
    let emulator = start(SystemKind::Sap).await;
    emulator
        .install(json!({"name": "slow once", "kind": "hang", "ms": 50, "first": 1}))
        .await;
    let started = Instant::now();
    assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn sap_csrf_tokens_and_sessions_expire() {
    let emulator = start(SystemKind::Sap).await;
    let root = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/";
    let fetch = emulator
        .request(Method::GET, root)
        .header("X-CSRF-Token", "Fetch")
        .send()
        .await
        .expect("fetch");
    let token = fetch.headers()["x-csrf-token"]
        .to_str()
        .expect("token")
        .to_owned();
    let cookie: Vec<String> = fetch
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect();
    let cookie = cookie.join("; ");
    let write = || {
        emulator
            .request(Method::POST, &format!("{root}A_PurchaseOrder"))
            .header("X-CSRF-Token", &token)
            .header("Cookie", &cookie)
            .header("Content-Type", "application/json")
            .body("{}")
    };
    let before = seen(write().send().await).await;
    assert_ne!(before.status(), Some(StatusCode::FORBIDDEN), "{before:?}");
    emulator
        .install(json!({"name": "expire", "kind": "expire_tokens", "method": "POST", "first": 1}))
        .await;
    let after = seen(write().send().await).await;
    assert_eq!(after.status(), Some(StatusCode::FORBIDDEN));
    assert_eq!(after.header("x-csrf-token").as_deref(), Some("Required"));
    // Only once: a fresh token works again.
    let fetch = emulator
        .request(Method::GET, root)
        .header("X-CSRF-Token", "Fetch")
        .send()
        .await
        .expect("fetch");
    assert_eq!(fetch.status(), StatusCode::OK);
}

#[tokio::test]
async fn netsuite_bearer_tokens_expire() {
    let mut emulator = start(SystemKind::NetSuite).await;
    emulator.netsuite_bearer().await;
    assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
    emulator
        .install(json!({"name": "expire", "kind": "expire_tokens", "first": 1}))
        .await;
    let (status, _, body) = emulator.page().await.answer();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    emulator.netsuite_bearer().await;
    assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
}

#[tokio::test]
async fn maximo_sessions_expire_and_api_keys_do_not() {
    let emulator = start(SystemKind::Maximo).await;
    let maxauth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!(
            "{}:{}",
            emulator.credential("username"),
            emulator.credential("password")
        ),
    );
    let login = emulator
        .client
        .post(emulator.url("/maximo/oslc/login"))
        .header("maxauth", maxauth)
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let by_cookie = || {
        emulator
            .client
            .get(emulator.url(page_path(SystemKind::Maximo)))
            .header("cookie", &cookie)
            .send()
    };
    assert_eq!(by_cookie().await.expect("read").status(), StatusCode::OK);
    emulator
        .install(json!({"name": "expire", "kind": "expire_tokens", "first": 1}))
        .await;
    assert_eq!(
        by_cookie().await.expect("read").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
}

#[tokio::test]
async fn page_drift_changes_records_before_the_page_is_served() {
    for system in [SystemKind::Sap, SystemKind::Maximo] {
        let emulator = start(system).await;
        let now = emulator.now().await;
        let since = format!(
            "/truth/purchase-orders?changed_since={}",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        assert_eq!(emulator.admin_get(&since).await["count"], 0);
        emulator
            .install(
                json!({"name": "drift", "kind": "page_drift", "entity": "purchase-orders",
                            "changed": 3, "created": 1, "method": "GET"}),
            )
            .await;
        assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
        assert_eq!(emulator.admin_get(&since).await["count"], 4, "{system}");
        assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
        let count = emulator.admin_get(&since).await["count"]
            .as_u64()
            .expect("count");
        assert!(count > 4, "{system}: every page drifts ({count})");
    }
}

#[tokio::test]
async fn no_answer_commits_the_write_and_loses_its_answer() {
    let emulator = start(SystemKind::Maximo).await;
    let before = emulator.admin_get("/truth/work-orders").await["count"]
        .as_u64()
        .expect("count");
    let asset = emulator
        .get("/maximo/api/os/mxapiasset?lean=1&oslc.select=assetnum&oslc.pageSize=1")
        .await
        .answer()
        .2["member"][0]["assetnum"]
        .clone();
    emulator
        .install(
            json!({"name": "lost answer", "kind": "no_answer", "method": "POST",
                        "path_pattern": "/maximo/*/os/*", "first": 1}),
        )
        .await;
    let create = json!({"siteid": "BEDFORD", "description": "Replace pump seal",
                        "worktype": "CM", "assetnum": asset});
    let seen = seen(
        emulator
            .request(Method::POST, "/maximo/api/os/mxapiwodetail?lean=1")
            .json(&create)
            .send()
            .await,
    )
    .await;
    assert!(seen.status().is_none(), "no answer: {seen:?}");
    let after = emulator.admin_get("/truth/work-orders").await["count"]
        .as_u64()
        .expect("count");
    assert_eq!(after, before + 1, "the write committed");
    let journal = emulator.journal().await;
    let write = journal
        .iter()
        .find(|entry| entry["method"] == "POST")
        .expect("the write reached the system");
    assert_eq!(write["status"], 201);
}

#[tokio::test]
async fn clock_skew_shifts_the_date_header_only() {
    let emulator = start(SystemKind::NetSuite).await;
    let now = emulator.now().await;
    emulator
        .set_faults(json!({"rule": [
            {"name": "fast clock", "kind": "clock_skew", "seconds": 3600},
            {"name": "slow clock", "kind": "clock_skew", "seconds": -600, "first": 1},
            {"name": "fails", "kind": "status", "status": 503},
        ]}))
        .await;
    let first = emulator.page().await;
    assert_eq!(first.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let date = http_date(&first.header("date").expect("Date"));
    assert_eq!(date - now, chrono::TimeDelta::seconds(3000), "skews add up");
    let second = emulator.page().await;
    let date = http_date(&second.header("date").expect("Date"));
    assert_eq!(date - now, chrono::TimeDelta::seconds(3600));
    // The admin API is never faulted: its Date is the virtual clock's.
    let admin = emulator
        .client
        .get(emulator.admin_url("/clock"))
        .send()
        .await
        .expect("admin");
    let date = http_date(admin.headers()["date"].to_str().expect("date"));
    assert_eq!(date, now);
    assert_eq!(emulator.now().await, now, "the clock itself did not move");
}
