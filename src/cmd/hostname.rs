//! `netkit hostname`.

use crate::cli::HostnameArgs;
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
