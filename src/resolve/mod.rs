//! The system's resolver (NSS: /etc/hosts, DNS, ...): gethostname,
//! getaddrinfo with every knob, gethostbyname_ex, gethostbyaddr, and
//! Python's getfqdn on top of them. The C calls live in `sys::netdb`;
//! here they get Rust types and the failure vocabulary.

pub mod rdns;
pub mod report;

use std::ffi::CString;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::Serialize;

use crate::error::{Failure, NetkitError, Result};
use crate::exit::Reason;
use crate::sys::netdb;

/// This host's name (gethostname).
pub fn hostname() -> String {
    crate::sys::hostname()
}

/// A getaddrinfo failure, with its EAI code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaiError {
    /// The EAI_* code.
    pub code: i32,
    /// gai_strerror's text (or errno's, for EAI_SYSTEM).
    pub message: String,
}

impl GaiError {
    fn from_raw(f: netdb::GaiFailure) -> Self {
        let message = match f.os {
            Some(e) => e.to_string(),
            None => netdb::gai_strerror(f.code),
        };
        GaiError {
            code: f.code,
            message,
        }
    }

    /// The EAI_* name.
    pub fn name(&self) -> &'static str {
        match self.code {
            libc::EAI_NONAME => "EAI_NONAME",
            libc::EAI_AGAIN => "EAI_AGAIN",
            libc::EAI_FAIL => "EAI_FAIL",
            libc::EAI_SERVICE => "EAI_SERVICE",
            libc::EAI_BADFLAGS => "EAI_BADFLAGS",
            libc::EAI_FAMILY => "EAI_FAMILY",
            libc::EAI_SOCKTYPE => "EAI_SOCKTYPE",
            libc::EAI_MEMORY => "EAI_MEMORY",
            libc::EAI_SYSTEM => "EAI_SYSTEM",
            -5 => "EAI_NODATA",
            -9 => "EAI_ADDRFAMILY",
            _ => "EAI_OTHER",
        }
    }

    /// NONAME/NODATA are a "no"; AGAIN/FAIL a resolution failure; bad
    /// service or flags invalid input; the rest local.
    pub fn reason(&self) -> Reason {
        match self.code {
            libc::EAI_NONAME | -5 | -9 => Reason::NotFound,
            libc::EAI_AGAIN => Reason::TemporaryFailure,
            libc::EAI_FAIL => Reason::ResolverFailure,
            libc::EAI_SERVICE | libc::EAI_BADFLAGS | libc::EAI_FAMILY | libc::EAI_SOCKTYPE => {
                Reason::Invalid
            }
            _ => Reason::System,
        }
    }

    /// As an in-band failure.
    pub fn failure(&self) -> Failure {
        Failure::new(self.reason(), format!("{} ({})", self.message, self.name()))
    }
}

/// getaddrinfo's hints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AiHints {
    /// AF_UNSPEC, AF_INET or AF_INET6.
    pub family: i32,
    /// 0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW.
    pub socktype: i32,
    /// 0, IPPROTO_TCP, IPPROTO_UDP.
    pub protocol: i32,
    /// AI_* flags.
    pub flags: i32,
}

/// One getaddrinfo result, in Python's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AddrInfo {
    /// AF_INET / AF_INET6.
    pub family: &'static str,
    /// SOCK_STREAM / SOCK_DGRAM / SOCK_RAW.
    pub socktype: &'static str,
    /// IPPROTO_TCP / IPPROTO_UDP / ...
    pub protocol: &'static str,
    /// The canonical name (AI_CANONNAME, first result only), else "".
    pub canonname: String,
    /// The address, as Python shows it (no zone: that is `scope_id`).
    pub address: String,
    /// The port.
    pub port: u16,
    /// The interface a scoped IPv6 address belongs to, by name.
    pub scope: Option<String>,
    /// IPv6 flow info.
    pub flowinfo: Option<u32>,
    /// IPv6 scope id.
    pub scope_id: Option<u32>,
    /// Python's sockaddr tuple, `('192.0.2.1', 80)` / `('fe80::1', 80, 0, 1)`.
    pub sockaddr: String,
}

