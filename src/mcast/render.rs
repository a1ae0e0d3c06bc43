//! How multicast looks to people.

use std::io::{self, Write};

use colored::Colorize;

use super::recv::{Datagram, Gap, GapKind, Joined, RecvSummary};
use super::send::SendSummary;
use crate::output::{Render, View};
use crate::sanitize::{escape, escape_bytes};

/// Senders listed one per line in the human summary (all are in JSON).
pub const SENDERS_SHOWN: usize = 16;

impl Render for Joined {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let on = if self.interfaces.is_empty() {
            "the default interface".to_string()
        } else {
            escape(&self.interfaces.join(", ")).into_owned()
        };
        let source = self
            .source
            .map(|s| format!(", source {s} only"))
            .unwrap_or_default();
        writeln!(w, "Joined {} on {on}{source}", self.target)
    }
}

impl Render for Datagram {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let mut line = format!("{}  {} bytes", self.from, self.bytes);
        match (self.seq, &self.preview) {
            (Some(seq), _) => line.push_str(&format!("  seq {seq}")),
            (None, Some(p)) => line.push_str(&format!("  raw \"{}\"", escape_bytes(p.as_bytes()))),
            (None, None) => {}
        }
        if let Some(delay) = self.delay_ms {
            line.push_str(&format!("  delay {delay:.3} ms"));
        }
        match self.anomaly {
            Some(a) => writeln!(w, "{line}  {}", a.as_str().yellow()),
            None => writeln!(w, "{line}"),
        }
    }
}

impl Render for Gap {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let what = match (
            self.gap_kind,
            self.first_missing,
            self.missing,
            self.silence_ms,
        ) {
            (GapKind::Gap, Some(first), Some(n), _) => format!("{n} missing from seq {first}"),
            (_, _, _, Some(ms)) => format!("nothing for {:.0} ms", ms),
            _ => "gap".into(),
        };
        writeln!(
            w,
            "{}",
            format!("{}  {what} (at {:.3} s)", self.from, self.at_ms / 1e3).yellow()
        )
    }
}

impl Render for RecvSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        writeln!(w, "--- {} multicast statistics ---", self.target)?;
        for p in self.senders.iter().take(SENDERS_SHOWN) {
            let who = match p.sender_id {
                Some(id) => format!("{} (sender {id:016x})", p.from),
                None => format!("{} (raw)", p.from),
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
            line.push_str(&format!(", {:.1} datagrams/s", p.datagrams_per_s));
            if let (Some(min), Some(avg), Some(max)) =
                (p.delay_min_ms, p.delay_avg_ms, p.delay_max_ms)
            {
                line.push_str(&format!(
                    ", delay min/avg/max {min:.3}/{avg:.3}/{max:.3} ms"
                ));
            }
            if !p.gaps.is_empty() {
                line.push_str(&format!(
                    ", {} gaps (first at {:.3} s)",
                    p.gaps.len() as u64 + p.gaps_dropped,
                    p.gaps[0].at_ms / 1e3
                ));
            }
            writeln!(w, "{line}")?;
        }
        let more = self.senders.len().saturating_sub(SENDERS_SHOWN) as u64 + self.untracked_senders;
        if more > 0 {
            writeln!(
                w,
                "... and {more} more senders (--json lists the first 1,024)"
            )?;
        }
        let first = self
            .first_datagram_ms
            .map(|ms| format!(", first datagram {:.3} s after the join", ms / 1e3))
            .unwrap_or_default();
        writeln!(
            w,
            "total: {} received ({} raw), {} lost ({:.2}%), {} duplicates, {} reordered in {:.3} s{first}, stopped by {}",
            self.received,
            self.raw,
            self.lost,
            self.loss_pct,
            self.duplicates,
            self.reordered,
            self.duration_ms / 1e3,
            self.stop_reason
        )?;
        if let Some(e) = &self.error {
            writeln!(w, "{}", e.message.red())?;
        }
        if !self.likely_causes.is_empty() {
            writeln!(w, "{}", "likely causes:".yellow())?;
        }
        for c in &self.likely_causes {
            writeln!(w, "{}", format!("  - {c}").yellow())?;
        }
        for t in self.thresholds.iter().skip(usize::from(
            self.error
                .as_ref()
                .is_some_and(|e| e.reason == crate::exit::Reason::Threshold),
        )) {
            writeln!(w, "{}", t.message.red())?;
        }
        if let Some(h) = self.hint {
            writeln!(w, "{}", format!("hint: {h}").yellow())?;
        }
        Ok(())
    }
}

impl Render for SendSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        writeln!(w, "--- {} multicast send ---", self.target)?;
        let from = self
            .local
            .map(|l| std::net::SocketAddr::new(l.address, l.port).to_string())
            .unwrap_or_else(|| "?".into());
        writeln!(
            w,
            "{}, {} bytes from {from} in {:.3} s: {:.1} datagrams/s, {:.2} Mbit/s{}",
            crate::output::text::count(self.sent, "datagram", "datagrams"),
            self.bytes,
            self.duration_ms / 1e3,
            self.datagrams_per_s,
            self.bits_per_s / 1e6,
            self.sender_id
                .map(|id| format!(", sender id {id:016x}"))
                .unwrap_or_default()
        )?;
        if let Some(e) = &self.error {
            writeln!(
                w,
                "{}",
                format!("{} sends failed (last: {})", self.send_errors, e.message).red()
            )?;
        }
        Ok(())
    }
}
