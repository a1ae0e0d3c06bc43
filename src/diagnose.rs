//! Connection diagnosis: a connection taken apart into timed phases
//! (resolve, connect per address, TLS, HTTP request), the failing phase
//! classified as the seed's `diagnose_connection` does, with a hint; and a
//! self-check of this host's network stack.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{NetkitError, Result};
use crate::exit::Exit;
use crate::probe;
use crate::proxy::Socks5Proxy;
use crate::resolve::{self, AiHints};

/// What to diagnose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As given.
    pub text: String,
    /// `tcp`, `http` or `https`.
    pub scheme: &'static str,
    /// Host name or address (no brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Request path, for HTTP.
    pub path: String,
}

impl Target {
    /// Parses `host:port`, `[v6]:port`, `http://host[:port][/path]`,
    /// `https://...`.
    pub fn parse(text: &str) -> Result<Target> {
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid target '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        let (scheme, rest) = if let Some(r) = text.strip_prefix("http://") {
            ("http", r)
        } else if let Some(r) = text.strip_prefix("https://") {
            ("https", r)
        } else if text.contains("://") {
            return Err(bad("only http:// and https:// URLs, or HOST:PORT"));
        } else {
            ("tcp", text)
        };
        let (authority, path) = match rest.find('/') {
            Some(i) if scheme != "tcp" => (&rest[..i], rest[i..].to_string()),
            Some(_) => return Err(bad("HOST:PORT has no path; use http://HOST/PATH")),
            None => (rest, "/".to_string()),
        };
        if authority.contains('@') {
            return Err(bad("credentials in the URL are not supported"));
        }
        let default_port = match scheme {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        };
        let hp = crate::echo::HostPort::parse(authority, default_port.unwrap_or(0))
            .map_err(|_| bad("expected HOST:PORT"))?;
        if hp.port == 0 {
            return Err(bad("a port is needed: HOST:PORT"));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("the path cannot hold spaces or control characters"));
        }
        Ok(Target {
            text: text.to_string(),
            scheme,
            host: hp.host,
            port: hp.port,
            path,
        })
    }
}

/// How to diagnose.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bounds each phase.
    pub timeout: Duration,
    /// `-4`/`-6`: AF_INET or AF_INET6, else AF_UNSPEC.
    pub family: i32,
    /// TLS even for a bare HOST:PORT.
    pub tls: bool,
    /// An HTTP request even for a bare HOST:PORT.
    pub http: bool,
    /// Go on past a certificate that fails verification.
    pub insecure: bool,
    /// Trust these CAs (PEM) instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// Through a SOCKS5 proxy.
    pub proxy: Option<Socks5Proxy>,
    /// The HTTP status expected (else: below 400).
    pub expect_status: Option<u16>,
}

/// One phase's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    /// resolve, connect, tls, request.
    pub name: &'static str,
    /// ok, failed, skipped or not_reached.
    pub status: &'static str,
    /// How long it took (null when not reached or skipped).
    pub duration_ms: Option<f64>,
    /// What happened, for people.
    pub detail: String,
}

/// One connect attempt.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectAttempt {
    /// address:port (or the proxy's target).
    pub address: String,
    /// open, closed, filtered, unreachable, error.
    pub state: &'static str,
    /// Why, when not open.
    pub reason: Option<&'static str>,
    /// How long.
    pub duration_ms: f64,
}

/// What the TLS handshake showed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TlsInfo {
    /// TLSv1.3, TLSv1.2.
    pub version: Option<String>,
    /// The cipher suite.
    pub cipher: Option<String>,
    /// The negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The certificate's subject.
    pub subject: Option<String>,
    /// Its issuer.
    pub issuer: Option<String>,
    /// Its subject alternative names.
    pub sans: Vec<String>,
    /// Not valid after (RFC 3339-like).
    pub not_after: Option<String>,
    /// Days until expiry (negative: expired).
    pub days_left: Option<i64>,
    /// Whether the chain verified for the host name.
    pub verified: bool,
    /// Why not: expired, not_yet_valid, wrong_host, self_signed, unknown_issuer, other.
    pub verify_error: Option<String>,
}

