//! The fuzz targets' corpus replayed on stable: every seed and past finding
//! in `fuzz/corpus/TARGET/` goes through the target's own checks (the same
//! function the fuzzer calls, `input`), so a regression of anything the
//! fuzzer once found fails `cargo test`, nightly or not.

#![allow(dead_code, unused_attributes, clippy::duplicate_mod)]

#[path = "../../fuzz/fuzz_targets/addresses.rs"]
mod addresses;
#[path = "../../fuzz/fuzz_targets/dns_message.rs"]
mod dns_message;
#[path = "../../fuzz/fuzz_targets/durations_units.rs"]
mod durations_units;
#[path = "../../fuzz/fuzz_targets/http_head.rs"]
mod http_head;
#[path = "../../fuzz/fuzz_targets/mcast_header.rs"]
mod mcast_header;
#[path = "../../fuzz/fuzz_targets/netdb_lines.rs"]
mod netdb_lines;
#[path = "../../fuzz/fuzz_targets/ports.rs"]
mod ports;
#[path = "../../fuzz/fuzz_targets/proxy_reply.rs"]
mod proxy_reply;

/// A target's checks on one input.
type Check = fn(&[u8]);

const TARGETS: &[(&str, Check)] = &[
    ("addresses", addresses::input),
    ("dns_message", dns_message::input),
    ("durations_units", durations_units::input),
    ("http_head", http_head::input),
    ("mcast_header", mcast_header::input),
    ("netdb_lines", netdb_lines::input),
    ("ports", ports::input),
    ("proxy_reply", proxy_reply::input),
];

#[test]
fn every_fuzz_corpus_input_passes_its_targets_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut total = 0;
    for (name, check) in TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(files.len() >= 5, "{name}: {} inputs", files.len());
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let run = std::panic::catch_unwind(|| check(&data));
            assert!(run.is_ok(), "{name}: {} fails its checks", f.display());
        }
        total += files.len();
    }
    eprintln!(
        "fuzz corpus: {total} inputs replayed over {} targets",
        TARGETS.len()
    );
}
