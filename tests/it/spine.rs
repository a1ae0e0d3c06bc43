//! The contracts every command shares: help, exit codes, errors, colour,
//! quiet, broken pipe, SIGINT.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{assert_usage_error, code, json_lines, netkit, run, stderr, stdout};

#[test]
fn version_and_help() {
    let out = run(["--version"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("netkit {}", env!("CARGO_PKG_VERSION"))
    );
    let subs: Vec<String> = netkit::api::cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| n != "help")
        .collect();
    assert!(subs.len() >= 5, "{subs:?}");
    for sub in subs.iter().map(String::as_str) {
        for args in [vec![sub, "--help"], vec!["help", sub]] {
            let out = run(&args);
            assert_eq!(code(&out), 0, "{args:?}");
            let text = stdout(&out);
            assert!(text.contains("Examples:"), "{args:?} has no examples");
            assert!(text.contains("Exit status:"), "{args:?}");
            // A signal's status, except where a signal is the normal stop.
            assert_eq!(text.contains(" 130  "), sub != "echo-server", "{args:?}");
            assert!(text.contains("Global options:"), "{args:?}");
            assert!(
                text.contains(&format!("netkit {sub} ")),
                "{args:?} examples do not use {sub}"
            );
        }
    }
}

/// `-h` is short (options and a pointer), `--help` long (examples and the
/// exit table); the global flags sit under a heading of their own.
#[test]
fn short_and_long_help() {
    let short = stdout(&run(["portcheck", "-h"]));
    let long = stdout(&run(["portcheck", "--help"]));
    assert!(
        !short.contains("Examples:") && short.contains("--help"),
        "{short}"
    );
    assert!(long.contains("Examples:") && long.len() > short.len());
    let global = short
        .split("Global options:")
        .nth(1)
        .expect("a Global options heading");
    for flag in ["--json", "--color", "--quiet", "--verbose"] {
        assert!(
            global.contains(flag),
            "{flag} not under Global options: {short}"
        );
    }
    let own = short.split("Global options:").next().unwrap();
    assert!(
        !own.contains("--json"),
        "--json interleaved with portcheck's own flags"
    );
}

/// Arguments that are not UTF-8, or very long, are usage errors: one line,
/// exit 2, never a panic.
#[test]
fn odd_arguments_are_usage_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"\xff\xfe");
    for args in [
        vec![bad],
        vec![OsStr::new("services"), bad],
        vec![OsStr::new("pack"), bad],
    ] {
        let out = run(&args);
        assert_usage_error(&out, "non-UTF-8 argument");
    }
    let long = "a".repeat(65_536);
    for cmd in [
        "services",
        "proto",
        "pack",
        "lookup",
        "portcheck",
        "echo-client",
        "diagnose",
    ] {
        let out = run([cmd, long.as_str()]);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        assert!(err.len() < 4096, "{cmd}: a {} byte error line", err.len());
        assert!(matches!(code(&out), 1 | 2), "{cmd}: exit {}", code(&out));
    }
    // fqdn answers with the name itself; it must not panic on it either.
    let out = run(["fqdn", &"b".repeat(65_536)]);
    assert!(!stderr(&out).contains("panicked"));
}

/// A mistyped subcommand or flag gets clap's suggestion, on the one line.
#[test]
fn typos_get_a_suggestion() {
    let out = run(["portchek"]);
    assert_usage_error(&out, "typo");
    assert!(stderr(&out).contains("'portcheck'"), "{}", stderr(&out));
    let out = run(["services", "--jsno", "http"]);
    assert_usage_error(&out, "flag typo");
    assert!(stderr(&out).contains("--json"), "{}", stderr(&out));
}

#[test]
fn no_arguments_shows_help_and_exits_2() {
    let out = run::<_, &str>([]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("Usage: netkit"));
}

