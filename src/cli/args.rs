//! One `Args` struct per subcommand. Values are parsed here (durations,
//! sizes, addresses, targets), so bad input fails before any work starts.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::addr::netdb::DbChoice;

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

/// A value parser that takes any value `T` parses from (checked there) and
/// offers `suggestions` to shell completion: record types, congestion
/// control algorithms, where the accepted set is open (`TYPE65280`, any
/// algorithm the kernel has) but the common values are worth a TAB.
#[derive(Clone)]
struct Suggesting<T> {
    suggestions: &'static [&'static str],
    parsed: std::marker::PhantomData<fn() -> T>,
}

fn suggesting<T>(suggestions: &'static [&'static str]) -> Suggesting<T> {
    Suggesting {
        suggestions,
        parsed: std::marker::PhantomData,
    }
}

impl<T> clap::builder::TypedValueParser for Suggesting<T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Display,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = value
            .to_str()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        text.parse::<T>().map_err(|e| {
            let name = arg.map_or_else(|| "value".to_string(), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "invalid value '{}' for '{name}': {e}\n",
                    crate::sanitize::brief(text, 64)
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.suggestions
                .iter()
                .map(|s| clap::builder::PossibleValue::new(*s)),
        ))
    }
}

/// Record types offered to completion (any mnemonic or TYPEnnn is taken).
const RECORD_TYPES: &[&str] = &[
    "A",
    "AAAA",
    "ANY",
    "CAA",
    "CNAME",
    "DNAME",
    "DNSKEY",
    "DS",
    "HTTPS",
    "LOC",
    "MX",
    "NAPTR",
    "NS",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "OPENPGPKEY",
    "PTR",
    "RRSIG",
    "SOA",
    "SPF",
    "SRV",
    "SSHFP",
    "SVCB",
    "TLSA",
    "TXT",
    "URI",
];

/// Congestion controls offered to completion (any the kernel has is taken).
const CONGESTIONS: &[&str] = &[
    "auto", "system", "reno", "cubic", "bbr", "htcp", "vegas", "westwood",
];

fn duration_arg(text: &str) -> Result<std::time::Duration, String> {
    crate::value::parse_duration(text).map_err(|e| e.to_string())
}

fn timeout_arg(text: &str) -> Result<std::time::Duration, String> {
    crate::value::parse_timeout(text).map_err(|e| e.to_string())
}

fn subnet_arg(text: &str) -> Result<crate::dns::edns::Subnet, String> {
    crate::dns::edns::Subnet::parse(text)
}

fn cookie_arg(text: &str) -> Result<crate::dns::edns::Cookie, String> {
    if text.is_empty() {
        Ok(crate::dns::edns::Cookie::random())
    } else {
        crate::dns::edns::Cookie::parse_hex(text)
    }
}

/// A local address to send from (`-b ADDR`). dig's `ADDR#PORT` is
/// refused: netkit sends several queries at once, each from a port of its
/// own.
pub fn source_arg(text: &str) -> Result<std::net::IpAddr, String> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<std::net::IpAddr>() {
        return Ok(ip);
    }
    let port = t.contains('#') || t.parse::<std::net::SocketAddr>().is_ok();
    Err(if port {
        "give an address without a port: netkit sends queries in parallel, each from a port of its own".to_string()
    } else {
        "give a local IPv4 or IPv6 address".to_string()
    })
}

fn mcast_target_arg(text: &str) -> Result<crate::mcast::McastTarget, String> {
    text.parse()
        .map_err(|e: crate::error::NetkitError| e.to_string())
}

fn percent_arg(text: &str) -> Result<f64, String> {
    crate::value::parse_percent(text)
}

fn rate_arg(text: &str) -> Result<f64, String> {
    crate::value::parse_rate(text)
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
    /// Also write the result as Prometheus metrics to PATH (atomically), for
    /// node_exporter's textfile collector
    #[arg(long = "prom-file", value_name = "PATH")]
    pub prom_file: Option<PathBuf>,
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
    /// Stop after this long without data: before the first datagram too
    /// (default: wait for the first datagram however long it takes, then stop
    /// 10s after the last)
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
    /// Exit 1 unless at least N datagrams arrive
    #[arg(long, value_name = "N")]
    pub expect: Option<u64>,
    /// Exit 1 when loss exceeds this percentage
    #[arg(long, value_name = "PCT", value_parser = percent_arg)]
    pub max_loss: Option<f64>,
}

