//! The canonical model: the one shape every connector's records take, whatever the source system.
//!
//! Five entities ([`PurchaseOrder`], [`WorkOrder`], [`Asset`], [`InventoryLevel`], [`Vendor`]) and the
//! record envelope around them ([`RemoteRecord`] as a connector produces it, [`Record`] once the store
//! has given it an id). Amounts and quantities are [`Decimal`]s, instants are UTC.
//!
//! This crate does no IO. It also holds the bodies clients send to create records (`New*`) and their
//! validation, because "what is a valid purchase order" is a property of the model, not of any system.

mod asset;
mod decimal;
mod entity;
mod inventory;
mod purchase_order;
mod record;
mod validate;
mod vendor;
mod work_order;

pub use asset::{Asset, AssetPatch, AssetStatus, NewAsset};
pub use decimal::{currency_decimals, round_amount};
pub use entity::{Entity, System, UnknownName};
pub use inventory::{InventoryAdjustment, InventoryLevel};
pub use purchase_order::{
    NewPurchaseOrder, NewPurchaseOrderLine, PurchaseOrder, PurchaseOrderLine,
    PurchaseOrderLinePatch, PurchaseOrderPatch, PurchaseOrderStatus,
};
pub use record::{EntityData, NewRecord, Record, RecordPatch, RemoteRecord};
pub use validate::{FieldError, Validate};
pub use vendor::{Address, NewVendor, Vendor, VendorPatch, VendorStatus};
pub use work_order::{NewWorkOrder, StatusChange, WorkOrder, WorkOrderPatch, WorkOrderStatus};

pub use chrono::{DateTime, NaiveDate, Utc};
pub use rust_decimal::Decimal;
