//! The harness: boots an emulator and the unified API in-process on port 0, drives the API over
//! HTTP exactly as a client would, and reads the emulator's ground truth through its admin API.
//!
//! * [`Harness`] — one emulator + one API (built in, or another implementation at a URL).
//! * [`api`] — the unified-API client; every call returns an [`api::Exchange`] kept as evidence.
//! * [`emulator`] — the admin-API client: clock, churn, ground truth, native records, journal.
//! * [`logs`] — the process's log lines, captured so checks can search them.
//! * [`truth`] — comparing what the API serves with what the emulator says must be there.
//!
//! **Invariant:** the harness learns what is correct only from the emulator, in the system's own
//! terms (ids, change timestamps, native values); it never runs a connector's mapping.

pub mod api;
mod builtin;
pub mod emulator;
pub mod logs;
pub mod truth;

pub use api::{ApiClient, Exchange};
pub use emulator::{AdminClient, GroundTruth, TruthRecord};

use builtin::BuiltIn;
use mw_mocks::{EmulatorOptions, Profile, RunningEmulator, SystemKind};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("the emulator could not start: {0}")]
    Emulator(String),
    #[error("the unified API could not start: {0}")]
    Api(String),
    #[error("{method} {url} failed: {detail}")]
    Http {
        method: String,
        url: String,
        detail: String,
    },
    #[error("{0}")]
    Unexpected(String),
}

/// Which unified API the harness drives.
#[derive(Clone, Debug)]
pub enum Target {
    /// Millwright's own API, started in-process on a free port with a fresh store.
    BuiltIn,
    /// Another implementation of the same HTTP contract.
    External { base_url: String, api_key: String },
}

#[derive(Clone, Debug)]
pub struct HarnessOptions {
    pub system: String,
    pub profile: String,
    pub seed: u64,
    pub target: Target,
}

impl HarnessOptions {
    pub fn new(system: &str, profile: &str, seed: u64) -> Self {
        HarnessOptions {
            system: system.to_owned(),
            profile: profile.to_owned(),
            seed,
            target: Target::BuiltIn,
        }
    }
}

/// A booted emulator and API. Dropping it stops both and removes the store.
pub struct Harness {
    pub options: HarnessOptions,
    pub api: ApiClient,
    pub admin: AdminClient,
    emulator: RunningEmulator,
    builtin: Option<BuiltIn>,
}

/// How long a harness call may take before it counts as hung.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

impl Harness {
    pub async fn start(options: HarnessOptions) -> Result<Harness, HarnessError> {
        let emulator = start_emulator(&options).await?;
        let admin = AdminClient::new(&emulator.admin_url)?;
        let (api, builtin) = match &options.target {
            Target::BuiltIn => {
                let builtin = BuiltIn::start().await?;
                (
                    ApiClient::new(&builtin.base_url, &builtin.api_key)?,
                    Some(builtin),
                )
            }
            Target::External { base_url, api_key } => (ApiClient::new(base_url, api_key)?, None),
        };
        Ok(Harness {
            options,
            api,
            admin,
            emulator,
            builtin,
        })
    }

    /// The emulator's manifest entry: `{"system","base_url","admin_url","credentials"}`.
    pub fn manifest_entry(&self) -> serde_json::Value {
        self.emulator.manifest_entry()
    }

    /// The credentials a client needs for the emulated system.
    pub fn credentials(&self) -> serde_json::Value {
        self.emulator.credentials.clone()
    }

    pub fn emulator_base_url(&self) -> &str {
        &self.emulator.base_url
    }

    /// The API key of a fresh second tenant, for isolation checks. Only the built-in API can
    /// mint one; against another implementation this is `None`.
    pub async fn second_tenant_key(&self) -> Result<Option<String>, HarnessError> {
        let Some(builtin) = &self.builtin else {
            return Ok(None);
        };
        let key = format!("mw_test_{}", uuid::Uuid::new_v4().simple());
        builtin
            .store
            .create_tenant("second", &key)
            .await
            .map_err(|e| HarnessError::Api(e.to_string()))?;
        Ok(Some(key))
    }

    /// Crashes the built-in API mid-whatever (its runtime dropped where it stands, as SIGKILL
    /// would) and starts it again on the same database and address. `false` against another
    /// implementation, whose process is not the harness's to kill.
    pub async fn crash_and_restart_api(&mut self) -> Result<bool, HarnessError> {
        match &mut self.builtin {
            Some(builtin) => builtin.crash_and_restart().await.map(|()| true),
            None => Ok(false),
        }
    }

    /// Whether the API under test is Millwright's own, started by this harness.
    pub fn is_builtin(&self) -> bool {
        self.builtin.is_some()
    }
}

async fn start_emulator(options: &HarnessOptions) -> Result<RunningEmulator, HarnessError> {
    let system: SystemKind = options
        .system
        .parse()
        .map_err(|e| HarnessError::Emulator(format!("{e}")))?;
    let profile =
        Profile::builtin(&options.profile).map_err(|e| HarnessError::Emulator(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| HarnessError::Emulator(e.to_string()))?;
    mw_mocks::serve(
        EmulatorOptions {
            system,
            profile,
            seed: options.seed,
            faults: None,
        },
        listener,
    )
    .await
    .map_err(|e| HarnessError::Emulator(e.to_string()))
}
