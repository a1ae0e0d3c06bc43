//! A simulated far host behind a WAN link, for reachability tests: a TUN
//! device in the sandbox, and this process answering what the kernel routes
//! into it, after a delay with jitter, losing packets each way at random,
//! with a firewall's manners per port. The truth of every port is known, so
//! a scan's states can be checked one by one.
//!
//! Configured by one line (`NETKIT_SIM`), `key=value` words:
//! `delay_ms` (one way), `jitter_ms` (uniform, each way), `loss` (percent,
//! each way), `seed`, `open=`, `reject=` (ICMP admin-prohibited),
//! `drop=` port lists (`22,80,1000-1100`; the rest are closed: RST),
//! `syn_limit=RATE` (SYNs per second past a burst of RATE/10 are dropped,
//! as a firewall's SYN limit does). The host is 198.51.100.2 on `nksim0`;
//! the sandbox side is 198.51.100.1/24. IPv4 only.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// The simulated host's address.
pub const HOST: &str = "198.51.100.2";
/// The TUN device's name.
pub const DEVICE: &str = "nksim0";

/// The shell lines that start the simulated host (this test binary,
/// re-executed as the helper named `helper`) with `config`, and bring
/// its link up once it is there (with a long device queue: a burst of SYNs
/// waits for the simulated host instead of being dropped on the way).
pub fn start_script(helper: &str, config: &str) -> String {
    let me = std::env::current_exe().expect("test binary");
    format!(
        "NETKIT_SIM='{config}' NETKIT_SIM_READY=sim.ready '{}' --ignored --exact {helper} >sim.log 2>&1 &\n\
         for i in $(seq 250); do [ -e sim.ready ] && break; sleep 0.02; done\n\
         ip addr add 198.51.100.1/24 dev {DEVICE}\nip link set {DEVICE} txqueuelen 100000 up\n",
        me.display()
    )
}

#[derive(Debug, Default)]
struct Config {
    delay: Duration,
    jitter: Duration,
    loss: f64,
    seed: u64,
    open: Vec<(u16, u16)>,
    reject: Vec<(u16, u16)>,
    drop: Vec<(u16, u16)>,
    syn_limit: Option<f64>,
}

fn ranges(text: &str) -> Vec<(u16, u16)> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|r| match r.split_once('-') {
            Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
            None => (r.parse().unwrap(), r.parse().unwrap()),
        })
        .collect()
}

fn within(list: &[(u16, u16)], port: u16) -> bool {
    list.iter().any(|&(a, b)| (a..=b).contains(&port))
}

impl Config {
    fn parse(line: &str) -> Config {
        let mut c = Config {
            seed: 1,
            ..Config::default()
        };
        for word in line.split_whitespace() {
            let (k, v) = word.split_once('=').expect("key=value");
            match k {
                "delay_ms" => c.delay = Duration::from_secs_f64(v.parse::<f64>().unwrap() / 1e3),
                "jitter_ms" => c.jitter = Duration::from_secs_f64(v.parse::<f64>().unwrap() / 1e3),
                "loss" => c.loss = v.parse::<f64>().unwrap() / 100.0,
                "seed" => c.seed = v.parse().unwrap(),
                "open" => c.open = ranges(v),
                "reject" => c.reject = ranges(v),
                "drop" => c.drop = ranges(v),
                "syn_limit" => c.syn_limit = Some(v.parse().unwrap()),
                other => panic!("unknown simulation key {other}"),
            }
        }
        c
    }
}

