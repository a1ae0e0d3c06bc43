//! Reverse look-ups: the system's gethostbyaddr or PTR records, CIDR sweeps
//! that stream with bounded memory, and forward confirmation (FCrDNS) with
//! a bounded number of names checked concurrently under one deadline.

use std::io::{self, Write};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use colored::Colorize;
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use crate::addr::cidr::Cidr;
use crate::dns::lookup::{LookupReport, no_nameserver, resolve_at, resolve_system};
use crate::dns::status::NameStatus;
use crate::dns::{QueryOpts, SystemConfig};
use crate::error::{Failure, NetkitError, Result};
use crate::exit::{Exit, Reason};
use crate::output::{Render, View};
use crate::sanitize::escape;
use crate::signal::Stop;

/// Names of one PTR answer (or gethostbyaddr entry) forward-checked at most.
pub const MAX_VERIFY_NAMES: usize = 16;
/// Names of one address kept in a result (a PTR answer can hold thousands).
pub const MAX_NAMES_KEPT: usize = 64;

words! {
    /// Who answered a reverse look-up.
    pub enum RdnsSource {
        /// PTR records from DNS (`--dns`, `--server`).
        Dns = "dns",
        /// The system's gethostbyaddr (NSS: /etc/hosts, DNS...).
        System = "system",
    }
}

/// The answer for one address.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RdnsAnswer {
    /// True when the address has a name (and passes `--verify`).
    pub ok: bool,
    /// The address.
    pub address: IpAddr,
    /// `system` (gethostbyaddr) or `dns` (PTR).
    pub source: RdnsSource,
    /// found, not_found, nxdomain, nodata, servfail, timeout, error.
    pub status: NameStatus,
    /// The primary name (gethostbyaddr's hostname, or the first PTR).
    pub hostname: Option<String>,
    /// Other names (aliases, or further PTRs), at most 64.
    pub aliases: Vec<String>,
    /// Names not kept (past 64).
    pub names_dropped: u64,
    /// gethostbyaddr's address list (system source).
    pub addresses: Vec<IpAddr>,
    /// With --verify: whether a name resolves back to the address.
    pub verified: Option<bool>,
    /// With --verify: what the names checked resolve to.
    pub forward: Vec<IpAddr>,
    /// With --verify: how many names were checked (at most 16).
    pub names_checked: u64,
    /// Why there is no name, or why it is not confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Human layout: a row of a sweep's table.
    #[serde(skip)]
    pub sweep_width: Option<usize>,
}

impl crate::output::Report for RdnsAnswer {
    const TYPE: &'static str = "rdns";
}

impl RdnsAnswer {
    fn blank(address: IpAddr, source: RdnsSource) -> Self {
        RdnsAnswer {
            ok: false,
            address,
            source,
            status: NameStatus::Dns(crate::dns::DnsStatus::Error),
            hostname: None,
            aliases: Vec::new(),
            names_dropped: 0,
            addresses: Vec::new(),
            verified: None,
            forward: Vec::new(),
            names_checked: 0,
            error: None,
            sweep_width: None,
        }
    }

    /// The exit status.
    pub fn exit(&self) -> Exit {
        self.error.as_ref().map_or(Exit::Success, Failure::exit)
    }

    fn set_names(&mut self, mut names: Vec<String>) {
        if names.len() > MAX_NAMES_KEPT {
            self.names_dropped = (names.len() - MAX_NAMES_KEPT) as u64;
            names.truncate(MAX_NAMES_KEPT);
            names.shrink_to_fit();
        }
        let mut it = names.into_iter();
        self.hostname = it.next();
        self.aliases = it.collect();
    }
}

