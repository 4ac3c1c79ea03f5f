//! `API_PURCHASEORDER_PROCESS_SRV`: purchase orders, their items and the items' schedule lines.
//!
//! Reads come from the [`PurchaseOrderBook`] (generated base plus overlay). Writes are checked
//! the way SAP's purchasing checks them — required fields (`00/055`), supplier set up for the
//! purchasing organisation (`06/027`), document type (`MMPUR_INTEGRATION_PO/017`), material and
//! unit (`M3/305`, `MMPUR_POHANDLER_TECH/010`) — before anything is stored, so a refused write
//! changes nothing. Every accepted write stamps `LastChangeDateTime` with the virtual clock;
//! item and schedule line writes stamp their header, which is how SAP exposes item changes.
//! An item's schedule lines always add up to its `OrderQuantity`: a deep-inserted schedule must
//! match the item, a changed schedule line quantity changes the item, a changed item quantity
//! is absorbed by its last schedule line.

pub(crate) mod schema;

use std::sync::{Arc, PoisonError, RwLock};

use rust_decimal::Decimal;

use super::data::business_partners::{PartnerBook, PurchasingTerms};
use super::data::schedule_lines::{self, numc};
use super::data::{
    COMPANY_CODE, PAYMENT_TERMS, PLANT, PURCHASING_GROUPS, PurchaseOrder, PurchaseOrderBook, UNITS,
    item_number, parse_number, set_payment_terms,
};
use super::odata::body::EntityPayload;
use super::odata::edm::{Conversion, EntitySet, Navigation, Property, ServiceDef};
use super::odata::engine::{Row, RowSource, Scan, ScanOrder};
use super::odata::error::ODataError;
use super::odata::eval::lower_bound;
use super::odata::value::{TICKS_PER_MS, Ticks, Value};
use super::service::{Created, ODataService, ParentRef, ServiceReader, WriteContext};
use schema::*;

/// Document types this plant's purchasing accepts.
const ORDER_TYPES: [&str; 3] = ["NB", "FO", "UB"];
/// Currencies known to the system.
const CURRENCIES: [&str; 8] = ["USD", "EUR", "CAD", "MXN", "GBP", "JPY", "CNY", "CHF"];
/// Item categories S/4HANA Cloud refuses for this API (service `D`, `9`).
const UNSUPPORTED_ITEM_CATEGORIES: [&str; 2] = ["D", "9"];

/// The purchase order service over a shared book and the supplier master
/// (`API_BUSINESS_PARTNER`'s partners: a supplier created there can be ordered from at once).
pub(crate) struct PurchaseOrderService {
    book: Arc<RwLock<PurchaseOrderBook>>,
    partners: Arc<RwLock<PartnerBook>>,
}

impl PurchaseOrderService {
    pub(crate) fn new(
        book: Arc<RwLock<PurchaseOrderBook>>,
        partners: Arc<RwLock<PartnerBook>>,
    ) -> Self {
        PurchaseOrderService { book, partners }
    }
}

struct Reader<'a> {
    book: &'a PurchaseOrderBook,
}

struct HeaderSource<'a> {
    book: &'a PurchaseOrderBook,
}

impl RowSource for HeaderSource<'_> {
    fn supports(&self, order: ScanOrder) -> bool {
        matches!(order, ScanOrder::Key | ScanOrder::Ascending(H_LAST_CHANGE))
    }

    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let changed_since = scan
            .filter
            .and_then(|filter| lower_bound(filter, H_LAST_CHANGE));
        match scan.order {
            ScanOrder::Ascending(_) => {
                let after = scan.after.and_then(|tuple| {
                    let at = tuple.first()?.as_ticks()?;
                    let number = parse_number(tuple.get(1)?.as_str()?)?;
                    Some((at, number))
                });
                self.book.scan_by_last_change(after, changed_since, visit);
            }
            ScanOrder::Key => {
                let after = scan
                    .after
                    .and_then(|tuple| tuple.first()?.as_str().and_then(parse_number));
                self.book.scan_by_number(after, changed_since, visit);
            }
        }
    }

    fn count_all(&self) -> Option<u64> {
        Some(self.book.len())
    }
}

struct ItemSource<'a> {
    book: &'a PurchaseOrderBook,
}

impl RowSource for ItemSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(item_key);
        self.book.scan_items(after, visit);
    }
}

struct ScheduleSource<'a> {
    book: &'a PurchaseOrderBook,
}

impl RowSource for ScheduleSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(schedule_key);
        let start = after.map(|(number, _, _)| number.saturating_sub(1));
        let mut stop = false;
        self.book.scan_by_number(start, None, &mut |header| {
            let Some(order) = header
                .get(H_PURCHASE_ORDER)
                .and_then(Value::as_str)
                .and_then(parse_number)
                .and_then(|number| self.book.order(number))
            else {
                return true;
            };
            let number = order.header[H_PURCHASE_ORDER]
                .as_str()
                .and_then(parse_number)
                .unwrap_or(0);
            for line in order.schedule_lines {
                let position = (number, numc(&line, S_ITEM), numc(&line, S_LINE));
                if after.is_some_and(|bound| position <= bound) {
                    continue;
                }
                if !visit(line) {
                    stop = true;
                    return false;
                }
            }
            !stop
        });
    }
}

