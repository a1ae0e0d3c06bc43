//! Multicast sender and receiver: the seeds' IP_ADD_MEMBERSHIP pair grown
//! into a test instrument that counts loss, duplicates and reordering.
//!
//! netkit datagrams start with a 32-byte header (all integers big-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..4 | magic `NKMC` |
//! | 4 | version (1) |
//! | 5 | flags (0) |
//! | 6..8 | header length (32) |
//! | 8..16 | sender id (random per run) |
//! | 16..24 | sequence number, from 0 |
//! | 24..32 | send time, nanoseconds since the Unix epoch |
//!
//! Anything else is a raw datagram and is counted as such.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockAddr, Socket, Type};

use crate::error::{NetkitError, Result};
use crate::iface::{self, Interface};
use crate::sanitize::escape_bytes;

/// The magic that starts every netkit multicast datagram.
pub const MAGIC: [u8; 4] = *b"NKMC";
/// The length of the netkit header.
pub const HEADER_LEN: usize = 32;
/// The largest UDP payload over IPv4.
pub const MAX_PAYLOAD_V4: usize = 65_507;
/// The largest UDP payload over IPv6 (without jumbograms).
pub const MAX_PAYLOAD_V6: usize = 65_527;
/// Sequence numbers tracked per sender for duplicates and loss; a datagram
/// further ahead than this is counted as out of window.
pub const SEQ_WINDOW: u64 = 1 << 24;

/// A multicast group and port: `239.1.2.3:5000` or `[ff02::1%eth0]:5000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McastTarget {
    /// The group address.
    pub group: IpAddr,
    /// The UDP port.
    pub port: u16,
    /// The zone given after `%`, for IPv6.
    pub zone: Option<String>,
    /// The zone's interface index (0 when none was given).
    pub scope_id: u32,
}

impl std::fmt::Display for McastTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.group, &self.zone) {
            (IpAddr::V4(g), _) => write!(f, "{g}:{}", self.port),
            (IpAddr::V6(g), Some(z)) => write!(f, "[{g}%{z}]:{}", self.port),
            (IpAddr::V6(g), None) => write!(f, "[{g}]:{}", self.port),
        }
    }
}

impl FromStr for McastTarget {
    type Err = NetkitError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: String| {
            NetkitError::invalid(format!(
                "invalid multicast target '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("unbalanced '['".into()))?;
            let port = after
                .strip_prefix(':')
                .ok_or_else(|| bad("expected [GROUP]:PORT".into()))?;
            (host, port)
        } else {
            let (host, port) = text.rsplit_once(':').ok_or_else(|| {
                bad("expected GROUP:PORT, such as 239.1.2.3:5000 or [ff02::1%eth0]:5000".into())
            })?;
            if host.contains(':') {
                return Err(bad(
                    "write an IPv6 group in brackets: [ff02::1%eth0]:5000".into()
                ));
            }
            (host, port)
        };
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(format!("port '{port}' is not 1-65535")))?;
        let (addr_text, zone) = match host.split_once('%') {
            Some((a, z)) => (a, Some(z)),
            None => (host, None),
        };
        let group: IpAddr = addr_text
            .parse()
            .map_err(|_| bad(format!("'{addr_text}' is not an IP address")))?;
        if !group.is_multicast() {
            return Err(bad(format!(
                "{group} is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)"
            )));
        }
        let (zone, scope_id) = match (zone, group) {
            (None, _) => (None, 0),
            (Some(_), IpAddr::V4(_)) => {
                return Err(bad("a %zone applies to IPv6 groups only".into()));
            }
            (Some(z), IpAddr::V6(_)) => {
                let index = match z.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => iface::index_of(z)
                        .ok_or_else(|| bad(format!("no interface '{z}' on this host")))?,
                };
                (Some(z.to_string()), index)
            }
        };
        Ok(McastTarget {
            group,
            port,
            zone,
            scope_id,
        })
    }
}

/// The netkit header of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Random per sender run, so restarts and several senders are told apart.
    pub sender_id: u64,
    /// Sequence number, from 0.
    pub seq: u64,
    /// Send time, nanoseconds since the Unix epoch.
    pub sent_ns: u64,
}

