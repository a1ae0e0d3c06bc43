//! Network interfaces of this host (getifaddrs, through nix).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::error::{NetkitError, Result};

/// The index of the interface with this name, or `None` if there is none.
pub fn index_of(name: &str) -> Option<u32> {
    crate::sys::if_index(name)
}

/// The name of the interface with this index.
pub fn name_of(index: u32) -> Option<String> {
    crate::sys::if_name(index)
}

/// One address of an interface, with its prefix length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IfAddr {
    /// The address.
    pub address: IpAddr,
    /// The prefix length of its netmask.
    pub prefix_len: u8,
}

/// One network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Interface {
    /// Its name (`lo`, `eth0`).
    pub name: String,
    /// Its index.
    pub index: u32,
    /// Flags that are set: up, running, loopback, multicast, broadcast, point_to_point.
    pub flags: Vec<&'static str>,
    /// Maximum transmission unit.
    pub mtu: Option<u32>,
    /// Hardware address, for interfaces that have one.
    pub mac: Option<String>,
    /// IPv4 and IPv6 addresses.
    pub addrs: Vec<IfAddr>,
}

fn ip_of(sa: Option<&nix::sys::socket::SockaddrStorage>) -> Option<IpAddr> {
    let sa = sa?;
    if let Some(v4) = sa.as_sockaddr_in() {
        return Some(IpAddr::V4(v4.ip()));
    }
    sa.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
}

fn prefix_len(mask: Option<IpAddr>) -> u8 {
    match mask {
        Some(IpAddr::V4(m)) => u32::from(m).count_ones() as u8,
        Some(IpAddr::V6(m)) => u128::from(m).count_ones() as u8,
        None => 0,
    }
}

/// Every interface of this host, by index.
pub fn list() -> Result<Vec<Interface>> {
    let addrs = nix::ifaddrs::getifaddrs().map_err(|e| NetkitError::System {
        call: "getifaddrs",
        source: std::io::Error::from(e),
    })?;
    let mut by_name: BTreeMap<String, Interface> = BTreeMap::new();
    for ifa in addrs {
        let name = ifa.interface_name.clone();
        let flags = flag_names(ifa.flags);
        let entry = by_name.entry(name.clone()).or_insert_with(|| Interface {
            index: index_of(&name).unwrap_or(0),
            flags,
            mtu: std::fs::read_to_string(format!("/sys/class/net/{name}/mtu"))
                .ok()
                .and_then(|m| m.trim().parse().ok()),
            name,
            mac: None,
            addrs: Vec::new(),
        });
        let Some(address) = ifa.address.as_ref() else {
            continue;
        };
        if let Some(link) = address.as_link_addr() {
            if let (true, Some(mac)) = (link.halen() > 0, link.addr()) {
                entry.mac = Some(
                    mac.iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(":"),
                );
            }
            continue;
        }
        if let Some(ip) = ip_of(Some(address)) {
            entry.addrs.push(IfAddr {
                address: ip,
                prefix_len: prefix_len(ip_of(ifa.netmask.as_ref())),
            });
        }
    }
    let mut list: Vec<Interface> = by_name.into_values().collect();
    list.sort_by_key(|i| i.index);
    Ok(list)
}

fn flag_names(flags: nix::net::if_::InterfaceFlags) -> Vec<&'static str> {
    use nix::net::if_::InterfaceFlags as F;
    [
        (F::IFF_UP, "up"),
        (F::IFF_RUNNING, "running"),
        (F::IFF_LOOPBACK, "loopback"),
        (F::IFF_BROADCAST, "broadcast"),
        (F::IFF_POINTOPOINT, "point_to_point"),
        (F::IFF_MULTICAST, "multicast"),
    ]
    .iter()
    .filter(|(bit, _)| flags.contains(*bit))
    .map(|(_, n)| *n)
    .collect()
}

/// Whether `addr` is one of this host's own addresses.
pub fn is_local_address(addr: IpAddr) -> bool {
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    };
    if addr.is_loopback() {
        return true;
    }
    list().is_ok_and(|l| l.iter().any(|i| i.addrs.iter().any(|a| a.address == addr)))
}

/// An interface named by the user: a name (`eth0`), an index (`2`) or one
/// of its addresses (`192.0.2.1`).
pub fn find(spec: &str) -> Result<Interface> {
    let all = list()?;
    let found = if let Ok(index) = spec.parse::<u32>() {
        all.into_iter().find(|i| i.index == index)
    } else if let Ok(ip) = spec.parse::<IpAddr>() {
        all.into_iter()
            .find(|i| i.addrs.iter().any(|a| a.address == ip))
    } else {
        all.into_iter().find(|i| i.name == spec)
    };
    found.ok_or_else(|| {
        NetkitError::invalid(format!(
            "no interface '{}' on this host (give a name, an index or one of its addresses)",
            crate::sanitize::escape(spec)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_interface_has_no_index() {
        assert_eq!(index_of("netkit-none0"), None);
        assert_eq!(index_of("bad\0name"), None);
        assert!(find("netkit-none0").is_err());
    }

    #[test]
    fn loopback_is_listed_with_its_address() {
        let lo = list()
            .unwrap()
            .into_iter()
            .find(|i| i.flags.contains(&"loopback"))
            .expect("a loopback interface");
        assert_eq!(index_of(&lo.name), Some(lo.index));
        assert_eq!(name_of(lo.index).as_deref(), Some(lo.name.as_str()));
        assert_eq!(find(&lo.index.to_string()).unwrap().name, lo.name);
        let v4 = lo.addrs.iter().find_map(|a| match a.address {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        });
        if let Some(v4) = v4 {
            assert!(v4.is_loopback());
            assert_eq!(find(&v4.to_string()).unwrap().name, lo.name);
        }
        assert!(is_local_address("127.0.0.1".parse().unwrap()));
        assert!(!is_local_address("192.0.2.77".parse().unwrap()));
    }
}
