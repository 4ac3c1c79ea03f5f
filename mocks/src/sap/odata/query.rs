//! System query options (`$filter`, `$orderby`, `$top`, …) read from the raw query string.
//!
//! The query string is split and percent-decoded here rather than by a generic extractor
//! because OData needs the raw pairs back to build `__next` links, must refuse duplicated or
//! unknown `$` options with SAP's error, and treats `+` as a space like SAP's ICF does (so an
//! unencoded `+01:00` offset in a literal is a client error, as it is against a real system).

use percent_encoding::percent_decode_str;

use super::error::ODataError;
use super::filter::{Expr, parse_filter};
use super::lexer::{Token, TokenKind, tokenize};

/// How the client wants the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormatRequest {
    Json,
    /// `$format=atom` or `xml`: a format this emulator does not serve.
    Xml,
}

/// One `$orderby` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderItem {
    pub(crate) path: Vec<String>,
    pub(crate) descending: bool,
}

/// The parsed query options of one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct QueryOptions {
    pub(crate) filter: Option<Expr>,
    pub(crate) orderby: Vec<OrderItem>,
    pub(crate) top: Option<u64>,
    pub(crate) skip: Option<u64>,
    pub(crate) inline_count: bool,
    /// `None` when absent; `Some(paths)` otherwise (`*` is a path of one `*`).
    pub(crate) select: Option<Vec<Vec<String>>>,
    pub(crate) expand: Vec<Vec<String>>,
    pub(crate) format: Option<FormatRequest>,
    pub(crate) skiptoken: Option<String>,
    /// The `$` options present, for per-request-kind checks.
    pub(crate) system_options: Vec<String>,
    /// Every pair as the client encoded it, to rebuild `__next` links.
    pub(crate) raw_pairs: Vec<(String, String)>,
}

const KNOWN_OPTIONS: [&str; 9] = [
    "$filter",
    "$orderby",
    "$top",
    "$skip",
    "$inlinecount",
    "$select",
    "$expand",
    "$format",
    "$skiptoken",
];

/// Decodes one query component: `+` is a space, `%XX` a byte; invalid UTF-8 is refused.
pub(crate) fn decode_component(raw: &str) -> Result<String, ODataError> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| ODataError::bad_request(format!("Malformed URI component '{raw}'")))
}

impl QueryOptions {
    pub(crate) fn parse(raw_query: Option<&str>) -> Result<Self, ODataError> {
        let mut options = QueryOptions::default();
        let Some(raw_query) = raw_query else {
            return Ok(options);
        };
        for pair in raw_query.split('&').filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            options
                .raw_pairs
                .push((raw_name.to_owned(), raw_value.to_owned()));
            let name = decode_component(raw_name)?;
            if !name.starts_with('$') {
                // Custom options such as sap-client or sap-language: accepted, passed through.
                continue;
            }
            if !KNOWN_OPTIONS.contains(&name.as_str()) {
                return Err(ODataError::bad_request(format!(
                    "System query option '{name}' is not supported"
                )));
            }
            if options.system_options.contains(&name) {
                return Err(ODataError::bad_request(format!(
                    "System query option '{name}' is specified more than once"
                )));
            }
            options.system_options.push(name.clone());
            let value = decode_component(raw_value)?;
            options.apply(&name, &value)?;
        }
        Ok(options)
    }

    fn apply(&mut self, name: &str, value: &str) -> Result<(), ODataError> {
        match name {
            "$filter" => {
                let expr = parse_filter(value).map_err(|error| {
                    ODataError::invalid_expression(format!(
                        "Invalid filter expression: '{value}': {} at position {}",
                        error.message, error.position
                    ))
                })?;
                self.filter = Some(expr);
            }
            "$orderby" => self.orderby = parse_orderby(value)?,
            "$top" => self.top = Some(parse_count("$top", value)?),
            "$skip" => self.skip = Some(parse_count("$skip", value)?),
            "$inlinecount" => {
                self.inline_count = match value {
                    "allpages" => true,
                    "none" => false,
                    _ => {
                        return Err(ODataError::bad_request(format!(
                            "Invalid value '{value}' for system query option $inlinecount; use allpages or none"
                        )));
                    }
                };
            }
            "$select" => self.select = Some(parse_paths("$select", value, true)?),
            "$expand" => self.expand = parse_paths("$expand", value, false)?,
            "$format" => {
                self.format = Some(match value {
                    "json" | "application/json" => FormatRequest::Json,
                    "atom" | "xml" | "application/atom+xml" | "application/xml" => {
                        FormatRequest::Xml
                    }
                    _ => {
                        return Err(ODataError::bad_request(format!(
                            "Invalid value '{value}' for system query option $format"
                        )));
                    }
                });
            }
            "$skiptoken" => self.skiptoken = Some(value.to_owned()),
            _ => {}
        }
        Ok(())
    }

    /// Refuses any `$` option outside `allowed`, with the message SAP gives for `$format` on
    /// writes and similar misuse.
    pub(crate) fn only_allow(&self, allowed: &[&str]) -> Result<(), ODataError> {
        match self
            .system_options
            .iter()
            .find(|name| !allowed.contains(&name.as_str()))
        {
            Some(_) => Err(ODataError::query_option_not_allowed(
                "The Data Services Request contains SystemQueryOptions that are not allowed for this Request Type",
            )),
            None => Ok(()),
        }
    }

    /// The query string to repeat in a `__next` link, with `$skiptoken` replaced.
    pub(crate) fn next_query(&self, skiptoken: &str) -> String {
        let mut parts: Vec<String> = self
            .raw_pairs
            .iter()
            .filter(|(name, _)| {
                decode_component(name).map_or(true, |decoded| decoded != "$skiptoken")
            })
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        parts.push(format!("$skiptoken={skiptoken}"));
        parts.join("&")
    }
}

