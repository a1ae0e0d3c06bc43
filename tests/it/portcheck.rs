//! portcheck: states on loopback, and, in the namespace sandbox, a full
//! scan with no phantom ports, unreachable/prohibited routes, a full accept
//! queue, a forced self-connect, local binds, --wait and banners.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Sandbox, assert_usage_error, code, json_lines, run, stderr, stdout};

fn check(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["--json", "portcheck"];
    all.extend_from_slice(args);
    let out = run(&all);
    (code(&out), json_lines(&out))
}

#[test]
fn open_and_closed_on_loopback() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = l.local_addr().unwrap().port();
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr.port();
    let (rc, v) = check(&[&format!("127.0.0.1:{open}")]);
    assert_eq!(rc, 0);
    assert_eq!(
        (v[0]["state"].as_str(), v[0]["port"].as_u64()),
        (Some("open"), Some(u64::from(open)))
    );
    assert_eq!(v.last().unwrap()["type"], "summary");
    // A scan that completes exits 0 and reports the states; --expect makes
    // it a check.
    let (rc, v) = check(&["-p", &format!("{open},{closed}"), "127.0.0.1"]);
    assert_eq!(rc, 0, "a scan that completes");
    let (rc_check, _) = check(&[
        "--expect",
        "open",
        "-p",
        &format!("{open},{closed}"),
        "127.0.0.1",
    ]);
    assert_eq!(rc_check, 1, "--expect open: one port is closed");
    // One HOST:PORT, or HOST PORT as nc -z takes it, is a check.
    let (rc_one, v_one) = check(&["127.0.0.1", &closed.to_string()]);
    assert_eq!(rc_one, 1, "nc -z style: the one port is closed");
    assert_eq!(v_one[0]["port"].as_u64(), Some(u64::from(closed)));
    let states: Vec<(u64, &str, Option<&str>)> = v[..2]
        .iter()
        .map(|p| {
            (
                p["port"].as_u64().unwrap(),
                p["state"].as_str().unwrap(),
                p["reason"].as_str(),
            )
        })
        .collect();
    let want = vec![
        (u64::from(open), "open", None),
        (u64::from(closed), "closed", Some("refused")),
    ];
    assert_eq!(states, want);
    let (rc, _) = check(&["--expect", "closed", &format!("127.0.0.1:{closed}")]);
    assert_eq!(rc, 0, "--expect closed");
    // HOST:PORT targets are probed at their own port; the others at -p's.
    let (rc, v) = check(&["-p", "http", "::1", &format!("127.0.0.1:{open}")]);
    let got: Vec<(&str, u64)> = v[..2]
        .iter()
        .map(|p| (p["address"].as_str().unwrap(), p["port"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, vec![("::1", 80), ("127.0.0.1", u64::from(open))]);
    assert_eq!(
        (rc, v[0]["service"].as_str()),
        (0, Some("http")),
        "two targets: a scan"
    );
    // After HOST's colon, -p's whole syntax: a list, a range, a name.
    let (rc, v) = check(&[&format!("127.0.0.1:{open},{closed}")]);
    let got: Vec<(u64, &str)> = v[..2]
        .iter()
        .map(|p| (p["port"].as_u64().unwrap(), p["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        (rc, got),
        (
            0,
            vec![(u64::from(open), "open"), (u64::from(closed), "closed")]
        )
    );
    let (lo, hi) = (open.min(65_532), open.min(65_532) + 3);
    let (_, v) = check(&[&format!("[::1]:{lo}-{hi}"), "--timeout", "1s"]);
    let summary = v.last().unwrap();
    assert_eq!(
        summary["probes"].as_u64(),
        Some(u64::from(hi - lo) + 1),
        "{summary}"
    );
    let (_, v) = check(&["127.0.0.1:http"]);
    assert_eq!(v[0]["port"].as_u64(), Some(80));
    // Each target's own list is kept: many `HOST:-` are refused up front.
    let many: Vec<String> = (0..17).map(|i| format!("127.0.0.{i}:-")).collect();
    let mut args = vec!["portcheck"];
    args.extend(many.iter().map(String::as_str));
    let out = run(&args);
    crate::support::assert_usage_error(&out, "many HOST:- targets");
    assert!(
        stderr(&out).contains("ports in HOST:PORTS targets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn full_scan_reports_exactly_the_listeners() {
    let Some(sb) = Sandbox::new("portcheck full scan") else {
        return;
    };
    // A fresh namespace has no listeners but ours.
    let script = "python3 -c \"\nimport socket,time\nls=[]\nfor p in (22, 8080, 40001, 65535):\n    \
                  s=socket.socket(); s.bind(('127.0.0.1',p)); s.listen(64); ls.append(s)\nopen('ready','w').close()\ntime.sleep(30)\" & p=$!\n\
                  for i in $(seq 200); do [ -e ready ] && break; sleep 0.02; done\n\
                  \"$NK\" --json portcheck -p- 127.0.0.1 > scan.json; echo $? > scan.rc\n\
                  \"$NK\" portcheck -p- 127.0.0.1 > scan.txt\n\
                  kill $p\n";
    let out = sb.shell(script);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<Value> = sb
        .read("scan.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 65_536, "one object per port and a summary");
    let open: Vec<u64> = lines
        .iter()
        .filter(|p| p["state"] == "open")
        .map(|p| p["port"].as_u64().unwrap())
        .collect();
    assert_eq!(open, vec![22, 8080, 40001, 65535]);
    let s = lines.last().unwrap();
    assert_eq!(
        (
            s["open"].as_u64(),
            s["closed"].as_u64(),
            s["filtered"].as_u64()
        ),
        (Some(4), Some(65_531), Some(0))
    );
    assert_eq!(
        sb.read("scan.rc").trim(),
        "0",
        "a scan that completes exits 0, closed ports or not"
    );
    let human = sb.read("scan.txt");
    assert_eq!(
        human.lines().count(),
        6,
        "header, four open ports, summary: {human}"
    );
    assert!(human.contains("22/tcp") && human.contains("ssh"));
}

#[test]
fn unreachable_prohibited_and_filtered() {
    let Some(sb) = Sandbox::new("portcheck routes") else {
        return;
    };
    let script = "ip route add unreachable 198.51.100.0/24\nip route add prohibit 203.0.113.0/24\n\
                  python3 -c \"\nimport socket,time\nl=socket.socket(); l.bind(('127.0.0.1',5555)); l.listen(0)\ncs=[]\n\
                  for i in range(3):\n    c=socket.socket(); c.setblocking(False); c.connect_ex(('127.0.0.1',5555)); cs.append(c)\n\
                  open('ready','w').close()\ntime.sleep(10)\" & p=$!\n\
                  for i in $(seq 200); do [ -e ready ] && break; sleep 0.02; done\n\
                  \"$NK\" --json portcheck --timeout 0.5s 192.0.2.1:80 198.51.100.1:80 203.0.113.1:80 127.0.0.1:5555 > r.json\n\
                  kill $p\n";
    sb.shell(script);
    let v: Vec<Value> = sb
        .read("r.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(&str, &str, &str)> = v[..4]
        .iter()
        .map(|p| {
            (
                p["address"].as_str().unwrap(),
                p["state"].as_str().unwrap(),
                p["reason"].as_str().unwrap(),
            )
        })
        .collect();
    let want = vec![
        ("192.0.2.1", "unreachable", "net_unreachable"),
        ("198.51.100.1", "unreachable", "host_unreachable"),
        ("203.0.113.1", "unreachable", "prohibited"),
        ("127.0.0.1", "filtered", "timeout"),
    ];
    assert_eq!(
        got, want,
        "in input order; a full accept queue drops SYNs: filtered"
    );
}

#[test]
fn a_self_connect_is_never_open() {
    let Some(sb) = Sandbox::new("portcheck self-connect") else {
        return;
    };
    // With a one-port ephemeral range, a connect to that port from this
    // host lands on itself (TCP simultaneous open).
    let out = sb.shell("sysctl -qw net.ipv4.ip_local_port_range='40000 40000'\n\"$NK\" --json portcheck 127.0.0.1:40000\n");
    let v = json_lines(&out);
    assert_eq!(
        (v[0]["state"].as_str(), v[0]["reason"].as_str()),
        (Some("closed"), Some("self_connect")),
        "{v:?}"
    );
    assert_eq!(code(&out), 1);
}

#[test]
fn local_binds() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let out = run(["--json", "portcheck", "--local", &port]);
    assert_eq!(code(&out), 1, "in use on 127.0.0.1");
    let v = json_lines(&out);
    let got: Vec<(&str, Option<&str>, &str)> = v
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap(),
                c["mode"].as_str(),
                c["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("0.0.0.0", None, "in_use"),
            ("::", Some("v6only"), "free"),
            ("::", Some("dual_stack"), "in_use"),
            ("127.0.0.1", None, "in_use")
        ]
    );
    drop(l);
    let out = run([
        "--json",
        "portcheck",
        "--local",
        "--bind",
        "127.0.0.1",
        &port,
    ]);
    assert_eq!(
        (code(&out), json_lines(&out)[0]["status"].as_str()),
        (0, Some("free"))
    );
    let u = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let uport = u.local_addr().unwrap().port().to_string();
    let out = run([
        "--json",
        "portcheck",
        "--local",
        "--udp",
        "--bind",
        "127.0.0.1",
        &uport,
    ]);
    assert_eq!(
        (code(&out), json_lines(&out)[0]["protocol"].as_str()),
        (1, Some("udp"))
    );
}

#[test]
fn wait_then_run_the_command() {
    let probe = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let opener = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_secs(3));
        drop(l);
    });
    let start = Instant::now();
    let out = run([
        "portcheck",
        "--wait",
        "--deadline",
        "5s",
        &format!("127.0.0.1:{port}"),
        "--",
        "sh",
        "-c",
        "echo ran; exit 3",
    ]);
    let took = start.elapsed();
    assert_eq!(code(&out), 3, "the command's status: {}", stderr(&out));
    assert!(stdout(&out).ends_with("ran\n"));
    assert!(
        took >= Duration::from_millis(550) && took < Duration::from_secs(5),
        "{took:?}"
    );
    opener.join().unwrap();
    // Never open: the deadline passes, the command does not run.
    let start = Instant::now();
    let out = run([
        "portcheck",
        "--wait",
        "--deadline",
        "0.8s",
        &format!("127.0.0.1:{port}"),
        "--",
        "sh",
        "-c",
        "echo ran",
    ]);
    // A timeout (4), said while waiting (stderr, one line per change of
    // state off a terminal) and at the end.
    assert_eq!(code(&out), 4);
    assert!(!stdout(&out).contains("ran"));
    assert!(
        stdout(&out).contains(&format!(
            "gave up after 800 ms: still not ready: 127.0.0.1:{port} refused"
        )),
        "{}",
        stdout(&out)
    );
    let err = crate::support::stderr(&out);
    assert!(
        err.starts_with(&format!(
            "netkit: waiting for 127.0.0.1:{port} refused (poll 1"
        )),
        "{err}"
    );
    assert_eq!(
        err.lines().count(),
        1,
        "one line per change of state: {err}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
}

#[test]
fn banners_are_read_and_escaped() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        for _ in 0..2 {
            if let Ok((mut c, _)) = l.accept() {
                use std::io::Write;
                let _ = c.write_all(b"SSH-2.0-netkit-test\x1b[31m\r\n");
            }
        }
    });
    let (rc, v) = check(&["--banner", &format!("127.0.0.1:{port}")]);
    assert_eq!(rc, 0);
    assert_eq!(v[0]["banner"], "SSH-2.0-netkit-test\u{1b}[31m\r\n");
    let human = stdout(&run([
        "portcheck",
        "--banner",
        &format!("127.0.0.1:{port}"),
    ]));
    assert!(human.contains("SSH-2.0-netkit-test\\x1b[31m"), "{human}");
    assert!(!human.contains('\x1b'));
    t.join().unwrap();
}

