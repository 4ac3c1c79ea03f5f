//! A recursive-descent parser for the SuiteQL subset, from [`lexer`](super::lexer) tokens to
//! the [`ast`](super::ast):
//!
//! ```text
//! query      := SELECT [DISTINCT] items FROM table join* [WHERE expr] [GROUP BY exprs]
//!               [ORDER BY order (, order)*] [OFFSET n {ROW|ROWS}]
//!               [FETCH {FIRST|NEXT} n {ROW|ROWS} ONLY] [;]
//! items      := '*' | item (',' item)*          item := ident '.' '*' | expr [[AS] alias]
//! table      := ident [[AS] alias]
//! join       := [INNER] JOIN table ON expr | LEFT [OUTER] JOIN table ON expr
//! expr       := and (OR and)*                   and  := not (AND not)*
//! not        := NOT not | predicate
//! predicate  := sum [cmp sum | [NOT] IN '(' exprs ')' | [NOT] BETWEEN sum AND sum
//!                    | [NOT] LIKE sum | IS [NOT] NULL]
//! sum        := product (('+' | '-' | '||') product)*
//! product    := unary (('*' | '/') unary)*      unary := '-' unary | primary
//! primary    := literal | NULL | column | function | COUNT '(' '*' ')' | CASE … END
//!               | '(' expr ')'
//! ```
//!
//! Anything else — other statements, subqueries, `HAVING`, set operators — is a parse error
//! with the offending token and its position.

use super::ast::{
    BinaryOp, Expr, Join, JoinKind, OrderItem, RESERVED, Select, SelectItem, TableRef, UnaryOp,
};
use super::lexer::{LexError, Token, TokenKind, tokenize};

/// Why a query could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

impl From<LexError> for ParseError {
    fn from(error: LexError) -> Self {
        ParseError {
            message: error.message,
            offset: error.offset,
        }
    }
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 100;
/// Syntax trees taller than this are refused: a long chain like `a + a + … + a` nests without
/// parentheses, and evaluating or dropping the tree recurses its height.
const MAX_HEIGHT: usize = 128;

/// An expression and the height of its tree.
type Parsed = (Expr, usize);

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    end: usize,
    depth: usize,
}

pub(crate) fn parse(text: &str) -> Result<Select, ParseError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        end: text.len(),
        depth: 0,
    };
    let select = parser.select()?;
    if parser.peek_kind() == Some(&TokenKind::Semicolon) {
        parser.position += 1;
    }
    if let Some(token) = parser.tokens.get(parser.position) {
        return Err(ParseError {
            message: format!(
                "unexpected {} after the end of the query",
                token.kind.describe()
            ),
            offset: token.offset,
        });
    }
    Ok(select)
}

impl Parser {
    fn peek_kind(&self) -> Option<&TokenKind> {
        self.tokens.get(self.position).map(|t| &t.kind)
    }

    fn peek_kind_at(&self, ahead: usize) -> Option<&TokenKind> {
        self.tokens.get(self.position + ahead).map(|t| &t.kind)
    }

    fn offset(&self) -> usize {
        self.tokens
            .get(self.position)
            .map_or(self.end, |t| t.offset)
    }

