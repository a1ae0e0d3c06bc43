//! Completions and man pages are generated from clap and committed; this
//! test fails, naming the stale file, when they differ. UPDATE_ASSETS=1
//! rewrites them.

use std::path::Path;

#[test]
fn generated_assets_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var("UPDATE_ASSETS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (rel, content) in netkit::api::assets::render_all() {
        let path = root.join(&rel);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &content).unwrap();
            continue;
        }
        if std::fs::read(&path).ok().as_deref() != Some(content.as_slice()) {
            stale.push(rel.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run UPDATE_ASSETS=1 cargo test): {stale:?}"
    );
}

#[test]
fn every_man_page_has_exit_status_and_examples() {
    for (rel, content) in netkit::api::assets::render_all() {
        if rel.starts_with("man") {
            let text = String::from_utf8(content).unwrap();
            assert!(text.contains(".SH \"EXIT STATUS\""), "{}", rel.display());
            assert!(text.contains(".SH EXAMPLES"), "{}", rel.display());
            let server = rel.ends_with("netkit-echo-server.1");
            assert_eq!(text.contains("\\fB130\\fR"), !server, "{}", rel.display());
        }
    }
    let names: Vec<String> = netkit::api::assets::render_all()
        .into_iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    for sub in netkit::api::cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| n != "help")
    {
        assert!(names.contains(&format!("man/netkit-{sub}.1")), "{names:?}");
    }
}

/// The README and docs/exit-codes.md list exactly the codes of src/exit.rs.
#[test]
fn documented_exit_codes_match_the_enum() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table: String = netkit::api::exit::Exit::ALL
        .iter()
        .map(|e| format!("| {} | {} |\n", e.code(), e.meaning()))
        .collect();
    let text = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        text.contains(&format!("| code | meaning |\n| --- | --- |\n{table}")),
        "README.md exit table differs from src/exit.rs"
    );
}

/// docs/json.md documents every `"type"` the commands print: each constant
/// in the generated schema, and the event types of echo-server.
#[test]
fn json_doc_names_every_type() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/json.md")).unwrap();
    let schema = std::fs::read_to_string(root.join("docs/schema/netkit.json")).unwrap();
    let consts = regex_lite::Regex::new(r#""type": \{\s*"const": "([a-z_]+)""#).unwrap();
    let mut types: Vec<String> = consts
        .captures_iter(&schema)
        .map(|c| c[1].to_string())
        .collect();
    types.sort();
    types.dedup();
    assert!(types.len() >= 25, "{types:?}");
    for ty in types {
        assert!(
            text.contains(&format!("`\"type\": \"{ty}\"`")),
            "docs/json.md lacks {ty}"
        );
    }
}

