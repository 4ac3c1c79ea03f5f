//! Data-driven query tests: one `check` helper and a table of cases.
//!
//! Expected results are computed in the test from a baseline — every work order read page by
//! page, itself checked against the admin API's ground truth — with plain Rust predicates and
//! sorts, so the emulator's `oslc.where` parser, evaluator and ordering are compared with an
//! independent implementation rather than with themselves.

use std::cmp::Ordering;

use serde_json::Value;

use crate::common::{Emulator, enc, reason, seconds, start};

type Keep = Box<dyn Fn(&Value) -> bool>;
type Order = Box<dyn Fn(&Value, &Value) -> Ordering>;

/// What a query must produce.
enum Expect {
    /// Baseline members that satisfy `keep`, sorted by `order` then `workorderid`.
    Rows { keep: Keep, order: Option<Order> },
    /// A Maximo error with this status and reason code.
    Error(u16, &'static str),
}

fn rows(keep: impl Fn(&Value) -> bool + 'static) -> Expect {
    Expect::Rows {
        keep: Box::new(keep),
        order: None,
    }
}

fn sorted(
    keep: impl Fn(&Value) -> bool + 'static,
    order: impl Fn(&Value, &Value) -> Ordering + 'static,
) -> Expect {
    Expect::Rows {
        keep: Box::new(keep),
        order: Some(Box::new(order)),
    }
}

fn text<'a>(member: &'a Value, name: &str) -> &'a str {
    member[name].as_str().unwrap_or_default()
}

fn at(member: &Value, name: &str) -> i64 {
    member[name].as_str().map_or(i64::MIN, seconds)
}

fn uid(member: &Value) -> i64 {
    member["workorderid"].as_i64().unwrap_or_default()
}

const SELECT: &str = "wonum,workorderid,siteid,status,worktype,wopriority,description,assetnum,location,changedate,reportdate,istask,asset.assettype,woactivity{status}";

