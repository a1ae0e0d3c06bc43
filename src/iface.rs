//! Network interfaces of this host (getifaddrs).

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::error::{NetkitError, Result};

/// The index of the interface with this name, or `None` if there is none.
pub fn index_of(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (index != 0).then_some(index)
}

/// The name of the interface with this index.
pub fn name_of(index: u32) -> Option<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: buf holds IF_NAMESIZE bytes, as if_indextoname requires.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: if_indextoname wrote a NUL-terminated name into buf.
    Some(
        unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// One address of an interface, with its prefix length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IfAddr {
    /// The address.
    pub addr: IpAddr,
    /// The prefix length of its netmask.
    pub prefix_len: u8,
}

/// One network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

impl Interface {
    /// Whether a flag is set.
    pub fn has(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }

    /// The first IPv4 address, if any.
    pub fn ipv4(&self) -> Option<Ipv4Addr> {
        self.addrs.iter().find_map(|a| match a.addr {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
    }
}

fn prefix_len(mask: Option<IpAddr>) -> u8 {
    match mask {
        Some(IpAddr::V4(m)) => u32::from(m).count_ones() as u8,
        Some(IpAddr::V6(m)) => u128::from(m).count_ones() as u8,
        None => 0,
    }
}

/// Reads a `sockaddr` that getifaddrs handed out.
///
/// # Safety
/// `sa` is null or points to a valid sockaddr of the size its family implies.
unsafe fn ip_of(sa: *const libc::sockaddr) -> Option<IpAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: non-null and valid per the caller's contract.
    match i32::from(unsafe { (*sa).sa_family }) {
        libc::AF_INET => {
            // SAFETY: the family says this is a sockaddr_in.
            let sin = unsafe { &*(sa as *const libc::sockaddr_in) };
            Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                sin.sin_addr.s_addr,
            ))))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says this is a sockaddr_in6.
            let sin6 = unsafe { &*(sa as *const libc::sockaddr_in6) };
            Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
        }
        _ => None,
    }
}

/// Every interface of this host, by index.
pub fn list() -> Result<Vec<Interface>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we free below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(NetkitError::System {
            call: "getifaddrs",
            source: std::io::Error::last_os_error(),
        });
    }
    let mut by_name: BTreeMap<String, Interface> = BTreeMap::new();
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getifaddrs returned.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        let flags = ifa.ifa_flags;
        let entry = by_name.entry(name.clone()).or_insert_with(|| Interface {
            index: index_of(&name).unwrap_or(0),
            flags: flag_names(flags),
            mtu: std::fs::read_to_string(format!("/sys/class/net/{name}/mtu"))
                .ok()
                .and_then(|m| m.trim().parse().ok()),
            name,
            mac: None,
            addrs: Vec::new(),
        });
        if ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: non-null sockaddr from getifaddrs.
        let family = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
        if family == libc::AF_PACKET {
            // SAFETY: AF_PACKET addresses are sockaddr_ll.
            let ll = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_ll) };
            let len = usize::from(ll.sll_halen).min(ll.sll_addr.len());
            if len > 0 {
                entry.mac = Some(
                    ll.sll_addr[..len]
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(":"),
                );
            }
            continue;
        }
        // SAFETY: sockaddrs from getifaddrs, valid for their family.
        if let Some(addr) = unsafe { ip_of(ifa.ifa_addr) } {
            // SAFETY: as above; the netmask may be null.
            let mask = unsafe { ip_of(ifa.ifa_netmask) };
            entry.addrs.push(IfAddr {
                addr,
                prefix_len: prefix_len(mask),
            });
        }
    }
    // SAFETY: head came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    let mut list: Vec<Interface> = by_name.into_values().collect();
    list.sort_by_key(|i| i.index);
    Ok(list)
}

fn flag_names(flags: libc::c_uint) -> Vec<&'static str> {
    let table: [(libc::c_int, &str); 6] = [
        (libc::IFF_UP, "up"),
        (libc::IFF_RUNNING, "running"),
        (libc::IFF_LOOPBACK, "loopback"),
        (libc::IFF_BROADCAST, "broadcast"),
        (libc::IFF_POINTOPOINT, "point_to_point"),
        (libc::IFF_MULTICAST, "multicast"),
    ];
    table
        .iter()
        .filter(|(bit, _)| flags & (*bit as libc::c_uint) != 0)
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
    list().is_ok_and(|l| l.iter().any(|i| i.addrs.iter().any(|a| a.addr == addr)))
}

/// An interface named by the user: a name (`eth0`), an index (`2`) or one
/// of its addresses (`192.0.2.1`).
pub fn find(spec: &str) -> Result<Interface> {
    let all = list()?;
    let found = if let Ok(index) = spec.parse::<u32>() {
        all.into_iter().find(|i| i.index == index)
    } else if let Ok(ip) = spec.parse::<IpAddr>() {
        all.into_iter()
            .find(|i| i.addrs.iter().any(|a| a.addr == ip))
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
            .find(|i| i.has("loopback"))
            .expect("a loopback interface");
        assert_eq!(index_of(&lo.name), Some(lo.index));
        assert_eq!(name_of(lo.index).as_deref(), Some(lo.name.as_str()));
        assert_eq!(find(&lo.index.to_string()).unwrap().name, lo.name);
        if let Some(v4) = lo.ipv4() {
            assert!(v4.is_loopback());
            assert_eq!(find(&v4.to_string()).unwrap().name, lo.name);
        }
        assert!(is_local_address("127.0.0.1".parse().unwrap()));
        assert!(!is_local_address("192.0.2.77".parse().unwrap()));
    }
}
