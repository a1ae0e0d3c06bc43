//! Record data in presentation form, from the wire bytes, as dig prints it
//! (BIND 9.18), one deliberate difference aside: base64 and hex blobs are
//! one token, as kdig prints them, where dig cuts them every 56
//! characters. Data that does not fit its type's format (a short field,
//! bytes left over, a bad version) is shown in RFC 3597's generic form
//! (`\# LEN HEX`), as are types netkit does not know: nothing is dropped or
//! guessed.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use data_encoding::{BASE64, HEXUPPER};

use super::name::WireName;
use super::rdata::{
    Caa, Cur, Decode, Dnskey, Ds, Nsec, Nsec3, Nsec3Param, Pref, RecordData, Rrsig, Soa, Srv, Txt,
    TypeBitmap, quoted,
};
use super::types::type_name;

/// A record's data as shown.
pub struct Shown {
    /// Presentation form.
    pub text: String,
    /// Typed fields for JSON.
    pub data: RecordData,
    /// For CNAME and DNAME: the target.
    pub target: Option<WireName>,
}

pub use super::rdata::escape_chars;

/// An IPv6 address as BIND prints it: RFC 5952, and `::a.b.c.d` for the
/// IPv4-compatible form.
pub fn ipv6_text(a: Ipv6Addr) -> String {
    let s = a.segments();
    if s[..6] == [0; 6] && s[6] != 0 {
        let [.., a, b, c, d] = a.octets();
        return format!("::{a}.{b}.{c}.{d}");
    }
    a.to_string()
}

/// Seconds since 1970 (an RRSIG's u32) as `YYYYMMDDHHMMSS`.
/// A type bitmap (NSEC, NSEC3, CSYNC) in words, if well formed.
fn type_bitmap(bytes: &[u8]) -> Option<String> {
    TypeBitmap::new(bytes).map(|m| m.to_string())
}

fn cert_type(t: u16) -> String {
    match t {
        1 => "PKIX".into(),
        2 => "SPKI".into(),
        3 => "PGP".into(),
        4 => "IPKIX".into(),
        5 => "ISPKI".into(),
        6 => "IPGP".into(),
        7 => "ACPKIX".into(),
        8 => "IACPKIX".into(),
        253 => "URI".into(),
        254 => "OID".into(),
        n => n.to_string(),
    }
}

fn sec_alg(a: u8) -> String {
    match a {
        1 => "RSAMD5".into(),
        2 => "DH".into(),
        3 => "DSA".into(),
        5 => "RSASHA1".into(),
        6 => "NSEC3DSA".into(),
        7 => "NSEC3RSASHA1".into(),
        8 => "RSASHA256".into(),
        10 => "RSASHA512".into(),
        12 => "ECCGOST".into(),
        13 => "ECDSAP256SHA256".into(),
        14 => "ECDSAP384SHA384".into(),
        15 => "ED25519".into(),
        16 => "ED448".into(),
        252 => "INDIRECT".into(),
        253 => "PRIVATEDNS".into(),
        254 => "PRIVATEOID".into(),
        n => n.to_string(),
    }
}

/// LOC's size and precision bytes: mantissa and power of ten, centimetres.
fn loc_size(b: u8) -> Option<String> {
    let (m, e) = (u64::from(b >> 4), u32::from(b & 0x0f));
    if m > 9 || e > 9 {
        return None;
    }
    Some(if e >= 2 {
        format!("{}m", m * 10u64.pow(e - 2))
    } else {
        format!("0.{:02}m", m * 10u64.pow(e))
    })
}

fn loc_angle(v: u32, pos: char, neg: char) -> String {
    let off = i64::from(v) - (1i64 << 31);
    let a = off.unsigned_abs();
    format!(
        "{} {} {}.{:03} {}",
        a / 3_600_000,
        a / 60_000 % 60,
        a / 1000 % 60,
        a % 1000,
        if off >= 0 { pos } else { neg }
    )
}

