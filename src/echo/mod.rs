//! The echo service and its client: the seeds' echo pair grown into a
//! measurement instrument (RTT percentiles, verified throughput, load) and a
//! server with limits that no client can make hang or grow.

pub mod client;
pub mod server;

use std::io;
use std::sync::OnceLock;

use serde::Serialize;

use crate::error::{NetkitError, Result};
use crate::exit::Exit;

/// The seeds' echo port.
pub const DEFAULT_PORT: u16 = 50007;

/// A host and port to reach: `host:port`, `[v6]:port`, `host` (port 50007).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// A name or an address literal (without brackets).
    pub host: String,
    /// The port.
    pub port: u16,
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl HostPort {
    /// Parses `host:port`, `[v6]:port`, `host`, `v6` with a default port.
    pub fn parse(text: &str, default_port: u16) -> Result<Self> {
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid target '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(bad("empty"));
        }
        let (host, port) = if let Some(rest) = t.strip_prefix('[') {
            let (h, after) = rest.split_once(']').ok_or_else(|| bad("unbalanced '['"))?;
            match after {
                "" => (h, None),
                p => (
                    h,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| bad("expected [v6]:port"))?,
                    ),
                ),
            }
        } else if t.matches(':').count() > 1 {
            // A bare IPv6 literal.
            (t, None)
        } else {
            match t.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (t, None),
            }
        };
        if host.is_empty() {
            return Err(bad("missing host"));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(bad(
                "host names cannot hold spaces, '/' or control characters",
            ));
        }
        if host.contains(':') && host.parse::<std::net::Ipv6Addr>().is_err() && !host.contains('%')
        {
            return Err(bad("not a valid IPv6 address"));
        }
        let port = match port {
            None => default_port,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("port must be 1-65535"))?,
        };
        Ok(HostPort {
            host: host.to_string(),
            port,
        })
    }
}

/// A pipe for splice(2): bytes go socket -> pipe -> socket as page
/// references, never through user space.
pub(crate) struct SplicePipe {
    pub(crate) read: std::os::fd::OwnedFd,
    pub(crate) write: std::os::fd::OwnedFd,
}

impl SplicePipe {
    pub(crate) fn new(size: usize) -> io::Result<SplicePipe> {
        use std::os::fd::FromRawFd;
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: fds has room for the two descriptors pipe2 returns.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded: both descriptors are open and ours.
        let (read, write) = unsafe {
            (
                std::os::fd::OwnedFd::from_raw_fd(fds[0]),
                std::os::fd::OwnedFd::from_raw_fd(fds[1]),
            )
        };
        // A bigger pipe moves more per call; the default (64 KiB) still works.
        // SAFETY: F_SETPIPE_SZ on a pipe we own.
        unsafe { libc::fcntl(fds[1], libc::F_SETPIPE_SZ, size as libc::c_int) };
        Ok(SplicePipe { read, write })
    }
}

