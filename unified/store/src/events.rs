//! The event outbox: what happened to a tenant's connections and syncs (`sync.failed`,
//! `connection.degraded`), appended in the same transaction as the change it reports, so an
//! event is never lost and never announces a change that did not commit. Delivery (webhooks)
//! reads it in order by `seq`.

use crate::db::{from_micros, micros, now, parse_uuid};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One event as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Order of appending, per store; readers continue after the last they saw.
    pub seq: i64,
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    /// `sync.failed`, `connection.degraded`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub connection_id: Option<Uuid>,
    pub data: Value,
    pub created_at: DateTime<Utc>,
}

/// Appends an event of the tenant owning `connection_id`, inside the caller's transaction.
pub(crate) fn append_for_connection(
    conn: &Connection,
    connection_id: Uuid,
    event_type: &str,
    data: &Value,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO events (id, tenant_id, type, connection_id, data, created_at)
         SELECT ?1, tenant_id, ?2, id, ?3, ?4 FROM connections WHERE id = ?5",
        params![
            Uuid::now_v7().to_string(),
            event_type,
            serde_json::to_string(data)?,
            micros(now()),
            connection_id.to_string()
        ],
    )?;
    Ok(())
}

impl Store {
    /// The tenant's events after `after_seq`, oldest first, at most `limit`.
    pub async fn events(
        &self,
        tenant_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        self.read(move |conn, _| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, id, tenant_id, type, connection_id, data, created_at FROM events
                 WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![tenant_id.to_string(), after_seq, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, id, tenant, event_type, connection, data, created) = row?;
                events.push(Event {
                    seq,
                    id: parse_uuid(&id)?,
                    tenant_id: parse_uuid(&tenant)?,
                    event_type,
                    connection_id: connection.as_deref().map(parse_uuid).transpose()?,
                    data: serde_json::from_str(&data)?,
                    created_at: from_micros(created)?,
                });
            }
            Ok(events)
        })
        .await
    }
}
