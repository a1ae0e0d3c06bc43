//! How a diagnosis looks to people: one line per phase as it ends, then a
//! verdict with the hint for the failure's reason.

use std::io::{self, Write};

use colored::Colorize;

use super::http::HttpInfo;
use super::phase::{PhaseKind, PhaseStatus};
use super::selfcheck::{Check, CheckStatus, SelfCheckSummary};
use super::{Phase, Report};
use crate::exit::Reason;
use crate::output::{Render, View, pad_left, pad_right};
use crate::sanitize::escape;
use crate::tls::TlsInfo;

fn mark(status: PhaseStatus) -> colored::ColoredString {
    match status {
        PhaseStatus::Ok => "✓".green(),
        PhaseStatus::Failed => "✗".red(),
        _ => "·".dimmed(),
    }
}

/// The TLS phase's line.
pub fn tls_detail(info: &TlsInfo) -> String {
    format!(
        "{} {}{}; {} issued by {}; expires in {} days; {}",
        info.version.as_deref().unwrap_or("?"),
        info.cipher.as_deref().unwrap_or("?"),
        info.alpn
            .as_deref()
            .map(|a| format!(", ALPN {a}"))
            .unwrap_or_default(),
        crate::sanitize::brief(info.subject.as_deref().unwrap_or("?"), 200),
        crate::sanitize::brief(info.issuer.as_deref().unwrap_or("?"), 200),
        info.days_left.map_or("?".into(), |d| d.to_string()),
        if info.verified {
            "verified".to_string()
        } else {
            format!(
                "NOT verified ({}), going on: --insecure",
                info.verify_error.map_or("?", |r| r.code())
            )
        }
    )
}

/// The request phase's line.
pub fn http_detail(info: &HttpInfo) -> String {
    let mut d = format!(
        "{} {}, first byte after {:.2} ms, {} body bytes",
        info.status,
        crate::sanitize::brief(&info.reason_phrase, 100),
        info.ttfb_ms,
        info.body_bytes
    );
    if !info.interim.is_empty() {
        let codes: Vec<String> = info.interim.iter().map(u16::to_string).collect();
        d.push_str(&format!(" (after interim {})", codes.join(", ")));
    }
    if info.body_stalled {
        d.push_str(", then the body stopped coming (nothing for a second before the time was up)");
    } else if !info.body_complete {
        d.push_str(", body still arriving when the time was up");
    }
    if let Some(l) = &info.location {
        d.push_str(&format!(", Location: {}", crate::sanitize::brief(l, 200)));
    }
    d
}

impl Render for Phase {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let took = self
            .duration_ms
            .map_or_else(|| "-".to_string(), |d| format!("{d:.2} ms"));
        let detail = match self.status {
            PhaseStatus::NotReached => "not reached".dimmed().to_string(),
            _ => escape(&self.detail).into_owned(),
        };
        // A longer name (`request #2`) takes its room from the time's
        // column, so the details stay aligned.
        let name = self.name.to_string();
        let over = name.chars().count().saturating_sub(8);
        writeln!(
            w,
            "  {} {} {}  {detail}",
            mark(self.status),
            pad_right(&name, 8),
            pad_left(&took, 10usize.saturating_sub(over).max(took.len()))
        )
    }
}

