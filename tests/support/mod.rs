//! Shared helpers for the integration tests: running the netkit binary, and
//! a sandbox that runs it inside a fresh network + mount namespace.
#![allow(dead_code)]

pub mod dns;
pub mod hostile;
pub mod peers;
pub mod routed;
pub mod simhost;
pub mod zones;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The netkit binary under test (`NETKIT_TEST_BIN` names another, to
/// measure an older build against the same tests).
pub fn bin() -> PathBuf {
    std::env::var_os("NETKIT_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_netkit")))
}

/// A command running netkit with a clean colour environment.
pub fn netkit() -> Command {
    let mut cmd = Command::new(bin());
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs netkit with these arguments.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    netkit().args(args).output().expect("spawn netkit")
}

/// `netkit --json lookup EXTRA... -t A -f - SERVER` with `names` on stdin:
/// the batch the DNS tests share.
pub fn lookup_batch(server: &str, extra: &[&str], names: &str) -> Output {
    let mut args = vec!["--json", "lookup"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-t", "A", "-f", "-", server]);
    run_with_stdin(&args, names.as_bytes())
}

/// Runs netkit with these arguments and `input` on its stdin.
pub fn run_with_stdin<S: AsRef<OsStr>>(args: &[S], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = netkit()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn netkit");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait for netkit")
}

/// The exit code (panics on death by signal, which a test must notice).
pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status))
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The schema of everything netkit prints (docs/schema/netkit.json).
fn schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/netkit.json");
        let text = std::fs::read_to_string(&path).expect("docs/schema/netkit.json");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("a valid JSON Schema")
    })
}

/// Asserts that one printed object matches the JSON contract's schema.
pub fn assert_schema(v: &Value) {
    let errors: Vec<String> = schema()
        .iter_errors(v)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "object does not match docs/schema/netkit.json: {errors:?}\n{v}"
    );
}

/// stdout parsed as JSON Lines; every line must be one JSON object that
/// matches the schema of the JSON contract.
pub fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            assert!(v.is_object(), "not an object: {l}");
            assert_schema(&v);
            v
        })
        .collect()
}

/// Asserts the usage-error contract: exit 2, nothing on stdout, exactly one
/// stderr line starting with `netkit: error:`, no panic.
pub fn assert_usage_error(out: &Output, what: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit {:?}, stderr {err}",
        out.status
    );
    assert!(err.starts_with("netkit: error: "), "{what}: stderr {err:?}");
    assert_eq!(
        err.lines().count(),
        1,
        "{what}: stderr not one line: {err:?}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(
        out.stdout.is_empty(),
        "{what}: stdout not empty: {}",
        stdout(out)
    );
}

/// Runs each of `cases` (argv after `netkit`), asserts each is a usage
/// error ([`assert_usage_error`]), and compares what each says with
/// tests/snapshots/usage-NAME.txt, one `ARGS => MESSAGE` line per case: an
/// input refused for another reason than the one it was written for (a
/// typo in the table, a check that moved) shows as a changed line, where
/// the exit code alone would still pass. `UPDATE_SNAPSHOTS=1` rewrites it.
pub fn assert_usage_errors_say(name: &str, cases: &[&[&str]]) {
    let mut got = String::new();
    for args in cases {
        let out = run(*args);
        let what = format!("{args:?}");
        assert_usage_error(&out, &what);
        let err = stderr(&out);
        let message = err.trim_end().trim_start_matches("netkit: error: ");
        got.push_str(&format!("{what} => {message}\n"));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("usage-{name}.txt"));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    let changed: Vec<String> = want
        .lines()
        .zip(got.lines())
        .filter(|(w, g)| w != g)
        .map(|(w, g)| format!("  snapshot: {w}\n  now:      {g}"))
        .collect();
    assert!(
        changed.is_empty() && want.lines().count() == got.lines().count(),
        "usage errors of {name} changed (UPDATE_SNAPSHOTS=1 rewrites {}):\n{}\n--- now\n{got}",
        path.display(),
        changed.join("\n")
    );
}

