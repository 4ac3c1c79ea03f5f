//! `API_MAINTENANCEORDER;v=0002`: maintenance orders and their operations.
//!
//! Reads come from the [`MaintenanceOrderBook`] (generated base plus overlay); `EquipmentName`
//! is read from the equipment master at read time, as the CDS view behind the service joins it.
//! Writes are checked the way PM checks them before anything is stored, so a refused write
//! changes nothing:
//!
//! - create (POST with deep insert of `to_MaintenanceOrderOperation`, array or `{results}`):
//!   order type, plants, work center, priority, equipment (must exist and not be flagged for
//!   deletion) and functional location (must exist, and match the equipment's); without
//!   operations SAP creates operation `0010` from the order's text, as here;
//! - operations are not creatable on their set, only with their order or through
//!   `MaintenanceOrder('…')/to_MaintenanceOrderOperation`;
//! - PATCH/MERGE/PUT change updatable fields (204); type and planning plant, and the
//!   system-maintained fields (status lines, stamps), are refused when the value differs;
//! - orders are not deletable (405); deleting an operation sets its deletion flag;
//! - the status changes only through the function imports (`ReleaseMaintenanceOrder`, …),
//!   refused with `BS/013` naming the status that forbids them;
//! - nothing changes on a closed order or one flagged for deletion (`BS/013`).
//!
//! Every accepted write stamps `LastChangeDateTime` (whole seconds) and `LastChangeByUser`.

pub(crate) mod admin;
pub(crate) mod schema;
pub(crate) mod values;

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rust_decimal::Decimal;

use super::data::equipment::{
    COST_CENTERS, EquipmentBook, PLANNER_GROUPS, WORK_CENTERS, parse_equipment,
};
use super::data::maintenance_orders::{
    ACTIVITY_TYPES, CONTROL_KEYS, FIRST_MAINTENANCE_ORDER, MaintenanceOrder, MaintenanceOrderBook,
    ORDER_TYPES, OrderStatus, PRIORITIES, Phase, StatusStep, operation_status_text, parse_order,
    set_basic_dates, whole_second,
};
use super::data::{COMPANY_CODE, CURRENCY, PLANT};
use super::equipment::schema::{E_DELETION_FLAG, E_FUNCTIONAL_LOCATION, E_NAME};
use super::odata::body::EntityPayload;
use super::odata::edm::{EntitySet, Navigation, ServiceDef};
use super::odata::engine::{Row, RowSource, Scan, ScanOrder};
use super::odata::error::ODataError;
use super::odata::eval::lower_bound;
use super::odata::function::{Arguments, FunctionImport, FunctionResult};
use super::odata::value::Value;
use super::service::{Checkpoint, Created, ODataService, ParentRef, ServiceReader, WriteContext};
use schema::*;
use values::{
    is_blank, not_changeable, not_defined, required, same_key_value, status_forbids, stored, text,
};

/// Units operation durations and work may be given in.
const TIME_UNITS: [&str; 3] = ["H", "MIN", "DAY"];

/// The maintenance order service over the order book and the equipment master.
pub(crate) struct MaintenanceOrderService {
    orders: Arc<RwLock<MaintenanceOrderBook>>,
    equipment: Arc<RwLock<EquipmentBook>>,
}

impl MaintenanceOrderService {
    pub(crate) fn new(
        orders: Arc<RwLock<MaintenanceOrderBook>>,
        equipment: Arc<RwLock<EquipmentBook>>,
    ) -> Self {
        MaintenanceOrderService { orders, equipment }
    }

    fn read_orders(&self) -> RwLockReadGuard<'_, MaintenanceOrderBook> {
        self.orders.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_orders(&self) -> RwLockWriteGuard<'_, MaintenanceOrderBook> {
        self.orders.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_equipment(&self) -> RwLockReadGuard<'_, EquipmentBook> {
        self.equipment
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Fills `EquipmentName` from the equipment master as it is now.
pub(crate) fn with_equipment_name(equipment: &EquipmentBook, mut header: Row) -> Row {
    let id = text(&header, H_EQUIPMENT);
    if id.is_empty() {
        return header;
    }
    if let Some(current) = equipment.current(id) {
        header[H_EQUIPMENT_NAME] = current.get(E_NAME).cloned().unwrap_or(Value::Null);
    }
    header
}

struct Reader<'a> {
    orders: &'a MaintenanceOrderBook,
    equipment: &'a EquipmentBook,
}

struct HeaderSource<'a> {
    orders: &'a MaintenanceOrderBook,
    equipment: &'a EquipmentBook,
}

