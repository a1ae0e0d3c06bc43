//! Port scans: targets (names, addresses, HOST:PORT, CIDR blocks) times
//! port lists, probed with bounded concurrency and pacing, each result
//! streamed as it is known. Memory does not grow with the size of the scan:
//! probes are generated from the plan by index and results are not kept.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use colored::Colorize;
use serde::Serialize;

use super::timing::Answer;
use super::{
    PortState, Probe, ProbeOpts, Started, connect_adaptive, is_self_connect, start_connect_with,
};
use crate::addr::cidr::Cidr;
use crate::addr::ports::PortSpec;
use crate::addr::services::ServiceDb;
use crate::addr::{Host, parse_host_port};
use crate::error::{Failure, NetkitError, Result};
use crate::exit::Reason;
use crate::output::text::count;
use crate::output::{Render, View};
use crate::sanitize::escape;
use crate::signal::Stop;

/// Most addresses one invocation scans.
pub const MAX_ADDRESSES: u128 = 65_536;
/// Scans with at most this many probes print their results in plan order
/// (bigger ones print as results come).
pub const ORDERED_UP_TO: usize = 1024;

/// One TARGET of portcheck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A CIDR block (`192.0.2.0/24`, `[2001:db8::/120]:22`), with its ports.
    Block(Cidr, Option<Vec<u16>>),
    /// A host or an address, with its ports.
    Host(Host, Option<Vec<u16>>),
}

/// Parses a portcheck TARGET: HOST, HOST:PORTS, [V6]:PORTS, CIDR,
/// CIDR:PORTS. PORTS is -p's list (`22`, `20-25`, `80,443`, `http`, `-`),
/// its names from `db`.
pub fn parse_target(text: &str, db: &ServiceDb) -> Result<TargetSpec> {
    let t = text.trim();
    let bad = |why: &str| {
        NetkitError::invalid(format!(
            "invalid target '{}': {why}",
            crate::sanitize::brief(text, 100)
        ))
    };
    let ports = |p: &str| -> Result<Vec<u16>> {
        p.parse::<PortSpec>()
            .and_then(|spec| spec.resolve(db, "tcp"))
            .map_err(|e| bad(&e.to_string()))
    };
    // The host (or block) and the text after its port colon, if any.
    let (host, port) = match t.strip_prefix('[') {
        Some(rest) => {
            let (inner, after) = rest.split_once(']').ok_or_else(|| bad("unbalanced '['"))?;
            match after {
                "" => (&t[..inner.len() + 2], None),
                p => (
                    &t[..inner.len() + 2],
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| bad("expected [V6]:PORTS"))?,
                    ),
                ),
            }
        }
        // One colon: HOST:PORTS; more: a bare IPv6 address or block.
        None => match t.split_once(':') {
            Some((h, p)) if !p.contains(':') => (h, Some(p)),
            _ => (t, None),
        },
    };
    let ports = port.map(ports).transpose()?;
    if host.contains('/') {
        let block = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        return Ok(TargetSpec::Block(block.parse()?, ports));
    }
    let hp = parse_host_port(host)?;
    Ok(TargetSpec::Host(hp.host, ports))
}

/// A target that did not resolve.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Unresolved {
    /// Always false.
    pub ok: bool,
    /// The target as given.
    pub target: String,
    /// Why.
    pub error: Failure,
}

impl crate::output::Report for Unresolved {
    const TYPE: &'static str = "target";
}

impl Render for Unresolved {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        writeln!(
            w,
            "{}",
            format!("{}: {}", escape(&self.target), self.error.message).red()
        )
    }
}

/// Addresses that share a port list (one target, or a block).
#[derive(Debug, Clone)]
pub struct ScanGroup {
    /// The target as given, shared by its probes.
    pub label: Arc<str>,
    /// Its addresses.
    pub addresses: Vec<IpAddr>,
    /// Ports, in order.
    pub ports: Vec<u16>,
}

