//! `netkit portcheck`.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use colored::Colorize;
use serde::Serialize;

use crate::cidr::Cidr;
use crate::cli::{ExpectState, PortcheckArgs};
use crate::error::{ErrorInfo, NetkitError, Result};
use crate::exit::Exit;
use crate::netdb::DbChoice;
use crate::output::{self, Printer};
use crate::ports::PortSpec;
use crate::probe::{self, PortState, Probe, ProbeOpts, ScanPlan};
use crate::resolve;
use crate::sanitize::escape;
use crate::services::ServiceDb;

/// Most addresses one invocation scans.
pub const MAX_ADDRESSES: u128 = 65_536;

/// A target that did not resolve.
#[derive(Debug, Serialize)]
pub struct Unresolved {
    /// Always `"target"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The target.
    pub target: String,
    /// Why.
    pub error: ErrorInfo,
}

/// The last object of a scan.
#[derive(Debug, Serialize)]
pub struct ScanSummary {
    /// Always `"summary"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Addresses scanned.
    pub addresses: usize,
    /// Probes made.
    pub probes: usize,
    /// Counts by state.
    pub open: usize,
    /// Refused.
    pub closed: usize,
    /// No answer.
    pub filtered: usize,
    /// No route, unreachable, prohibited.
    pub unreachable: usize,
    /// Other failures.
    pub error: usize,
    /// Targets that did not resolve.
    pub unresolved: usize,
    /// The state expected of every port.
    pub expect: &'static str,
    /// Whether every port was in it.
    pub as_expected: bool,
    /// --wait: polls made.
    pub polls: u32,
    /// How long it took.
    pub duration_ms: f64,
}

struct Targets {
    /// (label, address, the target's own port)
    addresses: Vec<(std::sync::Arc<str>, IpAddr, Option<u16>)>,
    unresolved: Vec<Unresolved>,
}

fn split_port(t: &str) -> Result<(String, Option<u16>)> {
    let bad = |why: &str| NetkitError::invalid(format!("invalid target '{}': {why}", escape(t)));
    if let Some(rest) = t.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| bad("unbalanced '['"))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| bad("expected [V6]:PORT"))?,
            ),
        };
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad("port must be 1-65535"))
            })
            .transpose()?;
        return Ok((host.to_string(), port));
    }
    if t.matches(':').count() == 1 {
        let (h, p) = t.split_once(':').unwrap_or((t, ""));
        let port = p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("port must be 1-65535"))?;
        if h.is_empty() {
            return Err(bad("missing host"));
        }
        return Ok((h.to_string(), Some(port)));
    }
    Ok((t.to_string(), None))
}

fn expand_targets(args: &PortcheckArgs) -> Result<Targets> {
    let mut addresses = Vec::new();
    let mut unresolved = Vec::new();
    let mut count: u128 = 0;
    let family_ok = |ip: &IpAddr| (!args.ipv4 || ip.is_ipv4()) && (!args.ipv6 || ip.is_ipv6());
    for t in &args.targets {
        let (host, port) = split_port(t)?;
        if host.contains('/') {
            let cidr: Cidr = host.parse()?;
            // Saturating: /0 of IPv6 alone is 2^128 addresses.
            count = count.saturating_add(cidr.size());
            if count > MAX_ADDRESSES {
                return Err(NetkitError::invalid(format!(
                    "{t}: more than {MAX_ADDRESSES} addresses to scan; split the block"
                )));
            }
            let label: std::sync::Arc<str> = t.as_str().into();
            addresses.extend(
                cidr.addresses()
                    .filter(family_ok)
                    .map(|ip| (std::sync::Arc::clone(&label), ip, port)),
            );
            continue;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            if family_ok(&ip) {
                addresses.push((t.as_str().into(), ip, port));
                count += 1;
            }
            continue;
        }
        if host.chars().any(|c| c.is_whitespace() || c.is_control()) || host.is_empty() {
            return Err(NetkitError::invalid(format!(
                "invalid target '{}'",
                escape(t)
            )));
        }
        let family = if args.ipv4 {
            libc::AF_INET
        } else if args.ipv6 {
            libc::AF_INET6
        } else {
            libc::AF_UNSPEC
        };
        match resolve::stream_addresses(&host, family)? {
            Ok(ips) => {
                count += ips.len() as u128;
                addresses.extend(ips.into_iter().map(|ip| (t.as_str().into(), ip, port)));
            }
            Err(e) => unresolved.push(Unresolved {
                kind: "target",
                target: t.clone(),
                error: e.info(),
            }),
        }
    }
    Ok(Targets {
        addresses,
        unresolved,
    })
}