/// Runs `query` (where/orderBy part), following `nextPage` with `page_size`, and compares the
/// delivered work orders with `expect` applied to `baseline`.
async fn check(
    emulator: &Emulator,
    baseline: &[Value],
    query: &str,
    expect: Expect,
    page_size: usize,
) {
    let path = format!(
        "/maximo/api/os/mxapiwodetail?lean=1&oslc.select={}&oslc.pageSize={page_size}{query}",
        enc(SELECT)
    );
    match expect {
        Expect::Rows { keep, order } => {
            let mut expected: Vec<&Value> = baseline.iter().filter(|m| keep(m)).collect();
            expected.sort_by(|a, b| {
                order
                    .as_ref()
                    .map_or(Ordering::Equal, |order| order(a, b))
                    .then(uid(a).cmp(&uid(b)))
            });
            let (members, pages) = emulator.all_pages(&path).await;
            let got: Vec<i64> = members.iter().map(uid).collect();
            let want: Vec<i64> = expected.iter().map(|m| uid(m)).collect();
            assert!(
                !want.is_empty(),
                "{query}: the case should select something"
            );
            assert_eq!(got, want, "{query}");
            assert!(pages.iter().all(|size| *size <= page_size), "{query}");
            for (member, baseline_member) in members.iter().zip(&expected) {
                assert_eq!(member, *baseline_member, "{query}: same rendering");
            }
        }
        Expect::Error(status, code) => {
            let answer = emulator.get(&path).await;
            assert_eq!(
                reason(&answer),
                (status, code.to_owned()),
                "{query}: {}",
                answer.body
            );
            assert!(
                answer.body["Error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(code)),
                "{query}"
            );
        }
    }
}

fn w(text: &str) -> String {
    format!("&oslc.where={}", enc(text))
}

fn o(text: &str) -> String {
    format!("&oslc.orderBy={}", enc(text))
}

#[tokio::test]
async fn where_and_order_by_match_an_independent_evaluation() {
    let emulator = start("tiny", 7).await;
    let (baseline, _) = emulator
        .all_pages(&format!(
            "/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=1000&oslc.select={}",
            enc(SELECT)
        ))
        .await;
    let truth = emulator.admin_get("/truth/work-orders").await;
    let mut truth_ids: Vec<String> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    let mut baseline_ids: Vec<String> = baseline
        .iter()
        .map(|m| format!("{}/{}", text(m, "siteid"), text(m, "wonum")))
        .collect();
    truth_ids.sort();
    baseline_ids.sort();
    assert_eq!(baseline_ids, truth_ids, "the baseline is every work order");

    // Mid-history instants, in the server's offset and in UTC.
    let middle = "2026-01-15T12:00:00-05:00";
    let middle_s = seconds(middle);
    let keyset_at = baseline
        .iter()
        .map(|m| text(m, "changedate").to_owned())
        .filter(|c| seconds(c) > middle_s)
        .min()
        .expect("a change after the middle");
    let keyset_s = seconds(&keyset_at);

    let cases: Vec<(String, Expect)> = vec![
        (w("status=\"APPR\""), rows(|m| text(m, "status") == "APPR")),
        (
            w("status=\"close\""),
            rows(|m| text(m, "status") == "CLOSE"),
        ),
        (
            w("status in [\"INPRG\",\"COMP\"]"),
            rows(|m| ["INPRG", "COMP"].contains(&text(m, "status"))),
        ),
        (
            w("status in [WAPPR,WSCH]"),
            rows(|m| ["WAPPR", "WSCH"].contains(&text(m, "status"))),
        ),
        (
            w("status!=\"[CLOSE,CAN]\""),
            rows(|m| !["CLOSE", "CAN"].contains(&text(m, "status"))),
        ),
        (w("assetnum=\"*\""), rows(|m| m.get("assetnum").is_some())),
        (w("assetnum!=\"*\""), rows(|m| m.get("assetnum").is_none())),
        (
            w("description=\"%PUMP%\""),
            rows(|m| text(m, "description").to_lowercase().contains("pump")),
        ),
        (
            w("description=\"inspect%\""),
            rows(|m| text(m, "description").to_lowercase().starts_with("inspect")),
        ),
        (
            w("wopriority>=3 and worktype=\"PM\""),
            rows(|m| m["wopriority"].as_i64() >= Some(3) && text(m, "worktype") == "PM"),
        ),
        (
            w("wopriority<2 or worktype=\"CAL\""),
            rows(|m| m["wopriority"].as_i64() < Some(2) || text(m, "worktype") == "CAL"),
        ),
        (
            w(&format!("changedate>=\"{middle}\"")),
            rows(move |m| at(m, "changedate") >= middle_s),
        ),
        (
            // A naive date is read in the server's offset (-05:00).
            w("changedate>=\"2026-01-15T12:00:00\""),
            rows(move |m| at(m, "changedate") >= middle_s),
        ),
        (
            w("changedate>=\"2026-01-15T17:00:00Z\""),
            rows(move |m| at(m, "changedate") >= middle_s),
        ),
        (
            format!(
                "{}{}",
                w(&format!(
                    "changedate>\"{keyset_at}\" or (changedate=\"{keyset_at}\" and wonum>\"1100\")"
                )),
                o("+changedate,+wonum")
            ),
            sorted(
                move |m| {
                    let c = at(m, "changedate");
                    c > keyset_s || (c == keyset_s && text(m, "wonum") > "1100")
                },
                |a, b| {
                    at(a, "changedate")
                        .cmp(&at(b, "changedate"))
                        .then(text(a, "wonum").cmp(text(b, "wonum")))
                },
            ),
        ),
        (
            o("+changedate"),
            sorted(
                |_| true,
                |a, b| at(a, "changedate").cmp(&at(b, "changedate")),
            ),
        ),
        (
            o("+changedate,-wonum"),
            sorted(
                |_| true,
                |a, b| {
                    at(a, "changedate")
                        .cmp(&at(b, "changedate"))
                        .then(text(b, "wonum").cmp(text(a, "wonum")))
                },
            ),
        ),
        (
            o("-wopriority,+wonum"),
            sorted(
                |_| true,
                |a, b| {
                    b["wopriority"]
                        .as_i64()
                        .cmp(&a["wopriority"].as_i64())
                        .then(text(a, "wonum").cmp(text(b, "wonum")))
                },
            ),
        ),
        (
            format!(
                "{}{}",
                w("status=\"CLOSE\" and reportdate<\"2026-01-01T00:00:00-05:00\""),
                o("-reportdate")
            ),
            sorted(
                |m| {
                    text(m, "status") == "CLOSE"
                        && at(m, "reportdate") < seconds("2026-01-01T00:00:00-05:00")
                },
                |a, b| at(b, "reportdate").cmp(&at(a, "reportdate")),
            ),
        ),
        (
            // Descending change order has no stream: the bounded top-k plan serves it.
            o("-changedate"),
            sorted(
                |_| true,
                |a, b| at(b, "changedate").cmp(&at(a, "changedate")),
            ),
        ),
        (
            w("asset.assettype=\"PUMP\""),
            rows(|m| m["asset"]["assettype"] == "PUMP"),
        ),
        (
            w("woactivity.status=\"CLOSE\""),
            rows(|m| {
                m["woactivity"]
                    .as_array()
                    .is_some_and(|tasks| tasks.iter().any(|t| t["status"] == "CLOSE"))
            }),
        ),
        (w("istask=0 and siteid=\"BEDFORD\""), rows(|_| true)),
        (
            w("location.status=\"OPERATING\" and wopriority=1"),
            rows(|m| m["wopriority"].as_i64() == Some(1)),
        ),
        // Refusals.
        (o("changedate"), Expect::Error(400, "BMXAA8744E")),
        (
            String::from("&oslc.orderBy=+changedate"),
            Expect::Error(400, "BMXAA8744E"),
        ),
        (o("+nosuch"), Expect::Error(400, "BMXAA8744E")),
        (w("nosuch=1"), Expect::Error(400, "BMXAA8744E")),
        (w("status=\"APPR"), Expect::Error(400, "BMXAA8744E")),
        (w("(status=\"APPR\""), Expect::Error(400, "BMXAA8744E")),
        (
            w("changedate>\"yesterday\""),
            Expect::Error(400, "BMXAA8744E"),
        ),
        (w("wopriority>\"high\""), Expect::Error(400, "BMXAA8744E")),
        // An unencoded `+` in an offset arrives as a space: the date no longer parses.
        (
            String::from("&oslc.where=changedate>%222026-01-15T17:00:00+00:00%22"),
            Expect::Error(400, "BMXAA8744E"),
        ),
        (String::from("&pageno=0"), Expect::Error(400, "BMXAA8744E")),
    ];
    for (query, expect) in cases {
        check(&emulator, &baseline, &query, expect, 37).await;
    }
}

#[tokio::test]
async fn small_pages_deliver_every_record_once() {
    let emulator = start("tiny", 7).await;
    let (baseline, _) = emulator
        .all_pages(&format!(
            "/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=1000&oslc.select={}",
            enc(SELECT)
        ))
        .await;
    for size in [1, 7, 500] {
        check(
            &emulator,
            &baseline,
            &o("+changedate,+wonum"),
            sorted(
                |_| true,
                |a, b| {
                    at(a, "changedate")
                        .cmp(&at(b, "changedate"))
                        .then(text(a, "wonum").cmp(text(b, "wonum")))
                },
            ),
            size,
        )
        .await;
    }
}
