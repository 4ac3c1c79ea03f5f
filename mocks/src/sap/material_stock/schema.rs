//! The entity model of `API_MATERIAL_STOCK_SRV` (reference §1.5): `A_MaterialStock` (one row
//! per material) and `A_MatlStkInAcctMod`, stock in the accounting model, whose key has eleven
//! fields that are all non-nullable and empty when they do not apply. Everything is read-only
//! (`sap:creatable/updatable/deletable="false"` on every set), as in the real EDMX; stock moves
//! through goods movements (`API_MATERIAL_DOCUMENT_SRV`).

use crate::sap::odata::edm::{
    Association, AssociationEnd, EntitySet, EntityType, Multiplicity, Navigation, Property,
    ServiceDef,
};

pub(crate) const SERVICE_NAME: &str = "API_MATERIAL_STOCK_SRV";
pub(crate) const MATERIAL_SET: &str = "A_MaterialStock";
pub(crate) const STOCK_SET: &str = "A_MatlStkInAcctMod";
pub(crate) const STOCK_NAV: &str = "to_MatlStkInAcctMod";
pub(crate) const MATERIAL_NAV: &str = "to_MaterialStock";

pub(crate) const MS_MATERIAL: usize = 0;

pub(crate) static MATERIAL_PROPERTIES: [Property; 2] = [
    Property::string("Material", 40, "Material")
        .key()
        .upper_case(),
    Property::string("MaterialBaseUnit", 3, "Base Unit of Measure").semantics("unit-of-measure"),
];

pub(crate) const K_MATERIAL: usize = 0;
pub(crate) const K_PLANT: usize = 1;
pub(crate) const K_STORAGE_LOCATION: usize = 2;
pub(crate) const K_BATCH: usize = 3;
pub(crate) const K_SUPPLIER: usize = 4;
pub(crate) const K_SD_ITEM: usize = 8;
pub(crate) const K_SPECIAL_STOCK: usize = 9;
pub(crate) const K_STOCK_TYPE: usize = 10;
/// The number of key fields, which come first.
pub(crate) const STOCK_KEY_FIELDS: usize = 11;

pub(crate) static STOCK_PROPERTIES: [Property; 14] = [
    Property::string("Material", 40, "Material for Stock Mamangement")
        .key()
        .upper_case(),
    Property::string("Plant", 4, "Plant").key().upper_case(),
    Property::string("StorageLocation", 4, "Storage Location")
        .key()
        .upper_case(),
    Property::string("Batch", 10, "Batch SID")
        .key()
        .upper_case(),
    Property::string("Supplier", 10, "Supplier SID")
        .key()
        .upper_case(),
    Property::string("Customer", 10, "Customer SID")
        .key()
        .upper_case(),
    Property::string("WBSElementInternalID", 8, "WBS Internal ID")
        .key()
        .numc(),
    Property::string("SDDocument", 10, "Sales Order")
        .key()
        .upper_case(),
    Property::string("SDDocumentItem", 6, "Sales Order Item")
        .key()
        .numc(),
    Property::string("InventorySpecialStockType", 1, "Special Stock Type")
        .key()
        .upper_case(),
    Property::string("InventoryStockType", 2, "Stock Type")
        .key()
        .upper_case(),
    Property::string("WBSElementExternalID", 24, "WBS Element").upper_case(),
    Property::string("MaterialBaseUnit", 3, "Base Unit of Measure").semantics("unit-of-measure"),
    Property::decimal("MatlWrhsStkQtyInMatlBaseUnit", 31, 14, "Stock Quantity")
        .unit("MaterialBaseUnit"),
];

static MATERIAL_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: STOCK_NAV,
    target_set: STOCK_SET,
    multiplicity: Multiplicity::Many,
    association: "assoc_MaterialStockInAcctMod",
    from_role: "FromRole_assoc_MaterialStockInAcctMod",
    to_role: "ToRole_assoc_MaterialStockInAcctMod",
}];

