//! Keyset paging over Maximo collections, with `oslc.where` clauses that are plain `and` chains.
//!
//! Reads never use `pageno` (an offset: rows that change while a read pages would shift under
//! it) and never follow `responseInfo.nextPage`. Each request asks for the rows after the last
//! one returned, in a fixed order. Maximo's where syntax cannot be trusted with `or` or
//! parentheses (one real instance rejects `(`), so the position "after (T, k1…kn)" is not one
//! lexicographic clause but a short series of segments, each an `and` chain:
//!
//! ```text
//! Changed   changedate>="<from>"                                   +changedate,+k1,…,+kn
//! Second    changedate>="<T>" and changedate<"<T+1s>"               +k1,…,+kn
//!             [and k1="K1" and … and k(i-1)="K(i-1)" and ki>"Ki"]   (phase i of the position)
//! Keys      [k1="K1" and … and ki>"Ki"]                            +k1,…,+kn   (no change stamp)
//! ```
//!
//! A timestamped read starts with `Changed` from `changed_since` (rounded down to the second;
//! everything without it). Every request asks for one row more than it needs: that row is not
//! returned, it only says where the next page starts. When it lies in a later second than the
//! last row returned, the next page is `Changed` from the next second. When it lies in the same
//! second, the page ended inside a group of rows sharing one printed stamp, and the rest of that
//! group is read as `Second` segments in key order.
//!
//! A `Second` group is read from its beginning, skipping the rows already returned (their ids
//! travel in the cursor, at most one page of them). This is what makes the read exact whether
//! Maximo stores the stamp to the second (then `Changed` ordered the group by key) or to the
//! millisecond while printing seconds (then it ordered the group by the hidden milliseconds,
//! and "after the last key" would skip rows). Within the group, the next phase is the one the
//! look-ahead row falls in (the first key it differs in from the last row); when a phase runs
//! out the next shallower one follows; when phase 1 runs out the group is done and the read
//! continues with `Changed` from the next second. A snapshot read (`Keys`) goes through the same
//! phases over the whole key order. One page may span several segments: at most `keys + 3`
//! requests fill it.
//!
//! A record that changes while a read pages moves to a later second and is read there; one that
//! changes in the second being read again is caught by the next sync's overlap. Key values with
//! `"` or `%` (no escape exists; `%` turns `=` into LIKE) or equal to `*` (the null test) cannot
//! be put in a clause: a read that would have to is refused as a protocol error naming the value.
//!
//! The resume cursor is base64url JSON `{"v":1,"os":"<os>","seg":{"at":…}}`: opaque to callers,
//! safe to store and to resume from in another process. One of another object structure or
//! version is refused as [`ConnectorError::Invalid`] at `$.resume`.

use super::client::{Key, MAX_PAGE_SIZE, ObjectStructure, SYSTEM, key_text};
use super::wire::datetime_text;
use crate::{ConnectorError, cursor};
use chrono::{DateTime, Utc};
use mw_model::RemoteRecord;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The format version of every cursor written here.
const VERSION: u8 = 1;

/// Where a read is: the segment the next request reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Segment {
    /// Rows stamped at or after `from` (epoch seconds), in (stamp, key) order; all rows when
    /// `None`.
    Changed { from: Option<i64> },
    /// Rows of the one printed second `second`, in key order, after `after`; the rows whose ids
    /// are in `seen` were returned already.
    Second {
        second: i64,
        after: Option<After>,
        seen: Vec<String>,
    },
    /// Rows of a structure without a change stamp, in key order, after `after`.
    Keys { after: Option<After> },
}

/// A position in key order and the phase of it to read: rows equal to `key` on the first
/// `phase - 1` keys and greater on key `phase`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct After {
    key: Vec<Value>,
    phase: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    v: u8,
    os: String,
    seg: Segment,
}

/// One row of a collection, with what paging needs to know of it.
#[derive(Debug)]
pub(crate) struct Row {
    /// The printed change second, for timestamped structures.
    pub(crate) second: Option<i64>,
    /// The key values in key order.
    pub(crate) key: Vec<Value>,
    pub(crate) record: RemoteRecord,
}

