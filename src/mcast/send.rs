//! `mcast-send`: numbered datagrams (or a raw message) to a group, paced
//! by deadline (sleeping, then spinning for the last 100 us, so 100k+
//! datagrams/s keep their rate).

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{GroupRef, Header, McastTarget, hex_id, now_ns, open_socket, sys, v6_scope};
use crate::addr::iface::Interface;
use crate::error::{Failure, NetkitError, Result};
use crate::signal::Stop;

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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SendSummary {
    /// True when every datagram was sent.
    pub ok: bool,
    /// The group.
    pub group: GroupRef,
    /// The sender id in the headers (absent for raw payloads).
    #[serde(serialize_with = "hex_id")]
    #[schemars(with = "Option<String>")]
    pub sender_id: Option<u64>,
    /// The local address and port the datagrams left from.
    pub local: Option<LocalAddr>,
    /// Datagrams sent.
    pub sent: u64,
    /// Payload bytes sent.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub bytes: u64,
    /// Sends that failed.
    pub send_errors: u64,
    /// The last send error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// How long sending took.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Achieved rate.
    #[serde(serialize_with = "crate::output::json::round3")]
    pub datagrams_per_s: f64,
    /// Achieved payload throughput, bits per second.
    #[serde(serialize_with = "crate::output::json::round3")]
    pub bits_per_s: f64,
    /// Whether a signal stopped it.
    pub interrupted: bool,
    /// The target, for people.
    #[serde(skip)]
    pub target: McastTarget,
}

impl crate::output::Report for SendSummary {
    const TYPE: &'static str = "summary";
}

/// An address and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LocalAddr {
    /// The address.
    pub address: IpAddr,
    /// The port.
    pub port: u16,
}

/// Sends datagrams to the group until the count, the duration or `stop`.
pub fn send(cfg: &SendConfig, stop: &Stop) -> Result<SendSummary> {
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
                crate::sys::set_multicast_if_v4_index(&socket, i.index)
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
        .map(|a| LocalAddr {
            address: a.ip(),
            port: a.port(),
        });
    // The route found no address to send from (lo's 127.0.0.1 is
    // host-scope, so the kernel takes none): the datagrams carry the
    // unspecified address, and receivers see that. Said once, with the fix.
    if cfg.source.is_none()
        && let Some(l) = &local
        && l.address.is_unspecified()
    {
        let on = cfg
            .interface
            .as_ref()
            .map_or_else(|| "the route's interface".to_string(), |i| i.name.clone());
        crate::output::warn(&format!(
            "no address on {on} can be the source of datagrams to {} (a host-scope address \
             such as 127.0.0.1 is not chosen): they go out from {}, and receivers see that; \
             --source ADDR sets one",
            cfg.target.group, l.address
        ));
    }
    let sender_id = crate::sys::random_u64();
    let mut buf = match &cfg.payload {
        Payload::Sequenced(size) => vec![0u8; *size],
        Payload::Raw(bytes) => bytes.clone(),
    };
    let sequenced = matches!(cfg.payload, Payload::Sequenced(_));
    let mut summary = SendSummary {
        ok: true,
        group: cfg.target.group_ref(),
        sender_id: sequenced.then_some(sender_id),
        local,
        sent: 0,
        bytes: 0,
        send_errors: 0,
        error: None,
        duration_ms: 0.0,
        datagrams_per_s: 0.0,
        bits_per_s: 0.0,
        interrupted: false,
        target: cfg.target.clone(),
    };
    let start = Instant::now();
    let deadline = cfg.duration.map(|d| start + d);
    let mut seq: u64 = 0;
    loop {
        if stop.is_set() {
            summary.interrupted = stop.by_signal();
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
                summary.interrupted = stop.by_signal();
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
                summary.send_errors += 1;
                summary.ok = false;
                summary.error = Some(Failure::io(&e, format!("send to {}", cfg.target)));
                if summary.sent == 0 && summary.send_errors >= 3 {
                    return Err(classify_send_error(e, &cfg.target));
                }
            }
        }
        seq += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    summary.duration_ms = elapsed * 1e3;
    if elapsed > 0.0 {
        summary.datagrams_per_s = summary.sent as f64 / elapsed;
        summary.bits_per_s = summary.bytes as f64 * 8.0 / elapsed;
    }
    Ok(summary)
}

/// Sleeps until `due` in slices, spinning for the last stretch so high
/// rates keep their pace. False when `stop` was set meanwhile.
fn wait_until(due: Instant, stop: &Stop) -> bool {
    loop {
        if stop.is_set() {
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
        Some(libc::ENETUNREACH | libc::EHOSTUNREACH) => {
            NetkitError::Failed(Failure::new(crate::exit::Reason::from_io(&e), message))
        }
        _ => NetkitError::System {
            call: "send",
            source: std::io::Error::new(e.kind(), message),
        },
    }
}
