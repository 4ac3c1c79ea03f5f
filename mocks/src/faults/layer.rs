//! The middleware that applies a fault plan to every request outside `/__admin`.
//!
//! Order of effects for one request: the firing `expire_tokens` and `page_drift` rules act on the
//! system first (so the request meets expired sessions or moved records), then the firing
//! latencies are waited out, then the first firing terminal rule decides the answer (or the
//! request goes through untouched), and finally a `clock_skew` is handed to `stamp_date` as a
//! response extension.
//!
//! Cutting a connection: hyper writes a response's head only when it flushes, and it drops the
//! connection without flushing when the body fails. A body that fails on its first poll
//! therefore sends nothing at all (the client sees a transport error and no status), and a body
//! that yields a part, pauses so hyper flushes it, then fails, sends headers and that part only.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER, TRANSFER_ENCODING};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::TimeDelta;
use futures_util::stream;

use super::matcher::Outcome;
use super::plan::RetryAfter;
use crate::admin::SystemAdmin;
use crate::clock::http_date;
use crate::server::Core;

/// How long a partly sent body waits before its connection is cut, so what was sent is flushed
/// and read first.
const FLUSH_PAUSE: Duration = Duration::from_millis(10);
/// Largest answer the layer reads whole to cut it (`truncate`, `malformed`, `reset during`).
const MAX_BUFFERED_BODY: usize = 256 * 1024 * 1024;

/// Shifts the `Date` header by this many seconds (set by a firing `clock_skew`, read by
/// `stamp_date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DateSkew(pub(crate) i64);

/// What the middleware needs: the core (clock, plan) and the system it faults.
pub(crate) struct FaultLayer {
    pub(crate) core: Arc<Core>,
    pub(crate) system: Arc<dyn SystemAdmin>,
}

fn is_admin(path: &str) -> bool {
    path == "/__admin" || path.starts_with("/__admin/")
}

fn reset_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "fault plan: connection cut")
}

/// A response that is never sent: the connection closes before its status line.
fn cut() -> Response {
    Response::new(Body::from_stream(stream::once(async {
        Err::<Bytes, io::Error>(reset_error())
    })))
}

/// A body that sends `prefix`, pauses so it is flushed, then cuts the connection.
fn cut_after(prefix: Bytes) -> Body {
    enum Step {
        Prefix(Bytes),
        Cut,
        Done,
    }
    Body::from_stream(stream::unfold(Step::Prefix(prefix), |step| async move {
        match step {
            Step::Prefix(prefix) => Some((Ok(prefix), Step::Cut)),
            Step::Cut => {
                tokio::time::sleep(FLUSH_PAUSE).await;
                Some((Err::<Bytes, io::Error>(reset_error()), Step::Done))
            }
            Step::Done => None,
        }
    }))
}

/// Middleware: applies the installed plan (see the module doc).
pub(crate) async fn apply(
    State(layer): State<Arc<FaultLayer>>,
    request: Request,
    next: Next,
) -> Response {
    if is_admin(request.uri().path()) {
        return next.run(request).await;
    }
    let decision = layer.core.faults.decide(
        layer.system.system(),
        request.method().as_str(),
        request.uri().path(),
    );
    if decision.is_empty() {
        return next.run(request).await;
    }
    tracing::debug!(rules = ?decision.fired, path = request.uri().path(), "fault rules fired");
    if decision.expire_tokens {
        let expired = layer.system.expire_sessions();
        tracing::debug!(?expired, "fault plan expired short-lived credentials");
    }
    for drift in &decision.drifts {
        if let Err(refusal) = layer
            .system
            .churn(&drift.entity, drift.changed, drift.created)
        {
            tracing::warn!(
                entity = drift.entity,
                ?refusal,
                "page_drift could not churn"
            );
        }
    }
    if !decision.latency.is_zero() && !layer.core.faults.pause(decision.latency).await {
        return cut();
    }
    let mut response = match decision.outcome {
        None => next.run(request).await,
        Some((_, outcome)) => answer(&layer, outcome, decision.skew_seconds, request, next).await,
    };
    if decision.skew_seconds != 0 {
        response
            .extensions_mut()
            .insert(DateSkew(decision.skew_seconds));
    }
    response
}

