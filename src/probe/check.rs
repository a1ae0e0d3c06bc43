//! `portcheck --wait` checks beyond a TCP connect: an HTTP(S) URL that must
//! answer with the expected status, a TLS service whose handshake and
//! certificate must verify, a Unix socket that must accept. Each check is
//! one diagnose (or one connect), bounded by the poll's timeout.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use colored::Colorize;
use serde::Serialize;

use super::diagnose::{self, Options, Target};
use crate::error::{Failure, NetkitError, Result};
use crate::exit::Reason;
use crate::output::{Render, View};
use crate::sanitize::{brief, escape};
use crate::signal::Stop;

/// What a check target asks for.
#[derive(Debug, Clone)]
pub enum CheckSpec {
    /// `http://...` or `https://...`: the final status must be the expected one.
    Http(Target),
    /// `tls://HOST:PORT`: the handshake and the certificate must verify.
    Tls(Target),
    /// `unix:/path`: a stream socket that accepts.
    Unix(PathBuf),
}

impl CheckSpec {
    /// `None` when `text` is a plain TCP target (host, HOST:PORT, CIDR).
    pub fn parse(text: &str) -> Option<Result<CheckSpec>> {
        if text.starts_with("http://") || text.starts_with("https://") {
            return Some(Target::parse(text).map(CheckSpec::Http));
        }
        if let Some(rest) = text.strip_prefix("tls://") {
            let parsed = if rest.contains(['/', '?', '#']) {
                Err(NetkitError::invalid(format!(
                    "invalid target '{}': tls://HOST:PORT has no path",
                    brief(text, 100)
                )))
            } else {
                Target::parse(rest)
            };
            return Some(parsed.map(|mut t| {
                t.text = text.to_string();
                CheckSpec::Tls(t)
            }));
        }
        let path = text.strip_prefix("unix:")?;
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() || path.contains('\0') {
            return Some(Err(NetkitError::invalid(format!(
                "invalid target '{}': unix:/PATH names a socket file",
                brief(text, 100)
            ))));
        }
        Some(Ok(CheckSpec::Unix(PathBuf::from(path))))
    }

    /// `http`, `https`, `tls` or `unix`.
    pub fn kind(&self) -> CheckKind {
        match self {
            CheckSpec::Http(t) if t.scheme == "https" => CheckKind::Https,
            CheckSpec::Http(_) => CheckKind::Http,
            CheckSpec::Tls(_) => CheckKind::Tls,
            CheckSpec::Unix(_) => CheckKind::Unix,
        }
    }
}

/// How to check: shared by every check of a wait.
#[derive(Debug, Clone, Default)]
pub struct CheckOpts {
    /// AF_INET, AF_INET6 or AF_UNSPEC.
    pub family: i32,
    /// Trust these CAs (PEM) instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// Ready past a certificate that fails verification.
    pub insecure: bool,
    /// The HTTP status expected (else: below 400).
    pub expect_status: Option<u16>,
}

words! {
    /// What a `--wait` check speaks.
    pub enum CheckKind {
        /// HTTP: a status below 400 (or `--expect-status`).
        Http = "http",
        /// HTTPS: the certificate verifies, then as HTTP.
        Https = "https",
        /// TLS: the handshake and the certificate.
        Tls = "tls",
        /// A Unix stream socket accepts.
        Unix = "unix",
    }
}

/// One check's outcome (the last poll's, when waiting).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckResult {
    /// Ready: the check passed.
    pub ok: bool,
    /// The target as given.
    pub target: String,
    /// `http`, `https`, `tls` or `unix`.
    pub check: CheckKind,
    /// The final HTTP status, when a response came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Days until the server's certificate expires (https, tls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_days_left: Option<i64>,
    /// Whether the certificate verified (https, tls; false only with
    /// `--insecure`, which goes on past it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_verified: Option<bool>,
    /// How long the check took.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Polls that ran this check.
    pub attempts: u32,
    /// Why it is not ready (the last failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// The target column's width in human output (the longest target of
    /// the wait).
    #[serde(skip)]
    #[schemars(skip)]
    pub width: usize,
}

impl crate::output::Report for CheckResult {
    const TYPE: &'static str = "check";
}

impl Render for CheckResult {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let cert = match (self.cert_verified, self.cert_days_left) {
            (Some(false), Some(d)) if d < 0 => {
                format!(
                    "certificate NOT verified (--insecure), expired {} days ago",
                    -d
                )
            }
            (Some(false), _) => "certificate NOT verified (--insecure)".to_string(),
            (_, Some(d)) => format!("certificate valid, {d} days left"),
            _ => String::new(),
        };
        let what = match (self.ok, self.status_code) {
            (true, Some(s)) if cert.is_empty() => format!("ready        HTTP {s}"),
            (true, Some(s)) => format!("ready        HTTP {s}, {cert}"),
            (true, None) if cert.is_empty() => "ready".to_string(),
            (true, None) => format!("ready        {cert}"),
            (false, _) => String::new(),
        };
        let line = match &self.error {
            None => format!(
                "{:<6} {:<w$}  {what}",
                self.check,
                escape(&self.target),
                w = self.width
            )
            .green(),
            Some(f) => format!(
                "{:<6} {:<w$}  not ready    {}: {}",
                self.check,
                escape(&self.target),
                f.reason.code(),
                f.message,
                w = self.width
            )
            .red(),
        };
        writeln!(w, "{line}")
    }
}

