//! The walk: from the answer up to a trust anchor, asking the server that
//! answered for each zone's DNSKEY and DS (DO and CD set, as delv does),
//! each link checked with the pure parts and reported.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use hickory_proto::rr::{Name, RecordType};

use crate::dns::client::exchange;
use crate::dns::rdata::{Decode, Ds, Nsec, Rrsig};

use super::canon::*;
use super::crypto::*;
use super::denial::*;
use super::*;

/// What the parent says of a zone's DS.
pub(super) enum DsState {
    /// A signed DS set, verified.
    Signed(Vec<Vec<u8>>),
    /// Proven absent at a delegation: what is below is insecure.
    Unsigned(String),
    /// Proven: not a zone cut (no NS there), or the name does not exist.
    NotACut,
}

/// How a link failed.
#[derive(Debug, Clone)]
pub(super) enum Broken {
    Bogus(String),
    Insecure(String),
    Indeterminate(String),
}

pub(super) type Keys = Result<Vec<Key>, Broken>;

/// A zone's checked keys (or why there are none) and the links that
/// checked them.
pub(super) type Cached = (Keys, Vec<Step>);

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

/// Validates answers from one server.
pub struct Validator<'p> {
    server: Server,
    /// With `--trace`: each zone's server as the walk found it; a zone's
    /// DNSKEY is asked of its own server, its DS of its parent's. Empty:
    /// everything is asked of `server`.
    routes: Vec<(WireName, Server)>,
    opts: QueryOpts,
    plan: &'p Plan,
    anchors: &'p [Anchor],
    chain: Vec<Step>,
    /// Zones whose keys are being fetched (a loop guard).
    fetching: Vec<WireName>,
    now: u32,
    /// The CPU-bound work left, the deadline and the stop flag.
    budget: Budget,
}

