//! `echo-client`: message, ping, throughput and load modes over TCP, UDP or
//! a Unix socket, optionally through a proxy. [`run`] is the whole client:
//! the command only validates its arguments and prints what this returns.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UdpSocket, UnixStream};

use super::check_pattern;
pub use super::conn::Conn;
use super::stats::{RttHistogram, RttStats};
use crate::error::Failure;
use crate::exit::{Exit, Reason};
use crate::probe::proxy::{Dest, Proxy};
use crate::signal::Stop;
use crate::threshold::{self, Crossed, Metric, Threshold};

/// How to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// A Unix stream socket.
    Unix(PathBuf),
}

impl Transport {
    /// tcp, udp or unix.
    pub fn name(&self) -> crate::addr::SockProto {
        match self {
            Transport::Tcp => crate::addr::SockProto::Tcp,
            Transport::Udp => crate::addr::SockProto::Udp,
            Transport::Unix(_) => crate::addr::SockProto::Unix,
        }
    }
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The host (absent for Unix sockets).
    pub host: Option<crate::addr::Host>,
    /// The port.
    pub port: u16,
    /// TCP, UDP or Unix.
    pub transport: Transport,
    /// AF_INET, AF_INET6 or AF_UNSPEC (`-4`/`-6`).
    pub family: i32,
    /// Connect and reply timeout.
    pub timeout: Duration,
    /// A proxy (TCP only).
    pub proxy: Option<Proxy>,
    /// TCP congestion control (`--congestion`), set before connecting.
    pub congestion: super::congestion::Congestion,
}

/// The target, in the one address form of the JSON contract.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TargetRef {
    /// A host (name or address) and port.
    Host {
        /// The host as given.
        address: String,
        /// The port.
        port: u16,
    },
    /// A Unix socket.
    Unix {
        /// Its path.
        path: String,
    },
}

impl Endpoint {
    /// The target as the JSON contract writes it.
    pub fn target(&self) -> TargetRef {
        match (&self.transport, &self.host) {
            (Transport::Unix(p), _) => TargetRef::Unix {
                path: p.display().to_string(),
            },
            (_, h) => TargetRef::Host {
                address: h.as_ref().map(|h| h.text()).unwrap_or_default(),
                port: self.port,
            },
        }
    }

    /// What to show as the target.
    pub fn label(&self) -> String {
        match (&self.transport, &self.host) {
            (Transport::Unix(p), _) => {
                crate::sanitize::escape(&p.display().to_string()).into_owned()
            }
            (_, Some(h)) => crate::sanitize::escape(
                &crate::addr::HostPort {
                    host: h.clone(),
                    port: Some(self.port),
                }
                .with_port(self.port),
            )
            .into_owned(),
            (_, None) => "?".into(),
        }
    }
}

/// Resolves the target (system resolver, bounded by the timeout).
pub async fn resolve(ep: &Endpoint) -> Result<Vec<SocketAddr>, Failure> {
    let host = ep
        .host
        .as_ref()
        .ok_or_else(|| Failure::new(Reason::Invalid, "a TARGET is required for TCP and UDP"))?;
    let ips: Vec<IpAddr> = match host {
        crate::addr::Host::Ip { ip, .. } => vec![*ip],
        crate::addr::Host::Name(n) => {
            crate::resolve::stream_addresses_within(
                n,
                ep.family,
                crate::deadline::Deadline::after(ep.timeout),
            )
            .await?
        }
    };
    let addrs: Vec<SocketAddr> = ips
        .into_iter()
        .filter(|a| match ep.family {
            libc::AF_INET => a.is_ipv4(),
            libc::AF_INET6 => a.is_ipv6(),
            _ => true,
        })
        .map(|ip| SocketAddr::new(ip, ep.port))
        .collect();
    if addrs.is_empty() {
        return Err(Failure::new(
            Reason::NotFound,
            format!(
                "{} has no address of the requested family",
                crate::sanitize::escape(&host.text())
            ),
        ));
    }
    Ok(addrs)
}

/// Connects a stream (TCP, Unix, or through a proxy). Returns it and the
/// connect time in milliseconds.
pub async fn connect(ep: &Endpoint) -> Result<(Conn, f64), Failure> {
    let start = Instant::now();
    let conn = match &ep.transport {
        Transport::Unix(path) => {
            let shown = crate::sanitize::escape(&path.display().to_string()).into_owned();
            let s = tokio::time::timeout(ep.timeout, UnixStream::connect(path))
                .await
                .map_err(|_| Failure::timeout(format!("connect {shown}"), ep.timeout))?
                .map_err(|e| Failure::io(&e, format!("connect {shown}")))?;
            Conn::Unix(s)
        }
        Transport::Udp => {
            return Err(Failure::new(
                Reason::Invalid,
                "UDP has no stream to connect",
            ));
        }
        Transport::Tcp => match &ep.proxy {
            Some(proxy) => {
                let dest = match (&ep.host, proxy.remote_dns()) {
                    (Some(crate::addr::Host::Name(n)), true) => Dest::Name(n.clone(), ep.port),
                    _ => Dest::Addr(resolve(ep).await?[0]),
                };
                Conn::Proxied(crate::probe::proxy::connect(proxy, &dest, ep.timeout).await?)
            }
            None => {
                let mut last = None;
                let mut conn = None;
                for addr in resolve(ep).await? {
                    let sock = match tcp_socket(ep, addr) {
                        Ok(s) => s,
                        Err(f) => {
                            last = Some(f);
                            continue;
                        }
                    };
                    match tokio::time::timeout(ep.timeout, sock.connect(addr)).await {
                        Ok(Ok(s)) => {
                            conn = Some(s);
                            break;
                        }
                        Ok(Err(e)) => last = Some(Failure::io(&e, format!("connect {addr}"))),
                        Err(_) => {
                            last = Some(Failure::timeout(format!("connect {addr}"), ep.timeout))
                        }
                    }
                }
                let s = conn.ok_or_else(|| {
                    last.unwrap_or_else(|| Failure::timeout("connect", ep.timeout))
                })?;
                let _ = s.set_nodelay(true);
                Conn::Tcp(s)
            }
        },
    };
    Ok((conn, start.elapsed().as_secs_f64() * 1e3))
}

