//! The entity model of `API_MAINTENANCEORDER;v=0002` (namespace `cds_api_maintenanceorder_2`,
//! reference §1.3): `MaintenanceOrder` and `MaintenanceOrderOperation` with the names, types,
//! SAP annotations and association names of the real EDMX (a subset of its properties: the ones
//! work-order integrations read and write), and the status function imports.
//!
//! Rows are positional; the `H_*` and `O_*` constants name the positions and a test checks them
//! against the property lists.

use crate::sap::odata::edm::{
    Association, AssociationEnd, EdmType, EntitySet, EntityType, Multiplicity, Navigation,
    Property, ServiceDef,
};
use crate::sap::odata::function::{ComplexType, FunctionImport, Parameter, ReturnType};

pub(crate) const SERVICE_NAME: &str = "API_MAINTENANCEORDER";
pub(crate) const NAMESPACE: &str = "cds_api_maintenanceorder_2";
pub(crate) const ORDER_SET: &str = "MaintenanceOrder";
pub(crate) const OPERATION_SET: &str = "MaintenanceOrderOperation";
pub(crate) const OPERATIONS_NAV: &str = "to_MaintenanceOrderOperation";
pub(crate) const ORDER_NAV: &str = "to_MaintenanceOrder";

pub(crate) const RELEASE: &str = "ReleaseMaintenanceOrder";
pub(crate) const TECHNICALLY_COMPLETE: &str = "SetMaintOrdToTechCompleted";
pub(crate) const RESET_TECHNICALLY_COMPLETE: &str = "ResetMaintOrdStsTechCompleted";
pub(crate) const CLOSE: &str = "SetMaintOrderStatusToClosed";
pub(crate) const RESET_CLOSED: &str = "ResetMaintOrderStatusClosed";
pub(crate) const MARK_FOR_DELETION: &str = "SetMaintOrdStsToMrkdForDeltn";
pub(crate) const RESET_DELETION: &str = "ResetMaintOrdStsMrkdForDeltn";

/// Edm.Time with `Precision="0"` (the shared constructors cover the other types).
const fn time(name: &'static str, label: &'static str) -> Property {
    let mut property = Property::string(name, 0, label);
    property.edm = EdmType::Time;
    property.max_length = None;
    property.precision = Some(0);
    property
}

/// Edm.Byte: a JSON number on the wire.
const fn byte(name: &'static str, label: &'static str) -> Property {
    let mut property = Property::string(name, 0, label);
    property.edm = EdmType::Byte;
    property.max_length = None;
    property
}

/// `Edm.DateTimeOffset Precision="0"`: SAP's short UTC timestamp, whole seconds.
const fn stamp(name: &'static str, label: &'static str) -> Property {
    Property::timestamp(name, 0, label)
}

pub(crate) const H_ORDER: usize = 0;
pub(crate) const H_TYPE: usize = 1;
pub(crate) const H_DESCRIPTION: usize = 2;
pub(crate) const H_START: usize = 3;
pub(crate) const H_END: usize = 4;
pub(crate) const H_START_DATE: usize = 5;
pub(crate) const H_START_TIME: usize = 6;
pub(crate) const H_END_DATE: usize = 7;
pub(crate) const H_END_TIME: usize = 8;
pub(crate) const H_REFERENCE: usize = 9;
pub(crate) const H_NOTIFICATION: usize = 10;
pub(crate) const H_CONTROLLING_AREA: usize = 11;
pub(crate) const H_WORK_CENTER: usize = 12;
pub(crate) const H_WORK_CENTER_PLANT: usize = 13;
pub(crate) const H_PLANNING_PLANT: usize = 14;
pub(crate) const H_PLANT: usize = 15;
pub(crate) const H_COMPANY_CODE: usize = 16;
pub(crate) const H_COST_CENTER: usize = 17;
pub(crate) const H_EQUIPMENT: usize = 18;
pub(crate) const H_EQUIPMENT_NAME: usize = 19;
pub(crate) const H_FUNCTIONAL_LOCATION: usize = 20;
pub(crate) const H_PLANNER_GROUP: usize = 21;
pub(crate) const H_ACTIVITY_TYPE: usize = 22;
pub(crate) const H_PRIORITY: usize = 23;
pub(crate) const H_PRIORITY_TYPE: usize = 24;
pub(crate) const H_CURRENCY: usize = 25;
pub(crate) const H_CHANGED_BY: usize = 26;
pub(crate) const H_LAST_CHANGE: usize = 27;
pub(crate) const H_CREATED_BY: usize = 28;
pub(crate) const H_CREATED_AT: usize = 29;
pub(crate) const H_SYSTEM_STATUS: usize = 30;
pub(crate) const H_USER_STATUS: usize = 31;

