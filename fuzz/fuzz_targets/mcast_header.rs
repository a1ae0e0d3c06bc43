//! Datagrams given to mcast-recv: the header decoder, then the sequence
//! tracker fed whatever sequence numbers and gaps the datagrams carry.
#![cfg_attr(fuzzing, no_main)]
use netkit::api::mcast::Header;
use netkit::api::mcast::recv::SeqTracker;
use std::time::Duration;

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    if let Some(h) = Header::decode(data) {
        let mut again = [0u8; 32];
        h.encode(&mut again);
        assert_eq!(Header::decode(&again), Some(h), "header round trip");
    }
    // The rest as a run of (sequence, microseconds since the previous).
    let mut tracker: Option<SeqTracker> = None;
    let mut seen = 0u64;
    for rec in data.chunks_exact(12) {
        let seq = u64::from_be_bytes(rec[0..8].try_into().unwrap());
        let gap = Duration::from_micros(u64::from(u32::from_be_bytes(
            rec[8..12].try_into().unwrap(),
        )));
        seen += 1;
        match tracker.as_mut() {
            None => tracker = Some(SeqTracker::new(seq)),
            Some(t) => {
                let _ = t.record_after(seq, Some(gap));
                assert!(t.lost() <= t.expected());
                assert!(t.duplicates + t.reordered + t.out_of_window <= seen);
            }
        }
    }
}
