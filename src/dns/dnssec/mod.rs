//! DNSSEC validation (RFC 4033-4035, 5155, 6840), done here rather than
//! trusted to a library: every record is checked from the bytes the server
//! sent ([`super::wire`] keeps each record's canonical form, [`super::rdata`]
//! reads it), signatures are verified with ring, and each link of the chain
//! is reported.
//!
//! The pure parts need no network and are tested with fixed bytes:
//! [`anchor`] (trust anchors, key tags), [`canon`] (canonical names and
//! RRsets), [`crypto`] (keys, signatures, DS digests), [`denial`] (NSEC and
//! NSEC3 proofs). [`walk`] fetches keys and DS and applies them. A
//! validation returns a [`Verdict`]; what a command does with it is the
//! command's business.
//!
//! The chain runs from a trust anchor (the root's KSKs, built in, or
//! `--trust-anchor FILE`) down to the answer: for each zone, the DS set
//! (signed by the parent) must match a DNSKEY that signs the zone's DNSKEY
//! set, and the answer's RRsets must be signed by one of those keys, within
//! the signatures' validity. A delegation whose DS is proven absent (NSEC or
//! NSEC3 from the signed parent) makes what is below it insecure; a missing
//! proof, a bad signature, an expired one or a DS that matches no key makes
//! the answer bogus. Negative answers are checked with their NSEC or NSEC3
//! proofs. Queries for keys go to the server that gave the answer, with DO
//! and CD set (as delv does), so a validating resolver still hands over what
//! it would refuse and the failing link can be named.

pub mod anchor;
pub mod canon;
pub mod crypto;
pub mod denial;
pub mod walk;

use serde::Serialize;

use super::client::QueryOpts;
use super::server::Server;
use super::wire::{Reply, WireName};

pub use anchor::{Anchor, key_tag, parse_anchors, root_anchors};
pub use walk::{Plan, Validator};

const T_CNAME: u16 = 5;
const T_NS: u16 = 2;
const T_SOA: u16 = 6;
const T_DNAME: u16 = 39;
const T_DS: u16 = 43;
const T_RRSIG: u16 = 46;
const T_NSEC: u16 = 47;
const T_DNSKEY: u16 = 48;
const T_NSEC3: u16 = 50;

/// The least time one answer's validation may take, all its queries
/// together (more when --timeout and --retries allow each query more).
pub const VALIDATION_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The largest --trust-anchor file read (docs/limits.md).
pub const MAX_ANCHOR_FILE: u64 = 1 << 20;
/// Zones below the anchor walked when proving a delegation insecure.
const MAX_DEPTH: usize = 32;
/// NSEC3 iterations checked (RFC 9276 says 0); a denial with more is
/// insecure (RFC 9276 3.2), as BIND 9.18 and delv treat it.
const MAX_NSEC3_ITERATIONS: u16 = 150;

/// The verdict on one answer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Verdict {
    /// `secure`, `insecure`, `bogus` or `indeterminate`.
    pub status: Security,
    /// Why it is not secure (the failing link, or the proof of an unsigned
    /// delegation), null when secure.
    pub reason: Option<String>,
    /// The links checked, from the trust anchor down; the failing one last.
    pub chain: Vec<Step>,
    /// When bogus and the server is a resolver: what it says when asked
    /// again without CD (its own validation), with its Extended DNS
    /// Errors; null otherwise.
    pub resolver: Option<ResolverView>,
}

/// A validating resolver's own view of an answer netkit found bogus: the
/// same question asked once more without CD.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ResolverView {
    /// The resolver asked.
    pub server: super::lookup::ServerAddr,
    /// Its answer's status (`servfail` when it, too, refuses the data), or
    /// `timeout`/`error`.
    pub status: super::DnsStatus,
    /// Whether it validated the answer itself (AD set).
    pub validated: bool,
    /// Its Extended DNS Errors (RFC 8914), `[]` when none.
    pub ede: Vec<super::wire::ExtendedError>,
    /// In words: agrees (it refuses the data too), disagrees (it says the
    /// data is authentic), or does not validate.
    pub summary: String,
}

/// A DNSSEC verdict (RFC 4035 4.3), ordered from the best to the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// The chain of trust holds from an anchor to the answer.
    Secure,
    /// Proven unsigned (an unsigned delegation, an unsupported algorithm).
    Insecure,
    /// Could not be told (no anchor covers it, a query failed, the
    /// deadline passed).
    Indeterminate,
    /// Signed, and the signatures or proofs fail.
    Bogus,
}

impl std::fmt::Display for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Security::Secure => "secure",
            Security::Insecure => "insecure",
            Security::Indeterminate => "indeterminate",
            Security::Bogus => "bogus",
        })
    }
}

/// What a link of the chain checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// A DNSKEY matches the trust anchor.
    Anchor,
    /// A DNSKEY matches the parent's DS.
    Ds,
    /// The DNSKEY set is signed by a vouched key.
    Dnskey,
    /// An RRset is signed.
    Rrsig,
    /// An NSEC or NSEC3 proof of absence.
    Denial,
    /// A delegation proven unsigned.
    Insecure,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Anchor => "anchor",
            Check::Ds => "ds",
            Check::Dnskey => "dnskey",
            Check::Rrsig => "rrsig",
            Check::Denial => "denial",
            Check::Insecure => "insecure",
        })
    }
}

