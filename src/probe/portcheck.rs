//! `portcheck` as one call: expand the targets, scan (or wait until ready),
//! stream every row, and build the summary with its verdict.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::check::{CheckOpts, CheckResult, CheckSpec};
use super::scan::{self, Counts, Layout, Row, ScanPlan, ScanSummary, TargetSpec, Unresolved};
use super::timing::Timing;
use super::wait::{self, WaitPlan};
use super::{PortState, ProbeOpts};
use crate::addr::services::ServiceDb;
use crate::error::{Failure, NetkitError, Result};
use crate::exit::{Exit, Reason};
use crate::signal::Stop;

/// A validated portcheck.
#[derive(Debug, Clone)]
pub struct Request {
    /// The targets, as given and parsed.
    pub targets: Vec<(String, TargetSpec)>,
    /// `-p` ports, for targets without their own.
    pub ports: Vec<u16>,
    /// AF_INET, AF_INET6 or AF_UNSPEC.
    pub family: i32,
    /// The state every port should be in.
    pub expect: PortState,
    /// A check (exit 1 when a port is not as expected), not a scan (exit 0
    /// once it completes, the states reported).
    pub check: bool,
    /// Connections in flight.
    pub concurrency: usize,
    /// Per connect, at most.
    pub timeout: Duration,
    /// Extra attempts for filtered or failed ports (`None`: adaptive).
    pub retries: Option<u32>,
    /// Connections per second.
    pub rate: Option<f64>,
    /// Read what open services say first.
    pub banner: bool,
    /// Show every row (-v), not only open and unexpected ones of big scans.
    pub verbose: bool,
    /// Show only open ports (`--open`), in every output form.
    pub open_only: bool,
    /// `--wait` with this deadline.
    pub wait: Option<Duration>,
    /// `--wait` checks beyond TCP: http(s)://, tls://, unix:.
    pub checks: Vec<(String, CheckSpec)>,
    /// How to run them.
    pub check_opts: CheckOpts,
}