#[test]
fn cidr_names_and_limits() {
    // A block no other test listens on: a parallel test's listener on
    // 127.0.0.1 may get the same port number (it did in CI).
    let l = TcpListener::bind("127.0.0.201:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let (rc, v) = check(&["-p", &port, "127.0.0.200/30"]);
    assert_eq!(rc, 0, "a scan");
    let open: Vec<&str> = v
        .iter()
        .filter(|p| p["state"] == "open")
        .map(|p| p["address"].as_str().unwrap())
        .collect();
    assert_eq!(open, vec!["127.0.0.201"]);
    assert_eq!(v.iter().filter(|p| p["type"] == "port").count(), 4, "{v:?}");
    assert_usage_error(
        &run(["portcheck", "-p", "80", "10.0.0.0/15"]),
        "too many addresses",
    );
    let Some(sb) = Sandbox::new("portcheck unresolvable") else {
        return;
    };
    let sb = sb
        .etc("hosts", "127.0.0.1 localhost\n")
        .etc("resolv.conf", "nameserver 127.0.0.1\n");
    let out = sb.netkit(&["--json", "portcheck", "-p", "80", "nosuch.example.test"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["type"], "target");
}

#[test]
fn usage_errors() {
    let cases: &[&[&str]] = &[
        &["portcheck"][..],
        &["portcheck", "127.0.0.1"],
        &["portcheck", "-p", "0", "127.0.0.1"],
        &["portcheck", "-p", "99999", "127.0.0.1"],
        &["portcheck", "-p", "nosuchservice", "127.0.0.1"],
        &["portcheck", "127.0.0.1:0"],
        &["portcheck", "[::1", "-p", "22"],
        &["portcheck", "--timeout", "0", "127.0.0.1:22"],
        &["portcheck", "--local"],
        &["portcheck", "--local", "x"],
        &["portcheck", "127.0.0.1:22", "--", "true"],
        &["portcheck", "--rate", "0", "127.0.0.1:22"],
        &["portcheck", "-4", "-6", "127.0.0.1:22"],
    ];
    crate::support::assert_usage_errors_say("portcheck", cases);
}

#[test]
fn rate_paces_and_retries_count() {
    let start = Instant::now();
    let (rc, v) = check(&["--rate", "200", "-p", "40000-40099", "127.0.0.1"]);
    let took = start.elapsed();
    assert_eq!(rc, 0);
    assert_eq!(v.len(), 101);
    assert!(
        took >= Duration::from_millis(450),
        "100 connections at 200/s take about 0.5 s: {took:?}"
    );
    let Some(sb) = Sandbox::new("portcheck retries") else {
        return;
    };
    let out = sb.shell("ip route add blackhole 192.0.2.0/24\n\"$NK\" --json portcheck --retries 2 --timeout 0.2s 192.0.2.1:80\n");
    let v = json_lines(&out);
    assert_eq!(
        (v[0]["attempts"].as_u64(), v[0]["state"].as_str()),
        (Some(3), Some("error")),
        "{v:?}"
    );
}

/// More in flight than the open-file limit allows is lowered, with one
/// warning, and every probe still gets a real answer (no `fd_limit`
/// errors); a load that cannot fit at all is refused up front (exit 6).
#[test]
fn concurrency_is_fitted_to_the_open_file_limit() {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port();
    let nk = crate::support::bin();
    let sh = |cmd: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -n 200 && exec {cmd}"))
            .output()
            .unwrap()
    };
    let out = sh(&format!(
        "\"{}\" --json portcheck 127.0.0.1 -p 1-1000,{port} --concurrency 5000",
        nk.display()
    ));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("netkit: warning: --concurrency 5000 lowered to 136"),
        "{err}"
    );
    let lines = json_lines(&out);
    let summary = lines.last().unwrap();
    assert_eq!(summary["errors"], 0, "{summary}");
    assert_eq!(summary["closed"], 1000, "{summary}");
    assert_eq!(summary["open"], 1, "{summary}");
    // echo-client: 500 connections cannot fit in 200 descriptors.
    let out = sh(&format!(
        "\"{}\" echo-client --connections 500 --count 1 127.0.0.1:{port}",
        nk.display()
    ));
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--connections 500 needs"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1);
    // lookup -f: lowered with the same warning.
    let dir = tempfile::tempdir().unwrap();
    let names = dir.path().join("names");
    std::fs::write(&names, "a.invalid\n").unwrap();
    let out = sh(&format!(
        "\"{}\" lookup -f {} --concurrency 10000 --timeout 0.2s @127.0.0.1:{port}",
        nk.display(),
        names.display()
    ));
    assert!(
        stderr(&out).starts_with("netkit: warning: --concurrency 10000 lowered to 136"),
        "{}",
        stderr(&out)
    );
}

