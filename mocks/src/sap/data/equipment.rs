//! Deterministic equipment (`API_EQUIPMENT`) and the plant-maintenance master data around it:
//! functional locations, work centers, planner groups, cost centers.
//!
//! Equipment `i` is a pure function of `(seed, profile, i)` like every generated record; number
//! `10000000 + i`, created in order of its number between six years before the history window
//! and a week before the clock start. About one in five was installed somewhere else before, so
//! it has two time slices: a closed one (`ValidityEndDate` the day before the move) and the
//! current one (`ValidityEndDate` 9999-12-31). The collection serves both, as SAP does; the
//! ground truth counts current slices only.
//!
//! Writes and churn go into an overlay keyed by equipment number. Base records are generated on
//! demand; a filtered read scans at most the equipment count (thousands, not millions).

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::{COMPANY_CODE, CURRENCY, MS_PER_DAY, PLANT, pick, record_rng, stream_key};
use crate::Profile;
use crate::sap::equipment::schema::*;
use crate::sap::odata::engine::Row;
use crate::sap::odata::value::{TICKS_PER_MS, TICKS_PER_SECOND, Ticks, Value};

/// The first equipment number (SAP best-practice data starts at `10000000`).
pub(crate) const FIRST_EQUIPMENT: u64 = 10_000_000;
/// The last number the internal range can hold (18 characters allow far more).
pub(crate) const LAST_EQUIPMENT: u64 = 99_999_999;
/// `ValidityEndDate` of every current time slice: 9999-12-31.
pub(crate) const OPEN_END_MS: i64 = 253_402_214_400_000;
pub(crate) const CONTROLLING_AREA: &str = "A000";

const TICKS_PER_DAY: i64 = MS_PER_DAY * TICKS_PER_MS;

/// The open end of time slices, as ticks.
pub(crate) fn open_end() -> Ticks {
    Ticks::from_millis(OPEN_END_MS)
}

/// Maintenance work centers of plant 1710 (8 characters, upper case).
pub(crate) const WORK_CENTERS: [&str; 6] = [
    "MECHANIC", "ELECTRIC", "INSTRMNT", "FACILITY", "UTILITY", "WELDSHOP",
];
/// Maintenance planner groups.
pub(crate) const PLANNER_GROUPS: [&str; 3] = ["010", "020", "030"];
/// Cost centers maintenance is charged to.
pub(crate) const COST_CENTERS: [&str; 4] = ["17101301", "17101302", "17101401", "17101402"];
/// Equipment categories of the plant: machines, test/measurement, production resources/tools.
pub(crate) const CATEGORIES: [&str; 3] = ["M", "Q", "P"];
const PLANT_SECTIONS: [&str; 3] = ["A01", "A02", "B01"];
const USERS: [&str; 4] = ["MPLANNER", "JHOLT", "RPATEL", "KSCHMIDT"];

/// Plant areas: the second level of the functional location structure.
const AREAS: [(&str, &str); 5] = [
    ("PRD", "Production line"),
    ("PKG", "Packaging line"),
    ("UTL", "Utilities unit"),
    ("WWT", "Wastewater treatment unit"),
    ("WHS", "Warehouse zone"),
];

/// A kind of technical object: type, category, names, makers and value bands.
struct ObjectKind {
    object_type: &'static str,
    category: &'static str,
    tag: &'static str,
    names: &'static [&'static str],
    /// Manufacturer and its country.
    makers: &'static [(&'static str, &'static str)],
    weight_kg: (i64, i64),
    value_usd: (i64, i64),
}

