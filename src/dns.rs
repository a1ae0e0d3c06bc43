//! DNS queries sent the way dig sends them, reporting exactly what the
//! server said: rcode, header flags, answer and authority sections, round
//! trip time. Messages are built and parsed with hickory-proto; the system's
//! configuration (`/etc/resolv.conf`: nameservers, search list, ndots) is
//! read with hickory-resolver.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::error::{ErrorInfo, NetkitError, Result};
use crate::exit::Exit;

/// How each query is sent.
#[derive(Debug, Clone, Copy)]
pub struct QueryOpts {
    /// TCP from the start (else UDP, then TCP when truncated).
    pub tcp: bool,
    /// Per attempt.
    pub timeout: Duration,
    /// Extra attempts after a timeout.
    pub retries: u32,
}

/// A server's answer to one query.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Who answered.
    pub server: SocketAddr,
    /// The response.
    pub response: Message,
    /// From send to answer (last attempt).
    pub rtt_ms: f64,
    /// `udp` or `tcp`.
    pub transport: &'static str,
    /// True when a truncated UDP answer was retried over TCP.
    pub tcp_fallback: bool,
}

/// Why no answer came.
#[derive(Debug)]
pub enum QueryFailure {
    /// Nothing within the timeout, after every retry.
    Timeout,
    /// The network said no (ICMP unreachable, TCP refused...).
    Network(io::Error),
    /// The answer could not be parsed.
    Malformed(String),
}

impl std::fmt::Display for QueryFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryFailure::Timeout => f.write_str("no answer within the timeout"),
            QueryFailure::Network(e) => write!(f, "{e}"),
            QueryFailure::Malformed(m) => write!(f, "malformed answer: {m}"),
        }
    }
}

/// Parses `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`, `::1` (port 53 by default).
pub fn parse_server(text: &str) -> Result<SocketAddr> {
    let t = text.trim().trim_start_matches('@');
    let bad = || {
        NetkitError::invalid(format!(
            "invalid DNS server '{}': give an IP address, optionally :PORT",
            crate::sanitize::escape(text)
        ))
    };
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return if sa.port() == 0 { Err(bad()) } else { Ok(sa) };
    }
    let bare = match t.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']').ok_or_else(bad)?,
        None => t,
    };
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(bad())
}

/// Parses a record type: `A`, `mx`, `TYPE65`...
pub fn parse_type(text: &str) -> Result<RecordType> {
    let upper = text.trim().to_ascii_uppercase();
    if let Some(n) = upper.strip_prefix("TYPE") {
        if let Ok(n) = n.parse::<u16>() {
            return Ok(RecordType::from(n));
        }
    }
    RecordType::from_str(&upper).map_err(|_| {
        NetkitError::invalid(format!(
            "unknown record type '{}'",
            crate::sanitize::escape(text)
        ))
    })
}

/// Parses a domain name as given on the command line.
pub fn parse_name(text: &str) -> Result<Name> {
    let t = text.trim();
    let bad = |why: &str| {
        NetkitError::invalid(format!(
            "invalid name '{}': {why}",
            crate::sanitize::escape(text)
        ))
    };
    if t.is_empty() {
        return Err(bad("empty"));
    }
    if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("names cannot hold spaces or control characters"));
    }
    if t.len() > 253 + usize::from(t.ends_with('.')) {
        return Err(bad("longer than 253 characters"));
    }
    if t.split('.').any(|l| l.len() > 63) {
        return Err(bad("a label is longer than 63 characters"));
    }
    if t.contains("..") {
        return Err(bad("empty label"));
    }
    Name::from_utf8(t).map_err(|e| bad(&e.to_string()))
}