static STOCK_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: MATERIAL_NAV,
    target_set: MATERIAL_SET,
    multiplicity: Multiplicity::One,
    association: "assoc_StockInAcctModMaterial",
    from_role: "FromRole_assoc_StockInAcctModMaterial",
    to_role: "ToRole_assoc_StockInAcctModMaterial",
}];

pub(crate) static MATERIAL_TYPE: EntityType = EntityType {
    name: "A_MaterialStockType",
    label: "Material Master",
    keys: &["Material"],
    properties: &MATERIAL_PROPERTIES,
    navigations: &MATERIAL_NAVIGATIONS,
};

pub(crate) static STOCK_TYPE: EntityType = EntityType {
    name: "A_MatlStkInAcctModType",
    label: "Material Stock",
    keys: &[
        "Material",
        "Plant",
        "StorageLocation",
        "Batch",
        "Supplier",
        "Customer",
        "WBSElementInternalID",
        "SDDocument",
        "SDDocumentItem",
        "InventorySpecialStockType",
        "InventoryStockType",
    ],
    properties: &STOCK_PROPERTIES,
    navigations: &STOCK_NAVIGATIONS,
};

static ENTITY_SETS: [EntitySet; 2] = [
    EntitySet {
        name: MATERIAL_SET,
        entity_type: &MATERIAL_TYPE,
        creatable: false,
        updatable: false,
        deletable: false,
    },
    EntitySet {
        name: STOCK_SET,
        entity_type: &STOCK_TYPE,
        creatable: false,
        updatable: false,
        deletable: false,
    },
];

static ASSOCIATIONS: [Association; 2] = [
    Association {
        name: "assoc_MaterialStockInAcctMod",
        from: AssociationEnd {
            entity_type: "A_MaterialStockType",
            entity_set: MATERIAL_SET,
            role: "FromRole_assoc_MaterialStockInAcctMod",
            multiplicity: Multiplicity::One,
        },
        to: AssociationEnd {
            entity_type: "A_MatlStkInAcctModType",
            entity_set: STOCK_SET,
            role: "ToRole_assoc_MaterialStockInAcctMod",
            multiplicity: Multiplicity::Many,
        },
        constraints: &[("Material", "Material")],
    },
    Association {
        name: "assoc_StockInAcctModMaterial",
        from: AssociationEnd {
            entity_type: "A_MatlStkInAcctModType",
            entity_set: STOCK_SET,
            role: "FromRole_assoc_StockInAcctModMaterial",
            multiplicity: Multiplicity::Many,
        },
        to: AssociationEnd {
            entity_type: "A_MaterialStockType",
            entity_set: MATERIAL_SET,
            role: "ToRole_assoc_StockInAcctModMaterial",
            multiplicity: Multiplicity::One,
        },
        constraints: &[],
    },
];

pub(crate) static SERVICE: ServiceDef = ServiceDef {
    name: SERVICE_NAME,
    version: "0001",
    component_id: "MM-IM-VDM-SGT",
    entity_sets: &ENTITY_SETS,
    associations: &ASSOCIATIONS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_constants_name_the_right_properties() {
        let expected = [
            (K_MATERIAL, "Material"),
            (K_PLANT, "Plant"),
            (K_STORAGE_LOCATION, "StorageLocation"),
            (K_BATCH, "Batch"),
            (K_SUPPLIER, "Supplier"),
            (K_SD_ITEM, "SDDocumentItem"),
            (K_SPECIAL_STOCK, "InventorySpecialStockType"),
            (K_STOCK_TYPE, "InventoryStockType"),
        ];
        for (index, name) in expected {
            assert_eq!(STOCK_PROPERTIES[index].name, name);
        }
        // The key is the first eleven properties, in EDMX key order.
        for (position, key) in STOCK_TYPE.keys.iter().enumerate() {
            assert_eq!(STOCK_PROPERTIES[position].name, *key);
        }
        assert_eq!(STOCK_TYPE.keys.len(), STOCK_KEY_FIELDS);
        assert_eq!(MATERIAL_PROPERTIES[MS_MATERIAL].name, "Material");
    }
}
