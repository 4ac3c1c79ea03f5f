//! SuiteQL keyset reads: which records changed, in a stable order, past the 100,000-row ceiling.
//!
//! # Change reads (purchase orders, vendors)
//! One query per page, always at `offset=0`, continuing after the last row read by the change
//! stamp and then the internal id:
//! ```text
//! SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified
//! FROM transaction
//! WHERE type = 'PurchOrd'
//!   AND lastmodifieddate >= TO_TIMESTAMP('<since>', 'YYYY-MM-DD HH24:MI:SS')   -- first page
//!   AND (lastmodifieddate > TO_TIMESTAMP('<ts>', 'YYYY-MM-DD HH24:MI:SS')        -- later pages
//!        OR (lastmodifieddate = TO_TIMESTAMP('<ts>', 'YYYY-MM-DD HH24:MI:SS')
//!            AND id > <id>))
//! ORDER BY lastmodifieddate, id
//! ```
//! (vendors: `FROM vendor`, no type clause). Offsets are never used: NetSuite stops offset paging
//! at 100,000 results, and rows that change while a read pages would shift under an offset. A
//! keyset query has neither problem: each page starts past the last row returned, and a row that
//! changes meanwhile moves past the end and is read again later, never skipped. The `since` bound
//! is needed on the first page only; every later position is past it.
//!
//! The stamp is rendered with `TO_CHAR` because SuiteQL prints raw datetimes in the account's
//! date format (often the date alone), and read back with `TO_TIMESTAMP` in the same format, so a
//! position round-trips exactly. Both are whole seconds; NetSuite keeps `lastmodifieddate` to the
//! minute in what it prints (reference §1.3, §3.4), so nothing finer is lost. SuiteQL renders and
//! reads these literals in the session's time zone; the connector assumes UTC (the emulator's,
//! and an integration role whose time zone preference is UTC), which only affects where the
//! first page's `since` bound falls, never the positions.
//!
//! # Snapshot reads (inventory items)
//! `SELECT id FROM item WHERE itemtype = 'InvtPart' [AND id > <id>] ORDER BY id`: ids only, by
//! keyset on the internal id.
//!
//! # Cursors
//! base64url JSON `{"v":1,"set":"<recordType>","ts":<unix seconds>,"id":<internal id>}` (`ts`
//! only for change reads): the position of the last row of the page. Opaque to callers, safe to
//! store and to resume from in another process; one of another record type or version is refused
//! as [`ConnectorError::Invalid`] at `$.resume`.

use super::client::{MAX_PAGE, NetsuiteClient};
use super::wire::{Collection, NsText, parse_datetime};
use crate::native::kind;
use crate::{ConnectorError, PageQuery, cursor, http};
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The page size when the caller gives none.
const DEFAULT_PAGE: u32 = 500;

/// The format of stamps in queries and in what they select.
const STAMP_FORMAT: &str = "YYYY-MM-DD HH24:MI:SS";

/// The alias of the rendered stamp; not the column's own name, so that `ORDER BY
/// lastmodifieddate` cannot be read as ordering by the rendered text.
const STAMP_ALIAS: &str = "lastmodified";

/// A SuiteQL table read by keyset, and the record type its rows are.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) from: &'static str,
    /// The clause every read of the table carries (the transaction type).
    pub(crate) scope: Option<&'static str>,
    /// The record API type of the rows: the cursor's `set`.
    pub(crate) record_type: &'static str,
}

pub(crate) const PURCHASE_ORDERS: Table = Table {
    from: "transaction",
    scope: Some("type = 'PurchOrd'"),
    record_type: "purchaseOrder",
};

pub(crate) const VENDORS: Table = Table {
    from: "vendor",
    scope: None,
    record_type: "vendor",
};

pub(crate) const INVENTORY_ITEMS: Table = Table {
    from: "item",
    scope: Some("itemtype = 'InvtPart'"),
    record_type: "inventoryItem",
};

