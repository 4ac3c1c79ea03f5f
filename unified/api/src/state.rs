//! What every handler shares, and the request counters `/metrics` serves.

use axum::http::StatusCode;
use mw_store::Store;
use mw_sync::Runner;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub runner: Runner,
    pub(crate) metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(runner: Runner) -> AppState {
        AppState {
            store: runner.store().clone(),
            runner,
            metrics: Arc::default(),
        }
    }
}

/// Responses by status class, in the Prometheus text format.
#[derive(Default)]
pub(crate) struct Metrics {
    by_class: [AtomicU64; 5],
}

impl Metrics {
    pub(crate) fn record(&self, status: StatusCode) {
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::from(
            "# HELP millwright_http_responses_total Responses sent, by status class.\n\
             # TYPE millwright_http_responses_total counter\n",
        );
        for (i, n) in self.by_class.iter().enumerate() {
            out.push_str(&format!(
                "millwright_http_responses_total{{class=\"{}xx\"}} {}\n",
                i + 1,
                n.load(Ordering::Relaxed)
            ));
        }
        out
    }
}
