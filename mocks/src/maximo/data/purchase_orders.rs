//! Purchase orders (`mxapipo`) with their lines (`poline`).
//!
//! Purchase order `i` (number `first + i`, revision 0, unique id `i + 1`) is entered at an
//! instant strictly increasing in `i`, approved within days, and closed once everything is
//! received; a few are cancelled before approval. All steps fall within
//! `purchase_order_max_change_delay_days`, so change-stamp scans read only the tail of the
//! history. Lines order items of the item master from a vendor (skewed: a few vendors and items
//! carry most of the business), for a storeroom of the PO's site; `linecost` is `orderqty ×
//! unitcost` and `totalcost` their sum, exactly.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::super::schema::{MXAPIPO, OsDef, PO, PO_LINES, POLINE, Record, po, poline};
use super::super::value::Value;
use super::book::{Generator, Timing};
use super::masters::{ItemMaster, VendorCodes, VendorGenerator};
use super::{CURRENCY, ORG, Spread, World, mix, number_base, pick, record_rng, skewed, stream_key};
use crate::MaximoSettings;

const BUYERS: [&str; 4] = ["PURCHASE", "JOHNSON", "GARCIA", "PATEL"];

/// The base purchase orders.
pub(crate) struct PurchaseOrderGenerator {
    count: u64,
    first_number: u64,
    key: [u8; 32],
    spread: Spread,
    world: World,
    max_delay: i64,
    lines: (u32, u32),
    vendors: VendorCodes,
    items: ItemMaster,
}

/// The planned life of a purchase order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PoPlan {
    pub(crate) created: i64,
    pub(crate) approved: Option<i64>,
    pub(crate) closed: Option<i64>,
    pub(crate) cancelled: Option<i64>,
    /// Share of the ordered quantity received by the clock start, in percent.
    pub(crate) received_percent: u32,
}

impl PoPlan {
    pub(crate) fn status(&self) -> (&'static str, i64) {
        if let Some(at) = self.cancelled {
            return ("CAN", at);
        }
        if let Some(at) = self.closed {
            return ("CLOSE", at);
        }
        if let Some(at) = self.approved {
            return ("APPR", at);
        }
        ("WAPPR", self.created)
    }
}

impl PurchaseOrderGenerator {
    pub(crate) fn new(
        world: &World,
        settings: &MaximoSettings,
        vendors: &VendorGenerator,
        items: &ItemMaster,
    ) -> Self {
        let count = settings.purchase_orders.max(1);
        let [low, high] = settings.lines_per_purchase_order;
        PurchaseOrderGenerator {
            count,
            first_number: number_base(count),
            key: stream_key(world.seed, "purchase-order"),
            spread: Spread::new(world, count),
            world: world.clone(),
            max_delay: i64::from(settings.purchase_order_max_change_delay_days) * 86_400,
            lines: (low.max(1), high.max(low).max(1)),
            vendors: vendors.codes.clone(),
            items: items.clone(),
        }
    }

    pub(crate) fn first_number(&self) -> u64 {
        self.first_number
    }

    pub(crate) fn ponum(&self, index: u64) -> String {
        (self.first_number + index).to_string()
    }

    pub(crate) fn site(&self, index: u64) -> &str {
        self.world
            .site(mix(&self.key, index, 7) % self.world.site_count())
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn plan_rng(&self, index: u64) -> (ChaCha8Rng, PoPlan) {
        let mut rng = record_rng(&self.key, index);
        let created = self.spread.at(index, rng.random());
        let cancel = rng.random_bool(0.03);
        let approve = rng.random_range(3_600..4 * 86_400_i64);
        let close = rng.random_range(7 * 86_400..self.max_delay.max(8 * 86_400));
        let cancel_after = rng.random_range(3_600..3 * 86_400_i64);
        let partial = rng.random_range(10..90_u32);
        let limit = created + self.max_delay;
        let happened = |at: i64| (at < self.world.clock_start).then_some(at);
        let mut plan = PoPlan {
            created,
            approved: None,
            closed: None,
            cancelled: None,
            received_percent: 0,
        };
        if cancel {
            plan.cancelled = happened((created + cancel_after).min(limit));
            return (rng, plan);
        }
        let approved_at = (created + approve).min(limit);
        plan.approved = happened(approved_at);
        let closed_at = (approved_at + close).min(limit);
        plan.closed = plan.approved.and_then(|_| happened(closed_at));
        plan.received_percent = match (plan.approved, plan.closed) {
            (_, Some(_)) => 100,
            (Some(at), None) if self.world.clock_start - at > 5 * 86_400 => partial,
            _ => 0,
        };
        (rng, plan)
    }
}

impl Generator for PurchaseOrderGenerator {
    fn os(&self) -> &'static OsDef {
        &MXAPIPO
    }

    fn base_count(&self) -> u64 {
        self.count
    }

    fn timing(&self, index: u64) -> Option<Timing> {
        let plan = self.plan_rng(index).1;
        Some(Timing {
            created: plan.created,
            last_change: plan.status().1,
        })
    }

    fn max_delay(&self) -> i64 {
        self.max_delay
    }

    fn base_index(&self, keys: &[String]) -> Option<u64> {
        let [ponum, revision, site] = keys else {
            return None;
        };
        if revision != "0" || ponum.len() != self.first_number.to_string().len() {
            return None;
        }
        let index = ponum.parse::<u64>().ok()?.checked_sub(self.first_number)?;
        (index < self.count && self.site(index) == site).then_some(index)
    }

