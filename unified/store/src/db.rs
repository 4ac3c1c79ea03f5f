//! SQLite connections, pragmas and the schema.

use crate::StoreError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Readers kept open beside the writer. Reads beyond this open a connection of their own.
const READERS: usize = 4;

pub(crate) struct Db {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

impl Db {
    pub(crate) fn open(path: &Path) -> Result<Db, StoreError> {
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| connect(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Db {
            writer: Mutex::new(writer),
            readers: Mutex::new(readers),
            path: path.to_path_buf(),
        })
    }

    /// The writer connection. Held only inside blocking tasks, never across an await.
    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (the transaction
        // rolls back on drop), so a poisoned lock is still safe to use.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on a reader connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < READERS {
            readers.push(conn);
        }
        result
    }
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last
    // transactions, never corrupt the database.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE api_keys (
    key_hash    TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
);
CREATE TABLE connections (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    system      TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    credentials BLOB NOT NULL,
    settings    TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX connections_by_tenant ON connections(tenant_id, created_at);
CREATE TABLE records (
    seq               INTEGER PRIMARY KEY,
    connection_id     TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    entity            TEXT NOT NULL,
    remote_id         TEXT NOT NULL,
    id                TEXT NOT NULL UNIQUE,
    remote_created_at INTEGER,
    remote_updated_at INTEGER NOT NULL,
    data              TEXT NOT NULL,
    raw               TEXT,
    UNIQUE (connection_id, entity, remote_id)
);
CREATE INDEX records_by_change ON records(connection_id, entity, remote_updated_at);
CREATE TABLE watermarks (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    entity        TEXT NOT NULL,
    watermark     INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, entity)
);
CREATE TABLE sync_jobs (
    id            TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    tenant_id     TEXT NOT NULL,
    mode          TEXT NOT NULL,
    state         TEXT NOT NULL,
    entities      TEXT NOT NULL,
    progress      TEXT NOT NULL,
    error         TEXT,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
);
CREATE INDEX sync_jobs_by_connection ON sync_jobs(connection_id, created_at);
-- At most one queued or running sync per connection: two syncs never interleave.
CREATE UNIQUE INDEX one_active_sync ON sync_jobs(connection_id) WHERE state IN ('queued', 'running');
"#,
    r#"
-- The source's concurrency token (ETag, rowstamp) of each record.
ALTER TABLE records ADD COLUMN remote_version TEXT;
-- The sync job whose snapshot last saw the record, for entities read whole and diffed.
ALTER TABLE records ADD COLUMN seen_by TEXT;
"#,
    r#"
-- Writes made with an Idempotency-Key: what was asked (fingerprint) and what was answered.
-- A row without a status is a write still in progress.
CREATE TABLE idempotency_keys (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER,
    location     TEXT,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
"#,
    r#"
-- The event outbox (`events.rs`): appended in the transaction of the change it reports.
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    type          TEXT NOT NULL,
    connection_id TEXT,
    data          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX events_by_tenant ON events (tenant_id, seq);
"#,
];

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {applied}, newer than this build knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Instants are stored as integer microseconds since the Unix epoch: exact, compact, and ordered.
pub(crate) fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(v: i64) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::from_timestamp_micros(v)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {v} out of range")))
}

pub(crate) fn parse_uuid(s: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(s).map_err(|_| StoreError::Corrupt(format!("bad uuid {s}")))
}

/// The local clock at the store's precision, so that a value read back equals the value written.
/// Used only for bookkeeping (job and row times), never for watermarks.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
