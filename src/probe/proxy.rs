//! Proxies: SOCKS5 (`socks5://[user:pass@]host:port`, netkit resolves the
//! target; `socks5h://...`, the proxy resolves it) and HTTP CONNECT
//! (`http://[user:pass@]host:port`). Lengths are checked before anything is
//! sent: a SOCKS5 name holds at most 255 bytes.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{Failure, NetkitError, Result};
use crate::exit::Reason;
use crate::probe::diagnose::http::Stream;

/// Which protocol the proxy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5; `remote_dns` for socks5h.
    Socks5 {
        /// The proxy resolves names (socks5h).
        remote_dns: bool,
    },
    /// HTTP CONNECT (the proxy always resolves names).
    HttpConnect,
}

/// A proxy to connect through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// SOCKS5 or HTTP CONNECT.
    pub kind: ProxyKind,
    /// host:port of the proxy.
    pub address: String,
    /// Username and password, if any (RFC 1929 for SOCKS5, Basic for HTTP).
    pub auth: Option<(String, String)>,
}

impl Proxy {
    /// Whether the proxy resolves the target's name.
    pub fn remote_dns(&self) -> bool {
        match self.kind {
            ProxyKind::Socks5 { remote_dns } => remote_dns,
            ProxyKind::HttpConnect => true,
        }
    }

    /// socks5, socks5h or http.
    pub fn scheme(&self) -> &'static str {
        match self.kind {
            ProxyKind::Socks5 { remote_dns: true } => "socks5h",
            ProxyKind::Socks5 { remote_dns: false } => "socks5",
            ProxyKind::HttpConnect => "http",
        }
    }
}

impl std::str::FromStr for Proxy {
    type Err = NetkitError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid proxy '{}': {why}",
                crate::sanitize::brief(text, 100)
            ))
        };
        let (kind, rest) = if let Some(r) = text.strip_prefix("socks5h://") {
            (ProxyKind::Socks5 { remote_dns: true }, r)
        } else if let Some(r) = text.strip_prefix("socks5://") {
            (ProxyKind::Socks5 { remote_dns: false }, r)
        } else if let Some(r) = text.strip_prefix("http://") {
            (ProxyKind::HttpConnect, r)
        } else {
            return Err(bad(
                "expected socks5://[user:pass@]host:port, socks5h://... or http://host:port",
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((creds, hp)) => {
                let (user, pass) = creds
                    .split_once(':')
                    .ok_or_else(|| bad("credentials are user:pass"))?;
                if user.is_empty() || user.len() > 255 || pass.len() > 255 {
                    return Err(bad("user and password are 1-255 bytes"));
                }
                (Some((user.to_string(), pass.to_string())), hp)
            }
            None => (None, rest),
        };
        let hp = crate::addr::parse_host_port(hostport).map_err(|_| bad("expected host:port"))?;
        let port = hp.port.ok_or_else(|| bad("missing :port"))?;
        Ok(Proxy {
            kind,
            address: hp.with_port(port),
            auth,
        })
    }
}

/// Where to go through the proxy.
#[derive(Debug, Clone)]
pub enum Dest {
    /// An address netkit resolved.
    Addr(SocketAddr),
    /// A name the proxy resolves, and the port.
    Name(String, u16),
}

impl std::fmt::Display for Dest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dest::Addr(a) => write!(f, "{a}"),
            Dest::Name(n, p) if n.contains(':') => write!(f, "[{n}]:{p}"),
            Dest::Name(n, p) => write!(f, "{n}:{p}"),
        }
    }
}

/// The most bytes of a proxy's answer read (HTTP CONNECT's head).
const MAX_PROXY_HEAD: usize = 16 * 1024;

/// A name sent to a proxy holds at most 255 bytes (SOCKS5's length byte).
fn check_dest(dest: &Dest) -> std::result::Result<(), Failure> {
    match dest {
        Dest::Name(name, _) if name.len() > 255 => Err(Failure::new(
            Reason::Invalid,
            format!(
                "a name sent to a proxy holds at most 255 bytes ({} given)",
                name.len()
            ),
        )),
        _ => Ok(()),
    }
}

/// Connects to `dest` through the proxy within `timeout`.
pub async fn connect(
    proxy: &Proxy,
    dest: &Dest,
    timeout: Duration,
) -> std::result::Result<Box<dyn Stream>, Failure> {
    // Refused before connecting, not only before sending.
    check_dest(dest)?;
    let work = async {
        let s = reach_now(proxy).await?;
        handshake(s, proxy, dest).await
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| Failure::timeout(format!("proxy {}", proxy.address), timeout))?
}

/// Connects to the proxy itself within `timeout` (the first half of
/// [`connect`], timed on its own by diagnose).
pub async fn reach(proxy: &Proxy, timeout: Duration) -> std::result::Result<TcpStream, Failure> {
    tokio::time::timeout(timeout, reach_now(proxy))
        .await
        .map_err(|_| Failure::timeout(format!("proxy {}", proxy.address), timeout))?
}

async fn reach_now(proxy: &Proxy) -> std::result::Result<TcpStream, Failure> {
    let s = TcpStream::connect(proxy.address.as_str())
        .await
        .map_err(|e| Failure::io(&e, format!("proxy {}", proxy.address)))?;
    let _ = s.set_nodelay(true);
    Ok(s)
}

