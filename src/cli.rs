//! The command line: one `Cli`, one `Command` enum, one `Args` struct per
//! subcommand. Values are validated here, so bad input fails before any work.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::exit::Exit;
use crate::netdb::DbChoice;
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

/// Flags shared by every subcommand.
#[derive(Debug, Args)]
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
does. It stops after --count datagrams, after --duration, after --timeout without data \
(default 10s), or on Ctrl-C, and prints the summary."
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
--local checks whether this host can bind the ports (0.0.0.0, :: v6-only and dual-stack, \
127.0.0.1, or --bind). --wait polls until every port is open (or --expect closed) or \
--deadline passes, then runs `-- CMD ARGS` and exits with its code."
    )]
    Portcheck(PortcheckArgs),
    /// Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host
    #[command(
        long_about = "Diagnose a connection to TARGET (HOST:PORT, http://... or https://...), phase by \
phase, each timed: resolve (every address, from the system resolver), connect (each address in \
order), then TLS for https:// or --tls (version, cipher, ALPN, certificate subject, issuer, \
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

    /// Whether the command handles SIGINT itself (long-running commands
    /// print what they gathered); the others simply exit 130.
    pub fn handles_interrupt(&self) -> bool {
        matches!(
            self,
            Command::McastSend(_)
                | Command::McastRecv(_)
                | Command::EchoServer(_)
                | Command::EchoClient(_)
        )
    }
}

/// `netkit pack`
#[derive(Debug, Args)]
pub struct PackArgs {
    /// Addresses to pack: IPv4 (strict or legacy), IPv6 (with %zone), MAC; - reads lines from stdin
    #[arg(value_name = "ADDR")]
    pub addrs: Vec<String>,
    /// Packed bytes to turn back into an address: c0a80101, c0:a8:01:01, '\xc0\xa8\x01\x01'
    #[arg(long, value_name = "HEX|BYTES", allow_hyphen_values = true)]
    pub unpack: Vec<String>,
    /// Host to network order, 16 bits (decimal or 0x hex)
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Byte order"
    )]
    pub htons: Vec<String>,
    /// Host to network order, 32 bits
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Byte order"
    )]
    pub htonl: Vec<String>,
    /// Host to network order, 64 bits
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Byte order"
    )]
    pub htonll: Vec<String>,
    /// Network to host order, 16 bits
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Byte order"
    )]
    pub ntohs: Vec<String>,
    /// Network to host order, 32 bits
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Byte order"
    )]
    pub ntohl: Vec<String>,
    /// Network to host order, 64 bits
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Byte order"
    )]
    pub ntohll: Vec<String>,
}

/// Transport protocols a service entry can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportProto {
    /// TCP
    Tcp,
    /// UDP
    Udp,
    /// SCTP
    Sctp,
}

impl TransportProto {
    /// The name as /etc/services writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportProto::Tcp => "tcp",
            TransportProto::Udp => "udp",
            TransportProto::Sctp => "sctp",
        }
    }
}

/// Where a netdb table comes from.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Read this file instead of the system one
    #[arg(long, value_name = "FILE", conflicts_with = "builtin")]
    pub db: Option<PathBuf>,
    /// Use the table compiled into netkit
    #[arg(long)]
    pub builtin: bool,
}

impl DbArgs {
    /// The table to load.
    pub fn choice(&self) -> DbChoice {
        match (&self.db, self.builtin) {
            (Some(p), _) => DbChoice::File(p.clone()),
            (None, true) => DbChoice::Builtin,
            (None, false) => DbChoice::System,
        }
    }
}

/// `netkit services`
#[derive(Debug, Args)]
pub struct ServicesArgs {
    /// Names, ports, NAME/PROTO, PORT/PROTO or URLs
    #[arg(value_name = "QUERY", required_unless_present = "all")]
    pub queries: Vec<String>,
    /// Only entries for this protocol
    #[arg(long, short = 'P', value_enum, value_name = "PROTO")]
    pub proto: Option<TransportProto>,
    /// List every entry
    #[arg(long, conflicts_with = "queries")]
    pub all: bool,
    #[command(flatten)]
    /// The table to read.
    pub source: DbArgs,
}