impl Header {
    /// Writes the header into the first 32 bytes of `buf`.
    pub fn encode(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&MAGIC);
        buf[4] = 1;
        buf[5] = 0;
        buf[6..8].copy_from_slice(&(HEADER_LEN as u16).to_be_bytes());
        buf[8..16].copy_from_slice(&self.sender_id.to_be_bytes());
        buf[16..24].copy_from_slice(&self.seq.to_be_bytes());
        buf[24..32].copy_from_slice(&self.sent_ns.to_be_bytes());
    }

    /// Reads a header, or `None` for a datagram that is not netkit's.
    pub fn decode(buf: &[u8]) -> Option<Header> {
        if buf.len() < HEADER_LEN || buf[0..4] != MAGIC || buf[4] != 1 {
            return None;
        }
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i..i + 8]);
            u64::from_be_bytes(b)
        };
        Some(Header {
            sender_id: u64_at(8),
            seq: u64_at(16),
            sent_ns: u64_at(24),
        })
    }
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn random_id() -> u64 {
    // Unique enough to tell runs apart: time, pid and a stack address.
    let marker = 0u8;
    let mut x = now_ns() ^ (u64::from(std::process::id()) << 32) ^ (&marker as *const u8 as u64);
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Sender ids are identifiers, not quantities, and use all 64 bits: JSON
/// carries them as 16 hex digits so no reader rounds them.
fn hex_id<S: serde::Serializer>(id: &Option<u64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.collect_str(&format_args!("{id:016x}")),
        None => s.serialize_none(),
    }
}

fn sys(call: &'static str) -> impl FnOnce(std::io::Error) -> NetkitError {
    move |source| NetkitError::System { call, source }
}

/// What `mcast-send` sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// netkit headers padded to this many bytes.
    Sequenced(usize),
    /// These bytes, as given (`--message`).
    Raw(Vec<u8>),
}

/// How `mcast-send` runs.
#[derive(Debug, Clone)]
pub struct SendConfig {
    /// Where to.
    pub target: McastTarget,
    /// IP_MULTICAST_IF / IPV6_MULTICAST_IF.
    pub interface: Option<Interface>,
    /// TTL (IPv4) or hop limit (IPv6).
    pub ttl: u32,
    /// IP_MULTICAST_LOOP.
    pub loopback: bool,
    /// Address to bind the sending socket to.
    pub source: Option<IpAddr>,
    /// Stop after this many datagrams.
    pub count: Option<u64>,
    /// Time between datagrams; zero sends back to back.
    pub interval: Duration,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// What to send.
    pub payload: Payload,
}

/// The sender's summary.
#[derive(Debug, Clone, Serialize)]
pub struct SendSummary {
    /// Always `"summary"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The group.
    pub group: String,
    /// The port.
    pub port: u16,
    /// The sender id in the headers (absent for raw payloads).
    #[serde(serialize_with = "hex_id")]
    pub sender_id: Option<u64>,
    /// The local address the datagrams left from.
    pub local: String,
    /// Datagrams sent.
    pub sent: u64,
    /// Payload bytes sent.
    pub bytes: u64,
    /// Sends that failed.
    pub errors: u64,
    /// The last send error, if any.
    pub last_error: Option<String>,
    /// How long sending took.
    pub duration_ms: f64,
    /// Achieved rate.
    pub rate_pps: f64,
    /// Achieved payload throughput.
    pub rate_mbps: f64,
    /// Whether SIGINT stopped it.
    pub interrupted: bool,
}

fn open_socket(group: IpAddr) -> Result<Socket> {
    let domain = if group.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(sys("socket"))?;
    if group.is_ipv6() {
        socket
            .set_only_v6(true)
            .map_err(sys("setsockopt IPV6_V6ONLY"))?;
    }
    Ok(socket)
}

fn v6_scope(target: &McastTarget, interface: Option<&Interface>) -> u32 {
    interface.map_or(target.scope_id, |i| i.index)
}

