//! Inventory: stock from `API_MATERIAL_STOCK_SRV`, adjusted by goods movements through
//! `API_MATERIAL_DOCUMENT_SRV`.
//!
//! # Reads: snapshots
//! `A_MatlStkInAcctMod` carries no change stamp, so there is nothing to be incremental on:
//! every read returns every row (`changed_since` is ignored) and the sync engine diffs the
//! snapshot against the store. Pages go by keyset on the eleven key fields in key order, never by
//! `$skip`, so that rows appearing or vanishing while a read pages cannot shift others past it:
//! ```text
//! $orderby=Material asc,Plant asc,…,InventoryStockType asc   $top=<page size>
//! $filter=(Material gt '<m>' or (Material eq '<m>' and (Plant gt '<p>' or (Plant eq '<p>' and
//!          … (InventoryStockType gt '<t>')…))))
//! ```
//! The first page has no filter and asks for `$inlinecount=allpages`; later pages continue after
//! the last row SAP returned, in SAP's own order. `__next` is not followed; the read ends on a
//! page shorter than `$top` without `__next`. Every level of a page is stamped with the page's
//! `Date` header, the source's clock when it had those values (the local clock when SAP sent
//! none). Rows that are not levels of the plant (see `mapping`) are skipped but still move the
//! position on.
//!
//! # Adjustments: goods movements
//! `POST A_MaterialDocumentHeader` (see `mapping`) with a `ReferenceDocument` of its own (`MW` and
//! 14 hex digits), by which a movement whose answer was lost is found instead of being posted
//! twice (`lost`), then the unrestricted own-stock row of the
//! material, plant, storage location and batch is read back with a `$filter` on those fields
//! and returned as the level. When the movement names no unit, the material's base unit is taken
//! from any stock row of the material first. SAP may post the document before its stock view
//! shows it; the read-back is tried a few times before a missing row counts. A reversal that
//! took the last of the stock may leave no row at all: that answers a level of zero.

mod mapping;
mod wire;

use super::SapConnector;
use super::client::{self, ODataQuery, SYSTEM, Service};
use super::resume;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery, http};
use chrono::{DateTime, Utc};
use mw_model::{Entity, FieldError, InventoryAdjustment, RemoteRecord};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use wire::KEY;

/// The entity set stock is read from.
const SET: &str = "A_MatlStkInAcctMod";
/// The entity set goods movements are posted to.
pub(super) const MATERIAL_DOCUMENTS: &str = "A_MaterialDocumentHeader";

/// The page size when the caller gives none, and the most asked for at once.
const DEFAULT_PAGE_SIZE: u32 = 1000;
const MAX_PAGE_SIZE: u32 = 5000;

/// How often the row a goods movement posted to is looked for, and the pause before each retry.
const READ_BACK_ATTEMPTS: u32 = 3;
const READ_BACK_PAUSE: Duration = Duration::from_millis(250);

/// Where a stock read continues: the key values of the last row SAP returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    key: Vec<String>,
}

/// What the capabilities endpoint says about inventory.
pub(super) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Inventory,
        read: true,
        change_tracking: ChangeTracking::Snapshot,
        operations: vec![Operation::Adjust],
        optimistic_concurrency: false,
        note: Some(
            "SAP stock (A_MatlStkInAcctMod) has no change stamp: every sync reads the whole snapshot and diffs it. One level per stock row: every stock type of the plant's own stock and of special stock kept in the plant (E, K, M, Q); special stock held by third parties (O, V, W) is left out. Adjustments post goods movements 561/562 (API_MATERIAL_DOCUMENT_SRV) to unrestricted stock and need a storage location.".into(),
        ),
    }
}

/// The `$filter` of the page after the row with key values `after`: lexicographic in key order.
fn after_filter(after: &[String]) -> String {
    let mut filter = String::new();
    // Built from the last key inwards: `(K gt 'v' or (K eq 'v' and <rest>))`.
    for (i, (name, value)) in KEY.iter().zip(after).enumerate().rev() {
        let value = client::string_literal(value);
        filter = if i == KEY.len() - 1 {
            format!("{name} gt {value}")
        } else {
            format!("({name} gt {value} or ({name} eq {value} and {filter}))")
        };
    }
    filter
}

