//! Work orders (`mxapiwodetail`) with their tasks (`woactivity`) and status history
//! (`wostatus`), and the work order status machine.
//!
//! Work order `i` (number `first + i`, unique id `10·(i+1)`: the nine ids after it belong to
//! its tasks, which are WORKORDER rows too) is reported at an instant strictly increasing in
//! `i`. Its life is drawn up front, first in its stream: the work type (reference §4 mix:
//! inspections 38 %, PM 30 %, corrective 15 %, calibration 14 %, emergency 2 %), and the
//! status steps Maximo allows — `WAPPR → APPR → [WMATL →] INPRG → COMP → CLOSE`, half the
//! PM-generated work starting at `WSCH` instead, a few cancelled from `WAPPR`. Every step
//! falls within `work_order_max_change_delay_days` of the report date; only the steps before
//! the clock start have happened, so old work orders are closed (about five history rows
//! each) and recent ones open. `changedate` and `statusdate` are the last step's instant.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::super::schema::{
    MXAPIWODETAIL, OsDef, Record, WO_STATUS_HISTORY, WO_TASKS, WOACTIVITY, WORKORDER, WOSTATUS_MBO,
    wo, woactivity, wostatus,
};
use super::super::value::Value;
use super::assets::AssetGenerator;
use super::book::{Generator, Timing};
use super::masters::LocationMaster;
use super::{ORG, Spread, World, mix, money, number_base, pick, record_rng, stream_key};
use crate::MaximoSettings;

/// Work order statuses a status may change to (IBM support: "Allowable Status Changes for
/// Work Orders"; reference §1.3). `CAN` and `CLOSE` allow none.
pub(crate) fn allowed_next(from: &str) -> &'static [&'static str] {
    match from {
        "WAPPR" => &["INPRG", "CAN", "WMATL", "COMP", "WPCOND", "APPR", "CLOSE"],
        "APPR" | "WSCH" | "WPCOND" | "WMATL" => {
            &["INPRG", "WMATL", "COMP", "WPCOND", "WAPPR", "CLOSE"]
        }
        "INPRG" => &["WMATL", "COMP", "WAPPR", "CLOSE"],
        "COMP" => &["CLOSE"],
        _ => &[],
    }
}

/// Whether a work order in `status` is a history record (no further change).
pub(crate) fn is_history(status: &str) -> bool {
    matches!(status, "CLOSE" | "CAN")
}

/// People of the plant: reporters, supervisors, leads.
pub(crate) const PEOPLE: [&str; 8] = [
    "WILSON",
    "SMITH",
    "JONES",
    "RAMIREZ",
    "CHEN",
    "OKAFOR",
    "MURPHY",
    "LINDQVIST",
];
const SUPERVISORS: [&str; 3] = ["WILSON", "RAMIREZ", "CHEN"];
const CRAFTS: [(&str, &str); 3] = [("MECH", "SMITH"), ("ELEC", "OKAFOR"), ("INST", "MURPHY")];
const FREQUENCIES: [&str; 5] = ["Weekly", "Monthly", "Quarterly", "Semi-annual", "Annual"];
/// Problems of corrective work: description, problem code.
const PROBLEMS: [(&str, &str); 6] = [
    ("Leak at seal", "LEAK"),
    ("Abnormal noise", "NOISE"),
    ("High vibration", "VIBR"),
    ("Overheating", "OVHT"),
    ("Tripped on overload", "TRIP"),
    ("Low discharge pressure", "LOWP"),
];
const TASK_TEXTS: [&str; 10] = [
    "Isolate and lock out equipment",
    "Inspect bearings and seals",
    "Check alignment and coupling",
    "Lubricate per lubrication chart",
    "Measure vibration levels",
    "Replace filter elements",
    "Check electrical connections",
    "Clean and flush",
    "Calibrate instrument",
    "Test run and return to service",
];
/// Labour rate per hour, in cents.
pub(crate) const LABOUR_RATE_CENTS: i64 = 6_500;

/// The planned life of a work order: its steps, of which the first `happened` are history.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub(crate) created: i64,
    pub(crate) worktype: &'static str,
    steps: [(&'static str, i64); 8],
    len: usize,
    pub(crate) happened: usize,
}

impl Plan {
    /// The steps that have happened: `(status, instant)`.
    pub(crate) fn history(&self) -> &[(&'static str, i64)] {
        &self.steps[..self.happened.min(self.len)]
    }

    pub(crate) fn current(&self) -> (&'static str, i64) {
        self.history()
            .last()
            .copied()
            .unwrap_or(("WAPPR", self.created))
    }

    fn at_of(&self, status: &str) -> Option<i64> {
        self.history()
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, at)| *at)
    }
}

