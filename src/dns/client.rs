//! The wire: one query to one server, sent as dig sends it (EDNS 1232, RD
//! set, a random id) over the server's own transport: for plain servers UDP
//! first with the reply checked for id and question, TCP when the answer
//! is truncated (or always, for `tcp://` and `--tcp`); TLS, HTTPS or QUIC
//! for the encrypted; retries on timeout.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RecordType};
use tokio::net::UdpSocket;

use super::link::Link;
use super::server::{Server, Transport, TransportName};
use super::wire::{Reply, WireName, peek_id};
use crate::error::Failure;
use crate::exit::Reason;

/// How each query is sent.
#[derive(Debug, Clone, Copy)]
pub struct QueryOpts {
    /// Per attempt.
    pub timeout: Duration,
    /// Extra attempts after a timeout.
    pub retries: u32,
    /// Ask for recursion (RD); off for iterative queries (`--trace`).
    pub recurse: bool,
    /// DNSSEC: set DO (the signatures come along) and CD (a validating
    /// resolver hands over what fails its checks, so netkit can say why).
    pub dnssec: bool,
    /// What the query says beyond that (dig's +cd, +dnssec, +bufsize,
    /// +noedns).
    pub wire: WireOpts,
}

/// Header and EDNS settings of a query, as dig's options set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireOpts {
    /// CD alone (`+cd`).
    pub cd: bool,
    /// DO alone (`+dnssec`): the signatures come along, nothing is
    /// validated.
    pub dnssec_ok: bool,
    /// The EDNS UDP size (`+bufsize`); `None`: no OPT record (`+noedns`).
    pub edns_size: Option<u16>,
    /// AD (`+adflag`): ask a resolver to say whether it validated.
    pub ad: bool,
    /// EDNS options (`+nsid`, `+subnet`, `+cookie`, `+padding`).
    pub options: super::edns::QueryOptions,
    /// QCLASS: 1 (IN), or CH (3) and HS (4) as dig asks them
    /// (`CH TXT version.bind`).
    pub class: u16,
}

impl Default for WireOpts {
    fn default() -> Self {
        WireOpts {
            cd: false,
            dnssec_ok: false,
            edns_size: Some(1232),
            ad: false,
            options: super::edns::QueryOptions::default(),
            class: 1,
        }
    }
}

/// A server's answer to one query.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The address that answered.
    pub server: SocketAddr,
    /// The response, as read from the wire.
    pub response: Reply,
    /// From send to answer (last attempt).
    pub rtt_ms: f64,
    /// What carried the answer.
    pub transport: TransportName,
}

/// The query as dig sends it: the header (RD unless iterative, CD with
/// DNSSEC), one question in class IN, and an OPT record (EDNS 0, a
/// 1232-byte UDP size, DO with DNSSEC). Written directly: a general
/// message encoder cost more than the rest of a batch query's own work.
fn build_query(id: u16, qname: &WireName, rtype: RecordType, opts: &QueryOpts) -> Vec<u8> {
    let mut q = Vec::with_capacity(12 + qname.0.len() + 4 + 11);
    q.extend_from_slice(&id.to_be_bytes());
    let mut flags = 0u16; // QUERY, no AA/TC
    if opts.recurse {
        flags |= 0x0100;
    }
    if opts.dnssec || opts.wire.cd {
        flags |= 0x0010;
    }
    if opts.wire.ad {
        flags |= 0x0020;
    }
    q.extend_from_slice(&flags.to_be_bytes());
    let additional = u8::from(opts.wire.edns_size.is_some());
    q.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, additional]);
    q.extend_from_slice(&qname.0);
    q.extend_from_slice(&u16::from(rtype).to_be_bytes());
    q.extend_from_slice(&opts.wire.class.to_be_bytes());
    if let Some(size) = opts.wire.edns_size {
        // OPT: root owner, type 41, class = UDP size, TTL = ext-rcode,
        // version, DO and the other flags, no options.
        let dnssec_ok = opts.dnssec || opts.wire.dnssec_ok;
        q.extend_from_slice(&[0, 0, 41]);
        q.extend_from_slice(&size.to_be_bytes());
        q.extend_from_slice(&[0, 0, if dnssec_ok { 0x80 } else { 0 }, 0]);
        let rdlen = q.len();
        q.extend_from_slice(&[0, 0]);
        if opts.wire.options.any() {
            let base = q.len();
            let mut options = Vec::with_capacity(64);
            opts.wire.options.write(base, &mut options);
            q[rdlen..rdlen + 2].copy_from_slice(&(options.len() as u16).to_be_bytes());
            q.extend_from_slice(&options);
        }
    }
    q
}

