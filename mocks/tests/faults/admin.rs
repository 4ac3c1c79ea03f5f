//! `/__admin/faults`: installing plans as JSON, TOML or a built-in name, refusing bad plans
//! without touching the installed one, clearing; the admin API is never faulted; the journal
//! records only what reached the system; plans given at start.

use mw_mocks::{FaultPlan, MockError, SystemKind};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{start, start_with};

#[tokio::test]
async fn refused_plans_name_the_rule_and_field_and_leave_the_plan_in_place() {
    let emulator = start(SystemKind::Sap).await;
    emulator
        .install(json!({"name": "good", "kind": "status", "status": 503, "every": 2}))
        .await;
    emulator.page().await;
    let cases = [
        (
            json!({"rule": [{"name": "r", "kind": "meltdown"}]}),
            "rule \"r\": unknown kind \"meltdown\"",
        ),
        (
            json!({"rule": [{"name": "r", "kind": "status"}]}),
            "rule \"r\": status is required",
        ),
        (
            json!({"rule": [{"name": "r", "kind": "status", "status": 503, "first": 1, "after": 2}]}),
            "rule \"r\": give at most one of first, after and every",
        ),
        (
            json!({"rule": [{"name": "r", "kind": "truncate", "path_pattern": "sap/*"}]}),
            "rule \"r\": path_pattern must start with",
        ),
        (
            json!({"rule": [{"name": "r", "kind": "truncate", "path_pattern": "/sap/{a,b}"}]}),
            "only `*` is special",
        ),
        (
            json!({"rule": [{"name": "r", "kind": "page_drift", "entity": "assets", "system": "sap", "changed": 1}, {"name": "r", "kind": "truncate"}]}),
            "unique",
        ),
        (
            json!({"plan": "no-such-plan"}),
            "unknown built-in fault plan",
        ),
        (json!({"plan": "outage", "rule": []}), "unknown field"),
        (json!([1, 2]), "must be a JSON object"),
    ];
    for (body, expected) in cases {
        let (status, answer) = emulator.set_faults(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["error"].as_str().expect("error");
        assert!(message.contains(expected), "{body}: {message}");
    }
    let (status, answer) = emulator
        .set_faults_toml("[[rule]]\nname = \"r\"\nkind = \"hang\"\nms = 0\n")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|m| m.contains("rule \"r\": ms must be within 1..=120000")),
        "{answer}"
    );
    let (status, answer) = emulator.set_faults_toml("[[rule]\nname = 1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    // Still the good plan, counters intact.
    let faults = emulator.faults().await;
    assert_eq!(faults["rules"][0]["name"], "good");
    assert_eq!(emulator.counters(0).await, (1, 0));
    assert_eq!(
        emulator.page().await.status(),
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
}

#[tokio::test]
async fn plans_install_as_json_toml_or_by_name_and_clear() {
    let emulator = start(SystemKind::NetSuite).await;
    let empty = emulator.faults().await;
    assert_eq!(empty, json!({"plan": null, "seed": 7, "rules": []}));

    let (status, installed) = emulator.set_faults(json!({"plan": "server-errors"})).await;
    assert_eq!(status, StatusCode::OK, "{installed}");
    assert_eq!(installed["plan"], "server-errors");
    let rule = &installed["rules"][0];
    assert_eq!(rule["kind"], "status");
    assert_eq!(rule["every"], 3);
    assert_eq!(rule["matched"], 0);
    assert_eq!(installed["rules"][1]["system"], "netsuite");

    let (status, installed) = emulator
        .set_faults_toml(
            "name = \"mine\"\nseed = 11\n[[rule]]\nname = \"r\"\nkind = \"clock_skew\"\nseconds = -30\n",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{installed}");
    assert_eq!(installed["plan"], "mine");
    assert_eq!(installed["seed"], 11);
    assert_eq!(installed["rules"][0]["seconds"], -30);

    // POST works like PUT, and a built-in plan can take another seed.
    let response = emulator
        .client
        .post(emulator.admin_url("/faults"))
        .json(&json!({"plan": "latency", "seed": 3}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    let installed: serde_json::Value = response.json().await.expect("json");
    assert_eq!(installed["seed"], 3);

    let response = emulator
        .client
        .delete(emulator.admin_url("/faults"))
        .send()
        .await
        .expect("delete");
    let cleared: serde_json::Value = response.json().await.expect("json");
    assert_eq!(cleared["cleared"], true);
    assert_eq!(cleared["removed"], "latency");
    assert_eq!(emulator.faults().await["rules"], json!([]));

    let index = emulator.admin_get("").await;
    let endpoints = index["endpoints"].as_array().expect("endpoints");
    for endpoint in [
        "GET /__admin/faults",
        "PUT /__admin/faults",
        "DELETE /__admin/faults",
    ] {
        assert!(endpoints.contains(&json!(endpoint)), "{endpoint}");
    }
}

#[tokio::test]
async fn every_builtin_plan_installs_in_every_emulator() {
    for system in [SystemKind::Sap, SystemKind::NetSuite, SystemKind::Maximo] {
        let emulator = start(system).await;
        for name in FaultPlan::builtin_names() {
            let (status, answer) = emulator.set_faults(json!({ "plan": name })).await;
            assert_eq!(status, StatusCode::OK, "{system} {name}: {answer}");
        }
    }
}

#[tokio::test]
async fn the_admin_api_is_never_faulted() {
    let emulator = start(SystemKind::Maximo).await;
    let (status, body) = emulator
        .set_faults(json!({"rule": [
            {"name": "everything fails", "kind": "status", "status": 500},
            {"name": "everything resets", "kind": "reset", "phase": "before"},
        ]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for path in ["", "/clock", "/journal", "/faults", "/truth/work-orders"] {
        emulator.admin_get(path).await;
    }
    let response = emulator
        .client
        .post(emulator.admin_url("/clock"))
        .json(&json!({"advance_seconds": 1}))
        .send()
        .await
        .expect("clock");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        emulator.counters(0).await,
        (0, 0),
        "admin requests never count"
    );
    assert_eq!(
        emulator.page().await.status(),
        Some(StatusCode::INTERNAL_SERVER_ERROR)
    );
}

#[tokio::test]
async fn the_journal_records_only_requests_that_reached_the_system() {
    let emulator = start(SystemKind::Sap).await;
    emulator
        .install(json!({"name": "first fails", "kind": "status", "status": 503, "first": 1}))
        .await;
    assert_eq!(
        emulator.page().await.status(),
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(emulator.page().await.status(), Some(StatusCode::OK));
    let journal = emulator.journal().await;
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(journal[0]["status"], 200);
}

#[tokio::test]
async fn a_plan_given_at_start_is_installed_and_checked_against_the_system() {
    let emulator = start_with(
        SystemKind::Maximo,
        7,
        Some(FaultPlan::builtin("outage").expect("outage")),
    )
    .await
    .expect("serve");
    assert_eq!(
        emulator.page().await.status(),
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(emulator.faults().await["plan"], "outage");

    let plan = FaultPlan::from_toml(
        "[[rule]]\nname = \"drift\"\nsystem = \"netsuite\"\nkind = \"page_drift\"\nentity = \"work-orders\"\n",
    )
    .expect("plan");
    let refused = start_with(SystemKind::NetSuite, 7, Some(plan.clone())).await;
    assert!(
        matches!(&refused, Err(MockError::FaultPlanInvalid { reason, .. }) if reason.contains("work-orders")),
        "{:?}",
        refused.err()
    );
    // The same rule is no concern of another system's emulator.
    assert!(start_with(SystemKind::Maximo, 7, Some(plan)).await.is_ok());
}
