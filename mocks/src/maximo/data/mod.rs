//! Deterministic Maximo data: the plant's master data (locations, items, storerooms, vendors,
//! assets) and its transactions (work orders with tasks and status history, purchase orders
//! with lines, inventory balances), each a pure function of `(seed, profile, index)`, with
//! the overlay of writes and churn in [`book::Book`].
//!
//! Record `i` of a kind draws from a ChaCha8 stream keyed by the seed and the kind, positioned
//! at stream `i`; a few attributes that others depend on (a work order's site, an asset's
//! location) come from a cheap hash instead, so related records can be found without
//! generating them. Nothing is materialised at start-up beyond a few small per-storeroom
//! counts.

pub(crate) mod assets;
pub(crate) mod book;
pub(crate) mod inventory;
pub(crate) mod masters;
pub(crate) mod purchase_orders;
pub(crate) mod work_orders;

use chrono::FixedOffset;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use super::schema::{OsKind, Record, Relation};
use super::value::{Value, parse_offset};
use crate::Profile;
use assets::AssetGenerator;
use book::{Book, BookState};
use inventory::InventoryGenerator;
use masters::{ItemMaster, LocationMaster, VendorGenerator};
use purchase_orders::PurchaseOrderGenerator;
use work_orders::WorkOrderGenerator;

/// The organisation every site belongs to (Maximo's demo organisation).
pub(crate) const ORG: &str = "EAGLENA";
/// The item set of the organisation.
pub(crate) const ITEMSET: &str = "SET1";
/// The currency of the organisation.
pub(crate) const CURRENCY: &str = "USD";
/// Storeroom names, the first `storerooms_per_site` at every site.
pub(crate) const STOREROOMS: [&str; 4] = ["CENTRAL", "MAINT", "TOOLS", "SPARES"];

/// The fixed facts every generator shares.
#[derive(Clone, Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) sites: Vec<String>,
    pub(crate) offset: FixedOffset,
    /// Where the virtual clock starts: generated history ends just before it.
    pub(crate) clock_start: i64,
    /// Where generated history starts.
    pub(crate) window_start: i64,
    pub(crate) storerooms_per_site: u32,
}

impl World {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start = profile.clock_start.timestamp();
        World {
            seed,
            sites: profile.maximo.sites.clone(),
            offset: parse_offset(&profile.maximo.utc_offset),
            clock_start,
            window_start: clock_start - i64::from(profile.history_days) * 86_400,
            storerooms_per_site: profile.maximo.storerooms_per_site,
        }
    }

    pub(crate) fn site_count(&self) -> u64 {
        self.sites.len().max(1) as u64
    }

    /// The site at position `n` (wrapping).
    pub(crate) fn site(&self, n: u64) -> &str {
        let count = self.site_count();
        self.sites
            .get(usize::try_from(n % count).unwrap_or(0))
            .map_or("BEDFORD", String::as_str)
    }

    pub(crate) fn site_position(&self, site: &str) -> Option<u64> {
        self.sites
            .iter()
            .position(|s| s == site)
            .map(|position| position as u64)
    }

    /// The storerooms of a site.
    pub(crate) fn storerooms(&self) -> &'static [&'static str] {
        let count = usize::try_from(self.storerooms_per_site)
            .unwrap_or(1)
            .clamp(1, STOREROOMS.len());
        &STOREROOMS[..count]
    }

    /// A `_rowstamp` for a base record last changed at `at`: below every stamp a write gets.
    pub(crate) fn base_rowstamp(&self, at: i64, index: u64) -> u64 {
        let since =
            u64::try_from(at.saturating_sub(self.window_start - 86_400 * 3650)).unwrap_or(0);
        since * 4 + index % 4
    }

    /// The first `_rowstamp` a write may use.
    pub(crate) fn first_write_rowstamp(&self) -> u64 {
        self.base_rowstamp(self.clock_start, 0) + 8
    }
}

/// The ChaCha8 key of one record kind.
pub(crate) fn stream_key(seed: u64, kind: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/maximo/");
    hasher.update(kind.as_bytes());
    hasher.update(seed.to_le_bytes());
    hasher.finalize().into()
}

/// The random stream of record `index` of one kind.
pub(crate) fn record_rng(key: &[u8; 32], index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream(index);
    rng
}

