//! The exit-code contract and the one failure vocabulary.
//!
//! [`Exit`] is the process status; [`Reason`] says why something failed,
//! with a stable code (the `code` of every JSON error object), the exit
//! status it maps to, and a hint for people. Every layer classifies its
//! failures into a `Reason`; nothing else maps errors to exit codes.

use std::io;

use serde::Serialize;

/// A process exit status with a meaning. Ordered so that, with several
/// inputs, the largest code wins (`Exit::worst`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// Every input got a positive answer.
    Success,
    /// A negative answer: not found, closed, mismatch, over a threshold.
    Negative,
    /// Usage error or invalid input.
    Usage,
    /// Name resolution failed without a "no" (SERVFAIL, REFUSED, no nameserver).
    Resolve,
    /// A network wait ran out of time.
    Timeout,
    /// A connection failed: refused, unreachable, reset.
    Connect,
    /// A local or system error: bind failed, permission, limits.
    Local,
    /// Interrupted by SIGINT.
    Interrupted,
    /// Terminated by SIGTERM.
    Terminated,
    /// The status of a command netkit ran for the user (`portcheck --wait
    /// -- CMD`), passed through unchanged.
    Child(u8),
}

impl Exit {
    /// Every code of the contract, in numeric order.
    pub const ALL: [Exit; 9] = [
        Exit::Success,
        Exit::Negative,
        Exit::Usage,
        Exit::Resolve,
        Exit::Timeout,
        Exit::Connect,
        Exit::Local,
        Exit::Interrupted,
        Exit::Terminated,
    ];

    /// The numeric status handed to the operating system.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Negative => 1,
            Exit::Usage => 2,
            Exit::Resolve => 3,
            Exit::Timeout => 4,
            Exit::Connect => 5,
            Exit::Local => 6,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
            Exit::Child(code) => code,
        }
    }

    /// One line describing when this status is used.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success: every input got a positive answer",
            Exit::Negative => {
                "negative answer: not found, a check that found closed, mismatch, over a threshold (a scan that completes is 0)"
            }
            Exit::Usage => "usage error or invalid input",
            Exit::Resolve => {
                "name-resolution failure that is not a \"no\" (SERVFAIL, REFUSED, no nameserver)"
            }
            Exit::Timeout => "timeout",
            Exit::Connect => "connection failed (refused, unreachable, reset)",
            Exit::Local => "local or system error (bind failed, permission, limits)",
            Exit::Interrupted => "interrupted (SIGINT), after printing what was gathered",
            Exit::Terminated => "terminated (SIGTERM), after printing what was gathered",
            Exit::Child(_) => "the status of the command run by portcheck --wait -- CMD",
        }
    }

    /// The combined status of several inputs: the largest code wins.
    pub fn worst<I: IntoIterator<Item = Exit>>(codes: I) -> Exit {
        codes.into_iter().max().unwrap_or(Exit::Success)
    }
}

macro_rules! reasons {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $exit:ident, $hint:expr; )*) => {
        /// Why something failed: one vocabulary for every command and layer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Reason {
            $( $(#[$doc])* $variant, )*
        }

        impl Reason {
            /// Every reason, for documentation and tests.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The stable snake_case code (JSON `error.code`).
            pub fn code(self) -> &'static str {
                match self { $(Reason::$variant => $code,)* }
            }

            /// The exit status a failure of this kind maps to.
            pub fn exit(self) -> Exit {
                match self { $(Reason::$variant => Exit::$exit,)* }
            }

            /// What a person can do about it.
            pub fn hint(self) -> Option<&'static str> {
                match self { $(Reason::$variant => $hint,)* }
            }
        }
    };
}

