//! Vendors: business partners in the supplier role, from `API_BUSINESS_PARTNER`.
//!
//! # Reads
//! `A_Supplier` has no change stamp; its business partner does, split into a day
//! (`LastChangeDate`, `Edm.DateTime`) and a time of day (`LastChangeTime`, `Edm.Time`), and SAP
//! bumps it whenever the supplier's data changes. So vendors are read from `A_BusinessPartner`,
//! only partners that are suppliers, with the supplier role, its purchasing organisations and the
//! addresses expanded, by keyset on (date, time, partner):
//! ```text
//! $filter=Supplier ne ''
//!     and (LastChangeDate gt datetime'<D>' or (LastChangeDate eq datetime'<D>' and LastChangeTime ge time'<T>'))
//!     and (LastChangeDate gt datetime'<d>' or (LastChangeDate eq datetime'<d>'
//!          and (LastChangeTime gt time'<t>' or (LastChangeTime eq time'<t>' and BusinessPartner gt '<bp>'))))
//! $orderby=LastChangeDate asc,LastChangeTime asc,BusinessPartner asc   $top=<page size>
//! $expand=to_Supplier,to_Supplier/to_SupplierPurchasingOrg,to_BusinessPartnerAddress
//! ```
//! The second line is the window (`changed_since` split into its UTC day and second, rounded
//! down: the stamp has whole seconds), the third the position after the last partner read. The
//! watermark instant is date + time as UTC. `$inlinecount=allpages` goes on the first page only;
//! `__next` is not followed, and the read ends on a page shorter than `$top` without `__next`,
//! as for purchase orders.
//!
//! A vendor is found by its supplier number with `$filter=Supplier eq '<number>'`, not by the key
//! of `A_BusinessPartner`, so that a system whose supplier numbers differ from its partner
//! numbers is read right too.
//!
//! # Writes
//! - Create: `POST A_BusinessPartner` with the supplier role and the supplier deep-inserted (see
//!   `mapping`), then the new partner is read back with `GET A_BusinessPartner('<number>')`.
//! - Update: each entity that holds a changed field is PATCHed on its own, partner first:
//!   `A_BusinessPartner('<bp>')` (name, `remote_fields`), `A_Supplier('<supplier>')` (tax id),
//!   `A_SupplierPurchasingOrg(Supplier='…',PurchasingOrganization='…')` of the first purchasing
//!   organisation (payment terms) and `A_BusinessPartnerAddress(BusinessPartner='…',AddressID='…')`
//!   of the first address. Everything is checked against the supplier as just read before the
//!   first request goes out. Each PATCH sets values, so repeating a half-done update is safe.
//! - Suppliers are not deletable in SAP (`sap:deletable="false"`); they are blocked instead.

mod mapping;
mod wire;

pub(crate) use mapping::SupplierDefaults;

use super::client::{self, ODataQuery, SYSTEM, Service};
use super::created::{created_key, read_back};
use super::{SapConnector, resume, version};
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery};
use chrono::{DateTime, NaiveDate, Utc};
use mapping::SupplierRecord;
use mw_model::{Entity, NewVendor, RemoteRecord, VendorPatch};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wire::EdmTime;

/// The entity set vendors are read from.
const SET: &str = "A_BusinessPartner";
/// The partner's number in an external system: where a create puts a reference of its own.
const EXTERNAL_NUMBER: &str = "BusinessPartnerIDByExtSystem";

const EXPAND: &str = "to_Supplier,to_Supplier/to_SupplierPurchasingOrg,to_BusinessPartnerAddress";

/// Business partners that are suppliers: the others print `Supplier` blank.
const ONLY_SUPPLIERS: &str = "Supplier ne ''";

const ORDER: &str = "LastChangeDate asc,LastChangeTime asc,BusinessPartner asc";

/// The page size when the caller gives none, and the most asked for at once (three expanded
/// navigations per partner make large pages slow).
const DEFAULT_PAGE_SIZE: u32 = 500;
const MAX_PAGE_SIZE: u32 = 5000;

/// Where a vendor read continues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    /// `changed_since` of the first page, in epoch milliseconds.
    since: Option<i64>,
    /// `LastChangeDate` + `LastChangeTime` of the last partner read, in epoch milliseconds.
    ts: i64,
    /// `BusinessPartner` of the last partner read.
    key: String,
}

/// What the capabilities endpoint says about vendors.
pub(super) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Vendors,
        read: true,
        change_tracking: ChangeTracking::Timestamp,
        operations: vec![Operation::Create, Operation::Update],
        optimistic_concurrency: false,
        note: Some(
            "Suppliers are business partners in API_BUSINESS_PARTNER, tracked by the partner's LastChangeDate + LastChangeTime. SAP does not delete suppliers (they are blocked instead), so delete is not offered. E-mail and phone are neither read nor written (SAP keeps them below the address). The service declares no ETag, so updates cannot be made conditional on a version.".into(),
        ),
    }
}