/// What the HTTP request got back.
#[derive(Debug, Clone, Serialize)]
pub struct HttpInfo {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason_phrase: String,
    /// Response headers, in order.
    pub headers: Vec<Header>,
    /// From the request sent to the first byte back.
    pub ttfb_ms: f64,
    /// Body bytes read.
    pub body_bytes: u64,
}

/// One HTTP header.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value (lossy UTF-8).
    pub value: String,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always `"diagnose"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// As given.
    pub target: String,
    /// tcp, http or https.
    pub scheme: &'static str,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The addresses the name resolved to.
    pub addresses: Vec<String>,
    /// Phases in order.
    pub phases: Vec<Phase>,
    /// Every connect attempt.
    pub connects: Vec<ConnectAttempt>,
    /// TLS details, when the handshake was reached.
    pub tls: Option<TlsInfo>,
    /// HTTP details, when a response came.
    pub http: Option<HttpInfo>,
    /// True when every phase passed.
    pub ok: bool,
    /// The phase that failed.
    pub failed_phase: Option<&'static str>,
    /// Why, as a code.
    pub reason: Option<&'static str>,
    /// What to do about it.
    pub hint: Option<&'static str>,
    /// The whole run.
    pub duration_ms: f64,
}

impl Report {
    /// The exit status.
    pub fn exit(&self) -> Exit {
        match self.reason {
            None => Exit::Success,
            Some(r) if r.starts_with("dns_") => Exit::Resolve,
            Some("timeout") => Exit::Timeout,
            Some("http_status") => Exit::Negative,
            Some("usage") => Exit::Usage,
            Some(_) => Exit::Connect,
        }
    }
}

/// The hint for a reason.
pub fn hint(reason: &str) -> &'static str {
    match reason {
        "dns_not_found" => {
            "the name does not exist: check its spelling, the search domain and /etc/hosts"
        }
        "dns_temporary" => {
            "the resolver did not answer: check /etc/resolv.conf and that a nameserver is reachable"
        }
        "dns_failure" => "name resolution failed: check /etc/resolv.conf and nsswitch.conf",
        "refused" => {
            "nothing listens on that port (or a firewall answers with RST): is the service running and bound to this address?"
        }
        "timeout" => {
            "no answer: a firewall drops the packets, the host is down, or the server's accept queue is full"
        }
        "net_unreachable" => "no route to that network: check the routes (ip route)",
        "host_unreachable" => {
            "the host is unreachable: no ARP/ND answer, or a router or reject route said so"
        }
        "prohibited" => "a firewall or a prohibit route refused the connection (EACCES/EPERM)",
        "reset" => "the peer reset the connection",
        "self_connect" => "the connect landed on itself: nothing listens on that local port",
        "tls_expired" => {
            "the certificate has expired or is not yet valid: renew it, or check the clock"
        }
        "tls_wrong_host" => {
            "the certificate is for another name: check its SANs, or connect by the right name"
        }
        "tls_self_signed" => {
            "the certificate is self-signed: trust it with --ca-file, or go on with --insecure"
        }
        "tls_unknown_issuer" => "the issuer is not trusted: add its CA with --ca-file",
        "tls_handshake" => {
            "the TLS handshake failed: not a TLS service, or no common protocol or cipher"
        }
        "http_status" => "the server answered with an unexpected status",
        "http_malformed" => "the answer is not HTTP/1.x",
        "proxy" => "the SOCKS5 proxy refused or failed",
        _ => "see the detail above",
    }
}

/// Records what the WebPKI verifier said, and lets `--insecure` go on.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    insecure: bool,
    result: Mutex<Option<Result<(), String>>>,
    end_entity: Mutex<Option<CertificateDer<'static>>>,
}

fn verify_reason(e: &rustls::Error, end_entity: &CertificateDer<'_>) -> String {
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired".into(),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "not_yet_valid".into()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "wrong_host".into()
            }
            CertificateError::UnknownIssuer => {
                let self_signed = x509_parser::parse_x509_certificate(end_entity.as_ref())
                    .map(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
                    .unwrap_or(false);
                if self_signed {
                    "self_signed".into()
                } else {
                    "unknown_issuer".into()
                }
            }
            other => format!("other: {other:?}"),
        },
        other => format!("other: {other}"),
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let r = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        if let Ok(mut slot) = self.end_entity.lock() {
            *slot = Some(end_entity.clone().into_owned());
        }
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(
                r.as_ref()
                    .map(|_| ())
                    .map_err(|e| verify_reason(e, end_entity)),
            );
        }
        match r {
            Err(_) if self.insecure => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(m, c, d)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(m, c, d)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn roots(ca_file: Option<&PathBuf>) -> Result<rustls::RootCertStore> {
    let mut store = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            use rustls::pki_types::pem::PemObject;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| NetkitError::invalid(format!("--ca-file {}: {e}", path.display())))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| NetkitError::invalid(format!("--ca-file {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(NetkitError::invalid(format!(
                    "--ca-file {}: no certificates",
                    path.display()
                )));
            }
            for c in certs {
                store.add(c).map_err(|e| {
                    NetkitError::invalid(format!("--ca-file {}: {e}", path.display()))
                })?;
            }
        }
        None => {
            for c in rustls_native_certs::load_native_certs().certs {
                let _ = store.add(c);
            }
        }
    }
    Ok(store)
}

/// Anything the TLS and HTTP phases can run over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

fn x509_details(der: &CertificateDer<'_>, info: &mut TlsInfo) {
    if let Ok((_, cert)) = x509_parser::parse_x509_certificate(der.as_ref()) {
        info.subject = Some(cert.subject().to_string());
        info.issuer = Some(cert.issuer().to_string());
        let not_after = cert.validity().not_after;
        info.not_after = Some(not_after.to_string());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        info.days_left = Some((not_after.timestamp() - now).div_euclid(86_400));
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for n in &san.value.general_names {
                match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => {
                        info.sans.push(format!("DNS:{d}"))
                    }
                    x509_parser::extensions::GeneralName::IPAddress(b) => {
                        let ip: Option<IpAddr> = match b.len() {
                            4 => Some(IpAddr::from(<[u8; 4]>::try_from(*b).unwrap_or_default())),
                            16 => Some(IpAddr::from(<[u8; 16]>::try_from(*b).unwrap_or_default())),
                            _ => None,
                        };
                        if let Some(ip) = ip {
                            info.sans.push(format!("IP:{ip}"));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

struct Run {
    report: Report,
    started: Instant,
}

impl Run {
    fn phase(
        &mut self,
        name: &'static str,
        status: &'static str,
        duration_ms: Option<f64>,
        detail: String,
    ) {
        self.report.phases.push(Phase {
            name,
            status,
            duration_ms,
            detail,
        });
    }

    fn fail(
        mut self,
        phase: &'static str,
        reason: &'static str,
        duration_ms: Option<f64>,
        detail: String,
        later: &[&'static str],
    ) -> Report {
        self.phase(phase, "failed", duration_ms, detail);
        for l in later {
            self.phase(l, "not_reached", None, String::new());
        }
        self.report.failed_phase = Some(phase);
        self.report.reason = Some(reason);
        self.report.hint = Some(hint(reason));
        self.report.duration_ms = ms(self.started);
        self.report
    }
}

/// Diagnoses one target.
pub async fn diagnose(target: &Target, opts: &Options) -> Result<Report> {
    let tls = target.scheme == "https" || opts.tls;
    let http = target.scheme != "tcp" || opts.http;
    let mut later: Vec<&'static str> = vec!["connect"];
    if tls {
        later.push("tls");
    }
    if http {
        later.push("request");
    }
    // Validate the TLS settings before touching the network.
    let tls_config = if tls {
        Some(client_config(opts, http)?)
    } else {
        None
    };
    let mut run = Run {
        report: Report {
            kind: "diagnose",
            target: target.text.clone(),
            scheme: target.scheme,
            host: target.host.clone(),
            port: target.port,
            addresses: Vec::new(),
            phases: Vec::new(),
            connects: Vec::new(),
            tls: None,
            http: None,
            ok: false,
            failed_phase: None,
            reason: None,
            hint: None,
            duration_ms: 0.0,
        },
        started: Instant::now(),
    };

    // resolve
    let t = Instant::now();
    let remote_dns = opts.proxy.as_ref().is_some_and(|p| p.remote_dns);
    let addrs: Vec<IpAddr> = if remote_dns {
        run.phase(
            "resolve",
            "skipped",
            None,
            "the SOCKS5 proxy resolves the name (socks5h)".into(),
        );
        Vec::new()
    } else if let Ok(ip) = target.host.parse::<IpAddr>() {
        run.phase(
            "resolve",
            "ok",
            Some(ms(t)),
            format!("{ip} (an address, nothing to resolve)"),
        );
        vec![ip]
    } else {
        let host = target.host.clone();
        let family = opts.family;
        let lookup = tokio::task::spawn_blocking(move || resolve::stream_addresses(&host, family));
        match tokio::time::timeout(opts.timeout, lookup).await {
            Err(_) => {
                return Ok(run.fail(
                    "resolve",
                    "dns_temporary",
                    Some(ms(t)),
                    "no answer from the resolver in time".into(),
                    &later,
                ));
            }
            Ok(Err(_)) => {
                return Ok(run.fail(
                    "resolve",
                    "dns_failure",
                    Some(ms(t)),
                    "the look-up task failed".into(),
                    &later,
                ));
            }
            Ok(Ok(r)) => match r? {
                Err(e) => {
                    let reason = match e.code {
                        libc::EAI_NONAME | -5 => "dns_not_found",
                        libc::EAI_AGAIN => "dns_temporary",
                        _ => "dns_failure",
                    };
                    return Ok(run.fail(
                        "resolve",
                        reason,
                        Some(ms(t)),
                        format!("{} ({})", e.message, e.name()),
                        &later,
                    ));
                }
                Ok(ips) => {
                    let shown: Vec<String> = ips.iter().map(|i| i.to_string()).collect();
                    run.phase("resolve", "ok", Some(ms(t)), shown.join(", "));
                    ips
                }
            },
        }
    };
    run.report.addresses = addrs.iter().map(|a| a.to_string()).collect();
    if !later.is_empty() {
        later.remove(0);
    }

    // connect: every address, in order; the first that works carries on.
    let t = Instant::now();
    let mut stream: Option<Box<dyn Stream>> = None;
    let mut first_failure: Option<(&'static str, String)> = None;
    if let Some(proxy) = &opts.proxy {
        let ta = Instant::now();
        let dest: tokio_socks::TargetAddr<'_> = match addrs.first() {
            Some(ip) => tokio_socks::TargetAddr::Ip(SocketAddr::new(*ip, target.port)),
            None => tokio_socks::TargetAddr::Domain(target.host.as_str().into(), target.port),
        };
        let connecting = async {
            match &proxy.auth {
                Some((u, p)) => {
                    tokio_socks::tcp::Socks5Stream::connect_with_password(
                        proxy.address.as_str(),
                        dest,
                        u,
                        p,
                    )
                    .await
                }
                None => tokio_socks::tcp::Socks5Stream::connect(proxy.address.as_str(), dest).await,
            }
        };
        let label = format!("{}:{} via {}", target.host, target.port, proxy.address);
        match tokio::time::timeout(opts.timeout, connecting).await {
            Err(_) => {
                run.report.connects.push(ConnectAttempt {
                    address: label.clone(),
                    state: "filtered",
                    reason: Some("timeout"),
                    duration_ms: ms(ta),
                });
                first_failure = Some(("timeout", format!("{label}: no answer in time")));
            }
            Ok(Err(e)) => {
                let (state, reason) = match &e {
                    tokio_socks::Error::Io(io) => {
                        let (s, r) = probe::classify(io);
                        (s.as_str(), r)
                    }
                    _ => ("error", "proxy"),
                };
                run.report.connects.push(ConnectAttempt {
                    address: label.clone(),
                    state,
                    reason: Some(reason),
                    duration_ms: ms(ta),
                });
                first_failure = Some((reason, format!("{label}: {e}")));
            }
            Ok(Ok(s)) => {
                run.report.connects.push(ConnectAttempt {
                    address: label,
                    state: "open",
                    reason: None,
                    duration_ms: ms(ta),
                });
                stream = Some(Box::new(s));
            }
        }
    } else {
        for ip in &addrs {
            let addr = SocketAddr::new(*ip, target.port);
            let ta = Instant::now();
            let outcome = tokio::time::timeout(opts.timeout, TcpStream::connect(addr)).await;
            let (state, reason, s) = match outcome {
                Err(_) => (probe::PortState::Filtered, Some("timeout"), None),
                Ok(Err(e)) => {
                    let (s, r) = probe::classify(&e);
                    (s, Some(r), None)
                }
                Ok(Ok(s)) if s.local_addr().ok() == s.peer_addr().ok() => {
                    (probe::PortState::Closed, Some("self_connect"), None)
                }
                Ok(Ok(s)) => (probe::PortState::Open, None, Some(s)),
            };
            run.report.connects.push(ConnectAttempt {
                address: addr.to_string(),
                state: state.as_str(),
                reason,
                duration_ms: ms(ta),
            });
            match s {
                Some(s) if stream.is_none() => {
                    let _ = s.set_nodelay(true);
                    stream = Some(Box::new(s));
                }
                Some(_) => {}
                None => {
                    if first_failure.is_none() {
                        first_failure = Some((
                            reason.unwrap_or("error"),
                            format!("{addr}: {}", reason.unwrap_or("error")),
                        ));
                    }
                }
            }
        }
    }
    let detail = run
        .report
        .connects
        .iter()
        .map(|c| format!("{} {}", c.address, c.reason.unwrap_or(c.state)))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(mut stream) = stream else {
        let (reason, _) = first_failure.unwrap_or(("error", String::new()));
        return Ok(run.fail("connect", reason, Some(ms(t)), detail, &later));
    };
    run.phase("connect", "ok", Some(ms(t)), detail);
    if !later.is_empty() {
        later.remove(0);
    }

    // tls
    if let Some(config) = tls_config {
        let t = Instant::now();
        let (config, verifier) = config;
        let name = match target.host.parse::<IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => ServerName::try_from(target.host.clone()).map_err(|_| {
                NetkitError::invalid(format!("'{}' is not a valid TLS server name", target.host))
            })?,
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let handshake = tokio::time::timeout(opts.timeout, connector.connect(name, stream)).await;
        let verify = verifier.result.lock().ok().and_then(|r| r.clone());
        let mut info = TlsInfo {
            verified: matches!(verify, Some(Ok(()))),
            verify_error: verify.clone().and_then(|r| r.err()),
            ..TlsInfo::default()
        };
        let tls_stream = match handshake {
            Err(_) => {
                run.report.tls = Some(info);
                return Ok(run.fail(
                    "tls",
                    "timeout",
                    Some(ms(t)),
                    "no handshake in time".into(),
                    &later,
                ));
            }
            Ok(Err(e)) => {
                let reason = match info.verify_error.as_deref() {
                    Some("expired" | "not_yet_valid") => "tls_expired",
                    Some("wrong_host") => "tls_wrong_host",
                    Some("self_signed") => "tls_self_signed",
                    Some("unknown_issuer") => "tls_unknown_issuer",
                    _ => "tls_handshake",
                };
                // The certificate is still worth showing: why it failed is in it.
                if let Some(der) = verifier.end_entity.lock().ok().and_then(|c| c.clone()) {
                    x509_details(&der, &mut info);
                }
                run.report.tls = Some(info);
                return Ok(run.fail(
                    "tls",
                    reason,
                    Some(ms(t)),
                    format!("handshake failed: {e}"),
                    &later,
                ));
            }
            Ok(Ok(s)) => s,
        };
        {
            let (_, conn) = tls_stream.get_ref();
            info.version = conn
                .protocol_version()
                .and_then(|v| v.as_str())
                .map(|v| v.replace("TLSv1_", "TLSv1."));
            info.cipher = conn
                .negotiated_cipher_suite()
                .and_then(|c| c.suite().as_str())
                .map(str::to_string);
            info.alpn = conn
                .alpn_protocol()
                .map(|a| String::from_utf8_lossy(a).into_owned());
            if let Some(end) = conn.peer_certificates().and_then(|c| c.first()) {
                x509_details(end, &mut info);
            }
        }
        let detail = format!(
            "{} {}{}; {} issued by {}; expires in {} days; {}",
            info.version.as_deref().unwrap_or("?"),
            info.cipher.as_deref().unwrap_or("?"),
            info.alpn
                .as_deref()
                .map(|a| format!(", ALPN {a}"))
                .unwrap_or_default(),
            info.subject.as_deref().unwrap_or("?"),
            info.issuer.as_deref().unwrap_or("?"),
            info.days_left.map_or("?".into(), |d| d.to_string()),
            if info.verified {
                "verified".to_string()
            } else {
                format!(
                    "NOT verified ({}), going on: --insecure",
                    info.verify_error.as_deref().unwrap_or("?")
                )
            }
        );
        run.report.tls = Some(info);
        run.phase("tls", "ok", Some(ms(t)), detail);
        if !later.is_empty() {
            later.remove(0);
        }
        stream = Box::new(tls_stream);
    }

    // request
    if http {
        let t = Instant::now();
        let authority = if target.host.contains(':') {
            format!("[{}]", target.host)
        } else {
            target.host.clone()
        };
        let default_port = if target.scheme == "https" || opts.tls {
            443
        } else {
            80
        };
        let host_header = if target.port == default_port {
            authority
        } else {
            format!("{authority}:{}", target.port)
        };
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: netkit/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            target.path,
            env!("CARGO_PKG_VERSION")
        );
        // Half-closing is the seed's way, but TLS has no half-close and many
        // SOCKS proxies tear the relay down on the client's FIN.
        let half_close = !tls && opts.proxy.is_none();
        let exchange = http_exchange(&mut stream, request.as_bytes(), half_close);
        match tokio::time::timeout(opts.timeout, exchange).await {
            Err(_) => {
                return Ok(run.fail(
                    "request",
                    "timeout",
                    Some(ms(t)),
                    "no complete answer in time".into(),
                    &[],
                ));
            }
            Ok(Err(e)) => {
                let reason = if e.kind() == io::ErrorKind::InvalidData {
                    "http_malformed"
                } else {
                    probe::classify(&e).1
                };
                return Ok(run.fail("request", reason, Some(ms(t)), e.to_string(), &[]));
            }
            Ok(Ok(info)) => {
                let detail = format!(
                    "{} {}, first byte after {:.2} ms, {} body bytes",
                    info.status,
                    crate::sanitize::escape(&info.reason_phrase),
                    info.ttfb_ms,
                    info.body_bytes
                );
                let bad = match opts.expect_status {
                    Some(want) => info.status != want,
                    None => info.status >= 400,
                };
                let elapsed = ms(t);
                run.report.http = Some(info);
                if bad {
                    let detail = match opts.expect_status {
                        Some(want) => format!("{detail} (expected {want})"),
                        None => detail,
                    };
                    return Ok(run.fail("request", "http_status", Some(elapsed), detail, &[]));
                }
                run.phase("request", "ok", Some(elapsed), detail);
            }
        }
    }
    run.report.ok = true;
    run.report.duration_ms = ms(run.started);
    Ok(run.report)
}

type TlsSetup = (rustls::ClientConfig, Arc<RecordingVerifier>);

fn client_config(opts: &Options, http: bool) -> Result<TlsSetup> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(roots(opts.ca_file.as_ref())?);
    let inner =
        rustls::client::WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider))
            .build()
            .map_err(|e| NetkitError::invalid(format!("TLS trust store: {e}")))?;
    let verifier = Arc::new(RecordingVerifier {
        inner,
        insecure: opts.insecure,
        result: Mutex::new(None),
        end_entity: Mutex::new(None),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetkitError::invalid(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::clone(&verifier) as Arc<dyn ServerCertVerifier>)
        .with_no_client_auth();
    // The request phase speaks HTTP/1.1, so only that is offered for it.
    config.alpn_protocols = if http {
        vec![b"http/1.1".to_vec()]
    } else {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    };
    Ok((config, verifier))
}

/// Most response-head bytes read.
const MAX_HEAD: usize = 64 * 1024;

async fn http_exchange(
    stream: &mut Box<dyn Stream>,
    request: &[u8],
    half_close: bool,
) -> io::Result<HttpInfo> {
    stream.write_all(request).await?;
    stream.flush().await?;
    let sent = Instant::now();
    if half_close {
        // The seed's raw client: shut the write side, then read.
        stream.shutdown().await?;
    }
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let mut ttfb = None;
    let (head_len, status, reason_phrase, headers) = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the connection closed before a complete response head",
            ));
        }
        ttfb.get_or_insert_with(|| sent.elapsed().as_secs_f64() * 1e3);
        buf.extend_from_slice(&chunk[..n]);
        let mut hdrs = [httparse::EMPTY_HEADER; 96];
        let mut resp = httparse::Response::new(&mut hdrs);
        match resp.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let headers = resp
                    .headers
                    .iter()
                    .map(|h| Header {
                        name: h.name.to_string(),
                        value: String::from_utf8_lossy(h.value).into_owned(),
                    })
                    .collect();
                break (
                    len,
                    resp.code.unwrap_or(0),
                    resp.reason.unwrap_or("").to_string(),
                    headers,
                );
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => continue,
            Ok(httparse::Status::Partial) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "response head larger than 64 KiB",
                ));
            }
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("not an HTTP response: {e}"),
                ));
            }
        }
    };
    let mut body_bytes = (buf.len() - head_len) as u64;
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => body_bytes += n as u64,
            // A TLS peer that closes without close_notify ends the body too.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
    }
    Ok(HttpInfo {
        status,
        reason_phrase,
        headers,
        ttfb_ms: ttfb.unwrap_or(0.0),
        body_bytes,
    })
}

/// One self-check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Always `"check"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// What was checked.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// How long.
    pub duration_ms: f64,
}