/// The proxy's half of the conversation over `stream`, already connected
/// to the proxy: what a hostile proxy can answer is confined here (and
/// fuzzed: `fuzz/fuzz_targets/proxy_reply.rs`).
pub async fn handshake<S>(
    stream: S,
    proxy: &Proxy,
    dest: &Dest,
) -> std::result::Result<Box<dyn Stream>, Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    check_dest(dest)?;
    match proxy.kind {
        ProxyKind::Socks5 { .. } => socks5_over(stream, proxy, dest).await,
        ProxyKind::HttpConnect => http_connect_over(stream, proxy, dest).await,
    }
}

async fn socks5_over<S>(
    stream: S,
    proxy: &Proxy,
    dest: &Dest,
) -> std::result::Result<Box<dyn Stream>, Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use tokio_socks::tcp::Socks5Stream;
    let target: tokio_socks::TargetAddr<'_> = match dest {
        Dest::Addr(a) => tokio_socks::TargetAddr::Ip(*a),
        Dest::Name(n, p) => tokio_socks::TargetAddr::Domain(n.as_str().into(), *p),
    };
    let result = match &proxy.auth {
        Some((user, pass)) => {
            Socks5Stream::connect_with_password_and_socket(stream, target, user, pass).await
        }
        None => Socks5Stream::connect_with_socket(stream, target).await,
    };
    let s = result.map_err(|e| match e {
        tokio_socks::Error::Io(io) => Failure::io(&io, format!("proxy {}", proxy.address)),
        other => Failure::new(
            Reason::Proxy,
            crate::sanitize::brief(&format!("proxy {}: {other}", proxy.address), 200),
        ),
    })?;
    Ok(Box::new(s))
}

async fn http_connect_over<S>(
    mut s: S,
    proxy: &Proxy,
    dest: &Dest,
) -> std::result::Result<Box<dyn Stream>, Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let net = |e: std::io::Error| Failure::io(&e, format!("proxy {}", proxy.address));
    let authority = dest.to_string();
    let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some((u, p)) = &proxy.auth {
        req.push_str(&format!(
            "Proxy-Authorization: Basic {}\r\n",
            base64(format!("{u}:{p}").as_bytes())
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.map_err(net)?;
    let mut buf = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    // Byte by byte up to the blank line: nothing after the head may be
    // taken from the tunnel.
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() >= MAX_PROXY_HEAD {
            return Err(Failure::new(
                Reason::Proxy,
                format!("proxy {}: answer head too large", proxy.address),
            ));
        }
        // Where the proxy let go: before its answer, or inside it.
        let at = if buf.is_empty() {
            format!("after the CONNECT to {authority}, before its answer")
        } else {
            format!("{} bytes into its answer to the CONNECT", buf.len())
        };
        let n = s
            .read(&mut byte)
            .await
            .map_err(|e| Failure::io(&e, format!("proxy {}, {at}", proxy.address)))?;
        if n == 0 {
            return Err(Failure::new(
                Reason::Proxy,
                format!("proxy {} closed the connection {at}", proxy.address),
            ));
        }
        buf.push(byte[0]);
    }
    let mut hdrs = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut hdrs);
    match resp.parse(&buf) {
        Ok(httparse::Status::Complete(_)) if resp.code.is_some_and(|c| (200..300).contains(&c)) => {
            Ok(Box::new(s))
        }
        Ok(httparse::Status::Complete(_)) => Err(Failure::new(
            Reason::Proxy,
            format!(
                "proxy {} answered {} {}",
                proxy.address,
                resp.code.unwrap_or(0),
                crate::sanitize::brief(resp.reason.unwrap_or(""), 100)
            ),
        )),
        _ => Err(Failure::new(
            Reason::Proxy,
            format!("proxy {}: not an HTTP answer", proxy.address),
        )),
    }
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p: Proxy = "socks5://127.0.0.1:1080".parse().unwrap();
        assert_eq!(
            (p.address.as_str(), p.auth.is_none(), p.remote_dns()),
            ("127.0.0.1:1080", true, false)
        );
        let p: Proxy = "socks5h://u:p@[::1]:1080/".parse().unwrap();
        assert_eq!(
            (p.address.as_str(), p.auth.clone(), p.remote_dns()),
            ("[::1]:1080", Some(("u".into(), "p".into())), true)
        );
        let p: Proxy = "http://proxy.example.test:3128".parse().unwrap();
        assert_eq!(
            (p.kind, p.address.as_str()),
            (ProxyKind::HttpConnect, "proxy.example.test:3128")
        );
        for bad in [
            "ftp://x:1",
            "socks5://x",
            "socks5://:1080",
            "socks5://x:0",
            "socks5://u@x:1",
            "socks5://x:99999",
        ] {
            assert!(bad.parse::<Proxy>().is_err(), "{bad}");
        }
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn long_names_are_refused_before_anything_is_sent() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let p: Proxy = "socks5h://127.0.0.1:9".parse().unwrap();
        let f = rt
            .block_on(connect(
                &p,
                &Dest::Name("a".repeat(300), 80),
                Duration::from_secs(1),
            ))
            .err()
            .unwrap();
        assert_eq!(f.reason, Reason::Invalid);
    }
}
