//! Connections: one authenticated link from a tenant to one source system.

use crate::db::{from_micros, micros, parse_uuid};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use mw_model::System;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Whether a connection can be used as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Active,
    /// The source refused the stored credentials; a client must reconnect.
    NeedsReauth,
    /// Recent requests failed; syncs may be slowed or paused.
    Degraded,
}

impl ConnectionStatus {
    fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::NeedsReauth => "needs_reauth",
            ConnectionStatus::Degraded => "degraded",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "active" => ConnectionStatus::Active,
            "needs_reauth" => ConnectionStatus::NeedsReauth,
            "degraded" => ConnectionStatus::Degraded,
            other => return Err(StoreError::Corrupt(format!("connection status {other}"))),
        })
    }
}

pub struct NewConnection {
    pub tenant_id: Uuid,
    pub system: System,
    pub base_url: String,
    /// Encrypted before it is written.
    pub credentials: Value,
    pub settings: Value,
}

/// A connection as stored, without its credentials (see [`Store::connection_credentials`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredConnection {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub system: System,
    pub base_url: String,
    pub settings: Value,
    pub status: ConnectionStatus,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, tenant_id, system, base_url, settings, status, created_at";

fn from_row(r: &Row<'_>) -> Result<StoredConnection, StoreError> {
    let system: String = r.get(2)?;
    let settings: String = r.get(4)?;
    let status: String = r.get(5)?;
    Ok(StoredConnection {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        tenant_id: parse_uuid(&r.get::<_, String>(1)?)?,
        system: system
            .parse()
            .map_err(|e: mw_model::UnknownName| StoreError::Corrupt(e.to_string()))?,
        base_url: r.get(3)?,
        settings: serde_json::from_str(&settings)?,
        status: ConnectionStatus::parse(&status)?,
        created_at: from_micros(r.get(6)?)?,
    })
}

