//! Address parsing, packing and classification: the core of `netkit pack`.
//!
//! IPv4 is parsed two ways and both verdicts are reported: strictly
//! (`inet_pton`: a dotted quad of decimal octets) and the legacy way glibc's
//! `inet_aton` accepts (`127.1`, `0x7f.1`, `0177.0.0.1`, `2130706433`). The
//! gap between the two is a classic filter-bypass trap, so it is flagged.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::error::{NetkitError, Result};

/// Which kind of address an input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddrFamily {
    /// IPv4, `AF_INET`.
    Ipv4,
    /// IPv6, `AF_INET6`.
    Ipv6,
    /// A 48-bit IEEE 802 MAC address.
    Mac,
}

impl AddrFamily {
    /// The socket constant name, where there is one.
    pub fn constant(self) -> &'static str {
        match self {
            AddrFamily::Ipv4 => "AF_INET",
            AddrFamily::Ipv6 => "AF_INET6",
            AddrFamily::Mac => "MAC-48",
        }
    }
}

/// The integer value of an address. IPv6 needs 128 bits, which no JSON
/// number can carry exactly, so it is a decimal string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum AddrInteger {
    /// IPv4 and MAC values.
    Number(u64),
    /// IPv6 values, in decimal.
    Text(String),
}

impl std::fmt::Display for AddrInteger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AddrInteger::Number(n) => write!(f, "{n}"),
            AddrInteger::Text(t) => f.write_str(t),
        }
    }
}

/// How the two IPv4 parsers judged an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Ipv4Parsers {
    /// Accepted by the strict parser (`inet_pton`, Rust, Go): a dotted quad.
    pub inet_pton: bool,
    /// Accepted by glibc's legacy `inet_aton` (and so `inet_addr`, `ping`...).
    pub inet_aton: bool,
    /// The shape inet_aton saw: `a.b.c.d`, `a.b.c`, `a.b` or `a`.
    pub aton_form: String,
}

/// Every text form of a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MacForms {
    /// `00:11:32:3c:c3:0b`
    pub colon: String,
    /// `00-11-32-3C-C3-0B` (IEEE 802)
    pub hyphen: String,
    /// `0011.323c.c30b` (Cisco)
    pub dot: String,
    /// `0011323cc30b`
    pub bare: String,
    /// Modified EUI-64 interface identifier, `0211:32ff:fe3c:c30b`.
    pub eui64: String,
    /// The SLAAC link-local address built from it, `fe80::211:32ff:fe3c:c30b`.
    pub ipv6_link_local: String,
}

/// Everything `netkit pack` reports about one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PackReport {
    /// Always true (see [`InvalidInput`] for inputs that did not parse).
    pub ok: bool,
    /// The text as given.
    pub input: String,
    /// ipv4, ipv6 or mac.
    pub family: AddrFamily,
    /// The packed bytes in hex, as `binascii.hexlify` shows them.
    pub packed: String,
    /// How many bytes: 4, 16 or 6.
    pub bytes: usize,
    /// The packed bytes turned back into canonical text.
    pub unpacked: String,
    /// The address as an unsigned integer (network byte order).
    pub integer: AddrInteger,
    /// What kind of address this is: loopback, private, multicast, ...
    pub classes: Vec<&'static str>,
    /// Whether the address is globally reachable (not for MAC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global: Option<bool>,
    /// Multicast scope, for multicast addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_scope: Option<&'static str>,
    /// The reverse-DNS name (in-addr.arpa / ip6.arpa).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_name: Option<String>,
    /// IPv4 only: how the strict and the legacy parser judged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parsers: Option<Ipv4Parsers>,
    /// IPv6 only: all eight groups written out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    /// IPv6 only: the zone after `%`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// IPv6 only: the zone's interface index, if it names one on this host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_id: Option<u32>,
    /// IPv6 only: an IPv4 address carried inside (mapped, 6to4, NAT64...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded_ipv4: Option<String>,
    /// MAC only: every text form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacForms>,
    /// Warnings worth a human's attention (legacy forms, ambiguity).
    pub notes: Vec<String>,
}

impl crate::output::Report for PackReport {
    const TYPE: &'static str = "address";
}

/// A line of `-` input that is not an address: reported in place (the
/// stream goes on), and the command exits 2 at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InvalidInput {
    /// Always false.
    pub ok: bool,
    /// The text as given.
    pub input: String,
    /// Its line number in the input.
    pub line: u64,
    /// Why it is not an address.
    pub error: crate::error::Failure,
}

impl crate::output::Report for InvalidInput {
    const TYPE: &'static str = "address";
}

/// One result of `netkit pack`.
#[derive(Debug)]
pub enum PackItem {
    /// An address, packed or unpacked.
    Address(Box<PackReport>),
    /// A byte-order conversion.
    ByteOrder(super::byteorder::ByteOrderReport),
    /// A line of `-` input that did not parse.
    Invalid(InvalidInput),
}

/// What `netkit pack` was asked, in order: addresses (`None` stands for
/// `-`, the lines of stdin), then unpacked bytes, then conversions. Every
/// argument is parsed when the plan is built, before anything is printed.
#[derive(Debug)]
pub struct PackPlan {
    /// Results in order; `None` where stdin's lines go.
    pub items: Vec<Option<PackItem>>,
}

/// The longest line of `-` input (an address is at most ~60 characters).
pub const MAX_LINE: usize = 4096;