pub(crate) fn splice(
    from: std::os::fd::RawFd,
    to: std::os::fd::RawFd,
    len: usize,
) -> io::Result<usize> {
    // SAFETY: both descriptors are open for the duration of the call; null
    // offsets mean "the current position", as sockets and pipes require.
    let n = unsafe {
        libc::splice(
            from,
            std::ptr::null_mut(),
            to,
            std::ptr::null_mut(),
            len,
            libc::SPLICE_F_MOVE | libc::SPLICE_F_NONBLOCK,
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Places `data` in a pipe by reference (vmsplice(2)): no copy. The bytes
/// must not change until the pipe is drained; netkit only passes its static
/// pattern.
pub(crate) fn vmsplice(pipe_write: std::os::fd::RawFd, data: &'static [u8]) -> io::Result<usize> {
    let iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: one valid iovec over static memory; the pipe is open.
    let n = unsafe { libc::vmsplice(pipe_write, &iov, 1, libc::SPLICE_F_NONBLOCK) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Why a network operation failed, as a stable code.
pub fn classify_io(e: &io::Error) -> (&'static str, Exit) {
    match e.raw_os_error() {
        Some(libc::ECONNREFUSED) => return ("refused", Exit::Connect),
        Some(libc::ENETUNREACH) => return ("net_unreachable", Exit::Connect),
        Some(libc::EHOSTUNREACH) => return ("host_unreachable", Exit::Connect),
        Some(libc::EACCES | libc::EPERM) => return ("prohibited", Exit::Connect),
        Some(libc::ECONNRESET | libc::EPIPE) => return ("reset", Exit::Connect),
        Some(libc::ETIMEDOUT) => return ("timeout", Exit::Timeout),
        Some(libc::EMFILE | libc::ENFILE) => return ("fd_limit", Exit::Local),
        Some(libc::EADDRINUSE | libc::EADDRNOTAVAIL) => return ("address_in_use", Exit::Local),
        _ => {}
    }
    match e.kind() {
        io::ErrorKind::TimedOut => ("timeout", Exit::Timeout),
        io::ErrorKind::ConnectionRefused => ("refused", Exit::Connect),
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => ("reset", Exit::Connect),
        io::ErrorKind::UnexpectedEof => ("closed", Exit::Connect),
        io::ErrorKind::NotFound => ("not_found", Exit::Connect),
        io::ErrorKind::PermissionDenied => ("prohibited", Exit::Connect),
        _ => ("error", Exit::Connect),
    }
}

/// Raises the soft open-file limit to the hard limit, so thousands of
/// connections fit. Returns the limit now in force.
pub fn raise_nofile_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: lim is a valid rlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 1024;
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: raising the soft limit up to the hard limit is always allowed.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            return lim.rlim_max;
        }
    }
    lim.rlim_cur
}

const PATTERN_LEN: usize = 65_521; // prime, so it never lines up with buffer sizes

/// The byte stream the throughput mode sends and verifies: a fixed
/// pseudo-random block repeated, so a shifted, dropped or corrupted byte
/// shows at once.
pub fn pattern() -> &'static [u8] {
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..PATTERN_LEN)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    })
}

/// Fills `buf` with the pattern bytes that belong at stream offset `offset`.
pub fn fill_pattern(buf: &mut [u8], offset: u64) {
    let p = pattern();
    let mut pos = (offset % PATTERN_LEN as u64) as usize;
    let mut done = 0;
    while done < buf.len() {
        let n = (buf.len() - done).min(PATTERN_LEN - pos);
        buf[done..done + n].copy_from_slice(&p[pos..pos + n]);
        done += n;
        pos = 0;
    }
}

/// The index of the first byte of `data` that differs from the pattern at
/// stream offset `offset`, if any.
pub fn check_pattern(data: &[u8], offset: u64) -> Option<usize> {
    let p = pattern();
    let mut pos = (offset % PATTERN_LEN as u64) as usize;
    let mut done = 0;
    while done < data.len() {
        let n = (data.len() - done).min(PATTERN_LEN - pos);
        if data[done..done + n] != p[pos..pos + n] {
            let i = data[done..done + n]
                .iter()
                .zip(&p[pos..pos + n])
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            return Some(done + i);
        }
        done += n;
        pos = 0;
    }
    None
}

/// Round-trip time statistics, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RttStats {
    /// Samples.
    pub count: usize,
    /// Smallest.
    pub min_ms: Option<f64>,
    /// Mean.
    pub avg_ms: Option<f64>,
    /// Largest.
    pub max_ms: Option<f64>,
    /// Population standard deviation.
    pub stddev_ms: Option<f64>,
    /// Median (nearest rank).
    pub p50_ms: Option<f64>,
    /// 90th percentile.
    pub p90_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// 99.9th percentile.
    pub p999_ms: Option<f64>,
}

