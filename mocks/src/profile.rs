//! Volume profiles: how much data an emulator holds and how it pages.
//!
//! Profiles are TOML files in `fixtures/profiles/`. The built-in ones are embedded with
//! `include_str!` so a binary serves them without the source tree; any other file can be loaded
//! by path. The figures, together with a seed, fully determine the generated data.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::MockError;

const TINY: &str = include_str!("../../fixtures/profiles/tiny.toml");
const PLANT: &str = include_str!("../../fixtures/profiles/plant.toml");
const ENTERPRISE: &str = include_str!("../../fixtures/profiles/enterprise.toml");

/// A volume profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// Where the virtual clock starts; generated history ends here.
    pub clock_start: DateTime<Utc>,
    /// How far back generated records were created.
    pub history_days: u32,
    pub purchase_orders: PurchaseOrderVolume,
    pub maintenance_orders: MaintenanceOrderVolume,
    pub master_data: MasterDataVolume,
    pub sap: SapSettings,
    /// The Maximo emulator's volumes and settings (`[maximo]`).
    pub maximo: MaximoSettings,
    /// NetSuite emulator settings (`[netsuite]`; defaults when the table is absent).
    pub netsuite: NetSuiteSettings,
}

/// NetSuite emulator settings. Volumes of purchase orders, vendors (`master_data.suppliers`)
/// and inventory items (`master_data.materials`) are the profile's shared figures.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetSuiteSettings {
    /// Inventory locations (warehouses and plant stores) of the account.
    pub locations: u32,
    /// The account concurrency limit: requests in flight at once before 429
    /// `CONCURRENCY_LIMIT_EXCEEDED` (a Standard-tier account has 5).
    pub concurrency_limit: u32,
}

impl Default for NetSuiteSettings {
    fn default() -> Self {
        NetSuiteSettings {
            locations: 3,
            concurrency_limit: 5,
        }
    }
}

/// Maximo emulator volumes and settings (`[maximo]` in a profile). A profile without the table
/// gets [`MaximoSettings::default`], the figures of `tiny`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaximoSettings {
    /// Sites of the one organisation (`EAGLENA`), upper case, e.g. `["BEDFORD"]`.
    pub sites: Vec<String>,
    /// The server's fixed UTC offset (`-05:00`): dates are written with it and naive dates in
    /// `oslc.where` are read in it.
    pub utc_offset: String,
    /// Work orders in the generated history (tasks not counted).
    pub work_orders: u64,
    /// Tasks (`woactivity`) per work order, inclusive range `[min, max]`.
    pub tasks_per_work_order: [u32; 2],
    /// The longest time between a work order's report date and its last status change.
    pub work_order_max_change_delay_days: u32,
    pub assets: u32,
    pub locations: u32,
    pub items: u32,
    /// Storerooms per site (`CENTRAL`, `MAINT`, …).
    pub storerooms_per_site: u32,
    /// Share of items stocked in each storeroom, in percent: one INVENTORY record each.
    pub stocked_percent: u32,
    pub purchase_orders: u64,
    /// Lines (`poline`) per purchase order, inclusive range `[min, max]`.
    pub lines_per_purchase_order: [u32; 2],
    pub purchase_order_max_change_delay_days: u32,
    pub vendors: u32,
    /// Page size of a collection request without `oslc.pageSize` (the object structures'
    /// auto-paging threshold).
    pub default_page_size: u32,
    /// `mxe.oslc.maxpagesize`: larger `oslc.pageSize` values are served at this size.
    pub max_page_size: u32,
    /// How long a `transactionid` is remembered (the `OSLCTXN` escalation's window).
    pub transaction_id_retention_seconds: u64,
}

impl Default for MaximoSettings {
    fn default() -> Self {
        MaximoSettings {
            sites: vec![String::from("BEDFORD")],
            utc_offset: String::from("-05:00"),
            work_orders: 400,
            tasks_per_work_order: [0, 3],
            work_order_max_change_delay_days: 45,
            assets: 80,
            locations: 40,
            items: 60,
            storerooms_per_site: 2,
            stocked_percent: 75,
            purchase_orders: 150,
            lines_per_purchase_order: [1, 4],
            purchase_order_max_change_delay_days: 30,
            vendors: 25,
            default_page_size: 100,
            max_page_size: 1000,
            transaction_id_retention_seconds: 300,
        }
    }
}

