//! The one error type of this crate.

use std::path::PathBuf;

/// Anything that can go wrong while rendering, writing or reading a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The report could not be turned into JSON, or a file could not be parsed as a report.
    #[error("report JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JUnit XML could not be produced.
    #[error("JUnit XML: {0}")]
    Junit(#[from] quick_junit::SerializeError),
    /// A Markdown or HTML template failed to load or render.
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
    /// A `report.json` of a layout this crate does not know.
    #[error("report.json has schema_version {found}; this build reads up to {supported}")]
    UnsupportedSchema {
        /// The version in the file.
        found: u32,
        /// [`crate::SCHEMA_VERSION`].
        supported: u32,
    },
    /// Creating the output directory or writing a file failed.
    #[error("writing {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
}
