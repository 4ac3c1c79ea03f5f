//! The duplicate-order trap: a record SAP created although the answer to its create was lost (the
//! connection cut, a gateway 5xx). Sending the create again would make a second one, and SAP's
//! OData services have no idempotency key or external id to recognise a repeat.
//!
//! Goods movements and business partners carry a reference of their own instead
//! ([`own_reference`] in `ReferenceDocument`, the movement header's free reference field, and in
//! `BusinessPartnerIDByExtSystem`, the partner's number in an external system): after a lost
//! answer the record with that reference is looked for.
//!
//! Purchase orders, maintenance orders and equipment: before a create the connector notes the
//! source's clock (`Date` of a service document), and after such a failure it looks for the
//! record it may have made ([`create`]): records changed since then that are what the create
//! asked for (an order of the same supplier with the same currency and lines; a maintenance
//! order with the same title and equipment; equipment with the same name and serial number). One
//! match is the record the create made; none means nothing was applied and the create is sent
//! once more; several cannot be told apart, so the original failure is reported and nothing is
//! sent twice.

use super::client::{self, EntitySet, ODataQuery, PURCHASE_ORDERS, SapClient};
use super::purchase_order::mapping::purchase_order_record;
use crate::{ConnectorError, http};
use chrono::{DateTime, Utc};
use mw_model::{EntityData, NewAsset, NewPurchaseOrder, NewWorkOrder, PurchaseOrder, RemoteRecord};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A reference of a write's own, `len` characters (at most 34): `MW` and upper-case hex digits.
/// Goods movements take 16 (`ReferenceDocument`), business partners 20
/// (`BusinessPartnerIDByExtSystem`).
pub(crate) fn own_reference(len: usize) -> String {
    let random = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .to_ascii_uppercase();
    let digits = len.saturating_sub(2).min(random.len());
    format!("MW{}", &random[..digits])
}

/// The material document posted with `reference`, if SAP holds one.
pub(crate) async fn find_movement(
    client: &SapClient,
    reference: &str,
) -> Result<Option<serde_json::Value>, ConnectorError> {
    let query = ODataQuery {
        filter: Some(format!(
            "ReferenceDocument eq {}",
            client::string_literal(reference)
        )),
        top: Some(1),
        ..ODataQuery::default()
    };
    let url = client.url(
        client::Service::MaterialDocument,
        super::inventory::MATERIAL_DOCUMENTS,
        &query,
    )?;
    let (_, d) = client.get_d(&url).await?;
    Ok(d.get("results")
        .and_then(|r| r.as_array())
        .and_then(|rows| rows.first())
        .cloned())
}

/// Orders looked at, newest first: more than one connection creates between two clock readings.
const CANDIDATES: u32 = 50;

/// How a create whose answer was lost is looked for: records of `set` that match `filter` and
/// changed since the source's clock before the create, mapped with `map`, are what the create
/// asked for when `same` says so.
pub(crate) struct Lookup<'a> {
    pub(crate) set: &'a EntitySet,
    /// Narrows the candidates by what the create sent (`Supplier eq '17300001'`).
    pub(crate) filter: String,
    pub(crate) map: fn(Value) -> Result<RemoteRecord, ConnectorError>,
    pub(crate) same: &'a (dyn Fn(&RemoteRecord) -> bool + Sync),
}

/// What a create came to.
pub(crate) enum Created {
    /// SAP answered: the headers and `d` of its answer.
    Answered(HeaderMap, Option<Value>),
    /// The answer was lost, and this is the record the create made.
    Found(Box<RemoteRecord>),
}

/// POSTs `payload` to `lookup.set`; when the answer is lost, looks for the record the create
/// made (see the module doc) and sends the create once more only when there is none.
pub(crate) async fn create(
    client: &SapClient,
    payload: &Value,
    lookup: Lookup<'_>,
) -> Result<Created, ConnectorError> {
    let service = lookup.set.service;
    // The source's clock before the create: a record this create made is not older.
    let before = client
        .service_document(service)
        .await
        .ok()
        .and_then(|headers| http::source_date(&headers));
    let post = || client.post(service, lookup.set.name, payload);
    let lost = match post().await {
        Ok((headers, d)) => return Ok(Created::Answered(headers, d)),
        Err(e) if e.outcome_unknown() => e,
        Err(e) => return Err(e),
    };
    let Some(before) = before else {
        return Err(lost);
    };
    match find(client, &lookup, before).await {
        Ok(Some(record)) => {
            tracing::info!(system = client::SYSTEM, set = lookup.set.name,
                remote_id = %record.remote_id, "the create was applied although its answer was lost");
            Ok(Created::Found(Box::new(record)))
        }
        // Nothing was applied: the create is sent once more.
        Ok(None) => post()
            .await
            .map(|(headers, d)| Created::Answered(headers, d)),
        Err(_) => Err(lost),
    }
}

