//! `netkit fqdn`: Python's getfqdn.

use crate::cli::FqdnArgs;
use crate::cli::help::{Help, ex, row};
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve::report;
use crate::signal::Stop;

/// Runs `netkit fqdn`.
pub fn run(args: &FqdnArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    if args.names.iter().any(|n| n.contains('\0')) {
        return Err(crate::error::NetkitError::invalid("a name contains a NUL byte").into());
    }
    let deadline = args.timeout.unwrap_or(crate::resolve::SYSTEM_DEADLINE);
    let exit_of = |a: &report::FqdnAnswer| a.error.as_ref().map_or(Exit::Success, |f| f.exit());
    if args.names.is_empty() {
        let answer = report::fqdn_within("", deadline)?;
        out.emit(&answer)?;
        return Ok(exit_of(&answer));
    }
    let width = args.names.iter().map(|n| n.chars().count()).max();
    let mut exit = Exit::Success;
    for name in &args.names {
        if stop.is_set() {
            break;
        }
        let mut answer = report::fqdn_within(name, deadline)?;
        answer.width = width;
        exit = exit.max(exit_of(&answer));
        out.emit(&answer)?;
    }
    Ok(exit)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex("This host's fully qualified name", "netkit fqdn"),
        ex(
            "The seed's getfqdn loop",
            "netkit fqdn myhost www.example.test",
        ),
    ],
    exits: &[
        row(0, "always: getfqdn falls back to the name given"),
        row(2, "a name holds a NUL byte"),
    ],
};