/// `netkit proto`
#[derive(Debug, Args)]
pub struct ProtoArgs {
    /// Protocol names or numbers
    #[arg(value_name = "QUERY", required_unless_present = "all")]
    pub queries: Vec<String>,
    /// List every entry
    #[arg(long, conflicts_with = "queries")]
    pub all: bool,
    #[command(flatten)]
    /// The table to read.
    pub source: DbArgs,
}

fn duration_arg(text: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse_duration(text).map_err(|e| e.to_string())
}

fn timeout_arg(text: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse_timeout(text).map_err(|e| e.to_string())
}

fn mcast_target_arg(text: &str) -> Result<crate::mcast::McastTarget, String> {
    text.parse()
        .map_err(|e: crate::error::NetkitError| e.to_string())
}

fn percent_arg(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("'{text}' is not a percentage from 0 to 100")),
    }
}

fn rate_arg(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 10_000_000.0 => Ok(r),
        _ => Err(format!(
            "'{text}' is not a rate from 0 to 10000000 datagrams per second"
        )),
    }
}

/// `netkit mcast-send`
#[derive(Debug, Args)]
pub struct McastSendArgs {
    /// The group and port: 239.1.2.3:5000, [ff02::1%eth0]:5000
    #[arg(value_name = "GROUP:PORT", value_parser = mcast_target_arg)]
    pub target: crate::mcast::McastTarget,
    /// Send through this interface (name, index or address): IP_MULTICAST_IF
    #[arg(short, long, value_name = "IF")]
    pub interface: Option<String>,
    /// TTL (IPv4) or hop limit (IPv6); 0 keeps datagrams on this host
    #[arg(long, visible_alias = "hops", value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(0..=255))]
    pub ttl: u32,
    /// Do not loop datagrams back to receivers on this host
    #[arg(long = "no-loop", action = clap::ArgAction::SetFalse)]
    pub loopback: bool,
    /// Loop datagrams back to receivers on this host (the default)
    #[arg(long = "loop", overrides_with = "loopback", action = clap::ArgAction::SetTrue)]
    pub loop_on: bool,
    /// Bind to this address (on lo use 127.0.0.1, or receivers see 0.0.0.0)
    #[arg(long, value_name = "ADDR")]
    pub source: Option<std::net::IpAddr>,
    /// How many datagrams
    #[arg(short, long, value_name = "N")]
    pub count: Option<u64>,
    /// Time between datagrams; 0 sends back to back
    #[arg(long, value_name = "DURATION", value_parser = duration_arg, conflicts_with = "rate")]
    pub interval: Option<std::time::Duration>,
    /// Datagrams per second
    #[arg(long, value_name = "PPS", value_parser = rate_arg)]
    pub rate: Option<f64>,
    /// Datagram size in bytes (at least 32, the header)
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = 64,
        conflicts_with = "message"
    )]
    pub size: usize,
    /// Stop after this long
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub duration: Option<std::time::Duration>,
    /// Send this text as raw bytes instead of netkit headers; - reads stdin
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub message: Option<String>,
}

/// `netkit mcast-recv`
#[derive(Debug, Args)]
pub struct McastRecvArgs {
    /// The group and port: 239.1.2.3:5000, [ff02::1%eth0]:5000
    #[arg(value_name = "GROUP:PORT", value_parser = mcast_target_arg)]
    pub target: crate::mcast::McastTarget,
    /// Join on this interface (name, index or address); repeatable
    #[arg(short, long, value_name = "IF")]
    pub interface: Vec<String>,
    /// Source-specific join: only datagrams from this sender (SSM)
    #[arg(long, value_name = "ADDR")]
    pub source: Option<std::net::IpAddr>,
    /// Stop after this many datagrams
    #[arg(short, long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub duration: Option<std::time::Duration>,
    /// Stop after this long without data
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "10s")]
    pub timeout: std::time::Duration,
    /// Exit 1 unless at least N datagrams arrive
    #[arg(long, value_name = "N")]
    pub expect: Option<u64>,
    /// Exit 1 when loss exceeds this percentage
    #[arg(long, value_name = "PCT", value_parser = percent_arg)]
    pub max_loss: Option<f64>,
}