/// What a reply must echo: our id and question.
struct Asked {
    id: u16,
    name: WireName,
    rtype: u16,
    class: u16,
}

impl Asked {
    /// Whether `resp` answers our query: same id, a response, and the same
    /// question (names compared without regard to case, RFC 4343). A reply
    /// with no question (some servers' errors) is taken.
    fn matches(&self, resp: &Reply) -> bool {
        resp.id == self.id
            && resp.flags.qr
            && resp.question.as_ref().is_none_or(|q| {
                q.name.eq_ignore_case(&self.name) && q.qtype == self.rtype && q.qclass == self.class
            })
    }
}

/// How a UDP attempt ended.
enum Udp {
    Answer(Reply),
    /// No answer in time; true when the server answered others meanwhile
    /// (a drop, not a dead server).
    TimedOut(bool),
    /// The server moved to TCP while this attempt waited.
    MovedToTcp,
}

async fn udp_once(
    query: &[u8],
    asked: &mut Asked,
    timeout: Duration,
    link: &Link,
) -> Result<Udp, Failure> {
    match link.udp_share() {
        Some(share) => udp_shared(&share, query, asked, timeout, link).await,
        // Boxed: a batch's queries (shared sockets) do not carry its state.
        None => Box::pin(udp_alone(query, asked, timeout, link)).await,
    }
}

/// One UDP attempt on a socket of its own (a single query).
async fn udp_alone(
    query: &[u8],
    asked: &mut Asked,
    timeout: Duration,
    link: &Link,
) -> Result<Udp, Failure> {
    let server = link.addr();
    let bind = link.server().local_for(server.ip());
    let net = |e: io::Error| Failure::io(&e, format!("query to {server}"));
    let sock = UdpSocket::bind(bind).await.map_err(net)?;
    sock.connect(server).await.map_err(net)?;
    link.udp_turn().await;
    let sent = Instant::now();
    sock.send(query).await.map_err(net)?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut moved = link.watch_tcp();
    // Received into spare capacity: a 64 KiB buffer zeroed per query cost
    // more than the rest of a query's user-space work (and 16 page faults).
    let mut buf: Vec<u8> = Vec::with_capacity(65_535);
    loop {
        buf.clear();
        let n = tokio::select! {
            r = tokio::time::timeout_at(deadline, sock.recv_buf(&mut buf)) => match r {
                Err(_) => return Ok(Udp::TimedOut(link.udp_timed_out(sent))),
                Ok(Err(e)) => return Err(net(e)),
                Ok(Ok(n)) => n,
            },
            Ok(_) = moved.wait_for(|tcp| *tcp) => return Ok(Udp::MovedToTcp),
        };
        // Anything that is not the answer to this query is ignored: a
        // forged or late datagram must not be taken for it.
        if peek_id(&buf[..n]) != Some((asked.id, true)) {
            continue;
        }
        if let Ok(m) = Reply::parse(&buf[..n])
            && asked.matches(&m)
        {
            link.udp_answered();
            return Ok(Udp::Answer(m));
        }
    }
}

