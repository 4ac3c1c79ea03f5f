//! Integration tests of the SAP emulator over HTTP, against servers on 127.0.0.1:0.
//!
//! One test binary (modules below) keeps link time down on small machines.

mod admin;
mod batch;
mod business_partner;
mod common;
mod enterprise;
mod equipment;
mod etag;
mod http;
mod inventory;
mod maintenance;
mod plant;
mod pm_admin;
mod pm_common;
mod pm_snapshots;
mod queries;
mod schedule_lines;
mod snapshots;
mod supply_common;
mod supply_snapshots;
