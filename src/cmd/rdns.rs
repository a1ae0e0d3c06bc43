//! `netkit rdns`: reverse look-ups, CIDR sweeps, forward confirmation.

use crate::cli::help::{Help, ex, row};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::RdnsArgs;
use crate::dns::{self, QueryOpts};
use crate::error::{NetkitError, Result};
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve::rdns::{self, Dns};
use crate::signal::Stop;

/// Runs `netkit rdns`.
pub fn run(args: &RdnsArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let blocks = rdns::parse_targets(&args.targets)?;
    let specs = args
        .server
        .iter()
        .map(|s| dns::server::parse(s))
        .collect::<Result<Vec<_>>>()?;
    // Server names are resolved under one deadline, before any work.
    let servers = dns::server::build_all(
        &specs,
        &dns::server::BuildOpts::default(),
        crate::deadline::Deadline::after(args.timeout.unwrap_or(crate::resolve::SYSTEM_DEADLINE)),
    )?;
    let dns_target = if !servers.is_empty() {
        Some(Arc::new(Dns::Servers(servers)))
    } else if args.dns {
        let conf = dns::system_config(Path::new("/etc/resolv.conf")).map_err(|e| {
            NetkitError::invalid(format!(
                "--dns without --server needs /etc/resolv.conf: {e}"
            ))
        })?;
        Some(Arc::new(Dns::System(conf)))
    } else {
        None
    };
    let opts = QueryOpts {
        wire: Default::default(),
        recurse: true,
        dnssec: false,
        timeout: args.timeout.unwrap_or(Duration::from_secs(2)),
        retries: 1,
    };
    let sweep = blocks.len() > 1 || blocks.iter().any(|b| b.size() > 1);
    let width = rdns::address_width(&blocks);
    if sweep {
        out.text(&rdns::sweep_header(width))?;
    }
    let concurrency =
        super::fit_concurrency("--concurrency", Some(args.concurrency.into()), 256, 1);
    let rt = crate::sys::runtime::multi_thread(None)?;
    let mut exit = Exit::Success;
    let summary = rt.block_on(rdns::sweep(
        blocks,
        dns_target,
        opts,
        rdns::SweepOpts {
            verify: args.verify,
            concurrency,
            system_deadline: args.timeout.unwrap_or(crate::resolve::SYSTEM_DEADLINE),
        },
        stop,
        &mut |mut a| {
            exit = exit.max(a.exit());
            a.sweep_width = sweep.then_some(width);
            out.emit(&a)
        },
    ));
    rt.shutdown_background();
    let summary = summary?;
    if sweep {
        out.summary(&summary)?;
    }
    Ok(exit)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex("The seed's gethostbyaddr", "netkit rdns 192.0.2.53"),
        ex(
            "PTR records of a /24 from a given server",
            "netkit rdns --dns --server 192.0.2.53 192.0.2.0/24",
        ),
        ex(
            "Forward-confirmed reverse DNS",
            "netkit rdns --dns --verify 192.0.2.25 2001:db8::25",
        ),
    ],
    exits: &[
        row(0, "every address has a name (and passes --verify)"),
        row(1, "an address without a name, or failing --verify"),
        row(
            2,
            "a bad address or CIDR, a block over /16 (IPv4) or /112 (IPv6)",
        ),
        row(3, "SERVFAIL, REFUSED, TRY_AGAIN"),
        row(4, "no DNS answer within the timeout"),
        row(5, "the DNS server could not be reached"),
    ],
};