fn check(name: &str, t: Instant, result: std::result::Result<String, String>) -> Check {
    let (ok, detail) = match result {
        Ok(d) => (true, d),
        Err(d) => (false, d),
    };
    Check {
        kind: "check",
        name: name.to_string(),
        ok,
        detail,
        duration_ms: ms(t),
    }
}

async fn echo_round_trip(
    ip: IpAddr,
    udp: bool,
    timeout: Duration,
) -> std::result::Result<String, String> {
    let payload = b"netkit self-check";
    let work = async {
        if udp {
            let server = tokio::net::UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
            let client = tokio::net::UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
            client.send_to(payload, server.local_addr()?).await?;
            let mut buf = [0u8; 64];
            let (n, from) = server.recv_from(&mut buf).await?;
            server.send_to(&buf[..n], from).await?;
            let n = client.recv(&mut buf).await?;
            Ok::<Vec<u8>, io::Error>(buf[..n].to_vec())
        } else {
            let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, 0)).await?;
            let addr = listener.local_addr()?;
            let serve = async {
                let (mut s, _) = listener.accept().await?;
                let mut buf = [0u8; 64];
                let n = s.read(&mut buf).await?;
                s.write_all(&buf[..n]).await?;
                Ok::<(), io::Error>(())
            };
            let client = async {
                let mut c = TcpStream::connect(addr).await?;
                c.write_all(payload).await?;
                let mut buf = [0u8; 64];
                let n = c.read(&mut buf).await?;
                Ok::<Vec<u8>, io::Error>(buf[..n].to_vec())
            };
            let (s, c) = tokio::join!(serve, client);
            s?;
            c
        }
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => Err("no echo in time".into()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(back)) if back == payload => Ok(format!("{} bytes echoed", back.len())),
        Ok(Ok(_)) => Err("the echo differed".into()),
    }
}