impl RowSource for HeaderSource<'_> {
    fn supports(&self, order: ScanOrder) -> bool {
        matches!(order, ScanOrder::Key | ScanOrder::Ascending(H_LAST_CHANGE))
    }

    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let changed_since = scan
            .filter
            .and_then(|filter| lower_bound(filter, H_LAST_CHANGE));
        let equipment = self.equipment;
        let mut named = |row: Row| visit(with_equipment_name(equipment, row));
        match scan.order {
            ScanOrder::Ascending(_) => {
                let after = scan.after.and_then(|tuple| {
                    let at = tuple.first()?.as_ticks()?;
                    let number = parse_order(tuple.get(1)?.as_str()?)?;
                    Some((at, number))
                });
                self.orders
                    .scan_by_last_change(after, changed_since, &mut named);
            }
            ScanOrder::Key => {
                let after = scan
                    .after
                    .and_then(|tuple| tuple.first()?.as_str().and_then(parse_order));
                self.orders.scan_by_number(after, changed_since, &mut named);
            }
        }
    }

    fn count_all(&self) -> Option<u64> {
        Some(self.orders.len())
    }
}

struct OperationSource<'a> {
    orders: &'a MaintenanceOrderBook,
}

impl RowSource for OperationSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(operation_key);
        // Start at the order of the last row delivered: it may have operations left.
        let start = after
            .as_ref()
            .map(|(number, _, _)| number.saturating_sub(1));
        let mut stop = false;
        self.orders.scan_by_number(start, None, &mut |header| {
            let Some(number) = header
                .get(H_ORDER)
                .and_then(Value::as_str)
                .and_then(parse_order)
            else {
                return true;
            };
            for operation in self.orders.operations(number).unwrap_or_default() {
                if let Some((after_number, after_operation, after_sub)) = &after {
                    let key = (
                        number,
                        text(&operation, O_OPERATION).to_owned(),
                        text(&operation, O_SUB_OPERATION).to_owned(),
                    );
                    if key <= (*after_number, after_operation.clone(), after_sub.clone()) {
                        continue;
                    }
                }
                if !visit(operation) {
                    stop = true;
                    return false;
                }
            }
            !stop
        });
    }
}

/// The operation number as stored: four digits (`10` and `0010` are the same operation).
pub(crate) fn normalize_operation(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > 4 {
        return None;
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("{trimmed:0>4}"))
    } else {
        Some(trimmed.to_ascii_uppercase())
    }
}

/// `(order, operation, sub-operation)` of an operation key.
fn operation_key(key: &[Value]) -> Option<(u64, String, String)> {
    let number = parse_order(key.first()?.as_str()?)?;
    let operation = normalize_operation(key.get(1)?.as_str()?)?;
    let sub = key.get(2)?.as_str()?.trim().to_ascii_uppercase();
    Some((number, operation, sub))
}

fn order_key(key: &[Value]) -> Option<u64> {
    parse_order(key.first()?.as_str()?)
}