/// A TCP socket for `addr` with `--congestion` applied: before connect,
/// since BBR arms pacing when a connection starts and a later change of
/// algorithm leaves it armed. `auto` ignores a refusal (the system's
/// algorithm stays); a named algorithm was checked before any connect.
fn tcp_socket(ep: &Endpoint, addr: SocketAddr) -> Result<tokio::net::TcpSocket, Failure> {
    let sock = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(|e| Failure::io(&e, "socket"))?;
    ep.congestion
        .apply(&sock, addr.ip())
        .map_err(|(name, e)| Failure::io(&e, format!("setsockopt TCP_CONGESTION {name}")))?;
    Ok(sock)
}

async fn udp_socket(ep: &Endpoint) -> Result<UdpSocket, Failure> {
    let addr = resolve(ep).await?[0];
    let bind = crate::addr::any_for(addr.ip());
    let s = UdpSocket::bind(bind)
        .await
        .map_err(|e| Failure::io(&e, "bind"))?;
    s.connect(addr)
        .await
        .map_err(|e| Failure::io(&e, format!("connect {addr}")))?;
    Ok(s)
}

/// What the client does.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Send one message and compare the echo.
    Message(Vec<u8>),
    /// Round trips.
    Ping(PingPlan),
    /// Stream and verify: `bytes`, or until `duration`.
    Throughput {
        /// Bytes to stream.
        bytes: Option<u64>,
        /// Or for how long.
        duration: Option<Duration>,
    },
}

/// The flags that choose the mode.
#[derive(Debug, Clone, Default)]
pub struct ModeFlags {
    /// `--bytes`.
    pub bytes: Option<u64>,
    /// `--throughput`.
    pub throughput: bool,
    /// `--count`.
    pub count: Option<u64>,
    /// `--interval`.
    pub interval: Option<Duration>,
    /// `--rate`.
    pub rate: Option<f64>,
    /// `--duration`.
    pub duration: Option<Duration>,
    /// `--connections`.
    pub connections: u64,
    /// `--size`.
    pub size: usize,
}

/// Largest message read from stdin in message mode.
pub const MAX_MESSAGE: u64 = 64 << 20;

impl Mode {
    /// Chooses and checks the mode: throughput (`--bytes`, `--throughput`),
    /// ping (`--count`, `--interval`, `--rate`, `--duration`, several
    /// connections), else one message (MESSAGE, or stdin up to 64 MiB).
    pub fn choose(
        f: &ModeFlags,
        transport: &Transport,
        message: Option<String>,
        stdin: impl std::io::Read,
        stdin_is_terminal: bool,
    ) -> Result<Mode, crate::error::NetkitError> {
        use crate::error::NetkitError;
        use std::io::Read;
        let udp = *transport == Transport::Udp;
        if f.bytes.is_some() || f.throughput {
            if udp {
                return Err(NetkitError::invalid(
                    "throughput mode needs a stream: use TCP or --unix",
                ));
            }
            if message.is_some() || f.count.is_some() || f.interval.is_some() || f.rate.is_some() {
                return Err(NetkitError::invalid(
                    "--bytes/--throughput do not go with MESSAGE, --count, --interval or --rate",
                ));
            }
            return Ok(Mode::Throughput {
                bytes: f.bytes,
                duration: f.duration,
            });
        }
        let ping = f.count.is_some()
            || f.interval.is_some()
            || f.rate.is_some()
            || f.duration.is_some()
            || f.connections > 1;
        if ping {
            if message.is_some() {
                return Err(NetkitError::invalid(
                    "ping mode sends its own payload: drop MESSAGE, or drop --count/--interval/--duration",
                ));
            }
            let (min, max) = if udp { (16, 65_507) } else { (1, 16 << 20) };
            if f.size < min || f.size > max {
                return Err(NetkitError::invalid(format!(
                    "--size must be {min}-{max} bytes for {}",
                    transport.name()
                )));
            }
            return Ok(Mode::Ping(PingPlan {
                count: f.count,
                interval: f.interval.unwrap_or(Duration::from_secs(1)),
                size: f.size,
                duration: f.duration,
                rate: f.rate,
            }));
        }
        let bytes = match message {
            Some(m) => m.into_bytes(),
            None if stdin_is_terminal => {
                return Err(NetkitError::invalid(
                    "give a MESSAGE, pipe one on stdin, or use --count for ping mode",
                ));
            }
            None => {
                let mut buf = Vec::new();
                stdin
                    .take(MAX_MESSAGE + 1)
                    .read_to_end(&mut buf)
                    .map_err(NetkitError::system("reading stdin"))?;
                if buf.len() as u64 > MAX_MESSAGE {
                    return Err(NetkitError::invalid(
                        "stdin holds more than 64 MiB: use --bytes for streams",
                    ));
                }
                buf
            }
        };
        if udp && bytes.len() > 65_507 {
            return Err(NetkitError::invalid(
                "a UDP message holds at most 65507 bytes",
            ));
        }
        Ok(Mode::Message(bytes))
    }

    fn name(&self) -> ModeName {
        match self {
            Mode::Message(_) => ModeName::Message,
            Mode::Ping(_) => ModeName::Ping,
            Mode::Throughput { .. } => ModeName::Throughput,
        }
    }
}

