//! A DNS server as a value: where it is (an address, or a name resolved
//! under the command's deadline, each of its addresses tried in order) and
//! how it is spoken to (the transport, carrying its TLS, HTTPS or QUIC
//! settings), as hickory's `NameServerConfig` carries its `ProtocolConfig`.
//!
//! [`parse`] has no side effects: it reads the text into a [`ServerSpec`].
//! [`ServerSpec::build`] resolves the name and builds the settings into a
//! [`Server`], which every query takes; the per-server connection state
//! ([`super::link`]) is keyed by the whole `Server`, so two servers at one
//! address with two transports never share one by accident.

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use serde::Serialize;

use crate::addr::Host;
use crate::deadline::Deadline;
use crate::error::{Failure, NetkitError, Result};
use crate::exit::Reason;
use crate::sanitize::{brief, escape};
use crate::tls::RecordingVerifier;

/// How a server was asked to be spoken to, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// UDP, TCP when an answer is truncated (a bare address, `udp://`).
    Udp,
    /// TCP only (`tcp://`, or `--tcp`).
    Tcp,
    /// DNS over TLS (RFC 7858, `tls://`, port 853).
    Tls,
    /// DNS over HTTPS (RFC 8484, HTTP/2, `https://`, port 443) at a path.
    Https {
        /// The URI's path (`/dns-query` unless given).
        path: String,
    },
    /// DNS over QUIC (RFC 9250, `quic://`, UDP port 853).
    Quic,
}

impl Scheme {
    fn default_port(&self) -> u16 {
        match self {
            Scheme::Udp | Scheme::Tcp => 53,
            Scheme::Tls | Scheme::Quic => 853,
            Scheme::Https { .. } => 443,
        }
    }

    /// Whether it is DNS over TLS, HTTPS or QUIC.
    pub fn encrypted(&self) -> bool {
        matches!(self, Scheme::Tls | Scheme::Https { .. } | Scheme::Quic)
    }
}

/// A server as given on the command line, not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    /// The text as given (for messages).
    pub text: String,
    /// An address, or a name to resolve.
    pub host: Host,
    /// The port (the scheme's default unless given).
    pub port: u16,
    /// Whether the text gave the port.
    pub port_given: bool,
    /// The transport asked for.
    pub scheme: Scheme,
}

/// Parses `ADDRESS[:PORT]`, `NAME[:PORT]`, `udp://`, `tcp://`,
/// `tls://HOST[:PORT]` (DNS over TLS, 853), `https://HOST[:PORT][/PATH]`
/// (DNS over HTTPS, 443, `/dns-query`) and `quic://HOST[:PORT]` (DNS over
/// QUIC, 853), with or without a leading `@`. Nothing is resolved here.
pub fn parse(text: &str) -> Result<ServerSpec> {
    let t = text.trim().trim_start_matches('@');
    let bad = |why: &str| {
        NetkitError::invalid(format!("invalid DNS server '{}': {why}", brief(text, 64)))
    };
    let (scheme, rest) = if let Some(r) = t.strip_prefix("udp://") {
        (Scheme::Udp, r.trim_end_matches('/'))
    } else if let Some(r) = t.strip_prefix("tcp://") {
        (Scheme::Tcp, r.trim_end_matches('/'))
    } else if let Some(r) = t.strip_prefix("tls://") {
        (Scheme::Tls, r.trim_end_matches('/'))
    } else if let Some(r) = t.strip_prefix("quic://") {
        (Scheme::Quic, r.trim_end_matches('/'))
    } else if let Some(r) = t.strip_prefix("https://") {
        let (hostport, path) = match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, "/dns-query"),
        };
        if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(bad("the path cannot hold spaces or control characters"));
        }
        let path = if path == "/" { "/dns-query" } else { path };
        (
            Scheme::Https {
                path: path.to_string(),
            },
            hostport,
        )
    } else if t.starts_with("h3://") {
        return Err(NetkitError::invalid(format!(
            "'{}': DNS over HTTP/3 is not built into netkit; quic://HOST is DNS over QUIC, https://HOST DNS over HTTPS (HTTP/2)",
            brief(text, 64)
        )));
    } else if let Some((scheme, _)) = t.split_once("://") {
        return Err(bad(&format!(
            "unknown scheme '{}': give ADDRESS[:PORT], udp://, tcp://, tls://, https:// or quic://",
            brief(scheme, 16)
        )));
    } else {
        (Scheme::Udp, t)
    };
    let form = match scheme {
        Scheme::Https { .. } => "give https://HOST[:PORT][/PATH]",
        Scheme::Udp if !t.contains("://") => {
            "give an address or a name, optionally :PORT (or kdig's #PORT, @PORT)"
        }
        _ => "give HOST[:PORT] after the scheme",
    };
    // A port out of range says so; anything else gets the form to give.
    let why = |e: NetkitError| {
        let text = e.to_string();
        match text.find(": port '") {
            Some(i) => bad(&text[i + 2..]),
            None => bad(form),
        }
    };
    let hp = match kdig_port(rest) {
        // kdig's ADDRESS@PORT and ADDRESS#PORT (dnsmasq's and unbound's
        // notation too): `@127.0.0.1#5353`, `@::1@5353`.
        Some((host, port)) if !matches!(scheme, Scheme::Https { .. }) => {
            let mut hp = crate::addr::parse_host_port(host).map_err(why)?;
            if hp.port.is_some() {
                return Err(bad("two ports given"));
            }
            hp.port = Some(crate::addr::parse_port(port, text).map_err(why)?);
            hp
        }
        _ => crate::addr::parse_host_port(rest).map_err(why)?,
    };
    // A port notation gone wrong (`127.0.0.1#`, `ns#5x`), not a host.
    if let crate::addr::Host::Name(n) = &hp.host
        && n.contains(['#', '@'])
    {
        return Err(bad(form));
    }
    Ok(ServerSpec {
        text: text.trim().to_string(),
        port: hp.port_or(scheme.default_port()),
        port_given: hp.port.is_some(),
        host: hp.host,
        scheme,
    })
}

