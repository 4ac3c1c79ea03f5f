//! The admin API: churn, ground truth, records, journal; determinism and lookback figures.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use mw_mocks::SystemKind;

use crate::common::{date_ms, rfc3339_ms, start};

fn ids(truth: &Value) -> Vec<String> {
    truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn churn_shows_in_truth_and_through_odata() {
    let emulator = start("tiny", 7).await;
    emulator
        .admin_post("/clock", json!({"advance_seconds": 86_400}))
        .await;
    let (status, churn) = emulator
        .admin_post(
            "/churn",
            json!({"entity": "purchase-orders", "changed": 3, "created": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{churn}");
    assert_eq!(churn["at"], "2026-03-03T08:00:00Z");
    let changed: Vec<String> = serde_json::from_value(churn["changed"].clone()).expect("ids");
    let created: Vec<String> = serde_json::from_value(churn["created"].clone()).expect("ids");
    assert_eq!(changed.len(), 3);
    assert_eq!(created, vec!["4500000400", "4500000401"]);

    let truth = emulator
        .admin_get("/truth/purchase-orders?changed_since=2026-03-03T08:00:00Z")
        .await;
    let same_window = emulator
        .admin_get("/truth/purchase-orders?changed_since=2026-03-03T09:00:00+01:00")
        .await;
    assert_eq!(
        same_window["digest"], truth["digest"],
        "a literal '+' offset is accepted"
    );
    let mut expected: Vec<String> = changed.iter().chain(&created).cloned().collect();
    expected.sort();
    assert_eq!(ids(&truth), expected);
    assert_eq!(truth["count"], 5);
    assert_eq!(truth["entity_set"], "A_PurchaseOrder");
    assert_eq!(truth["system"], "sap");

    // The digest is the SHA-256 of the sorted `id\tchanged_at\n` lines.
    let mut hasher = Sha256::new();
    for record in truth["records"].as_array().expect("records") {
        hasher.update(format!(
            "{}\t{}\n",
            record["id"].as_str().expect("id"),
            record["changed_at"].as_str().expect("at")
        ));
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(truth["digest"], digest);

    let (rows, _) = emulator
        .all_pages(
            "A_PurchaseOrder?$filter=LastChangeDateTime ge datetimeoffset'2026-03-03T08:00:00Z'",
        )
        .await
        .expect("pages");
    let mut odata_ids: Vec<String> = rows
        .iter()
        .map(|r| r["PurchaseOrder"].as_str().expect("id").to_owned())
        .collect();
    odata_ids.sort();
    assert_eq!(odata_ids, expected);
    for row in &rows {
        assert_eq!(
            date_ms(&row["LastChangeDateTime"]),
            rfc3339_ms("2026-03-03T08:00:00Z")
        );
    }

    // A second round chooses other orders: the choice follows the seed and a round counter.
    let (_, again) = emulator
        .admin_post("/churn", json!({"entity": "purchase-orders", "changed": 3}))
        .await;
    assert_ne!(again["changed"], churn["changed"]);
    assert_eq!(again["created"], json!([]));

    for bad in [
        json!({"entity": "invoices", "changed": 1}),
        json!({"entity": "purchase-orders", "changed": -1}),
        json!({"entity": "purchase-orders", "changed": 100000}),
        json!({"changed": 1}),
        json!({"entity": "purchase-orders", "surprise": 1}),
    ] {
        let (status, body) = emulator.admin_post("/churn", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn records_vendors_and_journal() {
    let emulator = start("tiny", 7).await;
    let record = emulator
        .admin_get("/records/purchase-orders/4500000001")
        .await;
    assert_eq!(record["PurchaseOrder"], "4500000001");
    assert!(
        record["LastChangeDateTime"]
            .as_str()
            .expect("date")
            .starts_with("/Date(")
    );
    assert!(record["to_PurchaseOrderItem"].is_array());
    let missing = emulator
        .client
        .get(emulator.admin("/records/purchase-orders/4599999999"))
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.expect("json");
    assert!(body["error"].is_string());

    let vendors = emulator.admin_get("/truth/vendors").await;
    assert_eq!(vendors["count"], 40);
    assert_eq!(vendors["entity_set"], "A_Supplier");
    let supplier = record["Supplier"].as_str().expect("supplier");
    assert!(
        ids(&vendors).iter().any(|id| id == supplier),
        "a PO's supplier exists in the master"
    );
    let vendor = emulator
        .admin_get(&format!("/records/vendors/{supplier}"))
        .await;
    assert_eq!(vendor["Supplier"], supplier);
    let unknown = emulator
        .client
        .get(emulator.admin("/truth/invoices"))
        .send()
        .await
        .expect("get");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let before = emulator.admin_get("/journal").await;
    assert_eq!(
        before["entries"],
        json!([]),
        "admin calls are not journalled"
    );
    emulator.get("A_PurchaseOrder?$top=2").await;
    emulator.get("A_Nope").await;
    let journal = emulator.admin_get("/journal").await;
    let entries = journal["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["seq"], 1);
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(
        entries[0]["path"],
        "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder"
    );
    assert_eq!(entries[0]["query"], "$top=2");
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["at"], "2026-03-02T08:00:00Z");
    assert_eq!(entries[1]["status"], 404);
    let since = emulator.admin_get("/journal?since_seq=1").await;
    assert_eq!(since["entries"].as_array().map(Vec::len), Some(1));
    let cleared = emulator
        .client
        .delete(emulator.admin("/journal"))
        .send()
        .await
        .expect("delete");
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(emulator.admin_get("/journal").await["entries"], json!([]));
    emulator.get("").await;
    assert_eq!(
        emulator.admin_get("/journal").await["entries"][0]["seq"],
        3,
        "numbers are never reused"
    );
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    let a = start("tiny", 7).await;
    let b = start("tiny", 7).await;
    let c = start("tiny", 8).await;
    let digest_a = a.truth_digest().await;
    assert_eq!(digest_a, b.truth_digest().await);
    assert_ne!(digest_a, c.truth_digest().await);
    let record_a = a.admin_get("/records/purchase-orders/4500000042").await;
    assert_eq!(
        record_a,
        b.admin_get("/records/purchase-orders/4500000042").await
    );
    assert_ne!(
        record_a,
        c.admin_get("/records/purchase-orders/4500000042").await
    );
    assert_eq!(
        a.running.credentials,
        b.running
            .credentials
            .clone()
            .as_object()
            .map(|m| {
                let mut m = m.clone();
                m.insert(
                    String::from("token_url"),
                    a.running.credentials["token_url"].clone(),
                );
                Value::Object(m)
            })
            .expect("object")
    );
}

#[tokio::test]
async fn lookback_windows_select_growing_strict_subsets() {
    let emulator = start("tiny", 7).await;
    let all = emulator.admin_get("/truth/purchase-orders").await["count"]
        .as_u64()
        .expect("count");
    let days_30 = emulator
        .admin_get("/truth/purchase-orders?changed_since=2026-01-31T08:00:00Z")
        .await["count"]
        .as_u64()
        .expect("count");
    let days_90 = emulator
        .admin_get("/truth/purchase-orders?changed_since=2025-12-02T08:00:00Z")
        .await["count"]
        .as_u64()
        .expect("count");
    println!("tiny seed 7: {all} orders, {days_90} changed in 90 days, {days_30} in 30 days");
    assert!(0 < days_30 && days_30 < days_90 && days_90 < all);

    let (rows, _) = emulator
        .all_pages(
            "A_PurchaseOrder?$filter=LastChangeDateTime ge datetimeoffset'2026-01-31T08:00:00Z'",
        )
        .await
        .expect("pages");
    assert_eq!(rows.len() as u64, days_30);
}

#[tokio::test]
async fn manifest_entry_and_shutdown() {
    let emulator = start("tiny", 7).await;
    let entry = emulator.running.manifest_entry();
    assert_eq!(entry["system"], "sap");
    assert_eq!(entry["base_url"], emulator.running.base_url.as_str());
    assert_eq!(
        entry["admin_url"],
        format!("{}/__admin", emulator.running.base_url)
    );
    for key in [
        "username",
        "password",
        "client_id",
        "client_secret",
        "token_url",
    ] {
        assert!(entry["credentials"][key].is_string(), "credentials.{key}");
    }
    assert!(emulator.running.base_url.starts_with("http://127.0.0.1:"));
    assert_eq!("SAP".parse::<SystemKind>().ok(), Some(SystemKind::Sap));
    assert!("quickbooks".parse::<SystemKind>().is_err());

    let client = emulator.client.clone();
    let url = emulator.running.admin_url.clone() + "/clock";
    emulator.running.shutdown().await;
    assert!(
        client.get(&url).send().await.is_err(),
        "the server is gone after shutdown"
    );
}

#[tokio::test]
async fn revoked_credentials_are_refused_everywhere_until_restored() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let credentials = &emulator.running.credentials;
    let token_url = credentials["token_url"].as_str().expect("token url");
    let token = |client: &reqwest::Client| {
        client
            .post(token_url)
            .basic_auth(
                credentials["client_id"].as_str().expect("id"),
                credentials["client_secret"].as_str(),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
    };
    let granted: Value = token(&emulator.client)
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let bearer = granted["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let (status, revoked) = emulator.admin_post("/credentials/revoke", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        revoked["revoked"],
        json!(["MW_COMM_USER", "MW_OAUTH_CLIENT"])
    );
    assert_eq!(
        emulator.get("A_PurchaseOrder?$top=1").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let by_session = emulator
        .client
        .get(emulator.url("A_PurchaseOrder?$top=1"))
        .header("cookie", &csrf.cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(
        by_session.status(),
        StatusCode::UNAUTHORIZED,
        "the session ended"
    );
    let by_token = emulator
        .client
        .get(emulator.url("A_PurchaseOrder?$top=1"))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("get");
    assert_eq!(
        by_token.status(),
        StatusCode::UNAUTHORIZED,
        "the token ended"
    );
    assert_eq!(
        token(&emulator.client).await.expect("token").status(),
        StatusCode::UNAUTHORIZED
    );
    // The read-only user is someone else and keeps working.
    let display = emulator
        .client
        .get(emulator.url("A_PurchaseOrder?$top=1"))
        .basic_auth(
            credentials["readonly_username"].as_str().expect("user"),
            credentials["readonly_password"].as_str(),
        )
        .send()
        .await
        .expect("get");
    assert_eq!(display.status(), StatusCode::OK);

    let (status, restored) = emulator.admin_post("/credentials/restore", json!({})).await;
    assert_eq!(
        (status, &restored["restored"]),
        (StatusCode::OK, &json!(["MW_COMM_USER"]))
    );
    assert_eq!(
        emulator.get("A_PurchaseOrder?$top=1").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        token(&emulator.client).await.expect("token").status(),
        StatusCode::OK
    );
}