impl<'p> Validator<'p> {
    /// A validator asking `server` for keys and DS records, its CPU-bound
    /// work bounded by `budget`.
    pub fn new(server: Server, opts: QueryOpts, plan: &'p Plan, budget: Budget) -> Validator<'p> {
        Validator {
            server,
            routes: Vec::new(),
            opts: QueryOpts {
                dnssec: true,
                ..opts
            },
            plan,
            anchors: &plan.anchors,
            chain: Vec::new(),
            fetching: Vec::new(),
            now: now_u32(),
            budget,
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

    /// Asks each zone's own server (see `routes`).
    pub fn with_routes(mut self, routes: Vec<(WireName, Server)>) -> Self {
        self.routes = routes;
        self
    }

    /// Who is asked for `rtype` at `name`: the server of the closest zone
    /// at or above it, strictly above for DS (the parent's side).
    fn server_for(&self, name: &WireName, rtype: u16) -> &Server {
        self.routes
            .iter()
            .filter(|(zone, _)| {
                is_within(name, zone) && (rtype != T_DS || zone.label_count() < name.label_count())
            })
            .max_by_key(|(zone, _)| zone.label_count())
            .map_or(&self.server, |(_, s)| s)
    }

    async fn query(&self, name: &WireName, rtype: u16) -> Result<Reply, Broken> {
        let n = Name::from_labels(name.labels())
            .map_err(|e| Broken::Indeterminate(format!("{}: {e}", name.to_text())))?;
        let mut n = n;
        n.set_fqdn(true);
        let server = self.server_for(name, rtype);
        let ex = exchange(server, &n, RecordType::from(rtype), self.opts)
            .await
            .map_err(|f| {
                Broken::Indeterminate(format!(
                    "asking {} {} of {}: {}",
                    name.to_text(),
                    type_text(rtype),
                    server,
                    f.message
                ))
            })?;
        let r = ex.response;
        if r.rcode != 0 && r.rcode != 3 {
            return Err(Broken::Indeterminate(format!(
                "{} {} at {}: {}",
                name.to_text(),
                type_text(rtype),
                server,
                crate::dns::DnsStatus::from_rcode(r.rcode).upper()
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
            let key = (self.server_for(&zone, T_DNSKEY).clone(), zone.clone());
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
        // RFC 4509 3: with a SHA-256 (or SHA-384) DS there, SHA-1 ones are
        // ignored (a right SHA-1 digest cannot save a wrong SHA-256 one).
        let stronger = ds
            .iter()
            .filter_map(|d| Ds::parse(d))
            .any(|d| algorithm_supported(d.alg) && matches!(d.digest_type, 2 | 4));
        let before = ds.len();
        let ds: Vec<Vec<u8>> = ds
            .into_iter()
            .filter(|d| !stronger || Ds::parse(d).is_none_or(|d| d.digest_type != 1))
            .collect();
        let sha1_ignored = before - ds.len();
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
            let why = format!(
                "{} has no DNSKEY set at {}",
                zone.to_text(),
                self.server_for(zone, T_DNSKEY)
            );
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
        // A key the DS names but that was revoked since (RFC 5011: the
        // REVOKE flag changes its tag and digest): say so.
        let revoked = keys.iter().filter(|k| k.flags & 0x0080 != 0).find_map(|k| {
            let mut was = k.rdata.clone();
            was[1] &= !0x80;
            let before = Key::from_rdata(&was)?;
            ds.iter()
                .any(|d| ds_matches(zone, &before, d))
                .then_some((before.tag, k.tag))
        });
        if let (true, Some((was, now))) = (vouched.is_empty(), revoked) {
            let why = format!(
                "DNSKEY {was} of {} matches the parent's DS but is revoked (REVOKE flag set, tag now {now}): a revoked key vouches for nothing (RFC 5011)",
                zone.to_text()
            );
            self.step(zone, from, false, why.clone());
            return Err(Broken::Bogus(why));
        }
        if vouched.is_empty() {
            let why = format!(
                "no DNSKEY of {} matches the {} (DS {}; keys {}){}",
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
                    .join(", "),
                if sha1_ignored > 0 {
                    format!("; {sha1_ignored} SHA-1 DS ignored beside SHA-256 (RFC 4509 3)")
                } else {
                    String::new()
                }
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
        match verify_set(set, zone, &vouched, self.now, &mut self.budget) {
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
                return match verify_set(set, &signer, &keys, self.now, &mut self.budget) {
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
            if let Err(why) = verify_set(set, &signer, &keys, self.now, &mut self.budget) {
                self.step(name, Check::Denial, false, why.clone());
                return Err(Broken::Bogus(why));
            }
        }
        // RFC 9276 3.2: NSEC3 with too many iterations is not checked; the
        // answer is treated as insecure (BIND does so past 150).
        let costly = proofs
            .iter()
            .filter(|s| s.rtype == T_NSEC3)
            .flat_map(|s| s.records.iter())
            .filter_map(|r| nsec3_of(&r.rdata))
            .map(|f| f.iterations)
            .find(|&n| n > MAX_NSEC3_ITERATIONS);
        if let Some(n) = costly {
            let why = format!(
                "the denial of {what} uses NSEC3 with {n} iterations, more than the {MAX_NSEC3_ITERATIONS} checked: insecure (RFC 9276 3.2)"
            );
            self.step(name, Check::Insecure, true, why.clone());
            return Err(Broken::Insecure(why));
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
        let mut r = self.validate_inner(reply, qname, qtype).await;
        if let Some(why) = self.budget.late.take() {
            r = Err(Broken::Indeterminate(format!(
                "the chain of trust was not checked: {why}"
            )));
        }
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
            resolver: None,
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
        // DNAMEs verified so far: (owner, target).
        let mut dnames: Vec<(WireName, WireName)> = Vec::new();
        for set in &sets {
            if set.sigs.is_empty()
                && set.rtype == T_CNAME
                && let Some(d) = synthesised_by(set, &dnames)
            {
                // RFC 6672 5.3.3: the CNAME a DNAME synthesises is not
                // signed; the signed DNAME vouches for it.
                self.step(
                    &set.owner,
                    Check::Rrsig,
                    true,
                    format!(
                        "{} CNAME synthesised from the DNAME {} (signed)",
                        set.owner.to_text(),
                        d.to_text()
                    ),
                );
                if set.owner.eq_ignore_case(&current)
                    && let Some(t) = set.records.first().and_then(|r| r.target.clone())
                {
                    current = lower(&t);
                }
                continue;
            }
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
            match verify_set(set, &signer, &keys, self.now, &mut self.budget) {
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
            if set.rtype == T_DNAME {
                if qtype == T_DNAME {
                    answered = true;
                }
                if let Some(t) = set.records.first().and_then(|r| r.target.clone()) {
                    dnames.push((lower(&set.owner), lower(&t)));
                }
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
            if verify_set(set, &signer, &keys, self.now, &mut self.budget).is_err() {
                continue;
            }
            let mut opt_out = false;
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
                        let covers = f.iterations <= MAX_NSEC3_ITERATIONS
                            && nsec3_owner_hash(&set.owner).is_some_and(|h| {
                                hash_between(
                                    &h,
                                    f.next_hash,
                                    &nsec3_hash(&next_closer, f.salt, f.iterations),
                                )
                            });
                        opt_out |= covers && f.opt_out();
                        covers
                    })
                })
            };
            if held && opt_out {
                // The span may hide an unsigned delegation at the name
                // (RFC 5155 6): the answer cannot be proven, as BIND's
                // validator says too.
                let why = format!(
                    "{} was answered from a wildcard, and the NSEC3 covering it has opt-out: an unsigned delegation may lie there",
                    owner.to_text()
                );
                self.step(owner, Check::Insecure, true, why.clone());
                return Err(Broken::Insecure(why));
            }
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

/// The verified DNAME whose substitution gives this unsigned CNAME, if
/// one does: its owner is below the DNAME's, and its target is its owner
/// with the DNAME's owner replaced by the DNAME's target.
fn synthesised_by<'a>(
    cname: &RrSet<'_>,
    dnames: &'a [(WireName, WireName)],
) -> Option<&'a WireName> {
    let target = lower(cname.records.first()?.target.as_ref()?);
    let owner = lower(&cname.owner);
    let total = owner.label_count();
    dnames.iter().find_map(|(d_owner, d_target)| {
        let below = total.checked_sub(d_owner.label_count())?;
        if below == 0 || suffix(&owner, d_owner.label_count()) != *d_owner {
            return None;
        }
        // The labels below the DNAME's owner, then its target.
        let labels: Vec<&[u8]> = owner.labels().collect();
        let mut w = Vec::new();
        for l in &labels[..below] {
            w.push(l.len() as u8);
            w.extend_from_slice(l);
        }
        w.extend_from_slice(&d_target.0);
        (WireName(w) == target).then_some(d_owner)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::wire::Rr;

    fn cname(owner: &str, target: &str) -> Rr {
        Rr {
            name: WireName::from_text(owner).unwrap(),
            rtype: T_CNAME,
            class: 1,
            ttl: 300,
            rdlength: 0,
            text: target.into(),
            data: crate::dns::rdata::RecordData::Target {
                target: target.into(),
            },
            target: WireName::from_text(target),
            rdata: Vec::new(),
        }
    }

    #[test]
    fn only_the_cname_a_dname_synthesises_rides_on_it() {
        let name = |t: &str| lower(&WireName::from_text(t).unwrap());
        let dnames = vec![(name("dname.example.test."), name("sub.example.test."))];
        let check = |owner: &str, target: &str| {
            let rr = cname(owner, target);
            let set = RrSet {
                owner: rr.name.clone(),
                rtype: T_CNAME,
                records: vec![&rr],
                sigs: Vec::new(),
            };
            synthesised_by(&set, &dnames).is_some()
        };
        assert!(check("deep.dname.example.test.", "deep.sub.example.test."));
        assert!(check("A.B.DName.Example.TEST.", "a.b.sub.example.test."));
        // A forged target, the DNAME's own name, a name beside it.
        assert!(!check("deep.dname.example.test.", "evil.test."));
        assert!(!check(
            "deep.dname.example.test.",
            "other.sub.example.test."
        ));
        assert!(!check("dname.example.test.", "sub.example.test."));
        assert!(!check(
            "deep.xdname.example.test.",
            "deep.sub.example.test."
        ));
    }
}
