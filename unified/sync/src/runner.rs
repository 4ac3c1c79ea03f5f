//! Runs sync jobs in the background and keeps one connector per connection.

use crate::{SyncError, SyncSettings, run_job};
use mw_connectors::{Connector, ConnectorConfig, ConnectorError, http::HttpConfig};
use mw_model::{Entity, System};
use mw_store::{Store, StoreError, StoredConnection, SyncJob, SyncMode, SyncState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// Builds a connector for a system; [`mw_connectors::connect`] in production, a fake in tests.
pub type ConnectorFactory = Arc<
    dyn Fn(System, ConnectorConfig) -> Result<Box<dyn Connector>, ConnectorError> + Send + Sync,
>;

/// Starts jobs, resumes unfinished ones, and lets callers wait for a job to end.
#[derive(Clone)]
pub struct Runner {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    factory: ConnectorFactory,
    http: HttpConfig,
    /// Connectors keep their auth state (CSRF tokens, OAuth tokens), so one lives per connection.
    connectors: Mutex<HashMap<Uuid, Arc<dyn Connector>>>,
    /// Jobs running in this process, watched by callers waiting for them to end.
    running: Mutex<HashMap<Uuid, watch::Receiver<bool>>>,
}

impl Runner {
    pub fn new(store: Store, factory: ConnectorFactory, http: HttpConfig) -> Runner {
        Runner {
            inner: Arc::new(Inner {
                store,
                factory,
                http,
                connectors: Mutex::new(HashMap::new()),
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// A runner that builds the real connectors.
    pub fn with_real_connectors(store: Store, http: HttpConfig) -> Runner {
        Runner::new(store, Arc::new(mw_connectors::connect), http)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Builds a connector for a connection that is not stored yet (to check its credentials).
    pub fn build_connector(
        &self,
        system: System,
        base_url: &str,
        credentials: serde_json::Value,
        settings: serde_json::Value,
    ) -> Result<Box<dyn Connector>, ConnectorError> {
        (self.inner.factory)(
            system,
            ConnectorConfig {
                base_url: base_url.to_owned(),
                credentials,
                settings,
                http: self.inner.http.clone(),
            },
        )
    }

    /// The connector of a stored connection, built on first use and then shared.
    pub async fn connector(
        &self,
        connection: &StoredConnection,
    ) -> Result<Arc<dyn Connector>, SyncError> {
        if let Some(c) = lock(&self.inner.connectors).get(&connection.id) {
            return Ok(c.clone());
        }
        let credentials = self
            .inner
            .store
            .connection_credentials(connection.id)
            .await?;
        let connector: Arc<dyn Connector> = Arc::from(self.build_connector(
            connection.system,
            &connection.base_url,
            credentials,
            connection.settings.clone(),
        )?);
        Ok(lock(&self.inner.connectors)
            .entry(connection.id)
            .or_insert(connector)
            .clone())
    }

    /// The health of a connection's connector, when this process has built it.
    pub fn health(&self, id: Uuid) -> Option<mw_connectors::resilience::Health> {
        lock(&self.inner.connectors).get(&id).map(|c| c.health())
    }

    /// Drops the cached connector of a deleted or re-authenticated connection.
    pub fn forget_connection(&self, id: Uuid) {
        lock(&self.inner.connectors).remove(&id);
    }

    /// Queues a job for `connection` and starts it. Fails with
    /// [`StoreError::SyncInProgress`] when one is already queued or running.
    pub async fn start(
        &self,
        connection: &StoredConnection,
        mode: SyncMode,
        entities: Vec<Entity>,
    ) -> Result<SyncJob, StoreError> {
        let job = self
            .inner
            .store
            .create_sync_job(connection.tenant_id, connection.id, mode, entities)
            .await?;
        self.spawn(job.id);
        Ok(job)
    }

    /// Restarts every job a previous process left queued or running. Each continues from the
    /// cursor of its last committed page.
    pub async fn resume_unfinished(&self) -> Result<usize, StoreError> {
        let jobs = self.inner.store.unfinished_sync_jobs().await?;
        for job in &jobs {
            tracing::info!(job = %job.id, connection = %job.connection_id, "resuming sync");
            self.spawn(job.id);
        }
        Ok(jobs.len())
    }

    /// Waits up to `timeout` for job `id` to end. Returns at once when it is not running here.
    pub async fn wait(&self, id: Uuid, timeout: Duration) {
        let rx = lock(&self.inner.running).get(&id).cloned();
        if let Some(mut rx) = rx {
            let _ = tokio::time::timeout(timeout, rx.wait_for(|done| *done)).await;
        }
    }

    fn spawn(&self, id: Uuid) {
        let (tx, rx) = watch::channel(false);
        lock(&self.inner.running).insert(id, rx);
        let runner = self.clone();
        tokio::spawn(async move {
            if let Err(e) = runner.run(id).await {
                tracing::error!(job = %id, error = %e, "sync could not run");
                let reason = mw_store::SyncError {
                    code: "internal".into(),
                    detail: e.to_string(),
                    entity: None,
                    upstream: None,
                };
                let _ = runner
                    .inner
                    .store
                    .finish_sync_job(id, SyncState::Failed, Some(reason))
                    .await;
            }
            lock(&runner.inner.running).remove(&id);
            let _ = tx.send(true);
        });
    }

    async fn run(&self, id: Uuid) -> Result<SyncJob, SyncError> {
        let store = &self.inner.store;
        let job = store.sync_job_by_id(id).await?;
        let connection = store
            .connection_by_id(job.connection_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let settings = SyncSettings::from_settings(&connection.settings).unwrap_or_default();
        let connector = self.connector(&connection).await?;
        Ok(run_job(store, id, connector.as_ref(), &settings).await?)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing panics while holding these locks; if it did, the maps are still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}
