//! The native shape of an `ASSET` in `mxapiasset` (lean JSON): the attributes the asset mapping
//! reads. Children (`assetmeter`, `assetspec`, …) and everything else are kept in `raw` only.

use crate::maximo::wire::{MxDateTime, MxDecimal, Rowstamp};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Asset {
    pub(crate) assetnum: Option<String>,
    pub(crate) siteid: Option<String>,
    pub(crate) description: Option<String>,
    /// A `LOCASSETSTATUS` value or one of its synonyms.
    pub(crate) status: Option<String>,
    /// The internal value of `status`, sent with `internalvalues=1`.
    pub(crate) status_maxvalue: Option<String>,
    pub(crate) assettype: Option<String>,
    pub(crate) location: Option<String>,
    /// The parent asset's `assetnum`, at the same site.
    pub(crate) parent: Option<String>,
    /// A company of type manufacturer.
    pub(crate) manufacturer: Option<String>,
    pub(crate) serialnum: Option<String>,
    pub(crate) installdate: Option<MxDateTime>,
    /// In the organisation's base currency, which the asset does not name; 0 when never set.
    pub(crate) purchaseprice: Option<MxDecimal>,
    pub(crate) changedate: Option<MxDateTime>,
    #[serde(rename = "_rowstamp")]
    pub(crate) rowstamp: Option<Rowstamp>,
}
