//! The enterprise profile (1,200,000 purchase orders) under load: how fast the emulator starts,
//! how many records per second it serves to a real HTTP client paging by change time (the
//! keyset a connector's incremental sync uses), and its peak memory.
//!
//! `cargo bench -p mw-mocks` measures with criterion and then prints the three figures;
//! `cargo test --benches -p mw-mocks` runs every benchmark once and a short read, so CI keeps
//! the benchmark compiling and working without paying for it.

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use mw_mocks::{EmulatorOptions, Profile, RunningEmulator, SystemKind, serve};
use serde_json::Value;

const PAGE: usize = 1_000;
/// Where the keyset sync starts: a year into the five-year history.
const SINCE: &str = "2022-03-01T00:00:00.000Z";

async fn start() -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let options = EmulatorOptions {
        system: SystemKind::Sap,
        profile: Profile::builtin("enterprise").expect("enterprise profile"),
        seed: 7,
        faults: None,
    };
    serve(options, listener).await.expect("serve")
}

struct Client {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

impl Client {
    fn new(emulator: &RunningEmulator) -> Client {
        let text = |name: &str| {
            emulator.credentials[name]
                .as_str()
                .expect("credential")
                .to_owned()
        };
        Client {
            http: reqwest::Client::new(),
            base: format!(
                "{}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/",
                emulator.base_url
            ),
            user: text("username"),
            password: text("password"),
        }
    }

    async fn get(&self, resource: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{resource}", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("request");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("json")
    }

    /// Reads `pages` keyset pages from `since`; returns the records served.
    async fn keyset(&self, since: &str, pages: usize) -> usize {
        let mut filter = format!("LastChangeDateTime%20ge%20datetimeoffset'{since}'");
        let mut records = 0;
        for _ in 0..pages {
            let body = self
                .get(&format!(
                    "A_PurchaseOrder?$orderby=LastChangeDateTime%20asc,PurchaseOrder%20asc&$top={PAGE}&$filter={filter}"
                ))
                .await;
            let rows = body["d"]["results"].as_array().expect("results");
            records += rows.len();
            let Some(last) = rows.last() else { break };
            let text = last["LastChangeDateTime"].as_str().expect("stamp");
            let ms: i64 = text
                .trim_start_matches("/Date(")
                .split('+')
                .next()
                .and_then(|digits| digits.parse().ok())
                .expect("milliseconds");
            let at = chrono::DateTime::from_timestamp_millis(ms)
                .expect("instant")
                .format("%Y-%m-%dT%H:%M:%S%.3fZ");
            let id = last["PurchaseOrder"].as_str().expect("id");
            filter = format!(
                "LastChangeDateTime%20gt%20datetimeoffset'{at}'%20or%20(LastChangeDateTime%20eq%20datetimeoffset'{at}'%20and%20PurchaseOrder%20gt%20'{id}')"
            );
        }
        records
    }
}

/// Peak resident memory of this process (`VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    // reqwest is built with `rustls-no-provider`: a provider must exist before a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let full = std::env::args().any(|arg| arg == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));

    criterion.bench_function("enterprise/startup_to_first_page", |bencher| {
        bencher.to_async(&runtime).iter(|| async {
            let emulator = start().await;
            let client = Client::new(&emulator);
            let _ = client.get("A_PurchaseOrder?$top=1").await;
            emulator.shutdown().await;
        });
    });

    let emulator = runtime.block_on(start());
    let client = Client::new(&emulator);
    let mut group = criterion.benchmark_group("enterprise/keyset_pages");
    let pages = 5;
    group.throughput(Throughput::Elements((pages * PAGE) as u64));
    group.bench_function("5x1000_by_change_time", |bencher| {
        bencher
            .to_async(&runtime)
            .iter(|| async { client.keyset(SINCE, pages).await });
    });
    group.finish();
    criterion.final_summary();

    // The figures the issue asks for, measured once more on their own and printed plainly.
    let started = Instant::now();
    let fresh = runtime.block_on(start());
    let fresh_client = Client::new(&fresh);
    runtime.block_on(fresh_client.get("A_PurchaseOrder?$top=1"));
    let startup = started.elapsed();
    runtime.block_on(fresh.shutdown());
    let sustained_pages = if full { 100 } else { 2 };
    let started = Instant::now();
    let records = runtime.block_on(client.keyset(SINCE, sustained_pages));
    let elapsed = started.elapsed();
    runtime.block_on(emulator.shutdown());
    println!("enterprise profile: 1,200,000 purchase orders");
    println!(
        "  startup to first page served: {:.1} ms",
        startup.as_secs_f64() * 1000.0
    );
    println!(
        "  keyset read over HTTP: {records} records in {:.2} s = {:.0} records/s ({PAGE} per page)",
        elapsed.as_secs_f64(),
        records as f64 / elapsed.as_secs_f64()
    );
    match peak_rss_mib() {
        Some(mib) => {
            println!("  peak RSS (VmHWM, emulator and client in one process): {mib:.1} MiB")
        }
        None => println!("  peak RSS: /proc/self/status is not available here"),
    }
}
