//! EDNS options (RFC 6891): what a query asks for (dig's `+nsid`,
//! `+subnet`, `+cookie`, `+padding`), written in dig's order and form, and
//! what the server's OPT record said back, read as dig's OPT pseudo-section
//! shows it. Everything in a reply is untrusted: lengths are checked, text
//! is escaped, and at most [`MAX_OPTIONS`] options are kept.

use std::net::IpAddr;

use serde::Serialize;

use crate::addr::hex;

/// Options kept from one OPT record (docs/limits.md); the rest are
/// counted in `options_dropped`.
pub const MAX_OPTIONS: usize = 16;
/// Most bytes of one option's data kept for display (docs/limits.md).
pub const MAX_OPTION_BYTES: usize = 512;

/// Option codes (IANA "DNS EDNS0 Option Codes").
const NSID: u16 = 3;
const SUBNET: u16 = 8;
const COOKIE: u16 = 10;
const PADDING: u16 = 12;
const EDE: u16 = 15;
const KEEPALIVE: u16 = 11;

/// A client subnet to send (RFC 7871), as `+subnet=ADDR[/LEN]` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    /// The address, host bits cleared.
    pub addr: IpAddr,
    /// SOURCE PREFIX-LENGTH.
    pub prefix: u8,
}

impl Subnet {
    /// Parses `ADDR[/LEN]`, or `0` (dig's shorthand for `0.0.0.0/0`: do not
    /// use my address).
    pub fn parse(text: &str) -> Result<Subnet, String> {
        let t = text.trim();
        if t == "0" {
            return Ok(Subnet {
                addr: IpAddr::from([0, 0, 0, 0]),
                prefix: 0,
            });
        }
        let (a, len) = match t.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (t, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|_| "give ADDR[/LEN], an IPv4 or IPv6 address".to_string())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match len {
            None => max,
            Some(l) => l
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("the prefix length is 0 to {max}"))?,
        };
        Ok(Subnet {
            addr: mask(addr, prefix),
            prefix,
        })
    }

    /// FAMILY, SOURCE PREFIX-LENGTH, SCOPE 0, the address's prefix bytes.
    fn write(&self, out: &mut Vec<u8>) {
        let (family, bytes): (u16, Vec<u8>) = match self.addr {
            IpAddr::V4(a) => (1, a.octets().to_vec()),
            IpAddr::V6(a) => (2, a.octets().to_vec()),
        };
        let n = usize::from(self.prefix).div_ceil(8);
        option_head(out, SUBNET, 4 + n);
        out.extend_from_slice(&family.to_be_bytes());
        out.extend_from_slice(&[self.prefix, 0]);
        out.extend_from_slice(&bytes[..n]);
    }
}

/// `addr` with the bits past `prefix` cleared.
fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u32::from(a) & m).to_be_bytes())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u128::from(a) & m).to_be_bytes())
        }
    }
}

/// A DNS cookie to send (RFC 7873): the client cookie, and a server cookie
/// when given as `+cookie=HEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cookie {
    bytes: [u8; 40],
    len: u8,
}

impl Cookie {
    /// A fresh random client cookie (8 bytes), as `+cookie` sends.
    pub fn random() -> Cookie {
        let mut bytes = [0u8; 40];
        bytes[..8].copy_from_slice(&crate::sys::random_u64().to_ne_bytes());
        Cookie { bytes, len: 8 }
    }

    /// `+cookie=HEX`: 8 bytes of client cookie, then 0 or 8 to 32 of
    /// server cookie (RFC 7873 section 4).
    pub fn parse_hex(text: &str) -> Result<Cookie, String> {
        let t = text.trim();
        let bad =
            || "give 16 hex digits of client cookie, then 16 to 64 of server cookie".to_string();
        if !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let n = t.len() / 2;
        if n != 8 && !(16..=40).contains(&n) {
            return Err(bad());
        }
        let mut bytes = [0u8; 40];
        for (i, b) in bytes.iter_mut().take(n).enumerate() {
            *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Cookie {
            bytes,
            len: n as u8,
        })
    }

