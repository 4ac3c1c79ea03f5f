//! `API_MATERIAL_DOCUMENT_SRV`: goods movements, the way inventory is adjusted in SAP.
//!
//! `POST A_MaterialDocumentHeader` with `GoodsMovementCode` `05` (other goods receipt) and a
//! deep-inserted `to_MaterialDocumentItem` posts a material document: movement type `561`
//! (initial entry of stock) adds `QuantityInEntryUnit` to the item's stock row, `562` (its
//! reversal) takes it away, and the stock row (`A_MatlStkInAcctMod`, shared with the stock
//! service) moves by exactly that quantity; a receipt into a place without stock creates the
//! row. Every item is checked before anything moves, with a running balance across the items
//! of one document, so a refused document changes nothing.
//!
//! Refusals come as SAP's goods-movement API reports them: the top-level message is
//! `MM_IM_ODATA_API_MDOC/014` "Material Document processing failed" and the reason (for
//! example `M7/021` "Deficit of SL Unrestricted-use …") is the first entry of `errordetails`.
//! Of the message numbers, `M7/021` (deficit) and `M7/018` (enter batch) are attested; the
//! others are plausible T100 numbers for the same checks.

pub(crate) mod schema;

use std::sync::{Arc, PoisonError, RwLock};

use axum::http::StatusCode;
use rust_decimal::Decimal;

use super::data::PLANT;
use super::data::inventory::{
    BLOCKED, InventoryBook, MaterialDocument, QUALITY_INSPECTION, STORAGE_LOCATIONS, StockKey,
    UNRESTRICTED, batch_managed,
};
use super::data::schedule_lines::numc;
use super::odata::body::EntityPayload;
use super::odata::edm::{Conversion, EntitySet, Navigation, Property, ServiceDef};
use super::odata::engine::{Row, RowSource, Scan};
use super::odata::error::{ErrorDetail, ODataError};
use super::odata::value::{Ticks, Value};
use super::service::{Created, ODataService, ParentRef, ServiceReader, WriteContext};
use schema::*;

/// The framework message the goods-movement API wraps every refusal in.
const PROCESSING_FAILED: (&str, &str) = (
    "MM_IM_ODATA_API_MDOC/014",
    "Material Document processing failed",
);

/// The goods-movement service over the inventory shared with the stock service.
pub(crate) struct MaterialDocumentService {
    inventory: Arc<RwLock<InventoryBook>>,
}

impl MaterialDocumentService {
    pub(crate) fn new(inventory: Arc<RwLock<InventoryBook>>) -> Self {
        MaterialDocumentService { inventory }
    }
}

/// A refusal of the posting: the reason first, then the API's wrapper message.
fn refused(code: &str, message: impl Into<String>, target: &str) -> ODataError {
    let message = message.into();
    ODataError {
        status: StatusCode::BAD_REQUEST,
        code: PROCESSING_FAILED.0.to_owned(),
        message: PROCESSING_FAILED.1.to_owned(),
        target: String::new(),
        business: true,
        details: vec![
            ErrorDetail {
                code: code.to_owned(),
                message,
                target: target.to_owned(),
            },
            ErrorDetail {
                code: PROCESSING_FAILED.0.to_owned(),
                message: PROCESSING_FAILED.1.to_owned(),
                target: String::new(),
            },
        ],
    }
}

struct HeaderSource<'a> {
    inventory: &'a InventoryBook,
}

fn document_key(tuple: &[Value]) -> Option<(String, String)> {
    Some((
        tuple.first()?.as_str()?.to_owned(),
        tuple.get(1)?.as_str()?.to_owned(),
    ))
}

impl RowSource for HeaderSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(document_key);
        for document in self.inventory.documents_after(after) {
            if !visit(document.header.clone()) {
                break;
            }
        }
    }

    fn count_all(&self) -> Option<u64> {
        Some(self.inventory.document_count())
    }
}

struct ItemSource<'a> {
    inventory: &'a InventoryBook,
}

impl RowSource for ItemSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(|tuple| {
            let (year, number) = document_key(tuple)?;
            Some((year, number, numc(tuple, 2)))
        });
        // Start at the document of `after` itself: its later items are still due.
        let start = after.as_ref().map(|(year, number, _)| {
            let previous = number
                .parse::<u64>()
                .map(|n| n.saturating_sub(1).to_string())
                .unwrap_or_default();
            (year.clone(), previous)
        });
        for document in self.inventory.documents_after(start) {
            for item in &document.items {
                let position = (
                    text(item, M_YEAR).to_owned(),
                    text(item, M_DOCUMENT).to_owned(),
                    numc(item, M_ITEM),
                );
                if after.as_ref().is_some_and(|bound| position <= *bound) {
                    continue;
                }
                if !visit(item.clone()) {
                    return;
                }
            }
        }
    }
}

