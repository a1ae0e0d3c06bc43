//! The phases of a diagnosis as values: which phase ([`PhaseKind`]), of
//! which hop of a redirect chain ([`PhaseName`]), how it ended
//! ([`PhaseStatus`]), and the run that streams them and, when one fails,
//! marks the rest of the hop's plan as not reached.

use std::borrow::Cow;
use std::time::Instant;

use serde::Serialize;

use super::{Phase, Report};
use crate::error::{Failure, NetkitError, Result};

words! {
    /// A phase of one connection.
    pub enum PhaseKind {
        /// The name to addresses.
        Resolve = "resolve",
        /// Reaching the proxy (`--proxy`).
        Proxy = "proxy",
        /// The TCP connection (through the proxy: the tunnel).
        Connect = "connect",
        /// The TLS handshake and the certificate.
        Tls = "tls",
        /// The HTTP request and its response.
        Request = "request",
    }
}

words! {
    /// How a phase ended.
    pub enum PhaseStatus {
        /// It passed.
        Ok = "ok",
        /// It failed (the diagnosis ends there).
        Failed = "failed",
        /// Not needed (a proxy resolves the name).
        Skipped = "skipped",
        /// An earlier phase failed.
        NotReached = "not_reached",
    }
}

/// A phase of a hop: `connect` on the first, `connect #2` after a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseName {
    /// Which phase.
    pub kind: PhaseKind,
    /// The hop, 0 for the first request.
    pub hop: u32,
}

impl std::fmt::Display for PhaseName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.hop {
            0 => f.write_str(self.kind.as_str()),
            n => write!(f, "{} #{}", self.kind, n + 1),
        }
    }
}

impl Serialize for PhaseName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for PhaseName {
    fn schema_name() -> Cow<'static, str> {
        "PhaseName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "resolve, proxy, connect, tls or request; after a redirect with the hop, `request #2`",
            "type": "string",
            "pattern": "^(resolve|proxy|connect|tls|request)( #[0-9]+)?$"
        })
    }
}

words! {
    /// How one connect attempt of the race ended.
    pub enum AttemptState {
        /// It connected.
        Open = "open",
        /// Refused (or reset).
        Closed = "closed",
        /// No answer in time.
        Filtered = "filtered",
        /// An ICMP error: no route, prohibited.
        Unreachable = "unreachable",
        /// Another error.
        Error = "error",
        /// Lost the race to another address.
        Cancelled = "cancelled",
    }
}

impl From<crate::probe::PortState> for AttemptState {
    fn from(s: crate::probe::PortState) -> AttemptState {
        use crate::probe::PortState as P;
        match s {
            P::Open => AttemptState::Open,
            P::Closed => AttemptState::Closed,
            P::Filtered => AttemptState::Filtered,
            P::Unreachable => AttemptState::Unreachable,
            P::Error => AttemptState::Error,
        }
    }
}

/// A diagnosis in progress: the report so far, each phase handed to
/// `emit` as it ends, and the hop's plan (the phases that follow one that
/// fails are not reached).
pub struct Run<'a> {
    /// What is known so far.
    pub report: Report,
    started: Instant,
    emit: &'a mut dyn FnMut(&Phase) -> std::io::Result<()>,
    /// This hop's phases, in order.
    plan: Vec<PhaseName>,
}

impl<'a> Run<'a> {
    /// A run that fills `report`.
    pub fn new(report: Report, emit: &'a mut dyn FnMut(&Phase) -> std::io::Result<()>) -> Self {
        Run {
            report,
            started: Instant::now(),
            emit,
            plan: Vec::new(),
        }
    }

    /// The phases hop `hop` will go through.
    pub fn plan(&mut self, hop: u32, kinds: &[PhaseKind]) {
        self.plan = kinds.iter().map(|&kind| PhaseName { kind, hop }).collect();
    }

    /// Streams a phase's outcome.
    pub fn phase(
        &mut self,
        name: PhaseName,
        status: PhaseStatus,
        took: Option<f64>,
        detail: String,
        error: Option<Failure>,
    ) -> Result<()> {
        let p = Phase {
            ok: error.is_none(),
            name,
            status,
            duration_ms: took,
            detail,
            error,
        };
        (self.emit)(&p).map_err(NetkitError::system("writing stdout"))?;
        self.report.phases.push(p);
        Ok(())
    }

    /// A phase passed.
    pub fn passed(&mut self, name: PhaseName, took: f64, detail: String) -> Result<()> {
        self.phase(name, PhaseStatus::Ok, Some(took), detail, None)
    }

    /// `name` failed with `f`: it is streamed, then the phases of the plan
    /// after it as not reached; the report says where and why.
    pub fn fail(
        &mut self,
        name: PhaseName,
        f: Failure,
        took: Option<f64>,
        detail: String,
    ) -> Result<()> {
        self.phase(name, PhaseStatus::Failed, took, detail, Some(f.clone()))?;
        let later: Vec<PhaseName> = self
            .plan
            .iter()
            .skip_while(|p| **p != name)
            .skip(1)
            .copied()
            .collect();
        for l in later {
            self.phase(l, PhaseStatus::NotReached, None, String::new(), None)?;
        }
        self.report.failed_phase = Some(name);
        self.report.error = Some(f);
        Ok(())
    }

    /// The report, with the whole run's time.
    pub fn finish(mut self) -> Report {
        self.report.ok = self.report.error.is_none();
        self.report.duration_ms = self.started.elapsed().as_secs_f64() * 1e3;
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_printed() {
        let n = |kind, hop| PhaseName { kind, hop }.to_string();
        assert_eq!(n(PhaseKind::Connect, 0), "connect");
        assert_eq!(n(PhaseKind::Request, 1), "request #2");
        assert_eq!(
            serde_json::to_string(&PhaseName {
                kind: PhaseKind::Tls,
                hop: 2
            })
            .unwrap(),
            "\"tls #3\""
        );
    }
}