    fn light(&self, index: u64, attr: usize) -> Option<Value> {
        match attr {
            po::PONUM => Some(Value::Str(self.ponum(index))),
            po::REVISIONNUM => Some(Value::Int(0)),
            po::POID => Some(Value::Int(self.unique_id(index))),
            po::SITEID => Some(Value::str(self.site(index))),
            po::ORGID => Some(Value::str(ORG)),
            po::STATUS | po::STATUSDATE | po::CHANGEDATE => {
                let (status, at) = self.plan_rng(index).1.status();
                Some(if attr == po::STATUS {
                    Value::str(status)
                } else {
                    Value::Date(at)
                })
            }
            _ => None,
        }
    }

    fn record(&self, index: u64) -> Record {
        let (mut rng, plan) = self.plan_rng(index);
        let site = self.site(index).to_owned();
        let ponum = self.ponum(index);
        let uid = self.unique_id(index);
        let (status, status_at) = plan.status();
        let vendor = self.vendors.code(skewed(&mut rng, self.vendors.count()));
        let buyer = *pick(&mut rng, &BUYERS);
        let required = plan.created + rng.random_range(7..30_i64) * 86_400;
        let storeroom = *pick(&mut rng, self.world.storerooms());
        let line_count = rng.random_range(self.lines.0..=self.lines.1);
        let rowstamp = self.world.base_rowstamp(status_at, index);

        let mut record = PO.blank();
        let mut total = Decimal::ZERO;
        let mut first_description = String::new();
        for line in 0..line_count {
            let item = self.items.facts(skewed(&mut rng, self.items.count()));
            let quantity = match item.unit {
                "GAL" | "FT" => Decimal::from(rng.random_range(5..=200_i64)),
                _ => Decimal::from(rng.random_range(1..=60_i64)),
            };
            let factor = rng.random_range(90..=110_i64);
            let unit_cost = Decimal::new(item.price_cents * factor / 100, 2);
            let line_cost = (quantity * unit_cost).round_dp(2);
            total += line_cost;
            let received =
                (quantity * Decimal::from(plan.received_percent) / Decimal::from(100)).round_dp(0);
            if line == 0 {
                first_description.clone_from(&item.description);
            }
            let mut row = POLINE.blank();
            let number = i64::from(line + 1);
            row.set(poline::POLINEID, Value::Int(uid * 100 + number));
            row.set(poline::POLINENUM, Value::Int(number));
            row.set(poline::PONUM, Value::Str(ponum.clone()));
            row.set(poline::REVISIONNUM, Value::Int(0));
            row.set(poline::SITEID, Value::Str(site.clone()));
            row.set(poline::ITEMNUM, Value::Str(item.itemnum.clone()));
            row.set(poline::DESCRIPTION, Value::Str(item.description.clone()));
            row.set(poline::LINETYPE, Value::str("ITEM"));
            row.set(poline::ORDERQTY, Value::Dec(quantity));
            row.set(poline::ORDERUNIT, Value::str(item.unit));
            row.set(poline::UNITCOST, Value::Dec(unit_cost));
            row.set(poline::LINECOST, Value::Dec(line_cost));
            row.set(poline::RECEIVEDQTY, Value::Dec(received));
            row.set(poline::STORELOC, Value::str(storeroom));
            row.set(poline::TOSITEID, Value::Str(site.clone()));
            row.set(
                poline::GLDEBITACCT,
                Value::Str(format!("6400-{}-000", item.group.len() * 100)),
            );
            row.set(poline::REQDELIVERYDATE, Value::Date(required));
            row.rowstamp = rowstamp;
            record.children[PO_LINES].push(row);
        }
        let description = if line_count > 1 {
            format!("{first_description} and {} more", line_count - 1)
        } else {
            first_description
        };
        record.set(po::PONUM, Value::Str(ponum));
        record.set(po::REVISIONNUM, Value::Int(0));
        record.set(po::POID, Value::Int(uid));
        record.set(po::SITEID, Value::Str(site));
        record.set(po::ORGID, Value::str(ORG));
        record.set(po::DESCRIPTION, Value::Str(description));
        record.set(po::STATUS, Value::str(status));
        record.set(po::STATUSDATE, Value::Date(status_at));
        record.set(po::POTYPE, Value::str("STD"));
        record.set(po::VENDOR, Value::Str(vendor));
        record.set(
            po::ORDERDATE,
            Value::Date(plan.approved.unwrap_or(plan.created)),
        );
        record.set(po::REQUIREDDATE, Value::Date(required));
        if plan.approved.is_some() {
            record.set(po::VENDELIVERYDATE, Value::Date(required));
        }
        record.set(po::TOTALCOST, Value::Dec(total));
        record.set(po::CURRENCYCODE, Value::str(CURRENCY));
        record.set(po::PURCHASEAGENT, Value::str(buyer));
        record.set(
            po::RECEIPTS,
            Value::str(match plan.received_percent {
                0 => "NONE",
                100 => "COMPLETE",
                _ => "PARTIAL",
            }),
        );
        record.set(po::CHANGEDATE, Value::Date(status_at));
        record.set(po::CHANGEBY, Value::str(buyer));
        record.set(
            po::HISTORYFLAG,
            Value::Bool(matches!(status, "CLOSE" | "CAN")),
        );
        record.rowstamp = rowstamp;
        record
    }
}
