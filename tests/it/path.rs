//! `--path`: traces in a routed lab (client - r1 - r2 - r3 - server, in
//! namespaces of the sandbox), hop by hop against traceroute -T, tracepath
//! and mtr run side by side in the same lab.

use serde_json::Value;

use crate::support::routed::LAB;
use crate::support::{Sandbox, tool_or_skip};

/// The lab's server.
const SRV4: &str = "10.0.4.2";
const SRV6: &str = "2001:db8:4::2";

fn lab(test: &str) -> Option<Sandbox> {
    for tool in ["traceroute", "tracepath", "mtr", "nft", "nsenter"] {
        if !tool_or_skip(tool, test) {
            return None;
        }
    }
    Sandbox::new(test)
}

/// Runs the lab and `script` in a sandbox; the files it writes are read
/// back with [`Sandbox::read`].
fn run_lab(sb: &Sandbox, script: &str) {
    let out = sb.shell_within(&format!("{LAB}\n{script}"), 120);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("RTNETLINK") && !err.contains("Error:"),
        "lab set-up failed: {err}"
    );
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn of_type<'a>(v: &'a [Value], ty: &str) -> Vec<&'a Value> {
    v.iter().filter(|o| o["type"] == ty).collect()
}

/// Each hop's first address ("*" when silent), from netkit's JSON.
fn netkit_hops(v: &[Value]) -> Vec<String> {
    of_type(v, "hop")
        .iter()
        .map(|h| {
            h["addresses"][0]["address"]
                .as_str()
                .unwrap_or("*")
                .to_string()
        })
        .collect()
}

/// Each hop's address ("*" when silent) and annotation (`!X`...), from
/// `traceroute -n -q 1`.
fn traceroute_hops(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .skip_while(|l| l.starts_with("traceroute to"))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            words.next()?.parse::<u32>().ok()?;
            let addr = words.next()?.to_string();
            let note = l.split_whitespace().find(|w| w.starts_with('!'));
            Some((addr, note.map(str::to_string)))
        })
        .collect()
}

/// tracepath's `pmtu N` in its Resume line.
fn tracepath_pmtu(text: &str) -> Option<u32> {
    let resume = text.lines().find(|l| l.contains("Resume:"))?;
    let mut words = resume.split_whitespace();
    words.find(|w| *w == "pmtu")?;
    words.next()?.parse().ok()
}

