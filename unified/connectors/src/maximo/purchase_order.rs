//! Purchase orders: `PO` records of the object structure `mxapipo`, with their `poline` lines.
//!
//! - **Read**: keyset pages on (`changedate`, `ponum`, `revisionnum`, `siteid`) with
//!   `oslc.select=*,poline{*}` (see `keyset`). Each revision is a record of its own.
//! - **Get**: `GET …/os/mxapipo/<restid>?lean=1&oslc.select=*,poline{*}`, rest id of
//!   `ponum/revisionnum/siteid`.
//! - **Create**: `POST …/os/mxapipo` with the lines inline and a `transactionid`
//!   ([`mapping::purchase_order_payload`]), then the order is read back from the `Location`.
//!   New orders start `WAPPR`.
//! - **Update**: a guarded merge (`txn::guarded_merge`: read, rowstamp compared, `PATCH` with
//!   `patchtype: MERGE`, `If-Match`, a `transactionid`) of [`mapping::purchase_order_changes`]:
//!   order date, terms, and existing lines by `polinenum` (a line the order lacks is refused
//!   before sending: a merge would add it). Maximo edits only orders waiting on approval; an
//!   approved one changes through a revision, and Maximo's refusal comes back as it is.
//! - **Delete**: a cancellation, as Maximo does it: `?action=wsmethod:changeStatus` with
//!   `{"status":"CAN"}`; the order stays, cancelled. Maximo refuses to cancel a received order.

pub(crate) mod mapping;
mod wire;

use super::client::{Key, MaximoClient, ObjectStructure};
use super::mapping::Defaults;
use super::txn;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{Entity, NewPurchaseOrder, PurchaseOrderPatch, RemoteRecord};

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
        operations: vec![Operation::Create, Operation::Update, Operation::Delete],
        optimistic_concurrency: true,
        note: Some(
            "Purchase orders of mxapipo with their lines, tracked by changedate; each revision is a record of its own (remote_id ponum/revisionnum/siteid). New orders go to the site of the siteid setting and start WAPPR. Updates merge order date, terms and existing lines (If-Match on the _rowstamp given as expected version); Maximo edits only orders waiting on approval. A delete cancels the order (status CAN), which Maximo refuses once goods were received.".into(),
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

pub(crate) async fn update(
    client: &MaximoClient,
    remote_id: &str,
    patch: &PurchaseOrderPatch,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let body = mapping::purchase_order_changes(patch).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("update", remote_id, &(patch, expected_version));
    txn::guarded_merge(
        client,
        &PURCHASE_ORDERS,
        remote_id,
        &body,
        &fingerprint,
        expected_version,
        mapping::purchase_order_record,
        "purchase order",
        mapping::lines_exist,
    )
    .await
}

/// Cancels the order through Maximo's status action: its way to delete one.
pub(crate) async fn cancel(
    client: &MaximoClient,
    remote_id: &str,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    txn::status_action(
        client,
        &PURCHASE_ORDERS,
        remote_id,
        "CAN",
        expected_version,
        mapping::purchase_order_record,
    )
    .await
}
