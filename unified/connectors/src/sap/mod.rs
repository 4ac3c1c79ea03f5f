//! SAP S/4HANA connector: OData v2 services of SAP Gateway, Cloud or on-premise.
//!
//! Purchase orders (`API_PURCHASEORDER_PROCESS_SRV`) are read incrementally by their
//! `LastChangeDateTime` and created by deep insert. Work orders (`API_MAINTENANCEORDER;v=0002`,
//! module `work_order`) and assets (`API_EQUIPMENT`, module `asset`) are read incrementally the
//! same way, created, updated, and work orders move status through SAP's function imports.
//! Purchase orders are also updated and deleted (SAP's deletion code), module
//! `purchase_order`. Vendors are suppliers of `API_BUSINESS_PARTNER` (module `vendor`), read
//! incrementally by the partner's `LastChangeDate` + `LastChangeTime`, created and updated.
//! Inventory is the stock of `API_MATERIAL_STOCK_SRV` (module `inventory`), read as a whole
//! snapshot each time since stock has no change stamp, and adjusted by goods movements through
//! `API_MATERIAL_DOCUMENT_SRV`.
//!
//! Inner shape, the same for every system:
//! - `client`: service URLs, query options, keyset paging, CSRF, error decoding; `resume`: the
//!   cursors of the reads `client` does not page itself; `version`: ETags and `If-Match`;
//!   `created`: the key and the read-back after a create;
//! - `auth`: Basic or OAuth 2.0 client credentials;
//! - `wire`: the native JSON shapes (`/Date(…)/`, decimal strings, navigations);
//! - `mapping` (shared) and `<entity>/mapping`: native ⇄ canonical, with the status rules.
//!
//! # Configuration
//! - `base_url`: the host root (`https://myNNNNNN-api.s4hana.cloud.sap`, `http://127.0.0.1:PORT`);
//!   a path prefix is kept (`https://sandbox.api.sap.com/s4hanacloud`).
//! - `credentials`: `username` + `password` (Basic, used whenever both are given), or
//!   `client_id` + `client_secret` + `token_url` (OAuth 2.0 client credentials).
//! - `settings` (all optional; other keys are ignored):
//!   - `sap_client`: the three-digit client (`"100"`), sent as `sap-client` on every request;
//!   - `purchase_order_type`: `PurchaseOrderType` of new purchase orders, default `NB`;
//!   - `company_code`: `CompanyCode` when the new order names no `company`;
//!   - `purchasing_organization`, `purchasing_group`: sent on new orders when set. Without them
//!     SAP derives or demands them itself, and its refusal comes back as `Rejected`.
//!
//!   The four write defaults can be overridden per order through `remote_fields`.
//!   - `maintenance_order_type`: `MaintenanceOrderType` of new work orders without a
//!     `work_type`, default `PM01`;
//!   - `maintenance_planning_plant`: `MaintenancePlanningPlant` of new work orders without a
//!     `site`;
//!   - `main_work_center`, `main_work_center_plant`: `MainWorkCenter` and `MainWorkCenterPlant`
//!     of new work orders (SAP derives them from the equipment when absent);
//!   - `equipment_category`: `EquipmentCategory` of new assets, default `M`;
//!   - `business_partner_grouping`: `BusinessPartnerGrouping` of new vendors (SAP's default
//!     grouping without it); new vendors also take `purchasing_organization` (where their
//!     currency and payment terms go) and `company_code` from the settings above.
//!
//!   These too can be overridden per record through `remote_fields`.

mod asset;
mod auth;
mod client;
mod created;
mod inventory;
mod lost;
mod mapping;
mod purchase_order;
mod resume;
mod vendor;
mod version;
mod wire;
mod work_order;

use crate::{
    Capabilities, ChangeTracking, Connector, ConnectorConfig, ConnectorError, EntityCapability,
    Operation, Page, PageQuery, SourceInfo, config, http,
    resilience::{Health, Resilience, ResilienceSettings},
};
use async_trait::async_trait;
use auth::Auth;
use client::{PURCHASE_ORDERS, SapClient, Service};
use created::{created_key, read_back};
use mw_model::{Entity, FieldError, NewRecord, RemoteRecord, System};
use purchase_order::mapping::PurchaseOrderDefaults;
use reqwest::Url;
use serde_json::Value;

/// Requests in flight per connection: SAP Gateway has no published limit, so a polite ceiling
/// (setting `max_in_flight`).
const MAX_IN_FLIGHT: usize = 8;

