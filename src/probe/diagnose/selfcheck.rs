//! The self-check: this host's name, localhost, loopback TCP and UDP on
//! both families, the netdb files and resolv.conf; each check streamed as
//! it ends.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::Failure;
use crate::exit::Reason;
use crate::resolve::{self, AiHints};

/// One self-check.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Check {
    /// Whether it passed.
    pub ok: bool,
    /// What was checked.
    pub name: String,
    /// What was found.
    pub detail: String,
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
    /// Checks passed.
    pub passed: u64,
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
        if c.ok {
            self.summary.passed += 1;
        } else {
            self.summary.failed += 1;
            self.summary.failures.push(c.name.clone());
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
        error: (!ok).then(|| Failure::new(reason, detail.clone())),
        name: name.to_string(),
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
    let t = Instant::now();
    let host = resolve::hostname();
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
        Reason::NotFound,
        addrs.map(|a| format!("{host} (fqdn {fq}) -> {}", a.join(", "))),
    ))?;
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
        checks.push(check(label, t, Reason::NotFound, r))?;
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
                Reason::Network,
                r,
            ))?;
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
    let r = std::fs::read_to_string("/etc/hosts")
        .map_err(|e| e.to_string())
        .map(|text| {
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
