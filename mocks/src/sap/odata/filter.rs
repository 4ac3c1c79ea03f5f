//! The `$filter` language of OData v2: syntax tree, recursive-descent parser and printer.
//!
//! Grammar (lowest precedence first):
//! ```text
//! or_expr    := and_expr ("or" and_expr)*
//! and_expr   := not_expr ("and" not_expr)*
//! not_expr   := "not" not_expr | comparison
//! comparison := primary (("eq"|"ne"|"gt"|"ge"|"lt"|"le") primary)*
//! primary    := "(" or_expr ")" | literal | function "(" args ")" | property ("/" property)*
//! ```
//! `not` binds looser than comparisons so `not Supplier eq '1'` means what people expect; the
//! printer parenthesises every compound node, so printing and re-parsing gives the same tree.

use std::fmt;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::lexer::{Token, TokenKind, tokenize};
use super::value::{
    IsoInstant, Ticks, format_iso_local, format_offset, format_time, parse_iso, parse_time,
};

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_DEPTH: usize = 64;

/// A literal value written in an expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Literal {
    Null,
    Boolean(bool),
    String(String),
    Integer(i64),
    Decimal(Decimal),
    DateTime(Ticks),
    /// The instant in UTC and the offset it was written with.
    DateTimeOffset {
        utc: Ticks,
        offset_minutes: i32,
    },
    Time(Ticks),
    Guid(Uuid),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Boolean(flag) => write!(f, "{flag}"),
            Literal::String(text) => write!(f, "'{}'", text.replace('\'', "''")),
            Literal::Integer(number) => write!(f, "{number}"),
            Literal::Decimal(number) => write!(f, "{number}M"),
            Literal::DateTime(ticks) => write!(f, "datetime'{}'", format_iso_local(*ticks)),
            Literal::DateTimeOffset {
                utc,
                offset_minutes,
            } => {
                let local = Ticks(utc.0 + i64::from(*offset_minutes) * 600_000_000);
                write!(
                    f,
                    "datetimeoffset'{}{}'",
                    format_iso_local(local),
                    format_offset(*offset_minutes)
                )
            }
            Literal::Time(ticks) => write!(f, "time'{}'", format_time(*ticks)),
            Literal::Guid(id) => write!(f, "guid'{id}'"),
        }
    }
}

/// Binary operators: logical and comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    And,
    Or,
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl BinaryOp {
    fn keyword(self) -> &'static str {
        match self {
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
        }
    }

    fn comparison(word: &str) -> Option<Self> {
        Some(match word {
            "eq" => BinaryOp::Eq,
            "ne" => BinaryOp::Ne,
            "gt" => BinaryOp::Gt,
            "ge" => BinaryOp::Ge,
            "lt" => BinaryOp::Lt,
            "le" => BinaryOp::Le,
            _ => return None,
        })
    }
}

/// The canonical functions of OData v2 that SAP Gateway supports on string properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    /// `substringof(needle, haystack)`: note the v2 argument order.
    SubstringOf,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
    Length,
    Trim,
    Concat,
}

impl Function {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Function::SubstringOf => "substringof",
            Function::StartsWith => "startswith",
            Function::EndsWith => "endswith",
            Function::ToLower => "tolower",
            Function::ToUpper => "toupper",
            Function::Length => "length",
            Function::Trim => "trim",
            Function::Concat => "concat",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "substringof" => Function::SubstringOf,
            "startswith" => Function::StartsWith,
            "endswith" => Function::EndsWith,
            "tolower" => Function::ToLower,
            "toupper" => Function::ToUpper,
            "length" => Function::Length,
            "trim" => Function::Trim,
            "concat" => Function::Concat,
            _ => return None,
        })
    }

    pub(crate) fn arity(self) -> usize {
        match self {
            Function::SubstringOf
            | Function::StartsWith
            | Function::EndsWith
            | Function::Concat => 2,
            Function::ToLower | Function::ToUpper | Function::Length | Function::Trim => 1,
        }
    }
}