impl MaximoSettings {
    /// Why these figures cannot be generated over `history_days`, if they cannot.
    fn check(&self, history_days: u32) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        if self.sites.is_empty() || self.sites.len() > 8 {
            return Err(String::from("maximo.sites must name 1 to 8 sites"));
        }
        for site in &self.sites {
            let valid = !site.is_empty()
                && site.len() <= 8
                && site
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !valid || !seen.insert(site.as_str()) {
                return Err(format!(
                    "maximo.sites: {site:?} must be unique, upper case letters and digits, at most 8"
                ));
            }
        }
        let offset_ok = chrono::DateTime::parse_from_rfc3339(&format!(
            "2000-01-01T00:00:00{}",
            self.utc_offset
        ))
        .is_ok();
        if !offset_ok || self.utc_offset.len() != 6 {
            return Err(String::from("maximo.utc_offset must look like -05:00"));
        }
        let seconds = u64::from(history_days) * 86_400;
        // Report dates and change dates have whole seconds: records must be two seconds apart.
        for (name, count) in [
            ("work_orders", self.work_orders),
            ("purchase_orders", self.purchase_orders),
            ("assets", u64::from(self.assets)),
            ("vendors", u64::from(self.vendors)),
        ] {
            if count == 0 || count > 9_000_000 || count.saturating_mul(2) > seconds {
                return Err(format!(
                    "maximo.{name} must be within 1..=9000000 and leave two seconds per record in history_days"
                ));
            }
        }
        let sites = u32::try_from(self.sites.len()).unwrap_or(u32::MAX);
        if self.locations < sites || self.assets < sites || self.locations > 9_000_000 {
            return Err(String::from(
                "maximo.assets and maximo.locations need at least one per site (locations at most 9000000)",
            ));
        }
        if !(1..=99_999).contains(&self.items) {
            return Err(String::from("maximo.items must be within 1..=99999"));
        }
        // Vendor codes are six letters and five digits (COMPANIES.COMPANY holds twelve).
        if self.vendors > 89_999 {
            return Err(String::from("maximo.vendors must be at most 89999"));
        }
        if !(1..=4).contains(&self.storerooms_per_site)
            || !(1..=100).contains(&self.stocked_percent)
        {
            return Err(String::from(
                "maximo.storerooms_per_site must be within 1..=4 and stocked_percent within 1..=100",
            ));
        }
        // A work order's tasks take the nine unique ids after its own.
        let [task_min, task_max] = self.tasks_per_work_order;
        if task_max < task_min || task_max > 9 {
            return Err(String::from(
                "maximo.tasks_per_work_order must be [min, max] with min <= max <= 9",
            ));
        }
        let [line_min, line_max] = self.lines_per_purchase_order;
        if line_min == 0 || line_max < line_min || line_max > 99 {
            return Err(String::from(
                "maximo.lines_per_purchase_order must be [min, max] with 1 <= min <= max <= 99",
            ));
        }
        for delay in [
            self.work_order_max_change_delay_days,
            self.purchase_order_max_change_delay_days,
        ] {
            if !(1..=365).contains(&delay) {
                return Err(String::from(
                    "maximo.*_max_change_delay_days must be within 1..=365",
                ));
            }
        }
        if self.default_page_size == 0
            || self.max_page_size < self.default_page_size
            || self.max_page_size > 100_000
        {
            return Err(String::from(
                "maximo.default_page_size must be positive and at most max_page_size (<= 100000)",
            ));
        }
        if self.transaction_id_retention_seconds == 0 {
            return Err(String::from(
                "maximo.transaction_id_retention_seconds must be positive",
            ));
        }
        Ok(())
    }
}

/// Purchase order volumes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseOrderVolume {
    /// Purchase orders in the generated history.
    pub count: u64,
    /// Items per order, inclusive range `[min, max]`.
    pub items_per_order: [u32; 2],
    /// The longest time between an order's creation and its last change.
    pub max_change_delay_days: u32,
}

/// Maintenance order volumes (plant maintenance work orders).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceOrderVolume {
    /// Maintenance orders in the generated history.
    pub count: u64,
    /// Operations per order, inclusive range `[min, max]`.
    pub operations_per_order: [u32; 2],
    /// The longest time between an order's creation and its last status step (release,
    /// technical completion, closing).
    pub max_change_delay_days: u32,
}

/// Master data volumes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterDataVolume {
    pub suppliers: u32,
    pub materials: u32,
    /// Pieces of equipment (assets) of the plant.
    pub equipment: u32,
}

