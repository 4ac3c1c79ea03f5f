//! `API_BUSINESS_PARTNER`: the supplier master the purchase orders use, read, filtered on the
//! partner's change stamp, created as partners with the supplier role, changed, and kept in
//! step with the admin API's `vendors` truth.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{date_ms, rfc3339_ms, start};
use crate::supply_common::{BP_ROOT, all_rows, codes, get, write};

/// Milliseconds of a supplier's `LastChangeDate` + `LastChangeTime` (`PT15H51M04S`).
fn stamp_ms(partner: &Value) -> i64 {
    let time = partner["LastChangeTime"].as_str().expect("time");
    let digits: Vec<i64> = time
        .trim_start_matches("PT")
        .split(['H', 'M', 'S'])
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().expect("number"))
        .collect();
    date_ms(&partner["LastChangeDate"]) + ((digits[0] * 60 + digits[1]) * 60 + digits[2]) * 1000
}

/// A supplier created the way the conventions describe.
fn new_supplier(name: &str) -> Value {
    json!({
        "BusinessPartnerCategory": "2",
        "OrganizationBPName1": name,
        "BusinessPartnerGrouping": "BP02",
        "to_BusinessPartnerRole": [{"BusinessPartnerRole": "FLVN01"}],
        "to_BusinessPartnerAddress": {"results": [{
            "CityName": "Reno", "PostalCode": "89501", "StreetName": "Mill Road",
            "Country": "US", "Region": "NV"
        }]},
        "to_Supplier": {
            "to_SupplierPurchasingOrg": [{"PurchasingOrganization": "1710", "PurchaseOrderCurrency": "USD", "PaymentTerms": "NT30"}],
            "to_SupplierCompany": [{"CompanyCode": "1710"}]
        }
    })
}

