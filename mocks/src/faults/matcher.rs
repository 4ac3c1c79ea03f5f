//! Which rules a request matches, which of them fire, and what the firing rules add up to.
//!
//! An installed plan keeps, per rule, how many requests it matched, how often it fired, and its
//! own random generator (ChaCha8, seeded from the plan's seed and the rule's position), so the
//! same plan, seed and request sequence always fire the same rules, whatever other rules do.
//! Deciding is pure bookkeeping under one lock; the layer acts on the [`Decision`] afterwards.

use std::time::Duration;

use axum::http::StatusCode;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value as JsonValue, json};
use sha2::{Digest as _, Sha256};

use super::plan::{FaultKind, FaultPlan, ResetPhase, RetryAfter};
use crate::SystemKind;

/// A path glob: `*` matches any run of characters, `/` included; everything else is literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    pattern: String,
}

impl Glob {
    /// Refuses what would be mistaken for another glob dialect (`?`, `[…]`, `{…}`) and patterns
    /// that cannot match a path. The reason reads after the field name ("path_pattern …").
    pub(crate) fn new(pattern: &str) -> Result<Glob, String> {
        if !(pattern.starts_with('/') || pattern.starts_with('*')) {
            return Err(format!("must start with `/` or `*`, got {pattern:?}"));
        }
        if let Some(bad) = pattern.chars().find(|c| {
            matches!(c, '?' | '[' | ']' | '{' | '}') || c.is_whitespace() || c.is_control()
        }) {
            return Err(format!(
                "{pattern:?} has {bad:?}; only `*` is special (it matches any run of characters, \
                 `/` included)"
            ));
        }
        Ok(Glob {
            pattern: pattern.to_owned(),
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `path` matches. Linear backtracking over the last `*`: no
    /// recursion, no blow-up on many stars.
    pub(crate) fn matches(&self, path: &str) -> bool {
        let (pattern, text) = (self.pattern.as_bytes(), path.as_bytes());
        let (mut p, mut t) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            if pattern.get(p) == Some(&b'*') {
                star = Some((p, t));
                p += 1;
            } else if pattern.get(p) == Some(&text[t]) {
                p += 1;
                t += 1;
            } else if let Some((star_p, star_t)) = star {
                p = star_p + 1;
                t = star_t + 1;
                star = Some((star_p, star_t + 1));
            } else {
                return false;
            }
        }
        pattern[p.min(pattern.len())..].iter().all(|&b| b == b'*')
    }
}

/// The answer the first firing terminal rule decides.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    Status {
        status: StatusCode,
        message: Option<String>,
    },
    RateLimit {
        retry_after: RetryAfter,
        message: Option<String>,
    },
    ResetBefore,
    ResetDuring,
    Truncate,
    Malformed,
    Hang(Duration),
    NoAnswer,
}

/// Records to churn before the request is served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Drift {
    pub(crate) entity: String,
    pub(crate) changed: u64,
    pub(crate) created: u64,
}

/// What the rules that fired for one request add up to.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Decision {
    /// Names of the rules that fired, in plan order.
    pub(crate) fired: Vec<String>,
    /// Sum of the firing latencies (jitter drawn).
    pub(crate) latency: Duration,
    /// Sum of the firing clock skews.
    pub(crate) skew_seconds: i64,
    pub(crate) expire_tokens: bool,
    pub(crate) drifts: Vec<Drift>,
    /// The first firing terminal rule's answer, and that rule's name.
    pub(crate) outcome: Option<(String, Outcome)>,
}

impl Decision {
    pub(crate) fn is_empty(&self) -> bool {
        self.fired.is_empty()
    }
}

#[derive(Debug)]
struct RuleState {
    matched: u64,
    fired: u64,
    rng: ChaCha8Rng,
}

/// A plan installed in an emulator, with its counters.
#[derive(Debug)]
pub(crate) struct ActivePlan {
    plan: FaultPlan,
    seed: u64,
    states: Vec<RuleState>,
}

/// The generator of the rule at `index` under `seed`.
fn rule_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/faults/rule");
    hasher.update(seed.to_le_bytes());
    hasher.update((index as u64).to_le_bytes());
    ChaCha8Rng::from_seed(hasher.finalize().into())
}

