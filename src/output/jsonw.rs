//! A hand-written JSON writer for the objects printed by the hundred
//! thousand (a DNS batch's results): the same bytes serde_json and
//! [`super::json::to_writer`] write, without serde's per-field dispatch and
//! its second escape scan. Keys are static and safe; every string value is
//! escaped here once, as serde_json does (`"`, `\`, the C0 controls) plus
//! what netkit escapes on top (DEL, C1, bidi and separators). Values of
//! other shapes go through [`super::json::to_writer`], so they stay exact.

use std::io;

use serde::Serialize;

/// A key as [`Obj`] takes it, quoted once at compile time with the comma
/// before it: `k!("name")` is `,"name":`.
#[macro_export]
macro_rules! k {
    ($key:literal) => {
        concat!(",\"", $key, "\":")
    };
}

/// One JSON object being written into a buffer. Each key is written with
/// the comma before it in one copy ([`k!`]); the first one's comma becomes
/// the opening brace when the object closes.
pub struct Obj<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
}

impl<'a> Obj<'a> {
    /// Opens an object.
    pub fn new(out: &'a mut Vec<u8>) -> Obj<'a> {
        out.reserve(256);
        let start = out.len();
        Obj { out, start }
    }

    /// Writes `,"key":` (`key` from [`k!`]).
    fn key(&mut self, key: &'static str) -> &mut Vec<u8> {
        debug_assert!(key.starts_with(",\"") && key.ends_with("\":"));
        self.out.extend_from_slice(key.as_bytes());
        self.out
    }

    /// A string value.
    pub fn str(&mut self, key: &'static str, v: &str) -> &mut Self {
        str_value(self.key(key), v);
        self
    }

    /// A word of netkit's own (a mnemonic from its tables: a record type,
    /// a status, a flag, a transport): quoted without the escape scan, as
    /// it needs none (debug builds check; a test checks every table).
    pub fn word(&mut self, key: &'static str, v: &str) -> &mut Self {
        word_value(self.key(key), v);
        self
    }

    /// A list of [`Obj::word`]s.
    pub fn word_list(&mut self, key: &'static str, items: &[&'static str]) -> &mut Self {
        let out = self.key(key);
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            word_value(out, item);
        }
        out.push(b']');
        self
    }

    /// A string value, or null.
    pub fn opt_str(&mut self, key: &'static str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    /// A value already in JSON form (a literal, or digits).
    pub fn raw(&mut self, key: &'static str, v: &str) -> &mut Self {
        self.key(key).extend_from_slice(v.as_bytes());
        self
    }

    /// A boolean.
    pub fn bool(&mut self, key: &'static str, v: bool) -> &mut Self {
        self.raw(key, if v { "true" } else { "false" })
    }

    /// An unsigned integer (the caller knows it fits 2^53).
    pub fn uint(&mut self, key: &'static str, v: u64) -> &mut Self {
        let mut b = itoa::Buffer::new();
        self.key(key).extend_from_slice(b.format(v).as_bytes());
        self
    }

    /// Any other value, through serde (exactly as the serde path writes it).
    pub fn value<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> io::Result<&mut Self> {
        super::json::to_writer(&mut *self.key(key), v)?;
        Ok(self)
    }

    /// An optional value: null, or the value through serde.
    pub fn opt_value<T: Serialize>(
        &mut self,
        key: &'static str,
        v: &Option<T>,
    ) -> io::Result<&mut Self> {
        match v {
            Some(v) => self.value(key, v),
            None => Ok(self.raw(key, "null")),
        }
    }

    /// A list of values through serde; an empty one is `[]` without it.
    pub fn values<T: Serialize>(&mut self, key: &'static str, v: &[T]) -> io::Result<&mut Self> {
        if v.is_empty() {
            Ok(self.raw(key, "[]"))
        } else {
            self.value(key, v)
        }
    }

    /// An IP address, as its text (what serde writes for it).
    pub fn ip(&mut self, key: &'static str, v: std::net::IpAddr) -> &mut Self {
        let out = self.key(key);
        out.push(b'"');
        match v {
            std::net::IpAddr::V4(a) => {
                let (t, n) = crate::dns::present::ipv4_digits(a);
                out.extend_from_slice(&t[..n]);
            }
            std::net::IpAddr::V6(a) => {
                use std::io::Write;
                // Writing into a Vec cannot fail.
                let _ = write!(out, "{a}");
            }
        }
        out.push(b'"');
        self
    }

    /// A list, each item written by `each`.
    pub fn list<T>(
        &mut self,
        key: &'static str,
        items: &[T],
        mut each: impl FnMut(&mut Vec<u8>, &T) -> io::Result<()>,
    ) -> io::Result<&mut Self> {
        let out = self.key(key);
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            each(out, item)?;
        }
        out.push(b']');
        Ok(self)
    }

    /// A list of strings.
    pub fn str_list<S: AsRef<str>>(&mut self, key: &'static str, items: &[S]) -> &mut Self {
        let out = self.key(key);
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            str_value(out, item.as_ref());
        }
        out.push(b']');
        self
    }

    /// A nested object, written by `f`.
    pub fn obj(
        &mut self,
        key: &'static str,
        f: impl FnOnce(&mut Obj<'_>) -> io::Result<()>,
    ) -> io::Result<&mut Self> {
        let mut inner = Obj::new(self.key(key));
        f(&mut inner)?;
        inner.close();
        Ok(self)
    }

    /// Closes the object.
    pub fn close(self) {
        if self.out.len() == self.start {
            self.out.extend_from_slice(b"{}");
        } else {
            // The first key's comma opens the object.
            self.out[self.start] = b'{';
            self.out.push(b'}');
        }
    }
}