/// Checks every target and returns the blocks, refusing blocks over /16
/// (IPv4) or /112 (IPv6): 65,536 addresses.
pub fn parse_targets(targets: &[String]) -> Result<Vec<Cidr>> {
    targets
        .iter()
        .map(|t| {
            let cidr: Cidr = t.parse()?;
            let (max_bits, limit) = if cidr.network.is_ipv4() { (32, 16) } else { (128, 112) };
            if cidr.prefix < limit {
                return Err(NetkitError::invalid(format!(
                    "{}: /{} holds {} addresses; rdns sweeps at most /{limit} ({} addresses) at once",
                    escape(t),
                    cidr.prefix,
                    cidr.size(),
                    1u64 << (max_bits - limit)
                )));
            }
            Ok(cidr)
        })
        .collect()
}

/// Where PTR queries go.
#[derive(Debug, Clone)]
pub enum Dns {
    /// These servers, tried in order.
    Servers(Vec<crate::dns::Server>),
    /// The system's resolv.conf.
    System(SystemConfig),
}

async fn ask(
    dns: &Dns,
    given: &str,
    name: &Name,
    qtype: RecordType,
    opts: QueryOpts,
) -> LookupReport {
    match dns {
        Dns::Servers(servers) => {
            let mut last = None;
            for s in servers {
                let r = resolve_at(given, name, qtype, s, opts).await;
                let again = r.status.try_elsewhere();
                last = Some(r);
                if !again {
                    break;
                }
            }
            last.unwrap_or_else(|| no_nameserver(given, qtype, "no server given"))
        }
        Dns::System(cfg) => resolve_system(given, name, qtype, cfg, Default::default(), opts).await,
    }
}

fn reverse_name(ip: IpAddr) -> Result<Name> {
    let text = match ip {
        IpAddr::V4(v4) => crate::addr::reverse_name_v4(v4),
        IpAddr::V6(v6) => crate::addr::reverse_name_v6(v6),
    };
    Name::from_ascii(format!("{text}.")).map_err(|e| NetkitError::invalid(e.to_string()))
}

/// PTR records of `ip`; with `verify`, each name (at most 16) must resolve
/// back to it, all checked at once within one deadline.
pub async fn by_dns(ip: IpAddr, dns: Arc<Dns>, opts: QueryOpts, verify: bool) -> RdnsAnswer {
    let mut a = RdnsAnswer::blank(ip, RdnsSource::Dns);
    let Ok(rname) = reverse_name(ip) else {
        a.error = Some(Failure::new(Reason::Invalid, "no reverse name"));
        return a;
    };
    let r = ask(&dns, &rname.to_string(), &rname, RecordType::PTR, opts).await;
    let names: Vec<String> = r.values().map(|v| v.value.clone()).collect();
    a.status = if r.ok {
        NameStatus::FOUND
    } else {
        NameStatus::Dns(r.status)
    };
    a.error = r.error.clone();
    let checked: Vec<String> = names.iter().take(MAX_VERIFY_NAMES).cloned().collect();
    a.set_names(names);
    if verify && a.hostname.is_some() {
        let qtype = if ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::AAAA
        };
        let deadline = opts.timeout * (opts.retries + 1) + Duration::from_millis(100);
        let mut set = tokio::task::JoinSet::new();
        for n in &checked {
            // The PTR's text as dig shows it: escapes and any byte.
            if let Ok(name) = crate::dns::parse_name(n) {
                let (dns, n) = (Arc::clone(&dns), n.clone());
                set.spawn(async move { ask(&dns, &n, &name, qtype, opts).await });
            }
        }
        a.names_checked = checked.len() as u64;
        let _ = tokio::time::timeout(deadline, async {
            while let Some(j) = set.join_next().await {
                if let Ok(f) = j {
                    for v in f.values() {
                        if let Ok(x) = v.value.parse::<IpAddr>()
                            && !a.forward.contains(&x)
                        {
                            a.forward.push(x);
                        }
                    }
                }
            }
        })
        .await;
        confirm(&mut a);
    }
    a.ok = a.error.is_none();
    a
}

