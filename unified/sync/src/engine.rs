//! One sync job, from start to end.
//!
//! Per entity the engine decides initial or incremental, then reads pages from the connector and
//! commits each with its progress. While page *n* is being committed, page *n+1* is already being
//! fetched: the connector's cursor is known as soon as page *n* is parsed.

use crate::SyncSettings;
use chrono::{DateTime, Utc};
use mw_connectors::resilience::CircuitState;
use mw_connectors::{ChangeTracking, Connector, ConnectorError, PageQuery};
use mw_model::Entity;
use mw_store::{
    ConnectionStatus, EntityState, PageCommit, Store, StoreError, SyncError, SyncJob, SyncMode,
    SyncState,
};
use uuid::Uuid;

/// Runs job `job_id` to its end and returns it as stored. Failures of the source end the job as
/// `failed` with the reason; only a failing store is an `Err`.
pub async fn run_job(
    store: &Store,
    job_id: Uuid,
    connector: &dyn Connector,
    settings: &SyncSettings,
) -> Result<SyncJob, StoreError> {
    let job = store.mark_sync_running(job_id).await?;
    connector.begin_sync();
    let source_now = match connector.verify().await {
        Ok(info) => info.now.unwrap_or_else(|| {
            tracing::warn!(job = %job.id, "the source sent no Date header; measuring the lookback on the local clock");
            Utc::now()
        }),
        Err(e) => return fail(store, &job, None, connector, &e).await,
    };
    mark_connection(store, job.connection_id, ConnectionStatus::Active).await?;
    for &entity in &job.entities {
        let done = job
            .progress
            .get(&entity)
            .is_some_and(|p| p.state == EntityState::Succeeded);
        if done {
            continue;
        }
        if let Err(e) = sync_entity(store, &job, entity, connector, settings, source_now).await {
            return match e {
                EntityError::Store(e) => Err(e),
                EntityError::Source(e) => {
                    store.fail_entity(job.id, entity).await?;
                    fail(store, &job, Some(entity), connector, &e).await
                }
            };
        }
    }
    store
        .finish_sync_job(job.id, SyncState::Succeeded, None)
        .await
}

enum EntityError {
    Store(StoreError),
    Source(ConnectorError),
}

impl From<StoreError> for EntityError {
    fn from(e: StoreError) -> Self {
        EntityError::Store(e)
    }
}

/// Transactional records are read back `initial_lookback_days`; master data is read whole.
fn has_lookback(entity: Entity) -> bool {
    matches!(entity, Entity::PurchaseOrders | Entity::WorkOrders)
}

async fn sync_entity(
    store: &Store,
    job: &SyncJob,
    entity: Entity,
    connector: &dyn Connector,
    settings: &SyncSettings,
    source_now: DateTime<Utc>,
) -> Result<(), EntityError> {
    let tracking = connector
        .capabilities()
        .entity(entity)
        .map(|c| c.change_tracking)
        .ok_or_else(|| {
            EntityError::Source(ConnectorError::NotSupported {
                what: format!(
                    "reading {entity} from {}",
                    connector.system().display_name()
                ),
            })
        })?;
    let watermark = store.watermark(job.connection_id, entity).await?;
    let lookback = chrono::Duration::days(i64::from(settings.initial_lookback_days));
    let overlap = chrono::Duration::from_std(settings.overlap).unwrap_or_default();
    let (mode, since) = match (job.mode, watermark, tracking) {
        // Without change stamps every read is a full snapshot.
        (_, _, ChangeTracking::Snapshot) => (SyncMode::Initial, None),
        (SyncMode::Auto | SyncMode::Incremental, Some(w), _) => {
            (SyncMode::Incremental, Some(w - overlap))
        }
        // Incremental without a watermark has nothing to be incremental to: read the window.
        _ if has_lookback(entity) => (SyncMode::Initial, Some(source_now - lookback)),
        _ => (SyncMode::Initial, None),
    };
    // A job picked up after a restart keeps the mode, bound and cursor it had.
    let progress = store.begin_entity(job.id, entity, mode, since).await?;
    let commit = |page: mw_connectors::Page| PageCommit {
        job_id: job.id,
        connection_id: job.connection_id,
        entity,
        keep_raw: settings.keep_raw,
        resume: page.next,
        total: page.total,
        floor: progress.since,
        snapshot: tracking == ChangeTracking::Snapshot,
        records: page.records,
    };
    let read = |resume: Option<String>| {
        let query = PageQuery {
            changed_since: progress.since,
            resume,
            page_size: settings.page_size,
        };
        async move { connector.read_page(entity, &query).await }
    };
    let mut page = read(progress.resume.clone())
        .await
        .map_err(EntityError::Source)?;
    loop {
        match page.next.clone() {
            None => {
                store.commit_page(commit(page)).await?;
                return Ok(());
            }
            Some(next) => {
                let (committed, fetched) =
                    tokio::join!(store.commit_page(commit(page)), read(Some(next)));
                committed?;
                page = fetched.map_err(EntityError::Source)?;
            }
        }
    }
}

