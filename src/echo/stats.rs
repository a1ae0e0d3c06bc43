//! Round-trip statistics from an HDR histogram: bounded memory however
//! long a run lasts, every percentile within 0.1% of the true value, and
//! histograms of several connections merge exactly. A run's first 512
//! samples are kept as they are (4 KiB): a thousand short connections do
//! not each zero a histogram (270 KiB for 1 ns to 1 h at three digits) only
//! to merge them; past that, an auto-sizing histogram covers the range
//! seen (about 100 KiB for RTTs in the millisecond range, 270 KiB at most).

use hdrhistogram::Histogram;
use serde::Serialize;

/// RTTs are recorded in nanoseconds, from 1 ns to one hour, with three
/// significant digits.
const HIGHEST_NS: u64 = 3_600_000_000_000;

/// Samples kept as they are before a histogram is built.
const SPILL: usize = 512;

/// A histogram of round-trip times.
#[derive(Debug, Clone, Default)]
pub struct RttHistogram {
    /// The first samples, in nanoseconds (until there are SPILL).
    samples: Vec<u64>,
    hist: Option<Histogram<u64>>,
    sum_ms: f64,
    sum_sq: f64,
}

impl RttHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    fn histogram(&mut self) -> &mut Histogram<u64> {
        let samples = std::mem::take(&mut self.samples);
        self.hist.get_or_insert_with(|| {
            let mut h = Histogram::new(3).unwrap_or_else(|_| unreachable_histogram());
            for ns in samples {
                put(&mut h, ns);
            }
            h
        })
    }

    fn record_ns(&mut self, ns: u64) {
        match &mut self.hist {
            Some(h) => put(h, ns),
            None if self.samples.len() < SPILL => self.samples.push(ns),
            None => put(self.histogram(), ns),
        }
    }

    /// Records one round trip, in milliseconds (clamped to 1 ns - 1 h).
    pub fn record_ms(&mut self, ms: f64) {
        let ns = (ms * 1e6).round().clamp(1.0, HIGHEST_NS as f64) as u64;
        self.record_ns(ns);
        self.sum_ms += ms;
        self.sum_sq += ms * ms;
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &RttHistogram) {
        match &other.hist {
            Some(h) => {
                let _ = self.histogram().add(h);
            }
            None => {
                for &ns in &other.samples {
                    self.record_ns(ns);
                }
            }
        }
        self.sum_ms += other.sum_ms;
        self.sum_sq += other.sum_sq;
    }

    /// Samples recorded.
    pub fn len(&self) -> u64 {
        self.hist
            .as_ref()
            .map_or(self.samples.len() as u64, Histogram::len)
    }

    /// The statistics.
    pub fn stats(&self) -> RttStats {
        let n = self.len();
        if n == 0 {
            return RttStats::default();
        }
        let mut built;
        let hist = match &self.hist {
            Some(h) => h,
            None => {
                built = self.clone();
                built.histogram()
            }
        };
        let q = |p: f64| Some(hist.value_at_quantile(p) as f64 / 1e6);
        let avg = self.sum_ms / n as f64;
        let var = (self.sum_sq / n as f64 - avg * avg).max(0.0);
        RttStats {
            count: n,
            min_ms: Some(hist.min() as f64 / 1e6),
            avg_ms: Some(avg),
            max_ms: Some(hist.max() as f64 / 1e6),
            stddev_ms: Some(var.sqrt()),
            p50_ms: q(0.5),
            p90_ms: q(0.9),
            p99_ms: q(0.99),
            p999_ms: q(0.999),
            p9999_ms: q(0.9999),
        }
    }
}

/// Records `ns`, growing the histogram to fit (saturating_record would
/// clamp to its current range instead).
fn put(h: &mut Histogram<u64>, ns: u64) {
    if h.record(ns).is_err() {
        h.saturating_record(ns);
    }
}

#[cold]
fn unreachable_histogram() -> Histogram<u64> {
    // new_with_bounds(1, 1h, 3) is valid; this only satisfies the types.
    Histogram::new_with_max(HIGHEST_NS, 2)
        .unwrap_or_else(|_| Histogram::new(1).unwrap_or_else(|_| std::process::abort()))
}

/// Round-trip time statistics, in milliseconds (rounded to a microsecond
/// in JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RttStats {
    /// Samples.
    pub count: u64,
    /// Smallest.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub min_ms: Option<f64>,
    /// Mean.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub avg_ms: Option<f64>,
    /// Largest.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub max_ms: Option<f64>,
    /// Population standard deviation.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub stddev_ms: Option<f64>,
    /// Median.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub p50_ms: Option<f64>,
    /// 90th percentile.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub p90_ms: Option<f64>,
    /// 99th percentile.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub p99_ms: Option<f64>,
    /// 99.9th percentile.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub p999_ms: Option<f64>,
    /// 99.99th percentile.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub p9999_ms: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_within_a_tenth_of_a_percent() {
        let mut h = RttHistogram::new();
        for i in 1..=1000 {
            h.record_ms(f64::from(i));
        }
        let s = h.stats();
        let close =
            |got: Option<f64>, want: f64| (got.unwrap() - want).abs() <= want * 0.001 + 1e-6;
        assert!(close(s.p50_ms, 500.0), "{s:?}");
        assert!(close(s.p90_ms, 900.0), "{s:?}");
        assert!(close(s.p99_ms, 990.0), "{s:?}");
        assert!(close(s.p999_ms, 999.0), "{s:?}");
        assert!(close(s.min_ms, 1.0) && close(s.max_ms, 1000.0), "{s:?}");
        assert_eq!((s.count, s.avg_ms), (1000, Some(500.5)));
        assert_eq!(RttHistogram::new().stats().count, 0);
    }

    #[test]
    fn histograms_merge() {
        let (mut a, mut b) = (RttHistogram::new(), RttHistogram::new());
        a.record_ms(1.0);
        b.record_ms(3.0);
        a.merge(&b);
        assert_eq!(a.stats().count, 2);
        assert_eq!(a.stats().avg_ms, Some(2.0));
    }

    #[test]
    fn short_runs_keep_samples_and_merge_exactly() {
        let mut all = RttHistogram::new();
        for _ in 0..1000 {
            let mut h = RttHistogram::new();
            for i in 0..100 {
                h.record_ms(0.010 + f64::from(i) * 0.001);
            }
            assert!(h.hist.is_none(), "100 samples: no histogram yet");
            all.merge(&h);
        }
        assert!(all.hist.is_some());
        let s = all.stats();
        assert_eq!(s.count, 100_000);
        let close = |got: Option<f64>, want: f64| (got.unwrap() - want).abs() <= want * 0.001;
        assert!(close(s.min_ms, 0.010) && close(s.max_ms, 0.109), "{s:?}");
        assert!(close(s.p50_ms, 0.059) && close(s.p99_ms, 0.108), "{s:?}");
        // Spilled and unspilled histograms merge either way.
        let mut few = RttHistogram::new();
        few.record_ms(5.0);
        few.merge(&all);
        assert_eq!(few.stats().count, 100_001);
        assert!(close(few.stats().max_ms, 5.0));
    }

    #[test]
    fn memory_is_bounded() {
        let mut h = RttHistogram::new();
        for i in 0..1_000_000u32 {
            h.record_ms(f64::from(i % 5000) * 0.01);
        }
        assert_eq!(h.len(), 1_000_000);
    }
}
