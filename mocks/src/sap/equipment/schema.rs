//! The entity model of `API_EQUIPMENT` (namespace `cds_api_equipment`, reference §1.7):
//! `Equipment` with its time-slice key and `EquipmentWarranty`, with the names, types and SAP
//! annotations of the real EDMX (a subset of its ~90 properties: the ones asset integrations
//! read and write), plus the install/dismantle function imports.
//!
//! Rows are positional; the `E_*` and `W_*` constants name the positions and a test checks
//! them against the property lists.

use crate::sap::odata::edm::{
    Association, AssociationEnd, EntitySet, EntityType, Multiplicity, Navigation, Property,
    ServiceDef,
};
use crate::sap::odata::function::{FunctionImport, Parameter, ReturnType};

pub(crate) const SERVICE_NAME: &str = "API_EQUIPMENT";
pub(crate) const NAMESPACE: &str = "cds_api_equipment";
pub(crate) const EQUIPMENT_SET: &str = "Equipment";
pub(crate) const WARRANTY_SET: &str = "EquipmentWarranty";
pub(crate) const WARRANTY_NAV: &str = "to_Warranty";
pub(crate) const EQUIPMENT_NAV: &str = "to_Equipment";
pub(crate) const INSTALL: &str = "InstallEquipment";
pub(crate) const DISMANTLE: &str = "DismantleEquipment";

/// A date-only Edm.DateTime, as `const` (the shared constructors cover the other types).
const fn date(name: &'static str, label: &'static str) -> Property {
    Property::date(name, label)
}

/// `sap:display-format="UpperCase"` on booleans is what the real EDMX says.
const fn flag(name: &'static str) -> Property {
    Property::boolean(name, "Checkbox").upper_case().read_only()
}

pub(crate) const E_EQUIPMENT: usize = 0;
pub(crate) const E_VALIDITY_END: usize = 1;
pub(crate) const E_VALIDITY_START: usize = 2;
pub(crate) const E_NAME: usize = 3;
pub(crate) const E_CATEGORY: usize = 4;
pub(crate) const E_OBJECT_TYPE: usize = 5;
pub(crate) const E_GROSS_WEIGHT: usize = 6;
pub(crate) const E_WEIGHT_UNIT: usize = 7;
pub(crate) const E_INVENTORY_NUMBER: usize = 8;
pub(crate) const E_STARTUP_DATE: usize = 9;
pub(crate) const E_ACQUISITION_VALUE: usize = 10;
pub(crate) const E_CURRENCY: usize = 11;
pub(crate) const E_ACQUISITION_DATE: usize = 12;
pub(crate) const E_MANUFACTURER: usize = 13;
pub(crate) const E_MODEL: usize = 14;
pub(crate) const E_MANUFACTURER_COUNTRY: usize = 15;
pub(crate) const E_CONSTRUCTION_YEAR: usize = 16;
pub(crate) const E_CONSTRUCTION_MONTH: usize = 17;
pub(crate) const E_PART_NUMBER: usize = 18;
pub(crate) const E_MANUFACTURER_SERIAL: usize = 19;
pub(crate) const E_MAINTENANCE_PLANT: usize = 20;
pub(crate) const E_LOCATION: usize = 21;
pub(crate) const E_ROOM: usize = 22;
pub(crate) const E_PLANT_SECTION: usize = 23;
pub(crate) const E_ABC: usize = 24;
pub(crate) const E_COMPANY_CODE: usize = 25;
pub(crate) const E_COST_CENTER: usize = 26;
pub(crate) const E_CONTROLLING_AREA: usize = 27;
pub(crate) const E_PLANNING_PLANT: usize = 28;
pub(crate) const E_PLANNER_GROUP: usize = 29;
pub(crate) const E_WORK_CENTER: usize = 30;
pub(crate) const E_WORK_CENTER_PLANT: usize = 31;
pub(crate) const E_FUNCTIONAL_LOCATION: usize = 32;
pub(crate) const E_FUNCTIONAL_LOCATION_NAME: usize = 33;
pub(crate) const E_POSITION: usize = 34;
pub(crate) const E_SUPERIOR: usize = 35;
pub(crate) const E_MATERIAL: usize = 36;
pub(crate) const E_SERIAL_NUMBER: usize = 37;
pub(crate) const E_CREATION_DATE: usize = 38;
pub(crate) const E_CREATED_BY: usize = 39;
pub(crate) const E_CHANGED_BY: usize = 40;
pub(crate) const E_LAST_CHANGE: usize = 41;
pub(crate) const E_DELETION_FLAG: usize = 42;
pub(crate) const E_INSTALLED: usize = 43;
pub(crate) const E_INACTIVE: usize = 44;

