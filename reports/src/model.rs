//! The certification report model: one [`Report`] per connector run.
//!
//! Its JSON form (`report.json`) is a contract other tools parse, so the serde layout here is
//! deliberate: field order is declaration order (the JSON renderer relies on it for a stable key
//! order), maps are `BTreeMap`s, `reason` and `evidence` stay present as `null` when absent, and
//! every field added after schema version 1 carries a serde default so older files still load.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Version of the `report.json` layout. Adding fields keeps it; removing or renaming one bumps it.
pub const SCHEMA_VERSION: u32 = 1;

/// The certification report of one connector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`] when written by this crate.
    pub schema_version: u32,
    /// Short connector name as used on the command line, e.g. `sap`.
    pub connector: String,
    /// Human name of the certified system, e.g. `SAP S/4HANA`.
    pub system: String,
    /// Volume profile of the emulator data, e.g. `tiny`.
    pub profile: String,
    /// Seed of the emulator data; with `profile` it reproduces the run.
    pub seed: u64,
    /// When the report was produced.
    pub generated_at: DateTime<Utc>,
    /// URL of the API certified when it was not the built-in unified API (`--target`).
    #[serde(default)]
    pub target: Option<String>,
    /// Counts by status, derived from `checks`.
    pub summary: Summary,
    /// One entry per check (and per entity or operation for checks that apply to several).
    pub checks: Vec<CheckResult>,
    /// Counts by area and by entity, derived from `checks`.
    pub coverage: Coverage,
    /// Measurements reported beside the checks; they never decide the verdict.
    pub performance: Performance,
    /// The fault matrix: each fault kind the emulator injected and what the sync made of it, one
    /// row per RETRY check (added after schema version 1; absent in older files).
    #[serde(default)]
    pub faults: Vec<FaultRow>,
}

/// One row of the fault matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRow {
    /// The RETRY check that injected it: `RETRY-006`.
    pub check_id: String,
    /// What was injected, in words: `connection reset before and during the body`.
    pub fault: String,
    /// The emulator's fault plan (`fixtures/faults/<plan>.toml`), when the fault layer injected
    /// it; `None` when the system produces it itself (NetSuite's concurrency limit) or the harness
    /// does (a killed process).
    pub plan: Option<String>,
    /// The check's verdict: PASSED means the sync was exact (or failed cleanly and then was).
    pub status: Status,
    /// How it went: faults injected, records compared, or why it failed or was skipped.
    pub detail: Option<String>,
}

impl Report {
    /// Builds a report for a run, deriving `summary` and `coverage` from `checks`.
    ///
    /// The target defaults to the built-in API and performance to no measurements; set them with
    /// [`Report::with_target`] and [`Report::with_performance`].
    pub fn new(
        connector: impl Into<String>,
        system: impl Into<String>,
        profile: impl Into<String>,
        seed: u64,
        generated_at: DateTime<Utc>,
        checks: Vec<CheckResult>,
    ) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            connector: connector.into(),
            system: system.into(),
            profile: profile.into(),
            seed,
            generated_at,
            target: None,
            summary: Summary::from_checks(&checks),
            coverage: Coverage::from_checks(&checks),
            checks,
            performance: Performance::default(),
            faults: Vec::new(),
        }
    }

    /// Records the URL of an external implementation that was certified instead of the built-in one.
    #[must_use]
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Attaches the fault matrix.
    #[must_use]
    pub fn with_faults(mut self, faults: Vec<FaultRow>) -> Self {
        self.faults = faults;
        self
    }

    /// Attaches performance measurements.
    #[must_use]
    pub fn with_performance(mut self, performance: Performance) -> Self {
        self.performance = performance;
        self
    }

    /// Recomputes `summary` and `coverage` after `checks` were changed in place.
    pub fn recompute(&mut self) {
        self.summary = Summary::from_checks(&self.checks);
        self.coverage = Coverage::from_checks(&self.checks);
    }

    /// True when at least one required check FAILED: `certify` then exits non-zero.
    pub fn has_required_failures(&self) -> bool {
        self.checks
            .iter()
            .any(|check| check.required && check.status == Status::Failed)
    }

    /// The overall verdict. Skipped checks never affect it: a skip means the connector lacks a
    /// capability, which the report states but does not hold against it.
    pub fn verdict(&self) -> Verdict {
        if self.has_required_failures() {
            Verdict::NotCertified
        } else if self
            .checks
            .iter()
            .any(|check| check.status == Status::Failed)
        {
            Verdict::CertifiedWithWarnings
        } else {
            Verdict::Certified
        }
    }
}

