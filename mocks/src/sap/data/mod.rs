//! Deterministic SAP data: purchase orders (over the master data in `masters`), and the overlay
//! that holds every write and churn on top of them. Plant maintenance lives in `equipment`
//! (equipment and functional locations) and `maintenance_orders`, built the same way.
//!
//! Nothing is materialised up front. Record `i` of a base set is a pure function of
//! `(seed, profile, i)`: a ChaCha8 stream keyed by the seed and the record kind, positioned at
//! stream `i`. Writes go into an overlay keyed by purchase order number that shadows the base
//! record, so memory grows with writes, not with the profile.
//!
//! Purchase order `i` is created at `created_at(i)`, strictly increasing in `i` and spread over
//! the working hours of the profile's history window; its last change is
//! `created_at(i) + delay(i)` with `0 <= delay <= max_change_delay`, never after the clock start.
//! So every base order that changed at or after `X` was created at or after
//! `X - max_change_delay`, which a binary search finds: filters on `LastChangeDateTime` only
//! read the tail of the history.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use chrono::{DateTime, Utc};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use super::odata::engine::Row;
use super::odata::value::{TICKS_PER_MS, Ticks, Value};
use super::purchase_order::schema::*;
use crate::Profile;

pub(crate) mod business_partners;
mod change_order;
pub(crate) mod equipment;
pub(crate) mod inventory;
pub(crate) mod maintenance_orders;
mod masters;
pub(crate) mod schedule_lines;

pub(crate) use masters::{
    INCOTERMS, MaterialMaster, PAYMENT_TERMS, PaymentTerms, SupplierMaster, UNITS,
};

/// The first number of the purchase order range (`45…`).
pub(crate) const FIRST_PURCHASE_ORDER: u64 = 4_500_000_000;
/// The last number the range can hold.
pub(crate) const LAST_PURCHASE_ORDER: u64 = 4_599_999_999;
/// The first supplier number (ALPHA-converted, shown unpadded).
pub(crate) const FIRST_SUPPLIER: u64 = 17_300_001;
/// The plant's organisational units (US best-practice data uses 1710 throughout).
pub(crate) const PLANT: &str = "1710";
pub(crate) const COMPANY_CODE: &str = "1710";
pub(crate) const PURCHASING_ORGANIZATION: &str = "1710";
pub(crate) const PURCHASING_GROUPS: [&str; 3] = ["001", "002", "003"];
pub(crate) const CURRENCY: &str = "USD";

pub(super) const MS_PER_DAY: i64 = 86_400_000;
/// Working hours, in UTC: 13:00–23:00 is 06:00–16:00 at a US West Coast plant.
const WORKDAY_START_MS: i64 = 13 * 3_600_000;
const WORKDAY_LENGTH_MS: i64 = 10 * 3_600_000;

/// Derives the ChaCha8 key of one record kind from the seed.
pub(super) fn stream_key(seed: u64, kind: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/sap/");
    hasher.update(kind.as_bytes());
    hasher.update(seed.to_le_bytes());
    hasher.finalize().into()
}

/// The random stream of record `index` of one kind.
pub(super) fn record_rng(key: &[u8; 32], index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream(index);
    rng
}

pub(super) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index in `0..count`, skewed towards small indices: a few suppliers and materials get
/// most of the orders, as in a real plant.
fn skewed_index(rng: &mut ChaCha8Rng, count: u64) -> u64 {
    let u: f64 = rng.random();
    let index = (u * u * count as f64) as u64;
    index.min(count.saturating_sub(1))
}

/// Maps "business milliseconds" (working hours only, weekdays) onto wall-clock instants.
#[derive(Clone, Debug)]
struct Timeline {
    /// Days since the epoch of the first working day in the window.
    first_day: i64,
    /// Weekday of `first_day`, Monday = 0.
    first_weekday: i64,
    /// Working milliseconds in the window.
    total_ms: i64,
}

impl Timeline {
    fn new(window_start_ms: i64, window_end_ms: i64) -> Self {
        let mut day = window_start_ms.div_euclid(MS_PER_DAY);
        // The first weekday whose working hours start inside the window.
        loop {
            let weekday = (day + 3).rem_euclid(7); // 1970-01-01 was a Thursday.
            if weekday < 5 && day * MS_PER_DAY + WORKDAY_START_MS >= window_start_ms {
                break;
            }
            day += 1;
        }
        let first_weekday = (day + 3).rem_euclid(7);
        let mut working_days = 0_i64;
        let mut current = day;
        while current * MS_PER_DAY + WORKDAY_START_MS + WORKDAY_LENGTH_MS <= window_end_ms {
            if (current + 3).rem_euclid(7) < 5 {
                working_days += 1;
            }
            current += 1;
        }
        Timeline {
            first_day: day,
            first_weekday,
            total_ms: working_days * WORKDAY_LENGTH_MS,
        }
    }

