//! The record API's collection filter, `q=` (reference §1.2 "Record Collection Filtering").
//!
//! `q=<field> <OPERATOR> [value | [v1, v2, …]] [AND|OR …]`, parentheses for precedence, values
//! quoted (`"1/1/2022"`) or bare (`barbara`, `42`). A real parser: a tokenizer and a recursive
//! descent over
//!
//! ```text
//! expr      := and_expr ("OR" and_expr)*
//! and_expr  := primary ("AND" primary)*
//! primary   := "(" expr ")" | condition
//! condition := FIELD OPERATOR values?
//! values    := value ("," value)* | "[" value ("," value)* "]"
//! ```
//!
//! to an AST ([`Filter`]) that prints back to an equivalent query ([`Filter`]'s `Display`).
//! Operators are checked against the field's type (`AFTER` on a date, `START_WITH` on a
//! string, …) and values against the type (`Unparseable date`), all as NetSuite's 400
//! `INVALID_PARAMETER`; unknown fields are `NONEXISTENT_FIELD`.
//!
//! Date values: an ISO 8601 instant (`2026-03-15T00:00:00Z`, any offset) or the account's date
//! format `M/D/YYYY` (optionally with ` h:mm am|pm`), read in UTC. A bare date covers its whole
//! day: `AFTER "3/1/2026"` is from March 2 on, `ON_OR_AFTER` from March 1, `ON` that day.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use super::data::{SECONDS_PER_DAY, Stamp};
use super::error::NsError;

/// Comparison operators, without their `_NOT` form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Empty,
    Is,
    AnyOf,
    Between,
    Within,
    Equal,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Contain,
    StartWith,
    EndWith,
    After,
    Before,
    On,
    OnOrAfter,
    OnOrBefore,
}

const OPERATORS: [(&str, Op); 18] = [
    ("EMPTY", Op::Empty),
    ("IS", Op::Is),
    ("ANY_OF", Op::AnyOf),
    ("BETWEEN", Op::Between),
    ("WITHIN", Op::Within),
    ("EQUAL", Op::Equal),
    ("GREATER", Op::Greater),
    ("GREATER_OR_EQUAL", Op::GreaterOrEqual),
    ("LESS", Op::Less),
    ("LESS_OR_EQUAL", Op::LessOrEqual),
    ("CONTAIN", Op::Contain),
    ("START_WITH", Op::StartWith),
    ("END_WITH", Op::EndWith),
    ("AFTER", Op::After),
    ("BEFORE", Op::Before),
    ("ON", Op::On),
    ("ON_OR_AFTER", Op::OnOrAfter),
    ("ON_OR_BEFORE", Op::OnOrBefore),
];

impl Op {
    pub(crate) fn name(self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("EMPTY", |(name, _)| name)
    }

    /// How many values the operator takes: `(min, max)`.
    fn arity(self) -> (usize, usize) {
        match self {
            Op::Empty => (0, 0),
            Op::AnyOf => (1, usize::MAX),
            Op::Between | Op::Within => (2, 2),
            _ => (1, 1),
        }
    }

    /// Parses `OPERATOR` or `OPERATOR_NOT` (and the documented spelling `ENDWITH`).
    fn parse(word: &str) -> Option<(Op, bool)> {
        let upper = word.to_ascii_uppercase();
        let (base, negated) = match upper.strip_suffix("_NOT") {
            Some(base) => (base.to_owned(), true),
            None => (upper, false),
        };
        let base = if base == "ENDWITH" {
            String::from("END_WITH")
        } else {
            base
        };
        OPERATORS
            .iter()
            .find(|(name, _)| *name == base)
            .map(|(_, op)| (*op, negated))
    }
}

/// One condition: `field OP values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Condition {
    pub(crate) field: String,
    pub(crate) op: Op,
    pub(crate) negated: bool,
    pub(crate) values: Vec<String>,
}

/// A parsed `q` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    Condition(Condition),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
}

fn syntax_error(detail: impl fmt::Display) -> NsError {
    NsError::invalid_query_param(
        "q",
        format!("Invalid search query. Detailed unprocessed description follows. {detail}"),
    )
}

