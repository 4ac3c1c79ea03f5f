//! The entity model of `API_PURCHASEORDER_PROCESS_SRV` (reference §1.1): `A_PurchaseOrder`,
//! `A_PurchaseOrderItem` and `A_PurchaseOrderScheduleLine` with the properties, types and SAP
//! annotations of the real EDMX (a subset of its ~120 item properties: the ones integrations
//! read and write). Schedule lines keep the real service's odd key names
//! (`PurchasingDocument`, `PurchasingDocumentItem`, `ScheduleLine`).
//!
//! Rows are positional; the `H_*` and `I_*` constants name the positions and a test checks them
//! against the property lists, so the generator, the validation and `$metadata` cannot disagree.

use crate::sap::odata::edm::{
    Association, AssociationEnd, EntitySet, EntityType, Multiplicity, Navigation, Property,
    ServiceDef,
};

pub(crate) const SERVICE_NAME: &str = "API_PURCHASEORDER_PROCESS_SRV";
pub(crate) const HEADER_SET: &str = "A_PurchaseOrder";
pub(crate) const ITEM_SET: &str = "A_PurchaseOrderItem";
pub(crate) const ITEMS_NAV: &str = "to_PurchaseOrderItem";
pub(crate) const HEADER_NAV: &str = "to_PurchaseOrder";
pub(crate) const SCHEDULE_SET: &str = "A_PurchaseOrderScheduleLine";
pub(crate) const SCHEDULE_NAV: &str = "to_ScheduleLine";

pub(crate) const H_PURCHASE_ORDER: usize = 0;
pub(crate) const H_COMPANY_CODE: usize = 1;
pub(crate) const H_ORDER_TYPE: usize = 2;
pub(crate) const H_DELETION_CODE: usize = 3;
pub(crate) const H_PROCESSING_STATUS: usize = 4;
pub(crate) const H_CREATED_BY: usize = 5;
pub(crate) const H_CREATION_DATE: usize = 6;
pub(crate) const H_LAST_CHANGE: usize = 7;
pub(crate) const H_SUPPLIER: usize = 8;
pub(crate) const H_LANGUAGE: usize = 9;
pub(crate) const H_PAYMENT_TERMS: usize = 10;
pub(crate) const H_CASH_DISCOUNT_1_DAYS: usize = 11;
pub(crate) const H_CASH_DISCOUNT_2_DAYS: usize = 12;
pub(crate) const H_NET_PAYMENT_DAYS: usize = 13;
pub(crate) const H_CASH_DISCOUNT_1_PERCENT: usize = 14;
pub(crate) const H_CASH_DISCOUNT_2_PERCENT: usize = 15;
pub(crate) const H_PURCHASING_ORGANIZATION: usize = 16;
pub(crate) const H_PURCHASING_GROUP: usize = 17;
pub(crate) const H_ORDER_DATE: usize = 18;
pub(crate) const H_CURRENCY: usize = 19;
pub(crate) const H_EXCHANGE_RATE: usize = 20;
pub(crate) const H_VALIDITY_START: usize = 21;
pub(crate) const H_VALIDITY_END: usize = 22;
pub(crate) const H_SALES_PERSON: usize = 23;
pub(crate) const H_SUPPLIER_PHONE: usize = 24;
pub(crate) const H_INCOTERMS: usize = 25;
pub(crate) const H_INCOTERMS_LOCATION: usize = 26;
pub(crate) const H_RELEASE_NOT_COMPLETED: usize = 27;
pub(crate) const H_INCOMPLETE: usize = 28;
pub(crate) const H_ADDRESS_NAME: usize = 29;
pub(crate) const H_ADDRESS_CITY: usize = 30;
pub(crate) const H_ADDRESS_POSTAL_CODE: usize = 31;
pub(crate) const H_ADDRESS_STREET: usize = 32;
pub(crate) const H_ADDRESS_COUNTRY: usize = 33;

