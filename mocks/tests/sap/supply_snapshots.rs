//! Reviewed snapshots of the supply services: a sample of every new entity set as a client
//! receives it, and each new service's `$metadata`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Emulator, ROOT, start};
use crate::supply_common::{BP_ROOT, DOC_ROOT, STOCK_ROOT, url, write};

/// The body of a GET with the system-chosen port replaced.
async fn text(emulator: &Emulator, root: &str, resource: &str) -> String {
    let response = emulator
        .request(Method::GET, &url(emulator, root, resource))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200, "{resource}");
    response
        .text()
        .await
        .expect("body")
        .replace(&emulator.running.base_url, "http://emulator")
}

async fn json_of(emulator: &Emulator, root: &str, resource: &str) -> Value {
    serde_json::from_str(&text(emulator, root, resource).await).expect("json")
}

#[tokio::test]
async fn supply_entity_sets() {
    let emulator = start("tiny", 7).await;
    insta::assert_json_snapshot!(
        "business_partner_with_supplier",
        json_of(
            &emulator,
            BP_ROOT,
            "A_BusinessPartner('17300001')?$expand=to_Supplier/to_SupplierPurchasingOrg,to_Supplier/to_SupplierCompany,to_BusinessPartnerAddress,to_BusinessPartnerRole",
        )
        .await
    );
    insta::assert_json_snapshot!(
        "stock_in_accounting_model",
        json_of(
            &emulator,
            STOCK_ROOT,
            "A_MaterialStock('RM10001')?$expand=to_MatlStkInAcctMod"
        )
        .await
    );
    insta::assert_json_snapshot!(
        "schedule_lines",
        json_of(
            &emulator,
            ROOT,
            "A_PurchaseOrderScheduleLine?$top=2&$inlinecount=allpages"
        )
        .await
    );
    let csrf = emulator.fetch_csrf().await;
    let (status, _) = write(
        &emulator,
        &csrf,
        Method::POST,
        DOC_ROOT,
        "A_MaterialDocumentHeader",
        Some(&json!({"GoodsMovementCode": "05", "MaterialDocumentHeaderText": "Count correction",
            "to_MaterialDocumentItem": [{"Material": "SP10001", "Plant": "1710", "StorageLocation": "171D",
                "GoodsMovementType": "561", "QuantityInEntryUnit": "2", "EntryUnit": "PC"}]})),
    )
    .await;
    assert_eq!(status, 201);
    insta::assert_json_snapshot!(
        "material_document",
        json_of(
            &emulator,
            DOC_ROOT,
            "A_MaterialDocumentHeader(MaterialDocumentYear='2026',MaterialDocument='4900000000')?$expand=to_MaterialDocumentItem",
        )
        .await
    );
}

#[tokio::test]
async fn supply_metadata_documents() {
    let emulator = start("tiny", 7).await;
    for (name, root) in [
        ("metadata_business_partner", BP_ROOT),
        ("metadata_material_stock", STOCK_ROOT),
        ("metadata_material_document", DOC_ROOT),
    ] {
        insta::assert_snapshot!(name, text(&emulator, root, "$metadata").await);
    }
}
