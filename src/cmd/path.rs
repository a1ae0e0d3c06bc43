//! `--path` for portcheck and diagnose: the trace after the check, its
//! hops streamed, then its verdict.

use std::net::SocketAddr;

use crate::cli::PathArgs;
use crate::deadline::Deadline;
use crate::output::Printer;
use crate::probe::path::{self, PathProto, PathReport};
use crate::signal::Stop;

/// The longest a whole trace may take: every hop's probes waited for in
/// full, and the names.
pub fn budget(args: &PathArgs) -> std::time::Duration {
    args.path_timeout * u32::from(args.max_hops) + std::time::Duration::from_secs(2)
}

/// Traces the path to `dst` on `rt`, printing each hop as it is known
/// and then the verdict (as the command's last object, kept by `-q`, when
/// `last`).
pub fn trace(
    rt: &tokio::runtime::Runtime,
    dst: SocketAddr,
    args: &PathArgs,
    proto: PathProto,
    out: &mut Printer,
    stop: &Stop,
    last: bool,
) -> anyhow::Result<PathReport> {
    let opts = args.opts(proto);
    out.text(&path::header(dst, &opts))?;
    let deadline = Deadline::after(budget(args));
    let report = rt.block_on(path::trace(dst, &opts, deadline, stop, &mut |h| {
        out.emit(h)
    }))?;
    if last {
        out.summary(&report)?;
    } else {
        out.emit(&report)?;
    }
    Ok(report)
}
