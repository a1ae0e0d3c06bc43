//! Hostile peers and huge inputs (one test per attack): memory stays
//! bounded (peak RSS measured), deadlines hold (with margins), output is
//! whole and escaped. The bounds asserted are the ones docs/limits.md
//! states, with room for the allocator.

use std::net::Ipv4Addr;
use std::process::Command;
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::{A, PTR, TXT};
use hickory_proto::rr::{Name, RData};
use serde_json::Value;

use crate::support::hostile::{self, Reply};
use crate::support::{code, json_lines, netkit, stderr, stdout};

fn lines_of(out: &std::process::Output) -> Vec<Value> {
    json_lines(out)
}

/// Records in each of [`big_answers`]'s answers (32 KiB on the wire).
const BIG: u32 = 2000;

/// A server answering every name with [`BIG`] A records (over TCP after a
/// truncated UDP answer), except names starting with "never": silence.
fn big_answers() -> std::net::SocketAddr {
    hostile::dns(|q| {
        if hostile::qname(q).starts_with("never") {
            return Reply::Silence;
        }
        let answers = (0..BIG)
            .map(|i| hostile::record(q, 60, RData::A(A(Ipv4Addr::from(0x0a00_0000 + i)))))
            .collect();
        Reply::Answer(hostile::response(q, ResponseCode::NoError, answers))
    })
}

/// `lookup -f`: an early name that never answers while thousands of 64 KiB
/// answers arrive behind it. Finished answers wait for in-order output
/// within a bounded window, each cut to the records kept: memory stays
/// bounded (it was 706 MB for 500 names).
#[test]
fn batch_behind_a_silent_name_stays_small() {
    let server = big_answers();
    let dir = tempfile::tempdir().unwrap();
    let names = dir.path().join("names");
    let run = |names_text: String| {
        std::fs::write(&names, names_text).unwrap();
        // 16 in flight: at most 64 names between the silent one and the
        // newest started (4 x 16), each kept to 512 records.
        let mut cmd = netkit();
        cmd.args([
            "--json",
            "lookup",
            "-t",
            "A",
            "--timeout",
            "3s",
            "--retries",
            "0",
        ])
        .args(["--concurrency", "16", "-f"])
        .arg(&names)
        .arg(format!("@{server}"));
        hostile::run_measured(cmd, Duration::from_secs(60), None)
    };
    // The same work without the silent name, a few names: the baseline.
    let (_, base_kib) = run((0..20).map(|i| format!("big{i}.test\n")).collect());
    let mut text = String::from("never.test\n");
    for i in 0..400 {
        text.push_str(&format!("big{i}.test\n"));
    }
    let (out, peak_kib) = run(text);
    let lines = lines_of(&out);
    assert_eq!(lines.len(), 401, "every name answered, in order");
    assert_eq!(lines[0]["name"], "never.test");
    assert_eq!(lines[0]["status"], "timeout", "{}", lines[0]["status"]);
    let big = &lines[1];
    assert_eq!(big["name"], "big0.test");
    let kept = big["answers"].as_array().map_or(0, Vec::len);
    assert_eq!(kept, 512, "records kept per answer");
    assert_eq!(big["records_dropped"], BIG - 512);
    assert_eq!(lines[400]["name"], "big399.test");
    eprintln!(
        "lookup -f behind a silent name: peak RSS {} MiB (20 names answered at once: {} MiB)",
        peak_kib / 1024,
        base_kib / 1024
    );
    // Holding all 400 answers whole would add ~100 MiB; the window adds
    // at most 64 answers of 512 records.
    assert!(
        peak_kib < base_kib + 16 * 1024,
        "peak RSS {peak_kib} KiB, baseline {base_kib} KiB"
    );
}

/// A server whose every PTR answer holds `names` names (`host-N.ptr.test.`)
/// and that never answers a forward (A/AAAA) query.
fn many_ptrs(names: usize) -> std::net::SocketAddr {
    hostile::dns(move |q| {
        let is_ptr = q
            .queries
            .first()
            .is_some_and(|x| x.query_type() == hickory_proto::rr::RecordType::PTR);
        if !is_ptr {
            return Reply::Silence;
        }
        let answers = (0..names)
            .map(|i| {
                let name = Name::from_ascii(format!("host-{i}.ptr.test.")).unwrap();
                hostile::record(q, 60, RData::PTR(PTR(name)))
            })
            .collect();
        Reply::Answer(hostile::response(q, ResponseCode::NoError, answers))
    })
}

