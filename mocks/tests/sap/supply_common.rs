//! Test support for the supply services (`API_BUSINESS_PARTNER`, `API_MATERIAL_STOCK_SRV`,
//! `API_MATERIAL_DOCUMENT_SRV`): requests against any service root, with the manifest's user.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Csrf, Emulator};

pub(crate) const BP_ROOT: &str = "/sap/opu/odata/sap/API_BUSINESS_PARTNER/";
pub(crate) const STOCK_ROOT: &str = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/";
pub(crate) const DOC_ROOT: &str = "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/";

/// `resource` below the service `root`.
pub(crate) fn url(emulator: &Emulator, root: &str, resource: &str) -> String {
    format!("{}{root}{resource}", emulator.running.base_url)
}

/// A GET with JSON accepted: status and body (a JSON string when the body is not JSON).
pub(crate) async fn get(emulator: &Emulator, root: &str, resource: &str) -> (StatusCode, Value) {
    let response = emulator
        .request(Method::GET, &url(emulator, root, resource))
        .send()
        .await
        .expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A write with a CSRF token and a JSON body: status and body as JSON.
pub(crate) async fn write(
    emulator: &Emulator,
    csrf: &Csrf,
    method: Method,
    root: &str,
    resource: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = emulator
        .request(method, &url(emulator, root, resource))
        .headers(Emulator::write_headers(csrf));
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.expect("write");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Every row of a collection, following `__next`.
pub(crate) async fn all_rows(emulator: &Emulator, root: &str, resource: &str) -> Vec<Value> {
    let mut next = url(emulator, root, resource);
    let mut rows = Vec::new();
    for _ in 0..10_000 {
        let response = emulator
            .request(Method::GET, &next)
            .send()
            .await
            .expect("page");
        assert_eq!(response.status(), StatusCode::OK, "{next}");
        let body: Value = response.json().await.expect("json");
        rows.extend(body["d"]["results"].as_array().cloned().unwrap_or_default());
        match body["d"]["__next"].as_str() {
            Some(link) => next = link.to_owned(),
            None => return rows,
        }
    }
    panic!("paging does not end");
}

/// The `error.code` and the first `errordetails` code of an SAP error body.
pub(crate) fn codes(body: &Value) -> (String, String) {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    (
        text(&body["error"]["code"]),
        text(&body["error"]["innererror"]["errordetails"][0]["code"]),
    )
}