#[tokio::test]
async fn suppliers_of_purchase_orders_are_business_partners() {
    let emulator = start("tiny", 7).await;
    let (_, order) = emulator.get_json("A_PurchaseOrder('4500000001')").await;
    let supplier = order["d"]["Supplier"]
        .as_str()
        .expect("supplier")
        .to_owned();
    let (status, body) = get(
        &emulator,
        BP_ROOT,
        &format!("A_BusinessPartner('{supplier}')?$expand=to_Supplier/to_SupplierPurchasingOrg,to_BusinessPartnerAddress,to_BusinessPartnerRole"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let partner = &body["d"];
    assert_eq!(partner["Supplier"], supplier.as_str());
    assert_eq!(partner["BusinessPartnerCategory"], "2");
    let organizations = partner["to_Supplier"]["to_SupplierPurchasingOrg"]["results"]
        .as_array()
        .expect("organizations");
    assert_eq!(organizations[0]["PurchasingOrganization"], "1710");
    assert_eq!(
        organizations[0]["PaymentTerms"], order["d"]["PaymentTerms"],
        "the order took its terms from the supplier"
    );
    let roles: Vec<&str> = partner["to_BusinessPartnerRole"]["results"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["BusinessPartnerRole"].as_str())
        .collect();
    assert_eq!(roles, ["FLVN00", "FLVN01"]);
    assert_eq!(
        partner["to_BusinessPartnerAddress"]["results"][0]["Country"],
        "US"
    );
    // Padded (ALPHA) keys find the same supplier; the supplier set has no change stamp.
    let (status, padded) = get(&emulator, BP_ROOT, &format!("A_Supplier('00{supplier}')")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(padded["d"]["Supplier"], supplier.as_str());
    assert!(padded["d"].get("LastChangeDate").is_none());
    let (status, body) = get(&emulator, BP_ROOT, "A_Supplier('99999999')").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(codes(&body).0, "/IWBEP/CM_MGW_RT/020");
}

#[tokio::test]
async fn change_stamp_filters_match_the_vendor_truth() {
    let emulator = start("tiny", 7).await;
    let truth = emulator
        .admin_get("/truth/vendors?changed_since=2026-01-01T00:00:00Z")
        .await;
    let mut expected: Vec<(i64, String)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                rfc3339_ms(r["changed_at"].as_str().expect("at")),
                r["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    expected.sort();
    assert!(
        !expected.is_empty() && expected.len() < 40,
        "a strict subset"
    );
    // Day granularity on the date, then the time of day, as clients filter business partners.
    let rows = all_rows(
        &emulator,
        BP_ROOT,
        "A_BusinessPartner?$filter=LastChangeDate%20ge%20datetime'2026-01-01T00:00:00'&$orderby=LastChangeDate,LastChangeTime&$select=BusinessPartner,Supplier,LastChangeDate,LastChangeTime&$top=7",
    )
    .await;
    assert_eq!(rows.len(), expected.len().min(7));
    let all = all_rows(
        &emulator,
        BP_ROOT,
        "A_BusinessPartner?$filter=LastChangeDate%20ge%20datetime'2026-01-01T00:00:00'&$orderby=LastChangeDate%20asc,LastChangeTime%20asc",
    )
    .await;
    let served: Vec<(i64, String)> = all
        .iter()
        .map(|p| (stamp_ms(p), p["Supplier"].as_str().expect("s").to_owned()))
        .collect();
    assert_eq!(served, expected);
    // A time literal narrows within one day.
    let (day_ms, _) = expected[expected.len() / 2];
    let day = chrono::DateTime::from_timestamp_millis(day_ms).expect("day");
    let filter = format!(
        "LastChangeDate%20eq%20datetime'{}'%20and%20LastChangeTime%20ge%20time'PT{}H{}M{}S'",
        day.format("%Y-%m-%dT00:00:00"),
        day.format("%H"),
        day.format("%M"),
        day.format("%S")
    );
    let narrowed = all_rows(
        &emulator,
        BP_ROOT,
        &format!("A_BusinessPartner?$filter={filter}"),
    )
    .await;
    let expected_narrowed = expected
        .iter()
        .filter(|(at, _)| *at >= day_ms && at / 86_400_000 == day_ms / 86_400_000)
        .count();
    assert_eq!(narrowed.len(), expected_narrowed);
    // The wrong literal type is a client error, as on a real system.
    let (status, body) = get(
        &emulator,
        BP_ROOT,
        "A_BusinessPartner?$filter=LastChangeTime%20gt%20datetime'2026-01-01T00:00:00'",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn suppliers_are_created_as_partners_and_can_be_ordered_from() {
    let emulator = start("tiny", 7).await;
    emulator
        .admin_post("/clock", json!({"advance_seconds": 3723}))
        .await;
    let csrf = emulator.fetch_csrf().await;
    let (status, body) = write(
        &emulator,
        &csrf,
        Method::POST,
        BP_ROOT,
        "A_BusinessPartner",
        Some(&new_supplier("Tahoe Precision Castings LLC")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let partner = &body["d"];
    let number = partner["BusinessPartner"]
        .as_str()
        .expect("number")
        .to_owned();
    assert_eq!(
        number, "17300041",
        "the next number after the 40 base suppliers"
    );
    assert_eq!(partner["Supplier"], number.as_str());
    assert_eq!(
        partner["BusinessPartnerFullName"],
        "Tahoe Precision Castings LLC"
    );
    assert_eq!(partner["LastChangeTime"], "PT09H02M03S");
    assert_eq!(partner["CreatedByUser"], "MW_COMM_USER");
    // The answer carries what the deep insert created, the to-one supplier as an object.
    assert_eq!(
        partner["to_Supplier"]["to_SupplierPurchasingOrg"]["results"][0]["PaymentTerms"],
        "NT30"
    );
    assert_eq!(
        partner["to_Supplier"]["to_SupplierCompany"]["results"][0]["ReconciliationAccount"],
        "21100000"
    );
    assert_eq!(
        partner["to_BusinessPartnerAddress"]["results"][0]["CityName"],
        "Reno"
    );
    let (status, supplier) = get(&emulator, BP_ROOT, &format!("A_Supplier('{number}')")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        supplier["d"]["SupplierName"],
        "Tahoe Precision Castings LLC"
    );
    let truth = emulator.admin_get("/truth/vendors").await;
    let record = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["id"] == number.as_str())
        .cloned()
        .expect("in the truth");
    assert_eq!(record["changed_at"], "2026-03-02T09:02:03.000Z");

    let order = json!({
        "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
        "PurchasingGroup": "001", "Supplier": number, "DocumentCurrency": "USD",
        "to_PurchaseOrderItem": [{"Material": "RM10001", "Plant": "1710", "OrderQuantity": "5",
            "PurchaseOrderQuantityUnit": "KG", "NetPriceAmount": "10"}]
    });
    let (status, _, text) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(&order.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        created["d"]["PaymentTerms"], "NT30",
        "terms from the new supplier"
    );

    // A purchasing block stops new orders and stamps the partner.
    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let (status, body) = write(
        &emulator,
        &csrf,
        Method::PATCH,
        BP_ROOT,
        &format!("A_Supplier('{number}')"),
        Some(&json!({"PurchasingIsBlocked": true})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, partner) = get(
        &emulator,
        BP_ROOT,
        &format!("A_BusinessPartner('{number}')"),
    )
    .await;
    assert_eq!(partner["d"]["LastChangeTime"], "PT09H03M03S");
    let (status, _, text) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(&order.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(error["error"]["code"], "06/042");
}

#[tokio::test]
async fn invalid_partners_are_refused_and_change_nothing() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let digest = emulator.admin_get("/truth/vendors").await["digest"].clone();
    let with = |path: &[&str], value: Value| {
        let mut body = new_supplier("Valid Name Inc.");
        let mut target = &mut body;
        for (position, key) in path.iter().enumerate() {
            if position + 1 == path.len() {
                target[*key] = value.clone();
            } else {
                target = match key.parse::<usize>() {
                    Ok(index) => &mut target[index],
                    Err(_) => &mut target[*key],
                };
            }
        }
        body
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (with(&["OrganizationBPName1"], json!("")), 400, "R11/401"),
        (
            with(&["BusinessPartnerGrouping"], json!("ZZ99")),
            400,
            "R11/017",
        ),
        (
            with(&["BusinessPartnerCategory"], json!("7")),
            400,
            "R11/003",
        ),
        (
            with(&["BusinessPartner"], json!("17399999")),
            400,
            "R11/112",
        ),
        (
            with(
                &["to_BusinessPartnerRole", "0", "BusinessPartnerRole"],
                json!("XX0001"),
            ),
            400,
            "R11/005",
        ),
        (with(&["to_BusinessPartnerRole"], json!([])), 400, "R11/657"),
        (
            with(
                &[
                    "to_Supplier",
                    "to_SupplierPurchasingOrg",
                    "0",
                    "PurchasingOrganization",
                ],
                json!("9999"),
            ),
            400,
            "CVI_EI/051",
        ),
        (
            with(
                &[
                    "to_Supplier",
                    "to_SupplierPurchasingOrg",
                    "0",
                    "PurchaseOrderCurrency",
                ],
                json!("XXX"),
            ),
            400,
            "CVI_EI/062",
        ),
        (
            with(
                &["to_Supplier", "to_SupplierCompany", "0", "CompanyCode"],
                json!("1010"),
            ),
            400,
            "CVI_EI/053",
        ),
        (
            with(
                &["to_BusinessPartnerAddress", "results", "0", "Country"],
                json!(""),
            ),
            400,
            "R11/403",
        ),
        (
            with(&["to_Supplier"], json!([{}])),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(&["Nonsense"], json!(1)),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
    ];
    for (body, status, code) in cases {
        let (actual, answer) = write(
            &emulator,
            &csrf,
            Method::POST,
            BP_ROOT,
            "A_BusinessPartner",
            Some(&body),
        )
        .await;
        assert_eq!(actual.as_u16(), status, "{body}: {answer}");
        assert_eq!(codes(&answer).0, code, "{body}: {answer}");
    }
    for (method, resource, expected) in [
        (
            Method::DELETE,
            "A_BusinessPartner('17300001')",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (Method::POST, "A_Supplier", StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::PATCH,
            "A_BusinessPartnerRole(BusinessPartner='17300001',BusinessPartnerRole='FLVN01')",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let (status, body) = write(
            &emulator,
            &csrf,
            method.clone(),
            BP_ROOT,
            resource,
            Some(&json!({})),
        )
        .await;
        assert_eq!(status, expected, "{method} {resource}: {body}");
    }
    let (status, body) = write(
        &emulator,
        &csrf,
        Method::PATCH,
        BP_ROOT,
        "A_BusinessPartner('17300001')",
        Some(&json!({"BusinessPartnerGrouping": "0001"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        emulator.admin_get("/truth/vendors").await["digest"],
        digest,
        "refused writes change nothing"
    );
    let (_, next) = write(
        &emulator,
        &csrf,
        Method::POST,
        BP_ROOT,
        "A_BusinessPartner",
        Some(&new_supplier("After Refusals Co.")),
    )
    .await;
    assert_eq!(
        next["d"]["BusinessPartner"], "17300041",
        "refusals drew no number"
    );
}

#[tokio::test]
async fn vendor_churn_records_and_paging() {
    let emulator = start("tiny", 7).await;
    emulator
        .admin_post("/clock", json!({"advance_seconds": 120}))
        .await;
    let (status, churn) = emulator
        .admin_post(
            "/churn",
            json!({"entity": "vendors", "changed": 3, "created": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{churn}");
    assert_eq!(churn["deleted"], json!([]));
    let touched: Vec<String> = churn["changed"]
        .as_array()
        .into_iter()
        .chain(churn["created"].as_array())
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_owned))
        .collect();
    assert_eq!(touched.len(), 5);
    let recent = emulator
        .admin_get("/truth/vendors?changed_since=2026-03-02T08:02:00Z")
        .await;
    let mut ids: Vec<String> = recent["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    let mut expected = touched.clone();
    expected.sort();
    assert_eq!(ids, expected);
    let record = emulator
        .admin_get(&format!("/records/vendors/{}", touched[0]))
        .await;
    assert_eq!(record["Supplier"], touched[0].as_str());
    assert!(record["to_SupplierPurchasingOrg"].is_array());
    assert_eq!(
        record["to_BusinessPartner"]["LastChangeTime"],
        "PT08H02M00S"
    );
    let (status, refused) = emulator
        .admin_post(
            "/churn",
            json!({"entity": "vendors", "changed": 1, "deleted": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    // Every partner once through server paging (page size 100), count and key order kept.
    let rows = all_rows(
        &emulator,
        BP_ROOT,
        "A_BusinessPartner?$select=BusinessPartner",
    )
    .await;
    assert_eq!(rows.len(), 42);
    let (_, count) = get(&emulator, BP_ROOT, "A_Supplier/$count").await;
    assert_eq!(count, json!(42));
    let numbers: Vec<u64> = rows
        .iter()
        .map(|r| {
            r["BusinessPartner"]
                .as_str()
                .expect("n")
                .parse()
                .expect("numeric")
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
    let organizations = all_rows(&emulator, BP_ROOT, "A_SupplierPurchasingOrg").await;
    assert_eq!(organizations.len(), 42);
}
