//! The conformance catalog: every check with its stable ID, run against one connector at a time.
//!
//! One catalog, two front ends: `tests/conformance.rs` turns each check × connector into a
//! `cargo test` case, and `cargo xtask certify` runs [`certify`] and writes the report.
//!
//! * [`catalog`] — the table of checks (IDs and titles from `shared/design/catalog.md`).
//! * [`context`] — [`Ctx`], what a check works with, and [`Outcome`], how it ends.
//! * `checks/` — the checks, one module per area.
//! * `systems/` — what each system's checks must know in its own terms (a valid native sample,
//!   how to read back a written record). Written independently of the connectors' mappings.

pub mod catalog;
mod checks;
pub mod context;
mod systems;

/// Systems that have both an emulator and a connector, so their checks can run.
pub const CONNECTORS: &[&str] = &["sap", "netsuite", "maximo"];

pub use catalog::{CATALOG, CheckDef, Instance, instances};
pub use context::{Ctx, Outcome};

use futures_util::future::join_all;
use mw_harness::{Harness, HarnessOptions};
use mw_reports::{CheckResult, Evidence, Report};
use std::time::Instant;

/// Runs one check instance against a fresh emulator and API, and reports its verdict.
pub async fn run(instance: &Instance, options: &HarnessOptions) -> CheckResult {
    let started = Instant::now();
    let outcome = match Harness::start(options.clone()).await {
        Ok(harness) => {
            let mut ctx = Ctx::new(harness, instance.entity);
            let result = (instance.def.run)(&mut ctx).await;
            match result {
                Ok(()) => Outcome::Passed(ctx.take_notes()),
                Err(outcome) => outcome,
            }
        }
        Err(e) => Outcome::failed(
            format!("the harness could not start: {e}"),
            Evidence::default(),
        ),
    };
    let ms = started.elapsed().as_millis() as u64;
    let id = instance.id();
    let title = instance.def.title;
    match outcome {
        Outcome::Passed(notes) => {
            let result = CheckResult::passed(id, title, ms);
            if notes.is_empty() {
                result
            } else {
                result.with_evidence(Evidence {
                    notes,
                    ..Evidence::default()
                })
            }
        }
        Outcome::Failed { reason, evidence } => {
            CheckResult::failed(id, title, ms, reason, *evidence)
        }
        Outcome::Skipped(reason) => {
            let mut r = CheckResult::skipped(id, title, reason);
            r.duration_ms = ms;
            r
        }
    }
    .with_required(instance.def.required)
}

/// Runs the whole catalog for one connector, `parallel` checks at a time, and builds its report.
/// `on_result` sees each result as it comes, for progress output.
pub async fn certify(
    options: &HarnessOptions,
    parallel: usize,
    mut on_result: impl FnMut(&CheckResult),
) -> Report {
    let all = instances();
    let mut results = Vec::with_capacity(all.len());
    for chunk in all.chunks(parallel.max(1)) {
        for result in join_all(chunk.iter().map(|i| run(i, options))).await {
            on_result(&result);
            results.push(result);
        }
    }
    let system = options
        .system
        .parse::<mw_model::System>()
        .map(|s| s.display_name().to_owned())
        .unwrap_or_else(|_| options.system.clone());
    let faults = checks::retry::fault_matrix(&options.system, &results);
    let report = Report::new(
        options.system.clone(),
        system,
        options.profile.clone(),
        options.seed,
        chrono::Utc::now(),
        results,
    )
    .with_faults(faults);
    match &options.target {
        mw_harness::Target::External { base_url, .. } => report.with_target(base_url.clone()),
        mw_harness::Target::BuiltIn => report,
    }
}

/// A source id as one path segment of the unified API (composite SAP keys hold `'`, `=`, `,`).
pub(crate) fn api_path_segment(id: &str) -> String {
    mw_harness::api::urlencode(id)
}