/// What a byte needs: 0 nothing, 1 a check of the character it starts
/// (U+007F and above), b'u' a `\u00XX` escape, or its short escape letter.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    let mut i = 0x7f;
    while i < 0x100 {
        t[i] = 1;
        i += 1;
    }
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether eight bytes (little-endian in `w`) all have [`CLASS`] 0: none
/// below 0x20, none `"`, `\\`, DEL, or 0x80 and above. The zero-byte tests
/// (`(x - 0x01..) & !x & 0x80..`) may flag a byte above one that truly
/// matched, never miss one, so "none at all" is exact.
#[inline]
fn plain8(w: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let special = zero(w ^ (ONES * 0x22)) | zero(w ^ (ONES * 0x5c)) | zero(w ^ (ONES * 0x7f));
    (control | special | w) & HIGH == 0
}

/// A word that needs no escape (see [`Obj::word`]), quoted.
pub fn word_value(out: &mut Vec<u8>, v: &str) {
    debug_assert!(v.bytes().all(|b| CLASS[usize::from(b)] == 0), "{v:?}");
    out.reserve(v.len() + 2);
    out.push(b'"');
    out.extend_from_slice(v.as_bytes());
    out.push(b'"');
}

/// A JSON string, quoted and escaped: byte for byte what
/// [`super::json::to_writer`] writes for it.
pub fn str_value(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight plain bytes at a time (most text is plain).
        if let Some(chunk) = bytes[i..].first_chunk::<8>()
            && plain8(u64::from_le_bytes(*chunk))
        {
            i += 8;
            continue;
        }
        let class = CLASS[usize::from(bytes[i])];
        if class == 0 {
            i += 1;
            continue;
        }
        if class == 1 {
            // U+007F and above: escaped only if netkit's rule says so.
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            let n = c.len_utf8();
            if super::json::needs_json_escape(c) {
                out.extend_from_slice(&bytes[start..i]);
                let v = c as u32;
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((v >> shift) & 0xf) as usize]);
                }
                start = i + n;
            }
            i += n;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        out.push(b'\\');
        if class == b'u' {
            let b = bytes[i];
            out.extend_from_slice(b"u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(class);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_empty_values_are_serdes() {
        for ip in [
            "0.0.0.0",
            "192.0.2.1",
            "255.255.255.255",
            "10.0.100.9",
            "::1",
            "2001:db8::1",
            "::ffff:192.0.2.1",
            "fe80::1:2:3:4",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            let mut out = Vec::new();
            let mut o = Obj::new(&mut out);
            o.ip(crate::k!("a"), ip);
            o.close();
            assert_eq!(
                out,
                serde_json::to_vec(&serde_json::json!({"a": ip})).unwrap()
            );
        }
        let mut out = Vec::new();
        let mut o = Obj::new(&mut out);
        o.opt_value(crate::k!("n"), &None::<u8>)
            .unwrap()
            .opt_value(crate::k!("s"), &Some(7u8))
            .unwrap()
            .values(crate::k!("e"), &[] as &[u8])
            .unwrap()
            .values(crate::k!("l"), &[1u8, 2])
            .unwrap();
        o.close();
        assert_eq!(out, br#"{"n":null,"s":7,"e":[],"l":[1,2]}"#);
    }

    fn serde_form(s: &str) -> Vec<u8> {
        let mut v = Vec::new();
        super::super::json::to_writer(&mut v, s).unwrap();
        v
    }

    #[test]
    fn strings_match_the_serde_path() {
        let mut every = String::new();
        for c in (0u32..0x3000).chain([0xfeff, 0xfffd, 0x1f600]) {
            if let Some(c) = char::from_u32(c) {
                every.push(c);
            }
        }
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "\u{1b}[31m",
            "x\u{202e}y\u{9b}z\u{7f}",
            every.as_str(),
        ] {
            let mut mine = Vec::new();
            str_value(&mut mine, s);
            assert_eq!(
                String::from_utf8(mine).unwrap(),
                String::from_utf8(serde_form(s)).unwrap()
            );
        }
    }

    #[test]
    fn every_byte_at_every_place_in_a_word_is_seen() {
        // The eight-byte test beside the byte loop: each ASCII byte, and a
        // character of each UTF-8 length, at each offset of two words.
        let specials = (0u8..0x80).map(|b| char::from(b).to_string()).chain(
            [
                "\u{80}",
                "\u{9b}",
                "\u{e9}",
                "\u{202e}",
                "\u{2028}",
                "\u{1f600}",
            ]
            .map(String::from),
        );
        for special in specials {
            for at in 0..=17 {
                let s = format!("{}{special}{}", "a".repeat(at), "b".repeat(17 - at));
                let mut mine = Vec::new();
                str_value(&mut mine, &s);
                assert_eq!(mine, serde_form(&s), "{s:?}");
            }
        }
        for w in [0u64, u64::MAX, 0x2020_2020_2020_2020, 0x1f20_2020_2020_2020] {
            let bytes = w.to_le_bytes();
            assert_eq!(
                plain8(w),
                bytes.iter().all(|&b| CLASS[usize::from(b)] == 0),
                "{w:#x}"
            );
        }
    }

    #[test]
    fn netkit_words_need_no_escape() {
        use crate::dns::TransportName;
        let mut words: Vec<String> = (0..=u16::MAX)
            .map(|t| crate::dns::types::type_name(t).into_owned())
            .collect();
        use crate::dns::status::DnsStatus;
        words.extend(
            (0..=u16::MAX)
                .map(DnsStatus::from_rcode)
                .chain([
                    DnsStatus::Nodata,
                    DnsStatus::Referral,
                    DnsStatus::Timeout,
                    DnsStatus::Error,
                ])
                .map(|s| s.as_str().into_owned()),
        );
        words.extend(["qr", "aa", "tc", "rd", "ra", "ad", "cd"].map(String::from));
        words.extend(
            [
                TransportName::Udp,
                TransportName::Tcp,
                TransportName::Tls,
                TransportName::Https,
                TransportName::Quic,
            ]
            .map(|t| t.as_str().to_string()),
        );
        words.push(
            <crate::dns::lookup::LookupReport as crate::output::report::Report>::TYPE.to_string(),
        );
        for w in words {
            let (mut word, mut escaped) = (Vec::new(), Vec::new());
            word_value(&mut word, &w);
            str_value(&mut escaped, &w);
            assert_eq!(word, escaped, "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_word_is_plain_exactly_when_its_bytes_are(
            bytes in proptest::array::uniform8(proptest::prop_oneof![
                6 => 0x20u8..0x7f,
                1 => proptest::num::u8::ANY,
            ])
        ) {
            let w = u64::from_le_bytes(bytes);
            proptest::prop_assert_eq!(plain8(w), bytes.iter().all(|&b| CLASS[usize::from(b)] == 0));
        }

        #[test]
        fn any_string_matches_the_serde_path(s in "\\PC*|[\\x00-\\x{3000}]{0,40}") {
            let mut mine = Vec::new();
            str_value(&mut mine, &s);
            proptest::prop_assert_eq!(mine, serde_form(&s));
        }
    }
}
