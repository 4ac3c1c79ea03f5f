//! Inventory: quantity on hand per inventory item and location, from the `inventoryItem`
//! record's `locations` sublist, adjusted with `inventoryAdjustment` records.
//!
//! # Reads: snapshots
//! Stock has no change stamp the connector can rely on (an item's `lastModifiedDate` does not
//! move when its stock does), so every read returns every level (`changed_since` is ignored) and
//! the sync engine diffs the snapshot against the store. A page is a SuiteQL keyset page of
//! inventory item ids (`SELECT id FROM item WHERE itemtype = 'InvtPart' … ORDER BY id`), each item
//! then read with `GET inventoryItem/<id>?expandSubResources=true`, up to the concurrency limit at
//! once; every level of the page is stamped with the SuiteQL answer's `Date` (the source's clock
//! when it had those values; the local clock when NetSuite sent none) and the page is ordered by
//! item and location id. An item that vanishes between the two reads is left out, so its levels vanish too.
//!
//! # Adjustments
//! 1. checked before sending: internal ids, no bins or lots, an exact delta; the item is read
//!    (it must exist, and a `unit` given must be the item's stock unit: NetSuite adjusts in it);
//! 2. the adjustment account: the `adjustment_account` setting, else found once in the chart of
//!    accounts: `SELECT * FROM account` through SuiteQL, preferring an active account whose name
//!    says "adjust", then a cost-of-goods-sold account, then an expense account; where SuiteQL
//!    has no `account` table, `GET account?q=acctName CONTAIN "Adjust"` through the record API;
//! 3. the subsidiary: the location's (read once per location), else the `subsidiary` setting,
//!    else the subsidiary most records read belong to;
//! 4. `POST inventoryAdjustment` (see `mapping`) → 204 + `Location`;
//! 5. the item is read again and the level at the location returned.

pub(crate) mod mapping;

use super::NetsuiteConnector;
use super::client::{SYSTEM, is_internal_id};
use super::suiteql::{self, INVENTORY_ITEMS};
use super::wire::Ref;
use crate::{ChangeTracking, ConnectorError, EntityCapability, Operation, Page, PageQuery, http};
use chrono::{DateTime, Utc};
use mw_model::{Entity, FieldError, InventoryAdjustment, RemoteRecord};
use serde_json::Value;

const ITEM: &str = "inventoryItem";
const ADJUSTMENT: &str = "inventoryAdjustment";

/// What the capabilities endpoint says about inventory.
pub(super) fn capability() -> EntityCapability {
    EntityCapability {
        entity: Entity::Inventory,
        read: true,
        change_tracking: ChangeTracking::Snapshot,
        operations: vec![Operation::Adjust],
        optimistic_concurrency: false,
        note: Some(
            "One level per inventory item and location (the item's locations sublist), id \"<item>:<location>\". Stock has no change stamp in NetSuite: every sync reads the whole snapshot and diffs it. Adjustments post an inventoryAdjustment (adjustQtyBy, in the item's stock unit) to the `adjustment_account` setting or an adjustment account found in the chart of accounts; bins and lots are not written.".into(),
        ),
    }
}

/// The source's clock from a response, or the local one when NetSuite sent no readable `Date`.
fn read_at(at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    at.unwrap_or_else(|| {
        tracing::warn!(
            system = SYSTEM,
            "no Date header; stamping stock with the local clock"
        );
        Utc::now()
    })
}

/// How well an account row of `SELECT * FROM account` suits inventory adjustments: 3 for an
/// account named for adjustments, 2 cost of goods sold, 1 other expense, 0 unsuitable.
fn adjustment_fitness(row: &Value) -> u8 {
    let Some(fields) = row.as_object() else {
        return 0;
    };
    let text = |key: &str| fields.get(key).and_then(Value::as_str).unwrap_or("");
    if matches!(text("isinactive"), "T" | "true")
        || fields.get("isinactive") == Some(&Value::Bool(true))
    {
        return 0;
    }
    let named = fields.iter().any(|(key, value)| {
        key.contains("name")
            && value
                .as_str()
                .is_some_and(|v| v.to_lowercase().contains("adjust"))
    });
    let kind = fields
        .iter()
        .filter(|(key, _)| key.contains("type"))
        .filter_map(|(_, v)| v.as_str())
        .find(|v| !v.is_empty())
        .unwrap_or("");
    match (named, kind) {
        (true, _) => 3,
        (false, "COGS") => 2,
        (false, "Expense" | "OthExpense") => 1,
        _ => 0,
    }
}

