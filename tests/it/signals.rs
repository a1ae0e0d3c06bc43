//! One stop mechanism for every long-running command: SIGINT and SIGTERM
//! print what was gathered and the summary, then exit 130 or 143; a closed
//! stdout ends a command at once; a stopped `--wait` never runs its
//! command, and a signal while the command runs is passed to it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::dns::silent_server;
use crate::support::{assert_schema, netkit};

/// A netkit child whose stdout lines are collected as they come.
struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = netkit()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn netkit");
        let out = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let reader = std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        Running {
            child,
            lines,
            reader: Some(reader),
        }
    }

    /// Waits (up to 10 s) until a line satisfies `pred`: the readiness
    /// signal, instead of a sleep.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let t = Instant::now();
        while !self.lines.lock().unwrap().iter().any(|l| pred(l)) {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "no {what}: {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn signal(&self, sig: i32) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }

    /// Waits (up to `limit`) for the exit; returns the code, every line,
    /// and how long after `since` it took.
    fn finish(mut self, limit: Duration, since: Instant) -> (i32, Vec<String>, Duration) {
        let code = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s.code().unwrap_or(-1);
            }
            if since.elapsed() > limit {
                let _ = self.child.kill();
                panic!(
                    "netkit did not exit within {limit:?}: {:?}",
                    self.lines.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let took = since.elapsed();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let lines = self.lines.lock().unwrap().clone();
        (code, lines, took)
    }
}

fn objects(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("a cut or broken line ({e}): {l}"));
            assert_schema(&v);
            v
        })
        .collect()
}

/// A slow scan stopped by SIGINT prints the probes it made and the summary,
/// then exits 130; stopped by SIGTERM, 143.
#[test]
fn a_scan_stopped_by_a_signal_prints_what_it_found() {
    for (sig, want) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let r = Running::start(&[
            "--json",
            "portcheck",
            "--rate",
            "50",
            "-p",
            "1-1000",
            "127.0.0.1",
        ]);
        r.wait_for("a first probe", |l| l.contains("\"type\":\"port\""));
        let t = Instant::now();
        r.signal(sig);
        let (code, lines, took) = r.finish(Duration::from_secs(3), t);
        assert_eq!(code, want, "signal {sig}");
        assert!(took < Duration::from_millis(1500), "took {took:?}");
        let v = objects(&lines);
        let last = v.last().unwrap();
        assert_eq!(
            (last["type"].as_str(), last["interrupted"].as_bool()),
            (Some("summary"), Some(true))
        );
        let probes = v.iter().filter(|o| o["type"] == "port").count() as u64;
        assert!(probes > 0 && probes < 1000, "{probes}");
        assert_eq!(
            last["probes"].as_u64(),
            Some(probes),
            "the summary counts what was printed"
        );
    }
}

/// Reverse look-ups that never answer: SIGINT ends the sweep at once with
/// its summary.
#[test]
fn a_sweep_stopped_by_sigint_prints_its_summary() {
    let silent = silent_server();
    let server = silent.addr().to_string();
    let r = Running::start(&[
        "--json",
        "rdns",
        "--timeout",
        "5s",
        "--server",
        &server,
        "192.0.2.0/28",
    ]);
    // Nothing is printed before the first answer: wait until it is ready.
    crate::support::wait_signal_handlers(r.child.id());
    let t = Instant::now();
    r.signal(libc::SIGINT);
    let (code, lines, took) = r.finish(Duration::from_secs(3), t);
    assert_eq!(code, 130);
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    let v = objects(&lines);
    assert_eq!(v.last().unwrap()["type"], "summary", "{lines:?}");
    assert_eq!(v.last().unwrap()["interrupted"], true);
}

/// diagnose stopped mid-request prints the phases that ended and its
/// summary, then 130.
#[test]
fn diagnose_stopped_mid_phase_prints_the_phases_so_far() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // A server that accepts and never answers.
    let hold = std::thread::spawn(move || {
        let c = l.accept();
        std::thread::sleep(Duration::from_secs(4));
        drop(c);
    });
    let url = format!("http://{addr}/");
    let r = Running::start(&["--json", "diagnose", "--timeout", "10s", &url]);
    r.wait_for("the connect phase", |l| l.contains("\"name\":\"connect\""));
    let t = Instant::now();
    r.signal(libc::SIGINT);
    let (code, lines, took) = r.finish(Duration::from_secs(3), t);
    assert_eq!(code, 130);
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    let v = objects(&lines);
    let names: Vec<&str> = v
        .iter()
        .filter(|o| o["type"] == "phase")
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert!(names.starts_with(&["resolve", "connect"]), "{names:?}");
    assert_eq!(v.last().unwrap()["type"], "summary");
    let _ = hold.join();
}

/// A DNS server that answers every query REFUSED, each after `delay`.
fn slow_refuser(delay: Duration) -> std::net::SocketAddr {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            if n < 12 {
                continue;
            }
            std::thread::sleep(delay);
            let mut reply = buf[..n].to_vec();
            reply[2] |= 0x80; // QR: a response
            reply[3] = (reply[3] & 0xf0) | 5; // REFUSED
            let _ = sock.send_to(&reply, from);
        }
    });
    addr
}

