//! Resume cursors, the text every connector's keyset reads hand out: base64url JSON, opaque to
//! callers, safe to store and to resume from in another process.
//!
//! What a cursor holds (a format version, the entity set, object structure or record type it
//! belongs to, the position) and what it must pass before it is trusted are each connector's
//! own. Writing and reading the text, and the error for text that is not a cursor of the read,
//! are the same everywhere and live here: [`ConnectorError::Invalid`] at `$.resume`, never a read
//! from a wrong position.

use crate::ConnectorError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mw_model::FieldError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The text of `cursor`.
pub(crate) fn encode<T: Serialize>(cursor: &T) -> String {
    // Cursors are plain structs of strings and integers, which always serialise; an empty cursor
    // would only be refused on resume, never read as another position.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

/// The cursor that `text` holds. Text that is not base64url is `invalid("not base64url")`; JSON
/// that is not a `T` is `invalid(not_json)`.
pub(crate) fn decode<T: DeserializeOwned>(
    text: &str,
    invalid: impl Fn(&str) -> ConnectorError,
    not_json: &str,
) -> Result<T, ConnectorError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| invalid("not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| invalid(not_json))
}

/// The error for a cursor that is not one of `read` (an entity set, object structure or record
/// type) of `system`'s connector, because of `why`.
pub(crate) fn invalid(system: &str, read: &str, why: &str) -> ConnectorError {
    ConnectorError::Invalid(vec![FieldError::new(
        "$.resume",
        format!("not a cursor of this {system} connector's {read} read: {why}"),
    )])
}
