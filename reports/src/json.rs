//! `report.json`: the machine-readable rendering, and reading it back.
//!
//! Key order is stable without any sorting here: struct fields serialize in declaration order
//! and every map in the model is a `BTreeMap` (the workspace keeps serde_json's
//! `preserve_order` off).

use serde::Deserialize;

use crate::error::ReportError;
use crate::model::{Report, SCHEMA_VERSION};

/// Renders the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> Result<String, ReportError> {
    let mut json = serde_json::to_string_pretty(report)?;
    json.push('\n');
    Ok(json)
}

/// Reads a `report.json` back, refusing layouts newer than this build understands.
pub fn parse(json: &str) -> Result<Report, ReportError> {
    // The version is read on its own first so that a newer file fails with a clear message
    // rather than with whatever field happens to be missing or renamed.
    #[derive(Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let Version { schema_version } = serde_json::from_str(json)?;
    if schema_version > SCHEMA_VERSION {
        return Err(ReportError::UnsupportedSchema {
            found: schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(serde_json::from_str(json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_schema_is_refused() {
        let err = parse(r#"{"schema_version": 2}"#).err();
        assert!(
            matches!(
                err,
                Some(ReportError::UnsupportedSchema {
                    found: 2,
                    supported: 1
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(matches!(parse("{"), Err(ReportError::Json(_))));
    }
}