/// A timestamp literal at whole seconds (rounded down).
pub(crate) fn timestamp_literal(at: DateTime<Utc>) -> String {
    format!(
        "TO_TIMESTAMP('{}', '{STAMP_FORMAT}')",
        at.format("%Y-%m-%d %H:%M:%S")
    )
}

/// The query of one page of changes.
pub(crate) fn changes_query(
    table: &Table,
    since: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, u64)>,
) -> String {
    let mut clauses: Vec<String> = table.scope.iter().map(|s| (*s).to_owned()).collect();
    if let Some(since) = since {
        clauses.push(format!("lastmodifieddate >= {}", timestamp_literal(since)));
    }
    if let Some((ts, id)) = after {
        let ts = timestamp_literal(ts);
        clauses.push(format!(
            "(lastmodifieddate > {ts} OR (lastmodifieddate = {ts} AND id > {id}))"
        ));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    format!(
        "SELECT id, TO_CHAR(lastmodifieddate, '{STAMP_FORMAT}') AS {STAMP_ALIAS} FROM {}{filter} ORDER BY lastmodifieddate, id",
        table.from
    )
}

/// The query of one page of ids.
pub(crate) fn ids_query(table: &Table, after: Option<u64>) -> String {
    let mut clauses: Vec<String> = table.scope.iter().map(|s| (*s).to_owned()).collect();
    if let Some(id) = after {
        clauses.push(format!("id > {id}"));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    format!("SELECT id FROM {}{filter} ORDER BY id", table.from)
}

/// Where a read continues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    v: u8,
    set: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ts: Option<i64>,
    id: u64,
}

const VERSION: u8 = 1;

impl Cursor {
    fn encode(&self) -> String {
        cursor::encode(self)
    }

    fn decode(text: &str, table: &Table, with_stamp: bool) -> Result<Cursor, ConnectorError> {
        let invalid = |why: &str| cursor::invalid("NetSuite", table.record_type, why);
        let cursor: Cursor = cursor::decode(text, invalid, "not a position of this read")?;
        if cursor.v != VERSION {
            return Err(invalid("unknown version"));
        }
        if cursor.set != table.record_type {
            return Err(invalid("it belongs to another record type"));
        }
        match cursor.ts {
            Some(ts) if with_stamp && DateTime::from_timestamp(ts, 0).is_some() => Ok(cursor),
            None if !with_stamp => Ok(cursor),
            _ => Err(invalid("not a position of this read")),
        }
    }
}

/// A row of a page: the record's internal id and, for change reads, its stamp as SuiteQL
/// printed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) id: u64,
    pub(crate) stamp: Option<DateTime<Utc>>,
}

/// One page of a keyset read: the rows, the cursor after them, the total of a first page.
#[derive(Debug)]
pub(crate) struct RowPage {
    pub(crate) rows: Vec<Row>,
    pub(crate) next: Option<String>,
    pub(crate) total: Option<u64>,
    /// The source's clock when it answered (its `Date` header).
    pub(crate) read_at: Option<DateTime<Utc>>,
}

fn page_error(table: &Table, detail: String) -> ConnectorError {
    ConnectorError::protocol(format!("SuiteQL page of {}: {detail}", table.from))
}

fn parse_row(table: &Table, value: &Value, with_stamp: bool) -> Result<Row, ConnectorError> {
    let id = match value.get("id") {
        Some(v) => serde_json::from_value::<NsText>(v.clone())
            .ok()
            .and_then(|t| t.0.trim().parse::<u64>().ok()),
        None => None,
    }
    .ok_or_else(|| {
        page_error(
            table,
            format!(
                "a row has no internal id: {}",
                value.get("id").map_or("missing", kind)
            ),
        )
    })?;
    let stamp = if with_stamp {
        let text = value.get(STAMP_ALIAS).and_then(Value::as_str);
        let at = text.and_then(parse_datetime).ok_or_else(|| {
            page_error(
                table,
                format!(
                    "row {id}: `{STAMP_ALIAS}` is {}",
                    text.map_or("missing".to_owned(), |t| format!("`{t}`, not a timestamp"))
                ),
            )
        })?;
        Some(at)
    } else {
        None
    };
    Ok(Row { id, stamp })
}

