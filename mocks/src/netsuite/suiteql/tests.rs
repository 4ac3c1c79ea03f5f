//! SuiteQL over the tiny profile's data: a table of queries and what they must answer.

use super::query;
use crate::Profile;
use crate::netsuite::data::{NetSuiteData, Stamp};

fn data() -> (NetSuiteData, Stamp) {
    let profile = Profile::builtin("tiny").expect("tiny");
    (
        NetSuiteData::new(7, &profile),
        Stamp::minute_of(profile.clock_start),
    )
}

/// What a query must give: the total, and a check of the first page.
enum Expect {
    Total(u64),
    Rows(&'static [&'static [(&'static str, &'static str)]]),
    TotalAndFirst(u64, &'static [(&'static str, &'static str)]),
    Error(&'static str),
}

/// A row's pairs by column name: the JSON object they become has no order.
fn sorted(mut row: Vec<(String, String)>) -> Vec<(String, String)> {
    row.sort();
    row
}

fn check(data: &NetSuiteData, now: Stamp, q: &str, expect: Expect) {
    let outcome = query(data, now, q, 0, 1000);
    match (outcome, expect) {
        (Ok(outcome), Expect::Total(total)) => assert_eq!(outcome.total, total, "{q}"),
        (Ok(outcome), Expect::Rows(rows)) => {
            let got: Vec<Vec<(String, String)>> = outcome.rows.into_iter().map(sorted).collect();
            let want: Vec<Vec<(String, String)>> = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect()
                })
                .collect();
            assert_eq!(got, want, "{q}");
        }
        (Ok(outcome), Expect::TotalAndFirst(total, first)) => {
            assert_eq!(outcome.total, total, "{q}");
            let want: Vec<(String, String)> = first
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(outcome.rows.first().cloned().map(sorted), Some(want), "{q}");
        }
        (Err(error), Expect::Error(fragment)) => {
            let detail = &error.details[0].detail;
            assert!(detail.contains(fragment), "{q}: {detail}");
            assert_eq!(error.details[0].code, "INVALID_PARAMETER");
        }
        (Ok(outcome), Expect::Error(fragment)) => {
            panic!(
                "{q}: expected an error with {fragment:?}, got {} rows",
                outcome.total
            )
        }
        (Err(error), _) => panic!("{q}: {:?}", error.details),
    }
}

