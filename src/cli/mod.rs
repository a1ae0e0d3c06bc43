//! The command line: one `Cli`, one `Command` enum, one `Args` struct per
//! subcommand (src/cli/args.rs). `-h` is short; `--help` adds the examples
//! and the command's own exit-status table (src/cli/help.rs).

pub mod args;
pub mod assets;
pub mod help;
pub mod schema;

use std::ffi::OsString;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

pub use args::*;

use crate::output::ColorChoice;

/// netkit: a network diagnostics toolbox.
#[derive(Debug, Parser)]
#[command(
    name = "netkit",
    version,
    about = "A network diagnostics toolbox: addresses, services, protocols, name resolution, reachability, echo and multicast",
    propagate_version = true,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Flags every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every subcommand, under a heading of their own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Print JSON Lines: one object per result (see docs/json.md)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour human output
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print nothing but summaries; for look-ups the exit status is the answer
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more (repeatable)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order
    #[command(long_about = "Pack and unpack addresses and convert byte order.\n\n\
For each ADDR (IPv4, IPv6, MAC) show the family, the packed bytes, the text they unpack to, \
the integer value, the address class and the reverse-DNS name. IPv4 is parsed twice, strictly \
(inet_pton: a dotted quad) and as glibc's legacy inet_aton does (127.1, 0x7f.1, 0177.0.0.1, \
2130706433); a form only inet_aton accepts is flagged, since filters that parse strictly can \
be bypassed with it.")]
    Pack(PackArgs),
    /// Look up service names and ports (getservbyname, getservbyport)
    #[command(
        long_about = "Look up service names and ports (getservbyname, getservbyport).\n\n\
Each QUERY is a name (http), a port (443), NAME/PROTO or PORT/PROTO (53/udp) or a URL whose \
scheme names the service (imaps://mail.example.com). Answers come from /etc/services, parsed \
by netkit the way glibc parses it, from --db FILE, or from the built-in table when the system \
file is missing."
    )]
    Services(ServicesArgs),
    /// Look up IP protocol names and numbers (getprotobyname, getprotobynumber)
    #[command(
        long_about = "Look up IP protocol names and numbers (getprotobyname, getprotobynumber).\n\n\
Each QUERY is a name (icmp) or a number (6). Answers come from /etc/protocols, from --db FILE, \
or from the built-in IANA table when the system file is missing. The Linux IPPROTO_* constant \
is shown beside each answer."
    )]
    Proto(ProtoArgs),
    /// Send numbered datagrams (or a message) to a multicast group
    #[command(
        name = "mcast-send",
        long_about = "Send datagrams to a multicast group.\n\n\
By default each datagram carries a small netkit header (sender id, sequence number, send time) \
padded to --size, so `netkit mcast-recv` can count loss, duplicates, reordering and one-way \
delay; --message sends raw bytes instead, for other receivers. Without --count or --duration, \
10 datagrams are sent one second apart (one for --message)."
    )]
    McastSend(McastSendArgs),
    /// Join a multicast group and count what arrives: loss, duplicates, reordering, delay
    #[command(
        name = "mcast-recv",
        long_about = "Join a multicast group and report every datagram and a per-sender summary.\n\n\
The socket uses SO_REUSEADDR and SO_REUSEPORT, so several receivers can share the port, and \
IP_MULTICAST_ALL off, so only the joined group arrives. --source makes a source-specific \
join (IGMPv3/MLDv2). Loss is counted from the first datagram seen from each sender, as omping \
does. It waits for the first datagram as long as it takes (or --timeout), then stops after \
--count datagrams, after --duration, 10s (or --timeout) after the last datagram, or on Ctrl-C, \
and prints the summary."
    )]
    McastRecv(McastRecvArgs),
    /// Serve TCP, UDP or Unix-socket echo, with limits, on one async process
    #[command(
        name = "echo-server",
        long_about = "Serve echo over TCP (the default), UDP and/or a Unix socket.\n\n\
Logs one line per connection (`Connected by ADDR`, then bytes and duration on close) or JSON \
events. Limits keep it safe: --max-conns (excess connections are accepted and closed at once), \
--idle-timeout, --max-bytes and --max-duration per connection, bounded buffers with \
backpressure. UDP refuses to reflect: datagrams from source ports below 1024, from broadcast, \
multicast or unspecified addresses, or from the server itself are dropped, each source is \
rate-limited (--udp-rate), and a peer that mirrors our echoes back (another echo service, a \
loop) is ignored. SIGINT/SIGTERM stops accepting, lets live connections finish for \
--drain-timeout, prints a summary and exits 0."
    )]
    EchoServer(EchoServerArgs),
    /// Talk to an echo service: message, ping (RTT percentiles), throughput, load
    #[command(
        name = "echo-client",
        long_about = "Talk to an echo service.\n\n\
Message mode (the default): send MESSAGE (or stdin), shut down the write side, read the echo, \
print it and compare (exit 1 on mismatch). Ping mode (--count, --interval, --duration): round \
trips with sequence numbers, per-reply lines like ping, and RTT min/avg/max/stddev and \
p50/p90/p99/p99.9. Throughput mode (--bytes, or --throughput with --duration): stream data, \
read it back, verify every byte, report MB/s. Load mode (--connections N): N clients at once \
doing the ping or throughput work. Thresholds for CI: --max-rtt (average), --max-loss, \
--min-throughput; crossing one exits 1 with the reason."
    )]
    EchoClient(EchoClientArgs),
    /// This host's name, its addresses, and its interfaces (gethostname)
    Hostname(HostnameArgs),
    /// The system's getaddrinfo with every knob, shown as Python shows it
    #[command(
        long_about = "Call the system's getaddrinfo (NSS: /etc/hosts, DNS, ...) for each HOST.\n\n\
The output keeps the Python socket module's block (Family, Type, Protocol, Canonical name, \
Socket address) and its sockaddr tuples, scoped IPv6 addresses named by interface. With two \
arguments, the second is the SERVICE when it is a port number or a name in the services \
table; --service says so explicitly. Errors are classified: EAI_NONAME exits 1, \
EAI_AGAIN/EAI_FAIL 3, EAI_SERVICE and bad flags 2."
    )]
    Addrinfo(AddrinfoArgs),
    /// DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers
    #[command(long_about = "Look names up in the DNS.\n\n\
