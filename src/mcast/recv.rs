//! `mcast-recv`: join a group (any-source or SSM), stream every datagram,
//! count loss, duplicates and reordering per sender, and tell when loss
//! happened (gaps and stalls), not only how much. Memory that senders
//! control is bounded: at most 1,024 senders are tracked, each with a
//! sliding window of 65,536 sequence numbers (8 KiB) and at most 64 gaps.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6, UdpSocket};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::addr::Anomaly;
use socket2::InterfaceIndexOrAddress;

use super::{GroupRef, Header, McastTarget, hex_id, now_ns, open_socket, sys};
use crate::addr::iface::{self, Interface};
use crate::error::{NetkitError, Result};
use crate::signal::Stop;

/// Senders tracked at most; datagrams of further senders are counted only.
pub const MAX_SENDERS: usize = 1024;
/// Sequence numbers tracked per sender for duplicates.
pub const SEQ_WINDOW: u64 = 65_536;
/// A datagram further ahead than this is counted out of window, not as loss.
pub const MAX_JUMP: u64 = 1 << 24;
/// Beyond the window, a jump must also be possible in the time since the
/// sender's previous datagram at this many datagrams a second (more than a
/// 10 GbE link carries): 0 then 2^24-1 a millisecond apart is forged.
pub const MAX_PLAUSIBLE_PPS: f64 = 20e6;
/// Gaps (and stalls) recorded per sender.
pub const MAX_GAPS: usize = 64;
/// With no `--timeout`, stop this long after the last datagram.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(10);
/// A silence this many times the sender's usual interval (and at least
/// 100 ms) is a stall.
const STALL_FACTOR: f64 = 10.0;

/// How `mcast-recv` runs.
#[derive(Debug, Clone)]
pub struct RecvConfig {
    /// The group and port to join.
    pub target: McastTarget,
    /// Interfaces to join on; empty lets the system choose.
    pub interfaces: Vec<Interface>,
    /// Source-specific join: only this sender.
    pub source: Option<IpAddr>,
    /// Stop after this many datagrams.
    pub count: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop after this long without data (None: wait for the first datagram
    /// as long as it takes, then stop 10 s after the last).
    pub idle_timeout: Option<Duration>,
    /// How many payload bytes to show for raw datagrams.
    pub preview_bytes: usize,
}

/// Printed once the group is joined, before any datagram.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Joined {
    /// Always true.
    pub ok: bool,
    /// The group.
    pub group: GroupRef,
    /// Interfaces joined on (empty: the system's choice).
    pub interfaces: Vec<String>,
    /// The source of a source-specific join.
    pub source: Option<IpAddr>,
    /// The target, for people.
    #[serde(skip)]
    pub target: McastTarget,
}

impl crate::output::Report for Joined {
    const TYPE: &'static str = "joined";
}

/// A sender's address and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Source {
    /// The address.
    pub address: IpAddr,
    /// The port.
    pub port: u16,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", SocketAddr::new(self.address, self.port))
    }
}

/// One received datagram.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Datagram {
    /// False for a duplicate or an out-of-window datagram.
    pub ok: bool,
    /// Sender address and port.
    pub from: Source,
    /// Payload length.
    pub bytes: usize,
    /// Milliseconds since the receiver joined.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub at_ms: f64,
    /// The netkit sender id, absent for raw datagrams.
    #[serde(serialize_with = "hex_id")]
    #[schemars(with = "Option<String>")]
    pub sender_id: Option<u64>,
    /// The sequence number, absent for raw datagrams.
    #[serde(serialize_with = "crate::output::json::opt_big")]
    #[schemars(with = "Option<crate::output::json::BigU64>")]
    pub seq: Option<u64>,
    /// One-way delay, when the sender is on this host (same clock).
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub delay_ms: Option<f64>,
    /// True when the datagram has no netkit header.
    pub raw: bool,
    /// `duplicate`, `reordered`, `out_of_window`, or absent.
    pub anomaly: Option<Anomaly>,
    /// The start of a raw payload as text (escaped in human output).
    pub preview: Option<String>,
}

impl crate::output::Report for Datagram {
    const TYPE: &'static str = "datagram";
}

