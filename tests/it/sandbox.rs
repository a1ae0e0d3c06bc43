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
