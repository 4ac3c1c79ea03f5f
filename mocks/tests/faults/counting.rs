//! Counting rules over HTTP: which requests of a sequence fire, as a table of cases; the same
//! plan and seed fire the same requests on every run; rules aimed at another system, method or
//! path never count.

use mw_mocks::SystemKind;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Emulator, start};

/// Statuses of `n` page reads, as `F` (faulted, 503) and `.` (answered).
async fn pattern(emulator: &Emulator, n: usize) -> String {
    let mut out = String::new();
    for _ in 0..n {
        out.push(match emulator.page().await.status() {
            Some(StatusCode::SERVICE_UNAVAILABLE) => 'F',
            Some(status) => {
                assert!(status.is_success(), "{status}");
                '.'
            }
            None => panic!("no status"),
        });
    }
    out
}

/// Installs a 503 rule with `counting` on `system` and checks which of 8 reads fire.
async fn check(system: SystemKind, counting: Value, expected: &str) {
    let emulator = start(system).await;
    let mut rule = json!({"name": "counted", "kind": "status", "status": 503});
    if let (Some(rule), Some(counting)) = (rule.as_object_mut(), counting.as_object()) {
        rule.extend(counting.clone());
    }
    let (status, body) = emulator.set_faults(json!({ "rule": [rule] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(pattern(&emulator, 8).await, expected, "{counting}");
    let fired = expected.chars().filter(|c| *c == 'F').count() as u64;
    assert_eq!(emulator.counters(0).await, (8, fired), "{counting}");
}

#[tokio::test]
async fn counting_modes_fire_where_they_say() {
    let cases = [
        (json!({}), "FFFFFFFF"),
        (json!({"first": 2}), "FF......"),
        (json!({"after": 5}), ".....FFF"),
        (json!({"every": 3}), "..F..F.."),
        (json!({"every": 2, "times": 2}), ".F.F...."),
        (json!({"after": 1, "times": 1}), ".F......"),
        (json!({"times": 3}), "FFF....."),
        (json!({"every": 1, "probability": 0.0}), "........"),
        (json!({"after": 6, "probability": 1.0}), "......FF"),
    ];
    for (counting, expected) in cases {
        check(SystemKind::Maximo, counting, expected).await;
    }
}

#[tokio::test]
async fn the_same_seed_fires_the_same_requests() {
    let plan = |seed: u64| {
        json!({"seed": seed, "rule": [
            {"name": "coin", "kind": "status", "status": 503, "after": 0, "probability": 0.5}
        ]})
    };
    let mut runs = Vec::new();
    for seed in [7, 7, 8] {
        let emulator = start(SystemKind::Sap).await;
        let (status, body) = emulator.set_faults(plan(seed)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        runs.push(pattern(&emulator, 24).await);
    }
    assert_eq!(runs[0], runs[1], "same plan, same seed, same firings");
    assert!(
        runs[0].contains('F') && runs[0].contains('.'),
        "{}",
        runs[0]
    );
    assert_ne!(runs[0], runs[2], "another seed, other firings");

    // Without a seed of its own the plan takes the emulator's.
    let emulator = start(SystemKind::Sap).await;
    let (_, installed) = emulator
        .set_faults(json!({"rule": plan(0)["rule"].clone()}))
        .await;
    assert_eq!(installed["seed"], 7);
    assert_eq!(pattern(&emulator, 24).await, runs[0]);
}

#[tokio::test]
async fn rules_count_only_the_requests_they_match() {
    let emulator = start(SystemKind::Maximo).await;
    let (status, body) = emulator
        .set_faults(json!({"rule": [
            {"name": "other system", "system": "sap", "kind": "status", "status": 503},
            {"name": "writes only", "method": "post", "kind": "status", "status": 503},
            {"name": "assets only", "path_pattern": "/maximo/*/os/mxapiasset*", "kind": "status", "status": 503},
            {"name": "prefix", "path": "/maximo/api/os/mxapipo", "kind": "latency", "ms": 1},
        ]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(pattern(&emulator, 3).await, "...");
    let faults = emulator.faults().await;
    let matched: Vec<u64> = faults["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|rule| rule["matched"].as_u64().expect("matched"))
        .collect();
    assert_eq!(matched, vec![0, 0, 0, 3]);
    let asset = emulator
        .get("/maximo/api/os/mxapiasset?lean=1&oslc.pageSize=1")
        .await;
    assert_eq!(asset.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
}