/// The one record `lookup` finds changed since `before`; `None` when there is none.
async fn find(
    client: &SapClient,
    lookup: &Lookup<'_>,
    before: DateTime<Utc>,
) -> Result<Option<RemoteRecord>, ConnectorError> {
    let set = lookup.set;
    let since = before - chrono::Duration::seconds(1);
    let mut filter = format!(
        "{} and {} ge {}",
        lookup.filter,
        set.changed_at,
        client::datetimeoffset_literal(since)
    );
    if let Some(scope) = set.scope {
        filter = format!("{scope} and {filter}");
    }
    let query = ODataQuery {
        filter: Some(filter),
        orderby: Some(format!("{} desc", set.changed_at)),
        top: Some(CANDIDATES),
        expand: set.expand,
        inlinecount: false,
    };
    let url = client.url(set.service, set.name, &query)?;
    let (_, d) = client.get_d(&url).await?;
    let rows = d
        .get("results")
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    tracing::debug!(system = client::SYSTEM, set = set.name, candidates = rows.len(), %url,
        "looking for the record of a create whose answer was lost");
    let mut matches = Vec::new();
    for raw in rows {
        let record = (lookup.map)(raw)?;
        if (lookup.same)(&record) {
            matches.push(record);
        }
    }
    match matches.len() {
        0 => Ok(None),
        1 => Ok(matches.pop()),
        n => Err(ConnectorError::Conflict(crate::http::upstream(
            client::SYSTEM,
            reqwest::StatusCode::CONFLICT,
            None,
            Some(format!(
                "{n} records of {} match the create whose answer was lost",
                set.name
            )),
        ))),
    }
}

/// How a purchase-order create whose answer was lost is looked for: orders of its supplier.
pub(crate) fn purchase_order_lookup<'a>(
    po: &NewPurchaseOrder,
    same: &'a (dyn Fn(&RemoteRecord) -> bool + Sync),
) -> Lookup<'a> {
    Lookup {
        set: &PURCHASE_ORDERS,
        filter: format!(
            "Supplier eq {}",
            client::string_literal(po.vendor_remote_id.trim())
        ),
        map: purchase_order_record,
        same,
    }
}

/// Whether `record` is the purchase order `po` asked for.
pub(crate) fn is_order(po: &NewPurchaseOrder, record: &RemoteRecord) -> bool {
    matches!(&record.data, EntityData::PurchaseOrder(order) if same_order(po, order))
}

/// Whether `record` is the maintenance order `order` asked for: title and equipment.
pub(crate) fn is_work_order(order: &NewWorkOrder, record: &RemoteRecord) -> bool {
    let text = |t: Option<&str>| t.map(str::trim).unwrap_or("").to_owned();
    matches!(&record.data, EntityData::WorkOrder(held)
        if held.title.trim() == order.title.trim()
            && text(held.asset_remote_id.as_deref()) == text(order.asset_remote_id.as_deref()))
}

/// Whether `record` is the equipment `asset` asked for: name and serial number.
pub(crate) fn is_asset(asset: &NewAsset, record: &RemoteRecord) -> bool {
    let text = |t: Option<&str>| t.map(str::trim).unwrap_or("").to_owned();
    matches!(&record.data, EntityData::Asset(held)
        if held.name.trim() == asset.name.trim()
            && text(held.serial_number.as_deref()) == text(asset.serial_number.as_deref()))
}

/// Whether `order` (as SAP holds it) is what `po` asked for: supplier, currency, and the lines'
/// materials, quantities and unit prices in order. Numbers compare by value; SAP's supplier
/// numbers may come back with leading zeros.
fn same_order(po: &NewPurchaseOrder, order: &PurchaseOrder) -> bool {
    let supplier = |s: &str| s.trim().trim_start_matches('0').to_owned();
    supplier(&po.vendor_remote_id) == supplier(order.vendor_remote_id.as_deref().unwrap_or(""))
        && po
            .currency
            .trim()
            .eq_ignore_ascii_case(order.currency.trim())
        && po.lines.len() == order.lines.len()
        && po.lines.iter().zip(&order.lines).all(|(asked, held)| {
            let item = |i: &Option<String>| i.as_deref().map(str::trim).unwrap_or("").to_owned();
            item(&asked.item) == item(&held.item)
                && asked.quantity == held.quantity
                && asked.unit_price == held.unit_price
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mw_model::NewPurchaseOrderLine;

    fn asked() -> NewPurchaseOrder {
        serde_json::from_value(serde_json::json!({
            "vendor_remote_id": "17300001", "currency": "USD",
            "lines": [{"item": "TG11", "quantity": "2", "unit_price": "52.65"}]
        }))
        .expect("a valid order")
    }

    fn held(supplier: &str, quantity: &str) -> PurchaseOrder {
        let mut po: PurchaseOrder = serde_json::from_value(serde_json::json!({
            "number": "4500000400", "vendor_remote_id": supplier, "currency": "USD",
            "status": "open", "total_amount": "105.30", "lines": [{
                "line_number": "10", "item": "TG11", "quantity": quantity, "unit_price": "52.650",
                "price_unit": "1", "amount": "105.30"
            }]
        }))
        .expect("a valid order");
        po.lines.truncate(1);
        po
    }

    #[test]
    fn orders_match_by_supplier_currency_and_lines() {
        assert!(same_order(&asked(), &held("0017300001", "2.000")));
        assert!(!same_order(&asked(), &held("17300002", "2")));
        assert!(!same_order(&asked(), &held("17300001", "3")));
        let mut two_lines = asked();
        two_lines.lines.push(NewPurchaseOrderLine {
            item: Some("TG12".into()),
            ..two_lines.lines[0].clone()
        });
        assert!(!same_order(&two_lines, &held("17300001", "2")));
    }

    #[test]
    fn own_references_fill_the_field_and_differ() {
        assert_eq!(own_reference(20).len(), 20);
        let (a, b) = (own_reference(16), own_reference(16));
        assert_eq!(a.len(), 16);
        assert!(a.starts_with("MW") && a[2..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, a.to_ascii_uppercase());
        assert_ne!(a, b);
    }
}
