//! Reachability: TCP connects classified the way the seed's
//! `diagnose_connection` does (open, closed, filtered, unreachable), scans
//! that stream, waits with deadlines that hold, local bind checks, and the
//! phase-by-phase diagnosis of a connection.

pub mod check;
pub mod diagnose;
pub mod local;
pub mod path;
pub mod portcheck;
pub mod proxy;
pub mod scan;
pub mod timing;
pub mod wait;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::exit::Reason;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// What a connect found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortState {
    /// Connected.
    Open,
    /// Refused (RST).
    Closed,
    /// No answer before the timeout: dropped by a firewall, or a host down.
    Filtered,
    /// The network said there is no way: no route, host unreachable, prohibited.
    Unreachable,
    /// Anything else (local limits, self-connect...).
    Error,
}

impl PortState {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Open => "open",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::Unreachable => "unreachable",
            PortState::Error => "error",
        }
    }
}

impl PortState {
    /// The state a failed connect leaves a port in.
    pub fn of(reason: Reason) -> PortState {
        match reason {
            Reason::Refused | Reason::Reset | Reason::SelfConnect => PortState::Closed,
            Reason::Timeout => PortState::Filtered,
            Reason::NetUnreachable | Reason::HostUnreachable | Reason::Prohibited => {
                PortState::Unreachable
            }
            _ => PortState::Error,
        }
    }
}

/// The result of one probe.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Probe {
    /// Whether the port is in the state expected of it (open by default).
    pub ok: bool,
    /// The target as given (name or address), shared by its probes.
    pub target: Arc<str>,
    /// The address probed.
    pub address: IpAddr,
    /// The port.
    pub port: u16,
    /// The service name of the port (tcp), if the services table has one.
    pub service: Option<String>,
    /// The state.
    pub state: PortState,
    /// Why, beyond the state: refused, timeout, net_unreachable,
    /// host_unreachable, prohibited, self_connect, fd_limit, ...
    pub reason: Option<Reason>,
    /// Time to the verdict.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub rtt_ms: f64,
    /// What the service said first (with --banner), as text.
    pub banner: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Position in the plan, for input order.
    #[serde(skip)]
    pub index: usize,
}

/// How probes run.
#[derive(Debug, Clone)]
pub struct ProbeOpts {
    /// Read a banner for this long (None: no banner).
    pub banner: Option<Duration>,
    /// Most banner bytes.
    pub banner_bytes: usize,
}

/// Classifies a connect error: its reason and the port state it leaves.
pub fn classify(e: &io::Error) -> (PortState, Reason) {
    let reason = Reason::from_io(e);
    (PortState::of(reason), reason)
}

/// How a non-blocking connect stands right after it was started.
pub enum Started {
    /// Already decided (on loopback and against near hosts, refusals
    /// usually are): no need to wait.
    Done(PortState, Option<Reason>),
    /// Connected.
    Connected(std::net::TcpStream),
    /// In progress: wait for writability.
    Pending(std::net::TcpStream),
}

/// A connect's failure, classified, with an ICMP "administratively
/// prohibited" told apart from a plain host unreachable (TCP reports both
/// as `EHOSTUNREACH`) by the error the kernel queued on the socket.
fn classify_on(fd: std::os::fd::RawFd, e: &io::Error) -> (PortState, Reason) {
    let (st, r) = classify(e);
    if matches!(r, Reason::HostUnreachable | Reason::NetUnreachable)
        && crate::sys::icmp_error(fd).is_some_and(crate::sys::icmp_prohibited)
    {
        return (st, Reason::Prohibited);
    }
    (st, r)
}

/// Sockets whose connect was refused, dissolved and kept for the next
/// connect of a scan (a fresh socket costs the kernel more than the SYN).
#[derive(Debug, Default)]
pub struct Spares {
    v4: Vec<Socket>,
    v6: Vec<Socket>,
}

impl Spares {
    /// The most spare sockets kept (per family).
    const MOST: usize = 64;

    fn take(&mut self, v6: bool) -> Option<Socket> {
        if v6 { self.v6.pop() } else { self.v4.pop() }
    }

    fn put(&mut self, s: Socket, v6: bool) {
        use std::os::fd::AsRawFd;
        let list = if v6 { &mut self.v6 } else { &mut self.v4 };
        if list.len() < Self::MOST && crate::sys::disconnect(s.as_raw_fd()) {
            list.push(s);
        }
    }
}

/// Starts a non-blocking connect and reads any verdict that is already in.
pub fn start_connect(addr: SocketAddr) -> Started {
    start_connect_with(addr, None)
}

