//! `report.html`: one self-contained page (inline CSS, no scripts, no external assets) so it can
//! be opened from a CI artifact or mailed as is.
//!
//! The layout lives in `templates/report.html.jinja`, rendered with HTML auto-escaping on:
//! evidence holds whatever the upstream system answered and must never become markup.

use crate::error::ReportError;
use crate::model::Report;
use crate::templates;

/// Renders the report as a standalone HTML page.
pub fn render(report: &Report) -> Result<String, ReportError> {
    templates::render(templates::HTML, report)
}