By default A and AAAA, following the CNAME chain, shown as gethostbyname_ex shows it (canonical \
name, aliases, addresses), with TTLs. -t asks for other types (MX, TXT, SRV, SOA, CAA, NS, PTR, \
...). With @SERVER or --server the query goes to that server as dig sends it and the answer is \
reported as it came: rcode, flags, answer and authority sections, round-trip time. Without, \
the system's /etc/resolv.conf is used (nameservers, search list, ndots). --system asks NSS \
instead (gethostbyname_ex: /etc/hosts and what nsswitch.conf lists). -f reads names from a \
file and resolves them concurrently, printing results in input order.")]
    Lookup(LookupArgs),
    /// The fully qualified name of this host or of NAME (Python's getfqdn)
    Fqdn(FqdnArgs),
    /// Reverse look-ups of addresses and CIDR blocks, with forward confirmation
    #[command(long_about = "Find the names of addresses.\n\n\
By default the system's gethostbyaddr (hostname, aliases, addresses, as the seed shows them). \
--dns asks for PTR records directly (@SERVER or --server to pick the server). --verify does \
forward-confirmed reverse DNS: each PTR name must resolve back to the address. A CIDR block is \
swept concurrently (at most /16 for IPv4, /112 for IPv6). Exit 1 if any address has no name \
or fails --verify.")]
    Rdns(RdnsArgs),
    /// Is the port open? Scan ports and hosts, wait for services, check local binds
    #[command(
        long_about = "Check TCP ports on hosts: open, closed (refused), filtered (no answer before the \
timeout), unreachable (no route, host unreachable, prohibited) or error. A connect that lands \
on itself (a local ephemeral port) is never reported open. TARGETs are names (every address is \
checked, or -4/-6), IP literals, HOST:PORT, [V6]:PORT, or CIDR blocks of at most 65,536 \
addresses; -p takes the shared port-list syntax (22,http,8000-8100; -p- for all).\n\n\
Timing adapts to the network as TCP and nmap do: the round-trip time of each host is estimated \
from the answers (srtt/rttvar), an unanswered SYN waits srtt + 4 rttvar (at least 50 ms, at \
most --timeout) and is sent again before the port is called filtered; more often (up to 5 \
retries) when the host shows loss. When drops rise (a firewall's SYN limit, ICMP rate limits) \
the scan backs off once per round of drops: 30% fewer in flight, and paced just under the rate \
the answers came at (what the limit lets through), in the order probes ask; each clean window \
then goes a few percent faster, until well past that pace. --retries N fixes the count. \
Beyond 32 probes, ports not open are counted in the summary rather than listed unless -v; --open \
leaves them out of --json too.\n\n\
--local checks whether this host can bind the ports (0.0.0.0, :: v6-only and dual-stack, \
127.0.0.1, or --bind). --wait polls until every port is open (or --expect closed) or \
--deadline passes, then runs `-- CMD ARGS` and exits with its code. With --wait, targets may \
also be protocol checks, all ready at the same poll: http(s)://URL (the final status below 400, \
or --expect-status), tls://HOST:PORT (the handshake and the certificate verify; --ca-file for a \
private CA) and unix:/PATH (a stream socket that accepts); each gets one result with its last \
failure. Names are resolved again on every poll; the last poll runs in the deadline's final \
250 ms."
    )]
    Portcheck(PortcheckArgs),
    /// Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host
    #[command(
        long_about = "Diagnose a connection to TARGET (HOST:PORT, http://... or https://...), phase by \
phase, each timed: resolve (every address, from the system resolver), connect (the addresses \
raced as RFC 8305 Happy Eyeballs: families alternate, a new attempt every 250 ms; with --proxy, \
a proxy phase reaches the proxy and connect is its tunnel), then TLS for https:// or --tls (version, cipher, ALPN, certificate subject, issuer, \
SANs, days to expiry, and the verification result with its reason), then for http(s):// or \
--http a raw HTTP/1.1 GET (status, headers, time to first byte, bytes). The failing phase is \
named and classified (dns, refused, timeout, unreachable, prohibited, reset, self_connect, \
tls_*, http_status) with a hint.\n\n\
With no TARGET: a self-check of this host: its name resolves, localhost resolves to 127.0.0.1 \
and ::1, TCP and UDP round trips over both loopbacks, and /etc/services, /etc/protocols, \
/etc/hosts and /etc/resolv.conf are present and parse (nameservers are queried only with \
--probe-dns)."
    )]
    Diagnose(DiagnoseArgs),
}