/// [`expand`] with the system resolver bounded by `deadline`: the C calls
/// run on a thread of their own, abandoned at the deadline; every name
/// target then did not resolve.
pub async fn expand_within(
    targets: &[(String, TargetSpec)],
    ports: &[u16],
    family: i32,
    deadline: Duration,
) -> crate::error::Result<(Vec<ScanGroup>, Vec<Unresolved>)> {
    let is_name = |t: &TargetSpec| matches!(t, TargetSpec::Host(crate::addr::Host::Name(_), _));
    if !targets.iter().any(|(_, t)| is_name(t)) {
        return expand(targets, ports, family);
    }
    let (owned, ports_owned) = (targets.to_vec(), ports.to_vec());
    let deadline = crate::deadline::Deadline::after(deadline.max(Duration::from_millis(10)));
    match crate::deadline::within_async("resolving the targets", deadline, move || {
        expand(&owned, &ports_owned, family)
    })
    .await
    {
        Ok(r) => r,
        Err(f) => Ok((
            Vec::new(),
            targets
                .iter()
                .filter(|(_, t)| is_name(t))
                .map(|(text, _)| Unresolved {
                    ok: false,
                    target: text.clone(),
                    error: f.clone(),
                })
                .collect(),
        )),
    }
}

/// Resolves the targets (names through the system resolver, each time it
/// is called: a name may appear later, as a container comes up) into scan
/// groups, and the targets that did not resolve.
pub fn expand(
    targets: &[(String, TargetSpec)],
    ports: &[u16],
    family: i32,
) -> Result<(Vec<ScanGroup>, Vec<Unresolved>)> {
    let family_ok = |ip: &IpAddr| match family {
        libc::AF_INET => ip.is_ipv4(),
        libc::AF_INET6 => ip.is_ipv6(),
        _ => true,
    };
    let mut groups = Vec::new();
    let mut unresolved = Vec::new();
    let mut count: u128 = 0;
    for (text, spec) in targets {
        let (addresses, port): (Vec<IpAddr>, &Option<Vec<u16>>) = match spec {
            TargetSpec::Block(cidr, port) => {
                // Saturating: /0 of IPv6 alone is 2^128 addresses.
                count = count.saturating_add(cidr.size());
                if count > MAX_ADDRESSES {
                    return Err(NetkitError::invalid(format!(
                        "{}: more than {MAX_ADDRESSES} addresses to scan; split the block",
                        crate::sanitize::brief(text, 100)
                    )));
                }
                (cidr.into_addresses().filter(family_ok).collect(), port)
            }
            TargetSpec::Host(Host::Ip { ip, .. }, port) => {
                count += 1;
                (vec![*ip].into_iter().filter(family_ok).collect(), port)
            }
            TargetSpec::Host(Host::Name(name), port) => {
                match crate::resolve::stream_addresses(name, family)? {
                    Ok(ips) => {
                        count += ips.len() as u128;
                        (ips, port)
                    }
                    Err(e) => {
                        let f = e.failure();
                        unresolved.push(Unresolved {
                            ok: false,
                            target: text.clone(),
                            error: Failure::new(
                                f.reason,
                                format!("{}: {}", escape(name), f.message),
                            ),
                        });
                        continue;
                    }
                }
            }
        };
        let ports = match port {
            Some(p) => p.clone(),
            None if ports.is_empty() => {
                return Err(NetkitError::invalid("no ports: give -p PORTS or HOST:PORT"));
            }
            None => ports.to_vec(),
        };
        groups.push(ScanGroup {
            label: text.as_str().into(),
            addresses,
            ports,
        });
    }
    Ok((groups, unresolved))
}

/// A scan: for each group, every address x port, bounded and paced.
#[derive(Debug)]
pub struct ScanPlan {
    /// The groups.
    pub groups: Vec<ScanGroup>,
    /// In flight at once.
    pub concurrency: usize,
    /// Connections per second (None: as fast as concurrency allows).
    pub rate: Option<f64>,
    /// Per-probe options.
    pub opts: ProbeOpts,
    /// The state every port should be in.
    pub expect: PortState,
    /// Round-trip estimates, retransmissions and slow-downs, shared.
    pub timing: super::timing::Timing,
}

impl ScanPlan {
    /// Probes in all.
    pub fn total(&self) -> usize {
        self.groups
            .iter()
            .map(|g| g.addresses.len().saturating_mul(g.ports.len()))
            .fold(0usize, usize::saturating_add)
    }

