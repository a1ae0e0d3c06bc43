//! Where the packets stop: a trace of the path to a destination with the
//! connection's own protocol and port (TCP SYNs for TCP, datagrams for
//! UDP), unprivileged, hop by hop.
//!
//! `probes` flows run side by side. Each flow keeps its source port for
//! every TTL, so its 5-tuple is the same all the way and an ECMP router
//! sends all its probes one way (Paris traceroute's point); the flows
//! differ, so ECMP shows as several addresses at one hop. A flow probes
//! one TTL at a time (two sockets cannot share a TCP 5-tuple), and stops
//! at the destination, at an "unreachable", or after [`GAP`] silent hops
//! in a row. A hop is printed once every flow is past it.
//!
//! How long a probe is waited for (traceroute's `-w MAX,HERE,NEAR`): at
//! most the timeout; 3 times the round trip of another flow's answer at
//! the same hop, or 10 times that of an answer from further on, and never
//! less than [`FLOOR`].

mod mtu;
mod probe;
mod render;

pub use render::header;

use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::deadline::Deadline;
use crate::exit::Reason;
use crate::signal::Stop;

pub use mtu::BlackHole;
pub use probe::{Outcome, PathProto, Reached};

/// Silent hops in a row after which a flow stops.
pub const GAP: u8 = 5;
/// The shortest wait for a probe.
pub const FLOOR: Duration = Duration::from_millis(10);
/// How long a probe waits, at the least, before a scout looks further.
pub const SCOUT_AFTER: Duration = Duration::from_millis(5);
/// Most names looked up for one hop's addresses, and how long at most.
pub const NAME_WAIT: Duration = Duration::from_secs(1);

/// How to trace.
#[derive(Debug, Clone)]
pub struct PathOpts {
    /// The protocol of the probes.
    pub proto: PathProto,
    /// Probes per hop (flows).
    pub probes: u32,
    /// The highest TTL.
    pub max_hops: u8,
    /// The most one probe is waited for.
    pub timeout: Duration,
    /// Look up the hops' names.
    pub names: bool,
}

impl Default for PathOpts {
    fn default() -> Self {
        PathOpts {
            proto: PathProto::Tcp,
            probes: 3,
            max_hops: 30,
            timeout: Duration::from_secs(1),
            names: true,
        }
    }
}

/// What one hop (TTL) of the path showed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Hop {
    /// Whether any probe at this hop was answered.
    pub ok: bool,
    /// The TTL (hop limit) of the probes: the hop's number.
    pub ttl: u8,
    /// router (ICMP time exceeded), destination (it answered),
    /// unreachable (a router said there is no way on) or silent.
    pub kind: HopKind,
    /// Every address that answered at this TTL, most replies first (ECMP
    /// shows as more than one).
    pub addresses: Vec<HopAddress>,
    /// Probes sent at this TTL.
    pub sent: u32,
    /// Probes answered.
    pub received: u32,
    /// Probes lost, in percent.
    pub loss_pct: f64,
    /// Round trips of the answered probes.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_min_ms: Option<f64>,
    /// Their mean.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_avg_ms: Option<f64>,
    /// Their maximum.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_max_ms: Option<f64>,
    /// kind unreachable: net_unreachable, host_unreachable or prohibited.
    pub reason: Option<Reason>,
    /// kind destination: how it answered (open or closed).
    pub answer: Option<Reached>,
    /// Each probe, by flow (its source port, the same at every hop).
    pub probes: Vec<HopProbe>,
}

/// One probe of a hop.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HopProbe {
    /// The flow (1 to --count): the same flow has the same 5-tuple at
    /// every hop.
    pub flow: u32,
    /// Who answered (null: nothing did).
    pub address: Option<IpAddr>,
    /// The round trip (null: no answer).
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_ms: Option<f64>,
}

impl crate::output::Report for Hop {
    const TYPE: &'static str = "hop";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let ttl = self.ttl.to_string();
        let address = self
            .addresses
            .first()
            .map_or(String::new(), |a| a.address.to_string());
        let l = [("ttl", ttl.as_str()), ("address", address.as_str())];
        m.gauge(
            "netkit_path_hop_loss_ratio",
            "Share of the probes at this hop that were not answered",
            &l,
            self.loss_pct / 100.0,
        );
        if let Some(avg) = self.rtt_avg_ms {
            m.gauge(
                "netkit_path_hop_rtt_seconds",
                "Mean round trip of the answered probes at this hop",
                &l,
                avg / 1e3,
            );
        }
    }
}

/// What answered at a hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// A router: ICMP time exceeded.
    Router,
    /// The destination itself.
    Destination,
    /// A router (or the destination) said there is no way on.
    Unreachable,
    /// Nothing answered.
    Silent,
}

