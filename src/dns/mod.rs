//! DNS: queries sent the way dig sends them, reporting exactly what the
//! server said (rcode, header flags, answer and authority sections, round
//! trip time), the system's resolv.conf rules, and batches that stream.

pub mod allns;
pub mod client;
pub mod dnssec;
pub mod link;
pub mod lookup;
pub mod present;
pub mod record;
pub mod render;
pub mod system;
pub mod trace;
pub mod wire;

use std::net::SocketAddr;

use hickory_proto::rr::{Name, RecordType};

use crate::error::{NetkitError, Result};
use crate::exit::Reason;
use crate::sanitize::brief;

pub use client::{Exchange, QueryOpts, exchange};
pub use system::{SystemConfig, system_config};

/// Parses `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`, `::1` (port 53 by default).
pub fn parse_server(text: &str) -> Result<SocketAddr> {
    let t = text.trim().trim_start_matches('@');
    let bad = || {
        NetkitError::invalid(format!(
            "invalid DNS server '{}': give an IP address, optionally :PORT",
            brief(text, 64)
        ))
    };
    let hp = crate::addr::parse_host_port(t).map_err(|_| bad())?;
    let ip = hp.host.ip().ok_or_else(bad)?;
    Ok(SocketAddr::new(ip, hp.port_or(53)))
}

/// How `tls://` servers are verified.
#[derive(Debug, Clone, Copy, Default)]
pub struct TlsOpts<'a> {
    /// PEM trust anchors instead of the system's store.
    pub ca_file: Option<&'a std::path::Path>,
    /// The name the certificate must hold (else the address).
    pub name: Option<&'a str>,
}

/// The TLS client settings and the name to verify for an encrypted server.
fn tls_config(
    ip: std::net::IpAddr,
    tls: &TlsOpts<'_>,
    alpn: &[u8],
    bad: &dyn Fn(&str) -> NetkitError,
) -> Result<(rustls::ClientConfig, rustls::pki_types::ServerName<'static>)> {
    let name = match tls.name {
        Some(n) => rustls::pki_types::ServerName::try_from(n.to_string())
            .map_err(|_| bad("--tls-name is not a valid DNS name"))?,
        None => rustls::pki_types::ServerName::IpAddress(ip.into()),
    };
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let roots = crate::probe::diagnose::tls::roots(tls.ca_file)?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetkitError::invalid(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok((config, name))
}

/// The TLS connector and the name to verify for an encrypted server.
fn tls_settings(
    ip: std::net::IpAddr,
    tls: &TlsOpts<'_>,
    alpn: &[u8],
    bad: &dyn Fn(&str) -> NetkitError,
) -> Result<link::Tls> {
    let (config, name) = tls_config(ip, tls, alpn, bad)?;
    Ok(link::Tls {
        connector: tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)),
        name,
    })
}

/// The address of an encrypted server (`tls://`, `https://`, `quic://`):
/// an IP address, as the certificate's name comes from --tls-name.
fn encrypted_addr(
    hostport: &str,
    default_port: u16,
    form: &str,
    bad: &dyn Fn(&str) -> NetkitError,
) -> Result<SocketAddr> {
    let hp = crate::addr::parse_host_port(hostport).map_err(|_| bad(&format!("give {form}")))?;
    let ip = hp.host.ip().ok_or_else(|| {
        bad("give the server's address, and its certificate's name with --tls-name")
    })?;
    Ok(SocketAddr::new(ip, hp.port_or(default_port)))
}