fn build_query(id: u16, name: &Name, rtype: RecordType) -> io::Result<Vec<u8>> {
    let mut m = Message::new(id, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(name.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    m.edns = Some(edns);
    m.to_vec()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

fn matches(resp: &Message, id: u16, name: &Name, rtype: RecordType) -> bool {
    resp.metadata.id == id
        && resp.metadata.message_type == MessageType::Response
        && resp
            .queries
            .first()
            .is_none_or(|q| q.name().eq_case(name) && q.query_type() == rtype)
}

fn random_id() -> u16 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let marker = 0u8;
    ((t ^ (&marker as *const u8 as u32) ^ std::process::id().rotate_left(16)) & 0xffff) as u16
}

async fn udp_once(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
) -> std::result::Result<Message, QueryFailure> {
    let bind: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(bind).await.map_err(QueryFailure::Network)?;
    sock.connect(server).await.map_err(QueryFailure::Network)?;
    sock.send(query).await.map_err(QueryFailure::Network)?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
            Err(_) => return Err(QueryFailure::Timeout),
            Ok(Err(e)) => return Err(QueryFailure::Network(e)),
            Ok(Ok(n)) => n,
        };
        // Anything that is not the answer to this query is ignored, as a
        // forged or late datagram must not be taken for it.
        if let Ok(m) = Message::from_vec(&buf[..n]) {
            if matches(&m, id, name, rtype) {
                return Ok(m);
            }
        }
    }
}

async fn tcp_once(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
) -> std::result::Result<Message, QueryFailure> {
    let exchange = async {
        let mut s = TcpStream::connect(server)
            .await
            .map_err(QueryFailure::Network)?;
        let mut framed = Vec::with_capacity(query.len() + 2);
        framed.extend_from_slice(&(query.len() as u16).to_be_bytes());
        framed.extend_from_slice(query);
        s.write_all(&framed).await.map_err(QueryFailure::Network)?;
        let mut len = [0u8; 2];
        s.read_exact(&mut len)
            .await
            .map_err(QueryFailure::Network)?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut body)
            .await
            .map_err(QueryFailure::Network)?;
        let m = Message::from_vec(&body).map_err(|e| QueryFailure::Malformed(e.to_string()))?;
        if matches(&m, id, name, rtype) {
            Ok(m)
        } else {
            Err(QueryFailure::Malformed("answer to another query".into()))
        }
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| QueryFailure::Timeout)?
}

/// Sends one query to one server: UDP (retried on timeout), TCP when the
/// answer is truncated or `--tcp` asks for it.
pub async fn exchange(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    opts: QueryOpts,
) -> std::result::Result<Exchange, QueryFailure> {
    let mut last = QueryFailure::Timeout;
    for _attempt in 0..=opts.retries {
        let id = random_id();
        let query =
            build_query(id, name, rtype).map_err(|e| QueryFailure::Malformed(e.to_string()))?;
        let start = Instant::now();
        let result = if opts.tcp {
            tcp_once(server, &query, id, name, rtype, opts.timeout)
                .await
                .map(|m| (m, "tcp", false))
        } else {
            match udp_once(server, &query, id, name, rtype, opts.timeout).await {
                Ok(m) if m.metadata.truncation => {
                    let start_tcp = Instant::now();
                    let m = tcp_once(server, &query, id, name, rtype, opts.timeout).await?;
                    return Ok(Exchange {
                        server,
                        response: m,
                        rtt_ms: start_tcp.elapsed().as_secs_f64() * 1e3,
                        transport: "tcp",
                        tcp_fallback: true,
                    });
                }
                other => other.map(|m| (m, "udp", false)),
            }
        };
        match result {
            Ok((response, transport, tcp_fallback)) => {
                return Ok(Exchange {
                    server,
                    response,
                    rtt_ms: start.elapsed().as_secs_f64() * 1e3,
                    transport,
                    tcp_fallback,
                });
            }
            Err(QueryFailure::Timeout) => last = QueryFailure::Timeout,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// The typed content of a record, for JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RecordData {
    /// A / AAAA.
    Address {
        /// The address.
        address: IpAddr,
    },
    /// CNAME, PTR, NS.
    Target {
        /// The name pointed to.
        target: String,
    },
    /// MX.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The mail exchanger.
        exchange: String,
    },
    /// TXT.
    Txt {
        /// Each character-string (lossy UTF-8).
        strings: Vec<String>,
    },
    /// SRV.
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: String,
    },
    /// SOA.
    Soa {
        /// Primary server.
        mname: String,
        /// Responsible mailbox.
        rname: String,
        /// Serial.
        serial: u32,
        /// Refresh.
        refresh: i32,
        /// Retry.
        retry: i32,
        /// Expire.
        expire: i32,
        /// Minimum (negative TTL).
        minimum: u32,
    },
    /// CAA.
    Caa {
        /// The critical flag.
        critical: bool,
        /// issue, issuewild, iodef...
        tag: String,
        /// The value as text.
        value: String,
    },
    /// Anything else: only the text form.
    Other {},
}

