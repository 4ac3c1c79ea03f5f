//! Purchase orders: `PO` records of the object structure `mxapipo`, with their `poline` lines.
//!
//! - **Read**: keyset pages on (`changedate`, `ponum`, `revisionnum`, `siteid`) with
//!   `oslc.select=*,poline{*}` (see `keyset`). Each revision is a record of its own.
//! - **Get**: `GET …/os/mxapipo/<restid>?lean=1&oslc.select=*,poline{*}`, rest id of
//!   `ponum/revisionnum/siteid`.
//! - **Create**: `POST …/os/mxapipo` with the lines inline and a `transactionid`
//!   ([`mapping::purchase_order_payload`]), then the order is read back from the `Location`.
//!   New orders start `WAPPR`.
//! - **Update, delete**: not offered. Maximo changes an approved order only through a revision,
//!   and cancels through its status action.

pub(crate) mod mapping;
mod wire;

use super::client::{Key, MaximoClient, ObjectStructure};
use super::mapping::Defaults;
use super::txn;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{Entity, NewPurchaseOrder, RemoteRecord};

pub(crate) const PURCHASE_ORDERS: ObjectStructure = ObjectStructure {
    name: "mxapipo",
    select: "*,poline{*}",
    stamp: Some("changedate"),
    keys: &[
        Key::text("ponum"),
        Key::integer("revisionnum"),
        Key::text("siteid"),
    ],
};

/// What the capabilities endpoint says about purchase orders.
pub(crate) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::PurchaseOrders,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create],
        optimistic_concurrency: false,
        note: Some(
            "Purchase orders of mxapipo with their lines, tracked by changedate; each revision is a record of its own (remote_id ponum/revisionnum/siteid). New orders go to the site of the siteid setting and start WAPPR. Updates and deletes are not offered: Maximo changes an approved order through a revision and cancels through its status action.".into(),
        ),
    }
}

pub(crate) async fn read_page(
    client: &MaximoClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    client
        .read_changes(&PURCHASE_ORDERS, query, mapping::purchase_order_record)
        .await
}

pub(crate) async fn get(
    client: &MaximoClient,
    remote_id: &str,
) -> Result<RemoteRecord, ConnectorError> {
    client
        .get_record(&PURCHASE_ORDERS, remote_id, mapping::purchase_order_record)
        .await
}

pub(crate) async fn create(
    client: &MaximoClient,
    defaults: &Defaults,
    po: &NewPurchaseOrder,
) -> Result<RemoteRecord, ConnectorError> {
    let payload = mapping::purchase_order_payload(po, defaults).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("create", PURCHASE_ORDERS.name, po);
    txn::create(
        client,
        &PURCHASE_ORDERS,
        &payload,
        &fingerprint,
        &["siteid", "vendor", "description"],
        mapping::purchase_order_record,
    )
    .await
}
