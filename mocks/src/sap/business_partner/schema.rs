//! The entity model of `API_BUSINESS_PARTNER` (reference §1.4): `A_BusinessPartner` with its
//! roles and addresses, and the supplier views `A_Supplier`, `A_SupplierPurchasingOrg`,
//! `A_SupplierCompany`, with the property names, types and annotations of the real EDMX (a
//! subset of its properties: the ones supplier integrations read and write).
//!
//! A supplier is a business partner in a supplier role (`FLVN00`/`FLVN01`); its number equals
//! the partner number. Change tracking lives on the partner only (`LastChangeDate` +
//! `LastChangeTime`), so the supplier sets have no stamp of their own. Rows are positional; the
//! constants name the positions and a test checks them against the property lists.

use crate::sap::odata::edm::{
    Association, AssociationEnd, EntitySet, EntityType, Multiplicity, Navigation, Property,
    ServiceDef,
};

pub(crate) const SERVICE_NAME: &str = "API_BUSINESS_PARTNER";
pub(crate) const PARTNER_SET: &str = "A_BusinessPartner";
pub(crate) const ADDRESS_SET: &str = "A_BusinessPartnerAddress";
pub(crate) const ROLE_SET: &str = "A_BusinessPartnerRole";
pub(crate) const SUPPLIER_SET: &str = "A_Supplier";
pub(crate) const PURCHASING_SET: &str = "A_SupplierPurchasingOrg";
pub(crate) const COMPANY_SET: &str = "A_SupplierCompany";

pub(crate) const ADDRESS_NAV: &str = "to_BusinessPartnerAddress";
pub(crate) const ROLE_NAV: &str = "to_BusinessPartnerRole";
pub(crate) const SUPPLIER_NAV: &str = "to_Supplier";
pub(crate) const PURCHASING_NAV: &str = "to_SupplierPurchasingOrg";
pub(crate) const COMPANY_NAV: &str = "to_SupplierCompany";

pub(crate) const BP_PARTNER: usize = 0;
pub(crate) const BP_SUPPLIER: usize = 2;
pub(crate) const BP_CATEGORY: usize = 4;
pub(crate) const BP_FULL_NAME: usize = 5;
pub(crate) const BP_GROUPING: usize = 6;
pub(crate) const BP_NAME: usize = 7;
pub(crate) const BP_CORRESPONDENCE_LANGUAGE: usize = 8;
pub(crate) const BP_CREATED_BY: usize = 9;
pub(crate) const BP_CREATION_DATE: usize = 10;
pub(crate) const BP_CREATION_TIME: usize = 11;
pub(crate) const BP_FIRST_NAME: usize = 12;
pub(crate) const BP_LANGUAGE: usize = 15;
pub(crate) const BP_LAST_CHANGE_DATE: usize = 16;
pub(crate) const BP_LAST_CHANGE_TIME: usize = 17;
pub(crate) const BP_LAST_CHANGED_BY: usize = 18;
pub(crate) const BP_LAST_NAME: usize = 19;
pub(crate) const BP_NAME_1: usize = 21;
pub(crate) const BP_NAME_2: usize = 22;
pub(crate) const BP_SEARCH_TERM_1: usize = 25;
pub(crate) const BP_BLOCKED: usize = 27;
pub(crate) const BP_ARCHIVING: usize = 29;