/// A batch of look-ups interrupted: every line printed is whole JSON, and
/// the names answered before the signal are there, in order.
#[test]
fn an_interrupted_batch_leaves_only_whole_lines() {
    let server = format!("@{}", slow_refuser(Duration::from_millis(100)));
    let dir = tempfile::tempdir().unwrap();
    let names = dir.path().join("names.txt");
    let mut f = std::fs::File::create(&names).unwrap();
    for i in 0..50 {
        writeln!(f, "n{i}.example.test").unwrap();
    }
    drop(f);
    let file = names.to_str().unwrap();
    let r = Running::start(&[
        "--json",
        "lookup",
        "--concurrency",
        "1",
        "-t",
        "A",
        "-f",
        file,
        &server,
    ]);
    r.wait_for("three answers", |l| l.contains("\"n2.example.test\""));
    let t = Instant::now();
    r.signal(libc::SIGINT);
    let (code, lines, took) = r.finish(Duration::from_secs(3), t);
    assert_eq!(code, 130);
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    // Every line parses (objects() panics on a cut line), in input order.
    let v = objects(&lines);
    assert!(v.len() >= 3 && v.len() < 50, "{}", v.len());
    for (i, o) in v.iter().enumerate() {
        assert_eq!(o["name"], format!("n{i}.example.test"));
        assert_eq!(o["status"], "refused");
    }
}

/// `| head -1` ends a long command at once, quietly, even one that prints
/// nothing until its summary.
#[test]
fn a_closed_stdout_ends_a_long_command_at_once() {
    let srv = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = srv.local_addr().unwrap();
    std::thread::spawn(move || {
        for c in srv.incoming().flatten() {
            std::thread::spawn(move || {
                let mut c = c;
                let mut r = c.try_clone().unwrap();
                let _ = std::io::copy(&mut r, &mut c);
            });
        }
    });
    let nk = crate::support::bin();
    let t = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" echo-client --count 100000 --interval 10ms {addr} | head -1",
            nk.display()
        ))
        .output()
        .unwrap();
    let took = t.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "head -1 should end it at once, took {took:?}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("ECHO "), "{text}");
    // The quiet case: throughput for 6 s prints nothing until the end.
    let t = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" echo-client --throughput --duration 6s {addr} | true",
            nk.display()
        ))
        .output()
        .unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A wait cancelled (a CI job) never runs the command; a signal while the
/// command runs goes to it, and netkit hands on its status.
#[test]
fn a_stopped_wait_never_runs_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("ran");
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr;
    let script = format!("touch {}", flag.display());
    let r = Running::start(&[
        "portcheck",
        "--wait",
        "--deadline",
        "20s",
        &closed.to_string(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    crate::support::wait_signal_handlers(r.child.id());
    let t = Instant::now();
    r.signal(libc::SIGTERM);
    let (code, _, took) = r.finish(Duration::from_secs(3), t);
    assert_eq!(code, 143);
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !flag.exists(),
        "the command ran although the wait was stopped"
    );

    // Ready at once; the command traps SIGINT and exits 7 on it.
    let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let started = dir.path().join("started");
    let script = format!(
        "trap 'exit 7' INT; touch {}; for i in $(seq 100); do sleep 0.05; done; exit 0",
        started.display()
    );
    let r = Running::start(&[
        "portcheck",
        "--wait",
        &open.local_addr().unwrap().to_string(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let t0 = Instant::now();
    while !started.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let t = Instant::now();
    r.signal(libc::SIGINT);
    let (code, _, _) = r.finish(Duration::from_secs(5), t);
    assert_eq!(
        code, 7,
        "SIGINT went to the command, and its status is netkit's"
    );
}

/// A command that cannot run fails before the wait starts, as a shell
/// reports it: 127 not found, 126 not executable.
#[test]
fn a_command_that_cannot_run_fails_before_waiting() {
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr.to_string();
    let t = Instant::now();
    let out = crate::support::run([
        "portcheck",
        "--wait",
        "--deadline",
        "30s",
        &closed,
        "--",
        "netkit-no-such-command",
    ]);
    assert_eq!(out.status.code(), Some(127));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "checked before waiting"
    );
    let err = crate::support::stderr(&out);
    assert!(
        err.starts_with("netkit: error: ") && err.contains("command not found"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "#!/bin/sh\n").unwrap();
    let out = crate::support::run([
        "portcheck",
        "--wait",
        &closed,
        "--",
        plain.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(126));
}

/// `timeout(1)` signals the child and then its whole group: two SIGTERMs
/// in quick succession. That is one stop: echo-server still drains and
/// prints its summary, echo-client its own (the second signal used to be
/// taken as "exit now", and the summary was cut off).
#[test]
fn the_same_signal_twice_at_once_is_one_stop() {
    for round in 0..3 {
        let server = Running::start(&[
            "--json",
            "echo-server",
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
            "--drain-timeout",
            "1s",
        ]);
        server.wait_for("listening", |l| l.contains("\"listening\""));
        let port = objects(&server.lines.lock().unwrap())[0]["local"]["port"]
            .as_u64()
            .unwrap()
            .to_string();
        let target = format!("127.0.0.1:{port}");
        let client = Running::start(&[
            "--json",
            "echo-client",
            "--count",
            "1000",
            "--interval",
            "10ms",
            &target,
        ]);
        client.wait_for("a reply", |l| l.contains("\"reply\""));
        // The server first, with a client connected: it drains.
        server.signal(libc::SIGTERM);
        std::thread::sleep(Duration::from_millis(30));
        server.signal(libc::SIGTERM);
        let (code, lines, _) = server.finish(Duration::from_secs(10), Instant::now());
        assert_eq!(code, 0, "round {round}: {lines:?}");
        let v = objects(&lines);
        assert_eq!(
            v.last().unwrap()["type"],
            "summary",
            "round {round}: {lines:?}"
        );
        client.signal(libc::SIGTERM);
        std::thread::sleep(Duration::from_millis(1));
        client.signal(libc::SIGTERM);
        let (code, lines, _) = client.finish(Duration::from_secs(5), Instant::now());
        assert!(code == 143 || code == 5, "round {round}: {code} {lines:?}");
        let v = objects(&lines);
        assert_eq!(
            v.last().unwrap()["type"],
            "summary",
            "round {round}: {lines:?}"
        );
    }
}
