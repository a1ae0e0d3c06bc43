//! `echo-server`: TCP, UDP and Unix-socket echo with limits.
//!
//! Memory stays flat however clients behave: a connection gets its buffer
//! only when it first has data (10,000 idle connections hold none), echoing
//! is read-then-write with one bounded buffer (a client that stops reading
//! stops its own writes by TCP flow control), and every wait has a timeout.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::addr::SockProto;
use serde::Serialize;
use socket2::{Domain, Protocol, Socket, TcpKeepalive, Type};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};
use tokio::sync::{Notify, mpsc, watch};

use crate::addr::cidr::Cidr;
use crate::error::{NetkitError, Result};
use crate::sys::{SplicePipe, splice};

/// Most bytes moved per splice(2) (bulk connections).
const BUF_LEN: usize = 256 * 1024;
/// The copy buffer of a connection: small, since interactive echo is small;
/// a connection whose read fills it is bulk and moves to splice(2).
const SMALL_BUF_LEN: usize = 16 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Serve TCP.
    pub tcp: bool,
    /// Serve UDP.
    pub udp: bool,
    /// Serve a Unix stream socket at this path.
    pub unix: Option<PathBuf>,
    /// Address to bind (`::` is dual-stack).
    pub bind: IpAddr,
    /// Port (0 picks a free one, reported in the `listening` event).
    pub port: u16,
    /// Concurrent stream connections; more are accepted and closed at once.
    pub max_conns: usize,
    /// Close a connection idle (no read or write progress) this long.
    pub idle_timeout: Duration,
    /// Close a connection after echoing this many bytes.
    pub max_bytes: Option<u64>,
    /// Close a connection after this long.
    pub max_duration: Option<Duration>,
    /// Bytes per second below which a connection older than
    /// [`SLOW_GRACE`] makes way for a new client when the server is under
    /// pressure (0: never).
    pub min_rate: u64,
    /// Serve one client (one connection, or one datagram), then stop.
    pub once: bool,
    /// SO_REUSEPORT.
    pub reuseport: bool,
    /// SO_RCVBUF.
    pub rcvbuf: Option<usize>,
    /// SO_SNDBUF.
    pub sndbuf: Option<usize>,
    /// TCP_NODELAY on accepted connections.
    pub nodelay: bool,
    /// TCP congestion control, set on the listener (connections inherit it).
    pub congestion: super::congestion::Congestion,
    /// TCP keepalive idle time on accepted connections.
    pub keepalive: Option<Duration>,
    /// UDP datagrams per second per source address.
    pub udp_rate: u32,
    /// Echo UDP to source ports below 1024 (reflection hazard).
    pub allow_low_ports: bool,
    /// Clients allowed (both protocols); empty allows all.
    pub allow: Vec<Cidr>,
    /// How long live connections may finish after SIGINT/SIGTERM.
    pub drain_timeout: Duration,
    /// Emit a `dropped` event per dropped datagram.
    pub log_drops: bool,
}

/// A client, in the one address form of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Peer {
    /// An IP client.
    Ip {
        /// Its address.
        address: IpAddr,
        /// Its port.
        port: u16,
    },
    /// A Unix-socket client.
    Unix {
        /// Its process id, when the kernel tells.
        pid: Option<i32>,
    },
}

impl From<SocketAddr> for Peer {
    fn from(a: SocketAddr) -> Self {
        Peer::Ip {
            address: a.ip(),
            port: a.port(),
        }
    }
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Ip { address, port } => write!(f, "{}", SocketAddr::new(*address, *port)),
            Peer::Unix { pid: Some(p) } => write!(f, "unix:pid={p}"),
            Peer::Unix { pid: None } => f.write_str("unix"),
        }
    }
}

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Local {
    /// An IP socket.
    Ip {
        /// The address.
        address: IpAddr,
        /// The port.
        port: u16,
    },
    /// A Unix socket.
    Unix {
        /// Its path.
        path: String,
    },
}

impl std::fmt::Display for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Local::Ip { address, port } => write!(f, "{}", SocketAddr::new(*address, *port)),
            Local::Unix { path } => f.write_str(&crate::sanitize::escape(path)),
        }
    }
}

words! {
    /// Why a connection ended.
    pub enum CloseReason {
        /// The client closed it.
        Eof = "eof",
        /// Nothing came for `--idle-timeout`.
        IdleTimeout = "idle_timeout",
        /// Slower than `--min-rate` while the server was full (evicted).
        TooSlow = "too_slow",
        /// `--max-bytes` echoed.
        MaxBytes = "max_bytes",
        /// `--max-duration` passed.
        MaxDuration = "max_duration",
        /// The server was stopping and its drain time ended.
        Drain = "drain",
        /// The client reset it.
        Reset = "reset",
        /// Another error.
        Error = "error",
    }
}

words! {
    /// Why a connection was accepted and closed at once.
    pub enum RefuseReason {
        /// `--max-conns` connections were open.
        MaxConns = "max_conns",
        /// Not in `--allow`.
        NotAllowed = "not_allowed",
    }
}

words! {
    /// Why a datagram was not echoed.
    pub enum DropReason {
        /// From a privileged port (a reflection vector: chargen, another echo).
        LowPort = "low_port",
        /// From an address no reply should go to (unspecified, multicast,
        /// broadcast, port 0).
        BadSource = "bad_source",
        /// From the server's own address and port.
        OwnAddress = "own_address",
        /// Over `--udp-rate` for its source.
        RateLimited = "rate_limited",
        /// Mirrored back by another echo service (a loop).
        LoopSuspected = "loop_suspected",
        /// Not in `--allow`.
        NotAllowed = "not_allowed",
    }
}

