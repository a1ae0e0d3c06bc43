//! Local bind checks: can a server on this host listen on the port? (the
//! seed's is_port_available, on every address a server would use).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};

use crate::addr::SockProto;
use crate::error::Failure;
use crate::exit::Reason;
use crate::output::{Render, View};

/// Where a local bind was tried and what happened.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LocalCheck {
    /// True when a server could bind it (or the address is not on this host).
    pub ok: bool,
    /// The port.
    pub port: u16,
    /// tcp or udp.
    pub protocol: SockProto,
    /// The address tried.
    pub address: IpAddr,
    /// For `::`: `v6only` or `dual_stack`; else null.
    pub mode: Option<BindMode>,
    /// free, in_use, permission, unavailable or error.
    pub status: BindStatus,
    /// Why not, when not free.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

words! {
    /// How a `::` socket was bound.
    pub enum BindMode {
        /// IPv6 only (IPV6_V6ONLY set).
        V6only = "v6only",
        /// IPv6 and IPv4-mapped (IPV6_V6ONLY clear).
        DualStack = "dual_stack",
    }
}

words! {
    /// What a bind found.
    pub enum BindStatus {
        /// The port can be bound.
        Free = "free",
        /// Something holds it (EADDRINUSE).
        InUse = "in_use",
        /// Not allowed (EACCES, EPERM: a privileged port).
        Permission = "permission",
        /// The address is not on this host (EADDRNOTAVAIL).
        Unavailable = "unavailable",
        /// Another error.
        Error = "error",
    }
}

impl crate::output::Report for LocalCheck {
    const TYPE: &'static str = "bind_check";
}

/// Tries to bind `port` the way a server would (SO_REUSEADDR for TCP,
/// then listen), on each address: by default 0.0.0.0, :: (v6-only and
/// dual-stack) and 127.0.0.1.
pub fn local_checks(port: u16, udp: bool, binds: &[IpAddr]) -> Vec<LocalCheck> {
    let mut plan: Vec<(IpAddr, Option<bool>)> = Vec::new();
    if binds.is_empty() {
        plan.push((Ipv4Addr::UNSPECIFIED.into(), None));
        plan.push((Ipv6Addr::UNSPECIFIED.into(), Some(true)));
        plan.push((Ipv6Addr::UNSPECIFIED.into(), Some(false)));
        plan.push((Ipv4Addr::LOCALHOST.into(), None));
    } else {
        for b in binds {
            match b {
                IpAddr::V6(v6) if v6.is_unspecified() => {
                    plan.push((*b, Some(true)));
                    plan.push((*b, Some(false)));
                }
                IpAddr::V6(_) => plan.push((*b, Some(true))),
                IpAddr::V4(_) => plan.push((*b, None)),
            }
        }
    }
    plan.into_iter()
        .map(|(addr, v6only)| {
            let result = try_bind(addr, port, udp, v6only);
            let (status, error) = match result {
                Ok(()) => (BindStatus::Free, None),
                Err(e) => (
                    match e.raw_os_error() {
                        Some(libc::EADDRINUSE) => BindStatus::InUse,
                        Some(libc::EACCES | libc::EPERM) => BindStatus::Permission,
                        Some(libc::EADDRNOTAVAIL | libc::EAFNOSUPPORT) => BindStatus::Unavailable,
                        _ => BindStatus::Error,
                    },
                    Some(Failure::new(
                        Reason::from_local_io(&e),
                        format!("bind {addr} port {port}: {e}"),
                    )),
                ),
            };
            LocalCheck {
                ok: matches!(status, BindStatus::Free | BindStatus::Unavailable),
                port,
                protocol: if udp { SockProto::Udp } else { SockProto::Tcp },
                address: addr,
                mode: match (addr.is_ipv6() && addr.is_unspecified(), v6only) {
                    (true, Some(true)) => Some(BindMode::V6only),
                    (true, Some(false)) => Some(BindMode::DualStack),
                    _ => None,
                },
                status,
                error,
            }
        })
        .collect()
}

fn try_bind(addr: IpAddr, port: u16, udp: bool, v6only: Option<bool>) -> io::Result<()> {
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let (ty, proto) = if udp {
        (Type::DGRAM, Protocol::UDP)
    } else {
        (Type::STREAM, Protocol::TCP)
    };
    let s = Socket::new(domain, ty, Some(proto))?;
    if let Some(only) = v6only {
        s.set_only_v6(only)?;
    }
    if !udp {
        s.set_reuse_address(true)?;
    }
    s.bind(&SocketAddr::new(addr, port).into())?;
    if !udp {
        s.listen(1)?;
    }
    Ok(())
}

impl Render for LocalCheck {
    fn render(&self, w: &mut dyn io::Write, _: &View) -> io::Result<()> {
        use colored::Colorize;
        let status = if self.status == BindStatus::Free {
            self.status.as_str().green().to_string()
        } else {
            self.status.as_str().red().to_string()
        };
        w.write_all(
            crate::output::text::row(
                &[
                    format!("{}/{}", self.port, self.protocol),
                    self.address.to_string(),
                    self.mode.map_or("", BindMode::as_str).to_string(),
                    status,
                    self.error
                        .as_ref()
                        .map(|e| e.message.clone())
                        .unwrap_or_default(),
                ],
                &[9, 15, 10, 11],
            )
            .as_bytes(),
        )
    }
}

/// The header of the `--local` table.
pub fn header() -> String {
    crate::output::text::row(
        &[
            "PORT".into(),
            "ADDRESS".into(),
            "MODE".into(),
            "STATUS".into(),
            "ERROR".into(),
        ],
        &[9, 15, 10, 11],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_bind_sees_a_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let checks = local_checks(port, false, &[Ipv4Addr::LOCALHOST.into()]);
        assert_eq!(
            (checks.len(), checks[0].status, checks[0].ok),
            (1, BindStatus::InUse, false)
        );
        drop(l);
        assert_eq!(
            local_checks(port, false, &[Ipv4Addr::LOCALHOST.into()])[0].status,
            BindStatus::Free
        );
    }
}
