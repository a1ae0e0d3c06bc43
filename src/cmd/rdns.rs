//! `netkit rdns`: reverse look-ups, CIDR sweeps, forward confirmation.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use colored::Colorize;
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use crate::cidr::Cidr;
use crate::cli::RdnsArgs;
use crate::dns::{self, QueryOpts, SystemConfig};
use crate::error::{ErrorInfo, NetkitError, Result};
use crate::exit::Exit;
use crate::output::{self, Printer};
use crate::resolve::{self, AiHints};
use crate::sanitize::escape;

/// The answer for one address.
#[derive(Debug, Clone, Serialize)]
pub struct RdnsAnswer {
    /// Always `"rdns"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The address.
    pub address: String,
    /// `system` (gethostbyaddr) or `dns` (PTR).
    pub source: &'static str,
    /// The primary name (gethostbyaddr's hostname, or the first PTR).
    pub hostname: Option<String>,
    /// Other names (aliases, or further PTRs).
    pub aliases: Vec<String>,
    /// gethostbyaddr's address list (system source).
    pub addresses: Vec<String>,
    /// FOUND, NOTFOUND, NXDOMAIN, NODATA, SERVFAIL, TIMEOUT, ERROR.
    pub status: &'static str,
    /// With --verify: whether a name resolves back to the address.
    pub verified: Option<bool>,
    /// With --verify: what the names resolve to.
    pub forward: Vec<String>,
    /// Why there is no name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    #[serde(skip)]
    exit: Exit,
}

/// Expands targets into addresses, refusing blocks that are too large.
pub fn expand(targets: &[String]) -> Result<Vec<IpAddr>> {
    let mut out = Vec::new();
    for t in targets {
        let cidr: Cidr = t.parse()?;
        let (max_bits, limit) = if cidr.network.is_ipv4() {
            (32, 16)
        } else {
            (128, 112)
        };
        if cidr.prefix < limit {
            return Err(NetkitError::invalid(format!(
                "{t}: /{} holds {} addresses; rdns sweeps at most /{limit} ({} addresses) at once",
                cidr.prefix,
                cidr.size(),
                1u64 << (max_bits - limit)
            )));
        }
        out.extend(cidr.addresses());
    }
    Ok(out)
}

fn reverse_name(ip: IpAddr) -> Result<Name> {
    let text = match ip {
        IpAddr::V4(v4) => crate::addr::reverse_name_v4(v4),
        IpAddr::V6(v6) => crate::addr::reverse_name_v6(v6),
    };
    Name::from_ascii(format!("{text}.")).map_err(|e| NetkitError::invalid(e.to_string()))
}

#[derive(Clone)]
enum Dns {
    Servers(Vec<std::net::SocketAddr>),
    System(SystemConfig),
}

async fn ask(
    dns: &Dns,
    given: &str,
    name: &Name,
    rtype: RecordType,
    opts: QueryOpts,
) -> dns::LookupResult {
    match dns {
        Dns::Servers(servers) => {
            let mut last = None;
            for s in servers {
                let r = dns::resolve_at(given, name, rtype, *s, opts).await;
                let again = matches!(r.status, "TIMEOUT" | "ERROR" | "SERVFAIL" | "REFUSED");
                last = Some(r);
                if !again {
                    break;
                }
            }
            last.unwrap_or_else(|| dns::no_nameserver(given, rtype, "no server given"))
        }
        Dns::System(cfg) => dns::resolve_system(given, name, rtype, cfg, opts).await,
    }
}

async fn by_dns(ip: IpAddr, dns: &Dns, opts: QueryOpts, verify: bool) -> RdnsAnswer {
    let mut a = blank(ip, "dns");
    let Ok(rname) = reverse_name(ip) else {
        a.status = "ERROR";
        a.exit = Exit::Usage;
        return a;
    };
    let r = ask(dns, &rname.to_string(), &rname, RecordType::PTR, opts).await;
    let names: Vec<String> = r.values().map(|v| v.value.clone()).collect();
    a.status = if r.status == "NOERROR" {
        "FOUND"
    } else {
        r.status
    };
    a.exit = r.exit();
    a.error = r.error.clone();
    a.hostname = names.first().cloned();
    a.aliases = names.iter().skip(1).cloned().collect();
    if verify && !names.is_empty() {
        let rtype = if ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::AAAA
        };
        for n in &names {
            if let Ok(name) = Name::from_ascii(n) {
                let f = ask(dns, n, &name, rtype, opts).await;
                a.forward.extend(f.values().map(|v| v.value.clone()));
            }
        }
        confirm(&mut a, ip);
    }
    a
}

fn by_system(ip: IpAddr, verify: bool) -> RdnsAnswer {
    let mut a = blank(ip, "system");
    match resolve::gethostbyaddr(ip) {
        Ok(e) => {
            a.status = "FOUND";
            a.hostname = Some(e.hostname.clone());
            a.aliases = e.aliases.clone();
            a.addresses = e.addresses;
            if verify {
                for n in std::iter::once(&e.hostname).chain(&e.aliases) {
                    let family = if ip.is_ipv4() {
                        libc::AF_INET
                    } else {
                        libc::AF_INET6
                    };
                    if let Ok(Ok(list)) = resolve::getaddrinfo(
                        Some(n),
                        None,
                        AiHints {
                            family,
                            ..AiHints::default()
                        },
                    ) {
                        for x in list {
                            if !a.forward.contains(&x.address) {
                                a.forward.push(x.address);
                            }
                        }
                    }
                }
                confirm(&mut a, ip);
            }
        }
        Err(e) => {
            a.status = if e.exit() == Exit::Negative {
                "NOTFOUND"
            } else {
                "ERROR"
            };
            a.exit = e.exit();
            a.error = Some(e.info());
        }
    }
    a
}

