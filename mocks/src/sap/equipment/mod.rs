//! `API_EQUIPMENT`: equipment with its time slices, vendor warranties, and the install and
//! dismantle function imports.
//!
//! The key is `Equipment` + `ValidityEndDate`: `Equipment(Equipment='10000000',
//! ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')` is the current time slice; equipment that
//! was moved also has closed slices, which the collection serves too. Writes follow PM's rules:
//!
//! - create (POST, `EquipmentCategory` required; `Equipment` internally numbered when omitted,
//!   refused when it exists), with deep insert of `to_Warranty`;
//! - PATCH/MERGE/PUT change the current slice only (204); the category, and the place
//!   (`FunctionalLocation`, set only by installing), are refused when the value differs;
//! - not deletable (405);
//! - `InstallEquipment`/`DismantleEquipment` move the equipment: installed or dismantled as of a
//!   date after the current slice began, the current slice is closed the day before and a new
//!   one opened, exactly how SAP keeps installation history.
//!
//! Every accepted write stamps `LastChangeDateTime` (whole seconds) and `LastChangedByUser` on
//! all slices (the stamp belongs to the equipment, not to a slice).

pub(crate) mod schema;

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::data::equipment::{
    CATEGORIES, CONTROLLING_AREA, COST_CENTERS, EquipmentBook, EquipmentRecord, PLANNER_GROUPS,
    WORK_CENTERS, open_end, parse_equipment,
};
use super::data::maintenance_orders::whole_second;
use super::data::{COMPANY_CODE, PLANT};
use super::maintenance_order::row_json;
use super::maintenance_order::values::{
    is_blank, not_changeable, not_defined, required, same_key_value, status_forbids, stored, text,
};
use super::odata::body::EntityPayload;
use super::odata::edm::{EntitySet, Navigation, ServiceDef};
use super::odata::engine::{Row, RowSource, Scan};
use super::odata::error::ODataError;
use super::odata::eval::lower_bound;
use super::odata::function::{Arguments, FunctionImport, FunctionResult};
use super::odata::value::{TICKS_PER_SECOND, Ticks, Value};
use super::service::{Checkpoint, Created, ODataService, ParentRef, ServiceReader, WriteContext};
use schema::*;

const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
/// Units of weight the plant records.
const WEIGHT_UNITS: [&str; 4] = ["KG", "G", "LB", "TO"];
/// Warranty types: customer warranty (1) and vendor warranty (2).
const WARRANTY_TYPES: [&str; 2] = ["1", "2"];

/// The equipment service over the equipment book.
pub(crate) struct EquipmentService {
    equipment: Arc<RwLock<EquipmentBook>>,
}

impl EquipmentService {
    pub(crate) fn new(equipment: Arc<RwLock<EquipmentBook>>) -> Self {
        EquipmentService { equipment }
    }

    fn read_book(&self) -> RwLockReadGuard<'_, EquipmentBook> {
        self.equipment
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write_book(&self) -> RwLockWriteGuard<'_, EquipmentBook> {
        self.equipment
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

struct Reader<'a> {
    book: &'a EquipmentBook,
}

/// Time slices in key order: equipment number, then `ValidityEndDate` (closed slices first).
struct SliceSource<'a> {
    book: &'a EquipmentBook,
}

impl RowSource for SliceSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(|tuple| {
            let number = parse_equipment(tuple.first()?.as_str()?)?;
            let end = tuple.get(1)?.as_ticks()?;
            Some((number, end))
        });
        let start = after.map(|(number, _)| number.saturating_sub(1));
        // The stamp belongs to the equipment: every slice carries the same one.
        let changed_since = scan
            .filter
            .and_then(|filter| lower_bound(filter, E_LAST_CHANGE));
        self.book.scan(start, changed_since, &mut |number, record| {
            for slice in record.slices {
                let end = slice
                    .get(E_VALIDITY_END)
                    .and_then(Value::as_ticks)
                    .unwrap_or(Ticks(0));
                if after.is_some_and(|bound| (number, end) <= bound) {
                    continue;
                }
                if !visit(slice) {
                    return false;
                }
            }
            true
        });
    }
}