pub(crate) static EQUIPMENT_PROPERTIES: [Property; 45] = [
    // ALPHA-converted like all SAP object numbers: `10000042`, stored `000000000010000042`.
    Property::string("Equipment", 18, "Equipment")
        .key()
        .alpha()
        .not_updatable(),
    date("ValidityEndDate", "Valid To").key().read_only(),
    date("ValidityStartDate", "Valid From"),
    Property::string("EquipmentName", 40, "Object Description"),
    Property::string("EquipmentCategory", 1, "Equipment category").upper_case(),
    Property::string("TechnicalObjectType", 10, "Object Type").upper_case(),
    Property::decimal("GrossWeight", 13, 3, "Weight of object").unit("GrossWeightUnit"),
    Property::string("GrossWeightUnit", 3, "Unit of weight").semantics("unit-of-measure"),
    Property::string("InventoryNumber", 25, "Inventory Number").upper_case(),
    date("OperationStartDate", "Start-up date"),
    Property::decimal("AcquisitionValue", 13, 3, "Acquisition Value").unit("Currency"),
    Property::string("Currency", 5, "Currency").semantics("currency-code"),
    date("AcquisitionDate", "Acquisition date"),
    Property::string("AssetManufacturerName", 30, "Manufacturer"),
    Property::string("ManufacturerPartTypeName", 20, "Model number"),
    Property::string("ManufacturerCountry", 3, "Mfr Ctry/Reg").upper_case(),
    Property::string("ConstructionYear", 4, "Construction year").upper_case(),
    Property::string("ConstructionMonth", 2, "Construction month").upper_case(),
    Property::string("ManufacturerPartNmbr", 30, "ManufactPartNo.").upper_case(),
    Property::string("ManufacturerSerialNumber", 30, "Manuf. Serial Number").upper_case(),
    Property::string("MaintenancePlant", 4, "Maintenance Plant").upper_case(),
    Property::string("AssetLocation", 10, "Location").upper_case(),
    Property::string("AssetRoom", 8, "Room").upper_case(),
    Property::string("PlantSection", 3, "Plant Section").upper_case(),
    Property::string("ABCIndicator", 1, "ABC Indicator").upper_case(),
    Property::string("CompanyCode", 4, "Company Code").upper_case(),
    Property::string("CostCenter", 10, "Cost Center").upper_case(),
    Property::string("ControllingArea", 4, "Controlling Area").upper_case(),
    Property::string("MaintenancePlanningPlant", 4, "Planning Plant").upper_case(),
    Property::string("MaintenancePlannerGroup", 3, "Maint. Planner Group").upper_case(),
    Property::string("MainWorkCenter", 8, "Main Work Center").upper_case(),
    Property::string("MainWorkCenterPlant", 4, "Plant for WorkCenter").upper_case(),
    // Set only by InstallEquipment/DismantleEquipment, as in SAP.
    Property::string("FunctionalLocation", 30, "Object ID")
        .upper_case()
        .read_only(),
    Property::string("FunctionalLocationName", 40, "FunctLocDescrip.").read_only(),
    Property::string("EquipInstallationPositionNmbr", 4, "Position").upper_case(),
    Property::string("SuperordinateEquipment", 18, "Superord. Equipment").alpha(),
    Property::string("Material", 18, "Material").upper_case(),
    Property::string("SerialNumber", 18, "Field length 18").upper_case(),
    date("CreationDate", "Created on").read_only(),
    Property::string("CreatedByUser", 12, "Created By")
        .upper_case()
        .read_only(),
    Property::string("LastChangedByUser", 12, "Changed By")
        .upper_case()
        .read_only(),
    Property::timestamp("LastChangeDateTime", 0, "Short Time Stamp").read_only(),
    flag("EquipmentIsMarkedForDeletion"),
    flag("EquipmentIsInstalled"),
    flag("EquipmentIsInactive"),
];

