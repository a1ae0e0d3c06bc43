//! Path MTU, as tracepath finds it: UDP datagrams of the full size with
//! the don't-fragment bit, sent to each hop that answered the trace; a
//! router that cannot forward them says "fragmentation needed" (ICMPv6
//! "packet too big") with its next link's MTU, and the size shrinks to it.
//! A hop that answers small probes but never a full-size one, with no
//! such message, is the classic black hole: the MTU that works there is
//! then found by halving.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;

use crate::deadline::Deadline;

/// The smallest MTU an IPv4 / IPv6 path may have (RFC 791's 68 is older
/// than any network this will meet; 576 is what every host must take).
const MIN_V4: u32 = 576;
const MIN_V6: u32 = 1280;
/// Attempts at one size before it is taken as dropped.
const TRIES: u32 = 2;

/// A hop past which full-size packets die with no word back.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BlackHole {
    /// The first hop that answers small probes but not full-size ones.
    pub ttl: u8,
    /// The size that dies there.
    pub dropped_size: u32,
    /// The largest size found to pass (null when even the smallest did not).
    pub mtu_works: Option<u32>,
}

/// What the MTU pass found.
#[derive(Debug, Clone, Default)]
pub struct MtuFound {
    /// The path MTU up to the last hop probed.
    pub mtu: Option<u32>,
    /// A black hole on the way.
    pub black_hole: Option<BlackHole>,
}

/// How one sized probe went.
enum Sized {
    /// The hop (or the destination) answered: the size passed.
    Passed,
    /// A router said the next link takes at most this.
    TooBig(u32),
    /// Nothing came back.
    Silent,
}

/// Probes the MTU of the path to `dst` through the hops at `ttls` (those
/// that answered the trace, in order), waiting `wait` for each answer,
/// until `deadline` or `stop`.
pub async fn discover(
    dst: SocketAddr,
    ttls: &[u8],
    wait: Duration,
    deadline: Deadline,
    stop: &crate::signal::Stop,
) -> MtuFound {
    let v6 = dst.is_ipv6();
    let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
    let made = Socket::new(domain, Type::DGRAM.nonblocking(), Some(Protocol::UDP)).and_then(|s| {
        crate::sys::set_recverr(s.as_raw_fd(), v6);
        crate::sys::set_pmtu_probe(s.as_raw_fd(), v6)?;
        s.connect(&dst.into())?;
        crate::sys::async_socket(s, Interest::READABLE | Interest::ERROR)
    });
    let Ok(fd) = made else {
        return MtuFound::default();
    };
    let Some(mut mtu) = crate::sys::route_mtu(fd.get_ref().as_raw_fd(), v6) else {
        return MtuFound::default();
    };
    let floor = if v6 { MIN_V6 } else { MIN_V4 };
    let header = if v6 { 48 } else { 28 };
    let mut found = MtuFound::default();
    let send = |size: u32, ttl: u8| {
        let fd = &fd;
        async move {
            let s = fd.get_ref();
            while crate::sys::icmp_report(s.as_raw_fd()).is_some() {}
            let _ = s.take_error();
            let hops = u32::from(ttl);
            let set = if v6 {
                s.set_unicast_hops_v6(hops)
            } else {
                s.set_ttl_v4(hops)
            };
            if set.is_err() {
                return Sized::Silent;
            }
            let payload = vec![0u8; size.saturating_sub(header) as usize];
            let sent = Instant::now();
            if s.send(&payload).is_err() {
                // EMSGSIZE: bigger than this host's own link takes.
                return match crate::sys::route_mtu(s.as_raw_fd(), v6) {
                    Some(m) if m < size => Sized::TooBig(m),
                    _ => Sized::Silent,
                };
            }
            let end = (sent + wait).min(deadline.at());
            loop {
                let left = end.saturating_duration_since(Instant::now());
                if left.is_zero() || stop.is_set() {
                    return Sized::Silent;
                }
                // In slices, so that Ctrl-C is seen at once.
                let slice = left.min(Duration::from_millis(10));
                match tokio::time::timeout(slice, fd.ready(Interest::READABLE | Interest::ERROR))
                    .await
                {
                    Ok(Ok(mut g)) => g.clear_ready(),
                    Ok(Err(_)) => return Sized::Silent,
                    Err(_) => continue,
                }
                if let Some(r) = crate::sys::icmp_report(s.as_raw_fd()) {
                    let _ = s.take_error();
                    let too_big = if r.v6 {
                        r.kind == 2
                    } else {
                        r.kind == 3 && r.code == 4
                    };
                    if too_big {
                        return Sized::TooBig(r.info);
                    }
                    return Sized::Passed;
                }
                let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 64];
                if s.recv(&mut buf).is_ok() {
                    return Sized::Passed;
                }
            }
        }
    };
    'hops: for &ttl in ttls {
        let mut silent = 0;
        loop {
            if deadline.passed() || stop.is_set() {
                break 'hops;
            }
            match send(mtu, ttl).await {
                Sized::Passed => break,
                Sized::TooBig(m) if m >= 68 && m < mtu => {
                    mtu = m;
                    silent = 0;
                }
                Sized::TooBig(_) => break,
                Sized::Silent => {
                    silent += 1;
                    if silent < TRIES {
                        continue;
                    }
                    // Small probes answered here (the trace says so): is
                    // it the size?
                    if !matches!(send(floor, ttl).await, Sized::Passed) {
                        break;
                    }
                    let works = largest_passing(&send, floor, mtu, ttl).await;
                    found.black_hole = Some(BlackHole {
                        ttl,
                        dropped_size: mtu,
                        mtu_works: works,
                    });
                    if let Some(w) = works {
                        mtu = w;
                    }
                    break 'hops;
                }
            }
        }
    }
    found.mtu = Some(mtu);
    found
}

/// The largest size in `[low, high)` that passes to `ttl` (`low` known to
/// pass), by halving the interval.
async fn largest_passing<F, Fut>(send: &F, low: u32, high: u32, ttl: u8) -> Option<u32>
where
    F: Fn(u32, u8) -> Fut,
    Fut: std::future::Future<Output = Sized>,
{
    let (mut lo, mut hi) = (low, high);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let mut passed = false;
        for _ in 0..TRIES {
            if matches!(send(mid, ttl).await, Sized::Passed) {
                passed = true;
                break;
            }
        }
        if passed {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}