/// Sends datagrams to the group until the count, the duration or `stop`.
pub fn send(cfg: &SendConfig, stop: &AtomicBool) -> Result<SendSummary> {
    let socket = open_socket(cfg.target.group)?;
    match cfg.target.group {
        IpAddr::V4(_) => {
            socket
                .set_multicast_ttl_v4(cfg.ttl)
                .map_err(sys("setsockopt IP_MULTICAST_TTL"))?;
            socket
                .set_multicast_loop_v4(cfg.loopback)
                .map_err(sys("setsockopt IP_MULTICAST_LOOP"))?;
            if let Some(i) = &cfg.interface {
                set_multicast_if_v4_index(&socket, i.index)
                    .map_err(sys("setsockopt IP_MULTICAST_IF"))?;
            }
        }
        IpAddr::V6(_) => {
            socket
                .set_multicast_hops_v6(cfg.ttl)
                .map_err(sys("setsockopt IPV6_MULTICAST_HOPS"))?;
            socket
                .set_multicast_loop_v6(cfg.loopback)
                .map_err(sys("setsockopt IPV6_MULTICAST_LOOP"))?;
            let scope = v6_scope(&cfg.target, cfg.interface.as_ref());
            if scope != 0 {
                socket
                    .set_multicast_if_v6(scope)
                    .map_err(sys("setsockopt IPV6_MULTICAST_IF"))?;
            }
        }
    }
    if let Some(src) = cfg.source {
        let bind: SocketAddr = match src {
            IpAddr::V6(v6) => {
                SocketAddrV6::new(v6, 0, 0, v6_scope(&cfg.target, cfg.interface.as_ref())).into()
            }
            v4 => SocketAddr::new(v4, 0),
        };
        socket.bind(&bind.into()).map_err(sys("bind to --source"))?;
    }
    let dest: SocketAddr = match cfg.target.group {
        IpAddr::V4(g) => SocketAddrV4::new(g, cfg.target.port).into(),
        IpAddr::V6(g) => SocketAddrV6::new(
            g,
            cfg.target.port,
            0,
            v6_scope(&cfg.target, cfg.interface.as_ref()),
        )
        .into(),
    };
    // connect() fixes the destination: cheaper sends, and errors surface.
    socket
        .connect(&dest.into())
        .map_err(|e| classify_send_error(e, &cfg.target))?;
    let local = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map_or_else(|| "?".to_string(), |a| a.to_string());
    let sender_id = random_id();
    let mut buf = match &cfg.payload {
        Payload::Sequenced(size) => vec![0u8; *size],
        Payload::Raw(bytes) => bytes.clone(),
    };
    let sequenced = matches!(cfg.payload, Payload::Sequenced(_));
    let mut summary = SendSummary {
        kind: "summary",
        group: cfg.target.group.to_string(),
        port: cfg.target.port,
        sender_id: sequenced.then_some(sender_id),
        local,
        sent: 0,
        bytes: 0,
        errors: 0,
        last_error: None,
        duration_ms: 0.0,
        rate_pps: 0.0,
        rate_mbps: 0.0,
        interrupted: false,
    };
    let start = Instant::now();
    let deadline = cfg.duration.map(|d| start + d);
    let mut seq: u64 = 0;
    loop {
        if stop.load(Ordering::Relaxed) {
            summary.interrupted = true;
            break;
        }
        if cfg.count.is_some_and(|c| seq >= c) {
            break;
        }
        if !cfg.interval.is_zero() {
            let due = start
                + cfg
                    .interval
                    .saturating_mul(u32::try_from(seq).unwrap_or(u32::MAX));
            if deadline.is_some_and(|d| due >= d) {
                break;
            }
            if !wait_until(due, stop) {
                summary.interrupted = true;
                break;
            }
        } else if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if sequenced {
            Header {
                sender_id,
                seq,
                sent_ns: now_ns(),
            }
            .encode(&mut buf);
        }
        match socket.send(&buf) {
            Ok(n) => {
                summary.sent += 1;
                summary.bytes += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                summary.errors += 1;
                summary.last_error = Some(e.to_string());
                if summary.sent == 0 && summary.errors >= 3 {
                    return Err(classify_send_error(e, &cfg.target));
                }
            }
        }
        seq += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    summary.duration_ms = elapsed * 1e3;
    if elapsed > 0.0 {
        summary.rate_pps = summary.sent as f64 / elapsed;
        summary.rate_mbps = summary.bytes as f64 * 8.0 / elapsed / 1e6;
    }
    Ok(summary)
}

/// Sleeps until `due` in slices, spinning for the last stretch so high
/// rates keep their pace. False when `stop` was set meanwhile.
fn wait_until(due: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= due {
            return true;
        }
        let left = due - now;
        if left > Duration::from_millis(2) {
            std::thread::sleep((left - Duration::from_millis(1)).min(Duration::from_millis(100)));
        } else if left > Duration::from_micros(100) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

fn classify_send_error(e: std::io::Error, target: &McastTarget) -> NetkitError {
    let hint = match e.raw_os_error() {
        Some(libc::ENETUNREACH) => " (no route for the group: add one, or give --interface)",
        Some(libc::EADDRNOTAVAIL) => " (the source address is not on the chosen interface)",
        Some(libc::ENODEV) => " (no such interface)",
        _ => "",
    };
    let message = format!("cannot send to {target}: {e}{hint}");
    match e.raw_os_error() {
        Some(libc::ENETUNREACH | libc::EHOSTUNREACH) => NetkitError::Unreachable(message),
        _ => NetkitError::System {
            call: "send",
            source: std::io::Error::new(e.kind(), message),
        },
    }
}

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
    /// Stop after this long with no datagram.
    pub idle_timeout: Duration,
    /// How many payload bytes to show for raw datagrams.
    pub preview_bytes: usize,
}

/// Printed once the group is joined, before any datagram.
#[derive(Debug, Clone, Serialize)]
pub struct Joined {
    /// Always `"joined"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The group.
    pub group: String,
    /// The port.
    pub port: u16,
    /// Interfaces joined on (empty: the system's choice).
    pub interfaces: Vec<String>,
    /// The source of a source-specific join.
    pub source: Option<String>,
}

/// One received datagram.
#[derive(Debug, Clone, Serialize)]
pub struct Datagram {
    /// Always `"datagram"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Sender address and port.
    pub from: String,
    /// Payload length.
    pub bytes: usize,
    /// Milliseconds since the receiver joined.
    pub at_ms: f64,
    /// The netkit sender id, absent for raw datagrams.
    #[serde(serialize_with = "hex_id")]
    pub sender_id: Option<u64>,
    /// The sequence number, absent for raw datagrams.
    pub seq: Option<u64>,
    /// One-way delay, when the sender is on this host (same clock).
    pub delay_ms: Option<f64>,
    /// True when the datagram has no netkit header.
    pub raw: bool,
    /// `duplicate`, `reordered`, `out_of_window`, or absent.
    pub anomaly: Option<&'static str>,
    /// The start of a raw payload as text (escaped in human output).
    pub preview: Option<String>,
}

/// Statistics for one sender.
#[derive(Debug, Clone, Serialize)]
pub struct SenderStats {
    /// Sender address and port.
    pub from: String,
    /// The netkit sender id; absent for raw datagrams.
    #[serde(serialize_with = "hex_id")]
    pub sender_id: Option<u64>,
    /// True for a source of raw (non-netkit) datagrams.
    pub raw: bool,
    /// Datagrams received, duplicates included.
    pub received: u64,
    /// Payload bytes received.
    pub bytes: u64,
    /// Sequence numbers missing between the first and the highest seen.
    pub lost: u64,
    /// Datagrams whose sequence number had been seen already.
    pub duplicates: u64,
    /// Datagrams that arrived after a higher sequence number.
    pub reordered: u64,
    /// Datagrams too far ahead to track.
    pub out_of_window: u64,
    /// Loss as a percentage of the expected datagrams.
    pub loss_pct: f64,
    /// First and highest sequence numbers seen.
    pub first_seq: Option<u64>,
    /// Highest sequence number seen.
    pub last_seq: Option<u64>,
    /// Arrival rate between the first and the last datagram.
    pub rate_pps: f64,
    /// Smallest one-way delay (same host only).
    pub delay_min_ms: Option<f64>,
    /// Mean one-way delay.
    pub delay_avg_ms: Option<f64>,
    /// Largest one-way delay.
    pub delay_max_ms: Option<f64>,
}

/// The receiver's summary.
#[derive(Debug, Clone, Serialize)]
pub struct RecvSummary {
    /// Always `"summary"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The group.
    pub group: String,
    /// The port.
    pub port: u16,
    /// Every datagram received.
    pub received: u64,
    /// Of which raw.
    pub raw: u64,
    /// Lost, summed over senders.
    pub lost: u64,
    /// Duplicates, summed over senders.
    pub duplicates: u64,
    /// Reordered, summed over senders.
    pub reordered: u64,
    /// Loss over all netkit senders, percent.
    pub loss_pct: f64,
    /// How long the receiver listened.
    pub duration_ms: f64,
    /// Why it stopped: `count`, `duration`, `timeout` (no data) or `interrupted`.
    pub stop_reason: &'static str,
    /// Per sender, in order of first arrival.
    pub senders: Vec<SenderStats>,
    /// Thresholds crossed (`--expect`, `--max-loss`), or nothing received.
    pub failures: Vec<String>,
}

/// Per-sender sequence accounting, counted from the first datagram seen
/// (as omping does).
#[derive(Debug, Clone)]
pub struct SeqTracker {
    first: u64,
    max: u64,
    unique_in_window: u64,
    seen: Vec<u64>,
    /// Duplicates seen.
    pub duplicates: u64,
    /// Reordered datagrams seen.
    pub reordered: u64,
    /// Datagrams beyond the tracking window.
    pub out_of_window: u64,
}

impl SeqTracker {
    /// Starts tracking at the first sequence number seen.
    pub fn new(first: u64) -> Self {
        let mut t = SeqTracker {
            first,
            max: first,
            unique_in_window: 0,
            seen: Vec::new(),
            duplicates: 0,
            reordered: 0,
            out_of_window: 0,
        };
        t.record(first);
        t
    }

    /// Records one sequence number and says what was odd about it.
    pub fn record(&mut self, seq: u64) -> Option<&'static str> {
        if seq < self.first {
            // Older than the first one seen: late, and outside the count.
            self.reordered += 1;
            return Some("reordered");
        }
        let offset = seq - self.first;
        if offset >= SEQ_WINDOW {
            self.out_of_window += 1;
            return Some("out_of_window");
        }
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        let mask = 1u64 << bit;
        if self.seen[word] & mask != 0 {
            self.duplicates += 1;
            return Some("duplicate");
        }
        self.seen[word] |= mask;
        self.unique_in_window += 1;
        if seq > self.max || self.unique_in_window == 1 {
            self.max = self.max.max(seq);
            None
        } else {
            self.reordered += 1;
            Some("reordered")
        }
    }

    /// Missing sequence numbers between the first and the highest seen.
    pub fn lost(&self) -> u64 {
        (self.max - self.first + 1).saturating_sub(self.unique_in_window)
    }

    /// How many were expected (first to highest).
    pub fn expected(&self) -> u64 {
        self.max - self.first + 1
    }

    /// First sequence number seen.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// Highest sequence number seen.
    pub fn max(&self) -> u64 {
        self.max
    }
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
}