impl Command {
    /// The subcommand's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Pack(_) => "pack",
            Command::Services(_) => "services",
            Command::Proto(_) => "proto",
            Command::McastSend(_) => "mcast-send",
            Command::McastRecv(_) => "mcast-recv",
            Command::EchoServer(_) => "echo-server",
            Command::EchoClient(_) => "echo-client",
            Command::Hostname(_) => "hostname",
            Command::Addrinfo(_) => "addrinfo",
            Command::Lookup(_) => "lookup",
            Command::Fqdn(_) => "fqdn",
            Command::Rdns(_) => "rdns",
            Command::Portcheck(_) => "portcheck",
            Command::Diagnose(_) => "diagnose",
        }
    }
}

impl Command {
    /// Whether the command watches for signals and a closed stdout from
    /// the start: the servers and streams, whose loops look at the stop
    /// flag between blocking calls. The others start watching when one of
    /// their waits lasts (see `Stop::wait`), so a quick check never
    /// starts a thread.
    pub fn watches_from_start(&self) -> bool {
        matches!(
            self,
            Command::McastSend(_) | Command::McastRecv(_) | Command::EchoServer(_)
        )
    }

    /// `--prom-file PATH`, on the commands that have it: the printer
    /// writes every report's metrics there.
    pub fn prom_file(&self) -> Option<&std::path::Path> {
        match self {
            Command::Diagnose(a) => a.prom_file.as_deref(),
            Command::Portcheck(a) => a.prom_file.as_deref(),
            Command::Lookup(a) => a.prom_file.as_deref(),
            Command::EchoClient(a) => a.prom_file.as_deref(),
            Command::McastRecv(a) => a.prom_file.as_deref(),
            _ => None,
        }
    }
}