words! {
    /// What a gap is.
    pub enum GapKind {
        /// Sequence numbers missing.
        Gap = "gap",
        /// Nothing for a while.
        Stall = "stall",
    }
}

words! {
    /// Why a receiver stopped.
    pub enum StopReason {
        /// `--count` datagrams came.
        Count = "count",
        /// `--duration` passed.
        Duration = "duration",
        /// Nothing came for `--timeout`.
        Timeout = "timeout",
        /// A signal.
        Interrupted = "interrupted",
    }
}

/// Loss seen in the stream of one sender: datagrams missing before a
/// sequence number (a gap), or a silence (a stall).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Gap {
    /// Always false.
    pub ok: bool,
    /// The sender.
    pub from: Source,
    /// The netkit sender id.
    #[serde(serialize_with = "hex_id")]
    #[schemars(with = "Option<String>")]
    pub sender_id: Option<u64>,
    /// When it was seen, milliseconds after the join.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub at_ms: f64,
    /// `gap` (sequence numbers missing) or `stall` (nothing for a while).
    pub gap_kind: GapKind,
    /// The first missing sequence number (gaps).
    #[serde(serialize_with = "crate::output::json::opt_big")]
    #[schemars(with = "Option<crate::output::json::BigU64>")]
    pub first_missing: Option<u64>,
    /// How many are missing (gaps).
    #[serde(serialize_with = "crate::output::json::opt_big")]
    #[schemars(with = "Option<crate::output::json::BigU64>")]
    pub missing: Option<u64>,
    /// How long the silence lasted (stalls).
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub silence_ms: Option<f64>,
    /// Of the missing, how many came later, out of order (so were not
    /// lost): 0 when the gap is seen; counted in the summary's timeline.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub arrived_late: u64,
}

impl crate::output::Report for Gap {
    const TYPE: &'static str = "gap";
}

/// Per-sender sequence accounting with a sliding window, counted from the
/// first datagram seen (as omping does).
#[derive(Debug, Clone)]
pub struct SeqTracker {
    first: u64,
    max: u64,
    unique: u64,
    base: u64,
    bits: Vec<u64>,
    /// Duplicates seen.
    pub duplicates: u64,
    /// Reordered datagrams seen (late, behind a higher one).
    pub reordered: u64,
    /// Datagrams more than 2^24 ahead, or further ahead than the time since
    /// the previous datagram allows: not tracked, not counted as loss.
    pub out_of_window: u64,
}

impl SeqTracker {
    /// Starts tracking at the first sequence number seen.
    pub fn new(first: u64) -> Self {
        let mut t = SeqTracker {
            first,
            max: first,
            unique: 0,
            base: first,
            bits: vec![0; (SEQ_WINDOW / 64) as usize],
            duplicates: 0,
            reordered: 0,
            out_of_window: 0,
        };
        t.mark(first);
        t.unique = 1;
        t
    }

    fn slot(seq: u64) -> (usize, u64) {
        let s = seq % SEQ_WINDOW;
        ((s / 64) as usize, 1u64 << (s % 64))
    }

    fn mark(&mut self, seq: u64) -> bool {
        let (w, m) = Self::slot(seq);
        let was = self.bits[w] & m != 0;
        self.bits[w] |= m;
        was
    }

    fn slide_to(&mut self, newest: u64) {
        let floor = newest.saturating_sub(SEQ_WINDOW - 1);
        if floor.saturating_sub(self.base) >= SEQ_WINDOW {
            self.bits.iter_mut().for_each(|w| *w = 0);
            self.base = floor;
        }
        while self.base < floor {
            let (w, m) = Self::slot(self.base);
            self.bits[w] &= !m;
            self.base += 1;
        }
    }

    /// Records one sequence number; says what was odd about it, and how
    /// many were skipped before it (a gap).
    pub fn record(&mut self, seq: u64) -> (Option<Anomaly>, u64) {
        self.record_after(seq, None)
    }

