//! Connectors: one module per source system, all behind the [`Connector`] trait.
//!
//! A connector speaks one system's protocol (paging, auth, errors) and maps its records to the
//! canonical model in [`mw_model`]. It knows nothing of the store or the HTTP server: the sync
//! engine drives it through [`Connector`] alone, and the API server asks [`connect`] for one.
//!
//! Every system module has the same inner shape: `client` (requests and paging), `auth`,
//! `mapping` (native ⇄ canonical) and `wire` (the native JSON shapes). What every connector does
//! the same way lives here once: [`http`] (sending a request, reading the answer, what a refusal
//! means by its status), `native` (reading native JSON), `cursor` (resume cursors) and `config`
//! (the base URL and credentials of a connection).

mod capabilities;
mod config;
mod connector;
mod cursor;
mod error;
pub mod http;
pub mod maximo;
mod native;
pub mod netsuite;
pub mod resilience;
pub mod sap;
#[cfg(test)]
mod test_support;

pub use capabilities::{Capabilities, ChangeTracking, EntityCapability, Operation};
pub use connector::{Connector, Page, PageQuery, SourceInfo};
pub(crate) use error::Problems;
pub use error::{ConnectorError, Upstream};

use mw_model::System;
use serde_json::Value;

/// Settings every connector understands, taken from the connection's `settings`.
#[derive(Clone, Debug)]
pub struct ConnectorConfig {
    /// The system's root URL, e.g. `https://my123456-api.s4hana.cloud.sap` or the emulator's.
    pub base_url: String,
    /// The credential fields of the system's manifest entry, as the client sent them.
    pub credentials: Value,
    /// System-specific settings (defaults for writes and the like), as the client sent them.
    pub settings: Value,
    pub http: http::HttpConfig,
}

/// Builds the connector for `system`. Fails with [`ConnectorError::InvalidConfig`] when the
/// credentials or settings lack what the system needs; it does not contact the system (use
/// [`Connector::verify`] for that).
pub fn connect(
    system: System,
    config: ConnectorConfig,
) -> Result<Box<dyn Connector>, ConnectorError> {
    match system {
        System::Sap => Ok(Box::new(sap::SapConnector::new(config)?)),
        System::Netsuite => Ok(Box::new(netsuite::NetsuiteConnector::new(config)?)),
        System::Maximo => Ok(Box::new(maximo::MaximoConnector::new(config)?)),
    }
}