fn size_arg(text: &str) -> Result<u64, String> {
    crate::value::parse_size(text).map_err(|e| e.to_string())
}

fn cidr_arg(text: &str) -> Result<crate::addr::cidr::Cidr, String> {
    text.parse()
        .map_err(|e: crate::error::NetkitError| e.to_string())
}

fn proxy_arg(text: &str) -> Result<crate::probe::proxy::Proxy, String> {
    text.parse()
        .map_err(|e: crate::error::NetkitError| e.to_string())
}

fn positive_ms(text: &str) -> Result<f64, String> {
    crate::value::parse_positive(text)
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
    /// Under pressure (3/4 of --max-conns used), a connection older than 10 s
    /// (or half --idle-timeout) averaging fewer bytes per second than this
    /// makes way for a new client (0: never)
    #[arg(long, value_name = "BYTES", value_parser = size_arg, default_value = "64")]
    pub min_rate: u64,
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
    /// TCP congestion control: auto (reno when bound to a loopback address,
    /// where the system's BBR reorders and retransmits; the system's
    /// elsewhere), system, or an algorithm (reno, cubic, bbr...)
    #[arg(long, value_name = "ALGO", default_value = "auto", hide_possible_values = true,
          value_parser = suggesting::<crate::echo::congestion::Congestion>(CONGESTIONS))]
    pub congestion: crate::echo::congestion::Congestion,
    /// TCP keepalive after this much idle time
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub keepalive: Option<std::time::Duration>,
    /// UDP datagrams per second answered per source address
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub udp_rate: u32,
    /// Only these clients (repeatable), both protocols
    #[arg(long, value_name = "CIDR", value_parser = cidr_arg)]
    pub allow: Vec<crate::addr::cidr::Cidr>,
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
    /// Also write the result as Prometheus metrics to PATH (atomically), for
    /// node_exporter's textfile collector
    #[arg(long = "prom-file", value_name = "PATH")]
    pub prom_file: Option<PathBuf>,
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
    pub proxy: Option<crate::probe::proxy::Proxy>,
    /// TCP congestion control: auto (reno to a loopback address, where the
    /// system's BBR reorders and retransmits; the system's elsewhere),
    /// system, or an algorithm (reno, cubic, bbr...)
    #[arg(long, value_name = "ALGO", default_value = "auto", hide_possible_values = true,
          value_parser = suggesting::<crate::echo::congestion::Congestion>(CONGESTIONS))]
    pub congestion: crate::echo::congestion::Congestion,
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
    /// Ping mode, open loop: send N requests per second on a fixed schedule
    /// and measure each from its intended send time (no coordinated omission)
    #[arg(long, value_name = "N", value_parser = rate_arg, conflicts_with = "interval")]
    pub rate: Option<f64>,
    /// Exit 1 when the average round trip exceeds MS milliseconds
    #[arg(long, value_name = "MS", value_parser = positive_ms)]
    pub max_rtt: Option<f64>,
    /// Exit 1 when the 99th percentile round trip exceeds MS milliseconds
    #[arg(long, value_name = "MS", value_parser = positive_ms)]
    pub max_p99: Option<f64>,
    /// Exit 1 when the 99.9th percentile round trip exceeds MS milliseconds
    #[arg(long, value_name = "MS", value_parser = positive_ms)]
    pub max_p999: Option<f64>,
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
    /// Most the system resolver is waited for, per host (default 30s)
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
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
// Default: the fields clap does not fill; `concurrency` is clap's 256, set
// by `cli::quick_lookup` (a test holds it equal to clap's parse).
#[derive(Debug, Clone, Default, Args)]
pub struct LookupArgs {
    /// Also write the result as Prometheus metrics to PATH (atomically), for
    /// node_exporter's textfile collector
    #[arg(long = "prom-file", value_name = "PATH")]
    pub prom_file: Option<PathBuf>,
    /// Names to look up; @SERVER[:PORT] picks a server (an address or a
    /// name), as with dig (kdig's @SERVER#PORT and @SERVER@PORT too); @tcp://SERVER asks over TCP only,
    /// @tls://SERVER[:PORT] over DNS over TLS (port 853),
    /// @https://SERVER[:PORT][/PATH] DNS over HTTPS (HTTP/2, /dns-query),
    /// @quic://SERVER[:PORT] DNS over QUIC (UDP port 853). A server name is
    /// resolved by the system, its addresses tried in order, and is the
    /// name its certificate must hold. As dig takes them: a record type
    /// after a name is that name's (`lookup a.test MX b.test TXT`; types
    /// before the first name are its; a name with none gets -t's types, or
    /// A and AAAA); a word is a type when it spells one (MX, txt, TYPE65)
    /// and a name otherwise, or when it is the only word; a name written
    /// like a type takes a trailing dot (`MX.`), --name, or comes after
    /// --. A class word (IN, CH, HS) is the class (-c), and dig's +short, +tcp (+vc), +trace,
    /// +time=S, +tries=N, +retry=N, +[no]rec, +[no]cd, +[no]dnssec,
    /// +bufsize=N, +[no]edns, +[no]adflag, +[no]nsid, +subnet=ADDR/LEN,
    /// +[no]cookie[=HEX], +padding=N and +[no]ttlunits (each also a long
    /// flag below). A label may hold any printable character, sent as
    /// given (RFC 2317's 0/25.2.0.192.in-addr.arpa), or \DDD and \X
    /// escapes as dig reads them
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA
    /// HTTPS SVCB TLSA DS DNSKEY LOC URI ..., any IANA mnemonic, or TYPEnnn
    #[arg(short = 't', long = "type", value_name = "TYPE", hide_possible_values = true,
          value_parser = suggesting::<String>(RECORD_TYPES))]
    pub types: Vec<String>,
    /// Trust anchors (PEM) for tls://, https:// and quic:// servers,
    /// instead of the system's store
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// The name a tls://, https:// or quic:// server's certificate must
    /// hold (else the server's name as given, or its address)
    #[arg(long = "tls-name", value_name = "NAME")]
    pub tls_name: Option<String>,
    /// Resolve iteratively from the root, one line per server asked, as
    /// dig +trace: from the built-in roots, --root-hints FILE, or the root
    /// servers @SERVER names (as dig +trace @SERVER primes; @SERVER then
    /// also finds the addresses of name servers given without glue)
    #[arg(long, conflicts_with_all = ["system", "file", "all_ns"])]
    pub trace: bool,
    /// Root servers for --trace (named.root format, or one address per
    /// line), instead of the built-in IANA roots
    #[arg(long = "root-hints", value_name = "FILE")]
    pub root_hints: Option<PathBuf>,
    /// Ask every authoritative server of the name's zone (found through
    /// @SERVER or resolv.conf) and report where answers or SOA serials differ
    #[arg(long = "all-ns", conflicts_with_all = ["system", "file"])]
    pub all_ns: bool,
    /// Validate answers with DNSSEC from a trust anchor (the root's, built
    /// in): each is secure, insecure, bogus (exit 3) or indeterminate, with
    /// the link that failed. With --trace, each zone's DNSKEY is checked
    /// against the DS its parent's server gave on the way down
    #[arg(long, conflicts_with_all = ["system", "all_ns"])]
    pub dnssec: bool,
    /// Trust anchors for --dnssec instead of the root's: DS or DNSKEY
    /// records in zone-file form (dnssec-dsfromkey, a .key file)
    #[arg(long = "trust-anchor", value_name = "FILE", requires = "dnssec")]
    pub trust_anchor: Option<PathBuf>,
    /// Reverse look-up of ADDR, as dig -x: PTR for its in-addr.arpa or
    /// ip6.arpa name (repeatable); 1-3 octets (192.0.2) name the reverse
    /// zone, for -t NS or SOA. With -t PTR an address NAME is reversed too
    #[arg(short = 'x', long = "reverse", value_name = "ADDR")]
    pub reverse: Vec<String>,
    /// The class asked: IN (the default), CH (CHAOS: `CH TXT version.bind`,
    /// id.server, hostname.bind ask a server who it is), HS or CLASSn; as
    /// dig, also a word after the name (`version.bind TXT CH`). Plain
    /// look-ups only
    #[arg(short = 'c', long = "class", value_name = "CLASS")]
    pub class: Option<String>,
    /// DNS server to ask, as @SERVER (repeatable; one result per server)
    #[arg(long, value_name = "SERVER")]
    pub server: Vec<String>,
    /// Query plain servers over TCP only (tls:// and https:// are TCP
    /// already; not with quic://)
    #[arg(long)]
    pub tcp: bool,
    /// Per attempt (default: resolv.conf's, else 2s); with --system, the
    /// most NSS is waited for (default 30s)
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
    /// Extra attempts after a timeout (default: resolv.conf's attempts - 1, else 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// Values only, one per line
    #[arg(long)]
    pub short: bool,
    /// Do not ask for recursion (RD clear), as dig +norec
    #[arg(long)]
    pub norec: bool,
    /// Set CD (checking disabled): a validating resolver hands over what
    /// fails its checks, as dig +cd
    #[arg(long)]
    pub cd: bool,
    /// Set DO: the signatures come along and are shown, nothing is
    /// validated (that is --dnssec), as dig +dnssec
    #[arg(long = "dnssec-ok")]
    pub dnssec_ok: bool,
    /// The EDNS UDP size asked for (default 1232), as dig +bufsize=N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(512..))]
    pub bufsize: Option<u16>,
    /// No EDNS (no OPT record: 512-byte UDP answers), as dig +noedns
    #[arg(long = "no-edns", conflicts_with_all = ["bufsize", "dnssec_ok", "dnssec", "nsid", "subnet", "cookie", "padding"])]
    pub no_edns: bool,
    /// Set AD in the query: a validating resolver says whether it
    /// validated the answer (flag ad), as dig +adflag (dig sets it by
    /// default, netkit only when asked)
    #[arg(long)]
    pub adflag: bool,
    /// Ask for the server's identifier (NSID, RFC 5001), shown in the OPT
    /// pseudo-section, as dig +nsid
    #[arg(long)]
    pub nsid: bool,
    /// Send a client subnet (ECS, RFC 7871): ADDR[/LEN], or 0 for "do not
    /// use my address"; the scope the server answered for is shown, as dig
    /// +subnet=ADDR/LEN
    #[arg(long, value_name = "ADDR[/LEN]", value_parser = subnet_arg)]
    pub subnet: Option<crate::dns::edns::Subnet>,
    /// Send a DNS cookie (RFC 7873): a random client cookie, or HEX (client
    /// and server cookie); whether it came back good is shown, as dig
    /// +cookie[=HEX]
    #[arg(long, value_name = "HEX", num_args = 0..=1, require_equals = true,
          default_missing_value = "", value_parser = cookie_arg)]
    pub cookie: Option<crate::dns::edns::Cookie>,
    /// Pad the query to a multiple of N bytes (EDNS padding, RFC 7830;
    /// 1-512), as dig +padding=N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=512))]
    pub padding: Option<u16>,
    /// Show TTLs in units (1h30m, 2d), as dig +ttlunits
    #[arg(long = "ttl-units")]
    pub ttl_units: bool,
    /// Port of the servers given without one, and of resolv.conf's, as dig
    /// -p PORT
    #[arg(short = 'p', long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Ask servers over IPv4 only (their IPv4 addresses; with --trace, the
    /// name servers of each level too), as dig -4
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Ask servers over IPv6 only, as dig -6
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
    /// Send queries from this local address (its family only), as dig -b
    /// ADDR (the port is the system's)
    #[arg(short = 'b', long = "source", value_name = "ADDR", value_parser = source_arg)]
    pub source: Option<std::net::IpAddr>,
    /// A name to look up as written, never read as a type or class (as dig
    /// -q; netkit's -q is --quiet). Repeatable; so is every word after --
    #[arg(long = "name", value_name = "NAME", allow_hyphen_values = true)]
    pub query_names: Vec<String>,
    /// Sign a zone transfer (-t AXFR, -t IXFR=SERIAL) with the TSIG key in
    /// FILE, as BIND's tsig-keygen writes it (key "NAME" { algorithm
    /// hmac-sha256; secret "..."; };)
    #[arg(long = "tsig-key", value_name = "FILE", conflicts_with = "tsig")]
    pub tsig_key: Option<PathBuf>,
    /// Sign a zone transfer with this TSIG key, as dig -y: [ALG:]NAME:SECRET
    /// (ALG hmac-sha1, hmac-sha256 (the default), hmac-sha384, hmac-sha512;
    /// SECRET in base64)
    #[arg(short = 'y', long = "tsig", value_name = "[ALG:]NAME:SECRET")]
    pub tsig: Option<String>,
    /// A zone transfer ends by then, whatever its size (each message is
    /// also waited for at most --timeout, default 5s)
    #[arg(long = "xfr-deadline", value_name = "DURATION", value_parser = timeout_arg)]
    pub xfr_deadline: Option<std::time::Duration>,
    /// Names after --: never read as a type, class, @SERVER or +option
    #[arg(last = true, value_name = "NAME", hide = true)]
    pub forced_names: Vec<String>,
    /// Each name's own types when names were given with different types
    /// (`lookup a.test MX b.test TXT`); empty otherwise.
    #[arg(skip)]
    pub name_types: Vec<Vec<String>>,
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
    /// Most the system resolver is waited for, per name (default 30s)
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
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
    /// DNS server for --dns and --verify (repeatable: tried in order), as
    /// lookup's @SERVER: an address or a name, optionally with a scheme
    #[arg(long, value_name = "SERVER")]
    pub server: Vec<String>,
    /// Forward-confirm: each name must resolve back to the address
    #[arg(long)]
    pub verify: bool,
    /// Per DNS attempt (--dns, default 2s); without --dns, the most the
    /// system resolver is waited for, per address (default 30s)
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

