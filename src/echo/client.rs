//! `echo-client`: message, ping, throughput and load modes over TCP, UDP or
//! a Unix socket, optionally through a SOCKS5 proxy.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpStream, UdpSocket, UnixStream};

use super::{HostPort, RttStats, check_pattern, classify_io, pattern};
use crate::exit::Exit;
use crate::proxy::Socks5Proxy;

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
    pub fn name(&self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Unix(_) => "unix",
        }
    }
}

/// Address family restriction (`-4`/`-6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// host:port (absent for Unix sockets).
    pub target: Option<HostPort>,
    /// TCP, UDP or Unix.
    pub transport: Transport,
    /// `-4`/`-6`.
    pub family: Option<Family>,
    /// Connect and reply timeout.
    pub timeout: Duration,
    /// A SOCKS5 proxy (TCP only).
    pub proxy: Option<Socks5Proxy>,
}

impl Endpoint {
    /// What to show as the target.
    pub fn label(&self) -> String {
        match (&self.transport, &self.target) {
            (Transport::Unix(p), _) => p.display().to_string(),
            (_, Some(t)) => t.to_string(),
            (_, None) => "?".into(),
        }
    }
}

/// Why a client operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// A stable code: refused, timeout, reset, resolve, not_found, proxy, mismatch, ...
    pub reason: &'static str,
    /// The exit status it maps to.
    pub exit: Exit,
    /// For people.
    pub message: String,
}

impl Failure {
    fn io(e: &io::Error, what: &str) -> Failure {
        let (reason, exit) = classify_io(e);
        Failure {
            reason,
            exit,
            message: format!("{what}: {e}"),
        }
    }

    fn timeout(what: &str, after: Duration) -> Failure {
        Failure {
            reason: "timeout",
            exit: Exit::Timeout,
            message: format!("{what}: no answer within {:.3} s", after.as_secs_f64()),
        }
    }
}

