//! Zone transfers: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP, or over
//! TLS (XoT, RFC 9103), signed with TSIG when a key is given. Streamed:
//! each message is read, checked (its ID, rcode and TSIG) and its records
//! handed on before the next is read, so a zone of any size holds one
//! message (64 KiB) in memory, plus the unsigned messages RFC 8945 lets a
//! server send between signed ones until a signed one covers them. Every
//! read has the per-message timeout and the whole transfer a deadline.

use std::io;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::dnssec::crypto::serial_le;
use super::lookup::ServerAddr;
use super::name::WireName;
use super::rdata::RecordData;
use super::record::Answer;
use super::server::{Server, Transport, TransportName};
use super::tsig;
use super::wire::Reply;
use crate::error::Failure;
use crate::exit::Reason;
use crate::signal::Stop;

/// The longest a whole transfer may take unless `--xfr-deadline` says
/// otherwise (docs/limits.md).
pub const DEADLINE: Duration = Duration::from_secs(600);

/// What to transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The whole zone.
    Axfr,
    /// The changes since this serial (or the whole zone, as the server
    /// decides).
    Ixfr(u32),
}

impl Kind {
    fn qtype(self) -> u16 {
        match self {
            Kind::Axfr => 252,
            Kind::Ixfr(_) => 251,
        }
    }

    /// `AXFR` or `IXFR`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Axfr => "AXFR",
            Kind::Ixfr(_) => "IXFR",
        }
    }
}

/// A transfer to make.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The zone.
    pub zone: WireName,
    /// AXFR or IXFR.
    pub kind: Kind,
    /// TSIG key, if the server wants one.
    pub key: Option<tsig::Key>,
    /// Each read (connect, a message) waits this long.
    pub timeout: Duration,
    /// The whole transfer ends by then.
    pub deadline: Duration,
    /// `--short`: records as their data alone.
    pub short: bool,
}

/// Where a record stands in an incremental transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Removed since the older serial.
    Delete,
    /// Added since.
    Add,
}

/// One record of a transfer, in the order the server sent it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct XfrRecord {
    /// The record.
    #[serde(flatten)]
    pub record: Answer,
    /// IXFR: `delete` or `add` for a record of a difference sequence; null
    /// in a full transfer.
    pub change: Option<Change>,
    /// `--short`: people see the data alone, as `dig +short axfr` prints.
    #[serde(skip)]
    #[schemars(skip)]
    pub short: bool,
}

impl crate::output::Report for XfrRecord {
    const TYPE: &'static str = "xfr_record";
}

/// How the transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum XfrStatus {
    /// The whole zone (AXFR, or an IXFR answered with the zone).
    Complete,
    /// The changes since the serial asked.
    Incremental,
    /// IXFR: the zone has not changed since the serial asked.
    UpToDate,
    /// It did not end (see `error`).
    Failed,
}

/// TSIG as used.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TsigReport {
    /// The key's name.
    pub key: String,
    /// Its algorithm.
    pub algorithm: &'static str,
    /// Whether every message verified (the last one signed).
    pub verified: bool,
    /// Messages whose signature verified.
    pub signed_messages: u64,
}

/// The end of a transfer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct XfrSummary {
    /// True when the transfer ended as the protocol says (closing SOA,
    /// every signature good).
    pub ok: bool,
    /// The zone.
    pub zone: String,
    /// AXFR or IXFR.
    pub qtype: &'static str,
    /// IXFR: the serial asked from.
    pub ixfr_from: Option<u32>,
    /// The server asked.
    pub server: ServerAddr,
    /// tcp or tls.
    pub transport: TransportName,
    /// How it ended.
    pub status: XfrStatus,
    /// The zone's serial (its first SOA), when one came.
    pub serial: Option<u32>,
    /// Records received (both SOAs of an AXFR included, as dig counts).
    pub records: u64,
    /// DNS messages received.
    pub messages: u64,
    /// Bytes of those messages.
    pub bytes: u64,
    /// From connect to the last message.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub duration_ms: f64,
    /// TSIG, when a key was given.
    pub tsig: Option<TsigReport>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Output was closed: nothing more to print.
    #[serde(skip)]
    #[schemars(skip)]
    stdout_closed: bool,
    /// `--short`: no footer for people.
    #[serde(skip)]
    #[schemars(skip)]
    pub short: bool,
}

