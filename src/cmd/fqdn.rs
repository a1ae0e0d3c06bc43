//! `netkit fqdn`: Python's getfqdn.

use crate::cli::FqdnArgs;
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve::report;
use crate::signal::Stop;

/// Runs `netkit fqdn`.
pub fn run(args: &FqdnArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    if args.names.iter().any(|n| n.contains('\0')) {
        return Err(crate::error::NetkitError::invalid("a name contains a NUL byte").into());
    }
    if args.names.is_empty() {
        out.emit(&report::fqdn("")?)?;
        return Ok(Exit::Success);
    }
    let width = args.names.iter().map(|n| n.chars().count()).max();
    for name in &args.names {
        if stop.is_set() {
            break;
        }
        let mut answer = report::fqdn(name)?;
        answer.width = width;
        out.emit(&answer)?;
    }
    Ok(Exit::Success)
}