/// The id of the account of `rows` best suited to adjustments (the lowest id on a tie).
pub(crate) fn choose_adjustment_account(rows: &[Value]) -> Option<String> {
    rows.iter()
        .filter_map(|row| {
            let id = match row.get("id") {
                Some(Value::String(s)) => s.trim().to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return None,
            };
            let fitness = adjustment_fitness(row);
            (fitness > 0 && is_internal_id(&id)).then_some((fitness, id))
        })
        .max_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let (x, y) = (
                    a.1.parse::<u64>().unwrap_or(u64::MAX),
                    b.1.parse::<u64>().unwrap_or(u64::MAX),
                );
                y.cmp(&x)
            })
        })
        .map(|(_, id)| id)
}

/// The subsidiaries of a native `location`: a single reference or a multiselect.
fn location_subsidiaries(raw: &Value) -> Vec<String> {
    let Some(value) = raw.get("subsidiary") else {
        return Vec::new();
    };
    let references: Vec<Value> = match value.get("items").and_then(Value::as_array) {
        Some(items) => items.clone(),
        None => vec![value.clone()],
    };
    references
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Ref>(v).ok())
        .filter_map(|r| r.id().map(str::to_owned))
        .collect()
}

impl NetsuiteConnector {
    /// One keyset page of the inventory snapshot.
    pub(super) async fn read_inventory(&self, query: &PageQuery) -> Result<Page, ConnectorError> {
        let rows = suiteql::read_ids(&self.client, &INVENTORY_ITEMS, query).await?;
        let stamp = read_at(rows.read_at);
        let mut records = Vec::new();
        for (_, raw) in self.fetch_records(ITEM, &rows.rows).await? {
            records.extend(mapping::levels(&raw, stamp)?);
        }
        // Item, then location, as numbers: the order the item keyset pages in.
        records.sort_by_cached_key(|r| {
            mapping::parse_level_id(&r.remote_id)
                .and_then(|(item, location)| {
                    Some((item.parse::<u64>().ok()?, location.parse::<u64>().ok()?))
                })
                .unwrap_or((u64::MAX, u64::MAX))
        });
        Ok(Page {
            records,
            next: rows.next,
            // SuiteQL counts items, not levels; the levels of an item are known only once read.
            total: None,
        })
    }

    /// One level by its `remote_id`.
    pub(super) async fn get_inventory(&self, id: &str) -> Result<RemoteRecord, ConnectorError> {
        // An id this connector did not write names no level NetSuite could have.
        let (item, location) = mapping::parse_level_id(id).ok_or(ConnectorError::NotFound(None))?;
        let (headers, raw) = self.client.get_record(ITEM, item).await?;
        mapping::levels(&raw, read_at(http::source_date(&headers)))?
            .into_iter()
            .find(|level| level.remote_id == mapping::level_id(item, location))
            .ok_or(ConnectorError::NotFound(None))
    }

    /// The account adjustments post to: the setting, else one found in the chart of accounts.
    async fn adjustment_account(&self) -> Result<String, ConnectorError> {
        if let Some(account) = &self.settings.adjustment_account {
            return Ok(account.clone());
        }
        let mut found = self.adjustment_account.lock().await;
        if let Some(account) = found.as_ref() {
            return Ok(account.clone());
        }
        let from_suiteql = match self.client.suiteql("SELECT * FROM account", 1000).await {
            Ok((_, accounts)) => choose_adjustment_account(&accounts.items),
            // No `account` table for this role or account: try the record API.
            Err(ConnectorError::Rejected(_) | ConnectorError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let account = match from_suiteql {
            Some(account) => Some(account),
            None => {
                let query = [
                    ("q", "acctName CONTAIN \"Adjust\"".to_owned()),
                    ("limit", "10".to_owned()),
                ];
                match self.client.list("account", &query).await {
                    // Stubs carry only the id; the query already chose by name.
                    Ok((_, stubs)) => stubs
                        .items
                        .iter()
                        .filter_map(|stub| stub.get("id").and_then(Value::as_str))
                        .filter(|id| is_internal_id(id))
                        .min_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX))
                        .map(str::to_owned),
                    Err(ConnectorError::Rejected(_) | ConnectorError::NotFound(_)) => None,
                    Err(e) => return Err(e),
                }
            }
        };
        let account = account.ok_or_else(|| {
            ConnectorError::InvalidConfig(vec![FieldError::new(
                "$.settings.adjustment_account",
                "NetSuite shows no account suited to inventory adjustments; set the internal id of the adjustment account",
            )])
        })?;
        tracing::info!(system = SYSTEM, account = %account, "inventory adjustments post to this account");
        *found = Some(account.clone());
        Ok(account)
    }