/// `--prom-file` on portcheck: one series per port and the counts.
#[test]
fn prom_file_has_a_series_per_port() {
    let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let prom = dir.path().join("pc.prom");
    let ports = format!("{},{closed}", open.local_addr().unwrap().port());
    let out = crate::support::run([
        "portcheck",
        "-p",
        &ports,
        "--prom-file",
        prom.to_str().unwrap(),
        "--expect",
        "open",
        "127.0.0.1",
    ]);
    assert_eq!(crate::support::code(&out), 1);
    let s = crate::diagnose::prom_samples(&std::fs::read_to_string(&prom).unwrap());
    let open_port = format!("port=\"{}\"", open.local_addr().unwrap().port());
    assert!(
        s.iter().any(|(k, v)| k.starts_with("netkit_port_open{")
            && k.contains(&open_port)
            && *v == 1.0),
        "{s:?}"
    );
    assert!(s.iter().any(|(k, v)| k.starts_with("netkit_port_open{")
        && k.contains(&format!("port=\"{closed}\""))
        && *v == 0.0));
    assert!(
        s.iter()
            .any(|(k, v)| k == "netkit_portcheck_ports{state=\"closed\"}" && *v == 1.0)
    );
    assert!(s.iter().any(|(k, v)| k == "probe_success" && *v == 0.0));
}