fn tokenize(text: &str) -> Result<Vec<Token>, NsError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((position, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '[' => tokens.push(Token::OpenBracket),
            ']' => tokens.push(Token::CloseBracket),
            ',' => tokens.push(Token::Comma),
            '"' => {
                let mut value = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.next() {
                            Some((_, escaped)) => value.push(escaped),
                            None => break,
                        },
                        other => value.push(other),
                    }
                }
                if !closed {
                    return Err(syntax_error(format_args!(
                        "Unterminated quoted value starting at position {position}."
                    )));
                }
                tokens.push(Token::Quoted(value));
            }
            first => {
                let mut word = String::from(first);
                while let Some((_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | ',' | '"') {
                        break;
                    }
                    word.push(*c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    conditions: usize,
}

/// Conditions one filter may hold: the tree is evaluated (and dropped) recursively, so its size
/// is bounded; real filters have a handful.
const MAX_CONDITIONS: usize = 100;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(word)) if word.eq_ignore_ascii_case(keyword))
    }

    fn expr(&mut self, depth: usize) -> Result<Filter, NsError> {
        if depth > 64 {
            return Err(syntax_error("The query is nested too deeply."));
        }
        let mut left = self.and_expr(depth)?;
        while self.keyword("OR") {
            self.position += 1;
            let right = self.and_expr(depth)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: usize) -> Result<Filter, NsError> {
        let mut left = self.primary(depth)?;
        while self.keyword("AND") {
            self.position += 1;
            let right = self.primary(depth)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self, depth: usize) -> Result<Filter, NsError> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.expr(depth + 1)?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(syntax_error("Missing closing parenthesis.")),
                }
            }
            Some(Token::Word(field)) => {
                if field.eq_ignore_ascii_case("AND") || field.eq_ignore_ascii_case("OR") {
                    return Err(syntax_error(format_args!(
                        "Expected a field name, found {field}."
                    )));
                }
                let Some(Token::Word(operator)) = self.next() else {
                    return Err(syntax_error(format_args!(
                        "Expected an operator after {field}."
                    )));
                };
                let (op, negated) = Op::parse(&operator)
                    .ok_or_else(|| syntax_error(format_args!("Unknown operator {operator}.")))?;
                let values = self.values(op)?;
                let (min, max) = op.arity();
                if values.len() < min || values.len() > max {
                    return Err(syntax_error(format_args!(
                        "Operator {operator} takes {} value(s), {} given.",
                        if min == max {
                            min.to_string()
                        } else {
                            format!("at least {min}")
                        },
                        values.len()
                    )));
                }
                self.conditions += 1;
                if self.conditions > MAX_CONDITIONS {
                    return Err(syntax_error(format_args!(
                        "The query has more than {MAX_CONDITIONS} conditions."
                    )));
                }
                Ok(Filter::Condition(Condition {
                    field,
                    op,
                    negated,
                    values,
                }))
            }
            Some(other) => Err(syntax_error(format_args!(
                "Unexpected {} where a condition was expected.",
                describe(&other)
            ))),
            None => Err(syntax_error(
                "The query ends where a condition was expected.",
            )),
        }
    }

    fn value(&mut self) -> Result<String, NsError> {
        match self.next() {
            Some(Token::Word(word)) => Ok(word),
            Some(Token::Quoted(text)) => Ok(text),
            Some(other) => Err(syntax_error(format_args!(
                "Unexpected {} where a value was expected.",
                describe(&other)
            ))),
            None => Err(syntax_error("The query ends where a value was expected.")),
        }
    }

    fn values(&mut self, op: Op) -> Result<Vec<String>, NsError> {
        if op.arity().1 == 0 {
            return Ok(Vec::new());
        }
        if self.peek() == Some(&Token::OpenBracket) {
            self.position += 1;
            let mut values = vec![self.value()?];
            loop {
                match self.next() {
                    Some(Token::Comma) => values.push(self.value()?),
                    Some(Token::CloseBracket) => return Ok(values),
                    _ => return Err(syntax_error("Missing closing bracket of a value list.")),
                }
            }
        }
        // A bare AND/OR right after an operator is a missing value, not a value.
        if self.keyword("AND") || self.keyword("OR") {
            return Err(syntax_error("Missing value."));
        }
        let mut values = vec![self.value()?];
        while self.peek() == Some(&Token::Comma) {
            self.position += 1;
            values.push(self.value()?);
        }
        Ok(values)
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(word) => word.clone(),
        Token::Quoted(text) => format!("\"{text}\""),
        Token::Open => String::from("("),
        Token::Close => String::from(")"),
        Token::OpenBracket => String::from("["),
        Token::CloseBracket => String::from("]"),
        Token::Comma => String::from(","),
    }
}

