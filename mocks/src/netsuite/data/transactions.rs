//! Transactions: purchase orders (generated, with an overlay) and inventory adjustments
//! (created through the API only). Both draw internal ids from one sequence, as NetSuite's
//! transactions do, so an adjustment's id read as a purchase order is "the wrong transaction
//! type", not a missing record.
//!
//! Generated purchase order `i` has id `FIRST_TRANSACTION + i`, is created at `created(i)`
//! (non-decreasing in `i`, spread over the history window with a random offset inside its
//! slot) and last changed within `max_change_delay` of that, before the clock start. Its
//! status follows its age: recent orders wait for receipt, old ones are billed or closed; the
//! lines' received and billed quantities agree with the status, which is always derived from
//! them ([`PurchaseOrder::derive_status`]).
//!
//! The overlay holds every written, churned or deleted transaction. Scans merge the generated
//! range with the overlay in id order; a lower bound on `lastModifiedDate` skips, by binary
//! search, the orders created too early to qualify (see the module docs of `data`).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::items::ItemGenerator;
use super::masters::currency;
use super::vendors::{FIRST_VENDOR, VendorBook, VendorGenerator};
use super::{SECONDS_PER_DAY, Stamp, record_rng, skewed_index, stream_key};
use crate::Profile;

/// The internal id of the first generated purchase order.
pub(crate) const FIRST_TRANSACTION: u64 = 1_000_001;

/// A purchase order's status: the letter SuiteQL shows after `PurchOrd:` and the text the
/// record API shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PoStatus {
    PendingApproval,
    PendingReceipt,
    Rejected,
    PartiallyReceived,
    PendingBillingPartiallyReceived,
    PendingBill,
    FullyBilled,
    Closed,
}

impl PoStatus {
    pub(crate) fn letter(self) -> &'static str {
        match self {
            PoStatus::PendingApproval => "A",
            PoStatus::PendingReceipt => "B",
            PoStatus::Rejected => "C",
            PoStatus::PartiallyReceived => "D",
            PoStatus::PendingBillingPartiallyReceived => "E",
            PoStatus::PendingBill => "F",
            PoStatus::FullyBilled => "G",
            PoStatus::Closed => "H",
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            PoStatus::PendingApproval => "Pending Supervisor Approval",
            PoStatus::PendingReceipt => "Pending Receipt",
            PoStatus::Rejected => "Rejected by Supervisor",
            PoStatus::PartiallyReceived => "Partially Received",
            PoStatus::PendingBillingPartiallyReceived => "Pending Billing/Partially Received",
            PoStatus::PendingBill => "Pending Bill",
            PoStatus::FullyBilled => "Fully Billed",
            PoStatus::Closed => "Closed",
        }
    }
}

/// The approval status of a purchase order: `(id, text)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Approval {
    Pending,
    Approved,
    Rejected,
}