/// docs/limits.md states the values the code uses.
#[test]
fn limits_doc_matches_the_code() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/limits.md"))
            .unwrap();
    let row = |constant: &str| -> String {
        text.lines()
            .find(|l| l.contains(&format!("`{constant}`")))
            .unwrap_or_else(|| panic!("docs/limits.md has no row for {constant}"))
            .to_string()
    };
    let with_commas = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let checks: &[(&str, String)] = &[
        (
            "probe::path::GAP",
            format!("{} silent hops in a row", netkit::api::probe::path::GAP),
        ),
        (
            "probe::path::MOST_NAMES",
            format!("{} lookups", netkit::api::probe::path::MOST_NAMES),
        ),
        (
            "probe::path::NAME_WAIT",
            format!("{} s each", netkit::api::probe::path::NAME_WAIT.as_secs()),
        ),
        (
            "probe::path::FLOOR",
            format!(
                "never less than {} ms",
                netkit::api::probe::path::FLOOR.as_millis()
            ),
        ),
        (
            "probe::path::SCOUT_AFTER",
            format!(
                "after {} ms",
                netkit::api::probe::path::SCOUT_AFTER.as_millis()
            ),
        ),
        (
            "dns::dnssec::crypto::MAX_KEYS_PER_SIG",
            netkit::api::dns::dnssec::MAX_KEYS_PER_SIG.to_string(),
        ),
        (
            "dns::dnssec::crypto::MAX_SIGS_PER_SET",
            netkit::api::dns::dnssec::MAX_SIGS_PER_SET.to_string(),
        ),
        (
            "dns::dnssec::crypto::MAX_VERIFICATIONS",
            netkit::api::dns::dnssec::MAX_VERIFICATIONS.to_string(),
        ),
        (
            "echo::server::LOOP_RATE",
            format!(
                "{} mirrored datagrams a second",
                netkit::api::echo::server::LOOP_RATE
            ),
        ),
        (
            "echo::server::SLOW_GRACE",
            format!(
                "{} s, or half the idle timeout",
                netkit::api::echo::server::SLOW_GRACE.as_secs()
            ),
        ),
        (
            "addr::pack::MAX_LINE",
            format!("{} bytes", netkit::api::addr::pack::MAX_LINE),
        ),
        (
            "cmd::lookup::MAX_LINE",
            format!("{} bytes", netkit::api::cmd::lookup::MAX_LINE),
        ),
        (
            "addr::netdb::MAX_DB_BYTES",
            format!("{} MiB", netkit::api::addr::netdb::MAX_DB_BYTES >> 20),
        ),
        (
            "dns::system::MAX_RESOLV_CONF",
            format!("{} KiB", netkit::api::dns::system::MAX_RESOLV_CONF >> 10),
        ),
        (
            "tls::MAX_CA_FILE",
            format!("{} MiB", netkit::api::tls::MAX_CA_FILE >> 20),
        ),
        (
            "echo::client::MAX_MESSAGE",
            format!("{} MiB", netkit::api::echo::client::MAX_MESSAGE >> 20),
        ),
        (
            "probe::diagnose::http::MAX_HEAD",
            format!("{} KiB", netkit::api::probe::diagnose::http::MAX_HEAD >> 10),
        ),
        (
            "probe::diagnose::http::MAX_BODY_KEPT",
            format!(
                "{} KiB",
                netkit::api::probe::diagnose::http::MAX_BODY_KEPT >> 10
            ),
        ),
        (
            "cmd::lookup::BATCH_MAX_RECORDS",
            netkit::api::cmd::lookup::BATCH_MAX_RECORDS.to_string(),
        ),
        (
            "resolve::rdns::MAX_NAMES_KEPT",
            netkit::api::resolve::rdns::MAX_NAMES_KEPT.to_string(),
        ),
        (
            "resolve::rdns::MAX_VERIFY_NAMES",
            netkit::api::resolve::rdns::MAX_VERIFY_NAMES.to_string(),
        ),
        (
            "cmd::echo_server::EVENT_QUEUE",
            netkit::api::cmd::echo_server::EVENT_QUEUE.to_string(),
        ),
        (
            "mcast::recv::MAX_SENDERS",
            with_commas(netkit::api::mcast::recv::MAX_SENDERS as u64),
        ),
        (
            "mcast::recv::SEQ_WINDOW",
            with_commas(netkit::api::mcast::recv::SEQ_WINDOW),
        ),
        (
            "mcast::recv::MAX_GAPS",
            netkit::api::mcast::recv::MAX_GAPS.to_string(),
        ),
        (
            "probe::scan::MAX_ADDRESSES",
            with_commas(netkit::api::probe::scan::MAX_ADDRESSES as u64),
        ),
        (
            "probe::wait::MAX_WAIT_PROBES",
            netkit::api::probe::wait::MAX_WAIT_PROBES.to_string(),
        ),
        (
            "signal::DEFAULT_GRACE",
            format!("{} s", netkit::api::signal::DEFAULT_GRACE.as_secs_f64()),
        ),
    ];
    for (constant, value) in checks {
        let r = row(constant);
        assert!(
            r.contains(value.as_str()),
            "docs/limits.md says {r:?}, the code {value}"
        );
    }
}

/// Completion offers values, not file names, where the value is a word:
/// record types for `lookup -t`, algorithms for `--congestion`, the
/// `--color` choices in fish.
#[test]
fn completions_offer_values_not_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bash = std::fs::read_to_string(root.join("netkit.bash")).unwrap();
    assert!(
        bash.contains("compgen -W \"A AAAA ANY CAA CNAME"),
        "lookup -t offers record types"
    );
    assert!(
        bash.contains("compgen -W \"auto system reno cubic bbr"),
        "--congestion"
    );
    let fish = std::fs::read_to_string(root.join("netkit.fish")).unwrap();
    let line = |flag: &str, cmd: &str| {
        fish.lines()
            .find(|l| l.contains(&format!("using_subcommand {cmd}\"")) && l.contains(flag))
            .unwrap_or_else(|| panic!("no {flag} for {cmd}"))
            .to_string()
    };
    assert!(
        line("-l type", "lookup").contains("-a \"A\\t"),
        "fish: -t values"
    );
    assert!(
        line("-l congestion", "echo-client").contains("-a \"auto"),
        "fish: --congestion"
    );
    assert!(
        line("-l color", "lookup").contains("-a \"auto\\t"),
        "fish: --color"
    );
}

/// clap's tip "to pass '--opne' as a value, use '-- --opne'" is wrong for
/// netkit (after `--`, portcheck runs a command): only the flag is named.
#[test]
fn a_mistyped_flag_names_the_flag_only() {
    let out = crate::support::run(["portcheck", "--opne", "127.0.0.1"]);
    let err = crate::support::stderr(&out);
    crate::support::assert_usage_error(&out, "portcheck --opne");
    assert!(err.contains("'--open'"), "{err}");
    assert!(!err.contains("-- --opne"), "{err}");
}