/// A connection to one SAP S/4HANA system.
pub struct SapConnector {
    client: SapClient,
    purchase_order_defaults: PurchaseOrderDefaults,
    work_order_defaults: work_order::mapping::WorkOrderDefaults,
    asset_defaults: asset::mapping::AssetDefaults,
    supplier_defaults: vendor::SupplierDefaults,
    capabilities: Capabilities,
}

/// The settings this connector reads from `$.settings`.
#[derive(Default)]
struct Settings {
    sap_client: Option<String>,
    purchase_order_defaults: PurchaseOrderDefaults,
    work_order_defaults: work_order::mapping::WorkOrderDefaults,
    asset_defaults: asset::mapping::AssetDefaults,
    supplier_defaults: vendor::SupplierDefaults,
}

impl SapConnector {
    /// Checks the configuration and builds the connector without contacting SAP. Every problem
    /// is reported at once, as [`ConnectorError::InvalidConfig`] with JSON paths.
    pub fn new(config: ConnectorConfig) -> Result<Self, ConnectorError> {
        let mut errors = Vec::new();
        let base = parse_base_url(&config.base_url)
            .map_err(|e| errors.push(e))
            .ok();
        let settings = Settings::read(&config.settings)
            .map_err(|e| errors.extend(e))
            .ok();
        // Credentials are checked even when the base URL is unusable, so that every problem
        // shows in one answer; a token URL path then resolves against a stand-in host.
        let auth_base = base
            .clone()
            .or_else(|| Url::parse("http://base-url.invalid/").ok());
        let auth = auth_base.as_ref().and_then(|base| {
            let sap_client = settings.as_ref().and_then(|s| s.sap_client.as_deref());
            Auth::from_credentials(&config.credentials, base, sap_client)
                .map_err(|e| errors.extend(e))
                .ok()
        });
        let resilience = ResilienceSettings::read(&config.settings, MAX_IN_FLIGHT)
            .map_err(|e| errors.extend(e))
            .ok();
        let (Some(base), Some(settings), Some(auth), Some(resilience)) =
            (base, settings, auth, resilience)
        else {
            return Err(ConnectorError::InvalidConfig(errors));
        };
        if !errors.is_empty() {
            return Err(ConnectorError::InvalidConfig(errors));
        }
        let http = http::client(&resilience.http(&config.http))?;
        Ok(SapConnector {
            client: SapClient::new(
                http,
                &base,
                settings.sap_client,
                auth,
                Resilience::new(resilience),
            ),
            purchase_order_defaults: settings.purchase_order_defaults,
            work_order_defaults: settings.work_order_defaults,
            asset_defaults: settings.asset_defaults,
            supplier_defaults: settings.supplier_defaults,
            capabilities: capabilities(),
        })
    }

    async fn get_purchase_order(&self, number: &str) -> Result<RemoteRecord, ConnectorError> {
        let d = self.client.get_entity(&PURCHASE_ORDERS, number).await?;
        purchase_order::mapping::purchase_order_record(d)
    }

    async fn create_purchase_order(
        &self,
        po: &mw_model::NewPurchaseOrder,
    ) -> Result<RemoteRecord, ConnectorError> {
        let payload =
            purchase_order::mapping::purchase_order_payload(po, &self.purchase_order_defaults)
                .map_err(ConnectorError::Invalid)?;
        let same = |record: &RemoteRecord| lost::is_order(po, record);
        let created = lost::create(
            &self.client,
            &payload,
            lost::purchase_order_lookup(po, &same),
        );
        let (headers, created) = match created.await? {
            lost::Created::Answered(headers, d) => (headers, d),
            lost::Created::Found(record) => return Ok(*record),
        };
        let number = created_key(
            created.as_ref(),
            "PurchaseOrder",
            || client::key_from_location(&headers, PURCHASE_ORDERS.name),
            "a purchase order",
        )?;
        tracing::info!(system = client::SYSTEM, purchase_order = %number, "purchase order created");
        // The create answer carries the same document only when SAP echoed the deep insert.
        let echoed = created.filter(|d| {
            d.get("to_PurchaseOrderItem")
                .is_some_and(|items| items.is_array() || items.get("results").is_some())
        });
        read_back(
            self.get_purchase_order(&number),
            echoed,
            purchase_order::mapping::purchase_order_record,
            |e| {
                tracing::warn!(system = client::SYSTEM, purchase_order = %number, error = %e,
                    "reading the created purchase order back failed; using the create answer");
            },
        )
        .await
    }
}

#[async_trait]
impl Connector for SapConnector {
    fn system(&self) -> System {
        System::Sap
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
        let headers = self.client.service_document(Service::PurchaseOrder).await?;
        Ok(SourceInfo {
            now: http::source_date(&headers),
        })
    }