fn expected(state: PortState, expect: ExpectState) -> bool {
    match expect {
        ExpectState::Open => state == PortState::Open,
        ExpectState::Closed => state == PortState::Closed,
    }
}

/// Runs `netkit portcheck`.
pub fn run(args: &PortcheckArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    if !args.command.is_empty() && !args.wait {
        return Err(NetkitError::invalid("`-- CMD` runs after --wait; add --wait").into());
    }
    if args.local {
        return run_local(args, out);
    }
    if args.targets.is_empty() {
        return Err(
            NetkitError::invalid("give a TARGET (host, address, HOST:PORT or CIDR)").into(),
        );
    }
    let db = ServiceDb::load(&DbChoice::System)?;
    let spec_ports = args
        .ports
        .as_deref()
        .map(|p| p.parse::<PortSpec>())
        .transpose()?;
    let targets = expand_targets(args)?;
    let spec: Vec<u16> = match &spec_ports {
        Some(spec) => spec.resolve(&db, "tcp")?,
        None => Vec::new(),
    };
    // One group per target, in the order given: a HOST:PORT target is
    // probed at its port, the others at -p's ports.
    let mut groups: Vec<probe::ScanGroup> = Vec::new();
    for (label, ip, port) in &targets.addresses {
        let ports = match port {
            Some(p) => vec![*p],
            None if spec.is_empty() => {
                return Err(NetkitError::invalid("no ports: give -p PORTS or HOST:PORT").into());
            }
            None => spec.clone(),
        };
        match groups.last_mut() {
            Some(g) if g.ports == ports && g.addresses.last().is_some_and(|a| a.0 == *label) => {
                g.addresses.push((label.clone(), *ip))
            }
            _ => groups.push(probe::ScanGroup {
                addresses: vec![(label.clone(), *ip)],
                ports,
            }),
        }
    }
    let limit = crate::echo::raise_nofile_limit();
    let concurrency = args.concurrency.map_or_else(
        || (limit.saturating_sub(64) / 2).clamp(16, 4096) as usize,
        |c| c as usize,
    );
    let address_count = targets.addresses.len();
    let plan = Arc::new(ScanPlan {
        groups,
        concurrency,
        rate: args.rate,
        opts: ProbeOpts {
            timeout: args.timeout,
            retries: args.retries,
            banner: args.banner.then_some(args.timeout),
            banner_bytes: 256,
        },
    });
    let stop = crate::signal::stop_flag()?;
    let interrupted = crate::signal::interrupted_flag()?;
    let total = plan.total();
    let small = total <= 64;
    let rt = if small {
        crate::runtime::current_thread()?
    } else {
        crate::runtime::multi_thread(None)?
    };
    let started = Instant::now();
    let progress = !out.is_json() && std::io::stderr().is_terminal() && total > 1000;
    let mut polls = 0;
    let mut backoff = Duration::from_millis(100);
    let probes = loop {
        polls += 1;
        let done = Arc::new(AtomicU64::new(0));
        let probes = rt.block_on(async {
            let scanning = probe::scan(Arc::clone(&plan), Arc::clone(&stop), Arc::clone(&done));
            tokio::pin!(scanning);
            loop {
                tokio::select! {
                    probes = &mut scanning => break probes,
                    _ = tokio::time::sleep(Duration::from_millis(200)), if progress => {
                        let _ = write!(std::io::stderr(), "\rscanned {}/{total}", done.load(Ordering::Relaxed));
                    }
                }
            }
        });
        if progress {
            let _ = write!(std::io::stderr(), "\r{:30}\r", "");
        }
        let all_ok =
            targets.unresolved.is_empty() && probes.iter().all(|p| expected(p.state, args.expect));
        if !args.wait
            || all_ok
            || stop.load(Ordering::Relaxed)
            || started.elapsed() + backoff >= args.deadline
        {
            break probes;
        }
        std::thread::sleep(backoff);
        backoff = (backoff.mul_f64(1.5)).min(Duration::from_secs(2));
    };
    let probes: Vec<Probe> = probes
        .into_iter()
        .map(|mut p| {
            p.service = db
                .by_port(p.port, Some("tcp"))
                .first()
                .map(|e| e.name.clone());
            p
        })
        .collect();
    let count = |s: PortState| probes.iter().filter(|p| p.state == s).count();
    let as_expected =
        targets.unresolved.is_empty() && probes.iter().all(|p| expected(p.state, args.expect));
    let summary = ScanSummary {
        kind: "summary",
        addresses: address_count,
        probes: probes.len(),
        open: count(PortState::Open),
        closed: count(PortState::Closed),
        filtered: count(PortState::Filtered),
        unreachable: count(PortState::Unreachable),
        error: count(PortState::Error),
        unresolved: targets.unresolved.len(),
        expect: match args.expect {
            ExpectState::Open => "open",
            ExpectState::Closed => "closed",
        },
        as_expected,
        polls,
        duration_ms: started.elapsed().as_secs_f64() * 1e3,
    };
    let mut exit = if as_expected {
        Exit::Success
    } else {
        Exit::Negative
    };
    if !targets.unresolved.is_empty() {
        exit = exit.max(Exit::Resolve);
    }
    if interrupted.load(Ordering::Relaxed) {
        exit = Exit::Interrupted;
    }
    print(out, args, &probes, &targets.unresolved, &summary)?;
    if args.wait && !args.command.is_empty() {
        if exit != Exit::Success {
            return Ok(exit);
        }
        out.flush()?;
        let status = std::process::Command::new(&args.command[0])
            .args(&args.command[1..])
            .status()
            .map_err(|e| {
                NetkitError::invalid(format!("cannot run {}: {e}", escape(&args.command[0])))
            })?;
        use std::os::unix::process::ExitStatusExt;
        let code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        return Ok(exit_from_code(code));
    }
    Ok(exit)
}

