//! What a connector can do, per entity: the truth the capabilities endpoint serves and the
//! conformance checks skip on.

use mw_model::Entity;
use serde::Serialize;

/// How the connector finds out what changed since the last sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeTracking {
    /// The source stamps every change; incremental syncs ask for records changed since a watermark.
    Timestamp,
    /// The source has no change stamp; each sync reads everything and diffs against the store.
    Snapshot,
}

/// A write the unified API can pass through to the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Update,
    Delete,
    UpdateStatus,
    Adjust,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityCapability {
    pub entity: Entity,
    pub read: bool,
    pub change_tracking: ChangeTracking,
    pub operations: Vec<Operation>,
    /// Updates and deletes can carry the record's `remote_version`, and the source refuses them
    /// when the record changed since (ETag, rowstamp).
    #[serde(default)]
    pub optimistic_concurrency: bool,
    /// Why an operation or the entity itself is missing, for clients and for SKIPPED verdicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    pub entities: Vec<EntityCapability>,
}

impl Capabilities {
    pub fn entity(&self, entity: Entity) -> Option<&EntityCapability> {
        self.entities.iter().find(|c| c.entity == entity && c.read)
    }

    pub fn supports(&self, entity: Entity, op: Operation) -> bool {
        self.entity(entity)
            .is_some_and(|c| c.operations.contains(&op))
    }

    /// The entities a sync reads, in a fixed order.
    pub fn readable(&self) -> impl Iterator<Item = Entity> + '_ {
        self.entities.iter().filter(|c| c.read).map(|c| c.entity)
    }
}
