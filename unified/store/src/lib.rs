//! The store: SQLite (WAL) holding tenants, connections, synced records, watermarks and sync jobs.
//!
//! Every method is async and runs its SQL on the blocking pool: one writer connection behind a
//! mutex (SQLite has one writer anyway) and a few reader connections, which WAL lets run beside it.
//!
//! **Invariant:** a page of records and the watermark that covers it are committed in one
//! transaction ([`Store::commit_page`]), so a crash can never leave a watermark ahead of its data.
//! Credentials are encrypted at rest ([`secrets`]) and never leave this crate except to build a
//! connector.

mod connections;
mod db;
mod error;
mod events;
mod idempotency;
mod records;
pub mod secrets;
mod syncs;
mod tenants;

pub use connections::{ConnectionStatus, NewConnection, StoredConnection};
pub use error::StoreError;
pub use events::Event;
pub use idempotency::{IdempotentStart, StoredResponse};
pub use records::{ListQuery, RecordPage, StoredRecord, UpsertCounts, UpsertOutcome};
pub use syncs::{EntityProgress, EntityState, PageCommit, SyncError, SyncJob, SyncMode, SyncState};
pub use tenants::Tenant;

use db::Db;
use secrets::Cipher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the store lives and how it protects credentials.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub path: PathBuf,
    /// The 32-byte key credentials are encrypted with. `None` reads `<path>.key`, creating it
    /// with a fresh random key (mode 0600) on first use.
    pub secret_key: Option<[u8; 32]>,
}

impl StoreOptions {
    pub fn at(path: impl AsRef<Path>) -> Self {
        StoreOptions {
            path: path.as_ref().to_path_buf(),
            secret_key: None,
        }
    }
}

/// A handle on the store; cheap to clone and share between tasks.
#[derive(Clone)]
pub struct Store {
    db: Arc<Db>,
    cipher: Arc<Cipher>,
}

impl Store {
    /// Opens (creating and migrating when needed) the store at `options.path`.
    pub async fn open(options: StoreOptions) -> Result<Store, StoreError> {
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = options.path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            let cipher = match options.secret_key {
                Some(key) => Cipher::new(&key),
                None => Cipher::from_key_file(&key_path(&options.path))?,
            };
            let db = Db::open(&options.path)?;
            Ok(Store {
                db: Arc::new(db),
                cipher: Arc::new(cipher),
            })
        })
        .await?
    }
}

fn key_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

impl Store {
    /// Runs `f` on the writer connection in the blocking pool.
    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection, &Cipher) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        let cipher = self.cipher.clone();
        tokio::task::spawn_blocking(move || f(&mut db.writer(), &cipher)).await?
    }

    /// Runs `f` on a reader connection in the blocking pool.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection, &Cipher) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        let cipher = self.cipher.clone();
        tokio::task::spawn_blocking(move || db.read(|c| f(c, &cipher))).await?
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A store in a fresh temporary directory, removed when the returned guard drops.
    pub(crate) async fn temp_store() -> (Store, TempDir) {
        let dir = TempDir::new();
        let store = Store::open(StoreOptions {
            path: dir.0.join("test.db"),
            secret_key: Some([7; 32]),
        })
        .await
        .unwrap();
        (store, dir)
    }

    pub(crate) struct TempDir(pub(crate) PathBuf);

    impl TempDir {
        pub(crate) fn new() -> TempDir {
            let dir = std::env::temp_dir().join(format!("mw-store-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