/// The command's own status, passed through (clamped to 0-255).
fn exit_from_code(code: i32) -> Exit {
    Exit::pass_through(code.clamp(0, 255) as u8)
}

fn print(
    out: &mut Printer,
    args: &PortcheckArgs,
    probes: &[Probe],
    unresolved: &[Unresolved],
    s: &ScanSummary,
) -> std::io::Result<()> {
    if out.is_json() {
        for u in unresolved {
            out.json(u)?;
        }
        for p in probes {
            out.json(p)?;
        }
        return out.summary_json(s);
    }
    let verbose = out.verbose() > 0;
    let w = out.human();
    for u in unresolved {
        writeln!(
            w,
            "{}",
            format!("{}: {}", escape(&u.target), u.error.message).red()
        )?;
    }
    let show_all = verbose || probes.len() <= 32;
    let rows: Vec<Vec<String>> = probes
        .iter()
        .filter(|p| show_all || p.state != PortState::Closed)
        .map(|p| {
            let state = match p.state {
                PortState::Open => p.state.as_str().green().to_string(),
                PortState::Closed => p.state.as_str().to_string(),
                _ => p.state.as_str().yellow().to_string(),
            };
            let mut row = vec![
                format!("{}/tcp", p.port),
                state,
                p.service.clone().unwrap_or_default(),
                if *p.target == p.address.to_string() {
                    p.address.to_string()
                } else {
                    format!("{} ({})", p.address, escape(&p.target))
                },
                p.reason
                    .filter(|_| p.state != PortState::Open)
                    .unwrap_or("")
                    .to_string(),
            ];
            if args.banner {
                row.push(
                    p.banner
                        .as_deref()
                        .map(|b| escape(b.trim_end()).into_owned())
                        .unwrap_or_default(),
                );
            }
            row
        })
        .collect();
    if !rows.is_empty() {
        let mut header = vec!["PORT", "STATE", "SERVICE", "ADDRESS", "REASON"];
        if args.banner {
            header.push("BANNER");
        }
        writeln!(w, "{}", output::table(&header, rows))?;
    }
    let line = format!(
        "{} probes on {} addresses: {} open, {} closed, {} filtered, {} unreachable, {} errors in {:.2} s{}",
        s.probes,
        s.addresses,
        s.open,
        s.closed,
        s.filtered,
        s.unreachable,
        s.error,
        s.duration_ms / 1e3,
        if s.polls > 1 {
            format!(" ({} polls)", s.polls)
        } else {
            String::new()
        }
    );
    writeln!(
        w,
        "{}",
        if s.as_expected {
            line.normal()
        } else {
            line.yellow()
        }
    )
}

