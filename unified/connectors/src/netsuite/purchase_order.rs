//! Purchase orders: the `purchaseOrder` record.
//!
//! # Reads
//! A SuiteQL keyset page of `transaction` rows of type `PurchOrd` (see `suiteql`) names the
//! orders changed since the window, in (`lastmodifieddate`, `id`) order; each is then read whole
//! with `GET purchaseOrder/<id>?expandSubResources=true`, up to the connection's concurrency
//! limit at once. An order deleted between the two is left out (it is gone). The page is ordered
//! by the stamps the records carry (an order changed in between carries its newer stamp and is
//! read again on a later page).
//!
//! # Writes
//! - create: `POST purchaseOrder` (see `mapping`) → 204 + `Location`, then the order is read back
//!   by the id the `Location` names. The currency's internal id is looked up in what the
//!   connector has learned, reading the vendor first when it is not known yet; payment terms are
//!   an internal id or the name of terms seen before.
//! - update: the order is read, the patch checked against it, then `PATCH purchaseOrder/<id>`
//!   (lines merged by `line`) → 204, and the order is read back.
//! - delete: `DELETE purchaseOrder/<id>` → 204; NetSuite removes the order, so nothing is
//!   returned.
//!
//! NetSuite has no record versions (no ETag): a write conditional on `expected_version` is
//! refused as not supported rather than done blindly.

pub(crate) mod mapping;

use super::NetsuiteConnector;
use super::client::{SYSTEM, is_internal_id};
use super::suiteql::PURCHASE_ORDERS;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use mapping::Resolved;
use mw_model::{Entity, FieldError, NewPurchaseOrder, PurchaseOrderPatch, RemoteRecord};

pub(super) const RECORD_TYPE: &str = "purchaseOrder";

/// What the capabilities endpoint says about purchase orders.
pub(super) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::PurchaseOrders,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create, Operation::Update, Operation::Delete],
        optimistic_concurrency: false,
        note: Some(
            "Read incrementally by lastModifiedDate (SuiteQL keyset, then each order with its lines). Delete removes the order in NetSuite; orders deleted in NetSuite itself are not seen by incremental syncs (REST shows no deletions). Updates change terms, date and remote_fields of the header and description, quantity, rate and expected receipt date of existing lines (merged by line); lines are not added or removed. NetSuite has no record versions, so updates are last-writer-wins.".into(),
        ),
    }
}

/// Whether an error is NetSuite saying the id is another kind of transaction.
fn wrong_type(error: &ConnectorError) -> bool {
    matches!(error, ConnectorError::Rejected(u)
        if u.message.as_deref().is_some_and(|m| m.to_ascii_lowercase().contains("type specified is incorrect")))
}

impl NetsuiteConnector {
    pub(super) async fn read_purchase_orders(
        &self,
        query: &PageQuery,
    ) -> Result<Page, ConnectorError> {
        self.read_changed(&PURCHASE_ORDERS, query, mapping::purchase_order_record)
            .await
    }

    pub(super) async fn get_purchase_order(
        &self,
        id: &str,
    ) -> Result<RemoteRecord, ConnectorError> {
        if !is_internal_id(id) {
            return Err(ConnectorError::NotFound(None));
        }
        match self.client.get_record(RECORD_TYPE, id).await {
            Ok((_, raw)) => {
                self.references.learn(&raw);
                mapping::purchase_order_record(raw)
            }
            Err(e) if wrong_type(&e) => Err(ConnectorError::NotFound(e.upstream().cloned())),
            Err(e) => Err(e),
        }
    }

    /// Reads an order just written, trying again briefly should the read itself fail in passing:
    /// the write is done, and reporting a passing failure as its outcome would invite a retry.
    async fn read_back(&self, id: &str, what: &str) -> Result<RemoteRecord, ConnectorError> {
        super::read_back(&format!("purchase order {id}"), what, || {
            self.get_purchase_order(id)
        })
        .await
    }

    /// The internal id of payment terms given by id or by the name NetSuite prints.
    pub(super) fn terms_id(&self, terms: &str, path: &str) -> Result<String, FieldError> {
        let terms = terms.trim();
        if is_internal_id(terms) {
            return Ok(terms.to_owned());
        }
        self.references.terms_id(terms).ok_or_else(|| {
            FieldError::new(
                path,
                format!(
                    "no NetSuite payment terms named `{terms}` are known to this connection; give the terms' internal id"
                ),
            )
        })
    }

