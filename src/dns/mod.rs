//! DNS: queries sent the way dig sends them, reporting exactly what the
//! server said (rcode, header flags, answer and authority sections, round
//! trip time), the system's resolv.conf rules, and batches that stream.

pub mod allns;
pub mod client;
pub mod dnssec;
pub mod edns;
pub mod link;
pub mod lookup;
pub mod name;
pub mod present;
pub mod rdata;
pub mod record;
pub mod render;
pub mod server;
pub mod status;
pub mod system;
pub mod trace;
pub mod tsig;
pub mod types;
pub mod udpshare;
pub mod wire;
pub mod xfr;

use hickory_proto::rr::{Name, RecordType};

use crate::error::{NetkitError, Result};
use crate::sanitize::brief;

pub use client::{QueryOpts, exchange};
pub use server::{Server, TransportName};
pub use status::DnsStatus;
pub use system::{SystemConfig, system_config};

/// Parses a record type: `A`, `mx`, `loc`, `TYPE65`... (every IANA
/// mnemonic netkit can show, and RFC 3597's `TYPEnnn` for any other).
pub fn parse_type(text: &str) -> Result<RecordType> {
    types::type_from_name(text.trim())
        .map(RecordType::from)
        .ok_or_else(|| NetkitError::invalid(format!("unknown record type '{}'", brief(text, 32))))
}

/// Parses a domain name as given on the command line: RFC 1035 escapes
/// (`sp\032ace`, `semi\;colon`) are taken as dig takes them, and a
/// Unicode name is sent in its IDNA (`xn--`) form.
pub fn parse_name(text: &str) -> Result<Name> {
    let t = text.trim();
    if let Some(name) = plain_name(t) {
        return Ok(name);
    }
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
        // hickory's text form takes letters, digits, `-` (not first), `_`
        // and `*`; a label may hold any byte, and dig sends what it is
        // given: RFC 2317's `0/25.2.0.192.in-addr.arpa`, `-x.test`,
        // `a+b.test`. Those go as their bytes.
        Name::from_ascii(t).or_else(|_| any_ascii_labels(t))
    } else {
        Name::from_utf8(t)
    };
    parsed.map_err(|_| bad("not a valid domain name"))
}

/// An ASCII name with no escapes, its labels taken byte for byte (the
/// lengths are checked before): what dig sends for the same text.
fn any_ascii_labels(t: &str) -> std::result::Result<Name, hickory_proto::ProtoError> {
    let body = t.strip_suffix('.').unwrap_or(t);
    let mut name = Name::from_labels(body.split('.').map(str::as_bytes))?;
    name.set_fqdn(t.ends_with('.'));
    Ok(name)
}

