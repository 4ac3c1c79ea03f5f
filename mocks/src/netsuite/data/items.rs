//! Inventory items and their quantities per location.
//!
//! Item `i` has internal id `FIRST_ITEM + i`; its kind cycles raw material, spare part,
//! packaging, consumable (`RM-10001`, `SP-10001`, …). Each item is stocked at one to three
//! locations; a stocked location is an inventory LEVEL (the unified API's inventory record,
//! id `"{item}:{location}"`) with `quantityOnHand` and the other per-location figures of the
//! item's `locations` sublist. Levels are generated with the item and changed only through the
//! overlay: inventory adjustments and churn move quantities, create levels (stock at a new
//! location) and let levels vanish (a location taken off the item), so memory grows with
//! changes only.
//!
//! Quantity changes never touch the item's `lastModifiedDate` — as in NetSuite, where stock
//! moves through transactions, not item edits — so inventory has no change stamp a client can
//! rely on and is read as a snapshot.

use std::collections::BTreeMap;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::{SECONDS_PER_DAY, Stamp, pick, record_rng, stream_key};
use crate::Profile;

/// The internal id of the first item.
pub(crate) const FIRST_ITEM: u64 = 200_001;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemKind {
    RawMaterial,
    SparePart,
    Packaging,
    Consumable,
}

impl ItemKind {
    fn of(index: u64) -> Self {
        match index % 4 {
            0 => ItemKind::RawMaterial,
            1 => ItemKind::SparePart,
            2 => ItemKind::Packaging,
            _ => ItemKind::Consumable,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            ItemKind::RawMaterial => "RM",
            ItemKind::SparePart => "SP",
            ItemKind::Packaging => "PK",
            ItemKind::Consumable => "CS",
        }
    }
}

/// `(name, unit, price in cents)` per kind.
const RAW_MATERIALS: [(&str, &str, i64); 8] = [
    ("Steel Plate 10mm", "EA", 18_500),
    ("Aluminum Bar 6061", "EA", 4_200),
    ("Copper Wire 2.5mm2", "KG", 1_150),
    ("Stainless Rod 304", "EA", 3_800),
    ("Polypropylene Pellets", "KG", 210),
    ("Epoxy Resin", "KG", 1_890),
    ("Carbon Steel Sheet 3mm", "EA", 9_900),
    ("Brass Fitting Stock", "KG", 940),
];
const SPARE_PARTS: [(&str, &str, i64); 10] = [
    ("Ball Bearing 6204-2RS", "EA", 1_250),
    ("V-Belt A42", "EA", 1_890),
    ("Hydraulic Seal Kit", "EA", 7_400),
    ("Proximity Sensor M12", "EA", 6_350),
    ("Contactor 24V", "EA", 8_900),
    ("Gear Motor 0.75kW", "EA", 64_000),
    ("Roller Chain #60", "EA", 5_600),
    ("Solenoid Valve 1/2in", "EA", 11_200),
    ("Timing Belt HTD-8M", "EA", 4_700),
    ("Air Filter Element", "EA", 2_300),
];
const PACKAGING: [(&str, &str, i64); 5] = [
    ("Corrugated Box 12x12x12", "EA", 145),
    ("Pallet Wrap 18in", "EA", 2_450),
    ("Wooden Pallet 48x40", "EA", 1_600),
    ("Shipping Label Roll", "EA", 1_900),
    ("Bubble Wrap Roll", "EA", 3_100),
];
const CONSUMABLES: [(&str, &str, i64); 5] = [
    ("Nitrile Gloves L (100)", "EA", 1_299),
    ("Shop Towels (50)", "EA", 1_850),
    ("Cutting Oil 5gal", "EA", 8_800),
    ("Grinding Disc 4.5in", "EA", 395),
    ("Safety Glasses", "EA", 650),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) id: u64,
    pub(crate) item_id: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) kind: ItemKind,
    pub(crate) unit: &'static str,
    /// The purchase price (2 decimals).
    pub(crate) cost: Decimal,
    /// The average cost (4 decimals).
    pub(crate) average_cost: Decimal,
    pub(crate) is_inactive: bool,
    pub(crate) created: Stamp,
    pub(crate) last_modified: Stamp,
}

/// One item at one location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Level {
    pub(crate) item: u64,
    pub(crate) location: u32,
    pub(crate) on_hand: Decimal,
    pub(crate) on_order: Decimal,
    pub(crate) committed: Decimal,
    pub(crate) reorder_point: Decimal,
    pub(crate) preferred: Decimal,
}

