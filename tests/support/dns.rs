//! DNS peers for the tests, all on loopback: a real authoritative server
//! (hickory-server) for the test zones, and small responders that answer
//! SERVFAIL or REFUSED, never answer, or truncate every UDP answer.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_proto::serialize::txt::Parser;
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};

/// The forward test zone.
pub const ZONE: &str = r#"
$ORIGIN example.test.
$TTL 300
@        IN SOA  ns1.example.test. hostmaster.example.test. 2026112101 3600 600 86400 60
@        IN NS   ns1.example.test.
ns1      IN A    127.0.0.1
@        IN A    192.0.2.1
@        IN AAAA 2001:db8::1
@        IN MX   10 mail.example.test.
@        IN MX   20 backup.example.test.
@        IN TXT  "v=spf1 -all"
@        IN TXT  "first string" "second string"
@        IN CAA  0 issue "ca.example.test"
mail     IN A    192.0.2.25
mail     IN AAAA 2001:db8::25
backup   IN A    192.0.2.26
www      IN CNAME a.example.test.
a        IN CNAME b.example.test.
b        IN CNAME c.example.test.
c    600 IN A    192.0.2.10
c    600 IN AAAA 2001:db8::10
v6only   IN AAAA 2001:db8::6
liar     IN A    192.0.2.78
_sip._tcp IN SRV 10 60 5060 sip.example.test.
sip      IN A    192.0.2.50
"#;

/// The IPv4 reverse zone.
pub const REVERSE_V4: &str = r#"
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@   IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
@   IN NS  ns1.example.test.
1   IN PTR example.test.
10  IN PTR c.example.test.
25  IN PTR mail.example.test.
26  IN PTR backup.example.test.
77  IN PTR liar.example.test.
"#;

/// The IPv6 reverse zone (2001:db8::/32).
pub const REVERSE_V6: &str = r#"
$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
$TTL 300
@   IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
@   IN NS  ns1.example.test.
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0  IN PTR mail.example.test.
"#;

/// Binds UDP and TCP on one port of `ip` (port 0: any free one).
fn bind_pair(addr: SocketAddr) -> (UdpSocket, TcpListener) {
    for _ in 0..50 {
        let udp = UdpSocket::bind(addr).expect("bind udp");
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind(SocketAddr::new(addr.ip(), port)) {
            return (udp, tcp);
        }
        assert_eq!(addr.port(), 0, "TCP port {port} taken");
    }
    panic!("no free port pair");
}

/// Starts the authoritative server for the test zones on `bind` (port 0
/// for any); returns the address it serves on, UDP and TCP.
pub fn zone_server(bind: &str) -> SocketAddr {
    let (udp, tcp) = bind_pair(bind.parse().unwrap());
    let addr = udp.local_addr().unwrap();
    let mut catalog = Catalog::new();
    for zone in [ZONE, REVERSE_V4, REVERSE_V6] {
        let (origin, records) = Parser::new(zone, None, None).parse().expect("zone parses");
        let handler =
            InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::new(
                origin.clone(),
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .expect("zone loads");
        catalog.upsert(origin.into(), vec![Arc::new(handler)]);
    }
    udp.set_nonblocking(true).unwrap();
    tcp.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut server = Server::new(catalog);
            server.register_socket(tokio::net::UdpSocket::from_std(udp).unwrap());
            server.register_listener(
                tokio::net::TcpListener::from_std(tcp).unwrap(),
                Duration::from_secs(5),
                65_535,
            );
            let _ = server.block_until_done().await;
        });
    });
    addr
}

fn reply(query: &Message, rcode: ResponseCode) -> Message {
    let mut m = Message::new(query.metadata.id, MessageType::Response, OpCode::Query);
    m.metadata.response_code = rcode;
    m.metadata.recursion_desired = query.metadata.recursion_desired;
    m.queries = query.queries.clone();
    m
}

/// A server that answers every query with `rcode` (UDP).
pub fn rcode_server(rcode: ResponseCode) -> SocketAddr {
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = udp.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = udp.recv_from(&mut buf) {
            if let Ok(q) = Message::from_vec(&buf[..n]) {
                let _ = udp.send_to(&reply(&q, rcode).to_vec().unwrap(), from);
            }
        }
    });
    addr
}

/// A UDP socket that never answers; kept open while the value lives.
pub struct Silent(UdpSocket);

impl Silent {
    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.0.local_addr().unwrap()
    }
}

/// A server that never answers.
pub fn silent_server() -> Silent {
    Silent(UdpSocket::bind("127.0.0.1:0").unwrap())
}

/// Over UDP every answer is empty with TC set; over TCP every A query gets
/// 192.0.2.99: only a client that falls back to TCP sees the address.
pub fn truncating_server() -> SocketAddr {
    let (udp, tcp) = bind_pair("127.0.0.1:0".parse().unwrap());
    let addr = udp.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = udp.recv_from(&mut buf) {
            if let Ok(q) = Message::from_vec(&buf[..n]) {
                let mut m = reply(&q, ResponseCode::NoError);
                m.metadata.truncation = true;
                let _ = udp.send_to(&m.to_vec().unwrap(), from);
            }
        }
    });
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for conn in tcp.incoming() {
            let Ok(mut c) = conn else { continue };
            let mut len = [0u8; 2];
            if c.read_exact(&mut len).is_err() {
                continue;
            }
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if c.read_exact(&mut body).is_err() {
                continue;
            }
            let Ok(q) = Message::from_vec(&body) else {
                continue;
            };
            let mut m = reply(&q, ResponseCode::NoError);
            if let Some(query) = q.queries.first()
                && query.query_type() == RecordType::A
            {
                m.answers.push(Record::from_rdata(
                    query.name().clone(),
                    60,
                    RData::A(hickory_proto::rr::rdata::A::new(192, 0, 2, 99)),
                ));
            }
            let bytes = m.to_vec().unwrap();
            let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
            framed.extend_from_slice(&bytes);
            let _ = c.write_all(&framed);
        }
    });
    addr
}

/// A name in the test zone, for building expectations.
pub fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}