fn parse_count(name: &str, value: &str) -> Result<u64, ODataError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ODataError::bad_request(format!(
            "Invalid value '{value}' for system query option {name}; a non-negative integer is expected"
        )));
    }
    value.parse().map_err(|_| {
        ODataError::bad_request(format!(
            "Value '{value}' of system query option {name} is too large"
        ))
    })
}

fn parse_orderby(value: &str) -> Result<Vec<OrderItem>, ODataError> {
    let invalid = |detail: String| {
        ODataError::invalid_expression(format!("Invalid $orderby expression '{value}': {detail}"))
    };
    let tokens = tokenize(value).map_err(|error| invalid(error.message))?;
    let mut items = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    loop {
        let mut path = Vec::new();
        loop {
            match tokens.next() {
                Some(Token {
                    kind: TokenKind::Identifier(name),
                    ..
                }) => path.push(name),
                Some(token) => {
                    return Err(invalid(format!(
                        "property expected at position {} instead of '{}'",
                        token.position, token.kind
                    )));
                }
                None => return Err(invalid(String::from("property expected"))),
            }
            if matches!(
                tokens.peek(),
                Some(Token {
                    kind: TokenKind::Slash,
                    ..
                })
            ) {
                tokens.next();
            } else {
                break;
            }
        }
        let mut descending = false;
        if let Some(Token {
            kind: TokenKind::Identifier(word),
            ..
        }) = tokens.peek()
        {
            match word.as_str() {
                "asc" => {
                    tokens.next();
                }
                "desc" => {
                    descending = true;
                    tokens.next();
                }
                _ => {}
            }
        }
        items.push(OrderItem { path, descending });
        match tokens.next() {
            None => break,
            Some(Token {
                kind: TokenKind::Comma,
                ..
            }) => {}
            Some(token) => {
                return Err(invalid(format!(
                    "',' expected at position {} instead of '{}'",
                    token.position, token.kind
                )));
            }
        }
    }
    Ok(items)
}

/// Splits `$select`/`$expand` into paths; `*` is allowed only in `$select`.
fn parse_paths(
    option: &str,
    value: &str,
    allow_star: bool,
) -> Result<Vec<Vec<String>>, ODataError> {
    let mut paths = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        let mut path = Vec::new();
        for segment in item.split('/') {
            let valid_name = !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && segment.bytes().next().is_some_and(|b| !b.is_ascii_digit());
            if !(valid_name || (allow_star && segment == "*")) {
                return Err(ODataError::bad_request(format!(
                    "Invalid {option} expression '{value}'"
                )));
            }
            path.push(segment.to_owned());
        }
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_options() {
        let options = QueryOptions::parse(Some(
            "$filter=Supplier%20eq%20'17300001'&$orderby=LastChangeDateTime%20asc,PurchaseOrder%20desc&$top=10&$skip=5&$inlinecount=allpages&$select=PurchaseOrder,to_PurchaseOrderItem/Material&$expand=to_PurchaseOrderItem&$format=json&sap-client=100",
        ))
        .expect("valid");
        assert!(options.filter.is_some());
        assert_eq!(options.orderby.len(), 2);
        assert!(options.orderby[1].descending);
        assert_eq!((options.top, options.skip), (Some(10), Some(5)));
        assert!(options.inline_count);
        assert_eq!(options.select.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            options.expand,
            vec![vec![String::from("to_PurchaseOrderItem")]]
        );
        assert_eq!(options.format, Some(FormatRequest::Json));
        let next = options.next_query("abc");
        assert!(next.ends_with("&sap-client=100&$skiptoken=abc"));
    }

    #[test]
    fn refuses_unknown_duplicate_and_malformed_options() {
        for bad in [
            "$foo=1",
            "$top=1&$top=2",
            "$top=-1",
            "$top=abc",
            "$skip=99999999999999999999999",
            "$inlinecount=yes",
            "$format=csv",
            "$orderby=A%20up",
            "$orderby=",
            "$select=A,,B",
            "$expand=*",
            "$filter=A%20eq",
            "$filter=%FF",
        ] {
            assert!(
                QueryOptions::parse(Some(bad)).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn plus_is_a_space() {
        let options = QueryOptions::parse(Some("$filter=A+eq+1")).expect("valid");
        assert!(options.filter.is_some());
    }
}
