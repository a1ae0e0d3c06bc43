//! Connection diagnosis: a connection taken apart into timed phases
//! (resolve, connect, TLS, HTTP request), each streamed as it ends, the
//! failing one classified into the failure vocabulary. Addresses race as
//! browsers and curl race them (Happy Eyeballs v2, RFC 8305), and the race
//! is reported: which address won, which lost, and why.

pub mod http;
pub mod render;
pub mod selfcheck;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use serde::Serialize;
use tokio::net::TcpStream;

use self::http::{HttpInfo, Stream};
use crate::error::{Failure, NetkitError, Result};
use crate::exit::{Exit, Reason};
use crate::probe::proxy::{Dest, Proxy};
use crate::sanitize::{brief, escape};
use crate::signal::Stop;
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
        let hp = crate::addr::parse_host_port(authority).map_err(|_| bad("expected HOST:PORT"))?;
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
    /// resolve, connect, tls, request (request #2... after a redirect).
    pub name: String,
    /// ok, failed, skipped or not_reached.
    pub status: &'static str,
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
    pub state: &'static str,
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
    pub failed_phase: Option<String>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// The whole run.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
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
        let base =
            |name: &str| -> String { name.chars().take_while(char::is_ascii_alphabetic).collect() };
        // The first pass of each phase (redirect hops add more).
        let mut seen: Vec<String> = Vec::new();
        for p in &self.phases {
            let b = base(&p.name);
            if seen.contains(&b) {
                continue;
            }
            seen.push(b.clone());
            let Some(ms) = p.duration_ms else { continue };
            if b == "resolve" {
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
                &[("target", self.target.as_str()), ("phase", b.as_str())],
                ms / 1e3,
            );
            let http_phase = match b.as_str() {
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
            if let (true, Some(h)) = (b == "request" || b == "http", &self.http) {
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
    /// The exit status.
    pub fn exit(&self) -> Exit {
        self.error.as_ref().map_or(Exit::Success, Failure::exit)
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

struct Run<'a> {
    report: Report,
    started: Instant,
    emit: &'a mut dyn FnMut(&Phase) -> std::io::Result<()>,
}

impl Run<'_> {
    fn phase(
        &mut self,
        name: &str,
        status: &'static str,
        took: Option<f64>,
        detail: String,
        error: Option<Failure>,
    ) -> Result<()> {
        let p = Phase {
            ok: error.is_none(),
            name: name.to_string(),
            status,
            duration_ms: took,
            detail,
            error,
        };
        (self.emit)(&p).map_err(NetkitError::system("writing stdout"))?;
        self.report.phases.push(p);
        Ok(())
    }

    fn fail(
        mut self,
        phase: &str,
        f: Failure,
        took: Option<f64>,
        detail: String,
        later: &[&str],
    ) -> Result<Report> {
        self.phase(phase, "failed", took, detail, Some(f.clone()))?;
        for l in later {
            self.phase(l, "not_reached", None, String::new(), None)?;
        }
        self.report.failed_phase = Some(phase.to_string());
        self.report.error = Some(f);
        self.report.duration_ms = ms(self.started);
        Ok(self.report)
    }
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
                state: "filtered",
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
                a.state = "closed";
                a.reason = Some(Reason::SelfConnect);
                next_start = tokio::time::Instant::now();
            }
            Ok(s) => {
                a.state = "open";
                a.reason = None;
                a.won = true;
                winner = Some(s);
                break;
            }
            Err(e) => {
                let (state, reason) = crate::probe::classify(&e);
                a.state = state.as_str();
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
                a.state = "cancelled";
                a.reason = None;
            }
        }
    }
    (winner, attempts)
}

fn connect_failure(attempts: &[ConnectAttempt], target: &str) -> Failure {
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
        .map(|a| format!("{} {}", a.address, a.reason.map_or(a.state, Reason::code)))
        .collect();
    let mixed = reasons.iter().any(|r| *r != pick);
    let mut message = format!("{target}: {}", each.join(", "));
    if mixed {
        message.push_str(" (the addresses fail differently: check each)");
    }
    Failure::new(pick, message)
}

