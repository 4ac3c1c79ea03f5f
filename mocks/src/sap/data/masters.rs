//! Master data the purchase orders refer to: suppliers (all set up for purchasing organisation
//! 1710) and materials. Both are generated on demand from the seed, like the orders, and can be
//! checked for membership without being materialised — a create naming an unknown supplier or
//! material is refused with SAP's message.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use super::{FIRST_SUPPLIER, MS_PER_DAY, pick, record_rng, stream_key};
use crate::Profile;
use crate::sap::odata::value::Ticks;

const SUPPLIER_PREFIXES: [&str; 16] = [
    "Pacific",
    "Golden Gate",
    "Sierra",
    "Bay Area",
    "Redwood",
    "Summit",
    "Cascade",
    "Mission",
    "Harbor",
    "Valley",
    "Northern",
    "Western",
    "Atlas",
    "Pioneer",
    "Frontier",
    "Keystone",
];
const SUPPLIER_TRADES: [&str; 16] = [
    "Industrial Supply",
    "Fasteners",
    "Metals",
    "Plastics",
    "Packaging",
    "Bearings",
    "Electric",
    "Hydraulics",
    "Chemicals",
    "Tooling",
    "Components",
    "Logistics",
    "Castings",
    "Polymers",
    "Instruments",
    "Safety Products",
];
const SUPPLIER_SUFFIXES: [&str; 5] = ["Inc.", "LLC", "Corp.", "Co.", "Ltd."];
const CITIES: [(&str, &str, &str, &str); 12] = [
    ("Palo Alto", "CA", "94304", "650"),
    ("San Jose", "CA", "95113", "408"),
    ("Fremont", "CA", "94538", "510"),
    ("Sacramento", "CA", "95814", "916"),
    ("Reno", "NV", "89501", "775"),
    ("Portland", "OR", "97204", "503"),
    ("Phoenix", "AZ", "85004", "602"),
    ("Denver", "CO", "80202", "303"),
    ("Dallas", "TX", "75201", "214"),
    ("Chicago", "IL", "60601", "312"),
    ("Columbus", "OH", "43215", "614"),
    ("Atlanta", "GA", "30303", "404"),
];
const STREETS: [&str; 8] = [
    "Industrial Way",
    "Commerce Drive",
    "Main Street",
    "Harbor Boulevard",
    "Technology Parkway",
    "Mill Road",
    "Foundry Lane",
    "Market Street",
];
const FIRST_NAMES: [&str; 12] = [
    "Dana", "Chris", "Alex", "Jordan", "Taylor", "Morgan", "Sam", "Jamie", "Robin", "Casey", "Lee",
    "Pat",
];
const LAST_NAMES: [&str; 12] = [
    "Fischer", "Nguyen", "Garcia", "Patel", "Johnson", "Kowalski", "Okafor", "Larsen", "Rossi",
    "Chen", "Murphy", "Silva",
];
pub(crate) const INCOTERMS: [&str; 4] = ["FOB", "EXW", "CIF", "DAP"];

/// Payment terms as SAP's `ZTERM` keys with their discount schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PaymentTerms {
    pub(crate) key: &'static str,
    pub(crate) discount1_days: i64,
    pub(crate) discount1_permille: i64,
    pub(crate) discount2_days: i64,
    pub(crate) discount2_permille: i64,
    pub(crate) net_days: i64,
}

pub(crate) const PAYMENT_TERMS: [PaymentTerms; 4] = [
    PaymentTerms {
        key: "0001",
        discount1_days: 0,
        discount1_permille: 0,
        discount2_days: 0,
        discount2_permille: 0,
        net_days: 0,
    },
    PaymentTerms {
        key: "0002",
        discount1_days: 14,
        discount1_permille: 2_000,
        discount2_days: 30,
        discount2_permille: 1_500,
        net_days: 45,
    },
    PaymentTerms {
        key: "NT30",
        discount1_days: 0,
        discount1_permille: 0,
        discount2_days: 0,
        discount2_permille: 0,
        net_days: 30,
    },
    PaymentTerms {
        key: "NT60",
        discount1_days: 0,
        discount1_permille: 0,
        discount2_days: 0,
        discount2_permille: 0,
        net_days: 60,
    },
];

/// What a purchase order takes over from its supplier's purchasing data.
#[derive(Clone, Debug)]
pub(crate) struct SupplierTerms {
    pub(crate) payment_terms: PaymentTerms,
    pub(crate) incoterms: &'static str,
    pub(crate) city: &'static str,
    pub(crate) sales_person: String,
    pub(crate) phone: String,
}

