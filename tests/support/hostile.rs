//! Hostile peers for the tests: a DNS server that answers as a test tells
//! it (huge answers, silence, odd bytes), and a way to measure a child's
//! peak memory. Loopback only.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{Name, RData, Record};

/// What the hostile DNS server does with one query.
pub enum Reply {
    /// Nothing, ever.
    Silence,
    /// This response (sent with TC over UDP when it does not fit 512 bytes,
    /// in full over TCP).
    Answer(Message),
}

/// Bytes from a xorshift generator seeded with `seed`: data of a hostile
/// peer's own choosing, the same on every run.
pub fn noise(mut seed: u64) -> impl FnMut(usize) -> Vec<u8> {
    move |n| {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }
}

/// A response to `query` with `rcode` and these answer records.
pub fn response(query: &Message, rcode: ResponseCode, answers: Vec<Record>) -> Message {
    let mut m = Message::new(query.metadata.id, MessageType::Response, OpCode::Query);
    m.metadata.recursion_desired = query.metadata.recursion_desired;
    m.metadata.recursion_available = true;
    m.metadata.authoritative = true;
    m.metadata.response_code = rcode;
    m.queries = query.queries.clone();
    m.answers = answers;
    m
}

/// A record of the query's name.
pub fn record(query: &Message, ttl: u32, data: RData) -> Record {
    let name = query
        .queries
        .first()
        .map(|q| q.name().clone())
        .unwrap_or_else(Name::root);
    Record::from_rdata(name, ttl, data)
}

/// The first question's name, lower case, without the trailing dot.
pub fn qname(query: &Message) -> String {
    query
        .queries
        .first()
        .map(|q| q.name().to_ascii().to_lowercase())
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_string()
}

type Behaviour = dyn Fn(&Message) -> Reply + Send + Sync;

/// Starts a DNS server on 127.0.0.1 (UDP and TCP, one port) that answers
/// every query as `behaviour` says, on threads that live as long as the
/// test process.
pub fn dns(behaviour: impl Fn(&Message) -> Reply + Send + Sync + 'static) -> SocketAddr {
    let (udp, tcp) = super::zones::bind_pair("127.0.0.1:0".parse().unwrap());
    let addr = udp.local_addr().unwrap();
    let behaviour: Arc<Behaviour> = Arc::new(behaviour);
    let b = Arc::clone(&behaviour);
    std::thread::spawn(move || serve_udp(&udp, &*b));
    std::thread::spawn(move || serve_tcp(&tcp, &behaviour));
    addr
}

fn serve_udp(udp: &UdpSocket, behaviour: &Behaviour) {
    let mut buf = [0u8; 65_535];
    loop {
        let Ok((n, from)) = udp.recv_from(&mut buf) else {
            continue;
        };
        let Ok(query) = Message::from_vec(&buf[..n]) else {
            continue;
        };
        if let Reply::Answer(m) = behaviour(&query) {
            let Ok(bytes) = m.to_vec() else { continue };
            if bytes.len() <= 512 {
                let _ = udp.send_to(&bytes, from);
            } else {
                let mut tc = response(&query, m.metadata.response_code, Vec::new());
                tc.metadata.truncation = true;
                if let Ok(b) = tc.to_vec() {
                    let _ = udp.send_to(&b, from);
                }
            }
        }
    }
}

fn serve_tcp(tcp: &TcpListener, behaviour: &Arc<Behaviour>) {
    let behaviour = Arc::clone(behaviour);
    serve_tcp_raw(tcp, move |q| {
        let query = Message::from_vec(q).ok()?;
        match behaviour(&query) {
            Reply::Silence => None,
            Reply::Answer(m) => m.to_vec().ok(),
        }
    });
}

/// Serves DNS over TCP, a thread per connection: each length-prefixed
/// query gets `answer(query)`, framed. `None` holds the connection, saying
/// nothing, for 30 s.
pub fn serve_tcp_raw(
    tcp: &TcpListener,
    answer: impl Fn(&[u8]) -> Option<Vec<u8>> + Send + Sync + 'static,
) {
    let answer = Arc::new(answer);
    for conn in tcp.incoming().flatten() {
        let answer = Arc::clone(&answer);
        std::thread::spawn(move || {
            let mut conn = conn;
            let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
            loop {
                let mut len = [0u8; 2];
                if conn.read_exact(&mut len).is_err() {
                    return;
                }
                let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if conn.read_exact(&mut q).is_err() {
                    return;
                }
                let Some(bytes) = answer(&q) else {
                    std::thread::sleep(Duration::from_secs(30));
                    return;
                };
                let Ok(n) = u16::try_from(bytes.len()) else {
                    return;
                };
                let mut out = n.to_be_bytes().to_vec();
                out.extend_from_slice(&bytes);
                if conn.write_all(&out).is_err() {
                    return;
                }
            }
        });
    }
}

/// Something done to a running child after a delay (a signal, say).
pub type Act<'a> = (Duration, &'a dyn Fn(&Child));

/// Runs `cmd` to its end, reading its output, and returns the output and
/// its peak resident memory in KiB (VmHWM, read every 20 ms: a high-water
/// mark, so the last reading before exit is the peak up to then). `act`
/// runs once, `after` the start (to send a signal, say).
pub fn run_measured(mut cmd: Command, limit: Duration, act: Option<Act<'_>>) -> (Output, u64) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status_path = format!("/proc/{}/status", child.id());
    let start = Instant::now();
    let mut peak = 0;
    let mut acted = false;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kib) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some((after, f)) = &act
            && !acted
            && start.elapsed() >= *after
        {
            f(&child);
            acted = true;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    };
    (output, peak)
}
