//! Master data: operating locations and storerooms (LOCATIONS), the item master (ITEM), and
//! vendors (COMPANIES, served as `mxapivendor`).
//!
//! Locations and items are not served as object structures; they exist so that references
//! resolve (a work order's location, an inventory record's item), writes can be validated
//! against them (`BMXAA2661E`), and dotted paths like `location.description` work. Every
//! attribute is a cheap function of the index, so looking one up never draws a stream.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use super::super::schema::{
    COMPANIES, ITEM, LOCATIONS, MXAPIVENDOR, OsDef, Record, companies, item, locations,
};
use super::super::value::Value;
use super::book::{Generator, Timing};
use super::{ITEMSET, ORG, Spread, World, mix, pick, record_rng, stream_key};

/// Functional areas of the plant: location code prefix and name.
const AREAS: [(&str, &str); 8] = [
    ("BPM", "Boiler Plant"),
    ("CWS", "Cooling Water System"),
    ("HVAC", "HVAC"),
    ("PMP", "Pump House"),
    ("ELEC", "Electrical Distribution"),
    ("PKG", "Packaging Line"),
    ("CMP", "Compressed Air"),
    ("WTP", "Water Treatment"),
];

/// What a level of the location hierarchy is called (site → unit → system → subsystem).
const LEVELS: [&str; 5] = ["Site", "Unit", "System", "Subsystem", "Position"];

/// Operating locations of every site, in a hierarchy four wide (4-5 levels at plant size).
#[derive(Clone)]
pub(crate) struct LocationMaster {
    count: u64,
    sites: u64,
    world: World,
}

impl LocationMaster {
    pub(crate) fn new(world: &World, count: u32) -> Self {
        LocationMaster {
            count: u64::from(count).max(world.site_count()),
            sites: world.site_count(),
            world: world.clone(),
        }
    }

    fn area(&self, index: u64) -> (&'static str, &'static str) {
        // The area follows the unit (level 1 ancestor) so subtrees share a prefix.
        let local = index / self.sites;
        let mut unit = local;
        while unit > 4 {
            unit = (unit - 1) / 4;
        }
        AREAS[usize::try_from(unit % AREAS.len() as u64).unwrap_or(0)]
    }

    pub(crate) fn code(&self, index: u64) -> String {
        format!("{}{}", self.area(index).0, 1000 + index)
    }

    pub(crate) fn site(&self, index: u64) -> &str {
        self.world.site(index % self.sites)
    }

    fn parent(&self, index: u64) -> Option<u64> {
        let local = index / self.sites;
        (local > 0).then(|| ((local - 1) / 4) * self.sites + index % self.sites)
    }

    fn depth(&self, index: u64) -> usize {
        let mut local = index / self.sites;
        let mut depth = 0;
        while local > 0 {
            local = (local - 1) / 4;
            depth += 1;
        }
        depth
    }

    /// The index of an operating location at a site.
    pub(crate) fn index_of(&self, code: &str, site: &str) -> Option<u64> {
        let digits = code.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let number: u64 = digits.parse().ok()?;
        let index = number.checked_sub(1000)?;
        (index < self.count && self.code(index) == code && self.site(index) == site)
            .then_some(index)
    }

    /// Operating locations at site position `site` (for picking one).
    pub(crate) fn at_site(&self, site: u64, draw: u64) -> u64 {
        let site = site % self.sites;
        let locals = self.count / self.sites + u64::from(site < self.count % self.sites);
        (draw % locals.max(1)) * self.sites + site
    }

    /// Whether `code` names a location (operating location or storeroom) at `site`.
    pub(crate) fn exists(&self, code: &str, site: &str) -> bool {
        self.record(code, site).is_some()
    }

    pub(crate) fn is_storeroom(&self, code: &str, site: &str) -> bool {
        self.world.site_position(site).is_some() && self.world.storerooms().contains(&code)
    }

    /// The LOCATIONS record of `code` at `site`.
    pub(crate) fn record(&self, code: &str, site: &str) -> Option<Record> {
        let mut record = LOCATIONS.blank();
        if self.is_storeroom(code, site) {
            record.set(locations::LOCATION, Value::str(code));
            record.set(locations::SITEID, Value::str(site));
            record.set(locations::ORGID, Value::str(ORG));
            record.set(
                locations::DESCRIPTION,
                Value::Str(format!("{} Storeroom", title_case(code))),
            );
            record.set(locations::STATUS, Value::str("OPERATING"));
            record.set(locations::TYPE, Value::str("STOREROOM"));
            return Some(record);
        }
        let index = self.index_of(code, site)?;
        let (_, area) = self.area(index);
        let level = LEVELS[self.depth(index).min(LEVELS.len() - 1)];
        record.set(locations::LOCATION, Value::Str(self.code(index)));
        record.set(locations::SITEID, Value::str(site));
        record.set(locations::ORGID, Value::str(ORG));
        record.set(
            locations::DESCRIPTION,
            Value::Str(format!("{area} {level} {}", 1000 + index)),
        );
        record.set(locations::STATUS, Value::str("OPERATING"));
        record.set(locations::TYPE, Value::str("OPERATING"));
        record.set(
            locations::PARENT,
            Value::opt_str(self.parent(index).map(|p| self.code(p))),
        );
        Some(record)
    }

