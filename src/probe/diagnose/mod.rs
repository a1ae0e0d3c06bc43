//! Connection diagnosis: a connection taken apart into timed phases
//! (resolve, connect, TLS, HTTP request), each streamed as it ends, the
//! failing one classified into the failure vocabulary. Addresses race as
//! browsers and curl race them (Happy Eyeballs v2, RFC 8305), and the race
//! is reported: which address won, which lost, and why.

mod flow;
pub mod http;
pub mod phase;
pub mod render;
pub mod selfcheck;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::net::TcpStream;

pub use self::flow::diagnose;
use self::http::HttpInfo;
use self::phase::{AttemptState, PhaseKind, PhaseName, PhaseStatus};
use crate::error::{Failure, NetkitError, Result};
use crate::exit::{Exit, Reason};
use crate::probe::proxy::Proxy;
use crate::sanitize::brief;
use crate::tls::{self, TlsInfo};

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
            NetkitError::invalid(format!("invalid target '{}': {why}", brief(text, 100)))
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
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) if scheme != "tcp" => (&rest[..i], rest[i..].to_string()),
            Some(_) => return Err(bad("HOST:PORT has no path; use http://HOST/PATH")),
            None => (rest, "/".to_string()),
        };
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        let path = path.split('#').next().unwrap_or("/").to_string();
        if authority.contains('@') {
            return Err(bad("credentials in the URL are not supported"));
        }
        // The reason the host or port was refused (port 0, a bad name),
        // said of the whole target as given.
        let hp = crate::addr::parse_host_port(authority).map_err(|e| {
            let text = e.to_string();
            let prefix = format!("invalid target '{}': ", brief(authority, 100));
            match text.strip_prefix(&prefix) {
                Some(why) if why != "empty" => bad(why),
                _ => bad("expected HOST:PORT"),
            }
        })?;
        let port = match (hp.port, scheme) {
            (Some(p), _) => p,
            (None, "http") => 80,
            (None, "https") => 443,
            (None, _) => return Err(bad("a port is needed: HOST:PORT")),
        };
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("the path cannot hold spaces or control characters"));
        }
        Ok(Target {
            text: text.to_string(),
            scheme,
            host: hp.host.text(),
            port,
            path,
        })
    }

    fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
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
    /// Through a proxy.
    pub proxy: Option<Proxy>,
    /// The HTTP status expected (else: below 400).
    pub expect_status: Option<u16>,
    /// The body must match this.
    pub expect_body: Option<regex_lite::Regex>,
    /// The certificate must be valid this many more days.
    pub min_days: Option<i64>,
    /// Redirects to follow (`-L`): 0 follows none.
    pub follow: u32,
}

/// One phase's outcome, streamed as it ends.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Phase {
    /// Whether it passed (skipped counts as passed).
    pub ok: bool,
    /// resolve, proxy, connect, tls, request (request #2... after a redirect).
    pub name: PhaseName,
    /// ok, failed, skipped or not_reached.
    pub status: PhaseStatus,
    /// How long it took (null when not reached or skipped).
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub duration_ms: Option<f64>,
    /// What happened, for people.
    pub detail: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

impl crate::output::Report for Phase {
    const TYPE: &'static str = "phase";
}

/// One connect attempt of the race.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ConnectAttempt {
    /// The address tried (or the proxy's target, as given).
    pub address: String,
    /// The port.
    pub port: u16,
    /// open, closed, filtered, unreachable, error, or cancelled (lost the race).
    pub state: AttemptState,
    /// Why, when not open.
    pub reason: Option<Reason>,
    /// When the attempt started, after the connect phase began.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub started_ms: f64,
    /// How long it ran.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Whether this attempt's connection was the one used.
    pub won: bool,
}

/// The whole diagnosis: the last object.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// True when every phase passed.
    pub ok: bool,
    /// As given.
    pub target: String,
    /// tcp, http or https.
    pub scheme: &'static str,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The addresses the name resolved to.
    pub addresses: Vec<IpAddr>,
    /// Phases in order.
    #[serde(serialize_with = "crate::output::report::tagged_list")]
    pub phases: Vec<Phase>,
    /// Every connect attempt.
    pub connects: Vec<ConnectAttempt>,
    /// TLS details, when the handshake was reached.
    pub tls: Option<TlsInfo>,
    /// HTTP details of the last response, when one came.
    pub http: Option<HttpInfo>,
    /// The redirects followed, in order.
    pub redirects: Vec<String>,
    /// The phase that failed.
    pub failed_phase: Option<PhaseName>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// The whole run.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Whether --path traced the route (its hops and verdict came before).
    #[serde(skip)]
    pub traced: bool,
}