/// `(order, item, line)` of a schedule line key; NUMC parts may come padded.
fn schedule_key(key: &[Value]) -> Option<(u64, u64, u64)> {
    let (number, item) = item_key(key)?;
    let line = key.get(2)?.as_str()?;
    if line.is_empty() || line.len() > 4 || !line.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((number, item, line.parse().ok()?))
}

fn header_key(key: &[Value]) -> Option<u64> {
    key.first()?.as_str().and_then(parse_number)
}

/// `(order number, item number)` of an item key; NUMC item numbers may come padded.
fn item_key(key: &[Value]) -> Option<(u64, u64)> {
    let number = key.first()?.as_str().and_then(parse_number)?;
    let item = key.get(1)?.as_str()?;
    if item.is_empty() || item.len() > 5 || !item.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((number, item.parse().ok()?))
}

impl ServiceReader for Reader<'_> {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_> {
        match set.name {
            ITEM_SET => Box::new(ItemSource { book: self.book }),
            SCHEDULE_SET => Box::new(ScheduleSource { book: self.book }),
            _ => Box::new(HeaderSource { book: self.book }),
        }
    }

    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row> {
        if set.name == SCHEDULE_SET {
            let (number, item, line) = schedule_key(key)?;
            return self
                .book
                .order(number)?
                .schedule_lines
                .into_iter()
                .find(|row| numc(row, S_ITEM) == item && numc(row, S_LINE) == line);
        }
        if set.name == ITEM_SET {
            let (number, item) = item_key(key)?;
            self.book
                .items(number)?
                .into_iter()
                .find(|row| item_number(row) == item)
        } else {
            self.book.header(header_key(key)?)
        }
    }

    fn navigate(
        &self,
        set: &'static EntitySet,
        row: &[Value],
        navigation: &Navigation,
    ) -> Vec<Row> {
        let Some(number) = row
            .get(if set.name == ITEM_SET {
                I_PURCHASE_ORDER
            } else {
                H_PURCHASE_ORDER
            })
            .and_then(Value::as_str)
            .and_then(parse_number)
        else {
            return Vec::new();
        };
        match navigation.name {
            ITEMS_NAV => self.book.items(number).unwrap_or_default(),
            HEADER_NAV => self.book.header(number).into_iter().collect(),
            SCHEDULE_NAV => {
                let item = item_number(row);
                self.book
                    .order(number)
                    .map(|order| order.schedule_lines)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|line| numc(line, S_ITEM) == item)
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// `MMPUR_POHANDLER_TECH/010`, SAP's message for a field value purchasing cannot process.
fn field_refused(property: &str, level: &str) -> ODataError {
    ODataError::business(
        "MMPUR_POHANDLER_TECH/010",
        format!(
            "The input of field {} on {level} level cannot be processed",
            property.to_ascii_uppercase()
        ),
        property,
    )
}

/// `00/055`: a required field is missing.
fn required(property: &str) -> ODataError {
    ODataError::business(
        "00/055",
        format!("Fill in all required entry fields ({property})"),
        property,
    )
}

/// A value as SAP stores it: upper case where the domain is, conversion exits applied,
/// decimals at their scale, dates without time.
fn stored(property: &Property, value: Value) -> Value {
    match value {
        Value::String(text) => {
            let mut text = if property.display_format == Some("UpperCase") {
                text.to_uppercase()
            } else {
                text
            };
            if property.conversion != Conversion::None
                && !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit())
            {
                let trimmed = text.trim_start_matches('0');
                text = if trimmed.is_empty() {
                    String::from("0")
                } else {
                    trimmed.to_owned()
                };
            }
            Value::String(text)
        }
        Value::Decimal(number) => {
            let mut number = number.normalize();
            let scale = property.scale.unwrap_or(0);
            // Amounts keep at least the currency's two decimals; other decimals their scale.
            let target = if property.unit == Some("DocumentCurrency") {
                number.scale().max(2)
            } else {
                scale
            };
            number.rescale(target);
            Value::Decimal(number)
        }
        Value::DateTime(ticks) if property.display_format == Some("Date") => {
            Value::DateTime(ticks.start_of_day())
        }
        other => other,
    }
}

fn text_of(row: &[Value], index: usize) -> &str {
    row.get(index).and_then(Value::as_str).unwrap_or_default()
}

fn is_blank(row: &[Value], index: usize) -> bool {
    match row.get(index) {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.trim().is_empty(),
        Some(_) => false,
    }
}

impl PurchaseOrderService {
    fn lock_read(&self) -> std::sync::RwLockReadGuard<'_, PurchaseOrderBook> {
        self.book.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_write(&self) -> std::sync::RwLockWriteGuard<'_, PurchaseOrderBook> {
        self.book.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks header fields that any write must keep valid.
    fn check_header(partners: &PartnerBook, header: &[Value]) -> Result<(), ODataError> {
        for (index, name) in [
            (H_ORDER_TYPE, "PurchaseOrderType"),
            (H_SUPPLIER, "Supplier"),
            (H_COMPANY_CODE, "CompanyCode"),
            (H_PURCHASING_ORGANIZATION, "PurchasingOrganization"),
            (H_PURCHASING_GROUP, "PurchasingGroup"),
            (H_CURRENCY, "DocumentCurrency"),
        ] {
            if is_blank(header, index) {
                return Err(required(name));
            }
        }
        let order_type = text_of(header, H_ORDER_TYPE);
        if !ORDER_TYPES.contains(&order_type) {
            return Err(ODataError::business(
                "MMPUR_INTEGRATION_PO/017",
                format!("Invalid document type {order_type}"),
                "PurchaseOrderType",
            ));
        }
        if text_of(header, H_COMPANY_CODE) != COMPANY_CODE {
            return Err(field_refused("CompanyCode", HEADER_TYPE.name));
        }
        let supplier = text_of(header, H_SUPPLIER);
        let organization = text_of(header, H_PURCHASING_ORGANIZATION);
        let Some(terms) = partners.purchasing_terms(supplier, organization) else {
            return Err(ODataError::business(
                "06/027",
                format!(
                    "Supplier {supplier} has not been created for purch. organization {organization}"
                ),
                "Supplier",
            ));
        };
        if terms.blocked {
            return Err(ODataError::business(
                "06/042",
                format!("Supplier {supplier} is blocked for purchasing"),
                "Supplier",
            ));
        }
        if !PURCHASING_GROUPS.contains(&text_of(header, H_PURCHASING_GROUP)) {
            return Err(field_refused("PurchasingGroup", HEADER_TYPE.name));
        }
        if !CURRENCIES.contains(&text_of(header, H_CURRENCY)) {
            return Err(field_refused("DocumentCurrency", HEADER_TYPE.name));
        }
        if !PAYMENT_TERMS
            .iter()
            .any(|terms| terms.key == text_of(header, H_PAYMENT_TERMS))
        {
            return Err(field_refused("PaymentTerms", HEADER_TYPE.name));
        }
        Ok(())
    }

    /// Checks an item against the material master and the plant.
    fn check_item(book: &PurchaseOrderBook, item: &[Value]) -> Result<(), ODataError> {
        let level = ITEM_TYPE.name;
        for (index, name) in [
            (I_PLANT, "Plant"),
            (I_QUANTITY, "OrderQuantity"),
            (I_QUANTITY_UNIT, "PurchaseOrderQuantityUnit"),
            (I_NET_PRICE, "NetPriceAmount"),
        ] {
            if is_blank(item, index) {
                return Err(required(name));
            }
        }
        if is_blank(item, I_MATERIAL) && is_blank(item, I_TEXT) {
            return Err(required("Material"));
        }
        if text_of(item, I_PLANT) != PLANT {
            return Err(field_refused("Plant", level));
        }
        let quantity = item[I_QUANTITY].as_decimal().unwrap_or(Decimal::ZERO);
        if quantity <= Decimal::ZERO {
            return Err(field_refused("OrderQuantity", level));
        }
        let price = item[I_NET_PRICE].as_decimal().unwrap_or(Decimal::ZERO);
        if price < Decimal::ZERO {
            return Err(field_refused("NetPriceAmount", level));
        }
        if item[I_NET_PRICE_QUANTITY]
            .as_decimal()
            .unwrap_or(Decimal::ONE)
            <= Decimal::ZERO
        {
            return Err(field_refused("NetPriceQuantity", level));
        }
        let unit = text_of(item, I_QUANTITY_UNIT);
        if !UNITS.contains(&unit) {
            return Err(field_refused("PurchaseOrderQuantityUnit", level));
        }
        let category = text_of(item, I_CATEGORY);
        if UNSUPPORTED_ITEM_CATEGORIES.contains(&category) {
            return Err(ODataError::business(
                "APPL_MM_PUR_PO/065",
                "Use a supported purchase order item category",
                "PurchaseOrderItemCategory",
            ));
        }
        let material = text_of(item, I_MATERIAL);
        if material.is_empty() {
            if is_blank(item, I_MATERIAL_GROUP) {
                // Text items need a material group for account determination.
                return Err(required("MaterialGroup"));
            }
        } else {
            let Some(master) = book.generator.materials.find(material) else {
                return Err(ODataError::business(
                    "M3/305",
                    format!("The material {material} does not exist or is not activated"),
                    "Material",
                ));
            };
            if master.unit != unit {
                return Err(field_refused("PurchaseOrderQuantityUnit", level));
            }
        }
        Ok(())
    }

    /// Builds a new item row from a payload, defaulting what SAP derives.
    fn new_item(
        book: &PurchaseOrderBook,
        payload: &EntityPayload,
        number: &str,
        currency: &Value,
        item_number: u64,
    ) -> Row {
        let mut item = vec![Value::Null; ITEM_PROPERTIES.len()];
        for (index, value) in &payload.values {
            let property = &ITEM_PROPERTIES[*index];
            if property.creatable && *index != I_PURCHASE_ORDER {
                item[*index] = stored(property, value.clone());
            }
        }
        item[I_PURCHASE_ORDER] = Value::string(number);
        item[I_ITEM] = Value::string(item_number.to_string());
        item[I_DELETION_CODE] = Value::string("");
        item[I_CURRENCY] = currency.clone();
        let material = book.generator.materials.find(text_of(&item, I_MATERIAL));
        if let Some(material) = &material {
            item[I_MATERIAL] = Value::string(material.id.clone());
        }
        let defaults: [(usize, Value); 16] = [
            (
                I_TEXT,
                Value::string(
                    material
                        .as_ref()
                        .map(|m| m.description.clone())
                        .unwrap_or_default(),
                ),
            ),
            (
                I_MATERIAL_GROUP,
                Value::string(material.as_ref().map(|m| m.group).unwrap_or_default()),
            ),
            (
                I_STORAGE_LOCATION,
                Value::string(
                    material
                        .as_ref()
                        .map(|m| m.storage_location)
                        .unwrap_or_default(),
                ),
            ),
            (I_PRICE_UNIT, item[I_QUANTITY_UNIT].clone()),
            (I_NET_PRICE_QUANTITY, Value::Decimal(Decimal::ONE)),
            (I_TAX_CODE, Value::string("I1")),
            (I_DELIVERED, Value::Boolean(false)),
            (I_INVOICED, Value::Boolean(false)),
            (I_CATEGORY, Value::string("0")),
            (I_ACCOUNT_ASSIGNMENT, Value::string("")),
            (I_GR_EXPECTED, Value::Boolean(true)),
            (I_INVOICE_EXPECTED, Value::Boolean(true)),
            (I_GR_BASED_INVOICE, Value::Boolean(true)),
            (I_REQUISITION, Value::string("")),
            (I_REQUISITION_ITEM, Value::string("0")),
            (I_MATERIAL, Value::string("")),
        ];
        for (index, default) in defaults {
            if is_blank(&item, index) {
                item[index] = default;
            }
        }
        if let Value::Decimal(mut price_quantity) = item[I_NET_PRICE_QUANTITY].clone() {
            price_quantity.rescale(0);
            item[I_NET_PRICE_QUANTITY] = Value::Decimal(price_quantity);
        }
        item
    }

    fn create_order(
        &self,
        context: &WriteContext,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut book = self.lock_write();
        let mut header = vec![Value::Null; HEADER_PROPERTIES.len()];
        for (index, value) in &payload.values {
            let property = &HEADER_PROPERTIES[*index];
            // Read-only fields (number, stamps, statuses) are ignored on create, as SAP does.
            if property.creatable {
                header[*index] = stored(property, value.clone());
            }
        }
        let partners = self.partners.read().unwrap_or_else(PoisonError::into_inner);
        // The order takes over what the supplier's purchasing data says for this organisation.
        let supplier_terms: Option<PurchasingTerms> = partners.purchasing_terms(
            text_of(&header, H_SUPPLIER),
            text_of(&header, H_PURCHASING_ORGANIZATION),
        );
        if is_blank(&header, H_PAYMENT_TERMS)
            && let Some(terms) = supplier_terms
                .as_ref()
                .and_then(|t| PAYMENT_TERMS.iter().find(|p| p.key == t.payment_terms))
        {
            set_payment_terms(&mut header, *terms);
        }
        if is_blank(&header, H_PAYMENT_TERMS) {
            header[H_PAYMENT_TERMS] = Value::string(PAYMENT_TERMS[0].key);
        }
        Self::check_header(&partners, &header)?;
        drop(partners);
        if let Some(terms) = PAYMENT_TERMS
            .iter()
            .find(|t| t.key == text_of(&header, H_PAYMENT_TERMS))
        {
            // The discount schedule follows the terms unless the client set it explicitly.
            let explicit: Vec<usize> = payload.values.iter().map(|(index, _)| *index).collect();
            let mut derived = header.clone();
            set_payment_terms(&mut derived, *terms);
            for index in [
                H_CASH_DISCOUNT_1_DAYS,
                H_CASH_DISCOUNT_2_DAYS,
                H_NET_PAYMENT_DAYS,
                H_CASH_DISCOUNT_1_PERCENT,
                H_CASH_DISCOUNT_2_PERCENT,
            ] {
                if !explicit.contains(&index) {
                    header[index] = derived[index].clone();
                }
            }
        }
        let today = context.now.start_of_day();
        let defaults: [(usize, Value); 16] = [
            (H_LANGUAGE, Value::string("EN")),
            (H_ORDER_DATE, Value::DateTime(today)),
            (H_EXCHANGE_RATE, Value::string("1.00000")),
            (
                H_INCOTERMS,
                Value::string(
                    supplier_terms
                        .as_ref()
                        .map(|t| t.incoterms.clone())
                        .unwrap_or_default(),
                ),
            ),
            (
                H_INCOTERMS_LOCATION,
                Value::string(
                    supplier_terms
                        .as_ref()
                        .map(|t| t.incoterms_location.clone())
                        .unwrap_or_default(),
                ),
            ),
            (
                H_SALES_PERSON,
                Value::string(
                    supplier_terms
                        .as_ref()
                        .map(|t| t.sales_person.clone())
                        .unwrap_or_default(),
                ),
            ),
            (
                H_SUPPLIER_PHONE,
                Value::string(
                    supplier_terms
                        .as_ref()
                        .map(|t| t.phone.clone())
                        .unwrap_or_default(),
                ),
            ),
            (H_ADDRESS_NAME, Value::string("")),
            (H_ADDRESS_CITY, Value::string("")),
            (H_ADDRESS_POSTAL_CODE, Value::string("")),
            (H_ADDRESS_STREET, Value::string("")),
            (H_ADDRESS_COUNTRY, Value::string("")),
            (H_CASH_DISCOUNT_1_DAYS, Value::Decimal(Decimal::ZERO)),
            (H_CASH_DISCOUNT_2_DAYS, Value::Decimal(Decimal::ZERO)),
            (H_NET_PAYMENT_DAYS, Value::Decimal(Decimal::ZERO)),
            (
                H_CASH_DISCOUNT_1_PERCENT,
                Value::Decimal(Decimal::new(0, 3)),
            ),
        ];
        for (index, default) in defaults {
            if is_blank(&header, index) {
                header[index] = default;
            }
        }
        if is_blank(&header, H_CASH_DISCOUNT_2_PERCENT) {
            header[H_CASH_DISCOUNT_2_PERCENT] = Value::Decimal(Decimal::new(0, 3));
        }
        header[H_DELETION_CODE] = Value::string("");
        header[H_PROCESSING_STATUS] = Value::string("02");
        header[H_CREATED_BY] = Value::string(context.user.chars().take(12).collect::<String>());
        header[H_CREATION_DATE] = Value::DateTime(today);
        header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
        header[H_RELEASE_NOT_COMPLETED] = Value::Boolean(false);
        header[H_INCOMPLETE] = Value::Boolean(false);

        let item_payloads: Vec<&EntityPayload> = payload
            .navigations
            .iter()
            .filter(|(navigation, _)| navigation.name == ITEMS_NAV)
            .flat_map(|(_, items)| items.iter())
            .collect();
        if item_payloads.is_empty() {
            return Err(required(ITEMS_NAV));
        }
        let numbers = assign_item_numbers(&item_payloads, &[])?;
        let currency = header[H_CURRENCY].clone();
        let order_date = header[H_ORDER_DATE].as_ticks().unwrap_or(today);
        let mut items = Vec::with_capacity(item_payloads.len());
        let mut lines = Vec::new();
        for (item_payload, item_number) in item_payloads.iter().zip(numbers) {
            // The number is not known yet; checks do not depend on it.
            let mut item = Self::new_item(&book, item_payload, "", &currency, item_number);
            let schedule = ScheduleInput::read(item_payload)?;
            schedule.fill_item_quantity(&mut item);
            Self::check_item(&book, &item)?;
            lines.extend(schedule.lines(&item, order_date)?);
            items.push(item);
        }
        items.sort_by_key(|item| item_number(item));
        schedule_lines::sort(&mut lines);

        let Some(number) = book.allocate_number() else {
            return Err(ODataError::business(
                "06/010",
                "Number range for purchase orders is exhausted",
                "PurchaseOrder",
            ));
        };
        let number_text = number.to_string();
        header[H_PURCHASE_ORDER] = Value::string(number_text.clone());
        for item in &mut items {
            item[I_PURCHASE_ORDER] = Value::string(number_text.clone());
        }
        for line in &mut lines {
            line[S_DOCUMENT] = Value::string(number_text.clone());
        }
        book.store(
            number,
            PurchaseOrder {
                header: header.clone(),
                items: items.clone(),
                schedule_lines: lines,
            },
        );
        let items_navigation = HEADER_TYPE.navigation(ITEMS_NAV);
        Ok(Created {
            set: header_set(),
            row: header,
            children: items_navigation
                .map(|nav| (nav, items))
                .into_iter()
                .collect(),
            message: Some((
                String::from("06/017"),
                format!("Standard PO created under the number {number_text}"),
            )),
        })
    }

    fn create_item(
        &self,
        context: &WriteContext,
        number: u64,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut book = self.lock_write();
        let Some(mut order) = book.order(number) else {
            return Err(ODataError::resource_not_found(HEADER_TYPE.name));
        };
        let existing: Vec<u64> = order.items.iter().map(|item| item_number(item)).collect();
        let numbers = assign_item_numbers(&[&payload], &existing)?;
        let item_number_value = numbers.first().copied().unwrap_or(10);
        let number_text = number.to_string();
        let mut item = Self::new_item(
            &book,
            &payload,
            &number_text,
            &order.header[H_CURRENCY],
            item_number_value,
        );
        let schedule = ScheduleInput::read(&payload)?;
        schedule.fill_item_quantity(&mut item);
        Self::check_item(&book, &item)?;
        let order_date = order.header[H_ORDER_DATE]
            .as_ticks()
            .unwrap_or(context.now.start_of_day());
        order
            .schedule_lines
            .extend(schedule.lines(&item, order_date)?);
        schedule_lines::sort(&mut order.schedule_lines);
        order.items.push(item.clone());
        order.items.sort_by_key(|item| item_number(item));
        order.header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
        book.store(number, order);
        Ok(Created {
            set: item_set(),
            row: item,
            children: Vec::new(),
            message: None,
        })
    }

    fn update_header(
        &self,
        context: &WriteContext,
        number: u64,
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut book = self.lock_write();
        let Some(mut order) = book.order(number) else {
            return Err(ODataError::resource_not_found(HEADER_TYPE.name));
        };
        let mut header = order.header.clone();
        let mut terms_given = false;
        for (index, value) in &payload.values {
            let property = &HEADER_PROPERTIES[*index];
            let value = stored(property, value.clone());
            if *index == H_PURCHASE_ORDER {
                if value != header[*index] {
                    return Err(ODataError::bad_request(
                        "Key property 'PurchaseOrder' cannot be changed",
                    ));
                }
                continue;
            }
            if !property.updatable {
                if property.creatable && value != header[*index] {
                    return Err(field_refused(property.name, HEADER_TYPE.name));
                }
                continue;
            }
            if *index == H_PAYMENT_TERMS {
                terms_given = true;
            }
            header[*index] = value;
        }
        Self::check_header(
            &self.partners.read().unwrap_or_else(PoisonError::into_inner),
            &header,
        )?;
        if terms_given
            && let Some(terms) = PAYMENT_TERMS
                .iter()
                .find(|t| t.key == text_of(&header, H_PAYMENT_TERMS))
            && text_of(&header, H_PAYMENT_TERMS) != text_of(&order.header, H_PAYMENT_TERMS)
        {
            set_payment_terms(&mut header, *terms);
        }
        header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
        for item in &mut order.items {
            item[I_CURRENCY] = header[H_CURRENCY].clone();
        }
        order.header = header;
        book.store(number, order);
        Ok(())
    }

    fn update_item(
        &self,
        context: &WriteContext,
        (number, position): (u64, u64),
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut book = self.lock_write();
        let Some(mut order) = book.order(number) else {
            return Err(ODataError::resource_not_found(ITEM_TYPE.name));
        };
        let Some(slot) = order
            .items
            .iter()
            .position(|item| item_number(item) == position)
        else {
            return Err(ODataError::resource_not_found(ITEM_TYPE.name));
        };
        let mut item = order.items[slot].clone();
        for (index, value) in &payload.values {
            let property = &ITEM_PROPERTIES[*index];
            let value = stored(property, value.clone());
            if *index == I_PURCHASE_ORDER || *index == I_ITEM {
                if value != item[*index] {
                    return Err(ODataError::bad_request(format!(
                        "Key property '{}' cannot be changed",
                        property.name
                    )));
                }
                continue;
            }
            if !property.updatable {
                if property.creatable && value != item[*index] {
                    return Err(field_refused(property.name, ITEM_TYPE.name));
                }
                continue;
            }
            item[*index] = value;
        }
        Self::check_item(&book, &item)?;
        if item[I_QUANTITY] != order.items[slot][I_QUANTITY]
            || item[I_QUANTITY_UNIT] != order.items[slot][I_QUANTITY_UNIT]
        {
            let fallback = order.header[H_ORDER_DATE].as_ticks().unwrap_or(context.now);
            schedule_lines::rebalance(&mut order.schedule_lines, &item, fallback);
            for line in &mut order.schedule_lines {
                if numc(line, S_ITEM) == position {
                    line[S_QUANTITY_UNIT] = item[I_QUANTITY_UNIT].clone();
                }
            }
        }
        order.items[slot] = item;
        order.header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
        book.store(number, order);
        Ok(())
    }

    /// PATCH on a schedule line: dates and quantity; the item's quantity follows the schedule.
    fn update_schedule_line(
        &self,
        context: &WriteContext,
        (number, position, line_number): (u64, u64, u64),
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut book = self.lock_write();
        let not_found = || ODataError::resource_not_found(SCHEDULE_TYPE.name);
        let mut order = book.order(number).ok_or_else(not_found)?;
        let slot = order
            .schedule_lines
            .iter()
            .position(|line| numc(line, S_ITEM) == position && numc(line, S_LINE) == line_number)
            .ok_or_else(not_found)?;
        let item_slot = order
            .items
            .iter()
            .position(|item| item_number(item) == position)
            .ok_or_else(not_found)?;
        let mut line = order.schedule_lines[slot].clone();
        for (index, value) in &payload.values {
            let property = &SCHEDULE_PROPERTIES[*index];
            let value = stored(property, value.clone());
            if [S_DOCUMENT, S_ITEM, S_LINE].contains(index) {
                if value != line[*index] {
                    return Err(ODataError::bad_request(format!(
                        "Key property '{}' cannot be changed",
                        property.name
                    )));
                }
                continue;
            }
            if !property.updatable {
                continue;
            }
            line[*index] = value;
        }
        if is_blank(&line, S_DELIVERY_DATE) {
            return Err(required("ScheduleLineDeliveryDate"));
        }
        let quantity = line[S_QUANTITY].as_decimal().unwrap_or(Decimal::ZERO);
        if quantity <= Decimal::ZERO {
            return Err(field_refused(
                "ScheduleLineOrderQuantity",
                SCHEDULE_TYPE.name,
            ));
        }
        order.schedule_lines[slot] = line;
        let mut total: Decimal = order
            .schedule_lines
            .iter()
            .filter(|line| numc(line, S_ITEM) == position)
            .filter_map(|line| line[S_QUANTITY].as_decimal())
            .sum();
        total.rescale(3);
        let mut item = order.items[item_slot].clone();
        item[I_QUANTITY] = Value::Decimal(total);
        Self::check_item(&book, &item)?;
        order.items[item_slot] = item;
        order.header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
        book.store(number, order);
        Ok(())
    }
}

/// The schedule a create names for one item (`to_ScheduleLine`), checked before anything is
/// stored.
struct ScheduleInput<'a> {
    lines: Vec<&'a EntityPayload>,
}

