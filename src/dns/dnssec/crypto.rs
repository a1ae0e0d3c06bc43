//! Signatures and digests: DNSKEYs, the algorithms this validator
//! verifies (ring), DS digests, signature validity in serial time, and an
//! RRset verified against a zone's keys. No network.

use crate::dns::rdata::{Decode, Dnskey, Ds, Rrsig};

use super::canon::*;
use super::*;

/// A DNSKEY, with what the checks need.
#[derive(Debug, Clone)]
pub(super) struct Key {
    pub(super) tag: u16,
    pub(super) alg: u8,
    pub(super) flags: u16,
    pub(super) rdata: Vec<u8>,
}

impl Key {
    pub(super) fn from_rdata(rdata: &[u8]) -> Option<Key> {
        let k = Dnskey::parse(rdata).filter(|k| k.protocol == 3)?;
        Some(Key {
            tag: key_tag(rdata),
            alg: k.alg,
            flags: k.flags,
            rdata: rdata.to_vec(),
        })
    }

    pub(super) fn public(&self) -> &[u8] {
        &self.rdata[4..]
    }

    pub(super) fn is_zone_key(&self) -> bool {
        self.flags & 0x0100 != 0 && self.flags & 0x0080 == 0
    }
}

/// Algorithms this validator verifies (RFC 8624's MUSTs and RECOMMENDEDs
/// but Ed448, which ring lacks).
pub(super) fn algorithm_supported(alg: u8) -> bool {
    matches!(alg, 5 | 7 | 8 | 10 | 13 | 14 | 15)
}

pub(super) fn digest_supported(dtype: u8) -> bool {
    matches!(dtype, 1 | 2 | 4)
}

pub(super) fn algorithm_name(alg: u8) -> String {
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

pub(super) fn verify_signature(key: &Key, msg: &[u8], sig: &[u8]) -> bool {
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
pub(super) fn ds_matches(owner: &WireName, key: &Key, ds: &[u8]) -> bool {
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
/// Whether serial `a` is at or before `b` (RFC 1982 arithmetic).
pub(crate) fn serial_le(a: u32, b: u32) -> bool {
    a == b || (b.wrapping_sub(a) as i32) > 0
}

pub(super) fn now_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

/// Verifies `set` with `keys` of `zone`: Ok with the key tag and the
/// Keys tried per signature among those with its tag and algorithm
/// (KeyTrap, CVE-2023-50387: a zone may publish hundreds of keys that share
/// one tag; patched validators try a few).
pub const MAX_KEYS_PER_SIG: usize = 4;
/// Signatures tried per RRset (a rollover has two; an attacker, hundreds).
pub const MAX_SIGS_PER_SET: usize = 8;
/// Signature verifications for one answer, its whole chain included.
pub const MAX_VERIFICATIONS: u32 = 64;

/// The work one validation may do: signature verifications left, the
/// deadline and the stop flag, all looked at before each verification (the
/// only CPU-bound step), so no answer can hold the CPU past them.
pub struct Budget {
    left: u32,
    deadline: std::time::Instant,
    stop: Option<crate::signal::Stop>,
    /// Ran out of time, or stopped: the verdict is indeterminate.
    pub(super) late: Option<String>,
}

impl Budget {
    /// [`MAX_VERIFICATIONS`] until `deadline`, unless `stop` is set first.
    pub fn new(deadline: std::time::Instant, stop: Option<crate::signal::Stop>) -> Budget {
        Budget {
            left: MAX_VERIFICATIONS,
            deadline,
            stop,
            late: None,
        }
    }

    /// Takes one verification, or says why not.
    fn spend(&mut self) -> Result<(), String> {
        if self.stop.as_ref().is_some_and(crate::signal::Stop::is_set) {
            self.late.get_or_insert_with(|| "stopped".into());
            return Err("stopped".into());
        }
        if std::time::Instant::now() >= self.deadline {
            self.late
                .get_or_insert_with(|| "the validation's deadline passed".into());
            return Err("out of time".into());
        }
        if self.left == 0 {
            return Err(format!(
                "more than {MAX_VERIFICATIONS} signature checks for one answer: given up (KeyTrap, CVE-2023-50387)"
            ));
        }
        self.left -= 1;
        Ok(())
    }
}

/// Reasons joined, at most three of them (a hostile answer can have
/// hundreds).
fn some_of(why: &[String]) -> String {
    let mut out = why.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    if why.len() > 3 {
        out.push_str(&format!("; and {} more", why.len() - 3));
    }
    out
}

/// Verifies `set` with `keys` of `zone`: Ok with the key tag and the
/// wildcard's label count when a signature holds, else why none did. At
/// most [`MAX_SIGS_PER_SET`] signatures and [`MAX_KEYS_PER_SIG`] keys each
/// are tried, each verification taken from `budget`.
pub(super) fn verify_set(
    set: &RrSet<'_>,
    zone: &WireName,
    keys: &[Key],
    now: u32,
    budget: &mut Budget,
) -> Result<(u16, Option<u8>), String> {
    let what = format!("{} {}", set.owner.to_text(), type_text(set.rtype));
    if set.sigs.is_empty() {
        return Err(format!("no RRSIG for {what}"));
    }
    let mut why = Vec::new();
    for sig in set.sigs.iter().take(MAX_SIGS_PER_SET) {
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
            .take(MAX_KEYS_PER_SIG)
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
        for k in candidates {
            if let Err(e) = budget.spend() {
                why.push(e);
                return Err(some_of(&why));
            }
            if verify_signature(k, &data, f.signature) {
                let wildcard =
                    (usize::from(f.labels) < set.owner.label_count()).then_some(f.labels);
                return Ok((f.key_tag, wildcard));
            }
        }
        why.push(format!(
            "RRSIG {what} by key {} ({}) does not verify",
            f.key_tag,
            algorithm_name(f.alg)
        ));
    }
    if set.sigs.len() > MAX_SIGS_PER_SET {
        why.push(format!(
            "{} more RRSIGs not tried (at most {MAX_SIGS_PER_SET} per RRset)",
            set.sigs.len() - MAX_SIGS_PER_SET
        ));
    }
    Err(some_of(&why))
}
