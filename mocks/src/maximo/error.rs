//! Maximo's error answer (reference §1.9): `{"Error":{…,"reasonCode":"BMXAA…E","message":
//! "BMXAA…E - …","statusCode":"400"}}` with the status code as a string, or its namespaced
//! form (`oslc:Error`, `spi:reasonCode`) when the request was not `lean=1`.
//!
//! Every refusal of the emulator goes through here, with the reason codes real servers use.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as JsonValue, json};

/// One refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MaximoError {
    pub(crate) status: StatusCode,
    /// `BMXAA4153E`, or an `oslc#…` protocol code.
    pub(crate) reason: String,
    /// The full message, starting with the reason code for BMXAA codes.
    pub(crate) message: String,
    /// `errorattrname` / `errorobjpath` when a field is at fault.
    pub(crate) attribute: Option<(String, String)>,
}

impl MaximoError {
    /// A BMXAA error: the message is `CODE - text`.
    pub(crate) fn new(status: StatusCode, code: &str, text: impl AsRef<str>) -> Self {
        MaximoError {
            status,
            reason: code.to_owned(),
            message: format!("{code} - {}", text.as_ref()),
            attribute: None,
        }
    }

    /// A protocol error with an `oslc#` reason and a bare message.
    pub(crate) fn protocol(status: StatusCode, reason: &str, message: impl Into<String>) -> Self {
        MaximoError {
            status,
            reason: reason.to_owned(),
            message: message.into(),
            attribute: None,
        }
    }

    /// Names the attribute (and object) at fault.
    pub(crate) fn on(mut self, attribute: &str, object: &str) -> Self {
        self.attribute = Some((attribute.to_owned(), object.to_ascii_lowercase()));
        self
    }

    pub(crate) fn login() -> Self {
        MaximoError::new(
            StatusCode::UNAUTHORIZED,
            "BMXAA7901E",
            "You cannot log in at this time. Contact the system administrator.",
        )
    }

    pub(crate) fn bad_api_key() -> Self {
        MaximoError::new(
            StatusCode::UNAUTHORIZED,
            "BMXAA9549E",
            "The API key token is invalid. Either the token may have expired or the token has been revoked by the administrator.",
        )
    }

    pub(crate) fn not_allowed(status: StatusCode, action: &str, object: &str) -> Self {
        MaximoError::new(
            status,
            "BMXAA0024E",
            format!(
                "The action {action} is not allowed on object {object}. Verify the business rules for the object and define the appropriate action for the object."
            ),
        )
    }

    pub(crate) fn not_found(os: &str, id: &str) -> Self {
        MaximoError::new(
            StatusCode::NOT_FOUND,
            "BMXAA8727E",
            format!(
                "The OSLC resource {os} with the ID {id} was not found as it does not exist in the system. In the database, verify whether the resource for the ID exists."
            ),
        )
    }

    pub(crate) fn syntax(detail: impl AsRef<str>) -> Self {
        MaximoError::new(StatusCode::BAD_REQUEST, "BMXAA8744E", detail)
    }

    pub(crate) fn transaction_exists(id: &str) -> Self {
        MaximoError::new(
            StatusCode::CONFLICT,
            "BMXAA9524E",
            format!(
                "The transaction ID {id} already exists in the OSLC transaction table. The request was not processed again."
            ),
        )
    }

    /// `_rowstamp` or `If-Match` no longer matches: 412 for `If-Match`, 400 for a body rowstamp.
    pub(crate) fn updated_by_another_user(status: StatusCode, object: &str, id: &str) -> Self {
        MaximoError::new(
            status,
            "BMXAA8229W",
            format!(
                "Record {object} : {id} has been updated by another user. Your changes have not been saved. Refresh the record and try again."
            ),
        )
    }

    pub(crate) fn invalid_site(site: &str) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4153E",
            format!(
                "{site} is not a valid site. Enter a valid Site value as defined in the Organization Application."
            ),
        )
    }

    pub(crate) fn invalid_location(location: &str) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA2661E",
            format!("Location {location} is not a valid location."),
        )
    }

    pub(crate) fn invalid_asset(asset: &str) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA0090E",
            format!(
                "Asset {asset} is not a valid asset, or its status is not an operating status."
            ),
        )
    }

    pub(crate) fn not_in_value_list(label: &str, value: &str) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4190E",
            format!("{label} {value} is not in the value list."),
        )
    }

    pub(crate) fn required(label: &str, object: &str) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4195E",
            format!("A value is required for the {label} field on the {object} object."),
        )
    }

    pub(crate) fn already_exists(object: &str, keys: &str) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4129E",
            format!(
                "Record already exists for {object}: {keys}. Ensure that the key value for the given record is unique."
            ),
        )
    }

    pub(crate) fn too_long(value: &str, limit: usize) -> Self {
        MaximoError::new(
            StatusCode::BAD_REQUEST,
            "BMXAA4049E",
            format!("The value specified {value} exceeds the maximum field length of {limit}."),
        )
    }

    /// A fault plan's refusal with `status`. Maximo has no throttling or outage message of its
    /// own in the reference, so beyond the login (401) and not-found (404) codes it uses
    /// `BMXAA6713E`, the generic code of a failed MBO operation.
    pub(crate) fn fault(status: StatusCode, message: &str) -> Self {
        let code = match status.as_u16() {
            401 => "BMXAA7901E",
            404 => "BMXAA8727E",
            _ => "BMXAA6713E",
        };
        MaximoError::new(status, code, message)
    }

    /// The JSON body, lean or namespaced.
    pub(crate) fn body(&self, lean: bool) -> JsonValue {
        let more_info = format!("oslc/error/messages/{}", self.reason);
        let status = self.status.as_u16().to_string();
        if lean {
            let mut error = json!({
                "extendedError": { "moreInfo": { "href": more_info } },
                "reasonCode": self.reason,
                "message": self.message,
                "statusCode": status,
                "correlationid": null,
            });
            if let (Some((attribute, object)), Some(map)) = (&self.attribute, error.as_object_mut())
            {
                map.insert(String::from("errorattrname"), json!(attribute));
                map.insert(String::from("errorobjpath"), json!(object));
            }
            json!({ "Error": error })
        } else {
            let mut error = json!({
                "oslc:extendedError": { "oslc:moreInfo": { "rdf:resource": more_info } },
                "spi:reasonCode": self.reason,
                "oslc:message": self.message,
                "oslc:statusCode": status,
            });
            if let (Some((attribute, object)), Some(map)) = (&self.attribute, error.as_object_mut())
            {
                map.insert(String::from("spi:errorattrname"), json!(attribute));
                map.insert(String::from("spi:errorobjpath"), json!(object));
            }
            json!({ "oslc:Error": error })
        }
    }

    pub(crate) fn response(&self, lean: bool) -> Response {
        let mut response = (self.status, axum::Json(self.body(lean))).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lean_and_namespaced_bodies() {
        let error = MaximoError::invalid_site("XX").on("siteid", "ASSET");
        let lean = error.body(true);
        assert_eq!(lean["Error"]["reasonCode"], "BMXAA4153E");
        assert_eq!(lean["Error"]["statusCode"], "400");
        assert_eq!(lean["Error"]["errorattrname"], "siteid");
        assert!(
            lean["Error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("BMXAA4153E - XX is not a valid site"))
        );
        let namespaced = error.body(false);
        assert_eq!(namespaced["oslc:Error"]["spi:reasonCode"], "BMXAA4153E");
    }
}
