//! `netkit portcheck`: port states, scans, waits, local binds.

use crate::addr::netdb::DbChoice;
use crate::addr::ports::PortSpec;
use crate::addr::services::ServiceDb;
use crate::cli::help::{Help, ex, row};
use crate::cli::{ExpectState, PortcheckArgs};
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::probe::check::{CheckKind, CheckOpts, CheckSpec};
use crate::probe::portcheck::{self, Event, Progress, Request};
use crate::probe::scan::{self, header};
use crate::probe::{PortState, local, wait};

/// The most http(s)://, tls:// and unix: checks one wait runs.
const MAX_CHECKS: usize = 64;
/// Most ports in all HOST:PORTS targets' own lists together (each list is
/// kept: 65,535 targets of `HOST:-` would hold 8 GiB); -p's one list is
/// shared by every other target.
pub const MAX_TARGET_PORTS: usize = 1 << 20;
use crate::signal::Stop;

/// Runs `netkit portcheck`.
pub fn run(args: &PortcheckArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    if !args.command.is_empty() && !args.wait {
        return Err(NetkitError::invalid("`-- CMD` runs after --wait; add --wait").into());
    }
    if args.udp && !args.local && !args.path.path {
        return Err(NetkitError::invalid("--udp applies to --local and --path").into());
    }
    if args.path.path && (args.local || args.wait) {
        return Err(NetkitError::invalid(
            "--path traces the route to one HOST:PORT; not with --local or --wait",
        )
        .into());
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
    // nc habits: `portcheck HOST PORT` and `portcheck HOST 20-25`.
    let nc_ports = match (&args.ports, args.targets.as_slice()) {
        (None, [_, .., last]) if looks_like_ports(last) => Some(last.as_str()),
        _ => None,
    };
    let given = &args.targets[..args.targets.len() - usize::from(nc_ports.is_some())];
    let mut targets = Vec::new();
    let mut checks = Vec::new();
    let mut own_ports = 0usize;
    for t in given {
        match CheckSpec::parse(t) {
            Some(spec) => checks.push((t.clone(), spec?)),
            None => {
                let spec = scan::parse_target(t, &db)?;
                if let scan::TargetSpec::Host(_, Some(p)) | scan::TargetSpec::Block(_, Some(p)) =
                    &spec
                {
                    own_ports += p.len();
                }
                if own_ports > MAX_TARGET_PORTS {
                    return Err(NetkitError::invalid(format!(
                        "more than {MAX_TARGET_PORTS} ports in HOST:PORTS targets: give the ports once with -p"
                    ))
                    .into());
                }
                targets.push((t.clone(), spec));
            }
        }
    }
    if let Some((t, _)) = checks.first().filter(|_| !args.wait) {
        return Err(NetkitError::invalid(format!(
            "'{}': http(s)://, tls:// and unix: targets are checked with --wait \
             (netkit diagnose checks one once)",
            crate::sanitize::brief(t, 100)
        ))
        .into());
    }
    if checks.len() > MAX_CHECKS {
        return Err(NetkitError::invalid(format!(
            "--wait runs at most {MAX_CHECKS} http(s)://, tls:// and unix: checks"
        ))
        .into());
    }
    let encrypted = checks
        .iter()
        .any(|(_, c)| matches!(c.kind(), CheckKind::Https | CheckKind::Tls));
    if (args.insecure || args.ca_file.is_some()) && !encrypted {
        let flag = if args.insecure {
            "--insecure"
        } else {
            "--ca-file"
        };
        return Err(NetkitError::invalid(format!(
            "{flag} applies to --wait on https:// and tls:// targets, and none is given"
        ))
        .into());
    }
    if let Some(ca) = &args.ca_file {
        // A bad --ca-file is a usage error now, not a failed check later.
        crate::tls::client_config(Some(ca), false, crate::tls::ALPN_HTTP1)?;
    }
    let ports = match args.ports.as_deref().or(nc_ports) {
        Some(p) => p.parse::<PortSpec>()?.resolve(&db, "tcp")?,
        None => Vec::new(),
    };
    // One host and one port (nc -z style), --expect or --wait: a check.
    let one_port = match targets.as_slice() {
        [(_, scan::TargetSpec::Host(_, Some(own)))] => own.len() == 1 && ports.is_empty(),
        [(_, scan::TargetSpec::Host(_, None))] => ports.len() == 1,
        _ => false,
    };
    if args.path.path && !(one_port && targets.len() == 1) {
        return Err(NetkitError::invalid(
            "--path traces the route to one HOST:PORT (or HOST -p PORT)",
        )
        .into());
    }
    if args.udp || args.icmp {
        return path_only(args, &targets, &ports, out, stop);
    }
    let check = args.expect.is_some() || args.wait || (one_port && !args.open);
    wait::check_command(&args.command)?;
    // One descriptor per probe in flight; by default half of what fits.
    let room = crate::sys::raise_nofile_limit().saturating_sub(64);
    let concurrency = super::fit_concurrency(
        "--concurrency",
        args.concurrency,
        (room / 2).clamp(16, 4096),
        1,
    );
    let family = crate::addr::family(args.ipv4, args.ipv6);
    let req = Request {
        targets,
        ports,
        family,
        expect: match args.expect {
            None | Some(ExpectState::Open) => PortState::Open,
            Some(ExpectState::Closed) => PortState::Closed,
        },
        check,
        concurrency,
        timeout: args.timeout,
        retries: args.retries,
        rate: args.rate,
        banner: args.banner,
        verbose: out.view().verbose > 0,
        open_only: args.open,
        wait: args.wait.then_some(args.deadline),
        checks,
        check_opts: CheckOpts {
            family,
            ca_file: args.ca_file.clone(),
            insecure: args.insecure,
            expect_status: args.expect_status,
        },
    };
    let progress = Progress::default();
    let rt = if small(&req) {
        crate::sys::runtime::current_thread()?
    } else {
        crate::sys::runtime::multi_thread(None)?
    };
    let line = crate::output::progress::Progress::start(
        !args.wait,
        "scanned",
        progress.total.clone(),
        progress.done.clone(),
        progress.open.clone(),
    );
    // What --wait waits for, on stderr (never in stdout or JSON).
    let mut status = crate::output::progress::StatusLine::new();
    let mut probed: Option<std::net::SocketAddr> = None;
    let r = rt.block_on(portcheck::run(
        &req,
        &db,
        stop,
        &progress,
        &mut |e| match e {
            Event::Start(layout) => out.text(&header(&layout)),
            Event::Unresolved(u) => out.emit(u),
            Event::Row(row) => {
                probed.get_or_insert((row.probe.address, row.probe.port).into());
                out.emit_group(&row, std::slice::from_ref(row.probe))
            }
            Event::Check(c) => out.emit(c),
            Event::Waiting(s) => {
                status.show(s);
                Ok(())
            }
        },
    ));
    drop(line);
    drop(status);
    let (summary, exit) = r?;
    if let Some(dst) = probed.filter(|_| args.path.path && !stop.is_set()) {
        let proto = crate::probe::path::PathProto::Tcp;
        super::path::trace(&rt, dst, &args.path, proto, out, stop, false)?;
    }
    rt.shutdown_background();
    out.summary(&summary)?;
    if args.wait && !args.command.is_empty() && exit == Exit::Success && !stop.is_set() {
        // The metrics and what was printed go out before the command runs.
        out.finish()?;
        return Ok(wait::run_command(&args.command, stop)?);
    }
    Ok(exit)
}

/// `--udp --path HOST:PORT` and `--icmp --path`: no connect to check
/// (UDP and ICMP have none), the trace alone: exit 0 when the destination
/// answered (a reply, its port unreachable, an echo reply), 1 when the
/// probes stop on the way.
fn path_only(
    args: &PortcheckArgs,
    targets: &[(String, scan::TargetSpec)],
    ports: &[u16],
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let rt = crate::sys::runtime::current_thread()?;
    let family = crate::addr::family(args.ipv4, args.ipv6);
    let (groups, unresolved) = rt.block_on(scan::expand_within(
        targets,
        ports,
        family,
        args.timeout.max(std::time::Duration::from_secs(5)),
    ))?;
    for u in &unresolved {
        out.emit(u)?;
    }
    let dst = groups.iter().find_map(|g| {
        Some(std::net::SocketAddr::new(
            *g.addresses.first()?,
            *g.ports.first()?,
        ))
    });
    let Some(dst) = dst else {
        rt.shutdown_background();
        return Ok(unresolved
            .first()
            .map_or(Exit::Negative, |u| u.error.reason.exit()));
    };
    let proto = if args.icmp {
        crate::probe::path::PathProto::Icmp
    } else {
        crate::probe::path::PathProto::Udp
    };
    let report = super::path::trace(&rt, dst, &args.path, proto, out, stop, true)?;
    rt.shutdown_background();
    Ok(match (&report.error, report.reached) {
        (Some(f), _) => f.exit(),
        (None, true) => Exit::Success,
        (None, false) => Exit::Negative,
    })
}

/// Whether a last positional argument is a port list (`22`, `20-25`,
/// `80,443`) rather than a host: digits, commas and dashes, with a
/// number that is not an address on its own.
fn looks_like_ports(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'-')
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.parse::<PortSpec>().is_ok()
}