/// One address seen at a hop.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HopAddress {
    /// The address that answered.
    pub address: IpAddr,
    /// Its reverse name (null with -n, or when it has none).
    pub name: Option<String>,
    /// Probes it answered.
    pub replies: u32,
}

/// Why a trace ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// The destination answered.
    Reached,
    /// A router said there is no way on.
    Unreachable,
    /// Several silent hops in a row.
    Silent,
    /// The highest TTL was probed.
    MaxHops,
    /// The deadline passed.
    Deadline,
    /// A signal stopped it.
    Interrupted,
    /// This host could not send the probes (see `error`).
    Error,
}

/// The last hop that answered.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LastHop {
    /// Its TTL.
    pub ttl: u8,
    /// The address (the one most probes saw).
    pub address: IpAddr,
    /// Its name, when looked up.
    pub name: Option<String>,
}

/// The trace as a whole: after its hops.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PathReport {
    /// Whether the destination answered.
    pub ok: bool,
    /// The destination address.
    pub address: IpAddr,
    /// Its port.
    pub port: u16,
    /// The probes' protocol.
    pub protocol: PathProto,
    /// Probes per hop.
    pub probes: u32,
    /// Whether the destination answered.
    pub reached: bool,
    /// The destination's hop, when reached.
    pub hops: Option<u8>,
    /// The last hop that answered (the destination when reached).
    pub last_hop: Option<LastHop>,
    /// Why the trace ended.
    pub stopped: Stopped,
    /// The path MTU up to the last hop that answered (tracepath's pmtu),
    /// when measured.
    pub path_mtu: Option<u32>,
    /// When the destination was not reached with the connection's
    /// protocol: whether it answers an ICMP echo (null: not tried, or ping
    /// sockets are not permitted to this user by
    /// net.ipv4.ping_group_range).
    pub icmp_echo: Option<bool>,
    /// A hop past which full-size packets die with no "fragmentation
    /// needed" coming back (an MTU black hole), when found.
    pub mtu_black_hole: Option<BlackHole>,
    /// Where the packets stop, for people.
    pub detail: String,
    /// Why no probe could be sent (stopped: error): a ping socket this
    /// user may not open, say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::Failure>,
    /// The whole trace.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
}

impl crate::output::Report for PathReport {
    const TYPE: &'static str = "path";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let addr = self.address.to_string();
        let l = [("address", addr.as_str())];
        m.gauge(
            "netkit_path_reached",
            "Whether the trace reached the destination",
            &l,
            f64::from(u8::from(self.reached)),
        );
        if let Some(h) = &self.last_hop {
            m.gauge(
                "netkit_path_last_hop",
                "The TTL of the last hop that answered",
                &l,
                f64::from(h.ttl),
            );
        }
        if let Some(mtu) = self.path_mtu {
            m.gauge("netkit_path_mtu_bytes", "The path MTU", &l, f64::from(mtu));
        }
    }
}

/// The probes' answers so far, shared by the flows.
struct Table {
    /// Per TTL (index TTL - 1): each flow's outcome.
    hops: Vec<Vec<(usize, Outcome)>>,
    /// Per flow: the highest TTL it has an outcome for.
    through: Vec<u8>,
    /// Per flow: stopped.
    done: Vec<bool>,
    /// The lowest TTL at which the destination answered.
    reached_at: Option<u8>,
    /// Per flow: the TTL it is waiting on, and since when.
    waiting: Vec<Option<(u8, Instant)>>,
    /// Per TTL: the scouts' outcomes (timing only, never shown).
    scouts: Vec<Vec<Outcome>>,
    /// Per TTL: whether a scout was sent there, and when.
    scouted: Vec<Option<Instant>>,
}

impl Table {
    fn new(flows: usize, max_hops: u8) -> Table {
        Table {
            hops: vec![Vec::new(); usize::from(max_hops)],
            through: vec![0; flows],
            done: vec![false; flows],
            reached_at: None,
            waiting: vec![None; flows],
            scouts: vec![Vec::new(); usize::from(max_hops)],
            scouted: vec![None; usize::from(max_hops)],
        }
    }

    /// The largest round trip seen so far (flows and scouts).
    fn max_rtt(&self) -> Option<Duration> {
        let flows = self.hops.iter().flatten().map(|(_, o)| o);
        flows
            .chain(self.scouts.iter().flatten())
            .filter_map(rtt_of)
            .max()
    }

    /// Whether anything answered beyond `ttl`.
    fn answered_beyond(&self, ttl: u8) -> bool {
        let from = usize::from(ttl);
        let flows = self.hops.iter().skip(from).flatten().map(|(_, o)| o);
        let scouts = self.scouts.iter().skip(from).flatten();
        flows.chain(scouts).any(|o| rtt_of(o).is_some())
    }