/// Whether this machine lets us create network + mount namespaces.
fn namespaces_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("unshare")
            .args(SANDBOX_UNSHARE)
            .args(["sh", "-c", "ip link set lo up"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// The namespaces every sandboxed command runs in: its own network (only
/// `lo`), mounts (fixture files over /etc) and processes. It is PID 1 of
/// its process namespace, so everything it starts dies with it, and
/// `--kill-child` kills it when unshare itself is killed: a test run
/// leaves nothing behind.
pub const SANDBOX_UNSHARE: [&str; 6] = [
    "--net",
    "--mount",
    "--pid",
    "--fork",
    "--kill-child",
    "--mount-proc",
];

/// A private network and mount namespace for one command: only `lo`, no
/// routes off the machine, and fixture files bind-mounted over `/etc`.
/// Nothing run inside can reach the real network or the real resolver.
pub struct Sandbox {
    dir: tempfile::TempDir,
    mounts: Vec<(String, PathBuf)>,
    hidden: Vec<String>,
    multicast: bool,
    veth: bool,
    hostname: Option<String>,
}

impl Sandbox {
    /// A new sandbox, or `None` (with a visible message) where namespaces are
    /// not permitted. With `NETKIT_REQUIRE_NETNS=1` that is a failure.
    pub fn new(test: &str) -> Option<Sandbox> {
        if !namespaces_available() {
            let required = std::env::var("NETKIT_REQUIRE_NETNS").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "{test}: network namespaces are not available and NETKIT_REQUIRE_NETNS=1"
            );
            skip(
                test,
                "network namespaces are not available (unshare failed)",
            );
            return None;
        }
        Some(Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
            mounts: Vec::new(),
            hidden: Vec::new(),
            multicast: false,
            veth: false,
            hostname: None,
        })
    }

    /// Bind-mounts a fixture with these contents over `/etc/<name>`.
    pub fn etc(mut self, name: &str, contents: &str) -> Self {
        let path = self.dir.path().join(format!("fixture-{name}"));
        std::fs::write(&path, contents).expect("write fixture");
        self.mounts.push((format!("/etc/{name}"), path));
        self
    }

    /// Makes `/etc/<name>` missing inside the sandbox.
    pub fn hide_etc(mut self, name: &str) -> Self {
        self.hidden.push(name.to_string());
        self
    }

    /// Names the sandbox's host (its own UTS namespace).
    pub fn hostname(mut self, name: &str) -> Self {
        self.hostname = Some(name.to_string());
        self
    }

    /// Turns on multicast on `lo` and routes 224.0.0.0/4 through it.
    pub fn multicast_route(mut self) -> Self {
        self.multicast = true;
        self
    }

    /// Adds a veth pair `nk0`/`nk1`, both up, duplicate-address detection off
    /// so their IPv6 link-local addresses are usable at once.
    pub fn veth(mut self) -> Self {
        self.veth = true;
        self
    }

    /// A path inside the sandbox's own temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn script(&self) -> PathBuf {
        let q = |p: &Path| shell_quote(&p.to_string_lossy());
        let mut s = String::from("set -e\nip link set lo up\n");
        if let Some(h) = &self.hostname {
            s.push_str(&format!("hostname {}\n", shell_quote(h)));
        }
        if self.multicast {
            s.push_str("ip link set lo multicast on\nip route add 224.0.0.0/4 dev lo\n");
        }
        if self.veth {
            s.push_str(
                "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0\n\
                 ip link add nk0 type veth peer name nk1\nip link set nk0 up\nip link set nk1 up\n\
                 for i in $(seq 100); do ip -6 addr show dev nk1 | grep -q fe80 && \
                 ip -6 addr show dev nk0 | grep -q fe80 && break; sleep 0.02; done\n",
            );
        }
        if !self.hidden.is_empty() {
            // Replace /etc by a tmpfs of links to the real entries, less the
            // hidden ones.
            let old = self.dir.path().join("real-etc");
            s.push_str(&format!(
                "mkdir -p {old}\nmount --bind /etc {old}\nmount -t tmpfs netkit-etc /etc\n\
                 for f in {old}/* {old}/.[!.]*; do [ -e \"$f\" ] || continue; n=${{f##*/}}; \
                 case \" {hidden} \" in *\" $n \"*) ;; *) ln -s \"$f\" /etc/\"$n\";; esac; done\n",
                old = q(&old),
                hidden = self.hidden.join(" "),
            ));
        }
        for (target, fixture) in &self.mounts {
            s.push_str(&format!(
                "[ -L {t} ] && rm {t}; [ -e {t} ] || touch {t}\nmount --bind {f} {t}\n",
                t = shell_quote(target),
                f = q(fixture)
            ));
        }
        s.push_str("exec \"$@\"\n");
        let path = self.dir.path().join("enter.sh");
        std::fs::write(&path, s).expect("write sandbox script");
        path
    }

    /// The command that runs `program args...` inside the sandbox.
    pub fn command<S: AsRef<OsStr>>(&self, program: impl AsRef<OsStr>, args: &[S]) -> Command {
        let mut cmd = Command::new("unshare");
        cmd.args(SANDBOX_UNSHARE)
            .arg("sh")
            .arg(self.script())
            .arg(program)
            .args(args);
        for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs netkit inside the sandbox.
    pub fn netkit<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.command(bin(), args).output().expect("spawn sandbox")
    }

    /// Runs a shell script inside the sandbox, in its temporary directory,
    /// with `$NK` naming the netkit binary.
    pub fn shell(&self, script: &str) -> Output {
        let script = format!("{}{script}", SHELL_HELPERS);
        let mut cmd = self.command("sh", &["-c", &script]);
        cmd.current_dir(self.dir.path()).env("NK", bin());
        cmd.output().expect("spawn sandbox shell")
    }

    /// [`Sandbox::shell`], killed (with everything it started) after `secs`.
    pub fn shell_within(&self, script: &str, secs: u32) -> Output {
        let script = format!("{}{script}", SHELL_HELPERS);
        let limit = secs.to_string();
        let mut cmd = self.command(
            "timeout",
            &["-s", "KILL", limit.as_str(), "sh", "-c", &script],
        );
        cmd.current_dir(self.dir.path()).env("NK", bin());
        cmd.output().expect("spawn sandbox shell")
    }

    /// Reads a file the sandboxed commands wrote into the temporary directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Runs python3 with a script inside the sandbox, or `None` without python3.
    pub fn python(&self, script: &str) -> Option<Output> {
        if !python_available() {
            skip("python comparison", "python3 not found");
            return None;
        }
        Some(
            self.command("python3", &["-c", script])
                .output()
                .expect("spawn python3"),
        )
    }
}

