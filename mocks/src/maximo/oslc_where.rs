//! The `oslc.where` language (reference §1.4): a tokenizer and a recursive-descent parser to an
//! AST, and a printer whose output parses back to the same AST.
//!
//! Grammar (keywords case-insensitive):
//!
//! ```text
//! expr       := conj ( "or" conj )*
//! conj       := primary ( "and" primary )*
//! primary    := "(" expr ")" | comparison
//! comparison := path op value | path "in" "[" item ( "," item )* "]"
//! path       := ident ( "." ident )*
//! op         := "=" | "!=" | ">" | ">=" | "<" | "<="
//! value      := string | number | "true" | "false"
//! item       := value | ident                    (bare words inside brackets are strings)
//! ```
//!
//! Strings are double-quoted; `\"` and `\\` escape a quote and a backslash, any other
//! backslash is literal. The special meanings of some strings — `"*"` (not null / null with
//! `!=`), `%` wildcards (LIKE), `"[A,B]"` with `!=` (NOT IN) — belong to evaluation, not to the
//! syntax, so they stay plain string literals here. Parentheses and `or` go beyond what one
//! real instance accepted (reference §1.4): the emulator takes them, so a client may use them
//! for keyset paging.

use std::fmt;

use rust_decimal::Decimal;

/// A filter expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    /// Two or more conjuncts.
    And(Vec<Expr>),
    /// Two or more disjuncts.
    Or(Vec<Expr>),
    Compare {
        path: Vec<String>,
        op: Op,
        value: Literal,
    },
    In {
        path: Vec<String>,
        values: Vec<Literal>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Num(Decimal),
    Bool(bool),
}

/// A syntax error with its position (1-based column), worded like Maximo's parser errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) column: usize,
    pub(crate) found: String,
    pub(crate) expected: &'static str,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Encountered \"{}\" at line 1, column {}. Was expecting {}.",
            self.found, self.column, self.expected
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(Decimal),
    And,
    Or,
    In,
    True,
    False,
    Op(Op),
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Ident(name) => name.clone(),
            Token::Str(text) => format!("\"{text}\""),
            Token::Num(number) => number.to_string(),
            Token::And => String::from("and"),
            Token::Or => String::from("or"),
            Token::In => String::from("in"),
            Token::True => String::from("true"),
            Token::False => String::from("false"),
            Token::Op(op) => op.text().to_owned(),
            Token::Dot => String::from("."),
            Token::Comma => String::from(","),
            Token::LParen => String::from("("),
            Token::RParen => String::from(")"),
            Token::LBracket => String::from("["),
            Token::RBracket => String::from("]"),
            Token::End => String::from("<EOF>"),
        }
    }
}

/// Splits `text` into tokens with their 1-based columns (in characters).
fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '.' => Some(Token::Dot),
            ',' => Some(Token::Comma),
            '(' => Some(Token::LParen),
            ')' => Some(Token::RParen),
            '[' => Some(Token::LBracket),
            ']' => Some(Token::RBracket),
            '=' => Some(Token::Op(Op::Eq)),
            _ => None,
        };
        if let Some(token) = single {
            tokens.push((token, column));
            i += 1;
            continue;
        }
        match c {
            '!' | '<' | '>' => {
                let next_is_eq = chars.get(i + 1) == Some(&'=');
                let op = match (c, next_is_eq) {
                    ('!', true) => Op::Ne,
                    ('<', true) => Op::Le,
                    ('>', true) => Op::Ge,
                    ('<', false) => Op::Lt,
                    ('>', false) => Op::Gt,
                    _ => {
                        return Err(SyntaxError {
                            column,
                            found: String::from("!"),
                            expected: "\"!=\"",
                        });
                    }
                };
                tokens.push((Token::Op(op), column));
                i += if next_is_eq { 2 } else { 1 };
            }
            '"' => {
                let mut value = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return Err(SyntaxError {
                                column,
                                found: String::from("\""),
                                expected: "a closing quote",
                            });
                        }
                        Some('"') => break,
                        Some('\\') if matches!(chars.get(j + 1), Some('"' | '\\')) => {
                            value.push(chars[j + 1]);
                            j += 2;
                        }
                        Some(other) => {
                            value.push(*other);
                            j += 1;
                        }
                    }
                }
                tokens.push((Token::Str(value), column));
                i = j + 1;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                {
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let text: String = chars[start..i].iter().collect();
                let number = text.parse::<Decimal>().map_err(|_| SyntaxError {
                    column,
                    found: text.clone(),
                    expected: "a number within range",
                })?;
                tokens.push((Token::Num(number), column));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let token = match word.to_ascii_lowercase().as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "in" => Token::In,
                    "true" => Token::True,
                    "false" => Token::False,
                    _ => Token::Ident(word),
                };
                tokens.push((token, column));
            }
            other => {
                return Err(SyntaxError {
                    column,
                    found: other.to_string(),
                    expected: "one of <IDENTIFIER>, <STRING>, <NUMBER>, \"(\"",
                });
            }
        }
    }
    tokens.push((Token::End, chars.len() + 1));
    Ok(tokens)
}