impl crate::output::Report for Report {
    const TYPE: &'static str = "summary";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let t = [("target", self.target.as_str())];
        m.gauge(
            "probe_success",
            "Whether every phase passed",
            &t,
            f64::from(u8::from(self.ok)),
        );
        m.gauge(
            "probe_duration_seconds",
            "How long the whole diagnosis took",
            &t,
            self.duration_ms / 1e3,
        );
        m.gauge(
            "netkit_exit_code",
            "netkit's exit status",
            &t,
            f64::from(self.exit().code()),
        );
        // The first pass of each phase (redirect hops add more).
        let mut seen: Vec<PhaseKind> = Vec::new();
        for p in &self.phases {
            let kind = p.name.kind;
            if seen.contains(&kind) {
                continue;
            }
            seen.push(kind);
            let b = kind.as_str();
            let Some(ms) = p.duration_ms else { continue };
            if kind == PhaseKind::Resolve {
                m.gauge(
                    "probe_dns_lookup_time_seconds",
                    "Time to resolve the name",
                    &t,
                    ms / 1e3,
                );
            }
            m.gauge(
                "netkit_phase_duration_seconds",
                "Time each phase took",
                &[("target", self.target.as_str()), ("phase", b)],
                ms / 1e3,
            );
            let http_phase = match b {
                "resolve" => Some(("resolve", ms)),
                "connect" => Some(("connect", ms)),
                "tls" => Some(("tls", ms)),
                _ => None,
            };
            if let (Some((name, v)), Some(_)) = (http_phase, &self.http) {
                m.gauge(
                    "probe_http_duration_seconds",
                    "Time of each HTTP request phase",
                    &[("target", self.target.as_str()), ("phase", name)],
                    v / 1e3,
                );
            }
            if let (true, Some(h)) = (kind == PhaseKind::Request, &self.http) {
                let labels = |ph: &'static str| [("target", self.target.as_str()), ("phase", ph)];
                m.gauge(
                    "probe_http_duration_seconds",
                    "Time of each HTTP request phase",
                    &labels("processing"),
                    h.ttfb_ms / 1e3,
                );
                m.gauge(
                    "probe_http_duration_seconds",
                    "Time of each HTTP request phase",
                    &labels("transfer"),
                    (ms - h.ttfb_ms).max(0.0) / 1e3,
                );
            }
        }
        if let Some(h) = &self.http {
            m.gauge(
                "probe_http_status_code",
                "The final HTTP status",
                &t,
                f64::from(h.status),
            );
            m.gauge(
                "probe_http_redirects",
                "Redirects followed",
                &t,
                self.redirects.len() as f64,
            );
        }
        if let Some(exp) = self.tls.as_ref().and_then(|i| i.not_after_unix) {
            m.gauge(
                "probe_ssl_earliest_cert_expiry",
                "When the server's certificate expires, seconds since the epoch",
                &t,
                exp as f64,
            );
        }
    }
}

impl Report {
    /// A report on `target`, nothing known yet.
    pub fn new(target: &Target) -> Report {
        Report {
            ok: false,
            target: target.text.clone(),
            scheme: target.scheme,
            host: target.host.clone(),
            port: target.port,
            addresses: Vec::new(),
            phases: Vec::new(),
            connects: Vec::new(),
            tls: None,
            http: None,
            redirects: Vec::new(),
            failed_phase: None,
            error: None,
            duration_ms: 0.0,
            traced: false,
        }
    }

    /// The exit status.
    pub fn exit(&self) -> Exit {
        self.error.as_ref().map_or(Exit::Success, Failure::exit)
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

/// The RFC 8305 "Connection Attempt Delay".
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Orders addresses as RFC 8305 does: alternating families, starting with
/// the family of the resolver's first answer.
pub fn interleave(addrs: &[IpAddr]) -> Vec<IpAddr> {
    let Some(first) = addrs.first() else {
        return Vec::new();
    };
    let (a, b): (Vec<IpAddr>, Vec<IpAddr>) =
        addrs.iter().partition(|x| x.is_ipv6() == first.is_ipv6());
    let mut out = Vec::with_capacity(addrs.len());
    let (mut ia, mut ib) = (a.into_iter(), b.into_iter());
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => break,
            (x, y) => out.extend(x.into_iter().chain(y)),
        }
    }
    out
}