fn size_arg(text: &str) -> Result<u64, String> {
    crate::units::parse_size(text).map_err(|e| e.to_string())
}

fn cidr_arg(text: &str) -> Result<crate::cidr::Cidr, String> {
    text.parse()
        .map_err(|e: crate::error::NetkitError| e.to_string())
}

fn proxy_arg(text: &str) -> Result<crate::proxy::Socks5Proxy, String> {
    text.parse()
        .map_err(|e: crate::error::NetkitError| e.to_string())
}

fn positive_ms(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("'{text}' is not a positive number")),
    }
}

/// `netkit echo-server`
#[derive(Debug, Args)]
pub struct EchoServerArgs {
    /// Serve TCP (the default when no protocol is named)
    #[arg(long)]
    pub tcp: bool,
    /// Serve UDP
    #[arg(long)]
    pub udp: bool,
    /// Serve a Unix stream socket at PATH
    #[arg(long, value_name = "PATH")]
    pub unix: Option<PathBuf>,
    /// Address to bind; :: serves IPv6 and IPv4 (dual-stack)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port; 0 picks a free one (reported in the listening line)
    #[arg(short, long, default_value_t = crate::echo::DEFAULT_PORT)]
    pub port: u16,
    /// Concurrent connections; more are accepted and closed at once
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_conns: u64,
    /// Close connections idle this long
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "60s")]
    pub idle_timeout: std::time::Duration,
    /// Close a connection after echoing this many bytes (64K, 1G...)
    #[arg(long, value_name = "SIZE", value_parser = size_arg)]
    pub max_bytes: Option<u64>,
    /// Close a connection after this long
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub max_duration: Option<std::time::Duration>,
    /// Serve one client (one connection or datagram), then exit
    #[arg(long)]
    pub once: bool,
    /// SO_REUSEPORT, so several servers share the port
    #[arg(long)]
    pub reuseport: bool,
    /// SO_RCVBUF
    #[arg(long, value_name = "SIZE", value_parser = size_arg)]
    pub rcvbuf: Option<u64>,
    /// SO_SNDBUF
    #[arg(long, value_name = "SIZE", value_parser = size_arg)]
    pub sndbuf: Option<u64>,
    /// TCP_NODELAY on connections
    #[arg(long)]
    pub nodelay: bool,
    /// TCP keepalive after this much idle time
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub keepalive: Option<std::time::Duration>,
    /// UDP datagrams per second answered per source address
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub udp_rate: u32,
    /// Only these clients (repeatable), both protocols
    #[arg(long, value_name = "CIDR", value_parser = cidr_arg)]
    pub allow: Vec<crate::cidr::Cidr>,
    /// Answer UDP from source ports below 1024 (a reflection hazard)
    #[arg(long)]
    pub allow_low_ports: bool,
    /// After SIGINT/SIGTERM, let live connections finish this long
    #[arg(long, value_name = "DURATION", value_parser = duration_arg, default_value = "5s")]
    pub drain_timeout: std::time::Duration,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// `netkit echo-client`
