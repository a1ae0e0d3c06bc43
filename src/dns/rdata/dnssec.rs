//! The DNSSEC record types (RFC 4034, RFC 5155): RRSIG (and SIG), DNSKEY
//! (and KEY, CDNSKEY), DS (and CDS, TA, DLV), NSEC, NSEC3, NSEC3PARAM.
//! Read by the presenter from a message and by the validator from the
//! canonical data, with the same code.

use std::fmt;

use data_encoding::{BASE32HEX_NOPAD, BASE64, HEXUPPER};

use super::{Cur, Decode};
use crate::dns::name::WireName;
use crate::dns::types::type_name;

/// A DNSSEC time (seconds since the epoch, mod 2^32) as dig shows it:
/// `YYYYMMDDHHMMSS`.
fn time_text(t: u32) -> String {
    let (y, m, d, hh, mm, ss) = crate::output::json::civil(i64::from(t));
    format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}")
}

/// A type bitmap (NSEC, NSEC3, CSYNC): windows in ascending order, each of
/// 1-32 bytes (RFC 4034 4.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeBitmap<'a>(pub &'a [u8]);

impl<'a> TypeBitmap<'a> {
    /// The bitmap in `bytes`, if well formed.
    pub fn new(bytes: &'a [u8]) -> Option<TypeBitmap<'a>> {
        let mut i = 0;
        let mut last_window: Option<u8> = None;
        while i < bytes.len() {
            let window = *bytes.get(i)?;
            let len = usize::from(*bytes.get(i + 1)?);
            if len == 0 || len > 32 || last_window.is_some_and(|w| w >= window) {
                return None;
            }
            last_window = Some(window);
            bytes.get(i + 2..i + 2 + len)?;
            i += 2 + len;
        }
        Some(TypeBitmap(bytes))
    }

    /// The types it lists, ascending.
    pub fn types(self) -> impl Iterator<Item = u16> + 'a {
        let bytes = self.0;
        let mut out = Vec::new();
        let mut i = 0;
        while i + 2 <= bytes.len() {
            let (window, len) = (bytes[i], usize::from(bytes[i + 1]));
            let Some(map) = bytes.get(i + 2..i + 2 + len) else {
                break;
            };
            for (j, &b) in map.iter().enumerate() {
                for bit in 0..8 {
                    if b & (0x80 >> bit) != 0 {
                        out.push(u16::from(window) * 256 + (j * 8 + bit) as u16);
                    }
                }
            }
            i += 2 + len;
        }
        out.into_iter()
    }

    /// Whether it lists `t`.
    pub fn has(self, t: u16) -> bool {
        let (window, byte, bit) = (
            (t >> 8) as u8,
            usize::from((t & 0xff) / 8),
            0x80u8 >> (t % 8),
        );
        let bitmap = self.0;
        let mut i = 0;
        while i + 2 <= bitmap.len() {
            let (w, len) = (bitmap[i], usize::from(bitmap[i + 1]));
            let Some(map) = bitmap.get(i + 2..i + 2 + len) else {
                return false;
            };
            if w == window {
                return map.get(byte).is_some_and(|b| b & bit != 0);
            }
            i += 2 + len;
        }
        false
    }
}

impl fmt::Display for TypeBitmap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.types().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&type_name(t))?;
        }
        Ok(())
    }
}

/// RRSIG (and SIG): a signature over an RRset (RFC 4034 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rrsig<'a> {
    /// The type covered.
    pub covered: u16,
    /// The algorithm.
    pub alg: u8,
    /// Labels of the owner name, not counting a wildcard's `*`.
    pub labels: u8,
    /// The TTL the RRset had when signed.
    pub original_ttl: u32,
    /// Not valid after (RFC 1982 serial time).
    pub expiration: u32,
    /// Not valid before.
    pub inception: u32,
    /// The signing key's tag.
    pub key_tag: u16,
    /// The signer's zone.
    pub signer: WireName,
    /// The data up to the signature: what is signed before the records.
    pub head: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