impl crate::output::Report for XfrSummary {
    const TYPE: &'static str = "summary";

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let server = std::net::SocketAddr::new(self.server.address, self.server.port).to_string();
        let l = [
            ("zone", self.zone.as_str()),
            ("qtype", self.qtype),
            ("server", server.as_str()),
        ];
        m.gauge(
            "netkit_dns_xfr_success",
            "Whether the zone transfer ended as the protocol says",
            &l,
            f64::from(u8::from(self.ok)),
        );
        m.gauge(
            "netkit_dns_xfr_records",
            "Records received in the zone transfer",
            &l,
            self.records as f64,
        );
        if let Some(s) = self.serial {
            m.gauge(
                "netkit_dns_xfr_serial",
                "The zone's SOA serial",
                &l,
                f64::from(s),
            );
        }
        m.gauge(
            "netkit_dns_xfr_duration_seconds",
            "From connect to the last message",
            &l,
            self.duration_ms / 1e3,
        );
    }
}

impl XfrSummary {
    /// The exit status.
    pub fn exit(&self) -> crate::exit::Exit {
        self.error
            .as_ref()
            .map_or(crate::exit::Exit::Success, Failure::exit)
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The query: no RD, one question, IXFR's SOA in authority.
fn query(id: u16, plan: &Plan) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    let ns = u8::from(matches!(plan.kind, Kind::Ixfr(_)));
    q.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, ns, 0, 0]);
    q.extend_from_slice(&plan.zone.0);
    q.extend_from_slice(&plan.kind.qtype().to_be_bytes());
    q.extend_from_slice(&[0, 1]);
    if let Kind::Ixfr(serial) = plan.kind {
        // The zone's SOA as the client has it: only the serial counts
        // (RFC 1995 3); the names are the root.
        q.extend_from_slice(&[0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, 0, 0]);
        q.extend_from_slice(&serial.to_be_bytes());
        q.extend_from_slice(&[0; 16]);
    }
    q
}

/// Where the transfer's record stream stands.
struct Progress {
    kind: Kind,
    /// The first SOA's serial.
    serial: Option<u32>,
    records: u64,
    /// IXFR: an incremental answer (its second record is an SOA).
    incremental: Option<bool>,
    /// IXFR: the next SOA starts a deletion set (else an addition set).
    next_is_delete: bool,
    change: Option<Change>,
    done: Option<XfrStatus>,
    short: bool,
}

impl Progress {
    /// Nothing received yet.
    fn new(kind: Kind, short: bool) -> Progress {
        Progress {
            kind,
            serial: None,
            records: 0,
            incremental: None,
            next_is_delete: false,
            change: None,
            done: None,
            short,
        }
    }

