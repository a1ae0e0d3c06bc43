//! `lookup --trace`: iterative resolution from the root, as `dig +trace`
//! does it, one step per server asked: the root hints (built in, or
//! `--root-hints FILE` for private roots and tests), each referral with
//! the zone it hands over to and the servers it names (glue first; a name
//! server without glue is found through @SERVER when the walk was primed
//! from one, else the system's resolver), down to the answer, NXDOMAIN or
//! NODATA. Every step must move
//! down towards the name: a referral sideways or upwards ends the trace.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use super::client::{QueryOpts, exchange};
use super::lookup::ServerAddr;
use super::record::Answer;
use super::server::Server;
use super::status::{DnsStatus, NameStatus, StepOutcome, Walk};
use super::types::type_name;
use super::wire::WireName;
use crate::deadline::Deadline;
use crate::error::{Failure, NetkitError, Result};
use crate::exit::{Exit, Reason};

/// Most steps (referrals) followed.
pub const MAX_STEPS: usize = 24;
/// Most addresses tried at one level before giving up on it.
pub const MAX_TRIES_PER_LEVEL: usize = 4;
/// The largest root hints file read.
pub const MAX_HINTS_FILE: u64 = 1 << 20;

/// The IANA root servers' IPv4 addresses (root-servers.net), used only
/// without `--root-hints`.
const ROOT_HINTS: [[u8; 4]; 13] = [
    [198, 41, 0, 4],
    [170, 247, 170, 2],
    [192, 33, 4, 12],
    [199, 7, 91, 13],
    [192, 203, 230, 10],
    [192, 5, 5, 241],
    [192, 112, 36, 4],
    [198, 97, 190, 53],
    [192, 36, 148, 17],
    [192, 58, 128, 30],
    [193, 0, 14, 129],
    [199, 7, 83, 42],
    [202, 12, 27, 33],
];

/// Reads root hints: the A and AAAA records of a named.root-style file
/// (`NAME [TTL] [IN] A|AAAA ADDRESS`), or bare addresses, one per line
/// (`ADDRESS` or `ADDRESS:PORT`, `[IPv6]:PORT`, for servers off port 53).
pub fn root_hints(file: Option<&Path>) -> Result<Vec<(String, SocketAddr)>> {
    let Some(path) = file else {
        return Ok(ROOT_HINTS
            .iter()
            .map(|a| {
                (
                    "(root hint)".to_string(),
                    SocketAddr::new(IpAddr::from(*a), 53),
                )
            })
            .collect());
    };
    let data = crate::value::read_file_limited(path, MAX_HINTS_FILE, "--root-hints")?;
    let text = String::from_utf8_lossy(&data);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split(';').next().unwrap_or("");
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [one] = f.as_slice()
            && let Ok(sa) = one.parse::<SocketAddr>()
        {
            out.push(("(root hint)".to_string(), sa));
            continue;
        }
        let addr = match f.as_slice() {
            [one] => one
                .parse::<IpAddr>()
                .ok()
                .map(|a| ("(root hint)".to_string(), a)),
            [owner, .., t, a] if t.eq_ignore_ascii_case("A") || t.eq_ignore_ascii_case("AAAA") => {
                a.parse::<IpAddr>().ok().map(|a| (owner.to_string(), a))
            }
            _ => None,
        };
        if let Some((owner, a)) = addr {
            out.push((owner, SocketAddr::new(a, 53)));
        }
    }
    if out.is_empty() {
        return Err(NetkitError::invalid(format!(
            "--root-hints {}: no A or AAAA records",
            crate::sanitize::escape(&path.display().to_string())
        )));
    }
    Ok(out)
}

/// One server asked.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TraceStep {
    /// False when the server failed to answer (the next one is tried).
    pub ok: bool,
    /// 1, 2, ... in the order asked.
    pub step: usize,
    /// The zone this server was asked as a server of (`.` first).
    pub zone: String,
    /// The server's name (from the referral or the hints).
    pub ns: String,
    /// Its address.
    pub server: ServerAddr,
    /// `referral`, `answer`, `nxdomain`, `nodata`, or the failure.
    pub outcome: StepOutcome,
    /// For a referral: the zone handed over to.
    pub referral_to: Option<String>,
    /// For a referral: the servers named for it.
    pub servers: Vec<String>,
    /// The answer section (on the last step).
    pub answers: Vec<Answer>,
    /// Round trip, milliseconds.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_ms: Option<f64>,
    /// Why the step failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

