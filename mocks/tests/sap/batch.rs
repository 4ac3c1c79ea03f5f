//! `$batch`: reads outside changesets, atomic changesets, per-operation status lines, CSRF on
//! the batch, and SAP's error for malformed multipart bodies.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Csrf, Emulator, start};
use crate::supply_common::{BP_ROOT, DOC_ROOT, url};

const BOUNDARY: &str = "batch_36522ad7-fc75-4b56-8c71-56071383e77b";

/// One `application/http` part.
fn part(method: &str, target: &str, body: Option<&Value>, content_id: Option<&str>) -> String {
    let mut text =
        String::from("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = content_id {
        text.push_str(&format!("Content-ID: {id}\r\n"));
    }
    text.push_str(&format!(
        "\r\n{method} {target} HTTP/1.1\r\nAccept: application/json\r\n"
    ));
    match body {
        Some(body) => text.push_str(&format!("Content-Type: application/json\r\n\r\n{body}\r\n")),
        None => text.push_str("\r\n\r\n"),
    }
    text
}

fn changeset(name: &str, parts: &[String]) -> String {
    let mut text = format!("Content-Type: multipart/mixed; boundary={name}\r\n\r\n");
    for p in parts {
        text.push_str(&format!("--{name}\r\n{p}"));
    }
    text.push_str(&format!("--{name}--\r\n"));
    text
}

fn batch(parts: &[String]) -> String {
    let mut text = String::new();
    for p in parts {
        text.push_str(&format!("--{BOUNDARY}\r\n{p}"));
    }
    text.push_str(&format!("--{BOUNDARY}--\r\n"));
    text
}

/// Posts a batch to `root`; returns the status, the content type and the status lines with
/// the JSON bodies of the operations, in order.
async fn send(
    emulator: &Emulator,
    csrf: Option<&Csrf>,
    root: &str,
    body: String,
) -> (StatusCode, String, Vec<(String, Value)>) {
    let mut request = emulator
        .request(Method::POST, &url(emulator, root, "$batch"))
        .header(
            "Content-Type",
            format!("multipart/mixed; boundary={BOUNDARY}"),
        )
        .body(body);
    if let Some(csrf) = csrf {
        request = request
            .header("x-csrf-token", &csrf.token)
            .header("cookie", &csrf.cookie);
    }
    let response = request.send().await.expect("batch");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    let mut operations = Vec::new();
    let mut lines = text.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("HTTP/1.1 ") {
            // Skip the operation's headers to its body line.
            for header in lines.by_ref() {
                if header.is_empty() {
                    break;
                }
            }
            let body = lines.next().unwrap_or_default();
            operations.push((
                line.to_owned(),
                serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
            ));
        }
    }
    (status, format!("{content_type}\n{text}"), operations)
}

#[tokio::test]
async fn changesets_are_atomic_and_reads_see_their_results() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let item = "A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')";
    let (_, before) = emulator.get_json(item).await;
    let digest = emulator.truth_digest().await;

    // A changeset whose second operation fails leaves no trace of its first.
    let failing = batch(&[
        changeset(
            "changeset_1",
            &[
                part("PATCH", item, Some(&json!({"OrderQuantity": "77"})), None),
                part(
                    "PATCH",
                    "A_PurchaseOrder('4500000002')",
                    Some(&json!({"Supplier": "99999999"})),
                    None,
                ),
            ],
        ),
        part("GET", item, None, None),
    ]);
    let (status, raw, operations) = send(
        &emulator,
        Some(&csrf),
        "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/",
        failing,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{raw}");
    assert!(raw.starts_with("multipart/mixed; boundary=batch_"), "{raw}");
    let statuses: Vec<&str> = operations.iter().map(|(line, _)| line.as_str()).collect();
    assert_eq!(
        statuses,
        ["HTTP/1.1 400 Bad Request", "HTTP/1.1 200 OK"],
        "{raw}"
    );
    assert_eq!(operations[0].1["error"]["code"], "06/027");
    assert_eq!(
        operations[1].1["d"]["OrderQuantity"],
        before["d"]["OrderQuantity"]
    );
    assert_eq!(
        emulator.truth_digest().await,
        digest,
        "the changeset was undone"
    );

    // A good changeset commits both writes; Content-ID names the order it created.
    let order = json!({
        "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
        "PurchasingGroup": "001", "Supplier": "17300001", "DocumentCurrency": "USD",
        "to_PurchaseOrderItem": [{"Material": "SP10001", "Plant": "1710", "OrderQuantity": "3",
            "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": "12"}]
    });
    let good = batch(&[
        changeset(
            "changeset_2",
            &[
                part("POST", "A_PurchaseOrder", Some(&order), Some("new")),
                part(
                    "PATCH",
                    "$new",
                    Some(&json!({"PaymentTerms": "NT60"})),
                    None,
                ),
                part("PATCH", item, Some(&json!({"OrderQuantity": "77"})), None),
            ],
        ),
        part("GET", &format!("{item}?$select=OrderQuantity"), None, None),
        part("GET", "A_Nope", None, None),
    ]);
    let (status, raw, operations) = send(
        &emulator,
        Some(&csrf),
        "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/",
        good,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{raw}");
    let statuses: Vec<&str> = operations.iter().map(|(line, _)| line.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 201 Created",
            "HTTP/1.1 204 No Content",
            "HTTP/1.1 204 No Content",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 404 Not Found"
        ],
        "{raw}"
    );
    assert!(raw.contains("Content-ID: new"), "{raw}");
    assert_eq!(operations[3].1["d"]["OrderQuantity"], "77.000");
    let number = operations[0].1["d"]["PurchaseOrder"]
        .as_str()
        .expect("number")
        .to_owned();
    let (_, created) = emulator
        .get_json(&format!("A_PurchaseOrder('{number}')"))
        .await;
    assert_eq!(created["d"]["PaymentTerms"], "NT60");
}