/// Every 64-bit integer field in the schemas is either a big integer (a
/// number up to 2^53 - 1, a decimal string beyond: `BigU64`) or a count
/// listed here with why it cannot pass 2^53. A new u64 field fails this
/// test until it is one or the other; a peer-controlled number (sequence
/// numbers, byte counts) must be the first.
#[test]
fn integers_that_can_pass_2_53_are_strings_beyond_it() {
    // (definition, fields; "*" for all its integer fields, why bounded)
    const BOUNDED: &[(&str, &[&str], &str)] = &[
        (
            "AllNsReport",
            &["servers_not_asked"],
            "names and addresses one answer lists",
        ),
        ("CheckResult", &["cert_days_left"], "days"),
        ("TlsInfo", &["days_left"], "days"),
        (
            "ClientSummary",
            &["*"],
            "connections, requests and replies counted one by one: 2^53 at a million a second is 285 years",
        ),
        ("Datagram", &["bytes"], "one datagram"),
        ("Reply", &["bytes"], "one reply"),
        ("PackReport", &["bytes"], "one address"),
        (
            "HttpInfo",
            &["body_bytes"],
            "read within --timeout from one response",
        ),
        ("InvalidInput", &["line"], "a line number in a bounded file"),
        (
            "LookupReport",
            &["records_dropped"],
            "records of one answer",
        ),
        ("RdnsAnswer", &["*"], "names of one answer"),
        (
            "RdnsSummary",
            &["*"],
            "addresses of a CIDR of at most 65,536",
        ),
        ("RecvSummary", &["*"], "datagrams counted one by one"),
        ("SenderStats", &["*"], "datagrams counted one by one"),
        ("SendSummary", &["*"], "datagrams sent one by one"),
        ("RttStats", &["count"], "round trips counted one by one"),
        (
            "ScanSummary",
            &["*"],
            "probes of at most 65,536 addresses x 65,536 ports, polls",
        ),
        ("SelfCheckSummary", &["*"], "a dozen checks"),
        (
            "ServerEvent",
            &["*"],
            "connection numbers and one datagram's bytes",
        ),
        (
            "ServerSummary",
            &["*"],
            "connections and datagrams counted one by one",
        ),
        ("UdpDrops", &["*"], "datagrams counted one by one"),
        ("TraceStep", &["step"], "steps of one trace"),
        ("TraceSummary", &["steps"], "steps of one trace"),
        (
            "XfrSummary",
            &["*"],
            "records, messages and bytes of one transfer, bounded by its deadline",
        ),
        ("TsigReport", &["*"], "messages of one transfer"),
    ];
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/netkit.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let defs = schema["$defs"].as_object().unwrap();
    fn ints(node: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
            for (k, v) in props {
                let ty = &v["type"];
                let integer = ty == "integer"
                    || ty
                        .as_array()
                        .is_some_and(|a| a.iter().any(|t| t == "integer"));
                let wide = matches!(
                    v["format"].as_str(),
                    Some("uint64" | "int64" | "uint" | "int")
                );
                if integer && wide {
                    out.push(format!("{prefix}{k}"));
                }
                ints(v, &format!("{prefix}{k}."), out);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for alt in node[key].as_array().into_iter().flatten() {
                ints(alt, prefix, out);
            }
        }
    }
    let mut unclassified = Vec::new();
    for (name, def) in defs {
        let mut fields = Vec::new();
        ints(def, "", &mut fields);
        for f in fields {
            let listed = BOUNDED
                .iter()
                .any(|(d, fs, _)| d == name && (fs.contains(&"*") || fs.contains(&f.as_str())));
            if !listed {
                unclassified.push(format!("{name}.{f}"));
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "64-bit integers neither BigU64 nor a bounded count: {unclassified:?}"
    );
    // The peer-controlled ones are big integers.
    let big = &defs["BigU64"];
    assert_eq!(big["anyOf"][1]["type"], "string", "{big}");
    for (def, field) in [
        ("Datagram", "seq"),
        ("Gap", "first_missing"),
        ("Gap", "missing"),
        ("SenderStats", "first_seq"),
        ("SenderStats", "last_seq"),
        ("SenderStats", "bytes"),
        ("Reply", "seq"),
        ("ClientSummary", "bytes_received"),
        ("ServerSummary", "bytes"),
    ] {
        let f = &defs[def]["properties"][field];
        assert!(
            f.to_string().contains("#/$defs/BigU64"),
            "{def}.{field} is not a BigU64: {f}"
        );
    }
}