/// gethostbyaddr of `ip`; with `verify`, getaddrinfo of each name (at most
/// 16). Blocking: run it off the runtime.
pub fn by_system(ip: IpAddr, verify: bool) -> RdnsAnswer {
    let mut a = RdnsAnswer::blank(ip, RdnsSource::System);
    match super::gethostbyaddr(ip) {
        Ok(e) => {
            a.status = NameStatus::FOUND;
            let names: Vec<String> = std::iter::once(e.hostname.clone())
                .chain(e.aliases)
                .collect();
            a.addresses = e.addresses;
            if verify {
                let family = if ip.is_ipv4() {
                    libc::AF_INET
                } else {
                    libc::AF_INET6
                };
                for n in names.iter().take(MAX_VERIFY_NAMES) {
                    a.names_checked += 1;
                    if let Ok(Ok(list)) = super::stream_addresses(n, family) {
                        for x in list {
                            if !a.forward.contains(&x) {
                                a.forward.push(x);
                            }
                        }
                    }
                }
            }
            a.set_names(names);
            if verify {
                confirm(&mut a);
            }
        }
        Err(e) => {
            let f = e.failure();
            a.status = NameStatus::Failed(f.reason);
            a.error = Some(f);
        }
    }
    a.ok = a.error.is_none();
    a
}

fn confirm(a: &mut RdnsAnswer) {
    let ok = a.forward.contains(&a.address);
    a.verified = Some(ok);
    if !ok && a.error.is_none() {
        a.error = Some(Failure::new(
            Reason::NotConfirmed,
            format!("no name of {} resolves back to it", a.address),
        ));
    }
}

/// The end of a sweep.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RdnsSummary {
    /// True when every address has a (confirmed) name.
    pub ok: bool,
    /// Addresses answered.
    pub addresses: u64,
    /// Of which with a name.
    pub named: u64,
    /// Of which failing --verify.
    pub not_confirmed: u64,
    /// Stopped by a signal before the end.
    pub interrupted: bool,
}

impl crate::output::Report for RdnsSummary {
    const TYPE: &'static str = "summary";
}

/// How a sweep goes.
#[derive(Debug, Clone, Copy)]
pub struct SweepOpts {
    /// Forward-confirm each name.
    pub verify: bool,
    /// Look-ups in flight.
    pub concurrency: usize,
    /// The most a system look-up (gethostbyaddr) is waited for.
    pub system_deadline: std::time::Duration,
}

/// Sweeps `blocks` (every address of each), `concurrency` at once, each
/// answer emitted in address order as soon as it and those before it are in.
pub async fn sweep(
    blocks: Vec<Cidr>,
    dns: Option<Arc<Dns>>,
    opts: QueryOpts,
    how: SweepOpts,
    stop: &Stop,
    emit: &mut dyn FnMut(RdnsAnswer) -> io::Result<()>,
) -> Result<RdnsSummary> {
    let SweepOpts {
        verify,
        concurrency,
        system_deadline,
    } = how;
    let mut summary = RdnsSummary {
        ok: true,
        addresses: 0,
        named: 0,
        not_confirmed: 0,
        interrupted: false,
    };
    let items = blocks.into_iter().flat_map(Cidr::into_addresses).map(Ok);
    let work = |ip: IpAddr| {
        let dns = dns.clone();
        async move {
            match dns {
                Some(d) => by_dns(ip, d, opts, verify).await,
                None => {
                    // Bounded: a resolver that never answers costs the
                    // deadline (the blocked thread is abandoned).
                    let deadline = crate::deadline::Deadline::after(system_deadline);
                    let what = ip.to_string();
                    match crate::deadline::within_async(&what, deadline, move || {
                        by_system(ip, verify)
                    })
                    .await
                    {
                        Ok(a) => a,
                        Err(f) => {
                            let mut a = RdnsAnswer::blank(ip, RdnsSource::System);
                            a.status = NameStatus::Failed(f.reason);
                            a.error = Some(f);
                            a.ok = false;
                            a
                        }
                    }
                }
            }
        }
    };
    crate::sys::runtime::ordered(
        items,
        concurrency,
        concurrency * 4,
        stop,
        work,
        &|_| false,
        &mut |a: RdnsAnswer| {
            summary.addresses += 1;
            summary.named += u64::from(a.hostname.is_some());
            summary.not_confirmed += u64::from(a.verified == Some(false));
            summary.ok &= a.ok;
            emit(a)
        },
    )
    .await?;
    summary.interrupted = stop.by_signal();
    Ok(summary)
}

