//! What the resilience layer costs a fault-free sync: the same request (a real SAP purchase-order
//! page over loopback HTTP, read to the end and parsed) sent directly and through
//! [`Resilience::run`] with the default settings (retry policy, budget, circuit breaker, in-flight
//! limit). The target is under 5% of throughput.
//!
//! `cargo bench -p mw-connectors --bench resilience` measures with criterion and then prints the
//! overhead of a longer interleaved run; `cargo test --benches` runs everything once, briefly.

use std::time::{Duration, Instant};

use criterion::Criterion;
use mw_connectors::ConnectorError;
use mw_connectors::resilience::{Resilience, ResilienceSettings, Safety};
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGE: &str = include_str!("../../../fixtures/protocol/sap/purchase_orders_page.json");

/// One fault-free request: GET the page, read the whole body, parse it.
async fn fetch(client: &reqwest::Client, url: &str) -> Result<Value, ConnectorError> {
    let unavailable = |e: reqwest::Error| ConnectorError::Unavailable {
        detail: e.to_string(),
        upstream: None,
    };
    let body = client
        .get(url)
        .send()
        .await
        .map_err(unavailable)?
        .bytes()
        .await
        .map_err(unavailable)?;
    serde_json::from_slice(&body).map_err(|e| ConnectorError::Protocol {
        detail: e.to_string(),
        upstream: None,
    })
}

async fn through(layer: &Resilience, client: &reqwest::Client, url: &str) -> Value {
    layer
        .run(Safety::Safe, || fetch(client, url))
        .await
        .expect("a fault-free page")
}

async fn direct(client: &reqwest::Client, url: &str) -> Value {
    fetch(client, url).await.expect("a fault-free page")
}

fn main() {
    mw_connectors::http::install_tls_provider();
    let full = std::env::args().any(|arg| arg == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(PAGE, "application/json"))
            .mount(&server)
            .await;
        server
    });
    let url = format!(
        "{}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder",
        server.uri()
    );
    let client = mw_connectors::http::client(&Default::default()).expect("client");
    let layer = Resilience::new(ResilienceSettings::with_in_flight(8));

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let mut group = criterion.benchmark_group("resilience/page_request");
    group.bench_function("direct", |b| {
        b.to_async(&runtime).iter(|| direct(&client, &url));
    });
    group.bench_function("through_the_layer", |b| {
        b.to_async(&runtime).iter(|| through(&layer, &client, &url));
    });
    group.finish();
    criterion.final_summary();

    // The figure the issue asks for, from rounds that alternate the two so that drift in the
    // machine's speed affects both alike.
    let rounds = if full { 20 } else { 1 };
    let per_round = if full { 200 } else { 5 };
    let (mut plain, mut layered) = (Duration::ZERO, Duration::ZERO);
    runtime.block_on(async {
        for _ in 0..rounds {
            let started = Instant::now();
            for _ in 0..per_round {
                direct(&client, &url).await;
            }
            plain += started.elapsed();
            let started = Instant::now();
            for _ in 0..per_round {
                through(&layer, &client, &url).await;
            }
            layered += started.elapsed();
        }
    });
    let requests = (rounds * per_round) as f64;
    let (plain_us, layered_us) = (
        plain.as_secs_f64() * 1e6 / requests,
        layered.as_secs_f64() * 1e6 / requests,
    );
    println!(
        "fault-free page request: {plain_us:.0} µs direct, {layered_us:.0} µs through the \
         resilience layer: {:+.2}% ({} requests each)",
        (layered_us / plain_us - 1.0) * 100.0,
        requests
    );
}