/// A check of a few ports on a few hosts runs on one thread: starting
/// worker threads costs more than such a check does (a CIDR block or many
/// ports spread over the cores).
fn small(req: &Request) -> bool {
    let hosts = req
        .targets
        .iter()
        .all(|(_, t)| matches!(t, scan::TargetSpec::Host(..)));
    hosts && req.targets.len().saturating_mul(req.ports.len().max(1)) <= 64
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

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex("The seed's is_port_open", "netkit portcheck 127.0.0.1:22"),
        ex(
            "Web ports on every address of a name",
            "netkit portcheck -p 80,443,8000-8100 www.example.test",
        ),
        ex(
            "Every port of this host, open ones listed",
            "netkit portcheck -p- 127.0.0.1",
        ),
        ex(
            "A /24, SSH only, with banners",
            "netkit portcheck -p ssh --banner 192.0.2.0/24",
        ),
        ex(
            "CI: wait for the database, then migrate",
            "netkit portcheck --wait --deadline 2m db.example.test:5432 -- ./migrate",
        ),
        ex(
            "Wait until the API answers 200 and the app's socket accepts",
            "netkit portcheck --wait --expect-status 200 https://api.example.test/health unix:/run/app.sock",
        ),
        ex(
            "A firewalled host: only the open ports listed",
            "netkit portcheck --open -p- 192.0.2.10",
        ),
        ex(
            "Which hop drops my HTTPS? (TCP SYNs with rising TTL, no root)",
            "netkit portcheck --path www.example.test:443",
        ),
        ex(
            "Where do DNS datagrams stop? (UDP probes to port 53)",
            "netkit portcheck --udp --path 192.0.2.53:53",
        ),
        ex(
            "Can a server bind 8080 here? (the seed's is_port_available)",
            "netkit portcheck --local 8080",
        ),
    ],
    exits: &[
        row(
            0,
            "a scan (several ports or hosts, a CIDR, --open) completed, whatever states it found; a check (one HOST:PORT, --expect, --wait) found every port as expected (open by default); with --wait -- CMD: CMD's own status; --udp or --icmp with --path: the trace reached the destination",
        ),
        row(
            1,
            "a check found a port not as expected (closed, filtered, unreachable), --local: a port is not free; --udp or --icmp with --path: the probes stop before the destination",
        ),
        row(
            2,
            "a bad target, port list, CIDR (over 65,536 addresses) or flag mix",
        ),
        row(3, "a target does not resolve (and it was not a \"no\")"),
        row(
            4,
            "--wait: the deadline passed with something not ready (said on stderr while waiting, and in the summary)",
        ),
        row(6, "a local failure (sockets, file descriptors)"),
        row(
            126,
            "--wait -- CMD: CMD is not executable (checked before waiting)",
        ),
        row(
            127,
            "--wait -- CMD: CMD is not found (checked before waiting)",
        ),
    ],
};
