//! Inventory: stock per material, storage location, batch and stock type
//! (`A_MatlStkInAcctMod`), and the material documents (goods movements) that move it.
//!
//! Stock rows of material `i` are a pure function of `(seed, profile, i)`: raw materials are
//! batch-managed and lie in 171A in one to three batches, spare parts in 171D (some blocked
//! stock too), packaging in 171B (some on consignment from a supplier), a few consumables in
//! 171C. Goods movements and churn go into an overlay keyed by the row's full key, where a
//! row can also vanish (a batch used up and archived), so memory grows with changes only.
//!
//! Rows are served in key order. Materials are numbered per kind (`CS10001`, `PK10001`,
//! `RM10001`, `SP10001`, always five digits, see the profile limit), so the string order of
//! material ids is kind by kind, number by number, and a row's position is computed from its
//! id without a sort. Stock has no change stamp: the truth is the whole snapshot.

use std::collections::BTreeMap;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::masters::{Material, MaterialMaster};
use super::{FIRST_SUPPLIER, PLANT, record_rng, stream_key};
use crate::Profile;
use crate::sap::material_stock::schema::*;
use crate::sap::odata::engine::Row;
use crate::sap::odata::filter::Literal;
use crate::sap::odata::uri::{Segment, parse_resource_path};
use crate::sap::odata::value::Value;

/// Storage locations of plant 1710.
pub(crate) const STORAGE_LOCATIONS: [&str; 4] = ["171A", "171B", "171C", "171D"];
/// Stock types: unrestricted, quality inspection, blocked.
pub(crate) const UNRESTRICTED: &str = "01";
pub(crate) const QUALITY_INSPECTION: &str = "02";
pub(crate) const BLOCKED: &str = "07";
/// Material kinds by position in key order (`CS` < `PK` < `RM` < `SP`) and their index
/// remainder modulo four in the material master.
const KIND_ORDER: [(&str, u64); 4] = [("CS", 3), ("PK", 2), ("RM", 0), ("SP", 1)];
/// The first document number of the material document range.
const FIRST_MATERIAL_DOCUMENT: u64 = 4_900_000_000;

/// The eleven key fields of a stock row, in EDMX key order; `Ord` is the key order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct StockKey(pub(crate) [String; STOCK_KEY_FIELDS]);

impl StockKey {
    /// A key for the usual case: no special stock, the given stock type.
    pub(crate) fn plain(material: &str, location: &str, batch: &str, stock_type: &str) -> Self {
        StockKey::special(material, location, batch, "", "", stock_type)
    }

    fn special(
        material: &str,
        location: &str,
        batch: &str,
        special: &str,
        supplier: &str,
        stock_type: &str,
    ) -> Self {
        let mut fields: [String; STOCK_KEY_FIELDS] = Default::default();
        fields[K_MATERIAL] = material.to_owned();
        fields[K_PLANT] = PLANT.to_owned();
        fields[K_STORAGE_LOCATION] = location.to_owned();
        fields[K_BATCH] = batch.to_owned();
        fields[K_SUPPLIER] = supplier.to_owned();
        fields[K_SD_ITEM] = String::from("0");
        fields[K_SPECIAL_STOCK] = special.to_owned();
        fields[K_STOCK_TYPE] = stock_type.to_owned();
        StockKey(fields)
    }

    /// The smallest key of `material` (every other field empty sorts first).
    fn first_of(material: &str) -> Self {
        let mut fields: [String; STOCK_KEY_FIELDS] = Default::default();
        fields[K_MATERIAL] = material.to_owned();
        StockKey(fields)
    }

    pub(crate) fn material(&self) -> &str {
        &self.0[K_MATERIAL]
    }