impl crate::output::Report for TraceStep {
    const TYPE: &'static str = "trace_step";
}

/// Where the trace ended.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TraceSummary {
    /// True when the trace reached an answer with data.
    pub ok: bool,
    /// The name as given.
    pub name: String,
    /// The type asked.
    pub qtype: String,
    /// `noerror`, `nxdomain`, `nodata`, or why it stopped.
    pub status: NameStatus,
    /// Servers asked.
    pub steps: usize,
    /// The zones passed through, root first.
    pub zones: Vec<String>,
    /// Why the trace failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// With --dnssec: the verdict on the last answer, each zone's DNSKEY
    /// checked against the DS its parent's server gave in the walk (or
    /// the anchor), listed in `chain`; null without.
    pub dnssec: Option<super::dnssec::Verdict>,
}

impl crate::output::Report for TraceSummary {
    const TYPE: &'static str = "summary";

    /// Whether the trace reached an answer (`server="trace"`), and its steps.
    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let l = [
            ("name", self.name.as_str()),
            ("qtype", self.qtype.as_str()),
            ("server", "trace"),
        ];
        super::lookup::success_gauge(m, &l, self.ok);
        m.gauge(
            "netkit_dns_trace_steps",
            "Servers asked on the way down from the root",
            &l[..2],
            self.steps as f64,
        );
    }
}

impl TraceSummary {
    /// The exit status of the trace.
    pub fn exit(&self) -> Exit {
        match &self.error {
            None => Exit::Success,
            Some(e) => e.reason.exit(),
        }
    }
}

fn is_under(name: &WireName, zone: &WireName) -> bool {
    let n: Vec<&[u8]> = name.labels().collect();
    let z: Vec<&[u8]> = zone.labels().collect();
    z.len() <= n.len()
        && n[n.len() - z.len()..]
            .iter()
            .zip(&z)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// How a trace runs: where it starts, how each query goes, and the one
/// deadline and stop flag that bound the whole of it (glue-less name
/// servers' addresses included).
pub struct TracePlan<'a> {
    /// The root servers (and how to speak to them: UDP, or TCP only).
    pub hints: Vec<(String, Server)>,
    /// Per query.
    pub opts: QueryOpts,
    /// The whole trace's budget; each trace of several names gets its own.
    pub budget: std::time::Duration,
    /// Ctrl-C.
    pub stop: &'a crate::signal::Stop,
    /// `--dnssec`: validate the last answer through the servers walked.
    pub dnssec: Option<&'a super::dnssec::Plan>,
    /// The @SERVER the walk was primed from: it finds the addresses of
    /// name servers given without glue (else the system's resolver).
    pub resolver: Option<&'a Server>,
    /// `-4` (`Some(true)`), `-6` (`Some(false)`): only name servers of
    /// that family are asked.
    pub family: Option<bool>,
}

/// The whole-trace budget when nothing else says: a dozen levels' worth of
/// tries, at least 30 s (docs/limits.md).
pub fn default_budget(opts: &QueryOpts) -> std::time::Duration {
    (opts.timeout * (opts.retries + 1) * 12).max(std::time::Duration::from_secs(30))
}

/// One query, bounded by what is left of `deadline` and by `stop`.
async fn ask(
    server: &Server,
    name: &Name,
    t: RecordType,
    opts: QueryOpts,
    deadline: Deadline,
    stop: &crate::signal::Stop,
) -> Result<super::client::Exchange, Failure> {
    let left = deadline.left();
    let late = || Failure::timeout("the trace", deadline.budget());
    if left.is_zero() {
        return Err(late());
    }
    let opts = QueryOpts {
        timeout: opts.timeout.min(left),
        ..opts
    };
    tokio::select! {
        r = tokio::time::timeout(left, exchange(server, name, t, opts)) => r.unwrap_or_else(|_| Err(late())),
        () = stop.wait() => Err(Failure::new(Reason::Interrupted, "interrupted")),
    }
}

