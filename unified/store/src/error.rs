//! The store's error type.

use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),

    #[error("cannot decrypt stored credentials (wrong secret key?)")]
    Decrypt,

    #[error("secret key file {path} must hold exactly 32 bytes")]
    BadKey { path: String },

    #[error("connection {0} already has a sync in progress")]
    SyncInProgress(Uuid),

    #[error("not found")]
    NotFound,

    #[error("invalid cursor")]
    InvalidCursor,

    #[error("stored data is corrupt: {0}")]
    Corrupt(String),

    #[error("store task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}
