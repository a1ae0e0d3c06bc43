//! Multicast sender and receiver: the seeds' IP_ADD_MEMBERSHIP pair grown
//! into a test instrument that counts loss, duplicates and reordering.
//!
//! netkit datagrams start with a 32-byte header (all integers big-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..4 | magic `NKMC` |
//! | 4 | version (1) |
//! | 5 | flags (0) |
//! | 6..8 | header length (32) |
//! | 8..16 | sender id (random per run) |
//! | 16..24 | sequence number, from 0 |
//! | 24..32 | send time, nanoseconds since the Unix epoch |
//!
//! Anything else is a raw datagram and is counted as such.

pub mod hints;
pub mod recv;
pub mod render;
pub mod send;

use std::net::IpAddr;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};

use crate::addr::iface::{self, Interface};
use crate::error::{NetkitError, Result};

/// The magic that starts every netkit multicast datagram.
pub const MAGIC: [u8; 4] = *b"NKMC";
/// The length of the netkit header.
pub const HEADER_LEN: usize = 32;
/// The largest UDP payload over IPv4.
pub const MAX_PAYLOAD_V4: usize = 65_507;
/// The largest UDP payload over IPv6 (without jumbograms).
pub const MAX_PAYLOAD_V6: usize = 65_527;
/// A multicast group and port: `239.1.2.3:5000` or `[ff02::1%eth0]:5000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McastTarget {
    /// The group address.
    pub group: IpAddr,
    /// The UDP port.
    pub port: u16,
    /// The zone given after `%`, for IPv6.
    pub zone: Option<String>,
    /// The zone's interface index (0 when none was given).
    pub scope_id: u32,
}

impl McastTarget {
    /// The same target named the same way whichever form chose the
    /// interface: `[ff15::1%eth0]:PORT` for `[ff15::1]:PORT -i eth0` too,
    /// in sender and receiver alike (IPv4 has no zone: `-i` is printed
    /// beside it).
    pub fn named_with(&self, interface: Option<&str>) -> McastTarget {
        let mut t = self.clone();
        if t.group.is_ipv6() && t.zone.is_none() {
            t.zone = interface.map(str::to_string);
        }
        t
    }
}

impl std::fmt::Display for McastTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.group, &self.zone) {
            (IpAddr::V4(g), _) => write!(f, "{g}:{}", self.port),
            (IpAddr::V6(g), Some(z)) => write!(f, "[{g}%{z}]:{}", self.port),
            (IpAddr::V6(g), None) => write!(f, "[{g}]:{}", self.port),
        }
    }
}

impl FromStr for McastTarget {
    type Err = NetkitError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: String| {
            NetkitError::invalid(format!(
                "invalid multicast target '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("unbalanced '['".into()))?;
            let port = after
                .strip_prefix(':')
                .ok_or_else(|| bad("expected [GROUP]:PORT".into()))?;
            (host, port)
        } else {
            let (host, port) = text.rsplit_once(':').ok_or_else(|| {
                bad("expected GROUP:PORT, such as 239.1.2.3:5000 or [ff02::1%eth0]:5000".into())
            })?;
            if host.contains(':') {
                return Err(bad(
                    "write an IPv6 group in brackets: [ff02::1%eth0]:5000".into()
                ));
            }
            (host, port)
        };
        let port: u16 = port.parse().ok().filter(|p| *p != 0).ok_or_else(|| {
            bad(format!(
                "port '{}' is not 1-65535",
                crate::sanitize::brief(port, 16)
            ))
        })?;
        let (addr_text, zone) = match host.split_once('%') {
            Some((a, z)) => (a, Some(z)),
            None => (host, None),
        };
        let group: IpAddr = addr_text.parse().map_err(|_| {
            bad(format!(
                "'{}' is not an IP address",
                crate::sanitize::brief(addr_text, 64)
            ))
        })?;
        if !group.is_multicast() {
            return Err(bad(format!(
                "{group} is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)"
            )));
        }
        let (zone, scope_id) = match (zone, group) {
            (None, _) => (None, 0),
            (Some(_), IpAddr::V4(_)) => {
                return Err(bad("a %zone applies to IPv6 groups only".into()));
            }
            (Some(z), IpAddr::V6(_)) => {
                let index = match z.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => iface::index_of(z)
                        .ok_or_else(|| bad(format!("no interface '{z}' on this host")))?,
                };
                (Some(z.to_string()), index)
            }
        };
        Ok(McastTarget {
            group,
            port,
            zone,
            scope_id,
        })
    }
}