/// The deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    tokens: Vec<(Token, usize)>,
    position: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens
            .get(self.position)
            .map_or(&Token::End, |(token, _)| token)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.position)
            .map_or(0, |(_, column)| *column)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.position < self.tokens.len() {
            self.position += 1;
        }
        token
    }

    fn error(&self, expected: &'static str) -> SyntaxError {
        SyntaxError {
            column: self.column(),
            found: self.peek().describe(),
            expected,
        }
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("less nesting"));
        }
        let mut items = vec![self.conj()?];
        while *self.peek() == Token::Or {
            self.advance();
            items.push(self.conj()?);
        }
        self.depth -= 1;
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::Or(items)
        })
    }

    fn conj(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.primary()?];
        while *self.peek() == Token::And {
            self.advance();
            items.push(self.primary()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::And(items)
        })
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        if *self.peek() == Token::LParen {
            self.advance();
            let inner = self.expr()?;
            if *self.peek() != Token::RParen {
                return Err(self.error("\")\""));
            }
            self.advance();
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let mut path = Vec::new();
        match self.advance() {
            Token::Ident(name) => path.push(name.to_ascii_lowercase()),
            _ => {
                self.position = self.position.saturating_sub(1);
                return Err(self.error("one of <IDENTIFIER>, \"(\""));
            }
        }
        while *self.peek() == Token::Dot {
            self.advance();
            match self.advance() {
                Token::Ident(name) => path.push(name.to_ascii_lowercase()),
                _ => {
                    self.position = self.position.saturating_sub(1);
                    return Err(self.error("<IDENTIFIER>"));
                }
            }
        }
        match self.advance() {
            Token::Op(op) => {
                let value = self.value()?;
                Ok(Expr::Compare { path, op, value })
            }
            Token::In => {
                if *self.peek() != Token::LBracket {
                    return Err(self.error("\"[\""));
                }
                self.advance();
                let mut values = vec![self.item()?];
                while *self.peek() == Token::Comma {
                    self.advance();
                    values.push(self.item()?);
                }
                if *self.peek() != Token::RBracket {
                    return Err(self.error("one of \",\", \"]\""));
                }
                self.advance();
                Ok(Expr::In { path, values })
            }
            _ => {
                self.position = self.position.saturating_sub(1);
                Err(self.error("one of \"=\", \"!=\", \">\", \">=\", \"<\", \"<=\", \"in\""))
            }
        }
    }

    fn value(&mut self) -> Result<Literal, SyntaxError> {
        match self.advance() {
            Token::Str(text) => Ok(Literal::Str(text)),
            Token::Num(number) => Ok(Literal::Num(number)),
            Token::True => Ok(Literal::Bool(true)),
            Token::False => Ok(Literal::Bool(false)),
            _ => {
                self.position = self.position.saturating_sub(1);
                Err(self.error("one of <STRING>, <NUMBER>, \"true\", \"false\""))
            }
        }
    }

    fn item(&mut self) -> Result<Literal, SyntaxError> {
        if let Token::Ident(word) = self.peek().clone() {
            self.advance();
            return Ok(Literal::Str(word));
        }
        self.value()
    }
}

/// Parses an `oslc.where` value.
pub(crate) fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        position: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    if *parser.peek() != Token::End {
        return Err(parser.error("one of \"and\", \"or\", <EOF>"));
    }
    Ok(expr)
}

