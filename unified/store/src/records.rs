//! Synced records: upserted by source id, listed in a stable order with opaque cursors.

use crate::db::{from_micros, micros, parse_uuid};
use crate::{Store, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use mw_model::{Entity, Record, RemoteRecord};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

/// A record as stored; `data` is the entity's canonical JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRecord {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub entity: Entity,
    pub remote_id: String,
    pub remote_created_at: Option<DateTime<Utc>>,
    pub remote_updated_at: DateTime<Utc>,
    pub remote_version: Option<String>,
    pub data: String,
    pub raw: Option<String>,
}

impl StoredRecord {
    /// The record in the API's envelope, the entity's fields beside the envelope's.
    pub fn to_record(&self) -> Result<Record<serde_json::Value>, StoreError> {
        Ok(Record {
            id: self.id,
            remote_id: self.remote_id.clone(),
            connection_id: self.connection_id,
            remote_created_at: self.remote_created_at,
            remote_updated_at: self.remote_updated_at,
            remote_version: self.remote_version.clone(),
            data: serde_json::from_str(&self.data)?,
            raw: self.raw.as_deref().map(serde_json::from_str).transpose()?,
        })
    }
}

/// What an upsert did to one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created,
    Updated,
    /// The store already held exactly this version.
    Unchanged,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UpsertCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl UpsertCounts {
    pub(crate) fn add(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Created => self.created += 1,
            UpsertOutcome::Updated => self.updated += 1,
            UpsertOutcome::Unchanged => self.unchanged += 1,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Only records whose source change time is strictly after this instant.
    pub modified_after: Option<DateTime<Utc>>,
    /// A `next_cursor` from an earlier page.
    pub cursor: Option<String>,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordPage {
    pub records: Vec<StoredRecord>,
    pub next_cursor: Option<String>,
}

const COLUMNS: &str = "seq, id, connection_id, entity, remote_id, remote_created_at, \
                       remote_updated_at, data, raw, remote_version";

fn from_row(r: &Row<'_>) -> Result<(i64, StoredRecord), StoreError> {
    let entity: String = r.get(3)?;
    Ok((
        r.get(0)?,
        StoredRecord {
            id: parse_uuid(&r.get::<_, String>(1)?)?,
            connection_id: parse_uuid(&r.get::<_, String>(2)?)?,
            entity: entity
                .parse()
                .map_err(|e: mw_model::UnknownName| StoreError::Corrupt(e.to_string()))?,
            remote_id: r.get(4)?,
            remote_created_at: r.get::<_, Option<i64>>(5)?.map(from_micros).transpose()?,
            remote_updated_at: from_micros(r.get(6)?)?,
            data: r.get(7)?,
            raw: r.get(8)?,
            remote_version: r.get(9)?,
        },
    ))
}

/// Cursors are the position in the store's insertion order, which updates never change, so a
/// client paging while a sync runs sees every record that existed when it started exactly once.
fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("r{seq}"))
}

fn decode_cursor(cursor: &str) -> Result<i64, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::InvalidCursor)?;
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| s.strip_prefix('r'))
        .and_then(|s| s.parse().ok())
        .ok_or(StoreError::InvalidCursor)
}

/// What an upsert does with the change stamp of a record whose values did not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// The source stamps changes: another stamp is a change.
    Source,
    /// The stamp is when a snapshot read the record: an unchanged record keeps the stamp of the
    /// read that first saw its values.
    KeepWhenUnchanged,
}

struct Existing {
    id: String,
    updated_at: i64,
    data: String,
    created_at: Option<i64>,
    version: Option<String>,
}

