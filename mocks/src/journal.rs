//! The request journal: every request that is not for the admin API, in arrival order.
//!
//! The harness reads it to prove a claim such as "the invalid body never reached the source":
//! if no write appears in the journal, the connector refused it locally. Entries are numbered
//! from 1 and numbers are never reused, even after the journal is cleared, so `since_seq` keeps
//! working across clears. The buffer is bounded; the oldest entries fall off first.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::clock::format_instant;
use crate::server::Core;

/// How many entries the journal keeps.
pub(crate) const JOURNAL_CAPACITY: usize = 100_000;

/// One request as the journal records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct JournalEntry {
    pub(crate) seq: u64,
    /// The virtual time at arrival.
    #[serde(serialize_with = "serialize_instant")]
    pub(crate) at: DateTime<Utc>,
    pub(crate) method: String,
    pub(crate) path: String,
    /// The raw query string, empty when there was none.
    pub(crate) query: String,
    /// `null` until the response is produced (or when the client went away first).
    pub(crate) status: Option<u16>,
}

fn serialize_instant<S: serde::Serializer>(
    at: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_instant(*at))
}

#[derive(Debug)]
struct Inner {
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
}

/// A bounded, ordered log of requests.
#[derive(Debug)]
pub(crate) struct Journal {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Journal {
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
                next_seq: 1,
            }),
            capacity: capacity.max(1),
        }
    }

    /// Records an arrival and returns its sequence number.
    pub(crate) fn begin(&self, at: DateTime<Utc>, method: &str, path: &str, query: &str) -> u64 {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.entries.len() >= self.capacity {
            inner.entries.pop_front();
        }
        inner.entries.push_back(JournalEntry {
            seq,
            at,
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            status: None,
        });
        seq
    }

    /// Records the status a request was answered with.
    pub(crate) fn finish(&self, seq: u64, status: u16) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Ok(position) = inner.entries.binary_search_by_key(&seq, |entry| entry.seq) {
            inner.entries[position].status = Some(status);
        }
    }

    /// Entries with a sequence number above `seq`, oldest first.
    pub(crate) fn since(&self, seq: u64) -> Vec<JournalEntry> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let start = inner.entries.partition_point(|entry| entry.seq <= seq);
        inner.entries.range(start..).cloned().collect()
    }

    /// Forgets every entry; returns how many there were.
    pub(crate) fn clear(&self) -> usize {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let cleared = inner.entries.len();
        inner.entries.clear();
        cleared
    }
}

/// Middleware: journals every request outside `/__admin`.
pub(crate) async fn record(
    State(core): State<Arc<Core>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/__admin" || path.starts_with("/__admin/") {
        return next.run(request).await;
    }
    let query = request.uri().query().unwrap_or_default().to_owned();
    let seq = core
        .journal
        .begin(core.clock.now(), request.method().as_str(), &path, &query);
    let response = next.run(request).await;
    core.journal.finish(seq, response.status().as_u16());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_bounds_size_and_never_reuses_numbers() {
        let journal = Journal::new(3);
        let at = DateTime::<Utc>::UNIX_EPOCH;
        for n in 0..5 {
            let seq = journal.begin(at, "GET", &format!("/p{n}"), "");
            journal.finish(seq, 200);
        }
        let all = journal.since(0);
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert_eq!(journal.since(4).len(), 1);
        assert_eq!(journal.clear(), 3);
        assert_eq!(journal.begin(at, "POST", "/x", "a=b"), 6);
        assert_eq!(journal.since(0)[0].status, None);
    }
}