    /// The bytes sent.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The client part (the first 8 bytes).
    fn client(&self) -> &[u8] {
        &self.bytes[..8]
    }
}

/// The EDNS options a query carries, beyond the OPT record itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// Ask for the server's identifier (RFC 5001).
    pub nsid: bool,
    /// Send a client subnet (RFC 7871).
    pub subnet: Option<Subnet>,
    /// Send a cookie (RFC 7873).
    pub cookie: Option<Cookie>,
    /// Pad the query to a multiple of this many bytes (RFC 7830; 0: no).
    pub padding: u16,
}

impl QueryOptions {
    /// Whether any option is asked for (the OPT pseudo-section is then
    /// shown).
    pub fn any(&self) -> bool {
        self.nsid || self.subnet.is_some() || self.cookie.is_some() || self.padding > 0
    }

    /// Appends the options in dig's order (NSID, client subnet, cookie,
    /// padding last), the padding sized so the whole message, `base` bytes
    /// before these options, is a multiple of the block.
    pub fn write(&self, base: usize, out: &mut Vec<u8>) {
        let start = out.len();
        if self.nsid {
            option_head(out, NSID, 0);
        }
        if let Some(s) = &self.subnet {
            s.write(out);
        }
        if let Some(c) = &self.cookie {
            option_head(out, COOKIE, c.bytes().len());
            out.extend_from_slice(c.bytes());
        }
        if self.padding > 0 {
            let block = usize::from(self.padding);
            let len = base + (out.len() - start) + 4;
            let pad = len.div_ceil(block) * block - len;
            option_head(out, PADDING, pad);
            out.resize(out.len() + pad, 0);
        }
    }
}

fn option_head(out: &mut Vec<u8>, code: u16, len: usize) {
    out.extend_from_slice(&code.to_be_bytes());
    out.extend_from_slice(&(len as u16).to_be_bytes());
}

/// How a server answered a cookie (RFC 7873).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CookieStatus {
    /// Our client cookie came back with a server cookie.
    Good,
    /// Our client cookie came back alone.
    Echoed,
    /// Another client cookie came back.
    Mismatch,
    /// A cookie of a length RFC 7873 does not allow.
    Malformed,
    /// A cookie came back although none was sent.
    Unsolicited,
    /// A cookie was sent and none came back.
    NotReturned,
}

impl CookieStatus {
    /// dig's words after the cookie.
    fn suffix(self) -> &'static str {
        match self {
            CookieStatus::Good => " (good)",
            CookieStatus::Echoed => " (echoed)",
            CookieStatus::Mismatch => " (bad)",
            CookieStatus::Malformed => " (malformed)",
            CookieStatus::Unsolicited | CookieStatus::NotReturned => "",
        }
    }
}

/// The cookie exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CookieReport {
    /// The client cookie, hex (the one that came back, else the one sent).
    pub client: String,
    /// The server cookie, hex (null when none came back).
    pub server: Option<String>,
    /// good, echoed, mismatch, malformed, unsolicited or not_returned.
    pub status: CookieStatus,
}

/// The server's identifier (RFC 5001).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NsidReport {
    /// The bytes, hex.
    pub hex: String,
    /// The bytes as text, escaped.
    pub text: String,
}

/// The client subnet the server answered for (RFC 7871).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SubnetReport {
    /// The address (prefix bytes, the rest zero); null for an unknown family.
    pub address: Option<IpAddr>,
    /// 1 (IPv4) or 2 (IPv6), as sent.
    pub family: u16,
    /// SOURCE PREFIX-LENGTH.
    pub source_prefix: u8,
    /// SCOPE PREFIX-LENGTH: how far the answer holds.
    pub scope_prefix: u8,
}

/// Any other option, as bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OtherOption {
    /// OPTION-CODE.
    pub code: u16,
    /// Its IANA name, or `OPT=CODE`.
    pub name: String,
    /// OPTION-DATA, hex (at most 512 bytes kept).
    pub hex: String,
}

