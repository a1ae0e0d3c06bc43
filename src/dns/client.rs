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

use super::wire::{Reply, WireName, peek_id};
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
    /// The response, as read from the wire.
    pub response: Reply,
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

/// What a reply must echo: our id and question.
struct Asked {
    id: u16,
    name: WireName,
    rtype: u16,
}

impl Asked {
    fn new(id: u16, name: &Name, rtype: RecordType) -> io::Result<Asked> {
        Ok(Asked {
            id,
            name: WireName::from_name(name),
            rtype: u16::from(rtype),
        })
    }

    /// Whether `resp` answers our query: same id, a response, and the same
    /// question (names compared without regard to case, RFC 4343). A reply
    /// with no question (some servers' errors) is taken.
    fn matches(&self, resp: &Reply) -> bool {
        resp.id == self.id
            && resp.flags.qr
            && resp
                .question
                .as_ref()
                .is_none_or(|q| q.name.eq_ignore_case(&self.name) && q.qtype == self.rtype)
    }
}

async fn udp_once(
    server: SocketAddr,
    query: &[u8],
    asked: &Asked,
    timeout: Duration,
) -> Result<Reply, Failure> {
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
        if peek_id(&buf[..n]) != Some((asked.id, true)) {
            continue;
        }
        if let Ok(m) = Reply::parse(&buf[..n])
            && asked.matches(&m)
        {
            return Ok(m);
        }
    }
}

async fn tcp_once(
    server: SocketAddr,
    query: &[u8],
    asked: &Asked,
    timeout: Duration,
) -> Result<Reply, Failure> {
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
            .and_then(|q| Ok((q, Asked::new(id, name, rtype)?)))
            .map_err(|e| Failure::new(Reason::Invalid, format!("building the query: {e}")));
        let (query, asked) = query?;
        let start = Instant::now();
        let result = if opts.tcp {
            tcp_once(server, &query, &asked, opts.timeout)
                .await
                .map(|m| (m, "tcp", false))
        } else {
            match udp_once(server, &query, &asked, opts.timeout).await {
                Ok(m) if m.flags.tc => {
                    let start_tcp = Instant::now();
                    let m = tcp_once(server, &query, &asked, opts.timeout).await?;
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
