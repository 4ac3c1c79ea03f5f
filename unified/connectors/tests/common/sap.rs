//! SAP Gateway as the SAP tests script it: the connector logged on as `ALICE`, JSON written the
//! way Gateway writes it, OData v2 pages and SAP's error body.

use mw_connectors::Connector;
use mw_model::System;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

/// The Basic credentials every SAP test logs on with.
pub(crate) fn alice() -> Value {
    json!({"username": "ALICE", "password": "s3cret"})
}

/// The SAP connector for the mock `server`, logged on as [`alice`], with `settings`.
pub(crate) fn sap_with(server: &MockServer, settings: Value) -> Box<dyn Connector> {
    super::connect_to(System::Sap, server, alice(), settings)
}

/// JSON as SAP Gateway writes it: the slashes of `/Date(…)/` escaped.
pub(crate) fn sap_json(value: &Value) -> ResponseTemplate {
    let text = value
        .to_string()
        .replace("\"/Date(", "\"\\/Date(")
        .replace(")/\"", ")\\/\"");
    ResponseTemplate::new(200).set_body_raw(text, "application/json")
}

/// An OData v2 page of `records`, with `__count` and `__next` when given.
pub(crate) fn page(records: &[Value], count: Option<&str>, next: Option<&str>) -> Value {
    let mut d = json!({"results": records});
    if let Some(count) = count {
        d["__count"] = json!(count);
    }
    if let Some(next) = next {
        d["__next"] = json!(next);
    }
    json!({"d": d})
}

/// An OData v2 page of `records` without `__next`.
pub(crate) fn page_of(records: &[Value], count: Option<&str>) -> Value {
    page(records, count, None)
}

/// SAP Gateway's error body for message `code`, with its `errordetails` as Gateway adds them.
pub(crate) fn sap_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": {"lang": "en", "value": message},
        "innererror": {"transactionid": "D25C6A8CF4D30020E0067DD0610AFCCA",
            "errordetails": [{"code": code, "message": message, "severity": "error", "target": ""},
                             {"code": "/IWBEP/CX_MGW_BUSI_EXCEPTION", "message": message, "severity": "error"}]}}})
}
