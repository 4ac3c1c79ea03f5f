//! The record envelope: what every record carries whatever its entity.

use crate::{
    Asset, AssetPatch, Entity, InventoryAdjustment, InventoryLevel, NewAsset, NewPurchaseOrder,
    NewVendor, NewWorkOrder, PurchaseOrder, PurchaseOrderPatch, Vendor, VendorPatch, WorkOrder,
    WorkOrderPatch,
};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use uuid::Uuid;

/// A record as a connector reads it from the source: identified by the source's own id, stamped
/// with the source's own change time. The store turns it into a [`Record`].
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteRecord {
    /// The source's identifier, as the source prints it (`4500000001`).
    pub remote_id: String,
    pub remote_created_at: Option<DateTime<Utc>>,
    /// The source's change timestamp. Watermarks are built from these, never from the local clock.
    /// For entities the source does not stamp (stock), the source's clock when the record was
    /// read with these values.
    pub remote_updated_at: DateTime<Utc>,
    /// The source's concurrency token (an OData ETag, a Maximo rowstamp), sent back as
    /// `If-Match` on updates; `None` where the source has none.
    pub remote_version: Option<String>,
    pub data: EntityData,
    /// The source's payload as received, kept for debugging and for fields the model lacks.
    pub raw: Option<serde_json::Value>,
}

impl RemoteRecord {
    pub fn entity(&self) -> Entity {
        self.data.entity()
    }
}

/// A record as the unified API serves it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record<T> {
    pub id: Uuid,
    pub remote_id: String,
    pub connection_id: Uuid,
    pub remote_created_at: Option<DateTime<Utc>>,
    pub remote_updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_version: Option<String>,
    // Serialisation only: the envelope and the entity's fields sit side by side in one object.
    #[serde(flatten)]
    pub data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<serde_json::Value>,
}

/// The entity-specific part of a record.
#[derive(Clone, Debug, PartialEq)]
pub enum EntityData {
    PurchaseOrder(PurchaseOrder),
    WorkOrder(WorkOrder),
    Asset(Asset),
    InventoryLevel(InventoryLevel),
    Vendor(Vendor),
}

impl EntityData {
    pub fn entity(&self) -> Entity {
        match self {
            EntityData::PurchaseOrder(_) => Entity::PurchaseOrders,
            EntityData::WorkOrder(_) => Entity::WorkOrders,
            EntityData::Asset(_) => Entity::Assets,
            EntityData::InventoryLevel(_) => Entity::Inventory,
            EntityData::Vendor(_) => Entity::Vendors,
        }
    }

    /// Reads the entity-specific fields of `entity` back from their JSON form.
    pub fn from_json(entity: Entity, value: serde_json::Value) -> serde_json::Result<EntityData> {
        Ok(match entity {
            Entity::PurchaseOrders => EntityData::PurchaseOrder(serde_json::from_value(value)?),
            Entity::WorkOrders => EntityData::WorkOrder(serde_json::from_value(value)?),
            Entity::Assets => EntityData::Asset(serde_json::from_value(value)?),
            Entity::Inventory => EntityData::InventoryLevel(serde_json::from_value(value)?),
            Entity::Vendors => EntityData::Vendor(serde_json::from_value(value)?),
        })
    }
}

impl Serialize for EntityData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EntityData::PurchaseOrder(v) => v.serialize(s),
            EntityData::WorkOrder(v) => v.serialize(s),
            EntityData::Asset(v) => v.serialize(s),
            EntityData::InventoryLevel(v) => v.serialize(s),
            EntityData::Vendor(v) => v.serialize(s),
        }
    }
}

/// A record a client asks to create, before it reaches the source system.
#[derive(Clone, Debug, PartialEq)]
pub enum NewRecord {
    PurchaseOrder(NewPurchaseOrder),
    WorkOrder(NewWorkOrder),
    Asset(NewAsset),
    Vendor(NewVendor),
    InventoryAdjustment(InventoryAdjustment),
}

impl NewRecord {
    pub fn entity(&self) -> Entity {
        match self {
            NewRecord::PurchaseOrder(_) => Entity::PurchaseOrders,
            NewRecord::WorkOrder(_) => Entity::WorkOrders,
            NewRecord::Asset(_) => Entity::Assets,
            NewRecord::Vendor(_) => Entity::Vendors,
            NewRecord::InventoryAdjustment(_) => Entity::Inventory,
        }
    }
}

/// Changes a client asks to make to an existing record. Absent fields stay as they are.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordPatch {
    PurchaseOrder(PurchaseOrderPatch),
    WorkOrder(WorkOrderPatch),
    Asset(AssetPatch),
    Vendor(VendorPatch),
}

impl RecordPatch {
    pub fn entity(&self) -> Entity {
        match self {
            RecordPatch::PurchaseOrder(_) => Entity::PurchaseOrders,
            RecordPatch::WorkOrder(_) => Entity::WorkOrders,
            RecordPatch::Asset(_) => Entity::Assets,
            RecordPatch::Vendor(_) => Entity::Vendors,
        }
    }
}