pub(crate) static HEADER_PROPERTIES: [Property; 34] = [
    Property::string("PurchaseOrder", 10, "Purchasing Document")
        .key()
        .upper_case()
        .read_only(),
    Property::string("CompanyCode", 4, "Company Code")
        .upper_case()
        .not_updatable(),
    Property::string("PurchaseOrderType", 4, "Purchasing Doc. Type")
        .upper_case()
        .not_updatable(),
    Property::string("PurchasingDocumentDeletionCode", 1, "Deletion Indicator")
        .upper_case()
        .read_only(),
    Property::string("PurchasingProcessingStatus", 2, "Processing status")
        .upper_case()
        .read_only(),
    Property::string("CreatedByUser", 12, "Created By")
        .upper_case()
        .read_only(),
    Property::date("CreationDate", "Created On").read_only(),
    Property::timestamp("LastChangeDateTime", 7, "Change Time Stamp").read_only(),
    Property::string("Supplier", 10, "Supplier").alpha(),
    Property::string("Language", 2, "Language Key"),
    Property::string("PaymentTerms", 4, "Terms of Payment").upper_case(),
    Property::decimal("CashDiscount1Days", 3, 0, "Days 1"),
    Property::decimal("CashDiscount2Days", 3, 0, "Days 2"),
    Property::decimal("NetPaymentDays", 3, 0, "Days Net"),
    Property::decimal("CashDiscount1Percent", 5, 3, "Disc.percent 1"),
    Property::decimal("CashDiscount2Percent", 5, 3, "Disc.percent 2"),
    Property::string("PurchasingOrganization", 4, "Purch. Organization")
        .upper_case()
        .not_updatable(),
    Property::string("PurchasingGroup", 3, "Purchasing Group").upper_case(),
    Property::date("PurchaseOrderDate", "Document Date"),
    Property::string("DocumentCurrency", 5, "Currency").semantics("currency-code"),
    Property::string("ExchangeRate", 12, "Exchange Rate"),
    Property::date("ValidityStartDate", "Validity Start"),
    Property::date("ValidityEndDate", "Validity End"),
    Property::string("SupplierRespSalesPersonName", 30, "Salesperson"),
    Property::string("SupplierPhoneNumber", 16, "Telephone"),
    Property::string("IncotermsClassification", 3, "Incoterms").upper_case(),
    Property::string("IncotermsLocation1", 70, "Inco. Location1"),
    Property::boolean("ReleaseIsNotCompleted", "Release Not Compl.").read_only(),
    Property::boolean("PurchasingCompletenessStatus", "Incomplete").read_only(),
    Property::string("AddressName", 40, "Name"),
    Property::string("AddressCityName", 40, "City"),
    Property::string("AddressPostalCode", 10, "Postal Code"),
    Property::string("AddressStreetName", 60, "Street"),
    Property::string("AddressCountry", 3, "Country").upper_case(),
];

pub(crate) const I_PURCHASE_ORDER: usize = 0;
pub(crate) const I_ITEM: usize = 1;
pub(crate) const I_DELETION_CODE: usize = 2;
pub(crate) const I_TEXT: usize = 3;
pub(crate) const I_PLANT: usize = 4;
pub(crate) const I_STORAGE_LOCATION: usize = 5;
pub(crate) const I_MATERIAL_GROUP: usize = 6;
pub(crate) const I_QUANTITY: usize = 7;
pub(crate) const I_QUANTITY_UNIT: usize = 8;
pub(crate) const I_PRICE_UNIT: usize = 9;
pub(crate) const I_CURRENCY: usize = 10;
pub(crate) const I_NET_PRICE: usize = 11;
pub(crate) const I_NET_PRICE_QUANTITY: usize = 12;
pub(crate) const I_TAX_CODE: usize = 13;
pub(crate) const I_DELIVERED: usize = 14;
pub(crate) const I_INVOICED: usize = 15;
pub(crate) const I_CATEGORY: usize = 16;
pub(crate) const I_ACCOUNT_ASSIGNMENT: usize = 17;
pub(crate) const I_GR_EXPECTED: usize = 18;
pub(crate) const I_INVOICE_EXPECTED: usize = 19;
pub(crate) const I_GR_BASED_INVOICE: usize = 20;
pub(crate) const I_REQUISITION: usize = 21;
pub(crate) const I_REQUISITION_ITEM: usize = 22;
pub(crate) const I_MATERIAL: usize = 23;