/// How ping mode runs.
#[derive(Debug, Clone)]
pub struct PingPlan {
    /// Round trips to make (None: until `duration` or Ctrl-C).
    pub count: Option<u64>,
    /// Time between sends; zero sends the next as soon as the last returns.
    pub interval: Duration,
    /// Payload size.
    pub size: usize,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Open loop: send on this fixed schedule (per second) whatever the
    /// replies do, and measure each round trip from its intended send time.
    pub rate: Option<f64>,
}

/// One reply, streamed in ping mode.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Reply {
    /// False for a duplicate.
    pub ok: bool,
    /// Sequence number, from 0.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub seq: u64,
    /// Bytes echoed.
    pub bytes: usize,
    /// Round-trip time (from the intended send time with --rate).
    #[serde(serialize_with = "crate::output::json::ms")]
    pub rtt_ms: f64,
    /// `duplicate` or `reordered` (UDP), or absent.
    pub anomaly: Option<crate::addr::Anomaly>,
}

impl crate::output::Report for Reply {
    const TYPE: &'static str = "reply";
}

/// The tally of one connection.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Requests sent.
    pub sent: u64,
    /// Distinct replies received.
    pub received: u64,
    /// Replies whose sequence number came twice.
    pub duplicates: u64,
    /// Replies after a higher sequence number.
    pub reordered: u64,
    /// Datagrams that were not replies to this run (wrong token or
    /// sequence number never sent): ignored.
    pub foreign: u64,
    /// Round trips.
    pub rtts: RttHistogram,
    /// Connect time.
    pub connect_ms: Option<f64>,
    /// Bytes written (streams).
    pub bytes_sent: u64,
    /// Bytes read back (streams).
    pub bytes_received: u64,
    /// Throughput: stream offset of the first wrong byte.
    pub mismatch_at: Option<u64>,
    /// Throughput: from the first byte written to the last read.
    pub seconds: f64,
    /// Message mode: what came back.
    pub reply: Option<Vec<u8>>,
    /// The TCP congestion control the connection used.
    pub congestion: Option<String>,
    /// What ended it early, if anything did.
    pub failure: Option<Failure>,
}

/// The start of a message reply kept for the summary.
pub const MAX_REPLY_SHOWN: usize = 64 * 1024;

/// Sends `message`, shuts the write side, reads the echo until EOF
/// (streams) or one datagram (UDP).
pub async fn message(ep: &Endpoint, message: &[u8]) -> Tally {
    let mut t = Tally {
        sent: 1,
        bytes_sent: message.len() as u64,
        ..Tally::default()
    };
    let r = message_exchange(ep, message, &mut t).await;
    match r {
        Ok(reply) => {
            t.received = 1;
            t.bytes_received = reply.len() as u64;
            if reply != message {
                t.failure = Some(Failure::new(
                    Reason::Mismatch,
                    format!(
                        "sent {} bytes, {} came back different",
                        message.len(),
                        reply.len()
                    ),
                ));
            }
            t.reply = Some(reply);
        }
        Err(f) => t.failure = Some(f),
    }
    t
}

async fn message_exchange(
    ep: &Endpoint,
    message: &[u8],
    t: &mut Tally,
) -> Result<Vec<u8>, Failure> {
    if ep.transport == Transport::Udp {
        let s = udp_socket(ep).await?;
        let start = Instant::now();
        s.send(message).await.map_err(|e| Failure::io(&e, "send"))?;
        let mut buf = vec![0u8; 65_536];
        let n = tokio::time::timeout(ep.timeout, s.recv(&mut buf))
            .await
            .map_err(|_| Failure::timeout("reply", ep.timeout))?
            .map_err(|e| Failure::io(&e, "receive"))?;
        t.rtts.record_ms(start.elapsed().as_secs_f64() * 1e3);
        buf.truncate(n);
        return Ok(buf);
    }
    let (mut conn, connect_ms) = connect(ep).await?;
    t.connect_ms = Some(connect_ms);
    t.congestion = conn.congestion();
    let start = Instant::now();
    // Write and read at once: a large message must not deadlock on full
    // buffers with a server that echoes as it reads.
    let (mut rd, mut wr) = tokio::io::split(&mut conn);
    // Through a proxy, half-closing first is not safe: many proxies
    // (microsocks among them) tear the relay down on the client's FIN and
    // the echo is lost. There the write side is shut once the echo is in.
    let echoed = tokio::sync::Notify::new();
    let wait_for_echo = ep.proxy.is_some();
    let write = async {
        wr.write_all(message).await?;
        if wait_for_echo {
            echoed.notified().await;
        }
        wr.shutdown().await
    };
    // A server that sends more than it got is cut off: the reply is bounded.
    let limit = message.len() as u64 + 65_536;
    let read = async {
        let mut reply = vec![0u8; message.len()];
        let mut got = 0;
        if wait_for_echo {
            while got < message.len() {
                match rd.read(&mut reply[got..]).await? {
                    0 => break,
                    n => got += n,
                }
            }
            echoed.notify_one();
        }
        reply.truncate(got);
        (&mut rd)
            .take(limit - got as u64)
            .read_to_end(&mut reply)
            .await
            .map(|_| reply)
    };
    let (w, r) = tokio::time::timeout(ep.timeout, async { tokio::join!(write, read) })
        .await
        .map_err(|_| Failure::timeout("reply", ep.timeout))?;
    w.map_err(|e| Failure::io(&e, "send"))?;
    let reply = r.map_err(|e| Failure::io(&e, "receive"))?;
    t.rtts.record_ms(start.elapsed().as_secs_f64() * 1e3);
    Ok(reply)
}