    async fn read_page(&self, entity: Entity, query: &PageQuery) -> Result<Page, ConnectorError> {
        match entity {
            Entity::PurchaseOrders => {
                self.client
                    .read_changes(
                        &PURCHASE_ORDERS,
                        query,
                        purchase_order::mapping::purchase_order_record,
                    )
                    .await
            }
            Entity::WorkOrders => work_order::read_page(&self.client, query).await,
            Entity::Assets => asset::read_page(&self.client, query).await,
            Entity::Inventory => self.read_inventory(query).await,
            Entity::Vendors => self.read_vendors(query).await,
        }
    }

    async fn get(&self, entity: Entity, remote_id: &str) -> Result<RemoteRecord, ConnectorError> {
        match entity {
            // No SAP document has a blank number; asking would only earn a 400 about the URL.
            Entity::PurchaseOrders if remote_id.trim().is_empty() => {
                Err(ConnectorError::NotFound(None))
            }
            Entity::PurchaseOrders => self.get_purchase_order(remote_id).await,
            Entity::WorkOrders => work_order::get(&self.client, remote_id).await,
            Entity::Assets => asset::get(&self.client, remote_id).await,
            Entity::Inventory => self.get_inventory(remote_id).await,
            Entity::Vendors => self.get_vendor(remote_id).await,
        }
    }

    async fn create(&self, record: &NewRecord) -> Result<RemoteRecord, ConnectorError> {
        match record {
            NewRecord::PurchaseOrder(po) => self.create_purchase_order(po).await,
            NewRecord::WorkOrder(wo) => {
                work_order::create(&self.client, &self.work_order_defaults, wo).await
            }
            NewRecord::Asset(asset) => {
                asset::create(&self.client, &self.asset_defaults, asset).await
            }
            NewRecord::Vendor(vendor) => self.create_vendor(vendor).await,
            NewRecord::InventoryAdjustment(adjustment) => self.adjust_inventory(adjustment).await,
        }
    }

    async fn update(
        &self,
        remote_id: &str,
        patch: &mw_model::RecordPatch,
        expected_version: Option<&str>,
    ) -> Result<RemoteRecord, ConnectorError> {
        match patch {
            mw_model::RecordPatch::WorkOrder(changes) => {
                work_order::update(&self.client, remote_id, changes, expected_version).await
            }
            mw_model::RecordPatch::Asset(changes) => {
                asset::update(&self.client, remote_id, changes, expected_version).await
            }
            mw_model::RecordPatch::PurchaseOrder(changes) => {
                self.update_purchase_order(remote_id, changes, expected_version)
                    .await
            }
            mw_model::RecordPatch::Vendor(changes) => {
                self.update_vendor(remote_id, changes, expected_version)
                    .await
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
                self.delete_purchase_order(remote_id, expected_version)
                    .await
            }
            Entity::Vendors => Err(ConnectorError::NotSupported {
                what: "deleting an SAP supplier (business partners are not deletable; block \
                       the supplier in SAP instead)"
                    .into(),
            }),
            Entity::Inventory => Err(ConnectorError::NotSupported {
                what: "deleting SAP stock (stock changes only through goods movements: post an \
                       adjustment)"
                    .into(),
            }),
            Entity::WorkOrders => Err(ConnectorError::NotSupported {
                what: "deleting an SAP maintenance order (SAP does not delete them; cancel it \
                       with a status change to `cancelled`, which sets the deletion flag)"
                    .into(),
            }),
            Entity::Assets => Err(ConnectorError::NotSupported {
                what: "deleting SAP equipment (API_EQUIPMENT does not delete or flag equipment)"
                    .into(),
            }),
        }
    }

    async fn change_status(
        &self,
        entity: Entity,
        remote_id: &str,
        change: &mw_model::StatusChange,
    ) -> Result<RemoteRecord, ConnectorError> {
        match entity {
            Entity::WorkOrders => work_order::change_status(&self.client, remote_id, change).await,
            other => Err(ConnectorError::NotSupported {
                what: format!("changing the status of {other} in SAP"),
            }),
        }
    }
}