    /// From the key values of a row or a key predicate, in key order.
    pub(crate) fn from_values(values: &[Value]) -> Option<Self> {
        let mut fields: [String; STOCK_KEY_FIELDS] = Default::default();
        for (field, value) in fields.iter_mut().zip(values.get(..STOCK_KEY_FIELDS)?) {
            *field = value.as_str()?.to_owned();
        }
        // NUMC sales order items come padded from some clients; SAP shows them unpadded.
        let item = fields[K_SD_ITEM].trim_start_matches('0');
        fields[K_SD_ITEM] = if item.is_empty() {
            String::from("0")
        } else {
            item.to_owned()
        };
        Some(StockKey(fields))
    }

    /// The inventory record id: the key predicate as SAP prints the values, quotes doubled.
    pub(crate) fn id(&self) -> String {
        self.0
            .iter()
            .zip(STOCK_TYPE.keys)
            .map(|(value, name)| format!("{name}='{}'", value.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses an inventory record id back into a key.
    pub(crate) fn parse_id(id: &str) -> Option<Self> {
        if id.contains('/') || id.contains('%') {
            return None;
        }
        let segments = parse_resource_path(&format!("{STOCK_SET}({id})")).ok()?;
        let [
            Segment::Named {
                keys: Some(parts), ..
            },
        ] = segments.as_slice()
        else {
            return None;
        };
        if parts.len() != STOCK_KEY_FIELDS {
            return None;
        }
        let mut values = Vec::with_capacity(STOCK_KEY_FIELDS);
        for name in STOCK_TYPE.keys {
            let part = parts
                .iter()
                .find(|part| part.name.as_deref() == Some(*name))?;
            let Literal::String(text) = &part.value else {
                return None;
            };
            values.push(Value::string(text.clone()));
        }
        StockKey::from_values(&values)
    }

    /// The `A_MatlStkInAcctMod` row with this key.
    pub(crate) fn row(&self, unit: &str, quantity: Decimal) -> Row {
        let mut row: Row = self
            .0
            .iter()
            .map(|field| Value::string(field.clone()))
            .collect();
        row.push(Value::string(""));
        row.push(Value::string(unit));
        row.push(Value::Decimal(quantity.normalize()));
        row
    }
}

/// Whether a material is managed in batches (raw materials are).
pub(crate) fn batch_managed(material: &str) -> bool {
    material.starts_with("RM")
}

/// A material document: header and items.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MaterialDocument {
    pub(crate) header: Row,
    pub(crate) items: Vec<Row>,
}

/// The ids a stock churn changed, created and let vanish.
pub(crate) type StockChurn = (Vec<String>, Vec<String>, Vec<String>);

/// Why a churn request could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StockChurnRefusal {
    NotEnoughRows { requested: u64, available: u64 },
}

/// Stock rows and material documents: base plus overlay.
#[derive(Clone, Debug)]
pub(crate) struct InventoryBook {
    pub(crate) materials: MaterialMaster,
    suppliers: u64,
    stock_key: [u8; 32],
    /// Changed, new and vanished (`None`) rows.
    overlay: BTreeMap<StockKey, Option<Decimal>>,
    documents: BTreeMap<(String, String), MaterialDocument>,
    next_document: u64,
    churn_rounds: u64,
    churn_key: [u8; 32],
}

/// A quantity in `unit`: bulk goods with one decimal, pieces whole.
fn draw_quantity(rng: &mut ChaCha8Rng, unit: &str, low: i64, high: i64) -> Decimal {
    match unit {
        "KG" | "L" => Decimal::new(rng.random_range(low * 10..=high * 10), 1).normalize(),
        _ => Decimal::from(rng.random_range(low..=high)),
    }
}

impl InventoryBook {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        InventoryBook {
            materials: MaterialMaster::new(seed, profile),
            suppliers: u64::from(profile.master_data.suppliers),
            stock_key: stream_key(seed, "stock"),
            overlay: BTreeMap::new(),
            documents: BTreeMap::new(),
            next_document: FIRST_MATERIAL_DOCUMENT,
            churn_rounds: 0,
            churn_key: stream_key(seed, "stock-churn"),
        }
    }

