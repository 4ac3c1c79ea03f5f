//! SAP Gateway's OData v2 error envelope.
//!
//! Every refusal — a bad `$filter`, an unknown segment, a business validation — answers with
//! `{"error":{"code","message":{"lang","value"},"innererror":{..}}}` as SAP Gateway does
//! (reference §5.1), so a connector's error mapping is exercised against the real shape:
//! T100-style codes (`06/027`), framework codes (`/IWBEP/CM_MGW_RT/020`), `errordetails` with
//! the `/IWBEP/CX_MGW_BUSI_EXCEPTION` noise entry that real business errors carry.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::json::Json;

/// Code of the framework entry SAP appends to business errors' `errordetails`.
const BUSINESS_EXCEPTION: &str = "/IWBEP/CX_MGW_BUSI_EXCEPTION";

/// One message of `errordetails`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorDetail {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) target: String,
}

/// A refusal in SAP's terms; rendered by [`ODataError::into_response`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ODataError {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) target: String,
    /// Business errors carry their messages in `errordetails`; framework errors do not.
    pub(crate) business: bool,
    pub(crate) details: Vec<ErrorDetail>,
}

impl ODataError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ODataError {
            status,
            code: code.to_owned(),
            message: message.into(),
            target: String::new(),
            business: false,
            details: Vec::new(),
        }
    }

    /// `/IWBEP/CM_MGW_RT/020`: the path names something that does not exist.
    pub(crate) fn resource_not_found(segment: &str) -> Self {
        let mut error = ODataError::new(
            StatusCode::NOT_FOUND,
            "/IWBEP/CM_MGW_RT/020",
            format!("Resource not found for segment '{segment}'"),
        );
        error.business = true;
        error
    }

    /// A malformed request (syntax, types, unknown properties): `/IWCOR/CX_OD_BAD_REQUEST`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ODataError::new(StatusCode::BAD_REQUEST, "/IWCOR/CX_OD_BAD_REQUEST", message)
    }

    /// A `$filter`, `$orderby` or other query expression SAP's URI parser rejects.
    pub(crate) fn invalid_expression(message: impl Into<String>) -> Self {
        ODataError::new(
            StatusCode::BAD_REQUEST,
            "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR",
            message,
        )
    }

    /// A system query option that is unknown or not allowed for this request.
    pub(crate) fn query_option_not_allowed(message: impl Into<String>) -> Self {
        ODataError::new(StatusCode::BAD_REQUEST, "/IWBEP/CM_MGW_RT/022", message)
    }

    /// A business validation error (HTTP 400 by default, as `/IWBEP/CX_MGW_BUSI_EXCEPTION`).
    pub(crate) fn business(code: &str, message: impl Into<String>, target: &str) -> Self {
        let message = message.into();
        ODataError {
            status: StatusCode::BAD_REQUEST,
            code: code.to_owned(),
            message: message.clone(),
            target: target.to_owned(),
            business: true,
            details: vec![ErrorDetail {
                code: code.to_owned(),
                message,
                target: target.to_owned(),
            }],
        }
    }

    pub(crate) fn method_not_allowed(message: impl Into<String>) -> Self {
        ODataError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "/IWCOR/CX_OD_METHD_NOT_ALLOWED",
            message,
        )
    }

    pub(crate) fn not_acceptable(message: impl Into<String>) -> Self {
        ODataError::new(
            StatusCode::NOT_ACCEPTABLE,
            "/IWCOR/CX_OD_NOT_ACCEPTABLE",
            message,
        )
    }

    pub(crate) fn unsupported_media_type(message: impl Into<String>) -> Self {
        ODataError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "/IWCOR/CX_OD_UNSUPP_MEDIA_TYPE",
            message,
        )
    }

    pub(crate) fn forbidden(code: &str, message: impl Into<String>) -> Self {
        let mut error = ODataError::new(StatusCode::FORBIDDEN, code, message);
        error.business = true;
        error.details.push(ErrorDetail {
            code: code.to_owned(),
            message: error.message.clone(),
            target: String::new(),
        });
        error
    }

    /// Renders the envelope. `context` supplies what SAP stamps on every error.
    pub(crate) fn into_response(self, context: &ErrorContext<'_>) -> Response {
        let body = self.envelope(context).render();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        // SAP Gateway labels error bodies as OData 1.0 even on v2 services.
        headers.insert("dataserviceversion", HeaderValue::from_static("1.0"));
        response
    }

    pub(crate) fn envelope(&self, context: &ErrorContext<'_>) -> Json {
        let mut message = Json::object();
        message.push("lang", Json::string("en"));
        message.push("value", Json::string(self.message.clone()));

        let mut application = Json::object();
        application.push("component_id", Json::string(context.component_id));
        application.push("service_namespace", Json::string("/SAP/"));
        application.push("service_id", Json::string(context.service_id));
        application.push("service_version", Json::string(context.service_version));

        let mut resolution = Json::object();
        resolution.push(
            "SAP_Transaction",
            Json::string(
                "For backend administrators: use ADT feed reader \"SAP Gateway Error Log\" or run \
                 transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries \
                 with the timestamp above for more details",
            ),
        );
        resolution.push(
            "SAP_Note",
            Json::string(
                "See SAP Note 1797736 for error analysis \
                 (https://service.sap.com/sap/support/notes/1797736)",
            ),
        );

        let mut details = Vec::new();
        for detail in &self.details {
            details.push(detail_json(&detail.code, &detail.message, &detail.target));
        }
        if self.business {
            details.push(detail_json(BUSINESS_EXCEPTION, &self.message, ""));
        }

        let mut inner = Json::object();
        inner.push("application", application);
        inner.push(
            "transactionid",
            Json::string(context.transaction_id.clone()),
        );
        inner.push("timestamp", Json::string(context.timestamp.clone()));
        inner.push("Error_Resolution", resolution);
        inner.push("errordetails", Json::Array(details));
        if let Some(url) = longtext_url(&self.code) {
            inner.push("longtext_url", Json::string(url));
        }

        let mut error = Json::object();
        error.push("code", Json::string(self.code.clone()));
        error.push("message", message);
        error.push("innererror", inner);
        let mut root = Json::object();
        root.push("error", error);
        root
    }
}