    /// The next TTL a scout should look at, if any: past the lowest TTL
    /// a flow (or the last scout) has waited on longer than `patience`
    /// with nothing known beyond it.
    fn scout_target(&self, now: Instant, max_hops: u8) -> Option<u8> {
        let patience = self
            .max_rtt()
            .map_or(SCOUT_AFTER, |r| (r * 3).max(SCOUT_AFTER));
        let stuck = self
            .waiting
            .iter()
            .flatten()
            .filter(|(_, since)| now.duration_since(*since) >= patience)
            .map(|(t, _)| *t)
            .min()?;
        // Scouts chain: past a scout that has itself waited long enough.
        let mut ttl = stuck;
        loop {
            if self.answered_beyond(ttl) || self.reached_at.is_some_and(|r| r <= ttl) {
                return None;
            }
            let next = ttl
                .checked_add(1)
                .filter(|&n| n <= max_hops && n <= stuck + GAP)?;
            match self.scouted[usize::from(next) - 1] {
                None => return Some(next),
                Some(since) if now.duration_since(since) >= patience => ttl = next,
                Some(_) => return None,
            }
        }
    }

    /// When a probe at `ttl`, sent at `sent`, stops being waited for.
    fn until(&self, ttl: u8, sent: Instant, timeout: Duration) -> Instant {
        let mut end = sent + timeout;
        let flows = self
            .hops
            .iter()
            .enumerate()
            .flat_map(|(i, h)| h.iter().map(move |(_, o)| (i + 1, o)));
        let scouts = self
            .scouts
            .iter()
            .enumerate()
            .flat_map(|(i, h)| h.iter().map(move |o| (i + 1, o)))
            .filter(|(t, _)| *t > usize::from(ttl));
        for (t, o) in flows.chain(scouts) {
            let factor = match t.cmp(&usize::from(ttl)) {
                std::cmp::Ordering::Less => continue,
                std::cmp::Ordering::Equal => 3,
                std::cmp::Ordering::Greater => 10,
            };
            if let Some(rtt) = rtt_of(o) {
                end = end.min(sent + (rtt * factor).max(FLOOR));
            }
        }
        end
    }

    /// Whether every flow is past `ttl` (or stopped).
    fn complete(&self, ttl: u8) -> bool {
        self.through
            .iter()
            .zip(&self.done)
            .all(|(&t, &d)| d || t >= ttl)
    }

    fn probed(&self) -> u8 {
        self.through.iter().copied().max().unwrap_or(0)
    }

    /// What the scouts say of the TTLs `from..=to`: `Some(true)` when a
    /// scout waited out each of them in silence, `Some(false)` when one of
    /// them was not scouted or was answered, `None` while one is still out.
    fn scouted_silent(&self, from: u8, to: u8) -> Option<bool> {
        for ttl in from..=to {
            let i = usize::from(ttl) - 1;
            if self.scouted.get(i).copied().flatten().is_none() {
                return Some(false);
            }
            match self.scouts[i].first() {
                None => return None,
                Some(Outcome::Silent) => {}
                Some(_) => return Some(false),
            }
        }
        Some(true)
    }
}

fn rtt_of(o: &Outcome) -> Option<Duration> {
    match *o {
        Outcome::Hop { rtt, .. }
        | Outcome::Reached { rtt, .. }
        | Outcome::Unreachable { rtt, .. } => Some(rtt),
        Outcome::Silent | Outcome::Local(_) => None,
    }
}

