//! Assets (`mxapiasset`) with their meters (`assetmeter`).
//!
//! Asset `i` belongs to site `i mod sites` and stands at an operating location of that site;
//! its site, location, number and type are cheap functions of the index, so work orders can
//! name an asset and describe it without generating it. Assets are flat (no parent), as on
//! the real plant the reference probed; the hierarchy lives on locations. Most assets are
//! operating, some decommissioned, a few not ready or broken. Each asset was last reviewed at
//! an instant spread over the history, and changed within 30 days after that, so scans by
//! `changedate` read only the tail, as for work orders.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::super::schema::{
    ASSET, ASSET_METERS, ASSETMETER, MXAPIASSET, OsDef, Record, asset, assetmeter,
};
use super::super::value::Value;
use super::book::{Generator, Timing};
use super::masters::{LocationMaster, VendorCodes, VendorGenerator};
use super::{ORG, Spread, World, mix, money, number_base, pick, record_rng, stream_key};

/// A meter of an asset type: name, unit, reading type.
pub(crate) type Meter = (&'static str, &'static str, &'static str);
/// An asset type: description, `assettype`, meters.
pub(crate) type AssetType = (&'static str, &'static str, &'static [Meter]);

/// The asset types of the plant.
pub(crate) const ASSET_TYPES: [AssetType; 12] = [
    (
        "Centrifugal Pump",
        "PUMP",
        &[("RUNHOURS", "HOURS", "ACTUAL")],
    ),
    (
        "Air Compressor",
        "COMPRESSOR",
        &[("RUNHOURS", "HOURS", "ACTUAL")],
    ),
    (
        "Conveyor Drive",
        "CONVEYOR",
        &[("RUNHOURS", "HOURS", "ACTUAL")],
    ),
    (
        "Boiler Feed Pump",
        "PUMP",
        &[
            ("RUNHOURS", "HOURS", "ACTUAL"),
            ("VIBRATION", "IN/SEC", "ACTUAL"),
        ],
    ),
    (
        "Cooling Tower Fan",
        "FAN",
        &[("RUNHOURS", "HOURS", "ACTUAL")],
    ),
    (
        "Air Handling Unit",
        "HVAC",
        &[
            ("RUNHOURS", "HOURS", "ACTUAL"),
            ("TEMP-F", "DEG F", "ACTUAL"),
        ],
    ),
    (
        "Induction Motor",
        "MOTOR",
        &[("RUNHOURS", "HOURS", "ACTUAL")],
    ),
    ("Gearbox", "GEARBOX", &[("VIBRATION", "IN/SEC", "ACTUAL")]),
    (
        "Heat Exchanger",
        "EXCHANGER",
        &[("TEMP-F", "DEG F", "ACTUAL")],
    ),
    ("Control Valve", "VALVE", &[]),
    ("Forklift", "VEHICLE", &[("ENGHOURS", "HOURS", "DELTA")]),
    ("Pressure Transmitter", "INSTRUMENT", &[]),
];

const ASSET_DELAY_DAYS: i64 = 30;

/// The base assets.
#[derive(Clone)]
pub(crate) struct AssetGenerator {
    count: u64,
    first_number: u64,
    key: [u8; 32],
    spread: Spread,
    world: World,
    locations: LocationMaster,
    vendors: VendorCodes,
}

impl AssetGenerator {
    pub(crate) fn new(
        world: &World,
        count: u32,
        locations: &LocationMaster,
        vendors: &VendorGenerator,
    ) -> Self {
        let count = u64::from(count).max(1);
        AssetGenerator {
            count,
            first_number: number_base(count),
            key: stream_key(world.seed, "asset"),
            spread: Spread::new(world, count),
            world: world.clone(),
            locations: locations.clone(),
            vendors: vendors.codes.clone(),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn first_number(&self) -> u64 {
        self.first_number
    }

    pub(crate) fn assetnum(&self, index: u64) -> String {
        (self.first_number + index).to_string()
    }

    pub(crate) fn site(&self, index: u64) -> &str {
        self.world.site(index % self.world.site_count())
    }

    /// The index of the location asset `index` stands at.
    fn location_index(&self, index: u64) -> u64 {
        self.locations
            .at_site(index % self.world.site_count(), mix(&self.key, index, 3))
    }

    pub(crate) fn location(&self, index: u64) -> String {
        self.locations.code(self.location_index(index))
    }

    pub(crate) fn area(&self, index: u64) -> &'static str {
        self.locations.area_name(self.location_index(index))
    }

    pub(crate) fn type_of(&self, index: u64) -> &'static AssetType {
        &ASSET_TYPES
            [usize::try_from(mix(&self.key, index, 4) % ASSET_TYPES.len() as u64).unwrap_or(0)]
    }

    /// An asset of site position `site`, chosen by `draw`.
    pub(crate) fn at_site(&self, site: u64, draw: u64) -> u64 {
        let sites = self.world.site_count();
        let site = site % sites;
        let per_site = self.count / sites + u64::from(site < self.count % sites);
        (draw % per_site.max(1)) * sites + site
    }

    fn timing_rng(&self, index: u64) -> (ChaCha8Rng, Timing) {
        let mut rng = record_rng(&self.key, index);
        let created = self.spread.at(index, rng.random());
        let delay = if rng.random_bool(0.5) {
            0
        } else {
            rng.random_range(0..ASSET_DELAY_DAYS * 86_400)
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

impl Generator for AssetGenerator {
    fn os(&self) -> &'static OsDef {
        &MXAPIASSET
    }

    fn base_count(&self) -> u64 {
        self.count
    }

    fn timing(&self, index: u64) -> Option<Timing> {
        Some(self.timing_rng(index).1)
    }

    fn max_delay(&self) -> i64 {
        ASSET_DELAY_DAYS * 86_400
    }

    fn base_index(&self, keys: &[String]) -> Option<u64> {
        let [assetnum, site] = keys else { return None };
        if assetnum.len() != self.first_number.to_string().len() {
            return None;
        }
        let index = assetnum
            .parse::<u64>()
            .ok()?
            .checked_sub(self.first_number)?;
        (index < self.count && self.site(index) == site).then_some(index)
    }

    fn light(&self, index: u64, attr: usize) -> Option<Value> {
        match attr {
            asset::ASSETNUM => Some(Value::Str(self.assetnum(index))),
            asset::ASSETID => Some(Value::Int(self.unique_id(index))),
            asset::SITEID => Some(Value::str(self.site(index))),
            asset::ORGID => Some(Value::str(ORG)),
            asset::LOCATION => Some(Value::Str(self.location(index))),
            asset::ASSETTYPE => Some(Value::str(self.type_of(index).1)),
            asset::CHANGEDATE => Some(Value::Date(self.timing_rng(index).1.last_change)),
            _ => None,
        }
    }

    fn record(&self, index: u64) -> Record {
        let (mut rng, timing) = self.timing_rng(index);
        let (type_name, asset_type, meters) = *self.type_of(index);
        let status_roll: f64 = rng.random();
        let status = if status_roll < 0.80 {
            "OPERATING"
        } else if status_roll < 0.92 {
            "DECOMMISSIONED"
        } else if status_roll < 0.97 {
            "NOT READY"
        } else {
            "BROKEN"
        };
        let years_in_service = rng.random_range(0..15_i64);
        let install = self.world.window_start
            - years_in_service * 365 * 86_400
            - rng.random_range(0..300_i64) * 86_400;
        let price_cents: i64 = match asset_type {
            "INSTRUMENT" | "VALVE" => rng.random_range(80_000..900_000),
            "VEHICLE" | "COMPRESSOR" | "EXCHANGER" | "HVAC" => {
                rng.random_range(1_500_000..12_000_000)
            }
            _ => rng.random_range(300_000..4_500_000),
        };
        let manufacturer = self
            .vendors
            .code(rng.random_range(0..self.vendors.count().max(1)));
        let vendor = self
            .vendors
            .code(rng.random_range(0..self.vendors.count().max(1)));
        let ytd = price_cents / 100 * rng.random_range(0..8_i64);
        let mut record = ASSET.blank();
        let assetnum = self.assetnum(index);
        let site = self.site(index).to_owned();
        record.set(asset::ASSETNUM, Value::Str(assetnum.clone()));
        record.set(asset::ASSETID, Value::Int(self.unique_id(index)));
        record.set(asset::SITEID, Value::Str(site.clone()));
        record.set(asset::ORGID, Value::str(ORG));
        record.set(
            asset::DESCRIPTION,
            Value::Str(format!("{type_name} - {}", self.area(index))),
        );
        record.set(asset::STATUS, Value::str(status));
        record.set(
            asset::STATUSDATE,
            Value::Date(if status == "OPERATING" {
                install
            } else {
                timing.last_change
            }),
        );
        record.set(asset::LOCATION, Value::Str(self.location(index)));
        record.set(asset::ASSETTYPE, Value::str(asset_type));
        record.set(
            asset::SERIALNUM,
            Value::Str(format!("SN{:08X}", mix(&self.key, index, 5) & 0xFFFF_FFFF)),
        );
        record.set(asset::ASSETTAG, Value::Str(format!("T-{assetnum}")));
        record.set(asset::MANUFACTURER, Value::Str(manufacturer));
        record.set(asset::VENDOR, Value::Str(vendor));
        record.set(asset::INSTALLDATE, Value::Date(install));
        record.set(asset::PRIORITY, Value::Int(rng.random_range(1..=5)));
        record.set(asset::ISRUNNING, Value::Bool(status == "OPERATING"));
        record.set(asset::PURCHASEPRICE, money(price_cents));
        record.set(asset::REPLACECOST, money(price_cents / 100 * 125));
        record.set(
            asset::TOTALCOST,
            money(price_cents / 100 * (20 + years_in_service * 6)),
        );
        record.set(asset::BUDGETCOST, money(price_cents / 100 * 8));
        record.set(asset::YTDCOST, money(ytd));
        record.set(asset::CHANGEDATE, Value::Date(timing.last_change));
        record.set(
            asset::CHANGEBY,
            Value::str(*pick(&mut rng, &["MAXADMIN", "WILSON", "SMITH"])),
        );
        record.set(asset::DISABLED, Value::Bool(false));
        let hours_per_year = rng.random_range(2_000..8_400_i64);
        for (name, unit, reading_type) in meters {
            let mut meter = ASSETMETER.blank();
            let life = match *unit {
                "HOURS" => Decimal::from(hours_per_year * (years_in_service + 1)),
                "IN/SEC" => Decimal::new(rng.random_range(5..60), 2),
                _ => Decimal::from(rng.random_range(60..140_i64)),
            };
            meter.set(assetmeter::METERNAME, Value::str(*name));
            meter.set(assetmeter::LINEARASSETID, Value::Int(0));
            meter.set(assetmeter::ASSETNUM, Value::Str(assetnum.clone()));
            meter.set(assetmeter::SITEID, Value::Str(site.clone()));
            meter.set(assetmeter::MEASUREUNITID, Value::str(*unit));
            meter.set(assetmeter::READINGTYPE, Value::str(*reading_type));
            meter.set(assetmeter::LIFETODATE, Value::Dec(life));
            meter.set(assetmeter::LASTREADING, Value::Dec(life));
            meter.set(assetmeter::LASTREADINGDATE, Value::Date(timing.last_change));
            meter.set(assetmeter::ACTIVE, Value::Bool(true));
            meter.rowstamp = self.world.base_rowstamp(timing.last_change, index);
            record.children[ASSET_METERS].push(meter);
        }
        record.rowstamp = self.world.base_rowstamp(timing.last_change, index);
        record
    }
}