/// One resource record, as text and typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Owner name.
    pub name: String,
    /// Record type.
    #[serde(rename = "type")]
    pub rtype: String,
    /// Time to live, seconds.
    pub ttl: u32,
    /// Presentation form of the data.
    pub value: String,
    /// Typed fields.
    pub data: RecordData,
}

fn record_data(rdata: &RData) -> RecordData {
    match rdata {
        RData::A(a) => RecordData::Address {
            address: IpAddr::V4(a.0),
        },
        RData::AAAA(a) => RecordData::Address {
            address: IpAddr::V6(a.0),
        },
        RData::CNAME(n) => RecordData::Target {
            target: n.0.to_string(),
        },
        RData::PTR(n) => RecordData::Target {
            target: n.0.to_string(),
        },
        RData::NS(n) => RecordData::Target {
            target: n.0.to_string(),
        },
        RData::MX(mx) => RecordData::Mx {
            preference: mx.preference,
            exchange: mx.exchange.to_string(),
        },
        RData::TXT(t) => RecordData::Txt {
            strings: t
                .txt_data
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect(),
        },
        RData::SRV(s) => RecordData::Srv {
            priority: s.priority,
            weight: s.weight,
            port: s.port,
            target: s.target.to_string(),
        },
        RData::SOA(s) => RecordData::Soa {
            mname: s.mname.to_string(),
            rname: s.rname.to_string(),
            serial: s.serial,
            refresh: s.refresh,
            retry: s.retry,
            expire: s.expire,
            minimum: s.minimum,
        },
        RData::CAA(c) => {
            let text = c.to_string();
            // Presentation form: FLAGS TAG VALUE
            let mut parts = text.splitn(3, ' ');
            let _flags = parts.next();
            let tag = parts.next().unwrap_or_default().to_string();
            let value = parts
                .next()
                .unwrap_or_default()
                .trim_matches('"')
                .to_string();
            RecordData::Caa {
                critical: c.issuer_critical,
                tag,
                value,
            }
        }
        _ => RecordData::Other {},
    }
}

/// A record as an [`Answer`].
pub fn answer(r: &Record) -> Answer {
    Answer {
        name: r.name.to_string(),
        rtype: r.record_type().to_string(),
        ttl: r.ttl,
        value: r.data.to_string(),
        data: record_data(&r.data),
    }
}

/// The outcome of a look-up, named as dig names it.
pub fn status_of(rcode: ResponseCode, has_data: bool) -> &'static str {
    match rcode {
        ResponseCode::NoError if has_data => "NOERROR",
        ResponseCode::NoError => "NODATA",
        ResponseCode::NXDomain => "NXDOMAIN",
        ResponseCode::ServFail => "SERVFAIL",
        ResponseCode::Refused => "REFUSED",
        ResponseCode::FormErr => "FORMERR",
        ResponseCode::NotImp => "NOTIMP",
        _ => "ERROR",
    }
}

/// The exit status of a look-up status.
pub fn exit_of(status: &str) -> Exit {
    match status {
        "NOERROR" => Exit::Success,
        "NXDOMAIN" | "NODATA" => Exit::Negative,
        "TIMEOUT" => Exit::Timeout,
        _ => Exit::Resolve,
    }
}

/// Header flags that are set, in dig's order.
pub fn flags(m: &Message) -> Vec<&'static str> {
    let h = &m.metadata;
    [
        (h.message_type == MessageType::Response, "qr"),
        (h.authoritative, "aa"),
        (h.truncation, "tc"),
        (h.recursion_desired, "rd"),
        (h.recursion_available, "ra"),
        (h.authentic_data, "ad"),
        (h.checking_disabled, "cd"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| *f)
    .collect()
}

