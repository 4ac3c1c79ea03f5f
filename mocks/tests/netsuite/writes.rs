//! Writes through the record API: purchase orders (create, update, delete, upsert), vendors,
//! inventory adjustments that move quantities, refusals with their body paths, and
//! asynchronous requests with idempotency keys.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Ns, RECORDS, Token, location_id, start, truth_ids};

fn order_body(vendor: &str, item: &str) -> Value {
    json!({
        "entity": {"id": vendor},
        "location": {"id": "2"},
        "memo": "Emulator test order",
        "item": {"items": [
            {"item": {"id": item}, "quantity": 12, "rate": 3.5},
            {"item": {"id": item}, "quantity": 2.5, "location": {"id": "3"}}
        ]}
    })
}

/// An active vendor and an active item of the tiny profile.
async fn active_vendor_and_item(ns: &Ns) -> (String, String) {
    let vendor = ns
        .suiteql(
            "SELECT id FROM vendor WHERE isinactive = 'F' ORDER BY id FETCH FIRST 1 ROWS ONLY",
            "",
        )
        .await;
    let item = ns
        .suiteql(
            "SELECT id FROM item WHERE isinactive = 'F' ORDER BY id FETCH FIRST 1 ROWS ONLY",
            "",
        )
        .await;
    (
        vendor.body["items"][0]["id"]
            .as_str()
            .expect("vendor")
            .to_owned(),
        item.body["items"][0]["id"]
            .as_str()
            .expect("item")
            .to_owned(),
    )
}

