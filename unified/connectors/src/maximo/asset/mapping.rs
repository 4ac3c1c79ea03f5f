//! Maximo ⇄ canonical for assets: an `ASSET` of `mxapiasset` into an [`Asset`], and the bodies
//! that create and change one.
//!
//! # Reading an asset
//! - `remote_id` = `assetnum/siteid`; `number` = `assetnum`; `remote_updated_at` =
//!   `changedate`; `remote_created_at` = none (an asset has no creation stamp);
//!   `remote_version` = `_rowstamp`, the `If-Match` of updates; `raw` = the native object.
//! - `name` = `description` (empty when none); `category` = `assettype`; `site` = `siteid`;
//!   `location` = `location`; `parent_remote_id` = `parent/siteid` (parents are at the same
//!   site); `manufacturer` = `manufacturer` (a company code); `serial_number` = `serialnum`;
//!   `installed_on` = the date of `installdate` as Maximo printed it; `model` = none
//!   (`mxapiasset` has no model attribute).
//! - `acquisition_cost` = `purchaseprice`; Maximo prints 0 for a price never entered, which is
//!   read as no cost. `currency` = none: asset prices are in the organisation's base currency,
//!   which the asset does not name.
//! - `status` from `LOCASSETSTATUS` (see [`canonical_status`]), else from `status_maxvalue`,
//!   else a protocol error.
//!
//! # Writing
//! Create: `POST mxapiasset` ([`asset_payload`]): `assetnum` (the body's `number`; without one
//! Maximo numbers the asset from its autokey), `description`, `assettype`, `siteid` (the body's
//! `site`, else the `siteid` setting), `location`, `parent` (from `parent_remote_id`, an asset
//! of the same site), `manufacturer`, `serialnum`. Update: a merge ([`asset_changes`]) of
//! `description`, `location`, `manufacturer`, `serialnum`. A `model` is refused (no such
//! attribute; name your installation's attribute in `remote_fields`), as are a `status` (new
//! assets start `NOT READY`; status moves through Maximo's status action, not offered here),
//! changes of the key, and attributes Maximo sets itself.

use super::ASSETS;
use super::wire;
use crate::ConnectorError;
use crate::Problems;
use crate::maximo::mapping::{Defaults, parse, put, record_id, split_reference};
use crate::maximo::wire::MxDateTime;
use crate::native::present;
use chrono::{DateTime, Utc};
use mw_model::{
    Asset, AssetPatch, AssetStatus, EntityData, FieldError, NewAsset, RemoteRecord, Validate,
};
use serde_json::{Map, Value};

/// The canonical status of a `LOCASSETSTATUS` value or shipped synonym.
pub(crate) fn canonical_status(native: &str) -> Option<AssetStatus> {
    Some(match native.trim().to_ascii_uppercase().as_str() {
        "OPERATING" | "ACTIVE" | "LIMITEDUSE" => AssetStatus::Active,
        "NOT READY" | "BROKEN" | "INACTIVE" | "MISSING" | "IMPORTED" => AssetStatus::Inactive,
        "DECOMMISSIONED" | "SEALED" => AssetStatus::Decommissioned,
        _ => return None,
    })
}

const NO_MODEL: &str = "mxapiasset has no model attribute; give your installation's attribute \
     in remote_fields";
const STATUS: &str = "assets move status through Maximo's status action, which this connector \
     does not offer";

