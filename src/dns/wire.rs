//! DNS messages read straight from the wire (RFC 1035 4.1), without a
//! general-purpose decoder in between: what a server sent is what netkit
//! shows, whatever it holds (types no library knows, empty rdata, letter
//! case, bytes that are not UTF-8). Records are rendered in presentation
//! form by [`super::present`]. A malformed message is an error, never a
//! panic: every read is bounds-checked, compression pointers are followed at
//! most 128 times and names stop at 255 bytes.

pub use super::name::{WireError, WireName, read_name};
use super::present;
use super::rdata::RecordData;

type Res<T> = Result<T, WireError>;

/// The header flags, in dig's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// A response.
    pub qr: bool,
    /// Authoritative answer.
    pub aa: bool,
    /// Truncated.
    pub tc: bool,
    /// Recursion desired.
    pub rd: bool,
    /// Recursion available.
    pub ra: bool,
    /// Authentic data (validated by the resolver).
    pub ad: bool,
    /// Checking disabled.
    pub cd: bool,
}

impl Flags {
    /// The flags that are set, lower case, in dig's order.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.qr, "qr"),
            (self.aa, "aa"),
            (self.tc, "tc"),
            (self.rd, "rd"),
            (self.ra, "ra"),
            (self.ad, "ad"),
            (self.cd, "cd"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, f)| *f)
        .collect()
    }
}

/// The question of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// QNAME.
    pub name: WireName,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS.
    pub qclass: u16,
}

/// One resource record, as received and as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rr {
    /// The owner.
    pub name: WireName,
    /// TYPE.
    pub rtype: u16,
    /// CLASS (for OPT, the UDP payload size).
    pub class: u16,
    /// TTL (for OPT, the extended rcode, version and flags).
    pub ttl: u32,
    /// RDLENGTH.
    pub rdlength: u16,
    /// The data in presentation form, as dig prints it.
    pub text: String,
    /// Typed fields, for JSON.
    pub data: RecordData,
    /// For NS, CNAME and DNAME, the name pointed to.
    pub target: Option<WireName>,
    /// The data in DNSSEC's canonical form (RFC 4034 6.2, RFC 6840 5.1):
    /// names inside it uncompressed, and lower-cased for the types that
    /// list says (not NSEC's next name).
    pub rdata: Vec<u8>,
}

impl Rr {
    /// The address of an A or AAAA record.
    pub fn address(&self) -> Option<std::net::IpAddr> {
        match self.data {
            RecordData::Address { address } => Some(address),
            _ => None,
        }
    }
}

/// An Extended DNS Error (RFC 8914): why a resolver failed or changed an
/// answer (DNSSEC bogus, stale, blocked, prohibited...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ExtendedError {
    /// INFO-CODE.
    pub code: u16,
    /// Its IANA name.
    pub name: String,
    /// EXTRA-TEXT, escaped (at most 512 bytes kept).
    pub text: String,
}

/// A DNS message as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// ID.
    pub id: u16,
    /// OPCODE.
    pub opcode: u8,
    /// Header flags.
    pub flags: Flags,
    /// RCODE, with the OPT record's upper bits when present (RFC 6891).
    pub rcode: u16,
    /// The first question, if any.
    pub question: Option<Question>,
    /// The answer section.
    pub answers: Vec<Rr>,
    /// The authority section.
    pub authority: Vec<Rr>,
    /// The additional section, the OPT record left out.
    pub additional: Vec<Rr>,
    /// The OPT record (EDNS), when the message had one.
    pub opt: Option<super::edns::Opt>,
    /// Extended DNS Errors (RFC 8914) from the OPT record.
    pub ede: Vec<ExtendedError>,
    /// Size on the wire, bytes.
    pub size: usize,
}

