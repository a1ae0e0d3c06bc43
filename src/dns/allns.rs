//! `lookup --all-ns`: the propagation check. The name's zone is found (its
//! SOA), then its NS set and their addresses (glue first), and every
//! authoritative server is asked the same question directly, with the
//! zone's SOA beside it: where answers or serials differ is the result.

use std::net::SocketAddr;

use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use super::client::{Exchange, QueryOpts, exchange};
use super::lookup::ServerAddr;
use super::record::RecordData;
use super::server::Server;
use super::types::type_name;
use super::wire::{Rr, WireName};
use crate::error::Failure;
use crate::exit::{Exit, Reason};

/// Most name servers asked, all NS names and addresses together (a zone
/// with more is cut, and says so: a hostile zone cannot aim netkit's
/// queries at a thousand addresses).
pub const MAX_SERVERS: usize = 32;

/// One authoritative server's answer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NsAnswer {
    /// The server's name, from the NS record.
    pub ns: String,
    /// The address asked.
    pub server: ServerAddr,
    /// True when both questions were answered.
    pub ok: bool,
    /// The zone's SOA serial there.
    pub serial: Option<u32>,
    /// The answer's status (`noerror`, `nxdomain`, `nodata`, `timeout`...).
    pub status: super::DnsStatus,
    /// Whether the server said it is authoritative (AA).
    pub authoritative: bool,
    /// The answer's values for the type, sorted.
    pub values: Vec<String>,
    /// Round trip of the question, milliseconds.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_ms: Option<f64>,
    /// Why this server gave no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

/// Every authoritative server of a zone, compared.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AllNsReport {
    /// True when every server answered and all agree.
    pub ok: bool,
    /// The name as given.
    pub name: String,
    /// The type asked.
    pub qtype: String,
    /// The zone the name is in (the SOA's owner).
    pub zone: Option<String>,
    /// Each server's answer, in NS order.
    pub servers: Vec<NsAnswer>,
    /// Whether every server that answered has the same SOA serial.
    pub serials_agree: bool,
    /// Whether every server that answered gave the same status and values.
    pub answers_agree: bool,
    /// Name servers and addresses listed but not asked: past
    /// [`MAX_SERVERS`] in all.
    pub servers_not_asked: u64,
    /// What went wrong finding the servers, or how they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

impl crate::output::Report for AllNsReport {
    const TYPE: &'static str = "all_ns";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let l = [("name", self.name.as_str()), ("qtype", self.qtype.as_str())];
        m.gauge(
            "netkit_dns_servers_agree",
            "Whether every authoritative server gave the same serial and answer",
            &l,
            f64::from(u8::from(self.ok)),
        );
        let zone = self.zone.clone().unwrap_or_default();
        for s in &self.servers {
            let addr = s.server.to_string();
            let sl = [
                ("zone", zone.as_str()),
                ("ns", s.ns.as_str()),
                ("server", addr.as_str()),
            ];
            if let Some(serial) = s.serial {
                m.gauge(
                    "netkit_dns_soa_serial",
                    "The zone's SOA serial on each server",
                    &sl,
                    f64::from(serial),
                );
            }
            m.gauge(
                "netkit_dns_server_up",
                "Whether the server answered",
                &sl,
                f64::from(u8::from(s.ok)),
            );
        }
    }
}

impl AllNsReport {
    /// 0 when all agree; 1 when they differ; else the worst failure's exit.
    pub fn exit(&self) -> Exit {
        if let Some(e) = &self.error
            && e.reason != Reason::Diverged
        {
            return e.reason.exit();
        }
        let failed = self
            .servers
            .iter()
            .filter_map(|s| s.error.as_ref())
            .map(|e| e.reason.exit())
            .max();
        failed.unwrap_or(if self.ok {
            Exit::Success
        } else {
            Exit::Negative
        })
    }
}

fn name_of(w: &WireName) -> Option<Name> {
    Name::from_labels(w.labels().map(<[u8]>::to_vec)).ok()
}

fn soa_serial(rrs: &[Rr]) -> Option<u32> {
    rrs.iter().find_map(|r| match r.data {
        RecordData::Soa { serial, .. } if r.rtype == 6 => Some(serial),
        _ => None,
    })
}

async fn ask(
    server: &Server,
    name: &Name,
    t: RecordType,
    opts: QueryOpts,
) -> Result<Exchange, Failure> {
    exchange(server, name, t, opts).await
}