pub(crate) static PARTNER_PROPERTIES: [Property; 31] = [
    // Internally numbered for every grouping this system knows; a number sent on create is
    // checked against the grouping's range.
    Property::string("BusinessPartner", 10, "Business Partner")
        .key()
        .alpha()
        .not_updatable(),
    Property::string("Customer", 10, "Customer")
        .alpha()
        .read_only(),
    Property::string("Supplier", 10, "Supplier")
        .alpha()
        .read_only(),
    Property::string("AuthorizationGroup", 4, "Authorization Group").upper_case(),
    Property::string("BusinessPartnerCategory", 1, "BP Category")
        .upper_case()
        .not_updatable(),
    Property::string("BusinessPartnerFullName", 81, "Full Name").read_only(),
    Property::string("BusinessPartnerGrouping", 4, "Grouping")
        .upper_case()
        .not_updatable(),
    Property::string("BusinessPartnerName", 81, "Name").read_only(),
    Property::string("CorrespondenceLanguage", 2, "Correspondence lang."),
    Property::string("CreatedByUser", 12, "Created by")
        .upper_case()
        .read_only(),
    Property::date("CreationDate", "Created On").read_only(),
    Property::time("CreationTime", "Created at").read_only(),
    Property::string("FirstName", 40, "First Name"),
    Property::string("Industry", 10, "Industry sector").upper_case(),
    Property::string("IsNaturalPerson", 1, "Natural Person").upper_case(),
    Property::string("Language", 2, "Language"),
    Property::date("LastChangeDate", "Changed on").read_only(),
    Property::time("LastChangeTime", "Changed at").read_only(),
    Property::string("LastChangedByUser", 12, "Changed by")
        .upper_case()
        .read_only(),
    Property::string("LastName", 40, "Last Name"),
    Property::string("LegalForm", 2, "Legal form").upper_case(),
    Property::string("OrganizationBPName1", 40, "Name 1"),
    Property::string("OrganizationBPName2", 40, "Name 2"),
    Property::string("OrganizationBPName3", 40, "Name 3"),
    Property::string("OrganizationBPName4", 40, "Name 4"),
    Property::string("SearchTerm1", 20, "Search Term 1").upper_case(),
    Property::string("SearchTerm2", 20, "Search Term 2").upper_case(),
    Property::boolean("BusinessPartnerIsBlocked", "Central Block"),
    Property::string("BusinessPartnerType", 4, "BP Type").upper_case(),
    Property::boolean("IsMarkedForArchiving", "Archiving Flag"),
    Property::string("BusinessPartnerIDByExtSystem", 20, "External BP Number").upper_case(),
];

pub(crate) const AD_PARTNER: usize = 0;
pub(crate) const AD_ADDRESS_ID: usize = 1;
pub(crate) const AD_VALID_FROM: usize = 2;
pub(crate) const AD_VALID_TO: usize = 3;
pub(crate) const AD_CITY: usize = 5;
pub(crate) const AD_COUNTRY: usize = 6;
pub(crate) const AD_FULL_NAME: usize = 7;
pub(crate) const AD_HOUSE_NUMBER: usize = 8;
pub(crate) const AD_LANGUAGE: usize = 9;
pub(crate) const AD_POSTAL_CODE: usize = 10;
pub(crate) const AD_REGION: usize = 11;
pub(crate) const AD_STREET: usize = 12;
pub(crate) const AD_TIME_ZONE: usize = 14;

pub(crate) static ADDRESS_PROPERTIES: [Property; 15] = [
    Property::string("BusinessPartner", 10, "Business Partner")
        .key()
        .alpha()
        .read_only(),
    Property::string("AddressID", 10, "Address Number")
        .key()
        .upper_case()
        .read_only(),
    Property::timestamp("ValidityStartDate", 0, "Valid From"),
    Property::timestamp("ValidityEndDate", 0, "Valid To"),
    Property::string("AuthorizationGroup", 4, "Authorization Group").upper_case(),
    Property::string("CityName", 40, "City"),
    Property::string("Country", 3, "Country/Region Key").upper_case(),
    Property::string("FullName", 80, "Full Name").read_only(),
    Property::string("HouseNumber", 10, "House Number"),
    Property::string("Language", 2, "Language Key"),
    Property::string("PostalCode", 10, "Postal Code").upper_case(),
    Property::string("Region", 3, "Region").upper_case(),
    Property::string("StreetName", 60, "Street"),
    Property::string("POBox", 10, "PO Box").upper_case(),
    Property::string("AddressTimeZone", 6, "Time zone").upper_case(),
];

pub(crate) const RO_PARTNER: usize = 0;
pub(crate) const RO_ROLE: usize = 1;
pub(crate) const RO_VALID_FROM: usize = 2;
pub(crate) const RO_VALID_TO: usize = 3;
pub(crate) const RO_AUTHORIZATION_GROUP: usize = 4;