/// Ping over a stream: each round trip sends `size` bytes (the sequence
/// number, then the pattern) and reads the same bytes back, verified.
pub async fn ping_stream(
    ep: &Endpoint,
    plan: &PingPlan,
    stop: &Stop,
    on_reply: &mut (dyn FnMut(&Reply) + Send),
) -> Tally {
    let mut tally = Tally::default();
    let (mut conn, connect_ms) = match connect(ep).await {
        Ok(c) => c,
        Err(f) => {
            tally.failure = Some(f);
            return tally;
        }
    };
    tally.connect_ms = Some(connect_ms);
    tally.congestion = conn.congestion();
    let start = Instant::now();
    let mut out = vec![0u8; plan.size];
    let mut back = vec![0u8; plan.size];
    let mut seq: u64 = 0;
    let period = plan
        .rate
        .map(|r| Duration::from_secs_f64(1.0 / r))
        .unwrap_or(plan.interval);
    loop {
        if stop.is_set()
            || plan.count.is_some_and(|c| seq >= c)
            || plan.duration.is_some_and(|d| start.elapsed() >= d)
        {
            break;
        }
        // The intended send time: with --rate, latency counts from it, so
        // a stalled server shows in the percentiles instead of delaying
        // the schedule (no coordinated omission).
        let due = start + period.saturating_mul(u32::try_from(seq).unwrap_or(u32::MAX));
        if seq > 0 && !period.is_zero() && Instant::now() < due {
            tokio::select! {
                () = tokio::time::sleep_until(due.into()) => {}
                () = stop.wait() => break,
            }
        }
        super::fill_pattern(&mut out, seq.wrapping_mul(plan.size as u64));
        let k = plan.size.min(8);
        out[..k].copy_from_slice(&seq.to_be_bytes()[8 - k..]);
        let t0 = if plan.rate.is_some() {
            due.min(Instant::now())
        } else {
            Instant::now()
        };
        let round = async {
            conn.write_all(&out).await?;
            conn.read_exact(&mut back).await.map(|_| ())
        };
        let result = tokio::select! {
            r = tokio::time::timeout(ep.timeout, round) => r,
            () = stop.wait() => break,
        };
        tally.sent += 1;
        tally.bytes_sent += plan.size as u64;
        match result {
            Err(_) => {
                tally.failure = Some(Failure::timeout(format!("reply {seq}"), ep.timeout));
                break;
            }
            Ok(Err(e)) => {
                tally.failure = Some(Failure::io(&e, format!("round trip {seq}")));
                break;
            }
            Ok(Ok(())) => {}
        }
        let rtt = t0.elapsed().as_secs_f64() * 1e3;
        if back != out {
            tally.failure = Some(Failure::new(
                Reason::Mismatch,
                format!("reply {seq} differs from what was sent"),
            ));
            break;
        }
        tally.received += 1;
        tally.bytes_received += plan.size as u64;
        tally.rtts.record_ms(rtt);
        on_reply(&Reply {
            ok: true,
            seq,
            bytes: plan.size,
            rtt_ms: rtt,
            anomaly: None,
        });
        seq += 1;
    }
    tally
}

/// Sequence numbers tracked for duplicates: a bitset over the most recent
/// 65,536 (8 KiB), however long the run.
const SEEN_WINDOW: u64 = 65_536;

/// Which sequence numbers were seen, within a sliding window.
struct Seen {
    bits: Vec<u64>,
    base: u64,
}

impl Seen {
    fn new() -> Self {
        Seen {
            bits: vec![0; (SEEN_WINDOW / 64) as usize],
            base: 0,
        }
    }

    /// Marks `seq`; None when it is older than the window, else whether it
    /// was seen already.
    fn insert(&mut self, seq: u64, newest_sent: u64) -> Option<bool> {
        let floor = newest_sent.saturating_sub(SEEN_WINDOW - 1);
        if floor.saturating_sub(self.base) >= SEEN_WINDOW {
            self.bits.iter_mut().for_each(|w| *w = 0);
            self.base = floor;
        }
        while self.base < floor {
            let slot = (self.base % SEEN_WINDOW) as usize;
            self.bits[slot / 64] &= !(1 << (slot % 64));
            self.base += 1;
        }
        if seq < self.base {
            return None;
        }
        let slot = (seq % SEEN_WINDOW) as usize;
        let mask = 1u64 << (slot % 64);
        let was = self.bits[slot / 64] & mask != 0;
        self.bits[slot / 64] |= mask;
        Some(was)
    }
}

