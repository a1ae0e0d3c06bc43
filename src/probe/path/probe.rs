//! One probe of a path: a TCP connect or a UDP datagram sent with a given
//! TTL (hop limit), unprivileged, and what came back: the ICMP error the
//! kernel queued on the socket (`IP_RECVERR`, with the router that sent
//! it), or the destination's own answer. This is how tracepath works
//! without raw sockets; a TCP SYN takes the path the connection takes,
//! through the same firewalls.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

use crate::exit::Reason;
use crate::sys::IcmpReport;

/// The transport of a trace: that of the connection it explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PathProto {
    /// TCP SYNs (a connect per probe).
    Tcp,
    /// UDP datagrams.
    Udp,
    /// ICMP echo requests, through a ping socket (where
    /// `net.ipv4.ping_group_range` lets this user open one).
    Icmp,
}

impl PathProto {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PathProto::Tcp => "tcp",
            PathProto::Udp => "udp",
            PathProto::Icmp => "icmp",
        }
    }
}

/// What one probe found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// A router said the TTL ran out (ICMP time exceeded).
    Hop { from: IpAddr, rtt: Duration },
    /// The destination answered: a SYN-ACK, an RST, a UDP reply or its
    /// ICMP port unreachable.
    Reached { rtt: Duration, how: Reached },
    /// A router (or the destination) said there is no way on: host or
    /// network unreachable, administratively prohibited.
    Unreachable {
        from: IpAddr,
        rtt: Duration,
        reason: Reason,
    },
    /// No answer before the wait ended.
    Silent,
    /// This host could not send the probe.
    Local(Reason),
}

/// How the destination answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reached {
    /// TCP: connected (SYN-ACK); UDP: a reply.
    Open,
    /// TCP: RST; UDP: ICMP port unreachable from the destination.
    Closed,
}

/// One flow's socket state: the source port every probe of the flow
/// reuses, so the 5-tuple (and an ECMP router's choice) stays the same.
#[derive(Debug, Default)]
pub struct Flow {
    /// The source port, once the first probe chose one.
    pub port: u16,
    /// UDP and ICMP: one socket for the whole flow (its TTL changes per
    /// probe).
    udp: Option<AsyncFd<Socket>>,
}

/// Sends one probe at `ttl` and waits for its answer until `until()` (read
/// again every few milliseconds, as other flows' answers shorten it).
pub async fn probe(
    flow: &mut Flow,
    proto: PathProto,
    dst: SocketAddr,
    ttl: u8,
    until: &dyn Fn(Instant) -> Instant,
) -> Outcome {
    match proto {
        PathProto::Tcp => tcp(flow, dst, ttl, until).await,
        PathProto::Udp => udp(flow, dst, ttl, until).await,
        PathProto::Icmp => echo(flow, dst, ttl, until).await,
    }
}

fn new_socket(dst: SocketAddr, ty: Type, proto: Protocol, port: u16) -> io::Result<Socket> {
    let domain = if dst.is_ipv6() {
        Domain::IPV6
    } else {
        Domain::IPV4
    };
    let s = Socket::new(domain, ty.nonblocking(), Some(proto))?;
    s.set_reuse_address(true)?;
    crate::sys::set_recverr(s.as_raw_fd(), dst.is_ipv6());
    if port != 0 {
        // The flow's port; if something took it meanwhile, any port (the
        // flow then changes, which only ECMP would notice).
        let mut any = crate::addr::any_for(dst.ip());
        any.set_port(port);
        if s.bind(&any.into()).is_err() {
            s.bind(&crate::addr::any_for(dst.ip()).into())?;
        }
    }
    Ok(s)
}

fn set_ttl(s: &Socket, v6: bool, ttl: u8) -> io::Result<()> {
    if v6 {
        s.set_unicast_hops_v6(u32::from(ttl))
    } else {
        s.set_ttl_v4(u32::from(ttl))
    }
}

/// A failure on this host (a socket it may not open, say): EACCES and
/// EPERM here are a missing privilege, not a firewall.
fn local(e: &io::Error) -> Outcome {
    Outcome::Local(Reason::from_local_io(e))
}

