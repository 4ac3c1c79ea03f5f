//! Shared template machinery for the Markdown and HTML renderings: the embedded templates, the
//! view handed to them, and the filters they use.
//!
//! Both renderings show the same content, so they share one view; grouping and escaping live in
//! Rust (tested here) rather than in template logic.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::error::ReportError;
use crate::model::{CheckResult, Report, Status, Summary, Verdict};

pub(crate) const MARKDOWN: &str = "report.md.jinja";
pub(crate) const HTML: &str = "report.html.jinja";

/// What the templates see.
#[derive(Serialize)]
struct View<'a> {
    report: &'a Report,
    verdict: &'static str,
    /// CSS class of the verdict banner.
    verdict_class: &'static str,
    total: u32,
    groups: Vec<Group<'a>>,
    failed: Vec<&'a CheckResult>,
    skipped: Vec<&'a CheckResult>,
}

/// The checks of one area, in the order the run produced them.
#[derive(Serialize)]
struct Group<'a> {
    area: &'a str,
    summary: Summary,
    checks: Vec<&'a CheckResult>,
}

impl<'a> View<'a> {
    fn new(report: &'a Report) -> Self {
        // Areas keep their order of first appearance: the suites run the catalog in its own
        // order (AUTH before READ …), which reads better than alphabetical.
        let mut groups: Vec<Group<'a>> = Vec::new();
        for check in &report.checks {
            match groups.iter_mut().find(|group| group.area == check.area) {
                Some(group) => group.checks.push(check),
                None => groups.push(Group {
                    area: &check.area,
                    summary: Summary::default(),
                    checks: vec![check],
                }),
            }
        }
        for group in &mut groups {
            group.summary = Summary::from_checks(group.checks.iter().copied());
        }
        let with_status = |status: Status| -> Vec<&'a CheckResult> {
            report
                .checks
                .iter()
                .filter(|check| check.status == status)
                .collect()
        };
        let verdict = report.verdict();
        Self {
            report,
            verdict: verdict.label(),
            verdict_class: match verdict {
                Verdict::Certified => "certified",
                Verdict::CertifiedWithWarnings => "warnings",
                Verdict::NotCertified => "not-certified",
            },
            total: report.summary.total(),
            groups,
            failed: with_status(Status::Failed),
            skipped: with_status(Status::Skipped),
        }
    }
}

/// Renders one of the embedded templates for `report`.
pub(crate) fn render(template: &str, report: &Report) -> Result<String, ReportError> {
    let env = environment()?;
    let view = View::new(report);
    Ok(env.get_template(template)?.render(Serde(&view))?)
}

fn environment() -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    // Strict: a misspelt field in a template must fail the tests, not print an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Stated rather than left to the default extension rule, because escaping the HTML page is
    // what keeps evidence (arbitrary upstream responses) from becoming markup.
    env.set_auto_escape_callback(|name| {
        if name == HTML {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("md_cell", |text: &str| md_inline(text, true));
    env.add_filter("md_text", |text: &str| md_inline(text, false));
    env.add_filter("fenced", fenced);
    env.add_filter("duration", duration);
    env.add_filter("num", num);
    env.add_filter("anchor", anchor);
    env.add_filter("html_inline", html_inline);
    env.add_template(MARKDOWN, include_str!("../templates/report.md.jinja"))?;
    env.add_template(HTML, include_str!("../templates/report.html.jinja"))?;
    Ok(env)
}

/// A piece of inline text: plain, or a Markdown code span (`` `like this` ``).
#[derive(Debug, PartialEq)]
enum Segment {
    Text(String),
    /// `ticks` is the length of the backtick runs that open and close the span.
    Code {
        ticks: usize,
        inner: String,
    },
}

/// Splits inline text into plain text and code spans, following CommonMark: a run of N
/// backticks opens a span closed by the next run of exactly N; an unclosed run is literal text.
fn segments(text: &str) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '`' {
            plain.push(c);
            i += 1;
            continue;
        }
        let ticks = run_length(&chars, i);
        match closing_run(&chars, i + ticks, ticks) {
            Some(close) => {
                if !plain.is_empty() {
                    out.push(Segment::Text(std::mem::take(&mut plain)));
                }
                let inner = chars
                    .get(i + ticks..close)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                out.push(Segment::Code { ticks, inner });
                i = close + ticks;
            }
            None => {
                plain.extend(std::iter::repeat_n('`', ticks));
                i += ticks;
            }
        }
    }
    if !plain.is_empty() {
        out.push(Segment::Text(plain));
    }
    out
}

