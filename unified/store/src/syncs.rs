//! Sync jobs, their per-entity progress, and watermarks.
//!
//! A job's progress row carries the resume cursor of every entity; it is written in the same
//! transaction as the page it describes, so a killed process resumes exactly where it stopped.

use crate::db::{from_micros, micros, parse_uuid};
use crate::records::{Stamp, UpsertCounts, upsert};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use mw_model::{Entity, RemoteRecord};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What a client asks a sync to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// Incremental where a watermark exists, initial otherwise (per entity).
    Auto,
    /// Read the lookback window, whatever was synced before.
    Initial,
    /// Read what changed since the watermark.
    Incremental,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl SyncState {
    fn as_str(self) -> &'static str {
        match self {
            SyncState::Queued => "queued",
            SyncState::Running => "running",
            SyncState::Succeeded => "succeeded",
            SyncState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "queued" => SyncState::Queued,
            "running" => SyncState::Running,
            "succeeded" => SyncState::Succeeded,
            "failed" => SyncState::Failed,
            other => return Err(StoreError::Corrupt(format!("sync state {other}"))),
        })
    }

    pub fn is_finished(self) -> bool {
        matches!(self, SyncState::Succeeded | SyncState::Failed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityState {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// How far one entity of a sync has come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityProgress {
    pub state: EntityState,
    /// `initial` or `incremental` once decided.
    pub mode: Option<SyncMode>,
    /// The lower bound of source change times this sync reads.
    pub since: Option<DateTime<Utc>>,
    pub read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Records a snapshot no longer found in the source, removed from the store.
    #[serde(default)]
    pub deleted: u64,
    /// Records the source said the whole read holds, where it says.
    pub total: Option<u64>,
    /// The watermark after the last committed page.
    pub watermark: Option<DateTime<Utc>>,
    /// The connector's cursor after the last committed page; internal to the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
}

impl EntityProgress {
    fn pending() -> Self {
        EntityProgress {
            state: EntityState::Pending,
            mode: None,
            since: None,
            read: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            deleted: 0,
            total: None,
            watermark: None,
            resume: None,
        }
    }

    /// Share of the total read so far, where the source reports a total.
    pub fn fraction(&self) -> Option<f64> {
        match (self.state, self.total) {
            (EntityState::Succeeded, _) => Some(1.0),
            (_, Some(0)) => Some(1.0),
            (_, Some(total)) => Some((self.read as f64 / total as f64).min(1.0)),
            _ => None,
        }
    }
}

/// Why a sync failed, in the API's error vocabulary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncError {
    pub code: String,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SyncJob {
    pub id: Uuid,
    pub connection_id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub mode: SyncMode,
    pub state: SyncState,
    pub entities: Vec<Entity>,
    pub progress: BTreeMap<Entity, EntityProgress>,
    pub error: Option<SyncError>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One page of a sync, committed atomically with the progress it makes.
pub struct PageCommit {
    pub job_id: Uuid,
    pub connection_id: Uuid,
    pub entity: Entity,
    pub records: Vec<RemoteRecord>,
    pub keep_raw: bool,
    /// Where the next page starts; `None` marks the last page of the entity's read.
    pub resume: Option<String>,
    pub total: Option<u64>,
    /// The lower bound the read covered. On the last page the watermark moves to the later of
    /// this and the newest change seen, so an empty initial read still hands over to incremental.
    pub floor: Option<DateTime<Utc>>,
    /// The read is a snapshot of everything the source holds (no change stamps): unchanged
    /// records keep their stamp, and the last page removes the records the snapshot did not see.
    pub snapshot: bool,
}
const COLUMNS: &str = "id, connection_id, tenant_id, mode, state, entities, progress, error, \
                       created_at, started_at, finished_at";

fn from_row(r: &Row<'_>) -> Result<SyncJob, StoreError> {
    let mode: String = r.get(3)?;
    let state: String = r.get(4)?;
    let entities: String = r.get(5)?;
    let progress: String = r.get(6)?;
    let error: Option<String> = r.get(7)?;
    Ok(SyncJob {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        connection_id: parse_uuid(&r.get::<_, String>(1)?)?,
        tenant_id: parse_uuid(&r.get::<_, String>(2)?)?,
        mode: serde_json::from_value(serde_json::Value::String(mode))?,
        state: SyncState::parse(&state)?,
        entities: serde_json::from_str(&entities)?,
        progress: serde_json::from_str(&progress)?,
        error: error.as_deref().map(serde_json::from_str).transpose()?,
        created_at: from_micros(r.get(8)?)?,
        started_at: r.get::<_, Option<i64>>(9)?.map(from_micros).transpose()?,
        finished_at: r.get::<_, Option<i64>>(10)?.map(from_micros).transpose()?,
    })
}

fn load(conn: &Connection, id: Uuid) -> Result<SyncJob, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sync_jobs WHERE id = ?1"))?
        .query_row([id.to_string()], |r| Ok(from_row(r)))
        .optional()?
        .ok_or(StoreError::NotFound)?
}

fn mode_str(mode: SyncMode) -> &'static str {
    match mode {
        SyncMode::Auto => "auto",
        SyncMode::Initial => "initial",
        SyncMode::Incremental => "incremental",
    }
}

fn save_progress(
    conn: &Connection,
    id: Uuid,
    progress: &BTreeMap<Entity, EntityProgress>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE sync_jobs SET progress = ?2 WHERE id = ?1")?
        .execute(params![id.to_string(), serde_json::to_string(progress)?])?;
    Ok(())
}

fn entity_progress(job: &mut SyncJob, entity: Entity) -> &mut EntityProgress {
    job.progress
        .entry(entity)
        .or_insert_with(EntityProgress::pending)
}

/// Moves the stored watermark forward to `to` (never back).
fn advance_watermark(
    conn: &Connection,
    connection_id: Uuid,
    entity: Entity,
    to: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO watermarks (connection_id, entity, watermark, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id, entity) DO UPDATE
         SET watermark = MAX(watermark, excluded.watermark), updated_at = excluded.updated_at",
    )?
    .execute(params![
        connection_id.to_string(),
        entity.as_str(),
        micros(to),
        micros(Utc::now())
    ])?;
    Ok(())
}