/// Parses a `q` value.
pub(crate) fn parse(text: &str) -> Result<Filter, NsError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        conditions: 0,
    };
    let filter = parser.expr(0)?;
    if let Some(extra) = parser.peek() {
        return Err(syntax_error(format_args!(
            "Unexpected {} after the end of the query.",
            describe(extra)
        )));
    }
    Ok(filter)
}

fn quote(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.op.name())?;
        if self.negated {
            f.write_str("_NOT")?;
        }
        match self.values.as_slice() {
            [] => Ok(()),
            [single] if self.op != Op::AnyOf => write!(f, " {}", quote(single)),
            many => {
                let list: Vec<String> = many.iter().map(|v| quote(v)).collect();
                write!(f, " [{}]", list.join(", "))
            }
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Condition(condition) => write!(f, "{condition}"),
            Filter::And(left, right) => {
                // Left-associative: only a right operand of the same or lower precedence needs
                // parentheses to keep its grouping.
                let left_text = match **left {
                    Filter::Or(..) => format!("({left})"),
                    _ => left.to_string(),
                };
                let right_text = match **right {
                    Filter::Condition(_) => right.to_string(),
                    _ => format!("({right})"),
                };
                write!(f, "{left_text} AND {right_text}")
            }
            Filter::Or(left, right) => {
                let right_text = match **right {
                    Filter::Or(..) => format!("({right})"),
                    _ => right.to_string(),
                };
                write!(f, "{left} OR {right_text}")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Field types and evaluation

/// The type of a filterable field, deciding its operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldType {
    Boolean,
    Number,
    String,
    Date,
    DateTime,
    /// A reference or list value, matched by id (`ANY_OF`).
    Select,
}

impl FieldType {
    fn allows(self, op: Op) -> bool {
        match self {
            FieldType::Boolean => matches!(op, Op::Is),
            FieldType::Number => matches!(
                op,
                Op::Empty
                    | Op::AnyOf
                    | Op::Between
                    | Op::Within
                    | Op::Equal
                    | Op::Greater
                    | Op::GreaterOrEqual
                    | Op::Less
                    | Op::LessOrEqual
            ),
            FieldType::String => matches!(
                op,
                Op::Empty | Op::Is | Op::Contain | Op::StartWith | Op::EndWith
            ),
            FieldType::Date | FieldType::DateTime => matches!(
                op,
                Op::Empty
                    | Op::After
                    | Op::Before
                    | Op::On
                    | Op::OnOrAfter
                    | Op::OnOrBefore
                    | Op::Within
            ),
            FieldType::Select => matches!(op, Op::Empty | Op::AnyOf | Op::Is | Op::Equal),
        }
    }
}

/// The value of a field of one record, as a filter reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldValue {
    Null,
    Bool(bool),
    Number(Decimal),
    Text(String),
    Date(NaiveDate),
    Instant(Stamp),
    /// The id of a reference or list value.
    Select(String),
}

/// A record a filter can read.
pub(crate) trait Filterable {
    /// The value of a filterable field by its canonical name.
    fn field(&self, name: &str) -> FieldValue;
}

/// A value of a date condition: a whole day or an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Moment {
    Day(NaiveDate),
    At(Stamp),
}

impl Moment {
    /// `[start, end)` in seconds.
    fn span(self) -> (i64, i64) {
        match self {
            Moment::Day(date) => {
                let start = date.and_time(NaiveTime::MIN).and_utc().timestamp();
                (start, start + SECONDS_PER_DAY)
            }
            Moment::At(stamp) => (stamp.0, stamp.0 + 1),
        }
    }
}