/// Makes free text safe inline in Markdown: one line, no raw HTML, and in table cells no `|`.
///
/// `<`, `>` and `&` are escaped only outside code spans, because inside them entities would be
/// shown literally while titles do use code spans (`` `not_supported` ``). A `|` is escaped
/// everywhere, code spans included, since GFM splits table cells before it parses spans.
fn md_inline(text: &str, table_cell: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        match segment {
            Segment::Text(plain) => {
                for c in plain.chars() {
                    match c {
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        '&' => out.push_str("&amp;"),
                        other => push_plain(&mut out, other, table_cell),
                    }
                }
            }
            Segment::Code { ticks, inner } => {
                let fence = "`".repeat(ticks);
                out.push_str(&fence);
                for c in inner.chars() {
                    push_plain(&mut out, c, table_cell);
                }
                out.push_str(&fence);
            }
        }
    }
    out
}

fn push_plain(out: &mut String, c: char, table_cell: bool) {
    match c {
        '|' if table_cell => out.push_str("\\|"),
        // A newline would end a table row or a list item; the reason is meant to be one line.
        '\r' => {}
        '\n' => out.push(' '),
        other => out.push(other),
    }
}

/// Escaped HTML for inline text, with Markdown code spans shown as `<code>`: catalog titles
/// are written with code spans and should read the same on the page as in `report.md`.
fn html_inline(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        match segment {
            Segment::Text(plain) => out.push_str(&html_escape(&plain)),
            Segment::Code { inner, .. } => {
                // CommonMark strips one space each side, which lets a span start with a backtick.
                let inner = match inner.strip_prefix(' ').and_then(|s| s.strip_suffix(' ')) {
                    Some(stripped) if !stripped.trim().is_empty() => stripped,
                    _ => inner.as_str(),
                };
                out.push_str("<code>");
                out.push_str(&html_escape(inner));
                out.push_str("</code>");
            }
        }
    }
    // Safe because every byte of text above went through html_escape.
    Value::from_safe_string(out)
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

/// Number of consecutive backticks starting at `start`.
fn run_length(chars: &[char], start: usize) -> usize {
    chars
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&c| c == '`')
        .count()
}

/// Start of the next backtick run of exactly `len` at or after `from`, which closes a code span.
fn closing_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars.get(i) == Some(&'`') {
            let run = run_length(chars, i);
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// Wraps text in a fenced code block whose fence is longer than any backtick run inside, so
/// evidence containing backticks cannot close the block early.
fn fenced(text: &str, lang: Option<&str>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut longest = 0;
    let mut i = 0;
    while i < chars.len() {
        let run = run_length(&chars, i);
        longest = longest.max(run);
        i += run.max(1);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!(
        "{fence}{}\n{}\n{fence}",
        lang.unwrap_or(""),
        text.trim_end()
    )
}

/// `850 ms`, `12.34 s`: milliseconds stay exact, longer checks read in seconds.
fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{}.{:02} s", ms / 1000, (ms % 1000) / 10)
    }
}

/// A measurement with at most two decimals and no trailing zeros.
fn num(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A fragment identifier from a check ID: `READ-001/assets` → `check-read-001-assets`.
fn anchor(id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("check-{slug}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_escape_pipes_and_html_but_keep_code_spans() {
        assert_eq!(md_inline("a | b", true), "a \\| b");
        assert_eq!(md_inline("a | b", false), "a | b");
        assert_eq!(md_inline("<script>", false), "&lt;script&gt;");
        assert_eq!(md_inline("got `<x>` & more", true), "got `<x>` &amp; more");
        assert_eq!(md_inline("`a|b`", true), "`a\\|b`");
        assert_eq!(md_inline("line\r\nnext", false), "line next");
        // An unclosed backtick is literal, so what follows it is still escaped.
        assert_eq!(md_inline("` <b>", false), "` &lt;b&gt;");
        assert_eq!(md_inline("``a`<``", false), "``a`<``");
    }

    #[test]
    fn html_inline_escapes_and_shows_code_spans() {
        assert_eq!(
            html_inline("a <b> `x<y>` & 'q'").to_string(),
            "a &lt;b&gt; <code>x&lt;y&gt;</code> &amp; &#x27;q&#x27;"
        );
        assert_eq!(
            html_inline("`` `tick` ``").to_string(),
            "<code>`tick`</code>"
        );
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fenced("plain", None), "```\nplain\n```");
        assert_eq!(
            fenced("x ```` y\n", Some("diff")),
            "`````diff\nx ```` y\n`````"
        );
    }

    #[test]
    fn durations_and_numbers_read_well() {
        assert_eq!(duration(999), "999 ms");
        assert_eq!(duration(12_345), "12.34 s");
        assert_eq!(num(1250.0), "1250");
        assert_eq!(num(0.126), "0.13");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "n/a");
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(
            anchor("READ-001/purchase-orders"),
            "check-read-001-purchase-orders"
        );
    }
}