async fn tcp(
    flow: &mut Flow,
    dst: SocketAddr,
    ttl: u8,
    until: &dyn Fn(Instant) -> Instant,
) -> Outcome {
    let s = match new_socket(dst, Type::STREAM, Protocol::TCP, flow.port) {
        Ok(s) => s,
        Err(e) => return local(&e),
    };
    if let Err(e) = set_ttl(&s, dst.is_ipv6(), ttl) {
        return local(&e);
    }
    // No FIN and no TIME_WAIT when the destination accepts: the port is
    // free for the flow's next probe (and the server sees an RST).
    let _ = s.set_linger(Some(Duration::ZERO));
    let sent = Instant::now();
    let started = s.connect(&dst.into());
    if let Ok(a) = s.local_addr()
        && let Some(a) = a.as_socket()
    {
        flow.port = a.port();
    }
    match started {
        Ok(()) => return reached(sent, Reached::Open),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return failed(&s, dst, sent, &e),
    }
    let fd = match crate::sys::async_socket(s, Interest::WRITABLE | Interest::ERROR) {
        Ok(fd) => fd,
        Err(e) => return local(&e),
    };
    if !wait(&fd, Interest::WRITABLE | Interest::ERROR, sent, until).await {
        return Outcome::Silent;
    }
    let s = fd.get_ref();
    match s.take_error() {
        Ok(None) if s.peer_addr().is_ok() => reached(sent, Reached::Open),
        Ok(None) => Outcome::Silent,
        Ok(Some(e)) | Err(e) => failed(s, dst, sent, &e),
    }
}

async fn udp(
    flow: &mut Flow,
    dst: SocketAddr,
    ttl: u8,
    until: &dyn Fn(Instant) -> Instant,
) -> Outcome {
    if flow.udp.is_none() {
        let made = new_socket(dst, Type::DGRAM, Protocol::UDP, 0).and_then(|s| {
            s.connect(&dst.into())?;
            crate::sys::async_socket(s, Interest::READABLE | Interest::ERROR)
        });
        match made {
            Ok(fd) => flow.udp = Some(fd),
            Err(e) => return local(&e),
        }
    }
    let Some(fd) = flow.udp.as_ref() else {
        return Outcome::Local(Reason::System);
    };
    let s = fd.get_ref();
    if let Some(p) = s.local_addr().ok().and_then(|a| a.as_socket()) {
        flow.port = p.port();
    }
    // What a late answer to an earlier probe left behind is not this one's.
    while crate::sys::icmp_report(s.as_raw_fd()).is_some() {}
    let _ = s.take_error();
    let mut scratch = [std::mem::MaybeUninit::<u8>::uninit(); 512];
    while s.recv(&mut scratch).is_ok() {}
    if let Err(e) = set_ttl(s, dst.is_ipv6(), ttl) {
        return local(&e);
    }
    let sent = Instant::now();
    if let Err(e) = s.send(&udp_payload(ttl)) {
        return failed(s, dst, sent, &e);
    }
    let mut quoted = [0u8; 64];
    loop {
        if !wait(fd, Interest::READABLE | Interest::ERROR, sent, until).await {
            return Outcome::Silent;
        }
        if let Some((r, n)) = crate::sys::icmp_report_data(s.as_raw_fd(), &mut quoted) {
            let _ = s.take_error();
            // A late answer to an earlier probe of this flow (when the
            // router quoted the payload) is not this probe's.
            if n >= 4 && quoted[..4] != udp_payload(ttl)[..4] {
                continue;
            }
            return icmp(r, dst, sent);
        }
        match s.recv(&mut scratch) {
            Ok(_) => return reached(sent, Reached::Open),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {
                return reached(sent, Reached::Closed);
            }
            Err(e) => return failed(s, dst, sent, &e),
        }
    }
}

