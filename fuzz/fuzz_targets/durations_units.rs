//! Durations (`1.5s`, `250ms`, `2m`), timeouts, sizes (`1GiB`, `64k`),
//! percents, rates: every numeric flag with a unit.
#![cfg_attr(fuzzing, no_main)]

#[path = "common.rs"]
mod common;
use common::{check, short_line, text};

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Some(t) = text(data) else { return };
    use netkit::api::value::*;
    if let Some(d) = check(parse_duration(t)) {
        // Whatever parses can be added to now without overflow.
        let _ = std::time::Instant::now()
            .checked_add(d)
            .expect("absurd duration accepted");
    }
    if let Some(d) = check(parse_timeout(t)) {
        let _ = std::time::Instant::now()
            .checked_add(d)
            .expect("absurd timeout accepted");
    }
    check(parse_size(t));
    for r in [parse_percent(t), parse_positive(t), parse_rate(t)] {
        match r {
            Ok(v) => assert!(v.is_finite() && v >= 0.0, "{t} -> {v}"),
            Err(e) => short_line(e),
        }
    }
}