    /// The (label, address, port) of probe number `i` (< `total()`).
    fn probe_at(&self, mut i: usize) -> Option<(&Arc<str>, IpAddr, u16)> {
        for g in &self.groups {
            let n = g.addresses.len() * g.ports.len();
            if i < n {
                return Some((
                    &g.label,
                    g.addresses[i / g.ports.len()],
                    g.ports[i % g.ports.len()],
                ));
            }
            i -= n;
        }
        None
    }
}

/// Counts by state, for the summary.
#[derive(Debug, Clone, Copy, Default, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Probes made.
    pub probes: u64,
    /// Connected.
    pub open: u64,
    /// Refused.
    pub closed: u64,
    /// No answer.
    pub filtered: u64,
    /// No route, unreachable, prohibited.
    pub unreachable: u64,
    /// Other failures.
    pub errors: u64,
    /// Not in the expected state.
    pub unexpected: u64,
}

impl Counts {
    fn add(&mut self, p: &Probe) {
        self.probes += 1;
        match p.state {
            PortState::Open => self.open += 1,
            PortState::Closed => self.closed += 1,
            PortState::Filtered => self.filtered += 1,
            PortState::Unreachable => self.unreachable += 1,
            PortState::Error => self.errors += 1,
        }
        self.unexpected += u64::from(!p.ok);
    }
}

/// Runs a scan, handing each probe to `emit` as it is known (in plan order
/// for scans of at most 1,024 probes). `done` counts finished probes for a
/// progress line. Large scans run one sub-scanner per core, each over its
/// share of the probes and of the in-flight limit, because most verdicts
/// on near hosts are settled synchronously (see [`start_connect_with`]).
pub async fn scan(
    plan: Arc<ScanPlan>,
    stop: &Stop,
    done: Arc<AtomicU64>,
    emit: &mut dyn FnMut(Probe) -> io::Result<()>,
) -> io::Result<Counts> {
    let total = plan.total();
    // (Counting the cores reads cgroup files: only for a large scan.)
    let parts = if total >= 1024 {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.min(plan.concurrency).max(1)
    } else {
        1
    };
    // Probes travel in batches: one wake-up of this task per batch, not
    // per probe (most of a loopback scan's cost was those wake-ups).
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Probe>>(64);
    let mut handles = Vec::with_capacity(parts);
    for k in 0..parts {
        handles.push(tokio::spawn(scan_part(
            Arc::clone(&plan),
            stop.clone(),
            Arc::clone(&done),
            k,
            parts,
            tx.clone(),
        )));
    }
    drop(tx);
    let ordered = total <= ORDERED_UP_TO;
    let mut held: std::collections::BTreeMap<usize, Probe> = std::collections::BTreeMap::new();
    let mut next = 0usize;
    let mut counts = Counts::default();
    let result = async {
        while let Some(batch) = rx.recv().await {
            for p in batch {
                counts.add(&p);
                if !ordered {
                    emit(p)?;
                    continue;
                }
                held.insert(p.index, p);
                while let Some(p) = held.remove(&next) {
                    emit(p)?;
                    next += 1;
                }
            }
        }
        // Stopped early: what finished is still shown.
        for (_, p) in std::mem::take(&mut held) {
            emit(p)?;
        }
        Ok::<(), io::Error>(())
    }
    .await;
    for h in handles {
        h.abort();
    }
    result.map(|()| counts)
}

