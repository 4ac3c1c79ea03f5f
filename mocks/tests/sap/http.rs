//! HTTP behaviour: logon, CSRF, writes, validation, the virtual clock and the `Date` header.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Emulator, date_ms, rfc3339_ms, start};

/// A deep insert with items as a bare array, read-only fields included (they are ignored), and
/// decimals both as strings and as numbers.
const DEEP_INSERT_ARRAY: &str =
    include_str!("../../../fixtures/protocol/sap-emulator/create-purchase-order.json");

fn deep_insert_results_form() -> String {
    json!({"d": {
        "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
        "PurchasingGroup": "002", "Supplier": "0017300002", "DocumentCurrency": "USD",
        "to_PurchaseOrderItem": {"results": [
            {"PurchaseOrderItem": "00030", "Material": "SP10001", "Plant": "1710", "OrderQuantity": "4.000",
             "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": "12.50"}
        ]}
    }})
    .to_string()
}

#[tokio::test]
async fn logon_is_required_and_failures_look_like_sap() {
    let emulator = start("tiny", 7).await;
    let response = emulator
        .client
        .get(emulator.url("A_PurchaseOrder"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Basic realm=\"SAP NetWeaver Application Server [MW1/100]\""
    );
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Logon failed")
    );

    let response = emulator
        .client
        .get(emulator.url("A_PurchaseOrder"))
        .basic_auth(&emulator.user, Some("wrong"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = emulator.get("A_PurchaseOrder?sap-client=200").await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "there is only client 100"
    );

    // Unknown services are refused after logon, as the Gateway hub does.
    let response = emulator
        .request(
            Method::GET,
            &format!(
                "{}/sap/opu/odata/sap/API_NOPE_SRV/",
                emulator.running.base_url
            ),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "/IWFND/MED/170");
}

#[tokio::test]
async fn date_header_follows_the_virtual_clock() {
    let emulator = start("tiny", 7).await;
    let response = emulator.get("A_PurchaseOrder?$top=1").await;
    assert_eq!(response.headers()["date"], "Mon, 02 Mar 2026 08:00:00 GMT");
    assert_eq!(response.headers()["dataserviceversion"], "2.0");

    let (status, body) = emulator
        .admin_post("/clock", json!({"advance_seconds": 3600}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["now"], "2026-03-02T09:00:00Z");
    let response = emulator.get("A_PurchaseOrder?$top=1").await;
    assert_eq!(response.headers()["date"], "Mon, 02 Mar 2026 09:00:00 GMT");
    let unauthorized = emulator
        .client
        .get(emulator.url(""))
        .send()
        .await
        .expect("request");
    assert_eq!(
        unauthorized.headers()["date"],
        "Mon, 02 Mar 2026 09:00:00 GMT"
    );
    let admin = emulator
        .client
        .get(emulator.admin("/clock"))
        .send()
        .await
        .expect("request");
    assert_eq!(admin.headers()["date"], "Mon, 02 Mar 2026 09:00:00 GMT");

    let (status, body) = emulator
        .admin_post("/clock", json!({"set": "2026-03-03T00:00:00Z"}))
        .await;
    assert_eq!(
        (status, &body["now"]),
        (StatusCode::OK, &json!("2026-03-03T00:00:00Z"))
    );
    for bad in [
        json!({"set": "2026-03-01T00:00:00Z"}),
        json!({"set": "2026-03-04T00:00:00.5Z"}),
        json!({"set": "tomorrow"}),
        json!({"advance_seconds": -5}),
        json!({"advance_seconds": 1.5}),
        json!({"advance_seconds": 1, "set": "2026-03-04T00:00:00Z"}),
        json!({}),
    ] {
        let (status, body) = emulator.admin_post("/clock", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn csrf_fetch_and_deep_insert_in_both_forms() {
    let emulator = start("tiny", 7).await;
    emulator
        .admin_post("/clock", json!({"advance_seconds": 90}))
        .await;
    let csrf = emulator.fetch_csrf().await;

    let (status, headers, body) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(DEEP_INSERT_ARRAY),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        body.contains(r#""LastChangeDateTime":"\/Date(1772438490000+0000)\/""#),
        "{body}"
    );
    let created: Value = serde_json::from_str(&body).expect("json");
    let d = &created["d"];
    assert_eq!(d["PurchaseOrder"], "4500000400", "next number of the range");
    assert_eq!(
        headers["location"].to_str().expect("location"),
        emulator.url("A_PurchaseOrder('4500000400')")
    );
    assert_eq!(d["CreatedByUser"], emulator.user.to_uppercase());
    assert_eq!(
        date_ms(&d["LastChangeDateTime"]),
        rfc3339_ms("2026-03-02T08:01:30Z")
    );
    assert_eq!(
        date_ms(&d["CreationDate"]),
        rfc3339_ms("2026-03-02T00:00:00Z")
    );
    assert_eq!(
        d["PaymentTerms"].as_str().map(str::len),
        Some(4),
        "taken from the supplier"
    );
    let items = d["to_PurchaseOrderItem"]["results"]
        .as_array()
        .expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["PurchaseOrderItem"], "10");
    assert_eq!(items[1]["PurchaseOrderItem"], "20");
    assert_eq!(items[0]["OrderQuantity"], "39.000");
    assert_eq!(items[0]["NetPriceAmount"], "61.05");
    assert_eq!(items[1]["NetPriceAmount"], "150.00");
    assert_eq!(items[0]["DocumentCurrency"], "USD");
    assert!(
        headers["sap-message"]
            .to_str()
            .expect("message")
            .contains("06/017")
    );

    let (status, _, body) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(&deep_insert_results_form()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(created["d"]["PurchaseOrder"], "4500000401");
    assert_eq!(
        created["d"]["Supplier"], "17300002",
        "ALPHA input is stored unpadded"
    );
    assert_eq!(
        created["d"]["to_PurchaseOrderItem"]["results"][0]["PurchaseOrderItem"],
        "30"
    );

    // The new orders are in the ground truth and readable natively and through OData.
    let truth = emulator
        .admin_get("/truth/purchase-orders?changed_since=2026-03-02T08:01:30Z")
        .await;
    assert_eq!(truth["count"], 2);
    assert_eq!(
        truth["records"][0]["changed_at"],
        "2026-03-02T08:01:30.000Z"
    );
    let record = emulator
        .admin_get("/records/purchase-orders/4500000400")
        .await;
    assert_eq!(
        record["to_PurchaseOrderItem"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(record["to_PurchaseOrderItem"][1]["MaterialGroup"], "SERV01");
    let (status, _) = emulator.get_json("A_PurchaseOrder('4500000401')").await;
    assert_eq!(status, StatusCode::OK);

    // Adding an item through the navigation bumps the header.
    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let (status, _, body) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder('4500000401')/to_PurchaseOrderItem",
            &csrf,
            Some(r#"{"Material":"SP10002","Plant":"1710","OrderQuantity":"1","PurchaseOrderQuantityUnit":"PC","NetPriceAmount":"9.99"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let item: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(item["d"]["PurchaseOrderItem"], "40");
    let (_, header) = emulator.get_json("A_PurchaseOrder('4500000401')").await;
    assert_eq!(
        date_ms(&header["d"]["LastChangeDateTime"]),
        rfc3339_ms("2026-03-02T08:02:30Z")
    );
}

#[tokio::test]
async fn writes_without_a_matching_token_are_refused() {
    let emulator = start("tiny", 7).await;
    let digest = emulator.truth_digest().await;

    let response = emulator
        .request(Method::POST, &emulator.url("A_PurchaseOrder"))
        .header("content-type", "application/json")
        .body(DEEP_INSERT_ARRAY)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()["x-csrf-token"], "Required");
    assert_eq!(
        response.text().await.expect("body"),
        "CSRF token validation failed"
    );

    let csrf = emulator.fetch_csrf().await;
    let response = emulator
        .request(Method::POST, &emulator.url("A_PurchaseOrder"))
        .header("x-csrf-token", &csrf.token)
        .header("content-type", "application/json")
        .body(DEEP_INSERT_ARRAY)
        .send()
        .await
        .expect("post");
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a token is only valid with its session cookie"
    );
    assert_eq!(response.headers()["x-csrf-token"], "Required");

    // Sessions expire on the virtual clock (30 minutes idle in the tiny profile).
    emulator
        .admin_post("/clock", json!({"advance_seconds": 1800}))
        .await;
    let (status, headers, _) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(DEEP_INSERT_ARRAY),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(headers["x-csrf-token"], "Required");

    // A display-only user passes CSRF but lacks the authorisation: 403 without `Required`.
    let readonly = emulator.running.credentials["readonly_username"]
        .as_str()
        .expect("user")
        .to_owned();
    let readonly_password = emulator.running.credentials["readonly_password"]
        .as_str()
        .expect("pw")
        .to_owned();
    let fetch = emulator
        .client
        .get(emulator.url(""))
        .basic_auth(&readonly, Some(&readonly_password))
        .header("x-csrf-token", "Fetch")
        .send()
        .await
        .expect("fetch");
    let token = fetch.headers()["x-csrf-token"]
        .to_str()
        .expect("token")
        .to_owned();
    let cookie = fetch
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("SAP_SESSIONID"))
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let response = emulator
        .client
        .post(emulator.url("A_PurchaseOrder"))
        .basic_auth(&readonly, Some(&readonly_password))
        .header("x-csrf-token", token)
        .header("cookie", cookie)
        .header("content-type", "application/json")
        .body(DEEP_INSERT_ARRAY)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("x-csrf-token").is_none());
    let body: Value = response.json().await.expect("json");
    assert!(
        body["error"]["message"]["value"]
            .as_str()
            .expect("message")
            .contains("not authorized")
    );

    assert_eq!(emulator.truth_digest().await, digest, "nothing was created");
}

#[tokio::test]
async fn invalid_bodies_are_refused_and_change_nothing() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let digest = emulator.truth_digest().await;
    let good: Value = serde_json::from_str(DEEP_INSERT_ARRAY).expect("fixture");
    let with = |path: &[&str], value: Value| {
        let mut body = good.clone();
        let mut slot = &mut body;
        for step in path {
            slot = match step.parse::<usize>() {
                Ok(index) => &mut slot[index],
                Err(_) => &mut slot[*step],
            };
        }
        *slot = value;
        body.to_string()
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().expect("object").remove(field);
        body.to_string()
    };
    let cases: Vec<(String, u16, &str)> = vec![
        (String::from("{not json"), 400, "/IWCOR/CX_OD_BAD_REQUEST"),
        (String::from("[1,2]"), 400, "/IWCOR/CX_OD_BAD_REQUEST"),
        (
            with(&["Colour"], json!("red")),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(&["to_PurchaseOrderItem", "0", "OrderQuantity"], json!(true)),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(
                &["to_PurchaseOrderItem", "0", "OrderQuantity"],
                json!("1.23456"),
            ),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(&["PurchaseOrderDate"], json!("last tuesday")),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(&["PurchasingGroup"], json!("0001")),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            // Schedule lines have no navigation of their own to deep-insert into.
            with(
                &["to_PurchaseOrderItem", "0", "to_ScheduleLine"],
                json!([{"to_SubcontractingComponent": []}]),
            ),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (
            with(&["to_PurchaseOrderItem"], json!("items")),
            400,
            "/IWCOR/CX_OD_BAD_REQUEST",
        ),
        (with(&["Supplier"], json!("99999999")), 400, "06/027"),
        (
            with(&["PurchasingOrganization"], json!("1010")),
            400,
            "06/027",
        ),
        (
            with(&["PurchaseOrderType"], json!("ZZ")),
            400,
            "MMPUR_INTEGRATION_PO/017",
        ),
        (without("Supplier"), 400, "00/055"),
        (without("DocumentCurrency"), 400, "00/055"),
        (with(&["to_PurchaseOrderItem"], json!([])), 400, "00/055"),
        (
            with(
                &["to_PurchaseOrderItem", "0", "PurchaseOrderQuantityUnit"],
                json!("PC"),
            ),
            400,
            "MMPUR_POHANDLER_TECH/010",
        ),
        (
            with(&["to_PurchaseOrderItem", "0", "Plant"], json!("1010")),
            400,
            "MMPUR_POHANDLER_TECH/010",
        ),
        (
            with(&["to_PurchaseOrderItem", "0", "OrderQuantity"], json!("0")),
            400,
            "MMPUR_POHANDLER_TECH/010",
        ),
        (
            with(&["to_PurchaseOrderItem", "0", "Material"], json!("RM99999")),
            400,
            "M3/305",
        ),
        (
            with(&["to_PurchaseOrderItem", "1", "MaterialGroup"], json!("")),
            400,
            "00/055",
        ),
        (
            with(
                &["to_PurchaseOrderItem", "0", "PurchaseOrderItemCategory"],
                json!("D"),
            ),
            400,
            "APPL_MM_PUR_PO/065",
        ),
    ];
    for (body, status, code) in cases {
        let (actual, _, text) = emulator
            .write(Method::POST, "A_PurchaseOrder", &csrf, Some(&body))
            .await;
        assert_eq!(actual.as_u16(), status, "{body}: {text}");
        let error: Value = serde_json::from_str(&text).expect("SAP error JSON");
        assert_eq!(error["error"]["code"], code, "{body}: {text}");
        assert_eq!(
            error["error"]["innererror"]["application"]["service_id"],
            "API_PURCHASEORDER_PROCESS_SRV"
        );
        assert!(error["error"]["innererror"]["errordetails"].is_array());
    }

    // $format on a write is a query option SAP refuses for modifying requests.
    let (status, _, text) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder?$format=json",
            &csrf,
            Some(DEEP_INSERT_ARRAY),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("/IWBEP/CM_MGW_RT/022"));

    // Atom payloads are not understood.
    let response = emulator
        .request(Method::POST, &emulator.url("A_PurchaseOrder"))
        .header("x-csrf-token", &csrf.token)
        .header("cookie", &csrf.cookie)
        .header("content-type", "application/atom+xml")
        .body("<entry/>")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert_eq!(
        emulator.truth_digest().await,
        digest,
        "refused writes change nothing"
    );
    let journal = emulator.admin_get("/journal").await;
    let posts = journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["method"] == "POST")
        .count();
    assert_eq!(
        posts, 23,
        "every refused write is journalled with its status"
    );
    assert!(
        journal["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["method"] == "POST")
            .all(|e| e["status"].as_u64().is_some_and(|s| s >= 400))
    );
}

#[tokio::test]
async fn updates_and_soft_deletes_stamp_the_header() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    emulator
        .admin_post("/clock", json!({"advance_seconds": 600}))
        .await;

    let (status, _, text) = emulator
        .write(
            Method::PATCH,
            "A_PurchaseOrder('4500000005')",
            &csrf,
            Some(r#"{"PaymentTerms":"NT60","IncotermsClassification":"exw"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (_, body) = emulator.get_json("A_PurchaseOrder('4500000005')").await;
    assert_eq!(body["d"]["PaymentTerms"], "NT60");
    assert_eq!(body["d"]["NetPaymentDays"], "60");
    assert_eq!(
        body["d"]["IncotermsClassification"], "EXW",
        "upper-case domain"
    );
    assert_eq!(
        date_ms(&body["d"]["LastChangeDateTime"]),
        rfc3339_ms("2026-03-02T08:10:00Z")
    );

    // MERGE tunnelled through POST, as older clients send it.
    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let response = emulator
        .request(Method::POST, &emulator.url("A_PurchaseOrder('4500000005')"))
        .headers(Emulator::write_headers(&csrf))
        .header("x-http-method", "MERGE")
        .body(r#"{"d":{"SupplierRespSalesPersonName":"Kim Lee"}}"#)
        .send()
        .await
        .expect("merge");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // A real MERGE verb, and PUT, behave like PATCH.
    let merge = Method::from_bytes(b"MERGE").expect("method");
    let (status, _, text) = emulator
        .write(
            merge,
            "A_PurchaseOrder('4500000005')",
            &csrf,
            Some(r#"{"Language":"DE"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (status, _, text) = emulator
        .write(
            Method::PUT,
            "A_PurchaseOrder('4500000005')",
            &csrf,
            Some(r#"{"Language":"EN"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");

    for (body, code) in [
        (r#"{"CompanyCode":"1010"}"#, "MMPUR_POHANDLER_TECH/010"),
        (r#"{"Supplier":"42"}"#, "06/027"),
        (r#"{"Supplier":""}"#, "00/055"),
        (r#"{"to_PurchaseOrderItem":[]}"#, "/IWCOR/CX_OD_BAD_REQUEST"),
    ] {
        let (status, _, text) = emulator
            .write(
                Method::PATCH,
                "A_PurchaseOrder('4500000005')",
                &csrf,
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        assert!(text.contains(code), "{body}: {text}");
    }

    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let (status, _, text) = emulator
        .write(
            Method::PATCH,
            "A_PurchaseOrderItem(PurchaseOrder='4500000006',PurchaseOrderItem='10')",
            &csrf,
            Some(r#"{"OrderQuantity":"77"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (_, item) = emulator
        .get_json("A_PurchaseOrderItem(PurchaseOrder='4500000006',PurchaseOrderItem='10')")
        .await;
    assert_eq!(item["d"]["OrderQuantity"], "77.000");
    let (_, header) = emulator.get_json("A_PurchaseOrder('4500000006')").await;
    assert_eq!(
        date_ms(&header["d"]["LastChangeDateTime"]),
        rfc3339_ms("2026-03-02T08:12:00Z"),
        "item changes show through the header"
    );

    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let (status, _, _) = emulator
        .write(Method::DELETE, "A_PurchaseOrder('4500000007')", &csrf, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = emulator
        .get_json("A_PurchaseOrder('4500000007')?$expand=to_PurchaseOrderItem")
        .await;
    assert_eq!(status, StatusCode::OK, "a deleted order stays readable");
    assert_eq!(body["d"]["PurchasingDocumentDeletionCode"], "L");
    assert!(
        body["d"]["to_PurchaseOrderItem"]["results"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["PurchasingDocumentDeletionCode"] == "L")
    );
    assert_eq!(
        date_ms(&body["d"]["LastChangeDateTime"]),
        rfc3339_ms("2026-03-02T08:13:00Z")
    );

    let truth = emulator
        .admin_get("/truth/purchase-orders?changed_since=2026-03-02T08:10:00Z&changed_until=2026-03-02T08:13:00Z")
        .await;
    let ids: Vec<&str> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec!["4500000005", "4500000006", "4500000007"]);

    let (status, _, _) = emulator
        .write(Method::DELETE, "A_PurchaseOrder('4599999999')", &csrf, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = emulator
        .write(Method::PUT, "A_PurchaseOrder", &csrf, Some("{}"))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn oauth_client_credentials_on_the_virtual_clock() {
    let emulator = start("tiny", 7).await;
    let credentials = &emulator.running.credentials;
    let token_url = credentials["token_url"].as_str().expect("token url");
    assert_eq!(
        token_url,
        format!("{}/sap/bc/sec/oauth2/token", emulator.running.base_url)
    );
    let client_id = credentials["client_id"].as_str().expect("id");
    let client_secret = credentials["client_secret"].as_str().expect("secret");

    let refused = emulator
        .client
        .post(token_url)
        .basic_auth(client_id, Some("wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");

    let response = emulator
        .client
        .post(token_url)
        .basic_auth(client_id, Some(client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::OK);
    let token: Value = response.json().await.expect("json");
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    let access = token["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let bearer_get = || {
        emulator
            .client
            .get(emulator.url("A_PurchaseOrder?$top=1"))
            .bearer_auth(&access)
            .header("accept", "application/json")
            .send()
    };
    assert_eq!(bearer_get().await.expect("get").status(), StatusCode::OK);
    emulator
        .admin_post("/clock", json!({"advance_seconds": 3599}))
        .await;
    assert_eq!(bearer_get().await.expect("get").status(), StatusCode::OK);
    emulator
        .admin_post("/clock", json!({"advance_seconds": 1}))
        .await;
    let expired = bearer_get().await.expect("get");
    assert_eq!(
        expired.status(),
        StatusCode::UNAUTHORIZED,
        "tokens expire on the virtual clock"
    );
    assert!(
        expired.headers()["www-authenticate"]
            .to_str()
            .expect("challenge")
            .starts_with("Bearer")
    );

    let unsupported = emulator
        .client
        .post(token_url)
        .basic_auth(client_id, Some(client_secret))
        .body("grant_type=password")
        .send()
        .await
        .expect("token");
    assert_eq!(unsupported.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn content_negotiation_and_metadata() {
    let emulator = start("tiny", 7).await;
    let response = emulator
        .client
        .get(emulator.url("A_PurchaseOrder?$top=1"))
        .basic_auth(&emulator.user, Some(&emulator.password))
        .header("accept", "application/atom+xml")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    let body: Value = response.json().await.expect("SAP error as JSON");
    assert!(body["error"]["code"].is_string());

    let response = emulator
        .client
        .get(emulator.url("A_PurchaseOrder?$top=1&$format=json"))
        .basic_auth(&emulator.user, Some(&emulator.password))
        .header("accept", "application/xml")
        .send()
        .await
        .expect("get");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "$format=json wins over Accept"
    );

    let response = emulator.get("$metadata").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/xml");
    let xml = response.text().await.expect("xml");
    assert!(xml.contains("<EntitySet Name=\"A_PurchaseOrder\""));
    assert!(
        xml.contains("Name=\"LastChangeDateTime\" Type=\"Edm.DateTimeOffset\" Precision=\"7\"")
    );
    assert!(!xml.contains("ConcurrencyMode"), "no ETags are declared");

    let head = emulator
        .request(Method::HEAD, &emulator.url(""))
        .header("x-csrf-token", "fetch")
        .send()
        .await
        .expect("head");
    assert_eq!(head.status(), StatusCode::OK);
    assert!(
        head.headers().get("x-csrf-token").is_some(),
        "HEAD fetches a token too"
    );
}

#[tokio::test]
async fn hostile_requests_never_get_a_server_error() {
    let emulator = start("tiny", 7).await;
    let deep_parens = format!(
        "A_PurchaseOrder?$filter={}Supplier eq '1'{}",
        "(".repeat(300),
        ")".repeat(300)
    );
    let reads = [
        "A_PurchaseOrder('",
        "A_PurchaseOrder(')",
        "A_PurchaseOrder(PurchaseOrder=)",
        "A_PurchaseOrder(PurchaseOrder='4500000001',X='1')",
        "A_PurchaseOrder(datetime'2020-01-01T00:00:00')",
        "%FF",
        "A_PurchaseOrder?$filter=%FF",
        deep_parens.as_str(),
        "A_PurchaseOrder?$filter=not",
        "A_PurchaseOrder?$filter=substringof(Supplier)",
        "A_PurchaseOrder?$filter='a' eq 'a'&$top=1",
        "A_PurchaseOrder?$filter=null eq null&$top=1",
        "A_PurchaseOrder?$filter=length(Supplier) gt 2&$top=1",
        "A_PurchaseOrder?$filter=Supplier eq guid'00000000-0000-0000-0000-000000000000'",
        "A_PurchaseOrder?$filter=CreationDate eq time'PT10H00M00S'",
        "A_PurchaseOrder?$filter=concat(concat(Supplier,Supplier),'x') eq 'y'",
        "A_PurchaseOrder?$orderby=,",
        "A_PurchaseOrder?$orderby=to_PurchaseOrderItem/Material",
        "A_PurchaseOrder?$top=99999999999999999999",
        "A_PurchaseOrder?$skip=18446744073709551615",
        "A_PurchaseOrder?$inlinecount=allpages&$top=0",
        "A_PurchaseOrder?$skiptoken=eyJ2IjoxfQ",
        "A_PurchaseOrder?$expand=to_PurchaseOrderItem/to_PurchaseOrder/to_PurchaseOrderItem/to_PurchaseOrder/to_PurchaseOrderItem",
        "A_PurchaseOrder?$select=*,to_PurchaseOrderItem&$top=2",
        "A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='99999999')",
        "A_PurchaseOrder('4500000001')/Supplier/$value/x",
        "A_PurchaseOrder('4500000001')/to_PurchaseOrderItem('10')",
        "$count",
        "$metadata/x",
        "$batch",
        "A_PurchaseOrder/$count/$count",
        "A_PurchaseOrder()?$top=1",
    ];
    for resource in reads {
        let response = emulator.get(resource).await;
        let status = response.status();
        assert!(
            status.is_success() || status.is_client_error(),
            "{resource}: {status}"
        );
        if status.is_client_error() {
            let body: Value = response
                .json()
                .await
                .unwrap_or_else(|_| panic!("{resource}: SAP error JSON"));
            assert!(body["error"]["code"].is_string(), "{resource}: {body}");
        }
    }

    let csrf = emulator.fetch_csrf().await;
    let nested = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let writes: [(Method, &str, &str); 8] = [
        (Method::PATCH, "A_PurchaseOrder('4500000001')", "null"),
        (Method::PATCH, "A_PurchaseOrder('4500000001')", "[]"),
        (
            Method::PATCH,
            "A_PurchaseOrder('4500000001')",
            r#"{"d":null}"#,
        ),
        (Method::PATCH, "A_PurchaseOrder('4500000001')", &nested),
        (Method::PATCH, "A_PurchaseOrder('4500000001')", ""),
        (
            Method::POST,
            "A_PurchaseOrderItem",
            r#"{"to_PurchaseOrder":{"Supplier":"1"}}"#,
        ),
        (Method::POST, "A_PurchaseOrder('4500000001')", "{}"),
        (Method::DELETE, "A_PurchaseOrder", ""),
    ];
    for (method, resource, body) in writes {
        let (status, _, text) = emulator
            .write(method.clone(), resource, &csrf, Some(body))
            .await;
        assert!(
            status.is_client_error(),
            "{method} {resource} {body:.40}: {status} {text}"
        );
    }
    // A $batch without a multipart content type is refused with SAP's error, not run.
    let (status, _, text) = emulator
        .write(Method::POST, "$batch", &csrf, Some("--batch--"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("/IWCOR/CX_OD_BAD_REQUEST"), "{text}");
}
