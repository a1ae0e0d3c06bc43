//! Port lists and ranges (`22,80-90,http`, `-`), and single ports.
#![cfg_attr(fuzzing, no_main)]
use std::str::FromStr;

#[path = "common.rs"]
mod common;
use common::{check, text};

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Some(spec) = check(netkit::api::addr::ports::PortSpec::from_str(t)) {
        static DB: std::sync::OnceLock<netkit::api::addr::services::ServiceDb> =
            std::sync::OnceLock::new();
        let db = DB.get_or_init(|| {
            netkit::api::addr::services::ServiceDb::parse(
                netkit::api::addr::services::BUILTIN,
                netkit::api::addr::netdb::DbSource::Builtin,
            )
        });
        if let Some(ports) = check(spec.resolve(db, "tcp")) {
            assert!(ports.len() <= 65_536);
            // In the order given, each port once.
            let mut sorted = ports.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), ports.len(), "{t}: a port twice");
        }
    }
    check(netkit::api::addr::target::parse_port(t, t));
}
