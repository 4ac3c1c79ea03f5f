//! The duplicate-order trap: a purchase order SAP created although the answer to its create was
//! lost (the connection cut, a gateway 5xx). Sending the create again would make a second order,
//! and SAP's purchase-order service has no idempotency key or external id to recognise a repeat.
//!
//! So before a create the connector notes the source's clock (`Date` of a service document), and
//! after such a failure it looks for the order it may have made: orders of the same supplier
//! changed since then, whose currency and lines (material, quantity, net price, in order) are the
//! create's. One match is the order the create made; none means nothing was applied and the
//! create may be sent again; several cannot be told apart, so the original failure is reported
//! and nothing is sent twice.

use super::client::{self, ODataQuery, PURCHASE_ORDERS, SapClient};
use super::purchase_order::mapping::purchase_order_record;
use crate::ConnectorError;
use chrono::{DateTime, Utc};
use mw_model::{EntityData, NewPurchaseOrder, PurchaseOrder, RemoteRecord};

/// Orders looked at, newest first: more than one connection creates between two clock readings.
const CANDIDATES: u32 = 50;

/// Whether a failed write may still have been applied: the request may have reached SAP but no
/// readable answer came back.
pub(crate) fn may_have_been_applied(error: &ConnectorError) -> bool {
    matches!(
        error,
        ConnectorError::Unavailable { .. } | ConnectorError::Protocol { .. }
    )
}

/// The order `po`'s create made, if SAP holds exactly one that matches it changed since `before`.
pub(crate) async fn find_order(
    client: &SapClient,
    po: &NewPurchaseOrder,
    before: DateTime<Utc>,
) -> Result<Option<RemoteRecord>, ConnectorError> {
    let since = before - chrono::Duration::seconds(1);
    let query = ODataQuery {
        filter: Some(format!(
            "Supplier eq '{}' and LastChangeDateTime ge {}",
            client::key_value(po.vendor_remote_id.trim()),
            client::datetimeoffset_literal(since)
        )),
        orderby: Some("LastChangeDateTime desc".into()),
        top: Some(CANDIDATES),
        expand: PURCHASE_ORDERS.expand,
        inlinecount: false,
    };
    let url = client.url(PURCHASE_ORDERS.service, PURCHASE_ORDERS.name, &query)?;
    let (_, d) = client.get_d(&url).await?;
    let rows = d
        .get("results")
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    let mut matches = Vec::new();
    for raw in rows {
        let record = purchase_order_record(raw)?;
        if let EntityData::PurchaseOrder(order) = &record.data
            && same_order(po, order)
        {
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
                "{n} orders of supplier {} match the create whose answer was lost",
                po.vendor_remote_id
            )),
        ))),
    }
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
    fn only_failures_without_an_answer_may_have_been_applied() {
        let unavailable = ConnectorError::Unavailable {
            detail: "reset".into(),
            upstream: None,
        };
        assert!(may_have_been_applied(&unavailable));
        assert!(!may_have_been_applied(&ConnectorError::NotFound(None)));
    }
}