impl SenderState {
    fn stats(&self) -> SenderStats {
        let (lost, expected) = self
            .tracker
            .as_ref()
            .map_or((0, 0), |t| (t.lost(), t.expected()));
        let span = (self.last_at - self.first_at).as_secs_f64();
        let delays = self.delay_n > 0;
        SenderStats {
            from: self.from.to_string(),
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
            first_seq: self.tracker.as_ref().map(SeqTracker::first),
            last_seq: self.tracker.as_ref().map(SeqTracker::max),
            rate_pps: if span > 0.0 {
                (self.received.saturating_sub(1)) as f64 / span
            } else {
                0.0
            },
            delay_min_ms: delays.then_some(self.delay_min),
            delay_avg_ms: delays.then(|| self.delay_sum / self.delay_n as f64),
            delay_max_ms: delays.then_some(self.delay_max),
        }
    }
}

/// IP_MULTICAST_IF by interface index (struct ip_mreqn), which works for
/// interfaces with several or no IPv4 addresses.
fn set_multicast_if_v4_index(socket: &Socket, index: u32) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let req = libc::ip_mreqn {
        imr_multiaddr: libc::in_addr { s_addr: 0 },
        imr_address: libc::in_addr { s_addr: 0 },
        imr_ifindex: index as libc::c_int,
    };
    // SAFETY: req is a valid ip_mreqn and its size is passed.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_IF,
            &req as *const libc::ip_mreqn as *const libc::c_void,
            std::mem::size_of::<libc::ip_mreqn>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[repr(C)]
