//! The resilience layer every connector's requests pass through, one per connection.
//!
//! A connector describes its protocol; this layer decides when a failed attempt is tried again
//! and when the connection stops trying:
//! - **Retries** (backon): a transient failure (network trouble, a timeout, 5xx, 429, a body cut
//!   short or unreadable) is tried again after an exponential backoff with full jitter (uniform in
//!   `[0, min(max_delay, base_delay · 2^n)]`, so that clients refused together do not come back
//!   together), or after the source's `Retry-After` when it sent one (either form, capped by
//!   `retry_after_max`). Only **safe** requests (reads, and writes the source deduplicates) are
//!   repeated after any transient failure; any request is repeated after a 429, because the
//!   source says it did not process it.
//! - **Retry budget**: a sync may spend at most `retry_budget` retries in all
//!   ([`Resilience::begin_sync`] refills it), so that a source that fails every other request
//!   fails the sync in minutes instead of dragging it out for hours.
//! - **Circuit breaker**: `circuit_failure_threshold` transient failures in a row open the
//!   connection's circuit; while open every call fails at once with
//!   [`ConnectorError::CircuitOpen`] (nothing is sent); after `circuit_cooldown` one probe goes
//!   through (half open) and its outcome closes or reopens the circuit. Refusals (4xx) and 429s
//!   show that the source is up, so they never count as failures. [`Resilience::health`] shows the
//!   state to the API.
//! - **In-flight limit**: at most `max_in_flight` requests of the connection at once (NetSuite's
//!   account concurrency limit, a polite ceiling elsewhere); a permit is held for one attempt,
//!   never across a backoff.
//!
//! Timeouts are the HTTP client's (`request_timeout`, `connect_timeout`), read from the same
//! settings by [`ResilienceSettings::http`]. Renewing a token on a 401 stays in each connector,
//! since only it knows its tokens.

