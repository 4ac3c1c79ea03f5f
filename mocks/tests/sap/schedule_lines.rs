//! Purchase order schedule lines: nested expansion, deep insert inside items, and the rule that
//! an item's schedule adds up to its quantity whichever side changes.

use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::common::{ROOT, date_ms, start};
use crate::supply_common::all_rows;

fn decimal(value: &Value) -> Decimal {
    value
        .as_str()
        .expect("decimal string")
        .parse()
        .expect("decimal")
}

/// Every item's schedule total equals its order quantity.
fn check_totals(order: &Value) {
    for item in order["to_PurchaseOrderItem"]["results"]
        .as_array()
        .expect("items")
    {
        let lines = item["to_ScheduleLine"]["results"]
            .as_array()
            .expect("lines");
        assert!(!lines.is_empty(), "every item has a schedule");
        let total: Decimal = lines
            .iter()
            .map(|l| decimal(&l["ScheduleLineOrderQuantity"]))
            .sum();
        assert_eq!(total, decimal(&item["OrderQuantity"]), "{item}");
        for line in lines {
            assert_eq!(line["PurchasingDocumentItem"], item["PurchaseOrderItem"]);
            assert_eq!(
                line["PurchaseOrderQuantityUnit"],
                item["PurchaseOrderQuantityUnit"]
            );
        }
    }
}