/// The server's OPT record: what dig shows as the OPT pseudo-section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EdnsReport {
    /// EDNS version.
    pub version: u8,
    /// EDNS flags set: `do`, and `bitN` for the others.
    pub flags: Vec<String>,
    /// The server's UDP payload size.
    pub udp_size: u16,
    /// The server's identifier, when it sent one.
    pub nsid: Option<NsidReport>,
    /// The cookie exchange, when a cookie was sent or came back.
    pub cookie: Option<CookieReport>,
    /// The client subnet, when the server returned one.
    pub client_subnet: Option<SubnetReport>,
    /// Bytes of padding in the answer, when it was padded.
    pub padding_bytes: Option<u16>,
    /// Other options (Extended DNS Errors are in `ede`).
    pub options: Vec<OtherOption>,
    /// Options beyond the 16 kept.
    pub options_dropped: u32,
    /// Each option as dig's OPT pseudo-section shows it, in wire order.
    #[serde(skip)]
    #[schemars(skip)]
    pub shown: Vec<String>,
}

impl EdnsReport {
    /// Its fields into a JSON object, as serde writes them (see
    /// [`crate::output::jsonw`]).
    pub fn write_json(&self, o: &mut crate::output::jsonw::Obj<'_>) -> std::io::Result<()> {
        o.uint(crate::k!("version"), u64::from(self.version));
        o.str_list(crate::k!("flags"), &self.flags);
        o.uint(crate::k!("udp_size"), u64::from(self.udp_size))
            .opt_value(crate::k!("nsid"), &self.nsid)?
            .opt_value(crate::k!("cookie"), &self.cookie)?
            .opt_value(crate::k!("client_subnet"), &self.client_subnet)?
            .opt_value(crate::k!("padding_bytes"), &self.padding_bytes)?
            .values(crate::k!("options"), &self.options)?
            .uint(
                crate::k!("options_dropped"),
                u64::from(self.options_dropped),
            );
        Ok(())
    }
}

/// The raw OPT record of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    /// CLASS: the sender's UDP payload size.
    pub udp_size: u16,
    /// TTL: extended rcode, version, flags.
    pub ttl: u32,
    /// RDATA: the options.
    pub options: Vec<u8>,
}

impl Opt {
    /// DNSSEC OK.
    pub fn dnssec_ok(&self) -> bool {
        self.ttl & 0x8000 != 0
    }

    /// The options, as (code, data), well-formed ones only.
    fn each(&self) -> impl Iterator<Item = (u16, &[u8])> {
        let o = &self.options;
        let mut i = 0;
        std::iter::from_fn(move || {
            let code = u16::from_be_bytes([*o.get(i)?, *o.get(i + 1)?]);
            let len = usize::from(u16::from_be_bytes([*o.get(i + 2)?, *o.get(i + 3)?]));
            let data = o.get(i + 4..i + 4 + len)?;
            i += 4 + len;
            Some((code, data))
        })
    }