impl ActivePlan {
    /// Installs `plan`; its own seed wins over `default_seed` (the emulator's).
    pub(crate) fn new(plan: FaultPlan, default_seed: u64) -> Self {
        let seed = plan.seed.unwrap_or(default_seed);
        let states = (0..plan.rules.len())
            .map(|index| RuleState {
                matched: 0,
                fired: 0,
                rng: rule_rng(seed, index),
            })
            .collect();
        ActivePlan { plan, seed, states }
    }

    pub(crate) fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// Counts `method path` against every rule of `system`'s emulator and says what fires.
    pub(crate) fn decide(&mut self, system: SystemKind, method: &str, path: &str) -> Decision {
        let mut decision = Decision::default();
        for (rule, state) in self.plan.rules.iter().zip(self.states.iter_mut()) {
            let matches = rule.system.is_none_or(|only| only == system)
                && rule
                    .method
                    .as_deref()
                    .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method))
                && rule.path.as_ref().is_none_or(|wanted| wanted.matches(path));
            if !matches {
                continue;
            }
            state.matched = state.matched.saturating_add(1);
            let rng = &mut state.rng;
            if !rule
                .counting
                .fires(state.matched, state.fired, || rng.random::<f64>())
            {
                continue;
            }
            state.fired = state.fired.saturating_add(1);
            decision.fired.push(rule.name.clone());
            let terminal = match &rule.kind {
                FaultKind::Latency { ms, jitter_ms } => {
                    let jitter = if *jitter_ms > 0 {
                        state.rng.random_range(0..=*jitter_ms)
                    } else {
                        0
                    };
                    decision.latency += Duration::from_millis(ms.saturating_add(jitter));
                    None
                }
                FaultKind::ClockSkew { seconds } => {
                    decision.skew_seconds = decision.skew_seconds.saturating_add(*seconds);
                    None
                }
                FaultKind::ExpireTokens => {
                    decision.expire_tokens = true;
                    None
                }
                FaultKind::PageDrift {
                    entity,
                    changed,
                    created,
                } => {
                    decision.drifts.push(Drift {
                        entity: entity.clone(),
                        changed: *changed,
                        created: *created,
                    });
                    None
                }
                FaultKind::Status { status, message } => Some(Outcome::Status {
                    status: *status,
                    message: message.clone(),
                }),
                FaultKind::RateLimit {
                    retry_after,
                    message,
                } => Some(Outcome::RateLimit {
                    retry_after: *retry_after,
                    message: message.clone(),
                }),
                FaultKind::Reset {
                    phase: ResetPhase::Before,
                } => Some(Outcome::ResetBefore),
                FaultKind::Reset {
                    phase: ResetPhase::During,
                } => Some(Outcome::ResetDuring),
                FaultKind::Truncate => Some(Outcome::Truncate),
                FaultKind::Malformed => Some(Outcome::Malformed),
                FaultKind::Hang { ms } => Some(Outcome::Hang(Duration::from_millis(*ms))),
                FaultKind::NoAnswer => Some(Outcome::NoAnswer),
            };
            if let Some(outcome) = terminal
                && decision.outcome.is_none()
            {
                decision.outcome = Some((rule.name.clone(), outcome));
            }
        }
        decision
    }

    /// `{"plan", "seed", "rules": [{"name", "kind", "matched", "fired", …settings}]}`.
    pub(crate) fn describe(&self) -> JsonValue {
        let rules: Vec<JsonValue> = self
            .plan
            .rules
            .iter()
            .zip(&self.states)
            .map(|(rule, state)| {
                let mut settings = rule.settings();
                settings.insert(String::from("matched"), JsonValue::from(state.matched));
                settings.insert(String::from("fired"), JsonValue::from(state.fired));
                JsonValue::Object(settings)
            })
            .collect();
        json!({ "plan": self.plan.name, "seed": self.seed, "rules": rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, by recursion: `*` takes nothing or one more character.
    fn reference(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => {
                reference(rest, text) || (!text.is_empty() && reference(pattern, &text[1..]))
            }
            Some((first, rest)) => text.first() == Some(first) && reference(rest, &text[1..]),
        }
    }

    fn plan(toml: &str) -> FaultPlan {
        FaultPlan::from_toml(toml).expect("plan")
    }

    #[test]
    fn globs_match_whole_paths_across_slashes() {
        let glob = Glob::new("/maximo/*/os/mxapipo*").expect("glob");
        assert!(glob.matches("/maximo/api/os/mxapipo"));
        assert!(glob.matches("/maximo/oslc/os/mxapipo/_QkVERk9SRC8xMDAw"));
        assert!(glob.matches("/maximo/a/b/os/mxapipo"));
        assert!(!glob.matches("/maximo/api/os/mxapiasset"));
        assert!(!glob.matches("/sap/maximo/api/os/mxapipo"));
        assert!(Glob::new("*").expect("star").matches(""));
        assert!(Glob::new("maximo/*").is_err());
        assert!(Glob::new("/a?b").is_err());
    }

    #[test]
    fn only_the_first_terminal_rule_decides_and_the_rest_compose() {
        let mut active = ActivePlan::new(
            plan(
                r#"
                [[rule]]
                name = "slow"
                kind = "latency"
                ms = 10
                [[rule]]
                name = "skew"
                kind = "clock_skew"
                seconds = -5
                [[rule]]
                name = "503"
                method = "GET"
                kind = "status"
                status = 503
                [[rule]]
                name = "reset"
                kind = "reset"
                phase = "before"
                [[rule]]
                name = "netsuite only"
                system = "netsuite"
                kind = "truncate"
                "#,
            ),
            7,
        );
        let decision = active.decide(SystemKind::Sap, "get", "/x");
        assert_eq!(decision.fired, vec!["slow", "skew", "503", "reset"]);
        assert_eq!(decision.latency, Duration::from_millis(10));
        assert_eq!(decision.skew_seconds, -5);
        assert!(matches!(
            decision.outcome,
            Some((ref name, Outcome::Status { .. })) if name == "503"
        ));
        let post = active.decide(SystemKind::Sap, "POST", "/x");
        assert!(matches!(post.outcome, Some((_, Outcome::ResetBefore))));
        let described = active.describe();
        assert_eq!(described["rules"][2]["matched"], 1);
        assert_eq!(described["rules"][3]["fired"], 2);
        assert_eq!(described["rules"][4]["matched"], 0, "other system");
    }

    fn firings(active: &mut ActivePlan, requests: usize) -> Vec<bool> {
        (0..requests)
            .map(|_| {
                !active
                    .decide(SystemKind::Maximo, "GET", "/maximo/api")
                    .is_empty()
            })
            .collect()
    }

    /// Any value a plan field might be given.
    fn any_value() -> impl Strategy<Value = JsonValue> {
        prop_oneof![
            Just(JsonValue::Null),
            any::<bool>().prop_map(JsonValue::from),
            any::<i64>().prop_map(JsonValue::from),
            any::<u64>().prop_map(JsonValue::from),
            (-2.0f64..2.0).prop_map(JsonValue::from),
            prop_oneof![0u64..4, 0u64..200_000].prop_map(JsonValue::from),
            "[/*a-zA-Z_ ?{]{0,12}".prop_map(JsonValue::from),
            prop::sample::select(vec![
                "status",
                "rate_limit",
                "latency",
                "reset",
                "truncate",
                "malformed",
                "hang",
                "expire_tokens",
                "page_drift",
                "no_answer",
                "clock_skew",
                "before",
                "during",
                "GET",
                "sap",
                "netsuite",
                "purchase-orders",
                "/",
                "*",
            ])
            .prop_map(JsonValue::from),
        ]
    }

    /// A rule object over the real field names (and a stray one), with any values.
    fn any_rule() -> impl Strategy<Value = JsonValue> {
        let fields = prop::sample::subsequence(
            vec![
                "name",
                "kind",
                "method",
                "path",
                "path_pattern",
                "system",
                "first",
                "after",
                "every",
                "probability",
                "times",
                "status",
                "message",
                "retry_after",
                "retry_after_date",
                "ms",
                "jitter_ms",
                "phase",
                "entity",
                "changed",
                "created",
                "seconds",
                "stray",
            ],
            0..10,
        );
        (fields, prop::collection::vec(any_value(), 10)).prop_map(|(fields, values)| {
            let mut map = serde_json::Map::new();
            for (field, value) in fields.into_iter().zip(values) {
                map.insert(field.to_owned(), value);
            }
            JsonValue::Object(map)
        })
    }

    proptest! {
        #[test]
        fn no_plan_input_panics(
            mut rules in prop::collection::vec(any_rule(), 0..4),
            kinds in prop::collection::vec(prop::sample::select(vec![
                "status", "rate_limit", "latency", "reset", "truncate", "malformed", "hang",
                "expire_tokens", "page_drift", "no_answer", "clock_skew",
            ]), 4),
            named in any::<bool>(),
            seed in any_value(),
            text in "[\\[\\]a-z =\"0-9\n.]{0,60}",
        ) {
            let _ = FaultPlan::from_toml(&text);
            // Half the time every rule gets a valid name and kind, so the field checks run.
            if named {
                for (index, (rule, kind)) in rules.iter_mut().zip(&kinds).enumerate() {
                    if let Some(map) = rule.as_object_mut() {
                        map.insert(String::from("name"), JsonValue::from(format!("r{index}")));
                        map.insert(String::from("kind"), JsonValue::from(*kind));
                    }
                }
            }
            let parsed = FaultPlan::from_json(&json!({ "seed": seed, "rule": rules }));
            if let Ok(plan) = parsed {
                let mut active = ActivePlan::new(plan, 7);
                for method in ["GET", "POST"] {
                    for path in ["/", "/sap/opu/odata/sap/X", "/maximo/api/os/mxapipo"] {
                        let _ = active.decide(SystemKind::Sap, method, path);
                    }
                }
                let _ = active.describe();
            }
        }

        #[test]
        fn glob_agrees_with_its_definition(
            pattern in "[/*ab]{0,8}",
            text in "[/ab]{0,10}",
        ) {
            let expected = reference(pattern.as_bytes(), text.as_bytes());
            match Glob::new(&pattern) {
                Ok(glob) => prop_assert_eq!(glob.matches(&text), expected),
                Err(_) => prop_assert!(!(pattern.starts_with('/') || pattern.starts_with('*'))),
            }
        }

        #[test]
        fn same_seed_same_firings(seed in any::<u64>(), p in 0.0f64..=1.0, every in 1u64..4) {
            let text = format!(
                "seed = {}\n[[rule]]\nname = \"r\"\nevery = {every}\nprobability = {p}\nkind = \"latency\"\nms = 1\njitter_ms = 9\n",
                seed >> 1
            );
            let mut a = ActivePlan::new(plan(&text), 0);
            let mut b = ActivePlan::new(plan(&text), 99);
            let (fa, fb) = (firings(&mut a, 60), firings(&mut b, 60));
            prop_assert_eq!(&fa, &fb);
            for (n, fired) in fa.iter().enumerate() {
                if *fired {
                    prop_assert_eq!((n as u64 + 1) % every, 0);
                }
            }
        }

        #[test]
        fn counting_modes_fire_where_they_say(n in 1u64..6, times in 1u64..6, requests in 0usize..30) {
            for (mode, expected) in [
                ("first", (1..=requests as u64).map(|m| m <= n).collect::<Vec<_>>()),
                ("after", (1..=requests as u64).map(|m| m > n).collect()),
                ("every", (1..=requests as u64).map(|m| m % n == 0).collect()),
            ] {
                let text = format!("[[rule]]\nname = \"r\"\n{mode} = {n}\nkind = \"truncate\"\n");
                let mut active = ActivePlan::new(plan(&text), 1);
                prop_assert_eq!(firings(&mut active, requests), expected.clone());
                // The cap keeps the first `times` firings and nothing after.
                let capped = format!("{text}times = {times}\n");
                let mut active = ActivePlan::new(plan(&capped), 1);
                let mut left = times;
                let expected: Vec<bool> = expected
                    .into_iter()
                    .map(|fires| {
                        let yes = fires && left > 0;
                        left -= u64::from(yes);
                        yes
                    })
                    .collect();
                prop_assert_eq!(firings(&mut active, requests), expected);
            }
        }
    }

    #[test]
    fn probability_zero_never_and_one_always() {
        for (p, expected) in [(0.0, false), (1.0, true)] {
            let text = format!(
                "[[rule]]\nname = \"r\"\nafter = 0\nprobability = {p:.1}\nkind = \"truncate\"\n"
            );
            let mut active = ActivePlan::new(plan(&text), 3);
            assert!(firings(&mut active, 20).iter().all(|&f| f == expected));
        }
    }

    #[test]
    fn different_seeds_differ_somewhere() {
        let text = |seed: u64| {
            format!(
                "seed = {seed}\n[[rule]]\nname = \"r\"\nevery = 1\nprobability = 0.5\nkind = \"truncate\"\n"
            )
        };
        let mut a = ActivePlan::new(plan(&text(1)), 0);
        let mut b = ActivePlan::new(plan(&text(2)), 0);
        assert_ne!(firings(&mut a, 64), firings(&mut b, 64));
    }
}
