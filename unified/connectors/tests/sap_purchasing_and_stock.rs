//! The SAP connector's purchasing and stock entities against a scripted SAP Gateway (wiremock):
//! vendors from `API_BUSINESS_PARTNER`, inventory from `API_MATERIAL_STOCK_SRV` with adjustments
//! through `API_MATERIAL_DOCUMENT_SRV`, and changes and deletions of purchase orders. Pinned
//! here: the exact query strings of first and resumed pages (date + time keyset for suppliers,
//! eleven-field keyset for stock), the requests and bodies of every write with their CSRF
//! handshake, and how SAP's refusals come back.

// Helpers outside `#[test]` functions build fixed test data; a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod common;

use mw_connectors::{Connector, ConnectorError, Page, PageQuery};
use mw_model::{
    Address, Entity, EntityData, InventoryAdjustment, NaiveDate, NewPurchaseOrder,
    NewPurchaseOrderLine, NewRecord, NewVendor, PurchaseOrderLinePatch, PurchaseOrderPatch,
    PurchaseOrderStatus, RecordPatch, VendorPatch, VendorStatus,
};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::{
    any, basic_auth, body_json, body_partial_json, header, header_exists, method, path,
    query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::sap::{page_of, sap_error, sap_json, sap_with};
use common::{at, ids};

const BP: &str = "/sap/opu/odata/sap/API_BUSINESS_PARTNER";
const STOCK: &str = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV";
const DOCS: &str = "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV";
const PO: &str = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV";

const SUPPLIER_EXPAND: &str =
    "to_Supplier,to_Supplier/to_SupplierPurchasingOrg,to_BusinessPartnerAddress";
const SUPPLIER_ORDER: &str = "LastChangeDate asc,LastChangeTime asc,BusinessPartner asc";
const PO_EXPAND: &str = "to_PurchaseOrderItem,to_PurchaseOrderItem/to_ScheduleLine";
const STOCK_ORDER: &str = "Material asc,Plant asc,StorageLocation asc,Batch asc,Supplier asc,Customer asc,WBSElementInternalID asc,SDDocument asc,SDDocumentItem asc,InventorySpecialStockType asc,InventoryStockType asc";

fn sap(server: &MockServer) -> Box<dyn Connector> {
    sap_with(
        server,
        json!({"sap_client": "100", "purchasing_organization": "1710",
            "company_code": "1710", "business_partner_grouping": "BP02"}),
    )
}

/// The CSRF fetch on the root of `service`: one token and session, fetched `times` times.
async fn mount_csrf_fetch(server: &MockServer, service: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("{service}/")))
        .and(header("x-csrf-token", "Fetch"))
        .and(basic_auth("ALICE", "s3cret"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"d": {"EntitySets": []}}))
                .insert_header("x-csrf-token", "token-A")
                .append_header("set-cookie", "SAP_SESSIONID_S4H_100=s1; path=/; HttpOnly"),
        )
        .expect(times)
        .mount(server)
        .await;
}

/// A write that must carry the CSRF token and session of [`mount_csrf_fetch`].
fn write(verb: &str, resource: String) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(resource))
        .and(header("x-csrf-token", "token-A"))
        .and(header("cookie", "SAP_SESSIONID_S4H_100=s1"))
        .and(header("content-type", "application/json"))
        .and(query_param("sap-client", "100"))
        .and(query_param_is_missing("$format"))
}

/// Method and path (with query) of every request but the CSRF fetches, in order.
async fn requests(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.headers.get("x-csrf-token").is_none_or(|t| t != "Fetch"))
        .map(|r| {
            let path = percent_encoding::percent_decode_str(r.url.path())
                .decode_utf8_lossy()
                .into_owned();
            format!("{} {path}", r.method)
        })
        .collect()
}

// ---- vendors ----