pub(crate) static ITEM_PROPERTIES: [Property; 24] = [
    // Creatable so `POST A_PurchaseOrderItem` can name its order; deep inserts ignore it.
    Property::string("PurchaseOrder", 10, "Purchasing Document")
        .key()
        .upper_case()
        .not_updatable(),
    Property::string("PurchaseOrderItem", 5, "Item")
        .key()
        .numc()
        .not_updatable(),
    Property::string("PurchasingDocumentDeletionCode", 1, "Deletion Indicator")
        .upper_case()
        .read_only(),
    Property::string("PurchaseOrderItemText", 40, "Short Text"),
    Property::string("Plant", 4, "Plant").upper_case(),
    Property::string("StorageLocation", 4, "Storage Location").upper_case(),
    Property::string("MaterialGroup", 9, "Material Group").upper_case(),
    Property::decimal("OrderQuantity", 13, 3, "PO Quantity").unit("PurchaseOrderQuantityUnit"),
    Property::string("PurchaseOrderQuantityUnit", 3, "Order Unit").semantics("unit-of-measure"),
    Property::string("OrderPriceUnit", 3, "Order Price Unit").semantics("unit-of-measure"),
    Property::string("DocumentCurrency", 5, "Currency")
        .semantics("currency-code")
        .read_only(),
    Property::decimal("NetPriceAmount", 12, 3, "Net Order Price").unit("DocumentCurrency"),
    Property::decimal("NetPriceQuantity", 5, 0, "Price Unit").unit("OrderPriceUnit"),
    Property::string("TaxCode", 2, "Tax Code").upper_case(),
    Property::boolean("IsCompletelyDelivered", "Delivery Completed"),
    Property::boolean("IsFinallyInvoiced", "Final Invoice"),
    Property::string("PurchaseOrderItemCategory", 1, "Item Category"),
    Property::string("AccountAssignmentCategory", 1, "Acct Assignment Cat.").upper_case(),
    Property::boolean("GoodsReceiptIsExpected", "Goods Receipt"),
    Property::boolean("InvoiceIsExpected", "Invoice Receipt"),
    Property::boolean("InvoiceIsGoodsReceiptBased", "GR-Based Inv. Verif."),
    Property::string("PurchaseRequisition", 10, "Purchase Requisition").alpha(),
    Property::string("PurchaseRequisitionItem", 5, "Item of requisition").numc(),
    Property::string("Material", 40, "Material")
        .upper_case()
        .not_updatable(),
];

static HEADER_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: ITEMS_NAV,
    target_set: ITEM_SET,
    multiplicity: Multiplicity::Many,
    association: "assoc_PurchaseOrderItem",
    from_role: "FromRole_assoc_PurchaseOrderItem",
    to_role: "ToRole_assoc_PurchaseOrderItem",
}];

static ITEM_NAVIGATIONS: [Navigation; 2] = [
    Navigation {
        name: HEADER_NAV,
        target_set: HEADER_SET,
        multiplicity: Multiplicity::One,
        association: "assoc_PurchaseOrder",
        from_role: "FromRole_assoc_PurchaseOrder",
        to_role: "ToRole_assoc_PurchaseOrder",
    },
    Navigation {
        name: SCHEDULE_NAV,
        target_set: SCHEDULE_SET,
        multiplicity: Multiplicity::Many,
        association: "assoc_PurchaseOrderScheduleLine",
        from_role: "FromRole_assoc_PurchaseOrderScheduleLine",
        to_role: "ToRole_assoc_PurchaseOrderScheduleLine",
    },
];