impl PackPlan {
    /// Parses every argument (fails on the first bad one).
    pub fn new(
        addrs: &[String],
        unpack: &[String],
        conversions: &[(super::byteorder::ByteOrderFn, &[String])],
    ) -> Result<PackPlan> {
        let mut items = Vec::new();
        for a in addrs {
            if a == "-" {
                if items.iter().any(Option::is_none) {
                    return Err(NetkitError::invalid("'-' (stdin) may be given only once"));
                }
                items.push(None);
            } else {
                items.push(Some(PackItem::Address(Box::new(pack(a)?))));
            }
        }
        for u in unpack {
            items.push(Some(PackItem::Address(Box::new(unpack_bytes(u)?))));
        }
        for (function, values) in conversions {
            for v in *values {
                items.push(Some(PackItem::ByteOrder(super::byteorder::convert(
                    *function, v,
                )?)));
            }
        }
        if items.is_empty() {
            return Err(NetkitError::invalid(
                "nothing to do: give an ADDR, --unpack BYTES or a byte-order flag such as --htons 1",
            ));
        }
        Ok(PackPlan { items })
    }

    /// Runs the plan: every result to `emit`, stdin's lines packed as they
    /// are read. Returns how many lines of stdin were not addresses.
    pub fn run(
        self,
        stdin: impl std::io::BufRead,
        stop: &crate::signal::Stop,
        emit: &mut dyn FnMut(&PackItem) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut invalid = 0;
        let mut stdin = Some(stdin);
        for item in self.items {
            if let Some(item) = item {
                emit(&item).map_err(NetkitError::system("writing stdout"))?;
                continue;
            }
            let Some(reader) = stdin.take() else { continue };
            for line in crate::value::BoundedLines::new(reader, "stdin", MAX_LINE) {
                if stop.is_set() {
                    break;
                }
                let line = line?;
                let item = match pack(&line.text) {
                    Ok(r) => PackItem::Address(Box::new(r)),
                    Err(e) => {
                        invalid += 1;
                        PackItem::Invalid(InvalidInput {
                            ok: false,
                            input: line.text.clone(),
                            line: line.number,
                            error: crate::error::Failure::new(
                                crate::exit::Reason::Invalid,
                                e.to_string(),
                            ),
                        })
                    }
                };
                emit(&item).map_err(NetkitError::system("writing stdout"))?;
            }
        }
        Ok(invalid)
    }
}

/// Parses one input of any supported kind and reports on it.
pub fn pack(input: &str) -> Result<PackReport> {
    let text = input.trim();
    if text.is_empty() {
        return Err(NetkitError::invalid("empty address"));
    }
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(|| {
            NetkitError::invalid(format!(
                "invalid address '{}': unbalanced '['",
                crate::sanitize::brief(input, 64)
            ))
        })?;
        return pack_ipv6_text(input, inner);
    }
    if text.contains(':') {
        if let Ok(report) = pack_ipv6_text(input, text) {
            return Ok(report);
        }
        if let Some(mac) = parse_mac(text) {
            return Ok(mac_report(input, mac));
        }
        // Re-run for the IPv6 error message: it is the likelier intent.
        return pack_ipv6_text(input, text);
    }
    let is_bare_mac = text.len() == 12 && text.bytes().all(|b| b.is_ascii_hexdigit());
    if is_bare_mac && let Some(mac) = parse_mac(text) {
        let mut report = mac_report(input, mac);
        if let Some(v4) = inet_aton(text) {
            report.notes.push(format!(
                "also a legacy IPv4 literal ({v4} for inet_aton); read as a MAC address"
            ));
        }
        return Ok(report);
    }
    if let Some(report) = pack_ipv4(input, text) {
        return Ok(report);
    }
    if let Some(mac) = parse_mac(text) {
        return Ok(mac_report(input, mac));
    }
    Err(NetkitError::invalid(format!(
        "invalid address '{}': {}",
        crate::sanitize::brief(input, 64),
        ipv4_diagnosis(text)
    )))
}

/// Turns 4 or 16 packed bytes, written as hex (`c0a80101`, `c0:a8:01:01`,
/// `0xc0a80101`) or as escapes (`\xc0\xa8\x01\x01`, `b'\x7f\x00\x00\x01'`),
/// back into an address report.
pub fn unpack_bytes(text: &str) -> Result<PackReport> {
    let bytes = parse_byte_text(text)?;
    let report = match bytes.len() {
        4 => {
            let addr = Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]);
            // Bytes were given, not text: no parser judged anything.
            ipv4_report(text, addr, None)
        }
        16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&bytes);
            ipv6_report(text, Ipv6Addr::from(octets), None, None)
        }
        6 => {
            return Err(NetkitError::invalid(format!(
                "cannot unpack '{text}': 6 bytes is a MAC address, not an IP address (try 'netkit pack {}')",
                hex(&bytes)
            )));
        }
        n => {
            return Err(NetkitError::invalid(format!(
                "cannot unpack '{text}': {n} bytes; an IPv4 address packs to 4 and an IPv6 address to 16"
            )));
        }
    };
    Ok(report)
}

/// Reads bytes written as hex or as Python/C escapes.
pub fn parse_byte_text(text: &str) -> Result<Vec<u8>> {
    let bad = |why: String| {
        NetkitError::invalid(format!(
            "invalid bytes '{}': {why}",
            crate::sanitize::brief(text, 64)
        ))
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("empty".into()));
    }
    let quoted = ["b'", "b\""]
        .iter()
        .find(|p| t.starts_with(**p))
        .map(|p| {
            let quote = &p[1..];
            t[2..]
                .strip_suffix(quote)
                .ok_or_else(|| bad(format!("missing closing {quote}")))
        })
        .transpose()?;
    if let Some(body) = quoted {
        return parse_escaped(body).map_err(bad);
    }
    if t.contains('\\') {
        return parse_escaped(t).map_err(bad);
    }
    let digits: String = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t)
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.' | ' ' | '_'))
        .collect();
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(bad(format!("'{}' is not a hex digit", c.escape_debug())));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(bad("odd number of hex digits".into()));
    }
    Ok((0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or_default())
        .collect())
}

