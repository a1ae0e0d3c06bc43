//! The one duration syntax every netkit flag uses: `0.5` (seconds), `500ms`,
//! `2s`, `1m`, `250us`, `1h`.

use std::time::Duration;

use crate::error::{NetkitError, Result};

/// The longest duration netkit accepts (one week): anything longer is a typo.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Parses `0.5`, `500ms`, `2s`, `1m`, `1h`, `250us`. A bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let s = text.trim();
    let bad = |why: &str| {
        NetkitError::invalid(format!(
            "invalid duration '{}': {why}",
            crate::sanitize::brief(text, 100)
        ))
    };
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    if number.is_empty() {
        return Err(bad("expected a number such as 0.5, 500ms, 2s or 1m"));
    }
    if number.starts_with('.') || number.ends_with('.') || number.matches('.').count() > 1 {
        return Err(bad("malformed number"));
    }
    let value: f64 = number.parse().map_err(|_| bad("malformed number"))?;
    let scale = match unit {
        "" | "s" | "sec" | "secs" => 1.0,
        "ms" => 1e-3,
        "us" | "µs" => 1e-6,
        "ns" => 1e-9,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad("unknown unit (use us, ms, s, m or h)")),
    };
    let seconds = value * scale;
    if !seconds.is_finite() || seconds > MAX_DURATION.as_secs_f64() {
        return Err(bad("too long (at most one week)"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Like [`parse_duration`] but refuses zero, for timeouts.
pub fn parse_timeout(text: &str) -> Result<Duration> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err(NetkitError::invalid(format!(
            "invalid duration '{}': a timeout must be greater than zero",
            crate::sanitize::brief(text, 100)
        )));
    }
    Ok(d)
}

/// A duration for people: `250 ms`, `2 s`, `1.5 s`.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{} ms", trim_float(s * 1e3))
    } else {
        format!("{} s", trim_float(s))
    }
}

fn trim_float(v: f64) -> String {
    let t = format!("{v:.3}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t.is_empty() { "0".into() } else { t.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_people() {
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
        assert_eq!(seconds(Duration::from_secs(2)), "2 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn accepted_forms() {
        let table: &[(&str, Duration)] = &[
            ("0.5", Duration::from_millis(500)),
            ("2", Duration::from_secs(2)),
            ("500ms", Duration::from_millis(500)),
            ("2s", Duration::from_secs(2)),
            ("1m", Duration::from_secs(60)),
            ("1h", Duration::from_secs(3600)),
            ("250us", Duration::from_micros(250)),
            ("1.5s", Duration::from_millis(1500)),
            (" 3s ", Duration::from_secs(3)),
            ("0", Duration::ZERO),
        ];
        for (text, want) in table {
            assert_eq!(parse_duration(text).unwrap(), *want, "{text}");
        }
    }

    #[test]
    fn rejected_forms() {
        for text in [
            "", "s", "-1", "1x", "1..2", ".5", "5.", "1e3", "nan", "inf", "1 s s", "999999h",
            "0x10", "1.2.3s",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} should be rejected");
        }
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("0ms").is_err());
    }
}