impl ServiceReader for Reader<'_> {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_> {
        if set.name == OPERATION_SET {
            Box::new(OperationSource {
                orders: self.orders,
            })
        } else {
            Box::new(HeaderSource {
                orders: self.orders,
                equipment: self.equipment,
            })
        }
    }

    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row> {
        if set.name == OPERATION_SET {
            let (number, operation, sub) = operation_key(key)?;
            self.orders.operations(number)?.into_iter().find(|row| {
                text(row, O_OPERATION) == operation && text(row, O_SUB_OPERATION) == sub
            })
        } else {
            let header = self.orders.header(order_key(key)?)?;
            Some(with_equipment_name(self.equipment, header))
        }
    }

    fn navigate(
        &self,
        set: &'static EntitySet,
        row: &[Value],
        navigation: &Navigation,
    ) -> Vec<Row> {
        let position = if set.name == OPERATION_SET {
            O_ORDER
        } else {
            H_ORDER
        };
        let Some(number) = row
            .get(position)
            .and_then(Value::as_str)
            .and_then(parse_order)
        else {
            return Vec::new();
        };
        match navigation.name {
            OPERATIONS_NAV => self.orders.operations(number).unwrap_or_default(),
            ORDER_NAV => self
                .orders
                .header(number)
                .map(|header| with_equipment_name(self.equipment, header))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// `ORD 4000123`: how status management names an order.
fn object(number: u64) -> String {
    format!("ORD {number}")
}

/// Refuses changes to an order whose status freezes it (closed, flagged for deletion).
fn check_open(order: &MaintenanceOrder, number: u64, transaction: &str) -> Result<(), ODataError> {
    match order.status().frozen_by() {
        Some(status) => Err(status_forbids(status, transaction, &object(number))),
        None => Ok(()),
    }
}

impl MaintenanceOrderService {
    /// Checks and completes the header fields that depend on master data.
    fn check_header(equipment: &EquipmentBook, header: &mut [Value]) -> Result<(), ODataError> {
        if is_blank(header, H_TYPE) {
            return Err(required("MaintenanceOrderType"));
        }
        let order_type = text(header, H_TYPE).to_owned();
        if !ORDER_TYPES.contains(&order_type.as_str()) {
            return Err(not_defined(
                "IW/003",
                "MaintenanceOrderType",
                &order_type,
                "Order type",
            ));
        }
        for (index, name) in [
            (H_PLANNING_PLANT, "MaintenancePlanningPlant"),
            (H_PLANT, "MaintenancePlant"),
            (H_WORK_CENTER_PLANT, "MainWorkCenterPlant"),
        ] {
            if is_blank(header, index) {
                header[index] = Value::string(PLANT);
            }
            if text(header, index) != PLANT {
                return Err(not_defined("IW/012", name, text(header, index), "Plant"));
            }
        }
        // The reference object: equipment (which knows its place) and/or functional location.
        let equipment_id = text(header, H_EQUIPMENT).to_owned();
        let mut equipment_row = None;
        if !equipment_id.is_empty() {
            let row = parse_equipment(&equipment_id)
                .and_then(|_| equipment.current(&equipment_id))
                .ok_or_else(|| {
                    ODataError::business(
                        "IE/001",
                        format!("Equipment {equipment_id} does not exist"),
                        "Equipment",
                    )
                })?;
            if row.get(E_DELETION_FLAG) == Some(&Value::Boolean(true)) {
                return Err(status_forbids(
                    "DLFL",
                    "Assign to order",
                    &format!("EQU {equipment_id}"),
                ));
            }
            let installed_at = text(&row, E_FUNCTIONAL_LOCATION).to_owned();
            if is_blank(header, H_FUNCTIONAL_LOCATION) {
                header[H_FUNCTIONAL_LOCATION] = Value::string(installed_at.clone());
            } else if text(header, H_FUNCTIONAL_LOCATION) != installed_at {
                return Err(ODataError::business(
                    "IW/118",
                    format!(
                        "Equipment {equipment_id} is not installed at functional location {}",
                        text(header, H_FUNCTIONAL_LOCATION)
                    ),
                    "FunctionalLocation",
                ));
            }
            equipment_row = Some(row);
        }
        let location = text(header, H_FUNCTIONAL_LOCATION).to_ascii_uppercase();
        if !location.is_empty() {
            if equipment.generator.locations.find(&location).is_none() {
                return Err(ODataError::business(
                    "IW/117",
                    format!("Functional location {location} does not exist"),
                    "FunctionalLocation",
                ));
            }
            header[H_FUNCTIONAL_LOCATION] = Value::string(location);
        }
        let from_equipment = |position: usize| {
            equipment_row
                .as_ref()
                .and_then(|row| row.get(position))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        if is_blank(header, H_WORK_CENTER) {
            match from_equipment(super::equipment::schema::E_WORK_CENTER) {
                Some(center) => header[H_WORK_CENTER] = Value::string(center),
                None => return Err(required("MainWorkCenter")),
            }
        }
        if !WORK_CENTERS.contains(&text(header, H_WORK_CENTER)) {
            return Err(not_defined(
                "IW/013",
                "MainWorkCenter",
                text(header, H_WORK_CENTER),
                "Work center",
            ));
        }
        if is_blank(header, H_COST_CENTER) {
            header[H_COST_CENTER] = Value::string(
                from_equipment(super::equipment::schema::E_COST_CENTER)
                    .unwrap_or_else(|| String::from(COST_CENTERS[0])),
            );
        }
        if !COST_CENTERS.contains(&text(header, H_COST_CENTER)) {
            return Err(not_defined(
                "KI/235",
                "CostCenter",
                text(header, H_COST_CENTER),
                "Cost center",
            ));
        }
        if is_blank(header, H_PLANNER_GROUP) {
            header[H_PLANNER_GROUP] = Value::string(
                from_equipment(super::equipment::schema::E_PLANNER_GROUP)
                    .unwrap_or_else(|| String::from(PLANNER_GROUPS[0])),
            );
        }
        if !PLANNER_GROUPS.contains(&text(header, H_PLANNER_GROUP)) {
            return Err(not_defined(
                "IW/014",
                "MaintenancePlannerGroup",
                text(header, H_PLANNER_GROUP),
                "Planner group",
            ));
        }
        if !is_blank(header, H_PRIORITY) && !PRIORITIES.contains(&text(header, H_PRIORITY)) {
            return Err(not_defined(
                "IW/015",
                "MaintPriority",
                text(header, H_PRIORITY),
                "Priority",
            ));
        }
        if !is_blank(header, H_ACTIVITY_TYPE)
            && !ACTIVITY_TYPES.contains(&text(header, H_ACTIVITY_TYPE))
        {
            return Err(not_defined(
                "IW/016",
                "MaintenanceActivityType",
                text(header, H_ACTIVITY_TYPE),
                "Maintenance activity type",
            ));
        }
        let notification = text(header, H_NOTIFICATION);
        if !notification.is_empty() && !notification.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ODataError::business(
                "IW/020",
                format!("Notification {notification} does not exist"),
                "MaintenanceNotification",
            ));
        }
        let start = header[H_START].as_ticks();
        let end = header[H_END].as_ticks();
        match (start, end) {
            (Some(start), Some(end)) if end < start => {
                return Err(ODataError::business(
                    "IW/025",
                    "Basic finish date is before the basic start date",
                    "MaintOrdBasicEndDateTime",
                ));
            }
            (Some(start), Some(end)) => set_basic_dates(header, start, end),
            _ => {}
        }
        header[H_EQUIPMENT_NAME] = match from_equipment(E_NAME) {
            Some(name) => Value::string(name),
            None => Value::string(""),
        };
        Ok(())
    }

    /// Builds an operation from a payload, defaulting what PM derives from the order.
    fn new_operation(
        header: &[Value],
        payload: &EntityPayload,
        number: &str,
    ) -> Result<Row, ODataError> {
        let mut operation = vec![Value::Null; OPERATION_PROPERTIES.len()];
        for (index, value) in &payload.values {
            let property = &OPERATION_PROPERTIES[*index];
            if property.creatable {
                operation[*index] = stored(property, value.clone());
            }
        }
        operation[O_ORDER] = header.get(H_ORDER).cloned().unwrap_or(Value::Null);
        operation[O_OPERATION] = Value::string(number);
        if !is_blank(&operation, O_SUB_OPERATION) {
            return Err(ODataError::business(
                "IW/031",
                "Sub-operations cannot be created with this service; create operations",
                "MaintenanceOrderSubOperation",
            ));
        }
        operation[O_SUB_OPERATION] = Value::string("");
        let defaults: [(usize, Value); 9] = [
            (O_CONTROL_KEY, Value::string(CONTROL_KEYS[0])),
            (
                O_WORK_CENTER,
                header.get(H_WORK_CENTER).cloned().unwrap_or(Value::Null),
            ),
            (O_PLANT, Value::string(PLANT)),
            (
                O_DESCRIPTION,
                header.get(H_DESCRIPTION).cloned().unwrap_or(Value::Null),
            ),
            (O_CAPACITIES, Value::Integer(1)),
            (O_DURATION, Value::Decimal(Decimal::new(10, 1))),
            (O_DURATION_UNIT, Value::string("H")),
            (O_WORK_UNIT, Value::string("H")),
            (O_USER_STATUS, Value::string("")),
        ];
        for (index, default) in defaults {
            if is_blank(&operation, index) {
                operation[index] = default;
            }
        }
        if is_blank(&operation, O_WORK) {
            let duration = operation[O_DURATION].as_decimal().unwrap_or(Decimal::ONE);
            let capacities = operation[O_CAPACITIES].as_decimal().unwrap_or(Decimal::ONE);
            let mut work = duration * capacities;
            work.rescale(1);
            operation[O_WORK] = Value::Decimal(work);
        }
        operation[O_ACTUAL_START] = Value::Null;
        operation[O_ACTUAL_END] = Value::Null;
        operation[O_DELETED] = Value::Boolean(false);
        operation[O_ACTUAL_WORK] = Value::Decimal(Decimal::new(0, 3));
        Self::check_operation(&operation)?;
        Ok(operation)
    }

    fn check_operation(operation: &[Value]) -> Result<(), ODataError> {
        if !CONTROL_KEYS.contains(&text(operation, O_CONTROL_KEY)) {
            return Err(not_defined(
                "IW/032",
                "OperationControlKey",
                text(operation, O_CONTROL_KEY),
                "Control key",
            ));
        }
        if !WORK_CENTERS.contains(&text(operation, O_WORK_CENTER)) {
            return Err(not_defined(
                "IW/013",
                "WorkCenter",
                text(operation, O_WORK_CENTER),
                "Work center",
            ));
        }
        if text(operation, O_PLANT) != PLANT {
            return Err(not_defined(
                "IW/012",
                "Plant",
                text(operation, O_PLANT),
                "Plant",
            ));
        }
        match operation[O_CAPACITIES] {
            Value::Integer(count) if (1..=99).contains(&count) => {}
            _ => {
                return Err(ODataError::business(
                    "IW/033",
                    "Number of capacities must be between 1 and 99",
                    "NumberOfCapacities",
                ));
            }
        }
        for (value, unit, name) in [
            (O_DURATION, O_DURATION_UNIT, "MaintOrderOperationDuration"),
            (O_WORK, O_WORK_UNIT, "MaintOrdOperationWorkDuration"),
        ] {
            if operation[value]
                .as_decimal()
                .is_some_and(|amount| amount < Decimal::ZERO)
            {
                return Err(ODataError::business(
                    "IW/034",
                    format!("{name} must not be negative"),
                    name,
                ));
            }
            if !TIME_UNITS.contains(&text(operation, unit)) {
                return Err(ODataError::business(
                    "IW/035",
                    format!("Unit {} is not a unit of time", text(operation, unit)),
                    OPERATION_PROPERTIES[unit].name,
                ));
            }
        }
        Ok(())
    }

    fn create_order(
        &self,
        context: &WriteContext,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut orders = self.write_orders();
        let equipment = self.read_equipment();
        let now = whole_second(context.now);
        let mut header = vec![Value::Null; ORDER_PROPERTIES.len()];
        for (index, value) in &payload.values {
            let property = &ORDER_PROPERTIES[*index];
            if *index == H_ORDER {
                if !matches!(value, Value::Null) && value.as_str() != Some("") {
                    return Err(ODataError::business(
                        "IW/004",
                        "Order numbers are assigned internally; leave MaintenanceOrder empty",
                        "MaintenanceOrder",
                    ));
                }
                continue;
            }
            // Read-only fields are ignored on create, as SAP does.
            if property.creatable {
                header[*index] = stored(property, value.clone());
            }
        }
        if header[H_START].as_ticks().is_none() {
            header[H_START] = Value::DateTimeOffset(now);
        }
        if header[H_END].as_ticks().is_none() {
            let start = header[H_START].as_ticks().unwrap_or(now);
            header[H_END] = Value::DateTimeOffset(start);
        }
        Self::check_header(&equipment, &mut header)?;
        let order_type = text(&header, H_TYPE).to_owned();
        let defaults: [(usize, Value); 8] = [
            (H_DESCRIPTION, Value::string("")),
            (H_NOTIFICATION, Value::string("")),
            (H_PRIORITY, Value::string("")),
            (
                H_ACTIVITY_TYPE,
                Value::string(match order_type.as_str() {
                    "PM01" => ACTIVITY_TYPES[1],
                    "PM02" => ACTIVITY_TYPES[2],
                    _ => ACTIVITY_TYPES[3],
                }),
            ),
            (H_EQUIPMENT, Value::string("")),
            (H_FUNCTIONAL_LOCATION, Value::string("")),
            (H_USER_STATUS, Value::string("")),
            (H_REFERENCE, Value::Null),
        ];
        for (index, default) in defaults {
            if is_blank(&header, index) {
                header[index] = default;
            }
        }
        let user: String = context.user.chars().take(12).collect();
        header[H_CONTROLLING_AREA] = Value::string(super::data::equipment::CONTROLLING_AREA);
        header[H_COMPANY_CODE] = Value::string(COMPANY_CODE);
        header[H_PRIORITY_TYPE] = Value::string("PM");
        header[H_CURRENCY] = Value::string(CURRENCY);
        header[H_CREATED_BY] = Value::string(user.clone());
        header[H_CHANGED_BY] = Value::string(user);
        header[H_CREATED_AT] = Value::DateTimeOffset(now);
        header[H_LAST_CHANGE] = Value::DateTimeOffset(now);
        header[H_SYSTEM_STATUS] = Value::string(
            OrderStatus {
                phase: Phase::Created,
                deletion_flag: false,
            }
            .text(),
        );

        let payloads: Vec<&EntityPayload> = payload
            .navigations
            .iter()
            .filter(|(navigation, _)| navigation.name == OPERATIONS_NAV)
            .flat_map(|(_, operations)| operations.iter())
            .collect();
        let numbers = assign_operation_numbers(&payloads, &[])?;
        let mut operations = Vec::with_capacity(payloads.len().max(1));
        for (operation_payload, number) in payloads.iter().zip(&numbers) {
            operations.push(Self::new_operation(&header, operation_payload, number)?);
        }
        if operations.is_empty() {
            // PM creates the first operation from the order's text and work center.
            operations.push(Self::new_operation(
                &header,
                &EntityPayload::default(),
                "0010",
            )?);
        }
        operations.sort_by(|a, b| text(a, O_OPERATION).cmp(text(b, O_OPERATION)));

        let Some(number) = orders.allocate_number() else {
            return Err(ODataError::business(
                "IW/005",
                "Number range for maintenance orders is exhausted",
                "MaintenanceOrder",
            ));
        };
        let number_text = number.to_string();
        header[H_ORDER] = Value::string(number_text.clone());
        for operation in &mut operations {
            operation[O_ORDER] = Value::string(number_text.clone());
        }
        let mut order = MaintenanceOrder {
            header: header.clone(),
            operations,
        };
        order.refresh_operation_statuses();
        orders.store(number, order.clone());
        Ok(Created {
            set: order_set(),
            row: order.header,
            children: ORDER_TYPE
                .navigation(OPERATIONS_NAV)
                .map(|navigation| (navigation, order.operations))
                .into_iter()
                .collect(),
            message: None,
        })
    }

    fn create_operation(
        &self,
        context: &WriteContext,
        number: u64,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut orders = self.write_orders();
        let mut order = orders
            .order(number)
            .ok_or_else(|| ODataError::resource_not_found(ORDER_TYPE.name))?;
        check_open(&order, number, "Add operation")?;
        if order.status().phase == Phase::TechnicallyCompleted {
            return Err(status_forbids("TECO", "Add operation", &object(number)));
        }
        let existing: Vec<String> = order
            .operations
            .iter()
            .map(|operation| text(operation, O_OPERATION).to_owned())
            .collect();
        let numbers = assign_operation_numbers(&[&payload], &existing)?;
        let operation_number = numbers
            .first()
            .cloned()
            .unwrap_or_else(|| String::from("0010"));
        let mut operation = Self::new_operation(&order.header, &payload, &operation_number)?;
        operation[O_SYSTEM_STATUS] =
            Value::string(operation_status_text(order.status(), false, false));
        order.operations.push(operation.clone());
        order
            .operations
            .sort_by(|a, b| text(a, O_OPERATION).cmp(text(b, O_OPERATION)));
        order.touch(context.now, &context.user);
        orders.store(number, order);
        Ok(Created {
            set: operation_set(),
            row: operation,
            children: Vec::new(),
            message: None,
        })
    }

    fn update_order(
        &self,
        context: &WriteContext,
        number: u64,
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut orders = self.write_orders();
        let equipment = self.read_equipment();
        let mut order = orders
            .order(number)
            .ok_or_else(|| ODataError::resource_not_found(ORDER_TYPE.name))?;
        check_open(&order, number, "Change")?;
        let mut header = with_equipment_name(&equipment, order.header.clone());
        for (index, value) in &payload.values {
            let property = &ORDER_PROPERTIES[*index];
            if *index == H_ORDER {
                if !same_key_value(property, value, &header[*index]) {
                    return Err(ODataError::bad_request(
                        "Key property 'MaintenanceOrder' cannot be changed",
                    ));
                }
                continue;
            }
            let value = stored(property, value.clone());
            if !property.updatable {
                if value != header[*index] {
                    let hint = if *index == H_SYSTEM_STATUS || *index == H_USER_STATUS {
                        "change the status with the status function imports"
                    } else {
                        ""
                    };
                    return Err(not_changeable(property, hint));
                }
                continue;
            }
            // A new equipment brings its own place unless the request names one too.
            if *index == H_EQUIPMENT
                && value != header[H_EQUIPMENT]
                && payload.get(H_FUNCTIONAL_LOCATION).is_none()
            {
                header[H_FUNCTIONAL_LOCATION] = Value::string("");
            }
            header[*index] = value;
        }
        Self::check_header(&equipment, &mut header)?;
        order.header = header;
        order.touch(context.now, &context.user);
        orders.store(number, order);
        Ok(())
    }

    fn update_operation(
        &self,
        context: &WriteContext,
        (number, operation_number, sub): (u64, String, String),
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut orders = self.write_orders();
        let mut order = orders
            .order(number)
            .ok_or_else(|| ODataError::resource_not_found(OPERATION_TYPE.name))?;
        let Some(slot) = order.operations.iter().position(|operation| {
            text(operation, O_OPERATION) == operation_number
                && text(operation, O_SUB_OPERATION) == sub
        }) else {
            return Err(ODataError::resource_not_found(OPERATION_TYPE.name));
        };
        check_open(&order, number, "Change operation")?;
        if order.status().phase == Phase::TechnicallyCompleted {
            return Err(status_forbids("TECO", "Change operation", &object(number)));
        }
        let mut operation = order.operations[slot].clone();
        for (index, value) in &payload.values {
            let property = &OPERATION_PROPERTIES[*index];
            if matches!(*index, O_ORDER | O_OPERATION | O_SUB_OPERATION) {
                let given = if *index == O_OPERATION {
                    value
                        .as_str()
                        .and_then(normalize_operation)
                        .map_or(Value::Null, Value::string)
                } else {
                    value.clone()
                };
                if !same_key_value(property, &given, &operation[*index]) {
                    return Err(ODataError::bad_request(format!(
                        "Key property '{}' cannot be changed",
                        property.name
                    )));
                }
                continue;
            }
            let value = stored(property, value.clone());
            if !property.updatable {
                if value != operation[*index] {
                    return Err(not_changeable(property, ""));
                }
                continue;
            }
            operation[*index] = value;
        }
        for (index, default) in [
            (O_CONTROL_KEY, Value::string(CONTROL_KEYS[0])),
            (O_PLANT, Value::string(PLANT)),
            (O_DURATION_UNIT, Value::string("H")),
            (O_WORK_UNIT, Value::string("H")),
            (O_CAPACITIES, Value::Integer(1)),
        ] {
            if is_blank(&operation, index) {
                operation[index] = default;
            }
        }
        Self::check_operation(&operation)?;
        order.operations[slot] = operation;
        order.touch(context.now, &context.user);
        orders.store(number, order);
        Ok(())
    }

    fn delete_operation(
        &self,
        context: &WriteContext,
        (number, operation_number, sub): (u64, String, String),
    ) -> Result<(), ODataError> {
        let mut orders = self.write_orders();
        let mut order = orders
            .order(number)
            .ok_or_else(|| ODataError::resource_not_found(OPERATION_TYPE.name))?;
        let Some(slot) = order.operations.iter().position(|operation| {
            text(operation, O_OPERATION) == operation_number
                && text(operation, O_SUB_OPERATION) == sub
        }) else {
            return Err(ODataError::resource_not_found(OPERATION_TYPE.name));
        };
        check_open(&order, number, "Delete operation")?;
        if order.status().phase == Phase::TechnicallyCompleted {
            return Err(status_forbids("TECO", "Delete operation", &object(number)));
        }
        // Deleting an operation sets its deletion flag; it stays readable, as in PM.
        if order.operations[slot][O_DELETED] != Value::Boolean(true) {
            order.operations[slot][O_DELETED] = Value::Boolean(true);
            order.refresh_operation_statuses();
            order.touch(context.now, &context.user);
            orders.store(number, order);
        }
        Ok(())
    }

    fn change_status(
        &self,
        context: &WriteContext,
        step: StatusStep,
        arguments: &Arguments,
    ) -> Result<FunctionResult, ODataError> {
        let id = arguments.text("MaintenanceOrder");
        let number = parse_order(id)
            .filter(|number| *number >= FIRST_MAINTENANCE_ORDER)
            .ok_or_else(|| ODataError::resource_not_found(ORDER_TYPE.name))?;
        let mut orders = self.write_orders();
        let mut order = orders
            .order(number)
            .ok_or_else(|| ODataError::resource_not_found(ORDER_TYPE.name))?;
        let reference = arguments
            .get("MaintOrderReferenceDateTime")
            .and_then(Value::as_ticks);
        order
            .step(step, whole_second(context.now), &context.user, reference)
            .map_err(|status| status_forbids(status, step.transaction(), &object(number)))?;
        orders.store(number, order);
        Ok(FunctionResult::Complex(vec![Value::Boolean(false)]))
    }
}

/// Operation numbers for new operations: as given (unique), otherwise the next multiple of ten.
fn assign_operation_numbers(
    payloads: &[&EntityPayload],
    existing: &[String],
) -> Result<Vec<String>, ODataError> {
    let mut taken: Vec<String> = existing.to_vec();
    let mut given: Vec<Option<String>> = Vec::with_capacity(payloads.len());
    let refused = || {
        ODataError::business(
            "IW/030",
            "Operation number is invalid or already used in this order",
            "MaintenanceOrderOperation",
        )
    };
    for payload in payloads {
        match payload.get(O_OPERATION) {
            None | Some(Value::Null) => given.push(None),
            Some(Value::String(text)) if text.trim().is_empty() => given.push(None),
            Some(Value::String(text)) => {
                let number = normalize_operation(text).ok_or_else(refused)?;
                if taken.contains(&number) {
                    return Err(refused());
                }
                taken.push(number.clone());
                given.push(Some(number));
            }
            Some(_) => return Err(refused()),
        }
    }
    let mut numbers = Vec::with_capacity(given.len());
    for slot in given {
        let number = match slot {
            Some(number) => number,
            None => {
                let highest = taken
                    .iter()
                    .filter_map(|number| number.parse::<u32>().ok())
                    .max()
                    .unwrap_or(0);
                let next = (highest / 10 + 1) * 10;
                if next > 9_999 {
                    return Err(refused());
                }
                let number = format!("{next:04}");
                taken.push(number.clone());
                number
            }
        };
        numbers.push(number);
    }
    Ok(numbers)
}

impl ODataService for MaintenanceOrderService {
    fn definition(&self) -> &'static ServiceDef {
        &SERVICE
    }

    fn namespace(&self) -> &'static str {
        NAMESPACE
    }

    fn read(&self, work: &mut dyn FnMut(&dyn ServiceReader)) {
        // Orders before equipment, the order every path takes both locks in.
        let orders = self.read_orders();
        let equipment = self.read_equipment();
        work(&Reader {
            orders: &orders,
            equipment: &equipment,
        });
    }

    fn create(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        parent: Option<ParentRef>,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        match (set.name, parent) {
            (ORDER_SET, None) => self.create_order(context, payload),
            (OPERATION_SET, Some(parent))
                if parent.set.name == ORDER_SET && parent.navigation.name == OPERATIONS_NAV =>
            {
                let number = order_key(&parent.key)
                    .ok_or_else(|| ODataError::resource_not_found(ORDER_TYPE.name))?;
                if let Some(given) = payload.get(O_ORDER)
                    && given.as_str().and_then(parse_order) != Some(number)
                {
                    return Err(ODataError::bad_request(
                        "Property 'MaintenanceOrder' does not match the order of the request URI",
                    ));
                }
                self.create_operation(context, number, payload)
            }
            _ => Err(ODataError::method_not_allowed(format!(
                "Entities of '{}' cannot be created through this resource",
                set.name
            ))),
        }
    }

    fn update(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        key: &[Value],
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        if set.name == OPERATION_SET {
            let key = operation_key(key)
                .ok_or_else(|| ODataError::resource_not_found(OPERATION_TYPE.name))?;
            self.update_operation(context, key, payload)
        } else {
            let number =
                order_key(key).ok_or_else(|| ODataError::resource_not_found(ORDER_TYPE.name))?;
            self.update_order(context, number, payload)
        }
    }

    fn delete(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        key: &[Value],
    ) -> Result<(), ODataError> {
        if set.name != OPERATION_SET {
            return Err(ODataError::method_not_allowed(format!(
                "Entity set '{}' is not deletable",
                set.name
            )));
        }
        let key = operation_key(key)
            .ok_or_else(|| ODataError::resource_not_found(OPERATION_TYPE.name))?;
        self.delete_operation(context, key)
    }

    fn function_imports(&self) -> &'static [FunctionImport] {
        &FUNCTION_IMPORTS
    }

    fn call_function(
        &self,
        context: &WriteContext,
        function: &'static FunctionImport,
        arguments: &Arguments,
    ) -> Result<FunctionResult, ODataError> {
        let step = StatusStep::of_function(function.name)
            .ok_or_else(|| ODataError::resource_not_found(function.name))?;
        self.change_status(context, step, arguments)
    }

    fn creatable_through(&self, navigation: &Navigation) -> bool {
        navigation.name == OPERATIONS_NAV
    }

    // Only the order book is written here (equipment is read), so it is all a changeset needs.
    fn checkpoint(&self) -> Option<Checkpoint> {
        Some(Box::new(self.read_orders().clone()))
    }

    fn restore(&self, checkpoint: Checkpoint) {
        if let Ok(saved) = checkpoint.downcast::<MaintenanceOrderBook>() {
            *self.write_orders() = *saved;
        }
    }
}