impl Row {
    /// The row of a mapped record, whose `raw` holds the key values.
    pub(crate) fn of(os: &ObjectStructure, record: RemoteRecord) -> Result<Row, ConnectorError> {
        let raw = record.raw.as_ref().ok_or_else(|| {
            ConnectorError::protocol(format!("{}: a record without its native payload", os.name))
        })?;
        let key = os
            .keys
            .iter()
            .map(|k| {
                key_value(raw.get(k.name), k).ok_or_else(|| {
                    ConnectorError::protocol(format!(
                        "{} record {}: no key attribute `{}`",
                        os.name, record.remote_id, k.name
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let second = os.stamp.map(|_| record.remote_updated_at.timestamp());
        Ok(Row {
            second,
            key,
            record,
        })
    }
}

/// A key value in the form paging compares and writes it: a string, or an integer.
fn key_value(value: Option<&Value>, key: &Key) -> Option<Value> {
    let text = key_text(value, key)?;
    if key.numeric {
        text.parse::<i64>().ok().map(Value::from)
    } else {
        Some(Value::String(text))
    }
}

/// One response's rows, in the order Maximo sent them.
pub(crate) struct Fetched {
    pub(crate) rows: Vec<Row>,
    /// Maximo announced more rows (`responseInfo.nextPage`).
    pub(crate) more: bool,
    pub(crate) total: Option<u64>,
}

/// Where pages come from: one collection query per segment.
pub(crate) trait Source {
    /// Asks for at most `ask` rows of `segment`, in its order, with the total when `count`.
    fn fetch(
        &mut self,
        segment: &Segment,
        ask: u32,
        count: bool,
    ) -> impl Future<Output = Result<Fetched, ConnectorError>> + Send;
}

/// One page read: its rows, where the next page starts, and the total when it was asked for.
pub(crate) struct Read {
    pub(crate) rows: Vec<Row>,
    pub(crate) next: Option<Segment>,
    pub(crate) total: Option<u64>,
}

impl Segment {
    /// Where a read of `os` changed since `since` starts.
    pub(crate) fn start(os: &ObjectStructure, since: Option<DateTime<Utc>>) -> Segment {
        match os.stamp {
            Some(_) => Segment::Changed {
                from: since.map(|s| s.timestamp()),
            },
            None => Segment::Keys { after: None },
        }
    }

    fn seen(&self) -> &[String] {
        match self {
            Segment::Second { seen, .. } => seen,
            _ => &[],
        }
    }

    /// The segment after this one, once it has no rows left.
    fn exhausted(self) -> Option<Segment> {
        match self {
            Segment::Changed { .. } => None,
            Segment::Second {
                second,
                after: Some(After { key, phase }),
                seen,
            } if phase > 1 => Some(Segment::Second {
                second,
                after: Some(After {
                    key,
                    phase: phase - 1,
                }),
                seen,
            }),
            Segment::Second { second, .. } => Some(Segment::Changed {
                from: Some(second + 1),
            }),
            Segment::Keys {
                after: Some(After { key, phase }),
            } if phase > 1 => Some(Segment::Keys {
                after: Some(After {
                    key,
                    phase: phase - 1,
                }),
            }),
            Segment::Keys { .. } => None,
        }
    }
}

/// The first key phase a look-ahead row falls in after the last row: the first key they differ
/// in, counted from 1. Without a look-ahead, the deepest phase.
fn phase_of(last: &[Value], peek: Option<&[Value]>, keys: usize) -> Result<usize, String> {
    let Some(peek) = peek else {
        return Ok(keys);
    };
    last.iter()
        .zip(peek)
        .position(|(a, b)| a != b)
        .map(|i| i + 1)
        .ok_or_else(|| format!("two rows share the key {last:?}"))
}

/// The `oslc.where` of a segment of `os`, `None` when it reads everything.
pub(crate) fn where_clause(
    os: &ObjectStructure,
    segment: &Segment,
) -> Result<Option<String>, ConnectorError> {
    let mut clauses = Vec::new();
    let stamp = || {
        os.stamp.ok_or_else(|| {
            ConnectorError::protocol(format!("{} has no change stamp to page on", os.name))
        })
    };
    let after = match segment {
        Segment::Changed { from } => {
            if let Some(from) = from {
                clauses.push(format!("{}>={}", stamp()?, time_literal(*from)?));
            }
            None
        }
        Segment::Second { second, after, .. } => {
            let stamp = stamp()?;
            clauses.push(format!("{stamp}>={}", time_literal(*second)?));
            clauses.push(format!("{stamp}<{}", time_literal(second + 1)?));
            after.as_ref()
        }
        Segment::Keys { after } => after.as_ref(),
    };
    if let Some(After { key, phase }) = after {
        for (i, (k, value)) in os.keys.iter().zip(key).take(*phase).enumerate() {
            let op = if i + 1 == *phase { ">" } else { "=" };
            clauses.push(format!("{}{op}{}", k.name, literal(value, k, os)?));
        }
    }
    Ok((!clauses.is_empty()).then(|| clauses.join(" and ")))
}

/// The `oslc.orderBy` of a segment: every attribute signed, as Maximo demands.
pub(crate) fn order_by(os: &ObjectStructure, segment: &Segment) -> String {
    let keys = os.keys.iter().map(|k| format!("+{}", k.name));
    match (segment, os.stamp) {
        (Segment::Changed { .. }, Some(stamp)) => std::iter::once(format!("+{stamp}"))
            .chain(keys)
            .collect::<Vec<_>>()
            .join(","),
        _ => keys.collect::<Vec<_>>().join(","),
    }
}

fn time_literal(seconds: i64) -> Result<String, ConnectorError> {
    DateTime::from_timestamp(seconds, 0)
        .map(|at| format!("\"{}\"", datetime_text(at)))
        .ok_or_else(|| {
            ConnectorError::protocol(format!("a change stamp out of range ({seconds} s)"))
        })
}

/// A key value as a where literal: integers bare, strings quoted.
fn literal(value: &Value, key: &Key, os: &ObjectStructure) -> Result<String, ConnectorError> {
    match value {
        Value::Number(n) if key.numeric && n.is_i64() => Ok(n.to_string()),
        Value::String(s) if !key.numeric && where_safe(s) => Ok(format!("\"{s}\"")),
        other => Err(ConnectorError::protocol(format!(
            "{}: cannot page past {} {other}: Maximo's where syntax has no escape for `\"` or `%`, and `*` is its null test",
            os.name, key.name
        ))),
    }
}

/// Whether a text can stand quoted in `oslc.where` and mean itself under `=`.
pub(crate) fn where_safe(text: &str) -> bool {
    !text.is_empty() && text != "*" && !text.contains(['"', '%'])
}

/// Reads one page of at most `size` rows starting at `start` from `source`, asking for the
/// total on the first request when `count`. See the module documentation for the segments and
/// when the read ends.
pub(crate) async fn read(
    os: &ObjectStructure,
    start: Segment,
    size: u32,
    count: bool,
    source: &mut impl Source,
) -> Result<Read, ConnectorError> {
    let size = size.max(1) as usize;
    let mut segment = start;
    let mut rows: Vec<Row> = Vec::new();
    let mut total = None;
    let mut count = count;
    for _ in 0..os.keys.len() + 3 {
        let want = size - rows.len();
        let ask = u32::try_from(want + 1).unwrap_or(u32::MAX);
        let fetched = source.fetch(&segment, ask, count).await?;
        if count {
            total = fetched.total;
            count = false;
        }
        let returned = fetched.rows.len();
        let mut taken = 0;
        // The last row consumed (returned or skipped as seen) and the look-ahead after it.
        let mut last: Option<(Option<i64>, Vec<Value>)> = None;
        let mut peek: Option<(Option<i64>, Vec<Value>)> = None;
        // Ids of consumed rows with their second, for the group a `Changed` page may end in.
        let mut consumed: Vec<(Option<i64>, String)> = Vec::new();
        for row in fetched.rows {
            if taken == want {
                peek = Some((row.second, row.key));
                break;
            }
            last = Some((row.second, row.key.clone()));
            consumed.push((row.second, row.record.remote_id.clone()));
            if !segment.seen().contains(&row.record.remote_id) {
                rows.push(row);
                taken += 1;
            }
        }
        let exhausted = peek.is_none() && returned < ask as usize && !fetched.more;
        let next = if exhausted {
            segment.exhausted()
        } else {
            let (last_second, last_key) = last.ok_or_else(|| {
                ConnectorError::protocol(format!(
                    "{}: Maximo announced more rows but sent none",
                    os.name
                ))
            })?;
            let peek_key = peek.as_ref().map(|(_, key)| key.as_slice());
            let next = match segment {
                Segment::Changed { .. } => {
                    let second = last_second.ok_or_else(|| {
                        ConnectorError::protocol(format!(
                            "{}: a row without its change stamp",
                            os.name
                        ))
                    })?;
                    match peek.as_ref().and_then(|(s, _)| *s) {
                        Some(p) if p > second => Segment::Changed {
                            from: Some(second + 1),
                        },
                        _ => Segment::Second {
                            second,
                            after: None,
                            seen: consumed
                                .into_iter()
                                .filter(|(s, _)| *s == Some(second))
                                .map(|(_, id)| id)
                                .collect(),
                        },
                    }
                }
                Segment::Second { second, seen, .. } => Segment::Second {
                    second,
                    after: Some(After {
                        phase: phase_of(&last_key, peek_key, os.keys.len())
                            .map_err(|e| ConnectorError::protocol(format!("{}: {e}", os.name)))?,
                        key: last_key,
                    }),
                    seen,
                },
                Segment::Keys { .. } => Segment::Keys {
                    after: Some(After {
                        phase: phase_of(&last_key, peek_key, os.keys.len())
                            .map_err(|e| ConnectorError::protocol(format!("{}: {e}", os.name)))?,
                        key: last_key,
                    }),
                },
            };
            Some(next)
        };
        match next {
            None => {
                return Ok(Read {
                    rows,
                    next: None,
                    total,
                });
            }
            Some(next) if rows.len() >= size => {
                return Ok(Read {
                    rows,
                    next: Some(next),
                    total,
                });
            }
            Some(next) => segment = next,
        }
    }
    // Every request moved the position on; the rest of the page is the next call's.
    Ok(Read {
        rows,
        next: Some(segment),
        total,
    })
}

/// The cursor text of `segment` in a read of `os`.
pub(crate) fn encode(os: &ObjectStructure, segment: &Segment) -> String {
    let cursor = Cursor {
        v: VERSION,
        os: os.name.to_owned(),
        seg: segment.clone(),
    };
    cursor::encode(&cursor)
}

/// The segment a cursor of `os` holds.
pub(crate) fn decode(text: &str, os: &ObjectStructure) -> Result<Segment, ConnectorError> {
    let invalid = |why: &str| cursor::invalid(SYSTEM, os.name, why);
    let cursor: Cursor = cursor::decode(text, invalid, "not a position of this read")?;
    if cursor.v != VERSION {
        return Err(invalid("unknown version"));
    }
    if cursor.os != os.name {
        return Err(invalid("it belongs to another object structure"));
    }
    let valid_second = |s: i64| {
        s.checked_add(1)
            .and_then(|next| DateTime::from_timestamp(next, 0))
            .is_some()
    };
    let valid_after = |after: &Option<After>| {
        after.as_ref().is_none_or(|a| {
            a.key.len() == os.keys.len()
                && (1..=os.keys.len()).contains(&a.phase)
                && a.key.iter().zip(os.keys).all(|(v, k)| match v {
                    Value::Number(n) => k.numeric && n.is_i64(),
                    Value::String(s) => !k.numeric && !s.is_empty(),
                    _ => false,
                })
        })
    };
    let ok = match (&cursor.seg, os.stamp) {
        (Segment::Changed { from }, Some(_)) => from.is_none_or(valid_second),
        (
            Segment::Second {
                second,
                after,
                seen,
            },
            Some(_),
        ) => {
            valid_second(*second) && valid_after(after) && seen.len() <= MAX_PAGE_SIZE as usize + 1
        }
        (Segment::Keys { after }, None) => valid_after(after),
        _ => false,
    };
    if !ok {
        return Err(invalid("not a position of this read"));
    }
    Ok(cursor.seg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use mw_model::{EntityData, Vendor, VendorStatus};
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    const WORK_ORDERS: ObjectStructure = ObjectStructure {
        name: "mxapiwodetail",
        select: "*",
        stamp: Some("changedate"),
        keys: &[Key::text("siteid"), Key::text("wonum")],
    };

    const INVENTORY: ObjectStructure = ObjectStructure {
        name: "mxapiinventory",
        select: "*,curbal",
        stamp: None,
        keys: &[
            Key::text("itemnum"),
            Key::text("itemsetid"),
            Key::text("location"),
            Key::text("siteid"),
        ],
    };

    const PURCHASE_ORDERS: ObjectStructure = ObjectStructure {
        name: "mxapipo",
        select: "*",
        stamp: Some("changedate"),
        keys: &[
            Key::text("ponum"),
            Key::integer("revisionnum"),
            Key::text("siteid"),
        ],
    };

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn clauses_of_each_segment() {
        let second = at("2024-02-01T08:00:02Z");
        assert_eq!(
            where_clause(&WORK_ORDERS, &Segment::Changed { from: Some(second) })
                .unwrap()
                .as_deref(),
            Some(r#"changedate>="2024-02-01T08:00:02+00:00""#)
        );
        assert_eq!(
            where_clause(&WORK_ORDERS, &Segment::Changed { from: None }).unwrap(),
            None
        );
        assert_eq!(
            order_by(&WORK_ORDERS, &Segment::Changed { from: None }),
            "+changedate,+siteid,+wonum"
        );
        let group = Segment::Second {
            second,
            after: None,
            seen: vec![],
        };
        assert_eq!(
            where_clause(&WORK_ORDERS, &group).unwrap().as_deref(),
            Some(
                r#"changedate>="2024-02-01T08:00:02+00:00" and changedate<"2024-02-01T08:00:03+00:00""#
            )
        );
        assert_eq!(order_by(&WORK_ORDERS, &group), "+siteid,+wonum");
        let deep = Segment::Second {
            second,
            after: Some(After {
                key: vec![json!("BEDFORD"), json!("1002")],
                phase: 2,
            }),
            seen: vec![],
        };
        assert_eq!(
            where_clause(&WORK_ORDERS, &deep).unwrap().as_deref(),
            Some(
                r#"changedate>="2024-02-01T08:00:02+00:00" and changedate<"2024-02-01T08:00:03+00:00" and siteid="BEDFORD" and wonum>"1002""#
            )
        );
        let shallow = Segment::Keys {
            after: Some(After {
                key: vec![
                    json!("0-0006"),
                    json!("SET1"),
                    json!("CENTRAL"),
                    json!("BEDFORD"),
                ],
                phase: 1,
            }),
        };
        assert_eq!(
            where_clause(&INVENTORY, &shallow).unwrap().as_deref(),
            Some(r#"itemnum>"0-0006""#)
        );
        assert_eq!(
            order_by(&INVENTORY, &shallow),
            "+itemnum,+itemsetid,+location,+siteid"
        );
        let po = Segment::Second {
            second,
            after: Some(After {
                key: vec![json!("1017"), json!(0), json!("BEDFORD")],
                phase: 3,
            }),
            seen: vec![],
        };
        assert!(
            where_clause(&PURCHASE_ORDERS, &po)
                .unwrap()
                .unwrap()
                .ends_with(r#"ponum="1017" and revisionnum=0 and siteid>"BEDFORD""#)
        );
    }

    #[test]
    fn values_without_a_where_literal_are_refused() {
        for bad in ["A\"B", "50%", "*", ""] {
            let segment = Segment::Keys {
                after: Some(After {
                    key: vec![json!(bad), json!("S"), json!("L"), json!("X")],
                    phase: 1,
                }),
            };
            assert!(
                matches!(
                    where_clause(&INVENTORY, &segment),
                    Err(ConnectorError::Protocol { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let segment = Segment::Second {
            second: at("2024-02-01T08:00:02Z"),
            after: Some(After {
                key: vec![json!("BEDFORD"), json!("1002")],
                phase: 1,
            }),
            seen: vec!["BEDFORD/1001".into()],
        };
        let text = encode(&WORK_ORDERS, &segment);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode(&text, &WORK_ORDERS).unwrap(), segment);
        assert!(decode(&text, &PURCHASE_ORDERS).is_err());
        assert!(decode(&text, &INVENTORY).is_err());
        let keys = encode(&INVENTORY, &Segment::Keys { after: None });
        assert!(decode(&keys, &INVENTORY).is_ok());
        assert!(decode(&keys, &WORK_ORDERS).is_err());
        let bad = [
            json!({"v": 1, "os": "mxapiwodetail", "seg": {"at": "changed", "from": i64::MAX}}),
            json!({"v": 2, "os": "mxapiwodetail", "seg": {"at": "changed", "from": null}}),
            json!({"v": 1, "os": "mxapiwodetail", "seg": {"at": "second", "second": 0, "seen": [],
                "after": {"key": ["BEDFORD"], "phase": 1}}}),
            json!({"v": 1, "os": "mxapiwodetail", "seg": {"at": "second", "second": 0, "seen": [],
                "after": {"key": ["BEDFORD", "1"], "phase": 3}}}),
            json!({"v": 1, "os": "mxapiwodetail", "seg": {"at": "second", "second": 0, "seen": [],
                "after": {"key": ["BEDFORD", 1], "phase": 1}}}),
        ];
        for cursor in bad {
            let text = URL_SAFE_NO_PAD.encode(cursor.to_string());
            assert!(decode(&text, &WORK_ORDERS).is_err(), "{cursor}");
        }
        assert!(decode("not a cursor!", &WORK_ORDERS).is_err());
        assert!(decode("e30", &WORK_ORDERS).is_err());
    }

    // ---- a Maximo in memory, to read through ----

    /// Rows with a hidden millisecond stamp and two text keys, and Maximo's answers to segments:
    /// filtered, sorted as the segment says, cut at `min(ask, cap)` with `more` when cut.
    struct FakeMaximo {
        rows: Vec<(i64, [String; 2])>,
        cap: usize,
    }

    impl FakeMaximo {
        fn matches(segment: &Segment, ms: i64, key: &[String; 2]) -> bool {
            let after = |after: &Option<After>| match after {
                None => true,
                Some(After { key: k, phase }) => {
                    let k: Vec<&str> = k.iter().filter_map(Value::as_str).collect();
                    (0..phase - 1).all(|i| key[i] == k[i]) && key[phase - 1].as_str() > k[phase - 1]
                }
            };
            match segment {
                Segment::Changed { from } => from.is_none_or(|f| ms >= f * 1000),
                Segment::Second {
                    second, after: a, ..
                } => ms.div_euclid(1000) == *second && after(a),
                Segment::Keys { after: a } => after(a),
            }
        }

        fn fetch(&self, segment: &Segment, ask: u32) -> Fetched {
            let mut rows: Vec<&(i64, [String; 2])> = self
                .rows
                .iter()
                .filter(|(ms, key)| Self::matches(segment, *ms, key))
                .collect();
            match segment {
                Segment::Changed { .. } => rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1))),
                _ => rows.sort_by(|a, b| a.1.cmp(&b.1)),
            }
            let cut = self.cap.min(ask as usize);
            let more = rows.len() > cut;
            rows.truncate(cut);
            let rows = rows.into_iter().map(|(ms, key)| row(*ms, key)).collect();
            Fetched {
                rows,
                more,
                total: None,
            }
        }
    }

    /// The fake as a page source, noting what it was asked.
    struct Asking<'a> {
        server: &'a FakeMaximo,
        asked: Vec<(Segment, u32)>,
    }

    impl Source for Asking<'_> {
        async fn fetch(
            &mut self,
            segment: &Segment,
            ask: u32,
            _count: bool,
        ) -> Result<Fetched, ConnectorError> {
            self.asked.push((segment.clone(), ask));
            Ok(self.server.fetch(segment, ask))
        }
    }

    fn row(ms: i64, key: &[String; 2]) -> Row {
        let id = key.join("/");
        Row {
            second: Some(ms.div_euclid(1000)),
            key: key.iter().map(|k| json!(k)).collect(),
            record: RemoteRecord {
                remote_id: id.clone(),
                remote_created_at: None,
                remote_updated_at: DateTime::from_timestamp_millis(ms).unwrap(),
                remote_version: None,
                data: EntityData::Vendor(Vendor {
                    number: id,
                    name: String::new(),
                    status: VendorStatus::Active,
                    tax_id: None,
                    currency: None,
                    payment_terms: None,
                    email: None,
                    phone: None,
                    address: None,
                }),
                raw: None,
            },
        }
    }

    /// Reads everything through cursors, as the sync engine does; the ids in the order read.
    fn read_all(
        server: &FakeMaximo,
        os: &ObjectStructure,
        size: u32,
        since: Option<i64>,
    ) -> Vec<String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut segment = match os.stamp {
            Some(_) => Segment::Changed { from: since },
            None => Segment::Keys { after: None },
        };
        let mut ids = Vec::new();
        for page in 0.. {
            assert!(page < 10_000, "the read does not end");
            let read = runtime
                .block_on(read(
                    os,
                    segment.clone(),
                    size,
                    page == 0,
                    &mut Asking {
                        server,
                        asked: Vec::new(),
                    },
                ))
                .unwrap();
            assert!(read.rows.len() <= size as usize);
            ids.extend(read.rows.into_iter().map(|r| r.record.remote_id));
            match read.next {
                Some(next) => segment = decode(&encode(os, &next), os).unwrap(),
                None => break,
            }
        }
        ids
    }

    const KEYED: ObjectStructure = ObjectStructure {
        name: "keyed",
        select: "*",
        stamp: None,
        keys: &[Key::text("a"), Key::text("b")],
    };

    fn rows_strategy(whole_seconds: bool) -> impl Strategy<Value = Vec<(i64, [String; 2])>> {
        proptest::collection::btree_map(("[A-C]", "[0-9]{1,2}"), (0i64..6, 0i64..1000), 0..40)
            .prop_map(move |rows: BTreeMap<(String, String), (i64, i64)>| {
                rows.into_iter()
                    .map(|((a, b), (s, ms))| {
                        (s * 1000 + if whole_seconds { 0 } else { ms }, [a, b])
                    })
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn every_row_is_read_once_with_stamps_to_the_second(
            rows in rows_strategy(true), size in 1u32..6, cap in 1usize..8
        ) {
            let server = FakeMaximo { rows, cap };
            let ids = read_all(&server, &WORK_ORDERS, size, None);
            let mut expected: Vec<String> = server.rows.iter().map(|(_, k)| k.join("/")).collect();
            let mut got = ids.clone();
            expected.sort();
            got.sort();
            prop_assert_eq!(got, expected, "read order {:?}", ids);
        }

        #[test]
        fn every_row_is_read_once_with_hidden_milliseconds(
            rows in rows_strategy(false), size in 1u32..6, cap in 1usize..8
        ) {
            let server = FakeMaximo { rows, cap };
            let mut got = read_all(&server, &WORK_ORDERS, size, None);
            let mut expected: Vec<String> = server.rows.iter().map(|(_, k)| k.join("/")).collect();
            got.sort();
            expected.sort();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn a_window_reads_exactly_the_rows_inside_it(
            rows in rows_strategy(false), size in 1u32..6, since in 0i64..6
        ) {
            let server = FakeMaximo { rows, cap: 100 };
            let mut got = read_all(&server, &WORK_ORDERS, size, Some(since));
            let mut expected: Vec<String> = server
                .rows
                .iter()
                .filter(|(ms, _)| *ms >= since * 1000)
                .map(|(_, k)| k.join("/"))
                .collect();
            got.sort();
            expected.sort();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn snapshots_read_every_row_once_in_key_order(
            rows in rows_strategy(true), size in 1u32..6, cap in 1usize..8
        ) {
            let server = FakeMaximo { rows, cap };
            let got = read_all(&server, &KEYED, size, None);
            let mut expected: Vec<String> = server.rows.iter().map(|(_, k)| k.join("/")).collect();
            expected.sort();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn a_page_ending_between_seconds_continues_with_the_next_second() {
        let rows = vec![
            (1000, ["A".to_string(), "1".to_string()]),
            (2000, ["A".to_string(), "2".to_string()]),
            (3000, ["A".to_string(), "3".to_string()]),
        ];
        let server = FakeMaximo { rows, cap: 100 };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut source = Asking {
            server: &server,
            asked: Vec::new(),
        };
        let read = runtime
            .block_on(read(
                &WORK_ORDERS,
                Segment::Changed { from: None },
                2,
                true,
                &mut source,
            ))
            .unwrap();
        assert_eq!(read.rows.len(), 2);
        assert_eq!(read.next, Some(Segment::Changed { from: Some(3) }));
        assert_eq!(source.asked, [(Segment::Changed { from: None }, 3)]);
    }
}
