//! Type-checks a `$filter` tree against an entity type and evaluates it on rows.
//!
//! Checking happens once per request: unknown or non-filterable properties, mismatched operand
//! types (a `datetime'..'` literal against an Edm.DateTimeOffset property) and non-boolean
//! filters are refused with SAP's 400 before any row is read. Evaluation is then a plain walk over
//! the compiled tree. Comparisons on NUMC/ALPHA fields use the stored (zero-padded) form, as the
//! database under SAP Gateway does.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::edm::{Conversion, EdmType, EntityType, Property};
use super::error::ODataError;
use super::filter::{BinaryOp, Expr, Function, Literal};
use super::value::{Ticks, Value};

/// The type family of an expression node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Null,
    Boolean,
    String,
    Number,
    DateTime,
    DateTimeOffset,
    Time,
    Guid,
}

impl Kind {
    fn of(edm: EdmType) -> Self {
        match edm {
            EdmType::String => Kind::String,
            EdmType::Boolean => Kind::Boolean,
            EdmType::DateTime => Kind::DateTime,
            EdmType::DateTimeOffset => Kind::DateTimeOffset,
            EdmType::Decimal | EdmType::Byte | EdmType::Int16 | EdmType::Int32 | EdmType::Int64 => {
                Kind::Number
            }
            EdmType::Time => Kind::Time,
            EdmType::Guid => Kind::Guid,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "Edm.Boolean",
            Kind::String => "Edm.String",
            Kind::Number => "numeric",
            Kind::DateTime => "Edm.DateTime",
            Kind::DateTimeOffset => "Edm.DateTimeOffset",
            Kind::Time => "Edm.Time",
            Kind::Guid => "Edm.Guid",
        }
    }
}

/// How a character property is stored, for comparisons in its internal form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredForm {
    conversion: Conversion,
    length: usize,
}

impl StoredForm {
    pub(crate) fn of(property: &Property) -> Option<Self> {
        match (property.conversion, property.max_length) {
            (Conversion::None, _) | (_, None) => None,
            (conversion, Some(length)) => Some(StoredForm {
                conversion,
                length: usize::try_from(length).unwrap_or(usize::MAX),
            }),
        }
    }

    /// The stored form of `text`: numeric values left-padded with zeros to the field length.
    pub(crate) fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Cow::Borrowed(text);
        }
        let trimmed = text.trim_start_matches('0');
        if trimmed.len() > self.length {
            return Cow::Borrowed(text);
        }
        Cow::Owned(format!("{trimmed:0>width$}", width = self.length))
    }
}

/// A type-checked filter, ready to evaluate against rows of one entity type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Const(Value),
    Property {
        index: usize,
    },
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Compare {
        op: BinaryOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        stored_form: Option<StoredForm>,
    },
    Call {
        function: Function,
        args: Vec<Node>,
    },
}

/// Checks `expr` against `entity_type`; the result must be boolean.
pub(crate) fn compile_filter(expr: &Expr, entity_type: &EntityType) -> Result<Node, ODataError> {
    let (node, kind) = compile(expr, entity_type)?;
    if kind != Kind::Boolean {
        return Err(ODataError::invalid_expression(format!(
            "Invalid filter expression: '{expr}' is not a boolean expression"
        )));
    }
    Ok(node)
}