impl Store {
    pub async fn insert_connection(
        &self,
        new: NewConnection,
    ) -> Result<StoredConnection, StoreError> {
        self.write(move |conn, cipher| {
            let stored = StoredConnection {
                id: Uuid::now_v7(),
                tenant_id: new.tenant_id,
                system: new.system,
                base_url: new.base_url,
                settings: new.settings,
                status: ConnectionStatus::Active,
                created_at: crate::db::now(),
            };
            let sealed = cipher.seal(serde_json::to_string(&new.credentials)?.as_bytes());
            conn.execute(
                "INSERT INTO connections (id, tenant_id, system, base_url, credentials, settings, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    stored.id.to_string(),
                    stored.tenant_id.to_string(),
                    stored.system.as_str(),
                    stored.base_url,
                    sealed,
                    serde_json::to_string(&stored.settings)?,
                    stored.status.as_str(),
                    micros(stored.created_at),
                ],
            )?;
            Ok(stored)
        })
        .await
    }

    /// The connection `id` if it belongs to `tenant_id`. Another tenant's connection is reported
    /// exactly like a missing one.
    pub async fn connection(
        &self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<StoredConnection>, StoreError> {
        self.read(move |conn, _| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM connections WHERE id = ?1 AND tenant_id = ?2"
            ))?
            .query_row(params![id.to_string(), tenant_id.to_string()], |r| {
                Ok(from_row(r))
            })
            .optional()?
            .transpose()
        })
        .await
    }

    /// Any tenant's connection by id; for the sync engine, which runs on behalf of its tenant.
    pub async fn connection_by_id(&self, id: Uuid) -> Result<Option<StoredConnection>, StoreError> {
        self.read(move |conn, _| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"))?
                .query_row([id.to_string()], |r| Ok(from_row(r)))
                .optional()?
                .transpose()
        })
        .await
    }

    pub async fn list_connections(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<StoredConnection>, StoreError> {
        self.read(move |conn, _| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM connections WHERE tenant_id = ?1 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([tenant_id.to_string()], |r| Ok(from_row(r)))?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row??);
            }
            Ok(out)
        })
        .await
    }

    /// The decrypted credentials of connection `id`.
    pub async fn connection_credentials(&self, id: Uuid) -> Result<Value, StoreError> {
        self.read(move |conn, cipher| {
            let sealed: Vec<u8> = conn
                .prepare_cached("SELECT credentials FROM connections WHERE id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?
                .ok_or(StoreError::NotFound)?;
            Ok(serde_json::from_slice(&cipher.open(&sealed)?)?)
        })
        .await
    }

    pub async fn set_connection_status(
        &self,
        id: Uuid,
        status: ConnectionStatus,
    ) -> Result<(), StoreError> {
        self.write(move |conn, _| {
            conn.execute(
                "UPDATE connections SET status = ?2 WHERE id = ?1",
                params![id.to_string(), status.as_str()],
            )?;
            Ok(())
        })
        .await
    }

    /// Marks the connection degraded (its source keeps failing; `health` says how) and, when it
    /// was not already, appends `connection.degraded` to the event outbox in the same
    /// transaction.
    pub async fn degrade_connection(&self, id: Uuid, health: Value) -> Result<(), StoreError> {
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE connections SET status = ?2 WHERE id = ?1 AND status <> ?2",
                params![id.to_string(), ConnectionStatus::Degraded.as_str()],
            )?;
            if changed > 0 {
                let data = serde_json::json!({ "health": health });
                crate::events::append_for_connection(&tx, id, "connection.degraded", &data)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Deletes the connection with its records, watermarks and sync history. `false` when the
    /// tenant has no such connection.
    pub async fn delete_connection(&self, tenant_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        self.write(move |conn, _| {
            let n = conn.execute(
                "DELETE FROM connections WHERE id = ?1 AND tenant_id = ?2",
                params![id.to_string(), tenant_id.to_string()],
            )?;
            Ok(n > 0)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;
    use serde_json::json;

    #[tokio::test]
    async fn connections_are_scoped_to_their_tenant_and_credentials_are_sealed() {
        let (store, dir) = temp_store().await;
        let a = store.create_tenant("a", "ka").await.unwrap();
        let b = store.create_tenant("b", "kb").await.unwrap();
        let c = store
            .insert_connection(NewConnection {
                tenant_id: a.id,
                system: System::Sap,
                base_url: "http://127.0.0.1:1".into(),
                credentials: json!({"username": "U", "password": "hunter2-secret"}),
                settings: json!({"initial_lookback_days": 30}),
            })
            .await
            .unwrap();
        assert_eq!(store.connection(a.id, c.id).await.unwrap(), Some(c.clone()));
        assert_eq!(store.connection(b.id, c.id).await.unwrap(), None);
        assert_eq!(store.list_connections(b.id).await.unwrap(), vec![]);
        assert_eq!(
            store.connection_credentials(c.id).await.unwrap()["password"],
            "hunter2-secret"
        );
        // The password never reaches the database file in clear.
        drop(store);
        let bytes = std::fs::read(dir.0.join("test.db")).unwrap();
        let wal = std::fs::read(dir.0.join("test.db-wal")).unwrap_or_default();
        for file in [bytes, wal] {
            assert!(!file.windows(14).any(|w| w == b"hunter2-secret"));
        }
    }

    #[tokio::test]
    async fn deleting_is_tenant_scoped() {
        let (store, _dir) = temp_store().await;
        let a = store.create_tenant("a", "ka").await.unwrap();
        let b = store.create_tenant("b", "kb").await.unwrap();
        let c = store
            .insert_connection(NewConnection {
                tenant_id: a.id,
                system: System::Sap,
                base_url: "x".into(),
                credentials: json!({}),
                settings: json!({}),
            })
            .await
            .unwrap();
        assert!(!store.delete_connection(b.id, c.id).await.unwrap());
        assert!(store.delete_connection(a.id, c.id).await.unwrap());
        assert_eq!(store.connection(a.id, c.id).await.unwrap(), None);
    }
}
