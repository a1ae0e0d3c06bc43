//! `netkit rdns`: reverse look-ups, CIDR sweeps, forward confirmation.

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