impl Level {
    /// `"{item}:{location}"`, the inventory record id of the admin API.
    pub(crate) fn id(&self) -> String {
        format!("{}:{}", self.item, self.location)
    }

    pub(crate) fn available(&self) -> Decimal {
        (self.on_hand - self.committed).max(Decimal::ZERO)
    }
}

/// Parses `"{item}:{location}"`.
pub(crate) fn parse_level_id(text: &str) -> Option<(u64, u32)> {
    let (item, location) = text.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(item) || !digits(location) {
        return None;
    }
    Some((item.parse().ok()?, location.parse().ok()?))
}

/// The generated items as a function of `(seed, profile)`.
#[derive(Clone, Debug)]
pub(crate) struct ItemGenerator {
    key: [u8; 32],
    levels_key: [u8; 32],
    count: u64,
    locations: u32,
    window_start: i64,
    clock_start: i64,
}

impl ItemGenerator {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start = profile.clock_start.timestamp();
        ItemGenerator {
            key: stream_key(seed, "item"),
            levels_key: stream_key(seed, "item-levels"),
            count: u64::from(profile.master_data.materials),
            locations: profile.netsuite.locations.max(1),
            window_start: clock_start - i64::from(profile.history_days) * SECONDS_PER_DAY,
            clock_start,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn index_of(&self, id: u64) -> Option<u64> {
        let index = id.checked_sub(FIRST_ITEM)?;
        (index < self.count).then_some(index)
    }

    pub(crate) fn end_id(&self) -> u64 {
        FIRST_ITEM + self.count
    }

    pub(crate) fn get(&self, id: u64) -> Option<Item> {
        self.index_of(id).map(|index| self.item(index))
    }

    pub(crate) fn item(&self, index: u64) -> Item {
        let mut rng = record_rng(&self.key, index);
        let kind = ItemKind::of(index);
        let table: &[(&str, &str, i64)] = match kind {
            ItemKind::RawMaterial => &RAW_MATERIALS,
            ItemKind::SparePart => &SPARE_PARTS,
            ItemKind::Packaging => &PACKAGING,
            ItemKind::Consumable => &CONSUMABLES,
        };
        let (name, unit, cents) = *pick(&mut rng, table);
        let number = 10_001 + index / 4;
        let variant = rng.random_range(100..1_000);
        let factor = rng.random_range(800..=1_250);
        let cost = Decimal::new((cents * factor / 1_000).max(1), 2);
        let average_cost = (cost * Decimal::new(rng.random_range(9_500..=10_500), 4)).round_dp(4);
        let created = Stamp(
            self.window_start
                - rng.random_range(60..2_000) * SECONDS_PER_DAY
                - rng.random_range(0..SECONDS_PER_DAY),
        )
        .floor_minute();
        let last_modified = if rng.random_bool(0.7) {
            created
        } else {
            let from = created.0.max(self.window_start - 365 * SECONDS_PER_DAY);
            Stamp(rng.random_range(from..(self.clock_start - 60).max(from + 1))).floor_minute()
        };
        Item {
            id: FIRST_ITEM + index,
            item_id: format!("{}-{number}", kind.prefix()),
            display_name: format!("{name} V{variant}"),
            description: format!("{name}, variant {variant}, purchased per {unit}"),
            kind,
            unit,
            cost,
            average_cost,
            is_inactive: rng.random_bool(0.02),
            created,
            last_modified,
        }
    }

    /// The generated levels of item `index`, by location.
    pub(crate) fn base_levels(&self, index: u64) -> Vec<Level> {
        let mut rng = record_rng(&self.levels_key, index);
        let locations = u64::from(self.locations);
        let wanted = 1 + rng.random_range(0..locations.min(3));
        let mut chosen: Vec<u32> = vec![u32::try_from(index % locations).unwrap_or(0) + 1];
        let mut attempts = 0;
        while (chosen.len() as u64) < wanted && attempts < 20 {
            attempts += 1;
            let location = u32::try_from(rng.random_range(0..locations)).unwrap_or(0) + 1;
            if !chosen.contains(&location) {
                chosen.push(location);
            }
        }
        chosen.sort_unstable();
        let bulk = matches!(self.item(index).unit, "KG");
        chosen
            .into_iter()
            .map(|location| draw_level(&mut rng, FIRST_ITEM + index, location, bulk))
            .collect()
    }
}

/// Quantities of a level: pieces in whole numbers, bulk goods in tenths.
fn draw_level(rng: &mut ChaCha8Rng, item: u64, location: u32, bulk: bool) -> Level {
    let quantity = |rng: &mut ChaCha8Rng, max: i64| {
        if bulk {
            Decimal::new(rng.random_range(0..max * 10), 1)
        } else {
            Decimal::from(rng.random_range(0..max))
        }
    };
    let on_hand = if rng.random_bool(0.1) {
        Decimal::ZERO
    } else {
        quantity(rng, 500)
    };
    let committed = if rng.random_bool(0.3) {
        quantity(rng, 40).min(on_hand)
    } else {
        Decimal::ZERO
    };
    let reorder_point = Decimal::from(rng.random_range(5..60));
    Level {
        item,
        location,
        on_hand,
        on_order: if rng.random_bool(0.4) {
            quantity(rng, 200)
        } else {
            Decimal::ZERO
        },
        committed,
        reorder_point,
        preferred: reorder_point * Decimal::from(3),
    }
}

/// Why an inventory change could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LevelRefusal {
    /// The item does not exist (or is not an inventory item).
    UnknownItem,
    /// The adjustment would leave less than nothing on hand.
    BelowZero {
        on_hand: Decimal,
    },
    NotEnoughLevels {
        requested: u64,
        available: u64,
    },
    NoFreeLocation,
}