/// Every subcommand's name, in the order of `netkit --help`.
pub const SUBCOMMANDS: [&str; 14] = [
    "pack",
    "services",
    "proto",
    "mcast-send",
    "mcast-recv",
    "echo-server",
    "echo-client",
    "hostname",
    "addrinfo",
    "lookup",
    "fqdn",
    "rdns",
    "portcheck",
    "diagnose",
];

/// Whether `name` is a subcommand.
pub fn is_subcommand(name: &str) -> bool {
    SUBCOMMANDS.contains(&name)
}

/// The full clap command: `--help` adds examples and the exit-status table
/// to every subcommand; `-h` points to them.
pub fn command() -> clap::Command {
    let pointer = "Examples and exit status: --help";
    let mut cmd = Cli::command()
        .after_help(pointer)
        .after_long_help(help::long_help("netkit"));
    for name in SUBCOMMANDS {
        let long = help::long_help(name);
        cmd = cmd.mut_subcommand(name, move |sub| {
            sub.after_help(pointer).after_long_help(long)
        });
    }
    cmd
}

/// Parses argv. Only help needs the examples and exit tables, so plain runs
/// skip formatting them.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if let Some(cli) = quick_lookup(&args) {
        return Ok(cli);
    }
    let wants_help = args.len() <= 1
        || args
            .iter()
            .skip(1)
            .any(|a| a == "-h" || a == "--help" || a == "help");
    let mut cmd = if wants_help {
        command()
    } else {
        lazy_command()
    };
    let mut matches = cmd.try_get_matches_from_mut(args)?;
    let cli = if wants_help {
        Cli::from_arg_matches(&matches)
    } else {
        lazy_cli(&mut matches)
    };
    // The definition and the matches would only be freed at exit: leave
    // that to the exit (half of clap's cost at start-up is the drop).
    std::mem::forget(matches);
    std::mem::forget(cmd);
    cli
}

/// `netkit [--json] lookup [--json] [-t TYPE | --type TYPE]... NAME...`,
/// the look-up typed at a shell and in scripts, read without clap (building
/// and running clap's parser is a third of such a run's instructions).
/// Anything else (another flag, a name starting with `-`, `help`, text
/// that is not UTF-8, no name) is left to clap: None. What it returns is
/// what clap returns for the same words (held equal by a test).
fn quick_lookup(args: &[OsString]) -> Option<Cli> {
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    let mut json = false;
    let mut first = words.next()??;
    if first == "--json" {
        json = true;
        first = words.next()??;
    }
    if first != "lookup" {
        return None;
    }
    let mut a = LookupArgs {
        concurrency: 256,
        ..LookupArgs::default()
    };
    // A flag given twice on one side of the subcommand is clap's error.
    let mut json_after = false;
    while let Some(word) = words.next() {
        match word? {
            "--json" if json_after => return None,
            "--json" => (json, json_after) = (true, true),
            "-t" | "--type" => {
                let t = words.next()??;
                if t.starts_with('-') || t == "help" {
                    return None;
                }
                a.types.push(t.to_string());
            }
            "help" => return None,
            name if name.is_empty() || name.starts_with('-') => return None,
            name => a.names.push(name.to_string()),
        }
    }
    if a.names.is_empty() {
        return None;
    }
    Some(Cli {
        global: GlobalArgs {
            json,
            color: ColorChoice::default(),
            quiet: false,
            verbose: 0,
        },
        command: Command::Lookup(a),
    })
}