    /// A short description of a location, for work order texts.
    pub(crate) fn area_name(&self, index: u64) -> &'static str {
        self.area(index).1
    }
}

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// An item kind: noun, variants, unit, price range in cents, commodity group.
type ItemKind = (
    &'static str,
    &'static [&'static str],
    &'static str,
    (i64, i64),
    &'static str,
);

/// The item kinds of the plant's stores.
const ITEM_KINDS: [ItemKind; 14] = [
    (
        "Bearing, Ball",
        &["6203-2RS", "6205-2RS", "6207-ZZ", "6309-2RS"],
        "EA",
        (800, 6_000),
        "BRG",
    ),
    (
        "Filter, Oil",
        &["Spin-on 3/4-16", "Cartridge 10um", "Element HF-35"],
        "EA",
        (1_200, 9_000),
        "FLT",
    ),
    (
        "Filter, Air",
        &["20x20x2 MERV 8", "24x24x4 MERV 13", "Panel 16x25x1"],
        "EA",
        (500, 4_000),
        "FLT",
    ),
    (
        "Gasket, Flange",
        &["2in 150# Spiral", "4in 300# Spiral", "6in Ring"],
        "EA",
        (300, 2_500),
        "SEAL",
    ),
    (
        "V-Belt",
        &["A42", "B56", "BX68", "3V630"],
        "EA",
        (900, 4_500),
        "PT",
    ),
    (
        "Seal, Mechanical",
        &["1.375in Type 21", "1.875in Cartridge", "2.125in Split"],
        "EA",
        (9_000, 60_000),
        "SEAL",
    ),
    (
        "Grease, Bearing",
        &["EP2 14oz Tube", "Polyurea 35lb Pail"],
        "EA",
        (600, 25_000),
        "LUB",
    ),
    (
        "Oil, Hydraulic",
        &["ISO 46", "ISO 68"],
        "GAL",
        (1_500, 4_000),
        "LUB",
    ),
    (
        "Fuse",
        &["30A Class RK5", "60A Class J", "100A Class J"],
        "EA",
        (300, 6_000),
        "ELEC",
    ),
    (
        "Motor, Electric",
        &["1HP 1800RPM TEFC", "5HP 1800RPM TEFC", "25HP 1800RPM TEFC"],
        "EA",
        (25_000, 450_000),
        "ELEC",
    ),
    (
        "Valve, Ball",
        &["1in SS 3-pc", "2in CS Flanged", "0.5in Brass"],
        "EA",
        (2_500, 60_000),
        "VLV",
    ),
    (
        "Pipe, Carbon Steel",
        &["2in SCH40", "4in SCH40"],
        "FT",
        (400, 3_000),
        "PIPE",
    ),
    (
        "Bolt, Hex",
        &["1/2-13x2 Gr8", "3/4-10x3 Gr5"],
        "BOX",
        (1_500, 8_000),
        "FAST",
    ),
    (
        "Sensor, Temperature",
        &["RTD PT100 6in", "Type K Thermocouple"],
        "EA",
        (4_000, 25_000),
        "INST",
    ),
];

/// One item of the item master, as its attributes.
#[derive(Clone, Debug)]
pub(crate) struct ItemFacts {
    pub(crate) itemnum: String,
    pub(crate) description: String,
    pub(crate) unit: &'static str,
    pub(crate) price_cents: i64,
    pub(crate) group: &'static str,
    pub(crate) rotating: bool,
    pub(crate) active: bool,
}

/// The item master of item set `SET1`; item numbers look like `0-0006`.
#[derive(Clone)]
pub(crate) struct ItemMaster {
    count: u64,
    key: [u8; 32],
}

