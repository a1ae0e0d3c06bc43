//! Snapshots of human output beyond the README's examples: each command
//! runs in a sandbox with fixture files, and its output (times masked) must
//! equal tests/snapshots/NAME.txt. `UPDATE_SNAPSHOTS=1` rewrites them.

use std::path::Path;

use crate::support::{Sandbox, stdout};

/// (snapshot, command line run by the sandbox shell with `nk` = netkit)
const CASES: &[(&str, &str)] = &[
    (
        "addrinfo-numeric",
        "nk addrinfo --numeric-host 0xc000027b 'fe80::1%lo' ::ffff:192.0.2.128",
    ),
    (
        "addrinfo-table",
        "nk addrinfo --table -s 53 localhost ip6-localhost",
    ),
    ("services-verbose", "nk services -v http domain/udp nosuch"),
    ("proto-numbers", "nk proto 1 132 250 ICMP"),
    ("pack-mac", "nk pack 00:11:32:3c:c3:0b"),
    (
        "pack-ipv6",
        "nk pack '2002:ac10:10a:1234:21e:52ff:fe74:40e' 'fe80::1%lo'",
    ),
    ("lookup-nss", "nk lookup --system web nosuch.example.test"),
    (
        "addrinfo-errors",
        "nk addrinfo nosuch.example.test; nk addrinfo -s http nosuch.example.test; nk addrinfo web nosuch.example.test; true",
    ),
    (
        "portcheck-color",
        "nk --color always portcheck -p 7,9 127.0.0.1 | sed 's/\\x1b\\[[0-9;]*m//g'",
    ),
    (
        "errors",
        "nk pack 10.0.0.256; nk services 70000; nk lookup -t BOGUS x; nk portcheck -p 99999 127.0.0.1; true",
    ),
];

fn normalize(text: &str) -> String {
    let t = regex_lite::Regex::new(r"[0-9]+(\.[0-9]+)? ?(ms|s)\b")
        .unwrap()
        .replace_all(text, "<time>");
    t.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

#[test]
fn human_output_matches_the_snapshots() {
    let Some(sb) = Sandbox::new("human output snapshots") else {
        return;
    };
    let sb = sb
        .etc(
            "hosts",
            "127.0.0.1 localhost\n::1 localhost ip6-localhost\n192.0.2.10 web.example.test web\n",
        )
        .etc("resolv.conf", "nameserver 127.0.0.1\n")
        .etc("services", include_str!("../../data/services"))
        .etc("protocols", include_str!("../../data/protocols"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, cmd) in CASES {
        let out = sb.shell_within(
            &format!("nk() {{ \"$NK\" \"$@\"; }}\n{{ {cmd}; }} 2>&1"),
            30,
        );
        let got = normalize(&stdout(&out));
        assert!(!got.contains("ERROR: ERROR:"), "{name}: {got}");
        let path = dir.join(format!("{name}.txt"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            stale.push(format!("{name}\n--- snapshot\n{want}--- now\n{got}"));
        }
    }
    assert!(
        stale.is_empty(),
        "human output changed (UPDATE_SNAPSHOTS=1 rewrites):\n{}",
        stale.join("\n")
    );
}

/// Colour escapes never shift a column: with the escapes stripped, every
/// row starts its columns where the header does.
#[test]
fn coloured_tables_stay_aligned() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let open = l.local_addr().unwrap().port().to_string();
    let out = crate::support::run([
        "--color",
        "always",
        "portcheck",
        "-p",
        &format!("{open},9"),
        "127.0.0.1",
    ]);
    let text = stdout(&out);
    assert!(text.contains('\x1b'), "coloured: {text:?}");
    let strip = regex_lite::Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|l| strip.replace_all(l, "").into_owned())
        .collect();
    let col = |l: &str, word: &str| l.find(word);
    let state_at = col(&lines[0], "STATE");
    assert_eq!(col(&lines[1], "open"), state_at, "{lines:?}");
    assert_eq!(col(&lines[2], "closed"), state_at, "{lines:?}");
}
