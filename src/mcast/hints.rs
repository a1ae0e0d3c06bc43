//! Why a receiver got nothing: what this host's own settings say, read
//! from the interfaces and /proc (nothing is sent, nothing is changed).

use std::net::IpAddr;

use crate::addr::iface::{self, Interface};

use super::recv::RecvConfig;

/// A kernel setting of one interface (`net.ipv4.conf.IF.NAME`).
fn conf(interface: &str, name: &str) -> Option<u8> {
    std::fs::read_to_string(format!("/proc/sys/net/ipv4/conf/{interface}/{name}"))
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

/// The interface the system sends to `group` through (its route), found
/// by connecting a UDP socket: `Err` when there is no route.
fn routed_through(group: IpAddr, port: u16, all: &[Interface]) -> Result<Option<String>, ()> {
    let bind = crate::addr::any_for(group);
    let socket = std::net::UdpSocket::bind(bind).map_err(|_| ())?;
    socket.connect((group, port)).map_err(|_| ())?;
    let local = socket.local_addr().map_err(|_| ())?.ip();
    Ok(all
        .iter()
        .find(|i| i.addrs.iter().any(|a| a.address == local))
        .map(|i| i.name.clone()))
}

/// The likely causes on this host, most specific first, ending with the
/// ones it cannot see (a firewall, IGMP snooping).
pub fn why_nothing(cfg: &RecvConfig) -> Vec<String> {
    let group = cfg.target.group;
    let all = iface::list().unwrap_or_default();
    let mut out = Vec::new();
    let mut joined: Vec<String> = cfg.interfaces.iter().map(|i| i.name.clone()).collect();
    if joined.is_empty() {
        match routed_through(group, cfg.target.port, &all) {
            Ok(Some(name)) => {
                out.push(format!(
                    "the group is routed through {name} (the system's choice): if the sender \
                     is on another link, give --interface"
                ));
                joined.push(name);
            }
            Ok(None) => {}
            Err(()) => out.push(format!(
                "no route to {group}: add one (ip route add {} dev IF) or give --interface",
                if group.is_ipv4() {
                    "224.0.0.0/4"
                } else {
                    "ff00::/8"
                }
            )),
        }
    }
    for name in &joined {
        let Some(i) = all.iter().find(|i| &i.name == name) else {
            continue;
        };
        for flag in ["up", "multicast"] {
            if !i.flags.contains(&flag) {
                out.push(format!("{name} is not {flag}"));
            }
        }
        if !group.is_ipv4() || i.flags.contains(&"loopback") {
            continue;
        }
        // The kernel takes the larger of `all` and the interface's own.
        let rp = conf("all", "rp_filter").max(conf(name, "rp_filter"));
        if rp == Some(1) {
            out.push(format!(
                "rp_filter is 1 (strict) on {name}: a datagram from a sender not routed back \
                 through {name} is dropped (sysctl -w net.ipv4.conf.{name}.rp_filter=2 for loose)"
            ));
        }
        // A sender on this host (another interface, a veth pair) sends
        // from one of its own addresses: a martian unless accept_local.
        let local_sender = all.iter().any(|o| {
            &o.name != name
                && !o.flags.contains(&"loopback")
                && o.flags.contains(&"up")
                && o.addrs.iter().any(|a| a.address.is_ipv4())
        });
        let accept_local = conf("all", "accept_local")
            .max(conf(name, "accept_local"))
            .unwrap_or(0);
        if local_sender && accept_local == 0 {
            out.push(format!(
                "accept_local is 0 on {name}: a datagram whose source is one of this host's \
                 own addresses (a sender on this host, over a veth pair) is dropped \
                 (sysctl -w net.ipv4.conf.{name}.accept_local=1)"
            ));
        }
    }
    if let Some(s) = cfg.source {
        out.push(format!(
            "only datagrams from {s} are taken (source-specific join)"
        ));
    }
    out.push(
        "beyond this host: the sender not running on this group and port, a firewall, or a \
         switch doing IGMP snooping without a querier"
            .into(),
    );
    out
}
