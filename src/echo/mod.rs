//! The echo service and its client: the seeds' echo pair grown into a
//! measurement instrument (RTT percentiles, verified throughput, load) and a
//! server with limits that no client can make hang or grow.

pub mod client;
pub mod congestion;
pub mod conn;
pub mod render;
pub mod server;
pub mod stats;
pub mod write;

use std::sync::OnceLock;

/// The seeds' echo port.
pub const DEFAULT_PORT: u16 = 50007;

const PATTERN_LEN: usize = 65_521; // prime, so it never lines up with buffer sizes

/// The byte stream the throughput mode sends and verifies: a fixed
/// pseudo-random block repeated, so a shifted, dropped or corrupted byte
/// shows at once.
pub fn pattern() -> &'static [u8] {
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..PATTERN_LEN)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    })
}

/// Fills `buf` with the pattern bytes that belong at stream offset `offset`.
pub fn fill_pattern(buf: &mut [u8], offset: u64) {
    let p = pattern();
    let mut pos = (offset % PATTERN_LEN as u64) as usize;
    let mut done = 0;
    while done < buf.len() {
        let n = (buf.len() - done).min(PATTERN_LEN - pos);
        buf[done..done + n].copy_from_slice(&p[pos..pos + n]);
        done += n;
        pos = 0;
    }
}

/// The index of the first byte of `data` that differs from the pattern at
/// stream offset `offset`, if any.
pub fn check_pattern(data: &[u8], offset: u64) -> Option<usize> {
    let p = pattern();
    let mut pos = (offset % PATTERN_LEN as u64) as usize;
    let mut done = 0;
    while done < data.len() {
        let n = (data.len() - done).min(PATTERN_LEN - pos);
        if data[done..done + n] != p[pos..pos + n] {
            let i = data[done..done + n]
                .iter()
                .zip(&p[pos..pos + n])
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            return Some(done + i);
        }
        done += n;
        pos = 0;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_fill_and_check_agree_across_wraps() {
        let mut buf = vec![0u8; 200_000];
        fill_pattern(&mut buf, 12_345);
        assert_eq!(check_pattern(&buf, 12_345), None);
        let mut bad = buf.clone();
        bad[150_000] ^= 1;
        assert_eq!(check_pattern(&bad, 12_345), Some(150_000));
        // A shifted stream is caught at once.
        assert!(check_pattern(&buf[1..1000], 12_345).is_some());
    }
}
