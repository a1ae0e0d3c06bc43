//! netkit's integration tests: one binary, one module per area.

#[path = "../support/mod.rs"]
mod support;

mod assets;
mod diagnose;
mod dnssec;
mod echo;
mod fidelity;
mod fuzz;
mod fuzz_corpus;
mod hostile;
mod lookup;
mod mcast;
mod pack;
mod path;
mod portcheck;
mod props;
mod proto;
mod readme;
mod sandbox;
mod services;
mod signals;
mod snapshots;
mod spine;
