//! Tokenizer for OData v2 expressions (`$filter`, `$orderby`, key predicates, skip tokens).
//!
//! Positions are byte offsets into the expression so errors can point at the offending token,
//! as SAP's "Invalid token detected at position N" messages do.

use std::fmt;

/// One token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) position: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    /// A name: a property, a function, or a keyword such as `eq`, `and`, `true`, `null`.
    Identifier(String),
    /// `'text'` with doubled quotes already undone.
    String(String),
    /// A prefixed literal such as `datetime'2024-01-31T00:00:00'`: the prefix and the raw body.
    Typed {
        prefix: String,
        body: String,
    },
    /// A numeric literal as written, including an optional sign and type suffix.
    Number(String),
    OpenParen,
    CloseParen,
    Comma,
    Slash,
    Equals,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Identifier(name) => f.write_str(name),
            TokenKind::String(text) => write!(f, "'{}'", text.replace('\'', "''")),
            TokenKind::Typed { prefix, body } => write!(f, "{prefix}'{body}'"),
            TokenKind::Number(text) => f.write_str(text),
            TokenKind::OpenParen => f.write_str("("),
            TokenKind::CloseParen => f.write_str(")"),
            TokenKind::Comma => f.write_str(","),
            TokenKind::Slash => f.write_str("/"),
            TokenKind::Equals => f.write_str("="),
        }
    }
}

/// A lexical error: what went wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexError {
    pub(crate) message: String,
    pub(crate) position: usize,
}

/// Splits `input` into tokens; whitespace separates tokens and is otherwise ignored.
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, LexError> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        let byte = bytes[position];
        let start = position;
        let kind = match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {
                position += 1;
                continue;
            }
            b'(' => {
                position += 1;
                TokenKind::OpenParen
            }
            b')' => {
                position += 1;
                TokenKind::CloseParen
            }
            b',' => {
                position += 1;
                TokenKind::Comma
            }
            b'/' => {
                position += 1;
                TokenKind::Slash
            }
            b'=' => {
                position += 1;
                TokenKind::Equals
            }
            b'\'' => {
                let (text, end) = quoted(input, position)?;
                position = end;
                TokenKind::String(text)
            }
            b'-' | b'0'..=b'9' => {
                let mut end = position + 1;
                if byte == b'-' && !bytes.get(end).is_some_and(u8::is_ascii_digit) {
                    return Err(LexError {
                        message: String::from("Invalid token '-'"),
                        position,
                    });
                }
                while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
                    end += 1;
                }
                if end < bytes.len()
                    && matches!(
                        bytes[end],
                        b'M' | b'm' | b'L' | b'l' | b'd' | b'D' | b'f' | b'F'
                    )
                {
                    end += 1;
                }
                // A number must stand alone: `12abc` is not a number followed by a name.
                if end < bytes.len() && is_identifier_byte(bytes[end]) {
                    return Err(LexError {
                        message: format!(
                            "Invalid token '{}'",
                            &input[start..identifier_end(bytes, end)]
                        ),
                        position,
                    });
                }
                position = end;
                TokenKind::Number(input[start..end].to_owned())
            }
            b if is_identifier_start(b) => {
                let end = identifier_end(bytes, position);
                let name = &input[start..end];
                if bytes.get(end) == Some(&b'\'') {
                    let (body, after) = quoted(input, end)?;
                    position = after;
                    TokenKind::Typed {
                        prefix: name.to_owned(),
                        body,
                    }
                } else {
                    position = end;
                    TokenKind::Identifier(name.to_owned())
                }
            }
            _ => {
                let shown: String = input[start..].chars().take(1).collect();
                return Err(LexError {
                    message: format!("Invalid token '{shown}'"),
                    position,
                });
            }
        };
        tokens.push(Token {
            kind,
            position: start,
        });
    }
    Ok(tokens)
}

fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte == b'$'
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.'
}

fn identifier_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len()
        && (is_identifier_byte(bytes[end]) || (end == start && bytes[end] == b'$'))
    {
        end += 1;
    }
    end.max(start + 1).min(bytes.len())
}

/// Reads a single-quoted string starting at `start` (the opening quote); `''` is one quote.
fn quoted(input: &str, start: usize) -> Result<(String, usize), LexError> {
    let mut text = String::new();
    let mut chars = input[start + 1..].char_indices().peekable();
    while let Some((offset, ch)) = chars.next() {
        if ch == '\'' {
            if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                chars.next();
                text.push('\'');
            } else {
                return Ok((text, start + 1 + offset + 1));
            }
        } else {
            text.push(ch);
        }
    }
    Err(LexError {
        message: String::from("Unterminated string literal"),
        position: start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokenKind> {
        tokenize(input)
            .expect("tokenizes")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn splits_typed_literals_strings_and_numbers() {
        assert_eq!(
            kinds(
                "LastChangeDateTime gt datetimeoffset'2024-01-31T00:00:00Z' and X eq 'it''s' or N le -10.5M"
            ),
            vec![
                TokenKind::Identifier("LastChangeDateTime".into()),
                TokenKind::Identifier("gt".into()),
                TokenKind::Typed {
                    prefix: "datetimeoffset".into(),
                    body: "2024-01-31T00:00:00Z".into()
                },
                TokenKind::Identifier("and".into()),
                TokenKind::Identifier("X".into()),
                TokenKind::Identifier("eq".into()),
                TokenKind::String("it's".into()),
                TokenKind::Identifier("or".into()),
                TokenKind::Identifier("N".into()),
                TokenKind::Identifier("le".into()),
                TokenKind::Number("-10.5M".into()),
            ]
        );
    }

    #[test]
    fn reports_positions_of_bad_tokens() {
        assert_eq!(
            tokenize("A eq 'open").expect_err("unterminated").position,
            5
        );
        assert_eq!(tokenize("A eq #").expect_err("bad").position, 5);
        assert!(tokenize("A eq 12ab").is_err());
    }
}
