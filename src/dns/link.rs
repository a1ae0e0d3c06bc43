//! What netkit keeps per DNS server (a [`Server`]: its addresses and its
//! transport) for the life of the process: pipelined TCP or TLS
//! connections (RFC 7766: many queries in flight on one connection,
//! answers matched by ID in whatever order they come), the HTTP/2 and QUIC
//! connections of DoH and DoQ, and for plain servers the choice of UDP or
//! TCP. A server that truncates (TC) or that answers some UDP
//! queries while dropping others (response rate limiting, as nsd and BIND
//! do by default) moves the rest of the batch to TCP, where rate limits do
//! not apply, and UDP waits still pending are resent over TCP at once
//! instead of waiting out their timeout.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{oneshot, watch};

use super::server::{DohCfg, DoqCfg, Server, Transport};
use super::wire::peek_id;

/// TCP connections kept open per server.
pub const MAX_CONNS: usize = 4;
/// Queries in flight on one TCP connection before another is opened.
pub const MAX_PIPELINE: usize = 64;
/// UDP answers lost while the server answered others, before the rest of
/// the batch goes over TCP.
pub const DROPS_BEFORE_TCP: u32 = 3;

/// Answer times kept to measure the rate a server answers at.
const RATE_SAMPLES: usize = 256;
/// The slowest pace a rate-limited batch slows to, queries a second.
pub const MIN_PACE: f64 = 20.0;

/// How fast UDP queries go to a server that drops what exceeds its rate
/// (a firewall or a resolver's per-client limit, with no TCP to move to):
/// unpaced until answers are lost while others come, then paced at 90%
/// of the rate answers came at, growing 5% a second while nothing is lost
/// (AIMD, once per round of losses as in TCP's recovery).
#[derive(Debug)]
struct Pace {
    /// Queries a second, once a loss was seen.
    per_sec: Option<f64>,
    /// When the next paced query may go.
    next: Instant,
    /// The last answers' times (ns after the link's epoch), a ring.
    answers: Vec<u64>,
    at: usize,
    /// Losses of queries sent before this (ns) were answered already.
    recovery_ns: u64,
}

impl Pace {
    fn new() -> Pace {
        Pace {
            per_sec: None,
            next: Instant::now(),
            answers: Vec::with_capacity(RATE_SAMPLES),
            at: 0,
            recovery_ns: 0,
        }
    }

    /// Answers a second over the last samples.
    fn answer_rate(&self) -> Option<f64> {
        if self.answers.len() < 16 {
            return None;
        }
        let newest = self.answers[(self.at + self.answers.len() - 1) % self.answers.len()];
        let oldest = if self.answers.len() < RATE_SAMPLES {
            self.answers[0]
        } else {
            self.answers[self.at]
        };
        let span = newest.saturating_sub(oldest) as f64 / 1e9;
        (span > 0.0).then(|| (self.answers.len() - 1) as f64 / span)
    }
}

type Pending = Mutex<HashMap<u16, oneshot::Sender<Vec<u8>>>>;

/// The QUIC connection to a DoQ server, and the endpoint that drives it.
struct QuicConn {
    _endpoint: quinn::Endpoint,
    conn: quinn::Connection,
}

/// One TCP connection carrying many queries.
type Writer = Box<dyn AsyncWrite + Send + Unpin>;
type Reader = Box<dyn AsyncRead + Send + Unpin>;

/// The largest DoH answer read (a DNS message is at most 65,535 bytes).
pub const MAX_DOH_BODY: usize = 65_535;

struct Conn {
    writer: tokio::sync::Mutex<Writer>,
    pending: Arc<Pending>,
    dead: Arc<AtomicBool>,
    /// Why the reader stopped (the connection closed or failed, and
    /// where), for the queries it leaves waiting.
    ended: Arc<Mutex<Option<(io::ErrorKind, String)>>>,
    in_flight: AtomicUsize,
    /// Nanoseconds after the link's epoch of the last answer read.
    last_answer: Arc<AtomicU64>,
}