/// One connected stream of any kind.
pub enum Conn {
    /// TCP.
    Tcp(TcpStream),
    /// Unix.
    Unix(UnixStream),
    /// TCP through SOCKS5.
    Socks(tokio_socks::tcp::Socks5Stream<TcpStream>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Socks(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Socks(s) => Pin::new(s).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Tcp(s) => Pin::new(s).poll_flush(cx),
            Conn::Unix(s) => Pin::new(s).poll_flush(cx),
            Conn::Socks(s) => Pin::new(s).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Socks(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Resolves the target to socket addresses (system resolver), `-4`/`-6` applied.
pub async fn resolve(ep: &Endpoint) -> Result<Vec<SocketAddr>, Failure> {
    let t = ep.target.as_ref().ok_or_else(|| Failure {
        reason: "usage",
        exit: Exit::Usage,
        message: "a TARGET is required for TCP and UDP".into(),
    })?;
    let addrs: Vec<SocketAddr> = match t.host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, t.port)],
        Err(_) => {
            let found = tokio::time::timeout(
                ep.timeout,
                tokio::net::lookup_host((t.host.as_str(), t.port)),
            )
            .await
            .map_err(|_| Failure::timeout(&format!("resolving {}", t.host), ep.timeout))?
            .map_err(|e| {
                let text = e.to_string();
                let (reason, exit) = if text.contains("not known") || text.contains("No address") {
                    ("not_found", Exit::Negative)
                } else {
                    ("resolve", Exit::Resolve)
                };
                Failure {
                    reason,
                    exit,
                    message: format!("resolving {}: {e}", t.host),
                }
            })?;
            found.collect()
        }
    };
    let addrs: Vec<SocketAddr> = addrs
        .into_iter()
        .filter(|a| match ep.family {
            Some(Family::V4) => a.is_ipv4(),
            Some(Family::V6) => a.is_ipv6(),
            None => true,
        })
        .collect();
    if addrs.is_empty() {
        return Err(Failure {
            reason: "not_found",
            exit: Exit::Negative,
            message: format!("{} has no address of the requested family", t.host),
        });
    }
    Ok(addrs)
}

/// Connects a stream (TCP, Unix, or TCP through SOCKS5). Returns it and
/// the connect time in milliseconds.
pub async fn connect(ep: &Endpoint) -> Result<(Conn, f64), Failure> {
    let start = Instant::now();
    let conn = match &ep.transport {
        Transport::Unix(path) => {
            let s = tokio::time::timeout(ep.timeout, UnixStream::connect(path))
                .await
                .map_err(|_| Failure::timeout("connect", ep.timeout))?
                .map_err(|e| Failure::io(&e, &format!("connect {}", path.display())))?;
            Conn::Unix(s)
        }
        Transport::Udp => {
            return Err(Failure {
                reason: "usage",
                exit: Exit::Usage,
                message: "UDP has no stream to connect".into(),
            });
        }
        Transport::Tcp => match &ep.proxy {
            Some(proxy) => Conn::Socks(connect_socks(ep, proxy).await?),
            None => {
                let mut last = None;
                let mut conn = None;
                for addr in resolve(ep).await? {
                    match tokio::time::timeout(ep.timeout, TcpStream::connect(addr)).await {
                        Ok(Ok(s)) => {
                            conn = Some(s);
                            break;
                        }
                        Ok(Err(e)) => last = Some(Failure::io(&e, &format!("connect {addr}"))),
                        Err(_) => {
                            last = Some(Failure::timeout(&format!("connect {addr}"), ep.timeout))
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

async fn connect_socks(
    ep: &Endpoint,
    proxy: &Socks5Proxy,
) -> Result<tokio_socks::tcp::Socks5Stream<TcpStream>, Failure> {
    use tokio_socks::tcp::Socks5Stream;
    let t = ep.target.as_ref().ok_or_else(|| Failure {
        reason: "usage",
        exit: Exit::Usage,
        message: "a TARGET is required".into(),
    })?;
    let fut = async {
        let target: tokio_socks::TargetAddr<'_> = if proxy.remote_dns {
            tokio_socks::TargetAddr::Domain(t.host.as_str().into(), t.port)
        } else {
            tokio_socks::TargetAddr::Ip(resolve(ep).await?[0])
        };
        let result = match &proxy.auth {
            Some((user, pass)) => {
                Socks5Stream::connect_with_password(proxy.address.as_str(), target, user, pass)
                    .await
            }
            None => Socks5Stream::connect(proxy.address.as_str(), target).await,
        };
        result.map_err(|e| match e {
            tokio_socks::Error::Io(io) => Failure::io(&io, &format!("proxy {}", proxy.address)),
            other => Failure {
                reason: "proxy",
                exit: Exit::Connect,
                message: format!("proxy {}: {other}", proxy.address),
            },
        })
    };
    let s = tokio::time::timeout(ep.timeout, fut)
        .await
        .map_err(|_| Failure::timeout("proxy connect", ep.timeout))??;
    let _ = s.set_nodelay(true);
    Ok(s)
}

async fn udp_socket(ep: &Endpoint) -> Result<(UdpSocket, SocketAddr), Failure> {
    let addr = resolve(ep).await?[0];
    let bind: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0".parse().unwrap_or(addr)
    } else {
        "[::]:0".parse().unwrap_or(addr)
    };
    let s = UdpSocket::bind(bind)
        .await
        .map_err(|e| Failure::io(&e, "bind"))?;
    s.connect(addr)
        .await
        .map_err(|e| Failure::io(&e, &format!("connect {addr}")))?;
    Ok((s, addr))
}

/// Resolves when `stop` is set (checked every 50 ms).
pub async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The result of message mode.
#[derive(Debug, Clone)]
pub struct MessageOutcome {
    /// What came back.
    pub reply: Vec<u8>,
    /// Connect time.
    pub connect_ms: Option<f64>,
    /// From the first byte sent to the end of the reply.
    pub rtt_ms: f64,
}

/// Sends `message`, shuts down the write side, and reads the echo until EOF
/// (streams) or one datagram (UDP).
pub async fn message(ep: &Endpoint, message: &[u8]) -> Result<MessageOutcome, Failure> {
    if ep.transport == Transport::Udp {
        let (s, _) = udp_socket(ep).await?;
        let start = Instant::now();
        s.send(message).await.map_err(|e| Failure::io(&e, "send"))?;
        let mut buf = vec![0u8; 65_536];
        let n = tokio::time::timeout(ep.timeout, s.recv(&mut buf))
            .await
            .map_err(|_| Failure::timeout("reply", ep.timeout))?
            .map_err(|e| Failure::io(&e, "receive"))?;
        buf.truncate(n);
        return Ok(MessageOutcome {
            reply: buf,
            connect_ms: None,
            rtt_ms: start.elapsed().as_secs_f64() * 1e3,
        });
    }
    let (mut conn, connect_ms) = connect(ep).await?;
    let start = Instant::now();
    // Write and read at once: a large message must not deadlock on full
    // buffers with a server that echoes as it reads.
    let (mut rd, mut wr) = tokio::io::split(&mut conn);
    // Through a proxy, half-closing first is not safe: many SOCKS proxies
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
    Ok(MessageOutcome {
        reply,
        connect_ms: Some(connect_ms),
        rtt_ms: start.elapsed().as_secs_f64() * 1e3,
    })
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
}

/// One reply.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    /// Always `"reply"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Sequence number, from 0.
    pub seq: u64,
    /// Bytes echoed.
    pub bytes: usize,
    /// Round-trip time.
    pub rtt_ms: f64,
    /// `duplicate` or `reordered` (UDP), or absent.
    pub anomaly: Option<&'static str>,
}

/// The tally of ping mode on one connection.
#[derive(Debug, Clone, Default)]
pub struct PingTally {
    /// Requests sent.
    pub sent: u64,
    /// Distinct replies received.
    pub received: u64,
    /// Replies whose sequence number came twice.
    pub duplicates: u64,
    /// Replies after a higher sequence number.
    pub reordered: u64,
    /// Round-trip samples.
    pub rtts: Vec<f64>,
    /// Connect time.
    pub connect_ms: Option<f64>,
    /// What ended it early, if anything did.
    pub failure: Option<Failure>,
}

/// Ping over a stream: each round trip sends `size` bytes (the sequence
/// number, then the pattern) and reads the same bytes back, verified.
pub async fn ping_stream(
    ep: &Endpoint,
    plan: &PingPlan,
    stop: &AtomicBool,
    mut on_reply: impl FnMut(&Reply),
) -> PingTally {
    let mut tally = PingTally::default();
    let (mut conn, connect_ms) = match connect(ep).await {
        Ok(c) => c,
        Err(f) => {
            tally.failure = Some(f);
            return tally;
        }
    };
    tally.connect_ms = Some(connect_ms);
    let start = Instant::now();
    let mut out = vec![0u8; plan.size];
    let mut back = vec![0u8; plan.size];
    let mut seq: u64 = 0;
    loop {
        if stop.load(Ordering::Relaxed) || plan.count.is_some_and(|c| seq >= c) {
            break;
        }
        if let Some(d) = plan.duration {
            if start.elapsed() >= d {
                break;
            }
        }
        if seq > 0 && !plan.interval.is_zero() {
            let due = start
                + plan
                    .interval
                    .saturating_mul(u32::try_from(seq).unwrap_or(u32::MAX));
            tokio::select! {
                _ = tokio::time::sleep_until(due.into()) => {}
                _ = stopped(stop) => break,
            }
        }
        super::fill_pattern(&mut out, seq.wrapping_mul(plan.size as u64));
        let seq_bytes = seq.to_be_bytes();
        let k = plan.size.min(8);
        out[..k].copy_from_slice(&seq_bytes[8 - k..]);
        let t0 = Instant::now();
        let round = async {
            conn.write_all(&out).await?;
            conn.read_exact(&mut back).await.map(|_| ())
        };
        // The stop flag is checked between round trips; a round itself is
        // bounded by the timeout (a timer per round is all it costs).
        let result = tokio::time::timeout(ep.timeout, round).await;
        tally.sent += 1;
        match result {
            Err(_) => {
                tally.failure = Some(Failure::timeout(&format!("reply {seq}"), ep.timeout));
                break;
            }
            Ok(Err(e)) => {
                tally.failure = Some(Failure::io(&e, &format!("round trip {seq}")));
                break;
            }
            Ok(Ok(())) => {}
        }
        let rtt = t0.elapsed().as_secs_f64() * 1e3;
        if back != out {
            tally.failure = Some(Failure {
                reason: "mismatch",
                exit: Exit::Negative,
                message: format!("reply {seq} differs from what was sent"),
            });
            break;
        }
        tally.received += 1;
        tally.rtts.push(rtt);
        on_reply(&Reply {
            kind: "reply",
            seq,
            bytes: plan.size,
            rtt_ms: rtt,
            anomaly: None,
        });
        seq += 1;
    }
    tally
}

/// Ping over UDP: datagrams carry a per-run token and a sequence number;
/// loss, duplicates and reordering are counted.
pub async fn ping_udp(
    ep: &Endpoint,
    plan: &PingPlan,
    stop: &AtomicBool,
    mut on_reply: impl FnMut(&Reply),
) -> PingTally {
    let mut tally = PingTally::default();
    let (s, _) = match udp_socket(ep).await {
        Ok(s) => s,
        Err(f) => {
            tally.failure = Some(f);
            return tally;
        }
    };
    let token = random_token();
    let start = Instant::now();
    let mut out = vec![0u8; plan.size];
    let mut buf = vec![0u8; 65_536];
    let mut sent_at: HashMap<u64, Instant> = HashMap::new();
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut max_seen: Option<u64> = None;
    let mut next_seq: u64 = 0;
    let mut next_due = tokio::time::Instant::now();
    let mut last_send = Instant::now();
    loop {
        let done_sending = stop.load(Ordering::Relaxed)
            || plan.count.is_some_and(|c| next_seq >= c)
            || plan.duration.is_some_and(|d| start.elapsed() >= d);
        let outstanding = sent_at.len();
        if done_sending && (outstanding == 0 || last_send.elapsed() >= ep.timeout) {
            break;
        }
        // Back to back: the next request goes when nothing is outstanding,
        // or when the last one timed out.
        let can_send = !done_sending
            && if plan.interval.is_zero() {
                outstanding == 0 || last_send.elapsed() >= ep.timeout
            } else {
                tokio::time::Instant::now() >= next_due
            };
        if can_send {
            fill_udp(&mut out, token, next_seq);
            if let Err(e) = s.send(&out).await {
                tally.failure = Some(Failure::io(&e, "send"));
                break;
            }
            sent_at.insert(next_seq, Instant::now());
            last_send = Instant::now();
            tally.sent += 1;
            next_seq += 1;
            next_due += plan.interval;
            continue;
        }
        let wait_until = if done_sending || plan.interval.is_zero() {
            tokio::time::Instant::from_std(last_send + ep.timeout)
        } else {
            next_due
        };
        let got = tokio::select! {
            r = s.recv(&mut buf) => Some(r),
            _ = tokio::time::sleep_until(wait_until) => None,
            _ = stopped(stop), if !stop.load(Ordering::Relaxed) => None,
        };
        let Some(r) = got else {
            if plan.interval.is_zero() && !done_sending {
                // The outstanding request is lost; forget it and go on.
                sent_at.clear();
            }
            continue;
        };
        let n = match r {
            Ok(n) => n,
            Err(e) => {
                // ECONNREFUSED arrives here when the port is closed.
                tally.failure = Some(Failure::io(&e, "receive"));
                break;
            }
        };
        let Some(seq) = parse_udp(&buf[..n], token) else {
            continue;
        };
        let rtt = sent_at.get(&seq).map(|t| t.elapsed().as_secs_f64() * 1e3);
        let anomaly = if !seen.insert(seq) {
            tally.duplicates += 1;
            Some("duplicate")
        } else if max_seen.is_some_and(|m| seq < m) {
            tally.received += 1;
            tally.reordered += 1;
            Some("reordered")
        } else {
            tally.received += 1;
            None
        };
        max_seen = Some(max_seen.map_or(seq, |m| m.max(seq)));
        if anomaly != Some("duplicate") {
            sent_at.remove(&seq);
        }
        let rtt = rtt.unwrap_or(0.0);
        if anomaly != Some("duplicate") {
            tally.rtts.push(rtt);
        }
        on_reply(&Reply {
            kind: "reply",
            seq,
            bytes: n,
            rtt_ms: rtt,
            anomaly,
        });
    }
    tally
}

fn random_token() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    t ^ (u64::from(std::process::id()) << 40) ^ 0x6e6b_6563_686f_0000
}

fn fill_udp(out: &mut [u8], token: u64, seq: u64) {
    super::fill_pattern(out, seq);
    out[..8].copy_from_slice(&token.to_be_bytes());
    out[8..16].copy_from_slice(&seq.to_be_bytes());
}

fn parse_udp(data: &[u8], token: u64) -> Option<u64> {
    if data.len() < 16 || data[..8] != token.to_be_bytes() {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[8..16]);
    Some(u64::from_be_bytes(b))
}

/// The tally of throughput mode on one connection.
#[derive(Debug, Clone, Default)]
pub struct ThroughputTally {
    /// Bytes written.
    pub sent: u64,
    /// Bytes read back and verified.
    pub received: u64,
    /// Stream offset of the first byte that came back wrong.
    pub mismatch_at: Option<u64>,
    /// From the first byte written to the last read.
    pub seconds: f64,
    /// Connect time.
    pub connect_ms: Option<f64>,
    /// What ended it early.
    pub failure: Option<Failure>,
}

/// When and how much the throughput writer writes.
struct WriteLimits {
    bytes: Option<u64>,
    deadline: Option<Instant>,
    stop: Arc<AtomicBool>,
    timeout: Duration,
}

impl WriteLimits {
    fn done(&self, off: u64) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.bytes.is_some_and(|b| off >= b)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// The next slice of the pattern to send from stream offset `off`.
    fn chunk(&self, off: u64) -> &'static [u8] {
        let p = pattern().len() as u64;
        let pos = (off % p) as usize;
        let mut len = p as usize * WRITE_PERIODS;
        if let Some(b) = self.bytes {
            len = len.min((b - off) as usize);
        }
        &repeated_pattern()[pos..pos + len]
    }
}

fn stalled() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "write stalled")
}

/// Writes the pattern by copying, from offset `off`.
async fn write_copy<W: AsyncWrite + Unpin>(
    w: &mut W,
    l: &WriteLimits,
    mut off: u64,
) -> io::Result<u64> {
    while !l.done(off) {
        let n = tokio::time::timeout(l.timeout, w.write(l.chunk(off)))
            .await
            .map_err(|_| stalled())??;
        off += n as u64;
    }
    Ok(off)
}

/// Writes the pattern without copying it: vmsplice(2) lends the static
/// pattern's pages to a pipe, splice(2) moves them to the socket. `None`
/// when the kernel refuses before anything was sent (then copy instead).
async fn write_spliced<S: super::server::EchoStream>(
    sock: &S,
    l: &WriteLimits,
) -> io::Result<Option<u64>> {
    let Ok(pipe) = super::SplicePipe::new(1 << 20) else {
        return Ok(None);
    };
    use std::os::fd::AsRawFd;
    let unsupported = |e: &io::Error| {
        matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
    };
    let (fd, mut off, mut in_pipe) = (sock.fd(), 0u64, 0usize);
    loop {
        if in_pipe == 0 {
            if l.done(off) {
                return Ok(Some(off));
            }
            match super::vmsplice(pipe.write.as_raw_fd(), l.chunk(off)) {
                Ok(n) => in_pipe = n,
                Err(e) if off == 0 && unsupported(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        tokio::time::timeout(l.timeout, sock.ready_to_write())
            .await
            .map_err(|_| stalled())??;
        match sock.try_raw(tokio::io::Interest::WRITABLE, || {
            super::splice(pipe.read.as_raw_fd(), fd, in_pipe)
        }) {
            Ok(m) => {
                in_pipe -= m;
                off += m as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if off == 0 && unsupported(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// The write half of a TCP or Unix stream, which can splice.
trait SpliceHalf: AsyncWrite + Unpin + Send {
    /// The stream behind the half.
    type Stream: super::server::EchoStream;
    /// The stream, for readiness and the descriptor.
    fn stream(&self) -> &Self::Stream;
}

impl SpliceHalf for tokio::net::tcp::OwnedWriteHalf {
    type Stream = TcpStream;
    fn stream(&self) -> &TcpStream {
        self.as_ref()
    }
}

impl SpliceHalf for tokio::net::unix::OwnedWriteHalf {
    type Stream = UnixStream;
    fn stream(&self) -> &UnixStream {
        self.as_ref()
    }
}

async fn write_stream<W: SpliceHalf>(mut w: W, l: WriteLimits) -> io::Result<u64> {
    let off = match write_spliced(w.stream(), &l).await? {
        Some(off) => off,
        None => write_copy(&mut w, &l, 0).await?,
    };
    w.shutdown().await?;
    Ok(off)
}

/// Pattern periods written per call: about 256 KiB, few syscalls.
const WRITE_PERIODS: usize = 4;

/// The pattern repeated, so any offset can be written as one slice.
fn repeated_pattern() -> &'static [u8] {
    static REPEATED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    REPEATED.get_or_init(|| pattern().repeat(WRITE_PERIODS + 1))
}

/// Streams the pattern (`bytes`, or until `duration`) and reads it back,
/// verifying every byte.
pub async fn throughput(
    ep: &Endpoint,
    bytes: Option<u64>,
    duration: Option<Duration>,
    stop: &Arc<AtomicBool>,
) -> ThroughputTally {
    let mut tally = ThroughputTally::default();
    let (conn, connect_ms) = match connect(ep).await {
        Ok(c) => c,
        Err(f) => {
            tally.failure = Some(f);
            return tally;
        }
    };
    tally.connect_ms = Some(connect_ms);
    let start = Instant::now();
    let limits = WriteLimits {
        bytes,
        deadline: duration.map(|d| start + d),
        stop: Arc::clone(stop),
        timeout: ep.timeout,
    };
    let timeout = ep.timeout;
    // The writer is a task of its own so that it runs on another core while
    // this one reads and verifies.
    let (mut rd, writer): (
        Box<dyn AsyncRead + Unpin + Send>,
        tokio::task::JoinHandle<io::Result<u64>>,
    ) = match conn {
        Conn::Tcp(s) => {
            let (r, w) = s.into_split();
            (
                Box::new(r),
                tokio::spawn(async move { write_stream(w, limits).await }),
            )
        }
        Conn::Unix(s) => {
            let (r, w) = s.into_split();
            (
                Box::new(r),
                tokio::spawn(async move { write_stream(w, limits).await }),
            )
        }
        Conn::Socks(s) => {
            let (r, mut w) = tokio::io::split(s);
            (
                Box::new(r),
                tokio::spawn(async move {
                    let off = write_copy(&mut w, &limits, 0).await?;
                    w.shutdown().await?;
                    Ok(off)
                }),
            )
        }
    };
    let reader = async {
        let mut buf = vec![0u8; 512 * 1024];
        let mut off: u64 = 0;
        loop {
            let n = tokio::time::timeout(timeout, rd.read(&mut buf))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "read stalled"))??;
            if n == 0 {
                return Ok::<(u64, Option<u64>), io::Error>((off, None));
            }
            if let Some(i) = check_pattern(&buf[..n], off) {
                return Ok((off + i as u64, Some(off + i as u64)));
            }
            off += n as u64;
        }
    };
    let r = reader.await;
    if r.is_err() || matches!(r, Ok((_, Some(_)))) {
        writer.abort();
    }
    let w = writer.await.unwrap_or_else(|e| {
        Err(io::Error::other(if e.is_cancelled() {
            "stopped"
        } else {
            "writer failed"
        }))
    });
    tally.seconds = start.elapsed().as_secs_f64();
    match w {
        Ok(sent) => tally.sent = sent,
        Err(e) => tally.failure = Some(Failure::io(&e, "send")),
    }
    match r {
        Ok((received, mismatch)) => {
            tally.received = received;
            tally.mismatch_at = mismatch;
            if let Some(at) = mismatch {
                tally.failure = Some(Failure {
                    reason: "mismatch",
                    exit: Exit::Negative,
                    message: format!("byte {at} came back different from what was sent"),
                });
            } else if tally.failure.is_none() && received < tally.sent {
                tally.failure = Some(Failure {
                    reason: "short",
                    exit: Exit::Negative,
                    message: format!("only {received} of {} bytes came back", tally.sent),
                });
            }
        }
        Err(e) => {
            if tally.failure.is_none() {
                tally.failure = Some(Failure::io(&e, "receive"));
            }
        }
    }
    tally
}

/// Failures counted by reason, for load mode.
pub fn count_failures<'a>(
    failures: impl Iterator<Item = &'a Failure>,
) -> BTreeMap<&'static str, u64> {
    let mut m = BTreeMap::new();
    for f in failures {
        *m.entry(f.reason).or_insert(0) += 1;
    }
    m
}

/// A stop flag that is never set, for callers without signals.
pub fn never() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

/// RTT statistics of several tallies together.
pub fn merged_rtts(tallies: &[PingTally]) -> RttStats {
    let mut all: Vec<f64> = tallies
        .iter()
        .flat_map(|t| t.rtts.iter().copied())
        .collect();
    RttStats::from_samples(&mut all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_payload_round_trip() {
        let mut buf = vec![0u8; 64];
        fill_udp(&mut buf, 0xabcd, 42);
        assert_eq!(parse_udp(&buf, 0xabcd), Some(42));
        assert_eq!(parse_udp(&buf, 0xabce), None, "foreign token ignored");
        assert_eq!(parse_udp(&buf[..15], 0xabcd), None);
    }
}

/// What every client run ends with.
#[derive(Debug, Clone, Serialize)]
pub struct ClientSummary {
    /// Always `"summary"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// message, ping or throughput.
    pub mode: &'static str,
    /// tcp, udp or unix.
    pub protocol: &'static str,
    /// The target (or socket path).
    pub target: String,
    /// Connections attempted.
    pub connections: u64,
    /// Connections that were established.
    pub connected: u64,
    /// Mean connect time.
    pub connect_ms: Option<f64>,
    /// Requests (or messages) sent.
    pub sent: u64,
    /// Distinct replies received.
    pub received: u64,
    /// Requests without a reply.
    pub lost: u64,
    /// Loss, percent of sent.
    pub loss_pct: f64,
    /// Replies received twice (UDP).
    pub duplicates: u64,
    /// Replies after a later one (UDP).
    pub reordered: u64,
    /// Round-trip statistics.
    pub rtt: RttStats,
    /// Round trips per second over the run.
    pub round_trips_per_s: Option<f64>,
    /// Bytes written (throughput and message modes).
    pub bytes_sent: u64,
    /// Bytes read back (and verified, in throughput mode).
    pub bytes_received: u64,
    /// Throughput mode: stream offset of the first wrong byte.
    pub mismatch_at: Option<u64>,
    /// Throughput mode: verified bytes per second, in MB (10^6).
    pub mb_per_s: Option<f64>,
    /// Message mode: what came back, as text.
    pub reply: Option<String>,
    /// Message mode: whether it equals what was sent.
    pub matched: Option<bool>,
    /// How long the run took.
    pub duration_ms: f64,
    /// Failed connections or round trips, by reason (`{}` when none).
    pub failures: BTreeMap<&'static str, u64>,
    /// The first failure messages, for people.
    pub errors: Vec<String>,
    /// CI thresholds crossed.
    pub thresholds: Vec<String>,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
}

impl ClientSummary {
    /// An empty summary for this endpoint and mode.
    pub fn new(ep: &Endpoint, mode: &'static str) -> Self {
        ClientSummary {
            kind: "summary",
            mode,
            protocol: ep.transport.name(),
            target: ep.label(),
            connections: 0,
            connected: 0,
            connect_ms: None,
            sent: 0,
            received: 0,
            lost: 0,
            loss_pct: 0.0,
            duplicates: 0,
            reordered: 0,
            rtt: RttStats::default(),
            round_trips_per_s: None,
            bytes_sent: 0,
            bytes_received: 0,
            mismatch_at: None,
            mb_per_s: None,
            reply: None,
            matched: None,
            duration_ms: 0.0,
            failures: BTreeMap::new(),
            errors: Vec::new(),
            thresholds: Vec::new(),
            interrupted: false,
        }
    }

    /// Records a failure.
    pub fn fail(&mut self, f: &Failure) {
        *self.failures.entry(f.reason).or_insert(0) += 1;
        if self.errors.len() < 5 {
            self.errors.push(f.message.clone());
        }
    }
}
