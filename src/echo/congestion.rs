//! `--congestion`: which TCP congestion control the echo sockets use.
//!
//! On loopback there is no path to be fair to, and the system's choice can
//! cost a great deal there: BBR paces its sends from kernel timers (the
//! loopback device has no `fq` qdisc), timers fire on whichever CPU, and
//! loopback delivers through per-CPU backlog queues, so one connection's
//! segments arrive out of order. Measured on this project's 2-core machine
//! (benches/echo.sh): 100-300 spurious retransmissions per GiB echoed, RTO
//! stalls of 200 ms, and three times the CPU of Reno for the same bytes. So
//! `auto` (the default) sets Reno on loopback connections, before connect
//! or listen (pacing, once armed by BBR, stays on if the algorithm is
//! changed later), and leaves every other path to the system.

use std::io;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::str::FromStr;

use crate::error::NetkitError;

/// The algorithm `auto` sets on loopback: built into every Linux kernel
/// and allowed to every user.
pub const LOOPBACK_ALGORITHM: &str = "reno";

/// Longest algorithm name Linux accepts (`TCP_CA_NAME_MAX` less the NUL).
const NAME_MAX: usize = 15;

/// What `--congestion` asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Congestion {
    /// Reno on loopback, the system's elsewhere.
    #[default]
    Auto,
    /// Whatever the system sets (`net.ipv4.tcp_congestion_control`).
    System,
    /// This algorithm on every TCP socket.
    Named(String),
}

impl FromStr for Congestion {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => Ok(Congestion::Auto),
            "system" => Ok(Congestion::System),
            n if !n.is_empty()
                && n.len() <= NAME_MAX
                && n.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                }) =>
            {
                Ok(Congestion::Named(n.to_string()))
            }
            _ => Err(format!(
                "expected auto, system or an algorithm name (reno, cubic, bbr...: at most {NAME_MAX} of a-z 0-9 _ -), not {:?}",
                crate::sanitize::escape(text)
            )),
        }
    }
}

impl Congestion {
    /// The algorithm to set on a socket that talks to (or listens on) `ip`;
    /// `None` leaves the system's.
    pub fn for_addr(&self, ip: IpAddr) -> Option<&str> {
        match self {
            Congestion::Auto => ip
                .to_canonical()
                .is_loopback()
                .then_some(LOOPBACK_ALGORITHM),
            Congestion::System => None,
            Congestion::Named(n) => Some(n),
        }
    }

    /// Sets what was asked on a TCP socket that talks to (or listens on)
    /// `ip`, before it connects or listens. Under `auto` a refusal is
    /// ignored (the system's algorithm stays); otherwise it is returned with
    /// the algorithm's name.
    pub fn apply(&self, sock: &impl AsFd, ip: IpAddr) -> Result<(), (&str, io::Error)> {
        match self.for_addr(ip) {
            Some(name) => match set(sock, name) {
                Err(e) if *self != Congestion::Auto => Err((name, e)),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// Checks a named algorithm on a throwaway socket, so that a name the
    /// kernel does not have is a usage error (exit 2) and one this user may
    /// not set a local error (exit 6), before anything connects.
    pub fn check(&self) -> Result<(), NetkitError> {
        let Congestion::Named(name) = self else {
            return Ok(());
        };
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).map_err(
            |source| NetkitError::System {
                call: "socket",
                source,
            },
        )?;
        set(&s, name).map_err(|e| refused(name, &e))
    }
}

/// Sets the algorithm on a TCP socket.
pub fn set(sock: &impl AsFd, name: &str) -> io::Result<()> {
    socket2::SockRef::from(sock).set_tcp_congestion(name.as_bytes())
}

/// The algorithm a TCP socket uses, as the kernel reports it.
pub fn current(sock: &impl AsFd) -> Option<String> {
    let raw = socket2::SockRef::from(sock).tcp_congestion().ok()?;
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    let name = std::str::from_utf8(&raw[..end]).ok()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// The error for an algorithm the kernel refused: unknown (exit 2) or not
/// allowed to this user (exit 6), naming what is there.
pub fn refused(name: &str, e: &io::Error) -> NetkitError {
    let list = |file: &str| {
        std::fs::read_to_string(format!("/proc/sys/net/ipv4/{file}"))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    match e.raw_os_error() {
        Some(libc::ENOENT) => NetkitError::invalid(format!(
            "--congestion {name}: this kernel has no such algorithm (available: {})",
            list("tcp_available_congestion_control")
        )),
        Some(libc::EPERM) => NetkitError::System {
            call: "setsockopt TCP_CONGESTION",
            source: io::Error::new(
                e.kind(),
                format!(
                    "--congestion {name}: not allowed for this user (allowed: {})",
                    list("tcp_allowed_congestion_control")
                ),
            ),
        },
        _ => NetkitError::System {
            call: "setsockopt TCP_CONGESTION",
            source: io::Error::new(e.kind(), format!("--congestion {name}: {e}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keywords_and_names_and_refuses_the_rest() {
        assert_eq!("auto".parse(), Ok(Congestion::Auto));
        assert_eq!("system".parse(), Ok(Congestion::System));
        assert_eq!("bbr".parse(), Ok(Congestion::Named("bbr".into())));
        assert_eq!(
            "dctcp-x_2".parse(),
            Ok(Congestion::Named("dctcp-x_2".into()))
        );
        for bad in ["", "Reno", "a b", "x/y", "sixteen-chars-xx", "\u{1b}[31m"] {
            assert!(bad.parse::<Congestion>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn auto_is_reno_on_loopback_only() {
        let auto = Congestion::Auto;
        for lo in ["127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(
                auto.for_addr(lo.parse().unwrap()),
                Some(LOOPBACK_ALGORITHM),
                "{lo}"
            );
        }
        for far in ["192.0.2.1", "2001:db8::1", "0.0.0.0", "::"] {
            assert_eq!(auto.for_addr(far.parse().unwrap()), None, "{far}");
        }
        assert_eq!(
            Congestion::System.for_addr("127.0.0.1".parse().unwrap()),
            None
        );
        assert_eq!(
            Congestion::Named("cubic".into()).for_addr("192.0.2.1".parse().unwrap()),
            Some("cubic")
        );
    }

    #[test]
    fn reno_is_always_there_and_nonsense_is_a_usage_error() {
        assert!(Congestion::Named("reno".into()).check().is_ok());
        let e = Congestion::Named("nosuchalgo".into()).check().unwrap_err();
        assert!(matches!(e, NetkitError::Invalid(_)), "{e:?}");
        assert!(e.to_string().contains("available: "), "{e}");
    }
}
