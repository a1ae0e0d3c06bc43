//! DNSSEC validation (RFC 4033-4035, 5155, 6840), done here rather than
//! trusted to a library: every record is checked from the bytes the server
//! sent ([`super::wire`] keeps each record's canonical form), signatures are
//! verified with ring, and each link of the chain is reported.
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

use super::server::Server;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use super::client::{QueryOpts, exchange};
use super::rdata::{Decode, Dnskey, Ds, Nsec, Nsec3, Rrsig, TypeBitmap};
use super::wire::{Reply, Rr, WireName};

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
/// NSEC3 iterations accepted (RFC 9276 says 0; more is treated insecure).
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

/// A trust anchor: a DS or a DNSKEY for a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The zone, lower case.
    pub owner: WireName,
    /// DS (43) or DNSKEY (48).
    pub rtype: u16,
    /// The record data.
    pub rdata: Vec<u8>,
}

/// The root zone's key-signing keys (IANA root-anchors.xml): KSK-2017
/// (20326) and KSK-2024 (38696), as DS records with SHA-256 digests.
const ROOT_DS: [(u16, &str); 2] = [
    (
        20326,
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ),
    (
        38696,
        "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    ),
];

/// The built-in anchors: the root's.
pub fn root_anchors() -> Vec<Anchor> {
    ROOT_DS
        .iter()
        .filter_map(|(tag, hex)| {
            let digest = data_encoding::HEXUPPER_PERMISSIVE
                .decode(hex.as_bytes())
                .ok()?;
            let mut rdata = tag.to_be_bytes().to_vec();
            rdata.extend_from_slice(&[8, 2]);
            rdata.extend_from_slice(&digest);
            Some(Anchor {
                owner: WireName::root(),
                rtype: T_DS,
                rdata,
            })
        })
        .collect()
}

/// Reads trust anchors in zone-file form, as `dnssec-dsfromkey` and
/// `dnssec-keygen` write them: `OWNER [TTL] [IN] DS TAG ALG DIGEST-TYPE
/// HEX` or `OWNER [TTL] [IN] DNSKEY FLAGS 3 ALG BASE64`; `;` comments,
/// parentheses across lines.
pub fn parse_anchors(text: &str) -> Result<Vec<Anchor>, String> {
    let mut out = Vec::new();
    let mut joined = String::new();
    let mut depth = 0i32;
    let mut line_no = 0;
    let mut start_line = 0;
    for line in text.lines() {
        line_no += 1;
        let line = line.split(';').next().unwrap_or("");
        if depth == 0 {
            start_line = line_no;
        }
        for c in line.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => joined.push(c),
            }
        }
        joined.push(' ');
        if depth > 0 {
            continue;
        }
        let record = std::mem::take(&mut joined);
        depth = 0;
        let mut words = record.split_whitespace().peekable();
        let Some(owner) = words.next() else { continue };
        let bad = |why: &str| format!("line {start_line}: {why}");
        let owner = WireName::from_text(owner)
            .map(|n| WireName(n.0.to_ascii_lowercase()))
            .ok_or_else(|| bad("not a domain name"))?;
        while words
            .peek()
            .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()) || w.eq_ignore_ascii_case("IN"))
        {
            words.next();
        }
        let rtype = words.next().unwrap_or("");
        let fields: Vec<&str> = words.collect();
        let num = |i: usize, what: &str| -> Result<u64, String> {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .ok_or_else(|| bad(&format!("{rtype}: {what} is not a number")))
        };
        let rdata = if rtype.eq_ignore_ascii_case("DS") {
            let (tag, alg, dtype) = (
                num(0, "key tag")?,
                num(1, "algorithm")?,
                num(2, "digest type")?,
            );
            let hex: String = fields.get(3..).unwrap_or(&[]).concat();
            let digest = data_encoding::HEXUPPER_PERMISSIVE
                .decode(hex.as_bytes())
                .map_err(|_| bad("DS: the digest is not hexadecimal"))?;
            if tag > 65_535 || alg > 255 || dtype > 255 || digest.is_empty() {
                return Err(bad("DS: a field is out of range"));
            }
            let mut r = (tag as u16).to_be_bytes().to_vec();
            r.extend_from_slice(&[alg as u8, dtype as u8]);
            r.extend_from_slice(&digest);
            r
        } else if rtype.eq_ignore_ascii_case("DNSKEY") {
            let (flags, proto, alg) = (num(0, "flags")?, num(1, "protocol")?, num(2, "algorithm")?);
            let b64: String = fields.get(3..).unwrap_or(&[]).concat();
            let key = data_encoding::BASE64
                .decode(b64.as_bytes())
                .map_err(|_| bad("DNSKEY: the key is not base64"))?;
            if flags > 65_535 || proto != 3 || alg > 255 || key.is_empty() {
                return Err(bad("DNSKEY: a field is out of range"));
            }
            let mut r = (flags as u16).to_be_bytes().to_vec();
            r.extend_from_slice(&[3, alg as u8]);
            r.extend_from_slice(&key);
            r
        } else {
            return Err(bad("only DS and DNSKEY records are trust anchors"));
        };
        out.push(Anchor {
            owner,
            rtype: if rtype.eq_ignore_ascii_case("DS") {
                T_DS
            } else {
                T_DNSKEY
            },
            rdata,
        });
        if out.len() > 256 {
            return Err("more than 256 trust anchors".into());
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    if out.is_empty() {
        return Err("no DS or DNSKEY record".into());
    }
    Ok(out)
}

/// RFC 4034 appendix B.
pub fn key_tag(rdata: &[u8]) -> u16 {
    let mut ac: u32 = 0;
    for (i, b) in rdata.iter().enumerate() {
        ac += if i & 1 == 1 {
            u32::from(*b)
        } else {
            u32::from(*b) << 8
        };
    }
    ac += (ac >> 16) & 0xffff;
    (ac & 0xffff) as u16
}

fn lower(n: &WireName) -> WireName {
    WireName(n.0.to_ascii_lowercase())
}