/// Overall outcome of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// No check failed.
    Certified,
    /// Only checks marked not required failed.
    CertifiedWithWarnings,
    /// A required check failed.
    NotCertified,
}

impl Verdict {
    /// The label printed in summaries, e.g. `NOT CERTIFIED`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Certified => "CERTIFIED",
            Self::CertifiedWithWarnings => "CERTIFIED WITH WARNINGS",
            Self::NotCertified => "NOT CERTIFIED",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Counts of checks by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Checks that PASSED.
    pub passed: u32,
    /// Checks that FAILED.
    pub failed: u32,
    /// Checks that were SKIPPED.
    pub skipped: u32,
}

impl Summary {
    /// Counts the statuses of `checks`.
    pub fn from_checks<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Self {
        let mut summary = Self::default();
        for check in checks {
            summary.count(check.status);
        }
        summary
    }

    /// All checks counted.
    pub fn total(&self) -> u32 {
        self.passed
            .saturating_add(self.failed)
            .saturating_add(self.skipped)
    }

    fn count(&mut self, status: Status) {
        // Saturating: a report with four billion checks is absurd, but overflow must not panic.
        let slot = match status {
            Status::Passed => &mut self.passed,
            Status::Failed => &mut self.failed,
            Status::Skipped => &mut self.skipped,
        };
        *slot = slot.saturating_add(1);
    }
}

/// Verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The check ran and held.
    Passed,
    /// The check ran and did not hold; evidence says why.
    Failed,
    /// The connector lacks a capability the check needs; the reason says which.
    Skipped,
}

impl Status {
    /// The label used in every rendering: `PASSED`, `FAILED` or `SKIPPED`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Passed => "PASSED",
            Self::Failed => "FAILED",
            Self::Skipped => "SKIPPED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The result of one check (or one entity or operation of a check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable catalog ID, with the entity or operation after a slash: `READ-001/purchase-orders`.
    pub id: String,
    /// Catalog area, the ID's prefix: `READ`.
    pub area: String,
    /// One-line title from the catalog.
    pub title: String,
    /// The verdict.
    pub status: Status,
    /// Whether a failure of this check denies certification. Absent in a file means required,
    /// because that is what every catalog check is unless stated otherwise.
    #[serde(default = "required_by_default")]
    pub required: bool,
    /// Wall time the check took.
    pub duration_ms: u64,
    /// Why the check was skipped or failed, one line.
    pub reason: Option<String>,
    /// What was sent, what came back, and how it differed from what was expected.
    pub evidence: Option<Evidence>,
}

fn required_by_default() -> bool {
    true
}