pub(crate) static ROLE_PROPERTIES: [Property; 5] = [
    Property::string("BusinessPartner", 10, "Business Partner")
        .key()
        .alpha()
        .read_only(),
    Property::string("BusinessPartnerRole", 6, "BP Role")
        .key()
        .upper_case()
        .not_updatable(),
    Property::timestamp("ValidFrom", 0, "Valid From"),
    Property::timestamp("ValidTo", 0, "Valid To"),
    Property::string("AuthorizationGroup", 4, "Authorization Group").upper_case(),
];

pub(crate) const SU_SUPPLIER: usize = 0;
pub(crate) const SU_CREATED_BY: usize = 3;
pub(crate) const SU_CREATION_DATE: usize = 4;
pub(crate) const SU_PURCHASING_BLOCKED: usize = 8;
pub(crate) const SU_ACCOUNT_GROUP: usize = 9;
pub(crate) const SU_FULL_NAME: usize = 10;
pub(crate) const SU_NAME: usize = 11;
pub(crate) const SU_DELETION: usize = 13;
pub(crate) const SU_TAX_NUMBER_1: usize = 16;

pub(crate) static SUPPLIER_PROPERTIES: [Property; 19] = [
    Property::string("Supplier", 10, "Supplier")
        .key()
        .alpha()
        .read_only(),
    Property::string("AlternativePayeeAccountNumber", 10, "Alternative payee").alpha(),
    Property::string("AuthorizationGroup", 4, "Authorization").upper_case(),
    Property::string("CreatedByUser", 12, "Created by")
        .upper_case()
        .read_only(),
    Property::date("CreationDate", "Created On").read_only(),
    Property::string("Customer", 10, "Customer").alpha(),
    Property::boolean("PaymentIsBlockedForSupplier", "Payment block"),
    Property::boolean("PostingIsBlocked", "Posting Block"),
    Property::boolean("PurchasingIsBlocked", "Purch. block"),
    Property::string("SupplierAccountGroup", 4, "Account group").upper_case(),
    Property::string("SupplierFullName", 220, "Supplier Name").read_only(),
    Property::string("SupplierName", 80, "Name of Supplier").read_only(),
    Property::string("VATRegistration", 20, "VAT Registration No.").upper_case(),
    Property::boolean("DeletionIndicator", "Deletion flag"),
    Property::string("Industry", 4, "Industry")
        .upper_case()
        .read_only(),
    Property::string("SupplierCorporateGroup", 10, "Group key").upper_case(),
    // Tax numbers are maintained on the business partner; the supplier view only shows them.
    Property::string("TaxNumber1", 16, "Tax Number 1")
        .upper_case()
        .read_only(),
    Property::string("TaxNumber2", 11, "Tax Number 2")
        .upper_case()
        .read_only(),
    Property::string("TaxNumberType", 2, "Tax number type").upper_case(),
];

pub(crate) const PO_SUPPLIER: usize = 0;
pub(crate) const PO_ORGANIZATION: usize = 1;
pub(crate) const PO_SCHEMA_GROUP: usize = 2;
pub(crate) const PO_DELETION: usize = 3;
pub(crate) const PO_INCOTERMS: usize = 4;
pub(crate) const PO_INCOTERMS_TRANSFER: usize = 5;
pub(crate) const PO_INCOTERMS_LOCATION: usize = 6;
pub(crate) const PO_GR_BASED: usize = 7;
pub(crate) const PO_DELIVERY_DAYS: usize = 8;
pub(crate) const PO_MINIMUM_AMOUNT: usize = 9;
pub(crate) const PO_PAYMENT_TERMS: usize = 10;
pub(crate) const PO_CURRENCY: usize = 11;
pub(crate) const PO_PURCHASING_GROUP: usize = 12;
pub(crate) const PO_BLOCKED: usize = 13;
pub(crate) const PO_PHONE: usize = 14;
pub(crate) const PO_SALES_PERSON: usize = 15;
pub(crate) const PO_ABC: usize = 16;