/// Parses a server as [`parse_server`] does, `tls://ADDRESS[:PORT]` for
/// DNS over TLS (RFC 7858, port 853 by default) and
/// `https://ADDRESS[:PORT][/PATH]` for DNS over HTTPS (RFC 8484, HTTP/2,
/// port 443, `/dns-query`) and `quic://ADDRESS[:PORT]` for DNS over QUIC
/// (RFC 9250, UDP port 853), registering the settings for that address.
pub fn parse_server_with(text: &str, tls: &TlsOpts<'_>) -> Result<SocketAddr> {
    let t = text.trim().trim_start_matches('@');
    let bad = |why: &str| {
        NetkitError::invalid(format!("invalid DNS server '{}': {why}", brief(text, 64)))
    };
    if let Some(rest) = t.strip_prefix("tls://") {
        let addr = encrypted_addr(
            rest.trim_end_matches('/'),
            853,
            "tls://ADDRESS[:PORT]",
            &bad,
        )?;
        let tls = tls_settings(addr.ip(), tls, b"dot", &bad)?;
        link::use_tls(addr, tls);
        return Ok(addr);
    }
    if let Some(rest) = t.strip_prefix("https://") {
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/dns-query"),
        };
        let addr = encrypted_addr(hostport, 443, "https://ADDRESS[:PORT][/PATH]", &bad)?;
        let tls = tls_settings(addr.ip(), tls, b"h2", &bad)?;
        let authority = match tls.name {
            rustls::pki_types::ServerName::DnsName(ref n) => {
                format!("{}:{}", n.as_ref(), addr.port())
            }
            _ => addr.to_string(),
        };
        link::use_doh(
            addr,
            link::Doh {
                tls,
                authority,
                path: path.to_string(),
            },
        );
        return Ok(addr);
    }
    if let Some(rest) = t.strip_prefix("quic://") {
        let addr = encrypted_addr(
            rest.trim_end_matches('/'),
            853,
            "quic://ADDRESS[:PORT]",
            &bad,
        )?;
        let ip = addr.ip();
        let (config, name) = tls_config(ip, tls, b"doq", &bad)?;
        let crypto = quinn::crypto::rustls::QuicClientConfig::try_from(config)
            .map_err(|e| NetkitError::invalid(format!("QUIC: {e}")))?;
        let name = match name {
            rustls::pki_types::ServerName::DnsName(n) => n.as_ref().to_string(),
            _ => ip.to_string(),
        };
        link::use_doq(
            addr,
            link::Doq {
                config: quinn::ClientConfig::new(std::sync::Arc::new(crypto)),
                name,
            },
        );
        return Ok(addr);
    }
    if t.starts_with("h3://") {
        return Err(NetkitError::invalid(format!(
            "'{}': DNS over HTTP/3 is not built into netkit; quic://ADDRESS is DNS over QUIC, https://ADDRESS DNS over HTTPS (HTTP/2)",
            brief(text, 64)
        )));
    }
    parse_server(text)
}

/// Parses a record type: `A`, `mx`, `loc`, `TYPE65`... (every IANA
/// mnemonic netkit can show, and RFC 3597's `TYPEnnn` for any other).
pub fn parse_type(text: &str) -> Result<RecordType> {
    present::type_from_name(text.trim())
        .map(RecordType::from)
        .ok_or_else(|| NetkitError::invalid(format!("unknown record type '{}'", brief(text, 32))))
}

/// Parses a domain name as given on the command line: RFC 1035 escapes
/// (`sp\032ace`, `semi\;colon`) are taken as dig takes them, and a
/// Unicode name is sent in its IDNA (`xn--`) form.
pub fn parse_name(text: &str) -> Result<Name> {
    let t = text.trim();
    let bad =
        |why: &str| NetkitError::invalid(format!("invalid name '{}': {why}", brief(text, 100)));
    if t.is_empty() {
        return Err(bad("empty"));
    }
    if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("names cannot hold spaces or control characters"));
    }
    if t.contains('\\') {
        // Escapes: the wire form decides the lengths.
        let wire = wire::WireName::from_text(t).ok_or_else(|| {
            bad("not a valid domain name (labels of 1-63 bytes, 255 in all, \\DDD up to 255)")
        })?;
        let mut labels = Vec::new();
        for l in wire.labels() {
            labels.push(l.to_vec());
        }
        return Name::from_labels(labels).map_err(|_| bad("not a valid domain name"));
    }
    if t.len() > 253 + usize::from(t.ends_with('.')) {
        return Err(bad("longer than 253 characters"));
    }
    if t.split('.').any(|l| l.len() > 63) {
        return Err(bad("a label is longer than 63 characters"));
    }
    if t.contains("..") {
        return Err(bad("empty label"));
    }
    let parsed = if t.is_ascii() {
        Name::from_ascii(t)
    } else {
        Name::from_utf8(t)
    };
    parsed.map_err(|_| bad("not a valid domain name"))
}

