//! The self-check: this host's name, localhost, loopback TCP and UDP on
//! both families, the netdb files and resolv.conf; each check streamed as
//! it ends.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::deadline::Deadline;
use crate::error::Failure;
use crate::exit::Reason;
use crate::resolve::{self, AiHints};

words! {
    /// How a self-check ended.
    pub enum CheckStatus {
        /// As it should be.
        Passed = "passed",
        /// Not as it should be, but nothing breaks (IPv6 off, `::1
        /// localhost` missing): the hint says how to mend it.
        Warning = "warning",
        /// Broken.
        Failed = "failed",
    }
}

/// One self-check.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Check {
    /// Whether it passed (a warning passes).
    pub ok: bool,
    /// passed, warning or failed.
    pub status: CheckStatus,
    /// What was checked.
    pub name: String,
    /// What was found.
    pub detail: String,
    /// How to mend it, for warnings and failures that have a known fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How long.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

impl crate::output::Report for Check {
    const TYPE: &'static str = "check";
}

/// The self-check's last object.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct SelfCheckSummary {
    /// True when every check passed.
    pub ok: bool,
    /// Checks passed (warnings not counted).
    pub passed: u64,
    /// Checks that passed with a warning.
    pub warnings: u64,
    /// Checks failed.
    pub failed: u64,
    /// The names of the failed checks.
    pub failures: Vec<String>,
}

impl crate::output::Report for SelfCheckSummary {
    const TYPE: &'static str = "summary";
}

struct Emitter<'a> {
    emit: &'a mut dyn FnMut(&Check) -> io::Result<()>,
    summary: SelfCheckSummary,
}

