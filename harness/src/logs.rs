//! Captures the process's log lines so that checks can search them (AUTH-006: no secret in any
//! log line). [`install`] sets the global subscriber: human-readable lines on stderr filtered by
//! `RUST_LOG` (default `warn`), and every event at `debug` and above from Millwright's own crates
//! (`info` from the rest) kept in a bounded in-memory buffer.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, filter};

/// Lines kept; older ones are dropped first.
const CAPACITY: usize = 200_000;

static CAPTURED: OnceLock<Mutex<VecDeque<String>>> = OnceLock::new();

/// Installs the subscriber once per process. Returns whether capture is active (it is not when
/// another subscriber was installed first).
pub fn install() -> bool {
    if CAPTURED.get().is_some() {
        return true;
    }
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")));
    let capture = Capture.with_filter(filter::filter_fn(|meta| {
        let ours = meta.target().starts_with("mw_");
        let level = *meta.level();
        level <= tracing::Level::INFO || (ours && level <= tracing::Level::DEBUG)
    }));
    let installed = tracing_subscriber::registry()
        .with(stderr)
        .with(capture)
        .try_init()
        .is_ok();
    if installed {
        let _ = CAPTURED.set(Mutex::new(VecDeque::new()));
    }
    installed
}

/// Whether log lines are being captured in this process.
pub fn capturing() -> bool {
    CAPTURED.get().is_some()
}

/// The captured lines that contain `needle`.
pub fn lines_containing(needle: &str) -> Vec<String> {
    CAPTURED
        .get()
        .map(|m| {
            m.lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|l| l.contains(needle))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// How many lines are held.
pub fn len() -> usize {
    CAPTURED
        .get()
        .map_or(0, |m| m.lock().unwrap_or_else(|e| e.into_inner()).len())
}

struct Capture;

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let Some(buffer) = CAPTURED.get() else {
            return;
        };
        let mut line = format!(
            "{} {}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Line(&mut line));
        let mut lines = buffer.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() == CAPACITY {
            lines.pop_front();
        }
        lines.push_back(line);
    }
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn events_of_our_crates_are_captured_and_searchable() {
        assert!(super::install());
        assert!(super::install(), "a second install keeps the first");
        tracing::debug!(target: "mw_test", password = "pa55-visible", "connecting");
        tracing::trace!(target: "mw_test", "too fine to keep");
        tracing::debug!(target: "hyper::client", "someone else's detail");
        let hits = super::lines_containing("pa55-visible");
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].starts_with("DEBUG mw_test:"), "{}", hits[0]);
        assert!(super::lines_containing("too fine").is_empty());
        assert!(super::lines_containing("someone else").is_empty());
    }
}
