//! services(5) and protocols(5) files given with --db: the fast byte
//! parser must agree with the general one on every input.
#![cfg_attr(fuzzing, no_main)]
use netkit::api::addr::netdb::DbSource;
use netkit::api::addr::proto::ProtoDb;
use netkit::api::addr::services::ServiceDb;

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Ok(t) = std::str::from_utf8(data) else {
        return;
    };
    // The table borrows its text for the life of the process; leak a copy
    // and take it back afterwards so the fuzzer does not grow.
    let leaked: &'static str = Box::leak(t.to_owned().into_boxed_str());
    {
        let fast = ServiceDb::parse(leaked, DbSource::Builtin);
        let general = ServiceDb::parse_general(leaked, DbSource::Builtin);
        assert_eq!(fast.entries, general.entries, "entries differ");
        assert_eq!(
            fast.skipped.len(),
            general.skipped.len(),
            "skipped lines differ"
        );
        for e in &fast.entries {
            let _ = fast.by_name(e.name, None);
        }
        let p = ProtoDb::parse(t, DbSource::Builtin);
        let _ = p.listing();
        let mut fields = Vec::new();
        for line in netkit::api::addr::netdb::lines(t) {
            netkit::api::addr::netdb::fields_into(line, &mut fields);
            assert_eq!(fields, netkit::api::addr::netdb::fields(line));
        }
    }
    // SAFETY: `leaked` came from Box::leak above and nothing borrows it now.
    unsafe { drop(Box::from_raw(leaked as *const str as *mut str)) };
}