/// Whether `n` is `zone` or below it.
fn is_within(n: &WireName, zone: &WireName) -> bool {
    let (a, b) = (lower(n), lower(zone));
    let na: Vec<&[u8]> = a.labels().collect();
    let nb: Vec<&[u8]> = b.labels().collect();
    nb.len() <= na.len() && na[na.len() - nb.len()..] == nb[..]
}

/// The name with its `n` rightmost labels.
fn suffix(n: &WireName, keep: usize) -> WireName {
    let labels: Vec<&[u8]> = n.labels().collect();
    let mut w = Vec::new();
    for l in &labels[labels.len().saturating_sub(keep)..] {
        w.push(l.len() as u8);
        w.extend_from_slice(l);
    }
    w.push(0);
    WireName(w)
}

fn prepend(label: &[u8], n: &WireName) -> WireName {
    let mut w = vec![label.len() as u8];
    w.extend_from_slice(label);
    w.extend_from_slice(&n.0);
    WireName(w)
}

/// RFC 4034 6.1: labels compared from the right, lower case, as bytes.
fn canonical_cmp(a: &WireName, b: &WireName) -> Ordering {
    let (a, b) = (lower(a), lower(b));
    let la: Vec<&[u8]> = a.labels().collect();
    let lb: Vec<&[u8]> = b.labels().collect();
    la.iter().rev().cmp(lb.iter().rev())
}

/// Whether `n` falls strictly between `owner` and `next` (the NSEC chain
/// wraps at the end of the zone).
fn nsec_covers(owner: &WireName, next: &WireName, n: &WireName) -> bool {
    let after_owner = canonical_cmp(owner, n) == Ordering::Less;
    let before_next = canonical_cmp(n, next) == Ordering::Less;
    if canonical_cmp(owner, next) == Ordering::Less {
        after_owner && before_next
    } else {
        after_owner || before_next
    }
}

/// An NSEC3 record this validator can use: SHA-1 (RFC 5155 the only
/// hash algorithm).
fn nsec3_of(rdata: &[u8]) -> Option<Nsec3<'_>> {
    Nsec3::parse(rdata).filter(|n| n.alg == 1)
}

/// RFC 5155 5: SHA-1 over the lower-case wire name and the salt, iterated.
fn nsec3_hash(name: &WireName, salt: &[u8], iterations: u16) -> Vec<u8> {
    use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY as SHA1, digest};
    let mut input = lower(name).0;
    input.extend_from_slice(salt);
    let mut h = digest(&SHA1, &input).as_ref().to_vec();
    for _ in 0..iterations {
        let mut i = h.clone();
        i.extend_from_slice(salt);
        h = digest(&SHA1, &i).as_ref().to_vec();
    }
    h
}

/// The hash an NSEC3 record's owner name carries (its first label).
fn nsec3_owner_hash(owner: &WireName) -> Option<Vec<u8>> {
    let first = owner.labels().next()?;
    data_encoding::BASE32HEX_NOPAD
        .decode(&first.to_ascii_uppercase())
        .ok()
}

fn hash_between(owner: &[u8], next: &[u8], h: &[u8]) -> bool {
    if owner < next {
        owner < h && h < next
    } else {
        owner < h || h < next
    }
}

/// A DNSKEY, with what the checks need.
#[derive(Debug, Clone)]
struct Key {
    tag: u16,
    alg: u8,
    flags: u16,
    rdata: Vec<u8>,
}

impl Key {
    fn from_rdata(rdata: &[u8]) -> Option<Key> {
        let k = Dnskey::parse(rdata).filter(|k| k.protocol == 3)?;
        Some(Key {
            tag: key_tag(rdata),
            alg: k.alg,
            flags: k.flags,
            rdata: rdata.to_vec(),
        })
    }

    fn public(&self) -> &[u8] {
        &self.rdata[4..]
    }

    fn is_zone_key(&self) -> bool {
        self.flags & 0x0100 != 0 && self.flags & 0x0080 == 0
    }
}

/// Algorithms this validator verifies (RFC 8624's MUSTs and RECOMMENDEDs
/// but Ed448, which ring lacks).
fn algorithm_supported(alg: u8) -> bool {
    matches!(alg, 5 | 7 | 8 | 10 | 13 | 14 | 15)
}

fn digest_supported(dtype: u8) -> bool {
    matches!(dtype, 1 | 2 | 4)
}

fn algorithm_name(alg: u8) -> String {
    match alg {
        5 => "RSASHA1".into(),
        7 => "RSASHA1-NSEC3-SHA1".into(),
        8 => "RSASHA256".into(),
        10 => "RSASHA512".into(),
        13 => "ECDSAP256SHA256".into(),
        14 => "ECDSAP384SHA384".into(),
        15 => "ED25519".into(),
        16 => "ED448".into(),
        n => format!("algorithm {n}"),
    }
}

fn verify_signature(key: &Key, msg: &[u8], sig: &[u8]) -> bool {
    use ring::signature as s;
    let public = key.public();
    match key.alg {
        5 | 7 | 8 | 10 => {
            // RFC 3110: exponent length (one byte, or zero and two), exponent, modulus.
            let (elen, rest) = match public.split_first() {
                Some((0, rest)) if rest.len() >= 2 => (
                    usize::from(u16::from_be_bytes([rest[0], rest[1]])),
                    &rest[2..],
                ),
                Some((n, rest)) => (usize::from(*n), rest),
                None => return false,
            };
            if elen == 0 || rest.len() <= elen {
                return false;
            }
            let (e, n) = rest.split_at(elen);
            let params = match key.alg {
                8 => &s::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                10 => &s::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                _ => &s::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            };
            s::RsaPublicKeyComponents { n, e }
                .verify(params, msg, sig)
                .is_ok()
        }
        13 | 14 => {
            let mut point = vec![4u8];
            point.extend_from_slice(public);
            let alg = if key.alg == 13 {
                &s::ECDSA_P256_SHA256_FIXED
            } else {
                &s::ECDSA_P384_SHA384_FIXED
            };
            s::UnparsedPublicKey::new(alg, &point)
                .verify(msg, sig)
                .is_ok()
        }
        15 => s::UnparsedPublicKey::new(&s::ED25519, public)
            .verify(msg, sig)
            .is_ok(),
        _ => false,
    }
}