/// At least 60 bad inputs across pack, services and proto: each exits 2 with
/// one `netkit: error:` line, no panic, nothing on stdout.
#[test]
fn bad_inputs_exit_2_with_one_line() {
    let cases: &[&[&str]] = &[
        // pack: addresses
        &["pack", "10.0.0.256"],
        &["pack", "1.2.3.4.5"],
        &["pack", "256.1.1.1"],
        &["pack", "1.2.3."],
        &["pack", ".1.2.3"],
        &["pack", "1..2.3"],
        &["pack", "08"],
        &["pack", "0x"],
        &["pack", "4294967296"],
        &["pack", "1.2.65536"],
        &["pack", "1.16777216"],
        &["pack", "hello"],
        &["pack", "example.test"],
        &["pack", ""],
        &["pack", " "],
        &["pack", "1.2.3.4x"],
        &["pack", "::1::2"],
        &["pack", "12345::"],
        &["pack", "1:2:3:4:5:6:7:8:9"],
        &["pack", "gggg::1"],
        &["pack", "fe80::1%"],
        &["pack", "fe80::1%averyveryverylongname0"],
        &["pack", "[::1"],
        &["pack", "[1.2.3.4]"],
        &["pack", "::ffff:1.2.3.256"],
        &["pack", "00:11:22:33:44"],
        &["pack", "00:11:22:33:44:55:66"],
        &["pack", "00:11-22:33:44:55"],
        &["pack", "zz:11:22:33:44:55"],
        &["pack", "0011.2233.zz"],
        &["pack", "1.2.3.4", "bogus"],
        &["pack", "\x1b[31m"],
        // pack: bytes and byte order
        &["pack", "--unpack", "c0a801"],
        &["pack", "--unpack", "c0a8010"],
        &["pack", "--unpack", "0011323cc30b"],
        &["pack", "--unpack", "xyz"],
        &["pack", "--unpack", "\\xZZ\\x00\\x00\\x00"],
        &["pack", "--unpack", "b'\\x7f"],
        &["pack", "--unpack", ""],
        &["pack", "--htons", "65536"],
        &["pack", "--htons", "-1"],
        &["pack", "--htonl", "4294967296"],
        &["pack", "--ntohs", "0x"],
        &["pack", "--ntohl", "12a"],
        &["pack", "--htonll", "18446744073709551616"],
        &["pack", "--ntohll", "1.5"],
        &["pack", "--htons"],
        &["pack"],
        &["pack", "--bogus"],
        // services
        &["services", "65536"],
        &["services", "99999999999"],
        &["services", "-1"],
        &["services", ""],
        &["services", "a b"],
        &["services", "://x"],
        &["services", "1http://x"],
        &["services", "80/"],
        &["services", "/tcp"],
        &["services", "x#y"],
        &["services", "--proto", "foo", "http"],
        &["services", "--db", "/nonexistent/netkit-services", "http"],
        &["services", "--db", "/", "http"],
        &["services", "--all", "http"],
        &["services", "--db", "x", "--builtin", "http"],
        &["services"],
        // proto
        &["proto", "256"],
        &["proto", "99999"],
        &["proto", "-1"],
        &["proto", ""],
        &["proto", "tc p"],
        &["proto", "tcp/x"],
        &["proto", "--db", "/nonexistent/netkit-protocols", "tcp"],
        &["proto", "--all", "tcp"],
        &["proto"],
        // global flags
        &["--color", "sometimes", "proto", "tcp"],
        &["-q", "-v", "proto", "tcp"],
        &["nosuchcommand"],
    ];
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    crate::support::assert_usage_errors_say("pack-services-proto", cases);
}

#[test]
fn largest_exit_code_wins_and_others_are_answered() {
    let out = run(["services", "--json", "http", "no-such-service", "443"]);
    assert_eq!(code(&out), 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["port"], 80);
    assert_eq!(lines[1]["error"]["code"], "not_found");
    assert_eq!(lines[2]["name"], "https");
}

