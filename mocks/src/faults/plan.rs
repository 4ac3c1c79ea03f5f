//! Fault plans: the model, read from TOML (`fixtures/faults/*.toml`, files) or JSON (the admin
//! API), and validated with errors that name the rule and the field at fault.
//!
//! Both forms go through one reader over a JSON tree (TOML is converted first), so a plan means
//! the same whichever way it arrives and every refusal reads the same. Nothing a plan says can
//! make the emulator panic: every number is range-checked here, before a rule is ever applied.

use std::collections::HashSet;
use std::path::Path;

use axum::http::StatusCode;
use serde_json::{Map, Value as JsonValue};

use super::matcher::Glob;
use crate::{MockError, SystemKind};

/// The plans shipped in `fixtures/faults/`, embedded so a binary serves them without the
/// source tree.
const BUILTIN: &[(&str, &str)] = &[
    (
        "clock-skew",
        include_str!("../../../fixtures/faults/clock-skew.toml"),
    ),
    (
        "duplicate-write",
        include_str!("../../../fixtures/faults/duplicate-write.toml"),
    ),
    ("hang", include_str!("../../../fixtures/faults/hang.toml")),
    (
        "latency",
        include_str!("../../../fixtures/faults/latency.toml"),
    ),
    (
        "outage",
        include_str!("../../../fixtures/faults/outage.toml"),
    ),
    (
        "page-drift",
        include_str!("../../../fixtures/faults/page-drift.toml"),
    ),
    (
        "rate-limit-bare",
        include_str!("../../../fixtures/faults/rate-limit-bare.toml"),
    ),
    (
        "rate-limit-date",
        include_str!("../../../fixtures/faults/rate-limit-date.toml"),
    ),
    (
        "rate-limit-seconds",
        include_str!("../../../fixtures/faults/rate-limit-seconds.toml"),
    ),
    ("reset", include_str!("../../../fixtures/faults/reset.toml")),
    (
        "server-errors",
        include_str!("../../../fixtures/faults/server-errors.toml"),
    ),
    (
        "token-expiry",
        include_str!("../../../fixtures/faults/token-expiry.toml"),
    ),
    (
        "truncated",
        include_str!("../../../fixtures/faults/truncated.toml"),
    ),
];

/// The unified API's entity names, the only ones `page_drift` may name.
const ENTITIES: &[&str] = &[
    "purchase-orders",
    "work-orders",
    "assets",
    "inventory",
    "vendors",
];

/// Most rules a plan may hold.
const MAX_RULES: usize = 1_000;
/// Longest rule name, path or pattern.
const MAX_TEXT: usize = 1_000;
/// Most a latency (or its jitter) may add: one minute.
const MAX_LATENCY_MS: u64 = 60_000;
/// How long a hang lasts when the rule does not say, and at most.
pub(crate) const DEFAULT_HANG_MS: u64 = 30_000;
const MAX_HANG_MS: u64 = 120_000;
/// Most a `Retry-After` may ask a client to wait: one day.
const MAX_RETRY_AFTER: u64 = 86_400;
/// Most a clock may be skewed: ten years either way.
const MAX_SKEW_SECONDS: i64 = 10 * 366 * 86_400;
/// Most records one `page_drift` may change or create at a time.
const MAX_DRIFT: u64 = 10_000;

/// Fields every rule may carry, whatever its kind.
const COMMON_FIELDS: &[&str] = &[
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
];

/// A deterministic plan of faults: rules tried in order on every request that is not for the
/// admin API. Build one with [`FaultPlan::builtin`], [`FaultPlan::from_toml`],
/// [`FaultPlan::from_file`] or [`FaultPlan::from_json`].
#[derive(Clone, Debug, PartialEq)]
pub struct FaultPlan {
    pub(crate) name: Option<String>,
    /// The seed of the rules' random draws; the emulator's seed when `None`.
    pub(crate) seed: Option<u64>,
    pub(crate) rules: Vec<Rule>,
}

/// One rule: which requests it matches, when it fires, and what it does then.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rule {
    pub(crate) name: String,
    /// Upper case.
    pub(crate) method: Option<String>,
    pub(crate) path: Option<PathMatch>,
    pub(crate) system: Option<SystemKind>,
    pub(crate) counting: Counting,
    pub(crate) kind: FaultKind,
}