impl CheckResult {
    /// A check result with the area taken from the ID, required, with no reason or evidence.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        status: Status,
        duration_ms: u64,
    ) -> Self {
        let id = id.into();
        Self {
            area: area_of(&id).to_owned(),
            id,
            title: title.into(),
            status,
            required: true,
            duration_ms,
            reason: None,
            evidence: None,
        }
    }

    /// A PASSED check.
    pub fn passed(id: impl Into<String>, title: impl Into<String>, duration_ms: u64) -> Self {
        Self::new(id, title, Status::Passed, duration_ms)
    }

    /// A FAILED check; the catalog requires evidence with every failure.
    pub fn failed(
        id: impl Into<String>,
        title: impl Into<String>,
        duration_ms: u64,
        reason: impl Into<String>,
        evidence: Evidence,
    ) -> Self {
        Self::new(id, title, Status::Failed, duration_ms)
            .with_reason(reason)
            .with_evidence(evidence)
    }

    /// A SKIPPED check, with the capability the connector lacks as its reason.
    pub fn skipped(
        id: impl Into<String>,
        title: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(id, title, Status::Skipped, 0).with_reason(reason)
    }

    /// Sets the one-line reason.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets the evidence.
    #[must_use]
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = Some(evidence);
        self
    }

    /// Marks whether a failure of this check denies certification.
    #[must_use]
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// The entity or operation after the slash, if the ID carries one.
    pub fn entity(&self) -> Option<&str> {
        self.id
            .split_once('/')
            .map(|(_, entity)| entity)
            .filter(|entity| !entity.is_empty())
    }
}

/// The area of a check ID: everything before the first `-`, or the whole ID before any slash.
pub fn area_of(id: &str) -> &str {
    let base = id.split_once('/').map_or(id, |(base, _)| base);
    base.split_once('-').map_or(base, |(area, _)| area)
}

/// Evidence of a check, mostly of a failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The request that showed the problem (method, path, relevant headers, body).
    pub request: Option<String>,
    /// An excerpt of the response.
    pub response_excerpt: Option<String>,
    /// A diff of what was expected against what was found.
    pub diff: Option<String>,
    /// Anything else worth knowing, one item per note.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Evidence {
    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.request.is_none()
            && self.response_excerpt.is_none()
            && self.diff.is_none()
            && self.notes.is_empty()
    }

    /// The evidence as plain text, one titled section per part, for places without structure
    /// (JUnit failure bodies).
    pub fn to_text(&self) -> String {
        let mut sections = Vec::new();
        for (title, part) in [
            ("Request", &self.request),
            ("Response excerpt", &self.response_excerpt),
            ("Diff", &self.diff),
        ] {
            if let Some(text) = part {
                sections.push(format!("{title}:\n{}", text.trim_end()));
            }
        }
        if !self.notes.is_empty() {
            let notes: Vec<String> = self.notes.iter().map(|note| format!("- {note}")).collect();
            sections.push(format!("Notes:\n{}", notes.join("\n")));
        }
        sections.join("\n\n")
    }
}

/// Counts by area and by entity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Per area (`AUTH`, `READ`, …).
    pub areas: BTreeMap<String, AreaCoverage>,
    /// Per entity or operation suffix (`purchase-orders`, …), for checks whose ID carries one.
    pub entities: BTreeMap<String, AreaCoverage>,
}

impl Coverage {
    /// Counts `checks` by area and by entity suffix.
    pub fn from_checks<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Self {
        let mut coverage = Self::default();
        for check in checks {
            coverage
                .areas
                .entry(check.area.clone())
                .or_default()
                .count(check.status);
            if let Some(entity) = check.entity() {
                coverage
                    .entities
                    .entry(entity.to_owned())
                    .or_default()
                    .count(check.status);
            }
        }
        coverage
    }
}

/// Counts of one area or entity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaCoverage {
    /// Checks that PASSED.
    pub passed: u32,
    /// Checks that FAILED.
    pub failed: u32,
    /// Checks that were SKIPPED.
    pub skipped: u32,
    /// All of the above.
    pub total: u32,
}

impl AreaCoverage {
    fn count(&mut self, status: Status) {
        let slot = match status {
            Status::Passed => &mut self.passed,
            Status::Failed => &mut self.failed,
            Status::Skipped => &mut self.skipped,
        };
        *slot = slot.saturating_add(1);
        self.total = self.total.saturating_add(1);
    }
}

