//! The sync engine: reads changes from a [`mw_connectors::Connector`] page by page and commits
//! them to the [`mw_store::Store`], moving watermarks only with the data they cover.
//!
//! * [`settings`] — the sync settings of a connection (lookback, overlap, page size).
//! * [`engine`] — one sync job from start to end: initial or incremental per entity, resumable.
//! * [`runner`] — runs jobs in the background, resumes the ones a killed process left, lets
//!   callers wait for a job to finish.
//!
//! **Invariants:** watermarks are source timestamps, never the local clock (the lookback of an
//! initial sync is measured from the source's `Date`); a page, its progress and its resume cursor
//! are committed together, so a killed sync resumes without losing or duplicating a record.

pub mod engine;
pub mod runner;
pub mod settings;

pub use engine::run_job;
pub use runner::{ConnectorFactory, Runner};
pub use settings::SyncSettings;

/// Things that stop a sync from being run at all (as opposed to a sync that runs and fails).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] mw_store::StoreError),
    #[error(transparent)]
    Connector(#[from] mw_connectors::ConnectorError),
}
