//! Byte sizes as people write them: `64`, `64K`, `1M`, `1G` (binary, as dd
//! reads them), `1KB`, `1MB`, `1GB` (decimal), `1KiB`, `1MiB`, `1GiB`.

use crate::error::{NetkitError, Result};

/// Parses a byte count.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let bad = |why: &str| {
        NetkitError::invalid(format!(
            "invalid size '{}': {why}",
            crate::sanitize::brief(text, 100)
        ))
    };
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() {
        return Err(bad("expected a number such as 64, 64K, 1M or 1G"));
    }
    let n: u64 = number.parse().map_err(|_| bad("number too large"))?;
    let scale: u64 = match unit {
        "" | "B" => 1,
        "K" | "k" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        "T" | "TiB" => 1 << 40,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        _ => {
            return Err(bad(
                "unknown unit (use K, M, G, T; KB, MB, GB; KiB, MiB, GiB)",
            ));
        }
    };
    n.checked_mul(scale).ok_or_else(|| bad("too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let table = [
            ("64", 64),
            ("64K", 65_536),
            ("1M", 1 << 20),
            ("1G", 1 << 30),
            ("1GiB", 1 << 30),
            ("1GB", 1_000_000_000),
            ("10kB", 10_000),
            ("0", 0),
        ];
        for (text, want) in table {
            assert_eq!(parse_size(text).unwrap(), want, "{text}");
        }
        for bad in [
            "",
            "G",
            "1.5G",
            "-1",
            "1X",
            "99999999999999999999",
            "20000000T",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
