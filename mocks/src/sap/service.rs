//! What an OData service of the SAP emulator provides to the generic route handler.
//!
//! The handler owns the protocol (paths, query options, paging, envelopes, CSRF, auth); a
//! service owns its model, its data and its business rules. New SAP services (maintenance
//! orders, equipment, …) implement this trait and register in `sap::build`.

use super::odata::body::EntityPayload;
use super::odata::edm::{EntitySet, Navigation, ServiceDef};
use super::odata::engine::{Row, RowSource};
use super::odata::error::ODataError;
use super::odata::function::{Arguments, FunctionImport, FunctionResult};
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

    /// The schema namespace of `$metadata` and `__metadata.type`: the service name for classic
    /// services, a CDS name for CDS-based ones (`cds_api_maintenanceorder_2`).
    fn namespace(&self) -> &'static str {
        self.definition().name
    }

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

    /// The function imports the service declares in `$metadata` and answers.
    fn function_imports(&self) -> &'static [FunctionImport] {
        &[]
    }

    /// Runs one of [`ODataService::function_imports`]; `arguments` already match its
    /// declaration (types, mandatory parameters).
    fn call_function(
        &self,
        context: &WriteContext,
        function: &'static FunctionImport,
        arguments: &Arguments,
    ) -> Result<FunctionResult, ODataError> {
        let _ = (context, arguments);
        Err(ODataError::resource_not_found(function.name))
    }

    /// Whether entities of a set that is not creatable on its own (`sap:creatable="false"`) may
    /// be created through `navigation` from their parent, as SAP's insert restrictions allow for
    /// maintenance order operations.
    fn creatable_through(&self, navigation: &Navigation) -> bool {
        let _ = navigation;
        false
    }

    /// A copy of the service's writable state (its overlays), taken before a `$batch`
    /// changeset so that a failing changeset can be undone. `None`: the service cannot undo,
    /// and its changesets are limited to one operation (trivially all or nothing).
    fn checkpoint(&self) -> Option<Checkpoint> {
        None
    }

    /// Puts back the state of a [`ODataService::checkpoint`] taken by this service.
    fn restore(&self, checkpoint: Checkpoint) {
        let _ = checkpoint;
    }
}

/// An opaque copy of one service's writable state.
pub(crate) type Checkpoint = Box<dyn std::any::Any + Send>;
