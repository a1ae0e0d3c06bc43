//! The record types with typed JSON data: SOA, the preference-and-name
//! types (MX, AFSDB, RT, KX, LP), SRV, TXT (and SPF, the other
//! character-string types), CAA.

use std::fmt;

use super::{Cur, Decode, RecordData, escape_chars, quoted};
use crate::dns::name::WireName;

/// SOA (RFC 1035 3.3.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soa {
    /// The primary server.
    pub mname: WireName,
    /// The responsible mailbox.
    pub rname: WireName,
    /// SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM.
    pub times: [u32; 5],
}

impl<'a> Decode<'a> for Soa {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let (mname, rname) = (c.name()?, c.name()?);
        Some(Soa {
            mname,
            rname,
            times: [c.u32()?, c.u32()?, c.u32()?, c.u32()?, c.u32()?],
        })
    }
}

impl Soa {
    /// The typed JSON data.
    pub fn data(&self) -> RecordData {
        let v = self.times;
        RecordData::Soa {
            mname: self.mname.to_text(),
            rname: self.rname.to_text(),
            serial: v[0],
            refresh: v[1],
            retry: v[2],
            expire: v[3],
            minimum: v[4],
        }
    }
}

impl fmt::Display for Soa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.times;
        write!(
            f,
            "{} {} {} {} {} {} {}",
            self.mname.to_text(),
            self.rname.to_text(),
            v[0],
            v[1],
            v[2],
            v[3],
            v[4]
        )
    }
}

/// A preference and a name: MX, AFSDB, RT, KX, LP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pref {
    /// Lower is preferred (AFSDB: the subtype).
    pub preference: u16,
    /// The host.
    pub name: WireName,
}

impl<'a> Decode<'a> for Pref {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        Some(Pref {
            preference: c.u16()?,
            name: c.name()?,
        })
    }
}

impl fmt::Display for Pref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.preference, self.name.to_text())
    }
}

/// SRV (RFC 2782).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    /// Lower is tried first.
    pub priority: u16,
    /// Share among equal priorities.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The host.
    pub target: WireName,
}

impl<'a> Decode<'a> for Srv {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        Some(Srv {
            priority: c.u16()?,
            weight: c.u16()?,
            port: c.u16()?,
            target: c.name()?,
        })
    }
}

impl Srv {
    /// The typed JSON data.
    pub fn data(&self) -> RecordData {
        RecordData::Srv {
            priority: self.priority,
            weight: self.weight,
            port: self.port,
            target: self.target.to_text(),
        }
    }
}

impl fmt::Display for Srv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.priority,
            self.weight,
            self.port,
            self.target.to_text()
        )
    }
}

/// Character-strings: TXT, SPF and the like (at least one, possibly empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txt<'a> {
    /// Each string's bytes.
    pub strings: Vec<&'a [u8]>,
}

impl<'a> Decode<'a> for Txt<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let mut strings = Vec::new();
        while c.left() > 0 {
            strings.push(c.charstr()?);
        }
        Some(Txt { strings })
    }
}

impl Txt<'_> {
    /// The typed JSON data.
    pub fn data(&self) -> RecordData {
        RecordData::Txt {
            strings: self.strings.iter().map(|s| escape_chars(s)).collect(),
        }
    }
}

impl fmt::Display for Txt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.strings.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&quoted(s))?;
        }
        Ok(())
    }
}

/// CAA (RFC 8659).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caa<'a> {
    /// Flags (128: critical).
    pub flags: u8,
    /// The property: alphanumeric, not empty.
    pub tag: &'a [u8],
    /// The value.
    pub value: &'a [u8],
}

impl<'a> Decode<'a> for Caa<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let flags = c.u8()?;
        let tag = c.charstr().filter(|t| !t.is_empty())?;
        if !tag.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        Some(Caa {
            flags,
            tag,
            value: c.rest(),
        })
    }
}

impl Caa<'_> {
    /// The typed JSON data.
    pub fn data(&self) -> RecordData {
        RecordData::Caa {
            critical: self.flags & 0x80 != 0,
            tag: String::from_utf8_lossy(self.tag).into_owned(),
            value: escape_chars(self.value),
        }
    }
}

impl fmt::Display for Caa<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.flags,
            String::from_utf8_lossy(self.tag),
            quoted(self.value)
        )
    }
}