const KINDS: [ObjectKind; 10] = [
    ObjectKind {
        object_type: "PUMP",
        category: "M",
        tag: "P",
        names: &[
            "Centrifugal pump",
            "Dosing pump",
            "Submersible pump",
            "Vacuum pump",
        ],
        makers: &[
            ("Grundfos", "DK"),
            ("KSB", "DE"),
            ("Flowserve", "US"),
            ("Sulzer", "CH"),
        ],
        weight_kg: (25, 900),
        value_usd: (2_500, 85_000),
    },
    ObjectKind {
        object_type: "MOTOR",
        category: "M",
        tag: "M",
        names: &[
            "Electric motor 15 kW",
            "Electric motor 45 kW",
            "Gear motor",
            "Servo motor",
        ],
        makers: &[
            ("Siemens", "DE"),
            ("ABB", "CH"),
            ("WEG", "BR"),
            ("Baldor", "US"),
        ],
        weight_kg: (15, 600),
        value_usd: (900, 30_000),
    },
    ObjectKind {
        object_type: "COMPRESSOR",
        category: "M",
        tag: "K",
        names: &["Screw compressor", "Piston compressor"],
        makers: &[
            ("Atlas Copco", "SE"),
            ("Kaeser", "DE"),
            ("Ingersoll Rand", "US"),
        ],
        weight_kg: (300, 4_000),
        value_usd: (18_000, 240_000),
    },
    ObjectKind {
        object_type: "CONVEYOR",
        category: "M",
        tag: "CV",
        names: &["Belt conveyor", "Roller conveyor", "Screw conveyor"],
        makers: &[("Interroll", "CH"), ("Hytrol", "US"), ("Dorner", "US")],
        weight_kg: (150, 3_000),
        value_usd: (6_000, 120_000),
    },
    ObjectKind {
        object_type: "GEARBOX",
        category: "M",
        tag: "G",
        names: &["Helical gearbox", "Worm gearbox", "Bevel gearbox"],
        makers: &[
            ("SEW-Eurodrive", "DE"),
            ("Flender", "DE"),
            ("Bonfiglioli", "IT"),
        ],
        weight_kg: (20, 1_500),
        value_usd: (1_200, 45_000),
    },
    ObjectKind {
        object_type: "HEATEXCH",
        category: "M",
        tag: "E",
        names: &["Plate heat exchanger", "Shell and tube heat exchanger"],
        makers: &[("Alfa Laval", "SE"), ("Kelvion", "DE"), ("SWEP", "SE")],
        weight_kg: (80, 5_000),
        value_usd: (7_000, 150_000),
    },
    ObjectKind {
        object_type: "FAN",
        category: "M",
        tag: "F",
        names: &["Exhaust fan", "Cooling tower fan", "Supply air fan"],
        makers: &[
            ("ebm-papst", "DE"),
            ("Greenheck", "US"),
            ("Ziehl-Abegg", "DE"),
        ],
        weight_kg: (10, 800),
        value_usd: (800, 25_000),
    },
    ObjectKind {
        object_type: "VALVE",
        category: "M",
        tag: "V",
        names: &["Control valve", "Butterfly valve", "Safety relief valve"],
        makers: &[("Emerson", "US"), ("Samson", "DE"), ("Metso", "FI")],
        weight_kg: (2, 250),
        value_usd: (400, 18_000),
    },
    ObjectKind {
        object_type: "INSTRUMENT",
        category: "Q",
        tag: "PT",
        names: &[
            "Pressure transmitter",
            "Flow meter",
            "Temperature transmitter",
            "Level sensor",
        ],
        makers: &[("Endress+Hauser", "CH"), ("Yokogawa", "JP"), ("Vega", "DE")],
        weight_kg: (1, 30),
        value_usd: (300, 9_000),
    },
    ObjectKind {
        object_type: "TOOL",
        category: "P",
        tag: "T",
        names: &["Torque wrench set", "Hydraulic press tool", "Welding unit"],
        makers: &[("Hilti", "LI"), ("Bosch", "DE"), ("Lincoln Electric", "US")],
        weight_kg: (2, 200),
        value_usd: (300, 12_000),
    },
];

/// `day` plus `months` calendar months, the day before the anniversary (a warranty of 24
/// months from 2024-03-05 ends 2026-03-04).
fn add_months(day: Ticks, months: u32) -> Ticks {
    let Some(date) = day.to_datetime().map(|at| at.date_naive()) else {
        return day;
    };
    date.checked_add_months(chrono::Months::new(months))
        .and_then(|end| end.pred_opt())
        .and_then(|end| end.and_hms_opt(0, 0, 0))
        .map_or(day, |end| Ticks::from_datetime(end.and_utc()))
}

/// An index in `0..count`, skewed towards small indices.
fn skewed(rng: &mut ChaCha8Rng, count: u64) -> u64 {
    super::skewed_index(rng, count)
}

/// Midnight of the day `ticks` falls on.
fn day(ticks: Ticks) -> Ticks {
    ticks.start_of_day()
}

/// The functional locations of the plant: `1710-PRD-L01`, `1710-UTL-L02`, …, round-robin over
/// the areas; about one for every eight pieces of equipment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FunctionalLocations {
    count: u64,
}