/// Runs one check within `timeout` (each diagnose phase, and the whole).
pub async fn check(
    target: &str,
    spec: &CheckSpec,
    opts: &CheckOpts,
    timeout: Duration,
    stop: &Stop,
) -> CheckResult {
    let started = Instant::now();
    let mut r = CheckResult {
        ok: false,
        target: target.to_string(),
        check: spec.kind(),
        status_code: None,
        cert_days_left: None,
        cert_verified: None,
        duration_ms: 0.0,
        attempts: 1,
        error: None,
        width: 0,
    };
    let outcome = match spec {
        CheckSpec::Unix(path) => {
            match tokio::time::timeout(timeout, tokio::net::UnixStream::connect(path)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(unix_failure(&e, path)),
                Err(_) => Err(Failure::timeout(
                    format!("connect unix:{}", escape(&path.to_string_lossy())),
                    timeout,
                )),
            }
        }
        CheckSpec::Http(t) | CheckSpec::Tls(t) => {
            let d_opts = Options {
                timeout,
                family: opts.family,
                tls: matches!(spec, CheckSpec::Tls(_)),
                http: false,
                insecure: opts.insecure,
                ca_file: opts.ca_file.clone(),
                proxy: None,
                expect_status: opts.expect_status,
                expect_body: None,
                min_days: None,
                follow: 0,
            };
            let mut quiet = |_: &diagnose::Phase| Ok(());
            let run = diagnose::diagnose(t, &d_opts, stop, &mut quiet);
            // Several phases each bounded by `timeout`: the whole by a
            // little more than one, so a poll cannot overstay its slot.
            match tokio::time::timeout(timeout + Duration::from_millis(50), run).await {
                Ok(Ok(report)) => {
                    r.status_code = report.http.as_ref().map(|h| h.status);
                    r.cert_days_left = report.tls.as_ref().and_then(|i| i.days_left);
                    r.cert_verified = report.tls.as_ref().map(|i| i.verified);
                    match report.error {
                        None => Ok(()),
                        Some(f) => Err(f),
                    }
                }
                Ok(Err(e)) => Err(Failure::new(Reason::System, e.to_string())),
                Err(_) => Err(Failure::timeout(escape(&t.text), timeout)),
            }
        }
    };
    r.duration_ms = started.elapsed().as_secs_f64() * 1e3;
    match outcome {
        Ok(()) => r.ok = true,
        Err(f) => r.error = Some(f),
    }
    r
}

fn unix_failure(e: &io::Error, path: &std::path::Path) -> Failure {
    let lossy = path.to_string_lossy();
    let shown = escape(&lossy);
    match e.raw_os_error() {
        Some(libc::ENOENT) => Failure::new(
            Reason::NotFound,
            format!("no socket at {shown} (yet): the service has not created it"),
        ),
        Some(libc::ECONNREFUSED) => Failure::new(
            Reason::Refused,
            format!("{shown} exists but nothing accepts on it (a stale socket?)"),
        ),
        Some(libc::ENOTSOCK) => Failure::new(Reason::Network, format!("{shown} is not a socket")),
        Some(libc::EACCES | libc::EPERM) => Failure::new(
            Reason::Permission,
            format!("connect {shown}: permission denied"),
        ),
        _ => Failure::io(e, format!("connect unix:{shown}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_targets_are_told_from_tcp_targets() {
        assert!(CheckSpec::parse("db:5432").is_none());
        assert!(CheckSpec::parse("10.0.0.0/24").is_none());
        let kind = |t: &str| CheckSpec::parse(t).map(|r| r.map(|s| s.kind().as_str()).ok());
        assert_eq!(kind("http://127.0.0.1:8080/health"), Some(Some("http")));
        assert_eq!(kind("https://example.test"), Some(Some("https")));
        assert_eq!(kind("tls://example.test:853"), Some(Some("tls")));
        assert_eq!(kind("unix:/run/app.sock"), Some(Some("unix")));
        assert_eq!(kind("unix:///run/app.sock"), Some(Some("unix")));
        assert_eq!(kind("tls://example.test"), Some(None), "a port is needed");
        assert_eq!(kind("tls://example.test:853/x"), Some(None));
        assert_eq!(kind("unix:"), Some(None));
        assert_eq!(kind("ftp://example.test"), None, "left to the TCP parser");
    }
}