/// The hops netkit printed up to the last one that answered.
fn trimmed(hops: &[String]) -> Vec<String> {
    let last = hops.iter().rposition(|h| h != "*").map_or(0, |i| i + 1);
    hops[..last].to_vec()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn times(text: &str) -> Vec<f64> {
    text.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

#[test]
fn a_clean_path_equals_traceroute_hop_by_hop_in_v4_and_v6() {
    let Some(sb) = lab("a clean path") else {
        return;
    };
    run_lab(
        &sb,
        &format!(
            "nk_listen 443
$NK --json portcheck --path -n {SRV4}:443 > nk4.json
$NK --json portcheck --path -n [{SRV6}]:443 > nk6.json
$NK portcheck --path -n {SRV4}:443 > nk4.txt
traceroute -T -p 443 -q 1 -n {SRV4} > tr4.txt 2>&1
traceroute -T -p 443 -q 1 -n {SRV6} > tr6.txt 2>&1
tracepath -n {SRV4} > tp4.txt 2>&1
mtr -T -P 443 -n -r -c 1 {SRV4} > mtr4.txt 2>&1
for i in 1 2 3 4 5; do
  a=$(nk_ms); $NK portcheck --path -n {SRV4}:443 >/dev/null 2>&1; b=$(nk_ms)
  traceroute -T -p 443 -q 1 -n {SRV4} >/dev/null 2>&1; c=$(nk_ms)
  echo $((b - a)) >> t-nk.txt; echo $((c - b)) >> t-tr.txt
done
"
        ),
    );
    for (nk, tr, dst) in [("nk4.json", "tr4.txt", SRV4), ("nk6.json", "tr6.txt", SRV6)] {
        let v = lines(&sb.read(nk));
        let hops = netkit_hops(&v);
        let theirs: Vec<String> = traceroute_hops(&sb.read(tr))
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        assert_eq!(hops, theirs, "{nk} against {tr}: {}", sb.read(tr));
        assert_eq!(hops.len(), 4);
        let path = of_type(&v, "path")[0];
        assert_eq!(path["reached"], true, "{path}");
        assert_eq!(path["hops"], 4);
        assert_eq!(path["last_hop"]["address"], dst);
        assert_eq!(path["stopped"], "reached");
        assert!(path["duration_ms"].as_f64().unwrap() < 1000.0, "{path}");
        for h in of_type(&v, "hop") {
            crate::support::assert_schema(h);
            assert_eq!(
                (h["sent"].as_u64(), h["received"].as_u64()),
                (Some(3), Some(3))
            );
        }
        crate::support::assert_schema(path);
    }
    // mtr's report lists the same hosts.
    let mtr = sb.read("mtr4.txt");
    let theirs: Vec<&str> = mtr
        .lines()
        .filter_map(|l| l.split("|-- ").nth(1)?.split_whitespace().next())
        .collect();
    assert_eq!(theirs, ["10.0.1.2", "10.0.2.2", "10.0.3.2", SRV4], "{mtr}");
    let human = sb.read("nk4.txt");
    assert!(human.contains("HOP  HOST"), "{human}");
    assert!(
        human.contains("reaches 10.0.4.2 at hop 4: answered (open)"),
        "{human}"
    );
    // The path MTU: tracepath's.
    let v = lines(&sb.read("nk4.json"));
    let theirs = tracepath_pmtu(&sb.read("tp4.txt"));
    assert_eq!(
        of_type(&v, "path")[0]["path_mtu"].as_u64(),
        theirs.map(u64::from)
    );
    // Time, the whole command (connect check, trace, MTU pass) against
    // traceroute -T -q 1: medians of 5 runs each, alternating. Under 1 s
    // here; the ratio (a test build is unoptimised) is measured on release
    // builds by benches/path-lab.sh.
    let (nk, tr) = (
        median(times(&sb.read("t-nk.txt"))),
        median(times(&sb.read("t-tr.txt"))),
    );
    eprintln!("clean 4-hop path: netkit --path {nk} ms, traceroute -T -q 1 {tr} ms");
    assert!(nk < 1000.0, "netkit took {nk} ms");
}

#[test]
fn a_firewall_that_drops_or_rejects_and_a_hop_that_never_answers() {
    let Some(sb) = lab("drops, rejects and silent hops") else {
        return;
    };
    run_lab(
        &sb,
        &format!(
            "nk_listen 443
nk_nft r2 add table inet f
nk_nft r2 add chain inet f fw '{{ type filter hook forward priority 0; }}'
nk_nft r2 add chain inet f o '{{ type filter hook output priority 0; }}'
# 1. r2 drops TCP to 443 that it forwards.
nk_nft r2 add rule inet f fw tcp dport 443 drop
$NK --json portcheck --path -n --max-hops 6 --path-timeout 0.3s {SRV4}:443 > drop.json
traceroute -T -p 443 -q 1 -n -m 6 {SRV4} > drop-tr.txt 2>&1
$NK --json diagnose --timeout 1s --path -n --max-hops 6 --path-timeout 0.3s {SRV4}:443 > diag.json
$NK diagnose --timeout 1s {SRV4}:443 > diag-hint.txt
# Ctrl-C in the middle of the silent hops: what was known, and 130.
$NK --json portcheck --path -n --path-timeout 5s {SRV4}:443 > int.json &
pid=$!; nk_handles_signals $pid; sleep 3.5; kill -INT $pid; wait $pid; echo $? > int.rc
$NK diagnose --timeout 1s --path -n --max-hops 6 --path-timeout 0.3s {SRV4}:443 > diag-path.txt
# 2. r2 rejects it (ICMP administratively prohibited).
nk_nft r2 flush chain inet f fw
nk_nft r2 add rule inet f fw tcp dport 443 reject with icmpx admin-prohibited
$NK --json portcheck --path -n {SRV4}:443 > reject.json
traceroute -T -p 443 -q 1 -n {SRV4} > reject-tr.txt 2>&1
# 3. r2 forwards everything but never says time exceeded.
nk_nft r2 flush chain inet f fw
nk_nft r2 add rule inet f o icmp type time-exceeded drop
nk_nft r2 add rule inet f o icmpv6 type time-exceeded drop
$NK --json portcheck --path -n {SRV4}:443 > silent.json
$NK --json portcheck --path -n [{SRV6}]:443 > silent6.json
traceroute -T -p 443 -q 1 -n {SRV4} > silent-tr.txt 2>&1
for i in 1 2 3 4 5; do
  a=$(nk_ms); $NK portcheck --path -n {SRV4}:443 >/dev/null 2>&1; b=$(nk_ms)
  traceroute -T -p 443 -q 1 -n {SRV4} >/dev/null 2>&1; c=$(nk_ms)
  echo $((b - a)) >> t-nk.txt; echo $((c - b)) >> t-tr.txt
done
"
        ),
    );
    // 1. The drop: the last hop that answers is r2, as traceroute says.
    let v = lines(&sb.read("drop.json"));
    let theirs = traceroute_hops(&sb.read("drop-tr.txt"));
    let last_theirs = theirs.iter().rev().find(|(a, _)| a != "*").unwrap();
    let path = of_type(&v, "path")[0];
    assert_eq!(path["reached"], false, "{path}");
    assert_eq!(path["last_hop"]["address"], last_theirs.0.as_str());
    assert_eq!(path["last_hop"]["ttl"], 2);
    assert_eq!(path["icmp_echo"], true, "{path}");
    assert_eq!(trimmed(&netkit_hops(&v)), ["10.0.1.2", "10.0.2.2"], "{v:?}");
    let detail = path["detail"].as_str().unwrap();
    assert!(
        detail.contains("SYN to :443 dies after 10.0.2.2 (hop 2)")
            && detail.contains("ICMP echo to the target is answered"),
        "{detail}"
    );
    // Interrupted among the silent hops: the hops known, the verdict, 130.
    let v = lines(&sb.read("int.json"));
    assert_eq!(sb.read("int.rc").trim(), "130");
    let path = of_type(&v, "path");
    assert_eq!(path.len(), 1, "{v:?}");
    assert_eq!(path[0]["stopped"], "interrupted");
    assert_eq!(path[0]["last_hop"]["address"], "10.0.2.2");
    assert!(
        path[0]["detail"]
            .as_str()
            .unwrap()
            .ends_with("(interrupted)"),
        "{}",
        path[0]
    );
    // diagnose: the phases, then the hops and the verdict, then the summary.
    let d = lines(&sb.read("diag.json"));
    let types: Vec<&str> = d.iter().map(|o| o["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"phase"), "{types:?}");
    assert_eq!(types.last(), Some(&"summary"), "{types:?}");
    assert!(
        types.contains(&"hop") && types.contains(&"path"),
        "{types:?}"
    );
    assert_eq!(of_type(&d, "path")[0]["last_hop"]["address"], "10.0.2.2");
    assert_eq!(d.last().unwrap()["error"]["code"], "timeout");
    let hint = sb.read("diag-hint.txt");
    assert!(
        hint.contains("netkit diagnose --path 10.0.4.2:443"),
        "{hint}"
    );
    let traced = sb.read("diag-path.txt");
    assert!(traced.contains("dies after 10.0.2.2 (hop 2)"), "{traced}");
    assert!(!traced.contains("where?"), "{traced}");
    // 2. The reject: r2 at hop 3, prohibited, as traceroute's !X.
    let v = lines(&sb.read("reject.json"));
    let theirs = traceroute_hops(&sb.read("reject-tr.txt"));
    assert_eq!(
        theirs.last().unwrap(),
        &("10.0.2.2".into(), Some("!X".into()))
    );
    let hops = of_type(&v, "hop");
    let last = hops.last().unwrap();
    assert_eq!(
        (
            last["ttl"].as_u64(),
            last["kind"].as_str(),
            last["reason"].as_str()
        ),
        (
            Some(theirs.len() as u64),
            Some("unreachable"),
            Some("prohibited")
        )
    );
    assert_eq!(last["addresses"][0]["address"], "10.0.2.2");
    assert_eq!(of_type(&v, "path")[0]["stopped"], "unreachable");
    // 3. The silent hop: the same list as traceroute's, a hole at hop 2.
    let v = lines(&sb.read("silent.json"));
    let theirs: Vec<String> = traceroute_hops(&sb.read("silent-tr.txt"))
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(netkit_hops(&v), theirs);
    assert_eq!(theirs, ["10.0.1.2", "*", "10.0.3.2", SRV4]);
    assert_eq!(of_type(&v, "hop")[1]["kind"], "silent");
    assert_eq!(of_type(&v, "path")[0]["reached"], true);
    let v6 = lines(&sb.read("silent6.json"));
    assert_eq!(
        netkit_hops(&v6),
        ["2001:db8:1::2", "*", "2001:db8:3::2", SRV6]
    );
    let (nk, tr) = (
        median(times(&sb.read("t-nk.txt"))),
        median(times(&sb.read("t-tr.txt"))),
    );
    eprintln!("silent hop 2: netkit --path {nk} ms, traceroute -T -q 1 {tr} ms");
    assert!(nk < 1000.0, "netkit took {nk} ms past a silent hop");
}

#[test]
fn ecmp_shows_both_next_hops_and_each_flow_keeps_its_path() {
    let Some(sb) = lab("ECMP") else {
        return;
    };
    run_lab(
        &sb,
        &format!(
            "lab_ecmp
$NK --json portcheck --path -n --count 16 {SRV4}:443 > ecmp.json
"
        ),
    );
    let v = lines(&sb.read("ecmp.json"));
    let hops = of_type(&v, "hop");
    let at = |ttl: usize| -> Vec<String> {
        let mut a: Vec<String> = hops[ttl - 1]["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["address"].as_str().unwrap().to_string())
            .collect();
        a.sort();
        a
    };
    // 16 flows over two next hops: both seen (all on one: 2 in 65,536).
    assert_eq!(at(2), ["10.0.2.2", "10.0.5.2"], "{v:?}");
    assert_eq!(at(3), ["10.0.3.2", "10.0.6.2"], "{v:?}");
    // Each flow (one source port at every TTL) stays on one path: via r2
    // at hop 2, it reaches r3 through r2 at hop 3 (10.0.3.2), and so on.
    let by_flow = |ttl: usize| -> Vec<(u64, String)> {
        hops[ttl - 1]["probes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["flow"].as_u64().unwrap(),
                    p["address"].as_str().unwrap_or("*").to_string(),
                )
            })
            .collect()
    };
    let (two, three) = (by_flow(2), by_flow(3));
    assert_eq!(two.len(), 16);
    for ((f2, a2), (f3, a3)) in two.iter().zip(&three) {
        assert_eq!(f2, f3);
        let expected = if a2 == "10.0.2.2" {
            "10.0.3.2"
        } else {
            "10.0.6.2"
        };
        assert_eq!(a3, expected, "flow {f2} changed path: {two:?} {three:?}");
    }
}

#[test]
fn path_mtu_equals_tracepath_and_a_black_hole_is_named() {
    let Some(sb) = lab("path MTU") else {
        return;
    };
    run_lab(
        &sb,
        &format!(
            "nk_in r2 ip link set r2b mtu 1280; nk_in r3 ip link set r3a mtu 1280
$NK --json portcheck --path -n {SRV4}:443 > mtu4.json
$NK --json portcheck --path -n [{SRV6}]:443 > mtu6.json
ip route flush cache; ip -6 route flush cache
tracepath -n {SRV4} > tp4.txt 2>&1
tracepath -n {SRV6} > tp6.txt 2>&1
# The black hole: r2 never says fragmentation needed / packet too big.
nk_nft r2 add table inet f
nk_nft r2 add chain inet f o '{{ type filter hook output priority 0; }}'
nk_nft r2 add rule inet f o icmp type destination-unreachable icmp code frag-needed drop
nk_nft r2 add rule inet f o icmpv6 type packet-too-big drop
ip route flush cache; ip -6 route flush cache
$NK --json portcheck --path -n {SRV4}:443 > hole4.json
$NK portcheck --path -n {SRV4}:443 > hole4.txt
ip -6 route flush cache
$NK --json portcheck --path -n [{SRV6}]:443 > hole6.json
ip route flush cache
tracepath -n -m 6 {SRV4} > hole-tp.txt 2>&1
# A web server whose full-size answers die in the hole: the request stalls
# (on the way back the small link is r3's, so r3 keeps quiet too).
nk_nft r3 add table inet f
nk_nft r3 add chain inet f o '{{ type filter hook output priority 0; }}'
nk_nft r3 add rule inet f o icmp type destination-unreachable icmp code frag-needed drop
mkdir www; head -c 200000 /dev/zero > www/big
nk_in srv python3 -m http.server 8080 --bind {SRV4} --directory www > web.log 2>&1 &
i=0; until nk_in srv ss -ltn | grep -q 8080 || [ $i -gt 300 ]; do sleep 0.01; i=$((i+1)); done
$NK diagnose --timeout 2s http://{SRV4}:8080/big > stall.txt
$NK --json diagnose --timeout 2s --path -n http://{SRV4}:8080/big > stall.json
"
        ),
    );
    for (nk, tp) in [("mtu4.json", "tp4.txt"), ("mtu6.json", "tp6.txt")] {
        let v = lines(&sb.read(nk));
        let path = of_type(&v, "path")[0];
        let theirs = tracepath_pmtu(&sb.read(tp));
        assert_eq!(theirs, Some(1280), "{}", sb.read(tp));
        assert_eq!(path["path_mtu"], 1280, "{path}");
        assert_eq!(path["mtu_black_hole"], Value::Null, "{path}");
    }
    for nk in ["hole4.json", "hole6.json"] {
        let v = lines(&sb.read(nk));
        let path = of_type(&v, "path")[0];
        assert_eq!(path["reached"], true, "{path}");
        let hole = &path["mtu_black_hole"];
        assert_eq!(hole["ttl"], 3, "{path}");
        assert_eq!(hole["dropped_size"], 1500, "{path}");
        assert_eq!(hole["mtu_works"], 1280, "{path}");
        assert_eq!(path["path_mtu"], 1280, "{path}");
    }
    let human = sb.read("hole4.txt");
    assert!(human.contains("MTU black hole"), "{human}");
    // The connection is made, the full-size answer never comes: diagnose
    // says it could be the hole, and with --path finds it.
    let stall = sb.read("stall.txt");
    assert!(stall.contains("request failed: timeout"), "{stall}");
    assert!(
        stall.contains("MTU black hole") && stall.contains("--path"),
        "{stall}"
    );
    let v = lines(&sb.read("stall.json"));
    let summary = v.last().unwrap();
    assert_eq!(
        (
            summary["failed_phase"].as_str(),
            summary["error"]["code"].as_str()
        ),
        (Some("request"), Some("timeout")),
        "{summary}"
    );
    let path = of_type(&v, "path")[0];
    assert_eq!(path["mtu_black_hole"]["mtu_works"], 1280, "{path}");
    // tracepath, for the record, loses the path at the hole.
    eprintln!("tracepath at the black hole:\n{}", sb.read("hole-tp.txt"));
}

#[test]
fn udp_and_icmp_probes() {
    let Some(sb) = lab("UDP and ICMP paths") else {
        return;
    };
    run_lab(
        &sb,
        &format!(
            "$NK --json portcheck --udp --path -n {SRV4}:5353 > udp.json; echo $? > udp.rc
$NK --json portcheck --udp --path -n [{SRV6}]:5353 > udp6.json
$NK --json portcheck --icmp --path -n {SRV4}:443 > icmp.json
tracepath -n -p 5353 {SRV4} > tp.txt 2>&1
nk_nft r2 add table inet f
nk_nft r2 add chain inet f fw '{{ type filter hook forward priority 0; }}'
nk_nft r2 add rule inet f fw udp dport 5353 drop
$NK --json portcheck --udp --path -n --max-hops 4 --path-timeout 0.3s {SRV4}:5353 > udp-drop.json; echo $? > udp-drop.rc
# No ping sockets for anyone: ICMP probes cannot be sent, and say why.
sysctl -qw net.ipv4.ping_group_range='1 0'
$NK --json portcheck --icmp --path -n {SRV4}:443 > noping.json; echo $? > noping.rc
$NK portcheck --icmp --path -n {SRV4}:443 > noping.txt 2>&1
"
        ),
    );
    let v = lines(&sb.read("udp.json"));
    assert_eq!(sb.read("udp.rc").trim(), "0");
    assert_eq!(netkit_hops(&v), ["10.0.1.2", "10.0.2.2", "10.0.3.2", SRV4]);
    let last = *of_type(&v, "hop").last().unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["answer"].as_str()),
        (Some("destination"), Some("closed"))
    );
    let tp = sb.read("tp.txt");
    let theirs: Vec<&str> = tp
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.trim().split_once(':')?;
            n.parse::<u32>().ok()?;
            rest.split_whitespace().next()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut ours = netkit_hops(&v);
    ours.sort();
    assert_eq!(ours, theirs);
    let v6 = lines(&sb.read("udp6.json"));
    assert_eq!(of_type(&v6, "path")[0]["reached"], true);
    let icmp = lines(&sb.read("icmp.json"));
    assert_eq!(
        netkit_hops(&icmp),
        ["10.0.1.2", "10.0.2.2", "10.0.3.2", SRV4]
    );
    assert_eq!(of_type(&icmp, "path")[0]["protocol"], "icmp");
    let noping = lines(&sb.read("noping.json"));
    assert_eq!(sb.read("noping.rc").trim(), "6");
    assert_eq!(of_type(&noping, "hop").len(), 0, "{noping:?}");
    let path = of_type(&noping, "path")[0];
    assert_eq!(
        (path["stopped"].as_str(), path["error"]["code"].as_str()),
        (Some("error"), Some("permission")),
        "{path}"
    );
    assert!(sb.read("noping.txt").contains("ping_group_range"));
    let drop = lines(&sb.read("udp-drop.json"));
    let path = of_type(&drop, "path")[0];
    assert_eq!(sb.read("udp-drop.rc").trim(), "1");
    assert_eq!(path["last_hop"]["address"], "10.0.2.2", "{path}");
    assert!(
        path["detail"]
            .as_str()
            .unwrap()
            .starts_with("UDP to :5353 dies after 10.0.2.2"),
        "{path}"
    );
}

#[test]
fn path_usage_errors() {
    use crate::support::{assert_usage_error, run};
    for (args, what) in [
        (
            &["portcheck", "--path", "-p", "80", "127.0.0.0/30"][..],
            "one HOST:PORT",
        ),
        (
            &["portcheck", "--path", "-p", "80,81", "127.0.0.1"],
            "one HOST:PORT",
        ),
        (
            &["portcheck", "--path", "--wait", "127.0.0.1:80"],
            "not with --local or --wait",
        ),
        (&["portcheck", "--udp", "127.0.0.1:80"], "--udp applies"),
        (&["portcheck", "--count", "3", "127.0.0.1:80"], "--path"),
        (&["portcheck", "--icmp", "127.0.0.1:80"], "--path"),
        (
            &["portcheck", "--path", "--count", "0", "127.0.0.1:80"],
            "count",
        ),
        (
            &["portcheck", "--path", "--max-hops", "65", "127.0.0.1:80"],
            "max-hops",
        ),
        (
            &[
                "diagnose",
                "--path",
                "--proxy",
                "socks5://127.0.0.1:1",
                "127.0.0.1:80",
            ],
            "not with --proxy",
        ),
    ] {
        let out = run(args);
        assert_usage_error(&out, what);
        let err = crate::support::stderr(&out);
        assert!(err.contains(what), "{args:?}: {err}");
    }
}

/// Hop names come from the system resolver (here /etc/hosts, one name
/// with an escape sequence in it), escaped; a resolver that never answers
/// costs the trace at most a second, once. The Prometheus file has the
/// path's metrics.
#[test]
fn hop_names_are_escaped_and_a_dead_resolver_costs_one_second() {
    let Some(sb) = lab("hop names") else {
        return;
    };
    let sb = sb
        .etc(
            "hosts",
            "127.0.0.1 localhost\n10.0.1.2 r1.lab.test\n10.0.2.2 r2\x1b[31m.lab.test\n",
        )
        // The server drops DNS: names not in /etc/hosts wait.
        .etc(
            "resolv.conf",
            "nameserver 10.0.4.2\noptions timeout:5 attempts:1\n",
        );
    run_lab(
        &sb,
        &format!(
            "nk_listen 443
nk_nft srv add table inet f
nk_nft srv add chain inet f i '{{ type filter hook input priority 0; }}'
nk_nft srv add rule inet f i udp dport 53 drop
a=$(nk_ms); $NK --json portcheck --path --prom-file path.prom {SRV4}:443 > names.json; b=$(nk_ms)
echo $((b - a)) > names.ms
$NK portcheck --path {SRV4}:443 > names.txt
"
        ),
    );
    let v = lines(&sb.read("names.json"));
    let names: Vec<Option<String>> = of_type(&v, "hop")
        .iter()
        .map(|h| h["addresses"][0]["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        names,
        [
            Some("r1.lab.test".to_string()),
            Some("r2\\x1b[31m.lab.test".to_string()),
            None,
            None
        ],
        "{v:?}"
    );
    let ms: f64 = sb.read("names.ms").trim().parse().unwrap();
    assert!(ms < 2500.0, "the names held the trace for {ms} ms");
    let human = sb.read("names.txt");
    assert!(human.contains("10.0.1.2 (r1.lab.test)"), "{human}");
    assert!(!human.contains('\x1b'), "{human}");
    let prom = sb.read("path.prom");
    for metric in [
        "netkit_path_reached{address=\"10.0.4.2\"} 1",
        "netkit_path_last_hop{address=\"10.0.4.2\"} 4",
        "netkit_path_hop_loss_ratio{ttl=\"2\",address=\"10.0.2.2\"} 0",
        "netkit_path_mtu_bytes{address=\"10.0.4.2\"} 1500",
    ] {
        assert!(prom.contains(metric), "{metric} not in:\n{prom}");
    }
}
