//! Domain names as they travel: uncompressed wire form (length-prefixed
//! labels, letter case as received), read from a message with compression
//! pointers followed at most 128 times and names cut at 255 bytes, and
//! shown in presentation form (RFC 1035 escapes).

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub &'static str);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

type Res<T> = Result<T, WireError>;

/// A domain name in uncompressed wire form (length-prefixed labels, the
/// root's zero byte included), letter case as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WireName(pub Vec<u8>);

/// The bytes a name shows as they are: `!`..`~` but for the ones RFC 1035's
/// presentation form escapes.
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b <= 0x7e {
        t[b] = !matches!(
            b as u8,
            b'.' | b'"' | b';' | b'\\' | b'(' | b')' | b'@' | b'$'
        );
        b += 1;
    }
    t
};

impl WireName {
    /// The root name.
    pub fn root() -> Self {
        WireName(vec![0])
    }

    /// A hickory name's wire form (hickory's own text form escapes in
    /// octal, `\\040` for a space, where RFC 1035 and dig use decimal).
    pub fn from_name(name: &hickory_proto::rr::Name) -> Self {
        let mut wire = Vec::with_capacity(name.len() + 2);
        for label in name.iter() {
            wire.push(label.len() as u8);
            wire.extend_from_slice(label);
        }
        wire.push(0);
        WireName(wire)
    }

    /// The labels, without the root.
    pub fn labels(&self) -> impl Iterator<Item = &[u8]> {
        let mut pos = 0;
        std::iter::from_fn(move || {
            let len = usize::from(*self.0.get(pos)?);
            if len == 0 {
                return None;
            }
            let label = self.0.get(pos + 1..pos + 1 + len)?;
            pos += 1 + len;
            Some(label)
        })
    }

    /// How many labels (the root has none), as RRSIG counts them.
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Equal ignoring ASCII letter case (RFC 4343).
    pub fn eq_ignore_case(&self, other: &WireName) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }

    /// Presentation form, as dig and kdig print it: absolute (a trailing
    /// dot), `\.` `\"` `\;` `\\` `\(` `\)` `\@` `\$` escaped, other bytes
    /// outside `!`..`~` as `\DDD`. IDN labels stay in their `xn--` form.
    pub fn to_text(&self) -> String {
        self.plain_text().unwrap_or_else(|| self.escaped_text())
    }

    /// The presentation form of a name with nothing to escape (most
    /// names): the wire form less its first byte, each length byte after
    /// it become a dot. None when a label holds a byte to escape.
    fn plain_text(&self) -> Option<String> {
        let w = &self.0;
        if w.len() < 2 {
            return None;
        }
        let mut out = w[1..].to_vec();
        let mut pos = 0;
        loop {
            let len = usize::from(*w.get(pos)?);
            if len == 0 {
                // The root's byte, the text's last, is a dot too.
                out.truncate(pos);
                break;
            }
            let label = w.get(pos + 1..pos + 1 + len)?;
            if !label.iter().all(|&b| PLAIN[usize::from(b)]) {
                return None;
            }
            // The byte after the label (the next length, or the root's).
            *out.get_mut(pos + len)? = b'.';
            pos += 1 + len;
        }
        String::from_utf8(out).ok()
    }

    fn escaped_text(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + 1);
        for label in self.labels() {
            for &b in label {
                match b {
                    b'.' | b'"' | b';' | b'\\' | b'(' | b')' | b'@' | b'$' => {
                        out.push('\\');
                        out.push(char::from(b));
                    }
                    0x21..=0x7e => out.push(char::from(b)),
                    _ => {
                        out.push('\\');
                        push_decimal3(&mut out, b);
                    }
                }
            }
            out.push('.');
        }
        if out.is_empty() {
            out.push('.');
        }
        out
    }

    /// The name in Unicode when it holds IDN labels (`xn--`) that are valid
    /// IDNA (UTS 46), for showing beside the wire form; None otherwise (a
    /// plain name, or labels that do not decode). The wire form stays the
    /// one to trust: look-alike letters only show in the Unicode one.
    pub fn to_unicode(&self) -> Option<String> {
        if !self
            .labels()
            .any(|l| l.len() > 4 && l[..4].eq_ignore_ascii_case(b"xn--"))
        {
            return None;
        }
        let text = self.to_text();
        if text.contains('\\') {
            return None;
        }
        let (unicode, result) = idna::domain_to_unicode(&text);
        (result.is_ok() && unicode != text).then_some(unicode)
    }

    /// Reads a name given in presentation form, with RFC 1035 escapes
    /// (`\032`, `\.`); relative names are taken as absolute.
    pub fn from_text(text: &str) -> Option<WireName> {
        let mut wire = Vec::with_capacity(text.len() + 2);
        if text == "." {
            return Some(WireName::root());
        }
        let bytes = text.as_bytes();
        let mut label: Vec<u8> = Vec::with_capacity(63);
        let mut i = 0;
        let end_label = |label: &mut Vec<u8>, wire: &mut Vec<u8>| -> Option<()> {
            if label.is_empty() || label.len() > 63 {
                return None;
            }
            wire.push(label.len() as u8);
            wire.append(label);
            Some(())
        };
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => {
                    let d = bytes.get(i + 1..i + 4);
                    if let Some(d) = d.filter(|d| d.iter().all(u8::is_ascii_digit)) {
                        let v = d.iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
                        label.push(u8::try_from(v).ok()?);
                        i += 4;
                    } else {
                        label.push(*bytes.get(i + 1)?);
                        i += 2;
                    }
                }
                b'.' => {
                    end_label(&mut label, &mut wire)?;
                    i += 1;
                }
                b => {
                    label.push(b);
                    i += 1;
                }
            }
        }
        if !label.is_empty() {
            end_label(&mut label, &mut wire)?;
        }
        wire.push(0);
        (wire.len() <= 255 && wire.len() > 1).then_some(WireName(wire))
    }
}

