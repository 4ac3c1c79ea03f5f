//! Executes a collection read: filter, order, `$skip`/`$top`, server-driven paging.
//!
//! Data comes from a [`RowSource`], which streams rows in key order (and, where it has an index
//! for it, ascending by one property then key). When the requested order is one the source can
//! stream, the engine stops as soon as the page is full; otherwise it keeps only the best
//! `skip + page + 1` rows in a bounded buffer, so memory stays proportional to the page, not to
//! the entity set.
//!
//! The `$skiptoken` is opaque to clients: it records the sort tuple of the last row delivered
//! (keyset paging) and how much of `$top` is left. Keyset paging means following `__next` never
//! skips a row that did not change meanwhile, and is stable under inserts.

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use super::edm::{EdmType, EntityType};
use super::error::ODataError;
use super::eval::{Node, StoredForm, compare_for_sort, matches};
use super::query::OrderItem;
use super::value::{Ticks, Value};

/// One entity's property values, in the order of its entity type's properties.
pub(crate) type Row = Vec<Value>;

/// Orders a source can stream without sorting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScanOrder {
    /// By the key properties, ascending.
    Key,
    /// By one property ascending, then by key ascending.
    Ascending(usize),
}

/// What the engine asks of a source for one pass.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scan<'a> {
    pub(crate) order: ScanOrder,
    /// Start strictly after this sort tuple (in `order`'s column layout): the key values for
    /// [`ScanOrder::Key`], the property value then the key values for [`ScanOrder::Ascending`].
    pub(crate) after: Option<&'a [Value]>,
    /// The request's filter: a hint for narrowing; the engine applies it to every row anyway.
    pub(crate) filter: Option<&'a Node>,
}

/// Where rows come from: an entity set, or the targets of one navigation.
pub(crate) trait RowSource {
    fn supports(&self, order: ScanOrder) -> bool {
        order == ScanOrder::Key
    }

    /// Visits rows in `scan.order`; `visit` returns `false` to stop early.
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool);

    /// The number of rows when nothing is filtered, if known without a scan.
    fn count_all(&self) -> Option<u64> {
        None
    }
}

/// A source over rows already in memory, sorted by key (navigation results).
pub(crate) struct RowsInKeyOrder {
    rows: Vec<Row>,
    key_indices: Vec<usize>,
    forms: Vec<Option<StoredForm>>,
}

impl RowsInKeyOrder {
    pub(crate) fn new(entity_type: &EntityType, rows: Vec<Row>) -> Self {
        let key_indices = entity_type.key_indices();
        let forms = key_indices
            .iter()
            .map(|index| StoredForm::of(&entity_type.properties[*index]))
            .collect();
        RowsInKeyOrder {
            rows,
            key_indices,
            forms,
        }
    }
}

impl RowSource for RowsInKeyOrder {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        for row in &self.rows {
            if let Some(after) = scan.after {
                let ordering = self
                    .key_indices
                    .iter()
                    .zip(&self.forms)
                    .zip(after)
                    .map(|((index, form), bound)| {
                        compare_for_sort(row.get(*index).unwrap_or(&Value::Null), bound, *form)
                    })
                    .find(|ordering| *ordering != Ordering::Equal)
                    .unwrap_or(Ordering::Equal);
                if ordering != Ordering::Greater {
                    continue;
                }
            }
            if !visit(row.clone()) {
                break;
            }
        }
    }

    fn count_all(&self) -> Option<u64> {
        u64::try_from(self.rows.len()).ok()
    }
}

/// One column of the effective sort order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SortKey {
    pub(crate) index: usize,
    pub(crate) descending: bool,
    pub(crate) edm: EdmType,
    pub(crate) stored_form: Option<StoredForm>,
}

/// The full order of a request: the client's `$orderby` plus the key as tie-breaker.
#[derive(Clone, Debug)]
pub(crate) struct SortPlan {
    pub(crate) keys: Vec<SortKey>,
    /// The order the source can stream, if any.
    pub(crate) streamable: Option<ScanOrder>,
}

