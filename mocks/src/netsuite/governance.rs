//! The account concurrency limit (reference §6): NetSuite governs integrations by requests in
//! flight, not by rate. One pool per account; a request arriving while the pool is full is
//! refused at once with 429 `CONCURRENCY_LIMIT_EXCEEDED` and no `Retry-After`.
//!
//! The limit comes from the profile (`[netsuite] concurrency_limit`, 5 as a Standard-tier
//! account) and can be changed through `POST /__admin/governance`, which can also hold
//! `busy_slots` as if other integrations of the account were using them, so a check can force
//! 429s deterministically without racing requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The account's pool of concurrent request slots.
#[derive(Debug)]
pub(crate) struct Governance {
    limit: AtomicU32,
    busy: AtomicU32,
    in_flight: AtomicU32,
    refused: AtomicU32,
}

/// A held slot; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Slot {
    governance: Arc<Governance>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.governance.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What the admin API shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GovernanceState {
    pub(crate) concurrency_limit: u32,
    pub(crate) busy_slots: u32,
    pub(crate) in_flight: u32,
    pub(crate) refused: u32,
}

impl Governance {
    pub(crate) fn new(limit: u32) -> Self {
        Governance {
            limit: AtomicU32::new(limit.max(1)),
            busy: AtomicU32::new(0),
            in_flight: AtomicU32::new(0),
            refused: AtomicU32::new(0),
        }
    }

    /// Takes a slot, or `None` when the account's pool is full.
    pub(crate) fn try_acquire(self: &Arc<Self>) -> Option<Slot> {
        let mut current = self.in_flight.load(Ordering::Acquire);
        loop {
            let limit = self.limit.load(Ordering::Acquire);
            let busy = self.busy.load(Ordering::Acquire);
            if current.saturating_add(busy) >= limit {
                self.refused.fetch_add(1, Ordering::AcqRel);
                return None;
            }
            match self.in_flight.compare_exchange_weak(
                current,
                current + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    return Some(Slot {
                        governance: Arc::clone(self),
                    });
                }
                Err(actual) => current = actual,
            }
        }
    }

    pub(crate) fn set(&self, limit: Option<u32>, busy: Option<u32>) {
        if let Some(limit) = limit {
            self.limit.store(limit.max(1), Ordering::Release);
        }
        if let Some(busy) = busy {
            self.busy.store(busy, Ordering::Release);
        }
    }

    pub(crate) fn state(&self) -> GovernanceState {
        GovernanceState {
            concurrency_limit: self.limit.load(Ordering::Acquire),
            busy_slots: self.busy.load(Ordering::Acquire),
            in_flight: self.in_flight.load(Ordering::Acquire),
            refused: self.refused.load(Ordering::Acquire),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_and_freed() {
        let governance = Arc::new(Governance::new(2));
        let first = governance.try_acquire().expect("first");
        let second = governance.try_acquire().expect("second");
        assert!(governance.try_acquire().is_none());
        drop(first);
        let third = governance.try_acquire().expect("freed");
        governance.set(None, Some(5));
        drop((second, third));
        assert!(
            governance.try_acquire().is_none(),
            "busy slots fill the pool"
        );
        governance.set(Some(7), None);
        assert!(governance.try_acquire().is_some());
        assert_eq!(governance.state().refused, 2);
    }
}