    /// [`SeqTracker::record`], `since_previous` after the sender's previous
    /// datagram: a jump past the window that no sender could have made in
    /// that time ([`MAX_PLAUSIBLE_PPS`]) is out of window, not loss.
    pub fn record_after(
        &mut self,
        seq: u64,
        since_previous: Option<Duration>,
    ) -> (Option<Anomaly>, u64) {
        if seq > self.max
            && let Some(d) = since_previous
        {
            let possible = SEQ_WINDOW as f64 + d.as_secs_f64() * MAX_PLAUSIBLE_PPS;
            if (seq - self.max) as f64 > possible {
                self.out_of_window += 1;
                return (Some(Anomaly::OutOfWindow), 0);
            }
        }
        if seq < self.first {
            // Older than the first one seen: late, and outside the count.
            self.reordered += 1;
            return (Some(Anomaly::Reordered), 0);
        }
        if seq > self.max && seq - self.max > MAX_JUMP {
            self.out_of_window += 1;
            return (Some(Anomaly::OutOfWindow), 0);
        }
        if seq > self.max {
            let skipped = seq - self.max - 1;
            self.slide_to(seq);
            self.max = seq;
            self.mark(seq);
            self.unique += 1;
            return (None, skipped);
        }
        if seq < self.base {
            // Too old to tell a duplicate from a late one: late.
            self.reordered += 1;
            return (Some(Anomaly::Reordered), 0);
        }
        if self.mark(seq) {
            self.duplicates += 1;
            return (Some(Anomaly::Duplicate), 0);
        }
        self.unique += 1;
        self.reordered += 1;
        (Some(Anomaly::Reordered), 0)
    }

    /// Missing sequence numbers between the first and the highest seen.
    pub fn lost(&self) -> u64 {
        (self.max - self.first + 1).saturating_sub(self.unique)
    }

    /// How many were expected (first to highest).
    pub fn expected(&self) -> u64 {
        self.max - self.first + 1
    }
}

/// Statistics for one sender.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SenderStats {
    /// Sender address and port.
    pub from: Source,
    /// The netkit sender id; absent for raw datagrams.
    #[serde(serialize_with = "hex_id")]
    #[schemars(with = "Option<String>")]
    pub sender_id: Option<u64>,
    /// True for a source of raw (non-netkit) datagrams.
    pub raw: bool,
    /// Datagrams received, duplicates included.
    pub received: u64,
    /// Payload bytes received.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub bytes: u64,
    /// Sequence numbers missing between the first and the highest seen.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub lost: u64,
    /// Datagrams whose sequence number had been seen already.
    pub duplicates: u64,
    /// Datagrams that arrived after a higher sequence number.
    pub reordered: u64,
    /// Datagrams too far ahead to track.
    pub out_of_window: u64,
    /// Loss as a percentage of the expected datagrams.
    #[serde(serialize_with = "crate::output::json::round3")]
    pub loss_pct: f64,
    /// First sequence number seen.
    #[serde(serialize_with = "crate::output::json::opt_big")]
    #[schemars(with = "Option<crate::output::json::BigU64>")]
    pub first_seq: Option<u64>,
    /// Highest sequence number seen.
    #[serde(serialize_with = "crate::output::json::opt_big")]
    #[schemars(with = "Option<crate::output::json::BigU64>")]
    pub last_seq: Option<u64>,
    /// When its first datagram came, ms after the join.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub first_ms: f64,
    /// When its last datagram came, ms after the join.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub last_ms: f64,
    /// Arrival rate between the first and the last datagram.
    #[serde(serialize_with = "crate::output::json::round3")]
    pub datagrams_per_s: f64,
    /// Smallest one-way delay (same host only).
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub delay_min_ms: Option<f64>,
    /// Mean one-way delay.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub delay_avg_ms: Option<f64>,
    /// Largest one-way delay.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub delay_max_ms: Option<f64>,
    /// When loss happened: the first 64 gaps and stalls.
    pub gaps: Vec<Gap>,
    /// Gaps and stalls past the first 64.
    pub gaps_dropped: u64,
}

