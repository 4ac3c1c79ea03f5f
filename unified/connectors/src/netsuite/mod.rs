//! Oracle NetSuite connector: SuiteTalk REST web services (record API and SuiteQL) with
//! token-based authentication.
//!
//! Purchase orders (`purchaseOrder`, module `purchase_order`) and vendors (`vendor`, module
//! `vendor`) are read incrementally by `lastModifiedDate`; purchase orders are created, changed
//! and deleted, vendors created, changed and retired (made inactive). Inventory (module `inventory`) is quantity on hand per inventory
//! item and location, read as a whole snapshot each time and adjusted with `inventoryAdjustment`
//! records. NetSuite has no maintenance work orders (its `workOrder` is a manufacturing order) and
//! no native fixed assets (the Fixed Assets SuiteApp keeps custom records): both are reported as
//! not readable, and every request for them answers `not_supported`.
//!
//! # Why SuiteQL for reads, and the record API for records
//! The record API lists only stubs (`id` + `links`), cannot be ordered, pages by offset, stops at
//! 100,000 results, and its `q` date filters depend on the account's date format. SuiteQL orders
//! and filters in one request, so the incremental reads ask SuiteQL which records changed, by
//! keyset on (`lastmodifieddate`, `id`) at offset 0 (no ceiling, no drift; see `suiteql`), and then
//! read each of those records through the record API with `expandSubResources=true`: one native
//! shape (the one writes read back, and `get` answers) with lines and references complete, rather
//! than rebuilding records from string-typed SuiteQL rows and joins. The record reads of a page
//! run concurrently, up to the concurrency limit. Writes go through the record API (`POST` → 204 +
//! `Location`, `PATCH`, `DELETE`), and a created record is read back by the id its `Location`
//! names.
//!
//! # Change stamps and clocks
//! `lastModifiedDate` is UTC, printed at minute precision by NetSuite (seconds `00`; reference
//! §1.3, §3.4): the record API's value is the record's `remote_updated_at`, unchanged, and keyset
//! positions use SuiteQL's rendering of the same column to the second. Coarse stamps are why the
//! keyset goes on to the id, and why the sync engine's overlap re-reads a few minutes. Watermarks
//! come from these stamps and lookbacks from the `Date` header (`verify`), both the source's data
//! clock; OAuth's `oauth_timestamp` is another matter and is signed with the local real clock
//! (see `auth`), which NetSuite and the emulator check against real time, ±300 s.
//!
//! # Concurrency
//! NetSuite limits requests in flight per account and refuses the excess with 429
//! `CONCURRENCY_LIMIT_EXCEEDED`. This connector never has more than `concurrency_limit` requests in
//! flight per connection, and waits out 429s with backoff and full jitter (see `governance`).
//!
//! Inner shape, as for every system: `client` (URLs, signing, governance, error decoding),
//! `auth` (TBA signatures), `governance` (the account's limit as resilience settings), `suiteql` (keyset
//! queries and cursors), `wire` (native JSON shapes), `reference` (currency, terms and subsidiary
//! ids), and per entity a module with its `mapping`.
//!
//! # Configuration
//! - `base_url`: the account's REST host (`https://<account>.suitetalk.api.netsuite.com`, sandbox
//!   `https://1234567-sb1.suitetalk.api.netsuite.com`) or the emulator's root; a path prefix is
//!   kept.
//! - `credentials`: token-based authentication with `account_id`, `consumer_key`,
//!   `consumer_secret`, `token_id`, `token_secret` (see `auth`), or OAuth 2.0 client credentials
//!   with `client_id`, `certificate_id`, `private_key` (see `oauth2`); other fields are ignored.
//! - `settings` (all optional; other keys are ignored):
//!   - `concurrency_limit`: requests in flight at most, 1–1000, default 5 (NetSuite's standard
//!     tier); set it to the share of the account's limit this integration may use;
//!   - `concurrency_retries`: how often a request refused with 429 is sent again, 0–20, default 8;
//!   - `adjustment_account`: internal id of the account inventory adjustments post to (found in
//!     the chart of accounts when absent);
//!   - `subsidiary`: internal id of the subsidiary of new vendors (and of adjustments at
//!     locations that name none);
//!   - `currencies`: ISO code → internal id of NetSuite currencies, `{"EUR": "4"}`, for writes
//!     where NetSuite's currency names do not tell the code.

mod auth;
mod client;
mod governance;
mod inventory;
mod oauth2;
mod purchase_order;
mod reference;
mod suiteql;
mod vendor;
mod wire;