/// Ping over UDP: datagrams carry this run's token (from the OS's random
/// source) and a sequence number. Only replies with the token to a
/// sequence number that was sent count; loss, duplicates and reordering
/// are counted. The send time is taken before `send()`.
///
/// With `blocking` (one connection, on a thread of its own) the client
/// waits for a reply as blocking clients do: it sleeps in the kernel
/// right after the send, then reads. Through the runtime, a reply often
/// arrived while the runtime was still on its way to the wait, and the
/// round trip then missed the wake-up every other client pays: p50 moved
/// between 6 and 56 us from run to run against the same server.
pub async fn ping_udp(
    ep: &Endpoint,
    plan: &PingPlan,
    stop: &Stop,
    blocking: bool,
    on_reply: &mut (dyn FnMut(&Reply) + Send),
) -> Tally {
    let mut tally = Tally::default();
    let s = match udp_socket(ep).await {
        Ok(s) if blocking => match blocking_udp(s) {
            Ok(s) => Udp::Blocking(s),
            Err(e) => {
                tally.failure = Some(Failure::io(&e, "socket"));
                return tally;
            }
        },
        Ok(s) => Udp::Async(s),
        Err(f) => {
            tally.failure = Some(f);
            return tally;
        }
    };
    let token = crate::sys::random_u64();
    let start = Instant::now();
    let mut out = vec![0u8; plan.size];
    let mut buf = vec![0u8; 65_536];
    // Send times of outstanding requests (bounded: forgotten after the timeout).
    let mut sent_at: BTreeMap<u64, Instant> = BTreeMap::new();
    let mut seen = Seen::new();
    let mut max_seen: Option<u64> = None;
    let mut next_seq: u64 = 0;
    let period = plan
        .rate
        .map(|r| Duration::from_secs_f64(1.0 / r))
        .unwrap_or(plan.interval);
    let mut last_send = Instant::now();
    loop {
        let done_sending = stop.is_set()
            || plan.count.is_some_and(|c| next_seq >= c)
            || plan.duration.is_some_and(|d| start.elapsed() >= d);
        // Requests older than the timeout are lost: forget them.
        let now = Instant::now();
        while let Some((&seq, &t)) = sent_at.first_key_value() {
            if now.duration_since(t) < ep.timeout {
                break;
            }
            sent_at.remove(&seq);
        }
        if done_sending && (sent_at.is_empty() || stop.is_set()) {
            break;
        }
        let due = start + period.saturating_mul(u32::try_from(next_seq).unwrap_or(u32::MAX));
        let can_send = !done_sending
            && if period.is_zero() {
                sent_at.is_empty() || last_send.elapsed() >= ep.timeout
            } else {
                Instant::now() >= due
            };
        if can_send {
            super::fill_pattern(&mut out, next_seq);
            out[..8].copy_from_slice(&token.to_be_bytes());
            out[8..16].copy_from_slice(&next_seq.to_be_bytes());
            // With --rate the round trip counts from the intended time.
            let t0 = if plan.rate.is_some() {
                due.min(Instant::now())
            } else {
                Instant::now()
            };
            if let Err(e) = s.send(&out).await {
                tally.failure = Some(Failure::io(&e, "send"));
                break;
            }
            sent_at.insert(next_seq, t0);
            last_send = Instant::now();
            tally.sent += 1;
            tally.bytes_sent += plan.size as u64;
            next_seq += 1;
            continue;
        }
        let oldest = sent_at.first_key_value().map(|(_, t)| *t + ep.timeout);
        let wake = if done_sending || period.is_zero() {
            oldest.unwrap_or(last_send + ep.timeout)
        } else {
            oldest.map_or(due, |o| o.min(due))
        };
        let got = s.recv_until(&mut buf, wake, stop).await;
        let Some(r) = got else { continue };
        let n = match r {
            Ok(n) => n,
            Err(e) => {
                // ECONNREFUSED arrives here when the port is closed.
                tally.failure = Some(Failure::io(&e, "receive"));
                break;
            }
        };
        let seq = (n >= 16 && buf[..8] == token.to_be_bytes())
            .then(|| u64::from_be_bytes(buf[8..16].try_into().unwrap_or([0xff; 8])))
            .filter(|seq| *seq < next_seq);
        let Some(seq) = seq else {
            tally.foreign += 1;
            continue;
        };
        let anomaly = match seen.insert(seq, next_seq.saturating_sub(1)) {
            Some(true) => {
                tally.duplicates += 1;
                Some(crate::addr::Anomaly::Duplicate)
            }
            None => {
                // Too old to tell: count it as late (reordered), not received twice.
                tally.reordered += 1;
                Some(crate::addr::Anomaly::Reordered)
            }
            Some(false) if max_seen.is_some_and(|m| seq < m) => {
                tally.received += 1;
                tally.reordered += 1;
                Some(crate::addr::Anomaly::Reordered)
            }
            Some(false) => {
                tally.received += 1;
                None
            }
        };
        max_seen = Some(max_seen.map_or(seq, |m| m.max(seq)));
        let rtt = sent_at
            .remove(&seq)
            .map(|t| t.elapsed().as_secs_f64() * 1e3);
        if let (Some(rtt), true) = (rtt, anomaly != Some(crate::addr::Anomaly::Duplicate)) {
            tally.rtts.record_ms(rtt);
        }
        tally.bytes_received += n as u64;
        on_reply(&Reply {
            ok: anomaly != Some(crate::addr::Anomaly::Duplicate),
            seq,
            bytes: n,
            rtt_ms: rtt.unwrap_or(0.0),
            anomaly,
        });
    }
    tally
}

/// The socket of a UDP ping, and how it waits for replies.
enum Udp {
    /// Through the runtime (many connections share its threads).
    Async(UdpSocket),
    /// In the kernel, as blocking clients wait (one connection).
    Blocking(std::net::UdpSocket),
}

/// How long a blocking read of a UDP ping waits before it looks at the
/// clock and the stop flag again.
const LONG_WAIT: Duration = Duration::from_millis(50);

/// The runtime's socket as a blocking one: sends block as a blocking
/// client's do (for at most a second), reads for at most [`LONG_WAIT`].
fn blocking_udp(s: UdpSocket) -> io::Result<std::net::UdpSocket> {
    let s = s.into_std()?;
    s.set_nonblocking(false)?;
    s.set_write_timeout(Some(Duration::from_secs(1)))?;
    s.set_read_timeout(Some(LONG_WAIT))?;
    Ok(s)
}

impl Udp {
    async fn send(&self, data: &[u8]) -> io::Result<usize> {
        match self {
            Udp::Async(s) => s.send(data).await,
            Udp::Blocking(s) => s.send(data),
        }
    }