impl ItemMaster {
    pub(crate) fn new(world: &World, count: u32) -> Self {
        ItemMaster {
            count: u64::from(count).max(1),
            key: stream_key(world.seed, "item"),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn itemnum(index: u64) -> String {
        format!("{}-{:04}", index / 10_000, index % 10_000)
    }

    pub(crate) fn index_of(&self, itemnum: &str) -> Option<u64> {
        let (high, low) = itemnum.split_once('-')?;
        if low.len() != 4
            || high.is_empty()
            || !(high.bytes().chain(low.bytes()).all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let index = high.parse::<u64>().ok()? * 10_000 + low.parse::<u64>().ok()?;
        (index < self.count && Self::itemnum(index) == itemnum).then_some(index)
    }

    pub(crate) fn facts(&self, index: u64) -> ItemFacts {
        let hash = mix(&self.key, index, 1);
        let kind = &ITEM_KINDS[usize::try_from(hash % ITEM_KINDS.len() as u64).unwrap_or(0)];
        let variants = kind.1;
        let variant = variants[usize::try_from((hash >> 8) % variants.len() as u64).unwrap_or(0)];
        let (low, high) = kind.3;
        let spread = u64::try_from(high - low).unwrap_or(1).max(1);
        ItemFacts {
            itemnum: Self::itemnum(index),
            description: format!("{}, {variant}", kind.0),
            unit: kind.2,
            price_cents: low + i64::try_from((hash >> 16) % spread).unwrap_or(0),
            group: kind.4,
            rotating: kind.0.starts_with("Motor"),
            active: (hash >> 40) % 100 >= 3,
        }
    }

    pub(crate) fn record(&self, itemnum: &str) -> Option<Record> {
        let facts = self.facts(self.index_of(itemnum)?);
        let mut record = ITEM.blank();
        record.set(item::ITEMNUM, Value::Str(facts.itemnum));
        record.set(item::ITEMSETID, Value::str(ITEMSET));
        record.set(item::DESCRIPTION, Value::Str(facts.description));
        record.set(item::ORDERUNIT, Value::str(facts.unit));
        record.set(item::ISSUEUNIT, Value::str(facts.unit));
        record.set(
            item::STATUS,
            Value::str(if facts.active { "ACTIVE" } else { "PLANNING" }),
        );
        record.set(item::ROTATING, Value::Bool(facts.rotating));
        record.set(item::COMMODITYGROUP, Value::str(facts.group));
        Some(record)
    }
}

/// Vendor name stems (upper-cased into the company code) and suffixes.
const VENDOR_STEMS: [&str; 24] = [
    "Allied",
    "Apex",
    "Bearing",
    "Summit",
    "Granite",
    "Keystone",
    "Liberty",
    "Midwest",
    "Northern",
    "Pioneer",
    "Precision",
    "Quality",
    "Reliable",
    "Sterling",
    "Superior",
    "United",
    "Valley",
    "Atlas",
    "Beacon",
    "Coastal",
    "Delta",
    "Eagle",
    "Frontier",
    "Heritage",
];
const VENDOR_SUFFIXES: [&str; 8] = [
    "Industrial Supply",
    "Mechanical Services",
    "Electric Co.",
    "Bearing & Transmission",
    "Fluid Power",
    "Safety Products",
    "Instrumentation",
    "Maintenance Supply",
];
const CITIES: [(&str, &str, &str); 8] = [
    ("Bedford", "MA", "01730"),
    ("Nashua", "NH", "03060"),
    ("Worcester", "MA", "01608"),
    ("Manchester", "NH", "03101"),
    ("Laredo", "TX", "78040"),
    ("Albany", "NY", "12207"),
    ("Providence", "RI", "02903"),
    ("Hartford", "CT", "06103"),
];
const PAYMENT_TERMS: [&str; 3] = ["NET30", "NET45", "2-10NET30"];
const STREETS: [&str; 6] = [
    "Industrial Pkwy",
    "Commerce Dr",
    "Enterprise Way",
    "Mill St",
    "Technology Blvd",
    "Harbor Rd",
];
const VENDOR_DELAY_DAYS: i64 = 30;

/// The company codes of the base vendors (`ALLIED10000`), a cheap function of the index, shared
/// by everything that references a vendor.
#[derive(Clone, Debug)]
pub(crate) struct VendorCodes {
    count: u64,
    key: [u8; 32],
}

impl VendorCodes {
    fn stem(&self, index: u64) -> &'static str {
        VENDOR_STEMS
            [usize::try_from(mix(&self.key, index, 2) % VENDOR_STEMS.len() as u64).unwrap_or(0)]
    }

    /// The company code of vendor `index`: up to six letters of its name and a number, within
    /// the twelve characters of COMPANIES.COMPANY.
    pub(crate) fn code(&self, index: u64) -> String {
        let stem: String = self.stem(index).chars().take(6).collect();
        format!("{}{}", stem.to_ascii_uppercase(), 10_000 + index)
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn index_of(&self, code: &str) -> Option<u64> {
        let digits = code.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let index = digits.parse::<u64>().ok()?.checked_sub(10_000)?;
        (index < self.count && self.code(index) == code).then_some(index)
    }
}

/// Vendors (COMPANIES of type `V`).
pub(crate) struct VendorGenerator {
    pub(crate) codes: VendorCodes,
    key: [u8; 32],
    spread: Spread,
    world: World,
}

impl VendorGenerator {
    pub(crate) fn new(world: &World, count: u32) -> Self {
        let count = u64::from(count).max(1);
        let key = stream_key(world.seed, "vendor");
        VendorGenerator {
            codes: VendorCodes { count, key },
            key,
            spread: Spread::new(world, count),
            world: world.clone(),
        }
    }

    /// The timing draws come first in a vendor's stream; the rest of the record follows.
    fn timing_rng(&self, index: u64) -> (ChaCha8Rng, Timing) {
        let mut rng = record_rng(&self.key, index);
        let created = self.spread.at(index, rng.random());
        let delay = if rng.random_bool(0.5) {
            0
        } else {
            rng.random_range(0..VENDOR_DELAY_DAYS * 86_400)
        };
        let last_change = (created + delay)
            .min(self.world.clock_start - 1)
            .max(created);
        (
            rng,
            Timing {
                created,
                last_change,
            },
        )
    }
}

impl Generator for VendorGenerator {
    fn os(&self) -> &'static OsDef {
        &MXAPIVENDOR
    }

    fn base_count(&self) -> u64 {
        self.codes.count
    }

    fn timing(&self, index: u64) -> Option<Timing> {
        Some(self.timing_rng(index).1)
    }

    fn max_delay(&self) -> i64 {
        VENDOR_DELAY_DAYS * 86_400
    }

    fn base_index(&self, keys: &[String]) -> Option<u64> {
        let [code, org] = keys else { return None };
        if org != ORG {
            return None;
        }
        self.codes.index_of(code)
    }

    fn light(&self, index: u64, attr: usize) -> Option<Value> {
        match attr {
            companies::COMPANY => Some(Value::Str(self.codes.code(index))),
            companies::COMPANIESID => Some(Value::Int(self.unique_id(index))),
            companies::ORGID => Some(Value::str(ORG)),
            companies::CHANGEDATE => self.timing(index).map(|t| Value::Date(t.last_change)),
            _ => None,
        }
    }

    fn record(&self, index: u64) -> Record {
        let (mut rng, timing) = self.timing_rng(index);
        let stem = self.codes.stem(index);
        let suffix = pick(&mut rng, &VENDOR_SUFFIXES);
        let (city, state, zip) = *pick(&mut rng, &CITIES);
        let street = pick(&mut rng, &STREETS);
        let mut record = COMPANIES.blank();
        record.set(companies::COMPANY, Value::Str(self.codes.code(index)));
        record.set(companies::COMPANIESID, Value::Int(self.unique_id(index)));
        record.set(companies::ORGID, Value::str(ORG));
        record.set(companies::NAME, Value::Str(format!("{stem} {suffix}")));
        record.set(companies::TYPE, Value::str("V"));
        record.set(companies::CURRENCYCODE, Value::str(super::CURRENCY));
        record.set(
            companies::ADDRESS1,
            Value::Str(format!("{} {street}", rng.random_range(10..9_999))),
        );
        record.set(companies::CITY, Value::str(city));
        record.set(companies::STATEPROVINCE, Value::str(state));
        record.set(companies::ZIP, Value::str(zip));
        record.set(companies::COUNTRY, Value::str("US"));
        let exchange = rng.random_range(200..999);
        let line = rng.random_range(1_000..9_999);
        record.set(
            companies::PHONE,
            Value::Str(format!("617-{exchange}-{line}")),
        );
        if rng.random_bool(0.6) {
            record.set(
                companies::FAX,
                Value::Str(format!("617-{exchange}-{}", line + 1)),
            );
        }
        record.set(
            companies::HOMEPAGE,
            Value::Str(format!("www.{}.com", stem.to_ascii_lowercase())),
        );
        record.set(
            companies::PAYMENTTERMS,
            Value::str(*pick(&mut rng, &PAYMENT_TERMS)),
        );
        record.set(companies::DISABLED, Value::Bool(rng.random_bool(0.02)));
        record.set(companies::CHANGEDATE, Value::Date(timing.last_change));
        record.set(companies::CHANGEBY, Value::str("MAXADMIN"));
        record.rowstamp = self.world.base_rowstamp(timing.last_change, index);
        record
    }
}