/// Server events, in the order they happen.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// A socket is ready.
    Listening {
        /// Always true.
        ok: bool,
        /// tcp, udp or unix.
        protocol: SockProto,
        /// Its address (or path).
        local: Local,
        /// TCP: the congestion control its connections use, as the kernel
        /// reports it for the listener (`--congestion`); null otherwise.
        congestion: Option<String>,
    },
    /// A client connected.
    Open {
        /// Always true.
        ok: bool,
        /// tcp or unix.
        protocol: SockProto,
        /// Connection number.
        id: u64,
        /// The client.
        peer: Peer,
    },
    /// A connection ended.
    Close {
        /// False when it ended on an error or a reset.
        ok: bool,
        /// tcp or unix.
        protocol: SockProto,
        /// Connection number.
        id: u64,
        /// The client.
        peer: Peer,
        /// Bytes echoed.
        #[serde(serialize_with = "crate::output::json::big")]
        #[schemars(with = "crate::output::json::BigU64")]
        bytes: u64,
        /// How long it lasted.
        #[serde(serialize_with = "crate::output::json::ms")]
        duration_ms: f64,
        /// eof, idle_timeout, too_slow, max_bytes, max_duration, drain, reset, error.
        reason: CloseReason,
        /// The error, for reset and error.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<crate::error::Failure>,
    },
    /// A connection was accepted and closed at once.
    Refused {
        /// Always false.
        ok: bool,
        /// tcp or unix.
        protocol: SockProto,
        /// The client.
        peer: Peer,
        /// max_conns or not_allowed.
        reason: RefuseReason,
    },
    /// A datagram was not echoed.
    Dropped {
        /// Always false.
        ok: bool,
        /// The source.
        peer: Peer,
        /// Its size.
        bytes: usize,
        /// low_port, bad_source, own_address, rate_limited, loop_suspected, not_allowed.
        reason: DropReason,
    },
    /// Something the operator should know.
    Warning {
        /// Always false.
        ok: bool,
        /// What.
        message: String,
    },
}

impl crate::output::Report for ServerEvent {
    /// Each variant names itself: listening, open, close, refused,
    /// dropped, warning.
    const TYPE: &'static str = "listening, open, close, refused, dropped, warning";
    const SELF_TAGGED: bool = true;
}

/// Datagrams not echoed, by reason.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct UdpDrops {
    /// From source ports below 1024.
    pub low_port: u64,
    /// From unspecified, broadcast or multicast sources, or port 0.
    pub bad_source: u64,
    /// From the server's own address and port.
    pub own_address: u64,
    /// Over `--udp-rate` for their source.
    pub rate_limited: u64,
    /// Mirrored back by another echo service (a loop).
    pub loop_suspected: u64,
    /// Not in `--allow`.
    pub not_allowed: u64,
}

/// Printed when the server stops.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ServerSummary {
    /// Always true: the server stopped as asked.
    pub ok: bool,
    /// Stream connections served.
    pub connections: u64,
    /// Accepted and closed at once because of `--max-conns`.
    pub refused_max_conns: u64,
    /// Accepted and closed at once because of `--allow`.
    pub refused_not_allowed: u64,
    /// Closed to make room for a new client: slower than `--min-rate` while
    /// the server was under pressure (slowloris).
    pub evicted_too_slow: u64,
    /// Still open when the drain timeout ended, and closed.
    pub aborted_at_drain: u64,
    /// Bytes echoed over streams.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub bytes: u64,
    /// Datagrams received.
    pub udp_received: u64,
    /// Datagrams echoed.
    pub udp_echoed: u64,
    /// Datagram bytes echoed.
    #[serde(serialize_with = "crate::output::json::big")]
    #[schemars(with = "crate::output::json::BigU64")]
    pub udp_bytes: u64,
    /// Datagrams dropped, by reason.
    pub udp_dropped: UdpDrops,
    /// accept() failures (EMFILE and the like); serving went on.
    pub accept_errors: u64,
    /// Events not printed because stdout's reader lagged (serving never waits for it).
    pub events_dropped: u64,
    /// How long the server ran.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
}

impl crate::output::Report for ServerSummary {
    const TYPE: &'static str = "summary";
}

#[derive(Default)]
struct Stats {
    connections: AtomicU64,
    refused_max_conns: AtomicU64,
    refused_not_allowed: AtomicU64,
    evicted_too_slow: AtomicU64,
    aborted_at_drain: AtomicU64,
    bytes: AtomicU64,
    accept_errors: AtomicU64,
    events_dropped: AtomicU64,
    active: AtomicUsize,
    next_id: AtomicU64,
}

struct Ctx {
    cfg: ServerConfig,
    stats: Stats,
    events: mpsc::Sender<ServerEvent>,
    /// Notified when a connection ends.
    ended: Notify,
    /// true: stop accepting; live connections continue.
    stop_accepting: watch::Sender<bool>,
    /// true: close live connections now (drain over).
    abort: watch::Sender<bool>,
    /// Notified when `--once` has served its client.
    served_once: Notify,
    /// The live stream connections, for eviction under pressure.
    conns: std::sync::Mutex<HashMap<u64, Arc<Conn>>>,
}

/// A live stream connection, as eviction sees it.
struct Conn {
    started: Instant,
    bytes: AtomicU64,
    /// Told to close (too slow, under pressure).
    evict: Notify,
}

/// How old a connection must be before its rate can get it evicted: 10 s,
/// or half the idle timeout if that is shorter.
pub const SLOW_GRACE: Duration = Duration::from_secs(10);

impl Ctx {
    /// Whether the server is under pressure: a quarter of the slots is kept
    /// for new clients.
    fn pressed(&self) -> bool {
        let max = self.cfg.max_conns;
        self.stats.active.load(Ordering::SeqCst) >= max - max / 4
    }

