//! Transaction ids: every write carries a `transactionid`, so that a write repeated after its
//! outcome was lost is never applied twice.
//!
//! Maximo remembers the `transactionid` of each write it applied (until an escalation clears
//! them, about five minutes by default) and answers a repeat with 409 `BMXAA9524E`, applying
//! nothing. So the id of a repeated write must be the id of the first attempt, and the id of a
//! new write must be new, even when its body is the same as an earlier one (two identical
//! inventory issues are two issues).
//!
//! The [`Journal`] tells them apart. A write is known by its fingerprint: the operation, its
//! target and the canonical request. Its id is `mw-` + a random UUID, except when the journal
//! holds an attempt with the same fingerprint whose outcome is unknown (the request may have
//! reached Maximo, but no answer came back: a transport failure, a 5xx, a broken response): then
//! the same id goes out again. If the first attempt was applied, Maximo answers 409 and the
//! record is read and returned as the write's result; if not, the write is applied now. An
//! attempt whose outcome is known (applied and answered, or refused) is forgotten. An attempt
//! applied whose read-back failed is remembered with the record it created, which a repeat
//! returns without writing. Entries live ten minutes (Maximo forgets ids after about five, so a
//! later repeat would be applied anyway) and at most 1024 are kept.
//!
//! The journal lives in the connector, which the server keeps per connection: a repeat through
//! the unified API (an `Idempotency-Key` freed by a 5xx, or the retry layer under the
//! connector) is recognised; a repeat after a restart of the process is not. And within ten
//! minutes of an unanswered write, the same write sent again is taken for its repeat.
//!
//! # After `BMXAA9524E`
//! A change names its record, which is read and returned. A create answered 409 never told
//! where its record is: when the body holds every key attribute the record is read by its key;
//! otherwise the structure is searched, newest change first, for a record whose identifying
//! attributes (per structure, e.g. site and description of a work order) equal the body's, and
//! the newest match is returned. Without a match the 409 is reported as a conflict whose message
//! says the write was applied but its record not found.

use super::client::{
    self, MaximoClient, ObjectStructure, SYSTEM, WriteKind, is_replayed, location_rest_id,
    remote_id_from, rest_id,
};
use super::keyset::where_safe;
use crate::{ConnectorError, Upstream};
use chrono::{DateTime, Utc};
use mw_model::RemoteRecord;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long an unanswered write is remembered.
const WINDOW: Duration = Duration::from_secs(600);
/// The most unanswered writes remembered; the oldest goes first.
const CAPACITY: usize = 1024;
/// How many of the newest records a search after `BMXAA9524E` looks at.
const SEARCH_DEPTH: u32 = 20;

/// Maps a native record (and the source's clock of its response) to a canonical one.
pub(crate) type MapFn = fn(Value, DateTime<Utc>) -> Result<RemoteRecord, ConnectorError>;

struct Entry {
    transaction_id: String,
    at: Instant,
    /// The rest id of the record the write created or changed, once it is known to be applied.
    applied: Option<String>,
}

/// Writes whose outcome is not known, by fingerprint.
#[derive(Default)]
pub(crate) struct Journal {
    entries: Mutex<HashMap<String, Entry>>,
}

/// One attempt of a write.
pub(crate) struct Attempt {
    pub(crate) transaction_id: String,
    /// The write was applied by an earlier attempt, to this rest id.
    pub(crate) applied: Option<String>,
}

impl Journal {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic elsewhere cannot leave an entry half-written: each is replaced whole.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The transaction id for a write: the unanswered attempt's, or a new one.
    pub(crate) fn begin(&self, fingerprint: &str) -> Attempt {
        let mut entries = self.lock();
        entries.retain(|_, e| e.at.elapsed() < WINDOW);
        match entries.get(fingerprint) {
            Some(e) => Attempt {
                transaction_id: e.transaction_id.clone(),
                applied: e.applied.clone(),
            },
            None => Attempt {
                transaction_id: format!("mw-{}", uuid::Uuid::new_v4().simple()),
                applied: None,
            },
        }
    }

    /// Whether an earlier attempt of this write went unanswered.
    pub(crate) fn pending(&self, fingerprint: &str) -> bool {
        self.lock()
            .get(fingerprint)
            .is_some_and(|e| e.at.elapsed() < WINDOW)
    }

    /// The attempt may have been applied: a repeat must carry the same id.
    pub(crate) fn uncertain(&self, fingerprint: &str, transaction_id: &str) {
        self.remember(fingerprint, transaction_id, None);
    }

    /// The attempt was applied to `rest_id`, but the write could not be answered.
    pub(crate) fn applied(&self, fingerprint: &str, transaction_id: &str, rest_id: &str) {
        self.remember(fingerprint, transaction_id, Some(rest_id.to_owned()));
    }