/// `HOST#PORT` or `HOST@PORT` (the last `#` or `@`, digits after it).
fn kdig_port(text: &str) -> Option<(&str, &str)> {
    let i = text.rfind(['#', '@'])?;
    let (host, port) = (&text[..i], &text[i + 1..]);
    (!host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        .then_some((host, port))
}

/// How encrypted servers are verified.
#[derive(Debug, Clone, Copy, Default)]
pub struct TlsOpts<'a> {
    /// PEM trust anchors instead of the system's store.
    pub ca_file: Option<&'a Path>,
    /// The name the certificate must hold (else the server's name, or its
    /// address).
    pub name: Option<&'a str>,
}

/// What [`ServerSpec::build`] needs besides the spec.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOpts<'a> {
    /// Verification of encrypted servers.
    pub tls: TlsOpts<'a>,
    /// `--tcp`: plain servers over TCP only.
    pub tcp: bool,
}

/// The addresses of a server, and the name they came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The name as given, when the server was named rather than addressed.
    pub name: Option<String>,
    /// Its addresses, tried in this order (never empty).
    pub addrs: Arc<[SocketAddr]>,
}

/// TLS to a server: the connector, the name its certificate must hold
/// (and the SNI sent), and the verifier that records why it refused one.
pub struct TlsCfg {
    /// rustls, with the trust store to verify against.
    pub connector: tokio_rustls::TlsConnector,
    /// The name (or address) the certificate is checked for.
    pub name: ServerName<'static>,
    /// The verdict of the last handshake, with its reason.
    pub verifier: Arc<RecordingVerifier>,
}

/// DNS over HTTPS settings.
pub struct DohCfg {
    /// TLS to the server (ALPN h2).
    pub tls: TlsCfg,
    /// The authority sent (`host[:port]`).
    pub authority: String,
    /// The path (`/dns-query` by default).
    pub path: String,
}

/// DNS over QUIC settings.
pub struct DoqCfg {
    /// QUIC over rustls (ALPN doq).
    pub config: quinn::ClientConfig,
    /// The certificate's name (or the address), also the SNI.
    pub name: String,
    /// The verdict of the last handshake, with its reason.
    pub verifier: Arc<RecordingVerifier>,
}

/// How a server is spoken to.
#[derive(Clone)]
pub enum Transport {
    /// UDP, TCP when an answer is truncated or the server rate-limits.
    Udp,
    /// TCP only.
    Tcp,
    /// DNS over TLS.
    Tls(Arc<TlsCfg>),
    /// DNS over HTTPS.
    Https(Arc<DohCfg>),
    /// DNS over QUIC.
    Quic(Arc<DoqCfg>),
}

/// A transport's name in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TransportName {
    /// Plain DNS over UDP.
    Udp,
    /// Plain DNS over TCP.
    Tcp,
    /// DNS over TLS.
    Tls,
    /// DNS over HTTPS.
    Https,
    /// DNS over QUIC.
    Quic,
}