fn compile(expr: &Expr, entity_type: &EntityType) -> Result<(Node, Kind), ODataError> {
    match expr {
        Expr::Literal(literal) => {
            let (value, kind) = literal_value(literal);
            Ok((Node::Const(value), kind))
        }
        Expr::Property(path) => {
            let [name] = path.as_slice() else {
                return Err(ODataError::invalid_expression(format!(
                    "Invalid filter expression: navigation path '{}' is not supported in $filter",
                    path.join("/")
                )));
            };
            let Some(index) = entity_type.property_index(name) else {
                return Err(ODataError::invalid_expression(format!(
                    "Property '{name}' not found in type '{}'",
                    entity_type.name
                )));
            };
            let property = &entity_type.properties[index];
            if !property.filterable {
                return Err(ODataError::invalid_expression(format!(
                    "Property '{name}' of type '{}' is not filterable",
                    entity_type.name
                )));
            }
            Ok((Node::Property { index }, Kind::of(property.edm)))
        }
        Expr::Not(inner) => {
            let (node, kind) = compile(inner, entity_type)?;
            expect_kind(kind, Kind::Boolean, "not")?;
            Ok((Node::Not(Box::new(node)), Kind::Boolean))
        }
        Expr::Binary { op, lhs, rhs } => {
            let (left, left_kind) = compile(lhs, entity_type)?;
            let (right, right_kind) = compile(rhs, entity_type)?;
            match op {
                BinaryOp::And | BinaryOp::Or => {
                    expect_kind(left_kind, Kind::Boolean, op_name(*op))?;
                    expect_kind(right_kind, Kind::Boolean, op_name(*op))?;
                    let node = if *op == BinaryOp::And {
                        Node::And(Box::new(left), Box::new(right))
                    } else {
                        Node::Or(Box::new(left), Box::new(right))
                    };
                    Ok((node, Kind::Boolean))
                }
                _ => {
                    let compatible = left_kind == right_kind
                        || left_kind == Kind::Null
                        || right_kind == Kind::Null;
                    if !compatible {
                        let hint = if matches!(
                            (left_kind, right_kind),
                            (Kind::DateTimeOffset, Kind::DateTime)
                                | (Kind::DateTime, Kind::DateTimeOffset)
                        ) {
                            "; Edm.DateTimeOffset properties take datetimeoffset'..' literals"
                        } else {
                            ""
                        };
                        return Err(ODataError::invalid_expression(format!(
                            "Invalid parametertype used at function '{}': operands of type {} and {} cannot be compared{hint}",
                            op_name(*op),
                            left_kind.name(),
                            right_kind.name()
                        )));
                    }
                    let stored_form = [&left, &right].into_iter().find_map(|node| match node {
                        Node::Property { index } => StoredForm::of(&entity_type.properties[*index]),
                        _ => None,
                    });
                    Ok((
                        Node::Compare {
                            op: *op,
                            lhs: Box::new(left),
                            rhs: Box::new(right),
                            stored_form,
                        },
                        Kind::Boolean,
                    ))
                }
            }
        }
        Expr::Call { function, args } => {
            let mut nodes = Vec::with_capacity(args.len());
            for arg in args {
                let (node, kind) = compile(arg, entity_type)?;
                if kind != Kind::String && kind != Kind::Null {
                    return Err(ODataError::invalid_expression(format!(
                        "Invalid parametertype used at function '{}': expected Edm.String, got {}",
                        function.name(),
                        kind.name()
                    )));
                }
                nodes.push(node);
            }
            let kind = match function {
                Function::SubstringOf | Function::StartsWith | Function::EndsWith => Kind::Boolean,
                Function::ToLower | Function::ToUpper | Function::Trim | Function::Concat => {
                    Kind::String
                }
                Function::Length => Kind::Number,
            };
            Ok((
                Node::Call {
                    function: *function,
                    args: nodes,
                },
                kind,
            ))
        }
    }
}

