//! Resume cursors of the keyset reads that do not fit the one-timestamp-one-key shape of
//! `client::read_changes`: suppliers (a date, a time and the business partner) and stock (eleven
//! key fields, no stamp at all).
//!
//! A cursor is base64url JSON of `{"v":…, "set":…, <position>}`: opaque to callers, safe to store
//! and to resume from in another process. One of another entity set or format version is refused
//! as [`ConnectorError::Invalid`] at `$.resume` rather than read as a wrong position.

use crate::{ConnectorError, cursor};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The format version of every cursor written here.
const VERSION: u8 = 1;

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    v: u8,
    set: String,
    #[serde(flatten)]
    at: T,
}

/// The cursor text of position `at` in entity set `set`.
pub(crate) fn encode<T: Serialize>(set: &str, at: T) -> String {
    let envelope = Envelope {
        v: VERSION,
        set: set.to_owned(),
        at,
    };
    cursor::encode(&envelope)
}

/// The position a cursor of `set` holds.
pub(crate) fn decode<T: DeserializeOwned>(text: &str, set: &str) -> Result<T, ConnectorError> {
    let invalid = |why: &str| cursor::invalid("SAP", set, why);
    let envelope: Envelope<T> = cursor::decode(text, invalid, "not a position of this read")?;
    if envelope.v != VERSION {
        return Err(invalid("unknown version"));
    }
    if envelope.set != set {
        return Err(invalid("it belongs to another entity set"));
    }
    Ok(envelope.at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct At {
        key: Vec<String>,
    }

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let at = At {
            key: vec!["FG'29".into(), String::new()],
        };
        let text = encode("A_MatlStkInAcctMod", &at);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode::<At>(&text, "A_MatlStkInAcctMod").unwrap(), at);
        assert!(decode::<At>(&text, "A_BusinessPartner").is_err());
        assert!(decode::<At>("not a cursor!", "A_MatlStkInAcctMod").is_err());
        assert!(decode::<At>("e30", "A_MatlStkInAcctMod").is_err());
        let future = URL_SAFE_NO_PAD.encode(br#"{"v":9,"set":"A_MatlStkInAcctMod","key":[]}"#);
        assert!(decode::<At>(&future, "A_MatlStkInAcctMod").is_err());
    }
}