/// The common name, in one pass over its bytes: ASCII letters, digits,
/// `-` and `_` in labels of 1-63 bytes, none starting with `-`, 253 bytes
/// at most before an optional final dot. This is what `Name::from_ascii`
/// takes as is; anything else (escapes, Unicode, `*`, the root, every
/// error and its message) goes the general way. A batch parses a name a
/// line, and the general way costs ten times this (a test holds the two
/// equal).
fn plain_name(t: &str) -> Option<Name> {
    let all = t.as_bytes();
    let body = all.strip_suffix(b".").unwrap_or(all);
    if body.is_empty() || body.len() > 253 {
        return None;
    }
    let mut start = 0;
    for (i, &c) in body.iter().enumerate() {
        match c {
            b'.' if (1..=63).contains(&(i - start)) => start = i + 1,
            b'-' if i == start => return None,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => {}
            _ => return None,
        }
    }
    if !(1..=63).contains(&(body.len() - start)) {
        return None;
    }
    let mut name = Name::new();
    for label in body.split(|&c| c == b'.') {
        name = name.append_label(label).ok()?;
    }
    name.set_fqdn(body.len() != all.len());
    Some(name)
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

/// Whether a word is written as a class (IN, CH, CHAOS, HS, HESIOD, or
/// CLASS and digits), whether or not its number is one: how a bare word
/// among dig's arguments is told from a name ([`parse_class`] then says
/// what is wrong with `CLASS0`).
pub fn is_class_word(text: &str) -> bool {
    let u = text.trim().to_ascii_uppercase();
    matches!(u.as_str(), "IN" | "CH" | "CHAOS" | "HS" | "HESIOD")
        || u.strip_prefix("CLASS")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A class as dig reads it: IN, CH (CHAOS), HS (HESIOD), CLASSn.
pub fn parse_class(text: &str) -> Result<u16> {
    let u = text.trim().to_ascii_uppercase();
    let n = match u.as_str() {
        "IN" => Some(1),
        "CH" | "CHAOS" => Some(3),
        "HS" | "HESIOD" => Some(4),
        _ if is_class_word(&u) => {
            return u
                .strip_prefix("CLASS")
                .and_then(|n| n.parse::<u16>().ok())
                .filter(|n| *n != 0)
                .ok_or_else(|| {
                    NetkitError::invalid(format!(
                        "class '{}': CLASSn takes n from 1 to 65535",
                        brief(text, 32)
                    ))
                });
        }
        _ => None,
    };
    n.ok_or_else(|| {
        NetkitError::invalid(format!(
            "unknown class '{}': give IN, CH, HS or CLASSn",
            brief(text, 32)
        ))
    })
}

/// A class's name as dig shows it (`CH`, `CLASS42`).
pub fn class_name(class: u16) -> String {
    match class {
        1 => "IN".into(),
        3 => "CH".into(),
        4 => "HS".into(),
        n => format!("CLASS{n}"),
    }
}

/// The name `-x TEXT` asks for, as dig makes it: an address's reverse
/// name, or for one to three octets (`192.0.2`) the reverse zone's
/// (`2.0.192.in-addr.arpa.`, to ask for its NS or SOA).
pub fn reverse_of(text: &str) -> Option<Name> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<std::net::IpAddr>() {
        return Some(reverse_name(ip));
    }
    let octets: Vec<&str> = t.split('.').collect();
    // Decimal 0-255 without leading zeros, as a whole address is read
    // (dig would send `010` as written: a zone that is not 10's).
    let octet = |o: &&str| {
        o.bytes().all(|b| b.is_ascii_digit())
            && !(o.len() > 1 && o.starts_with('0'))
            && o.parse::<u8>().is_ok()
    };
    if !(1..=3).contains(&octets.len()) || !octets.iter().all(octet) {
        return None;
    }
    let labels = octets
        .iter()
        .rev()
        .map(|o| o.parse::<u8>().unwrap_or(0).to_string())
        .chain(["in-addr".to_string(), "arpa".to_string()]);
    Name::from_labels(labels.map(String::into_bytes)).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        /// The one-pass path gives what the general one gives, case and
        /// final dot included, and takes nothing the general one refuses.
        #[test]
        fn plain_names_parse_as_the_general_way(t in "[aZ09_.*-]{0,12}|([a-z0-9-]{1,64}\\.){1,5}[a-z]{0,3}\\.?") {
            let general = if t.contains("..") || t.is_empty() {
                None
            } else {
                Name::from_ascii(&t).ok().filter(|_| t.split('.').all(|l| l.len() <= 63) && t.len() <= 253 + usize::from(t.ends_with('.')))
            };
            if let Some(fast) = plain_name(&t) {
                let general = general.expect("the fast path took what the general one refuses");
                proptest::prop_assert!(fast.eq_case(&general) && fast.is_fqdn() == general.is_fqdn(), "{t}");
            }
        }
    }

    /// Names hickory's text form refuses and dig sends: their labels go
    /// byte for byte, the final dot kept as given.
    #[test]
    fn names_dig_sends_are_sent() {
        for t in [
            "0/25.2.0.192.in-addr.arpa",
            "-x.bulk.test",
            "a+b=c.test.",
            "x*y.test",
            "a@b.test",
            "a-.test",
            "~!$%&'()+,/:;<=>?[]^`{|}.test",
        ] {
            let n = parse_name(t).unwrap_or_else(|e| panic!("{t}: {e}"));
            let wire = wire::WireName::from_name(&n);
            let labels: Vec<&[u8]> = wire.labels().collect();
            let given: Vec<&[u8]> = t
                .trim_end_matches('.')
                .split('.')
                .map(str::as_bytes)
                .collect();
            assert_eq!(labels, given, "{t}");
            assert_eq!(n.is_fqdn(), t.ends_with('.'), "{t}");
        }
    }

    proptest::proptest! {
        /// Any printable ASCII name without escapes, within the lengths, is
        /// taken, and its labels are the text's.
        #[test]
        fn printable_ascii_names_are_their_bytes(t in "([!-\\[\\]-~&&[^.]]{1,20}\\.){1,4}[!-\\[\\]-~&&[^.]]{1,20}\\.?") {
            let n = parse_name(&t).unwrap();
            let wire = wire::WireName::from_name(&n);
            let labels: Vec<&[u8]> = wire.labels().collect();
            let given: Vec<&[u8]> = t.trim_end_matches('.').split('.').map(str::as_bytes).collect();
            proptest::prop_assert_eq!(labels, given);
        }
    }

    #[test]
    fn plain_names_are_the_fast_path() {
        for t in [
            "h0.bulk.test",
            "A-b_c.Example.TEST.",
            "x",
            "_srv._tcp.example.test",
        ] {
            let fast = plain_name(t).unwrap();
            let general = Name::from_ascii(t).unwrap();
            assert!(
                fast.eq_case(&general) && fast.is_fqdn() == general.is_fqdn(),
                "{t}"
            );
        }
        let long = format!("{}.test", "a".repeat(63));
        assert!(plain_name(&long).is_some());
        for other in [
            ".",
            "",
            "a..b",
            "-a.test",
            "a.-b",
            "*.test",
            "a b",
            "bücher.test",
            "sp\\032ace",
            &format!("{}.test", "a".repeat(64)),
            ".a",
        ] {
            assert!(plain_name(other).is_none(), "{other}");
        }
        let n = 253 / 2;
        let at_limit = format!("{}a", "a.".repeat(n));
        assert_eq!(at_limit.len(), 253);
        assert!(plain_name(&at_limit).is_some() && plain_name(&format!("{at_limit}.")).is_some());
        assert!(plain_name(&format!("a{at_limit}")).is_none());
    }

    #[test]
    fn classes_as_dig_reads_them() {
        for (text, n, name) in [
            ("IN", 1, "IN"),
            ("in", 1, "IN"),
            ("CH", 3, "CH"),
            ("chaos", 3, "CH"),
            ("HS", 4, "HS"),
            ("Hesiod", 4, "HS"),
            ("CLASS42", 42, "CLASS42"),
            ("class255", 255, "CLASS255"),
        ] {
            assert_eq!(parse_class(text).unwrap(), n, "{text}");
            assert_eq!(class_name(n), name);
        }
        for bad in [
            "",
            "XX",
            "CLASS",
            "CLASS0",
            "CLASS65536",
            "CLASS1x",
            "CLASS-1",
            "C",
        ] {
            assert!(parse_class(bad).is_err(), "{bad}");
        }
        // What dig's word reader takes for a class is what parse_class
        // reads or refuses with the class's own reason.
        for (word, class) in [
            ("in", true),
            ("CHAOS", true),
            ("CLASS0", true),
            ("CLASS70000", true),
            ("CLASS", false),
            ("CLASS1x", false),
            ("classic", false),
            ("ch.test", false),
        ] {
            assert_eq!(is_class_word(word), class, "{word}");
        }
        let why = parse_class("CLASS70000").unwrap_err().to_string();
        assert!(why.contains("from 1 to 65535"), "{why}");
    }

    #[test]
    fn reverse_zones_from_octets_as_dig_makes_them() {
        let text = |t: &str| reverse_of(t).map(|n| n.to_ascii());
        assert_eq!(text("192.0.2").as_deref(), Some("2.0.192.in-addr.arpa."));
        assert_eq!(text("10").as_deref(), Some("10.in-addr.arpa."));
        assert_eq!(text(" 192.0 ").as_deref(), Some("0.192.in-addr.arpa."));
        assert_eq!(
            text("192.0.2.1").as_deref(),
            Some("1.2.0.192.in-addr.arpa.")
        );
        assert_eq!(text("0").as_deref(), Some("0.in-addr.arpa."));
        for bad in [
            "",
            "256",
            "1.2.3.4.5",
            "1..2",
            "1.2.",
            "a.b",
            "+1",
            "1.2.3/24",
            "0x7f",
            "1000",
            "010.1",
            "00",
        ] {
            assert_eq!(text(bad), None, "{bad:?}");
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
}