impl TransportName {
    /// As in JSON and human output.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportName::Udp => "udp",
            TransportName::Tcp => "tcp",
            TransportName::Tls => "tls",
            TransportName::Https => "https",
            TransportName::Quic => "quic",
        }
    }
}

impl std::fmt::Display for TransportName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Transport {
    /// Its name.
    pub fn name(&self) -> TransportName {
        match self {
            Transport::Udp => TransportName::Udp,
            Transport::Tcp => TransportName::Tcp,
            Transport::Tls(_) => TransportName::Tls,
            Transport::Https(_) => TransportName::Https,
            Transport::Quic(_) => TransportName::Quic,
        }
    }

    /// The settings' identity: two encrypted servers are one only if they
    /// were built as one.
    fn settings(&self) -> usize {
        match self {
            Transport::Udp | Transport::Tcp => 0,
            Transport::Tls(c) => Arc::as_ptr(c) as usize,
            Transport::Https(c) => Arc::as_ptr(c) as usize,
            Transport::Quic(c) => Arc::as_ptr(c) as usize,
        }
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name().as_str())
    }
}

/// A server: where, and how.
#[derive(Debug, Clone)]
pub struct Server {
    /// Its addresses.
    pub endpoint: Endpoint,
    /// The transport, with its settings.
    pub transport: Transport,
    /// The local address queries go from (`-b`); the system's choice when
    /// `None`.
    pub source: Option<IpAddr>,
}

/// How servers found on the way (resolv.conf's, referrals) are asked:
/// over TCP only or not, and from which local address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plain {
    /// `--tcp`.
    pub tcp: bool,
    /// `-b ADDR`.
    pub source: Option<IpAddr>,
}

impl Plain {
    /// The server at `addr`, asked this way.
    pub fn at(&self, addr: SocketAddr) -> Server {
        Server {
            source: self.source,
            ..Server::plain(addr, self.tcp)
        }
    }
}

impl PartialEq for Server {
    fn eq(&self, other: &Self) -> bool {
        self.endpoint == other.endpoint
            && self.source == other.source
            && self.transport.name() == other.transport.name()
            && self.transport.settings() == other.transport.settings()
    }
}

impl Eq for Server {}

impl Hash for Server {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.endpoint.hash(state);
        self.source.hash(state);
        self.transport.name().hash(state);
        self.transport.settings().hash(state);
    }
}

impl Server {
    /// A plain server at `addr` (servers found on the way: referrals,
    /// resolv.conf), over UDP or TCP only.
    pub fn plain(addr: SocketAddr, tcp: bool) -> Server {
        Server {
            endpoint: Endpoint {
                name: None,
                addrs: Arc::from([addr]),
            },
            transport: if tcp { Transport::Tcp } else { Transport::Udp },
            source: None,
        }
    }

    /// The local address to bind before talking to `peer`: `-b`'s, else
    /// the unspecified address of `peer`'s family; port 0.
    pub fn local_for(&self, peer: IpAddr) -> SocketAddr {
        match self.source {
            Some(ip) => SocketAddr::new(ip, 0),
            None => crate::addr::any_for(peer),
        }
    }

    /// How this server's peers are asked (a referral's servers).
    pub fn plain_opts(&self) -> Plain {
        Plain {
            tcp: matches!(self.transport, Transport::Tcp),
            source: self.source,
        }
    }

    /// Its first address.
    pub fn addr(&self) -> SocketAddr {
        self.endpoint.addrs[0]
    }

    /// A plain server at another address, over the same plain transport
    /// (TCP only if this one is).
    pub fn plain_like(&self, addr: SocketAddr) -> Server {
        self.plain_opts().at(addr)
    }
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match self.transport {
            Transport::Udp => "",
            Transport::Tcp => "tcp://",
            Transport::Tls(_) => "tls://",
            Transport::Https(_) => "https://",
            Transport::Quic(_) => "quic://",
        };
        match &self.endpoint.name {
            Some(n) => write!(f, "{scheme}{}:{}", escape(n), self.addr().port()),
            None => write!(f, "{scheme}{}", self.addr()),
        }
    }
}

