//! Reachability probes: TCP connects classified the way the seed's
//! `diagnose_connection` does (open, closed, filtered, unreachable), and
//! local bind checks (can this host listen on the port?).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// What a connect found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// The result of one probe.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// Always `"port"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
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
    pub reason: Option<&'static str>,
    /// Time to the verdict.
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
    /// Per connect.
    pub timeout: Duration,
    /// Extra attempts for filtered/error results.
    pub retries: u32,
    /// Read a banner for this long (None: no banner).
    pub banner: Option<Duration>,
    /// Most banner bytes.
    pub banner_bytes: usize,
}

/// Classifies a connect error.
pub fn classify(e: &io::Error) -> (PortState, &'static str) {
    match e.raw_os_error() {
        Some(libc::ECONNREFUSED) => (PortState::Closed, "refused"),
        Some(libc::ENETUNREACH) => (PortState::Unreachable, "net_unreachable"),
        Some(libc::EHOSTUNREACH) => (PortState::Unreachable, "host_unreachable"),
        Some(libc::EACCES | libc::EPERM) => (PortState::Unreachable, "prohibited"),
        Some(libc::ETIMEDOUT) => (PortState::Filtered, "timeout"),
        Some(libc::ECONNRESET) => (PortState::Closed, "reset"),
        Some(libc::EMFILE | libc::ENFILE) => (PortState::Error, "fd_limit"),
        Some(libc::EADDRNOTAVAIL) => (PortState::Error, "no_local_address"),
        _ => (PortState::Error, "error"),
    }
}