/// Warranties in key order: equipment number, then warranty type.
struct WarrantySource<'a> {
    book: &'a EquipmentBook,
}

impl RowSource for WarrantySource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(|tuple| {
            let number = parse_equipment(tuple.first()?.as_str()?)?;
            let kind = tuple.get(1)?.as_str()?.to_owned();
            Some((number, kind))
        });
        let start = after.as_ref().map(|(number, _)| number.saturating_sub(1));
        self.book.scan(start, None, &mut |number, record| {
            for warranty in record.warranties {
                let kind = text(&warranty, W_TYPE).to_owned();
                if after
                    .as_ref()
                    .is_some_and(|(n, k)| (number, kind.as_str()) <= (*n, k.as_str()))
                {
                    continue;
                }
                if !visit(warranty) {
                    return false;
                }
            }
            true
        });
    }
}

fn slice_key(key: &[Value]) -> Option<(u64, Ticks)> {
    let number = parse_equipment(key.first()?.as_str()?)?;
    let end = key.get(1)?.as_ticks()?;
    Some((number, end))
}

fn warranty_key(key: &[Value]) -> Option<(u64, String)> {
    let number = parse_equipment(key.first()?.as_str()?)?;
    let kind = key.get(1)?.as_str()?.trim().to_ascii_uppercase();
    Some((number, kind))
}

fn end_of(slice: &[Value]) -> Ticks {
    slice
        .get(E_VALIDITY_END)
        .and_then(Value::as_ticks)
        .unwrap_or(Ticks(0))
}