#[tokio::test]
async fn nested_expansion_and_the_schedule_line_set_agree() {
    let emulator = start("tiny", 7).await;
    let orders = all_rows(
        &emulator,
        ROOT,
        "A_PurchaseOrder?$expand=to_PurchaseOrderItem/to_ScheduleLine&$select=PurchaseOrder,to_PurchaseOrderItem/PurchaseOrderItem,to_PurchaseOrderItem/OrderQuantity,to_PurchaseOrderItem/PurchaseOrderQuantityUnit,to_PurchaseOrderItem/to_ScheduleLine",
    )
    .await;
    assert_eq!(orders.len(), 400);
    let mut expanded = Vec::new();
    for order in &orders {
        check_totals(order);
        for item in order["to_PurchaseOrderItem"]["results"]
            .as_array()
            .expect("items")
        {
            for line in item["to_ScheduleLine"]["results"]
                .as_array()
                .expect("lines")
            {
                expanded.push(line["__metadata"]["uri"].as_str().expect("uri").to_owned());
            }
        }
    }
    assert!(expanded.len() > orders.len(), "items and split deliveries");
    let lines = all_rows(&emulator, ROOT, "A_PurchaseOrderScheduleLine").await;
    let listed: Vec<String> = lines
        .iter()
        .map(|l| l["__metadata"]["uri"].as_str().expect("uri").to_owned())
        .collect();
    assert_eq!(
        listed, expanded,
        "the set lists every line once, in key order"
    );
    let split = lines.iter().filter(|l| l["ScheduleLine"] == "2").count();
    assert!(
        split > 0 && split * 4 < lines.len(),
        "{split} of {}",
        lines.len()
    );
    let first = &lines[0];
    let (status, single) = emulator
        .get_json(&format!(
            "A_PurchaseOrderScheduleLine(PurchasingDocument='{}',PurchasingDocumentItem='000{}',ScheduleLine='0001')",
            first["PurchasingDocument"].as_str().expect("doc"),
            first["PurchasingDocumentItem"].as_str().expect("item"),
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "padded NUMC keys: {single}");
    assert_eq!(single["d"]["ScheduleLineDeliveryTime"], "PT00H00M00S");
}

#[tokio::test]
async fn schedules_are_deep_inserted_and_follow_changes() {
    let emulator = start("tiny", 7).await;
    let csrf = emulator.fetch_csrf().await;
    let body = json!({
        "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
        "PurchasingGroup": "001", "Supplier": "17300001", "DocumentCurrency": "USD",
        "to_PurchaseOrderItem": {"results": [
            {"Material": "SP10001", "Plant": "1710", "OrderQuantity": "39",
             "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": "61.05", "NetPriceQuantity": "100",
             "to_ScheduleLine": {"results": [
                {"ScheduleLineDeliveryDate": "/Date(1775001600000)/", "ScheduleLineOrderQuantity": "30"},
                {"ScheduleLine": "5", "ScheduleLineDeliveryDate": "/Date(1777593600000)/", "ScheduleLineOrderQuantity": "9"}
             ]}},
            {"Material": "SP10001", "Plant": "1710", "PurchaseOrderQuantityUnit": "PC",
             "NetPriceAmount": "1", "to_ScheduleLine": [{"ScheduleLineOrderQuantity": "4"}]}
        ]}
    });
    let (status, _, text) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    let order = &created["d"];
    check_totals(order);
    let items = order["to_PurchaseOrderItem"]["results"]
        .as_array()
        .expect("items");
    assert_eq!(items[0]["NetPriceQuantity"], "100");
    assert_eq!(
        items[1]["OrderQuantity"], "4.000",
        "the quantity of a schedule-only item"
    );
    let lines = items[0]["to_ScheduleLine"]["results"]
        .as_array()
        .expect("lines");
    let numbers: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["ScheduleLine"].as_str())
        .collect();
    assert_eq!(numbers, ["1", "5"]);
    assert_eq!(
        date_ms(&lines[1]["ScheduleLineDeliveryDate"]),
        1_777_593_600_000
    );
    let number = order["PurchaseOrder"].as_str().expect("number").to_owned();

    // A schedule that does not add up to the item is refused.
    let mut mismatch = body.clone();
    mismatch["to_PurchaseOrderItem"]["results"][0]["to_ScheduleLine"]["results"][1]["ScheduleLineOrderQuantity"] =
        json!("8");
    let (status, _, text) = emulator
        .write(
            Method::POST,
            "A_PurchaseOrder",
            &csrf,
            Some(&mismatch.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("SCHEDULELINEORDERQUANTITY"), "{text}");

    // The item quantity moves the last line; a line's quantity moves the item.
    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let item = format!("A_PurchaseOrderItem(PurchaseOrder='{number}',PurchaseOrderItem='10')");
    let (status, _, text) = emulator
        .write(
            Method::PATCH,
            &item,
            &csrf,
            Some(r#"{"OrderQuantity":"45"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (_, lines) = emulator.get_json(&format!("{item}/to_ScheduleLine")).await;
    let quantities: Vec<&str> = lines["d"]["results"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["ScheduleLineOrderQuantity"].as_str())
        .collect();
    assert_eq!(quantities, ["30.000", "15.000"]);
    emulator
        .admin_post("/clock", json!({"advance_seconds": 60}))
        .await;
    let line = format!(
        "A_PurchaseOrderScheduleLine(PurchasingDocument='{number}',PurchasingDocumentItem='10',ScheduleLine='1')"
    );
    let (status, _, text) = emulator
        .write(
            Method::PATCH,
            &line,
            &csrf,
            Some(r#"{"ScheduleLineOrderQuantity":"10"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (_, item_now) = emulator.get_json(&item).await;
    assert_eq!(item_now["d"]["OrderQuantity"], "25.000");
    let (_, header) = emulator
        .get_json(&format!("A_PurchaseOrder('{number}')"))
        .await;
    assert_eq!(
        date_ms(&header["d"]["LastChangeDateTime"]),
        date_ms(&order["LastChangeDateTime"]) + 120_000,
        "schedule changes stamp the header"
    );
    let (status, _, _) = emulator
        .write(
            Method::PATCH,
            &line,
            &csrf,
            Some(r#"{"ScheduleLineOrderQuantity":"0"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for (method, resource) in [
        (Method::DELETE, line.clone()),
        (Method::POST, String::from("A_PurchaseOrderScheduleLine")),
    ] {
        let (status, _, text) = emulator.write(method, &resource, &csrf, Some("{}")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{resource}: {text}");
    }
    let record = emulator
        .admin_get(&format!("/records/purchase-orders/{number}"))
        .await;
    assert_eq!(
        record["to_PurchaseOrderItem"][0]["to_ScheduleLine"][0]["ScheduleLineOrderQuantity"],
        "10.000"
    );
}
