//! Serving an emulator: shared core state, the router around a system, and the handle that
//! stops it.
//!
//! Around every system router, from the outside in: `stamp_date` (the virtual `Date`, so even a
//! fault's answer carries it), the fault layer (`faults`), the journal (so it records only the
//! requests that reached the system), then the system. `/__admin` passes through all of them
//! untouched except `stamp_date`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::DATE;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use chrono::TimeDelta;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::{VirtualClock, http_date};
use crate::faults::{self, DateSkew, FaultLayer, FaultState};
use crate::journal::{JOURNAL_CAPACITY, Journal};
use crate::{EmulatorOptions, MockError, Profile, SystemKind, admin, journal, sap};

/// State every emulator shares: the clock, the journal, the fault plan, and what it was started
/// with.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) clock: VirtualClock,
    pub(crate) journal: Journal,
    /// The installed fault plan and its counters.
    pub(crate) faults: Arc<FaultState>,
    pub(crate) seed: u64,
    pub(crate) profile: Profile,
    /// `http://127.0.0.1:PORT`, for absolute URIs when a request has no `Host`.
    pub(crate) base_url: String,
}

/// A running emulator. Dropping it stops the server task.
#[derive(Debug)]
pub struct RunningEmulator {
    pub system: SystemKind,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// `base_url` + `/__admin`.
    pub admin_url: String,
    /// Everything a client needs to authenticate, in the manifest's form.
    pub credentials: serde_json::Value,
    /// Ends hanging fault rules, so a hang never holds up shutdown.
    faults: Arc<FaultState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// This emulator's entry in the manifest `cargo xtask mocks` writes.
    pub fn manifest_entry(&self) -> serde_json::Value {
        serde_json::json!({
            "system": self.system.as_str(),
            "base_url": self.base_url,
            "admin_url": self.admin_url,
            "credentials": self.credentials,
        })
    }

    /// Stops accepting connections and waits (briefly) for open ones to finish.
    pub async fn shutdown(mut self) {
        self.faults.halt();
        if let Some(signal) = self.shutdown.take() {
            let _ = signal.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            // Keep-alive connections normally close at once; never hang a caller on a stuck one.
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.faults.halt();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Stamps every response with the virtual clock's `Date` (RFC 9110 IMF-fixdate). Clients take
/// their sync lookback from it, so it must never be the wall clock. A fault plan's `clock_skew`
/// shifts it (the [`DateSkew`] extension); records keep their own stamps.
async fn stamp_date(State(core): State<Arc<Core>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let now = core.clock.now();
    let at = match response.extensions().get::<DateSkew>() {
        Some(DateSkew(seconds)) => TimeDelta::try_seconds(*seconds)
            .and_then(|skew| now.checked_add_signed(skew))
            .unwrap_or(now),
        None => now,
    };
    if let Ok(value) = HeaderValue::from_str(&http_date(at)) {
        response.headers_mut().insert(DATE, value);
    }
    response
}

fn base_url(address: SocketAddr) -> String {
    let ip = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{}", address.port()),
        IpAddr::V6(v6) => format!("http://[{v6}]:{}", address.port()),
    }
}

/// Serves the emulator described by `options` on `listener` (bind it to port 0 for a free port).
pub async fn serve(
    options: EmulatorOptions,
    listener: TcpListener,
) -> Result<RunningEmulator, MockError> {
    let address = listener.local_addr().map_err(MockError::Listener)?;
    let base_url = base_url(address);
    let core = Arc::new(Core {
        clock: VirtualClock::new(options.profile.clock_start),
        journal: Journal::new(JOURNAL_CAPACITY),
        faults: Arc::new(FaultState::default()),
        seed: options.seed,
        profile: options.profile,
        base_url: base_url.clone(),
    });
    let system = match options.system {
        SystemKind::Sap => sap::build(Arc::clone(&core))?,
        SystemKind::Maximo => crate::maximo::build(Arc::clone(&core))?,
        SystemKind::NetSuite => crate::netsuite::build(Arc::clone(&core))?,
    };
    if let Some(plan) = options.faults {
        faults::check_plan(&plan, options.system, &system.admin.entities()).map_err(|reason| {
            MockError::FaultPlanInvalid {
                origin: plan.name().unwrap_or("the fault plan").to_owned(),
                reason,
            }
        })?;
        core.faults.install(plan, core.seed);
    }
    let fault_layer = Arc::new(FaultLayer {
        core: Arc::clone(&core),
        system: Arc::clone(&system.admin),
    });
    let app = Router::new()
        .nest("/__admin", admin::router(Arc::clone(&core), system.admin))
        .merge(system.router)
        .layer(from_fn_with_state(Arc::clone(&core), journal::record))
        .layer(from_fn_with_state(fault_layer, faults::apply))
        .layer(from_fn_with_state(Arc::clone(&core), stamp_date));
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = signal.await;
            })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, "emulator server stopped with an error");
        }
    });
    Ok(RunningEmulator {
        system: options.system,
        admin_url: format!("{base_url}/__admin"),
        base_url,
        credentials: system.credentials,
        faults: Arc::clone(&core.faults),
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

/// What a system module hands to the server: its routes, its admin half, its credentials.
pub(crate) struct BuiltSystem {
    pub(crate) router: Router,
    pub(crate) admin: Arc<dyn admin::SystemAdmin>,
    pub(crate) credentials: serde_json::Value,
}