/// Inserts or updates one record inside `tx`, reporting what changed. An unchanged record is not
/// written at all, so re-reading an overlap window costs no writes.
pub(crate) fn upsert(
    tx: &Transaction<'_>,
    connection_id: Uuid,
    record: &RemoteRecord,
    keep_raw: bool,
    stamp: Stamp,
) -> Result<(Uuid, UpsertOutcome), StoreError> {
    let entity = record.entity();
    let data = serde_json::to_string(&record.data)?;
    let raw = match (&record.raw, keep_raw) {
        (Some(raw), true) => Some(serde_json::to_string(raw)?),
        _ => None,
    };
    let updated_at = micros(record.remote_updated_at);
    let created_at = record.remote_created_at.map(micros);
    let existing = tx
        .prepare_cached(
            "SELECT id, remote_updated_at, data, remote_created_at, remote_version FROM records
             WHERE connection_id = ?1 AND entity = ?2 AND remote_id = ?3",
        )?
        .query_row(
            params![connection_id.to_string(), entity.as_str(), record.remote_id],
            |r| {
                Ok(Existing {
                    id: r.get(0)?,
                    updated_at: r.get(1)?,
                    data: r.get(2)?,
                    created_at: r.get(3)?,
                    version: r.get(4)?,
                })
            },
        )
        .optional()?;
    match existing {
        Some(old)
            if old.data == data
                && old.created_at == created_at
                && old.version == record.remote_version
                && (old.updated_at == updated_at || stamp == Stamp::KeepWhenUnchanged) =>
        {
            Ok((parse_uuid(&old.id)?, UpsertOutcome::Unchanged))
        }
        Some(old) => {
            tx.prepare_cached(
                "UPDATE records SET remote_created_at = ?2, remote_updated_at = ?3, data = ?4,
                 raw = ?5, remote_version = ?6 WHERE id = ?1",
            )?
            .execute(params![
                old.id,
                created_at,
                updated_at,
                data,
                raw,
                record.remote_version
            ])?;
            Ok((parse_uuid(&old.id)?, UpsertOutcome::Updated))
        }
        None => {
            let id = Uuid::now_v7();
            tx.prepare_cached(
                "INSERT INTO records (id, connection_id, entity, remote_id, remote_created_at,
                 remote_updated_at, data, raw, remote_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                id.to_string(),
                connection_id.to_string(),
                entity.as_str(),
                record.remote_id,
                created_at,
                updated_at,
                data,
                raw,
                record.remote_version
            ])?;
            Ok((id, UpsertOutcome::Created))
        }
    }
}

impl Store {
    /// Stores one record outside a sync (after a write went through to the source).
    pub async fn upsert_record(
        &self,
        connection_id: Uuid,
        record: RemoteRecord,
        keep_raw: bool,
    ) -> Result<StoredRecord, StoreError> {
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            let (id, _) = upsert(&tx, connection_id, &record, keep_raw, Stamp::Source)?;
            let stored = get_by(&tx, "id", &id.to_string(), connection_id, record.entity())?
                .ok_or(StoreError::NotFound)?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    /// One page of `entity`'s records for a connection, in insertion order.
    pub async fn list_records(
        &self,
        connection_id: Uuid,
        entity: Entity,
        query: ListQuery,
    ) -> Result<RecordPage, StoreError> {
        let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
        self.read(move |conn, _| {
            let limit = i64::from(query.limit.max(1));
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM records
                 WHERE connection_id = ?1 AND entity = ?2 AND seq > ?3 AND remote_updated_at > ?4
                 ORDER BY seq LIMIT ?5"
            ))?;
            let rows = stmt.query_map(
                params![
                    connection_id.to_string(),
                    entity.as_str(),
                    after.unwrap_or(0),
                    query.modified_after.map(micros).unwrap_or(i64::MIN),
                    limit + 1
                ],
                |r| Ok(from_row(r)),
            )?;
            let mut records = Vec::new();
            let mut last_seq = None;
            let mut more = false;
            for row in rows {
                let (seq, record) = row??;
                if records.len() as i64 == limit {
                    more = true;
                    break;
                }
                last_seq = Some(seq);
                records.push(record);
            }
            Ok(RecordPage {
                records,
                next_cursor: last_seq.filter(|_| more).map(encode_cursor),
            })
        })
        .await
    }

    /// Removes a record the source deleted. `false` when the store did not hold it.
    pub async fn delete_record(
        &self,
        connection_id: Uuid,
        entity: Entity,
        remote_id: &str,
    ) -> Result<bool, StoreError> {
        let remote_id = remote_id.to_owned();
        self.write(move |conn, _| {
            let n = conn.execute(
                "DELETE FROM records WHERE connection_id = ?1 AND entity = ?2 AND remote_id = ?3",
                params![connection_id.to_string(), entity.as_str(), remote_id],
            )?;
            Ok(n > 0)
        })
        .await
    }

    /// A record by the store's `id` or, failing that, by the source's `remote_id`.
    pub async fn get_record(
        &self,
        connection_id: Uuid,
        entity: Entity,
        id_or_remote_id: &str,
    ) -> Result<Option<StoredRecord>, StoreError> {
        let key = id_or_remote_id.to_owned();
        self.read(move |conn, _| {
            if Uuid::parse_str(&key).is_ok()
                && let Some(r) = get_by(conn, "id", &key, connection_id, entity)?
            {
                return Ok(Some(r));
            }
            get_by(conn, "remote_id", &key, connection_id, entity)
        })
        .await
    }

    /// How many of `entity`'s records the connection holds.
    pub async fn count_records(
        &self,
        connection_id: Uuid,
        entity: Entity,
    ) -> Result<u64, StoreError> {
        self.read(move |conn, _| {
            let n: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM records WHERE connection_id = ?1 AND entity = ?2",
                )?
                .query_row(params![connection_id.to_string(), entity.as_str()], |r| {
                    r.get(0)
                })?;
            Ok(n.unsigned_abs())
        })
        .await
    }
}

