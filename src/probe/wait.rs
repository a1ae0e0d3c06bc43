//! `portcheck --wait`: poll until every port is in the expected state or
//! the deadline passes, re-resolving names on every poll (a service's name
//! often appears only once its container is up), each poll's timeout capped
//! by the time left, the last poll in the deadline's final slice (250 ms, or
//! --timeout when shorter) so that it has time to answer. Then, if asked,
//! run a command, passing signals on to it.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use super::check::{self, CheckOpts, CheckResult, CheckSpec};
use super::scan::{self, Counts, ScanPlan, TargetSpec, Unresolved};
use super::{PortState, Probe, ProbeOpts};
use crate::error::{NetkitError, Result};
use crate::exit::Exit;
use crate::exit::Reason;
use crate::signal::Stop;

/// What to wait for.
#[derive(Debug, Clone)]
pub struct WaitPlan {
    /// The targets, as given and parsed.
    pub targets: Vec<(String, TargetSpec)>,
    /// Ports for targets without their own.
    pub ports: Vec<u16>,
    /// AF_INET, AF_INET6 or AF_UNSPEC.
    pub family: i32,
    /// The state every port must reach.
    pub expect: PortState,
    /// When to give up.
    pub deadline: Duration,
    /// Per connect, at most (capped by the time left).
    pub timeout: Duration,
    /// Connections in flight.
    pub concurrency: usize,
    /// HTTP(S), TLS and Unix-socket checks, as given and parsed.
    pub checks: Vec<(String, CheckSpec)>,
    /// How to run them.
    pub check_opts: CheckOpts,
}

/// How the wait ended.
#[derive(Debug)]
pub struct WaitOutcome {
    /// The last poll's probes.
    pub probes: Vec<Probe>,
    /// The last poll's targets that did not resolve.
    pub unresolved: Vec<Unresolved>,
    /// The last poll's counts.
    pub counts: Counts,
    /// Addresses in the last poll.
    pub addresses: u64,
    /// The last poll's checks, in the order given.
    pub checks: Vec<CheckResult>,
    /// Polls made.
    pub polls: u32,
    /// What was still not ready at the end (empty: everything was).
    pub waiting_for: Vec<String>,
}

/// The least time the last poll of a wait has before the deadline.
const LAST_SLICE: Duration = Duration::from_millis(250);

/// The most probes one wait checks per poll.
pub const MAX_WAIT_PROBES: usize = 4096;

/// What a poll found not ready yet, one phrase each (`127.0.0.1:5432
/// refused`, `db.test does not resolve`, `http://x/health http_status`).
fn not_ready(
    probes: &[super::Probe],
    unresolved: &[super::scan::Unresolved],
    checks: &[CheckResult],
    expect: super::PortState,
) -> Vec<String> {
    let mut out: Vec<String> = unresolved
        .iter()
        .map(|u| format!("{} does not resolve", crate::sanitize::escape(&u.target)))
        .collect();
    out.extend(probes.iter().filter(|p| p.state != expect).map(|p| {
        let what = p.reason.map_or(p.state.as_str(), Reason::code);
        format!("{} {what}", std::net::SocketAddr::new(p.address, p.port))
    }));
    out.extend(checks.iter().filter(|c| !c.ok).map(|c| {
        let why = c.error.as_ref().map_or("not ready", |e| e.reason.code());
        format!("{} {why}", crate::sanitize::escape(&c.target))
    }));
    out
}

/// At most three phrases, and how many more.
pub fn some_of(items: &[String]) -> String {
    let mut s = items.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 3 {
        s.push_str(&format!(" and {} more", items.len() - 3));
    }
    s
}

