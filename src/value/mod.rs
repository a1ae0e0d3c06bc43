//! Value syntaxes every command shares (durations, sizes, percentages) and
//! bounded reading of the files and streams users hand to netkit.

pub mod duration;
pub mod lines;
pub mod size;

pub use duration::{parse_duration, parse_timeout, seconds};
pub use lines::{BoundedLines, read_file_limited};
pub use size::parse_size;

/// Parses a percentage `0`-`100` (`1`, `0.5`, `2%`).
pub fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "'{}' is not a percentage from 0 to 100",
            crate::sanitize::brief(text, 100)
        )),
    }
}

/// Parses a positive, finite number (milliseconds, MB/s...).
pub fn parse_positive(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v < 1e12 => Ok(v),
        _ => Err(format!(
            "'{}' is not a positive number",
            crate::sanitize::brief(text, 100)
        )),
    }
}

/// Parses a rate: events per second, above 0 and at most 10,000,000.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 10_000_000.0 => Ok(r),
        _ => Err(format!(
            "'{}' is not a rate above 0 and at most 10000000 per second",
            crate::sanitize::brief(text, 100)
        )),
    }
}
