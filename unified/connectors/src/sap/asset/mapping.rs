//! SAP ⇄ canonical for assets: the current time slice of an `API_EQUIPMENT` `Equipment` into an
//! [`Asset`], and the bodies that create and change one.
//!
//! # Reading an equipment
//! - `remote_id` and `number` are `Equipment` as SAP prints it (`10000042`); `remote_updated_at`
//!   is `LastChangeDateTime` (whole seconds); `remote_created_at` is `CreationDate` (a date, taken
//!   as midnight UTC); `remote_version` is `__metadata.etag` when SAP sends one (the service
//!   declares no ETag, so normally none); `raw` is the native object as received.
//! - `name` = `EquipmentName` (empty when SAP has none); `category` = `TechnicalObjectType`, else
//!   `EquipmentCategory`; `site` = `MaintenancePlant`; `location` = `FunctionalLocation` (where it
//!   is installed); `parent_remote_id` = `SuperordinateEquipment`; `manufacturer` =
//!   `AssetManufacturerName`; `model` = `ManufacturerPartTypeName`; `serial_number` =
//!   `ManufacturerSerialNumber` (the nameplate's), else SAP's own `SerialNumber`; `installed_on`
//!   = `OperationStartDate` (start-up date).
//! - `acquisition_cost` = `AcquisitionValue` exactly as printed, with `currency` = `Currency`.
//!   SAP prints an unset amount as zero with no currency; that is read as no cost at all.
//! - `status`: `EquipmentIsMarkedForDeletion` → `decommissioned`; else `EquipmentIsInactive` →
//!   `inactive`; else `active`.
//! - Blank strings become `None`. A record without its key or change stamp, or with a value the
//!   metadata does not allow, is a protocol error naming the field.
//!
//! # Writing
//! `POST Equipment` ([`equipment_payload`]) and `PATCH Equipment(Equipment='…',ValidityEndDate=…)`
//! ([`equipment_changes`]). Checked before sending: lengths from the metadata, and properties SAP
//! does not let a client set. `location` is one of them: SAP sets `FunctionalLocation` only when
//! the equipment is installed (its `InstallEquipment` function import), which this connector
//! does not do, so a `location` is refused rather than dropped.

use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::sap::mapping::{body_with, parse, printed};
use crate::sap::version;
use crate::sap::wire::{EdmDecimal, ODataDate};
use mw_model::{
    Asset, AssetPatch, AssetStatus, EntityData, FieldError, NewAsset, RemoteRecord, Validate,
};
use serde_json::{Map, Value};

/// Defaults for a new equipment's fields the canonical body does not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AssetDefaults {
    /// `EquipmentCategory`: setting `equipment_category`, default `M` (machines).
    pub(crate) equipment_category: String,
}

impl Default for AssetDefaults {
    fn default() -> Self {
        AssetDefaults {
            equipment_category: "M".into(),
        }
    }
}

/// Reads the current time slice of one native `Equipment` into a record.
pub(crate) fn asset_record(raw: Value) -> Result<RemoteRecord, ConnectorError> {
    let equipment: wire::Equipment = parse(&raw, "equipment", "Equipment")?;
    let number = printed(&equipment.equipment)
        .ok_or_else(|| ConnectorError::protocol("equipment without `Equipment`".into()))?;
    let updated_at = equipment.last_change_date_time.ok_or_else(|| {
        ConnectorError::protocol(format!("equipment {number}: no `LastChangeDateTime`"))
    })?;
    let data = asset(&number, &equipment);
    Ok(RemoteRecord {
        remote_id: number,
        remote_created_at: equipment
            .creation_date
            .map(|d| ODataDate::from_date(d.0.date_naive()).0),
        remote_updated_at: updated_at.0,
        remote_version: version::etag_of(&raw),
        data: EntityData::Asset(data),
        raw: Some(raw),
    })
}

