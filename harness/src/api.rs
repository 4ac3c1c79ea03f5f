//! A client of the unified API that keeps every exchange as evidence.

use crate::{HarnessError, REQUEST_TIMEOUT};
use reqwest::Method;
use serde_json::{Value, json};

/// One request and its response, as a check shows it when it fails. Credentials in the request
/// are masked; the response is kept whole.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub request_body: Option<Value>,
    pub status: u16,
    pub content_type: String,
    /// The response body parsed as JSON, or as a JSON string when it is not JSON.
    pub body: Value,
    pub raw_body: String,
    pub location: Option<String>,
    /// Every response header.
    pub headers: reqwest::header::HeaderMap,
}

impl Exchange {
    pub fn request_line(&self) -> String {
        match &self.request_body {
            Some(b) => format!("{} {}\n{}", self.method, self.path, pretty(&mask(b))),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// The status line and up to `max` characters of the body.
    pub fn response_excerpt(&self, max: usize) -> String {
        let body = pretty(&self.body);
        let cut: String = body.chars().take(max).collect();
        let ellipsis = if cut.len() < body.len() { "\n…" } else { "" };
        format!(
            "HTTP {} ({})\n{cut}{ellipsis}",
            self.status, self.content_type
        )
    }

    /// The problem+json `code`, if this is an error response.
    pub fn code(&self) -> Option<&str> {
        self.body.get("code").and_then(Value::as_str)
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Replaces every value under a `credentials` key with `***`.
pub fn mask(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k == "credentials" {
                        match v {
                            Value::Object(c) => {
                                Value::Object(c.keys().map(|k| (k.clone(), json!("***"))).collect())
                            }
                            _ => json!("***"),
                        }
                    } else {
                        mask(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask).collect()),
        other => other.clone(),
    }
}

#[derive(Clone)]
pub struct ApiClient {
    base_url: String,
    api_key: String,
    http: reqwest::Client,
}

impl ApiClient {
    pub fn new(base_url: &str, api_key: &str) -> Result<ApiClient, HarnessError> {
        mw_connectors::http::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| HarnessError::Unexpected(e.to_string()))?;
        Ok(ApiClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            http,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The same client with another API key (for tenant-isolation and auth checks).
    pub fn with_key(&self, api_key: &str) -> ApiClient {
        ApiClient {
            api_key: api_key.to_owned(),
            ..self.clone()
        }
    }

    pub async fn get(&self, path: &str) -> Result<Exchange, HarnessError> {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Exchange, HarnessError> {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Exchange, HarnessError> {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Exchange, HarnessError> {
        self.send_with(method, path, body, &[]).await
    }

    /// A JSON request with extra headers (`Idempotency-Key`, `If-Match`).
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, HarnessError> {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        let content_type = body.map(|_| "application/json");
        let mut exchange = self
            .send_raw(method, path, content_type, bytes, headers)
            .await?;
        exchange.request_body = body.cloned();
        Ok(exchange)
    }

    /// Sends any bytes with any content type, for checks of malformed input.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, HarnessError> {
        let url = format!("{}{path}", self.base_url);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.api_key);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(ct) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, ct);
        }
        let preview = body
            .as_ref()
            .map(|b| Value::String(String::from_utf8_lossy(&b[..b.len().min(2000)]).into_owned()));
        if let Some(b) = body {
            req = req.body(b);
        }
        let http_err = |e: reqwest::Error| HarnessError::Http {
            method: method.to_string(),
            url: url.clone(),
            detail: e.to_string(),
        };
        let response = req.send().await.map_err(http_err)?;
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        let location = header(reqwest::header::LOCATION);
        let response_headers = response.headers().clone();
        let raw_body = response.text().await.map_err(http_err)?;
        let body =
            serde_json::from_str(&raw_body).unwrap_or_else(|_| Value::String(raw_body.clone()));
        Ok(Exchange {
            method: method.to_string(),
            path: path.to_owned(),
            request_body: preview,
            status,
            content_type,
            body,
            raw_body,
            location,
            headers: response_headers,
        })
    }

    /// `POST /v1/connections` with a manifest entry's credentials.
    pub async fn create_connection(
        &self,
        system: &str,
        base_url: &str,
        credentials: &Value,
        settings: Value,
    ) -> Result<Exchange, HarnessError> {
        self.post(
            "/v1/connections",
            &json!({"system": system, "base_url": base_url, "credentials": credentials, "settings": settings}),
        )
        .await
    }

    /// Starts a sync and waits for it to end; returns the start exchange and the final job.
    pub async fn sync(
        &self,
        connection_id: &str,
        body: Value,
    ) -> Result<(Exchange, Exchange), HarnessError> {
        let start = self
            .post(&format!("/v1/connections/{connection_id}/syncs"), &body)
            .await?;
        let Some(id) = start
            .body
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Ok((start.clone(), start));
        };
        // Long-polls; a sync of the built-in profiles ends well within a few rounds.
        for _ in 0..20 {
            let job = self.get(&format!("/v1/syncs/{id}?wait_seconds=30")).await?;
            let state = job.body.get("state").and_then(Value::as_str).unwrap_or("");
            if job.status != 200 || matches!(state, "succeeded" | "failed") {
                return Ok((start, job));
            }
        }
        Err(HarnessError::Unexpected(format!(
            "sync {id} did not end within 10 minutes"
        )))
    }

    /// Every record of an entity, following `next_cursor` with page size `limit`.
    pub async fn list_all(
        &self,
        connection_id: &str,
        entity: &str,
        limit: u32,
        modified_after: Option<&str>,
    ) -> Result<Result<Vec<Value>, Exchange>, HarnessError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/connections/{connection_id}/{entity}?limit={limit}");
            if let Some(m) = modified_after {
                path.push_str(&format!("&modified_after={}", urlencode(m)));
            }
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={}", urlencode(c)));
            }
            let page = self.get(&path).await?;
            if page.status != 200 {
                return Ok(Err(page));
            }
            let data = page.body.get("data").and_then(Value::as_array).cloned();
            let Some(data) = data else {
                return Ok(Err(page));
            };
            out.extend(data);
            match page.body.get("next_cursor").and_then(Value::as_str) {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(Ok(out)),
            }
        }
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_evidence() {
        let body = json!({"system": "sap", "credentials": {"username": "U", "password": "p4ss"}});
        let masked = mask(&body);
        assert_eq!(masked["credentials"]["password"], "***");
        assert_eq!(masked["system"], "sap");
        assert!(!masked.to_string().contains("p4ss"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            urlencode("2026-01-01T00:00:00+01:00"),
            "2026-01-01T00%3A00%3A00%2B01%3A00"
        );
    }
}