    /// Materials of each kind, in key order of kinds.
    fn kind_counts(&self) -> [u64; 4] {
        let count = self.materials.count();
        KIND_ORDER.map(|(_, remainder)| {
            if count > remainder {
                (count - remainder).div_ceil(4)
            } else {
                0
            }
        })
    }

    /// The master index of the material at `position` in key order.
    fn index_at(&self, position: u64) -> Option<u64> {
        let mut rest = position;
        for ((_, remainder), count) in KIND_ORDER.iter().zip(self.kind_counts()) {
            if rest < count {
                return Some(rest * 4 + remainder);
            }
            rest -= count;
        }
        None
    }

    /// The key-order position of a material id, if it is in the master.
    fn position_of(&self, material: &str) -> Option<u64> {
        let found = self.materials.find(material)?;
        let counts = self.kind_counts();
        let kind = KIND_ORDER
            .iter()
            .position(|(prefix, _)| found.id.starts_with(prefix))?;
        let within: u64 = found
            .id
            .get(2..)?
            .parse::<u64>()
            .ok()?
            .checked_sub(10_001)?;
        Some(counts[..kind].iter().sum::<u64>() + within)
    }

    pub(crate) fn material_count(&self) -> u64 {
        self.materials.count()
    }

    /// The material at `position` in key order.
    pub(crate) fn material_at(&self, position: u64) -> Option<Material> {
        self.index_at(position)
            .map(|index| self.materials.material(index))
    }

    pub(crate) fn find_material(&self, id: &str) -> Option<Material> {
        self.materials.find(id)
    }

    /// Materials in key order after `after` (a material id).
    pub(crate) fn materials_after(&self, after: Option<&str>) -> std::ops::Range<u64> {
        let start = match after {
            None => 0,
            Some(id) => match self.position_of(id) {
                Some(position) => position + 1,
                // An id outside the master: start at the first one sorting after it.
                None => self.first_position_after(id),
            },
        };
        start..self.materials.count().max(start)
    }

