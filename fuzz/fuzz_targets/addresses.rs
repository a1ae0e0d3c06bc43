//! Every address-shaped argument: HOST[:PORT], names, CIDR blocks, scan
//! targets, DNS servers and names, multicast groups, URLs, proxies, bytes.
#![cfg_attr(fuzzing, no_main)]
use netkit::api::addr::cidr::Cidr;
use std::str::FromStr;

#[path = "common.rs"]
mod common;
use common::{check, text};

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The built-in services table, for scan targets' port names.
fn services() -> &'static netkit::api::addr::services::ServiceDb {
    static DB: std::sync::OnceLock<netkit::api::addr::services::ServiceDb> =
        std::sync::OnceLock::new();
    DB.get_or_init(|| {
        netkit::api::addr::services::ServiceDb::parse(
            netkit::api::addr::services::BUILTIN,
            netkit::api::addr::netdb::DbSource::Builtin,
        )
    })
}

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Some(hp) = check(netkit::api::addr::parse_host_port(t)) {
        let _ = hp.with_port(80);
        let _ = hp.host.text();
    }
    check(netkit::api::addr::target::parse_name(t));
    if let Some(c) = check(Cidr::from_str(t)) {
        let size = c.size();
        let first: Vec<_> = c.addresses().take(3).collect();
        assert!(first.len() as u128 <= size.max(1));
        for ip in first {
            assert!(c.contains(ip), "{t}: {ip} outside its own block");
        }
    }
    check(netkit::api::probe::scan::parse_target(t, services()));
    check(netkit::api::dns::server::parse(t));
    check(netkit::api::dns::parse_name(t));
    check(netkit::api::mcast::McastTarget::from_str(t));
    check(netkit::api::probe::diagnose::Target::parse(t));
    check(netkit::api::probe::proxy::Proxy::from_str(t));
    check(netkit::api::addr::pack::pack(t));
    check(netkit::api::addr::pack::unpack_bytes(t));
    if let Some(b) = check(netkit::api::addr::pack::parse_byte_text(t)) {
        assert!(b.len() <= t.len(), "more bytes than text");
    }
    let _ = netkit::api::addr::pack::parse_mac(t);
    let _ = netkit::api::addr::pack::inet_aton(t);
}
