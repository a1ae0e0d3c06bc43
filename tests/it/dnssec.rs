//! `lookup --dnssec` against zones signed by BIND's own tools and served by
//! named, inside the sandbox: every verdict is checked against what was
//! built (secure with ECDSA, RSA and Ed25519 keys, NSEC and NSEC3 denials,
//! wildcards and wildcard NODATA, DNAME; insecure below an unsigned
//! delegation and past 150 NSEC3 iterations (a zone Knot signs); bogus for
//! an expired signature, a wrong DS, a wrong SHA-256 DS beside a right
//! SHA-1 one, a revoked KSK and a record changed after signing) and
//! against delv, BIND's validating look-up tool, run side by side.

use serde_json::Value;

use crate::support::{Sandbox, tool_or_skip};

const ZONES: &str = include_str!("../data/dnssec-zones.sh");

/// (name, type, verdict, exit, words the reason or chain must hold).
const CASES: &[(&str, &str, &str, i32, &str)] = &[
    (
        "www.example.test",
        "A",
        "secure",
        0,
        "www.example.test. A signed by example.test.",
    ),
    (
        "nope.example.test",
        "A",
        "secure",
        1,
        "covers nope.example.test.",
    ),
    (
        "www.example.test",
        "AAAA",
        "secure",
        1,
        "lists neither AAAA nor CNAME",
    ),
    (
        "x.wild.example.test",
        "A",
        "secure",
        0,
        "the answer came from a wildcard",
    ),
    (
        "alias.example.test",
        "A",
        "secure",
        0,
        "alias.example.test. CNAME signed",
    ),
    ("www.rsa.test", "A", "secure", 0, "(RSASHA256)"),
    (
        "nope.rsa.test",
        "A",
        "secure",
        1,
        "closest encloser rsa.test.",
    ),
    (
        "x.wild.rsa.test",
        "A",
        "secure",
        0,
        "the answer came from a wildcard",
    ),
    ("www.ed.test", "A", "secure", 0, "(ED25519)"),
    (
        "www.unsigned.test",
        "A",
        "insecure",
        0,
        "unsigned.test. is an unsigned delegation",
    ),
    (
        "www.expired.test",
        "A",
        "bogus",
        3,
        "expired 2020-02-01T00:00:00Z",
    ),
    ("www.badds.test", "A", "bogus", 3, "matches the parent's DS"),
    ("www.tampered.test", "A", "bogus", 3, "does not verify"),
    (
        "www.tampered.test",
        "TXT",
        "secure",
        0,
        "TXT signed by tampered.test.",
    ),
    // Wildcard NODATA under NSEC3 (RFC 5155 8.7): the NSEC3 of the
    // wildcard matches, without the type.
    (
        "x.wild.rsa.test",
        "TXT",
        "secure",
        1,
        "the NSEC3 of the wildcard *.wild.rsa.test. lists neither TXT nor CNAME",
    ),
    // A right SHA-1 DS beside a wrong SHA-256 one: SHA-1 is ignored.
    (
        "www.sha1.test",
        "A",
        "bogus",
        3,
        "SHA-1 DS ignored beside SHA-256 (RFC 4509 3)",
    ),
    // The KSK the DS names is revoked.
    ("www.revoked.test", "A", "bogus", 3, "is revoked"),
    // Through a signed DNAME (its CNAME is synthesised, unsigned: RFC
    // 6672), to an answer and to a name that does not exist.
    (
        "deep.dname.example.test",
        "A",
        "secure",
        0,
        "synthesised from the DNAME dname.example.test.",
    ),
    (
        "nope.dname.example.test",
        "A",
        "secure",
        1,
        "covers nope.sub.example.test.",
    ),
    // NODATA at the end of a CNAME chain in the server's own zone (RFC
    // 2308 2.2: its SOA in authority), and a chain that leaves it.
    (
        "alias.example.test",
        "AAAA",
        "secure",
        1,
        "lists neither AAAA nor CNAME",
    ),
    (
        "out.example.test",
        "AAAA",
        "secure",
        0,
        "out.example.test. CNAME signed",
    ),
    // NSEC3 with 200 iterations (signed by Knot): a positive answer is
    // secure, a denial insecure (RFC 9276, as BIND 9.18 does past 150).
    ("www.iter.test", "A", "secure", 0, "www.iter.test. A signed"),
    ("nope.iter.test", "A", "insecure", 1, "200 iterations"),
    // Served with a TTL above the signed one: capped.
    ("www.ttl.test", "A", "secure", 0, "www.ttl.test. A signed"),
];

