//! The fault layer every emulator shares: deterministic fault plans that make a system fail the
//! way real systems fail (error statuses with the system's own body, throttling, latency,
//! connections cut before or during the answer, truncated or malformed bodies, hangs, expired
//! sessions, records changing while a client pages, writes that commit without an answer, a
//! skewed `Date`), so the RETRY checks can prove a connector survives them.
//!
//! Why one layer instead of failures inside each system: the failures are transport- and
//! timing-level facts that look the same whatever the protocol, and the conformance catalog
//! must inject them the same way into every emulator. What does depend on the system (its error
//! body, its sessions, its records) is asked of the system through the admin trait
//! `SystemAdmin` (`fault_response`, `expire_sessions`, `churn`).
//!
//! - `plan`: the plan model, read from TOML (`fixtures/faults/*.toml`, embedded) or JSON (the
//!   admin API), validated with errors that name the rule and the field.
//! - `matcher`: path globs, per-rule counters and seeded generators, and the [`Decision`] a
//!   request's firing rules add up to.
//! - `layer`: the middleware that acts on a decision. It sits inside `stamp_date` (fault answers
//!   carry the virtual `Date`, shifted by `clock_skew`) and outside the journal (which therefore
//!   records only requests that reached the system). `/__admin` is never faulted.
//!
//! The plan and its counters live in [`FaultState`] on the emulator's core, where the admin API
//! (`/__admin/faults`) installs, lists and clears them.

mod layer;
mod matcher;
mod plan;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value as JsonValue, json};
use tokio::sync::watch;

pub(crate) use layer::{DateSkew, FaultLayer, apply};
use matcher::ActivePlan;
pub(crate) use matcher::Decision;
pub use plan::FaultPlan;

use crate::SystemKind;
#[cfg(doc)]
use crate::admin::SystemAdmin;

/// The installed plan of one emulator, and the signal that ends its hangs at shutdown.
#[derive(Debug)]
pub(crate) struct FaultState {
    active: Mutex<Option<ActivePlan>>,
    halt: watch::Sender<bool>,
}

impl Default for FaultState {
    fn default() -> Self {
        FaultState {
            active: Mutex::new(None),
            halt: watch::channel(false).0,
        }
    }
}

impl FaultState {
    /// Replaces the plan; counters start at zero. Answers the plan as [`FaultState::describe`]
    /// shows it.
    pub(crate) fn install(&self, plan: FaultPlan, default_seed: u64) -> JsonValue {
        let active = ActivePlan::new(plan, default_seed);
        let described = active.describe();
        *self.active.lock().unwrap_or_else(PoisonError::into_inner) = Some(active);
        described
    }

    /// Removes the plan; answers the name of the plan removed (`null` when unnamed or none)
    /// and whether there was one.
    pub(crate) fn clear(&self) -> (bool, Option<String>) {
        let removed = self
            .active
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match removed {
            Some(active) => (true, active.plan().name().map(str::to_owned)),
            None => (false, None),
        }
    }

    /// `{"plan", "seed", "rules": [{"name", "kind", "matched", "fired", …}]}`; with no plan,
    /// `plan` is null, `seed` the emulator's and `rules` empty.
    pub(crate) fn describe(&self, default_seed: u64) -> JsonValue {
        match &*self.active.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(active) => active.describe(),
            None => json!({ "plan": null, "seed": default_seed, "rules": [] }),
        }
    }

    /// Counts a request against the plan; an empty decision when there is none.
    pub(crate) fn decide(&self, system: SystemKind, method: &str, path: &str) -> Decision {
        match &mut *self.active.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(active) => active.decide(system, method, path),
            None => Decision::default(),
        }
    }

    /// Ends every pause now and later: the server is shutting down.
    pub(crate) fn halt(&self) {
        self.halt.send_replace(true);
    }

    /// Waits `duration` of real time; `false` when the server began shutting down first.
    pub(crate) async fn pause(&self, duration: Duration) -> bool {
        let mut halted = self.halt.subscribe();
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            _ = halted.wait_for(|halted| *halted) => false,
        }
    }
}

/// Checks a plan against the emulator it is about to be installed in.
pub(crate) fn check_plan(
    plan: &FaultPlan,
    system: SystemKind,
    entities: &[&str],
) -> Result<(), String> {
    plan.check_for(system, entities)
}
