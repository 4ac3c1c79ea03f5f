//! The native shape of an `INVENTORY` record in `mxapiinventory` (lean JSON): one item in one
//! storeroom. `curbal` is the storeroom's current balance (the sum of its bins and lots);
//! `statusdate` is the record's only timestamp and moves with the item status, not with the
//! balance, so inventory has no change stamp to be incremental on.

use crate::maximo::wire::{MxDecimal, Rowstamp};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Inventory {
    pub(crate) itemnum: Option<String>,
    pub(crate) itemsetid: Option<String>,
    /// The storeroom.
    pub(crate) location: Option<String>,
    pub(crate) siteid: Option<String>,
    pub(crate) curbal: Option<MxDecimal>,
    /// The unit stock is issued (and counted) in.
    pub(crate) issueunit: Option<String>,
    #[serde(rename = "_rowstamp")]
    pub(crate) rowstamp: Option<Rowstamp>,
}