fn u16_at(msg: &[u8], pos: usize) -> Res<u16> {
    msg.get(pos..pos + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(WireError("message ends inside a field"))
}

fn u32_at(msg: &[u8], pos: usize) -> Res<u32> {
    msg.get(pos..pos + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(WireError("message ends inside a field"))
}

/// Reads the header's ID and whether it is a response: enough to tell a
/// stray datagram from an answer before reading the rest.
pub fn peek_id(msg: &[u8]) -> Option<(u16, bool)> {
    let id = u16_at(msg, 0).ok()?;
    Some((id, msg.get(2)? & 0x80 != 0))
}

impl Reply {
    /// The glue for name server `ns`: its addresses in the additional
    /// section, at port 53.
    pub fn glue(&self, ns: &WireName) -> Vec<std::net::SocketAddr> {
        self.additional
            .iter()
            .filter(|a| a.name.eq_ignore_case(ns))
            .filter_map(Rr::address)
            .map(|ip| std::net::SocketAddr::new(ip, 53))
            .collect()
    }

    /// Reads a whole message. A truncated message (TC) keeps the records
    /// that were complete; any other malformation is an error.
    pub fn parse(msg: &[u8]) -> Res<Reply> {
        Reply::parse_with(msg, true)
    }

    /// [`Reply::parse`], with each record's [`Rr::rdata`] (the canonical
    /// form DNSSEC checks) left empty unless `canonical`: a batch without
    /// `--dnssec` never reads it, and making it cost a heap block and a
    /// second read of each name a record holds.
    pub fn parse_with(msg: &[u8], canonical: bool) -> Res<Reply> {
        if msg.len() < 12 {
            return Err(WireError("shorter than a DNS header"));
        }
        let b2 = msg[2];
        let b3 = msg[3];
        let flags = Flags {
            qr: b2 & 0x80 != 0,
            aa: b2 & 0x04 != 0,
            tc: b2 & 0x02 != 0,
            rd: b2 & 0x01 != 0,
            ra: b3 & 0x80 != 0,
            ad: b3 & 0x20 != 0,
            cd: b3 & 0x10 != 0,
        };
        let counts = [
            u16_at(msg, 4)?,
            u16_at(msg, 6)?,
            u16_at(msg, 8)?,
            u16_at(msg, 10)?,
        ];
        let mut reply = Reply {
            id: u16_at(msg, 0)?,
            opcode: (b2 >> 3) & 0x0f,
            flags,
            rcode: u16::from(b3 & 0x0f),
            question: None,
            answers: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
            opt: None,
            ede: Vec::new(),
            size: msg.len(),
        };
        let mut pos = 12;
        for i in 0..counts[0] {
            let (name, next) = read_name(msg, pos)?;
            let qtype = u16_at(msg, next)?;
            let qclass = u16_at(msg, next + 2)?;
            pos = next + 4;
            if i == 0 {
                reply.question = Some(Question {
                    name,
                    qtype,
                    qclass,
                });
            }
        }
        let mut ext_rcode = 0u16;
        let mut opt_data = Vec::new();
        let mut seen_opt = false;
        for (section, &count) in counts[1..].iter().enumerate() {
            // A message cannot hold more records than it has bytes for.
            let mut list = Vec::with_capacity(usize::from(count).min(msg.len() / 11));
            for _ in 0..count {
                match read_rr(msg, pos, canonical) {
                    Ok((rr, next, start)) => {
                        if rr.rtype == 41 && section == 2 && !seen_opt {
                            seen_opt = true;
                            reply.ede = extended_errors(&msg[start..next]);
                            // Options beyond EDE are kept as bytes, read
                            // only when shown.
                            if next > start {
                                opt_data = msg[start..next].to_vec();
                            }
                        }
                        pos = next;
                        list.push(rr);
                    }
                    Err(_) if flags.tc => break,
                    Err(e) => return Err(e),
                }
            }
            match section {
                0 => reply.answers = list,
                1 => reply.authority = list,
                _ => {
                    for rr in list {
                        if rr.rtype == 41 && reply.opt.is_none() {
                            ext_rcode = (rr.ttl >> 24) as u16;
                            reply.opt = Some(super::edns::Opt {
                                udp_size: rr.class,
                                ttl: rr.ttl,
                                options: std::mem::take(&mut opt_data),
                            });
                        } else {
                            reply.additional.push(rr);
                        }
                    }
                }
            }
        }
        reply.rcode |= ext_rcode << 4;
        Ok(reply)
    }
}

fn read_rr(msg: &[u8], pos: usize, canonical: bool) -> Res<(Rr, usize, usize)> {
    let (name, p) = read_name(msg, pos)?;
    let rtype = u16_at(msg, p)?;
    let class = u16_at(msg, p + 2)?;
    let ttl = u32_at(msg, p + 4)?;
    let rdlength = u16_at(msg, p + 8)?;
    let start = p + 10;
    let end = start + usize::from(rdlength);
    if end > msg.len() {
        return Err(WireError("record data runs past the message"));
    }
    let shown = present::rdata(msg, start, end, rtype);
    let rdata = if canonical {
        canonical_rdata(msg, start, end, rtype).unwrap_or_else(|_| msg[start..end].to_vec())
    } else {
        Vec::new()
    };
    Ok((
        Rr {
            name,
            rtype,
            class,
            ttl,
            rdlength,
            text: shown.text,
            data: shown.data,
            target: shown.target,
            rdata,
        },
        end,
        start,
    ))
}

/// The record data of `msg[start..end]` in canonical form: each embedded
/// name read (pointers followed) and lower-cased, for the types of RFC
/// 4034 6.2 that carry names; NSEC keeps its next name's case (RFC 6840
/// 5.1). Other types are their bytes.
fn canonical_rdata(msg: &[u8], start: usize, end: usize, rtype: u16) -> Res<Vec<u8>> {
    // Fixed bytes before the names, the names, and whether the rest follows
    // as it is.
    let (fixed, names): (usize, usize) = match rtype {
        // NS MD MF CNAME MB MG MR PTR DNAME
        2 | 3 | 4 | 5 | 7 | 8 | 9 | 12 | 39 => (0, 1),
        // SOA MINFO RP
        6 | 14 | 17 => (0, 2),
        // MX AFSDB RT KX
        15 | 18 | 21 | 36 => (2, 1),
        // PX
        26 => (2, 2),
        // SRV
        33 => (6, 1),
        // SIG RRSIG
        24 | 46 => (18, 1),
        // NSEC (case kept)
        47 => (0, 1),
        // NAPTR: order, preference, three strings, then the name.
        35 => {
            let mut p = start + 4;
            for _ in 0..3 {
                p += 1 + usize::from(*msg.get(p).ok_or(WireError("short NAPTR"))?);
            }
            (p - start, 1)
        }
        _ => return Ok(msg[start..end].to_vec()),
    };
    let mut out = msg
        .get(start..start + fixed)
        .ok_or(WireError("short record data"))?
        .to_vec();
    let mut p = start + fixed;
    for _ in 0..names {
        let (name, next) = read_name(msg, p)?;
        if rtype == 47 {
            out.extend_from_slice(&name.0);
        } else {
            out.extend(name.0.iter().map(u8::to_ascii_lowercase));
        }
        p = next;
    }
    if p > end {
        return Err(WireError("record data runs past its length"));
    }
    out.extend_from_slice(&msg[p..end]);
    Ok(out)
}

/// Extended DNS Errors (RFC 8914) in an OPT record's options.
fn extended_errors(options: &[u8]) -> Vec<ExtendedError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= options.len() {
        let code = u16::from_be_bytes([options[i], options[i + 1]]);
        let len = usize::from(u16::from_be_bytes([options[i + 2], options[i + 3]]));
        let Some(data) = options.get(i + 4..i + 4 + len) else {
            break;
        };
        if code == 15 && data.len() >= 2 && out.len() < 16 {
            let info = u16::from_be_bytes([data[0], data[1]]);
            let text = String::from_utf8_lossy(&data[2..data.len().min(2 + 512)]);
            out.push(ExtendedError {
                code: info,
                name: ede_name(info).to_string(),
                text: crate::sanitize::escape(text.trim_end_matches('\0')).into_owned(),
            });
        }
        i += 4 + len;
    }
    out
}

/// The IANA name of an Extended DNS Error code.
pub fn ede_name(code: u16) -> &'static str {
    match code {
        0 => "Other Error",
        1 => "Unsupported DNSKEY Algorithm",
        2 => "Unsupported DS Digest Type",
        3 => "Stale Answer",
        4 => "Forged Answer",
        5 => "DNSSEC Indeterminate",
        6 => "DNSSEC Bogus",
        7 => "Signature Expired",
        8 => "Signature Not Yet Valid",
        9 => "DNSKEY Missing",
        10 => "RRSIGs Missing",
        11 => "No Zone Key Bit Set",
        12 => "NSEC Missing",
        13 => "Cached Error",
        14 => "Not Ready",
        15 => "Blocked",
        16 => "Censored",
        17 => "Filtered",
        18 => "Prohibited",
        19 => "Stale NXDOMAIN Answer",
        20 => "Not Authoritative",
        21 => "Not Supported",
        22 => "No Reachable Authority",
        23 => "Network Error",
        24 => "Invalid Data",
        25 => "Signature Expired before Valid",
        26 => "Too Early",
        27 => "Unsupported NSEC3 Iterations Value",
        28 => "Unable to conform to policy",
        29 => "Synthesized",
        30 => "Invalid Query Type",
        _ => "Unassigned",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_beside_idn_labels_only() {
        let n = |t: &str| WireName::from_text(t).unwrap();
        assert_eq!(
            n("xn--bcher-kva.test.").to_unicode().as_deref(),
            Some("bücher.test.")
        );
        assert_eq!(
            n("XN--BCHER-KVA.test.").to_unicode().as_deref(),
            Some("bücher.test.")
        );
        assert_eq!(n("plain.test.").to_unicode(), None);
        // Not valid IDNA (bad punycode, a hyphen rule broken): no Unicode.
        assert_eq!(n("xn--zzzzzzzzzz-.test.").to_unicode(), None);
        assert_eq!(n("xn--a\\000b.test.").to_unicode(), None);
    }

    #[test]
    fn names_escape_as_dig_does() {
        let n = WireName::from_text("sp\\032ace.semi\\;colon.a\\.b.test.").unwrap();
        assert_eq!(n.label_count(), 4);
        assert_eq!(n.to_text(), "sp\\032ace.semi\\;colon.a\\.b.test.");
        let raw = WireName(b"\x03\x00\xff\x1b\x04Te\"t\x00".to_vec());
        assert_eq!(raw.to_text(), "\\000\\255\\027.Te\\\"t.");
        assert_eq!(WireName::root().to_text(), ".");
        assert!(WireName::from_text(&"a".repeat(64)).is_none());
        assert!(WireName::from_text("a..b").is_none());
        assert!(WireName::from_text("a\\256").is_none());
        assert!(
            WireName::from_text("Mixed.Case")
                .unwrap()
                .eq_ignore_case(&WireName::from_text("mixed.CASE.").unwrap())
        );
    }

    /// Without the canonical data, a reply is the same in every other
    /// field, for every message of the fuzz corpus (every record type,
    /// compression, EDNS, truncation, hostile names).
    #[test]
    fn a_reply_without_canonical_data_is_the_same_otherwise() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/dns_message");
        let mut compared = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let (full, lean) = (Reply::parse(&bytes), Reply::parse_with(&bytes, false));
            let (Ok(mut full), Ok(lean)) = (full.clone(), lean.clone()) else {
                assert_eq!(full.is_ok(), lean.is_ok());
                continue;
            };
            for rr in lean
                .answers
                .iter()
                .chain(&lean.authority)
                .chain(&lean.additional)
            {
                assert!(rr.rdata.is_empty());
            }
            for rr in full
                .answers
                .iter_mut()
                .chain(&mut full.authority)
                .chain(&mut full.additional)
            {
                rr.rdata.clear();
            }
            assert_eq!(full, lean);
            compared += 1;
        }
        assert!(compared > 40, "{compared}");
    }

    #[test]
    fn pointers_loop_and_overrun_are_errors() {
        // A pointer to itself.
        let msg = [0xc0, 0x00];
        assert!(read_name(&msg, 0).is_err());
        // Past the end.
        assert!(read_name(&[0x05, b'a'], 0).is_err());
        assert!(read_name(&[0xc0, 0x10], 0).is_err());
        // 0x40 label type.
        assert!(read_name(&[0x41, 0], 0).is_err());
        // A forward pointer to a valid name is followed.
        let msg = [0xc0, 0x02, 0x01, b'x', 0x00];
        assert_eq!(
            read_name(&msg, 0).unwrap(),
            (WireName(b"\x01x\x00".to_vec()), 2)
        );
    }

    #[test]
    fn extended_errors_are_read_escaped_and_bounded() {
        // Option 15 (EDE): code 6, text with ESC and a trailing NUL; an
        // option of another kind before it; a cut-off option after.
        let mut o = vec![0, 10, 0, 2, 0xaa, 0xbb];
        o.extend_from_slice(&[0, 15, 0, 8, 0, 6]);
        o.extend_from_slice(b"b\x1bad\0\0\0");
        o.extend_from_slice(&[0, 15, 0, 9, 0]);
        let e = extended_errors(&o);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].code, e[0].name.as_str()), (6, "DNSSEC Bogus"));
        assert_eq!(e[0].text, "b\\x1bad");
    }

    #[test]
    fn truncated_answers_keep_what_was_complete() {
        // Header: id 1, QR TC, 1 question, 2 answers (the second cut off).
        let mut m = vec![0, 1, 0x82, 0, 0, 1, 0, 2, 0, 0, 0, 0];
        m.extend_from_slice(b"\x01a\x00\x00\x01\x00\x01");
        m.extend_from_slice(b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x01");
        m.extend_from_slice(b"\xc0\x0c\x00\x01");
        let r = Reply::parse(&m).unwrap();
        assert!(r.flags.tc);
        assert_eq!(r.answers.len(), 1);
        assert_eq!(r.answers[0].text, "127.0.0.1");
        // Without TC the same bytes are malformed.
        m[2] = 0x80;
        assert!(Reply::parse(&m).is_err());
    }
}