fn parse_escaped(body: &str) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if !c.is_ascii() || c.is_ascii_control() {
                return Err(format!(
                    "'{}' cannot stand in a bytes literal",
                    c.escape_debug()
                ));
            }
            out.push(c as u8);
            continue;
        }
        match chars.next() {
            Some('x') => {
                let hi = chars.next();
                let lo = chars.next();
                let pair: String = [hi, lo].iter().flatten().collect();
                let value = (pair.len() == 2)
                    .then(|| u8::from_str_radix(&pair, 16).ok())
                    .flatten()
                    .ok_or_else(|| {
                        format!(
                            "'\\x{}' needs two hex digits",
                            crate::sanitize::escape(&pair)
                        )
                    })?;
                out.push(value);
            }
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('\'') => out.push(b'\''),
            Some('"') => out.push(b'"'),
            Some(other) => return Err(format!("unknown escape '\\{}'", other.escape_debug())),
            None => return Err("trailing backslash".into()),
        }
    }
    Ok(out)
}

fn pack_ipv4(input: &str, text: &str) -> Option<PackReport> {
    let strict = text.parse::<Ipv4Addr>().ok();
    let (legacy, form, trailing) = inet_aton_detail(text)?;
    let parsers = Ipv4Parsers {
        inet_pton: strict.is_some(),
        inet_aton: true,
        aton_form: form.to_string(),
    };
    let mut report = ipv4_report(input, legacy, Some(parsers));
    if strict.is_none() {
        report.notes.push(format!(
            "not a dotted quad: only the legacy inet_aton parser accepts it (as {legacy}); \
             strict parsers (inet_pton, Rust, Go, Python's ipaddress) reject it, a classic filter-bypass trap"
        ));
        if has_leading_zero_part(text) {
            report.notes.push(
                "a part with a leading 0 is octal to inet_aton (010 = 8), decimal to some other parsers"
                    .into(),
            );
        }
    }
    if let Some(rest) = trailing {
        report.notes.push(format!(
            "inet_aton ignores everything after the first space: '{rest}'"
        ));
    }
    Some(report)
}

fn has_leading_zero_part(text: &str) -> bool {
    text.split('.')
        .any(|p| p.len() > 1 && p.starts_with('0') && !p.starts_with("0x") && !p.starts_with("0X"))
}

/// glibc's `inet_aton`: 1 to 4 parts, each decimal, `0x` hex or `0` octal;
/// the last part fills the remaining bytes. Returns `None` where glibc fails.
pub fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    inet_aton_detail(text).map(|(addr, _, _)| addr)
}

/// Like [`inet_aton`], also returning the form (`a.b`) and any text after the
/// first whitespace, which glibc silently ignores.
fn inet_aton_detail(text: &str) -> Option<(Ipv4Addr, &'static str, Option<&str>)> {
    const MAX: [u32; 4] = [0xffff_ffff, 0x00ff_ffff, 0xffff, 0xff];
    const FORMS: [&str; 4] = ["a", "a.b", "a.b.c", "a.b.c.d"];
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut parts: Vec<u32> = Vec::with_capacity(4);
    let last = loop {
        if !bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (value, end) = strtoul_base0(bytes, pos)?;
        pos = end;
        if bytes.get(pos) == Some(&b'.') {
            if parts.len() > 2 || value > 0xff {
                return None;
            }
            parts.push(value);
            pos += 1;
        } else {
            break value;
        }
    };
    let trailing = match bytes.get(pos) {
        None => None,
        Some(c) if is_c_space(*c) => Some(&text[pos + 1..]),
        Some(_) => return None,
    };
    if last > MAX[parts.len()] {
        return None;
    }
    let mut word: u32 = 0;
    for (i, p) in parts.iter().enumerate() {
        word |= p << (24 - 8 * i);
    }
    word |= last;
    Some((Ipv4Addr::from(word), FORMS[parts.len()], trailing))
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `strtoul(s, &end, 0)` from a position holding a digit, limited to 32 bits
/// as glibc checks it: `None` when the value exceeds 0xffffffff.
pub(crate) fn strtoul_base0(bytes: &[u8], start: usize) -> Option<(u32, usize)> {
    let (radix, mut pos) = match (bytes.get(start), bytes.get(start + 1), bytes.get(start + 2)) {
        (Some(b'0'), Some(b'x' | b'X'), Some(h)) if h.is_ascii_hexdigit() => (16, start + 2),
        (Some(b'0'), _, _) => (8, start),
        _ => (10, start),
    };
    let mut value: u64 = 0;
    while let Some(d) = bytes.get(pos).and_then(|b| (*b as char).to_digit(radix)) {
        value = value * u64::from(radix) + u64::from(d);
        if value > 0xffff_ffff {
            return None;
        }
        pos += 1;
    }
    Some((value as u32, pos))
}

fn ipv4_diagnosis(text: &str) -> String {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() > 4 {
        return format!(
            "{} dot-separated parts (an IPv4 address has at most 4)",
            parts.len()
        );
    }
    if parts.iter().any(|p| p.is_empty()) {
        return "empty part between dots".into();
    }
    for (i, p) in parts.iter().enumerate() {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            let looks_numeric = p.starts_with("0x") || p.starts_with("0X");
            if !looks_numeric {
                return format!(
                    "'{}' is not a number (not an IPv4, IPv6 or MAC address)",
                    crate::sanitize::escape(p)
                );
            }
        }
        if parts.len() == 4
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u64>().map_or(true, |v| v > 255)
        {
            return format!("octet {} ({p}) is out of range 0-255", i + 1);
        }
    }
    "not an IPv4 address: parts out of range or malformed".into()
}