/// The `Cli` of a [`lazy_command`] run: the global flags given before the
/// subcommand and after it, merged as clap merges a global argument (a
/// value given after the subcommand wins).
/// The matches are taken from, not copied (derive's `from_arg_matches`
/// clones them all: a sixth of a start-up).
fn lazy_cli(matches: &mut clap::ArgMatches) -> Result<Cli, clap::Error> {
    use clap::parser::ValueSource;
    let read = |m: &clap::ArgMatches| GlobalArgs {
        json: m.get_flag("json"),
        color: m
            .get_one::<ColorChoice>("color")
            .copied()
            .unwrap_or_default(),
        quiet: m.get_flag("quiet"),
        verbose: m.get_count("verbose"),
    };
    let given =
        |m: &clap::ArgMatches, id: &str| m.value_source(id) == Some(ValueSource::CommandLine);
    let root = read(matches);
    let global = match matches.subcommand() {
        Some((_, sub)) => {
            let inner = read(sub);
            GlobalArgs {
                json: root.json || inner.json,
                color: if given(sub, "color") {
                    inner.color
                } else {
                    root.color
                },
                quiet: root.quiet || inner.quiet,
                verbose: if given(sub, "verbose") {
                    inner.verbose
                } else {
                    root.verbose
                },
            }
        }
        None => root,
    };
    Ok(Cli {
        global,
        command: Command::from_arg_matches_mut(matches)?,
    })
}

/// The global flags as plain arguments of one command (the lazy command
/// repeats them on the root and on the subcommand given, instead of
/// clap's copying of global arguments into all fourteen).
fn local_globals(cmd: clap::Command) -> clap::Command {
    let mut cmd = GlobalArgs::augment_args(cmd);
    for id in ["json", "color", "quiet", "verbose"] {
        cmd = cmd.mut_arg(id, |a| a.global(false));
    }
    cmd
}

/// One subcommand's arguments and the global flags.
fn with_globals<A: Args>(cmd: clap::Command) -> clap::Command {
    local_globals(A::augment_args(cmd))
}

/// Adds one subcommand's arguments to its (empty) clap command.
type Augment = fn(clap::Command) -> clap::Command;

