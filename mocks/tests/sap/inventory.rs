//! Stock (`API_MATERIAL_STOCK_SRV`, read-only) and goods movements
//! (`API_MATERIAL_DOCUMENT_SRV`) that move it, against the admin API's `inventory` snapshot.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Csrf, Emulator, start};
use crate::supply_common::{DOC_ROOT, STOCK_ROOT, all_rows, codes, get, write};

/// The inventory id of a stock row: its key predicate with the values as JSON prints them.
fn id_of(row: &Value) -> String {
    [
        "Material",
        "Plant",
        "StorageLocation",
        "Batch",
        "Supplier",
        "Customer",
        "WBSElementInternalID",
        "SDDocument",
        "SDDocumentItem",
        "InventorySpecialStockType",
        "InventoryStockType",
    ]
    .iter()
    .map(|name| {
        format!(
            "{name}='{}'",
            row[*name].as_str().expect("key text").replace('\'', "''")
        )
    })
    .collect::<Vec<_>>()
    .join(",")
}

/// `id → (quantity, unit)` of the admin snapshot.
async fn snapshot(emulator: &Emulator) -> BTreeMap<String, (String, String)> {
    let truth = emulator.admin_get("/truth/inventory").await;
    truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|record| {
            assert!(record["changed_at"].is_null(), "stock has no stamp");
            let values = &record["values"];
            (
                record["id"].as_str().expect("id").to_owned(),
                (
                    values["MatlWrhsStkQtyInMatlBaseUnit"]
                        .as_str()
                        .expect("quantity")
                        .to_owned(),
                    values["MaterialBaseUnit"]
                        .as_str()
                        .expect("unit")
                        .to_owned(),
                ),
            )
        })
        .collect()
}

/// `id → (quantity, unit)` read through OData, every page.
async fn served(emulator: &Emulator) -> BTreeMap<String, (String, String)> {
    all_rows(emulator, STOCK_ROOT, "A_MatlStkInAcctMod")
        .await
        .iter()
        .map(|row| {
            (
                id_of(row),
                (
                    row["MatlWrhsStkQtyInMatlBaseUnit"]
                        .as_str()
                        .expect("quantity")
                        .to_owned(),
                    row["MaterialBaseUnit"].as_str().expect("unit").to_owned(),
                ),
            )
        })
        .collect()
}

fn movement(
    material: &str,
    location: &str,
    batch: &str,
    kind: &str,
    quantity: &str,
    unit: &str,
) -> Value {
    json!({
        "GoodsMovementCode": "05",
        "to_MaterialDocumentItem": [{
            "Material": material, "Plant": "1710", "StorageLocation": location, "Batch": batch,
            "GoodsMovementType": kind, "QuantityInEntryUnit": quantity, "EntryUnit": unit
        }]
    })
}

async fn post(emulator: &Emulator, csrf: &Csrf, body: &Value) -> (StatusCode, Value) {
    write(
        emulator,
        csrf,
        Method::POST,
        DOC_ROOT,
        "A_MaterialDocumentHeader",
        Some(body),
    )
    .await
}

