//! Compiles an `oslc.where` tree against an object structure and evaluates it on records.
//!
//! Compilation resolves names (attributes of the main object, `relation.attr` through a 1:1
//! relationship, `child.attr` over a child collection with "any child" semantics) and types
//! every literal by its attribute: dates are read in the server's offset, numbers exactly,
//! `"*"` becomes a null test, `%` a case-insensitive LIKE, `!="[A,B]"` a NOT IN. Comparisons
//! with a null value are false, as in SQL. The compiled form also yields the lower bound it
//! puts on the change stamp, which lets the data layer skip history that cannot match.

use chrono::FixedOffset;
use rust_decimal::Decimal;

use super::error::MaximoError;
use super::oslc_where::{Expr, Literal, Op};
use super::schema::{Attr, Kind, OsDef, Record, Relation};
use super::value::{Value, parse_date};

/// What a test reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    Attr(usize),
    /// An attribute of the record a 1:1 relationship leads to.
    Related(&'static Relation, usize),
    /// An attribute of any child of a collection.
    Child(usize, usize),
}

#[derive(Clone, Debug)]
pub(crate) enum Test {
    NotNull,
    IsNull,
    Compare(Op, Value),
    Like { pattern: String, negated: bool },
    In { values: Vec<Value>, negated: bool },
}

/// A compiled filter.
#[derive(Clone, Debug)]
pub(crate) enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Test { target: Target, test: Test },
}

