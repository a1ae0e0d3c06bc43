//! The namespace sandbox itself: only `lo`, nothing routable, fixtures seen.

use crate::support::{Sandbox, code, stdout};

#[test]
fn sandbox_has_only_loopback_and_no_route_out() {
    let Some(sb) = Sandbox::new("sandbox isolation") else {
        return;
    };
    let sb = sb.etc("hosts", "127.0.0.1 fixture.example.test\n");
    let out = sb
        .command(
            "sh",
            &[
                "-c",
                "ip -o link | wc -l; ip route get 192.0.2.1 2>&1 || echo no-route; cat /etc/hosts",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("1"), "only lo: {text}");
    assert!(
        text.contains("unreachable") || text.contains("no-route"),
        "{text}"
    );
    assert!(text.contains("fixture.example.test"), "{text}");
}

#[test]
fn sandbox_multicast_route_on_lo() {
    let Some(sb) = Sandbox::new("sandbox multicast") else {
        return;
    };
    let sb = sb.multicast_route();
    let out = sb
        .command("ip", &["route", "get", "239.1.2.3"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("dev lo"), "{}", stdout(&out));
}

/// Whatever a sandboxed command leaves running dies with it: nothing is
/// left behind after a test (the DNS fixture server, background receivers).
#[test]
fn the_sandbox_kills_what_it_starts() {
    let Some(sb) = Sandbox::new("sandbox cleanup") else {
        return;
    };
    let marker = format!(
        "{}.{}",
        300 + std::process::id() % 1000,
        std::process::id() % 997
    );
    let out = sb.shell(&format!("sleep {marker} & echo started"));
    assert_eq!(stdout(&out).trim(), "started");
    let alive = || {
        std::process::Command::new("pgrep")
            .args(["-f", &format!("sleep {marker}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    let t = std::time::Instant::now();
    while alive() {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "a background process outlived its sandbox"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