fn text(row: &[Value], index: usize) -> &str {
    row.get(index).and_then(Value::as_str).unwrap_or_default()
}

struct Reader<'a> {
    inventory: &'a InventoryBook,
}

impl ServiceReader for Reader<'_> {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_> {
        if set.name == ITEM_SET {
            Box::new(ItemSource {
                inventory: self.inventory,
            })
        } else {
            Box::new(HeaderSource {
                inventory: self.inventory,
            })
        }
    }

    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row> {
        let (year, number) = document_key(key)?;
        let document = self.inventory.document(&year, &number)?;
        if set.name == ITEM_SET {
            let item = key.get(2)?.as_str()?.parse::<u64>().ok()?;
            return document
                .items
                .iter()
                .find(|row| numc(row, M_ITEM) == item)
                .cloned();
        }
        Some(document.header.clone())
    }

    fn navigate(
        &self,
        _set: &'static EntitySet,
        row: &[Value],
        navigation: &Navigation,
    ) -> Vec<Row> {
        let Some(document) = self
            .inventory
            .document(text(row, M_YEAR), text(row, M_DOCUMENT))
        else {
            return Vec::new();
        };
        match navigation.name {
            ITEMS_NAV => document.items.clone(),
            HEADER_NAV => vec![document.header.clone()],
            _ => Vec::new(),
        }
    }
}