/// Polls until ready, the deadline, or `stop`. The deadline holds: no
/// poll starts after it and none runs past it. After each poll that is not
/// ready, `waiting` is told what it waits for.
pub async fn wait(
    plan: &WaitPlan,
    stop: &Stop,
    waiting: &mut dyn FnMut(&str),
) -> Result<WaitOutcome> {
    let started = Instant::now();
    let end = started + plan.deadline;
    let mut backoff = Duration::from_millis(100);
    let mut polls = 0;
    loop {
        polls += 1;
        let left = end.saturating_duration_since(Instant::now());
        let (groups, unresolved) =
            scan::expand_within(&plan.targets, &plan.ports, plan.family, left).await?;
        // One attempt per poll, for at most the time left.
        let timeout = plan
            .timeout
            .min(end.saturating_duration_since(Instant::now()))
            .max(Duration::from_millis(1));
        let scan_plan = Arc::new(ScanPlan {
            groups,
            concurrency: plan.concurrency,
            rate: None,
            timing: super::timing::Timing::new(timeout, Some(0), plan.concurrency),
            opts: ProbeOpts {
                banner: None,
                banner_bytes: 0,
            },
            expect: plan.expect,
        });
        if scan_plan.total() > MAX_WAIT_PROBES {
            return Err(NetkitError::invalid(format!(
                "--wait checks at most {MAX_WAIT_PROBES} ports at once"
            )));
        }
        let addresses = scan_plan
            .groups
            .iter()
            .map(|g| g.addresses.len() as u64)
            .sum();
        let mut probes = Vec::new();
        let has_ports = !plan.targets.is_empty();
        // The ports and the checks of one poll run side by side.
        let scanning = async {
            if !has_ports {
                return Ok(Counts::default());
            }
            scan::scan(scan_plan, stop, Arc::new(AtomicU64::new(0)), &mut |p| {
                probes.push(p);
                Ok(())
            })
            .await
        };
        let checking = futures_util::future::join_all(
            plan.checks
                .iter()
                .map(|(text, spec)| check::check(text, spec, &plan.check_opts, timeout, stop)),
        );
        let (counts, mut checks) = tokio::join!(scanning, checking);
        let counts = counts.map_err(NetkitError::system("scanning"))?;
        for c in &mut checks {
            c.attempts = polls;
        }
        probes.sort_by_key(|p| p.index);
        let ports_ready = !has_ports || (counts.unexpected == 0 && counts.probes > 0);
        let ready = unresolved.is_empty() && ports_ready && checks.iter().all(|c| c.ok);
        let waiting_for = if ready {
            Vec::new()
        } else {
            not_ready(&probes, &unresolved, &checks, plan.expect)
        };
        let now = Instant::now();
        if !ready && !stop.is_set() {
            waiting(&format!(
                "waiting for {} (poll {polls}, {:.1} s of {})",
                some_of(&waiting_for),
                started.elapsed().as_secs_f64(),
                crate::value::seconds(plan.deadline)
            ));
        }
        let outcome = |probes, unresolved, checks| WaitOutcome {
            probes,
            unresolved,
            counts,
            addresses,
            checks,
            polls,
            waiting_for: waiting_for.clone(),
        };
        if ready || stop.is_set() || now >= end {
            return Ok(outcome(probes, unresolved, checks));
        }
        // The last poll runs up to the deadline, not a backoff before it:
        // it starts a slice before the deadline (its --timeout, at most
        // 250 ms), so that an HTTP or TLS check has the time to answer
        // (a poll that starts at the deadline would time out at once).
        let slice = plan.timeout.min(LAST_SLICE);
        let Some(room) = (end - now).checked_sub(slice).filter(|r| !r.is_zero()) else {
            return Ok(outcome(probes, unresolved, checks));
        };
        let pause = backoff.min(room);
        if !stop_sleep(stop, pause).await {
            return Ok(outcome(probes, unresolved, checks));
        }
        backoff = backoff.mul_f64(1.5).min(Duration::from_secs(2));
    }
}

async fn stop_sleep(stop: &Stop, d: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => true,
        () = stop.wait() => false,
    }
}

/// Checks that `argv[0]` can run, as a shell does before running it:
/// 127 when it is not found, 126 when it is not executable.
pub fn check_command(argv: &[String]) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let Some(cmd) = argv.first() else {
        return Ok(());
    };
    let name = crate::sanitize::brief(cmd, 100);
    let candidates: Vec<std::path::PathBuf> = if cmd.contains('/') {
        vec![cmd.into()]
    } else {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).map(|d| d.join(cmd)).collect())
            .unwrap_or_default()
    };
    let mut found_not_exec = false;
    for c in candidates {
        match std::fs::metadata(&c) {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => return Ok(()),
            Ok(_) => found_not_exec = true,
            Err(_) => {}
        }
    }
    Err(if found_not_exec {
        NetkitError::Command {
            code: 126,
            message: format!("{name}: permission denied (not an executable file)"),
        }
    } else {
        NetkitError::Command {
            code: 127,
            message: format!("{name}: command not found"),
        }
    })
}

/// Runs the command; signals netkit gets meanwhile are passed to it, and
/// netkit waits for it. Its status is netkit's (128 + signal if killed).
pub fn run_command(argv: &[String], stop: &Stop) -> Result<Exit> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .spawn()
        .map_err(|e| NetkitError::Command {
            code: if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            },
            message: format!("{}: {e}", crate::sanitize::brief(&argv[0], 100)),
        })?;
    stop.forward_to(Some(child.id()));
    // A signal that came between the spawn and the line above was taken as
    // netkit's own stop (the command could already be running: the CI test
    // saw it under load, and the command ran to its end). Hand it on now.
    let pending = match stop.cause() {
        Some(crate::signal::StopCause::Interrupt) => Some(libc::SIGINT),
        Some(crate::signal::StopCause::Terminate) => Some(libc::SIGTERM),
        _ => None,
    };
    if let (Some(sig), Ok(pid)) = (pending, i32::try_from(child.id())) {
        crate::sys::kill(pid, sig);
    }
    let status = child.wait();
    stop.forward_to(None);
    let status = status.map_err(NetkitError::system("waiting for the command"))?;
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Ok(Exit::Child(code.clamp(0, 255) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_checked_as_a_shell_would() {
        assert!(check_command(&["true".into()]).is_ok());
        assert!(check_command(&[]).is_ok());
        match check_command(&["netkit-no-such-command".into()]) {
            Err(NetkitError::Command { code: 127, .. }) => {}
            other => panic!("{other:?}"),
        }
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("not-executable");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        match check_command(&[plain.display().to_string()]) {
            Err(NetkitError::Command { code: 126, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