pub(crate) static ORDER_PROPERTIES: [Property; 32] = [
    // ALPHA-converted (`4000123`, stored `000004000123`); internally numbered.
    Property::string("MaintenanceOrder", 12, "Order")
        .key()
        .alpha()
        .not_updatable(),
    Property::string("MaintenanceOrderType", 4, "Order Type")
        .upper_case()
        .not_updatable(),
    Property::string("MaintenanceOrderDesc", 40, "Description"),
    stamp("MaintOrdBasicStartDateTime", "Time Stamp"),
    stamp("MaintOrdBasicEndDateTime", "Time Stamp"),
    Property::date("MaintOrdBasicStartDate", "Basic Start Date").read_only(),
    time("MaintOrdBasicStartTime", "Basic Start Time").read_only(),
    Property::date("MaintOrdBasicEndDate", "Basic Finish Date").read_only(),
    time("MaintOrdBasicEndTime", "Basic Finish Time").read_only(),
    stamp("MaintOrderReferenceDateTime", "Time Stamp").read_only(),
    Property::string("MaintenanceNotification", 12, "Notification").upper_case(),
    Property::string("ControllingArea", 4, "Controlling Area")
        .upper_case()
        .read_only(),
    Property::string("MainWorkCenter", 8, "Work Center").upper_case(),
    Property::string("MainWorkCenterPlant", 4, "Plant").upper_case(),
    Property::string("MaintenancePlanningPlant", 4, "Planning Plant")
        .upper_case()
        .not_updatable(),
    Property::string("MaintenancePlant", 4, "Maintenance Plant").upper_case(),
    Property::string("CompanyCode", 4, "Company Code")
        .upper_case()
        .read_only(),
    Property::string("CostCenter", 10, "Cost Center").upper_case(),
    Property::string("Equipment", 18, "Equipment").alpha(),
    Property::string("EquipmentName", 40, "Object Description").read_only(),
    Property::string("FunctionalLocation", 30, "Functional Location"),
    Property::string("MaintenancePlannerGroup", 3, "Maint. Planner Group").upper_case(),
    Property::string("MaintenanceActivityType", 3, "Activity Type").upper_case(),
    Property::string("MaintPriority", 1, "Priority").upper_case(),
    Property::string("MaintPriorityType", 2, "Priority Type")
        .upper_case()
        .read_only(),
    Property::string("Currency", 5, "Currency")
        .upper_case()
        .semantics("currency-code")
        .read_only(),
    Property::string("LastChangeByUser", 12, "Last Changed By")
        .upper_case()
        .read_only(),
    stamp("LastChangeDateTime", "Short Time Stamp").read_only(),
    Property::string("CreatedByUser", 12, "Entered By")
        .upper_case()
        .read_only(),
    stamp("MaintOrderCreationDateTime", "Time Stamp").read_only(),
    status_text("SystemStatusText", "System status"),
    status_text("UserStatusText", "User Status"),
];

/// The status lines: read-only, and neither filterable nor sortable (reference §1.3).
const fn status_text(name: &'static str, label: &'static str) -> Property {
    let mut property = Property::string(name, 40, label).read_only();
    property.filterable = false;
    property.sortable = false;
    property
}

pub(crate) const O_ORDER: usize = 0;
pub(crate) const O_OPERATION: usize = 1;
pub(crate) const O_SUB_OPERATION: usize = 2;
pub(crate) const O_CONTROL_KEY: usize = 3;
pub(crate) const O_WORK_CENTER: usize = 4;
pub(crate) const O_PLANT: usize = 5;
pub(crate) const O_DESCRIPTION: usize = 6;
pub(crate) const O_CAPACITIES: usize = 7;
pub(crate) const O_DURATION: usize = 8;
pub(crate) const O_DURATION_UNIT: usize = 9;
pub(crate) const O_ACTUAL_START: usize = 10;
pub(crate) const O_ACTUAL_END: usize = 11;
pub(crate) const O_WORK: usize = 12;
pub(crate) const O_WORK_UNIT: usize = 13;
pub(crate) const O_DELETED: usize = 14;
pub(crate) const O_ACTUAL_WORK: usize = 15;
pub(crate) const O_SYSTEM_STATUS: usize = 16;
pub(crate) const O_USER_STATUS: usize = 17;