#[derive(Debug, Args)]
pub struct EchoClientArgs {
    /// host:port, [v6]:port or host (port 50007); not with --unix
    #[arg(value_name = "TARGET")]
    pub target: Option<String>,
    /// The message (message mode); default: read stdin
    #[arg(value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Use TCP (the default)
    #[arg(long, conflicts_with_all = ["udp", "unix"])]
    pub tcp: bool,
    /// Use UDP
    #[arg(long, conflicts_with = "unix")]
    pub udp: bool,
    /// Use a Unix stream socket
    #[arg(long, value_name = "PATH")]
    pub unix: Option<PathBuf>,
    /// IPv4 only
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 only
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Connect and reply timeout
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "5s")]
    pub timeout: std::time::Duration,
    /// Connect through a SOCKS5 proxy: socks5://[user:pass@]host:port (socks5h: the proxy resolves)
    #[arg(long, value_name = "URL", value_parser = proxy_arg)]
    pub proxy: Option<crate::proxy::Socks5Proxy>,
    /// Ping mode: this many round trips
    #[arg(short, long, value_name = "N")]
    pub count: Option<u64>,
    /// Ping mode: time between requests; 0 = back to back (default 1s)
    #[arg(short, long, value_name = "DURATION", value_parser = duration_arg)]
    pub interval: Option<std::time::Duration>,
    /// Ping mode: bytes per request
    #[arg(short, long, value_name = "BYTES", default_value_t = 64)]
    pub size: usize,
    /// Ping or throughput mode: stop after this long
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub duration: Option<std::time::Duration>,
    /// Throughput mode: stream this many bytes (1G, 64M...) and verify them
    #[arg(long, value_name = "SIZE", value_parser = size_arg)]
    pub bytes: Option<u64>,
    /// Throughput mode until --duration
    #[arg(long, requires = "duration")]
    pub throughput: bool,
    /// Load mode: this many concurrent connections
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub connections: u64,
    /// Exit 1 when the average round trip exceeds MS milliseconds
    #[arg(long, value_name = "MS", value_parser = positive_ms)]
    pub max_rtt: Option<f64>,
    /// Exit 1 when loss exceeds PCT percent
    #[arg(long, value_name = "PCT", value_parser = percent_arg)]
    pub max_loss: Option<f64>,
    /// Exit 1 when throughput is below this many MB/s (10^6 bytes)
    #[arg(long, value_name = "MBPS", value_parser = positive_ms)]
    pub min_throughput: Option<f64>,
}

/// `netkit hostname`
#[derive(Debug, Args)]
pub struct HostnameArgs {
    /// Also the addresses the system resolves this host's name to
    #[arg(long)]
    pub addrs: bool,
    /// Also every interface: index, flags, MTU, MAC, addresses
    #[arg(long)]
    pub interfaces: bool,
}

/// Address families for getaddrinfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AiFamily {
    /// AF_INET
    Inet,
    /// AF_INET6
    Inet6,
}

/// Socket types for getaddrinfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AiSockType {
    /// SOCK_STREAM
    Stream,
    /// SOCK_DGRAM
    Dgram,
    /// SOCK_RAW
    Raw,
}

/// Protocols for getaddrinfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AiProto {
    /// IPPROTO_TCP
    Tcp,
    /// IPPROTO_UDP
    Udp,
}

/// `netkit addrinfo`
#[derive(Debug, Args)]
pub struct AddrinfoArgs {
    /// Host names or addresses (and, second of two, the SERVICE)
    #[arg(value_name = "HOST", required = true)]
    pub hosts: Vec<String>,
    /// The service: a port or a name (http)
    #[arg(short, long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Only this family
    #[arg(long, value_enum)]
    pub family: Option<AiFamily>,
    /// Only this socket type
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub socktype: Option<AiSockType>,
    /// Only this protocol
    #[arg(long, value_enum)]
    pub proto: Option<AiProto>,
    /// AI_CANONNAME: report the canonical name
    #[arg(long)]
    pub canonname: bool,
    /// AI_NUMERICHOST: HOST must be an address literal
    #[arg(long)]
    pub numeric_host: bool,
    /// AI_NUMERICSERV: SERVICE must be a number
    #[arg(long)]
    pub numeric_serv: bool,
    /// AI_PASSIVE: addresses to bind (wildcard when HOST is -)
    #[arg(long)]
    pub passive: bool,
    /// AI_ADDRCONFIG: only families this host has addresses for
    #[arg(long)]
    pub addrconfig: bool,
    /// AI_V4MAPPED: IPv4 as ::ffff:a.b.c.d when asking for inet6
    #[arg(long)]
    pub v4mapped: bool,
    /// AI_ALL: with --v4mapped, IPv6 and mapped IPv4 both
    #[arg(long)]
    pub all: bool,
    /// A table instead of the Python-style blocks
    #[arg(long)]
    pub table: bool,
}

