//! Data-driven query tests: one `check` helper and a table of cases.
//!
//! Expected results are computed in the test from a baseline — every purchase order read page by
//! page without options, itself checked against the admin API's ground truth — with plain Rust
//! predicates and sorts, so the emulator's filter engine is compared with an independent
//! implementation rather than with itself.

use std::cmp::Ordering;

use serde_json::Value;

use crate::common::{Emulator, date_ms, rfc3339_ms, start};

type Keep = Box<dyn Fn(&Value) -> bool>;
type Order = Box<dyn Fn(&Value, &Value) -> Ordering>;

/// What a query must produce.
enum Expect {
    /// Baseline rows that satisfy `keep`, sorted by `order` (key order if `None`), then skip/top.
    Rows {
        keep: Keep,
        order: Option<Order>,
        skip: usize,
        top: Option<usize>,
    },
    /// An SAP error with this status and `error.code`.
    Error(u16, &'static str),
}

fn rows(keep: impl Fn(&Value) -> bool + 'static) -> Expect {
    Expect::Rows {
        keep: Box::new(keep),
        order: None,
        skip: 0,
        top: None,
    }
}

fn sorted(
    keep: impl Fn(&Value) -> bool + 'static,
    order: impl Fn(&Value, &Value) -> Ordering + 'static,
    skip: usize,
    top: Option<usize>,
) -> Expect {
    Expect::Rows {
        keep: Box::new(keep),
        order: Some(Box::new(order)),
        skip,
        top,
    }
}

fn text<'a>(row: &'a Value, name: &str) -> &'a str {
    row[name].as_str().unwrap_or_default()
}

fn key(row: &Value) -> String {
    match row["PurchaseOrderItem"].as_str() {
        Some(item) => format!("{}/{item:0>5}", text(row, "PurchaseOrder")),
        None => text(row, "PurchaseOrder").to_owned(),
    }
}

/// Runs `query` (following `__next`) and compares the delivered keys with `expect` applied to
/// `baseline`.
async fn check(
    emulator: &Emulator,
    baseline: &[Value],
    query: &str,
    expect: Expect,
    page_size: usize,
) {
    match expect {
        Expect::Rows {
            keep,
            order,
            skip,
            top,
        } => {
            let mut expected: Vec<&Value> = baseline.iter().filter(|row| keep(row)).collect();
            expected.sort_by_key(|row| key(row));
            if let Some(order) = order {
                expected.sort_by(|a, b| order(a, b).then_with(|| key(a).cmp(&key(b))));
            }
            let expected: Vec<String> = expected
                .into_iter()
                .skip(skip)
                .take(top.unwrap_or(usize::MAX))
                .map(key)
                .collect();
            let (actual, pages) = emulator
                .all_pages(query)
                .await
                .unwrap_or_else(|(status, body)| panic!("{query}: {status} {body}"));
            assert!(
                pages.iter().all(|size| *size <= page_size),
                "{query}: a page exceeds {page_size}: {pages:?}"
            );
            let actual: Vec<String> = actual.iter().map(key).collect();
            assert_eq!(actual, expected, "{query}");
        }
        Expect::Error(status, code) => {
            let (actual_status, body) = emulator.get_json(query).await;
            assert_eq!(actual_status.as_u16(), status, "{query}: {body}");
            assert_eq!(body["error"]["code"], code, "{query}: {body}");
            assert_eq!(body["error"]["message"]["lang"], "en", "{query}");
            assert!(
                body["error"]["innererror"]["transactionid"].is_string(),
                "{query}"
            );
        }
    }
}

fn last_change(row: &Value) -> i64 {
    date_ms(&row["LastChangeDateTime"])
}

