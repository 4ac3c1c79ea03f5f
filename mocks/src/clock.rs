//! The virtual clock every emulator reads instead of the wall clock.
//!
//! Frozen at the profile's start instant and moved only through the admin API, in whole
//! seconds and never backwards. Every timestamp an emulator writes (creates, changes, churn,
//! token expiry, the `Date` header) comes from here, so a run is reproducible and a test can
//! step time across a token's lifetime or a sync window without sleeping.

use std::sync::Mutex;

use chrono::{DateTime, SubsecRound as _, TimeDelta, Utc};

/// Why the clock refused to move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClockRefusal {
    /// Setting the clock earlier than it reads now.
    Backwards {
        now: DateTime<Utc>,
        requested: DateTime<Utc>,
    },
    /// A target with a fraction of a second.
    NotWholeSeconds,
    /// Beyond what the calendar can hold.
    OutOfRange,
}

impl std::fmt::Display for ClockRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockRefusal::Backwards { now, requested } => write!(
                f,
                "the virtual clock never goes back: {} is earlier than now ({})",
                format_instant(*requested),
                format_instant(*now)
            ),
            ClockRefusal::NotWholeSeconds => {
                f.write_str("the virtual clock moves in whole seconds")
            }
            ClockRefusal::OutOfRange => f.write_str("the requested instant is out of range"),
        }
    }
}

/// A shared, monotonic, whole-second clock.
#[derive(Debug)]
pub(crate) struct VirtualClock {
    now: Mutex<DateTime<Utc>>,
}

impl VirtualClock {
    pub(crate) fn new(start: DateTime<Utc>) -> Self {
        VirtualClock {
            now: Mutex::new(start.trunc_subsecs(0)),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn advance(&self, seconds: u64) -> Result<DateTime<Utc>, ClockRefusal> {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let delta = i64::try_from(seconds)
            .ok()
            .and_then(TimeDelta::try_seconds)
            .ok_or(ClockRefusal::OutOfRange)?;
        let next = now
            .checked_add_signed(delta)
            .ok_or(ClockRefusal::OutOfRange)?;
        *now = next;
        Ok(next)
    }

    pub(crate) fn set(&self, requested: DateTime<Utc>) -> Result<DateTime<Utc>, ClockRefusal> {
        if requested.timestamp_subsec_nanos() != 0 {
            return Err(ClockRefusal::NotWholeSeconds);
        }
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if requested < *now {
            return Err(ClockRefusal::Backwards {
                now: *now,
                requested,
            });
        }
        *now = requested;
        Ok(requested)
    }
}

/// `2026-03-02T08:00:00Z`: the admin API's form for clock readings.
pub(crate) fn format_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// RFC 9110 IMF-fixdate (`Mon, 02 Mar 2026 08:00:00 GMT`) for the `Date` header.
pub(crate) fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn moves_forward_in_whole_seconds_only() {
        let clock = VirtualClock::new(start());
        assert_eq!(
            format_instant(clock.advance(3600).expect("ok")),
            "2026-03-02T09:00:00Z"
        );
        assert!(matches!(
            clock.set(start()),
            Err(ClockRefusal::Backwards { .. })
        ));
        let half = start() + TimeDelta::milliseconds(7_200_500);
        assert_eq!(clock.set(half), Err(ClockRefusal::NotWholeSeconds));
        assert!(clock.advance(u64::MAX).is_err());
        assert_eq!(http_date(clock.now()), "Mon, 02 Mar 2026 09:00:00 GMT");
    }
}