/// [`start_connect`], on a spare socket when there is one, keeping the
/// socket of a refused connect for the next.
pub fn start_connect_with(addr: SocketAddr, mut spares: Option<&mut Spares>) -> Started {
    let v6 = addr.is_ipv6();
    if let Some(s) = spares.as_deref_mut().and_then(|sp| sp.take(v6))
        && let Some(started) = connect_on(s, addr, spares.as_deref_mut(), true)
    {
        return started;
    }
    let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
    let s = match Socket::new(domain, Type::STREAM.nonblocking(), Some(Protocol::TCP)) {
        Ok(s) => s,
        Err(e) => {
            let (st, r) = classify(&e);
            return Started::Done(st, Some(r));
        }
    };
    use std::os::fd::AsRawFd;
    crate::sys::set_recverr(s.as_raw_fd(), v6);
    connect_on(s, addr, spares, false)
        .unwrap_or(Started::Done(PortState::Error, Some(Reason::System)))
}

/// Connects `s`; `None` when `reused` and the socket gave an error a fresh
/// one might not (the caller then starts over on a fresh socket, so that a
/// reused socket never decides a verdict other than refused, pending or
/// connected on its own).
fn connect_on(
    s: Socket,
    addr: SocketAddr,
    spares: Option<&mut Spares>,
    reused: bool,
) -> Option<Started> {
    use std::os::fd::AsRawFd;
    let v6 = addr.is_ipv6();
    let refused = |s: Socket, spares: Option<&mut Spares>| {
        if let Some(sp) = spares {
            sp.put(s, v6);
        }
        Started::Done(PortState::Closed, Some(Reason::Refused))
    };
    match s.connect(&addr.into()) {
        Ok(()) => Some(Started::Connected(s.into())),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => match s.take_error() {
            Ok(Some(err)) if err.raw_os_error() == Some(libc::ECONNREFUSED) => {
                Some(refused(s, spares))
            }
            Ok(Some(err)) => {
                let (st, r) = classify_on(s.as_raw_fd(), &err);
                Some(Started::Done(st, Some(r)))
            }
            Ok(None) if s.peer_addr().is_ok() => Some(Started::Connected(s.into())),
            Ok(None) => Some(Started::Pending(s.into())),
            Err(_) if reused => None,
            Err(e) => {
                let (st, r) = classify(&e);
                Some(Started::Done(st, Some(r)))
            }
        },
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => Some(refused(s, spares)),
        Err(_) if reused => None,
        Err(e) => {
            let (st, r) = classify_on(s.as_raw_fd(), &e);
            Some(Started::Done(st, Some(r)))
        }
    }
}

pub(crate) fn is_self_connect(s: &std::net::TcpStream) -> bool {
    // A connect to a local ephemeral port can land on itself (TCP
    // simultaneous open): nothing listens there.
    s.local_addr().ok() == s.peer_addr().ok()
}

/// An open connection: checked for self-connect, its banner read if asked.
async fn opened(
    stream: std::net::TcpStream,
    opts: &ProbeOpts,
) -> (PortState, Option<Reason>, Option<String>) {
    if is_self_connect(&stream) {
        return (PortState::Closed, Some(Reason::SelfConnect), None);
    }
    let banner = match opts.banner {
        Some(wait) => match TcpStream::from_std(stream) {
            Ok(mut t) => read_banner(&mut t, wait, opts.banner_bytes).await,
            Err(_) => None,
        },
        None => None,
    };
    (PortState::Open, None, banner)
}

/// A probe's verdict and the attempts it took.
pub(crate) type Verdict = (PortState, Option<Reason>, Option<String>, u32);

