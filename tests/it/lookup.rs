//! lookup, rdns, addrinfo, fqdn and hostname. Queries with an explicit
//! server go to the in-process hickory-server on 127.0.0.1; everything that
//! could consult the system resolver runs in the namespace sandbox, with
//! fixture /etc/hosts and /etc/resolv.conf pointing at a test server on
//! 127.0.0.1:53 inside it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use serde_json::{Value, json};

use crate::support::dns::{rcode_server, silent_server, truncating_server, zone_server};
use crate::support::{Sandbox, code, json_lines, python_available, run, stderr, stdout};

fn server() -> String {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| format!("@{}", zone_server("127.0.0.1:0")))
        .clone()
}

fn lookup(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["--json", "lookup"];
    all.extend_from_slice(args);
    let out = run(&all);
    (code(&out), json_lines(&out))
}

#[test]
fn default_follows_the_cname_chain_like_gethostbyname_ex() {
    let srv = server();
    let (rc, v) = lookup(&[&srv, "www.example.test"]);
    assert_eq!(rc, 0);
    assert_eq!(v.len(), 2, "A and AAAA");
    assert_eq!(
        (v[0]["qtype"].as_str(), v[1]["qtype"].as_str()),
        (Some("A"), Some("AAAA"))
    );
    for r in &v {
        assert_eq!(r["status"], "noerror");
        assert_eq!(r["rcode"], 0);
        assert_eq!(r["canonical_name"], "c.example.test.");
        assert_eq!(
            r["aliases"],
            json!(["www.example.test.", "a.example.test.", "b.example.test."])
        );
        assert!(r["flags"].as_array().unwrap().contains(&json!("aa")), "{r}");
        assert!(r["rtt_ms"].as_f64().unwrap() > 0.0);
        assert_eq!(server_of(r), srv.trim_start_matches('@'));
    }
    let a = v[0]["answers"].as_array().unwrap();
    let last = a.last().unwrap();
    assert_eq!(
        (last["value"].as_str(), last["ttl"].as_u64()),
        (Some("192.0.2.10"), Some(600))
    );
    assert_eq!(last["data"]["address"], "192.0.2.10");
    let human = stdout(&run(["lookup", &srv, "www.example.test"]));
    assert!(human.contains("  Hostname : c.example.test\n  Aliases  : www.example.test, a.example.test, b.example.test\n"), "{human}");
    assert!(
        human.contains("  Addresses: 192.0.2.10 (ttl 600), 2001:db8::10 (ttl 600)"),
        "{human}"
    );
}

