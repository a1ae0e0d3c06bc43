//! `netkit portcheck`: port states, scans, waits, local binds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::addr::netdb::DbChoice;
use crate::addr::ports::PortSpec;
use crate::addr::services::ServiceDb;
use crate::cli::{ExpectState, PortcheckArgs};
use crate::error::{NetkitError, Result};
use crate::exit::Exit;
use crate::output::Printer;
use crate::output::progress::Progress;
use crate::probe::scan::{self, Layout, Row, ScanPlan, ScanSummary};
use crate::probe::wait::{self, WaitPlan};
use crate::probe::{PortState, ProbeOpts, local};
use crate::signal::Stop;

/// Runs `netkit portcheck`.
pub fn run(args: &PortcheckArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    if !args.command.is_empty() && !args.wait {
        return Err(NetkitError::invalid("`-- CMD` runs after --wait; add --wait").into());
    }
    let db = ServiceDb::load(&DbChoice::System)?;
    if args.local {
        return run_local(args, &db, out);
    }
    if args.targets.is_empty() {
        return Err(
            NetkitError::invalid("give a TARGET (host, address, HOST:PORT or CIDR)").into(),
        );
    }
    let targets = args
        .targets
        .iter()
        .map(|t| scan::parse_target(t).map(|s| (t.clone(), s)))
        .collect::<Result<Vec<_>>>()?;
    let ports = match &args.ports {
        Some(p) => p.parse::<PortSpec>()?.resolve(&db, "tcp")?,
        None => Vec::new(),
    };
    let family = if args.ipv4 {
        libc::AF_INET
    } else if args.ipv6 {
        libc::AF_INET6
    } else {
        libc::AF_UNSPEC
    };
    let expect = match args.expect {
        ExpectState::Open => PortState::Open,
        ExpectState::Closed => PortState::Closed,
    };
    wait::check_command(&args.command)?;
    let limit = crate::sys::raise_nofile_limit();
    let concurrency = args.concurrency.map_or_else(
        || (limit.saturating_sub(64) / 2).clamp(16, 4096),
        |c| c.min(limit.saturating_sub(64).max(16)),
    ) as usize;
    let service = |port: u16| {
        db.by_port(port, Some("tcp"))
            .first()
            .map(|e| e.name.clone())
    };
    let started = Instant::now();
    let mut summary = ScanSummary {
        kind: "summary",
        ok: false,
        addresses: 0,
        counts: scan::Counts::default(),
        unresolved: 0,
        expect,
        polls: 1,
        duration_ms: 0.0,
        interrupted: false,
        error: None,
        not_shown: 0,
    };
    let rt = crate::sys::runtime::multi_thread(None)?;
    let mut layout = Layout {
        address: 15,
        service: 7,
        all: true,
        banner: args.banner,
    };
    let mut unresolved_exit = Exit::Success;
    let mut unresolved_reason = crate::exit::Reason::NotFound;
    if args.wait {
        let plan = WaitPlan {
            targets,
            ports,
            family,
            expect,
            deadline: args.deadline,
            timeout: args.timeout,
            concurrency,
        };
        let w = rt.block_on(wait::wait(&plan, stop))?;
        layout.address = address_width(w.probes.iter().map(|p| (&*p.target, p.address)));
        layout.service = service_width(w.probes.iter().map(|p| p.port), &service);
        out.text(&scan::header(&layout))?;
        for u in &w.unresolved {
            unresolved_exit = unresolved_exit.max(u.error.exit());
            unresolved_reason = u.error.reason;
            out.emit(u)?;
        }
        for mut p in w.probes {
            p.service = service(p.port);
            out.emit_group(&Row { probe: &p, layout }, std::slice::from_ref(&p))?;
        }
        summary.counts = w.counts;
        summary.addresses = w.addresses;
        summary.unresolved = w.unresolved.len() as u64;
        summary.polls = w.polls;
    } else {
        let (groups, unresolved) = scan::expand(&targets, &ports, family)?;
        for u in &unresolved {
            unresolved_exit = unresolved_exit.max(u.error.exit());
            unresolved_reason = u.error.reason;
            out.emit(u)?;
        }
        summary.unresolved = unresolved.len() as u64;
        summary.addresses = groups.iter().map(|g| g.addresses.len() as u64).sum();
        layout.service = service_width(
            groups.iter().flat_map(|g| g.ports.iter().copied()),
            &service,
        );
        layout.address = address_width(
            groups
                .iter()
                .flat_map(|g| g.addresses.iter().map(|a| (&*g.label, *a))),
        );
        let opts = ProbeOpts {
            timeout: args.timeout,
            retries: args.retries,
            banner: args.banner.then_some(args.timeout),
            banner_bytes: 256,
        };
        let plan = Arc::new(ScanPlan {
            groups,
            concurrency,
            rate: args.rate,
            opts,
            expect,
        });
        let total = plan.total() as u64;
        layout.all = out.view().verbose > 0 || total <= 32;
        out.text(&scan::header(&layout))?;
        let (done, open) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let progress = Progress::start(
            total > 1000,
            "scanned",
            total,
            Arc::clone(&done),
            Arc::clone(&open),
        );
        let counts = rt.block_on(scan::scan(plan, stop, done, &mut |mut p| {
            p.service = service(p.port);
            if p.state == PortState::Open {
                open.fetch_add(1, Ordering::Relaxed);
            } else if !layout.all {
                summary.not_shown += 1;
            }
            out.emit_group(&Row { probe: &p, layout }, std::slice::from_ref(&p))
        }));
        drop(progress);
        summary.counts = counts?;
    }
    rt.shutdown_background();
    summary.ok =
        summary.unresolved == 0 && summary.counts.unexpected == 0 && summary.counts.probes > 0;
    summary.interrupted = stop.by_signal();
    if !summary.ok {
        let c = &summary.counts;
        summary.error = Some(if summary.unresolved > 0 {
            crate::error::Failure::new(
                unresolved_reason,
                format!("{} target(s) did not resolve", summary.unresolved),
            )
        } else {
            crate::error::Failure::new(
                crate::exit::Reason::Unexpected,
                format!(
                    "{} of {} ports not {}",
                    c.unexpected,
                    c.probes,
                    expect.as_str()
                ),
            )
        });
    }
    summary.duration_ms = started.elapsed().as_secs_f64() * 1e3;
    out.summary(&summary)?;
    let unexpected = if summary.counts.unexpected > 0 || summary.counts.probes == 0 {
        Exit::Negative
    } else {
        Exit::Success
    };
    let exit = if summary.ok {
        Exit::Success
    } else {
        unexpected.max(unresolved_exit)
    };
    if args.wait && !args.command.is_empty() && exit == Exit::Success && !stop.is_set() {
        out.flush()?;
        return Ok(wait::run_command(&args.command, stop)?);
    }
    Ok(exit)
}