impl Render for Report {
    fn render(&self, w: &mut dyn Write, view: &View) -> io::Result<()> {
        if let Some(t) = &self.tls
            && !t.sans.is_empty()
        {
            writeln!(
                w,
                "  {}",
                format!("certificate names: {}", escape(&t.sans.join(", "))).dimmed()
            )?;
        }
        if view.verbose > 0
            && let Some(h) = &self.http
        {
            for hd in &h.headers {
                writeln!(
                    w,
                    "  {}",
                    format!("{}: {}", escape(&hd.name), escape(&hd.value)).dimmed()
                )?;
            }
        }
        match &self.error {
            Some(e) => {
                let hint = phase_hint(self.failed_phase.map(|p| p.kind), e.reason)
                    .map(|h| format!(": {h}"))
                    .unwrap_or_default();
                // Addresses that failed differently (IPv6 refused, IPv4
                // filtered): each reason with its addresses and own hint.
                let mut by_reason: Vec<(Reason, Vec<&str>)> = Vec::new();
                for c in &self.connects {
                    let Some(r) = c.reason else { continue };
                    match by_reason.iter_mut().find(|(o, _)| *o == r) {
                        Some((_, addrs)) => addrs.push(&c.address),
                        None => by_reason.push((r, vec![&c.address])),
                    }
                }
                let mixed = by_reason.len() > 1;
                let on = |r: Reason| {
                    by_reason
                        .iter()
                        .find(|(o, _)| *o == r)
                        .filter(|_| mixed)
                        .map(|(_, a)| format!(" on {}", a.join(", ")))
                        .unwrap_or_default()
                };
                let line = format!(
                    "{} failed: {}{}{hint}",
                    self.failed_phase
                        .map_or_else(|| "?".to_string(), |p| p.to_string()),
                    e.reason.code(),
                    on(e.reason)
                );
                writeln!(w, "{}", line.red())?;
                for (r, _) in by_reason.iter().filter(|(r, _)| *r != e.reason) {
                    let hint = r.hint().map(|h| format!(": {h}")).unwrap_or_default();
                    let line = format!("  and {}{}{hint}", r.code(), on(*r));
                    writeln!(w, "{}", line.red())?;
                }
                let lost_on_the_way = matches!(
                    e.reason,
                    Reason::Timeout
                        | Reason::HostUnreachable
                        | Reason::NetUnreachable
                        | Reason::Prohibited
                );
                let stalled_after_connect = matches!(
                    self.failed_phase.map(|p| p.kind),
                    Some(PhaseKind::Tls | PhaseKind::Request)
                ) && e.reason == Reason::Timeout;
                if stalled_after_connect && !self.traced {
                    writeln!(
                        w,
                        "{}",
                        format!(
                            "  an MTU black hole stalls a connection this way too (full-size packets \
                             dropped, no \"fragmentation needed\" back): `netkit diagnose --path {}` \
                             measures the path MTU",
                            escape(&self.target)
                        )
                        .dimmed()
                    )?;
                }
                if self.failed_phase.map(|p| p.kind) == Some(PhaseKind::Connect)
                    && lost_on_the_way
                    && !self.traced
                {
                    writeln!(
                        w,
                        "{}",
                        format!(
                            "  where? `netkit diagnose --path {}` traces the route with the same port",
                            escape(&self.target)
                        )
                        .dimmed()
                    )?;
                }
                Ok(())
            }
            None => writeln!(
                w,
                "{}",
                format!("all phases passed in {:.2} ms", self.duration_ms).green()
            ),
        }
    }
}

impl Render for Check {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let hint = self
            .hint
            .as_deref()
            .map(|h| format!(": {h}"))
            .unwrap_or_default();
        match self.status {
            CheckStatus::Warning => writeln!(
                w,
                "  {} {}",
                "!".yellow(),
                format!("{}: {}{hint}", self.name, escape(&self.detail)).yellow()
            ),
            status => writeln!(
                w,
                "  {} {}: {}{}",
                mark(if status == CheckStatus::Passed {
                    PhaseStatus::Ok
                } else {
                    PhaseStatus::Failed
                }),
                self.name,
                escape(&self.detail),
                hint
            ),
        }
    }
}

impl Render for SelfCheckSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let line = match self.warnings {
            0 => format!("{} passed, {} failed", self.passed, self.failed),
            1 => format!("{} passed, 1 warning, {} failed", self.passed, self.failed),
            n => format!(
                "{} passed, {n} warnings, {} failed",
                self.passed, self.failed
            ),
        };
        writeln!(
            w,
            "{}",
            if self.failed == 0 {
                line.green()
            } else {
                line.red()
            }
        )
    }
}

/// The hint for a failure in `phase`: a timeout after the connection was
/// accepted is a slow or stuck service, not a firewall.
fn phase_hint(phase: Option<PhaseKind>, reason: Reason) -> Option<&'static str> {
    match (phase, reason) {
        (Some(PhaseKind::Request), Reason::Timeout) => Some(
            "the server accepted the connection but sent no complete response in time: the \
             application is slow or stuck, not a firewall (raise --timeout to wait longer)",
        ),
        (Some(PhaseKind::Tls), Reason::Timeout) => Some(
            "the connection was accepted but the TLS handshake did not finish in time: a slow \
             service, or one that does not speak TLS on this port and waits for the client",
        ),
        _ => reason.hint(),
    }
}
