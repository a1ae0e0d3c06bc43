//! UDP sockets shared by a batch's queries to one server, as dnsperf and
//! massdns use them: a socket per query costs a socket, a bind, a connect,
//! two epoll changes and a close (more kernel time than the query itself),
//! and a 64 KiB receive buffer per query in flight. Here a few connected
//! sockets (one per [`PER_SOCKET`] queries in flight) each carry many
//! queries; one task per socket reads every datagram into one buffer and
//! hands each reply to the query it answers: same ID (random, unique on the
//! socket while in flight) and same question (RFC 5452's checks, as for a
//! socket of its own). Anything else is dropped, so a forged or late
//! datagram is never taken for an answer.
//!
//! Used only when several queries are in flight (a batch or several
//! names); a single query keeps a socket of its own, as the system's stub
//! resolver does.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use super::wire::{Reply, WireName, peek_id};

/// Queries in flight per shared socket (the rest of the batch opens more).
pub const PER_SOCKET: usize = 64;
/// Most shared sockets per server.
pub const MAX_SOCKETS: usize = 64;
/// The receive buffer asked for each shared socket (the kernel may give
/// less: net.core.rmem_max).
const RECV_BUFFER: usize = 4 << 20;

/// What a reply must echo to be taken: the question.
pub struct Question {
    /// QNAME as sent.
    pub name: WireName,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS.
    pub qclass: u16,
}

/// What a query waiting on a shared socket gets.
#[derive(Debug)]
pub enum Delivery {
    /// Its reply.
    Reply(Reply),
    /// The error the socket reported (an ICMP port unreachable reaches
    /// every query waiting on the socket, as it would each socket of its
    /// own).
    Failed(io::ErrorKind),
    /// The server moved to TCP (it truncated or dropped answers): the
    /// query goes there now rather than waiting for a UDP answer.
    MovedToTcp,
}

struct Waiter {
    question: Question,
    /// Taken when the reply comes; the ID stays the query's until its
    /// registration drops, so a late copy never reaches a newer query.
    tx: Option<oneshot::Sender<Delivery>>,
}

struct Shared {
    sock: UdpSocket,
    /// Whether replies keep their records' canonical data (`--dnssec`).
    canonical: bool,
    /// By query ID. The IDs are netkit's own (random): Fx, not SipHash,
    /// hashes them (no peer chooses a key that is stored).
    waiting: Mutex<rustc_hash::FxHashMap<u16, Waiter>>,
}

/// A server's shared sockets for one batch.
pub struct UdpShare {
    addr: SocketAddr,
    socks: Vec<Arc<Shared>>,
    next: AtomicUsize,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for UdpShare {
    fn drop(&mut self) {
        for r in &self.readers {
            r.abort();
        }
    }
}

/// A query registered on a shared socket; dropping it (an answer, a
/// timeout, a cancelled batch) frees its ID.
pub struct Registration {
    shared: Arc<Shared>,
    id: u16,
    /// The reply, or the socket's error.
    pub rx: oneshot::Receiver<Delivery>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.shared.waiting).remove(&self.id);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl UdpShare {
    /// Opens sockets for `in_flight` queries to `addr` and starts their
    /// readers (on the current runtime).
    /// Replies keep their records' canonical data ([`Reply::parse_with`])
    /// only if `canonical` (a batch that validates).
    pub fn open(
        addr: SocketAddr,
        local: SocketAddr,
        in_flight: usize,
        canonical: bool,
    ) -> io::Result<UdpShare> {
        let n = in_flight.div_ceil(PER_SOCKET).clamp(1, MAX_SOCKETS);
        let mut socks = Vec::with_capacity(n);
        let mut readers = Vec::with_capacity(n);
        for _ in 0..n {
            let s = socket2::Socket::new(
                socket2::Domain::for_address(addr),
                socket2::Type::DGRAM,
                Some(socket2::Protocol::UDP),
            )?;
            // Best effort: a smaller buffer only means more retries.
            let _ = s.set_recv_buffer_size(RECV_BUFFER);
            s.set_nonblocking(true)?;
            s.bind(&local.into())?;
            s.connect(&addr.into())?;
            let shared = Arc::new(Shared {
                sock: UdpSocket::from_std(s.into())?,
                canonical,
                waiting: Mutex::new(rustc_hash::FxHashMap::default()),
            });
            readers.push(tokio::spawn(read(Arc::clone(&shared))));
            socks.push(shared);
        }
        Ok(UdpShare {
            addr,
            socks,
            next: AtomicUsize::new(0),
            readers,
        })
    }

    /// The server address the sockets are connected to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers a query on the next socket under `id` if that ID is free
    /// there, else under a random free one, and returns the registration
    /// (its [`Registration::id`] is the one to send).
    pub fn register(&self, id: u16, question: Question) -> Registration {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.socks.len();
        let shared = Arc::clone(&self.socks[i]);
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut w = lock(&shared.waiting);
            let mut id = id;
            // At most PER_SOCKET-ish of 65,536 taken: a free one is near.
            while w.contains_key(&id) {
                id = crate::sys::random_u64() as u16;
            }
            w.insert(
                id,
                Waiter {
                    question,
                    tx: Some(tx),
                },
            );
            id
        };
        Registration { shared, id, rx }
    }
}

