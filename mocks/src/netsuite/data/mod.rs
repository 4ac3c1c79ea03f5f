//! Deterministic NetSuite data: the account's masters (`masters`: subsidiary, currencies,
//! accounts, locations), vendors, inventory items with their quantities per location (`items`),
//! and transactions — purchase orders and inventory adjustments (`transactions`).
//!
//! Nothing is materialised up front. Record `i` of a generated set is a pure function of
//! `(seed, profile, i)`: a ChaCha8 stream keyed by the seed and the record kind, positioned at
//! stream `i`. Writes and churn go into per-set overlays that shadow the generated record (or
//! delete it), so memory grows with writes, not with the profile.
//!
//! Change stamps (`lastModifiedDate`) have MINUTE precision, as NetSuite prints them (reference
//! §1.3: "observed minute precision, seconds `00`"): every stamp — generated, written or
//! churned — is the virtual clock floored to the minute, in UTC. A client that keeps a
//! watermark therefore has to read `>=` and de-duplicate by id (reference §3.4).
//!
//! Purchase order `i` is created at `created(i)`, non-decreasing in `i` and spread over the
//! profile's history window; its last change is at most `max_change_delay` after that, and
//! before the clock start. So every generated order changed at or after `X` was created at or
//! after `X - max_change_delay`, which a binary search finds: scans with a lower bound on
//! `lastModifiedDate` start there instead of at the beginning of the history.

pub(crate) mod items;
pub(crate) mod masters;
pub(crate) mod transactions;
pub(crate) mod vendors;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use crate::Profile;
use items::{ItemGenerator, LevelBook};
use masters::Masters;
use transactions::TransactionBook;
use vendors::VendorBook;

/// An instant in whole seconds since the Unix epoch (UTC). Change stamps are whole minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Stamp(pub(crate) i64);

impl Stamp {
    pub(crate) fn from_datetime(at: DateTime<Utc>) -> Self {
        Stamp(at.timestamp())
    }

    /// The stamp NetSuite records for a change at `at`: floored to the minute.
    pub(crate) fn minute_of(at: DateTime<Utc>) -> Self {
        Stamp(at.timestamp()).floor_minute()
    }

    pub(crate) fn floor_minute(self) -> Self {
        Stamp(self.0 - self.0.rem_euclid(60))
    }

    pub(crate) fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }

    pub(crate) fn date(self) -> NaiveDate {
        self.to_datetime().date_naive()
    }

    /// `2026-03-02T08:00:00Z`, the record API's datetime form.
    pub(crate) fn iso(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// Derives the ChaCha8 key of one record kind from the seed.
pub(crate) fn stream_key(seed: u64, kind: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/netsuite/");
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

pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index in `0..count`, skewed towards small indices: a few vendors and items get most of
/// the orders, as in a real account.
pub(crate) fn skewed_index(rng: &mut ChaCha8Rng, count: u64) -> u64 {
    let u: f64 = rng.random();
    let index = (u * u * count as f64) as u64;
    index.min(count.saturating_sub(1))
}

/// `value` without trailing zeros (`12.50` → `12.5`, `40.000` → `40`): the form of every
/// quantity the SuiteQL API and the admin truth print.
pub(crate) fn plain_decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Everything the emulator holds: generated sets with their overlays.
#[derive(Debug)]
pub(crate) struct NetSuiteData {
    pub(crate) masters: Masters,
    pub(crate) vendors: VendorBook,
    pub(crate) items: ItemGenerator,
    pub(crate) levels: LevelBook,
    pub(crate) transactions: TransactionBook,
}

impl NetSuiteData {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let masters = Masters::new(profile);
        let vendors = VendorBook::new(seed, profile);
        let items = ItemGenerator::new(seed, profile);
        let levels = LevelBook::new(seed);
        let transactions = TransactionBook::new(seed, profile, &vendors, &items);
        NetSuiteData {
            masters,
            vendors,
            items,
            levels,
            transactions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_floor_to_the_minute_and_print_in_utc() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T08:00:59+01:00")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(Stamp::minute_of(at).iso(), "2026-03-02T07:00:00Z");
        assert_eq!(plain_decimal(Decimal::new(12_500, 3)), "12.5");
        assert_eq!(plain_decimal(Decimal::new(-4000, 2)), "-40");
    }
}
