//! TSIG (RFC 8945): a query signed with a shared key, and the answer's
//! messages verified one by one, chained through the previous MAC, as a
//! zone transfer needs them. HMAC from ring (SHA-1, SHA-256, SHA-384,
//! SHA-512); written here rather than taken from hickory's TSigner, which
//! re-decodes every message with its full decoder, has no HMAC-SHA1 and
//! does not take the unsigned messages RFC 8945 5.3.1 allows between
//! signed ones.

use ring::hmac;

use super::name::WireName;

/// Messages a server may send unsigned between two signed ones (RFC 8945
/// 5.3.1: "up to 99").
pub const MAX_UNSIGNED: usize = 99;
/// The clock difference allowed when the server's own is not given, seconds.
pub const FUDGE: u16 = 300;

/// A TSIG algorithm ring computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// hmac-sha1.
    Sha1,
    /// hmac-sha256.
    Sha256,
    /// hmac-sha384.
    Sha384,
    /// hmac-sha512.
    Sha512,
}

impl Algorithm {
    /// The algorithm's name as BIND and dig write it (`hmac-sha256`).
    pub fn parse(text: &str) -> Result<Algorithm, String> {
        let t = text.trim().trim_end_matches('.').to_ascii_lowercase();
        Ok(match t.as_str() {
            "hmac-sha1" => Algorithm::Sha1,
            "hmac-sha256" => Algorithm::Sha256,
            "hmac-sha384" => Algorithm::Sha384,
            "hmac-sha512" => Algorithm::Sha512,
            "hmac-md5" | "hmac-md5.sig-alg.reg.int" => {
                return Err(
                    "hmac-md5 is not offered (broken since 2004): give the key as hmac-sha256"
                        .into(),
                );
            }
            "hmac-sha224" | "hmac-sha256-128" | "hmac-sha384-192" | "hmac-sha512-256" => {
                return Err(format!(
                    "{t} is not offered: hmac-sha1, hmac-sha256, hmac-sha384 or hmac-sha512"
                ));
            }
            _ => {
                return Err(format!(
                    "unknown TSIG algorithm '{}': hmac-sha1, hmac-sha256, hmac-sha384 or hmac-sha512",
                    crate::sanitize::brief(&t, 40)
                ));
            }
        })
    }

    /// Its name in text.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "hmac-sha1",
            Algorithm::Sha256 => "hmac-sha256",
            Algorithm::Sha384 => "hmac-sha384",
            Algorithm::Sha512 => "hmac-sha512",
        }
    }

    fn ring(self) -> hmac::Algorithm {
        match self {
            Algorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Algorithm::Sha256 => hmac::HMAC_SHA256,
            Algorithm::Sha384 => hmac::HMAC_SHA384,
            Algorithm::Sha512 => hmac::HMAC_SHA512,
        }
    }

    fn wire(self) -> WireName {
        WireName::from_text(&format!("{}.", self.name())).unwrap_or_else(WireName::root)
    }
}

/// A shared key: its name, algorithm and secret.
#[derive(Clone)]
pub struct Key {
    /// The key's name, lower case (its canonical form).
    pub name: WireName,
    /// The algorithm.
    pub algorithm: Algorithm,
    key: hmac::Key,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({} {})", self.name.to_text(), self.algorithm.name())
    }
}

impl Key {
    /// A key from its parts; the secret in base64.
    pub fn new(name: &str, algorithm: Algorithm, secret_b64: &str) -> Result<Key, String> {
        let secret = data_encoding::BASE64
            .decode(secret_b64.trim().as_bytes())
            .map_err(|_| "the secret is not base64".to_string())?;
        if secret.is_empty() {
            return Err("the secret is empty".into());
        }
        let n = name.trim();
        let n = if n.ends_with('.') {
            n.to_string()
        } else {
            format!("{n}.")
        };
        let wire = WireName::from_text(&n.to_ascii_lowercase())
            .filter(|_| !n.is_empty() && n != ".")
            .ok_or_else(|| format!("'{}' is not a key name", crate::sanitize::brief(name, 64)))?;
        Ok(Key {
            name: wire,
            algorithm,
            key: hmac::Key::new(algorithm.ring(), &secret),
        })
    }