/// A parsed `$filter` expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Literal(Literal),
    /// A property, or a path through navigation properties (`to_PurchaseOrder/Supplier`).
    Property(Vec<String>),
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        function: Function,
        args: Vec<Expr>,
    },
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(literal) => write!(f, "{literal}"),
            Expr::Property(path) => f.write_str(&path.join("/")),
            // Parenthesised so a negation on the left of a comparison re-parses as written.
            Expr::Not(inner) => write!(f, "(not {inner})"),
            Expr::Binary { op, lhs, rhs } => write!(f, "({lhs} {} {rhs})", op.keyword()),
            Expr::Call { function, args } => {
                write!(f, "{}(", function.name())?;
                for (index, arg) in args.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A syntax error with the byte position it was found at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) position: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (position {})", self.message, self.position)
    }
}

/// Parses a whole `$filter` expression.
pub(crate) fn parse_filter(input: &str) -> Result<Expr, SyntaxError> {
    let tokens = tokenize(input).map_err(|error| SyntaxError {
        message: error.message,
        position: error.position,
    })?;
    let mut parser = Parser {
        tokens,
        next: 0,
        end: input.len(),
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err(SyntaxError {
            message: String::from("Expression expected"),
            position: 0,
        });
    }
    let expr = parser.or_expr()?;
    if let Some(token) = parser.peek() {
        return Err(SyntaxError {
            message: format!("Invalid token '{}'", token.kind),
            position: token.position,
        });
    }
    Ok(expr)
}

/// Converts a typed literal token into a value.
pub(crate) fn typed_literal(prefix: &str, body: &str) -> Result<Literal, String> {
    match prefix {
        "datetime" => match parse_iso(body, false) {
            Some(IsoInstant {
                utc,
                offset_minutes: None,
            }) => Ok(Literal::DateTime(utc)),
            _ => Err(format!("Invalid Edm.DateTime literal datetime'{body}'")),
        },
        "datetimeoffset" => match parse_iso(body, false) {
            Some(IsoInstant {
                utc,
                offset_minutes: Some(offset_minutes),
            }) => Ok(Literal::DateTimeOffset {
                utc,
                offset_minutes,
            }),
            _ => Err(format!(
                "Invalid Edm.DateTimeOffset literal datetimeoffset'{body}'"
            )),
        },
        "time" => parse_time(body)
            .map(Literal::Time)
            .ok_or_else(|| format!("Invalid Edm.Time literal time'{body}'")),
        "guid" => Uuid::parse_str(body)
            .ok()
            .filter(|_| body.len() == 36)
            .map(Literal::Guid)
            .ok_or_else(|| format!("Invalid Edm.Guid literal guid'{body}'")),
        _ => Err(format!("Invalid literal {prefix}'{body}'")),
    }
}

/// The literal a single token denotes, if it is one (key predicates).
pub(crate) fn literal_from_token(kind: &TokenKind) -> Option<Result<Literal, String>> {
    Some(match kind {
        TokenKind::String(text) => Ok(Literal::String(text.clone())),
        TokenKind::Number(text) => number_literal(text),
        TokenKind::Typed { prefix, body } => typed_literal(prefix, body),
        TokenKind::Identifier(word) => match word.as_str() {
            "true" => Ok(Literal::Boolean(true)),
            "false" => Ok(Literal::Boolean(false)),
            "null" => Ok(Literal::Null),
            _ => return None,
        },
        _ => return None,
    })
}