impl SortPlan {
    pub(crate) fn new(
        entity_type: &EntityType,
        orderby: &[OrderItem],
        source: &dyn RowSource,
    ) -> Result<Self, ODataError> {
        let mut keys: Vec<SortKey> = Vec::new();
        for item in orderby {
            let [name] = item.path.as_slice() else {
                return Err(ODataError::invalid_expression(format!(
                    "Invalid $orderby: navigation path '{}' is not supported",
                    item.path.join("/")
                )));
            };
            let Some(index) = entity_type.property_index(name) else {
                return Err(ODataError::invalid_expression(format!(
                    "Property '{name}' not found in type '{}'",
                    entity_type.name
                )));
            };
            let property = &entity_type.properties[index];
            if !property.sortable {
                return Err(ODataError::invalid_expression(format!(
                    "Property '{name}' of type '{}' is not sortable",
                    entity_type.name
                )));
            }
            if keys.iter().any(|key| key.index == index) {
                continue;
            }
            keys.push(SortKey {
                index,
                descending: item.descending,
                edm: property.edm,
                stored_form: StoredForm::of(property),
            });
        }
        let key_indices = entity_type.key_indices();
        for index in &key_indices {
            if !keys.iter().any(|key| key.index == *index) {
                let property = &entity_type.properties[*index];
                keys.push(SortKey {
                    index: *index,
                    descending: false,
                    edm: property.edm,
                    stored_form: StoredForm::of(property),
                });
            }
        }
        let ascending = keys.iter().all(|key| !key.descending);
        let columns: Vec<usize> = keys.iter().map(|key| key.index).collect();
        let streamable = if ascending && columns == key_indices {
            Some(ScanOrder::Key)
        } else if ascending
            && columns.len() == key_indices.len() + 1
            && columns[1..] == key_indices[..]
            && source.supports(ScanOrder::Ascending(columns[0]))
        {
            Some(ScanOrder::Ascending(columns[0]))
        } else {
            None
        };
        Ok(SortPlan { keys, streamable })
    }

    fn tuple(&self, row: &[Value]) -> Vec<Value> {
        self.keys
            .iter()
            .map(|key| row.get(key.index).cloned().unwrap_or(Value::Null))
            .collect()
    }