pub(crate) const S_DOCUMENT: usize = 0;
pub(crate) const S_ITEM: usize = 1;
pub(crate) const S_LINE: usize = 2;
pub(crate) const S_DATE_CATEGORY: usize = 3;
pub(crate) const S_DELIVERY_DATE: usize = 4;
pub(crate) const S_QUANTITY_UNIT: usize = 5;
pub(crate) const S_QUANTITY: usize = 6;
pub(crate) const S_DELIVERY_TIME: usize = 7;
pub(crate) const S_STATISTICAL_DATE: usize = 8;
pub(crate) const S_REQUISITION: usize = 9;
pub(crate) const S_REQUISITION_ITEM: usize = 10;
pub(crate) const S_COMMITTED_QUANTITY: usize = 11;
pub(crate) const S_PERIOD_START: usize = 12;
pub(crate) const S_PERIOD_END: usize = 13;

pub(crate) static SCHEDULE_PROPERTIES: [Property; 14] = [
    Property::string("PurchasingDocument", 10, "Purchasing Document")
        .key()
        .upper_case()
        .read_only(),
    Property::string("PurchasingDocumentItem", 5, "Item")
        .key()
        .numc()
        .read_only(),
    Property::string("ScheduleLine", 4, "Schedule Line")
        .key()
        .numc()
        .not_updatable(),
    Property::string("DelivDateCategory", 1, "Date Category").upper_case(),
    Property::date("ScheduleLineDeliveryDate", "Delivery Date"),
    Property::string("PurchaseOrderQuantityUnit", 3, "Order Unit")
        .semantics("unit-of-measure")
        .read_only(),
    Property::decimal("ScheduleLineOrderQuantity", 13, 3, "Scheduled Quantity")
        .unit("PurchaseOrderQuantityUnit"),
    Property::time("ScheduleLineDeliveryTime", "Time"),
    Property::date("SchedLineStscDeliveryDate", "Stat.-Rel. Del. Date"),
    Property::string("PurchaseRequisition", 10, "Purchase Requisition")
        .alpha()
        .read_only(),
    Property::string("PurchaseRequisitionItem", 5, "Item of requisition")
        .numc()
        .read_only(),
    Property::decimal("ScheduleLineCommittedQuantity", 13, 3, "Committed Quantity")
        .unit("PurchaseOrderQuantityUnit")
        .read_only(),
    Property::date("PerformancePeriodStartDate", "Start Date"),
    Property::date("PerformancePeriodEndDate", "End Date"),
];

pub(crate) static SCHEDULE_TYPE: EntityType = EntityType {
    name: "A_PurchaseOrderScheduleLineType",
    label: "Schedule Line",
    keys: &[
        "PurchasingDocument",
        "PurchasingDocumentItem",
        "ScheduleLine",
    ],
    properties: &SCHEDULE_PROPERTIES,
    navigations: &[],
};

pub(crate) static HEADER_TYPE: EntityType = EntityType {
    name: "A_PurchaseOrderType",
    label: "Purchase Order",
    keys: &["PurchaseOrder"],
    properties: &HEADER_PROPERTIES,
    navigations: &HEADER_NAVIGATIONS,
};

pub(crate) static ITEM_TYPE: EntityType = EntityType {
    name: "A_PurchaseOrderItemType",
    label: "Purchase Order Item",
    keys: &["PurchaseOrder", "PurchaseOrderItem"],
    properties: &ITEM_PROPERTIES,
    navigations: &ITEM_NAVIGATIONS,
};

static ENTITY_SETS: [EntitySet; 3] = [
    EntitySet {
        name: HEADER_SET,
        entity_type: &HEADER_TYPE,
        creatable: true,
        updatable: true,
        deletable: true,
    },
    EntitySet {
        name: ITEM_SET,
        entity_type: &ITEM_TYPE,
        creatable: true,
        updatable: true,
        deletable: true,
    },
    // Schedule lines are created with their item (deep insert) and changed in place; the
    // delivery schedule of an item is never emptied through this API.
    EntitySet {
        name: SCHEDULE_SET,
        entity_type: &SCHEDULE_TYPE,
        creatable: false,
        updatable: true,
        deletable: false,
    },
];

/// `A_PurchaseOrder`.
pub(crate) fn header_set() -> &'static EntitySet {
    &ENTITY_SETS[0]
}

/// `A_PurchaseOrderItem`.
pub(crate) fn item_set() -> &'static EntitySet {
    &ENTITY_SETS[1]
}