/// Races connects to `addrs` (already interleaved): a new attempt starts
/// every 250 ms or as soon as the last one fails; the first to connect
/// wins and the others are cancelled. Bounded by `timeout` in all.
pub async fn race(
    addrs: &[IpAddr],
    port: u16,
    timeout: Duration,
) -> (Option<TcpStream>, Vec<ConnectAttempt>) {
    let t0 = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut set: tokio::task::JoinSet<(usize, std::io::Result<TcpStream>)> =
        tokio::task::JoinSet::new();
    let mut attempts: Vec<ConnectAttempt> = Vec::new();
    let mut next = 0;
    let mut winner = None;
    let mut next_start = tokio::time::Instant::now();
    loop {
        if next < addrs.len() && tokio::time::Instant::now() >= next_start {
            let addr = SocketAddr::new(addrs[next], port);
            attempts.push(ConnectAttempt {
                address: addrs[next].to_string(),
                port,
                state: AttemptState::Filtered,
                reason: Some(Reason::Timeout),
                started_ms: ms(t0),
                duration_ms: 0.0,
                won: false,
            });
            let i = next;
            set.spawn(async move { (i, TcpStream::connect(addr).await) });
            next += 1;
            next_start = tokio::time::Instant::now() + ATTEMPT_DELAY;
        }
        if set.is_empty() && next >= addrs.len() {
            break;
        }
        let wake = if next < addrs.len() {
            next_start.min(deadline)
        } else {
            deadline
        };
        let joined = tokio::select! {
            j = set.join_next(), if !set.is_empty() => j,
            () = tokio::time::sleep_until(wake) => None,
        };
        if tokio::time::Instant::now() >= deadline && joined.is_none() {
            break;
        }
        let Some(Ok((i, r))) = joined else { continue };
        let a = &mut attempts[i];
        a.duration_ms = ms(t0) - a.started_ms;
        match r {
            Ok(s) if s.local_addr().ok() == s.peer_addr().ok() => {
                a.state = AttemptState::Closed;
                a.reason = Some(Reason::SelfConnect);
                next_start = tokio::time::Instant::now();
            }
            Ok(s) => {
                a.state = AttemptState::Open;
                a.reason = None;
                a.won = true;
                winner = Some(s);
                break;
            }
            Err(e) => {
                let (state, reason) = crate::probe::classify(&e);
                a.state = state.into();
                a.reason = Some(reason);
                // A failure starts the next attempt at once.
                next_start = tokio::time::Instant::now();
            }
        }
    }
    set.abort_all();
    for a in &mut attempts {
        if a.duration_ms == 0.0 && !a.won {
            a.duration_ms = ms(t0) - a.started_ms;
            if winner.is_some() {
                a.state = AttemptState::Cancelled;
                a.reason = None;
            }
        }
    }
    (winner, attempts)
}

pub(super) fn connect_failure(attempts: &[ConnectAttempt], target: &str) -> Failure {
    // The most telling reason: a refusal or an unreachable over a timeout.
    let reasons: Vec<Reason> = attempts.iter().filter_map(|a| a.reason).collect();
    let pick = [
        Reason::Refused,
        Reason::Prohibited,
        Reason::HostUnreachable,
        Reason::NetUnreachable,
        Reason::Reset,
        Reason::SelfConnect,
    ]
    .into_iter()
    .find(|r| reasons.contains(r))
    .or_else(|| reasons.first().copied())
    .unwrap_or(Reason::Timeout);
    let each: Vec<String> = attempts
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a.address,
                a.reason.map_or(a.state.as_str(), Reason::code)
            )
        })
        .collect();
    let mixed = reasons.iter().any(|r| *r != pick);
    let mut message = format!("{target}: {}", each.join(", "));
    if mixed {
        message.push_str(" (the addresses fail differently: check each)");
    }
    Failure::new(pick, message)
}

/// The request phase speaks HTTP/1.1, so only that is offered for it.
pub(super) fn alpn(http: bool) -> &'static [&'static [u8]] {
    if http {
        tls::ALPN_HTTP1
    } else {
        tls::ALPN_ANY_HTTP
    }
}

/// Checks the options that can be wrong before anything is printed or
/// sent: the TLS trust store (`--ca-file`) and the server name.
pub fn validate(target: &Target, opts: &Options) -> Result<()> {
    if target.scheme == "https" || opts.tls {
        tls::client_config(opts.ca_file.as_deref(), opts.insecure, tls::ALPN_HTTP1)?;
    }
    Ok(())
}

/// Whether a handshake failed on a message too large to take (a bloated
/// certificate chain).
fn too_large(e: &std::io::Error) -> bool {
    use rustls::InvalidMessage as M;
    matches!(
        e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::InvalidMessage(
            M::HandshakePayloadTooLarge | M::MessageTooLarge
        ))
    )
}

/// The reason for a handshake that failed before any verdict on the
/// certificate.
pub(super) fn tls_reason(e: &std::io::Error) -> Reason {
    if too_large(e) {
        Reason::TlsBadCertificate
    } else {
        Reason::TlsHandshake
    }
}

