//! Support shared by the hostile-input tests (`tests/hostile_*.rs` here and in the hw crates,
//! which include this folder with `#[path]`) and by the cargo-fuzz targets in `fuzz/`: seeded
//! damage to real files ([`mutate`]), where an HDF5 file's parts lie ([`layout`]), the time and
//! allocation guard around each load ([`guard`]), the property every load must have
//! ([`oracle`]), hostile command lines ([`cli`]) and the tables of docs/reference/reliability.md
//! ([`report`]).

// Each including crate uses a different part of this module.
#![allow(dead_code)]

pub mod cli;
pub mod guard;
pub mod layout;
pub mod mutate;
pub mod oracle;
pub mod report;