/// `dig +trace @SERVER`: the root's name servers as SERVER knows them
/// (`. NS`, recursion desired), with their addresses from its additional
/// section, or asked of it for the first few names without. These, not the
/// built-in roots, start the trace.
pub async fn prime(
    server: &Server,
    opts: QueryOpts,
    budget: std::time::Duration,
    stop: &crate::signal::Stop,
) -> std::result::Result<Vec<(String, Server)>, Failure> {
    let deadline = Deadline::after(budget);
    let opts = QueryOpts {
        recurse: true,
        dnssec: false,
        ..opts
    };
    let ex = ask(server, &Name::root(), RecordType::NS, opts, deadline, stop).await?;
    let from = ex.server;
    let r = &ex.response;
    let names: Vec<WireName> = r
        .answers
        .iter()
        .filter(|a| a.rtype == u16::from(RecordType::NS))
        .filter_map(|a| a.target.clone())
        .take(16)
        .collect();
    if names.is_empty() {
        return Err(Failure::new(
            Reason::ResolverFailure,
            format!("{from} named no root name servers (. NS) to start the trace from"),
        ));
    }
    let mut hints = Vec::new();
    for n in &names {
        hints.extend(
            r.glue(n)
                .into_iter()
                .map(|a| (n.to_text(), server.plain_like(a))),
        );
    }
    if hints.is_empty() {
        for n in names.iter().take(MAX_TRIES_PER_LEVEL) {
            let Ok(name) = Name::from_labels(n.labels().map(<[u8]>::to_vec)) else {
                continue;
            };
            let (a, aaaa) = tokio::join!(
                ask(server, &name, RecordType::A, opts, deadline, stop),
                ask(server, &name, RecordType::AAAA, opts, deadline, stop),
            );
            hints.extend(
                super::client::server_addresses([a, aaaa])
                    .into_iter()
                    .map(|a| (n.to_text(), server.plain_like(a))),
            );
        }
    }
    if hints.is_empty() {
        return Err(Failure::new(
            Reason::ResolverFailure,
            format!("{from} gave no addresses for the root name servers it named"),
        ));
    }
    Ok(hints)
}

/// Finds addresses for name servers without glue: through the @SERVER the
/// trace was primed from when there is one (its transport kept), else the
/// system's first nameserver; A and AAAA at once, within the trace's
/// deadline.
async fn addresses_of(
    ns: &WireName,
    like: &Server,
    resolver: Option<&Server>,
    opts: QueryOpts,
    deadline: Deadline,
    stop: &crate::signal::Stop,
) -> Vec<SocketAddr> {
    let Ok(name) = Name::from_labels(ns.labels().map(<[u8]>::to_vec)) else {
        return Vec::new();
    };
    let server = match resolver {
        Some(s) => s.clone(),
        None => {
            let Ok(cfg) = super::system_config(Path::new("/etc/resolv.conf")) else {
                return Vec::new();
            };
            let Some(first) = cfg.servers.first().copied() else {
                return Vec::new();
            };
            like.plain_like(first)
        }
    };
    let opts = QueryOpts {
        recurse: true,
        dnssec: false,
        ..opts
    };
    let (a, aaaa) = tokio::join!(
        ask(&server, &name, RecordType::A, opts, deadline, stop),
        ask(&server, &name, RecordType::AAAA, opts, deadline, stop),
    );
    super::client::server_addresses([a, aaaa])
}