impl crate::output::Report for RecvSummary {
    const TYPE: &'static str = "summary";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let g = match &self.group.zone {
            Some(z) => format!("[{}%{z}]:{}", self.group.address, self.group.port),
            None => std::net::SocketAddr::new(self.group.address, self.group.port).to_string(),
        };
        let l = [("group", g.as_str())];
        m.gauge(
            "probe_success",
            "Whether the run passed (and its thresholds)",
            &l,
            f64::from(u8::from(self.ok)),
        );
        m.gauge(
            "netkit_mcast_received",
            "Datagrams received",
            &l,
            self.received as f64,
        );
        m.gauge(
            "netkit_mcast_lost",
            "Datagrams missing by sequence number",
            &l,
            self.lost as f64,
        );
        m.gauge(
            "netkit_mcast_loss_ratio",
            "Lost over expected",
            &l,
            self.loss_pct / 100.0,
        );
        if let Some(ms) = self.first_datagram_ms {
            m.gauge(
                "netkit_mcast_first_datagram_seconds",
                "From the join to the first datagram",
                &l,
                ms / 1e3,
            );
        }
        for s in &self.senders {
            let from = s.from.to_string();
            let sl = [("group", g.as_str()), ("source", from.as_str())];
            m.gauge(
                "netkit_mcast_sender_received",
                "Datagrams received from each sender",
                &sl,
                s.received as f64,
            );
            m.gauge(
                "netkit_mcast_sender_lost",
                "Datagrams lost from each sender",
                &sl,
                s.lost as f64,
            );
        }
    }
}

/// The receiver's summary.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RecvSummary {
    /// True when datagrams arrived and every threshold held.
    pub ok: bool,
    /// The group.
    pub group: GroupRef,
    /// Every datagram received.
    pub received: u64,
    /// Of which raw.
    pub raw: u64,
    /// Lost, summed over senders.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub lost: u64,
    /// Duplicates, summed over senders.
    pub duplicates: u64,
    /// Reordered, summed over senders.
    pub reordered: u64,
    /// Loss over all netkit senders, percent.
    #[serde(serialize_with = "crate::output::json::round3")]
    pub loss_pct: f64,
    /// From the join to the first datagram.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub first_datagram_ms: Option<f64>,
    /// From the join to the last datagram.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub last_datagram_ms: Option<f64>,
    /// How long the receiver listened.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Why it stopped: `count`, `duration`, `timeout` (no data) or `interrupted`.
    pub stop_reason: StopReason,
    /// Per tracked sender, in order of first arrival (at most 1,024).
    pub senders: Vec<SenderStats>,
    /// Senders beyond the first 1,024: not tracked.
    pub untracked_senders: u64,
    /// Their datagrams.
    pub untracked_datagrams: u64,
    /// Thresholds crossed, or why nothing counts.
    pub thresholds: Vec<crate::threshold::Crossed>,
    /// What went wrong, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::Failure>,
    /// A hint for what was seen (the classic missing IGMP querier).
    pub hint: Option<&'static str>,
    /// When nothing arrived: the likely causes this host's own settings
    /// show (route, interface flags, rp_filter, accept_local), then those
    /// it cannot see; `[]` otherwise.
    pub likely_causes: Vec<String>,
    /// The target, for people.
    #[serde(skip)]
    pub target: McastTarget,
}

struct SenderState {
    from: SocketAddr,
    sender_id: Option<u64>,
    received: u64,
    bytes: u64,
    tracker: Option<SeqTracker>,
    first_at: Instant,
    last_at: Instant,
    local: bool,
    delay_sum: f64,
    delay_n: u64,
    delay_min: f64,
    delay_max: f64,
    gaps: Vec<Gap>,
    gaps_dropped: u64,
}

impl SenderState {
    fn from(&self) -> Source {
        Source {
            address: self.from.ip(),
            port: self.from.port(),
        }
    }

    /// A datagram that came out of order fills part of the gap it was
    /// missing from: that part was late, not lost.
    fn late_into_gap(&mut self, seq: u64) {
        if let Some(g) = self.gaps.iter_mut().rev().find(|g| {
            g.first_missing
                .zip(g.missing)
                .is_some_and(|(first, n)| (first..first.saturating_add(n)).contains(&seq))
        }) {
            g.arrived_late += 1;
        }
    }

    fn add_gap(&mut self, g: Gap) {
        if self.gaps.len() < MAX_GAPS {
            self.gaps.push(g);
        } else {
            self.gaps_dropped += 1;
        }
    }

