//! Names and RRsets in DNSSEC's canonical form (RFC 4034 6): ordering,
//! ancestry, wildcard owners, and the data a signature covers.

use std::cmp::Ordering;

use crate::dns::rdata::{Decode, Rrsig};
use crate::dns::wire::Rr;

use super::*;

pub(super) fn lower(n: &WireName) -> WireName {
    WireName(n.0.to_ascii_lowercase())
}

/// Whether `n` is `zone` or below it.
pub(super) fn is_within(n: &WireName, zone: &WireName) -> bool {
    let (a, b) = (lower(n), lower(zone));
    let na: Vec<&[u8]> = a.labels().collect();
    let nb: Vec<&[u8]> = b.labels().collect();
    nb.len() <= na.len() && na[na.len() - nb.len()..] == nb[..]
}

/// The name with its `n` rightmost labels.
pub(super) fn suffix(n: &WireName, keep: usize) -> WireName {
    let labels: Vec<&[u8]> = n.labels().collect();
    let mut w = Vec::new();
    for l in &labels[labels.len().saturating_sub(keep)..] {
        w.push(l.len() as u8);
        w.extend_from_slice(l);
    }
    w.push(0);
    WireName(w)
}

pub(super) fn prepend(label: &[u8], n: &WireName) -> WireName {
    let mut w = vec![label.len() as u8];
    w.extend_from_slice(label);
    w.extend_from_slice(&n.0);
    WireName(w)
}

/// RFC 4034 6.1: labels compared from the right, lower case, as bytes.
pub(super) fn canonical_cmp(a: &WireName, b: &WireName) -> Ordering {
    let (a, b) = (lower(a), lower(b));
    let la: Vec<&[u8]> = a.labels().collect();
    let lb: Vec<&[u8]> = b.labels().collect();
    la.iter().rev().cmp(lb.iter().rev())
}

/// Whether `n` falls strictly between `owner` and `next` (the NSEC chain
/// wraps at the end of the zone).
pub(super) fn nsec_covers(owner: &WireName, next: &WireName, n: &WireName) -> bool {
    let after_owner = canonical_cmp(owner, n) == Ordering::Less;
    let before_next = canonical_cmp(n, next) == Ordering::Less;
    if canonical_cmp(owner, next) == Ordering::Less {
        after_owner && before_next
    } else {
        after_owner || before_next
    }
}

pub(super) fn date(t: u32) -> String {
    crate::output::json::rfc3339(i64::from(t))
}

/// One RRset of a section, with the RRSIGs that cover it.
pub(super) struct RrSet<'a> {
    pub(super) owner: WireName,
    pub(super) rtype: u16,
    pub(super) records: Vec<&'a Rr>,
    pub(super) sigs: Vec<&'a Rr>,
}

pub(super) fn rrsets(section: &[Rr]) -> Vec<RrSet<'_>> {
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
pub(super) fn signed_data(set: &RrSet<'_>, sig: &Rrsig<'_>) -> Vec<u8> {
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

pub(super) fn type_text(t: u16) -> String {
    crate::dns::types::type_name(t).into_owned()
}
