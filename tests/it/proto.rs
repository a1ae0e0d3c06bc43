//! `netkit proto`: the seed's loop, numbers, the built-in table, and equality
//! with glibc's getprotobyname for every entry.

use serde_json::Value;

use crate::support::{Sandbox, code, json_lines, run, stdout};

#[test]
fn seed_loop_layout() {
    let out = run(["proto", "--builtin", "icmp", "udp", "tcp"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "icmp ->  1 (IPPROTO_ICMP =  1)\n udp -> 17 (IPPROTO_UDP  = 17)\n tcp ->  6 (IPPROTO_TCP  =  6)\n"
    );
}

#[test]
fn numbers_aliases_and_json() {
    let out = run([
        "--json",
        "proto",
        "--builtin",
        "132",
        "ICMP",
        "ipv6-icmp",
        "253",
        "nosuch",
    ]);
    assert_eq!(code(&out), 1);
    let v = json_lines(&out);
    assert_eq!(
        (v[0]["name"].as_str(), v[0]["constant"].as_str()),
        (Some("sctp"), Some("IPPROTO_SCTP"))
    );
    assert_eq!(v[1]["number"], 1);
    assert_eq!(v[2]["number"], 58);
    assert_eq!(
        (v[3]["number"].as_u64(), v[3]["error"]["code"].as_str()),
        (Some(253), Some("not_found"))
    );
    assert_eq!(v[4]["number"], Value::Null);
    assert_eq!(v[4]["aliases"], serde_json::json!([]));
}

#[test]
fn builtin_table_when_the_system_file_is_missing() {
    let Some(sb) = Sandbox::new("proto builtin fallback") else {
        return;
    };
    let sb = sb.hide_etc("protocols");
    let v = json_lines(&sb.netkit(&["--json", "proto", "tcp", "145"]));
    assert_eq!(
        (v[0]["number"].as_u64(), v[0]["source"].as_str()),
        (Some(6), Some("builtin"))
    );
    assert_eq!(v[1]["name"], "nsh");
}

#[test]
fn equals_glibc_for_every_system_entry() {
    let Some(sb) = Sandbox::new("proto vs glibc") else {
        return;
    };
    let all = json_lines(&sb.netkit(&["--json", "proto", "--all"]));
    assert!(all.len() > 20);
    let mut names = Vec::new();
    for e in &all {
        names.push(e["name"].as_str().unwrap().to_string());
        names.extend(
            e["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string()),
        );
    }
    let script = format!(
        "import socket\nfor n in {names:?}:\n    \
         try: print(socket.getprotobyname(n))\n    except OSError: print('-')\n"
    );
    let Some(py) = sb.python(&script) else { return };
    let glibc = stdout(&py);
    let mut args = vec!["--json".to_string(), "proto".to_string()];
    args.extend(names.iter().cloned());
    let ours = json_lines(&sb.netkit(&args));
    for ((o, g), n) in ours.iter().zip(glibc.lines()).zip(&names) {
        let ours = o["number"]
            .as_u64()
            .map_or("-".to_string(), |n| n.to_string());
        assert_eq!(ours, g, "getprotobyname({n})");
    }
    assert_eq!(ours.len(), names.len());
}