/// Ends the job as failed with `error`'s code and the source's answer (`sync.failed`). A
/// connection whose circuit opened is marked degraded (`connection.degraded`); the next sync that
/// reaches the source marks it active again.
async fn fail(
    store: &Store,
    job: &SyncJob,
    entity: Option<Entity>,
    connector: &dyn Connector,
    error: &ConnectorError,
) -> Result<SyncJob, StoreError> {
    tracing::warn!(job = %job.id, ?entity, %error, "sync failed");
    let health = connector.health();
    if matches!(error, ConnectorError::Auth(_)) {
        mark_connection(store, job.connection_id, ConnectionStatus::NeedsReauth).await?;
    } else if health.circuit != CircuitState::Closed {
        let health = serde_json::to_value(&health).unwrap_or_default();
        store.degrade_connection(job.connection_id, health).await?;
    }
    let reason = SyncError {
        code: error.code().to_owned(),
        detail: error.to_string(),
        entity,
        upstream: error.upstream().and_then(|u| serde_json::to_value(u).ok()),
    };
    store
        .finish_sync_job(job.id, SyncState::Failed, Some(reason))
        .await
}

async fn mark_connection(
    store: &Store,
    id: Uuid,
    status: ConnectionStatus,
) -> Result<(), StoreError> {
    match store.connection_by_id(id).await? {
        Some(c) if c.status != status => store.set_connection_status(id, status).await,
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use mw_connectors::{Capabilities, EntityCapability, Page, SourceInfo, Upstream};
    use mw_model::{
        EntityData, NewRecord, PurchaseOrder, PurchaseOrderStatus, RemoteRecord, System,
    };
    use mw_store::{NewConnection, StoreOptions};
    use std::sync::Mutex;

    /// An in-memory source with change stamps, paging by (stamp, id) as the trait requires.
    struct FakeSource {
        now: DateTime<Utc>,
        records: Mutex<Vec<(String, DateTime<Utc>)>>,
        /// Fail every read from this call number on (0-based).
        fail_from_call: Mutex<Option<usize>>,
        refuse_auth: bool,
        calls: Mutex<Vec<PageQuery>>,
        capabilities: Capabilities,
        /// What `health` reports: the circuit as a resilience layer would have left it.
        circuit: Mutex<CircuitState>,
        syncs_begun: Mutex<usize>,
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    impl FakeSource {
        fn new(records: &[(&str, &str)]) -> FakeSource {
            FakeSource {
                now: at("2026-03-02T08:00:00Z"),
                records: Mutex::new(
                    records
                        .iter()
                        .map(|(id, t)| (id.to_string(), at(t)))
                        .collect(),
                ),
                fail_from_call: Mutex::new(None),
                refuse_auth: false,
                calls: Mutex::new(vec![]),
                circuit: Mutex::new(CircuitState::Closed),
                syncs_begun: Mutex::new(0),
                capabilities: Capabilities {
                    entities: vec![EntityCapability {
                        entity: Entity::PurchaseOrders,
                        read: true,
                        change_tracking: ChangeTracking::Timestamp,
                        operations: vec![],
                        optimistic_concurrency: false,
                        note: None,
                    }],
                },
            }
        }

        fn record(id: &str, t: DateTime<Utc>) -> RemoteRecord {
            RemoteRecord {
                remote_id: id.into(),
                remote_created_at: None,
                remote_updated_at: t,
                remote_version: None,
                data: EntityData::PurchaseOrder(PurchaseOrder {
                    number: id.into(),
                    status: PurchaseOrderStatus::Open,
                    vendor_remote_id: None,
                    company: None,
                    currency: "EUR".into(),
                    order_date: None,
                    payment_terms: None,
                    total_amount: t.timestamp().into(),
                    lines: vec![],
                }),
                raw: None,
            }
        }

        fn change(&self, id: &str, t: &str) {
            let mut records = self.records.lock().unwrap();
            records.retain(|(i, _)| i != id);
            records.push((id.into(), at(t)));
        }
    }

    fn unavailable() -> ConnectorError {
        ConnectorError::Unavailable {
            detail: "down".into(),
            upstream: None,
        }
    }

    #[async_trait]
    impl Connector for FakeSource {
        fn system(&self) -> System {
            System::Sap
        }
        fn capabilities(&self) -> &Capabilities {
            &self.capabilities
        }
        fn begin_sync(&self) {
            *self.syncs_begun.lock().unwrap() += 1;
        }
        fn health(&self) -> mw_connectors::resilience::Health {
            mw_connectors::resilience::Health {
                circuit: *self.circuit.lock().unwrap(),
                ..Default::default()
            }
        }
        async fn verify(&self) -> Result<SourceInfo, ConnectorError> {
            if self.refuse_auth {
                return Err(ConnectorError::Auth(Upstream {
                    system: "sap".into(),
                    status: 401,
                    code: None,
                    message: Some("Logon failed".into()),
                }));
            }
            Ok(SourceInfo {
                now: Some(self.now),
            })
        }
        async fn read_page(&self, _: Entity, q: &PageQuery) -> Result<Page, ConnectorError> {
            let call = {
                let mut calls = self.calls.lock().unwrap();
                calls.push(q.clone());
                calls.len() - 1
            };
            if self
                .fail_from_call
                .lock()
                .unwrap()
                .is_some_and(|n| call >= n)
            {
                return Err(unavailable());
            }
            let after = q.resume.as_deref().map(|c| {
                let (t, id) = c.split_once('|').unwrap();
                (at(t), id.to_owned())
            });
            let mut rows: Vec<_> = self
                .records
                .lock()
                .unwrap()
                .iter()
                .map(|(id, t)| (*t, id.clone()))
                .filter(|(t, _)| q.changed_since.is_none_or(|s| *t >= s))
                .filter(|row| after.as_ref().is_none_or(|a| row > a))
                .collect();
            rows.sort();
            let more = rows.len() > q.page_size as usize;
            rows.truncate(q.page_size as usize);
            let next = rows
                .last()
                .filter(|_| more)
                .map(|(t, id)| format!("{}|{id}", t.to_rfc3339()));
            Ok(Page {
                records: rows.iter().map(|(t, id)| Self::record(id, *t)).collect(),
                next,
                total: None,
            })
        }
        async fn get(&self, _: Entity, _: &str) -> Result<RemoteRecord, ConnectorError> {
            Err(unavailable())
        }
        async fn create(&self, _: &NewRecord) -> Result<RemoteRecord, ConnectorError> {
            Err(unavailable())
        }
    }

    struct Fixture {
        store: Store,
        connection: Uuid,
        tenant: Uuid,
        _dir: TempDir,
    }

    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn fixture() -> Fixture {
        let dir = std::env::temp_dir().join(format!("mw-sync-{}", Uuid::new_v4()));
        let store = Store::open(StoreOptions {
            path: dir.join("t.db"),
            secret_key: Some([3; 32]),
        })
        .await
        .unwrap();
        let tenant = store.create_tenant("t", "k").await.unwrap().id;
        let connection = store
            .insert_connection(NewConnection {
                tenant_id: tenant,
                system: System::Sap,
                base_url: "x".into(),
                credentials: serde_json::json!({}),
                settings: serde_json::json!({}),
            })
            .await
            .unwrap()
            .id;
        Fixture {
            store,
            connection,
            tenant,
            _dir: TempDir(dir),
        }
    }

    impl Fixture {
        async fn sync(&self, source: &FakeSource, mode: SyncMode, page_size: u32) -> SyncJob {
            let job = self
                .store
                .create_sync_job(
                    self.tenant,
                    self.connection,
                    mode,
                    vec![Entity::PurchaseOrders],
                )
                .await
                .unwrap();
            let settings = SyncSettings {
                page_size,
                ..SyncSettings::default()
            };
            run_job(&self.store, job.id, source, &settings)
                .await
                .unwrap()
        }

        async fn stored(&self) -> Vec<(String, DateTime<Utc>)> {
            let page = self
                .store
                .list_records(
                    self.connection,
                    Entity::PurchaseOrders,
                    mw_store::ListQuery {
                        limit: 10_000,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let mut v: Vec<_> = page
                .records
                .into_iter()
                .map(|r| (r.remote_id, r.remote_updated_at))
                .collect();
            v.sort();
            v
        }

        async fn watermark(&self) -> Option<DateTime<Utc>> {
            self.store
                .watermark(self.connection, Entity::PurchaseOrders)
                .await
                .unwrap()
        }
    }

    fn ids(v: &[(String, DateTime<Utc>)]) -> Vec<&str> {
        v.iter().map(|(id, _)| id.as_str()).collect()
    }

    const HISTORY: &[(&str, &str)] = &[
        ("old", "2026-01-15T00:00:00Z"),
        ("edge", "2026-01-31T08:00:00Z"),
        ("a", "2026-02-10T00:00:00Z"),
        ("b", "2026-02-10T00:00:00Z"),
        ("c", "2026-02-20T12:00:00Z"),
        ("d", "2026-03-01T00:00:00Z"),
    ];

    #[tokio::test]
    async fn initial_sync_reads_the_lookback_on_the_source_clock() {
        let f = fixture().await;
        let source = FakeSource::new(HISTORY);
        let job = f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(job.state, SyncState::Succeeded, "{:?}", job.error);
        // 30 days before the source's 2026-03-02T08:00Z, inclusive.
        assert_eq!(ids(&f.stored().await), ["a", "b", "c", "d", "edge"]);
        assert_eq!(
            source.calls.lock().unwrap()[0].changed_since,
            Some(at("2026-01-31T08:00:00Z"))
        );
        assert_eq!(f.watermark().await, Some(at("2026-03-01T00:00:00Z")));
        let p = &job.progress[&Entity::PurchaseOrders];
        assert_eq!((p.mode, p.read, p.created), (Some(SyncMode::Initial), 5, 5));
    }

    #[tokio::test]
    async fn incremental_sync_reads_from_the_watermark_with_overlap_and_changes_only_what_changed()
    {
        let f = fixture().await;
        let source = FakeSource::new(HISTORY);
        f.sync(&source, SyncMode::Auto, 2).await;
        source.change("a", "2026-03-02T09:00:00Z");
        source.change("new", "2026-03-02T09:00:00Z");
        let job = f.sync(&source, SyncMode::Auto, 2).await;
        let p = &job.progress[&Entity::PurchaseOrders];
        assert_eq!(p.mode, Some(SyncMode::Incremental));
        assert_eq!((p.created, p.updated), (1, 1));
        let last_since = source.calls.lock().unwrap().last().unwrap().changed_since;
        assert_eq!(
            last_since,
            Some(at("2026-03-01T00:00:00Z") - chrono::Duration::minutes(5))
        );
        assert_eq!(ids(&f.stored().await), ["a", "b", "c", "d", "edge", "new"]);
        assert_eq!(f.watermark().await, Some(at("2026-03-02T09:00:00Z")));
        // Nothing changed: the overlap is re-read, nothing is written.
        let quiet = f.sync(&source, SyncMode::Auto, 2).await;
        let p = &quiet.progress[&Entity::PurchaseOrders];
        assert_eq!((p.created, p.updated), (0, 0));
    }

    #[tokio::test]
    async fn a_failed_sync_keeps_the_watermark_and_the_next_run_completes_it() {
        let f = fixture().await;
        let source = FakeSource::new(HISTORY);
        *source.fail_from_call.lock().unwrap() = Some(1);
        let failed = f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(failed.state, SyncState::Failed);
        let error = failed.error.unwrap();
        assert_eq!(
            (error.code.as_str(), error.entity),
            ("upstream_unavailable", Some(Entity::PurchaseOrders))
        );
        assert_eq!(f.watermark().await, None);
        // The page committed before the outage stays, consistent; it is simply read again.
        assert_eq!(ids(&f.stored().await), ["a", "edge"]);
        *source.fail_from_call.lock().unwrap() = None;
        let job = f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(job.state, SyncState::Succeeded);
        assert_eq!(ids(&f.stored().await), ["a", "b", "c", "d", "edge"]);
        assert_eq!(
            *source.syncs_begun.lock().unwrap(),
            2,
            "each sync refills the budget"
        );
    }

    async fn event_types(f: &Fixture) -> Vec<String> {
        let events = f.store.events(f.tenant, 0, 100).await.unwrap();
        events.into_iter().map(|e| e.event_type).collect()
    }

    async fn connection_status(f: &Fixture) -> ConnectionStatus {
        let connection = f.store.connection_by_id(f.connection).await.unwrap();
        connection.unwrap().status
    }

    #[tokio::test]
    async fn a_failed_sync_is_announced_and_an_open_circuit_degrades_the_connection() {
        let f = fixture().await;
        let source = FakeSource::new(HISTORY);
        *source.fail_from_call.lock().unwrap() = Some(0);
        let failed = f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(event_types(&f).await, ["sync.failed"]);
        let events = f.store.events(f.tenant, 0, 100).await.unwrap();
        assert_eq!(events[0].data["sync_id"], failed.id.to_string());
        assert_eq!(events[0].data["error"]["code"], "upstream_unavailable");
        assert_eq!(connection_status(&f).await, ConnectionStatus::Active);

        *source.circuit.lock().unwrap() = CircuitState::Open;
        f.sync(&source, SyncMode::Auto, 2).await;
        f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(connection_status(&f).await, ConnectionStatus::Degraded);
        // Degraded is announced each time it begins (this source answers `verify`, which marks
        // the connection active again); every failed sync is announced.
        assert_eq!(
            event_types(&f).await,
            [
                "sync.failed",
                "connection.degraded",
                "sync.failed",
                "connection.degraded",
                "sync.failed"
            ]
        );
        let events = f.store.events(f.tenant, 0, 100).await.unwrap();
        assert_eq!(events[1].data["health"]["circuit"], "open");
        assert!(
            f.store
                .events(f.tenant, events[4].seq, 100)
                .await
                .unwrap()
                .is_empty()
        );

        *source.fail_from_call.lock().unwrap() = None;
        *source.circuit.lock().unwrap() = CircuitState::Closed;
        let job = f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(job.state, SyncState::Succeeded);
        assert_eq!(connection_status(&f).await, ConnectionStatus::Active);
    }

    #[tokio::test]
    async fn a_job_left_running_resumes_from_its_last_committed_page() {
        let f = fixture().await;
        let source = FakeSource::new(HISTORY);
        let job = f
            .store
            .create_sync_job(
                f.tenant,
                f.connection,
                SyncMode::Auto,
                vec![Entity::PurchaseOrders],
            )
            .await
            .unwrap();
        // What a process killed after its first page leaves behind.
        let since = at("2026-01-31T08:00:00Z");
        f.store
            .begin_entity(
                job.id,
                Entity::PurchaseOrders,
                SyncMode::Initial,
                Some(since),
            )
            .await
            .unwrap();
        let first = source
            .read_page(
                Entity::PurchaseOrders,
                &PageQuery {
                    changed_since: Some(since),
                    resume: None,
                    page_size: 2,
                },
            )
            .await
            .unwrap();
        let cursor = first.next.clone();
        f.store
            .commit_page(PageCommit {
                job_id: job.id,
                connection_id: f.connection,
                entity: Entity::PurchaseOrders,
                records: first.records,
                keep_raw: false,
                resume: first.next,
                total: None,
                floor: Some(since),
                snapshot: false,
            })
            .await
            .unwrap();
        f.store.mark_sync_running(job.id).await.unwrap();
        source.calls.lock().unwrap().clear();

        let settings = SyncSettings {
            page_size: 2,
            ..SyncSettings::default()
        };
        let done = run_job(&f.store, job.id, &source, &settings).await.unwrap();
        assert_eq!(done.state, SyncState::Succeeded);
        assert_eq!(
            source.calls.lock().unwrap()[0].resume,
            cursor,
            "resumed, not restarted"
        );
        let p = &done.progress[&Entity::PurchaseOrders];
        assert_eq!((p.read, p.created, p.unchanged), (5, 5, 0));
        assert_eq!(ids(&f.stored().await), ["a", "b", "c", "d", "edge"]);
    }

    #[tokio::test]
    async fn refused_credentials_fail_the_sync_and_flag_the_connection() {
        let f = fixture().await;
        let mut source = FakeSource::new(HISTORY);
        source.refuse_auth = true;
        let job = f.sync(&source, SyncMode::Auto, 2).await;
        assert_eq!(job.state, SyncState::Failed);
        let error = job.error.unwrap();
        assert_eq!(error.code, "connection_auth_failed");
        assert_eq!(error.upstream.unwrap()["status"], 401);
        let c = f
            .store
            .connection_by_id(f.connection)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.status, ConnectionStatus::NeedsReauth);
        assert!(f.stored().await.is_empty());
    }
}