    fn stats(&self, start: Instant) -> SenderStats {
        let (lost, expected) = self
            .tracker
            .as_ref()
            .map_or((0, 0), |t| (t.lost(), t.expected()));
        let span = (self.last_at - self.first_at).as_secs_f64();
        let delays = self.delay_n > 0;
        SenderStats {
            from: self.from(),
            sender_id: self.sender_id,
            raw: self.sender_id.is_none(),
            received: self.received,
            bytes: self.bytes,
            lost,
            duplicates: self.tracker.as_ref().map_or(0, |t| t.duplicates),
            reordered: self.tracker.as_ref().map_or(0, |t| t.reordered),
            out_of_window: self.tracker.as_ref().map_or(0, |t| t.out_of_window),
            loss_pct: if expected > 0 {
                lost as f64 * 100.0 / expected as f64
            } else {
                0.0
            },
            first_seq: self.tracker.as_ref().map(|t| t.first),
            last_seq: self.tracker.as_ref().map(|t| t.max),
            first_ms: (self.first_at - start).as_secs_f64() * 1e3,
            last_ms: (self.last_at - start).as_secs_f64() * 1e3,
            datagrams_per_s: if span > 0.0 {
                self.received.saturating_sub(1) as f64 / span
            } else {
                0.0
            },
            delay_min_ms: delays.then_some(self.delay_min),
            delay_avg_ms: delays.then(|| self.delay_sum / self.delay_n as f64),
            delay_max_ms: delays.then_some(self.delay_max),
            gaps: self.gaps.clone(),
            gaps_dropped: self.gaps_dropped,
        }
    }
}

/// Traffic that stops this long after the join, with nothing after, is
/// the classic sign of a snooping switch with no IGMP/MLD querier: the
/// membership times out (260 s by default) and the switch stops forwarding.
pub fn querier_hint(
    received: u64,
    last_datagram: Option<Duration>,
    stopped_by_timeout: bool,
) -> Option<&'static str> {
    let last = last_datagram?;
    (received > 0 && stopped_by_timeout && (120..=600).contains(&last.as_secs())).then_some(
        "traffic stopped a few minutes after the join: a snooping switch without an IGMP/MLD querier drops the membership when it times out (about 260 s); enable a querier on the VLAN",
    )
}

fn join(cfg: &RecvConfig) -> Result<UdpSocket> {
    let group = cfg.target.group;
    if let Some(src) = cfg.source
        && src.is_ipv4() != group.is_ipv4()
    {
        return Err(NetkitError::invalid(format!(
            "--source {src} is not of the group's family"
        )));
    }
    let socket = open_socket(group)?;
    socket
        .set_reuse_address(true)
        .map_err(sys("setsockopt SO_REUSEADDR"))?;
    socket
        .set_reuse_port(true)
        .map_err(sys("setsockopt SO_REUSEPORT"))?;
    // A large buffer keeps bursts from being dropped before we read them.
    let _ = socket.set_recv_buffer_size(8 << 20);
    let scope = match cfg.interfaces.first() {
        Some(i) if cfg.target.scope_id == 0 => i.index,
        _ => cfg.target.scope_id,
    };
    if let IpAddr::V6(g) = group
        && scope == 0
        && (g.segments()[0] & 0xf) <= 2
    {
        return Err(NetkitError::invalid(format!(
            "{g} is interface- or link-local: name the interface with [{g}%IF]:PORT or --interface"
        )));
    }
    let bind: SocketAddr = match group {
        IpAddr::V4(g) => SocketAddrV4::new(g, cfg.target.port).into(),
        IpAddr::V6(g) => SocketAddrV6::new(g, cfg.target.port, 0, scope).into(),
    };
    socket.bind(&bind.into()).map_err(|e| NetkitError::System {
        call: "bind to the group and port",
        source: e,
    })?;
    // The kernel hands a group's datagrams to every socket that joined the
    // group on any interface; with one --interface the user means "what
    // arrives there", so bind the socket to that device.
    if let [only] = cfg.interfaces.as_slice() {
        socket
            .bind_device(Some(only.name.as_bytes()))
            .map_err(sys("setsockopt SO_BINDTODEVICE"))?;
    }
    let indexes: Vec<u32> = if cfg.interfaces.is_empty() {
        vec![if group.is_ipv6() { scope } else { 0 }]
    } else {
        cfg.interfaces.iter().map(|i| i.index).collect()
    };
    for &index in &indexes {
        let joined = match (group, cfg.source) {
            (g, Some(src)) => crate::sys::join_source_group(&socket, g, src, index),
            (IpAddr::V4(g), None) => {
                let iface = if index == 0 {
                    InterfaceIndexOrAddress::Address(Ipv4Addr::UNSPECIFIED)
                } else {
                    InterfaceIndexOrAddress::Index(index)
                };
                socket.join_multicast_v4_n(&g, &iface)
            }
            (IpAddr::V6(g), None) => socket.join_multicast_v6(&g, index),
        };
        joined.map_err(|e| {
            let on = iface::name_of(index).unwrap_or_else(|| "the default interface".into());
            let hint = if e.raw_os_error() == Some(libc::ENODEV) {
                " (no multicast route: add one, or give --interface)"
            } else {
                ""
            };
            NetkitError::System {
                call: "joining the group",
                source: std::io::Error::new(e.kind(), format!("{e} on {on}{hint}")),
            }
        })?;
    }
    match group {
        IpAddr::V4(_) => socket
            .set_multicast_all_v4(false)
            .map_err(sys("setsockopt IP_MULTICAST_ALL"))?,
        IpAddr::V6(_) => socket
            .set_multicast_all_v6(false)
            .map_err(sys("setsockopt IPV6_MULTICAST_ALL"))?,
    }
    Ok(socket.into())
}