fn run_local(args: &PortcheckArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    if args.targets.is_empty() {
        return Err(NetkitError::invalid("--local needs PORTS (such as 8080 or 8000-8010)").into());
    }
    let db = ServiceDb::load(&DbChoice::System)?;
    let proto = if args.udp { "udp" } else { "tcp" };
    let mut ports = Vec::new();
    for t in &args.targets {
        for p in t.parse::<PortSpec>()?.resolve(&db, proto)? {
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
    }
    if ports.len() > 4096 {
        return Err(NetkitError::invalid("--local checks at most 4096 ports at once").into());
    }
    let checks: Vec<probe::LocalCheck> = ports
        .iter()
        .flat_map(|p| probe::local_checks(*p, args.udp, &args.bind))
        .collect();
    let all_free = checks
        .iter()
        .all(|c| c.status == "free" || c.status == "unavailable");
    if out.is_json() {
        for c in &checks {
            out.json(c)?;
        }
    } else {
        let rows = checks
            .iter()
            .map(|c| {
                let status = if c.status == "free" {
                    c.status.green().to_string()
                } else {
                    c.status.red().to_string()
                };
                vec![
                    format!("{}/{}", c.port, c.protocol),
                    c.address.to_string(),
                    c.mode.unwrap_or("").to_string(),
                    status,
                    c.error.clone().unwrap_or_default(),
                ]
            })
            .collect();
        writeln!(
            out.human(),
            "{}",
            output::table(&["PORT", "ADDRESS", "MODE", "STATUS", "ERROR"], rows)
        )?;
    }
    Ok(if all_free {
        Exit::Success
    } else {
        Exit::Negative
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_forms() {
        assert_eq!(
            split_port("127.0.0.1:22").unwrap(),
            ("127.0.0.1".into(), Some(22))
        );
        assert_eq!(split_port("[::1]:22").unwrap(), ("::1".into(), Some(22)));
        assert_eq!(split_port("[::1]").unwrap(), ("::1".into(), None));
        assert_eq!(split_port("::1").unwrap(), ("::1".into(), None));
        assert_eq!(
            split_port("host.example.test").unwrap(),
            ("host.example.test".into(), None)
        );
        for bad in ["host:0", "host:x", ":22", "[::1", "[::1]x", "host:70000"] {
            assert!(split_port(bad).is_err(), "{bad}");
        }
    }
}