use crate::{
    Capabilities, ChangeTracking, Connector, ConnectorConfig, ConnectorError, EntityCapability,
    Page, PageQuery, SourceInfo, config, http,
    resilience::{Health, Resilience},
};
use async_trait::async_trait;
use auth::Auth;
use client::NetsuiteClient;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use mw_model::{Entity, FieldError, NewRecord, RecordPatch, RemoteRecord, System};
use reference::References;
use reqwest::Url;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use suiteql::{Row, Table};

/// How often a record just written is read back before a passing failure counts, and the pause
/// before each retry (times the attempt).
const READ_BACK_ATTEMPTS: u32 = 3;
const READ_BACK_PAUSE: Duration = Duration::from_millis(200);

/// The body of a write, or every problem with it: the mapping's (`body`), then those found
/// resolving its references (`unresolved`), all at once.
fn body_or_invalid(
    body: Result<Value, Vec<FieldError>>,
    unresolved: Vec<FieldError>,
) -> Result<Value, ConnectorError> {
    match body {
        Ok(body) if unresolved.is_empty() => Ok(body),
        Ok(_) => Err(ConnectorError::Invalid(unresolved)),
        Err(mut problems) => {
            problems.extend(unresolved);
            Err(ConnectorError::Invalid(problems))
        }
    }
}

/// Reads a record just written (`what`, e.g. `vendor 647`, was `done`: created, updated) with
/// `read`, trying again briefly should the read itself fail in passing: the write is done, and
/// reporting a passing failure as its outcome would invite a retry. A read that keeps failing in
/// passing is [`ConnectorError::Unavailable`] saying that the write went through.
async fn read_back<F, Fut>(
    what: &str,
    done: &str,
    mut read: F,
) -> Result<RemoteRecord, ConnectorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<RemoteRecord, ConnectorError>>,
{
    let mut attempt = 1;
    loop {
        match read().await {
            Err(e) if e.is_transient() && attempt < READ_BACK_ATTEMPTS => {
                tokio::time::sleep(READ_BACK_PAUSE * attempt).await;
                attempt += 1;
            }
            Err(e) if e.is_transient() => {
                return Err(ConnectorError::Unavailable {
                    detail: format!(
                        "{what} was {done} in NetSuite, but reading it back failed: {e}"
                    ),
                    upstream: e.upstream().cloned(),
                });
            }
            other => return other,
        }
    }
}

/// A connection to one NetSuite account.
pub struct NetsuiteConnector {
    client: NetsuiteClient,
    settings: Settings,
    references: References,
    /// Whether a few vendors have been read to learn the account's reference data.
    sampled: tokio::sync::Mutex<bool>,
    /// The adjustment account found in the chart of accounts (held across its lookup, so that
    /// concurrent adjustments look once).
    adjustment_account: tokio::sync::Mutex<Option<String>>,
    /// The subsidiaries of each location adjusted at.
    location_subsidiaries: std::sync::Mutex<HashMap<String, Vec<String>>>,
    capabilities: Capabilities,
}

/// The settings this connector reads from `$.settings`.
#[derive(Debug, Default)]
struct Settings {
    concurrency_limit: Option<usize>,
    concurrency_retries: Option<u32>,
    adjustment_account: Option<String>,
    subsidiary: Option<String>,
    currencies: BTreeMap<String, String>,
}

impl Settings {
    fn read(settings: &Value) -> Result<Settings, Vec<FieldError>> {
        let fields = match settings {
            Value::Null => return Ok(Settings::default()),
            Value::Object(fields) => fields,
            _ => return Err(vec![FieldError::new("$.settings", "must be an object")]),
        };
        let mut errors = Vec::new();
        let mut whole = |name: &str, min: u64, max: u64| -> Option<u64> {
            let value = fields.get(name).filter(|v| !v.is_null())?;
            match value.as_u64() {
                Some(n) if (min..=max).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        format!("$.settings.{name}"),
                        format!("must be a whole number from {min} to {max}"),
                    ));
                    None
                }
            }
        };
        let concurrency_limit = whole("concurrency_limit", 1, 1000).map(|n| n as usize);
        let concurrency_retries = whole("concurrency_retries", 0, 20).map(|n| n as u32);
        let mut id = |name: &str| -> Option<String> {
            let text = match fields.get(name)? {
                Value::Null => return None,
                Value::String(s) if s.trim().is_empty() => return None,
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            if client::is_internal_id(&text) {
                Some(text)
            } else {
                errors.push(FieldError::new(
                    format!("$.settings.{name}"),
                    "must be a NetSuite internal id (digits)",
                ));
                None
            }
        };
        let adjustment_account = id("adjustment_account");
        let subsidiary = id("subsidiary");
        let mut currencies = BTreeMap::new();
        match fields.get("currencies") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (code, value) in map {
                    let id = match value {
                        Value::String(s) => s.trim().to_owned(),
                        Value::Number(n) => n.to_string(),
                        _ => String::new(),
                    };
                    let iso = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
                    if iso && client::is_internal_id(&id) {
                        currencies.insert(code.clone(), id);
                    } else {
                        errors.push(FieldError::new(
                            format!("$.settings.currencies.{code}"),
                            "must map an ISO 4217 code to a NetSuite internal id, e.g. {\"EUR\": \"4\"}",
                        ));
                    }
                }
            }
            Some(_) => errors.push(FieldError::new(
                "$.settings.currencies",
                "must be an object of ISO 4217 codes and NetSuite internal ids",
            )),
        }
        if errors.is_empty() {
            Ok(Settings {
                concurrency_limit,
                concurrency_retries,
                adjustment_account,
                subsidiary,
                currencies,
            })
        } else {
            Err(errors)
        }
    }
}

