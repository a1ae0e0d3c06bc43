//! `netkit lookup --help`: examples and exit statuses.

use crate::cli::help::{Help, ex, row};

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "A and AAAA, CNAME chain, TTLs",
            "netkit lookup www.example.test",
        ),
        ex(
            "Mail servers from a given server, as dig would ask",
            "netkit lookup -t MX example.test @192.0.2.53",
        ),
        ex(
            "As dig's fingers type it: the type after the name, +options",
            "netkit lookup example.test MX @192.0.2.53 +short +tcp",
        ),
        ex(
            "Which server answered, its cookie, the client subnet it scoped (OPT pseudo-section)",
            "netkit lookup www.example.test A @192.0.2.53 +nsid +cookie +subnet=198.51.100.0/24",
        ),
        ex(
            "Each name with its own type, from a given source address, IPv4 only",
            "netkit lookup example.test MX www.example.test AAAA @ns.example.test -4 -b 192.0.2.7",
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
            "The whole zone, signed with a TSIG key (tsig-keygen's file), record by record",
            "netkit lookup example.test AXFR @192.0.2.53 --tsig-key xfr.key",
        ),
        ex(
            "What changed since serial 2024010101, over TLS (XoT)",
            "netkit lookup -t IXFR=2024010101 example.test @tls://ns1.example.test -y hmac-sha256:xfr:SECRET",
        ),
        ex(
            "From the root down, each zone's DS and DNSKEY checked on the way",
            "netkit lookup --trace --dnssec www.example.test",
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
    exits: &[
        row(0, "every (name, type, server) got an answer with data"),
        row(
            1,
            "NXDOMAIN, NODATA or a referral (with --system: not found; with --all-ns: the servers disagree)",
        ),
        row(
            2,
            "a bad name, type, server or file (a line of -f input that is no name is reported in its place and the batch goes on)",
        ),
        row(
            3,
            "SERVFAIL, REFUSED, another rcode, a malformed answer, no nameserver; a transfer refused or whose TSIG does not verify",
        ),
        row(
            4,
            "no answer within the timeout after every retry; a transfer past --xfr-deadline",
        ),
        row(
            5,
            "the server could not be reached (port unreachable, no route); a transfer cut short before its closing SOA",
        ),
    ],
};