fn write_literal(f: &mut fmt::Formatter<'_>, literal: &Literal) -> fmt::Result {
    match literal {
        Literal::Str(text) => {
            f.write_str("\"")?;
            for c in text.chars() {
                if c == '"' || c == '\\' {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str("\"")
        }
        Literal::Num(number) => write!(f, "{number}"),
        Literal::Bool(flag) => write!(f, "{flag}"),
    }
}

fn write_nested(f: &mut fmt::Formatter<'_>, expr: &Expr) -> fmt::Result {
    if matches!(expr, Expr::And(_) | Expr::Or(_)) {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

/// The canonical text: parsing it gives the same AST.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(items) | Expr::Or(items) => {
                let joiner = if matches!(self, Expr::And(_)) {
                    " and "
                } else {
                    " or "
                };
                for (position, item) in items.iter().enumerate() {
                    if position > 0 {
                        f.write_str(joiner)?;
                    }
                    write_nested(f, item)?;
                }
                Ok(())
            }
            Expr::Compare { path, op, value } => {
                write!(f, "{}{}", path.join("."), op.text())?;
                write_literal(f, value)
            }
            Expr::In { path, values } => {
                write!(f, "{} in [", path.join("."))?;
                for (position, value) in values.iter().enumerate() {
                    if position > 0 {
                        f.write_str(",")?;
                    }
                    write_literal(f, value)?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn compare(path: &str, op: Op, value: Literal) -> Expr {
        Expr::Compare {
            path: path.split('.').map(str::to_owned).collect(),
            op,
            value,
        }
    }

    fn s(text: &str) -> Literal {
        Literal::Str(text.to_owned())
    }

    #[test]
    fn reference_examples_parse() {
        let cases: Vec<(&str, Expr)> = vec![
            ("status=\"APPR\"", compare("status", Op::Eq, s("APPR"))),
            (
                "changedate>\"2024-01-01T00:00:00-05:00\"",
                compare("changedate", Op::Gt, s("2024-01-01T00:00:00-05:00")),
            ),
            (
                "priority>=1",
                compare("priority", Op::Ge, Literal::Num(Decimal::ONE)),
            ),
            (
                "linecost<=200.5",
                compare("linecost", Op::Le, Literal::Num(Decimal::new(2005, 1))),
            ),
            (
                "description=\"%pump%\"",
                compare("description", Op::Eq, s("%pump%")),
            ),
            ("assetnum=\"*\"", compare("assetnum", Op::Eq, s("*"))),
            (
                "location!=\"[BR300,BR400]\"",
                compare("location", Op::Ne, s("[BR300,BR400]")),
            ),
            (
                "location.status=\"OPERATING\"",
                compare("location.status", Op::Eq, s("OPERATING")),
            ),
            (
                "istask=false",
                compare("istask", Op::Eq, Literal::Bool(false)),
            ),
            (
                "STATUS IN [\"APPR\",WAPPR]",
                Expr::In {
                    path: vec![String::from("status")],
                    values: vec![s("APPR"), s("WAPPR")],
                },
            ),
            (
                "siteid=\"BEDFORD\" and status in [\"APPR\"] and wopriority<3",
                Expr::And(vec![
                    compare("siteid", Op::Eq, s("BEDFORD")),
                    Expr::In {
                        path: vec![String::from("status")],
                        values: vec![s("APPR")],
                    },
                    compare("wopriority", Op::Lt, Literal::Num(Decimal::from(3))),
                ]),
            ),
            (
                "changedate>\"X\" or (changedate=\"X\" and wonum>\"1005\")",
                Expr::Or(vec![
                    compare("changedate", Op::Gt, s("X")),
                    Expr::And(vec![
                        compare("changedate", Op::Eq, s("X")),
                        compare("wonum", Op::Gt, s("1005")),
                    ]),
                ]),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn errors_name_the_position() {
        for (text, column) in [
            ("", 1),
            ("status=", 8),
            ("status APPR", 8),
            ("(status=\"A\"", 12),
            ("status=\"A", 8),
            ("status=\"A\" and", 15),
            ("status in [\"A\"", 15),
            ("status=\"A\")", 11),
            ("a.=1", 3),
            ("status!\"A\"", 7),
            ("#", 1),
        ] {
            match parse(text) {
                Err(error) => assert_eq!(error.column, column, "{text}: {error}"),
                Ok(expr) => panic!("{text} parsed as {expr:?}"),
            }
        }
        let deep = format!("{}a=1{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&deep).is_err(), "nesting is bounded");
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            any::<String>().prop_map(Literal::Str),
            (any::<i64>(), 0u32..6).prop_map(|(n, scale)| Literal::Num(Decimal::new(n, scale))),
            any::<bool>().prop_map(Literal::Bool),
        ]
    }

    fn path() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-z_][a-z0-9_]{0,8}", 1..3).prop_filter(
            "keywords are not identifiers",
            |path| {
                path.iter()
                    .all(|p| !["and", "or", "in", "true", "false"].contains(&p.as_str()))
            },
        )
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Eq),
            Just(Op::Ne),
            Just(Op::Gt),
            Just(Op::Ge),
            Just(Op::Lt),
            Just(Op::Le),
        ]
    }

    fn expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            (path(), op(), literal()).prop_map(|(path, op, value)| Expr::Compare {
                path,
                op,
                value
            }),
            (path(), prop::collection::vec(literal(), 1..4))
                .prop_map(|(path, values)| Expr::In { path, values }),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
            ]
        })
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_tree(tree in expr()) {
            let text = tree.to_string();
            prop_assert_eq!(parse(&text), Ok(tree), "{}", text);
        }

        #[test]
        fn arbitrary_input_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn near_miss_input_never_panics(text in "[a-z\\.=!<>\"()\\[\\], 0-9%*-]{0,40}") {
            if let Ok(tree) = parse(&text) {
                // Whatever parses prints to something that parses to the same tree.
                prop_assert_eq!(parse(&tree.to_string()), Ok(tree));
            }
        }
    }
}
