//! A proxy's answers (SOCKS5 method choice, auth status, connect reply;
//! HTTP CONNECT head) from a hostile proxy, in chunks of any size.
#![cfg_attr(fuzzing, no_main)]
use netkit::api::probe::proxy::{Dest, Proxy, handshake};
use std::str::FromStr;

#[path = "common.rs"]
mod common;
use common::{Replay, runtime, short_line};

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let proxy = match mode % 3 {
        0 => "socks5://127.0.0.1:1080",
        1 => "socks5h://user:pass@127.0.0.1:1080",
        _ => "http://user:pass@127.0.0.1:3128",
    };
    let proxy = Proxy::from_str(proxy).expect("proxy url");
    let dest = if mode & 4 == 0 {
        Dest::Name("www.example.test".into(), 443)
    } else {
        Dest::Addr("[::1]:443".parse().unwrap())
    };
    let peer = Replay {
        data: rest.to_vec(),
        pos: 0,
        chunk: usize::from(mode >> 3) + 1,
    };
    runtime().block_on(async {
        if let Err(f) = handshake(peer, &proxy, &dest).await {
            short_line(f.message);
        }
    });
}
