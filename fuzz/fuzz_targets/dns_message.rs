//! Any bytes as a DNS answer: the wire reader and the presentation of every
//! record type, the OPT record's options as dig's pseudo-section shows
//! them, and a zone transfer's TSIG check. No panic; every record and
//! option line shown with no control characters; data that is not its
//! type's shape in RFC 3597 form; no forged message verifies.
#![cfg_attr(fuzzing, no_main)]
use netkit::api::dns::wire::Reply;

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| input(data));

/// The checks on one input: run by the fuzzer, and over `fuzz/corpus/` by
/// `cargo test` on stable (tests/it/fuzz_corpus.rs).
pub fn input(data: &[u8]) {
    // A transfer's message checked against a key: never taken as signed.
    if let Ok(key) = netkit::api::dns::tsig::Key::from_y("hmac-sha256:k.test:c2VjcmV0c2VjcmV0") {
        let mut v = netkit::api::dns::tsig::Verifier::new(key, vec![0; 32], 1_700_000_000);
        assert!(v.check(data).is_err(), "a forged message verified");
    }
    let Ok(reply) = Reply::parse(data) else {
        return;
    };
    if let Some(opt) = &reply.opt {
        let sent = netkit::api::dns::edns::QueryOptions {
            nsid: true,
            cookie: netkit::api::dns::edns::Cookie::parse_hex("0102030405060708").ok(),
            ..Default::default()
        };
        let report = opt.report(&sent);
        assert!(report.options.len() <= 16);
        for line in netkit::api::dns::edns::pseudo_section(&report) {
            assert!(
                !line.chars().any(|c| c.is_control()),
                "a control character in {line:?}"
            );
        }
    }
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