/// Probes `k`, `k + parts`, `k + 2 parts`... of the plan.
async fn scan_part(
    plan: Arc<ScanPlan>,
    stop: Stop,
    done: Arc<AtomicU64>,
    k: usize,
    parts: usize,
    tx: tokio::sync::mpsc::Sender<Vec<Probe>>,
) {
    // Verdicts wait here until BATCH of them are in or this part is about
    // to wait for something.
    const BATCH: usize = 256;
    let mut batch: Vec<Probe> = Vec::with_capacity(BATCH);
    let mut spares = super::Spares::default();
    macro_rules! flush {
        () => {
            if !batch.is_empty()
                && tx
                    .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .await
                    .is_err()
            {
                return;
            }
        };
    }
    let total = plan.total();
    let concurrency = (plan.concurrency / parts).max(1);
    let mut set = tokio::task::JoinSet::new();
    let start = tokio::time::Instant::now();
    let mut next = k;
    let mut issued = 0usize;
    let expect = plan.expect;
    let make = move |label: Arc<str>,
                     ip: IpAddr,
                     port: u16,
                     state: PortState,
                     reason: Option<Reason>,
                     t0: Instant,
                     banner,
                     attempts,
                     index| Probe {
        ok: state == expect,
        target: label,
        address: ip,
        port,
        service: None,
        state,
        reason,
        rtt_ms: t0.elapsed().as_secs_f64() * 1e3,
        banner,
        attempts,
        index,
    };
    loop {
        // The in-flight limit shrinks (and pacing starts) when drops rise.
        let window = (plan.timing.window() / parts).clamp(1, concurrency);
        while next < total && set.len() < window && !stop.is_set() {
            if !plan.timing.try_pace() {
                flush!();
                tokio::select! {
                    () = plan.timing.pace() => {}
                    () = stop.wait() => return,
                }
            }
            if let Some(rate) = plan.rate {
                let due = start + Duration::from_secs_f64(issued as f64 / (rate / parts as f64));
                if tokio::time::Instant::now() < due {
                    if set.is_empty() {
                        flush!();
                        tokio::select! {
                            () = tokio::time::sleep_until(due) => {}
                            () = stop.wait() => return,
                        }
                    } else {
                        break;
                    }
                }
            }
            let index = next;
            next += parts;
            issued += 1;
            let Some((label, ip, port)) = plan.probe_at(index) else {
                break;
            };
            let label = Arc::clone(label);
            let addr = SocketAddr::new(ip, port);
            // Settle what is already decided here, without a task: on
            // loopback and near hosts that is nearly every closed port.
            let t0 = Instant::now();
            let started = start_connect_with(addr, Some(&mut spares));
            let settled = match &started {
                Started::Done(st, r)
                    if !(matches!(st, PortState::Error) && plan.timing.retries(ip) > 0) =>
                {
                    Some((*st, *r))
                }
                Started::Connected(s) if plan.opts.banner.is_none() => {
                    Some(if is_self_connect(s) {
                        (PortState::Closed, Some(Reason::SelfConnect))
                    } else {
                        (PortState::Open, None)
                    })
                }
                _ => None,
            };
            if let Some((state, reason)) = settled {
                drop(started);
                if state != PortState::Error {
                    let how = Answer::Newest {
                        retransmitted: false,
                    };
                    plan.timing.answered(ip, t0.elapsed(), how);
                }
                done.fetch_add(1, Ordering::Relaxed);
                batch.push(make(label, ip, port, state, reason, t0, None, 1, index));
                if batch.len() >= BATCH {
                    flush!();
                }
                continue;
            }
            let plan2 = Arc::clone(&plan);
            set.spawn(async move {
                let (state, reason, banner, attempts) =
                    connect_adaptive(addr, started, t0, &plan2.timing, &plan2.opts).await;
                make(label, ip, port, state, reason, t0, banner, attempts, index)
            });
        }
        if set.is_empty() {
            if next < total && !stop.is_set() {
                continue;
            }
            flush!();
            return;
        }
        // A verdict ready now is taken without waiting; before waiting,
        // what is batched goes out.
        let joined = match set.try_join_next() {
            Some(j) => Some(j),
            None => {
                flush!();
                tokio::select! {
                j = set.join_next() => j,
                () = stop.wait() => return,
                () = tokio::time::sleep(Duration::from_millis(5)), if plan.rate.is_some() && next < total => continue,
                    }
            }
        };
        if let Some(Ok(p)) = joined {
            done.fetch_add(1, Ordering::Relaxed);
            batch.push(p);
            if batch.len() >= BATCH {
                flush!();
            }
        }
    }
}

/// Column widths of the streamed table.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The address column (with the target's name when it differs).
    pub address: usize,
    /// The service column.
    pub service: usize,
    /// Show every probe (small scans, -v) or only open and unexpected ones.
    pub all: bool,
    /// The BANNER column.
    pub banner: bool,
}