pub(crate) static PURCHASING_PROPERTIES: [Property; 17] = [
    Property::string("Supplier", 10, "Supplier")
        .key()
        .alpha()
        .read_only(),
    Property::string("PurchasingOrganization", 4, "Purch. Organization")
        .key()
        .upper_case()
        .not_updatable(),
    Property::string("CalculationSchemaGroupCode", 2, "Schema Grp, Supplier").upper_case(),
    Property::boolean("DeletionIndicator", "Del. flag POrg."),
    Property::string("IncotermsClassification", 3, "Incoterms").upper_case(),
    Property::string("IncotermsTransferLocation", 28, "Incoterms (Part 2)"),
    Property::string("IncotermsLocation1", 70, "Incoterms Location 1"),
    Property::boolean("InvoiceIsGoodsReceiptBased", "GR-Based Inv. Verif."),
    Property::decimal("MaterialPlannedDeliveryDurn", 3, 0, "Planned Deliv. Time"),
    Property::decimal("MinimumOrderAmount", 14, 3, "Minimum order value")
        .unit("PurchaseOrderCurrency"),
    Property::string("PaymentTerms", 4, "Payment Terms").upper_case(),
    Property::string("PurchaseOrderCurrency", 5, "Order currency").semantics("currency-code"),
    Property::string("PurchasingGroup", 3, "Purchasing Group").upper_case(),
    Property::boolean("PurchasingIsBlockedForSupplier", "Pur. block POrg"),
    Property::string("SupplierPhoneNumber", 16, "Telephone"),
    Property::string("SupplierRespSalesPersonName", 30, "Salesperson"),
    Property::string("SupplierABCClassificationCode", 1, "ABC indicator").upper_case(),
];

pub(crate) const CO_SUPPLIER: usize = 0;
pub(crate) const CO_COMPANY_CODE: usize = 1;
pub(crate) const CO_COMPANY_NAME: usize = 3;
pub(crate) const CO_PAYMENT_METHODS: usize = 7;
pub(crate) const CO_PAYMENT_TERMS: usize = 8;
pub(crate) const CO_RECONCILIATION: usize = 9;
pub(crate) const CO_ACCOUNT_GROUP: usize = 11;

pub(crate) static COMPANY_PROPERTIES: [Property; 12] = [
    Property::string("Supplier", 10, "Supplier")
        .key()
        .alpha()
        .read_only(),
    Property::string("CompanyCode", 4, "Company Code")
        .key()
        .upper_case()
        .not_updatable(),
    Property::string("AuthorizationGroup", 4, "Authorization").upper_case(),
    Property::string("CompanyCodeName", 25, "Company Name").read_only(),
    Property::string("PaymentBlockingReason", 1, "Payment Block").upper_case(),
    Property::boolean("SupplierIsBlockedForPosting", "Co.code post.block"),
    Property::string("AccountingClerk", 2, "Clerk Abbrev.").upper_case(),
    Property::string("PaymentMethodsList", 10, "Payment Methods").upper_case(),
    Property::string("PaymentTerms", 4, "Payment Terms").upper_case(),
    Property::string("ReconciliationAccount", 10, "Reconciliation acct").alpha(),
    Property::boolean("DeletionIndicator", "Co.cde deletion flag"),
    Property::string("SupplierAccountGroup", 4, "Account group").upper_case(),
];

/// A navigation along `association`, whose roles are `FromRole_…` and `ToRole_…`.
const fn navigation(
    name: &'static str,
    target_set: &'static str,
    multiplicity: Multiplicity,
    association: &'static str,
    roles: (&'static str, &'static str),
) -> Navigation {
    Navigation {
        name,
        target_set,
        multiplicity,
        association,
        from_role: roles.0,
        to_role: roles.1,
    }
}

static PARTNER_NAVIGATIONS: [Navigation; 3] = [
    navigation(
        ADDRESS_NAV,
        ADDRESS_SET,
        Multiplicity::Many,
        "assoc_BusinessPartnerAddress",
        ADDRESS_ROLES,
    ),
    navigation(
        ROLE_NAV,
        ROLE_SET,
        Multiplicity::Many,
        "assoc_BusinessPartnerRole",
        ROLE_ROLES,
    ),
    navigation(
        SUPPLIER_NAV,
        SUPPLIER_SET,
        Multiplicity::One,
        "assoc_BusinessPartnerSupplier",
        SUPPLIER_ROLES,
    ),
];