    fn compare(&self, left: &[Value], right: &[Value]) -> Ordering {
        for (position, key) in self.keys.iter().enumerate() {
            let (Some(a), Some(b)) = (left.get(position), right.get(position)) else {
                break;
            };
            let mut ordering = compare_for_sort(a, b, key.stored_form);
            if key.descending {
                ordering = ordering.reverse();
            }
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }

    /// A short fingerprint of filter and order, so a token is refused on another query.
    fn fingerprint(&self, filter_text: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(filter_text.as_bytes());
        for key in &self.keys {
            hasher.update(key.index.to_le_bytes());
            hasher.update([u8::from(key.descending)]);
        }
        let digest = hasher.finalize();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A decoded `$skiptoken`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SkipToken {
    after: Vec<Value>,
    remaining_top: Option<u64>,
}

impl SkipToken {
    fn encode(&self, fingerprint: &str) -> String {
        let values: Vec<serde_json::Value> = self.after.iter().map(tag_value).collect();
        let body = serde_json::json!({
            "v": 1,
            "q": fingerprint,
            "a": values,
            "r": self.remaining_top,
        });
        URL_SAFE_NO_PAD.encode(body.to_string())
    }

    fn decode(text: &str, plan: &SortPlan, fingerprint: &str) -> Result<Self, ODataError> {
        let invalid = || ODataError::bad_request(format!("Invalid $skiptoken '{text}'"));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if body["v"] != 1 || body["q"].as_str() != Some(fingerprint) {
            return Err(invalid());
        }
        let values = body["a"].as_array().ok_or_else(invalid)?;
        if values.len() != plan.keys.len() {
            return Err(invalid());
        }
        let mut after = Vec::with_capacity(values.len());
        for (value, key) in values.iter().zip(&plan.keys) {
            after.push(untag_value(value, key.edm).ok_or_else(invalid)?);
        }
        let remaining_top = match &body["r"] {
            serde_json::Value::Null => None,
            other => Some(other.as_u64().ok_or_else(invalid)?),
        };
        Ok(SkipToken {
            after,
            remaining_top,
        })
    }
}

fn tag_value(value: &Value) -> serde_json::Value {
    let tagged = match value {
        Value::Null => String::from("N"),
        Value::String(text) => format!("S{text}"),
        Value::Boolean(flag) => format!("B{}", u8::from(*flag)),
        Value::Integer(number) => format!("I{number}"),
        Value::Decimal(number) => format!("D{number}"),
        Value::DateTime(ticks) | Value::DateTimeOffset(ticks) | Value::Time(ticks) => {
            format!("T{}", ticks.0)
        }
        Value::Guid(id) => format!("G{id}"),
    };
    serde_json::Value::String(tagged)
}

fn untag_value(value: &serde_json::Value, edm: EdmType) -> Option<Value> {
    let text = value.as_str()?;
    let (tag, body) = text.split_at_checked(1)?;
    Some(match (tag, edm) {
        ("N", _) => Value::Null,
        ("S", EdmType::String) => Value::String(body.to_owned()),
        ("B", EdmType::Boolean) => Value::Boolean(body == "1"),
        ("I", edm) if edm.is_integer() => Value::Integer(body.parse().ok()?),
        ("D", EdmType::Decimal) => Value::Decimal(body.parse().ok()?),
        ("T", EdmType::DateTime) => Value::DateTime(Ticks(body.parse().ok()?)),
        ("T", EdmType::DateTimeOffset) => Value::DateTimeOffset(Ticks(body.parse().ok()?)),
        ("T", EdmType::Time) => Value::Time(Ticks(body.parse().ok()?)),
        ("G", EdmType::Guid) => Value::Guid(body.parse().ok()?),
        _ => return None,
    })
}

/// A collection request after option parsing and type checking.
pub(crate) struct PageRequest<'a> {
    pub(crate) filter: Option<&'a Node>,
    /// The filter as written, part of the skip token's fingerprint.
    pub(crate) filter_text: String,
    pub(crate) plan: &'a SortPlan,
    pub(crate) skip: u64,
    pub(crate) top: Option<u64>,
    pub(crate) page_size: usize,
    pub(crate) inline_count: bool,
    pub(crate) skiptoken: Option<&'a str>,
}

/// One page of results.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) rows: Vec<Row>,
    /// `$inlinecount=allpages`: all matching rows, not just this page.
    pub(crate) count: Option<u64>,
    /// The `$skiptoken` for the next page, when there is one.
    pub(crate) next_token: Option<String>,
}

/// Runs a collection request against `source`.
pub(crate) fn execute(
    source: &dyn RowSource,
    request: &PageRequest<'_>,
) -> Result<Page, ODataError> {
    let plan = request.plan;
    let fingerprint = plan.fingerprint(&request.filter_text);
    let token = request
        .skiptoken
        .map(|text| SkipToken::decode(text, plan, &fingerprint))
        .transpose()?;
    let remaining_top = match &token {
        Some(token) => token.remaining_top,
        None => request.top,
    };
    let offset = if token.is_some() { 0 } else { request.skip };
    let limit = remaining_top.map_or(request.page_size, |top| {
        usize::try_from(top)
            .unwrap_or(usize::MAX)
            .min(request.page_size)
    });
    let after = token.as_ref().map(|token| token.after.as_slice());

    let mut count = 0_u64;
    let mut skipped = 0_u64;
    let mut collected: Vec<(Vec<Value>, Row)> = Vec::new();
    // One row beyond the page tells whether a next page exists.
    let wanted = limit.saturating_add(1);
    let filter = request.filter;
    // An unfiltered total is known without reading every row.
    let known_total = if filter.is_none() {
        source.count_all()
    } else {
        None
    };
    let counting = request.inline_count && known_total.is_none();

    match plan.streamable {
        Some(order) => {
            // Rows arrive in the final order: skip, take, stop early unless counting.
            let scan_after = if counting { None } else { after };
            let scan = Scan {
                order,
                after: scan_after,
                filter,
            };
            source.scan(&scan, &mut |row| {
                if let Some(node) = filter
                    && !matches(node, &row)
                {
                    return true;
                }
                count += 1;
                let tuple = plan.tuple(&row);
                if let Some(after) = after
                    && plan.compare(&tuple, after) != Ordering::Greater
                {
                    return true;
                }
                if skipped < offset {
                    skipped += 1;
                    return true;
                }
                if collected.len() < wanted {
                    collected.push((tuple, row));
                }
                counting || collected.len() < wanted
            });
        }
        None => {
            let capacity = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .saturating_add(wanted);
            let scan = Scan {
                order: ScanOrder::Key,
                after: None,
                filter,
            };
            source.scan(&scan, &mut |row| {
                if let Some(node) = filter
                    && !matches(node, &row)
                {
                    return true;
                }
                count += 1;
                let tuple = plan.tuple(&row);
                if let Some(after) = after
                    && plan.compare(&tuple, after) != Ordering::Greater
                {
                    return true;
                }
                collected.push((tuple, row));
                if collected.len() >= capacity.saturating_mul(2).max(64) {
                    collected.sort_by(|a, b| plan.compare(&a.0, &b.0));
                    collected.truncate(capacity);
                }
                true
            });
            collected.sort_by(|a, b| plan.compare(&a.0, &b.0));
            collected.truncate(capacity);
            let offset = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(collected.len());
            collected.drain(..offset);
        }
    }

    // More rows exist, and `$top` (if any) still wants some of them.
    let has_more = collected.len() > limit && remaining_top.is_none_or(|top| top > limit as u64);
    collected.truncate(limit);
    let next_token = if has_more && limit > 0 {
        collected.last().map(|(tuple, _)| {
            SkipToken {
                after: tuple.clone(),
                remaining_top: remaining_top.map(|top| top.saturating_sub(limit as u64)),
            }
            .encode(&fingerprint)
        })
    } else {
        None
    };
    let count = if request.inline_count {
        Some(known_total.unwrap_or(count))
    } else {
        None
    };
    Ok(Page {
        rows: collected.into_iter().map(|(_, row)| row).collect(),
        count,
        next_token,
    })
}

/// Counts the rows matching `filter` (`/$count`), honouring `$skip` and `$top`.
pub(crate) fn count(
    source: &dyn RowSource,
    filter: Option<&Node>,
    skip: u64,
    top: Option<u64>,
) -> u64 {
    let total = match (filter, source.count_all()) {
        (None, Some(total)) => total,
        _ => {
            let mut total = 0_u64;
            let scan = Scan {
                order: ScanOrder::Key,
                after: None,
                filter,
            };
            source.scan(&scan, &mut |row| {
                if filter.is_none_or(|node| matches(node, &row)) {
                    total += 1;
                }
                true
            });
            total
        }
    };
    let after_skip = total.saturating_sub(skip);
    top.map_or(after_skip, |top| after_skip.min(top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::odata::edm::Property;
    use crate::sap::odata::eval::compile_filter;
    use crate::sap::odata::filter::parse_filter;

    static PROPERTIES: [Property; 2] = [
        Property::string("Id", 10, "Id").key(),
        Property::string("Group", 3, "Group"),
    ];
    static TYPE: EntityType = EntityType {
        name: "T",
        label: "Test",
        keys: &["Id"],
        properties: &PROPERTIES,
        navigations: &[],
    };

    fn source(n: usize) -> RowsInKeyOrder {
        RowsInKeyOrder::new(
            &TYPE,
            (0..n)
                .map(|i| {
                    vec![
                        Value::string(format!("{i:04}")),
                        Value::string(["A", "B", "C"][i % 3]),
                    ]
                })
                .collect(),
        )
    }

    /// Follows `__next` tokens to the end, returning every delivered id.
    fn drain(
        source: &RowsInKeyOrder,
        filter: Option<&str>,
        orderby: &[OrderItem],
        top: Option<u64>,
        skip: u64,
        page_size: usize,
    ) -> Vec<String> {
        let node = filter
            .map(|f| compile_filter(&parse_filter(f).expect("parse"), &TYPE).expect("compile"));
        let plan = SortPlan::new(&TYPE, orderby, source).expect("plan");
        let mut token: Option<String> = None;
        let mut ids = Vec::new();
        loop {
            let request = PageRequest {
                filter: node.as_ref(),
                filter_text: filter.unwrap_or_default().to_owned(),
                plan: &plan,
                skip,
                top,
                page_size,
                inline_count: false,
                skiptoken: token.as_deref(),
            };
            let page = execute(source, &request).expect("page");
            assert!(page.rows.len() <= page_size);
            ids.extend(page.rows.iter().map(|row| row[0].to_plain_text()));
            match page.next_token {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        ids
    }

    #[test]
    fn paging_delivers_every_row_once_in_key_order() {
        let rows = source(25);
        let ids = drain(&rows, None, &[], None, 0, 7);
        let expected: Vec<String> = (0..25).map(|i| format!("{i:04}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn paging_with_sort_filter_top_and_skip() {
        let rows = source(40);
        let order = [OrderItem {
            path: vec![String::from("Group")],
            descending: true,
        }];
        let ids = drain(&rows, Some("Group ne 'B'"), &order, Some(11), 2, 4);
        assert_eq!(ids.len(), 11);
        let mut all: Vec<(String, String)> = (0..40)
            .filter(|i| i % 3 != 1)
            .map(|i| (String::from(["A", "B", "C"][i % 3]), format!("{i:04}")))
            .collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let expected: Vec<String> = all.into_iter().skip(2).take(11).map(|(_, id)| id).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn tokens_from_another_query_are_refused() {
        let rows = source(10);
        let plan = SortPlan::new(&TYPE, &[], &rows).expect("plan");
        let request = |token: Option<&'static str>, filter_text: &str| PageRequest {
            filter: None,
            filter_text: filter_text.to_owned(),
            plan: &plan,
            skip: 0,
            top: None,
            page_size: 3,
            inline_count: true,
            skiptoken: token,
        };
        let first = execute(&rows, &request(None, "")).expect("page");
        assert_eq!(first.count, Some(10));
        let token = first.next_token.expect("more pages");
        let leaked: &'static str = Box::leak(token.into_boxed_str());
        assert!(execute(&rows, &request(Some(leaked), "other")).is_err());
        assert!(execute(&rows, &request(Some("garbage"), "")).is_err());
        let second = execute(&rows, &request(Some(leaked), "")).expect("page");
        assert_eq!(second.count, Some(10));
        assert_eq!(second.rows[0][0], Value::string("0003"));
    }
}