/// A value as SAP stores it: upper case where the domain is, NUMC without leading zeros.
fn stored(property: &Property, value: &Value) -> Value {
    match value {
        Value::String(text) => {
            let mut text = if property.display_format == Some("UpperCase") {
                text.trim().to_uppercase()
            } else {
                text.trim().to_owned()
            };
            if property.conversion == Conversion::Numc
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
        Value::DateTime(ticks) => Value::DateTime(ticks.start_of_day()),
        other => other.clone(),
    }
}

/// One checked goods movement item, ready to post.
struct Movement {
    row: Row,
    key: StockKey,
    /// Positive for receipts (561), negative for their reversal (562).
    delta: Decimal,
}

impl MaterialDocumentService {
    /// Checks one item against the material master, the plant and the stock seen so far.
    fn check_item(
        inventory: &InventoryBook,
        payload: &EntityPayload,
        position: usize,
        balances: &[(StockKey, Decimal)],
    ) -> Result<Movement, ODataError> {
        let mut row = vec![Value::Null; ITEM_PROPERTIES.len()];
        for (index, property) in ITEM_PROPERTIES.iter().enumerate() {
            if property.edm == super::odata::edm::EdmType::String {
                // Empty NUMC fields show as "0", as SAP prints them.
                let empty = if property.conversion == Conversion::Numc {
                    "0"
                } else {
                    ""
                };
                row[index] = Value::string(empty);
            }
        }
        for (index, value) in &payload.values {
            let property = &ITEM_PROPERTIES[*index];
            if property.creatable && !matches!(value, Value::Null) {
                row[*index] = stored(property, value);
            }
        }
        let material_id = text(&row, M_MATERIAL).to_owned();
        let plant = text(&row, M_PLANT).to_owned();
        if material_id.is_empty() {
            return Err(refused("M7/022", "Enter a material", "Material"));
        }
        if plant.is_empty() {
            return Err(refused("M7/022", "Enter a plant", "Plant"));
        }
        let Some(material) = inventory.find_material(&material_id) else {
            return Err(refused(
                "M7/001",
                format!("Material {material_id} not maintained in plant {plant}"),
                "Material",
            ));
        };
        if plant != PLANT {
            return Err(refused(
                "M7/001",
                format!("Material {} not maintained in plant {plant}", material.id),
                "Plant",
            ));
        }
        let location = text(&row, M_STORAGE_LOCATION).to_owned();
        if location.is_empty() {
            return Err(refused(
                "M7/022",
                "Enter a storage location",
                "StorageLocation",
            ));
        }
        if !STORAGE_LOCATIONS.contains(&location.as_str()) {
            return Err(refused(
                "M7/127",
                format!("Storage location {plant} {location} does not exist"),
                "StorageLocation",
            ));
        }
        let movement_type = text(&row, M_MOVEMENT_TYPE).to_owned();
        let sign = match movement_type.as_str() {
            "561" => Decimal::ONE,
            "562" => Decimal::NEGATIVE_ONE,
            "" => {
                return Err(refused(
                    "M7/022",
                    "Enter a movement type",
                    "GoodsMovementType",
                ));
            }
            other => {
                return Err(refused(
                    "M7/097",
                    format!("Movement type {other} is not allowed with goods movement code 05"),
                    "GoodsMovementType",
                ));
            }
        };
        let batch = text(&row, M_BATCH).to_owned();
        if batch_managed(&material.id) && batch.is_empty() {
            return Err(refused("M7/018", "Enter Batch", "Batch"));
        }
        if !batch_managed(&material.id) && !batch.is_empty() {
            return Err(refused(
                "M7/162",
                format!("Material {} is not managed in batches", material.id),
                "Batch",
            ));
        }
        if !text(&row, M_SPECIAL_STOCK).is_empty() {
            return Err(refused(
                "M7/130",
                format!(
                    "Special stock {} is not possible with movement type {movement_type}",
                    text(&row, M_SPECIAL_STOCK)
                ),
                "InventorySpecialStockType",
            ));
        }
        let (stock_type, stock_label) = match text(&row, M_STOCK_TYPE) {
            "" | "01" => (UNRESTRICTED, "Unrestricted-use"),
            "02" => (QUALITY_INSPECTION, "Quality inspection"),
            "07" => (BLOCKED, "Blocked stock"),
            other => {
                return Err(refused(
                    "M7/131",
                    format!("Stock type {other} is not allowed for movement type {movement_type}"),
                    "InventoryStockType",
                ));
            }
        };
        let quantity = row[M_ENTRY_QUANTITY].as_decimal().unwrap_or(Decimal::ZERO);
        if quantity <= Decimal::ZERO {
            return Err(refused("M7/022", "Enter a quantity", "QuantityInEntryUnit"));
        }
        let unit = match text(&row, M_ENTRY_UNIT) {
            "" => material.unit.to_owned(),
            given => given.to_owned(),
        };
        if unit != material.unit {
            return Err(refused(
                "M7/034",
                format!("Unit {unit} is not defined for material {}", material.id),
                "EntryUnit",
            ));
        }
        let key = StockKey::plain(&material.id, &location, &batch, stock_type);
        let current = balances
            .iter()
            .rev()
            .find(|(seen, _)| *seen == key)
            .map(|(_, quantity)| *quantity)
            .or_else(|| inventory.quantity(&key))
            .unwrap_or(Decimal::ZERO);
        let delta = sign * quantity;
        if current + delta < Decimal::ZERO {
            let deficit = (-(current + delta)).normalize();
            let (level, place) = if batch.is_empty() {
                ("SL", format!("{} {plant} {location}", material.id))
            } else {
                ("BA", format!("{} {plant} {location} {batch}", material.id))
            };
            return Err(refused(
                "M7/021",
                format!("Deficit of {level} {stock_label} {deficit} {unit} : {place}"),
                "QuantityInEntryUnit",
            ));
        }
        let mut entry = quantity;
        entry.rescale(3);
        row[M_MATERIAL] = Value::string(material.id.clone());
        row[M_ITEM] = Value::string((position + 1).to_string());
        row[M_STOCK_TYPE] = Value::string(if stock_type == UNRESTRICTED {
            ""
        } else {
            stock_type
        });
        row[M_ENTRY_UNIT] = Value::string(unit.clone());
        row[M_ENTRY_QUANTITY] = Value::Decimal(entry);
        row[M_BASE_UNIT] = Value::string(unit);
        row[M_BASE_QUANTITY] = Value::Decimal(entry);
        row[M_CANCELLED] = Value::Boolean(false);
        row[M_DEBIT_CREDIT] = Value::string(if sign > Decimal::ZERO { "S" } else { "H" });
        Ok(Movement { row, key, delta })
    }

    fn post(&self, context: &WriteContext, payload: EntityPayload) -> Result<Created, ODataError> {
        let mut inventory = self
            .inventory
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut header = vec![Value::Null; HEADER_PROPERTIES.len()];
        for (index, property) in HEADER_PROPERTIES.iter().enumerate() {
            if property.edm == super::odata::edm::EdmType::String {
                header[index] = Value::string("");
            }
        }
        for (index, value) in &payload.values {
            let property = &HEADER_PROPERTIES[*index];
            // Read-only fields (number, year, entry date) are assigned, whatever was sent.
            if property.creatable && !matches!(value, Value::Null) {
                header[*index] = stored(property, value);
            }
        }
        match text(&header, D_MOVEMENT_CODE) {
            "05" => {}
            "" => {
                return Err(refused(
                    "MM_IM_ODATA_API_MDOC/005",
                    "Enter a goods movement code",
                    "GoodsMovementCode",
                ));
            }
            other => {
                return Err(refused(
                    "MM_IM_ODATA_API_MDOC/006",
                    format!("Goods movement code {other} is not supported for this document"),
                    "GoodsMovementCode",
                ));
            }
        }
        let item_payloads: Vec<&EntityPayload> = payload
            .navigations
            .iter()
            .filter(|(navigation, _)| navigation.name == ITEMS_NAV)
            .flat_map(|(_, items)| items.iter())
            .collect();
        if item_payloads.is_empty() {
            return Err(refused(
                "MM_IM_ODATA_API_MDOC/002",
                "A material document needs at least one item",
                ITEMS_NAV,
            ));
        }
        if item_payloads.len() > 9_999 {
            return Err(refused(
                "MM_IM_ODATA_API_MDOC/003",
                "A material document has at most 9999 items",
                ITEMS_NAV,
            ));
        }
        let mut movements = Vec::with_capacity(item_payloads.len());
        let mut balances: Vec<(StockKey, Decimal)> = Vec::new();
        for (position, item) in item_payloads.iter().enumerate() {
            if let Some((navigation, _)) = item.navigations.first() {
                return Err(ODataError::bad_request(format!(
                    "Property '{}' is invalid",
                    navigation.name
                )));
            }
            let movement = Self::check_item(&inventory, item, position, &balances)?;
            let before = balances
                .iter()
                .rev()
                .find(|(seen, _)| *seen == movement.key)
                .map(|(_, quantity)| *quantity)
                .or_else(|| inventory.quantity(&movement.key))
                .unwrap_or(Decimal::ZERO);
            balances.push((movement.key.clone(), before + movement.delta));
            movements.push(movement);
        }

        let today = context.now.start_of_day();
        let posting = header[D_POSTING_DATE].as_ticks().unwrap_or(today);
        let year = posting
            .to_datetime()
            .map_or(String::from("1970"), |at| at.format("%Y").to_string());
        let number = inventory.allocate_document().to_string();
        header[D_YEAR] = Value::string(year.clone());
        header[D_DOCUMENT] = Value::string(number.clone());
        header[D_TRANSACTION_TYPE] = Value::string("WA");
        header[D_POSTING_DATE] = Value::DateTime(posting);
        if header[D_DOCUMENT_DATE].as_ticks().is_none() {
            header[D_DOCUMENT_DATE] = Value::DateTime(today);
        }
        header[D_CREATION_DATE] = Value::DateTime(today);
        header[D_CREATION_TIME] = Value::Time(Ticks(context.now.0 - today.0));
        header[D_CREATED_BY] = Value::string(context.user.chars().take(12).collect::<String>());
        let mut items = Vec::with_capacity(movements.len());
        for movement in movements {
            let mut row = movement.row;
            row[M_YEAR] = Value::string(year.clone());
            row[M_DOCUMENT] = Value::string(number.clone());
            row[M_FISCAL_YEAR] = Value::string(year.clone());
            let current = inventory.quantity(&movement.key).unwrap_or(Decimal::ZERO);
            inventory.set_quantity(movement.key, current + movement.delta);
            items.push(row);
        }
        inventory.store_document(MaterialDocument {
            header: header.clone(),
            items: items.clone(),
        });
        Ok(Created {
            set: header_set(),
            row: header,
            children: HEADER_TYPE
                .navigation(ITEMS_NAV)
                .map(|navigation| (navigation, items))
                .into_iter()
                .collect(),
            message: Some((String::from("M7/060"), format!("Document {number} posted"))),
        })
    }
}

impl ODataService for MaterialDocumentService {
    fn definition(&self) -> &'static ServiceDef {
        &SERVICE
    }

    fn checkpoint(&self) -> Option<super::service::Checkpoint> {
        let state = self
            .inventory
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Some(Box::new(state.clone()))
    }

    fn restore(&self, checkpoint: super::service::Checkpoint) {
        if let Ok(saved) = checkpoint.downcast::<InventoryBook>() {
            *self
                .inventory
                .write()
                .unwrap_or_else(PoisonError::into_inner) = *saved;
        }
    }

    fn read(&self, work: &mut dyn FnMut(&dyn ServiceReader)) {
        let inventory = self
            .inventory
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        work(&Reader {
            inventory: &inventory,
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
            (HEADER_SET, None) => self.post(context, payload),
            _ => Err(ODataError::method_not_allowed(format!(
                "Entities of '{}' are created with their material document only",
                set.name
            ))),
        }
    }

    fn update(
        &self,
        _context: &WriteContext,
        set: &'static EntitySet,
        _key: &[Value],
        _payload: EntityPayload,
    ) -> Result<(), ODataError> {
        Err(ODataError::method_not_allowed(format!(
            "Entity set '{}' is not updatable; post a reversal instead",
            set.name
        )))
    }

    fn delete(
        &self,
        _context: &WriteContext,
        set: &'static EntitySet,
        _key: &[Value],
    ) -> Result<(), ODataError> {
        Err(ODataError::method_not_allowed(format!(
            "Entity set '{}' is not deletable; post a reversal instead",
            set.name
        )))
    }
}