/// What delv says of a look-up: secure, insecure or bogus.
fn delv_verdict(text: &str) -> &'static str {
    if text.contains("; fully validated") || text.contains("negative response, fully validated") {
        "secure"
    } else if text.contains("; unsigned answer")
        || text.contains("negative response, unsigned answer")
    {
        "insecure"
    } else {
        "bogus"
    }
}

#[test]
fn verdicts_match_what_was_signed_and_what_delv_says() {
    const TEST: &str = "dnssec verdicts against named and delv";
    for tool in [
        "named",
        "dig",
        "delv",
        "dnssec-keygen",
        "dnssec-signzone",
        "bash",
        "knotd",
        "keymgr",
    ] {
        if !tool_or_skip(tool, TEST) {
            return;
        }
    }
    let Some(sb) = Sandbox::new(TEST) else { return };
    std::fs::write(sb.path("zones.sh"), ZONES).unwrap();
    let mut script = String::from(
        "bash zones.sh > zones.log 2>&1 || { cat zones.log >&2; exit 1; }\n\
         read -r o _ _ t a dt dg < anchor.ds\n\
         echo \"trust-anchors { $o static-ds $t $a $dt \\\"$dg\\\"; };\" > anchors.conf\n",
    );
    for (i, (name, rtype, ..)) in CASES.iter().enumerate() {
        script += &format!(
            "\"$NK\" --json lookup --dnssec --trust-anchor anchor.ds @127.0.0.1 -t {rtype} {name} > c{i}.json; echo $? > c{i}.rc\n\
             delv @127.0.0.1 -a anchors.conf +root=test {name} {rtype} > d{i}.txt 2>&1\n"
        );
    }
    // The whole chain from a signed root; a wrong anchor; a name no anchor
    // covers; the human forms.
    script += "\"$NK\" --json lookup --dnssec --trust-anchor root.ds @127.0.0.1 -t A www.ed.test > root.json; echo $? > root.rc\n\
               sed 's/[0-9A-F]\\{4\\}$/0000/' anchor.ds > wrong.ds\n\
               \"$NK\" --json lookup --dnssec --trust-anchor wrong.ds @127.0.0.1 -t A www.example.test > wrong.json; echo $? > wrong.rc\n\
               \"$NK\" --json lookup --dnssec --trust-anchor anchor.ds @127.0.0.1 -t SOA . > none.json; echo $? > none.rc\n\
               \"$NK\" lookup --dnssec --trust-anchor anchor.ds @127.0.0.1 -t A -v www.example.test > human.txt\n\
               \"$NK\" lookup --dnssec --trust-anchor anchor.ds @127.0.0.1 www.expired.test > host.txt; echo $? > host.rc\n\
               \"$NK\" lookup --dnssec --trust-anchor anchor.ds @127.0.0.1 --short -t A www.tampered.test www.example.test > short.txt; echo $? > short.rc\n";
    let out = sb.shell_within(&script, 120);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        sb.read("named.log")
    );
    let one = |file: &str| -> Value {
        let text = sb.read(file);
        let v: Value = serde_json::from_str(text.lines().next().unwrap_or(""))
            .unwrap_or_else(|e| panic!("{file}: {e}: {text}"));
        crate::support::assert_schema(&v);
        v
    };
    let rc = |file: &str| sb.read(file).trim().parse::<i32>().unwrap_or(-1);
    let mut agree = 0;
    for (i, (name, rtype, verdict, exit, words)) in CASES.iter().enumerate() {
        let v = one(&format!("c{i}.json"));
        let d = &v["dnssec"];
        let all_text = format!("{} {}", d["reason"], d["chain"]);
        assert_eq!(d["status"], *verdict, "{name} {rtype}: {v}");
        assert_eq!(rc(&format!("c{i}.rc")), *exit, "{name} {rtype}: {v}");
        assert!(
            all_text.contains(words),
            "{name} {rtype}: wanted {words:?} in {d}"
        );
        let chain = d["chain"].as_array().unwrap();
        assert_eq!(
            chain[0]["zone"], "test.",
            "{name}: the chain starts at the anchor: {d}"
        );
        if *verdict == "bogus" {
            assert_eq!(v["ok"], false, "{v}");
            assert_eq!(v["error"]["code"], "bogus", "{v}");
            assert_eq!(
                chain.last().unwrap()["ok"],
                false,
                "the failing link is last: {d}"
            );
        } else {
            assert!(chain.iter().all(|s| s["ok"] == true), "{d}");
        }
        let delv = sb.read(&format!("d{i}.txt"));
        assert_eq!(
            delv_verdict(&delv),
            *verdict,
            "{name} {rtype}: delv disagrees:\n{delv}"
        );
        agree += 1;
    }
    assert_eq!(agree, CASES.len());
    let status = |name: &str, rtype: &str| {
        let i = CASES
            .iter()
            .position(|c| c.0 == name && c.1 == rtype)
            .unwrap();
        one(&format!("c{i}.json"))["status"].clone()
    };
    assert_eq!(status("alias.example.test", "AAAA"), "nodata");
    assert_eq!(status("out.example.test", "AAAA"), "noerror");
    // A TTL served above the signature's original TTL is capped, as delv
    // caps it.
    let i = CASES.iter().position(|c| c.0 == "www.ttl.test").unwrap();
    let delv = sb.read(&format!("d{i}.txt"));
    let theirs: u64 = delv
        .lines()
        .find(|l| l.starts_with("www.ttl.test.") && l.contains("\tA\t"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or_else(|| panic!("no A in delv's answer:\n{delv}"));
    let v = one(&format!("c{i}.json"));
    assert_eq!(v["answers"][0]["ttl"].as_u64(), Some(theirs), "{v}\n{delv}");
    assert_eq!(theirs, 300, "{delv}");

    let root = one("root.json");
    let zones: Vec<&str> = root["dnssec"]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["zone"].as_str().unwrap())
        .collect();
    assert_eq!(root["dnssec"]["status"], "secure", "{root}");
    assert_eq!(
        zones,
        [
            ".",
            ".",
            "test.",
            "test.",
            "ed.test.",
            "ed.test.",
            "www.ed.test."
        ],
        "{root}"
    );
    let wrong = one("wrong.json");
    assert_eq!(wrong["dnssec"]["status"], "bogus", "{wrong}");
    assert!(
        wrong["dnssec"]["reason"]
            .as_str()
            .unwrap()
            .contains("matches the trust anchor"),
        "{wrong}"
    );
    assert_eq!(rc("wrong.rc"), 3);
    let none = one("none.json");
    assert_eq!(none["dnssec"]["status"], "indeterminate", "{none}");
    assert!(
        none["dnssec"]["reason"]
            .as_str()
            .unwrap()
            .contains("no trust anchor covers"),
        "{none}"
    );
    assert_eq!(rc("none.rc"), 0, "indeterminate is not a failure");

    let human = sb.read("human.txt");
    assert!(human.contains(";; DNSSEC: secure\n"), "{human}");
    assert!(
        human.contains(";;   ok   example.test. ds: DNSKEY"),
        "-v lists the chain: {human}"
    );
    let host = sb.read("host.txt");
    assert!(
        host.contains("ERROR: DNSSEC bogus: RRSIG expired.test. DNSKEY by key"),
        "{host}"
    );
    assert_eq!(rc("host.rc"), 3);
    // --short prints no data of a bogus answer (the secure one's A and,
    // as dig +short +dnssec, its RRSIG).
    let short = sb.read("short.txt");
    assert!(short.starts_with("192.0.2.1\nA 13 3 300 "), "{short}");
    assert!(!short.contains("192.0.2.66"), "{short}");
    assert_eq!(short.lines().count(), 2, "{short}");
    assert_eq!(rc("short.rc"), 3);
}