static SUPPLIER_NAVIGATIONS: [Navigation; 2] = [
    navigation(
        COMPANY_NAV,
        COMPANY_SET,
        Multiplicity::Many,
        "assoc_SupplierCompany",
        COMPANY_ROLES,
    ),
    navigation(
        PURCHASING_NAV,
        PURCHASING_SET,
        Multiplicity::Many,
        "assoc_SupplierPurchasingOrg",
        PURCHASING_ROLES,
    ),
];

const ADDRESS_ROLES: (&str, &str) = (
    "FromRole_assoc_BusinessPartnerAddress",
    "ToRole_assoc_BusinessPartnerAddress",
);
const ROLE_ROLES: (&str, &str) = (
    "FromRole_assoc_BusinessPartnerRole",
    "ToRole_assoc_BusinessPartnerRole",
);
const SUPPLIER_ROLES: (&str, &str) = (
    "FromRole_assoc_BusinessPartnerSupplier",
    "ToRole_assoc_BusinessPartnerSupplier",
);
const COMPANY_ROLES: (&str, &str) = (
    "FromRole_assoc_SupplierCompany",
    "ToRole_assoc_SupplierCompany",
);
const PURCHASING_ROLES: (&str, &str) = (
    "FromRole_assoc_SupplierPurchasingOrg",
    "ToRole_assoc_SupplierPurchasingOrg",
);

pub(crate) static PARTNER_TYPE: EntityType = EntityType {
    name: "A_BusinessPartnerType",
    label: "Business Partner",
    keys: &["BusinessPartner"],
    properties: &PARTNER_PROPERTIES,
    navigations: &PARTNER_NAVIGATIONS,
};

pub(crate) static ADDRESS_TYPE: EntityType = EntityType {
    name: "A_BusinessPartnerAddressType",
    label: "Address",
    keys: &["BusinessPartner", "AddressID"],
    properties: &ADDRESS_PROPERTIES,
    navigations: &[],
};

pub(crate) static ROLE_TYPE: EntityType = EntityType {
    name: "A_BusinessPartnerRoleType",
    label: "Role",
    keys: &["BusinessPartner", "BusinessPartnerRole"],
    properties: &ROLE_PROPERTIES,
    navigations: &[],
};

pub(crate) static SUPPLIER_TYPE: EntityType = EntityType {
    name: "A_SupplierType",
    label: "Supplier",
    keys: &["Supplier"],
    properties: &SUPPLIER_PROPERTIES,
    navigations: &SUPPLIER_NAVIGATIONS,
};

pub(crate) static PURCHASING_TYPE: EntityType = EntityType {
    name: "A_SupplierPurchasingOrgType",
    label: "Purchasing Organization",
    keys: &["Supplier", "PurchasingOrganization"],
    properties: &PURCHASING_PROPERTIES,
    navigations: &[],
};

pub(crate) static COMPANY_TYPE: EntityType = EntityType {
    name: "A_SupplierCompanyType",
    label: "Supplier Company",
    keys: &["Supplier", "CompanyCode"],
    properties: &COMPANY_PROPERTIES,
    navigations: &[],
};

const fn set(
    name: &'static str,
    entity_type: &'static EntityType,
    creatable: bool,
    updatable: bool,
) -> EntitySet {
    // Nothing in this service is deletable: partners are archived, never deleted.
    EntitySet {
        name,
        entity_type,
        creatable,
        updatable,
        deletable: false,
    }
}

// Addresses, roles and the supplier views are created with their partner (deep insert) only.
static ENTITY_SETS: [EntitySet; 6] = [
    set(PARTNER_SET, &PARTNER_TYPE, true, true),
    set(ADDRESS_SET, &ADDRESS_TYPE, false, true),
    set(ROLE_SET, &ROLE_TYPE, false, false),
    set(SUPPLIER_SET, &SUPPLIER_TYPE, false, true),
    set(COMPANY_SET, &COMPANY_TYPE, false, true),
    set(PURCHASING_SET, &PURCHASING_TYPE, false, true),
];

const fn end(
    entity_type: &'static str,
    entity_set: &'static str,
    role: &'static str,
    multiplicity: Multiplicity,
) -> AssociationEnd {
    AssociationEnd {
        entity_type,
        entity_set,
        role,
        multiplicity,
    }
}

