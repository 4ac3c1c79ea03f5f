//! The crate's error type: everything that can stop an emulator from starting.
//!
//! Refusals of individual requests are not errors of the crate; they are answers in the
//! emulated system's own format (SAP's OData error envelope, the admin API's `{"error":…}`).

use std::path::PathBuf;

/// Why an emulator could not be configured or started.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The system name is not one this crate emulates.
    #[error("unknown system {0:?}; known systems: sap, maximo, netsuite")]
    UnknownSystem(String),
    /// No built-in profile has this name.
    #[error("unknown built-in profile {0:?}; built-in profiles: tiny, plant, enterprise")]
    UnknownProfile(String),
    /// A profile file could not be read.
    #[error("failed to read profile {path}: {source}")]
    ProfileRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A profile is not valid TOML of the expected shape.
    #[error("failed to parse profile {origin}: {source}")]
    ProfileParse {
        origin: String,
        #[source]
        source: toml::de::Error,
    },
    /// A profile parsed but its figures do not make sense.
    #[error("invalid profile {origin}: {reason}")]
    ProfileInvalid { origin: String, reason: String },
    /// No built-in fault plan has this name.
    #[error("unknown built-in fault plan {name:?}; built-in plans: {known}")]
    UnknownFaultPlan { name: String, known: String },
    /// A fault plan file could not be read.
    #[error("failed to read fault plan {path}: {source}")]
    FaultPlanRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A fault plan is not valid TOML or JSON of the plan's shape, or a rule makes no sense;
    /// `reason` names the rule and the field.
    #[error("invalid fault plan {origin}: {reason}")]
    FaultPlanInvalid { origin: String, reason: String },
    /// The listener's local address could not be read.
    #[error("failed to read the listener's address: {0}")]
    Listener(#[source] std::io::Error),
}
