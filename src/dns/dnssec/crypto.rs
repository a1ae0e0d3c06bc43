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
pub(super) fn serial_le(a: u32, b: u32) -> bool {
    a == b || (b.wrapping_sub(a) as i32) > 0
}

pub(super) fn now_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

/// Verifies `set` with `keys` of `zone`: Ok with the key tag and the
/// wildcard's label count when a signature holds, else why none did.
pub(super) fn verify_set(
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