fn ipv4_report(input: &str, addr: Ipv4Addr, parsers: Option<Ipv4Parsers>) -> PackReport {
    let octets = addr.octets();
    let (classes, scope) = classify_v4(addr);
    let global = classes == ["global"] || scope == Some("global");
    PackReport {
        ok: true,
        input: input.to_string(),
        family: AddrFamily::Ipv4,
        packed: hex(&octets),
        bytes: 4,
        unpacked: addr.to_string(),
        integer: AddrInteger::Number(u64::from(u32::from(addr))),
        classes,
        global: Some(global),
        multicast_scope: scope,
        reverse_name: Some(reverse_name_v4(addr)),
        parsers,
        full: None,
        zone: None,
        scope_id: None,
        embedded_ipv4: None,
        mac: None,
        notes: Vec::new(),
    }
}

fn pack_ipv6_text(input: &str, text: &str) -> Result<PackReport> {
    let (addr_text, zone) = match text.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (text, None),
    };
    let addr: Ipv6Addr = addr_text.parse().map_err(|_| {
        NetkitError::invalid(format!(
            "invalid address '{}': {}",
            crate::sanitize::escape(input),
            ipv6_diagnosis(addr_text)
        ))
    })?;
    let (zone, scope_id) = match zone {
        None => (None, None),
        Some(z) => {
            let scope = parse_zone(z).map_err(|why| {
                NetkitError::invalid(format!(
                    "invalid zone in '{}': {why}",
                    crate::sanitize::escape(input)
                ))
            })?;
            (Some(z.to_string()), scope)
        }
    };
    let mut report = ipv6_report(input, addr, zone.clone(), scope_id);
    if let Some(z) = &zone {
        if scope_id.is_none() {
            report
                .notes
                .push(format!("no interface named '{z}' on this host"));
        }
        if !addr.is_unicast_link_local() && !is_multicast_scope_small(addr) {
            report.notes.push(
                "a zone only matters for link-local or small-scope multicast addresses".into(),
            );
        }
    }
    Ok(report)
}

fn is_multicast_scope_small(addr: Ipv6Addr) -> bool {
    addr.is_multicast() && (addr.segments()[0] & 0xf) <= 2
}

/// A zone is an interface index (`%2`) or name (`%eth0`). Returns the index,
/// or `None` for a well-formed name this host does not have.
fn parse_zone(zone: &str) -> std::result::Result<Option<u32>, String> {
    if zone.is_empty() {
        return Err("empty zone after '%'".into());
    }
    if zone.bytes().all(|b| b.is_ascii_digit()) {
        return zone
            .parse::<u32>()
            .map(Some)
            .map_err(|_| "interface index out of range".into());
    }
    if zone.len() >= libc::IF_NAMESIZE {
        return Err(format!(
            "interface name longer than {} bytes",
            libc::IF_NAMESIZE - 1
        ));
    }
    if zone
        .bytes()
        .any(|b| b.is_ascii_control() || b == b'/' || b.is_ascii_whitespace())
    {
        return Err("interface names cannot hold spaces, '/' or control characters".into());
    }
    Ok(crate::addr::iface::index_of(zone))
}

fn ipv6_diagnosis(text: &str) -> String {
    if text.matches("::").count() > 1 {
        return "'::' may appear only once".into();
    }
    if let Some(group) = text
        .split(':')
        .find(|g| !g.contains('.') && (g.len() > 4 || !g.bytes().all(|b| b.is_ascii_hexdigit())))
    {
        return format!(
            "group '{}' is not 1 to 4 hex digits",
            crate::sanitize::escape(group)
        );
    }
    let groups = text.split(':').filter(|g| !g.is_empty()).count();
    if !text.contains("::") && groups != 8 && !text.contains('.') {
        return format!("{groups} groups (an IPv6 address has 8, or fewer with '::')");
    }
    "not a valid IPv6 address".into()
}

fn ipv6_report(
    input: &str,
    addr: Ipv6Addr,
    zone: Option<String>,
    scope_id: Option<u32>,
) -> PackReport {
    let octets = addr.octets();
    let (classes, scope) = classify_v6(addr);
    let global = classes == ["global"] || scope == Some("global");
    let mut notes = Vec::new();
    let embedded = embedded_ipv4(addr).map(|(v4, how)| {
        notes.push(format!("carries IPv4 address {v4} ({how})"));
        v4.to_string()
    });
    let unpacked = match &zone {
        Some(z) => format!("{addr}%{z}"),
        None => addr.to_string(),
    };
    PackReport {
        ok: true,
        input: input.to_string(),
        family: AddrFamily::Ipv6,
        packed: hex(&octets),
        bytes: 16,
        unpacked,
        integer: AddrInteger::Text(u128::from(addr).to_string()),
        classes,
        global: Some(global),
        multicast_scope: scope,
        reverse_name: Some(reverse_name_v6(addr)),
        parsers: None,
        full: Some(
            addr.segments()
                .iter()
                .map(|s| format!("{s:04x}"))
                .collect::<Vec<_>>()
                .join(":"),
        ),
        zone,
        scope_id,
        embedded_ipv4: embedded,
        mac: None,
        notes,
    }
}

