//! ETags switched on per entity set by the profile: `ConcurrencyMode="Fixed"`, `__metadata.etag`
//! and the `ETag` header, and `If-Match` on writes and bound actions (428, 412, `*`).

use reqwest::{Method, StatusCode};
use serde_json::json;

use mw_mocks::{EmulatorOptions, MockError, Profile, SystemKind, serve};

use crate::common::{Emulator, ROOT};
use crate::pm_common::{
    Call, EQ_ROOT, MO_ROOT, advance, current_slice, fetch_csrf, get, start_edited,
};

/// The tiny profile with ETags on the given sets.
async fn with_etags(sets: &str) -> Emulator {
    start_edited(7, |text| {
        text.replace(
            "oauth_token_lifetime_seconds = 3600",
            &format!("oauth_token_lifetime_seconds = 3600\netag_entity_sets = {sets}"),
        )
    })
    .await
}

#[tokio::test]
async fn etags_are_declared_served_and_required() {
    let emulator = with_etags(r#"["MaintenanceOrder", "Equipment"]"#).await;
    let xml = get(&emulator, MO_ROOT, "$metadata").await.body;
    let xml = xml.as_str().expect("xml");
    assert!(xml.contains(
        "<Property Name=\"LastChangeDateTime\" Type=\"Edm.DateTimeOffset\" Precision=\"0\" ConcurrencyMode=\"Fixed\" sap:label=\"Short Time Stamp\""
    ));
    assert_eq!(
        xml.matches("ConcurrencyMode").count(),
        1,
        "operations have none"
    );
    let po_xml = get(&emulator, ROOT, "$metadata").await.body;
    assert!(!po_xml.as_str().expect("xml").contains("ConcurrencyMode"));

    // A recent order is still open (released or created), so it can be changed.
    let recent = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder?$orderby=MaintenanceOrder desc&$top=20",
    )
    .await;
    let open = recent.body["d"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|row| {
            let status = row["SystemStatusText"].as_str().unwrap_or_default();
            (status.starts_with("CRTD") || status.starts_with("REL")) && !status.contains("DLFL")
        })
        .expect("an open order")
        .clone();
    let number = open["MaintenanceOrder"]
        .as_str()
        .expect("number")
        .to_owned();
    let order = format!("MaintenanceOrder('{number}')");
    let order = order.as_str();
    let read = get(&emulator, MO_ROOT, order).await;
    let etag = read.headers["etag"].to_str().expect("etag").to_owned();
    assert!(etag.starts_with("W/\"datetimeoffset'20"), "{etag}");
    assert!(etag.ends_with("Z'\"") && etag.contains("%3A"), "{etag}");
    assert_eq!(read.body["d"]["__metadata"]["etag"], etag.as_str());
    let collection = get(
        &emulator,
        MO_ROOT,
        "MaintenanceOrder?$top=2&$expand=to_MaintenanceOrderOperation",
    )
    .await;
    let first = &collection.body["d"]["results"][0];
    assert!(
        first["__metadata"]["etag"].is_string(),
        "collection entries carry it"
    );
    assert!(
        first["to_MaintenanceOrderOperation"]["results"][0]["__metadata"]
            .get("etag")
            .is_none(),
        "sets without an ETag have none"
    );

    advance(&emulator, 60).await;
    let csrf = fetch_csrf(&emulator, MO_ROOT).await;
    let patch = |if_match: Option<&str>| {
        let call = Call::new(Method::PATCH, MO_ROOT, order)
            .csrf(&csrf)
            .json(json!({"MaintenanceOrderDesc": "Checked"}));
        match if_match {
            Some(value) => call.header("if-match", value),
            None => call,
        }
    };
    let missing = patch(None).send(&emulator).await;
    assert_eq!(
        missing.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{missing:?}"
    );
    assert_eq!(missing.code(), "SADL_ENTITY_RUNTIME/004");
    assert!(
        missing
            .message()
            .contains(&format!("MaintenanceOrder~{number}")),
        "{missing:?}"
    );
    let stale = patch(Some("W/\"datetimeoffset'2001-01-01T00%3A00%3A00Z'\""))
        .send(&emulator)
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{stale:?}");
    let malformed = patch(Some("not-an-etag")).send(&emulator).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "/IWFND/CM_MGW/094");
    let unchanged = get(&emulator, MO_ROOT, order).await;
    assert_eq!(
        unchanged.headers["etag"].to_str().expect("etag"),
        etag,
        "refusals change nothing"
    );

    let accepted = patch(Some(&etag)).send(&emulator).await;
    assert_eq!(accepted.status, StatusCode::NO_CONTENT, "{accepted:?}");
    let fresh = accepted.headers["etag"]
        .to_str()
        .expect("new etag")
        .to_owned();
    assert_ne!(fresh, etag);
    assert_eq!(
        get(&emulator, MO_ROOT, order).await.headers["etag"],
        fresh.as_str()
    );
    let replay = patch(Some(&etag)).send(&emulator).await;
    assert_eq!(
        replay.status,
        StatusCode::PRECONDITION_FAILED,
        "the old version is stale now"
    );
    advance(&emulator, 1).await;
    let forced = patch(Some("*")).send(&emulator).await;
    assert_eq!(forced.status, StatusCode::NO_CONTENT, "{forced:?}");

    // Bound actions need the precondition too.
    let current = get(&emulator, MO_ROOT, order).await;
    let current_etag = current.headers["etag"].to_str().expect("etag").to_owned();
    let status = current.body["d"]["SystemStatusText"]
        .as_str()
        .expect("status");
    let function = if status.starts_with("CRTD") {
        "ReleaseMaintenanceOrder"
    } else {
        "SetMaintOrdToTechCompleted"
    };
    let action = |if_match: Option<&str>| {
        let call = Call::new(
            Method::POST,
            MO_ROOT,
            format!("{function}?MaintenanceOrder='{number}'"),
        )
        .csrf(&csrf);
        match if_match {
            Some(value) => call.header("if-match", value),
            None => call,
        }
    };
    let missing = action(None).send(&emulator).await;
    assert_eq!(
        missing.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{missing:?}"
    );
    assert_eq!(missing.code(), "SADL_ENTITY_RUNTIME/006");
    let done = action(Some(&current_etag)).send(&emulator).await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");

    // Equipment: the current slice's ETag guards changes and installation.
    let key = current_slice("10000004");
    let slice = get(&emulator, EQ_ROOT, &key).await;
    let slice_etag = slice.headers["etag"].to_str().expect("etag").to_owned();
    let without = Call::new(Method::PATCH, EQ_ROOT, key.clone())
        .csrf(&csrf)
        .json(json!({"AssetRoom": "R1"}))
        .send(&emulator)
        .await;
    assert_eq!(without.status, StatusCode::PRECONDITION_REQUIRED);
    assert!(
        without.message().contains("Equipment~10000004/9999-12-31"),
        "{without:?}"
    );
    let with = Call::new(Method::PATCH, EQ_ROOT, key.clone())
        .csrf(&csrf)
        .json(json!({"AssetRoom": "R1"}))
        .header("if-match", slice_etag.clone())
        .send(&emulator)
        .await;
    assert_eq!(with.status, StatusCode::NO_CONTENT, "{with:?}");
    let dismantle = Call::new(
        Method::POST,
        EQ_ROOT,
        "DismantleEquipment?Equipment='10000004'&ValidityEndDate=datetime'9999-12-31T00:00:00'",
    )
    .csrf(&csrf)
    .header("if-match", slice_etag)
    .send(&emulator)
    .await;
    assert_eq!(
        dismantle.status,
        StatusCode::PRECONDITION_FAILED,
        "{dismantle:?}"
    );
}

#[tokio::test]
async fn etag_sets_must_exist() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    for (sets, complaint) in [
        (r#"["MaintenanceOrders"]"#, "no SAP service has"),
        (
            r#"["MaintenanceOrderOperation"]"#,
            "no LastChangeDateTime or ETag",
        ),
    ] {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/profiles/tiny.toml"
        ))
        .expect("tiny")
        .replace(
            "oauth_token_lifetime_seconds = 3600",
            &format!("oauth_token_lifetime_seconds = 3600\netag_entity_sets = {sets}"),
        );
        let profile = Profile::from_toml(&text, "test").expect("parses");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let outcome = serve(
            EmulatorOptions {
                system: SystemKind::Sap,
                profile,
                seed: 7,
                faults: None,
            },
            listener,
        )
        .await;
        match outcome {
            Err(MockError::ProfileInvalid { reason, .. }) => {
                assert!(reason.contains(complaint), "{reason}");
            }
            other => panic!("{sets} should be refused, got {other:?}"),
        }
    }
}