    /// The report, given what the query sent.
    pub fn report(&self, sent: &QueryOptions) -> EdnsReport {
        let mut flags = Vec::new();
        let bits = (self.ttl & 0xffff) as u16;
        for bit in (0..16).rev() {
            if bits & (1 << bit) != 0 {
                flags.push(if bit == 15 {
                    "do".to_string()
                } else {
                    format!("bit{}", 15 - bit)
                });
            }
        }
        let mut r = EdnsReport {
            version: (self.ttl >> 16) as u8,
            flags,
            udp_size: self.udp_size,
            nsid: None,
            cookie: None,
            client_subnet: None,
            padding_bytes: None,
            options: Vec::new(),
            options_dropped: 0,
            shown: Vec::new(),
        };
        for (code, data) in self.each() {
            if r.shown.len() >= MAX_OPTIONS {
                r.options_dropped += 1;
                continue;
            }
            let kept = &data[..data.len().min(MAX_OPTION_BYTES)];
            let line = match code {
                NSID => {
                    let n = NsidReport {
                        hex: hex(kept),
                        text: crate::sanitize::escape_bytes(kept),
                    };
                    let line = format!("; NSID: {} (\"{}\")", spaced(kept), dotted(kept));
                    r.nsid.get_or_insert(n);
                    line
                }
                COOKIE => {
                    let c = cookie(data, sent.cookie);
                    let line = format!(
                        "; COOKIE: {}{}{}",
                        c.client,
                        c.server.as_deref().unwrap_or(""),
                        c.status.suffix()
                    );
                    r.cookie.get_or_insert(c);
                    line
                }
                SUBNET => match subnet(data) {
                    Some(sn) => {
                        let addr = sn
                            .address
                            .map(|a| a.to_string())
                            .unwrap_or_else(|| format!("family {}", sn.family));
                        let line = format!(
                            "; CLIENT-SUBNET: {addr}/{}/{}",
                            sn.source_prefix, sn.scope_prefix
                        );
                        r.client_subnet.get_or_insert(sn);
                        line
                    }
                    None => format!("; CLIENT-SUBNET: {} (malformed)", spaced(kept)),
                },
                PADDING => {
                    r.padding_bytes.get_or_insert(data.len() as u16);
                    format!("; PAD: ({} bytes)", data.len())
                }
                EDE => match data {
                    [a, b, text @ ..] => {
                        let code = u16::from_be_bytes([*a, *b]);
                        let text = &text[..text.len().min(MAX_OPTION_BYTES)];
                        let name = super::wire::ede_name(code);
                        if text.is_empty() {
                            format!("; EDE: {code} ({name})")
                        } else {
                            format!(
                                "; EDE: {code} ({name}): ({})",
                                crate::sanitize::escape_bytes(text)
                            )
                        }
                    }
                    _ => format!("; EDE: {} (malformed)", spaced(kept)),
                },
                _ => {
                    r.options.push(OtherOption {
                        code,
                        name: option_name(code),
                        hex: hex(kept),
                    });
                    match (code, data) {
                        (KEEPALIVE, [a, b]) => {
                            let t = u16::from_be_bytes([*a, *b]);
                            format!("; TCP KEEPALIVE: {}.{} secs", t / 10, t % 10)
                        }
                        _ => format!("; OPT={code}: {} (\"{}\")", spaced(kept), dotted(kept)),
                    }
                }
            };
            r.shown.push(line);
        }
        if r.cookie.is_none()
            && let Some(c) = sent.cookie
        {
            r.cookie = Some(CookieReport {
                client: hex(c.client()),
                server: None,
                status: CookieStatus::NotReturned,
            });
        }
        r
    }
}

fn cookie(data: &[u8], sent: Option<Cookie>) -> CookieReport {
    let (client, server) = data.split_at(data.len().min(8));
    let status = if data.len() != 8 && !(16..=40).contains(&data.len()) {
        CookieStatus::Malformed
    } else {
        match sent {
            None => CookieStatus::Unsolicited,
            Some(c) if c.client() != client => CookieStatus::Mismatch,
            Some(_) if server.is_empty() => CookieStatus::Echoed,
            Some(_) => CookieStatus::Good,
        }
    };
    CookieReport {
        client: hex(client),
        server: (!server.is_empty()).then(|| hex(server)),
        status,
    }
}

fn subnet(data: &[u8]) -> Option<SubnetReport> {
    let family = u16::from_be_bytes([*data.first()?, *data.get(1)?]);
    let (source_prefix, scope_prefix) = (*data.get(2)?, *data.get(3)?);
    let addr = &data[4..];
    let address = match family {
        1 if addr.len() <= 4 => {
            let mut b = [0u8; 4];
            b[..addr.len()].copy_from_slice(addr);
            Some(IpAddr::from(b))
        }
        2 if addr.len() <= 16 => {
            let mut b = [0u8; 16];
            b[..addr.len()].copy_from_slice(addr);
            Some(IpAddr::from(b))
        }
        _ => None,
    };
    Some(SubnetReport {
        address,
        family,
        source_prefix,
        scope_prefix,
    })
}