/// Whether `key` is the one the DS describes.
fn ds_matches(owner: &WireName, key: &Key, ds: &[u8]) -> bool {
    use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY, SHA256, SHA384, digest};
    let Some(ds) = Ds::parse(ds) else {
        return false;
    };
    if ds.key_tag != key.tag || ds.alg != key.alg {
        return false;
    }
    let alg = match ds.digest_type {
        1 => &SHA1_FOR_LEGACY_USE_ONLY,
        2 => &SHA256,
        4 => &SHA384,
        _ => return false,
    };
    let mut input = lower(owner).0;
    input.extend_from_slice(&key.rdata);
    digest(alg, &input).as_ref() == ds.digest
}

/// RFC 1982 serial arithmetic on 32-bit times.
fn serial_le(a: u32, b: u32) -> bool {
    a == b || (b.wrapping_sub(a) as i32) > 0
}

fn now_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

fn date(t: u32) -> String {
    crate::output::json::rfc3339(i64::from(t))
}

/// One RRset of a section, with the RRSIGs that cover it.
struct RrSet<'a> {
    owner: WireName,
    rtype: u16,
    records: Vec<&'a Rr>,
    sigs: Vec<&'a Rr>,
}

fn rrsets(section: &[Rr]) -> Vec<RrSet<'_>> {
    let mut sets: Vec<RrSet<'_>> = Vec::new();
    for rr in section
        .iter()
        .filter(|r| r.rtype != T_RRSIG && r.rtype != 41)
    {
        match sets
            .iter_mut()
            .find(|s| s.rtype == rr.rtype && s.owner.eq_ignore_case(&rr.name))
        {
            Some(s) => s.records.push(rr),
            None => sets.push(RrSet {
                owner: rr.name.clone(),
                rtype: rr.rtype,
                records: vec![rr],
                sigs: Vec::new(),
            }),
        }
    }
    for sig in section.iter().filter(|r| r.rtype == T_RRSIG) {
        let Some(f) = Rrsig::parse(&sig.rdata) else {
            continue;
        };
        if let Some(s) = sets
            .iter_mut()
            .find(|s| s.rtype == f.covered && s.owner.eq_ignore_case(&sig.name))
        {
            s.sigs.push(sig);
        }
    }
    sets
}

/// What is signed (RFC 4034 3.1.8.1): the RRSIG's fields and signer, then
/// each record in canonical form and order, duplicates once.
fn signed_data(set: &RrSet<'_>, sig: &Rrsig<'_>) -> Vec<u8> {
    let mut data = sig.head.to_vec();
    // The signer name inside `head` is already lower case (wire.rs).
    let owner = lower(&set.owner);
    let owner = if usize::from(sig.labels) < owner.label_count() {
        prepend(b"*", &suffix(&owner, usize::from(sig.labels)))
    } else {
        owner
    };
    let mut rdatas: Vec<&[u8]> = set.records.iter().map(|r| r.rdata.as_slice()).collect();
    rdatas.sort_unstable();
    rdatas.dedup();
    let class = set.records.first().map_or(1, |r| r.class);
    for rd in rdatas {
        data.extend_from_slice(&owner.0);
        data.extend_from_slice(&set.rtype.to_be_bytes());
        data.extend_from_slice(&class.to_be_bytes());
        data.extend_from_slice(&sig.original_ttl.to_be_bytes());
        data.extend_from_slice(&(rd.len() as u16).to_be_bytes());
        data.extend_from_slice(rd);
    }
    data
}

fn type_text(t: u16) -> String {
    super::types::type_name(t).into_owned()
}

/// Verifies `set` with `keys` of `zone`: Ok with the key tag and the
/// wildcard's label count when a signature holds, else why none did.
fn verify_set(
    set: &RrSet<'_>,
    zone: &WireName,
    keys: &[Key],
    now: u32,
) -> Result<(u16, Option<u8>), String> {
    let what = format!("{} {}", set.owner.to_text(), type_text(set.rtype));
    if set.sigs.is_empty() {
        return Err(format!("no RRSIG for {what}"));
    }
    let mut why = Vec::new();
    for sig in &set.sigs {
        let Some(f) = Rrsig::parse(&sig.rdata) else {
            why.push("an RRSIG that cannot be read".to_string());
            continue;
        };
        if !f.signer.eq_ignore_case(zone) {
            why.push(format!(
                "an RRSIG by {} (not {})",
                f.signer.to_text(),
                zone.to_text()
            ));
            continue;
        }
        if usize::from(f.labels) > set.owner.label_count() {
            why.push(format!(
                "RRSIG key {} claims {} labels",
                f.key_tag, f.labels
            ));
            continue;
        }
        if !serial_le(f.inception, now) {
            why.push(format!(
                "RRSIG {what} by key {} is not valid before {}",
                f.key_tag,
                date(f.inception)
            ));
            continue;
        }
        if !serial_le(now, f.expiration) {
            why.push(format!(
                "RRSIG {what} by key {} expired {}",
                f.key_tag,
                date(f.expiration)
            ));
            continue;
        }
        let candidates: Vec<&Key> = keys
            .iter()
            .filter(|k| k.tag == f.key_tag && k.alg == f.alg && k.is_zone_key())
            .collect();
        if candidates.is_empty() {
            why.push(format!(
                "RRSIG {what} names key {} ({}), not in the DNSKEY set of {}",
                f.key_tag,
                algorithm_name(f.alg),
                zone.to_text()
            ));
            continue;
        }
        let data = signed_data(set, &f);
        if candidates
            .iter()
            .any(|k| verify_signature(k, &data, f.signature))
        {
            let wildcard = (usize::from(f.labels) < set.owner.label_count()).then_some(f.labels);
            return Ok((f.key_tag, wildcard));
        }
        why.push(format!(
            "RRSIG {what} by key {} ({}) does not verify",
            f.key_tag,
            algorithm_name(f.alg)
        ));
    }
    Err(why.join("; "))
}

