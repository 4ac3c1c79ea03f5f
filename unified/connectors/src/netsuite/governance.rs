//! NetSuite's concurrency governance, as this connector lives with it.
//!
//! NetSuite limits an account by requests **in flight**, not by rate: one pool shared by every
//! integration of the account (default 5 on a standard tier). A request over the limit is refused
//! at once with 429 `CONCURRENCY_LIMIT_EXCEEDED` and no `Retry-After`. So the connection's
//! resilience layer (`crate::resilience`) is set up from NetSuite's own settings:
//! - its in-flight limit is `concurrency_limit` (default 5): this connector alone never has more
//!   in flight than the account allows;
//! - a 429 is expected traffic (other integrations share the pool): the request waits a backoff
//!   with full jitter and is sent again, signed anew, up to `concurrency_retries` more times
//!   (default 8) before it reports [`crate::ConnectorError::RateLimited`]. NetSuite did not
//!   process a refused request, so repeating it is safe for writes too.
//!
//! The layer's own keys (`max_in_flight`, `retry_max_attempts`) win where both are given.

use crate::resilience::ResilienceSettings;
use mw_model::FieldError;
use serde_json::Value;

/// The account concurrency limit of NetSuite's standard tier, and this connector's default.
pub(crate) const DEFAULT_CONCURRENCY: usize = 5;
/// How many times a request refused with 429 is sent again by default.
pub(crate) const DEFAULT_RETRIES: u32 = 8;

/// The resilience settings of a NetSuite connection: the layer's keys of `settings`, with
/// NetSuite's `concurrency_limit` and `concurrency_retries` where the layer's are not given.
pub(crate) fn resilience_settings(
    settings: &Value,
    concurrency_limit: Option<usize>,
    concurrency_retries: Option<u32>,
) -> Result<ResilienceSettings, Vec<FieldError>> {
    let limit = concurrency_limit.unwrap_or(DEFAULT_CONCURRENCY);
    let mut resilience = ResilienceSettings::read(settings, limit)?;
    if settings.get("retry_max_attempts").is_none() {
        resilience.max_attempts = concurrency_retries.unwrap_or(DEFAULT_RETRIES) + 1;
    }
    Ok(resilience)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn netsuite_settings_become_the_layers() {
        let s = resilience_settings(&json!({}), None, None).expect("valid");
        assert_eq!((s.max_in_flight, s.max_attempts), (5, 9));
        let s = resilience_settings(&json!({}), Some(2), Some(0)).expect("valid");
        assert_eq!((s.max_in_flight, s.max_attempts), (2, 1));
        let own = json!({ "max_in_flight": 3, "retry_max_attempts": 4 });
        let s = resilience_settings(&own, Some(2), Some(0)).expect("valid");
        assert_eq!((s.max_in_flight, s.max_attempts), (3, 4));
    }
}