impl ServiceReader for Reader<'_> {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_> {
        if set.name == WARRANTY_SET {
            Box::new(WarrantySource { book: self.book })
        } else {
            Box::new(SliceSource { book: self.book })
        }
    }

    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row> {
        if set.name == WARRANTY_SET {
            let (number, kind) = warranty_key(key)?;
            self.book
                .record(number)?
                .warranties
                .into_iter()
                .find(|row| text(row, W_TYPE) == kind)
        } else {
            let (number, end) = slice_key(key)?;
            self.book
                .record(number)?
                .slices
                .into_iter()
                .find(|row| end_of(row) == end)
        }
    }

    fn navigate(
        &self,
        _set: &'static EntitySet,
        row: &[Value],
        navigation: &Navigation,
    ) -> Vec<Row> {
        // Both types carry the equipment number first.
        let Some(number) = row
            .first()
            .and_then(Value::as_str)
            .and_then(parse_equipment)
        else {
            return Vec::new();
        };
        let Some(record) = self.book.record(number) else {
            return Vec::new();
        };
        match navigation.name {
            WARRANTY_NAV => record.warranties,
            EQUIPMENT_NAV => record.current().cloned().into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// `EQU 10000042`: how status management names a piece of equipment.
fn object(number: u64) -> String {
    format!("EQU {number}")
}

fn missing(number: impl std::fmt::Display) -> ODataError {
    ODataError::business(
        "IE/001",
        format!("Equipment {number} does not exist"),
        "Equipment",
    )
}

/// Stamps a change on every slice of a record.
fn touch(record: &mut EquipmentRecord, now: Ticks, user: &str) {
    let user: String = user.chars().take(12).collect();
    for slice in &mut record.slices {
        slice[E_LAST_CHANGE] = Value::DateTimeOffset(whole_second(now));
        slice[E_CHANGED_BY] = Value::string(user.clone());
    }
}

/// Refuses changes to equipment flagged for deletion.
fn check_active(
    record: &EquipmentRecord,
    number: u64,
    transaction: &str,
) -> Result<(), ODataError> {
    if record.is_deleted() {
        return Err(status_forbids("DLFL", transaction, &object(number)));
    }
    Ok(())
}

impl EquipmentService {
    /// Checks the master-data fields of a slice; completes the defaults PM derives.
    fn check_slice(
        book: &EquipmentBook,
        number: u64,
        slice: &mut [Value],
    ) -> Result<(), ODataError> {
        if is_blank(slice, E_CATEGORY) {
            return Err(required("EquipmentCategory"));
        }
        if !CATEGORIES.contains(&text(slice, E_CATEGORY)) {
            return Err(not_defined(
                "IE/002",
                "EquipmentCategory",
                text(slice, E_CATEGORY),
                "Equipment category",
            ));
        }
        for (index, name) in [
            (E_MAINTENANCE_PLANT, "MaintenancePlant"),
            (E_PLANNING_PLANT, "MaintenancePlanningPlant"),
            (E_WORK_CENTER_PLANT, "MainWorkCenterPlant"),
        ] {
            if is_blank(slice, index) {
                slice[index] = Value::string(PLANT);
            }
            if text(slice, index) != PLANT {
                return Err(not_defined("IE/012", name, text(slice, index), "Plant"));
            }
        }
        for (index, name, allowed, what) in [
            (
                E_WORK_CENTER,
                "MainWorkCenter",
                &WORK_CENTERS[..],
                "Work center",
            ),
            (
                E_COST_CENTER,
                "CostCenter",
                &COST_CENTERS[..],
                "Cost center",
            ),
            (
                E_PLANNER_GROUP,
                "MaintenancePlannerGroup",
                &PLANNER_GROUPS[..],
                "Planner group",
            ),
            (E_WEIGHT_UNIT, "GrossWeightUnit", &WEIGHT_UNITS[..], "Unit"),
        ] {
            if !is_blank(slice, index) && !allowed.contains(&text(slice, index)) {
                return Err(not_defined("IE/013", name, text(slice, index), what));
            }
        }
        let currency = text(slice, E_CURRENCY);
        let iso_code = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency.is_empty() && !iso_code {
            return Err(not_defined("IE/014", "Currency", currency, "Currency"));
        }
        if slice[E_ACQUISITION_VALUE].as_decimal().is_some() && currency.is_empty() {
            return Err(required("Currency"));
        }
        let month = text(slice, E_CONSTRUCTION_MONTH);
        if !month.is_empty() && !matches!(month.parse::<u32>(), Ok(1..=12)) {
            return Err(ODataError::business(
                "IE/015",
                format!("Construction month {month} is not a month"),
                "ConstructionMonth",
            ));
        }
        let superior = text(slice, E_SUPERIOR).to_owned();
        if !superior.is_empty() {
            let superior_number = parse_equipment(&superior).ok_or_else(|| missing(&superior))?;
            if superior_number == number {
                return Err(ODataError::business(
                    "IE/061",
                    format!("Equipment {number} cannot be installed in itself"),
                    "SuperordinateEquipment",
                ));
            }
            let record = book
                .record(superior_number)
                .ok_or_else(|| missing(&superior))?;
            check_active(&record, superior_number, "Install")?;
            let place = record.current().cloned().unwrap_or_default();
            slice[E_FUNCTIONAL_LOCATION] = place
                .get(E_FUNCTIONAL_LOCATION)
                .cloned()
                .unwrap_or(Value::Null);
            slice[E_FUNCTIONAL_LOCATION_NAME] = place
                .get(E_FUNCTIONAL_LOCATION_NAME)
                .cloned()
                .unwrap_or(Value::Null);
            slice[E_INSTALLED] = Value::Boolean(true);
        }
        Ok(())
    }

    /// Builds a warranty row from a payload for equipment `number`.
    fn new_warranty(number: u64, payload: &EntityPayload) -> Result<Row, ODataError> {
        let mut warranty = vec![Value::Null; WARRANTY_PROPERTIES.len()];
        for (index, value) in &payload.values {
            let property = &WARRANTY_PROPERTIES[*index];
            if property.creatable {
                warranty[*index] = stored(property, value.clone());
            }
        }
        if let Some(given) = payload.get(W_EQUIPMENT)
            && given.as_str().and_then(parse_equipment) != Some(number)
        {
            return Err(ODataError::bad_request(
                "Property 'Equipment' does not match the equipment of the request",
            ));
        }
        warranty[W_EQUIPMENT] = Value::string(number.to_string());
        for (index, default) in [(W_MASTER, ""), (W_INHERITED, ""), (W_PASSED_ON, "")] {
            if is_blank(&warranty, index) {
                warranty[index] = Value::string(default);
            }
        }
        Self::check_warranty(&warranty)?;
        Ok(warranty)
    }

    fn check_warranty(warranty: &[Value]) -> Result<(), ODataError> {
        if is_blank(warranty, W_TYPE) {
            return Err(required("WarrantyType"));
        }
        if !WARRANTY_TYPES.contains(&text(warranty, W_TYPE)) {
            return Err(not_defined(
                "BGMKOBJ/003",
                "WarrantyType",
                text(warranty, W_TYPE),
                "Warranty type",
            ));
        }
        if let (Some(start), Some(end)) = (warranty[W_START].as_ticks(), warranty[W_END].as_ticks())
            && end < start
        {
            return Err(ODataError::business(
                "BGMKOBJ/010",
                "Warranty end date is before its start date",
                "WarrantyEndDate",
            ));
        }
        for index in [W_INHERITED, W_PASSED_ON] {
            if !matches!(text(warranty, index), "" | "X") {
                return Err(ODataError::business(
                    "BGMKOBJ/011",
                    format!("{} must be 'X' or empty", WARRANTY_PROPERTIES[index].name),
                    WARRANTY_PROPERTIES[index].name,
                ));
            }
        }
        Ok(())
    }

    fn create_equipment(
        &self,
        context: &WriteContext,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut book = self.write_book();
        let now = whole_second(context.now);
        let today = now.start_of_day();
        let mut slice = vec![Value::Null; EQUIPMENT_PROPERTIES.len()];
        let mut external = None;
        for (index, value) in &payload.values {
            let property = &EQUIPMENT_PROPERTIES[*index];
            if *index == E_EQUIPMENT {
                let given = stored(property, value.clone());
                let id = given.as_str().unwrap_or_default().trim().to_owned();
                if !id.is_empty() {
                    let number = parse_equipment(&id).ok_or_else(|| {
                        ODataError::business(
                            "IE/005",
                            format!("Equipment number {id} is not in the numeric number range of category equipment"),
                            "Equipment",
                        )
                    })?;
                    if book.exists(number) {
                        return Err(ODataError::business(
                            "IE/004",
                            format!("Equipment {number} already exists"),
                            "Equipment",
                        ));
                    }
                    external = Some(number);
                }
                continue;
            }
            // Read-only fields are ignored on create, as SAP does.
            if property.creatable {
                slice[*index] = stored(property, value.clone());
            }
        }
        if slice[E_VALIDITY_START].as_ticks().is_none() {
            slice[E_VALIDITY_START] = Value::DateTime(today);
        }
        let provisional = external.unwrap_or(0);
        Self::check_slice(&book, provisional, &mut slice)?;
        let warranty_payloads: Vec<&EntityPayload> = payload
            .navigations
            .iter()
            .filter(|(navigation, _)| navigation.name == WARRANTY_NAV)
            .flat_map(|(_, warranties)| warranties.iter())
            .collect();
        let mut warranties = Vec::with_capacity(warranty_payloads.len());
        for warranty_payload in &warranty_payloads {
            let warranty = Self::new_warranty(provisional, warranty_payload)?;
            if warranties
                .iter()
                .any(|known: &Row| text(known, W_TYPE) == text(&warranty, W_TYPE))
            {
                return Err(ODataError::business(
                    "BGMKOBJ/012",
                    format!("Warranty type {} is given twice", text(&warranty, W_TYPE)),
                    "WarrantyType",
                ));
            }
            warranties.push(warranty);
        }
        let number = match external {
            Some(number) => number,
            None => book.allocate_number().ok_or_else(|| {
                ODataError::business(
                    "IE/006",
                    "Number range for equipment is exhausted",
                    "Equipment",
                )
            })?,
        };
        let user: String = context.user.chars().take(12).collect();
        slice[E_EQUIPMENT] = Value::string(number.to_string());
        slice[E_VALIDITY_END] = Value::DateTime(open_end());
        for index in [
            E_NAME,
            E_OBJECT_TYPE,
            E_INVENTORY_NUMBER,
            E_MANUFACTURER,
            E_MODEL,
            E_MANUFACTURER_COUNTRY,
            E_CONSTRUCTION_YEAR,
            E_CONSTRUCTION_MONTH,
            E_PART_NUMBER,
            E_MANUFACTURER_SERIAL,
            E_LOCATION,
            E_ROOM,
            E_PLANT_SECTION,
            E_ABC,
            E_COST_CENTER,
            E_PLANNER_GROUP,
            E_WORK_CENTER,
            E_CURRENCY,
            E_WEIGHT_UNIT,
            E_FUNCTIONAL_LOCATION,
            E_FUNCTIONAL_LOCATION_NAME,
            E_POSITION,
            E_SUPERIOR,
            E_MATERIAL,
            E_SERIAL_NUMBER,
        ] {
            if is_blank(&slice, index) {
                slice[index] = Value::string("");
            }
        }
        slice[E_COMPANY_CODE] = Value::string(COMPANY_CODE);
        slice[E_CONTROLLING_AREA] = Value::string(CONTROLLING_AREA);
        slice[E_CREATION_DATE] = Value::DateTime(today);
        slice[E_CREATED_BY] = Value::string(user.clone());
        slice[E_CHANGED_BY] = Value::string(user);
        slice[E_LAST_CHANGE] = Value::DateTimeOffset(now);
        slice[E_DELETION_FLAG] = Value::Boolean(false);
        if slice[E_INSTALLED] != Value::Boolean(true) {
            slice[E_INSTALLED] = Value::Boolean(false);
        }
        slice[E_INACTIVE] = Value::Boolean(false);
        for warranty in &mut warranties {
            warranty[W_EQUIPMENT] = Value::string(number.to_string());
        }
        warranties.sort_by(|a, b| text(a, W_TYPE).cmp(text(b, W_TYPE)));
        book.store(
            number,
            EquipmentRecord {
                slices: vec![slice.clone()],
                warranties: warranties.clone(),
            },
        );
        Ok(Created {
            set: equipment_set(),
            row: slice,
            children: EQUIPMENT_TYPE
                .navigation(WARRANTY_NAV)
                .map(|navigation| (navigation, warranties))
                .into_iter()
                .collect(),
            message: None,
        })
    }

    fn create_warranty(
        &self,
        context: &WriteContext,
        number: u64,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut book = self.write_book();
        let mut record = book.record(number).ok_or_else(|| missing(number))?;
        check_active(&record, number, "Change")?;
        let warranty = Self::new_warranty(number, &payload)?;
        if record
            .warranties
            .iter()
            .any(|known| text(known, W_TYPE) == text(&warranty, W_TYPE))
        {
            return Err(ODataError::business(
                "BGMKOBJ/012",
                format!(
                    "Equipment {number} already has a warranty of type {}",
                    text(&warranty, W_TYPE)
                ),
                "WarrantyType",
            ));
        }
        record.warranties.push(warranty.clone());
        record
            .warranties
            .sort_by(|a, b| text(a, W_TYPE).cmp(text(b, W_TYPE)));
        touch(&mut record, context.now, &context.user);
        book.store(number, record);
        Ok(Created {
            set: warranty_set(),
            row: warranty,
            children: Vec::new(),
            message: None,
        })
    }

    fn update_equipment(
        &self,
        context: &WriteContext,
        (number, end): (u64, Ticks),
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut book = self.write_book();
        let mut record = book.record(number).ok_or_else(|| missing(number))?;
        if !record.slices.iter().any(|slice| end_of(slice) == end) {
            return Err(ODataError::resource_not_found(EQUIPMENT_TYPE.name));
        }
        if end != open_end() {
            return Err(ODataError::business(
                "IE/010",
                format!(
                    "Only the current time segment of equipment {number} (valid to 31.12.9999) can be changed"
                ),
                "ValidityEndDate",
            ));
        }
        check_active(&record, number, "Change")?;
        let previous_end = record.slices.iter().rev().nth(1).map(|slice| end_of(slice));
        let Some(mut slice) = record.current().cloned() else {
            return Err(ODataError::resource_not_found(EQUIPMENT_TYPE.name));
        };
        for (index, value) in &payload.values {
            let property = &EQUIPMENT_PROPERTIES[*index];
            if matches!(*index, E_EQUIPMENT | E_VALIDITY_END) {
                if !same_key_value(property, value, &slice[*index]) {
                    return Err(ODataError::bad_request(format!(
                        "Key property '{}' cannot be changed",
                        property.name
                    )));
                }
                continue;
            }
            let value = stored(property, value.clone());
            if *index == E_CATEGORY && value != slice[*index] {
                return Err(not_changeable(
                    property,
                    "the category is fixed at creation",
                ));
            }
            if !property.updatable {
                if value != slice[*index] {
                    let hint = if matches!(*index, E_FUNCTIONAL_LOCATION | E_INSTALLED) {
                        "use InstallEquipment or DismantleEquipment"
                    } else {
                        ""
                    };
                    return Err(not_changeable(property, hint));
                }
                continue;
            }
            if *index == E_SUPERIOR && value.as_str() == Some("") && slice[*index] != value {
                // Taking the superior equipment away dismantles this one from it.
                slice[E_FUNCTIONAL_LOCATION] = Value::string("");
                slice[E_FUNCTIONAL_LOCATION_NAME] = Value::string("");
                slice[E_INSTALLED] = Value::Boolean(false);
            }
            slice[*index] = value;
        }
        let start = slice[E_VALIDITY_START].as_ticks().unwrap_or(Ticks(0));
        if previous_end.is_some_and(|end| start.0 <= end.0) {
            return Err(ODataError::business(
                "IE/011",
                "The current time segment cannot start before the previous one ends",
                "ValidityStartDate",
            ));
        }
        Self::check_slice(&book, number, &mut slice)?;
        if let Some(current) = record.current_mut() {
            *current = slice;
        }
        touch(&mut record, context.now, &context.user);
        book.store(number, record);
        Ok(())
    }

    fn update_warranty(
        &self,
        context: &WriteContext,
        (number, kind): (u64, String),
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut book = self.write_book();
        let mut record = book.record(number).ok_or_else(|| missing(number))?;
        let Some(slot) = record
            .warranties
            .iter()
            .position(|warranty| text(warranty, W_TYPE) == kind)
        else {
            return Err(ODataError::resource_not_found(WARRANTY_TYPE.name));
        };
        check_active(&record, number, "Change")?;
        let mut warranty = record.warranties[slot].clone();
        for (index, value) in &payload.values {
            let property = &WARRANTY_PROPERTIES[*index];
            if !property.updatable {
                if !same_key_value(property, value, &warranty[*index]) {
                    return Err(ODataError::bad_request(format!(
                        "Key property '{}' cannot be changed",
                        property.name
                    )));
                }
                continue;
            }
            warranty[*index] = stored(property, value.clone());
        }
        for index in [W_MASTER, W_INHERITED, W_PASSED_ON] {
            if is_blank(&warranty, index) {
                warranty[index] = Value::string("");
            }
        }
        Self::check_warranty(&warranty)?;
        record.warranties[slot] = warranty;
        touch(&mut record, context.now, &context.user);
        book.store(number, record);
        Ok(())
    }

    /// `InstallEquipment` and `DismantleEquipment`.
    fn move_equipment(
        &self,
        context: &WriteContext,
        install: bool,
        arguments: &Arguments,
    ) -> Result<FunctionResult, ODataError> {
        let id = arguments.text("Equipment").to_owned();
        let number = parse_equipment(&id).ok_or_else(|| missing(&id))?;
        let mut book = self.write_book();
        let mut record = book.record(number).ok_or_else(|| missing(number))?;
        let end = arguments
            .get("ValidityEndDate")
            .and_then(Value::as_ticks)
            .unwrap_or(Ticks(0));
        if !record.slices.iter().any(|slice| end_of(slice) == end) {
            return Err(ODataError::resource_not_found(EQUIPMENT_TYPE.name));
        }
        let transaction = if install { "Install" } else { "Dismantle" };
        if end != open_end() {
            return Err(ODataError::business(
                "IE/010",
                format!(
                    "Only the current time segment of equipment {number} (valid to 31.12.9999) can be changed"
                ),
                "ValidityEndDate",
            ));
        }
        check_active(&record, number, transaction)?;
        let now = whole_second(context.now);
        let date = arguments
            .get("EquipmentInstallationDate")
            .and_then(Value::as_ticks)
            .unwrap_or(now)
            .start_of_day();
        let Some(current) = record.current().cloned() else {
            return Err(missing(number));
        };
        let installed = current.get(E_INSTALLED) == Some(&Value::Boolean(true));
        let mut next = current.clone();
        if install {
            if installed {
                return Err(ODataError::business(
                    "IE/060",
                    format!(
                        "Equipment {number} is already installed at {}; dismantle it first",
                        match text(&current, E_SUPERIOR) {
                            "" => text(&current, E_FUNCTIONAL_LOCATION).to_owned(),
                            superior => format!("equipment {superior}"),
                        }
                    ),
                    "Equipment",
                ));
            }
            let location = arguments
                .text("FunctionalLocation")
                .trim()
                .to_ascii_uppercase();
            let superior = arguments.text("SuperordinateEquipment").trim().to_owned();
            match (location.is_empty(), superior.is_empty()) {
                (true, true) => return Err(required("FunctionalLocation")),
                (false, false) => {
                    return Err(ODataError::business(
                        "IE/062",
                        "Give either a functional location or a superordinate equipment",
                        "FunctionalLocation",
                    ));
                }
                (false, true) => {
                    let locations = &book.generator.locations;
                    let index = locations.find(&location).ok_or_else(|| {
                        ODataError::business(
                            "IW/117",
                            format!("Functional location {location} does not exist"),
                            "FunctionalLocation",
                        )
                    })?;
                    next[E_FUNCTIONAL_LOCATION] = Value::string(locations.id(index));
                    next[E_FUNCTIONAL_LOCATION_NAME] = Value::string(locations.name(index));
                    next[E_SUPERIOR] = Value::string("");
                }
                (true, false) => {
                    next[E_SUPERIOR] = Value::string(superior);
                    Self::check_slice(&book, number, &mut next)?;
                }
            }
            let position = arguments.text("EquipInstallationPositionNmbr").trim();
            if position.chars().count() > 4 {
                return Err(ODataError::business(
                    "IE/063",
                    format!("Installation position {position} is longer than 4 characters"),
                    "EquipInstallationPositionNmbr",
                ));
            }
            next[E_POSITION] = Value::string(position.to_ascii_uppercase());
            next[E_INSTALLED] = Value::Boolean(true);
        } else {
            if !installed {
                return Err(ODataError::business(
                    "IE/064",
                    format!("Equipment {number} is not installed"),
                    "Equipment",
                ));
            }
            for index in [
                E_FUNCTIONAL_LOCATION,
                E_FUNCTIONAL_LOCATION_NAME,
                E_SUPERIOR,
                E_POSITION,
            ] {
                next[index] = Value::string("");
            }
            next[E_INSTALLED] = Value::Boolean(false);
        }
        let start = current[E_VALIDITY_START].as_ticks().unwrap_or(Ticks(0));
        if date < start {
            return Err(ODataError::business(
                "IE/065",
                "The date lies before the start of the current time segment",
                "EquipmentInstallationDate",
            ));
        }
        if date == start {
            // Same day: the current slice changes in place.
            if let Some(slot) = record.current_mut() {
                *slot = next;
            }
        } else {
            // A move closes the current slice the day before and opens a new one.
            if let Some(slot) = record.current_mut() {
                slot[E_VALIDITY_END] = Value::DateTime(Ticks(date.0 - TICKS_PER_DAY));
            }
            next[E_VALIDITY_START] = Value::DateTime(date);
            next[E_VALIDITY_END] = Value::DateTime(open_end());
            record.slices.push(next);
        }
        touch(&mut record, now, &context.user);
        let current = record.current().cloned().unwrap_or_default();
        book.store(number, record);
        Ok(FunctionResult::Entity(current))
    }
}

impl ODataService for EquipmentService {
    fn definition(&self) -> &'static ServiceDef {
        &SERVICE
    }

    fn namespace(&self) -> &'static str {
        NAMESPACE
    }

    fn read(&self, work: &mut dyn FnMut(&dyn ServiceReader)) {
        let book = self.read_book();
        work(&Reader { book: &book });
    }

    fn create(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        parent: Option<ParentRef>,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        match (set.name, parent) {
            (EQUIPMENT_SET, None) => self.create_equipment(context, payload),
            (WARRANTY_SET, Some(parent))
                if parent.set.name == EQUIPMENT_SET && parent.navigation.name == WARRANTY_NAV =>
            {
                let (number, _) = slice_key(&parent.key)
                    .ok_or_else(|| ODataError::resource_not_found(EQUIPMENT_TYPE.name))?;
                self.create_warranty(context, number, payload)
            }
            (WARRANTY_SET, None) => {
                let id = payload
                    .get(W_EQUIPMENT)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if id.trim().is_empty() {
                    return Err(required("Equipment"));
                }
                let number = parse_equipment(&id).ok_or_else(|| missing(&id))?;
                self.create_warranty(context, number, payload)
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
        if set.name == WARRANTY_SET {
            let key = warranty_key(key)
                .ok_or_else(|| ODataError::resource_not_found(WARRANTY_TYPE.name))?;
            self.update_warranty(context, key, payload)
        } else {
            let key = slice_key(key)
                .ok_or_else(|| ODataError::resource_not_found(EQUIPMENT_TYPE.name))?;
            self.update_equipment(context, key, payload)
        }
    }

    fn delete(
        &self,
        _context: &WriteContext,
        set: &'static EntitySet,
        _key: &[Value],
    ) -> Result<(), ODataError> {
        Err(ODataError::method_not_allowed(format!(
            "Entity set '{}' is not deletable",
            set.name
        )))
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
        match function.name {
            INSTALL => self.move_equipment(context, true, arguments),
            DISMANTLE => self.move_equipment(context, false, arguments),
            other => Err(ODataError::resource_not_found(other)),
        }
    }

    fn creatable_through(&self, navigation: &Navigation) -> bool {
        navigation.name == WARRANTY_NAV
    }

    fn checkpoint(&self) -> Option<Checkpoint> {
        Some(Box::new(self.read_book().clone()))
    }

    fn restore(&self, checkpoint: Checkpoint) {
        if let Ok(saved) = checkpoint.downcast::<EquipmentBook>() {
            *self.write_book() = *saved;
        }
    }
}

/// The native record of a piece of equipment: its current slice with `to_Warranty` inline.
pub(crate) fn record_json(record: &EquipmentRecord) -> serde_json::Value {
    let current = record.current().cloned().unwrap_or_default();
    let mut json = row_json(&EQUIPMENT_PROPERTIES, &current);
    let warranties: Vec<serde_json::Value> = record
        .warranties
        .iter()
        .map(|warranty| row_json(&WARRANTY_PROPERTIES, warranty))
        .collect();
    if let serde_json::Value::Object(map) = &mut json {
        map.insert(
            WARRANTY_NAV.to_owned(),
            serde_json::Value::Array(warranties),
        );
    }
    json
}
