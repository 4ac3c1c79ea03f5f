//! The native shape of `API_EQUIPMENT`'s `EquipmentType`: the properties the asset mapping and
//! the writes use.
//!
//! The key is composite, `Equipment` + `ValidityEndDate`: equipment is kept in time slices, and
//! the current slice ends on 9999-12-31. Types and lengths follow the service's `$metadata`;
//! read-only properties (`FunctionalLocation`, the flags, the stamps) are never serialised.

use crate::sap::wire::{EdmDecimal, ODataDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Equipment {
    /// The key, String(18); sent on create only when the client numbers the equipment itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) equipment: Option<String>,
    /// The end of the time slice (`Edm.DateTime`, date); 9999-12-31 for the current one.
    #[serde(default, skip_serializing)]
    pub(crate) validity_end_date: Option<ODataDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) equipment_name: Option<String>,
    /// One character, e.g. `M` (machines), `Q`, `S`; decides the equipment's screens and
    /// numbering in SAP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) equipment_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) technical_object_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maintenance_plant: Option<String>,
    /// Where the equipment is installed; set by SAP's install function imports, read-only here.
    #[serde(default, skip_serializing)]
    pub(crate) functional_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) superordinate_equipment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) asset_manufacturer_name: Option<String>,
    /// The manufacturer's model number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) manufacturer_part_type_name: Option<String>,
    /// The serial number on the manufacturer's nameplate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) manufacturer_serial_number: Option<String>,
    /// SAP's own serial number of a serialised material; needs `Material` and a serial number
    /// profile, so it is read but never written.
    #[serde(default, skip_serializing)]
    pub(crate) serial_number: Option<String>,
    /// `Edm.Decimal(13,3)` in `Currency`.
    #[serde(default, skip_serializing)]
    pub(crate) acquisition_value: Option<EdmDecimal>,
    #[serde(default, skip_serializing)]
    pub(crate) currency: Option<String>,
    /// The start-up date of the technical object (`Edm.DateTime`, date).
    #[serde(default, skip_serializing)]
    pub(crate) operation_start_date: Option<ODataDate>,
    #[serde(default, skip_serializing)]
    pub(crate) creation_date: Option<ODataDate>,
    /// The change stamp incremental reads filter and order on (`Edm.DateTimeOffset`, seconds).
    #[serde(default, skip_serializing)]
    pub(crate) last_change_date_time: Option<ODataDate>,
    #[serde(default, skip_serializing)]
    pub(crate) equipment_is_marked_for_deletion: Option<bool>,
    #[serde(default, skip_serializing)]
    pub(crate) equipment_is_inactive: Option<bool>,
}