/// Whether python3 can be run here.
pub fn python_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import socket"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// Runs a python3 snippet on the host (no network use), if python3 exists.
pub fn python(script: &str) -> Option<String> {
    if !python_available() {
        skip("python comparison", "python3 not found");
        return None;
    }
    let out = Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("spawn python3");
    assert!(out.status.success(), "python failed: {}", stderr(&out));
    Some(stdout(&out))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Whether a peer tool is installed. Without it the test is skipped with a
/// visible message, except under `NETKIT_REQUIRE_NETNS=1` (CI, where
/// `.ci/test` installs it), where its absence is a failure.
pub fn tool_or_skip(tool: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        let required = std::env::var("NETKIT_REQUIRE_NETNS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "{test}: {tool} is required here (.ci/test installs it)"
        );
        skip(test, &format!("{tool} is not installed"));
    }
    found
}

/// Readiness signals for sandbox scripts, instead of sleeps: `nk_ready
/// FILE PATTERN` waits (up to 10 s) until FILE holds PATTERN (a listening
/// or joined line); `nk_handles_signals PID` until PID has installed its
/// SIGINT handler.
pub const SHELL_HELPERS: &str = "nk_ready() { i=0; while [ $i -lt 1000 ]; do grep -q \"$2\" \"$1\" 2>/dev/null && return 0; i=$((i+1)); sleep 0.01; done; echo \"never ready: $1 $2\" >&2; return 1; }\n\
nk_handles_signals() { i=0; while [ $i -lt 1000 ]; do m=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$1/status 2>/dev/null); [ -n \"$m\" ] && [ $((0x$m & 2)) -ne 0 ] && return 0; i=$((i+1)); sleep 0.01; done; return 1; }\n";

/// Waits (up to 10 s) until `pid` has installed its SIGINT handler: a
/// signal sent before would kill it instead of stopping it cleanly.
pub fn wait_signal_handlers(pid: u32) {
    let start = std::time::Instant::now();
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .unwrap_or(0);
        if caught & (1 << (libc::SIGINT - 1)) != 0 {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{pid} never handled SIGINT"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Waits (up to 10 s) until something accepts connections at `addr`.
pub fn wait_port(addr: std::net::SocketAddr) {
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "nothing listens at {addr}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Skips a test visibly: the SKIPPED line goes straight to the terminal
/// (libtest captures `eprintln!`, not writes to stderr itself). Under
/// `NETKIT_REQUIRE_NETNS=1` (CI, where .ci/test installs every peer) a
/// skip is a failure.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    let required = std::env::var("NETKIT_REQUIRE_NETNS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{test}: {why}, and NETKIT_REQUIRE_NETNS=1 forbids skipping"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// A port on 127.0.0.1 where nothing listens, held until this is dropped.
///
/// Binding port 0 and dropping the socket frees the port for any parallel
/// test to take, and then the "closed" port answers. A socket bound but
/// never listening keeps the port taken: a TCP connect to it is refused
/// (RST), and a UDP socket connected elsewhere matches no datagram from
/// anyone else, so they get ICMP port unreachable.
pub struct ClosedPort {
    _socket: socket2::Socket,
    pub addr: std::net::SocketAddr,
}

impl ClosedPort {
    pub fn tcp() -> ClosedPort {
        Self::bound(socket2::Type::STREAM)
    }

    pub fn udp() -> ClosedPort {
        let p = Self::bound(socket2::Type::DGRAM);
        // Port 9 (discard) on 127.0.0.255: nothing sends from there.
        let elsewhere: std::net::SocketAddr = "127.0.0.255:9".parse().unwrap();
        p._socket.connect(&elsewhere.into()).unwrap();
        p
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    fn bound(ty: socket2::Type) -> ClosedPort {
        let s = socket2::Socket::new(socket2::Domain::IPV4, ty, None).unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        s.bind(&any.into()).unwrap();
        let addr = s.local_addr().unwrap().as_socket().unwrap();
        ClosedPort { _socket: s, addr }
    }
}
