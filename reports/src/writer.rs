//! Writing a report's four files, and the terminal summary of several reports.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::ReportError;
use crate::model::Report;
use crate::{html, json, junit, markdown};

/// Paths of the files [`write_all`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFiles {
    /// `report.json`.
    pub json: PathBuf,
    /// `report.xml` (JUnit).
    pub junit: PathBuf,
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
}

impl WrittenFiles {
    /// All four paths, JSON first.
    pub fn paths(&self) -> [&Path; 4] {
        [&self.json, &self.junit, &self.markdown, &self.html]
    }
}

/// Writes `report.json`, `report.xml`, `report.md` and `report.html` into `dir`, creating it.
///
/// Everything is rendered before anything is written, so a rendering error leaves the previous
/// files in place rather than a mix of old and new.
pub fn write_all(report: &Report, dir: &Path) -> Result<WrittenFiles, ReportError> {
    let contents = [
        json::render(report)?,
        junit::render(report)?,
        markdown::render(report)?,
        html::render(report)?,
    ];
    fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let written = WrittenFiles {
        json: dir.join("report.json"),
        junit: dir.join("report.xml"),
        markdown: dir.join("report.md"),
        html: dir.join("report.html"),
    };
    for (path, text) in written.paths().into_iter().zip(&contents) {
        write_replacing(path, text)?;
    }
    Ok(written)
}

/// Writes through a temporary sibling and a rename, so a tool watching the directory never
/// reads a half-written `report.json`.
fn write_replacing(path: &Path, contents: &str) -> Result<(), ReportError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    fs::write(&temporary, contents).map_err(io_error(&temporary))?;
    fs::rename(&temporary, path).map_err(io_error(path))
}

/// A plain-text table of reports for the terminal: connector, passed, failed, skipped, verdict.
pub fn summary_table(reports: &[Report]) -> String {
    let header = ["CONNECTOR", "PASSED", "FAILED", "SKIPPED", "VERDICT"];
    let rows: Vec<[String; 5]> = reports
        .iter()
        .map(|report| {
            [
                report.connector.clone(),
                report.summary.passed.to_string(),
                report.summary.failed.to_string(),
                report.summary.skipped.to_string(),
                report.verdict().label().to_owned(),
            ]
        })
        .collect();

    let mut widths = header.map(|title| title.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    push_row(&mut out, &header.map(str::to_owned), &widths);
    for row in &rows {
        push_row(&mut out, row, &widths);
    }
    out
}

fn push_row(out: &mut String, cells: &[String; 5], widths: &[usize; 5]) {
    let mut line = String::new();
    for (column, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        if column > 0 {
            line.push_str("  ");
        }
        // Counts are right-aligned so their digits line up; names and verdicts read from the left.
        let numeric = (1..=3).contains(&column);
        let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
        if numeric {
            line.push_str(&pad);
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.push_str(&pad);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::model::{CheckResult, Evidence};

    #[test]
    fn summary_table_aligns_columns() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let sap = Report::new(
            "sap",
            "SAP S/4HANA",
            "tiny",
            7,
            at,
            vec![
                CheckResult::passed("AUTH-001", "t", 1),
                CheckResult::failed("AUTH-002", "t", 1, "r", Evidence::default()),
            ],
        );
        let netsuite = Report::new(
            "netsuite",
            "NetSuite",
            "tiny",
            7,
            at,
            vec![CheckResult::passed("AUTH-001", "t", 1)],
        );
        assert_eq!(
            summary_table(&[sap, netsuite]),
            "CONNECTOR  PASSED  FAILED  SKIPPED  VERDICT\n\
             sap             1       1        0  NOT CERTIFIED\n\
             netsuite        1       0        0  CERTIFIED\n"
        );
    }
}