#[test]
fn dnssec_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ds");
    std::fs::write(&bad, "test. IN A 192.0.2.1\n").unwrap();
    let bad = bad.to_string_lossy().into_owned();
    for (args, what) in [
        (
            vec!["lookup", "--trust-anchor", "x", "@127.0.0.1", "a.test"],
            "not provided: --dnssec",
        ),
        (
            vec![
                "lookup",
                "--dnssec",
                "--trust-anchor",
                "/nonexistent/x",
                "@127.0.0.1",
                "a.test",
            ],
            "cannot read /nonexistent/x: No such file",
        ),
        (
            vec![
                "lookup",
                "--dnssec",
                "--trust-anchor",
                &bad,
                "@127.0.0.1",
                "a.test",
            ],
            "line 1: only DS and DNSKEY records are trust anchors",
        ),
        (
            vec![
                "lookup",
                "--dnssec",
                "--trust-anchor",
                "/dev/zero",
                "@127.0.0.1",
                "a.test",
            ],
            "/dev/zero: larger than 1048576 bytes, the limit in docs/limits.md",
        ),
        (
            vec!["lookup", "--dnssec", "--system", "a.test"],
            "'--dnssec' cannot be used with '--system'",
        ),
    ] {
        let out = crate::support::run(&args);
        crate::support::assert_usage_error(&out, what);
        let err = crate::support::stderr(&out);
        assert!(err.contains(what), "{args:?}: {err}");
    }
}