/// The IANA name of an option code.
fn option_name(code: u16) -> String {
    match code {
        1 => "LLQ",
        2 => "UL",
        5 => "DAU",
        6 => "DHU",
        7 => "N3U",
        9 => "EXPIRE",
        11 => "TCP-KEEPALIVE",
        13 => "CHAIN",
        14 => "KEY-TAG",
        16 => "CLIENT-TAG",
        17 => "SERVER-TAG",
        18 => "REPORT-CHANNEL",
        19 => "ZONEVERSION",
        _ => return format!("OPT={code}"),
    }
    .to_string()
}

/// dig's OPT pseudo-section for `r`: `;; OPT PSEUDOSECTION:`, the EDNS
/// line, then each option as dig prints it, in the order they came.
pub fn pseudo_section(r: &EdnsReport) -> Vec<String> {
    let flags = if r.flags.is_empty() {
        String::new()
    } else {
        format!(" {}", r.flags.join(" "))
    };
    let mut lines = vec![
        ";; OPT PSEUDOSECTION:".to_string(),
        format!(
            "; EDNS: version: {}, flags:{flags}; udp: {}",
            r.version, r.udp_size
        ),
    ];
    lines.extend(r.shown.iter().cloned());
    if r.options_dropped > 0 {
        lines.push(format!("; ({} more options not kept)", r.options_dropped));
    }
    lines
}