/// How a rule matches the request path.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathMatch {
    /// The path starts with this.
    Prefix(String),
    /// The whole path matches this glob.
    Pattern(Glob),
}

impl PathMatch {
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Prefix(prefix) => path.starts_with(prefix.as_str()),
            PathMatch::Pattern(glob) => glob.matches(path),
        }
    }
}

/// Which matching requests a rule fires on (matches are numbered from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Count {
    /// Every matching request.
    Always,
    /// The first N.
    First(u64),
    /// Every one after the first N.
    After(u64),
    /// Every Nth (N, 2N, …); N ≥ 1.
    Every(u64),
}

/// A rule's counting: the count, an optional probability on top of it, an optional cap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Counting {
    pub(crate) count: Count,
    /// Within 0..=1.
    pub(crate) probability: Option<f64>,
    /// The rule fires at most this often in total.
    pub(crate) times: Option<u64>,
}

impl Counting {
    /// Whether the `matched`-th matching request fires, when the rule fired `fired` times
    /// before. `draw` gives a uniform number in [0, 1); it is called only when the
    /// probability decides, so the random sequence depends on nothing else.
    pub(crate) fn fires(&self, matched: u64, fired: u64, draw: impl FnOnce() -> f64) -> bool {
        if self.times.is_some_and(|times| fired >= times) {
            return false;
        }
        let by_count = match self.count {
            Count::Always => true,
            Count::First(n) => matched <= n,
            Count::After(n) => matched > n,
            Count::Every(n) => n > 0 && matched.is_multiple_of(n),
        };
        by_count && self.probability.is_none_or(|p| draw() < p)
    }
}

/// `Retry-After` of a `rate_limit` rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryAfter {
    None,
    /// `Retry-After: N`.
    Seconds(u64),
    /// `Retry-After: <HTTP date N seconds after the virtual clock>`.
    Date(u64),
}

/// Where a `reset` cuts the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResetPhase {
    /// Before anything is sent; the request never reaches the system.
    Before,
    /// After the headers and half the body of the real answer.
    During,
}

/// What a firing rule does. `latency`, `clock_skew`, `page_drift` and `expire_tokens` compose
/// (every firing one applies); the others are terminal (the first firing one decides the
/// answer).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FaultKind {
    Status {
        status: StatusCode,
        message: Option<String>,
    },
    RateLimit {
        retry_after: RetryAfter,
        message: Option<String>,
    },
    Latency {
        ms: u64,
        jitter_ms: u64,
    },
    Reset {
        phase: ResetPhase,
    },
    Truncate,
    Malformed,
    Hang {
        ms: u64,
    },
    ExpireTokens,
    PageDrift {
        entity: String,
        changed: u64,
        created: u64,
    },
    NoAnswer,
    ClockSkew {
        seconds: i64,
    },
}

/// Every kind, with the fields only it takes.
const KINDS: &[(&str, &[&str])] = &[
    ("status", &["status", "message"]),
    (
        "rate_limit",
        &["retry_after", "retry_after_date", "message"],
    ),
    ("latency", &["ms", "jitter_ms"]),
    ("reset", &["phase"]),
    ("truncate", &[]),
    ("malformed", &[]),
    ("hang", &["ms"]),
    ("expire_tokens", &[]),
    ("page_drift", &["entity", "changed", "created"]),
    ("no_answer", &[]),
    ("clock_skew", &["seconds"]),
];

impl FaultKind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            FaultKind::Status { .. } => "status",
            FaultKind::RateLimit { .. } => "rate_limit",
            FaultKind::Latency { .. } => "latency",
            FaultKind::Reset { .. } => "reset",
            FaultKind::Truncate => "truncate",
            FaultKind::Malformed => "malformed",
            FaultKind::Hang { .. } => "hang",
            FaultKind::ExpireTokens => "expire_tokens",
            FaultKind::PageDrift { .. } => "page_drift",
            FaultKind::NoAnswer => "no_answer",
            FaultKind::ClockSkew { .. } => "clock_skew",
        }
    }
}