    /// dig's `-y [ALG:]NAME:SECRET` (ALG defaults to hmac-sha256; dig's
    /// default, hmac-md5, is not offered).
    pub fn from_y(text: &str) -> Result<Key, String> {
        let parts: Vec<&str> = text.splitn(3, ':').collect();
        let (alg, name, secret) = match parts.as_slice() {
            [name, secret] => (Algorithm::Sha256, *name, *secret),
            [alg, name, secret] => (Algorithm::parse(alg)?, *name, *secret),
            _ => return Err("give [ALG:]NAME:SECRET (the secret in base64)".into()),
        };
        Key::new(name, alg, secret)
    }

    /// A key file as BIND's tsig-keygen writes it:
    /// `key "NAME" { algorithm hmac-sha256; secret "BASE64"; };`
    /// (the first key in the file).
    pub fn from_bind_file(text: &str) -> Result<Key, String> {
        // Comments out, then the tokens.
        let mut clean = String::with_capacity(text.len());
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let line = line.split("//").next().unwrap_or("");
            clean.push_str(line);
            clean.push('\n');
        }
        let start = clean
            .find("key")
            .ok_or("no 'key \"NAME\" { ... };' statement")?;
        let rest = &clean[start + 3..];
        let open = rest.find('{').ok_or("the key statement has no '{'")?;
        let name = rest[..open].trim().trim_matches('"');
        let close = rest[open..]
            .find('}')
            .ok_or("the key statement has no '}'")?
            + open;
        let body = &rest[open + 1..close];
        let mut alg = None;
        let mut secret = None;
        for stmt in body.split(';') {
            let mut words = stmt.split_whitespace();
            match (words.next(), words.next()) {
                (Some("algorithm"), Some(a)) => alg = Some(Algorithm::parse(a.trim_matches('"'))?),
                (Some("secret"), Some(s)) => secret = Some(s.trim_matches('"').to_string()),
                _ => {}
            }
        }
        Key::new(
            name,
            alg.ok_or("the key has no algorithm")?,
            &secret.ok_or("the key has no secret")?,
        )
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        hmac::sign(&self.key, data).as_ref().to_vec()
    }

    /// Appends a TSIG record signing `query` (a whole message whose
    /// ARCOUNT does not count it yet) at `now` (seconds since the epoch);
    /// returns the request MAC, which the answer's first MAC covers.
    pub fn sign(&self, query: &mut Vec<u8>, now: u64) -> Vec<u8> {
        let id = [query[0], query[1]];
        let mut data = query.clone();
        self.variables(&mut data, now, FUDGE, 0, &[]);
        let mac = self.mac(&data);
        // The record: owner, TYPE TSIG, CLASS ANY, TTL 0, RDATA.
        query.extend_from_slice(&self.name.0);
        query.extend_from_slice(&[0, 250, 0, 255, 0, 0, 0, 0]);
        let alg = self.algorithm.wire();
        let rdlen = alg.0.len() + 6 + 2 + 2 + mac.len() + 2 + 2 + 2;
        query.extend_from_slice(&(rdlen as u16).to_be_bytes());
        query.extend_from_slice(&alg.0);
        query.extend_from_slice(&now.to_be_bytes()[2..]);
        query.extend_from_slice(&FUDGE.to_be_bytes());
        query.extend_from_slice(&(mac.len() as u16).to_be_bytes());
        query.extend_from_slice(&mac);
        query.extend_from_slice(&id);
        query.extend_from_slice(&[0, 0, 0, 0]);
        let ar = u16::from_be_bytes([query[10], query[11]]).saturating_add(1);
        query[10..12].copy_from_slice(&ar.to_be_bytes());
        mac
    }

    /// The TSIG variables (RFC 8945 4.3.3) after `data`.
    fn variables(&self, data: &mut Vec<u8>, time: u64, fudge: u16, error: u16, other: &[u8]) {
        data.extend_from_slice(&self.name.0);
        data.extend_from_slice(&[0, 255, 0, 0, 0, 0]);
        data.extend_from_slice(&self.algorithm.wire().0);
        data.extend_from_slice(&time.to_be_bytes()[2..]);
        data.extend_from_slice(&fudge.to_be_bytes());
        data.extend_from_slice(&error.to_be_bytes());
        data.extend_from_slice(&(other.len() as u16).to_be_bytes());
        data.extend_from_slice(other);
    }
}

/// A TSIG record found at the end of a message.
struct Found {
    /// Where the record starts.
    start: usize,
    key: WireName,
    algorithm: WireName,
    time: u64,
    fudge: u16,
    mac: Vec<u8>,
    original_id: u16,
    error: u16,
    other: Vec<u8>,
}

