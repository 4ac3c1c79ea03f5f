//! `cargo xtask mocks`: serves emulators until stopped and writes a manifest of where they listen
//! and which credentials they accept, once every one of them is listening.

use anyhow::{Context, bail};
use mw_mocks::{EmulatorOptions, FaultPlan, Profile, SystemKind};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Comma-separated systems to emulate: sap, netsuite, maximo.
    #[arg(long, default_value = "sap", value_delimiter = ',')]
    systems: Vec<String>,
    /// Volume profile: `tiny`, `plant`, or a path to a profile TOML file.
    #[arg(long, default_value = "tiny")]
    profile: String,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// First port; the n-th system listens on port-base + n. Without it the system picks free
    /// ports, so several sets can run at once.
    #[arg(long)]
    port_base: Option<u16>,
    /// Where to write the manifest JSON (also printed on stdout).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Fault plan installed in every emulator: a built-in plan (`fixtures/faults/NAME.toml`,
    /// e.g. `server-errors`) or a path to a plan TOML file. Rules naming a `system` apply only
    /// to that system; `/__admin/faults` can replace or clear the plan later.
    #[arg(long, value_name = "NAME_OR_FILE")]
    faults: Option<String>,
}

fn profile(name: &str) -> anyhow::Result<Profile> {
    let path = std::path::Path::new(name);
    if name.ends_with(".toml") || path.exists() {
        Ok(Profile::from_file(path)?)
    } else {
        Ok(Profile::builtin(name)?)
    }
}

fn fault_plan(name: &str) -> anyhow::Result<FaultPlan> {
    let path = std::path::Path::new(name);
    if name.ends_with(".toml") || path.exists() {
        Ok(FaultPlan::from_file(path)?)
    } else {
        Ok(FaultPlan::builtin(name)?)
    }
}

pub(crate) async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.systems.is_empty() {
        bail!("--systems names no system");
    }
    let faults = args.faults.as_deref().map(fault_plan).transpose()?;
    let mut running = Vec::new();
    for (i, name) in args.systems.iter().enumerate() {
        let system: SystemKind = name.trim().parse()?;
        let port = match args.port_base {
            Some(base) => base
                .checked_add(u16::try_from(i)?)
                .context("--port-base leaves no room for every system")?,
            None => 0,
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("listening on 127.0.0.1:{port} for {name}"))?;
        let emulator = mw_mocks::serve(
            EmulatorOptions {
                system,
                profile: profile(&args.profile)?,
                seed: args.seed,
                faults: faults.clone(),
            },
            listener,
        )
        .await?;
        running.push(emulator);
    }
    let manifest = serde_json::json!({
        "systems": running.iter().map(|e| e.manifest_entry()).collect::<Vec<_>>()
    });
    let text = serde_json::to_string_pretty(&manifest)?;
    if let Some(path) = &args.manifest {
        // Written whole, then renamed, so a watcher never reads half a manifest.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{text}");
    eprintln!("serving until Ctrl-C");
    crate::shutdown_signal().await;
    for e in running {
        e.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}