/// xorshift64*: reproducible runs for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum = 0u32;
    for c in chunks {
        for pair in c.chunks(2) {
            let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
            sum += u32::from(word);
        }
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    let len = 20 + payload.len();
    let mut p = vec![0u8; 20];
    p[0] = 0x45;
    p[2..4].copy_from_slice(&(len as u16).to_be_bytes());
    p[6] = 0x40; // don't fragment
    p[8] = 64;
    p[9] = proto;
    p[12..16].copy_from_slice(&src);
    p[16..20].copy_from_slice(&dst);
    let c = checksum(&[&p]);
    p[10..12].copy_from_slice(&c.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

fn tcp(
    src: [u8; 4],
    dst: [u8; 4],
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
) -> Vec<u8> {
    let mut t = vec![0u8; 20];
    t[0..2].copy_from_slice(&sport.to_be_bytes());
    t[2..4].copy_from_slice(&dport.to_be_bytes());
    t[4..8].copy_from_slice(&seq.to_be_bytes());
    t[8..12].copy_from_slice(&ack.to_be_bytes());
    t[12] = 5 << 4;
    t[13] = flags;
    t[14..16].copy_from_slice(&(if flags & 0x04 == 0 { 65_535u16 } else { 0 }).to_be_bytes());
    let pseudo = [&src[..], &dst[..], &[0, 6], &(t.len() as u16).to_be_bytes()].concat();
    let c = checksum(&[&pseudo, &t]);
    t[16..18].copy_from_slice(&c.to_be_bytes());
    ipv4(src, dst, 6, &t)
}

const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// Runs the simulated host until killed. Not a test: the helpers call it.
pub fn serve() {
    let Ok(line) = std::env::var("NETKIT_SIM") else {
        return;
    };
    let cfg = Config::parse(&line);
    let mut tun = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .expect("open /dev/net/tun");
    #[repr(C)]
    struct IfReq {
        name: [u8; 16],
        flags: libc::c_short,
        pad: [u8; 22],
    }
    let mut req = IfReq {
        name: [0; 16],
        flags: (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short,
        pad: [0; 22],
    };
    req.name[..DEVICE.len()].copy_from_slice(DEVICE.as_bytes());
    // TUNSETIFF = _IOW('T', 202, int)
    let rc = unsafe { libc::ioctl(tun.as_raw_fd(), 0x4004_54ca, &mut req) };
    assert_eq!(rc, 0, "TUNSETIFF: {}", std::io::Error::last_os_error());
    if let Ok(ready) = std::env::var("NETKIT_SIM_READY") {
        std::fs::write(ready, "").unwrap();
    }
    let me: [u8; 4] = [198, 51, 100, 2];
    let mut rng = Rng(cfg.seed.max(1));
    let mut queue: BinaryHeap<Reverse<(Instant, u64, Vec<u8>)>> = BinaryHeap::new();
    let mut order = 0u64;
    let (mut tokens, mut refilled) = (cfg.syn_limit.map_or(0.0, |r| r / 10.0), Instant::now());
    let mut buf = vec![0u8; 65_536];
    loop {
        let now = Instant::now();
        while queue.peek().is_some_and(|Reverse((due, _, _))| *due <= now) {
            let Reverse((_, _, p)) = queue.pop().unwrap();
            let _ = tun.write(&p);
        }
        let wait_ms = queue.peek().map_or(1000, |Reverse((due, _, _))| {
            due.saturating_duration_since(now)
                .as_micros()
                .div_ceil(1000) as i32
        });
        let mut pfd = libc::pollfd {
            fd: tun.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        if unsafe { libc::poll(&mut pfd, 1, wait_ms) } <= 0 {
            continue;
        }
        let Ok(n) = tun.read(&mut buf) else { continue };
        let p = &buf[..n];
        if n < 40 || p[0] >> 4 != 4 || p[9] != 6 || p[16..20] != me {
            continue;
        }
        let ihl = usize::from(p[0] & 0x0f) * 4;
        let t = &p[ihl..];
        if t.len() < 20 || t[13] & (SYN | ACK) != SYN {
            continue; // only SYNs get answers; the rest is the client closing
        }
        if rng.next() < cfg.loss {
            continue; // lost on the way in
        }
        let src: [u8; 4] = p[12..16].try_into().unwrap();
        let sport = u16::from_be_bytes([t[0], t[1]]);
        let dport = u16::from_be_bytes([t[2], t[3]]);
        let seq = u32::from_be_bytes([t[4], t[5], t[6], t[7]]);
        if let Some(rate) = cfg.syn_limit {
            let now = Instant::now();
            tokens = (tokens + now.duration_since(refilled).as_secs_f64() * rate).min(rate / 10.0);
            refilled = now;
            if tokens < 1.0 {
                continue;
            }
            tokens -= 1.0;
        }
        let reply = if within(&cfg.drop, dport) {
            continue;
        } else if within(&cfg.reject, dport) {
            // ICMP destination unreachable, communication administratively
            // prohibited (type 3 code 13), quoting the header and 8 bytes.
            let mut icmp = vec![3u8, 13, 0, 0, 0, 0, 0, 0];
            icmp.extend_from_slice(&p[..ihl + 8]);
            let c = checksum(&[&icmp]);
            icmp[2..4].copy_from_slice(&c.to_be_bytes());
            ipv4(me, src, 1, &icmp)
        } else if within(&cfg.open, dport) {
            let isn = (rng.next() * f64::from(u32::MAX)) as u32;
            tcp(me, src, dport, sport, isn, seq.wrapping_add(1), SYN | ACK)
        } else {
            tcp(me, src, dport, sport, 0, seq.wrapping_add(1), RST | ACK)
        };
        if rng.next() < cfg.loss {
            continue; // lost on the way back
        }
        let jitter = |rng: &mut Rng| cfg.jitter.mul_f64(rng.next() * 2.0);
        let rtt =
            (cfg.delay * 2 + jitter(&mut rng) + jitter(&mut rng)).saturating_sub(cfg.jitter * 2);
        order += 1;
        queue.push(Reverse((Instant::now() + rtt, order, reply)));
    }
}