/// Writes `b` as three decimal digits.
pub(crate) fn push_decimal3(out: &mut String, b: u8) {
    out.push(char::from(b'0' + b / 100));
    out.push(char::from(b'0' + b / 10 % 10));
    out.push(char::from(b'0' + b % 10));
}

/// Reads a possibly compressed name at `pos` of `msg`; returns it and the
/// position after it (after the first pointer, if any).
pub fn read_name(msg: &[u8], mut pos: usize) -> Res<(WireName, usize)> {
    let mut out = Vec::with_capacity(32);
    let mut after = None;
    let mut jumps = 0;
    loop {
        let len = *msg
            .get(pos)
            .ok_or(WireError("name runs past the message"))?;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    out.push(0);
                    return Ok((WireName(out), after.unwrap_or(pos + 1)));
                }
                let l = usize::from(len);
                let label = msg
                    .get(pos + 1..pos + 1 + l)
                    .ok_or(WireError("label runs past the message"))?;
                if out.len() + 1 + l + 1 > 255 {
                    return Err(WireError("name longer than 255 bytes"));
                }
                out.push(len);
                out.extend_from_slice(label);
                pos += 1 + l;
            }
            0xc0 => {
                let lo = *msg
                    .get(pos + 1)
                    .ok_or(WireError("pointer runs past the message"))?;
                jumps += 1;
                if jumps > 128 {
                    return Err(WireError("compression pointer loop"));
                }
                after.get_or_insert(pos + 2);
                pos = usize::from(u16::from_be_bytes([len & 0x3f, lo]));
            }
            _ => return Err(WireError("unknown label type")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        /// The short way (labels copied whole) gives what the escaping
        /// loop gives.
        fn text_form_is_the_escaping_loops(labels in proptest::collection::vec(
            proptest::collection::vec(proptest::prelude::any::<u8>(), 1..20), 0..5)) {
            let mut wire = Vec::new();
            for l in &labels {
                wire.push(l.len() as u8);
                wire.extend_from_slice(l);
            }
            wire.push(0);
            let name = WireName(wire);
            proptest::prop_assert_eq!(name.to_text(), name.escaped_text());
        }
    }

    #[test]
    fn every_byte_shows_as_before() {
        for b in 0..=255u8 {
            let name = WireName(vec![3, b'a', b, b'z', 0]);
            assert_eq!(name.to_text(), name.escaped_text(), "byte {b}");
        }
        assert_eq!(WireName::root().to_text(), ".");
        assert_eq!(WireName(vec![1, b'.', 1, b'a', 0]).to_text(), "\\..a.");
    }
}