/// The self-check: this host's name, localhost, loopback TCP/UDP on both
/// families, and the netdb files. `probe_dns` also queries the nameservers.
pub async fn self_check(probe_dns: bool, timeout: Duration) -> Vec<Check> {
    let mut checks = Vec::new();
    let t = Instant::now();
    let host = resolve::hostname().unwrap_or_default();
    let fq = resolve::getfqdn(&host).unwrap_or_else(|_| host.clone());
    let addrs = match resolve::getaddrinfo(
        Some(&host),
        None,
        AiHints {
            socktype: libc::SOCK_STREAM,
            ..AiHints::default()
        },
    ) {
        Ok(Ok(l)) => Ok(l.into_iter().map(|a| a.address).collect::<Vec<_>>()),
        Ok(Err(e)) => Err(format!(
            "{host} does not resolve: {} ({})",
            e.message,
            e.name()
        )),
        Err(e) => Err(e.to_string()),
    };
    checks.push(check(
        "host name resolves",
        t,
        addrs.map(|a| format!("{host} (fqdn {fq}) -> {}", a.join(", "))),
    ));
    for (family, want, label) in [
        (
            libc::AF_INET,
            "127.0.0.1",
            "localhost resolves to 127.0.0.1",
        ),
        (libc::AF_INET6, "::1", "localhost resolves to ::1"),
    ] {
        let t = Instant::now();
        let r = match resolve::getaddrinfo(
            Some("localhost"),
            None,
            AiHints {
                family,
                socktype: libc::SOCK_STREAM,
                ..AiHints::default()
            },
        ) {
            Ok(Ok(l)) if l.iter().any(|a| a.address == want) => Ok(format!("localhost -> {want}")),
            Ok(Ok(l)) => Err(format!(
                "localhost -> {}",
                l.iter()
                    .map(|a| a.address.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Ok(Err(e)) => Err(format!("{} ({})", e.message, e.name())),
            Err(e) => Err(e.to_string()),
        };
        checks.push(check(label, t, r));
    }
    for (ip, name) in [
        (IpAddr::from([127, 0, 0, 1]), "127.0.0.1"),
        (IpAddr::from(std::net::Ipv6Addr::LOCALHOST), "::1"),
    ] {
        for udp in [false, true] {
            let t = Instant::now();
            let r = echo_round_trip(ip, udp, timeout).await;
            checks.push(check(
                &format!("{} round trip over {name}", if udp { "UDP" } else { "TCP" }),
                t,
                r,
            ));
        }
    }
    let t = Instant::now();
    let r = crate::services::ServiceDb::load(&crate::netdb::DbChoice::File("/etc/services".into()))
        .map(|db| {
            format!(
                "{} entries, {} skipped lines",
                db.entries.len(),
                db.skipped.len()
            )
        })
        .map_err(|e| format!("{e:#}"));
    checks.push(check("/etc/services", t, r));
    let t = Instant::now();
    let r = crate::proto::ProtoDb::load(&crate::netdb::DbChoice::File("/etc/protocols".into()))
        .map(|db| format!("{} entries", db.entries.len()))
        .map_err(|e| format!("{e:#}"));
    checks.push(check("/etc/protocols", t, r));
    let t = Instant::now();
    let r = std::fs::read_to_string("/etc/hosts")
        .map_err(|e| e.to_string())
        .map(|text| {
            let n = text
                .lines()
                .filter(|l| !crate::netdb::fields(l).is_empty())
                .count();
            format!("{n} entries")
        });
    checks.push(check("/etc/hosts", t, r));
    let t = Instant::now();
    let conf = crate::dns::system_config(std::path::Path::new("/etc/resolv.conf"));
    let r = match &conf {
        Ok(c) => Ok(format!(
            "nameservers {}; search {}; ndots {}",
            c.servers
                .iter()
                .map(|s| s.ip().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if c.search.is_empty() {
                "-".to_string()
            } else {
                c.search
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            c.ndots
        )),
        Err(e) => Err(format!("{e:#}")),
    };
    checks.push(check("/etc/resolv.conf", t, r));
    if probe_dns {
        if let Ok(c) = conf {
            for server in c.servers {
                let t = Instant::now();
                let name = hickory_proto::rr::Name::root();
                let q = crate::dns::QueryOpts {
                    tcp: false,
                    timeout,
                    retries: 0,
                };
                let r =
                    match crate::dns::exchange(server, &name, hickory_proto::rr::RecordType::NS, q)
                        .await
                    {
                        Ok(ex) => Ok(format!(
                            "answered {} in {:.2} ms",
                            ex.response.metadata.response_code, ex.rtt_ms
                        )),
                        Err(e) => Err(e.to_string()),
                    };
                checks.push(check(&format!("nameserver {server} answers"), t, r));
            }
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("https://example.test/health?x=1").unwrap();
        assert_eq!(
            (t.scheme, t.host.as_str(), t.port, t.path.as_str()),
            ("https", "example.test", 443, "/health?x=1")
        );
        let t = Target::parse("http://[::1]:8080").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 8080, "/")
        );
        let t = Target::parse("127.0.0.1:22").unwrap();
        assert_eq!((t.scheme, t.port), ("tcp", 22));
        for bad in [
            "127.0.0.1",
            "ftp://x",
            "http://u:p@x/",
            "x:0",
            "http://x/a b",
            "127.0.0.1:22/path",
            "[::1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_reason_has_a_hint() {
        for r in [
            "dns_not_found",
            "refused",
            "timeout",
            "net_unreachable",
            "host_unreachable",
            "prohibited",
            "reset",
            "self_connect",
            "tls_expired",
            "tls_wrong_host",
            "tls_self_signed",
            "tls_unknown_issuer",
            "tls_handshake",
            "http_status",
            "proxy",
        ] {
            assert_ne!(hint(r), hint("nonsense"), "{r}");
        }
    }
}