/// Reads one native asset into a record.
pub(crate) fn asset_record(
    raw: Value,
    _read_at: DateTime<Utc>,
) -> Result<RemoteRecord, ConnectorError> {
    let id = record_id(&raw, "asset", ASSETS.keys)?;
    let asset: wire::Asset = parse(&raw, "asset", ASSETS.keys)?;
    let changed = asset
        .changedate
        .ok_or_else(|| ConnectorError::protocol(format!("asset {id}: no `changedate`")))?;
    let native = present(&asset.status)
        .ok_or_else(|| ConnectorError::protocol(format!("asset {id}: no `status`")))?;
    let status = canonical_status(&native)
        .or_else(|| present(&asset.status_maxvalue).and_then(|v| canonical_status(&v)))
        .ok_or_else(|| {
            ConnectorError::protocol(format!(
                "asset {id}: status {native:?} is no LOCASSETSTATUS value (OPERATING, NOT \
                 READY, DECOMMISSIONED, IMPORTED or a shipped synonym)"
            ))
        })?;
    let site = present(&asset.siteid);
    let data = Asset {
        number: asset.assetnum.clone().unwrap_or_default(),
        name: present(&asset.description).unwrap_or_default(),
        status,
        category: present(&asset.assettype),
        location: present(&asset.location),
        parent_remote_id: present(&asset.parent).map(|parent| match &site {
            Some(site) => format!("{parent}/{site}"),
            None => parent,
        }),
        site,
        manufacturer: present(&asset.manufacturer),
        model: None,
        serial_number: present(&asset.serialnum),
        installed_on: asset.installdate.map(MxDateTime::date),
        acquisition_cost: asset.purchaseprice.map(|p| p.0).filter(|p| !p.is_zero()),
        currency: None,
    };
    Ok(RemoteRecord {
        remote_id: id,
        remote_created_at: None,
        remote_updated_at: changed.utc(),
        remote_version: asset.rowstamp.map(|r| r.0),
        data: EntityData::Asset(data),
        raw: Some(raw),
    })
}

