//! Snapshot and contract tests of the four renderings of one fixed sample report.
//!
//! The sample is built to stress escaping: its failure evidence carries `|`, `<script>`,
//! backtick fences and several lines, which each rendering must keep intact and inert.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use mw_reports::{
    CheckResult, Evidence, FaultRow, Metric, Performance, Report, ReportError, Status, Verdict,
    html, json, junit, markdown, summary_table, write_all,
};

fn generated_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 10, 30, 0)
        .single()
        .expect("a valid fixed instant")
}

fn sample() -> Report {
    let evidence = Evidence {
        request: Some(
            "GET /v1/connections/c_1/purchase-orders?limit=500\nAuthorization: Bearer <redacted>"
                .to_owned(),
        ),
        response_excerpt: Some(
            "{\"data\": [{\"remote_id\": \"4500000017\", \"notes\": \"<script>alert('x')</script>\"}]}"
                .to_owned(),
        ),
        diff: Some(
            "--- expected (emulator ground truth)\n+++ found (store)\n- 4500000017 | 2026-01-14T09:00:00Z\n+ 4500000017 | 2026-01-14T08:00:00Z\n  ```fence``` inside"
                .to_owned(),
        ),
        notes: vec![
            "window: last 30 days | 120 records".to_owned(),
            "compare `remote_updated_at` <UTC>".to_owned(),
        ],
    };
    let checks = vec![
        CheckResult::passed(
            "AUTH-001",
            "Valid credentials connect: 201, the connection is usable, and no secret appears in the response.",
            412,
        ),
        CheckResult::failed(
            "READ-001/purchase-orders",
            "Initial sync is exact for the entity (transactional entities: changed within the lookback; master data: all).",
            12_345,
            "1 of 120 records has a shifted remote_updated_at | timezone lost",
            evidence,
        ),
        CheckResult::passed(
            "READ-001/vendors",
            "Initial sync is exact for the entity (transactional entities: changed within the lookback; master data: all).",
            980,
        ),
        CheckResult::skipped(
            "WRITE-004",
            "Create a vendor.",
            "capability `vendors.create` is not offered | the connector is read-only for vendors",
        ),
    ];
    let faults = vec![
        FaultRow {
            check_id: "RETRY-006".to_owned(),
            fault: "connection reset before and during the body".to_owned(),
            plan: Some("reset".to_owned()),
            status: Status::Passed,
            detail: Some("fault plan `reset`: 3 faults injected | 120 records, exact".to_owned()),
        },
        FaultRow {
            check_id: "RETRY-004".to_owned(),
            fault: "429 without `Retry-After`".to_owned(),
            plan: None,
            status: Status::Failed,
            detail: Some("sync through <the limit> is not exact".to_owned()),
        },
    ];
    Report::new("sap", "SAP S/4HANA", "tiny", 7, generated_at(), checks)
        .with_performance(Performance {
            metrics: vec![
                Metric::new("initial sync purchase-orders", 1834.567, "records/s")
                    .with_note("tiny profile, 2 cores"),
                Metric::new("peak RSS", 48.0, "MB"),
            ],
        })
        .with_faults(faults)
}

fn rendered(result: Result<String, ReportError>) -> String {
    result.unwrap_or_else(|error| panic!("rendering failed: {error}"))
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("report_json", rendered(json::render(&sample())));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("report_junit", rendered(junit::render(&sample())));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("report_markdown", rendered(markdown::render(&sample())));
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!("report_html", rendered(html::render(&sample())));
}

#[test]
fn json_round_trips() {
    let report = sample().with_target("https://connectors.example.com/api");
    let text = rendered(json::render(&report));
    let back = json::parse(&text).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(back, report);
    assert_eq!(rendered(json::render(&back)), text);
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let value: serde_json::Value =
        serde_json::from_str(&rendered(json::render(&sample()))).expect("valid JSON");

    let keys = |value: &serde_json::Value| -> BTreeSet<String> {
        value
            .as_object()
            .map(|object| object.keys().cloned().collect())
            .unwrap_or_default()
    };
    let set = |names: &[&str]| -> BTreeSet<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    };

    // The brief's keys, plus the documented additions (`target`, `faults`; `required` on checks).
    let brief_top = [
        "schema_version",
        "connector",
        "system",
        "profile",
        "seed",
        "generated_at",
        "summary",
        "checks",
        "coverage",
        "performance",
    ];
    let mut expected_top = set(&brief_top);
    expected_top.insert("target".to_owned());
    expected_top.insert("faults".to_owned());
    assert_eq!(keys(&value), expected_top);
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["generated_at"], "2026-01-15T10:30:00Z");
    assert!(value["target"].is_null());

    assert_eq!(
        keys(&value["summary"]),
        set(&["passed", "failed", "skipped"])
    );
    assert_eq!(value["summary"]["failed"], 1);

    let checks = value["checks"].as_array().expect("checks is an array");
    let mut expected_check = set(&[
        "id",
        "area",
        "title",
        "status",
        "duration_ms",
        "reason",
        "evidence",
    ]);
    expected_check.insert("required".to_owned());
    for check in checks {
        assert_eq!(keys(check), expected_check, "{check}");
    }
    let statuses: Vec<&str> = checks.iter().filter_map(|c| c["status"].as_str()).collect();
    assert_eq!(statuses, ["PASSED", "FAILED", "PASSED", "SKIPPED"]);
    // Absent reason and evidence stay as explicit nulls.
    assert!(checks[0]["reason"].is_null() && checks[0]["evidence"].is_null());
}