pub(crate) const W_EQUIPMENT: usize = 0;
pub(crate) const W_TYPE: usize = 1;
pub(crate) const W_MASTER: usize = 2;
pub(crate) const W_START: usize = 3;
pub(crate) const W_END: usize = 4;
pub(crate) const W_INHERITED: usize = 5;
pub(crate) const W_PASSED_ON: usize = 6;

pub(crate) static WARRANTY_PROPERTIES: [Property; 7] = [
    Property::string("Equipment", 18, "Equipment")
        .key()
        .alpha()
        .not_updatable(),
    Property::string("WarrantyType", 1, "Warranty type")
        .key()
        .upper_case()
        .not_updatable(),
    Property::string("MasterWarranty", 20, "Master warranty").upper_case(),
    date("WarrantyStartDate", "Guarantee"),
    date("WarrantyEndDate", "Warranty end date"),
    Property::string("WrntyIsInhtdFromSuperiorObject", 1, "InheritWarranty").upper_case(),
    Property::string("WrntyIsPassedOnToChildObject", 1, "Pass on warrnty").upper_case(),
];

static EQUIPMENT_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: WARRANTY_NAV,
    target_set: WARRANTY_SET,
    multiplicity: Multiplicity::Many,
    association: "assoc_9565F4FC391DC57A0EC7360AC03FA518",
    from_role: "FromRole_assoc_9565F4FC391DC57A0EC7360AC03FA518",
    to_role: "ToRole_assoc_9565F4FC391DC57A0EC7360AC03FA518",
}];

static WARRANTY_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: EQUIPMENT_NAV,
    target_set: EQUIPMENT_SET,
    multiplicity: Multiplicity::One,
    association: "assoc_DF3AA03C7519614707D5F08134E8651F",
    from_role: "FromRole_assoc_DF3AA03C7519614707D5F08134E8651F",
    to_role: "ToRole_assoc_DF3AA03C7519614707D5F08134E8651F",
}];

pub(crate) static EQUIPMENT_TYPE: EntityType = EntityType {
    name: "EquipmentType",
    label: "Equipment",
    keys: &["Equipment", "ValidityEndDate"],
    properties: &EQUIPMENT_PROPERTIES,
    navigations: &EQUIPMENT_NAVIGATIONS,
};

pub(crate) static WARRANTY_TYPE: EntityType = EntityType {
    name: "EquipmentWarrantyType",
    label: "Equipment Warranty",
    keys: &["Equipment", "WarrantyType"],
    properties: &WARRANTY_PROPERTIES,
    navigations: &WARRANTY_NAVIGATIONS,
};

static ENTITY_SETS: [EntitySet; 2] = [
    EntitySet {
        name: EQUIPMENT_SET,
        entity_type: &EQUIPMENT_TYPE,
        creatable: true,
        updatable: true,
        deletable: false,
    },
    EntitySet {
        name: WARRANTY_SET,
        entity_type: &WARRANTY_TYPE,
        creatable: true,
        updatable: true,
        deletable: false,
    },
];

/// `Equipment`.
pub(crate) fn equipment_set() -> &'static EntitySet {
    &ENTITY_SETS[0]
}

/// `EquipmentWarranty`.
pub(crate) fn warranty_set() -> &'static EntitySet {
    &ENTITY_SETS[1]
}