/// `--path` and its options, shared by portcheck and diagnose.
#[derive(Debug, Clone, Args)]
pub struct PathArgs {
    /// Trace the route with the connection's own protocol and port (TCP
    /// SYNs with rising TTL, unprivileged) and say where the packets stop
    #[arg(long)]
    pub path: bool,
    /// --path: probes per hop, each its own flow (its own source port,
    /// kept for every TTL)
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=16), requires = "path")]
    pub count: u32,
    /// --path: the highest TTL probed
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u8).range(1..=64), requires = "path")]
    pub max_hops: u8,
    /// --path: the most one probe is waited for (less once hops answer)
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "1s", requires = "path")]
    pub path_timeout: std::time::Duration,
    /// --path: no reverse names for the hops
    #[arg(short = 'n', long = "numeric", requires = "path")]
    pub numeric: bool,
}

impl PathArgs {
    /// The trace options, for `proto`.
    pub fn opts(&self, proto: crate::probe::path::PathProto) -> crate::probe::path::PathOpts {
        crate::probe::path::PathOpts {
            proto,
            probes: self.count,
            max_hops: self.max_hops,
            timeout: self.path_timeout,
            names: !self.numeric,
        }
    }
}

/// `netkit portcheck`
#[derive(Debug, Args)]
pub struct PortcheckArgs {
    /// Also write the result as Prometheus metrics to PATH (atomically), for
    /// node_exporter's textfile collector
    #[arg(long = "prom-file", value_name = "PATH")]
    pub prom_file: Option<PathBuf>,
    /// Hosts, addresses, HOST:PORTS, [V6]:PORTS, CIDR[:PORTS] (PORTS as -p
    /// takes them: 22, 8000-8100, 80,443, http); with --wait also
    /// http(s)://URL, tls://HOST:PORT, unix:/PATH; with --local, port lists
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
    /// Most a SYN waits for its answer; scans wait less once they have
    /// measured the host's round trip
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "1s")]
    pub timeout: std::time::Duration,
    /// Extra attempts for unanswered ports (default: adaptive, 1 and up to
    /// 5 as the host shows loss)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// Show only open ports (the summary still counts every state)
    #[arg(long)]
    pub open: bool,
    /// --wait on https:// and tls:// targets: trust these CA certificates
    /// (PEM) instead of the system's
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// --wait on https:// and tls:// targets: ready even when the
    /// certificate fails verification (self-signed, expired, wrong name)
    #[arg(long)]
    pub insecure: bool,
    /// --wait on http(s):// targets: the status that means ready (default:
    /// anything below 400)
    #[arg(long, value_name = "STATUS", value_parser = status_arg)]
    pub expect_status: Option<u16>,
    /// Connections in flight (default: from the open-file limit, at most 4096)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub concurrency: Option<u64>,
    /// Connections per second
    #[arg(long, value_name = "N", value_parser = rate_arg)]
    pub rate: Option<f64>,
    /// Read what open services say first (bounded: 256 bytes, --timeout)
    #[arg(long)]
    pub banner: bool,
    /// The state every port should be in (open unless given). Given, or
    /// with one HOST:PORT (nc -z style) or --wait, the run is a check: exit
    /// 1 when a port is not in that state. A scan (several ports or hosts,
    /// or --open) that completes exits 0 and reports every state
    #[arg(long, value_enum)]
    pub expect: Option<ExpectState>,
    /// Poll until every port is in the expected state, or --deadline
    #[arg(long)]
    pub wait: bool,
    /// How long --wait polls
    #[arg(long, value_name = "DURATION", value_parser = timeout_arg, default_value = "60s", requires = "wait")]
    pub deadline: std::time::Duration,
    /// Check whether this host can bind the ports (TARGETs are port lists)
    #[arg(long, conflicts_with_all = ["wait", "banner", "ports"])]
    pub local: bool,
    /// With --local: UDP instead of TCP; with --path: UDP probes
    #[arg(long)]
    pub udp: bool,
    /// With --path: ICMP echo probes (ping sockets, where
    /// net.ipv4.ping_group_range allows them)
    #[arg(long, requires = "path", conflicts_with = "udp")]
    pub icmp: bool,
    #[command(flatten)]
    /// --path.
    pub path: PathArgs,
    /// With --local: these addresses (repeatable) instead of the defaults
    #[arg(long, value_name = "ADDR", requires = "local")]
    pub bind: Vec<std::net::IpAddr>,
    /// With --wait: run this once ready, and exit with its status
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