/// A server's connection state.
pub struct Link {
    server: Server,
    /// The index of the address in use (the next is tried when it fails).
    current: AtomicUsize,
    conns: tokio::sync::Mutex<Vec<Arc<Conn>>>,
    /// Whether queries go over TCP now (always for tcp:// and tls://).
    tcp: watch::Sender<bool>,
    drops: AtomicU32,
    /// TCP failed to connect: never move to it unasked.
    tcp_unusable: AtomicBool,
    /// The HTTP/2 connection, shared by every query (streams multiplex).
    h2: tokio::sync::Mutex<Option<h2::client::SendRequest<bytes::Bytes>>>,
    /// The QUIC connection, shared by every query (a stream each).
    quic: tokio::sync::Mutex<Option<QuicConn>>,
    /// Streams open at once on it.
    quic_streams: tokio::sync::Semaphore,
    /// DoH requests open at once on the HTTP/2 connection.
    doh_streams: tokio::sync::Semaphore,
    epoch: Instant,
    /// Nanoseconds after `epoch` of the last UDP answer.
    last_udp_answer: AtomicU64,
    /// The UDP pace (see [`Pace`]).
    pace: Mutex<Pace>,
    /// A batch's shared UDP sockets, while it runs.
    udp_share: Mutex<Option<Arc<super::udpshare::UdpShare>>>,
}

/// Ends a batch's sharing of UDP sockets (see [`Link::share_udp`]).
pub struct UdpShareGuard(Arc<Link>);

impl Drop for UdpShareGuard {
    fn drop(&mut self) {
        self.0
            .udp_share
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }
}

/// The server refused an HTTP/2 stream before processing it.
#[derive(Debug)]
struct RefusedStream;

impl std::fmt::Display for RefusedStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HTTP/2: the server refused the stream")
    }
}

impl std::error::Error for RefusedStream {}

/// The link for `server` (one per server per process, keyed by the whole
/// server: its addresses and its transport with its settings).
pub fn link(server: &Server) -> Arc<Link> {
    // Asked once per query of a batch: Fx, not SipHash (the keys are the
    // servers the user named, not a peer's).
    static LINKS: OnceLock<Mutex<rustc_hash::FxHashMap<Server, Arc<Link>>>> = OnceLock::new();
    let map = LINKS.get_or_init(|| Mutex::new(rustc_hash::FxHashMap::default()));
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(l) = map.get(server) {
        return Arc::clone(l);
    }
    let stream = matches!(server.transport, Transport::Tcp | Transport::Tls(_));
    Arc::clone(map.entry(server.clone()).or_insert_with(|| {
        Arc::new(Link {
            server: server.clone(),
            current: AtomicUsize::new(0),
            conns: tokio::sync::Mutex::new(Vec::new()),
            tcp: watch::channel(stream).0,
            drops: AtomicU32::new(0),
            tcp_unusable: AtomicBool::new(false),
            h2: tokio::sync::Mutex::new(None),
            quic: tokio::sync::Mutex::new(None),
            quic_streams: tokio::sync::Semaphore::new(MAX_QUIC_STREAMS),
            doh_streams: tokio::sync::Semaphore::new(MAX_DOH_STREAMS),
            epoch: Instant::now(),
            last_udp_answer: AtomicU64::new(0),
            pace: Mutex::new(Pace::new()),
            udp_share: Mutex::new(None),
        })
    }))
}

/// A TCP connection to `addr`, from `source` when given.
pub(crate) async fn tcp_connect(
    addr: SocketAddr,
    source: Option<std::net::IpAddr>,
) -> io::Result<TcpStream> {
    let Some(ip) = source else {
        return TcpStream::connect(addr).await;
    };
    let sock = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    sock.bind(SocketAddr::new(ip, 0))?;
    sock.connect(addr).await
}