/// An ICMP echo probe, through a ping socket: the kernel fills in the
/// identifier (the socket's "port") and the checksum; the sequence number
/// is the TTL, so a late answer to an earlier probe is told apart.
async fn echo(
    flow: &mut Flow,
    dst: SocketAddr,
    ttl: u8,
    until: &dyn Fn(Instant) -> Instant,
) -> Outcome {
    let v6 = dst.is_ipv6();
    if flow.udp.is_none() {
        let (domain, proto) = if v6 {
            (Domain::IPV6, Protocol::ICMPV6)
        } else {
            (Domain::IPV4, Protocol::ICMPV4)
        };
        let made = Socket::new(domain, Type::DGRAM.nonblocking(), Some(proto)).and_then(|s| {
            crate::sys::set_recverr(s.as_raw_fd(), v6);
            s.connect(&dst.into())?;
            crate::sys::async_socket(s, Interest::READABLE | Interest::ERROR)
        });
        match made {
            Ok(fd) => flow.udp = Some(fd),
            Err(e) => return local(&e),
        }
    }
    let Some(fd) = flow.udp.as_ref() else {
        return Outcome::Local(Reason::System);
    };
    let s = fd.get_ref();
    while crate::sys::icmp_report(s.as_raw_fd()).is_some() {}
    let _ = s.take_error();
    let mut scratch = [std::mem::MaybeUninit::<u8>::uninit(); 512];
    while s.recv(&mut scratch).is_ok() {}
    if let Err(e) = set_ttl(s, v6, ttl) {
        return local(&e);
    }
    let request = echo_request(v6, ttl);
    let sent = Instant::now();
    if let Err(e) = s.send(&request) {
        return failed(s, dst, sent, &e);
    }
    let mut quoted = [0u8; 64];
    loop {
        if !wait(fd, Interest::READABLE | Interest::ERROR, sent, until).await {
            return Outcome::Silent;
        }
        if let Some((r, n)) = crate::sys::icmp_report_data(s.as_raw_fd(), &mut quoted) {
            let _ = s.take_error();
            // The quoted echo request's sequence number (bytes 6-7).
            if n >= 8 && quoted[6..8] != request[6..8] {
                continue;
            }
            return icmp(r, dst, sent);
        }
        let mut reply = [0u8; 64];
        let mut reader: &Socket = s;
        match io::Read::read(&mut reader, &mut reply) {
            Ok(n) => {
                let is_reply = if v6 { reply[0] == 129 } else { reply[0] == 0 };
                if n >= 8 && is_reply && reply[6..8] == request[6..8] {
                    return reached(sent, Reached::Open);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return failed(s, dst, sent, &e),
        }
    }
}

/// An echo request with sequence number `ttl` (identifier and checksum
/// left to the kernel).
fn echo_request(v6: bool, ttl: u8) -> [u8; 24] {
    let mut p = [0u8; 24];
    p[0] = if v6 { 128 } else { 8 };
    p[6..8].copy_from_slice(&u16::from(ttl).to_be_bytes());
    p[8..].copy_from_slice(b"netkit path echo");
    p
}

/// A UDP probe's payload: the TTL it was sent with, as a 16-bit word and
/// its complement (so the one's-complement sum, and the UDP checksum some
/// load balancers hash, are the same for every probe of a flow: Paris
/// traceroute's trick), then a fixed text.
fn udp_payload(ttl: u8) -> [u8; 21] {
    let mut p = *b"\0\0\0\0netkit path probe";
    let t = u16::from(ttl);
    p[..2].copy_from_slice(&t.to_be_bytes());
    p[2..4].copy_from_slice(&(0xffff - t).to_be_bytes());
    p
}

/// Waits until the socket is ready for `interest` (true) or `until(sent)`
/// passes (false).
async fn wait(
    fd: &AsyncFd<Socket>,
    interest: Interest,
    sent: Instant,
    until: &dyn Fn(Instant) -> Instant,
) -> bool {
    const RECHECK: Duration = Duration::from_millis(2);
    loop {
        // The end first: an end computed as "now" must compare as passed.
        let end = until(sent);
        let now = Instant::now();
        if now >= end {
            return false;
        }
        let slice = (end - now).min(RECHECK);
        match tokio::time::timeout(slice, fd.ready(interest)).await {
            Ok(Ok(mut guard)) => {
                guard.clear_ready();
                return true;
            }
            Ok(Err(_)) => return true,
            Err(_) => {}
        }
    }
}

fn reached(sent: Instant, how: Reached) -> Outcome {
    Outcome::Reached {
        rtt: sent.elapsed(),
        how,
    }
}

/// A failed send or connect: the ICMP error behind it if one is queued,
/// else the destination's RST (refused) or a local failure.
fn failed(s: &Socket, dst: SocketAddr, sent: Instant, e: &io::Error) -> Outcome {
    if let Some(r) = crate::sys::icmp_report(s.as_raw_fd()) {
        return icmp(r, dst, sent);
    }
    match e.raw_os_error() {
        Some(libc::ECONNREFUSED) => reached(sent, Reached::Closed),
        _ => local(e),
    }
}

/// What an ICMP error says about the path.
fn icmp(r: IcmpReport, dst: SocketAddr, sent: Instant) -> Outcome {
    let rtt = sent.elapsed();
    let from = r.offender.unwrap_or(dst.ip());
    let time_exceeded = if r.v6 { r.kind == 3 } else { r.kind == 11 };
    if time_exceeded {
        return Outcome::Hop { from, rtt };
    }
    let port_unreachable = if r.v6 {
        r.kind == 1 && r.code == 4
    } else {
        r.kind == 3 && r.code == 3
    };
    if port_unreachable && from == dst.ip() {
        return Outcome::Reached {
            rtt,
            how: Reached::Closed,
        };
    }
    let reason = if crate::sys::icmp_prohibited((r.kind, r.code, r.v6)) {
        Reason::Prohibited
    } else if !r.v6 && r.kind == 3 && matches!(r.code, 0 | 6 | 11)
        || r.v6 && r.kind == 1 && r.code == 0
    {
        Reason::NetUnreachable
    } else {
        Reason::HostUnreachable
    };
    Outcome::Unreachable { from, rtt, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(kind: u8, code: u8, v6: bool, from: &str) -> IcmpReport {
        IcmpReport {
            kind,
            code,
            v6,
            offender: Some(from.parse().unwrap()),
            info: 0,
        }
    }

    #[test]
    fn icmp_errors_say_where_the_path_goes() {
        let dst: SocketAddr = "10.0.4.2:443".parse().unwrap();
        let dst6: SocketAddr = "[2001:db8:4::2]:443".parse().unwrap();
        let t = Instant::now();
        let cases = [
            (report(11, 0, false, "10.0.1.2"), dst, "hop 10.0.1.2"),
            (
                report(3, 0, true, "2001:db8:1::2"),
                dst6,
                "hop 2001:db8:1::2",
            ),
            (report(3, 3, false, "10.0.4.2"), dst, "closed"),
            (report(1, 4, true, "2001:db8:4::2"), dst6, "closed"),
            // A router's port unreachable is not the destination's.
            (
                report(3, 3, false, "10.0.2.2"),
                dst,
                "host_unreachable 10.0.2.2",
            ),
            (report(3, 13, false, "10.0.2.2"), dst, "prohibited 10.0.2.2"),
            (report(3, 10, false, "10.0.2.2"), dst, "prohibited 10.0.2.2"),
            (
                report(1, 1, true, "2001:db8:2::2"),
                dst6,
                "prohibited 2001:db8:2::2",
            ),
            (
                report(3, 0, false, "10.0.2.2"),
                dst,
                "net_unreachable 10.0.2.2",
            ),
            (
                report(1, 0, true, "2001:db8:2::2"),
                dst6,
                "net_unreachable 2001:db8:2::2",
            ),
            (
                report(3, 1, false, "10.0.2.2"),
                dst,
                "host_unreachable 10.0.2.2",
            ),
            (
                report(1, 3, true, "2001:db8:2::2"),
                dst6,
                "host_unreachable 2001:db8:2::2",
            ),
        ];
        for (r, d, want) in cases {
            let got = match icmp(r, d, t) {
                Outcome::Hop { from, .. } => format!("hop {from}"),
                Outcome::Reached { how, .. } => format!("{how:?}").to_lowercase(),
                Outcome::Unreachable { from, reason, .. } => format!("{} {from}", reason.code()),
                o => format!("{o:?}"),
            };
            assert_eq!(got, want, "{r:?}");
        }
    }

    /// The one's-complement sum of 16-bit words, as the UDP checksum adds.
    fn ones_sum(bytes: &[u8]) -> u16 {
        let mut sum: u32 = 0;
        for c in bytes.chunks(2) {
            let w = u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0));
            sum += w;
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }

    #[test]
    fn udp_probes_of_a_flow_share_one_checksum() {
        let sums: Vec<u16> = (1..=64).map(|t| ones_sum(&udp_payload(t))).collect();
        assert!(sums.iter().all(|s| *s == sums[0]), "{sums:?}");
        // And each still says its TTL.
        assert_eq!(&udp_payload(7)[..2], &[0, 7]);
        assert_ne!(udp_payload(7), udp_payload(8));
    }

    #[test]
    fn echo_requests_carry_their_ttl() {
        let r = echo_request(false, 9);
        assert_eq!((r[0], &r[6..8]), (8, &[0u8, 9][..]));
        assert_eq!(echo_request(true, 9)[0], 128);
    }
}