    /// Takes one record; returns its change, or an error for a stream
    /// that breaks the protocol.
    fn take(&mut self, rtype: u16, serial: Option<u32>) -> Result<Option<Change>, String> {
        self.records += 1;
        let soa = rtype == 6;
        if self.records == 1 {
            let Some(s) = serial.filter(|_| soa) else {
                return Err("the transfer does not start with the zone's SOA".into());
            };
            self.serial = Some(s);
            return Ok(None);
        }
        let first = self.serial.unwrap_or(0);
        if self.records == 2
            && let Kind::Ixfr(from) = self.kind
        {
            if soa {
                // An SOA second: differences follow, or (the same
                // serial) nothing changed.
                if serial == Some(first) && serial_le(first, from) {
                    self.done = Some(XfrStatus::UpToDate);
                    return Ok(None);
                }
                self.incremental = Some(true);
                self.next_is_delete = false;
                self.change = Some(Change::Delete);
                return Ok(self.change);
            }
            self.incremental = Some(false);
        }
        if self.incremental == Some(true) {
            if soa {
                if self.next_is_delete && serial == Some(first) {
                    self.done = Some(XfrStatus::Incremental);
                    return Ok(None);
                }
                self.change = Some(if self.next_is_delete {
                    Change::Delete
                } else {
                    Change::Add
                });
                self.next_is_delete = !self.next_is_delete;
            }
            return Ok(self.change);
        }
        if soa {
            self.done = Some(XfrStatus::Complete);
        }
        Ok(None)
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads one length-prefixed message into `buf`; `Ok(false)` at a clean
/// end of stream before its length.
async fn read_message(io: &mut (dyn Io + '_), buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 2];
    match io.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let n = usize::from(u16::from_be_bytes(len));
    buf.resize(n, 0);
    io.read_exact(buf).await?;
    Ok(true)
}

/// Makes the transfer, handing each record to `emit` as its message is
/// checked; returns the summary (with the error, if it failed).
pub async fn transfer(
    server: &Server,
    plan: &Plan,
    stop: &Stop,
    emit: &mut dyn FnMut(&XfrRecord) -> io::Result<()>,
) -> io::Result<XfrSummary> {
    let start = Instant::now();
    let addr = server.addr();
    let transport = match server.transport {
        Transport::Tls(_) => TransportName::Tls,
        _ => TransportName::Tcp,
    };
    let mut summary = XfrSummary {
        ok: false,
        zone: plan.zone.to_text(),
        qtype: plan.kind.name(),
        ixfr_from: match plan.kind {
            Kind::Ixfr(s) => Some(s),
            Kind::Axfr => None,
        },
        server: ServerAddr::of(server, addr),
        transport,
        status: XfrStatus::Failed,
        serial: None,
        records: 0,
        messages: 0,
        bytes: 0,
        duration_ms: 0.0,
        tsig: plan.key.as_ref().map(|k| TsigReport {
            key: k.name.to_text(),
            algorithm: k.algorithm.name(),
            verified: false,
            signed_messages: 0,
        }),
        error: None,
        stdout_closed: false,
        short: plan.short,
    };
    let deadline = tokio::time::Instant::now() + plan.deadline;
    let result = tokio::select! {
        r = tokio::time::timeout_at(deadline, run(server, plan, &mut summary, emit)) => match r {
            Ok(r) => r,
            Err(_) => Err(Failure::new(
                Reason::Timeout,
                format!(
                    "the transfer did not end within its deadline of {} s ({} records so far)",
                    plan.deadline.as_secs(),
                    summary.records
                ),
            )),
        },
        () = stop.wait() => Err(Failure::new(
            Reason::Interrupted,
            format!("interrupted after {} records", summary.records),
        )),
    };
    summary.duration_ms = start.elapsed().as_secs_f64() * 1e3;
    match result {
        Ok(status) => {
            summary.status = status;
            summary.ok = true;
        }
        Err(_) if summary.stdout_closed => return Err(io::ErrorKind::BrokenPipe.into()),
        Err(f) => summary.error = Some(f),
    }
    Ok(summary)
}

async fn connect(server: &Server, timeout: Duration) -> Result<Box<dyn Io>, Failure> {
    let addr = server.addr();
    let what = format!("connect to {addr}");
    let stream = tokio::time::timeout(timeout, super::link::tcp_connect(addr, server.source))
        .await
        .map_err(|_| Failure::timeout(&what, timeout))?
        .map_err(|e| Failure::io(&e, &what))?;
    let _ = stream.set_nodelay(true);
    match &server.transport {
        Transport::Tls(t) => {
            let tls = tokio::time::timeout(timeout, t.connector.connect(t.name.clone(), stream))
                .await
                .map_err(|_| Failure::timeout(format!("TLS to {addr}"), timeout))?
                .map_err(|e| {
                    if let Some(v) = t.verifier.result.lock().ok().and_then(|r| r.clone())
                        && let Err((reason, words)) = v
                    {
                        return Failure::new(reason, format!("TLS to {addr}: {words}"));
                    }
                    Failure::io(&e, format!("TLS to {addr}"))
                })?;
            Ok(Box::new(tls))
        }
        Transport::Udp | Transport::Tcp => Ok(Box::new(stream)),
        Transport::Https(_) | Transport::Quic(_) => Err(Failure::new(
            Reason::Invalid,
            "zone transfers go over TCP or TLS (XoT): give @SERVER, @tcp:// or @tls://",
        )),
    }
}

async fn run(
    server: &Server,
    plan: &Plan,
    summary: &mut XfrSummary,
    emit: &mut dyn FnMut(&XfrRecord) -> io::Result<()>,
) -> Result<XfrStatus, Failure> {
    let addr = server.addr();
    let mut io = connect(server, plan.timeout).await?;
    let id = crate::sys::random_u64() as u16;
    let mut q = query(id, plan);
    let now = unix_now();
    let mut verifier = plan.key.as_ref().map(|k| {
        let mac = k.sign(&mut q, now);
        tsig::Verifier::new(k.clone(), mac, now)
    });
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&q);
    let net = |e: io::Error| Failure::io(&e, format!("transfer from {addr}"));
    io.write_all(&framed).await.map_err(net)?;
    io.flush().await.map_err(net)?;
    let mut progress = Progress::new(plan.kind, plan.short);
    let mut buf = Vec::with_capacity(65_535);
    // Unsigned messages, held until a signed one covers them.
    let mut held: Vec<Vec<u8>> = Vec::new();
    loop {
        let got = tokio::time::timeout(plan.timeout, read_message(&mut *io, &mut buf))
            .await
            .map_err(|_| {
                Failure::timeout(
                    format!(
                        "transfer from {addr} (no message after {} records)",
                        progress.records
                    ),
                    plan.timeout,
                )
            })?;
        let more = match got {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => false,
            Err(e) => {
                return Err(truncated(&progress, addr, &e.to_string()));
            }
        };
        if !more {
            return Err(truncated(
                &progress,
                addr,
                "the server closed the connection",
            ));
        }
        summary.messages += 1;
        summary.bytes += buf.len() as u64;
        let reply = Reply::parse(&buf).map_err(|e| {
            Failure::new(
                Reason::Malformed,
                format!("message {} from {addr}: {e}", summary.messages),
            )
        })?;
        if reply.id != id || !reply.flags.qr {
            return Err(Failure::new(
                Reason::Malformed,
                format!("{addr} answered with another ID ({} for {id})", reply.id),
            ));
        }
        if reply.rcode != 0 {
            let status = super::status::DnsStatus::from_rcode(reply.rcode);
            let reason = match reply.rcode {
                5 => Reason::DnsRefused,
                9 if plan.key.is_some() => Reason::TsigBad,
                _ => status.reason().unwrap_or(Reason::Rcode),
            };
            let why = match reply.rcode {
                5 => {
                    " (the server does not transfer this zone to this client, or wants a TSIG key)"
                        .to_string()
                }
                9 if plan.key.is_some() => {
                    let said = verifier
                        .as_mut()
                        .and_then(|v| v.check(&buf).err())
                        .map(|f| format!(": {}", f.0))
                        .unwrap_or_default();
                    format!(" (the key was not accepted{said})")
                }
                9 => " (the server is not authoritative for the zone, or wants a TSIG key)".into(),
                _ => String::new(),
            };
            return Err(Failure::new(
                reason,
                format!(
                    "{} from {addr} for {} {}{why}",
                    status.upper(),
                    plan.kind.name(),
                    plan.zone.to_text()
                ),
            ));
        }
        if let Some(v) = verifier.as_mut() {
            match v.check(&buf) {
                Ok(tsig::Check::Held) => {
                    held.push(std::mem::take(&mut buf));
                    buf.reserve(65_535);
                    continue;
                }
                Ok(tsig::Check::Verified) => {
                    if let Some(t) = summary.tsig.as_mut() {
                        t.signed_messages = v.verified;
                    }
                }
                Err(f) => {
                    return Err(Failure::new(
                        Reason::TsigBad,
                        format!(
                            "TSIG of message {} from {addr}: {}",
                            summary.messages,
                            crate::sanitize::escape(&f.0)
                        ),
                    ));
                }
            }
        }
        // Held messages first, then this one: all verified now.
        for m in std::mem::take(&mut held) {
            let r = Reply::parse(&m).map_err(|e| {
                Failure::new(Reason::Malformed, format!("a message from {addr}: {e}"))
            })?;
            if let Some(s) = records(&r, &mut progress, summary, emit)? {
                return Ok(s);
            }
        }
        if let Some(s) = records(&reply, &mut progress, summary, emit)? {
            if let (Some(t), Some(v)) = (summary.tsig.as_mut(), verifier.as_ref()) {
                t.verified = !v.pending();
            }
            return Ok(s);
        }
    }
}

/// Hands a checked message's answer records on; `Some` when the transfer
/// ended with one of them.
fn records(
    reply: &Reply,
    progress: &mut Progress,
    summary: &mut XfrSummary,
    emit: &mut dyn FnMut(&XfrRecord) -> io::Result<()>,
) -> Result<Option<XfrStatus>, Failure> {
    for rr in &reply.answers {
        let serial = match &rr.data {
            RecordData::Soa { serial, .. } => Some(*serial),
            _ => None,
        };
        let change = progress
            .take(rr.rtype, serial)
            .map_err(|why| Failure::new(Reason::Malformed, why))?;
        summary.records = progress.records;
        summary.serial = progress.serial;
        emit(&XfrRecord {
            record: Answer::from_rr(rr),
            change,
            short: progress.short,
        })
        .map_err(|_| {
            summary.stdout_closed = true;
            Failure::new(Reason::Interrupted, "stdout closed")
        })?;
        if let Some(done) = progress.done {
            return Ok(Some(done));
        }
    }
    // IXFR from the current serial (or a newer one): a message with the
    // zone's SOA alone (RFC 1995 2).
    if let (Kind::Ixfr(from), Some(serial), 1, [_]) = (
        progress.kind,
        progress.serial,
        progress.records,
        reply.answers.as_slice(),
    ) && serial_le(serial, from)
    {
        return Ok(Some(XfrStatus::UpToDate));
    }
    Ok(None)
}

fn truncated(progress: &Progress, addr: std::net::SocketAddr, how: &str) -> Failure {
    Failure::new(
        Reason::XfrTruncated,
        format!(
            "the transfer from {addr} was cut short after {} records: {how} before the closing SOA",
            progress.records
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_stream_ends_where_the_protocol_says() {
        // AXFR: SOA, records, SOA.
        let mut p = Progress::new(Kind::Axfr, false);
        assert!(p.take(1, None).is_err(), "must start with the SOA");
        let mut p = Progress::new(Kind::Axfr, false);
        assert_eq!(p.take(6, Some(5)), Ok(None));
        assert_eq!(p.take(1, None), Ok(None));
        assert_eq!(p.done, None);
        assert_eq!(p.take(6, Some(5)), Ok(None));
        assert_eq!(p.done, Some(XfrStatus::Complete));
        // IXFR from 3 to 5: SOA5, SOA3 (-), A, SOA4 (+), A, SOA4 (-),
        // SOA5 (+), A, SOA5.
        let mut p = Progress::new(Kind::Ixfr(3), false);
        let steps = [
            (6, Some(5), None),
            (6, Some(3), Some(Change::Delete)),
            (1, None, Some(Change::Delete)),
            (6, Some(4), Some(Change::Add)),
            (1, None, Some(Change::Add)),
            (6, Some(4), Some(Change::Delete)),
            (6, Some(5), Some(Change::Add)),
            (1, None, Some(Change::Add)),
        ];
        for (t, s, want) in steps {
            assert_eq!(p.take(t, s), Ok(want), "{t} {s:?}");
            assert_eq!(p.done, None);
        }
        assert_eq!(p.take(6, Some(5)), Ok(None));
        assert_eq!(p.done, Some(XfrStatus::Incremental));
        // IXFR answered with one SOA pair of the same serial: up to date;
        // IXFR answered with the whole zone: complete.
        let mut p = Progress::new(Kind::Ixfr(5), false);
        p.take(6, Some(5)).unwrap();
        p.take(6, Some(5)).unwrap();
        assert_eq!(p.done, Some(XfrStatus::UpToDate));
        let mut p = Progress::new(Kind::Ixfr(1), false);
        for (t, s) in [(6, Some(5)), (1, None), (1, None), (6, Some(5))] {
            p.take(t, s).unwrap();
        }
        assert_eq!(p.done, Some(XfrStatus::Complete));
    }
}
