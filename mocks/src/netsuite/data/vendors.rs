//! Vendors: generated from `(seed, profile, index)` with an overlay of writes and churn.
//!
//! Vendor `i` has internal id `FIRST_VENDOR + i`. Most vendors were set up long before the
//! history window; about half were edited since (`lastModifiedDate` inside the window). New
//! vendors (POST, upsert, churn) take the next ids. Vendors are never deleted here: NetSuite
//! refuses to delete a vendor that has transactions, and every generated vendor may have some.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use super::{SECONDS_PER_DAY, Stamp, pick, record_rng, stream_key};
use crate::Profile;

/// The internal id of the first generated vendor.
pub(crate) const FIRST_VENDOR: u64 = 100_001;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Vendor {
    pub(crate) id: u64,
    pub(crate) entity_id: String,
    pub(crate) company_name: String,
    pub(crate) legal_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) is_inactive: bool,
    pub(crate) subsidiary: u32,
    pub(crate) currency: u32,
    pub(crate) date_created: Stamp,
    pub(crate) last_modified: Stamp,
    pub(crate) external_id: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) state: Option<String>,
}

const PREFIXES: [&str; 30] = [
    "Apex",
    "Summit",
    "Pioneer",
    "Keystone",
    "Atlas",
    "Beacon",
    "Cascade",
    "Delta",
    "Evergreen",
    "Frontier",
    "Granite",
    "Harbor",
    "Ironwood",
    "Liberty",
    "Meridian",
    "Northstar",
    "Orion",
    "Pinnacle",
    "Quantum",
    "Redwood",
    "Sierra",
    "Titan",
    "Unity",
    "Vanguard",
    "Westfield",
    "Allied",
    "Precision",
    "Continental",
    "Midwest",
    "Coastal",
];
const TRADES: [&str; 20] = [
    "Industrial Supply",
    "Bearing & Drive",
    "Fastener",
    "Electrical",
    "Hydraulics",
    "Packaging",
    "Steel",
    "Chemicals",
    "Safety Products",
    "Tooling",
    "Automation",
    "Plastics",
    "Machine Works",
    "Lubricants",
    "Pneumatics",
    "Filtration",
    "Welding Supply",
    "Motion Control",
    "Abrasives",
    "Logistics",
];
const SUFFIXES: [&str; 8] = [
    "Inc.", "LLC", "Co.", "Corp.", "Ltd.", "Group", "Company", "& Sons",
];
const CITIES: [(&str, &str); 10] = [
    ("Grand Prairie", "TX"),
    ("Cleveland", "OH"),
    ("Milwaukee", "WI"),
    ("Charlotte", "NC"),
    ("Denver", "CO"),
    ("Portland", "OR"),
    ("Indianapolis", "IN"),
    ("Toronto", "ON"),
    ("Hamburg", ""),
    ("Birmingham", ""),
];

/// The generated vendors as a function of `(seed, profile)`.
#[derive(Clone, Debug)]
pub(crate) struct VendorGenerator {
    key: [u8; 32],
    count: u64,
    window_start: i64,
    clock_start: i64,
}

