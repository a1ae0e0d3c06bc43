//! `netkit diagnose`: a connection taken apart phase by phase, or a
//! self-check of this host.

use crate::cli::DiagnoseArgs;
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
        follow: if args.follow { 10 } else { 0 },
    };
    diagnose::validate(&target, &opts)?;
    out.text(&format!("diagnose {}\n", escape(&target.text)))?;
    let report = rt.block_on(diagnose::diagnose(&target, &opts, stop, &mut |p| {
        out.emit(p)
    }));
    // The system resolver may still be blocked; nothing waits for it.
    rt.shutdown_background();
    let report = report?;
    out.summary(&report)?;
    Ok(report.exit())
}