#[tokio::test]
async fn purchase_order_queries() {
    let emulator = start("tiny", 7).await;
    let (baseline, pages) = emulator
        .all_pages("A_PurchaseOrder?$expand=to_PurchaseOrderItem")
        .await
        .expect("baseline");
    assert_eq!(pages, vec![100, 100, 100, 100]);
    let truth = emulator.admin_get("/truth/purchase-orders").await;
    let truth_ids: Vec<&str> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let baseline_ids: Vec<&str> = baseline.iter().map(|r| text(r, "PurchaseOrder")).collect();
    assert_eq!(
        baseline_ids, truth_ids,
        "paging must deliver exactly the ground truth"
    );
    for (row, record) in baseline
        .iter()
        .zip(truth["records"].as_array().expect("records"))
    {
        assert_eq!(
            last_change(row),
            rfc3339_ms(record["changed_at"].as_str().expect("changed_at"))
        );
    }

    // A keyset position in the middle of the data, as a connector resumes from.
    let mut by_change: Vec<&Value> = baseline.iter().collect();
    by_change.sort_by_key(|r| (last_change(r), text(r, "PurchaseOrder").to_owned()));
    let pivot = by_change[180];
    let pivot_ms = last_change(pivot);
    let pivot_po = text(pivot, "PurchaseOrder").to_owned();
    let pivot_literal = chrono::DateTime::from_timestamp_millis(pivot_ms)
        .expect("instant")
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let february = rfc3339_ms("2026-02-01T00:00:00Z");
    let mid_january = rfc3339_ms("2026-01-15T00:00:00Z");
    let by_change_order = |a: &Value, b: &Value| last_change(a).cmp(&last_change(b));

    let keyset_po = pivot_po.clone();
    let cases: Vec<(String, Expect)> = vec![
        (String::from("A_PurchaseOrder"), rows(|_| true)),
        (
            String::from("A_PurchaseOrder?$filter=Supplier eq '17300001'"),
            rows(|r| text(r, "Supplier") == "17300001"),
        ),
        (
            // ALPHA conversion: the padded supplier number means the same supplier.
            String::from("A_PurchaseOrder?$filter=Supplier%20eq%20'0017300001'"),
            rows(|r| text(r, "Supplier") == "17300001"),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=Supplier ne '17300001' and PurchasingGroup eq '002'",
            ),
            rows(|r| text(r, "Supplier") != "17300001" && text(r, "PurchasingGroup") == "002"),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=LastChangeDateTime gt datetimeoffset'2026-02-01T00:00:00Z'",
            ),
            rows(move |r| last_change(r) > february),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=LastChangeDateTime ge datetimeoffset'2026-02-01T01:00:00.0000000%2B01:00'",
            ),
            rows(move |r| last_change(r) >= february),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=LastChangeDateTime gt datetimeoffset'2026-01-15T00:00:00Z' or Supplier eq '17300002'",
            ),
            rows(move |r| last_change(r) > mid_january || text(r, "Supplier") == "17300002"),
        ),
        (
            String::from("A_PurchaseOrder?$filter=not (PurchasingGroup eq '001')"),
            rows(|r| text(r, "PurchasingGroup") != "001"),
        ),
        (
            String::from("A_PurchaseOrder?$filter=startswith(IncotermsLocation1,'San') eq true"),
            rows(|r| text(r, "IncotermsLocation1").starts_with("San")),
        ),
        (
            String::from("A_PurchaseOrder?$filter=substringof('Palo',IncotermsLocation1)"),
            rows(|r| text(r, "IncotermsLocation1").contains("Palo")),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=endswith(SupplierRespSalesPersonName,'son') or tolower(PurchaseOrderType) eq 'fo'",
            ),
            rows(|r| {
                text(r, "SupplierRespSalesPersonName").ends_with("son")
                    || text(r, "PurchaseOrderType") == "FO"
            }),
        ),
        (
            String::from("A_PurchaseOrder?$filter=CreationDate ge datetime'2026-02-01T00:00:00'"),
            rows(move |r| date_ms(&r["CreationDate"]) >= february),
        ),
        (
            String::from("A_PurchaseOrder?$filter=ValidityStartDate ne null"),
            rows(|r| !r["ValidityStartDate"].is_null()),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=CashDiscount1Percent gt 1.5M and NetPaymentDays eq 45",
            ),
            rows(|r| {
                text(r, "CashDiscount1Percent")
                    .parse::<f64>()
                    .unwrap_or(0.0)
                    > 1.5
                    && text(r, "NetPaymentDays") == "45"
            }),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=ReleaseIsNotCompleted eq true or PurchasingDocumentDeletionCode eq 'L'",
            ),
            rows(|r| {
                r["ReleaseIsNotCompleted"] == true
                    || text(r, "PurchasingDocumentDeletionCode") == "L"
            }),
        ),
        (
            String::from("A_PurchaseOrder?$orderby=LastChangeDateTime asc,PurchaseOrder asc"),
            sorted(|_| true, by_change_order, 0, None),
        ),
        (
            String::from("A_PurchaseOrder?$orderby=Supplier desc"),
            sorted(
                |_| true,
                |a, b| text(b, "Supplier").cmp(text(a, "Supplier")),
                0,
                None,
            ),
        ),
        (
            String::from("A_PurchaseOrder?$top=7"),
            sorted(|_| true, |_, _| Ordering::Equal, 0, Some(7)),
        ),
        (
            String::from("A_PurchaseOrder?$skip=395"),
            sorted(|_| true, |_, _| Ordering::Equal, 395, None),
        ),
        (
            String::from("A_PurchaseOrder?$top=150&$skip=20"),
            sorted(|_| true, |_, _| Ordering::Equal, 20, Some(150)),
        ),
        (
            String::from("A_PurchaseOrder?$orderby=LastChangeDateTime desc&$top=120&$skip=3"),
            sorted(|_| true, move |a, b| by_change_order(b, a), 3, Some(120)),
        ),
        (
            format!(
                "A_PurchaseOrder?$filter=LastChangeDateTime gt datetimeoffset'{pivot_literal}' or (LastChangeDateTime eq datetimeoffset'{pivot_literal}' and PurchaseOrder gt '{pivot_po}')&$orderby=LastChangeDateTime asc,PurchaseOrder asc"
            ),
            sorted(
                move |r| {
                    let at = last_change(r);
                    at > pivot_ms
                        || (at == pivot_ms && text(r, "PurchaseOrder") > keyset_po.as_str())
                },
                by_change_order,
                0,
                None,
            ),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=Supplier eq '17300003'&$orderby=PurchaseOrderDate desc&$top=3",
            ),
            sorted(
                |r| text(r, "Supplier") == "17300003",
                |a, b| date_ms(&b["PurchaseOrderDate"]).cmp(&date_ms(&a["PurchaseOrderDate"])),
                0,
                Some(3),
            ),
        ),
        (
            String::from("A_PurchaseOrder?$filter=Nope eq 1"),
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            String::from("A_PurchaseOrder?$filter=Supplier eq"),
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            String::from(
                "A_PurchaseOrder?$filter=LastChangeDateTime gt datetime'2026-01-01T00:00:00'",
            ),
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            // An unencoded '+' is a space in a query string, so the offset is malformed.
            String::from(
                "A_PurchaseOrder?$filter=LastChangeDateTime gt datetimeoffset'2026-01-01T00:00:00+01:00'",
            ),
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            String::from("A_PurchaseOrder?$orderby=Nope"),
            Expect::Error(400, "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR"),
        ),
        (
            String::from("A_PurchaseOrder?$top=-1"),
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            String::from("A_PurchaseOrder?$search=x"),
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            String::from("A_PurchaseOrder?$skiptoken=garbage"),
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            String::from("A_PurchaseOrder?$expand=to_Nope"),
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            String::from("A_PurchaseOrder?$select=to_PurchaseOrderItem/Material"),
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            String::from("A_Nope"),
            Expect::Error(404, "/IWBEP/CM_MGW_RT/020"),
        ),
        (
            String::from("A_PurchaseOrder('4599999999')"),
            Expect::Error(404, "/IWBEP/CM_MGW_RT/020"),
        ),
        (
            String::from("A_PurchaseOrder(1)"),
            Expect::Error(400, "/IWCOR/CX_OD_BAD_REQUEST"),
        ),
        (
            String::from("A_PurchaseOrder('4500000001')/to_Nope"),
            Expect::Error(404, "/IWBEP/CM_MGW_RT/020"),
        ),
        (
            String::from("A_PurchaseOrder('4500000001')?$top=1"),
            Expect::Error(400, "/IWBEP/CM_MGW_RT/022"),
        ),
        (
            String::from("A_PurchaseOrder?$format=atom"),
            Expect::Error(406, "/IWCOR/CX_OD_NOT_ACCEPTABLE"),
        ),
    ];
    for (query, expect) in cases {
        check(&emulator, &baseline, &query, expect, 100).await;
    }

    // Items: the same helper against the items of the baseline.
    let items: Vec<Value> = baseline
        .iter()
        .flat_map(|po| {
            po["to_PurchaseOrderItem"]["results"]
                .as_array()
                .expect("items")
                .clone()
        })
        .collect();
    let material = text(&items[3], "Material").to_owned();
    let wanted = material.clone();
    let item_cases: Vec<(String, Expect)> = vec![
        (String::from("A_PurchaseOrderItem"), rows(|_| true)),
        (
            format!("A_PurchaseOrderItem?$filter=Material eq '{material}'"),
            rows(move |r| text(r, "Material") == wanted),
        ),
        (
            String::from(
                "A_PurchaseOrderItem?$filter=PurchaseOrderItem gt '10' and OrderQuantity ge 100",
            ),
            rows(|r| {
                text(r, "PurchaseOrderItem").parse::<u32>().unwrap_or(0) > 10
                    && text(r, "OrderQuantity").parse::<f64>().unwrap_or(0.0) >= 100.0
            }),
        ),
        (
            String::from("A_PurchaseOrderItem?$orderby=NetPriceAmount desc&$top=10"),
            sorted(
                |_| true,
                |a, b| {
                    let price = |r: &Value| text(r, "NetPriceAmount").parse::<f64>().unwrap_or(0.0);
                    price(b).partial_cmp(&price(a)).unwrap_or(Ordering::Equal)
                },
                0,
                Some(10),
            ),
        ),
        (
            String::from(
                "A_PurchaseOrder('4500000003')/to_PurchaseOrderItem?$filter=OrderQuantity gt 10",
            ),
            rows(|r| {
                text(r, "PurchaseOrder") == "4500000003"
                    && text(r, "OrderQuantity").parse::<f64>().unwrap_or(0.0) > 10.0
            }),
        ),
    ];
    for (query, expect) in item_cases {
        check(&emulator, &items, &query, expect, 100).await;
    }
}

