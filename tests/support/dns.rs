//! DNS peers for the tests, all on loopback: a real authoritative server
//! (hickory-server) for the test zones, and small responders that answer
//! SERVFAIL or REFUSED, never answer, or truncate every UDP answer.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// The forward test zone.
pub const ZONE: &str = include_str!("../../docs/zones/example.test.zone");

/// The IPv4 reverse zone.
pub const REVERSE_V4: &str = include_str!("../../docs/zones/2.0.192.in-addr.arpa.zone");

/// The IPv6 reverse zone (2001:db8::/32).
pub const REVERSE_V6: &str = include_str!("../../docs/zones/8.b.d.0.1.0.0.2.ip6.arpa.zone");

/// Starts the authoritative server for the test zones on `bind` (port 0
/// for any); returns the address it serves on, UDP and TCP.
pub fn zone_server(bind: &str) -> SocketAddr {
    super::zones::serve(bind.parse().unwrap(), &[ZONE, REVERSE_V4, REVERSE_V6])
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
    let (udp, tcp) = super::zones::bind_pair("127.0.0.1:0".parse().unwrap());
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