/// `netkit lookup`
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Names to look up; @SERVER[:PORT] picks a server, as with dig
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA ANY TYPEnnn
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// DNS server to ask (repeatable; one result per server)
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub server: Vec<String>,
    /// Query over TCP
    #[arg(long)]
    pub tcp: bool,
    /// Per attempt (default: resolv.conf's, else 2s)
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
    /// Extra attempts after a timeout (default: resolv.conf's attempts - 1, else 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// Values only, one per line
    #[arg(long)]
    pub short: bool,
    /// Ask the system (NSS: /etc/hosts, nsswitch) instead of DNS: gethostbyname_ex
    #[arg(long, conflicts_with_all = ["server", "tcp", "types"])]
    pub system: bool,
    /// Read names from FILE, one per line (- for stdin)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Look-ups in flight at once
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,
}

/// `netkit fqdn`
#[derive(Debug, Args)]
pub struct FqdnArgs {
    /// Names (default: this host)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

/// `netkit rdns`
#[derive(Debug, Args)]
pub struct RdnsArgs {
    /// Addresses or CIDR blocks
    #[arg(value_name = "ADDR|CIDR", required = true)]
    pub targets: Vec<String>,
    /// Ask the DNS for PTR records instead of the system's gethostbyaddr
    #[arg(long)]
    pub dns: bool,
    /// DNS server for --dns and --verify (repeatable: tried in order)
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub server: Vec<String>,
    /// Forward-confirm: each name must resolve back to the address
    #[arg(long)]
    pub verify: bool,
    /// Per DNS attempt
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
    /// Look-ups in flight at once
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,
}

/// The state `portcheck` expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExpectState {
    /// Every port open.
    Open,
    /// Every port closed (refused).
    Closed,
}

/// `netkit portcheck`
#[derive(Debug, Args)]
pub struct PortcheckArgs {
    /// Hosts, addresses, HOST:PORT, [V6]:PORT, CIDR; with --local, port lists
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Ports: 22,http,8000-8100; - for all
    #[arg(short, long, value_name = "PORTS", allow_hyphen_values = true)]
    pub ports: Option<String>,
    /// IPv4 addresses only
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 addresses only
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Per connect
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "1s")]
    pub timeout: std::time::Duration,
    /// Extra attempts for filtered or failed ports
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
    /// Connections in flight (default: from the open-file limit, at most 4096)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub concurrency: Option<u64>,
    /// Connections per second
    #[arg(long, value_name = "N", value_parser = rate_arg)]
    pub rate: Option<f64>,
    /// Read what open services say first (bounded: 256 bytes, --timeout)
    #[arg(long)]
    pub banner: bool,
    /// The state every port should be in
    #[arg(long, value_enum, default_value_t = ExpectState::Open)]
    pub expect: ExpectState,
    /// Poll until every port is in the expected state, or --deadline
    #[arg(long)]
    pub wait: bool,
    /// How long --wait polls
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "60s", requires = "wait")]
    pub deadline: std::time::Duration,
    /// Check whether this host can bind the ports (TARGETs are port lists)
    #[arg(long, conflicts_with_all = ["wait", "banner", "ports"])]
    pub local: bool,
    /// With --local: UDP instead of TCP
    #[arg(long, requires = "local")]
    pub udp: bool,
    /// With --local: these addresses (repeatable) instead of the defaults
    #[arg(long, value_name = "ADDR", requires = "local")]
    pub bind: Vec<std::net::IpAddr>,
    /// With --wait: run this once ready, and exit with its status
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

fn status_arg(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(s) if (100..=599).contains(&s) => Ok(s),
        _ => Err(format!("'{text}' is not an HTTP status (100-599)")),
    }
}