/// Traces the path to `dst`, calling `on_hop` with each hop in order as
/// soon as every flow is past it, within `deadline` and until `stop`.
pub async fn trace(
    dst: SocketAddr,
    opts: &PathOpts,
    deadline: Deadline,
    stop: &Stop,
    on_hop: &mut dyn FnMut(&Hop) -> std::io::Result<()>,
) -> std::io::Result<PathReport> {
    let begun = Instant::now();
    let flows = opts.probes.clamp(1, 16) as usize;
    let max_hops = opts.max_hops.clamp(1, 64);
    let table = RefCell::new(Table::new(flows, max_hops));
    let names = Names::default();
    // Wake the printer and the scouts when a flow records an outcome (a
    // permit each: a wake-up while they are busy is not lost).
    let news = (tokio::sync::Notify::new(), tokio::sync::Notify::new());
    let until = |ttl: u8, sent: Instant| -> Instant {
        if stop.is_set() {
            // Already past: the wait ends at once.
            return sent;
        }
        table
            .borrow()
            .until(ttl, sent, opts.timeout)
            .min(deadline.at())
    };
    let walk = |i: usize| {
        let table = &table;
        let names = &names;
        let news = &news;
        let until = &until;
        async move {
            let mut flow = probe::Flow::default();
            let mut silent = 0u8;
            for ttl in 1..=max_hops {
                if stop.is_set() || deadline.passed() {
                    break;
                }
                if table.borrow().reached_at.is_some_and(|r| r < ttl) {
                    break;
                }
                table.borrow_mut().waiting[i] = Some((ttl, Instant::now()));
                let o =
                    probe::probe(&mut flow, opts.proto, dst, ttl, &|sent| until(ttl, sent)).await;
                if let (true, Outcome::Hop { from, .. } | Outcome::Unreachable { from, .. }) =
                    (opts.names, o)
                {
                    names.request(from);
                }
                news.0.notify_one();
                news.1.notify_one();
                {
                    let mut t = table.borrow_mut();
                    t.waiting[i] = None;
                    t.hops[usize::from(ttl) - 1].push((i, o));
                    t.through[i] = ttl;
                    if let Outcome::Reached { .. } = o {
                        t.reached_at = Some(t.reached_at.map_or(ttl, |r| r.min(ttl)));
                    }
                }
                match o {
                    Outcome::Reached { .. } | Outcome::Unreachable { .. } | Outcome::Local(_) => {
                        break;
                    }
                    Outcome::Silent => {
                        silent += 1;
                        if silent >= GAP {
                            break;
                        }
                        // The scouts already waited out the hops this flow
                        // would still try before giving up: it stops now.
                        let to = ttl.saturating_add(GAP - silent).min(max_hops);
                        if ttl < to && gap_scouted(table, ttl + 1, to, opts.timeout, stop).await {
                            break;
                        }
                    }
                    Outcome::Hop { .. } => silent = 0,
                }
            }
            table.borrow_mut().done[i] = true;
            news.0.notify_one();
            news.1.notify_one();
        }
    };
    let walks = futures_util::future::join_all((0..flows).map(walk));
    // Scouts: while flows wait on a silent hop, a probe on a flow of its
    // own looks one hop further; its answer (timing only) lets the flows
    // stop waiting, as a later hop's answer does in traceroute.
    let scouting = async {
        use futures_util::StreamExt;
        let mut out = futures_util::stream::FuturesUnordered::new();
        loop {
            let (finished, target) = {
                let t = table.borrow();
                (
                    t.done.iter().all(|&d| d),
                    t.scout_target(Instant::now(), max_hops),
                )
            };
            if finished {
                return;
            }
            if let Some(ttl) = target {
                table.borrow_mut().scouted[usize::from(ttl) - 1] = Some(Instant::now());
                out.push(async move {
                    let mut flow = probe::Flow::default();
                    let o = probe::probe(&mut flow, opts.proto, dst, ttl, &|sent| until(ttl, sent))
                        .await;
                    (ttl, o)
                });
                continue;
            }
            let tick = tokio::time::sleep(Duration::from_millis(2));
            tokio::select! {
                Some((ttl, o)) = out.next(), if !out.is_empty() => {
                    table.borrow_mut().scouts[usize::from(ttl) - 1].push(o);
                }
                () = news.1.notified() => {}
                () = tick => {}
            }
        }
    };
    let mut emitted: Vec<Hop> = Vec::new();
    let emit = async {
        loop {
            let next = u8::try_from(emitted.len() + 1).unwrap_or(u8::MAX);
            let (ready, finished) = {
                let t = table.borrow();
                let finished = t.done.iter().all(|&d| d);
                (next <= t.probed() && t.complete(next), finished)
            };
            if ready {
                let outcomes = table.borrow().hops[usize::from(next) - 1].clone();
                let mut hop = with_destination(aggregate(next, &outcomes, dst.ip()), dst.ip());
                if opts.names {
                    names.name_hop(&mut hop, deadline).await;
                }
                // A hop no probe could even be sent to is not printed.
                if hop.sent > 0 {
                    on_hop(&hop)?;
                }
                emitted.push(hop);
                continue;
            }
            if finished {
                return Ok::<(), std::io::Error>(());
            }
            let tick = tokio::time::sleep(Duration::from_millis(20));
            tokio::select! {
                () = news.0.notified() => {}
                () = tick => {}
            }
        }
    };
    let (_, emitted_result, ()) = tokio::join!(walks, emit, scouting);
    emitted_result?;
    let t = table.into_inner();
    let answering: Vec<u8> = emitted
        .iter()
        .filter(|h| matches!(h.kind, HopKind::Router | HopKind::Destination))
        .map(|h| h.ttl)
        .collect();
    let mtu = if answering.is_empty() || stop.is_set() {
        mtu::MtuFound::default()
    } else {
        let rtt = t.max_rtt().unwrap_or(opts.timeout);
        let wait = (rtt * 10).max(FLOOR * 5).min(opts.timeout);
        mtu::discover(dst, &answering, wait, deadline, stop).await
    };
    let stopped = if stop.is_set() {
        Stopped::Interrupted
    } else if t.reached_at.is_some() {
        Stopped::Reached
    } else if emitted.iter().any(|h| h.kind == HopKind::Unreachable) {
        Stopped::Unreachable
    } else if deadline.passed() {
        Stopped::Deadline
    } else if t.probed() >= max_hops {
        Stopped::MaxHops
    } else {
        Stopped::Silent
    };
    // Nothing sent at all: say why, once, instead of a path of silence.
    let local = t
        .hops
        .iter()
        .flatten()
        .find_map(|(_, o)| match o {
            Outcome::Local(r) => Some(*r),
            _ => None,
        })
        .filter(|_| emitted.iter().all(|h| h.sent == 0));
    if let Some(reason) = local {
        let message = match (opts.proto, reason) {
            (PathProto::Icmp, Reason::Permission) => "ICMP echo probes need a ping socket, and \
                 net.ipv4.ping_group_range does not include this user's group: trace with TCP \
                 (--path) or UDP (--udp --path), which need no privilege"
                .to_string(),
            (_, r) => format!(
                "the probes could not be sent: {}{}",
                r.code(),
                r.hint().map(|h| format!(" ({h})")).unwrap_or_default()
            ),
        };
        let mut report = summarize(dst, opts, &[], Stopped::Error, begun.elapsed());
        report.detail = message.clone();
        report.error = Some(crate::error::Failure::new(reason, message));
        return Ok(report);
    }
    let mut report = summarize(dst, opts, &emitted, stopped, begun.elapsed());
    if !report.reached && opts.proto != PathProto::Icmp && !stop.is_set() {
        report.icmp_echo = echo_once(dst, opts.timeout.min(deadline.left()), stop).await;
        match report.icmp_echo {
            Some(true) => report
                .detail
                .push_str("; ICMP echo to the target is answered"),
            Some(false) => report
                .detail
                .push_str("; ICMP echo to the target is not answered either"),
            None => {}
        }
    }
    report.path_mtu = mtu.mtu;
    if let Some(b) = &mtu.black_hole {
        report.detail.push_str(&format!(
            "; {}-byte packets die at hop {} with no \"fragmentation needed\" back (an MTU black hole){}",
            b.dropped_size,
            b.ttl,
            b.mtu_works
                .map(|w| format!(": {w} bytes pass"))
                .unwrap_or_default()
        ));
    }
    report.mtu_black_hole = mtu.black_hole;
    report.duration_ms = begun.elapsed().as_secs_f64() * 1e3;
    Ok(report)
}