#[test]
fn queries_answer_as_netsuite_would() {
    let (data, now) = data();
    let cases: Vec<(&str, Expect)> = vec![
        (
            "SELECT COUNT(*) AS n FROM transaction WHERE type = 'PurchOrd'",
            Expect::Rows(&[&[("n", "400")]]),
        ),
        (
            "SELECT COUNT(*) FROM transaction",
            Expect::Rows(&[&[("expr1", "400")]]),
        ),
        (
            "SELECT id FROM transaction WHERE id = 1000001",
            Expect::Rows(&[&[("id", "1000001")]]),
        ),
        (
            "SELECT id FROM transaction WHERE id IN (1000001, 1000003) ORDER BY id DESC",
            Expect::Rows(&[&[("id", "1000003")], &[("id", "1000001")]]),
        ),
        (
            "SELECT t.id FROM transaction t WHERE t.id BETWEEN 1000010 AND 1000019",
            Expect::Total(10),
        ),
        (
            "SELECT id FROM transaction WHERE id > 1000390 ORDER BY id FETCH FIRST 3 ROWS ONLY",
            Expect::Rows(&[
                &[("id", "1000391")],
                &[("id", "1000392")],
                &[("id", "1000393")],
            ]),
        ),
        (
            "SELECT id FROM transaction WHERE ROWNUM <= 2",
            Expect::Rows(&[&[("id", "1000001")], &[("id", "1000002")]]),
        ),
        (
            "SELECT id FROM transaction ORDER BY id OFFSET 398 ROWS",
            Expect::Rows(&[&[("id", "1000399")], &[("id", "1000400")]]),
        ),
        (
            "SELECT tranid, status, BUILTIN.DF(type) AS kind FROM transaction WHERE id = 1000400",
            Expect::TotalAndFirst(
                1,
                &[
                    ("kind", "Purchase Order"),
                    ("status", "PurchOrd:D"),
                    ("tranid", "PO400"),
                ],
            ),
        ),
        (
            "SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS at FROM transaction WHERE id = 1000001",
            Expect::Total(1),
        ),
        (
            "SELECT COUNT(*) AS n FROM transactionline WHERE mainline = 'T'",
            Expect::Rows(&[&[("n", "400")]]),
        ),
        (
            "SELECT COUNT(*) AS n FROM transaction t INNER JOIN transactionline tl ON tl.transaction = t.id WHERE tl.mainline = 'F' AND t.id = 1000001",
            Expect::Total(1),
        ),
        (
            "SELECT v.companyname FROM transaction t JOIN vendor v ON v.id = t.entity WHERE t.id = 1000001",
            Expect::Total(1),
        ),
        (
            "SELECT COUNT(*) AS n FROM vendor",
            Expect::Rows(&[&[("n", "40")]]),
        ),
        (
            "SELECT COUNT(*) AS n FROM item WHERE itemid LIKE 'RM-%'",
            Expect::Rows(&[&[("n", "40")]]),
        ),
        (
            "SELECT id, accttype FROM account WHERE accttype IN ('COGS', 'Expense') ORDER BY id",
            Expect::Rows(&[
                &[("accttype", "COGS"), ("id", "7")],
                &[("accttype", "COGS"), ("id", "8")],
                &[("accttype", "Expense"), ("id", "9")],
            ]),
        ),
        (
            "SELECT name FROM location WHERE id = 1",
            Expect::Rows(&[&[("name", "Main Warehouse")]]),
        ),
        (
            "SELECT isinactive FROM location WHERE id = 1",
            Expect::Rows(&[&[("isinactive", "F")]]),
        ),
        (
            "SELECT symbol FROM currency ORDER BY 1",
            Expect::Rows(&[
                &[("symbol", "CAD")],
                &[("symbol", "EUR")],
                &[("symbol", "GBP")],
                &[("symbol", "USD")],
            ]),
        ),
        (
            "SELECT COUNT(*) AS n, MIN(id) AS lo FROM transaction WHERE lastmodifieddate >= SYSDATE - 30",
            Expect::Total(1),
        ),
        (
            "SELECT CASE WHEN id < 1000002 THEN 'first' ELSE 'later' END AS which FROM transaction WHERE id <= 1000002",
            Expect::Rows(&[&[("which", "first")], &[("which", "later")]]),
        ),
        (
            "SELECT NVL(memo, 'none') AS memo FROM transaction WHERE id = 1000001",
            Expect::Total(1),
        ),
        (
            "SELECT trandate FROM transaction WHERE id = 1000001 AND trandate < TO_DATE('2026-03-02', 'YYYY-MM-DD')",
            Expect::Total(1),
        ),
        (
            "SELECT x FROM transaction",
            Expect::Error("Field 'x' for record 'transaction' was not found"),
        ),
        (
            "SELECT id FROM invoice",
            Expect::Error("Record 'invoice' was not found"),
        ),
        (
            "SELECT t.id FROM transaction t JOIN transactionline tl ON tl.item = 5",
            Expect::Error("must compare"),
        ),
        (
            "SELECT t.id, COUNT(*) FROM transaction t",
            Expect::Error("not a GROUP BY expression"),
        ),
        (
            "SELECT id FROM transaction WHERE id = 'abc'",
            Expect::Error("invalid number"),
        ),
        (
            "SELECT id FROM transaction WHERE lastmodifieddate > '2026-03-01'",
            Expect::Error("account's format"),
        ),
        (
            "SELECT TO_CHAR(lastmodifieddate, 'YYYY-QQ') FROM transaction",
            Expect::Error("date format not recognized"),
        ),
        (
            "UPDATE transaction SET memo = 'x'",
            Expect::Error("Invalid or unsupported search"),
        ),
        (
            "SELECT id FROM transaction WHERE id IN (SELECT id FROM vendor)",
            Expect::Error("subqueries"),
        ),
        (
            "SELECT 1/0 FROM transaction",
            Expect::Error("divisor is equal to zero"),
        ),
        (
            "SELECT v.id FROM vendor v JOIN item i ON i.id = v.id",
            Expect::Total(0),
        ),
        (
            "SELECT v.id FROM vendor v LEFT JOIN item i ON i.id = v.id WHERE i.id IS NULL",
            Expect::Total(40),
        ),
        (
            "SELECT DISTINCT location FROM transactionline WHERE mainline = 'F'",
            Expect::Total(3),
        ),
        (
            "SELECT location, COUNT(*) AS n FROM transactionline WHERE mainline = 'T' GROUP BY location ORDER BY location",
            Expect::Total(3),
        ),
    ];
    for (q, expect) in cases {
        check(&data, now, q, expect);
    }
}