fn const_name(table: &[(i32, &'static str)], v: i32) -> &'static str {
    table.iter().find(|(k, _)| *k == v).map_or("?", |(_, n)| n)
}

fn addr_info(raw: netdb::RawAddrInfo) -> AddrInfo {
    let family = const_name(
        &[
            (libc::AF_INET, "AF_INET"),
            (libc::AF_INET6, "AF_INET6"),
            (libc::AF_UNIX, "AF_UNIX"),
        ],
        raw.family,
    );
    let socktype = const_name(
        &[
            (libc::SOCK_STREAM, "SOCK_STREAM"),
            (libc::SOCK_DGRAM, "SOCK_DGRAM"),
            (libc::SOCK_RAW, "SOCK_RAW"),
            (0, "0"),
        ],
        raw.socktype,
    );
    let protocol = match raw.protocol {
        0 => "0",
        n => crate::addr::proto::ipproto_constant(n as u32).unwrap_or("?"),
    };
    let canonname = raw.canonname.unwrap_or_default();
    match raw.addr {
        SocketAddr::V4(v4) => AddrInfo {
            family,
            socktype,
            protocol,
            canonname,
            address: v4.ip().to_string(),
            port: v4.port(),
            scope: None,
            flowinfo: None,
            scope_id: None,
            sockaddr: format!("('{}', {})", v4.ip(), v4.port()),
        },
        SocketAddr::V6(v6) => AddrInfo {
            family,
            socktype,
            protocol,
            canonname,
            sockaddr: format!(
                "('{}', {}, {}, {})",
                v6.ip(),
                v6.port(),
                v6.flowinfo(),
                v6.scope_id()
            ),
            address: v6.ip().to_string(),
            port: v6.port(),
            scope: match v6.scope_id() {
                0 => None,
                id => Some(crate::sys::if_name(id).unwrap_or_else(|| id.to_string())),
            },
            flowinfo: Some(v6.flowinfo()),
            scope_id: Some(v6.scope_id()),
        },
    }
}

fn cstring(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| NetkitError::invalid(format!("{what} contains a NUL byte")))
}

/// getaddrinfo(host, service, hints). The inner `Err` carries the EAI code.
pub fn getaddrinfo(
    host: Option<&str>,
    service: Option<&str>,
    hints: AiHints,
) -> Result<std::result::Result<Vec<AddrInfo>, GaiError>> {
    let host_c = host.map(|h| cstring("host", h)).transpose()?;
    let serv_c = service.map(|s| cstring("service", s)).transpose()?;
    Ok(netdb::getaddrinfo(
        host_c.as_ref(),
        serv_c.as_ref(),
        hints.family,
        hints.socktype,
        hints.protocol,
        hints.flags,
    )
    .map(|list| list.into_iter().map(addr_info).collect())
    .map_err(GaiError::from_raw))
}

/// The addresses a host name resolves to for TCP (getaddrinfo with
/// SOCK_STREAM), each once, in the resolver's order.
pub fn stream_addresses(
    host: &str,
    family: i32,
) -> Result<std::result::Result<Vec<IpAddr>, GaiError>> {
    let hints = AiHints {
        family,
        socktype: libc::SOCK_STREAM,
        ..AiHints::default()
    };
    let host_c = cstring("host", host)?;
    Ok(
        netdb::getaddrinfo(Some(&host_c), None, hints.family, hints.socktype, 0, 0)
            .map(|list| {
                let mut ips: Vec<IpAddr> = Vec::new();
                for a in list {
                    if !ips.contains(&a.addr.ip()) {
                        ips.push(a.addr.ip());
                    }
                }
                ips
            })
            .map_err(GaiError::from_raw),
    )
}

/// How long a system resolver call (getaddrinfo, gethostbyname_ex,
/// gethostbyaddr, getfqdn) is waited for when no --timeout says: past
/// glibc's own default (5 s x 2 attempts) and a search domain or two, short
/// of a resolv.conf whose caps multiply into minutes.
pub const SYSTEM_DEADLINE: Duration = Duration::from_secs(30);

/// [`stream_addresses`] bounded by `deadline` ([`crate::deadline::within_async`]:
/// getaddrinfo cannot be cancelled, so its thread is abandoned past it).
pub async fn stream_addresses_within(
    host: &str,
    family: i32,
    deadline: crate::deadline::Deadline,
) -> std::result::Result<Vec<IpAddr>, Failure> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let owned = host.to_string();
    let shown = crate::sanitize::escape(host).into_owned();
    let found = crate::deadline::within_async(&format!("resolving {shown}"), deadline, move || {
        stream_addresses(&owned, family)
    })
    .await?;
    match found {
        Err(e) => Err(Failure::new(Reason::Invalid, e.to_string())),
        Ok(Err(e)) => {
            let f = e.failure();
            Err(Failure::new(
                f.reason,
                format!("resolving {shown}: {}", f.message),
            ))
        }
        Ok(Ok(ips)) if ips.is_empty() => Err(Failure::new(
            Reason::NotFound,
            format!("{shown} has no address of the requested family"),
        )),
        Ok(Ok(ips)) => Ok(ips),
    }
}

/// A host entry: gethostbyname_ex / gethostbyaddr's triple.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HostEntry {
    /// The primary name.
    pub hostname: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Addresses.
    pub addresses: Vec<IpAddr>,
}

impl From<netdb::RawHostEnt> for HostEntry {
    fn from(r: netdb::RawHostEnt) -> Self {
        HostEntry {
            hostname: r.hostname,
            aliases: r.aliases,
            addresses: r.addresses,
        }
    }
}

