//! `cargo xtask`: the command line of the workspace (see <https://github.com/matklad/cargo-xtask>).
//!
//! * `bench` — sync throughput per connector and entity, beside the read-and-parse ceiling.
//! * `certify` — run the conformance catalog against a connector, write its report.
//! * `mocks` — serve emulators until stopped, with a manifest of where and how to reach them.
//! * `serve` — run the unified API on SQLite.
//!
//! These interfaces are relied on by other tools (`shared/design/brief.md`): add, never change.

mod bench;
mod certify;
mod mocks;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Millwright workspace tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure end-to-end sync throughput and write bench.json and bench.md.
    Bench(bench::Args),
    /// Run the conformance catalog against connectors and write certification reports.
    Certify(certify::Args),
    /// Serve system emulators until stopped.
    Mocks(mocks::Args),
    /// Run the unified API.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    // Log lines go to stderr (RUST_LOG, default warn) and into the harness's capture, which the
    // conformance checks search for leaked secrets.
    mw_harness::logs::install();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Bench(args) => bench::run(args).await,
            Command::Certify(args) => certify::run(args).await,
            Command::Mocks(args) => mocks::run(args).await,
            Command::Serve(args) => serve::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, for default output paths.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