#[tokio::test]
async fn purchase_orders_are_created_updated_and_deleted() {
    let ns = start("tiny", 7).await;
    let (vendor, item) = active_vendor_and_item(&ns).await;
    ns.admin_post("/clock", json!({"advance_seconds": 3_630}))
        .await;
    let created = ns
        .post(
            &format!("{RECORDS}/purchaseOrder"),
            &order_body(&vendor, &item),
        )
        .await;
    assert_eq!(created.status, StatusCode::NO_CONTENT, "{:?}", created.body);
    assert_eq!(created.body, Value::Null);
    let location = created.header("location").expect("location");
    assert!(location.starts_with(&format!("{}{RECORDS}/purchaseOrder/", ns.running.base_url)));
    let id = location_id(&created);
    assert_eq!(id, "1000401");
    let listed = ns.get(&format!("{RECORDS}/purchaseOrder?limit=1")).await;
    assert_eq!(listed.body["totalResults"], 401);

    let order = ns
        .get(&format!(
            "{RECORDS}/purchaseOrder/{id}?expandSubResources=true"
        ))
        .await
        .body;
    assert_eq!(order["entity"]["id"], vendor.as_str());
    assert_eq!(order["tranId"], "PO401");
    assert_eq!(order["status"]["id"], "Pending Receipt");
    // Written at 09:00:30 virtual time: the stamp is that minute.
    assert_eq!(order["lastModifiedDate"], "2026-03-02T09:00:00Z");
    let lines = order["item"]["items"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["amount"], 42.0);
    assert_eq!(lines[1]["location"]["id"], "3");
    assert_eq!(
        lines[0]["location"]["id"], "2",
        "lines default to the header location"
    );
    assert!(
        lines[1]["rate"].as_f64().expect("rate") > 0.0,
        "the rate defaults to the item's price"
    );
    let truth = ns
        .admin_get("/truth/purchase-orders?changed_since=2026-03-02T09:00:00Z")
        .await;
    assert_eq!(truth_ids(&truth), std::slice::from_ref(&id));
    assert_eq!(
        truth["records"][0]["changed_at"],
        "2026-03-02T09:00:00.000Z"
    );
    let native = ns
        .admin_get(&format!("/records/purchase-orders/{id}"))
        .await;
    assert_eq!(native["item"]["items"], order["item"]["items"]);

    // Update: merge a line by its number, add one, change the memo.
    ns.admin_post("/clock", json!({"advance_seconds": 600}))
        .await;
    let patch = json!({"memo": "Revised", "item": {"items": [
        {"line": 1, "quantity": 20},
        {"item": {"id": item}, "quantity": 1, "rate": 9.99}
    ]}});
    let updated = ns
        .patch(&format!("{RECORDS}/purchaseOrder/{id}"), &patch)
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT, "{:?}", updated.body);
    let order = ns
        .get(&format!(
            "{RECORDS}/purchaseOrder/{id}?expandSubResources=true"
        ))
        .await
        .body;
    assert_eq!(order["memo"], "Revised");
    assert_eq!(order["lastModifiedDate"], "2026-03-02T09:10:00Z");
    let quantities: Vec<f64> = order["item"]["items"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["quantity"].as_f64().expect("quantity"))
        .collect();
    assert_eq!(quantities, [20.0, 2.5, 1.0]);
    let replaced = ns
        .patch(
            &format!("{RECORDS}/purchaseOrder/{id}?replace=item"),
            &json!({"item": {"items": [{"item": {"id": item}, "quantity": 4}]}}),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::NO_CONTENT);
    let order = ns
        .get(&format!("{RECORDS}/purchaseOrder/{id}/item"))
        .await
        .body;
    assert_eq!(order["totalResults"], 1);

    // Delete: gone from the API and the truth.
    let deleted = ns.delete(&format!("{RECORDS}/purchaseOrder/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        ns.get(&format!("{RECORDS}/purchaseOrder/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let truth = ns.admin_get("/truth/purchase-orders").await;
    assert!(!truth_ids(&truth).contains(&id));
    assert_eq!(truth["count"], 400);
    let listed = ns.get(&format!("{RECORDS}/purchaseOrder?limit=1000")).await;
    assert_eq!(listed.body["totalResults"], 400);
    assert_eq!(listed.body["count"], 400);
    let again = ns.delete(&format!("{RECORDS}/purchaseOrder/{id}")).await;
    assert_eq!(again.code(), "NONEXISTENT_ID");
}

#[tokio::test]
async fn refused_writes_say_why_and_where() {
    let ns = start("tiny", 7).await;
    let (vendor, item) = active_vendor_and_item(&ns).await;
    let good = order_body(&vendor, &item);
    let with = |pointer: &str, value: Value| {
        let mut body = good.clone();
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = value;
        }
        body
    };
    let without = |key: &str| {
        let mut body = good.clone();
        body.as_object_mut().expect("object").remove(key);
        body
    };
    let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
        ("no vendor", without("entity"), "USER_ERROR", Some("entity")),
        (
            "unknown vendor",
            with("/entity", json!({"id": "999"})),
            "INVALID_CONTENT",
            Some("entity"),
        ),
        (
            "vendor as text",
            with("/entity", json!({"id": "acme"})),
            "INVALID_CONTENT",
            Some("entity"),
        ),
        ("no lines", without("item"), "USER_ERROR", Some("item")),
        (
            "empty lines",
            with("/item/items", json!([])),
            "USER_ERROR",
            Some("item"),
        ),
        (
            "unknown item",
            with("/item/items/0/item", json!({"id": "5"})),
            "INVALID_CONTENT",
            Some("item.items[0].item"),
        ),
        (
            "zero quantity",
            with("/item/items/1/quantity", json!(0)),
            "INVALID_CONTENT",
            Some("item.items[1].quantity"),
        ),
        (
            "unknown location",
            with("/location", json!({"id": "77"})),
            "INVALID_CONTENT",
            Some("location"),
        ),
        (
            "another subsidiary",
            with("/memo", json!("x"))
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert(String::from("subsidiary"), json!({"id": "2"}));
                    Value::Object(o)
                })
                .expect("body"),
            "INVALID_CONTENT",
            Some("subsidiary"),
        ),
        (
            "a bad date",
            with("/memo", json!("x"))
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert(String::from("tranDate"), json!("3/2/2026"));
                    Value::Object(o)
                })
                .expect("body"),
            "INVALID_CONTENT",
            Some("tranDate"),
        ),
        ("not an object", json!([1, 2]), "INVALID_CONTENT", None),
    ];
    for (name, body, code, path) in cases {
        let answer = ns.post(&format!("{RECORDS}/purchaseOrder"), &body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{name}: {:?}",
            answer.body
        );
        assert_eq!(answer.code(), code, "{name}: {:?}", answer.body);
        assert_eq!(
            answer.body["o:errorDetails"][0]["o:errorPath"].as_str(),
            path,
            "{name}"
        );
    }
    let malformed = ns
        .client
        .post(ns.url(&format!("{RECORDS}/purchaseOrder")))
        .header(
            "Authorization",
            ns.authorization(
                &Method::POST,
                &ns.url(&format!("{RECORDS}/purchaseOrder")),
                Token::Main,
            ),
        )
        .header("Content-Type", "application/json")
        .body("{\"entity\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let text_body = ns
        .send(
            Method::POST,
            &format!("{RECORDS}/vendor"),
            None,
            Token::Main,
            &[("Content-Type", "text/plain")],
        )
        .await;
    assert_eq!(text_body.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Nothing of it was stored.
    assert_eq!(ns.admin_get("/truth/purchase-orders").await["count"], 400);

    // Unknown fields: a warning by default, an error when the client asks for one.
    let mut extra = good.clone();
    extra["shoeSize"] = json!(44);
    let warned = ns.post(&format!("{RECORDS}/purchaseOrder"), &extra).await;
    assert_eq!(warned.status, StatusCode::NO_CONTENT);
    assert!(
        warned
            .header("x-netsuite-warning")
            .expect("warning")
            .contains("shoeSize")
    );
    let strict = ns
        .send(
            Method::POST,
            &format!("{RECORDS}/purchaseOrder"),
            Some(&extra),
            Token::Main,
            &[("X-NetSuite-PropertyNameValidation", "Error")],
        )
        .await;
    assert_eq!(strict.status, StatusCode::BAD_REQUEST);
    assert_eq!(strict.body["o:errorDetails"][0]["o:errorPath"], "shoeSize");
    // A received order cannot be deleted; PUT needs an external id.
    let received = ns
        .suiteql(
            "SELECT transaction FROM transactionline WHERE quantityshiprecv > 0 FETCH FIRST 1 ROWS ONLY",
            "",
        )
        .await;
    let busy = received.body["items"][0]["transaction"]
        .as_str()
        .expect("an order with receipts");
    let refused = ns.delete(&format!("{RECORDS}/purchaseOrder/{busy}")).await;
    assert_eq!(refused.code(), "USER_ERROR");
    let put = ns
        .send(
            Method::PUT,
            &format!("{RECORDS}/purchaseOrder/{busy}"),
            Some(&good),
            Token::Main,
            &[],
        )
        .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn vendors_and_upserts_by_external_id() {
    let ns = start("tiny", 7).await;
    let created = ns
        .post(
            &format!("{RECORDS}/vendor"),
            &json!({"companyName": "Northwind Bearings LLC", "subsidiary": {"id": "1"}, "currency": {"id": "2"}, "email": "ap@northwind.example.com"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::NO_CONTENT, "{:?}", created.body);
    let id = location_id(&created);
    let vendor = ns.get(&format!("{RECORDS}/vendor/{id}")).await.body;
    assert_eq!(vendor["companyName"], "Northwind Bearings LLC");
    assert_eq!(vendor["currency"]["refName"], "Canadian Dollar");
    assert!(truth_ids(&ns.admin_get("/truth/vendors").await).contains(&id));
    for (body, code) in [
        (json!({"subsidiary": {"id": "1"}}), "USER_ERROR"),
        (json!({"companyName": "X"}), "USER_ERROR"),
        (
            json!({"companyName": "X", "subsidiary": {"id": "9"}}),
            "INVALID_CONTENT",
        ),
        (
            json!({"companyName": "X", "subsidiary": {"id": "1"}, "email": "nope"}),
            "INVALID_CONTENT",
        ),
    ] {
        let answer = ns.post(&format!("{RECORDS}/vendor"), &body).await;
        assert_eq!(answer.code(), code, "{body}");
    }
    // A generated vendor may have transactions: NetSuite refuses to delete it.
    assert_eq!(
        ns.delete(&format!("{RECORDS}/vendor/100001")).await.code(),
        "USER_ERROR"
    );
    assert_eq!(
        ns.delete(&format!("{RECORDS}/vendor/{id}")).await.status,
        StatusCode::NO_CONTENT
    );

    // Upsert: the first PUT creates, the second updates the same record.
    let first = ns
        .send(
            Method::PUT,
            &format!("{RECORDS}/vendor/eid:SUP-0042"),
            Some(&json!({"companyName": "Upsert Supply Co.", "subsidiary": {"id": "1"}})),
            Token::Main,
            &[],
        )
        .await;
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{:?}", first.body);
    let id = location_id(&first);
    let second = ns
        .send(
            Method::PUT,
            &format!("{RECORDS}/vendor/eid:SUP-0042"),
            Some(&json!({"phone": "(555) 010-4242"})),
            Token::Main,
            &[],
        )
        .await;
    assert_eq!(second.status, StatusCode::NO_CONTENT);
    assert_eq!(location_id(&second), id);
    let by_external = ns.get(&format!("{RECORDS}/vendor/eid:SUP-0042")).await.body;
    assert_eq!(by_external["id"], id.as_str());
    assert_eq!(by_external["phone"], "(555) 010-4242");
    assert_eq!(by_external["externalId"], "SUP-0042");
}

#[tokio::test]
async fn inventory_adjustments_move_quantity_on_hand_exactly() {
    let ns = start("tiny", 7).await;
    let truth = ns.admin_get("/truth/inventory").await;
    let level = truth["records"]
        .as_array()
        .expect("levels")
        .iter()
        .find(|r| {
            r["values"]["quantityonhand"]
                .as_str()
                .expect("q")
                .parse::<f64>()
                .expect("n")
                > 10.0
        })
        .expect("a level with stock")
        .clone();
    let level_id = level["id"].as_str().expect("id").to_owned();
    let (item, location) = level_id.split_once(':').expect("pair");
    let before: rust_decimal::Decimal = level["values"]["quantityonhand"]
        .as_str()
        .expect("q")
        .parse()
        .expect("decimal");
    let body = |delta: Value| {
        json!({
            "subsidiary": {"id": "1"},
            "account": {"id": "8"},
            "adjLocation": {"id": location},
            "memo": "Cycle count",
            "inventory": {"items": [{"item": {"id": item}, "location": {"id": location}, "adjustQtyBy": delta}]}
        })
    };
    let created = ns
        .post(
            &format!("{RECORDS}/inventoryAdjustment"),
            &body(json!(-3.5)),
        )
        .await;
    assert_eq!(created.status, StatusCode::NO_CONTENT, "{:?}", created.body);
    let adjustment = location_id(&created);
    let after: rust_decimal::Decimal = ns
        .quantity(&level_id)
        .await
        .expect("level")
        .parse()
        .expect("decimal");
    assert_eq!(after, before - rust_decimal::Decimal::new(35, 1));
    let record = ns
        .get(&format!(
            "{RECORDS}/inventoryAdjustment/{adjustment}?expandSubResources=true"
        ))
        .await
        .body;
    assert_eq!(record["inventory"]["items"][0]["adjustQtyBy"], -3.5);
    assert_eq!(record["account"]["refName"], "5200 Inventory Adjustments");
    // The same id is not a purchase order.
    let wrong = ns
        .get(&format!("{RECORDS}/purchaseOrder/{adjustment}"))
        .await;
    assert_eq!(wrong.code(), "USER_ERROR");
    assert!(
        wrong.body["o:errorDetails"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("Transaction type specified is incorrect")
    );
    let native = ns
        .admin_get(&format!("/records/inventory/{level_id}"))
        .await;
    assert_eq!(
        native["quantityOnHand"].to_string(),
        after.normalize().to_string()
    );
    assert_eq!(native["item"]["id"], item);

    let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
        ("below zero", body(json!(-1_000_000)), "USER_ERROR", None),
        (
            "a bank account",
            {
                let mut b = body(json!(1));
                b["account"] = json!({"id": "1"});
                b
            },
            "INVALID_CONTENT",
            Some("account"),
        ),
        (
            "no account",
            {
                let mut b = body(json!(1));
                b.as_object_mut().expect("o").remove("account");
                b
            },
            "USER_ERROR",
            Some("account"),
        ),
        (
            "zero",
            body(json!(0)),
            "INVALID_CONTENT",
            Some("inventory.items[0].adjustQtyBy"),
        ),
        (
            "no location",
            {
                let mut b = body(json!(1));
                b.as_object_mut().expect("o").remove("adjLocation");
                b["inventory"]["items"][0]
                    .as_object_mut()
                    .expect("o")
                    .remove("location");
                b
            },
            "USER_ERROR",
            Some("inventory.items[0].location"),
        ),
    ];
    for (name, body, code, path) in cases {
        let answer = ns
            .post(&format!("{RECORDS}/inventoryAdjustment"), &body)
            .await;
        assert_eq!(answer.code(), code, "{name}: {:?}", answer.body);
        assert_eq!(
            answer.body["o:errorDetails"][0]["o:errorPath"].as_str(),
            path,
            "{name}"
        );
    }
    assert_eq!(
        ns.quantity(&level_id)
            .await
            .expect("level")
            .parse::<rust_decimal::Decimal>()
            .expect("d"),
        after,
        "refused adjustments change nothing"
    );
    // Deleting the adjustment reverses it.
    assert_eq!(
        ns.delete(&format!("{RECORDS}/inventoryAdjustment/{adjustment}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ns.quantity(&level_id)
            .await
            .expect("level")
            .parse::<rust_decimal::Decimal>()
            .expect("d"),
        before
    );
    // Stock at a location the item was not kept at creates the level.
    let fresh_location = (1..=3)
        .map(|l| l.to_string())
        .find(|l| !truth_ids(&truth).contains(&format!("{item}:{l}")));
    if let Some(fresh) = fresh_location {
        let mut new_level = body(json!(7));
        new_level["inventory"]["items"][0]["location"] = json!({"id": fresh});
        assert_eq!(
            ns.post(&format!("{RECORDS}/inventoryAdjustment"), &new_level)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            ns.quantity(&format!("{item}:{fresh}")).await.as_deref(),
            Some("7")
        );
    }
}

#[tokio::test]
async fn asynchronous_requests_become_jobs_and_keys_are_single_use() {
    let ns = start("tiny", 7).await;
    let body = json!({"companyName": "Async Parts Inc.", "subsidiary": {"id": "1"}});
    let headers = [
        ("Prefer", "respond-async"),
        (
            "X-NetSuite-Idempotency-Key",
            "7f1c2d9e-0b5c-4c1e-9f2a-3d4e5f607182",
        ),
    ];
    let accepted = ns
        .send(
            Method::POST,
            &format!("{RECORDS}/vendor"),
            Some(&body),
            Token::Main,
            &headers,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{:?}", accepted.body);
    assert_eq!(accepted.header("preference-applied"), Some("respond-async"));
    let job_url = accepted.header("location").expect("job").to_owned();
    let job_path = job_url.trim_start_matches(&ns.running.base_url).to_owned();
    let job = ns.get(&job_path).await.body;
    assert_eq!(job["completed"], true);
    assert_eq!(job["progress"], "succeeded");
    let tasks = ns.get(&format!("{job_path}/task")).await.body;
    assert_eq!(tasks["count"], 1);
    let task_path = tasks["items"][0]["links"][0]["href"]
        .as_str()
        .expect("task")
        .trim_start_matches(&ns.running.base_url)
        .to_owned();
    let task = ns.get(&task_path).await.body;
    assert_eq!(task["progress"], "succeeded");
    assert_eq!(task["startTime"], "2026-03-02T08:00:00Z");
    let result = ns.get(&format!("{task_path}/result")).await;
    assert_eq!(result.status, StatusCode::NO_CONTENT);
    let vendor_id = location_id(&result);
    assert_eq!(
        ns.get(&format!("{RECORDS}/vendor/{vendor_id}")).await.body["companyName"],
        "Async Parts Inc."
    );

    // The same key again, even with another body: IDEMPOTENCY_ERROR, pointing at the first job.
    let again = ns
        .send(
            Method::POST,
            &format!("{RECORDS}/vendor"),
            Some(&json!({"companyName": "Other"})),
            Token::Main,
            &headers,
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "IDEMPOTENCY_ERROR");
    assert_eq!(again.body["title"], "Conflict");
    assert_eq!(again.header("location"), Some(job_url.as_str()));
    assert_eq!(
        ns.admin_get("/truth/vendors").await["count"],
        41,
        "one vendor, not two"
    );

    // A failing request makes a failed job whose result is the error.
    let failing = ns
        .send(
            Method::POST,
            &format!("{RECORDS}/vendor"),
            Some(&json!({})),
            Token::Main,
            &[("Prefer", "respond-async")],
        )
        .await;
    let failing_path = failing
        .header("location")
        .expect("job")
        .trim_start_matches(&ns.running.base_url)
        .to_owned();
    assert_eq!(ns.get(&failing_path).await.body["progress"], "failed");
    let id = failing_path.rsplit('/').next().expect("id");
    let error = ns.get(&format!("{failing_path}/task/{id}/result")).await;
    assert_eq!(error.code(), "USER_ERROR");
    // Queries can run asynchronously too; without the header the key is ignored.
    let query = ns
        .send(
            Method::POST,
            "/services/rest/query/v1/suiteql",
            Some(&json!({"q": "SELECT COUNT(*) AS n FROM vendor"})),
            Token::Main,
            &[("Prefer", "respond-async, transient")],
        )
        .await;
    assert_eq!(query.status, StatusCode::ACCEPTED);
    let sync = ns
        .send(
            Method::POST,
            &format!("{RECORDS}/vendor"),
            Some(&body),
            Token::Main,
            &[headers[1]],
        )
        .await;
    assert_eq!(
        sync.status,
        StatusCode::NO_CONTENT,
        "synchronous requests ignore the key"
    );
    let jobs = ns.get("/services/rest/async/v1/job").await.body;
    assert_eq!(jobs["totalResults"], 3);
}
