//! IBM Maximo connector: the REST/OSLC JSON API of Maximo 7.6 and Maximo Manage (MAS 8/9).
//!
//! Work orders (`mxapiwodetail`, module `work_order`), assets (`mxapiasset`, `asset`), purchase
//! orders (`mxapipo`, `purchase_order`) and vendors (`mxapivendor`, `vendor`) are read
//! incrementally by `changedate`; inventory (`mxapiinventory`, `inventory`) has no change stamp
//! and is read as a snapshot. Writes: work orders, assets, purchase orders and vendors are
//! created and updated (merges under the `_rowstamp`, `If-Match`); work orders move through
//! `changeStatus`; deletes are what Maximo does instead (work orders and purchase orders are
//! cancelled, assets decommissioned through `changeStatus`, companies disabled); inventory is
//! adjusted (`adjustCurrentBalance`). Every write carries a `transactionid` (see `txn`) so that
//! a repeat of a write whose answer was lost is never applied twice.
//!
//! Inner shape, the same for every system:
//! - `client`: URLs, rest ids, requests, error decoding; `keyset`: paging and resume cursors;
//!   `txn`: transaction ids and the write flows;
//! - `auth`: `apikey` or `maxauth`;
//! - `wire`: the native JSON shapes (envelope, error body, numbers and dates);
//! - `mapping` (shared) and `<entity>/mapping`: native ⇄ canonical, with the status rules.
//!
//! No retry loop of its own: neither auth mode has a session or token to renew, and Maximo has no
//! routine throttling. Every request goes through the connection's resilience layer
//! (`crate::resilience`); writes count as safe to repeat there, since they carry a
//! `transactionid` (see `txn`).
//!
//! # Configuration
//! - `base_url`: the host root (`https://maximo.example.com`, `http://127.0.0.1:PORT`); a path
//!   prefix is kept, and one ending in `/maximo` is used as the context root.
//! - `credentials`: `apikey` (header `apikey`, used whenever given), else `username` +
//!   `password` (header `maxauth`).
//! - `settings` (all optional; other keys are ignored):
//!   - `route`: `api` (default, `/maximo/api`) or `oslc` (`/maximo/oslc`);
//!   - `siteid`: the site of new work orders and assets that name none, and of new purchase
//!     orders (without it Maximo uses the user's default insert site);
//!   - `orgid`: the organisation of new vendors;
//!   - `company_type`: the `type` of new companies, default `V`.
//!
//!   `remote_fields` of a write override them.

mod asset;
mod auth;
mod client;
mod inventory;
mod keyset;
mod mapping;
mod purchase_order;
mod txn;
mod vendor;
mod wire;
mod work_order;

use crate::{
    Capabilities, Connector, ConnectorConfig, ConnectorError, Page, PageQuery, SourceInfo, http,
    resilience::{Health, Resilience, ResilienceSettings},
};
use async_trait::async_trait;
use auth::Auth;
use client::{MaximoClient, Route};
use mapping::Defaults;
use mw_model::{Entity, FieldError, NewRecord, RecordPatch, RemoteRecord, StatusChange, System};
use serde_json::Value;

/// Requests in flight per connection: Maximo publishes no limit, so a polite ceiling (setting
/// `max_in_flight`).
const MAX_IN_FLIGHT: usize = 8;

/// A connection to one Maximo.
pub struct MaximoConnector {
    client: MaximoClient,
    defaults: Defaults,
    capabilities: Capabilities,
}

/// The settings this connector reads from `$.settings`.
struct Settings {
    route: Route,
    defaults: Defaults,
}

impl MaximoConnector {
    /// Checks the configuration and builds the connector without contacting Maximo. Every
    /// problem is reported at once, as [`ConnectorError::InvalidConfig`] with JSON paths.
    pub fn new(config: ConnectorConfig) -> Result<Self, ConnectorError> {
        let mut errors = Vec::new();
        let settings = Settings::read(&config.settings)
            .map_err(|e| errors.extend(e))
            .ok();
        let route = settings.as_ref().map(|s| s.route).unwrap_or_default();
        let root = client::api_root(&config.base_url, route)
            .map_err(|e| errors.insert(0, e))
            .ok();
        let auth = Auth::from_credentials(&config.credentials)
            .map_err(|e| errors.extend(e))
            .ok();
        let resilience = ResilienceSettings::read(&config.settings, MAX_IN_FLIGHT)
            .map_err(|e| errors.extend(e))
            .ok();
        let (Some(settings), Some(root), Some(auth), Some(resilience), true) =
            (settings, root, auth, resilience, errors.is_empty())
        else {
            return Err(ConnectorError::InvalidConfig(errors));
        };
        let http = http::client(&resilience.http(&config.http))?;
        Ok(MaximoConnector {
            client: MaximoClient::new(http, root, auth, Resilience::new(resilience)),
            defaults: settings.defaults,
            capabilities: capabilities(),
        })
    }
}