static ASSOCIATIONS: [Association; 3] = [
    Association {
        name: "assoc_PurchaseOrderItem",
        from: AssociationEnd {
            entity_type: "A_PurchaseOrderType",
            entity_set: HEADER_SET,
            role: "FromRole_assoc_PurchaseOrderItem",
            multiplicity: Multiplicity::One,
        },
        to: AssociationEnd {
            entity_type: "A_PurchaseOrderItemType",
            entity_set: ITEM_SET,
            role: "ToRole_assoc_PurchaseOrderItem",
            multiplicity: Multiplicity::Many,
        },
        constraints: &[("PurchaseOrder", "PurchaseOrder")],
    },
    Association {
        name: "assoc_PurchaseOrder",
        from: AssociationEnd {
            entity_type: "A_PurchaseOrderItemType",
            entity_set: ITEM_SET,
            role: "FromRole_assoc_PurchaseOrder",
            multiplicity: Multiplicity::Many,
        },
        to: AssociationEnd {
            entity_type: "A_PurchaseOrderType",
            entity_set: HEADER_SET,
            role: "ToRole_assoc_PurchaseOrder",
            multiplicity: Multiplicity::One,
        },
        constraints: &[],
    },
    Association {
        name: "assoc_PurchaseOrderScheduleLine",
        from: AssociationEnd {
            entity_type: "A_PurchaseOrderItemType",
            entity_set: ITEM_SET,
            role: "FromRole_assoc_PurchaseOrderScheduleLine",
            multiplicity: Multiplicity::One,
        },
        to: AssociationEnd {
            entity_type: "A_PurchaseOrderScheduleLineType",
            entity_set: SCHEDULE_SET,
            role: "ToRole_assoc_PurchaseOrderScheduleLine",
            multiplicity: Multiplicity::Many,
        },
        constraints: &[
            ("PurchaseOrder", "PurchasingDocument"),
            ("PurchaseOrderItem", "PurchasingDocumentItem"),
        ],
    },
];