/// Resolves a 1:1 relationship of a record (the emulator's data answers it).
pub(crate) type Resolver<'a> = &'a dyn Fn(&'static Relation, &Record) -> Option<Record>;

fn unknown(path: &[String], os: &OsDef) -> MaximoError {
    MaximoError::syntax(format!(
        "Encountered \"{}\". The attribute is not defined for the object structure {}.",
        path.join("."),
        os.name
    ))
}

/// Compiles `expr` for `os`; dates without an offset are read in `offset`.
pub(crate) fn compile(expr: &Expr, os: &OsDef, offset: FixedOffset) -> Result<Cond, MaximoError> {
    match expr {
        Expr::And(items) => Ok(Cond::All(
            items
                .iter()
                .map(|item| compile(item, os, offset))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Or(items) => Ok(Cond::Any(
            items
                .iter()
                .map(|item| compile(item, os, offset))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Compare { path, op, value } => {
            let (target, attr) = resolve(path, os)?;
            Ok(Cond::Test {
                target,
                test: compile_compare(attr, *op, value, offset)?,
            })
        }
        Expr::In { path, values } => {
            let (target, attr) = resolve(path, os)?;
            let values = values
                .iter()
                .map(|literal| typed(attr, literal, offset))
                .collect::<Result<_, _>>()?;
            Ok(Cond::Test {
                target,
                test: Test::In {
                    values,
                    negated: false,
                },
            })
        }
    }
}

fn resolve(path: &[String], os: &OsDef) -> Result<(Target, &'static Attr), MaximoError> {
    let mbo = os.mbo;
    match path {
        [name] => {
            let index = mbo.attr(name).ok_or_else(|| unknown(path, os))?;
            Ok((Target::Attr(index), &mbo.attrs[index]))
        }
        [first, name] => {
            if let Some(child) = mbo.child(first) {
                let child_mbo = mbo.children[child].mbo;
                let index = child_mbo.attr(name).ok_or_else(|| unknown(path, os))?;
                return Ok((Target::Child(child, index), &child_mbo.attrs[index]));
            }
            let relation = os.relation(first).ok_or_else(|| unknown(path, os))?;
            let index = relation
                .target
                .attr(name)
                .ok_or_else(|| unknown(path, os))?;
            Ok((
                Target::Related(relation, index),
                &relation.target.attrs[index],
            ))
        }
        _ => Err(unknown(path, os)),
    }
}

fn compile_compare(
    attr: &Attr,
    op: Op,
    literal: &Literal,
    offset: FixedOffset,
) -> Result<Test, MaximoError> {
    if let Literal::Str(text) = literal {
        if text == "*" && matches!(op, Op::Eq | Op::Ne) {
            return Ok(if op == Op::Eq {
                Test::NotNull
            } else {
                Test::IsNull
            });
        }
        if matches!(attr.kind, Kind::Upper | Kind::Aln) && matches!(op, Op::Eq | Op::Ne) {
            if text.contains('%') {
                return Ok(Test::Like {
                    pattern: text.to_lowercase(),
                    negated: op == Op::Ne,
                });
            }
            if let Some(list) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                let values = list
                    .split(',')
                    .map(|item| typed(attr, &Literal::Str(item.trim().to_owned()), offset))
                    .collect::<Result<_, _>>()?;
                return Ok(Test::In {
                    values,
                    negated: op == Op::Ne,
                });
            }
        }
    }
    Ok(Test::Compare(op, typed(attr, literal, offset)?))
}

fn bad_literal(attr: &Attr, literal: &Literal) -> MaximoError {
    let shown = match literal {
        Literal::Str(text) => format!("\"{text}\""),
        Literal::Num(number) => number.to_string(),
        Literal::Bool(flag) => flag.to_string(),
    };
    MaximoError::syntax(format!(
        "Encountered {shown}. The value is not valid for the attribute {} of type {:?}.",
        attr.name, attr.kind
    ))
}

/// A literal as a value of `attr`'s type.
fn typed(attr: &Attr, literal: &Literal, offset: FixedOffset) -> Result<Value, MaximoError> {
    let value = match (attr.kind, literal) {
        (Kind::Upper, Literal::Str(text)) => Some(Value::Str(text.to_uppercase())),
        (Kind::Aln, Literal::Str(text)) => Some(Value::Str(text.clone())),
        (Kind::Upper | Kind::Aln, Literal::Num(number)) => Some(Value::Str(number.to_string())),
        (Kind::Int | Kind::Dec, Literal::Num(number)) => Some(Value::Dec(*number)),
        (Kind::Int | Kind::Dec, Literal::Str(text)) => {
            text.trim().parse::<Decimal>().ok().map(Value::Dec)
        }
        (Kind::Bool, Literal::Bool(flag)) => Some(Value::Bool(*flag)),
        (Kind::Bool, Literal::Num(number)) if *number == Decimal::ONE => Some(Value::Bool(true)),
        (Kind::Bool, Literal::Num(number)) if number.is_zero() => Some(Value::Bool(false)),
        (Kind::Bool, Literal::Str(text)) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "y" => Some(Value::Bool(true)),
            "false" | "0" | "n" => Some(Value::Bool(false)),
            _ => None,
        },
        (Kind::Date, Literal::Str(text)) => parse_date(text, offset).map(Value::Date),
        _ => None,
    };
    value.ok_or_else(|| bad_literal(attr, literal))
}

impl Cond {
    /// Whether `record` passes; `resolve` answers relationships.
    pub(crate) fn matches(&self, record: &Record, resolve: Resolver<'_>) -> bool {
        match self {
            Cond::All(items) => items.iter().all(|item| item.matches(record, resolve)),
            Cond::Any(items) => items.iter().any(|item| item.matches(record, resolve)),
            Cond::Test { target, test } => match target {
                Target::Attr(attr) => test.passes(record.get(*attr)),
                Target::Related(relation, attr) => match resolve(relation, record) {
                    Some(related) => test.passes(related.get(*attr)),
                    None => test.passes(&Value::Null),
                },
                Target::Child(child, attr) => record
                    .children
                    .get(*child)
                    .is_some_and(|rows| rows.iter().any(|row| test.passes(row.get(*attr)))),
            },
        }
    }

    /// Whether only attributes of the main object in `available` are read.
    pub(crate) fn reads_only(&self, available: &dyn Fn(usize) -> bool) -> bool {
        match self {
            Cond::All(items) | Cond::Any(items) => {
                items.iter().all(|item| item.reads_only(available))
            }
            Cond::Test { target, .. } => matches!(target, Target::Attr(attr) if available(*attr)),
        }
    }

    /// The earliest value of attribute `attr` (a date) a matching record can have.
    pub(crate) fn lower_bound(&self, attr: usize) -> Option<i64> {
        match self {
            Cond::All(items) => items.iter().filter_map(|item| item.lower_bound(attr)).max(),
            Cond::Any(items) => items
                .iter()
                .map(|item| item.lower_bound(attr))
                .collect::<Option<Vec<i64>>>()?
                .into_iter()
                .min(),
            Cond::Test {
                target: Target::Attr(read),
                test,
            } if *read == attr => match test {
                Test::Compare(Op::Gt, Value::Date(at)) => at.checked_add(1),
                Test::Compare(Op::Ge | Op::Eq, Value::Date(at)) => Some(*at),
                Test::In {
                    values,
                    negated: false,
                } => values
                    .iter()
                    .map(Value::as_date)
                    .collect::<Option<Vec<i64>>>()?
                    .into_iter()
                    .min(),
                _ => None,
            },
            Cond::Test { .. } => None,
        }
    }
}

impl Test {
    fn passes(&self, value: &Value) -> bool {
        match self {
            Test::NotNull => !value.is_null(),
            Test::IsNull => value.is_null(),
            Test::Compare(op, literal) => {
                compare(value, literal).is_some_and(|ordering| match op {
                    Op::Eq => ordering.is_eq(),
                    Op::Ne => ordering.is_ne(),
                    Op::Gt => ordering.is_gt(),
                    Op::Ge => ordering.is_ge(),
                    Op::Lt => ordering.is_lt(),
                    Op::Le => ordering.is_le(),
                })
            }
            Test::Like { pattern, negated } => match value {
                Value::Str(text) => like(&text.to_lowercase(), pattern) != *negated,
                _ => false,
            },
            Test::In { values, negated } => {
                if value.is_null() {
                    return false;
                }
                let found = values
                    .iter()
                    .any(|candidate| compare(value, candidate).is_some_and(|o| o.is_eq()));
                found != *negated
            }
        }
    }
}

/// Orders a stored value against a typed literal; `None` when either is null or the types do
/// not meet (booleans only compare for equality).
pub(crate) fn compare(value: &Value, literal: &Value) -> Option<std::cmp::Ordering> {
    match (value, literal) {
        (Value::Str(a), Value::Str(b)) => Some(a.as_str().cmp(b.as_str())),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(if a == b {
            std::cmp::Ordering::Equal
        } else {
            std::cmp::Ordering::Less
        }),
        (a, b) => Some(a.as_dec()?.cmp(&b.as_dec()?)),
    }
}

/// SQL LIKE with `%` only, on lower-cased text.
fn like(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('%').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return text.is_empty();
    };
    if parts.len() == 1 {
        return text == *first;
    }
    if !text.starts_with(first) {
        return false;
    }
    let mut rest = &text[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::oslc_where::parse;
    use crate::maximo::schema::{MXAPIWODETAIL, WORKORDER, wo};
    use crate::maximo::value::parse_offset;

    fn no_relations(_: &'static Relation, _: &Record) -> Option<Record> {
        None
    }

    #[test]
    fn like_matches_wildcards() {
        assert!(like("replace pump seal", "%pump%"));
        assert!(like("pump", "pump%"));
        assert!(!like("a pump", "pump%"));
        assert!(like("abc", "a%c"));
        assert!(!like("ab", "a%b%c"));
        assert!(like("", "%"));
    }

    #[test]
    fn compiled_filters_follow_maximo_semantics() {
        let offset = parse_offset("-05:00");
        let mut record = WORKORDER.blank();
        record.set(wo::STATUS, Value::str("APPR"));
        record.set(wo::DESCRIPTION, Value::str("Replace Pump seal"));
        record.set(wo::WOPRIORITY, Value::Int(2));
        record.set(wo::CHANGEDATE, Value::Date(1_700_000_000));
        record.set(wo::ISTASK, Value::Bool(false));
        let check = |text: &str, expected: bool| {
            let cond =
                compile(&parse(text).expect("parses"), &MXAPIWODETAIL, offset).expect("compiles");
            assert_eq!(cond.matches(&record, &no_relations), expected, "{text}");
        };
        check("status=\"appr\"", true);
        check("description=\"%pump%\"", true);
        check("description!=\"%pump%\"", false);
        check("assetnum=\"*\"", false);
        check("assetnum!=\"*\"", true);
        check("status!=\"[WAPPR,INPRG]\"", true);
        check("status in [WAPPR,APPR]", true);
        check("wopriority>=2 and wopriority<3", true);
        check("wopriority=\"2\"", true);
        check("istask=0", true);
        check("assetnum>\"A\"", false);
        check("changedate>\"2023-11-14T22:13:19Z\"", true);
        check("changedate>\"2023-11-14T22:13:20Z\"", false);
        check("changedate>=\"2023-11-14T17:13:20\"", true);
        check("status=\"WAPPR\" or (wopriority=2 and istask=false)", true);
        for bad in [
            "nosuch=1",
            "changedate>\"soon\"",
            "wopriority=\"x\"",
            "a.b.c=1",
        ] {
            let error =
                compile(&parse(bad).expect("parses"), &MXAPIWODETAIL, offset).expect_err(bad);
            assert_eq!(error.reason, "BMXAA8744E");
        }
    }

    #[test]
    fn lower_bounds_follow_and_or() {
        let offset = parse_offset("+00:00");
        let bound = |text: &str| {
            compile(&parse(text).expect("parses"), &MXAPIWODETAIL, offset)
                .expect("compiles")
                .lower_bound(wo::CHANGEDATE)
        };
        assert_eq!(bound("changedate>=\"1970-01-01T00:01:40Z\""), Some(100));
        assert_eq!(bound("changedate>\"1970-01-01T00:01:40Z\""), Some(101));
        assert_eq!(
            bound(
                "changedate>\"1970-01-01T00:01:40Z\" or (changedate=\"1970-01-01T00:01:40Z\" and wonum>\"1\")"
            ),
            Some(100)
        );
        assert_eq!(
            bound("changedate>\"1970-01-01T00:01:40Z\" or wonum>\"1\""),
            None
        );
        assert_eq!(
            bound("status=\"APPR\" and changedate>=\"1970-01-01T00:01:40Z\""),
            Some(100)
        );
        assert_eq!(bound("status=\"APPR\""), None);
    }
}