    /// Evicts the slowest connection older than [`SLOW_GRACE`] whose
    /// average rate is below `--min-rate`; whether one was found.
    fn evict_slowest(&self, now: Instant) -> bool {
        if self.cfg.min_rate == 0 {
            return false;
        }
        let conns = self
            .conns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let rate = |c: &Conn| {
            c.bytes.load(Ordering::Relaxed) as f64 / now.duration_since(c.started).as_secs_f64()
        };
        let grace = SLOW_GRACE.min(self.cfg.idle_timeout / 2);
        let slowest = conns
            .values()
            .filter(|c| now.duration_since(c.started) >= grace)
            .filter(|c| rate(c) < self.cfg.min_rate as f64)
            .min_by(|a, b| rate(a).total_cmp(&rate(b)));
        match slowest {
            Some(c) => {
                c.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

impl Ctx {
    /// Hands an event to the printer without ever waiting for it: when
    /// stdout's reader lags and the queue is full, the event is counted as
    /// dropped and serving goes on.
    async fn event(&self, e: ServerEvent) {
        if self.events.try_send(e).is_err() {
            self.stats.events_dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn allowed(&self, ip: IpAddr) -> bool {
        self.cfg.allow.is_empty() || self.cfg.allow.iter().any(|c| c.contains(ip))
    }
}

fn sys(call: &'static str) -> impl FnOnce(io::Error) -> NetkitError {
    move |source| NetkitError::System { call, source }
}

/// The kernel's listen backlog limit.
pub fn somaxconn() -> i32 {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(4096)
}

fn ip_socket(cfg: &ServerConfig, ty: Type, proto: Protocol) -> Result<Socket> {
    let domain = if cfg.bind.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let s = Socket::new(domain, ty, Some(proto)).map_err(sys("socket"))?;
    if cfg.bind.is_ipv6() {
        // `::` serves both families; a specific IPv6 address only IPv6.
        s.set_only_v6(!cfg.bind.is_unspecified())
            .map_err(sys("setsockopt IPV6_V6ONLY"))?;
    }
    if ty == Type::STREAM {
        s.set_reuse_address(true)
            .map_err(sys("setsockopt SO_REUSEADDR"))?;
        // On the listener, before any connection: accepted sockets inherit
        // it, and BBR's pacing is never armed on them.
        cfg.congestion
            .apply(&s, cfg.bind)
            .map_err(|(name, e)| super::congestion::refused(name, &e))?;
    }
    if cfg.reuseport {
        s.set_reuse_port(true)
            .map_err(sys("setsockopt SO_REUSEPORT"))?;
    }
    if let Some(n) = cfg.rcvbuf {
        s.set_recv_buffer_size(n)
            .map_err(sys("setsockopt SO_RCVBUF"))?;
    }
    if let Some(n) = cfg.sndbuf {
        s.set_send_buffer_size(n)
            .map_err(sys("setsockopt SO_SNDBUF"))?;
    }
    let addr = SocketAddr::new(cfg.bind, cfg.port);
    s.bind(&addr.into()).map_err(|e| NetkitError::System {
        call: "bind",
        source: io::Error::new(e.kind(), format!("{addr}: {e}")),
    })?;
    s.set_nonblocking(true).map_err(sys("fcntl O_NONBLOCK"))?;
    Ok(s)
}

/// Whether a socket file has a live socket behind it, of any type: a
/// connect of each type (non-blocking) is refused only when nobody is
/// there; a live socket of another type answers EPROTOTYPE, a full
/// backlog EAGAIN, a forbidden one EACCES. Stale only if every type is
/// refused.
fn unix_socket_is_stale(path: &std::path::Path) -> io::Result<bool> {
    let addr = socket2::SockAddr::unix(path)?;
    for ty in [Type::STREAM, Type::SEQPACKET, Type::DGRAM] {
        let s = Socket::new(Domain::UNIX, ty, None)?;
        s.set_nonblocking(true)?;
        match s.connect(&addr) {
            Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// The socket file this server created: removed at exit only if it is
/// still that file (same device and inode), never someone else's.
pub struct OwnSocketFile {
    path: PathBuf,
    id: Option<(u64, u64)>,
}

impl OwnSocketFile {
    fn id_of(path: &std::path::Path) -> Option<(u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path)
            .ok()
            .map(|m| (m.dev(), m.ino()))
    }

    /// Removes the file if it is still ours.
    pub fn remove(&self) {
        if self.id.is_some() && Self::id_of(&self.path) == self.id {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn in_use(path: &std::path::Path, why: &str) -> NetkitError {
    NetkitError::System {
        call: "bind",
        source: io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "{}: {why}",
                crate::sanitize::escape(&path.display().to_string())
            ),
        ),
    }
}

fn unix_listener(path: &PathBuf) -> Result<(UnixListener, OwnSocketFile)> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        if !meta.file_type().is_socket() {
            // A path that cannot be a socket is the caller's mistake (exit
            // 2), unlike a live socket, which is somebody's (exit 6).
            let kind = if meta.is_dir() {
                "a directory"
            } else if meta.file_type().is_symlink() {
                "a symbolic link"
            } else {
                "a file"
            };
            return Err(NetkitError::invalid(format!(
                "--unix {}: {kind} is there, not a socket: give a path for the socket",
                crate::sanitize::escape(&path.display().to_string())
            )));
        }
        match unix_socket_is_stale(path) {
            Ok(true) => {
                // A socket nobody serves (a server that died): take its place.
                std::fs::remove_file(path).map_err(sys("removing a stale socket"))?;
            }
            Ok(false) => {
                return Err(in_use(
                    path,
                    "a live socket is there (stream, datagram or seqpacket)",
                ));
            }
            Err(e) => {
                return Err(NetkitError::System {
                    call: "checking the socket at the path",
                    source: e,
                });
            }
        }
    }
    let std_listener =
        std::os::unix::net::UnixListener::bind(path).map_err(|e| NetkitError::System {
            call: "bind",
            source: io::Error::new(
                e.kind(),
                format!(
                    "{}: {e}",
                    crate::sanitize::escape(&path.display().to_string())
                ),
            ),
        })?;
    let own = OwnSocketFile {
        path: path.clone(),
        id: OwnSocketFile::id_of(path),
    };
    std_listener
        .set_nonblocking(true)
        .map_err(sys("fcntl O_NONBLOCK"))?;
    let listener = UnixListener::from_std(std_listener).map_err(sys("registering the socket"))?;
    Ok((listener, own))
}

/// Runs the server until SIGINT/SIGTERM (or `--once`), then drains.
/// `stop` resolves when a signal asks the server to stop.
pub async fn serve(
    cfg: ServerConfig,
    events: mpsc::Sender<ServerEvent>,
    stop: crate::signal::Stop,
) -> Result<ServerSummary> {
    let started = Instant::now();
    let (stop_accepting, _) = watch::channel(false);
    let (abort, _) = watch::channel(false);
    let ctx = Arc::new(Ctx {
        cfg: cfg.clone(),
        stats: Stats::default(),
        events,
        ended: Notify::new(),
        stop_accepting,
        abort,
        served_once: Notify::new(),
        conns: std::sync::Mutex::new(HashMap::new()),
    });
    // Bind everything first, so a bad address fails before anything runs.
    let tcp = if cfg.tcp {
        let s = ip_socket(&cfg, Type::STREAM, Protocol::TCP)?;
        s.listen(somaxconn()).map_err(sys("listen"))?;
        Some(TcpListener::from_std(s.into()).map_err(sys("registering the socket"))?)
    } else {
        None
    };
    let udp = if cfg.udp {
        // With --port 0, UDP takes the port TCP was given, so one number serves both.
        let mut udp_cfg = cfg.clone();
        if let (0, Some(l)) = (cfg.port, &tcp) {
            udp_cfg.port = l.local_addr().map_or(0, |a| a.port());
        }
        let s = ip_socket(&udp_cfg, Type::DGRAM, Protocol::UDP)?;
        Some(UdpSocket::from_std(s.into()).map_err(sys("registering the socket"))?)
    } else {
        None
    };
    let (unix, own_file) = match cfg.unix.as_ref().map(unix_listener).transpose()? {
        Some((l, f)) => (Some(l), Some(f)),
        None => (None, None),
    };
    let udp_stats = Arc::new(UdpStats::default());
    let mut tasks = Vec::new();
    let local_of = |a: std::io::Result<SocketAddr>| {
        let a = a.unwrap_or_else(|_| SocketAddr::new(cfg.bind, cfg.port));
        Local::Ip {
            address: a.ip(),
            port: a.port(),
        }
    };
    if let Some(l) = tcp {
        ctx.event(ServerEvent::Listening {
            ok: true,
            protocol: SockProto::Tcp,
            local: local_of(l.local_addr()),
            congestion: super::congestion::current(&l),
        })
        .await;
        tasks.push(tokio::spawn(accept_tcp(l, Arc::clone(&ctx))));
    }
    if let Some(l) = unix {
        let path = cfg
            .unix
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        ctx.event(ServerEvent::Listening {
            ok: true,
            protocol: SockProto::Unix,
            local: Local::Unix { path },
            congestion: None,
        })
        .await;
        tasks.push(tokio::spawn(accept_unix(l, Arc::clone(&ctx))));
    }
    if let Some(s) = udp {
        ctx.event(ServerEvent::Listening {
            ok: true,
            protocol: SockProto::Udp,
            local: local_of(s.local_addr()),
            congestion: None,
        })
        .await;
        tasks.push(tokio::spawn(serve_udp(
            s,
            Arc::clone(&ctx),
            Arc::clone(&udp_stats),
        )));
    }
    tokio::select! {
        () = stop.wait() => {}
        () = ctx.served_once.notified(), if cfg.once => {}
    }
    let _ = ctx.stop_accepting.send(true);
    for t in &tasks {
        t.abort();
    }
    // Drain: live connections may finish until the deadline.
    let deadline = tokio::time::Instant::now() + cfg.drain_timeout;
    while ctx.stats.active.load(Ordering::SeqCst) > 0 {
        let ended = ctx.ended.notified();
        if ctx.stats.active.load(Ordering::SeqCst) == 0 {
            break;
        }
        if tokio::time::timeout_at(deadline, ended).await.is_err() {
            break;
        }
    }
    let left = ctx.stats.active.load(Ordering::SeqCst);
    if left > 0 {
        ctx.stats
            .aborted_at_drain
            .store(left as u64, Ordering::SeqCst);
        let _ = ctx.abort.send(true);
        let grace = tokio::time::Instant::now() + Duration::from_secs(1);
        while ctx.stats.active.load(Ordering::SeqCst) > 0 {
            let ended = ctx.ended.notified();
            if ctx.stats.active.load(Ordering::SeqCst) == 0
                || tokio::time::timeout_at(grace, ended).await.is_err()
            {
                break;
            }
        }
    }
    if let Some(f) = &own_file {
        f.remove();
    }
    let s = &ctx.stats;
    Ok(ServerSummary {
        ok: true,
        events_dropped: s.events_dropped.load(Ordering::SeqCst),
        connections: s.connections.load(Ordering::SeqCst),
        refused_max_conns: s.refused_max_conns.load(Ordering::SeqCst),
        refused_not_allowed: s.refused_not_allowed.load(Ordering::SeqCst),
        evicted_too_slow: s.evicted_too_slow.load(Ordering::SeqCst),
        aborted_at_drain: s.aborted_at_drain.load(Ordering::SeqCst),
        bytes: s.bytes.load(Ordering::SeqCst),
        udp_received: udp_stats.received.load(Ordering::SeqCst),
        udp_echoed: udp_stats.echoed.load(Ordering::SeqCst),
        udp_bytes: udp_stats.bytes.load(Ordering::SeqCst),
        udp_dropped: udp_stats.drops(),
        accept_errors: s.accept_errors.load(Ordering::SeqCst),
        duration_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}

/// What happens when a stream is accepted: limits, then a task.
async fn admit<S: EchoStream>(
    ctx: &Arc<Ctx>,
    stream: S,
    peer: Peer,
    ip: Option<IpAddr>,
    protocol: SockProto,
) {
    if let Some(ip) = ip
        && !ctx.allowed(ip)
    {
        ctx.stats.refused_not_allowed.fetch_add(1, Ordering::SeqCst);
        ctx.event(ServerEvent::Refused {
            ok: false,
            protocol,
            peer,
            reason: RefuseReason::NotAllowed,
        })
        .await;
        return;
    }
    // Under pressure, the slowest of the old connections below --min-rate
    // makes way (slowloris: a byte every few seconds holds a slot forever
    // otherwise); at the limit, a new client gets in only that way.
    let evicted = ctx.pressed() && ctx.evict_slowest(Instant::now());
    if evicted {
        ctx.stats.evicted_too_slow.fetch_add(1, Ordering::SeqCst);
    }
    if ctx.stats.active.load(Ordering::SeqCst) >= ctx.cfg.max_conns && !evicted {
        ctx.stats.refused_max_conns.fetch_add(1, Ordering::SeqCst);
        ctx.event(ServerEvent::Refused {
            ok: false,
            protocol,
            peer,
            reason: RefuseReason::MaxConns,
        })
        .await;
        return;
    }
    ctx.stats.active.fetch_add(1, Ordering::SeqCst);
    ctx.stats.connections.fetch_add(1, Ordering::SeqCst);
    let id = ctx.stats.next_id.fetch_add(1, Ordering::SeqCst) + 1;
    let conn = Arc::new(Conn {
        started: Instant::now(),
        bytes: AtomicU64::new(0),
        evict: Notify::new(),
    });
    ctx.conns
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id, Arc::clone(&conn));
    tokio::spawn(handle(stream, Arc::clone(ctx), id, peer, protocol, conn));
}

async fn accept_backoff(ctx: &Ctx, e: io::Error, warned: &mut Option<Instant>) {
    ctx.stats.accept_errors.fetch_add(1, Ordering::SeqCst);
    let fd_limit = matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE));
    if warned.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
        *warned = Some(Instant::now());
        let what = if fd_limit {
            "out of file descriptors (EMFILE)"
        } else {
            "accept failed"
        };
        ctx.event(ServerEvent::Warning {
            ok: false,
            message: format!("{what}: {e}; existing clients are still served"),
        })
        .await;
    }
    // Leave the pending connection in the queue until descriptors free up.
    tokio::time::sleep(Duration::from_millis(if fd_limit { 100 } else { 10 })).await;
}

async fn accept_tcp(listener: TcpListener, ctx: Arc<Ctx>) {
    let mut warned = None;
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(ctx.cfg.nodelay);
                if let Some(idle) = ctx.cfg.keepalive {
                    let _ = socket2::SockRef::from(&stream)
                        .set_tcp_keepalive(&TcpKeepalive::new().with_time(idle));
                }
                admit(&ctx, stream, peer.into(), Some(peer.ip()), SockProto::Tcp).await;
            }
            Err(e) => accept_backoff(&ctx, e, &mut warned).await,
        }
    }
}

async fn accept_unix(listener: UnixListener, ctx: Arc<Ctx>) {
    let mut warned = None;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let pid = stream.peer_cred().ok().and_then(|c| c.pid());
                admit(&ctx, stream, Peer::Unix { pid }, None, SockProto::Unix).await;
            }
            Err(e) => accept_backoff(&ctx, e, &mut warned).await,
        }
    }
}