/// One link of the chain of trust.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Step {
    /// The zone (or owner name) the link is about.
    pub zone: String,
    /// `anchor` (a DNSKEY matches the trust anchor), `ds` (a DNSKEY
    /// matches the parent's DS), `dnskey` (the DNSKEY set is signed by
    /// it), `rrsig` (an RRset is signed), `denial` (an NSEC/NSEC3 proof),
    /// `insecure` (a delegation proven unsigned).
    pub check: Check,
    /// Whether it held.
    pub ok: bool,
    /// What was checked: key tags, algorithms, types, dates.
    pub detail: String,
}

/// The verdict on `reply`, the answer to (`qname`, `qtype`) from
/// `server`: the whole chain of trust is checked within one deadline
/// (4 x the per-query budget, at least [`VALIDATION_DEADLINE`]); past it the
/// answer is indeterminate.
pub async fn validate(
    reply: &Reply,
    qname: &WireName,
    qtype: u16,
    server: &Server,
    plan: &Plan,
    opts: QueryOpts,
    stop: &crate::signal::Stop,
) -> Verdict {
    validate_routed(reply, qname, qtype, server, Vec::new(), plan, opts, stop).await
}

/// [`validate`], asking each zone's DNSKEY of the server given for it in
/// `routes` and its DS of its parent's (the servers `--trace` walked).
#[allow(clippy::too_many_arguments)]
pub async fn validate_routed(
    reply: &Reply,
    qname: &WireName,
    qtype: u16,
    server: &Server,
    routes: Vec<(WireName, Server)>,
    plan: &Plan,
    opts: QueryOpts,
    stop: &crate::signal::Stop,
) -> Verdict {
    let limit = (opts.timeout * (opts.retries + 1) * 4).max(VALIDATION_DEADLINE);
    // The deadline and the stop flag bound the network waits here and the
    // signature checks inside (CPU-bound: they never yield to a timer).
    let budget = crypto::Budget::new(std::time::Instant::now() + limit, Some(stop.clone()));
    let mut v = Validator::new(server.clone(), opts, plan, budget).with_routes(routes);
    let late = || {
        Verdict::indeterminate(format!(
            "the chain of trust was not checked within {} s",
            limit.as_secs()
        ))
    };
    tokio::select! {
        r = tokio::time::timeout(limit, v.validate(reply, qname, qtype)) => r.unwrap_or_else(|_| late()),
        () = stop.wait() => Verdict::indeterminate("stopped before the chain of trust was checked"),
    }
}

/// The TTL each signed RRset of `reply`'s answer section may be kept for:
/// (owner, type, cap), the cap being the smallest original TTL of its
/// RRSIGs and the seconds to their expiration (a validator caps what the
/// server serves above them, RFC 4035 5.3.3).
pub fn ttl_caps(reply: &Reply) -> Vec<(String, String, u32)> {
    use crate::dns::rdata::{Decode, Rrsig};
    let now = crypto::now_u32();
    canon::rrsets(&reply.answers)
        .iter()
        .filter_map(|set| {
            let cap = set
                .sigs
                .iter()
                .filter_map(|s| Rrsig::parse(&s.rdata))
                .map(|f| {
                    f.original_ttl
                        .min(f.expiration.wrapping_sub(now).min(i32::MAX as u32))
                })
                .min()?;
            Some((set.owner.to_text(), canon::type_text(set.rtype), cap))
        })
        .collect()
}