fn op_name(op: BinaryOp) -> &'static str {
    match op {
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

fn expect_kind(actual: Kind, expected: Kind, operator: &str) -> Result<(), ODataError> {
    if actual == expected {
        Ok(())
    } else {
        Err(ODataError::invalid_expression(format!(
            "Invalid parametertype used at function '{operator}': expected {}, got {}",
            expected.name(),
            actual.name()
        )))
    }
}

fn literal_value(literal: &Literal) -> (Value, Kind) {
    match literal {
        Literal::Null => (Value::Null, Kind::Null),
        Literal::Boolean(flag) => (Value::Boolean(*flag), Kind::Boolean),
        Literal::String(text) => (Value::String(text.clone()), Kind::String),
        Literal::Integer(number) => (Value::Integer(*number), Kind::Number),
        Literal::Decimal(number) => (Value::Decimal(*number), Kind::Number),
        Literal::DateTime(ticks) => (Value::DateTime(*ticks), Kind::DateTime),
        Literal::DateTimeOffset { utc, .. } => (Value::DateTimeOffset(*utc), Kind::DateTimeOffset),
        Literal::Time(ticks) => (Value::Time(*ticks), Kind::Time),
        Literal::Guid(id) => (Value::Guid(*id), Kind::Guid),
    }
}

/// Converts a literal to the value of a property of type `edm`, if the types agree (key
/// predicates and skip tokens).
pub(crate) fn literal_for_property(literal: &Literal, edm: EdmType) -> Option<Value> {
    let (value, kind) = literal_value(literal);
    if kind == Kind::of(edm) {
        Some(value)
    } else {
        None
    }
}

/// Evaluates a compiled filter on one row; anything but `true` excludes the row.
pub(crate) fn matches(node: &Node, row: &[Value]) -> bool {
    matches!(evaluate(node, row), Value::Boolean(true))
}

fn evaluate(node: &Node, row: &[Value]) -> Value {
    match node {
        Node::Const(value) => value.clone(),
        Node::Property { index } => row.get(*index).cloned().unwrap_or(Value::Null),
        Node::Not(inner) => Value::Boolean(!matches(inner, row)),
        Node::And(lhs, rhs) => Value::Boolean(matches(lhs, row) && matches(rhs, row)),
        Node::Or(lhs, rhs) => Value::Boolean(matches(lhs, row) || matches(rhs, row)),
        Node::Compare {
            op,
            lhs,
            rhs,
            stored_form,
        } => {
            let left = evaluate(lhs, row);
            let right = evaluate(rhs, row);
            Value::Boolean(compare_op(*op, &left, &right, *stored_form))
        }
        Node::Call { function, args } => {
            let values: Vec<Value> = args.iter().map(|arg| evaluate(arg, row)).collect();
            call(*function, &values)
        }
    }
}

fn compare_op(op: BinaryOp, left: &Value, right: &Value, stored_form: Option<StoredForm>) -> bool {
    let left_null = matches!(left, Value::Null);
    let right_null = matches!(right, Value::Null);
    if left_null || right_null {
        return match op {
            BinaryOp::Eq => left_null && right_null,
            BinaryOp::Ne => left_null != right_null,
            _ => false,
        };
    }
    let ordering = match (stored_form, left, right) {
        (Some(form), Value::String(a), Value::String(b)) => Some(form.apply(a).cmp(&form.apply(b))),
        _ => compare_values(left, right),
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        BinaryOp::Eq => ordering == Ordering::Equal,
        BinaryOp::Ne => ordering != Ordering::Equal,
        BinaryOp::Gt => ordering == Ordering::Greater,
        BinaryOp::Ge => ordering != Ordering::Less,
        BinaryOp::Lt => ordering == Ordering::Less,
        BinaryOp::Le => ordering != Ordering::Greater,
        BinaryOp::And | BinaryOp::Or => false,
    }
}

/// Orders two non-null values of compatible types; `None` when they cannot be compared.
pub(crate) fn compare_values(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Value::Boolean(a), Value::Boolean(b)) => Some(a.cmp(b)),
        (Value::Integer(a), Value::Integer(b)) => Some(a.cmp(b)),
        (Value::DateTime(a), Value::DateTime(b))
        | (Value::DateTimeOffset(a), Value::DateTimeOffset(b))
        | (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
        (Value::Guid(a), Value::Guid(b)) => Some(a.cmp(b)),
        _ => match (left.as_decimal(), right.as_decimal()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        },
    }
}

/// A total order for sorting: nulls first, then by value (stored form for NUMC/ALPHA).
pub(crate) fn compare_for_sort(
    left: &Value,
    right: &Value,
    stored_form: Option<StoredForm>,
) -> Ordering {
    match (left, right) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::String(a), Value::String(b)) => match stored_form {
            Some(form) => form.apply(a).cmp(&form.apply(b)),
            None => a.as_bytes().cmp(b.as_bytes()),
        },
        _ => compare_values(left, right)
            .unwrap_or_else(|| variant_rank(left).cmp(&variant_rank(right))),
    }
}

fn variant_rank(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Boolean(_) => 1,
        Value::Integer(_) | Value::Decimal(_) => 2,
        Value::String(_) => 3,
        Value::DateTime(_) => 4,
        Value::DateTimeOffset(_) => 5,
        Value::Time(_) => 6,
        Value::Guid(_) => 7,
    }
}

fn call(function: Function, args: &[Value]) -> Value {
    let text = |index: usize| args.get(index).and_then(Value::as_str);
    match function {
        Function::SubstringOf => match (text(0), text(1)) {
            (Some(needle), Some(haystack)) => Value::Boolean(haystack.contains(needle)),
            _ => Value::Null,
        },
        Function::StartsWith => match (text(0), text(1)) {
            (Some(haystack), Some(prefix)) => Value::Boolean(haystack.starts_with(prefix)),
            _ => Value::Null,
        },
        Function::EndsWith => match (text(0), text(1)) {
            (Some(haystack), Some(suffix)) => Value::Boolean(haystack.ends_with(suffix)),
            _ => Value::Null,
        },
        Function::ToLower => text(0).map_or(Value::Null, |t| Value::string(t.to_lowercase())),
        Function::ToUpper => text(0).map_or(Value::Null, |t| Value::string(t.to_uppercase())),
        Function::Trim => text(0).map_or(Value::Null, |t| Value::string(t.trim())),
        Function::Length => text(0).map_or(Value::Null, |t| {
            Value::Integer(i64::try_from(t.chars().count()).unwrap_or(i64::MAX))
        }),
        Function::Concat => match (text(0), text(1)) {
            (Some(a), Some(b)) => Value::string(format!("{a}{b}")),
            _ => Value::Null,
        },
    }
}

