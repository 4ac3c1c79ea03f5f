//! Inventory (`mxapiinventory`): one INVENTORY record per item stocked in a storeroom, with its
//! balance (`curbal`), one bin (`invbalances`) and its costs (`invcost`).
//!
//! Index `r = storeroom · items + item` for every storeroom of every site; `stocked_percent` of
//! the pairs hold a record, the others are holes that churn can fill (an item newly stocked).
//! The object has no change stamp — `statusdate` moves only with the item status, not with
//! the balance (reference §1.3) — so it is read as a snapshot, and the admin API's truth lists
//! every record with its balance.

use rand::RngExt as _;
use rust_decimal::Decimal;

use super::super::schema::{
    INV_BALANCES, INV_COST, INVBALANCES, INVCOST, INVENTORY, MXAPIINVENTORY, OsDef, Record,
    invbalances, invcost, inventory,
};
use super::super::value::Value;
use super::book::Generator;
use super::masters::ItemMaster;
use super::{ITEMSET, ORG, World, mix, record_rng, stream_key};
use crate::MaximoSettings;

/// The base inventory records.
pub(crate) struct InventoryGenerator {
    items: ItemMaster,
    item_count: u64,
    /// Storerooms of all sites, site-major.
    storerooms: u64,
    percent: u64,
    key: [u8; 32],
    world: World,
}

impl InventoryGenerator {
    pub(crate) fn new(world: &World, settings: &MaximoSettings, items: &ItemMaster) -> Self {
        InventoryGenerator {
            items: items.clone(),
            item_count: items.count(),
            storerooms: world.site_count() * world.storerooms().len() as u64,
            percent: u64::from(settings.stocked_percent),
            key: stream_key(world.seed, "inventory"),
            world: world.clone(),
        }
    }

    /// `(site, storeroom, item index)` of index `r`.
    pub(crate) fn place(&self, index: u64) -> (&str, &'static str, u64) {
        let storeroom = index / self.item_count.max(1);
        let per_site = self.world.storerooms().len() as u64;
        let site = self.world.site(storeroom / per_site.max(1));
        let name =
            self.world.storerooms()[usize::try_from(storeroom % per_site.max(1)).unwrap_or(0)];
        (site, name, index % self.item_count.max(1))
    }

    /// The index of an item in a storeroom, stocked or not.
    pub(crate) fn index(&self, itemnum: &str, location: &str, site: &str) -> Option<u64> {
        let item = self.items.index_of(itemnum)?;
        let site = self.world.site_position(site)?;
        let storeroom = self
            .world
            .storerooms()
            .iter()
            .position(|s| *s == location)? as u64;
        let per_site = self.world.storerooms().len() as u64;
        Some((site * per_site + storeroom) * self.item_count + item)
    }

