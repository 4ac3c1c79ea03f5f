//! `cargo xtask bench`: end-to-end sync throughput per connector and entity, beside this
//! machine's ceiling for the same reads (the connector's pages fetched and parsed with nothing
//! else done: no store, no API). Writes `DIR/bench.json` and `DIR/bench.md`.
//!
//! Figures, never verdicts: a shared machine's numbers are for comparing runs, not for failing them.

use anyhow::{Context, bail};
use mw_connectors::{ChangeTracking, ConnectorConfig, PageQuery};
use mw_harness::{Harness, HarnessOptions};
use mw_model::{Entity, System};
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Volume profile of the emulators.
    #[arg(long, default_value = "plant")]
    profile: String,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output directory (default: target/bench).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Connectors to measure (default: every one with an emulator).
    #[arg(long, value_delimiter = ',')]
    connectors: Vec<String>,
}

#[derive(Serialize)]
struct Bench {
    schema_version: u32,
    profile: String,
    seed: u64,
    generated_at: chrono::DateTime<chrono::Utc>,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    connector: String,
    entity: String,
    mode: &'static str,
    records: u64,
    seconds: f64,
    records_per_sec: f64,
    /// Peak resident memory of this process so far (emulator, API and client share it).
    peak_rss_mb: f64,
    ceiling_records_per_sec: Option<f64>,
}

/// How far back an initial sync reads for the benchmark: everything the profile holds.
const LOOKBACK_DAYS: u32 = 3650;

pub(crate) async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let connectors: Vec<String> = if args.connectors.is_empty() {
        mw_suites::CONNECTORS
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        args.connectors.clone()
    };
    let mut runs = Vec::new();
    for connector in &connectors {
        if !mw_suites::CONNECTORS.contains(&connector.as_str()) {
            bail!("no emulator and connector for `{connector}` yet");
        }
        let harness = Harness::start(HarnessOptions::new(connector, &args.profile, args.seed))
            .await
            .context("starting the emulator and API")?;
        let system: System = connector.parse()?;
        let settings = json!({"initial_lookback_days": LOOKBACK_DAYS, "page_size": 1000});
        let created = harness
            .api
            .create_connection(
                connector,
                harness.emulator_base_url(),
                &harness.credentials(),
                settings.clone(),
            )
            .await?;
        let Some(id) = created.body["id"].as_str().map(str::to_owned) else {
            bail!("connecting failed: {}", created.response_excerpt(500));
        };
        let caps = harness
            .api
            .get(&format!("/v1/connections/{id}/capabilities"))
            .await?;
        let entities: Vec<(Entity, bool)> = caps.body["entities"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["read"] == true)
            .filter_map(|e| {
                let entity = e["entity"].as_str()?.parse().ok()?;
                Some((entity, e["change_tracking"] == "snapshot"))
            })
            .collect();
        for (entity, snapshot) in entities {
            let ceiling = ceiling(&harness, system, &settings, entity).await?;
            for mode in ["initial", "incremental"] {
                if mode == "incremental" {
                    harness.admin.advance(60).await?;
                    let changed = if snapshot { 0 } else { 50 };
                    harness.admin.churn(entity.as_str(), changed, 10).await?;
                }
                let started = Instant::now();
                let (_, job) = harness
                    .api
                    .sync(&id, json!({"mode": mode, "entities": [entity]}))
                    .await?;
                let seconds = started.elapsed().as_secs_f64();
                if job.body["state"] != "succeeded" {
                    bail!(
                        "{connector} {entity} {mode} sync failed: {}",
                        job.response_excerpt(1000)
                    );
                }
                let records = job.body["progress"][entity.as_str()]["read"]
                    .as_u64()
                    .unwrap_or(0);
                let run = Run {
                    connector: connector.clone(),
                    entity: entity.to_string(),
                    mode,
                    records,
                    seconds,
                    records_per_sec: records as f64 / seconds.max(1e-9),
                    peak_rss_mb: peak_rss_mb(),
                    ceiling_records_per_sec: (mode == "initial").then_some(ceiling),
                };
                eprintln!(
                    "  {connector:<9} {entity:<16} {mode:<12} {records:>8} records {seconds:>8.2} s {:>10.0} rec/s{}",
                    run.records_per_sec,
                    run.ceiling_records_per_sec
                        .map(|c| format!(" (ceiling {c:.0} rec/s)"))
                        .unwrap_or_default()
                );
                runs.push(run);
            }
        }
    }
    let bench = Bench {
        schema_version: 1,
        profile: args.profile.clone(),
        seed: args.seed,
        generated_at: chrono::Utc::now(),
        runs,
    };
    let out = args
        .out
        .unwrap_or_else(|| crate::workspace_root().join("target/bench"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(
        out.join("bench.json"),
        serde_json::to_string_pretty(&bench)? + "\n",
    )?;
    std::fs::write(out.join("bench.md"), markdown(&bench))?;
    eprintln!("wrote {}", out.join("bench.md").display());
    Ok(ExitCode::SUCCESS)
}

/// Records per second the connector alone reads and maps for the same initial read: the
/// wire-and-parse limit on this machine, measured in the same run.
async fn ceiling(
    harness: &Harness,
    system: System,
    settings: &serde_json::Value,
    entity: Entity,
) -> anyhow::Result<f64> {
    let connector = mw_connectors::connect(
        system,
        ConnectorConfig {
            base_url: harness.emulator_base_url().to_owned(),
            credentials: harness.credentials(),
            settings: settings.clone(),
            http: Default::default(),
        },
    )?;
    let tracking = connector
        .capabilities()
        .entity(entity)
        .map(|c| c.change_tracking);
    let now = connector
        .verify()
        .await?
        .now
        .unwrap_or_else(chrono::Utc::now);
    let since = (tracking == Some(ChangeTracking::Timestamp))
        .then(|| now - chrono::Duration::days(i64::from(LOOKBACK_DAYS)));
    let started = Instant::now();
    let mut records = 0u64;
    let mut resume = None;
    loop {
        let page = connector
            .read_page(
                entity,
                &PageQuery {
                    changed_since: since,
                    resume,
                    page_size: 1000,
                },
            )
            .await?;
        records += page.records.len() as u64;
        match page.next {
            Some(next) => resume = Some(next),
            None => break,
        }
    }
    Ok(records as f64 / started.elapsed().as_secs_f64().max(1e-9))
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`), 0 where unknown.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn markdown(bench: &Bench) -> String {
    let mut out = format!(
        "# Sync throughput\n\nProfile `{}`, seed {}, {}. The ceiling is the connector reading and \
         mapping the same pages with nothing else done (no store, no API), in the same run.\n\n\
         | connector | entity | mode | records | seconds | records/s | ceiling records/s | peak RSS MiB |\n\
         |---|---|---|---:|---:|---:|---:|---:|\n",
        bench.profile,
        bench.seed,
        bench.generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    for r in &bench.runs {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.2} | {:.0} | {} | {:.0} |\n",
            r.connector,
            r.entity,
            r.mode,
            r.records,
            r.seconds,
            r.records_per_sec,
            r.ceiling_records_per_sec
                .map(|c| format!("{c:.0}"))
                .unwrap_or_else(|| "—".into()),
            r.peak_rss_mb
        ));
    }
    out
}