impl VendorGenerator {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start = profile.clock_start.timestamp();
        VendorGenerator {
            key: stream_key(seed, "vendor"),
            count: u64::from(profile.master_data.suppliers),
            window_start: clock_start - i64::from(profile.history_days) * SECONDS_PER_DAY,
            clock_start,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The currency of vendor `index`, drawn first so purchase orders can read it cheaply.
    fn draw_currency(rng: &mut ChaCha8Rng) -> u32 {
        match rng.random_range(0..100) {
            0..85 => 1,
            85..93 => 2,
            93..98 => 3,
            _ => 4,
        }
    }

    pub(crate) fn currency(&self, index: u64) -> u32 {
        Self::draw_currency(&mut record_rng(&self.key, index))
    }

    pub(crate) fn vendor(&self, index: u64) -> Vendor {
        let mut rng = record_rng(&self.key, index);
        let currency = Self::draw_currency(&mut rng);
        let created_days = rng.random_range(30..1_500);
        let date_created = Stamp(
            self.window_start
                - created_days * SECONDS_PER_DAY
                - rng.random_range(0..SECONDS_PER_DAY),
        )
        .floor_minute();
        let last_modified = if rng.random_bool(0.5) {
            date_created
        } else {
            // An edit some time in the last two hundred days (or the window, if longer).
            let from = date_created
                .0
                .max(self.window_start - 200 * SECONDS_PER_DAY);
            let until = self.clock_start - 60;
            Stamp(rng.random_range(from..until.max(from + 1))).floor_minute()
        };
        Self::draw_body(
            &mut rng,
            FIRST_VENDOR + index,
            currency,
            date_created,
            last_modified,
        )
    }

    fn draw_body(
        rng: &mut ChaCha8Rng,
        id: u64,
        currency: u32,
        date_created: Stamp,
        last_modified: Stamp,
    ) -> Vendor {
        let prefix = pick(rng, &PREFIXES);
        let trade = pick(rng, &TRADES);
        let suffix = pick(rng, &SUFFIXES);
        let company_name = format!("{prefix} {trade} {suffix}");
        let slug: String = format!("{prefix}{trade}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let (city, state) = match currency {
            2 => CITIES[7],
            3 => CITIES[8],
            4 => CITIES[9],
            _ => *pick(rng, &CITIES[..7]),
        };
        let email = rng
            .random_bool(0.9)
            .then(|| format!("ap@{slug}.example.com"));
        let phone = rng.random_bool(0.8).then(|| {
            format!(
                "(555) 01{}-{:04}",
                rng.random_range(0..10),
                rng.random_range(0..10_000)
            )
        });
        let legal_name = rng
            .random_bool(0.6)
            .then(|| format!("{prefix} {trade} Holdings {suffix}"));
        Vendor {
            id,
            entity_id: format!("V{:05}", id - FIRST_VENDOR + 1),
            company_name,
            legal_name,
            email,
            phone,
            is_inactive: rng.random_bool(0.03),
            subsidiary: 1,
            currency,
            date_created,
            last_modified,
            external_id: None,
            city: Some(city.to_owned()),
            state: (!state.is_empty()).then(|| state.to_owned()),
        }
    }
}

/// Why a vendor churn could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VendorChurnRefusal {
    NotEnoughVendors { requested: u64, available: u64 },
}

/// All vendors: generated ones with the overlay of writes and churn on top.
#[derive(Clone, Debug)]
pub(crate) struct VendorBook {
    pub(crate) generator: VendorGenerator,
    overlay: BTreeMap<u64, Vendor>,
    deleted: BTreeSet<u64>,
    created: u64,
    external: HashMap<String, u64>,
    churn_rounds: u64,
    churn_key: [u8; 32],
}