/// The answer a terminal rule decides.
async fn answer(
    layer: &FaultLayer,
    outcome: Outcome,
    skew_seconds: i64,
    request: Request,
    next: Next,
) -> Response {
    match outcome {
        Outcome::Status { status, message } => {
            let message = message.unwrap_or_else(|| default_message(status));
            layer.system.fault_response(request.uri(), status, &message)
        }
        Outcome::RateLimit {
            retry_after,
            message,
        } => {
            let status = StatusCode::TOO_MANY_REQUESTS;
            let message = message.unwrap_or_else(|| default_message(status));
            let mut response = layer.system.fault_response(request.uri(), status, &message);
            if let Some(value) = retry_after_value(layer, retry_after, skew_seconds) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        Outcome::ResetBefore => cut(),
        Outcome::Hang(duration) => {
            if layer.core.faults.pause(duration).await {
                next.run(request).await
            } else {
                cut()
            }
        }
        Outcome::NoAnswer => {
            // The system commits the write; its answer is lost with the connection.
            drop(next.run(request).await);
            cut()
        }
        Outcome::ResetDuring => reshape(next.run(request).await, Reshape::CutDuring).await,
        Outcome::Truncate => reshape(next.run(request).await, Reshape::Truncate).await,
        Outcome::Malformed => reshape(next.run(request).await, Reshape::Malformed).await,
    }
}

fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::TOO_MANY_REQUESTS => String::from("Too many requests. Retry later."),
        StatusCode::SERVICE_UNAVAILABLE => {
            String::from("The service is temporarily unavailable. Retry later.")
        }
        other => other
            .canonical_reason()
            .map_or_else(|| format!("HTTP {}", other.as_u16()), str::to_owned),
    }
}

/// `Retry-After` in seconds, or as an HTTP date on the server's (possibly skewed) clock.
fn retry_after_value(
    layer: &FaultLayer,
    retry_after: RetryAfter,
    skew_seconds: i64,
) -> Option<HeaderValue> {
    match retry_after {
        RetryAfter::None => None,
        RetryAfter::Seconds(seconds) => Some(HeaderValue::from(seconds)),
        RetryAfter::Date(seconds) => {
            let offset = i64::try_from(seconds)
                .ok()
                .and_then(|s| s.checked_add(skew_seconds))
                .and_then(TimeDelta::try_seconds)?;
            let at = layer.core.clock.now().checked_add_signed(offset)?;
            HeaderValue::from_str(&http_date(at)).ok()
        }
    }
}

/// How an answer's body is spoiled.
#[derive(Clone, Copy, Debug)]
enum Reshape {
    /// Headers and half the body, chunked, then the connection is cut.
    CutDuring,
    /// Half the body while `Content-Length` still announces the whole, then the cut.
    Truncate,
    /// Half the body with a matching `Content-Length`: transport succeeds, parsing fails.
    Malformed,
}

async fn reshape(response: Response, how: Reshape) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(full) = axum::body::to_bytes(body, MAX_BUFFERED_BODY).await else {
        return cut();
    };
    let half = full.slice(..full.len() / 2);
    parts.headers.remove(TRANSFER_ENCODING);
    parts.headers.remove(CONTENT_LENGTH);
    let body = match how {
        Reshape::CutDuring => cut_after(half),
        Reshape::Truncate => {
            if full.is_empty() {
                // Nothing to cut: the answer stands.
                Body::from(full)
            } else {
                // A streamed body of unknown length takes its length from this header.
                parts
                    .headers
                    .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
                cut_after(half)
            }
        }
        Reshape::Malformed => Body::from(half),
    };
    Response::from_parts(parts, body)
}