#[test]
fn typed_queries_carry_typed_data() {
    let srv = server();
    let (rc, v) = lookup(&[
        &srv,
        "-t",
        "MX",
        "-t",
        "TXT",
        "-t",
        "SOA",
        "-t",
        "CAA",
        "-t",
        "NS",
        "example.test",
    ]);
    assert_eq!(rc, 0);
    let by_type = |t: &str| {
        v.iter()
            .find(|r| r["qtype"] == t)
            .unwrap_or_else(|| panic!("no {t}"))
    };
    let mx = by_type("MX")["answers"].as_array().unwrap().clone();
    let mut prefs: Vec<(u64, String)> = mx
        .iter()
        .map(|a| {
            (
                a["data"]["preference"].as_u64().unwrap(),
                a["data"]["exchange"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    prefs.sort();
    assert_eq!(
        prefs,
        vec![
            (10, "mail.example.test.".to_string()),
            (20, "backup.example.test.".to_string())
        ]
    );
    let txt: Vec<Value> = by_type("TXT")["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["data"]["strings"].clone())
        .collect();
    assert!(
        txt.contains(&json!(["first string", "second string"])),
        "{txt:?}"
    );
    assert!(txt.contains(&json!(["v=spf1 -all"])));
    let soa = &by_type("SOA")["answers"][0]["data"];
    assert_eq!(
        (soa["serial"].as_u64(), soa["minimum"].as_u64()),
        (Some(2026112101), Some(60))
    );
    let caa = &by_type("CAA")["answers"][0]["data"];
    assert_eq!(
        (
            caa["tag"].as_str(),
            caa["value"].as_str(),
            caa["critical"].as_bool()
        ),
        (Some("issue"), Some("ca.example.test"), Some(false))
    );
    assert_eq!(
        by_type("NS")["answers"][0]["data"]["target"],
        "ns1.example.test."
    );
    let (rc, v) = lookup(&[&srv, "-t", "srv", "_sip._tcp.example.test"]);
    assert_eq!(rc, 0);
    let srv_data = &v[0]["answers"][0]["data"];
    assert_eq!(
        (srv_data["port"].as_u64(), srv_data["target"].as_str()),
        (Some(5060), Some("sip.example.test."))
    );
}

#[test]
fn negative_answers() {
    let srv = server();
    let (rc, v) = lookup(&[&srv, "-t", "A", "nosuch.example.test"]);
    assert_eq!(rc, 1);
    assert_eq!(
        (v[0]["status"].as_str(), v[0]["rcode"].as_u64()),
        (Some("nxdomain"), Some(3))
    );
    assert_eq!(v[0]["answers"], json!([]));
    assert_eq!(
        v[0]["authority"][0]["rtype"], "SOA",
        "negative answers carry the SOA"
    );
    let (rc, v) = lookup(&[&srv, "-t", "A", "v6only.example.test"]);
    assert_eq!(
        (rc, v[0]["status"].as_str(), v[0]["rcode"].as_u64()),
        (1, Some("nodata"), Some(0))
    );
    // A host with only IPv6 addresses is found: the missing family is not
    // a failure of the default A + AAAA look-up.
    let (rc, v) = lookup(&[&srv, "v6only.example.test"]);
    assert_eq!(rc, 0, "only IPv6 is still an answer");
    assert_eq!(
        (v[0]["status"].as_str(), v[1]["status"].as_str()),
        (Some("nodata"), Some("noerror"))
    );
    // Asked for explicitly, each type counts.
    let (rc, _) = lookup(&[&srv, "-t", "A", "-t", "MX", "v6only.example.test"]);
    assert_eq!(rc, 1);
}

#[test]
fn server_failures_and_timeouts() {
    let servfail = rcode_server(ResponseCode::ServFail);
    let refused = rcode_server(ResponseCode::Refused);
    let (rc, v) = lookup(&["--server", &servfail.to_string(), "-t", "A", "example.test"]);
    assert_eq!(
        (rc, v[0]["status"].as_str(), v[0]["rcode"].as_u64()),
        (3, Some("servfail"), Some(2))
    );
    let (rc, v) = lookup(&[&format!("@{refused}"), "-t", "A", "example.test"]);
    assert_eq!((rc, v[0]["status"].as_str()), (3, Some("refused")));
    let silent = silent_server();
    let start = Instant::now();
    let (rc, v) = lookup(&[
        "--timeout",
        "0.3s",
        "--retries",
        "1",
        &format!("@{}", silent.addr()),
        "-t",
        "A",
        "example.test",
    ]);
    let took = start.elapsed();
    assert_eq!((rc, v[0]["status"].as_str()), (4, Some("timeout")));
    assert!(
        took >= Duration::from_millis(550) && took < Duration::from_secs(3),
        "two attempts of 0.3 s: {took:?}"
    );
    // A closed UDP port: ICMP unreachable, an error that is not a "no".
    let held = crate::support::ClosedPort::udp();
    let closed = held.addr;
    let (rc, v) = lookup(&[&format!("@{closed}"), "-t", "A", "example.test"]);
    assert_eq!((rc, v[0]["status"].as_str()), (5, Some("error")));
    assert_eq!(v[0]["error"]["code"], "refused");
}

/// A TCP connection that dies says where and how: reset or closed, before
/// the answer or how far into it (it was "the server closed the TCP
/// connection" for all four, a reset included).
#[test]
fn a_tcp_connection_that_dies_says_where() {
    use std::io::{Read, Write};
    type Serve = fn(&mut std::net::TcpStream);
    let cases: [(Serve, &str, &str); 4] = [
        (
            |c| {
                socket2::SockRef::from(&*c)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
            },
            "reset",
            "the server reset the connection before the answer came",
        ),
        (
            |_| {},
            "closed",
            "the server closed the connection before the answer came",
        ),
        (
            |c| c.write_all(&[0, 64, 0x12]).unwrap(),
            "closed",
            "the server closed the connection in an answer (1 of its 64 bytes)",
        ),
        (
            |c| {
                c.write_all(&[0, 64, 0x12]).unwrap();
                std::thread::sleep(Duration::from_millis(100));
                socket2::SockRef::from(&*c)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
            },
            "reset",
            "the server reset the connection in an answer (1 of its 64 bytes)",
        ),
    ];
    for (serve, code_want, says) in cases {
        let addr = crate::support::peers::tcp_peer(move |mut c| {
            let mut len = [0u8; 2];
            if c.read_exact(&mut len).is_ok() {
                let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if c.read_exact(&mut q).is_ok() {
                    serve(&mut c);
                }
            }
        });
        let at = format!("@{addr}");
        let t = Instant::now();
        let (c, v) = lookup(&["--tcp", "-t", "A", "--timeout", "5s", &at, "a.test"]);
        assert_eq!(c, 5, "{says}: {v:?}");
        assert_eq!(v[0]["error"]["code"], code_want, "{says}: {v:?}");
        let message = v[0]["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{says}: {message}");
        assert!(
            t.elapsed() < Duration::from_secs(4),
            "{says}: waited for the timeout"
        );
    }
}

/// A DNS-over-TLS or -HTTPS server that lets go in the handshake says how
/// (it was "tls handshake eof", and "received corrupt message of type
/// InvalidContentType" for a server that is not TLS at all).
#[test]
fn a_tls_handshake_that_dies_says_how() {
    use std::io::{Read, Write};
    type Serve = fn(&mut std::net::TcpStream);
    let cases: [(Serve, &str); 3] = [
        (
            |_| {},
            "the server closed the connection during the TLS handshake, before its ServerHello",
        ),
        (
            |c| {
                socket2::SockRef::from(&*c)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
            },
            "the server reset the connection during the TLS handshake",
        ),
        (
            |c| c.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap(),
            "the server does not speak TLS (its first bytes are not a TLS record)",
        ),
    ];
    for scheme in ["tls", "https"] {
        for (serve, says) in cases {
            let addr = crate::support::peers::tcp_peer(move |mut c| {
                let mut hello = [0u8; 512];
                if c.read(&mut hello).is_ok_and(|n| n > 0) {
                    serve(&mut c);
                }
            });
            let at = format!("@{scheme}://{addr}");
            let (c, v) = lookup(&["-t", "A", "--timeout", "5s", &at, "a.test"]);
            assert_eq!(c, 5, "{scheme} {says}: {v:?}");
            let message = v[0]["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{scheme} {says}: {message}");
        }
    }
}

#[test]
fn truncated_answers_fall_back_to_tcp() {
    let tc = truncating_server();
    let (rc, v) = lookup(&[&format!("@{tc}"), "-t", "A", "big.example.test"]);
    assert_eq!(rc, 0);
    assert_eq!(
        (
            v[0]["transport"].as_str(),
            v[0]["answers"][0]["value"].as_str()
        ),
        (Some("tcp"), Some("192.0.2.99"))
    );
    let (rc, v) = lookup(&["--tcp", &server(), "-t", "MX", "example.test"]);
    assert_eq!((rc, v[0]["transport"].as_str()), (0, Some("tcp")));
}

#[test]
fn short_output_and_several_servers() {
    let srv = server();
    let out = run([
        "lookup",
        "--short",
        &srv,
        "-t",
        "A",
        "mail.example.test",
        "c.example.test",
    ]);
    assert_eq!(stdout(&out), "192.0.2.25\n192.0.2.10\n");
    let other = format!("@{}", zone_server("127.0.0.1:0"));
    let (rc, v) = lookup(&[&srv, &other, "-t", "A", "mail.example.test"]);
    assert_eq!(rc, 0);
    let servers: Vec<String> = v.iter().map(server_of).collect();
    assert_eq!(
        servers,
        vec![srv.trim_start_matches('@'), other.trim_start_matches('@')]
    );
}

/// A line of `-f` input that is no name is reported in its place, with
/// the file and line, and the batch goes on; the exit is the largest (2).
/// A line that is not text still ends the input (tests/it/hostile.rs).
#[test]
fn a_bad_name_in_a_batch_is_its_own_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.txt");
    std::fs::write(
        &path,
        "mail.example.test\na..b.example.test\nwww.example.test\na b\nbackup.example.test\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let (rc, v) = lookup(&[&server(), "-t", "A", "-f", file]);
    assert_eq!(rc, 2, "{v:?}");
    let got: Vec<(&str, &str, &str)> = v
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["error"]["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("mail.example.test", "noerror", ""),
            ("a..b.example.test", "error", "invalid"),
            ("www.example.test", "noerror", ""),
            ("a b", "error", "invalid"),
            ("backup.example.test", "noerror", ""),
        ]
    );
    let why = v[1]["error"]["message"].as_str().unwrap();
    assert!(
        why.ends_with("names.txt: line 2: invalid name 'a..b.example.test': empty label"),
        "{why}"
    );
    let out = run(["lookup", &server(), "-t", "A", "-f", file]);
    assert_eq!(code(&out), 2);
    let human = stdout(&out);
    let line = human.lines().nth(1).unwrap_or("");
    assert!(
        line.starts_with("a..b.example.test")
            && line.contains("ERROR")
            && line.contains("line 2: invalid name"),
        "{human}"
    );
    assert_eq!(human.lines().count(), 5, "{human}");
}

#[test]
fn batch_keeps_input_order_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.txt");
    let names: Vec<String> = (0..600)
        .map(|i| match i % 3 {
            0 => "mail.example.test".to_string(),
            1 => format!("missing-{i}.example.test"),
            _ => "www.example.test".to_string(),
        })
        .collect();
    std::fs::write(&path, format!("# a comment\n\n{}\n", names.join("\n"))).unwrap();
    let (rc, v) = lookup(&[
        &server(),
        "-t",
        "A",
        "-f",
        path.to_str().unwrap(),
        "--concurrency",
        "64",
    ]);
    assert_eq!(rc, 1, "NXDOMAIN among them");
    assert_eq!(v.len(), names.len(), "one result per input line");
    for (r, n) in v.iter().zip(&names) {
        assert_eq!(r["name"], n.as_str());
        let want = if n.starts_with("missing") {
            "nxdomain"
        } else {
            "noerror"
        };
        assert_eq!(r["status"], want, "{n}");
    }
    let human = stdout(&run([
        "lookup",
        &server(),
        "-t",
        "A",
        "-f",
        path.to_str().unwrap(),
    ]));
    assert_eq!(human.lines().count(), names.len());
    // Aligned columns: the type, the status and the data start at the same
    // place on every row (names up to the floor width), no trailing blanks.
    let first = human.lines().next().unwrap();
    assert_eq!(
        first, "mail.example.test         A      NOERROR   192.0.2.25",
        "{human}"
    );
    for l in human.lines() {
        assert_eq!(&l[26..28], "A ", "{l}");
        assert!(
            l[33..].starts_with("NOERROR ") || l[33..] == *"NXDOMAIN",
            "{l}"
        );
        assert_eq!(l, l.trim_end(), "{l}");
    }
}

#[test]
fn rdns_ptr_sweep_and_forward_confirmation() {
    let srv = server();
    let s = srv.trim_start_matches('@');
    let out = run([
        "--json",
        "rdns",
        "--dns",
        "--server",
        s,
        "--verify",
        "192.0.2.25",
        "2001:db8::25",
        "192.0.2.77",
    ]);
    assert_eq!(code(&out), 1, "the liar fails verification");
    let v = json_lines(&out);
    assert_eq!(
        (v[0]["hostname"].as_str(), v[0]["verified"].as_bool()),
        (Some("mail.example.test."), Some(true))
    );
    assert_eq!(
        (v[1]["hostname"].as_str(), v[1]["verified"].as_bool()),
        (Some("mail.example.test."), Some(true))
    );
    assert_eq!(
        (v[2]["hostname"].as_str(), v[2]["verified"].as_bool()),
        (Some("liar.example.test."), Some(false))
    );
    assert_eq!(v[2]["forward"], json!(["192.0.2.78"]));
    let out = run(["--json", "rdns", "--server", s, "192.0.2.0/27"]);
    let v = json_lines(&out);
    assert_eq!(v.len(), 33, "32 answers and the summary");
    assert_eq!(
        (
            v[32]["type"].as_str(),
            v[32]["addresses"].as_u64(),
            v[32]["named"].as_u64()
        ),
        (Some("summary"), Some(32), Some(4))
    );
    let named: Vec<(&str, &str)> = v
        .iter()
        .filter(|a| a["type"] == "rdns" && a["status"] == "found")
        .map(|a| {
            (
                a["address"].as_str().unwrap(),
                a["hostname"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            ("192.0.2.1", "example.test."),
            ("192.0.2.10", "c.example.test."),
            ("192.0.2.25", "mail.example.test."),
            ("192.0.2.26", "backup.example.test.")
        ]
    );
    assert_eq!(code(&out), 1, "most addresses have no name");
    let out = run(["rdns", "--server", s, "10.0.0.0/15"]);
    crate::support::assert_usage_error(&out, "rdns /15");
}

#[test]
fn usage_errors() {
    let cases: &[&[&str]] = &[
        &["lookup"][..],
        &["lookup", "-t", "BOGUS", "example.test"],
        &["lookup", "@ftp://127.0.0.1", "example.test"],
        &["lookup", "@tls://", "example.test"],
        &["lookup", "--tcp", "@quic://127.0.0.1", "example.test"],
        &[
            "lookup",
            "--tls-name",
            "x.test",
            "@127.0.0.1",
            "example.test",
        ],
        &["lookup", "@127.0.0.1:0", "example.test"],
        &["lookup", "a..b"],
        &["lookup", "has space"],
        &["lookup", "--timeout", "0", "example.test"],
        &["lookup", "--system", "-t", "MX", "example.test"],
        &["lookup", "--system", "@127.0.0.1", "example.test"],
        &["lookup", "-f", "/nonexistent/netkit-names"],
        &["lookup", "--retries", "99", "example.test"],
        &["addrinfo"],
        &["addrinfo", "--family", "ipx", "localhost"],
        &["rdns", "not-an-address"],
        &["rdns", "192.0.2.0/33"],
        &["rdns", "--server", "nope:0", "192.0.2.1"],
    ];
    crate::support::assert_usage_errors_say("lookup", cases);
}

/// The test server, run inside a sandbox by re-executing this test binary.
/// Not a test: it serves until killed, and only when asked to.
#[test]
#[ignore = "helper: serves the test zones inside the sandbox"]
fn zz_dns_fixture_helper() {
    let var = |name: &str| std::env::var(name).ok();
    let addr = if let Some(bind) = var("NETKIT_DOQ_FIXTURE") {
        // DNS over QUIC with the certificate named by NETKIT_DOQ_CERT/KEY.
        crate::support::zones::serve_doq(
            bind.parse().unwrap(),
            &[crate::support::dns::ZONE],
            &var("NETKIT_DOQ_CERT").unwrap(),
            &var("NETKIT_DOQ_KEY").unwrap(),
        )
    } else if let Some(bind) = var("NETKIT_DNS_FIXTURE") {
        zone_server(&bind)
    } else {
        return;
    };
    if let Ok(ready) = std::env::var("NETKIT_DNS_READY") {
        std::fs::write(ready, addr.to_string()).unwrap();
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

const HOSTS: &str = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n192.0.2.10 web.example.test web alias.example.test\n\
                     2001:db8::10 web6.example.test web6\n192.0.2.11 plain\n";

/// A sandbox with fixture hosts/resolv.conf and the test DNS server on
/// 127.0.0.1:53; `script` runs there after the server is ready.
fn with_resolver(test: &str, script: &str) -> Option<(Sandbox, std::process::Output)> {
    let sb = Sandbox::new(test)?.etc("hosts", HOSTS).etc(
        "resolv.conf",
        "nameserver 127.0.0.1\nsearch example.test\noptions timeout:1 attempts:2\n",
    );
    let me = std::env::current_exe().unwrap();
    let full = format!(
        "NETKIT_DNS_FIXTURE=127.0.0.1:53 NETKIT_DNS_READY=ready '{}' --ignored --exact lookup::zz_dns_fixture_helper >/dev/null 2>&1 &\n\
         for i in $(seq 200); do [ -s ready ] && break; sleep 0.02; done\n{script}",
        me.display()
    );
    let out = sb.shell(&full);
    Some((sb, out))
}

/// `--prom-file` is fed by the printer for every mode: `--system` (NSS)
/// writes its series too, and `-q` (nothing printed) still measures.
#[test]
fn prom_file_in_every_lookup_mode() {
    let script = "\"$NK\" lookup --system --prom-file nss.prom web nosuch.example.test > nss.txt; echo $? > nss.rc\n\
                  \"$NK\" lookup -q --prom-file quiet.prom -t A www > quiet.txt; echo $? > quiet.rc\n";
    let Some((sb, out)) = with_resolver("prom_file_in_every_lookup_mode", script) else {
        return;
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(sb.read("nss.rc").trim(), "1", "{}", sb.read("nss.txt"));
    let text = sb.read("nss.prom");
    let s = crate::diagnose::prom_samples(&text);
    let get = |series: &str| s.iter().find(|(k, _)| k == series).map(|(_, v)| *v);
    assert_eq!(
        get("netkit_dns_lookup_success{name=\"web\",qtype=\"A\",server=\"nss\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        get(
            "netkit_dns_lookup_success{name=\"nosuch.example.test\",qtype=\"AAAA\",server=\"nss\"}"
        ),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        get("netkit_dns_answers{name=\"web\",qtype=\"A\",server=\"nss\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(sb.read("quiet.rc").trim(), "0");
    assert!(sb.read("quiet.txt").is_empty());
    let text = sb.read("quiet.prom");
    assert!(
        text.contains(
            "netkit_dns_lookup_success{name=\"www\",qtype=\"A\",server=\"127.0.0.1:53\"} 1"
        ),
        "{text}"
    );
}

#[test]
fn system_resolver_search_list_and_nss() {
    let script = "\"$NK\" --json lookup www > search.json; echo $? > search.rc\n\
                  \"$NK\" --json lookup -t MX example.test > mx.json\n\
                  \"$NK\" --json lookup --system web plain nosuch.example.test > nss.json; echo $? > nss.rc\n\
                  \"$NK\" --json lookup --system web.example.test > nss-dns.json\n";
    let Some((sb, out)) = with_resolver("lookup via resolv.conf", script) else {
        return;
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = |f: &str| -> Vec<Value> {
        sb.read(f)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let s = lines("search.json");
    assert_eq!(
        (s[0]["query_name"].as_str(), s[0]["status"].as_str()),
        (Some("www.example.test."), Some("noerror")),
        "{s:?}"
    );
    assert_eq!(server_of(&s[0]), "127.0.0.1:53");
    assert_eq!(sb.read("search.rc").trim(), "0");
    assert_eq!(lines("mx.json")[0]["answers"].as_array().unwrap().len(), 2);
    let n = lines("nss.json");
    assert_eq!(
        (n[0]["status"].as_str(), n[0]["canonical_name"].as_str()),
        (Some("found"), Some("web.example.test"))
    );
    assert_eq!(n[0]["aliases"], json!(["web", "alias.example.test"]));
    assert_eq!(n[2]["status"], "found", "plain: IPv4 only");
    assert_ne!(n[3]["status"], "found", "plain has no IPv6 entry");
    assert_ne!(n[4]["status"], "found");
    assert_eq!(sb.read("nss.rc").trim(), "1");
}

#[test]
fn system_functions_equal_python() {
    if !python_available() {
        crate::support::skip(
            "python comparison of the system resolver",
            "python3 not found",
        );
        return;
    }
    // addrinfo, fqdn, rdns and lookup --system against Python's socket
    // module, in the same sandbox, for the seeds' odd cases too.
    let py = r#"
import socket, json
def ai(host, serv, **kw):
    try:
        return [[socket.AddressFamily(f).name, socket.SocketKind(t).name, str(p), c, list(s)] for f, t, p, c, s in socket.getaddrinfo(host, serv, **kw)]
    except socket.gaierror as e:
        return 'error %d' % e.errno
out = {
  'ai': [ai(h, s) for h, s in [('web.example.test', 'http'), ('0xc000027b', 80), ('fe80::1%lo', 80), ('::ffff:192.0.2.128', 443), ('10.0.0.256', 80), ('nosuch.example.test', 80), ('web6', 22), ('www', 'https')]],
  'ai_flags': ai('web', 80, family=socket.AF_INET, type=socket.SOCK_STREAM, flags=socket.AI_CANONNAME),
  'fqdn': [socket.getfqdn(n) for n in ['web', '192.0.2.10', 'plain', 'nosuch-host', 'www']],
  'byaddr': list(socket.gethostbyaddr('192.0.2.10')),
  'ex': list(socket.gethostbyname_ex('web')),
}
print(json.dumps(out))
"#;
    let script = format!(
        "cat > cmp.py <<'PY'\n{py}\nPY\npython3 cmp.py > py.json\n\
         for hs in 'web.example.test http' '0xc000027b 80' 'fe80::1%lo 80' '::ffff:192.0.2.128 443' '10.0.0.256 80' 'nosuch.example.test 80' 'web6 22' 'www https'; do\n\
           set -- $hs; \"$NK\" --json addrinfo \"$1\" -s \"$2\" >> ai.json; done\n\
         \"$NK\" --json addrinfo --family inet --type stream --canonname web -s 80 > ai-flags.json\n\
         \"$NK\" --json fqdn web 192.0.2.10 plain nosuch-host www > fqdn.json\n\
         \"$NK\" --json rdns 192.0.2.10 > rdns.json\n\
         \"$NK\" --json lookup --system web > ex.json\n"
    );
    let Some((sb, out)) = with_resolver("system resolver vs python", &script) else {
        return;
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let py: Value = serde_json::from_str(sb.read("py.json").trim())
        .unwrap_or_else(|e| panic!("{e}: {}", sb.read("py.json")));
    let ours = |f: &str| -> Vec<Value> {
        sb.read(f)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let as_python = |a: &Value| -> Value {
        if let Some(e) = a.get("error") {
            let code: i64 = match e["code"].as_str().unwrap() {
                "not_found" => -2,
                "temporary_failure" => -3,
                _ => 0,
            };
            return json!(format!("error {code}"));
        }
        Value::Array(
            a["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let proto = match r["protocol"].as_str().unwrap() {
                        "IPPROTO_TCP" => "6",
                        "IPPROTO_UDP" => "17",
                        other => other,
                    };
                    let sockaddr: Vec<Value> = match r["scope_id"].as_u64() {
                        Some(scope) => vec![
                            json!(r["address"]),
                            json!(r["port"]),
                            json!(r["flowinfo"]),
                            json!(scope),
                        ],
                        None => vec![json!(r["address"]), json!(r["port"])],
                    };
                    json!([r["family"], r["socktype"], proto, r["canonname"], sockaddr])
                })
                .collect(),
        )
    };
    let ai = ours("ai.json");
    assert_eq!(ai.len(), 8);
    for (i, (mine, theirs)) in ai.iter().zip(py["ai"].as_array().unwrap()).enumerate() {
        assert_eq!(&as_python(mine), theirs, "getaddrinfo case {i}: {mine}");
    }
    assert_eq!(as_python(&ours("ai-flags.json")[0]), py["ai_flags"]);
    let fq: Vec<Value> = ours("fqdn.json")
        .iter()
        .map(|f| f["fqdn"].clone())
        .collect();
    assert_eq!(Value::Array(fq), py["fqdn"]);
    let r = &ours("rdns.json")[0];
    assert_eq!(
        json!([r["hostname"], r["aliases"], r["addresses"]]),
        py["byaddr"]
    );
    let ex = &ours("ex.json")[0];
    assert_eq!(
        json!([ex["canonical_name"], ex["aliases"], ex["addresses"]]),
        py["ex"]
    );
}

#[test]
fn hostname_and_its_addresses() {
    let me = stdout(&run(["hostname"])).trim().to_string();
    assert!(!me.is_empty());
    let Some(sb) = Sandbox::new("hostname --addrs") else {
        return;
    };
    let sb = sb.etc("hosts", &format!("127.0.0.1 localhost\n127.0.1.1 {me}\n"));
    let out = sb.netkit(&["--json", "hostname", "--addrs", "--interfaces"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = &json_lines(&out)[0];
    assert_eq!(v["hostname"], me.as_str());
    assert_eq!(v["addresses"], json!(["127.0.1.1"]));
    let ifs = v["interfaces"].as_array().unwrap();
    assert_eq!(ifs.len(), 1, "only lo in the sandbox");
    assert_eq!(ifs[0]["name"], "lo");
    assert!(
        ifs[0]["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("loopback"))
    );
    assert!(
        ifs[0]["addrs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["address"] == "127.0.0.1" && a["prefix_len"] == 8)
    );
}

#[test]
fn ipv6_server_address() {
    let v6 = zone_server("[::1]:0");
    let (rc, v) = lookup(&[&format!("@{v6}"), "-t", "AAAA", "mail.example.test"]);
    assert_eq!(rc, 0);
    assert_eq!(
        (server_of(&v[0]), v[0]["answers"][0]["value"].as_str()),
        (v6.to_string(), Some("2001:db8::25"))
    );
}

/// A result's server as `address:port` (`[v6]:port`).
fn server_of(r: &Value) -> String {
    let ip: std::net::IpAddr = r["server"]["address"].as_str().unwrap().parse().unwrap();
    std::net::SocketAddr::new(ip, r["server"]["port"].as_u64().unwrap() as u16).to_string()
}

/// `-x ADDR` as dig -x, and `-t PTR ADDR` reversed instead of asked for
/// literally (`192.0.2.10.` is not a name anyone means).
#[test]
fn reverse_lookups_ask_for_the_arpa_name() {
    let s = server();
    for args in [
        vec!["-x", "192.0.2.10", &s],
        vec!["-t", "PTR", "192.0.2.10", &s],
        vec!["-t", "ptr", "--short", "192.0.2.10", &s],
    ] {
        let out = run([&["lookup"][..], &args].concat());
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("c.example.test."),
            "{args:?}: {}",
            stdout(&out)
        );
    }
    // A PTR's targets are names: labelled so, not "Addresses".
    let human = stdout(&run(["lookup", "-x", "192.0.2.10", &s]));
    assert!(
        human.contains("  Names    : c.example.test. (ttl ") && !human.contains("Addresses"),
        "{human}"
    );
    // A negative answer says its status once.
    let human = stdout(&run(["lookup", "nosuch.example.test", &s]));
    assert!(human.contains("  ERROR: NXDOMAIN from "), "{human}");
    assert_eq!(human.matches("NXDOMAIN").count(), 1, "{human}");
    let (c, v) = lookup(&["-x", "192.0.2.10", &s]);
    assert_eq!(c, 0);
    assert_eq!(v[0]["qtype"], "PTR");
    assert_eq!(v[0]["query_name"], "10.2.0.192.in-addr.arpa.");
    assert_eq!(v[0]["name"], "192.0.2.10", "the name as given stays");
    // Octets of a network: its reverse zone, as dig -x makes it.
    let (c, v) = lookup(&["-x", "192.0.2", "-t", "SOA", &s]);
    assert_eq!(c, 0, "{v:?}");
    assert_eq!(v[0]["query_name"], "2.0.192.in-addr.arpa.");
    assert_eq!(v[0]["answers"][0]["rtype"], "SOA");
    // Not an address.
    for bad in ["not-an-ip", "192.0.2.256", "010.1", "192.0.2.1/24"] {
        let out = run(["lookup", "-x", bad, &s]);
        crate::support::assert_usage_error(&out, "-x");
    }
}

/// `--prom-file` on lookup: one series per (name, type, server).
#[test]
fn prom_file_has_a_series_per_lookup() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let prom = dir.path().join("dns.prom");
    let out = run([
        "lookup",
        "-t",
        "A",
        "--prom-file",
        prom.to_str().unwrap(),
        "www.example.test",
        "nope.example.test",
        &s,
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let m = crate::diagnose::prom_samples(&std::fs::read_to_string(&prom).unwrap());
    let ok = |name: &str| {
        m.iter()
            .find(|(k, _)| {
                k.starts_with("netkit_dns_lookup_success{")
                    && k.contains(&format!("name=\"{name}\""))
            })
            .map(|(_, v)| *v)
    };
    assert_eq!(ok("www.example.test"), Some(1.0), "{m:?}");
    assert_eq!(ok("nope.example.test"), Some(0.0));
    assert!(
        m.iter().any(
            |(k, v)| k.starts_with("netkit_dns_rcode{name=\"nope.example.test\"") && *v == 3.0
        )
    );
}

/// An IDN asked in Unicode is sent, and shown, in its wire form (as dig
/// and kdig show it); the Unicode form sits beside it, never instead.
#[test]
fn idn_names_show_the_wire_form_with_unicode_beside() {
    let srv = server();
    let (rc, v) = lookup(&["-t", "A", "bücher.example.test", &srv]);
    assert_eq!(rc, 0, "{v:?}");
    let r = &v[0];
    assert_eq!(r["query_name"], "xn--bcher-kva.example.test.", "{r}");
    assert_eq!(r["query_name_unicode"], "bücher.example.test.", "{r}");
    assert_eq!(
        r["answers"][0]["name"], "xn--bcher-kva.example.test.",
        "{r}"
    );
    assert_eq!(
        r["answers"][0]["name_unicode"], "bücher.example.test.",
        "{r}"
    );
    // A plain name has no Unicode form at all.
    let (_, v) = lookup(&["-t", "A", "mail.example.test", &srv]);
    assert!(v[0].get("query_name_unicode").is_none(), "{}", v[0]);
    assert!(v[0]["answers"][0].get("name_unicode").is_none(), "{}", v[0]);
    let out = run(["lookup", "-t", "A", "xn--bcher-kva.example.test", &srv]);
    assert!(
        stdout(&out).starts_with(";; xn--bcher-kva.example.test. (bücher.example.test.) A @"),
        "{}",
        stdout(&out)
    );
    let out = run(["lookup", "bücher.example.test", &srv]);
    assert!(
        stdout(&out).contains("Hostname : xn--bcher-kva.example.test (bücher.example.test)"),
        "{}",
        stdout(&out)
    );
}

/// DNS over QUIC against hickory-server's DoQ (a server netkit did not
/// write), with a certificate made in the test: one query, a batch on one
/// connection, and the certificate checks.
#[test]
fn dns_over_quic() {
    let certs = crate::support::peers::make_certs();
    let addr = crate::support::zones::serve_doq(
        "127.0.0.1:0".parse().unwrap(),
        &[crate::support::dns::ZONE],
        &certs.path("valid.pem"),
        &certs.path("valid.key"),
    );
    let ca = certs.path("ca.pem");
    let server = format!("@quic://{addr}");
    let (rc, v) = lookup(&["--ca-file", &ca, "-t", "A", "c.example.test", &server]);
    assert_eq!(rc, 0, "{v:?}");
    assert_eq!(v[0]["transport"], "quic", "{}", v[0]);
    assert_eq!(v[0]["answers"][0]["value"], "192.0.2.10", "{}", v[0]);
    // A batch: a stream per query on one connection, input order kept.
    let names: String = (0..200)
        .map(|i| {
            if i % 2 == 0 {
                "c.example.test\n"
            } else {
                "mail.example.test\n"
            }
        })
        .collect();
    let out = crate::support::lookup_batch(&server, &["--ca-file", &ca], &names);
    assert_eq!(
        code(&out),
        0,
        "{:?}",
        stdout(&out)
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.contains("\"ok\":true"))
            .map(|(i, l)| format!("{i}: {}", &l[l.find("message").unwrap_or(0)..]))
            .take(5)
            .collect::<Vec<_>>()
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 200);
    for (i, r) in v.iter().enumerate() {
        let want = if i % 2 == 0 {
            "192.0.2.10"
        } else {
            "192.0.2.25"
        };
        assert_eq!(r["answers"][0]["value"], want, "{r}");
    }
    // The certificate is checked: no CA given, and another name asked for.
    let (rc, v) = lookup(&["-t", "A", "c.example.test", &server]);
    assert_eq!(
        (rc, v[0]["error"]["code"].as_str()),
        (5, Some("tls_unknown_issuer")),
        "{v:?}"
    );
    let (rc, v) = lookup(&[
        "--ca-file",
        &ca,
        "--tls-name",
        "other.example.test",
        "-t",
        "A",
        "c.example.test",
        &server,
    ]);
    assert_eq!(
        (rc, v[0]["error"]["code"].as_str()),
        (5, Some("tls_wrong_host")),
        "{v:?}"
    );
    // Nothing speaks QUIC there: a timeout within the deadline.
    let silent = crate::support::dns::silent_server();
    let t = Instant::now();
    let (rc, _) = lookup(&[
        "--timeout",
        "1s",
        "--retries",
        "0",
        "-t",
        "A",
        "c.example.test",
        &format!("@quic://{}", silent.addr()),
    ]);
    assert_eq!(rc, 4);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

/// dig's habits: `lookup NAME MX @SERVER` asks MX (as `-t MX`), the class
/// IN is taken, +options set their flags, a name written like a type keeps
/// its trailing dot, and a word alone is a name even when it spells a type.
#[test]
fn dig_habits_positional_types_classes_and_plus_options() {
    let srv = server();
    let (rc, positional) = lookup(&["example.test", "MX", &srv]);
    let (_, flagged) = lookup(&["-t", "MX", &srv, "example.test"]);
    assert_eq!(rc, 0);
    assert_eq!(positional.len(), 1, "{positional:?}");
    assert_eq!(positional[0]["qtype"], "MX");
    assert_eq!(positional[0]["answers"], flagged[0]["answers"]);
    // Types in any case, several of them, and the class IN.
    let (rc, v) = lookup(&[&srv, "example.test", "IN", "txt", "mx"]);
    assert_eq!(rc, 0);
    let types: Vec<&str> = v.iter().map(|r| r["qtype"].as_str().unwrap()).collect();
    assert_eq!(types, ["TXT", "MX"]);
    // +short is --short, +tcp is --tcp.
    let short = stdout(&run(["lookup", "+short", &srv, "example.test", "MX"]));
    let long = stdout(&run([
        "lookup",
        "--short",
        &srv,
        "-t",
        "MX",
        "example.test",
    ]));
    assert_eq!(short, long);
    assert!(short.contains("10 mail.example.test."), "{short}");
    let (_, v) = lookup(&["+tcp", &srv, "example.test", "A"]);
    assert_eq!(v[0]["transport"], "tcp", "{v:?}");
    let (_, v) = lookup(&["+vc", "+notcp", &srv, "example.test", "A"]);
    assert_eq!(v[0]["transport"], "udp", "{v:?}");
    // +time and +tries bound a silent server as --timeout and --retries do.
    let silent = crate::support::dns::silent_server();
    let t = std::time::Instant::now();
    let (rc, _) = lookup(&[
        &format!("@{}", silent.addr()),
        "+time=1",
        "+tries=1",
        "example.test",
        "A",
    ]);
    assert_eq!(rc, 4);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(1900),
        "{took:?}"
    );
    // A single word is a name, even one that spells a type; a trailing
    // dot makes any word a name.
    let (_, v) = lookup(&[&srv, "ns"]);
    assert_eq!(v[0]["query_name"], "ns.", "{v:?}");
    let (_, v) = lookup(&[&srv, "MX.", "A"]);
    assert_eq!(
        (v[0]["query_name"].as_str(), v[0]["qtype"].as_str()),
        (Some("MX."), Some("A"))
    );
    // A name starting with '-', as dig -q takes it.
    let (_, v) = lookup(&[&srv, "-t", "A", "--name", "-lead.example.test"]);
    assert_eq!(
        (v[0]["query_name"].as_str(), v[0]["status"].as_str()),
        (Some("-lead.example.test."), Some("nxdomain"))
    );
    // What is not taken is a usage error, never ignored.
    for (args, what) in [
        (
            &["lookup", "+shrot", "example.test"][..],
            "did you mean +short?",
        ),
        (
            &["lookup", "-lead.example.test"],
            "a name starting with '-' goes after --name or --",
        ),
        (
            &["lookup", "+bogus", "example.test"],
            "unknown query option '+bogus'",
        ),
        (
            &["lookup", "+noedns", "+dnssec", "example.test"],
            "+noedns leaves no OPT",
        ),
        (
            &["lookup", "+bufsize=100", "example.test"],
            "+bufsize=N takes 512",
        ),
        (&["lookup", "+time=0", "example.test"], "+time=S"),
        (
            &["lookup", "+tries=x", "example.test"],
            "+tries takes a number",
        ),
        (
            &["lookup", "--trace", "example.test", "CH", "TXT"],
            "ask class IN; other classes are for plain look-ups",
        ),
        (
            &["lookup", "-c", "XX", "example.test"],
            "unknown class 'XX'",
        ),
        (
            &["lookup", "--system", "+trace", "example.test"],
            "+trace does not go",
        ),
        (
            &["lookup", "--system", "example.test", "MX"],
            "takes no record type",
        ),
        (
            &["lookup", "+subnet=192.0.2.1/33", "example.test"],
            "+subnet=192.0.2.1/33: the prefix length is 0 to 32",
        ),
        (
            &["lookup", "+subnet=nope", "example.test"],
            "give ADDR[/LEN]",
        ),
        (
            &["lookup", "+cookie=0102", "example.test"],
            "16 hex digits of client cookie",
        ),
        (&["lookup", "--cookie=zz", "example.test"], "16 hex digits"),
        (
            &["lookup", "+padding=600", "example.test"],
            "+padding=N takes 0 (none) to 512",
        ),
        (
            &["lookup", "+noedns", "+nsid", "example.test"],
            "+noedns leaves no OPT",
        ),
        (
            &["lookup", "--system", "+nsid", "example.test"],
            "--system asks NSS",
        ),
        (
            &["lookup", "-b", "127.0.0.1#5353", "example.test"],
            "without a port",
        ),
        (
            &["lookup", "-b", "nowhere", "example.test"],
            "local IPv4 or IPv6 address",
        ),
        (
            &["lookup", "-4", "@::1", "example.test"],
            "no IPv4 address to ask it at (-4)",
        ),
        (
            &["lookup", "-b", "127.0.0.1", "@::1", "example.test"],
            "no IPv4 address to ask it at (-b 127.0.0.1)",
        ),
        (
            &["lookup", "-6", "-b", "127.0.0.1", "@::1", "example.test"],
            "contradict",
        ),
        (
            &["lookup", "+trace", "a.test", "MX", "b.test", "TXT"],
            "take one set of types",
        ),
        (&["lookup", "+nsdi", "example.test"], "did you mean +nsid?"),
    ] {
        let out = run(args);
        crate::support::assert_usage_error(&out, what);
        let err = crate::support::stderr(&out);
        assert!(err.contains(what), "{args:?}: {err}");
    }
}

/// Several names with their own types, as dig takes them: a type goes with
/// the name before it (types before the first name are its); names with
/// none get -t's or A and AAAA. `--name` and `--` force a name; `-p` is the
/// port of servers given without one.
#[test]
fn each_name_with_its_own_types_and_forced_names() {
    let srv = server();
    let port = srv.rsplit(':').next().unwrap().to_string();
    let asked = |v: &[Value]| -> Vec<(String, String)> {
        v.iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["qtype"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let (_, v) = lookup(&[&srv, "example.test", "MX", "www.example.test", "TXT", "A"]);
    assert_eq!(
        asked(&v),
        pairs(&[
            ("example.test", "MX"),
            ("www.example.test", "TXT"),
            ("www.example.test", "A")
        ])
    );
    // A type before the names is the first name's; a name with none gets
    // A and AAAA, in the order given.
    let (_, v) = lookup(&[&srv, "MX", "example.test", "www.example.test"]);
    assert_eq!(
        asked(&v),
        pairs(&[
            ("example.test", "MX"),
            ("www.example.test", "A"),
            ("www.example.test", "AAAA")
        ])
    );
    // Every name with the same types: one batch, as -t.
    let (_, v) = lookup(&[&srv, "example.test", "MX", "mail.example.test", "MX"]);
    assert_eq!(
        asked(&v),
        pairs(&[("example.test", "MX"), ("mail.example.test", "MX")])
    );
    // Human output: each run in its own layout, in order.
    let text = stdout(&run([
        "lookup",
        "--color",
        "never",
        &srv,
        "example.test",
        "MX",
        "www.example.test",
    ]));
    let mx = text
        .find(";; example.test. MX")
        .unwrap_or_else(|| panic!("{text}"));
    let host = text
        .find("  Hostname : ")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(mx < host, "{text}");
    // Forced names: --name and after --, never types.
    let (_, v) = lookup(&[&srv, "--name", "MX", "A"]);
    assert_eq!(asked(&v), pairs(&[("MX", "A")]));
    let (_, v) = lookup(&[&srv, "A", "--", "TXT"]);
    assert_eq!(asked(&v), pairs(&[("TXT", "A")]));
    // -p: the port of a server given without one.
    let (rc, v) = lookup(&["@127.0.0.1", "-p", &port, "example.test", "MX"]);
    assert_eq!(rc, 0, "{v:?}");
    assert_eq!(v[0]["server"]["port"].as_u64().unwrap().to_string(), port);
}

/// What a query says on the wire with dig's header and EDNS options, next
/// to what dig itself sends for the same options: RD, CD, AD, the OPT
/// record, its UDP size, DO and every option byte for byte (NSID, client
/// subnet, cookie, padding).
#[test]
fn dig_options_on_the_wire_equal_digs_own() {
    if !crate::support::tool_or_skip("dig", "dig's options on the wire") {
        return;
    }
    /// The header flags, the OPT record (UDP size, DO, options) and the
    /// query's length.
    type Shape = (bool, bool, bool, Option<(u16, bool, Vec<u8>)>, usize);
    fn shape(q: &[u8]) -> Shape {
        let rd = q[2] & 0x01 != 0;
        let ad = q[3] & 0x20 != 0;
        let cd = q[3] & 0x10 != 0;
        let arcount = u16::from_be_bytes([q[10], q[11]]);
        // Skip the question: the name's labels, then type and class.
        let mut i = 12;
        while q[i] != 0 {
            i += usize::from(q[i]) + 1;
        }
        i += 5;
        let opt = (arcount > 0 && q[i] == 0 && q[i + 1..i + 3] == [0, 41]).then(|| {
            let size = u16::from_be_bytes([q[i + 3], q[i + 4]]);
            let rdlen = usize::from(u16::from_be_bytes([q[i + 9], q[i + 10]]));
            (
                size,
                q[i + 7] & 0x80 != 0,
                q[i + 11..i + 11 + rdlen].to_vec(),
            )
        });
        (rd, ad, cd, opt, q.len())
    }
    // Records each query and answers it (an empty NOERROR with its question).
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    let seen: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>> = Default::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            let q = buf[..n].to_vec();
            let mut end = 12;
            while end < n && q[end] != 0 {
                end += usize::from(q[end]) + 1;
            }
            let end = (end + 5).min(n);
            let mut r = q[..end].to_vec();
            r[2] |= 0x80;
            r[3] &= 0xf0;
            r[6..12].copy_from_slice(&[0; 6]);
            let _ = sock.send_to(&r, from);
            log.lock().unwrap().push(q);
        }
    });
    let cases: [&[&str]; 12] = [
        &[],
        &["+norec", "+cd"],
        &["+dnssec", "+bufsize=4096"],
        &["+noedns"],
        &["+adflag"],
        &["+nsid"],
        &["+subnet=192.0.2.77/24"],
        &["+subnet=2001:db8::1/56"],
        &["+subnet=0"],
        &["+cookie=0102030405060708aabbccddeeff0011"],
        &["+padding=128"],
        &[
            "+nsid",
            "+subnet=198.51.100.1",
            "+cookie=0102030405060708",
            "+padding=64",
            "+dnssec",
        ],
    ];
    for opts in cases {
        seen.lock().unwrap().clear();
        let mut dig = std::process::Command::new("dig");
        // dig sets AD and sends a cookie unless told not to; netkit only
        // when asked.
        dig.args([&format!("@{}", addr.ip()), "-p", &addr.port().to_string()])
            .args([
                "+tries=1",
                "+time=2",
                "+nocookie",
                "+noadflag",
                "example.test",
                "A",
            ])
            .args(opts);
        let out = dig.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut args = vec![format!("@{addr}"), "example.test".into(), "A".into()];
        args.extend(opts.iter().map(|s| s.to_string()));
        let (rc, _) = lookup(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(rc, 1, "{opts:?}: an empty answer is NODATA");
        let q = seen.lock().unwrap().clone();
        assert_eq!(q.len(), 2, "{opts:?}");
        assert_eq!(shape(&q[1]), shape(&q[0]), "{opts:?}: netkit against dig");
    }
    // A random cookie: 8 bytes of client cookie, new each run, as dig's.
    let mut cookies = Vec::new();
    for _ in 0..2 {
        seen.lock().unwrap().clear();
        lookup(&[&format!("@{addr}"), "example.test", "A", "+cookie"]);
        let q = seen.lock().unwrap()[0].clone();
        let (_, _, _, opt, _) = shape(&q);
        let options = opt.unwrap().2;
        assert_eq!(&options[..4], &[0, 10, 0, 8], "{options:?}");
        cookies.push(options[4..].to_vec());
    }
    assert_ne!(cookies[0], cookies[1]);
    // The long flags say the same.
    seen.lock().unwrap().clear();
    let (_, _) = lookup(&[
        &format!("@{addr}"),
        "--norec",
        "--cd",
        "--adflag",
        "--dnssec-ok",
        "--bufsize",
        "4096",
        "--nsid",
        "--subnet",
        "192.0.2.77/24",
        "--cookie=0102030405060708",
        "--padding",
        "64",
        "example.test",
        "A",
    ]);
    let q = seen.lock().unwrap().clone();
    let (rd, ad, cd, opt, len) = shape(&q[0]);
    assert_eq!((rd, ad, cd, len % 64), (false, true, true, 0));
    let (size, dnssec_ok, options) = opt.unwrap();
    assert_eq!((size, dnssec_ok), (4096, true));
    assert_eq!(
        &options[..27],
        &[
            0, 3, 0, 0, 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8
        ]
    );
}

/// `--short` with A and AAAA prints a shared CNAME chain once, then each
/// type's data; asked for CNAME itself, the chain is the data.
#[test]
fn short_prints_a_cname_chain_once() {
    let srv = server();
    let short = stdout(&run(["lookup", "--short", &srv, "www.example.test"]));
    assert_eq!(
        short, "a.example.test.\nb.example.test.\nc.example.test.\n192.0.2.10\n2001:db8::10\n",
        "{short}"
    );
    let cname = stdout(&run([
        "lookup",
        "+short",
        &srv,
        "www.example.test",
        "CNAME",
    ]));
    assert_eq!(cname, "a.example.test.\n", "{cname}");
}

/// A server that answers every query with an empty NOERROR carrying an OPT
/// record with these options (bytes as given: well-formed or not).
fn opt_server(options: Vec<u8>) -> std::net::SocketAddr {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            let q = &buf[..n];
            let mut end = 12;
            while end < n && q[end] != 0 {
                end += usize::from(q[end]) + 1;
            }
            let mut r = q[..(end + 5).min(n)].to_vec();
            r[2] |= 0x80;
            r[3] = 0;
            r[6..12].copy_from_slice(&[0, 0, 0, 0, 0, 1]);
            r.extend_from_slice(&[0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0]);
            r.extend_from_slice(&(options.len() as u16).to_be_bytes());
            r.extend_from_slice(&options);
            let _ = sock.send_to(&r, from);
        }
    });
    addr
}

/// The OPT pseudo-section lines of dig's or netkit's output.
pub(crate) fn opt_section(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with(";; OPT PSEUDOSECTION:"))
        .take_while(|l| l.starts_with(';') && !l.starts_with(";; QUESTION"))
        .map(str::to_string)
        .collect()
}

/// The OPT pseudo-section of an answer reads as dig prints it, line for
/// line, for the same bytes: NSID with bytes that are not text, a client
/// subnet with its scope, each state of a cookie, TCP keepalive, padding,
/// an Extended DNS Error and an option no one knows, in the order sent.
#[test]
fn edns_options_read_as_dig_reads_them() {
    if !crate::support::tool_or_skip("dig", "EDNS options as dig reads them") {
        return;
    }
    let mut all = Vec::new();
    all.extend_from_slice(&[0, 3, 0, 5, b'n', b's', 1, b'1', b' ']);
    all.extend_from_slice(&[0, 8, 0, 7, 0, 1, 24, 16, 192, 0, 2]);
    all.extend_from_slice(&[0, 10, 0, 8, 9, 9, 9, 9, 9, 9, 9, 9]);
    all.extend_from_slice(&[0xfd, 0xe9, 0, 3, b'a', b'b', b'c']);
    all.extend_from_slice(&[0, 11, 0, 2, 1, 44]);
    all.extend_from_slice(&[0, 12, 0, 3, 0, 0, 0]);
    all.extend_from_slice(&[0, 15, 0, 6, 0, 6, b't', b'e', b's', b't']);
    let echoed = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8].to_vec();
    let mut good = [0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8].to_vec();
    good.extend_from_slice(&[0xaa; 8]);
    let v6 = [0, 8, 0, 11, 0, 2, 56, 48, 0x20, 1, 0x0d, 0xb8, 0, 0, 0].to_vec();
    let cases: [(Vec<u8>, &str); 5] = [
        (all, "+cookie=0102030405060708"),
        (echoed.clone(), "+cookie=0102030405060708"),
        (good, "+cookie=0102030405060708"),
        (echoed, "+nocookie"),
        (v6, "+subnet=2001:db8::/56"),
    ];
    for (options, cookie) in cases {
        let addr = opt_server(options);
        let dig = std::process::Command::new("dig")
            .args([&format!("@{}", addr.ip()), "-p", &addr.port().to_string()])
            .args(["+tries=1", "+time=2", "+nsid", cookie, "example.test", "A"])
            .output()
            .unwrap();
        let want = opt_section(&String::from_utf8_lossy(&dig.stdout));
        assert!(want.len() >= 3, "{}", String::from_utf8_lossy(&dig.stdout));
        let out = run([
            "lookup",
            "--color",
            "never",
            &format!("@{addr}"),
            "+nsid",
            cookie,
            "example.test",
            "A",
        ]);
        let got = opt_section(&stdout(&out));
        assert_eq!(got, want, "{cookie}");
    }
    // In JSON: the fields, the cookie's state, the option kept as bytes.
    let addr = opt_server(vec![
        0, 10, 0, 8, 9, 9, 9, 9, 9, 9, 9, 9, 0, 8, 0, 7, 0, 1, 24, 16, 192, 0, 2, 0xfd, 0xe9, 0, 1,
        0xff,
    ]);
    let (_, v) = lookup(&[
        &format!("@{addr}"),
        "+cookie=0102030405060708",
        "example.test",
        "A",
    ]);
    let e = &v[0]["edns"];
    assert_eq!(
        e["cookie"],
        json!({"client": "0909090909090909", "server": null, "status": "mismatch"})
    );
    assert_eq!(
        e["client_subnet"],
        json!({"address": "192.0.2.0", "family": 1, "source_prefix": 24, "scope_prefix": 16})
    );
    assert_eq!(
        e["options"],
        json!([{"code": 65001, "name": "OPT=65001", "hex": "ff"}])
    );
    assert_eq!(
        (e["flags"].clone(), e["udp_size"].clone()),
        (json!(["do"]), json!(1232))
    );
}