/// What the parent says of a zone's DS.
enum DsState {
    /// A signed DS set, verified.
    Signed(Vec<Vec<u8>>),
    /// Proven absent at a delegation: what is below is insecure.
    Unsigned(String),
    /// Proven: not a zone cut (no NS there), or the name does not exist.
    NotACut,
}

/// How a link failed.
#[derive(Debug, Clone)]
enum Broken {
    Bogus(String),
    Insecure(String),
    Indeterminate(String),
}

type Keys = Result<Vec<Key>, Broken>;

/// A zone's checked keys (or why there are none) and the links that
/// checked them.
type Cached = (Keys, Vec<Step>);

/// Zones whose keys are remembered per run (docs/limits.md).
pub const MAX_CACHED_ZONES: usize = 1024;

/// What a run validates with: the anchors, and the zone keys already
/// checked (per server), with the links that checked them.
#[derive(Default)]
pub struct Plan {
    /// The trust anchors.
    pub anchors: Vec<Anchor>,
    cache: std::sync::Mutex<HashMap<(Server, WireName), Cached>>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "dnssec::Plan({} anchors)", self.anchors.len())
    }
}

impl Plan {
    /// A plan with these anchors.
    pub fn new(anchors: Vec<Anchor>) -> Plan {
        Plan {
            anchors,
            cache: std::sync::Mutex::default(),
        }
    }
}

/// Validates `report` (its kept reply) in place: the verdict goes to
/// `dnssec`, and a bogus answer becomes an error (exit 3).
pub async fn apply(
    report: &mut super::lookup::LookupReport,
    server: Option<&Server>,
    plan: &Plan,
    opts: QueryOpts,
    qtype: u16,
) {
    let (Some(reply), Some(server)) = (report.reply.take(), server) else {
        report.dnssec = Some(Verdict {
            status: Security::Indeterminate,
            reason: Some("no answer to validate".into()),
            chain: Vec::new(),
        });
        return;
    };
    let qname = reply
        .question
        .as_ref()
        .map(|q| q.name.clone())
        .or_else(|| report.query_name.as_deref().and_then(WireName::from_text))
        .unwrap_or_else(WireName::root);
    let mut v = Validator::new(server.clone(), opts, plan);
    // The chain may take many queries; the whole of it has one deadline.
    let limit = (opts.timeout * (opts.retries + 1) * 4).max(VALIDATION_DEADLINE);
    let verdict = match tokio::time::timeout(limit, v.validate(&reply, &qname, qtype)).await {
        Ok(v) => v,
        Err(_) => Verdict {
            status: Security::Indeterminate,
            reason: Some(format!(
                "the chain of trust was not checked within {} s",
                limit.as_secs()
            )),
            chain: Vec::new(),
        },
    };
    if verdict.status == Security::Bogus {
        report.ok = false;
        report.error = Some(crate::error::Failure::new(
            crate::exit::Reason::Bogus,
            format!(
                "DNSSEC validation failed: {}",
                verdict.reason.as_deref().unwrap_or("bogus")
            ),
        ));
    }
    report.dnssec = Some(verdict);
}

/// Validates answers from one server.
pub struct Validator<'p> {
    server: Server,
    opts: QueryOpts,
    plan: &'p Plan,
    anchors: &'p [Anchor],
    chain: Vec<Step>,
    /// Zones whose keys are being fetched (a loop guard).
    fetching: Vec<WireName>,
    now: u32,
}

