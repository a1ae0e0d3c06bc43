//! CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`, or a single address).

use std::net::IpAddr;

use crate::error::{NetkitError, Result};

/// An address block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address (host bits cleared).
    pub network: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn mask_v4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask_v6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

impl std::str::FromStr for Cidr {
    type Err = NetkitError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid CIDR '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = addr.parse().map_err(|_| bad("not an IP address"))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| bad(&format!("prefix must be 0-{max}")))?,
        };
        let network = match ip {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask_v4(prefix)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask_v6(prefix)).into()),
        };
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    /// Whether `ip` lies in this block. IPv4-mapped IPv6 addresses count as
    /// their IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => u32::from(a) & mask_v4(self.prefix) == u32::from(n),
            (IpAddr::V6(n), IpAddr::V6(a)) => u128::from(a) & mask_v6(self.prefix) == u128::from(n),
            _ => false,
        }
    }

    /// How many addresses the block holds (saturating).
    pub fn size(&self) -> u128 {
        let bits = if self.network.is_ipv4() { 32 } else { 128 } - u32::from(self.prefix);
        if bits >= 128 {
            u128::MAX
        } else {
            1u128 << bits
        }
    }

    /// The addresses of the block, in order, owning the block.
    pub fn into_addresses(self) -> impl Iterator<Item = IpAddr> {
        let count = self.size();
        (0..count).map(move |i| match self.network {
            IpAddr::V4(n) => IpAddr::V4((u32::from(n).wrapping_add(i as u32)).into()),
            IpAddr::V6(n) => IpAddr::V6((u128::from(n).wrapping_add(i)).into()),
        })
    }

    /// The addresses of the block, in order.
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        let count = self.size();
        (0..count).map(move |i| match self.network {
            IpAddr::V4(n) => IpAddr::V4((u32::from(n).wrapping_add(i as u32)).into()),
            IpAddr::V6(n) => IpAddr::V6((u128::from(n).wrapping_add(i)).into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_contain() {
        let c: Cidr = "10.1.2.3/8".parse().unwrap();
        assert_eq!(c.to_string(), "10.0.0.0/8");
        assert!(c.contains("10.255.0.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert!(!c.contains("::1".parse().unwrap()));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert_eq!((one.prefix, one.size()), (32, 1));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.1".parse().unwrap()));
        let small: Cidr = "192.0.2.0/30".parse().unwrap();
        let addrs: Vec<String> = small.addresses().map(|a| a.to_string()).collect();
        assert_eq!(addrs, ["192.0.2.0", "192.0.2.1", "192.0.2.2", "192.0.2.3"]);
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "x/8",
            "10.0.0.0/",
            "10.0.0.0/-1",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }
}
