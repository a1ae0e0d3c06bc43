//! Thresholds people gate CI on, with one syntax and one report for every
//! command that measures: `--max-rtt`, `--max-p99`, `--max-p999`,
//! `--max-loss`, `--min-throughput`, `--expect`. A crossed threshold makes
//! the result `ok: false` and the exit status 1.

use serde::Serialize;

/// What a threshold is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Mean round trip, ms.
    RttAvg,
    /// 99th percentile round trip, ms.
    RttP99,
    /// 99.9th percentile round trip, ms.
    RttP999,
    /// Loss, percent.
    LossPct,
    /// Verified throughput, MB/s (10^6 bytes).
    ThroughputMbyte,
    /// Datagrams received.
    Received,
}

impl Metric {
    /// The unit, for messages.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::RttAvg | Metric::RttP99 | Metric::RttP999 => "ms",
            Metric::LossPct => "%",
            Metric::ThroughputMbyte => "MB/s",
            Metric::Received => "datagrams",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Metric::RttAvg => "average round trip",
            Metric::RttP99 => "p99 round trip",
            Metric::RttP999 => "p99.9 round trip",
            Metric::LossPct => "loss",
            Metric::ThroughputMbyte => "throughput",
            Metric::Received => "datagrams received",
        }
    }
}

/// Whether the value must stay at or below the limit, or reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// value <= limit
    Max,
    /// value >= limit
    Min,
}

/// One threshold from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Threshold {
    /// The flag that set it (`--max-p99`).
    pub flag: &'static str,
    /// What it bounds.
    pub metric: Metric,
    /// Which way.
    pub bound: Bound,
    /// The limit, in the metric's unit.
    pub limit: f64,
}

impl Threshold {
    /// An upper bound.
    pub fn max(flag: &'static str, metric: Metric, limit: f64) -> Self {
        Threshold {
            flag,
            metric,
            bound: Bound::Max,
            limit,
        }
    }

    /// A lower bound.
    pub fn min(flag: &'static str, metric: Metric, limit: f64) -> Self {
        Threshold {
            flag,
            metric,
            bound: Bound::Min,
            limit,
        }
    }
}

/// A threshold that was crossed, with the value measured.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Crossed {
    /// The flag (`--max-p99`).
    pub flag: &'static str,
    /// What it bounds.
    pub metric: Metric,
    /// The measured value (null when nothing was measured).
    #[serde(serialize_with = "crate::output::json::opt_round3")]
    pub value: Option<f64>,
    /// The limit.
    pub limit: f64,
    /// For people.
    pub message: String,
}

/// Checks every threshold against the measured values; nothing measured
/// (no round trip at all) crosses an upper bound on round trips too.
pub fn check(thresholds: &[Threshold], value: impl Fn(Metric) -> Option<f64>) -> Vec<Crossed> {
    thresholds
        .iter()
        .filter_map(|t| {
            let v = value(t.metric);
            let crossed = match (t.bound, v) {
                (_, None) => true,
                (Bound::Max, Some(v)) => v > t.limit,
                (Bound::Min, Some(v)) => v < t.limit,
            };
            crossed.then(|| Crossed {
                flag: t.flag,
                metric: t.metric,
                value: v,
                limit: t.limit,
                message: match v {
                    None => format!(
                        "{}: nothing measured, {} {}",
                        t.metric.label(),
                        t.flag,
                        t.limit
                    ),
                    Some(v) => format!(
                        "{} {} {} is {} {} {} {}",
                        t.metric.label(),
                        trim(v),
                        t.metric.unit(),
                        if t.bound == Bound::Max {
                            "above"
                        } else {
                            "below"
                        },
                        t.flag,
                        trim(t.limit),
                        t.metric.unit()
                    ),
                },
            })
        })
        .collect()
}

fn trim(v: f64) -> String {
    let t = format!("{v:.3}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_is_reported_with_the_value() {
        let t = [
            Threshold::max("--max-p99", Metric::RttP99, 2.0),
            Threshold::max("--max-loss", Metric::LossPct, 1.0),
            Threshold::min("--min-throughput", Metric::ThroughputMbyte, 100.0),
        ];
        let c = check(&t, |m| match m {
            Metric::RttP99 => Some(2.5),
            Metric::LossPct => Some(1.0),
            Metric::ThroughputMbyte => None,
            _ => None,
        });
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[0].message,
            "p99 round trip 2.5 ms is above --max-p99 2 ms"
        );
        assert_eq!(c[1].flag, "--min-throughput");
        assert!(check(&t[1..2], |_| Some(0.5)).is_empty());
    }
}
