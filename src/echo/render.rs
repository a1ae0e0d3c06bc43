//! How the echo client and server look to people.

use std::io::{self, Write};

use colored::Colorize;

use super::client::ModeName;
use super::client::{ClientSummary, Reply};
use crate::output::{Render, View};

/// A ping reply as ping prints it.
pub struct ReplyLine<'a> {
    /// The reply.
    pub reply: &'a Reply,
    /// The target, as shown.
    pub label: &'a str,
}

impl Render for ReplyLine<'_> {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let r = self.reply;
        let mark = r
            .anomaly
            .map(|a| format!(" ({a})").yellow().to_string())
            .unwrap_or_default();
        writeln!(
            w,
            "{} bytes from {}: seq={} time={:.3} ms{mark}",
            r.bytes, self.label, r.seq, r.rtt_ms
        )
    }
}

fn opt3(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

impl Render for ClientSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let target = match &self.target {
            super::client::TargetRef::Host { address, port } if address.contains(':') => {
                format!("[{address}]:{port}")
            }
            super::client::TargetRef::Host { address, port } => format!("{address}:{port}"),
            super::client::TargetRef::Unix { path } => path.clone(),
        };
        let target = crate::sanitize::escape(&target).into_owned();
        match self.mode {
            ModeName::Message => {
                if let Some(reply) = &self.reply_bytes {
                    writeln!(w, "Received {}", crate::addr::python_bytes_repr(reply))?;
                    if self.matched == Some(false) {
                        let line = format!(
                            "mismatch: sent {} bytes, got {} bytes back",
                            self.bytes_sent, self.bytes_received
                        );
                        writeln!(w, "{}", line.red())?;
                    }
                }
            }
            ModeName::Ping => {
                writeln!(w, "--- {target} echo statistics ---")?;
                let conns = if self.connections > 1 {
                    format!(
                        "{} connections ({} connected), ",
                        self.connections, self.connected
                    )
                } else {
                    String::new()
                };
                writeln!(
                    w,
                    "{conns}{} sent, {} received, {:.1}% loss, {} duplicates, {} reordered, time {:.0} ms{}",
                    self.sent,
                    self.received,
                    self.loss_pct,
                    self.duplicates,
                    self.reordered,
                    self.duration_ms,
                    self.round_trips_per_s
                        .map(|r| format!(", {r:.0} round trips/s"))
                        .unwrap_or_default()
                )?;
                if self.foreign > 0 {
                    writeln!(
                        w,
                        "{}",
                        format!(
                            "{} datagrams ignored: not replies to this run",
                            self.foreign
                        )
                        .yellow()
                    )?;
                }
                let r = &self.rtt;
                if r.count > 0 {
                    writeln!(
                        w,
                        "rtt min/avg/max/stddev = {}/{}/{}/{} ms",
                        opt3(r.min_ms),
                        opt3(r.avg_ms),
                        opt3(r.max_ms),
                        opt3(r.stddev_ms)
                    )?;
                    writeln!(
                        w,
                        "rtt p50/p90/p99/p99.9/p99.99 = {}/{}/{}/{}/{} ms",
                        opt3(r.p50_ms),
                        opt3(r.p90_ms),
                        opt3(r.p99_ms),
                        opt3(r.p999_ms),
                        opt3(r.p9999_ms)
                    )?;
                }
                if let Some(c) = self.connect_ms {
                    writeln!(w, "connect {c:.3} ms")?;
                }
            }
            _ => {
                writeln!(w, "--- {target} echo throughput ---")?;
                writeln!(
                    w,
                    "{} bytes sent, {} verified back in {:.3} s: {:.1} MB/s{}",
                    self.bytes_sent,
                    self.bytes_received,
                    self.duration_ms / 1e3,
                    self.bytes_per_s.unwrap_or(0.0) / 1e6,
                    if self.connections > 1 {
                        format!(" over {} connections", self.connections)
                    } else {
                        String::new()
                    }
                )?;
                if let Some(c) = &self.congestion {
                    writeln!(w, "congestion control {}", crate::sanitize::escape(c))?;
                }
            }
        }
        for (reason, n) in &self.failures {
            writeln!(w, "{}", format!("failed: {n} x {reason}").red())?;
        }
        for e in &self.errors {
            writeln!(w, "{}", format!("  {}", crate::sanitize::escape(e)).red())?;
        }
        for t in &self.thresholds {
            writeln!(w, "{}", t.message.red())?;
        }
        Ok(())
    }
}

impl Render for super::server::ServerEvent {
    fn render(&self, w: &mut dyn Write, view: &View) -> io::Result<()> {
        use super::server::ServerEvent as E;
        match self {
            E::Listening {
                protocol,
                local,
                congestion,
                ..
            } => {
                writeln!(w, "Listening on {local} ({protocol})")?;
                match congestion {
                    Some(c) if view.verbose > 0 => {
                        writeln!(w, "  congestion control {}", crate::sanitize::escape(c))
                    }
                    _ => Ok(()),
                }
            }
            E::Open { peer, id, .. } => writeln!(w, "Connected by {peer} [#{id}]"),
            E::Close {
                peer,
                id,
                bytes,
                duration_ms,
                reason,
                error,
                ..
            } => {
                let err = error
                    .as_ref()
                    .map(|e| format!(": {}", crate::sanitize::escape(&e.message)))
                    .unwrap_or_default();
                writeln!(
                    w,
                    "Closed {peer} [#{id}]: {bytes} bytes in {:.3} s ({reason}{err})",
                    duration_ms / 1e3
                )
            }
            E::Refused { peer, reason, .. } => {
                writeln!(w, "{}", format!("Refused {peer} ({reason})").yellow())
            }
            E::Dropped {
                peer,
                bytes,
                reason,
                ..
            } => {
                writeln!(
                    w,
                    "{}",
                    format!("Dropped {bytes} bytes from {peer} ({reason})").yellow()
                )
            }
            E::Warning { message, .. } => {
                writeln!(
                    w,
                    "{}",
                    format!("warning: {}", crate::sanitize::escape(message)).yellow()
                )
            }
        }
    }
}

impl Render for super::server::ServerSummary {
    fn render(&self, w: &mut dyn Write, view: &View) -> io::Result<()> {
        let d = &self.udp_dropped;
        writeln!(w, "--- echo-server summary ---")?;
        writeln!(
            w,
            "{} connections, {} bytes echoed; refused {} (max-conns) and {} (not allowed); {} closed at drain; {} accept errors; ran {:.3} s",
            self.connections,
            self.bytes,
            self.refused_max_conns,
            self.refused_not_allowed,
            self.aborted_at_drain,
            self.accept_errors,
            self.duration_ms / 1e3
        )?;
        if self.udp_received > 0 {
            writeln!(
                w,
                "udp: {} received, {} echoed ({} bytes); dropped: {} low port, {} bad source, {} own address, {} rate limited, {} loop, {} not allowed",
                self.udp_received,
                self.udp_echoed,
                self.udp_bytes,
                d.low_port,
                d.bad_source,
                d.own_address,
                d.rate_limited,
                d.loop_suspected,
                d.not_allowed
            )?;
        }
        if self.events_dropped > 0 || view.verbose > 0 {
            writeln!(
                w,
                "{} events not printed (stdout's reader lagged)",
                self.events_dropped
            )?;
        }
        Ok(())
    }
}