/// Why an answer's TSIG failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsigFailure(pub String);

/// The TSIG record that ends `msg`, if its last record is one.
fn find(msg: &[u8]) -> Result<Option<Found>, String> {
    let bad = |_| "a message that cannot be read".to_string();
    let count = |i: usize| msg.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let (Some(qd), Some(an), Some(ns), Some(ar)) = (count(4), count(6), count(8), count(10)) else {
        return Err("shorter than a DNS header".into());
    };
    let mut pos = 12;
    for _ in 0..qd {
        let (_, next) = super::name::read_name(msg, pos).map_err(bad)?;
        pos = next + 4;
    }
    let total = usize::from(an) + usize::from(ns) + usize::from(ar);
    let mut last = None;
    for _ in 0..total {
        let start = pos;
        let (_, p) = super::name::read_name(msg, pos).map_err(bad)?;
        let rtype = count(p).ok_or("a record cut short")?;
        let rdlen = usize::from(count(p + 8).ok_or("a record cut short")?);
        pos = p + 10 + rdlen;
        if pos > msg.len() {
            return Err("a record runs past the message".into());
        }
        last = Some((start, rtype, p + 10));
    }
    let Some((start, 250, rd)) = last else {
        return Ok(None);
    };
    if ar == 0 {
        return Err("a TSIG record outside the additional section".into());
    }
    let (key, _) = super::name::read_name(msg, start).map_err(bad)?;
    let (algorithm, p) = super::name::read_name(msg, rd).map_err(bad)?;
    let field = |i: usize, n: usize| msg.get(i..i + n).ok_or("a TSIG record cut short");
    let time = field(p, 6)?
        .iter()
        .fold(0u64, |t, b| (t << 8) | u64::from(*b));
    let fudge = u16::from_be_bytes(field(p + 6, 2)?.try_into().unwrap_or([0; 2]));
    let mac_len = usize::from(u16::from_be_bytes(
        field(p + 8, 2)?.try_into().unwrap_or([0; 2]),
    ));
    let mac = field(p + 10, mac_len)?.to_vec();
    let q = p + 10 + mac_len;
    let original_id = u16::from_be_bytes(field(q, 2)?.try_into().unwrap_or([0; 2]));
    let error = u16::from_be_bytes(field(q + 2, 2)?.try_into().unwrap_or([0; 2]));
    let other_len = usize::from(u16::from_be_bytes(
        field(q + 4, 2)?.try_into().unwrap_or([0; 2]),
    ));
    let other = field(q + 6, other_len)?.to_vec();
    Ok(Some(Found {
        start,
        key,
        algorithm,
        time,
        fudge,
        mac,
        original_id,
        error,
        other,
    }))
}

/// The TSIG error's name (RFC 8945 and the IANA registry).
fn error_name(code: u16) -> String {
    match code {
        16 => "BADSIG (the server's MAC check of the query failed: another secret)".into(),
        17 => "BADKEY (the server does not know this key name or algorithm)".into(),
        18 => "BADTIME (the clocks differ by more than the fudge)".into(),
        22 => "BADTRUNC".into(),
        n => format!("error {n}"),
    }
}

/// Verifies an answer's messages in turn (RFC 8945 5.3): the first covers
/// the request MAC, each later one the previous MAC and the unsigned
/// messages since. Records of unsigned messages are released only once a
/// signed message after them verifies.
pub struct Verifier {
    key: Key,
    prior: Vec<u8>,
    first: bool,
    /// Unsigned messages since the last signed one, as they will be MACed.
    unsigned: Vec<u8>,
    unsigned_count: usize,
    now: u64,
    /// Messages verified.
    pub verified: u64,
}

/// What a message's check said.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// Signed and verified: this message and the unsigned before it are
    /// authentic.
    Verified,
    /// Unsigned, held until a later signed message covers it.
    Held,
}

impl Verifier {
    /// A verifier for the answer to a query signed with MAC `request_mac`.
    pub fn new(key: Key, request_mac: Vec<u8>, now: u64) -> Verifier {
        Verifier {
            key,
            prior: request_mac,
            first: true,
            unsigned: Vec::new(),
            unsigned_count: 0,
            now,
            verified: 0,
        }
    }