struct GroupSourceReq {
    interface: u32,
    group: libc::sockaddr_storage,
    source: libc::sockaddr_storage,
}

/// MCAST_JOIN_SOURCE_GROUP (RFC 3678): a source-specific join that works
/// for both families (IGMPv3 and MLDv2).
fn join_source_group(
    socket: &Socket,
    group: IpAddr,
    source: IpAddr,
    index: u32,
) -> std::io::Result<()> {
    let to_storage = |ip: IpAddr| {
        let sa: SockAddr = SocketAddr::new(ip, 0).into();
        // SAFETY: sockaddr_storage is plain old data; all zero is valid.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let len = (sa.len() as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
        // SAFETY: copying `len` bytes of a valid sockaddr into storage of at
        // least that size.
        unsafe {
            std::ptr::copy_nonoverlapping(
                sa.as_ptr() as *const u8,
                &mut storage as *mut libc::sockaddr_storage as *mut u8,
                len,
            );
        }
        storage
    };
    let req = GroupSourceReq {
        interface: index,
        group: to_storage(group),
        source: to_storage(source),
    };
    let level = if group.is_ipv4() {
        libc::IPPROTO_IP
    } else {
        libc::IPPROTO_IPV6
    };
    use std::os::fd::AsRawFd;
    // SAFETY: req is a valid group_source_req and its size is passed.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            libc::MCAST_JOIN_SOURCE_GROUP,
            &req as *const GroupSourceReq as *const libc::c_void,
            std::mem::size_of::<GroupSourceReq>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Joins the group and receives until the count, the duration, an idle
/// timeout or `stop`. `on_joined` and `on_datagram` see events as they come.
pub fn receive(
    cfg: &RecvConfig,
    stop: &AtomicBool,
    mut on_joined: impl FnMut(&Joined) -> std::io::Result<()>,
    mut on_datagram: impl FnMut(&Datagram) -> std::io::Result<()>,
) -> anyhow::Result<RecvSummary> {
    let group = cfg.target.group;
    if let Some(src) = cfg.source {
        if src.is_ipv4() != group.is_ipv4() {
            return Err(NetkitError::invalid(format!(
                "--source {src} is not of the group's family"
            ))
            .into());
        }
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
    if let IpAddr::V6(g) = group {
        if scope == 0 && (g.segments()[0] & 0xf) <= 2 {
            return Err(NetkitError::invalid(format!(
                "{g} is interface- or link-local: name the interface with [{g}%IF]:PORT or --interface"
            ))
            .into());
        }
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
            (g, Some(src)) => join_source_group(&socket, g, src, index),
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
    on_joined(&Joined {
        kind: "joined",
        group: group.to_string(),
        port: cfg.target.port,
        interfaces: cfg.interfaces.iter().map(|i| i.name.clone()).collect(),
        source: cfg.source.map(|s| s.to_string()),
    })?;

    let start = Instant::now();
    let mut last_data = start;
    let deadline = cfg.duration.map(|d| start + d);
    let mut senders: Vec<SenderState> = Vec::new();
    let mut index_of: HashMap<(SocketAddr, Option<u64>), usize> = HashMap::new();
    let mut local_cache: HashMap<IpAddr, bool> = HashMap::new();
    let mut buf = vec![MaybeUninit::<u8>::uninit(); 65_536];
    let mut received: u64 = 0;
    let stop_reason = loop {
        if stop.load(Ordering::Relaxed) {
            break "interrupted";
        }
        if cfg.count.is_some_and(|c| received >= c) {
            break "count";
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break "duration";
        }
        if now - last_data >= cfg.idle_timeout {
            break "timeout";
        }
        let mut wait = (last_data + cfg.idle_timeout - now).min(Duration::from_millis(100));
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
                }
                .into());
            }
        };
        let arrived = Instant::now();
        let arrived_ns = now_ns();
        last_data = arrived;
        received += 1;
        // SAFETY: recv_from initialised the first n bytes.
        let data: &[u8] = unsafe { std::slice::from_raw_parts(buf.as_ptr() as *const u8, n) };
        let from = from
            .as_socket()
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let header = Header::decode(data);
        let key = (from, header.map(|h| h.sender_id));
        let idx = *index_of.entry(key).or_insert_with(|| {
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
            });
            senders.len() - 1
        });
        let s = &mut senders[idx];
        s.received += 1;
        s.bytes += n as u64;
        s.last_at = arrived;
        let mut anomaly = None;
        let mut delay_ms = None;
        if let Some(h) = header {
            anomaly = match &mut s.tracker {
                None => {
                    s.tracker = Some(SeqTracker::new(h.seq));
                    None
                }
                Some(t) => t.record(h.seq),
            };
            if s.local && arrived_ns >= h.sent_ns {
                let d = (arrived_ns - h.sent_ns) as f64 / 1e6;
                s.delay_sum += d;
                s.delay_n += 1;
                s.delay_min = s.delay_min.min(d);
                s.delay_max = s.delay_max.max(d);
                delay_ms = Some(d);
            }
        }
        on_datagram(&Datagram {
            kind: "datagram",
            from: from.to_string(),
            bytes: n,
            at_ms: (arrived - start).as_secs_f64() * 1e3,
            sender_id: header.map(|h| h.sender_id),
            seq: header.map(|h| h.seq),
            delay_ms,
            raw: header.is_none(),
            anomaly,
            preview: header
                .is_none()
                .then(|| String::from_utf8_lossy(&data[..n.min(cfg.preview_bytes)]).into_owned()),
        })?;
    };
    let stats: Vec<SenderStats> = senders.iter().map(SenderState::stats).collect();
    let (lost, expected) = senders
        .iter()
        .filter_map(|s| s.tracker.as_ref())
        .fold((0, 0), |(l, e), t| (l + t.lost(), e + t.expected()));
    Ok(RecvSummary {
        kind: "summary",
        group: group.to_string(),
        port: cfg.target.port,
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
        duration_ms: start.elapsed().as_secs_f64() * 1e3,
        stop_reason,
        senders: stats,
        failures: Vec::new(),
    })
}