/// Hex as dig prints NSID: bytes apart.
fn spaced(data: &[u8]) -> String {
    data.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bytes as text, dig's way: printable ASCII kept, the rest `.`.
fn dotted(data: &[u8]) -> String {
    data.iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(o: &QueryOptions, base: usize) -> Vec<u8> {
        let mut v = Vec::new();
        o.write(base, &mut v);
        v
    }

    #[test]
    fn options_are_written_as_dig_writes_them() {
        // Bytes from dig 9.18's own queries (a 45-byte query before options).
        let s = Subnet::parse("192.0.2.77/24").unwrap();
        assert_eq!(
            written(
                &QueryOptions {
                    subnet: Some(s),
                    ..Default::default()
                },
                45
            ),
            [0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2]
        );
        let s = Subnet::parse("2001:db8::1/56").unwrap();
        assert_eq!(
            hex(&written(
                &QueryOptions {
                    subnet: Some(s),
                    ..Default::default()
                },
                45
            )),
            "0008000b0002380020010db8000000"
        );
        assert_eq!(
            hex(&written(
                &QueryOptions {
                    subnet: Some(Subnet::parse("0").unwrap()),
                    ..Default::default()
                },
                45
            )),
            "0008000400010000"
        );
        assert_eq!(
            hex(&written(
                &QueryOptions {
                    subnet: Some(Subnet::parse("::/0").unwrap()),
                    ..Default::default()
                },
                45
            )),
            "0008000400020000"
        );
        let all = QueryOptions {
            nsid: true,
            subnet: Some(Subnet::parse("192.0.2.77/24").unwrap()),
            cookie: Some(Cookie::parse_hex("0102030405060708").unwrap()),
            padding: 64,
        };
        let w = written(&all, 45);
        assert_eq!(45 + w.len(), 128);
        assert_eq!(
            hex(&w[..27]),
            "00030000000800070001180".to_string() + "0c00002000a00080102030405060708"
        );
        assert_eq!(hex(&w[27..31]), "000c0034");
        let pad = QueryOptions {
            padding: 32,
            nsid: true,
            ..Default::default()
        };
        assert_eq!(45 + written(&pad, 45).len(), 64);
        let pad = QueryOptions {
            padding: 128,
            ..Default::default()
        };
        assert_eq!(45 + written(&pad, 45).len(), 128);
    }

    #[test]
    fn bad_subnets_and_cookies_are_refused() {
        for bad in [
            "",
            "192.0.2.1/33",
            "::1/129",
            "x",
            "192.0.2.1/-1",
            "1.2.3/8",
        ] {
            assert!(Subnet::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Subnet::parse("192.0.2.77").unwrap().prefix, 32);
        for bad in [
            "",
            "01",
            "0102030405060708aa",
            "zz02030405060708",
            &"ab".repeat(41),
        ] {
            assert!(Cookie::parse_hex(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Cookie::parse_hex(&"ab".repeat(40)).unwrap().bytes().len(),
            40
        );
    }

    #[test]
    fn a_reply_reads_as_dig_shows_it() {
        let sent = QueryOptions {
            nsid: true,
            cookie: Some(Cookie::parse_hex("0102030405060708").unwrap()),
            ..Default::default()
        };
        let mut options = Vec::new();
        options.extend_from_slice(&[0, 3, 0, 4]);
        options.extend_from_slice(b"ns\x011");
        options.extend_from_slice(&[0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9]);
        options.extend_from_slice(&[0, 8, 0, 7, 0, 1, 24, 16, 192, 0, 2]);
        options.extend_from_slice(&[0, 12, 0, 3, 0, 0, 0]);
        options.extend_from_slice(&[0, 11, 0, 2, 1, 44]);
        let opt = Opt {
            udp_size: 1232,
            ttl: 0x8000,
            options,
        };
        let r = opt.report(&sent);
        assert_eq!(r.cookie.as_ref().unwrap().status, CookieStatus::Good);
        assert_eq!(
            pseudo_section(&r),
            [
                ";; OPT PSEUDOSECTION:",
                "; EDNS: version: 0, flags: do; udp: 1232",
                "; NSID: 6e 73 01 31 (\"ns.1\")",
                "; COOKIE: 01020304050607080909090909090909 (good)",
                "; CLIENT-SUBNET: 192.0.2.0/24/16",
                "; PAD: (3 bytes)",
                "; TCP KEEPALIVE: 30.0 secs",
            ]
        );
        assert_eq!(r.nsid.unwrap().text, "ns\\x011");
        // Another client cookie, a bad length, none sent, none back.
        let other = Opt {
            udp_size: 512,
            ttl: 0,
            options: vec![0, 10, 0, 8, 9, 9, 9, 9, 9, 9, 9, 9],
        };
        assert_eq!(
            other.report(&sent).cookie.unwrap().status,
            CookieStatus::Mismatch
        );
        assert_eq!(
            other
                .report(&QueryOptions::default())
                .cookie
                .unwrap()
                .status,
            CookieStatus::Unsolicited
        );
        let short = Opt {
            udp_size: 512,
            ttl: 0,
            options: vec![0, 10, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 1],
        };
        assert_eq!(
            short.report(&sent).cookie.unwrap().status,
            CookieStatus::Malformed
        );
        let none = Opt {
            udp_size: 512,
            ttl: 0,
            options: vec![],
        };
        assert_eq!(
            none.report(&sent).cookie.unwrap().status,
            CookieStatus::NotReturned
        );
        // Truncated options end the list; many are bounded.
        let cut = Opt {
            udp_size: 512,
            ttl: 0,
            options: vec![0, 3, 0, 9, 1],
        };
        assert!(cut.report(&sent).nsid.is_none());
        let many = Opt {
            udp_size: 512,
            ttl: 0,
            options: [0u8, 99, 0, 0].repeat(100),
        };
        let r = many.report(&sent);
        assert_eq!((r.options.len(), r.options_dropped), (16, 84));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// A hostile server's OPT options: no panic, every line free of
        /// control characters, the kept options bounded.
        #[test]
        fn hostile_options_never_panic(
            options in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            ttl in proptest::prelude::any::<u32>(),
        ) {
            let opt = Opt { udp_size: 512, ttl, options };
            let sent = QueryOptions {
                nsid: true,
                cookie: Some(Cookie::random()),
                ..Default::default()
            };
            let r = opt.report(&sent);
            proptest::prop_assert!(r.shown.len() <= MAX_OPTIONS);
            for line in pseudo_section(&r) {
                proptest::prop_assert!(!line.chars().any(char::is_control), "{line:?}");
            }
        }
    }
}