fn datetime_literal(date: NaiveDate) -> String {
    format!("datetime'{}T00:00:00'", date.format("%Y-%m-%d"))
}

fn time_literal(time: EdmTime) -> String {
    format!("time'{}'", time.to_wire())
}

/// The keyset `$filter` of a vendor page: suppliers only, the read's window, then the position
/// after the last partner read.
fn keyset_filter(since: Option<DateTime<Utc>>, after: Option<(DateTime<Utc>, &str)>) -> String {
    let mut clauses = vec![ONLY_SUPPLIERS.to_owned()];
    if let Some(since) = since {
        // The stamp has whole seconds: round the window down to one.
        let since = DateTime::from_timestamp(since.timestamp(), 0).unwrap_or(since);
        let (d, t) = (
            datetime_literal(since.date_naive()),
            time_literal(EdmTime::of(since)),
        );
        clauses.push(format!(
            "(LastChangeDate gt {d} or (LastChangeDate eq {d} and LastChangeTime ge {t}))"
        ));
    }
    if let Some((at, key)) = after {
        let (d, t, k) = (
            datetime_literal(at.date_naive()),
            time_literal(EdmTime::of(at)),
            client::string_literal(key),
        );
        clauses.push(format!(
            "(LastChangeDate gt {d} or (LastChangeDate eq {d} and (LastChangeTime gt {t} or (LastChangeTime eq {t} and BusinessPartner gt {k}))))"
        ));
    }
    clauses.join(" and ")
}

fn millis(ms: i64, resume: &str) -> Result<DateTime<Utc>, ConnectorError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| {
        ConnectorError::Invalid(vec![mw_model::FieldError::new(
            "$.resume",
            format!(
                "not a cursor of this SAP connector's {SET} read: timestamp out of range ({resume})"
            ),
        )])
    })
}

/// The first entry of a to-many navigation in native JSON, in either expanded form.
fn first_entry(navigation: Option<&Value>) -> Option<&Value> {
    let navigation = navigation?;
    navigation
        .get("results")
        .unwrap_or(navigation)
        .as_array()?
        .first()
}