impl Verdict {
    /// Indeterminate, for `why`.
    pub fn indeterminate(why: impl Into<String>) -> Verdict {
        Verdict {
            status: Security::Indeterminate,
            reason: Some(why.into()),
            chain: Vec::new(),
            resolver: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::canon::*;
    use super::crypto::*;
    use super::denial::*;
    use super::*;
    use crate::dns::rdata::{Decode, Nsec, Rrsig, TypeBitmap};
    use crate::dns::wire::Rr;

    fn n(t: &str) -> WireName {
        WireName::from_text(t).unwrap()
    }

    #[test]
    fn canonical_order_is_rfc_4034s() {
        // RFC 4034 6.1's example, in order.
        let names = [
            "example.",
            "a.example.",
            "yljkjljk.a.example.",
            "Z.a.example.",
            "zABC.a.EXAMPLE.",
            "z.example.",
            "\\001.z.example.",
            "*.z.example.",
            "\\200.z.example.",
        ];
        for w in names.windows(2) {
            assert_eq!(
                canonical_cmp(&n(w[0]), &n(w[1])),
                Ordering::Less,
                "{} < {}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn nsec_cover_wraps_at_the_end_of_the_zone() {
        assert!(nsec_covers(&n("a.test."), &n("c.test."), &n("b.test.")));
        assert!(!nsec_covers(&n("a.test."), &n("c.test."), &n("c.test.")));
        assert!(nsec_covers(&n("z.test."), &n("test."), &n("zz.test.")));
        assert!(!nsec_covers(&n("z.test."), &n("test."), &n("b.test.")));
    }

    #[test]
    fn key_tag_and_ds_of_the_root_ksk() {
        // KSK-2017 as published by IANA.
        let b64 = "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";
        let mut rdata = vec![1, 1, 3, 8];
        rdata.extend(data_encoding::BASE64.decode(b64.as_bytes()).unwrap());
        let key = Key::from_rdata(&rdata).unwrap();
        assert_eq!(key.tag, 20326);
        let anchors = root_anchors();
        assert!(ds_matches(&WireName::root(), &key, &anchors[0].rdata));
        assert!(!ds_matches(&WireName::root(), &key, &anchors[1].rdata));
    }

    #[test]
    fn nsec3_hash_matches_rfc_5155_appendix_a() {
        // H(example) with salt aabbccdd and 12 iterations.
        let h = nsec3_hash(&n("example."), &[0xaa, 0xbb, 0xcc, 0xdd], 12);
        assert_eq!(
            data_encoding::BASE32HEX_NOPAD
                .encode(&h)
                .to_ascii_lowercase(),
            "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"
        );
    }

    #[test]
    fn anchors_in_zone_file_form() {
        let a = parse_anchors(
            "; a comment\nexample.test. 3600 IN DS 12345 13 2 ( 0123456789ABCDEF\n 0123 )\nexample.test. IN DNSKEY 257 3 13 AAAA\n",
        )
        .unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].rdata[..4], [0x30, 0x39, 13, 2]);
        assert_eq!(a[1].rtype, T_DNSKEY);
        for bad in [
            "",
            "x. IN A 1.2.3.4",
            "x. DS 1 2 3 zz",
            "x. DNSKEY 257 2 13 AAAA",
            "x. DS 1 2 3 (00",
        ] {
            assert!(parse_anchors(bad).is_err(), "{bad:?}");
        }
    }

    fn rr(owner: &WireName, rtype: u16, rdata: Vec<u8>) -> Rr {
        Rr {
            name: owner.clone(),
            rtype,
            class: 1,
            ttl: 300,
            rdlength: rdata.len() as u16,
            text: String::new(),
            data: crate::dns::record::RecordData::Other {},
            target: None,
            rdata,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// A hostile server's records reach every parser and proof check:
        /// none panics, and random signatures never verify.
        #[test]
        fn hostile_records_never_panic_or_verify(
            owner in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 1..8), 0..5),
            datas in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120), 1..6),
            kind in 0u16..5,
        ) {
            let mut w = Vec::new();
            for l in &owner {
                w.push(l.len() as u8);
                w.extend_from_slice(l);
            }
            w.push(0);
            let owner = WireName(w);
            let rtype = [T_NSEC, T_NSEC3, T_RRSIG, T_DNSKEY, T_DS][usize::from(kind)];
            let mut section: Vec<Rr> = datas.iter().map(|d| rr(&owner, rtype, d.clone())).collect();
            // Signatures over them, from the same bytes.
            let mut sig = vec![0, 1, 13, owner.label_count() as u8, 0, 0, 1, 44, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1];
            sig.extend_from_slice(&owner.0);
            sig.extend_from_slice(&datas[0]);
            section.push(rr(&owner, T_RRSIG, sig));
            let keys: Vec<Key> = datas.iter().filter_map(|d| Key::from_rdata(d)).collect();
            for set in rrsets(&section) {
                let _ = signed_data(&set, &Rrsig::parse(&section.last().unwrap().rdata).unwrap());
                let mut budget = Budget::new(std::time::Instant::now() + std::time::Duration::from_secs(60), None);
                proptest::prop_assert!(verify_set(&set, &owner, &keys, now_u32(), &mut budget).is_err());
            }
            let sets = rrsets(&section);
            let proofs: Vec<&RrSet<'_>> = sets.iter().collect();
            for q in [1, T_DS, T_CNAME] {
                let _ = nsec_denial(&proofs, &owner, q);
                let _ = nsec3_denial(&proofs, &owner, q);
            }
            for d in &datas {
                let _ = (Rrsig::parse(d).is_some(), Nsec::parse(d).is_some(), nsec3_of(d).is_some());
                if let Some(k) = Key::from_rdata(d) {
                    proptest::prop_assert!(!verify_signature(&k, d, d));
                    let _ = ds_matches(&owner, &k, d);
                }
            }
            let _ = (canonical_cmp(&owner, &WireName::root()), nsec3_owner_hash(&owner), suffix(&owner, 9));
        }
    }

    #[test]
    fn bitmaps() {
        // A NS SOA RRSIG NSEC DNSKEY: window 0.
        let bm = [0, 7, 0x62, 0, 0, 0, 0, 0x03, 0x80];
        for t in [1, 2, 6, 46, 47, 48] {
            assert!(TypeBitmap(&bm).has(t), "{t}");
        }
        for t in [5, 28, 43, 257] {
            assert!(!TypeBitmap(&bm).has(t), "{t}");
        }
    }
}