    /// A datagram, or None when `until` passed or the run was stopped.
    async fn recv_until(
        &self,
        buf: &mut [u8],
        until: Instant,
        stop: &Stop,
    ) -> Option<io::Result<usize>> {
        match self {
            Udp::Async(s) => tokio::select! {
                r = s.recv(buf) => Some(r),
                () = tokio::time::sleep_until(until.into()) => None,
                () = stop.wait() => None,
            },
            Udp::Blocking(s) => {
                use std::os::fd::AsFd;
                // Nothing due soon (a closed-loop ping): one blocking read,
                // as the C client does, woken every 50 ms to see a stop.
                // A deadline near (a --rate schedule): poll, whose timeout
                // is precise where SO_RCVTIMEO's is rounded to jiffies.
                let flags = if until.saturating_duration_since(Instant::now()) > LONG_WAIT {
                    rustix::net::RecvFlags::empty()
                } else {
                    if !crate::sys::wait_readable(s.as_fd(), until, &|| stop.is_set()) {
                        return None;
                    }
                    rustix::net::RecvFlags::DONTWAIT
                };
                match rustix::net::recv(s, buf, flags) {
                    Ok((n, _)) => Some(Ok(n)),
                    Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => None,
                    Err(e) => Some(Err(e.into())),
                }
            }
        }
    }
}

/// Throughput: writes the pattern (`bytes`, or until `duration`) and reads
/// it back, verifying every byte. The reader stops at what was sent (a
/// server that sends more, or keeps sending after the client's FIN, is
/// cut off and reported), and must finish within the timeout after the
/// writer is done, however slowly the server trickles.
pub async fn throughput(
    ep: &Endpoint,
    bytes: Option<u64>,
    duration: Option<Duration>,
    stop: &Stop,
) -> Tally {
    let mut tally = Tally::default();
    let (conn, connect_ms) = match connect(ep).await {
        Ok(c) => c,
        Err(f) => {
            tally.failure = Some(f);
            return tally;
        }
    };
    tally.connect_ms = Some(connect_ms);
    tally.congestion = conn.congestion();
    let start = Instant::now();
    let limits = super::write::WriteLimits {
        bytes,
        deadline: duration.map(|d| start + d),
        stop: stop.clone(),
        timeout: ep.timeout,
    };
    let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let writer_done = Arc::new(tokio::sync::Notify::new());
    let (mut rd, writer) =
        super::write::spawn_writer(conn, limits, Arc::clone(&written), Arc::clone(&writer_done));
    let timeout = ep.timeout;
    let reader = async {
        let mut buf = vec![0u8; 512 * 1024];
        let mut off: u64 = 0;
        let mut finished_at: Option<tokio::time::Instant> = None;
        loop {
            let sent = written.load(std::sync::atomic::Ordering::Acquire);
            if finished_at.is_some() && off >= sent {
                // Everything sent came back: anything more is the server's.
                let extra =
                    tokio::time::timeout(Duration::from_millis(50), rd.read(&mut buf[..1])).await;
                if let Ok(Ok(n)) = extra
                    && n > 0
                {
                    return (
                        sent,
                        None,
                        Some(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "the server sent more than it received",
                        )),
                    );
                }
                return (off.min(sent), None, None);
            }
            let wait = match finished_at {
                Some(t) => t.saturating_duration_since(tokio::time::Instant::now()),
                None => timeout,
            };
            let read = tokio::select! {
                r = tokio::time::timeout(wait, rd.read(&mut buf)) => r
                    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the echo did not come back in time"))
                    .and_then(|r| r),
                () = writer_done.notified(), if finished_at.is_none() => {
                    finished_at = Some(tokio::time::Instant::now() + timeout);
                    continue;
                }
                () = stop.wait() => return (off, None, None),
            };
            let n = match read {
                Ok(n) => n,
                // What came back before the failure still counts.
                Err(e) => return (off, None, Some(e)),
            };
            if n == 0 {
                return (off, None, None);
            }
            if let Some(i) = check_pattern(&buf[..n], off) {
                return (off + i as u64, Some(off + i as u64), None);
            }
            off += n as u64;
        }
    };
    let r = reader.await;
    writer.abort();
    let w = writer.await;
    tally.seconds = start.elapsed().as_secs_f64();
    tally.bytes_sent = written.load(std::sync::atomic::Ordering::Acquire);
    if let Ok(Err(e)) = &w {
        tally.failure = Some(Failure::io(e, "send"));
    }
    let (received, mismatch, error) = r;
    tally.bytes_received = received;
    match error {
        None => {
            tally.mismatch_at = mismatch;
            if let Some(at) = mismatch {
                tally.failure = Some(Failure::new(
                    Reason::Mismatch,
                    format!("byte {at} came back different from what was sent"),
                ));
            } else if tally.failure.is_none() && received < tally.bytes_sent && !stop.is_set() {
                tally.failure = Some(Failure::new(
                    Reason::Short,
                    format!("only {received} of {} bytes came back", tally.bytes_sent),
                ));
            }
        }
        Some(e) => {
            let f = if e.kind() == io::ErrorKind::InvalidData {
                Failure::new(Reason::Mismatch, e.to_string())
            } else {
                Failure::io(&e, "receive")
            };
            tally.failure = Some(f);
        }
    }
    tally
}

