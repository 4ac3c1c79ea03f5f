//! Deterministic maintenance orders (`API_MAINTENANCEORDER;v=0002`), their operations, the
//! status machine behind the status function imports, and the overlay of writes.
//!
//! Order `i` (number `4000000 + i`) is a pure function of `(seed, profile, i)`. It is created at
//! `created(i)`, strictly increasing in `i` and spread over the history window in whole
//! seconds (`LastChangeDateTime` has `Precision="0"`). Its life is drawn up front: released
//! after a while (urgent orders within minutes), technically completed days later, usually
//! closed at the next settlement weeks later; a few are cancelled with the deletion flag
//! instead. Only the steps before the clock start have happened, so old orders are mostly
//! `TECO`/`CLSD` and recent ones `CRTD`/`REL`. All steps fit in `max_change_delay_days`, hence
//! every order that changed at or after `X` was created at or after `X - max_change_delay`,
//! which a binary search finds: `LastChangeDateTime` filters only read the tail of the history.
//!
//! The status line is SAP's: the lifecycle status first, then `DLFL` when flagged, then the
//! secondary statuses an order without components carries (`CNF` once completed, `NMAT`, `PRC`,
//! `SETC` once released), e.g. `REL NMAT PRC SETC` or `CRTD DLFL NMAT PRC`.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::equipment::{
    CONTROLLING_AREA, COST_CENTERS, EquipmentGenerator, PLANNER_GROUPS, WORK_CENTERS,
};
use super::{COMPANY_CODE, CURRENCY, ChurnRefusal, PLANT, pick, record_rng, stream_key};
use crate::Profile;
use crate::sap::equipment::schema::{
    E_COST_CENTER, E_EQUIPMENT, E_FUNCTIONAL_LOCATION, E_NAME, E_PLANNER_GROUP, E_WORK_CENTER,
};
use crate::sap::maintenance_order::schema::*;
use crate::sap::odata::engine::Row;
use crate::sap::odata::value::{TICKS_PER_SECOND, Ticks, Value};

/// The first number of the maintenance order range (sandbox orders start at `4000000`).
pub(crate) const FIRST_MAINTENANCE_ORDER: u64 = 4_000_000;
/// The last number the range can hold.
pub(crate) const LAST_MAINTENANCE_ORDER: u64 = 4_999_999;
/// Order types of the plant: corrective, preventive, refurbishment.
pub(crate) const ORDER_TYPES: [&str; 3] = ["PM01", "PM02", "PM03"];
/// Priorities of priority type `PM`: 1 very high … 4 low.
pub(crate) const PRIORITIES: [&str; 4] = ["1", "2", "3", "4"];
/// Maintenance activity types: inspection, repair, planned maintenance, overhaul.
pub(crate) const ACTIVITY_TYPES: [&str; 4] = ["001", "002", "003", "004"];
/// Operation control keys: internal processing, external processing.
pub(crate) const CONTROL_KEYS: [&str; 2] = ["PM01", "PM03"];
const USERS: [&str; 4] = ["MPLANNER", "JHOLT", "RPATEL", "KSCHMIDT"];
const TECHNICIANS: [&str; 3] = ["MTECH01", "MTECH02", "MTECH03"];

const CORRECTIVE: [&str; 6] = [
    "Leak at",
    "Abnormal noise from",
    "Trip of",
    "High vibration on",
    "Repair",
    "Overheating of",
];
const PREVENTIVE: [&str; 4] = [
    "Monthly inspection",
    "Quarterly service",
    "Lubrication round",
    "Annual maintenance",
];
const REFURBISHMENT: [&str; 2] = ["Refurbish", "Overhaul"];
const OPERATION_TEXTS: [&str; 12] = [
    "Isolate and lock out equipment",
    "Inspect bearings and seals",
    "Replace mechanical seal",
    "Check alignment and coupling",
    "Lubricate per lubrication chart",
    "Measure vibration levels",
    "Replace V-belts",
    "Check electrical connections",
    "Clean and flush",
    "Test run and handover",
    "Replace filter elements",
    "Calibrate instrument",
];

/// The lifecycle statuses of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Created,
    Released,
    TechnicallyCompleted,
    Closed,
}

impl Phase {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Phase::Created => "CRTD",
            Phase::Released => "REL",
            Phase::TechnicallyCompleted => "TECO",
            Phase::Closed => "CLSD",
        }
    }
}

/// An order's system status: its lifecycle status and the deletion flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OrderStatus {
    pub(crate) phase: Phase,
    pub(crate) deletion_flag: bool,
}

impl OrderStatus {
    /// The `SystemStatusText` line.
    pub(crate) fn text(self) -> String {
        let mut parts = vec![self.phase.code()];
        if self.deletion_flag {
            parts.push("DLFL");
        }
        if matches!(self.phase, Phase::TechnicallyCompleted | Phase::Closed) {
            parts.push("CNF");
        }
        parts.push("NMAT");
        parts.push("PRC");
        if self.phase != Phase::Created {
            parts.push("SETC");
        }
        parts.join(" ")
    }