    /// A record for index `r` whether or not the base stocks it (for churn filling a hole).
    pub(crate) fn draw(&self, index: u64) -> Record {
        let (site, storeroom, item_index) = self.place(index);
        let item = self.items.facts(item_index);
        let mut rng = record_rng(&self.key, index);
        let balance = match item.unit {
            "GAL" => rng.random_range(0..400_i64),
            "FT" => rng.random_range(0..600_i64),
            "BOX" => rng.random_range(0..30_i64),
            _ => rng.random_range(0..120_i64),
        };
        let balance = if rng.random_bool(0.05) { 0 } else { balance };
        let minimum = (balance / 5).max(1);
        let status_date = self.world.window_start - rng.random_range(30..3_000_i64) * 86_400;
        let count_date = self.world.window_start - rng.random_range(1..200_i64) * 86_400;
        let aisle = rng.random_range(1..=24);
        let shelf = rng.random_range(1..=8);
        let abc = *super::pick(&mut rng, &["A", "B", "B", "C", "C", "C"]);
        let cost_factor = rng.random_range(95..=108_i64);
        let curbal = Value::Dec(Decimal::new(balance * 100, 2));
        let bin = format!("A{aisle:02}-{shelf}");
        let rowstamp = self.world.base_rowstamp(status_date, index);

        let mut record = INVENTORY.blank();
        record.set(inventory::INVENTORYID, Value::Int(self.unique_id(index)));
        record.set(inventory::ITEMNUM, Value::Str(item.itemnum.clone()));
        record.set(inventory::ITEMSETID, Value::str(ITEMSET));
        record.set(inventory::LOCATION, Value::str(storeroom));
        record.set(inventory::SITEID, Value::str(site));
        record.set(inventory::ORGID, Value::str(ORG));
        record.set(inventory::CURBAL, curbal.clone());
        record.set(inventory::AVBLBALANCE, curbal.clone());
        record.set(inventory::ISSUEUNIT, Value::str(item.unit));
        record.set(inventory::ORDERUNIT, Value::str(item.unit));
        record.set(
            inventory::STATUS,
            Value::str(if item.active { "ACTIVE" } else { "PLANNING" }),
        );
        record.set(inventory::STATUSDATE, Value::Date(status_date));
        record.set(
            inventory::MINLEVEL,
            Value::Dec(Decimal::new(minimum * 100, 2)),
        );
        record.set(
            inventory::MAXLEVEL,
            Value::Dec(Decimal::new(minimum * 600, 2)),
        );
        record.set(
            inventory::ORDERQTY,
            Value::Dec(Decimal::new(minimum * 400, 2)),
        );
        record.set(inventory::BINNUM, Value::Str(bin.clone()));
        record.set(inventory::REORDER, Value::Bool(true));
        record.set(inventory::COSTTYPE, Value::str("AVERAGE"));
        record.set(inventory::ABCTYPE, Value::str(abc));
        record.set(inventory::CATEGORY, Value::str("STK"));
        record.rowstamp = rowstamp;

        let mut bin_row = INVBALANCES.blank();
        bin_row.set(
            invbalances::INVBALANCESID,
            Value::Int(self.unique_id(index) * 4),
        );
        bin_row.set(invbalances::ITEMNUM, Value::Str(item.itemnum.clone()));
        bin_row.set(invbalances::LOCATION, Value::str(storeroom));
        bin_row.set(invbalances::SITEID, Value::str(site));
        bin_row.set(invbalances::BINNUM, Value::Str(bin));
        bin_row.set(invbalances::CURBAL, curbal.clone());
        bin_row.set(invbalances::PHYSCNT, curbal);
        bin_row.set(invbalances::PHYSCNTDATE, Value::Date(count_date));
        bin_row.rowstamp = rowstamp;
        record.children[INV_BALANCES].push(bin_row);

        let mut cost = INVCOST.blank();
        cost.set(invcost::ITEMNUM, Value::Str(item.itemnum));
        cost.set(invcost::LOCATION, Value::str(storeroom));
        cost.set(invcost::SITEID, Value::str(site));
        cost.set(
            invcost::AVGCOST,
            Value::Dec(Decimal::new(item.price_cents * cost_factor / 100, 2)),
        );
        cost.set(
            invcost::STDCOST,
            Value::Dec(Decimal::new(item.price_cents, 2)),
        );
        cost.set(
            invcost::LASTCOST,
            Value::Dec(Decimal::new(item.price_cents * (cost_factor + 2) / 100, 2)),
        );
        cost.rowstamp = rowstamp;
        record.children[INV_COST].push(cost);
        record
    }

    /// Indices in use by the base (stocked pairs), in order.
    pub(crate) fn stocked(&self, index: u64) -> bool {
        mix(&self.key, index, 1) % 100 < self.percent
    }
}

impl Generator for InventoryGenerator {
    fn os(&self) -> &'static OsDef {
        &MXAPIINVENTORY
    }

    fn base_count(&self) -> u64 {
        self.storerooms * self.item_count
    }

    fn exists(&self, index: u64) -> bool {
        index < self.base_count() && self.stocked(index)
    }

    fn record(&self, index: u64) -> Record {
        self.draw(index)
    }

    fn base_index(&self, keys: &[String]) -> Option<u64> {
        let [itemnum, itemset, location, site] = keys else {
            return None;
        };
        if itemset != ITEMSET {
            return None;
        }
        self.index(itemnum, location, site)
    }

    fn light(&self, index: u64, attr: usize) -> Option<Value> {
        let (site, storeroom, item) = self.place(index);
        match attr {
            inventory::INVENTORYID => Some(Value::Int(self.unique_id(index))),
            inventory::ITEMNUM => Some(Value::Str(ItemMaster::itemnum(item))),
            inventory::ITEMSETID => Some(Value::str(ITEMSET)),
            inventory::LOCATION => Some(Value::str(storeroom)),
            inventory::SITEID => Some(Value::str(site)),
            inventory::ORGID => Some(Value::str(ORG)),
            _ => None,
        }
    }
}
