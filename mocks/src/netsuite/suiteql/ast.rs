//! The SuiteQL syntax tree and its printer.
//!
//! The printer writes canonical SQL that the parser reads back to the same tree: every
//! compound operand is parenthesised (the tree keeps no parentheses of its own), identifiers
//! that are reserved words or not plain lower-case words are double-quoted, strings
//! single-quoted with `''`.

use std::fmt;

use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Select {
    pub(crate) distinct: bool,
    pub(crate) items: Vec<SelectItem>,
    pub(crate) from: TableRef,
    pub(crate) joins: Vec<Join>,
    pub(crate) where_clause: Option<Expr>,
    pub(crate) group_by: Vec<Expr>,
    pub(crate) order_by: Vec<OrderItem>,
    /// `OFFSET n ROWS`.
    pub(crate) offset: Option<u64>,
    /// `FETCH FIRST n ROWS ONLY`.
    pub(crate) fetch: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SelectItem {
    /// `*`
    Wildcard,
    /// `t.*`
    QualifiedWildcard(String),
    Expr {
        expr: Expr,
        alias: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TableRef {
    pub(crate) name: String,
    pub(crate) alias: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Left,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Join {
    pub(crate) kind: JoinKind,
    pub(crate) table: TableRef,
    pub(crate) on: Expr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderItem {
    pub(crate) expr: Expr,
    pub(crate) descending: bool,
    /// `NULLS FIRST` (`Some(true)`), `NULLS LAST` (`Some(false)`), or Oracle's default.
    pub(crate) nulls_first: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Concat,
}

impl BinaryOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Concat => "||",
        }
    }

    pub(crate) fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::NotEq
                | BinaryOp::Lt
                | BinaryOp::LtEq
                | BinaryOp::Gt
                | BinaryOp::GtEq
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    Column {
        table: Option<String>,
        name: String,
    },
    String(String),
    Number(Decimal),
    Null,
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    /// `name(args)`; `name` is lower case and may be qualified (`builtin.df`).
    Function {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
    },
    /// `COUNT(*)`
    CountStar,
    Case {
        operand: Option<Box<Expr>>,
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
}

/// Words that cannot be bare identifiers.
pub(crate) const RESERVED: &[&str] = &[
    "select",
    "from",
    "where",
    "and",
    "or",
    "not",
    "in",
    "is",
    "null",
    "like",
    "between",
    "join",
    "inner",
    "left",
    "right",
    "full",
    "outer",
    "cross",
    "on",
    "order",
    "by",
    "group",
    "having",
    "as",
    "distinct",
    "case",
    "when",
    "then",
    "else",
    "end",
    "union",
    "all",
    "asc",
    "desc",
    "fetch",
    "offset",
    "intersect",
    "minus",
    "escape",
];

pub(crate) fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '$' | '#'))
        && !RESERVED.contains(&name)
}

pub(crate) struct Ident<'a>(pub(crate) &'a str);

impl fmt::Display for Ident<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_bare_identifier(self.0) {
            f.write_str(self.0)
        } else {
            write!(f, "\"{}\"", self.0.replace('"', "\"\""))
        }
    }
}

/// An operand, parenthesised when it is compound.
struct Operand<'a>(&'a Expr);