/// Finishes a probe with adaptive timing: waits for the connect `first`
/// (sent at `sent`) no longer than the host's current timeout, then sends
/// another SYN on a new socket while still listening on the previous one,
/// as many times as the host's loss calls for; the first answer on either
/// wins and is reported to `timing` (a drop when the retransmission drew
/// it, late when the earlier attempt did).
pub(crate) async fn connect_adaptive(
    addr: SocketAddr,
    first: Started,
    sent: Instant,
    timing: &timing::Timing,
    opts: &ProbeOpts,
) -> Verdict {
    use timing::Answer;
    let ip = addr.ip();
    let mut attempts: u32 = 1;
    let mut started = first;
    let mut sent = sent;
    let first_sent = sent;
    // When the attempt before the newest was sent: a drop is dated by it.
    let mut dropped_sent = sent;
    // The attempt before the newest, still listened to.
    let mut older: Option<(Instant, TcpStream)> = None;
    loop {
        let newest_answer = Answer::Newest {
            retransmitted: attempts > 1,
        };
        let newest = match started {
            Started::Done(PortState::Error, r) => {
                if attempts > timing.retries(ip) {
                    return (PortState::Error, r, None, attempts);
                }
                tokio::time::sleep(timing::MIN_TIMEOUT).await;
                attempts += 1;
                sent = Instant::now();
                started = start_connect(addr);
                continue;
            }
            Started::Done(st, r) => {
                timing.answered_since(ip, sent.elapsed(), newest_answer, dropped_sent);
                return (st, r, None, attempts);
            }
            Started::Connected(s) => {
                timing.answered_since(ip, sent.elapsed(), newest_answer, dropped_sent);
                let (st, r, b) = opened(s, opts).await;
                return (st, r, b, attempts);
            }
            Started::Pending(s) => match TcpStream::from_std(s) {
                Ok(t) => t,
                Err(_) => return (PortState::Error, Some(Reason::System), None, attempts),
            },
        };
        // Wait for either socket, re-reading the timeout as answers from
        // this host refine it.
        let answer = loop {
            let timeout = timing.timeout_for(ip, attempts);
            let now = Instant::now();
            let deadline = sent + timeout;
            if now >= deadline {
                break None;
            }
            let slice = deadline.min(now + (timeout / 8).max(Duration::from_millis(20)));
            tokio::select! {
                r = newest.writable() => break Some((true, r)),
                r = async {
                    match &older {
                        Some((_, o)) => o.writable().await,
                        None => std::future::pending().await,
                    }
                } => break Some((false, r)),
                () = tokio::time::sleep_until(slice.into()) => {}
            }
        };
        let Some((is_newest, ready)) = answer else {
            if attempts > timing.retries_since(ip, first_sent) {
                return (PortState::Filtered, Some(Reason::Timeout), None, attempts);
            }
            // Retransmit: a new SYN on a new socket, paced when the scan
            // has slowed down; the previous attempt stays open.
            timing.pace().await;
            older = Some((sent, newest));
            dropped_sent = sent;
            attempts += 1;
            sent = Instant::now();
            started = start_connect(addr);
            continue;
        };
        let (stream, at, how) = match (is_newest, older) {
            (true, _) => (newest, sent, newest_answer),
            (false, Some((at, o))) => (o, at, Answer::Late),
            (false, None) => return (PortState::Error, Some(Reason::System), None, attempts),
        };
        let rtt = at.elapsed();
        let failure = match ready {
            Err(e) => Some(e),
            Ok(()) => stream.take_error().unwrap_or_else(Some),
        };
        if let Some(e) = failure {
            let (st, r) = classify_on(std::os::fd::AsRawFd::as_raw_fd(&stream), &e);
            if st != PortState::Error {
                timing.answered_since(ip, rtt, how, dropped_sent);
            }
            return (st, Some(r), None, attempts);
        }
        timing.answered_since(ip, rtt, how, dropped_sent);
        let Ok(s) = stream.into_std() else {
            return (PortState::Error, Some(Reason::System), None, attempts);
        };
        let (st, r, b) = opened(s, opts).await;
        return (st, r, b, attempts);
    }
}

async fn read_banner(s: &mut TcpStream, wait: Duration, max: usize) -> Option<String> {
    let mut buf = vec![0u8; max];
    let mut got = 0;
    let deadline = tokio::time::Instant::now() + wait;
    while got < max {
        match tokio::time::timeout_at(deadline, s.read(&mut buf[got..])).await {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                got += n;
                if buf[..got].contains(&b'\n') {
                    break;
                }
            }
        }
    }
    (got > 0).then(|| String::from_utf8_lossy(&buf[..got]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_classified() {
        let c = |e: i32| classify(&io::Error::from_raw_os_error(e));
        assert_eq!(c(libc::ECONNREFUSED), (PortState::Closed, Reason::Refused));
        assert_eq!(
            c(libc::EHOSTUNREACH),
            (PortState::Unreachable, Reason::HostUnreachable)
        );
        assert_eq!(
            c(libc::ENETUNREACH),
            (PortState::Unreachable, Reason::NetUnreachable)
        );
        assert_eq!(
            c(libc::EACCES),
            (PortState::Unreachable, Reason::Prohibited)
        );
        assert_eq!(c(libc::EMFILE), (PortState::Error, Reason::FdLimit));
    }
}