/// The two stream types the server echoes on.
pub trait EchoStream: tokio::io::AsyncWrite + Unpin + Send + 'static {
    /// Waits until a read would not block.
    fn ready(&self) -> impl std::future::Future<Output = io::Result<()>> + Send;
    /// Waits until a write would not block.
    fn ready_to_write(&self) -> impl std::future::Future<Output = io::Result<()>> + Send;
    /// Reads without blocking.
    fn read_now(&self, buf: &mut [u8]) -> io::Result<usize>;
    /// Runs a non-blocking syscall on the socket, clearing readiness on EAGAIN.
    fn try_raw(
        &self,
        interest: tokio::io::Interest,
        f: impl FnOnce() -> io::Result<usize>,
    ) -> io::Result<usize>;
    /// The socket descriptor.
    fn fd(&self) -> std::os::fd::RawFd;
}

macro_rules! echo_stream {
    ($t:ty) => {
        impl EchoStream for $t {
            fn ready(&self) -> impl std::future::Future<Output = io::Result<()>> + Send {
                self.readable()
            }
            fn ready_to_write(&self) -> impl std::future::Future<Output = io::Result<()>> + Send {
                self.writable()
            }
            fn read_now(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.try_read(buf)
            }
            fn try_raw(
                &self,
                interest: tokio::io::Interest,
                f: impl FnOnce() -> io::Result<usize>,
            ) -> io::Result<usize> {
                self.try_io(interest, f)
            }
            fn fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsRawFd::as_raw_fd(self)
            }
        }
    };
}
echo_stream!(TcpStream);
echo_stream!(UnixStream);