    /// The subsidiary an adjustment at `location` belongs to, when one can be told.
    async fn adjustment_subsidiary(
        &self,
        location: &str,
    ) -> Result<Option<String>, ConnectorError> {
        let cached = self.location_subsidiaries(|m| m.get(location).cloned());
        let subsidiaries = match cached {
            Some(known) => known,
            None => {
                let (_, raw) = match self.client.get_record("location", location).await {
                    Ok(found) => found,
                    Err(ConnectorError::NotFound(_)) => {
                        return Err(ConnectorError::Invalid(vec![FieldError::new(
                            "$.location",
                            format!("NetSuite has no location {location}"),
                        )]));
                    }
                    Err(e) => return Err(e),
                };
                let known = location_subsidiaries(&raw);
                self.location_subsidiaries(|m| m.insert(location.to_owned(), known.clone()));
                known
            }
        };
        let setting = self.settings.subsidiary.as_ref();
        Ok(match (subsidiaries.first(), setting) {
            (Some(_), Some(s)) if subsidiaries.contains(s) => Some(s.clone()),
            (Some(first), _) => Some(first.clone()),
            (None, Some(s)) => Some(s.clone()),
            (None, None) => self.references.usual_subsidiary(),
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
        let item = adjustment.item.trim();
        let location = adjustment.location.trim();
        let raw = match self.client.get_record(ITEM, item).await {
            Ok((_, raw)) => raw,
            Err(ConnectorError::NotFound(_)) => {
                return Err(ConnectorError::Invalid(vec![FieldError::new(
                    "$.item",
                    format!("NetSuite has no inventory item {item}"),
                )]));
            }
            Err(e) => return Err(e),
        };
        if let (Some(given), Some(stock)) = (
            adjustment
                .unit
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty()),
            mapping::item_unit(&raw),
        ) && !given.eq_ignore_ascii_case(&stock)
        {
            return Err(ConnectorError::Invalid(vec![FieldError::new(
                "$.unit",
                format!(
                    "NetSuite adjusts item {item} in its stock unit {stock}; give the delta in {stock}"
                ),
            )]));
        }
        let account = self.adjustment_account().await?;
        let subsidiary = self.adjustment_subsidiary(location).await?;
        let payload = mapping::adjustment_payload(adjustment, &account, subsidiary.as_deref())
            .map_err(ConnectorError::Invalid)?;
        let id = self.client.create(ADJUSTMENT, &payload).await?;
        tracing::info!(system = SYSTEM, inventory_adjustment = %id, item, location, "inventory adjusted");
        let level = mapping::level_id(item, location);
        let mut attempt = 1;
        loop {
            match self.get_inventory(&level).await {
                Err(e)
                    if (e.is_transient() || matches!(e, ConnectorError::NotFound(_)))
                        && attempt < super::READ_BACK_ATTEMPTS =>
                {
                    tokio::time::sleep(super::READ_BACK_PAUSE * attempt).await;
                    attempt += 1;
                }
                Err(e) => {
                    return Err(ConnectorError::Protocol {
                        detail: format!(
                            "NetSuite recorded inventory adjustment {id}, but the level {level} cannot be read back: {e}"
                        ),
                        upstream: e.upstream().cloned(),
                    });
                }
                Ok(record) => return Ok(record),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_adjustment_account_is_chosen_by_name_then_type() {
        let rows = vec![
            json!({"id": "1", "acctnumber": "1000", "fullname": "Checking", "accttype": "Bank"}),
            json!({"id": "54", "fullname": "Cost of Goods Sold", "accttype": "COGS"}),
            json!({"id": "60", "fullname": "Office Supplies", "accttype": "Expense"}),
            json!({"id": "58", "accountsearchdisplayname": "Inventory Adjustment", "accttype": "OthExpense", "isinactive": "F"}),
            json!({"id": "59", "fullname": "Old Inventory Adjustments", "accttype": "Expense", "isinactive": "T"}),
        ];
        assert_eq!(choose_adjustment_account(&rows).as_deref(), Some("58"));
        assert_eq!(choose_adjustment_account(&rows[..3]).as_deref(), Some("54"));
        assert_eq!(choose_adjustment_account(&rows[..1]), None);
        assert_eq!(
            choose_adjustment_account(&[
                json!({"id": 7, "name": "Adjustments"}),
                json!({"id": "3", "name": "adjust"})
            ])
            .as_deref(),
            Some("3")
        );
        assert_eq!(
            choose_adjustment_account(&[json!("x"), json!({"id": "a1", "name": "adjust"})]),
            None
        );
    }

    #[test]
    fn subsidiaries_of_a_location() {
        assert_eq!(
            location_subsidiaries(&json!({"subsidiary": {"id": "2", "refName": "EU"}})),
            ["2"]
        );
        assert_eq!(
            location_subsidiaries(
                &json!({"subsidiary": {"links": [], "items": [{"id": 3}, {"id": "1"}]}})
            ),
            ["3", "1"]
        );
        assert!(location_subsidiaries(&json!({"name": "Main"})).is_empty());
    }
}