fn loc(c: &mut Cur) -> Option<String> {
    if c.u8()? != 0 {
        return None;
    }
    let (size, hp, vp) = (loc_size(c.u8()?)?, loc_size(c.u8()?)?, loc_size(c.u8()?)?);
    let (lat, lon, alt) = (c.u32()?, c.u32()?, c.u32()?);
    let alt = i64::from(alt) - 10_000_000;
    let a = alt.unsigned_abs();
    Some(format!(
        "{} {} {}{}.{:02}m {size} {hp} {vp}",
        loc_angle(lat, 'N', 'S'),
        loc_angle(lon, 'E', 'W'),
        if alt < 0 { "-" } else { "" },
        a / 100,
        a % 100
    ))
}

fn apl(c: &mut Cur) -> Option<String> {
    let mut items = Vec::new();
    while c.left() > 0 {
        let family = c.u16()?;
        let prefix = c.u8()?;
        let nlen = c.u8()?;
        let (neg, len) = (nlen & 0x80 != 0, usize::from(nlen & 0x7f));
        let data = c.bytes(len)?;
        let addr = match family {
            1 if len <= 4 && prefix <= 32 => {
                let mut b = [0u8; 4];
                b[..len].copy_from_slice(data);
                Ipv4Addr::from(b).to_string()
            }
            2 if len <= 16 && prefix <= 128 => {
                let mut b = [0u8; 16];
                b[..len].copy_from_slice(data);
                ipv6_text(Ipv6Addr::from(b))
            }
            _ => return None,
        };
        items.push(format!(
            "{}{family}:{addr}/{prefix}",
            if neg { "!" } else { "" }
        ));
    }
    Some(items.join(" "))
}

/// One SvcParam value, as dig shows it (RFC 9460 presentation).
fn svc_param(key: u16, v: &[u8]) -> Option<String> {
    let name = |k: u16| match k {
        0 => "mandatory".to_string(),
        1 => "alpn".into(),
        2 => "no-default-alpn".into(),
        3 => "port".into(),
        4 => "ipv4hint".into(),
        5 => "ech".into(),
        6 => "ipv6hint".into(),
        7 => "dohpath".into(),
        8 => "ohttp".into(),
        n => format!("key{n}"),
    };
    let list = |size: usize, f: &dyn Fn(&[u8]) -> String| -> Option<String> {
        (!v.is_empty() && v.len().is_multiple_of(size))
            .then(|| v.chunks(size).map(f).collect::<Vec<_>>().join(","))
    };
    let value = match key {
        0 => Some(list(2, &|b| name(u16::from_be_bytes([b[0], b[1]])))?),
        1 => {
            let mut c = Cur::over(v);
            let mut ids = Vec::new();
            while c.left() > 0 {
                let id = c.charstr().filter(|s| !s.is_empty())?;
                // Commas inside an id are escaped in the list, then the
                // whole list is a quoted character-string.
                let mut item = Vec::with_capacity(id.len());
                for &b in id {
                    if b == b',' || b == b'\\' {
                        item.push(b'\\');
                    }
                    item.push(b);
                }
                ids.push(escape_chars(&item));
            }
            if ids.is_empty() {
                return None;
            }
            Some(format!("\"{}\"", ids.join(",")))
        }
        // Flags: a value makes the record malformed.
        2 | 8 if !v.is_empty() => return None,
        2 | 8 => None,
        3 if v.len() == 2 => Some(u16::from_be_bytes([v[0], v[1]]).to_string()),
        3 => return None,
        4 => Some(list(4, &|b| {
            Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()
        })?),
        5 if !v.is_empty() => Some(BASE64.encode(v)),
        6 => Some(list(16, &|b| {
            ipv6_text(Ipv6Addr::from(<[u8; 16]>::try_from(b).unwrap_or_default()))
        })?),
        _ if v.is_empty() => None,
        _ => Some(quoted(v)),
    };
    Some(match value {
        Some(val) => format!("{}={val}", name(key)),
        None => name(key),
    })
}

fn svcb(c: &mut Cur) -> Option<String> {
    let prio = c.u16()?;
    let target = c.name()?;
    let mut out = format!("{prio} {}", target.to_text());
    let mut last: Option<u16> = None;
    while c.left() > 0 {
        let key = c.u16()?;
        // Keys are strictly ascending on the wire (RFC 9460 2.2).
        if last.is_some_and(|l| l >= key) {
            return None;
        }
        last = Some(key);
        let len = c.u16()?;
        let v = c.bytes(usize::from(len))?;
        out.push(' ');
        out.push_str(&svc_param(key, v)?);
    }
    Some(out)
}