async fn handle<S: EchoStream>(
    mut stream: S,
    ctx: Arc<Ctx>,
    id: u64,
    peer: Peer,
    protocol: SockProto,
    conn: Arc<Conn>,
) {
    ctx.event(ServerEvent::Open {
        ok: true,
        protocol,
        id,
        peer: peer.clone(),
    })
    .await;
    let cfg = &ctx.cfg;
    let started = Instant::now();
    let far = tokio::time::Instant::now() + Duration::from_secs(86_400 * 365);
    let deadline = cfg
        .max_duration
        .map_or(far, |d| tokio::time::Instant::now() + d);
    let mut abort = ctx.abort.subscribe();
    // Echo by copying through a small buffer; a connection that fills it is
    // bulk and moves to splice(2) when the kernel allows it. Neither buffer
    // nor pipe exists before the first byte arrives, so idle connections
    // cost no memory and no descriptors.
    let mut buf: Vec<u8> = Vec::new();
    let mut pipe: Option<SplicePipe> = None;
    let mut splice_ok = true;
    let mut bulk = false;
    let mut bytes: u64 = 0;
    let (reason, error): (CloseReason, Option<crate::error::Failure>) = 'conn: loop {
        let ready = tokio::select! {
            biased;
            _ = abort.changed() => break (CloseReason::Drain, None),
            () = conn.evict.notified() => break (CloseReason::TooSlow, None),
            _ = tokio::time::sleep_until(deadline) => break (CloseReason::MaxDuration, None),
            r = tokio::time::timeout(cfg.idle_timeout, stream.ready()) => r,
        };
        match ready {
            Err(_) => break (CloseReason::IdleTimeout, None),
            Ok(Err(e)) => break classify_close(&e),
            Ok(Ok(())) => {}
        }
        let want = match cfg.max_bytes {
            Some(max) => ((max - bytes) as usize).min(BUF_LEN),
            None => BUF_LEN,
        };
        if bulk && splice_ok && pipe.is_none() {
            match SplicePipe::new(BUF_LEN) {
                Ok(p) => pipe = Some(p),
                Err(_) => splice_ok = false,
            }
        }
        if let (true, true, Some(p)) = (bulk, splice_ok, &pipe) {
            use std::os::fd::AsRawFd;
            let sock = stream.fd();
            let n = match stream.try_raw(tokio::io::Interest::READABLE, || {
                splice(sock, p.write.as_raw_fd(), want)
            }) {
                Ok(0) => break (CloseReason::Eof, None),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
                    ) =>
                {
                    splice_ok = false;
                    pipe = None;
                    continue;
                }
                Err(e) => break classify_close(&e),
            };
            let mut left = n;
            while left > 0 {
                let writable = tokio::select! {
                    biased;
                    _ = abort.changed() => break 'conn (CloseReason::Drain, None),
                    _ = tokio::time::sleep_until(deadline) => break 'conn (CloseReason::MaxDuration, None),
                    r = tokio::time::timeout(cfg.idle_timeout, stream.ready_to_write()) => r,
                };
                match writable {
                    Err(_) => break 'conn (CloseReason::IdleTimeout, None),
                    Ok(Err(e)) => break 'conn classify_close(&e),
                    Ok(Ok(())) => {}
                }
                match stream.try_raw(tokio::io::Interest::WRITABLE, || {
                    splice(p.read.as_raw_fd(), sock, left)
                }) {
                    Ok(m) => left -= m,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => break 'conn classify_close(&e),
                }
            }
            bytes += n as u64;
            conn.bytes.fetch_add(n as u64, Ordering::Relaxed);
            ctx.stats.bytes.fetch_add(n as u64, Ordering::Relaxed);
        } else {
            if buf.is_empty() {
                buf = vec![0; SMALL_BUF_LEN];
            }
            let want = want.min(SMALL_BUF_LEN);
            let n = match stream.read_now(&mut buf[..want]) {
                Ok(0) => break (CloseReason::Eof, None),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => break classify_close(&e),
            };
            if n == SMALL_BUF_LEN {
                bulk = true;
            }
            let wrote = tokio::select! {
                biased;
                _ = abort.changed() => break (CloseReason::Drain, None),
                _ = tokio::time::sleep_until(deadline) => break (CloseReason::MaxDuration, None),
                r = tokio::time::timeout(cfg.idle_timeout, stream.write_all(&buf[..n])) => r,
            };
            match wrote {
                Err(_) => break (CloseReason::IdleTimeout, None),
                Ok(Err(e)) => break classify_close(&e),
                Ok(Ok(())) => {}
            }
            bytes += n as u64;
            conn.bytes.fetch_add(n as u64, Ordering::Relaxed);
            ctx.stats.bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
        if cfg.max_bytes.is_some_and(|m| bytes >= m) {
            break (CloseReason::MaxBytes, None);
        }
    };
    if matches!(
        reason,
        CloseReason::Eof | CloseReason::MaxBytes | CloseReason::MaxDuration | CloseReason::Drain
    ) {
        // Graceful: the client reads everything echoed, then EOF.
        let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
    }
    drop(stream);
    ctx.conns
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&id);
    ctx.event(ServerEvent::Close {
        ok: error.is_none(),
        protocol,
        id,
        peer,
        bytes,
        duration_ms: started.elapsed().as_secs_f64() * 1e3,
        reason,
        error,
    })
    .await;
    ctx.stats.active.fetch_sub(1, Ordering::SeqCst);
    ctx.ended.notify_waiters();
    if cfg.once {
        ctx.served_once.notify_one();
    }
}

