//! `netkit pack`: the seeds' examples, legacy forms, unpacking, byte order,
//! and agreement with Python's socket module.

use serde_json::Value;

use crate::support::{code, json_lines, python, run, stdout};

fn pack_json(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json", "pack"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(code(&out), 0, "{args:?}: {}", crate::support::stderr(&out));
    json_lines(&out)
}

#[test]
fn seed_block_is_recognisable() {
    let out = run(["pack", "192.168.1.1", "127.0.0.1"]);
    let text = stdout(&out);
    let blocks: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(blocks.len(), 2);
    assert!(blocks[0].starts_with("Original: 192.168.1.1\nPacked  : c0a80101  b'\\xc0\\xa8\\x01\\x01'\nUnpacked: 192.168.1.1\n"), "{}", blocks[0]);
    assert!(
        blocks[1].starts_with("Original: 127.0.0.1\nPacked  : 7f000001"),
        "{}",
        blocks[1]
    );
}

#[test]
fn seed_values_as_json() {
    let v = pack_json(&[
        "192.168.1.1",
        "2002:ac10:10a:1234:21e:52ff:fe74:40e",
        "00:11:32:3c:c3:0b",
    ]);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["type"], "address");
    assert_eq!(v[0]["family"], "ipv4");
    assert_eq!(v[0]["packed"], "c0a80101");
    assert_eq!(v[0]["integer"], 3232235777u64);
    assert_eq!(v[0]["classes"], serde_json::json!(["private"]));
    assert_eq!(v[0]["reverse_name"], "1.1.168.192.in-addr.arpa");
    assert_eq!(v[0]["notes"], serde_json::json!([]));
    assert_eq!(v[1]["packed"], "2002ac10010a1234021e52fffe74040e");
    assert_eq!(v[1]["unpacked"], "2002:ac10:10a:1234:21e:52ff:fe74:40e");
    assert_eq!(v[1]["integer"], "42549170301258466133718732889352569870");
    assert_eq!(v[1]["embedded_ipv4"], "172.16.1.10");
    assert_eq!(v[2]["family"], "mac");
    assert_eq!(v[2]["packed"], "0011323cc30b");
    assert_eq!(v[2]["mac"]["hyphen"], "00-11-32-3C-C3-0B");
}