/// An IPv4 address carried inside an IPv6 one, and how it is carried.
fn embedded_ipv4(addr: Ipv6Addr) -> Option<(Ipv4Addr, &'static str)> {
    let s = addr.segments();
    let o = addr.octets();
    let last32 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if let Some(v4) = addr.to_ipv4_mapped() {
        return Some((v4, "IPv4-mapped"));
    }
    if s[..6] == [0; 6] && u128::from(addr) > 1 {
        return Some((last32, "IPv4-compatible, deprecated"));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some((last32, "NAT64 well-known prefix"));
    }
    if s[0] == 0x2002 {
        return Some((Ipv4Addr::new(o[2], o[3], o[4], o[5]), "6to4"));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        let client = !u32::from(last32);
        return Some((Ipv4Addr::from(client), "Teredo client"));
    }
    None
}

/// The in-addr.arpa name of an IPv4 address.
pub fn reverse_name_v4(addr: Ipv4Addr) -> String {
    let o = addr.octets();
    format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
}

/// The ip6.arpa name of an IPv6 address (32 nibbles, reversed).
pub fn reverse_name_v6(addr: Ipv6Addr) -> String {
    let mut out = String::with_capacity(73);
    for byte in addr.octets().iter().rev() {
        let _ = write!(out, "{:x}.{:x}.", byte & 0xf, byte >> 4);
    }
    out.push_str("ip6.arpa");
    out
}

