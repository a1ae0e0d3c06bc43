//! Proofs of non-existence (RFC 4035 5.4, RFC 5155 8): NSEC and NSEC3
//! NODATA and NXDOMAIN with the closest encloser and the wildcard. Pure:
//! the records in, a [`Denial`] or why not out.

use crate::dns::rdata::{Decode, Nsec, Nsec3, TypeBitmap};

use super::canon::*;
use super::*;

/// An NSEC3 record this validator can use: SHA-1 (RFC 5155 the only
/// hash algorithm).
pub(super) fn nsec3_of(rdata: &[u8]) -> Option<Nsec3<'_>> {
    Nsec3::parse(rdata).filter(|n| n.alg == 1)
}

/// RFC 5155 5: SHA-1 over the lower-case wire name and the salt, iterated.
pub(super) fn nsec3_hash(name: &WireName, salt: &[u8], iterations: u16) -> Vec<u8> {
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
pub(super) fn nsec3_owner_hash(owner: &WireName) -> Option<Vec<u8>> {
    let first = owner.labels().next()?;
    data_encoding::BASE32HEX_NOPAD
        .decode(&first.to_ascii_uppercase())
        .ok()
}

pub(super) fn hash_between(owner: &[u8], next: &[u8], h: &[u8]) -> bool {
    if owner < next {
        owner < h && h < next
    } else {
        owner < h || h < next
    }
}

/// What a checked denial proves.
pub(super) enum Denial {
    /// The name exists without the type; `delegation`: NS there, no SOA.
    NoData { delegation: bool, how: String },
    /// The name does not exist.
    NxDomain(String),
    /// An NSEC3 opt-out span covers the name: unsigned delegations may lie there.
    OptOut(String),
}

pub(super) fn nsec_denial(
    proofs: &[&RrSet<'_>],
    name: &WireName,
    qtype: u16,
) -> Result<Denial, String> {
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

pub(super) fn nsec3_denial(
    proofs: &[&RrSet<'_>],
    name: &WireName,
    qtype: u16,
) -> Result<Denial, String> {
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
        // Wildcard NODATA (RFC 5155 8.7): the wildcard exists (its NSEC3
        // matches) without the type; the next closer name is covered.
        if let Some(w) = matching(&wildcard) {
            if w.f.types.has(qtype) || w.f.types.has(T_CNAME) {
                return Err(format!(
                    "the NSEC3 of the wildcard {} lists {} or CNAME",
                    wildcard.to_text(),
                    type_text(qtype)
                ));
            }
            return Ok(Denial::NoData {
                delegation: false,
                how: format!(
                    "closest encloser {}, {} covered, the NSEC3 of the wildcard {} lists neither {} nor CNAME",
                    ce.to_text(),
                    next_closer.to_text(),
                    wildcard.to_text(),
                    type_text(qtype)
                ),
            });
        }
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