    fn wall_ms(&self, business_ms: i64) -> i64 {
        let working_day = business_ms / WORKDAY_LENGTH_MS;
        let within = business_ms % WORKDAY_LENGTH_MS;
        let position = self.first_weekday + working_day;
        let calendar_offset = 7 * (position / 5) + position % 5 - self.first_weekday;
        (self.first_day + calendar_offset) * MS_PER_DAY + WORKDAY_START_MS + within
    }
}

// ---------------------------------------------------------------------------------------------
// Purchase orders

/// A purchase order: its header row, its item rows (sorted by item number) and the schedule
/// lines of all items (sorted by item, then line).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PurchaseOrder {
    pub(crate) header: Row,
    pub(crate) items: Vec<Row>,
    pub(crate) schedule_lines: Vec<Row>,
}

impl PurchaseOrder {
    pub(crate) fn last_change(&self) -> Ticks {
        self.header
            .get(H_LAST_CHANGE)
            .and_then(Value::as_ticks)
            .unwrap_or(Ticks(0))
    }

    pub(crate) fn is_deleted(&self) -> bool {
        self.header.get(H_DELETION_CODE).and_then(Value::as_str) == Some("L")
    }
}

/// The number of purchase order `index` of the base set.
pub(crate) fn base_number(index: u64) -> u64 {
    FIRST_PURCHASE_ORDER + index
}

/// Parses a purchase order number as the key predicate carries it.
pub(crate) fn parse_number(text: &str) -> Option<u64> {
    if text.len() != 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn decimal(units: i64, scale: u32) -> Value {
    Value::Decimal(Decimal::new(units, scale))
}

/// Creation and last change of one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timing {
    pub(crate) created: Ticks,
    pub(crate) last_change: Ticks,
}

/// The base purchase orders as a function of `(seed, profile)`.
#[derive(Clone, Debug)]
pub(crate) struct PurchaseOrderGenerator {
    header_key: [u8; 32],
    items_key: [u8; 32],
    count: u64,
    timeline: Timeline,
    spacing_ms: i64,
    clock_start_ms: i64,
    max_delay_ms: i64,
    items_per_order: (u32, u32),
    pub(crate) suppliers: SupplierMaster,
    pub(crate) materials: MaterialMaster,
}

