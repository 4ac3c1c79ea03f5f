//! The native shape of a `WORKORDER` in `mxapiwodetail` (lean JSON): the attributes the work-order
//! mapping reads. Everything else Maximo sends (`*_description` companions, costs, `plus*`
//! industry attributes, child collections) is ignored here and kept in the record's `raw`.

use crate::maximo::wire::{MxDateTime, MxInteger, Rowstamp};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WorkOrder {
    pub(crate) wonum: Option<String>,
    pub(crate) siteid: Option<String>,
    /// The short description (the work order's title).
    pub(crate) description: Option<String>,
    /// The long description, when selected and set.
    pub(crate) description_longdescription: Option<String>,
    /// The status as the user's language shows it (a synonym of a `WOSTATUS` value).
    pub(crate) status: Option<String>,
    /// The internal `WOSTATUS` value, sent with `internalvalues=1`.
    pub(crate) status_maxvalue: Option<String>,
    pub(crate) worktype: Option<String>,
    pub(crate) wopriority: Option<MxInteger>,
    pub(crate) assetnum: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) targstartdate: Option<MxDateTime>,
    pub(crate) targcompdate: Option<MxDateTime>,
    pub(crate) schedstart: Option<MxDateTime>,
    pub(crate) schedfinish: Option<MxDateTime>,
    pub(crate) actstart: Option<MxDateTime>,
    pub(crate) actfinish: Option<MxDateTime>,
    /// When the work was reported: the work order's creation.
    pub(crate) reportdate: Option<MxDateTime>,
    /// The change stamp incremental reads filter and order on.
    pub(crate) changedate: Option<MxDateTime>,
    #[serde(rename = "_rowstamp")]
    pub(crate) rowstamp: Option<Rowstamp>,
}