impl Render for RdnsAnswer {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        if let Some(width) = self.sweep_width {
            if self.hostname.is_none() && self.status.is_no_such_name() {
                return Ok(());
            }
            let verified = match self.verified {
                Some(true) => "yes".green().to_string(),
                Some(false) => "NO".red().to_string(),
                None => "-".into(),
            };
            let status = self.status.to_string();
            let name = escape(self.hostname.as_deref().unwrap_or(&status)).into_owned();
            return w.write_all(
                crate::output::text::row(&[self.address.to_string(), verified, name], &[width, 8])
                    .as_bytes(),
            );
        }
        match &self.hostname {
            Some(h) => {
                writeln!(w, "Hostname : {}", escape(h))?;
                writeln!(
                    w,
                    "Aliases  : {}",
                    crate::sanitize::python_list(&self.aliases)
                )?;
                if self.source == RdnsSource::System {
                    let addrs: Vec<String> = self.addresses.iter().map(|a| a.to_string()).collect();
                    writeln!(w, "Addresses: {}", crate::sanitize::python_list(&addrs))?;
                }
            }
            None => writeln!(
                w,
                "{}",
                format!(
                    "{}: {}",
                    self.address,
                    self.error
                        .as_ref()
                        .map_or(self.status.to_string(), |e| e.message.clone())
                )
                .red()
            )?,
        }
        match self.verified {
            Some(true) => writeln!(
                w,
                "Verified : {}",
                format!(
                    "yes ({} -> {})",
                    escape(self.hostname.as_deref().unwrap_or("")),
                    self.address
                )
                .green()
            ),
            Some(false) => {
                let fwd: Vec<String> = self.forward.iter().map(|a| a.to_string()).collect();
                writeln!(
                    w,
                    "Verified : {}",
                    format!(
                        "NO (names resolve to {})",
                        crate::sanitize::python_list(&fwd)
                    )
                    .red()
                )
            }
            None => Ok(()),
        }
    }
}

/// The header of a sweep's table.
pub fn sweep_header(width: usize) -> String {
    crate::output::text::row(
        &[
            "ADDRESS".to_string(),
            "VERIFIED".to_string(),
            "NAME".to_string(),
        ],
        &[width, 8],
    )
}

impl Render for RdnsSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let line = format!("{} of {} addresses have a name", self.named, self.addresses);
        let line = if self.not_confirmed > 0 {
            format!("{line}, {} not confirmed", self.not_confirmed)
        } else {
            line
        };
        writeln!(w, "{}", line.dimmed())
    }
}

/// Pads an address column.
pub fn address_width(blocks: &[Cidr]) -> usize {
    if blocks.iter().any(|b| b.network.is_ipv6()) {
        39
    } else {
        15
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_are_bounded() {
        assert_eq!(
            parse_targets(&["192.0.2.0/30".into()]).unwrap()[0].size(),
            4
        );
        assert_eq!(
            parse_targets(&["10.0.0.0/16".into()]).unwrap()[0].size(),
            65_536
        );
        let e = parse_targets(&["10.0.0.0/15".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most /16"), "{e}");
        assert_eq!(
            parse_targets(&["2001:db8::/120".into()]).unwrap()[0].size(),
            256
        );
        assert!(parse_targets(&["2001:db8::/111".into()]).is_err());
        assert!(parse_targets(&["nonsense".into()]).is_err());
    }
}