/// One look-up of (name, type) at one server.
#[derive(Debug, Clone, Serialize)]
pub struct LookupResult {
    /// The name as given.
    pub name: String,
    /// The record type asked for.
    #[serde(rename = "type")]
    pub rtype: String,
    /// The server that answered (or was asked last).
    pub server: Option<String>,
    /// The fully qualified name that was asked (after the search list).
    pub query_name: Option<String>,
    /// NOERROR, NXDOMAIN, NODATA, SERVFAIL, REFUSED, TIMEOUT, ERROR...
    pub status: &'static str,
    /// The numeric rcode, when an answer came.
    pub rcode: Option<u16>,
    /// Header flags set in the answer.
    pub flags: Vec<&'static str>,
    /// Round trip of the last exchange.
    pub rtt_ms: Option<f64>,
    /// udp or tcp.
    pub transport: Option<&'static str>,
    /// Answer section (CNAME chain included).
    pub answers: Vec<Answer>,
    /// Authority section.
    pub authority: Vec<Answer>,
    /// The end of the CNAME chain.
    pub canonical_name: Option<String>,
    /// Names on the CNAME chain before the canonical one.
    pub aliases: Vec<String>,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

impl LookupResult {
    /// The exit status this result maps to.
    pub fn exit(&self) -> Exit {
        exit_of(self.status)
    }

    /// Records of the asked type owned by the canonical name.
    pub fn values(&self) -> impl Iterator<Item = &Answer> {
        let canonical = self.canonical_name.clone();
        let rtype = self.rtype.clone();
        self.answers.iter().filter(move |a| {
            a.rtype == rtype
                && canonical
                    .as_deref()
                    .is_none_or(|c| a.name.eq_ignore_ascii_case(c))
        })
    }