impl FunctionalLocations {
    fn new(equipment: u64) -> Self {
        FunctionalLocations {
            count: (equipment / 8).clamp(5, 2_000),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The id of location `index`.
    pub(crate) fn id(&self, index: u64) -> String {
        let (area, _) = AREAS[usize::try_from(index % 5).unwrap_or(0)];
        format!("{PLANT}-{area}-L{:02}", index / 5 + 1)
    }

    /// The description of location `index`.
    pub(crate) fn name(&self, index: u64) -> String {
        let (_, name) = AREAS[usize::try_from(index % 5).unwrap_or(0)];
        format!("{name} {:02}", index / 5 + 1)
    }

    /// The index of a location id (as SAP stores it, upper case).
    pub(crate) fn find(&self, id: &str) -> Option<u64> {
        let upper = id.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix(PLANT)?.strip_prefix('-')?;
        let (area, line) = rest.split_once("-L")?;
        let area_index = AREAS.iter().position(|(code, _)| *code == area)? as u64;
        if line.len() < 2 || !line.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let line: u64 = line.parse().ok()?;
        let index = line
            .checked_sub(1)?
            .checked_mul(5)?
            .checked_add(area_index)?;
        (index < self.count && self.id(index) == upper).then_some(index)
    }
}

/// One piece of equipment: its time slices (oldest first; the last is current) and warranties.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EquipmentRecord {
    pub(crate) slices: Vec<Row>,
    pub(crate) warranties: Vec<Row>,
}

impl EquipmentRecord {
    /// The current time slice.
    pub(crate) fn current(&self) -> Option<&Row> {
        self.slices.last()
    }

    pub(crate) fn current_mut(&mut self) -> Option<&mut Row> {
        self.slices.last_mut()
    }

    pub(crate) fn last_change(&self) -> Ticks {
        self.current()
            .and_then(|row| row.get(E_LAST_CHANGE))
            .and_then(Value::as_ticks)
            .unwrap_or(Ticks(0))
    }

