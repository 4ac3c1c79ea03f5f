//! A connection's sync settings, read from the `settings` object of `POST /v1/connections`.
//!
//! Keys this module does not know are left to the connector (write defaults and the like).

use mw_model::FieldError;
use serde_json::Value;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct SyncSettings {
    /// How far back an initial sync reads transactional records, measured on the source's clock.
    pub initial_lookback_days: u32,
    /// How far before the watermark an incremental sync starts reading again. Covers records
    /// committed late with an earlier timestamp and sources whose stamps have coarse precision.
    pub overlap: Duration,
    /// Records per page asked of the source.
    pub page_size: u32,
    /// Keep each record's native payload beside the canonical one.
    pub keep_raw: bool,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            initial_lookback_days: 30,
            overlap: Duration::from_secs(300),
            page_size: 500,
            keep_raw: false,
        }
    }
}

impl SyncSettings {
    pub const MAX_LOOKBACK_DAYS: u64 = 3650;
    pub const MAX_PAGE_SIZE: u64 = 5000;

    /// Reads the sync keys of a connection's `settings`, reporting bad values by JSON path.
    pub fn from_settings(settings: &Value) -> Result<SyncSettings, Vec<FieldError>> {
        let mut s = SyncSettings::default();
        let mut errors = Vec::new();
        let obj = match settings {
            Value::Null => return Ok(s),
            Value::Object(o) => o,
            _ => return Err(vec![FieldError::new("$.settings", "must be an object")]),
        };
        let mut int = |key: &str, min: u64, max: u64| -> Option<u64> {
            let v = obj.get(key)?;
            match v.as_u64() {
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
        if let Some(n) = int("initial_lookback_days", 1, Self::MAX_LOOKBACK_DAYS) {
            s.initial_lookback_days = n as u32;
        }
        if let Some(n) = int("overlap_seconds", 0, 86_400) {
            s.overlap = Duration::from_secs(n);
        }
        if let Some(n) = int("page_size", 1, Self::MAX_PAGE_SIZE) {
            s.page_size = n as u32;
        }
        match obj.get("keep_raw") {
            None => {}
            Some(Value::Bool(b)) => s.keep_raw = *b,
            Some(_) => errors.push(FieldError::new("$.settings.keep_raw", "must be a boolean")),
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(settings: Value, expected: Result<(u32, u64, u32, bool), &[&str]>) {
        let got = SyncSettings::from_settings(&settings)
            .map(|s| {
                (
                    s.initial_lookback_days,
                    s.overlap.as_secs(),
                    s.page_size,
                    s.keep_raw,
                )
            })
            .map_err(|e| e.into_iter().map(|e| e.path).collect::<Vec<_>>());
        match expected {
            Ok(v) => assert_eq!(got, Ok(v), "{settings}"),
            Err(paths) => assert_eq!(
                got,
                Err(paths.iter().map(|p| p.to_string()).collect()),
                "{settings}"
            ),
        }
    }

    #[test]
    fn settings_are_read_with_defaults_and_checked() {
        check(json!(null), Ok((30, 300, 500, false)));
        check(json!({}), Ok((30, 300, 500, false)));
        check(
            json!({"initial_lookback_days": 90, "overlap_seconds": 0, "page_size": 7, "keep_raw": true, "company_code": "1710"}),
            Ok((90, 0, 7, true)),
        );
        check(
            json!({"initial_lookback_days": 0, "page_size": "10", "keep_raw": 1}),
            Err(&[
                "$.settings.initial_lookback_days",
                "$.settings.page_size",
                "$.settings.keep_raw",
            ]),
        );
        check(
            json!({"initial_lookback_days": 30.5}),
            Err(&["$.settings.initial_lookback_days"]),
        );
        check(json!([1]), Err(&["$.settings"]));
    }
}
