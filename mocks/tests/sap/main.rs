//! Integration tests of the SAP emulator over HTTP, against servers on 127.0.0.1:0.
//!
//! One test binary (modules below) keeps link time down on small machines.

mod admin;
mod common;
mod http;
mod plant;
mod queries;
mod snapshots;