/// Level ids a churn changed, created and let vanish, each sorted.
pub(crate) type LevelChurn = (Vec<String>, Vec<String>, Vec<String>);

/// The overlay of inventory levels.
#[derive(Clone, Debug)]
pub(crate) struct LevelBook {
    /// `None`: the generated level vanished.
    overlay: BTreeMap<(u64, u32), Option<Level>>,
    churn_rounds: u64,
    churn_key: [u8; 32],
}

impl LevelBook {
    pub(crate) fn new(seed: u64) -> Self {
        LevelBook {
            overlay: BTreeMap::new(),
            churn_rounds: 0,
            churn_key: stream_key(seed, "level-churn"),
        }
    }

    /// The levels of an item, by location.
    pub(crate) fn levels_of(&self, items: &ItemGenerator, item: u64) -> Vec<Level> {
        let Some(index) = items.index_of(item) else {
            return Vec::new();
        };
        let mut levels: BTreeMap<u32, Level> = items
            .base_levels(index)
            .into_iter()
            .map(|level| (level.location, level))
            .collect();
        for ((_, location), slot) in self.overlay.range((item, 0)..=(item, u32::MAX)) {
            match slot {
                Some(level) => {
                    levels.insert(*location, level.clone());
                }
                None => {
                    levels.remove(location);
                }
            }
        }
        levels.into_values().collect()
    }

    pub(crate) fn level(&self, items: &ItemGenerator, item: u64, location: u32) -> Option<Level> {
        if let Some(slot) = self.overlay.get(&(item, location)) {
            return slot.clone();
        }
        let index = items.index_of(item)?;
        items
            .base_levels(index)
            .into_iter()
            .find(|level| level.location == location)
    }

    /// Every level in `(item, location)` order from item `from` on; `visit` returns `false` to
    /// stop.
    pub(crate) fn scan(
        &self,
        items: &ItemGenerator,
        from: u64,
        visit: &mut dyn FnMut(Level) -> bool,
    ) {
        let mut id = from.max(FIRST_ITEM);
        while id < items.end_id() {
            for level in self.levels_of(items, id) {
                if !visit(level) {
                    return;
                }
            }
            id += 1;
        }
    }

    /// Moves the quantity on hand of `item` at `location` by `delta`, creating the level when
    /// the item was not stocked there. Returns the new quantity.
    pub(crate) fn adjust(
        &mut self,
        items: &ItemGenerator,
        item: u64,
        location: u32,
        delta: Decimal,
    ) -> Result<Decimal, LevelRefusal> {
        if items.index_of(item).is_none() {
            return Err(LevelRefusal::UnknownItem);
        }
        let mut level = self.level(items, item, location).unwrap_or(Level {
            item,
            location,
            on_hand: Decimal::ZERO,
            on_order: Decimal::ZERO,
            committed: Decimal::ZERO,
            reorder_point: Decimal::ZERO,
            preferred: Decimal::ZERO,
        });
        let next = level.on_hand + delta;
        if next < Decimal::ZERO {
            return Err(LevelRefusal::BelowZero {
                on_hand: level.on_hand,
            });
        }
        level.on_hand = next;
        self.overlay.insert((item, location), Some(level));
        Ok(next)
    }

