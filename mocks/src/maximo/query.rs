//! Query parameters of OSLC requests (reference §1.4): decoding, flags, `oslc.orderBy`.
//!
//! Values are decoded as forms are: `+` becomes a space, then percent-escapes are resolved. So
//! an unencoded `oslc.orderBy=+changedate` arrives as ` changedate` and is refused for lacking
//! its sign, and an unencoded `+00:00` offset in a date breaks the date, exactly the trap
//! real clients fall into (reference: "`+` must be URL-encoded").

use super::error::MaximoError;
use super::schema::OsDef;

/// The decoded parameters, and the raw pairs for echoing in `responseInfo` links.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
    raw: Vec<(String, String)>,
}

fn decode(text: &str) -> Result<String, MaximoError> {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| {
            MaximoError::syntax(format!(
                "The query parameter {text:?} is not valid UTF-8 after decoding."
            ))
        })
}

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Params, MaximoError> {
        let mut params = Params::default();
        for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.pairs.push((decode(name)?, decode(value)?));
            params.raw.push((name.to_owned(), value.to_owned()));
        }
        Ok(params)
    }

    /// The decoded pairs, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// A parameter by name (names compared without regard to case, as Maximo does).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A `1`/`true` flag.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim() == "1" || v.trim().eq_ignore_ascii_case("true"))
    }

    /// `lean=1`; the historic default is the namespaced form.
    pub(crate) fn lean(&self) -> bool {
        self.flag("lean")
    }

    /// The raw query with `pageno` replaced by `page` (first, as Maximo writes it).
    pub(crate) fn with_page(&self, page: u64) -> String {
        let mut parts = vec![format!("pageno={page}")];
        parts.extend(
            self.raw
                .iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("pageno"))
                .map(|(name, value)| format!("{name}={value}")),
        );
        parts.join("&")
    }

    /// The raw query as received.
    pub(crate) fn raw_query(&self) -> String {
        self.raw
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// A positive integer parameter.
    pub(crate) fn positive(&self, name: &str) -> Result<Option<u64>, MaximoError> {
        match self.get(name) {
            None => Ok(None),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(value) if value > 0 => Ok(Some(value)),
                _ => Err(MaximoError::syntax(format!(
                    "Encountered \"{text}\" for the parameter {name}. Was expecting a positive integer."
                ))),
            },
        }
    }
}

/// `oslc.orderBy=-attr1,+attr2`: every attribute of the main object with its sign.
pub(crate) fn parse_order(text: &str, os: &OsDef) -> Result<Vec<(usize, bool)>, MaximoError> {
    let mut order = Vec::new();
    let mut column = 1;
    for item in text.split(',') {
        let trimmed = item.trim();
        let (ascending, name) = match trimmed.chars().next() {
            Some('+') => (true, &trimmed[1..]),
            Some('-') => (false, &trimmed[1..]),
            _ => {
                return Err(MaximoError::syntax(format!(
                    "Encountered \"{trimmed}\" at line 1, column {column}. Was expecting <SORT_ORDER_SIGN>."
                )));
            }
        };
        let attr = os.mbo.attr(name.trim()).ok_or_else(|| {
            MaximoError::syntax(format!(
                "Encountered \"{}\" at line 1, column {}. The attribute is not defined for the object structure {}.",
                name.trim(),
                column + 1,
                os.name
            ))
        })?;
        if !order.iter().any(|(a, _)| *a == attr) {
            order.push((attr, ascending));
        }
        column += item.chars().count() + 1;
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::schema::{MXAPIWODETAIL, wo};

    #[test]
    fn plus_is_a_space_unless_encoded() {
        let params = Params::parse(Some(
            "oslc.orderBy=%2Bchangedate,-wonum&lean=1&x=a+b&pageno=3",
        ))
        .expect("parses");
        assert!(params.lean());
        assert_eq!(params.get("OSLC.ORDERBY"), Some("+changedate,-wonum"));
        assert_eq!(params.get("x"), Some("a b"));
        assert_eq!(
            parse_order(
                params.get("oslc.orderBy").unwrap_or_default(),
                &MXAPIWODETAIL
            ),
            Ok(vec![(wo::CHANGEDATE, true), (wo::WONUM, false)])
        );
        assert_eq!(
            params.with_page(4),
            "pageno=4&oslc.orderBy=%2Bchangedate,-wonum&lean=1&x=a+b"
        );
        let unencoded = Params::parse(Some("oslc.orderBy=+changedate")).expect("parses");
        let error = parse_order(
            unencoded.get("oslc.orderBy").unwrap_or_default(),
            &MXAPIWODETAIL,
        )
        .expect_err("unsigned");
        assert!(
            error.message.contains("SORT_ORDER_SIGN"),
            "{}",
            error.message
        );
        assert!(parse_order("+nosuch", &MXAPIWODETAIL).is_err());
        assert!(Params::parse(Some("a=%FF")).is_err());
        assert!(
            Params::parse(Some("oslc.pageSize=0"))
                .expect("p")
                .positive("oslc.pageSize")
                .is_err()
        );
    }
}