/// A gateway or relay: 0 none, 1 IPv4, 2 IPv6, 3 a name.
fn gateway(c: &mut Cur, kind: u8) -> Option<String> {
    Some(match kind {
        0 => ".".into(),
        1 => c.ipv4()?.to_string(),
        2 => ipv6_text(c.ipv6()?),
        3 => c.name()?.to_text(),
        _ => return None,
    })
}

fn target(t: String) -> RecordData {
    RecordData::Target { target: t }
}

/// Renders one record's data (`msg[start..end]`, names may point anywhere
/// before in `msg`).
pub fn rdata(msg: &[u8], start: usize, end: usize, rtype: u16) -> Shown {
    let mut c = Cur::new(msg, start, end);
    let mut data = RecordData::Other {};
    let mut tgt = None;
    let text = typed(&mut c, rtype, &mut data, &mut tgt).filter(|_| c.done());
    match text {
        Some(text) => Shown {
            text,
            data,
            target: tgt,
        },
        None => {
            let raw = &msg[start..end];
            let text = if raw.is_empty() {
                "\\# 0".to_string()
            } else {
                format!("\\# {} {}", raw.len(), HEXUPPER.encode(raw))
            };
            Shown {
                text,
                data: RecordData::Other {},
                target: None,
            }
        }
    }
}

/// `a` in dotted decimal, as `Display` writes it, without the formatting
/// machinery (an A record's text is made for each answer of a batch).
pub fn ipv4_text(a: Ipv4Addr) -> String {
    let (t, n) = ipv4_digits(a);
    std::str::from_utf8(&t[..n]).unwrap_or_default().to_owned()
}

/// `a` in dotted decimal in a small buffer: the bytes, and how many.
pub fn ipv4_digits(a: Ipv4Addr) -> ([u8; 15], usize) {
    let mut t = [0u8; 15];
    let mut n = 0;
    for (i, o) in a.octets().into_iter().enumerate() {
        if i > 0 {
            t[n] = b'.';
            n += 1;
        }
        let (d, len) = OCTETS[usize::from(o)];
        t[n..n + 3].copy_from_slice(&d);
        n += usize::from(len);
    }
    (t, n)
}

