//! Runs a collection query (filter, order, page, count) over a book in bounded memory.
//!
//! Three plans, chosen by the order asked for:
//! - no order (or the unique id ascending): records stream in unique-id order;
//! - `+changedate` first: records stream in change order from the filter's lower bound on
//!   the stamp (so a keyset page reads only the tail of the history); records sharing a stamp
//!   are sorted by the rest of the order, then by unique id, before they are paged;
//! - anything else: one pass keeps the best `offset + limit + 1` sort keys and the count.
//!
//! Every order ends with the unique id, so pages never overlap or skip while nothing changes.
//! Totals (`collectioncount=1`, `count=1`) are counted on cheap attribute values when the
//! filter reads only those, else on full records.

use std::cmp::Ordering;

use super::data::MaximoData;
use super::data::book::{Book, Generator};
use super::eval::{Cond, Target};
use super::schema::{OsKind, Record, Relation};
use super::value::Value;

/// What to read.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    pub(crate) cond: Option<Cond>,
    /// Attribute indices of the main object, `true` for ascending.
    pub(crate) order: Vec<(usize, bool)>,
    pub(crate) offset: u64,
    pub(crate) limit: u64,
    pub(crate) want_total: bool,
}

/// One page of results.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    pub(crate) records: Vec<Record>,
    pub(crate) total: Option<u64>,
    /// Whether records follow this page.
    pub(crate) more: bool,
}

/// Runs `query` against the records of `kind`.
pub(crate) fn run(data: &MaximoData, kind: OsKind, query: &Query) -> Page {
    match kind {
        OsKind::WorkOrders => run_book(data, &data.work_orders, kind, query),
        OsKind::Assets => run_book(data, &data.assets, kind, query),
        OsKind::Inventory => run_book(data, &data.inventory, kind, query),
        OsKind::PurchaseOrders => run_book(data, &data.purchase_orders, kind, query),
        OsKind::Vendors => run_book(data, &data.vendors, kind, query),
    }
}

/// How many records of `kind` pass `cond`.
pub(crate) fn count(data: &MaximoData, kind: OsKind, cond: Option<&Cond>) -> u64 {
    match kind {
        OsKind::WorkOrders => count_book(data, &data.work_orders, kind, cond),
        OsKind::Assets => count_book(data, &data.assets, kind, cond),
        OsKind::Inventory => count_book(data, &data.inventory, kind, cond),
        OsKind::PurchaseOrders => count_book(data, &data.purchase_orders, kind, cond),
        OsKind::Vendors => count_book(data, &data.vendors, kind, cond),
    }
}

fn passes(data: &MaximoData, kind: OsKind, cond: Option<&Cond>, record: &Record) -> bool {
    let resolve =
        |relation: &'static Relation, record: &Record| data.related(kind, relation, record);
    cond.is_none_or(|cond| cond.matches(record, &resolve))
}

/// The order of two values of one attribute: nulls last, as DB2 and Oracle sort ascending.
fn order_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (x, y) => match (x.as_dec(), y.as_dec()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => Ordering::Equal,
        },
    }
}

/// A record's sort key: the ordered attributes and its unique id.
fn sort_key(record: &Record, order: &[(usize, bool)], unique: usize) -> (Vec<Value>, i64) {
    (
        order
            .iter()
            .map(|(attr, _)| record.get(*attr).clone())
            .collect(),
        record.get(unique).as_int().unwrap_or(0),
    )
}

