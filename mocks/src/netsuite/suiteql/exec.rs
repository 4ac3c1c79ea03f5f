//! Planning and running a parsed SuiteQL query over the emulator's data.
//!
//! Names are resolved first (unknown tables and fields get NetSuite's "Record 'x' was not
//! found" / "Field 'y' for record 'x' was not found"). The first table drives the scan; joins
//! look their rows up by id (or `transaction`, or `item`) when the `ON` condition compares that
//! column with the rows already bound, and otherwise scan the (small) joined table once.
//! Conditions of the top-level conjunction on a transaction's `id` (or a line's `transaction`)
//! and `lastmodifieddate` narrow the transaction scan: it starts at the smallest id they allow
//! and skips, by binary search, orders created too early to have changed since the bound.
//!
//! Rows are counted to the end (the envelope's `totalResults`), but only the rows of the page
//! asked for are kept: a top-k by the `ORDER BY` keys, so memory stays bounded by the page and
//! the 100,000-row window, not by the history. `ROWNUM` counts rows as they pass `WHERE`, before
//! `ORDER BY`, as in Oracle; `OFFSET … FETCH FIRST n ROWS ONLY` applies after it.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::ast::{BinaryOp, Expr, JoinKind, Select, SelectItem, UnaryOp};
use super::tables::{Column, Kind, RowRef, Table, Target, display, line_count, lookup, scan_small};
use super::value::{
    Value, ValueError, compare, format_date, implicit_date, like, parse_date, sort_order,
    to_number, trunc_day,
};
use crate::netsuite::data::{NetSuiteData, SECONDS_PER_DAY, Stamp};

/// Rows a query may visit (driving rows and joined rows) before it is refused.
const WORK_BUDGET: u64 = 30_000_000;

/// Why a query was refused: NetSuite's `INVALID_PARAMETER` detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueryError(pub(crate) String);