/// The netkit header of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Random per sender run, so restarts and several senders are told apart.
    pub sender_id: u64,
    /// Sequence number, from 0.
    pub seq: u64,
    /// Send time, nanoseconds since the Unix epoch.
    pub sent_ns: u64,
}

impl Header {
    /// Writes the header into the first 32 bytes of `buf`.
    pub fn encode(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&MAGIC);
        buf[4] = 1;
        buf[5] = 0;
        buf[6..8].copy_from_slice(&(HEADER_LEN as u16).to_be_bytes());
        buf[8..16].copy_from_slice(&self.sender_id.to_be_bytes());
        buf[16..24].copy_from_slice(&self.seq.to_be_bytes());
        buf[24..32].copy_from_slice(&self.sent_ns.to_be_bytes());
    }

    /// Reads a header, or `None` for a datagram that is not netkit's.
    pub fn decode(buf: &[u8]) -> Option<Header> {
        if buf.len() < HEADER_LEN || buf[0..4] != MAGIC || buf[4] != 1 {
            return None;
        }
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i..i + 8]);
            u64::from_be_bytes(b)
        };
        Some(Header {
            sender_id: u64_at(8),
            seq: u64_at(16),
            sent_ns: u64_at(24),
        })
    }
}

/// Nanoseconds since the Unix epoch.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Sender ids are identifiers, not quantities, and use all 64 bits: JSON
/// carries them as 16 hex digits so no reader rounds them.
pub fn hex_id<S: serde::Serializer>(
    id: &Option<u64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.collect_str(&format_args!("{id:016x}")),
        None => s.serialize_none(),
    }
}

fn sys(call: &'static str) -> impl FnOnce(std::io::Error) -> NetkitError {
    move |source| NetkitError::System { call, source }
}

/// The group as every JSON object names it: address, zone, port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GroupRef {
    /// The group address.
    pub address: IpAddr,
    /// The zone (interface) of an IPv6 group, as given.
    pub zone: Option<String>,
    /// The UDP port.
    pub port: u16,
}

impl McastTarget {
    /// The group for JSON.
    pub fn group_ref(&self) -> GroupRef {
        GroupRef {
            address: self.group,
            zone: self.zone.clone(),
            port: self.port,
        }
    }
}

fn open_socket(group: IpAddr) -> Result<Socket> {
    let domain = if group.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(sys("socket"))?;
    if group.is_ipv6() {
        socket
            .set_only_v6(true)
            .map_err(sys("setsockopt IPV6_V6ONLY"))?;
    }
    Ok(socket)
}

fn v6_scope(target: &McastTarget, interface: Option<&Interface>) -> u32 {
    interface.map_or(target.scope_id, |i| i.index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t: McastTarget = "239.1.2.3:5000".parse().unwrap();
        assert_eq!(
            (t.group, t.port, t.scope_id),
            ("239.1.2.3".parse().unwrap(), 5000, 0)
        );
        let t: McastTarget = "[ff02::1%lo]:5000".parse().unwrap();
        assert_eq!(t.zone.as_deref(), Some("lo"));
        assert!(t.scope_id > 0);
        let t: McastTarget = "[ff15::42%7]:9".parse().unwrap();
        assert_eq!(t.scope_id, 7);
        assert_eq!(t.to_string(), "[ff15::42%7]:9");
        let t: McastTarget = "[ff15::42]:9".parse().unwrap();
        assert_eq!(t.to_string(), "[ff15::42]:9");
        for bad in [
            "239.1.2.3",
            "10.0.0.1:5000",
            "239.1.2.3:0",
            "239.1.2.3:70000",
            "ff02::1:5000",
            "[ff02::1:5000",
            "[2001:db8::1]:5000",
            "[ff02::1%nosuchif0]:5000",
            "239.1.2.3%lo:5000",
            "x:1",
            ":5000",
        ] {
            assert!(bad.parse::<McastTarget>().is_err(), "{bad}");
        }
    }

    #[test]
    fn header_round_trip() {
        let h = Header {
            sender_id: 0x0102_0304_0506_0708,
            seq: 42,
            sent_ns: 1_700_000_000_000_000_000,
        };
        let mut buf = [0u8; 64];
        h.encode(&mut buf);
        assert_eq!(&buf[..8], b"NKMC\x01\x00\x00\x20");
        assert_eq!(Header::decode(&buf), Some(h));
        assert_eq!(Header::decode(&buf[..31]), None);
        assert_eq!(Header::decode(b"hello world, this is not netkit!"), None);
    }
}