#[async_trait]
impl Connector for MaximoConnector {
    fn system(&self) -> System {
        System::Maximo
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

    /// `GET …/os/mxapiwodetail?lean=1&oslc.select=wonum&oslc.pageSize=1`: the cheapest
    /// authenticated request, whose `Date` is the source's clock.
    async fn verify(&self) -> Result<SourceInfo, ConnectorError> {
        let url = self.client.url(
            work_order::WORK_ORDERS.name,
            None,
            &[
                ("oslc.select", "wonum".to_owned()),
                ("oslc.pageSize", "1".to_owned()),
            ],
        )?;
        let (headers, _) = self.client.get_json(&url).await?;
        Ok(SourceInfo {
            now: http::source_date(&headers),
        })
    }

    async fn read_page(&self, entity: Entity, query: &PageQuery) -> Result<Page, ConnectorError> {
        match entity {
            Entity::WorkOrders => work_order::read_page(&self.client, query).await,
            Entity::Assets => asset::read_page(&self.client, query).await,
            Entity::Inventory => inventory::read_page(&self.client, query).await,
            Entity::PurchaseOrders => purchase_order::read_page(&self.client, query).await,
            Entity::Vendors => vendor::read_page(&self.client, query).await,
        }
    }

    async fn get(&self, entity: Entity, remote_id: &str) -> Result<RemoteRecord, ConnectorError> {
        match entity {
            Entity::WorkOrders => work_order::get(&self.client, remote_id).await,
            Entity::Assets => asset::get(&self.client, remote_id).await,
            Entity::Inventory => inventory::get(&self.client, remote_id).await,
            Entity::PurchaseOrders => purchase_order::get(&self.client, remote_id).await,
            Entity::Vendors => vendor::get(&self.client, remote_id).await,
        }
    }

    async fn create(&self, record: &NewRecord) -> Result<RemoteRecord, ConnectorError> {
        match record {
            NewRecord::WorkOrder(order) => {
                work_order::create(&self.client, &self.defaults, order).await
            }
            NewRecord::Asset(asset) => asset::create(&self.client, &self.defaults, asset).await,
            NewRecord::PurchaseOrder(po) => {
                purchase_order::create(&self.client, &self.defaults, po).await
            }
            NewRecord::Vendor(vendor) => vendor::create(&self.client, &self.defaults, vendor).await,
            NewRecord::InventoryAdjustment(adjustment) => {
                inventory::adjust(&self.client, adjustment).await
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
            RecordPatch::Asset(changes) => {
                asset::update(&self.client, remote_id, changes, expected_version).await
            }
            RecordPatch::WorkOrder(changes) => {
                work_order::update(&self.client, remote_id, changes, expected_version).await
            }
            RecordPatch::PurchaseOrder(changes) => {
                purchase_order::update(&self.client, remote_id, changes, expected_version).await
            }
            RecordPatch::Vendor(changes) => {
                vendor::update(&self.client, remote_id, changes, expected_version).await
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
            Entity::WorkOrders => work_order::cancel(&self.client, remote_id, expected_version)
                .await
                .map(Some),
            Entity::Vendors => vendor::disable(&self.client, remote_id, expected_version)
                .await
                .map(Some),
            Entity::Assets => asset::decommission(&self.client, remote_id, expected_version)
                .await
                .map(Some),
            Entity::Inventory => Err(not_supported(
                "deleting Maximo inventory (balances change through adjustments)",
            )),
            Entity::PurchaseOrders => {
                purchase_order::cancel(&self.client, remote_id, expected_version)
                    .await
                    .map(Some)
            }
        }
    }

    async fn change_status(
        &self,
        entity: Entity,
        remote_id: &str,
        change: &StatusChange,
    ) -> Result<RemoteRecord, ConnectorError> {
        match entity {
            Entity::WorkOrders => work_order::change_status(&self.client, remote_id, change).await,
            other => Err(ConnectorError::NotSupported {
                what: format!("changing the status of {other} in Maximo"),
            }),
        }
    }
}

fn not_supported(what: &str) -> ConnectorError {
    ConnectorError::NotSupported { what: what.into() }
}

/// What this connector does, per entity.
fn capabilities() -> Capabilities {
    Capabilities {
        entities: vec![
            purchase_order::capability(),
            work_order::capability(),
            asset::capability(),
            inventory::capability(),
            vendor::capability(),
        ],
    }
}

impl Settings {
    fn read(settings: &Value) -> Result<Settings, Vec<FieldError>> {
        let empty = serde_json::Map::new();
        let fields = match settings {
            Value::Null => &empty,
            Value::Object(fields) => fields,
            _ => {
                return Err(vec![FieldError::new("$.settings", "must be an object")]);
            }
        };
        let mut errors = Vec::new();
        let mut code = |name: &str, what: &str| -> Option<String> {
            match fields.get(name) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) if !s.contains(['"', '%']) => Some(s.trim().to_owned()),
                Some(_) => {
                    errors.push(FieldError::new(
                        format!("$.settings.{name}"),
                        format!("must be a Maximo {what} code"),
                    ));
                    None
                }
            }
        };
        let route = code("route", "route");
        let siteid = code("siteid", "site");
        let orgid = code("orgid", "organisation");
        let company_type = code("company_type", "company type");
        let route = match route.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("api") => Route::Api,
            Some("oslc") => Route::Oslc,
            Some(_) => {
                errors.push(FieldError::new(
                    "$.settings.route",
                    "must be `api` (/maximo/api) or `oslc` (/maximo/oslc)",
                ));
                Route::Api
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Settings {
            route,
            defaults: Defaults {
                siteid,
                orgid,
                company_type: company_type.unwrap_or_else(|| "V".into()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{config, invalid_paths};
    use crate::{ChangeTracking, Operation};
    use serde_json::json;

    #[test]
    fn every_configuration_problem_is_reported_at_once() {
        let paths = invalid_paths(MaximoConnector::new(config(
            "ftp://maximo",
            json!({"username": "wilson"}),
            json!({"route": "rest", "siteid": 7}),
        )));
        assert_eq!(
            paths,
            [
                "$.base_url",
                "$.settings.siteid",
                "$.settings.route",
                "$.credentials.password"
            ]
        );
        let paths = invalid_paths(MaximoConnector::new(config(
            "https://maximo.example.com",
            json!({}),
            json!("api"),
        )));
        assert_eq!(paths, ["$.settings", "$.credentials.apikey"]);
        assert!(
            MaximoConnector::new(config(
                "https://maximo.example.com",
                json!({"apikey": "k"}),
                json!({"initial_lookback_days": 30})
            ))
            .is_ok()
        );
    }

    #[test]
    fn settings_and_their_defaults() {
        let s = Settings::read(&json!(null)).ok().unwrap();
        assert_eq!(
            (s.route, s.defaults.company_type.as_str()),
            (Route::Api, "V")
        );
        let s = Settings::read(
            &json!({"route": "OSLC", "siteid": " BEDFORD ", "orgid": "EAGLENA",
            "company_type": "M"}),
        )
        .ok()
        .unwrap();
        assert_eq!(s.route, Route::Oslc);
        assert_eq!(
            s.defaults,
            Defaults {
                siteid: Some("BEDFORD".into()),
                orgid: Some("EAGLENA".into()),
                company_type: "M".into()
            }
        );
    }

    #[test]
    fn capabilities_tell_the_truth() {
        let caps = capabilities();
        assert_eq!(caps.readable().collect::<Vec<_>>(), Entity::ALL);
        assert!(caps.supports(Entity::WorkOrders, Operation::UpdateStatus));
        assert!(caps.supports(Entity::Inventory, Operation::Adjust));
        for entity in [
            Entity::WorkOrders,
            Entity::Assets,
            Entity::PurchaseOrders,
            Entity::Vendors,
        ] {
            for op in [Operation::Create, Operation::Update, Operation::Delete] {
                assert!(caps.supports(entity, op), "{entity} {op:?}");
            }
        }
        for entity in Entity::ALL {
            let c = caps.entity(entity).unwrap();
            assert!(c.note.is_some(), "{entity}");
            // Every entity that is updated is updated under its rowstamp.
            assert_eq!(
                c.optimistic_concurrency,
                c.operations.contains(&Operation::Update),
                "{entity}"
            );
            assert_eq!(
                c.change_tracking == ChangeTracking::Snapshot,
                entity == Entity::Inventory,
                "{entity}"
            );
        }
    }
}
