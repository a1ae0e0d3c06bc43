//! Trust anchors: the root's keys, built in, and `--trust-anchor FILE`
//! (DS or DNSKEY records in zone-file form); key tags (RFC 4034 B).

use super::*;

/// A trust anchor: a DS or a DNSKEY for a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The zone, lower case.
    pub owner: WireName,
    /// DS (43) or DNSKEY (48).
    pub rtype: u16,
    /// The record data.
    pub rdata: Vec<u8>,
}

/// The root zone's key-signing keys (IANA root-anchors.xml): KSK-2017
/// (20326) and KSK-2024 (38696), as DS records with SHA-256 digests.
const ROOT_DS: [(u16, &str); 2] = [
    (
        20326,
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ),
    (
        38696,
        "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    ),
];

/// The built-in anchors: the root's.
pub fn root_anchors() -> Vec<Anchor> {
    ROOT_DS
        .iter()
        .filter_map(|(tag, hex)| {
            let digest = data_encoding::HEXUPPER_PERMISSIVE
                .decode(hex.as_bytes())
                .ok()?;
            let mut rdata = tag.to_be_bytes().to_vec();
            rdata.extend_from_slice(&[8, 2]);
            rdata.extend_from_slice(&digest);
            Some(Anchor {
                owner: WireName::root(),
                rtype: T_DS,
                rdata,
            })
        })
        .collect()
}

/// Reads trust anchors in zone-file form, as `dnssec-dsfromkey` and
/// `dnssec-keygen` write them: `OWNER [TTL] [IN] DS TAG ALG DIGEST-TYPE
/// HEX` or `OWNER [TTL] [IN] DNSKEY FLAGS 3 ALG BASE64`; `;` comments,
/// parentheses across lines.
pub fn parse_anchors(text: &str) -> Result<Vec<Anchor>, String> {
    let mut out = Vec::new();
    let mut joined = String::new();
    let mut depth = 0i32;
    let mut line_no = 0;
    let mut start_line = 0;
    for line in text.lines() {
        line_no += 1;
        let line = line.split(';').next().unwrap_or("");
        if depth == 0 {
            start_line = line_no;
        }
        for c in line.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => joined.push(c),
            }
        }
        joined.push(' ');
        if depth > 0 {
            continue;
        }
        let record = std::mem::take(&mut joined);
        depth = 0;
        let mut words = record.split_whitespace().peekable();
        let Some(owner) = words.next() else { continue };
        let bad = |why: &str| format!("line {start_line}: {why}");
        let owner = WireName::from_text(owner)
            .map(|n| WireName(n.0.to_ascii_lowercase()))
            .ok_or_else(|| bad("not a domain name"))?;
        while words
            .peek()
            .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()) || w.eq_ignore_ascii_case("IN"))
        {
            words.next();
        }
        let rtype = words.next().unwrap_or("");
        let fields: Vec<&str> = words.collect();
        let num = |i: usize, what: &str| -> Result<u64, String> {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .ok_or_else(|| bad(&format!("{rtype}: {what} is not a number")))
        };
        let rdata = if rtype.eq_ignore_ascii_case("DS") {
            let (tag, alg, dtype) = (
                num(0, "key tag")?,
                num(1, "algorithm")?,
                num(2, "digest type")?,
            );
            let hex: String = fields.get(3..).unwrap_or(&[]).concat();
            let digest = data_encoding::HEXUPPER_PERMISSIVE
                .decode(hex.as_bytes())
                .map_err(|_| bad("DS: the digest is not hexadecimal"))?;
            if tag > 65_535 || alg > 255 || dtype > 255 || digest.is_empty() {
                return Err(bad("DS: a field is out of range"));
            }
            let mut r = (tag as u16).to_be_bytes().to_vec();
            r.extend_from_slice(&[alg as u8, dtype as u8]);
            r.extend_from_slice(&digest);
            r
        } else if rtype.eq_ignore_ascii_case("DNSKEY") {
            let (flags, proto, alg) = (num(0, "flags")?, num(1, "protocol")?, num(2, "algorithm")?);
            let b64: String = fields.get(3..).unwrap_or(&[]).concat();
            let key = data_encoding::BASE64
                .decode(b64.as_bytes())
                .map_err(|_| bad("DNSKEY: the key is not base64"))?;
            if flags > 65_535 || proto != 3 || alg > 255 || key.is_empty() {
                return Err(bad("DNSKEY: a field is out of range"));
            }
            let mut r = (flags as u16).to_be_bytes().to_vec();
            r.extend_from_slice(&[3, alg as u8]);
            r.extend_from_slice(&key);
            r
        } else {
            return Err(bad("only DS and DNSKEY records are trust anchors"));
        };
        out.push(Anchor {
            owner,
            rtype: if rtype.eq_ignore_ascii_case("DS") {
                T_DS
            } else {
                T_DNSKEY
            },
            rdata,
        });
        if out.len() > 256 {
            return Err("more than 256 trust anchors".into());
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    if out.is_empty() {
        return Err("no DS or DNSKEY record".into());
    }
    Ok(out)
}

/// RFC 4034 appendix B.
pub fn key_tag(rdata: &[u8]) -> u16 {
    let mut ac: u32 = 0;
    for (i, b) in rdata.iter().enumerate() {
        ac += if i & 1 == 1 {
            u32::from(*b)
        } else {
            u32::from(*b) << 8
        };
    }
    ac += (ac >> 16) & 0xffff;
    (ac & 0xffff) as u16
}
