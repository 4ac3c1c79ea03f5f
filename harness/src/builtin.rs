//! Millwright's own API, run by the harness as if it were a process of its own: on a tokio
//! runtime and OS thread of its own, over a store in a fresh directory.
//!
//! Owning the runtime is what lets a check crash the API ([`BuiltIn::crash_and_restart`]): the
//! runtime is dropped in the background, so every task (the server, the sync runner, a page
//! half-read) stops at whatever await it was at, with no shutdown code run — what SIGKILL does to
//! a process, minus the OS. A new "process" then opens the same database, resumes the jobs left
//! running, and listens on the same address. (`xtask/tests/kill_resume.rs` does it with a real
//! process and SIGKILL.)

use crate::HarnessError;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::oneshot;

/// How the API's runtime ends.
enum Stop {
    /// Server and tasks are told to stop and given a moment.
    Graceful,
    /// Everything is dropped where it stands.
    Crash,
}

/// One run of the API: its thread and the way to end it.
struct ApiRun {
    stop: Option<oneshot::Sender<Stop>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ApiRun {
    fn end(&mut self, how: Stop) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(how);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The built-in API and its store. Dropping it stops the API and removes the store.
pub(crate) struct BuiltIn {
    pub(crate) store: mw_store::Store,
    pub(crate) base_url: String,
    pub(crate) api_key: String,
    address: SocketAddr,
    dir: PathBuf,
    run: ApiRun,
}

impl BuiltIn {
    /// A fresh store with one tenant, and the API serving it on a free port.
    pub(crate) async fn start() -> Result<BuiltIn, HarnessError> {
        let dir = std::env::temp_dir().join(format!("millwright-harness-{}", uuid::Uuid::new_v4()));
        let store = mw_store::Store::open(mw_store::StoreOptions {
            path: dir.join("millwright.db"),
            secret_key: None,
        })
        .await
        .map_err(api_error)?;
        let api_key = format!("mw_test_{}", uuid::Uuid::new_v4().simple());
        store
            .create_tenant("harness", &api_key)
            .await
            .map_err(api_error)?;
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let (address, run) = launch(dir.join("millwright.db"), loopback).await?;
        Ok(BuiltIn {
            store,
            base_url: format!("http://{address}"),
            api_key,
            address,
            dir,
            run,
        })
    }

    /// Crashes the API (see the module doc) and starts it again on the same database and address.
    pub(crate) async fn crash_and_restart(&mut self) -> Result<(), HarnessError> {
        self.run.end(Stop::Crash);
        let (address, run) = launch(self.dir.join("millwright.db"), self.address).await?;
        self.run = run;
        if address != self.address {
            return Err(HarnessError::Api(format!(
                "the restarted API listens on {address}, not {}",
                self.address
            )));
        }
        Ok(())
    }
}

impl Drop for BuiltIn {
    fn drop(&mut self) {
        self.run.end(Stop::Graceful);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn api_error(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Api(e.to_string())
}

/// Starts the API over the database at `db` on `address` (port 0 for a free one) on a runtime
/// of its own; returns the address it listens on once it does.
async fn launch(db: PathBuf, address: SocketAddr) -> Result<(SocketAddr, ApiRun), HarnessError> {
    let (ready_tx, ready_rx) = oneshot::channel::<Result<SocketAddr, String>>();
    let (stop_tx, stop_rx) = oneshot::channel::<Stop>();
    let thread = std::thread::Builder::new()
        .name("millwright-api".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
            let started = runtime.block_on(serve(db, address, shutdown_rx));
            let how = match started {
                Ok(bound) => {
                    let _ = ready_tx.send(Ok(bound));
                    runtime.block_on(stop_rx).unwrap_or(Stop::Graceful)
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    Stop::Graceful
                }
            };
            match how {
                Stop::Crash => runtime.shutdown_background(),
                Stop::Graceful => {
                    let _ = shutdown_tx.send(());
                    runtime.shutdown_timeout(Duration::from_secs(2));
                }
            }
        })
        .map_err(api_error)?;
    let run = ApiRun {
        stop: Some(stop_tx),
        thread: Some(thread),
    };
    match ready_rx.await {
        Ok(Ok(bound)) => Ok((bound, run)),
        Ok(Err(e)) => Err(HarnessError::Api(e)),
        Err(_) => Err(HarnessError::Api(
            "the API thread ended before listening".into(),
        )),
    }
}

/// Opens the store, resumes unfinished syncs, binds and spawns the server; returns the bound
/// address. Runs on the API's own runtime.
async fn serve(
    db: PathBuf,
    address: SocketAddr,
    shutdown: oneshot::Receiver<()>,
) -> Result<SocketAddr, String> {
    let store = mw_store::Store::open(mw_store::StoreOptions::at(&db))
        .await
        .map_err(|e| e.to_string())?;
    let runner = mw_sync::Runner::with_real_connectors(store, Default::default());
    runner
        .resume_unfinished()
        .await
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let app = mw_api::app(mw_api::AppState::new(runner));
    tokio::spawn(async move {
        let _ = mw_api::serve(listener, app, async {
            let _ = shutdown.await;
        })
        .await;
    });
    Ok(bound)
}