/// Reads an attribute of the first element named `tag`.
fn attribute(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let element = &xml[start..start + xml[start..].find('>')?];
    let needle = format!(" {name}=\"");
    let value_start = element.find(&needle)? + needle.len();
    let value_len = element[value_start..].find('"')?;
    Some(element[value_start..value_start + value_len].to_owned())
}

#[test]
fn junit_counts_match_the_summary() {
    let xml = rendered(junit::render(&sample()));
    for tag in ["testsuites", "testsuite"] {
        assert_eq!(attribute(&xml, tag, "tests").as_deref(), Some("4"), "{tag}");
        assert_eq!(
            attribute(&xml, tag, "failures").as_deref(),
            Some("1"),
            "{tag}"
        );
        assert_eq!(
            attribute(&xml, tag, "skipped").as_deref(),
            Some("1"),
            "{tag}"
        );
        assert_eq!(
            attribute(&xml, tag, "errors").as_deref(),
            Some("0"),
            "{tag}"
        );
    }
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert_eq!(xml.matches("<testcase ").count(), 4);

    // And the document parses back with the same counts.
    let parsed = quick_junit::Report::deserialize_from_str(&xml)
        .unwrap_or_else(|error| panic!("JUnit XML does not parse back: {error}"));
    assert_eq!(
        (parsed.tests, parsed.failures, parsed.skipped, parsed.errors),
        (4, 1, 1, 0)
    );
    assert_eq!(parsed.test_suites.len(), 1);
}

#[test]
fn html_escapes_evidence() {
    let page = rendered(html::render(&sample()));
    assert!(!page.contains("<script"), "evidence became markup");
    assert!(page.contains("&lt;script&gt;"));
    assert!(page.contains("<details>"));
    // Self-contained: no external stylesheets, scripts or images.
    for external in ["<link", "<script", "src=", "http://", "https://"] {
        assert!(!page.contains(external), "found {external}");
    }
}

#[test]
fn markdown_escapes_pipes_in_table_cells() {
    let text = rendered(markdown::render(&sample()));
    // Every row of a table has as many unescaped separators as the table's header row.
    let mut header_separators = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            header_separators = None;
            continue;
        }
        let separators = line.replace("\\|", "").matches('|').count();
        let expected = *header_separators.get_or_insert(separators);
        assert_eq!(separators, expected, "{line}");
    }
    assert!(text.contains("is not offered \\| the connector"));
}

#[test]
fn verdict_and_exit_decision() {
    let report = sample();
    assert_eq!(report.verdict(), Verdict::NotCertified);
    assert!(report.has_required_failures());

    let mut relaxed = sample();
    for check in &mut relaxed.checks {
        if check.status == Status::Failed {
            check.required = false;
        }
    }
    assert_eq!(relaxed.verdict(), Verdict::CertifiedWithWarnings);
    assert!(!relaxed.has_required_failures());
}

#[test]
fn write_all_writes_four_files() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mw-reports-write-all-{}", std::process::id()))
        .join("sap");
    let report = sample();
    let written = write_all(&report, &dir).unwrap_or_else(|error| panic!("{error}"));
    let names: Vec<_> = written
        .paths()
        .iter()
        .filter_map(|path| path.file_name()?.to_str().map(str::to_owned))
        .collect();
    assert_eq!(
        names,
        ["report.json", "report.xml", "report.md", "report.html"]
    );
    for path in written.paths() {
        let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{error}"));
        assert!(!text.is_empty(), "{}", path.display());
    }
    let back = std::fs::read_to_string(&written.json)
        .map_err(|source| ReportError::Io {
            path: written.json.clone(),
            source,
        })
        .and_then(|text| json::parse(&text))
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(back, report);
    assert!(!dir.join("report.json.tmp").exists());
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
}

#[test]
fn summary_table_lists_each_connector() {
    let table = summary_table(&[sample()]);
    assert_eq!(
        table,
        "CONNECTOR  PASSED  FAILED  SKIPPED  VERDICT\n\
         sap             2       1        1  NOT CERTIFIED\n"
    );
}

#[test]
fn empty_report_renders_every_format() {
    let empty = Report::new(
        "maximo",
        "IBM Maximo",
        "tiny",
        1,
        generated_at(),
        Vec::new(),
    )
    .with_target("https://maximo.example.com/api");
    let page = rendered(html::render(&empty));
    let text = rendered(markdown::render(&empty));
    for rendering in [&page, &text] {
        for line in [
            "No checks were run.",
            "No check failed.",
            "No check was skipped.",
            "No measurements",
        ] {
            assert!(rendering.contains(line), "missing {line:?}");
        }
    }
    assert!(text.contains("| Target | https://maximo.example.com/api |"));
    assert!(rendered(junit::render(&empty)).contains("tests=\"0\""));
    assert_eq!(empty.verdict(), Verdict::Certified);
    let back =
        json::parse(&rendered(json::render(&empty))).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(back, empty);
}