impl FaultPlan {
    /// The names of the plans in `fixtures/faults/`.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// One of the plans shipped in `fixtures/faults/` (`server-errors`, `reset`, …).
    pub fn builtin(name: &str) -> Result<FaultPlan, MockError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(known, _)| *known == name)
            .ok_or_else(|| MockError::UnknownFaultPlan {
                name: name.to_owned(),
                known: FaultPlan::builtin_names().join(", "),
            })?;
        let mut plan = parse_toml(text, &format!("fixtures/faults/{name}.toml"))?;
        plan.name.get_or_insert_with(|| name.to_owned());
        Ok(plan)
    }

    /// A plan from TOML text (the form of `fixtures/faults/*.toml`).
    pub fn from_toml(text: &str) -> Result<FaultPlan, MockError> {
        parse_toml(text, "TOML text")
    }

    /// A plan from a TOML file, named after the file unless it names itself.
    pub fn from_file(path: &Path) -> Result<FaultPlan, MockError> {
        let text = std::fs::read_to_string(path).map_err(|source| MockError::FaultPlanRead {
            path: path.to_owned(),
            source,
        })?;
        let mut plan = parse_toml(&text, &path.display().to_string())?;
        if plan.name.is_none() {
            plan.name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned());
        }
        Ok(plan)
    }

    /// A plan from its JSON form: `{"name"?, "seed"?, "rule": [{…}, …]}` (`rules` is accepted
    /// for `rule`), the same shape as the TOML.
    pub fn from_json(value: &JsonValue) -> Result<FaultPlan, MockError> {
        read_plan(value).map_err(|reason| MockError::FaultPlanInvalid {
            origin: String::from("JSON"),
            reason,
        })
    }

    /// The plan's name (a built-in plan's or file's name), if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The seed the plan asks for; `None` means the emulator's seed.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// The rules' names, in order.
    pub fn rule_names(&self) -> Vec<&str> {
        self.rules.iter().map(|rule| rule.name.as_str()).collect()
    }

    /// Checks what only the emulator it is installed in can tell: a `page_drift` rule aimed at
    /// this system must name an entity the system has.
    pub(crate) fn check_for(&self, system: SystemKind, entities: &[&str]) -> Result<(), String> {
        for rule in &self.rules {
            if let FaultKind::PageDrift { entity, .. } = &rule.kind
                && rule.system == Some(system)
                && !entities.contains(&entity.as_str())
            {
                return Err(format!(
                    "rule {:?}: entity {entity:?} does not exist in the {system} emulator (it \
                     has {})",
                    rule.name,
                    entities.join(", ")
                ));
            }
        }
        Ok(())
    }
}

fn parse_toml(text: &str, origin: &str) -> Result<FaultPlan, MockError> {
    let invalid = |reason: String| MockError::FaultPlanInvalid {
        origin: origin.to_owned(),
        reason,
    };
    let table: toml::Table = toml::from_str(text).map_err(|error| invalid(error.to_string()))?;
    let value = toml_to_json(toml::Value::Table(table)).map_err(invalid)?;
    read_plan(&value).map_err(invalid)
}