/// `rdns --dns` over a /24 whose every PTR answer has 1,000 names: at most
/// 64 are kept per address (the rest counted), and memory stays near what
/// one name per answer costs.
#[test]
fn a_sweep_of_huge_ptr_answers_stays_small() {
    let run = |server: std::net::SocketAddr| {
        let mut cmd = netkit();
        cmd.args(["--json", "rdns", "--dns", "--timeout", "5s", "192.0.2.0/24"])
            .arg(format!("--server={server}"));
        hostile::run_measured(cmd, Duration::from_secs(60), None)
    };
    let (_, base_kib) = run(many_ptrs(1));
    let (out, peak_kib) = run(many_ptrs(1000));
    let lines = lines_of(&out);
    let answers: Vec<&Value> = lines.iter().filter(|l| l["type"] != "summary").collect();
    assert_eq!(answers.len(), 256);
    let first = answers[0];
    assert_eq!(
        first["hostname"], "host-0.ptr.test.",
        "{}",
        first["hostname"]
    );
    assert_eq!(first["aliases"].as_array().unwrap().len(), 63);
    assert_eq!(first["names_dropped"], 1000 - 64);
    eprintln!(
        "rdns sweep, 1,000 PTRs per answer: peak RSS {} MiB (1 PTR: {} MiB)",
        peak_kib / 1024,
        base_kib / 1024
    );
    assert!(
        peak_kib < base_kib + 24 * 1024,
        "peak RSS {peak_kib} KiB, baseline {base_kib} KiB"
    );
}

/// `rdns --verify` with 20 names per PTR whose forward look-ups never
/// answer: the names are checked at once under one deadline (it took 20 x
/// 2 x the timeout).
#[test]
fn verify_of_many_silent_names_keeps_one_deadline() {
    let server = many_ptrs(20);
    let t = Instant::now();
    let out = crate::support::run([
        "--json",
        "rdns",
        "--dns",
        "--verify",
        "--timeout",
        "1s",
        &format!("--server={server}"),
        "192.0.2.7",
    ]);
    let took = t.elapsed();
    let lines = lines_of(&out);
    assert_eq!(
        lines[0]["names_checked"], 16,
        "{}",
        lines[0]["names_checked"]
    );
    assert_eq!(lines[0]["verified"], false);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // One deadline: the timeout x the attempts (2), plus a margin.
    assert!(took < Duration::from_millis(3500), "took {took:?}");
}

/// Files that are huge or endless: a clear one-line error (exit 2), fast,
/// in little memory. A 1 GiB file of NULs (sparse: no disk used) cost
/// 12.3 GB; /dev/zero aborted; a 50 MB line printed a 210 MB error.
#[test]
fn huge_and_endless_files_are_refused_in_one_short_line() {
    let dir = tempfile::tempdir().unwrap();
    let nuls = dir.path().join("nuls");
    std::fs::File::create(&nuls)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let long = dir.path().join("long");
    std::fs::write(&long, "a".repeat(50 << 20)).unwrap();
    let nuls = nuls.to_str().unwrap().to_string();
    let long = long.to_str().unwrap().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["lookup", "-f", &nuls, "@127.0.0.1:9"],
        vec!["lookup", "-f", "/dev/zero", "@127.0.0.1:9"],
        vec!["lookup", "-f", &long, "@127.0.0.1:9"],
        vec!["diagnose", "--ca-file", "/dev/zero", "https://127.0.0.1:9/"],
        vec!["diagnose", "--ca-file", &nuls, "https://127.0.0.1:9/"],
        vec!["services", "--db", &nuls, "http"],
        vec!["proto", "--db", "/dev/zero", "tcp"],
    ];
    for args in cases {
        let mut cmd = netkit();
        cmd.args(&args);
        let t = Instant::now();
        let (out, peak_kib) = hostile::run_measured(cmd, Duration::from_secs(20), None);
        let took = t.elapsed();
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{args:?}: {}", &err[..err.len().min(300)]);
        assert_eq!(err.lines().count(), 1, "{args:?}");
        assert!(err.len() < 400, "{args:?}: a {}-byte error line", err.len());
        assert!(err.starts_with("netkit: error: "), "{args:?}: {err}");
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        assert!(peak_kib < 128 * 1024, "{args:?}: peak RSS {peak_kib} KiB");
    }
}