impl From<ValueError> for QueryError {
    fn from(error: ValueError) -> Self {
        QueryError(error.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Func {
    ToChar,
    ToDate,
    ToNumber,
    Nvl,
    Coalesce,
    Upper,
    Lower,
    Length,
    Substr,
    Trim,
    Round,
    Trunc,
    Abs,
    Floor,
    Ceil,
    Concat,
    Greatest,
    Least,
}

impl Func {
    fn parse(name: &str) -> Option<(Func, usize, usize)> {
        Some(match name {
            "to_char" => (Func::ToChar, 1, 2),
            "to_date" | "to_timestamp" => (Func::ToDate, 1, 2),
            "to_number" => (Func::ToNumber, 1, 1),
            "nvl" => (Func::Nvl, 2, 2),
            "coalesce" => (Func::Coalesce, 1, usize::MAX),
            "upper" => (Func::Upper, 1, 1),
            "lower" => (Func::Lower, 1, 1),
            "length" => (Func::Length, 1, 1),
            "substr" => (Func::Substr, 2, 3),
            "trim" => (Func::Trim, 1, 1),
            "round" => (Func::Round, 1, 2),
            "trunc" => (Func::Trunc, 1, 2),
            "abs" => (Func::Abs, 1, 1),
            "floor" => (Func::Floor, 1, 1),
            "ceil" => (Func::Ceil, 1, 1),
            "concat" => (Func::Concat, 2, 2),
            "greatest" => (Func::Greatest, 1, usize::MAX),
            "least" => (Func::Least, 1, usize::MAX),
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AggKind {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

#[derive(Clone, Debug)]
struct Aggregate {
    kind: AggKind,
    distinct: bool,
    arg: Option<CExpr>,
}

/// A resolved expression.
#[derive(Clone, Debug)]
enum CExpr {
    Col { slot: usize, column: &'static str },
    Lit(Value),
    Rownum,
    Now,
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Cmp(BinaryOp, Box<CExpr>, Box<CExpr>),
    Arith(BinaryOp, Box<CExpr>, Box<CExpr>),
    Concat(Box<CExpr>, Box<CExpr>),
    InList(Box<CExpr>, Vec<CExpr>, bool),
    Between(Box<CExpr>, Box<CExpr>, Box<CExpr>, bool),
    IsNull(Box<CExpr>, bool),
    Like(Box<CExpr>, Box<CExpr>, bool),
    Func(Func, Vec<CExpr>),
    Display(Target, Box<CExpr>),
    Agg(usize),
    Case(Option<Box<CExpr>>, Vec<(CExpr, CExpr)>, Option<Box<CExpr>>),
}

impl CExpr {
    /// Whether the expression reads no row (a constant, possibly `SYSDATE`).
    fn is_constant(&self) -> bool {
        match self {
            CExpr::Col { .. } | CExpr::Rownum | CExpr::Agg(_) => false,
            CExpr::Lit(_) | CExpr::Now => true,
            CExpr::Not(e) | CExpr::Neg(e) | CExpr::Display(_, e) | CExpr::IsNull(e, _) => {
                e.is_constant()
            }
            CExpr::And(a, b)
            | CExpr::Or(a, b)
            | CExpr::Cmp(_, a, b)
            | CExpr::Arith(_, a, b)
            | CExpr::Concat(a, b)
            | CExpr::Like(a, b, _) => a.is_constant() && b.is_constant(),
            CExpr::InList(e, list, _) => e.is_constant() && list.iter().all(CExpr::is_constant),
            CExpr::Between(e, l, h, _) => e.is_constant() && l.is_constant() && h.is_constant(),
            CExpr::Func(_, args) => args.iter().all(CExpr::is_constant),
            CExpr::Case(operand, branches, otherwise) => {
                operand.as_ref().is_none_or(|o| o.is_constant())
                    && branches
                        .iter()
                        .all(|(w, t)| w.is_constant() && t.is_constant())
                    && otherwise.as_ref().is_none_or(|o| o.is_constant())
            }
        }
    }

    /// The highest slot the expression reads, if any.
    fn max_slot(&self) -> Option<usize> {
        let mut max = None;
        self.visit_columns(&mut |slot| max = Some(max.map_or(slot, |m: usize| m.max(slot))));
        max
    }

    fn visit_columns(&self, f: &mut dyn FnMut(usize)) {
        match self {
            CExpr::Col { slot, .. } => f(*slot),
            CExpr::Lit(_) | CExpr::Rownum | CExpr::Now | CExpr::Agg(_) => {}
            CExpr::Not(e) | CExpr::Neg(e) | CExpr::Display(_, e) | CExpr::IsNull(e, _) => {
                e.visit_columns(f);
            }
            CExpr::And(a, b)
            | CExpr::Or(a, b)
            | CExpr::Cmp(_, a, b)
            | CExpr::Arith(_, a, b)
            | CExpr::Concat(a, b)
            | CExpr::Like(a, b, _) => {
                a.visit_columns(f);
                b.visit_columns(f);
            }
            CExpr::InList(e, list, _) => {
                e.visit_columns(f);
                for item in list {
                    item.visit_columns(f);
                }
            }
            CExpr::Between(e, l, h, _) => {
                e.visit_columns(f);
                l.visit_columns(f);
                h.visit_columns(f);
            }
            CExpr::Func(_, args) => {
                for arg in args {
                    arg.visit_columns(f);
                }
            }
            CExpr::Case(operand, branches, otherwise) => {
                if let Some(o) = operand {
                    o.visit_columns(f);
                }
                for (w, t) in branches {
                    w.visit_columns(f);
                    t.visit_columns(f);
                }
                if let Some(o) = otherwise {
                    o.visit_columns(f);
                }
            }
        }
    }
}

fn conjuncts(expr: &CExpr) -> Vec<&CExpr> {
    match expr {
        CExpr::And(a, b) => {
            let mut all = conjuncts(a);
            all.extend(conjuncts(b));
            all
        }
        other => vec![other],
    }
}

#[derive(Clone, Debug)]
struct SlotDef {
    table: Table,
    alias: String,
}

#[derive(Debug)]
struct JoinPlan {
    kind: JoinKind,
    on: CExpr,
    /// An expression over earlier slots whose value is this table's lookup column.
    key: Option<CExpr>,
}

#[derive(Debug)]
struct OrderPlan {
    expr: CExpr,
    descending: bool,
    nulls_first: bool,
}

/// The environment of one evaluation.
struct Env<'e, 'a> {
    data: &'a NetSuiteData,
    bound: &'e [Option<RowRef<'a>>],
    rownum: u64,
    now: i64,
    aggregates: &'e [Value],
}

struct Planner<'q> {
    slots: Vec<SlotDef>,
    select: &'q Select,
    aggregates: Vec<Aggregate>,
}

fn not_found_table(name: &str) -> QueryError {
    QueryError(format!("Record '{name}' was not found."))
}

impl Planner<'_> {
    fn resolve(&self, table: Option<&str>, name: &str) -> Result<CExpr, QueryError> {
        let name = name.to_ascii_lowercase();
        match table {
            Some(qualifier) => {
                let qualifier = qualifier.to_ascii_lowercase();
                let (slot, def) = self
                    .slots
                    .iter()
                    .enumerate()
                    .find(|(_, s)| s.alias == qualifier)
                    .ok_or_else(|| QueryError(format!("Invalid identifier: {qualifier}.{name}")))?;
                let column = def.table.column(&name).ok_or_else(|| {
                    QueryError(format!(
                        "Field '{name}' for record '{}' was not found.",
                        def.table.name()
                    ))
                })?;
                Ok(CExpr::Col {
                    slot,
                    column: column.name,
                })
            }
            None => {
                match name.as_str() {
                    "rownum" => return Ok(CExpr::Rownum),
                    "sysdate" | "current_date" | "systimestamp" | "current_timestamp" => {
                        return Ok(CExpr::Now);
                    }
                    _ => {}
                }
                let found: Vec<(usize, &'static Column)> = self
                    .slots
                    .iter()
                    .enumerate()
                    .filter_map(|(slot, def)| def.table.column(&name).map(|c| (slot, c)))
                    .collect();
                match found.as_slice() {
                    [(slot, column)] => Ok(CExpr::Col {
                        slot: *slot,
                        column: column.name,
                    }),
                    [] => Err(QueryError(format!(
                        "Field '{name}' for record '{}' was not found.",
                        self.slots.first().map_or("", |s| s.table.name())
                    ))),
                    _ => Err(QueryError(format!("Column ambiguously defined: {name}"))),
                }
            }
        }
    }

    fn kind_of(&self, expr: &CExpr) -> Option<Kind> {
        match expr {
            CExpr::Col { slot, column } => self
                .slots
                .get(*slot)
                .and_then(|s| s.table.column(column))
                .map(|c| c.kind),
            _ => None,
        }
    }

    fn compile(&mut self, expr: &Expr, aggregates_allowed: bool) -> Result<CExpr, QueryError> {
        let sub =
            |planner: &mut Self, e: &Expr| planner.compile(e, aggregates_allowed).map(Box::new);
        Ok(match expr {
            Expr::Column { table, name } => self.resolve(table.as_deref(), name)?,
            Expr::String(text) => CExpr::Lit(Value::Str(text.clone())),
            Expr::Number(n) => CExpr::Lit(Value::Num(*n)),
            Expr::Null => CExpr::Lit(Value::Null),
            Expr::Unary {
                op: UnaryOp::Not,
                expr,
            } => CExpr::Not(sub(self, expr)?),
            Expr::Unary {
                op: UnaryOp::Neg,
                expr,
            } => CExpr::Neg(sub(self, expr)?),
            Expr::Binary { op, left, right } => {
                let (l, r) = (sub(self, left)?, sub(self, right)?);
                match op {
                    BinaryOp::And => CExpr::And(l, r),
                    BinaryOp::Or => CExpr::Or(l, r),
                    BinaryOp::Concat => CExpr::Concat(l, r),
                    op if op.is_comparison() => CExpr::Cmp(*op, l, r),
                    op => CExpr::Arith(*op, l, r),
                }
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let expr = sub(self, expr)?;
                let list = list
                    .iter()
                    .map(|e| self.compile(e, aggregates_allowed))
                    .collect::<Result<Vec<_>, _>>()?;
                CExpr::InList(expr, list, *negated)
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => CExpr::Between(
                sub(self, expr)?,
                sub(self, low)?,
                sub(self, high)?,
                *negated,
            ),
            Expr::IsNull { expr, negated } => CExpr::IsNull(sub(self, expr)?, *negated),
            Expr::Like {
                expr,
                pattern,
                negated,
            } => CExpr::Like(sub(self, expr)?, sub(self, pattern)?, *negated),
            Expr::CountStar => {
                if !aggregates_allowed {
                    return Err(QueryError(String::from(
                        "group function is not allowed here",
                    )));
                }
                self.aggregates.push(Aggregate {
                    kind: AggKind::CountStar,
                    distinct: false,
                    arg: None,
                });
                CExpr::Agg(self.aggregates.len() - 1)
            }
            Expr::Function {
                name,
                distinct,
                args,
            } => {
                let aggregate = match name.as_str() {
                    "count" => Some(AggKind::Count),
                    "sum" => Some(AggKind::Sum),
                    "avg" => Some(AggKind::Avg),
                    "min" => Some(AggKind::Min),
                    "max" => Some(AggKind::Max),
                    _ => None,
                };
                if let Some(kind) = aggregate {
                    if !aggregates_allowed {
                        return Err(QueryError(String::from(
                            "group function is not allowed here",
                        )));
                    }
                    let [arg] = args.as_slice() else {
                        return Err(QueryError(format!(
                            "invalid number of arguments for {}",
                            name.to_uppercase()
                        )));
                    };
                    // Aggregates do not nest.
                    let arg = self.compile(arg, false)?;
                    self.aggregates.push(Aggregate {
                        kind,
                        distinct: *distinct,
                        arg: Some(arg),
                    });
                    return Ok(CExpr::Agg(self.aggregates.len() - 1));
                }
                if *distinct {
                    return Err(QueryError(format!(
                        "DISTINCT is not allowed in {}",
                        name.to_uppercase()
                    )));
                }
                if name == "builtin.df" {
                    let [arg] = args.as_slice() else {
                        return Err(QueryError(String::from(
                            "invalid number of arguments for BUILTIN.DF",
                        )));
                    };
                    let arg = self.compile(arg, aggregates_allowed)?;
                    return Ok(match self.kind_of(&arg) {
                        Some(Kind::Ref(target)) => CExpr::Display(target, Box::new(arg)),
                        _ => CExpr::Func(Func::ToChar, vec![arg]),
                    });
                }
                let (func, min, max) = Func::parse(name).ok_or_else(|| {
                    QueryError(format!("Unknown function {}", name.to_uppercase()))
                })?;
                if args.len() < min || args.len() > max {
                    return Err(QueryError(format!(
                        "invalid number of arguments for {}",
                        name.to_uppercase()
                    )));
                }
                let args = args
                    .iter()
                    .map(|e| self.compile(e, aggregates_allowed))
                    .collect::<Result<Vec<_>, _>>()?;
                CExpr::Func(func, args)
            }
            Expr::Case {
                operand,
                branches,
                otherwise,
            } => {
                let operand = match operand {
                    Some(o) => Some(sub(self, o)?),
                    None => None,
                };
                let branches = branches
                    .iter()
                    .map(|(w, t)| {
                        Ok((
                            self.compile(w, aggregates_allowed)?,
                            self.compile(t, aggregates_allowed)?,
                        ))
                    })
                    .collect::<Result<Vec<_>, QueryError>>()?;
                let otherwise = match otherwise {
                    Some(o) => Some(sub(self, o)?),
                    None => None,
                };
                CExpr::Case(operand, branches, otherwise)
            }
        })
    }
}

fn eval(expr: &CExpr, env: &Env<'_, '_>) -> Result<Value, QueryError> {
    Ok(match expr {
        CExpr::Col { slot, column } => match env.bound.get(*slot) {
            Some(Some(row)) => row.get(column),
            _ => Value::Null,
        },
        CExpr::Lit(value) => value.clone(),
        CExpr::Rownum => Value::Num(Decimal::from(env.rownum)),
        CExpr::Now => Value::Date(env.now),
        CExpr::Agg(index) => env.aggregates.get(*index).cloned().unwrap_or(Value::Null),
        CExpr::Not(_)
        | CExpr::And(..)
        | CExpr::Or(..)
        | CExpr::Cmp(..)
        | CExpr::InList(..)
        | CExpr::Between(..)
        | CExpr::IsNull(..)
        | CExpr::Like(..) => {
            // A condition used as a value (in a select list): Oracle has no booleans; NetSuite
            // accepts it in CASE only, but 'T'/'F' is the least surprising rendering.
            match truth(expr, env)? {
                Some(b) => Value::flag(b),
                None => Value::Null,
            }
        }
        CExpr::Neg(inner) => match eval(inner, env)? {
            Value::Null => Value::Null,
            other => match to_number(&other)? {
                Some(n) => Value::Num(-n),
                None => Value::Null,
            },
        },
        CExpr::Arith(op, left, right) => arith(*op, eval(left, env)?, eval(right, env)?)?,
        CExpr::Concat(left, right) => {
            let l = eval(left, env)?.as_text().unwrap_or_default();
            let r = eval(right, env)?.as_text().unwrap_or_default();
            Value::Str(l + &r)
        }
        CExpr::Func(func, args) => call(*func, args, env)?,
        CExpr::Display(target, arg) => display(env.data, *target, &eval(arg, env)?),
        CExpr::Case(operand, branches, otherwise) => {
            let subject = match operand {
                Some(o) => Some(eval(o, env)?),
                None => None,
            };
            for (when, then) in branches {
                let hit = match &subject {
                    Some(value) => compare(value, &eval(when, env)?)? == Some(Ordering::Equal),
                    None => truth(when, env)? == Some(true),
                };
                if hit {
                    return eval(then, env);
                }
            }
            match otherwise {
                Some(o) => eval(o, env)?,
                None => Value::Null,
            }
        }
    })
}

fn truth(expr: &CExpr, env: &Env<'_, '_>) -> Result<Option<bool>, QueryError> {
    Ok(match expr {
        CExpr::Not(inner) => truth(inner, env)?.map(|b| !b),
        CExpr::And(left, right) => match truth(left, env)? {
            Some(false) => Some(false),
            l => match (l, truth(right, env)?) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
        },
        CExpr::Or(left, right) => match truth(left, env)? {
            Some(true) => Some(true),
            l => match (l, truth(right, env)?) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        },
        CExpr::Cmp(op, left, right) => {
            let ordering = compare(&eval(left, env)?, &eval(right, env)?)?;
            ordering.map(|o| match op {
                BinaryOp::Eq => o == Ordering::Equal,
                BinaryOp::NotEq => o != Ordering::Equal,
                BinaryOp::Lt => o == Ordering::Less,
                BinaryOp::LtEq => o != Ordering::Greater,
                BinaryOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            })
        }
        CExpr::InList(expr, list, negated) => {
            let value = eval(expr, env)?;
            if value.is_null() {
                return Ok(None);
            }
            let mut unknown = false;
            let mut found = false;
            for item in list {
                match compare(&value, &eval(item, env)?)? {
                    Some(Ordering::Equal) => {
                        found = true;
                        break;
                    }
                    None => unknown = true,
                    _ => {}
                }
            }
            match (found, unknown) {
                (true, _) => Some(!negated),
                (false, true) => None,
                (false, false) => Some(*negated),
            }
        }
        CExpr::Between(expr, low, high, negated) => {
            let value = eval(expr, env)?;
            let above = compare(&value, &eval(low, env)?)?.map(|o| o != Ordering::Less);
            let below = compare(&value, &eval(high, env)?)?.map(|o| o != Ordering::Greater);
            match (above, below) {
                (Some(false), _) | (_, Some(false)) => Some(*negated),
                (Some(true), Some(true)) => Some(!negated),
                _ => None,
            }
        }
        CExpr::IsNull(expr, negated) => Some(eval(expr, env)?.is_null() != *negated),
        CExpr::Like(expr, pattern, negated) => {
            let (value, pattern) = (eval(expr, env)?, eval(pattern, env)?);
            match (value.as_text(), pattern.as_text()) {
                (Some(v), Some(p)) => Some(like(&v, &p) != *negated),
                _ => None,
            }
        }
        other => match eval(other, env)? {
            Value::Null => None,
            Value::Str(s) if s == "T" => Some(true),
            Value::Str(s) if s == "F" => Some(false),
            _ => {
                return Err(QueryError(String::from(
                    "a condition was expected where a value was found",
                )));
            }
        },
    })
}

fn arith(op: BinaryOp, left: Value, right: Value) -> Result<Value, QueryError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    // Date arithmetic in days, as Oracle's DATE does it.
    match (&left, &right, op) {
        (Value::Date(a), Value::Date(b), BinaryOp::Sub) => {
            let seconds = i128::from(*a) - i128::from(*b);
            return Ok(Value::Num(
                (Decimal::from_i128_with_scale(seconds, 0) / Decimal::from(SECONDS_PER_DAY))
                    .round_dp(10),
            ));
        }
        (Value::Date(a), other, BinaryOp::Add | BinaryOp::Sub)
        | (other, Value::Date(a), BinaryOp::Add) => {
            let out_of_range = || QueryError(String::from("date arithmetic out of range"));
            let days = to_number(other)?.unwrap_or(Decimal::ZERO);
            let seconds = days
                .checked_mul(Decimal::from(SECONDS_PER_DAY))
                .and_then(|s| s.round().to_i64())
                .ok_or_else(out_of_range)?;
            let moved = if op == BinaryOp::Sub {
                a.checked_sub(seconds)
            } else {
                a.checked_add(seconds)
            };
            return moved.map(Value::Date).ok_or_else(out_of_range);
        }
        (Value::Date(_), _, _) | (_, Value::Date(_), _) => {
            return Err(QueryError(String::from(
                "inconsistent datatypes: invalid date arithmetic",
            )));
        }
        _ => {}
    }
    let (Some(a), Some(b)) = (to_number(&left)?, to_number(&right)?) else {
        return Ok(Value::Null);
    };
    let overflow = || QueryError(String::from("numeric overflow"));
    Ok(Value::Num(match op {
        BinaryOp::Add => a.checked_add(b).ok_or_else(overflow)?,
        BinaryOp::Sub => a.checked_sub(b).ok_or_else(overflow)?,
        BinaryOp::Mul => a.checked_mul(b).ok_or_else(overflow)?,
        _ => {
            if b.is_zero() {
                return Err(QueryError(String::from("divisor is equal to zero")));
            }
            a.checked_div(b).ok_or_else(overflow)?
        }
    }))
}

fn call(func: Func, args: &[CExpr], env: &Env<'_, '_>) -> Result<Value, QueryError> {
    let values = args
        .iter()
        .map(|a| eval(a, env))
        .collect::<Result<Vec<_>, _>>()?;
    let first = values.first().cloned().unwrap_or(Value::Null);
    let number_arg = |index: usize| -> Result<Option<Decimal>, QueryError> {
        Ok(match values.get(index) {
            Some(v) => to_number(v)?,
            None => None,
        })
    };
    let places = |index: usize| -> Result<u32, QueryError> {
        Ok(number_arg(index)?
            .and_then(|d| d.to_i64())
            .map_or(0, |d| u32::try_from(d.clamp(0, 20)).unwrap_or(0)))
    };
    Ok(match func {
        Func::ToChar => match (&first, values.get(1)) {
            (Value::Null, _) => Value::Null,
            (Value::Date(seconds), Some(model)) => match model.as_text() {
                Some(model) => Value::Str(format_date(*seconds, &model)?),
                None => Value::Null,
            },
            (Value::Num(_), Some(_)) => {
                return Err(QueryError(String::from(
                    "number format models are not supported by TO_CHAR here",
                )));
            }
            (value, _) => value.as_text().map_or(Value::Null, Value::Str),
        },
        Func::ToDate => match (&first, values.get(1)) {
            (Value::Null, _) => Value::Null,
            (Value::Date(_), _) => first.clone(),
            (value, model) => {
                let Some(text) = value.as_text() else {
                    return Ok(Value::Null);
                };
                match model.and_then(Value::as_text) {
                    Some(model) => Value::Date(parse_date(&text, &model, env.now)?),
                    // Without a model, the account's date format.
                    None => Value::Date(implicit(&text)?),
                }
            }
        },
        Func::ToNumber => to_number(&first)?.map_or(Value::Null, Value::Num),
        Func::Nvl | Func::Coalesce => values
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null),
        Func::Upper => first
            .as_text()
            .map_or(Value::Null, |t| Value::Str(t.to_uppercase())),
        Func::Lower => first
            .as_text()
            .map_or(Value::Null, |t| Value::Str(t.to_lowercase())),
        Func::Trim => first
            .as_text()
            .map_or(Value::Null, |t| Value::Str(t.trim().to_owned())),
        Func::Length => first.as_text().map_or(Value::Null, |t| {
            Value::Num(Decimal::from(t.chars().count()))
        }),
        Func::Substr => {
            let Some(text) = first.as_text() else {
                return Ok(Value::Null);
            };
            let chars: Vec<char> = text.chars().collect();
            let length = i64::try_from(chars.len()).unwrap_or(i64::MAX);
            let position = number_arg(1)?.and_then(|d| d.to_i64()).unwrap_or(1);
            let start = match position {
                0 => 0,
                p if p > 0 => p - 1,
                p => length + p,
            };
            if start < 0 || start >= length {
                return Ok(Value::Null);
            }
            let take = match number_arg(2)? {
                Some(n) => n.to_i64().unwrap_or(0),
                None => length,
            };
            if take < 1 {
                return Ok(Value::Null);
            }
            let start = usize::try_from(start).unwrap_or(0);
            let end = usize::try_from(take)
                .map_or(chars.len(), |t| start.saturating_add(t).min(chars.len()));
            Value::Str(chars[start..end].iter().collect())
        }
        Func::Round | Func::Trunc => match &first {
            Value::Date(seconds) => Value::Date(trunc_day(*seconds)),
            other => match to_number(other)? {
                Some(n) => {
                    let places = places(1)?;
                    Value::Num(if func == Func::Round {
                        n.round_dp(places)
                    } else {
                        n.trunc_with_scale(places)
                    })
                }
                None => Value::Null,
            },
        },
        Func::Abs => to_number(&first)?.map_or(Value::Null, |n| Value::Num(n.abs())),
        Func::Floor => to_number(&first)?.map_or(Value::Null, |n| Value::Num(n.floor())),
        Func::Ceil => to_number(&first)?.map_or(Value::Null, |n| Value::Num(n.ceil())),
        Func::Concat => Value::Str(
            first.as_text().unwrap_or_default()
                + &values.get(1).and_then(Value::as_text).unwrap_or_default(),
        ),
        Func::Greatest | Func::Least => {
            if values.iter().any(Value::is_null) {
                return Ok(Value::Null);
            }
            let mut best = first.clone();
            for value in values.iter().skip(1) {
                let ordering = compare(value, &best)?;
                let better = match func {
                    Func::Greatest => ordering == Some(Ordering::Greater),
                    _ => ordering == Some(Ordering::Less),
                };
                if better {
                    best = value.clone();
                }
            }
            best
        }
    })
}

fn implicit(text: &str) -> Result<i64, QueryError> {
    Ok(implicit_date(text)?)
}

/// One aggregate's running state.
#[derive(Clone, Debug, Default)]
struct Accumulator {
    count: u64,
    sum: Option<Decimal>,
    best: Option<Value>,
    seen: Option<HashSet<Value>>,
}

impl Accumulator {
    fn feed(&mut self, spec: &Aggregate, value: Option<Value>) -> Result<(), QueryError> {
        let value = match (spec.kind, value) {
            (AggKind::CountStar, _) => {
                self.count += 1;
                return Ok(());
            }
            (_, None) => return Ok(()),
            (_, Some(v)) if v.is_null() => return Ok(()),
            (_, Some(v)) => v,
        };
        if spec.distinct
            && !self
                .seen
                .get_or_insert_with(HashSet::new)
                .insert(value.clone())
        {
            return Ok(());
        }
        self.count += 1;
        match spec.kind {
            AggKind::Sum | AggKind::Avg => {
                let n = to_number(&value)?.unwrap_or(Decimal::ZERO);
                self.sum = Some(
                    self.sum
                        .unwrap_or(Decimal::ZERO)
                        .checked_add(n)
                        .ok_or_else(|| QueryError(String::from("numeric overflow")))?,
                );
            }
            AggKind::Min | AggKind::Max => {
                let replace = match &self.best {
                    None => true,
                    Some(best) => {
                        let ordering = sort_order(&value, best);
                        (spec.kind == AggKind::Min && ordering == Ordering::Less)
                            || (spec.kind == AggKind::Max && ordering == Ordering::Greater)
                    }
                };
                if replace {
                    self.best = Some(value);
                }
            }
            AggKind::Count | AggKind::CountStar => {}
        }
        Ok(())
    }

    fn result(&self, spec: &Aggregate) -> Value {
        match spec.kind {
            AggKind::CountStar | AggKind::Count => Value::Num(Decimal::from(self.count)),
            AggKind::Sum => self.sum.map_or(Value::Null, Value::Num),
            AggKind::Avg => match self.sum {
                Some(sum) if self.count > 0 => {
                    Value::Num((sum / Decimal::from(self.count)).round_dp(12).normalize())
                }
                _ => Value::Null,
            },
            AggKind::Min | AggKind::Max => self.best.clone().unwrap_or(Value::Null),
        }
    }
}

/// A result row before rendering: output values, sort key and arrival order.
struct Kept {
    key: Vec<Value>,
    seq: u64,
    outputs: Vec<Value>,
}

fn order_rows(order: &[OrderPlan], a: &Kept, b: &Kept) -> Ordering {
    for (index, item) in order.iter().enumerate() {
        let (x, y) = (&a.key[index], &b.key[index]);
        let ordering = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if item.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if item.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let natural = sort_order(x, y);
                if item.descending {
                    natural.reverse()
                } else {
                    natural
                }
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.seq.cmp(&b.seq)
}

/// What a query produced for one page.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The rows of the page: `(column, value)` pairs, NULLs left out.
    pub(crate) rows: Vec<Vec<(String, String)>>,
    /// Rows of the whole result.
    pub(crate) total: u64,
}

/// Runs `select` and returns rows `[offset, offset + limit)` of its result.
pub(crate) fn run(
    data: &NetSuiteData,
    now: Stamp,
    select: &Select,
    offset: u64,
    limit: u64,
) -> Result<Outcome, QueryError> {
    // Tables and aliases.
    let mut slots = Vec::new();
    for table_ref in std::iter::once(&select.from).chain(select.joins.iter().map(|j| &j.table)) {
        let table =
            Table::parse(&table_ref.name).ok_or_else(|| not_found_table(&table_ref.name))?;
        let alias = table_ref
            .alias
            .clone()
            .unwrap_or_else(|| table_ref.name.clone())
            .to_ascii_lowercase();
        if slots.iter().any(|s: &SlotDef| s.alias == alias) {
            return Err(QueryError(format!("Duplicate table alias: {alias}")));
        }
        slots.push(SlotDef { table, alias });
    }
    let mut planner = Planner {
        slots,
        select,
        aggregates: Vec::new(),
    };

    // Output columns.
    let mut outputs: Vec<(String, CExpr)> = Vec::new();
    let mut unnamed = 0;
    for item in &planner.select.items {
        match item {
            SelectItem::Wildcard => {
                for (slot, def) in planner.slots.iter().enumerate() {
                    for column in def.table.columns() {
                        outputs.push((
                            column.name.to_owned(),
                            CExpr::Col {
                                slot,
                                column: column.name,
                            },
                        ));
                    }
                }
            }
            SelectItem::QualifiedWildcard(alias) => {
                let alias = alias.to_ascii_lowercase();
                let (slot, def) = planner
                    .slots
                    .iter()
                    .enumerate()
                    .find(|(_, s)| s.alias == alias)
                    .ok_or_else(|| QueryError(format!("Invalid identifier: {alias}.*")))?;
                for column in def.table.columns() {
                    outputs.push((
                        column.name.to_owned(),
                        CExpr::Col {
                            slot,
                            column: column.name,
                        },
                    ));
                }
            }
            SelectItem::Expr { expr, alias } => {
                let compiled = planner.compile(expr, true)?;
                let name = match (alias, expr) {
                    (Some(alias), _) => alias.to_ascii_lowercase(),
                    (None, Expr::Column { name, .. }) => name.to_ascii_lowercase(),
                    (None, _) => {
                        unnamed += 1;
                        format!("expr{unnamed}")
                    }
                };
                outputs.push((name, compiled));
            }
        }
    }
    let select_aggregates = !planner.aggregates.is_empty();

    let where_clause = match &select.where_clause {
        Some(expr) => Some(planner.compile(expr, false)?),
        None => None,
    };
    let mut joins = Vec::new();
    for (position, join) in select.joins.iter().enumerate() {
        let slot = position + 1;
        let on = planner.compile(&join.on, false)?;
        if on.max_slot().is_some_and(|max| max > slot) {
            return Err(QueryError(format!(
                "the ON condition of {} refers to a table joined after it",
                planner.slots[slot].alias
            )));
        }
        let lookup_column = planner.slots[slot].table.lookup_column();
        let key = conjuncts(&on).into_iter().find_map(|c| match c {
            CExpr::Cmp(BinaryOp::Eq, left, right) => match (left.as_ref(), right.as_ref()) {
                (CExpr::Col { slot: s, column }, other)
                | (other, CExpr::Col { slot: s, column })
                    if *s == slot
                        && *column == lookup_column
                        && other.max_slot().is_none_or(|m| m < slot)
                        && !matches!(other, CExpr::Rownum) =>
                {
                    Some(other.clone())
                }
                _ => None,
            },
            _ => None,
        });
        if key.is_none() && planner.slots[slot].table.is_large() {
            return Err(QueryError(format!(
                "the join of {} must compare {}.{} with the tables before it",
                planner.slots[slot].table.name(),
                planner.slots[slot].alias,
                lookup_column
            )));
        }
        joins.push(JoinPlan {
            kind: join.kind,
            on,
            key,
        });
    }
    let grouped = select_aggregates || !select.group_by.is_empty();
    let group_by = select
        .group_by
        .iter()
        .map(|e| planner.compile(e, false))
        .collect::<Result<Vec<_>, _>>()?;
    if grouped {
        for (item, (name, _)) in select.items.iter().zip(&outputs) {
            match item {
                SelectItem::Expr { expr, .. } => {
                    if !grouped_ok(expr, &select.group_by) {
                        return Err(QueryError(format!("not a GROUP BY expression: {name}")));
                    }
                }
                _ => return Err(QueryError(String::from("not a GROUP BY expression: *"))),
            }
        }
    }
    let mut order = Vec::new();
    for item in &select.order_by {
        // ORDER BY names a select-list alias or position first, as Oracle does.
        let by_output = match &item.expr {
            Expr::Column { table: None, name } => outputs
                .iter()
                .find(|(output, _)| output == &name.to_ascii_lowercase())
                .map(|(_, e)| e.clone()),
            Expr::Number(n) if n.fract().is_zero() => {
                let position = n.to_usize().unwrap_or(0);
                Some(
                    outputs
                        .get(position.wrapping_sub(1))
                        .map(|(_, e)| e.clone())
                        .ok_or_else(|| {
                            QueryError(format!("ORDER BY item {position} is out of range"))
                        })?,
                )
            }
            _ => None,
        };
        let expr = match by_output {
            Some(expr) => expr,
            None => planner.compile(&item.expr, grouped)?,
        };
        order.push(OrderPlan {
            expr,
            descending: item.descending,
            nulls_first: item.nulls_first.unwrap_or(item.descending),
        });
    }
    let aggregates = planner.aggregates.clone();
    let slots = planner.slots.clone();

    // Scan hints from the top-level conjunction.
    let mut min_id: u64 = 0;
    let mut since: Option<Stamp> = None;
    let mut rownum_cap: Option<u64> = None;
    let now_seconds = now.0;
    let constant = |e: &CExpr| -> Option<Value> {
        if !e.is_constant() {
            return None;
        }
        let env = Env {
            data,
            bound: &[],
            rownum: 0,
            now: now_seconds,
            aggregates: &[],
        };
        eval(e, &env).ok()
    };
    // Slots whose `id` (or `transaction`, for the driving line table) is the scanned
    // transaction's id.
    let driving = slots.first().map(|s| s.table);
    let mut id_slots: Vec<(usize, &'static str, bool)> = Vec::new();
    match driving {
        Some(Table::Transaction) => id_slots.push((0, "id", true)),
        Some(Table::TransactionLine) => {
            id_slots.push((0, "transaction", false));
            for (position, join) in joins.iter().enumerate() {
                let slot = position + 1;
                if join.kind == JoinKind::Inner
                    && slots[slot].table == Table::Transaction
                    && conjuncts(&join.on).iter().any(|c| {
                        matches!(c, CExpr::Cmp(BinaryOp::Eq, l, r)
                            if matches!((l.as_ref(), r.as_ref()),
                                (CExpr::Col { slot: 0, column: "transaction" }, CExpr::Col { slot: s, column: "id" })
                                | (CExpr::Col { slot: s, column: "id" }, CExpr::Col { slot: 0, column: "transaction" })
                                if *s == slot))
                    })
                {
                    id_slots.push((slot, "id", true));
                }
            }
        }
        Some(Table::Vendor | Table::Item) => id_slots.push((0, "id", false)),
        Some(Table::ItemLocations | Table::AggregateItemLocation) => {
            id_slots.push((0, "item", false))
        }
        _ => {}
    }
    if let Some(condition) = &where_clause {
        for conjunct in conjuncts(condition) {
            let (op, column_side, value) = match conjunct {
                CExpr::Cmp(op, left, right) => match (left.as_ref(), right.as_ref()) {
                    (column @ CExpr::Col { .. }, other) => (Some(*op), column, constant(other)),
                    (other, column @ CExpr::Col { .. }) => {
                        let flipped = match op {
                            BinaryOp::Lt => BinaryOp::Gt,
                            BinaryOp::LtEq => BinaryOp::GtEq,
                            BinaryOp::Gt => BinaryOp::Lt,
                            BinaryOp::GtEq => BinaryOp::LtEq,
                            other => *other,
                        };
                        (Some(flipped), column, constant(other))
                    }
                    (CExpr::Rownum, other) => {
                        if let Some(n) = constant(other).and_then(|v| to_number(&v).ok().flatten())
                        {
                            let cap = match op {
                                BinaryOp::LtEq => n.floor().to_u64(),
                                BinaryOp::Lt => {
                                    n.ceil().checked_sub(Decimal::ONE).and_then(|c| c.to_u64())
                                }
                                BinaryOp::Eq if n == Decimal::ONE => Some(1),
                                _ => None,
                            };
                            if let Some(cap) = cap {
                                rownum_cap = Some(rownum_cap.map_or(cap, |c| c.min(cap)));
                            }
                        }
                        continue;
                    }
                    _ => continue,
                },
                CExpr::Between(expr, low, _, false) => match expr.as_ref() {
                    column @ CExpr::Col { .. } => (Some(BinaryOp::GtEq), column, constant(low)),
                    _ => continue,
                },
                CExpr::InList(expr, list, false) => match expr.as_ref() {
                    column @ CExpr::Col { .. } => {
                        let values: Option<Vec<Value>> = list.iter().map(constant).collect();
                        let smallest = values.and_then(|vs| {
                            vs.iter().filter_map(|v| to_number(v).ok().flatten()).min()
                        });
                        (Some(BinaryOp::GtEq), column, smallest.map(Value::Num))
                    }
                    _ => continue,
                },
                _ => continue,
            };
            let (Some(op), CExpr::Col { slot, column }, Some(value)) = (op, column_side, value)
            else {
                continue;
            };
            if !matches!(op, BinaryOp::Eq | BinaryOp::Gt | BinaryOp::GtEq) {
                continue;
            }
            for (id_slot, id_column, stamped) in &id_slots {
                if slot == id_slot && column == id_column {
                    if let Ok(Some(n)) = to_number(&value) {
                        let bound = if op == BinaryOp::Gt {
                            n.floor().checked_add(Decimal::ONE)
                        } else {
                            Some(n.ceil())
                        };
                        if let Some(bound) = bound.and_then(|b| b.to_u64()) {
                            min_id = min_id.max(bound);
                        }
                    }
                } else if slot == id_slot && *stamped && *column == "lastmodifieddate" {
                    let seconds = match &value {
                        Value::Date(s) => Some(*s),
                        Value::Str(text) => implicit(text).ok(),
                        _ => None,
                    };
                    if let Some(seconds) = seconds {
                        let bound = Stamp(seconds);
                        since = Some(since.map_or(bound, |s| s.max(bound)));
                    }
                }
            }
        }
    }

    // Which right-hand tables are scanned whole (no lookup): read them once.
    let mut materialized: Vec<Option<Vec<RowRef<'_>>>> = Vec::new();
    for (position, join) in joins.iter().enumerate() {
        let table = slots[position + 1].table;
        if join.key.is_none() {
            let mut rows = Vec::new();
            scan_small(data, table, 0, &mut |row| {
                rows.push(row);
                true
            });
            materialized.push(Some(rows));
        } else {
            materialized.push(None);
        }
    }

    // The run.
    let sql_offset = select.offset.unwrap_or(0);
    let wanted = sql_offset.saturating_add(
        select
            .fetch
            .unwrap_or(u64::MAX)
            .min(offset.saturating_add(limit)),
    );
    let mut state = RunState {
        data,
        tables: slots.iter().map(|s| s.table).collect(),
        now: now_seconds,
        joins: &joins,
        materialized: &materialized,
        where_clause: where_clause.as_ref(),
        outputs: &outputs,
        order: &order,
        aggregates: &aggregates,
        group_by: &group_by,
        grouped,
        distinct: select.distinct,
        wanted,
        rownum: 0,
        rownum_cap,
        matched: 0,
        seq: 0,
        work: 0,
        kept: Vec::new(),
        threshold: None,
        seen: HashSet::new(),
        groups: HashMap::new(),
        group_order: Vec::new(),
        error: None,
    };
    let mut bound: Vec<Option<RowRef<'_>>> = Vec::with_capacity(slots.len());
    match driving {
        Some(Table::Transaction) => data.transactions.scan(min_id, since, &mut |handle| {
            bound.clear();
            bound.push(Some(RowRef::Txn(Rc::new(handle))));
            state.step(&mut bound)
        }),
        Some(Table::TransactionLine) => data.transactions.scan(min_id, since, &mut |handle| {
            let handle = Rc::new(handle);
            for index in 0..line_count(&handle) {
                bound.clear();
                bound.push(Some(RowRef::Line(Rc::clone(&handle), index)));
                if !state.step(&mut bound) {
                    return false;
                }
            }
            true
        }),
        Some(table) => scan_small(data, table, min_id, &mut |row| {
            bound.clear();
            bound.push(Some(row));
            state.step(&mut bound)
        }),
        None => {}
    }
    if let Some(error) = state.error.take() {
        return Err(error);
    }
    state.finish(sql_offset, select.fetch, offset, limit)
}

/// Whether every column an expression reads outside aggregates is grouped.
fn grouped_ok(expr: &Expr, group_by: &[Expr]) -> bool {
    if group_by.contains(expr) {
        return true;
    }
    match expr {
        Expr::Column { .. } => false,
        Expr::String(_) | Expr::Number(_) | Expr::Null | Expr::CountStar => true,
        Expr::Function { name, .. }
            if matches!(name.as_str(), "count" | "sum" | "avg" | "min" | "max") =>
        {
            true
        }
        Expr::Function { args, .. } => args.iter().all(|a| grouped_ok(a, group_by)),
        Expr::Unary { expr, .. } | Expr::IsNull { expr, .. } => grouped_ok(expr, group_by),
        Expr::Binary { left, right, .. } => {
            grouped_ok(left, group_by) && grouped_ok(right, group_by)
        }
        Expr::Like { expr, pattern, .. } => {
            grouped_ok(expr, group_by) && grouped_ok(pattern, group_by)
        }
        Expr::InList { expr, list, .. } => {
            grouped_ok(expr, group_by) && list.iter().all(|e| grouped_ok(e, group_by))
        }
        Expr::Between {
            expr, low, high, ..
        } => grouped_ok(expr, group_by) && grouped_ok(low, group_by) && grouped_ok(high, group_by),
        Expr::Case {
            operand,
            branches,
            otherwise,
        } => {
            operand.as_ref().is_none_or(|o| grouped_ok(o, group_by))
                && branches
                    .iter()
                    .all(|(w, t)| grouped_ok(w, group_by) && grouped_ok(t, group_by))
                && otherwise.as_ref().is_none_or(|o| grouped_ok(o, group_by))
        }
    }
}

struct Group<'a> {
    first: Vec<Option<RowRef<'a>>>,
    seq: u64,
    accumulators: Vec<Accumulator>,
}

struct RunState<'r, 'a> {
    data: &'a NetSuiteData,
    /// The table of each slot.
    tables: Vec<Table>,
    now: i64,
    joins: &'r [JoinPlan],
    materialized: &'r [Option<Vec<RowRef<'a>>>],
    where_clause: Option<&'r CExpr>,
    outputs: &'r [(String, CExpr)],
    order: &'r [OrderPlan],
    aggregates: &'r [Aggregate],
    group_by: &'r [CExpr],
    grouped: bool,
    distinct: bool,
    wanted: u64,
    rownum: u64,
    rownum_cap: Option<u64>,
    matched: u64,
    seq: u64,
    work: u64,
    kept: Vec<Kept>,
    threshold: Option<Kept>,
    seen: HashSet<Vec<Value>>,
    groups: HashMap<Vec<Value>, Group<'a>>,
    group_order: Vec<Vec<Value>>,
    error: Option<QueryError>,
}

impl<'a> RunState<'_, 'a> {
    /// Expands the joins of a driving row and handles each full binding; `false` stops the scan.
    fn step(&mut self, bound: &mut Vec<Option<RowRef<'a>>>) -> bool {
        match self.expand(bound) {
            Ok(go_on) => go_on,
            Err(error) => {
                self.error = Some(error);
                false
            }
        }
    }

    fn env<'e>(&self, bound: &'e [Option<RowRef<'a>>], aggregates: &'e [Value]) -> Env<'e, 'a> {
        Env {
            data: self.data,
            bound,
            rownum: self.rownum,
            now: self.now,
            aggregates,
        }
    }

    fn expand(&mut self, bound: &mut Vec<Option<RowRef<'a>>>) -> Result<bool, QueryError> {
        self.work += 1;
        if self.work > WORK_BUDGET {
            return Err(QueryError(String::from(
                "The query reads too many rows; narrow it with conditions on id or lastmodifieddate.",
            )));
        }
        let depth = bound.len();
        if depth > self.joins.len() {
            return self.accept(bound);
        }
        let join = &self.joins[depth - 1];
        let rows: Vec<RowRef<'a>> = match &join.key {
            Some(key) => {
                let value = eval(key, &self.env(bound, &[]))?;
                lookup(self.data, self.table_of(depth), &value)
            }
            None => self.materialized[depth - 1].clone().unwrap_or_default(),
        };
        let mut matched = false;
        for row in rows {
            bound.push(Some(row));
            let hit = truth(&join.on, &self.env(bound, &[]))? == Some(true);
            if hit {
                matched = true;
                if !self.expand(bound)? {
                    bound.pop();
                    return Ok(false);
                }
            }
            bound.pop();
        }
        if !matched && join.kind == JoinKind::Left {
            bound.push(None);
            let go_on = self.expand(bound)?;
            bound.pop();
            return Ok(go_on);
        }
        Ok(true)
    }

    fn table_of(&self, depth: usize) -> Table {
        self.tables.get(depth).copied().unwrap_or(Table::Location)
    }

    fn accept(&mut self, bound: &[Option<RowRef<'a>>]) -> Result<bool, QueryError> {
        if let Some(condition) = self.where_clause {
            // ROWNUM is the number this row would get if it passes.
            self.rownum += 1;
            let passes = truth(condition, &self.env(bound, &[]))? == Some(true);
            if !passes {
                self.rownum -= 1;
                return Ok(true);
            }
        } else {
            self.rownum += 1;
        }
        self.seq += 1;
        if self.grouped {
            let env = self.env(bound, &[]);
            let key = self
                .group_by
                .iter()
                .map(|e| eval(e, &env))
                .collect::<Result<Vec<_>, _>>()?;
            let mut args = Vec::with_capacity(self.aggregates.len());
            for spec in self.aggregates {
                args.push(match &spec.arg {
                    Some(arg) => Some(eval(arg, &env)?),
                    None => None,
                });
            }
            let seq = self.seq;
            let count = self.aggregates.len();
            let group = self.groups.entry(key.clone()).or_insert_with(|| Group {
                first: bound.to_vec(),
                seq,
                accumulators: vec![Accumulator::default(); count],
            });
            if group.seq == seq {
                self.group_order.push(key);
            }
            for ((accumulator, spec), value) in
                group.accumulators.iter_mut().zip(self.aggregates).zip(args)
            {
                accumulator.feed(spec, value)?;
            }
        } else {
            self.collect(bound)?;
        }
        Ok(self.rownum_cap.is_none_or(|cap| self.rownum < cap))
    }

    fn collect(&mut self, bound: &[Option<RowRef<'a>>]) -> Result<(), QueryError> {
        let env = self.env(bound, &[]);
        if self.distinct {
            let outputs = self
                .outputs
                .iter()
                .map(|(_, e)| eval(e, &env))
                .collect::<Result<Vec<_>, _>>()?;
            if !self.seen.insert(outputs.clone()) {
                return Ok(());
            }
            self.matched += 1;
            let key = self
                .order
                .iter()
                .map(|o| eval(&o.expr, &env))
                .collect::<Result<Vec<_>, _>>()?;
            self.kept.push(Kept {
                key,
                seq: self.seq,
                outputs,
            });
            return Ok(());
        }
        self.matched += 1;
        if self.order.is_empty() {
            if (self.kept.len() as u64) < self.wanted {
                let outputs = self
                    .outputs
                    .iter()
                    .map(|(_, e)| eval(e, &env))
                    .collect::<Result<Vec<_>, _>>()?;
                self.kept.push(Kept {
                    key: Vec::new(),
                    seq: self.seq,
                    outputs,
                });
            }
            return Ok(());
        }
        let key = self
            .order
            .iter()
            .map(|o| eval(&o.expr, &env))
            .collect::<Result<Vec<_>, _>>()?;
        let candidate = Kept {
            key,
            seq: self.seq,
            outputs: Vec::new(),
        };
        if let Some(threshold) = &self.threshold
            && order_rows(self.order, &candidate, threshold) != Ordering::Less
        {
            return Ok(());
        }
        let outputs = self
            .outputs
            .iter()
            .map(|(_, e)| eval(e, &env))
            .collect::<Result<Vec<_>, _>>()?;
        self.kept.push(Kept {
            outputs,
            ..candidate
        });
        let cap = usize::try_from(self.wanted).unwrap_or(usize::MAX);
        if self.kept.len() >= cap.saturating_mul(2).max(1024) {
            self.trim(cap);
        }
        Ok(())
    }

    /// Keeps the first `cap` rows in order and remembers the last as the bar to beat.
    fn trim(&mut self, cap: usize) {
        let order = self.order;
        self.kept.sort_by(|a, b| order_rows(order, a, b));
        self.kept.truncate(cap);
        self.threshold = self.kept.last().map(|last| Kept {
            key: last.key.clone(),
            seq: last.seq,
            outputs: Vec::new(),
        });
    }

    fn finish(
        mut self,
        sql_offset: u64,
        fetch: Option<u64>,
        offset: u64,
        limit: u64,
    ) -> Result<Outcome, QueryError> {
        if self.grouped {
            let mut order_keys = Vec::new();
            if self.group_order.is_empty() && self.group_by.is_empty() {
                // An aggregate over no rows still gives one row (COUNT(*) = 0).
                let empty: Vec<Option<RowRef<'a>>> = Vec::new();
                self.groups.insert(
                    Vec::new(),
                    Group {
                        first: empty,
                        seq: 0,
                        accumulators: vec![Accumulator::default(); self.aggregates.len()],
                    },
                );
                self.group_order.push(Vec::new());
            }
            for key in std::mem::take(&mut self.group_order) {
                let Some(group) = self.groups.get(&key) else {
                    continue;
                };
                let results: Vec<Value> = group
                    .accumulators
                    .iter()
                    .zip(self.aggregates)
                    .map(|(a, spec)| a.result(spec))
                    .collect();
                let env = self.env(&group.first, &results);
                let outputs = self
                    .outputs
                    .iter()
                    .map(|(_, e)| eval(e, &env))
                    .collect::<Result<Vec<_>, _>>()?;
                let sort = self
                    .order
                    .iter()
                    .map(|o| eval(&o.expr, &env))
                    .collect::<Result<Vec<_>, _>>()?;
                order_keys.push(Kept {
                    key: sort,
                    seq: group.seq,
                    outputs,
                });
            }
            self.matched = order_keys.len() as u64;
            self.kept = order_keys;
        }
        let order = self.order;
        if !order.is_empty() || self.grouped {
            self.kept.sort_by(|a, b| order_rows(order, a, b));
        }
        let after_offset = self.matched.saturating_sub(sql_offset);
        let total = fetch.map_or(after_offset, |f| after_offset.min(f));
        let start = usize::try_from(sql_offset.saturating_add(offset)).unwrap_or(usize::MAX);
        let end_in_result = sql_offset.saturating_add(total);
        let end = usize::try_from(
            end_in_result.min(sql_offset.saturating_add(offset).saturating_add(limit)),
        )
        .unwrap_or(usize::MAX);
        let rows = self
            .kept
            .iter()
            .skip(start)
            .take(end.saturating_sub(start))
            .map(|kept| {
                self.outputs
                    .iter()
                    .zip(&kept.outputs)
                    .filter_map(|((name, _), value)| value.render().map(|v| (name.clone(), v)))
                    .collect()
            })
            .collect();
        Ok(Outcome { rows, total })
    }
}
