//! What the connectors' integration tests share: the configuration every test connects with,
//! readings of a page, and (in `sap` and `maximo`) each system's answers as its tests script
//! them. Each test file is its own crate and uses a part of this.
#![allow(dead_code)]

pub(crate) mod maximo;
pub(crate) mod sap;

use chrono::{DateTime, Utc};
use mw_connectors::http::HttpConfig;
use mw_connectors::{Connector, ConnectorConfig, Page, connect};
use mw_model::System;
use serde_json::Value;
use std::time::Duration;
use wiremock::MockServer;

/// A connection's configuration with short timeouts and retry backoffs of a few milliseconds
/// (unless `settings` names its own): a mock that does not answer fails the test quickly, and a
/// scripted failure is retried without waiting.
pub(crate) fn config(base_url: String, credentials: Value, settings: Value) -> ConnectorConfig {
    let mut settings = settings;
    if let Value::Object(fields) = &mut settings {
        for (key, millis) in [("retry_base_delay_ms", 1), ("retry_max_delay_ms", 5)] {
            fields.entry(key).or_insert(Value::from(millis));
        }
    }
    ConnectorConfig {
        base_url,
        credentials,
        settings,
        http: HttpConfig {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            ..HttpConfig::default()
        },
    }
}

/// The `system` connector for the mock `server`.
pub(crate) fn connect_to(
    system: System,
    server: &MockServer,
    credentials: Value,
    settings: Value,
) -> Box<dyn Connector> {
    connect(system, config(server.uri(), credentials, settings)).unwrap()
}

/// An RFC 3339 instant.
pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The `remote_id`s of a page, in order.
pub(crate) fn ids(page: &Page) -> Vec<&str> {
    page.records.iter().map(|r| r.remote_id.as_str()).collect()
}