    pub(crate) fn is_deleted(&self) -> bool {
        self.current()
            .and_then(|row| row.get(E_DELETION_FLAG))
            .is_some_and(|flag| *flag == Value::Boolean(true))
    }
}

/// The base equipment as a function of `(seed, profile)`.
#[derive(Clone, Debug)]
pub(crate) struct EquipmentGenerator {
    key: [u8; 32],
    count: u64,
    oldest_s: i64,
    span_s: i64,
    clock_start_s: i64,
    history_start_s: i64,
    pub(crate) locations: FunctionalLocations,
}

impl EquipmentGenerator {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start_s = profile.clock_start.timestamp();
        let history_start_s = clock_start_s - i64::from(profile.history_days) * 86_400;
        let oldest_s = history_start_s - 6 * 365 * 86_400;
        let newest_s = clock_start_s - 7 * 86_400;
        let count = u64::from(profile.master_data.equipment);
        EquipmentGenerator {
            key: stream_key(seed, "equipment"),
            count,
            oldest_s,
            span_s: (newest_s - oldest_s).max(1),
            clock_start_s,
            history_start_s,
            locations: FunctionalLocations::new(count),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The number of base equipment `index`.
    pub(crate) fn number(index: u64) -> u64 {
        FIRST_EQUIPMENT + index
    }

    /// The base index of an equipment number.
    pub(crate) fn index_of(&self, number: u64) -> Option<u64> {
        let index = number.checked_sub(FIRST_EQUIPMENT)?;
        (index < self.count).then_some(index)
    }

    /// Creation and last change of base equipment `index`, cheap enough for scans.
    pub(crate) fn last_change(&self, index: u64) -> Ticks {
        let mut rng = record_rng(&self.key, index);
        self.draw_timing(&mut rng, index).last_change
    }

    fn draw_timing(&self, rng: &mut ChaCha8Rng, index: u64) -> EquipmentTiming {
        let count = i64::try_from(self.count.max(1)).unwrap_or(i64::MAX);
        let index_i = i64::try_from(index).unwrap_or(i64::MAX);
        let slot = i64::try_from(i128::from(index_i) * i128::from(self.span_s) / i128::from(count))
            .unwrap_or(0);
        let spacing = (self.span_s / count).max(1);
        let created_s = self.oldest_s + slot + rng.random_range(0..spacing);
        // One in five was moved: installed at its current place some time after creation.
        let moved = rng.random_bool(0.2);
        let age_s = (self.clock_start_s - created_s).max(2 * 86_400);
        let moved_s = created_s + rng.random_range(86_400..age_s);
        let moved_day_s = moved_s - moved_s.rem_euclid(86_400);
        let created_day_s = created_s - created_s.rem_euclid(86_400);
        let moved = moved && moved_day_s > created_day_s;
        let anchor_s = if moved { moved_s } else { created_s };
        // A quarter had their master data touched during the history window; the others were
        // last changed long ago, most soon after their creation or move.
        let recent = rng.random_bool(0.25);
        let u: f64 = rng.random();
        let changed_s = if recent {
            let from = self.history_start_s.max(anchor_s);
            from + ((self.clock_start_s - 1 - from).max(0) as f64 * u) as i64
        } else {
            anchor_s + ((self.clock_start_s - 1 - anchor_s).max(0) as f64 * u * u * u) as i64
        };
        EquipmentTiming {
            created: Ticks(created_s * TICKS_PER_SECOND),
            moved: moved.then_some(Ticks(moved_day_s * TICKS_PER_SECOND)),
            last_change: Ticks(changed_s.max(anchor_s) * TICKS_PER_SECOND),
        }
    }

    /// Base equipment `index`.
    pub(crate) fn record(&self, index: u64) -> EquipmentRecord {
        let mut rng = record_rng(&self.key, index);
        let timing = self.draw_timing(&mut rng, index);
        self.draw_record(&mut rng, Self::number(index), index, timing)
    }

    /// A brand-new piece of equipment created by churn at `now`.
    pub(crate) fn fresh_record(
        &self,
        rng: &mut ChaCha8Rng,
        number: u64,
        now: Ticks,
    ) -> EquipmentRecord {
        let timing = EquipmentTiming {
            created: now,
            moved: None,
            last_change: now,
        };
        let index = number.saturating_sub(FIRST_EQUIPMENT);
        self.draw_record(rng, number, index, timing)
    }

    fn draw_record(
        &self,
        rng: &mut ChaCha8Rng,
        number: u64,
        index: u64,
        timing: EquipmentTiming,
    ) -> EquipmentRecord {
        let kind = &KINDS[usize::try_from(skewed(rng, KINDS.len() as u64)).unwrap_or(0)];
        let name = pick(rng, kind.names);
        let (maker, country) = *pick(rng, kind.makers);
        let model = format!(
            "{}{}-{}",
            &maker[..2].to_ascii_uppercase(),
            rng.random_range(100..999),
            rng.random_range(1..40)
        );
        let serial = format!(
            "{}{:08}",
            &maker[..1].to_ascii_uppercase(),
            rng.random_range(0..100_000_000)
        );
        let part_number = format!("{}-{:05}", kind.object_type, rng.random_range(0..100_000));
        let weight = rng.random_range(kind.weight_kg.0 * 10..=kind.weight_kg.1 * 10);
        let value = rng.random_range(kind.value_usd.0..=kind.value_usd.1);
        let location = skewed(rng, self.locations.count());
        let previous_location = rng.random_range(0..self.locations.count());
        let work_center = *pick(rng, &WORK_CENTERS);
        let planner = *pick(rng, &PLANNER_GROUPS);
        let cost_center = *pick(rng, &COST_CENTERS);
        let section = *pick(rng, &PLANT_SECTIONS);
        let abc = *pick(rng, &["A", "B", "B", "C", "C", "C"]);
        let creator = *pick(rng, &USERS);
        let changer = *pick(rng, &USERS);
        let inactive = rng.random_bool(0.02);
        let deleted = inactive && rng.random_bool(0.5);
        // Sub-equipment (a motor under a pump) hangs under an older piece of equipment.
        let superior = (index > 10 && kind.object_type == "MOTOR" && rng.random_bool(0.3))
            .then(|| Self::number(rng.random_range(0..index)));
        let warranty_months = *pick(rng, &[0, 0, 12, 24, 36]);
        let construction = timing.created.to_datetime().map_or((2020, 1), |at| {
            use chrono::Datelike as _;
            (at.year() - rng.random_range(0..2), at.month())
        });
        let acquisition = day(timing.created);

        let mut row = vec![Value::Null; EQUIPMENT_PROPERTIES.len()];
        row[E_EQUIPMENT] = Value::string(number.to_string());
        row[E_VALIDITY_END] = Value::DateTime(open_end());
        row[E_VALIDITY_START] = Value::DateTime(day(timing.moved.unwrap_or(timing.created)));
        row[E_NAME] = Value::string(format!("{name} {}-{}", kind.tag, 1000 + index));
        row[E_CATEGORY] = Value::string(kind.category);
        row[E_OBJECT_TYPE] = Value::string(kind.object_type);
        row[E_GROSS_WEIGHT] = Value::Decimal(Decimal::new(weight * 100, 3));
        row[E_WEIGHT_UNIT] = Value::string("KG");
        row[E_INVENTORY_NUMBER] = Value::string(format!("INV-{number}"));
        row[E_STARTUP_DATE] = Value::DateTime(Ticks(acquisition.0 + 7 * TICKS_PER_DAY));
        row[E_ACQUISITION_VALUE] = Value::Decimal(Decimal::new(value * 1000, 3));
        row[E_CURRENCY] = Value::string(CURRENCY);
        row[E_ACQUISITION_DATE] = Value::DateTime(acquisition);
        row[E_MANUFACTURER] = Value::string(maker);
        row[E_MODEL] = Value::string(model);
        row[E_MANUFACTURER_COUNTRY] = Value::string(country);
        row[E_CONSTRUCTION_YEAR] = Value::string(construction.0.to_string());
        row[E_CONSTRUCTION_MONTH] = Value::string(format!("{:02}", construction.1));
        row[E_PART_NUMBER] = Value::string(part_number);
        row[E_MANUFACTURER_SERIAL] = Value::string(serial);
        row[E_MAINTENANCE_PLANT] = Value::string(PLANT);
        row[E_LOCATION] = Value::string(format!("{PLANT}-{section}"));
        row[E_ROOM] = Value::string("");
        row[E_PLANT_SECTION] = Value::string(section);
        row[E_ABC] = Value::string(abc);
        row[E_COMPANY_CODE] = Value::string(COMPANY_CODE);
        row[E_COST_CENTER] = Value::string(cost_center);
        row[E_CONTROLLING_AREA] = Value::string(CONTROLLING_AREA);
        row[E_PLANNING_PLANT] = Value::string(PLANT);
        row[E_PLANNER_GROUP] = Value::string(planner);
        row[E_WORK_CENTER] = Value::string(work_center);
        row[E_WORK_CENTER_PLANT] = Value::string(PLANT);
        row[E_FUNCTIONAL_LOCATION] = Value::string(self.locations.id(location));
        row[E_FUNCTIONAL_LOCATION_NAME] = Value::string(self.locations.name(location));
        row[E_POSITION] = Value::string("");
        row[E_SUPERIOR] = Value::string(superior.map(|n| n.to_string()).unwrap_or_default());
        row[E_MATERIAL] = Value::string("");
        row[E_SERIAL_NUMBER] = Value::string("");
        row[E_CREATION_DATE] = Value::DateTime(day(timing.created));
        row[E_CREATED_BY] = Value::string(creator);
        row[E_CHANGED_BY] = Value::string(if timing.last_change == timing.created {
            creator
        } else {
            changer
        });
        row[E_LAST_CHANGE] = Value::DateTimeOffset(timing.last_change);
        row[E_DELETION_FLAG] = Value::Boolean(deleted);
        row[E_INSTALLED] = Value::Boolean(true);
        row[E_INACTIVE] = Value::Boolean(inactive);

        let mut slices = Vec::with_capacity(2);
        if let Some(moved) = timing.moved {
            // The closed slice: where it stood before the move, until the day before.
            let mut previous = row.clone();
            previous[E_VALIDITY_START] = Value::DateTime(day(timing.created));
            previous[E_VALIDITY_END] = Value::DateTime(Ticks(moved.0 - TICKS_PER_DAY));
            let same = previous_location == location;
            previous[E_FUNCTIONAL_LOCATION] = Value::string(if same {
                String::new()
            } else {
                self.locations.id(previous_location)
            });
            previous[E_FUNCTIONAL_LOCATION_NAME] = Value::string(if same {
                String::new()
            } else {
                self.locations.name(previous_location)
            });
            previous[E_SUPERIOR] = Value::string("");
            previous[E_INSTALLED] = Value::Boolean(!same);
            slices.push(previous);
        }
        slices.push(row);

        let mut warranties = Vec::new();
        if warranty_months > 0 {
            let mut warranty = vec![Value::Null; WARRANTY_PROPERTIES.len()];
            warranty[W_EQUIPMENT] = Value::string(number.to_string());
            // Warranty type 2: the vendor's warranty to the plant.
            warranty[W_TYPE] = Value::string("2");
            warranty[W_MASTER] = Value::string(format!("MW-{}-{warranty_months}M", kind.tag));
            warranty[W_START] = Value::DateTime(acquisition);
            warranty[W_END] = Value::DateTime(add_months(acquisition, warranty_months));
            warranty[W_INHERITED] = Value::string("");
            warranty[W_PASSED_ON] = Value::string("X");
            warranties.push(warranty);
        }
        EquipmentRecord { slices, warranties }
    }
}

#[derive(Clone, Copy, Debug)]
struct EquipmentTiming {
    created: Ticks,
    /// The day the current time slice began, when the equipment was moved.
    moved: Option<Ticks>,
    last_change: Ticks,
}

/// Why an equipment churn request could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EquipmentChurnRefusal {
    NotEnough { requested: u64, available: u64 },
    NumberRangeExhausted,
}

/// All equipment: the generated base with the overlay of writes and churn on top.
/// Cloning copies the overlay only (the base is a function): cheap checkpoints.
#[derive(Clone, Debug)]
pub(crate) struct EquipmentBook {
    pub(crate) generator: EquipmentGenerator,
    overlay: BTreeMap<u64, EquipmentRecord>,
    /// The next number of the internal range.
    next_number: u64,
    churn_key: [u8; 32],
    churn_rounds: u64,
}

impl EquipmentBook {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let generator = EquipmentGenerator::new(seed, profile);
        EquipmentBook {
            next_number: FIRST_EQUIPMENT + generator.count(),
            generator,
            overlay: BTreeMap::new(),
            churn_key: stream_key(seed, "equipment-churn"),
            churn_rounds: 0,
        }
    }