/// Through a validating resolver (unbound, recursing to named from the
/// same signed root): netkit sets CD, gets the data unbound would refuse,
/// and names the link; without --dnssec the resolver's own SERVFAIL and
/// Extended DNS Error come through.
#[test]
fn through_unbound_the_verdicts_hold_and_its_errors_show() {
    const TEST: &str = "dnssec through unbound";
    for tool in [
        "named",
        "dig",
        "unbound",
        "dnssec-keygen",
        "dnssec-signzone",
        "bash",
        "knotd",
        "keymgr",
    ] {
        if !tool_or_skip(tool, TEST) {
            return;
        }
    }
    let Some(sb) = Sandbox::new(TEST) else { return };
    std::fs::write(sb.path("zones.sh"), ZONES).unwrap();
    let dir = sb.path("");
    let dir = dir.to_string_lossy();
    let dir = dir.trim_end_matches('/');
    std::fs::write(
        sb.path("unbound.conf"),
        format!(
            "server:\n  interface: 127.0.0.2@53\n  do-daemonize: no\n  chroot: \"\"\n  username: \"\"\n\
             directory: \"{dir}\"\n  pidfile: \"{dir}/unbound.pid\"\n  use-syslog: no\n  logfile: \"\"\n  do-ip6: no\n\
             access-control: 127.0.0.0/8 allow\n  do-not-query-localhost: no\n  qname-minimisation: no\n\
             module-config: \"validator iterator\"\n  local-zone: \"test.\" nodefault\n  trust-anchor-file: \"{dir}/root.ds\"\n  ede: yes\n\
             val-log-level: 2\nstub-zone:\n  name: \".\"\n  stub-addr: 127.0.0.1\nremote-control:\n  control-enable: no\n"
        ),
    )
    .unwrap();
    let cases = [
        ("www.example.test", "secure"),
        ("nope.rsa.test", "secure"),
        ("www.unsigned.test", "insecure"),
        ("www.expired.test", "bogus"),
        ("www.badds.test", "bogus"),
        ("www.tampered.test", "bogus"),
    ];
    let mut script = String::from(
        "ip addr add 127.0.0.2/32 dev lo\n\
         bash zones.sh > zones.log 2>&1 || { cat zones.log >&2; exit 1; }\n\
         unbound -d -c \"$PWD/unbound.conf\" > unbound.log 2>&1 &\n\
         i=0; until dig +time=1 +tries=1 +short @127.0.0.2 www.example.test A | grep -q '^[0-9]'; do\n\
           i=$((i+1)); [ $i -gt 100 ] && { echo 'unbound never answered' >&2; exit 1; }; sleep 0.1; done\n",
    );
    for (i, (name, _)) in cases.iter().enumerate() {
        script += &format!(
            "\"$NK\" --json lookup --dnssec --trust-anchor root.ds @127.0.0.2 -t A {name} > u{i}.json; echo $? > u{i}.rc\n"
        );
    }
    script += "\"$NK\" --json lookup @127.0.0.2 -t A www.expired.test > plain.json; echo $? > plain.rc\n\
         \"$NK\" lookup --color never --dnssec --trust-anchor root.ds @127.0.0.2 -t A www.tampered.test > human.txt; true\n";
    let out = sb.shell_within(&script, 120);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        sb.read("unbound.log")
    );
    for (i, (name, verdict)) in cases.iter().enumerate() {
        let v: Value = serde_json::from_str(sb.read(&format!("u{i}.json")).trim())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        crate::support::assert_schema(&v);
        assert_eq!(v["dnssec"]["status"], *verdict, "{name}: {v}");
        assert!(v["flags"].as_array().unwrap().contains(&"cd".into()), "{v}");
        let rc = sb.read(&format!("u{i}.rc"));
        assert_eq!(
            rc.trim(),
            if *verdict == "bogus" {
                "3"
            } else if name.starts_with("nope") {
                "1"
            } else {
                "0"
            },
            "{name}: {v}"
        );
        let chain = v["dnssec"]["chain"].as_array().unwrap();
        assert_eq!(chain[0]["zone"], ".", "{name}: from the root: {v}");
        // Bogus: the resolver is asked once more without CD, and its own
        // refusal and Extended DNS Error are shown beside netkit's reason.
        let r = &v["dnssec"]["resolver"];
        if *verdict == "bogus" {
            assert_eq!(r["status"], "servfail", "{name}: {v}");
            assert_eq!(r["validated"], false, "{name}: {v}");
            assert!(!r["ede"].as_array().unwrap().is_empty(), "{name}: {v}");
            assert!(r["summary"].as_str().unwrap().contains("refuses"), "{v}");
            assert_eq!(r["server"]["address"], "127.0.0.2");
        } else {
            assert!(r.is_null(), "{name}: {v}");
        }
    }
    let human = sb.read("human.txt");
    assert!(
        human.contains(";; resolver 127.0.0.2:53 without CD: SERVFAIL, EDE "),
        "{human}"
    );
    // The resolver itself refuses the expired zone, and says why.
    let plain: Value = serde_json::from_str(sb.read("plain.json").trim()).unwrap();
    assert_eq!(plain["status"], "servfail", "{plain}");
    assert!(
        !plain["ede"].as_array().unwrap().is_empty(),
        "unbound gives an EDE: {plain}"
    );
    assert_eq!(sb.read("plain.rc").trim(), "3");
}