impl<'p> Validator<'p> {
    /// A validator asking `server` for keys and DS records.
    pub fn new(server: Server, opts: QueryOpts, plan: &'p Plan) -> Validator<'p> {
        Validator {
            server,
            opts: QueryOpts {
                dnssec: true,
                ..opts
            },
            plan,
            anchors: &plan.anchors,
            chain: Vec::new(),
            fetching: Vec::new(),
            now: now_u32(),
        }
    }

    fn step(&mut self, zone: &WireName, check: Check, ok: bool, detail: String) {
        self.push(Step {
            zone: zone.to_text(),
            check,
            ok,
            detail: crate::sanitize::escape(&detail).into_owned(),
        });
    }

    /// Adds a link once (a zone's links come again from the cache each
    /// time its keys are used).
    fn push(&mut self, s: Step) {
        let seen = self
            .chain
            .iter()
            .any(|c| c.zone == s.zone && c.check == s.check && c.detail == s.detail);
        if !seen && self.chain.len() < 64 {
            self.chain.push(s);
        }
    }

    async fn query(&self, name: &WireName, rtype: u16) -> Result<Reply, Broken> {
        let n = Name::from_labels(name.labels())
            .map_err(|e| Broken::Indeterminate(format!("{}: {e}", name.to_text())))?;
        let mut n = n;
        n.set_fqdn(true);
        let ex = exchange(&self.server, &n, RecordType::from(rtype), self.opts)
            .await
            .map_err(|f| {
                Broken::Indeterminate(format!(
                    "asking {} {} of {}: {}",
                    name.to_text(),
                    type_text(rtype),
                    self.server,
                    f.message
                ))
            })?;
        let r = ex.response;
        if r.rcode != 0 && r.rcode != 3 {
            return Err(Broken::Indeterminate(format!(
                "{} {} at {}: {}",
                name.to_text(),
                type_text(rtype),
                self.server,
                super::DnsStatus::from_rcode(r.rcode).upper()
            )));
        }
        Ok(r)
    }

    /// The closest anchor at or above `name`.
    fn anchor_zone(&self, name: &WireName) -> Option<WireName> {
        self.anchors
            .iter()
            .filter(|a| is_within(name, &a.owner))
            .max_by_key(|a| a.owner.label_count())
            .map(|a| a.owner.clone())
    }

    /// The validated DNSKEY set of `zone`.
    fn zone_keys<'a>(
        &'a mut self,
        zone: &'a WireName,
    ) -> Pin<Box<dyn Future<Output = Keys> + Send + 'a>> {
        Box::pin(async move {
            let zone = lower(zone);
            let key = (self.server.clone(), zone.clone());
            let hit = self
                .plan
                .cache
                .lock()
                .ok()
                .and_then(|c| c.get(&key).cloned());
            if let Some((keys, steps)) = hit {
                for s in steps {
                    self.push(s);
                }
                return keys;
            }
            if self.fetching.contains(&zone) || self.fetching.len() >= MAX_DEPTH {
                return Err(Broken::Indeterminate(format!(
                    "the chain of trust loops or is too deep at {}",
                    zone.to_text()
                )));
            }
            self.fetching.push(zone.clone());
            let before = self.chain.len();
            let result = self.fetch_keys(&zone).await;
            self.fetching.retain(|z| *z != zone);
            if let Ok(mut c) = self.plan.cache.lock()
                && c.len() < MAX_CACHED_ZONES
            {
                c.insert(key, (result.clone(), self.chain[before..].to_vec()));
            }
            result
        })
    }

    async fn fetch_keys(&mut self, zone: &WireName) -> Keys {
        let anchors: Vec<Anchor> = self
            .anchors
            .iter()
            .filter(|a| a.owner == *zone)
            .cloned()
            .collect();
        // What vouches for the keys: the anchor, or the parent's DS.
        let (ds, from): (Vec<Vec<u8>>, Check) = if anchors.is_empty() {
            match self.ds_state(zone).await? {
                DsState::Signed(ds) => (ds, Check::Ds),
                DsState::Unsigned(why) => return Err(Broken::Insecure(why)),
                DsState::NotACut => {
                    return Err(Broken::Bogus(format!(
                        "{} signs records but its parent proves it is not a delegation",
                        zone.to_text()
                    )));
                }
            }
        } else {
            let ds = anchors
                .iter()
                .filter(|a| a.rtype == T_DS)
                .map(|a| a.rdata.clone())
                .collect();
            (ds, Check::Anchor)
        };
        let anchor_keys: Vec<Vec<u8>> = anchors
            .iter()
            .filter(|a| a.rtype == T_DNSKEY)
            .map(|a| a.rdata.clone())
            .collect();
        let usable = ds
            .iter()
            .filter_map(|d| Ds::parse(d))
            .any(|d| algorithm_supported(d.alg) && digest_supported(d.digest_type))
            || anchor_keys
                .iter()
                .any(|k| k.len() > 4 && algorithm_supported(k[3]));
        if !usable {
            let why = format!(
                "{}: no DS of an algorithm this validator supports (RFC 4035 5.2: insecure)",
                zone.to_text()
            );
            self.step(zone, Check::Insecure, true, why.clone());
            return Err(Broken::Insecure(why));
        }
        let reply = self.query(zone, T_DNSKEY).await?;
        let sets = rrsets(&reply.answers);
        let Some(set) = sets
            .iter()
            .find(|s| s.rtype == T_DNSKEY && s.owner.eq_ignore_case(zone))
        else {
            let why = format!("{} has no DNSKEY set at {}", zone.to_text(), self.server);
            self.step(zone, Check::Dnskey, false, why.clone());
            return Err(Broken::Bogus(why));
        };
        let keys: Vec<Key> = set
            .records
            .iter()
            .filter_map(|r| Key::from_rdata(&r.rdata))
            .collect();
        let vouched: Vec<Key> = keys
            .iter()
            .filter(|k| {
                k.is_zone_key()
                    && (ds.iter().any(|d| ds_matches(zone, k, d)) || anchor_keys.contains(&k.rdata))
            })
            .cloned()
            .collect();
        let described = |ds: &[Vec<u8>]| -> String {
            ds.iter()
                .filter_map(|d| Ds::parse(d))
                .map(|d| format!("{}/{}/{}", d.key_tag, d.alg, d.digest_type))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if vouched.is_empty() {
            let why = format!(
                "no DNSKEY of {} matches the {} (DS {}; keys {})",
                zone.to_text(),
                if from == Check::Anchor {
                    "trust anchor"
                } else {
                    "parent's DS"
                },
                described(&ds),
                keys.iter()
                    .map(|k| k.tag.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.step(zone, from, false, why.clone());
            return Err(Broken::Bogus(why));
        }
        let tags: Vec<String> = vouched
            .iter()
            .map(|k| format!("{} ({})", k.tag, algorithm_name(k.alg)))
            .collect();
        self.step(
            zone,
            from,
            true,
            format!(
                "DNSKEY {} matches {}",
                tags.join(", "),
                if from == Check::Anchor {
                    "the trust anchor".to_string()
                } else {
                    format!("DS {}", described(&ds))
                }
            ),
        );
        match verify_set(set, zone, &vouched, self.now) {
            Ok((tag, _)) => {
                self.step(
                    zone,
                    Check::Dnskey,
                    true,
                    format!("DNSKEY set ({} keys) signed by key {tag}", keys.len()),
                );
                Ok(keys)
            }
            Err(why) => {
                self.step(zone, Check::Dnskey, false, why.clone());
                Err(Broken::Bogus(why))
            }
        }
    }

    /// Asks for the DS of `name` and checks the answer or its denial.
    fn ds_state<'a>(
        &'a mut self,
        name: &'a WireName,
    ) -> Pin<Box<dyn Future<Output = Result<DsState, Broken>> + Send + 'a>> {
        Box::pin(async move {
            let reply = self.query(name, T_DS).await?;
            let sets = rrsets(&reply.answers);
            if let Some(set) = sets
                .iter()
                .find(|s| s.rtype == T_DS && s.owner.eq_ignore_case(name))
            {
                let signer = set
                    .sigs
                    .iter()
                    .find_map(|s| Rrsig::parse(&s.rdata).map(|f| f.signer))
                    .ok_or_else(|| {
                        Broken::Bogus(format!("no RRSIG for the DS of {}", name.to_text()))
                    })?;
                if signer.eq_ignore_case(name) || !is_within(name, &signer) {
                    return Err(Broken::Bogus(format!(
                        "the DS of {} is signed by {}, not by its parent",
                        name.to_text(),
                        signer.to_text()
                    )));
                }
                let keys = self.zone_keys(&signer).await?;
                return match verify_set(set, &signer, &keys, self.now) {
                    Ok(_) => Ok(DsState::Signed(
                        set.records.iter().map(|r| r.rdata.clone()).collect(),
                    )),
                    Err(why) => {
                        self.step(name, Check::Ds, false, why.clone());
                        Err(Broken::Bogus(why))
                    }
                };
            }
            // No DS: the denial must be proven by the parent.
            let proof = self.check_denial(&reply, name, T_DS).await?;
            match proof {
                Denial::NoData {
                    delegation: true,
                    how,
                } => {
                    let why = format!("{} is an unsigned delegation ({how})", name.to_text());
                    self.step(name, Check::Insecure, true, why.clone());
                    Ok(DsState::Unsigned(why))
                }
                Denial::OptOut(how) => {
                    let why = format!(
                        "{} is covered by an NSEC3 opt-out span ({how})",
                        name.to_text()
                    );
                    self.step(name, Check::Insecure, true, why.clone());
                    Ok(DsState::Unsigned(why))
                }
                Denial::NoData {
                    delegation: false, ..
                }
                | Denial::NxDomain(_) => Ok(DsState::NotACut),
            }
        })
    }

    /// Checks the NSEC or NSEC3 proof in `reply`'s authority section that
    /// (`name`, `qtype`) has no data (or `name` does not exist).
    async fn check_denial(
        &mut self,
        reply: &Reply,
        name: &WireName,
        qtype: u16,
    ) -> Result<Denial, Broken> {
        let sets = rrsets(&reply.authority);
        let proofs: Vec<&RrSet<'_>> = sets
            .iter()
            .filter(|s| s.rtype == T_NSEC || s.rtype == T_NSEC3)
            .collect();
        let what = format!("{} {}", name.to_text(), type_text(qtype));
        if proofs.is_empty() {
            let why = format!("no NSEC or NSEC3 proves that {what} does not exist");
            self.step(name, Check::Denial, false, why.clone());
            return Err(Broken::Bogus(why));
        }
        // Every proof record must be signed by its zone.
        for set in &proofs {
            let Some(signer) = set
                .sigs
                .iter()
                .find_map(|s| Rrsig::parse(&s.rdata).map(|f| f.signer))
            else {
                let why = format!(
                    "no RRSIG for {} {}",
                    set.owner.to_text(),
                    type_text(set.rtype)
                );
                self.step(name, Check::Denial, false, why.clone());
                return Err(Broken::Bogus(why));
            };
            if !is_within(&set.owner, &signer) {
                return Err(Broken::Bogus(format!(
                    "{} is signed by {}, outside its zone",
                    set.owner.to_text(),
                    signer.to_text()
                )));
            }
            if qtype == T_DS && signer.eq_ignore_case(name) {
                // Only the parent can deny a DS; a server that hosts the
                // child but not the parent answers from the child.
                return Err(Broken::Indeterminate(format!(
                    "{} answered for the DS of {} from the zone itself: it does not serve the parent zone (give --trust-anchor for {} or ask a resolver)",
                    self.server,
                    name.to_text(),
                    name.to_text()
                )));
            }
            let keys = self.zone_keys(&signer).await?;
            if let Err(why) = verify_set(set, &signer, &keys, self.now) {
                self.step(name, Check::Denial, false, why.clone());
                return Err(Broken::Bogus(why));
            }
        }
        let result = if proofs.iter().any(|s| s.rtype == T_NSEC) {
            nsec_denial(&proofs, name, qtype)
        } else {
            nsec3_denial(&proofs, name, qtype)
        };
        match result {
            Ok(d) => {
                let how = match &d {
                    Denial::NoData { how, .. } | Denial::NxDomain(how) | Denial::OptOut(how) => {
                        how.clone()
                    }
                };
                self.step(name, Check::Denial, true, how);
                Ok(d)
            }
            Err(why) => {
                let why = format!("the denial of {what} does not hold: {why}");
                self.step(name, Check::Denial, false, why.clone());
                Err(Broken::Bogus(why))
            }
        }
    }

    /// Proves that `name` lies below an unsigned delegation under the
    /// closest anchor: walks the names from the anchor down asking for DS.
    async fn unsigned_above(&mut self, name: &WireName) -> Result<Option<String>, Broken> {
        let Some(anchor) = self.anchor_zone(name) else {
            return Err(Broken::Indeterminate(format!(
                "no trust anchor covers {}",
                name.to_text()
            )));
        };
        let total = name.label_count();
        let start = anchor.label_count() + 1;
        for keep in (start..=total).take(MAX_DEPTH) {
            let n = suffix(name, keep);
            match self.ds_state(&n).await? {
                DsState::Signed(_) => {
                    // A signed zone: its keys must hold.
                    self.zone_keys(&n).await?;
                }
                DsState::Unsigned(why) => return Ok(Some(why)),
                DsState::NotACut => {}
            }
        }
        Ok(None)
    }

    /// The verdict on `reply`, the answer to (`qname`, `qtype`).
    pub async fn validate(&mut self, reply: &Reply, qname: &WireName, qtype: u16) -> Verdict {
        self.chain.clear();
        let r = self.validate_inner(reply, qname, qtype).await;
        let chain = std::mem::take(&mut self.chain);
        let (status, reason) = match r {
            Ok(()) => (Security::Secure, None),
            Err(Broken::Insecure(w)) => (Security::Insecure, Some(w)),
            Err(Broken::Bogus(w)) => (Security::Bogus, Some(w)),
            Err(Broken::Indeterminate(w)) => (Security::Indeterminate, Some(w)),
        };
        Verdict {
            status,
            reason: reason.map(|w| crate::sanitize::escape(&w).into_owned()),
            chain,
        }
    }

    async fn validate_inner(
        &mut self,
        reply: &Reply,
        qname: &WireName,
        qtype: u16,
    ) -> Result<(), Broken> {
        if self.anchor_zone(qname).is_none() {
            return Err(Broken::Indeterminate(format!(
                "no trust anchor covers {}",
                qname.to_text()
            )));
        }
        let sets = rrsets(&reply.answers);
        // Nothing signed at all: fine only below a delegation proven
        // unsigned; in a signed zone, stripped signatures are bogus.
        if sets.iter().all(|s| s.sigs.is_empty())
            && !reply.authority.iter().any(|r| r.rtype == T_RRSIG)
        {
            let anything = !sets.is_empty() || reply.authority.iter().any(|r| r.rtype != T_RRSIG);
            return match self.unsigned_above(qname).await? {
                Some(why) => Err(Broken::Insecure(why)),
                None if anything => {
                    let why = match sets.first() {
                        Some(s) => format!(
                            "no RRSIG for {} {} in a signed zone",
                            s.owner.to_text(),
                            type_text(s.rtype)
                        ),
                        None => format!(
                            "no NSEC or NSEC3 proves that {} {} does not exist",
                            qname.to_text(),
                            type_text(qtype)
                        ),
                    };
                    self.step(qname, Check::Rrsig, false, why.clone());
                    Err(Broken::Bogus(why))
                }
                None => Err(Broken::Bogus("an empty answer in a signed zone".into())),
            };
        }
        let mut current = lower(qname);
        let mut answered = false;
        let mut insecure = None;
        for set in &sets {
            if set.sigs.is_empty() {
                // An unsigned RRset beside signed ones (a CNAME into an
                // unsigned zone): insecure if that zone is proven unsigned.
                match self.unsigned_above(&set.owner).await? {
                    Some(why) => {
                        insecure = Some(why);
                        if set.owner.eq_ignore_case(&current)
                            && (set.rtype == qtype || qtype == 255)
                        {
                            answered = true;
                        }
                        continue;
                    }
                    None => {
                        let why = format!(
                            "no RRSIG for {} {} in a signed zone",
                            set.owner.to_text(),
                            type_text(set.rtype)
                        );
                        self.step(&set.owner, Check::Rrsig, false, why.clone());
                        return Err(Broken::Bogus(why));
                    }
                }
            }
            let signer = set
                .sigs
                .iter()
                .filter_map(|s| Rrsig::parse(&s.rdata))
                .map(|f| f.signer)
                .find(|s| is_within(&set.owner, s));
            let Some(signer) = signer else {
                let why = format!(
                    "no usable RRSIG for {} {}",
                    set.owner.to_text(),
                    type_text(set.rtype)
                );
                self.step(&set.owner, Check::Rrsig, false, why.clone());
                return Err(Broken::Bogus(why));
            };
            let keys = self.zone_keys(&signer).await?;
            match verify_set(set, &signer, &keys, self.now) {
                Ok((tag, wildcard)) => {
                    self.step(
                        &set.owner,
                        Check::Rrsig,
                        true,
                        format!(
                            "{} {} signed by {} key {tag}",
                            set.owner.to_text(),
                            type_text(set.rtype),
                            signer.to_text()
                        ),
                    );
                    if let Some(labels) = wildcard {
                        // Synthesised from a wildcard: the name itself must
                        // be proven absent (RFC 4035 5.3.4).
                        self.check_wildcard(reply, &set.owner, labels).await?;
                    }
                }
                Err(why) => {
                    self.step(&set.owner, Check::Rrsig, false, why.clone());
                    return Err(Broken::Bogus(why));
                }
            }
            if set.owner.eq_ignore_case(&current) {
                if set.rtype == qtype || qtype == 255 {
                    answered = true;
                } else if set.rtype == T_CNAME
                    && let Some(t) = set.records.first().and_then(|r| r.target.clone())
                {
                    current = lower(&t);
                }
            }
            if set.rtype == T_DNAME && qtype == T_DNAME {
                answered = true;
            }
        }
        if let Some(why) = insecure {
            return Err(Broken::Insecure(why));
        }
        if answered || reply.rcode != 0 && reply.rcode != 3 {
            return Ok(());
        }
        // The answer ends without data for the name reached: the denial
        // must be proven (for the end of the CNAME chain).
        let has_proof = reply
            .authority
            .iter()
            .any(|r| r.rtype == T_NSEC || r.rtype == T_NSEC3);
        if !has_proof && current != lower(qname) {
            // A chain that leaves the zone: the server answered what it has.
            return Ok(());
        }
        self.check_denial(reply, &current, qtype).await.map(|_| ())
    }

    async fn check_wildcard(
        &mut self,
        reply: &Reply,
        owner: &WireName,
        labels: u8,
    ) -> Result<(), Broken> {
        let sets = rrsets(&reply.authority);
        let proofs: Vec<&RrSet<'_>> = sets
            .iter()
            .filter(|s| s.rtype == T_NSEC || s.rtype == T_NSEC3)
            .collect();
        for set in &proofs {
            let signer = set
                .sigs
                .iter()
                .find_map(|s| Rrsig::parse(&s.rdata).map(|f| f.signer));
            let Some(signer) = signer else { continue };
            let keys = self.zone_keys(&signer).await?;
            if verify_set(set, &signer, &keys, self.now).is_err() {
                continue;
            }
            let held = if set.rtype == T_NSEC {
                set.records.iter().any(|r| {
                    Nsec::parse(&r.rdata).is_some_and(|n| nsec_covers(&set.owner, &n.next, owner))
                })
            } else {
                // The next closer name (one label below the wildcard's
                // parent) must be covered.
                let next_closer = suffix(owner, usize::from(labels) + 1);
                set.records.iter().any(|r| {
                    nsec3_of(&r.rdata).is_some_and(|f| {
                        f.iterations <= MAX_NSEC3_ITERATIONS
                            && nsec3_owner_hash(&set.owner).is_some_and(|h| {
                                hash_between(
                                    &h,
                                    f.next_hash,
                                    &nsec3_hash(&next_closer, f.salt, f.iterations),
                                )
                            })
                    })
                })
            };
            if held {
                self.step(
                    owner,
                    Check::Denial,
                    true,
                    format!(
                        "{} does not exist: the answer came from a wildcard",
                        owner.to_text()
                    ),
                );
                return Ok(());
            }
        }
        let why = format!(
            "{} was answered from a wildcard with no proof that the name does not exist",
            owner.to_text()
        );
        self.step(owner, Check::Denial, false, why.clone());
        Err(Broken::Bogus(why))
    }
}