/// Connects to the first of `addrs` that answers, starting at `start`,
/// each given an equal share of `budget`. Returns the stream and the index
/// of the address that took it.
async fn connect_any(
    addrs: &[SocketAddr],
    source: Option<std::net::IpAddr>,
    start: usize,
    budget: Duration,
) -> io::Result<(TcpStream, usize)> {
    let share = budget / u32::try_from(addrs.len()).unwrap_or(1).max(1);
    let mut last = io::Error::new(io::ErrorKind::TimedOut, "TCP connect timed out");
    for i in 0..addrs.len() {
        let k = (start + i) % addrs.len();
        match tokio::time::timeout(share, tcp_connect(addrs[k], source)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok((s, k));
            }
            Ok(Err(e)) => last = e,
            Err(_) => {
                last = io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("TCP connect to {} timed out", addrs[k]),
                )
            }
        }
    }
    Err(last)
}

/// How a DoQ stream failed: with its connection (worth one more try on
/// a new one), or on its own.
enum QuicFail {
    Closed(io::Error),
    Stream(io::Error),
}

/// One query on a new stream of `conn`: the framed query out, the whole
/// answer (at most [`MAX_DOQ_ANSWER`] bytes) back.
async fn quic_exchange(conn: &quinn::Connection, framed: &[u8]) -> Result<Vec<u8>, QuicFail> {
    let closed = |e: quinn::ConnectionError| QuicFail::Closed(quic_error(e));
    let (mut send, mut recv) = conn.open_bi().await.map_err(closed)?;
    send.write_all(framed).await.map_err(|e| match e {
        quinn::WriteError::ConnectionLost(c) => closed(c),
        e => QuicFail::Stream(io::Error::other(format!("QUIC: {e}"))),
    })?;
    let _ = send.finish();
    recv.read_to_end(MAX_DOQ_ANSWER).await.map_err(|e| match e {
        quinn::ReadToEndError::Read(quinn::ReadError::ConnectionLost(c)) => closed(c),
        e => QuicFail::Stream(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("QUIC stream: {e}"),
        )),
    })
}

/// A QUIC connection error as I/O: a refused or unanswered handshake is
/// a connection failure, a certificate problem keeps rustls's reason.
fn quic_error(e: quinn::ConnectionError) -> io::Error {
    use quinn::ConnectionError as C;
    match e {
        C::TimedOut => io::Error::new(io::ErrorKind::TimedOut, "QUIC: no answer to the handshake"),
        C::ConnectionClosed(c)
            if c.error_code.to_string().contains("crypto")
                || c.error_code.to_string().contains("TLS") =>
        {
            io::Error::new(io::ErrorKind::InvalidData, format!("QUIC: {c}"))
        }
        C::TransportError(t) => io::Error::new(io::ErrorKind::InvalidData, format!("QUIC: {t}")),
        other => io::Error::new(io::ErrorKind::ConnectionRefused, format!("QUIC: {other}")),
    }
}

/// DoQ queries on the wire at once per server; the rest wait their turn
/// here rather than in a server that may answer a connection's streams
/// one at a time (hickory-server does, and closes the connection when
/// one of them is abandoned).
pub const MAX_QUIC_STREAMS: usize = 32;
/// DoH requests open at once per server (the rest wait in netkit).
pub const MAX_DOH_STREAMS: usize = 32;

/// Connections a DoQ query is tried on when the server closes them.
pub const MAX_QUIC_TRIES: u32 = 4;

/// The largest DoQ answer read: a length prefix and a DNS message.
pub const MAX_DOQ_ANSWER: usize = 2 + 65_535;

impl Link {
    /// The server this link speaks to.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The address in use.
    pub fn addr(&self) -> SocketAddr {
        let addrs = &self.server.endpoint.addrs;
        addrs[self.current.load(Ordering::Relaxed) % addrs.len()]
    }