fn asset(number: &str, e: &wire::Equipment) -> Asset {
    let status = if e.equipment_is_marked_for_deletion == Some(true) {
        AssetStatus::Decommissioned
    } else if e.equipment_is_inactive == Some(true) {
        AssetStatus::Inactive
    } else {
        AssetStatus::Active
    };
    let currency = printed(&e.currency);
    let acquisition_cost = match e.acquisition_value {
        Some(EdmDecimal(value)) if !value.is_zero() || currency.is_some() => Some(value),
        _ => None,
    };
    Asset {
        number: number.to_owned(),
        name: printed(&e.equipment_name).unwrap_or_default(),
        status,
        category: printed(&e.technical_object_type).or_else(|| printed(&e.equipment_category)),
        site: printed(&e.maintenance_plant),
        location: printed(&e.functional_location),
        parent_remote_id: printed(&e.superordinate_equipment),
        manufacturer: printed(&e.asset_manufacturer_name),
        model: printed(&e.manufacturer_part_type_name),
        serial_number: printed(&e.manufacturer_serial_number).or_else(|| printed(&e.serial_number)),
        installed_on: e.operation_start_date.map(|d| d.0.date_naive()),
        currency: acquisition_cost.and(currency),
        acquisition_cost,
    }
}

/// Lengths of `EquipmentType`'s string properties (`$metadata` `MaxLength`).
mod limits {
    pub(super) const EQUIPMENT: usize = 18;
    pub(super) const NAME: usize = 40;
    pub(super) const CATEGORY: usize = 1;
    pub(super) const TECHNICAL_OBJECT_TYPE: usize = 10;
    pub(super) const PLANT: usize = 4;
    pub(super) const MANUFACTURER: usize = 30;
    pub(super) const MODEL: usize = 20;
    pub(super) const SERIAL_NUMBER: usize = 30;
}

/// Properties SAP sets itself (`sap:creatable="false" sap:updatable="false"`).
const READ_ONLY: [&str; 21] = [
    "ValidityEndDate",
    "ValidityEndTime",
    "EquipmentValidityEndDateTime",
    "FunctionalLocation",
    "FunctionalLocationName",
    "WorkCenterInternalID",
    "WorkCenterPlant",
    "MainWorkCenterInternalID",
    "CreationDate",
    "CreatedByUser",
    "LastChangedByUser",
    "LastChangeDateTime",
    "MaintObjectInternalID",
    "MaintObjectLocAcctAssgmtNmbr",
    "EquipmentIsAtCustomer",
    "EquipmentIsAvailable",
    "EquipmentIsInWarehouse",
    "EquipmentIsAssignedToDelivery",
    "EquipmentIsMarkedForDeletion",
    "EquipmentIsInstalled",
    "EquipmentIsInactive",
];

const NO_INSTALL: &str = "SAP sets an equipment's functional location only by installing it \
     (InstallEquipment), which this connector does not do; install it in SAP";

/// Checks the `remote_fields` of a body whose canonical fields set `canonical` (property and
/// path).
fn remote_fields(
    p: &mut Problems,
    remote: Option<&Map<String, Value>>,
    canonical: &[(&str, &str)],
) {
    for (key, value) in remote.into_iter().flatten() {
        let path = format!("$.remote_fields.{key}");
        if let Some((_, from)) = canonical.iter().find(|(name, _)| name == key) {
            p.0.push(FieldError::new(
                path,
                format!("is set from `{from}`; give it there only"),
            ));
        } else if key == "FunctionalLocation" {
            p.0.push(FieldError::new(path, NO_INSTALL));
        } else if READ_ONLY.contains(&key.as_str()) {
            p.0.push(FieldError::new(
                path,
                "is read-only in SAP (set by SAP itself)",
            ));
        } else if key == "EquipmentCategory" {
            p.require(
                value
                    .as_str()
                    .is_some_and(|s| s.chars().count() == limits::CATEGORY),
                path,
                "must be a one-character SAP equipment category such as \"M\"",
            );
        }
    }
}

fn nameplate(
    p: &mut Problems,
    manufacturer: Option<&str>,
    model: Option<&str>,
    serial_number: Option<&str>,
) {
    p.max_len(
        manufacturer,
        limits::MANUFACTURER,
        "$.manufacturer",
        "a manufacturer name",
    );
    p.max_len(model, limits::MODEL, "$.model", "a model number");
    p.max_len(
        serial_number,
        limits::SERIAL_NUMBER,
        "$.serial_number",
        "a manufacturer serial number",
    );
}