fn get_by(
    conn: &rusqlite::Connection,
    column: &'static str,
    value: &str,
    connection_id: Uuid,
    entity: Entity,
) -> Result<Option<StoredRecord>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM records WHERE {column} = ?1 AND connection_id = ?2 AND entity = ?3"
    ))?
    .query_row(
        params![value, connection_id.to_string(), entity.as_str()],
        |r| Ok(from_row(r)),
    )
    .optional()?
    .transpose()
    .map(|r| r.map(|(_, rec)| rec))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::NewConnection;
    use crate::test_support::temp_store;
    use mw_model::{EntityData, PurchaseOrder, PurchaseOrderStatus, System};
    use serde_json::json;

    pub(crate) fn po(remote_id: &str, updated: &str, total: &str) -> RemoteRecord {
        RemoteRecord {
            remote_id: remote_id.into(),
            remote_created_at: None,
            remote_updated_at: updated.parse().unwrap(),
            remote_version: None,
            data: EntityData::PurchaseOrder(PurchaseOrder {
                number: remote_id.into(),
                status: PurchaseOrderStatus::Open,
                vendor_remote_id: Some("17300001".into()),
                company: None,
                currency: "USD".into(),
                order_date: None,
                payment_terms: None,
                total_amount: total.parse().unwrap(),
                lines: vec![],
            }),
            raw: Some(json!({"PurchaseOrder": remote_id})),
        }
    }

    pub(crate) async fn connection(store: &Store) -> Uuid {
        let t = store.create_tenant("t", "k").await.unwrap();
        store
            .insert_connection(NewConnection {
                tenant_id: t.id,
                system: System::Sap,
                base_url: "x".into(),
                credentials: json!({}),
                settings: json!({}),
            })
            .await
            .unwrap()
            .id
    }

    #[tokio::test]
    async fn upsert_tells_created_updated_and_unchanged_apart() {
        let (store, _dir) = temp_store().await;
        let c = connection(&store).await;
        let first = store
            .upsert_record(c, po("1", "2026-01-01T00:00:00Z", "10"), false)
            .await
            .unwrap();
        let same = store
            .upsert_record(c, po("1", "2026-01-01T00:00:00Z", "10"), false)
            .await
            .unwrap();
        assert_eq!(first, same);
        let changed = store
            .upsert_record(c, po("1", "2026-01-02T00:00:00Z", "11"), true)
            .await
            .unwrap();
        assert_eq!(changed.id, first.id, "an update keeps the record's id");
        assert!(changed.data.contains("\"11\""));
        assert!(changed.raw.is_some());
        assert_eq!(
            store
                .count_records(c, Entity::PurchaseOrders)
                .await
                .unwrap(),
            1
        );
        let by_remote = store
            .get_record(c, Entity::PurchaseOrders, "1")
            .await
            .unwrap()
            .unwrap();
        let by_id = store
            .get_record(c, Entity::PurchaseOrders, &first.id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_remote, by_id);
        assert_eq!(
            store.get_record(c, Entity::Vendors, "1").await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn paging_returns_every_record_once_and_filters_by_change_time() {
        let (store, _dir) = temp_store().await;
        let c = connection(&store).await;
        for i in 0..10 {
            let ts = format!("2026-01-01T00:00:{i:02}Z");
            store
                .upsert_record(c, po(&i.to_string(), &ts, "1"), false)
                .await
                .unwrap();
        }
        for limit in [1, 3, 10, 500] {
            let mut seen = vec![];
            let mut cursor = None;
            loop {
                let page = store
                    .list_records(
                        c,
                        Entity::PurchaseOrders,
                        ListQuery {
                            modified_after: None,
                            cursor: cursor.clone(),
                            limit,
                        },
                    )
                    .await
                    .unwrap();
                seen.extend(page.records.iter().map(|r| r.remote_id.clone()));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            let expected: Vec<String> = (0..10).map(|i| i.to_string()).collect();
            assert_eq!(seen, expected, "limit {limit}");
        }
        let recent = store
            .list_records(
                c,
                Entity::PurchaseOrders,
                ListQuery {
                    modified_after: Some("2026-01-01T00:00:06Z".parse().unwrap()),
                    cursor: None,
                    limit: 100,
                },
            )
            .await
            .unwrap();
        let ids: Vec<_> = recent
            .records
            .iter()
            .map(|r| r.remote_id.as_str())
            .collect();
        assert_eq!(ids, ["7", "8", "9"]);
        let bad = store
            .list_records(
                c,
                Entity::PurchaseOrders,
                ListQuery {
                    cursor: Some("!!".into()),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await;
        assert!(matches!(bad, Err(StoreError::InvalidCursor)));
    }
}