fn parse_base_url(text: &str) -> Result<Url, FieldError> {
    config::base_url(text, "must be the host root without a query")
}

impl NetsuiteConnector {
    /// Checks the configuration and builds the connector without contacting NetSuite. Every
    /// problem is reported at once, as [`ConnectorError::InvalidConfig`] with JSON paths.
    pub fn new(config: ConnectorConfig) -> Result<Self, ConnectorError> {
        let mut errors = Vec::new();
        let base = parse_base_url(&config.base_url)
            .map_err(|e| errors.push(e))
            .ok();
        let settings = Settings::read(&config.settings)
            .map_err(|e| errors.extend(e))
            .ok();
        let auth = Auth::from_credentials(&config.credentials)
            .map_err(|e| errors.extend(e))
            .ok();
        let resilience = settings.as_ref().and_then(|s| {
            governance::resilience_settings(
                &config.settings,
                s.concurrency_limit,
                s.concurrency_retries,
            )
            .map_err(|e| errors.extend(e))
            .ok()
        });
        let (Some(base), Some(settings), Some(auth), Some(resilience)) =
            (base, settings, auth, resilience)
        else {
            return Err(ConnectorError::InvalidConfig(errors));
        };
        let http = http::client(&resilience.http(&config.http))?;
        Ok(NetsuiteConnector {
            client: NetsuiteClient::new(http, &base, auth, Resilience::new(resilience)),
            references: References::new(settings.currencies.clone()),
            settings,
            sampled: tokio::sync::Mutex::new(false),
            adjustment_account: tokio::sync::Mutex::new(None),
            location_subsidiaries: std::sync::Mutex::new(HashMap::new()),
            capabilities: capabilities(),
        })
    }

