//! SuiteQL tokens: identifiers (case-insensitive, lower-cased; `"quoted"` ones kept as
//! written), string literals in single quotes (`''` escapes a quote), numbers, operators and
//! punctuation. Keywords are identifiers the parser recognises in place, so a column may be
//! named like a non-reserved keyword (`type`, `rows`).

use rust_decimal::Decimal;

/// One token and its byte offset, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An unquoted identifier or keyword, lower case.
    Word(String),
    /// A `"quoted identifier"`, as written.
    Quoted(String),
    String(String),
    Number(Decimal),
    Comma,
    Dot,
    Open,
    Close,
    Star,
    Plus,
    Minus,
    Slash,
    Concat,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Semicolon,
}

impl TokenKind {
    pub(crate) fn describe(&self) -> String {
        match self {
            TokenKind::Word(word) => word.to_uppercase(),
            TokenKind::Quoted(text) => format!("\"{text}\""),
            TokenKind::String(text) => format!("'{text}'"),
            TokenKind::Number(n) => n.to_string(),
            TokenKind::Comma => String::from(","),
            TokenKind::Dot => String::from("."),
            TokenKind::Open => String::from("("),
            TokenKind::Close => String::from(")"),
            TokenKind::Star => String::from("*"),
            TokenKind::Plus => String::from("+"),
            TokenKind::Minus => String::from("-"),
            TokenKind::Slash => String::from("/"),
            TokenKind::Concat => String::from("||"),
            TokenKind::Eq => String::from("="),
            TokenKind::NotEq => String::from("<>"),
            TokenKind::Lt => String::from("<"),
            TokenKind::LtEq => String::from("<="),
            TokenKind::Gt => String::from(">"),
            TokenKind::GtEq => String::from(">="),
            TokenKind::Semicolon => String::from(";"),
        }
    }
}

/// Why a query could not be tokenized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let at = |i: usize| bytes.get(i).map(|(_, c)| *c);
    while i < bytes.len() {
        let (offset, c) = bytes[i];
        let push = |tokens: &mut Vec<Token>, kind| tokens.push(Token { kind, offset });
        match c {
            c if c.is_whitespace() => i += 1,
            '-' if at(i + 1) == Some('-') => {
                // A line comment.
                while i < bytes.len() && bytes[i].1 != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == Some('*') => {
                i += 2;
                loop {
                    match (at(i), at(i + 1)) {
                        (Some('*'), Some('/')) => {
                            i += 2;
                            break;
                        }
                        (Some(_), _) => i += 1,
                        (None, _) => {
                            return Err(LexError {
                                message: String::from("unterminated comment"),
                                offset,
                            });
                        }
                    }
                }
            }
            '\'' => {
                let mut value = String::new();
                i += 1;
                loop {
                    match at(i) {
                        Some('\'') if at(i + 1) == Some('\'') => {
                            value.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(other) => {
                            value.push(other);
                            i += 1;
                        }
                        None => {
                            return Err(LexError {
                                message: String::from("unterminated string literal"),
                                offset,
                            });
                        }
                    }
                }
                push(&mut tokens, TokenKind::String(value));
            }
            '"' => {
                let mut value = String::new();
                i += 1;
                loop {
                    match at(i) {
                        Some('"') if at(i + 1) == Some('"') => {
                            value.push('"');
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(other) => {
                            value.push(other);
                            i += 1;
                        }
                        None => {
                            return Err(LexError {
                                message: String::from("unterminated quoted identifier"),
                                offset,
                            });
                        }
                    }
                }
                if value.is_empty() {
                    return Err(LexError {
                        message: String::from("empty quoted identifier"),
                        offset,
                    });
                }
                push(&mut tokens, TokenKind::Quoted(value));
            }
            c if c.is_ascii_digit()
                || (c == '.' && at(i + 1).is_some_and(|n| n.is_ascii_digit())) =>
            {
                let start = i;
                while at(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                if at(i) == Some('.') && at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                    while at(i).is_some_and(|c| c.is_ascii_digit()) {
                        i += 1;
                    }
                } else if at(i) == Some('.') && start == i {
                    i += 1;
                }
                let literal: String = bytes[start..i].iter().map(|(_, c)| *c).collect();
                let number = literal.parse::<Decimal>().map_err(|_| LexError {
                    message: format!("invalid number {literal}"),
                    offset,
                })?;
                if at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    return Err(LexError {
                        message: format!("invalid number {literal}{}", at(i).unwrap_or(' ')),
                        offset,
                    });
                }
                push(&mut tokens, TokenKind::Number(number));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '#')
                {
                    i += 1;
                }
                let word: String = bytes[start..i].iter().map(|(_, c)| *c).collect();
                push(&mut tokens, TokenKind::Word(word.to_lowercase()));
            }
            _ => {
                let two = (c, at(i + 1));
                let (kind, width) = match two {
                    ('|', Some('|')) => (TokenKind::Concat, 2),
                    ('<', Some('>')) | ('!', Some('=')) | ('^', Some('=')) => (TokenKind::NotEq, 2),
                    ('<', Some('=')) => (TokenKind::LtEq, 2),
                    ('>', Some('=')) => (TokenKind::GtEq, 2),
                    ('<', _) => (TokenKind::Lt, 1),
                    ('>', _) => (TokenKind::Gt, 1),
                    ('=', _) => (TokenKind::Eq, 1),
                    (',', _) => (TokenKind::Comma, 1),
                    ('.', _) => (TokenKind::Dot, 1),
                    ('(', _) => (TokenKind::Open, 1),
                    (')', _) => (TokenKind::Close, 1),
                    ('*', _) => (TokenKind::Star, 1),
                    ('+', _) => (TokenKind::Plus, 1),
                    ('-', _) => (TokenKind::Minus, 1),
                    ('/', _) => (TokenKind::Slash, 1),
                    (';', _) => (TokenKind::Semicolon, 1),
                    _ => {
                        return Err(LexError {
                            message: format!("unexpected character '{c}'"),
                            offset,
                        });
                    }
                };
                push(&mut tokens, kind);
                i += width;
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text)
            .expect("tokenizes")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokens_of_a_typical_query() {
        assert_eq!(
            kinds("SELECT t.ID, 'it''s' AS \"Name\" FROM x WHERE a<>1.5 -- note\n AND b>=.5||c"),
            vec![
                TokenKind::Word(String::from("select")),
                TokenKind::Word(String::from("t")),
                TokenKind::Dot,
                TokenKind::Word(String::from("id")),
                TokenKind::Comma,
                TokenKind::String(String::from("it's")),
                TokenKind::Word(String::from("as")),
                TokenKind::Quoted(String::from("Name")),
                TokenKind::Word(String::from("from")),
                TokenKind::Word(String::from("x")),
                TokenKind::Word(String::from("where")),
                TokenKind::Word(String::from("a")),
                TokenKind::NotEq,
                TokenKind::Number(Decimal::new(15, 1)),
                TokenKind::Word(String::from("and")),
                TokenKind::Word(String::from("b")),
                TokenKind::GtEq,
                TokenKind::Number(Decimal::new(5, 1)),
                TokenKind::Concat,
                TokenKind::Word(String::from("c")),
            ]
        );
        assert!(tokenize("'open").is_err());
        assert!(tokenize("a ? b").is_err());
        assert!(tokenize("12abc").is_err());
        assert!(tokenize("/* never closed").is_err());
    }
}