/// TOML as a JSON tree; non-finite floats have no JSON form and are refused.
fn toml_to_json(value: toml::Value) -> Result<JsonValue, String> {
    Ok(match value {
        toml::Value::String(text) => JsonValue::String(text),
        toml::Value::Integer(number) => JsonValue::from(number),
        toml::Value::Float(number) => serde_json::Number::from_f64(number)
            .map(JsonValue::Number)
            .ok_or_else(|| format!("{number} is not a finite number"))?,
        toml::Value::Boolean(flag) => JsonValue::Bool(flag),
        toml::Value::Datetime(at) => JsonValue::String(at.to_string()),
        toml::Value::Array(items) => JsonValue::Array(
            items
                .into_iter()
                .map(toml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => JsonValue::Object(
            table
                .into_iter()
                .map(|(key, value)| Ok((key, toml_to_json(value)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn read_plan(value: &JsonValue) -> Result<FaultPlan, String> {
    let JsonValue::Object(map) = value else {
        return Err(String::from(
            "a fault plan is an object with `seed` and `rule`",
        ));
    };
    if let Some(unknown) = map
        .keys()
        .find(|key| !["name", "seed", "rule", "rules"].contains(&key.as_str()))
    {
        return Err(format!(
            "unknown field `{unknown}` (a plan has name, seed and rule)"
        ));
    }
    let name = match map.get("name") {
        None => None,
        Some(JsonValue::String(name)) if !name.trim().is_empty() && name.len() <= MAX_TEXT => {
            Some(name.clone())
        }
        Some(_) => return Err(String::from("name must be a non-empty string")),
    };
    let seed = match map.get("seed") {
        None => None,
        Some(value) => Some(
            value
                .as_u64()
                .ok_or_else(|| String::from("seed must be a non-negative integer"))?,
        ),
    };
    let rules = match (map.get("rule"), map.get("rules")) {
        (Some(_), Some(_)) => return Err(String::from("give rule or rules, not both")),
        (Some(rules), None) | (None, Some(rules)) => rules,
        (None, None) => return Err(String::from("the plan has no `rule`")),
    };
    let JsonValue::Array(rules) = rules else {
        return Err(String::from(
            "rule must be an array of tables (`[[rule]]` in TOML)",
        ));
    };
    if rules.is_empty() {
        return Err(String::from("the plan has no rule"));
    }
    if rules.len() > MAX_RULES {
        return Err(format!("a plan holds at most {MAX_RULES} rules"));
    }
    let mut names = HashSet::new();
    let mut parsed = Vec::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        let rule = read_rule(index, rule)?;
        if !names.insert(rule.name.clone()) {
            return Err(format!(
                "rule {:?}: name is used by an earlier rule; names are unique within a plan",
                rule.name
            ));
        }
        parsed.push(rule);
    }
    Ok(FaultPlan {
        name,
        seed,
        rules: parsed,
    })
}

/// A rule's fields, and how to say which rule a refusal is about.
struct Fields<'a> {
    map: &'a Map<String, JsonValue>,
    label: String,
}

impl Fields<'_> {
    fn error(&self, message: impl std::fmt::Display) -> String {
        format!("{}: {message}", self.label)
    }

    fn text(&self, key: &str) -> Result<Option<&str>, String> {
        match self.map.get(key) {
            None => Ok(None),
            Some(JsonValue::String(text)) if text.len() <= MAX_TEXT => Ok(Some(text)),
            Some(JsonValue::String(_)) => {
                Err(self.error(format_args!("{key} is longer than {MAX_TEXT} characters")))
            }
            Some(_) => Err(self.error(format_args!("{key} must be a string"))),
        }
    }

    fn unsigned(&self, key: &str) -> Result<Option<u64>, String> {
        match self.map.get(key) {
            None => Ok(None),
            Some(value) => value.as_u64().map(Some).ok_or_else(|| {
                self.error(format_args!(
                    "{key} must be a non-negative integer, got {value}"
                ))
            }),
        }
    }

    /// A non-negative integer within `range`.
    fn within(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Option<u64>, String> {
        match self.unsigned(key)? {
            Some(value) if !range.contains(&value) => Err(self.error(format_args!(
                "{key} must be within {}..={}, got {value}",
                range.start(),
                range.end()
            ))),
            other => Ok(other),
        }
    }
}

fn read_rule(index: usize, value: &JsonValue) -> Result<Rule, String> {
    let number = index + 1;
    let JsonValue::Object(map) = value else {
        return Err(format!("rule #{number}: a rule must be a table"));
    };
    let name = match map.get("name") {
        Some(JsonValue::String(name)) if !name.trim().is_empty() && name.len() <= MAX_TEXT => {
            name.clone()
        }
        Some(_) => {
            return Err(format!(
                "rule #{number}: name must be a non-empty string of at most {MAX_TEXT} characters"
            ));
        }
        None => return Err(format!("rule #{number}: name is required")),
    };
    let fields = Fields {
        map,
        label: format!("rule {name:?}"),
    };
    let kind_name = fields
        .text("kind")?
        .ok_or_else(|| fields.error("kind is required"))?;
    let Some((kind_name, kind_fields)) = KINDS.iter().find(|(known, _)| *known == kind_name) else {
        let known: Vec<&str> = KINDS.iter().map(|(known, _)| *known).collect();
        return Err(fields.error(format_args!(
            "unknown kind {kind_name:?}; kinds: {}",
            known.join(", ")
        )));
    };
    for key in map.keys() {
        if COMMON_FIELDS.contains(&key.as_str()) || kind_fields.contains(&key.as_str()) {
            continue;
        }
        if KINDS.iter().any(|(_, extra)| extra.contains(&key.as_str())) {
            return Err(fields.error(format_args!(
                "field `{key}` does not apply to kind {kind_name:?}"
            )));
        }
        return Err(fields.error(format_args!("unknown field `{key}`")));
    }

    let method = match fields.text("method")? {
        None => None,
        Some(method) => {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(fields.error(format_args!(
                    "method must be an HTTP method such as GET or POST, got {method:?}"
                )));
            }
            Some(method.to_ascii_uppercase())
        }
    };
    let path = match (fields.text("path")?, fields.text("path_pattern")?) {
        (Some(_), Some(_)) => {
            return Err(fields.error("give path (a prefix) or path_pattern (a glob), not both"));
        }
        (Some(prefix), None) => {
            if !prefix.starts_with('/') {
                return Err(fields.error(format_args!("path must start with `/`, got {prefix:?}")));
            }
            Some(PathMatch::Prefix(prefix.to_owned()))
        }
        (None, Some(pattern)) => Some(PathMatch::Pattern(
            Glob::new(pattern)
                .map_err(|reason| fields.error(format_args!("path_pattern {reason}")))?,
        )),
        (None, None) => None,
    };
    let system = match fields.text("system")? {
        None => None,
        Some(text) => Some(text.parse::<SystemKind>().map_err(|_| {
            fields.error(format_args!(
                "system must be sap, netsuite or maximo, got {text:?}"
            ))
        })?),
    };
    let counting = read_counting(&fields)?;
    let kind = read_kind(&fields, kind_name)?;
    Ok(Rule {
        name,
        method,
        path,
        system,
        counting,
        kind,
    })
}

fn read_counting(fields: &Fields<'_>) -> Result<Counting, String> {
    let first = fields.unsigned("first")?;
    let after = fields.unsigned("after")?;
    let every = fields.unsigned("every")?;
    let count = match (first, after, every) {
        (None, None, None) => Count::Always,
        (Some(n), None, None) => {
            if n == 0 {
                return Err(fields.error("first must be at least 1 (first = 0 never fires)"));
            }
            Count::First(n)
        }
        (None, Some(n), None) => Count::After(n),
        (None, None, Some(n)) => {
            if n == 0 {
                return Err(fields.error("every must be at least 1"));
            }
            Count::Every(n)
        }
        _ => {
            let given: Vec<&str> = [("first", first), ("after", after), ("every", every)]
                .iter()
                .filter(|(_, value)| value.is_some())
                .map(|(name, _)| *name)
                .collect();
            return Err(fields.error(format_args!(
                "give at most one of first, after and every (got {})",
                given.join(" and ")
            )));
        }
    };
    let probability = match fields.map.get("probability") {
        None => None,
        Some(value) => {
            let p = value
                .as_f64()
                .filter(|p| p.is_finite() && (0.0..=1.0).contains(p))
                .ok_or_else(|| {
                    fields.error(format_args!(
                        "probability must be a number within 0..=1, got {value}"
                    ))
                })?;
            if matches!(count, Count::First(_)) {
                return Err(fields.error(
                    "probability combines with after or every, not with first (first N is exact)",
                ));
            }
            Some(p)
        }
    };
    let times = fields.unsigned("times")?;
    if times == Some(0) {
        return Err(fields.error("times must be at least 1 (times = 0 never fires)"));
    }
    Ok(Counting {
        count,
        probability,
        times,
    })
}

fn read_kind(fields: &Fields<'_>, kind: &str) -> Result<FaultKind, String> {
    let message =
        || -> Result<Option<String>, String> { Ok(fields.text("message")?.map(str::to_owned)) };
    Ok(match kind {
        "status" => {
            let status = fields
                .unsigned("status")?
                .ok_or_else(|| fields.error("status is required for kind \"status\""))?;
            let status = u16::try_from(status)
                .ok()
                .filter(|code| (400..=599).contains(code))
                .and_then(|code| StatusCode::from_u16(code).ok())
                .ok_or_else(|| {
                    fields.error(format_args!(
                        "status must be an HTTP error status within 400..=599, got {status}"
                    ))
                })?;
            FaultKind::Status {
                status,
                message: message()?,
            }
        }
        "rate_limit" => {
            let seconds = fields.within("retry_after", 0..=MAX_RETRY_AFTER)?;
            let date = fields.within("retry_after_date", 0..=MAX_RETRY_AFTER)?;
            let retry_after = match (seconds, date) {
                (Some(_), Some(_)) => {
                    return Err(fields.error(
                        "give retry_after (seconds) or retry_after_date (an HTTP date), not both",
                    ));
                }
                (Some(seconds), None) => RetryAfter::Seconds(seconds),
                (None, Some(seconds)) => RetryAfter::Date(seconds),
                (None, None) => RetryAfter::None,
            };
            FaultKind::RateLimit {
                retry_after,
                message: message()?,
            }
        }
        "latency" => FaultKind::Latency {
            ms: fields
                .within("ms", 0..=MAX_LATENCY_MS)?
                .ok_or_else(|| fields.error("ms is required for kind \"latency\""))?,
            jitter_ms: fields.within("jitter_ms", 0..=MAX_LATENCY_MS)?.unwrap_or(0),
        },
        "reset" => {
            let phase = match fields.text("phase")? {
                Some("before") => ResetPhase::Before,
                Some("during") => ResetPhase::During,
                Some(other) => {
                    return Err(fields.error(format_args!(
                        "phase must be \"before\" or \"during\", got {other:?}"
                    )));
                }
                None => {
                    return Err(fields
                        .error("phase is required for kind \"reset\" (\"before\" or \"during\")"));
                }
            };
            FaultKind::Reset { phase }
        }
        "truncate" => FaultKind::Truncate,
        "malformed" => FaultKind::Malformed,
        "hang" => FaultKind::Hang {
            ms: fields
                .within("ms", 1..=MAX_HANG_MS)?
                .unwrap_or(DEFAULT_HANG_MS),
        },
        "expire_tokens" => FaultKind::ExpireTokens,
        "page_drift" => {
            let entity = fields
                .text("entity")?
                .ok_or_else(|| fields.error("entity is required for kind \"page_drift\""))?;
            if !ENTITIES.contains(&entity) {
                return Err(fields.error(format_args!(
                    "entity must be one of {}, got {entity:?}",
                    ENTITIES.join(", ")
                )));
            }
            let changed = fields.within("changed", 0..=MAX_DRIFT)?.unwrap_or(5);
            let created = fields.within("created", 0..=MAX_DRIFT)?.unwrap_or(0);
            if changed == 0 && created == 0 {
                return Err(fields.error("page_drift changes or creates at least one record"));
            }
            FaultKind::PageDrift {
                entity: entity.to_owned(),
                changed,
                created,
            }
        }
        "no_answer" => FaultKind::NoAnswer,
        "clock_skew" => {
            let seconds = match fields.map.get("seconds") {
                None => return Err(fields.error("seconds is required for kind \"clock_skew\"")),
                Some(value) => value
                    .as_i64()
                    .filter(|s| s.abs() <= MAX_SKEW_SECONDS)
                    .ok_or_else(|| {
                        fields.error(format_args!(
                            "seconds must be an integer within ±{MAX_SKEW_SECONDS}, got {value}"
                        ))
                    })?,
            };
            FaultKind::ClockSkew { seconds }
        }
        // `KINDS` lists exactly the kinds above.
        other => return Err(fields.error(format_args!("unknown kind {other:?}"))),
    })
}

impl Rule {
    /// The rule's settings as the admin API shows them (the plan's own field names).
    pub(crate) fn settings(&self) -> Map<String, JsonValue> {
        let mut map = Map::new();
        map.insert(String::from("name"), JsonValue::from(self.name.clone()));
        map.insert(String::from("kind"), JsonValue::from(self.kind.name()));
        if let Some(method) = &self.method {
            map.insert(String::from("method"), JsonValue::from(method.clone()));
        }
        match &self.path {
            Some(PathMatch::Prefix(prefix)) => {
                map.insert(String::from("path"), JsonValue::from(prefix.clone()));
            }
            Some(PathMatch::Pattern(glob)) => {
                map.insert(
                    String::from("path_pattern"),
                    JsonValue::from(glob.as_str().to_owned()),
                );
            }
            None => {}
        }
        if let Some(system) = self.system {
            map.insert(String::from("system"), JsonValue::from(system.as_str()));
        }
        match self.counting.count {
            Count::Always => {}
            Count::First(n) => {
                map.insert(String::from("first"), JsonValue::from(n));
            }
            Count::After(n) => {
                map.insert(String::from("after"), JsonValue::from(n));
            }
            Count::Every(n) => {
                map.insert(String::from("every"), JsonValue::from(n));
            }
        }
        if let Some(p) = self.counting.probability {
            map.insert(String::from("probability"), JsonValue::from(p));
        }
        if let Some(times) = self.counting.times {
            map.insert(String::from("times"), JsonValue::from(times));
        }
        let mut put = |key: &str, value: JsonValue| {
            map.insert(key.to_owned(), value);
        };
        match &self.kind {
            FaultKind::Status { status, message } => {
                put("status", JsonValue::from(status.as_u16()));
                if let Some(message) = message {
                    put("message", JsonValue::from(message.clone()));
                }
            }
            FaultKind::RateLimit {
                retry_after,
                message,
            } => {
                match retry_after {
                    RetryAfter::None => {}
                    RetryAfter::Seconds(s) => put("retry_after", JsonValue::from(*s)),
                    RetryAfter::Date(s) => put("retry_after_date", JsonValue::from(*s)),
                }
                if let Some(message) = message {
                    put("message", JsonValue::from(message.clone()));
                }
            }
            FaultKind::Latency { ms, jitter_ms } => {
                put("ms", JsonValue::from(*ms));
                put("jitter_ms", JsonValue::from(*jitter_ms));
            }
            FaultKind::Reset { phase } => put(
                "phase",
                JsonValue::from(match phase {
                    ResetPhase::Before => "before",
                    ResetPhase::During => "during",
                }),
            ),
            FaultKind::Hang { ms } => put("ms", JsonValue::from(*ms)),
            FaultKind::PageDrift {
                entity,
                changed,
                created,
            } => {
                put("entity", JsonValue::from(entity.clone()));
                put("changed", JsonValue::from(*changed));
                put("created", JsonValue::from(*created));
            }
            FaultKind::ClockSkew { seconds } => put("seconds", JsonValue::from(*seconds)),
            FaultKind::Truncate
            | FaultKind::Malformed
            | FaultKind::ExpireTokens
            | FaultKind::NoAnswer => {}
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refusal(rule: JsonValue) -> String {
        match FaultPlan::from_json(&json!({ "rule": [rule] })) {
            Ok(plan) => panic!("accepted {plan:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn every_builtin_plan_loads_and_is_named() {
        let names = FaultPlan::builtin_names();
        assert!(names.len() >= 13, "{names:?}");
        for name in names {
            let plan = FaultPlan::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(plan.name(), Some(name));
            assert!(!plan.rules.is_empty(), "{name}");
        }
        assert!(matches!(
            FaultPlan::builtin("nope"),
            Err(MockError::UnknownFaultPlan { .. })
        ));
    }

    #[test]
    fn toml_and_json_mean_the_same() {
        let toml = FaultPlan::from_toml(
            r#"
            seed = 7
            [[rule]]
            name = "pages fail"
            method = "get"
            path_pattern = "/maximo/*/os/mxapipo*"
            every = 3
            times = 5
            kind = "status"
            status = 503
            "#,
        )
        .expect("toml");
        let json = FaultPlan::from_json(&json!({"seed": 7, "rules": [{
            "name": "pages fail", "method": "GET", "path_pattern": "/maximo/*/os/mxapipo*",
            "every": 3, "times": 5, "kind": "status", "status": 503}]}))
        .expect("json");
        assert_eq!(toml, json);
        assert_eq!(toml.rules[0].method.as_deref(), Some("GET"));
        let settings = JsonValue::Object(toml.rules[0].settings());
        assert_eq!(settings["every"], 3);
        assert_eq!(settings["status"], 503);
    }

    #[test]
    fn refusals_name_the_rule_and_the_field() {
        let cases = [
            (
                json!({"name": "a", "kind": "explode"}),
                "rule \"a\": unknown kind \"explode\"",
            ),
            (
                json!({"name": "a", "kind": "status"}),
                "rule \"a\": status is required",
            ),
            (
                json!({"name": "a", "kind": "status", "status": 200}),
                "within 400..=599",
            ),
            (
                json!({"name": "a", "kind": "status", "status": 503, "first": 1, "every": 2}),
                "at most one of first, after and every (got first and every)",
            ),
            (
                json!({"name": "a", "kind": "latency", "ms": 5, "status": 503}),
                "field `status` does not apply to kind \"latency\"",
            ),
            (
                json!({"name": "a", "kind": "truncate", "colour": 1}),
                "unknown field `colour`",
            ),
            (
                json!({"name": "a", "kind": "truncate", "path_pattern": "/a/[b]"}),
                "rule \"a\": path_pattern",
            ),
            (
                json!({"name": "a", "kind": "truncate", "probability": 1.5}),
                "probability must be a number within 0..=1",
            ),
            (
                json!({"name": "a", "kind": "truncate", "first": 2, "probability": 0.5}),
                "not with first",
            ),
            (
                json!({"name": "a", "kind": "hang", "ms": 500_000}),
                "ms must be within 1..=120000",
            ),
            (
                json!({"name": "a", "kind": "rate_limit", "retry_after": 1, "retry_after_date": 1}),
                "not both",
            ),
            (
                json!({"name": "a", "kind": "page_drift", "entity": "widgets"}),
                "entity must be one of",
            ),
            (json!({"name": "a", "kind": "reset"}), "phase is required"),
            (
                json!({"name": "a", "kind": "truncate", "system": "oracle"}),
                "system must be sap, netsuite or maximo",
            ),
            (
                json!({"name": "a", "kind": "truncate", "method": "GE T"}),
                "method must be an HTTP method",
            ),
            (json!({"kind": "truncate"}), "rule #1: name is required"),
            (
                json!({"name": "a", "kind": "clock_skew", "seconds": 1.5}),
                "seconds must be an integer",
            ),
        ];
        for (rule, expected) in cases {
            let message = refusal(rule.clone());
            assert!(message.contains(expected), "{rule}: {message}");
        }
        let duplicate = FaultPlan::from_json(&json!({"rule": [
            {"name": "a", "kind": "truncate"}, {"name": "a", "kind": "malformed"}]}))
        .expect_err("duplicate names");
        assert!(duplicate.to_string().contains("unique"), "{duplicate}");
        let nan = FaultPlan::from_toml("[[rule]]\nname = \"a\"\nkind = \"latency\"\nms = nan\n")
            .expect_err("nan");
        assert!(nan.to_string().contains("finite"), "{nan}");
        let syntax = FaultPlan::from_toml("[[rule]\n").expect_err("syntax");
        assert!(syntax.to_string().contains("TOML text"), "{syntax}");
    }

    #[test]
    fn counting_follows_its_mode_and_cap() {
        let fires = |count: Count, times: Option<u64>, n: u64| {
            let counting = Counting {
                count,
                probability: None,
                times,
            };
            let mut fired = 0;
            (1..=n)
                .filter(|&matched| {
                    let yes = counting.fires(matched, fired, || 0.0);
                    fired += u64::from(yes);
                    yes
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(fires(Count::First(2), None, 5), vec![1, 2]);
        assert_eq!(fires(Count::After(3), None, 5), vec![4, 5]);
        assert_eq!(fires(Count::Every(3), None, 10), vec![3, 6, 9]);
        assert_eq!(fires(Count::Every(2), Some(2), 10), vec![2, 4]);
        assert_eq!(fires(Count::Always, Some(3), 10), vec![1, 2, 3]);
    }
}