impl<'a> ScheduleInput<'a> {
    fn read(item: &'a EntityPayload) -> Result<Self, ODataError> {
        let lines: Vec<&EntityPayload> = item
            .navigations
            .iter()
            .filter(|(navigation, _)| navigation.name == SCHEDULE_NAV)
            .flat_map(|(_, lines)| lines.iter())
            .collect();
        if let Some((navigation, _)) = item
            .navigations
            .iter()
            .find(|(navigation, _)| navigation.name != SCHEDULE_NAV)
        {
            return Err(ODataError::bad_request(format!(
                "Property '{}' is invalid",
                navigation.name
            )));
        }
        Ok(ScheduleInput { lines })
    }

    /// An item given without a quantity takes the total of its schedule, as SAP sums it.
    fn fill_item_quantity(&self, item: &mut [Value]) {
        if !is_blank(item, I_QUANTITY) || self.lines.is_empty() {
            return;
        }
        let quantities: Option<Decimal> = self
            .lines
            .iter()
            .map(|line| line.get(S_QUANTITY).and_then(Value::as_decimal))
            .sum();
        if let Some(mut total) = quantities {
            total.rescale(3);
            item[I_QUANTITY] = Value::Decimal(total);
        }
    }

    /// The item's schedule lines; without any given, one line due two weeks after the order
    /// date (SAP derives it from the planned delivery time).
    fn lines(&self, item: &[Value], order_date: Ticks) -> Result<Vec<Row>, ODataError> {
        let quantity = item[I_QUANTITY].as_decimal().unwrap_or(Decimal::ZERO);
        let default_date = Ticks(order_date.0 + 14 * 86_400_000 * TICKS_PER_MS);
        if self.lines.is_empty() {
            return Ok(vec![schedule_lines::line(item, 1, default_date, quantity)]);
        }
        let level = SCHEDULE_TYPE.name;
        let mut rows = Vec::with_capacity(self.lines.len());
        let mut taken: Vec<u64> = Vec::new();
        let mut total = Decimal::ZERO;
        for payload in &self.lines {
            let number = match payload.get(S_LINE) {
                None | Some(Value::Null) => None,
                Some(Value::String(text)) if text.trim().is_empty() => None,
                Some(Value::String(text)) => {
                    let text = text.trim();
                    let parsed = text.parse::<u64>().ok().filter(|n| {
                        *n > 0 && *n <= 9_999 && text.bytes().all(|b| b.is_ascii_digit())
                    });
                    match parsed {
                        Some(number) if !taken.contains(&number) => Some(number),
                        _ => return Err(field_refused("ScheduleLine", level)),
                    }
                }
                Some(_) => return Err(field_refused("ScheduleLine", level)),
            };
            let number = number.unwrap_or_else(|| taken.iter().copied().max().unwrap_or(0) + 1);
            taken.push(number);
            let line_quantity = match payload.get(S_QUANTITY).and_then(Value::as_decimal) {
                Some(value) => value,
                None if self.lines.len() == 1 => quantity,
                None => return Err(required("ScheduleLineOrderQuantity")),
            };
            if line_quantity <= Decimal::ZERO {
                return Err(field_refused("ScheduleLineOrderQuantity", level));
            }
            total += line_quantity;
            let date = payload
                .get(S_DELIVERY_DATE)
                .and_then(Value::as_ticks)
                .unwrap_or(default_date);
            let mut row = schedule_lines::line(item, number, date, line_quantity);
            for (index, value) in &payload.values {
                let property = &SCHEDULE_PROPERTIES[*index];
                let settable = [
                    S_DATE_CATEGORY,
                    S_DELIVERY_TIME,
                    S_STATISTICAL_DATE,
                    S_PERIOD_START,
                    S_PERIOD_END,
                ];
                if settable.contains(index) && !matches!(value, Value::Null) {
                    row[*index] = stored(property, value.clone());
                }
            }
            rows.push(row);
        }
        // SAP keeps the item quantity equal to the schedule's total.
        if total != quantity {
            return Err(field_refused("ScheduleLineOrderQuantity", level));
        }
        Ok(rows)
    }
}