impl AllNsReport {
    /// A report on (`given`, `qtype`), nothing known yet.
    fn new(given: &str, qtype: RecordType) -> AllNsReport {
        AllNsReport {
            ok: false,
            name: given.to_string(),
            qtype: type_name(u16::from(qtype)).into_owned(),
            zone: None,
            servers: Vec::new(),
            serials_agree: false,
            answers_agree: false,
            servers_not_asked: 0,
            error: None,
        }
    }
}

/// A check that did not end.
fn unfinished(given: &str, qtype: RecordType, f: Failure) -> AllNsReport {
    AllNsReport {
        error: Some(f),
        ..AllNsReport::new(given, qtype)
    }
}

/// Finds `name`'s zone and its servers through `via`, then asks each.
pub async fn all_ns(
    given: &str,
    name: &Name,
    qtype: RecordType,
    via: &Server,
    opts: QueryOpts,
) -> AllNsReport {
    let mut report = AllNsReport::new(given, qtype);
    let mut qname = name.clone();
    qname.set_fqdn(true);
    // The zone: the owner of the SOA in the answer or the authority section.
    let soa = match ask(via, &qname, RecordType::SOA, opts).await {
        Ok(ex) => ex,
        Err(f) => {
            report.error = Some(f);
            return report;
        }
    };
    let zone = soa
        .response
        .answers
        .iter()
        .chain(&soa.response.authority)
        .find(|r| r.rtype == 6)
        .map(|r| r.name.clone());
    let Some(zone) = zone else {
        report.error = Some(Failure::new(
            Reason::Nodata,
            format!("{via} gave no SOA for {given}: cannot tell its zone"),
        ));
        return report;
    };
    report.zone = Some(zone.to_text());
    let Some(zone_name) = name_of(&zone) else {
        report.error = Some(Failure::new(
            Reason::Malformed,
            "the zone name is not valid",
        ));
        return report;
    };
    let ns = match ask(via, &zone_name, RecordType::NS, opts).await {
        Ok(ex) => ex.response,
        Err(f) => {
            report.error = Some(f);
            return report;
        }
    };
    // The NS names, each once, at most MAX_SERVERS of them.
    let mut names: Vec<WireName> = Vec::new();
    let mut listed = 0u64;
    for target in ns
        .answers
        .iter()
        .filter(|r| r.rtype == 2)
        .filter_map(|r| r.target.as_ref())
    {
        if names.iter().any(|n| n.eq_ignore_case(target)) {
            continue;
        }
        listed += 1;
        if names.len() < MAX_SERVERS {
            names.push(target.clone());
        }
    }
    // Glue from the additional section; the names without it resolved all
    // at once, within the deadline.
    let lookups = names.iter().map(|target| {
        let glue = ns.glue(target);
        async move {
            if !glue.is_empty() {
                return glue;
            }
            let Some(n) = name_of(target) else {
                return Vec::new();
            };
            let (a, aaaa) = tokio::join!(
                ask(via, &n, RecordType::A, opts),
                ask(via, &n, RecordType::AAAA, opts)
            );
            super::client::server_addresses([a, aaaa])
        }
    });
    let found = futures_util::future::join_all(lookups).await;
    // At most MAX_SERVERS addresses in all.
    let mut room = MAX_SERVERS;
    report.servers_not_asked = listed - names.len() as u64;
    let mut targets: Vec<(String, Vec<SocketAddr>)> = Vec::new();
    for (name, mut addrs) in names.iter().zip(found) {
        addrs.dedup();
        if room == 0 {
            report.servers_not_asked += addrs.len().max(1) as u64;
            continue;
        }
        let keep = addrs.len().min(room);
        report.servers_not_asked += (addrs.len() - keep) as u64;
        room = room.saturating_sub(keep.max(1));
        addrs.truncate(keep);
        targets.push((name.to_text(), addrs));
    }
    if targets.is_empty() {
        report.error = Some(Failure::new(
            Reason::Nodata,
            format!("{via} gave no NS records for {}", zone.to_text()),
        ));
        return report;
    }
    let mut set = tokio::task::JoinSet::new();
    let mut index = 0usize;
    for (ns_name, addrs) in &targets {
        if addrs.is_empty() {
            report.servers.push(NsAnswer {
                ns: ns_name.clone(),
                server: SocketAddr::new(std::net::Ipv4Addr::UNSPECIFIED.into(), 53).into(),
                ok: false,
                serial: None,
                status: super::DnsStatus::Error,
                authoritative: false,
                values: Vec::new(),
                rtt_ms: None,
                error: Some(Failure::new(
                    Reason::Nxdomain,
                    format!("no address for {ns_name}"),
                )),
            });
            continue;
        }
        for addr in addrs {
            let (ns_name, zone_name, qname, addr, given) = (
                ns_name.clone(),
                zone_name.clone(),
                qname.clone(),
                *addr,
                given.to_string(),
            );
            // The zone's servers are plain DNS (over TCP only if `via` is).
            let server = via.plain_like(addr);
            let i = index;
            index += 1;
            set.spawn(async move {
                let soa = ask(&server, &zone_name, RecordType::SOA, opts).await;
                let answer = super::lookup::resolve_at(&given, &qname, qtype, &server, opts).await;
                let serial = soa
                    .as_ref()
                    .ok()
                    .and_then(|ex| soa_serial(&ex.response.answers));
                let mut values: Vec<String> =
                    answer.answers.iter().map(|a| a.value.clone()).collect();
                values.sort();
                let error = match (&soa, &answer.error) {
                    (Err(f), _) => Some(f.clone()),
                    (_, Some(f)) if !matches!(f.reason, Reason::Nxdomain | Reason::Nodata) => {
                        Some(f.clone())
                    }
                    _ => None,
                };
                (
                    i,
                    NsAnswer {
                        ns: ns_name,
                        server: addr.into(),
                        ok: error.is_none(),
                        serial,
                        status: answer.status,
                        authoritative: answer.flags.contains(&"aa"),
                        values,
                        rtt_ms: answer.rtt_ms,
                        error,
                    },
                )
            });
        }
    }
    let mut asked = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(r) = r {
            asked.push(r);
        }
    }
    asked.sort_by_key(|(i, _)| *i);
    report.servers.extend(asked.into_iter().map(|(_, a)| a));
    let answered: Vec<&NsAnswer> = report.servers.iter().filter(|s| s.ok).collect();
    report.serials_agree = answered.windows(2).all(|w| w[0].serial == w[1].serial);
    report.answers_agree = answered
        .windows(2)
        .all(|w| w[0].status == w[1].status && w[0].values == w[1].values);
    let all_answered = answered.len() == report.servers.len();
    report.ok = all_answered && report.serials_agree && report.answers_agree;
    if all_answered && !report.ok {
        let what = match (report.serials_agree, report.answers_agree) {
            (false, false) => "SOA serials and answers differ",
            (false, true) => "SOA serials differ",
            _ => "answers differ",
        };
        report.error = Some(Failure::new(
            Reason::Diverged,
            format!("{what} between the servers of {}", zone.to_text()),
        ));
    }
    report
}

