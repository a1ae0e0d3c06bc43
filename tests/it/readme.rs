//! The README's console blocks are run, the way trycmd runs them, and
//! their output compared with what the README prints, so an example that
//! drifts, a misaligned table or a doubled "ERROR: ERROR:" fails here.
//! Everything runs in one sandbox: host "vm", fixture /etc files, the
//! example zone server on 127.0.0.1:5353, a web server on 127.0.0.1:8080
//! and an echo server on 127.0.0.1:50007, as the README asks readers to
//! start them. `UPDATE_README=1` rewrites the blocks from real output.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, bin, stderr};

/// One `$ command` of a console block and the output shown under it.
#[derive(Debug, Clone)]
struct Step {
    command: String,
    expected: Vec<String>,
}

/// The console blocks: their line ranges in the README and their steps.
fn blocks(readme: &str) -> Vec<(usize, usize, Vec<Step>)> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "```console" {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && lines[end].trim() != "```" {
                end += 1;
            }
            let mut steps: Vec<Step> = Vec::new();
            for l in &lines[start..end] {
                match l.strip_prefix("$ ") {
                    Some(cmd) => steps.push(Step {
                        command: cmd.to_string(),
                        expected: Vec::new(),
                    }),
                    None => {
                        if let Some(s) = steps.last_mut() {
                            s.expected.push(l.to_string());
                        }
                    }
                }
            }
            out.push((start, end, steps));
            i = end;
        }
        i += 1;
    }
    out
}

/// Masks what changes from run to run: times, rates, ephemeral ports,
/// random ids. Runs of blanks before a masked value shrink to one, since
/// a value's width may differ.
fn normalize(text: &str) -> String {
    let rules: &[(&str, &str)] = &[
        (r"[0-9.]+(/[0-9.]+)+ ms", "<ms>"),
        (r"[0-9]+(\.[0-9]+)? ?(ms|s)\b", "<time>"),
        (
            r"[0-9]+(\.[0-9]+)? (datagrams/s|round trips/s|Mbit/s|MB/s)",
            "<rate> $2",
        ),
        (r":(3[2-9][0-9]{3}|[4-6][0-9]{4})\b", ":<port>"),
        (r"\b[0-9a-f]{16}\b", "<id>"),
        (r"\b[0-9]+ bytes from", "<n> bytes from"),
        (r" +<", " <"),
    ];
    let mut t = text.to_string();
    for (pat, rep) in rules {
        t = regex_lite::Regex::new(pat)
            .unwrap()
            .replace_all(&t, *rep)
            .into_owned();
    }
    t.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// The examples' zone server, built by `cargo test` beside this binary.
fn zone_server_bin() -> PathBuf {
    let me = std::env::current_exe().unwrap();
    me.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("zone-server")
}

#[test]
fn readme_examples_match_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = blocks(&readme);
    assert!(blocks.len() >= 5, "the README has its console blocks");
    let Some(sb) = Sandbox::new("README examples") else {
        return;
    };
    let zones = zone_server_bin();
    if !zones.exists() {
        crate::support::skip(
            "README examples",
            "the zone-server example is not built (cargo test builds it)",
        );
        return;
    }
    let sb = sb
        .hostname("vm")
        .multicast_route()
        .etc(
            "hosts",
            "127.0.0.1 localhost\n::1 localhost ip6-localhost\n127.0.1.1 vm.example.test vm\n",
        )
        .etc("resolv.conf", "nameserver 127.0.0.1\nsearch example.test\n")
        .etc("services", include_str!("../../data/services"))
        .etc("protocols", include_str!("../../data/protocols"));
    std::fs::create_dir_all(sb.path("bin")).unwrap();
    std::os::unix::fs::symlink(bin(), sb.path("bin/netkit")).unwrap();
    let mut script = format!(
        "export PATH=\"$PWD/bin:$PATH\"\n\
         '{zones}' 127.0.0.1:5353 > zones.log 2>&1 &\n\
         python3 -m http.server -b 127.0.0.1 -d '{site}' 8080 > http.log 2>&1 &\n\
         netkit echo-server > server.log 2>&1 &\n\
         nk_ready zones.log ready && nk_ready server.log Listening\n\
         until python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8080), 1)\" 2>/dev/null; do sleep 0.05; done\n",
        zones = zones.display(),
        site = root.join("docs/site").display(),
    );
    let steps: Vec<Step> = blocks.iter().flat_map(|(_, _, s)| s.clone()).collect();
    for (i, s) in steps.iter().enumerate() {
        script.push_str(&format!("echo '@@@ {i}'\n{} 2>&1\n", s.command));
    }
    script.push_str("echo '@@@ end'\n");
    let out = sb.shell_within(&script, 120);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut got: Vec<Vec<String>> = vec![Vec::new(); steps.len()];
    let mut current: Option<usize> = None;
    for l in text.lines() {
        if let Some(n) = l.strip_prefix("@@@ ") {
            current = n.parse().ok();
            continue;
        }
        if let Some(c) = current {
            got[c].push(l.to_string());
        }
    }
    if std::env::var("UPDATE_README").is_ok_and(|v| v == "1") {
        let lines: Vec<&str> = readme.lines().collect();
        let mut new = String::new();
        let mut k = 0;
        let mut last = 0;
        for (start, end, steps) in &blocks {
            for l in &lines[last..*start] {
                new.push_str(l);
                new.push('\n');
            }
            for s in steps {
                new.push_str(&format!("$ {}\n", s.command));
                for l in &got[k] {
                    new.push_str(l.trim_end());
                    new.push('\n');
                }
                k += 1;
            }
            last = *end;
        }
        for l in &lines[last..] {
            new.push_str(l);
            new.push('\n');
        }
        std::fs::write(root.join("README.md"), new).unwrap();
        return;
    }
    let mut wrong = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let want = normalize(&s.expected.join("\n"));
        let have = normalize(&got[i].join("\n"));
        if want != have {
            wrong.push(format!(
                "$ {}\n--- README\n{want}\n--- real output\n{have}\n",
                s.command
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "README examples differ from real output (UPDATE_README=1 rewrites them):\n{}\nstderr: {}",
        wrong.join("\n"),
        stderr(&out)
    );
}

#[test]
fn normalizing_keeps_what_matters() {
    assert_eq!(
        normalize("  ✓ connect     0.18 ms  127.0.0.1:8080 open"),
        "  ✓ connect <time>  127.0.0.1:8080 open"
    );
    assert_eq!(
        normalize("rtt p50/p90 = 0.022/0.029 ms"),
        "rtt p50/p90 = <ms>"
    );
    assert_eq!(
        normalize("from 127.0.0.1:43774 [#1]"),
        "from 127.0.0.1:<port> [#1]"
    );
    assert_eq!(normalize("port 50007 and 8080"), "port 50007 and 8080");
    assert_ne!(
        normalize("22/tcp  closed"),
        normalize("22/tcp closed"),
        "alignment still counts"
    );
}
