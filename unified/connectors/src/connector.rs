//! The one trait the sync engine and the API server know connectors by.

use crate::resilience::Health;
use crate::{Capabilities, ConnectorError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mw_model::{Entity, NewRecord, RecordPatch, RemoteRecord, StatusChange, System};

/// What [`Connector::verify`] learned about the source.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    /// The source's clock, from its `Date` response header. Lookback windows are measured from it,
    /// so that a skewed local clock never decides what an initial sync reads.
    pub now: Option<DateTime<Utc>>,
}

/// Which page of changes to read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageQuery {
    /// Read records whose change timestamp is at or after this instant; `None` reads everything.
    pub changed_since: Option<DateTime<Utc>>,
    /// The `next` of the previous page, to continue where it ended. Opaque to the caller.
    pub resume: Option<String>,
    /// A hint: how many records a page should hold.
    pub page_size: u32,
}

impl PageQuery {
    /// The page size to ask the source for: the caller's hint, `default` without one, and never
    /// more than `max`.
    pub(crate) fn page_size_or(&self, default: u32, max: u32) -> u32 {
        match self.page_size {
            0 => default,
            n => n.min(max),
        }
    }
}

/// One page of changed records.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// Ordered by (`remote_updated_at`, `remote_id`) ascending, so that once a page is committed
    /// every record at or before its last position is too. A record that changes while a sync
    /// pages moves past the end and is read later, never skipped.
    pub records: Vec<RemoteRecord>,
    /// Where the next page starts; `None` when this was the last. Safe to persist and resume from,
    /// also in another process.
    pub next: Option<String>,
    /// How many records the whole read will return, where the source reports it.
    pub total: Option<u64>,
}

/// A connection to one system, authenticated. Implementations are cheap to share across tasks.
#[async_trait]
pub trait Connector: Send + Sync {
    fn system(&self) -> System;

    fn capabilities(&self) -> &Capabilities;

    /// A sync starts: the connection's retry budget is refilled (see [`crate::resilience`]).
    fn begin_sync(&self) {}

    /// The connection's health as its resilience layer sees it: the circuit, failures in a row.
    fn health(&self) -> Health {
        Health::default()
    }

    /// Contacts the system with the configured credentials. Fails with
    /// [`ConnectorError::Auth`] on refused credentials and [`ConnectorError::Unavailable`] when
    /// the system cannot be reached.
    async fn verify(&self) -> Result<SourceInfo, ConnectorError>;

    /// Reads one page of `entity`'s records changed since `query.changed_since`. See [`Page`] for
    /// the ordering every connector guarantees.
    async fn read_page(&self, entity: Entity, query: &PageQuery) -> Result<Page, ConnectorError>;

    /// Reads one record by its `remote_id`; [`ConnectorError::NotFound`] when the source lacks it.
    async fn get(&self, entity: Entity, remote_id: &str) -> Result<RemoteRecord, ConnectorError>;

    /// Creates a record in the source and returns it as the source now holds it. An inventory
    /// adjustment returns the inventory level it moved.
    async fn create(&self, record: &NewRecord) -> Result<RemoteRecord, ConnectorError>;

    /// Changes a record in the source and returns it as the source now holds it. With
    /// `expected_version` (the record's `remote_version`), the source refuses the change when the
    /// record changed since: [`ConnectorError::Conflict`].
    async fn update(
        &self,
        remote_id: &str,
        patch: &RecordPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        let _ = (remote_id, expected_version);
        Err(ConnectorError::NotSupported {
            what: format!(
                "updating {} in {}",
                patch.entity(),
                self.system().display_name()
            ),
        })
    }

    /// Deletes or cancels a record the way the source does it. Returns the record as the source
    /// still holds it (a deletion code, a cancelled status), or `None` when it is gone.
    async fn delete(
        &self,
        entity: Entity,
        remote_id: &str,
        expected_version: Option<&str>,
    ) -> Result<Option<RemoteRecord>, ConnectorError> {
        let _ = (remote_id, expected_version);
        Err(ConnectorError::NotSupported {
            what: format!("deleting {entity} in {}", self.system().display_name()),
        })
    }

    /// Moves a work order to another status through the source's own lifecycle actions. An
    /// illegal transition is the source's refusal ([`ConnectorError::Rejected`] or
    /// [`ConnectorError::Conflict`]) with its reason.
    async fn change_status(
        &self,
        entity: Entity,
        remote_id: &str,
        change: &StatusChange,
    ) -> Result<RemoteRecord, ConnectorError> {
        let _ = (remote_id, change);
        Err(ConnectorError::NotSupported {
            what: format!(
                "changing the status of {entity} in {}",
                self.system().display_name()
            ),
        })
    }
}