/// The server to find zones through: the first given, else resolv.conf's
/// first nameserver (over TCP only with `tcp`), with resolv.conf's timeout
/// and retries.
pub fn via(
    servers: &[Server],
    plain: super::server::Plain,
) -> crate::error::Result<(Server, std::time::Duration, u32)> {
    if let Some(s) = servers.first() {
        return Ok((s.clone(), std::time::Duration::from_secs(2), 1));
    }
    let cfg = super::system_config(std::path::Path::new("/etc/resolv.conf"))?;
    let first = *cfg.servers.first().ok_or_else(|| {
        crate::error::NetkitError::invalid(
            "--all-ns: no nameserver to find the zone with: give @SERVER",
        )
    })?;
    Ok((
        plain.at(first),
        cfg.timeout,
        cfg.attempts.saturating_sub(1) as u32,
    ))
}

/// Checks every (name, type); returns the worst exit.
pub async fn all_ns_all(
    given: &[(String, Name)],
    types: &[RecordType],
    via: &Server,
    opts: QueryOpts,
    stop: &crate::signal::Stop,
    emit: &mut dyn FnMut(&AllNsReport) -> std::io::Result<()>,
) -> std::io::Result<Exit> {
    let mut exit = Exit::Success;
    // One deadline per (name, type): the zone, its servers' names and
    // every server's two answers together.
    let budget = (opts.timeout * (opts.retries + 1) * 4).max(std::time::Duration::from_secs(30));
    for (text, name) in given {
        for t in types {
            if stop.is_set() {
                return Ok(exit);
            }
            let checked = tokio::time::timeout(budget, all_ns(text, name, *t, via, opts));
            let r = tokio::select! {
                r = checked => r.unwrap_or_else(|_| {
                    unfinished(text, *t, Failure::timeout("the check of every name server", budget))
                }),
                () = stop.wait() => unfinished(text, *t, Failure::new(Reason::Interrupted, "interrupted")),
            };
            exit = exit.max(r.exit());
            emit(&r)?;
        }
    }
    Ok(exit)
}