impl crate::output::Report for ClientSummary {
    const TYPE: &'static str = "summary";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let target = match &self.target {
            TargetRef::Host { address, port } => format!("{address}:{port}"),
            TargetRef::Unix { path } => path.clone(),
        };
        let l = [("target", target.as_str()), ("mode", self.mode.as_str())];
        m.gauge(
            "probe_success",
            "Whether the run passed (and its thresholds)",
            &l,
            f64::from(u8::from(self.ok)),
        );
        m.gauge(
            "probe_duration_seconds",
            "How long the run took",
            &l,
            self.duration_ms / 1e3,
        );
        m.gauge("netkit_echo_sent", "Messages sent", &l, self.sent as f64);
        m.gauge(
            "netkit_echo_received",
            "Replies received",
            &l,
            self.received as f64,
        );
        m.gauge(
            "netkit_echo_lost",
            "Messages without a reply",
            &l,
            self.lost as f64,
        );
        m.gauge(
            "netkit_echo_loss_ratio",
            "Lost over sent",
            &l,
            self.loss_pct / 100.0,
        );
        if let Some(b) = self.bytes_per_s {
            m.gauge(
                "netkit_echo_bytes_per_second",
                "Verified echo throughput",
                &l,
                b,
            );
        }
        let r = &self.rtt;
        for (q, v) in [
            ("0.5", r.p50_ms),
            ("0.9", r.p90_ms),
            ("0.99", r.p99_ms),
            ("0.999", r.p999_ms),
            ("0.9999", r.p9999_ms),
            ("1", r.max_ms),
        ] {
            if let Some(v) = v {
                m.gauge(
                    "netkit_echo_rtt_seconds",
                    "Round-trip time quantiles",
                    &[
                        ("target", target.as_str()),
                        ("mode", self.mode.as_str()),
                        ("quantile", q),
                    ],
                    v / 1e3,
                );
            }
        }
    }
}

words! {
    /// What a client run did.
    pub enum ModeName {
        /// One message sent and its echo checked.
        Message = "message",
        /// Round trips timed.
        Ping = "ping",
        /// Bytes streamed and verified.
        Throughput = "throughput",
    }
}

/// What every client run ends with.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClientSummary {
    /// True when nothing failed and no threshold was crossed.
    pub ok: bool,
    /// message, ping or throughput.
    pub mode: ModeName,
    /// tcp, udp or unix.
    pub protocol: crate::addr::SockProto,
    /// The target.
    pub target: TargetRef,
    /// Connections attempted.
    pub connections: u64,
    /// Connections that were established.
    pub connected: u64,
    /// Mean connect time.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub connect_ms: Option<f64>,
    /// Requests (or messages) sent.
    pub sent: u64,
    /// Distinct replies received.
    pub received: u64,
    /// Requests without a reply.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub lost: u64,
    /// Loss, percent of sent.
    #[serde(serialize_with = "crate::output::json::round3")]
    pub loss_pct: f64,
    /// Replies received twice (UDP).
    pub duplicates: u64,
    /// Replies after a later one (UDP).
    pub reordered: u64,
    /// Datagrams that were not replies to this run, ignored (UDP).
    pub foreign: u64,
    /// Round-trip statistics.
    pub rtt: RttStats,
    /// Round trips per second over the run.
    #[serde(serialize_with = "crate::output::json::opt_round3")]
    pub round_trips_per_s: Option<f64>,
    /// Bytes written.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub bytes_sent: u64,
    /// Bytes read back (and verified, in throughput mode).
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub bytes_received: u64,
    /// Throughput mode: stream offset of the first wrong byte.
    #[serde(serialize_with = "crate::output::json::opt_big")]
    #[schemars(with = "Option<crate::output::json::BigU64>")]
    pub mismatch_at: Option<u64>,
    /// Throughput mode: verified bytes per second.
    #[serde(serialize_with = "crate::output::json::opt_round3")]
    pub bytes_per_s: Option<f64>,
    /// TCP: the congestion control the connections used, as the kernel
    /// reports it (`--congestion`); null for UDP, Unix and proxied.
    pub congestion: Option<String>,
    /// Message mode: what came back, as text (lossy UTF-8).
    pub reply: Option<String>,
    /// Message mode: whether it equals what was sent.
    pub matched: Option<bool>,
    /// How long the run took.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Failed connections or round trips, by reason (`{}` when none).
    pub failures: BTreeMap<Reason, u64>,
    /// The first failure messages, for people (at most 5).
    pub errors: Vec<String>,
    /// Thresholds crossed.
    pub thresholds: Vec<Crossed>,
    /// The first failure (or the first threshold crossed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Stopped by a signal before the end.
    pub interrupted: bool,
    /// Message mode: the raw reply, for the Python-style repr.
    #[serde(skip)]
    pub reply_bytes: Option<Vec<u8>>,
}

impl ClientSummary {
    /// The exit status: the worst failure, or 1 for a threshold crossed.
    pub fn exit(&self) -> Exit {
        let worst = self
            .failures
            .keys()
            .map(|r| r.exit())
            .max()
            .unwrap_or(Exit::Success);
        if self.thresholds.is_empty() {
            worst
        } else {
            worst.max(Exit::Negative)
        }
    }
}

/// Runs the client: `connections` at once doing `mode`, then the summary
/// with `thresholds` checked. Replies of a single connection's ping go to
/// `on_reply` as they come.
pub async fn run(
    ep: &Endpoint,
    mode: &Mode,
    connections: u64,
    thresholds: &[Threshold],
    stop: &Stop,
    on_reply: &mut (dyn FnMut(&Reply) + Send),
) -> ClientSummary {
    let started = Instant::now();
    let tallies: Vec<Tally> = match mode {
        Mode::Message(msg) => vec![message(ep, msg).await],
        Mode::Ping(plan) if connections == 1 => vec![if ep.transport == Transport::Udp {
            ping_udp(ep, plan, stop, true, on_reply).await
        } else {
            ping_stream(ep, plan, stop, on_reply).await
        }],
        _ => {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..connections {
                let (ep, mode, stop) = (ep.clone(), mode.clone(), stop.clone());
                set.spawn(async move {
                    match &mode {
                        Mode::Ping(plan) if ep.transport == Transport::Udp => {
                            ping_udp(&ep, plan, &stop, false, &mut |_| {}).await
                        }
                        Mode::Ping(plan) => ping_stream(&ep, plan, &stop, &mut |_| {}).await,
                        Mode::Throughput { bytes, duration } => {
                            throughput(&ep, *bytes, *duration, &stop).await
                        }
                        Mode::Message(m) => message(&ep, m).await,
                    }
                });
            }
            let mut out = Vec::with_capacity(connections as usize);
            while let Some(j) = set.join_next().await {
                out.push(j.unwrap_or_else(|e| Tally {
                    failure: Some(Failure::new(Reason::System, e.to_string())),
                    ..Tally::default()
                }));
            }
            out
        }
    };
    summarize(
        ep,
        mode,
        &tallies,
        started.elapsed().as_secs_f64(),
        thresholds,
        stop,
    )
}