impl Registration {
    /// The ID the query must carry.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// Sends the query on the registration's socket. An error there is
    /// the socket's (a pending ICMP error is reported by whichever call
    /// comes first), so every query waiting on it hears it.
    pub async fn send(&self, query: &[u8]) -> io::Result<usize> {
        let sent = self.shared.sock.send(query).await;
        if let Err(e) = &sent {
            self.shared.fail_all(e.kind());
        }
        sent
    }
}

impl Shared {
    fn fail_all(&self, kind: io::ErrorKind) {
        self.tell_all(|| Delivery::Failed(kind));
    }

    fn tell_all(&self, what: impl Fn() -> Delivery) {
        for w in lock(&self.waiting).values_mut() {
            if let Some(tx) = w.tx.take() {
                let _ = tx.send(what());
            }
        }
    }
}

impl UdpShare {
    /// The server moved to TCP: every query waiting here hears it (one
    /// registered after this sees the link's flag instead).
    pub fn moved_to_tcp(&self) {
        for s in &self.socks {
            s.tell_all(|| Delivery::MovedToTcp);
        }
    }
}

/// Reads every datagram of one shared socket and hands each answer to its
/// query.
async fn read(shared: Arc<Shared>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = match shared.sock.recv(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                // An ICMP error, reported on the socket: every query waiting
                // on it hears it.
                shared.fail_all(e.kind());
                continue;
            }
        };
        let msg = &buf[..n];
        let Some((id, true)) = peek_id(msg) else {
            continue;
        };
        if lock(&shared.waiting)
            .get(&id)
            .is_none_or(|w| w.tx.is_none())
        {
            continue;
        }
        let Ok(reply) = Reply::parse_with(msg, shared.canonical) else {
            continue;
        };
        let mut w = lock(&shared.waiting);
        let Some(q) = w.get_mut(&id) else { continue };
        let asked = reply.question.as_ref().is_none_or(|rq| {
            rq.name.eq_ignore_case(&q.question.name)
                && rq.qtype == q.question.qtype
                && rq.qclass == q.question.qclass
        });
        if asked && let Some(tx) = q.tx.take() {
            let _ = tx.send(Delivery::Reply(reply));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A move to TCP reaches every query waiting on the shared sockets, and
    /// a late reply for one of them is not taken after it.
    #[test]
    fn a_move_to_tcp_reaches_every_waiting_query() {
        let rt = crate::sys::runtime::current_thread().unwrap();
        rt.block_on(async {
            let server = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let addr = server.local_addr().unwrap();
            let share = UdpShare::open(addr, "127.0.0.1:0".parse().unwrap(), 130, false).unwrap();
            let question = || Question {
                name: WireName::from_text("a.test.").unwrap(),
                qtype: 1,
                qclass: 1,
            };
            let mut regs: Vec<Registration> =
                (0..130).map(|i| share.register(i, question())).collect();
            share.moved_to_tcp();
            for r in &mut regs {
                let got = tokio::time::timeout(std::time::Duration::from_secs(1), &mut r.rx).await;
                assert!(matches!(got, Ok(Ok(Delivery::MovedToTcp))), "{got:?}");
            }
        });
    }
}