fn confirm(a: &mut RdnsAnswer, ip: IpAddr) {
    let ok = a
        .forward
        .iter()
        .any(|f| f.split('%').next().and_then(|s| s.parse::<IpAddr>().ok()) == Some(ip));
    a.verified = Some(ok);
    if !ok {
        a.exit = a.exit.max(Exit::Negative);
        if a.error.is_none() {
            a.error = Some(ErrorInfo {
                code: "not_confirmed",
                message: format!("no name of {ip} resolves back to it"),
            });
        }
    }
}

fn blank(ip: IpAddr, source: &'static str) -> RdnsAnswer {
    RdnsAnswer {
        kind: "rdns",
        address: ip.to_string(),
        source,
        hostname: None,
        aliases: Vec::new(),
        addresses: Vec::new(),
        status: "ERROR",
        verified: None,
        forward: Vec::new(),
        error: None,
        exit: Exit::Success,
    }
}

/// Runs `netkit rdns`.
pub fn run(args: &RdnsArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let addrs = expand(&args.targets)?;
    let mut servers: Vec<std::net::SocketAddr> = args
        .server
        .iter()
        .map(|s| dns::parse_server(s))
        .collect::<Result<_>>()?;
    let use_dns = args.dns || !servers.is_empty();
    let dns_target = if use_dns {
        if servers.is_empty() {
            match dns::system_config(Path::new("/etc/resolv.conf")) {
                Ok(c) => Some(Dns::System(c)),
                Err(e) => {
                    return Err(NetkitError::invalid(format!(
                        "--dns without --server needs /etc/resolv.conf: {e}"
                    ))
                    .into());
                }
            }
        } else {
            Some(Dns::Servers(std::mem::take(&mut servers)))
        }
    } else {
        None
    };
    let opts = QueryOpts {
        tcp: false,
        timeout: args.timeout.unwrap_or(Duration::from_secs(2)),
        retries: 1,
    };
    crate::echo::raise_nofile_limit();
    let rt = crate::runtime::multi_thread(None)?;
    let answers: Vec<RdnsAnswer> = rt.block_on(async {
        let limit = Arc::new(tokio::sync::Semaphore::new(args.concurrency as usize));
        let mut jobs = Vec::with_capacity(addrs.len());
        for ip in &addrs {
            let (ip, limit, dns_target, verify) =
                (*ip, Arc::clone(&limit), dns_target.clone(), args.verify);
            jobs.push(tokio::spawn(async move {
                let _permit = limit.acquire_owned().await;
                match dns_target {
                    Some(d) => by_dns(ip, &d, opts, verify).await,
                    None => tokio::task::spawn_blocking(move || by_system(ip, verify))
                        .await
                        .unwrap_or_else(|_| blank(ip, "system")),
                }
            }));
        }
        let mut out = Vec::with_capacity(jobs.len());
        for j in jobs {
            if let Ok(a) = j.await {
                out.push(a);
            }
        }
        out
    });
    let exit = Exit::worst(answers.iter().map(|a| a.exit));
    if out.is_json() {
        for a in &answers {
            out.json(a)?;
        }
        return Ok(exit);
    }
    let sweep = addrs.len() > 1;
    let w = out.human();
    if sweep {
        let rows = answers
            .iter()
            .filter(|a| a.hostname.is_some() || !matches!(a.status, "NOTFOUND" | "NXDOMAIN"))
            .map(|a| {
                vec![
                    a.address.clone(),
                    escape(a.hostname.as_deref().unwrap_or(a.status)).into_owned(),
                    match a.verified {
                        Some(true) => "yes".into(),
                        Some(false) => "NO".into(),
                        None => String::new(),
                    },
                ]
            })
            .collect();
        writeln!(
            w,
            "{}",
            output::table(&["ADDRESS", "NAME", "VERIFIED"], rows)
        )?;
        let named = answers.iter().filter(|a| a.hostname.is_some()).count();
        writeln!(
            w,
            "{}",
            format!("{named} of {} addresses have a name", answers.len()).dimmed()
        )?;
        return Ok(exit);
    }
    for a in &answers {
        match &a.hostname {
            Some(h) => {
                writeln!(w, "Hostname : {}", escape(h))?;
                writeln!(w, "Aliases  : {}", crate::sanitize::python_list(&a.aliases))?;
                if a.source == "system" {
                    writeln!(
                        w,
                        "Addresses: {}",
                        crate::sanitize::python_list(&a.addresses)
                    )?;
                }
            }
            None => writeln!(
                w,
                "{}",
                format!(
                    "{}: {}",
                    a.address,
                    a.error.as_ref().map_or(a.status, |e| e.message.as_str())
                )
                .red()
            )?,
        }
        match a.verified {
            Some(true) => writeln!(
                w,
                "Verified : {}",
                format!(
                    "yes ({} -> {})",
                    escape(a.hostname.as_deref().unwrap_or("")),
                    a.address
                )
                .green()
            )?,
            Some(false) => writeln!(
                w,
                "Verified : {}",
                format!(
                    "NO (names resolve to {})",
                    crate::sanitize::python_list(&a.forward)
                )
                .red()
            )?,
            None => {}
        }
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_are_bounded() {
        assert_eq!(expand(&["192.0.2.0/30".into()]).unwrap().len(), 4);
        assert_eq!(expand(&["10.0.0.0/16".into()]).unwrap().len(), 65_536);
        assert!(
            expand(&["10.0.0.0/15".into()])
                .unwrap_err()
                .to_string()
                .contains("at most /16")
        );
        assert_eq!(expand(&["2001:db8::/120".into()]).unwrap().len(), 256);
        assert!(expand(&["2001:db8::/111".into()]).is_err());
        assert!(expand(&["nonsense".into()]).is_err());
    }
}
