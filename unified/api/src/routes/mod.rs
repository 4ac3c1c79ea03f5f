//! The router: every route, the request-id middleware, and problem+json for unknown routes.

mod connections;
mod events;
mod meta;
mod records;
mod syncs;
mod writes;

use crate::AppState;
use crate::error::{ApiError, REQUEST_ID};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use uuid::Uuid;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(meta::healthz))
        .route("/openapi.json", get(meta::openapi))
        .route("/metrics", get(meta::metrics))
        .route(
            "/v1/connections",
            get(connections::list).post(connections::create),
        )
        .route(
            "/v1/connections/{id}",
            get(connections::get).delete(connections::delete),
        )
        .route(
            "/v1/connections/{id}/capabilities",
            get(connections::capabilities),
        )
        .route(
            "/v1/connections/{id}/syncs",
            get(syncs::list).post(syncs::start),
        )
        .route("/v1/syncs/{id}", get(syncs::get))
        .route("/v1/events", get(events::list))
        .route(
            "/v1/connections/{id}/{entity}",
            get(records::list).post(writes::create),
        )
        .route(
            "/v1/connections/{id}/{entity}/{record}",
            get(records::get)
                .patch(writes::update)
                .delete(writes::delete),
        )
        .route(
            "/v1/connections/{id}/{entity}/{record}/status",
            post(writes::change_status),
        )
        .fallback(|| async { ApiError::not_found("route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method",
            )
        })
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context,
        ))
        .with_state(state)
}

