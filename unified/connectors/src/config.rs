//! Reading a connection's configuration ([`crate::ConnectorConfig`]) the way every connector
//! does: the base URL, and the optional text fields of `credentials`. What a system needs beyond
//! that (its settings, which credentials go together) is its own module's; every problem is a
//! [`FieldError`] with its JSON path, so that a connector can report all of them at once.

use mw_model::FieldError;
use reqwest::Url;
use serde_json::{Map, Value};

/// The connection's `base_url`: an absolute http(s) URL of the host root, a path prefix kept. One
/// with a query or fragment is refused with `no_query`, which says what to give instead.
pub(crate) fn base_url(text: &str, no_query: &str) -> Result<Url, FieldError> {
    let invalid = |why: &str| FieldError::new("$.base_url", why);
    let url = Url::parse(text.trim()).map_err(|_| invalid("must be an absolute http(s) URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("must be an absolute http(s) URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(no_query));
    }
    Ok(url)
}

/// The credential `name` of `fields` (the object at `$.credentials`) as given, untrimmed: a
/// secret is taken as it is. Absent, `null` or blank is `None`; anything but a string is `None`
/// and an error at `$.credentials.<name>`.
pub(crate) fn credential(
    fields: &Map<String, Value>,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match fields.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::new(
                format!("$.credentials.{name}"),
                "must be a string",
            ));
            None
        }
    }
}