pub(crate) static OPERATION_PROPERTIES: [Property; 18] = [
    Property::string("MaintenanceOrder", 12, "Order")
        .key()
        .alpha()
        .read_only(),
    Property::string("MaintenanceOrderOperation", 4, "Operation")
        .key()
        .upper_case()
        .not_updatable(),
    Property::string("MaintenanceOrderSubOperation", 4, "Suboperation")
        .key()
        .upper_case()
        .not_updatable(),
    Property::string("OperationControlKey", 4, "Control Key").upper_case(),
    Property::string("WorkCenter", 8, "Work Center").upper_case(),
    Property::string("Plant", 4, "Plant").upper_case(),
    Property::string("OperationDescription", 40, "Operation Short Text"),
    byte("NumberOfCapacities", "Number"),
    Property::decimal("MaintOrderOperationDuration", 5, 1, "Normal duration")
        .unit("MaintOrdOperationDurationUnit"),
    Property::string("MaintOrdOperationDurationUnit", 3, "Normal duration unit")
        .semantics("unit-of-measure"),
    stamp("OpActualExecutionStartDateTime", "Time Stamp").read_only(),
    stamp("OpActualExecutionEndDateTime", "Time Stamp").read_only(),
    Property::decimal("MaintOrdOperationWorkDuration", 7, 1, "Work")
        .unit("MaintOrdOpWorkDurationUnit"),
    Property::string("MaintOrdOpWorkDurationUnit", 3, "Unit for work").semantics("unit-of-measure"),
    Property::boolean("IsMarkedForDeletion", "Deletion Flag").read_only(),
    Property::decimal("ActualWorkQuantity", 13, 3, "Actual work")
        .unit("MaintOrdOpWorkDurationUnit")
        .read_only(),
    status_text("SystemStatusText", "System status"),
    status_text("UserStatusText", "User Status"),
];

const OPERATIONS_ASSOCIATION: &str = "assoc_448AE6E9FF949C14A756E2EF30E8FA4F";

static ORDER_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: OPERATIONS_NAV,
    target_set: OPERATION_SET,
    multiplicity: Multiplicity::Many,
    association: OPERATIONS_ASSOCIATION,
    from_role: "FromRole_assoc_448AE6E9FF949C14A756E2EF30E8FA4F",
    to_role: "ToRole_assoc_448AE6E9FF949C14A756E2EF30E8FA4F",
}];

// The real EDMX navigates back over the same association with the roles swapped.
static OPERATION_NAVIGATIONS: [Navigation; 1] = [Navigation {
    name: ORDER_NAV,
    target_set: ORDER_SET,
    multiplicity: Multiplicity::One,
    association: OPERATIONS_ASSOCIATION,
    from_role: "ToRole_assoc_448AE6E9FF949C14A756E2EF30E8FA4F",
    to_role: "FromRole_assoc_448AE6E9FF949C14A756E2EF30E8FA4F",
}];

pub(crate) static ORDER_TYPE: EntityType = EntityType {
    name: "MaintenanceOrderType",
    label: "Maintenance Order",
    keys: &["MaintenanceOrder"],
    properties: &ORDER_PROPERTIES,
    navigations: &ORDER_NAVIGATIONS,
};

pub(crate) static OPERATION_TYPE: EntityType = EntityType {
    name: "MaintenanceOrderOperationType",
    label: "Maintenance Order Operation",
    keys: &[
        "MaintenanceOrder",
        "MaintenanceOrderOperation",
        "MaintenanceOrderSubOperation",
    ],
    properties: &OPERATION_PROPERTIES,
    navigations: &OPERATION_NAVIGATIONS,
};

static ENTITY_SETS: [EntitySet; 2] = [
    EntitySet {
        name: ORDER_SET,
        entity_type: &ORDER_TYPE,
        creatable: true,
        updatable: true,
        deletable: false,
    },
    // Operations are created with their order or through `to_MaintenanceOrderOperation`.
    EntitySet {
        name: OPERATION_SET,
        entity_type: &OPERATION_TYPE,
        creatable: false,
        updatable: true,
        deletable: true,
    },
];