    /// Every piece of equipment that exists.
    pub(crate) fn len(&self) -> u64 {
        let created = self
            .overlay
            .keys()
            .filter(|number| self.generator.index_of(**number).is_none())
            .count();
        self.generator.count() + created as u64
    }

    pub(crate) fn record(&self, number: u64) -> Option<EquipmentRecord> {
        if let Some(record) = self.overlay.get(&number) {
            return Some(record.clone());
        }
        self.generator
            .index_of(number)
            .map(|index| self.generator.record(index))
    }

    pub(crate) fn exists(&self, number: u64) -> bool {
        self.overlay.contains_key(&number) || self.generator.index_of(number).is_some()
    }

    /// The current slice of an equipment, by the number as clients write it.
    pub(crate) fn current(&self, id: &str) -> Option<Row> {
        let number = parse_equipment(id)?;
        self.record(number)?.current().cloned()
    }

    /// Stores a record (new or changed), shadowing any base record of the same number.
    pub(crate) fn store(&mut self, number: u64, record: EquipmentRecord) {
        self.overlay.insert(number, record);
    }

    /// Draws the next free number of the internal range.
    pub(crate) fn allocate_number(&mut self) -> Option<u64> {
        while self.exists(self.next_number) {
            self.next_number += 1;
        }
        if self.next_number > LAST_EQUIPMENT {
            return None;
        }
        let number = self.next_number;
        self.next_number += 1;
        Some(number)
    }

