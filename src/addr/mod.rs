//! Addresses and the netdb files: packing and classifying addresses, byte
//! order, CIDR blocks, port lists, the HOST:PORT syntax, this host's
//! interfaces, and `/etc/services` and `/etc/protocols`.

pub mod byteorder;
pub mod cidr;
pub mod iface;
pub mod netdb;
pub mod pack;
pub mod ports;
pub mod proto;
pub mod services;
pub mod target;

/// The address family `-4`/`-6` ask for: AF_INET, AF_INET6, else AF_UNSPEC.
pub fn family(ipv4: bool, ipv6: bool) -> i32 {
    if ipv4 {
        libc::AF_INET
    } else if ipv6 {
        libc::AF_INET6
    } else {
        libc::AF_UNSPEC
    }
}

pub(crate) use pack::strtoul_base0;
/// The any-address of `ip`'s family, port 0: where a socket that will
/// talk to `ip` binds to let the kernel choose its address and port.
pub fn any_for(ip: std::net::IpAddr) -> std::net::SocketAddr {
    match ip {
        std::net::IpAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        std::net::IpAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    }
}

pub use pack::{hex, python_bytes_repr, reverse_name_v4, reverse_name_v6};
pub use target::{Host, HostPort, parse_host_port, parse_port};

words! {
    /// The protocol a socket speaks, as printed.
    pub enum SockProto {
        /// TCP.
        Tcp = "tcp",
        /// UDP.
        Udp = "udp",
        /// A Unix stream socket.
        Unix = "unix",
    }
}

words! {
    /// A datagram that did not arrive as the next in order.
    pub enum Anomaly {
        /// Its sequence number was seen already.
        Duplicate = "duplicate",
        /// It came after a later one (late).
        Reordered = "reordered",
        /// Its sequence number is too far ahead to be believed.
        OutOfWindow = "out_of_window",
    }
}