    /// Changes `changed` levels' quantities, stocks `created` items at new locations and lets
    /// `deleted` levels vanish. Returns the level ids of each, sorted.
    pub(crate) fn churn(
        &mut self,
        items: &ItemGenerator,
        location_count: u32,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<LevelChurn, LevelRefusal> {
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let wanted = changed.saturating_add(deleted);
        let mut picked: Vec<Level> = Vec::new();
        let mut attempts = 0_u64;
        while (picked.len() as u64) < wanted && attempts < wanted.saturating_mul(30) + 100 {
            attempts += 1;
            let item = FIRST_ITEM + rng.random_range(0..items.count().max(1));
            let levels = self.levels_of(items, item);
            if levels.is_empty() {
                continue;
            }
            let level = levels[rng.random_range(0..levels.len())].clone();
            if !picked
                .iter()
                .any(|p| (p.item, p.location) == (level.item, level.location))
            {
                picked.push(level);
            }
        }
        if (picked.len() as u64) < wanted {
            return Err(LevelRefusal::NotEnoughLevels {
                requested: wanted,
                available: picked.len() as u64,
            });
        }
        let mut changed_ids = Vec::new();
        let mut deleted_ids = Vec::new();
        for (position, mut level) in picked.into_iter().enumerate() {
            if (position as u64) < changed {
                let step = Decimal::from(rng.random_range(1..50));
                level.on_hand = if rng.random_bool(0.5) || level.on_hand < step {
                    level.on_hand + step
                } else {
                    level.on_hand - step
                };
                changed_ids.push(level.id());
                self.overlay
                    .insert((level.item, level.location), Some(level));
            } else {
                deleted_ids.push(level.id());
                self.overlay.insert((level.item, level.location), None);
            }
        }
        let mut created_ids = Vec::new();
        let mut attempts = 0_u64;
        while (created_ids.len() as u64) < created && attempts < created.saturating_mul(30) + 100 {
            attempts += 1;
            let item = FIRST_ITEM + rng.random_range(0..items.count().max(1));
            let location = u32::try_from(rng.random_range(0..u64::from(location_count.max(1))))
                .unwrap_or(0)
                + 1;
            if self.level(items, item, location).is_some() {
                continue;
            }
            let bulk = items.get(item).is_some_and(|i| i.unit == "KG");
            let level = draw_level(&mut rng, item, location, bulk);
            created_ids.push(level.id());
            self.overlay.insert((item, location), Some(level));
        }
        if (created_ids.len() as u64) < created {
            return Err(LevelRefusal::NoFreeLocation);
        }
        changed_ids.sort();
        created_ids.sort();
        deleted_ids.sort();
        Ok((changed_ids, created_ids, deleted_ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_adjust_and_churn_in_the_overlay() {
        let profile = Profile::builtin("tiny").expect("tiny");
        let items = ItemGenerator::new(7, &profile);
        let mut book = LevelBook::new(7);
        let item = FIRST_ITEM + 5;
        let levels = book.levels_of(&items, item);
        assert!(!levels.is_empty());
        let first = &levels[0];
        let moved = book
            .adjust(&items, item, first.location, Decimal::from(7))
            .expect("adjust");
        assert_eq!(moved, first.on_hand + Decimal::from(7));
        assert!(matches!(
            book.adjust(&items, item, first.location, Decimal::from(-1_000_000)),
            Err(LevelRefusal::BelowZero { .. })
        ));
        assert_eq!(
            book.adjust(&items, 999, 1, Decimal::ONE),
            Err(LevelRefusal::UnknownItem)
        );
        let (changed, created, deleted) = book
            .churn(&items, profile.netsuite.locations, 3, 2, 1)
            .expect("churn");
        assert_eq!((changed.len(), created.len(), deleted.len()), (3, 2, 1));
        let (item, location) = parse_level_id(&deleted[0]).expect("id");
        assert!(book.level(&items, item, location).is_none());
        assert_eq!(parse_level_id("12:x"), None);
        assert_eq!(items.get(item).map(|i| i.id), Some(item));
    }
}
