//! diagnose's HTTP phase against any response bytes, delivered in chunks of
//! any size: no panic, a head over 64 KiB refused, the status in range.
#![cfg_attr(fuzzing, no_main)]

#[path = "common.rs"]
mod common;
use common::{Replay, runtime, short_line};

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Some((&chunk, rest)) = data.split_first() else {
        return;
    };
    let peer = Replay {
        data: rest.to_vec(),
        pos: 0,
        chunk: usize::from(chunk) + 1,
    };
    let mut stream: Box<dyn netkit::api::probe::diagnose::http::Stream> = Box::new(peer);
    runtime().block_on(async {
        let now = tokio::time::Instant::now();
        let far = now + std::time::Duration::from_secs(3600);
        match netkit::api::probe::diagnose::http::exchange(
            &mut stream,
            b"GET / HTTP/1.1\r\n\r\n",
            false,
            far,
            far,
        )
        .await
        {
            Ok(info) => assert!((100..600).contains(&info.status), "status {}", info.status),
            Err(f) => short_line(f.message),
        }
    });
}