/// The smallest instant a row's property `index` can have for `node` to hold, if the filter
/// implies one. `and` takes the tighter bound, `or` the looser, anything else gives none.
///
/// The data layer uses it to skip records that changed too early to match, so the bound must
/// never exclude a matching row: it is only derived from `gt`, `ge` and `eq` on the property.
pub(crate) fn lower_bound(node: &Node, index: usize) -> Option<Ticks> {
    match node {
        Node::And(lhs, rhs) => match (lower_bound(lhs, index), lower_bound(rhs, index)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (bound, None) | (None, bound) => bound,
        },
        Node::Or(lhs, rhs) => match (lower_bound(lhs, index), lower_bound(rhs, index)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        },
        Node::Compare { op, lhs, rhs, .. } => {
            let (op, constant) = match (lhs.as_ref(), rhs.as_ref()) {
                (Node::Property { index: i }, Node::Const(value)) if *i == index => (*op, value),
                (Node::Const(value), Node::Property { index: i }) if *i == index => {
                    (mirror(*op), value)
                }
                _ => return None,
            };
            match op {
                BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq => constant.as_ticks(),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The operator with its operands swapped: `c lt X` is `X gt c`.
fn mirror(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::odata::edm::{EntityType, Property};
    use crate::sap::odata::filter::parse_filter;

    static PROPERTIES: [Property; 4] = [
        Property::string("Id", 10, "Id").key(),
        Property::string("Item", 5, "Item").numc(),
        Property::timestamp("Changed", 7, "Changed"),
        Property::decimal("Quantity", 13, 3, "Quantity"),
    ];
    static TYPE: EntityType = EntityType {
        name: "T",
        label: "Test",
        keys: &["Id"],
        properties: &PROPERTIES,
        navigations: &[],
    };

    fn row(item: &str, changed_ms: i64, quantity: &str) -> Vec<Value> {
        vec![
            Value::string("A"),
            Value::string(item),
            Value::DateTimeOffset(Ticks::from_millis(changed_ms)),
            Value::Decimal(quantity.parse().expect("decimal")),
        ]
    }

    fn check(filter: &str, row: &[Value]) -> bool {
        let expr = parse_filter(filter).expect("parses");
        let node = compile_filter(&expr, &TYPE).expect("compiles");
        matches(&node, row)
    }

    #[test]
    fn numc_fields_compare_in_stored_form() {
        let ten = row("10", 0, "1");
        assert!(check("Item gt '9'", &ten));
        assert!(check("Item eq '00010'", &ten));
        assert!(!check("Item lt '9'", &ten));
    }

    #[test]
    fn decimals_compare_numerically_with_integers() {
        let r = row("10", 0, "2.500");
        assert!(check("Quantity gt 2", &r));
        assert!(check("Quantity eq 2.5M", &r));
        assert!(!check("Quantity lt 2.5", &r));
    }

    #[test]
    fn seven_digit_fractions_are_not_rounded() {
        let r = row("10", 1_000, "1");
        assert!(check(
            "Changed gt datetimeoffset'1970-01-01T00:00:00.9999999Z'",
            &r
        ));
        assert!(!check(
            "Changed gt datetimeoffset'1970-01-01T00:00:01.0000001Z'",
            &r
        ));
        assert!(check(
            "Changed eq datetimeoffset'1970-01-01T01:00:01+01:00'",
            &r
        ));
    }

    #[test]
    fn type_errors_are_refused() {
        for bad in [
            "Changed gt datetime'2024-01-01T00:00:00'",
            "Quantity eq 'x'",
            "Nope eq 1",
            "Item",
            "startswith(Quantity,'1')",
            "Id eq 1 and 'x'",
        ] {
            let expr = parse_filter(bad).expect("parses");
            assert!(
                compile_filter(&expr, &TYPE).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn lower_bounds_follow_and_or() {
        let bound = |filter: &str| {
            let expr = parse_filter(filter).expect("parses");
            lower_bound(&compile_filter(&expr, &TYPE).expect("compiles"), 2).map(|t| t.millis())
        };
        assert_eq!(
            bound("Changed gt datetimeoffset'1970-01-01T00:00:01Z'"),
            Some(1000)
        );
        assert_eq!(
            bound(
                "Changed gt datetimeoffset'1970-01-01T00:00:05Z' or (Changed eq datetimeoffset'1970-01-01T00:00:02Z' and Id gt 'A')"
            ),
            Some(2000)
        );
        assert_eq!(
            bound("Changed gt datetimeoffset'1970-01-01T00:00:05Z' or Id eq 'A'"),
            None
        );
        assert_eq!(
            bound("datetimeoffset'1970-01-01T00:00:03Z' lt Changed and Id eq 'A'"),
            Some(3000)
        );
        assert_eq!(
            bound("not (Changed lt datetimeoffset'1970-01-01T00:00:05Z')"),
            None
        );
    }
}