impl fmt::Display for Operand<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expr::Column { .. }
            | Expr::String(_)
            | Expr::Number(_)
            | Expr::Null
            | Expr::Function { .. }
            | Expr::CountStar
            | Expr::Case { .. } => write!(f, "{}", self.0),
            compound => write!(f, "({compound})"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column {
                table: Some(table),
                name,
            } => write!(f, "{}.{}", Ident(table), Ident(name)),
            Expr::Column { table: None, name } => write!(f, "{}", Ident(name)),
            Expr::String(text) => write!(f, "'{}'", text.replace('\'', "''")),
            Expr::Number(number) => write!(f, "{number}"),
            Expr::Null => f.write_str("NULL"),
            Expr::Unary {
                op: UnaryOp::Not,
                expr,
            } => write!(f, "NOT {}", Operand(expr)),
            Expr::Unary {
                op: UnaryOp::Neg,
                expr,
            } => write!(f, "-{}", Operand(expr)),
            Expr::Binary { op, left, right } => {
                write!(f, "{} {} {}", Operand(left), op.symbol(), Operand(right))
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                write!(
                    f,
                    "{}{} IN (",
                    Operand(expr),
                    if *negated { " NOT" } else { "" }
                )?;
                for (position, item) in list.iter().enumerate() {
                    if position > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => write!(
                f,
                "{}{} BETWEEN {} AND {}",
                Operand(expr),
                if *negated { " NOT" } else { "" },
                Operand(low),
                Operand(high)
            ),
            Expr::IsNull { expr, negated } => write!(
                f,
                "{} IS {}NULL",
                Operand(expr),
                if *negated { "NOT " } else { "" }
            ),
            Expr::Like {
                expr,
                pattern,
                negated,
            } => write!(
                f,
                "{}{} LIKE {}",
                Operand(expr),
                if *negated { " NOT" } else { "" },
                Operand(pattern)
            ),
            Expr::Function {
                name,
                distinct,
                args,
            } => {
                let mut parts = name.split('.');
                if let Some(first) = parts.next() {
                    write!(f, "{}", Ident(first))?;
                }
                for part in parts {
                    write!(f, ".{}", Ident(part))?;
                }
                f.write_str("(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                for (position, arg) in args.iter().enumerate() {
                    if position > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
            Expr::CountStar => f.write_str("COUNT(*)"),
            Expr::Case {
                operand,
                branches,
                otherwise,
            } => {
                f.write_str("CASE")?;
                if let Some(operand) = operand {
                    write!(f, " {}", Operand(operand))?;
                }
                for (when, then) in branches {
                    write!(f, " WHEN {when} THEN {then}")?;
                }
                if let Some(otherwise) = otherwise {
                    write!(f, " ELSE {otherwise}")?;
                }
                f.write_str(" END")
            }
        }
    }
}

impl fmt::Display for TableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Ident(&self.name))?;
        if let Some(alias) = &self.alias {
            write!(f, " {}", Ident(alias))?;
        }
        Ok(())
    }
}

impl fmt::Display for Select {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SELECT ")?;
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        for (position, item) in self.items.iter().enumerate() {
            if position > 0 {
                f.write_str(", ")?;
            }
            match item {
                SelectItem::Wildcard => f.write_str("*")?,
                SelectItem::QualifiedWildcard(table) => write!(f, "{}.*", Ident(table))?,
                SelectItem::Expr { expr, alias } => {
                    write!(f, "{expr}")?;
                    if let Some(alias) = alias {
                        write!(f, " AS {}", Ident(alias))?;
                    }
                }
            }
        }
        write!(f, " FROM {}", self.from)?;
        for join in &self.joins {
            let kind = match join.kind {
                JoinKind::Inner => "INNER JOIN",
                JoinKind::Left => "LEFT OUTER JOIN",
            };
            write!(f, " {kind} {} ON {}", join.table, join.on)?;
        }
        if let Some(condition) = &self.where_clause {
            write!(f, " WHERE {condition}")?;
        }
        if !self.group_by.is_empty() {
            f.write_str(" GROUP BY ")?;
            for (position, expr) in self.group_by.iter().enumerate() {
                if position > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{expr}")?;
            }
        }
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            for (position, item) in self.order_by.iter().enumerate() {
                if position > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{}", item.expr)?;
                if item.descending {
                    f.write_str(" DESC")?;
                }
                match item.nulls_first {
                    Some(true) => f.write_str(" NULLS FIRST")?,
                    Some(false) => f.write_str(" NULLS LAST")?,
                    None => {}
                }
            }
        }
        if let Some(offset) = self.offset {
            write!(f, " OFFSET {offset} ROWS")?;
        }
        if let Some(fetch) = self.fetch {
            write!(f, " FETCH FIRST {fetch} ROWS ONLY")?;
        }
        Ok(())
    }
}
