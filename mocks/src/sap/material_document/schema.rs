//! The entity model of `API_MATERIAL_DOCUMENT_SRV`: `A_MaterialDocumentHeader` and its items,
//! with the property names, types and annotations of the real EDMX (a subset of the ~90 item
//! properties: the ones a goods movement for an inventory adjustment uses). Headers are
//! created with their items in one deep insert; nothing is updatable or deletable (a posted
//! document is reversed by another document, not changed), and items cannot be created alone.

use crate::sap::odata::edm::{
    Association, AssociationEnd, EntitySet, EntityType, Multiplicity, Navigation, Property,
    ServiceDef,
};

pub(crate) const SERVICE_NAME: &str = "API_MATERIAL_DOCUMENT_SRV";
pub(crate) const HEADER_SET: &str = "A_MaterialDocumentHeader";
pub(crate) const ITEM_SET: &str = "A_MaterialDocumentItem";
pub(crate) const ITEMS_NAV: &str = "to_MaterialDocumentItem";
pub(crate) const HEADER_NAV: &str = "to_MaterialDocumentHeader";

pub(crate) const D_YEAR: usize = 0;
pub(crate) const D_DOCUMENT: usize = 1;
pub(crate) const D_TRANSACTION_TYPE: usize = 2;
pub(crate) const D_DOCUMENT_DATE: usize = 3;
pub(crate) const D_POSTING_DATE: usize = 4;
pub(crate) const D_CREATION_DATE: usize = 5;
pub(crate) const D_CREATION_TIME: usize = 6;
pub(crate) const D_CREATED_BY: usize = 7;
pub(crate) const D_MOVEMENT_CODE: usize = 10;

pub(crate) static HEADER_PROPERTIES: [Property; 11] = [
    Property::string("MaterialDocumentYear", 4, "Material Document Year")
        .key()
        .numc()
        .read_only(),
    Property::string("MaterialDocument", 10, "Material Document")
        .key()
        .upper_case()
        .read_only(),
    Property::string("InventoryTransactionType", 2, "Transaction/Event Type")
        .upper_case()
        .read_only(),
    Property::date("DocumentDate", "Document Date"),
    Property::date("PostingDate", "Posting Date"),
    Property::date("CreationDate", "Entry Date").read_only(),
    Property::time("CreationTime", "Time of Entry").read_only(),
    Property::string("CreatedByUser", 12, "User Name")
        .upper_case()
        .read_only(),
    Property::string("MaterialDocumentHeaderText", 25, "Document Header Text"),
    Property::string("ReferenceDocument", 16, "Reference").upper_case(),
    Property::string("GoodsMovementCode", 2, "Goods Movement Code").upper_case(),
];

pub(crate) const M_YEAR: usize = 0;
pub(crate) const M_DOCUMENT: usize = 1;
pub(crate) const M_ITEM: usize = 2;
pub(crate) const M_MATERIAL: usize = 3;
pub(crate) const M_PLANT: usize = 4;
pub(crate) const M_STORAGE_LOCATION: usize = 5;
pub(crate) const M_BATCH: usize = 6;
pub(crate) const M_MOVEMENT_TYPE: usize = 7;
pub(crate) const M_STOCK_TYPE: usize = 8;
pub(crate) const M_SPECIAL_STOCK: usize = 9;
pub(crate) const M_BASE_UNIT: usize = 16;
pub(crate) const M_BASE_QUANTITY: usize = 17;
pub(crate) const M_ENTRY_UNIT: usize = 18;
pub(crate) const M_ENTRY_QUANTITY: usize = 19;
pub(crate) const M_CANCELLED: usize = 21;
pub(crate) const M_DEBIT_CREDIT: usize = 22;
pub(crate) const M_FISCAL_YEAR: usize = 23;

pub(crate) static ITEM_PROPERTIES: [Property; 24] = [
    Property::string("MaterialDocumentYear", 4, "Material Document Year")
        .key()
        .numc()
        .read_only(),
    Property::string("MaterialDocument", 10, "Material Document")
        .key()
        .upper_case()
        .read_only(),
    Property::string("MaterialDocumentItem", 4, "Material Document Item")
        .key()
        .numc()
        .read_only(),
    Property::string("Material", 40, "Material").upper_case(),
    Property::string("Plant", 4, "Plant").upper_case(),
    Property::string("StorageLocation", 4, "Storage Location").upper_case(),
    Property::string("Batch", 10, "Batch").upper_case(),
    Property::string("GoodsMovementType", 3, "Movement Type").upper_case(),
    Property::string("InventoryStockType", 2, "Stock Type").upper_case(),
    Property::string("InventorySpecialStockType", 1, "Special Stock Type").upper_case(),
    Property::string("Supplier", 10, "Supplier").upper_case(),
    Property::string("Customer", 10, "Customer").upper_case(),
    Property::string("PurchaseOrder", 10, "Purchase Order").upper_case(),
    Property::string("PurchaseOrderItem", 5, "Purchase Order Item").numc(),
    Property::string("GoodsMovementReasonCode", 4, "Reason for Movement").numc(),
    Property::string("CostCenter", 10, "Cost Center").upper_case(),
    Property::string("MaterialBaseUnit", 3, "Base Unit of Measure")
        .semantics("unit-of-measure")
        .read_only(),
    Property::decimal("QuantityInBaseUnit", 13, 3, "Quantity")
        .unit("MaterialBaseUnit")
        .read_only(),
    Property::string("EntryUnit", 3, "Unit of Entry").semantics("unit-of-measure"),
    Property::decimal("QuantityInEntryUnit", 13, 3, "Quantity in Entry Unit").unit("EntryUnit"),
    Property::string("MaterialDocumentItemText", 50, "Text"),
    Property::boolean("GoodsMovementIsCancelled", "Is Item Canceled").read_only(),
    Property::string("DebitCreditCode", 1, "Debit/Credit Indicator")
        .upper_case()
        .read_only(),
    Property::string("FiscalYear", 4, "Fiscal Year")
        .numc()
        .read_only(),
];

