//! `report.xml`: the report as JUnit XML, so CI systems show each check as a test.
//!
//! One `<testsuite>` per connector and one `<testcase>` per check. The case name starts with the
//! stable check ID so CI test history follows a check even if its title is reworded; the class
//! name groups cases by connector and area.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use crate::error::ReportError;
use crate::model::{CheckResult, Report, Status};

/// Renders the report as a JUnit XML document.
pub fn render(report: &Report) -> Result<String, ReportError> {
    let mut suite = TestSuite::new(report.connector.as_str());
    suite.set_timestamp(report.generated_at);
    suite.set_time(Duration::from_millis(total_ms(report)));
    suite.add_properties([
        Property::new("system", report.system.as_str()),
        Property::new("profile", report.profile.as_str()),
        Property::new("seed", report.seed.to_string()),
        Property::new("schema_version", report.schema_version.to_string()),
        Property::new("verdict", report.verdict().label()),
    ]);
    if let Some(target) = &report.target {
        suite.add_property(Property::new("target", target.as_str()));
    }
    suite.add_test_cases(report.checks.iter().map(|check| test_case(report, check)));

    let mut junit =
        quick_junit::Report::new(format!("millwright certification: {}", report.connector));
    junit.set_timestamp(report.generated_at);
    junit.set_time(Duration::from_millis(total_ms(report)));
    junit.add_test_suite(suite);
    Ok(junit.to_string()?)
}

fn total_ms(report: &Report) -> u64 {
    report
        .checks
        .iter()
        .fold(0u64, |sum, check| sum.saturating_add(check.duration_ms))
}

fn test_case(report: &Report, check: &CheckResult) -> TestCase {
    let evidence = check
        .evidence
        .as_ref()
        .filter(|evidence| !evidence.is_empty())
        .map(|evidence| evidence.to_text());

    let status = match check.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            // The catalog promises a reason with every failure; if a check broke that promise
            // the message still says something rather than nothing.
            status.set_message(check.reason.as_deref().unwrap_or("failed without a reason"));
            status.set_type(if check.required {
                "required"
            } else {
                "optional"
            });
            if let Some(text) = &evidence {
                status.set_description(text.as_str());
            }
            status
        }
        Status::Skipped => {
            let mut status = TestCaseStatus::skipped();
            if let Some(reason) = &check.reason {
                status.set_message(reason.as_str());
            }
            status
        }
    };

    let mut case = TestCase::new(format!("{}: {}", check.id, check.title), status);
    case.set_classname(format!("{}.{}", report.connector, check.area));
    case.set_time(Duration::from_millis(check.duration_ms));
    case.add_property(Property::new("id", check.id.as_str()));
    case.add_property(Property::new("required", check.required.to_string()));
    // Evidence of a passing check (counts, notes) has no failure element to live in.
    if check.status != Status::Failed
        && let Some(text) = evidence
    {
        case.set_system_out(text);
    }
    case
}