/// `netkit diagnose`
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// HOST:PORT, http://HOST[:PORT]/PATH or https://...; none: check this host
    #[arg(value_name = "TARGET")]
    pub target: Option<String>,
    /// Bounds each phase
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "5s")]
    pub timeout: std::time::Duration,
    /// IPv4 only
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 only
    #[arg(short = '6')]
    pub ipv6: bool,
    /// A TLS handshake even for HOST:PORT
    #[arg(long)]
    pub tls: bool,
    /// An HTTP request even for HOST:PORT
    #[arg(long)]
    pub http: bool,
    /// Go on past a certificate that fails verification (still reported)
    #[arg(long)]
    pub insecure: bool,
    /// Trust these CA certificates (PEM) instead of the system's
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Through a SOCKS5 proxy: socks5://[user:pass@]host:port, socks5h:// to let it resolve
    #[arg(long, value_name = "URL", value_parser = proxy_arg)]
    pub proxy: Option<crate::proxy::Socks5Proxy>,
    /// The HTTP status expected (default: anything below 400)
    #[arg(long, value_name = "STATUS", value_parser = status_arg)]
    pub expect_status: Option<u16>,
    /// Self-check: also query each nameserver
    #[arg(long)]
    pub probe_dns: bool,
}

/// One worked example for `--help` and the man page.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// What it shows.
    pub about: &'static str,
    /// The command line.
    pub command: &'static str,
}

const fn ex(about: &'static str, command: &'static str) -> Example {
    Example { about, command }
}

