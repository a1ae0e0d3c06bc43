//! Typed decoders of record data: one struct per record type that has
//! fields someone uses (the JSON `data`, DNSSEC's checks), each read from
//! the wire by a bounded cursor and shown in dig's presentation form by
//! its `Display`. `present` renders through them; `dnssec` checks with
//! them; nothing decodes a record twice.

mod basic;
mod dnssec;

pub use basic::{Caa, Pref, Soa, Srv, Txt};
pub use dnssec::{Dnskey, Ds, Nsec, Nsec3, Nsec3Param, Rrsig, TypeBitmap};

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use super::name::{WireName, read_name};

/// Reads fields of one record's data, never past its end (names inside
/// may point anywhere before in the message).
pub struct Cur<'a> {
    msg: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Cur<'a> {
    /// A cursor over `msg[start..end]`.
    pub fn new(msg: &'a [u8], start: usize, end: usize) -> Cur<'a> {
        Cur {
            msg,
            pos: start,
            end: end.min(msg.len()),
        }
    }

    /// A cursor over a record's data alone (no compression to follow:
    /// canonical form).
    pub fn over(rdata: &'a [u8]) -> Cur<'a> {
        Cur::new(rdata, 0, rdata.len())
    }

    /// Whether every byte was read.
    pub fn done(&self) -> bool {
        self.pos == self.end
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.msg.get(self.pos..self.pos.checked_add(n)?)?;
        (self.pos + n <= self.end).then(|| {
            self.pos += n;
            b
        })
    }
    /// A byte.
    pub fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }
    /// A 16-bit number (network order).
    pub fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    /// A 32-bit number (network order).
    pub fn u32(&mut self) -> Option<u32> {
        self.bytes(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// What is left of the data.
    pub fn rest(&mut self) -> &'a [u8] {
        let b = &self.msg[self.pos..self.end];
        self.pos = self.end;
        b
    }
    /// How many bytes are left.
    pub fn left(&self) -> usize {
        self.end - self.pos
    }
    /// The position (for the bytes read so far: `msg[start..pos]`).
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// A domain name (pointers followed; it must end within the data).
    pub fn name(&mut self) -> Option<WireName> {
        let (n, next) = read_name(self.msg, self.pos).ok()?;
        (next <= self.end).then(|| {
            self.pos = next;
            n
        })
    }
    /// A character-string (a length byte, then that many bytes).
    pub fn charstr(&mut self) -> Option<&'a [u8]> {
        let len = self.u8()?;
        self.bytes(usize::from(len))
    }
    /// An IPv4 address.
    pub fn ipv4(&mut self) -> Option<Ipv4Addr> {
        let b = self.bytes(4)?;
        Some(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
    /// An IPv6 address.
    pub fn ipv6(&mut self) -> Option<Ipv6Addr> {
        let b: [u8; 16] = self.bytes(16)?.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    }
}

/// A decoder of one record type's data.
pub trait Decode<'a>: Sized {
    /// Reads the fields at the cursor (None: they do not fit the type).
    fn decode(c: &mut Cur<'a>) -> Option<Self>;

    /// Reads a record's whole data in canonical form (as `Rr::rdata`
    /// holds it): None unless every byte is the type's.
    fn parse(rdata: &'a [u8]) -> Option<Self> {
        let mut c = Cur::over(rdata);
        let v = Self::decode(&mut c)?;
        c.done().then_some(v)
    }
}

/// The typed content of a record, for JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RecordData {
    /// A / AAAA.
    Address {
        /// The address.
        address: IpAddr,
    },
    /// CNAME, PTR, NS.
    Target {
        /// The name pointed to.
        target: String,
    },
    /// MX.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The mail exchanger.
        exchange: String,
    },
    /// TXT and SPF.
    Txt {
        /// Each character-string, escaped as inside dig's quotes: `\"`,
        /// `\\`, and `\DDD` for bytes outside printable ASCII (lossless).
        strings: Vec<String>,
    },
    /// SRV.
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: String,
    },
    /// SOA.
    Soa {
        /// Primary server.
        mname: String,
        /// Responsible mailbox.
        rname: String,
        /// Serial.
        serial: u32,
        /// Refresh.
        refresh: u32,
        /// Retry.
        retry: u32,
        /// Expire.
        expire: u32,
        /// Minimum (negative TTL).
        minimum: u32,
    },
    /// CAA.
    Caa {
        /// The critical flag.
        critical: bool,
        /// issue, issuewild, iodef...
        tag: String,
        /// The value, escaped as inside dig's quotes.
        value: String,
    },
    /// Anything else: only the text form.
    Other {},
}

/// Escapes the inside of a character-string: `"` and `\` with a
/// backslash, bytes outside the printable ASCII range as `\DDD`.
pub fn escape_chars(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                out.push('\\');
                super::name::push_decimal3(&mut out, b);
            }
        }
    }
    out
}

/// A character-string in quotes, escaped.
pub fn quoted(bytes: &[u8]) -> String {
    format!("\"{}\"", escape_chars(bytes))
}
