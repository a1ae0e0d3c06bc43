//! diagnose: phases and verdicts against peers on loopback (TCP, HTTP,
//! TLS with certificates made here, SOCKS5), and, in the namespace sandbox,
//! routes, DNS failures, a full accept queue and the self-check.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::support::peers::{connect_proxy, make_certs, path_of, read_head, tcp_peer, tls_server};
use crate::support::{Sandbox, code, json_lines, run, stderr, stdout};

/// Runs diagnose --json: the phases stream one by one, then the summary,
/// which repeats them. Returns the exit code and the summary.
fn diag(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json", "diagnose"];
    all.extend_from_slice(args);
    let out = run(&all);
    let v = json_lines(&out);
    let (summary, phases) = v
        .split_last()
        .unwrap_or_else(|| panic!("no output: {}", stderr(&out)));
    assert_eq!(summary["type"], "summary", "{}", stdout(&out));
    assert!(
        phases.iter().all(|p| p["type"] == "phase"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        &Value::from(phases.to_vec()),
        &summary["phases"],
        "streamed phases = the summary's"
    );
    (code(&out), summary.clone())
}

fn reason(r: &Value) -> Option<&str> {
    r["error"]["code"].as_str()
}

fn phase<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no phase {name}: {r}"))
}

/// An HTTP/1.1 server: /ok 200, /nocontent 204, anything else 404. It
/// records each request head, and whether the client then shut its write
/// side (the seed's raw client does).
/// Request heads seen, each with whether the client half-closed after it.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

fn http_server() -> (SocketAddr, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let addr = tcp_peer(move |mut c| {
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let text = read_head(&mut c).unwrap_or_default();
        c.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let half_closed = matches!(c.read(&mut [0u8; 64]), Ok(0));
        let path = path_of(&text).to_string();
        log.lock().unwrap().push((text, half_closed));
        let resp: &[u8] = match path.as_str() {
            "/ok" => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello",
            "/nocontent" => b"HTTP/1.1 204 No Content\r\n\r\n",
            _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found",
        };
        let _ = c.write_all(resp);
    });
    (addr, seen)
}

#[test]
fn tcp_open_and_refused() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let (rc, r) = diag(&[&l.local_addr().unwrap().to_string()]);
    assert_eq!(rc, 0);
    assert_eq!(
        (r["ok"].as_bool(), phase(&r, "connect")["status"].as_str()),
        (Some(true), Some("ok"))
    );
    assert!(phase(&r, "connect")["duration_ms"].as_f64().unwrap() >= 0.0);
    drop(l);
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr.to_string();
    let (rc, r) = diag(&[&closed]);
    assert_eq!(rc, 5);
    assert_eq!(
        (r["failed_phase"].as_str(), reason(&r)),
        (Some("connect"), Some("refused"))
    );
    assert_eq!(r["connects"][0]["state"], "closed");
    let human = stdout(&run(["diagnose", &closed]));
    assert!(
        human.contains("✗ connect")
            && human.contains("connect failed: refused")
            && human.contains("nothing listens"),
        "{human}"
    );
}

#[test]
fn http_phases() {
    let (addr, seen) = http_server();
    let (rc, r) = diag(&[&format!("http://{addr}/ok")]);
    assert_eq!(rc, 0, "{r}");
    let h = &r["http"];
    assert_eq!(
        (
            h["status"].as_u64(),
            h["reason_phrase"].as_str(),
            h["body_bytes"].as_u64()
        ),
        (Some(200), Some("OK"), Some(5))
    );
    assert!(
        h["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "X-Test" && x["value"] == "yes")
    );
    assert!(h["ttfb_ms"].as_f64().unwrap() > 0.0);
    let (req, half_closed) = seen.lock().unwrap()[0].clone();
    assert!(
        half_closed,
        "the write side was shut after the request, as the seed does"
    );
    assert!(
        req.starts_with("GET /ok HTTP/1.1\r\n")
            && req.contains(&format!("Host: {addr}\r\n"))
            && req.contains("Connection: close\r\n"),
        "{req}"
    );
    let (rc, r) = diag(&[&format!("http://{addr}/missing")]);
    assert_eq!(
        (rc, reason(&r), r["http"]["status"].as_u64()),
        (1, Some("http_status"), Some(404))
    );
    let (rc, _) = diag(&[
        "--expect-status",
        "204",
        &format!("http://{addr}/nocontent"),
    ]);
    assert_eq!(rc, 0);
    let (rc, r) = diag(&["--expect-status", "204", &format!("http://{addr}/ok")]);
    assert_eq!((rc, reason(&r)), (1, Some("http_status")));
    // --http on a bare HOST:PORT; a non-HTTP peer is malformed.
    let (rc, _) = diag(&["--http", &addr.to_string()]);
    assert_eq!(rc, 1, "GET / is a 404 here");
    let junk = TcpListener::bind("127.0.0.1:0").unwrap();
    let jaddr = junk.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = junk.accept() {
            let _ = c.write_all(b"SSH-2.0-not-http\r\n");
        }
    });
    let (rc, r) = diag(&["--http", &jaddr.to_string()]);
    assert_eq!((rc, reason(&r)), (5, Some("http_malformed")));
}