reasons! {
    /// Not in the table or the name space: no such service, protocol, host (NSS, getaddrinfo).
    NotFound = "not_found", Negative, Some("the name does not exist: check its spelling, the search domain and /etc/hosts");
    /// The DNS says the name does not exist (NXDOMAIN).
    Nxdomain = "nxdomain", Negative, Some("the name does not exist in the DNS: check its spelling and the zone");
    /// The name exists but has no record of that type (NOERROR, empty answer).
    Nodata = "nodata", Negative, None;
    /// The server referred the query elsewhere instead of answering (not authoritative, no recursion).
    Referral = "referral", Negative, Some("the server is not authoritative and does not recurse: ask a resolver, or follow the referral (--trace)");
    /// The authoritative servers of a zone disagree (serial or answer).
    Diverged = "diverged", Negative, Some("the zone's servers disagree: a change has not reached them all (NOTIFY, IXFR/AXFR), or they serve different data");
    /// A reverse name does not resolve back to the address.
    NotConfirmed = "not_confirmed", Negative, Some("the PTR name does not resolve back to the address: fix the forward or the reverse zone");
    /// What came back differs from what was sent.
    Mismatch = "mismatch", Negative, Some("the echo differs from what was sent: a proxy or middlebox rewrote it, or this is not an echo service");
    /// Fewer bytes came back than were sent.
    Short = "short", Negative, Some("the service closed before echoing everything");
    /// A threshold given on the command line was crossed.
    Threshold = "threshold", Negative, None;
    /// An HTTP status other than the one expected.
    HttpStatus = "http_status", Negative, Some("the server answered with an unexpected status");
    /// The body did not match --expect-body.
    HttpBody = "http_body", Negative, Some("the response body does not match --expect-body");
    /// A certificate expires sooner than --min-days.
    TlsExpiresSoon = "tls_expires_soon", Negative, Some("the certificate expires sooner than --min-days: renew it");
    /// Nothing arrived in the time allowed.
    NothingReceived = "nothing_received", Negative, Some("nothing arrived: is the sender running, on this group and port, and is there a route?");
    /// A port is closed where open was expected (or open where closed was).
    Unexpected = "unexpected_state", Negative, None;
    /// The server failed (SERVFAIL).
    Servfail = "servfail", Resolve, Some("the server could not answer: its upstream or the zone is broken (or DNSSEC validation failed there)");
    /// The server refused the query (REFUSED).
    DnsRefused = "dns_refused", Resolve, Some("the server refuses to answer this client: ask another server, or check its ACLs");
    /// The server could not parse the query (FORMERR).
    Formerr = "formerr", Resolve, Some("the server could not parse the query: an old server that does not know EDNS?");
    /// The server does not implement the request (NOTIMP).
    Notimp = "notimp", Resolve, None;
    /// Another DNS error rcode.
    Rcode = "rcode", Resolve, None;
    /// An answer that could not be parsed, or that answers another question.
    Malformed = "malformed", Resolve, Some("the answer could not be parsed: a broken server or a middlebox");
    /// A TSIG signature did not verify, or the server refused the key.
    TsigBad = "tsig_bad", Resolve, Some("the TSIG key was refused or a signature did not verify: check the key's name, algorithm and secret on both sides, and the clocks");
    /// DNSSEC validation failed.
    Bogus = "bogus", Resolve, Some("DNSSEC validation failed: the signatures or the chain of trust are broken (or the clock is wrong)");
    /// The resolver could not answer now (EAI_AGAIN, TRY_AGAIN).
    TemporaryFailure = "temporary_failure", Resolve, Some("the resolver did not answer: check /etc/resolv.conf and that a nameserver is reachable");
    /// The resolver failed for good (EAI_FAIL, NO_RECOVERY).
    ResolverFailure = "resolver_failure", Resolve, Some("name resolution failed: check /etc/resolv.conf and nsswitch.conf");
    /// No nameserver could be asked.
    NoNameserver = "no_nameserver", Resolve, Some("no nameserver to ask: add one to /etc/resolv.conf or give @SERVER");
    /// Nothing came back in time.
    Timeout = "timeout", Timeout, Some("no answer: a firewall drops the packets, the host is down, or the server is overloaded");
    /// Refused: nothing listens there (TCP RST, ICMP port unreachable).
    Refused = "refused", Connect, Some("nothing listens on that port (or a firewall answers with RST): is the service running and bound to this address?");
    /// The peer reset the connection.
    Reset = "reset", Connect, Some("the peer reset the connection: the service crashed or a middlebox cut it");
    /// The peer closed the connection before the exchange was complete.
    Closed = "closed", Connect, Some("the peer closed the connection early");
    /// A zone transfer ended before its closing SOA.
    XfrTruncated = "xfr_truncated", Connect, Some("the transfer stopped before its closing SOA: the server gave up (a limit, a reload) or a middlebox cut the connection");
    /// No route to the network.
    NetUnreachable = "net_unreachable", Connect, Some("no route to that network: check the routes (ip route)");
    /// The host is unreachable (no ARP/ND answer, or ICMP host unreachable).
    HostUnreachable = "host_unreachable", Connect, Some("the host is unreachable: no ARP/ND answer, or a router or reject route said so");
    /// A firewall or a prohibit route refused it (ICMP administratively prohibited, EACCES).
    Prohibited = "prohibited", Connect, Some("a firewall or a prohibit route refused the connection (ICMP administratively prohibited)");
    /// The connect landed on the local socket itself.
    SelfConnect = "self_connect", Connect, Some("the connect landed on itself: nothing listens on that local port");
    /// The proxy refused or failed.
    Proxy = "proxy", Connect, Some("the proxy refused the request or could not reach the target");
    /// The certificate has expired.
    TlsExpired = "tls_expired", Connect, Some("the certificate has expired: renew it, or check this host's clock");
    /// The certificate is not valid yet.
    TlsNotYetValid = "tls_not_yet_valid", Connect, Some("the certificate is not valid yet: check this host's clock");
    /// The certificate is for another name.
    TlsWrongHost = "tls_wrong_host", Connect, Some("the certificate is for another name: check its SANs, or connect by the right name (--tls-name)");
    /// The certificate is self-signed and not trusted.
    TlsSelfSigned = "tls_self_signed", Connect, Some("the certificate is self-signed: trust it with --ca-file FILE, or go on with --insecure");
    /// The certificate names a trusted CA as issuer, but that CA's key did
    /// not sign it.
    TlsBadSignature = "tls_bad_signature", Connect, Some("the certificate names a trusted CA as its issuer, but another key signed it: the CA was re-keyed, or the trusted file holds a different CA of the same name");
    /// The certificate's issuer is not trusted.
    TlsUnknownIssuer = "tls_unknown_issuer", Connect, Some("the issuer is not trusted: add its CA with --ca-file (the server may also be missing an intermediate)");
    /// A CA certificate is used as the server's certificate.
    TlsCaUsedAsLeaf = "tls_ca_used_as_leaf", Connect, Some("the server presents a CA certificate (basicConstraints CA:TRUE) as its own: issue a leaf certificate signed by that CA");
    /// The certificate has been revoked.
    TlsRevoked = "tls_revoked", Connect, Some("the certificate has been revoked");
    /// The certificate is not valid for server authentication or is malformed.
    TlsBadCertificate = "tls_bad_certificate", Connect, Some("the certificate cannot be used by a TLS server (key usage, extensions or encoding)");
    /// The handshake failed for another reason.
    TlsHandshake = "tls_handshake", Connect, Some("the TLS handshake failed: not a TLS service, or no common protocol version or cipher");
    /// Not an HTTP/1.x response.
    HttpMalformed = "http_malformed", Connect, Some("the answer is not HTTP/1.x: is this the right port and scheme?");
    /// An HTTP response whose framing is broken: lengths that disagree,
    /// a bad chunk.
    HttpFraming = "http_framing", Connect, Some("the response's framing is broken (its length or its chunks): a broken server, or a middlebox that mangles it");
    /// Too many redirects, or a redirect loop.
    TooManyRedirects = "too_many_redirects", Connect, Some("the redirects do not end: a loop, or more than the limit");
    /// Another network error.
    Network = "network", Connect, None;
    /// Out of file descriptors.
    FdLimit = "fd_limit", Local, Some("out of file descriptors: raise the limit (ulimit -n) or lower --concurrency");
    /// The address or port is in use.
    AddressInUse = "address_in_use", Local, Some("another socket holds that address and port");
    /// The address is not on this host.
    AddressNotAvailable = "address_not_available", Local, Some("that address is not configured on this host");
    /// Permission denied locally.
    Permission = "permission", Local, Some("permission denied: ports below 1024 and some socket options need privileges");
    /// Another local or system error.
    System = "system", Local, None;
    /// Bad input (in a batch, where it is reported in-band).
    Invalid = "invalid", Usage, None;
    /// Stopped by a signal before an answer came.
    Interrupted = "interrupted", Interrupted, None;
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl schemars::JsonSchema for Reason {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Reason".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        schemars::json_schema!({
            "type": "string",
            "description": "A failure reason from the one vocabulary (docs/exit-codes.md)",
            "enum": codes
        })
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Reason {
    /// The one classifier for operating-system errors.
    pub fn from_io(e: &io::Error) -> Reason {
        match e.raw_os_error() {
            Some(libc::ECONNREFUSED) => return Reason::Refused,
            Some(libc::ECONNRESET | libc::EPIPE | libc::ECONNABORTED) => return Reason::Reset,
            Some(libc::ENETUNREACH | libc::ENETDOWN) => return Reason::NetUnreachable,
            Some(libc::EHOSTUNREACH | libc::EHOSTDOWN) => return Reason::HostUnreachable,
            Some(libc::EACCES | libc::EPERM) => return Reason::Prohibited,
            Some(libc::ETIMEDOUT) => return Reason::Timeout,
            Some(libc::EMFILE | libc::ENFILE) => return Reason::FdLimit,
            Some(libc::EADDRINUSE) => return Reason::AddressInUse,
            Some(libc::EADDRNOTAVAIL) => return Reason::AddressNotAvailable,
            _ => {}
        }
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Reason::Timeout,
            io::ErrorKind::ConnectionRefused => Reason::Refused,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => Reason::Reset,
            io::ErrorKind::UnexpectedEof => Reason::Closed,
            io::ErrorKind::PermissionDenied => Reason::Permission,
            io::ErrorKind::InvalidData => Reason::Malformed,
            _ => Reason::Network,
        }
    }

    /// For a local operation (bind, setsockopt): the same classifier, but
    /// EACCES/EPERM mean a missing privilege, not a firewall.
    pub fn from_local_io(e: &io::Error) -> Reason {
        match Reason::from_io(e) {
            Reason::Prohibited | Reason::Permission => Reason::Permission,
            Reason::FdLimit | Reason::AddressInUse | Reason::AddressNotAvailable => {
                Reason::from_io(e)
            }
            _ => Reason::System,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_contract() {
        let table: Vec<(Exit, u8)> = Exit::ALL.iter().map(|e| (*e, e.code())).collect();
        assert_eq!(
            table,
            vec![
                (Exit::Success, 0),
                (Exit::Negative, 1),
                (Exit::Usage, 2),
                (Exit::Resolve, 3),
                (Exit::Timeout, 4),
                (Exit::Connect, 5),
                (Exit::Local, 6),
                (Exit::Interrupted, 130),
                (Exit::Terminated, 143),
            ]
        );
    }

    #[test]
    fn largest_code_wins() {
        assert_eq!(Exit::worst([]), Exit::Success);
        assert_eq!(Exit::worst([Exit::Negative, Exit::Success]), Exit::Negative);
        assert_eq!(
            Exit::worst([Exit::Timeout, Exit::Resolve, Exit::Negative]),
            Exit::Timeout
        );
        assert_eq!(
            Exit::worst([Exit::Local, Exit::Interrupted]),
            Exit::Interrupted
        );
    }

    #[test]
    fn reason_codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.code()), "{} twice", r.code());
            assert!(
                r.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                r.code()
            );
            assert_eq!(
                serde_json::to_string(r).unwrap(),
                format!("\"{}\"", r.code())
            );
        }
    }

    #[test]
    fn os_errors_classified_once() {
        let c = |e: i32| Reason::from_io(&io::Error::from_raw_os_error(e));
        assert_eq!(c(libc::ECONNREFUSED), Reason::Refused);
        assert_eq!(c(libc::EHOSTUNREACH), Reason::HostUnreachable);
        assert_eq!(c(libc::ENETUNREACH), Reason::NetUnreachable);
        assert_eq!(c(libc::EACCES), Reason::Prohibited);
        assert_eq!(c(libc::EMFILE), Reason::FdLimit);
        assert_eq!(c(libc::ETIMEDOUT), Reason::Timeout);
        assert_eq!(Reason::Refused.exit(), Exit::Connect);
        assert_eq!(Reason::Timeout.exit(), Exit::Timeout);
        assert_eq!(Reason::Servfail.exit(), Exit::Resolve);
        assert_eq!(Reason::Nxdomain.exit(), Exit::Negative);
        let eacces = io::Error::from_raw_os_error(libc::EACCES);
        assert_eq!(Reason::from_local_io(&eacces), Reason::Permission);
    }
}