/// A cheap, well-mixed hash of `(key, index, salt)` (SplitMix64 finaliser): for attributes that
/// other records must find without drawing a whole stream.
pub(crate) fn mix(key: &[u8; 32], index: u64, salt: u64) -> u64 {
    let mut z = u64::from_le_bytes([
        key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
    ]) ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index in `0..count`, skewed towards small indices (a few vendors and items get most of
/// the business, as in a real plant).
pub(crate) fn skewed(rng: &mut ChaCha8Rng, count: u64) -> u64 {
    let u: f64 = rng.random();
    ((u * u * count as f64) as u64).min(count.saturating_sub(1))
}

pub(crate) fn money(cents: i64) -> Value {
    Value::Dec(Decimal::new(cents, 2))
}

/// The first number of a fixed-width numbering with room for twice `count` records: a power of
/// ten from 1000 up, so every generated and created number has the same width and text order
/// is numeric order.
pub(crate) fn number_base(count: u64) -> u64 {
    let mut base = 1000_u64;
    while base.saturating_mul(9) < count.saturating_mul(2) {
        base = base.saturating_mul(10);
    }
    base
}

/// Creation instants spread over the history window: strictly increasing, whole seconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spread {
    start: i64,
    span: i64,
    count: u64,
    spacing: i64,
}

impl Spread {
    pub(crate) fn new(world: &World, count: u64) -> Self {
        let span = (world.clock_start - world.window_start).max(1);
        let spacing = (span / i64::try_from(count.max(1)).unwrap_or(i64::MAX)).max(1);
        Spread {
            start: world.window_start,
            span,
            count: count.max(1),
            spacing,
        }
    }

    /// The creation instant of record `index` given a random draw.
    pub(crate) fn at(&self, index: u64, draw: u64) -> i64 {
        let slot = (i128::from(index) * i128::from(self.span)) / i128::from(self.count);
        let slot = i64::try_from(slot).unwrap_or(i64::MAX);
        self.start + slot + i64::try_from(draw % self.spacing.unsigned_abs()).unwrap_or(0)
    }
}

/// Everything the emulator holds, behind one lock in the routes.
pub(crate) struct MaximoData {
    pub(crate) world: World,
    pub(crate) locations: LocationMaster,
    pub(crate) items: ItemMaster,
    pub(crate) work_orders: Book<WorkOrderGenerator>,
    pub(crate) assets: Book<AssetGenerator>,
    pub(crate) inventory: Book<InventoryGenerator>,
    pub(crate) purchase_orders: Book<PurchaseOrderGenerator>,
    pub(crate) vendors: Book<VendorGenerator>,
    next_rowstamp: u64,
    /// Ids of child rows created by writes (status history, new lines), above every base id.
    next_child_id: i64,
    /// The next autokey number of work orders, assets and purchase orders.
    autokeys: [u64; 3],
    pub(crate) churn_rounds: u64,
}

/// A copy of every book's writable state.
pub(crate) struct Checkpoint {
    books: [BookState; 5],
    next_rowstamp: u64,
    next_child_id: i64,
    autokeys: [u64; 3],
}

impl MaximoData {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let world = World::new(seed, profile);
        let settings = &profile.maximo;
        let locations = LocationMaster::new(&world, settings.locations);
        let items = ItemMaster::new(&world, settings.items);
        let vendors = VendorGenerator::new(&world, settings.vendors);
        let assets = AssetGenerator::new(&world, settings.assets, &locations, &vendors);
        let work_orders = WorkOrderGenerator::new(&world, settings, &assets, &locations);
        let purchase_orders = PurchaseOrderGenerator::new(&world, settings, &vendors, &items);
        let inventory = InventoryGenerator::new(&world, settings, &items);
        let next_rowstamp = world.first_write_rowstamp();
        let autokeys = [
            work_orders.first_number() + work_orders.count(),
            assets.first_number() + assets.count(),
            purchase_orders.first_number() + purchase_orders.count(),
        ];
        MaximoData {
            autokeys,
            locations,
            items,
            work_orders: Book::new(work_orders),
            assets: Book::new(assets),
            inventory: Book::new(inventory),
            purchase_orders: Book::new(purchase_orders),
            vendors: Book::new(vendors),
            next_rowstamp,
            next_child_id: 9_000_000_000,
            churn_rounds: 0,
            world,
        }
    }

    /// The next `_rowstamp`: every write and churn takes one, above every base stamp.
    pub(crate) fn next_rowstamp(&mut self) -> u64 {
        self.next_rowstamp += 1;
        self.next_rowstamp
    }

    /// Takes the next number of a kind's autokey sequence (work orders, assets, purchase
    /// orders); the caller skips numbers a client already used.
    pub(crate) fn take_autokey(&mut self, kind: OsKind) -> u64 {
        let slot = match kind {
            OsKind::Assets => 1,
            OsKind::PurchaseOrders => 2,
            _ => 0,
        };
        let number = self.autokeys[slot];
        self.autokeys[slot] += 1;
        number
    }

    /// The index of the record of `kind` with these rest-id key values.
    pub(crate) fn find(&self, kind: OsKind, keys: &[String]) -> Option<u64> {
        match kind {
            OsKind::WorkOrders => self.work_orders.find(keys),
            OsKind::Assets => self.assets.find(keys),
            OsKind::Inventory => self.inventory.find(keys),
            OsKind::PurchaseOrders => self.purchase_orders.find(keys),
            OsKind::Vendors => self.vendors.find(keys),
        }
    }

    /// The index of the record of `kind` with this unique id.
    pub(crate) fn find_unique_id(&self, kind: OsKind, id: i64) -> Option<u64> {
        match kind {
            OsKind::WorkOrders => self.work_orders.find_unique_id(id),
            OsKind::Assets => self.assets.find_unique_id(id),
            OsKind::Inventory => self.inventory.find_unique_id(id),
            OsKind::PurchaseOrders => self.purchase_orders.find_unique_id(id),
            OsKind::Vendors => self.vendors.find_unique_id(id),
        }
    }

    /// The record of `kind` at `index`.
    pub(crate) fn get(&self, kind: OsKind, index: u64) -> Option<Record> {
        match kind {
            OsKind::WorkOrders => self.work_orders.get(index),
            OsKind::Assets => self.assets.get(index),
            OsKind::Inventory => self.inventory.get(index),
            OsKind::PurchaseOrders => self.purchase_orders.get(index),
            OsKind::Vendors => self.vendors.get(index),
        }
    }

    pub(crate) fn next_child_id(&mut self) -> i64 {
        self.next_child_id += 1;
        self.next_child_id
    }

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            books: [
                self.work_orders.checkpoint(),
                self.assets.checkpoint(),
                self.inventory.checkpoint(),
                self.purchase_orders.checkpoint(),
                self.vendors.checkpoint(),
            ],
            next_rowstamp: self.next_rowstamp,
            next_child_id: self.next_child_id,
            autokeys: self.autokeys,
        }
    }

    pub(crate) fn restore(&mut self, checkpoint: Checkpoint) {
        let [wo, asset, inventory, po, vendor] = checkpoint.books;
        self.work_orders.restore(wo);
        self.assets.restore(asset);
        self.inventory.restore(inventory);
        self.purchase_orders.restore(po);
        self.vendors.restore(vendor);
        self.next_rowstamp = checkpoint.next_rowstamp;
        self.next_child_id = checkpoint.next_child_id;
        self.autokeys = checkpoint.autokeys;
    }

    /// The record a 1:1 relationship of `record` (of object structure `kind`) leads to.
    pub(crate) fn related(
        &self,
        kind: OsKind,
        relation: &'static Relation,
        record: &Record,
    ) -> Option<Record> {
        use super::schema::{asset, inventory as inv, po, wo};
        match (kind, relation.name) {
            (OsKind::WorkOrders, "asset") => {
                let keys = [
                    record.text(wo::ASSETNUM).to_owned(),
                    record.text(wo::SITEID).to_owned(),
                ];
                self.assets.find(&keys).and_then(|i| self.assets.get(i))
            }
            (OsKind::WorkOrders, "location") => self
                .locations
                .record(record.text(wo::LOCATION), record.text(wo::SITEID)),
            (OsKind::Assets, "location") => self
                .locations
                .record(record.text(asset::LOCATION), record.text(asset::SITEID)),
            (OsKind::Inventory, "item") => self.items.record(record.text(inv::ITEMNUM)),
            (OsKind::PurchaseOrders, "companies") => {
                let keys = [record.text(po::VENDOR).to_owned(), ORG.to_owned()];
                self.vendors.find(&keys).and_then(|i| self.vendors.get(i))
            }
            _ => None,
        }
    }
}