fn order() -> String {
    KEY.iter()
        .map(|k| format!("{k} asc"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The source's clock from a response, or the local one when SAP sent no readable `Date`.
fn read_at(headers: &HeaderMap) -> DateTime<Utc> {
    http::source_date(headers).unwrap_or_else(|| {
        tracing::warn!(
            system = SYSTEM,
            set = SET,
            "no Date header; stamping stock with the local clock"
        );
        Utc::now()
    })
}

fn page_error(why: String) -> ConnectorError {
    ConnectorError::protocol(format!("{SET} page: {why}"))
}

impl SapConnector {
    /// One keyset page of the stock snapshot.
    pub(super) async fn read_inventory(&self, query: &PageQuery) -> Result<Page, ConnectorError> {
        let top = query.page_size_or(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        let after = match &query.resume {
            Some(text) => {
                let at: Position = resume::decode(text, SET)?;
                if at.key.len() != KEY.len() {
                    return Err(ConnectorError::Invalid(vec![FieldError::new(
                        "$.resume",
                        format!(
                            "not a cursor of this SAP connector's {SET} read: wrong key length"
                        ),
                    )]));
                }
                Some(at.key)
            }
            None => None,
        };
        let odata = ODataQuery {
            filter: after.as_deref().map(after_filter),
            orderby: Some(order()),
            top: Some(top),
            expand: None,
            inlinecount: after.is_none(),
        };
        let url = self.client.url(Service::MaterialStock, SET, &odata)?;
        let (headers, d) = self.client.get_d(&url).await?;
        let stamp = read_at(&headers);
        let collection = super::wire::Collection::from_d(d).map_err(page_error)?;
        let returned = collection.results.len();
        let mut last = None;
        let mut records = Vec::with_capacity(returned);
        for raw in collection.results {
            let read = mapping::stock_read(raw, stamp)?;
            last = Some(read.key);
            records.extend(read.level);
        }
        // One stamp for the page: ordered by id, as the contract asks.
        records.sort_by(|a, b| a.remote_id.cmp(&b.remote_id));
        let more = returned >= top as usize || collection.next.is_some();
        let continue_after = |key: Vec<String>| {
            if after.as_ref() == Some(&key) {
                return Err(page_error(format!(
                    "paging does not advance past {}",
                    mapping::stock_id(&key)
                )));
            }
            Ok(resume::encode(SET, Position { key }))
        };
        let total = if after.is_none() {
            collection.count
        } else {
            None
        };
        client::keyset_page(SET, records, more, last, continue_after, total)
    }

    /// One stock row by its `remote_id`.
    pub(super) async fn get_inventory(&self, id: &str) -> Result<RemoteRecord, ConnectorError> {
        // An id this connector did not write names no row SAP could have.
        let key = mapping::parse_stock_id(id).ok_or(ConnectorError::NotFound(None))?;
        let resource = format!("{SET}{}", mapping::key_predicate(&key));
        let url = self
            .client
            .url(Service::MaterialStock, &resource, &ODataQuery::default())?;
        let (headers, d) = self.client.get_d(&url).await?;
        mapping::stock_read(d, read_at(&headers))?
            .level
            .ok_or(ConnectorError::NotFound(None))
    }

    /// Rows of stock matching `filter`, with the source's clock.
    async fn stock_rows(
        &self,
        filter: String,
        top: u32,
    ) -> Result<(DateTime<Utc>, Vec<Value>), ConnectorError> {
        let odata = ODataQuery {
            filter: Some(filter),
            orderby: Some(order()),
            top: Some(top),
            ..ODataQuery::default()
        };
        let url = self.client.url(Service::MaterialStock, SET, &odata)?;
        let (headers, d) = self.client.get_d(&url).await?;
        let collection = super::wire::Collection::from_d(d).map_err(page_error)?;
        Ok((read_at(&headers), collection.results))
    }

    /// The base unit of `material`, from any of its stock rows.
    async fn base_unit(&self, material: &str) -> Result<String, ConnectorError> {
        let filter = format!("Material eq {}", client::string_literal(material.trim()));
        let (_, rows) = self.stock_rows(filter, 1).await?;
        rows.first()
            .and_then(|row| row.get("MaterialBaseUnit"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|unit| !unit.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                ConnectorError::Invalid(vec![FieldError::new(
                    "$.unit",
                    format!(
                        "SAP needs the unit of the movement, and material {} has no stock to take its base unit from: give the unit",
                        material.trim()
                    ),
                )])
            })
    }

    pub(super) async fn adjust_inventory(
        &self,
        adjustment: &InventoryAdjustment,
    ) -> Result<RemoteRecord, ConnectorError> {
        let errors = mapping::check_adjustment(adjustment);
        if !errors.is_empty() {
            return Err(ConnectorError::Invalid(errors));
        }
        let unit = match adjustment.unit.as_deref().map(str::trim) {
            Some(unit) if !unit.is_empty() => unit.to_owned(),
            _ => self.base_unit(&adjustment.item).await?,
        };
        let mut payload =
            mapping::goods_movement_payload(adjustment, &unit).map_err(ConnectorError::Invalid)?;
        // A reference of this movement's own, by which it is found should its answer be lost.
        let reference = super::lost::own_reference(16);
        payload["ReferenceDocument"] = Value::String(reference.clone());
        let post = || {
            self.client
                .post(Service::MaterialDocument, MATERIAL_DOCUMENTS, &payload)
        };
        let created = match post().await {
            Ok((_, created)) => created,
            Err(lost) if lost.outcome_unknown() => {
                match super::lost::find_movement(&self.client, &reference).await {
                    Ok(Some(document)) => {
                        tracing::info!(
                            system = SYSTEM,
                            reference,
                            "the goods movement was posted although its answer was lost"
                        );
                        Some(document)
                    }
                    // Nothing was posted: the movement is sent once more.
                    Ok(None) => post().await?.1,
                    Err(_) => return Err(lost),
                }
            }
            Err(e) => return Err(e),
        };
        let field = |name: &str| {
            created
                .as_ref()
                .and_then(|d| d.get(name))
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        };
        let document = format!(
            "{}/{}",
            field("MaterialDocumentYear"),
            field("MaterialDocument")
        );
        tracing::info!(system = SYSTEM, material_document = %document, "goods movement posted");

        let key = mapping::unrestricted_key(adjustment);
        let filter = mapping::unrestricted_filter(&key);
        for attempt in 1..=READ_BACK_ATTEMPTS {
            let (stamp, rows) = self.stock_rows(filter.clone(), 10).await?;
            for raw in rows {
                if let Some(level) = mapping::stock_read(raw, stamp)?.level {
                    return Ok(level);
                }
            }
            if attempt < READ_BACK_ATTEMPTS {
                tokio::time::sleep(READ_BACK_PAUSE * attempt).await;
            } else if adjustment.delta.is_sign_negative() {
                return Ok(mapping::empty_level(adjustment, &unit, stamp));
            }
        }
        Err(ConnectorError::protocol(format!(
            "SAP posted material document {document}, but its stock row {} cannot be read back",
            mapping::stock_id(&key)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyset_after_the_last_row() {
        let key: Vec<String> = ["FG'29", "1710", "171A", "", "", "", "", "", "0", "", "01"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            after_filter(&key),
            "(Material gt 'FG''29' or (Material eq 'FG''29' and (Plant gt '1710' or (Plant eq '1710' and (StorageLocation gt '171A' or (StorageLocation eq '171A' and (Batch gt '' or (Batch eq '' and (Supplier gt '' or (Supplier eq '' and (Customer gt '' or (Customer eq '' and (WBSElementInternalID gt '' or (WBSElementInternalID eq '' and (SDDocument gt '' or (SDDocument eq '' and (SDDocumentItem gt '0' or (SDDocumentItem eq '0' and (InventorySpecialStockType gt '' or (InventorySpecialStockType eq '' and InventoryStockType gt '01'))))))))))))))))))))"
        );
        assert_eq!(
            order(),
            "Material asc,Plant asc,StorageLocation asc,Batch asc,Supplier asc,Customer asc,WBSElementInternalID asc,SDDocument asc,SDDocumentItem asc,InventorySpecialStockType asc,InventoryStockType asc"
        );
    }
}