/// Item numbers for new items: as given (unique, NUMC), otherwise the next multiple of ten.
fn assign_item_numbers(
    payloads: &[&EntityPayload],
    existing: &[u64],
) -> Result<Vec<u64>, ODataError> {
    let mut taken: Vec<u64> = existing.to_vec();
    let mut given: Vec<Option<u64>> = Vec::with_capacity(payloads.len());
    for payload in payloads {
        match payload.get(I_ITEM) {
            None | Some(Value::Null) => given.push(None),
            Some(Value::String(text)) if text.trim().is_empty() => given.push(None),
            Some(Value::String(text)) => {
                let parsed = text.trim().parse::<u64>().ok().filter(|n| {
                    *n > 0 && *n <= 99_999 && text.trim().bytes().all(|b| b.is_ascii_digit())
                });
                let Some(number) = parsed else {
                    return Err(field_refused("PurchaseOrderItem", ITEM_TYPE.name));
                };
                if taken.contains(&number) {
                    return Err(field_refused("PurchaseOrderItem", ITEM_TYPE.name));
                }
                taken.push(number);
                given.push(Some(number));
            }
            Some(_) => return Err(field_refused("PurchaseOrderItem", ITEM_TYPE.name)),
        }
    }
    let mut numbers = Vec::with_capacity(given.len());
    for slot in given {
        let number = match slot {
            Some(number) => number,
            None => {
                let next = (taken.iter().copied().max().unwrap_or(0) / 10 + 1) * 10;
                if next > 99_999 {
                    return Err(field_refused("PurchaseOrderItem", ITEM_TYPE.name));
                }
                taken.push(next);
                next
            }
        };
        numbers.push(number);
    }
    Ok(numbers)
}