/// One UDP attempt on a batch's shared sockets: the same checks and
/// outcomes as on a socket of its own.
async fn udp_shared(
    share: &super::udpshare::UdpShare,
    query: &[u8],
    asked: &mut Asked,
    timeout: Duration,
    link: &Link,
) -> Result<Udp, Failure> {
    let server = link.addr();
    let net = |e: io::Error| Failure::io(&e, format!("query to {server}"));
    let mut reg = share.register(
        asked.id,
        super::udpshare::Question {
            name: asked.name.clone(),
            qtype: asked.rtype,
            qclass: asked.class,
        },
    );
    link.udp_turn().await;
    // Moved before this query was registered: its waiters were told then.
    if link.prefers_tcp() {
        return Ok(Udp::MovedToTcp);
    }
    let sent = Instant::now();
    if reg.id() == asked.id {
        reg.send(query).await.map_err(net)?;
    } else {
        // The ID was taken on that socket: another, as the query says.
        let mut q = query.to_vec();
        q[..2].copy_from_slice(&reg.id().to_be_bytes());
        asked.id = reg.id();
        reg.send(&q).await.map_err(net)?;
    }
    // A move to TCP comes as a delivery (Link::move_to_tcp), not through a
    // watch each query would register on.
    use super::udpshare::Delivery;
    match tokio::time::timeout(timeout, &mut reg.rx).await {
        Err(_) => Ok(Udp::TimedOut(link.udp_timed_out(sent))),
        Ok(Ok(Delivery::Reply(reply))) => {
            link.udp_answered();
            Ok(Udp::Answer(reply))
        }
        Ok(Ok(Delivery::Failed(kind))) => Err(net(io::Error::from(kind))),
        Ok(Ok(Delivery::MovedToTcp)) => Ok(Udp::MovedToTcp),
        Ok(Err(_)) => Err(net(io::Error::other("the batch's socket closed"))),
    }
}

/// A transport error as a failure: timeouts, TLS verification with its
/// reason (as the verifier recorded it), the rest classified as I/O.
fn transport_failure(
    e: &io::Error,
    server: SocketAddr,
    over: &str,
    timeout: Duration,
    verifier: Option<&crate::tls::RecordingVerifier>,
) -> Failure {
    if e.kind() == io::ErrorKind::TimedOut {
        return Failure::timeout(format!("query to {server} over {over}"), timeout);
    }
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        if let Some((reason, words)) = verifier.and_then(refused) {
            return Failure::new(reason, format!("TLS to {server}: {words}"));
        }
        let none = rustls::pki_types::CertificateDer::from(Vec::new());
        return Failure::new(
            crate::tls::verify_reason(tls, &none),
            format!("TLS to {server}: {}", crate::tls::verify_words(tls, &none)),
        );
    }
    if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::Other {
        return Failure::new(Reason::Malformed, format!("{over} {server}: {e}"));
    }
    Failure::io(e, format!("query to {server} over {over}"))
}

/// Why the verifier refused the last certificate, if it did.
fn refused(v: &crate::tls::RecordingVerifier) -> Option<(Reason, String)> {
    v.result
        .lock()
        .ok()
        .and_then(|r| r.clone())
        .and_then(Result::err)
}

/// One query over DNS over HTTPS.
async fn doh_once(
    link: &Link,
    cfg: &super::server::DohCfg,
    query: &[u8],
    asked: &Asked,
    timeout: Duration,
) -> Result<Reply, Failure> {
    let body = link.doh_query(cfg, query, timeout).await.map_err(|e| {
        transport_failure(&e, link.addr(), "HTTPS", timeout, Some(&cfg.tls.verifier))
    })?;
    answer_to(&body, asked, link.addr(), "DoH", "HTTPS")
}