/// The service column: the widest service name among the ports probed.
fn service_width(
    ports: impl Iterator<Item = u16>,
    service: &dyn Fn(u16) -> Option<String>,
) -> usize {
    ports
        .take(65_536)
        .filter_map(service)
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(7, 20)
}

/// The address column: the widest address, with its target's name beside it.
fn address_width<'a>(items: impl Iterator<Item = (&'a str, std::net::IpAddr)>) -> usize {
    items
        .map(
            |(label, ip)| match crate::addr::parse_host_port(label).map(|h| h.host) {
                Ok(crate::addr::Host::Name(n)) => ip.to_string().len() + n.chars().count() + 3,
                _ => ip.to_string().len(),
            },
        )
        .max()
        .unwrap_or(15)
        .clamp(7, 60)
}

fn run_local(args: &PortcheckArgs, db: &ServiceDb, out: &mut Printer) -> anyhow::Result<Exit> {
    if args.targets.is_empty() {
        return Err(NetkitError::invalid("--local needs PORTS (such as 8080 or 8000-8010)").into());
    }
    let proto = if args.udp { "udp" } else { "tcp" };
    let mut ports = Vec::new();
    for t in &args.targets {
        for p in t.parse::<PortSpec>()?.resolve(db, proto)? {
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
    }
    if ports.len() > 4096 {
        return Err(NetkitError::invalid("--local checks at most 4096 ports at once").into());
    }
    out.text(&local::header())?;
    let mut exit = Exit::Success;
    for port in ports {
        for c in local::local_checks(port, args.udp, &args.bind) {
            if !c.ok {
                exit = Exit::Negative;
            }
            out.emit(&c)?;
        }
    }
    Ok(exit)
}