/// The table's header.
pub fn header(l: &Layout) -> String {
    let mut cells = vec![
        "PORT".to_string(),
        "STATE".into(),
        "SERVICE".into(),
        "ADDRESS".into(),
        "REASON".into(),
    ];
    if l.banner {
        cells.push("BANNER".into());
    }
    crate::output::text::row(&cells, &[9, 11, l.service, l.address, 16])
}

/// A probe as a table row, shown per the layout.
pub struct Row<'a> {
    /// The probe.
    pub probe: &'a Probe,
    /// How.
    pub layout: Layout,
}

impl crate::output::Report for Probe {
    const TYPE: &'static str = "port";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let addr = self.address.to_string();
        let port = self.port.to_string();
        let l = [
            ("target", &*self.target),
            ("address", addr.as_str()),
            ("port", port.as_str()),
        ];
        m.gauge(
            "netkit_port_open",
            "Whether the port accepted a connection",
            &l,
            f64::from(u8::from(self.state == PortState::Open)),
        );
        m.gauge(
            "netkit_port_probe_duration_seconds",
            "How long the probe took",
            &l,
            self.rtt_ms / 1e3,
        );
    }
}

impl crate::output::Report for ScanSummary {
    const TYPE: &'static str = "summary";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        m.gauge(
            "probe_success",
            "Whether every port was as expected",
            &[],
            f64::from(u8::from(self.ok)),
        );
        m.gauge(
            "probe_duration_seconds",
            "How long the check took",
            &[],
            self.duration_ms / 1e3,
        );
        let c = &self.counts;
        for (state, n) in [
            ("open", c.open),
            ("closed", c.closed),
            ("filtered", c.filtered),
            ("unreachable", c.unreachable),
            ("error", c.errors),
        ] {
            m.gauge(
                "netkit_portcheck_ports",
                "Ports probed, by state",
                &[("state", state)],
                n as f64,
            );
        }
    }
}

impl Render for Row<'_> {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let p = self.probe;
        if !self.layout.all && p.state != PortState::Open {
            return Ok(());
        }
        let state = match p.state {
            PortState::Open => p.state.as_str().green().to_string(),
            PortState::Closed => p.state.as_str().to_string(),
            _ => p.state.as_str().yellow().to_string(),
        };
        // The target's name beside the address, when it was a name.
        let address = match crate::addr::parse_host_port(&p.target).map(|h| h.host) {
            Ok(Host::Name(n)) => format!("{} ({})", p.address, escape(&n)),
            _ => p.address.to_string(),
        };
        let mut cells = vec![
            format!("{}/tcp", p.port),
            state,
            p.service.clone().unwrap_or_default(),
            address,
            p.reason
                .filter(|_| p.state != PortState::Open)
                .map(Reason::code)
                .unwrap_or("")
                .to_string(),
        ];
        if self.layout.banner {
            cells.push(
                p.banner
                    .as_deref()
                    .map(|b| escape(b.trim_end()).into_owned())
                    .unwrap_or_default(),
            );
        }
        w.write_all(
            crate::output::text::row(
                &cells,
                &[9, 11, self.layout.service, self.layout.address, 16],
            )
            .as_bytes(),
        )
    }
}

/// The last object of a scan.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ScanSummary {
    /// Whether every port was in the expected state and every target resolved.
    pub ok: bool,
    /// Addresses scanned.
    pub addresses: u64,
    /// Counts by state.
    #[serde(flatten)]
    pub counts: Counts,
    /// Targets that did not resolve.
    pub unresolved: u64,
    /// The state expected of every port.
    pub expect: PortState,
    /// --wait: polls made.
    pub polls: u32,
    /// How long it took.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Stopped by a signal before the end.
    pub interrupted: bool,
    /// Why not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Times the scan slowed down because drops rose (a firewall's SYN
    /// limit, ICMP rate limits).
    pub slowdowns: u32,
    /// --wait: HTTP(S), TLS and Unix-socket checks.
    pub checks: u64,
    /// Of which ready at the last poll.
    pub checks_ready: u64,
    /// Rows left out of the table (closed, filtered...; -v shows them,
    /// unless --open left them out of every output).
    #[serde(skip)]
    pub not_shown: u64,
    /// --open: only open ports were shown.
    #[serde(skip)]
    pub open_only: bool,
}