#[tokio::test]
async fn shapes_counts_and_single_entities() {
    let emulator = start("tiny", 7).await;

    let (status, body) = emulator
        .get_json("A_PurchaseOrder?$select=PurchaseOrder,Supplier&$top=3")
        .await;
    assert_eq!(status, 200);
    for row in body["d"]["results"].as_array().expect("results") {
        let mut names: Vec<&str> = row
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(names, vec!["PurchaseOrder", "Supplier", "__metadata"]);
    }

    let (_, body) = emulator
        .get_json("A_PurchaseOrder?$select=PurchaseOrder,to_PurchaseOrderItem/Material&$expand=to_PurchaseOrderItem&$top=2")
        .await;
    let first = &body["d"]["results"][0];
    let item = &first["to_PurchaseOrderItem"]["results"][0];
    let mut names: Vec<&str> = item
        .as_object()
        .expect("item")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, vec!["Material", "__metadata"]);

    let (_, body) = emulator.get_json("A_PurchaseOrder?$top=1").await;
    let row = &body["d"]["results"][0];
    assert!(
        row["to_PurchaseOrderItem"]["__deferred"]["uri"]
            .as_str()
            .expect("deferred")
            .ends_with("A_PurchaseOrder('4500000000')/to_PurchaseOrderItem")
    );
    assert_eq!(
        row["__metadata"]["type"],
        "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType"
    );
    assert!(
        body["d"]["__next"].is_null(),
        "$top below the page size ends paging"
    );

    let (_, body) = emulator
        .get_json("A_PurchaseOrder?$inlinecount=allpages&$top=5")
        .await;
    assert_eq!(body["d"]["__count"], "400");
    assert_eq!(body["d"]["results"].as_array().map(Vec::len), Some(5));

    let (_, body) = emulator
        .get_json("A_PurchaseOrder?$inlinecount=allpages&$filter=PurchasingGroup eq '003'")
        .await;
    let (all_003, _) = emulator
        .all_pages("A_PurchaseOrder?$filter=PurchasingGroup eq '003'")
        .await
        .expect("pages");
    assert_eq!(body["d"]["__count"], all_003.len().to_string());

    let response = emulator.get("A_PurchaseOrder/$count").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    assert_eq!(response.text().await.expect("text"), "400");
    let count = emulator
        .get("A_PurchaseOrder/$count?$filter=PurchasingGroup eq '003'")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(count, all_003.len().to_string());

    let (status, body) = emulator.get_json("A_PurchaseOrder('4500000001')").await;
    assert_eq!(status, 200);
    assert_eq!(body["d"]["PurchaseOrder"], "4500000001");
    assert!(body["d"]["results"].is_null());

    let (status, body) = emulator
        .get_json("A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["d"]["PurchaseOrderItem"], "10");
    let (status, padded) = emulator
        .get_json("A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='00010')")
        .await;
    assert_eq!(status, 200);
    assert_eq!(padded["d"]["PurchaseOrderItem"], "10");

    let (status, body) = emulator
        .get_json("A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')/to_PurchaseOrder")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["d"]["PurchaseOrder"], "4500000001");

    let (status, body) = emulator
        .get_json("A_PurchaseOrder('4500000001')/to_PurchaseOrderItem")
        .await;
    assert_eq!(status, 200);
    assert!(!body["d"]["results"].as_array().expect("results").is_empty());

    let (status, body) = emulator
        .get_json("A_PurchaseOrder('4500000001')/Supplier")
        .await;
    assert_eq!(status, 200);
    assert!(body["d"]["Supplier"].is_string());
    let raw = emulator
        .get("A_PurchaseOrder('4500000001')/Supplier/$value")
        .await;
    assert_eq!(
        raw.text().await.expect("text"),
        body["d"]["Supplier"].as_str().expect("supplier")
    );

    let (status, body) = emulator.get_json("").await;
    assert_eq!(status, 200);
    assert_eq!(
        body["d"]["EntitySets"],
        serde_json::json!([
            "A_PurchaseOrder",
            "A_PurchaseOrderItem",
            "A_PurchaseOrderScheduleLine"
        ])
    );
}