    /// Reads a status line back (the first token is the lifecycle status).
    pub(crate) fn parse(text: &str) -> Option<OrderStatus> {
        let mut tokens = text.split_whitespace();
        let phase = match tokens.next()? {
            "CRTD" => Phase::Created,
            "REL" => Phase::Released,
            "TECO" => Phase::TechnicallyCompleted,
            "CLSD" => Phase::Closed,
            _ => return None,
        };
        let deletion_flag = tokens.any(|token| token == "DLFL");
        Some(OrderStatus {
            phase,
            deletion_flag,
        })
    }

    /// The status that blocks everything but its own reset: `DLFL`, then `CLSD`.
    pub(crate) fn frozen_by(self) -> Option<&'static str> {
        if self.deletion_flag {
            Some("DLFL")
        } else if self.phase == Phase::Closed {
            Some("CLSD")
        } else {
            None
        }
    }

    /// The status an illegal step is blamed on.
    fn blocking(self) -> &'static str {
        if self.deletion_flag {
            "DLFL"
        } else {
            self.phase.code()
        }
    }
}

/// The status line of an operation of an order in `status`.
pub(crate) fn operation_status_text(status: OrderStatus, confirmed: bool, deleted: bool) -> String {
    let mut parts = vec![if status.phase == Phase::Created {
        "CRTD"
    } else {
        "REL"
    }];
    if confirmed {
        parts.push("CNF");
    }
    if deleted || status.deletion_flag {
        parts.push("DLT");
    }
    parts.join(" ")
}

/// The steps the status function imports perform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusStep {
    Release,
    TechnicallyComplete,
    ResetTechnicallyComplete,
    Close,
    ResetClosed,
    MarkForDeletion,
    ResetDeletion,
}

impl StatusStep {
    /// The step a function import performs.
    pub(crate) fn of_function(name: &str) -> Option<StatusStep> {
        Some(match name {
            RELEASE => StatusStep::Release,
            TECHNICALLY_COMPLETE => StatusStep::TechnicallyComplete,
            RESET_TECHNICALLY_COMPLETE => StatusStep::ResetTechnicallyComplete,
            CLOSE => StatusStep::Close,
            RESET_CLOSED => StatusStep::ResetClosed,
            MARK_FOR_DELETION => StatusStep::MarkForDeletion,
            RESET_DELETION => StatusStep::ResetDeletion,
            _ => return None,
        })
    }

    /// SAP's name of the business transaction, as status management messages show it.
    pub(crate) fn transaction(self) -> &'static str {
        match self {
            StatusStep::Release => "Release",
            StatusStep::TechnicallyComplete => "Complete (technically)",
            StatusStep::ResetTechnicallyComplete => "Revoke technical completion",
            StatusStep::Close => "Complete (business)",
            StatusStep::ResetClosed => "Revoke business completion",
            StatusStep::MarkForDeletion => "Set deletion flag",
            StatusStep::ResetDeletion => "Reset deletion flag",
        }
    }

    /// The status after the step, or the status that forbids it.
    pub(crate) fn apply(self, status: OrderStatus) -> Result<OrderStatus, &'static str> {
        let OrderStatus {
            phase,
            deletion_flag,
        } = status;
        let next = match (self, phase, deletion_flag) {
            (StatusStep::ResetDeletion, _, true) => OrderStatus {
                phase,
                deletion_flag: false,
            },
            (_, _, true) | (StatusStep::ResetDeletion, _, false) => {
                return Err(status.blocking());
            }
            (StatusStep::Release, Phase::Created, false) => OrderStatus {
                phase: Phase::Released,
                deletion_flag,
            },
            (StatusStep::TechnicallyComplete, Phase::Released, false) => OrderStatus {
                phase: Phase::TechnicallyCompleted,
                deletion_flag,
            },
            (StatusStep::ResetTechnicallyComplete, Phase::TechnicallyCompleted, false) => {
                OrderStatus {
                    phase: Phase::Released,
                    deletion_flag,
                }
            }
            (StatusStep::Close, Phase::TechnicallyCompleted, false) => OrderStatus {
                phase: Phase::Closed,
                deletion_flag,
            },
            (StatusStep::ResetClosed, Phase::Closed, false) => OrderStatus {
                phase: Phase::TechnicallyCompleted,
                deletion_flag,
            },
            (
                StatusStep::MarkForDeletion,
                Phase::Created | Phase::Released | Phase::TechnicallyCompleted,
                false,
            ) => OrderStatus {
                phase,
                deletion_flag: true,
            },
            _ => return Err(status.blocking()),
        };
        Ok(next)
    }
}

/// A maintenance order: its header row and its operations (sorted by operation number).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MaintenanceOrder {
    pub(crate) header: Row,
    pub(crate) operations: Vec<Row>,
}

impl MaintenanceOrder {
    pub(crate) fn last_change(&self) -> Ticks {
        self.header
            .get(H_LAST_CHANGE)
            .and_then(Value::as_ticks)
            .unwrap_or(Ticks(0))
    }