impl Render for ScanSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let c = &self.counts;
        let mut line = if c.probes == 0 && self.checks > 0 {
            format!(
                "{} of {} checks ready in {:.2} s",
                self.checks_ready,
                self.checks,
                self.duration_ms / 1e3
            )
        } else {
            format!(
                "{} on {}: {} open, {} closed, {} filtered, {} unreachable, {} in {:.2} s",
                count(c.probes, "probe", "probes"),
                count(self.addresses, "address", "addresses"),
                c.open,
                c.closed,
                c.filtered,
                c.unreachable,
                count(c.errors, "error", "errors"),
                self.duration_ms / 1e3
            )
        };
        if c.probes > 0 && self.checks > 0 {
            line.push_str(&format!(
                "; {} of {} checks ready",
                self.checks_ready, self.checks
            ));
        }
        if self.polls > 1 {
            line.push_str(&format!(" ({} polls)", self.polls));
        }
        if self.slowdowns > 0 {
            line.push_str(&format!("; slowed down {} times for drops", self.slowdowns));
        }
        if self.not_shown > 0 {
            let why = if self.open_only {
                "--open"
            } else {
                "-v shows them"
            };
            line.push_str(&format!("; {} not shown ({why})", self.not_shown));
        }
        if self.interrupted {
            line.push_str("; interrupted");
        }
        writeln!(
            w,
            "{}",
            if self.ok {
                line.normal()
            } else {
                line.yellow()
            }
        )?;
        // --wait that ran out of time says so, in words.
        match &self.error {
            Some(e) if e.reason == crate::exit::Reason::Timeout => {
                writeln!(w, "{}", escape(&e.message).red())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_forms() {
        let db = ServiceDb::parse(
            crate::addr::services::BUILTIN,
            crate::addr::netdb::DbSource::Builtin,
        );
        let parse_target = |t: &str| parse_target(t, &db);
        let host = |t: &str| match parse_target(t).unwrap() {
            TargetSpec::Host(h, p) => (h.text(), p),
            other => panic!("{other:?}"),
        };
        assert_eq!(host("127.0.0.1:22"), ("127.0.0.1".into(), Some(vec![22])));
        assert_eq!(host("[::1]:22"), ("::1".into(), Some(vec![22])));
        // -p's list after the colon: ranges, lists, service names.
        assert_eq!(
            host("127.0.0.1:20-22,http"),
            ("127.0.0.1".into(), Some(vec![20, 21, 22, 80]))
        );
        assert_eq!(host("[::1]:https"), ("::1".into(), Some(vec![443])));
        assert_eq!(
            host("h.example.test:8079-8080"),
            ("h.example.test".into(), Some(vec![8079, 8080]))
        );
        assert_eq!(host("[::1]"), ("::1".into(), None));
        assert_eq!(host("::1"), ("::1".into(), None));
        assert_eq!(
            host("host.example.test"),
            ("host.example.test".into(), None)
        );
        match parse_target("192.0.2.0/30:22").unwrap() {
            TargetSpec::Block(c, p) => assert_eq!((c.size(), p), (4, Some(vec![22]))),
            other => panic!("{other:?}"),
        }
        match parse_target("[2001:db8::/126]:22").unwrap() {
            TargetSpec::Block(c, p) => assert_eq!((c.size(), p), (4, Some(vec![22]))),
            other => panic!("{other:?}"),
        }
        match parse_target("2001:db8::/126").unwrap() {
            TargetSpec::Block(c, p) => assert_eq!((c.size(), p), (4, None)),
            other => panic!("{other:?}"),
        }
        match parse_target("192.0.2.0/31:22,80").unwrap() {
            TargetSpec::Block(c, p) => assert_eq!((c.size(), p), (2, Some(vec![22, 80]))),
            other => panic!("{other:?}"),
        }
        for bad in [
            "host:0",
            "host:x",
            ":22",
            "[::1",
            "[::1]x",
            "host:70000",
            "10.0.0.0/33",
            "a b",
            "host:",
            "host:nosuchservice",
            "[::1]:",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }
}