    /// The internal id of the currency `iso` of an order to `vendor`. When it is not known yet,
    /// the vendor is read: its currencies are the ones an order to it may be in. An unknown
    /// vendor leaves the currency out, so that NetSuite refuses the order for its vendor, with
    /// its own code and message.
    async fn currency_of_order(
        &self,
        iso: &str,
        vendor: &str,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<String>, ConnectorError> {
        if let Some(id) = self.references.currency_id(iso) {
            return Ok(Some(id));
        }
        if is_internal_id(vendor) {
            match self.client.get_record("vendor", vendor).await {
                Ok((_, raw)) => self.references.learn(&raw),
                Err(ConnectorError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        let id = self.references.currency_id(iso);
        if id.is_none() {
            errors.push(FieldError::new(
                "$.currency",
                format!(
                    "the NetSuite internal id of {iso} is not known (known: {}); set the connection setting `currencies`, e.g. {{\"{iso}\": \"<id>\"}}",
                    self.references.known_currencies().join(", ")
                ),
            ));
        }
        Ok(id)
    }

    pub(super) async fn create_purchase_order(
        &self,
        po: &NewPurchaseOrder,
    ) -> Result<RemoteRecord, ConnectorError> {
        // Everything that can be told from the body alone is refused before any request.
        mapping::purchase_order_payload(po, &Resolved::default())
            .map_err(ConnectorError::Invalid)?;
        let mut errors = Vec::new();
        // `remote_fields` may name the currency or terms reference itself.
        let given = |key: &str| {
            po.remote_fields
                .as_ref()
                .is_some_and(|f| f.contains_key(key))
        };
        let currency = if given("currency") {
            None
        } else {
            self.currency_of_order(po.currency.trim(), po.vendor_remote_id.trim(), &mut errors)
                .await?
        };
        let terms = match po.payment_terms.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(terms) if !given("terms") => self
                .terms_id(terms, "$.payment_terms")
                .map_err(|e| errors.push(e))
                .ok(),
            _ => None,
        };
        let payload = mapping::purchase_order_payload(po, &Resolved { currency, terms });
        let payload = super::body_or_invalid(payload, errors)?;
        let id = self.client.create(RECORD_TYPE, &payload).await?;
        tracing::info!(system = SYSTEM, purchase_order = %id, "purchase order created");
        self.read_back(&id, "created").await
    }

    pub(super) async fn update_purchase_order(
        &self,
        id: &str,
        patch: &PurchaseOrderPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        super::unconditional(expected_version, "change of a purchase order")?;
        if !is_internal_id(id) {
            return Err(ConnectorError::NotFound(None));
        }
        let raw = match self.client.get_record(RECORD_TYPE, id).await {
            Ok((_, raw)) => raw,
            Err(e) if wrong_type(&e) => {
                return Err(ConnectorError::NotFound(e.upstream().cloned()));
            }
            Err(e) => return Err(e),
        };
        self.references.learn(&raw);
        let order = mapping::parse_order(&raw)?;
        let mut errors = Vec::new();
        let terms = match patch.payment_terms.as_deref() {
            Some(terms) => self
                .terms_id(terms, "$.payment_terms")
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };
        let body = super::body_or_invalid(
            mapping::purchase_order_changes(patch, &order, terms.as_deref()),
            errors,
        )?;
        self.client.update(RECORD_TYPE, id, &body).await?;
        tracing::info!(system = SYSTEM, purchase_order = %id, "purchase order changed");
        self.read_back(id, "changed").await
    }

    pub(super) async fn delete_purchase_order(
        &self,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Option<RemoteRecord>, ConnectorError> {
        super::unconditional(expected_version, "deletion of a purchase order")?;
        if !is_internal_id(id) {
            return Err(ConnectorError::NotFound(None));
        }
        match self.client.delete(RECORD_TYPE, id).await {
            Ok(()) => {}
            Err(e) if wrong_type(&e) => {
                return Err(ConnectorError::NotFound(e.upstream().cloned()));
            }
            Err(e) => return Err(e),
        }
        tracing::info!(system = SYSTEM, purchase_order = %id, "purchase order deleted");
        Ok(None)
    }
}