fn compare_keys(a: &(Vec<Value>, i64), b: &(Vec<Value>, i64), order: &[(usize, bool)]) -> Ordering {
    for (position, (_, ascending)) in order.iter().enumerate() {
        let (Some(x), Some(y)) = (a.0.get(position), b.0.get(position)) else {
            continue;
        };
        let ordering = order_values(x, y);
        let ordering = if *ascending {
            ordering
        } else {
            ordering.reverse()
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.1.cmp(&b.1)
}

fn run_book<G: Generator>(data: &MaximoData, book: &Book<G>, kind: OsKind, query: &Query) -> Page {
    let os = book.os();
    let unique = os.unique_id;
    let since = os
        .change_attr
        .and_then(|attr| query.cond.as_ref()?.lower_bound(attr));
    let cond = query.cond.as_ref();
    let mut records = Vec::new();
    let mut skipped = 0_u64;
    let mut more = false;
    let mut total = None;

    let order = &query.order;
    let key_order = order.is_empty() || order.as_slice() == [(unique, true)];
    let change_first = os
        .change_attr
        .is_some_and(|attr| order.first() == Some(&(attr, true)));

    // Takes one matching record in final order; `false` once the page and one more are seen.
    let mut take = |record: Record| -> bool {
        if skipped < query.offset {
            skipped += 1;
            return true;
        }
        if (records.len() as u64) < query.limit {
            records.push(record);
            return true;
        }
        more = true;
        false
    };

    if key_order {
        book.scan_index(0, since, &mut |_, record| {
            !passes(data, kind, cond, &record) || take(record)
        });
    } else if change_first {
        let rest: Vec<(usize, bool)> = order[1..].to_vec();
        let mut group: Vec<Record> = Vec::new();
        let mut group_at = i64::MIN;
        let mut stopped = false;
        let flush = |group: &mut Vec<Record>, take: &mut dyn FnMut(Record) -> bool| -> bool {
            group.sort_by(|a, b| {
                compare_keys(
                    &sort_key(a, &rest, unique),
                    &sort_key(b, &rest, unique),
                    &rest,
                )
            });
            for record in group.drain(..) {
                if !take(record) {
                    return false;
                }
            }
            true
        };
        book.scan_changes(since, &mut |at, _, record| {
            if at != group_at {
                if !flush(&mut group, &mut take) {
                    stopped = true;
                    return false;
                }
                group_at = at;
            }
            if passes(data, kind, cond, &record) {
                group.push(record);
            }
            true
        });
        if !stopped {
            flush(&mut group, &mut take);
        }
    } else {
        // Keep the best `offset + limit + 1` keys; sort and trim whenever twice that is held.
        let keep = usize::try_from(query.offset.saturating_add(query.limit).saturating_add(1))
            .unwrap_or(usize::MAX);
        let mut best: Vec<((Vec<Value>, i64), u64)> = Vec::new();
        let mut matched = 0_u64;
        let trim = |best: &mut Vec<((Vec<Value>, i64), u64)>| {
            best.sort_by(|a, b| compare_keys(&a.0, &b.0, order));
            best.truncate(keep);
        };
        book.scan_index(0, since, &mut |index, record| {
            if passes(data, kind, cond, &record) {
                matched += 1;
                best.push((sort_key(&record, order, unique), index));
                if best.len() >= keep.saturating_mul(2).max(64) {
                    trim(&mut best);
                }
            }
            true
        });
        trim(&mut best);
        total = Some(matched);
        for (_, index) in best {
            if let Some(record) = book.get(index)
                && !take(record)
            {
                break;
            }
        }
    }
    if query.want_total && total.is_none() {
        total = Some(count_book(data, book, kind, cond));
    }
    Page {
        records,
        total: total.filter(|_| query.want_total),
        more,
    }
}

/// The main-object attributes a condition reads (empty when it reads relations or children).
fn attrs_read(cond: &Cond, out: &mut Vec<usize>) {
    match cond {
        Cond::All(items) | Cond::Any(items) => {
            for item in items {
                attrs_read(item, out);
            }
        }
        Cond::Test {
            target: Target::Attr(attr),
            ..
        } => {
            if !out.contains(attr) {
                out.push(*attr);
            }
        }
        Cond::Test { .. } => {}
    }
}

fn count_book<G: Generator>(
    data: &MaximoData,
    book: &Book<G>,
    kind: OsKind,
    cond: Option<&Cond>,
) -> u64 {
    let os = book.os();
    let since = os
        .change_attr
        .and_then(|attr| cond.and_then(|cond| cond.lower_bound(attr)));
    let mut attrs = Vec::new();
    if let Some(cond) = cond {
        attrs_read(cond, &mut attrs);
    }
    let light = cond.is_none_or(|cond| cond.reads_only(&|attr| attrs.contains(&attr)))
        && book.all_light(&attrs);
    if !light {
        let mut counted = 0;
        book.scan_index(0, since, &mut |_, record| {
            if passes(data, kind, cond, &record) {
                counted += 1;
            }
            true
        });
        return counted;
    }
    let start = since.map_or(0, |at| book.first_candidate(at));
    let base = book.generator.base_count();
    let mut counted = 0;
    for index in start..base {
        if book.is_written(index) || book.is_removed(index) {
            continue;
        }
        if let Some(record) = book.light(index, &attrs)
            && passes(data, kind, cond, &record)
        {
            counted += 1;
        }
    }
    for (_, record) in book.overlay() {
        if passes(data, kind, cond, record) {
            counted += 1;
        }
    }
    counted
}