impl PurchaseOrderGenerator {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start_ms = profile.clock_start.timestamp_millis();
        let window_start_ms = clock_start_ms - i64::from(profile.history_days) * MS_PER_DAY;
        let timeline = Timeline::new(window_start_ms, clock_start_ms);
        let count = profile.purchase_orders.count;
        let spacing_ms =
            (timeline.total_ms / i64::try_from(count).unwrap_or(i64::MAX).max(1)).max(1);
        let [items_min, items_max] = profile.purchase_orders.items_per_order;
        PurchaseOrderGenerator {
            header_key: stream_key(seed, "purchase-order"),
            items_key: stream_key(seed, "purchase-order-items"),
            count,
            timeline,
            spacing_ms,
            clock_start_ms,
            max_delay_ms: i64::from(profile.purchase_orders.max_change_delay_days) * MS_PER_DAY,
            items_per_order: (items_min, items_max.max(items_min)),
            suppliers: SupplierMaster::new(seed, profile),
            materials: MaterialMaster::new(seed, profile),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn max_delay(&self) -> Ticks {
        Ticks(self.max_delay_ms * TICKS_PER_MS)
    }

    /// The timing draws come first in every header stream, so they can be computed alone.
    fn timing_rng(&self, index: u64) -> (ChaCha8Rng, Timing) {
        let mut rng = record_rng(&self.header_key, index);
        let slot = i64::try_from(
            (i128::from(index) * i128::from(self.timeline.total_ms))
                / i128::from(self.count.max(1)),
        )
        .unwrap_or(i64::MAX);
        let jitter = rng.random_range(0..self.spacing_ms);
        let created_ms = self.timeline.wall_ms(slot + jitter);
        let unchanged: f64 = rng.random();
        let fraction: f64 = rng.random();
        let mut delay = if unchanged < 0.45 {
            0
        } else {
            (fraction * fraction * self.max_delay_ms as f64) as i64
        };
        let headroom = self.clock_start_ms - created_ms;
        if delay >= headroom {
            // Keep the change inside the history (and distinct from the clock start).
            delay %= headroom.max(1);
        }
        (
            rng,
            Timing {
                created: Ticks::from_millis(created_ms),
                last_change: Ticks::from_millis(created_ms + delay),
            },
        )
    }

    pub(crate) fn timing(&self, index: u64) -> Timing {
        self.timing_rng(index).1
    }

    /// The first index created at or after `at` (`count` when none is).
    pub(crate) fn first_created_at_or_after(&self, at: Ticks) -> u64 {
        let (mut low, mut high) = (0, self.count);
        while low < high {
            let middle = low + (high - low) / 2;
            if self.timing(middle).created < at {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// The first index whose last change can be at or after `at`.
    pub(crate) fn first_candidate_changed_since(&self, at: Ticks) -> u64 {
        self.first_created_at_or_after(Ticks(at.0.saturating_sub(self.max_delay().0)))
    }

    pub(crate) fn header(&self, index: u64) -> Row {
        let (mut rng, timing) = self.timing_rng(index);
        self.draw_header(&mut rng, base_number(index), timing)
    }

    pub(crate) fn items(&self, index: u64) -> Vec<Row> {
        let (_, timing) = self.timing_rng(index);
        let header = self.header(index);
        let mut rng = record_rng(&self.items_key, index);
        self.draw_items(&mut rng, &header, timing)
    }

    pub(crate) fn order(&self, index: u64) -> PurchaseOrder {
        let (mut rng, timing) = self.timing_rng(index);
        let header = self.draw_header(&mut rng, base_number(index), timing);
        let mut item_rng = record_rng(&self.items_key, index);
        let items = self.draw_items(&mut item_rng, &header, timing);
        let schedule_lines =
            schedule_lines::draw_for_order(&self.items_key, index, &header, &items);
        PurchaseOrder {
            header,
            items,
            schedule_lines,
        }
    }

    /// A brand-new order created by churn at `now`, drawn from `rng`.
    pub(crate) fn fresh_order(
        &self,
        rng: &mut ChaCha8Rng,
        number: u64,
        now: Ticks,
    ) -> PurchaseOrder {
        let timing = Timing {
            created: now,
            last_change: now,
        };
        let header = self.draw_header(rng, number, timing);
        let items = self.draw_items(rng, &header, timing);
        let schedule_lines = schedule_lines::draw(rng, &header, &items);
        PurchaseOrder {
            header,
            items,
            schedule_lines,
        }
    }

    fn age_days(&self, timing: Timing) -> i64 {
        (self.clock_start_ms - timing.created.millis()).max(0) / MS_PER_DAY
    }

    fn draw_header(&self, rng: &mut ChaCha8Rng, number: u64, timing: Timing) -> Row {
        let supplier_index = skewed_index(rng, self.suppliers.count());
        let terms = self.suppliers.terms(supplier_index);
        let group_roll: f64 = rng.random();
        let group_index = if group_roll < 0.5 {
            0
        } else if group_roll < 0.8 {
            1
        } else {
            2
        };
        let buyers = [
            ["JSMITH", "AKUMAR"],
            ["MLOPEZ", "TNGUYEN"],
            ["RWEBER", "CBROWN"],
        ];
        let created_by = buyers[group_index][rng.random_range(0..2)];
        let framework = rng.random_bool(0.04);
        let status_roll: f64 = rng.random();
        let status = if status_roll < 0.92 {
            "05"
        } else if status_roll < 0.97 {
            "02"
        } else {
            "03"
        };
        let deleted = rng.random_bool(0.015);
        let order_date = if rng.random_bool(0.1) {
            Ticks(timing.created.start_of_day().0 - MS_PER_DAY * TICKS_PER_MS)
        } else {
            timing.created.start_of_day()
        };
        let (validity_start, validity_end) = if framework {
            (
                Value::DateTime(order_date),
                Value::DateTime(Ticks(order_date.0 + 365 * MS_PER_DAY * TICKS_PER_MS)),
            )
        } else {
            (Value::Null, Value::Null)
        };
        let payment = terms.payment_terms;
        let mut header = vec![Value::Null; HEADER_PROPERTIES.len()];
        header[H_PURCHASE_ORDER] = Value::string(number.to_string());
        header[H_COMPANY_CODE] = Value::string(COMPANY_CODE);
        header[H_ORDER_TYPE] = Value::string(if framework { "FO" } else { "NB" });
        header[H_DELETION_CODE] = Value::string(if deleted { "L" } else { "" });
        header[H_PROCESSING_STATUS] = Value::string(status);
        header[H_CREATED_BY] = Value::string(created_by);
        header[H_CREATION_DATE] = Value::DateTime(timing.created.start_of_day());
        header[H_LAST_CHANGE] = Value::DateTimeOffset(timing.last_change);
        header[H_SUPPLIER] = Value::string(SupplierMaster::number(supplier_index));
        header[H_LANGUAGE] = Value::string("EN");
        header[H_PAYMENT_TERMS] = Value::string(payment.key);
        header[H_CASH_DISCOUNT_1_DAYS] = decimal(payment.discount1_days, 0);
        header[H_CASH_DISCOUNT_2_DAYS] = decimal(payment.discount2_days, 0);
        header[H_NET_PAYMENT_DAYS] = decimal(payment.net_days, 0);
        header[H_CASH_DISCOUNT_1_PERCENT] = decimal(payment.discount1_permille, 3);
        header[H_CASH_DISCOUNT_2_PERCENT] = decimal(payment.discount2_permille, 3);
        header[H_PURCHASING_ORGANIZATION] = Value::string(PURCHASING_ORGANIZATION);
        header[H_PURCHASING_GROUP] = Value::string(PURCHASING_GROUPS[group_index]);
        header[H_ORDER_DATE] = Value::DateTime(order_date);
        header[H_CURRENCY] = Value::string(CURRENCY);
        header[H_EXCHANGE_RATE] = Value::string("1.00000");
        header[H_VALIDITY_START] = validity_start;
        header[H_VALIDITY_END] = validity_end;
        header[H_SALES_PERSON] = Value::string(terms.sales_person);
        header[H_SUPPLIER_PHONE] = Value::string(terms.phone);
        header[H_INCOTERMS] = Value::string(terms.incoterms);
        header[H_INCOTERMS_LOCATION] = Value::string(terms.city);
        header[H_RELEASE_NOT_COMPLETED] = Value::Boolean(status == "03");
        header[H_INCOMPLETE] = Value::Boolean(false);
        for index in [
            H_ADDRESS_NAME,
            H_ADDRESS_CITY,
            H_ADDRESS_POSTAL_CODE,
            H_ADDRESS_STREET,
            H_ADDRESS_COUNTRY,
        ] {
            header[index] = Value::string("");
        }
        header
    }

    fn draw_items(&self, rng: &mut ChaCha8Rng, header: &[Value], timing: Timing) -> Vec<Row> {
        let (low, high) = self.items_per_order;
        let count = rng.random_range(low..=high);
        let age = self.age_days(timing);
        let deletion = header
            .get(H_DELETION_CODE)
            .cloned()
            .unwrap_or(Value::string(""));
        let number = header.get(H_PURCHASE_ORDER).cloned().unwrap_or(Value::Null);
        let mut items = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for position in 1..=count {
            let material = self
                .materials
                .material(skewed_index(rng, self.materials.count()));
            let quantity = match material.unit {
                // Bulk goods in half kilograms or litres, pieces in whole numbers.
                "KG" | "L" => Decimal::new(rng.random_range(20..=4_000) * 500, 3),
                _ => Decimal::new(rng.random_range(1..=500) * 1000, 3),
            };
            let factor = rng.random_range(900..=1_100);
            let mut price_cents = (material.price_cents * factor / 1000).max(1);
            let mut price_quantity = 1;
            if price_cents < 100 {
                // Cheap items are priced per 100, as buyers do.
                price_cents *= 100;
                price_quantity = 100;
            }
            let delivered = match age {
                a if a > 45 => rng.random_bool(0.9),
                a if a > 14 => rng.random_bool(0.5),
                _ => rng.random_bool(0.1),
            };
            let invoiced = delivered && age > 30 && rng.random_bool(0.8);
            let requisition = rng.random_bool(0.35);
            let requisition_number = rng.random_range(10_000_000..10_900_000);
            let gr_based = rng.random_bool(0.7);
            let mut item = vec![Value::Null; ITEM_PROPERTIES.len()];
            item[I_PURCHASE_ORDER] = number.clone();
            item[I_ITEM] = Value::string((position * 10).to_string());
            item[I_DELETION_CODE] = deletion.clone();
            item[I_TEXT] = Value::string(material.description.clone());
            item[I_PLANT] = Value::string(PLANT);
            item[I_STORAGE_LOCATION] = Value::string(if material.consumable {
                ""
            } else {
                material.storage_location
            });
            item[I_MATERIAL_GROUP] = Value::string(material.group);
            item[I_QUANTITY] = Value::Decimal(quantity);
            item[I_QUANTITY_UNIT] = Value::string(material.unit);
            item[I_PRICE_UNIT] = Value::string(material.unit);
            item[I_CURRENCY] = Value::string(CURRENCY);
            item[I_NET_PRICE] = decimal(price_cents, 2);
            item[I_NET_PRICE_QUANTITY] = decimal(price_quantity, 0);
            item[I_TAX_CODE] = Value::string("I1");
            item[I_DELIVERED] = Value::Boolean(delivered);
            item[I_INVOICED] = Value::Boolean(invoiced);
            item[I_CATEGORY] = Value::string("0");
            item[I_ACCOUNT_ASSIGNMENT] = Value::string(if material.consumable { "K" } else { "" });
            item[I_GR_EXPECTED] = Value::Boolean(true);
            item[I_INVOICE_EXPECTED] = Value::Boolean(true);
            item[I_GR_BASED_INVOICE] = Value::Boolean(gr_based);
            item[I_REQUISITION] = Value::string(if requisition {
                requisition_number.to_string()
            } else {
                String::new()
            });
            item[I_REQUISITION_ITEM] = Value::string(if requisition { "10" } else { "0" });
            item[I_MATERIAL] = Value::string(material.id);
            items.push(item);
        }
        items
    }
}

// ---------------------------------------------------------------------------------------------
// The book: base orders plus overlay

/// All purchase orders: the generated base with the overlay of writes and churn on top.
/// Cloning copies the overlay only (the base is a function), which is how a `$batch` changeset
/// takes its checkpoint.
#[derive(Clone, Debug)]
pub(crate) struct PurchaseOrderBook {
    pub(crate) generator: PurchaseOrderGenerator,
    overlay: BTreeMap<u64, PurchaseOrder>,
    /// Orders created after the base set (POST or churn).
    created: u64,
    churn_rounds: u64,
    churn_key: [u8; 32],
}

/// Why a churn request could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ChurnRefusal {
    NotEnoughOrders { requested: u64, available: u64 },
    NumberRangeExhausted,
}

impl PurchaseOrderBook {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        PurchaseOrderBook {
            generator: PurchaseOrderGenerator::new(seed, profile),
            overlay: BTreeMap::new(),
            created: 0,
            churn_rounds: 0,
            churn_key: stream_key(seed, "churn"),
        }
    }

    /// One past the highest number in use.
    fn end_number(&self) -> u64 {
        FIRST_PURCHASE_ORDER + self.generator.count() + self.created
    }

    /// All orders that exist (base and created).
    pub(crate) fn len(&self) -> u64 {
        self.generator.count() + self.created
    }

    /// Draws the next number of the internal number range.
    pub(crate) fn allocate_number(&mut self) -> Option<u64> {
        let number = self.end_number();
        if number > LAST_PURCHASE_ORDER {
            return None;
        }
        self.created += 1;
        Some(number)
    }

    fn base_index(&self, number: u64) -> Option<u64> {
        let index = number.checked_sub(FIRST_PURCHASE_ORDER)?;
        (index < self.generator.count()).then_some(index)
    }

    pub(crate) fn order(&self, number: u64) -> Option<PurchaseOrder> {
        if let Some(order) = self.overlay.get(&number) {
            return Some(order.clone());
        }
        self.base_index(number)
            .map(|index| self.generator.order(index))
    }

    pub(crate) fn header(&self, number: u64) -> Option<Row> {
        if let Some(order) = self.overlay.get(&number) {
            return Some(order.header.clone());
        }
        self.base_index(number)
            .map(|index| self.generator.header(index))
    }

    pub(crate) fn items(&self, number: u64) -> Option<Vec<Row>> {
        if let Some(order) = self.overlay.get(&number) {
            return Some(order.items.clone());
        }
        self.base_index(number)
            .map(|index| self.generator.items(index))
    }

    /// Stores an order (new or changed), shadowing any base record of the same number.
    pub(crate) fn store(&mut self, number: u64, order: PurchaseOrder) {
        self.overlay.insert(number, order);
    }

    /// Headers in key order, starting after `after`; base orders that cannot have changed at or
    /// after `changed_since` are skipped without being generated. `visit` returns `false` to stop.
    pub(crate) fn scan_by_number(
        &self,
        after: Option<u64>,
        changed_since: Option<Ticks>,
        visit: &mut dyn FnMut(Row) -> bool,
    ) {
        let count = self.generator.count();
        let mut index = after
            .map_or(0, |number| {
                number
                    .saturating_add(1)
                    .saturating_sub(FIRST_PURCHASE_ORDER)
            })
            .min(count);
        if let Some(since) = changed_since {
            index = index.max(self.generator.first_candidate_changed_since(since));
        }
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut overlay = self.overlay.range((lower, Bound::Unbounded)).peekable();
        loop {
            let base_number = (index < count).then(|| base_number(index));
            let overlay_number = overlay.peek().map(|(number, _)| **number);
            let row = match (base_number, overlay_number) {
                (None, None) => break,
                (Some(base), Some(shadow)) if shadow <= base => {
                    if shadow == base {
                        index += 1;
                    }
                    overlay.next().map(|(_, order)| order.header.clone())
                }
                (None, Some(_)) => overlay.next().map(|(_, order)| order.header.clone()),
                (Some(_), _) => {
                    let current = index;
                    index += 1;
                    if let Some(since) = changed_since
                        && self.generator.timing(current).last_change < since
                    {
                        continue;
                    }
                    Some(self.generator.header(current))
                }
            };
            let Some(row) = row else { break };
            if let Some(since) = changed_since
                && last_change_of(&row) < since
            {
                continue;
            }
            if !visit(row) {
                break;
            }
        }
    }

    /// Headers ascending by `LastChangeDateTime`, then by number, starting strictly after
    /// `after`. Only change times are computed for the candidates; headers are generated as
    /// they are visited, so a page costs what it delivers plus one timing per candidate.
    pub(crate) fn scan_by_last_change(
        &self,
        after: Option<(Ticks, u64)>,
        changed_since: Option<Ticks>,
        visit: &mut dyn FnMut(Row) -> bool,
    ) {
        let since = match (changed_since, after.map(|(at, _)| at)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        // The overlay holds only what was written, so sorting it is cheap; the base streams in
        // change order from `change_order` and the two are merged.
        let mut written: Vec<(Ticks, u64)> = self
            .overlay
            .iter()
            .map(|(number, order)| (order.last_change(), *number))
            .filter(|(changed, _)| since.is_none_or(|at| *changed >= at))
            .collect();
        written.sort_unstable();
        let mut written = written.into_iter().peekable();
        let mut base = change_order::ChangeOrder::new(&self.generator, since)
            .map(|(changed, index)| (changed, base_number(index)))
            .filter(|(_, number)| !self.overlay.contains_key(number))
            .peekable();
        loop {
            let next = match (base.peek(), written.peek()) {
                (Some(b), Some(w)) if w < b => written.next(),
                (Some(_), _) => base.next(),
                (None, Some(_)) => written.next(),
                (None, None) => break,
            };
            let Some((changed, number)) = next else { break };
            if after.is_some_and(|bound| (changed, number) <= bound) {
                continue;
            }
            let Some(row) = self.header(number) else {
                continue;
            };
            if !visit(row) {
                break;
            }
        }
    }

    /// Items in key order (order number, then item number), after `after`.
    pub(crate) fn scan_items(&self, after: Option<(u64, u64)>, visit: &mut dyn FnMut(Row) -> bool) {
        let start = after.map(|(number, _)| number.saturating_sub(1));
        let mut stop = false;
        self.scan_by_number(start, None, &mut |header| {
            let Some(number) = header
                .get(H_PURCHASE_ORDER)
                .and_then(Value::as_str)
                .and_then(parse_number)
            else {
                return true;
            };
            for item in self.items(number).unwrap_or_default() {
                if let Some((after_number, after_item)) = after
                    && (number, item_number(&item)) <= (after_number, after_item)
                {
                    continue;
                }
                if !visit(item) {
                    stop = true;
                    return false;
                }
            }
            !stop
        });
    }

    /// `(number, last change)` of every order changed within `[since, until]`, by number.
    pub(crate) fn changes(&self, since: Option<Ticks>, until: Option<Ticks>) -> Vec<(u64, Ticks)> {
        let start = since.map_or(0, |at| self.generator.first_candidate_changed_since(at));
        let within = |at: Ticks| since.is_none_or(|s| at >= s) && until.is_none_or(|u| at <= u);
        let mut changes = Vec::new();
        for index in start..self.generator.count() {
            let number = base_number(index);
            if self.overlay.contains_key(&number) {
                continue;
            }
            let changed = self.generator.timing(index).last_change;
            if within(changed) {
                changes.push((number, changed));
            }
        }
        for (number, order) in &self.overlay {
            if within(order.last_change()) {
                changes.push((*number, order.last_change()));
            }
        }
        changes.sort_unstable();
        changes
    }

    /// Changes `changed` existing orders and creates `created` new ones, all at `now`.
    /// The choice is a function of the seed and how many churn rounds came before.
    pub(crate) fn churn(
        &mut self,
        changed: u64,
        created: u64,
        now: Ticks,
    ) -> Result<(Vec<u64>, Vec<u64>), ChurnRefusal> {
        let total = self.len();
        if changed > total {
            return Err(ChurnRefusal::NotEnoughOrders {
                requested: changed,
                available: total,
            });
        }
        if self.end_number().saturating_add(created) > LAST_PURCHASE_ORDER + 1 {
            return Err(ChurnRefusal::NumberRangeExhausted);
        }
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;

        let mut chosen: Vec<u64> = Vec::new();
        let mut seen: HashSet<u64> = HashSet::new();
        let mut attempts = 0_u64;
        // Random picks while they are cheap; a sequential sweep guarantees termination.
        while (chosen.len() as u64) < changed && attempts < changed.saturating_mul(20) + 100 {
            attempts += 1;
            let number = FIRST_PURCHASE_ORDER + rng.random_range(0..total);
            if seen.insert(number) && self.order(number).is_some_and(|o| !o.is_deleted()) {
                chosen.push(number);
            }
        }
        let mut sweep = FIRST_PURCHASE_ORDER;
        while (chosen.len() as u64) < changed && sweep < self.end_number() {
            if seen.insert(sweep) && self.order(sweep).is_some_and(|o| !o.is_deleted()) {
                chosen.push(sweep);
            }
            sweep += 1;
        }
        if (chosen.len() as u64) < changed {
            return Err(ChurnRefusal::NotEnoughOrders {
                requested: changed,
                available: chosen.len() as u64,
            });
        }
        for number in &chosen {
            if let Some(mut order) = self.order(*number) {
                apply_churn_change(&mut rng, &mut order);
                order.header[H_LAST_CHANGE] = Value::DateTimeOffset(now);
                self.overlay.insert(*number, order);
            }
        }
        let mut new_numbers = Vec::new();
        for _ in 0..created {
            let Some(number) = self.allocate_number() else {
                return Err(ChurnRefusal::NumberRangeExhausted);
            };
            let order = self.generator.fresh_order(&mut rng, number, now);
            self.overlay.insert(number, order);
            new_numbers.push(number);
        }
        chosen.sort_unstable();
        Ok((chosen, new_numbers))
    }
}

fn last_change_of(header: &[Value]) -> Ticks {
    header
        .get(H_LAST_CHANGE)
        .and_then(Value::as_ticks)
        .unwrap_or(Ticks(0))
}

/// The numeric item number of an item row (`10`, `20`, …).
pub(crate) fn item_number(item: &[Value]) -> u64 {
    item.get(I_ITEM)
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .unwrap_or(0)
}

/// A real business change, as buyers make them: a quantity, a price, terms, a delivery.
fn apply_churn_change(rng: &mut ChaCha8Rng, order: &mut PurchaseOrder) {
    let roll: f64 = rng.random();
    let open_items: Vec<usize> = (0..order.items.len())
        .filter(|i| order.items[*i].get(I_DELETION_CODE).and_then(Value::as_str) != Some("L"))
        .collect();
    if roll < 0.7 && !open_items.is_empty() {
        let position = open_items[rng.random_range(0..open_items.len())];
        let item = &mut order.items[position];
        if roll < 0.45 {
            let current = item[I_QUANTITY].as_decimal().unwrap_or(Decimal::ONE);
            let step = (current / Decimal::from(10)).round_dp(0).max(Decimal::ONE);
            let mut next = if rng.random_bool(0.5) || current <= step {
                current + step
            } else {
                current - step
            };
            next.rescale(3);
            item[I_QUANTITY] = Value::Decimal(next);
            // The delivery schedule follows the quantity, as SAP keeps them equal.
            let item = item.clone();
            let fallback = order.header[H_ORDER_DATE].as_ticks().unwrap_or(Ticks(0));
            schedule_lines::rebalance(&mut order.schedule_lines, &item, fallback);
        } else if roll < 0.6 {
            let current = item[I_NET_PRICE].as_decimal().unwrap_or(Decimal::ONE);
            let factor = Decimal::new(rng.random_range(950..=1_050), 3);
            let mut next = (current * factor).round_dp(2).max(Decimal::new(1, 2));
            if next == current {
                next += Decimal::new(1, 2);
            }
            next.rescale(2);
            item[I_NET_PRICE] = Value::Decimal(next);
        } else {
            let delivered = matches!(item[I_DELIVERED], Value::Boolean(true));
            item[I_DELIVERED] = Value::Boolean(!delivered);
        }
        return;
    }
    if roll < 0.85 {
        let current = order.header[H_PAYMENT_TERMS]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let others: Vec<&PaymentTerms> =
            PAYMENT_TERMS.iter().filter(|t| t.key != current).collect();
        let terms = *others[rng.random_range(0..others.len())];
        set_payment_terms(&mut order.header, terms);
    } else {
        let current = order.header[H_INCOTERMS]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let others: Vec<&&str> = INCOTERMS.iter().filter(|t| **t != current).collect();
        order.header[H_INCOTERMS] = Value::string(*others[rng.random_range(0..others.len())]);
    }
}

/// Sets payment terms and the discount schedule they imply.
pub(crate) fn set_payment_terms(header: &mut [Value], terms: PaymentTerms) {
    header[H_PAYMENT_TERMS] = Value::string(terms.key);
    header[H_CASH_DISCOUNT_1_DAYS] = decimal(terms.discount1_days, 0);
    header[H_CASH_DISCOUNT_2_DAYS] = decimal(terms.discount2_days, 0);
    header[H_NET_PAYMENT_DAYS] = decimal(terms.net_days, 0);
    header[H_CASH_DISCOUNT_1_PERCENT] = decimal(terms.discount1_permille, 3);
    header[H_CASH_DISCOUNT_2_PERCENT] = decimal(terms.discount2_permille, 3);
}

/// An instant from ticks, for the admin API.
pub(crate) fn instant(ticks: Ticks) -> DateTime<Utc> {
    ticks.to_datetime().unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Ticks from an instant.
pub(crate) fn ticks(at: DateTime<Utc>) -> Ticks {
    Ticks::from_datetime(at)
}

/// Weekday check used by tests of the timeline.
#[cfg(test)]
fn is_weekday(ms: i64) -> bool {
    use chrono::Datelike as _;
    let at = instant(Ticks::from_millis(ms));
    at.weekday().num_days_from_monday() < 5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Profile {
        Profile::builtin("tiny").expect("tiny")
    }

    #[test]
    fn creation_times_strictly_increase_within_working_hours() {
        let generator = PurchaseOrderGenerator::new(7, &tiny());
        let start = tiny().clock_start.timestamp_millis();
        let mut previous = Ticks(i64::MIN);
        for index in 0..generator.count() {
            let timing = generator.timing(index);
            assert!(
                timing.created > previous,
                "order {index} not after its predecessor"
            );
            assert!(timing.last_change >= timing.created);
            assert!(timing.last_change.millis() < start);
            assert!(timing.last_change.0 - timing.created.0 <= generator.max_delay().0);
            let ms = timing.created.millis();
            assert!(is_weekday(ms), "order {index} created on a weekend");
            let time_of_day = ms.rem_euclid(MS_PER_DAY);
            assert!(
                (WORKDAY_START_MS..WORKDAY_START_MS + WORKDAY_LENGTH_MS).contains(&time_of_day)
            );
            previous = timing.created;
        }
    }

    #[test]
    fn binary_search_finds_the_first_candidate() {
        let generator = PurchaseOrderGenerator::new(7, &tiny());
        let probe = generator.timing(123).created;
        assert_eq!(generator.first_created_at_or_after(probe), 123);
        assert_eq!(generator.first_created_at_or_after(Ticks(probe.0 + 1)), 124);
        assert_eq!(
            generator.first_created_at_or_after(Ticks(i64::MAX)),
            generator.count()
        );
    }

    #[test]
    fn records_are_pure_functions_of_seed_and_index() {
        let a = PurchaseOrderGenerator::new(7, &tiny());
        let b = PurchaseOrderGenerator::new(7, &tiny());
        let c = PurchaseOrderGenerator::new(8, &tiny());
        assert_eq!(a.order(42), b.order(42));
        assert_ne!(a.order(42), c.order(42));
        assert_eq!(a.header(42), a.order(42).header);
        assert_eq!(a.items(42), a.order(42).items);
    }

    #[test]
    fn suppliers_and_materials_resolve() {
        let generator = PurchaseOrderGenerator::new(7, &tiny());
        let order = generator.order(5);
        let supplier = order.header[H_SUPPLIER]
            .as_str()
            .expect("supplier")
            .to_owned();
        assert!(generator.suppliers.index_of(&supplier).is_some());
        assert!(
            generator
                .suppliers
                .index_of(&format!("00{supplier}"))
                .is_some()
        );
        assert!(generator.suppliers.index_of("99999999").is_none());
        for item in &order.items {
            let id = item[I_MATERIAL].as_str().expect("material");
            let material = generator.materials.find(id).expect("known material");
            assert_eq!(item[I_QUANTITY_UNIT], Value::string(material.unit));
        }
        assert!(generator.materials.find("XX10001").is_none());
        assert!(generator.materials.find("RM0").is_none());
    }

    #[test]
    fn churn_changes_and_creates_at_now() {
        let mut book = PurchaseOrderBook::new(7, &tiny());
        let now = ticks(tiny().clock_start);
        let before = book.order(FIRST_PURCHASE_ORDER + 10);
        let (changed, created) = book.churn(5, 2, now).expect("churn");
        assert_eq!((changed.len(), created.len()), (5, 2));
        for number in changed.iter().chain(&created) {
            assert_eq!(book.order(*number).expect("exists").last_change(), now);
        }
        assert_eq!(created[0], FIRST_PURCHASE_ORDER + 400);
        assert!(book.churn(10_000, 0, now).is_err());
        let untouched = FIRST_PURCHASE_ORDER + 10;
        if !changed.contains(&untouched) {
            assert_eq!(book.order(untouched), before);
        }
        let recent = book.changes(Some(now), None);
        assert_eq!(recent.len(), 7);
    }
}
