//! Integration tests of the Maximo emulator over HTTP, against servers on 127.0.0.1:0.
//!
//! One test binary (modules below) keeps link time down on small machines.

mod admin;
mod auth;
mod common;
mod enterprise;
mod plant;
mod queries;
mod reads;
mod snapshots;
mod writes;
