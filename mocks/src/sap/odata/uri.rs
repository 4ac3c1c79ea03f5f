//! Resource paths below a service root: `A_PurchaseOrder('4500000001')/to_PurchaseOrderItem`.
//!
//! Only syntax lives here; which names exist is decided against the service and its data by
//! the route handler, which walks the segments left to right.

use percent_encoding::percent_decode_str;

use super::error::ODataError;
use super::filter::{Literal, literal_from_token};
use super::lexer::{Token, TokenKind, tokenize};

/// One key predicate entry: `Name=literal`, or a bare literal for single-key types.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct KeyPart {
    pub(crate) name: Option<String>,
    pub(crate) value: Literal,
}

/// One path segment.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Segment {
    Metadata,
    Batch,
    Count,
    Value,
    /// An entity set, navigation or property name, with its key predicate if written.
    Named {
        name: String,
        keys: Option<Vec<KeyPart>>,
    },
}

impl Segment {
    /// How the segment is named in "Resource not found for segment" messages.
    pub(crate) fn label(&self) -> String {
        match self {
            Segment::Metadata => String::from("$metadata"),
            Segment::Batch => String::from("$batch"),
            Segment::Count => String::from("$count"),
            Segment::Value => String::from("$value"),
            Segment::Named { name, .. } => name.clone(),
        }
    }
}

/// Parses the part of the path after the service root (without a leading slash).
pub(crate) fn parse_resource_path(raw: &str) -> Result<Vec<Segment>, ODataError> {
    let mut segments = Vec::new();
    let trimmed = raw.strip_suffix('/').unwrap_or(raw);
    if trimmed.is_empty() {
        return Ok(segments);
    }
    for raw_segment in trimmed.split('/') {
        let segment = percent_decode_str(raw_segment).decode_utf8().map_err(|_| {
            ODataError::bad_request(format!("Malformed URI segment '{raw_segment}'"))
        })?;
        segments.push(parse_segment(&segment)?);
    }
    Ok(segments)
}

fn parse_segment(text: &str) -> Result<Segment, ODataError> {
    match text {
        "$metadata" => return Ok(Segment::Metadata),
        "$batch" => return Ok(Segment::Batch),
        "$count" => return Ok(Segment::Count),
        "$value" => return Ok(Segment::Value),
        "" => return Err(ODataError::resource_not_found("")),
        _ => {}
    }
    let Some(open) = text.find('(') else {
        return Ok(Segment::Named {
            name: text.to_owned(),
            keys: None,
        });
    };
    let name = &text[..open];
    let Some(inner) = text[open + 1..].strip_suffix(')') else {
        return Err(ODataError::resource_not_found(text));
    };
    // `A_PurchaseOrder()` is OData v2's other spelling of the collection.
    if inner.trim().is_empty() {
        return Ok(Segment::Named {
            name: name.to_owned(),
            keys: None,
        });
    }
    Ok(Segment::Named {
        name: name.to_owned(),
        keys: Some(parse_key_predicate(inner, text)?),
    })
}

fn parse_key_predicate(inner: &str, segment: &str) -> Result<Vec<KeyPart>, ODataError> {
    let invalid =
        || ODataError::bad_request(format!("Invalid key predicate in segment '{segment}'"));
    let tokens = tokenize(inner).map_err(|_| invalid())?;
    let literal = |token: &Token| -> Result<Literal, ODataError> {
        match literal_from_token(&token.kind) {
            Some(Ok(literal)) => Ok(literal),
            _ => Err(invalid()),
        }
    };
    match tokens.as_slice() {
        [] => Err(invalid()),
        [single] => Ok(vec![KeyPart {
            name: None,
            value: literal(single)?,
        }]),
        _ => {
            let mut parts = Vec::new();
            for chunk in tokens.split(|token| token.kind == TokenKind::Comma) {
                let [name, equals, value] = chunk else {
                    return Err(invalid());
                };
                let (TokenKind::Identifier(name), TokenKind::Equals) = (&name.kind, &equals.kind)
                else {
                    return Err(invalid());
                };
                parts.push(KeyPart {
                    name: Some(name.clone()),
                    value: literal(value)?,
                });
            }
            Ok(parts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_navigation_and_count() {
        let segments = parse_resource_path(
            "A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10')/to_PurchaseOrder",
        )
        .expect("valid");
        assert_eq!(segments.len(), 2);
        let Segment::Named {
            name,
            keys: Some(keys),
        } = &segments[0]
        else {
            panic!("named segment expected");
        };
        assert_eq!(name, "A_PurchaseOrderItem");
        assert_eq!(keys[1].name.as_deref(), Some("PurchaseOrderItem"));
        assert_eq!(keys[1].value, Literal::String(String::from("10")));

        let segments =
            parse_resource_path("A_PurchaseOrder(%274500000001%27)/$count/").expect("valid");
        assert_eq!(segments[1], Segment::Count);
    }

    #[test]
    fn refuses_malformed_predicates() {
        for bad in ["A('1'", "A(1,2)", "A(X=)", "A(X='1',)", "A(=1)", "A(%FF)"] {
            assert!(parse_resource_path(bad).is_err(), "{bad} should be refused");
        }
    }
}