/// The message in `body`, if it parses and answers what was `asked`.
fn answer_to(
    body: &[u8],
    asked: &Asked,
    server: SocketAddr,
    kind: &str,
    over: &str,
) -> Result<Reply, Failure> {
    let m = Reply::parse(body).map_err(|e| {
        Failure::new(
            Reason::Malformed,
            format!("{kind} answer from {server}: {e}"),
        )
    })?;
    if asked.matches(&m) {
        Ok(m)
    } else {
        Err(Failure::new(
            Reason::Malformed,
            format!("{server} answered another question over {over}"),
        ))
    }
}

/// A certificate refused during a QUIC handshake, told from quinn's words
/// for rustls's error (quinn does not hand the error itself on).
fn quic_tls_reason(text: &str) -> Option<(Reason, &'static str)> {
    if !text.contains("certificate") {
        return None;
    }
    // rustls's words, in the Debug and the Display form of its errors.
    let has = |a: &str, b: &str| text.contains(a) || text.contains(b);
    Some(if has("NotValidForName", "not valid for name") {
        (Reason::TlsWrongHost, "the certificate is for another name")
    } else if has("BadSignature", "bad signature") {
        (
            Reason::TlsBadSignature,
            "the certificate is signed by a different key than the trusted CA of that name",
        )
    } else if has("UnknownIssuer", "unknown issuer") {
        (
            Reason::TlsUnknownIssuer,
            "the certificate's issuer is not trusted",
        )
    } else if has("NotValidYet", "not valid yet") {
        (Reason::TlsNotYetValid, "the certificate is not valid yet")
    } else if has("Expired", "certificate expired") {
        (Reason::TlsExpired, "the certificate has expired")
    } else {
        (Reason::TlsBadCertificate, "the certificate was refused")
    })
}

/// One query over DNS over QUIC: the ID goes as 0 (RFC 9250 4.2.1).
async fn doq_once(
    link: &Link,
    cfg: &super::server::DoqCfg,
    query: &[u8],
    asked: &mut Asked,
    timeout: Duration,
) -> Result<Reply, Failure> {
    let mut q = query.to_vec();
    if let Some(id) = q.get_mut(..2) {
        id.copy_from_slice(&[0, 0]);
    }
    asked.id = 0;
    let body = link.doq_query(cfg, &q, timeout).await.map_err(|e| {
        let server = link.addr();
        let text = e.to_string();
        if text.contains("certificate")
            && let Some((reason, words)) = refused(&cfg.verifier)
        {
            return Failure::new(reason, format!("TLS to {server} over QUIC: {words}"));
        }
        match quic_tls_reason(&text) {
            Some((Reason::TlsBadCertificate, _)) => Failure::new(
                Reason::TlsBadCertificate,
                format!("TLS to {server} over QUIC: {text}"),
            ),
            Some((reason, words)) => {
                Failure::new(reason, format!("TLS to {server} over QUIC: {words}"))
            }
            None => transport_failure(&e, server, "QUIC", timeout, None),
        }
    })?;
    answer_to(&body, asked, link.addr(), "DoQ", "QUIC")
}

/// One query over the server's pipelined TCP connections.
async fn tcp_once(
    link: &Link,
    query: &[u8],
    asked: &mut Asked,
    timeout: Duration,
    solo: bool,
) -> Result<Reply, Failure> {
    let verifier = match &link.server().transport {
        Transport::Tls(t) => Some(&*t.verifier),
        _ => None,
    };
    let over = if verifier.is_some() { "TLS" } else { "TCP" };
    let (body, id) = link
        .tcp_query(query, timeout, solo)
        .await
        .map_err(|e| transport_failure(&e, link.addr(), over, timeout, verifier))?;
    let server = link.addr();
    asked.id = id;
    let m = Reply::parse(&body)
        .map_err(|e| Failure::new(Reason::Malformed, format!("answer from {server}: {e}")))?;
    if asked.matches(&m) {
        Ok(m)
    } else {
        Err(Failure::new(
            Reason::Malformed,
            format!("{server} answered another question over TCP"),
        ))
    }
}

