//! Integration tests of the NetSuite emulator over HTTP, against servers on 127.0.0.1:0.
//!
//! Every request is signed by `common::oauth`, an OAuth 1.0a implementation written here from
//! RFC 5849 (not the emulator's verifier), with the host's real clock — as a standard client
//! library signs. One test binary keeps link time down on small machines.

mod admin;
mod auth;
mod common;
mod enterprise;
mod governance;
mod oauth2;
mod records;
mod snapshots;
mod suiteql;
mod writes;
