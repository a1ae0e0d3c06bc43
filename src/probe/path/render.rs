//! How a trace looks to people: as `mtr --report` reads (hop, address and
//! name, loss, probes sent, best, mean and worst round trip), a line per
//! hop as it is known, ECMP's other addresses on lines of their own.

use std::io::{self, Write};

use colored::Colorize;

use super::{Hop, HopKind, PathReport, Reached};
use crate::output::{Render, View};

/// The width of the host column.
const HOST: usize = 44;

/// The lines above the hops.
pub fn header(dst: std::net::SocketAddr, opts: &super::PathOpts) -> String {
    let to = match opts.proto {
        super::PathProto::Icmp => format!("{} (icmp echo)", dst.ip()),
        p => format!("{} port {} ({})", dst.ip(), dst.port(), p.as_str()),
    };
    format!(
        "path to {to}, {} probes per hop, at most {} hops\n{:>3}  {:<HOST$} {:>6} {:>4} {:>8} {:>8} {:>8}\n",
        opts.probes, opts.max_hops, "HOP", "HOST", "LOSS%", "SNT", "BEST", "AVG", "WORST",
    )
}

fn ms(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:.2}"))
}

impl Render for Hop {
    fn render(&self, w: &mut dyn Write, _view: &View) -> io::Result<()> {
        let mut first = match self.addresses.first() {
            None => "???".to_string(),
            Some(a) => match &a.name {
                Some(n) if *n != a.address.to_string() => format!("{} ({n})", a.address),
                _ => a.address.to_string(),
            },
        };
        match (self.kind, self.answer, self.reason) {
            (HopKind::Destination, Some(Reached::Closed), _) => first.push_str(" [closed]"),
            (HopKind::Destination, _, _) => first.push_str(" [open]"),
            (HopKind::Unreachable, _, Some(r)) => first.push_str(&format!(" !{}", r.code())),
            _ => {}
        }
        let host = format!("{first:<HOST$}");
        let host = match self.kind {
            HopKind::Silent => host.dimmed(),
            HopKind::Unreachable => host.red(),
            HopKind::Destination => host.green(),
            HopKind::Router => host.normal(),
        };
        let line = format!(
            "{:>3}  {host} {:>5.1}% {:>4} {:>8} {:>8} {:>8}",
            self.ttl,
            self.loss_pct,
            self.sent,
            ms(self.rtt_min_ms),
            ms(self.rtt_avg_ms),
            ms(self.rtt_max_ms),
        );
        writeln!(w, "{}", line.trim_end())?;
        for a in self.addresses.iter().skip(1) {
            let text = match &a.name {
                Some(n) => format!("{} ({n})", a.address),
                None => a.address.to_string(),
            };
            writeln!(w, "     {text}  ({} of {} probes)", a.replies, self.sent)?;
        }
        Ok(())
    }
}

impl Render for PathReport {
    fn render(&self, w: &mut dyn Write, _view: &View) -> io::Result<()> {
        let mark = if self.reached {
            "✓".green()
        } else {
            "✗".red()
        };
        writeln!(w, "{mark} {} ({:.0} ms)", self.detail, self.duration_ms)?;
        if let Some(mtu) = self.path_mtu {
            writeln!(w, "  path MTU {mtu}")?;
        }
        Ok(())
    }
}