#[test]
fn quiet_prints_nothing_but_keeps_the_exit_code() {
    let out = run(["-q", "services", "http"]);
    assert_eq!((code(&out), out.stdout.len(), out.stderr.len()), (0, 0, 0));
    let out = run(["-q", "proto", "no-such-proto"]);
    assert_eq!((code(&out), out.stdout.len()), (1, 0));
}

#[test]
fn colour_is_decided_once_from_flag_and_environment() {
    let has_ansi = |o: &std::process::Output| stdout(o).contains('\x1b');
    let colored = |envs: &[(&str, &str)], flags: &[&str]| {
        let mut cmd = netkit();
        cmd.args(flags).args(["services", "nosuch"]);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        has_ansi(&cmd.output().unwrap())
    };
    assert!(!colored(&[], &[]), "auto on a pipe must not colour");
    assert!(colored(&[], &["--color", "always"]));
    assert!(colored(
        &[("NO_COLOR", "1"), ("TERM", "dumb")],
        &["--color", "always"]
    ));
    assert!(colored(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!colored(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]));
    assert!(!colored(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
    // JSON is never coloured.
    let out = netkit()
        .env("CLICOLOR_FORCE", "1")
        .args(["--json", "services", "nosuch"])
        .output()
        .unwrap();
    assert!(!has_ansi(&out));
}

#[test]
fn broken_pipe_exits_quietly() {
    // The read end is closed before netkit starts, so its first write fails
    // with EPIPE every time.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = netkit()
        .args(["services", "--all", "--builtin"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn head_takes_one_line() {
    let script = format!(
        "set -o pipefail; '{}' services --all --builtin | head -1",
        crate::support::bin().display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    assert_eq!(stderr(&out), "");
}

#[test]
fn sigint_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("services.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid path; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // Opening the FIFO blocks until a writer appears: netkit is waiting.
    let mut child = netkit()
        .args(["services", "--db"])
        .arg(&fifo)
        .arg("http")
        .spawn()
        .unwrap();
    crate::support::wait_signal_handlers(child.id());
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(5) {
            // Unblock and reap it before failing.
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .and_then(|mut f| f.write_all(b""));
            let _ = child.kill();
            panic!("netkit did not exit after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
}

#[test]
fn db_may_be_a_pipe() {
    let out = crate::support::run_with_stdin(
        &["services", "--json", "--db", "/dev/stdin", "gopher"],
        b"gopher 70/tcp\n",
    );
    assert_eq!(code(&out), 0);
    let lines = json_lines(&out);
    assert_eq!(
        (lines[0]["port"].as_u64(), lines[0]["source"].as_str()),
        (Some(70), Some("/dev/stdin"))
    );
}

/// Start-up: the executable loads glibc and nothing else (libgcc's
/// unwinder is static, `pow` comes from the libm crate), and it is not
/// position-independent (no relative relocations for the loader).
#[test]
fn executable_loads_only_glibc() {
    let Ok(out) = std::process::Command::new("ldd")
        .arg(crate::support::bin())
        .output()
    else {
        return crate::support::skip("executable_loads_only_glibc", "ldd is not installed");
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("libc.so"), "{text}");
    for lib in ["libgcc_s", "libm.so"] {
        assert!(!text.contains(lib), "netkit loads {lib}:\n{text}");
    }
    let elf = std::fs::read(crate::support::bin()).expect("read the executable");
    // e_type at offset 16: 2 is an executable, 3 a shared object (PIE).
    assert_eq!(u16::from_le_bytes([elf[16], elf[17]]), 2, "netkit is PIE");
    // The libm crate's pow, as tokio uses it.
    assert_eq!(netkit::api::sys::pow(2.0, 10.0), 1024.0);
    assert!((netkit::api::sys::pow(0.9, 2.5) - 0.9f64.powf(2.5)).abs() < 1e-15);
    assert_eq!(netkit::api::sys::log2(1024.0), 10.0);
}
