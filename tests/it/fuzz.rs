//! Random argument lists through every subcommand, inside the namespace
//! sandbox (no route off the host): no panic, an exit code from the
//! contract, and no hang. It found the ::/0 overflow in portcheck.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{Sandbox, bin};

const SUBCOMMANDS: &[&str] = &[
    "pack",
    "services",
    "proto",
    "hostname",
    "addrinfo",
    "lookup",
    "fqdn",
    "rdns",
    "portcheck",
    "diagnose",
    "echo-client",
    "mcast-send",
    "mcast-recv",
];

const ATOMS: &[&str] = &[
    "",
    "-",
    "--",
    "0",
    "-1",
    "65536",
    "1.2.3.4",
    "::1",
    "[::1]:1",
    "127.0.0.1:1",
    "0x7f.1",
    "a..b",
    "\u{1b}[31m",
    "http://",
    "https://127.0.0.1:1/",
    "socks5://x",
    "1G",
    "0s",
    "1e9",
    "239.1.2.3:5",
    "[ff02::1]:5",
    "10.0.0.0/8",
    "::/0",
    "--json",
    "-q",
    "-v",
    "--color",
    "always",
    "-p",
    "-p-",
    "--timeout",
    "0.1s",
    "--count",
    "--interval",
    "--size",
    "-t",
    "ANY",
    "--server",
    "@127.0.0.1:1",
    "--unpack",
    "--htons",
    "--db",
    "/dev/null",
    "/etc",
    "--local",
    "--bind",
    "--udp",
    "--tcp",
    "--unix",
    "/nonexistent/x",
    "--proxy",
    "--bytes",
    "--connections",
    "--retries",
    "--rate",
    "--expect",
    "closed",
    "%",
    "\u{2603}",
    "\t",
];

/// Atoms no text list can hold: bytes that are not UTF-8, and arguments
/// of 65,536 bytes and more.
fn odd_atoms() -> Vec<OsString> {
    vec![
        OsString::from_vec(vec![0xff]),
        OsString::from_vec(b"127.0.0.\xff".to_vec()),
        OsString::from_vec(b"--\xfe\xff".to_vec()),
        OsString::from("a".repeat(65_536)),
        OsString::from("9".repeat(100_000)),
        OsString::from(format!("{}:80", "x.".repeat(40_000))),
        OsString::from(format!("-p{}", "1,".repeat(30_000))),
    ]
}

/// xorshift64*: a fixed sequence, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

#[test]
fn random_arguments_never_panic_or_hang() {
    let Some(sb) = Sandbox::new("cli fuzz") else {
        return;
    };
    let mut rng = Rng(0x6e65_746b_6974);
    let mut atoms: Vec<OsString> = ATOMS.iter().map(OsString::from).collect();
    atoms.extend(odd_atoms());
    for i in 0..300 {
        let mut args = vec![OsString::from(SUBCOMMANDS[rng.next(SUBCOMMANDS.len())])];
        for _ in 0..rng.next(6) {
            args.push(atoms[rng.next(atoms.len())].clone());
        }
        let start = Instant::now();
        let mut child = sb
            .command(
                "timeout",
                &[
                    ["-s", "KILL", "15"].map(OsString::from).to_vec(),
                    vec![bin().into_os_string()],
                    args.clone(),
                ]
                .concat(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = String::new();
        use std::io::Read;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        let code = status.code().unwrap_or(-1);
        assert!(
            !err.contains("panicked"),
            "case {i} {args:?} panicked: {err}"
        );
        assert!(
            [0, 1, 2, 3, 4, 5, 6].contains(&code),
            "case {i} {args:?}: exit {code}, stderr {err}"
        );
        assert!(
            err.len() < 8192,
            "case {i}: a {} byte error line",
            err.len()
        );
        assert!(
            start.elapsed() < Duration::from_secs(14),
            "case {i} {args:?} took {:?}",
            start.elapsed()
        );
    }
}