fn summarize(
    ep: &Endpoint,
    mode: &Mode,
    tallies: &[Tally],
    seconds: f64,
    thresholds: &[Threshold],
    stop: &Stop,
) -> ClientSummary {
    let mut s = ClientSummary {
        ok: false,
        mode: mode.name(),
        protocol: ep.transport.name(),
        target: ep.target(),
        connections: tallies.len() as u64,
        connected: 0,
        connect_ms: None,
        sent: 0,
        received: 0,
        lost: 0,
        loss_pct: 0.0,
        duplicates: 0,
        reordered: 0,
        foreign: 0,
        rtt: RttStats::default(),
        round_trips_per_s: None,
        bytes_sent: 0,
        bytes_received: 0,
        mismatch_at: None,
        bytes_per_s: None,
        congestion: tallies.iter().find_map(|t| t.congestion.clone()),
        reply: None,
        matched: None,
        duration_ms: seconds * 1e3,
        failures: BTreeMap::new(),
        errors: Vec::new(),
        thresholds: Vec::new(),
        error: None,
        interrupted: stop.by_signal(),
        reply_bytes: None,
    };
    let mut rtts = RttHistogram::new();
    let connects: Vec<f64> = tallies.iter().filter_map(|t| t.connect_ms).collect();
    s.connected = if ep.transport == Transport::Udp {
        tallies.iter().filter(|t| t.sent > 0).count() as u64
    } else {
        connects.len() as u64
    };
    if !connects.is_empty() {
        s.connect_ms = Some(connects.iter().sum::<f64>() / connects.len() as f64);
    }
    for t in tallies {
        s.sent += t.sent;
        s.received += t.received;
        s.duplicates += t.duplicates;
        s.reordered += t.reordered;
        s.foreign += t.foreign;
        s.bytes_sent += t.bytes_sent;
        s.bytes_received += t.bytes_received;
        s.mismatch_at = s.mismatch_at.or(t.mismatch_at);
        rtts.merge(&t.rtts);
        if let Some(f) = &t.failure {
            *s.failures.entry(f.reason).or_insert(0) += 1;
            if s.errors.len() < 5 {
                s.errors.push(f.message.clone());
            }
            s.error.get_or_insert_with(|| f.clone());
        }
    }
    s.lost = s.sent.saturating_sub(s.received);
    s.loss_pct = if s.sent > 0 {
        s.lost as f64 * 100.0 / s.sent as f64
    } else {
        0.0
    };
    s.rtt = rtts.stats();
    if let Mode::Message(msg) = mode {
        if let Some(reply) = tallies.first().and_then(|t| t.reply.as_ref()) {
            s.matched = Some(reply == msg);
            let shown = &reply[..reply.len().min(MAX_REPLY_SHOWN)];
            s.reply = Some(String::from_utf8_lossy(shown).into_owned());
            s.reply_bytes = Some(shown.to_vec());
        }
        if s.received == 0 && s.error.is_none() {
            s.error = Some(Failure::new(Reason::Timeout, "no reply"));
        }
    }
    if let Mode::Ping(_) = mode {
        if seconds > 0.0 {
            s.round_trips_per_s = Some(s.received as f64 / seconds);
        }
        if s.sent > 0 && s.received == 0 && s.failures.is_empty() {
            let f = Failure::new(Reason::Timeout, "no reply at all");
            *s.failures.entry(f.reason).or_insert(0) += 1;
            s.errors.push(f.message.clone());
            s.error = Some(f);
        }
    }
    if let Mode::Throughput { .. } = mode {
        // One stream: its own time; several: the wall time of the whole run.
        let span = match tallies {
            [one] => one.seconds,
            _ => seconds,
        };
        if span > 0.0 {
            s.bytes_per_s = Some(s.bytes_received as f64 / span);
        }
    }
    s.thresholds = threshold::check(thresholds, |m| match m {
        Metric::RttAvg => s.rtt.avg_ms,
        Metric::RttP99 => s.rtt.p99_ms,
        Metric::RttP999 => s.rtt.p999_ms,
        Metric::LossPct => Some(s.loss_pct),
        Metric::ThroughputMbyte => s.bytes_per_s.map(|b| b / 1e6),
        Metric::Received => Some(s.received as f64),
    });
    if s.error.is_none()
        && let Some(c) = s.thresholds.first()
    {
        s.error = Some(Failure::new(Reason::Threshold, c.message.clone()));
    }
    s.ok = s.error.is_none() && s.failures.is_empty() && s.thresholds.is_empty();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_window_tracks_duplicates_in_bounded_memory() {
        let mut seen = Seen::new();
        assert_eq!(seen.insert(0, 0), Some(false));
        assert_eq!(seen.insert(0, 0), Some(true));
        assert_eq!(seen.insert(5, 10), Some(false));
        // Far ahead: the start of the window moves, 0 is forgotten as too old.
        assert_eq!(seen.insert(200_000, 200_000), Some(false));
        assert_eq!(seen.insert(5, 200_000), None);
        assert_eq!(seen.bits.len(), 1024);
    }
}