const MATRIX: &str = include_str!("../data/dnssec-matrix.sh");

/// The wider matrix (tests/data/dnssec-matrix.sh, 360 look-ups): every
/// verdict netkit gives, side by side with delv's on the same server and
/// anchor. Algorithms 8, 10, 13, 14, 15 and 16 under NSEC, NSEC3, salted
/// NSEC3 and opt-out; wildcards and their NODATA, empty non-terminals,
/// CNAME and DNAME, CNAMEs into unsigned zones, unsigned delegations; DS
/// digests 1, 2, 4 and unknown, an unknown algorithm, a CSK, two KSKs;
/// signatures not yet valid and expired; stripped, tampered and broken
/// records and proofs. All agree but Ed448, which netkit calls insecure
/// (no stable crate verifies it) where delv says secure.
#[test]
fn a_wide_matrix_agrees_with_delv() {
    const TEST: &str = "dnssec matrix against delv";
    for tool in [
        "named",
        "dig",
        "delv",
        "dnssec-keygen",
        "dnssec-signzone",
        "bash",
    ] {
        if !tool_or_skip(tool, TEST) {
            return;
        }
    }
    let Some(sb) = Sandbox::new(TEST) else { return };
    std::fs::write(sb.path("matrix.sh"), MATRIX).unwrap();
    let script = "bash matrix.sh > zones.log 2>&1 || { cat zones.log >&2; exit 1; }\n\
        read -r o _ _ t a dt dg < matrix.ds\n\
        echo \"trust-anchors { $o static-ds $t $a $dt \\\"$dg\\\"; };\" > anchors.conf\n\
        i=0\n\
        while read -r n t; do\n\
          \"$NK\" --json lookup --dnssec --trust-anchor matrix.ds @127.0.0.1 -t $t $n > c$i.json 2> c$i.err\n\
          delv @127.0.0.1 -a anchors.conf +root=matrix $n $t > d$i.txt 2>&1\n\
          i=$((i+1))\n\
        done < cases.txt\n\
        echo done\n";
    let out = sb.shell_within(script, 300);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("done"),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        sb.read("named.log")
    );
    let cases: Vec<(String, String)> = sb
        .read("cases.txt")
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert!(cases.len() >= 350, "{}", cases.len());
    let mut agree = 0;
    let mut ed448 = 0;
    let mut count = std::collections::BTreeMap::<String, usize>::new();
    let mut differ = Vec::new();
    for (i, (name, rtype)) in cases.iter().enumerate() {
        let text = sb.read(&format!("c{i}.json"));
        let v: Value =
            serde_json::from_str(text.lines().next().unwrap_or("")).unwrap_or_else(|e| {
                panic!(
                    "{name} {rtype}: {e}: {text} {}",
                    sb.read(&format!("c{i}.err"))
                )
            });
        if i % 17 == 0 {
            crate::support::assert_schema(&v);
        }
        // An authoritative server (no RA) is not asked again.
        assert!(v["dnssec"]["resolver"].is_null(), "{v}");
        let ours = v["dnssec"]["status"].as_str().unwrap_or("none").to_string();
        *count.entry(ours.clone()).or_default() += 1;
        let delv = sb.read(&format!("d{i}.txt"));
        let theirs = delv_verdict(&delv);
        if ours == theirs {
            agree += 1;
        } else if name.contains(".a16-") && ours == "insecure" && theirs == "secure" {
            // Ed448: no stable crate verifies it; insecure, and said why.
            let why = v["dnssec"]["reason"].as_str().unwrap_or("");
            assert!(why.contains("no DS of an algorithm"), "{name}: {why}");
            ed448 += 1;
        } else {
            differ.push(format!(
                "{name} {rtype}: netkit {ours} ({}), delv {theirs}:\n{delv}",
                v["dnssec"]["reason"]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
    // The matrix proves something only if every verdict occurs in it.
    assert!(count.get("bogus").copied().unwrap_or(0) >= 15, "{count:?}");
    assert!(
        count.get("insecure").copied().unwrap_or(0) >= 80,
        "{count:?}"
    );
    assert!(
        count.get("secure").copied().unwrap_or(0) >= 200,
        "{count:?}"
    );
    assert_eq!(agree + ed448, cases.len());
    eprintln!(
        "dnssec matrix: {agree} of {} agree with delv; {ed448} Ed448 cases differ ({count:?})",
        cases.len()
    );
}

const TRACE: &str = include_str!("../data/dnssec-trace.sh");

/// `lookup --trace --dnssec` down a signed hierarchy on three servers (the
/// root, test., and the children each on their own named): every zone's
/// DNSKEY is checked against the DS its parent's server gave (the root's
/// against the anchor), the last answer against its zone's keys, and the
/// verdict agrees with delv's through a resolver of the same hierarchy.
#[test]
fn trace_with_dnssec_checks_every_zone_and_agrees_with_delv() {
    const TEST: &str = "dnssec on --trace";
    for tool in [
        "named",
        "dig",
        "delv",
        "unbound",
        "dnssec-keygen",
        "dnssec-signzone",
        "bash",
    ] {
        if !tool_or_skip(tool, TEST) {
            return;
        }
    }
    let Some(sb) = Sandbox::new(TEST) else { return };
    let sb = sb.etc(
        "resolv.conf",
        "nameserver 127.0.0.77\noptions timeout:1 attempts:1\n",
    );
    std::fs::write(sb.path("trace.sh"), TRACE).unwrap();
    let cases = [
        ("www.example.test", "secure", 0, "example.test."),
        ("nope.example.test", "secure", 1, "example.test."),
        ("www.bad.test", "bogus", 3, "bad.test."),
        ("www.plain.test", "insecure", 0, "plain.test."),
        ("www.tampered.test", "bogus", 3, "tampered.test."),
    ];
    let mut script = String::from(
        "bash trace.sh > zones.log 2>&1 || { cat zones.log >&2; exit 1; }\n\
         read -r o _ _ t a dt dg < root.ds\n\
         echo \"trust-anchors { $o static-ds $t $a $dt \\\"$dg\\\"; };\" > anchors.conf\n",
    );
    for (i, (name, ..)) in cases.iter().enumerate() {
        script += &format!(
            "\"$NK\" --json lookup --trace --dnssec --root-hints hints --trust-anchor root.ds {name} A > t{i}.json; echo $? > t{i}.rc\n\
             delv @127.0.0.9 -a anchors.conf {name} A > d{i}.txt 2>&1\n"
        );
    }
    // A name server without glue is found through the @SERVER the walk
    // was primed from (unbound here), not resolv.conf's (nothing there).
    script +=
        "\"$NK\" --json lookup --trace @127.0.0.9 www.far.test A > far.json; echo $? > far.rc\n";
    // -6: the walk asks IPv6 servers only, and this hierarchy has none.
    script += "\"$NK\" --json lookup --trace -6 --root-hints hints www.example.test A > v6.json; echo $? > v6.rc\n\
               \"$NK\" --json lookup --trace -4 --root-hints hints www.example.test A > v4.json; echo $? > v4.rc\n";
    script += "\"$NK\" lookup --color never +trace --dnssec --root-hints hints --trust-anchor root.ds www.tampered.test A > human.txt; echo done\n";
    let out = sb.shell_within(&script, 120);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("done"),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        sb.read("zones.log")
    );
    for (i, (name, verdict, rc, zone)) in cases.iter().enumerate() {
        let lines: Vec<Value> = sb
            .read(&format!("t{i}.json"))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for l in &lines {
            crate::support::assert_schema(l);
        }
        let steps: Vec<&Value> = lines.iter().filter(|l| l["type"] == "trace_step").collect();
        let servers: Vec<&str> = steps
            .iter()
            .map(|s| s["server"]["address"].as_str().unwrap())
            .collect();
        assert_eq!(
            servers,
            ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
            "{name}: {lines:?}"
        );
        let sum = lines.last().unwrap();
        assert_eq!(sum["type"], "summary");
        let d = &sum["dnssec"];
        assert_eq!(d["status"], *verdict, "{name}: {sum}");
        assert_eq!(
            sb.read(&format!("t{i}.rc")).trim(),
            rc.to_string(),
            "{name}: {sum}"
        );
        assert_eq!(
            delv_verdict(&sb.read(&format!("d{i}.txt"))),
            *verdict,
            "{name}: delv: {}",
            sb.read(&format!("d{i}.txt"))
        );
        // Each zone on the way has its links: the root's anchor, test.'s
        // DS and DNSKEY, and the child's (or why it stops there).
        let chain = d["chain"].as_array().unwrap();
        let has =
            |z: &str, check: &str| chain.iter().any(|s| s["zone"] == z && s["check"] == check);
        assert!(has(".", "anchor") && has(".", "dnskey"), "{name}: {d}");
        assert!(has("test.", "ds") && has("test.", "dnskey"), "{name}: {d}");
        assert!(
            chain
                .iter()
                .any(|s| s["zone"].as_str().unwrap().ends_with(zone)),
            "{name}: {d}"
        );
        if *verdict == "bogus" {
            assert_eq!(sum["error"]["code"], "bogus", "{sum}");
            assert_eq!(chain.last().unwrap()["ok"], false, "{d}");
        }
    }
    let far: Vec<Value> = sb
        .read("far.json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = far.last().unwrap();
    assert_eq!(sb.read("far.rc").trim(), "0", "{far:?}");
    assert_eq!(
        last["zones"],
        serde_json::json!([".", "test.", "far.test."]),
        "{far:?}"
    );
    let v6 = sb.read("v6.json");
    assert_eq!(sb.read("v6.rc").trim(), "3", "{v6}");
    assert!(v6.contains("no server of IPv6 (-6) to ask for ."), "{v6}");
    assert_eq!(sb.read("v4.rc").trim(), "0", "{}", sb.read("v4.json"));
    let answer = far.iter().find(|s| s["outcome"] == "answer").unwrap();
    assert_eq!(answer["server"]["address"], "127.0.0.4", "{far:?}");
    assert_eq!(answer["answers"][0]["value"], "192.0.2.8", "{far:?}");
    let human = sb.read("human.txt");
    assert!(
        human.contains(";; DNSSEC: bogus: RRSIG www.tampered.test. A"),
        "{human}"
    );
    assert!(human.contains(";;   ok   test. ds: "), "{human}");
    assert!(
        human.contains(";;   FAIL www.tampered.test. rrsig: "),
        "{human}"
    );
}