    pub(crate) fn status(&self) -> OrderStatus {
        self.header
            .get(H_SYSTEM_STATUS)
            .and_then(Value::as_str)
            .and_then(OrderStatus::parse)
            .unwrap_or(OrderStatus {
                phase: Phase::Created,
                deletion_flag: false,
            })
    }

    /// Performs a status step at `now` for `user`; the order is unchanged when it is refused.
    pub(crate) fn step(
        &mut self,
        step: StatusStep,
        now: Ticks,
        user: &str,
        reference: Option<Ticks>,
    ) -> Result<(), &'static str> {
        let next = step.apply(self.status())?;
        self.header[H_SYSTEM_STATUS] = Value::string(next.text());
        match step {
            StatusStep::TechnicallyComplete => {
                self.header[H_REFERENCE] = Value::DateTimeOffset(reference.unwrap_or(now));
            }
            StatusStep::ResetTechnicallyComplete => self.header[H_REFERENCE] = Value::Null,
            _ => {}
        }
        self.touch(now, user);
        self.refresh_operation_statuses();
        Ok(())
    }

    /// Stamps a change: `LastChangeDateTime` and `LastChangeByUser`.
    pub(crate) fn touch(&mut self, now: Ticks, user: &str) {
        self.header[H_LAST_CHANGE] = Value::DateTimeOffset(whole_second(now));
        self.header[H_CHANGED_BY] = Value::string(user.chars().take(12).collect::<String>());
    }

    /// Operation status lines follow the order's status.
    pub(crate) fn refresh_operation_statuses(&mut self) {
        let status = self.status();
        for operation in &mut self.operations {
            let confirmed = !matches!(operation[O_ACTUAL_END], Value::Null);
            let deleted = operation[O_DELETED] == Value::Boolean(true);
            operation[O_SYSTEM_STATUS] =
                Value::string(operation_status_text(status, confirmed, deleted));
        }
    }
}

/// `Precision="0"` timestamps hold whole seconds.
pub(crate) fn whole_second(ticks: Ticks) -> Ticks {
    Ticks(ticks.0 - ticks.0.rem_euclid(TICKS_PER_SECOND))
}

/// Sets the basic dates and their split read-only forms (date at midnight, time of day).
pub(crate) fn set_basic_dates(header: &mut [Value], start: Ticks, end: Ticks) {
    header[H_START] = Value::DateTimeOffset(start);
    header[H_END] = Value::DateTimeOffset(end);
    header[H_START_DATE] = Value::DateTime(start.start_of_day());
    header[H_START_TIME] = Value::Time(Ticks(start.0 - start.start_of_day().0));
    header[H_END_DATE] = Value::DateTime(end.start_of_day());
    header[H_END_TIME] = Value::Time(Ticks(end.0 - end.start_of_day().0));
}

/// The life of one order as drawn: when each step happens (if before the clock start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OrderTiming {
    pub(crate) created: Ticks,
    pub(crate) released: Option<Ticks>,
    pub(crate) completed: Option<Ticks>,
    pub(crate) closed: Option<Ticks>,
    pub(crate) flagged: Option<Ticks>,
    pub(crate) last_change: Ticks,
    order_type: usize,
    priority: usize,
}

impl OrderTiming {
    pub(crate) fn status(&self) -> OrderStatus {
        let phase = if self.closed.is_some() {
            Phase::Closed
        } else if self.completed.is_some() {
            Phase::TechnicallyCompleted
        } else if self.released.is_some() {
            Phase::Released
        } else {
            Phase::Created
        };
        OrderStatus {
            phase,
            deletion_flag: self.flagged.is_some(),
        }
    }
}

/// The base maintenance orders as a function of `(seed, profile)`.
#[derive(Clone, Debug)]
pub(crate) struct MaintenanceOrderGenerator {
    header_key: [u8; 32],
    operations_key: [u8; 32],
    count: u64,
    window_start_s: i64,
    span_s: i64,
    clock_start_s: i64,
    max_delay_s: i64,
    operations_per_order: (u32, u32),
    pub(crate) equipment: EquipmentGenerator,
}

/// Seconds as ticks.
fn at(seconds: i64) -> Ticks {
    Ticks(seconds.saturating_mul(TICKS_PER_SECOND))
}

