//! JSON Lines conventions, in one place: strings escaped so no terminal
//! control or bidi character passes raw, durations rounded to a
//! microsecond, integers past 2^53 as strings, dates in RFC 3339.

use std::io::{self, Write};

use serde::Serialize;

/// The version of the JSON contract (docs/json.md).
pub const CONTRACT_VERSION: u32 = 1;

/// Writes a JSON string fragment, escaping as `\uXXXX` what serde_json
/// leaves raw but a terminal or an editor would act on: DEL, the C1
/// controls (U+009B is CSI on some terminals), the bidirectional
/// overrides and isolates, and the line and paragraph separators.
struct SafeFormatter;

pub(crate) fn needs_json_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Everything escaped here is U+007F or above: ASCII below it (most
        // of what netkit prints) goes out as it is, without decoding.
        let Some(first) = fragment.bytes().position(|b| b >= 0x7f) else {
            return writer.write_all(fragment.as_bytes());
        };
        let mut start = 0;
        for (i, c) in fragment[first..]
            .char_indices()
            .map(|(i, c)| (i + first, c))
        {
            if needs_json_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Serialises one value as compact JSON with netkit's escaping.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, SafeFormatter);
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// Rounds milliseconds to a microsecond (three decimals).
pub fn round_ms(ms: f64) -> f64 {
    if ms.is_finite() {
        (ms * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

/// `serialize_with` for a duration in milliseconds: rounded to a microsecond.
pub fn ms<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round_ms(*v))
}

/// `serialize_with` for an optional duration in milliseconds.
pub fn opt_ms<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_f64(round_ms(*v)),
        None => s.serialize_none(),
    }
}

/// `serialize_with` for a ratio or a rate: rounded to three decimals.
pub fn round3<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round_ms(*v))
}

/// `serialize_with` for an optional ratio or rate: three decimals.
pub fn opt_round3<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    opt_ms(v, s)
}

/// `serialize_with` for a 64-bit integer that can pass 2^53: always a
/// decimal string, so jq and JavaScript read it exactly.
pub fn u64_string<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// The largest integer every JSON reader holds exactly (JavaScript's
/// `Number.MAX_SAFE_INTEGER`, jq's doubles): 2^53 - 1.
pub const MAX_SAFE: u64 = (1 << 53) - 1;

/// `serialize_with` for a 64-bit integer a peer or a long run can push past
/// 2^53 (sequence numbers, byte counts): a number up to [`MAX_SAFE`], a
/// decimal string beyond, so no reader rounds it (jq turned
/// 18446744073709551615 into 18446744073709552000). Every value that fits
/// prints exactly as before.
pub fn big<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    if *v <= MAX_SAFE {
        s.serialize_u64(*v)
    } else {
        s.collect_str(v)
    }
}

/// [`big`] for an optional value.
pub fn opt_big<S: serde::Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => big(v, s),
        None => s.serialize_none(),
    }
}

/// The schema of a [`big`] integer: a number up to 2^53 - 1, or a
/// decimal string.
pub struct BigU64;

impl schemars::JsonSchema for BigU64 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BigU64".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An unsigned integer: a number up to 2^53 - 1, a decimal string beyond (so no reader rounds it)",
            "anyOf": [
                { "type": "integer", "minimum": 0, "maximum": 9_007_199_254_740_991u64 },
                { "type": "string", "pattern": "^[0-9]{16,20}$" }
            ]
        })
    }
}

/// A Unix time (seconds) as UTC (year, month, day, hour, minute, second),
/// by Howard Hinnant's civil_from_days.
pub fn civil(unix: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// A Unix time (seconds) as an RFC 3339 UTC date: `2026-12-22T03:39:05Z`.
pub fn rfc3339(unix: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil(unix);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_terminals_act_on() {
        let mut out = Vec::new();
        to_writer(&mut out, "a\u{202e}b\u{9b}c\u{7f}d\x1be\u{2028}ü\"").unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, r#""a\u202eb\u009bc\u007fd\u001be\u2028ü\"""#);
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\u{202e}b\u{9b}c\u{7f}d\x1be\u{2028}ü\"");
    }

    #[test]
    fn rounding_and_dates() {
        assert_eq!(round_ms(0.019_899_999_999_999_998), 0.02);
        assert_eq!(round_ms(1.23456), 1.235);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_798_515_545), "2026-12-29T03:39:05Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