/// Measurements reported beside the checks, never pass/fail: a shared machine's throughput
/// says too little about the connector to deny certification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// The measurements, in the order they were taken.
    pub metrics: Vec<Metric>,
}

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// What was measured, e.g. `initial sync purchase-orders`.
    pub name: String,
    /// The value. JSON has no NaN or infinity, so a non-finite value is written as `null` and
    /// read back as NaN rather than failing the whole report over one measurement.
    #[serde(deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Unit of `value`, e.g. `records/s`.
    pub unit: String,
    /// How it was measured, or caveats.
    pub note: Option<String>,
}

impl Metric {
    /// A measurement without a note.
    pub fn new(name: impl Into<String>, value: f64, unit: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value,
            unit: unit.into(),
            note: None,
        }
    }

    /// Adds a note.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

fn null_as_nan<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    #[test]
    fn area_is_the_id_prefix() {
        assert_eq!(area_of("READ-001/purchase-orders"), "READ");
        assert_eq!(area_of("AUTH-002"), "AUTH");
        assert_eq!(area_of("ODD"), "ODD");
        assert_eq!(area_of("X/a-b"), "X");
    }

    #[test]
    fn entity_is_the_suffix_after_the_slash() {
        assert_eq!(
            CheckResult::passed("READ-001/vendors", "t", 1).entity(),
            Some("vendors")
        );
        assert_eq!(CheckResult::passed("AUTH-001", "t", 1).entity(), None);
        assert_eq!(CheckResult::passed("AUTH-001/", "t", 1).entity(), None);
    }

    #[test]
    fn summary_and_coverage_are_derived_from_checks() {
        let report = Report::new(
            "sap",
            "SAP S/4HANA",
            "tiny",
            7,
            at(),
            vec![
                CheckResult::passed("READ-001/vendors", "t", 1),
                CheckResult::failed("READ-001/assets", "t", 1, "r", Evidence::default()),
                CheckResult::skipped("WRITE-004", "t", "no vendor create"),
            ],
        );
        assert_eq!(
            report.summary,
            Summary {
                passed: 1,
                failed: 1,
                skipped: 1
            }
        );
        assert_eq!(report.summary.total(), 3);
        let read = report
            .coverage
            .areas
            .get("READ")
            .copied()
            .unwrap_or_default();
        assert_eq!(
            (read.passed, read.failed, read.skipped, read.total),
            (1, 1, 0, 2)
        );
        assert_eq!(
            report.coverage.areas.get("WRITE").map(|c| c.skipped),
            Some(1)
        );
        assert_eq!(report.coverage.entities.len(), 2);
    }

    #[test]
    fn verdict_follows_required_failures() {
        let failed = CheckResult::failed("ERR-001", "t", 1, "r", Evidence::default());
        let pass = Report::new(
            "sap",
            "SAP",
            "tiny",
            1,
            at(),
            vec![CheckResult::skipped("A-1", "t", "r")],
        );
        assert_eq!(pass.verdict(), Verdict::Certified);

        let optional = Report::new(
            "sap",
            "SAP",
            "tiny",
            1,
            at(),
            vec![failed.clone().with_required(false)],
        );
        assert!(!optional.has_required_failures());
        assert_eq!(optional.verdict(), Verdict::CertifiedWithWarnings);

        let required = Report::new("sap", "SAP", "tiny", 1, at(), vec![failed]);
        assert!(required.has_required_failures());
        assert_eq!(required.verdict(), Verdict::NotCertified);
    }

    #[test]
    fn non_finite_metric_reads_back_as_nan() {
        let metric = Metric::new("rate", f64::INFINITY, "records/s");
        let json = serde_json::to_string(&metric).unwrap_or_default();
        assert!(json.contains("\"value\":null"), "{json}");
        let back: Metric = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert!(back.value.is_nan());
    }

    #[test]
    fn missing_later_fields_take_defaults() {
        let json = r#"{"id":"AUTH-001","area":"AUTH","title":"t","status":"PASSED","duration_ms":3,
                      "reason":null,"evidence":{"request":null,"response_excerpt":null,"diff":null}}"#;
        let check: CheckResult = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert!(check.required);
        assert_eq!(check.evidence.map(|e| e.notes.len()), Some(0));
    }
}