impl MaintenanceOrderGenerator {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        let clock_start_s = profile.clock_start.timestamp();
        let history_s = i64::from(profile.history_days) * 86_400;
        let [low, high] = profile.maintenance_orders.operations_per_order;
        MaintenanceOrderGenerator {
            header_key: stream_key(seed, "maintenance-order"),
            operations_key: stream_key(seed, "maintenance-order-operations"),
            count: profile.maintenance_orders.count,
            window_start_s: clock_start_s - history_s,
            // Every order is created strictly before the clock start.
            span_s: (history_s - 1).max(1),
            clock_start_s,
            max_delay_s: i64::from(profile.maintenance_orders.max_change_delay_days) * 86_400,
            operations_per_order: (low, high.max(low)),
            equipment: EquipmentGenerator::new(seed, profile),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn max_delay(&self) -> Ticks {
        at(self.max_delay_s)
    }

    /// The life draws come first in every header stream, so they can be computed alone.
    fn timing_rng(&self, index: u64) -> (ChaCha8Rng, OrderTiming) {
        let mut rng = record_rng(&self.header_key, index);
        let count = i128::from(self.count.max(1));
        let slot = i64::try_from(i128::from(index) * i128::from(self.span_s) / count).unwrap_or(0);
        let spacing = i64::try_from(i128::from(self.span_s) / count)
            .unwrap_or(1)
            .max(1);
        let created_s = self.window_start_s + slot + rng.random_range(0..spacing);
        let type_roll: f64 = rng.random();
        let order_type = if type_roll < 0.45 {
            0
        } else if type_roll < 0.85 {
            1
        } else {
            2
        };
        let weights: [f64; 4] = match order_type {
            0 => [0.15, 0.35, 0.35, 0.15],
            1 => [0.0, 0.1, 0.5, 0.4],
            _ => [0.0, 0.3, 0.5, 0.2],
        };
        let priority_roll: f64 = rng.random();
        let mut priority = 3;
        let mut cumulative = 0.0;
        for (position, weight) in weights.iter().enumerate() {
            cumulative += weight;
            if priority_roll < cumulative {
                priority = position;
                break;
            }
        }
        let cancelled = rng.random_bool(0.03);
        let gets_closed = rng.random_bool(0.8);
        let (u_release, u_complete, u_close, u_cancel): (f64, f64, f64, f64) =
            (rng.random(), rng.random(), rng.random(), rng.random());
        // The three steps share the maximal delay 3 : 14 : 28, so they always fit in it.
        let release_max = self.max_delay_s * 3 / 45;
        let complete_max = self.max_delay_s * 14 / 45;
        let close_max = self.max_delay_s * 28 / 45;
        let urgency = if priority == 0 { 0.05 } else { 1.0 };
        let release_s = created_s + ((u_release * urgency * release_max as f64) as i64).max(60);
        let complete_s =
            release_s + (((0.05 + 0.95 * u_complete) * complete_max as f64) as i64).max(1);
        let close_s = complete_s + (((0.25 + 0.75 * u_close) * close_max as f64) as i64).max(1);
        let flag_s =
            created_s + (((0.01 + 0.09 * u_cancel) * self.max_delay_s as f64) as i64).max(1);
        let happened = |seconds: i64| (seconds < self.clock_start_s).then(|| at(seconds));
        let (released, completed, closed, flagged) = if cancelled {
            (None, None, None, happened(flag_s))
        } else {
            let released = happened(release_s);
            let completed = released.and_then(|_| happened(complete_s));
            let closed = if gets_closed {
                completed.and_then(|_| happened(close_s))
            } else {
                None
            };
            (released, completed, closed, None)
        };
        let last_change = [released, completed, closed, flagged]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(at(created_s));
        (
            rng,
            OrderTiming {
                created: at(created_s),
                released,
                completed,
                closed,
                flagged,
                last_change,
                order_type,
                priority,
            },
        )
    }

    pub(crate) fn timing(&self, index: u64) -> OrderTiming {
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
        self.draw_header(&mut rng, FIRST_MAINTENANCE_ORDER + index, index, &timing)
    }

    pub(crate) fn order(&self, index: u64) -> MaintenanceOrder {
        let (mut rng, timing) = self.timing_rng(index);
        let header = self.draw_header(&mut rng, FIRST_MAINTENANCE_ORDER + index, index, &timing);
        let mut operations_rng = record_rng(&self.operations_key, index);
        let operations = self.draw_operations(&mut operations_rng, &header, &timing);
        MaintenanceOrder { header, operations }
    }

    pub(crate) fn operations(&self, index: u64) -> Vec<Row> {
        self.order(index).operations
    }

    /// A brand-new order created by churn at `now`, drawn from `rng`.
    pub(crate) fn fresh_order(
        &self,
        rng: &mut ChaCha8Rng,
        number: u64,
        now: Ticks,
    ) -> MaintenanceOrder {
        let now = whole_second(now);
        let timing = OrderTiming {
            created: now,
            released: None,
            completed: None,
            closed: None,
            flagged: None,
            last_change: now,
            order_type: rng.random_range(0..ORDER_TYPES.len()),
            priority: rng.random_range(1..PRIORITIES.len()),
        };
        let index = number.saturating_sub(FIRST_MAINTENANCE_ORDER);
        let header = self.draw_header(rng, number, index, &timing);
        let operations = self.draw_operations(rng, &header, &timing);
        MaintenanceOrder { header, operations }
    }

    fn draw_header(
        &self,
        rng: &mut ChaCha8Rng,
        number: u64,
        index: u64,
        timing: &OrderTiming,
    ) -> Row {
        let equipment = (self.equipment.count() > 0 && rng.random_bool(0.9)).then(|| {
            let equipment_index = super::skewed_index(rng, self.equipment.count());
            self.equipment.record(equipment_index)
        });
        let current = equipment
            .as_ref()
            .and_then(|record| record.current().cloned());
        let text = |row: &Option<Row>, position: usize| -> Option<String> {
            row.as_ref()
                .and_then(|row| row.get(position))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let location = text(&current, E_FUNCTIONAL_LOCATION).unwrap_or_else(|| {
            let locations = &self.equipment.locations;
            locations.id(rng.random_range(0..locations.count()))
        });
        let work_center = text(&current, E_WORK_CENTER)
            .unwrap_or_else(|| String::from(*pick(rng, &WORK_CENTERS)));
        let planner = text(&current, E_PLANNER_GROUP)
            .unwrap_or_else(|| String::from(*pick(rng, &PLANNER_GROUPS)));
        let cost_center = text(&current, E_COST_CENTER)
            .unwrap_or_else(|| String::from(*pick(rng, &COST_CENTERS)));
        let object_name = text(&current, E_NAME).unwrap_or_else(|| location.clone());
        let description = match timing.order_type {
            0 => format!("{} {object_name}", pick(rng, &CORRECTIVE)),
            1 => format!("{} {object_name}", pick(rng, &PREVENTIVE)),
            _ => format!("{} {object_name}", pick(rng, &REFURBISHMENT)),
        };
        let activity = match timing.order_type {
            0 => ACTIVITY_TYPES[1],
            1 => *pick(rng, &[ACTIVITY_TYPES[0], ACTIVITY_TYPES[2]]),
            _ => ACTIVITY_TYPES[3],
        };
        let notified = timing.order_type == 0 && rng.random_bool(0.8);
        let created_s = timing.created.0 / TICKS_PER_SECOND;
        let start_s = if timing.order_type == 0 {
            // Breakdowns are planned to start within the hour, on a whole minute.
            (created_s + rng.random_range(0..3_600)) / 60 * 60
        } else {
            let day = created_s - created_s.rem_euclid(86_400);
            day + rng.random_range(1..=14) * 86_400 + 6 * 3_600
        };
        let duration_s = match timing.order_type {
            0 => rng.random_range(2..=8) * 3_600,
            1 => rng.random_range(2..=24) * 3_600,
            _ => rng.random_range(1..=5) * 86_400,
        };
        let creator = *pick(rng, &USERS);
        let changer = *pick(rng, &TECHNICIANS);
        let status = timing.status();

        let mut header = vec![Value::Null; ORDER_PROPERTIES.len()];
        header[H_ORDER] = Value::string(number.to_string());
        header[H_TYPE] = Value::string(ORDER_TYPES[timing.order_type]);
        header[H_DESCRIPTION] = Value::string(description.chars().take(40).collect::<String>());
        set_basic_dates(&mut header, at(start_s), at(start_s + duration_s));
        header[H_REFERENCE] = timing.completed.map_or(Value::Null, Value::DateTimeOffset);
        header[H_NOTIFICATION] = Value::string(if notified {
            (10_000_000 + index).to_string()
        } else {
            String::new()
        });
        header[H_CONTROLLING_AREA] = Value::string(CONTROLLING_AREA);
        header[H_WORK_CENTER] = Value::string(work_center);
        header[H_WORK_CENTER_PLANT] = Value::string(PLANT);
        header[H_PLANNING_PLANT] = Value::string(PLANT);
        header[H_PLANT] = Value::string(PLANT);
        header[H_COMPANY_CODE] = Value::string(COMPANY_CODE);
        header[H_COST_CENTER] = Value::string(cost_center);
        header[H_EQUIPMENT] = Value::string(text(&current, E_EQUIPMENT).unwrap_or_default());
        header[H_EQUIPMENT_NAME] = Value::string(text(&current, E_NAME).unwrap_or_default());
        header[H_FUNCTIONAL_LOCATION] = Value::string(location);
        header[H_PLANNER_GROUP] = Value::string(planner);
        header[H_ACTIVITY_TYPE] = Value::string(activity);
        header[H_PRIORITY] = Value::string(PRIORITIES[timing.priority]);
        header[H_PRIORITY_TYPE] = Value::string("PM");
        header[H_CURRENCY] = Value::string(CURRENCY);
        header[H_CHANGED_BY] = Value::string(if timing.last_change == timing.created {
            creator
        } else {
            changer
        });
        header[H_LAST_CHANGE] = Value::DateTimeOffset(timing.last_change);
        header[H_CREATED_BY] = Value::string(creator);
        header[H_CREATED_AT] = Value::DateTimeOffset(timing.created);
        header[H_SYSTEM_STATUS] = Value::string(status.text());
        header[H_USER_STATUS] = Value::string("");
        header
    }

    fn draw_operations(
        &self,
        rng: &mut ChaCha8Rng,
        header: &[Value],
        timing: &OrderTiming,
    ) -> Vec<Row> {
        let (low, high) = self.operations_per_order;
        let count = rng.random_range(low..=high);
        let status = timing.status();
        let main_work_center = header
            .get(H_WORK_CENTER)
            .and_then(Value::as_str)
            .unwrap_or(WORK_CENTERS[0])
            .to_owned();
        let mut operations = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut next_start = timing.released.map(|at| at.0 / TICKS_PER_SECOND);
        for position in 1..=count {
            let work_center = if rng.random_bool(0.7) {
                main_work_center.clone()
            } else {
                String::from(*pick(rng, &WORK_CENTERS))
            };
            let description = *pick(rng, &OPERATION_TEXTS);
            let external = rng.random_bool(0.1);
            let capacities = rng.random_range(1..=3_i64);
            let duration_tenths = rng.random_range(1..=16_i64) * 5;
            let work_tenths = duration_tenths * capacities;
            let confirm_roll = rng.random_bool(0.5);
            let variance = rng.random_range(800..=1_300_i64);
            // Completed orders have every operation confirmed, released ones about half.
            let confirmed = match status.phase {
                Phase::Created => false,
                Phase::Released => confirm_roll,
                Phase::TechnicallyCompleted | Phase::Closed => true,
            };
            let (actual_start, actual_end) = match (confirmed, next_start) {
                (true, Some(start_s)) => {
                    let limit_s = timing
                        .completed
                        .map_or(self.clock_start_s - 1, |at| at.0 / TICKS_PER_SECOND);
                    let start = start_s.min(limit_s);
                    let end = (start + duration_tenths * 360).min(limit_s).max(start);
                    next_start = Some(end);
                    (
                        Value::DateTimeOffset(at(start)),
                        Value::DateTimeOffset(at(end)),
                    )
                }
                _ => (Value::Null, Value::Null),
            };
            let actual_work = if confirmed {
                Decimal::new(work_tenths * variance / 10, 3)
            } else {
                Decimal::new(0, 3)
            };
            let mut operation = vec![Value::Null; OPERATION_PROPERTIES.len()];
            operation[O_ORDER] = header.get(H_ORDER).cloned().unwrap_or(Value::Null);
            operation[O_OPERATION] = Value::string(format!("{:04}", position * 10));
            operation[O_SUB_OPERATION] = Value::string("");
            operation[O_CONTROL_KEY] = Value::string(CONTROL_KEYS[usize::from(external)]);
            operation[O_WORK_CENTER] = Value::string(work_center);
            operation[O_PLANT] = Value::string(PLANT);
            operation[O_DESCRIPTION] = Value::string(description);
            operation[O_CAPACITIES] = Value::Integer(capacities);
            operation[O_DURATION] = Value::Decimal(Decimal::new(duration_tenths, 1));
            operation[O_DURATION_UNIT] = Value::string("H");
            operation[O_ACTUAL_START] = actual_start;
            operation[O_ACTUAL_END] = actual_end;
            operation[O_WORK] = Value::Decimal(Decimal::new(work_tenths, 1));
            operation[O_WORK_UNIT] = Value::string("H");
            operation[O_DELETED] = Value::Boolean(false);
            operation[O_ACTUAL_WORK] = Value::Decimal(actual_work);
            operation[O_SYSTEM_STATUS] =
                Value::string(operation_status_text(status, confirmed, false));
            operation[O_USER_STATUS] = Value::string("");
            operations.push(operation);
        }
        operations
    }
}

// ---------------------------------------------------------------------------------------------
// The book: base orders plus overlay

/// All maintenance orders: the generated base with the overlay of writes and churn on top.
/// Cloning copies the overlay only (the base is a function): cheap checkpoints.
#[derive(Clone, Debug)]
pub(crate) struct MaintenanceOrderBook {
    pub(crate) generator: MaintenanceOrderGenerator,
    overlay: BTreeMap<u64, MaintenanceOrder>,
    /// Orders created after the base set (POST or churn).
    created: u64,
    churn_key: [u8; 32],
    churn_rounds: u64,
}

impl MaintenanceOrderBook {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        MaintenanceOrderBook {
            generator: MaintenanceOrderGenerator::new(seed, profile),
            overlay: BTreeMap::new(),
            created: 0,
            churn_key: stream_key(seed, "maintenance-order-churn"),
            churn_rounds: 0,
        }
    }

    /// One past the highest number in use.
    fn end_number(&self) -> u64 {
        FIRST_MAINTENANCE_ORDER + self.generator.count() + self.created
    }

    /// All orders that exist (base and created).
    pub(crate) fn len(&self) -> u64 {
        self.generator.count() + self.created
    }

    /// Draws the next number of the internal number range.
    pub(crate) fn allocate_number(&mut self) -> Option<u64> {
        let number = self.end_number();
        if number > LAST_MAINTENANCE_ORDER {
            return None;
        }
        self.created += 1;
        Some(number)
    }

    fn base_index(&self, number: u64) -> Option<u64> {
        let index = number.checked_sub(FIRST_MAINTENANCE_ORDER)?;
        (index < self.generator.count()).then_some(index)
    }

    pub(crate) fn order(&self, number: u64) -> Option<MaintenanceOrder> {
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

    pub(crate) fn operations(&self, number: u64) -> Option<Vec<Row>> {
        if let Some(order) = self.overlay.get(&number) {
            return Some(order.operations.clone());
        }
        self.base_index(number)
            .map(|index| self.generator.operations(index))
    }

    /// Stores an order (new or changed), shadowing any base record of the same number.
    pub(crate) fn store(&mut self, number: u64, order: MaintenanceOrder) {
        self.overlay.insert(number, order);
    }

    /// Headers in key order, starting after `after`; base orders that cannot have changed at or
    /// after `changed_since` are skipped without being generated.
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
                    .saturating_sub(FIRST_MAINTENANCE_ORDER)
            })
            .min(count);
        if let Some(since) = changed_since {
            index = index.max(self.generator.first_candidate_changed_since(since));
        }
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut overlay = self.overlay.range((lower, Bound::Unbounded)).peekable();
        loop {
            let base = (index < count).then(|| FIRST_MAINTENANCE_ORDER + index);
            let shadow = overlay.peek().map(|(number, _)| **number);
            let row = match (base, shadow) {
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

    /// Headers ascending by `LastChangeDateTime`, then by number, strictly after `after`.
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
        let mut candidates = self.changes(since, None);
        candidates.sort_unstable_by_key(|(number, changed)| (*changed, *number));
        for (number, changed) in candidates {
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

    /// `(number, last change)` of every order changed within `[since, until]`, by number.
    pub(crate) fn changes(&self, since: Option<Ticks>, until: Option<Ticks>) -> Vec<(u64, Ticks)> {
        let start = since.map_or(0, |at| self.generator.first_candidate_changed_since(at));
        let within = |at: Ticks| since.is_none_or(|s| at >= s) && until.is_none_or(|u| at <= u);
        let mut changes = Vec::new();
        for index in start..self.generator.count() {
            let number = FIRST_MAINTENANCE_ORDER + index;
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

    /// Whether an order can still be worked on (neither closed nor flagged for deletion).
    fn is_open(&self, number: u64) -> bool {
        match (self.overlay.get(&number), self.base_index(number)) {
            (Some(order), _) => order.status().frozen_by().is_none(),
            (None, Some(index)) => self.generator.timing(index).status().frozen_by().is_none(),
            (None, None) => false,
        }
    }

    /// Changes `changed` open orders and creates `created` new ones, all at `now`. A change is
    /// what planners and technicians do: a legal status step, a new description, priority or
    /// dates. The choice follows the seed and the number of churn rounds before.
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
        if self.end_number().saturating_add(created) > LAST_MAINTENANCE_ORDER + 1 {
            return Err(ChurnRefusal::NumberRangeExhausted);
        }
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let mut chosen: Vec<u64> = Vec::new();
        let mut seen: HashSet<u64> = HashSet::new();
        let mut attempts = 0_u64;
        while (chosen.len() as u64) < changed && attempts < changed.saturating_mul(20) + 100 {
            attempts += 1;
            let number = FIRST_MAINTENANCE_ORDER + rng.random_range(0..total);
            if seen.insert(number) && self.is_open(number) {
                chosen.push(number);
            }
        }
        // A sweep from the newest orders (the open ones) guarantees termination.
        let mut sweep = self.end_number();
        while (chosen.len() as u64) < changed && sweep > FIRST_MAINTENANCE_ORDER {
            sweep -= 1;
            if seen.insert(sweep) && self.is_open(sweep) {
                chosen.push(sweep);
            }
        }
        if (chosen.len() as u64) < changed {
            return Err(ChurnRefusal::NotEnoughOrders {
                requested: changed,
                available: chosen.len() as u64,
            });
        }
        for number in &chosen {
            if let Some(mut order) = self.order(*number) {
                apply_churn_change(&mut rng, &mut order, now);
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

/// One change to an open order at `now`.
fn apply_churn_change(rng: &mut ChaCha8Rng, order: &mut MaintenanceOrder, now: Ticks) {
    let user = *pick(rng, &TECHNICIANS);
    let roll: f64 = rng.random();
    if roll < 0.45 {
        let step = match order.status().phase {
            Phase::Created => StatusStep::Release,
            Phase::Released => StatusStep::TechnicallyComplete,
            _ => StatusStep::Close,
        };
        if order.step(step, now, user, None).is_ok() {
            return;
        }
    }
    if roll < 0.7 {
        let current = order.header[H_DESCRIPTION]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let next = match current.strip_suffix(" - rework") {
            Some(base) => base.to_owned(),
            None => format!("{} - rework", current.chars().take(31).collect::<String>()),
        };
        order.header[H_DESCRIPTION] = Value::string(next);
    } else if roll < 0.85 {
        let current = order.header[H_PRIORITY].as_str().unwrap_or("3").to_owned();
        let others: Vec<&&str> = PRIORITIES.iter().filter(|p| **p != current).collect();
        order.header[H_PRIORITY] = Value::string(*others[rng.random_range(0..others.len())]);
    } else {
        let shift = at(rng.random_range(1..=3) * 86_400);
        let start = order.header[H_START].as_ticks().unwrap_or(now);
        let end = order.header[H_END].as_ticks().unwrap_or(now);
        set_basic_dates(
            &mut order.header,
            Ticks(start.0 + shift.0),
            Ticks(end.0 + shift.0),
        );
    }
    order.touch(now, user);
}

/// Parses a maintenance order number as clients write it (`4000123` or ALPHA-padded
/// `000004000123`).
pub(crate) fn parse_order(text: &str) -> Option<u64> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > 12 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
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
    fn creation_is_strictly_increasing_and_changes_fit_the_delay() {
        let generator = MaintenanceOrderGenerator::new(7, &tiny());
        let start = Ticks::from_datetime(tiny().clock_start);
        let mut previous = Ticks(i64::MIN);
        for index in 0..generator.count() {
            let timing = generator.timing(index);
            assert!(timing.created > previous, "order {index}");
            assert!(timing.last_change >= timing.created);
            assert!(timing.last_change < start);
            assert!(timing.last_change.0 - timing.created.0 <= generator.max_delay().0);
            assert_eq!(timing.last_change.0 % TICKS_PER_SECOND, 0);
            previous = timing.created;
            let order = generator.order(index);
            assert_eq!(order.status(), timing.status());
            assert_eq!(order.last_change(), timing.last_change);
            assert!((1..=10).contains(&order.operations.len()));
        }
        assert_eq!(
            generator.first_created_at_or_after(generator.timing(42).created),
            42
        );
    }

    #[test]
    fn old_orders_are_mostly_done_and_recent_ones_open() {
        let generator = MaintenanceOrderGenerator::new(7, &tiny());
        let count = generator.count();
        let done = |range: std::ops::Range<u64>| {
            let total = range.end - range.start;
            let done = range
                .filter(|index| {
                    matches!(
                        generator.timing(*index).status().phase,
                        Phase::TechnicallyCompleted | Phase::Closed
                    )
                })
                .count() as u64;
            done * 100 / total.max(1)
        };
        assert!(done(0..count / 3) > 80, "old orders are completed");
        assert!(
            done(count - count / 10..count) < 50,
            "recent orders are open"
        );
    }

    #[test]
    fn status_machine_follows_the_conventions() {
        use Phase::*;
        use StatusStep::*;
        let status = |phase, deletion_flag| OrderStatus {
            phase,
            deletion_flag,
        };
        let cases = [
            (Release, status(Created, false), Ok(status(Released, false))),
            (Release, status(Released, false), Err("REL")),
            (Release, status(Closed, false), Err("CLSD")),
            (Release, status(Created, true), Err("DLFL")),
            (
                TechnicallyComplete,
                status(Released, false),
                Ok(status(TechnicallyCompleted, false)),
            ),
            (TechnicallyComplete, status(Created, false), Err("CRTD")),
            (
                ResetTechnicallyComplete,
                status(TechnicallyCompleted, false),
                Ok(status(Released, false)),
            ),
            (
                ResetTechnicallyComplete,
                status(Released, false),
                Err("REL"),
            ),
            (
                Close,
                status(TechnicallyCompleted, false),
                Ok(status(Closed, false)),
            ),
            (Close, status(Created, false), Err("CRTD")),
            (
                ResetClosed,
                status(Closed, false),
                Ok(status(TechnicallyCompleted, false)),
            ),
            (
                ResetClosed,
                status(TechnicallyCompleted, false),
                Err("TECO"),
            ),
            (
                MarkForDeletion,
                status(Created, false),
                Ok(status(Created, true)),
            ),
            (
                MarkForDeletion,
                status(TechnicallyCompleted, false),
                Ok(status(TechnicallyCompleted, true)),
            ),
            (MarkForDeletion, status(Closed, false), Err("CLSD")),
            (MarkForDeletion, status(Released, true), Err("DLFL")),
            (
                ResetDeletion,
                status(Released, true),
                Ok(status(Released, false)),
            ),
            (ResetDeletion, status(Released, false), Err("REL")),
        ];
        for (step, from, expected) in cases {
            assert_eq!(step.apply(from), expected, "{step:?} from {from:?}");
        }
        for phase in [Created, Released, TechnicallyCompleted, Closed] {
            for flag in [false, true] {
                let value = status(phase, flag);
                assert_eq!(OrderStatus::parse(&value.text()), Some(value));
                assert!(value.text().len() <= 40);
            }
        }
        assert_eq!(status(Created, true).text(), "CRTD DLFL NMAT PRC");
        assert_eq!(OrderStatus::parse("NOPE"), None);
    }

    #[test]
    fn churn_changes_open_orders_and_creates_at_now() {
        let mut book = MaintenanceOrderBook::new(7, &tiny());
        let now = Ticks::from_datetime(tiny().clock_start);
        let (changed, created) = book.churn(5, 2, now).expect("churn");
        assert_eq!((changed.len(), created.len()), (5, 2));
        assert_eq!(created[0], FIRST_MAINTENANCE_ORDER + 150);
        for number in changed.iter().chain(&created) {
            let order = book.order(*number).expect("exists");
            assert_eq!(order.last_change(), now);
        }
        assert_eq!(book.changes(Some(now), None).len(), 7);
        assert!(book.churn(10_000, 0, now).is_err());
        assert_eq!(parse_order("000004000001"), Some(4_000_001));
        assert_eq!(parse_order("40000x"), None);
    }
}