/// `--wait` resolves names on every poll: a name that appears in
/// /etc/hosts after the first poll (a container coming up) is seen, and
/// the wait ends as soon as it is ready (here: its port refuses, as
/// `--expect closed` asks).
#[test]
fn wait_sees_a_name_that_appears_later() {
    let Some(sb) = Sandbox::new("wait sees a late name") else {
        return;
    };
    let sb = sb
        .etc("hosts", "127.0.0.1 localhost\n")
        .etc("nsswitch.conf", "hosts: files\n");
    let out = sb.shell(
        "(sleep 0.7; echo '127.0.0.1 late.test' >> /etc/hosts) &\n\
         s=$(date +%s%N); \"$NK\" --json portcheck --wait --deadline 5s --expect closed late.test:9 > w.json; echo $? > w.rc\n\
         echo $(( ($(date +%s%N) - s) / 1000000 )) > w.ms\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sb.read("w.rc").trim(), "0", "{}", sb.read("w.json"));
    let ms: u64 = sb.read("w.ms").trim().parse().unwrap();
    assert!((600..4000).contains(&ms), "took {ms} ms");
    let last: Value = serde_json::from_str(sb.read("w.json").lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    assert!(last["polls"].as_u64().unwrap() > 1, "{last}");
}

/// The simulated far host, run inside a sandbox by re-executing this test
/// binary. Not a test: it serves until killed, and only when asked to.
#[test]
#[ignore = "helper: the simulated far host of the WAN tests"]
fn zz_sim_host_helper() {
    crate::support::simhost::serve();
}

/// Scans the simulated far host (configured by `sim`) with `args`; returns
/// the JSON lines and how long the scan took.
fn wan_scan(test: &str, sim: &str, args: &str) -> Option<(Vec<Value>, Duration, String)> {
    let sb = Sandbox::new(test)?;
    let script = format!(
        "{}s=$(date +%s%N)\n\"$NK\" --json portcheck {args} {} > scan.json 2> scan.err\n\
         echo $(( ($(date +%s%N) - s) / 1000000 )) > took\n",
        crate::support::simhost::start_script("portcheck::zz_sim_host_helper", sim),
        crate::support::simhost::HOST
    );
    let out = sb.shell_within(&script, 120);
    let took = Duration::from_millis(sb.read("took").trim().parse().unwrap_or(u64::MAX / 2));
    let lines = sb
        .read("scan.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let log = format!(
        "{}{}{}",
        stderr(&out),
        sb.read("scan.err"),
        sb.read("sim.log")
    );
    Some((lines, took, log))
}

/// Every port's state (and reason) against the truth: `(state, reason)` for
/// a port, from the simulated host's configuration.
fn wrong_states(
    lines: &[Value],
    truth: impl Fn(u16) -> (&'static str, &'static str),
) -> Vec<String> {
    lines
        .iter()
        .filter(|v| v["type"] == "port")
        .filter_map(|v| {
            let port = v["port"].as_u64().unwrap() as u16;
            let got = (
                v["state"].as_str().unwrap_or(""),
                v["reason"].as_str().unwrap_or(""),
            );
            (got != truth(port)).then(|| format!("{port}: {got:?} not {:?}", truth(port)))
        })
        .collect()
}

/// 100 ms of round trip, 1% loss each way, a firewall that drops some
/// ports and rejects others with ICMP admin-prohibited: every one of 2,000
/// ports in its true state, in a fraction of the fixed-timeout time.
#[test]
fn wan_scan_is_exact_under_delay_and_loss() {
    let sim = "delay_ms=50 jitter_ms=1 loss=1 seed=11 open=22,80,443,8000-8009 \
               reject=25,110-119 drop=135-139,445,1000-1099";
    let Some((lines, took, log)) = wan_scan("portcheck over a lossy WAN", sim, "-p 1-2000") else {
        return;
    };
    let truth = |p: u16| match p {
        22 | 80 | 443 | 8000..=8009 => ("open", ""),
        25 | 110..=119 => ("unreachable", "prohibited"),
        135..=139 | 445 | 1000..=1099 => ("filtered", "timeout"),
        _ => ("closed", "refused"),
    };
    assert_eq!(lines.len(), 2001, "{log}");
    let wrong = wrong_states(&lines, truth);
    assert!(wrong.is_empty(), "{} wrong: {wrong:?}\n{log}", wrong.len());
    eprintln!("wan scan: {took:?}, {}", lines.last().unwrap());
    // About 2 s alone; with the rest of the suite on the same two cores
    // the simulated host falls behind, its queue drops packets and the
    // scan rightly slows down (17 s seen): the bound only catches a hang.
    assert!(took < Duration::from_secs(60), "{took:?}");
    let retried = lines
        .iter()
        .filter(|v| {
            v["type"] == "port" && v["state"] != "filtered" && v["attempts"].as_u64() > Some(1)
        })
        .count();
    assert!(
        retried > 0,
        "1% loss each way: some answers needed a retransmission"
    );
}

/// A firewall's SYN limit (2,000 a second past a burst) drops most of a
/// burst of SYNs: the scan slows down instead of calling closed ports
/// filtered.
#[test]
fn a_syn_limit_slows_the_scan_down() {
    let sim = "delay_ms=1 syn_limit=2000 open=7000-7009";
    let Some((lines, took, log)) = wan_scan("portcheck under a SYN limit", sim, "-p 5001-9000")
    else {
        return;
    };
    let truth = |p: u16| match p {
        7000..=7009 => ("open", ""),
        _ => ("closed", "refused"),
    };
    assert_eq!(lines.len(), 4001, "{log}");
    let wrong = wrong_states(&lines, truth);
    assert!(wrong.is_empty(), "{} wrong: {wrong:?}\n{log}", wrong.len());
    let summary = lines.last().unwrap();
    assert!(summary["slowdowns"].as_u64() > Some(0), "{summary}");
    eprintln!("syn limit: {took:?}, {summary}");
    assert!(
        took >= Duration::from_millis(1500),
        "4,000 SYNs at 2,000/s: {took:?}"
    );
    // 2.3-2.7 s in 14 runs here (debug build), paced at the rate the
    // answers came at; 2-4 s, once 12.8 s in ten runs, when a slowdown
    // took 30% off the pace before; 8.2 s and 14 s in 9 runs when a
    // slowdown trusted answers slowed by a scan with little left to send
    // (now a slowdown at most halves the pace); 40 s when every late drop
    // of the first burst halved the window again (no recovery point).
    assert!(took < Duration::from_secs(7), "over-reacted: {took:?}");
}

/// A filtered port among answered ones waits for the round-trip estimate
/// those answers give, not for --timeout; --open lists only open ports, in
/// --json too, and still counts the rest.
#[test]
fn a_filtered_port_costs_the_estimate_not_the_timeout() {
    let Some(sb) = Sandbox::new("portcheck adaptive timeout") else {
        return;
    };
    let script = "python3 -c \"\nimport socket,time\nl=socket.socket(); l.bind(('127.0.0.1',5555)); l.listen(0)\ncs=[]\n\
                  for i in range(3):\n    c=socket.socket(); c.setblocking(False); c.connect_ex(('127.0.0.1',5555)); cs.append(c)\n\
                  o=socket.socket(); o.bind(('127.0.0.1',5560)); o.listen(64)\n\
                  open('ready','w').close()\ntime.sleep(20)\" & p=$!\n\
                  for i in $(seq 200); do [ -e ready ] && break; sleep 0.02; done\n\
                  s=$(date +%s%N)\n\
                  \"$NK\" --json portcheck --timeout 8s -p 5500-5600 127.0.0.1 > all.json\n\
                  echo $(( ($(date +%s%N) - s) / 1000000 )) > took\n\
                  \"$NK\" --json portcheck --open --timeout 8s -p 5500-5600 127.0.0.1 > open.json\n\
                  \"$NK\" portcheck --open --timeout 8s -p 5500-5600 127.0.0.1 > open.txt\n\
                  kill $p\n";
    sb.shell_within(script, 60);
    let all: Vec<Value> = sb
        .read("all.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let state = |port: u64| {
        all.iter()
            .find(|v| v["type"] == "port" && v["port"] == port)
            .map(|v| v["state"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(state(5555).as_deref(), Some("filtered"), "{all:?}");
    assert_eq!(state(5560).as_deref(), Some("open"));
    assert_eq!(state(5501).as_deref(), Some("closed"));
    let took: u64 = sb.read("took").trim().parse().unwrap();
    eprintln!("101 ports, one filtered: {took} ms");
    assert!(
        took < 3000,
        "one filtered port among 101 on loopback took {took} ms with --timeout 8s"
    );
    let open: Vec<Value> = sb
        .read("open.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ports: Vec<&Value> = open.iter().filter(|v| v["type"] == "port").collect();
    assert_eq!(ports.len(), 1, "--open: only the open port: {open:?}");
    assert_eq!(ports[0]["port"], 5560);
    let summary = open.last().unwrap();
    assert_eq!(
        (
            summary["open"].as_u64(),
            summary["closed"].as_u64(),
            summary["filtered"].as_u64()
        ),
        (Some(1), Some(99), Some(1)),
        "{summary}"
    );
    let human = sb.read("open.txt");
    assert_eq!(
        human.lines().count(),
        3,
        "header, the open port, summary: {human}"
    );
    assert!(human.contains("100 not shown (--open)"), "{human}");
}

/// An HTTP server on loopback answering `first` to its first `n` requests,
/// then 200.
fn flaky_http(first: u16, n: usize) -> std::net::SocketAddr {
    let served = std::sync::atomic::AtomicUsize::new(0);
    crate::support::peers::http_peer(move |_| {
        let i = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let status = if i < n { first } else { 200 };
        format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    })
}

/// --wait on http://, https://, tls:// and unix: targets: each ready only
/// when its protocol says so, one JSON result per check with the last
/// failure, all of them (and the TCP ports) ready at once.
#[test]
fn wait_checks_protocols_beyond_tcp() {
    // HTTP: 503 twice (starting up), then 200.
    let http = flaky_http(503, 2);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp = l.local_addr().unwrap();
    let out = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "10s",
        &format!("http://{http}/health"),
        &tcp.to_string(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = json_lines(&out);
    let check = v.iter().find(|v| v["type"] == "check").unwrap();
    assert_eq!(
        (
            check["ok"].as_bool(),
            check["check"].as_str(),
            check["status_code"].as_u64()
        ),
        (Some(true), Some("http"), Some(200)),
        "{check}"
    );
    assert!(
        check["attempts"].as_u64() >= Some(3),
        "two 503s first: {check}"
    );
    let summary = v.last().unwrap();
    assert_eq!(
        (summary["checks"].as_u64(), summary["checks_ready"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(summary["open"], 1, "the TCP target too: {summary}");

    // The status that means ready, and the last failure when it never comes.
    let always = flaky_http(200, 0);
    let out = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "1s",
        "--expect-status",
        "204",
        &format!("http://{always}/"),
    ]);
    assert_eq!(code(&out), 4, "not ready by the deadline: a timeout");
    let v = json_lines(&out);
    let check = v.iter().find(|v| v["type"] == "check").unwrap();
    assert_eq!(
        (
            check["ok"].as_bool(),
            check["error"]["code"].as_str(),
            check["status_code"].as_u64()
        ),
        (Some(false), Some("http_status"), Some(200)),
        "{check}"
    );
    let summary = v.last().unwrap();
    assert_eq!(summary["error"]["code"], "timeout", "{summary}");
    assert!(
        summary["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("still not ready: http://{always}/ http_status")),
        "{summary}"
    );

    // TLS: the handshake and the certificate must verify.
    let certs = crate::support::peers::make_certs();
    let tls = crate::support::peers::tls_server(&certs, "valid");
    let ca = certs.path("ca.pem");
    let ok = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "5s",
        "--ca-file",
        &ca,
        &format!("tls://{tls}"),
        &format!("https://{tls}/"),
    ]);
    assert_eq!(code(&ok), 0, "{}", stdout(&ok));
    let expired = crate::support::peers::tls_server(&certs, "expired");
    let bad = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "1s",
        "--ca-file",
        &ca,
        &format!("tls://{expired}"),
    ]);
    assert_eq!(code(&bad), 4, "still not ready at the deadline");
    let v = json_lines(&bad);
    assert_eq!(v[0]["type"], "check");
    assert_eq!(v[0]["error"]["code"], "tls_expired", "{}", v[0]);
    // --insecure: a certificate that fails verification is ready anyway
    // (a self-signed staging service); the days left are still reported.
    let anyway = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "2s",
        "--insecure",
        &format!("tls://{expired}"),
    ]);
    assert_eq!(code(&anyway), 0, "{}", stdout(&anyway));
    let v = json_lines(&anyway);
    assert_eq!(v[0]["ok"], true, "{}", v[0]);
    assert!(v[0]["cert_days_left"].as_i64().unwrap() < 0, "{}", v[0]);
    assert_eq!(v[0]["cert_verified"], false, "{}", v[0]);
    let human = run([
        "portcheck",
        "--wait",
        "--deadline",
        "2s",
        "--insecure",
        &format!("tls://{expired}"),
    ]);
    assert_eq!(code(&human), 0);
    assert!(
        stdout(&human).contains("ready        certificate NOT verified (--insecure), expired"),
        "{}",
        stdout(&human)
    );
    for flag in ["--insecure", "--ca-file"] {
        let mut a = vec!["portcheck", "--wait", flag];
        if flag == "--ca-file" {
            a.push(&ca);
        }
        a.push("127.0.0.1:1");
        assert_usage_error(&run(a), "https:// and tls://");
    }

    // unix: a socket that appears half a second after the wait starts.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sock");
    let p = path.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        let l = std::os::unix::net::UnixListener::bind(p).unwrap();
        for s in l.incoming() {
            drop(s);
        }
    });
    let target = format!("unix:{}", path.display());
    let human = run(["portcheck", "--wait", "--deadline", "5s", &target]);
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    let text = stdout(&human);
    assert!(text.contains("unix") && text.contains("ready"), "{text}");
    assert!(text.contains("1 of 1 checks ready"), "{text}");
    let gone = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "300ms",
        "unix:/nonexistent/x.sock",
    ]);
    assert_eq!(code(&gone), 4);
    assert_eq!(json_lines(&gone)[0]["error"]["code"], "not_found");

    // Only with --wait; diagnose checks one once.
    assert_usage_error(&run(["portcheck", &target]), "--wait");
}

