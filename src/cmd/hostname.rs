//! `netkit hostname`.

use crate::cli::HostnameArgs;
use crate::cli::help::{Help, ex, row};
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve::report;
use crate::signal::Stop;

/// Runs `netkit hostname`.
pub fn run(args: &HostnameArgs, out: &mut Printer, _: &Stop) -> anyhow::Result<Exit> {
    let report = report::hostname(args.addrs, args.interfaces)?;
    out.emit(&report)?;
    Ok(report.error.as_ref().map_or(Exit::Success, |e| e.exit()))
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex("The seed's gethostname", "netkit hostname"),
        ex(
            "The addresses this host's name resolves to",
            "netkit hostname --addrs",
        ),
        ex(
            "Every interface, as JSON",
            "netkit hostname --interfaces --json | jq '.interfaces[] | {name, addrs}'",
        ),
    ],
    exits: &[
        row(0, "the name was printed (and, with --addrs, it resolves)"),
        row(1, "--addrs: the name does not resolve"),
        row(3, "--addrs: the resolver failed (EAI_AGAIN, EAI_FAIL)"),
        row(6, "getifaddrs or another local call failed"),
    ],
};