impl VendorBook {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        VendorBook {
            generator: VendorGenerator::new(seed, profile),
            overlay: BTreeMap::new(),
            deleted: BTreeSet::new(),
            created: 0,
            external: HashMap::new(),
            churn_rounds: 0,
            churn_key: stream_key(seed, "vendor-churn"),
        }
    }

    /// How many vendors exist.
    pub(crate) fn len(&self) -> u64 {
        self.generator.count + self.created
    }

    /// One past the highest id in use.
    pub(crate) fn end_id(&self) -> u64 {
        FIRST_VENDOR + self.len()
    }

    pub(crate) fn get(&self, id: u64) -> Option<Vendor> {
        if self.deleted.contains(&id) {
            return None;
        }
        if let Some(vendor) = self.overlay.get(&id) {
            return Some(vendor.clone());
        }
        let index = id.checked_sub(FIRST_VENDOR)?;
        (index < self.generator.count).then(|| self.generator.vendor(index))
    }

    /// Whether the vendor is one of the generated set (which transactions may refer to).
    pub(crate) fn is_generated(&self, id: u64) -> bool {
        id.checked_sub(FIRST_VENDOR)
            .is_some_and(|index| index < self.generator.count)
    }

    /// Deletes a vendor.
    pub(crate) fn delete(&mut self, id: u64) {
        if let Some(vendor) = self.overlay.remove(&id)
            && let Some(external) = vendor.external_id
        {
            self.external.remove(&external);
        }
        self.deleted.insert(id);
    }

    pub(crate) fn by_external_id(&self, external: &str) -> Option<u64> {
        self.external.get(external).copied()
    }

    /// Allocates the id of a new vendor.
    pub(crate) fn allocate(&mut self) -> u64 {
        let id = self.end_id();
        self.created += 1;
        id
    }

    /// Stores a new or changed vendor (its external id becomes findable).
    pub(crate) fn store(&mut self, vendor: Vendor) {
        if let Some(previous) = self.overlay.get(&vendor.id)
            && let Some(old) = &previous.external_id
        {
            self.external.remove(old);
        }
        if let Some(external) = &vendor.external_id {
            self.external.insert(external.clone(), vendor.id);
        }
        self.overlay.insert(vendor.id, vendor);
    }

    /// Vendors by id from `from` (inclusive); `visit` returns `false` to stop.
    pub(crate) fn scan(&self, from: u64, visit: &mut dyn FnMut(Vendor) -> bool) {
        let mut id = from.max(FIRST_VENDOR);
        let end = self.end_id();
        while id < end {
            if let Some(vendor) = self.get(id)
                && !visit(vendor)
            {
                return;
            }
            id += 1;
        }
    }

    /// A new vendor drawn for churn or a create: the generated shape at `now`.
    pub(crate) fn fresh(&mut self, rng: &mut ChaCha8Rng, now: Stamp) -> Vendor {
        let id = self.allocate();
        let currency = VendorGenerator::draw_currency(rng);
        VendorGenerator::draw_body(rng, id, currency, now, now)
    }

    /// Changes `changed` vendors and creates `created` new ones, all at `now`. The choice is a
    /// function of the seed and how many churn rounds came before.
    pub(crate) fn churn(
        &mut self,
        changed: u64,
        created: u64,
        now: Stamp,
    ) -> Result<(Vec<u64>, Vec<u64>), VendorChurnRefusal> {
        let total = self.len();
        if changed > total {
            return Err(VendorChurnRefusal::NotEnoughVendors {
                requested: changed,
                available: total,
            });
        }
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let mut chosen: Vec<u64> = Vec::new();
        let mut attempts = 0_u64;
        while (chosen.len() as u64) < changed && attempts < changed.saturating_mul(20) + 100 {
            attempts += 1;
            let id = FIRST_VENDOR + rng.random_range(0..total);
            if !chosen.contains(&id) && self.get(id).is_some() {
                chosen.push(id);
            }
        }
        let mut sweep = FIRST_VENDOR;
        while (chosen.len() as u64) < changed && sweep < self.end_id() {
            if !chosen.contains(&sweep) && self.get(sweep).is_some() {
                chosen.push(sweep);
            }
            sweep += 1;
        }
        if (chosen.len() as u64) < changed {
            return Err(VendorChurnRefusal::NotEnoughVendors {
                requested: changed,
                available: chosen.len() as u64,
            });
        }
        for id in &chosen {
            if let Some(mut vendor) = self.get(*id) {
                match rng.random_range(0..4) {
                    0 => {
                        vendor.phone = Some(format!(
                            "(555) 02{}-{:04}",
                            rng.random_range(0..10),
                            rng.random_range(0..10_000)
                        ));
                    }
                    1 => {
                        let slug = vendor.entity_id.to_ascii_lowercase();
                        vendor.email = Some(format!("payables-{slug}@vendor.example.com"));
                    }
                    2 => {
                        let (city, state) = *pick(&mut rng, &CITIES[..7]);
                        vendor.city = Some(city.to_owned());
                        vendor.state = Some(state.to_owned());
                    }
                    _ => vendor.legal_name = Some(format!("{} (renamed)", vendor.company_name)),
                }
                vendor.last_modified = now;
                self.store(vendor);
            }
        }
        let mut fresh_ids = Vec::new();
        for _ in 0..created {
            let vendor = self.fresh(&mut rng, now);
            fresh_ids.push(vendor.id);
            self.store(vendor);
        }
        chosen.sort_unstable();
        Ok((chosen, fresh_ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors_are_pure_and_churn_stamps_now() {
        let profile = Profile::builtin("tiny").expect("tiny");
        let mut book = VendorBook::new(7, &profile);
        let again = VendorBook::new(7, &profile);
        assert_eq!(book.get(FIRST_VENDOR + 3), again.get(FIRST_VENDOR + 3));
        assert_eq!(book.len(), 40);
        let vendor = book.get(FIRST_VENDOR).expect("first");
        assert!(vendor.last_modified >= vendor.date_created);
        assert!(vendor.last_modified.0 < profile.clock_start.timestamp());
        assert_eq!(vendor.last_modified.0 % 60, 0);
        let now = Stamp::minute_of(profile.clock_start);
        let (changed, created) = book.churn(3, 2, now).expect("churn");
        assert_eq!(changed.len(), 3);
        assert_eq!(created, vec![FIRST_VENDOR + 40, FIRST_VENDOR + 41]);
        for id in changed.iter().chain(&created) {
            assert_eq!(book.get(*id).expect("exists").last_modified, now);
        }
        assert!(book.churn(1_000, 0, now).is_err());
    }
}