/// The examples of each subcommand, and of netkit itself under "netkit".
pub const EXAMPLES: &[(&str, &[Example])] = &[
    (
        "netkit",
        &[
            ex(
                "Pack an address, as inet_aton and inet_pton do",
                "netkit pack 192.168.1.1",
            ),
            ex("Which port is imaps?", "netkit services imaps"),
            ex("The protocol number of ICMP", "netkit proto icmp"),
            ex(
                "Every service, as JSON, filtered with jq",
                "netkit services --all --json | jq -r 'select(.port < 100) | .name'",
            ),
        ],
    ),
    (
        "pack",
        &[
            ex(
                "The seed's inet_aton example",
                "netkit pack 192.168.1.1 127.0.0.1",
            ),
            ex(
                "An IPv6 address packed and back",
                "netkit pack 2002:ac10:10a:1234:21e:52ff:fe74:40e",
            ),
            ex("A legacy form strict parsers refuse", "netkit pack 0x7f.1"),
            ex(
                "A MAC address in every form",
                "netkit pack 00:11:32:3c:c3:0b",
            ),
            ex(
                "Bytes back to an address",
                "netkit pack --unpack c0a80101 --unpack '\\x7f\\x00\\x00\\x01'",
            ),
            ex(
                "Byte order, as socket.htons(1) shows it",
                "netkit pack --htons 1 --htonl 1",
            ),
            ex(
                "Addresses from a file, as JSON",
                "netkit pack --json - < addrs.txt | jq -r .packed",
            ),
        ],
    ),
    (
        "services",
        &[
            ex(
                "Ports of the seed's URL schemes",
                "netkit services http https ftp gopher smtp imap imaps pop3 pop3s",
            ),
            ex("The service on a port", "netkit services 443 993"),
            ex("A URL's scheme", "netkit services imaps://mail.example.com"),
            ex("UDP only", "netkit services --proto udp 53 syslog"),
            ex(
                "Every UDP entry as JSON",
                "netkit services --all --proto udp --json",
            ),
            ex(
                "Another services file",
                "netkit services --db ./services http",
            ),
        ],
    ),
    (
        "proto",
        &[
            ex(
                "The seed's getprotobyname loop",
                "netkit proto icmp udp tcp",
            ),
            ex("A number to its name", "netkit proto 132"),
            ex(
                "Every protocol, from the built-in IANA table",
                "netkit proto --all --builtin",
            ),
        ],
    ),
    (
        "echo-server",
        &[
            ex(
                "The seeds' server: TCP on 127.0.0.1:50007",
                "netkit echo-server",
            ),
            ex(
                "TCP and UDP on every address, IPv6 and IPv4",
                "netkit echo-server --tcp --udp --bind ::",
            ),
            ex(
                "Serve one client, then exit (as the seed's server does)",
                "netkit echo-server --once",
            ),
            ex("A Unix socket", "netkit echo-server --unix /tmp/echo.sock"),
            ex(
                "Only local clients, short idle timeout, JSON events",
                "netkit echo-server --json --allow 127.0.0.0/8 --idle-timeout 10s",
            ),
        ],
    ),
    (
        "echo-client",
        &[
            ex(
                "The seeds' client: send a message, print the echo",
                "netkit echo-client 127.0.0.1:50007 'Hello, world'",
            ),
            ex(
                "Ping: 10 round trips, RTT percentiles",
                "netkit echo-client --count 10 --interval 0.2 127.0.0.1",
            ),
            ex(
                "UDP ping counting loss, duplicates, reordering",
                "netkit echo-client --udp --count 100 --interval 10ms 127.0.0.1",
            ),
            ex(
                "Stream 1 GiB and verify every byte",
                "netkit echo-client --bytes 1G 127.0.0.1",
            ),
            ex(
                "1,000 clients x 100 round trips",
                "netkit echo-client --connections 1000 --count 100 --interval 0 127.0.0.1",
            ),
            ex(
                "CI gate: fail above 2 ms average or 1% loss",
                "netkit echo-client --count 50 --interval 0 --max-rtt 2 --max-loss 1 127.0.0.1",
            ),
            ex(
                "Through a SOCKS5 proxy",
                "netkit echo-client --proxy socks5h://127.0.0.1:1080 echo.example.test:7 hello",
            ),
        ],
    ),
    (
        "hostname",
        &[
            ex("The seed's gethostname", "netkit hostname"),
            ex(
                "The addresses this host's name resolves to",
                "netkit hostname --addrs",
            ),
            ex(
                "Every interface, as JSON",
                "netkit hostname --interfaces --json | jq '.interfaces[] | {name, addrs}'",
            ),
        ],
    ),
    (
        "addrinfo",
        &[
            ex(
                "The seed's getaddrinfo loop",
                "netkit addrinfo www.example.test http",
            ),
            ex(
                "TCP over IPv6 only, with the canonical name",
                "netkit addrinfo --family inet6 --proto tcp --canonname www.example.test 443",
            ),
            ex(
                "Odd literals, without any resolver",
                "netkit addrinfo --numeric-host 0xc000027b 'fe80::1%lo' ::ffff:192.0.2.128",
            ),
            ex(
                "A table of several hosts",
                "netkit addrinfo --table -s 53 localhost ip6-localhost",
            ),
        ],
    ),
    (
        "lookup",
        &[
            ex(
                "A and AAAA, CNAME chain, TTLs",
                "netkit lookup www.example.test",
            ),
            ex(
                "Mail servers from a given server, as dig would ask",
                "netkit lookup -t MX example.test @192.0.2.53",
            ),
            ex(
                "Several types over TCP, values only",
                "netkit lookup -t TXT -t CAA --tcp --short example.test",
            ),
            ex(
                "What NSS says (/etc/hosts too)",
                "netkit lookup --system db.internal.test",
            ),
            ex(
                "10,000 names from a file, concurrently, as JSON",
                "netkit lookup -f names.txt -t A --json | jq -r 'select(.status != \"NOERROR\") | .name'",
            ),
        ],
    ),
    (
        "fqdn",
        &[
            ex("This host's fully qualified name", "netkit fqdn"),
            ex(
                "The seed's getfqdn loop",
                "netkit fqdn myhost www.example.test",
            ),
        ],
    ),
    (
        "rdns",
        &[
            ex("The seed's gethostbyaddr", "netkit rdns 192.0.2.53"),
            ex(
                "PTR records of a /24 from a given server",
                "netkit rdns --dns --server 192.0.2.53 192.0.2.0/24",
            ),
            ex(
                "Forward-confirmed reverse DNS",
                "netkit rdns --dns --verify 192.0.2.25 2001:db8::25",
            ),
        ],
    ),
    (
        "portcheck",
        &[
            ex("The seed's is_port_open", "netkit portcheck 127.0.0.1:22"),
            ex(
                "Web ports on every address of a name",
                "netkit portcheck -p 80,443,8000-8100 www.example.test",
            ),
            ex(
                "Every port of this host, open ones listed",
                "netkit portcheck -p- 127.0.0.1",
            ),
            ex(
                "A /24, SSH only, with banners",
                "netkit portcheck -p ssh --banner 192.0.2.0/24",
            ),
            ex(
                "CI: wait for the database, then migrate",
                "netkit portcheck --wait --deadline 2m db.example.test:5432 -- ./migrate",
            ),
            ex(
                "Can a server bind 8080 here? (the seed's is_port_available)",
                "netkit portcheck --local 8080",
            ),
        ],
    ),
    (
        "diagnose",
        &[
            ex("Check this host's network stack first", "netkit diagnose"),
            ex(
                "Why can't I reach this port?",
                "netkit diagnose db.example.test:5432",
            ),
            ex(
                "A web endpoint: DNS, TCP, TLS, HTTP, each timed",
                "netkit diagnose https://www.example.test/health",
            ),
            ex(
                "A service with a private CA",
                "netkit diagnose --ca-file ca.pem https://internal.example.test:8443/",
            ),
            ex(
                "Through a SOCKS5 proxy that resolves names",
                "netkit diagnose --proxy socks5h://127.0.0.1:1080 http://www.example.test/",
            ),
            ex(
                "CI: the endpoint must answer 204",
                "netkit diagnose --expect-status 204 http://127.0.0.1:8080/ready",
            ),
        ],
    ),
    (
        "mcast-send",
        &[
            ex(
                "Ten numbered datagrams, one a second, on the default route",
                "netkit mcast-send 239.1.2.3:5000",
            ),
            ex(
                "On lo: bind 127.0.0.1 so receivers see the sender",
                "netkit mcast-send --interface lo --source 127.0.0.1 239.1.2.3:5000",
            ),
            ex(
                "100,000 datagrams at 50,000 per second",
                "netkit mcast-send --rate 50000 --count 100000 239.1.2.3:5000",
            ),
            ex(
                "IPv6 link-local group on eth0, hop limit 1",
                "netkit mcast-send '[ff02::1234%eth0]:5000'",
            ),
            ex(
                "A raw message for another receiver",
                "netkit mcast-send --message 'hello group' 224.3.29.71:10000",
            ),
        ],
    ),
    (
        "mcast-recv",
        &[
            ex(
                "Join and print every datagram",
                "netkit mcast-recv 239.1.2.3:5000",
            ),
            ex(
                "Summary only, fail above 1% loss",
                "netkit mcast-recv -q --duration 30s --max-loss 1 239.1.2.3:5000",
            ),
            ex(
                "Source-specific: only from 192.0.2.10",
                "netkit mcast-recv --source 192.0.2.10 232.1.1.1:5000",
            ),
            ex(
                "Per-datagram JSON",
                "netkit mcast-recv --json --count 10 239.1.2.3:5000 | jq -c 'select(.type == \"datagram\")'",
            ),
        ],
    ),
];