fn partners() -> Vec<Value> {
    let page: Value = serde_json::from_str(include_str!(
        "../../../fixtures/protocol/sap/suppliers_page.json"
    ))
    .unwrap();
    page["d"]["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn vendors_page_by_change_date_time_then_partner() {
    let server = MockServer::start().await;
    let window = "Supplier ne '' and (LastChangeDate gt datetime'2024-01-30T00:00:00' or (LastChangeDate eq datetime'2024-01-30T00:00:00' and LastChangeTime ge time'PT15H51M04S'))";
    let all = partners();
    Mock::given(method("GET"))
        .and(path(format!("{BP}/A_BusinessPartner")))
        .and(query_param("$filter", window))
        .and(query_param("$orderby", SUPPLIER_ORDER))
        .and(query_param("$top", "2"))
        .and(query_param("$expand", SUPPLIER_EXPAND))
        .and(query_param("$inlinecount", "allpages"))
        .and(query_param("sap-client", "100"))
        .and(basic_auth("ALICE", "s3cret"))
        .respond_with(sap_json(&page_of(
            &[all[0].clone(), all[2].clone()],
            Some("3"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let resumed = format!(
        "{window} and (LastChangeDate gt datetime'2024-01-31T00:00:00' or (LastChangeDate eq datetime'2024-01-31T00:00:00' and (LastChangeTime gt time'PT00H00M00S' or (LastChangeTime eq time'PT00H00M00S' and BusinessPartner gt '17300007'))))"
    );
    Mock::given(method("GET"))
        .and(path(format!("{BP}/A_BusinessPartner")))
        .and(query_param("$filter", resumed.as_str()))
        .and(query_param("$orderby", SUPPLIER_ORDER))
        .and(query_param("$top", "2"))
        .and(query_param("$expand", SUPPLIER_EXPAND))
        .and(query_param_is_missing("$inlinecount"))
        .and(query_param_is_missing("$skip"))
        .respond_with(sap_json(&page_of(&[all[1].clone()], None)))
        .expect(1)
        .mount(&server)
        .await;

    let query = PageQuery {
        changed_since: Some(at("2024-01-30T15:51:04.900Z")),
        resume: None,
        page_size: 2,
    };
    let first = sap(&server)
        .read_page(Entity::Vendors, &query)
        .await
        .unwrap();
    assert_eq!(ids(&first), ["17300001", "17300007"]);
    assert_eq!(first.total, Some(3));
    assert_eq!(
        first.records[1].remote_updated_at,
        at("2024-01-31T00:00:00Z")
    );
    // A new connector resumes from the cursor alone.
    let second = sap(&server)
        .read_page(
            Entity::Vendors,
            &PageQuery {
                resume: first.next.clone(),
                ..query
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&second), ["10300001"]);
    assert_eq!(
        second.records[0].remote_updated_at,
        at("2024-01-31T08:02:11Z")
    );
    assert_eq!(second.next, None);
    let EntityData::Vendor(vendor) = &second.records[0].data else {
        panic!("not a vendor");
    };
    assert_eq!(vendor.status, VendorStatus::Blocked);
}

#[tokio::test]
async fn a_vendor_is_found_by_its_supplier_number() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BP}/A_BusinessPartner")))
        .and(query_param("$filter", "Supplier eq '17300001'"))
        .and(query_param("$top", "1"))
        .and(query_param("$expand", SUPPLIER_EXPAND))
        .respond_with(sap_json(&page_of(&partners()[..1], None)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$filter", "Supplier eq '99'"))
        .respond_with(sap_json(&page_of(&[], None)))
        .expect(1)
        .mount(&server)
        .await;
    let sap = sap(&server);
    let record = sap.get(Entity::Vendors, "17300001").await.unwrap();
    assert_eq!(record.remote_id, "17300001");
    assert!(matches!(
        sap.get(Entity::Vendors, "99").await,
        Err(ConnectorError::NotFound(_))
    ));
    assert!(matches!(
        sap.get(Entity::Vendors, " ").await,
        Err(ConnectorError::NotFound(None))
    ));
}

fn created_partner() -> Value {
    let mut partner = partners().remove(0);
    for pointer in ["/BusinessPartner", "/Supplier", "/to_Supplier/Supplier"] {
        *partner.pointer_mut(pointer).unwrap() = json!("17300099");
    }
    partner["BusinessPartnerFullName"] = json!("Bolt & Nut Supply Inc.");
    partner
}

#[tokio::test]
async fn a_vendor_is_created_as_a_business_partner_in_the_supplier_role() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, BP, 1).await;
    write("POST", format!("{BP}/A_BusinessPartner"))
        .and(partner_body(json!({
            "BusinessPartnerCategory": "2",
            "OrganizationBPName1": "Bolt & Nut Supply Inc.",
            "BusinessPartnerGrouping": "BP02",
            "to_BusinessPartnerRole": [{"BusinessPartnerRole": "FLVN01"}],
            "to_Supplier": {
                "VATRegistration": "US123456789",
                "to_SupplierPurchasingOrg": [{"PurchasingOrganization": "1710",
                    "PurchaseOrderCurrency": "USD", "PaymentTerms": "0004"}],
                "to_SupplierCompany": [{"CompanyCode": "1710"}]
            },
            "to_BusinessPartnerAddress": [{"StreetName": "100 Industrial Way", "CityName": "Palo Alto",
                "PostalCode": "94304", "Region": "CA", "Country": "US"}]
        })))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("location", format!("https://sap{BP}/A_BusinessPartner('17300099')"))
                .set_body_json(json!({"d": {"BusinessPartner": "17300099", "BusinessPartnerCategory": "2"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BP}/A_BusinessPartner('17300099')")))
        .and(query_param("$expand", SUPPLIER_EXPAND))
        .respond_with(sap_json(&json!({"d": created_partner()})))
        .expect(1)
        .mount(&server)
        .await;

    let vendor = NewVendor {
        name: "Bolt & Nut Supply Inc.".into(),
        tax_id: Some("US123456789".into()),
        currency: Some("USD".into()),
        payment_terms: Some("0004".into()),
        email: None,
        phone: None,
        address: Some(Address {
            line1: Some("100 Industrial Way".into()),
            city: Some("Palo Alto".into()),
            postal_code: Some("94304".into()),
            region: Some("CA".into()),
            country: Some("US".into()),
        }),
        remote_fields: None,
    };
    let record = sap(&server)
        .create(&NewRecord::Vendor(vendor))
        .await
        .unwrap();
    assert_eq!(record.remote_id, "17300099");
    let EntityData::Vendor(vendor) = record.data else {
        panic!("not a vendor");
    };
    assert_eq!(vendor.name, "Bolt & Nut Supply Inc.");
}

#[tokio::test]
async fn a_vendor_change_patches_each_entity_that_holds_a_field() {
    let server = MockServer::start().await;
    let mut current = partners().remove(0);
    current["to_Supplier"]["__metadata"]["etag"] = json!("W/\"'20240130155104'\"");
    Mock::given(method("GET"))
        .and(path(format!("{BP}/A_BusinessPartner")))
        .and(query_param("$filter", "Supplier eq '17300001'"))
        .respond_with(sap_json(&page_of(&[current], None)))
        .expect(2)
        .mount(&server)
        .await;
    mount_csrf_fetch(&server, BP, 1).await;
    write("PATCH", format!("{BP}/A_BusinessPartner('17300001')"))
        .and(body_json(
            json!({"OrganizationBPName1": "Domestic US Supplier One"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    write("PATCH", format!("{BP}/A_Supplier('17300001')"))
        .and(header("if-match", "W/\"'20240130155104'\""))
        .and(body_json(json!({"VATRegistration": "US987654321"})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    write(
        "PATCH",
        format!("{BP}/A_SupplierPurchasingOrg(Supplier='17300001',PurchasingOrganization='1710')"),
    )
    .and(body_json(json!({"PaymentTerms": "0001"})))
    .respond_with(ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    write(
        "PATCH",
        format!("{BP}/A_BusinessPartnerAddress(BusinessPartner='17300001',AddressID='22631')"),
    )
    .and(body_json(json!({"CityName": "Menlo Park"})))
    .respond_with(ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    Mock::given(method("GET"))
        .and(path(format!("{BP}/A_BusinessPartner('17300001')")))
        .and(query_param("$expand", SUPPLIER_EXPAND))
        .respond_with(sap_json(&json!({"d": partners().remove(0)})))
        .expect(1)
        .mount(&server)
        .await;

    let patch = VendorPatch {
        name: Some("Domestic US Supplier One".into()),
        tax_id: Some("US987654321".into()),
        payment_terms: Some("0001".into()),
        address: Some(Address {
            city: Some("Menlo Park".into()),
            ..Address::default()
        }),
        ..VendorPatch::default()
    };
    let sap = sap(&server);
    let record = sap
        .update("17300001", &RecordPatch::Vendor(patch.clone()), None)
        .await
        .unwrap();
    assert_eq!(record.remote_id, "17300001");
    assert_eq!(
        requests(&server).await[1..5],
        [
            "PATCH /sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('17300001')",
            "PATCH /sap/opu/odata/sap/API_BUSINESS_PARTNER/A_Supplier('17300001')",
            "PATCH /sap/opu/odata/sap/API_BUSINESS_PARTNER/A_SupplierPurchasingOrg(Supplier='17300001',PurchasingOrganization='1710')",
            "PATCH /sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartnerAddress(BusinessPartner='17300001',AddressID='22631')",
        ]
    );
    // The partner has no ETag: a change conditional on a version cannot be checked, and is
    // refused before anything is written.
    assert!(matches!(
        sap.update("17300001", &RecordPatch::Vendor(patch), Some("W/\"old\""))
            .await,
        Err(ConnectorError::NotSupported { .. })
    ));
}

#[tokio::test]
async fn an_sap_refusal_of_a_vendor_keeps_its_code() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, BP, 1).await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(sap_error("R11/401", "Grouping ZZ99 is not defined")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let vendor = NewVendor {
        name: "Acme".into(),
        tax_id: None,
        currency: Some("USD".into()),
        payment_terms: None,
        email: None,
        phone: None,
        address: None,
        remote_fields: Some(
            json!({"BusinessPartnerGrouping": "ZZ99"})
                .as_object()
                .unwrap()
                .clone(),
        ),
    };
    match sap(&server).create(&NewRecord::Vendor(vendor)).await {
        Err(ConnectorError::Rejected(upstream)) => {
            assert_eq!(upstream.code.as_deref(), Some("R11/401"));
            assert_eq!(
                upstream.message.as_deref(),
                Some("Grouping ZZ99 is not defined")
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

// ---- inventory ----

fn stock_rows() -> Vec<Value> {
    let page: Value = serde_json::from_str(include_str!(
        "../../../fixtures/protocol/sap/stock_page.json"
    ))
    .unwrap();
    page["d"]["results"].as_array().unwrap().clone()
}

fn dated(value: &Value, date: &str) -> ResponseTemplate {
    sap_json(value).insert_header("date", date)
}

#[tokio::test]
async fn stock_is_read_whole_by_keyset_on_the_eleven_key_fields() {
    let server = MockServer::start().await;
    let rows = stock_rows();
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .and(query_param_is_missing("$filter"))
        .and(query_param("$orderby", STOCK_ORDER))
        .and(query_param("$top", "4"))
        .and(query_param("$inlinecount", "allpages"))
        .and(query_param("sap-client", "100"))
        .and(query_param_is_missing("$expand"))
        .respond_with(dated(
            &page_of(&rows[0..4], Some("10")),
            "Wed, 31 Jan 2024 12:00:00 GMT",
        ))
        .expect(1)
        .mount(&server)
        .await;
    // After FG29 / 1710 / 171A / quality inspection (02).
    let second = "(Material gt 'FG29' or (Material eq 'FG29' and (Plant gt '1710' or (Plant eq '1710' and (StorageLocation gt '171A' or (StorageLocation eq '171A' and (Batch gt '' or (Batch eq '' and (Supplier gt '' or (Supplier eq '' and (Customer gt '' or (Customer eq '' and (WBSElementInternalID gt '' or (WBSElementInternalID eq '' and (SDDocument gt '' or (SDDocument eq '' and (SDDocumentItem gt '0' or (SDDocumentItem eq '0' and (InventorySpecialStockType gt '' or (InventorySpecialStockType eq '' and InventoryStockType gt '02'))))))))))))))))))))";
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .and(query_param("$filter", second))
        .and(query_param("$orderby", STOCK_ORDER))
        .and(query_param("$top", "4"))
        .and(query_param_is_missing("$inlinecount"))
        .respond_with(dated(
            &page_of(&rows[4..8], None),
            "Wed, 31 Jan 2024 12:00:05 GMT",
        ))
        .expect(1)
        .mount(&server)
        .await;
    // After the parts provided to a supplier: left out of the levels, but read past.
    let third = "(Material gt 'RM14' or (Material eq 'RM14' and (Plant gt '1710' or (Plant eq '1710' and (StorageLocation gt '' or (StorageLocation eq '' and (Batch gt '' or (Batch eq '' and (Supplier gt '17300002' or (Supplier eq '17300002' and (Customer gt '' or (Customer eq '' and (WBSElementInternalID gt '' or (WBSElementInternalID eq '' and (SDDocument gt '' or (SDDocument eq '' and (SDDocumentItem gt '0' or (SDDocumentItem eq '0' and (InventorySpecialStockType gt 'O' or (InventorySpecialStockType eq 'O' and InventoryStockType gt '01'))))))))))))))))))))";
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .and(query_param("$filter", third))
        .respond_with(dated(
            &page_of(&rows[8..10], None),
            "Wed, 31 Jan 2024 12:00:09 GMT",
        ))
        .expect(1)
        .mount(&server)
        .await;

    // Stock has no change stamp: a window is ignored, every read is the whole snapshot.
    let query = PageQuery {
        changed_since: Some(at("2024-01-30T00:00:00Z")),
        resume: None,
        page_size: 4,
    };
    let sap = sap(&server);
    let first = sap.read_page(Entity::Inventory, &query).await.unwrap();
    assert_eq!(first.records.len(), 4);
    assert_eq!(first.total, Some(10));
    assert!(
        first
            .records
            .iter()
            .all(|r| r.remote_updated_at == at("2024-01-31T12:00:00Z"))
    );
    let resume = |page: &Page| PageQuery {
        resume: page.next.clone(),
        ..query.clone()
    };
    let second = sap
        .read_page(Entity::Inventory, &resume(&first))
        .await
        .unwrap();
    assert_eq!(second.records.len(), 3);
    assert!(second.next.is_some(), "a full page is not the end");
    assert_eq!(
        second.records[0].remote_updated_at,
        at("2024-01-31T12:00:05Z")
    );
    let third = sap
        .read_page(Entity::Inventory, &resume(&second))
        .await
        .unwrap();
    assert_eq!(
        ids(&third),
        [
            "Material='TG11',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01'",
            "Material='TG11',Plant='1710',StorageLocation='171A',Batch='',Supplier='17300001',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='K',InventoryStockType='01'",
        ]
    );
    assert_eq!(third.next, None);
    // A vendor cursor does not resume a stock read.
    let wrong = PageQuery {
        resume: Some("eyJ2IjoxLCJzZXQiOiJBX0J1c2luZXNzUGFydG5lciIsImtleSI6W119".into()),
        ..query
    };
    assert!(matches!(
        sap.read_page(Entity::Inventory, &wrong).await,
        Err(ConnectorError::Invalid(_))
    ));
}

const FG29: &str = "Material='FG29',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01'";

#[tokio::test]
async fn a_stock_row_is_read_by_its_key_predicate() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod({FG29})")))
        .respond_with(dated(
            &json!({"d": stock_rows()[2]}),
            "Wed, 31 Jan 2024 12:30:00 GMT",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let sap = sap(&server);
    let record = sap.get(Entity::Inventory, FG29).await.unwrap();
    assert_eq!(record.remote_id, FG29);
    assert_eq!(record.remote_updated_at, at("2024-01-31T12:30:00Z"));
    // An id this connector never wrote reaches no SAP row.
    assert!(matches!(
        sap.get(Entity::Inventory, "4500000001").await,
        Err(ConnectorError::NotFound(None))
    ));
}

const UNRESTRICTED_FG29: &str = "Material eq 'FG29' and Plant eq '1710' and StorageLocation eq '171A' and Batch eq '' and Supplier eq '' and Customer eq '' and SDDocument eq '' and InventorySpecialStockType eq '' and InventoryStockType eq '01'";

fn fg29_with(quantity: &str) -> Value {
    let mut row = stock_rows()[2].clone();
    row["MatlWrhsStkQtyInMatlBaseUnit"] = json!(quantity);
    row
}

fn adjustment(delta: &str, unit: Option<&str>) -> NewRecord {
    NewRecord::InventoryAdjustment(InventoryAdjustment {
        item: "FG29".into(),
        location: "1710".into(),
        sub_location: Some("171A".into()),
        batch: None,
        delta: delta.parse().unwrap(),
        unit: unit.map(str::to_owned),
        reason: None,
    })
}

/// Matches a create body: exactly the JSON given plus, in `field`, a reference of the
/// connector's own (`MW` and hex digits, `len` characters), by which a create whose answer is
/// lost is found.
struct WithOwnReference {
    field: &'static str,
    len: usize,
    expected: Value,
}

impl wiremock::Match for WithOwnReference {
    fn matches(&self, request: &Request) -> bool {
        let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else {
            return false;
        };
        let reference = body.as_object_mut().and_then(|o| o.remove(self.field));
        let ours = reference
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|r| r.len() == self.len && r.starts_with("MW"));
        ours && body == self.expected
    }
}

/// A goods movement with its own `ReferenceDocument`.
fn movement_body(expected: Value) -> WithOwnReference {
    WithOwnReference {
        field: "ReferenceDocument",
        len: 16,
        expected,
    }
}

/// A business partner with its own `BusinessPartnerIDByExtSystem`.
fn partner_body(expected: Value) -> WithOwnReference {
    WithOwnReference {
        field: "BusinessPartnerIDByExtSystem",
        len: 20,
        expected,
    }
}

#[tokio::test]
async fn a_movement_whose_answer_is_lost_is_found_by_its_reference_not_posted_twice() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, DOCS, 1).await;
    // SAP posted the movement, but the answer was lost on the way.
    write("POST", format!("{DOCS}/A_MaterialDocumentHeader"))
        .respond_with(ResponseTemplate::new(504).set_body_string("Gateway Timeout"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{DOCS}/A_MaterialDocumentHeader")))
        .and(query_param("$top", "1"))
        .respond_with(|request: &Request| {
            let filter = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "$filter")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            assert!(filter.starts_with("ReferenceDocument eq 'MW"), "{filter}");
            sap_json(&json!({"d": {"results": [{"MaterialDocumentYear": "2026",
                "MaterialDocument": "4900000042"}]}}))
        })
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .respond_with(sap_json(&json!({"d": {"results": [fg29_with("112")]}})))
        .mount(&server)
        .await;
    let level = sap(&server)
        .create(&adjustment("12", Some("PC")))
        .await
        .unwrap();
    let mw_model::EntityData::InventoryLevel(level) = level.data else {
        panic!("not a level");
    };
    assert_eq!(level.quantity_on_hand, "112".parse().unwrap());
}

#[tokio::test]
async fn an_adjustment_posts_a_goods_movement_and_reads_the_stock_back() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, DOCS, 1).await;
    write("POST", format!("{DOCS}/A_MaterialDocumentHeader"))
        .and(movement_body(json!({"GoodsMovementCode": "05", "to_MaterialDocumentItem": [{
            "Material": "FG29", "Plant": "1710", "StorageLocation": "171A", "Batch": "",
            "GoodsMovementType": "561", "QuantityInEntryUnit": "12", "EntryUnit": "PC"}]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"d": {
            "MaterialDocumentYear": "2024", "MaterialDocument": "4900000123", "GoodsMovementCode": "05"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .and(query_param("$filter", UNRESTRICTED_FG29))
        .and(query_param("$top", "10"))
        .respond_with(dated(
            &page_of(&[fg29_with("257.00000000000000")], None),
            "Wed, 31 Jan 2024 13:00:00 GMT",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let record = sap(&server)
        .create(&adjustment("12", Some("PC")))
        .await
        .unwrap();
    assert_eq!(record.remote_id, FG29);
    assert_eq!(record.remote_updated_at, at("2024-01-31T13:00:00Z"));
    let EntityData::InventoryLevel(level) = record.data else {
        panic!("not an inventory level");
    };
    assert_eq!(level.quantity_on_hand.to_string(), "257");
}

#[tokio::test]
async fn a_reversal_without_a_unit_takes_the_base_unit_from_sap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .and(query_param("$filter", "Material eq 'FG29'"))
        .and(query_param("$top", "1"))
        .respond_with(sap_json(&page_of(&[fg29_with("245")], None)))
        .expect(1)
        .mount(&server)
        .await;
    mount_csrf_fetch(&server, DOCS, 1).await;
    write("POST", format!("{DOCS}/A_MaterialDocumentHeader"))
        .and(body_partial_json(json!({"to_MaterialDocumentItem": [{
            "GoodsMovementType": "562", "QuantityInEntryUnit": "5", "EntryUnit": "PC"}]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"d": {
            "MaterialDocumentYear": "2024", "MaterialDocument": "4900000124"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$filter", UNRESTRICTED_FG29))
        .respond_with(sap_json(&page_of(&[fg29_with("240")], None)))
        .expect(1)
        .mount(&server)
        .await;
    let record = sap(&server).create(&adjustment("-5", None)).await.unwrap();
    let EntityData::InventoryLevel(level) = record.data else {
        panic!("not an inventory level");
    };
    assert_eq!(level.quantity_on_hand.to_string(), "240");
}

#[tokio::test]
async fn sap_refusing_to_go_below_zero_keeps_its_code_and_nothing_is_read() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, DOCS, 1).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(sap_error(
            "M7/021",
            "Deficit of SL Unrestricted-use 300 PC : FG29 1710 171A",
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{STOCK}/A_MatlStkInAcctMod")))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    match sap(&server).create(&adjustment("-545", Some("PC"))).await {
        Err(ConnectorError::Rejected(upstream)) => {
            assert_eq!(upstream.code.as_deref(), Some("M7/021"));
            assert_eq!(upstream.status, 400);
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn an_adjustment_sap_cannot_post_never_reaches_it() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let NewRecord::InventoryAdjustment(mut bad) = adjustment("1.0005", Some("PC")) else {
        unreachable!()
    };
    bad.sub_location = None;
    match sap(&server)
        .create(&NewRecord::InventoryAdjustment(bad))
        .await
    {
        Err(ConnectorError::Invalid(errors)) => {
            let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(paths, ["$.sub_location", "$.delta"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

// ---- purchase orders: changes and deletion ----

fn native_po(deletion: &str, etag: Option<&str>) -> Value {
    let mut po = json!({
        "__metadata": {"type": "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType"},
        "PurchaseOrder": "4500000001", "CompanyCode": "1710", "PurchaseOrderType": "NB",
        "Supplier": "17300001", "DocumentCurrency": "USD", "PaymentTerms": "0004",
        "CreationDate": "/Date(1706486400000)/", "PurchaseOrderDate": "/Date(1706486400000)/",
        "LastChangeDateTime": "/Date(1706692502125+0000)/",
        "PurchasingDocumentDeletionCode": deletion, "ReleaseIsNotCompleted": false,
        "to_PurchaseOrderItem": {"results": [
            {"PurchaseOrder": "4500000001", "PurchaseOrderItem": "10", "Material": "TG11",
             "Plant": "1710", "OrderQuantity": "39", "PurchaseOrderQuantityUnit": "PC",
             "NetPriceAmount": "61.05", "NetPriceQuantity": "1", "IsCompletelyDelivered": false,
             "IsFinallyInvoiced": false, "PurchasingDocumentDeletionCode": deletion,
             "to_ScheduleLine": {"results": [{"PurchasingDocument": "4500000001",
                "PurchasingDocumentItem": "10", "ScheduleLine": "1",
                "ScheduleLineDeliveryDate": "/Date(1717200000000)/", "ScheduleLineOrderQuantity": "39"}]}},
            {"PurchaseOrder": "4500000001", "PurchaseOrderItem": "20", "Material": "TG12",
             "Plant": "1710", "OrderQuantity": "5", "PurchaseOrderQuantityUnit": "PC",
             "NetPriceAmount": "10", "NetPriceQuantity": "1", "IsCompletelyDelivered": false,
             "IsFinallyInvoiced": false, "PurchasingDocumentDeletionCode": deletion,
             "to_ScheduleLine": {"results": []}}
        ]}
    });
    if let Some(etag) = etag {
        po["__metadata"]["etag"] = json!(etag);
    }
    po
}

async fn mount_po(server: &MockServer, po: Value, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("{PO}/A_PurchaseOrder('4500000001')")))
        .and(query_param("$expand", PO_EXPAND))
        .respond_with(sap_json(&json!({"d": po})))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_purchase_order_change_patches_header_items_and_schedule_lines() {
    let server = MockServer::start().await;
    mount_po(&server, native_po("", None), 2).await;
    mount_csrf_fetch(&server, PO, 1).await;
    write("PATCH", format!("{PO}/A_PurchaseOrder('4500000001')"))
        .and(body_json(
            json!({"PaymentTerms": "0001", "PurchaseOrderDate": "/Date(1714694400000)/"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    write(
        "PATCH",
        format!("{PO}/A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')"),
    )
    .and(body_json(
        json!({"OrderQuantity": "40", "NetPriceAmount": "60.5"}),
    ))
    .respond_with(ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    write(
        "PATCH",
        format!("{PO}/A_PurchaseOrderScheduleLine(PurchasingDocument='4500000001',PurchasingDocumentItem='10',ScheduleLine='1')"),
    )
    .and(body_json(json!({"ScheduleLineDeliveryDate": "/Date(1719792000000)/"})))
    .respond_with(ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    write(
        "POST",
        format!("{PO}/A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='20')/to_ScheduleLine"),
    )
    .and(body_json(json!({"ScheduleLineDeliveryDate": "/Date(1722470400000)/",
        "ScheduleLineOrderQuantity": "5"})))
    .respond_with(ResponseTemplate::new(201).set_body_json(json!({"d": {"ScheduleLine": "1"}})))
    .expect(1)
    .mount(&server)
    .await;

    let patch = PurchaseOrderPatch {
        payment_terms: Some("0001".into()),
        order_date: NaiveDate::from_ymd_opt(2024, 5, 3),
        lines: Some(vec![
            PurchaseOrderLinePatch {
                line_number: "10".into(),
                description: None,
                quantity: Some("40".parse().unwrap()),
                unit_price: Some("60.50".parse().unwrap()),
                expected_delivery_date: NaiveDate::from_ymd_opt(2024, 7, 1),
            },
            PurchaseOrderLinePatch {
                line_number: "20".into(),
                description: None,
                quantity: None,
                unit_price: None,
                expected_delivery_date: NaiveDate::from_ymd_opt(2024, 8, 1),
            },
        ]),
        remote_fields: None,
    };
    let record = sap(&server)
        .update("4500000001", &RecordPatch::PurchaseOrder(patch), None)
        .await
        .unwrap();
    assert_eq!(record.remote_id, "4500000001");
    let EntityData::PurchaseOrder(po) = record.data else {
        panic!("not a purchase order");
    };
    // Delivery dates are read from the schedule lines.
    assert_eq!(
        po.lines[0].expected_delivery_date,
        NaiveDate::from_ymd_opt(2024, 6, 1)
    );
    assert_eq!(po.lines[1].expected_delivery_date, None);
    assert_eq!(
        requests(&server).await,
        [
            "GET /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('4500000001')",
            "PATCH /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('4500000001')",
            "PATCH /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')",
            "PATCH /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrderScheduleLine(PurchasingDocument='4500000001',PurchasingDocumentItem='10',ScheduleLine='1')",
            "POST /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='20')/to_ScheduleLine",
            "GET /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('4500000001')",
        ]
    );
}

#[tokio::test]
async fn where_sap_sends_an_etag_changes_carry_it_and_stale_versions_are_refused() {
    let server = MockServer::start().await;
    let etag = "W/\"datetimeoffset'2024-01-31T09%3A15%3A02.1250000Z'\"";
    mount_po(&server, native_po("", Some(etag)), 3).await;
    mount_csrf_fetch(&server, PO, 1).await;
    write("PATCH", format!("{PO}/A_PurchaseOrder('4500000001')"))
        .and(header("if-match", etag))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let patch = RecordPatch::PurchaseOrder(PurchaseOrderPatch {
        payment_terms: Some("0001".into()),
        ..PurchaseOrderPatch::default()
    });
    let sap = sap(&server);
    let record = sap.update("4500000001", &patch, None).await.unwrap();
    assert_eq!(record.remote_version.as_deref(), Some(etag));
    match sap.update("4500000001", &patch, Some("W/\"stale\"")).await {
        Err(ConnectorError::Conflict(upstream)) => assert_eq!(upstream.status, 412),
        other => panic!("expected Conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn deleting_a_purchase_order_sets_the_deletion_code_and_returns_it_cancelled() {
    let server = MockServer::start().await;
    let reads = AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path(format!("{PO}/A_PurchaseOrder('4500000001')")))
        .respond_with(move |_: &Request| {
            let deletion = if reads.fetch_add(1, Ordering::SeqCst) == 0 {
                ""
            } else {
                "L"
            };
            sap_json(&json!({"d": native_po(deletion, None)}))
        })
        .expect(2)
        .mount(&server)
        .await;
    mount_csrf_fetch(&server, PO, 1).await;
    Mock::given(method("DELETE"))
        .and(path(format!("{PO}/A_PurchaseOrder('4500000001')")))
        .and(header("x-csrf-token", "token-A"))
        .and(header("cookie", "SAP_SESSIONID_S4H_100=s1"))
        .and(query_param("sap-client", "100"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let kept = sap(&server)
        .delete(Entity::PurchaseOrders, "4500000001", None)
        .await
        .unwrap()
        .unwrap();
    let EntityData::PurchaseOrder(po) = kept.data else {
        panic!("not a purchase order");
    };
    assert_eq!(po.status, PurchaseOrderStatus::Cancelled);
}

#[tokio::test]
async fn a_purchase_order_sap_will_not_delete_keeps_its_reason() {
    let server = MockServer::start().await;
    mount_po(&server, native_po("", None), 1).await;
    mount_csrf_fetch(&server, PO, 1).await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(400).set_body_json(sap_error(
            "06/001",
            "Table EKKO record 4500000001 blocked by another user",
        )))
        .expect(1)
        .mount(&server)
        .await;
    assert!(matches!(
        sap(&server).delete(Entity::PurchaseOrders, "4500000001", None).await,
        Err(ConnectorError::Conflict(upstream)) if upstream.code.as_deref() == Some("06/001")
    ));
}

#[tokio::test]
async fn a_change_sap_would_refuse_is_refused_before_anything_is_written() {
    let server = MockServer::start().await;
    mount_po(&server, native_po("", None), 1).await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let patch = PurchaseOrderPatch {
        lines: Some(vec![PurchaseOrderLinePatch {
            line_number: "30".into(),
            description: Some("x".into()),
            quantity: None,
            unit_price: None,
            expected_delivery_date: None,
        }]),
        ..PurchaseOrderPatch::default()
    };
    match sap(&server)
        .update("4500000001", &RecordPatch::PurchaseOrder(patch), None)
        .await
    {
        Err(ConnectorError::Invalid(errors)) => {
            assert_eq!(errors[0].path, "$.lines[0].line_number");
            assert!(
                errors[0].message.contains("no item 30"),
                "{}",
                errors[0].message
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_purchase_order_carries_its_delivery_dates_as_schedule_lines() {
    let server = MockServer::start().await;
    mount_csrf_fetch(&server, PO, 1).await;
    write("POST", format!("{PO}/A_PurchaseOrder"))
        .and(header_exists("x-csrf-token"))
        .and(body_partial_json(
            json!({"to_PurchaseOrderItem": [{"PurchaseOrderItem": "10",
            "to_ScheduleLine": [{"ScheduleLineDeliveryDate": "/Date(1717200000000)/",
                                 "ScheduleLineOrderQuantity": "39"}]}]}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"d": {"PurchaseOrder": "4500000001"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_po(&server, native_po("", None), 1).await;
    let order = NewRecord::PurchaseOrder(NewPurchaseOrder {
        vendor_remote_id: "17300001".into(),
        currency: "USD".into(),
        company: Some("1710".into()),
        order_date: None,
        payment_terms: None,
        lines: vec![NewPurchaseOrderLine {
            item: Some("TG11".into()),
            description: None,
            quantity: "39".parse().unwrap(),
            unit: Some("PC".into()),
            unit_price: "61.05".parse().unwrap(),
            location: Some("1710".into()),
            expected_delivery_date: NaiveDate::from_ymd_opt(2024, 6, 1),
        }],
        remote_fields: None,
    });
    let record = sap(&server).create(&order).await.unwrap();
    let EntityData::PurchaseOrder(po) = record.data else {
        panic!("not a purchase order");
    };
    assert_eq!(
        po.lines[0].expected_delivery_date,
        NaiveDate::from_ymd_opt(2024, 6, 1)
    );
}