/// `MaintenanceOrder`.
pub(crate) fn order_set() -> &'static EntitySet {
    &ENTITY_SETS[0]
}

/// `MaintenanceOrderOperation`.
pub(crate) fn operation_set() -> &'static EntitySet {
    &ENTITY_SETS[1]
}

static ASSOCIATIONS: [Association; 1] = [Association {
    name: OPERATIONS_ASSOCIATION,
    from: AssociationEnd {
        entity_type: "MaintenanceOrderType",
        entity_set: ORDER_SET,
        role: "FromRole_assoc_448AE6E9FF949C14A756E2EF30E8FA4F",
        multiplicity: Multiplicity::One,
    },
    to: AssociationEnd {
        entity_type: "MaintenanceOrderOperationType",
        entity_set: OPERATION_SET,
        role: "ToRole_assoc_448AE6E9FF949C14A756E2EF30E8FA4F",
        multiplicity: Multiplicity::Many,
    },
    constraints: &[("MaintenanceOrder", "MaintenanceOrder")],
}];

pub(crate) static SERVICE: ServiceDef = ServiceDef {
    name: SERVICE_NAME,
    version: "0002",
    component_id: "PM-WOC-MO",
    entity_sets: &ENTITY_SETS,
    associations: &ASSOCIATIONS,
};

/// What every status function import returns: SAP's placeholder complex type.
pub(crate) static DUMMY_RESULT: ComplexType = ComplexType {
    name: "DummyFunctionImportResult",
    properties: &[Property::boolean("IsInvalid", "TRUE")],
};

const ORDER_PARAMETER: Parameter = Parameter::string("MaintenanceOrder", 12, "Order");

static ORDER_ONLY: [Parameter; 1] = [ORDER_PARAMETER];

static TECO_PARAMETERS: [Parameter; 4] = [
    ORDER_PARAMETER,
    Parameter::boolean(
        "MainWrkCmpltdDateTimeIsUsed",
        "Use Main Work Completed Date and Time",
    )
    .optional(),
    Parameter::timestamp("MaintOrderReferenceDateTime", "Completion Date/Time").optional(),
    Parameter::boolean(
        "AssignedMaintNotifIsToBeClosed",
        "Complete Assigned Notifications",
    )
    .optional(),
];

static RESET_TECO_PARAMETERS: [Parameter; 2] = [
    ORDER_PARAMETER,
    Parameter::boolean(
        "AssgdMaintNotifIsToBePutInProc",
        "Put Assigned Notifications In Process Again",
    )
    .optional(),
];

static CLOSE_PARAMETERS: [Parameter; 3] = [
    ORDER_PARAMETER,
    Parameter::timestamp("MaintOrderReferenceDateTime", "Completion Date/Time").optional(),
    Parameter::boolean(
        "AssignedMaintNotifIsToBeClosed",
        "Complete Assigned Notifications",
    )
    .optional(),
];

static SET_DELETION_PARAMETERS: [Parameter; 2] = [
    ORDER_PARAMETER,
    Parameter::boolean(
        "AssgdMaintNotifIsToBeSetDel",
        "Also set the deletion flag for the assigned notifications",
    )
    .optional(),
];

static RESET_DELETION_PARAMETERS: [Parameter; 2] = [
    ORDER_PARAMETER,
    Parameter::boolean(
        "AssgdMaintNotifIsToBeResetDel",
        "Also reset the deletion flag for the assigned notifications",
    )
    .optional(),
];

const fn status_import(name: &'static str, parameters: &'static [Parameter]) -> FunctionImport {
    FunctionImport {
        name,
        returns: ReturnType::Complex(&DUMMY_RESULT),
        http_method: "POST",
        action_for: Some("MaintenanceOrderType"),
        parameters,
    }
}