pub(super) fn tls_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    if too_large(e) {
        return "the server's handshake message is larger than a TLS client takes (64 KiB): \
                a certificate chain that large is refused (a bloated chain, or not a TLS server)"
            .into();
    }
    use rustls::InvalidMessage as M;
    let invalid = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidMessage(m)) => Some(m),
        _ => None,
    };
    if let Some(m) = invalid {
        // Not a TLS record at all, or a TLS peer whose message is broken.
        return match m {
            M::InvalidContentType | M::UnknownProtocolVersion => {
                "the peer does not speak TLS (its first bytes are not a TLS record)".into()
            }
            other => format!("the server sent a malformed TLS message ({other:?})"),
        };
    }
    if text.contains("InvalidContentType") {
        "the peer does not speak TLS (its first bytes are not a TLS record)".into()
    } else if text.contains("HandshakeFailure") || text.contains("handshake failure") {
        "the server refused the handshake: no common protocol version or cipher suite".into()
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        // tokio-rustls's "tls handshake eof": the peer took the ClientHello
        // and closed without a word.
        "the peer closed the connection during the handshake, before its ServerHello (not a TLS service, or it refused this client)"
            .into()
    } else if e.kind() == std::io::ErrorKind::ConnectionReset {
        "the peer reset the connection during the handshake".into()
    } else {
        format!("handshake failed: {}", brief(&text, 200))
    }
}

/// Redirects `-L` follows; still a redirect after them is
/// `too_many_redirects`.
pub const MAX_REDIRECTS: u32 = 10;

/// Where a redirect's Location leads, from `base` (RFC 3986 references:
/// absolute, scheme-relative `//host/path`, absolute path, relative path).
/// `Err` says why it is not followed, in words for the failure.
pub(super) fn resolve_location(
    base: &Target,
    location: &str,
) -> std::result::Result<Target, String> {
    let loc = location.trim();
    let shown = || crate::sanitize::brief(loc, 200);
    // A scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
    let scheme = loc.split_once(':').map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let absolute = match scheme {
        // Schemes are case-insensitive: HTTP://x is http://x.
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            format!("{}{}", s.to_ascii_lowercase(), &loc[s.len()..])
        }
        Some(s) => {
            return Err(format!(
                "the redirect goes to {} ({s}:): only http and https are followed",
                shown()
            ));
        }
        None if loc.starts_with("//") => format!("{}:{loc}", base.scheme),
        None if loc.starts_with('/') => format!("{}://{}{loc}", base.scheme, base.authority()),
        None => {
            let dir = base.path.rsplit_once('/').map_or("", |(d, _)| d);
            format!("{}://{}{dir}/{loc}", base.scheme, base.authority())
        }
    };
    Target::parse(&absolute).map_err(|e| {
        format!(
            "the redirect's Location {} is not a URL netkit follows: {e}",
            shown()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_as_rfc_3986_references() {
        let base = Target::parse("https://a.example.test:8443/x/y?q").unwrap();
        let to = |l: &str| resolve_location(&base, l).map(|t| t.text);
        assert_eq!(to("/z").unwrap(), "https://a.example.test:8443/z");
        assert_eq!(to("z").unwrap(), "https://a.example.test:8443/x/z");
        assert_eq!(
            to("//b.example.test/p").unwrap(),
            "https://b.example.test/p"
        );
        assert_eq!(
            to("HTTP://c.example.test/").unwrap(),
            "http://c.example.test/"
        );
        assert!(
            to("ftp://f.example.test/x")
                .unwrap_err()
                .contains("only http and https")
        );
        assert!(to("mailto:x@example.test").unwrap_err().contains("mailto:"));
        assert!(to("http://[::1").unwrap_err().contains("not a URL"));
    }

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
    fn happy_eyeballs_order_alternates_families() {
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        let order = interleave(&[
            a("2001:db8::1"),
            a("2001:db8::2"),
            a("192.0.2.1"),
            a("192.0.2.2"),
        ]);
        assert_eq!(
            order,
            vec![
                a("2001:db8::1"),
                a("192.0.2.1"),
                a("2001:db8::2"),
                a("192.0.2.2")
            ]
        );
    }

    #[test]
    fn redirects_resolve_against_the_base() {
        let base = Target::parse("http://example.test:8080/a/b").unwrap();
        assert_eq!(
            resolve_location(&base, "/c").unwrap().text,
            "http://example.test:8080/c"
        );
        assert_eq!(
            resolve_location(&base, "c").unwrap().text,
            "http://example.test:8080/a/c"
        );
        assert_eq!(
            resolve_location(&base, "https://x.test/").unwrap().port,
            443
        );
    }
}