impl ServerSpec {
    /// Resolves the name (the system resolver, until `deadline`) and
    /// builds the transport's settings. A name that does not resolve is a
    /// resolution failure (exit 3), a bad `--ca-file` or `--tls-name` a
    /// usage error.
    pub fn build(&self, opts: &BuildOpts<'_>, deadline: Deadline) -> Result<Server> {
        if opts.tcp && matches!(self.scheme, Scheme::Quic | Scheme::Https { .. }) {
            return Err(NetkitError::invalid(format!(
                "--tcp does not go with {}: DNS over {} has its own transport",
                brief(&self.text, 64),
                if self.scheme == Scheme::Quic {
                    "QUIC"
                } else {
                    "HTTPS"
                }
            )));
        }
        let endpoint = self.endpoint(deadline)?;
        let transport = match &self.scheme {
            Scheme::Udp if opts.tcp => Transport::Tcp,
            Scheme::Udp => Transport::Udp,
            Scheme::Tcp => Transport::Tcp,
            Scheme::Tls => Transport::Tls(Arc::new(self.tls(&endpoint, &opts.tls, b"dot")?)),
            Scheme::Https { path } => {
                let tls = self.tls(&endpoint, &opts.tls, b"h2")?;
                let authority = match &tls.name {
                    ServerName::DnsName(n) => format!("{}:{}", n.as_ref(), self.port),
                    _ => endpoint.addrs[0].to_string(),
                };
                Transport::Https(Arc::new(DohCfg {
                    tls,
                    authority,
                    path: path.clone(),
                }))
            }
            Scheme::Quic => {
                let (config, verifier) =
                    crate::tls::client_config(opts.tls.ca_file, false, &[b"doq"])?;
                let name = match self.cert_name(&endpoint, &opts.tls)? {
                    ServerName::DnsName(n) => n.as_ref().to_string(),
                    _ => endpoint.addrs[0].ip().to_string(),
                };
                let crypto = quinn::crypto::rustls::QuicClientConfig::try_from(config)
                    .map_err(|e| NetkitError::invalid(format!("QUIC: {e}")))?;
                Transport::Quic(Arc::new(DoqCfg {
                    config: quinn::ClientConfig::new(Arc::new(crypto)),
                    name,
                    verifier,
                }))
            }
        };
        Ok(Server {
            endpoint,
            transport,
            source: None,
        })
    }

    /// The addresses: the one given, or the name's, in the resolver's order.
    fn endpoint(&self, deadline: Deadline) -> Result<Endpoint> {
        let name = match &self.host {
            Host::Ip { ip, .. } => {
                return Ok(Endpoint {
                    name: None,
                    addrs: Arc::from([SocketAddr::new(*ip, self.port)]),
                });
            }
            Host::Name(n) => n.clone(),
        };
        let what = format!("resolving the DNS server {}", escape(&name));
        let owned = name.clone();
        let found = crate::deadline::within(&what, deadline, move || {
            crate::resolve::stream_addresses(&owned, libc::AF_UNSPEC)
        })?;
        let ips = found?.map_err(|e| {
            let f = e.failure();
            // A server that cannot be found is not a "no" for the names
            // asked of it.
            let reason = match f.reason {
                Reason::NotFound | Reason::Nodata => Reason::ResolverFailure,
                r => r,
            };
            Failure::new(reason, format!("{what}: {}", f.message))
        })?;
        if ips.is_empty() {
            return Err(Failure::new(
                Reason::ResolverFailure,
                format!("{what}: it has no address"),
            )
            .into());
        }
        let addrs: Vec<SocketAddr> = ips
            .into_iter()
            .map(|ip: IpAddr| SocketAddr::new(ip, self.port))
            .collect();
        Ok(Endpoint {
            name: Some(name),
            addrs: Arc::from(addrs),
        })
    }