/// Resolves (`name`, `qtype`) iteratively from the walk's hints, calling
/// `step` as each server answers or fails. The servers found on the way are
/// spoken to as the hints are (UDP, or TCP only). The whole trace ends by
/// one deadline, and at once on `stop`, with its summary either way.
pub async fn trace(
    given: &str,
    name: &Name,
    qtype: RecordType,
    walk: &TracePlan<'_>,
    step: &mut dyn FnMut(&TraceStep) -> std::io::Result<()>,
) -> std::io::Result<TraceSummary> {
    let opts = QueryOpts {
        recurse: false,
        dnssec: walk.dnssec.is_some(),
        ..walk.opts
    };
    let (deadline, stop) = (Deadline::after(walk.budget), walk.stop);
    // Each zone's server that answered, for --dnssec.
    let mut routes: Vec<(WireName, Server)> = Vec::new();
    let mut qname = name.clone();
    qname.set_fqdn(true);
    let qwire = WireName::from_name(&qname);
    let mut summary = TraceSummary {
        ok: false,
        name: given.to_string(),
        qtype: type_name(u16::from(qtype)).into_owned(),
        status: NameStatus::Dns(DnsStatus::Error),
        steps: 0,
        zones: vec![".".into()],
        error: None,
        dnssec: None,
    };
    let mut zone = WireName::root();
    let mut servers = walk.hints.clone();
    if let Some(v4) = walk.family {
        servers.retain(|(_, srv)| srv.addr().is_ipv4() == v4);
    }
    let fail = |s: &mut TraceSummary, reason: Reason, why: String| {
        s.status = NameStatus::Failed(reason);
        s.error = Some(Failure::new(reason, why));
    };
    'levels: while summary.steps < MAX_STEPS {
        let mut last_error = None;
        for (ns, server) in servers.iter().take(MAX_TRIES_PER_LEVEL) {
            let addr = server.addr();
            if stop.is_set() {
                fail(&mut summary, Reason::Interrupted, "interrupted".into());
                return Ok(summary);
            }
            if deadline.passed() {
                let f = Failure::timeout("the trace", deadline.budget());
                fail(&mut summary, f.reason, f.message);
                return Ok(summary);
            }
            summary.steps += 1;
            let mut s = TraceStep {
                ok: false,
                step: summary.steps,
                zone: zone.to_text(),
                ns: ns.clone(),
                server: addr.into(),
                outcome: StepOutcome::Dns(DnsStatus::Error),
                referral_to: None,
                servers: Vec::new(),
                answers: Vec::new(),
                rtt_ms: None,
                error: None,
            };
            let ex = match ask(server, &qname, qtype, opts, deadline, stop).await {
                Ok(ex) => ex,
                Err(f) => {
                    s.outcome = StepOutcome::Failed(f.reason);
                    s.error = Some(f.clone());
                    step(&s)?;
                    last_error = Some(f);
                    continue;
                }
            };
            s.ok = true;
            s.rtt_ms = Some(ex.rtt_ms);
            let r = &ex.response;
            s.answers = r.answers.iter().map(Answer::from_rr).collect();
            let ns_records: Vec<_> = r.authority.iter().filter(|a| a.rtype == 2).collect();
            if r.rcode == 0 || r.rcode == 3 {
                routes.push((zone.clone(), server.clone()));
            }
            if r.rcode == 3 {
                s.outcome = StepOutcome::Dns(DnsStatus::Nxdomain);
                step(&s)?;
                fail(
                    &mut summary,
                    Reason::Nxdomain,
                    format!("NXDOMAIN from {addr}"),
                );
                summary.status = NameStatus::Dns(DnsStatus::Nxdomain);
                validated(&mut summary, walk, r, &qwire, qtype, server, routes, opts).await;
                return Ok(summary);
            }
            if r.rcode != 0 {
                let status = DnsStatus::from_rcode(r.rcode);
                s.ok = false;
                s.outcome = StepOutcome::Dns(status);
                step(&s)?;
                last_error = Some(Failure::new(
                    status.reason().unwrap_or(Reason::Rcode),
                    format!("{} from {addr}", status.upper()),
                ));
                continue;
            }
            if !r.answers.is_empty() {
                s.outcome = StepOutcome::Walk(Walk::Answer);
                step(&s)?;
                summary.ok = true;
                summary.status = NameStatus::Dns(DnsStatus::Noerror);
                validated(&mut summary, walk, r, &qwire, qtype, server, routes, opts).await;
                return Ok(summary);
            }
            if ns_records.is_empty() {
                s.outcome = StepOutcome::Dns(DnsStatus::Nodata);
                step(&s)?;
                fail(&mut summary, Reason::Nodata, format!("NODATA from {addr}"));
                summary.status = NameStatus::Dns(DnsStatus::Nodata);
                validated(&mut summary, walk, r, &qwire, qtype, server, routes, opts).await;
                return Ok(summary);
            }
            // A referral: it must hand over to a zone below the current one
            // that holds the name.
            let next = ns_records[0].name.clone();
            if !is_under(&next, &zone)
                || next.label_count() <= zone.label_count()
                || !is_under(&qwire, &next)
            {
                s.ok = false;
                s.outcome = StepOutcome::Walk(Walk::BadReferral);
                s.referral_to = Some(next.to_text());
                step(&s)?;
                fail(
                    &mut summary,
                    Reason::Referral,
                    format!(
                        "{addr} referred {} to {}, which is not below {}",
                        qwire.to_text(),
                        next.to_text(),
                        zone.to_text()
                    ),
                );
                return Ok(summary);
            }
            s.outcome = StepOutcome::Walk(Walk::Referral);
            s.referral_to = Some(next.to_text());
            routes.retain(|(z, _)| z != &zone);
            routes.push((zone.clone(), server.clone()));
            let mut next_servers = Vec::new();
            for n in &ns_records {
                let Some(target) = n.target.clone() else {
                    continue;
                };
                s.servers.push(target.to_text());
                let glue = r.glue(&target);
                next_servers.extend(
                    glue.into_iter()
                        .map(|a| (target.to_text(), server.plain_like(a))),
                );
            }
            if next_servers.is_empty() {
                // No glue: the names' addresses, all at once.
                let targets: Vec<&WireName> = ns_records
                    .iter()
                    .filter_map(|n| n.target.as_ref())
                    .take(MAX_TRIES_PER_LEVEL)
                    .collect();
                let found = futures_util::future::join_all(
                    targets
                        .iter()
                        .map(|t| addresses_of(t, server, walk.resolver, opts, deadline, stop)),
                )
                .await;
                for (t, addrs) in targets.iter().zip(found) {
                    next_servers.extend(
                        addrs
                            .into_iter()
                            .map(|a| (t.to_text(), server.plain_like(a))),
                    );
                }
            }
            if let Some(v4) = walk.family {
                next_servers.retain(|(_, srv)| srv.addr().is_ipv4() == v4);
            }
            step(&s)?;
            if next_servers.is_empty() {
                let only = match walk.family {
                    Some(true) => " (IPv4 only, -4)",
                    Some(false) => " (IPv6 only, -6)",
                    None => "",
                };
                fail(
                    &mut summary,
                    Reason::NoNameserver,
                    format!("no address for any server of {}{only}", next.to_text()),
                );
                return Ok(summary);
            }
            summary.zones.push(next.to_text());
            zone = next;
            servers = next_servers;
            continue 'levels;
        }
        if stop.is_set() {
            fail(&mut summary, Reason::Interrupted, "interrupted".into());
            return Ok(summary);
        }
        let only = match walk.family {
            Some(true) => " of IPv4 (-4)",
            Some(false) => " of IPv6 (-6)",
            None => "",
        };
        let f = last_error.unwrap_or_else(|| {
            Failure::new(
                Reason::NoNameserver,
                format!("no server{only} to ask for {}", zone.to_text()),
            )
        });
        summary.status = NameStatus::Failed(f.reason);
        summary.error = Some(f);
        return Ok(summary);
    }
    fail(
        &mut summary,
        Reason::Referral,
        format!("more than {MAX_STEPS} steps"),
    );
    Ok(summary)
}

