//! `API_EQUIPMENT` over HTTP: the time-slice key, warranties, creates, updates, and
//! installation history through `InstallEquipment`/`DismantleEquipment`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{date_ms, start};
use crate::pm_common::{
    Call, EQ_ROOT, advance, all_rows, current_slice, fetch_csrf, get, json_offset,
};

fn text<'a>(row: &'a Value, name: &str) -> &'a str {
    row[name].as_str().unwrap_or_default()
}

/// `/Date(ms)/` of 9999-12-31, the open end of current time slices.
const OPEN_END: &str = "/Date(253402214400000)/";

#[tokio::test]
async fn time_slices_and_keys() {
    let emulator = start("tiny", 7).await;
    let current = all_rows(
        &emulator,
        EQ_ROOT,
        "Equipment?$filter=ValidityEndDate eq datetime'9999-12-31T00:00:00'",
    )
    .await;
    assert_eq!(
        current.len(),
        60,
        "one current slice per piece of equipment"
    );
    let everything = all_rows(&emulator, EQ_ROOT, "Equipment").await;
    assert!(
        everything.len() > 60,
        "moved equipment has closed slices too"
    );
    let keys: Vec<(u64, i64)> = everything
        .iter()
        .map(|row| {
            (
                text(row, "Equipment").parse().expect("numeric"),
                date_ms(&row["ValidityEndDate"]),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "key order: equipment, then validity end");
    for row in &everything {
        let start = date_ms(&row["ValidityStartDate"]);
        let end = date_ms(&row["ValidityEndDate"]);
        assert!(start <= end);
        assert_eq!(date_ms(&row["LastChangeDateTime"]) % 1000, 0);
    }
    let closed = everything
        .iter()
        .find(|row| row["ValidityEndDate"] != OPEN_END)
        .expect("a closed slice");
    let successor = everything
        .iter()
        .find(|row| row["Equipment"] == closed["Equipment"] && row["ValidityEndDate"] == OPEN_END)
        .expect("its current slice");
    assert_eq!(
        date_ms(&successor["ValidityStartDate"]),
        date_ms(&closed["ValidityEndDate"]) + 86_400_000,
        "slices follow each other without a gap"
    );

    let first = &current[0];
    assert_eq!(first["Equipment"], "10000000");
    assert_eq!(
        first["__metadata"]["type"],
        "cds_api_equipment.EquipmentType"
    );
    let uri = first["__metadata"]["uri"].as_str().expect("uri");
    assert!(
        uri.ends_with("/API_EQUIPMENT/Equipment(Equipment='10000000',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')"),
        "{uri}"
    );
    for key in [
        current_slice("10000000"),
        String::from(
            "Equipment(ValidityEndDate=datetime'9999-12-31T00:00',Equipment='000000000010000000')",
        ),
    ] {
        let single = get(&emulator, EQ_ROOT, &key).await;
        assert_eq!(single.status, StatusCode::OK, "{key}: {single:?}");
        assert_eq!(single.body["d"]["EquipmentName"], first["EquipmentName"]);
    }
    for (key, status, code) in [
        ("Equipment('10000000')", 400, "/IWCOR/CX_OD_BAD_REQUEST"),
        (
            "Equipment(Equipment='10000000',ValidityEndDate='9999-12-31')",
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            "Equipment(Equipment='10000000',ValidityEndDate=datetime'2020-01-01T00:00:00')",
            404,
            "/IWBEP/CM_MGW_RT/020",
        ),
        (
            "Equipment(Equipment='19999999',ValidityEndDate=datetime'9999-12-31T00:00:00')",
            404,
            "/IWBEP/CM_MGW_RT/020",
        ),
    ] {
        let answer = get(&emulator, EQ_ROOT, key).await;
        assert_eq!(answer.status.as_u16(), status, "{key}: {answer:?}");
        assert_eq!(answer.code(), code, "{key}: {answer:?}");
    }

    // Warranties: a set of their own and the equipment's `to_Warranty`.
    let warranties = all_rows(&emulator, EQ_ROOT, "EquipmentWarranty").await;
    assert!(!warranties.is_empty());
    let warranty = &warranties[0];
    let owner = text(warranty, "Equipment");
    let expanded = get(
        &emulator,
        EQ_ROOT,
        &format!("{}?$expand=to_Warranty", current_slice(owner)),
    )
    .await;
    assert_eq!(expanded.body["d"]["to_Warranty"]["results"][0], *warranty);
    let back = get(
        &emulator,
        EQ_ROOT,
        &format!(
            "EquipmentWarranty(Equipment='{owner}',WarrantyType='{}')/to_Equipment",
            text(warranty, "WarrantyType")
        ),
    )
    .await;
    assert_eq!(back.body["d"]["ValidityEndDate"], OPEN_END);
    assert!(date_ms(&warranty["WarrantyEndDate"]) > date_ms(&warranty["WarrantyStartDate"]));

    let filtered = all_rows(
        &emulator,
        EQ_ROOT,
        "Equipment?$filter=TechnicalObjectType eq 'PUMP' and substringof('pump', EquipmentName)",
    )
    .await;
    assert!(
        filtered
            .iter()
            .all(|row| row["TechnicalObjectType"] == "PUMP"
                && text(row, "EquipmentName").contains("pump"))
    );
    assert!(!filtered.is_empty());
}

#[tokio::test]
async fn creates_updates_and_installation_history() {
    let emulator = start("tiny", 7).await;
    let csrf = fetch_csrf(&emulator, EQ_ROOT).await;
    let body = json!({
        "EquipmentName": "Booster pump P-2001",
        "EquipmentCategory": "m",
        "TechnicalObjectType": "PUMP",
        "AssetManufacturerName": "Grundfos",
        "ManufacturerPartTypeName": "CR 32-4",
        "ManufacturerSerialNumber": "gf-778812",
        "AcquisitionValue": "12500.5",
        "Currency": "USD",
        "FunctionalLocation": "1710-PRD-L01",
        "to_Warranty": [{"WarrantyType": "2", "WarrantyStartDate": "/Date(1772409600000)/", "WarrantyEndDate": "/Date(1835481600000)/"}]
    });
    let created = Call::new(Method::POST, EQ_ROOT, "Equipment")
        .csrf(&csrf)
        .json(body.clone())
        .send(&emulator)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let equipment = &created.body["d"];
    assert_eq!(equipment["Equipment"], "10000060", "internally numbered");
    assert_eq!(equipment["EquipmentCategory"], "M");
    assert_eq!(equipment["ManufacturerSerialNumber"], "GF-778812");
    assert_eq!(equipment["AcquisitionValue"], "12500.500");
    assert_eq!(equipment["ValidityEndDate"], OPEN_END);
    assert_eq!(
        equipment["FunctionalLocation"], "",
        "read-only on create: installing sets it"
    );
    assert_eq!(equipment["EquipmentIsInstalled"], false);
    assert_eq!(
        equipment["to_Warranty"]["results"][0]["Equipment"],
        "10000060"
    );
    let key = current_slice("10000060");
    assert!(
        created.headers["location"]
            .to_str()
            .expect("location")
            .ends_with(&key)
    );

    let external = Call::new(Method::POST, EQ_ROOT, "Equipment")
        .csrf(&csrf)
        .json(json!({"Equipment": "20000001", "EquipmentCategory": "Q", "EquipmentName": "Gauge"}))
        .send(&emulator)
        .await;
    assert_eq!(external.status, StatusCode::CREATED, "{external:?}");
    assert_eq!(external.body["d"]["Equipment"], "20000001");
    for (body, code) in [
        (json!({"EquipmentName": "No category"}), "00/055"),
        (json!({"EquipmentCategory": "Z"}), "IE/002"),
        (
            json!({"Equipment": "10000005", "EquipmentCategory": "M"}),
            "IE/004",
        ),
        (
            json!({"Equipment": "PUMP-1", "EquipmentCategory": "M"}),
            "IE/005",
        ),
        (
            json!({"EquipmentCategory": "M", "MaintenancePlant": "1010"}),
            "IE/012",
        ),
        (
            json!({"EquipmentCategory": "M", "SuperordinateEquipment": "19999999"}),
            "IE/001",
        ),
        (
            json!({"EquipmentCategory": "M", "ConstructionMonth": "13"}),
            "IE/015",
        ),
        (
            json!({"EquipmentCategory": "M", "AcquisitionValue": "10"}),
            "00/055",
        ),
        (
            json!({"EquipmentCategory": "M", "to_Warranty": [{"WarrantyType": "7"}]}),
            "BGMKOBJ/003",
        ),
    ] {
        let answer = Call::new(Method::POST, EQ_ROOT, "Equipment")
            .csrf(&csrf)
            .json(body.clone())
            .send(&emulator)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {answer:?}");
        assert_eq!(answer.code(), code, "{body}: {answer:?}");
    }

    // Changes go to the current slice and stamp the equipment.
    let now = advance(&emulator, 120).await;
    let renamed = Call::new(Method::PATCH, EQ_ROOT, key.clone())
        .csrf(&csrf)
        .json(json!({"EquipmentName": "Booster pump P-2001A", "AssetRoom": "r12"}))
        .send(&emulator)
        .await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT, "{renamed:?}");
    let read = get(&emulator, EQ_ROOT, &key).await;
    assert_eq!(read.body["d"]["EquipmentName"], "Booster pump P-2001A");
    assert_eq!(read.body["d"]["AssetRoom"], "R12");
    assert_eq!(read.body["d"]["LastChangeDateTime"], json_offset(&now));
    for (body, code) in [
        (json!({"EquipmentCategory": "Q"}), "IW/041"),
        (json!({"FunctionalLocation": "1710-PRD-L02"}), "IW/041"),
        (json!({"CreatedByUser": "SOMEONE"}), "IW/041"),
        (json!({"MainWorkCenter": "NOPE"}), "IE/013"),
    ] {
        let answer = Call::new(Method::PATCH, EQ_ROOT, key.clone())
            .csrf(&csrf)
            .json(body.clone())
            .send(&emulator)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {answer:?}");
        assert_eq!(answer.code(), code, "{body}: {answer:?}");
    }
    let deleted = Call::new(Method::DELETE, EQ_ROOT, key.clone())
        .csrf(&csrf)
        .send(&emulator)
        .await;
    assert_eq!(deleted.status, StatusCode::METHOD_NOT_ALLOWED);

    // Installing as of a later day closes the current slice and opens a new one.
    advance(&emulator, 3 * 86_400).await;
    let csrf = fetch_csrf(&emulator, EQ_ROOT).await;
    let install = |parameters: &str| {
        Call::new(
            Method::POST,
            EQ_ROOT,
            format!(
                "InstallEquipment?Equipment='10000060'&ValidityEndDate=datetime'9999-12-31T00:00:00'{parameters}"
            ),
        )
        .csrf(&csrf)
    };
    let installed =
        install("&FunctionalLocation='1710-PRD-L01'&EquipInstallationPositionNmbr='A1'")
            .send(&emulator)
            .await;
    assert_eq!(installed.status, StatusCode::OK, "{installed:?}");
    assert_eq!(
        installed.body["d"]["__metadata"]["type"],
        "cds_api_equipment.EquipmentType"
    );
    assert_eq!(installed.body["d"]["FunctionalLocation"], "1710-PRD-L01");
    assert_eq!(
        installed.body["d"]["FunctionalLocationName"],
        "Production line 01"
    );
    assert_eq!(installed.body["d"]["EquipmentIsInstalled"], true);
    assert_eq!(installed.body["d"]["EquipInstallationPositionNmbr"], "A1");
    let slices = all_rows(
        &emulator,
        EQ_ROOT,
        "Equipment?$filter=Equipment eq '10000060'",
    )
    .await;
    assert_eq!(slices.len(), 2, "{slices:?}");
    assert_eq!(slices[0]["FunctionalLocation"], "");
    assert_eq!(
        date_ms(&slices[0]["ValidityEndDate"]) + 86_400_000,
        date_ms(&slices[1]["ValidityStartDate"])
    );
    let old_slice = format!(
        "Equipment(Equipment='10000060',ValidityEndDate=datetime'{}')",
        chrono::DateTime::from_timestamp_millis(date_ms(&slices[0]["ValidityEndDate"]))
            .expect("date")
            .format("%Y-%m-%dT%H:%M:%S")
    );
    let history = Call::new(Method::PATCH, EQ_ROOT, old_slice.clone())
        .csrf(&csrf)
        .json(json!({"EquipmentName": "rewrite history"}))
        .send(&emulator)
        .await;
    assert_eq!(history.code(), "IE/010", "{history:?}");

    for (parameters, code) in [("&FunctionalLocation='1710-PRD-L02'", "IE/060")] {
        let answer = install(parameters).send(&emulator).await;
        assert_eq!(answer.code(), code, "{parameters}: {answer:?}");
    }
    let dismantle = Call::new(
        Method::POST,
        EQ_ROOT,
        "DismantleEquipment?Equipment='10000060'&ValidityEndDate=datetime'9999-12-31T00:00:00'",
    )
    .csrf(&csrf)
    .send(&emulator)
    .await;
    assert_eq!(dismantle.status, StatusCode::OK, "{dismantle:?}");
    assert_eq!(dismantle.body["d"]["FunctionalLocation"], "");
    assert_eq!(dismantle.body["d"]["EquipmentIsInstalled"], false);
    assert_eq!(
        all_rows(
            &emulator,
            EQ_ROOT,
            "Equipment?$filter=Equipment eq '10000060'"
        )
        .await
        .len(),
        2,
        "the same day changes the current slice in place"
    );
    for (parameters, code) in [
        ("", "00/055"),
        ("&FunctionalLocation='1710-NOPE-L01'", "IW/117"),
        (
            "&FunctionalLocation='1710-PRD-L01'&SuperordinateEquipment='10000001'",
            "IE/062",
        ),
        ("&SuperordinateEquipment='10000060'", "IE/061"),
        (
            "&SuperordinateEquipment='10000001'&EquipInstallationPositionNmbr='ABCDEF'",
            "IE/063",
        ),
        (
            "&FunctionalLocation='1710-PRD-L01'&EquipmentInstallationDate=datetime'2020-01-01T00:00:00'",
            "IE/065",
        ),
    ] {
        let answer = install(parameters).send(&emulator).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{parameters}: {answer:?}"
        );
        assert_eq!(answer.code(), code, "{parameters}: {answer:?}");
    }
    let under = install("&SuperordinateEquipment='10000001'")
        .send(&emulator)
        .await;
    assert_eq!(under.status, StatusCode::OK, "{under:?}");
    let superior = get(&emulator, EQ_ROOT, &current_slice("10000001")).await;
    assert_eq!(under.body["d"]["SuperordinateEquipment"], "10000001");
    assert_eq!(
        under.body["d"]["FunctionalLocation"],
        superior.body["d"]["FunctionalLocation"]
    );
    let not_installed = Call::new(
        Method::POST,
        EQ_ROOT,
        "DismantleEquipment?Equipment='20000001'&ValidityEndDate=datetime'9999-12-31T00:00:00'",
    )
    .csrf(&csrf)
    .send(&emulator)
    .await;
    assert_eq!(not_installed.code(), "IE/064");

    // Warranties can be added and changed; the equipment is stamped.
    let added = Call::new(Method::POST, EQ_ROOT, format!("{key}/to_Warranty"))
        .csrf(&csrf)
        .json(json!({"WarrantyType": "1", "MasterWarranty": "mw-cust"}))
        .send(&emulator)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{added:?}");
    assert_eq!(added.body["d"]["MasterWarranty"], "MW-CUST");
    let again = Call::new(Method::POST, EQ_ROOT, "EquipmentWarranty")
        .csrf(&csrf)
        .json(json!({"Equipment": "10000060", "WarrantyType": "1"}))
        .send(&emulator)
        .await;
    assert_eq!(again.code(), "BGMKOBJ/012");
    let changed = Call::new(
        Method::PATCH,
        EQ_ROOT,
        "EquipmentWarranty(Equipment='10000060',WarrantyType='1')",
    )
    .csrf(&csrf)
    .json(json!({"WarrantyStartDate": "/Date(1772409600000)/", "WarrantyEndDate": "/Date(1772323200000)/"}))
    .send(&emulator)
    .await;
    assert_eq!(changed.code(), "BGMKOBJ/010", "end before start");
}

#[tokio::test]
async fn metadata_declares_keys_and_function_imports() {
    let emulator = start("tiny", 7).await;
    let xml = get(&emulator, EQ_ROOT, "$metadata").await.body;
    let xml = xml.as_str().expect("xml");
    assert!(xml.contains("<Schema Namespace=\"cds_api_equipment\""));
    assert!(xml.contains(
        "<PropertyRef Name=\"Equipment\"/>\n     <PropertyRef Name=\"ValidityEndDate\"/>"
    ));
    assert!(xml.contains(
        "<FunctionImport Name=\"InstallEquipment\" ReturnType=\"cds_api_equipment.EquipmentType\" EntitySet=\"Equipment\" m:HttpMethod=\"POST\" sap:action-for=\"cds_api_equipment.EquipmentType\">"
    ));
    assert!(xml.contains(
        "<Parameter Name=\"EquipmentInstallationTime\" Type=\"Edm.Time\" Mode=\"In\" Precision=\"0\" Nullable=\"true\" sap:label=\"Time\"/>"
    ));
    assert!(xml.contains("EquipmentType\" sap:deletable=\"false\""));
}