    /// Records in number order, starting after `after`; base records that last changed before
    /// `changed_since` are skipped without being generated. `visit` returns `false` to stop.
    pub(crate) fn scan(
        &self,
        after: Option<u64>,
        changed_since: Option<Ticks>,
        visit: &mut dyn FnMut(u64, EquipmentRecord) -> bool,
    ) {
        let count = self.generator.count();
        let mut index = after
            .map_or(0, |number| {
                number.saturating_add(1).saturating_sub(FIRST_EQUIPMENT)
            })
            .min(count);
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut overlay = self.overlay.range((lower, Bound::Unbounded)).peekable();
        loop {
            let base = (index < count).then(|| EquipmentGenerator::number(index));
            let shadow = overlay.peek().map(|(number, _)| **number);
            let (number, record) = match (base, shadow) {
                (None, None) => break,
                (Some(base), Some(shadow)) if shadow <= base => {
                    if shadow == base {
                        index += 1;
                    }
                    let Some((number, record)) = overlay.next() else {
                        break;
                    };
                    (*number, record.clone())
                }
                (None, Some(_)) => {
                    let Some((number, record)) = overlay.next() else {
                        break;
                    };
                    (*number, record.clone())
                }
                (Some(base), _) => {
                    let current = index;
                    index += 1;
                    if changed_since
                        .is_some_and(|since| self.generator.last_change(current) < since)
                    {
                        continue;
                    }
                    (base, self.generator.record(current))
                }
            };
            if changed_since.is_some_and(|since| record.last_change() < since) {
                continue;
            }
            if !visit(number, record) {
                break;
            }
        }
    }

