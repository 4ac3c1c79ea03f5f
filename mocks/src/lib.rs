//! Protocol-faithful emulators of the industrial systems Millwright connects to.
//!
//! Each emulator is an HTTP server speaking the system's own protocol (this round: SAP S/4HANA's
//! OData v2 purchase order service) over data generated deterministically from a seed and a
//! volume [`Profile`], plus an admin API under `/__admin` (virtual clock, churn, ground truth,
//! native records, request journal, fault plans) that the conformance harness uses to check a
//! connector.
//!
//! Nothing here is shared with the connectors in `unified/`: an emulator that shared code with
//! the client it tests would hide that client's mistakes.
//!
//! ```no_run
//! # async fn run() -> Result<(), mw_mocks::MockError> {
//! use mw_mocks::{EmulatorOptions, Profile, SystemKind, serve};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(mw_mocks::MockError::Listener)?;
//! let options = EmulatorOptions {
//!     system: SystemKind::Sap,
//!     profile: Profile::builtin("tiny")?,
//!     seed: 7,
//!     faults: Some(mw_mocks::FaultPlan::builtin("server-errors")?),
//! };
//! let emulator = serve(options, listener).await?;
//! println!("{}", emulator.manifest_entry());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Layout: `clock` (virtual time), `profile` (volumes), `admin` (the `/__admin` router and
//! the per-system trait behind it), `journal` (request log middleware), `faults` (fault plans
//! and the middleware that applies them to every emulator), `sap` (the SAP
//! emulator: routes, auth, OData machinery, data generation), `maximo` (the IBM Maximo
//! emulator: OSLC JSON API, `oslc.where` parser, data generation), `netsuite` (the Oracle
//! NetSuite emulator: REST record API, SuiteQL parser, token-based auth, concurrency limit).

mod clock;
mod error;
mod profile;

mod admin;
mod faults;
mod journal;
mod maximo;
mod netsuite;
mod sap;
mod server;

use std::fmt;
use std::str::FromStr;

pub use error::MockError;
pub use faults::FaultPlan;
pub use profile::MaximoSettings;
pub use profile::NetSuiteSettings;
pub use profile::{
    MaintenanceOrderVolume, MasterDataVolume, Profile, PurchaseOrderVolume, SapSettings,
};
pub use server::{RunningEmulator, serve};

/// Which system an emulator speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SystemKind {
    Sap,
    /// IBM Maximo (OSLC JSON API).
    Maximo,
    /// Oracle NetSuite (SuiteTalk REST: record API, SuiteQL; token-based auth).
    NetSuite,
}

impl SystemKind {
    /// The manifest name: `sap`, `maximo`.
    pub fn as_str(self) -> &'static str {
        match self {
            SystemKind::Sap => "sap",
            SystemKind::Maximo => "maximo",
            SystemKind::NetSuite => "netsuite",
        }
    }
}

impl fmt::Display for SystemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SystemKind {
    type Err = MockError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sap" => Ok(SystemKind::Sap),
            "maximo" => Ok(SystemKind::Maximo),
            "netsuite" => Ok(SystemKind::NetSuite),
            _ => Err(MockError::UnknownSystem(text.to_owned())),
        }
    }
}

/// How to start an emulator.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    pub system: SystemKind,
    pub profile: Profile,
    /// Same seed and profile, same data, on every machine.
    pub seed: u64,
    /// A fault plan installed from the start (the admin API can replace or clear it); rules
    /// naming another `system` never fire here.
    pub faults: Option<FaultPlan>,
}