    /// Runs `f` on the cache of location subsidiaries; the lock is never held across an await.
    fn location_subsidiaries<T>(
        &self,
        f: impl FnOnce(&mut HashMap<String, Vec<String>>) -> T,
    ) -> T {
        let mut guard = match self.location_subsidiaries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Reads the records of `rows` (sublists expanded), up to the concurrency limit at once, in
    /// the rows' order. A record gone since the rows were read is left out.
    async fn fetch_records(
        &self,
        record_type: &str,
        rows: &[Row],
    ) -> Result<Vec<(HeaderMap, Value)>, ConnectorError> {
        let ids: Vec<u64> = rows.iter().map(|row| row.id).collect();
        let fetched: Vec<Option<(HeaderMap, Value)>> = stream::iter(ids)
            .map(|id| self.fetch_record(record_type, id))
            .buffered(self.client.concurrency())
            .try_collect()
            .await?;
        Ok(fetched.into_iter().flatten().collect())
    }

    /// One record of [`Self::fetch_records`]; `None` when it is gone.
    async fn fetch_record(
        &self,
        record_type: &str,
        id: u64,
    ) -> Result<Option<(HeaderMap, Value)>, ConnectorError> {
        match self.client.get_record(record_type, &id.to_string()).await {
            Ok(found) => Ok(Some(found)),
            Err(ConnectorError::NotFound(_)) => {
                tracing::debug!(
                    system = client::SYSTEM,
                    record_type,
                    id,
                    "record gone since SuiteQL listed it"
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// One page of a change read: SuiteQL names the records, the record API reads them.
    async fn read_changed(
        &self,
        table: &Table,
        query: &PageQuery,
        map: fn(Value) -> Result<RemoteRecord, ConnectorError>,
    ) -> Result<Page, ConnectorError> {
        let rows = suiteql::read_changes(&self.client, table, query).await?;
        let mut records = Vec::with_capacity(rows.rows.len());
        for (_, raw) in self.fetch_records(table.record_type, &rows.rows).await? {
            self.references.learn(&raw);
            records.push(map(raw)?);
        }
        // Internal ids compare as numbers, the order SuiteQL pages them in.
        records.sort_by(|a, b| {
            (a.remote_updated_at, a.remote_id.len(), &a.remote_id).cmp(&(
                b.remote_updated_at,
                b.remote_id.len(),
                &b.remote_id,
            ))
        });
        Ok(Page {
            records,
            next: rows.next,
            total: rows.total,
        })
    }
}

/// Refuses a write conditional on a version: NetSuite has no record versions (no ETag), so the
/// condition could not be checked and the write would be blind.
fn unconditional(expected_version: Option<&str>, what: &str) -> Result<(), ConnectorError> {
    match expected_version {
        Some(_) => Err(ConnectorError::NotSupported {
            what: format!(
                "a conditional {what}: NetSuite has no record versions, so the expected version cannot be checked"
            ),
        }),
        None => Ok(()),
    }
}

/// Why an entity NetSuite lacks cannot be read or written.
fn missing(entity: Entity) -> Option<&'static str> {
    match entity {
        Entity::WorkOrders => Some(
            "NetSuite has no maintenance work orders: its workOrder record is a manufacturing (assembly build) order, and maintenance lives in custom records or SuiteApps, which this connector does not read",
        ),
        Entity::Assets => Some(
            "NetSuite has no native fixed-asset record: the Fixed Assets Management SuiteApp keeps assets as custom records (customrecord_ncfar_asset), which this connector does not read",
        ),
        _ => None,
    }
}

fn not_supported(what: String) -> ConnectorError {
    ConnectorError::NotSupported { what }
}

#[async_trait]
impl Connector for NetsuiteConnector {
    fn system(&self) -> System {
        System::Netsuite
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn begin_sync(&self) {
        self.client.resilience().begin_sync();
    }

    fn health(&self) -> Health {
        self.client.resilience().health()
    }

    async fn verify(&self) -> Result<SourceInfo, ConnectorError> {
        let headers = self.client.verify().await?;
        Ok(SourceInfo {
            now: http::source_date(&headers),
        })
    }

    async fn read_page(&self, entity: Entity, query: &PageQuery) -> Result<Page, ConnectorError> {
        match entity {
            Entity::PurchaseOrders => self.read_purchase_orders(query).await,
            Entity::Vendors => self.read_vendors(query).await,
            Entity::Inventory => self.read_inventory(query).await,
            Entity::WorkOrders | Entity::Assets => Err(not_supported(format!(
                "reading {entity} from NetSuite ({})",
                missing(entity).unwrap_or_default()
            ))),
        }
    }

    async fn get(&self, entity: Entity, remote_id: &str) -> Result<RemoteRecord, ConnectorError> {
        let id = remote_id.trim();
        match entity {
            Entity::PurchaseOrders => self.get_purchase_order(id).await,
            Entity::Vendors => self.get_vendor(id).await,
            Entity::Inventory => self.get_inventory(id).await,
            Entity::WorkOrders | Entity::Assets => Err(not_supported(format!(
                "reading {entity} from NetSuite ({})",
                missing(entity).unwrap_or_default()
            ))),
        }
    }

    async fn create(&self, record: &NewRecord) -> Result<RemoteRecord, ConnectorError> {
        match record {
            NewRecord::PurchaseOrder(po) => self.create_purchase_order(po).await,
            NewRecord::Vendor(vendor) => self.create_vendor(vendor).await,
            NewRecord::InventoryAdjustment(adjustment) => self.adjust_inventory(adjustment).await,
            NewRecord::WorkOrder(_) | NewRecord::Asset(_) => {
                let entity = record.entity();
                Err(not_supported(format!(
                    "creating {entity} in NetSuite ({})",
                    missing(entity).unwrap_or_default()
                )))
            }
        }
    }

    async fn update(
        &self,
        remote_id: &str,
        patch: &RecordPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        match patch {
            RecordPatch::PurchaseOrder(changes) => {
                self.update_purchase_order(remote_id.trim(), changes, expected_version)
                    .await
            }
            RecordPatch::Vendor(changes) => {
                self.update_vendor(remote_id.trim(), changes, expected_version)
                    .await
            }
            RecordPatch::WorkOrder(_) | RecordPatch::Asset(_) => {
                let entity = patch.entity();
                Err(not_supported(format!(
                    "updating {entity} in NetSuite ({})",
                    missing(entity).unwrap_or_default()
                )))
            }
        }
    }

    async fn delete(
        &self,
        entity: Entity,
        remote_id: &str,
        expected_version: Option<&str>,
    ) -> Result<Option<RemoteRecord>, ConnectorError> {
        match entity {
            Entity::PurchaseOrders => {
                self.delete_purchase_order(remote_id.trim(), expected_version)
                    .await
            }
            Entity::Vendors => {
                self.inactivate_vendor(remote_id.trim(), expected_version)
                    .await
            }
            Entity::Inventory => Err(not_supported(
                "deleting NetSuite stock (stock changes only through adjustments: post one)".into(),
            )),
            Entity::WorkOrders | Entity::Assets => Err(not_supported(format!(
                "deleting {entity} in NetSuite ({})",
                missing(entity).unwrap_or_default()
            ))),
        }
    }
}

/// What this connector does, per entity.
fn capabilities() -> Capabilities {
    let absent = |entity: Entity| EntityCapability {
        entity,
        read: false,
        change_tracking: ChangeTracking::Timestamp,
        operations: Vec::new(),
        optimistic_concurrency: false,
        note: missing(entity).map(str::to_owned),
    };
    Capabilities {
        entities: vec![
            purchase_order::capability(),
            absent(Entity::WorkOrders),
            absent(Entity::Assets),
            inventory::capability(),
            vendor::capability(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::test_support::{config, invalid_paths};
    use serde_json::json;

    fn credentials() -> Value {
        json!({"account_id": "1234567_SB1", "consumer_key": "ck", "consumer_secret": "cs",
            "token_id": "ti", "token_secret": "ts"})
    }

    #[test]
    fn every_configuration_problem_is_reported_at_once() {
        let paths = invalid_paths(NetsuiteConnector::new(config(
            "ftp://netsuite",
            json!({"account_id": "1"}),
            json!({"concurrency_limit": 0, "subsidiary": "Parent", "currencies": {"eur": "4", "USD": "x"}}),
        )));
        assert_eq!(
            paths,
            [
                "$.base_url",
                "$.settings.concurrency_limit",
                "$.settings.subsidiary",
                "$.settings.currencies.USD",
                "$.settings.currencies.eur",
                "$.credentials.consumer_key",
                "$.credentials.consumer_secret",
                "$.credentials.token_id",
                "$.credentials.token_secret",
            ]
        );
        let paths = invalid_paths(NetsuiteConnector::new(config(
            "https://1234567-sb1.suitetalk.api.netsuite.com?x=1",
            credentials(),
            json!([]),
        )));
        assert_eq!(paths, ["$.base_url", "$.settings"]);
    }

    #[test]
    fn settings_and_their_defaults() {
        let s = Settings::read(&json!({"initial_lookback_days": 30, "concurrency_limit": 3,
            "adjustment_account": 58, "subsidiary": " 1 ", "currencies": {"EUR": 4}}))
        .ok()
        .unwrap();
        assert_eq!(s.concurrency_limit, Some(3));
        assert_eq!(s.concurrency_retries, None);
        assert_eq!(s.adjustment_account.as_deref(), Some("58"));
        assert_eq!(s.subsidiary.as_deref(), Some("1"));
        assert_eq!(s.currencies.get("EUR").map(String::as_str), Some("4"));
        let s = Settings::read(&Value::Null).ok().unwrap();
        assert_eq!(s.concurrency_limit, None);
        assert!(
            NetsuiteConnector::new(config("http://127.0.0.1:9", credentials(), json!({}))).is_ok()
        );
    }

    #[test]
    fn capabilities_tell_the_truth() {
        let caps = capabilities();
        assert_eq!(
            caps.readable().collect::<Vec<_>>(),
            [Entity::PurchaseOrders, Entity::Inventory, Entity::Vendors]
        );
        for op in [Operation::Create, Operation::Update, Operation::Delete] {
            assert!(caps.supports(Entity::PurchaseOrders, op), "{op:?}");
            assert!(caps.supports(Entity::Vendors, op), "{op:?}");
        }
        assert_eq!(
            caps.entity(Entity::Inventory).unwrap().change_tracking,
            ChangeTracking::Snapshot
        );
        assert!(caps.supports(Entity::Inventory, Operation::Adjust));
        for entity in [Entity::WorkOrders, Entity::Assets] {
            let c = caps.entities.iter().find(|c| c.entity == entity).unwrap();
            assert!(
                !c.read && c.operations.is_empty() && c.note.is_some(),
                "{entity}"
            );
        }
        for c in &caps.entities {
            assert!(
                !c.optimistic_concurrency && c.note.is_some(),
                "{}",
                c.entity
            );
        }
    }
}