/// SAP emulator settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SapSettings {
    /// Rows per collection response before `__next` is sent.
    pub page_size: u32,
    /// Idle time after which a CSRF session (token + cookie) expires, in virtual seconds.
    pub csrf_session_timeout_seconds: u64,
    /// Lifetime of OAuth access tokens (`expires_in`), in virtual seconds.
    pub oauth_token_lifetime_seconds: u64,
    /// Entity sets served with an ETag (`ConcurrencyMode="Fixed"` on their change stamp,
    /// `If-Match` required on writes). The real EDMX of these services declare none, so the
    /// default is empty; a profile switches sets on, e.g. `["MaintenanceOrder"]`.
    #[serde(default)]
    pub etag_entity_sets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: String,
    #[serde(default)]
    description: String,
    clock_start: String,
    history_days: u32,
    purchase_orders: PurchaseOrderVolume,
    maintenance_orders: MaintenanceOrderVolume,
    master_data: MasterDataVolume,
    sap: SapSettings,
    #[serde(default)]
    maximo: MaximoSettings,
    #[serde(default)]
    netsuite: NetSuiteSettings,
}

impl Profile {
    /// One of the profiles shipped in `fixtures/profiles/`: `tiny`, `plant` or `enterprise`.
    pub fn builtin(name: &str) -> Result<Profile, MockError> {
        let text = match name {
            "tiny" => TINY,
            "plant" => PLANT,
            "enterprise" => ENTERPRISE,
            other => return Err(MockError::UnknownProfile(other.to_owned())),
        };
        Profile::from_toml(text, &format!("built-in profile {name}"))
    }

    /// A profile from a TOML file.
    pub fn from_file(path: &Path) -> Result<Profile, MockError> {
        let text = std::fs::read_to_string(path).map_err(|source| MockError::ProfileRead {
            path: path.to_owned(),
            source,
        })?;
        Profile::from_toml(&text, &path.display().to_string())
    }

