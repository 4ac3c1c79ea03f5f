//! Certification reports: the model of one connector's conformance run and its four renderings.
//!
//! [`Report`] is built by the suites from check results; [`write_all`] writes `report.json`
//! (the contract other tools parse), `report.xml` (JUnit), `report.md` and `report.html`;
//! [`summary_table`] is what `cargo xtask certify` prints; [`Report::has_required_failures`]
//! decides its exit code.

pub mod error;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
mod templates;
pub mod writer;

pub use error::ReportError;
pub use model::{
    AreaCoverage, CheckResult, Coverage, Evidence, FaultRow, Metric, Performance, Report,
    SCHEMA_VERSION, Status, Summary, Verdict, area_of,
};
pub use writer::{WrittenFiles, summary_table, write_all};