/// The command for a run that shows no help: each subcommand's arguments
/// are built only if that subcommand is the one given (clap's `defer`), so
/// start-up does not build and free all fourteen.
pub fn lazy_command() -> clap::Command {
    let cmd = clap::Command::new("netkit")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .arg_required_else_help(true)
        .subcommand_required(true);
    let cmd = local_globals(cmd);
    let subs: [(&'static str, Augment); 14] = [
        ("pack", with_globals::<PackArgs>),
        ("services", with_globals::<ServicesArgs>),
        ("proto", with_globals::<ProtoArgs>),
        ("mcast-send", with_globals::<McastSendArgs>),
        ("mcast-recv", with_globals::<McastRecvArgs>),
        ("echo-server", with_globals::<EchoServerArgs>),
        ("echo-client", with_globals::<EchoClientArgs>),
        ("hostname", with_globals::<HostnameArgs>),
        ("addrinfo", with_globals::<AddrinfoArgs>),
        ("lookup", with_globals::<LookupArgs>),
        ("fqdn", with_globals::<FqdnArgs>),
        ("rdns", with_globals::<RdnsArgs>),
        ("portcheck", with_globals::<PortcheckArgs>),
        ("diagnose", with_globals::<DiagnoseArgs>),
    ];
    cmd.subcommands(subs.map(|(name, args)| clap::Command::new(name).defer(args)))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever words the quick path takes, clap takes too, to the same
        /// `Cli`; what clap refuses, the quick path leaves to it.
        #[test]
        fn the_quick_path_is_clap_where_it_answers(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "--json", "-t", "--type", "A", "mx", "a.test", "b.test.", "@127.0.0.1",
                "lookup", "-q", "-v", "help", "--", "", "-x", "TXT", "IN",
            ]), 0..7),
            lookup_first in proptest::bool::ANY,
        ) {
            let mut args = vec!["netkit"];
            if lookup_first {
                args.push("lookup");
            }
            args.extend(words);
            let os: Vec<OsString> = args.iter().map(OsString::from).collect();
            if let Some(quick) = quick_lookup(&os) {
                let full = command()
                    .try_get_matches_from(&args)
                    .and_then(|m| Cli::from_arg_matches(&m));
                proptest::prop_assert!(full.is_ok(), "{:?}", args);
                proptest::prop_assert_eq!(format!("{:?}", full.ok()), format!("{:?}", Some(quick)));
            }
        }
    }

    /// Every quick shape: `--json` before or after the subcommand or both,
    /// `-t`/`--type` with ordinary and odd types, one name or several,
    /// servers, dig's trailing types and classes.
    fn quick_cases() -> Vec<Vec<String>> {
        let mut cases = Vec::new();
        let bodies: [&[&str]; 9] = [
            &["a.test"],
            &["-t", "A", "a.test"],
            &["--type", "mx", "a.test", "b.test"],
            &["-t", "AAAA", "-t", "TXT", "@127.0.0.1", "a.test"],
            &["a.test", "-t", "TYPE65280", "--json"],
            &["a.test", "MX", "b.test", "TXT", "IN"],
            &["-t", "nosuch", "x.invalid."],
            &["@tcp://[::1]:5353", "é.test", "-t", "PTR"],
            &["a.test", "--json", "-t", "A", "b.test"],
        ];
        for before in [false, true] {
            for body in bodies {
                let mut c = vec!["netkit".to_string()];
                if before {
                    c.push("--json".into());
                }
                c.push("lookup".into());
                c.extend(body.iter().map(|w| w.to_string()));
                cases.push(c);
            }
        }
        cases
    }

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    /// The lazy command parses exactly as the full one does.
    #[test]
    fn lazy_and_full_commands_agree() {
        let cases: &[&[&str]] = &[
            &["netkit", "pack", "127.1", "--htons", "1"],
            &["netkit", "--json", "services", "-P", "udp", "53"],
            &[
                "netkit",
                "portcheck",
                "-q",
                "-p",
                "22,80",
                "--timeout",
                "2s",
                "127.0.0.1",
            ],
            &[
                "netkit",
                "lookup",
                "-t",
                "MX",
                "example.test",
                "@127.0.0.1:5353",
                "--color",
                "never",
            ],
            &[
                "netkit",
                "echo-client",
                "--count",
                "3",
                "--max-p99",
                "2",
                "127.0.0.1",
            ],
            &["netkit", "mcast-recv", "-v", "-v", "239.1.2.3:5000"],
            &[
                "netkit",
                "diagnose",
                "-L",
                "--min-days",
                "30",
                "https://x.test/",
            ],
            &[
                "netkit",
                "portcheck",
                "--wait",
                "x:1",
                "--",
                "true",
                "--flag",
            ],
            &["netkit", "--json", "pack", "-v", "1.2.3.4"],
            &["netkit", "-v", "pack", "-vv", "1.2.3.4"],
            &["netkit", "--color", "never", "pack", "1.2.3.4"],
            &["netkit", "--color", "never", "pack", "--color=always", "1"],
            &["netkit", "-q", "pack", "--json", "1"],
        ];
        for args in cases {
            let full =
                Cli::from_arg_matches(&command().try_get_matches_from(*args).unwrap()).unwrap();
            let mut cmd = lazy_command();
            let mut m = cmd.try_get_matches_from_mut(*args).unwrap();
            let lazy = lazy_cli(&mut m).unwrap();
            assert_eq!(format!("{full:?}"), format!("{lazy:?}"), "{args:?}");
        }
        for args in quick_cases() {
            let full =
                Cli::from_arg_matches(&command().try_get_matches_from(&args).unwrap()).unwrap();
            let os: Vec<OsString> = args.iter().map(OsString::from).collect();
            let quick = quick_lookup(&os).expect("a quick shape");
            assert_eq!(format!("{full:?}"), format!("{quick:?}"), "{args:?}");
        }
        for args in [
            &["netkit", "lookup"][..],
            &["netkit", "lookup", "-t"],
            &["netkit", "lookup", "-t", "A"],
            &["netkit", "lookup", "-q", "a.test"],
            &["netkit", "lookup", "a.test", "-v"],
            &["netkit", "lookup", "-x", "192.0.2.1"],
            &["netkit", "lookup", "--", "-a.test"],
            &["netkit", "lookup", "-tA", "a.test"],
            &["netkit", "lookup", "--type=A", "a.test"],
            &["netkit", "lookup", "-t", "--json", "a.test"],
            &["netkit", "lookup", "help"],
            &["netkit", "lookup", "a.test", "--help"],
            &["netkit", "lookup", ""],
            &["netkit", "--color", "never", "lookup", "a.test"],
            &["netkit", "-q", "lookup", "a.test"],
            &["netkit", "lookup", "--jsonx", "a.test"],
            &["netkit", "lookup", "--json", "a.test", "--json"],
            &["netkit", "--json", "--json", "lookup", "a.test"],
            &["netkit", "rdns", "a.test"],
            &["netkit", "--json"],
            &["netkit"],
        ] {
            let os: Vec<OsString> = args.iter().map(OsString::from).collect();
            assert!(quick_lookup(&os).is_none(), "{args:?}");
        }
        let names: Vec<String> = lazy_command()
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        assert_eq!(names, SUBCOMMANDS.map(String::from).to_vec());
        for bad in [
            &["netkit", "portchek"][..],
            &["netkit", "pack", "--nosuch"],
            &["netkit", "services", "--proto", "x", "a"],
        ] {
            assert!(lazy_command().try_get_matches_from(bad).is_err(), "{bad:?}");
        }
        // -q and -v conflict when given on one side of the subcommand.
        for (args, conflict) in [
            (&["netkit", "-q", "-v", "pack", "1"][..], true),
            (&["netkit", "pack", "-q", "-v", "1"], true),
            (&["netkit", "-q", "pack", "-v", "1"], false),
            (&["netkit", "-v", "pack", "-q", "1"], false),
        ] {
            let full = command()
                .try_get_matches_from(args)
                .map_err(|e| e.kind())
                .and_then(|m| Cli::from_arg_matches(&m).map_err(|e| e.kind()));
            let lazy = parse(args.iter().copied()).map_err(|e| e.kind());
            assert_eq!(format!("{full:?}"), format!("{lazy:?}"), "{args:?}");
            assert_eq!(
                lazy.err() == Some(clap::error::ErrorKind::ArgumentConflict),
                conflict,
                "{args:?}"
            );
        }
    }

    #[test]
    fn every_subcommand_has_examples_and_an_exit_table() {
        let names: Vec<String> = command()
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        assert_eq!(names, SUBCOMMANDS.map(String::from).to_vec());
        for name in SUBCOMMANDS {
            assert!(!help::examples(name).is_empty(), "{name} has no examples");
            let table = help::exit_table(name);
            assert!(table.iter().any(|r| r.code == 0), "{name}");
            assert!(table.iter().any(|r| r.code == 2), "{name}");
        }
    }
}