/// What this connector does today, per entity.
fn capabilities() -> Capabilities {
    Capabilities {
        entities: vec![
            purchase_order::capability(),
            EntityCapability {
                entity: Entity::WorkOrders,
                read: true,
                change_tracking: ChangeTracking::Timestamp,
                operations: vec![
                    Operation::Create,
                    Operation::Update,
                    Operation::UpdateStatus,
                ],
                // API_MAINTENANCEORDER;v=0002 declares no ETag on MaintenanceOrder.
                optimistic_concurrency: false,
                note: Some(
                    "SAP maintenance orders cannot be deleted: cancel with a status change to \
                     `cancelled` (deletion flag DLFL). Status targets: requested (only before \
                     release), in_progress, completed, closed, cancelled; approved, scheduled and \
                     on_hold have no SAP system status. The long text (`description`) is not \
                     read or written. No ETag, so updates are last-writer-wins."
                        .into(),
                ),
            },
            EntityCapability {
                entity: Entity::Assets,
                read: true,
                change_tracking: ChangeTracking::Timestamp,
                operations: vec![Operation::Create, Operation::Update],
                // API_EQUIPMENT declares no ETag on Equipment.
                optimistic_concurrency: false,
                note: Some(
                    "SAP equipment cannot be deleted through API_EQUIPMENT. `location` \
                     (FunctionalLocation) changes only by installing the equipment, which this \
                     connector does not do. No ETag, so updates are last-writer-wins."
                        .into(),
                ),
            },
            inventory::capability(),
            vendor::capability(),
        ],
    }
}

fn parse_base_url(text: &str) -> Result<Url, FieldError> {
    config::base_url(
        text,
        "must be the host root without a query; give the SAP client as the `sap_client` setting",
    )
}

impl Settings {
    fn read(settings: &Value) -> Result<Settings, Vec<FieldError>> {
        let fields = match settings {
            Value::Null => return Ok(Settings::default()),
            Value::Object(fields) => fields,
            _ => return Err(vec![FieldError::new("$.settings", "must be an object")]),
        };
        let mut errors = Vec::new();
        let mut code = |name: &str, max: usize| code_setting(fields, name, max, &mut errors);
        let purchase_order_type = code("purchase_order_type", 4);
        let company_code = code("company_code", 4);
        let purchasing_organization = code("purchasing_organization", 4);
        let purchasing_group = code("purchasing_group", 3);
        let supplier_defaults = vendor::SupplierDefaults {
            grouping: code("business_partner_grouping", 4),
            purchasing_organization: purchasing_organization.clone(),
            company_code: company_code.clone(),
        };
        let work_order_defaults = work_order_defaults(fields, &mut errors);
        let asset_defaults = asset::mapping::AssetDefaults {
            equipment_category: code_setting(fields, "equipment_category", 1, &mut errors)
                .unwrap_or_else(|| asset::mapping::AssetDefaults::default().equipment_category),
        };
        let sap_client = match fields.get("sap_client") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) => {
                Some(s.clone())
            }
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 999) => {
                n.as_u64().map(|n| format!("{n:03}"))
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "$.settings.sap_client",
                    "must be a three-digit SAP client such as \"100\"",
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let defaults = PurchaseOrderDefaults::default();
        Ok(Settings {
            sap_client,
            purchase_order_defaults: PurchaseOrderDefaults {
                purchase_order_type: purchase_order_type.unwrap_or(defaults.purchase_order_type),
                company_code,
                purchasing_organization,
                purchasing_group,
            },
            work_order_defaults,
            asset_defaults,
            supplier_defaults,
        })
    }
}

/// A settings value that is an SAP code of at most `max` characters; blank or absent is `None`,
/// anything else is an error at `$.settings.<name>`.
fn code_setting(
    fields: &serde_json::Map<String, Value>,
    name: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match fields.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.trim().chars().count() <= max => Some(s.trim().to_owned()),
        Some(_) => {
            errors.push(FieldError::new(
                format!("$.settings.{name}"),
                format!("must be an SAP code of at most {max} characters"),
            ));
            None
        }
    }
}