// The real associations carry no referential constraint: the equipment key has the time slice
// in it, the warranty key does not.
static ASSOCIATIONS: [Association; 2] = [
    Association {
        name: "assoc_9565F4FC391DC57A0EC7360AC03FA518",
        from: AssociationEnd {
            entity_type: "EquipmentType",
            entity_set: EQUIPMENT_SET,
            role: "FromRole_assoc_9565F4FC391DC57A0EC7360AC03FA518",
            multiplicity: Multiplicity::One,
        },
        to: AssociationEnd {
            entity_type: "EquipmentWarrantyType",
            entity_set: WARRANTY_SET,
            role: "ToRole_assoc_9565F4FC391DC57A0EC7360AC03FA518",
            multiplicity: Multiplicity::Many,
        },
        constraints: &[],
    },
    Association {
        name: "assoc_DF3AA03C7519614707D5F08134E8651F",
        from: AssociationEnd {
            entity_type: "EquipmentWarrantyType",
            entity_set: WARRANTY_SET,
            role: "FromRole_assoc_DF3AA03C7519614707D5F08134E8651F",
            multiplicity: Multiplicity::One,
        },
        to: AssociationEnd {
            entity_type: "EquipmentType",
            entity_set: EQUIPMENT_SET,
            role: "ToRole_assoc_DF3AA03C7519614707D5F08134E8651F",
            multiplicity: Multiplicity::One,
        },
        constraints: &[],
    },
];

pub(crate) static SERVICE: ServiceDef = ServiceDef {
    name: SERVICE_NAME,
    version: "0001",
    component_id: "PM-EQM-EQ",
    entity_sets: &ENTITY_SETS,
    associations: &ASSOCIATIONS,
};

/// An Edm.Time parameter (the shared constructors build the other kinds).
const fn time_parameter(name: &'static str, label: &'static str) -> Parameter {
    Parameter::time(name, label).optional()
}

static INSTALL_PARAMETERS: [Parameter; 7] = [
    Parameter::string("Equipment", 18, "Equipment"),
    Parameter::date("ValidityEndDate", "Valid To"),
    Parameter::string("SuperordinateEquipment", 18, "Superord. Equipment").optional(),
    Parameter::string("EquipInstallationPositionNmbr", 6, "Item (SD)").optional(),
    Parameter::string("FunctionalLocation", 40, "Functional Location").optional(),
    Parameter::date("EquipmentInstallationDate", "Changed On").optional(),
    time_parameter("EquipmentInstallationTime", "Time"),
];