/// Whether scouts waited out every TTL of `from..=to` in silence, waiting
/// (at most `timeout`) for those still out.
async fn gap_scouted(
    table: &RefCell<Table>,
    from: u8,
    to: u8,
    timeout: Duration,
    stop: &Stop,
) -> bool {
    let end = Instant::now() + timeout;
    loop {
        match table.borrow().scouted_silent(from, to) {
            Some(done) => return done,
            None if Instant::now() >= end || stop.is_set() => return false,
            None => {}
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Whether the destination answers one ICMP echo (`None`: ping sockets
/// are not permitted here).
async fn echo_once(dst: SocketAddr, wait: Duration, stop: &Stop) -> Option<bool> {
    let mut flow = probe::Flow::default();
    let end = Instant::now() + wait;
    let until = |sent: Instant| if stop.is_set() { sent } else { end };
    match probe::probe(&mut flow, PathProto::Icmp, dst, 64, &until).await {
        Outcome::Reached { .. } => Some(true),
        Outcome::Local(_) => None,
        _ => Some(false),
    }
}

/// One hop from its flows' outcomes.
fn aggregate(ttl: u8, by_flow: &[(usize, Outcome)], dst: IpAddr) -> Hop {
    let mut probes: Vec<HopProbe> = by_flow
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Local(_)))
        .map(|&(flow, o)| HopProbe {
            flow: flow as u32 + 1,
            address: match o {
                Outcome::Hop { from, .. } | Outcome::Unreachable { from, .. } => Some(from),
                Outcome::Reached { .. } => Some(dst),
                _ => None,
            },
            rtt_ms: rtt_of(&o).map(|d| d.as_secs_f64() * 1e3),
        })
        .collect();
    probes.sort_by_key(|p| p.flow);
    let outcomes: Vec<Outcome> = by_flow.iter().map(|(_, o)| *o).collect();
    let outcomes = &outcomes[..];
    let mut addresses: Vec<HopAddress> = Vec::new();
    let mut rtts = Vec::new();
    let mut kind = HopKind::Silent;
    let mut reason = None;
    let mut answer = None;
    let mut sent = 0u32;
    for o in outcomes {
        match *o {
            Outcome::Hop { .. } if kind == HopKind::Silent => kind = HopKind::Router,
            Outcome::Reached { how, .. } => {
                kind = HopKind::Destination;
                answer = Some(how);
            }
            Outcome::Unreachable { reason: r, .. } => {
                if kind != HopKind::Destination {
                    kind = HopKind::Unreachable;
                }
                reason = Some(r);
            }
            Outcome::Local(_) => continue,
            Outcome::Hop { .. } | Outcome::Silent => {}
        }
        sent += 1;
        if let Some(rtt) = rtt_of(o) {
            rtts.push(rtt.as_secs_f64() * 1e3);
        }
    }
    // Addresses: a router's or the destination's.
    for o in outcomes {
        let from = match *o {
            Outcome::Hop { from, .. } | Outcome::Unreachable { from, .. } => from,
            _ => continue,
        };
        match addresses.iter_mut().find(|a| a.address == from) {
            Some(a) => a.replies += 1,
            None => addresses.push(HopAddress {
                address: from,
                name: None,
                replies: 1,
            }),
        }
    }
    addresses.sort_by_key(|a| std::cmp::Reverse(a.replies));
    let received = rtts.len() as u32;
    let loss_pct = if sent == 0 {
        0.0
    } else {
        f64::from(sent - received) * 100.0 / f64::from(sent)
    };
    let (min, max, avg) = if rtts.is_empty() {
        (None, None, None)
    } else {
        let min = rtts.iter().copied().fold(f64::INFINITY, f64::min);
        let max = rtts.iter().copied().fold(0.0, f64::max);
        (
            Some(min),
            Some(max),
            Some(rtts.iter().sum::<f64>() / rtts.len() as f64),
        )
    };
    Hop {
        ok: received > 0,
        ttl,
        kind,
        addresses,
        sent,
        received,
        loss_pct,
        rtt_min_ms: min,
        rtt_avg_ms: avg,
        rtt_max_ms: max,
        reason,
        answer,
        probes,
    }
}

/// Puts the destination's address on its hop (its answers carry none).
fn with_destination(mut hop: Hop, dst: IpAddr) -> Hop {
    if hop.kind == HopKind::Destination && !hop.addresses.iter().any(|a| a.address == dst) {
        let replies = hop.received - hop.addresses.iter().map(|a| a.replies).sum::<u32>();
        hop.addresses.insert(
            0,
            HopAddress {
                address: dst,
                name: None,
                replies,
            },
        );
    }
    hop
}

/// The hops' reverse names, looked up on threads of their own as soon as
/// an address is seen (so the lookups overlap the probing), each waited
/// for at most [`NAME_WAIT`] after it started. Once one lookup runs out
/// of time the resolver is taken as not answering and no more are waited
/// for. At most [`MOST_NAMES`] lookups per trace.
#[derive(Default)]
struct Names {
    found: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<IpAddr, Option<String>>>>,
    started: RefCell<Vec<(IpAddr, Instant)>>,
    gave_up: std::cell::Cell<bool>,
}

/// The most reverse lookups one trace starts.
pub const MOST_NAMES: usize = 64;

impl Names {
    fn request(&self, ip: IpAddr) {
        let mut started = self.started.borrow_mut();
        if started.len() >= MOST_NAMES || started.iter().any(|(a, _)| *a == ip) {
            return;
        }
        started.push((ip, Instant::now()));
        let found = self.found.clone();
        let _ = std::thread::Builder::new()
            .name("netkit-resolve".into())
            .spawn(move || {
                let name = crate::resolve::gethostbyaddr(ip).ok().map(|e| e.hostname);
                if let Ok(mut f) = found.lock() {
                    f.insert(ip, name);
                }
            });
    }

    async fn name(&self, ip: IpAddr, deadline: Deadline) -> Option<String> {
        let begun = self.started.borrow().iter().find(|(a, _)| *a == ip)?.1;
        let end = (begun + NAME_WAIT).min(deadline.at());
        loop {
            if let Some(n) = self.found.lock().ok().and_then(|f| f.get(&ip).cloned()) {
                return n.map(|n| crate::sanitize::escape(&n).into_owned());
            }
            if self.gave_up.get() {
                return None;
            }
            if Instant::now() >= end {
                self.gave_up.set(true);
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Names a hop's addresses.
    async fn name_hop(&self, hop: &mut Hop, deadline: Deadline) {
        for a in &mut hop.addresses {
            self.request(a.address);
        }
        for a in &mut hop.addresses {
            a.name = self.name(a.address, deadline).await;
        }
    }
}

fn summarize(
    dst: SocketAddr,
    opts: &PathOpts,
    hops: &[Hop],
    stopped: Stopped,
    took: Duration,
) -> PathReport {
    let dest_hop = hops.iter().find(|h| h.kind == HopKind::Destination);
    let last = hops.iter().rev().find(|h| h.ok);
    let last_hop = last.and_then(|h| {
        let address = if h.kind == HopKind::Destination {
            dst.ip()
        } else {
            h.addresses.first()?.address
        };
        let name = h
            .addresses
            .iter()
            .find(|a| a.address == address)
            .and_then(|a| a.name.clone());
        Some(LastHop {
            ttl: h.ttl,
            address,
            name,
        })
    });
    let detail = verdict(dst, opts.proto, hops, last_hop.as_ref(), stopped);
    PathReport {
        ok: dest_hop.is_some(),
        address: dst.ip(),
        port: dst.port(),
        protocol: opts.proto,
        probes: opts.probes,
        reached: dest_hop.is_some(),
        hops: dest_hop.map(|h| h.ttl),
        last_hop,
        stopped,
        path_mtu: None,
        mtu_black_hole: None,
        icmp_echo: None,
        detail,
        error: None,
        duration_ms: took.as_secs_f64() * 1e3,
    }
}

/// Where the packets stop, in diagnose's words.
fn verdict(
    dst: SocketAddr,
    proto: PathProto,
    hops: &[Hop],
    last: Option<&LastHop>,
    stopped: Stopped,
) -> String {
    let what = match proto {
        PathProto::Tcp => format!("SYN to :{}", dst.port()),
        PathProto::Udp => format!("UDP to :{}", dst.port()),
        PathProto::Icmp => "ICMP echo".to_string(),
    };
    let name = |l: &LastHop| match &l.name {
        Some(n) => format!("{} ({n})", l.address),
        None => l.address.to_string(),
    };
    if let Some(h) = hops.iter().find(|h| h.kind == HopKind::Destination) {
        let how = match (proto, h.answer) {
            (PathProto::Tcp, Some(Reached::Closed)) => "answered with RST (closed)",
            (PathProto::Tcp, _) => "answered (open)",
            (PathProto::Udp, Some(Reached::Closed)) => "answered port unreachable (closed)",
            (PathProto::Udp | PathProto::Icmp, _) => "answered",
        };
        return format!("{what} reaches {} at hop {}: {how}", dst.ip(), h.ttl);
    }
    if let Some(h) = hops.iter().find(|h| h.kind == HopKind::Unreachable) {
        let from = h
            .addresses
            .first()
            .map_or(String::from("a router"), |a| a.address.to_string());
        let why = h.reason.map_or("unreachable", Reason::code);
        return format!("{what} is refused by {from} at hop {} ({why})", h.ttl);
    }
    let end = match stopped {
        Stopped::Interrupted => " (interrupted)",
        Stopped::Deadline => " (the deadline passed)",
        _ => "",
    };
    match last {
        Some(l) => format!(
            "{what} dies after {} (hop {}): the drop is at or after that router{end}",
            name(l),
            l.ttl
        ),
        None => format!(
            "{what}: no hop answered: the drop is at the first router, or ICMP does not come back{end}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(from: &str, ms: u64) -> Outcome {
        Outcome::Hop {
            from: from.parse().unwrap(),
            rtt: Duration::from_millis(ms),
        }
    }

    #[test]
    fn a_hop_counts_its_flows_and_addresses() {
        let dst: IpAddr = "10.0.4.2".parse().unwrap();
        let h = aggregate(
            2,
            &[
                (0, hop("10.0.2.2", 2)),
                (1, Outcome::Silent),
                (2, hop("10.0.5.2", 4)),
                (3, hop("10.0.2.2", 6)),
            ],
            dst,
        );
        assert_eq!((h.kind, h.sent, h.received), (HopKind::Router, 4, 3));
        assert_eq!(h.loss_pct, 25.0);
        assert_eq!(
            (h.rtt_min_ms, h.rtt_avg_ms, h.rtt_max_ms),
            (Some(2.0), Some(4.0), Some(6.0))
        );
        let addrs: Vec<(String, u32)> = h
            .addresses
            .iter()
            .map(|a| (a.address.to_string(), a.replies))
            .collect();
        assert_eq!(addrs, [("10.0.2.2".into(), 2), ("10.0.5.2".into(), 1)]);
        assert_eq!(h.probes[1].address, None);
        let reached = Outcome::Reached {
            rtt: Duration::from_millis(1),
            how: Reached::Closed,
        };
        let d = with_destination(
            aggregate(4, &[(0, reached), (1, Outcome::Silent)], dst),
            dst,
        );
        assert_eq!(
            (d.kind, d.answer),
            (HopKind::Destination, Some(Reached::Closed))
        );
        assert_eq!(d.addresses[0].address, dst);
        assert_eq!(d.addresses[0].replies, 1);
        let lost = aggregate(3, &[(0, Outcome::Silent), (1, Outcome::Silent)], dst);
        assert_eq!(
            (lost.kind, lost.ok, lost.loss_pct),
            (HopKind::Silent, false, 100.0)
        );
    }

    #[test]
    fn waits_shrink_with_answers_at_and_past_the_hop() {
        let mut t = Table::new(2, 8);
        let sent = Instant::now();
        let timeout = Duration::from_secs(1);
        assert_eq!(t.until(3, sent, timeout), sent + timeout);
        // An answer before the hop says nothing.
        t.hops[0].push((0, hop("10.0.1.2", 5)));
        assert_eq!(t.until(3, sent, timeout), sent + timeout);
        // At the hop: 3 times its round trip.
        t.hops[2].push((1, hop("10.0.3.2", 20)));
        assert_eq!(t.until(3, sent, timeout), sent + Duration::from_millis(60));
        // Past it (a scout's): 10 times, whichever is sooner.
        t.scouts[4].push(hop("10.0.5.2", 4));
        assert_eq!(t.until(3, sent, timeout), sent + Duration::from_millis(40));
        // Never less than the floor.
        t.scouts[5].push(hop("10.0.6.2", 0));
        assert_eq!(t.until(3, sent, timeout), sent + FLOOR);
    }

    #[test]
    fn scouts_look_past_a_hop_waited_on_too_long() {
        let mut t = Table::new(2, 8);
        let now = Instant::now();
        let long_ago = now - Duration::from_millis(500);
        t.through = vec![1, 1];
        t.hops[0].push((0, hop("10.0.1.2", 1)));
        // Just started waiting on TTL 2: no scout yet.
        t.waiting = vec![Some((2, now)), Some((2, now))];
        assert_eq!(t.scout_target(now, 8), None);
        // Waited long: a scout at TTL 3, then (once it waited too) 4.
        t.waiting = vec![Some((2, long_ago)), Some((2, now))];
        assert_eq!(t.scout_target(now, 8), Some(3));
        t.scouted[2] = Some(now);
        assert_eq!(t.scout_target(now, 8), None);
        t.scouted[2] = Some(long_ago);
        assert_eq!(t.scout_target(now, 8), Some(4));
        // Something answered past TTL 2: no more scouts needed.
        t.scouts[3].push(hop("10.0.4.2", 1));
        assert_eq!(t.scout_target(now, 8), None);
    }

    #[test]
    fn verdicts_say_where() {
        let dst: SocketAddr = "10.0.4.2:443".parse().unwrap();
        let r1 = aggregate(1, &[(0, hop("10.0.1.2", 1))], dst.ip());
        let r2 = aggregate(2, &[(0, hop("10.0.2.2", 1))], dst.ip());
        let silent = aggregate(3, &[(0, Outcome::Silent)], dst.ip());
        let opts = PathOpts::default();
        let report = summarize(
            dst,
            &opts,
            &[r1.clone(), r2.clone(), silent.clone()],
            Stopped::Silent,
            Duration::ZERO,
        );
        assert_eq!(
            report.detail,
            "SYN to :443 dies after 10.0.2.2 (hop 2): the drop is at or after that router"
        );
        assert_eq!(report.last_hop.as_ref().map(|l| l.ttl), Some(2));
        assert!(!report.reached);
        let nothing = summarize(dst, &opts, &[silent], Stopped::Silent, Duration::ZERO);
        assert!(
            nothing.detail.contains("no hop answered"),
            "{}",
            nothing.detail
        );
        let rejected = Outcome::Unreachable {
            from: "10.0.2.2".parse().unwrap(),
            rtt: Duration::from_millis(1),
            reason: Reason::Prohibited,
        };
        let r3 = aggregate(3, &[(0, rejected)], dst.ip());
        let report = summarize(
            dst,
            &opts,
            &[r1, r2, r3],
            Stopped::Unreachable,
            Duration::ZERO,
        );
        assert_eq!(
            report.detail,
            "SYN to :443 is refused by 10.0.2.2 at hop 3 (prohibited)"
        );
    }
}