fn classify_close(e: &io::Error) -> (CloseReason, Option<crate::error::Failure>) {
    let f = crate::error::Failure::io(e, "connection");
    match f.reason {
        crate::exit::Reason::Reset => (CloseReason::Reset, Some(f)),
        _ => (CloseReason::Error, Some(f)),
    }
}

#[derive(Default)]
struct UdpStats {
    received: AtomicU64,
    echoed: AtomicU64,
    bytes: AtomicU64,
    low_port: AtomicU64,
    bad_source: AtomicU64,
    own_address: AtomicU64,
    rate_limited: AtomicU64,
    loop_suspected: AtomicU64,
    not_allowed: AtomicU64,
}

impl UdpStats {
    fn drops(&self) -> UdpDrops {
        UdpDrops {
            low_port: self.low_port.load(Ordering::SeqCst),
            bad_source: self.bad_source.load(Ordering::SeqCst),
            own_address: self.own_address.load(Ordering::SeqCst),
            rate_limited: self.rate_limited.load(Ordering::SeqCst),
            loop_suspected: self.loop_suspected.load(Ordering::SeqCst),
            not_allowed: self.not_allowed.load(Ordering::SeqCst),
        }
    }

    fn counter(&self, reason: DropReason) -> &AtomicU64 {
        match reason {
            DropReason::LowPort => &self.low_port,
            DropReason::BadSource => &self.bad_source,
            DropReason::OwnAddress => &self.own_address,
            DropReason::RateLimited => &self.rate_limited,
            DropReason::LoopSuspected => &self.loop_suspected,
            DropReason::NotAllowed => &self.not_allowed,
        }
    }
}

/// Entries kept per table before old ones are forgotten, so spoofed sources
/// cannot grow the server.
const MAX_TRACKED: usize = 65_536;

/// Makes room in a full table: entries idle past `idle` go first; if that
/// frees too little, the least recently seen sixteenth goes (a batch, so
/// churn costs amortised O(1) per new source). Busy entries, seen recently,
/// stay: a flood of new sources cannot reset the state of an active one.
fn make_room<K: Copy + Eq + std::hash::Hash, V>(
    table: &mut HashMap<K, V>,
    now: Instant,
    idle: Duration,
    last_seen: impl Fn(&V) -> Instant,
) {
    table.retain(|_, v| now.duration_since(last_seen(v)) < idle);
    if table.len() < MAX_TRACKED {
        return;
    }
    let mut ages: Vec<(Instant, K)> = table.iter().map(|(k, v)| (last_seen(v), *k)).collect();
    let cut = (MAX_TRACKED / 16).max(1);
    ages.select_nth_unstable_by_key(cut - 1, |(t, _)| *t);
    for (_, k) in &ages[..cut] {
        table.remove(k);
    }
}