    /// `(number, last change)` of every piece of equipment changed within `[since, until]`.
    pub(crate) fn changes(&self, since: Option<Ticks>, until: Option<Ticks>) -> Vec<(u64, Ticks)> {
        let within = |at: Ticks| since.is_none_or(|s| at >= s) && until.is_none_or(|u| at <= u);
        let mut changes = Vec::new();
        for index in 0..self.generator.count() {
            let number = EquipmentGenerator::number(index);
            if self.overlay.contains_key(&number) {
                continue;
            }
            let changed = self.generator.last_change(index);
            if within(changed) {
                changes.push((number, changed));
            }
        }
        for (number, record) in &self.overlay {
            if within(record.last_change()) {
                changes.push((*number, record.last_change()));
            }
        }
        changes.sort_unstable();
        changes
    }

    /// Changes `changed` pieces of equipment and creates `created` new ones, all at `now`; the
    /// choice follows the seed and the number of churn rounds before.
    pub(crate) fn churn(
        &mut self,
        changed: u64,
        created: u64,
        now: Ticks,
    ) -> Result<(Vec<u64>, Vec<u64>), EquipmentChurnRefusal> {
        let total = self.len();
        if changed > total {
            return Err(EquipmentChurnRefusal::NotEnough {
                requested: changed,
                available: total,
            });
        }
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let mut chosen: Vec<u64> = Vec::new();
        let mut seen: HashSet<u64> = HashSet::new();
        let mut attempts = 0_u64;
        let count = self.generator.count();
        while (chosen.len() as u64) < changed && attempts < changed.saturating_mul(20) + 100 {
            attempts += 1;
            let number = FIRST_EQUIPMENT + rng.random_range(0..count.max(1));
            if seen.insert(number) && self.record(number).is_some_and(|r| !r.is_deleted()) {
                chosen.push(number);
            }
        }
        if (chosen.len() as u64) < changed {
            // A sweep over everything (base and overlay) guarantees termination.
            let mut candidates = Vec::new();
            self.scan(None, None, &mut |number, record| {
                if !seen.contains(&number) && !record.is_deleted() {
                    candidates.push(number);
                }
                (chosen.len() + candidates.len()) as u64 <= changed
            });
            for number in candidates {
                if (chosen.len() as u64) < changed && seen.insert(number) {
                    chosen.push(number);
                }
            }
        }
        if (chosen.len() as u64) < changed {
            return Err(EquipmentChurnRefusal::NotEnough {
                requested: changed,
                available: chosen.len() as u64,
            });
        }
        for number in &chosen {
            if let Some(mut record) = self.record(*number) {
                if let Some(row) = record.current_mut() {
                    apply_churn_change(&mut rng, row);
                    row[E_LAST_CHANGE] = Value::DateTimeOffset(now);
                    row[E_CHANGED_BY] = Value::string("MPLANNER");
                }
                self.store(*number, record);
            }
        }
        let mut new_numbers = Vec::new();
        for _ in 0..created {
            let Some(number) = self.allocate_number() else {
                return Err(EquipmentChurnRefusal::NumberRangeExhausted);
            };
            let record = self.generator.fresh_record(&mut rng, number, now);
            self.store(number, record);
            new_numbers.push(number);
        }
        chosen.sort_unstable();
        Ok((chosen, new_numbers))
    }
}