/// How a non-blocking connect stands right after it was started.
pub enum Started {
    /// Already decided (on loopback and against near hosts, refusals
    /// usually are): no need to wait.
    Done(PortState, Option<&'static str>),
    /// Connected.
    Connected(std::net::TcpStream),
    /// In progress: wait for writability.
    Pending(std::net::TcpStream),
}

/// Starts a non-blocking connect and reads any verdict that is already in.
pub fn start_connect(addr: SocketAddr) -> Started {
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let s = match Socket::new(domain, Type::STREAM.nonblocking(), Some(Protocol::TCP)) {
        Ok(s) => s,
        Err(e) => {
            let (st, r) = classify(&e);
            return Started::Done(st, Some(r));
        }
    };
    match s.connect(&addr.into()) {
        Ok(()) => Started::Connected(s.into()),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => match s.take_error() {
            Ok(Some(err)) => {
                let (st, r) = classify(&err);
                Started::Done(st, Some(r))
            }
            Ok(None) if s.peer_addr().is_ok() => Started::Connected(s.into()),
            Ok(None) => Started::Pending(s.into()),
            Err(e) => {
                let (st, r) = classify(&e);
                Started::Done(st, Some(r))
            }
        },
        Err(e) => {
            let (st, r) = classify(&e);
            Started::Done(st, Some(r))
        }
    }
}

fn is_self_connect(s: &std::net::TcpStream) -> bool {
    // A connect to a local ephemeral port can land on itself (TCP
    // simultaneous open): nothing listens there.
    s.local_addr().ok() == s.peer_addr().ok()
}

/// Finishes a connect: waits for it (bounded), checks for self-connect,
/// reads a banner if asked.
async fn finish(
    started: Started,
    opts: &ProbeOpts,
) -> (PortState, Option<&'static str>, Option<String>) {
    let stream = match started {
        Started::Done(st, r) => return (st, r, None),
        Started::Connected(s) => s,
        Started::Pending(s) => {
            let Ok(t) = TcpStream::from_std(s) else {
                return (PortState::Error, Some("error"), None);
            };
            match tokio::time::timeout(opts.timeout, t.writable()).await {
                Err(_) => return (PortState::Filtered, Some("timeout"), None),
                Ok(Err(e)) => {
                    let (st, r) = classify(&e);
                    return (st, Some(r), None);
                }
                Ok(Ok(())) => {}
            }
            match t.take_error() {
                Ok(Some(e)) | Err(e) => {
                    let (st, r) = classify(&e);
                    return (st, Some(r), None);
                }
                Ok(None) => {}
            }
            match t.into_std() {
                Ok(s) => s,
                Err(_) => return (PortState::Error, Some("error"), None),
            }
        }
    };
    if is_self_connect(&stream) {
        return (PortState::Closed, Some("self_connect"), None);
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

/// One TCP connect to `addr`, classified; reads a banner if asked.
pub async fn probe_tcp(target: Arc<str>, addr: SocketAddr, opts: &ProbeOpts) -> Probe {
    let start = Instant::now();
    let mut attempts = 0;
    let (state, reason, banner) = loop {
        attempts += 1;
        let outcome = finish(start_connect(addr), opts).await;
        let retry =
            matches!(outcome.0, PortState::Filtered | PortState::Error) && attempts <= opts.retries;
        if !retry {
            break outcome;
        }
    };
    Probe {
        kind: "port",
        target,
        address: addr.ip(),
        port: addr.port(),
        service: None,
        state,
        reason,
        rtt_ms: start.elapsed().as_secs_f64() * 1e3,
        banner,
        attempts,
        index: 0,
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

/// Addresses that share a port list (one target, or all without ports).
pub struct ScanGroup {
    /// (label, address) pairs.
    pub addresses: Vec<(Arc<str>, IpAddr)>,
    /// Ports, in order.
    pub ports: Vec<u16>,
}

/// A scan: for each group, every address x port, bounded and paced.
pub struct ScanPlan {
    /// The groups.
    pub groups: Vec<ScanGroup>,
    /// In flight at once.
    pub concurrency: usize,
    /// Connections per second (None: as fast as concurrency allows).
    pub rate: Option<f64>,
    /// Per-probe options.
    pub opts: ProbeOpts,
}

impl ScanPlan {
    /// Probes in all.
    pub fn total(&self) -> usize {
        self.groups
            .iter()
            .map(|g| g.addresses.len() * g.ports.len())
            .sum()
    }

    /// The (label, address, port) of probe number `i` (< `total()`).
    fn probe_at(&self, mut i: usize) -> Option<(&Arc<str>, IpAddr, u16)> {
        for g in &self.groups {
            let n = g.addresses.len() * g.ports.len();
            if i < n {
                let (label, ip) = &g.addresses[i / g.ports.len()];
                return Some((label, *ip, g.ports[i % g.ports.len()]));
            }
            i -= n;
        }
        None
    }
}

/// Runs a scan; `done` counts finished probes for a progress line. Returns
/// all probes, sorted by address then port. Large scans run one sub-scanner
/// per core, each over its share of the probes and of the in-flight limit,
/// because most verdicts are settled synchronously (see [`start_connect`]).
pub async fn scan(plan: Arc<ScanPlan>, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) -> Vec<Probe> {
    let total = plan.total();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = if total >= 1024 {
        cores.min(plan.concurrency).max(1)
    } else {
        1
    };
    let mut handles = Vec::with_capacity(parts);
    for k in 0..parts {
        handles.push(tokio::spawn(scan_part(
            Arc::clone(&plan),
            Arc::clone(&stop),
            Arc::clone(&done),
            k,
            parts,
        )));
    }
    let mut out = Vec::with_capacity(total.min(1 << 20));
    for h in handles {
        if let Ok(mut part) = h.await {
            out.append(&mut part);
        }
    }
    out.sort_by_key(|p| p.index);
    out
}

/// Probes `k`, `k + parts`, `k + 2 parts`... of the plan.
async fn scan_part(
    plan: Arc<ScanPlan>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    k: usize,
    parts: usize,
) -> Vec<Probe> {
    let total = plan.total();
    let concurrency = (plan.concurrency / parts).max(1);
    let mut set = tokio::task::JoinSet::new();
    let mut out = Vec::new();
    let start = tokio::time::Instant::now();
    let mut next = k;
    let mut issued = 0usize;
    loop {
        while next < total && set.len() < concurrency && !stop.load(Ordering::Relaxed) {
            if let Some(rate) = plan.rate {
                let due = start + Duration::from_secs_f64(issued as f64 / (rate / parts as f64));
                if tokio::time::Instant::now() < due {
                    if set.is_empty() {
                        tokio::time::sleep_until(due).await;
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
            let (label, ip) = (Arc::clone(label), ip);
            let addr = SocketAddr::new(ip, port);
            // Settle what is already decided here, without a task: on
            // loopback and near hosts that is nearly every closed port.
            let t0 = Instant::now();
            let started = start_connect(addr);
            let settled = match &started {
                Started::Done(st, r)
                    if !(matches!(st, PortState::Error) && plan.opts.retries > 0) =>
                {
                    Some((*st, *r))
                }
                Started::Connected(s) if plan.opts.banner.is_none() => {
                    Some(if is_self_connect(s) {
                        (PortState::Closed, Some("self_connect"))
                    } else {
                        (PortState::Open, None)
                    })
                }
                _ => None,
            };
            if let Some((state, reason)) = settled {
                let p = Probe {
                    kind: "port",
                    target: label,
                    address: ip,
                    port: addr.port(),
                    service: None,
                    state,
                    reason,
                    rtt_ms: t0.elapsed().as_secs_f64() * 1e3,
                    banner: None,
                    attempts: 1,
                    index,
                };
                drop(started);
                done.fetch_add(1, Ordering::Relaxed);
                out.push(p);
                continue;
            }
            let plan2 = Arc::clone(&plan);
            set.spawn(async move {
                let opts = &plan2.opts;
                let mut attempts = 1;
                let mut outcome = finish(started, opts).await;
                while matches!(outcome.0, PortState::Filtered | PortState::Error)
                    && attempts <= opts.retries
                {
                    attempts += 1;
                    outcome = finish(start_connect(addr), opts).await;
                }
                Probe {
                    kind: "port",
                    target: label,
                    address: ip,
                    port: addr.port(),
                    service: None,
                    state: outcome.0,
                    reason: outcome.1,
                    rtt_ms: t0.elapsed().as_secs_f64() * 1e3,
                    banner: outcome.2,
                    attempts,
                    index,
                }
            });
        }
        if set.is_empty() {
            if next < total && !stop.load(Ordering::Relaxed) {
                continue;
            }
            break;
        }
        let joined = if plan.rate.is_some() && next < total {
            // Wake to start the next paced connection even if none ends.
            match tokio::time::timeout(Duration::from_millis(5), set.join_next()).await {
                Ok(j) => j,
                Err(_) => continue,
            }
        } else {
            set.join_next().await
        };
        if let Some(Ok(p)) = joined {
            done.fetch_add(1, Ordering::Relaxed);
            out.push(p);
        }
    }
    out
}

/// Where a local bind was tried and what happened.
#[derive(Debug, Clone, Serialize)]
pub struct LocalCheck {
    /// Always `"local"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The port.
    pub port: u16,
    /// tcp or udp.
    pub protocol: &'static str,
    /// The address tried.
    pub address: IpAddr,
    /// For `::`: `v6only` or `dual_stack`; else null.
    pub mode: Option<&'static str>,
    /// free, in_use, permission, unavailable or error.
    pub status: &'static str,
    /// The OS error, when not free.
    pub error: Option<String>,
}

/// Tries to bind `port` the way a server would (SO_REUSEADDR for TCP,
/// then listen), on each address: by default 0.0.0.0, :: (v6-only and
/// dual-stack) and 127.0.0.1.
pub fn local_checks(port: u16, udp: bool, binds: &[IpAddr]) -> Vec<LocalCheck> {
    let mut plan: Vec<(IpAddr, Option<bool>)> = Vec::new();
    if binds.is_empty() {
        plan.push((Ipv4Addr::UNSPECIFIED.into(), None));
        plan.push((Ipv6Addr::UNSPECIFIED.into(), Some(true)));
        plan.push((Ipv6Addr::UNSPECIFIED.into(), Some(false)));
        plan.push((Ipv4Addr::LOCALHOST.into(), None));
    } else {
        for b in binds {
            match b {
                IpAddr::V6(v6) if v6.is_unspecified() => {
                    plan.push((*b, Some(true)));
                    plan.push((*b, Some(false)));
                }
                IpAddr::V6(_) => plan.push((*b, Some(true))),
                IpAddr::V4(_) => plan.push((*b, None)),
            }
        }
    }
    plan.into_iter()
        .map(|(addr, v6only)| {
            let result = try_bind(addr, port, udp, v6only);
            let (status, error) = match result {
                Ok(()) => ("free", None),
                Err(e) => (
                    match e.raw_os_error() {
                        Some(libc::EADDRINUSE) => "in_use",
                        Some(libc::EACCES | libc::EPERM) => "permission",
                        Some(libc::EADDRNOTAVAIL | libc::EAFNOSUPPORT) => "unavailable",
                        _ => "error",
                    },
                    Some(e.to_string()),
                ),
            };
            LocalCheck {
                kind: "local",
                port,
                protocol: if udp { "udp" } else { "tcp" },
                address: addr,
                mode: match (addr.is_ipv6() && addr.is_unspecified(), v6only) {
                    (true, Some(true)) => Some("v6only"),
                    (true, Some(false)) => Some("dual_stack"),
                    _ => None,
                },
                status,
                error,
            }
        })
        .collect()
}

fn try_bind(addr: IpAddr, port: u16, udp: bool, v6only: Option<bool>) -> io::Result<()> {
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let (ty, proto) = if udp {
        (Type::DGRAM, Protocol::UDP)
    } else {
        (Type::STREAM, Protocol::TCP)
    };
    let s = Socket::new(domain, ty, Some(proto))?;
    if let Some(only) = v6only {
        s.set_only_v6(only)?;
    }
    if !udp {
        s.set_reuse_address(true)?;
    }
    s.bind(&SocketAddr::new(addr, port).into())?;
    if !udp {
        s.listen(1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_classified() {
        let c = |e: i32| classify(&io::Error::from_raw_os_error(e));
        assert_eq!(c(libc::ECONNREFUSED), (PortState::Closed, "refused"));
        assert_eq!(
            c(libc::EHOSTUNREACH),
            (PortState::Unreachable, "host_unreachable")
        );
        assert_eq!(
            c(libc::ENETUNREACH),
            (PortState::Unreachable, "net_unreachable")
        );
        assert_eq!(c(libc::EACCES), (PortState::Unreachable, "prohibited"));
        assert_eq!(c(libc::EMFILE), (PortState::Error, "fd_limit"));
    }

    #[test]
    fn local_bind_sees_a_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let checks = local_checks(port, false, &[Ipv4Addr::LOCALHOST.into()]);
        assert_eq!((checks.len(), checks[0].status), (1, "in_use"));
        drop(l);
        assert_eq!(
            local_checks(port, false, &[Ipv4Addr::LOCALHOST.into()])[0].status,
            "free"
        );
    }
}