/// The base work orders.
pub(crate) struct WorkOrderGenerator {
    count: u64,
    first_number: u64,
    key: [u8; 32],
    spread: Spread,
    world: World,
    max_delay: i64,
    tasks: (u32, u32),
    assets: AssetGenerator,
    locations: LocationMaster,
}

impl WorkOrderGenerator {
    pub(crate) fn new(
        world: &World,
        settings: &MaximoSettings,
        assets: &AssetGenerator,
        locations: &LocationMaster,
    ) -> Self {
        let count = settings.work_orders.max(1);
        let [low, high] = settings.tasks_per_work_order;
        WorkOrderGenerator {
            count,
            first_number: number_base(count),
            key: stream_key(world.seed, "work-order"),
            spread: Spread::new(world, count),
            world: world.clone(),
            max_delay: i64::from(settings.work_order_max_change_delay_days) * 86_400,
            tasks: (low, high.max(low)),
            assets: assets.clone(),
            locations: locations.clone(),
        }
    }

    pub(crate) fn first_number(&self) -> u64 {
        self.first_number
    }

    pub(crate) fn wonum(&self, index: u64) -> String {
        (self.first_number + index).to_string()
    }

    pub(crate) fn site(&self, index: u64) -> &str {
        self.world
            .site(mix(&self.key, index, 7) % self.world.site_count())
    }

    /// The plan draws come first in every work order's stream, so timings are cheap.
    pub(crate) fn plan_rng(&self, index: u64) -> (ChaCha8Rng, Plan) {
        let mut rng = record_rng(&self.key, index);
        let created = self.spread.at(index, rng.random());
        let roll: f64 = rng.random();
        let worktype = if roll < 0.38 {
            "INSP"
        } else if roll < 0.68 {
            "PM"
        } else if roll < 0.83 {
            "CM"
        } else if roll < 0.97 {
            "CAL"
        } else if roll < 0.99 {
            "EM"
        } else {
            "CP"
        };
        // Half the PM-generated work starts waiting to be scheduled (the PM application's
        // default); plants that approve PM work generate the other half as WAPPR.
        let scheduled_start = rng.random_bool(0.5);
        let generated_by_pm = matches!(worktype, "PM" | "INSP" | "CAL") && scheduled_start;
        let emergency = worktype == "EM";
        let cancel = rng.random_bool(if generated_by_pm { 0.03 } else { 0.04 });
        let waits_for_material = rng.random_bool(0.12);
        let stays_completed = rng.random_bool(0.02);
        let approve = if emergency {
            rng.random_range(300..1_800)
        } else {
            rng.random_range(1_800..3 * 86_400)
        };
        let material = rng.random_range(86_400..5 * 86_400);
        let start = if emergency {
            rng.random_range(600..3_600)
        } else {
            rng.random_range(3_600..7 * 86_400)
        };
        let complete = rng.random_range(2 * 3_600..5 * 86_400);
        let close = rng.random_range(3 * 86_400..20 * 86_400);
        let cancel_after = rng.random_range(3_600..5 * 86_400);

        let mut plan = Plan {
            created,
            worktype,
            steps: [("", 0); 8],
            len: 0,
            happened: 0,
        };
        let mut at = created;
        let limit = created + self.max_delay;
        let mut push = |plan: &mut Plan, status: &'static str, delay: i64| {
            at = (at + delay).min(limit);
            if plan.len < plan.steps.len() {
                plan.steps[plan.len] = (status, at);
                plan.len += 1;
            }
        };
        push(&mut plan, if generated_by_pm { "WSCH" } else { "WAPPR" }, 0);
        if cancel {
            if generated_by_pm {
                push(&mut plan, "WAPPR", approve);
            }
            push(&mut plan, "CAN", cancel_after);
        } else {
            if !generated_by_pm {
                push(&mut plan, "APPR", approve);
            }
            if waits_for_material {
                push(&mut plan, "WMATL", material);
            }
            push(&mut plan, "INPRG", start);
            push(&mut plan, "COMP", complete);
            if !stays_completed {
                push(&mut plan, "CLOSE", close);
            }
        }
        plan.happened = plan.steps[..plan.len]
            .iter()
            .take_while(|(_, step_at)| *step_at < self.world.clock_start)
            .count()
            .max(1);
        (rng, plan)
    }

    pub(crate) fn plan(&self, index: u64) -> Plan {
        self.plan_rng(index).1
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }
}