impl<'a> Decode<'a> for Rrsig<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let start = c.pos();
        let covered = c.u16()?;
        let (alg, labels, original_ttl) = (c.u8()?, c.u8()?, c.u32()?);
        let (expiration, inception) = (c.u32()?, c.u32()?);
        let key_tag = c.u16()?;
        let signer = c.name()?;
        let head_end = c.pos();
        let head = c.msg.get(start..head_end)?;
        Some(Rrsig {
            covered,
            alg,
            labels,
            original_ttl,
            expiration,
            inception,
            key_tag,
            signer,
            head,
            signature: c.rest(),
        })
    }
}

impl fmt::Display for Rrsig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} {} {} {}",
            type_name(self.covered),
            self.alg,
            self.labels,
            self.original_ttl,
            time_text(self.expiration),
            time_text(self.inception),
            self.key_tag,
            self.signer.to_text(),
            BASE64.encode(self.signature)
        )
    }
}

/// DNSKEY (and KEY, CDNSKEY): a zone's public key (RFC 4034 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dnskey<'a> {
    /// Flags: 256 a zone key, 257 with SEP, 128 revoked.
    pub flags: u16,
    /// Always 3 for DNSSEC.
    pub protocol: u8,
    /// The algorithm.
    pub alg: u8,
    /// The public key (never empty).
    pub key: &'a [u8],
}

impl<'a> Decode<'a> for Dnskey<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let (flags, protocol, alg) = (c.u16()?, c.u8()?, c.u8()?);
        let key = c.rest();
        (!key.is_empty()).then_some(Dnskey {
            flags,
            protocol,
            alg,
            key,
        })
    }
}

impl fmt::Display for Dnskey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.flags,
            self.protocol,
            self.alg,
            BASE64.encode(self.key)
        )
    }
}

/// DS (and CDS, TA, DLV): a digest of a child's key (RFC 4034 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ds<'a> {
    /// The key's tag.
    pub key_tag: u16,
    /// The key's algorithm.
    pub alg: u8,
    /// The digest's algorithm (1 SHA-1, 2 SHA-256, 4 SHA-384).
    pub digest_type: u8,
    /// The digest (never empty).
    pub digest: &'a [u8],
}

impl<'a> Decode<'a> for Ds<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let (key_tag, alg, digest_type) = (c.u16()?, c.u8()?, c.u8()?);
        let digest = c.rest();
        (!digest.is_empty()).then_some(Ds {
            key_tag,
            alg,
            digest_type,
            digest,
        })
    }
}

impl fmt::Display for Ds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.key_tag,
            self.alg,
            self.digest_type,
            HEXUPPER.encode(self.digest)
        )
    }
}

/// NSEC: the next name in the zone and the types at this one (RFC 4034 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nsec<'a> {
    /// The next owner name, case as signed.
    pub next: WireName,
    /// The types at the owner.
    pub types: TypeBitmap<'a>,
}

impl<'a> Decode<'a> for Nsec<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let next = c.name()?;
        let types = TypeBitmap::new(c.rest())?;
        Some(Nsec { next, types })
    }
}

impl fmt::Display for Nsec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{} {}", self.next.to_text(), self.types);
        f.write_str(text.trim_end())
    }
}

/// NSEC3: hashed denial of existence (RFC 5155 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nsec3<'a> {
    /// The hash algorithm (1: SHA-1).
    pub alg: u8,
    /// Flags (1: opt-out).
    pub flags: u8,
    /// Extra hash iterations.
    pub iterations: u16,
    /// The salt.
    pub salt: &'a [u8],
    /// The next hashed owner name (never empty).
    pub next_hash: &'a [u8],
    /// The types at the owner.
    pub types: TypeBitmap<'a>,
}

impl Nsec3<'_> {
    /// Whether insecure delegations may be left out (RFC 5155 6).
    pub fn opt_out(&self) -> bool {
        self.flags & 1 != 0
    }
}

fn hex_or_dash(b: &[u8]) -> String {
    if b.is_empty() {
        "-".into()
    } else {
        HEXUPPER.encode(b)
    }
}

impl<'a> Decode<'a> for Nsec3<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let (alg, flags, iterations) = (c.u8()?, c.u8()?, c.u16()?);
        let salt = c.charstr()?;
        let next_hash = c.charstr().filter(|h| !h.is_empty())?;
        let types = TypeBitmap::new(c.rest())?;
        Some(Nsec3 {
            alg,
            flags,
            iterations,
            salt,
            next_hash,
            types,
        })
    }
}