impl Store {
    /// Queues a sync job, or refuses with [`StoreError::SyncInProgress`] when the connection
    /// already has one queued or running.
    pub async fn create_sync_job(
        &self,
        tenant_id: Uuid,
        connection_id: Uuid,
        mode: SyncMode,
        entities: Vec<Entity>,
    ) -> Result<SyncJob, StoreError> {
        self.write(move |conn, _| {
            let active: Option<String> = conn
                .prepare_cached(
                    "SELECT id FROM sync_jobs WHERE connection_id = ?1
                     AND state IN ('queued', 'running')",
                )?
                .query_row([connection_id.to_string()], |r| r.get(0))
                .optional()?;
            if let Some(active) = active {
                return Err(StoreError::SyncInProgress(parse_uuid(&active)?));
            }
            let job = SyncJob {
                id: Uuid::now_v7(),
                connection_id,
                tenant_id,
                mode,
                state: SyncState::Queued,
                progress: entities
                    .iter()
                    .map(|e| (*e, EntityProgress::pending()))
                    .collect(),
                entities,
                error: None,
                created_at: crate::db::now(),
                started_at: None,
                finished_at: None,
            };
            conn.execute(
                "INSERT INTO sync_jobs (id, connection_id, tenant_id, mode, state, entities, progress, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7)",
                params![
                    job.id.to_string(),
                    connection_id.to_string(),
                    tenant_id.to_string(),
                    mode_str(mode),
                    serde_json::to_string(&job.entities)?,
                    serde_json::to_string(&job.progress)?,
                    micros(job.created_at),
                ],
            )?;
            Ok(job)
        })
        .await
    }

