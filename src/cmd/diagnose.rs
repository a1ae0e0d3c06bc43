//! `netkit diagnose`.

use colored::Colorize;
use serde::Serialize;

use crate::cli::DiagnoseArgs;
use crate::diagnose::{self, Check, Options, Report, Target};
use crate::exit::Exit;
use crate::output::Printer;
use crate::sanitize::escape;

/// The self-check's last object.
#[derive(Debug, Serialize)]
pub struct SelfCheckSummary {
    /// Always `"summary"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Checks passed.
    pub passed: usize,
    /// Checks failed.
    pub failed: usize,
    /// The names of the failed checks.
    pub failures: Vec<String>,
}

/// Runs `netkit diagnose`.
pub fn run(args: &DiagnoseArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let rt = crate::runtime::current_thread()?;
    let Some(text) = &args.target else {
        let checks = rt.block_on(diagnose::self_check(args.probe_dns, args.timeout));
        return print_checks(out, &checks);
    };
    let target = Target::parse(text)?;
    let opts = Options {
        timeout: args.timeout,
        family: if args.ipv4 {
            libc::AF_INET
        } else if args.ipv6 {
            libc::AF_INET6
        } else {
            libc::AF_UNSPEC
        },
        tls: args.tls,
        http: args.http,
        insecure: args.insecure,
        ca_file: args.ca_file.clone(),
        proxy: args.proxy.clone(),
        expect_status: args.expect_status,
    };
    let report = rt.block_on(diagnose::diagnose(&target, &opts))?;
    print_report(out, &report)?;
    Ok(report.exit())
}

fn mark(status: &str) -> colored::ColoredString {
    match status {
        "ok" => "✓".green(),
        "failed" => "✗".red(),
        _ => "·".dimmed(),
    }
}

fn print_report(out: &mut Printer, r: &Report) -> std::io::Result<()> {
    if out.is_json() {
        return out.json(r);
    }
    let verbose = out.verbose() > 0;
    let w = out.human();
    writeln!(w, "diagnose {}", escape(&r.target))?;
    for p in &r.phases {
        let took = p
            .duration_ms
            .map_or_else(|| "-".to_string(), |d| format!("{d:.2} ms"));
        let detail = match p.status {
            "not_reached" => "not reached".dimmed().to_string(),
            _ => escape(&p.detail).into_owned(),
        };
        writeln!(
            w,
            "  {} {:8} {:>10}  {detail}",
            mark(p.status),
            p.name,
            took
        )?;
    }
    if let Some(t) = &r.tls {
        if !t.sans.is_empty() {
            writeln!(
                w,
                "  {}",
                format!("certificate names: {}", escape(&t.sans.join(", "))).dimmed()
            )?;
        }
    }
    if verbose {
        if let Some(h) = &r.http {
            for hd in &h.headers {
                writeln!(
                    w,
                    "  {}",
                    format!("{}: {}", escape(&hd.name), escape(&hd.value)).dimmed()
                )?;
            }
        }
    }
    match (r.reason, r.hint) {
        (Some(reason), Some(hint)) => writeln!(
            w,
            "{}",
            format!("{} failed: {reason}: {hint}", r.failed_phase.unwrap_or("?")).red()
        ),
        _ => writeln!(
            w,
            "{}",
            format!("all phases passed in {:.2} ms", r.duration_ms).green()
        ),
    }
}

fn print_checks(out: &mut Printer, checks: &[Check]) -> anyhow::Result<Exit> {
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.clone())
        .collect();
    let summary = SelfCheckSummary {
        kind: "summary",
        passed: checks.len() - failures.len(),
        failed: failures.len(),
        failures,
    };
    if out.is_json() {
        for c in checks {
            out.json(c)?;
        }
        out.summary_json(&summary)?;
    } else {
        let w = out.human();
        writeln!(w, "netkit self-check")?;
        for c in checks {
            writeln!(
                w,
                "  {} {}: {}",
                mark(if c.ok { "ok" } else { "failed" }),
                c.name,
                escape(&c.detail)
            )?;
        }
        let line = format!("{} passed, {} failed", summary.passed, summary.failed);
        writeln!(
            w,
            "{}",
            if summary.failed == 0 {
                line.green()
            } else {
                line.red()
            }
        )?;
    }
    Ok(if summary.failed == 0 {
        Exit::Success
    } else {
        Exit::Negative
    })
}
