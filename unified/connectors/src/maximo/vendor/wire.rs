//! The native shape of a `COMPANIES` record in `mxapivendor` (lean JSON): the attributes the
//! vendor mapping reads. Contacts and everything else are kept in `raw` only.

use crate::maximo::wire::{MxBool, MxDateTime, Rowstamp};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Company {
    pub(crate) company: Option<String>,
    pub(crate) orgid: Option<String>,
    pub(crate) name: Option<String>,
    /// The company type (`V` vendor, `M` manufacturer, `C` courier, as configured).
    #[serde(rename = "type")]
    pub(crate) company_type: Option<String>,
    /// A disabled company cannot be used on new transactions.
    pub(crate) disabled: Option<MxBool>,
    pub(crate) currencycode: Option<String>,
    pub(crate) paymentterms: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) address1: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) stateprovince: Option<String>,
    pub(crate) zip: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) changedate: Option<MxDateTime>,
    #[serde(rename = "_rowstamp")]
    pub(crate) rowstamp: Option<Rowstamp>,
}