impl Approval {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Approval::Pending => "1",
            Approval::Approved => "2",
            Approval::Rejected => "3",
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            Approval::Pending => "Pending Approval",
            Approval::Approved => "Approved",
            Approval::Rejected => "Rejected",
        }
    }

    pub(crate) fn from_id(id: &str) -> Option<Self> {
        match id {
            "1" => Some(Approval::Pending),
            "2" => Some(Approval::Approved),
            "3" => Some(Approval::Rejected),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PoLine {
    pub(crate) line: u32,
    pub(crate) item: u64,
    pub(crate) description: String,
    pub(crate) quantity: Decimal,
    pub(crate) rate: Decimal,
    pub(crate) location: Option<u32>,
    pub(crate) quantity_received: Decimal,
    pub(crate) quantity_billed: Decimal,
    pub(crate) is_closed: bool,
    pub(crate) expected_receipt: Option<NaiveDate>,
}

impl PoLine {
    /// Quantity × rate, rounded to the cent.
    pub(crate) fn amount(&self) -> Decimal {
        (self.quantity * self.rate).round_dp(2)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PurchaseOrder {
    pub(crate) id: u64,
    pub(crate) tran_id: String,
    pub(crate) vendor: u64,
    pub(crate) subsidiary: u32,
    pub(crate) location: Option<u32>,
    pub(crate) currency: u32,
    pub(crate) exchange_rate: Decimal,
    pub(crate) tran_date: NaiveDate,
    pub(crate) due_date: Option<NaiveDate>,
    pub(crate) memo: Option<String>,
    pub(crate) approval: Approval,
    pub(crate) created: Stamp,
    pub(crate) last_modified: Stamp,
    pub(crate) external_id: Option<String>,
    pub(crate) lines: Vec<PoLine>,
}

impl PurchaseOrder {
    pub(crate) fn total(&self) -> Decimal {
        self.lines.iter().map(PoLine::amount).sum()
    }

    /// The status NetSuite shows, from the approval and the lines' receipts and bills.
    pub(crate) fn derive_status(&self) -> PoStatus {
        match self.approval {
            Approval::Pending => return PoStatus::PendingApproval,
            Approval::Rejected => return PoStatus::Rejected,
            Approval::Approved => {}
        }
        if !self.lines.is_empty() && self.lines.iter().all(|line| line.is_closed) {
            return PoStatus::Closed;
        }
        let open: Vec<&PoLine> = self.lines.iter().filter(|l| !l.is_closed).collect();
        let received_any = open.iter().any(|l| l.quantity_received > Decimal::ZERO);
        let received_all = open.iter().all(|l| l.quantity_received >= l.quantity);
        let billed_any = open.iter().any(|l| l.quantity_billed > Decimal::ZERO);
        let billed_all = open.iter().all(|l| l.quantity_billed >= l.quantity);
        match (received_any, received_all, billed_any, billed_all) {
            (_, true, _, true) => PoStatus::FullyBilled,
            (_, true, _, false) => PoStatus::PendingBill,
            (true, false, true, _) => PoStatus::PendingBillingPartiallyReceived,
            (true, false, false, _) => PoStatus::PartiallyReceived,
            _ => PoStatus::PendingReceipt,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AdjustmentLine {
    pub(crate) line: u32,
    pub(crate) item: u64,
    pub(crate) location: u32,
    pub(crate) adjust_qty_by: Decimal,
    pub(crate) memo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InventoryAdjustment {
    pub(crate) id: u64,
    pub(crate) tran_id: String,
    pub(crate) tran_date: NaiveDate,
    pub(crate) subsidiary: u32,
    pub(crate) account: u32,
    pub(crate) adj_location: Option<u32>,
    pub(crate) memo: Option<String>,
    pub(crate) created: Stamp,
    pub(crate) last_modified: Stamp,
    pub(crate) external_id: Option<String>,
    pub(crate) lines: Vec<AdjustmentLine>,
}

/// The transaction types the emulator keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TxnKind {
    PurchaseOrder,
    InventoryAdjustment,
}

impl TxnKind {
    /// The SuiteQL `type` code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            TxnKind::PurchaseOrder => "PurchOrd",
            TxnKind::InventoryAdjustment => "InvAdjst",
        }
    }

    /// The REST record type id, lower case (SuiteQL `recordtype`).
    pub(crate) fn record_type(self) -> &'static str {
        match self {
            TxnKind::PurchaseOrder => "purchaseorder",
            TxnKind::InventoryAdjustment => "inventoryadjustment",
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            TxnKind::PurchaseOrder => "Purchase Order",
            TxnKind::InventoryAdjustment => "Inventory Adjustment",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Transaction {
    PurchaseOrder(PurchaseOrder),
    InventoryAdjustment(InventoryAdjustment),
}

impl Transaction {
    pub(crate) fn id(&self) -> u64 {
        match self {
            Transaction::PurchaseOrder(po) => po.id,
            Transaction::InventoryAdjustment(adj) => adj.id,
        }
    }

    pub(crate) fn kind(&self) -> TxnKind {
        match self {
            Transaction::PurchaseOrder(_) => TxnKind::PurchaseOrder,
            Transaction::InventoryAdjustment(_) => TxnKind::InventoryAdjustment,
        }
    }

    pub(crate) fn created(&self) -> Stamp {
        match self {
            Transaction::PurchaseOrder(po) => po.created,
            Transaction::InventoryAdjustment(adj) => adj.created,
        }
    }

    pub(crate) fn last_modified(&self) -> Stamp {
        match self {
            Transaction::PurchaseOrder(po) => po.last_modified,
            Transaction::InventoryAdjustment(adj) => adj.last_modified,
        }
    }

    pub(crate) fn external_id(&self) -> Option<&str> {
        match self {
            Transaction::PurchaseOrder(po) => po.external_id.as_deref(),
            Transaction::InventoryAdjustment(adj) => adj.external_id.as_deref(),
        }
    }

    pub(crate) fn as_purchase_order(&self) -> Option<&PurchaseOrder> {
        match self {
            Transaction::PurchaseOrder(po) => Some(po),
            Transaction::InventoryAdjustment(_) => None,
        }
    }

    pub(crate) fn as_adjustment(&self) -> Option<&InventoryAdjustment> {
        match self {
            Transaction::InventoryAdjustment(adj) => Some(adj),
            Transaction::PurchaseOrder(_) => None,
        }
    }
}

/// Creation and last change of one generated order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timing {
    pub(crate) created: Stamp,
    pub(crate) last_modified: Stamp,
}

/// The generated purchase orders as a function of `(seed, profile)`.
#[derive(Clone, Debug)]
pub(crate) struct PoGenerator {
    key: [u8; 32],
    count: u64,
    window_start: i64,
    window_length: i64,
    spacing: i64,
    clock_start: i64,
    max_delay: i64,
    lines_per_order: (u32, u32),
    locations: u32,
    vendors: VendorGenerator,
    items: ItemGenerator,
}

const MEMOS: [&str; 6] = [
    "Replenishment per reorder point",
    "Urgent: line down",
    "Blanket release",
    "Quarterly maintenance stock",
    "Confirm lead time with vendor",
    "Ship complete",
];

impl PoGenerator {
    fn new(seed: u64, profile: &Profile, vendors: &VendorGenerator, items: &ItemGenerator) -> Self {
        let clock_start = profile.clock_start.timestamp();
        let window_start = clock_start - i64::from(profile.history_days) * SECONDS_PER_DAY;
        // The last hour before the clock start stays free, so a change stamp never meets it.
        let window_length = (i64::from(profile.history_days) * SECONDS_PER_DAY - 3_600).max(1);
        let count = profile.purchase_orders.count;
        let [low, high] = profile.purchase_orders.items_per_order;
        PoGenerator {
            key: stream_key(seed, "purchase-order"),
            count,
            window_start,
            window_length,
            spacing: (window_length / i64::try_from(count.max(1)).unwrap_or(i64::MAX)).max(1),
            clock_start,
            max_delay: i64::from(profile.purchase_orders.max_change_delay_days) * SECONDS_PER_DAY,
            lines_per_order: (low.max(1), high.max(low.max(1))),
            locations: profile.netsuite.locations.max(1),
            vendors: vendors.clone(),
            items: items.clone(),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    #[cfg(test)]
    pub(crate) fn max_delay(&self) -> i64 {
        self.max_delay
    }

    /// The timing draws come first in every stream, so they can be computed alone.
    fn timing_rng(&self, index: u64) -> (ChaCha8Rng, Timing) {
        let mut rng = record_rng(&self.key, index);
        let slot = i64::try_from(
            i128::from(index) * i128::from(self.window_length) / i128::from(self.count.max(1)),
        )
        .unwrap_or(i64::MAX);
        let created =
            Stamp(self.window_start + slot + rng.random_range(0..self.spacing)).floor_minute();
        let unchanged: f64 = rng.random();
        let fraction: f64 = rng.random();
        let delay = if unchanged < 0.45 {
            0
        } else {
            (fraction * fraction * self.max_delay as f64) as i64
        };
        // A change that would fall after the clock falls within [created, latest] instead, spread
        // rather than clamped: clamping would pile orders up in the last minute before the clock.
        let latest = Stamp(self.clock_start - 60).floor_minute();
        let room = (latest.0 - created.0).max(0);
        let delay = if delay > room {
            delay % (room + 1)
        } else {
            delay
        };
        let last_modified = Stamp(created.0 + delay)
            .floor_minute()
            .min(latest)
            .max(created);
        (
            rng,
            Timing {
                created,
                last_modified,
            },
        )
    }

    pub(crate) fn timing(&self, index: u64) -> Timing {
        self.timing_rng(index).1
    }

    /// The first index created at or after `at` (`count` when none is).
    pub(crate) fn first_created_at_or_after(&self, at: Stamp) -> u64 {
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
    pub(crate) fn first_candidate_changed_since(&self, at: Stamp) -> u64 {
        self.first_created_at_or_after(Stamp(at.0.saturating_sub(self.max_delay)))
    }

    pub(crate) fn order(&self, index: u64) -> PurchaseOrder {
        let (mut rng, timing) = self.timing_rng(index);
        let age_days = (self.clock_start - timing.created.0) / SECONDS_PER_DAY;
        self.draw(
            &mut rng,
            FIRST_TRANSACTION + index,
            index + 1,
            timing,
            age_days,
        )
    }

    /// A brand-new order at `now` (churn), drawn from `rng`.
    pub(crate) fn fresh(
        &self,
        rng: &mut ChaCha8Rng,
        id: u64,
        number: u64,
        now: Stamp,
    ) -> PurchaseOrder {
        let timing = Timing {
            created: now,
            last_modified: now,
        };
        self.draw(rng, id, number, timing, 0)
    }

    fn draw(
        &self,
        rng: &mut ChaCha8Rng,
        id: u64,
        number: u64,
        timing: Timing,
        age_days: i64,
    ) -> PurchaseOrder {
        let vendor_index = skewed_index(rng, self.vendors.count());
        let currency_id = self.vendors.currency(vendor_index);
        let exchange_rate = currency(currency_id).map_or(Decimal::ONE, |c| c.exchange_rate());
        let location = u32::try_from(skewed_index(rng, u64::from(self.locations))).unwrap_or(0) + 1;
        let mut tran_date = timing.created.date();
        if rng.random_bool(0.1) {
            tran_date = tran_date
                .checked_sub_days(Days::new(1))
                .unwrap_or(tran_date);
        }
        let lead = rng.random_range(7..60);
        let due_date = tran_date.checked_add_days(Days::new(lead));
        let memo = rng
            .random_bool(0.3)
            .then(|| MEMOS[rng.random_range(0..MEMOS.len())].to_owned());
        let approval = match (age_days, rng.random_range(0..100)) {
            (0..5, 0..10) => Approval::Pending,
            (_, 95..) => Approval::Rejected,
            _ => Approval::Approved,
        };
        // Where the order is in its life: received and billed shares of the lines.
        let stage = rng.random_range(0..100);
        let (receive, bill, close) = match age_days {
            _ if approval != Approval::Approved => (0, 0, false),
            0..7 => {
                if stage < 80 {
                    (0, 0, false)
                } else {
                    (1, 0, false)
                }
            }
            7..30 => match stage {
                0..30 => (0, 0, false),
                30..55 => (1, 0, false),
                55..70 => (1, 1, false),
                70..90 => (2, 0, false),
                _ => (2, 2, false),
            },
            30..90 => match stage {
                0..5 => (0, 0, false),
                5..15 => (1, 0, false),
                15..25 => (1, 1, false),
                25..40 => (2, 0, false),
                40..95 => (2, 2, false),
                _ => (1, 0, true),
            },
            _ => match stage {
                0..5 => (2, 0, false),
                5..90 => (2, 2, false),
                _ => (1, 1, true),
            },
        };
        let (low, high) = self.lines_per_order;
        let count = rng.random_range(low..=high);
        let mut lines = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for line in 1..=count {
            let item = self.items.item(skewed_index(rng, self.items.count()));
            let quantity = if item.unit == "KG" {
                Decimal::new(rng.random_range(10..4_000) * 5, 1)
            } else {
                Decimal::from(rng.random_range(1..500))
            };
            let factor = Decimal::new(rng.random_range(900..=1_100), 3);
            // Item costs are in the base currency (USD); the order is in the vendor's.
            let rate = (item.cost * factor / exchange_rate)
                .round_dp(2)
                .max(Decimal::new(1, 2));
            // "1": partly received (half, at least one unit, of the first line only);
            // "2": everything received. Billing follows receipts.
            let received = match receive {
                2 => quantity,
                1 if line == 1 => (quantity / Decimal::TWO)
                    .floor()
                    .max(Decimal::ONE)
                    .min(quantity),
                _ => Decimal::ZERO,
            };
            let received = if receive == 1 && received >= quantity && quantity > Decimal::ONE {
                quantity - Decimal::ONE
            } else {
                received
            };
            let billed = if bill > 0 { received } else { Decimal::ZERO };
            lines.push(PoLine {
                line,
                item: item.id,
                description: item.display_name.clone(),
                quantity,
                rate,
                location: Some(location),
                quantity_received: received,
                quantity_billed: billed,
                is_closed: close,
                expected_receipt: due_date,
            });
        }
        PurchaseOrder {
            id,
            tran_id: format!("PO{number}"),
            vendor: FIRST_VENDOR + vendor_index,
            subsidiary: 1,
            location: Some(location),
            currency: currency_id,
            exchange_rate,
            tran_date,
            due_date,
            memo,
            approval,
            created: timing.created,
            last_modified: timing.last_modified,
            external_id: None,
            lines,
        }
    }
}

/// What the overlay holds for an id.
#[derive(Clone, Debug)]
enum Slot {
    Present(Arc<Transaction>),
    Deleted,
}

/// One transaction met by a scan: id and stamps at once, the record when asked. Generated
/// orders are drawn only when a caller needs more than their id, type and stamps, so a scan
/// that filters on `lastModifiedDate` costs one timing draw per candidate.
#[derive(Debug)]
pub(crate) struct TxnHandle<'a> {
    book: &'a TransactionBook,
    pub(crate) id: u64,
    pub(crate) kind: TxnKind,
    pub(crate) created: Stamp,
    pub(crate) last_modified: Stamp,
    base_index: Option<u64>,
    cell: OnceCell<Arc<Transaction>>,
}

impl TxnHandle<'_> {
    pub(crate) fn record(&self) -> &Arc<Transaction> {
        self.cell.get_or_init(|| {
            let index = self.base_index.unwrap_or(0);
            Arc::new(Transaction::PurchaseOrder(self.book.generator.order(index)))
        })
    }
}

/// Why a churn request could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TxnChurnRefusal {
    NotEnoughOrders { requested: u64, available: u64 },
}

/// All transactions: generated purchase orders plus the overlay of writes, churn and deletes.
#[derive(Clone, Debug)]
pub(crate) struct TransactionBook {
    pub(crate) generator: PoGenerator,
    overlay: BTreeMap<u64, Slot>,
    /// Transactions created after the generated ones (POST, upsert, churn).
    created: u64,
    po_numbers: u64,
    adjustment_numbers: u64,
    external: HashMap<(TxnKind, String), u64>,
    churn_rounds: u64,
    churn_key: [u8; 32],
}

impl TransactionBook {
    pub(crate) fn new(
        seed: u64,
        profile: &Profile,
        vendors: &VendorBook,
        items: &ItemGenerator,
    ) -> Self {
        let generator = PoGenerator::new(seed, profile, &vendors.generator, items);
        TransactionBook {
            po_numbers: generator.count(),
            generator,
            overlay: BTreeMap::new(),
            created: 0,
            adjustment_numbers: 0,
            external: HashMap::new(),
            churn_rounds: 0,
            churn_key: stream_key(seed, "purchase-order-churn"),
        }
    }

    /// One past the highest id in use.
    pub(crate) fn end_id(&self) -> u64 {
        FIRST_TRANSACTION + self.generator.count() + self.created
    }

    /// Allocates an id and the next document number of `kind`.
    pub(crate) fn allocate(&mut self, kind: TxnKind) -> (u64, String) {
        let id = self.end_id();
        self.created += 1;
        let number = match kind {
            TxnKind::PurchaseOrder => {
                self.po_numbers += 1;
                format!("PO{}", self.po_numbers)
            }
            TxnKind::InventoryAdjustment => {
                self.adjustment_numbers += 1;
                format!("ADJ{}", self.adjustment_numbers)
            }
        };
        (id, number)
    }

    fn base_index(&self, id: u64) -> Option<u64> {
        let index = id.checked_sub(FIRST_TRANSACTION)?;
        (index < self.generator.count()).then_some(index)
    }

    pub(crate) fn get(&self, id: u64) -> Option<Arc<Transaction>> {
        match self.overlay.get(&id) {
            Some(Slot::Present(txn)) => Some(Arc::clone(txn)),
            Some(Slot::Deleted) => None,
            None => self
                .base_index(id)
                .map(|index| Arc::new(Transaction::PurchaseOrder(self.generator.order(index)))),
        }
    }

    /// The handle of one id, without drawing a generated order.
    pub(crate) fn handle(&self, id: u64) -> Option<TxnHandle<'_>> {
        match self.overlay.get(&id) {
            Some(Slot::Present(txn)) => Some(self.stored_handle(txn)),
            Some(Slot::Deleted) => None,
            None => self.base_index(id).map(|index| self.base_handle(index)),
        }
    }

    fn stored_handle(&self, txn: &Arc<Transaction>) -> TxnHandle<'_> {
        let cell = OnceCell::new();
        let _ = cell.set(Arc::clone(txn));
        TxnHandle {
            book: self,
            id: txn.id(),
            kind: txn.kind(),
            created: txn.created(),
            last_modified: txn.last_modified(),
            base_index: None,
            cell,
        }
    }

    fn base_handle(&self, index: u64) -> TxnHandle<'_> {
        let timing = self.generator.timing(index);
        TxnHandle {
            book: self,
            id: FIRST_TRANSACTION + index,
            kind: TxnKind::PurchaseOrder,
            created: timing.created,
            last_modified: timing.last_modified,
            base_index: Some(index),
            cell: OnceCell::new(),
        }
    }

    pub(crate) fn by_external_id(&self, kind: TxnKind, external: &str) -> Option<u64> {
        self.external.get(&(kind, external.to_owned())).copied()
    }

    /// Stores a new or changed transaction, shadowing a generated one of the same id.
    pub(crate) fn store(&mut self, txn: Transaction) {
        let id = txn.id();
        if let Some(Slot::Present(previous)) = self.overlay.get(&id)
            && let Some(old) = previous.external_id()
        {
            self.external.remove(&(previous.kind(), old.to_owned()));
        }
        if let Some(external) = txn.external_id() {
            self.external.insert((txn.kind(), external.to_owned()), id);
        }
        self.overlay.insert(id, Slot::Present(Arc::new(txn)));
    }

    /// Deletes a transaction; `false` when there was none.
    pub(crate) fn delete(&mut self, id: u64) -> bool {
        let Some(existing) = self.get(id) else {
            return false;
        };
        if let Some(external) = existing.external_id() {
            self.external
                .remove(&(existing.kind(), external.to_owned()));
        }
        self.overlay.insert(id, Slot::Deleted);
        true
    }

    /// Transactions by id from `from` (inclusive). Generated orders that cannot have changed at
    /// or after `changed_since` are skipped without being drawn; the handles passed on may
    /// still be older than `changed_since` (the caller filters). `visit` returns `false` to stop.
    pub(crate) fn scan<'s>(
        &'s self,
        from: u64,
        changed_since: Option<Stamp>,
        visit: &mut dyn FnMut(TxnHandle<'s>) -> bool,
    ) {
        let count = self.generator.count();
        let mut index = from.saturating_sub(FIRST_TRANSACTION).min(count);
        if let Some(since) = changed_since {
            index = index.max(self.generator.first_candidate_changed_since(since));
        }
        let mut overlay = self.overlay.range(from..).peekable();
        loop {
            let base = (index < count).then(|| FIRST_TRANSACTION + index);
            let shadow = overlay.peek().map(|(id, _)| **id);
            let handle = match (base, shadow) {
                (None, None) => return,
                (Some(base_id), Some(shadow_id)) if shadow_id <= base_id => {
                    if shadow_id == base_id {
                        index += 1;
                    }
                    match overlay.next() {
                        Some((_, Slot::Present(txn))) => self.stored_handle(txn),
                        _ => continue,
                    }
                }
                (None, Some(_)) => match overlay.next() {
                    Some((_, Slot::Present(txn))) => self.stored_handle(txn),
                    _ => continue,
                },
                (Some(_), _) => {
                    let handle = self.base_handle(index);
                    index += 1;
                    handle
                }
            };
            if !visit(handle) {
                return;
            }
        }
    }

    /// How many purchase orders exist: the generated ones less those deleted, plus those
    /// created. Counted from the overlay alone.
    pub(crate) fn purchase_order_count(&self) -> u64 {
        let mut count = self.generator.count();
        for (id, slot) in &self.overlay {
            let generated = self.base_index(*id).is_some();
            let is_order =
                matches!(slot, Slot::Present(txn) if txn.kind() == TxnKind::PurchaseOrder);
            match (generated, is_order) {
                (true, false) => count = count.saturating_sub(1),
                (false, true) => count += 1,
                _ => {}
            }
        }
        count
    }

    /// Whether a written transaction refers to `vendor` (generated orders refer only to
    /// generated vendors).
    pub(crate) fn refers_to_vendor(&self, vendor: u64) -> bool {
        self.overlay.values().any(|slot| match slot {
            Slot::Present(txn) => txn
                .as_purchase_order()
                .is_some_and(|po| po.vendor == vendor),
            Slot::Deleted => false,
        })
    }

    /// The inventory adjustments from id `from` on, by id. Adjustments exist only in the
    /// overlay (the generated history has none), so this never touches the generated orders.
    pub(crate) fn adjustments(&self, from: u64) -> Vec<InventoryAdjustment> {
        self.overlay
            .range(from..)
            .filter_map(|(_, slot)| match slot {
                Slot::Present(txn) => txn.as_adjustment().cloned(),
                Slot::Deleted => None,
            })
            .collect()
    }

    /// `(id, lastModifiedDate)` of every purchase order changed within `[since, until]`, by id.
    pub(crate) fn po_changes(
        &self,
        since: Option<Stamp>,
        until: Option<Stamp>,
    ) -> Vec<(u64, Stamp)> {
        let mut changes = Vec::new();
        self.scan(FIRST_TRANSACTION, since, &mut |handle| {
            let at = handle.last_modified;
            if handle.kind == TxnKind::PurchaseOrder
                && since.is_none_or(|s| at >= s)
                && until.is_none_or(|u| at <= u)
            {
                changes.push((handle.id, at));
            }
            true
        });
        changes
    }

    /// Every purchase order id that exists (generated and created, not deleted), for churn.
    fn live_purchase_order(&self, id: u64) -> Option<PurchaseOrder> {
        self.get(id)
            .and_then(|txn| txn.as_purchase_order().cloned())
    }

    /// Changes `changed` existing purchase orders and creates `created` new ones, all at `now`.
    pub(crate) fn churn(
        &mut self,
        changed: u64,
        created: u64,
        now: Stamp,
    ) -> Result<(Vec<u64>, Vec<u64>), TxnChurnRefusal> {
        let span = self.end_id() - FIRST_TRANSACTION;
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let mut chosen: Vec<u64> = Vec::new();
        let mut attempts = 0_u64;
        // Random picks while they are cheap; a sequential sweep guarantees termination.
        while (chosen.len() as u64) < changed && attempts < changed.saturating_mul(20) + 100 {
            attempts += 1;
            let id = FIRST_TRANSACTION + rng.random_range(0..span.max(1));
            if !chosen.contains(&id) && self.live_purchase_order(id).is_some() {
                chosen.push(id);
            }
        }
        let mut sweep = FIRST_TRANSACTION;
        while (chosen.len() as u64) < changed && sweep < self.end_id() {
            if !chosen.contains(&sweep) && self.live_purchase_order(sweep).is_some() {
                chosen.push(sweep);
            }
            sweep += 1;
        }
        if (chosen.len() as u64) < changed {
            return Err(TxnChurnRefusal::NotEnoughOrders {
                requested: changed,
                available: chosen.len() as u64,
            });
        }
        for id in &chosen {
            if let Some(mut order) = self.live_purchase_order(*id) {
                apply_churn_change(&mut rng, &mut order);
                order.last_modified = now;
                self.store(Transaction::PurchaseOrder(order));
            }
        }
        let mut fresh = Vec::new();
        for _ in 0..created {
            let (id, number) = self.allocate(TxnKind::PurchaseOrder);
            let number: u64 = number.trim_start_matches("PO").parse().unwrap_or(0);
            let order = self.generator.fresh(&mut rng, id, number, now);
            self.store(Transaction::PurchaseOrder(order));
            fresh.push(id);
        }
        chosen.sort_unstable();
        Ok((chosen, fresh))
    }
}

/// A change buyers and receivers make: a quantity, a price, a receipt, a memo, a due date.
fn apply_churn_change(rng: &mut ChaCha8Rng, order: &mut PurchaseOrder) {
    let open: Vec<usize> = (0..order.lines.len())
        .filter(|i| !order.lines[*i].is_closed)
        .collect();
    let roll = rng.random_range(0..100);
    if roll < 70 && !open.is_empty() {
        let line = &mut order.lines[open[rng.random_range(0..open.len())]];
        if roll < 35 {
            let step = (line.quantity / Decimal::TEN).round_dp(0).max(Decimal::ONE);
            line.quantity = if rng.random_bool(0.5)
                || line.quantity - step < line.quantity_received.max(Decimal::ONE)
            {
                line.quantity + step
            } else {
                line.quantity - step
            };
        } else if roll < 55 {
            let factor = Decimal::new(rng.random_range(950..=1_050), 3);
            let next = (line.rate * factor).round_dp(2).max(Decimal::new(1, 2));
            line.rate = if next == line.rate {
                next + Decimal::new(1, 2)
            } else {
                next
            };
        } else if line.quantity_received < line.quantity && order.approval == Approval::Approved {
            // A receipt of the rest of the line.
            line.quantity_received = line.quantity;
        } else {
            line.rate += Decimal::new(1, 2);
        }
        return;
    }
    if roll < 85 {
        let memo = MEMOS[rng.random_range(0..MEMOS.len())];
        order.memo = Some(if order.memo.as_deref() == Some(memo) {
            format!("{memo} (revised)")
        } else {
            memo.to_owned()
        });
    } else {
        let shift = rng.random_range(1..14);
        order.due_date = order
            .due_date
            .and_then(|date| date.checked_add_days(Days::new(shift)));
        for line in &mut order.lines {
            line.expected_receipt = order.due_date;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::data::items::ItemGenerator;

    fn book(profile: &Profile) -> TransactionBook {
        let vendors = VendorBook::new(7, profile);
        let items = ItemGenerator::new(7, profile);
        TransactionBook::new(7, profile, &vendors, &items)
    }

    #[test]
    fn creation_is_ordered_and_changes_stay_in_bounds() {
        let profile = Profile::builtin("tiny").expect("tiny");
        let book = book(&profile);
        let generator = &book.generator;
        let mut previous = Stamp(i64::MIN);
        for index in 0..generator.count() {
            let timing = generator.timing(index);
            assert!(timing.created >= previous);
            assert!(timing.last_modified >= timing.created);
            assert!(timing.last_modified.0 - timing.created.0 <= generator.max_delay());
            assert!(timing.last_modified.0 < profile.clock_start.timestamp());
            assert_eq!(timing.last_modified.0 % 60, 0);
            previous = timing.created;
            let order = generator.order(index);
            assert_eq!(order.last_modified, timing.last_modified);
            assert!(!order.lines.is_empty());
            for line in &order.lines {
                assert!(line.quantity_received <= line.quantity);
                assert!(line.quantity_billed <= line.quantity_received);
            }
        }
        let probe = generator.timing(123).created;
        let first = generator.first_created_at_or_after(probe);
        assert!(first <= 123 && generator.timing(first).created == probe);
    }

    #[test]
    fn scans_merge_the_overlay_and_skip_deleted() {
        let profile = Profile::builtin("tiny").expect("tiny");
        let mut book = book(&profile);
        let now = Stamp::minute_of(profile.clock_start);
        assert!(book.delete(FIRST_TRANSACTION + 1));
        assert!(!book.delete(FIRST_TRANSACTION + 1));
        let (changed, created) = book.churn(4, 2, now).expect("churn");
        assert_eq!(
            created,
            vec![FIRST_TRANSACTION + 400, FIRST_TRANSACTION + 401]
        );
        let mut ids = Vec::new();
        book.scan(FIRST_TRANSACTION, None, &mut |handle| {
            ids.push(handle.id);
            true
        });
        assert_eq!(ids.len(), 401);
        assert!(!ids.contains(&(FIRST_TRANSACTION + 1)));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let recent = book.po_changes(Some(now), None);
        let mut expected: Vec<u64> = changed.iter().chain(&created).copied().collect();
        expected.sort_unstable();
        assert_eq!(
            recent.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            expected
        );
        let order = book.get(created[0]).expect("created");
        assert_eq!(
            order.as_purchase_order().map(|po| po.tran_id.as_str()),
            Some("PO401")
        );
    }
}