fn number_literal(text: &str) -> Result<Literal, String> {
    let invalid = || format!("Invalid numeric literal '{text}'");
    let (digits, suffix) = match text.as_bytes().last() {
        Some(last) if last.is_ascii_alphabetic() => (&text[..text.len() - 1], Some(*last)),
        _ => (text, None),
    };
    let integer_like = !digits.contains('.');
    match suffix.map(|s| s.to_ascii_uppercase()) {
        None | Some(b'L') if integer_like => digits
            .parse::<i64>()
            .map(Literal::Integer)
            .map_err(|_| invalid()),
        Some(b'L') => Err(invalid()),
        // Plain decimals and doubles compare as exact decimals; the service has no Edm.Double.
        None | Some(b'M' | b'D' | b'F') => {
            if digits.ends_with('.') || digits.starts_with('.') || digits.matches('.').count() > 1 {
                return Err(invalid());
            }
            Decimal::from_str_exact(digits)
                .map(Literal::Decimal)
                .map_err(|_| invalid())
        }
        Some(_) => Err(invalid()),
    }
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Identifier(name), .. }) if name == keyword)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).cloned();
        if token.is_some() {
            self.next += 1;
        }
        token
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end, |token| token.position)
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            position: self.position(),
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("Expression is nested too deeply"));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let mut lhs = self.and_expr()?;
        while self.peek_keyword("or") {
            self.advance();
            let rhs = self.and_expr()?;
            lhs = Expr::Binary {
                op: BinaryOp::Or,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn and_expr(&mut self) -> Result<Expr, SyntaxError> {
        let mut lhs = self.not_expr()?;
        while self.peek_keyword("and") {
            self.advance();
            let rhs = self.not_expr()?;
            lhs = Expr::Binary {
                op: BinaryOp::And,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        Ok(lhs)
    }

    fn not_expr(&mut self) -> Result<Expr, SyntaxError> {
        if self.peek_keyword("not") {
            self.enter()?;
            self.advance();
            let inner = self.not_expr()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let mut lhs = self.primary()?;
        loop {
            let op = match self.peek() {
                Some(Token {
                    kind: TokenKind::Identifier(word),
                    ..
                }) => BinaryOp::comparison(word),
                _ => None,
            };
            let Some(op) = op else { break };
            self.advance();
            let rhs = self.primary()?;
            lhs = Expr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        Ok(lhs)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let Some(token) = self.advance() else {
            return Err(self.error("Unexpected end of expression"));
        };
        match token.kind {
            TokenKind::OpenParen => {
                let inner = self.or_expr()?;
                self.expect_close()?;
                Ok(inner)
            }
            TokenKind::String(text) => Ok(Expr::Literal(Literal::String(text))),
            TokenKind::Number(text) => {
                number_literal(&text)
                    .map(Expr::Literal)
                    .map_err(|message| SyntaxError {
                        message,
                        position: token.position,
                    })
            }
            TokenKind::Typed { prefix, body } => typed_literal(&prefix, &body)
                .map(Expr::Literal)
                .map_err(|message| SyntaxError {
                    message,
                    position: token.position,
                }),
            TokenKind::Identifier(name) => self.identifier(name, token.position),
            other => Err(SyntaxError {
                message: format!("Invalid token '{other}'"),
                position: token.position,
            }),
        }
    }

    fn identifier(&mut self, name: String, position: usize) -> Result<Expr, SyntaxError> {
        match name.as_str() {
            "true" => return Ok(Expr::Literal(Literal::Boolean(true))),
            "false" => return Ok(Expr::Literal(Literal::Boolean(false))),
            "null" => return Ok(Expr::Literal(Literal::Null)),
            "and" | "or" | "not" | "eq" | "ne" | "gt" | "ge" | "lt" | "le" => {
                return Err(SyntaxError {
                    message: format!("Invalid token '{name}'"),
                    position,
                });
            }
            _ => {}
        }
        if matches!(
            self.peek(),
            Some(Token {
                kind: TokenKind::OpenParen,
                ..
            })
        ) {
            let Some(function) = Function::from_name(&name) else {
                return Err(SyntaxError {
                    message: format!("Unknown function '{name}'"),
                    position,
                });
            };
            self.advance();
            self.enter()?;
            let mut args = Vec::new();
            if !matches!(
                self.peek(),
                Some(Token {
                    kind: TokenKind::CloseParen,
                    ..
                })
            ) {
                loop {
                    args.push(self.or_expr()?);
                    if matches!(
                        self.peek(),
                        Some(Token {
                            kind: TokenKind::Comma,
                            ..
                        })
                    ) {
                        self.advance();
                    } else {
                        break;
                    }
                }
            }
            self.expect_close()?;
            self.depth -= 1;
            if args.len() != function.arity() {
                return Err(SyntaxError {
                    message: format!(
                        "Function '{}' expects {} argument(s), got {}",
                        function.name(),
                        function.arity(),
                        args.len()
                    ),
                    position,
                });
            }
            return Ok(Expr::Call { function, args });
        }
        let mut path = vec![name];
        while matches!(
            self.peek(),
            Some(Token {
                kind: TokenKind::Slash,
                ..
            })
        ) {
            self.advance();
            match self.advance() {
                Some(Token {
                    kind: TokenKind::Identifier(segment),
                    ..
                }) => path.push(segment),
                _ => return Err(self.error("Property name expected after '/'")),
            }
        }
        Ok(Expr::Property(path))
    }

    fn expect_close(&mut self) -> Result<(), SyntaxError> {
        match self.advance() {
            Some(Token {
                kind: TokenKind::CloseParen,
                ..
            }) => Ok(()),
            Some(token) => Err(SyntaxError {
                message: format!("')' expected instead of '{}'", token.kind),
                position: token.position,
            }),
            None => Err(self.error("')' expected at end of expression")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &str) -> String {
        parse_filter(input).expect("parses").to_string()
    }

    #[test]
    fn precedence_and_or_not() {
        assert_eq!(
            round_trip("A eq 1 or B eq 2 and not C eq 3"),
            "((A eq 1) or ((B eq 2) and (not (C eq 3))))"
        );
        assert_eq!(
            round_trip("substringof('x',Name) eq true"),
            "(substringof('x',Name) eq true)"
        );
    }

    #[test]
    fn literals_print_canonically() {
        assert_eq!(
            round_trip("X eq datetimeoffset'2024-01-31T01:00:00.5+01:00'"),
            "(X eq datetimeoffset'2024-01-31T01:00:00.5000000+01:00')"
        );
        assert_eq!(round_trip("X eq 10.5m"), "(X eq 10.5M)");
        assert_eq!(round_trip("X eq 7L"), "(X eq 7)");
        assert_eq!(round_trip("X eq 'it''s'"), "(X eq 'it''s')");
    }

    #[test]
    fn rejects_malformed_expressions_with_positions() {
        let error = parse_filter("A eq").expect_err("incomplete");
        assert_eq!(error.position, 4);
        assert!(parse_filter("A eq 1 1").is_err());
        assert!(parse_filter("(A eq 1").is_err());
        assert!(parse_filter("startswith(A)").is_err());
        assert!(parse_filter("nosuch(A)").is_err());
        assert!(parse_filter("X eq datetime'2024-01-31T00:00:00Z'").is_err());
        assert!(parse_filter("X eq datetimeoffset'2024-01-31T00:00:00'").is_err());
        assert!(parse_filter(&"(".repeat(500)).is_err());
        assert!(parse_filter(&"not ".repeat(500)).is_err());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    use super::*;
    use crate::sap::odata::eval::{compile_filter, matches};
    use crate::sap::odata::query::QueryOptions;
    use crate::sap::odata::uri::parse_resource_path;
    use crate::sap::odata::value::{TICKS_PER_SECOND, Ticks};
    use crate::sap::purchase_order::schema::HEADER_TYPE;

    /// 0002-01-01 .. 9998-12-31: room for any offset to stay within four-digit years.
    const MIN_TICKS: i64 = -62_104_060_800 * TICKS_PER_SECOND;
    const MAX_TICKS: i64 = 253_370_764_800 * TICKS_PER_SECOND;
    const KEYWORDS: [&str; 12] = [
        "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "true", "false", "null",
    ];

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            Just(Literal::Null),
            any::<bool>().prop_map(Literal::Boolean),
            ".{0,12}".prop_map(Literal::String),
            any::<i64>().prop_map(Literal::Integer),
            (any::<i64>(), 0_u32..=12).prop_map(|(m, s)| Literal::Decimal(Decimal::new(m, s))),
            (MIN_TICKS..MAX_TICKS).prop_map(|t| Literal::DateTime(Ticks(t))),
            (MIN_TICKS..MAX_TICKS, -840_i32..=840).prop_map(|(t, offset_minutes)| {
                Literal::DateTimeOffset {
                    utc: Ticks(t),
                    offset_minutes,
                }
            }),
            (0_i64..86_400 * TICKS_PER_SECOND).prop_map(|t| Literal::Time(Ticks(t))),
            any::<u128>().prop_map(|n| Literal::Guid(Uuid::from_u128(n))),
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        "[A-Za-z_][A-Za-z0-9_]{0,10}"
            .prop_filter("not a keyword", |n| !KEYWORDS.contains(&n.as_str()))
    }

    fn function() -> impl Strategy<Value = Function> {
        prop_oneof![
            Just(Function::SubstringOf),
            Just(Function::StartsWith),
            Just(Function::EndsWith),
            Just(Function::ToLower),
            Just(Function::ToUpper),
            Just(Function::Length),
            Just(Function::Trim),
            Just(Function::Concat),
        ]
    }

    fn binary_op() -> impl Strategy<Value = BinaryOp> {
        prop_oneof![
            Just(BinaryOp::And),
            Just(BinaryOp::Or),
            Just(BinaryOp::Eq),
            Just(BinaryOp::Ne),
            Just(BinaryOp::Gt),
            Just(BinaryOp::Ge),
            Just(BinaryOp::Lt),
            Just(BinaryOp::Le),
        ]
    }

    fn expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            literal().prop_map(Expr::Literal),
            prop::collection::vec(name(), 1..3).prop_map(Expr::Property),
        ];
        leaf.prop_recursive(5, 48, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, lhs, rhs)| {
                    Expr::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    }
                }),
                (function(), prop::collection::vec(inner, 2)).prop_map(|(function, mut args)| {
                    args.truncate(function.arity());
                    Expr::Call { function, args }
                }),
            ]
        })
    }

    /// Token soup close to real filters, to reach deep parser paths.
    fn filter_like() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just("Supplier"),
            Just("LastChangeDateTime"),
            Just("PurchaseOrder"),
            Just("CashDiscount1Days"),
            Just("ReleaseIsNotCompleted"),
            Just("eq"),
            Just("ne"),
            Just("gt"),
            Just("le"),
            Just("and"),
            Just("or"),
            Just("not"),
            Just("("),
            Just(")"),
            Just(","),
            Just("'17300001'"),
            Just("'"),
            Just("datetimeoffset'2026-01-01T00:00:00Z'"),
            Just("datetime'2026-01-01T00:00:00'"),
            Just("1.5M"),
            Just("-3"),
            Just("7L"),
            Just("true"),
            Just("null"),
            Just("substringof"),
            Just("startswith"),
            Just("tolower"),
            Just("length"),
            Just("/"),
            Just("guid'x'"),
            Just(" "),
        ];
        prop::collection::vec(token, 0..24).prop_map(|tokens| tokens.join(" "))
    }

    proptest! {
        #[test]
        fn printing_and_reparsing_gives_the_same_tree(expr in expr()) {
            let printed = expr.to_string();
            let reparsed = parse_filter(&printed);
            prop_assert_eq!(reparsed, Ok(expr), "printed as {}", printed);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,80}") {
            let _ = parse_filter(&text);
            let _ = QueryOptions::parse(Some(&text));
            let _ = parse_resource_path(&text);
        }

        #[test]
        fn filter_like_text_compiles_or_refuses_without_panicking(text in filter_like()) {
            if let Ok(expr) = parse_filter(&text)
                && let Ok(node) = compile_filter(&expr, &HEADER_TYPE)
            {
                let row = vec![crate::sap::odata::value::Value::Null; HEADER_TYPE.properties.len()];
                let _ = matches(&node, &row);
            }
        }
    }
}