/// The nearest-rank percentile of sorted samples; `per_mille` is the
/// percentile times ten (999 for p99.9), so the rank is exact.
pub fn percentile(sorted: &[f64], per_mille: u64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (per_mille * n).div_ceil(1000).max(1);
    Some(sorted[(rank.min(n) - 1) as usize])
}

impl RttStats {
    /// Statistics of these samples (milliseconds).
    pub fn from_samples(samples: &mut [f64]) -> Self {
        if samples.is_empty() {
            return RttStats::default();
        }
        samples.sort_by(f64::total_cmp);
        let n = samples.len() as f64;
        let avg = samples.iter().sum::<f64>() / n;
        let var = samples.iter().map(|s| (s - avg).powi(2)).sum::<f64>() / n;
        RttStats {
            count: samples.len(),
            min_ms: samples.first().copied(),
            avg_ms: Some(avg),
            max_ms: samples.last().copied(),
            stddev_ms: Some(var.sqrt()),
            p50_ms: percentile(samples, 500),
            p90_ms: percentile(samples, 900),
            p99_ms: percentile(samples, 990),
            p999_ms: percentile(samples, 999),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        let table = [
            ("127.0.0.1:7", "127.0.0.1", 7),
            ("127.0.0.1", "127.0.0.1", DEFAULT_PORT),
            ("[::1]:9", "::1", 9),
            ("[::1]", "::1", DEFAULT_PORT),
            ("::1", "::1", DEFAULT_PORT),
            ("example.test:80", "example.test", 80),
        ];
        for (text, host, port) in table {
            let hp = HostPort::parse(text, DEFAULT_PORT).unwrap();
            assert_eq!((hp.host.as_str(), hp.port), (host, port), "{text}");
        }
        assert_eq!(
            HostPort::parse("[::1]:9", 1).unwrap().to_string(),
            "[::1]:9"
        );
        for bad in [
            "",
            ":80",
            "host:0",
            "host:99999",
            "host:x",
            "[::1",
            "[::1]x",
            "a b:1",
            "[zz::1]:5",
            "1:2:3:x",
        ] {
            assert!(HostPort::parse(bad, DEFAULT_PORT).is_err(), "{bad}");
        }
    }

    #[test]
    fn pattern_fill_and_check_agree_across_wraps() {
        let mut buf = vec![0u8; 200_000];
        fill_pattern(&mut buf, 12_345);
        assert_eq!(check_pattern(&buf, 12_345), None);
        let mut bad = buf.clone();
        bad[150_000] ^= 1;
        assert_eq!(check_pattern(&bad, 12_345), Some(150_000));
        // A shifted stream is caught at once.
        assert!(check_pattern(&buf[1..1000], 12_345).is_some());
    }

    #[test]
    fn percentiles_nearest_rank() {
        let mut s: Vec<f64> = (1..=1000).map(f64::from).collect();
        let st = RttStats::from_samples(&mut s);
        assert_eq!(
            (st.p50_ms, st.p90_ms, st.p99_ms, st.p999_ms),
            (Some(500.0), Some(900.0), Some(990.0), Some(999.0))
        );
        assert_eq!(
            (st.min_ms, st.max_ms, st.avg_ms),
            (Some(1.0), Some(1000.0), Some(500.5))
        );
        assert_eq!(RttStats::from_samples(&mut []).count, 0);
        let mut one = vec![2.0];
        assert_eq!(RttStats::from_samples(&mut one).p999_ms, Some(2.0));
    }

    #[test]
    fn io_errors_classified() {
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(classify_io(&e), ("refused", Exit::Connect));
        let e = io::Error::from_raw_os_error(libc::EHOSTUNREACH);
        assert_eq!(classify_io(&e).0, "host_unreachable");
        let e = io::Error::new(io::ErrorKind::TimedOut, "x");
        assert_eq!(classify_io(&e), ("timeout", Exit::Timeout));
    }
}