/// One supplier of the master.
#[derive(Clone, Debug)]
pub(crate) struct Supplier {
    pub(crate) number: String,
    pub(crate) name: String,
    pub(crate) terms: SupplierTerms,
    pub(crate) region: &'static str,
    pub(crate) postal_code: &'static str,
    pub(crate) street: String,
    pub(crate) created_at: Ticks,
    /// Second precision: business partners keep `LastChangeDate` + `LastChangeTime`.
    pub(crate) changed_at: Ticks,
}

/// The supplier master: numbers `17300001…`, all set up for purchasing organisation 1710.
#[derive(Clone, Debug)]
pub(crate) struct SupplierMaster {
    key: [u8; 32],
    count: u64,
    clock_start_ms: i64,
    oldest_ms: i64,
}

impl SupplierMaster {
    pub(super) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start_ms = profile.clock_start.timestamp_millis();
        // Suppliers were set up before the order history began, some of them years before.
        let oldest_ms = clock_start_ms - (i64::from(profile.history_days) + 3 * 365) * MS_PER_DAY;
        SupplierMaster {
            key: stream_key(seed, "supplier"),
            count: u64::from(profile.master_data.suppliers),
            clock_start_ms,
            oldest_ms,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn number(index: u64) -> String {
        (FIRST_SUPPLIER + index).to_string()
    }

    /// The master index of a supplier number, accepting the padded (ALPHA) form. Purchasing
    /// checks suppliers against the business partners (which include created ones); tests use
    /// this to check the base.
    #[cfg(test)]
    pub(crate) fn index_of(&self, number: &str) -> Option<u64> {
        let trimmed = number.trim();
        if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) || trimmed.len() > 10
        {
            return None;
        }
        let value: u64 = trimmed.parse().ok()?;
        let index = value.checked_sub(FIRST_SUPPLIER)?;
        (index < self.count).then_some(index)
    }

    pub(crate) fn terms(&self, index: u64) -> SupplierTerms {
        let mut rng = record_rng(&self.key, index);
        Self::draw_terms(&mut rng)
    }

