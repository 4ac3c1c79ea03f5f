//! Integration tests of the fault layer over HTTP, against emulators on 127.0.0.1:0: every fault
//! kind on at least one system (error bodies on all three), counting rules, the admin API.
//!
//! One test binary (modules below) keeps link time down on small machines.

mod admin;
mod common;
mod counting;
mod kinds;