/// A token bucket per source address.
pub struct RateLimiter {
    rate: f64,
    buckets: HashMap<IpAddr, (f64, Instant)>,
}

impl RateLimiter {
    /// `rate` datagrams per second per source, with a burst of the same.
    pub fn new(rate: u32) -> Self {
        RateLimiter {
            rate: f64::from(rate.max(1)),
            buckets: HashMap::new(),
        }
    }

    /// Whether a datagram from `ip` at `now` may be answered.
    pub fn allow(&mut self, ip: IpAddr, now: Instant) -> bool {
        if self.buckets.len() >= MAX_TRACKED && !self.buckets.contains_key(&ip) {
            // A bucket idle for 2 s is full again: forgetting it loses nothing.
            make_room(&mut self.buckets, now, Duration::from_secs(2), |(_, t)| *t);
        }
        let (tokens, last) = self.buckets.entry(ip).or_insert((self.rate, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Sources tracked.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.len()
    }
}

/// Payloads remembered per peer, to recognise our own echo coming back.
const MIRROR_MEMORY: usize = 8;

struct PeerEcho {
    /// Hashes of the last payloads echoed to the peer, and when.
    sent: [(u64, Instant); MIRROR_MEMORY],
    next: usize,
    last_at: Instant,
    window_start: Instant,
    received: u32,
    mirrored: u32,
    blocked_until: Option<Instant>,
}

/// Breaks echo loops: two echo services made to answer each other by
/// spoofed datagrams (CVE-1999-0103, "Loop DoS" CVE-2024-2169) send back
/// and forth what they receive, each datagram exactly one we sent, as
/// fast as the path allows. A peer is a loop partner when, within one
/// second, at least [`LOOP_RATE`] of its datagrams are payloads we echoed
/// to it in the last second (any of the last eight: several payloads in
/// flight do not hide it) and they are nearly all it sends (symmetry). A
/// client that repeats itself a few times a second is not one.
pub struct LoopGuard {
    peers: HashMap<SocketAddr, PeerEcho>,
}

/// Mirrored datagrams per second that mark a loop.
pub const LOOP_RATE: u32 = 100;
/// How soon a mirrored datagram must follow our echo of it to count.
pub const MIRROR_WINDOW: Duration = Duration::from_secs(1);
/// How long a loop partner is ignored.
pub const LOOP_BLOCK: Duration = Duration::from_secs(10);

impl Default for LoopGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl LoopGuard {
    /// An empty guard.
    pub fn new() -> Self {
        LoopGuard {
            peers: HashMap::new(),
        }
    }

    fn hash(payload: &[u8]) -> u64 {
        let mut h = DefaultHasher::new();
        payload.hash(&mut h);
        h.finish()
    }

    /// Whether a datagram from `peer` should be dropped as part of a loop.
    pub fn is_loop(&mut self, peer: SocketAddr, payload: &[u8], now: Instant) -> bool {
        let Some(p) = self.peers.get_mut(&peer) else {
            return false;
        };
        if p.blocked_until.is_some_and(|t| now < t) {
            return true;
        }
        p.blocked_until = None;
        if now.duration_since(p.window_start) >= Duration::from_secs(1) {
            p.window_start = now;
            p.received = 0;
            p.mirrored = 0;
        }
        p.received += 1;
        let h = Self::hash(payload);
        if p.sent
            .iter()
            .any(|(sh, at)| *sh == h && now.duration_since(*at) < MIRROR_WINDOW)
        {
            p.mirrored += 1;
        }
        // At least 90% of what it sends is our own echo, at a loop's rate.
        if p.mirrored >= LOOP_RATE && u64::from(p.mirrored) * 10 >= u64::from(p.received) * 9 {
            p.blocked_until = Some(now + LOOP_BLOCK);
            return true;
        }
        false
    }

    /// Records an echo sent to `peer`.
    pub fn sent(&mut self, peer: SocketAddr, payload: &[u8], now: Instant) {
        if self.peers.len() >= MAX_TRACKED && !self.peers.contains_key(&peer) {
            let keep = MIRROR_WINDOW.max(Duration::from_secs(1));
            self.peers.retain(|_, p| {
                p.blocked_until.is_some_and(|t| now < t) || now.duration_since(p.last_at) < keep
            });
            if self.peers.len() >= MAX_TRACKED {
                make_room(&mut self.peers, now, keep, |p| p.last_at);
            }
        }
        let long_ago = now.checked_sub(MIRROR_WINDOW * 2).unwrap_or(now);
        let p = self.peers.entry(peer).or_insert(PeerEcho {
            sent: [(0, long_ago); MIRROR_MEMORY],
            next: 0,
            last_at: now,
            window_start: now,
            received: 0,
            mirrored: 0,
            blocked_until: None,
        });
        p.sent[p.next] = (Self::hash(payload), now);
        p.next = (p.next + 1) % MIRROR_MEMORY;
        p.last_at = now;
    }

    /// Peers tracked.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.peers.len()
    }
}

/// Why a datagram from `src` must not be answered, before rate and loop
/// checks: it would reflect to a service port, a group, or ourselves.
pub fn udp_source_verdict(
    src: SocketAddr,
    local: SocketAddr,
    allow_low_ports: bool,
) -> Option<DropReason> {
    let ip = match src.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(src.ip(), IpAddr::V4),
        v4 => v4,
    };
    let bad = ip.is_unspecified()
        || ip.is_multicast()
        || src.port() == 0
        || matches!(ip, IpAddr::V4(v4) if v4.is_broadcast());
    if bad {
        return Some(DropReason::BadSource);
    }
    if src.port() == local.port() {
        let local_ip = match local.ip() {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(local.ip(), IpAddr::V4),
            v4 => v4,
        };
        let ours = if local_ip.is_unspecified() {
            crate::addr::iface::is_local_address(ip)
        } else {
            ip == local_ip
        };
        if ours {
            return Some(DropReason::OwnAddress);
        }
    }
    if src.port() < 1024 && !allow_low_ports {
        return Some(DropReason::LowPort);
    }
    None
}