    /// The write's outcome is known: a new write with the same body is a new write.
    pub(crate) fn settle(&self, fingerprint: &str) {
        self.lock().remove(fingerprint);
    }

    fn remember(&self, fingerprint: &str, transaction_id: &str, applied: Option<String>) {
        let mut entries = self.lock();
        entries.insert(
            fingerprint.to_owned(),
            Entry {
                transaction_id: transaction_id.to_owned(),
                at: Instant::now(),
                applied,
            },
        );
        while entries.len() > CAPACITY {
            let oldest = entries
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => entries.remove(&k),
                None => break,
            };
        }
    }
}

/// The fingerprint of a write: operation, target and canonical request.
pub(crate) fn fingerprint(operation: &str, target: &str, request: &impl Serialize) -> String {
    match serde_json::to_string(request) {
        Ok(body) => format!("{operation} {target} {body}"),
        // Never the case for the model's types; a unique fingerprint keeps such a write from
        // ever being taken for the repeat of another.
        Err(_) => format!("{operation} {target} {}", uuid::Uuid::new_v4()),
    }
}

fn after_failure(journal: &Journal, fingerprint: &str, transaction_id: &str, e: &ConnectorError) {
    if e.outcome_unknown() {
        journal.uncertain(fingerprint, transaction_id);
    } else {
        journal.settle(fingerprint);
    }
}

/// Reads back the record a write was applied to. When that fails the write stays applied: a
/// repeat returns the record without writing again.
async fn read_back(
    client: &MaximoClient,
    os: &ObjectStructure,
    rest_id: &str,
    fingerprint: &str,
    transaction_id: &str,
    map: MapFn,
) -> Result<RemoteRecord, ConnectorError> {
    match client.get_by_rest_id(os, rest_id, map).await {
        Ok(record) => {
            client.journal.settle(fingerprint);
            Ok(record)
        }
        Err(e) => {
            tracing::warn!(system = SYSTEM, os = os.name, %rest_id, error = %e,
                "the write was applied but reading the record back failed");
            client.journal.applied(fingerprint, transaction_id, rest_id);
            Err(e)
        }
    }
}

/// Creates a record with `POST …/os/<os>`, then reads it back from its `Location`. `search`
/// names the body's attributes that identify the record after a `BMXAA9524E`.
pub(crate) async fn create(
    client: &MaximoClient,
    os: &ObjectStructure,
    payload: &Value,
    fingerprint: &str,
    search: &[&str],
    map: MapFn,
) -> Result<RemoteRecord, ConnectorError> {
    let attempt = client.journal.begin(fingerprint);
    let tid = attempt.transaction_id.as_str();
    if let Some(rest_id) = &attempt.applied {
        return read_back(client, os, rest_id, fingerprint, tid, map).await;
    }
    match client
        .write(os, WriteKind::Create, None, payload, tid, None)
        .await
    {
        Ok(response) => {
            let Some(rest_id) = location_rest_id(&response.headers) else {
                // Applied, but Maximo did not say where: a repeat with the same id is answered
                // 409, and the record is then searched for.
                client.journal.uncertain(fingerprint, tid);
                return Err(ConnectorError::Protocol {
                    detail: format!(
                        "{SYSTEM} created a {} record but sent no Location naming it",
                        os.name
                    ),
                    upstream: Some(client::upstream(
                        response.status,
                        super::wire::NativeError::default(),
                    )),
                });
            };
            tracing::info!(system = SYSTEM, os = os.name, %rest_id, transactionid = tid, "created");
            read_back(client, os, &rest_id, fingerprint, tid, map).await
        }
        Err(e) if is_replayed(&e) => {
            tracing::info!(
                system = SYSTEM,
                os = os.name,
                transactionid = tid,
                "create already applied by an earlier attempt; looking for its record"
            );
            match find_created(client, os, payload, search, map).await {
                Ok(Some(record)) => {
                    client.journal.settle(fingerprint);
                    Ok(record)
                }
                Ok(None) => {
                    client.journal.settle(fingerprint);
                    let upstream = e.upstream().cloned().map(|u| Upstream {
                        message: Some(format!(
                            "{} (the {} record this write created earlier was not found; look for it before writing again)",
                            u.message.as_deref().unwrap_or("transaction already applied"),
                            os.name
                        )),
                        ..u
                    });
                    Err(upstream.map_or(e, ConnectorError::Conflict))
                }
                // A passing failure of the search: the next repeat searches again.
                Err(search_error) => {
                    after_failure(&client.journal, fingerprint, tid, &search_error);
                    Err(search_error)
                }
            }
        }
        Err(e) => {
            after_failure(&client.journal, fingerprint, tid, &e);
            Err(e)
        }
    }
}

