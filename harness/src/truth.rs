//! Comparing the records an API serves with the emulator's ground truth.
//!
//! "Exact" (catalog): every ground-truth id once, with the source's change timestamp, and nothing
//! else.

use crate::TruthRecord;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// How a set of served records differs from the truth.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// In the truth, not served.
    pub missing: Vec<String>,
    /// Served, not in the truth.
    pub unexpected: Vec<String>,
    /// Served more than once.
    pub duplicated: Vec<String>,
    /// Served with another change timestamp than the source's: (id, served, truth).
    pub stale: Vec<(String, String, String)>,
    /// Served records without a readable `remote_id` or `remote_updated_at`.
    pub unreadable: usize,
}

impl Diff {
    pub fn is_exact(&self) -> bool {
        *self == Diff::default()
    }

    /// A short text for evidence: counts, then the first few ids of each kind.
    pub fn describe(&self, expected: usize, served: usize) -> String {
        let mut out = format!("expected {expected} records, served {served}\n");
        let mut list = |name: &str, ids: Vec<String>| {
            if !ids.is_empty() {
                let shown: Vec<_> = ids.iter().take(10).cloned().collect();
                let more = if ids.len() > 10 { ", …" } else { "" };
                let _ = writeln!(out, "{name} ({}): {}{more}", ids.len(), shown.join(", "));
            }
        };
        list("- missing", self.missing.clone());
        list("+ unexpected", self.unexpected.clone());
        list("! duplicated", self.duplicated.clone());
        list(
            "~ stale change time (served vs source)",
            self.stale
                .iter()
                .map(|(id, s, t)| format!("{id} {s} vs {t}"))
                .collect(),
        );
        if self.unreadable > 0 {
            let _ = writeln!(
                out,
                "? records without remote_id/remote_updated_at: {}",
                self.unreadable
            );
        }
        out
    }
}

/// Compares API records (`remote_id`, `remote_updated_at`) with the truth.
pub fn compare(served: &[Value], truth: &[TruthRecord]) -> Diff {
    let mut diff = Diff::default();
    let expected: BTreeMap<&str, Option<DateTime<Utc>>> = truth
        .iter()
        .map(|t| (t.id.as_str(), t.changed_at))
        .collect();
    let mut seen = BTreeSet::new();
    for record in served {
        let id = record.get("remote_id").and_then(Value::as_str);
        let at = record
            .get("remote_updated_at")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<DateTime<Utc>>().ok());
        let (Some(id), Some(at)) = (id, at) else {
            diff.unreadable += 1;
            continue;
        };
        if !seen.insert(id.to_owned()) {
            diff.duplicated.push(id.to_owned());
            continue;
        }
        match expected.get(id) {
            None => diff.unexpected.push(id.to_owned()),
            // Entities without change stamps are compared by id here, by value elsewhere.
            Some(Some(t)) if *t != at => {
                diff.stale
                    .push((id.to_owned(), at.to_rfc3339(), t.to_rfc3339()))
            }
            Some(_) => {}
        }
    }
    diff.missing = expected
        .keys()
        .filter(|id| !seen.contains(**id))
        .map(|id| id.to_string())
        .collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn truth(rows: &[(&str, &str)]) -> Vec<TruthRecord> {
        rows.iter()
            .map(|(id, t)| TruthRecord {
                id: id.to_string(),
                changed_at: Some(t.parse().unwrap()),
                values: Default::default(),
            })
            .collect()
    }

    #[test]
    fn every_kind_of_difference_is_caught() {
        let t = truth(&[
            ("1", "2026-01-01T00:00:00Z"),
            ("2", "2026-01-02T00:00:00Z"),
            ("3", "2026-01-03T00:00:00Z"),
        ]);
        let exact = [
            json!({"remote_id": "3", "remote_updated_at": "2026-01-03T00:00:00Z"}),
            json!({"remote_id": "1", "remote_updated_at": "2026-01-01T00:00:00.000Z"}),
            json!({"remote_id": "2", "remote_updated_at": "2026-01-02T01:00:00+01:00"}),
        ];
        assert!(compare(&exact, &t).is_exact());
        let served = [
            json!({"remote_id": "1", "remote_updated_at": "2026-01-01T00:00:00Z"}),
            json!({"remote_id": "1", "remote_updated_at": "2026-01-01T00:00:00Z"}),
            json!({"remote_id": "2", "remote_updated_at": "2026-01-02T00:00:01Z"}),
            json!({"remote_id": "9", "remote_updated_at": "2026-01-02T00:00:00Z"}),
            json!({"id": "x"}),
        ];
        let d = compare(&served, &t);
        assert_eq!(d.missing, ["3"]);
        assert_eq!(d.unexpected, ["9"]);
        assert_eq!(d.duplicated, ["1"]);
        assert_eq!(d.stale.len(), 1);
        assert_eq!(d.unreadable, 1);
        let text = d.describe(3, 5);
        assert!(text.contains("- missing (1): 3"), "{text}");
    }
}