    fn error<T>(&self, expected: &str) -> Result<T, ParseError> {
        let found = self.tokens.get(self.position).map_or_else(
            || String::from("the end of the query"),
            |t| t.kind.describe(),
        );
        Err(ParseError {
            message: format!("expected {expected}, found {found}"),
            offset: self.offset(),
        })
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek_kind(), Some(TokenKind::Word(word)) if word == keyword)
    }

    fn keyword_at(&self, ahead: usize, keyword: &str) -> bool {
        matches!(self.peek_kind_at(ahead), Some(TokenKind::Word(word)) if word == keyword)
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        if self.is_keyword(keyword) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), ParseError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            self.error(&keyword.to_uppercase())
        }
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.peek_kind() == Some(kind) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<(), ParseError> {
        if self.eat(kind) {
            Ok(())
        } else {
            self.error(&format!("'{}'", kind.describe()))
        }
    }

    /// An identifier: a non-reserved word or a quoted identifier.
    fn identifier(&mut self, what: &str) -> Result<String, ParseError> {
        match self.peek_kind() {
            Some(TokenKind::Word(word)) if !RESERVED.contains(&word.as_str()) => {
                let word = word.clone();
                self.position += 1;
                Ok(word)
            }
            Some(TokenKind::Quoted(text)) => {
                let text = text.clone();
                self.position += 1;
                Ok(text)
            }
            _ => self.error(what),
        }
    }

    fn is_identifier(&self) -> bool {
        match self.peek_kind() {
            Some(TokenKind::Word(word)) => !RESERVED.contains(&word.as_str()),
            Some(TokenKind::Quoted(_)) => true,
            _ => false,
        }
    }

    fn count(&mut self, what: &str) -> Result<u64, ParseError> {
        match self.peek_kind() {
            Some(TokenKind::Number(n)) if n.fract().is_zero() && !n.is_sign_negative() => {
                let value = u64::try_from(*n).map_err(|_| ParseError {
                    message: format!("{what} is too large"),
                    offset: self.offset(),
                })?;
                self.position += 1;
                Ok(value)
            }
            _ => self.error(what),
        }
    }

    fn select(&mut self) -> Result<Select, ParseError> {
        self.expect_keyword("select")?;
        let distinct = self.eat_keyword("distinct");
        if !distinct {
            self.eat_keyword("all");
        }
        let mut items = Vec::new();
        loop {
            items.push(self.select_item()?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_keyword("from")?;
        let from = self.table_ref()?;
        let mut joins = Vec::new();
        loop {
            let kind = if self.is_keyword("join") {
                self.position += 1;
                JoinKind::Inner
            } else if self.is_keyword("inner") && self.keyword_at(1, "join") {
                self.position += 2;
                JoinKind::Inner
            } else if self.is_keyword("left") {
                self.position += 1;
                self.eat_keyword("outer");
                self.expect_keyword("join")?;
                JoinKind::Left
            } else {
                break;
            };
            let table = self.table_ref()?;
            self.expect_keyword("on")?;
            let on = self.expr()?;
            joins.push(Join { kind, table, on });
        }
        let where_clause = if self.eat_keyword("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut group_by = Vec::new();
        if self.eat_keyword("group") {
            self.expect_keyword("by")?;
            loop {
                group_by.push(self.expr()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        let mut order_by = Vec::new();
        if self.eat_keyword("order") {
            self.expect_keyword("by")?;
            loop {
                let expr = self.expr()?;
                let descending = if self.eat_keyword("desc") {
                    true
                } else {
                    self.eat_keyword("asc");
                    false
                };
                let nulls_first = if self.is_keyword("nulls") {
                    self.position += 1;
                    if self.eat_keyword("first") {
                        Some(true)
                    } else if self.eat_keyword("last") {
                        Some(false)
                    } else {
                        return self.error("FIRST or LAST");
                    }
                } else {
                    None
                };
                order_by.push(OrderItem {
                    expr,
                    descending,
                    nulls_first,
                });
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        let offset = if self.eat_keyword("offset") {
            let value = self.count("a row count")?;
            if !self.eat_keyword("rows") && !self.eat_keyword("row") {
                return self.error("ROWS");
            }
            Some(value)
        } else {
            None
        };
        let fetch = if self.eat_keyword("fetch") {
            if !self.eat_keyword("first") && !self.eat_keyword("next") {
                return self.error("FIRST or NEXT");
            }
            let value = self.count("a row count")?;
            if !self.eat_keyword("rows") && !self.eat_keyword("row") {
                return self.error("ROWS");
            }
            self.expect_keyword("only")?;
            Some(value)
        } else {
            None
        };
        Ok(Select {
            distinct,
            items,
            from,
            joins,
            where_clause,
            group_by,
            order_by,
            offset,
            fetch,
        })
    }

    fn select_item(&mut self) -> Result<SelectItem, ParseError> {
        if self.eat(&TokenKind::Star) {
            return Ok(SelectItem::Wildcard);
        }
        if self.is_identifier()
            && self.peek_kind_at(1) == Some(&TokenKind::Dot)
            && self.peek_kind_at(2) == Some(&TokenKind::Star)
        {
            let table = self.identifier("a table alias")?;
            self.position += 2;
            return Ok(SelectItem::QualifiedWildcard(table));
        }
        let expr = self.expr()?;
        // `AS` is optional before an alias.
        let alias = if self.eat_keyword("as") || self.is_identifier() {
            Some(self.identifier("a column alias")?)
        } else {
            None
        };
        Ok(SelectItem::Expr { expr, alias })
    }

    fn table_ref(&mut self) -> Result<TableRef, ParseError> {
        if self.eat(&TokenKind::Open) {
            return Err(ParseError {
                message: String::from("subqueries are not supported"),
                offset: self.offset(),
            });
        }
        let name = self.identifier("a table name")?;
        let alias = if self.eat_keyword("as") || self.is_identifier() {
            Some(self.identifier("a table alias")?)
        } else {
            None
        };
        Ok(TableRef { name, alias })
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    fn too_deep(&self) -> ParseError {
        ParseError {
            message: String::from("the query is nested too deeply"),
            offset: self.offset(),
        }
    }

    /// A node over children of the given heights; refused when the tree would grow taller
    /// than [`MAX_HEIGHT`] (evaluating and dropping it recurse that deep).
    fn node(&self, expr: Expr, children: &[usize]) -> Result<Parsed, ParseError> {
        let height = 1 + children.iter().copied().max().unwrap_or(0);
        if height > MAX_HEIGHT {
            return Err(self.too_deep());
        }
        Ok((expr, height))
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.parsed().map(|(expr, _)| expr)
    }

    fn parsed(&mut self) -> Result<Parsed, ParseError> {
        self.enter()?;
        let result = self.or_expr();
        self.depth -= 1;
        result
    }

    fn binary(&self, op: BinaryOp, left: Parsed, right: Parsed) -> Result<Parsed, ParseError> {
        let heights = [left.1, right.1];
        self.node(
            Expr::Binary {
                op,
                left: Box::new(left.0),
                right: Box::new(right.0),
            },
            &heights,
        )
    }

    fn or_expr(&mut self) -> Result<Parsed, ParseError> {
        let mut left = self.and_expr()?;
        while self.eat_keyword("or") {
            let right = self.and_expr()?;
            left = self.binary(BinaryOp::Or, left, right)?;
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Parsed, ParseError> {
        let mut left = self.not_expr()?;
        while self.eat_keyword("and") {
            let right = self.not_expr()?;
            left = self.binary(BinaryOp::And, left, right)?;
        }
        Ok(left)
    }

    fn not_expr(&mut self) -> Result<Parsed, ParseError> {
        if self.eat_keyword("not") {
            self.enter()?;
            let inner = self.not_expr();
            self.depth -= 1;
            let (inner, height) = inner?;
            return self.node(
                Expr::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(inner),
                },
                &[height],
            );
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Parsed, ParseError> {
        let left = self.sum()?;
        let comparison = match self.peek_kind() {
            Some(TokenKind::Eq) => Some(BinaryOp::Eq),
            Some(TokenKind::NotEq) => Some(BinaryOp::NotEq),
            Some(TokenKind::Lt) => Some(BinaryOp::Lt),
            Some(TokenKind::LtEq) => Some(BinaryOp::LtEq),
            Some(TokenKind::Gt) => Some(BinaryOp::Gt),
            Some(TokenKind::GtEq) => Some(BinaryOp::GtEq),
            _ => None,
        };
        if let Some(op) = comparison {
            self.position += 1;
            let right = self.sum()?;
            return self.binary(op, left, right);
        }
        if self.eat_keyword("is") {
            let negated = self.eat_keyword("not");
            self.expect_keyword("null")?;
            return self.node(
                Expr::IsNull {
                    expr: Box::new(left.0),
                    negated,
                },
                &[left.1],
            );
        }
        let negated = if self.is_keyword("not")
            && (self.keyword_at(1, "in")
                || self.keyword_at(1, "between")
                || self.keyword_at(1, "like"))
        {
            self.position += 1;
            true
        } else {
            false
        };
        if self.eat_keyword("in") {
            self.expect(&TokenKind::Open)?;
            if self.is_keyword("select") {
                return Err(ParseError {
                    message: String::from("subqueries are not supported"),
                    offset: self.offset(),
                });
            }
            let mut heights = vec![left.1];
            let mut list = Vec::new();
            loop {
                let (item, height) = self.parsed()?;
                list.push(item);
                heights.push(height);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::Close)?;
            return self.node(
                Expr::InList {
                    expr: Box::new(left.0),
                    list,
                    negated,
                },
                &heights,
            );
        }
        if self.eat_keyword("between") {
            let low = self.sum()?;
            self.expect_keyword("and")?;
            let high = self.sum()?;
            let heights = [left.1, low.1, high.1];
            return self.node(
                Expr::Between {
                    expr: Box::new(left.0),
                    low: Box::new(low.0),
                    high: Box::new(high.0),
                    negated,
                },
                &heights,
            );
        }
        if self.eat_keyword("like") {
            let pattern = self.sum()?;
            let heights = [left.1, pattern.1];
            return self.node(
                Expr::Like {
                    expr: Box::new(left.0),
                    pattern: Box::new(pattern.0),
                    negated,
                },
                &heights,
            );
        }
        if negated {
            return self.error("IN, BETWEEN or LIKE");
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Parsed, ParseError> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek_kind() {
                Some(TokenKind::Plus) => BinaryOp::Add,
                Some(TokenKind::Minus) => BinaryOp::Sub,
                Some(TokenKind::Concat) => BinaryOp::Concat,
                _ => return Ok(left),
            };
            self.position += 1;
            let right = self.product()?;
            left = self.binary(op, left, right)?;
        }
    }

    fn product(&mut self) -> Result<Parsed, ParseError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek_kind() {
                Some(TokenKind::Star) => BinaryOp::Mul,
                Some(TokenKind::Slash) => BinaryOp::Div,
                _ => return Ok(left),
            };
            self.position += 1;
            let right = self.unary()?;
            left = self.binary(op, left, right)?;
        }
    }

    fn unary(&mut self) -> Result<Parsed, ParseError> {
        if self.eat(&TokenKind::Minus) {
            self.enter()?;
            let inner = self.unary();
            self.depth -= 1;
            let (inner, height) = inner?;
            return self.node(
                Expr::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(inner),
                },
                &[height],
            );
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Parsed, ParseError> {
        match self.peek_kind().cloned() {
            Some(TokenKind::String(text)) => {
                self.position += 1;
                self.node(Expr::String(text), &[])
            }
            Some(TokenKind::Number(number)) => {
                self.position += 1;
                self.node(Expr::Number(number), &[])
            }
            Some(TokenKind::Open) => {
                self.position += 1;
                if self.is_keyword("select") {
                    return Err(ParseError {
                        message: String::from("subqueries are not supported"),
                        offset: self.offset(),
                    });
                }
                let inner = self.parsed()?;
                self.expect(&TokenKind::Close)?;
                Ok(inner)
            }
            Some(TokenKind::Word(word)) if word == "null" => {
                self.position += 1;
                self.node(Expr::Null, &[])
            }
            Some(TokenKind::Word(word)) if word == "case" => {
                self.position += 1;
                self.enter()?;
                let case = self.case();
                self.depth -= 1;
                case
            }
            Some(TokenKind::Word(_) | TokenKind::Quoted(_)) => self.column_or_function(),
            _ => self.error("an expression"),
        }
    }

    fn case(&mut self) -> Result<Parsed, ParseError> {
        let mut heights = Vec::new();
        let operand = if self.is_keyword("when") {
            None
        } else {
            let (operand, height) = self.parsed()?;
            heights.push(height);
            Some(Box::new(operand))
        };
        let mut branches = Vec::new();
        while self.eat_keyword("when") {
            let (when, when_height) = self.parsed()?;
            self.expect_keyword("then")?;
            let (then, then_height) = self.parsed()?;
            heights.extend([when_height, then_height]);
            branches.push((when, then));
        }
        if branches.is_empty() {
            return self.error("WHEN");
        }
        let otherwise = if self.eat_keyword("else") {
            let (otherwise, height) = self.parsed()?;
            heights.push(height);
            Some(Box::new(otherwise))
        } else {
            None
        };
        self.expect_keyword("end")?;
        self.node(
            Expr::Case {
                operand,
                branches,
                otherwise,
            },
            &heights,
        )
    }

    fn column_or_function(&mut self) -> Result<Parsed, ParseError> {
        let first = self.identifier("an expression")?;
        let second = if self.peek_kind() == Some(&TokenKind::Dot) {
            self.position += 1;
            Some(self.identifier("a column name")?)
        } else {
            None
        };
        if self.peek_kind() != Some(&TokenKind::Open) {
            let column = match second {
                Some(name) => Expr::Column {
                    table: Some(first),
                    name,
                },
                None => Expr::Column {
                    table: None,
                    name: first,
                },
            };
            return self.node(column, &[]);
        }
        self.position += 1;
        let name = match second {
            Some(second) => format!("{first}.{second}"),
            None => first,
        };
        if name == "count" && self.peek_kind() == Some(&TokenKind::Star) {
            self.position += 1;
            self.expect(&TokenKind::Close)?;
            return self.node(Expr::CountStar, &[]);
        }
        let distinct = self.eat_keyword("distinct");
        let mut args = Vec::new();
        let mut heights = Vec::new();
        if !self.eat(&TokenKind::Close) {
            loop {
                let (arg, height) = self.parsed()?;
                args.push(arg);
                heights.push(height);
                if self.eat(&TokenKind::Close) {
                    break;
                }
                self.expect(&TokenKind::Comma)?;
            }
        }
        self.node(
            Expr::Function {
                name,
                distinct,
                args,
            },
            &heights,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn column(table: Option<&str>, name: &str) -> Expr {
        Expr::Column {
            table: table.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    #[test]
    fn parses_the_connector_shaped_query() {
        let query = parse(
            "SELECT t.id, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate \
             FROM transaction t INNER JOIN transactionline tl ON tl.transaction = t.id \
             WHERE t.type = 'PurchOrd' AND tl.mainline = 'F' AND t.id > 5 \
             ORDER BY t.lastmodifieddate ASC, t.id FETCH FIRST 10 ROWS ONLY",
        )
        .expect("parses");
        assert_eq!(query.items.len(), 2);
        assert_eq!(query.from.alias.as_deref(), Some("t"));
        assert_eq!(query.joins[0].kind, JoinKind::Inner);
        assert_eq!(query.order_by.len(), 2);
        assert_eq!(query.fetch, Some(10));
        assert_eq!(
            query.order_by[1].expr,
            column(Some("t"), "id"),
            "ORDER BY keeps its columns"
        );
    }

    #[test]
    fn precedence_and_errors() {
        let query = parse("SELECT a FROM x WHERE NOT a = 1 OR b BETWEEN 1 AND 2 AND c IS NOT NULL")
            .expect("parses");
        let Some(Expr::Binary {
            op: BinaryOp::Or,
            left,
            right,
        }) = query.where_clause
        else {
            panic!("OR at the top");
        };
        assert!(matches!(
            *left,
            Expr::Unary {
                op: UnaryOp::Not,
                ..
            }
        ));
        assert!(matches!(
            *right,
            Expr::Binary {
                op: BinaryOp::And,
                ..
            }
        ));
        for bad in [
            "DELETE FROM transaction",
            "SELECT FROM transaction",
            "SELECT id FROM",
            "SELECT id FROM t WHERE",
            "SELECT id FROM (SELECT id FROM t)",
            "SELECT id FROM t WHERE id IN (SELECT id FROM u)",
            "SELECT id FROM t ORDER BY",
            "SELECT id FROM t FETCH FIRST x ROWS ONLY",
            "SELECT id FROM t UNION SELECT id FROM u",
            "SELECT id FROM t HAVING id > 1",
            "SELECT 'a FROM t",
            "SELECT id FROM t WHERE a NOT = 1",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = format!("SELECT {}1{} FROM t", "(".repeat(500), ")".repeat(500));
        assert!(
            parse(&deep).is_err(),
            "deep nesting is refused, not a stack overflow"
        );
        let long = format!("SELECT 1{} FROM t", " + 1".repeat(20_000));
        assert!(
            parse(&long).is_err(),
            "a long chain is as tall as deep nesting"
        );
        let conditions = vec!["a = 1"; 20_000].join(" AND ");
        assert!(parse(&format!("SELECT a FROM t WHERE {conditions}")).is_err());
        let fine = vec!["a = 1"; 60].join(" AND ");
        assert!(parse(&format!("SELECT a FROM t WHERE {fine}")).is_ok());
        let wide = (0..5_000)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            parse(&format!("SELECT a FROM t WHERE a IN ({wide})")).is_ok(),
            "wide is fine"
        );
    }

    fn arb_ident() -> impl Strategy<Value = String> {
        prop_oneof!["[a-z_][a-z0-9_]{0,8}", "[A-Za-z ][A-Za-z0-9 \"]{0,6}",]
            .prop_filter("not empty", |s| !s.is_empty())
    }

    fn arb_leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            (proptest::option::of(arb_ident()), arb_ident())
                .prop_map(|(table, name)| Expr::Column { table, name }),
            "[ -~]{0,10}".prop_map(Expr::String),
            (0_i64..1_000_000, 0_u32..4)
                .prop_map(|(n, scale)| Expr::Number(Decimal::new(n, scale))),
            Just(Expr::Null),
            Just(Expr::CountStar),
        ]
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        let ops = [
            BinaryOp::Or,
            BinaryOp::And,
            BinaryOp::Eq,
            BinaryOp::NotEq,
            BinaryOp::Lt,
            BinaryOp::LtEq,
            BinaryOp::Gt,
            BinaryOp::GtEq,
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Concat,
        ];
        arb_leaf().prop_recursive(4, 24, 3, move |inner| {
            prop_oneof![
                (0..ops.len(), inner.clone(), inner.clone()).prop_map(move |(op, l, r)| {
                    Expr::Binary {
                        op: ops[op],
                        left: Box::new(l),
                        right: Box::new(r),
                    }
                }),
                (any::<bool>(), inner.clone()).prop_map(|(not, e)| Expr::Unary {
                    op: if not { UnaryOp::Not } else { UnaryOp::Neg },
                    expr: Box::new(e),
                }),
                (
                    inner.clone(),
                    prop::collection::vec(inner.clone(), 1..3),
                    any::<bool>()
                )
                    .prop_map(|(e, list, negated)| Expr::InList {
                        expr: Box::new(e),
                        list,
                        negated,
                    }),
                (inner.clone(), inner.clone(), inner.clone(), any::<bool>()).prop_map(
                    |(e, low, high, negated)| Expr::Between {
                        expr: Box::new(e),
                        low: Box::new(low),
                        high: Box::new(high),
                        negated,
                    }
                ),
                (inner.clone(), any::<bool>()).prop_map(|(e, negated)| Expr::IsNull {
                    expr: Box::new(e),
                    negated,
                }),
                (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(e, p, negated)| {
                    Expr::Like {
                        expr: Box::new(e),
                        pattern: Box::new(p),
                        negated,
                    }
                }),
                (
                    prop_oneof![
                        Just("to_char"),
                        Just("nvl"),
                        Just("builtin.df"),
                        Just("upper")
                    ],
                    any::<bool>(),
                    prop::collection::vec(inner.clone(), 0..3)
                )
                    .prop_map(|(name, distinct, args)| Expr::Function {
                        name: name.to_owned(),
                        distinct,
                        args,
                    }),
                (
                    proptest::option::of(inner.clone()),
                    prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                    proptest::option::of(inner)
                )
                    .prop_map(|(operand, branches, otherwise)| Expr::Case {
                        operand: operand.map(Box::new),
                        branches,
                        otherwise: otherwise.map(Box::new),
                    }),
            ]
        })
    }

    fn arb_select() -> impl Strategy<Value = Select> {
        (
            any::<bool>(),
            prop::collection::vec(
                prop_oneof![
                    Just(SelectItem::Wildcard),
                    arb_ident().prop_map(SelectItem::QualifiedWildcard),
                    (arb_expr(), proptest::option::of(arb_ident()))
                        .prop_map(|(expr, alias)| SelectItem::Expr { expr, alias }),
                ],
                1..4,
            ),
            (arb_ident(), proptest::option::of(arb_ident())),
            prop::collection::vec(
                (
                    any::<bool>(),
                    arb_ident(),
                    proptest::option::of(arb_ident()),
                    arb_expr(),
                ),
                0..3,
            ),
            proptest::option::of(arb_expr()),
            prop::collection::vec(arb_expr(), 0..2),
            prop::collection::vec(
                (
                    arb_expr(),
                    any::<bool>(),
                    proptest::option::of(any::<bool>()),
                ),
                0..3,
            ),
            proptest::option::of(0_u64..1_000_000),
            proptest::option::of(0_u64..1_000_000),
        )
            .prop_map(
                |(
                    distinct,
                    items,
                    (name, alias),
                    joins,
                    where_clause,
                    group_by,
                    order,
                    offset,
                    fetch,
                )| {
                    Select {
                        distinct,
                        items,
                        from: TableRef { name, alias },
                        joins: joins
                            .into_iter()
                            .map(|(left, name, alias, on)| Join {
                                kind: if left {
                                    JoinKind::Left
                                } else {
                                    JoinKind::Inner
                                },
                                table: TableRef { name, alias },
                                on,
                            })
                            .collect(),
                        where_clause,
                        group_by,
                        order_by: order
                            .into_iter()
                            .map(|(expr, descending, nulls_first)| OrderItem {
                                expr,
                                descending,
                                nulls_first,
                            })
                            .collect(),
                        offset,
                        fetch,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn printing_then_parsing_gives_the_same_query(select in arb_select()) {
            let printed = select.to_string();
            prop_assert_eq!(parse(&printed), Ok(select), "{}", printed);
        }

        #[test]
        fn arbitrary_input_never_panics(text in "\\PC{0,120}") {
            let _ = parse(&text);
        }

        #[test]
        fn sql_shaped_input_never_panics(
            words in prop::collection::vec(
                prop_oneof![
                    Just("SELECT"), Just("FROM"), Just("WHERE"), Just("("), Just(")"), Just("a"),
                    Just("t.id"), Just(","), Just("'x'"), Just("1"), Just("AND"), Just("NOT"),
                    Just("IN"), Just("BETWEEN"), Just("CASE"), Just("WHEN"), Just("END"),
                    Just("JOIN"), Just("ON"), Just("ORDER"), Just("BY"), Just("="), Just("*"),
                    Just("FETCH"), Just("FIRST"), Just("ROWS"), Just("ONLY"), Just("-"),
                ],
                0..40,
            )
        ) {
            let _ = parse(&words.join(" "));
        }
    }
}
