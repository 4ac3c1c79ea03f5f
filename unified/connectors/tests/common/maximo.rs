//! Maximo as the Maximo tests script it: the connector with API key `k3y`, and Maximo's error
//! body.

use mw_connectors::Connector;
use mw_model::System;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

/// The Maximo connector for the mock `server`, with API key `k3y` and `settings`.
pub(crate) fn maximo_with(server: &MockServer, settings: Value) -> Box<dyn Connector> {
    super::connect_to(System::Maximo, server, json!({"apikey": "k3y"}), settings)
}

/// Maximo's error body for reason code `code`, answered with `status`.
pub(crate) fn maximo_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"Error": {
        "extendedError": {"moreInfo": {"href": format!("oslc/error/messages/{code}")}},
        "reasonCode": code, "message": format!("{code} - {message}"),
        "statusCode": status.to_string()
    }}))
}