#[test]
fn bounds_narrow_the_scan_and_agree_with_a_full_scan() {
    let (data, now) = data();
    let since = "TO_TIMESTAMP('2026-02-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS')";
    let narrowed = query(
        &data,
        now,
        &format!("SELECT id FROM transaction WHERE lastmodifieddate >= {since} ORDER BY lastmodifieddate, id"),
        0,
        1000,
    )
    .expect("runs");
    // The same condition hidden from the planner (inside OR FALSE) scans everything.
    let full = query(
        &data,
        now,
        &format!(
            "SELECT id FROM transaction WHERE (lastmodifieddate >= {since} OR 1 = 0) ORDER BY lastmodifieddate, id"
        ),
        0,
        1000,
    )
    .expect("runs");
    assert!(narrowed.total > 0 && narrowed.total < 400);
    assert_eq!(narrowed.total, full.total);
    assert_eq!(narrowed.rows, full.rows);
    // Pages of 7 concatenate to the whole.
    let mut paged = Vec::new();
    let mut offset = 0;
    while offset < narrowed.total {
        let page = query(
            &data,
            now,
            &format!("SELECT id FROM transaction WHERE lastmodifieddate >= {since} ORDER BY lastmodifieddate, id"),
            offset,
            7,
        )
        .expect("page");
        paged.extend(page.rows);
        offset += 7;
    }
    assert_eq!(paged, narrowed.rows);
}

mod robustness {
    use super::{data, query};
    use proptest::prelude::*;

    const TABLES: [(&str, &[&str]); 5] = [
        (
            "transaction",
            &[
                "id",
                "tranid",
                "trandate",
                "status",
                "entity",
                "lastmodifieddate",
                "memo",
                "foreigntotal",
            ],
        ),
        (
            "transactionline",
            &[
                "transaction",
                "id",
                "mainline",
                "item",
                "quantity",
                "rate",
                "location",
            ],
        ),
        (
            "vendor",
            &[
                "id",
                "companyname",
                "isinactive",
                "currency",
                "lastmodifieddate",
            ],
        ),
        (
            "inventoryitemlocations",
            &["item", "location", "quantityonhand"],
        ),
        ("account", &["id", "acctnumber", "accttype"]),
    ];
    const LITERALS: [&str; 9] = [
        "1000001",
        "'PurchOrd'",
        "'T'",
        "5.5",
        "NULL",
        "'3/2/2026'",
        "TO_DATE('2026-01-01', 'YYYY-MM-DD')",
        "SYSDATE - 30",
        "'x'",
    ];
    const OPS: [&str; 6] = ["=", "<>", "<", ">=", "LIKE", "IN"];

    fn query_text() -> impl Strategy<Value = String> {
        (
            0..TABLES.len(),
            prop::collection::vec((0_usize..8, 0_usize..6), 1..4),
            prop::collection::vec((0_usize..8, 0..OPS.len(), 0..LITERALS.len()), 0..3),
            any::<bool>(),
            proptest::option::of((0_usize..8, any::<bool>())),
            proptest::option::of(1_u64..5),
        )
            .prop_map(|(table, items, conditions, or, order, fetch)| {
                let (name, columns) = TABLES[table];
                let column = |i: usize| columns[i % columns.len()];
                let select: Vec<String> = items
                    .iter()
                    .map(|(c, shape)| match shape {
                        0 => column(*c).to_owned(),
                        1 => format!("TO_CHAR({})", column(*c)),
                        2 => format!("BUILTIN.DF({})", column(*c)),
                        3 => format!("{} || '-'", column(*c)),
                        4 => format!("NVL({}, 0) + 1", column(*c)),
                        _ => String::from("COUNT(*)"),
                    })
                    .collect();
                let mut text = format!("SELECT {} FROM {name}", select.join(", "));
                let conditions: Vec<String> = conditions
                    .iter()
                    .map(|(c, op, literal)| match OPS[*op] {
                        "IN" => format!("{} IN ({}, 1)", column(*c), LITERALS[*literal]),
                        op => format!("{} {op} {}", column(*c), LITERALS[*literal]),
                    })
                    .collect();
                if !conditions.is_empty() {
                    text.push_str(" WHERE ");
                    text.push_str(&conditions.join(if or { " OR " } else { " AND " }));
                }
                if let Some((c, descending)) = order {
                    text.push_str(&format!(
                        " ORDER BY {}{}",
                        column(c),
                        if descending { " DESC" } else { "" }
                    ));
                }
                if let Some(n) = fetch {
                    text.push_str(&format!(" FETCH FIRST {n} ROWS ONLY"));
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever a well-formed query asks, the answer is rows or NetSuite's refusal.
        #[test]
        fn queries_over_real_tables_never_panic(text in query_text(), offset in 0_u64..3) {
            let (data, now) = data();
            if let Ok(outcome) = query(&data, now, &text, offset * 2, 2) {
                prop_assert!(outcome.rows.len() <= 2);
            }
        }
    }
}