/// The work-order write defaults of the settings.
fn work_order_defaults(
    fields: &serde_json::Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> work_order::mapping::WorkOrderDefaults {
    let defaults = work_order::mapping::WorkOrderDefaults::default();
    work_order::mapping::WorkOrderDefaults {
        maintenance_order_type: code_setting(fields, "maintenance_order_type", 4, errors)
            .unwrap_or(defaults.maintenance_order_type),
        maintenance_planning_plant: code_setting(fields, "maintenance_planning_plant", 4, errors),
        main_work_center: code_setting(fields, "main_work_center", 8, errors),
        main_work_center_plant: code_setting(fields, "main_work_center_plant", 4, errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{config, invalid_paths};
    use mw_model::EntityData;
    use serde_json::json;

    #[test]
    fn every_configuration_problem_is_reported_at_once() {
        let paths = invalid_paths(SapConnector::new(config(
            "ftp://sap",
            json!({"username": "u"}),
            json!({"sap_client": "1000", "purchasing_group": "TOOLONG"}),
        )));
        assert_eq!(
            paths,
            [
                "$.base_url",
                "$.settings.purchasing_group",
                "$.settings.sap_client",
                "$.credentials.password"
            ]
        );
        let paths = invalid_paths(SapConnector::new(config(
            "https://my100001-api.s4hana.cloud.sap",
            json!({"username": "u", "password": ""}),
            json!(null),
        )));
        assert_eq!(paths, ["$.credentials.password"]);
        let paths = invalid_paths(SapConnector::new(config(
            "https://h?sap-client=100",
            json!({"username": "u", "password": "p"}),
            json!({}),
        )));
        assert_eq!(paths, ["$.base_url"]);
    }

    #[test]
    fn settings_and_their_defaults() {
        let s = Settings::read(&json!({"sap_client": 100, "company_code": "1710",
            "initial_lookback_days": 30}))
        .ok()
        .unwrap();
        assert_eq!(s.sap_client.as_deref(), Some("100"));
        assert_eq!(s.purchase_order_defaults.purchase_order_type, "NB");
        assert_eq!(
            s.purchase_order_defaults.company_code.as_deref(),
            Some("1710")
        );
        let s = Settings::read(&json!({"sap_client": 7})).ok().unwrap();
        assert_eq!(s.sap_client.as_deref(), Some("007"));
        assert_eq!(s.work_order_defaults.maintenance_order_type, "PM01");
        assert_eq!(s.asset_defaults.equipment_category, "M");
        let s = Settings::read(&json!({"maintenance_order_type": "PM02",
            "maintenance_planning_plant": "1710", "main_work_center": "RES-0100",
            "equipment_category": "Q"}))
        .ok()
        .unwrap();
        assert_eq!(s.work_order_defaults.maintenance_order_type, "PM02");
        assert_eq!(
            s.work_order_defaults.maintenance_planning_plant.as_deref(),
            Some("1710")
        );
        assert_eq!(
            s.work_order_defaults.main_work_center.as_deref(),
            Some("RES-0100")
        );
        assert_eq!(s.asset_defaults.equipment_category, "Q");
        let errors = Settings::read(&json!({"main_work_center": "TOO-LONG-9",
            "equipment_category": "MM"}))
        .err()
        .unwrap();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.settings.main_work_center",
                "$.settings.equipment_category"
            ]
        );
    }

    #[test]
    fn capabilities_tell_the_truth() {
        let caps = capabilities();
        assert_eq!(caps.readable().collect::<Vec<_>>(), Entity::ALL);
        for op in [Operation::Create, Operation::Update, Operation::Delete] {
            assert!(caps.supports(Entity::PurchaseOrders, op), "{op:?}");
        }
        assert!(caps.supports(Entity::Vendors, Operation::Create));
        assert!(caps.supports(Entity::Vendors, Operation::Update));
        assert!(!caps.supports(Entity::Vendors, Operation::Delete));
        let inventory = caps.entity(Entity::Inventory).unwrap();
        assert_eq!(inventory.change_tracking, ChangeTracking::Snapshot);
        assert_eq!(inventory.operations, [Operation::Adjust]);
        for entity in [Entity::PurchaseOrders, Entity::Inventory, Entity::Vendors] {
            let c = caps.entity(entity).unwrap();
            assert!(!c.optimistic_concurrency && c.note.is_some(), "{entity}");
        }
        for op in [
            Operation::Create,
            Operation::Update,
            Operation::UpdateStatus,
        ] {
            assert!(caps.supports(Entity::WorkOrders, op), "{op:?}");
        }
        assert!(!caps.supports(Entity::WorkOrders, Operation::Delete));
        assert!(caps.supports(Entity::Assets, Operation::Update));
        assert!(!caps.supports(Entity::Assets, Operation::Delete));
        assert!(!caps.supports(Entity::Assets, Operation::UpdateStatus));
        for entity in [Entity::WorkOrders, Entity::Assets] {
            let c = caps.entities.iter().find(|c| c.entity == entity).unwrap();
            assert!(!c.optimistic_concurrency && c.note.is_some(), "{entity}");
        }
    }

    #[test]
    fn records_carry_purchase_orders() {
        // The mapping returns purchase-order data for the purchase-order entity.
        let raw: Value = serde_json::from_str(include_str!(
            "../../../../fixtures/protocol/sap/purchase_orders_page.json"
        ))
        .unwrap();
        let record =
            purchase_order::mapping::purchase_order_record(raw["d"]["results"][0].clone()).unwrap();
        assert!(matches!(record.data, EntityData::PurchaseOrder(_)));
        assert_eq!(record.entity(), Entity::PurchaseOrders);
    }
}