/// Each byte's decimal digits (left-aligned) and their count.
static OCTETS: [([u8; 3], u8); 256] = {
    let mut t = [([0u8; 3], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let o = i as u8;
        t[i] = if o >= 100 {
            ([b'0' + o / 100, b'0' + o / 10 % 10, b'0' + o % 10], 3)
        } else if o >= 10 {
            ([b'0' + o / 10, b'0' + o % 10, 0], 2)
        } else {
            ([b'0' + o, 0, 0], 1)
        };
        i += 1;
    }
    t
};

fn typed(
    c: &mut Cur,
    rtype: u16,
    data: &mut RecordData,
    tgt: &mut Option<WireName>,
) -> Option<String> {
    Some(match rtype {
        1 => {
            let a = c.ipv4()?;
            *data = RecordData::Address {
                address: IpAddr::V4(a),
            };
            ipv4_text(a)
        }
        28 => {
            let a = c.ipv6()?;
            *data = RecordData::Address {
                address: IpAddr::V6(a),
            };
            ipv6_text(a)
        }
        2 | 3 | 4 | 5 | 7 | 8 | 9 | 12 | 23 | 39 => {
            let n = c.name()?;
            let t = n.to_text();
            *data = target(t.clone());
            if matches!(rtype, 2 | 5 | 39) {
                *tgt = Some(n);
            }
            t
        }
        6 => {
            let soa = Soa::decode(c)?;
            *data = soa.data();
            soa.to_string()
        }
        11 => {
            let a = c.ipv4()?;
            let proto = c.u8()?;
            let mut out = format!("{a} {proto}");
            for (i, &b) in c.rest().iter().enumerate() {
                for bit in 0..8 {
                    if b & (0x80 >> bit) != 0 {
                        let _ = write!(out, " {}", i * 8 + bit);
                    }
                }
            }
            out
        }
        13 => format!("{} {}", quoted(c.charstr()?), quoted(c.charstr()?)),
        14 | 17 | 58 => format!("{} {}", c.name()?.to_text(), c.name()?.to_text()),
        15 | 18 | 21 | 36 | 107 => {
            let p = Pref::decode(c)?;
            if rtype == 15 {
                *data = RecordData::Mx {
                    preference: p.preference,
                    exchange: p.name.to_text(),
                };
            }
            p.to_string()
        }
        16 | 99 | 56 | 258 | 261 | 262 | 19 | 20 | 27 => {
            let txt = Txt::decode(c)?;
            let n = txt.strings.len();
            let ok = match rtype {
                19 => n == 1,
                20 => (1..=2).contains(&n),
                27 => n == 3,
                _ => n > 0,
            };
            if !ok {
                return None;
            }
            if rtype == 16 || rtype == 99 {
                *data = txt.data();
            }
            txt.to_string()
        }
        22 => {
            let b = c.rest();
            if b.is_empty() {
                return None;
            }
            format!("0x{}", data_encoding::HEXLOWER.encode(b))
        }
        24 | 46 => Rrsig::decode(c)?.to_string(),
        25 | 48 | 60 => Dnskey::decode(c)?.to_string(),
        26 => format!(
            "{} {} {}",
            c.u16()?,
            c.name()?.to_text(),
            c.name()?.to_text()
        ),
        29 => loc(c)?,
        33 => {
            let srv = Srv::decode(c)?;
            *data = srv.data();
            srv.to_string()
        }
        35 => {
            let (order, pref) = (c.u16()?, c.u16()?);
            let (f, s, r) = (
                quoted(c.charstr()?),
                quoted(c.charstr()?),
                quoted(c.charstr()?),
            );
            format!("{order} {pref} {f} {s} {r} {}", c.name()?.to_text())
        }
        37 => {
            let (t, tag, alg) = (c.u16()?, c.u16()?, c.u8()?);
            let cert = c.rest();
            if cert.is_empty() {
                return None;
            }
            format!(
                "{} {tag} {} {}",
                cert_type(t),
                sec_alg(alg),
                BASE64.encode(cert)
            )
        }
        42 => apl(c)?,
        43 | 59 | 32768 | 32769 => Ds::decode(c)?.to_string(),
        44 => {
            let (alg, t) = (c.u8()?, c.u8()?);
            let fp = c.rest();
            if fp.is_empty() {
                return None;
            }
            format!("{alg} {t} {}", HEXUPPER.encode(fp))
        }
        45 => {
            let (prec, kind, alg) = (c.u8()?, c.u8()?, c.u8()?);
            let gw = gateway(c, kind)?;
            let key = c.rest();
            let mut out = format!("{prec} {kind} {alg} {gw}");
            if !key.is_empty() {
                let _ = write!(out, " {}", BASE64.encode(key));
            }
            out
        }
        // EID, NIMLOC: hex, as dig.
        31 | 32 => {
            let d = c.rest();
            if d.is_empty() {
                return None;
            }
            HEXUPPER.encode(d)
        }
        // ATMA: an AESA address in hex, or an E.164 number with a `+`.
        34 => match c.u8()? {
            0 => {
                let d = c.rest();
                if d.is_empty() {
                    return None;
                }
                HEXUPPER.encode(d).to_ascii_lowercase()
            }
            1 => {
                let d = c.rest();
                if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                format!("+{}", String::from_utf8_lossy(d))
            }
            _ => return None,
        },
        // SINK: meaning, coding, subcoding, then the data in base64.
        40 => {
            let (meaning, coding, sub) = (c.u8()?, c.u8()?, c.u8()?);
            let d = c.rest();
            let mut out = format!("{meaning} {coding} {sub}");
            if !d.is_empty() {
                let _ = write!(out, " {}", BASE64.encode(d));
            }
            out
        }
        // RKEY: laid out as a DNSKEY (flags, protocol, algorithm, key).
        57 => {
            let (flags, protocol, alg) = (c.u16()?, c.u8()?, c.u8()?);
            let key = c.rest();
            if key.is_empty() {
                return None;
            }
            format!("{flags} {protocol} {alg} {}", BASE64.encode(key))
        }
        47 => Nsec::decode(c)?.to_string(),
        49 | 61 => {
            let b = c.rest();
            if b.is_empty() {
                return None;
            }
            BASE64.encode(b)
        }
        50 => Nsec3::decode(c)?.to_string(),
        51 => Nsec3Param::decode(c)?.to_string(),
        52 | 53 => {
            let (u, s, m) = (c.u8()?, c.u8()?, c.u8()?);
            let d = c.rest();
            if d.is_empty() {
                return None;
            }
            format!("{u} {s} {m} {}", HEXUPPER.encode(d))
        }
        55 => {
            let hit_len = usize::from(c.u8()?);
            let alg = c.u8()?;
            let pk_len = usize::from(c.u16()?);
            let hit = c.bytes(hit_len)?;
            let pk = c.bytes(pk_len)?;
            let mut out = format!("{alg} {} {}", HEXUPPER.encode(hit), BASE64.encode(pk));
            while c.left() > 0 {
                let _ = write!(out, " {}", c.name()?.to_text());
            }
            out
        }
        62 => {
            let (serial, flags) = (c.u32()?, c.u16()?);
            let types = type_bitmap(c.rest())?;
            format!("{serial} {flags} {types}").trim_end().to_string()
        }
        63 => {
            let (serial, scheme, alg) = (c.u32()?, c.u8()?, c.u8()?);
            let d = c.rest();
            if d.len() < 12 {
                return None;
            }
            format!("{serial} {scheme} {alg} {}", HEXUPPER.encode(d))
        }
        64 | 65 => svcb(c)?,
        66 => {
            let t = type_name(c.u16()?);
            let (scheme, port) = (c.u8()?, c.u16()?);
            format!("{t} {scheme} {port} {}", c.name()?.to_text())
        }
        104 | 106 => {
            let pref = c.u16()?;
            let b = c.bytes(8)?;
            let g = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
            format!("{pref} {:x}:{:x}:{:x}:{:x}", g(0), g(2), g(4), g(6))
        }
        105 => format!("{} {}", c.u16()?, c.ipv4()?),
        108 | 109 => {
            let b = c.bytes(if rtype == 108 { 6 } else { 8 })?;
            b.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join("-")
        }
        // URI: an empty target is `""`, as dig shows it.
        256 => {
            let (prio, weight) = (c.u16()?, c.u16()?);
            format!("{prio} {weight} {}", quoted(c.rest()))
        }
        // DOA: enterprise, type, location, media type, data (`-` when none).
        259 => {
            let (enterprise, kind, location) = (c.u32()?, c.u32()?, c.u8()?);
            let media_len = usize::from(c.u8()?);
            let media = c.bytes(media_len)?;
            let d = c.rest();
            let d = if d.is_empty() {
                "-".to_string()
            } else {
                BASE64.encode(d)
            };
            format!("{enterprise} {kind} {location} {} {d}", quoted(media))
        }
        257 => {
            let caa = Caa::decode(c)?;
            *data = caa.data();
            caa.to_string()
        }
        260 => {
            let prec = c.u8()?;
            let dt = c.u8()?;
            let (d, kind) = (dt >> 7, dt & 0x7f);
            format!("{prec} {d} {kind} {}", gateway(c, kind)?)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipv4_text_is_display() {
        for x in [
            0u32,
            1,
            9,
            10,
            99,
            100,
            255,
            0x0a00_0001,
            0xc000_0201,
            0xffff_ffff,
            0x6409_6300,
        ] {
            let a = std::net::Ipv4Addr::from(x);
            assert_eq!(super::ipv4_text(a), a.to_string());
        }
        for o in 0..=255u8 {
            let a = std::net::Ipv4Addr::new(o, 255 - o, o / 2, o.wrapping_mul(7));
            assert_eq!(super::ipv4_text(a), a.to_string());
        }
    }

    use super::*;

    #[test]
    fn doa_eid_nimloc_atma_sink_rkey_uri_as_dig_shows_them() {
        let cases: &[(u16, &[u8], &str)] = &[
            (31, &[0x12, 0x89, 0xab], "1289AB"),
            (32, &[0x32, 0x10], "3210"),
            (34, &[0, 0x39, 0x24, 0x6f], "39246f"),
            (34, &[1, b'3', b'5', b'8'], "+358"),
            (40, &[1, 0, 0], "1 0 0"),
            (40, &[8, 0, 2, 0x97, 0x88, 0xa4], "8 0 2 l4ik"),
            (57, &[0, 0, 3, 253, 3, 1, 0, 1], "0 3 253 AwEAAQ=="),
            (256, &[0, 10, 0, 1], "10 1 \"\""),
            (
                259,
                &[0, 0, 0, 1, 0, 0, 0, 2, 3, 3, b'a', b'/', b'b', 0xff],
                "1 2 3 \"a/b\" /w==",
            ),
            (259, &[0, 0, 0, 1, 0, 0, 0, 2, 3, 0], "1 2 3 \"\" -"),
        ];
        for (t, rd, want) in cases {
            assert_eq!(show(*t, rd), *want, "type {t}");
        }
        // What does not hold together stays generic.
        assert!(show(34, &[1, b'x']).starts_with("\\# "));
        assert!(show(34, &[7, 1]).starts_with("\\# "));
        assert!(show(259, &[0, 0, 0, 1, 0, 0, 0, 2, 3, 9, b'a']).starts_with("\\# "));
    }

    fn show(rtype: u16, rdata: &[u8]) -> String {
        rdata_text(rtype, rdata)
    }

    fn rdata_text(rtype: u16, rdata: &[u8]) -> String {
        super::rdata(rdata, 0, rdata.len(), rtype).text
    }

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(show(16, b"\x05first\x06second"), "\"first\" \"second\"");
        assert_eq!(
            show(16, b"\x0bquo\"te\\back\x03\xff\x09\x00"),
            "\"quo\\\"te\\\\back\" \"\\255\\009\\000\""
        );
        assert_eq!(show(16, b"\x00"), "\"\"");
        // Empty TXT rdata is not a TXT record's shape.
        assert_eq!(show(16, b""), "\\# 0");
        // A string that runs past the data.
        assert_eq!(show(16, b"\x09short"), "\\# 6 0973686F7274");
    }

    #[test]
    fn numbers_are_unsigned_and_unknown_types_generic() {
        let mut soa = b"\x00\x00".to_vec();
        soa.extend_from_slice(&[0xff; 16]);
        soa.extend_from_slice(&300u32.to_be_bytes());
        assert_eq!(
            show(6, &soa),
            ". . 4294967295 4294967295 4294967295 4294967295 300"
        );
        assert_eq!(show(65280, &[10, 0, 0, 1]), "\\# 4 0A000001");
        assert_eq!(type_name(65280), "TYPE65280");
        use crate::dns::types::type_from_name;
        assert_eq!(type_from_name("type65280"), Some(65280));
        assert_eq!(type_from_name("loc"), Some(29));
        assert_eq!(type_from_name("NSAP-PTR"), Some(23));
        assert_eq!(type_from_name("TYPE"), None);
        // One byte too many for an A record.
        assert_eq!(show(1, &[1, 2, 3, 4, 5]), "\\# 5 0102030405");
    }

    #[test]
    fn svcb_is_rfc_9460_syntax() {
        let mut r = vec![0, 1, 0];
        r.extend_from_slice(&[0, 1, 0, 6, 2, b'h', b'2', 2, b'h', b'3']);
        r.extend_from_slice(&[0, 3, 0, 2, 0x20, 0xfb]);
        assert_eq!(show(65, &r), "1 . alpn=\"h2,h3\" port=8443");
        // A comma inside an ALPN id.
        let r = [0, 1, 0, 0, 1, 0, 4, 3, b'h', b',', b'2'];
        assert_eq!(show(64, &r), "1 . alpn=\"h\\\\,2\"");
        // Keys out of order: generic form.
        let r = [0, 1, 0, 0, 3, 0, 2, 0, 80, 0, 1, 0, 3, 2, b'h', b'2'];
        assert!(show(64, &r).starts_with("\\# "));
    }

    #[test]
    fn times_bitmaps_and_addresses() {
        assert_eq!(
            type_bitmap(&[0, 6, 0x40, 0x01, 0, 0, 0, 0x03]).unwrap(),
            "A MX RRSIG NSEC"
        );
        assert_eq!(ipv6_text("::1".parse().unwrap()), "::1");
        assert_eq!(ipv6_text("::102:304".parse().unwrap()), "::1.2.3.4");
        assert_eq!(
            ipv6_text("::ffff:192.0.2.1".parse().unwrap()),
            "::ffff:192.0.2.1"
        );
    }
}