fn unparseable_date(text: &str) -> NsError {
    NsError::invalid_query_param(
        "q",
        format!(
            "Invalid search query. Detailed unprocessed description follows. Search error \
             occurred: Parse of date/time \"{text}\" failed with date format \"M/d/yyyy\" in \
             time zone GMT. Caused by: java.text.ParseException: Unparseable date: \"{text}\""
        ),
    )
}

fn parse_moment(text: &str) -> Result<Moment, NsError> {
    let trimmed = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(trimmed) {
        return Ok(Moment::At(Stamp(at.timestamp())));
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%m/%d/%Y") {
        return Ok(Moment::Day(date));
    }
    for format in ["%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(&trimmed.to_ascii_uppercase(), format) {
            return Ok(Moment::At(Stamp(at.and_utc().timestamp())));
        }
    }
    Err(unparseable_date(text))
}

fn parse_number(text: &str) -> Result<Decimal, NsError> {
    text.trim().parse::<Decimal>().map_err(|_| {
        NsError::invalid_query_param(
            "q",
            format!(
                "Invalid search query. Detailed unprocessed description follows. Search error \
                 occurred: Invalid number \"{text}\"."
            ),
        )
    })
}

fn parse_bool(text: &str) -> Result<bool, NsError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" => Ok(true),
        "false" | "f" => Ok(false),
        _ => Err(NsError::invalid_query_param(
            "q",
            format!(
                "Invalid search query. Detailed unprocessed description follows. Search error \
                 occurred: Invalid boolean value \"{text}\"."
            ),
        )),
    }
}

/// A value checked against its field type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    Bool(bool),
    Number(Decimal),
    Text(String),
    Moment(Moment),
}

/// A filter checked against a record type's fields, ready to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Compiled {
    Condition {
        field: &'static str,
        kind: FieldType,
        op: Op,
        negated: bool,
        operands: Vec<Operand>,
    },
    And(Box<Compiled>, Box<Compiled>),
    Or(Box<Compiled>, Box<Compiled>),
}

/// Checks `filter` against the filterable fields of a record type (canonical name and type).
pub(crate) fn compile(
    filter: &Filter,
    fields: &[(&'static str, FieldType)],
    record_type: &str,
) -> Result<Compiled, NsError> {
    match filter {
        Filter::And(left, right) => Ok(Compiled::And(
            Box::new(compile(left, fields, record_type)?),
            Box::new(compile(right, fields, record_type)?),
        )),
        Filter::Or(left, right) => Ok(Compiled::Or(
            Box::new(compile(left, fields, record_type)?),
            Box::new(compile(right, fields, record_type)?),
        )),
        Filter::Condition(condition) => {
            let Some((field, kind)) = fields
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&condition.field))
            else {
                return Err(NsError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "NONEXISTENT_FIELD",
                    format!(
                        "Invalid search query. Detailed unprocessed description follows. Field \
                         '{}' for record '{record_type}' was not found or is not filterable.",
                        condition.field
                    ),
                ));
            };
            if !kind.allows(condition.op) {
                return Err(NsError::invalid_query_param(
                    "q",
                    format!(
                        "Invalid search query. Detailed unprocessed description follows. \
                         Operator {} is not valid for field '{field}'.",
                        condition.op.name()
                    ),
                ));
            }
            let operands = condition
                .values
                .iter()
                .map(|value| match kind {
                    FieldType::Boolean => parse_bool(value).map(Operand::Bool),
                    FieldType::Number => parse_number(value).map(Operand::Number),
                    FieldType::Date | FieldType::DateTime => {
                        parse_moment(value).map(Operand::Moment)
                    }
                    FieldType::String | FieldType::Select => Ok(Operand::Text(value.clone())),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Compiled::Condition {
                field,
                kind: *kind,
                op: condition.op,
                negated: condition.negated,
                operands,
            })
        }
    }
}

impl Compiled {
    pub(crate) fn matches(&self, record: &dyn Filterable) -> bool {
        match self {
            Compiled::And(left, right) => left.matches(record) && right.matches(record),
            Compiled::Or(left, right) => left.matches(record) || right.matches(record),
            Compiled::Condition {
                field,
                kind,
                op,
                negated,
                operands,
            } => {
                let value = record.field(field);
                condition_holds(*kind, *op, operands, &value) != *negated
            }
        }
    }