    /// Whether unsigned messages wait for a signed one.
    pub fn pending(&self) -> bool {
        self.unsigned_count > 0
    }

    /// Checks one message of the answer.
    pub fn check(&mut self, msg: &[u8]) -> Result<Check, TsigFailure> {
        let fail = |s: String| TsigFailure(s);
        let Some(t) = find(msg).map_err(fail)? else {
            if self.first {
                return Err(fail(
                    "the answer is not signed (the server does not use this key)".into(),
                ));
            }
            if self.unsigned_count >= MAX_UNSIGNED {
                return Err(fail(format!(
                    "more than {MAX_UNSIGNED} messages in a row without TSIG"
                )));
            }
            self.unsigned.extend_from_slice(msg);
            self.unsigned_count += 1;
            return Ok(Check::Held);
        };
        if !t.key.eq_ignore_case(&self.key.name) {
            return Err(fail(format!(
                "signed with another key: {}",
                crate::sanitize::escape(&t.key.to_text())
            )));
        }
        if !t.algorithm.eq_ignore_case(&self.key.algorithm.wire()) {
            return Err(fail(format!(
                "signed with another algorithm: {}",
                crate::sanitize::escape(&t.algorithm.to_text())
            )));
        }
        if t.error != 0 {
            return Err(fail(format!("the server says {}", error_name(t.error))));
        }
        // The message as it was before the TSIG was added: ARCOUNT one
        // less, the original ID.
        let mut data = Vec::with_capacity(self.prior.len() + self.unsigned.len() + msg.len() + 64);
        data.extend_from_slice(&(self.prior.len() as u16).to_be_bytes());
        data.extend_from_slice(&self.prior);
        data.append(&mut self.unsigned);
        data.extend_from_slice(&t.original_id.to_be_bytes());
        data.extend_from_slice(&msg[2..10]);
        let ar = u16::from_be_bytes([msg[10], msg[11]]).saturating_sub(1);
        data.extend_from_slice(&ar.to_be_bytes());
        data.extend_from_slice(&msg[12..t.start]);
        if self.first {
            self.key
                .variables(&mut data, t.time, t.fudge, t.error, &t.other);
        } else {
            data.extend_from_slice(&t.time.to_be_bytes()[2..]);
            data.extend_from_slice(&t.fudge.to_be_bytes());
        }
        hmac::verify(&self.key.key, &data, &t.mac).map_err(|_| {
            fail("the MAC does not verify: the secret differs from the server's".into())
        })?;
        if self.now.abs_diff(t.time) > u64::from(t.fudge) {
            return Err(fail(format!(
                "signed at {} but the clock here says {} (more than the fudge of {} s apart)",
                t.time, self.now, t.fudge
            )));
        }
        self.prior = t.mac;
        self.first = false;
        self.unsigned_count = 0;
        self.verified += 1;
        Ok(Check::Verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("k1.test", Algorithm::Sha256, "c2VjcmV0c2VjcmV0c2VjcmV0").unwrap()
    }

    /// A response to `query` signed as a server signs it (the same
    /// construction, from the other side).
    fn signed_response(
        k: &Key,
        prior: &[u8],
        first: bool,
        body: &[u8],
        time: u64,
    ) -> (Vec<u8>, Vec<u8>) {
        let mut data = (prior.len() as u16).to_be_bytes().to_vec();
        data.extend_from_slice(prior);
        data.extend_from_slice(body);
        if first {
            k.variables(&mut data, time, 300, 0, &[]);
        } else {
            data.extend_from_slice(&time.to_be_bytes()[2..]);
            data.extend_from_slice(&300u16.to_be_bytes());
        }
        let mac = k.mac(&data);
        let mut m = body.to_vec();
        m.extend_from_slice(&k.name.0);
        m.extend_from_slice(&[0, 250, 0, 255, 0, 0, 0, 0]);
        let alg = k.algorithm.wire();
        m.extend_from_slice(&((alg.0.len() + 16 + mac.len()) as u16).to_be_bytes());
        m.extend_from_slice(&alg.0);
        m.extend_from_slice(&time.to_be_bytes()[2..]);
        m.extend_from_slice(&300u16.to_be_bytes());
        m.extend_from_slice(&(mac.len() as u16).to_be_bytes());
        m.extend_from_slice(&mac);
        m.extend_from_slice(&body[..2]);
        m.extend_from_slice(&[0, 0, 0, 0]);
        let ar = u16::from_be_bytes([m[10], m[11]]) + 1;
        m[10..12].copy_from_slice(&ar.to_be_bytes());
        (m, mac)
    }

    fn body(id: u16) -> Vec<u8> {
        let mut b = id.to_be_bytes().to_vec();
        b.extend_from_slice(&[0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn a_chain_of_messages_verifies_and_any_change_is_caught() {
        let k = key();
        let mut q = body(7);
        q[2] = 0;
        let request_mac = k.sign(&mut q, 1_000_000);
        assert_eq!(u16::from_be_bytes([q[10], q[11]]), 1);
        let (m1, mac1) = signed_response(&k, &request_mac, true, &body(7), 1_000_001);
        let unsigned = body(7);
        let mut covered = unsigned.clone();
        covered.extend_from_slice(&body(7));
        let mut prior = (mac1.len() as u16).to_be_bytes().to_vec();
        prior.extend_from_slice(&mac1);
        // The third message's MAC covers the unsigned second one.
        let (m3, _) = {
            let mut data = prior.clone();
            data.extend_from_slice(&covered);
            data.extend_from_slice(&1_000_002u64.to_be_bytes()[2..]);
            data.extend_from_slice(&300u16.to_be_bytes());
            let mac = k.mac(&data);
            let (mut m, _) = signed_response(&k, &mac1, false, &body(7), 1_000_002);
            // Replace the MAC with the one over the unsigned message too.
            let at = m.len() - 6 - mac.len();
            m[at..at + mac.len()].copy_from_slice(&mac);
            (m, mac)
        };
        let mut v = Verifier::new(k.clone(), request_mac.clone(), 1_000_003);
        assert_eq!(v.check(&m1), Ok(Check::Verified));
        assert_eq!(v.check(&unsigned), Ok(Check::Held));
        assert!(v.pending());
        assert_eq!(v.check(&m3), Ok(Check::Verified));
        assert!(!v.pending());
        // A flipped byte, another secret, an unsigned first message, a
        // stale clock.
        let mut bad = m1.clone();
        bad[3] ^= 1;
        assert!(
            Verifier::new(k.clone(), request_mac.clone(), 1_000_003)
                .check(&bad)
                .is_err()
        );
        let other = Key::new("k1.test", Algorithm::Sha256, "b3RoZXJvdGhlcm90aGVy").unwrap();
        assert!(
            Verifier::new(other, request_mac.clone(), 1_000_003)
                .check(&m1)
                .unwrap_err()
                .0
                .contains("secret")
        );
        assert!(
            Verifier::new(k.clone(), request_mac.clone(), 1_000_003)
                .check(&body(7))
                .is_err()
        );
        assert!(
            Verifier::new(k.clone(), request_mac, 2_000_000)
                .check(&m1)
                .unwrap_err()
                .0
                .contains("clock")
        );
    }

    #[test]
    fn key_files_and_dash_y() {
        let f = "# made by tsig-keygen\nkey \"xfr-key\" {\n\talgorithm hmac-sha512;\n\tsecret \"c2VjcmV0\";\n};\n";
        let k = Key::from_bind_file(f).unwrap();
        assert_eq!(
            (k.name.to_text(), k.algorithm),
            ("xfr-key.".to_string(), Algorithm::Sha512)
        );
        let k = Key::from_y("hmac-sha1:Name.Test:c2VjcmV0").unwrap();
        assert_eq!(
            (k.name.to_text(), k.algorithm),
            ("name.test.".to_string(), Algorithm::Sha1)
        );
        assert_eq!(
            Key::from_y("n:c2VjcmV0").unwrap().algorithm,
            Algorithm::Sha256
        );
        for bad in [
            "n",
            "hmac-md5:n:c2VjcmV0",
            "n:!!!",
            "hmac-sha999:n:c2VjcmV0",
            "n:",
        ] {
            assert!(Key::from_y(bad).is_err(), "{bad}");
        }
        assert!(Key::from_bind_file("key \"x\" { secret \"c2VjcmV0\"; };").is_err());
        assert!(Key::from_bind_file("nothing here").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Any bytes as a transfer's message: no panic, never verified.
        #[test]
        fn hostile_messages_never_verify(
            msg in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let mut v = Verifier::new(key(), vec![0; 32], 1_000_000);
            proptest::prop_assert!(v.check(&msg).is_err());
        }
    }
}