    fn first_position_after(&self, id: &str) -> u64 {
        let (mut low, mut high) = (0, self.materials.count());
        while low < high {
            let middle = low + (high - low) / 2;
            let at = self.material_at(middle).map(|m| m.id).unwrap_or_default();
            if at.as_str() <= id {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// The generated rows of material `index`, sorted by key.
    fn base_rows(&self, index: u64) -> Vec<(StockKey, Decimal)> {
        let material = self.materials.material(index);
        let mut rng = record_rng(&self.stock_key, index);
        let id = material.id.as_str();
        let unit = material.unit;
        let mut rows = Vec::new();
        match &id[..2] {
            "RM" => {
                let batches = rng.random_range(1..=3);
                let mut batch = rng.random_range(100_u64..9_000_000);
                for _ in 0..batches {
                    batch += rng.random_range(1..5_000);
                    let stock_type = if rng.random_bool(0.1) {
                        QUALITY_INSPECTION
                    } else {
                        UNRESTRICTED
                    };
                    let quantity = draw_quantity(&mut rng, unit, 50, 5_000);
                    let key = StockKey::plain(id, "171A", &format!("{batch:010}"), stock_type);
                    rows.push((key, quantity));
                }
            }
            "SP" => {
                if rng.random_bool(0.95) {
                    let quantity = draw_quantity(&mut rng, unit, 1, 60);
                    rows.push((StockKey::plain(id, "171D", "", UNRESTRICTED), quantity));
                    if rng.random_bool(0.1) {
                        let quantity = draw_quantity(&mut rng, unit, 1, 5);
                        rows.push((StockKey::plain(id, "171D", "", BLOCKED), quantity));
                    }
                }
            }
            "PK" => {
                let quantity = draw_quantity(&mut rng, unit, 100, 20_000);
                rows.push((StockKey::plain(id, "171B", "", UNRESTRICTED), quantity));
                if rng.random_bool(0.06) && self.suppliers > 0 {
                    let supplier = FIRST_SUPPLIER + rng.random_range(0..self.suppliers);
                    let quantity = draw_quantity(&mut rng, unit, 100, 5_000);
                    let key =
                        StockKey::special(id, "171B", "", "K", &supplier.to_string(), UNRESTRICTED);
                    rows.push((key, quantity));
                }
            }
            _ => {
                if rng.random_bool(0.3) {
                    let quantity = draw_quantity(&mut rng, unit, 5, 500);
                    rows.push((StockKey::plain(id, "171C", "", UNRESTRICTED), quantity));
                }
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    }

    /// Current rows of material `index` (base, changes, new rows; vanished rows left out).
    pub(crate) fn rows_of(&self, index: u64) -> Vec<(StockKey, Decimal)> {
        let id = self.materials.material(index).id;
        let mut rows: BTreeMap<StockKey, Decimal> = self.base_rows(index).into_iter().collect();
        for (key, entry) in self
            .overlay
            .range(StockKey::first_of(&id)..)
            .take_while(|(key, _)| key.material() == id)
        {
            match entry {
                Some(quantity) => {
                    rows.insert(key.clone(), *quantity);
                }
                None => {
                    rows.remove(key);
                }
            }
        }
        rows.into_iter().collect()
    }

    /// The current quantity of one row, if it exists.
    pub(crate) fn quantity(&self, key: &StockKey) -> Option<Decimal> {
        if let Some(entry) = self.overlay.get(key) {
            return *entry;
        }
        let position = self.position_of(key.material())?;
        let index = self.index_at(position)?;
        self.base_rows(index)
            .into_iter()
            .find(|(candidate, _)| candidate == key)
            .map(|(_, quantity)| quantity)
    }

    /// Sets a row's quantity (creating the row when it did not exist).
    pub(crate) fn set_quantity(&mut self, key: StockKey, quantity: Decimal) {
        self.overlay.insert(key, Some(quantity.normalize()));
    }

    /// The stock row as served, if it exists.
    pub(crate) fn row(&self, key: &StockKey) -> Option<Row> {
        let material = self.materials.find(key.material())?;
        self.quantity(key)
            .map(|quantity| key.row(material.unit, quantity))
    }

    /// Rows in key order, starting strictly after `after`; only `material`'s when given.
    pub(crate) fn scan(
        &self,
        after: Option<&StockKey>,
        material: Option<&str>,
        visit: &mut dyn FnMut(Row) -> bool,
    ) {
        let positions = match material {
            Some(id) => match self.position_of(id) {
                Some(position) => position..position + 1,
                None => return,
            },
            None => {
                let start = after.map_or(0, |key| {
                    self.position_of(key.material())
                        .unwrap_or_else(|| self.first_position_after(key.material()))
                });
                start..self.materials.count().max(start)
            }
        };
        for position in positions {
            let Some(index) = self.index_at(position) else {
                break;
            };
            let unit = self.materials.material(index).unit;
            for (key, quantity) in self.rows_of(index) {
                if after.is_some_and(|bound| key <= *bound) {
                    continue;
                }
                if !visit(key.row(unit, quantity)) {
                    return;
                }
            }
        }
    }

    /// The current rows of one material (by id), as served.
    pub(crate) fn rows_for_material(&self, id: &str) -> Vec<Row> {
        let Some(index) = self.position_of(id).and_then(|p| self.index_at(p)) else {
            return Vec::new();
        };
        let unit = self.materials.material(index).unit;
        self.rows_of(index)
            .into_iter()
            .map(|(key, quantity)| key.row(unit, quantity))
            .collect()
    }

    /// Every current row: `(key, unit, quantity)`, in key order.
    pub(crate) fn snapshot(&self) -> Vec<(StockKey, &'static str, Decimal)> {
        let mut rows = Vec::new();
        for position in 0..self.materials.count() {
            let Some(index) = self.index_at(position) else {
                break;
            };
            let unit = self.materials.material(index).unit;
            rows.extend(
                self.rows_of(index)
                    .into_iter()
                    .map(|(key, quantity)| (key, unit, quantity)),
            );
        }
        rows
    }

    // -----------------------------------------------------------------------------------------
    // Material documents

    /// Draws the next material document number.
    pub(crate) fn allocate_document(&mut self) -> u64 {
        let number = self.next_document;
        self.next_document += 1;
        number
    }

    pub(crate) fn store_document(&mut self, document: MaterialDocument) {
        use crate::sap::material_document::schema::{D_DOCUMENT, D_YEAR};
        let text = |index: usize| {
            document.header[index]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        self.documents
            .insert((text(D_YEAR), text(D_DOCUMENT)), document);
    }

    pub(crate) fn document(&self, year: &str, number: &str) -> Option<&MaterialDocument> {
        self.documents.get(&(year.to_owned(), number.to_owned()))
    }

    /// Documents in key order after `(year, number)`.
    pub(crate) fn documents_after(
        &self,
        after: Option<(String, String)>,
    ) -> impl Iterator<Item = &MaterialDocument> {
        use std::ops::Bound;
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.documents
            .range((lower, Bound::Unbounded))
            .map(|(_, document)| document)
    }

    pub(crate) fn document_count(&self) -> u64 {
        self.documents.len() as u64
    }

    // -----------------------------------------------------------------------------------------
    // Churn

    /// A random existing row, found by sampling materials.
    fn random_row(&self, rng: &mut ChaCha8Rng, taken: &[StockKey]) -> Option<(StockKey, Decimal)> {
        let count = self.materials.count();
        for _ in 0..200 {
            let index = rng.random_range(0..count);
            let rows: Vec<(StockKey, Decimal)> = self
                .rows_of(index)
                .into_iter()
                .filter(|(key, _)| !taken.contains(key))
                .collect();
            if !rows.is_empty() {
                return Some(rows[rng.random_range(0..rows.len())].clone());
            }
        }
        None
    }

    /// A key that does not hold stock now: a new batch, or stock in another place or type.
    fn new_key(&self, rng: &mut ChaCha8Rng) -> Option<StockKey> {
        let count = self.materials.count();
        for _ in 0..200 {
            let index = rng.random_range(0..count);
            let material = self.materials.material(index);
            let key = if batch_managed(&material.id) {
                let batch = format!("{:010}", rng.random_range(9_000_000_u64..9_999_999));
                StockKey::plain(&material.id, "171A", &batch, UNRESTRICTED)
            } else {
                let location = STORAGE_LOCATIONS[rng.random_range(0..STORAGE_LOCATIONS.len())];
                let stock_type = [UNRESTRICTED, QUALITY_INSPECTION][rng.random_range(0..2)];
                StockKey::plain(&material.id, location, "", stock_type)
            };
            if self.quantity(&key).is_none() {
                return Some(key);
            }
        }
        None
    }

    /// Changes `changed` rows' quantities, creates `created` rows and lets `deleted` rows
    /// vanish; returns the ids of each. The three sets never overlap.
    pub(crate) fn churn(
        &mut self,
        changed: u64,
        created: u64,
        deleted: u64,
    ) -> Result<StockChurn, StockChurnRefusal> {
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let mut taken: Vec<StockKey> = Vec::new();
        let mut changes = Vec::new();
        let mut vanished = Vec::new();
        for round in 0..changed + deleted {
            let Some((key, quantity)) = self.random_row(&mut rng, &taken) else {
                return Err(StockChurnRefusal::NotEnoughRows {
                    requested: changed + deleted,
                    available: round,
                });
            };
            taken.push(key.clone());
            if round < changed {
                changes.push((key, quantity));
            } else {
                vanished.push(key);
            }
        }
        let mut fresh = Vec::new();
        for _ in 0..created {
            let Some(key) = self.new_key(&mut rng).filter(|key| !fresh.contains(key)) else {
                return Err(StockChurnRefusal::NotEnoughRows {
                    requested: created,
                    available: fresh.len() as u64,
                });
            };
            fresh.push(key);
        }
        let mut changed_ids = Vec::new();
        for (key, quantity) in changes {
            // A count correction or consumption: 10-30 % up or down, never to zero.
            let percent = Decimal::new(rng.random_range(10..=30), 2);
            let step = (quantity * percent).round_dp(1).max(Decimal::ONE);
            let next = if rng.random_bool(0.5) || quantity <= step {
                quantity + step
            } else {
                quantity - step
            };
            changed_ids.push(key.id());
            self.set_quantity(key, next);
        }
        let mut created_ids = Vec::new();
        for key in fresh {
            let unit = self
                .materials
                .find(key.material())
                .map_or("PC", |material| material.unit);
            let quantity = draw_quantity(&mut rng, unit, 10, 1_000);
            created_ids.push(key.id());
            self.set_quantity(key, quantity);
        }
        let mut deleted_ids = Vec::new();
        for key in vanished {
            deleted_ids.push(key.id());
            self.overlay.insert(key, None);
        }
        Ok((changed_ids, created_ids, deleted_ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ids_round_trip_and_garbage_never_panics(
            material in "[A-Z0-9']{1,12}",
            batch in "[A-Z0-9' ]{0,10}",
            garbage in "\\PC{0,80}",
        ) {
            let key = StockKey::plain(&material, "171A", &batch, UNRESTRICTED);
            prop_assert_eq!(StockKey::parse_id(&key.id()), Some(key));
            let _ = StockKey::parse_id(&garbage);
        }
    }

    fn book() -> InventoryBook {
        InventoryBook::new(7, &Profile::builtin("tiny").expect("tiny"))
    }

    #[test]
    fn rows_stream_in_key_order_and_ids_round_trip() {
        let book = book();
        let mut keys = Vec::new();
        book.scan(None, None, &mut |row| {
            keys.push(StockKey::from_values(&row).expect("key"));
            true
        });
        assert!(keys.len() > 100, "{} rows", keys.len());
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "key order");
        for key in &keys {
            assert_eq!(StockKey::parse_id(&key.id()).as_ref(), Some(key));
            assert!(book.quantity(key).is_some());
        }
        let middle = &keys[keys.len() / 2];
        let mut rest = Vec::new();
        book.scan(Some(middle), None, &mut |row| {
            rest.push(StockKey::from_values(&row).expect("key"));
            true
        });
        assert_eq!(rest, keys[keys.len() / 2 + 1..].to_vec());
        assert_eq!(
            StockKey::plain("FG29", "171A", "", "01").id(),
            "Material='FG29',Plant='1710',StorageLocation='171A',Batch='',Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='0',InventorySpecialStockType='',InventoryStockType='01'"
        );
        assert_eq!(StockKey::parse_id("Material='X'"), None);
        assert_eq!(StockKey::parse_id("garbage("), None);
    }

    #[test]
    fn churn_changes_creates_and_vanishes_disjoint_rows() {
        let mut book = book();
        let before: BTreeMap<String, Decimal> = book
            .snapshot()
            .into_iter()
            .map(|(key, _, quantity)| (key.id(), quantity))
            .collect();
        let (changed, created, deleted) = book.churn(3, 2, 2).expect("churn");
        let after: BTreeMap<String, Decimal> = book
            .snapshot()
            .into_iter()
            .map(|(key, _, quantity)| (key.id(), quantity))
            .collect();
        assert_eq!((changed.len(), created.len(), deleted.len()), (3, 2, 2));
        for id in &changed {
            assert_ne!(before.get(id), after.get(id));
            assert!(after.get(id).is_some_and(|q| *q > Decimal::ZERO));
        }
        for id in &created {
            assert!(!before.contains_key(id) && after.contains_key(id));
        }
        for id in &deleted {
            assert!(before.contains_key(id) && !after.contains_key(id));
        }
        assert_eq!(after.len(), before.len());
        let untouched = before
            .iter()
            .filter(|(id, q)| after.get(*id) == Some(*q))
            .count();
        assert_eq!(untouched, before.len() - 5);
    }
}