    /// The smallest `lastModifiedDate` a matching record can have, when the filter's top-level
    /// conjunction bounds it from below: scans start there.
    pub(crate) fn changed_since(&self, field: &str) -> Option<Stamp> {
        match self {
            Compiled::And(left, right) => {
                match (left.changed_since(field), right.changed_since(field)) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                }
            }
            Compiled::Or(..) => None,
            Compiled::Condition {
                field: name,
                op,
                negated: false,
                operands,
                ..
            } if *name == field => {
                let Some(Operand::Moment(moment)) = operands.first() else {
                    return None;
                };
                let (start, end) = moment.span();
                match op {
                    Op::After => Some(Stamp(end)),
                    Op::OnOrAfter | Op::On | Op::Within => Some(Stamp(start)),
                    _ => None,
                }
            }
            Compiled::Condition { .. } => None,
        }
    }

    /// The smallest id a matching record can have, from a top-level bound on `id`.
    pub(crate) fn min_id(&self) -> Option<u64> {
        match self {
            Compiled::And(left, right) => match (left.min_id(), right.min_id()) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            Compiled::Condition {
                field: "id",
                op,
                negated: false,
                operands,
                ..
            } => {
                let numbers: Vec<Decimal> = operands
                    .iter()
                    .filter_map(|o| match o {
                        Operand::Number(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                let smallest = numbers.iter().min()?;
                let floor = |d: Decimal| u64::try_from(d.ceil()).ok();
                match op {
                    Op::Greater => smallest.floor().checked_add(Decimal::ONE).and_then(floor),
                    Op::GreaterOrEqual | Op::Equal | Op::AnyOf | Op::Between | Op::Within => {
                        floor(*smallest)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

fn instant_span(value: &FieldValue) -> Option<(i64, i64)> {
    match value {
        FieldValue::Instant(stamp) => Some((stamp.0, stamp.0 + 1)),
        FieldValue::Date(date) => Some(Moment::Day(*date).span()),
        _ => None,
    }
}

fn condition_holds(kind: FieldType, op: Op, operands: &[Operand], value: &FieldValue) -> bool {
    let empty = match value {
        FieldValue::Null => true,
        FieldValue::Text(text) | FieldValue::Select(text) => text.is_empty(),
        _ => false,
    };
    if op == Op::Empty {
        return empty;
    }
    if empty {
        return false;
    }
    match kind {
        FieldType::Boolean => match (value, operands.first()) {
            (FieldValue::Bool(b), Some(Operand::Bool(wanted))) => b == wanted,
            _ => false,
        },
        FieldType::Number => {
            let FieldValue::Number(n) = value else {
                return false;
            };
            let numbers: Vec<Decimal> = operands
                .iter()
                .filter_map(|o| match o {
                    Operand::Number(n) => Some(*n),
                    _ => None,
                })
                .collect();
            match (op, numbers.as_slice()) {
                (Op::AnyOf, list) => list.contains(n),
                (Op::Equal, [x]) => n == x,
                (Op::Greater, [x]) => n > x,
                (Op::GreaterOrEqual, [x]) => n >= x,
                (Op::Less, [x]) => n < x,
                (Op::LessOrEqual, [x]) => n <= x,
                (Op::Between | Op::Within, [low, high]) => n >= low && n <= high,
                _ => false,
            }
        }
        FieldType::String => {
            let FieldValue::Text(text) = value else {
                return false;
            };
            let Some(Operand::Text(wanted)) = operands.first() else {
                return false;
            };
            // NetSuite's text search ignores case.
            let (text, wanted) = (text.to_lowercase(), wanted.to_lowercase());
            match op {
                Op::Is => text == wanted,
                Op::Contain => text.contains(&wanted),
                Op::StartWith => text.starts_with(&wanted),
                Op::EndWith => text.ends_with(&wanted),
                _ => false,
            }
        }
        FieldType::Select => {
            let FieldValue::Select(id) = value else {
                return false;
            };
            operands.iter().any(|o| match o {
                Operand::Text(wanted) => wanted.eq_ignore_ascii_case(id),
                _ => false,
            })
        }
        FieldType::Date | FieldType::DateTime => {
            let Some((at, _)) = instant_span(value) else {
                return false;
            };
            let moments: Vec<(i64, i64)> = operands
                .iter()
                .filter_map(|o| match o {
                    Operand::Moment(m) => Some(m.span()),
                    _ => None,
                })
                .collect();
            let date_field = kind == FieldType::Date;
            match (op, moments.as_slice()) {
                // A date field compares whole days; a datetime field the instant (a datetime
                // value) or the day's span (a date value).
                (Op::After, [(start, end)]) => {
                    if date_field || end - start > 1 {
                        at >= *end
                    } else {
                        at > *start
                    }
                }
                (Op::OnOrAfter, [(start, _)]) => at >= *start,
                (Op::Before, [(start, _)]) => at < *start,
                (Op::OnOrBefore, [(start, end)]) => {
                    if date_field || end - start > 1 {
                        at < *end
                    } else {
                        at <= *start
                    }
                }
                (Op::On, [(start, end)]) => {
                    if end - start > 1 {
                        at >= *start && at < *end
                    } else {
                        // The same minute: stamps have minute precision.
                        at - at.rem_euclid(60) == start - start.rem_euclid(60)
                    }
                }
                (Op::Within, [(start, _), (_, end)]) => at >= *start && at < *end,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Record(Vec<(&'static str, FieldValue)>);

    impl Filterable for Record {
        fn field(&self, name: &str) -> FieldValue {
            self.0
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(FieldValue::Null, |(_, v)| v.clone())
        }
    }

    const FIELDS: [(&str, FieldType); 5] = [
        ("id", FieldType::Number),
        ("lastModifiedDate", FieldType::DateTime),
        ("companyName", FieldType::String),
        ("isInactive", FieldType::Boolean),
        ("subsidiary", FieldType::Select),
    ];

    fn record() -> Record {
        Record(vec![
            ("id", FieldValue::Number(Decimal::from(42))),
            (
                "lastModifiedDate",
                FieldValue::Instant(Stamp(1_772_438_400)), // 2026-03-02T08:00:00Z
            ),
            (
                "companyName",
                FieldValue::Text(String::from("Apex Steel Inc.")),
            ),
            ("isInactive", FieldValue::Bool(false)),
            ("subsidiary", FieldValue::Select(String::from("1"))),
        ])
    }

    fn check(query: &str, expected: Result<bool, &str>) {
        let outcome = parse(query)
            .and_then(|filter| compile(&filter, &FIELDS, "vendor"))
            .map(|compiled| compiled.matches(&record()));
        match (outcome, expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{query}"),
            (Err(error), Err(code)) => {
                assert_eq!(error.details[0].code, code, "{query}: {:?}", error.details)
            }
            (got, want) => panic!("{query}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn conditions_evaluate_by_field_type() {
        let cases: &[(&str, Result<bool, &str>)] = &[
            ("lastModifiedDate AFTER \"2026-03-02T07:59:00Z\"", Ok(true)),
            ("lastModifiedDate AFTER \"2026-03-02T08:00:00Z\"", Ok(false)),
            (
                "lastModifiedDate ON_OR_AFTER \"2026-03-02T08:00:00Z\"",
                Ok(true),
            ),
            ("lastModifiedDate ON \"3/2/2026\"", Ok(true)),
            ("lastModifiedDate AFTER \"3/1/2026\"", Ok(true)),
            ("lastModifiedDate AFTER \"3/2/2026\"", Ok(false)),
            ("lastModifiedDate BEFORE \"3/3/2026 8:00 am\"", Ok(true)),
            (
                "lastModifiedDate ON_OR_BEFORE \"2026-03-02T09:00:00+01:00\"",
                Ok(true),
            ),
            (
                "lastModifiedDate WITHIN \"3/1/2026\", \"3/2/2026\"",
                Ok(true),
            ),
            (
                "lastModifiedDate AFTER \"2026-03-01\"",
                Err("INVALID_PARAMETER"),
            ),
            ("companyName START_WITH apex", Ok(true)),
            (
                "companyName CONTAIN \"steel\" AND isInactive IS false",
                Ok(true),
            ),
            ("companyName END_WITH_NOT \"inc.\"", Ok(false)),
            ("companyName ENDWITH \"Inc.\"", Ok(true)),
            ("companyName IS \"apex steel inc.\" OR id EQUAL 1", Ok(true)),
            ("id ANY_OF [1, 42, 7]", Ok(true)),
            ("id ANY_OF 1, 2", Ok(false)),
            (
                "id BETWEEN [40, 50] AND (subsidiary ANY_OF 2 OR companyName EMPTY_NOT)",
                Ok(true),
            ),
            ("id GREATER_NOT 41", Ok(false)),
            ("companyName EMPTY", Ok(false)),
            ("email EMPTY", Err("NONEXISTENT_FIELD")),
            ("companyName AFTER \"1/1/2026\"", Err("INVALID_PARAMETER")),
            ("id EQUAL abc", Err("INVALID_PARAMETER")),
            ("id EQUAL", Err("INVALID_PARAMETER")),
            ("id EQUAL 1 AND", Err("INVALID_PARAMETER")),
            ("(id EQUAL 42", Err("INVALID_PARAMETER")),
            ("id FROBNICATE 1", Err("INVALID_PARAMETER")),
            ("companyName IS \"unterminated", Err("INVALID_PARAMETER")),
            ("isInactive IS maybe", Err("INVALID_PARAMETER")),
            ("id GREATER 79228162514264337593543950335", Ok(false)),
        ];
        for (query, expected) in cases {
            check(query, *expected);
        }
    }

    #[test]
    fn long_filters_are_refused_not_overflowed() {
        let long = vec!["id EQUAL 1"; 5_000].join(" AND ");
        assert!(parse(&long).is_err());
        let fine = vec!["id EQUAL 1"; 50].join(" OR ");
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn bounds_come_from_the_top_level_conjunction_only() {
        let compiled =
            |q: &str| compile(&parse(q).expect("parses"), &FIELDS, "vendor").expect("ok");
        let since = compiled("lastModifiedDate AFTER \"3/1/2026\" AND id GREATER 99");
        assert_eq!(
            since.changed_since("lastModifiedDate"),
            Some(Stamp(1_772_409_600))
        );
        assert_eq!(since.min_id(), Some(100));
        let either = compiled("lastModifiedDate AFTER \"3/1/2026\" OR id EQUAL 3");
        assert_eq!(either.changed_since("lastModifiedDate"), None);
        assert_eq!(either.min_id(), None);
    }

    fn arb_value() -> impl Strategy<Value = String> {
        "[ -~]{0,12}"
    }

    fn arb_condition() -> impl Strategy<Value = Filter> {
        (
            "[a-zA-Z][a-zA-Z0-9_]{0,10}",
            0..OPERATORS.len(),
            any::<bool>(),
            prop::collection::vec(arb_value(), 1..4),
        )
            .prop_map(|(field, op, negated, values)| {
                let op = OPERATORS[op].1;
                let (min, max) = op.arity();
                let values: Vec<String> = values.into_iter().take(max).collect();
                let mut values = values;
                while values.len() < min {
                    values.push(String::from("x"));
                }
                Filter::Condition(Condition {
                    field,
                    op,
                    negated,
                    values,
                })
            })
            .prop_filter("field is not a keyword", |f| match f {
                Filter::Condition(c) => {
                    !c.field.eq_ignore_ascii_case("and") && !c.field.eq_ignore_ascii_case("or")
                }
                _ => true,
            })
    }

    fn arb_filter() -> impl Strategy<Value = Filter> {
        arb_condition().prop_recursive(4, 16, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
            ]
        })
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_filter(filter in arb_filter()) {
            let printed = filter.to_string();
            let parsed = parse(&printed);
            prop_assert_eq!(parsed, Ok(filter), "{}", printed);
        }

        #[test]
        fn arbitrary_input_never_panics(text in "\\PC{0,80}") {
            if let Ok(filter) = parse(&text) {
                let _ = compile(&filter, &FIELDS, "vendor").map(|c| c.matches(&record()));
            }
        }
    }
}