static HEADER_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: ITEMS_NAV,
    target_set: ITEM_SET,
    multiplicity: Multiplicity::Many,
    association: "assoc_MaterialDocumentItem",
    from_role: "FromRole_assoc_MaterialDocumentItem",
    to_role: "ToRole_assoc_MaterialDocumentItem",
}];

static ITEM_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: HEADER_NAV,
    target_set: HEADER_SET,
    multiplicity: Multiplicity::One,
    association: "assoc_MaterialDocumentHeader",
    from_role: "FromRole_assoc_MaterialDocumentHeader",
    to_role: "ToRole_assoc_MaterialDocumentHeader",
}];

pub(crate) static HEADER_TYPE: EntityType = EntityType {
    name: "A_MaterialDocumentHeaderType",
    label: "Document Header",
    keys: &["MaterialDocumentYear", "MaterialDocument"],
    properties: &HEADER_PROPERTIES,
    navigations: &HEADER_NAVIGATIONS,
};

pub(crate) static ITEM_TYPE: EntityType = EntityType {
    name: "A_MaterialDocumentItemType",
    label: "Document Items",
    keys: &[
        "MaterialDocumentYear",
        "MaterialDocument",
        "MaterialDocumentItem",
    ],
    properties: &ITEM_PROPERTIES,
    navigations: &ITEM_NAVIGATIONS,
};

static ENTITY_SETS: [EntitySet; 2] = [
    EntitySet {
        name: HEADER_SET,
        entity_type: &HEADER_TYPE,
        creatable: true,
        updatable: false,
        deletable: false,
    },
    EntitySet {
        name: ITEM_SET,
        entity_type: &ITEM_TYPE,
        creatable: false,
        updatable: false,
        deletable: false,
    },
];

/// `A_MaterialDocumentHeader`.
pub(crate) fn header_set() -> &'static EntitySet {
    &ENTITY_SETS[0]
}

static ASSOCIATIONS: [Association; 2] = [
    Association {
        name: "assoc_MaterialDocumentItem",
        from: AssociationEnd {
            entity_type: "A_MaterialDocumentHeaderType",
            entity_set: HEADER_SET,
            role: "FromRole_assoc_MaterialDocumentItem",
            multiplicity: Multiplicity::One,
        },
        to: AssociationEnd {
            entity_type: "A_MaterialDocumentItemType",
            entity_set: ITEM_SET,
            role: "ToRole_assoc_MaterialDocumentItem",
            multiplicity: Multiplicity::Many,
        },
        constraints: &[
            ("MaterialDocumentYear", "MaterialDocumentYear"),
            ("MaterialDocument", "MaterialDocument"),
        ],
    },
    Association {
        name: "assoc_MaterialDocumentHeader",
        from: AssociationEnd {
            entity_type: "A_MaterialDocumentItemType",
            entity_set: ITEM_SET,
            role: "FromRole_assoc_MaterialDocumentHeader",
            multiplicity: Multiplicity::Many,
        },
        to: AssociationEnd {
            entity_type: "A_MaterialDocumentHeaderType",
            entity_set: HEADER_SET,
            role: "ToRole_assoc_MaterialDocumentHeader",
            multiplicity: Multiplicity::One,
        },
        constraints: &[],
    },
];

pub(crate) static SERVICE: ServiceDef = ServiceDef {
    name: SERVICE_NAME,
    version: "0001",
    component_id: "MM-IM-GF",
    entity_sets: &ENTITY_SETS,
    associations: &ASSOCIATIONS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_constants_name_the_right_properties() {
        let header = [
            (D_YEAR, "MaterialDocumentYear"),
            (D_DOCUMENT, "MaterialDocument"),
            (D_TRANSACTION_TYPE, "InventoryTransactionType"),
            (D_DOCUMENT_DATE, "DocumentDate"),
            (D_POSTING_DATE, "PostingDate"),
            (D_CREATION_DATE, "CreationDate"),
            (D_CREATION_TIME, "CreationTime"),
            (D_CREATED_BY, "CreatedByUser"),
            (D_MOVEMENT_CODE, "GoodsMovementCode"),
        ];
        for (index, name) in header {
            assert_eq!(HEADER_PROPERTIES[index].name, name);
        }
        let item = [
            (M_YEAR, "MaterialDocumentYear"),
            (M_DOCUMENT, "MaterialDocument"),
            (M_ITEM, "MaterialDocumentItem"),
            (M_MATERIAL, "Material"),
            (M_PLANT, "Plant"),
            (M_STORAGE_LOCATION, "StorageLocation"),
            (M_BATCH, "Batch"),
            (M_MOVEMENT_TYPE, "GoodsMovementType"),
            (M_STOCK_TYPE, "InventoryStockType"),
            (M_SPECIAL_STOCK, "InventorySpecialStockType"),
            (M_BASE_UNIT, "MaterialBaseUnit"),
            (M_BASE_QUANTITY, "QuantityInBaseUnit"),
            (M_ENTRY_UNIT, "EntryUnit"),
            (M_ENTRY_QUANTITY, "QuantityInEntryUnit"),
            (M_CANCELLED, "GoodsMovementIsCancelled"),
            (M_DEBIT_CREDIT, "DebitCreditCode"),
            (M_FISCAL_YEAR, "FiscalYear"),
        ];
        for (index, name) in item {
            assert_eq!(ITEM_PROPERTIES[index].name, name);
        }
        assert_eq!(header_set().name, HEADER_SET);
    }
}