/// What the receiver streams.
pub enum Event<'a> {
    /// The join is done.
    Joined(&'a Joined),
    /// A datagram arrived.
    Datagram(&'a Datagram),
    /// Loss was seen.
    Gap(&'a Gap),
}

/// Joins the group and receives until the count, the duration, an idle
/// timeout or `stop`, handing every event to `emit` as it happens.
pub fn receive(
    cfg: &RecvConfig,
    stop: &Stop,
    emit: &mut dyn FnMut(Event<'_>) -> std::io::Result<()>,
) -> Result<RecvSummary> {
    let werr = NetkitError::system("writing stdout");
    let socket = join(cfg)?;
    let joined = Joined {
        ok: true,
        group: cfg.target.group_ref(),
        interfaces: if cfg.interfaces.is_empty() {
            // A zone chooses the interface as -i does.
            cfg.target.zone.iter().cloned().collect()
        } else {
            cfg.interfaces.iter().map(|i| i.name.clone()).collect()
        },
        source: cfg.source,
        target: cfg.target.clone(),
    };
    emit(Event::Joined(&joined)).map_err(werr)?;
    let start = Instant::now();
    let deadline = cfg.duration.map(|d| start + d);
    let mut senders: Vec<SenderState> = Vec::new();
    let mut index_of: HashMap<(SocketAddr, Option<u64>), usize> = HashMap::new();
    let mut local_cache: HashMap<IpAddr, bool> = HashMap::new();
    let (mut untracked_senders, mut untracked_datagrams) = (0u64, 0u64);
    let mut untracked_seen: std::collections::HashSet<(SocketAddr, Option<u64>)> =
        std::collections::HashSet::new();
    let mut buf = vec![0u8; 65_536];
    let mut received: u64 = 0;
    let mut first_at: Option<Instant> = None;
    let mut last_at: Option<Instant> = None;
    let stop_reason = loop {
        if stop.is_set() {
            break StopReason::Interrupted;
        }
        if cfg.count.is_some_and(|c| received >= c) {
            break StopReason::Count;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break StopReason::Duration;
        }
        // Before the first datagram: --timeout, or no limit at all; after
        // it: --timeout (or 10 s) since the last one.
        let idle = match (last_at, cfg.idle_timeout) {
            (None, None) => None,
            (None, Some(t)) => Some((start, t)),
            (Some(l), t) => Some((l, t.unwrap_or(DEFAULT_IDLE))),
        };
        if let Some((since, t)) = idle
            && now - since >= t
        {
            break StopReason::Timeout;
        }
        let mut wait = Duration::from_millis(100);
        if let Some((since, t)) = idle {
            wait = wait.min(since + t - now);
        }
        if let Some(d) = deadline {
            wait = wait.min(d - now);
        }
        socket
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .map_err(sys("setsockopt SO_RCVTIMEO"))?;
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(r) => r,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(e) => {
                return Err(NetkitError::System {
                    call: "recvfrom",
                    source: e,
                });
            }
        };
        let arrived = Instant::now();
        let arrived_ns = now_ns();
        first_at.get_or_insert(arrived);
        last_at = Some(arrived);
        received += 1;
        let data = &buf[..n];
        let header = Header::decode(data);
        let key = (from, header.map(|h| h.sender_id));
        let idx = match index_of.get(&key) {
            Some(i) => *i,
            None if senders.len() >= MAX_SENDERS => {
                if untracked_seen.len() < MAX_SENDERS * 16 && untracked_seen.insert(key) {
                    untracked_senders += 1;
                }
                untracked_datagrams += 1;
                continue;
            }
            None => {
                let local = *local_cache
                    .entry(from.ip())
                    .or_insert_with(|| iface::is_local_address(from.ip()));
                senders.push(SenderState {
                    from,
                    sender_id: header.map(|h| h.sender_id),
                    received: 0,
                    bytes: 0,
                    tracker: None,
                    first_at: arrived,
                    last_at: arrived,
                    local,
                    delay_sum: 0.0,
                    delay_n: 0,
                    delay_min: f64::INFINITY,
                    delay_max: 0.0,
                    gaps: Vec::new(),
                    gaps_dropped: 0,
                });
                index_of.insert(key, senders.len() - 1);
                senders.len() - 1
            }
        };
        let s = &mut senders[idx];
        let at_ms = (arrived - start).as_secs_f64() * 1e3;
        // A silence much longer than this sender's usual interval: a stall.
        if s.received >= 2 {
            let usual = (s.last_at - s.first_at).as_secs_f64() / (s.received - 1) as f64;
            let silence = (arrived - s.last_at).as_secs_f64();
            if silence > (usual * STALL_FACTOR).max(0.1) {
                let g = Gap {
                    ok: false,
                    from: s.from(),
                    sender_id: s.sender_id,
                    at_ms,
                    gap_kind: GapKind::Stall,
                    first_missing: None,
                    missing: None,
                    silence_ms: Some(silence * 1e3),
                    arrived_late: 0,
                };
                emit(Event::Gap(&g)).map_err(NetkitError::system("writing stdout"))?;
                s.add_gap(g);
            }
        }
        let since_previous = (s.received > 0).then(|| arrived.duration_since(s.last_at));
        s.received += 1;
        s.bytes += n as u64;
        s.last_at = arrived;
        let mut anomaly = None;
        let mut delay_ms = None;
        if let Some(h) = header {
            let (a, skipped) = match &mut s.tracker {
                None => {
                    s.tracker = Some(SeqTracker::new(h.seq));
                    (None, 0)
                }
                Some(t) => t.record_after(h.seq, since_previous),
            };
            anomaly = a;
            if a == Some(Anomaly::Reordered) {
                s.late_into_gap(h.seq);
            }
            if skipped > 0 {
                let g = Gap {
                    ok: false,
                    from: s.from(),
                    sender_id: s.sender_id,
                    at_ms,
                    gap_kind: GapKind::Gap,
                    first_missing: Some(h.seq - skipped),
                    missing: Some(skipped),
                    silence_ms: None,
                    arrived_late: 0,
                };
                emit(Event::Gap(&g)).map_err(NetkitError::system("writing stdout"))?;
                s.add_gap(g);
            }
            if s.local && arrived_ns >= h.sent_ns {
                let d = (arrived_ns - h.sent_ns) as f64 / 1e6;
                s.delay_sum += d;
                s.delay_n += 1;
                s.delay_min = s.delay_min.min(d);
                s.delay_max = s.delay_max.max(d);
                delay_ms = Some(d);
            }
        }
        let d = Datagram {
            ok: !matches!(anomaly, Some(Anomaly::Duplicate | Anomaly::OutOfWindow)),
            from: s.from(),
            bytes: n,
            at_ms,
            sender_id: header.map(|h| h.sender_id),
            seq: header.map(|h| h.seq),
            delay_ms,
            raw: header.is_none(),
            anomaly,
            preview: header
                .is_none()
                .then(|| String::from_utf8_lossy(&data[..n.min(cfg.preview_bytes)]).into_owned()),
        };
        emit(Event::Datagram(&d)).map_err(NetkitError::system("writing stdout"))?;
    };
    let stats: Vec<SenderStats> = senders.iter().map(|s| s.stats(start)).collect();
    let (lost, expected) = senders
        .iter()
        .filter_map(|s| s.tracker.as_ref())
        .fold((0, 0), |(l, e), t| (l + t.lost(), e + t.expected()));
    let since = |t: Option<Instant>| t.map(|t| (t - start).as_secs_f64() * 1e3);
    Ok(RecvSummary {
        ok: false,
        group: cfg.target.group_ref(),
        received,
        raw: stats.iter().filter(|s| s.raw).map(|s| s.received).sum(),
        lost,
        duplicates: stats.iter().map(|s| s.duplicates).sum(),
        reordered: stats.iter().map(|s| s.reordered).sum(),
        loss_pct: if expected > 0 {
            lost as f64 * 100.0 / expected as f64
        } else {
            0.0
        },
        first_datagram_ms: since(first_at),
        last_datagram_ms: since(last_at),
        duration_ms: start.elapsed().as_secs_f64() * 1e3,
        stop_reason,
        senders: stats,
        untracked_senders,
        untracked_datagrams,
        thresholds: Vec::new(),
        error: None,
        likely_causes: Vec::new(),
        hint: querier_hint(
            received,
            last_at.map(|t| t - start),
            stop_reason == StopReason::Timeout,
        ),
        target: cfg.target.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_counts_loss_duplicates_reordering_and_gaps() {
        // 0 1 3 2 2 5 (4 missing) 9 (6,7,8 missing), then 7 arrives late.
        let mut t = SeqTracker::new(0);
        let got: Vec<(Option<Anomaly>, u64)> =
            [1, 3, 2, 2, 5, 9, 7].iter().map(|s| t.record(*s)).collect();
        assert_eq!(
            got,
            vec![
                (None, 0),
                (None, 1),
                (Some(Anomaly::Reordered), 0),
                (Some(Anomaly::Duplicate), 0),
                (None, 1),
                (None, 3),
                (Some(Anomaly::Reordered), 0)
            ]
        );
        assert_eq!(
            (t.lost(), t.duplicates, t.reordered, t.expected()),
            (3, 1, 2, 10)
        );
    }

    #[test]
    fn a_forged_jump_costs_no_memory_and_no_loss() {
        let mut t = SeqTracker::new(0);
        assert_eq!(t.record((1 << 24) + 5), (Some(Anomaly::OutOfWindow), 0));
        assert_eq!(t.record(u64::MAX), (Some(Anomaly::OutOfWindow), 0));
        assert_eq!(
            t.bits.len() * 8,
            8192,
            "8 KiB per sender, whatever the sequence numbers"
        );
        // A real but large jump slides the window in constant time.
        assert_eq!(t.record(1 << 23), (None, (1 << 23) - 1));
        // Timed: 2^20 ahead a millisecond later is forged; 20 ms later, real.
        let mut t = SeqTracker::new(0);
        let ms = |n| Some(Duration::from_millis(n));
        assert_eq!(
            t.record_after(1 << 20, ms(1)),
            (Some(Anomaly::OutOfWindow), 0)
        );
        assert_eq!(t.record_after(1 << 18, ms(20)), (None, (1 << 18) - 1));
        assert_eq!(
            t.record_after((1 << 18) + 60_000, ms(0)).0,
            None,
            "within the window"
        );
        assert_eq!(
            t.record(3),
            (Some(Anomaly::Reordered), 0),
            "too old for the window: late"
        );
    }

    #[test]
    fn missing_querier_is_hinted_only_minutes_after_the_join() {
        assert!(querier_hint(500, Some(Duration::from_secs(262)), true).is_some());
        assert!(querier_hint(500, Some(Duration::from_secs(30)), true).is_none());
        assert!(querier_hint(500, Some(Duration::from_secs(262)), false).is_none());
        assert!(querier_hint(0, None, true).is_none());
    }
}