fn regex_arg(text: &str) -> Result<regex_lite::Regex, String> {
    if text.len() > 4096 {
        return Err("a regular expression of at most 4096 bytes".into());
    }
    regex_lite::Regex::new(text).map_err(|e| e.to_string())
}

fn status_arg(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(s) if (100..=599).contains(&s) => Ok(s),
        _ => Err(format!(
            "'{}' is not an HTTP status (100-599)",
            crate::sanitize::brief(text, 100)
        )),
    }
}

/// `netkit diagnose`
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Also write the result as Prometheus metrics to PATH (atomically), for
    /// node_exporter's textfile collector
    #[arg(long = "prom-file", value_name = "PATH")]
    pub prom_file: Option<PathBuf>,
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
    /// Trust these CA certificates (PEM) instead of the system's; a server
    /// certificate found in it as is is trusted too (as curl --cacert does)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Through a proxy: socks5://[user:pass@]host:port, socks5h:// (it resolves), http:// (CONNECT)
    #[arg(long, value_name = "URL", value_parser = proxy_arg)]
    pub proxy: Option<crate::probe::proxy::Proxy>,
    /// The HTTP status expected (default: anything below 400)
    #[arg(long, value_name = "STATUS", value_parser = status_arg)]
    pub expect_status: Option<u16>,
    /// The start of the body (64 KiB) must match this regular expression
    #[arg(long, value_name = "REGEX", value_parser = regex_arg)]
    pub expect_body: Option<regex_lite::Regex>,
    /// Fail when the certificate expires in fewer than N days
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=36500))]
    pub min_days: Option<i64>,
    /// Follow redirects (at most 10), each hop timed
    #[arg(short = 'L', long = "location")]
    pub follow: bool,
    /// Self-check: also query each nameserver
    #[arg(long)]
    pub probe_dns: bool,
    #[command(flatten)]
    /// --path.
    pub path: PathArgs,
}
