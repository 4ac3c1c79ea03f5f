//! What the unit tests of every connector share: a configuration to build a connector from, the
//! JSON paths of a refused configuration, the reviewed view of mapped records that snapshots pin,
//! what every mapping keeps of a native record, the detail of a protocol error, and the proptest
//! strategy of a native object.
//!
//! Test data that belongs to one system stays with it (`sap::mapping::test_support`,
//! `maximo::mapping::test_support`).

use crate::http::HttpConfig;
use crate::{ConnectorConfig, ConnectorError};
use chrono::{DateTime, Utc};
use mw_model::{Asset, Entity, EntityData, RemoteRecord, WorkOrder};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::fmt::Debug;

/// A connection's configuration with the default HTTP settings.
pub(crate) fn config(base_url: &str, credentials: Value, settings: Value) -> ConnectorConfig {
    ConnectorConfig {
        base_url: base_url.into(),
        credentials,
        settings,
        http: HttpConfig::default(),
    }
}

/// The JSON paths of a configuration a connector refused; a connector, or any other error,
/// fails the test.
pub(crate) fn invalid_paths<C>(result: Result<C, ConnectorError>) -> Vec<String> {
    match result {
        Err(ConnectorError::InvalidConfig(errors)) => errors.into_iter().map(|e| e.path).collect(),
        Err(other) => panic!("expected InvalidConfig, got {other:?}"),
        Ok(_) => panic!("expected InvalidConfig, got a connector"),
    }
}

/// An RFC 3339 instant.
pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// What a reviewed snapshot holds of a mapped record: everything but `raw`.
pub(crate) fn reviewed(record: &RemoteRecord) -> Value {
    json!({
        "remote_id": record.remote_id,
        "remote_created_at": record.remote_created_at,
        "remote_updated_at": record.remote_updated_at,
        "remote_version": record.remote_version,
        "data": record.data,
    })
}

/// The reviewed view of every record of a recorded page, mapped by `map`.
pub(crate) fn reviewed_page(
    raws: Vec<Value>,
    map: impl Fn(Value) -> Result<RemoteRecord, ConnectorError>,
) -> Vec<Value> {
    raws.into_iter()
        .map(|raw| reviewed(&map(raw).unwrap()))
        .collect()
}

/// Asserts that `map` makes a record of `entity` of `raw`, and keeps `raw` as it came.
pub(crate) fn assert_keeps_raw(
    raw: Value,
    map: impl FnOnce(Value) -> Result<RemoteRecord, ConnectorError>,
    entity: Entity,
) {
    let record = map(raw.clone()).unwrap();
    assert_eq!(record.raw, Some(raw));
    assert_eq!(record.entity(), entity);
}

/// The detail of the protocol error `result` must be.
pub(crate) fn protocol_detail<T: Debug>(result: Result<T, ConnectorError>) -> String {
    match result {
        Err(ConnectorError::Protocol { detail, .. }) => detail,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

pub(crate) fn asset_of(record: &RemoteRecord) -> &Asset {
    match &record.data {
        EntityData::Asset(a) => a,
        other => panic!("not an asset: {other:?}"),
    }
}

pub(crate) fn work_order_of(record: &RemoteRecord) -> &WorkOrder {
    match &record.data {
        EntityData::WorkOrder(wo) => wo,
        other => panic!("not a work order: {other:?}"),
    }
}

/// A JSON object holding each of `fields` with some probability (an absent field is the
/// "missing optional field" case).
pub(crate) fn object(
    fields: Vec<(&'static str, BoxedStrategy<Value>)>,
) -> impl Strategy<Value = Value> {
    let strategies: Vec<_> = fields
        .into_iter()
        .map(|(name, s)| proptest::option::of(s).prop_map(move |v| (name, v)))
        .collect();
    strategies.prop_map(|pairs| {
        Value::Object(
            pairs
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                .collect(),
        )
    })
}