/// The in-addr.arpa or ip6.arpa name of an address.
pub fn reverse_name(ip: std::net::IpAddr) -> Name {
    let text = match ip {
        std::net::IpAddr::V4(a) => crate::addr::reverse_name_v4(a),
        std::net::IpAddr::V6(a) => crate::addr::reverse_name_v6(a),
    };
    let mut n = Name::from_ascii(&text).unwrap_or_else(|_| Name::root());
    n.set_fqdn(true);
    n
}

/// A name to query: with `reverse_addresses` (a PTR look-up) an IP address
/// becomes its reverse name, as `host` does, instead of being asked for
/// literally.
pub fn query_name(text: &str, reverse_addresses: bool) -> Result<Name> {
    if reverse_addresses && let Ok(ip) = text.trim().parse::<std::net::IpAddr>() {
        return Ok(reverse_name(ip));
    }
    parse_name(text)
}

/// A DNS outcome, named as dig names the rcode (lower case in JSON), plus
/// NODATA, referral and the transport failures.
pub fn status_name(rcode: u16) -> String {
    match rcode {
        0 => "noerror".into(),
        1 => "formerr".into(),
        2 => "servfail".into(),
        3 => "nxdomain".into(),
        4 => "notimp".into(),
        5 => "refused".into(),
        6 => "yxdomain".into(),
        7 => "yxrrset".into(),
        8 => "nxrrset".into(),
        9 => "notauth".into(),
        10 => "notzone".into(),
        11 => "dsotypeni".into(),
        16 => "badvers".into(),
        n => format!("rcode{n}"),
    }
}

/// The failure vocabulary's reason for a DNS status.
pub fn status_reason(status: &str) -> Option<Reason> {
    Some(match status {
        "noerror" => return None,
        "nodata" => Reason::Nodata,
        "nxdomain" => Reason::Nxdomain,
        "referral" => Reason::Referral,
        "servfail" => Reason::Servfail,
        "refused" => Reason::DnsRefused,
        "formerr" => Reason::Formerr,
        "notimp" => Reason::Notimp,
        _ => Reason::Rcode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert_eq!(
            parse_server("127.0.0.1").unwrap(),
            "127.0.0.1:53".parse().unwrap()
        );
        assert_eq!(
            parse_server("@127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(parse_server("::1").unwrap(), "[::1]:53".parse().unwrap());
        assert_eq!(
            parse_server("[::1]:5300").unwrap(),
            "[::1]:5300".parse().unwrap()
        );
        for bad in ["", "dns.example.test", "1.2.3.4:0", "1.2.3.4:x", "[::1"] {
            assert!(parse_server(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn types_and_names() {
        assert_eq!(parse_type("mx").unwrap(), RecordType::MX);
        assert_eq!(parse_type("TYPE257").unwrap(), RecordType::CAA);
        assert!(parse_type("BOGUS").is_err());
        assert!(parse_name("example.test").is_ok());
        for bad in [
            "",
            "a..b",
            "a b",
            &"x".repeat(64),
            &format!("{}.test", "a.".repeat(130)),
        ] {
            assert!(parse_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reverse_names() {
        let n = query_name("192.0.2.10", true).unwrap();
        assert_eq!(n.to_ascii(), "10.2.0.192.in-addr.arpa.");
        let n = query_name("2001:db8::1", true).unwrap();
        assert!(
            n.to_ascii().starts_with("1.0.0.0.")
                && n.to_ascii().ends_with(".8.b.d.0.1.0.0.2.ip6.arpa.")
        );
        // Not a PTR look-up: the text is a name.
        assert_eq!(
            query_name("192.0.2.10", false).unwrap().to_ascii(),
            "192.0.2.10"
        );
        // Escapes and IDN.
        let n = parse_name("sp\\032ace.test").unwrap();
        assert_eq!(wire::WireName::from_name(&n).to_text(), "sp\\032ace.test.");
        assert_eq!(
            parse_name("bücher.test").unwrap().to_ascii(),
            "xn--bcher-kva.test"
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(status_name(3), "nxdomain");
        assert_eq!(status_name(6), "yxdomain");
        assert_eq!(status_name(12), "rcode12");
        assert_eq!(status_reason("nxdomain"), Some(Reason::Nxdomain));
        assert_eq!(
            status_reason("servfail").map(Reason::exit),
            Some(crate::exit::Exit::Resolve)
        );
        assert_eq!(status_reason("noerror"), None);
    }
}