/// CI pipelines: a scan piped into jq under `set -o pipefail` succeeds
/// when it completes, closed ports or not; a check fails when its port is
/// not as expected.
#[test]
fn scans_in_a_pipefail_pipeline() {
    if !crate::support::tool_or_skip("jq", "scans_in_a_pipefail_pipeline") {
        return;
    }
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = l.local_addr().unwrap().port();
    let script = format!(
        "set -o pipefail; \"$0\" portcheck --open -p 1-1000,{open} 127.0.0.1 --json | jq -r 'select(.type == \"port\") | .port'",
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script, crate::support::bin().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        open.to_string(),
        "only the open port is listed"
    );
    let script = "set -o pipefail; \"$0\" portcheck --expect open 127.0.0.1 1 --json | jq -c .";
    let out = std::process::Command::new("bash")
        .args(["-c", script, crate::support::bin().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "a check of a closed port");
}

/// On a terminal the progress line (stderr) is cleared before a result row
/// (stdout) is printed: no row ever lands at the end of the progress line.
#[test]
fn progress_line_is_cleared_before_rows() {
    if !crate::support::tool_or_skip("script", "progress_line_is_cleared_before_rows") {
        return;
    }
    let listeners: Vec<TcpListener> = (0..6)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    let low = ports.iter().min().unwrap().saturating_sub(1500).max(1);
    let high = ports.iter().max().unwrap().saturating_add(1500);
    let cmd = format!(
        "{} portcheck --rate 2000 -p {low}-{high} 127.0.0.1",
        crate::support::bin().display()
    );
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("typescript");
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, log.to_str().unwrap()])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("scanned "),
        "no progress line was drawn: {text}"
    );
    for p in &ports {
        assert!(text.contains(&format!("{p}/tcp")), "{p} missing: {text}");
    }
    for line in text.split('\n') {
        // What is left on screen of this line after its last clear.
        let shown = line.rsplit("\x1b[K").next().unwrap_or("");
        assert!(
            !(shown.contains("scanned ") && shown.contains("/tcp")),
            "a row printed onto the progress line: {shown:?}"
        );
    }
}