    /// The name the certificate must hold: `--tls-name`, else the server's
    /// name, else its address.
    fn cert_name(&self, endpoint: &Endpoint, tls: &TlsOpts<'_>) -> Result<ServerName<'static>> {
        let bad = |n: &str| {
            NetkitError::invalid(format!(
                "invalid DNS server '{}': '{}' is not a valid certificate name",
                brief(&self.text, 64),
                brief(n, 64)
            ))
        };
        match (tls.name, &endpoint.name) {
            (Some(n), _) => ServerName::try_from(n.to_string()).map_err(|_| bad(n)),
            (None, Some(n)) => {
                let n = n.trim_end_matches('.');
                ServerName::try_from(n.to_string()).map_err(|_| bad(n))
            }
            (None, None) => Ok(ServerName::IpAddress(endpoint.addrs[0].ip().into())),
        }
    }

    fn tls(&self, endpoint: &Endpoint, tls: &TlsOpts<'_>, alpn: &[u8]) -> Result<TlsCfg> {
        let (config, verifier) = crate::tls::client_config(tls.ca_file, false, &[alpn])?;
        Ok(TlsCfg {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            name: self.cert_name(endpoint, tls)?,
            verifier,
        })
    }
}

/// Builds every server of `specs` under one deadline, in order.
pub fn build_all(
    specs: &[ServerSpec],
    opts: &BuildOpts<'_>,
    deadline: Deadline,
) -> Result<Vec<Server>> {
    specs.iter().map(|s| s.build(opts, deadline)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn spec(t: &str) -> (String, u16, Scheme) {
        let s = parse(t).unwrap();
        (s.host.text(), s.port, s.scheme)
    }

    #[test]
    fn forms() {
        let https = |p: &str| Scheme::Https { path: p.into() };
        let table: &[(&str, (&str, u16, Scheme))] = &[
            ("127.0.0.1", ("127.0.0.1", 53, Scheme::Udp)),
            ("@127.0.0.1:5353", ("127.0.0.1", 5353, Scheme::Udp)),
            ("::1", ("::1", 53, Scheme::Udp)),
            ("[::1]:5300", ("::1", 5300, Scheme::Udp)),
            ("ns.example.test", ("ns.example.test", 53, Scheme::Udp)),
            ("udp://127.0.0.1", ("127.0.0.1", 53, Scheme::Udp)),
            ("tcp://127.0.0.1:54", ("127.0.0.1", 54, Scheme::Tcp)),
            ("tls://127.0.0.1", ("127.0.0.1", 853, Scheme::Tls)),
            (
                "tls://dns.example.test:8853/",
                ("dns.example.test", 8853, Scheme::Tls),
            ),
            (
                "quic://dns.example.test",
                ("dns.example.test", 853, Scheme::Quic),
            ),
            (
                "https://dns.example.test",
                ("dns.example.test", 443, https("/dns-query")),
            ),
            (
                "https://dns.example.test/",
                ("dns.example.test", 443, https("/dns-query")),
            ),
            (
                "https://[::1]:8443/q{?dns}",
                ("::1", 8443, https("/q{?dns}")),
            ),
            // kdig's (and dnsmasq's, unbound's) port notations.
            ("@127.0.0.1#5353", ("127.0.0.1", 5353, Scheme::Udp)),
            ("127.0.0.1@5353", ("127.0.0.1", 5353, Scheme::Udp)),
            ("::1#5353", ("::1", 5353, Scheme::Udp)),
            ("@::1@5353", ("::1", 5353, Scheme::Udp)),
            ("[::1]#5353", ("::1", 5353, Scheme::Udp)),
            ("ns.example.test#54", ("ns.example.test", 54, Scheme::Udp)),
            ("tcp://127.0.0.1#54", ("127.0.0.1", 54, Scheme::Tcp)),
        ];
        for (text, (host, port, scheme)) in table {
            assert_eq!(
                spec(text),
                (host.to_string(), *port, scheme.clone()),
                "{text}"
            );
        }
        for bad in [
            "",
            "1.2.3.4:0",
            "1.2.3.4:x",
            "[::1",
            "ftp://1.2.3.4",
            "tls://",
            "https:///x",
            "https://a/b c",
            "h3://127.0.0.1",
            "127.0.0.1:53#54",
            "127.0.0.1#0",
            "127.0.0.1#70000",
            "127.0.0.1#",
            "#53",
            "127.0.0.1#5x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_address_needs_no_resolver_and_transports_stay_apart() {
        let d = Deadline::after(Duration::from_secs(5));
        let opts = BuildOpts::default();
        let plain = parse("127.0.0.1:853").unwrap().build(&opts, d).unwrap();
        let tls = parse("tls://127.0.0.1:853")
            .unwrap()
            .build(&opts, d)
            .unwrap();
        assert_eq!(plain.addr(), tls.addr());
        assert_eq!(plain.transport.name(), TransportName::Udp);
        assert_eq!(tls.transport.name(), TransportName::Tls);
        assert_ne!(plain, tls, "one address, two transports: two servers");
        let quic = parse("quic://127.0.0.1:853")
            .unwrap()
            .build(&opts, d)
            .unwrap();
        assert_ne!(tls, quic);
        assert_eq!(tls.clone(), tls, "a clone is the same server");
        assert_eq!(Server::plain(plain.addr(), false), plain);
        let tcp = BuildOpts { tcp: true, ..opts };
        let t = parse("127.0.0.1").unwrap().build(&tcp, d).unwrap();
        assert_eq!(t.transport.name(), TransportName::Tcp);
        assert!(parse("quic://127.0.0.1").unwrap().build(&tcp, d).is_err());
        assert_eq!(tls.to_string(), "tls://127.0.0.1:853");
    }
}