#[tokio::test]
async fn stock_reads_match_the_snapshot_truth() {
    let emulator = start("tiny", 7).await;
    let truth = snapshot(&emulator).await;
    assert!(truth.len() > 100, "{} rows", truth.len());
    assert_eq!(served(&emulator).await, truth);
    let (id, (quantity, unit)) = truth.iter().next().expect("a row");
    let (status, row) = get(
        &emulator,
        STOCK_ROOT,
        &format!("A_MatlStkInAcctMod({id})?$expand=to_MaterialStock"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(&row["d"]["MatlWrhsStkQtyInMatlBaseUnit"], quantity.as_str());
    assert_eq!(
        &row["d"]["to_MaterialStock"]["MaterialBaseUnit"],
        unit.as_str()
    );
    let material = row["d"]["Material"].as_str().expect("material").to_owned();
    let for_material = all_rows(
        &emulator,
        STOCK_ROOT,
        &format!(
            "A_MatlStkInAcctMod?$filter=Material%20eq%20'{material}'%20and%20Plant%20eq%20'1710'"
        ),
    )
    .await;
    let expected = truth
        .keys()
        .filter(|key| key.starts_with(&format!("Material='{material}',")))
        .count();
    assert_eq!(for_material.len(), expected);
    let (_, stock) = get(
        &emulator,
        STOCK_ROOT,
        &format!("A_MaterialStock('{material}')?$expand=to_MatlStkInAcctMod"),
    )
    .await;
    assert_eq!(
        stock["d"]["to_MatlStkInAcctMod"]["results"]
            .as_array()
            .map(Vec::len),
        Some(expected)
    );
    let (_, count) = get(&emulator, STOCK_ROOT, "A_MaterialStock/$count").await;
    assert_eq!(count, json!(160));
    // Raw materials are batch-managed; stock types 01 mostly.
    assert!(
        truth
            .keys()
            .any(|id| id.starts_with("Material='RM") && !id.contains("Batch=''"))
    );
    let unrestricted = truth
        .keys()
        .filter(|id| id.ends_with("InventoryStockType='01'"))
        .count();
    assert!(unrestricted * 10 > truth.len() * 8);
}

#[tokio::test]
async fn stock_is_read_only() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let truth = snapshot(&emulator).await;
    let id = truth.keys().next().expect("row").clone();
    for (method, resource) in [
        (Method::POST, String::from("A_MatlStkInAcctMod")),
        (Method::PATCH, format!("A_MatlStkInAcctMod({id})")),
        (Method::DELETE, format!("A_MatlStkInAcctMod({id})")),
        (Method::POST, String::from("A_MaterialStock")),
    ] {
        let (status, body) = write(
            &emulator,
            &csrf,
            method.clone(),
            STOCK_ROOT,
            &resource,
            Some(&json!({})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {resource}: {body}"
        );
        assert!(body["error"]["code"].is_string());
    }
    assert_eq!(snapshot(&emulator).await, truth);
}

#[tokio::test]
async fn goods_movements_move_stock_exactly() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let truth = snapshot(&emulator).await;
    // An unrestricted spare part row without batch.
    let (id, (quantity, unit)) = truth
        .iter()
        .find(|(id, _)| id.starts_with("Material='SP") && id.ends_with("'01'"))
        .map(|(id, value)| (id.clone(), value.clone()))
        .expect("a spare part");
    let material = id.split('\'').nth(1).expect("material").to_owned();
    let (status, body) = post(
        &emulator,
        &csrf,
        &movement(&material, "171D", "", "561", "5", &unit),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let document = &body["d"];
    assert_eq!(document["MaterialDocumentYear"], "2026");
    assert_eq!(document["MaterialDocument"], "4900000000");
    assert_eq!(
        document["to_MaterialDocumentItem"]["results"][0]["MaterialDocumentItem"],
        "1"
    );
    let after = snapshot(&emulator).await;
    let expected: f64 = quantity.parse::<f64>().expect("q") + 5.0;
    assert_eq!(after[&id].0.parse::<f64>().expect("q"), expected);
    assert_eq!(after.len(), truth.len());
    // The reversal takes it back; more than there is is refused with SAP's deficit message.
    let (status, _) = post(
        &emulator,
        &csrf,
        &movement(&material, "171D", "", "562", "5", &unit),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(snapshot(&emulator).await, truth);
    let too_much = format!("{}", quantity.parse::<f64>().expect("q") + 2.0);
    let (status, body) = post(
        &emulator,
        &csrf,
        &movement(&material, "171D", "", "562", &too_much, &unit),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        codes(&body),
        (
            String::from("MM_IM_ODATA_API_MDOC/014"),
            String::from("M7/021")
        )
    );
    let message = body["error"]["innererror"]["errordetails"][0]["message"]
        .as_str()
        .expect("text");
    assert_eq!(
        message,
        format!("Deficit of SL Unrestricted-use 2 {unit} : {material} 1710 171D")
    );
    // A receipt where nothing lay creates the row.
    let (status, _) = post(
        &emulator,
        &csrf,
        &movement(&material, "171C", "", "561", "3", &unit),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let grown = snapshot(&emulator).await;
    let new_id = id.replace("StorageLocation='171D'", "StorageLocation='171C'");
    assert_eq!(grown.get(&new_id), Some(&(String::from("3"), unit.clone())));
    // Documents read back with their items; the second document has the next number.
    let documents = all_rows(
        &emulator,
        DOC_ROOT,
        "A_MaterialDocumentHeader?$expand=to_MaterialDocumentItem",
    )
    .await;
    assert_eq!(documents.len(), 3);
    assert_eq!(documents[1]["MaterialDocument"], "4900000001");
    assert_eq!(
        documents[1]["to_MaterialDocumentItem"]["results"][0]["GoodsMovementType"],
        "562"
    );
    let items = all_rows(
        &emulator,
        DOC_ROOT,
        "A_MaterialDocumentItem?$filter=GoodsMovementType%20eq%20'561'",
    )
    .await;
    assert_eq!(items.len(), 2);
}

#[tokio::test]
async fn refused_goods_movements_change_nothing() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let truth = snapshot(&emulator).await;
    let batch_row = truth
        .keys()
        .find(|id| id.starts_with("Material='RM") && id.ends_with("'01'"))
        .expect("a raw material")
        .clone();
    let raw = batch_row.split('\'').nth(1).expect("material").to_owned();
    let unit = truth[&batch_row].1.clone();
    let ok = movement(&raw, "171A", "0000000001", "561", "1", &unit);
    let cases: Vec<(Value, &str)> = vec![
        (movement("XX99999", "171A", "", "561", "1", "PC"), "M7/001"),
        (
            {
                let mut body = ok.clone();
                body["to_MaterialDocumentItem"][0]["Plant"] = json!("1010");
                body
            },
            "M7/001",
        ),
        (
            movement(&raw, "9999", "0000000001", "561", "1", &unit),
            "M7/127",
        ),
        (movement(&raw, "171A", "", "561", "1", &unit), "M7/018"),
        (
            movement(&raw, "171A", "0000000001", "561", "1", "ST"),
            "M7/034",
        ),
        (
            movement(&raw, "171A", "0000000001", "101", "1", &unit),
            "M7/097",
        ),
        (
            movement(&raw, "171A", "0000000001", "561", "0", &unit),
            "M7/022",
        ),
        (
            {
                let mut body = ok.clone();
                body["GoodsMovementCode"] = json!("01");
                body
            },
            "MM_IM_ODATA_API_MDOC/006",
        ),
        (
            json!({"GoodsMovementCode": "05", "to_MaterialDocumentItem": []}),
            "MM_IM_ODATA_API_MDOC/002",
        ),
        (
            // The second item reverses more than the first receives: the whole document fails.
            json!({"GoodsMovementCode": "05", "to_MaterialDocumentItem": [
                {"Material": raw, "Plant": "1710", "StorageLocation": "171A", "Batch": "0000000001",
                 "GoodsMovementType": "561", "QuantityInEntryUnit": "2", "EntryUnit": unit},
                {"Material": raw, "Plant": "1710", "StorageLocation": "171A", "Batch": "0000000001",
                 "GoodsMovementType": "562", "QuantityInEntryUnit": "3", "EntryUnit": unit}
            ]}),
            "M7/021",
        ),
    ];
    for (body, detail) in cases {
        let (status, answer) = post(&emulator, &csrf, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(
            codes(&answer),
            (
                String::from("MM_IM_ODATA_API_MDOC/014"),
                String::from(detail)
            ),
            "{body}"
        );
    }
    let (status, answer) = write(
        &emulator,
        &csrf,
        Method::POST,
        DOC_ROOT,
        "A_MaterialDocumentItem",
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{answer}");
    assert_eq!(snapshot(&emulator).await, truth);
    let (_, body) = post(&emulator, &csrf, &ok).await;
    assert_eq!(
        body["d"]["MaterialDocument"], "4900000000",
        "refusals drew no number"
    );
}

#[tokio::test]
async fn inventory_churn_changes_creates_and_vanishes_rows() {
    let emulator = start("tiny", 7).await;
    let before = snapshot(&emulator).await;
    let (status, churn) = emulator
        .admin_post(
            "/churn",
            json!({"entity": "inventory", "changed": 3, "created": 2, "deleted": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{churn}");
    let ids = |name: &str| -> Vec<String> {
        churn[name]
            .as_array()
            .expect("ids")
            .iter()
            .map(|id| id.as_str().expect("id").to_owned())
            .collect()
    };
    let (changed, created, deleted) = (ids("changed"), ids("created"), ids("deleted"));
    assert_eq!((changed.len(), created.len(), deleted.len()), (3, 2, 2));
    let after = served(&emulator).await;
    assert_eq!(after, snapshot(&emulator).await);
    for id in &changed {
        assert_ne!(before[id].0, after[id].0);
    }
    for id in &created {
        assert!(!before.contains_key(id) && after.contains_key(id));
    }
    for id in &deleted {
        assert!(before.contains_key(id) && !after.contains_key(id));
        let (status, _) = get(&emulator, STOCK_ROOT, &format!("A_MatlStkInAcctMod({id})")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let untouched = before
        .iter()
        .filter(|(id, value)| after.get(*id) == Some(value))
        .count();
    assert_eq!(untouched, before.len() - 5);
    let record = emulator
        .admin_get(&format!("/records/inventory/{}", percent(&created[0])))
        .await;
    assert_eq!(record["to_MaterialStock"]["Material"], record["Material"]);
    assert_eq!(id_of(&record), created[0]);
    let (status, _) = emulator
        .admin_post(
            "/churn",
            json!({"entity": "purchase-orders", "changed": 1, "deleted": 1}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "deleted applies to inventory only"
    );
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
