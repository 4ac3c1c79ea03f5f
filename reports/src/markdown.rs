//! `report.md`: the report for people reading it in a repository or a pull request.
//!
//! The layout lives in `templates/report.md.jinja`; escaping of table cells and the fences around
//! evidence are filters in the shared template module.

use crate::error::ReportError;
use crate::model::Report;
use crate::templates;

/// Renders the report as GitHub-flavoured Markdown.
pub fn render(report: &Report) -> Result<String, ReportError> {
    templates::render(templates::MARKDOWN, report)
}