/// The status function imports, in the order of the real EDMX.
pub(crate) static FUNCTION_IMPORTS: [FunctionImport; 7] = [
    status_import(RELEASE, &ORDER_ONLY),
    status_import(RESET_CLOSED, &ORDER_ONLY),
    status_import(RESET_DELETION, &RESET_DELETION_PARAMETERS),
    status_import(RESET_TECHNICALLY_COMPLETE, &RESET_TECO_PARAMETERS),
    status_import(CLOSE, &CLOSE_PARAMETERS),
    status_import(MARK_FOR_DELETION, &SET_DELETION_PARAMETERS),
    status_import(TECHNICALLY_COMPLETE, &TECO_PARAMETERS),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_constants_name_the_right_properties() {
        let order = [
            (H_ORDER, "MaintenanceOrder"),
            (H_TYPE, "MaintenanceOrderType"),
            (H_DESCRIPTION, "MaintenanceOrderDesc"),
            (H_START, "MaintOrdBasicStartDateTime"),
            (H_END, "MaintOrdBasicEndDateTime"),
            (H_START_DATE, "MaintOrdBasicStartDate"),
            (H_START_TIME, "MaintOrdBasicStartTime"),
            (H_END_DATE, "MaintOrdBasicEndDate"),
            (H_END_TIME, "MaintOrdBasicEndTime"),
            (H_REFERENCE, "MaintOrderReferenceDateTime"),
            (H_NOTIFICATION, "MaintenanceNotification"),
            (H_CONTROLLING_AREA, "ControllingArea"),
            (H_WORK_CENTER, "MainWorkCenter"),
            (H_WORK_CENTER_PLANT, "MainWorkCenterPlant"),
            (H_PLANNING_PLANT, "MaintenancePlanningPlant"),
            (H_PLANT, "MaintenancePlant"),
            (H_COMPANY_CODE, "CompanyCode"),
            (H_COST_CENTER, "CostCenter"),
            (H_EQUIPMENT, "Equipment"),
            (H_EQUIPMENT_NAME, "EquipmentName"),
            (H_FUNCTIONAL_LOCATION, "FunctionalLocation"),
            (H_PLANNER_GROUP, "MaintenancePlannerGroup"),
            (H_ACTIVITY_TYPE, "MaintenanceActivityType"),
            (H_PRIORITY, "MaintPriority"),
            (H_PRIORITY_TYPE, "MaintPriorityType"),
            (H_CURRENCY, "Currency"),
            (H_CHANGED_BY, "LastChangeByUser"),
            (H_LAST_CHANGE, "LastChangeDateTime"),
            (H_CREATED_BY, "CreatedByUser"),
            (H_CREATED_AT, "MaintOrderCreationDateTime"),
            (H_SYSTEM_STATUS, "SystemStatusText"),
            (H_USER_STATUS, "UserStatusText"),
        ];
        assert_eq!(order.len(), ORDER_PROPERTIES.len());
        for (index, name) in order {
            assert_eq!(ORDER_PROPERTIES[index].name, name);
        }
        let operation = [
            (O_ORDER, "MaintenanceOrder"),
            (O_OPERATION, "MaintenanceOrderOperation"),
            (O_SUB_OPERATION, "MaintenanceOrderSubOperation"),
            (O_CONTROL_KEY, "OperationControlKey"),
            (O_WORK_CENTER, "WorkCenter"),
            (O_PLANT, "Plant"),
            (O_DESCRIPTION, "OperationDescription"),
            (O_CAPACITIES, "NumberOfCapacities"),
            (O_DURATION, "MaintOrderOperationDuration"),
            (O_DURATION_UNIT, "MaintOrdOperationDurationUnit"),
            (O_ACTUAL_START, "OpActualExecutionStartDateTime"),
            (O_ACTUAL_END, "OpActualExecutionEndDateTime"),
            (O_WORK, "MaintOrdOperationWorkDuration"),
            (O_WORK_UNIT, "MaintOrdOpWorkDurationUnit"),
            (O_DELETED, "IsMarkedForDeletion"),
            (O_ACTUAL_WORK, "ActualWorkQuantity"),
            (O_SYSTEM_STATUS, "SystemStatusText"),
            (O_USER_STATUS, "UserStatusText"),
        ];
        assert_eq!(operation.len(), OPERATION_PROPERTIES.len());
        for (index, name) in operation {
            assert_eq!(OPERATION_PROPERTIES[index].name, name);
        }
        assert_eq!(order_set().name, ORDER_SET);
        assert_eq!(operation_set().name, OPERATION_SET);
        assert!(!ORDER_PROPERTIES[H_SYSTEM_STATUS].filterable);
        assert_eq!(ORDER_PROPERTIES[H_START_TIME].edm, EdmType::Time);
        assert_eq!(OPERATION_PROPERTIES[O_CAPACITIES].edm, EdmType::Byte);
        for function in &FUNCTION_IMPORTS {
            assert!(matches!(function.returns, ReturnType::Complex(_)));
            assert_eq!(function.parameters[0].name, "MaintenanceOrder");
        }
    }
}