/// The name servers' addresses (port 53) in the answers that came: a
/// name's A and AAAA asked at once, say.
pub fn server_addresses(
    answers: impl IntoIterator<Item = Result<Exchange, Failure>>,
) -> Vec<SocketAddr> {
    answers
        .into_iter()
        .flatten()
        .flat_map(|ex| {
            ex.response
                .answers
                .iter()
                .filter_map(super::wire::Rr::address)
                .map(|ip| SocketAddr::new(ip, 53))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Tries per query beyond `--retries` for losses that are the server's
/// rate limit rather than its absence (docs/limits.md).
pub const MAX_FREE_RETRIES: u32 = 4;

/// Sends one query to one server over its transport, retried on timeout.
/// Plain servers: UDP; TCP when the answer is truncated, for `tcp://`
/// (and `--tcp`), or once the server has shown it drops UDP answers it
/// gives others (rate limiting). TCP and TLS queries share pipelined
/// connections ([`super::link`]).
pub async fn exchange(
    server: &Server,
    name: &Name,
    rtype: RecordType,
    opts: QueryOpts,
) -> Result<Exchange, Failure> {
    let link = super::link::link(server);
    // The failure to report when every attempt went unanswered (made
    // then: formatting it up front cost a batch query 5% of its time).
    let mut last: Option<Failure> = None;
    let done = |response, start: Instant, transport| Exchange {
        server: link.addr(),
        response,
        rtt_ms: start.elapsed().as_secs_f64() * 1e3,
        transport,
    };
    // After a TCP timeout, retries take connections of their own.
    let mut solo = false;
    // Tries that do not count: a drop by a server that answers others
    // (it is up, only rate-limiting), and a move to TCP that was refused.
    let mut free = 0u32;
    // Addresses left behind because they refused.
    let mut moved = 0usize;
    let mut attempt = 0u32;
    let qname = WireName::from_name(name);
    while attempt <= opts.retries {
        attempt += 1;
        let id = crate::sys::random_u64() as u16;
        let query = build_query(id, &qname, rtype, &opts);
        let mut asked = Asked {
            id,
            name: qname.clone(),
            rtype: u16::from(rtype),
            class: opts.wire.class,
        };
        let mut start = Instant::now();
        let answer = match &server.transport {
            Transport::Quic(cfg) => {
                Box::pin(doq_once(&link, cfg, &query, &mut asked, opts.timeout))
                    .await
                    .map(|m| done(m, start, TransportName::Quic))
            }
            Transport::Https(cfg) => Box::pin(doh_once(&link, cfg, &query, &asked, opts.timeout))
                .await
                .map(|m| done(m, start, TransportName::Https)),
            Transport::Udp | Transport::Tcp | Transport::Tls(_) => {
                let mut over_tcp = link.prefers_tcp();
                if !over_tcp {
                    let udp = match udp_once(&query, &mut asked, opts.timeout, &link).await {
                        Ok(u) => u,
                        // Refused (an ICMP port unreachable): the server's
                        // next address, if it has one not tried yet.
                        Err(f)
                            if f.reason.exit() == crate::exit::Exit::Connect
                                && moved + 1 < server.endpoint.addrs.len() =>
                        {
                            link.next_addr();
                            moved += 1;
                            attempt -= 1;
                            last = Some(f);
                            continue;
                        }
                        Err(f) => return Err(f),
                    };
                    match udp {
                        Udp::Answer(m) if m.flags.tc => {
                            link.truncated();
                            over_tcp = true;
                        }
                        Udp::Answer(m) => return Ok(done(m, start, TransportName::Udp)),
                        Udp::MovedToTcp => over_tcp = true,
                        Udp::TimedOut(_) if link.prefers_tcp() => over_tcp = true,
                        Udp::TimedOut(dropped) => {
                            if dropped && free < MAX_FREE_RETRIES {
                                free += 1;
                                attempt -= 1;
                            } else if !dropped {
                                link.next_addr();
                            }
                            continue;
                        }
                    }
                    start = Instant::now();
                }
                debug_assert!(over_tcp);
                let plain = matches!(server.transport, Transport::Udp);
                let carried = match server.transport {
                    Transport::Tls(_) => TransportName::Tls,
                    _ => TransportName::Tcp,
                };
                // Boxed, as the encrypted transports above: their state is
                // large, and a batch's UDP queries should not carry it.
                match Box::pin(tcp_once(&link, &query, &mut asked, opts.timeout, solo)).await {
                    Ok(m) => Ok(done(m, start, carried)),
                    Err(f) if f.reason == Reason::Timeout => {
                        solo = true;
                        Err(f)
                    }
                    // A connection the server closed (idle, or its own
                    // limit): try again on a fresh one.
                    Err(f) if matches!(f.reason, Reason::Reset | Reason::Closed) => {
                        last = Some(f);
                        continue;
                    }
                    // TCP not served at all: if it was netkit's choice,
                    // UDP again.
                    Err(f) if plain && f.reason.exit() == crate::exit::Exit::Connect => {
                        link.tcp_unreachable();
                        last = Some(f);
                        if free < MAX_FREE_RETRIES {
                            free += 1;
                            attempt -= 1;
                        }
                        continue;
                    }
                    Err(f) => Err(f),
                }
            }
        };
        match answer {
            Ok(ex) => return Ok(ex),
            Err(f) if f.reason == Reason::Timeout => last = Some(f),
            Err(f) => return Err(f),
        }
    }
    Err(last.unwrap_or_else(|| Failure::timeout(format!("query to {}", link.addr()), opts.timeout)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};

    /// The query hickory's encoder writes for the same settings.
    fn hickory_query(id: u16, name: &Name, rtype: RecordType, opts: &QueryOpts) -> Vec<u8> {
        let mut m = Message::new(id, MessageType::Query, OpCode::Query);
        m.metadata.recursion_desired = opts.recurse;
        m.metadata.checking_disabled = opts.dnssec || opts.wire.cd;
        m.metadata.authentic_data = opts.wire.ad;
        m.add_query(Query::query(name.clone(), rtype));
        if let Some(size) = opts.wire.edns_size {
            let mut edns = Edns::new();
            edns.set_max_payload(size);
            edns.set_dnssec_ok(opts.dnssec || opts.wire.dnssec_ok);
            m.edns = Some(edns);
        }
        m.to_vec().unwrap()
    }

    #[test]
    fn the_query_is_byte_for_byte_what_a_message_encoder_writes() {
        for text in [
            ".",
            "example.test.",
            "a.b.c.example.test.",
            "xn--bcher-kva.test.",
        ] {
            let name = Name::from_ascii(text).unwrap();
            for rtype in [
                RecordType::A,
                RecordType::AAAA,
                RecordType::TXT,
                RecordType::DS,
            ] {
                let wires = [
                    WireOpts::default(),
                    WireOpts {
                        cd: true,
                        dnssec_ok: true,
                        edns_size: Some(4096),
                        ..WireOpts::default()
                    },
                    WireOpts {
                        cd: true,
                        dnssec_ok: false,
                        edns_size: None,
                        ..WireOpts::default()
                    },
                ];
                for (recurse, dnssec) in
                    [(true, false), (false, false), (true, true), (false, true)]
                {
                    for wire in wires {
                        if dnssec && wire.edns_size.is_none() {
                            continue;
                        }
                        let opts = QueryOpts {
                            timeout: Duration::from_secs(1),
                            retries: 0,
                            recurse,
                            dnssec,
                            wire,
                        };
                        let id = 0xbeef;
                        assert_eq!(
                            build_query(id, &WireName::from_name(&name), rtype, &opts),
                            hickory_query(id, &name, rtype, &opts),
                            "{text} {rtype} rd={recurse} do={dnssec} {wire:?}"
                        );
                    }
                }
            }
        }
    }
}