    /// The address in use gave nothing back: the next one from now on
    /// (a named server's addresses are tried in turn, as dig does).
    pub fn next_addr(&self) {
        if self.server.endpoint.addrs.len() > 1 {
            self.current.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A TCP connection to the address in use or, failing that, the next
    /// that answers (which becomes the one in use).
    async fn connect(&self, budget: Duration) -> io::Result<TcpStream> {
        let addrs = &self.server.endpoint.addrs;
        let start = self.current.load(Ordering::Relaxed) % addrs.len();
        let (stream, k) = connect_any(addrs, self.server.source, start, budget).await?;
        self.current.store(k, Ordering::Relaxed);
        Ok(stream)
    }

    async fn quic_conn(&self, doq: &DoqCfg, budget: Duration) -> io::Result<quinn::Connection> {
        let mut slot = self.quic.lock().await;
        if let Some(q) = slot.as_ref()
            && q.conn.close_reason().is_none()
        {
            return Ok(q.conn.clone());
        }
        let addrs = &self.server.endpoint.addrs;
        let share = budget / u32::try_from(addrs.len()).unwrap_or(1).max(1);
        let start = self.current.load(Ordering::Relaxed) % addrs.len();
        let mut last = io::Error::new(io::ErrorKind::TimedOut, "QUIC: no answer to the handshake");
        for i in 0..addrs.len() {
            let k = (start + i) % addrs.len();
            let bind = self.server.local_for(addrs[k].ip());
            let mut endpoint = quinn::Endpoint::client(bind)?;
            endpoint.set_default_client_config(doq.config.clone());
            let connecting = endpoint
                .connect(addrs[k], &doq.name)
                .map_err(|e| io::Error::other(format!("QUIC: {e}")))?;
            let conn = match tokio::time::timeout(share, connecting).await {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    last = quic_error(e);
                    // A refused certificate is the server's answer, not a
                    // dead address.
                    if last.kind() == io::ErrorKind::InvalidData {
                        return Err(last);
                    }
                    continue;
                }
                Err(_) => continue,
            };
            self.current.store(k, Ordering::Relaxed);
            *slot = Some(QuicConn {
                _endpoint: endpoint,
                conn: conn.clone(),
            });
            return Ok(conn);
        }
        Err(last)
    }

    /// One query on a stream of its own (RFC 9250: the message ID is 0,
    /// a two-byte length before the message both ways, the stream closed
    /// after it). Returns the answer's bytes.
    pub async fn doq_query(
        &self,
        doq: &DoqCfg,
        query: &[u8],
        timeout: Duration,
    ) -> io::Result<Vec<u8>> {
        let len =
            u16::try_from(query.len()).map_err(|_| io::Error::other("the query is too long"))?;
        let mut framed = Vec::with_capacity(query.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(query);
        let work = async {
            // A server may close a connection after so many queries
            // (hickory-server: 100) or when idle: again on a new one (a
            // batch may see several such closes while it has queries in
            // flight).
            let mut tries = 0;
            let data = loop {
                tries += 1;
                let _turn = self
                    .quic_streams
                    .acquire()
                    .await
                    .map_err(|_| io::Error::other("closed"))?;
                let conn = self.quic_conn(doq, timeout).await?;
                match quic_exchange(&conn, &framed).await {
                    Ok(d) => break d,
                    Err(QuicFail::Closed(e)) => {
                        let mut slot = self.quic.lock().await;
                        if slot
                            .as_ref()
                            .is_some_and(|q| q.conn.stable_id() == conn.stable_id())
                        {
                            *slot = None;
                        }
                        if tries >= MAX_QUIC_TRIES {
                            return Err(e);
                        }
                    }
                    Err(QuicFail::Stream(e)) => return Err(e),
                }
            };
            let n = data
                .get(..2)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "an empty DoQ answer"))?;
            if data.len() != n + 2 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a DoQ answer of {} bytes announced {n}", data.len() - 2),
                ));
            }
            Ok(data[2..].to_vec())
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no DoQ answer in time",
            )),
        }
    }

    async fn h2(
        &self,
        doh: &DohCfg,
        budget: Duration,
    ) -> io::Result<h2::client::SendRequest<bytes::Bytes>> {
        let mut slot = self.h2.lock().await;
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let stream = self.connect(budget).await?;
        let tls = doh
            .tls
            .connector
            .connect(doh.tls.name.clone(), stream)
            .await
            .map_err(in_handshake)?;
        let (send, conn) = h2::client::handshake(tls)
            .await
            .map_err(|e| io::Error::other(format!("HTTP/2: {e}")))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        *slot = Some(send.clone());
        Ok(send)
    }

    /// One query over HTTP/2 (RFC 8484 POST). Returns the answer's bytes;
    /// a status other than 200 or a body that is not a DNS message is an
    /// error.
    pub async fn doh_query(
        &self,
        doh: &DohCfg,
        query: &[u8],
        timeout: Duration,
    ) -> io::Result<Vec<u8>> {
        let work = async {
            // Below what servers allow (RFC 9113 asks for at least 100), and
            // below it before their SETTINGS have come, when h2 assumes no
            // limit.
            let _permit = self.doh_streams.acquire().await;
            loop {
                match self.doh_once(doh, query, timeout).await {
                    // Refused before any processing (RFC 9113 8.7): safe to
                    // send again, on the same connection, within the timeout.
                    Err(e) if e.get_ref().is_some_and(|i| i.is::<RefusedStream>()) => {
                        tokio::task::yield_now().await;
                    }
                    r => return r,
                }
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(r) => {
                if r.is_err() {
                    // A broken connection is not reused.
                    *self.h2.lock().await = None;
                }
                r
            }
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no DoH answer in time",
            )),
        }
    }

    /// One DoH request and its answer.
    async fn doh_once(&self, doh: &DohCfg, query: &[u8], budget: Duration) -> io::Result<Vec<u8>> {
        {
            let send = self.h2(doh, budget).await?;
            let mut send = send
                .ready()
                .await
                .map_err(|e| io::Error::other(format!("HTTP/2: {e}")))?;
            let req = http::Request::post(format!("https://{}{}", doh.authority, doh.path))
                .header("content-type", "application/dns-message")
                .header("accept", "application/dns-message")
                .header("content-length", query.len())
                .body(())
                .map_err(|e| io::Error::other(format!("HTTP request: {e}")))?;
            let h2e = |e: h2::Error| {
                if e.reason() == Some(h2::Reason::REFUSED_STREAM) {
                    io::Error::other(RefusedStream)
                } else {
                    io::Error::other(format!("HTTP/2: {e}"))
                }
            };
            let (resp, mut body_tx) = send.send_request(req, false).map_err(h2e)?;
            body_tx
                .send_data(bytes::Bytes::copy_from_slice(query), true)
                .map_err(h2e)?;
            // Where the stream or connection died, if it does: before
            // the answer's head, or how far into its body.
            let at = |what: String| {
                move |e: h2::Error| {
                    let e = h2e(e);
                    if e.get_ref().is_some_and(|i| i.is::<RefusedStream>()) {
                        e
                    } else {
                        io::Error::other(format!("{what}: {e}"))
                    }
                }
            };
            let resp = resp.await.map_err(at("before the answer came".into()))?;
            let status = resp.status();
            let mut body = resp.into_body();
            let mut out = Vec::new();
            while let Some(chunk) = body.data().await {
                let chunk = chunk.map_err(at(format!("{} bytes into the answer", out.len())))?;
                let _ = body.flow_control().release_capacity(chunk.len());
                if out.len() + chunk.len() > MAX_DOH_BODY {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the DoH answer is larger than a DNS message can be",
                    ));
                }
                out.extend_from_slice(&chunk);
            }
            if status != http::StatusCode::OK {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the DoH server answered HTTP {}", status.as_u16()),
                ));
            }
            Ok(out)
        }
    }

    /// Shares UDP sockets among the queries of a batch with `in_flight`
    /// queries at once (see [`super::udpshare`]) until the guard drops.
    /// Only plain servers; on an error the batch keeps a socket per query.
    /// `canonical`: replies keep what DNSSEC checks (`--dnssec`).
    pub fn share_udp(self: &Arc<Self>, in_flight: usize, canonical: bool) -> Option<UdpShareGuard> {
        if !matches!(self.server.transport, Transport::Udp) || in_flight < 2 {
            return None;
        }
        let local = self.server.local_for(self.addr().ip());
        let share =
            super::udpshare::UdpShare::open(self.addr(), local, in_flight, canonical).ok()?;
        *self.udp_share.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(share));
        Some(UdpShareGuard(Arc::clone(self)))
    }

    /// The shared UDP sockets, if a batch opened them for the address in
    /// use now.
    pub fn udp_share(&self) -> Option<Arc<super::udpshare::UdpShare>> {
        let share = self.udp_share.lock().unwrap_or_else(|e| e.into_inner());
        share
            .as_ref()
            .filter(|s| s.addr() == self.addr())
            .map(Arc::clone)
    }

    /// Whether queries to this server now go over TCP.
    pub fn prefers_tcp(&self) -> bool {
        *self.tcp.borrow()
    }

    /// A receiver that changes when the server moves to TCP.
    pub fn watch_tcp(&self) -> watch::Receiver<bool> {
        self.tcp.subscribe()
    }

    /// The server truncated an answer: TCP from now on.
    pub fn truncated(&self) {
        self.move_to_tcp();
    }

    /// TCP from now on: the flag, and the queries waiting on the shared
    /// UDP sockets (each query of its own watches the flag).
    fn move_to_tcp(&self) {
        self.tcp.send_replace(true);
        let share = self
            .udp_share
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(share) = share {
            share.moved_to_tcp();
        }
    }

    /// TCP could not be reached: back to UDP, and no moving to TCP again
    /// because of drops (a truncated answer still tries it).
    pub fn tcp_unreachable(&self) {
        if !matches!(self.server.transport, Transport::Udp) {
            return;
        }
        self.tcp_unusable.store(true, Ordering::Relaxed);
        self.tcp.send_replace(false);
    }

    fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// A UDP answer came.
    pub fn udp_answered(&self) {
        let now = self.now_ns().max(1);
        self.last_udp_answer.store(now, Ordering::Relaxed);
        let mut p = self.pace.lock().unwrap_or_else(|e| e.into_inner());
        if p.answers.len() < RATE_SAMPLES {
            p.answers.push(now);
        } else {
            let at = p.at;
            p.answers[at] = now;
        }
        p.at = (p.at + 1) % RATE_SAMPLES;
        if let Some(r) = p.per_sec {
            // +5% a second: each answer adds 0.05.
            p.per_sec = Some(r + 0.05);
        }
    }

    /// Waits for this query's turn when the server is paced.
    pub async fn udp_turn(&self) {
        let at = {
            let mut p = self.pace.lock().unwrap_or_else(|e| e.into_inner());
            let Some(r) = p.per_sec else { return };
            let at = p.next.max(Instant::now());
            p.next = at + Duration::from_secs_f64(1.0 / r);
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }

    /// A UDP attempt sent at `sent` got nothing in time. If the server
    /// answered other queries meanwhile, it drops answers (rate limiting):
    /// after a few, TCP; with no TCP, queries are paced to the rate the
    /// server answers at. True when the loss was such a drop (the query
    /// deserves another try: the server is up).
    pub fn udp_timed_out(&self, sent: Instant) -> bool {
        let sent_ns = sent.saturating_duration_since(self.epoch).as_nanos() as u64;
        let answering = self.last_udp_answer.load(Ordering::Relaxed) > sent_ns;
        if !answering {
            return false;
        }
        if !self.tcp_unusable.load(Ordering::Relaxed)
            && self.drops.fetch_add(1, Ordering::Relaxed) + 1 >= DROPS_BEFORE_TCP
        {
            self.move_to_tcp();
        }
        let mut p = self.pace.lock().unwrap_or_else(|e| e.into_inner());
        if sent_ns >= p.recovery_ns {
            let measured = p.answer_rate();
            let before = p.per_sec.or(measured).unwrap_or(1000.0);
            let cut = match measured {
                Some(m) => (m * 0.9).min(before * 0.9),
                None => before * 0.5,
            };
            p.per_sec = Some(cut.max(MIN_PACE));
            p.recovery_ns = self.now_ns();
        }
        true
    }

    async fn conn(&self, solo: bool, budget: Duration) -> io::Result<Arc<Conn>> {
        let mut conns = self.conns.lock().await;
        conns.retain(|c| !c.dead.load(Ordering::Relaxed));
        if solo {
            drop(conns);
            return self.open(budget).await;
        }
        let least = conns
            .iter()
            .min_by_key(|c| c.in_flight.load(Ordering::Relaxed))
            .cloned();
        if let Some(c) = &least
            && (c.in_flight.load(Ordering::Relaxed) < MAX_PIPELINE || conns.len() >= MAX_CONNS)
        {
            return Ok(Arc::clone(c));
        }
        let conn = self.open(budget).await?;
        conns.push(Arc::clone(&conn));
        Ok(conn)
    }

    /// Opens a connection and starts its reader.
    async fn open(&self, budget: Duration) -> io::Result<Arc<Conn>> {
        let stream = self.connect(budget).await?;
        let (mut reader, writer): (Reader, Writer) = match &self.server.transport {
            Transport::Tls(t) => {
                let s = t
                    .connector
                    .connect(t.name.clone(), stream)
                    .await
                    .map_err(in_handshake)?;
                let (r, w) = tokio::io::split(s);
                (Box::new(r), Box::new(w))
            }
            _ => {
                let (r, w) = stream.into_split();
                (Box::new(r), Box::new(w))
            }
        };
        let pending: Arc<Pending> = Arc::new(Mutex::new(HashMap::new()));
        let dead = Arc::new(AtomicBool::new(false));
        let ended = Arc::new(Mutex::new(None));
        let why_ended = Arc::clone(&ended);
        let last_answer = Arc::new(AtomicU64::new(self.now_ns()));
        let (p, d, last, epoch) = (
            Arc::clone(&pending),
            Arc::clone(&dead),
            Arc::clone(&last_answer),
            self.epoch,
        );
        tokio::spawn(async move {
            let mut len = [0u8; 2];
            let why = loop {
                match read_full(&mut reader, &mut len).await {
                    Ok(()) => {}
                    Err((0, e)) => break ended_at(&e, "before the answer came"),
                    Err((_, e)) => break ended_at(&e, "in an answer (1 of its 2 length bytes)"),
                }
                let size = usize::from(u16::from_be_bytes(len));
                let mut body = vec![0u8; size];
                if let Err((got, e)) = read_full(&mut reader, &mut body).await {
                    break ended_at(&e, &format!("in an answer ({got} of its {size} bytes)"));
                }
                let Some((id, true)) = peek_id(&body) else {
                    continue;
                };
                last.store(epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
                let waiter = p.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                if let Some(w) = waiter {
                    let _ = w.send(body);
                }
            };
            *why_ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
            d.store(true, Ordering::Relaxed);
            // Waiters see their sender dropped: the connection is gone.
            p.lock().unwrap_or_else(|e| e.into_inner()).clear();
        });
        let conn = Arc::new(Conn {
            writer: tokio::sync::Mutex::new(writer),
            pending,
            dead,
            ended,
            in_flight: AtomicUsize::new(0),
            last_answer,
        });
        Ok(conn)
    }

    /// Sends `query` over one of the server's TCP connections and waits for
    /// the answer with the same ID (rewriting the ID if it is already in
    /// flight there). Returns the answer's bytes and the ID used. `solo`
    /// (a retry after a TCP timeout) takes a connection of its own, closed
    /// after: a query the server never answers cannot hold up others again.
    pub async fn tcp_query(
        &self,
        query: &[u8],
        timeout: Duration,
        solo: bool,
    ) -> io::Result<(Vec<u8>, u16)> {
        let conn = tokio::time::timeout(timeout, self.conn(solo, timeout))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TCP connect timed out"))??;
        let sent = self.now_ns();
        let work = async {
            let mut q = query.to_vec();
            let (id, rx) = {
                let mut pending = conn.pending.lock().unwrap_or_else(|e| e.into_inner());
                let mut id = u16::from_be_bytes([q[0], q[1]]);
                while pending.contains_key(&id) {
                    id = crate::sys::random_u64() as u16;
                }
                q[0..2].copy_from_slice(&id.to_be_bytes());
                let (tx, rx) = oneshot::channel();
                pending.insert(id, tx);
                (id, rx)
            };
            conn.in_flight.fetch_add(1, Ordering::Relaxed);
            let _guard = InFlight(&conn, id);
            let mut framed = Vec::with_capacity(q.len() + 2);
            framed.extend_from_slice(&(q.len() as u16).to_be_bytes());
            framed.extend_from_slice(&q);
            {
                let mut w = conn.writer.lock().await;
                if let Err(e) = w.write_all(&framed).await {
                    conn.dead.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
            match rx.await {
                Ok(body) => Ok((body, id)),
                Err(_) => {
                    let (kind, why) = conn
                        .ended
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clone()
                        .unwrap_or_else(|| {
                            (
                                io::ErrorKind::ConnectionReset,
                                "the connection ended before the answer came".into(),
                            )
                        });
                    Err(io::Error::new(kind, why))
                }
            }
        };
        let result = tokio::time::timeout(timeout, work).await;
        if solo {
            // The reader ends when the connection closes: shut it now.
            conn.dead.store(true, Ordering::Relaxed);
            let _ = conn.writer.lock().await.shutdown().await;
        }
        match result {
            Ok(r) => r,
            Err(_) => {
                // Nothing at all came back on this connection since the
                // query went out: the server stopped reading or answering
                // it (one stuck query blocks a server that answers in
                // order). New queries and retries take a new connection.
                if conn.last_answer.load(Ordering::Relaxed) <= sent {
                    conn.dead.store(true, Ordering::Relaxed);
                }
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no answer over TCP in time",
                ))
            }
        }
    }
}

/// A TLS handshake's I/O error, said as where it happened: tokio-rustls's
/// "tls handshake eof" is a server that took the ClientHello and closed.
/// TLS errors (a certificate, a record that is not TLS) pass unchanged.
fn in_handshake(e: io::Error) -> io::Error {
    let what = match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            "the server closed the connection during the TLS handshake, before its ServerHello"
        }
        io::ErrorKind::ConnectionReset => {
            "the server reset the connection during the TLS handshake"
        }
        _ => return e,
    };
    io::Error::new(e.kind(), what)
}

/// Reads `buf` whole, or says how many of its bytes came before the
/// stream ended (`UnexpectedEof`) or failed.
async fn read_full(reader: &mut Reader, buf: &mut [u8]) -> Result<(), (usize, io::Error)> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]).await {
            Ok(0) => return Err((got, io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err((got, e)),
        }
    }
    Ok(())
}

/// How a connection ended, and where (`before the answer came`, `in an
/// answer (3 of its 66 bytes)`): closed (a FIN, or TLS without its
/// close_notify), reset, or another error in its own words.
fn ended_at(e: &io::Error, at: &str) -> (io::ErrorKind, String) {
    let what = match e.kind() {
        io::ErrorKind::UnexpectedEof => format!("the server closed the connection {at}"),
        io::ErrorKind::ConnectionReset => format!("the server reset the connection {at}"),
        _ => format!("the connection failed {at}: {e}"),
    };
    (e.kind(), what)
}

/// Forgets a query's waiter when its wait ends, whatever the outcome.
struct InFlight<'a>(&'a Conn, u16);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.1);
    }
}