pub(crate) static FUNCTION_IMPORTS: [FunctionImport; 2] = [
    FunctionImport {
        name: DISMANTLE,
        returns: ReturnType::Entity {
            entity_set: EQUIPMENT_SET,
        },
        http_method: "POST",
        action_for: Some("EquipmentType"),
        parameters: &INSTALL_PARAMETERS,
    },
    FunctionImport {
        name: INSTALL,
        returns: ReturnType::Entity {
            entity_set: EQUIPMENT_SET,
        },
        http_method: "POST",
        action_for: Some("EquipmentType"),
        parameters: &INSTALL_PARAMETERS,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::odata::edm::EdmType;

    /// Every Edm type the model uses, for the checks below.
    fn edm_types() -> Vec<EdmType> {
        EQUIPMENT_PROPERTIES
            .iter()
            .chain(WARRANTY_PROPERTIES.iter())
            .map(|property| property.edm)
            .collect()
    }

    #[test]
    fn position_constants_name_the_right_properties() {
        let equipment = [
            (E_EQUIPMENT, "Equipment"),
            (E_VALIDITY_END, "ValidityEndDate"),
            (E_VALIDITY_START, "ValidityStartDate"),
            (E_NAME, "EquipmentName"),
            (E_CATEGORY, "EquipmentCategory"),
            (E_OBJECT_TYPE, "TechnicalObjectType"),
            (E_GROSS_WEIGHT, "GrossWeight"),
            (E_WEIGHT_UNIT, "GrossWeightUnit"),
            (E_INVENTORY_NUMBER, "InventoryNumber"),
            (E_STARTUP_DATE, "OperationStartDate"),
            (E_ACQUISITION_VALUE, "AcquisitionValue"),
            (E_CURRENCY, "Currency"),
            (E_ACQUISITION_DATE, "AcquisitionDate"),
            (E_MANUFACTURER, "AssetManufacturerName"),
            (E_MODEL, "ManufacturerPartTypeName"),
            (E_MANUFACTURER_COUNTRY, "ManufacturerCountry"),
            (E_CONSTRUCTION_YEAR, "ConstructionYear"),
            (E_CONSTRUCTION_MONTH, "ConstructionMonth"),
            (E_PART_NUMBER, "ManufacturerPartNmbr"),
            (E_MANUFACTURER_SERIAL, "ManufacturerSerialNumber"),
            (E_MAINTENANCE_PLANT, "MaintenancePlant"),
            (E_LOCATION, "AssetLocation"),
            (E_ROOM, "AssetRoom"),
            (E_PLANT_SECTION, "PlantSection"),
            (E_ABC, "ABCIndicator"),
            (E_COMPANY_CODE, "CompanyCode"),
            (E_COST_CENTER, "CostCenter"),
            (E_CONTROLLING_AREA, "ControllingArea"),
            (E_PLANNING_PLANT, "MaintenancePlanningPlant"),
            (E_PLANNER_GROUP, "MaintenancePlannerGroup"),
            (E_WORK_CENTER, "MainWorkCenter"),
            (E_WORK_CENTER_PLANT, "MainWorkCenterPlant"),
            (E_FUNCTIONAL_LOCATION, "FunctionalLocation"),
            (E_FUNCTIONAL_LOCATION_NAME, "FunctionalLocationName"),
            (E_POSITION, "EquipInstallationPositionNmbr"),
            (E_SUPERIOR, "SuperordinateEquipment"),
            (E_MATERIAL, "Material"),
            (E_SERIAL_NUMBER, "SerialNumber"),
            (E_CREATION_DATE, "CreationDate"),
            (E_CREATED_BY, "CreatedByUser"),
            (E_CHANGED_BY, "LastChangedByUser"),
            (E_LAST_CHANGE, "LastChangeDateTime"),
            (E_DELETION_FLAG, "EquipmentIsMarkedForDeletion"),
            (E_INSTALLED, "EquipmentIsInstalled"),
            (E_INACTIVE, "EquipmentIsInactive"),
        ];
        assert_eq!(equipment.len(), EQUIPMENT_PROPERTIES.len());
        for (index, name) in equipment {
            assert_eq!(EQUIPMENT_PROPERTIES[index].name, name);
        }
        let warranty = [
            (W_EQUIPMENT, "Equipment"),
            (W_TYPE, "WarrantyType"),
            (W_MASTER, "MasterWarranty"),
            (W_START, "WarrantyStartDate"),
            (W_END, "WarrantyEndDate"),
            (W_INHERITED, "WrntyIsInhtdFromSuperiorObject"),
            (W_PASSED_ON, "WrntyIsPassedOnToChildObject"),
        ];
        assert_eq!(warranty.len(), WARRANTY_PROPERTIES.len());
        for (index, name) in warranty {
            assert_eq!(WARRANTY_PROPERTIES[index].name, name);
        }
        assert_eq!(equipment_set().name, EQUIPMENT_SET);
        assert_eq!(warranty_set().name, WARRANTY_SET);
        assert!(edm_types().contains(&EdmType::DateTimeOffset));
        for function in &FUNCTION_IMPORTS {
            assert!(matches!(
                function.returns,
                ReturnType::Entity { entity_set } if SERVICE.entity_set(entity_set).is_some()
            ));
        }
    }
}
