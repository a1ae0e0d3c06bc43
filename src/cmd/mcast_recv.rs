//! `netkit mcast-recv`: join a group, report datagrams and per-sender stats.

use std::io::Write;
use std::sync::atomic::Ordering;

use colored::Colorize;

use crate::cli::McastRecvArgs;
use crate::exit::Exit;
use crate::iface;
use crate::mcast::{self, Datagram, Joined, RecvConfig, RecvSummary};
use crate::output::Printer;
use crate::sanitize::escape;

/// Runs `netkit mcast-recv`.
pub fn run(args: &McastRecvArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let interfaces = args
        .interface
        .iter()
        .map(|i| iface::find(i))
        .collect::<Result<Vec<_>, _>>()?;
    let cfg = RecvConfig {
        target: args.target.clone(),
        interfaces,
        source: args.source,
        count: args.count,
        duration: args.duration,
        idle_timeout: args.timeout,
        preview_bytes: 64,
    };
    let stop = crate::signal::stop_flag()?;
    let interrupted = crate::signal::interrupted_flag()?;
    let json = out.is_json();
    let out = std::cell::RefCell::new(out);
    // Flushing every datagram costs a write(2) each; at high rates flush
    // every 50 ms instead (the joined line is flushed at once).
    let mut last_flush = std::time::Instant::now();
    let mut summary = mcast::receive(
        &cfg,
        &stop,
        |joined| {
            let mut out = out.borrow_mut();
            if json {
                out.json(joined)?;
            } else {
                render_joined(out.human(), joined)?;
            }
            out.flush()
        },
        |d| {
            let mut out = out.borrow_mut();
            if json {
                out.json(d)?;
            } else {
                render_datagram(out.human(), d)?;
            }
            if last_flush.elapsed() >= std::time::Duration::from_millis(50) {
                last_flush = std::time::Instant::now();
                out.flush()?;
            }
            Ok(())
        },
    )?;
    let out = out.into_inner();
    let mut exit = Exit::Success;
    if summary.received == 0 {
        summary.failures.push(match summary.stop_reason {
            "timeout" => format!("nothing arrived within {:.1} s", args.timeout.as_secs_f64()),
            _ => "nothing arrived".to_string(),
        });
        exit = if summary.stop_reason == "timeout" {
            Exit::Timeout
        } else {
            Exit::Negative
        };
    }
    if let Some(n) = args.expect.filter(|n| summary.received < *n) {
        summary.failures.push(format!(
            "{} datagrams arrived, --expect {n}",
            summary.received
        ));
        exit = exit.max(Exit::Negative);
    }
    if let Some(max) = args.max_loss.filter(|m| summary.loss_pct > *m) {
        summary.failures.push(format!(
            "loss {:.2}% is above --max-loss {max}%",
            summary.loss_pct
        ));
        exit = exit.max(Exit::Negative);
    }
    if interrupted.load(Ordering::Relaxed) {
        exit = Exit::Interrupted;
    }
    if json {
        out.summary_json(&summary)?;
    } else {
        render_summary(out.summary_human(), &summary)?;
    }
    Ok(exit)
}

fn render_joined(w: &mut dyn Write, j: &Joined) -> std::io::Result<()> {
    let on = if j.interfaces.is_empty() {
        "the default interface".to_string()
    } else {
        j.interfaces.join(", ")
    };
    let source = j
        .source
        .as_deref()
        .map(|s| format!(", source {s} only"))
        .unwrap_or_default();
    writeln!(w, "Joined {} port {} on {on}{source}", j.group, j.port)
}

fn render_datagram(w: &mut dyn Write, d: &Datagram) -> std::io::Result<()> {
    let mut line = format!("{}  {} bytes", d.from, d.bytes);
    match (d.seq, &d.preview) {
        (Some(seq), _) => line.push_str(&format!("  seq {seq}")),
        (None, Some(p)) => line.push_str(&format!("  raw {}", mcast::preview_text(p))),
        (None, None) => {}
    }
    if let Some(delay) = d.delay_ms {
        line.push_str(&format!("  delay {delay:.3} ms"));
    }
    match d.anomaly {
        Some(a) => writeln!(w, "{line}  {}", a.yellow()),
        None => writeln!(w, "{line}"),
    }
}

fn render_summary(w: &mut dyn Write, s: &RecvSummary) -> std::io::Result<()> {
    writeln!(w, "--- {}:{} multicast statistics ---", s.group, s.port)?;
    for p in &s.senders {
        let who = match p.sender_id {
            Some(id) => format!("{} (sender {id:016x})", escape(&p.from)),
            None => format!("{} (raw)", escape(&p.from)),
        };
        let mut line = format!("{who}: {} received", p.received);
        if !p.raw {
            line.push_str(&format!(
                ", {} lost ({:.2}%), {} duplicates, {} reordered",
                p.lost, p.loss_pct, p.duplicates, p.reordered
            ));
            if p.out_of_window > 0 {
                line.push_str(&format!(", {} out of window", p.out_of_window));
            }
        }
        line.push_str(&format!(", {:.1} datagrams/s", p.rate_pps));
        if let (Some(min), Some(avg), Some(max)) = (p.delay_min_ms, p.delay_avg_ms, p.delay_max_ms)
        {
            line.push_str(&format!(
                ", delay min/avg/max {min:.3}/{avg:.3}/{max:.3} ms"
            ));
        }
        writeln!(w, "{line}")?;
    }
    writeln!(
        w,
        "total: {} received ({} raw), {} lost ({:.2}%), {} duplicates, {} reordered in {:.3} s, stopped by {}",
        s.received,
        s.raw,
        s.lost,
        s.loss_pct,
        s.duplicates,
        s.reordered,
        s.duration_ms / 1e3,
        s.stop_reason
    )?;
    for f in &s.failures {
        writeln!(w, "{}", f.red())?;
    }
    Ok(())
}