/// The page of `rows` a keyset read of `table` answers: a cursor after the last row (its stamp
/// and id; a read of ids has no stamp) when NetSuite has more, by its word or, without one,
/// because the page is full; the total on the `first_page`; the source's clock.
fn row_page(
    table: &Table,
    rows: Vec<Row>,
    collection: &Collection,
    limit: u32,
    first_page: bool,
    headers: &HeaderMap,
) -> RowPage {
    let more = collection.has_more.unwrap_or(rows.len() >= limit as usize);
    let next = match rows.last() {
        Some(last) if more => Some(
            Cursor {
                v: VERSION,
                set: table.record_type.to_owned(),
                ts: last.stamp.map(|s| s.timestamp()),
                id: last.id,
            }
            .encode(),
        ),
        _ => None,
    };
    RowPage {
        rows,
        next,
        total: if first_page {
            collection.total_results
        } else {
            None
        },
        read_at: http::source_date(headers),
    }
}

fn page_limit(query: &PageQuery) -> u32 {
    query.page_size_or(DEFAULT_PAGE, MAX_PAGE)
}

/// One page of the keyset read of `table`: rows changed at or after `query.changed_since` (whole
/// seconds), after the cursor's position.
pub(crate) async fn read_changes(
    client: &NetsuiteClient,
    table: &Table,
    query: &PageQuery,
) -> Result<RowPage, ConnectorError> {
    let limit = page_limit(query);
    let after = match &query.resume {
        Some(text) => {
            let cursor = Cursor::decode(text, table, true)?;
            let ts = cursor
                .ts
                .and_then(|ts| DateTime::from_timestamp(ts, 0))
                .unwrap_or_default();
            Some((ts, cursor.id))
        }
        None => None,
    };
    let since = if after.is_none() {
        query.changed_since
    } else {
        None
    };
    let sql = changes_query(table, since, after);
    let (headers, collection) = client.suiteql(&sql, limit).await?;
    let rows = collection
        .items
        .iter()
        .map(|row| parse_row(table, row, true))
        .collect::<Result<Vec<Row>, _>>()?;
    let position = |row: &Row| (row.stamp.unwrap_or_default(), row.id);
    // A row at or before the position asked after means the source does not order or filter as
    // asked; continuing would loop or skip, so that is reported instead.
    let mut previous = after;
    for row in &rows {
        let at = position(row);
        if previous.is_some_and(|p| at <= p) {
            return Err(page_error(
                table,
                format!(
                    "row {} at {} is not after the row before it; the keyset order is broken",
                    row.id, at.0
                ),
            ));
        }
        previous = Some(at);
    }
    Ok(row_page(
        table,
        rows,
        &collection,
        limit,
        after.is_none(),
        &headers,
    ))
}