static ASSOCIATIONS: [Association; 5] = [
    Association {
        name: "assoc_BusinessPartnerAddress",
        from: end(
            "A_BusinessPartnerType",
            PARTNER_SET,
            ADDRESS_ROLES.0,
            Multiplicity::One,
        ),
        to: end(
            "A_BusinessPartnerAddressType",
            ADDRESS_SET,
            ADDRESS_ROLES.1,
            Multiplicity::Many,
        ),
        constraints: &[("BusinessPartner", "BusinessPartner")],
    },
    Association {
        name: "assoc_BusinessPartnerRole",
        from: end(
            "A_BusinessPartnerType",
            PARTNER_SET,
            ROLE_ROLES.0,
            Multiplicity::One,
        ),
        to: end(
            "A_BusinessPartnerRoleType",
            ROLE_SET,
            ROLE_ROLES.1,
            Multiplicity::Many,
        ),
        constraints: &[("BusinessPartner", "BusinessPartner")],
    },
    Association {
        name: "assoc_BusinessPartnerSupplier",
        from: end(
            "A_BusinessPartnerType",
            PARTNER_SET,
            SUPPLIER_ROLES.0,
            Multiplicity::One,
        ),
        to: end(
            "A_SupplierType",
            SUPPLIER_SET,
            SUPPLIER_ROLES.1,
            Multiplicity::One,
        ),
        constraints: &[("BusinessPartner", "Supplier")],
    },
    Association {
        name: "assoc_SupplierCompany",
        from: end(
            "A_SupplierType",
            SUPPLIER_SET,
            COMPANY_ROLES.0,
            Multiplicity::One,
        ),
        to: end(
            "A_SupplierCompanyType",
            COMPANY_SET,
            COMPANY_ROLES.1,
            Multiplicity::Many,
        ),
        constraints: &[("Supplier", "Supplier")],
    },
    Association {
        name: "assoc_SupplierPurchasingOrg",
        from: end(
            "A_SupplierType",
            SUPPLIER_SET,
            PURCHASING_ROLES.0,
            Multiplicity::One,
        ),
        to: end(
            "A_SupplierPurchasingOrgType",
            PURCHASING_SET,
            PURCHASING_ROLES.1,
            Multiplicity::Many,
        ),
        constraints: &[("Supplier", "Supplier")],
    },
];

pub(crate) static SERVICE: ServiceDef = ServiceDef {
    name: SERVICE_NAME,
    version: "0001",
    component_id: "LO-MD-BP",
    entity_sets: &ENTITY_SETS,
    associations: &ASSOCIATIONS,
};