#[test]
fn legacy_forms_are_reported_both_ways() {
    let v = pack_json(&[
        "127.1",
        "0x7f.1",
        "0177.0.0.1",
        "2130706433",
        "0xc000027b",
        "127.0.0.1",
    ]);
    let got: Vec<(&str, bool, bool)> = v
        .iter()
        .map(|r| {
            (
                r["unpacked"].as_str().unwrap(),
                r["parsers"]["inet_pton"].as_bool().unwrap(),
                r["parsers"]["inet_aton"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("127.0.0.1", false, true),
            ("127.0.0.1", false, true),
            ("127.0.0.1", false, true),
            ("127.0.0.1", false, true),
            ("192.0.2.123", false, true),
            ("127.0.0.1", true, true),
        ]
    );
    for r in &v[..5] {
        assert!(
            r["notes"][0].as_str().unwrap().contains("filter-bypass"),
            "{r}"
        );
    }
    assert_eq!(v[5]["notes"], serde_json::json!([]));
    let human = stdout(&run(["pack", "0x7f.1"]));
    assert!(human.contains("Parsers : inet_aton only (a.b)"), "{human}");
}

#[test]
fn ipv6_special_forms() {
    let v = pack_json(&[
        "::ffff:192.0.2.128",
        "fe80::1%lo",
        "[::1]",
        "2001:0db8:0:0:0:0:0:1",
    ]);
    assert_eq!(v[0]["unpacked"], "::ffff:192.0.2.128");
    assert_eq!(v[0]["classes"], serde_json::json!(["ipv4_mapped"]));
    assert_eq!(v[1]["zone"], "lo");
    assert_eq!(v[1]["scope_id"], 1);
    assert_eq!(v[1]["unpacked"], "fe80::1%lo");
    assert_eq!(v[2]["classes"], serde_json::json!(["loopback"]));
    assert_eq!(v[3]["unpacked"], "2001:db8::1");
    assert_eq!(v[3]["full"], "2001:0db8:0000:0000:0000:0000:0000:0001");
}

#[test]
fn unpack_forms() {
    let v = pack_json(&[
        "--unpack",
        "c0a80101",
        "--unpack",
        "c0:a8:01:01",
        "--unpack",
        "\\xc0\\xa8\\x01\\x01",
        "--unpack",
        "b'\\x7f\\x00\\x00\\x01'",
        "--unpack",
        "0x20010db8000000000000000000000001",
    ]);
    let got: Vec<&str> = v.iter().map(|r| r["unpacked"].as_str().unwrap()).collect();
    assert_eq!(
        got,
        vec![
            "192.168.1.1",
            "192.168.1.1",
            "192.168.1.1",
            "127.0.0.1",
            "2001:db8::1"
        ]
    );
}

#[test]
fn byte_order_matches_the_seed() {
    let v = pack_json(&[
        "--htons", "1", "--htonl", "1", "--ntohs", "256", "--ntohl", "16777216", "--htons",
        "0x1234",
    ]);
    let results: Vec<(&str, u64)> = v
        .iter()
        .map(|r| {
            (
                r["function"].as_str().unwrap(),
                r["result"].as_str().unwrap().parse::<u64>().unwrap(),
            )
        })
        .collect();
    if cfg!(target_endian = "little") {
        assert_eq!(
            results,
            vec![
                ("htons", 256),
                ("htons", 0x3412),
                ("htonl", 16777216),
                ("ntohs", 1),
                ("ntohl", 1)
            ]
        );
    } else {
        assert_eq!(
            results,
            vec![
                ("htons", 1),
                ("htons", 0x1234),
                ("htonl", 1),
                ("ntohs", 256),
                ("ntohl", 16777216)
            ]
        );
    }
    assert_eq!(v[0]["network_bytes"], "0001");
    assert_eq!(v[0]["type"], "byte_order");
}

#[test]
fn addresses_from_stdin_in_order() {
    let out = crate::support::run_with_stdin(
        &["--json", "pack", "10.0.0.1", "-"],
        b"# comment\n127.1\n\n::1\n",
    );
    assert_eq!(code(&out), 0);
    let got: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["unpacked"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, vec!["10.0.0.1", "127.0.0.1", "::1"]);
}

/// netkit's two IPv4 verdicts equal Python's inet_aton and inet_pton.
#[test]
fn agrees_with_python_socket() {
    let inputs = [
        "192.168.1.1",
        "127.1",
        "0x7f.1",
        "0177.0.0.1",
        "2130706433",
        "0xc000027b",
        "10.0.0.256",
        "1.2.3.4.5",
        "1.2.65535",
        "1.2.65536",
        "0x100.1",
        "00000001.2",
        "1.0x",
        "4294967295",
        "4294967296",
        "0",
        "01.02.03.04",
        "1.2.3.4 tail",
        "1e3",
        "0X7F.0.0.1",
    ];
    let script = format!(
        "import socket\nfor s in {inputs:?}:\n    \
         try: a = socket.inet_ntoa(socket.inet_aton(s))\n    except OSError: a = '-'\n    \
         try: p = socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, s))\n    except OSError: p = '-'\n    \
         print(a, p)"
    );
    let Some(py) = python(&script) else { return };
    for (input, line) in inputs.iter().zip(py.lines()) {
        let (aton, pton) = line.split_once(' ').unwrap();
        let out = run(["--json", "pack", input]);
        let ours = json_lines(&out);
        let (our_aton, our_pton) = match ours.first() {
            Some(r) if r["family"] == "ipv4" => (
                r["unpacked"].as_str().unwrap().to_string(),
                if r["parsers"]["inet_pton"] == true {
                    r["unpacked"].as_str().unwrap().to_string()
                } else {
                    "-".into()
                },
            ),
            _ => ("-".to_string(), "-".to_string()),
        };
        assert_eq!(
            (our_aton.as_str(), our_pton.as_str()),
            (aton, pton),
            "input {input:?}"
        );
    }
}

#[test]
fn unpacked_bytes_are_judged_by_no_parser() {
    let v = pack_json(&["--unpack", "7f000001", "127.0.0.1"]);
    let unpacked = v.iter().find(|r| r["input"] == "7f000001").unwrap();
    assert!(unpacked.get("parsers").is_none(), "{unpacked}");
    let typed = v.iter().find(|r| r["input"] == "127.0.0.1").unwrap();
    assert_eq!(typed["parsers"]["inet_pton"], true);
}

/// Bad lines of `-` input are reported in place, the stream goes on, and
/// the run ends with one error line and exit 2.
#[test]
fn bad_stdin_lines_are_reported_in_place() {
    let out = crate::support::run_with_stdin(
        &["--json", "pack", "-"],
        b"127.0.0.1\nnot-an-address\n::1\n",
    );
    assert_eq!(code(&out), 2, "{}", crate::support::stderr(&out));
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(
        (v[0]["ok"].as_bool(), v[2]["ok"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(v[1]["ok"], false);
    assert_eq!(v[1]["line"], 2);
    assert_eq!(v[1]["error"]["code"], "invalid");
    let err = crate::support::stderr(&out);
    assert!(
        err.starts_with("netkit: error: 1 line(s) of stdin") && err.lines().count() == 1,
        "{err}"
    );
}

/// A NUL-filled stream (`/dev/zero`) is refused at the line limit, fast and
/// in bounded memory, with a short message.
#[test]
fn endless_input_without_newlines_is_refused() {
    let t = std::time::Instant::now();
    let out = crate::support::netkit()
        .args(["pack", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    crate::support::assert_usage_error(&out, "pack - < /dev/zero");
    assert!(crate::support::stderr(&out).len() < 300);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}