/// Everything wrong with `asset` as an SAP equipment, canonical validation included.
pub(crate) fn check_new_asset(asset: &NewAsset) -> Vec<FieldError> {
    let mut p = Problems(asset.validate());
    p.max_len(
        asset.number.as_deref(),
        limits::EQUIPMENT,
        "$.number",
        "an equipment number",
    );
    p.max_len(
        Some(&asset.name),
        limits::NAME,
        "$.name",
        "an equipment name",
    );
    p.max_len(
        asset.category.as_deref(),
        limits::TECHNICAL_OBJECT_TYPE,
        "$.category",
        "a technical object type",
    );
    p.max_len(asset.site.as_deref(), limits::PLANT, "$.site", "a plant");
    p.require(asset.location.is_none(), "$.location", NO_INSTALL);
    p.max_len(
        asset.parent_remote_id.as_deref(),
        limits::EQUIPMENT,
        "$.parent_remote_id",
        "an equipment number",
    );
    nameplate(
        &mut p,
        asset.manufacturer.as_deref(),
        asset.model.as_deref(),
        asset.serial_number.as_deref(),
    );
    let mut canonical = vec![("EquipmentName", "$.name")];
    for (set, name, from) in [
        (asset.number.is_some(), "Equipment", "$.number"),
        (
            asset.category.is_some(),
            "TechnicalObjectType",
            "$.category",
        ),
        (asset.site.is_some(), "MaintenancePlant", "$.site"),
        (
            asset.parent_remote_id.is_some(),
            "SuperordinateEquipment",
            "$.parent_remote_id",
        ),
        (
            asset.manufacturer.is_some(),
            "AssetManufacturerName",
            "$.manufacturer",
        ),
        (asset.model.is_some(), "ManufacturerPartTypeName", "$.model"),
        (
            asset.serial_number.is_some(),
            "ManufacturerSerialNumber",
            "$.serial_number",
        ),
    ] {
        if set {
            canonical.push((name, from));
        }
    }
    remote_fields(&mut p, asset.remote_fields.as_ref(), &canonical);
    p.0
}

/// The body of `POST Equipment`, or every reason it cannot be built. `EquipmentCategory` comes
/// from the settings (default `M`) unless `remote_fields` names one; without a `number` SAP
/// assigns one from the category's number range.
pub(crate) fn equipment_payload(
    asset: &NewAsset,
    defaults: &AssetDefaults,
) -> Result<Value, Vec<FieldError>> {
    let errors = check_new_asset(asset);
    if !errors.is_empty() {
        return Err(errors);
    }
    let native = wire::Equipment {
        equipment: printed(&asset.number).map(|n| n.trim().to_owned()),
        equipment_name: Some(asset.name.clone()),
        equipment_category: Some(defaults.equipment_category.clone()),
        technical_object_type: printed(&asset.category),
        maintenance_plant: printed(&asset.site),
        superordinate_equipment: printed(&asset.parent_remote_id),
        asset_manufacturer_name: printed(&asset.manufacturer),
        manufacturer_part_type_name: printed(&asset.model),
        manufacturer_serial_number: printed(&asset.serial_number),
        ..wire::Equipment::default()
    };
    body_with(&native, asset.remote_fields.as_ref(), "an SAP equipment")
}