/// The --wait check rows share one target column, as wide as the longest
/// target: a long URL does not push its row out of line.
#[test]
fn wait_check_rows_are_aligned() {
    let long = format!("http://127.0.0.1:1/{}", "health/".repeat(8));
    let out = run([
        "portcheck",
        "--wait",
        "--deadline",
        "300ms",
        &long,
        "unix:/nonexistent/a.sock",
        "http://127.0.0.1:1/",
    ]);
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    let cols: Vec<usize> = text
        .lines()
        .filter(|l| !l.starts_with("gave up"))
        .filter_map(|l| l.find("not ready"))
        .collect();
    assert_eq!(cols.len(), 3, "{text}");
    assert!(cols.iter().all(|&c| c == cols[0]), "{text}");
    assert!(cols[0] > long.len(), "{text}");
}

/// --wait says what it waits for: on a terminal one live line, redrawn
/// each poll and cleared before the rows; off a terminal one
/// `netkit: waiting for ...` line per change of state (not one per poll).
#[test]
fn wait_says_what_it_waits_for_on_a_terminal_and_off_it() {
    if !crate::support::tool_or_skip("script", "wait_says_what_it_waits_for") {
        return;
    }
    let held = crate::support::ClosedPort::tcp();
    let closed = held.port();
    let cmd = format!(
        "{} portcheck --wait --deadline 1s 127.0.0.1:{closed}",
        crate::support::bin().display()
    );
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("typescript");
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, log.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    assert_eq!(out.status.code(), Some(4), "{text}");
    let live = format!("\r\x1b[Kwaiting for 127.0.0.1:{closed} refused (poll ");
    assert!(
        text.matches(&live).count() >= 2,
        "redrawn each poll: {text:?}"
    );
    for line in text.split('\n') {
        let shown = line.rsplit("\x1b[K").next().unwrap_or("");
        assert!(
            !(shown.contains("waiting for") && shown.contains("/tcp")),
            "a row printed onto the live line: {shown:?}"
        );
    }
    assert!(
        text.contains("gave up after 1 s: still not ready: 127.0.0.1:"),
        "{text}"
    );
    // Off a terminal: one line for the one state, however many polls.
    let out = run([
        "portcheck",
        "--wait",
        "--deadline",
        "1s",
        &format!("127.0.0.1:{closed}"),
    ]);
    assert_eq!(code(&out), 4);
    let err = stderr(&out);
    assert_eq!(
        err.lines().collect::<Vec<_>>().len(),
        1,
        "one line per change of state: {err}"
    );
    assert!(
        err.starts_with(&format!(
            "netkit: waiting for 127.0.0.1:{closed} refused (poll 1, "
        )),
        "{err}"
    );
}
