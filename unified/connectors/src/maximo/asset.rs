//! Assets: `ASSET` records of the object structure `mxapiasset`.
//!
//! - **Read**: keyset pages on (`changedate`, `assetnum`, `siteid`), `oslc.select=*` (see
//!   `keyset`); assets are master data, so an initial sync reads them all.
//! - **Get**: `GET …/os/mxapiasset/<restid>?lean=1&oslc.select=*`, rest id of `assetnum/siteid`.
//! - **Create**: `POST …/os/mxapiasset` with a `transactionid` ([`mapping::asset_payload`]),
//!   then the asset is read back from the `Location`.
//! - **Update**: the asset is read (a missing one is [`ConnectorError::NotFound`] before anything
//!   is written), then `POST …/os/mxapiasset/<restid>` with `x-method-override: PATCH`,
//!   `patchtype: MERGE` (children not named are kept), a `transactionid` and the changed
//!   attributes ([`mapping::asset_changes`]), then read back. With the caller's expected version
//!   (the `_rowstamp` it read), a different rowstamp just read is refused as a conflict before
//!   sending, and the rowstamp also goes out as `If-Match`, so that Maximo refuses (412) a change
//!   that lands in between. Without one, the merge is unconditional.
//! - **Delete**: a retirement, as Maximo does it: `?action=wsmethod:changeStatus` with
//!   `{"status":"DECOMMISSIONED"}`; the asset stays with its history, decommissioned.

pub(crate) mod mapping;
mod wire;

use super::client::{Key, MaximoClient, ObjectStructure};
use super::mapping::Defaults;
use super::txn;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{AssetPatch, Entity, NewAsset, RemoteRecord};

pub(crate) const ASSETS: ObjectStructure = ObjectStructure {
    name: "mxapiasset",
    select: "*",
    stamp: Some("changedate"),
    keys: &[Key::text("assetnum"), Key::text("siteid")],
};

/// What the capabilities endpoint says about assets.
pub(crate) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Assets,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create, Operation::Update, Operation::Delete],
        optimistic_concurrency: true,
        note: Some(
            "Assets of mxapiasset, tracked by changedate; remote_version is the asset's _rowstamp, sent as If-Match on updates (a stale one answers conflict). Updates change name, location, manufacturer, serial number and remote_fields by merge. mxapiasset has no model attribute, and an asset's price carries no currency (the organisation's base currency). A delete decommissions the asset through Maximo's status action (status DECOMMISSIONED); the asset stays with its history.".into(),
        ),
    }
}

pub(crate) async fn read_page(
    client: &MaximoClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    client
        .read_changes(&ASSETS, query, mapping::asset_record)
        .await
}

pub(crate) async fn get(
    client: &MaximoClient,
    remote_id: &str,
) -> Result<RemoteRecord, ConnectorError> {
    client
        .get_record(&ASSETS, remote_id, mapping::asset_record)
        .await
}

pub(crate) async fn create(
    client: &MaximoClient,
    defaults: &Defaults,
    asset: &NewAsset,
) -> Result<RemoteRecord, ConnectorError> {
    let payload = mapping::asset_payload(asset, defaults).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("create", ASSETS.name, asset);
    txn::create(
        client,
        &ASSETS,
        &payload,
        &fingerprint,
        &["siteid", "description"],
        mapping::asset_record,
    )
    .await
}

pub(crate) async fn update(
    client: &MaximoClient,
    remote_id: &str,
    patch: &AssetPatch,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let body = mapping::asset_changes(patch).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("update", remote_id, &(patch, expected_version));
    txn::guarded_merge(
        client,
        &ASSETS,
        remote_id,
        &body,
        &fingerprint,
        expected_version,
        mapping::asset_record,
        "asset",
        txn::any_record,
    )
    .await
}

/// Decommissions the asset through Maximo's status action: its way to delete one.
pub(crate) async fn decommission(
    client: &MaximoClient,
    remote_id: &str,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    txn::status_action(
        client,
        &ASSETS,
        remote_id,
        "DECOMMISSIONED",
        expected_version,
        mapping::asset_record,
    )
    .await
}