use crate::ConnectorError;
use crate::http::HttpConfig;
use backon::{Backoff, Retryable};
use chrono::{DateTime, Utc};
use mw_model::FieldError;
use serde::Serialize;
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// The knobs of the layer, from a connection's `settings` (every key optional).
#[derive(Clone, Debug, PartialEq)]
pub struct ResilienceSettings {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` waited out; a longer one ends the retries.
    pub retry_after_max: Duration,
    /// Retries one sync may spend in all.
    pub retry_budget: u32,
    pub circuit_failure_threshold: u32,
    pub circuit_cooldown: Duration,
    pub max_in_flight: usize,
    pub request_timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
}

impl ResilienceSettings {
    /// The defaults, with `max_in_flight` as the system's own (NetSuite: the account's limit).
    pub fn with_in_flight(max_in_flight: usize) -> ResilienceSettings {
        ResilienceSettings {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(15),
            retry_after_max: Duration::from_secs(120),
            retry_budget: 200,
            circuit_failure_threshold: 10,
            circuit_cooldown: Duration::from_secs(30),
            max_in_flight: max_in_flight.max(1),
            request_timeout: None,
            connect_timeout: None,
        }
    }

    /// Reads the layer's keys of `settings` over the defaults of [`Self::with_in_flight`];
    /// keys it does not know are left to the connector. Every bad value is reported by path.
    pub fn read(settings: &Value, max_in_flight: usize) -> Result<Self, Vec<FieldError>> {
        let mut s = ResilienceSettings::with_in_flight(max_in_flight);
        let Value::Object(fields) = settings else {
            // The connector reports a `settings` that is not an object.
            return Ok(s);
        };
        let mut errors = Vec::new();
        let mut number = |key: &str, min: u64, max: u64| -> Option<u64> {
            let value = fields.get(key)?;
            match value.as_u64() {
                Some(n) if (min..=max).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        format!("$.settings.{key}"),
                        format!("must be a whole number from {min} to {max}"),
                    ));
                    None
                }
            }
        };
        let millis = Duration::from_millis;
        if let Some(n) = number("retry_max_attempts", 1, 50) {
            s.max_attempts = n as u32;
        }
        if let Some(n) = number("retry_base_delay_ms", 1, 60_000) {
            s.base_delay = millis(n);
        }
        if let Some(n) = number("retry_max_delay_ms", 1, 600_000) {
            s.max_delay = millis(n);
        }
        if let Some(n) = number("retry_after_max_ms", 0, 3_600_000) {
            s.retry_after_max = millis(n);
        }
        if let Some(n) = number("retry_budget", 0, 1_000_000) {
            s.retry_budget = n as u32;
        }
        if let Some(n) = number("circuit_failure_threshold", 1, 10_000) {
            s.circuit_failure_threshold = n as u32;
        }
        if let Some(n) = number("circuit_cooldown_ms", 1, 3_600_000) {
            s.circuit_cooldown = millis(n);
        }
        if let Some(n) = number("max_in_flight", 1, 256) {
            s.max_in_flight = n as usize;
        }
        if let Some(n) = number("request_timeout_ms", 50, 600_000) {
            s.request_timeout = Some(millis(n));
        }
        if let Some(n) = number("connect_timeout_ms", 50, 120_000) {
            s.connect_timeout = Some(millis(n));
        }
        if s.base_delay > s.max_delay {
            errors.push(FieldError::new(
                "$.settings.retry_base_delay_ms",
                "must not exceed retry_max_delay_ms",
            ));
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }

    /// `http` with this connection's timeouts where it set its own.
    pub fn http(&self, http: &HttpConfig) -> HttpConfig {
        HttpConfig {
            request_timeout: self.request_timeout.unwrap_or(http.request_timeout),
            connect_timeout: self.connect_timeout.unwrap_or(http.connect_timeout),
            ..http.clone()
        }
    }
}

/// Whether a request may be sent again after a failure that may have reached the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Safety {
    /// A read, or a write the source recognises when repeated: any transient failure is retried.
    Safe,
    /// A write that could be applied twice: retried only when the source refused it unprocessed
    /// (429).
    Unsafe,
}

/// The state of a connection's circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

/// What the layer knows of the connection's health, for the API's connection status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Health {
    pub circuit: CircuitState,
    /// Transient failures since the last success.
    pub consecutive_failures: u32,
    /// The last transient failure, as reported.
    pub last_failure: Option<String>,
    /// When the circuit last opened (local clock; bookkeeping only).
    pub opened_at: Option<DateTime<Utc>>,
    /// Retries left to the current sync.
    pub retries_left: u32,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            circuit: CircuitState::Closed,
            consecutive_failures: 0,
            last_failure: None,
            opened_at: None,
            retries_left: 0,
        }
    }
}

#[derive(Debug)]
struct Breaker {
    state: CircuitState,
    failures: u32,
    last_failure: Option<String>,
    /// When it opened: tokio's clock for the cooldown (paused in tests), UTC for display.
    opened: Option<(Instant, DateTime<Utc>)>,
    /// A half-open probe is in flight: everyone else still fails fast.
    probing: bool,
}

/// One connection's retry policy, budget, circuit breaker and in-flight limit.
#[derive(Debug)]
pub struct Resilience {
    settings: ResilienceSettings,
    permits: Semaphore,
    budget: AtomicU32,
    breaker: Mutex<Breaker>,
}

impl Resilience {
    pub fn new(settings: ResilienceSettings) -> Resilience {
        Resilience {
            permits: Semaphore::new(settings.max_in_flight),
            budget: AtomicU32::new(settings.retry_budget),
            breaker: Mutex::new(Breaker {
                state: CircuitState::Closed,
                failures: 0,
                last_failure: None,
                opened: None,
                probing: false,
            }),
            settings,
        }
    }

    pub fn settings(&self) -> &ResilienceSettings {
        &self.settings
    }

    /// Refills the retry budget: a new sync starts.
    pub fn begin_sync(&self) {
        self.budget
            .store(self.settings.retry_budget, Ordering::Relaxed);
    }

    pub fn health(&self) -> Health {
        let breaker = self.breaker();
        Health {
            circuit: breaker.state,
            consecutive_failures: breaker.failures,
            last_failure: breaker.last_failure.clone(),
            opened_at: breaker.opened.map(|(_, at)| at),
            retries_left: self.budget.load(Ordering::Relaxed),
        }
    }

    /// Runs `attempt` under the in-flight limit and the circuit breaker, again after a backoff
    /// while it fails transiently and `safety`, the attempts and the budget allow. Returns the
    /// first success or the last failure.
    pub async fn run<T, F, Fut>(&self, safety: Safety, attempt: F) -> Result<T, ConnectorError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ConnectorError>>,
    {
        let mut attempt = attempt;
        let once = || {
            let next = self.admit().map(|probe| (probe, attempt()));
            async move {
                let (probe, future) = next?;
                let outcome = {
                    // The semaphore is never closed, so this only waits.
                    let _permit = self.permits.acquire().await;
                    future.await
                };
                self.observe(probe, outcome.as_ref().err());
                outcome
            }
        };
        once.retry(FullJitter::new(&self.settings))
            .sleep(tokio::time::sleep)
            .when(|e| self.may_retry(safety, e))
            .adjust(|e, backoff| self.wait(e, backoff))
            .notify(|e, wait| {
                tracing::debug!(error = %e, ?wait, "transient failure; trying again");
            })
            .await
    }

    /// Whether another attempt may follow `error`; takes one retry from the budget if so.
    fn may_retry(&self, safety: Safety, error: &ConnectorError) -> bool {
        let retryable = match error {
            ConnectorError::RateLimited { .. } => true,
            ConnectorError::CircuitOpen { .. } => false,
            e => safety == Safety::Safe && e.is_transient(),
        };
        retryable
            && self
                .budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(1)
                })
                .is_ok()
    }

    /// The wait before the next attempt: the source's `Retry-After` when it sent one (no more
    /// attempts when it asks for longer than `retry_after_max`), else the backoff's.
    fn wait(&self, error: &ConnectorError, backoff: Option<Duration>) -> Option<Duration> {
        let backoff = backoff?;
        match error {
            ConnectorError::RateLimited {
                retry_after: Some(wait),
                ..
            } if *wait > self.settings.retry_after_max => None,
            ConnectorError::RateLimited {
                retry_after: Some(wait),
                ..
            } => Some(*wait),
            _ => Some(backoff),
        }
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        // Nothing panics while holding the lock; a poisoned one still holds a valid state.
        self.breaker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets an attempt through unless the circuit is open. `Ok(true)` is the half-open probe.
    fn admit(&self) -> Result<bool, ConnectorError> {
        let mut breaker = self.breaker();
        match breaker.state {
            CircuitState::Closed => Ok(false),
            CircuitState::Open | CircuitState::HalfOpen => {
                let since = breaker
                    .opened
                    .map(|(at, _)| at.elapsed())
                    .unwrap_or_default();
                let cooldown = self.settings.circuit_cooldown;
                if since >= cooldown && !breaker.probing {
                    breaker.state = CircuitState::HalfOpen;
                    breaker.probing = true;
                    return Ok(true);
                }
                Err(ConnectorError::CircuitOpen {
                    failures: breaker.failures,
                    retry_in: cooldown.saturating_sub(since),
                    last_failure: breaker.last_failure.clone().unwrap_or_default(),
                })
            }
        }
    }

    /// Counts an attempt's outcome: transient failures in a row open the circuit; anything
    /// else (a success, a refusal, a 429) shows the source is up and closes it.
    fn observe(&self, probe: bool, error: Option<&ConnectorError>) {
        let mut breaker = self.breaker();
        if probe {
            breaker.probing = false;
        }
        let failed = error
            .is_some_and(|e| e.is_transient() && !matches!(e, ConnectorError::RateLimited { .. }));
        if !failed {
            if breaker.state != CircuitState::Closed {
                tracing::info!("circuit closed: the source answers again");
            }
            breaker.state = CircuitState::Closed;
            breaker.failures = 0;
            breaker.opened = None;
            return;
        }
        breaker.failures = breaker.failures.saturating_add(1);
        breaker.last_failure = error.map(ToString::to_string);
        let trips = breaker.failures >= self.settings.circuit_failure_threshold;
        if probe || (breaker.state == CircuitState::Closed && trips) {
            tracing::warn!(
                failures = breaker.failures,
                last = breaker.last_failure.as_deref().unwrap_or_default(),
                "circuit opened"
            );
            breaker.state = CircuitState::Open;
            breaker.opened = Some((Instant::now(), Utc::now()));
        }
    }
}

/// Exponential backoff with full jitter, `max_attempts - 1` waits long.
struct FullJitter {
    base: Duration,
    max: Duration,
    retry: u32,
    retries: u32,
}

impl FullJitter {
    fn new(settings: &ResilienceSettings) -> FullJitter {
        FullJitter {
            base: settings.base_delay,
            max: settings.max_delay,
            retry: 0,
            retries: settings.max_attempts.saturating_sub(1),
        }
    }
}

impl Iterator for FullJitter {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.retry >= self.retries {
            return None;
        }
        let wait = full_jitter(self.base, self.max, self.retry, random_fraction());
        self.retry += 1;
        Some(wait)
    }
}

/// `fraction` (in `[0, 1]`) of the ceiling `min(max, base · 2^retry)`.
pub(crate) fn full_jitter(base: Duration, max: Duration, retry: u32, fraction: f64) -> Duration {
    ceiling(base, max, retry).mul_f64(fraction.clamp(0.0, 1.0))
}

/// `min(max, base · 2^retry)`.
pub(crate) fn ceiling(base: Duration, max: Duration, retry: u32) -> Duration {
    base.checked_mul(1_u32.checked_shl(retry).unwrap_or(u32::MAX))
        .map_or(max, |d| d.min(max))
}

/// A uniformly random number in `[0, 1)`, from the random bits of a v4 UUID.
fn random_fraction() -> f64 {
    // The top 48 bits of a v4 UUID are random (its version and variant bits come later).
    let bits = (uuid::Uuid::new_v4().as_u128() >> 80) as u64;
    bits as f64 / (1_u64 << 48) as f64
}

// backon takes any `Iterator<Item = Duration>` that is also `Send + Sync + Unpin` as a backoff.
const _: fn() = || {
    fn is_backoff<B: Backoff>() {}
    is_backoff::<FullJitter>();
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Upstream;
    use proptest::prelude::*;
    use serde_json::json;
    use std::sync::atomic::AtomicUsize;

    fn quick(extra: Value) -> Resilience {
        let mut settings = json!({
            "retry_base_delay_ms": 1, "retry_max_delay_ms": 2, "retry_max_attempts": 4,
            "circuit_failure_threshold": 3, "circuit_cooldown_ms": 60_000,
        });
        if let (Some(s), Value::Object(extra)) = (settings.as_object_mut(), extra) {
            s.extend(extra);
        }
        Resilience::new(ResilienceSettings::read(&settings, 4).expect("valid settings"))
    }

    fn unavailable() -> ConnectorError {
        ConnectorError::Unavailable {
            detail: "reset".into(),
            upstream: None,
        }
    }

    fn upstream(status: u16) -> Upstream {
        Upstream {
            system: "test".into(),
            status,
            code: None,
            message: None,
        }
    }

    fn rate_limited(retry_after: Option<Duration>) -> ConnectorError {
        ConnectorError::RateLimited {
            upstream: upstream(429),
            retry_after,
        }
    }

    /// Runs `outcomes` in order through `layer` (the last repeats) and returns what came out
    /// and how many attempts were made.
    async fn check(
        layer: &Resilience,
        safety: Safety,
        outcomes: Vec<fn() -> Result<u32, ConnectorError>>,
    ) -> (Result<u32, ConnectorError>, usize) {
        let calls = AtomicUsize::new(0);
        let result = layer
            .run(safety, || {
                let n = calls.fetch_add(1, Ordering::Relaxed);
                let outcome = outcomes[n.min(outcomes.len() - 1)]();
                async move { outcome }
            })
            .await;
        (result, calls.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn safe_requests_are_retried_until_they_succeed() {
        let layer = quick(json!({}));
        let (result, calls) = check(
            &layer,
            Safety::Safe,
            vec![|| Err(unavailable()), || Err(unavailable()), || Ok(7)],
        )
        .await;
        assert_eq!((result.ok(), calls), (Some(7), 3));
        assert_eq!(layer.health().circuit, CircuitState::Closed);
        assert_eq!(layer.health().retries_left, 198);
    }

    #[tokio::test]
    async fn unsafe_requests_are_retried_only_after_a_429() {
        let layer = quick(json!({}));
        let (result, calls) = check(&layer, Safety::Unsafe, vec![|| Err(unavailable())]).await;
        assert!(matches!(result, Err(ConnectorError::Unavailable { .. })));
        assert_eq!(calls, 1);
        let (result, calls) = check(
            &layer,
            Safety::Unsafe,
            vec![|| Err(rate_limited(None)), || Ok(1)],
        )
        .await;
        assert_eq!((result.ok(), calls), (Some(1), 2));
    }

    #[tokio::test]
    async fn refusals_are_final() {
        let layer = quick(json!({}));
        let (result, calls) = check(
            &layer,
            Safety::Safe,
            vec![|| Err(ConnectorError::Rejected(upstream(400)))],
        )
        .await;
        assert!(matches!(result, Err(ConnectorError::Rejected(_))));
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn attempts_end_at_the_maximum() {
        let layer = quick(json!({ "circuit_failure_threshold": 100 }));
        let (result, calls) = check(&layer, Safety::Safe, vec![|| Err(unavailable())]).await;
        assert!(matches!(result, Err(ConnectorError::Unavailable { .. })));
        assert_eq!(calls, 4);
    }

    #[tokio::test]
    async fn the_budget_limits_retries_across_requests_until_the_next_sync() {
        let layer = quick(json!({ "retry_budget": 2, "circuit_failure_threshold": 100 }));
        let (_, calls) = check(&layer, Safety::Safe, vec![|| Err(unavailable())]).await;
        assert_eq!(calls, 3, "two retries, then the budget is spent");
        let (_, calls) = check(&layer, Safety::Safe, vec![|| Err(unavailable())]).await;
        assert_eq!(calls, 1);
        layer.begin_sync();
        let (_, calls) = check(&layer, Safety::Safe, vec![|| Err(unavailable())]).await;
        assert_eq!(calls, 3);
    }

    #[tokio::test]
    async fn a_long_retry_after_ends_the_retries() {
        let layer = quick(json!({ "retry_after_max_ms": 1000 }));
        let (result, calls) = check(
            &layer,
            Safety::Safe,
            vec![|| Err(rate_limited(Some(Duration::from_secs(3600))))],
        )
        .await;
        assert!(matches!(result, Err(ConnectorError::RateLimited { .. })));
        assert_eq!(calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_waited_out() {
        let layer = quick(json!({}));
        let started = tokio::time::Instant::now();
        let (result, calls) = check(
            &layer,
            Safety::Safe,
            vec![|| Err(rate_limited(Some(Duration::from_secs(7)))), || Ok(2)],
        )
        .await;
        assert_eq!((result.ok(), calls), (Some(2), 2));
        assert!(started.elapsed() >= Duration::from_secs(7));
        assert!(started.elapsed() < Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn failures_in_a_row_open_the_circuit_and_a_probe_closes_it() {
        let layer = quick(json!({ "retry_max_attempts": 1, "circuit_cooldown_ms": 1000 }));
        for _ in 0..3 {
            let (result, _) = check(&layer, Safety::Safe, vec![|| Err(unavailable())]).await;
            assert!(matches!(result, Err(ConnectorError::Unavailable { .. })));
        }
        let health = layer.health();
        assert_eq!(
            (health.circuit, health.consecutive_failures),
            (CircuitState::Open, 3)
        );
        assert!(health.opened_at.is_some());
        // Open: nothing is sent.
        let (result, calls) = check(&layer, Safety::Safe, vec![|| Ok(1)]).await;
        assert!(matches!(
            result,
            Err(ConnectorError::CircuitOpen { failures: 3, .. })
        ));
        assert_eq!(calls, 0);
        // After the cooldown a failed probe reopens it...
        tokio::time::advance(Duration::from_millis(1000)).await;
        let (_, calls) = check(&layer, Safety::Safe, vec![|| Err(unavailable())]).await;
        assert_eq!((calls, layer.health().circuit), (1, CircuitState::Open));
        // ...and a successful one closes it.
        tokio::time::advance(Duration::from_millis(1000)).await;
        let (result, _) = check(&layer, Safety::Safe, vec![|| Ok(5)]).await;
        assert_eq!(result.ok(), Some(5));
        let health = layer.health();
        assert_eq!(
            (health.circuit, health.consecutive_failures),
            (CircuitState::Closed, 0)
        );
    }

    #[tokio::test]
    async fn refusals_and_429s_do_not_trip_the_circuit() {
        let layer = quick(json!({ "retry_max_attempts": 1 }));
        for _ in 0..5 {
            let (throttled, _) =
                check(&layer, Safety::Safe, vec![|| Err(rate_limited(None))]).await;
            assert!(matches!(throttled, Err(ConnectorError::RateLimited { .. })));
            let missing = || Err(ConnectorError::NotFound(None));
            let (missing, _) = check(&layer, Safety::Safe, vec![missing]).await;
            assert!(matches!(missing, Err(ConnectorError::NotFound(_))));
        }
        assert_eq!(layer.health().circuit, CircuitState::Closed);
    }

    #[test]
    fn settings_are_read_with_paths() {
        let errors = ResilienceSettings::read(
            &json!({ "retry_max_attempts": 0, "request_timeout_ms": "fast",
                     "retry_base_delay_ms": 500, "retry_max_delay_ms": 100 }),
            5,
        )
        .expect_err("invalid");
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.settings.retry_max_attempts",
                "$.settings.request_timeout_ms",
                "$.settings.retry_base_delay_ms"
            ]
        );
        let s = ResilienceSettings::read(&json!({ "request_timeout_ms": 750 }), 5).expect("valid");
        assert_eq!(s.max_in_flight, 5);
        let http = s.http(&HttpConfig::default());
        assert_eq!(http.request_timeout, Duration::from_millis(750));
        assert_eq!(http.connect_timeout, HttpConfig::default().connect_timeout);
    }

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let (base, max) = (Duration::from_millis(250), Duration::from_secs(15));
        assert_eq!(ceiling(base, max, 0), base);
        assert_eq!(ceiling(base, max, 5), Duration::from_secs(8));
        assert_eq!(ceiling(base, max, 6), max);
        assert_eq!(ceiling(base, max, u32::MAX), max);
    }

    proptest! {
        #[test]
        fn waits_stay_within_the_ceiling(retry in 0_u32..64, fraction in 0.0_f64..1.0) {
            let (base, max) = (Duration::from_millis(250), Duration::from_secs(15));
            prop_assert!(full_jitter(base, max, retry, fraction) <= ceiling(base, max, retry));
            prop_assert_eq!(full_jitter(base, max, retry, 0.0), Duration::ZERO);
        }

        #[test]
        fn the_backoff_yields_one_wait_per_retry(attempts in 1_u32..20) {
            let mut s = ResilienceSettings::with_in_flight(1);
            s.max_attempts = attempts;
            prop_assert_eq!(FullJitter::new(&s).count() as u32, attempts - 1);
        }
    }

    #[test]
    fn random_fractions_are_in_range_and_vary() {
        let samples: Vec<f64> = (0..64).map(|_| random_fraction()).collect();
        assert!(samples.iter().all(|f| (0.0..1.0).contains(f)));
        assert!(samples.iter().any(|f| *f != samples[0]));
    }
}