impl Generator for WorkOrderGenerator {
    fn os(&self) -> &'static OsDef {
        &MXAPIWODETAIL
    }

    fn base_count(&self) -> u64 {
        self.count
    }

    fn timing(&self, index: u64) -> Option<Timing> {
        let plan = self.plan(index);
        Some(Timing {
            created: plan.created,
            last_change: plan.current().1,
        })
    }

    fn max_delay(&self) -> i64 {
        self.max_delay
    }

    fn base_index(&self, keys: &[String]) -> Option<u64> {
        let [site, wonum] = keys else { return None };
        if wonum.len() != self.first_number.to_string().len() {
            return None;
        }
        let index = wonum.parse::<u64>().ok()?.checked_sub(self.first_number)?;
        (index < self.count && self.site(index) == site).then_some(index)
    }

    fn unique_id(&self, index: u64) -> i64 {
        i64::try_from(index).map_or(i64::MAX, |i| i.saturating_add(1).saturating_mul(10))
    }

    fn index_of_unique_id(&self, id: i64) -> Option<u64> {
        if id <= 0 || id % 10 != 0 {
            return None;
        }
        u64::try_from(id / 10 - 1).ok()
    }

    fn light(&self, index: u64, attr: usize) -> Option<Value> {
        match attr {
            wo::WONUM => Some(Value::Str(self.wonum(index))),
            wo::WORKORDERID => Some(Value::Int(self.unique_id(index))),
            wo::SITEID => Some(Value::str(self.site(index))),
            wo::ORGID => Some(Value::str(ORG)),
            wo::ISTASK => Some(Value::Bool(false)),
            wo::WOCLASS => Some(Value::str("WORKORDER")),
            wo::STATUS
            | wo::STATUSDATE
            | wo::CHANGEDATE
            | wo::REPORTDATE
            | wo::WORKTYPE
            | wo::HISTORYFLAG => {
                let plan = self.plan(index);
                let (status, at) = plan.current();
                Some(match attr {
                    wo::STATUS => Value::str(status),
                    wo::REPORTDATE => Value::Date(plan.created),
                    wo::WORKTYPE => Value::str(plan.worktype),
                    wo::HISTORYFLAG => Value::Bool(is_history(status)),
                    _ => Value::Date(at),
                })
            }
            _ => None,
        }
    }

    fn record(&self, index: u64) -> Record {
        let (mut rng, plan) = self.plan_rng(index);
        let sites = self.world.site_count();
        let site_position = mix(&self.key, index, 7) % sites;
        let site = self.world.site(site_position).to_owned();
        let wonum = self.wonum(index);
        let uid = self.unique_id(index);
        let (status, status_at) = plan.current();

        let has_asset = rng.random_bool(0.85);
        let asset_index = self.assets.at_site(site_position, rng.random());
        let location_draw: u64 = rng.random();
        let (assetnum, location, subject, area) = if has_asset {
            (
                Some(self.assets.assetnum(asset_index)),
                self.assets.location(asset_index),
                self.assets.type_of(asset_index).0,
                self.assets.area(asset_index),
            )
        } else {
            let location_index = self.locations.at_site(site_position, location_draw);
            let area = self.locations.area_name(location_index);
            (None, self.locations.code(location_index), area, area)
        };
        let problem = *pick(&mut rng, &PROBLEMS);
        let frequency = *pick(&mut rng, &FREQUENCIES);
        let description = match plan.worktype {
            "PM" => format!("{frequency} PM - {subject}"),
            "INSP" => format!("Inspect {subject} - {area}"),
            "CAL" => format!("Calibrate instruments - {subject}"),
            "EM" => format!("EMERGENCY: {} - {subject}", problem.0),
            "CP" => format!("Install upgrade - {subject}"),
            _ => format!("{} - {subject}", problem.0),
        };
        let priority = match plan.worktype {
            "EM" => 1,
            "CM" => rng.random_range(2..=3),
            "PM" => rng.random_range(3..=4),
            "INSP" => 4,
            _ => 3,
        };
        let reporter = *pick(&mut rng, &PEOPLE);
        let supervisor = *pick(&mut rng, &SUPERVISORS);
        let (craft, lead) = *pick(&mut rng, &CRAFTS);
        let target_start = plan.created
            + if plan.worktype == "EM" {
                0
            } else {
                rng.random_range(86_400..3 * 86_400)
            };
        let target_finish = target_start + rng.random_range(2 * 86_400..14 * 86_400);
        let half_hours = rng.random_range(1..=32_i64);
        let crew = rng.random_range(1..=3_i64);
        let material_cents = match plan.worktype {
            "CM" | "EM" => rng.random_range(5_000..250_000),
            "PM" => rng.random_range(1_000..40_000),
            _ => 0,
        };
        let actual_factor = rng.random_range(70..=140_i64);
        let material_factor = rng.random_range(80..=130_i64);
        let task_count = rng.random_range(self.tasks.0..=self.tasks.1);

        let mut record = WORKORDER.blank();
        record.set(wo::WONUM, Value::Str(wonum.clone()));
        record.set(wo::WORKORDERID, Value::Int(uid));
        record.set(wo::SITEID, Value::Str(site.clone()));
        record.set(wo::ORGID, Value::str(ORG));
        record.set(wo::DESCRIPTION, Value::Str(description));
        record.set(wo::STATUS, Value::str(status));
        record.set(wo::STATUSDATE, Value::Date(status_at));
        record.set(wo::WOCLASS, Value::str("WORKORDER"));
        record.set(wo::WORKTYPE, Value::str(plan.worktype));
        record.set(wo::WOPRIORITY, Value::Int(priority));
        record.set(wo::ASSETNUM, Value::opt_str(assetnum));
        record.set(wo::LOCATION, Value::Str(location));
        record.set(wo::REPORTDATE, Value::Date(plan.created));
        record.set(wo::REPORTEDBY, Value::str(reporter));
        record.set(wo::CHANGEDATE, Value::Date(status_at));
        record.set(
            wo::CHANGEBY,
            Value::str(if plan.happened > 1 { lead } else { reporter }),
        );
        record.set(wo::ISTASK, Value::Bool(false));
        record.set(wo::HASCHILDREN, Value::Bool(task_count > 0));
        record.set(wo::HISTORYFLAG, Value::Bool(is_history(status)));
        if matches!(plan.worktype, "PM" | "INSP" | "CAL") {
            let pm = self.first_number / 10 + asset_index % 997;
            record.set(wo::PMNUM, Value::Str(format!("PM{pm}")));
            record.set(
                wo::JPNUM,
                Value::Str(format!("JP{}", 100 + asset_index % 97)),
            );
        }
        record.set(wo::SUPERVISOR, Value::str(supervisor));
        record.set(wo::LEAD, Value::str(lead));
        record.set(wo::PERSONGROUP, Value::str(craft));
        if matches!(plan.worktype, "CM" | "EM") {
            record.set(wo::FAILURECODE, Value::str("MECHFAIL"));
            record.set(wo::PROBLEMCODE, Value::str(problem.1));
        }
        record.set(wo::TARGSTARTDATE, Value::Date(target_start));
        record.set(wo::TARGCOMPDATE, Value::Date(target_finish));
        if !matches!(plan.current().0, "WAPPR" | "CAN") || plan.happened > 2 {
            record.set(wo::SCHEDSTART, Value::Date(target_start));
            record.set(wo::SCHEDFINISH, Value::Date(target_finish));
        }
        if let Some(at) = plan.at_of("INPRG") {
            record.set(wo::ACTSTART, Value::Date(at));
        }
        let estimated_hours = Decimal::new(half_hours * 5, 1);
        let labour_hours = estimated_hours * Decimal::from(crew);
        record.set(wo::ESTDUR, Value::Dec(estimated_hours));
        record.set(wo::ESTLABHRS, Value::Dec(labour_hours));
        record.set(
            wo::ESTLABCOST,
            Value::Dec((labour_hours * Decimal::new(LABOUR_RATE_CENTS, 2)).round_dp(2)),
        );
        record.set(wo::ESTMATCOST, money(material_cents));
        let completed = plan.at_of("COMP");
        if let Some(at) = completed {
            let actual_hours = (labour_hours * Decimal::new(actual_factor, 2)).round_dp(1);
            record.set(wo::ACTFINISH, Value::Date(at));
            record.set(wo::ACTLABHRS, Value::Dec(actual_hours));
            record.set(
                wo::ACTLABCOST,
                Value::Dec((actual_hours * Decimal::new(LABOUR_RATE_CENTS, 2)).round_dp(2)),
            );
            record.set(
                wo::ACTMATCOST,
                money(material_cents * material_factor / 100),
            );
        } else {
            record.set(wo::ACTLABHRS, Value::Dec(Decimal::ZERO));
            record.set(wo::ACTLABCOST, money(0));
            record.set(wo::ACTMATCOST, money(0));
        }
        record.set(
            wo::GLACCOUNT,
            Value::Str(format!(
                "6200-{}-{:03}",
                craft_code(craft),
                site_position * 100
            )),
        );
        record.set(wo::DOWNTIME, Value::Bool(plan.worktype == "EM"));
        let rowstamp = self.world.base_rowstamp(status_at, index);
        record.rowstamp = rowstamp;

        for task in 0..task_count {
            let taskid = i64::from(task + 1) * 10;
            let mut row = WOACTIVITY.blank();
            row.set(woactivity::TASKID, Value::Int(taskid));
            row.set(woactivity::WONUM, Value::Str(format!("{wonum}-{taskid}")));
            row.set(
                woactivity::WORKORDERID,
                Value::Int(uid + i64::from(task) + 1),
            );
            row.set(woactivity::PARENT, Value::Str(wonum.clone()));
            row.set(woactivity::SITEID, Value::Str(site.clone()));
            row.set(woactivity::ORGID, Value::str(ORG));
            row.set(
                woactivity::DESCRIPTION,
                Value::str(*pick(&mut rng, &TASK_TEXTS)),
            );
            row.set(woactivity::STATUS, Value::str(status));
            row.set(woactivity::STATUSDATE, Value::Date(status_at));
            row.set(woactivity::ISTASK, Value::Bool(true));
            row.set(
                woactivity::ESTDUR,
                Value::Dec(Decimal::new(rng.random_range(1..=8_i64) * 5, 1)),
            );
            row.set(woactivity::CHANGEDATE, Value::Date(status_at));
            row.rowstamp = rowstamp;
            record.children[WO_TASKS].push(row);
        }
        for (position, (step, at)) in plan.history().iter().enumerate() {
            let mut row = WOSTATUS_MBO.blank();
            row.set(
                wostatus::WOSTATUSID,
                Value::Int(uid * 16 + i64::try_from(position).unwrap_or(0)),
            );
            row.set(wostatus::WONUM, Value::Str(wonum.clone()));
            row.set(wostatus::SITEID, Value::Str(site.clone()));
            row.set(wostatus::ORGID, Value::str(ORG));
            row.set(wostatus::STATUS, Value::str(*step));
            row.set(wostatus::CHANGEDATE, Value::Date(*at));
            row.set(
                wostatus::CHANGEBY,
                Value::str(if position == 0 { reporter } else { lead }),
            );
            if *step == "CAN" {
                row.set(
                    wostatus::MEMO,
                    Value::str("Duplicate of an open work order"),
                );
            }
            row.rowstamp = self.world.base_rowstamp(*at, index);
            record.children[WO_STATUS_HISTORY].push(row);
        }
        record
    }
}