/// The body of `POST mxapiasset`, or every reason it cannot be built.
pub(crate) fn asset_payload(
    asset: &NewAsset,
    defaults: &Defaults,
) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(asset.validate());
    let mut body = Map::new();
    let site = present(&asset.site);
    let parent = asset.parent_remote_id.as_deref().map(split_reference);
    if let Some((_, Some(parent_site))) = &parent {
        let site = site.as_ref().or(defaults.siteid.as_ref());
        p.require(
            site.is_none_or(|s| s.eq_ignore_ascii_case(parent_site)),
            "$.parent_remote_id",
            format!(
                "is an asset of site {parent_site}; a parent must be at the asset's site ({})",
                site.map_or("", String::as_str)
            ),
        );
    }
    p.require(asset.model.is_none(), "$.model", NO_MODEL);
    put(&mut body, "assetnum", present(&asset.number));
    put(&mut body, "description", present(&Some(asset.name.clone())));
    put(&mut body, "assettype", present(&asset.category));
    let parent_site = parent.as_ref().and_then(|(_, s)| s.clone());
    put(
        &mut body,
        "siteid",
        site.clone()
            .or_else(|| defaults.siteid.clone())
            .or(parent_site),
    );
    put(&mut body, "location", present(&asset.location));
    put(&mut body, "parent", parent.map(|(code, _)| code));
    put(&mut body, "manufacturer", present(&asset.manufacturer));
    put(&mut body, "serialnum", present(&asset.serial_number));
    let mut canonical = vec![("description", "$.name")];
    for (set, attr, path) in [
        (asset.number.is_some(), "assetnum", "$.number"),
        (asset.category.is_some(), "assettype", "$.category"),
        (asset.site.is_some(), "siteid", "$.site"),
        (asset.location.is_some(), "location", "$.location"),
        (
            asset.parent_remote_id.is_some(),
            "parent",
            "$.parent_remote_id",
        ),
        (
            asset.manufacturer.is_some(),
            "manufacturer",
            "$.manufacturer",
        ),
        (
            asset.serial_number.is_some(),
            "serialnum",
            "$.serial_number",
        ),
    ] {
        if set {
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        asset.remote_fields.as_ref(),
        &canonical,
        &[
            ("status", STATUS),
            ("statusdate", "is set by Maximo with the status"),
            ("assetid", "is numbered by Maximo"),
            ("assetuid", "is numbered by Maximo"),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

/// The body of the merge that changes an asset, or every reason it cannot be built. Only the
/// fields the patch names are sent; an empty string clears an attribute.
pub(crate) fn asset_changes(patch: &AssetPatch) -> Result<Value, Vec<FieldError>> {
    let mut p = Problems(patch.validate());
    p.require(patch.model.is_none(), "$.model", NO_MODEL);
    let mut body = Map::new();
    let mut canonical = Vec::new();
    for (value, attr, path) in [
        (&patch.name, "description", "$.name"),
        (&patch.location, "location", "$.location"),
        (&patch.manufacturer, "manufacturer", "$.manufacturer"),
        (&patch.serial_number, "serialnum", "$.serial_number"),
    ] {
        if let Some(value) = value {
            body.insert(attr.to_owned(), Value::String(value.trim().to_owned()));
            canonical.push((attr, path));
        }
    }
    p.remote_fields(
        &mut body,
        patch.remote_fields.as_ref(),
        &canonical,
        &[
            ("assetnum", "is the asset's key and does not change"),
            ("siteid", "is the asset's key and does not change"),
            ("status", STATUS),
            ("statusdate", "is set by Maximo with the status"),
            ("assetid", "is numbered by Maximo"),
            ("assetuid", "is numbered by Maximo"),
        ],
    );
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::mapping::test_support::{members, now};
    use crate::test_support::{assert_keeps_raw, asset_of, protocol_detail, reviewed_page};
    use mw_model::Entity;
    use proptest::prelude::*;
    use serde_json::json;

    const PAGE: &str = include_str!("../../../../../fixtures/protocol/maximo/assets.json");

    #[test]
    fn realistic_assets_map_as_reviewed() {
        let records = reviewed_page(members(PAGE), |raw| asset_record(raw, now()));
        insta::assert_json_snapshot!("assets", records);
    }

    #[test]
    fn raw_is_the_native_object() {
        assert_keeps_raw(
            members(PAGE).remove(0),
            |raw| asset_record(raw, now()),
            Entity::Assets,
        );
    }

    #[test]
    fn statuses_and_their_synonyms() {
        assert_eq!(canonical_status("OPERATING"), Some(AssetStatus::Active));
        assert_eq!(canonical_status("Not Ready"), Some(AssetStatus::Inactive));
        assert_eq!(
            canonical_status("SEALED"),
            Some(AssetStatus::Decommissioned)
        );
        assert_eq!(canonical_status("RUNNING"), None);
        let mut raw = members(PAGE).remove(0);
        raw["status"] = json!("RUNNING");
        assert!(asset_record(raw.clone(), now()).is_err());
        raw["status_maxvalue"] = json!("OPERATING");
        let record = asset_record(raw, now()).unwrap();
        assert_eq!(asset_of(&record).status, AssetStatus::Active);
    }

    #[test]
    fn broken_records_name_the_field() {
        let detail = |raw: Value| protocol_detail(asset_record(raw, now()));
        let mut raw = members(PAGE).remove(0);
        raw["purchaseprice"] = json!("a lot");
        let d = detail(raw);
        assert!(
            d.contains("purchaseprice") && d.contains("11430/BEDFORD"),
            "{d}"
        );
        let mut raw = members(PAGE).remove(0);
        raw.as_object_mut().unwrap().remove("siteid");
        assert!(detail(raw).contains("siteid"));
    }

    #[test]
    fn new_assets_carry_what_maximo_reads() {
        let asset = NewAsset {
            number: Some("P-7001".into()),
            name: "Centrifugal pump P-7001".into(),
            category: Some("PUMP".into()),
            site: None,
            location: Some("BR430".into()),
            parent_remote_id: Some("P-7000/BEDFORD".into()),
            manufacturer: Some("KSB".into()),
            model: None,
            serial_number: Some("KSB-2019-004711".into()),
            remote_fields: json!({"vendor": "ACME"}).as_object().cloned(),
        };
        let defaults = Defaults {
            siteid: Some("BEDFORD".into()),
            ..Defaults::default()
        };
        assert_eq!(
            asset_payload(&asset, &defaults).unwrap(),
            json!({"assetnum": "P-7001", "description": "Centrifugal pump P-7001",
                "assettype": "PUMP", "siteid": "BEDFORD", "location": "BR430",
                "parent": "P-7000", "manufacturer": "KSB", "serialnum": "KSB-2019-004711",
                "vendor": "ACME"})
        );
        let wrong = NewAsset {
            site: Some("NASHUA".into()),
            model: Some("Etanorm".into()),
            remote_fields: json!({"status": "OPERATING", "ASSETNUM": "X"})
                .as_object()
                .cloned(),
            ..asset
        };
        let paths: Vec<String> = asset_payload(&wrong, &defaults)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "$.parent_remote_id",
                "$.model",
                "$.remote_fields.ASSETNUM",
                "$.remote_fields.status"
            ]
        );
    }

    #[test]
    fn changes_send_only_what_the_patch_names() {
        let patch = AssetPatch {
            name: Some("Pump P-101 (spare)".into()),
            serial_number: Some(String::new()),
            ..AssetPatch::default()
        };
        assert_eq!(
            asset_changes(&patch).unwrap(),
            json!({"description": "Pump P-101 (spare)", "serialnum": ""})
        );
        let patch = AssetPatch {
            model: Some("GA 37".into()),
            remote_fields: json!({"siteid": "NASHUA", "glaccount": "6000"})
                .as_object()
                .cloned(),
            ..AssetPatch::default()
        };
        let paths: Vec<String> = asset_changes(&patch)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["$.model", "$.remote_fields.siteid"]);
    }

    // ---- properties ----

    fn any_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::String),
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9][+-]0[0-9]:00"
                .prop_map(Value::String),
            prop_oneof![Just("OPERATING"), Just("NOT READY"), Just("X")].prop_map(|s| json!(s)),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ]
    }

    fn any_asset() -> impl Strategy<Value = Value> {
        let names = [
            "assetnum",
            "siteid",
            "description",
            "status",
            "status_maxvalue",
            "assettype",
            "location",
            "parent",
            "serialnum",
            "installdate",
            "purchaseprice",
            "changedate",
            "_rowstamp",
        ];
        proptest::collection::vec(proptest::option::of(any_value()), names.len()).prop_map(
            move |values| {
                Value::Object(
                    names
                        .iter()
                        .zip(values)
                        .filter_map(|(n, v)| v.map(|v| ((*n).to_owned(), v)))
                        .collect(),
                )
            },
        )
    }

    proptest! {
        #[test]
        fn mapping_never_panics(raw in any_asset()) {
            if let Ok(record) = asset_record(raw, now()) {
                let a = asset_of(&record);
                let prefix = format!("{}/", a.number);
                prop_assert!(record.remote_id.starts_with(&prefix));
                prop_assert!(a.acquisition_cost.is_none_or(|c| !c.is_zero()));
            }
        }

        #[test]
        fn assets_as_maximo_prints_them_always_map(
            number in "[A-Z0-9-]{1,12}",
            site in "[A-Z]{3,8}",
            price in proptest::option::of((0i64..10_000_000, 0u32..=2)),
            status in prop_oneof![Just("OPERATING"), Just("NOT READY"), Just("DECOMMISSIONED"),
                Just("ACTIVE"), Just("BROKEN"), Just("SEALED")],
        ) {
            let mut raw = json!({"assetnum": number, "siteid": site, "status": status,
                "changedate": "2024-02-01T03:00:02-05:00", "_rowstamp": "36654"});
            if let Some((m, s)) = price {
                raw["purchaseprice"] = crate::maximo::wire::number_of_decimal(mw_model::Decimal::new(m, s)).unwrap();
            }
            let record = match asset_record(raw.clone(), now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let a = asset_of(&record);
            prop_assert_eq!(&record.remote_id, &format!("{number}/{site}"));
            prop_assert_eq!(record.remote_version.as_deref(), Some("36654"));
            if let Some((m, s)) = price.filter(|(m, _)| *m != 0) {
                prop_assert_eq!(a.acquisition_cost, Some(mw_model::Decimal::new(m, s).normalize()));
            }
        }

        #[test]
        fn create_payload_round_trips(
            name in "[A-Za-z][ -~]{0,60}[A-Za-z]",
            number in proptest::option::of("[A-Z0-9-]{1,12}"),
            site in "[A-Z]{3,8}",
            category in proptest::option::of("[A-Z]{2,8}"),
            serial in proptest::option::of("[A-Z0-9-]{1,20}"),
        ) {
            let asset = NewAsset {
                number: number.clone(), name: name.clone(), category: category.clone(),
                site: Some(site.clone()), location: None, parent_remote_id: None,
                manufacturer: None, model: None, serial_number: serial.clone(), remote_fields: None,
            };
            let mut echoed = match asset_payload(&asset, &Defaults::default()) {
                Ok(body) => body,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            echoed["assetnum"] = json!(number.clone().unwrap_or_else(|| "1001".into()));
            echoed["status"] = json!("NOT READY");
            echoed["changedate"] = json!("2024-02-01T03:00:02-05:00");
            let record = match asset_record(echoed, now()) {
                Ok(record) => record,
                Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
            };
            let a = asset_of(&record);
            prop_assert_eq!(&a.name, name.trim());
            prop_assert_eq!(&a.category, &category);
            prop_assert_eq!(a.site.as_deref(), Some(site.as_str()));
            prop_assert_eq!(&a.serial_number, &serial);
            prop_assert_eq!(a.status, AssetStatus::Inactive);
        }
    }
}
