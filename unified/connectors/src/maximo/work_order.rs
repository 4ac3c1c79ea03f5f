//! Work orders: `WORKORDER` records of the object structure `mxapiwodetail`.
//!
//! - **Read**: keyset pages on (`changedate`, `siteid`, `wonum`) (see `keyset`), `oslc.select=*`:
//!   `GET …/os/mxapiwodetail?lean=1&oslc.select=*&oslc.where=changedate>="<since>"
//!   &oslc.orderBy=+changedate,+siteid,+wonum&oslc.pageSize=<n+1>&collectioncount=1`.
//! - **Get**: `GET …/os/mxapiwodetail/<restid>?lean=1&oslc.select=*`, rest id of `siteid/wonum`.
//! - **Create**: `POST …/os/mxapiwodetail` with a `transactionid` (see
//!   [`mapping::work_order_payload`] and `txn`); the `Location` names the new work order, which
//!   is read back. New work orders start `WAPPR`.
//! - **Status**: the work order is read; when its status already is the target, it is returned
//!   as it is. Otherwise `POST …/os/mxapiwodetail/<restid>?action=wsmethod:changeStatus` with
//!   `x-method-override: PATCH`, a `transactionid` and `{"status":"<WOSTATUS>","memo":"<note>"}`,
//!   then the work order is read back. Maximo decides which moves are allowed (its transition
//!   table, possibly customised); its refusal (400, e.g. `BMXAA4679E`) comes back as a
//!   [`ConnectorError::Conflict`] with its reason code and message: the work order's current
//!   status does not allow the move. Nothing is refused here beforehand.
//! - **Update**: a guarded merge (`txn::guarded_merge`: read, rowstamp compared, `PATCH` with
//!   `patchtype: MERGE`, `If-Match` and a `transactionid`) of [`mapping::work_order_changes`]:
//!   title, long description, priority, target dates; never the status.
//! - **Delete**: a cancellation, as Maximo does it: a status change to `CAN`, which Maximo allows
//!   only from `WAPPR` (its refusal comes back as a conflict). The work order stays, cancelled.

pub(crate) mod mapping;
mod wire;

use super::client::{Key, MaximoClient, ObjectStructure, WriteKind};
use super::mapping::Defaults;
use super::txn;
use crate::native::present;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{
    Entity, EntityData, NewWorkOrder, RemoteRecord, StatusChange, WorkOrderPatch, WorkOrderStatus,
};
use serde_json::json;

pub(crate) const WORK_ORDERS: ObjectStructure = ObjectStructure {
    name: "mxapiwodetail",
    select: "*",
    stamp: Some("changedate"),
    keys: &[Key::text("siteid"), Key::text("wonum")],
};

/// What the capabilities endpoint says about work orders.
pub(crate) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::WorkOrders,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![
            Operation::Create,
            Operation::Update,
            Operation::UpdateStatus,
            Operation::Delete,
        ],
        optimistic_concurrency: true,
        note: Some(
            "Work orders of mxapiwodetail, tracked by changedate. Status moves through Maximo's changeStatus and follows Maximo's transition rules (e.g. cancelled only from requested, nothing after closed or cancelled); a refused move answers conflict with Maximo's reason code. on_hold moves to WMATL (WPCOND reads as on_hold too). Updates merge title, description, priority and target dates (If-Match on the _rowstamp given as expected version). A delete cancels (CAN), which Maximo allows only for orders waiting on approval; the order stays, cancelled.".into(),
        ),
    }
}

pub(crate) async fn read_page(
    client: &MaximoClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    client
        .read_changes(&WORK_ORDERS, query, mapping::work_order_record)
        .await
}

pub(crate) async fn get(
    client: &MaximoClient,
    remote_id: &str,
) -> Result<RemoteRecord, ConnectorError> {
    client
        .get_record(&WORK_ORDERS, remote_id, mapping::work_order_record)
        .await
}

pub(crate) async fn create(
    client: &MaximoClient,
    defaults: &Defaults,
    order: &NewWorkOrder,
) -> Result<RemoteRecord, ConnectorError> {
    let payload = mapping::work_order_payload(order, defaults).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("create", WORK_ORDERS.name, order);
    txn::create(
        client,
        &WORK_ORDERS,
        &payload,
        &fingerprint,
        &["siteid", "description"],
        mapping::work_order_record,
    )
    .await
}

pub(crate) async fn change_status(
    client: &MaximoClient,
    remote_id: &str,
    change: &StatusChange,
) -> Result<RemoteRecord, ConnectorError> {
    let current = get(client, remote_id).await?;
    let fingerprint = txn::fingerprint("status", remote_id, change);
    if let EntityData::WorkOrder(wo) = &current.data
        && wo.status == change.status
    {
        // Already there (also when an earlier attempt of this change went unanswered).
        client.journal.settle(&fingerprint);
        return Ok(current);
    }
    let mut body = json!({"status": mapping::native_status(change.status)});
    if let Some(note) = present(&change.note) {
        body["memo"] = json!(note);
    }
    txn::change(
        client,
        &WORK_ORDERS,
        remote_id,
        WriteKind::Action("changeStatus"),
        &body,
        &fingerprint,
        None,
        mapping::work_order_record,
    )
    .await
    .map_err(txn::status_refusal)
}

pub(crate) async fn update(
    client: &MaximoClient,
    remote_id: &str,
    patch: &WorkOrderPatch,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let body = mapping::work_order_changes(patch).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("update", remote_id, &(patch, expected_version));
    txn::guarded_merge(
        client,
        &WORK_ORDERS,
        remote_id,
        &body,
        &fingerprint,
        expected_version,
        mapping::work_order_record,
        "work order",
        txn::any_record,
    )
    .await
}

/// Cancels the work order: Maximo's way to delete one.
pub(crate) async fn cancel(
    client: &MaximoClient,
    remote_id: &str,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let status = mapping::native_status(WorkOrderStatus::Cancelled);
    txn::status_action(
        client,
        &WORK_ORDERS,
        remote_id,
        status,
        expected_version,
        mapping::work_order_record,
    )
    .await
}
