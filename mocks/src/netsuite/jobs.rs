//! Asynchronous requests (reference §1.8): `Prefer: respond-async` on any record or SuiteQL
//! request answers 202 with `Location: …/services/rest/async/v1/job/{id}`; the job, its task
//! and the task's result (the response the request would have had) are then readable.
//!
//! The emulator runs the request at once, so every job is complete when first read, with start
//! and end times from the virtual clock. `X-NetSuite-Idempotency-Key` is honoured for
//! asynchronous requests only: a key seen before is refused with 400 `IDEMPOTENCY_ERROR`
//! ("Conflict") and the `Location` of the job that used it, whatever the body. Jobs are kept up
//! to a bound; the oldest (and their keys) are forgotten first.

use std::collections::{BTreeMap, HashMap};

use axum::http::{HeaderName, StatusCode};

use super::data::Stamp;

/// Jobs kept at most.
const MAX_JOBS: usize = 10_000;

/// A response captured for later: what a task's result answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, String)>,
    /// Content type and bytes; `None` for an empty body (204).
    pub(crate) body: Option<(String, Vec<u8>)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub(crate) id: u64,
    pub(crate) started: Stamp,
    pub(crate) reply: Reply,
}

impl Job {
    pub(crate) fn succeeded(&self) -> bool {
        self.reply.status.is_success()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Jobs {
    jobs: BTreeMap<u64, Job>,
    keys: HashMap<String, u64>,
    key_of: HashMap<u64, String>,
    last: u64,
}

impl Jobs {
    /// The job that used an idempotency key, if it is still known.
    pub(crate) fn by_key(&self, key: &str) -> Option<u64> {
        self.keys.get(key).copied()
    }

    /// Records a finished request as a job; returns its id.
    pub(crate) fn add(&mut self, started: Stamp, key: Option<String>, reply: Reply) -> u64 {
        self.last += 1;
        let id = self.last;
        self.jobs.insert(id, Job { id, started, reply });
        if let Some(key) = key {
            self.keys.insert(key.clone(), id);
            self.key_of.insert(id, key);
        }
        while self.jobs.len() > MAX_JOBS {
            let Some((oldest, _)) = self.jobs.pop_first() else {
                break;
            };
            if let Some(key) = self.key_of.remove(&oldest) {
                self.keys.remove(&key);
            }
        }
        id
    }

    pub(crate) fn get(&self, id: u64) -> Option<&Job> {
        self.jobs.get(&id)
    }

    /// Jobs by id, from position `offset`, at most `limit`; and how many there are.
    pub(crate) fn page(&self, offset: u64, limit: u64) -> (Vec<u64>, u64) {
        let ids = self
            .jobs
            .keys()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .copied()
            .collect();
        (ids, self.jobs.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_point_at_their_job_until_it_is_forgotten() {
        let mut jobs = Jobs::default();
        let reply = Reply {
            status: StatusCode::NO_CONTENT,
            headers: Vec::new(),
            body: None,
        };
        let first = jobs.add(Stamp(0), Some(String::from("k1")), reply.clone());
        assert_eq!(jobs.by_key("k1"), Some(first));
        assert!(jobs.get(first).is_some_and(Job::succeeded));
        for _ in 0..MAX_JOBS {
            jobs.add(Stamp(0), None, reply.clone());
        }
        assert_eq!(jobs.by_key("k1"), None);
        assert!(jobs.get(first).is_none());
        assert_eq!(jobs.page(0, 5).1, MAX_JOBS as u64);
    }
}
