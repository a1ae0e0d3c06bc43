//! The wire: one query to one server, sent as dig sends it (EDNS 1232, RD
//! set, a random id), UDP first with the reply checked for id and question,
//! TCP when the answer is truncated or `--tcp` asks for it, retries on
//! timeout.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::error::Failure;
use crate::exit::Reason;

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

/// Whether `resp` answers our query: same id, a response, and the same
/// question (names compared without regard to case, RFC 4343).
fn matches(resp: &Message, id: u16, name: &Name, rtype: RecordType) -> bool {
    resp.metadata.id == id
        && resp.metadata.message_type == MessageType::Response
        && resp
            .queries
            .first()
            .is_none_or(|q| q.name() == name && q.query_type() == rtype)
}

async fn udp_once(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
) -> Result<Message, Failure> {
    let bind: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let net = |e: io::Error| Failure::io(&e, format!("query to {server}"));
    let sock = UdpSocket::bind(bind).await.map_err(net)?;
    sock.connect(server).await.map_err(net)?;
    sock.send(query).await.map_err(net)?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
            Err(_) => return Err(Failure::timeout(format!("query to {server}"), timeout)),
            Ok(Err(e)) => return Err(net(e)),
            Ok(Ok(n)) => n,
        };
        // Anything that is not the answer to this query is ignored: a
        // forged or late datagram must not be taken for it.
        if let Ok(m) = Message::from_vec(&buf[..n])
            && matches(&m, id, name, rtype)
        {
            return Ok(m);
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
) -> Result<Message, Failure> {
    let net = |e: io::Error| Failure::io(&e, format!("query to {server} over TCP"));
    let exchange = async {
        let mut s = TcpStream::connect(server).await.map_err(net)?;
        let mut framed = Vec::with_capacity(query.len() + 2);
        framed.extend_from_slice(&(query.len() as u16).to_be_bytes());
        framed.extend_from_slice(query);
        s.write_all(&framed).await.map_err(net)?;
        let mut len = [0u8; 2];
        s.read_exact(&mut len).await.map_err(net)?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut body).await.map_err(net)?;
        let m = Message::from_vec(&body)
            .map_err(|e| Failure::new(Reason::Malformed, format!("answer from {server}: {e}")))?;
        if matches(&m, id, name, rtype) {
            Ok(m)
        } else {
            Err(Failure::new(
                Reason::Malformed,
                format!("{server} answered another question over TCP"),
            ))
        }
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| Failure::timeout(format!("query to {server} over TCP"), timeout))?
}

/// Sends one query to one server: UDP (retried on timeout), TCP when the
/// answer is truncated or `--tcp` asks for it.
pub async fn exchange(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    opts: QueryOpts,
) -> Result<Exchange, Failure> {
    let mut last = Failure::timeout(format!("query to {server}"), opts.timeout);
    for _attempt in 0..=opts.retries {
        let id = crate::sys::random_u64() as u16;
        let query = build_query(id, name, rtype)
            .map_err(|e| Failure::new(Reason::Invalid, format!("building the query: {e}")))?;
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
            Err(f) if f.reason == Reason::Timeout => last = f,
            Err(f) => return Err(f),
        }
    }
    Err(last)
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