/// The body of `PATCH Equipment(…)`, or every reason it cannot be built. Only the fields the patch
/// names are sent; an empty manufacturer, model or serial number clears it.
pub(crate) fn equipment_changes(patch: &AssetPatch) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    p.max_len(
        patch.name.as_deref(),
        limits::NAME,
        "$.name",
        "an equipment name",
    );
    p.require(patch.location.is_none(), "$.location", NO_INSTALL);
    nameplate(
        &mut p,
        patch.manufacturer.as_deref(),
        patch.model.as_deref(),
        patch.serial_number.as_deref(),
    );
    let mut canonical = vec![("Equipment", "the record's id")];
    for (set, name, from) in [
        (patch.name.is_some(), "EquipmentName", "$.name"),
        (
            patch.manufacturer.is_some(),
            "AssetManufacturerName",
            "$.manufacturer",
        ),
        (patch.model.is_some(), "ManufacturerPartTypeName", "$.model"),
        (
            patch.serial_number.is_some(),
            "ManufacturerSerialNumber",
            "$.serial_number",
        ),
    ] {
        if set {
            canonical.push((name, from));
        }
    }
    remote_fields(&mut p, patch.remote_fields.as_ref(), &canonical);
    if !p.0.is_empty() {
        return Err(p.0);
    }
    let native = wire::Equipment {
        equipment_name: patch.name.clone(),
        asset_manufacturer_name: patch.manufacturer.clone(),
        manufacturer_part_type_name: patch.model.clone(),
        manufacturer_serial_number: patch.serial_number.clone(),
        ..wire::Equipment::default()
    };
    body_with(&native, patch.remote_fields.as_ref(), "an SAP equipment")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::mapping::test_support::{any_decimal, any_flag, results};
    use crate::test_support::{assert_keeps_raw, asset_of, object, protocol_detail, reviewed_page};
    use mw_model::Entity;
    use mw_model::{Decimal, NaiveDate};
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/sap/equipment_page.json");

    #[test]
    fn realistic_equipment_maps_as_reviewed() {
        let records = reviewed_page(results(PAGE), asset_record);
        insta::assert_json_snapshot!("assets", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(results(PAGE).remove(0), asset_record, Entity::Assets);
    }

    #[test]
    fn an_unset_amount_is_no_cost() {
        let mut raw = results(PAGE).remove(0);
        raw["AcquisitionValue"] = json!("0.000");
        raw["Currency"] = json!("");
        let record = asset_record(raw.clone()).unwrap();
        let a = asset_of(&record);
        assert_eq!((a.acquisition_cost, a.currency.as_deref()), (None, None));
        raw["Currency"] = json!("USD");
        let record = asset_record(raw).unwrap();
        let a = asset_of(&record);
        assert_eq!(
            (a.acquisition_cost, a.currency.as_deref()),
            (Some(Decimal::new(0, 3)), Some("USD"))
        );
    }

    #[test]
    fn broken_records_name_the_field() {
        let detail = |raw: Value| protocol_detail(asset_record(raw));
        let mut raw = results(PAGE).remove(0);
        raw["AcquisitionValue"] = json!(12500.0);
        let d = detail(raw);
        assert!(d.contains("AcquisitionValue"), "{d}");
        assert!(d.contains("10000042"), "{d}");
        let mut raw = results(PAGE).remove(0);
        raw["EquipmentIsMarkedForDeletion"] = json!("X");
        assert!(detail(raw).contains("EquipmentIsMarkedForDeletion"));
        let mut raw = results(PAGE).remove(0);
        raw["LastChangeDateTime"] = Value::Null;
        assert!(detail(raw).contains("LastChangeDateTime"));
        assert!(detail(json!({"Equipment": ""})).contains("without `Equipment`"));
    }

    fn new_asset() -> NewAsset {
        NewAsset {
            number: None,
            name: "Centrifugal pump P-102".into(),
            category: Some("PUMP".into()),
            site: Some("1710".into()),
            location: None,
            parent_remote_id: Some("10000040".into()),
            manufacturer: Some("KSB".into()),
            model: Some("Etanorm 065-040-250".into()),
            serial_number: Some("KSB-2024-000871".into()),
            remote_fields: None,
        }
    }

    #[test]
    fn create_payload_uses_the_category_setting_unless_overridden() {
        let asset = new_asset();
        assert_eq!(
            equipment_payload(&asset, &AssetDefaults::default()).unwrap(),
            json!({
                "EquipmentName": "Centrifugal pump P-102", "EquipmentCategory": "M",
                "TechnicalObjectType": "PUMP", "MaintenancePlant": "1710",
                "SuperordinateEquipment": "10000040", "AssetManufacturerName": "KSB",
                "ManufacturerPartTypeName": "Etanorm 065-040-250",
                "ManufacturerSerialNumber": "KSB-2024-000871"
            })
        );
        let asset = NewAsset {
            number: Some("PUMP-P-102".into()),
            category: None,
            site: None,
            parent_remote_id: None,
            manufacturer: None,
            model: None,
            serial_number: None,
            remote_fields: Some(
                json!({"EquipmentCategory": "Q", "CostCenter": "17101301"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            ..new_asset()
        };
        assert_eq!(
            equipment_payload(&asset, &AssetDefaults::default()).unwrap(),
            json!({"Equipment": "PUMP-P-102", "EquipmentName": "Centrifugal pump P-102",
                   "EquipmentCategory": "Q", "CostCenter": "17101301"})
        );
    }

    #[test]
    fn what_sap_would_refuse_is_refused_before_sending() {
        let asset = NewAsset {
            number: Some("1".repeat(19)),
            location: Some("1710-SPA".into()),
            model: Some("m".repeat(21)),
            remote_fields: Some(
                json!({"EquipmentName": "x", "FunctionalLocation": "1710", "EquipmentCategory": "MM",
                       "LastChangeDateTime": "x"})
                .as_object()
                .unwrap()
                .clone(),
            ),
            ..new_asset()
        };
        let paths: Vec<String> = equipment_payload(&asset, &AssetDefaults::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.number",
                "$.location",
                "$.model",
                "$.remote_fields.EquipmentCategory",
                "$.remote_fields.EquipmentName",
                "$.remote_fields.FunctionalLocation",
                "$.remote_fields.LastChangeDateTime",
            ]
        );
    }

    #[test]
    fn changes_name_only_what_the_patch_names() {
        let patch = AssetPatch {
            name: Some("Pump P-102 (spare)".into()),
            serial_number: Some("".into()),
            ..AssetPatch::default()
        };
        assert_eq!(
            equipment_changes(&patch).unwrap(),
            json!({"EquipmentName": "Pump P-102 (spare)", "ManufacturerSerialNumber": ""})
        );
        let patch = AssetPatch {
            location: Some("1710-SPA".into()),
            remote_fields: Some(
                json!({"Equipment": "2", "CostCenter": "17101301"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            ..AssetPatch::default()
        };
        let paths: Vec<String> = equipment_changes(&patch)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.location", "$.remote_fields.Equipment"]);
    }

    // ---- properties ----

    fn any_date() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(|n| json!(format!("/Date({n}+0000)/"))),
            any::<i64>().prop_map(|n| json!(format!("\\/Date({n})\\/"))),
            any::<String>().prop_map(Value::String),
            Just(Value::Null),
        ]
    }

    fn any_text() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "[A-Z0-9 ]{0,18}".prop_map(Value::String),
            Just(Value::Null),
            any::<i32>().prop_map(|n| json!(n)),
        ]
    }

    fn any_equipment() -> impl Strategy<Value = Value> {
        object(vec![
            ("Equipment", any_text().boxed()),
            ("ValidityEndDate", any_date().boxed()),
            ("EquipmentName", any_text().boxed()),
            ("EquipmentCategory", any_text().boxed()),
            ("TechnicalObjectType", any_text().boxed()),
            ("MaintenancePlant", any_text().boxed()),
            ("FunctionalLocation", any_text().boxed()),
            ("SuperordinateEquipment", any_text().boxed()),
            ("AssetManufacturerName", any_text().boxed()),
            ("ManufacturerPartTypeName", any_text().boxed()),
            ("ManufacturerSerialNumber", any_text().boxed()),
            ("SerialNumber", any_text().boxed()),
            ("AcquisitionValue", any_decimal().boxed()),
            ("Currency", any_text().boxed()),
            ("OperationStartDate", any_date().boxed()),
            ("CreationDate", any_date().boxed()),
            ("LastChangeDateTime", any_date().boxed()),
            ("EquipmentIsMarkedForDeletion", any_flag().boxed()),
            ("EquipmentIsInactive", any_flag().boxed()),
        ])
    }

    /// Equipment as SAP prints it: every value one the metadata allows.
    fn sap_equipment() -> impl Strategy<Value = Value> {
        (
            "[0-9]{8,18}",
            -62_135_596_800_i64..253_402_300_799,
            proptest::option::of((-10_i64.pow(13) + 1..10_i64.pow(13), 0u32..=3)),
            prop_oneof![Just(""), Just("USD"), Just("EUR"), Just("JPY")],
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(number, changed, value, currency, deleted, inactive)| {
                json!({
                    "Equipment": number,
                    "ValidityEndDate": "/Date(253402214400000)/",
                    "EquipmentName": "",
                    "LastChangeDateTime": format!("/Date({}+0000)/", changed * 1000),
                    "AcquisitionValue": value.map(|(m, s)| Decimal::new(m, s).to_string()),
                    "Currency": currency,
                    "EquipmentIsMarkedForDeletion": deleted,
                    "EquipmentIsInactive": inactive,
                })
            })
    }

    fn code(max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Z0-9][A-Z0-9-]{{0,{}}}", max - 1))
            .unwrap_or_else(|_| unreachable!())
    }

    fn new_asset_strategy() -> impl Strategy<Value = NewAsset> {
        (
            proptest::option::of(code(18)),
            "[A-Za-z0-9][ -~]{0,38}[A-Za-z0-9]",
            proptest::option::of(code(10)),
            proptest::option::of(code(4)),
            proptest::option::of(code(18)),
            proptest::option::of("[A-Za-z][ -~]{0,29}"),
            proptest::option::of(code(20)),
            proptest::option::of(code(30)),
        )
            .prop_map(
                |(number, name, category, site, parent, manufacturer, model, serial_number)| {
                    NewAsset {
                        number,
                        name,
                        category,
                        site,
                        location: None,
                        parent_remote_id: parent,
                        manufacturer: manufacturer.filter(|m| !m.trim().is_empty()),
                        model,
                        serial_number,
                        remote_fields: None,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_equipment()) {
            if let Ok(record) = asset_record(raw) {
                let a = asset_of(&record);
                prop_assert_eq!(&a.number, &record.remote_id);
                prop_assert!(a.currency.is_none() || a.acquisition_cost.is_some());
            }
        }

        #[test]
        fn equipment_as_sap_prints_it_always_maps(raw in sap_equipment()) {
            let record = match asset_record(raw.clone()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let a = asset_of(&record);
            prop_assert_eq!(
                a.status == AssetStatus::Decommissioned,
                raw["EquipmentIsMarkedForDeletion"] == true
            );
            if let Some(cost) = a.acquisition_cost {
                prop_assert_eq!(Some(cost.to_string()), raw["AcquisitionValue"].as_str().map(str::to_owned));
            }
        }

        #[test]
        fn create_payload_round_trips(asset in new_asset_strategy()) {
            let payload = match equipment_payload(&asset, &AssetDefaults::default()) {
                Ok(payload) => payload,
                Err(errors) => return Err(TestCaseError::fail(format!("{errors:?}"))),
            };
            let text = serde_json::to_string(&payload).unwrap();
            let back: wire::Equipment = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back.equipment, &asset.number);
            prop_assert_eq!(back.equipment_name.as_ref(), Some(&asset.name));
            prop_assert_eq!(back.equipment_category.as_deref(), Some("M"));

            // What SAP then prints maps back to the same canonical fields.
            let mut echoed = payload.clone();
            echoed["Equipment"] = json!(asset.number.clone().unwrap_or_else(|| "10000099".into()));
            echoed["LastChangeDateTime"] = json!("/Date(1714723200000+0000)/");
            echoed["CreationDate"] = json!("/Date(1714694400000)/");
            let record = match asset_record(echoed) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let a = asset_of(&record);
            prop_assert_eq!(&a.name, &asset.name);
            // Without a technical object type the category is the equipment category.
            prop_assert_eq!(
                a.category.as_deref(),
                Some(asset.category.as_deref().unwrap_or("M"))
            );
            prop_assert_eq!(&a.site, &asset.site);
            prop_assert_eq!(&a.parent_remote_id, &asset.parent_remote_id);
            prop_assert_eq!(&a.manufacturer, &asset.manufacturer);
            prop_assert_eq!(&a.model, &asset.model);
            prop_assert_eq!(&a.serial_number, &asset.serial_number);
            prop_assert_eq!(a.status, AssetStatus::Active);
            prop_assert_eq!(record.remote_created_at.map(|d| d.date_naive()), NaiveDate::from_ymd_opt(2024, 5, 3));
        }

        #[test]
        fn changes_round_trip(
            name in proptest::option::of("[A-Za-z][ -~]{0,39}"),
            model in proptest::option::of(code(20)),
        ) {
            let patch = AssetPatch { name: name.clone(), model: model.clone(), ..AssetPatch::default() };
            match equipment_changes(&patch) {
                Ok(body) => {
                    let back: wire::Equipment = serde_json::from_value(body).unwrap();
                    prop_assert_eq!(back.equipment_name, name);
                    prop_assert_eq!(back.manufacturer_part_type_name, model);
                }
                Err(_) => prop_assert!(name.is_none() && model.is_none()),
            }
        }
    }
}
