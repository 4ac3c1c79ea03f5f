//! Resource ids ("rest ids") as Maximo builds them (reference §1.2): `_` followed by the
//! standard base64 of the key values joined by `/`, every `=` padding character replaced by
//! `-` (`_QkVERk9SRC8xMDAw` is `BEDFORD/1000`). The numeric unique id (`workorderid`) is
//! accepted in its place, as real servers do.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

/// How a member was named in a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MemberId {
    /// The key values, in rest-id order.
    Keys(Vec<String>),
    /// The numeric unique id.
    Unique(i64),
}

/// The rest id of a record with these key values.
pub(crate) fn encode<S: AsRef<str>>(keys: &[S]) -> String {
    let joined = keys
        .iter()
        .map(|key| key.as_ref())
        .collect::<Vec<_>>()
        .join("/");
    format!("_{}", STANDARD.encode(joined).replace('=', "-"))
}

/// Reads a member segment: a rest id with exactly `parts` key values, or a unique id.
/// Anything else (bad base64, wrong number of keys, not UTF-8) is `None`.
pub(crate) fn decode(segment: &str, parts: usize) -> Option<MemberId> {
    if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
        return segment.parse().ok().map(MemberId::Unique);
    }
    let encoded = segment.strip_prefix('_')?.replace('-', "=");
    // Standard base64 is what Maximo writes; a URL-safe spelling is read too, since clients
    // that build ids themselves sometimes pick that alphabet.
    let bytes = STANDARD
        .decode(&encoded)
        .or_else(|_| URL_SAFE.decode(&encoded))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let keys: Vec<String> = text.split('/').map(str::to_owned).collect();
    (keys.len() == parts && keys.iter().all(|key| !key.is_empty())).then_some(MemberId::Keys(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibm_examples_decode() {
        for (id, text, parts) in [
            ("_QTYwMDIvRkxFRVQ-", "A6002/FLEET", 2),
            ("_TDEyNTEwL0xBUkVETw--", "L12510/LAREDO", 2),
            ("_QkVERk9SRC8xMDAw", "BEDFORD/1000", 2),
            ("_MTAxNy8wL0JFREZPUkQ-", "1017/0/BEDFORD", 3),
        ] {
            let keys: Vec<String> = text.split('/').map(str::to_owned).collect();
            assert_eq!(decode(id, parts), Some(MemberId::Keys(keys.clone())));
            assert_eq!(encode(&keys), id);
        }
        assert_eq!(decode("60", 2), Some(MemberId::Unique(60)));
        assert_eq!(decode("_QkVERk9SRC8xMDAw", 3), None);
        assert_eq!(decode("QkVERk9SRC8xMDAw", 2), None);
        assert_eq!(decode("_!!!", 2), None);
        assert_eq!(decode("", 2), None);
        assert_eq!(decode("99999999999999999999999", 2), None);
    }
}
