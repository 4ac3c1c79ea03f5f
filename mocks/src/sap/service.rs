//! What an OData service of the SAP emulator provides to the generic route handler.
//!
//! The handler owns the protocol (paths, query options, paging, envelopes, CSRF, auth); a
//! service owns its model, its data and its business rules. New SAP services (maintenance
//! orders, equipment, …) implement this trait and register in `sap::build`.

use super::odata::body::EntityPayload;
use super::odata::edm::{EntitySet, Navigation, ServiceDef};
use super::odata::engine::{Row, RowSource};
use super::odata::error::ODataError;
use super::odata::value::{Ticks, Value};

/// Who writes and when.
#[derive(Clone, Debug)]
pub(crate) struct WriteContext {
    /// The SAP user name, upper case.
    pub(crate) user: String,
    pub(crate) now: Ticks,
}

/// The entity a deep or navigation create hangs under.
#[derive(Clone, Debug)]
pub(crate) struct ParentRef {
    pub(crate) set: &'static EntitySet,
    pub(crate) key: Vec<Value>,
    pub(crate) navigation: &'static Navigation,
}

/// The result of a create: the new row and the rows created with it, per navigation.
#[derive(Clone, Debug)]
pub(crate) struct Created {
    pub(crate) set: &'static EntitySet,
    pub(crate) row: Row,
    pub(crate) children: Vec<(&'static Navigation, Vec<Row>)>,
    /// The success message SAP reports in the `sap-message` header, if any.
    pub(crate) message: Option<(String, String)>,
}

/// A consistent read view of a service's data.
pub(crate) trait ServiceReader {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_>;
    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row>;
    fn navigate(&self, set: &'static EntitySet, row: &[Value], navigation: &Navigation)
    -> Vec<Row>;
}

/// One OData service.
pub(crate) trait ODataService: Send + Sync {
    fn definition(&self) -> &'static ServiceDef;

    /// Runs `work` against one consistent view of the data.
    fn read(&self, work: &mut dyn FnMut(&dyn ServiceReader));

    fn create(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        parent: Option<ParentRef>,
        payload: EntityPayload,
    ) -> Result<Created, ODataError>;

    fn update(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        key: &[Value],
        payload: EntityPayload,
    ) -> Result<(), ODataError>;

    fn delete(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        key: &[Value],
    ) -> Result<(), ODataError>;
}
