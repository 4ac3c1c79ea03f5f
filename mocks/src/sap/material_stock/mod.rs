//! `API_MATERIAL_STOCK_SRV`: stock per material as SAP's accounting model shows it.
//!
//! Read-only: every set refuses writes (the generic handler answers 405 from the sets'
//! `sap:creatable/updatable/deletable="false"`). Reads come from the [`InventoryBook`] the
//! goods-movement service writes, so a posted material document shows here at once. A filter
//! naming one material (`Material eq 'RM10001'`, how clients read stock per item) reads only
//! that material's rows; anything else streams the rows in key order.

pub(crate) mod schema;

use std::sync::{Arc, PoisonError, RwLock};

use super::data::inventory::{InventoryBook, StockKey};
use super::odata::body::EntityPayload;
use super::odata::edm::{EntitySet, Navigation, ServiceDef};
use super::odata::engine::{Row, RowSource, Scan};
use super::odata::error::ODataError;
use super::odata::eval::Node;
use super::odata::filter::BinaryOp;
use super::odata::value::Value;
use super::service::{Created, ODataService, ParentRef, ServiceReader, WriteContext};
use schema::*;

/// The stock service over the inventory shared with the goods-movement service.
pub(crate) struct MaterialStockService {
    inventory: Arc<RwLock<InventoryBook>>,
}

impl MaterialStockService {
    pub(crate) fn new(inventory: Arc<RwLock<InventoryBook>>) -> Self {
        MaterialStockService { inventory }
    }
}

/// The string a filter pins property `index` to with `eq`, when every row it admits must have
/// that value (an `eq` alone or inside `and`s).
pub(crate) fn pinned_string(node: &Node, index: usize) -> Option<String> {
    match node {
        Node::And(lhs, rhs) => pinned_string(lhs, index).or_else(|| pinned_string(rhs, index)),
        Node::Compare {
            op: BinaryOp::Eq,
            lhs,
            rhs,
            ..
        } => match (lhs.as_ref(), rhs.as_ref()) {
            (Node::Property { index: i }, Node::Const(Value::String(text)))
            | (Node::Const(Value::String(text)), Node::Property { index: i })
                if *i == index =>
            {
                Some(text.clone())
            }
            _ => None,
        },
        _ => None,
    }
}

struct StockSource<'a> {
    inventory: &'a InventoryBook,
}

impl RowSource for StockSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(StockKey::from_values);
        let material = scan
            .filter
            .and_then(|filter| pinned_string(filter, K_MATERIAL));
        self.inventory
            .scan(after.as_ref(), material.as_deref(), visit);
    }
}

struct MaterialSource<'a> {
    inventory: &'a InventoryBook,
}

fn material_row(id: String, unit: &str) -> Row {
    vec![Value::string(id), Value::string(unit)]
}

impl RowSource for MaterialSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        if let Some(id) = scan
            .filter
            .and_then(|filter| pinned_string(filter, MS_MATERIAL))
        {
            if let Some(material) = self.inventory.find_material(&id)
                && material.id == id
                && scan
                    .after
                    .and_then(|tuple| tuple.first()?.as_str())
                    .is_none_or(|after| after < id.as_str())
            {
                visit(material_row(material.id, material.unit));
            }
            return;
        }
        let after = scan.after.and_then(|tuple| tuple.first()?.as_str());
        for position in self.inventory.materials_after(after) {
            let Some(material) = self.inventory.material_at(position) else {
                break;
            };
            if !visit(material_row(material.id, material.unit)) {
                break;
            }
        }
    }

    fn count_all(&self) -> Option<u64> {
        Some(self.inventory.material_count())
    }
}

struct Reader<'a> {
    inventory: &'a InventoryBook,
}

impl ServiceReader for Reader<'_> {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_> {
        if set.name == MATERIAL_SET {
            Box::new(MaterialSource {
                inventory: self.inventory,
            })
        } else {
            Box::new(StockSource {
                inventory: self.inventory,
            })
        }
    }

    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row> {
        if set.name == MATERIAL_SET {
            let id = key.first()?.as_str()?;
            let material = self.inventory.find_material(id)?;
            return (material.id == id).then(|| material_row(material.id, material.unit));
        }
        self.inventory.row(&StockKey::from_values(key)?)
    }

    fn navigate(
        &self,
        _set: &'static EntitySet,
        row: &[Value],
        navigation: &Navigation,
    ) -> Vec<Row> {
        let Some(id) = row.first().and_then(Value::as_str) else {
            return Vec::new();
        };
        match navigation.name {
            STOCK_NAV => self.inventory.rows_for_material(id),
            MATERIAL_NAV => self
                .inventory
                .find_material(id)
                .map(|material| material_row(material.id, material.unit))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn read_only(set: &EntitySet) -> ODataError {
    ODataError::method_not_allowed(format!(
        "Entity set '{}' is read-only; stock changes through goods movements",
        set.name
    ))
}

impl ODataService for MaterialStockService {
    fn definition(&self) -> &'static ServiceDef {
        &SERVICE
    }

    /// Nothing to keep: every write to this service is refused.
    fn checkpoint(&self) -> Option<super::service::Checkpoint> {
        Some(Box::new(()))
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
        _context: &WriteContext,
        set: &'static EntitySet,
        _parent: Option<ParentRef>,
        _payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        Err(read_only(set))
    }

    fn update(
        &self,
        _context: &WriteContext,
        set: &'static EntitySet,
        _key: &[Value],
        _payload: EntityPayload,
    ) -> Result<(), ODataError> {
        Err(read_only(set))
    }

    fn delete(
        &self,
        _context: &WriteContext,
        set: &'static EntitySet,
        _key: &[Value],
    ) -> Result<(), ODataError> {
        Err(read_only(set))
    }
}
