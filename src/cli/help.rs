//! What `--help` and the man pages add to clap's text: worked examples and
//! each command's own exit-status table. The tables are the contract each
//! command keeps (tests check them); docs/exit-codes.md and the man pages
//! are generated from them.

use crate::exit::Exit;

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
                "netkit lookup -f names.txt -t A --json | jq -r 'select(.ok | not) | .name'",
            ),
            ex(
                "Have all of the zone's servers the same serial and answer?",
                "netkit lookup --all-ns www.example.test",
            ),
            ex(
                "DNS over TLS, the certificate checked for a name",
                "netkit lookup @tls://dns.example.test www.example.test",
            ),
            ex(
                "From the root down, one line per server asked, as dig +trace",
                "netkit lookup --trace www.example.test",
            ),
            ex(
                "Reverse look-up, as dig -x",
                "netkit lookup -x 192.0.2.10 @192.0.2.53",
            ),
            ex(
                "Validate with DNSSEC from the root (secure, insecure, bogus: exit 3), every link with -v",
                "netkit lookup --dnssec -v www.example.test @192.0.2.53",
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
                "Wait until the API answers 200 and the app's socket accepts",
                "netkit portcheck --wait --expect-status 200 https://api.example.test/health unix:/run/app.sock",
            ),
            ex(
                "A firewalled host: only the open ports listed",
                "netkit portcheck --open -p- 192.0.2.10",
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

/// One row of a command's exit-status table.
#[derive(Debug, Clone, Copy)]
pub struct ExitRow {
    /// The status.
    pub code: u8,
    /// When this command exits with it.
    pub when: &'static str,
}

const fn row(code: u8, when: &'static str) -> ExitRow {
    ExitRow { code, when }
}

const SIGNALS: [ExitRow; 2] = [
    row(
        130,
        "interrupted (SIGINT), after printing what was gathered",
    ),
    row(
        143,
        "terminated (SIGTERM), after printing what was gathered",
    ),
];

/// Each command's exit statuses: what 0, 1, 2... mean for it.
pub fn exit_table(name: &str) -> Vec<ExitRow> {
    let mut rows: Vec<ExitRow> = match name {
        "pack" => vec![
            row(0, "every input was packed, unpacked or converted"),
            row(
                2,
                "an input is not an address, bytes or a number in range (a bad line of '-' input is reported in place, then exit 2)",
            ),
        ],
        "services" => vec![
            row(0, "every query was answered"),
            row(1, "a name or port is not in the table"),
            row(
                2,
                "a malformed query or port, an unreadable or oversized --db file",
            ),
        ],
        "proto" => vec![
            row(0, "every query was answered"),
            row(1, "a name or number is not in the table"),
            row(
                2,
                "a malformed query, a number above 255, an unreadable --db file",
            ),
        ],
        "hostname" => vec![
            row(0, "the name was printed (and, with --addrs, it resolves)"),
            row(1, "--addrs: the name does not resolve"),
            row(3, "--addrs: the resolver failed (EAI_AGAIN, EAI_FAIL)"),
            row(6, "getifaddrs or another local call failed"),
        ],
        "addrinfo" => vec![
            row(0, "results for every host"),
            row(1, "a host does not resolve (EAI_NONAME, EAI_NODATA)"),
            row(
                2,
                "EAI_SERVICE, EAI_FAMILY, EAI_SOCKTYPE, EAI_BADFLAGS, bad flags",
            ),
            row(3, "the resolver failed (EAI_AGAIN, EAI_FAIL)"),
            row(6, "EAI_SYSTEM, EAI_MEMORY"),
        ],
        "lookup" => vec![
            row(0, "every (name, type, server) got an answer with data"),
            row(
                1,
                "NXDOMAIN, NODATA or a referral (with --system: not found; with --all-ns: the servers disagree)",
            ),
            row(2, "a bad name, type, server or file"),
            row(
                3,
                "SERVFAIL, REFUSED, another rcode, a malformed answer, no nameserver",
            ),
            row(4, "no answer within the timeout after every retry"),
            row(
                5,
                "the server could not be reached (port unreachable, no route)",
            ),
        ],
        "fqdn" => vec![
            row(0, "always: getfqdn falls back to the name given"),
            row(2, "a name holds a NUL byte"),
        ],
        "rdns" => vec![
            row(0, "every address has a name (and passes --verify)"),
            row(1, "an address without a name, or failing --verify"),
            row(
                2,
                "a bad address or CIDR, a block over /16 (IPv4) or /112 (IPv6)",
            ),
            row(3, "SERVFAIL, REFUSED, TRY_AGAIN"),
            row(4, "no DNS answer within the timeout"),
            row(5, "the DNS server could not be reached"),
        ],
        "portcheck" => vec![
            row(
                0,
                "every port is in the --expect'ed state (open by default); with --wait -- CMD: CMD's own status",
            ),
            row(
                1,
                "a port is not in that state (closed, filtered, unreachable), the --wait deadline passed, --local: a port is not free",
            ),
            row(
                2,
                "a bad target, port list, CIDR (over 65,536 addresses) or flag mix",
            ),
            row(3, "a target does not resolve (and it was not a \"no\")"),
            row(6, "a local failure (sockets, file descriptors)"),
            row(
                126,
                "--wait -- CMD: CMD is not executable (checked before waiting)",
            ),
            row(
                127,
                "--wait -- CMD: CMD is not found (checked before waiting)",
            ),
        ],
        "diagnose" => vec![
            row(0, "every phase passed (self-check: every check)"),
            row(
                1,
                "the name does not exist, an HTTP status >= 400 or not --expect-status, --expect-body or --min-days failed, a failed self-check",
            ),
            row(2, "a bad target, status, proxy URL, --ca-file"),
            row(
                3,
                "the resolver failed (temporary failure, no answer in time)",
            ),
            row(4, "a phase timed out"),
            row(
                5,
                "refused, unreachable, prohibited, reset, self-connect, proxy, TLS failures",
            ),
        ],
        "echo-server" => vec![
            row(
                0,
                "stopped by SIGINT or SIGTERM after the drain, or --once served its client",
            ),
            row(
                2,
                "a bad address, port, size, CIDR, or --unix path that is not a socket",
            ),
            row(
                6,
                "bind failed (address in use, permission, a live socket at --unix PATH)",
            ),
        ],
        "echo-client" => vec![
            row(0, "the echo matched and every threshold was met"),
            row(
                1,
                "a mismatch, a threshold crossed (--max-rtt, --max-p99, --max-p999, --max-loss, --min-throughput), a name not found",
            ),
            row(2, "a bad target, mode mix, size or proxy URL"),
            row(3, "the resolver failed"),
            row(4, "no reply within --timeout"),
            row(5, "refused, unreachable, reset, proxy refused"),
            row(6, "a local failure (file descriptors, sockets)"),
        ],
        "mcast-send" => vec![
            row(0, "every datagram was sent"),
            row(1, "some sends failed"),
            row(2, "a bad group, size, rate, interface or source"),
            row(5, "no route for the group (every send failed)"),
            row(6, "socket, bind or option failed"),
        ],
        "mcast-recv" => vec![
            row(0, "datagrams arrived and every threshold was met"),
            row(
                1,
                "nothing arrived by --duration or --count, --expect or --max-loss crossed",
            ),
            row(2, "a bad group, interface, source or threshold"),
            row(4, "--timeout passed with nothing received"),
            row(6, "bind or join failed"),
        ],
        _ => Exit::ALL
            .iter()
            .map(|e| row(e.code(), e.meaning()))
            .collect(),
    };
    if name == "echo-server" || !crate::cli::is_subcommand(name) {
        return rows;
    }
    if !rows.iter().any(|r| r.code == 2) {
        rows.push(row(2, "a usage error"));
        rows.sort_by_key(|r| r.code);
    }
    rows.extend(SIGNALS);
    rows
}

/// The examples and exit statuses shown by `--help` (not `-h`).
pub fn long_help(name: &str) -> String {
    let mut text = String::from("Examples:\n");
    for e in examples(name) {
        text.push_str(&format!("  # {}\n  {}\n\n", e.about, e.command));
    }
    text.push_str("Exit status:\n");
    for r in exit_table(name) {
        text.push_str(&format!("  {:>3}  {}\n", r.code, r.when));
    }
    text
}
