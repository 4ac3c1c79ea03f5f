//! `cargo test` front end of the conformance catalog: one test per check × connector, run against
//! the built-in emulators (profile `tiny`, seed 7) and a fresh in-process API each.
//!
//! A SKIPPED check shows as ignored with its reason; a FAILED one prints its evidence.

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use mw_harness::HarnessOptions;
use mw_reports::Status;
use mw_suites::{CONNECTORS, instances};
use std::sync::Arc;

fn main() {
    let args = Arguments::from_args();
    mw_harness::logs::install();
    let mut trials = Vec::new();
    for &connector in CONNECTORS {
        for instance in instances() {
            let name = format!("{connector}::{}", instance.id());
            let instance = Arc::new(instance);
            trials.push(Trial::ignorable_test(name, move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .map_err(|e| Failed::from(e.to_string()))?;
                let options = HarnessOptions::new(connector, "tiny", 7);
                let result = runtime.block_on(mw_suites::run(&instance, &options));
                match result.status {
                    Status::Passed => Ok(Completion::Completed),
                    Status::Skipped => {
                        Ok(Completion::ignored_with(result.reason.unwrap_or_default()))
                    }
                    Status::Failed => Err(Failed::from(format!(
                        "{}\n\n{}",
                        result.reason.unwrap_or_default(),
                        result.evidence.map(|e| e.to_text()).unwrap_or_default()
                    ))),
                }
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
