//! NetSuite's concurrency governance, as this connector lives with it.
//!
//! NetSuite limits an account by requests **in flight**, not by rate: one pool shared by every
//! integration of the account (default 5 on a standard tier). A request over the limit is refused
//! at once with 429 `CONCURRENCY_LIMIT_EXCEEDED` and no `Retry-After`. So:
//! - every request of a connection holds a permit of a per-connection semaphore from before it
//!   is sent until its body has been read; the semaphore has `concurrency_limit` permits (the
//!   setting, default 5), so this connector alone never has more in flight than the account allows;
//! - a 429 is expected traffic (other integrations share the pool): the request gives its permit
//!   back, waits a backoff with full jitter (uniform in `[0, min(cap, base · 2^attempt)]`), and is
//!   sent again, signed anew, up to `concurrency_retries` more times (setting, default 8) before
//!   it reports [`crate::ConnectorError::RateLimited`]. NetSuite did not process a refused
//!   request, so repeating it is safe for writes too.
//!
//! MOVE: the shared retry/backoff layer (a later issue, `crate::http`) will take over the waiting
//! and the retry budget; the semaphore stays here, since the limit is NetSuite's own.

use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// The account concurrency limit of NetSuite's standard tier, and this connector's default.
pub(crate) const DEFAULT_CONCURRENCY: usize = 5;
/// How many times a request refused with 429 is sent again by default.
pub(crate) const DEFAULT_RETRIES: u32 = 8;

/// The first backoff ceiling and the largest one.
const BASE: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(15);

/// The in-flight limit of one connection and its backoff policy.
pub(crate) struct Governance {
    permits: Semaphore,
    limit: usize,
    retries: u32,
}

impl Governance {
    pub(crate) fn new(limit: usize, retries: u32) -> Governance {
        let limit = limit.max(1);
        Governance {
            permits: Semaphore::new(limit),
            limit,
            retries,
        }
    }

    /// How many requests this connection sends at once at most.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// How many times a 429 is retried.
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }

    /// Waits for a free slot. The semaphore is never closed, so this only waits.
    pub(crate) async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        self.permits.acquire().await.ok()
    }

    /// The wait before retry number `attempt` (0 for the first retry).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        full_jitter(attempt, random_fraction())
    }
}

/// The ceiling of the wait before retry `attempt`: `min(CAP, BASE · 2^attempt)`.
pub(crate) fn ceiling(attempt: u32) -> Duration {
    BASE.checked_mul(1_u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .map_or(CAP, |d| d.min(CAP))
}

/// Full jitter: `fraction` (in `[0, 1)`) of the ceiling, so that clients refused together do not
/// come back together.
pub(crate) fn full_jitter(attempt: u32, fraction: f64) -> Duration {
    ceiling(attempt).mul_f64(fraction.clamp(0.0, 1.0))
}

/// A uniformly random number in `[0, 1)`, from the random bits of a v4 UUID.
fn random_fraction() -> f64 {
    // The top 48 bits of a v4 UUID are random (its version and variant bits come later).
    let bits = (uuid::Uuid::new_v4().as_u128() >> 80) as u64;
    bits as f64 / (1_u64 << 48) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        assert_eq!(ceiling(0), Duration::from_millis(250));
        assert_eq!(ceiling(1), Duration::from_millis(500));
        assert_eq!(ceiling(5), Duration::from_secs(8));
        assert_eq!(ceiling(6), CAP);
        assert_eq!(ceiling(40), CAP);
        assert_eq!(ceiling(u32::MAX), CAP);
    }

    #[test]
    fn a_limit_of_zero_still_lets_one_request_through() {
        let g = Governance::new(0, 1);
        assert_eq!(g.limit(), 1);
    }

    proptest! {
        #[test]
        fn waits_stay_within_the_ceiling(attempt in 0_u32..64) {
            let wait = Governance::new(5, 8).backoff(attempt);
            prop_assert!(wait <= ceiling(attempt));
        }

        #[test]
        fn jitter_spans_the_whole_window(attempt in 0_u32..10, fraction in 0.0_f64..1.0) {
            let wait = full_jitter(attempt, fraction);
            prop_assert!(wait <= ceiling(attempt));
            prop_assert_eq!(full_jitter(attempt, 0.0), Duration::ZERO);
        }
    }

    #[test]
    fn random_fractions_are_in_range_and_vary() {
        let samples: Vec<f64> = (0..64).map(|_| random_fraction()).collect();
        assert!(samples.iter().all(|f| (0.0..1.0).contains(f)));
        assert!(samples.iter().any(|f| *f != samples[0]));
    }
}