/// The entity set of one of this service's types.
pub(crate) fn set_named(name: &str) -> Option<&'static EntitySet> {
    SERVICE.entity_set(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(properties: &[Property], expected: &[(usize, &str)]) {
        for (index, name) in expected {
            assert_eq!(properties[*index].name, *name);
        }
    }

    #[test]
    fn position_constants_name_the_right_properties() {
        check(
            &PARTNER_PROPERTIES,
            &[
                (BP_PARTNER, "BusinessPartner"),
                (BP_SUPPLIER, "Supplier"),
                (BP_CATEGORY, "BusinessPartnerCategory"),
                (BP_FULL_NAME, "BusinessPartnerFullName"),
                (BP_GROUPING, "BusinessPartnerGrouping"),
                (BP_NAME, "BusinessPartnerName"),
                (BP_CORRESPONDENCE_LANGUAGE, "CorrespondenceLanguage"),
                (BP_CREATED_BY, "CreatedByUser"),
                (BP_CREATION_DATE, "CreationDate"),
                (BP_CREATION_TIME, "CreationTime"),
                (BP_FIRST_NAME, "FirstName"),
                (BP_LANGUAGE, "Language"),
                (BP_LAST_CHANGE_DATE, "LastChangeDate"),
                (BP_LAST_CHANGE_TIME, "LastChangeTime"),
                (BP_LAST_CHANGED_BY, "LastChangedByUser"),
                (BP_LAST_NAME, "LastName"),
                (BP_NAME_1, "OrganizationBPName1"),
                (BP_NAME_2, "OrganizationBPName2"),
                (BP_SEARCH_TERM_1, "SearchTerm1"),
                (BP_BLOCKED, "BusinessPartnerIsBlocked"),
                (BP_ARCHIVING, "IsMarkedForArchiving"),
            ],
        );
        check(
            &ADDRESS_PROPERTIES,
            &[
                (AD_PARTNER, "BusinessPartner"),
                (AD_ADDRESS_ID, "AddressID"),
                (AD_VALID_FROM, "ValidityStartDate"),
                (AD_VALID_TO, "ValidityEndDate"),
                (AD_CITY, "CityName"),
                (AD_COUNTRY, "Country"),
                (AD_FULL_NAME, "FullName"),
                (AD_HOUSE_NUMBER, "HouseNumber"),
                (AD_LANGUAGE, "Language"),
                (AD_POSTAL_CODE, "PostalCode"),
                (AD_REGION, "Region"),
                (AD_STREET, "StreetName"),
                (AD_TIME_ZONE, "AddressTimeZone"),
            ],
        );
        check(
            &ROLE_PROPERTIES,
            &[
                (RO_PARTNER, "BusinessPartner"),
                (RO_ROLE, "BusinessPartnerRole"),
                (RO_VALID_FROM, "ValidFrom"),
                (RO_VALID_TO, "ValidTo"),
                (RO_AUTHORIZATION_GROUP, "AuthorizationGroup"),
            ],
        );
        check(
            &SUPPLIER_PROPERTIES,
            &[
                (SU_SUPPLIER, "Supplier"),
                (SU_CREATED_BY, "CreatedByUser"),
                (SU_CREATION_DATE, "CreationDate"),
                (SU_PURCHASING_BLOCKED, "PurchasingIsBlocked"),
                (SU_ACCOUNT_GROUP, "SupplierAccountGroup"),
                (SU_FULL_NAME, "SupplierFullName"),
                (SU_NAME, "SupplierName"),
                (SU_DELETION, "DeletionIndicator"),
                (SU_TAX_NUMBER_1, "TaxNumber1"),
            ],
        );
        check(
            &PURCHASING_PROPERTIES,
            &[
                (PO_SUPPLIER, "Supplier"),
                (PO_ORGANIZATION, "PurchasingOrganization"),
                (PO_SCHEMA_GROUP, "CalculationSchemaGroupCode"),
                (PO_DELETION, "DeletionIndicator"),
                (PO_INCOTERMS, "IncotermsClassification"),
                (PO_INCOTERMS_TRANSFER, "IncotermsTransferLocation"),
                (PO_INCOTERMS_LOCATION, "IncotermsLocation1"),
                (PO_GR_BASED, "InvoiceIsGoodsReceiptBased"),
                (PO_DELIVERY_DAYS, "MaterialPlannedDeliveryDurn"),
                (PO_MINIMUM_AMOUNT, "MinimumOrderAmount"),
                (PO_PAYMENT_TERMS, "PaymentTerms"),
                (PO_CURRENCY, "PurchaseOrderCurrency"),
                (PO_PURCHASING_GROUP, "PurchasingGroup"),
                (PO_BLOCKED, "PurchasingIsBlockedForSupplier"),
                (PO_PHONE, "SupplierPhoneNumber"),
                (PO_SALES_PERSON, "SupplierRespSalesPersonName"),
                (PO_ABC, "SupplierABCClassificationCode"),
            ],
        );
        check(
            &COMPANY_PROPERTIES,
            &[
                (CO_SUPPLIER, "Supplier"),
                (CO_COMPANY_CODE, "CompanyCode"),
                (CO_COMPANY_NAME, "CompanyCodeName"),
                (CO_PAYMENT_METHODS, "PaymentMethodsList"),
                (CO_PAYMENT_TERMS, "PaymentTerms"),
                (CO_RECONCILIATION, "ReconciliationAccount"),
                (CO_ACCOUNT_GROUP, "SupplierAccountGroup"),
            ],
        );
        for name in [
            PARTNER_SET,
            ADDRESS_SET,
            ROLE_SET,
            SUPPLIER_SET,
            COMPANY_SET,
            PURCHASING_SET,
        ] {
            assert!(set_named(name).is_some(), "{name}");
        }
    }
}