/// The examples for one subcommand ("netkit" for the top level).
pub fn examples(name: &str) -> &'static [Example] {
    EXAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, e)| *e)
        .unwrap_or(&[])
}

fn examples_help(name: &str) -> String {
    let mut text = String::from("Examples:\n");
    for e in examples(name) {
        text.push_str(&format!("  # {}\n  {}\n\n", e.about, e.command));
    }
    text.push_str(&exit_status_help());
    text
}

fn exit_status_help() -> String {
    let mut text = String::from("Exit status:\n");
    for e in Exit::ALL {
        text.push_str(&format!("  {:>3}  {}\n", e.code(), e.meaning()));
    }
    text
}

/// The full clap command, with examples and exit status in every `--help`.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command().after_help(examples_help("netkit"));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let help = examples_help(&name);
        cmd = cmd.mut_subcommand(&name, move |sub| sub.after_help(help));
    }
    cmd
}

/// Parses argv.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Examples and the exit-status table are formatted into every
    // subcommand; only help needs them, so plain runs skip that work.
    let wants_help = args.len() <= 1
        || args
            .iter()
            .skip(1)
            .any(|a| a == "-h" || a == "--help" || a == "help");
    let cmd = if wants_help {
        command()
    } else {
        Cli::command()
    };
    let matches = cmd.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_examples() {
        for sub in command().get_subcommands() {
            assert!(
                !examples(sub.get_name()).is_empty(),
                "{} has no examples",
                sub.get_name()
            );
        }
    }
}