async fn serve_udp(socket: UdpSocket, ctx: Arc<Ctx>, stats: Arc<UdpStats>) {
    let local = socket
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::new(ctx.cfg.bind, ctx.cfg.port));
    let mut buf = vec![0u8; 65_536];
    let mut limiter = RateLimiter::new(ctx.cfg.udp_rate);
    let mut loops = LoopGuard::new();
    loop {
        let (n, src) = match socket.recv_from(&mut buf).await {
            Ok(r) => r,
            Err(_) => {
                // ICMP errors surface here (port unreachable); keep serving.
                continue;
            }
        };
        stats.received.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let payload = &buf[..n];
        let verdict = if !ctx.allowed(src.ip()) {
            Some(DropReason::NotAllowed)
        } else if let Some(v) = udp_source_verdict(src, local, ctx.cfg.allow_low_ports) {
            Some(v)
        } else if loops.is_loop(src, payload, now) {
            Some(DropReason::LoopSuspected)
        } else if !limiter.allow(src.ip(), now) {
            Some(DropReason::RateLimited)
        } else {
            None
        };
        if let Some(reason) = verdict {
            stats.counter(reason).fetch_add(1, Ordering::Relaxed);
            if ctx.cfg.log_drops {
                ctx.event(ServerEvent::Dropped {
                    ok: false,
                    peer: src.into(),
                    bytes: n,
                    reason,
                })
                .await;
            }
            continue;
        }
        if socket.send_to(payload, src).await.is_ok() {
            loops.sent(src, payload, now);
            stats.echoed.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(n as u64, Ordering::Relaxed);
            if ctx.cfg.once {
                ctx.served_once.notify_one();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn udp_sources_that_must_not_be_answered() {
        let local = sa("127.0.0.1:50007");
        let table = [
            ("127.0.0.1:40000", None),
            ("127.0.0.1:7", Some(DropReason::LowPort)),
            ("127.0.0.1:19", Some(DropReason::LowPort)),
            ("127.0.0.1:0", Some(DropReason::BadSource)),
            ("0.0.0.0:40000", Some(DropReason::BadSource)),
            ("255.255.255.255:40000", Some(DropReason::BadSource)),
            ("224.0.0.1:40000", Some(DropReason::BadSource)),
            ("127.0.0.1:50007", Some(DropReason::OwnAddress)),
            ("[::ffff:127.0.0.1]:50007", Some(DropReason::OwnAddress)),
            ("[ff02::1]:40000", Some(DropReason::BadSource)),
        ];
        for (src, want) in table {
            assert_eq!(udp_source_verdict(sa(src), local, false), want, "{src}");
        }
        assert_eq!(udp_source_verdict(sa("127.0.0.1:7"), local, true), None);
    }

    #[test]
    fn rate_limiter_refills() {
        let mut r = RateLimiter::new(2);
        let t0 = Instant::now();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(r.allow(ip, t0) && r.allow(ip, t0));
        assert!(!r.allow(ip, t0));
        assert!(r.allow(ip, t0 + Duration::from_millis(600)));
        assert!(r.allow("127.0.0.2".parse().unwrap(), t0), "per source");
    }

    #[test]
    fn loop_guard_blocks_a_mirroring_peer() {
        let mut g = LoopGuard::new();
        let peer = sa("127.0.0.1:50008");
        let t = Instant::now();
        // A loop partner with two payloads in flight, 10,000 a second:
        // blocked within the first LOOP_RATE mirrors.
        let mut answered = 0;
        for i in 0..1000u64 {
            let now = t + Duration::from_micros(i * 100);
            let payload: &[u8] = if i % 2 == 0 { b"one" } else { b"two" };
            if g.is_loop(peer, payload, now) {
                continue;
            }
            answered += 1;
            g.sent(peer, payload, now);
        }
        assert!(answered <= LOOP_RATE as usize + 2, "{answered}");
        // A client repeating one payload three times a second, for a
        // minute, is answered every time.
        let client = sa("127.0.0.1:40000");
        for i in 0..180u64 {
            let now = t + Duration::from_millis(i * 333);
            assert!(!g.is_loop(client, b"same", now), "blocked at {i}");
            g.sent(client, b"same", now);
        }
        // A client that sends different payloads, fast, is never blocked.
        let fast = sa("127.0.0.1:40001");
        for i in 0..10_000u32 {
            let msg = i.to_be_bytes();
            let now = t + Duration::from_micros(u64::from(i) * 10);
            assert!(!g.is_loop(fast, &msg, now));
            g.sent(fast, &msg, now);
        }
    }

    #[test]
    fn full_tables_evict_the_idle_not_the_busy() {
        // The reflection victim keeps sending while 65,536 forged sources
        // churn through: its bucket is never reset to a full burst.
        let mut r = RateLimiter::new(10);
        let t = Instant::now();
        let victim: IpAddr = "192.0.2.1".parse().unwrap();
        let mut allowed = 0;
        for i in 0..(3 * MAX_TRACKED as u32) {
            let now = t + Duration::from_micros(u64::from(i));
            if i % 64 == 0 && r.allow(victim, now) {
                allowed += 1;
            }
            let forged = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            r.allow(forged, now);
            assert!(r.len() <= MAX_TRACKED);
        }
        // 0.2 s at 10/s with a burst of 10: about 12, never thousands.
        assert!(allowed <= 13, "victim answered {allowed} times");
        let mut g = LoopGuard::new();
        for i in 0..(2 * MAX_TRACKED as u32) {
            let now = t + Duration::from_micros(u64::from(i));
            let peer = SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)), 4000);
            g.sent(peer, b"x", now);
            assert!(g.len() <= MAX_TRACKED);
        }
    }
}