/// What a checked denial proves.
enum Denial {
    /// The name exists without the type; `delegation`: NS there, no SOA.
    NoData { delegation: bool, how: String },
    /// The name does not exist.
    NxDomain(String),
    /// An NSEC3 opt-out span covers the name: unsigned delegations may lie there.
    OptOut(String),
}

fn nsec_denial(proofs: &[&RrSet<'_>], name: &WireName, qtype: u16) -> Result<Denial, String> {
    let nsecs: Vec<(WireName, WireName, TypeBitmap<'_>)> = proofs
        .iter()
        .filter(|s| s.rtype == T_NSEC)
        .flat_map(|s| {
            s.records
                .iter()
                .filter_map(|r| Nsec::parse(&r.rdata).map(|n| (s.owner.clone(), n.next, n.types)))
        })
        .collect();
    // The name exists: its own NSEC lists its types.
    if let Some((owner, _, bm)) = nsecs.iter().find(|(o, _, _)| o.eq_ignore_case(name)) {
        if bm.has(qtype) {
            return Err(format!(
                "the NSEC at {} lists {}",
                owner.to_text(),
                type_text(qtype)
            ));
        }
        if bm.has(T_CNAME) {
            return Err(format!("the NSEC at {} lists CNAME", owner.to_text()));
        }
        let delegation = bm.has(T_NS) && !bm.has(T_SOA);
        return Ok(Denial::NoData {
            delegation,
            how: format!(
                "the NSEC at {} lists neither {} nor CNAME",
                owner.to_text(),
                type_text(qtype)
            ),
        });
    }
    // The name does not exist: one NSEC covers it, and one covers the
    // wildcard at its closest encloser (or proves the wildcard has no data).
    let Some((owner, next, _)) = nsecs.iter().find(|(o, n, _)| nsec_covers(o, n, name)) else {
        return Err(format!("no NSEC matches or covers {}", name.to_text()));
    };
    let common = |a: &WireName| -> usize {
        let (a, n) = (lower(a), lower(name));
        let la: Vec<&[u8]> = a.labels().collect();
        let ln: Vec<&[u8]> = n.labels().collect();
        la.iter()
            .rev()
            .zip(ln.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
    };
    let encloser = suffix(name, common(owner).max(common(next)));
    let wildcard = prepend(b"*", &encloser);
    let wildcard_denied = nsecs.iter().any(|(o, n, bm)| {
        nsec_covers(o, n, &wildcard)
            || o.eq_ignore_case(&wildcard) && !bm.has(qtype) && !bm.has(T_CNAME)
    });
    if !wildcard_denied {
        return Err(format!(
            "no NSEC denies the wildcard {}",
            wildcard.to_text()
        ));
    }
    Ok(Denial::NxDomain(format!(
        "the NSEC {} -> {} covers {}, and {} is denied",
        owner.to_text(),
        next.to_text(),
        name.to_text(),
        wildcard.to_text()
    )))
}

fn nsec3_denial(proofs: &[&RrSet<'_>], name: &WireName, qtype: u16) -> Result<Denial, String> {
    struct N3<'a> {
        hash: Vec<u8>,
        f: Nsec3<'a>,
    }
    let all: Vec<N3<'_>> = proofs
        .iter()
        .filter(|s| s.rtype == T_NSEC3)
        .flat_map(|s| {
            s.records.iter().filter_map(|r| {
                Some(N3 {
                    hash: nsec3_owner_hash(&s.owner)?,
                    f: nsec3_of(&r.rdata)?,
                })
            })
        })
        .collect();
    let Some(first) = all.first() else {
        return Err("no NSEC3 record could be read".into());
    };
    if first.f.iterations > MAX_NSEC3_ITERATIONS {
        return Err(format!(
            "NSEC3 with {} iterations (at most {MAX_NSEC3_ITERATIONS} are checked)",
            first.f.iterations
        ));
    }
    let (salt, iterations) = (first.f.salt, first.f.iterations);
    let h = |n: &WireName| nsec3_hash(n, salt, iterations);
    let matching = |n: &WireName| {
        let hn = h(n);
        all.iter().find(|x| x.hash == hn)
    };
    let covering = |n: &WireName| {
        let hn = h(n);
        all.iter()
            .find(|x| hash_between(&x.hash, x.f.next_hash, &hn))
    };
    if let Some(m) = matching(name) {
        if m.f.types.has(qtype) || m.f.types.has(T_CNAME) {
            return Err(format!(
                "the NSEC3 of {} lists {} or CNAME",
                name.to_text(),
                type_text(qtype)
            ));
        }
        let delegation = m.f.types.has(T_NS) && !m.f.types.has(T_SOA);
        return Ok(Denial::NoData {
            delegation,
            how: format!(
                "the NSEC3 of {} lists neither {} nor CNAME",
                name.to_text(),
                type_text(qtype)
            ),
        });
    }
    // Closest encloser proof (RFC 5155 8.3): an ancestor that matches, the
    // next closer name covered.
    let total = name.label_count();
    for keep in (0..total).rev() {
        let ce = suffix(name, keep);
        if matching(&ce).is_none() {
            continue;
        }
        let next_closer = suffix(name, keep + 1);
        let Some(cover) = covering(&next_closer) else {
            return Err(format!("no NSEC3 covers {}", next_closer.to_text()));
        };
        if cover.f.opt_out() && qtype == T_DS {
            return Ok(Denial::OptOut(format!(
                "the NSEC3 covering {} has opt-out",
                next_closer.to_text()
            )));
        }
        let wildcard = prepend(b"*", &ce);
        if covering(&wildcard).is_some() {
            return Ok(Denial::NxDomain(format!(
                "closest encloser {}, {} covered, {} covered",
                ce.to_text(),
                next_closer.to_text(),
                wildcard.to_text()
            )));
        }
        if cover.f.opt_out() {
            return Ok(Denial::OptOut(format!(
                "the NSEC3 covering {} has opt-out",
                next_closer.to_text()
            )));
        }
        return Err(format!(
            "no NSEC3 covers the wildcard {}",
            wildcard.to_text()
        ));
    }
    Err(format!(
        "no NSEC3 proves a closest encloser of {}",
        name.to_text()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
                proptest::prop_assert!(verify_set(&set, &owner, &keys, now_u32()).is_err());
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