pub(crate) static SERVICE: ServiceDef = ServiceDef {
    name: SERVICE_NAME,
    version: "0001",
    component_id: "MM-PUR-PO",
    entity_sets: &ENTITY_SETS,
    associations: &ASSOCIATIONS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_constants_name_the_right_properties() {
        let header = [
            (H_PURCHASE_ORDER, "PurchaseOrder"),
            (H_COMPANY_CODE, "CompanyCode"),
            (H_ORDER_TYPE, "PurchaseOrderType"),
            (H_DELETION_CODE, "PurchasingDocumentDeletionCode"),
            (H_PROCESSING_STATUS, "PurchasingProcessingStatus"),
            (H_CREATED_BY, "CreatedByUser"),
            (H_CREATION_DATE, "CreationDate"),
            (H_LAST_CHANGE, "LastChangeDateTime"),
            (H_SUPPLIER, "Supplier"),
            (H_LANGUAGE, "Language"),
            (H_PAYMENT_TERMS, "PaymentTerms"),
            (H_CASH_DISCOUNT_1_DAYS, "CashDiscount1Days"),
            (H_CASH_DISCOUNT_2_DAYS, "CashDiscount2Days"),
            (H_NET_PAYMENT_DAYS, "NetPaymentDays"),
            (H_CASH_DISCOUNT_1_PERCENT, "CashDiscount1Percent"),
            (H_CASH_DISCOUNT_2_PERCENT, "CashDiscount2Percent"),
            (H_PURCHASING_ORGANIZATION, "PurchasingOrganization"),
            (H_PURCHASING_GROUP, "PurchasingGroup"),
            (H_ORDER_DATE, "PurchaseOrderDate"),
            (H_CURRENCY, "DocumentCurrency"),
            (H_EXCHANGE_RATE, "ExchangeRate"),
            (H_VALIDITY_START, "ValidityStartDate"),
            (H_VALIDITY_END, "ValidityEndDate"),
            (H_SALES_PERSON, "SupplierRespSalesPersonName"),
            (H_SUPPLIER_PHONE, "SupplierPhoneNumber"),
            (H_INCOTERMS, "IncotermsClassification"),
            (H_INCOTERMS_LOCATION, "IncotermsLocation1"),
            (H_RELEASE_NOT_COMPLETED, "ReleaseIsNotCompleted"),
            (H_INCOMPLETE, "PurchasingCompletenessStatus"),
            (H_ADDRESS_NAME, "AddressName"),
            (H_ADDRESS_CITY, "AddressCityName"),
            (H_ADDRESS_POSTAL_CODE, "AddressPostalCode"),
            (H_ADDRESS_STREET, "AddressStreetName"),
            (H_ADDRESS_COUNTRY, "AddressCountry"),
        ];
        assert_eq!(header.len(), HEADER_PROPERTIES.len());
        for (index, name) in header {
            assert_eq!(HEADER_PROPERTIES[index].name, name);
        }
        let item = [
            (I_PURCHASE_ORDER, "PurchaseOrder"),
            (I_ITEM, "PurchaseOrderItem"),
            (I_DELETION_CODE, "PurchasingDocumentDeletionCode"),
            (I_TEXT, "PurchaseOrderItemText"),
            (I_PLANT, "Plant"),
            (I_STORAGE_LOCATION, "StorageLocation"),
            (I_MATERIAL_GROUP, "MaterialGroup"),
            (I_QUANTITY, "OrderQuantity"),
            (I_QUANTITY_UNIT, "PurchaseOrderQuantityUnit"),
            (I_PRICE_UNIT, "OrderPriceUnit"),
            (I_CURRENCY, "DocumentCurrency"),
            (I_NET_PRICE, "NetPriceAmount"),
            (I_NET_PRICE_QUANTITY, "NetPriceQuantity"),
            (I_TAX_CODE, "TaxCode"),
            (I_DELIVERED, "IsCompletelyDelivered"),
            (I_INVOICED, "IsFinallyInvoiced"),
            (I_CATEGORY, "PurchaseOrderItemCategory"),
            (I_ACCOUNT_ASSIGNMENT, "AccountAssignmentCategory"),
            (I_GR_EXPECTED, "GoodsReceiptIsExpected"),
            (I_INVOICE_EXPECTED, "InvoiceIsExpected"),
            (I_GR_BASED_INVOICE, "InvoiceIsGoodsReceiptBased"),
            (I_REQUISITION, "PurchaseRequisition"),
            (I_REQUISITION_ITEM, "PurchaseRequisitionItem"),
            (I_MATERIAL, "Material"),
        ];
        assert_eq!(item.len(), ITEM_PROPERTIES.len());
        assert_eq!(header_set().name, HEADER_SET);
        assert_eq!(item_set().name, ITEM_SET);
        for (index, name) in item {
            assert_eq!(ITEM_PROPERTIES[index].name, name);
        }
        let schedule = [
            (S_DOCUMENT, "PurchasingDocument"),
            (S_ITEM, "PurchasingDocumentItem"),
            (S_LINE, "ScheduleLine"),
            (S_DATE_CATEGORY, "DelivDateCategory"),
            (S_DELIVERY_DATE, "ScheduleLineDeliveryDate"),
            (S_QUANTITY_UNIT, "PurchaseOrderQuantityUnit"),
            (S_QUANTITY, "ScheduleLineOrderQuantity"),
            (S_DELIVERY_TIME, "ScheduleLineDeliveryTime"),
            (S_STATISTICAL_DATE, "SchedLineStscDeliveryDate"),
            (S_REQUISITION, "PurchaseRequisition"),
            (S_REQUISITION_ITEM, "PurchaseRequisitionItem"),
            (S_COMMITTED_QUANTITY, "ScheduleLineCommittedQuantity"),
            (S_PERIOD_START, "PerformancePeriodStartDate"),
            (S_PERIOD_END, "PerformancePeriodEndDate"),
        ];
        assert_eq!(schedule.len(), SCHEDULE_PROPERTIES.len());
        assert!(SERVICE.entity_set(SCHEDULE_SET).is_some());
        for (index, name) in schedule {
            assert_eq!(SCHEDULE_PROPERTIES[index].name, name);
        }
    }
}
