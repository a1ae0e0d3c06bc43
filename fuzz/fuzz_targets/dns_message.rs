//! Any bytes as a DNS answer: the wire reader and the presentation of every
//! record type. No panic; every record shown on one line with no control
//! characters; data that is not its type's shape in RFC 3597 form.
#![cfg_attr(fuzzing, no_main)]
use netkit::api::dns::wire::Reply;

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    let Ok(reply) = Reply::parse(data) else {
        return;
    };
    for rr in reply
        .answers
        .iter()
        .chain(&reply.authority)
        .chain(&reply.additional)
    {
        let owner = rr.name.to_text();
        assert!(owner.ends_with('.'), "{owner}");
        for text in [&owner, &rr.text] {
            assert!(
                text.bytes().all(|b| (0x20..0x7f).contains(&b)),
                "not printable ASCII: {text:?}"
            );
        }
        // The owner reads back to the same wire name.
        let back = netkit::api::dns::wire::WireName::from_text(&owner);
        if rr.name.0.len() > 1 {
            assert_eq!(back.as_ref(), Some(&rr.name), "{owner}");
        }
    }
}