/// The human preview of a raw payload: escaped, quoted.
pub fn preview_text(preview: &str) -> String {
    format!("\"{}\"", escape_bytes(preview.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t: McastTarget = "239.1.2.3:5000".parse().unwrap();
        assert_eq!(
            (t.group, t.port, t.scope_id),
            ("239.1.2.3".parse().unwrap(), 5000, 0)
        );
        let t: McastTarget = "[ff02::1%lo]:5000".parse().unwrap();
        assert_eq!(t.zone.as_deref(), Some("lo"));
        assert!(t.scope_id > 0);
        let t: McastTarget = "[ff15::42%7]:9".parse().unwrap();
        assert_eq!(t.scope_id, 7);
        assert_eq!(t.to_string(), "[ff15::42%7]:9");
        for bad in [
            "239.1.2.3",
            "10.0.0.1:5000",
            "239.1.2.3:0",
            "239.1.2.3:70000",
            "ff02::1:5000",
            "[ff02::1:5000",
            "[2001:db8::1]:5000",
            "[ff02::1%nosuchif0]:5000",
            "239.1.2.3%lo:5000",
            "x:1",
            ":5000",
        ] {
            assert!(bad.parse::<McastTarget>().is_err(), "{bad}");
        }
    }

    #[test]
    fn header_round_trip() {
        let h = Header {
            sender_id: 0x0102_0304_0506_0708,
            seq: 42,
            sent_ns: 1_700_000_000_000_000_000,
        };
        let mut buf = [0u8; 64];
        h.encode(&mut buf);
        assert_eq!(&buf[..8], b"NKMC\x01\x00\x00\x20");
        assert_eq!(Header::decode(&buf), Some(h));
        assert_eq!(Header::decode(&buf[..31]), None);
        assert_eq!(Header::decode(b"hello world, this is not netkit!"), None);
    }

    #[test]
    fn tracker_counts_loss_duplicates_reordering() {
        // 0 1 3 2 2 5 (4 missing) 9 (6,7,8 missing), then 7 arrives late.
        let mut t = SeqTracker::new(0);
        let anomalies: Vec<Option<&str>> =
            [1, 3, 2, 2, 5, 9, 7].iter().map(|s| t.record(*s)).collect();
        assert_eq!(
            anomalies,
            vec![
                None,
                None,
                Some("reordered"),
                Some("duplicate"),
                None,
                None,
                Some("reordered")
            ]
        );
        assert_eq!(
            (t.lost(), t.duplicates, t.reordered, t.expected()),
            (3, 1, 2, 10)
        );
    }

    #[test]
    fn tracker_counts_from_the_first_seen_and_bounds_memory() {
        let mut t = SeqTracker::new(1000);
        assert_eq!(t.record(999), Some("reordered"));
        assert_eq!(t.record(1000 + SEQ_WINDOW), Some("out_of_window"));
        assert_eq!(t.record(u64::MAX), Some("out_of_window"));
        assert_eq!(t.record(1002), None);
        assert_eq!((t.lost(), t.out_of_window, t.expected()), (1, 2, 3));
    }
}
