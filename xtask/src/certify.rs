//! `cargo xtask certify`: runs the catalog against each connector, writes
//! `DIR/<connector>/report.{json,xml,md,html}`, prints a summary, and exits non-zero when a
//! required check fails.

use anyhow::{Context, bail};
use mw_harness::{HarnessOptions, Target};
use mw_reports::Status;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// `sap`, `netsuite`, `maximo` or `all`.
    #[arg(long, default_value = "all")]
    connector: String,
    /// Volume profile of the emulators: `tiny` or `plant`.
    #[arg(long, default_value = "tiny")]
    profile: String,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Certify another implementation of the unified API at this URL instead of the built-in one.
    #[arg(long)]
    target: Option<String>,
    /// API key for `--target`.
    #[arg(long, env = "MILLWRIGHT_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Output directory (default: target/certification).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Checks run at once.
    #[arg(long, default_value_t = 2)]
    parallel: usize,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let connectors: Vec<&str> = match args.connector.as_str() {
        "all" => mw_suites::CONNECTORS.to_vec(),
        one if mw_suites::CONNECTORS.contains(&one) => vec![one],
        "netsuite" | "maximo" => bail!(
            "the {} connector and emulator are not built yet; available: {}",
            args.connector,
            mw_suites::CONNECTORS.join(", ")
        ),
        other => bail!("unknown connector `{other}`; expected one of sap, netsuite, maximo, all"),
    };
    let target = match (&args.target, &args.api_key) {
        (None, _) => Target::BuiltIn,
        (Some(url), Some(key)) => Target::External {
            base_url: url.clone(),
            api_key: key.clone(),
        },
        (Some(_), None) => bail!("--target needs --api-key (or MILLWRIGHT_API_KEY)"),
    };
    let out = args
        .out
        .unwrap_or_else(|| crate::workspace_root().join("target/certification"));
    let mut reports = Vec::new();
    for connector in connectors {
        let options = HarnessOptions {
            system: connector.to_owned(),
            profile: args.profile.clone(),
            seed: args.seed,
            target: target.clone(),
        };
        eprintln!(
            "certifying {connector} (profile {}, seed {})",
            args.profile, args.seed
        );
        let report = mw_suites::certify(&options, args.parallel, |r| {
            let mark = match r.status {
                Status::Passed => "PASSED ",
                Status::Failed => "FAILED ",
                Status::Skipped => "SKIPPED",
            };
            let reason = r
                .reason
                .as_deref()
                .map(|s| format!("  ({s})"))
                .unwrap_or_default();
            eprintln!("  {mark} {:<28} {:>6} ms{reason}", r.id, r.duration_ms);
        })
        .await;
        let dir = out.join(connector);
        let written = mw_reports::write_all(&report, &dir)
            .with_context(|| format!("writing the report to {}", dir.display()))?;
        eprintln!("  report: {}", written.markdown.display());
        reports.push(report);
    }
    println!("{}", mw_reports::summary_table(&reports));
    Ok(if reports.iter().any(|r| r.has_required_failures()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