/// `--dnssec`: the verdict on the trace's last answer, each zone's keys
/// asked of the server that served it in the walk. Bogus fails the trace
/// (exit 3).
#[allow(clippy::too_many_arguments)]
async fn validated(
    summary: &mut TraceSummary,
    walk: &TracePlan<'_>,
    reply: &super::wire::Reply,
    qname: &WireName,
    qtype: RecordType,
    server: &Server,
    routes: Vec<(WireName, Server)>,
    opts: QueryOpts,
) {
    let Some(plan) = walk.dnssec else { return };
    let verdict = super::dnssec::validate_routed(
        reply,
        qname,
        u16::from(qtype),
        server,
        routes,
        plan,
        opts,
        walk.stop,
    )
    .await;
    if verdict.status == super::dnssec::Security::Bogus {
        summary.ok = false;
        summary.status = NameStatus::Failed(Reason::Bogus);
        summary.error = Some(Failure::new(
            Reason::Bogus,
            format!(
                "DNSSEC validation failed: {}",
                verdict.reason.as_deref().unwrap_or("bogus")
            ),
        ));
    }
    summary.dnssec = Some(verdict);
}

/// What [`trace_all`] reports as it goes.
pub enum Event<'a> {
    /// A server answered or failed.
    Step(&'a TraceStep),
    /// A trace ended.
    End(&'a TraceSummary),
}

/// Traces every (name, type); returns the worst exit.
pub async fn trace_all(
    given: &[(String, Name)],
    types: &[RecordType],
    walk: &TracePlan<'_>,
    emit: &mut dyn FnMut(Event<'_>) -> std::io::Result<()>,
) -> std::io::Result<Exit> {
    let mut exit = Exit::Success;
    for (text, name) in given {
        for t in types {
            if walk.stop.is_set() {
                break;
            }
            let summary = trace(text, name, *t, walk, &mut |s| emit(Event::Step(s))).await?;
            exit = exit.max(summary.exit());
            emit(Event::End(&summary))?;
        }
    }
    Ok(exit)
}
