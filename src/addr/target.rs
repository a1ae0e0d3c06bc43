//! The one HOST[:PORT] syntax every command shares: `host`, `host:port`,
//! `192.0.2.1:80`, `[2001:db8::1]:80`, a bare `2001:db8::1`, and IPv6
//! zones (`fe80::1%eth0`, `[ff02::1%eth0]:5000`).

use std::net::IpAddr;

use crate::error::{NetkitError, Result};
use crate::sanitize::escape;

/// The longest host name accepted (RFC 1035: 253 characters, plus a dot).
pub const MAX_NAME: usize = 254;

/// A host: an address literal (with its zone) or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// An IP address; `zone` is the text after `%` (IPv6 only).
    Ip {
        /// The address.
        ip: IpAddr,
        /// The zone as written (`eth0`, `2`).
        zone: Option<String>,
    },
    /// A name to resolve.
    Name(String),
}

impl Host {
    /// The address, when the host is a literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Ip { ip, .. } => Some(*ip),
            Host::Name(_) => None,
        }
    }

    /// As written, without brackets (`::1`, `fe80::1%eth0`, `db.example.test`).
    pub fn text(&self) -> String {
        match self {
            Host::Ip { ip, zone: Some(z) } => format!("{ip}%{z}"),
            Host::Ip { ip, zone: None } => ip.to_string(),
            Host::Name(n) => n.clone(),
        }
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

/// A host and, when given, a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// The host.
    pub host: Host,
    /// The port, if the text had one.
    pub port: Option<u16>,
}

impl HostPort {
    /// The port, or `default`.
    pub fn port_or(&self, default: u16) -> u16 {
        self.port.unwrap_or(default)
    }

    /// `host:port` with brackets around IPv6 (`[::1]:53`).
    pub fn with_port(&self, port: u16) -> String {
        match &self.host {
            Host::Ip {
                ip: IpAddr::V6(_), ..
            } => format!("[{}]:{port}", self.host),
            _ => format!("{}:{port}", self.host),
        }
    }
}

fn bad(text: &str, why: &str) -> NetkitError {
    NetkitError::invalid(format!(
        "invalid target '{}': {why}",
        crate::sanitize::brief(text, 100)
    ))
}

/// Parses a host name: letters, digits, `-`, `_`, `.`, and any non-ASCII
/// (IDN) character; at most 253 characters; no empty label.
pub fn parse_name(text: &str) -> Result<String> {
    if text.is_empty() {
        return Err(bad(text, "missing host"));
    }
    if text.len() > MAX_NAME {
        return Err(bad(text, "a host name has at most 253 characters"));
    }
    if text.chars().any(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '/' | '@' | '[' | ']' | ':' | '%')
    }) {
        return Err(bad(
            text,
            "host names cannot hold spaces, control characters or / @ [ ] : %",
        ));
    }
    if text.trim_end_matches('.').split('.').any(str::is_empty) && text != "." {
        return Err(bad(text, "empty label in the host name"));
    }
    Ok(text.to_string())
}

fn parse_host(text: &str, full: &str) -> Result<Host> {
    let (addr, zone) = match text.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (text, None),
    };
    if let Ok(ip) = addr.parse::<IpAddr>() {
        return match (ip, zone) {
            (_, None) => Ok(Host::Ip { ip, zone: None }),
            (IpAddr::V4(_), Some(_)) => Err(bad(full, "a %zone applies to IPv6 addresses only")),
            (IpAddr::V6(_), Some(z))
                if z.is_empty()
                    || z.len() > 15
                    || z.chars().any(|c| c.is_control() || c.is_whitespace()) =>
            {
                Err(bad(full, "the %zone must be an interface name or index"))
            }
            (IpAddr::V6(_), Some(z)) => Ok(Host::Ip {
                ip,
                zone: Some(z.to_string()),
            }),
        };
    }
    if text.contains(':') {
        return Err(bad(
            full,
            "not a valid IPv6 address (write [V6]:PORT to give a port)",
        ));
    }
    Ok(Host::Name(parse_name(text).map_err(|_| {
        bad(full, "host names cannot hold spaces, control characters or / @ [ ] : %, nor empty labels, and have at most 253 characters")
    })?))
}

/// Parses a port: 1-65535.
pub fn parse_port(text: &str, full: &str) -> Result<u16> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| bad(full, &format!("port '{}' is not 1-65535", escape(text))))
}

/// Parses `host`, `host:port`, `[v6]`, `[v6]:port`, `v6`, `v6%zone`.
pub fn parse_host_port(text: &str) -> Result<HostPort> {
    let t = text.trim();
    if t.is_empty() {
        return Err(bad(text, "empty"));
    }
    if let Some(rest) = t.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| bad(text, "unbalanced '['"))?;
        let host = parse_host(host, text)?;
        if !matches!(
            host,
            Host::Ip {
                ip: IpAddr::V6(_),
                ..
            }
        ) {
            return Err(bad(text, "brackets hold an IPv6 address: [2001:db8::1]:80"));
        }
        let port = match after {
            "" => None,
            p => Some(parse_port(
                p.strip_prefix(':')
                    .ok_or_else(|| bad(text, "expected [V6]:PORT"))?,
                text,
            )?),
        };
        return Ok(HostPort { host, port });
    }
    if t.matches(':').count() > 1 {
        // A bare IPv6 literal; it has no port.
        return Ok(HostPort {
            host: parse_host(t, text)?,
            port: None,
        });
    }
    match t.split_once(':') {
        Some((h, p)) => Ok(HostPort {
            host: parse_host(h, text)?,
            port: Some(parse_port(p, text)?),
        }),
        None => Ok(HostPort {
            host: parse_host(t, text)?,
            port: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(text: &str) -> (String, Option<u16>) {
        let h = parse_host_port(text).unwrap();
        (h.host.text(), h.port)
    }

    #[test]
    fn accepted_forms() {
        let table: &[(&str, &str, Option<u16>)] = &[
            ("127.0.0.1:22", "127.0.0.1", Some(22)),
            ("127.0.0.1", "127.0.0.1", None),
            ("[::1]:22", "::1", Some(22)),
            ("[::1]", "::1", None),
            ("::1", "::1", None),
            ("fe80::1%lo", "fe80::1%lo", None),
            ("[ff02::1%eth0]:5000", "ff02::1%eth0", Some(5000)),
            ("db.example.test:5432", "db.example.test", Some(5432)),
            ("db.example.test.", "db.example.test.", None),
            ("bücher.example.test", "bücher.example.test", None),
            (" host:1 ", "host", Some(1)),
        ];
        for (text, host, port) in table {
            assert_eq!(hp(text), (host.to_string(), *port), "{text}");
        }
        assert_eq!(parse_host_port("[::1]").unwrap().with_port(53), "[::1]:53");
    }

    #[test]
    fn rejected_forms() {
        let long = "a".repeat(300);
        for bad in [
            "",
            ":80",
            "host:0",
            "host:99999",
            "host:x",
            "[::1",
            "[::1]x",
            "[127.0.0.1]:80",
            "a b:1",
            "[zz::1]:5",
            "1:2:3:x",
            "192.0.2.1%eth0",
            "a..b",
            "host/24",
            long.as_str(),
            "x\u{1b}y",
        ] {
            assert!(parse_host_port(bad).is_err(), "{bad:?}");
        }
    }
}
