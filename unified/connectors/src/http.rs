//! The HTTP layer under every connector: one client configuration, timeouts, sending a request
//! and reading its whole response, the readings every protocol needs (the source's clock,
//! `Retry-After`), and what a refused request means by its status alone. What a system's own
//! error body says (its codes for locks, stale versions, throttling) each connector's `client`
//! reads first, then hands the rest to `status_error`.
//!
//! Retries, the retry budget, the circuit breaker and the in-flight limit are `resilience`'s,
//! which every connector's requests pass through, so that a connector module only ever describes
//! its protocol.

use crate::{ConnectorError, Upstream};
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use reqwest::StatusCode;
use reqwest::header::{DATE, HeaderMap, LOCATION, RETRY_AFTER};
use std::sync::Once;
use std::time::Duration;

/// What every connector percent-encodes in query values (and NetSuite's OAuth signature base,
/// RFC 5849 §3.6): everything but the unreserved characters of RFC 3986 §2.3.
pub(crate) const EXCEPT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Timeouts and limits of the connector's HTTP client.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(60),
            user_agent: concat!("millwright/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Builds a client with rustls (ring) and the configured timeouts. Redirects are not followed:
/// an ERP API that redirects is sending us to a logon page, and that is an error to report.
pub fn client(config: &HttpConfig) -> Result<reqwest::Client, ConnectorError> {
    install_tls_provider();
    reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(config.user_agent.clone())
        .pool_max_idle_per_host(16)
        .build()
        .map_err(|e| ConnectorError::Unavailable {
            detail: format!("cannot build the HTTP client: {e}"),
            upstream: None,
        })
}

/// Installs rustls' ring provider for the process. reqwest is built without a default provider
/// (no aws-lc C build), so every process that builds a reqwest client calls this first.
pub fn install_tls_provider() {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        // Fails only when another provider was installed first, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The source's clock from its `Date` header (RFC 9110 IMF-fixdate), if it sent a readable one.
pub fn source_date(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let value = headers.get(DATE)?.to_str().ok()?;
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `Retry-After` as a wait: delta-seconds, or an HTTP date measured against the source's own
/// `Date` header (falling back to the local clock when the source sent none).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    let now = source_date(headers).unwrap_or_else(Utc::now);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// A response read to the end.
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// This response when it is a success (2xx); otherwise the error `refusal` makes of it, which
    /// is where a connector's `error_from_response` reads its system's error body.
    pub(crate) fn success(
        self,
        refusal: impl FnOnce(StatusCode, &HeaderMap, &[u8]) -> ConnectorError,
    ) -> Result<Response, ConnectorError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(refusal(self.status, &self.headers, &self.body))
        }
    }
}

/// Sends `request` and reads the whole response. A failure on the way, also one while the body
/// arrives, is `system`'s [`transport_error`]; every answer, a refusal too, is a [`Response`].
pub(crate) async fn send(
    system: &str,
    request: reqwest::RequestBuilder,
) -> Result<Response, ConnectorError> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(system, &e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(system, &e))?
        .to_vec();
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// What `system` answered: the status, and the code and message of its error body.
pub(crate) fn upstream(
    system: &str,
    status: StatusCode,
    code: Option<String>,
    message: Option<String>,
) -> Upstream {
    Upstream {
        system: system.into(),
        status: status.as_u16(),
        code,
        message,
    }
}

/// What a refused request means by its status alone, once the connector has read what its
/// system's error codes say: 401 refused credentials, 403 permission, 404 not found, 409 and 412
/// a conflict, 429 rate limited (for as long as `Retry-After` says), 5xx unavailable, anything
/// else a rejection. Redirects are not followed: an API that redirects is sending the client to a
/// login page, so the credentials were not accepted.
pub(crate) fn status_error(
    system: &str,
    status: StatusCode,
    headers: &HeaderMap,
    upstream: Upstream,
) -> ConnectorError {
    match status.as_u16() {
        401 => ConnectorError::Auth(upstream),
        403 => ConnectorError::PermissionDenied(upstream),
        404 => ConnectorError::NotFound(Some(upstream)),
        409 | 412 => ConnectorError::Conflict(upstream),
        429 => ConnectorError::RateLimited {
            upstream,
            retry_after: retry_after(headers),
        },
        500..=599 => ConnectorError::Unavailable {
            detail: match &upstream.message {
                Some(message) => format!("{system} answered {status}: {message}"),
                None => format!("{system} answered {status}"),
            },
            upstream: Some(upstream),
        },
        300..=399 => {
            let location = headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("elsewhere");
            ConnectorError::Auth(Upstream {
                message: Some(format!("redirected to {location}")),
                ..upstream
            })
        }
        _ => ConnectorError::Rejected(upstream),
    }
}

/// Classifies a transport failure (refused connection, timeout, reset) for `system`.
pub fn transport_error(system: &str, err: &reqwest::Error) -> ConnectorError {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not be reached"
    } else if err.is_body() || err.is_decode() {
        "sent a response that was cut short"
    } else {
        "failed"
    };
    ConnectorError::Unavailable {
        detail: format!("{system} {what}: {}", error_chain(err)),
        upstream: None,
    }
}

/// An error and its sources on one line; reqwest's own message leaves out the cause.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn reads_the_source_clock() {
        let h = headers(&[("date", "Sat, 28 Nov 2026 01:43:20 GMT")]);
        assert_eq!(
            source_date(&h).unwrap().to_rfc3339(),
            "2026-11-28T01:43:20+00:00"
        );
        assert_eq!(source_date(&headers(&[("date", "yesterday")])), None);
    }

    #[test]
    fn retry_after_in_both_forms() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        let h = headers(&[
            ("date", "Sat, 28 Nov 2026 01:43:20 GMT"),
            ("retry-after", "Sat, 28 Nov 2026 01:44:00 GMT"),
        ]);
        assert_eq!(retry_after(&h), Some(Duration::from_secs(40)));
        let past = headers(&[
            ("date", "Sat, 28 Nov 2026 01:43:20 GMT"),
            ("retry-after", "Sat, 28 Nov 2026 01:00:00 GMT"),
        ]);
        assert_eq!(retry_after(&past), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    }
}
