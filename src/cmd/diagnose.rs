//! `netkit diagnose`: a connection taken apart phase by phase, or a
//! self-check of this host.

use crate::cli::DiagnoseArgs;
use crate::cli::help::{Help, ex, row};
use crate::exit::Exit;
use crate::output::Printer;
use crate::probe::diagnose::{self, Options, Target, selfcheck};
use crate::sanitize::escape;
use crate::signal::Stop;

/// Runs `netkit diagnose`.
pub fn run(args: &DiagnoseArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let rt = crate::sys::runtime::current_thread()?;
    let Some(text) = &args.target else {
        out.text("netkit self-check\n")?;
        let summary = rt.block_on(selfcheck::self_check(
            args.probe_dns,
            args.timeout,
            &mut |c| out.emit(c),
        ))?;
        out.summary(&summary)?;
        rt.shutdown_background();
        return Ok(if summary.ok {
            Exit::Success
        } else {
            Exit::Negative
        });
    };
    let target = Target::parse(text)?;
    let opts = Options {
        timeout: args.timeout,
        family: crate::addr::family(args.ipv4, args.ipv6),
        tls: args.tls,
        http: args.http,
        insecure: args.insecure,
        ca_file: args.ca_file.clone(),
        proxy: args.proxy.clone(),
        expect_status: args.expect_status,
        expect_body: args.expect_body.clone(),
        min_days: args.min_days,
        follow: if args.follow {
            crate::probe::diagnose::MAX_REDIRECTS
        } else {
            0
        },
    };
    diagnose::validate(&target, &opts)?;
    if args.path.path && args.proxy.is_some() {
        return Err(crate::error::NetkitError::invalid(
            "--path traces the direct route; not with --proxy",
        )
        .into());
    }
    out.text(&format!("diagnose {}\n", escape(&target.text)))?;
    let report = rt.block_on(diagnose::diagnose(&target, &opts, stop, &mut |p| {
        out.emit(p)
    }));
    let mut report = report?;
    if args.path.path && !stop.is_set() {
        // The address the connection used, or the first one it tried.
        let tried = report
            .connects
            .iter()
            .find(|c| c.won)
            .or(report.connects.first());
        let dst = tried.and_then(|c| c.address.parse::<std::net::IpAddr>().ok());
        match dst {
            Some(ip) => {
                let dst = std::net::SocketAddr::new(ip, report.port);
                let proto = crate::probe::path::PathProto::Tcp;
                super::path::trace(&rt, dst, &args.path, proto, out, stop, false)?;
                report.traced = true;
            }
            None => crate::output::warn("--path: no address was tried, nothing to trace"),
        }
    }
    // The system resolver may still be blocked; nothing waits for it.
    rt.shutdown_background();
    out.summary(&report)?;
    Ok(report.exit())
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex("Check this host's network stack first", "netkit diagnose"),
        ex(
            "Why can't I reach this port?",
            "netkit diagnose db.example.test:5432",
        ),
        ex(
            "A connect that times out: and where the SYNs stop",
            "netkit diagnose --path db.example.test:5432",
        ),
        ex(
            "A web endpoint: DNS, TCP, TLS, HTTP, each timed",
            "netkit diagnose https://www.example.test/health",
        ),
        ex(
            "A service with a private CA",
            "netkit diagnose --ca-file ca.pem https://internal.example.test:8443/",
        ),
        ex(
            "Through a SOCKS5 proxy that resolves names",
            "netkit diagnose --proxy socks5h://127.0.0.1:1080 http://www.example.test/",
        ),
        ex(
            "CI: the endpoint must answer 204",
            "netkit diagnose --expect-status 204 http://127.0.0.1:8080/ready",
        ),
    ],
    exits: &[
        row(
            0,
            "every phase passed (self-check: every check passed, warnings included)",
        ),
        row(
            1,
            "the name does not exist, an HTTP status >= 400 or not --expect-status, --expect-body or --min-days failed, a failed self-check",
        ),
        row(2, "a bad target, status, proxy URL, --ca-file"),
        row(
            3,
            "the resolver failed (temporary failure, no answer in time)",
        ),
        row(4, "a phase timed out"),
        row(
            5,
            "refused, unreachable, prohibited, reset, self-connect, proxy, TLS failures; a connection closed or reset before the response's end (the phase says where); broken HTTP framing",
        ),
    ],
};