#[tokio::test]
async fn batches_need_a_token_and_well_formed_bodies() {
    let emulator = start("tiny", 7).await;
    let root = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/";
    let reads = batch(&[part("GET", "A_PurchaseOrder('4500000001')", None, None)]);
    let (status, raw, _) = send(&emulator, None, root, reads.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{raw}");
    let csrf = emulator.fetch_csrf().await;
    let (status, _, operations) = send(&emulator, Some(&csrf), root, reads).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(operations[0].1["d"]["PurchaseOrder"], "4500000001");

    for body in [
        String::from("not multipart"),
        format!(
            "--{BOUNDARY}\r\nContent-Type: application/http\r\n\r\nGET A_PurchaseOrder HTTP/1.1\r\n"
        ),
        format!("--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{BOUNDARY}--\r\n"),
    ] {
        let (status, raw, _) = send(&emulator, Some(&csrf), root, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}");
        assert!(raw.contains("/IWCOR/CX_OD_BAD_REQUEST"), "{raw}");
    }
    // Writes outside a changeset, reads inside one and nested batches are refused per part.
    let misuse = batch(&[
        part("DELETE", "A_PurchaseOrder('4500000001')", None, None),
        changeset(
            "changeset_9",
            &[part("GET", "A_PurchaseOrder('4500000001')", None, None)],
        ),
        part("GET", "$batch", None, None),
    ]);
    let (status, raw, operations) = send(&emulator, Some(&csrf), root, misuse).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{raw}");
    assert!(
        operations
            .iter()
            .all(|(line, _)| line.starts_with("HTTP/1.1 4")),
        "{raw}"
    );
    let (_, order) = emulator.get_json("A_PurchaseOrder('4500000001')").await;
    assert_eq!(
        order["d"]["PurchasingDocumentDeletionCode"], "",
        "nothing was deleted"
    );
}

#[tokio::test]
async fn other_services_batch_their_writes_too() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let movement = |kind: &str, quantity: &str| {
        json!({"GoodsMovementCode": "05", "to_MaterialDocumentItem": [{
            "Material": "SP10001", "Plant": "1710", "StorageLocation": "171C",
            "GoodsMovementType": kind, "QuantityInEntryUnit": quantity, "EntryUnit": "PC"}]})
    };
    let before = emulator.admin_get("/truth/inventory").await["digest"].clone();
    // Receive 5, then take back 6: the second fails and the first is undone with it.
    let body = batch(&[changeset(
        "changeset_a",
        &[
            part(
                "POST",
                "A_MaterialDocumentHeader",
                Some(&movement("561", "5")),
                None,
            ),
            part(
                "POST",
                "A_MaterialDocumentHeader",
                Some(&movement("562", "6")),
                None,
            ),
        ],
    )]);
    let (status, raw, operations) = send(&emulator, Some(&csrf), DOC_ROOT, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{raw}");
    assert_eq!(operations.len(), 1, "{raw}");
    assert_eq!(
        operations[0].1["error"]["innererror"]["errordetails"][0]["code"],
        "M7/021"
    );
    assert_eq!(
        emulator.admin_get("/truth/inventory").await["digest"],
        before
    );
    let body = batch(&[
        changeset(
            "changeset_b",
            &[part(
                "PATCH",
                "A_Supplier('17300001')",
                Some(&json!({"VATRegistration": "US123"})),
                None,
            )],
        ),
        part("GET", "A_Supplier('17300001')", None, None),
    ]);
    let (_, raw, operations) = send(&emulator, Some(&csrf), BP_ROOT, body).await;
    assert_eq!(operations.len(), 2, "{raw}");
    assert_eq!(operations[1].1["d"]["VATRegistration"], "US123");
}

#[tokio::test]
async fn display_users_read_through_batches_but_cannot_write() {
    let emulator = start("tiny", 7).await;
    let credentials = emulator.running.credentials.clone();
    let display = Emulator {
        running: emulator.running,
        client: emulator.client.clone(),
        user: credentials["readonly_username"]
            .as_str()
            .expect("user")
            .to_owned(),
        password: credentials["readonly_password"]
            .as_str()
            .expect("password")
            .to_owned(),
    };
    let csrf = display.fetch_csrf().await;
    let body = batch(&[
        part("GET", "A_PurchaseOrder('4500000001')", None, None),
        changeset(
            "changeset_r",
            &[part(
                "PATCH",
                "A_PurchaseOrder('4500000001')",
                Some(&json!({"PaymentTerms": "NT60"})),
                None,
            )],
        ),
    ]);
    let (status, raw, operations) = send(
        &display,
        Some(&csrf),
        "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/",
        body,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{raw}");
    let statuses: Vec<&str> = operations.iter().map(|(line, _)| line.as_str()).collect();
    assert_eq!(statuses, ["HTTP/1.1 200 OK", "HTTP/1.1 403 Forbidden"]);
}
