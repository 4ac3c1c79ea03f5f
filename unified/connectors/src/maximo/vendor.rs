//! Vendors: `COMPANIES` records of the object structure `mxapivendor`.
//!
//! - **Read**: keyset pages on (`changedate`, `company`, `orgid`), `oslc.select=*` (see
//!   `keyset`); vendors are master data, so an initial sync reads them all.
//! - **Get**: `GET …/os/mxapivendor/<restid>?lean=1&oslc.select=*`, rest id of `company/orgid`.
//! - **Create**: `POST …/os/mxapivendor` with a `transactionid` ([`mapping::company_payload`]),
//!   then the company is read back from the `Location`.
//! - **Update**: a guarded merge (`txn::guarded_merge`: read, rowstamp compared, `PATCH` with
//!   `patchtype: MERGE`, `If-Match` and a `transactionid`) of [`mapping::company_changes`].
//! - **Delete**: Maximo keeps companies that orders and invoices refer to and disables them
//!   instead: the same guarded merge of `disabled: true`; the company is answered, `blocked`.

pub(crate) mod mapping;
mod wire;

use super::client::{Key, MaximoClient, ObjectStructure};
use super::mapping::Defaults;
use super::txn;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{Entity, NewVendor, RemoteRecord, VendorPatch};

pub(crate) const VENDORS: ObjectStructure = ObjectStructure {
    name: "mxapivendor",
    select: "*",
    stamp: Some("changedate"),
    keys: &[Key::text("company"), Key::text("orgid")],
};

/// What the capabilities endpoint says about vendors.
pub(crate) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Vendors,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create, Operation::Update, Operation::Delete],
        optimistic_concurrency: true,
        note: Some(
            "Companies of mxapivendor, tracked by changedate (remote_id company/orgid). New companies take the type of the company_type setting (default V) and the organisation of the orgid setting; the company code goes in remote_fields.company (without it Maximo must number the company itself). Tax id and e-mail are neither read nor written (a company has no such attributes; e-mail lives on its contacts). Updates merge name, terms, phone and address (If-Match on the _rowstamp given as expected version); a delete disables the company (status blocked), as Maximo keeps companies that orders refer to.".into(),
        ),
    }
}

pub(crate) async fn read_page(
    client: &MaximoClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    client
        .read_changes(&VENDORS, query, mapping::vendor_record)
        .await
}

pub(crate) async fn get(
    client: &MaximoClient,
    remote_id: &str,
) -> Result<RemoteRecord, ConnectorError> {
    client
        .get_record(&VENDORS, remote_id, mapping::vendor_record)
        .await
}

pub(crate) async fn create(
    client: &MaximoClient,
    defaults: &Defaults,
    vendor: &NewVendor,
) -> Result<RemoteRecord, ConnectorError> {
    let payload = mapping::company_payload(vendor, defaults).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("create", VENDORS.name, vendor);
    txn::create(
        client,
        &VENDORS,
        &payload,
        &fingerprint,
        &["orgid", "name"],
        mapping::vendor_record,
    )
    .await
}

pub(crate) async fn update(
    client: &MaximoClient,
    remote_id: &str,
    patch: &VendorPatch,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let body = mapping::company_changes(patch).map_err(ConnectorError::Invalid)?;
    let fingerprint = txn::fingerprint("update", remote_id, &(patch, expected_version));
    txn::guarded_merge(
        client,
        &VENDORS,
        remote_id,
        &body,
        &fingerprint,
        expected_version,
        mapping::vendor_record,
        "company",
        txn::any_record,
    )
    .await
}

/// Disables the company, as Maximo retires companies.
pub(crate) async fn disable(
    client: &MaximoClient,
    remote_id: &str,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let fingerprint = txn::fingerprint("disable", remote_id, &expected_version);
    txn::guarded_merge(
        client,
        &VENDORS,
        remote_id,
        &mapping::disabling(),
        &fingerprint,
        expected_version,
        mapping::vendor_record,
        "company",
        txn::any_record,
    )
    .await
}
