//! The system's stub-resolver configuration (`/etc/resolv.conf`, read with
//! hickory-resolver's parser) and the search-list rules glibc applies.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use hickory_proto::rr::Name;

use crate::error::{NetkitError, Result};

/// The system's resolver configuration.
#[derive(Debug, Clone)]
pub struct SystemConfig {
    /// Nameservers, in order.
    pub servers: Vec<SocketAddr>,
    /// Search domains.
    pub search: Vec<Name>,
    /// Names with fewer dots than this try the search list first.
    pub ndots: usize,
    /// Per-attempt timeout from `options timeout:` (glibc caps it at 30 s).
    pub timeout: Duration,
    /// `options attempts:` (glibc caps it at 5).
    pub attempts: usize,
    /// True when the file names no nameserver and the local one is used.
    pub implicit_local: bool,
}

/// The largest resolv.conf read.
pub const MAX_RESOLV_CONF: u64 = 64 * 1024;
/// glibc's RES_MAXRETRANS: the most `timeout:` it honours.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(30);
/// glibc's RES_MAXRETRY: the most `attempts:` it honours.
pub const MAX_ATTEMPTS: usize = 5;

/// Reads `/etc/resolv.conf` (or `path`). With no `nameserver` line, the
/// local server is asked, as glibc and dig do.
pub fn system_config(path: &Path) -> Result<SystemConfig> {
    let mut data =
        crate::value::read_file_limited(path, MAX_RESOLV_CONF, "resolver configuration")?;
    let has_ns = String::from_utf8_lossy(&data)
        .lines()
        .any(|l| l.split_whitespace().next() == Some("nameserver"));
    if !has_ns {
        data.extend_from_slice(b"\nnameserver 127.0.0.1\nnameserver ::1\n");
    }
    let (conf, opts) = hickory_resolver::system_conf::parse_resolv_conf(&data).map_err(|e| {
        NetkitError::invalid(format!(
            "{}: {e}",
            crate::sanitize::escape(&path.display().to_string())
        ))
    })?;
    let mut servers: Vec<SocketAddr> = Vec::new();
    for ns in conf.name_servers() {
        let sa = SocketAddr::new(ns.ip, 53);
        if !servers.contains(&sa) {
            servers.push(sa);
        }
    }
    if !has_ns {
        servers.retain(|s| {
            matches!(s.ip(), IpAddr::V4(v4) if v4 == Ipv4Addr::LOCALHOST)
                || matches!(s.ip(), IpAddr::V6(v6) if v6 == Ipv6Addr::LOCALHOST)
        });
    }
    Ok(SystemConfig {
        servers,
        search: conf.search().to_vec(),
        ndots: opts.ndots.min(15),
        timeout: opts.timeout.clamp(Duration::from_secs(1), MAX_TIMEOUT),
        attempts: opts.attempts.clamp(1, MAX_ATTEMPTS),
        implicit_local: !has_ns,
    })
}

/// The names to try for `given`, in order, as the stub resolver does.
pub fn candidates(given: &str, name: &Name, cfg: &SystemConfig) -> Vec<Name> {
    if given.ends_with('.') {
        return vec![name.clone()];
    }
    let mut fqdn = name.clone();
    fqdn.set_fqdn(true);
    let searched: Vec<Name> = cfg
        .search
        .iter()
        .filter_map(|d| name.clone().append_domain(d).ok())
        .collect();
    let dots = given.matches('.').count();
    if dots >= cfg.ndots {
        std::iter::once(fqdn).chain(searched).collect()
    } else {
        searched.into_iter().chain(std::iter::once(fqdn)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> SystemConfig {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("resolv.conf");
        std::fs::write(&p, text).unwrap();
        system_config(&p).unwrap()
    }

    #[test]
    fn no_nameserver_means_the_local_one() {
        let c = conf("search example.test\n");
        assert!(c.implicit_local);
        assert_eq!(c.servers[0], "127.0.0.1:53".parse().unwrap());
        assert_eq!(c.search.len(), 1);
    }

    #[test]
    fn timeout_and_attempts_are_capped_as_glibc_does() {
        let c = conf("nameserver 192.0.2.53\noptions timeout:300 attempts:100\n");
        assert_eq!((c.timeout, c.attempts), (MAX_TIMEOUT, MAX_ATTEMPTS));
        assert!(!c.implicit_local);
    }

    #[test]
    fn search_list_order() {
        let cfg = SystemConfig {
            servers: vec![],
            search: vec![
                Name::from_ascii("corp.test.").unwrap(),
                Name::from_ascii("lab.test.").unwrap(),
            ],
            ndots: 1,
            timeout: Duration::from_secs(1),
            attempts: 1,
            implicit_local: false,
        };
        let names = |given: &str| -> Vec<String> {
            candidates(given, &super::super::parse_name(given).unwrap(), &cfg)
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        assert_eq!(names("db"), ["db.corp.test.", "db.lab.test.", "db."]);
        assert_eq!(
            names("db.x"),
            ["db.x.", "db.x.corp.test.", "db.x.lab.test."]
        );
        assert_eq!(names("db.x."), ["db.x."]);
    }
}