impl Emitter<'_> {
    fn push(&mut self, c: Check) -> io::Result<()> {
        match c.status {
            CheckStatus::Passed => self.summary.passed += 1,
            CheckStatus::Warning => self.summary.warnings += 1,
            CheckStatus::Failed => {
                self.summary.failed += 1;
                self.summary.failures.push(c.name.clone());
            }
        }
        self.summary.ok = self.summary.failed == 0;
        (self.emit)(&c)
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

fn check(
    name: &str,
    t: Instant,
    reason: Reason,
    result: std::result::Result<String, String>,
) -> Check {
    let (ok, detail) = match result {
        Ok(d) => (true, d),
        Err(d) => (false, d),
    };
    Check {
        ok,
        status: if ok {
            CheckStatus::Passed
        } else {
            CheckStatus::Failed
        },
        error: (!ok).then(|| Failure::new(reason, detail.clone())),
        name: name.to_string(),
        detail,
        hint: None,
        duration_ms: ms(t),
    }
}

impl Check {
    /// Not as it should be, but nothing breaks: a warning with its fix.
    fn warn(mut self, hint: &str) -> Check {
        if self.status == CheckStatus::Failed {
            self.ok = true;
            self.status = CheckStatus::Warning;
            self.hint = Some(hint.to_string());
        }
        self
    }

    /// A failure with its fix.
    fn hint(mut self, hint: String) -> Check {
        if !self.ok {
            self.hint = Some(hint);
        }
        self
    }
}

/// A resolver call (getaddrinfo) within the self-check's deadline: the
/// addresses, or why not with its reason (EAI_AGAIN is a temporary failure,
/// not a "not found").
fn addresses(
    host: &str,
    family: i32,
    deadline: Deadline,
) -> std::result::Result<Vec<String>, (Reason, String)> {
    let owned = host.to_string();
    let what = format!("resolving {}", crate::sanitize::escape(host));
    let found = crate::deadline::within(&what, deadline, move || {
        resolve::getaddrinfo(
            Some(&owned),
            None,
            AiHints {
                family,
                socktype: libc::SOCK_STREAM,
                ..AiHints::default()
            },
        )
    });
    match found {
        Err(f) => Err((f.reason, f.message)),
        Ok(Err(e)) => Err((Reason::Invalid, e.to_string())),
        Ok(Ok(Err(e))) => Err((e.reason(), format!("{} ({})", e.message, e.name()))),
        Ok(Ok(Ok(l))) => Ok(l.into_iter().map(|a| a.address).collect()),
    }
}

/// Whether a socket error means the family is off on this host.
fn family_off(detail: &str) -> bool {
    detail.contains("Cannot assign requested address")
        || detail.contains("Address family not supported")
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
pub async fn self_check(
    probe_dns: bool,
    timeout: Duration,
    emit: &mut dyn FnMut(&Check) -> io::Result<()>,
) -> io::Result<SelfCheckSummary> {
    let mut checks = Emitter {
        emit,
        summary: SelfCheckSummary {
            ok: true,
            ..SelfCheckSummary::default()
        },
    };
    // The resolver's calls share one deadline: a resolv.conf whose caps
    // multiply into minutes cannot hold the self-check up.
    let deadline = Deadline::after(timeout * 4);
    let t = Instant::now();
    let host = resolve::hostname();
    let owned = host.clone();
    let fq = crate::deadline::within("getfqdn", deadline.cap(timeout), move || {
        resolve::getfqdn(&owned).ok()
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| host.clone());
    let (reason, r) = match addresses(&host, libc::AF_UNSPEC, deadline.cap(timeout)) {
        Ok(a) => (
            Reason::NotFound,
            Ok(format!("{host} (fqdn {fq}) -> {}", a.join(", "))),
        ),
        Err((reason, why)) => (reason, Err(format!("{host} does not resolve: {why}"))),
    };
    let hint = format!(
        "add \"127.0.1.1 {}\" to /etc/hosts (sudo, Java and mail need their host's name)",
        crate::sanitize::escape(&host)
    );
    checks.push(check("host name resolves", t, reason, r).hint(hint))?;
    for (family, want, label) in [
        (
            libc::AF_INET,
            "127.0.0.1",
            "localhost resolves to 127.0.0.1",
        ),
        (libc::AF_INET6, "::1", "localhost resolves to ::1"),
    ] {
        let t = Instant::now();
        let (reason, r) = match addresses("localhost", family, deadline.cap(timeout)) {
            Ok(l) if l.iter().any(|a| a == want) => {
                (Reason::NotFound, Ok(format!("localhost -> {want}")))
            }
            Ok(l) => (
                Reason::NotFound,
                Err(format!("localhost -> {}", l.join(", "))),
            ),
            Err((reason, why)) => (reason, Err(why)),
        };
        let c = check(label, t, reason, r);
        let c = if family == libc::AF_INET6 {
            // Many containers and minimal VMs have no such line: programs
            // that ask for localhost over IPv6 fall back to IPv4.
            c.warn("add \"::1 localhost\" to /etc/hosts")
        } else {
            c.hint("add \"127.0.0.1 localhost\" to /etc/hosts".into())
        };
        checks.push(c)?;
    }
    for (ip, name) in [
        (IpAddr::from([127, 0, 0, 1]), "127.0.0.1"),
        (IpAddr::from(std::net::Ipv6Addr::LOCALHOST), "::1"),
    ] {
        for udp in [false, true] {
            let t = Instant::now();
            let r = echo_round_trip(ip, udp, timeout).await;
            let c = check(
                &format!("{} round trip over {name}", if udp { "UDP" } else { "TCP" }),
                t,
                Reason::Network,
                r,
            );
            let c = if ip.is_ipv6() && c.error.as_ref().is_some_and(|e| family_off(&e.message)) {
                c.warn("IPv6 is off on this host (net.ipv6.conf.lo.disable_ipv6): IPv6 servers and clients will not work here")
            } else {
                c
            };
            checks.push(c)?;
        }
    }
    let t = Instant::now();
    let r = crate::addr::services::ServiceDb::load(&crate::addr::netdb::DbChoice::File(
        "/etc/services".into(),
    ))
    .map(|db| {
        format!(
            "{} entries, {} skipped lines",
            db.entries.len(),
            db.skipped.len()
        )
    })
    .map_err(|e| format!("{e:#}"));
    checks.push(check("/etc/services", t, Reason::System, r))?;
    let t = Instant::now();
    let r = crate::addr::proto::ProtoDb::load(&crate::addr::netdb::DbChoice::File(
        "/etc/protocols".into(),
    ))
    .map(|db| format!("{} entries", db.entries.len()))
    .map_err(|e| format!("{e:#}"));
    checks.push(check("/etc/protocols", t, Reason::System, r))?;
    let t = Instant::now();
    // Bounded as every netdb file is (a /dev/zero there must not run).
    let r = crate::value::read_file_limited(
        std::path::Path::new("/etc/hosts"),
        crate::addr::netdb::MAX_DB_BYTES,
        "/etc/hosts",
    )
    .map_err(|e| e.to_string())
    .map(|bytes| {
        let text = String::from_utf8_lossy(&bytes);
        let n = text
            .lines()
            .filter(|l| !crate::addr::netdb::fields(l).is_empty())
            .count();
        format!("{n} entries")
    });
    checks.push(check("/etc/hosts", t, Reason::System, r))?;
    let t = Instant::now();
    let conf = crate::dns::system_config(std::path::Path::new("/etc/resolv.conf"));
    let r = match &conf {
        Ok(c) => Ok(format!(
            "nameservers {}{}; search {}; ndots {}",
            c.servers
                .iter()
                .map(|s| s.ip().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if c.implicit_local {
                " (none listed: glibc asks the local one)"
            } else {
                ""
            },
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
    checks.push(check("/etc/resolv.conf", t, Reason::System, r))?;
    if probe_dns && let Ok(c) = conf {
        for server in c.servers {
            let t = Instant::now();
            let name = hickory_proto::rr::Name::root();
            let q = crate::dns::QueryOpts {
                wire: Default::default(),
                recurse: true,
                dnssec: false,
                timeout,
                retries: 0,
            };
            let server = crate::dns::Server::plain(server, false);
            let r = match crate::dns::exchange(&server, &name, hickory_proto::rr::RecordType::NS, q)
                .await
            {
                Ok(ex) => Ok(format!(
                    "answered {} in {:.2} ms",
                    crate::dns::DnsStatus::from_rcode(ex.response.rcode).upper(),
                    ex.rtt_ms
                )),
                Err(e) => Err(e.to_string()),
            };
            checks.push(check(
                &format!("nameserver {server} answers"),
                t,
                Reason::Timeout,
                r,
            ))?;
        }
    }
    Ok(checks.summary)
}