fn craft_code(craft: &str) -> &'static str {
    match craft {
        "ELEC" => "310",
        "INST" => "320",
        _ => "300",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use crate::maximo::data::MaximoData;

    #[test]
    fn generated_lives_follow_the_transition_table() {
        let profile = Profile::builtin("tiny").expect("tiny");
        let data = MaximoData::new(7, &profile);
        let generator = &data.work_orders.generator;
        let mut previous = i64::MIN;
        let mut closed = 0;
        for index in 0..generator.count() {
            let plan = generator.plan(index);
            assert!(plan.created > previous, "report dates strictly increase");
            previous = plan.created;
            let history = plan.history();
            for pair in history.windows(2) {
                assert!(
                    allowed_next(pair[0].0).contains(&pair[1].0),
                    "{} -> {} in work order {index}",
                    pair[0].0,
                    pair[1].0
                );
                assert!(pair[0].1 <= pair[1].1);
            }
            let last = plan.current().1;
            assert!(last < data.world.clock_start);
            assert!(last - plan.created <= generator.max_delay());
            let record = generator.record(index);
            assert_eq!(record.get(wo::CHANGEDATE), &Value::Date(last));
            assert_eq!(
                record.children[WO_STATUS_HISTORY].len(),
                history.len(),
                "one status row per step"
            );
            for attr in [
                wo::WONUM,
                wo::SITEID,
                wo::STATUS,
                wo::CHANGEDATE,
                wo::WORKTYPE,
            ] {
                assert_eq!(
                    generator.light(index, attr).as_ref(),
                    Some(record.get(attr))
                );
            }
            closed += usize::from(plan.current().0 == "CLOSE");
        }
        assert!(closed > 0 && closed < 400);
        assert_eq!(
            generator.base_index(&[String::from("BEDFORD"), generator.wonum(5)]),
            Some(5)
        );
        assert_eq!(
            generator.index_of_unique_id(generator.unique_id(5)),
            Some(5)
        );
        assert_eq!(generator.index_of_unique_id(55), None);
    }
}