/// One page of the ids of `table`, by keyset on the id.
pub(crate) async fn read_ids(
    client: &NetsuiteClient,
    table: &Table,
    query: &PageQuery,
) -> Result<RowPage, ConnectorError> {
    let limit = page_limit(query);
    let after = match &query.resume {
        Some(text) => Some(Cursor::decode(text, table, false)?.id),
        None => None,
    };
    let sql = ids_query(table, after);
    let (headers, collection) = client.suiteql(&sql, limit).await?;
    let rows = collection
        .items
        .iter()
        .map(|row| parse_row(table, row, false))
        .collect::<Result<Vec<Row>, _>>()?;
    let mut previous = after;
    for row in &rows {
        if previous.is_some_and(|p| row.id <= p) {
            return Err(page_error(
                table,
                format!(
                    "id {} is not after the id before it; the keyset order is broken",
                    row.id
                ),
            ));
        }
        previous = Some(row.id);
    }
    Ok(row_page(
        table,
        rows,
        &collection,
        limit,
        after.is_none(),
        &headers,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn change_queries() {
        assert_eq!(
            changes_query(&PURCHASE_ORDERS, Some(at("2026-03-01T08:00:00.750Z")), None),
            "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified FROM transaction WHERE type = 'PurchOrd' AND lastmodifieddate >= TO_TIMESTAMP('2026-03-01 08:00:00', 'YYYY-MM-DD HH24:MI:SS') ORDER BY lastmodifieddate, id"
        );
        assert_eq!(
            changes_query(&VENDORS, None, Some((at("2026-03-02T09:05:00Z"), 1042))),
            "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified FROM vendor WHERE (lastmodifieddate > TO_TIMESTAMP('2026-03-02 09:05:00', 'YYYY-MM-DD HH24:MI:SS') OR (lastmodifieddate = TO_TIMESTAMP('2026-03-02 09:05:00', 'YYYY-MM-DD HH24:MI:SS') AND id > 1042)) ORDER BY lastmodifieddate, id"
        );
        assert_eq!(
            changes_query(&VENDORS, None, None),
            "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified FROM vendor ORDER BY lastmodifieddate, id"
        );
    }

    #[test]
    fn id_queries() {
        assert_eq!(
            ids_query(&INVENTORY_ITEMS, None),
            "SELECT id FROM item WHERE itemtype = 'InvtPart' ORDER BY id"
        );
        assert_eq!(
            ids_query(&INVENTORY_ITEMS, Some(77)),
            "SELECT id FROM item WHERE itemtype = 'InvtPart' AND id > 77 ORDER BY id"
        );
    }

    #[test]
    fn rows_as_suiteql_prints_them() {
        let row = parse_row(
            &PURCHASE_ORDERS,
            &json!({"links": [], "id": "607632", "lastmodified": "2026-03-02 08:05:00"}),
            true,
        )
        .unwrap();
        assert_eq!(row.id, 607_632);
        assert_eq!(row.stamp, Some(at("2026-03-02T08:05:00Z")));
        assert!(parse_row(&PURCHASE_ORDERS, &json!({"id": "x1"}), false).is_err());
        assert!(
            parse_row(
                &PURCHASE_ORDERS,
                &json!({"id": "1", "lastmodified": "3/2/2026"}),
                true
            )
            .is_err()
        );
        assert_eq!(
            parse_row(&INVENTORY_ITEMS, &json!({"id": 12}), false).unwrap(),
            Row {
                id: 12,
                stamp: None
            }
        );
    }

    #[test]
    fn cursors_refuse_strangers() {
        let c = Cursor {
            v: 1,
            set: "purchaseOrder".into(),
            ts: Some(1_772_438_400),
            id: 9,
        };
        let text = c.encode();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(Cursor::decode(&text, &PURCHASE_ORDERS, true).unwrap(), c);
        assert!(Cursor::decode(&text, &VENDORS, true).is_err());
        assert!(Cursor::decode(&text, &PURCHASE_ORDERS, false).is_err());
        let far = Cursor {
            ts: Some(i64::MAX),
            ..c
        };
        assert!(Cursor::decode(&far.encode(), &PURCHASE_ORDERS, true).is_err());
        assert!(Cursor::decode("not a cursor!", &PURCHASE_ORDERS, true).is_err());
        assert!(Cursor::decode("e30", &PURCHASE_ORDERS, true).is_err());
    }

    proptest! {
        /// Cursors of any position round-trip.
        #[test]
        fn cursors_round_trip(ts in 0_i64..4_102_444_800, id in any::<u64>()) {
            let c = Cursor { v: 1, set: "vendor".into(), ts: Some(ts), id };
            prop_assert_eq!(Cursor::decode(&c.encode(), &VENDORS, true).unwrap(), c);
        }

        /// The literal of any instant is the instant rounded down to the second, and reads back.
        #[test]
        fn timestamp_literals_round_down(ms in 0_i64..4_102_444_800_000) {
            let instant = DateTime::from_timestamp_millis(ms).unwrap();
            let literal = timestamp_literal(instant);
            let inner = literal.strip_prefix("TO_TIMESTAMP('").unwrap().split('\'').next().unwrap();
            let back = parse_datetime(inner).unwrap();
            prop_assert_eq!(back.timestamp(), instant.timestamp());
        }
    }
}