#[test]
fn tls_verification_outcomes() {
    let certs = make_certs();
    let ca = certs.path("ca.pem");
    let url = |addr: SocketAddr| format!("https://{addr}/");
    let valid = tls_server(&certs, "valid");
    let (rc, r) = diag(&["--ca-file", &ca, &url(valid)]);
    assert_eq!(rc, 0, "{r}");
    let t = &r["tls"];
    assert_eq!(
        (t["verified"].as_bool(), t["alpn"].as_str()),
        (Some(true), Some("http/1.1"))
    );
    assert!(t["version"].as_str().unwrap().starts_with("TLSv1."), "{t}");
    assert!(
        t["subject"].as_str().unwrap().contains("valid")
            && t["issuer"].as_str().unwrap().contains("netkit test CA")
    );
    assert!(
        t["sans"]
            .as_array()
            .unwrap()
            .contains(&Value::from("IP:127.0.0.1"))
    );
    assert!(t["days_left"].as_i64().unwrap() > 300);
    assert_eq!(r["http"]["status"], 200);
    for (leaf, want, verify) in [
        ("expired", "tls_expired", "tls_expired"),
        ("wrongname", "tls_wrong_host", "tls_wrong_host"),
        ("selfsigned", "tls_self_signed", "tls_self_signed"),
        ("otherkey", "tls_bad_signature", "tls_bad_signature"),
    ] {
        let addr = tls_server(&certs, leaf);
        let (rc, r) = diag(&["--ca-file", &ca, &url(addr)]);
        assert_eq!(
            (rc, reason(&r), r["tls"]["verify_error"].as_str()),
            (5, Some(want), Some(verify)),
            "{leaf}: {r}"
        );
        assert_eq!(phase(&r, "request")["status"], "not_reached");
        assert!(
            !r["tls"]["sans"].as_array().unwrap().is_empty(),
            "the certificate is shown even when it fails: {r}"
        );
    }
    // Without --ca-file the test CA is unknown to the system store.
    let (rc, r) = diag(&[&url(valid)]);
    assert_eq!((rc, reason(&r)), (5, Some("tls_unknown_issuer")));
    // --insecure goes on, and still says why it would have failed.
    let expired = tls_server(&certs, "expired");
    let (rc, r) = diag(&["--insecure", "--ca-file", &ca, &url(expired)]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(
        (
            r["tls"]["verified"].as_bool(),
            r["tls"]["verify_error"].as_str()
        ),
        (Some(false), Some("tls_expired"))
    );
    assert!(r["tls"]["days_left"].as_i64().unwrap() < 0);
    assert_eq!(r["http"]["status"], 200);
    // --tls against a peer that speaks something else: the handshake fails;
    // against one that says nothing, it times out.
    let junk = TcpListener::bind("127.0.0.1:0").unwrap();
    let jaddr = junk.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = junk.accept() {
            let _ = c.write_all(b"SSH-2.0-not-tls\r\n");
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    let (rc, r) = diag(&["--tls", "--timeout", "2s", &jaddr.to_string()]);
    assert_eq!((rc, reason(&r)), (5, Some("tls_handshake")), "{r}");
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let (rc, r) = diag(&[
        "--tls",
        "--timeout",
        "0.5s",
        &silent.local_addr().unwrap().to_string(),
    ]);
    assert_eq!(
        (rc, r["failed_phase"].as_str(), reason(&r)),
        (4, Some("tls"), Some("timeout"))
    );
}

#[test]
fn through_a_socks5_proxy() {
    if !crate::support::tool_or_skip("microsocks", "diagnose through socks5") {
        return;
    }
    let (addr, seen) = http_server();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut proxy = std::process::Command::new("microsocks")
        .args(["-i", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    crate::support::wait_port(([127, 0, 0, 1], port).into());
    let (rc, r) = diag(&[
        "--proxy",
        &format!("socks5://127.0.0.1:{port}"),
        &format!("http://{addr}/ok"),
    ]);
    assert_eq!(rc, 0, "{r}");
    assert!(
        phase(&r, "connect")["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("via socks5 proxy 127.0.0.1:{port}")),
        "{r}"
    );
    let (rc, r) = diag(&[
        "--proxy",
        &format!("socks5h://127.0.0.1:{port}"),
        &format!("http://{addr}/ok"),
    ]);
    // An address needs no resolving, even where the proxy would resolve.
    assert_eq!(
        (rc, phase(&r, "resolve")["status"].as_str()),
        (0, Some("ok"))
    );
    assert!(
        phase(&r, "resolve")["detail"]
            .as_str()
            .unwrap()
            .contains("nothing to resolve")
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
    // A name is the proxy's to resolve (localhost: /etc/hosts, no query).
    let (_, r) = diag(&[
        "--proxy",
        &format!("socks5h://127.0.0.1:{port}"),
        &format!("http://localhost:{}/ok", addr.port()),
    ]);
    assert_eq!(phase(&r, "resolve")["status"], "skipped", "{r}");
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr;
    let (rc, r) = diag(&[
        "--proxy",
        &format!("socks5://127.0.0.1:{port}"),
        &closed.to_string(),
    ]);
    assert_eq!(
        (rc, r["failed_phase"].as_str()),
        (5, Some("connect")),
        "{r}"
    );
    let _ = proxy.kill();
    let _ = proxy.wait();
}

#[test]
fn routes_dns_and_full_queues_in_the_sandbox() {
    let Some(sb) = Sandbox::new("diagnose routes") else {
        return;
    };
    let sb = sb
        .etc(
            "hosts",
            "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 svc.example.test\n",
        )
        .etc(
            "resolv.conf",
            "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
        );
    let script = "ip route add unreachable 198.51.100.0/24\nip route add prohibit 203.0.113.0/24\n\
                  python3 -c \"\nimport socket,time\nl=socket.socket(); l.bind(('127.0.0.1',5555)); l.listen(0)\ncs=[]\n\
                  for i in range(3):\n    c=socket.socket(); c.setblocking(False); c.connect_ex(('127.0.0.1',5555)); cs.append(c)\n\
                  open('ready','w').close()\ntime.sleep(10)\" & p=$!\n\
                  for i in $(seq 200); do [ -e ready ] && break; sleep 0.02; done\n\
                  for t in 192.0.2.1:80 198.51.100.1:80 203.0.113.1:80 svc.example.test:5555 nosuch.example.test:80; do\n\
                    \"$NK\" --json diagnose --timeout 0.7s $t >> r.json; echo $? >> rc.txt; done\n\
                  kill $p\n";
    sb.shell(script);
    let reports: Vec<Value> = sb
        .read("r.json")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "summary")
        .collect();
    let codes: Vec<i32> = sb
        .read("rc.txt")
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    let got: Vec<(&str, &str, i32)> = reports
        .iter()
        .zip(&codes)
        .map(|(r, c)| {
            (
                r["failed_phase"].as_str().unwrap_or("-"),
                reason(r).unwrap_or("-"),
                *c,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("connect", "net_unreachable", 5),
            ("connect", "host_unreachable", 5),
            ("connect", "prohibited", 5),
            ("connect", "timeout", 4),
            ("resolve", "temporary_failure", 3),
        ]
    );
    assert_eq!(
        reports[3]["addresses"],
        serde_json::json!(["127.0.0.1"]),
        "svc resolved through /etc/hosts"
    );
}

#[test]
fn self_check_in_the_sandbox() {
    let me = stdout(&run(["hostname"])).trim().to_string();
    let Some(sb) = Sandbox::new("diagnose self-check") else {
        return;
    };
    let sb = sb
        .etc(
            "hosts",
            &format!("127.0.0.1 localhost\n::1 localhost\n127.0.1.1 {me}.example.test {me}\n"),
        )
        .etc("resolv.conf", "nameserver 127.0.0.1\n");
    let out = sb.netkit(&["--json", "diagnose"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let v = json_lines(&out);
    let names: Vec<&str> = v
        .iter()
        .filter(|c| c["type"] == "check")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for want in [
        "host name resolves",
        "localhost resolves to ::1",
        "TCP round trip over ::1",
        "UDP round trip over 127.0.0.1",
        "/etc/resolv.conf",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert_eq!(
        (
            v.last().unwrap()["type"].as_str(),
            v.last().unwrap()["failed"].as_u64()
        ),
        (Some("summary"), Some(0))
    );
    let fq = v
        .iter()
        .find(|c| c["name"] == "host name resolves")
        .unwrap();
    assert!(
        fq["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("fqdn {me}.example.test")),
        "{fq}"
    );
    // Without resolv.conf that check fails, and only that one.
    let sb2 = Sandbox::new("diagnose self-check, no resolv.conf")
        .unwrap()
        .etc("hosts", "127.0.0.1 localhost\n::1 localhost\n")
        .hide_etc("resolv.conf");
    let out = sb2.netkit(&["--json", "diagnose"]);
    let v = json_lines(&out);
    let failed: Vec<&str> = v
        .iter()
        .filter(|c| c["type"] == "check" && c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"/etc/resolv.conf"), "{failed:?}");
    assert_eq!(code(&out), 1);
    let human = stdout(&sb2.netkit(&["diagnose"]));
    assert!(human.contains("✗ /etc/resolv.conf"), "{human}");
}

/// Makes the peer's close of `c` a reset (SO_LINGER 0): an RST, not a FIN.
fn reset_on_close(c: &std::net::TcpStream) {
    socket2::SockRef::from(c)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
}

/// A connection that dies during the request phase says where: before any
/// answer, inside the head, or how far into the body (of the length it
/// declared), and whether it was closed or reset. A body cut short is never
/// "all phases passed" (it was, before), nor a reset "body still arriving".
#[test]
fn a_connection_that_dies_says_where() {
    const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
    // (what the peer does after reading the request, exit, error code,
    // what the request phase must say)
    type Serve = fn(&mut std::net::TcpStream);
    let cases: [(Serve, i32, &str, &str); 8] = [
        (
            |c| reset_on_close(c),
            5,
            "reset",
            "the connection failed after the request was sent, before any response byte",
        ),
        (
            |_| {},
            5,
            "closed",
            "the connection closed after the request was sent, before any response byte",
        ),
        (
            |c| c.write_all(b"HTTP/1.1 200 OK\r\nServ").unwrap(),
            5,
            "closed",
            "the connection closed after 21 bytes of the response head",
        ),
        (
            |c| {
                c.write_all(format!("{HEAD}{}", "x".repeat(5000)).as_bytes())
                    .unwrap()
            },
            5,
            "closed",
            "200 OK came, then the connection closed after 5000 of 100000 body bytes",
        ),
        (
            |c| {
                c.write_all(format!("{HEAD}{}", "x".repeat(5000)).as_bytes())
                    .unwrap();
                // Read by netkit before the reset, so the reset is mid-body.
                std::thread::sleep(Duration::from_millis(200));
                reset_on_close(c);
            },
            5,
            "reset",
            "200 OK came, then the connection failed after 5000 of 100000 body bytes",
        ),
        (
            |c| {
                c.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
                    .unwrap();
            },
            5,
            "closed",
            "then the connection closed after 10 body bytes, before the last chunk",
        ),
        // The controls: a body the close ends, and one of its full length.
        (
            |c| c.write_all(b"HTTP/1.1 200 OK\r\n\r\nall of it").unwrap(),
            0,
            "",
            "200 OK, first byte after",
        ),
        (
            |c| {
                c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                    .unwrap();
            },
            0,
            "",
            "5 body bytes",
        ),
    ];
    for (serve, exit, code_want, says) in cases {
        let addr = tcp_peer(move |mut c| {
            if read_head(&mut c).is_some() {
                serve(&mut c);
            }
        });
        let url = format!("http://{addr}/");
        let out = run(["--json", "diagnose", "--timeout", "5s", &url]);
        assert_eq!(code(&out), exit, "{says}: {}", stdout(&out));
        let v = json_lines(&out);
        let phase = v
            .iter()
            .find(|p| p["type"] == "phase" && p["name"] == "request")
            .unwrap_or_else(|| panic!("{says}: no request phase: {v:?}"));
        assert!(
            phase["detail"].as_str().unwrap().contains(says),
            "{says}: {phase}"
        );
        let summary = v.last().unwrap();
        assert_eq!(summary["ok"], exit == 0, "{says}: {summary}");
        if exit != 0 {
            assert_eq!(phase["error"]["code"], code_want, "{says}: {phase}");
            assert!(
                phase["duration_ms"].as_f64().unwrap() < 4000.0,
                "{says}: waited for the timeout: {phase}"
            );
        }
    }
}

/// A response's framing is read as RFC 9112 reads it: lengths that
/// disagree or a bad chunk fail as `http_framing` (both passed before); a
/// chunked body ends at its last chunk, not where its data happens to hold
/// `0\r\n\r\n`; --expect-body sees a chunked body's data, not its
/// framing (`^hello world$` never matched a chunked body before).
#[test]
fn http_framing_is_read_as_the_rfc_says() {
    let cases: [(&str, &[&str], i32, &str, &str); 5] = [
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 100\r\n\r\nhello",
            &[],
            5,
            "http_framing",
            "Content-Length headers disagree (5 and 100)",
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            &[],
            5,
            "http_framing",
            "chunk size 'zz' is not a hex number",
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n0\r\n\r\n\r\n\r\n",
            &[],
            5,
            "closed",
            "before the last chunk",
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5;x=y\r\nworld\r\n0\r\n\r\n",
            &["--expect-body", "^hello world$"],
            0,
            "",
            "200 OK",
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Length: 11\r\n\r\nhello world",
            &["--expect-body", "^hello world$"],
            0,
            "",
            "11 body bytes",
        ),
    ];
    for (response, flags, exit, code_want, says) in cases {
        let addr = tcp_peer(move |mut c| {
            if read_head(&mut c).is_some() {
                c.write_all(response.as_bytes()).unwrap();
            }
        });
        let url = format!("http://{addr}/");
        let mut args = vec!["--json", "diagnose", "--timeout", "5s"];
        args.extend_from_slice(flags);
        args.push(&url);
        let out = run(&args);
        assert_eq!(code(&out), exit, "{says}: {}", stdout(&out));
        let v = json_lines(&out);
        let phase = v.iter().find(|p| p["name"] == "request").unwrap();
        assert!(
            phase["detail"].as_str().unwrap().contains(says),
            "{says}: {phase}"
        );
        if exit != 0 {
            assert_eq!(phase["error"]["code"], code_want, "{phase}");
        }
    }
}

/// A peer's reason phrase and Location (up to the 64 KiB head) are cut
/// short in the phase's line, escaped; JSON keeps them whole in `http`.
#[test]
fn a_long_reason_phrase_is_cut_in_the_line() {
    let addr = tcp_peer(|mut c| {
        if read_head(&mut c).is_some() {
            let reason = "\tbad".to_string() + &"x".repeat(20_002);
            let head = format!(
                "HTTP/1.1 302 {reason}\r\nLocation: /{}\r\nContent-Length: 0\r\n\r\n",
                "y".repeat(20_000)
            );
            c.write_all(head.as_bytes()).unwrap();
        }
    });
    let out = run(["--json", "diagnose", &format!("http://{addr}/")]);
    let v = json_lines(&out);
    let phase = v.iter().find(|p| p["name"] == "request").unwrap();
    let detail = phase["detail"].as_str().unwrap();
    assert!(detail.len() < 600, "{} bytes: {detail}", detail.len());
    assert!(detail.starts_with("302 \\tbadxxx"), "{detail}");
    assert!(
        detail.contains("(20006 bytes)") && detail.contains("(20001 bytes)"),
        "{detail}"
    );
    let summary = v.last().unwrap();
    assert_eq!(
        summary["http"]["reason_phrase"].as_str().unwrap().len(),
        20_006
    );
}

/// So is a certificate's subject: its names are the peer's to choose.
#[test]
fn a_long_certificate_subject_is_cut_in_the_line() {
    use rcgen::{CertificateParams, KeyPair};
    let certs = make_certs();
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    p.distinguished_name
        .push(rcgen::DnType::OrganizationName, "o".repeat(3000));
    let cert = p.self_signed(&key).unwrap();
    std::fs::write(certs.path("long.pem"), cert.pem()).unwrap();
    std::fs::write(certs.path("long.key"), key.serialize_pem()).unwrap();
    let addr = tls_server(&certs, "long");
    let out = run([
        "--json",
        "diagnose",
        "--insecure",
        &format!("https://localhost:{}/", addr.port()),
    ]);
    let v = json_lines(&out);
    let tls = v.iter().find(|p| p["name"] == "tls").unwrap();
    let detail = tls["detail"].as_str().unwrap();
    assert!(detail.len() < 800, "{} bytes: {detail}", detail.len());
    assert!(detail.contains("ooo... ("), "{detail}");
}

/// The same for the TLS phase: a peer that takes the ClientHello and
/// closes or resets says so (it was "handshake failed: tls handshake eof").
#[test]
fn a_tls_handshake_that_dies_says_how() {
    for (reset, says) in [
        (
            false,
            "the peer closed the connection during the handshake, before its ServerHello",
        ),
        (true, "the peer reset the connection during the handshake"),
    ] {
        let addr = tcp_peer(move |c| {
            let mut c = c;
            let mut hello = [0u8; 512];
            if c.read(&mut hello).is_ok_and(|n| n > 0) && reset {
                reset_on_close(&c);
            }
        });
        let out = run([
            "--json",
            "diagnose",
            "--timeout",
            "5s",
            &format!("https://{addr}/"),
        ]);
        assert_eq!(code(&out), 5, "{says}: {}", stdout(&out));
        let v = json_lines(&out);
        let tls = v.iter().find(|p| p["name"] == "tls").unwrap();
        assert!(tls["detail"].as_str().unwrap().starts_with(says), "{tls}");
    }
}

/// And for an HTTP CONNECT proxy: before its answer, or how far into it.
#[test]
fn a_proxy_that_lets_go_says_where() {
    for (partial, reset, says) in [
        (false, true, "before its answer: Connection reset"),
        (
            true,
            false,
            "closed the connection 17 bytes into its answer to the CONNECT",
        ),
    ] {
        let proxy = tcp_peer(move |mut c| {
            if read_head(&mut c).is_some() {
                if partial {
                    c.write_all(b"HTTP/1.1 200 Conn").unwrap();
                }
                if reset {
                    reset_on_close(&c);
                }
            }
        });
        let out = run([
            "--json",
            "diagnose",
            "--proxy",
            &format!("http://{proxy}"),
            "http://127.0.0.1:1/",
        ]);
        assert_eq!(code(&out), 5, "{says}: {}", stdout(&out));
        let v = json_lines(&out);
        let connect = v.iter().find(|p| p["name"] == "connect").unwrap();
        assert!(
            connect["detail"].as_str().unwrap().contains(says),
            "{connect}"
        );
    }
}

#[test]
fn usage_errors() {
    let cases: &[&[&str]] = &[
        &["diagnose", "127.0.0.1"][..],
        &["diagnose", "ftp://x/"],
        &["diagnose", "x:0"],
        &["diagnose", "http://u:p@x/"],
        &["diagnose", "--expect-status", "99", "http://127.0.0.1:1/"],
        &["diagnose", "--timeout", "0", "127.0.0.1:1"],
        &["diagnose", "--proxy", "ftp://x:1", "127.0.0.1:1"],
        &["diagnose", "--expect-body", "(", "http://127.0.0.1:1/"],
        &[
            "diagnose",
            "--ca-file",
            "/nonexistent/ca.pem",
            "https://127.0.0.1:1/",
        ],
        &["diagnose", "-4", "-6", "127.0.0.1:1"],
    ];
    crate::support::assert_usage_errors_say("diagnose", cases);
}

#[test]
fn human_output_marks_every_phase() {
    let (addr, _) = http_server();
    let out = run(["diagnose", &format!("http://{addr}/ok")]);
    let text = stdout(&out);
    for p in ["✓ resolve", "✓ connect", "✓ request"] {
        assert!(text.contains(p), "{p}: {text}");
    }
    assert!(text.contains("all phases passed"));
}

/// A strict reader of the Prometheus text format: HELP and TYPE once per
/// metric, before its samples, samples of a metric together, no series
/// twice, values that parse. Returns (series, value).
pub(crate) fn prom_samples(text: &str) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut typed: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap().to_string();
            assert!(!typed.contains(&name), "{name} described twice");
            current = name;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(name, current, "TYPE without HELP");
            assert_eq!(kind, "gauge");
            typed.push(name.to_string());
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        let name = series.split('{').next().unwrap();
        assert_eq!(name, current, "a sample of {name} away from its family");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{name}"
        );
        assert!(!out.iter().any(|(s, _)| s == series), "{series} twice");
        out.push((series.to_string(), value.parse().expect("a number")));
    }
    out
}

/// `--prom-file`: blackbox_exporter's names, written atomically, for a
/// passing HTTPS check and a refused port.
#[test]
fn prom_file_has_blackbox_names() {
    let certs = make_certs();
    let addr = tls_server(&certs, "valid");
    let dir = tempfile::tempdir().unwrap();
    let prom = dir.path().join("diag.prom");
    let url = format!("https://localhost:{}/ok", addr.port());
    let out = run([
        "diagnose",
        "--ca-file",
        &certs.path("ca.pem"),
        "--prom-file",
        prom.to_str().unwrap(),
        &url,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&prom).unwrap();
    let s = prom_samples(&text);
    let get = |series: &str| {
        s.iter()
            .find(|(k, _)| k.starts_with(series))
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
            .1
    };
    assert_eq!(get("probe_success{"), 1.0);
    assert_eq!(get("probe_http_status_code{"), 200.0);
    assert!(get("probe_duration_seconds{") > 0.0);
    assert!(get("probe_http_duration_seconds{target=\"") >= 0.0);
    assert!(text.contains("phase=\"processing\""), "{text}");
    let expiry = get("probe_ssl_earliest_cert_expiry{");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        expiry > now && expiry < now + 4.0 * 365.0 * 86400.0,
        "{expiry}"
    );
    // A failure is written too, and says so.
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr;
    let out = run([
        "diagnose",
        "--prom-file",
        prom.to_str().unwrap(),
        &closed.to_string(),
    ]);
    assert_eq!(code(&out), 5);
    let s = prom_samples(&std::fs::read_to_string(&prom).unwrap());
    assert!(
        s.iter()
            .any(|(k, v)| k.starts_with("probe_success{") && *v == 0.0)
    );
    assert!(
        s.iter()
            .any(|(k, v)| k.starts_with("netkit_exit_code{") && *v == 5.0)
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left"
    );
}

/// Status codes are three digits from 100 to 599 (RFC 9110 15): `099` and
/// `600` are not HTTP (the fuzzer found `099` taken for a status).
#[test]
fn status_codes_outside_100_to_599_are_malformed() {
    for status in ["099", "600"] {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let head = format!("HTTP/1.1 {status} Odd\r\nContent-Length: 0\r\n\r\n");
        std::thread::spawn(move || {
            if let Ok((mut c, _)) = l.accept() {
                let mut buf = [0u8; 1024];
                let _ = std::io::Read::read(&mut c, &mut buf);
                let _ = c.write_all(head.as_bytes());
            }
        });
        let (rc, r) = diag(&["--http", &addr.to_string()]);
        assert_eq!(
            (rc, reason(&r)),
            (5, Some("http_malformed")),
            "{status}: {r}"
        );
    }
}

/// A web server on loopback, one thread per connection: 1xx interim
/// responses, a chain of redirects, a loop, an endless body and a server
/// that answers after 2.5 s.
fn web_server() -> SocketAddr {
    let me: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
    let here = Arc::clone(&me);
    let addr = tcp_peer(move |mut c| {
        let Some(text) = read_head(&mut c) else {
            return;
        };
        let addr = here.lock().unwrap().expect("the address is known");
        let resp = match path_of(&text) {
            "/interim" => "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_string(),
            "/r1" => "HTTP/1.1 302 Found\r\nLocation: /r2\r\nContent-Length: 0\r\n\r\n".to_string(),
            "/r2" => format!("HTTP/1.1 301 Moved\r\nLocation: http://{addr}/final\r\nContent-Length: 0\r\n\r\n"),
            "/final" => "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nstatus: good".to_string(),
            "/loop" => "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n".to_string(),
            "/endless" => {
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Stream: yes\r\n\r\n");
                while c.write_all(&[b'x'; 4096]).is_ok() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return;
            }
            "/stall" => {
                // A head, a first kilobyte, then nothing: full-size
                // segments lost in an MTU black hole look like this.
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
                let _ = c.write_all(&[b'x'; 1000]);
                std::thread::sleep(Duration::from_millis(3000));
                return;
            }
            "/slow" => {
                std::thread::sleep(Duration::from_millis(2500));
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string()
            }
            _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_string(),
        };
        let _ = c.write_all(resp.as_bytes());
    });
    *me.lock().unwrap() = Some(addr);
    addr
}

/// HTTP as a browser sees it: interim 1xx skipped to the final status,
/// -L following redirects with each hop timed, --expect-body, a redirect
/// loop, an endless body that keeps its status and first-byte time, and a
/// slow server whose hint does not blame a firewall.
#[test]
fn http_interim_redirects_bodies_and_slow_servers() {
    let web = web_server();
    let url = |p: &str| format!("http://{web}{p}");
    let (rc, r) = diag(&[&url("/interim")]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(
        (r["http"]["status"].as_u64(), r["http"]["interim"].clone()),
        (Some(200), serde_json::json!([100, 103]))
    );

    // Without -L the redirect is the answer; with it, each hop is timed.
    let (rc, r) = diag(&[&url("/r1")]);
    assert_eq!((rc, r["http"]["status"].as_u64()), (0, Some(302)), "{r}");
    let (rc, r) = diag(&["-L", &url("/r1")]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(r["http"]["status"], 200);
    assert_eq!(r["redirects"].as_array().map(Vec::len), Some(2), "{r}");
    for hop in ["request", "request #2", "request #3", "connect #3"] {
        assert!(phase(&r, hop)["duration_ms"].as_f64().is_some(), "{hop}");
    }
    let (rc, _) = diag(&["-L", "--expect-body", "good$", &url("/r1")]);
    assert_eq!(rc, 0);
    let (rc, r) = diag(&["-L", "--expect-body", "^bad", &url("/r1")]);
    assert_eq!((rc, reason(&r)), (1, Some("http_body")), "{r}");
    let (rc, r) = diag(&["-L", &url("/loop")]);
    assert_eq!(reason(&r), Some("too_many_redirects"), "{r}");
    assert_eq!(rc, 5);

    // An endless body: the status, headers and first byte are kept.
    let started = std::time::Instant::now();
    let (rc, r) = diag(&["--timeout", "1s", &url("/endless")]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!((rc, r["http"]["status"].as_u64()), (0, Some(200)), "{r}");
    assert!(r["http"]["ttfb_ms"].as_f64().unwrap() < 1000.0);
    assert!(
        r["http"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == "X-Stream"),
        "{r}"
    );

    assert_eq!(r["http"]["body_stalled"], false, "{r}");
    // A body that stops coming fails the request, as a timeout.
    let (rc, r) = diag(&["--timeout", "1.5s", &url("/stall")]);
    assert_eq!((rc, reason(&r)), (4, Some("timeout")), "{r}");
    assert_eq!(
        (
            r["http"]["body_stalled"].as_bool(),
            r["http"]["body_bytes"].as_u64()
        ),
        (Some(true), Some(1000)),
        "{r}"
    );
    assert_eq!(r["failed_phase"], "request");
    let text = stdout(&run(["diagnose", "--timeout", "1.5s", &url("/stall")]));
    assert!(
        text.contains("the body stopped coming") && text.contains("MTU black hole"),
        "{text}"
    );

    // A slow answer is a slow application, not a firewall.
    let out = run(["diagnose", "--timeout", "1s", &url("/slow")]);
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    assert!(
        text.contains("request failed: timeout") && text.contains("slow or stuck"),
        "{text}"
    );
    assert!(!text.contains("firewall drops"), "{text}");
}

/// --proxy http://: the proxy's own phase timed, then the tunnel; a proxy
/// that cannot reach the target, and one that is not there, each named.
#[test]
fn http_connect_proxy_has_its_own_phase() {
    let web = web_server();
    let proxy = format!("http://{}", connect_proxy());
    let (rc, r) = diag(&["--proxy", &proxy, &format!("http://{web}/final")]);
    assert_eq!(rc, 0, "{r}");
    let names: Vec<&str> = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["resolve", "proxy", "connect", "request"]);
    assert!(phase(&r, "proxy")["duration_ms"].as_f64().is_some());
    assert_eq!(r["http"]["status"], 200);
    let held = crate::support::ClosedPort::tcp();
    let closed = held.addr;
    let (rc, r) = diag(&["--proxy", &proxy, &closed.to_string()]);
    assert_eq!(
        (rc, r["failed_phase"].as_str(), reason(&r)),
        (5, Some("connect"), Some("proxy")),
        "{r}"
    );
    assert!(
        phase(&r, "connect")["detail"]
            .as_str()
            .unwrap()
            .contains("502")
    );
    let (rc, r) = diag(&["--proxy", &format!("http://{closed}"), &web.to_string()]);
    assert_eq!(
        (rc, r["failed_phase"].as_str(), reason(&r)),
        (5, Some("proxy"), Some("refused")),
        "{r}"
    );
    assert_eq!(phase(&r, "connect")["status"], "not_reached");
}

/// What `openssl req -x509` makes (a CA certificate served as the
/// server's): classified as such without --ca-file, trusted with that very
/// certificate in --ca-file as curl --cacert trusts it, the name still
/// checked; --min-days against the expiry.
#[test]
fn an_openssl_made_certificate_and_min_days() {
    if !crate::support::tool_or_skip("openssl", "diagnose openssl certificate") {
        return;
    }
    let certs = make_certs();
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args([
            "-keyout",
            &certs.path("openssl.key"),
            "-out",
            &certs.path("openssl.pem"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = tls_server(&certs, "openssl");
    let url = format!("https://{server}/");
    let (rc, r) = diag(&[&url]);
    // Self-signed and not trusted, as curl and openssl call it, whatever
    // its basicConstraints; CA:TRUE only as a detail.
    assert_eq!((rc, reason(&r)), (5, Some("tls_self_signed")), "{r}");
    let msg = r["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("self-signed certificate, not trusted") && msg.contains("CA:TRUE"),
        "{r}"
    );
    let human = stdout(&run(["diagnose", &url]));
    assert!(
        human.contains("tls_self_signed: the certificate is self-signed: trust it with --ca-file FILE, or go on with --insecure"),
        "{human}"
    );
    let pinned = certs.path("openssl.pem");
    let (rc, r) = diag(&["--ca-file", &pinned, &url]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(r["tls"]["verified"], true);
    assert_eq!(
        r["tls"]["sans"],
        serde_json::json!(["DNS:localhost", "IP:127.0.0.1"]),
        "each name once"
    );
    // Trusted for its own names only.
    let (rc, r) = diag(&[
        "--ca-file",
        &pinned,
        "--tls",
        &format!("127.0.0.2:{}", server.port()),
    ]);
    assert_ne!(rc, 0, "{r}");

    // --min-days: the rcgen leaf is valid for a year or more.
    let valid = tls_server(&certs, "valid");
    let ca = certs.path("ca.pem");
    let (rc, _) = diag(&[
        "--ca-file",
        &ca,
        "--min-days",
        "7",
        &format!("https://{valid}/"),
    ]);
    assert_eq!(rc, 0);
    let (rc, r) = diag(&[
        "--ca-file",
        &ca,
        "--min-days",
        "36500",
        &format!("https://{valid}/"),
    ]);
    assert_eq!((rc, reason(&r)), (1, Some("tls_expires_soon")), "{r}");
}

/// Happy Eyeballs (RFC 8305) in the sandbox: a black-holed IPv6 address
/// (nft drops its SYNs) costs 250 ms, not the timeout, and the race is
/// shown; a name whose first address answers connects once; IPv6 refused
/// and IPv4 filtered are both named, each with its hint.
#[test]
fn happy_eyeballs_races_past_a_black_hole() {
    if !crate::support::tool_or_skip("nft", "diagnose happy eyeballs") {
        return;
    }
    let Some(sb) = Sandbox::new("diagnose happy eyeballs") else {
        return;
    };
    let sb = sb.etc(
        "hosts",
        "127.0.0.1 localhost\n2001:db8::1 race.test\n127.0.0.1 race.test\n\
         ::1 both.test\n127.0.0.1 both.test\n",
    );
    let script = "ip -6 addr add 2001:db8::1/128 dev lo\n\
        nft -f - <<'NFT'\n\
        table inet t {\n chain input { type filter hook input priority 0;\n\
          ip6 daddr 2001:db8::1 tcp dport 5601 drop\n ip daddr 127.0.0.1 tcp dport 5602 drop\n }\n}\n\
        NFT\n\
        python3 -c \"\nimport socket,time\ns=socket.socket(); s.bind(('127.0.0.1',5601)); s.listen(8)\n\
        s6=socket.socket(socket.AF_INET6); s6.bind(('2001:db8::1',5601)); s6.listen(8)\n\
        s7=socket.socket(socket.AF_INET6); s7.bind(('::1',5603)); s7.listen(8)\n\
        open('ready','w').close()\ntime.sleep(30)\" & p=$!\n\
        for i in $(seq 200); do [ -e ready ] && break; sleep 0.02; done\n\
        \"$NK\" --json diagnose --timeout 5s race.test:5601 > race.json\n\
        \"$NK\" --json diagnose --timeout 5s both.test:5603 > first.json\n\
        \"$NK\" diagnose --timeout 1s both.test:5602 > mixed.txt\n\
        kill $p\n";
    sb.shell_within(script, 60);
    let last = |f: &str| -> Value {
        serde_json::from_str(sb.read(f).lines().last().expect("output")).unwrap()
    };
    let race = last("race.json");
    assert_eq!(race["ok"], true, "{race}");
    let connects: Vec<(&str, &str, bool)> = race["connects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap(),
                c["state"].as_str().unwrap(),
                c["won"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        connects,
        [
            ("2001:db8::1", "cancelled", false),
            ("127.0.0.1", "open", true)
        ],
        "IPv6 first (RFC 6724), then IPv4 after the attempt delay"
    );
    let took = phase(&race, "connect")["duration_ms"].as_f64().unwrap();
    assert!(
        (240.0..1500.0).contains(&took),
        "{took} ms, not the 5 s timeout"
    );

    let first = last("first.json");
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(
        first["connects"].as_array().map(Vec::len),
        Some(1),
        "the first address answered: no other is tried: {first}"
    );

    let mixed = sb.read("mixed.txt");
    assert!(
        mixed.contains("connect failed: refused on ::1")
            && mixed.contains("and timeout on 127.0.0.1")
            && mixed.contains("firewall drops"),
        "{mixed}"
    );
}

/// Phases are printed as they end: against a server that answers after
/// 2.5 s, resolve and connect are out long before the request ends.
#[test]
fn phases_stream_as_they_end() {
    use std::io::BufRead;
    let web = web_server();
    let started = std::time::Instant::now();
    let mut child = crate::support::netkit()
        .args([
            "--json",
            "diagnose",
            "--timeout",
            "5s",
            &format!("http://{web}/slow"),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        seen.push((
            v["name"].as_str().unwrap_or("").to_string(),
            started.elapsed(),
        ));
        if v["name"] == "connect" {
            break;
        }
    }
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let _ = child.wait();
    let (name, at) = seen.last().unwrap();
    assert_eq!(name, "connect", "{seen:?}");
    assert!(
        *at < Duration::from_millis(1500),
        "connect shown after {at:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(2400));
    assert!(rest.iter().any(|l| l.contains("\"request\"")), "{rest:?}");
}

/// A real HTTP server nobody here wrote (Python's http.server, HTTP/1.0,
/// closing after each response): diagnose reads its status and its whole
/// body, and `portcheck --wait` waits on it and names its 404.
#[test]
fn a_real_http_server() {
    if !crate::support::tool_or_skip("python3", "diagnose against python3 http.server") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("health"), "ok\n".repeat(1000)).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    crate::support::wait_port(([127, 0, 0, 1], port).into());
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
    let (rc, r) = diag(&[&url("/health")]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(
        (
            r["http"]["status"].as_u64(),
            r["http"]["body_bytes"].as_u64()
        ),
        (Some(200), Some(3000)),
        "{r}"
    );
    let (rc, r) = diag(&[&url("/missing")]);
    assert_eq!((rc, reason(&r)), (1, Some("http_status")), "{r}");
    let out = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "5s",
        &url("/health"),
    ]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = run([
        "--json",
        "portcheck",
        "--wait",
        "--deadline",
        "1s",
        &url("/missing"),
    ]);
    assert_eq!(code(&out), 4, "still 404 at the deadline: a timeout");
    assert_eq!(json_lines(&out)[0]["status_code"], 404);
    let _ = server.kill();
    let _ = server.wait();
}

/// The README's first command on a host without `::1 localhost` (common
/// in containers and minimal VMs): a warning with the fix, exit 0. A
/// resolver that answers "try again" is a temporary failure, not "not
/// found"; one that never answers, with caps that multiply into minutes,
/// costs the self-check's deadline, not 150 s.
#[test]
fn self_check_without_ipv6_localhost_and_with_a_broken_resolver() {
    let Some(sb) = Sandbox::new("self_check_without_ipv6_localhost") else {
        return;
    };
    let sb = sb
        .hostname("vm")
        .etc(
            "hosts",
            "127.0.0.1 localhost\n127.0.1.1 vm.example.test vm\n",
        )
        .etc("resolv.conf", "nameserver 127.0.0.1\n");
    let out = sb.netkit(&["diagnose"]);
    let human = stdout(&out);
    assert_eq!(code(&out), 0, "{human}");
    assert!(
        human.contains("! localhost resolves to ::1:")
            && human.contains("add \"::1 localhost\" to /etc/hosts"),
        "{human}"
    );
    assert!(human.contains("1 warning, 0 failed"), "{human}");
    let v = json_lines(&sb.netkit(&["--json", "diagnose"]));
    let six = v
        .iter()
        .find(|c| c["name"] == "localhost resolves to ::1")
        .unwrap();
    assert_eq!(
        (six["ok"].as_bool(), six["status"].as_str()),
        (Some(true), Some("warning")),
        "{six}"
    );
    assert_eq!(six["hint"], "add \"::1 localhost\" to /etc/hosts", "{six}");
    let summary = v.last().unwrap();
    assert_eq!(
        (summary["ok"].as_bool(), summary["warnings"].as_u64()),
        (Some(true), Some(1)),
        "{summary}"
    );
    // The host's name is not in /etc/hosts and the nameserver refuses:
    // EAI_AGAIN, a temporary failure, with the fix.
    let sb = Sandbox::new("self_check_eai_again")
        .unwrap()
        .hostname("vm")
        .etc("hosts", "127.0.0.1 localhost\n::1 localhost\n")
        .etc("resolv.conf", "nameserver 127.0.0.1\n");
    let out = sb.netkit(&["--json", "diagnose"]);
    assert_eq!(code(&out), 1);
    let v = json_lines(&out);
    let host = v
        .iter()
        .find(|c| c["name"] == "host name resolves")
        .unwrap();
    assert_eq!(host["error"]["code"], "temporary_failure", "{host}");
    assert!(
        host["hint"].as_str().unwrap_or("").contains("127.0.1.1 vm"),
        "{host}"
    );
    // A nameserver that never answers, and caps of 30 s x 5 attempts: the
    // self-check's resolver calls share one deadline (4 x --timeout).
    let sb = Sandbox::new("self_check_silent_resolver")
        .unwrap()
        .hostname("vm")
        .etc("hosts", "127.0.0.1 localhost\n")
        .etc(
            "resolv.conf",
            "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n",
        );
    let script = "python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind((\"127.0.0.1\",53)); time.sleep(120)' &\n\
                  sleep 0.3\n\
                  start=$(date +%s%N)\n\
                  \"$NK\" --json diagnose --timeout 1s > out.json; echo $? > rc\n\
                  echo $(( ($(date +%s%N) - start) / 1000000 )) > ms\n";
    let out = sb.shell_within(script, 60);
    assert!(out.status.success(), "{}", stderr(&out));
    let ms: u64 = sb.read("ms").trim().parse().unwrap();
    assert!(ms < 8000, "the self-check took {ms} ms");
    assert_eq!(sb.read("rc").trim(), "1");
    let late: Vec<Value> = sb
        .read("out.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|c: &Value| {
            c["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("did not answer within")
        })
        .collect();
    assert!(!late.is_empty(), "{}", sb.read("out.json"));
}