/// A real master-data change: a rename, a new serial after a swap, a revaluation, a new room.
fn apply_churn_change(rng: &mut ChaCha8Rng, row: &mut [Value]) {
    let roll: f64 = rng.random();
    if roll < 0.4 {
        let current = row[E_NAME].as_str().unwrap_or_default().to_owned();
        let base = current.trim_end_matches(" (refurbished)").to_owned();
        let renamed = if current.ends_with(" (refurbished)") {
            base
        } else {
            format!("{base} (refurbished)")
        };
        row[E_NAME] = Value::string(renamed.chars().take(40).collect::<String>());
    } else if roll < 0.6 {
        row[E_MANUFACTURER_SERIAL] =
            Value::string(format!("R{:08}", rng.random_range(0..100_000_000)));
    } else if roll < 0.8 {
        let current = row[E_ACQUISITION_VALUE]
            .as_decimal()
            .unwrap_or(Decimal::ONE_THOUSAND);
        let factor = Decimal::new(rng.random_range(900..=1_100), 3);
        let mut next = (current * factor).round_dp(0);
        if next == current {
            next += Decimal::ONE;
        }
        next.rescale(3);
        row[E_ACQUISITION_VALUE] = Value::Decimal(next);
    } else {
        let room = format!("R{:03}", rng.random_range(1..400));
        let room = if row[E_ROOM].as_str() == Some(room.as_str()) {
            String::from("R400")
        } else {
            room
        };
        row[E_ROOM] = Value::string(room);
    }
}

/// Parses an equipment number as clients write it (`10000042` or ALPHA-padded
/// `000000000010000042`); the internal range is numeric.
pub(crate) fn parse_equipment(text: &str) -> Option<u64> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > 18 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Profile {
        Profile::builtin("tiny").expect("tiny")
    }

    #[test]
    fn records_are_pure_and_slices_are_consistent() {
        let a = EquipmentGenerator::new(7, &tiny());
        let b = EquipmentGenerator::new(7, &tiny());
        let start = Ticks::from_datetime(tiny().clock_start);
        let mut moved = 0;
        for index in 0..a.count() {
            let record = a.record(index);
            assert_eq!(record, b.record(index));
            let current = record.current().expect("current slice");
            assert_eq!(current[E_VALIDITY_END], Value::DateTime(open_end()));
            let changed = current[E_LAST_CHANGE].as_ticks().expect("stamp");
            assert_eq!(changed, a.last_change(index));
            assert!(changed < start);
            assert_eq!(
                changed.0 % TICKS_PER_SECOND,
                0,
                "Precision 0: whole seconds"
            );
            if let [previous, current] = record.slices.as_slice() {
                moved += 1;
                let end = previous[E_VALIDITY_END].as_ticks().expect("end");
                let begin = current[E_VALIDITY_START].as_ticks().expect("start");
                assert_eq!(end.0 + TICKS_PER_DAY, begin.0);
                assert!(changed >= begin);
            }
            let location = current[E_FUNCTIONAL_LOCATION].as_str().expect("location");
            assert!(a.locations.find(location).is_some(), "{location}");
        }
        assert!(moved > 0, "some equipment has a history");
        assert_ne!(
            EquipmentGenerator::new(8, &tiny()).record(3),
            a.record(3),
            "the seed matters"
        );
    }

    #[test]
    fn functional_locations_round_trip() {
        let locations = FunctionalLocations::new(60);
        for index in 0..locations.count() {
            assert_eq!(locations.find(&locations.id(index)), Some(index));
        }
        for bad in [
            "",
            "1710",
            "1710-XXX-L01",
            "1710-PRD-L00",
            "1710-PRD-L1",
            "1710-PRD-L99",
        ] {
            assert_eq!(locations.find(bad), None, "{bad}");
        }
        assert_eq!(locations.find("1710-prd-l01"), Some(0));
    }

    #[test]
    fn churn_changes_and_creates_at_now() {
        let mut book = EquipmentBook::new(7, &tiny());
        let now = Ticks::from_datetime(tiny().clock_start);
        let (changed, created) = book.churn(4, 2, now).expect("churn");
        assert_eq!((changed.len(), created.len()), (4, 2));
        assert_eq!(created[0], FIRST_EQUIPMENT + 60);
        for number in changed.iter().chain(&created) {
            assert_eq!(book.record(*number).expect("exists").last_change(), now);
        }
        assert_eq!(book.changes(Some(now), None).len(), 6);
        assert_eq!(book.len(), 62);
        assert!(book.churn(1_000, 0, now).is_err());
    }
}