impl SapConnector {
    /// One keyset page of suppliers changed since `query.changed_since`.
    pub(super) async fn read_vendors(&self, query: &PageQuery) -> Result<Page, ConnectorError> {
        let top = query.page_size_or(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        let (since, after) = match &query.resume {
            Some(text) => {
                let at: Position = resume::decode(text, SET)?;
                (at.since, Some((at.ts, at.key)))
            }
            None => (query.changed_since.map(|s| s.timestamp_millis()), None),
        };
        let since_at = since.map(|ms| millis(ms, "since")).transpose()?;
        let after_at = match &after {
            Some((ts, key)) => Some((millis(*ts, "ts")?, key.as_str())),
            None => None,
        };
        let odata = ODataQuery {
            filter: Some(keyset_filter(since_at, after_at)),
            orderby: Some(ORDER.to_owned()),
            top: Some(top),
            expand: Some(EXPAND),
            inlinecount: after.is_none(),
        };
        let url = self.client.url(Service::BusinessPartner, SET, &odata)?;
        let (_, d) = self.client.get_d(&url).await?;
        let collection = super::wire::Collection::from_d(d)
            .map_err(|why| ConnectorError::protocol(format!("{SET} page: {why}")))?;
        let returned = collection.results.len();
        let read = collection
            .results
            .into_iter()
            .map(mapping::supplier_record)
            .collect::<Result<Vec<SupplierRecord>, _>>()?;
        // The position is SAP's last row: its order of partner numbers is the one its filter
        // continues by.
        let last = read.last().map(|r| {
            (
                r.record.remote_updated_at.timestamp_millis(),
                r.business_partner.clone(),
            )
        });
        let mut records: Vec<RemoteRecord> = read.into_iter().map(|r| r.record).collect();
        records.sort_by(|a, b| {
            (a.remote_updated_at, &a.remote_id).cmp(&(b.remote_updated_at, &b.remote_id))
        });
        let more = returned >= top as usize || collection.next.is_some();
        let continue_after = |(ts, key): (i64, String)| {
            if let Some((after_ts, after_key)) = &after
                && (ts < *after_ts || (ts == *after_ts && key == *after_key))
            {
                return Err(ConnectorError::protocol(format!(
                    "{SET} paging does not advance past business partner {after_key}: SAP answered a position at or before the one asked after"
                )));
            }
            Ok(resume::encode(SET, Position { since, ts, key }))
        };
        let total = if after.is_none() {
            collection.count
        } else {
            None
        };
        client::keyset_page(SET, records, more, last, continue_after, total)
    }

    /// The native partner holding supplier `number`, expanded as reads are.
    async fn native_supplier(&self, number: &str) -> Result<Value, ConnectorError> {
        if number.trim().is_empty() {
            // No supplier has a blank number; asking would read every non-supplier.
            return Err(ConnectorError::NotFound(None));
        }
        let odata = ODataQuery {
            filter: Some(format!("Supplier eq {}", client::string_literal(number))),
            top: Some(1),
            expand: Some(EXPAND),
            ..ODataQuery::default()
        };
        let url = self.client.url(Service::BusinessPartner, SET, &odata)?;
        let (_, d) = self.client.get_d(&url).await?;
        let collection = super::wire::Collection::from_d(d).map_err(|why| {
            ConnectorError::protocol(format!("{SET} read of supplier {number}: {why}"))
        })?;
        collection
            .results
            .into_iter()
            .next()
            .ok_or(ConnectorError::NotFound(None))
    }

    /// One vendor by its supplier number.
    pub(super) async fn get_vendor(&self, number: &str) -> Result<RemoteRecord, ConnectorError> {
        let raw = self.native_supplier(number).await?;
        mapping::supplier_record(raw).map(|r| r.record)
    }

    /// One vendor by its business partner number.
    async fn vendor_by_partner(&self, partner: &str) -> Result<SupplierRecord, ConnectorError> {
        let odata = ODataQuery {
            expand: Some(EXPAND),
            ..ODataQuery::default()
        };
        let resource = format!("{SET}{}", client::key_predicate(partner));
        let url = self
            .client
            .url(Service::BusinessPartner, &resource, &odata)?;
        let (_, d) = self.client.get_d(&url).await?;
        mapping::supplier_record(d)
    }

    /// The supplier whose partner carries `external` as its number in an external system.
    async fn vendor_by_external_number(
        &self,
        external: &str,
    ) -> Result<Option<SupplierRecord>, ConnectorError> {
        let odata = ODataQuery {
            filter: Some(format!(
                "{EXTERNAL_NUMBER} eq {}",
                client::string_literal(external)
            )),
            top: Some(1),
            expand: Some(EXPAND),
            ..ODataQuery::default()
        };
        let url = self.client.url(Service::BusinessPartner, SET, &odata)?;
        let (_, d) = self.client.get_d(&url).await?;
        let first = d
            .get("results")
            .and_then(Value::as_array)
            .and_then(|rows| rows.first())
            .cloned();
        first.map(mapping::supplier_record).transpose()
    }

    pub(super) async fn create_vendor(
        &self,
        vendor: &NewVendor,
    ) -> Result<RemoteRecord, ConnectorError> {
        let mut payload = mapping::new_supplier_payload(vendor, &self.supplier_defaults)
            .map_err(ConnectorError::Invalid)?;
        // A number of this create's own, by which a partner whose answer was lost is found
        // (`lost`); one the caller gave in `remote_fields` serves as well.
        let external = match payload.get(EXTERNAL_NUMBER).and_then(Value::as_str) {
            Some(given) if !given.trim().is_empty() => given.to_owned(),
            _ => {
                let own = super::lost::own_reference(20);
                payload[EXTERNAL_NUMBER] = Value::String(own.clone());
                own
            }
        };
        let post = || self.client.post(Service::BusinessPartner, SET, &payload);
        let (headers, created) = match post().await {
            Ok(answer) => answer,
            Err(lost) if lost.outcome_unknown() => {
                match self.vendor_by_external_number(&external).await {
                    Ok(Some(read)) => {
                        tracing::info!(
                            system = SYSTEM,
                            external,
                            "the supplier was created although its answer was lost"
                        );
                        return Ok(read.record);
                    }
                    // Nothing was created: the create is sent once more.
                    Ok(None) => post().await?,
                    Err(_) => return Err(lost),
                }
            }
            Err(e) => return Err(e),
        };
        let partner = created_key(
            created.as_ref(),
            "BusinessPartner",
            || client::key_from_location(&headers, SET),
            "a business partner",
        )?;
        tracing::info!(system = SYSTEM, business_partner = %partner, "supplier created");
        let read = read_back(
            self.vendor_by_partner(&partner),
            created,
            mapping::supplier_record,
            |e| {
                tracing::warn!(system = SYSTEM, business_partner = %partner, error = %e,
                    "reading the created supplier back failed; using the create answer");
            },
        )
        .await?;
        Ok(read.record)
    }

    pub(super) async fn update_vendor(
        &self,
        number: &str,
        patch: &VendorPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        let raw = self.native_supplier(number).await?;
        let current = mapping::parse_partner(&raw)?;
        let read = mapping::supplier_record(raw.clone())?;
        let changes =
            mapping::supplier_changes(patch, &current).map_err(ConnectorError::Invalid)?;
        let partner = read.business_partner.clone();
        let supplier = read.record.remote_id.clone();
        let partner_version = version::if_match(
            expected_version,
            version::etag_of(&raw).as_deref(),
            &format!("business partner {partner}"),
        )?;
        let bp = Service::BusinessPartner;
        if !changes.partner.is_empty() {
            let resource = format!("{SET}{}", client::key_predicate(&partner));
            self.client
                .patch(
                    bp,
                    &resource,
                    &Value::Object(changes.partner),
                    partner_version.as_deref(),
                )
                .await?;
        }
        let role = raw.get("to_Supplier");
        if !changes.supplier.is_empty() {
            let resource = format!("A_Supplier{}", client::key_predicate(&supplier));
            let etag = role.and_then(version::etag_of);
            self.client
                .patch(
                    bp,
                    &resource,
                    &Value::Object(changes.supplier),
                    etag.as_deref(),
                )
                .await?;
        }
        if !changes.purchasing_org.is_empty() {
            let org = first_entry(role.and_then(|r| r.get("to_SupplierPurchasingOrg")));
            let code = org
                .and_then(|o| o.get("PurchasingOrganization"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ConnectorError::protocol(format!(
                        "supplier {supplier}: its purchasing organisation has no `PurchasingOrganization`"
                    ))
                })?;
            let resource = format!(
                "A_SupplierPurchasingOrg(Supplier='{}',PurchasingOrganization='{}')",
                client::key_value(&supplier),
                client::key_value(code)
            );
            let etag = org.and_then(version::etag_of);
            self.client
                .patch(
                    bp,
                    &resource,
                    &Value::Object(changes.purchasing_org),
                    etag.as_deref(),
                )
                .await?;
        }
        if !changes.address.is_empty() {
            let address = first_entry(raw.get("to_BusinessPartnerAddress"));
            let id = address
                .and_then(|a| a.get("AddressID"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ConnectorError::protocol(format!(
                        "business partner {partner}: its address has no `AddressID`"
                    ))
                })?;
            let resource = format!(
                "A_BusinessPartnerAddress(BusinessPartner='{}',AddressID='{}')",
                client::key_value(&partner),
                client::key_value(id)
            );
            let etag = address.and_then(version::etag_of);
            self.client
                .patch(
                    bp,
                    &resource,
                    &Value::Object(changes.address),
                    etag.as_deref(),
                )
                .await?;
        }
        tracing::info!(system = SYSTEM, supplier = %supplier, "supplier changed");
        self.vendor_by_partner(&partner).await.map(|r| r.record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;
    use reqwest::header::{HeaderMap, HeaderValue, LOCATION};

    #[test]
    fn keyset_filters() {
        assert_eq!(keyset_filter(None, None), "Supplier ne ''");
        assert_eq!(
            keyset_filter(Some(at("2024-01-31T08:02:11.750Z")), None),
            "Supplier ne '' and (LastChangeDate gt datetime'2024-01-31T00:00:00' or (LastChangeDate eq datetime'2024-01-31T00:00:00' and LastChangeTime ge time'PT08H02M11S'))"
        );
        assert_eq!(
            keyset_filter(None, Some((at("2024-01-30T15:51:04Z"), "1730'0001"))),
            "Supplier ne '' and (LastChangeDate gt datetime'2024-01-30T00:00:00' or (LastChangeDate eq datetime'2024-01-30T00:00:00' and (LastChangeTime gt time'PT15H51M04S' or (LastChangeTime eq time'PT15H51M04S' and BusinessPartner gt '1730''0001'))))"
        );
    }

    #[test]
    fn created_partners_from_location() {
        let mut h = HeaderMap::new();
        h.insert(
            LOCATION,
            HeaderValue::from_static(
                "https://h/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('17300099')",
            ),
        );
        assert_eq!(
            client::key_from_location(&h, SET).as_deref(),
            Some("17300099")
        );
        assert_eq!(client::key_from_location(&HeaderMap::new(), SET), None);
    }

    #[test]
    fn first_entries_in_both_forms() {
        let results = serde_json::json!({"results": [{"a": 1}]});
        assert_eq!(
            first_entry(Some(&results)),
            Some(&serde_json::json!({"a": 1}))
        );
        let array = serde_json::json!([{"a": 2}]);
        assert_eq!(
            first_entry(Some(&array)),
            Some(&serde_json::json!({"a": 2}))
        );
        assert_eq!(first_entry(Some(&serde_json::json!({"results": []}))), None);
        assert_eq!(first_entry(None), None);
    }
}