impl ODataService for PurchaseOrderService {
    fn definition(&self) -> &'static ServiceDef {
        &SERVICE
    }

    fn checkpoint(&self) -> Option<super::service::Checkpoint> {
        let state = self.book.read().unwrap_or_else(PoisonError::into_inner);
        Some(Box::new(state.clone()))
    }

    fn restore(&self, checkpoint: super::service::Checkpoint) {
        if let Ok(saved) = checkpoint.downcast::<PurchaseOrderBook>() {
            *self.book.write().unwrap_or_else(PoisonError::into_inner) = *saved;
        }
    }

    fn read(&self, work: &mut dyn FnMut(&dyn ServiceReader)) {
        let book = self.lock_read();
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
            (HEADER_SET, None) => self.create_order(context, payload),
            (ITEM_SET, Some(parent))
                if parent.set.name == HEADER_SET && parent.navigation.name == ITEMS_NAV =>
            {
                let number = header_key(&parent.key)
                    .ok_or_else(|| ODataError::resource_not_found(HEADER_TYPE.name))?;
                if let Some(given) = payload.get(I_PURCHASE_ORDER)
                    && given.as_str() != Some(number.to_string().as_str())
                {
                    return Err(ODataError::bad_request(
                        "Property 'PurchaseOrder' does not match the purchase order of the request URI",
                    ));
                }
                self.create_item(context, number, payload)
            }
            (ITEM_SET, None) => {
                let number = payload
                    .get(I_PURCHASE_ORDER)
                    .and_then(Value::as_str)
                    .and_then(parse_number)
                    .ok_or_else(|| required("PurchaseOrder"))?;
                self.create_item(context, number, payload)
            }
            _ => Err(ODataError::method_not_allowed(format!(
                "Entities of '{}' cannot be created through this navigation",
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
        if set.name == SCHEDULE_SET {
            let key = schedule_key(key)
                .ok_or_else(|| ODataError::resource_not_found(SCHEDULE_TYPE.name))?;
            self.update_schedule_line(context, key, payload)
        } else if set.name == ITEM_SET {
            let key =
                item_key(key).ok_or_else(|| ODataError::resource_not_found(ITEM_TYPE.name))?;
            self.update_item(context, key, payload)
        } else {
            let number =
                header_key(key).ok_or_else(|| ODataError::resource_not_found(HEADER_TYPE.name))?;
            self.update_header(context, number, payload)
        }
    }

    fn delete(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        key: &[Value],
    ) -> Result<(), ODataError> {
        let mut book = self.lock_write();
        if set.name == ITEM_SET {
            let (number, position) =
                item_key(key).ok_or_else(|| ODataError::resource_not_found(ITEM_TYPE.name))?;
            let mut order = book
                .order(number)
                .ok_or_else(|| ODataError::resource_not_found(ITEM_TYPE.name))?;
            let item = order
                .items
                .iter_mut()
                .find(|item| item_number(item) == position)
                .ok_or_else(|| ODataError::resource_not_found(ITEM_TYPE.name))?;
            if item[I_DELETION_CODE].as_str() != Some("L") {
                item[I_DELETION_CODE] = Value::string("L");
                order.header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
                book.store(number, order);
            }
            return Ok(());
        }
        let number =
            header_key(key).ok_or_else(|| ODataError::resource_not_found(HEADER_TYPE.name))?;
        let mut order = book
            .order(number)
            .ok_or_else(|| ODataError::resource_not_found(HEADER_TYPE.name))?;
        // Deleting a purchase order sets its deletion code; the document stays readable.
        if !order.is_deleted() {
            order.header[H_DELETION_CODE] = Value::string("L");
            for item in &mut order.items {
                item[I_DELETION_CODE] = Value::string("L");
            }
            order.header[H_LAST_CHANGE] = Value::DateTimeOffset(context.now);
            book.store(number, order);
        }
        Ok(())
    }
}

/// The native record of an order as plain JSON: OData names and value formats, items inline
/// with their schedule lines.
pub(crate) fn record_json(order: &PurchaseOrder) -> serde_json::Value {
    let mut header = row_json(&HEADER_PROPERTIES, &order.header);
    let items: Vec<serde_json::Value> = order
        .items
        .iter()
        .map(|item| {
            let mut json = row_json(&ITEM_PROPERTIES, item);
            let lines: Vec<serde_json::Value> = order
                .schedule_lines
                .iter()
                .filter(|line| numc(line, S_ITEM) == item_number(item))
                .map(|line| row_json(&SCHEDULE_PROPERTIES, line))
                .collect();
            if let serde_json::Value::Object(map) = &mut json {
                map.insert(SCHEDULE_NAV.to_owned(), serde_json::Value::Array(lines));
            }
            json
        })
        .collect();
    if let serde_json::Value::Object(map) = &mut header {
        map.insert(ITEMS_NAV.to_owned(), serde_json::Value::Array(items));
    }
    header
}

fn row_json(properties: &[Property], row: &[Value]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (property, value) in properties.iter().zip(row) {
        map.insert(property.name.to_owned(), value.to_plain_json(property.edm));
    }
    serde_json::Value::Object(map)
}