/// The native record of an order as plain JSON: OData names and value formats, operations
/// inline as `to_MaintenanceOrderOperation`.
pub(crate) fn record_json(
    equipment: &EquipmentBook,
    order: &MaintenanceOrder,
) -> serde_json::Value {
    let header = with_equipment_name(equipment, order.header.clone());
    let mut json = row_json(&ORDER_PROPERTIES, &header);
    let operations: Vec<serde_json::Value> = order
        .operations
        .iter()
        .map(|operation| row_json(&OPERATION_PROPERTIES, operation))
        .collect();
    if let serde_json::Value::Object(map) = &mut json {
        map.insert(
            OPERATIONS_NAV.to_owned(),
            serde_json::Value::Array(operations),
        );
    }
    json
}

/// One row as a JSON object of OData names and value formats.
pub(crate) fn row_json(
    properties: &[super::odata::edm::Property],
    row: &[Value],
) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (property, value) in properties.iter().zip(row) {
        map.insert(property.name.to_owned(), value.to_plain_json(property.edm));
    }
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_numbers_are_normalised_and_assigned() {
        assert_eq!(normalize_operation("10").as_deref(), Some("0010"));
        assert_eq!(normalize_operation("0010").as_deref(), Some("0010"));
        assert_eq!(normalize_operation("12345"), None);
        let with = |number: &str| {
            let mut payload = EntityPayload::default();
            payload.values.push((O_OPERATION, Value::string(number)));
            payload
        };
        let blank = EntityPayload::default();
        let given = with("15");
        let numbers = assign_operation_numbers(&[&blank, &given, &blank], &[String::from("0010")])
            .expect("numbers");
        assert_eq!(numbers, vec!["0020", "0015", "0030"]);
        let duplicate = with("0010");
        assert!(assign_operation_numbers(&[&duplicate], &[String::from("0010")]).is_err());
    }
}