fn detail_json(code: &str, message: &str, target: &str) -> Json {
    let mut entry = Json::object();
    entry.push("ContentID", Json::string(""));
    entry.push("code", Json::string(code));
    entry.push("message", Json::string(message));
    entry.push(
        "longtext_url",
        Json::string(longtext_url(code).unwrap_or_default()),
    );
    entry.push("propertyref", Json::string(""));
    entry.push("severity", Json::string("error"));
    entry.push("target", Json::string(target));
    entry.push("transition", Json::Bool(false));
    entry
}

/// SAP's T100 long-text link for `<class>/<number>` codes; exception-class codes have none.
fn longtext_url(code: &str) -> Option<String> {
    let (class, number) = code.rsplit_once('/')?;
    if class.is_empty() || number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let class = class.replace('/', "%2F");
    Some(format!(
        "/sap/opu/odata/iwbep/message_text/T100_longtexts(MSGID='{class}',MSGNO='{number}',\
         MESSAGE_V1='',MESSAGE_V2='',MESSAGE_V3='',MESSAGE_V4='')/$value"
    ))
}

/// What SAP stamps on every error of a service: where it came from and when.
#[derive(Clone, Debug)]
pub(crate) struct ErrorContext<'a> {
    pub(crate) service_id: &'a str,
    pub(crate) service_version: &'a str,
    pub(crate) component_id: &'a str,
    /// 32 upper-case hex digits, as SAP's transaction ids.
    pub(crate) transaction_id: String,
    /// `yyyyMMddHHmmss.fffffff` of the virtual clock.
    pub(crate) timestamp: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ErrorContext<'static> {
        ErrorContext {
            service_id: "API_PURCHASEORDER_PROCESS_SRV",
            service_version: "0001",
            component_id: "MM-PUR-PO",
            transaction_id: String::from("00000000000000000000000000000001"),
            timestamp: String::from("20260302080000.0000000"),
        }
    }

    #[test]
    fn business_errors_carry_their_message_and_the_framework_entry() {
        let error = ODataError::business("06/027", "Supplier 1 has not been created", "Supplier");
        let body: serde_json::Value =
            serde_json::from_str(&error.envelope(&context()).render()).expect("json");
        assert_eq!(body["error"]["code"], "06/027");
        assert_eq!(body["error"]["message"]["lang"], "en");
        let details = body["error"]["innererror"]["errordetails"]
            .as_array()
            .expect("array");
        assert_eq!(details.len(), 2);
        assert_eq!(details[0]["target"], "Supplier");
        assert_eq!(details[1]["code"], BUSINESS_EXCEPTION);
        assert_eq!(
            body["error"]["innererror"]["application"]["service_id"],
            "API_PURCHASEORDER_PROCESS_SRV"
        );
    }

    #[test]
    fn longtext_urls_only_for_message_numbers() {
        assert!(
            longtext_url("/IWBEP/CM_MGW_RT/020")
                .is_some_and(|u| u.contains("%2FIWBEP%2FCM_MGW_RT"))
        );
        assert!(longtext_url("/IWCOR/CX_OD_BAD_REQUEST").is_none());
    }
}