    /// The job `id` if it belongs to `tenant_id`.
    pub async fn sync_job(&self, tenant_id: Uuid, id: Uuid) -> Result<Option<SyncJob>, StoreError> {
        match self.read(move |conn, _| load(conn, id)).await {
            Ok(job) if job.tenant_id == tenant_id => Ok(Some(job)),
            Ok(_) | Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The job `id`, whoever owns it; for the engine.
    pub async fn sync_job_by_id(&self, id: Uuid) -> Result<SyncJob, StoreError> {
        self.read(move |conn, _| load(conn, id)).await
    }

    /// A connection's most recent jobs, newest first.
    pub async fn sync_jobs_of(
        &self,
        connection_id: Uuid,
        limit: u32,
    ) -> Result<Vec<SyncJob>, StoreError> {
        self.read(move |conn, _| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM sync_jobs WHERE connection_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![connection_id.to_string(), limit], |r| {
                Ok(from_row(r))
            })?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row??);
            }
            Ok(out)
        })
        .await
    }

    /// Jobs that were queued or running, oldest first: what a restarted process must resume.
    pub async fn unfinished_sync_jobs(&self) -> Result<Vec<SyncJob>, StoreError> {
        self.read(move |conn, _| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM sync_jobs WHERE state IN ('queued', 'running')
                 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([], |r| Ok(from_row(r)))?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row??);
            }
            Ok(out)
        })
        .await
    }

    pub async fn mark_sync_running(&self, id: Uuid) -> Result<SyncJob, StoreError> {
        self.write(move |conn, _| {
            conn.execute(
                "UPDATE sync_jobs SET state = 'running', started_at = COALESCE(started_at, ?2)
                 WHERE id = ?1",
                params![id.to_string(), micros(Utc::now())],
            )?;
            load(conn, id)
        })
        .await
    }

    /// Records how an entity's read begins (mode and lower bound) unless it already began, in
    /// which case the stored progress — and its resume cursor — is kept.
    pub async fn begin_entity(
        &self,
        id: Uuid,
        entity: Entity,
        mode: SyncMode,
        since: Option<DateTime<Utc>>,
    ) -> Result<EntityProgress, StoreError> {
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            let mut job = load(&tx, id)?;
            let p = entity_progress(&mut job, entity);
            if p.state == EntityState::Pending {
                p.state = EntityState::Running;
                p.mode = Some(mode);
                p.since = since;
            }
            let p = p.clone();
            save_progress(&tx, id, &job.progress)?;
            tx.commit()?;
            Ok(p)
        })
        .await
    }

    /// Upserts a page and records the progress it makes, in one transaction. The last page
    /// (`resume: None`) also moves the watermark and marks the entity succeeded in that same
    /// transaction: the watermark never runs ahead of committed data, and a read that stops
    /// half-way leaves it where it was.
    pub async fn commit_page(&self, page: PageCommit) -> Result<EntityProgress, StoreError> {
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            let mut counts = UpsertCounts::default();
            let stamp = if page.snapshot {
                Stamp::KeepWhenUnchanged
            } else {
                Stamp::Source
            };
            let job_id = page.job_id.to_string();
            for record in &page.records {
                let (id, outcome) = upsert(&tx, page.connection_id, record, page.keep_raw, stamp)?;
                counts.add(outcome);
                if page.snapshot {
                    tx.prepare_cached("UPDATE records SET seen_by = ?2 WHERE id = ?1")?
                        .execute(params![id.to_string(), job_id])?;
                }
            }
            let vanished = if page.snapshot && page.resume.is_none() {
                tx.prepare_cached(
                    "DELETE FROM records WHERE connection_id = ?1 AND entity = ?2
                     AND (seen_by IS NULL OR seen_by <> ?3)",
                )?
                .execute(params![
                    page.connection_id.to_string(),
                    page.entity.as_str(),
                    job_id
                ])? as u64
            } else {
                0
            };
            let newest = page.records.iter().map(|r| r.remote_updated_at).max();
            let mut job = load(&tx, page.job_id)?;
            let p = entity_progress(&mut job, page.entity);
            p.read += page.records.len() as u64;
            p.created += counts.created;
            p.updated += counts.updated;
            p.unchanged += counts.unchanged;
            p.deleted += vanished;
            p.total = page.total.or(p.total);
            p.watermark = p.watermark.max(newest);
            p.resume = page.resume;
            if p.resume.is_none() {
                p.state = EntityState::Succeeded;
                p.watermark = p.watermark.max(page.floor);
                if let Some(w) = p.watermark {
                    advance_watermark(&tx, page.connection_id, page.entity, w)?;
                }
            }
            let p = p.clone();
            save_progress(&tx, page.job_id, &job.progress)?;
            tx.commit()?;
            Ok(p)
        })
        .await
    }

    /// Marks an entity's read as failed. Its watermark stays where it was; its resume cursor is
    /// dropped, so the next sync starts again from the watermark.
    pub async fn fail_entity(
        &self,
        id: Uuid,
        entity: Entity,
    ) -> Result<EntityProgress, StoreError> {
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            let mut job = load(&tx, id)?;
            let p = entity_progress(&mut job, entity);
            p.state = EntityState::Failed;
            p.resume = None;
            let p = p.clone();
            save_progress(&tx, id, &job.progress)?;
            tx.commit()?;
            Ok(p)
        })
        .await
    }

    /// Ends job `id` in `state`; a failure also appends `sync.failed` to the event outbox, in
    /// the same transaction.
    pub async fn finish_sync_job(
        &self,
        id: Uuid,
        state: SyncState,
        error: Option<SyncError>,
    ) -> Result<SyncJob, StoreError> {
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            tx.execute(
                "UPDATE sync_jobs SET state = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
                params![
                    id.to_string(),
                    state.as_str(),
                    error.as_ref().map(serde_json::to_string).transpose()?,
                    micros(Utc::now())
                ],
            )?;
            let job = load(&tx, id)?;
            if state == SyncState::Failed {
                // The failure and its announcement commit together (the outbox).
                let data = serde_json::json!({ "sync_id": job.id, "error": job.error });
                crate::events::append_for_connection(&tx, job.connection_id, "sync.failed", &data)?;
            }
            tx.commit()?;
            Ok(job)
        })
        .await
    }

    /// The stored watermark of a connection's entity: the source change time up to which every
    /// record is committed.
    pub async fn watermark(
        &self,
        connection_id: Uuid,
        entity: Entity,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(move |conn, _| {
            conn.prepare_cached(
                "SELECT watermark FROM watermarks WHERE connection_id = ?1 AND entity = ?2",
            )?
            .query_row(params![connection_id.to_string(), entity.as_str()], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
            .map(from_micros)
            .transpose()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::tests::{connection, po};
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn only_one_active_sync_per_connection() {
        let (store, _dir) = temp_store().await;
        let c = connection(&store).await;
        let t = store.connection_by_id(c).await.unwrap().unwrap().tenant_id;
        let job = store
            .create_sync_job(t, c, SyncMode::Auto, vec![Entity::PurchaseOrders])
            .await
            .unwrap();
        let second = store
            .create_sync_job(t, c, SyncMode::Auto, vec![Entity::PurchaseOrders])
            .await;
        assert!(matches!(second, Err(StoreError::SyncInProgress(id)) if id == job.id));
        store
            .finish_sync_job(job.id, SyncState::Succeeded, None)
            .await
            .unwrap();
        store
            .create_sync_job(t, c, SyncMode::Auto, vec![Entity::PurchaseOrders])
            .await
            .unwrap();
        assert_eq!(store.sync_job(Uuid::now_v7(), job.id).await.unwrap(), None);
    }

    fn page(job: &SyncJob, records: Vec<RemoteRecord>, resume: Option<&str>) -> PageCommit {
        PageCommit {
            job_id: job.id,
            connection_id: job.connection_id,
            entity: Entity::PurchaseOrders,
            records,
            keep_raw: false,
            resume: resume.map(str::to_owned),
            total: Some(3),
            floor: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            snapshot: false,
        }
    }

    #[tokio::test]
    async fn the_watermark_moves_with_the_last_page_only() {
        let (store, _dir) = temp_store().await;
        let c = connection(&store).await;
        let t = store.connection_by_id(c).await.unwrap().unwrap().tenant_id;
        let e = Entity::PurchaseOrders;
        let job = store
            .create_sync_job(t, c, SyncMode::Initial, vec![e])
            .await
            .unwrap();
        let since = "2026-01-01T00:00:00Z".parse().unwrap();
        store
            .begin_entity(job.id, e, SyncMode::Initial, Some(since))
            .await
            .unwrap();
        let first = vec![
            po("1", "2026-01-02T00:00:00Z", "1"),
            po("2", "2026-01-05T00:00:00Z", "2"),
        ];
        let p = store
            .commit_page(page(&job, first, Some("cursor-1")))
            .await
            .unwrap();
        assert_eq!((p.read, p.created, p.total), (2, 2, Some(3)));
        assert_eq!(p.resume.as_deref(), Some("cursor-1"));
        assert_eq!(
            store.watermark(c, e).await.unwrap(),
            None,
            "not before the last page"
        );
        // A begun entity keeps its cursor when the job is picked up again after a restart.
        let again = store
            .begin_entity(job.id, e, SyncMode::Incremental, None)
            .await
            .unwrap();
        assert_eq!(again.resume.as_deref(), Some("cursor-1"));
        assert_eq!(again.mode, Some(SyncMode::Initial));
        let last = vec![
            po("2", "2026-01-05T00:00:00Z", "2"),
            po("3", "2026-01-04T00:00:00Z", "3"),
        ];
        let done = store.commit_page(page(&job, last, None)).await.unwrap();
        assert_eq!(
            (
                done.read,
                done.unchanged,
                done.state,
                done.resume.as_deref()
            ),
            (4, 1, EntityState::Succeeded, None)
        );
        assert_eq!(done.fraction(), Some(1.0));
        let newest = "2026-01-05T00:00:00Z".parse().unwrap();
        assert_eq!(store.watermark(c, e).await.unwrap(), Some(newest));
        assert_eq!(store.unfinished_sync_jobs().await.unwrap().len(), 1);
        store
            .finish_sync_job(job.id, SyncState::Succeeded, None)
            .await
            .unwrap();
        assert!(store.unfinished_sync_jobs().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_empty_read_hands_its_lower_bound_on_and_a_failed_one_moves_nothing() {
        let (store, _dir) = temp_store().await;
        let c = connection(&store).await;
        let t = store.connection_by_id(c).await.unwrap().unwrap().tenant_id;
        let e = Entity::PurchaseOrders;
        let job = store
            .create_sync_job(t, c, SyncMode::Auto, vec![e])
            .await
            .unwrap();
        store
            .commit_page(page(
                &job,
                vec![po("9", "2026-02-01T00:00:00Z", "1")],
                Some("c"),
            ))
            .await
            .unwrap();
        let failed = store.fail_entity(job.id, e).await.unwrap();
        assert_eq!((failed.state, failed.resume), (EntityState::Failed, None));
        assert_eq!(
            store.watermark(c, e).await.unwrap(),
            None,
            "failure moves nothing"
        );
        store
            .finish_sync_job(job.id, SyncState::Failed, None)
            .await
            .unwrap();
        let job = store
            .create_sync_job(t, c, SyncMode::Auto, vec![e])
            .await
            .unwrap();
        store.commit_page(page(&job, vec![], None)).await.unwrap();
        assert_eq!(
            store.watermark(c, e).await.unwrap(),
            Some("2026-01-01T00:00:00Z".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn a_snapshot_keeps_stamps_of_unchanged_rows_and_removes_vanished_ones() {
        let (store, _dir) = temp_store().await;
        let c = connection(&store).await;
        let t = store.connection_by_id(c).await.unwrap().unwrap().tenant_id;
        let e = Entity::PurchaseOrders;
        let snapshot =
            |job: &SyncJob, records: Vec<RemoteRecord>, resume: Option<&str>| PageCommit {
                snapshot: true,
                floor: None,
                ..page(job, records, resume)
            };
        let first = store
            .create_sync_job(t, c, SyncMode::Auto, vec![e])
            .await
            .unwrap();
        store
            .commit_page(snapshot(
                &first,
                vec![
                    po("a", "2026-01-01T00:00:00Z", "1"),
                    po("b", "2026-01-01T00:00:00Z", "1"),
                ],
                Some("x"),
            ))
            .await
            .unwrap();
        store
            .commit_page(snapshot(
                &first,
                vec![po("c", "2026-01-01T00:00:00Z", "1")],
                None,
            ))
            .await
            .unwrap();
        store
            .finish_sync_job(first.id, SyncState::Succeeded, None)
            .await
            .unwrap();
        assert_eq!(store.count_records(c, e).await.unwrap(), 3);
        // The next snapshot, read later: `a` unchanged, `b` changed, `c` gone, `d` new.
        let second = store
            .create_sync_job(t, c, SyncMode::Auto, vec![e])
            .await
            .unwrap();
        let later = "2026-01-02T00:00:00Z";
        let p = store
            .commit_page(snapshot(
                &second,
                vec![
                    po("a", later, "1"),
                    po("b", later, "2"),
                    po("d", later, "1"),
                ],
                None,
            ))
            .await
            .unwrap();
        assert_eq!((p.created, p.updated, p.unchanged, p.deleted), (1, 1, 1, 1));
        let a = store.get_record(c, e, "a").await.unwrap().unwrap();
        assert_eq!(
            a.remote_updated_at,
            "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            "unchanged keeps its stamp"
        );
        assert_eq!(store.get_record(c, e, "c").await.unwrap(), None);
        assert_eq!(store.count_records(c, e).await.unwrap(), 3);
    }
}
