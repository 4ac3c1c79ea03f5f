//! The native shape of a `PO` in `mxapipo` (lean JSON) with its `poline` children: the attributes
//! the purchase-order mapping reads. Terms, costs and status history are kept in `raw` only.

use crate::maximo::wire::{MxDateTime, MxDecimal, MxInteger, Rowstamp};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PurchaseOrder {
    pub(crate) ponum: Option<String>,
    /// 0 for the original; each revision is a record of its own.
    pub(crate) revisionnum: Option<MxInteger>,
    pub(crate) siteid: Option<String>,
    pub(crate) orgid: Option<String>,
    /// A `POSTATUS` value or synonym.
    pub(crate) status: Option<String>,
    pub(crate) status_maxvalue: Option<String>,
    /// The vendor's company code, in the purchase order's organisation.
    pub(crate) vendor: Option<String>,
    pub(crate) orderdate: Option<MxDateTime>,
    pub(crate) currencycode: Option<String>,
    pub(crate) paymentterms: Option<String>,
    pub(crate) changedate: Option<MxDateTime>,
    #[serde(rename = "_rowstamp")]
    pub(crate) rowstamp: Option<Rowstamp>,
    pub(crate) poline: Option<Vec<PoLine>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PoLine {
    pub(crate) polinenum: Option<MxInteger>,
    pub(crate) itemnum: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) orderqty: Option<MxDecimal>,
    pub(crate) orderunit: Option<String>,
    pub(crate) unitcost: Option<MxDecimal>,
    pub(crate) receivedqty: Option<MxDecimal>,
    /// The storeroom the line is received into.
    pub(crate) storeloc: Option<String>,
    /// The date the vendor promised.
    pub(crate) vendeliverydate: Option<MxDateTime>,
    /// The date the buyer asked for.
    pub(crate) reqdeliverydate: Option<MxDateTime>,
}