    /// A profile from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Profile, MockError> {
        let raw: RawProfile = toml::from_str(text).map_err(|source| MockError::ProfileParse {
            origin: origin.to_owned(),
            source,
        })?;
        let invalid = |reason: String| MockError::ProfileInvalid {
            origin: origin.to_owned(),
            reason,
        };
        let clock_start = DateTime::parse_from_rfc3339(&raw.clock_start)
            .map_err(|error| invalid(format!("clock_start {:?}: {error}", raw.clock_start)))?
            .with_timezone(&Utc);
        if clock_start.timestamp_subsec_nanos() != 0 {
            return Err(invalid(String::from("clock_start must be a whole second")));
        }
        if !(7..=3650).contains(&raw.history_days) {
            return Err(invalid(String::from(
                "history_days must be within 7..=3650",
            )));
        }
        let orders = &raw.purchase_orders;
        // PO numbers live in 4500000000..4599999999; leave room for creates and churn.
        if !(1..=90_000_000).contains(&orders.count) {
            return Err(invalid(String::from(
                "purchase_orders.count must be within 1..=90000000",
            )));
        }
        let [items_min, items_max] = orders.items_per_order;
        if items_min == 0 || items_max < items_min || items_max > 999 {
            return Err(invalid(String::from(
                "purchase_orders.items_per_order must be [min, max] with 1 <= min <= max <= 999",
            )));
        }
        if orders.max_change_delay_days > 3650 {
            return Err(invalid(String::from(
                "purchase_orders.max_change_delay_days must be at most 3650",
            )));
        }
        if !(1..=9_000_000).contains(&raw.master_data.suppliers) {
            return Err(invalid(String::from(
                "master_data.suppliers must be within 1..=9000000",
            )));
        }
        // Material numbers are a two-letter kind and five digits (`RM10001`…`RM99999`), four
        // kinds: stock is served in key order computed from the number, which needs the width.
        if !(1..=359_996).contains(&raw.master_data.materials) {
            return Err(invalid(String::from(
                "master_data.materials must be within 1..=359996",
            )));
        }
        // Equipment numbers run from 10000000 to 99999999; leave room for creates.
        if !(1..=80_000_000).contains(&raw.master_data.equipment) {
            return Err(invalid(String::from(
                "master_data.equipment must be within 1..=80000000",
            )));
        }
        let maintenance = &raw.maintenance_orders;
        // Order numbers live in 4000000..4999999; leave room for creates and churn.
        if !(1..=900_000).contains(&maintenance.count) {
            return Err(invalid(String::from(
                "maintenance_orders.count must be within 1..=900000",
            )));
        }
        let [operations_min, operations_max] = maintenance.operations_per_order;
        if operations_min == 0 || operations_max < operations_min || operations_max > 99 {
            return Err(invalid(String::from(
                "maintenance_orders.operations_per_order must be [min, max] with 1 <= min <= max <= 99",
            )));
        }
        if !(1..=3650).contains(&maintenance.max_change_delay_days) {
            return Err(invalid(String::from(
                "maintenance_orders.max_change_delay_days must be within 1..=3650",
            )));
        }
        // `LastChangeDateTime` has whole seconds: creation times must be at least two apart.
        if u64::from(raw.history_days) * 86_400 < maintenance.count.saturating_mul(2) {
            return Err(invalid(String::from(
                "maintenance_orders.count is too large for history_days: orders would share a second",
            )));
        }
        if raw
            .sap
            .etag_entity_sets
            .iter()
            .any(|name| name.trim().is_empty())
        {
            return Err(invalid(String::from(
                "sap.etag_entity_sets must name entity sets",
            )));
        }
        if !(1..=100_000).contains(&raw.sap.page_size) {
            return Err(invalid(String::from(
                "sap.page_size must be within 1..=100000",
            )));
        }
        raw.maximo.check(raw.history_days).map_err(invalid)?;
        if !(1..=999).contains(&raw.netsuite.locations) {
            return Err(invalid(String::from(
                "netsuite.locations must be within 1..=999",
            )));
        }
        if !(1..=1_000).contains(&raw.netsuite.concurrency_limit) {
            return Err(invalid(String::from(
                "netsuite.concurrency_limit must be within 1..=1000",
            )));
        }
        if raw.sap.csrf_session_timeout_seconds == 0 || raw.sap.oauth_token_lifetime_seconds == 0 {
            return Err(invalid(String::from(
                "sap.csrf_session_timeout_seconds and sap.oauth_token_lifetime_seconds must be positive",
            )));
        }
        // Creation times are at least a millisecond apart within the working hours (ten a day,
        // weekdays) of the window; count only whole weeks, less a day for the window's edges.
        let working_days = (u64::from(raw.history_days) / 7 * 5).saturating_sub(1);
        let working_ms = working_days * 10 * 3_600_000;
        if working_ms < orders.count.saturating_mul(2) {
            return Err(invalid(String::from(
                "purchase_orders.count is too large for history_days: orders would share a millisecond",
            )));
        }
        Ok(Profile {
            name: raw.name,
            description: raw.description,
            clock_start,
            history_days: raw.history_days,
            purchase_orders: raw.purchase_orders,
            maintenance_orders: raw.maintenance_orders,
            master_data: raw.master_data,
            sap: raw.sap,
            maximo: raw.maximo,
            netsuite: raw.netsuite,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load() {
        let tiny = Profile::builtin("tiny").expect("tiny loads");
        assert_eq!(tiny.name, "tiny");
        let plant = Profile::builtin("plant").expect("plant loads");
        assert!(plant.purchase_orders.count > tiny.purchase_orders.count);
        assert!(matches!(
            Profile::builtin("galaxy"),
            Err(MockError::UnknownProfile(_))
        ));
    }

    #[test]
    fn profiles_load_from_files() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/profiles/plant.toml"
        ));
        assert_eq!(
            Profile::from_file(path).expect("plant file"),
            Profile::builtin("plant").expect("plant")
        );
        assert!(matches!(
            Profile::from_file(Path::new("/nonexistent/profile.toml")),
            Err(MockError::ProfileRead { .. })
        ));
    }

    #[test]
    fn bad_profiles_are_refused() {
        let good = TINY.to_owned();
        for (from, to) in [
            ("page_size = 100", "page_size = 0"),
            ("history_days = 120", "history_days = 6"),
            (
                "clock_start = \"2026-03-02T08:00:00Z\"",
                "clock_start = \"yesterday\"",
            ),
            ("items_per_order = [1, 4]", "items_per_order = [3, 2]"),
        ] {
            assert!(good.contains(from), "fixture changed: {from}");
            let bad = good.replace(from, to);
            assert!(
                Profile::from_toml(&bad, "test").is_err(),
                "{to} should be refused"
            );
        }
        assert!(Profile::from_toml("name = 1", "test").is_err());
        assert!(Profile::from_toml(&format!("{good}\nsurprise = 1\n"), "test").is_err());
    }
}