    fn draw_terms(rng: &mut ChaCha8Rng) -> SupplierTerms {
        let payment_terms = *pick(rng, &PAYMENT_TERMS);
        let incoterms = *pick(rng, &INCOTERMS);
        let (city, _, _, area) = *pick(rng, &CITIES);
        let sales_person = format!("{} {}", pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES));
        let phone = format!("+1 {area} 555 {:04}", rng.random_range(0..10_000));
        SupplierTerms {
            payment_terms,
            incoterms,
            city,
            sales_person,
            phone,
        }
    }

    pub(crate) fn supplier(&self, index: u64) -> Supplier {
        let mut rng = record_rng(&self.key, index);
        let terms = Self::draw_terms(&mut rng);
        let (_, region, postal_code, _) = *CITIES
            .iter()
            .find(|(city, ..)| *city == terms.city)
            .unwrap_or(&CITIES[0]);
        let name = format!(
            "{} {} {}",
            pick(&mut rng, &SUPPLIER_PREFIXES),
            pick(&mut rng, &SUPPLIER_TRADES),
            pick(&mut rng, &SUPPLIER_SUFFIXES)
        );
        let street = format!(
            "{} {}",
            rng.random_range(10..9_990),
            pick(&mut rng, &STREETS)
        );
        let span = (self.clock_start_ms - self.oldest_ms).max(1);
        let created_ms = self.oldest_ms + rng.random_range(0..span) / 1000 * 1000;
        let u: f64 = rng.random();
        // Most master records were last touched long ago; a few recently.
        let since_created = (self.clock_start_ms - created_ms).max(0);
        let changed_ms =
            created_ms + ((1.0 - u * u * u) * since_created as f64) as i64 / 1000 * 1000;
        Supplier {
            number: Self::number(index),
            name,
            terms,
            region,
            postal_code,
            street,
            created_at: Ticks::from_millis(created_ms),
            changed_at: Ticks::from_millis(changed_ms.min(self.clock_start_ms)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Material master

/// A kind of material, with its number prefix, unit, group and price band (cents).
struct MaterialKind {
    prefix: &'static str,
    group: &'static str,
    storage_location: &'static str,
    price_cents: (i64, i64),
    /// Description and order unit.
    names: &'static [(&'static str, &'static str)],
}

const MATERIAL_KINDS: [MaterialKind; 4] = [
    MaterialKind {
        prefix: "RM",
        group: "RAW01",
        storage_location: "171A",
        price_cents: (80, 1_500),
        names: &[
            ("Stainless steel sheet 2 mm", "KG"),
            ("Aluminium rod 10 mm", "KG"),
            ("Carbon steel coil 1.5 mm", "KG"),
            ("Copper wire 1 mm", "KG"),
            ("Brass tube 25 mm", "KG"),
            ("Polypropylene granulate", "KG"),
            ("ABS granulate black", "KG"),
            ("Nylon 6 granulate", "KG"),
            ("HDPE granulate natural", "KG"),
            ("Steel plate 6 mm", "KG"),
        ],
    },
    MaterialKind {
        prefix: "SP",
        group: "SPARE01",
        storage_location: "171D",
        price_cents: (400, 85_000),
        names: &[
            ("Ball bearing 6204-2RS", "PC"),
            ("V-belt SPA 1250", "PC"),
            ("Hydraulic seal kit", "PC"),
            ("Proximity sensor M12", "PC"),
            ("Gear motor 0.75 kW", "PC"),
            ("Solenoid valve 24 V", "PC"),
            ("Timing belt HTD 8M", "PC"),
            ("Pneumatic cylinder 50x100", "PC"),
            ("Shaft coupling 24 mm", "PC"),
            ("Filter cartridge 10 micron", "PC"),
        ],
    },
    MaterialKind {
        prefix: "PK",
        group: "PACK01",
        storage_location: "171B",
        price_cents: (15, 400),
        names: &[
            ("Carton box 400x300x200", "EA"),
            ("Pallet wrap film 500 mm", "EA"),
            ("Wooden pallet 1200x800", "EA"),
            ("Foam insert 400x300", "EA"),
            ("Label roll 100x50", "EA"),
            ("Strapping band 12 mm", "EA"),
            ("Bubble bag 300x400", "EA"),
            ("Plastic crate 600x400", "EA"),
        ],
    },
    MaterialKind {
        prefix: "CS",
        group: "CONS01",
        storage_location: "171C",
        price_cents: (100, 6_000),
        names: &[
            ("Hydraulic oil HLP 46", "L"),
            ("Cutting fluid concentrate", "L"),
            ("Nitrile gloves size L", "EA"),
            ("Safety glasses clear", "EA"),
            ("Cleaning wipes industrial", "EA"),
            ("Grinding disc 125 mm", "PC"),
            ("Welding wire 1.0 mm", "KG"),
        ],
    },
];

/// Units of measure the plant orders in.
pub(crate) const UNITS: [&str; 4] = ["KG", "PC", "EA", "L"];

/// One material of the master.
#[derive(Clone, Debug)]
pub(crate) struct Material {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) unit: &'static str,
    pub(crate) group: &'static str,
    pub(crate) storage_location: &'static str,
    pub(crate) price_cents: i64,
    /// Consumables are charged to a cost center.
    pub(crate) consumable: bool,
}

/// The material master: ids like `RM10001`, `SP10001`; kind by index modulo four.
#[derive(Clone, Debug)]
pub(crate) struct MaterialMaster {
    key: [u8; 32],
    count: u64,
}

impl MaterialMaster {
    pub(super) fn new(seed: u64, profile: &Profile) -> Self {
        MaterialMaster {
            key: stream_key(seed, "material"),
            count: u64::from(profile.master_data.materials),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn material(&self, index: u64) -> Material {
        let kind_index = usize::try_from(index % 4).unwrap_or(0);
        let kind = &MATERIAL_KINDS[kind_index];
        let mut rng = record_rng(&self.key, index);
        let (name, unit) = *pick(&mut rng, kind.names);
        let variant = rng.random_range(1..=9);
        let price_cents = rng.random_range(kind.price_cents.0..=kind.price_cents.1);
        Material {
            id: format!("{}{}", kind.prefix, 10_001 + index / 4),
            description: format!("{name} V{variant}"),
            unit,
            group: kind.group,
            storage_location: kind.storage_location,
            price_cents,
            consumable: kind_index == 3,
        }
    }

    /// Looks a material up by id (upper case, as SAP stores it).
    pub(crate) fn find(&self, id: &str) -> Option<Material> {
        let upper = id.trim().to_ascii_uppercase();
        let kind_index = MATERIAL_KINDS
            .iter()
            .position(|kind| upper.starts_with(kind.prefix))?;
        let digits = &upper[2..];
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return None;
        }
        let number: u64 = digits.parse().ok()?;
        let index = number
            .checked_sub(10_001)?
            .checked_mul(4)?
            .checked_add(kind_index as u64)?;
        (index < self.count).then(|| self.material(index))
    }
}