/// The request phase speaks HTTP/1.1, so only that is offered for it.
fn alpn(http: bool) -> &'static [&'static [u8]] {
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

/// Diagnoses one target, each phase handed to `emit` as it ends.
pub async fn diagnose(
    target: &Target,
    opts: &Options,
    stop: &Stop,
    emit: &mut dyn FnMut(&Phase) -> std::io::Result<()>,
) -> Result<Report> {
    let mut target = target.clone();
    let tls = target.scheme == "https" || opts.tls;
    let http_wanted = target.scheme != "tcp" || opts.http;
    // Validate the TLS settings before touching the network.
    if tls {
        tls::client_config(opts.ca_file.as_deref(), opts.insecure, alpn(http_wanted))?;
    }
    let mut run = Run {
        report: Report {
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
        },
        started: Instant::now(),
        emit,
    };
    let mut hop = 0u32;
    loop {
        let suffix = if hop == 0 {
            String::new()
        } else {
            format!(" #{}", hop + 1)
        };
        let tls = target.scheme == "https" || (hop == 0 && opts.tls);
        let mut later: Vec<String> = Vec::new();
        if opts.proxy.is_some() {
            later.push(format!("proxy{suffix}"));
        }
        later.push(format!("connect{suffix}"));
        if tls {
            later.push(format!("tls{suffix}"));
        }
        if http_wanted {
            later.push(format!("request{suffix}"));
        }
        // The phases after `name`, not reached when it fails.
        let later_refs = |name: &str, l: &Vec<String>| -> Vec<String> {
            l.iter()
                .skip_while(|p| *p != name)
                .skip(1)
                .cloned()
                .collect()
        };

        // resolve
        let t = Instant::now();
        let remote_dns = opts.proxy.as_ref().is_some_and(Proxy::remote_dns);
        let literal = target.host.parse::<IpAddr>().ok();
        let addrs: Vec<IpAddr> = if remote_dns && literal.is_none() {
            run.phase(
                &format!("resolve{suffix}"),
                "skipped",
                None,
                format!(
                    "the {} proxy resolves the name",
                    opts.proxy.as_ref().map_or("", Proxy::scheme)
                ),
                None,
            )?;
            Vec::new()
        } else if let Some(ip) = literal {
            run.phase(
                &format!("resolve{suffix}"),
                "ok",
                Some(ms(t)),
                format!("{ip} (an address, nothing to resolve)"),
                None,
            )?;
            vec![ip]
        } else {
            let resolving = crate::resolve::stream_addresses_within(
                &target.host,
                opts.family,
                crate::deadline::Deadline::after(opts.timeout),
            );
            let r = tokio::select! {
                r = resolving => r,
                () = stop.wait() => Err(Failure::new(Reason::Interrupted, "stopped")),
            };
            match r {
                Err(f) => {
                    let l: Vec<&str> = later.iter().map(String::as_str).collect();
                    let detail = f.message.clone();
                    return run.fail(&format!("resolve{suffix}"), f, Some(ms(t)), detail, &l);
                }
                Ok(ips) => {
                    let shown: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
                    run.phase(
                        &format!("resolve{suffix}"),
                        "ok",
                        Some(ms(t)),
                        shown.join(", "),
                        None,
                    )?;
                    ips
                }
            }
        };
        if hop == 0 {
            run.report.addresses = addrs.clone();
        }

        // connect
        let t = Instant::now();
        let name = format!("connect{suffix}");
        let mut stream: Box<dyn Stream> = if let Some(proxy) = &opts.proxy {
            let dest = match addrs.first() {
                Some(ip) => Dest::Addr(SocketAddr::new(*ip, target.port)),
                None => Dest::Name(target.host.clone(), target.port),
            };
            // The proxy's own phase: reaching it.
            let tp = Instant::now();
            let pname = format!("proxy{suffix}");
            let reaching = crate::probe::proxy::reach(proxy, opts.timeout);
            let reached = tokio::select! {
                r = reaching => r,
                () = stop.wait() => Err(Failure::new(Reason::Interrupted, "stopped")),
            };
            let socket = match reached {
                Ok(s) => {
                    run.phase(
                        &pname,
                        "ok",
                        Some(ms(tp)),
                        format!("{} proxy {} reached", proxy.scheme(), proxy.address),
                        None,
                    )?;
                    s
                }
                Err(f) => {
                    let l = later_refs(&pname, &later);
                    let l: Vec<&str> = l.iter().map(String::as_str).collect();
                    let detail = f.message.clone();
                    return run.fail(&pname, f, Some(ms(tp)), detail, &l);
                }
            };
            // Then the tunnel: the proxy reaching the target.
            let t = Instant::now();
            let tunnel = tokio::time::timeout(
                opts.timeout,
                crate::probe::proxy::handshake(socket, proxy, &dest),
            );
            let r = tokio::select! {
                r = tunnel => r.unwrap_or_else(|_| Err(Failure::timeout(
                    format!("{dest} via proxy {}", proxy.address),
                    opts.timeout,
                ))),
                () = stop.wait() => Err(Failure::new(Reason::Interrupted, "stopped")),
            };
            let mut attempt = ConnectAttempt {
                address: dest.to_string(),
                port: target.port,
                state: "open",
                reason: None,
                started_ms: 0.0,
                duration_ms: ms(t),
                won: true,
            };
            match r {
                Ok(s) => {
                    run.report.connects.push(attempt);
                    run.phase(
                        &name,
                        "ok",
                        Some(ms(t)),
                        format!("{dest} via {} proxy {}", proxy.scheme(), proxy.address),
                        None,
                    )?;
                    s
                }
                Err(f) => {
                    attempt.state = crate::probe::PortState::of(f.reason).as_str();
                    attempt.reason = Some(f.reason);
                    attempt.won = false;
                    run.report.connects.push(attempt);
                    let l = later_refs(&name, &later);
                    let l: Vec<&str> = l.iter().map(String::as_str).collect();
                    let detail = f.message.clone();
                    return run.fail(&name, f, Some(ms(t)), detail, &l);
                }
            }
        } else {
            let order = interleave(&addrs);
            let racing = race(&order, target.port, opts.timeout);
            let (winner, attempts) = tokio::select! {
                r = racing => r,
                () = stop.wait() => (None, Vec::new()),
            };
            let detail = attempts
                .iter()
                .map(|a| {
                    let what = if a.won {
                        "open (won)".to_string()
                    } else {
                        a.reason.map_or(a.state, Reason::code).to_string()
                    };
                    format!(
                        "{} {what}",
                        SocketAddr::new(
                            a.address.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
                            a.port
                        )
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let failure = winner.is_none().then(|| {
                if stop.is_set() {
                    Failure::new(Reason::Interrupted, "stopped")
                } else {
                    connect_failure(&attempts, &format!("{}:{}", target.host, target.port))
                }
            });
            run.report.connects.extend(attempts);
            match (winner, failure) {
                (Some(s), _) => {
                    let _ = s.set_nodelay(true);
                    run.phase(&name, "ok", Some(ms(t)), detail, None)?;
                    Box::new(s)
                }
                (None, f) => {
                    let f = f.unwrap_or_else(|| Failure::new(Reason::Timeout, "no address"));
                    let l = later_refs(&name, &later);
                    let l: Vec<&str> = l.iter().map(String::as_str).collect();
                    return run.fail(&name, f, Some(ms(t)), detail, &l);
                }
            }
        };

        // tls
        if tls {
            let t = Instant::now();
            let name = format!("tls{suffix}");
            let (config, verifier) =
                tls::client_config(opts.ca_file.as_deref(), opts.insecure, alpn(http_wanted))?;
            let server_name = match target.host.parse::<IpAddr>() {
                Ok(ip) => ServerName::IpAddress(ip.into()),
                Err(_) => ServerName::try_from(target.host.clone()).map_err(|_| {
                    NetkitError::invalid(format!(
                        "'{}' is not a valid TLS server name",
                        escape(&target.host)
                    ))
                })?,
            };
            let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
            let handshake =
                tokio::time::timeout(opts.timeout, connector.connect(server_name, stream)).await;
            let verify = verifier.result.lock().ok().and_then(|r| r.clone());
            let mut info = TlsInfo {
                verified: matches!(verify, Some(Ok(()))),
                verify_error: verify.as_ref().and_then(|r| r.as_ref().err().map(|e| e.0)),
                verify_detail: verify
                    .as_ref()
                    .and_then(|r| r.as_ref().err().map(|e| e.1.clone())),
                ..TlsInfo::default()
            };
            if let Some(der) = verifier.end_entity.lock().ok().and_then(|c| c.clone()) {
                tls::x509_details(&der, &mut info);
            }
            let tls_stream = match handshake {
                Err(_) => {
                    run.report.tls = Some(info);
                    let l = later_refs(&name, &later);
                    let l: Vec<&str> = l.iter().map(String::as_str).collect();
                    return run.fail(
                        &name,
                        Failure::timeout("TLS handshake", opts.timeout),
                        Some(ms(t)),
                        "no handshake in time".into(),
                        &l,
                    );
                }
                Ok(Err(e)) => {
                    let reason = info.verify_error.unwrap_or(Reason::TlsHandshake);
                    let words = info.verify_detail.clone().unwrap_or_else(|| tls_words(&e));
                    let detail = match &info.subject {
                        Some(s) => format!(
                            "{words}; certificate {} issued by {}",
                            escape(s),
                            escape(info.issuer.as_deref().unwrap_or("?"))
                        ),
                        None => words.clone(),
                    };
                    run.report.tls = Some(info);
                    let l = later_refs(&name, &later);
                    let l: Vec<&str> = l.iter().map(String::as_str).collect();
                    return run.fail(&name, Failure::new(reason, words), Some(ms(t)), detail, &l);
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
                    tls::x509_details(end, &mut info);
                }
            }
            let detail = render::tls_detail(&info);
            let soon = match (opts.min_days, info.days_left) {
                (Some(min), Some(left)) if left < min => Some(Failure::new(
                    Reason::TlsExpiresSoon,
                    format!("the certificate expires in {left} days, fewer than --min-days {min}"),
                )),
                _ => None,
            };
            run.report.tls = Some(info);
            if let Some(f) = soon {
                let l = later_refs(&name, &later);
                let l: Vec<&str> = l.iter().map(String::as_str).collect();
                return run.fail(&name, f, Some(ms(t)), detail, &l);
            }
            run.phase(&name, "ok", Some(ms(t)), detail, None)?;
            stream = Box::new(tls_stream);
        }

        // request
        if !http_wanted {
            break;
        }
        let t = Instant::now();
        let name = format!("request{suffix}");
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: netkit/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            target.path,
            target.authority(),
            env!("CARGO_PKG_VERSION")
        );
        // Half-closing is the seed's way, but TLS has no half-close and many
        // proxies tear the relay down on the client's FIN.
        let half_close = !tls && opts.proxy.is_none();
        let deadline = tokio::time::Instant::now() + opts.timeout;
        let exchange = http::exchange(
            &mut stream,
            request.as_bytes(),
            half_close,
            deadline,
            deadline,
        );
        let r = tokio::select! {
            r = exchange => r,
            () = stop.wait() => Err(Failure::new(Reason::Interrupted, "stopped")),
        };
        let info = match r {
            Err(f) => {
                let detail = f.message.clone();
                return run.fail(&name, f, Some(ms(t)), detail, &[]);
            }
            Ok(info) => info,
        };
        let detail = render::http_detail(&info);
        let elapsed = ms(t);
        let redirect = info.location.clone().filter(|_| hop < opts.follow);
        let bad_status = match opts.expect_status {
            Some(want) => (info.status != want && redirect.is_none())
                .then(|| format!("{detail} (expected {want})")),
            None => (info.status >= 400).then(|| detail.clone()),
        };
        let body_mismatch = opts
            .expect_body
            .as_ref()
            .filter(|_| redirect.is_none())
            .filter(|re| !re.is_match(&String::from_utf8_lossy(&info.body_start)))
            .map(|re| {
                format!(
                    "the first {} body bytes do not match --expect-body '{}'",
                    info.body_start.len(),
                    re.as_str()
                )
            });
        run.report.http = Some(info);
        if let Some(d) = bad_status {
            let f = Failure::new(Reason::HttpStatus, d.clone());
            return run.fail(&name, f, Some(elapsed), d, &[]);
        }
        if let Some(d) = body_mismatch {
            let f = Failure::new(Reason::HttpBody, d.clone());
            return run.fail(&name, f, Some(elapsed), detail, &[]);
        }
        run.phase(&name, "ok", Some(elapsed), detail, None)?;
        let Some(location) = redirect else { break };
        hop += 1;
        let next = resolve_location(&target, &location)?;
        run.report.redirects.push(next.text.clone());
        if run
            .report
            .redirects
            .iter()
            .filter(|r| **r == next.text)
            .count()
            > 1
        {
            let f = Failure::new(
                Reason::TooManyRedirects,
                format!("redirect loop at {}", escape(&next.text)),
            );
            let detail = f.message.clone();
            return run.fail(&format!("request #{}", hop + 1), f, None, detail, &[]);
        }
        target = next;
    }
    run.report.ok = true;
    run.report.duration_ms = ms(run.started);
    Ok(run.report)
}

fn tls_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    if text.contains("InvalidContentType") || text.contains("corrupt message") {
        "the peer does not speak TLS (its first bytes are not a TLS record)".into()
    } else if text.contains("HandshakeFailure") || text.contains("handshake failure") {
        "the server refused the handshake: no common protocol version or cipher suite".into()
    } else {
        format!("handshake failed: {}", brief(&text, 200))
    }
}

/// The target of a redirect: an absolute URL, or a path on the same server.
fn resolve_location(base: &Target, location: &str) -> Result<Target> {
    let loc = location.trim();
    if loc.starts_with("http://") || loc.starts_with("https://") {
        return Target::parse(loc);
    }
    let path = if loc.starts_with('/') {
        loc.to_string()
    } else {
        let dir = base.path.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{loc}")
    };
    Target::parse(&format!("{}://{}{path}", base.scheme, base.authority()))
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