/// What portcheck streams.
pub enum Event<'a> {
    /// Before the first row: the table's layout (human output only).
    Start(Layout),
    /// A target that did not resolve.
    Unresolved(&'a Unresolved),
    /// One probe.
    Row(Row<'a>),
    /// One check (--wait), after the probes.
    Check(&'a CheckResult),
    /// --wait: what a poll found not ready yet (for a status line).
    Waiting(&'a str),
}

/// Counters a progress line can read while a scan runs.
#[derive(Debug, Default, Clone)]
pub struct Progress {
    /// Probes finished.
    pub done: Arc<AtomicU64>,
    /// Of which open.
    pub open: Arc<AtomicU64>,
    /// Probes planned.
    pub total: Arc<AtomicU64>,
}

/// Runs the check; returns the summary and the exit status (before any
/// `-- CMD`).
pub async fn run(
    req: &Request,
    db: &ServiceDb,
    stop: &Stop,
    progress: &Progress,
    emit: &mut dyn FnMut(Event<'_>) -> io::Result<()>,
) -> Result<(ScanSummary, Exit)> {
    let werr = |e: io::Error| NetkitError::System {
        call: "writing stdout",
        source: e,
    };
    let names = db.port_names("tcp");
    let service = |port: u16| names.get(port).map(str::to_string);
    let started = Instant::now();
    let mut summary = ScanSummary {
        ok: false,
        addresses: 0,
        counts: Counts::default(),
        unresolved: 0,
        expect: req.expect,
        polls: 1,
        duration_ms: 0.0,
        interrupted: false,
        error: None,
        slowdowns: 0,
        checks: req.checks.len() as u64,
        checks_ready: 0,
        not_shown: 0,
        open_only: req.open_only,
    };
    let mut layout = Layout {
        address: 15,
        service: 7,
        all: true,
        banner: req.banner,
    };
    let mut unresolved_failure: Option<Failure> = None;
    // --wait: the deadline passed with something not ready.
    let mut gave_up: Option<Failure> = None;
    let mut check_failure: Option<(String, Failure)> = None;
    let note = |u: &Unresolved, worst: &mut Option<Failure>| {
        if worst.as_ref().is_none_or(|w| u.error.exit() > w.exit()) {
            *worst = Some(u.error.clone());
        }
    };
    if let Some(deadline) = req.wait {
        let plan = WaitPlan {
            targets: req.targets.clone(),
            ports: req.ports.clone(),
            family: req.family,
            expect: req.expect,
            deadline,
            timeout: req.timeout,
            concurrency: req.concurrency,
            checks: req.checks.clone(),
            check_opts: req.check_opts.clone(),
        };
        let mut w = wait::wait(&plan, stop, &mut |s| {
            let _ = emit(Event::Waiting(s));
        })
        .await?;
        if !w.waiting_for.is_empty() && !stop.is_set() {
            gave_up = Some(Failure::new(
                Reason::Timeout,
                format!(
                    "gave up after {}: still not ready: {}",
                    crate::value::seconds(deadline),
                    wait::some_of(&w.waiting_for)
                ),
            ));
        }
        layout.address = address_width(w.probes.iter().map(|p| (&*p.target, p.address)));
        layout.service = service_width(w.probes.iter().map(|p| p.port), &service);
        if !req.targets.is_empty() {
            emit(Event::Start(layout)).map_err(werr)?;
        }
        for u in &w.unresolved {
            note(u, &mut unresolved_failure);
            emit(Event::Unresolved(u)).map_err(werr)?;
        }
        for mut p in w.probes {
            if req.open_only && p.state != PortState::Open {
                summary.not_shown += 1;
                continue;
            }
            p.service = service(p.port);
            emit(Event::Row(Row { probe: &p, layout })).map_err(werr)?;
        }
        // One target column, as wide as the longest target.
        let width = w
            .checks
            .iter()
            .map(|c| crate::sanitize::escape(&c.target).chars().count())
            .max()
            .unwrap_or(0);
        for c in &mut w.checks {
            c.width = width;
        }
        for c in &w.checks {
            if c.ok {
                summary.checks_ready += 1;
            } else if check_failure.is_none() {
                check_failure = c.error.clone().map(|f| (c.target.clone(), f));
            }
            emit(Event::Check(c)).map_err(werr)?;
        }
        summary.counts = w.counts;
        summary.addresses = w.addresses;
        summary.unresolved = w.unresolved.len() as u64;
        summary.polls = w.polls;
    } else {
        let (groups, unresolved) = scan::expand_within(
            &req.targets,
            &req.ports,
            req.family,
            crate::resolve::SYSTEM_DEADLINE,
        )
        .await?;
        for u in &unresolved {
            note(u, &mut unresolved_failure);
            emit(Event::Unresolved(u)).map_err(werr)?;
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
            banner: req.banner.then_some(req.timeout),
            banner_bytes: 256,
        };
        let plan = Arc::new(ScanPlan {
            groups,
            concurrency: req.concurrency,
            rate: req.rate,
            timing: Timing::new(req.timeout, req.retries, req.concurrency),
            opts,
            expect: req.expect,
        });
        layout.all = req.verbose || plan.total() <= 32;
        progress.total.store(plan.total() as u64, Ordering::Relaxed);
        emit(Event::Start(layout)).map_err(werr)?;
        let open = Arc::clone(&progress.open);
        let scan_plan = Arc::clone(&plan);
        let counts = scan::scan(scan_plan, stop, Arc::clone(&progress.done), &mut |mut p| {
            if p.state == PortState::Open {
                open.fetch_add(1, Ordering::Relaxed);
            } else if req.open_only {
                summary.not_shown += 1;
                return Ok(());
            } else if !layout.all {
                summary.not_shown += 1;
            }
            p.service = service(p.port);
            emit(Event::Row(Row { probe: &p, layout }))
        })
        .await;
        summary.counts = counts.map_err(werr)?;
        summary.slowdowns = plan.timing.slowdowns();
    }
    let c = summary.counts;
    // A scan that completes is a success whatever the states it found; a
    // check is not, when a port is not as expected.
    let ports_ok = req.targets.is_empty() || !req.check || (c.unexpected == 0 && c.probes > 0);
    summary.ok = summary.unresolved == 0 && ports_ok && summary.checks_ready == summary.checks;
    summary.interrupted = stop.by_signal();
    summary.duration_ms = started.elapsed().as_secs_f64() * 1e3;
    if !summary.ok {
        summary.error = Some(match &unresolved_failure {
            Some(f) => Failure::new(
                f.reason,
                format!(
                    "{} target(s) did not resolve: {}",
                    summary.unresolved, f.message
                ),
            ),
            None => match check_failure.as_ref().filter(|_| ports_ok) {
                None => Failure::new(
                    Reason::Unexpected,
                    format!(
                        "{} of {} ports not {}",
                        c.unexpected,
                        c.probes,
                        req.expect.as_str()
                    ),
                ),
                Some((target, f)) => Failure::new(
                    f.reason,
                    format!(
                        "{} of {} checks not ready; {}: {}",
                        summary.checks - summary.checks_ready,
                        summary.checks,
                        crate::sanitize::escape(target),
                        f.message
                    ),
                ),
            },
        });
    }
    let unexpected = if !ports_ok || summary.checks_ready < summary.checks {
        Exit::Negative
    } else {
        Exit::Success
    };
    let mut exit = match (&summary.ok, &unresolved_failure) {
        (true, _) => Exit::Success,
        (false, Some(f)) => unexpected.max(f.exit()),
        (false, None) => unexpected,
    };
    if let Some(f) = gave_up.filter(|_| !summary.ok) {
        // Waiting ran out of time: a timeout (4), whatever was not ready.
        exit = exit.max(Exit::Timeout);
        summary.error = Some(f);
    }
    Ok((summary, exit))
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