/// Gives every request an id (echoed as `x-request-id` and in problem bodies) and counts it.
async fn request_context(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let id = Uuid::now_v7().to_string();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    state.metrics.record(response.status());
    tracing::debug!(%method, %path, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, request_id = %id);
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Parses a path id; a malformed id is reported exactly like an unknown one.
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request as HttpRequest;
    use tower::ServiceExt;

    async fn app() -> (Router, String, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("mw-api-{}", Uuid::new_v4()));
        let store = mw_store::Store::open(mw_store::StoreOptions {
            path: dir.join("api.db"),
            secret_key: Some([9; 32]),
        })
        .await
        .unwrap();
        store.create_tenant("t", "key").await.unwrap();
        let factory: mw_sync::ConnectorFactory =
            std::sync::Arc::new(|_, _| Ok(Box::new(Unreachable::everything())));
        let runner = mw_sync::Runner::new(store, factory, Default::default());
        (router(AppState::new(runner)), "key".into(), dir)
    }

    /// A connector that offers every operation on every entity and reaches nothing: the requests
    /// these tests send must be refused before a connector would be asked.
    struct Unreachable(mw_connectors::Capabilities);

    impl Unreachable {
        fn everything() -> Unreachable {
            use mw_connectors::{ChangeTracking, EntityCapability, Operation};
            Unreachable(mw_connectors::Capabilities {
                entities: mw_model::Entity::ALL
                    .into_iter()
                    .map(|entity| EntityCapability {
                        entity,
                        read: true,
                        change_tracking: ChangeTracking::Timestamp,
                        operations: vec![
                            Operation::Create,
                            Operation::Update,
                            Operation::Delete,
                            Operation::UpdateStatus,
                            Operation::Adjust,
                        ],
                        optimistic_concurrency: true,
                        note: None,
                    })
                    .collect(),
            })
        }
    }

    fn unreachable() -> mw_connectors::ConnectorError {
        mw_connectors::ConnectorError::Unavailable {
            detail: "test connector reaches nothing".into(),
            upstream: None,
        }
    }

    #[async_trait::async_trait]
    impl mw_connectors::Connector for Unreachable {
        fn system(&self) -> mw_model::System {
            mw_model::System::Sap
        }
        fn capabilities(&self) -> &mw_connectors::Capabilities {
            &self.0
        }
        async fn verify(&self) -> Result<mw_connectors::SourceInfo, mw_connectors::ConnectorError> {
            Err(unreachable())
        }
        async fn read_page(
            &self,
            _: mw_model::Entity,
            _: &mw_connectors::PageQuery,
        ) -> Result<mw_connectors::Page, mw_connectors::ConnectorError> {
            Err(unreachable())
        }
        async fn get(
            &self,
            _: mw_model::Entity,
            _: &str,
        ) -> Result<mw_model::RemoteRecord, mw_connectors::ConnectorError> {
            Err(unreachable())
        }
        async fn create(
            &self,
            _: &mw_model::NewRecord,
        ) -> Result<mw_model::RemoteRecord, mw_connectors::ConnectorError> {
            Err(unreachable())
        }
    }

    async fn call(
        app: &Router,
        method: &str,
        path: &str,
        key: Option<&str>,
    ) -> (StatusCode, serde_json::Value, String) {
        request(app, method, path, key, None, b"").await
    }

    async fn send(
        app: &Router,
        method: &str,
        path: &str,
        content_type: &str,
        body: &'static [u8],
    ) -> (StatusCode, serde_json::Value, String) {
        request(app, method, path, Some("key"), Some(content_type), body).await
    }

    /// One request through the router: the status, the JSON body and the content type.
    async fn request(
        app: &Router,
        method: &str,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: &'static [u8],
    ) -> (StatusCode, serde_json::Value, String) {
        let mut req = HttpRequest::builder().method(method).uri(path);
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or_default();
        (status, json, ct)
    }

    #[tokio::test]
    async fn every_documented_operation_is_routed() {
        let (app, key, dir) = app().await;
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).unwrap();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            let concrete = path
                .replace("{id}", "0190f2a4-0000-7000-8000-000000000001")
                .replace("{entity}", "purchase-orders")
                .replace("{record}", "x");
            for method in ["get", "post", "patch", "delete"] {
                if item.get(method).is_none() {
                    continue;
                }
                operations += 1;
                let (status, body, _) =
                    call(&app, &method.to_uppercase(), &concrete, Some(&key)).await;
                let unrouted = status == StatusCode::METHOD_NOT_ALLOWED
                    || (status == StatusCode::NOT_FOUND && body["detail"] == "route not found");
                assert!(
                    !unrouted,
                    "{method} {path} is documented but not routed: {status} {body}"
                );
            }
        }
        assert!(operations >= 15, "{operations}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn refusals_are_problem_json_with_a_request_id() {
        let (app, key, dir) = app().await;
        let cases = [
            (
                "GET",
                "/v1/connections",
                None,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            ),
            (
                "GET",
                "/v1/connections",
                Some("wrong"),
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            ),
            (
                "GET",
                "/v1/nothing",
                Some(key.as_str()),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                "PUT",
                "/v1/connections",
                Some(key.as_str()),
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            ),
            (
                "GET",
                "/v1/connections/not-a-uuid",
                Some(key.as_str()),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                "GET",
                "/v1/syncs/0190f2a4-0000-7000-8000-000000000001?wait_seconds=99",
                Some(key.as_str()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            ),
            (
                "GET",
                "/v1/syncs/0190f2a4-0000-7000-8000-000000000001?colour=red",
                Some(key.as_str()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            ),
        ];
        for (method, path, key, status, code) in cases {
            let (got, body, ct) = call(&app, method, path, key).await;
            assert_eq!(
                (got, body["code"].as_str()),
                (status, Some(code)),
                "{method} {path}: {body}"
            );
            assert_eq!(ct, "application/problem+json", "{method} {path}");
            assert!(body["request_id"].is_string(), "{method} {path}: {body}");
            assert_eq!(body["status"], status.as_u16());
        }
        let (ok, body, _) = call(&app, "GET", "/healthz", None).await;
        assert_eq!((ok, body["status"].as_str()), (StatusCode::OK, Some("ok")));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn bad_bodies_on_every_endpoint_get_a_clear_4xx_and_change_nothing() {
        let (app, _, dir) = app().await;
        // A connection stored directly, pointing nowhere: bad bodies must be refused before any
        // request would leave.
        let store = mw_store::Store::open(mw_store::StoreOptions {
            path: dir.join("api.db"),
            secret_key: Some([9; 32]),
        })
        .await
        .unwrap();
        let tenant = store.tenant_for_key("key").await.unwrap().unwrap();
        let conn = store
            .insert_connection(mw_store::NewConnection {
                tenant_id: tenant.id,
                system: mw_model::System::Sap,
                base_url: "http://127.0.0.1:9".into(),
                credentials: serde_json::json!({"username": "U", "password": "P"}),
                settings: serde_json::json!({}),
            })
            .await
            .unwrap();
        let c = conn.id;
        let endpoints = [
            ("POST", "/v1/connections".to_owned(), true),
            ("POST", format!("/v1/connections/{c}/syncs"), false),
            ("POST", format!("/v1/connections/{c}/purchase-orders"), true),
            (
                "PATCH",
                format!("/v1/connections/{c}/purchase-orders/4500000001"),
                true,
            ),
            (
                "POST",
                format!("/v1/connections/{c}/work-orders/4000001/status"),
                true,
            ),
        ];
        let cases: [(&str, &[u8], u16, &str); 7] = [
            ("application/json", b"{\"system\": ", 400, "malformed_json"),
            ("application/json", b"[1,", 400, "malformed_json"),
            ("text/plain", b"{}", 415, "unsupported_media_type"),
            (
                "application/json",
                b"{\"colour\": \"red\"}",
                422,
                "validation_failed",
            ),
            (
                "application/json",
                b"{\"mode\": 7, \"system\": 7, \"vendor_remote_id\": 7}",
                422,
                "validation_failed",
            ),
            ("application/json", b"7", 422, "validation_failed"),
            ("application/json", b"null", 422, "validation_failed"),
        ];
        for (method, path, body_required) in &endpoints {
            for (ct, body, status, code) in cases {
                if !body_required && body == b"null" {
                    continue;
                }
                let (got, problem, got_ct) = send(&app, method, path, ct, body).await;
                assert_eq!(
                    (got.as_u16(), problem["code"].as_str()),
                    (status, Some(code)),
                    "{method} {path} {ct} {}: {problem}",
                    String::from_utf8_lossy(body)
                );
                assert_eq!(got_ct, "application/problem+json");
                if status == 422 && code == "validation_failed" {
                    assert!(
                        problem["errors"][0]["path"]
                            .as_str()
                            .is_some_and(|p| p.starts_with('$')),
                        "{problem}"
                    );
                }
            }
            if *body_required {
                let (got, problem, _) = send(&app, method, path, "application/json", b"").await;
                assert_eq!(got, StatusCode::BAD_REQUEST, "{path}: {problem}");
            }
        }
        let big: &'static [u8] =
            Box::leak(vec![b' '; crate::MAX_BODY_BYTES + 10].into_boxed_slice());
        let (got, problem, _) =
            send(&app, "POST", "/v1/connections", "application/json", big).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
        );
        // Nothing was stored: one connection, no sync jobs, no records.
        assert_eq!(store.list_connections(tenant.id).await.unwrap().len(), 1);
        assert!(store.sync_jobs_of(c, 10).await.unwrap().is_empty());
        assert_eq!(
            store
                .count_records(c, mw_model::Entity::PurchaseOrders)
                .await
                .unwrap(),
            0
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