fn in_v4(addr: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    u32::from(addr) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(addr: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    u128::from(addr) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// Classes of an IPv4 address (IANA special-purpose registry), and the
/// multicast scope where it is multicast.
pub fn classify_v4(addr: Ipv4Addr) -> (Vec<&'static str>, Option<&'static str>) {
    const TABLE: &[([u8; 4], u32, &str)] = &[
        ([0, 0, 0, 0], 32, "unspecified"),
        ([0, 0, 0, 0], 8, "this_network"),
        ([10, 0, 0, 0], 8, "private"),
        ([100, 64, 0, 0], 10, "shared"),
        ([127, 0, 0, 0], 8, "loopback"),
        ([169, 254, 0, 0], 16, "link_local"),
        ([172, 16, 0, 0], 12, "private"),
        ([192, 0, 0, 0], 24, "ietf_protocol"),
        ([192, 0, 2, 0], 24, "documentation"),
        ([192, 88, 99, 0], 24, "relay_anycast"),
        ([192, 168, 0, 0], 16, "private"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([255, 255, 255, 255], 32, "broadcast"),
        ([240, 0, 0, 0], 4, "reserved"),
    ];
    let mut classes: Vec<&'static str> = Vec::new();
    for (net, prefix, class) in TABLE {
        if in_v4(addr, *net, *prefix) && !classes.contains(class) {
            classes.push(class);
        }
    }
    if classes.contains(&"unspecified") {
        classes.retain(|c| *c == "unspecified");
    }
    if classes.contains(&"broadcast") {
        classes.retain(|c| *c == "broadcast");
    }
    let scope = addr.is_multicast().then(|| {
        if in_v4(addr, [224, 0, 0, 0], 24) {
            "link_local"
        } else if in_v4(addr, [239, 255, 0, 0], 16) {
            "site_local"
        } else if in_v4(addr, [239, 192, 0, 0], 14) {
            "organization_local"
        } else if in_v4(addr, [239, 0, 0, 0], 8) {
            "admin_local"
        } else {
            "global"
        }
    });
    if addr.is_multicast() {
        if in_v4(addr, [232, 0, 0, 0], 8) {
            classes.push("source_specific");
        } else if in_v4(addr, [233, 0, 0, 0], 8) {
            classes.push("glop");
        }
    }
    if classes.is_empty() {
        classes.push("global");
    }
    (classes, scope)
}

/// Classes of an IPv6 address (IANA special-purpose registry), and the
/// multicast scope where it is multicast.
pub fn classify_v6(addr: Ipv6Addr) -> (Vec<&'static str>, Option<&'static str>) {
    const TABLE: &[([u16; 8], u32, &str)] = &[
        ([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified"),
        ([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
        ([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, "ipv4_mapped"),
        ([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "nat64"),
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "nat64_local"),
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard"),
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "teredo"),
        ([0x2001, 2, 0, 0, 0, 0, 0, 0], 48, "benchmarking"),
        ([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, "orchid"),
        ([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, "orchid"),
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation"),
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation"),
        ([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "6to4"),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique_local"),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link_local"),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site_local"),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"),
    ];
    let mut classes: Vec<&'static str> = Vec::new();
    for (net, prefix, class) in TABLE {
        if in_v6(addr, *net, *prefix) && !classes.contains(class) {
            classes.push(class);
        }
    }
    let s = addr.segments();
    if classes.is_empty() && s[..6] == [0; 6] {
        classes.push("ipv4_compatible");
    }
    let scope = addr.is_multicast().then(|| match s[0] & 0xf {
        0x1 => "interface_local",
        0x2 => "link_local",
        0x3 => "realm_local",
        0x4 => "admin_local",
        0x5 => "site_local",
        0x8 => "organization_local",
        0xe => "global",
        _ => "reserved",
    });
    if addr.is_multicast() && s[0] & 0x30 == 0x30 {
        classes.push("source_specific");
    }
    if classes.is_empty() {
        classes.push(if in_v6(addr, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
            "global"
        } else {
            "reserved"
        });
    }
    (classes, scope)
}

/// A 48-bit MAC address in any common text form, or `None`.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let groups: Vec<&str>;
    let per_group: std::ops::RangeInclusive<usize>;
    if text.contains(':') || text.contains('-') {
        let sep = if text.contains(':') { ':' } else { '-' };
        if text.contains(':') && text.contains('-') {
            return None;
        }
        groups = text.split(sep).collect();
        if groups.len() != 6 {
            return None;
        }
        per_group = 1..=2;
    } else if text.contains('.') {
        groups = text.split('.').collect();
        if groups.len() != 3 {
            return None;
        }
        per_group = 4..=4;
    } else {
        groups = vec![text];
        per_group = 12..=12;
    }
    let mut digits = String::with_capacity(12);
    for g in groups {
        if !per_group.contains(&g.len()) || !g.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        if g.len() == 1 {
            digits.push('0');
        }
        digits.push_str(g);
    }
    let mut mac = [0u8; 6];
    for (i, byte) in mac.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(mac)
}

fn mac_report(input: &str, mac: [u8; 6]) -> PackReport {
    let colon = mac
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    let hyphen = mac
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join("-");
    let bare = hex(&mac);
    let dot = format!("{}.{}.{}", &bare[0..4], &bare[4..8], &bare[8..12]);
    let eui = [
        mac[0] ^ 0x02,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ];
    let eui64 = (0..4)
        .map(|i| format!("{:02x}{:02x}", eui[2 * i], eui[2 * i + 1]))
        .collect::<Vec<_>>()
        .join(":");
    let mut ll = [0u8; 16];
    ll[0] = 0xfe;
    ll[1] = 0x80;
    ll[8..].copy_from_slice(&eui);
    let mut classes = Vec::new();
    if mac == [0xff; 6] {
        classes.push("broadcast");
    } else if mac[0] & 1 == 1 {
        classes.push("multicast");
    } else {
        classes.push("unicast");
    }
    classes.push(if mac[0] & 2 == 2 {
        "local"
    } else {
        "universal"
    });
    let mut value: u64 = 0;
    for b in mac {
        value = (value << 8) | u64::from(b);
    }
    PackReport {
        ok: true,
        input: input.to_string(),
        family: AddrFamily::Mac,
        packed: bare.clone(),
        bytes: 6,
        unpacked: colon.clone(),
        integer: AddrInteger::Number(value),
        classes,
        global: None,
        multicast_scope: None,
        reverse_name: None,
        parsers: None,
        full: None,
        zone: None,
        scope_id: None,
        embedded_ipv4: None,
        mac: Some(MacForms {
            colon,
            hyphen,
            dot,
            bare,
            eui64,
            ipv6_link_local: Ipv6Addr::from(ll).to_string(),
        }),
        notes: Vec::new(),
    }
}

/// Lower-case hex of some bytes, as `binascii.hexlify` writes it.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The bytes as Python writes a bytes literal: `b'\x7f\x00\x00\x01'`.
pub fn python_bytes_repr(bytes: &[u8]) -> String {
    let mut out = String::from("b'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('\'');
    out
}

impl crate::output::Render for InvalidInput {
    fn render(&self, w: &mut dyn std::io::Write, _: &crate::output::View) -> std::io::Result<()> {
        use colored::Colorize;
        writeln!(w, "Original: {}", crate::sanitize::brief(&self.input, 200))?;
        writeln!(
            w,
            "{}",
            format!("Error   : line {}: {}", self.line, self.error.message).red()
        )
    }
}

impl crate::output::Render for PackReport {
    fn render(
        &self,
        w: &mut dyn std::io::Write,
        view: &crate::output::View,
    ) -> std::io::Result<()> {
        use crate::sanitize::escape;
        use colored::Colorize;
        let packed_bytes = parse_byte_text(&self.packed).unwrap_or_default();
        writeln!(w, "Original: {}", escape(&self.input))?;
        writeln!(
            w,
            "Packed  : {}  {}",
            self.packed.bold(),
            python_bytes_repr(&packed_bytes).dimmed()
        )?;
        writeln!(w, "Unpacked: {}", self.unpacked.green())?;
        let family = match self.family {
            AddrFamily::Ipv4 => "AF_INET (IPv4)",
            AddrFamily::Ipv6 => "AF_INET6 (IPv6)",
            AddrFamily::Mac => "MAC-48 (IEEE 802)",
        };
        writeln!(w, "Family  : {family}")?;
        writeln!(w, "Integer : {}", self.integer)?;
        let mut class = self.classes.join(", ");
        if let Some(scope) = self.multicast_scope {
            class.push_str(&format!(" (scope {scope})"));
        }
        writeln!(w, "Class   : {class}")?;
        if let Some(p) = &self.parsers {
            let verdict = match (p.inet_pton, p.inet_aton) {
                (true, _) => format!("inet_pton and inet_aton ({})", p.aton_form).normal(),
                (false, true) => format!("inet_aton only ({})", p.aton_form).yellow().bold(),
                (false, false) => "neither".red(),
            };
            writeln!(w, "Parsers : {verdict}")?;
        }
        if let Some(full) = &self.full {
            writeln!(w, "Full    : {full}")?;
        }
        if let Some(zone) = &self.zone {
            match self.scope_id {
                Some(id) => writeln!(w, "Zone    : {} (scope id {id})", escape(zone))?,
                None => writeln!(w, "Zone    : {} (unknown interface)", escape(zone))?,
            }
        }
        if let Some(m) = &self.mac {
            writeln!(
                w,
                "Forms   : {}  {}  {}  {}",
                m.colon, m.hyphen, m.dot, m.bare
            )?;
            writeln!(
                w,
                "EUI-64  : {}  (link-local {})",
                m.eui64, m.ipv6_link_local
            )?;
        }
        if let Some(rev) = &self.reverse_name {
            writeln!(w, "Reverse : {rev}")?;
        }
        for note in &self.notes {
            writeln!(w, "{}", format!("Note    : {}", escape(note)).yellow())?;
        }
        if view.verbose > 0 && self.family != AddrFamily::Mac {
            writeln!(w, "Global  : {}", self.global.unwrap_or(false))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples() {
        let r = pack("192.168.1.1").unwrap();
        assert_eq!(
            (r.packed.as_str(), r.unpacked.as_str()),
            ("c0a80101", "192.168.1.1")
        );
        let r = pack("127.0.0.1").unwrap();
        assert_eq!(r.packed, "7f000001");
        let r = pack("2002:ac10:10a:1234:21e:52ff:fe74:40e").unwrap();
        assert_eq!(r.packed, "2002ac10010a1234021e52fffe74040e");
        assert_eq!(r.unpacked, "2002:ac10:10a:1234:21e:52ff:fe74:40e");
        let r = pack("00:11:32:3c:c3:0b").unwrap();
        assert_eq!(r.packed, "0011323cc30b");
        assert_eq!(
            python_bytes_repr(&[0, 0x11, 0x32, 0x3c, 0xc3, 0x0b]),
            r"b'\x00\x112<\xc3\x0b'"
        );
    }

    #[test]
    fn legacy_ipv4_forms() {
        let table: &[(&str, Option<&str>, bool)] = &[
            ("127.0.0.1", Some("127.0.0.1"), true),
            ("127.1", Some("127.0.0.1"), false),
            ("0x7f.1", Some("127.0.0.1"), false),
            ("0177.0.0.1", Some("127.0.0.1"), false),
            ("2130706433", Some("127.0.0.1"), false),
            ("0xc000027b", Some("192.0.2.123"), false),
            ("10.0.0.256", None, false),
            ("1.2.3.4.5", None, false),
            ("1.2.3.", None, false),
            (".1.2.3", None, false),
            ("1..2", None, false),
            ("08", None, false),
            ("0x", None, false),
            ("1.2.65535", Some("1.2.255.255"), false),
            ("1.2.65536", None, false),
            ("1.16777215", Some("1.255.255.255"), false),
            ("4294967295", Some("255.255.255.255"), false),
            ("4294967296", None, false),
            ("0", Some("0.0.0.0"), false),
            ("1.2.3.4 trailing", Some("1.2.3.4"), false),
            ("1.2.3.4x", None, false),
            ("-1", None, false),
        ];
        for (text, want, strict) in table {
            assert_eq!(
                inet_aton(text).map(|a| a.to_string()).as_deref(),
                *want,
                "{text}"
            );
            assert_eq!(text.parse::<Ipv4Addr>().is_ok(), *strict, "{text}");
        }
    }

    #[test]
    fn legacy_forms_are_flagged() {
        let r = pack("127.1").unwrap();
        let p = r.parsers.unwrap();
        assert!(!p.inet_pton && p.inet_aton);
        assert_eq!(p.aton_form, "a.b");
        assert!(r.notes[0].contains("filter-bypass"));
        let r = pack("010.0.0.1").unwrap();
        assert_eq!(r.unpacked, "8.0.0.1");
        assert!(r.notes.iter().any(|n| n.contains("octal")));
        assert!(pack("10.1.2.3").unwrap().notes.is_empty());
    }

    #[test]
    fn invalid_inputs_explain_themselves() {
        let table = [
            ("10.0.0.256", "octet 4 (256) is out of range"),
            ("1.2.3.4.5", "5 dot-separated parts"),
            ("1..2.3", "empty part"),
            ("hello", "'hello' is not a number"),
            ("1:2:3", "groups"),
            ("::1::2", "'::' may appear only once"),
            ("12345::", "not 1 to 4 hex digits"),
            ("fe80::1%", "empty zone"),
            ("[::1", "unbalanced"),
            ("", "empty"),
        ];
        for (input, want) in table {
            let err = pack(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input:?}: {err}");
        }
    }

    #[test]
    fn ipv6_forms() {
        let r = pack("::ffff:192.0.2.128").unwrap();
        assert_eq!(r.unpacked, "::ffff:192.0.2.128");
        assert_eq!(r.embedded_ipv4.as_deref(), Some("192.0.2.128"));
        assert_eq!(r.classes, vec!["ipv4_mapped"]);
        let r = pack("2001:0db8:0000:0000:0000:0000:0000:0001").unwrap();
        assert_eq!(r.unpacked, "2001:db8::1");
        assert_eq!(
            r.full.as_deref(),
            Some("2001:0db8:0000:0000:0000:0000:0000:0001")
        );
        let r = pack("[::1]").unwrap();
        assert_eq!(r.classes, vec!["loopback"]);
        let r = pack("fe80::1%lo").unwrap();
        assert_eq!(r.zone.as_deref(), Some("lo"));
        assert_eq!(r.unpacked, "fe80::1%lo");
        let r = pack("fe80::1%7").unwrap();
        assert_eq!(r.scope_id, Some(7));
        let r = pack("2002:c000:0204::1").unwrap();
        assert_eq!(r.embedded_ipv4.as_deref(), Some("192.0.2.4"));
        let r = pack("64:ff9b::192.0.2.33").unwrap();
        assert_eq!(r.embedded_ipv4.as_deref(), Some("192.0.2.33"));
        assert_eq!(
            r.integer,
            AddrInteger::Text(
                u128::from(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x221)).to_string()
            )
        );
    }

    #[test]
    fn classification_v4() {
        let table: &[(&str, &[&str], Option<&str>)] = &[
            ("0.0.0.0", &["unspecified"], None),
            ("0.1.2.3", &["this_network"], None),
            ("127.0.0.53", &["loopback"], None),
            ("10.1.2.3", &["private"], None),
            ("172.31.255.255", &["private"], None),
            ("172.32.0.0", &["global"], None),
            ("192.168.0.1", &["private"], None),
            ("100.64.0.1", &["shared"], None),
            ("169.254.1.1", &["link_local"], None),
            ("192.0.2.1", &["documentation"], None),
            ("198.51.100.7", &["documentation"], None),
            ("203.0.113.9", &["documentation"], None),
            ("198.19.0.1", &["benchmarking"], None),
            ("224.0.0.251", &["multicast"], Some("link_local")),
            (
                "232.1.1.1",
                &["multicast", "source_specific"],
                Some("global"),
            ),
            ("239.255.255.250", &["multicast"], Some("site_local")),
            ("239.1.2.3", &["multicast"], Some("admin_local")),
            ("255.255.255.255", &["broadcast"], None),
            ("240.0.0.1", &["reserved"], None),
            ("93.184.216.34", &["global"], None),
        ];
        for (text, classes, scope) in table {
            let (got, got_scope) = classify_v4(text.parse().unwrap());
            assert_eq!((got.as_slice(), got_scope), (*classes, *scope), "{text}");
        }
    }

    #[test]
    fn classification_v6() {
        let table: &[(&str, &[&str], Option<&str>)] = &[
            ("::", &["unspecified"], None),
            ("::1", &["loopback"], None),
            ("::192.0.2.1", &["ipv4_compatible"], None),
            ("fe80::1", &["link_local"], None),
            ("fd12:3456::1", &["unique_local"], None),
            ("2001:db8::1", &["documentation"], None),
            ("3fff:1::1", &["documentation"], None),
            ("2001::1", &["teredo"], None),
            ("2001:2::1", &["benchmarking"], None),
            ("ff02::1", &["multicast"], Some("link_local")),
            ("ff05::2", &["multicast"], Some("site_local")),
            (
                "ff3e::8000:1",
                &["multicast", "source_specific"],
                Some("global"),
            ),
            ("2606:4700::1", &["global"], None),
            ("4000::1", &["reserved"], None),
        ];
        for (text, classes, scope) in table {
            let (got, got_scope) = classify_v6(text.parse().unwrap());
            assert_eq!((got.as_slice(), got_scope), (*classes, *scope), "{text}");
        }
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name_v4(Ipv4Addr::new(192, 168, 1, 1)),
            "1.1.168.192.in-addr.arpa"
        );
        assert_eq!(
            reverse_name_v6("2001:db8::1".parse().unwrap()),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }

    #[test]
    fn mac_forms() {
        for text in [
            "00:11:32:3c:c3:0b",
            "00-11-32-3C-C3-0B",
            "0011.323c.c30b",
            "0011323cc30b",
            "0:11:32:3c:c3:b",
        ] {
            assert_eq!(
                parse_mac(text),
                Some([0x00, 0x11, 0x32, 0x3c, 0xc3, 0x0b]),
                "{text}"
            );
        }
        for text in [
            "00:11:32:3c:c3",
            "00:11:32:3c:c3:0b:aa",
            "00:11-32:3c:c3:0b",
            "0011.323c",
            "0011323cc30",
            "zz:11:32:3c:c3:0b",
            "000:11:32:3c:c3:0b",
        ] {
            assert_eq!(parse_mac(text), None, "{text}");
        }
        let r = pack("00:11:32:3c:c3:0b").unwrap();
        let forms = r.mac.unwrap();
        assert_eq!(forms.hyphen, "00-11-32-3C-C3-0B");
        assert_eq!(forms.dot, "0011.323c.c30b");
        assert_eq!(forms.eui64, "0211:32ff:fe3c:c30b");
        assert_eq!(forms.ipv6_link_local, "fe80::211:32ff:fe3c:c30b");
        assert_eq!(r.classes, vec!["unicast", "universal"]);
        assert_eq!(
            pack("01:00:5e:00:00:fb").unwrap().classes,
            vec!["multicast", "universal"]
        );
        assert_eq!(
            pack("ff:ff:ff:ff:ff:ff").unwrap().classes,
            vec!["broadcast", "local"]
        );
        assert_eq!(
            pack("02:42:ac:11:00:02").unwrap().classes,
            vec!["unicast", "local"]
        );
    }

    /// Found by fuzz/fuzz_targets/addresses.rs: the bad escape was quoted
    /// raw, NUL and all, into the error line.
    #[test]
    fn bad_escapes_are_quoted_escaped() {
        let e = parse_byte_text("b'\\x7\0\0'").unwrap_err().to_string();
        assert!(!e.chars().any(char::is_control), "{e:?}");
        assert!(e.contains("needs two hex digits"), "{e}");
    }

    #[test]
    fn byte_text_forms() {
        let want = vec![0xc0, 0xa8, 0x01, 0x01];
        for text in [
            "c0a80101",
            "C0A80101",
            "0xc0a80101",
            "c0:a8:01:01",
            "c0 a8 01 01",
            r"\xc0\xa8\x01\x01",
            r"b'\xc0\xa8\x01\x01'",
        ] {
            assert_eq!(parse_byte_text(text).unwrap(), want, "{text}");
        }
        assert_eq!(
            parse_byte_text(r"b'\x00\x112<\xc3\x0b'").unwrap(),
            vec![0, 0x11, 0x32, 0x3c, 0xc3, 0x0b]
        );
        for text in ["", "c0a8010", "xyz", r"\xZZ", r"b'\x7f", r"\q", "\\"] {
            assert!(parse_byte_text(text).is_err(), "{text:?}");
        }
        assert_eq!(unpack_bytes("7f000001").unwrap().unpacked, "127.0.0.1");
        assert_eq!(
            unpack_bytes("00000000000000000000000000000001")
                .unwrap()
                .unpacked,
            "::1"
        );
        assert!(
            unpack_bytes("0011323cc30b")
                .unwrap_err()
                .to_string()
                .contains("MAC")
        );
        assert!(
            unpack_bytes("010203")
                .unwrap_err()
                .to_string()
                .contains("3 bytes")
        );
    }
}