impl fmt::Display for Nsec3<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!(
            "{} {} {} {} {} {}",
            self.alg,
            self.flags,
            self.iterations,
            hex_or_dash(self.salt),
            BASE32HEX_NOPAD.encode(self.next_hash),
            self.types
        );
        f.write_str(text.trim_end())
    }
}

/// NSEC3PARAM: the parameters a zone's NSEC3 chain uses (RFC 5155 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nsec3Param<'a> {
    /// The hash algorithm.
    pub alg: u8,
    /// Flags.
    pub flags: u8,
    /// Extra hash iterations.
    pub iterations: u16,
    /// The salt.
    pub salt: &'a [u8],
}

impl<'a> Decode<'a> for Nsec3Param<'a> {
    fn decode(c: &mut Cur<'a>) -> Option<Self> {
        let (alg, flags, iterations) = (c.u8()?, c.u8()?, c.u16()?);
        let salt = c.charstr()?;
        Some(Nsec3Param {
            alg,
            flags,
            iterations,
            salt,
        })
    }
}

impl fmt::Display for Nsec3Param<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.alg,
            self.flags,
            self.iterations,
            hex_or_dash(self.salt)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(time_text(0), "19700101000000");
        assert_eq!(time_text(1_798_675_200), "20261231000000");
        assert_eq!(time_text(u32::MAX), "21060207062815");
    }

    #[test]
    fn bitmaps() {
        // Window 0: A (1), NS (2), SOA (6); window 1: CAA (257).
        let b = [0u8, 1, 0b0110_0010, 1, 1, 0b0100_0000];
        let m = TypeBitmap::new(&b).unwrap();
        assert_eq!(m.types().collect::<Vec<_>>(), vec![1, 2, 6, 257]);
        assert!(m.has(6) && m.has(257) && !m.has(5) && !m.has(300));
        assert_eq!(m.to_string(), "A NS SOA CAA");
        // Windows out of order, an empty window, a window past the end.
        for bad in [&[1u8, 1, 1, 0, 1, 1][..], &[0, 0], &[0, 5, 1]] {
            assert!(TypeBitmap::new(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn records_read_whole_or_not_at_all() {
        let ds = [0x4f, 0x66, 8, 2, 0xab, 0xcd];
        let d = Ds::parse(&ds).unwrap();
        assert_eq!((d.key_tag, d.alg, d.digest_type), (20326, 8, 2));
        assert_eq!(d.to_string(), "20326 8 2 ABCD");
        assert!(Ds::parse(&ds[..4]).is_none(), "a DS needs a digest");
        let key = [1, 1, 3, 13, 9, 9];
        let k = Dnskey::parse(&key).unwrap();
        assert_eq!(
            (k.flags, k.protocol, k.alg, k.key),
            (257, 3, 13, &[9u8, 9][..])
        );
        // NSEC3 with an empty salt, next hash 0x01, no types.
        let n3 = [1, 1, 0, 10, 0, 1, 1];
        let n = Nsec3::parse(&n3).unwrap();
        assert!(n.opt_out());
        assert_eq!(n.to_string(), "1 1 10 - 04");
        assert!(Nsec3::parse(&n3[..6]).is_none());
        let mut sig = vec![0, 1, 13, 2, 0, 0, 14, 16];
        sig.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 1, 0x4f, 0x66]);
        sig.extend_from_slice(&[4, b't', b'e', b's', b't', 0]);
        sig.extend_from_slice(&[0xde, 0xad]);
        let s = Rrsig::parse(&sig).unwrap();
        assert_eq!(
            (s.covered, s.alg, s.labels, s.original_ttl),
            (1, 13, 2, 3600)
        );
        assert_eq!(s.signer.to_text(), "test.");
        assert_eq!(s.head.len(), sig.len() - 2);
        assert_eq!(s.signature, &[0xde, 0xad]);
        assert_eq!(
            s.to_string(),
            "A 13 2 3600 19700101000002 19700101000001 20326 test. 3q0="
        );
    }
}