    fn failed(
        name: &str,
        rtype: RecordType,
        server: Option<SocketAddr>,
        query_name: Option<&Name>,
        f: &QueryFailure,
    ) -> Self {
        let (status, code) = match f {
            QueryFailure::Timeout => ("TIMEOUT", "timeout"),
            QueryFailure::Network(_) => ("ERROR", "network"),
            QueryFailure::Malformed(_) => ("ERROR", "malformed"),
        };
        LookupResult {
            name: name.to_string(),
            rtype: rtype.to_string(),
            server: server.map(|s| s.to_string()),
            query_name: query_name.map(|n| n.to_string()),
            status,
            rcode: None,
            flags: Vec::new(),
            rtt_ms: None,
            transport: None,
            answers: Vec::new(),
            authority: Vec::new(),
            canonical_name: None,
            aliases: Vec::new(),
            error: Some(ErrorInfo {
                code,
                message: f.to_string(),
            }),
        }
    }
}

/// A result for when no nameserver could be asked, and why.
pub fn no_nameserver(given: &str, rtype: RecordType, why: &str) -> LookupResult {
    let message = format!("no nameserver: {why}");
    let mut r = LookupResult::failed(
        given,
        rtype,
        None,
        None,
        &QueryFailure::Network(io::Error::other(message.clone())),
    );
    r.error = Some(ErrorInfo {
        code: "no_nameserver",
        message,
    });
    r
}

/// Follows the CNAME chain from `qname` through the answer section.
/// Returns the canonical name and the aliases before it.
pub fn cname_chain(answers: &[Record], qname: &Name) -> (Name, Vec<Name>) {
    let mut current = qname.clone();
    let mut aliases = Vec::new();
    for _ in 0..16 {
        let next = answers.iter().find_map(|r| match &r.data {
            RData::CNAME(c) if r.name.eq_case(&current) || r.name == current => Some(c.0.clone()),
            _ => None,
        });
        match next {
            Some(n) if !aliases.contains(&n) && n != *qname => {
                aliases.push(current);
                current = n;
            }
            _ => break,
        }
    }
    (current, aliases)
}

/// Asks `server` for (`qname`, `rtype`), chasing a CNAME chain that leaves
/// the answer (a target without records of the type) for up to 8 hops.
pub async fn resolve_at(
    given: &str,
    qname: &Name,
    rtype: RecordType,
    server: SocketAddr,
    opts: QueryOpts,
) -> LookupResult {
    // Names sent to a server are absolute, as dig sends them.
    let mut absolute = qname.clone();
    absolute.set_fqdn(true);
    let qname = &absolute;
    let mut ex = match exchange(server, qname, rtype, opts).await {
        Ok(ex) => ex,
        Err(f) => return LookupResult::failed(given, rtype, Some(server), Some(qname), &f),
    };
    let mut answers: Vec<Record> = ex.response.answers.clone();
    for _ in 0..8 {
        let (canonical, _) = cname_chain(&answers, qname);
        let has = answers
            .iter()
            .any(|r| r.record_type() == rtype && r.name == canonical);
        if has
            || canonical == *qname
            || rtype == RecordType::CNAME
            || ex.response.metadata.response_code != ResponseCode::NoError
        {
            break;
        }
        match exchange(server, &canonical, rtype, opts).await {
            Ok(next) => {
                let more: Vec<Record> = next.response.answers.clone();
                let progressed = !more.is_empty();
                answers.extend(more);
                ex = next;
                if !progressed {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let (canonical, aliases) = cname_chain(&answers, qname);
    let has_data = rtype == RecordType::CNAME && !answers.is_empty()
        || answers
            .iter()
            .any(|r| r.record_type() == rtype && r.name == canonical)
        || rtype == RecordType::ANY && !answers.is_empty();
    let status = status_of(ex.response.metadata.response_code, has_data);
    LookupResult {
        name: given.to_string(),
        rtype: rtype.to_string(),
        server: Some(server.to_string()),
        query_name: Some(qname.to_string()),
        status,
        rcode: Some(u16::from(ex.response.metadata.response_code)),
        flags: flags(&ex.response),
        rtt_ms: Some(ex.rtt_ms),
        transport: Some(ex.transport),
        answers: answers.iter().map(answer).collect(),
        authority: ex.response.authorities.iter().map(answer).collect(),
        canonical_name: Some(canonical.to_string()),
        aliases: aliases.iter().map(|n| n.to_string()).collect(),
        error: match status {
            "NOERROR" => None,
            s => Some(ErrorInfo {
                code: match s {
                    "NXDOMAIN" => "nxdomain",
                    "NODATA" => "nodata",
                    "SERVFAIL" => "servfail",
                    "REFUSED" => "refused",
                    _ => "rcode",
                },
                message: format!("{s} from {server}"),
            }),
        },
    }
}

/// The system's resolver configuration.
#[derive(Debug, Clone)]
pub struct SystemConfig {
    /// Nameservers, in order.
    pub servers: Vec<SocketAddr>,
    /// Search domains.
    pub search: Vec<Name>,
    /// Names with fewer dots than this try the search list first.
    pub ndots: usize,
    /// Per-attempt timeout from `options timeout:`.
    pub timeout: Duration,
    /// `options attempts:`.
    pub attempts: usize,
}

/// Reads `/etc/resolv.conf` (or `path`).
pub fn system_config(path: &std::path::Path) -> Result<SystemConfig> {
    let data = std::fs::read(path).map_err(|source| NetkitError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let (conf, opts) = hickory_resolver::system_conf::parse_resolv_conf(&data)
        .map_err(|e| NetkitError::invalid(format!("{}: {e}", path.display())))?;
    Ok(SystemConfig {
        servers: conf
            .name_servers()
            .iter()
            .map(|ns| SocketAddr::new(ns.ip, 53))
            .collect(),
        search: conf.search().to_vec(),
        ndots: opts.ndots,
        timeout: opts.timeout,
        attempts: opts.attempts,
    })
}

/// The names to try for `given`, in order, as the stub resolver does.
pub fn candidates(given: &str, name: &Name, cfg: &SystemConfig) -> Vec<Name> {
    if given.ends_with('.') {
        return vec![name.clone()];
    }
    let mut fqdn = name.clone();
    fqdn.set_fqdn(true);
    let searched: Vec<Name> = cfg
        .search
        .iter()
        .filter_map(|d| name.clone().append_domain(d).ok())
        .collect();
    let dots = given.matches('.').count();
    if dots >= cfg.ndots {
        std::iter::once(fqdn).chain(searched).collect()
    } else {
        searched.into_iter().chain(std::iter::once(fqdn)).collect()
    }
}

/// Looks (`given`, `rtype`) up the way the system's stub resolver would:
/// search list, then each nameserver in turn on timeouts and errors.
pub async fn resolve_system(
    given: &str,
    name: &Name,
    rtype: RecordType,
    cfg: &SystemConfig,
    opts: QueryOpts,
) -> LookupResult {
    if cfg.servers.is_empty() {
        return no_nameserver(given, rtype, "none in /etc/resolv.conf");
    }
    let mut fallback: Option<LookupResult> = None;
    for candidate in candidates(given, name, cfg) {
        let mut result = None;
        for server in &cfg.servers {
            let r = resolve_at(given, &candidate, rtype, *server, opts).await;
            let retry_elsewhere = matches!(r.status, "TIMEOUT" | "ERROR" | "SERVFAIL" | "REFUSED");
            result = Some(r);
            if !retry_elsewhere {
                break;
            }
        }
        let Some(r) = result else { continue };
        match r.status {
            "NOERROR" => return r,
            // NODATA beats a later NXDOMAIN, as in glibc.
            "NODATA" => {
                if fallback.as_ref().is_none_or(|f| f.status != "NODATA") {
                    fallback = Some(r);
                }
            }
            "NXDOMAIN" => {
                if fallback.is_none() {
                    fallback = Some(r);
                }
            }
            // A server failure stops the search: the answer is unknown.
            _ => return r,
        }
    }
    fallback
        .unwrap_or_else(|| LookupResult::failed(given, rtype, None, None, &QueryFailure::Timeout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert_eq!(
            parse_server("127.0.0.1").unwrap(),
            "127.0.0.1:53".parse().unwrap()
        );
        assert_eq!(
            parse_server("@127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(parse_server("::1").unwrap(), "[::1]:53".parse().unwrap());
        assert_eq!(
            parse_server("[::1]:5300").unwrap(),
            "[::1]:5300".parse().unwrap()
        );
        for bad in ["", "dns.example.test", "1.2.3.4:0", "1.2.3.4:x", "[::1"] {
            assert!(parse_server(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn types_and_names() {
        assert_eq!(parse_type("mx").unwrap(), RecordType::MX);
        assert_eq!(parse_type("TYPE257").unwrap(), RecordType::CAA);
        assert!(parse_type("BOGUS").is_err());
        assert!(parse_name("example.test").is_ok());
        for bad in [
            "",
            "a..b",
            "a b",
            &"x".repeat(64),
            &format!("{}.test", "a.".repeat(130)),
        ] {
            assert!(parse_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_list_order() {
        let cfg = SystemConfig {
            servers: vec![],
            search: vec![
                Name::from_ascii("corp.test.").unwrap(),
                Name::from_ascii("lab.test.").unwrap(),
            ],
            ndots: 1,
            timeout: Duration::from_secs(1),
            attempts: 1,
        };
        let names = |given: &str| -> Vec<String> {
            candidates(given, &parse_name(given).unwrap(), &cfg)
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        assert_eq!(names("db"), ["db.corp.test.", "db.lab.test.", "db."]);
        assert_eq!(
            names("db.x"),
            ["db.x.", "db.x.corp.test.", "db.x.lab.test."]
        );
        assert_eq!(names("db.x."), ["db.x."]);
    }

    #[test]
    fn statuses() {
        assert_eq!(status_of(ResponseCode::NoError, true), "NOERROR");
        assert_eq!(status_of(ResponseCode::NoError, false), "NODATA");
        assert_eq!(status_of(ResponseCode::NXDomain, false), "NXDOMAIN");
        assert_eq!(exit_of("NXDOMAIN"), Exit::Negative);
        assert_eq!(exit_of("SERVFAIL"), Exit::Resolve);
        assert_eq!(exit_of("TIMEOUT"), Exit::Timeout);
    }

    #[test]
    fn chain() {
        let n = |s: &str| Name::from_ascii(s).unwrap();
        let cname = |from: &str, to: &str| {
            Record::from_rdata(
                n(from),
                60,
                RData::CNAME(hickory_proto::rr::rdata::CNAME(n(to))),
            )
        };
        let answers = vec![
            cname("www.t.", "a.t."),
            cname("a.t.", "b.t."),
            cname("b.t.", "c.t."),
        ];
        let (canonical, aliases) = cname_chain(&answers, &n("www.t."));
        assert_eq!(canonical, n("c.t."));
        assert_eq!(aliases, vec![n("www.t."), n("a.t."), n("b.t.")]);
        // A loop ends.
        let looped = vec![cname("x.t.", "y.t."), cname("y.t.", "x.t.")];
        let (c, a) = cname_chain(&looped, &n("x.t."));
        assert_eq!((c, a.len()), (n("y.t."), 1));
    }
}