/// Changes a known record (a merge, a web method), then reads it back. `if_match` is the
/// rowstamp the change is conditional on.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn change(
    client: &MaximoClient,
    os: &ObjectStructure,
    remote_id: &str,
    kind: WriteKind<'_>,
    body: &Value,
    fingerprint: &str,
    if_match: Option<&str>,
    map: MapFn,
) -> Result<RemoteRecord, ConnectorError> {
    let rest_id = rest_id(remote_id);
    let attempt = client.journal.begin(fingerprint);
    let tid = attempt.transaction_id.as_str();
    if attempt.applied.is_some() {
        return read_back(client, os, &rest_id, fingerprint, tid, map).await;
    }
    match client
        .write(os, kind, Some(&rest_id), body, tid, if_match)
        .await
    {
        Ok(_) => read_back(client, os, &rest_id, fingerprint, tid, map).await,
        Err(e) if is_replayed(&e) => {
            tracing::info!(system = SYSTEM, os = os.name, %remote_id, transactionid = tid,
                "change already applied by an earlier attempt");
            read_back(client, os, &rest_id, fingerprint, tid, map).await
        }
        Err(e) => {
            after_failure(&client.journal, fingerprint, tid, &e);
            Err(e)
        }
    }
}

/// A merge of `body` into a record, conditional on the caller's `expected_version` (the
/// `_rowstamp` it read): the record is read first (a missing one is not found before anything is
/// written); a different rowstamp is refused as a conflict before sending, and the rowstamp also
/// goes out as `If-Match`, so that Maximo refuses (412) a change that lands in between. Without
/// an expected version the merge is unconditional. `what` names the record in messages; `fits`
/// checks the body against the record as it is (a line a merge names must exist, or Maximo would
/// add it).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn guarded_merge(
    client: &MaximoClient,
    os: &ObjectStructure,
    remote_id: &str,
    body: &Value,
    fingerprint: &str,
    expected_version: Option<&str>,
    map: MapFn,
    what: &str,
    fits: fn(&RemoteRecord, &Value) -> Result<(), ConnectorError>,
) -> Result<RemoteRecord, ConnectorError> {
    let current = client.get_record(os, remote_id, map).await?;
    fits(&current, body)?;
    // A repeat of an unanswered change finds the rowstamp its first attempt moved on: it goes out
    // with the same transaction id, and Maximo says whether it was applied.
    if let (Some(expected), Some(now)) = (expected_version, current.remote_version.as_deref())
        && expected != now
        && !client.journal.pending(fingerprint)
    {
        return Err(stale(&format!("{what} {remote_id}"), expected, now));
    }
    change(
        client,
        os,
        remote_id,
        WriteKind::Merge,
        body,
        fingerprint,
        expected_version,
        map,
    )
    .await
}

/// Moves a record to the native `status` through `?action=wsmethod:changeStatus`, conditional
/// on the caller's `expected_version` as [`guarded_merge`] is. A record already in that status is
/// answered as it is. Maximo's refusal (400: the current status does not allow the move) is a
/// [`ConnectorError::Conflict`] carrying its reason code.
pub(crate) async fn status_action(
    client: &MaximoClient,
    os: &ObjectStructure,
    remote_id: &str,
    status: &str,
    expected_version: Option<&str>,
    map: MapFn,
) -> Result<RemoteRecord, ConnectorError> {
    let fingerprint = fingerprint("status", remote_id, &(status, expected_version));
    let current = client.get_record(os, remote_id, map).await?;
    let native = current
        .raw
        .as_ref()
        .and_then(|raw| raw.get("status"))
        .and_then(Value::as_str);
    if native.is_some_and(|s| s.eq_ignore_ascii_case(status)) {
        client.journal.settle(&fingerprint);
        return Ok(current);
    }
    if let (Some(expected), Some(now)) = (expected_version, current.remote_version.as_deref())
        && expected != now
        && !client.journal.pending(&fingerprint)
    {
        return Err(stale(remote_id, expected, now));
    }
    change(
        client,
        os,
        remote_id,
        WriteKind::Action("changeStatus"),
        &serde_json::json!({"status": status}),
        &fingerprint,
        expected_version,
        map,
    )
    .await
    .map_err(status_refusal)
}

/// Maximo's refusal of a status change: a 400 is the record's current status not allowing the
/// move, a conflict with its state rather than a malformed request.
pub(crate) fn status_refusal(error: ConnectorError) -> ConnectorError {
    match error {
        ConnectorError::Rejected(upstream) if upstream.status == 400 => {
            ConnectorError::Conflict(upstream)
        }
        other => other,
    }
}

/// A write refused before sending because the record moved past the caller's rowstamp; what
/// Maximo answers a write whose If-Match no longer matches.
fn stale(remote_id: &str, expected: &str, now: &str) -> ConnectorError {
    ConnectorError::Conflict(Upstream {
        system: SYSTEM.into(),
        status: 412,
        code: None,
        message: Some(format!(
            "{remote_id} changed since rowstamp {expected}; it is now at {now}"
        )),
    })
}

