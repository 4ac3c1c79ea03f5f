//! The unified REST API (axum): connections, syncs and records under `/v1`, problem+json errors.
//!
//! * [`error`] — `ApiError`, the one way a handler says no, rendered as RFC 9457 problem+json.
//! * [`extract`] — request extractors that turn bad input into clear errors (JSON bodies with
//!   field paths, query strings, the API key).
//! * `routes/` — one module per resource.
//!
//! **Invariant:** handlers read records from the store only; they reach a source system only to
//! verify credentials and to pass writes through, and a write is stored only after the source
//! accepted it.

// `ApiError` is large (problem fields, field errors, upstream answer) and only travels on the
// refusal path; boxing it would cost every handler a layer of indirection for nothing.
#![allow(clippy::result_large_err)]

pub mod error;
pub mod extract;
mod routes;
mod state;

pub use state::AppState;

use axum::Router;
use std::future::Future;

/// Largest request body accepted; beyond it a client gets 413.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The whole API as a router, ready to serve.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
