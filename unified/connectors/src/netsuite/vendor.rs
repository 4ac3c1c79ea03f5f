//! Vendors: the `vendor` record.
//!
//! # Reads
//! As purchase orders: a SuiteQL keyset page of `vendor` rows by (`lastmodifieddate`, `id`), then
//! each vendor with `GET vendor/<id>?expandSubResources=true`.
//!
//! # Create
//! `POST vendor` (see `mapping`) → 204 + `Location`, then the vendor is read back. NetSuite
//! (OneWorld) needs the vendor's subsidiary: `remote_fields.subsidiary`, else the connection
//! setting `subsidiary`, else the subsidiary most vendors read so far belong to. The currency's
//! and the terms' internal ids come from what the connector has learned; when it has learned
//! nothing yet, a few vendors are read first (the lowest ids, once per connection).
//!
//! # Update and delete
//! `PATCH vendor/<id>` with what the patch names, then the vendor is read back. A delete makes the
//! vendor inactive (`isInactive`) and answers it: NetSuite refuses to delete a vendor any
//! transaction refers to, and its users retire such vendors this way.

pub(crate) mod mapping;

use super::NetsuiteConnector;
use super::client::{SYSTEM, is_internal_id};
use super::suiteql::{self, VENDORS};
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mw_model::{Entity, FieldError, NewVendor, RemoteRecord, VendorPatch};

pub(super) const RECORD_TYPE: &str = "vendor";

/// How many vendors are read to learn an account's reference data.
const SAMPLE: u32 = 10;

/// What the capabilities endpoint says about vendors.
pub(super) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Vendors,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create, Operation::Update, Operation::Delete],
        optimistic_concurrency: false,
        note: Some(
            "Read incrementally by lastModifiedDate (SuiteQL keyset, then each vendor). Create needs a subsidiary (remote_fields.subsidiary, the `subsidiary` setting, or the one most vendors belong to). Updates change name, e-mail, phone, tax id, terms and remote_fields (not the address: it is an addressBook line in NetSuite); a delete makes the vendor inactive (status blocked), as NetSuite refuses to delete vendors that transactions refer to. NetSuite has no record versions, so updates are last-writer-wins. Vendors deleted in NetSuite itself are not seen by incremental syncs.".into(),
        ),
    }
}

impl NetsuiteConnector {
    pub(super) async fn read_vendors(&self, query: &PageQuery) -> Result<Page, ConnectorError> {
        self.read_changed(&VENDORS, query, mapping::vendor_record)
            .await
    }

    pub(super) async fn get_vendor(&self, id: &str) -> Result<RemoteRecord, ConnectorError> {
        if !is_internal_id(id) {
            return Err(ConnectorError::NotFound(None));
        }
        let (_, raw) = self.client.get_record(RECORD_TYPE, id).await?;
        self.references.learn(&raw);
        mapping::vendor_record(raw)
    }

    /// Reads a few vendors to learn the account's currencies, terms and usual subsidiary, once
    /// per connection and only while nothing has been learned.
    pub(super) async fn learn_reference_data(&self) -> Result<(), ConnectorError> {
        let mut sampled = self.sampled.lock().await;
        if *sampled || !self.references.is_empty() {
            return Ok(());
        }
        let query = PageQuery {
            changed_since: None,
            resume: None,
            page_size: SAMPLE,
        };
        let rows = suiteql::read_ids(&self.client, &VENDORS, &query).await?;
        for (_, raw) in self.fetch_records(RECORD_TYPE, &rows.rows).await? {
            self.references.learn(&raw);
        }
        *sampled = true;
        Ok(())
    }

    pub(super) async fn create_vendor(
        &self,
        vendor: &NewVendor,
    ) -> Result<RemoteRecord, ConnectorError> {
        // Everything that can be told from the body alone is refused before any request.
        mapping::vendor_payload(vendor, &mapping::Resolved::default())
            .map_err(ConnectorError::Invalid)?;
        let given = |key: &str| {
            vendor
                .remote_fields
                .as_ref()
                .is_some_and(|f| f.contains_key(key))
        };
        let needs_currency = vendor.currency.is_some() && !given("currency");
        let needs_subsidiary = !given("subsidiary") && self.settings.subsidiary.is_none();
        if needs_currency || needs_subsidiary {
            self.learn_reference_data().await?;
        }
        let mut errors = Vec::new();
        let subsidiary = if given("subsidiary") {
            None
        } else {
            self.settings
                .subsidiary
                .clone()
                .or_else(|| self.references.usual_subsidiary())
        };
        let currency = match vendor.currency.as_deref().map(str::trim) {
            Some(iso) if needs_currency => {
                let id = self.references.currency_id(iso);
                if id.is_none() && iso.len() == 3 {
                    errors.push(FieldError::new(
                        "$.currency",
                        format!(
                            "the NetSuite internal id of {iso} is not known (known: {}); set the connection setting `currencies`, e.g. {{\"{iso}\": \"<id>\"}}",
                            self.references.known_currencies().join(", ")
                        ),
                    ));
                }
                id
            }
            _ => None,
        };
        let terms = match vendor
            .payment_terms
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        {
            Some(terms) if !given("terms") => self
                .terms_id(terms, "$.payment_terms")
                .map_err(|e| errors.push(e))
                .ok(),
            _ => None,
        };
        let resolved = mapping::Resolved {
            subsidiary,
            currency,
            terms,
        };
        let payload = super::body_or_invalid(mapping::vendor_payload(vendor, &resolved), errors)?;
        let id = self.client.create(RECORD_TYPE, &payload).await?;
        tracing::info!(system = SYSTEM, vendor = %id, "vendor created");
        super::read_back(&format!("vendor {id}"), "created", || self.get_vendor(&id)).await
    }

    pub(super) async fn update_vendor(
        &self,
        id: &str,
        patch: &VendorPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        super::unconditional(expected_version, "change of a vendor")?;
        mapping::vendor_changes(patch, None).map_err(ConnectorError::Invalid)?;
        if !is_internal_id(id) {
            return Err(ConnectorError::NotFound(None));
        }
        let mut errors = Vec::new();
        let terms = match patch
            .payment_terms
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        {
            Some(terms) => self
                .terms_id(terms, "$.payment_terms")
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };
        let body =
            super::body_or_invalid(mapping::vendor_changes(patch, terms.as_deref()), errors)?;
        self.client.update(RECORD_TYPE, id, &body).await?;
        tracing::info!(system = SYSTEM, vendor = %id, "vendor changed");
        super::read_back(&format!("vendor {id}"), "changed", || self.get_vendor(id)).await
    }

    /// Retires a vendor as NetSuite users do: inactive, kept with its history.
    pub(super) async fn inactivate_vendor(
        &self,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Option<RemoteRecord>, ConnectorError> {
        super::unconditional(expected_version, "retirement of a vendor")?;
        if !is_internal_id(id) {
            return Err(ConnectorError::NotFound(None));
        }
        self.client
            .update(RECORD_TYPE, id, &mapping::inactivation())
            .await?;
        tracing::info!(system = SYSTEM, vendor = %id, "vendor made inactive");
        super::read_back(&format!("vendor {id}"), "made inactive", || {
            self.get_vendor(id)
        })
        .await
        .map(Some)
    }
}