/// An NSS host look-up failure (h_errno).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostError {
    /// h_errno: 1 HOST_NOT_FOUND, 2 TRY_AGAIN, 3 NO_RECOVERY, 4 NO_DATA.
    pub code: i32,
}

impl HostError {
    /// The h_errno name.
    pub fn name(self) -> &'static str {
        match self.code {
            1 => "HOST_NOT_FOUND",
            2 => "TRY_AGAIN",
            3 => "NO_RECOVERY",
            4 => "NO_DATA",
            _ => "NETDB_INTERNAL",
        }
    }

    /// The failure vocabulary's reason.
    pub fn reason(self) -> Reason {
        match self.code {
            1 => Reason::NotFound,
            4 => Reason::Nodata,
            2 => Reason::TemporaryFailure,
            3 => Reason::ResolverFailure,
            _ => Reason::System,
        }
    }

    /// As an in-band failure.
    pub fn failure(self) -> Failure {
        let text = match self.code {
            1 => "Unknown host",
            2 => "Host name lookup failure",
            3 => "Unknown server error",
            4 => "No address associated with name",
            _ => "Resolver internal error",
        };
        Failure::new(self.reason(), format!("{text} ({})", self.name()))
    }
}

/// gethostbyname_ex, as Python's: through NSS, for `af` (AF_INET or
/// AF_INET6).
pub fn gethostbyname_ex(name: &str, af: i32) -> Result<std::result::Result<HostEntry, HostError>> {
    let c = cstring("name", name)?;
    Ok(netdb::gethostbyname2(&c, af)
        .map(HostEntry::from)
        .map_err(|code| HostError { code }))
}

/// gethostbyaddr: the names of an address.
pub fn gethostbyaddr(ip: IpAddr) -> std::result::Result<HostEntry, HostError> {
    netdb::gethostbyaddr(ip)
        .map(HostEntry::from)
        .map_err(|code| HostError { code })
}

/// Python's `socket.gethostbyaddr(name)`: the name is first resolved (or
/// parsed) to one address, then looked up.
pub fn gethostbyaddr_of(name: &str) -> Result<Option<HostEntry>> {
    let ip = match name.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) => match getaddrinfo(Some(name), None, AiHints::default())? {
            Ok(list) => match list.first().and_then(|a| a.address.parse::<IpAddr>().ok()) {
                Some(ip) => ip,
                None => return Ok(None),
            },
            Err(_) => return Ok(None),
        },
    };
    Ok(gethostbyaddr(ip).ok())
}

/// Python's `socket.getfqdn(name)`: the first of gethostbyaddr's hostname
/// and aliases that contains a dot, else the hostname, else the input.
pub fn getfqdn(name: &str) -> Result<String> {
    let mut name = name.trim().to_string();
    if name.is_empty() || name == "0.0.0.0" || name == "::" {
        name = hostname();
    }
    Ok(match gethostbyaddr_of(&name)? {
        None => name,
        Some(entry) => std::iter::once(entry.hostname.clone())
            .chain(entry.aliases)
            .find(|n| n.contains('.'))
            .unwrap_or(entry.hostname),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_getaddrinfo_needs_no_resolver() {
        let hints = AiHints {
            flags: libc::AI_NUMERICHOST | libc::AI_NUMERICSERV,
            socktype: libc::SOCK_STREAM,
            ..AiHints::default()
        };
        let r = getaddrinfo(Some("0xc000027b"), Some("80"), hints)
            .unwrap()
            .unwrap();
        assert_eq!(r[0].sockaddr, "('192.0.2.123', 80)");
        assert_eq!(
            (r[0].family, r[0].socktype, r[0].protocol),
            ("AF_INET", "SOCK_STREAM", "IPPROTO_TCP")
        );
        let r = getaddrinfo(Some("::ffff:192.0.2.128"), Some("443"), hints)
            .unwrap()
            .unwrap();
        assert_eq!(r[0].sockaddr, "('::ffff:192.0.2.128', 443, 0, 0)");
        let e = getaddrinfo(Some("10.0.0.256"), Some("80"), hints)
            .unwrap()
            .unwrap_err();
        assert_eq!((e.name(), e.reason()), ("EAI_NONAME", Reason::NotFound));
        let e = getaddrinfo(
            Some("127.0.0.1"),
            Some("nosuchservice"),
            AiHints {
                flags: libc::AI_NUMERICHOST,
                ..AiHints::default()
            },
        )
        .unwrap()
        .unwrap_err();
        assert_eq!((e.name(), e.reason()), ("EAI_SERVICE", Reason::Invalid));
        assert!(getaddrinfo(Some("a\0b"), None, hints).is_err());
    }

    #[test]
    fn this_host_has_a_name() {
        assert!(!hostname().is_empty());
    }
}