/// For merges that need no check against the record as it is.
pub(crate) fn any_record(_: &RemoteRecord, _: &Value) -> Result<(), ConnectorError> {
    Ok(())
}

/// The record a create answered `BMXAA9524E` made earlier: by its key when the body holds all
/// of it, else the newest record whose `search` attributes equal the body's.
async fn find_created(
    client: &MaximoClient,
    os: &ObjectStructure,
    payload: &Value,
    search: &[&str],
    map: MapFn,
) -> Result<Option<RemoteRecord>, ConnectorError> {
    if let Ok(remote_id) = remote_id_from(payload, os.keys) {
        return match client.get_record(os, &remote_id, map).await {
            Ok(record) => Ok(Some(record)),
            Err(ConnectorError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        };
    }
    let wanted: Vec<(&str, &str)> = search
        .iter()
        .filter_map(|f| payload.get(*f).and_then(Value::as_str).map(|v| (*f, v)))
        .collect();
    let clauses: Vec<String> = wanted
        .iter()
        .filter(|(_, v)| where_safe(v))
        .map(|(f, v)| format!("{f}=\"{v}\""))
        .collect();
    let filter = (!clauses.is_empty()).then(|| clauses.join(" and "));
    let order = match os.stamp {
        Some(stamp) => format!("-{stamp}"),
        None => os
            .keys
            .iter()
            .map(|k| format!("-{}", k.name))
            .collect::<Vec<_>>()
            .join(","),
    };
    let (headers, collection) = client
        .query(os, filter.as_deref(), &order, SEARCH_DEPTH, false)
        .await?;
    let found = collection.member.into_iter().find(|candidate| {
        wanted.iter().all(|(f, v)| {
            candidate
                .get(*f)
                .and_then(Value::as_str)
                .is_some_and(|c| c.trim().eq_ignore_ascii_case(v.trim()))
        })
    });
    found
        .map(|raw| map(raw, client::read_at(&headers)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_refusals_are_conflicts_with_maximo_s_reason() {
        let upstream = Upstream {
            system: "maximo".into(),
            status: 400,
            code: Some("BMXAA4679E".into()),
            message: Some("BMXAA4679E - Status COMP cannot be changed to APPR.".into()),
        };
        let e = status_refusal(ConnectorError::Rejected(upstream.clone()));
        assert!(
            matches!(&e, ConnectorError::Conflict(u) if *u == upstream),
            "{e:?}"
        );
        let e = status_refusal(ConnectorError::PermissionDenied(Upstream {
            status: 403,
            ..upstream
        }));
        assert!(matches!(e, ConnectorError::PermissionDenied(_)));
    }

    #[test]
    fn an_unanswered_write_keeps_its_id_until_settled() {
        let journal = Journal::default();
        let first = journal.begin("create mxapiwodetail {}");
        assert!(first.transaction_id.starts_with("mw-"));
        assert!(!journal.pending("create mxapiwodetail {}"));
        journal.uncertain("create mxapiwodetail {}", &first.transaction_id);
        assert!(journal.pending("create mxapiwodetail {}"));
        let repeat = journal.begin("create mxapiwodetail {}");
        assert_eq!(repeat.transaction_id, first.transaction_id);
        assert_eq!(repeat.applied, None);
        // Another write is another transaction.
        assert_ne!(
            journal
                .begin("create mxapiwodetail {\"a\":1}")
                .transaction_id,
            first.transaction_id
        );
        journal.settle("create mxapiwodetail {}");
        assert_ne!(
            journal.begin("create mxapiwodetail {}").transaction_id,
            first.transaction_id
        );
    }

    #[test]
    fn an_applied_write_remembers_its_record() {
        let journal = Journal::default();
        let first = journal.begin("f");
        journal.applied("f", &first.transaction_id, "_QkVERk9SRC8xMDAw");
        let repeat = journal.begin("f");
        assert_eq!(repeat.applied.as_deref(), Some("_QkVERk9SRC8xMDAw"));
        assert_eq!(repeat.transaction_id, first.transaction_id);
    }

    #[test]
    fn the_journal_is_bounded() {
        let journal = Journal::default();
        for i in 0..CAPACITY + 10 {
            journal.uncertain(&format!("f{i}"), "mw-x");
        }
        assert_eq!(journal.lock().len(), CAPACITY);
    }

    #[test]
    fn fingerprints_hold_operation_target_and_body() {
        let f = fingerprint(
            "status",
            "BEDFORD/1000",
            &serde_json::json!({"status": "in_progress"}),
        );
        assert_eq!(f, r#"status BEDFORD/1000 {"status":"in_progress"}"#);
    }
}
