//! Adaptive scan timing, as TCP and nmap do it: a round-trip estimate per
//! host (srtt/rttvar, RFC 6298) from the answers that come back, the
//! timeout for unanswered SYNs derived from it within bounds (`--timeout`
//! is the ceiling, and the wait while nothing is known), retransmissions
//! raised as a host shows loss, and a scan that slows down (fewer in
//! flight, then paced) when drops rise well above random loss: ICMP rate
//! limits and firewalls' SYN limits.
//!
//! Every attempt is its own socket, so an answer is never ambiguous (Karn's
//! problem does not arise): an answer to a retransmission proves the earlier
//! SYN or its answer was lost (a drop); an answer to an earlier attempt
//! after its timeout says the timeout is too short (a late answer), and its
//! time is a sample like any other.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The shortest timeout for an unanswered SYN, however near the host.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(50);
/// Most retransmissions the adaptive policy makes (a host losing 10% of
/// its probes each way).
pub const MAX_AUTO_RETRIES: u32 = 5;
/// Fewest probes in flight when the scan slows down.
pub const MIN_WINDOW: usize = 4;
/// Answers per congestion verdict.
const VERDICT_EVERY: u32 = 64;
/// A verdict window with more drops than this is congestion, not chance:
/// random loss of 1% each way drops 2% of probes; 6 of 64 or more happens
/// by chance once in ~700 windows at 2% loss.
const CONGESTION_DROPS: f64 = 0.09;
/// The slowest pace a congested scan is held to, in probes per second.
const MIN_RATE: f64 = 20.0;
/// What a slowdown keeps of the window and the pace.
const BACKOFF: f64 = 0.7;

/// A round-trip estimate (RFC 6298), in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimate {
    srtt: f64,
    rttvar: f64,
    samples: u32,
}

impl Estimate {
    /// Adds a sample.
    pub fn sample(&mut self, rtt: Duration) {
        let r = rtt.as_secs_f64();
        if self.samples == 0 {
            self.srtt = r;
            self.rttvar = r / 2.0;
        } else {
            self.rttvar = 0.75 * self.rttvar + 0.25 * (self.srtt - r).abs();
            self.srtt = 0.875 * self.srtt + 0.125 * r;
        }
        self.samples = self.samples.saturating_add(1);
    }

    /// The timeout for a SYN: srtt plus four deviations, with a margin of
    /// half the round trip that a path with a perfectly steady delay (and so
    /// no deviation at all) still gets, within `[MIN_TIMEOUT, ceiling]`.
    /// `None` before the first sample.
    pub fn timeout(&self, ceiling: Duration) -> Option<Duration> {
        (self.samples > 0).then(|| {
            let margin = (4.0 * self.rttvar).max(self.srtt / 2.0);
            Duration::from_secs_f64(self.srtt + margin)
                .max(MIN_TIMEOUT)
                .min(ceiling)
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Host {
    rtt: Estimate,
    answered: u64,
    drops: u64,
}

impl Host {
    /// Retransmissions for this host's unanswered probes: one while it has
    /// lost nothing; then enough that a port is mislabelled less than once
    /// in a million at the loss rate seen (from 2 up to [`MAX_AUTO_RETRIES`]).
    fn retries(&self) -> u32 {
        if self.drops == 0 {
            return 1;
        }
        let p = (self.drops as f64 / (self.answered + self.drops) as f64).clamp(1e-9, 0.5);
        // The fewest attempts n with p^n <= 1e-6, by multiplication (no
        // libm: the binary links only libc).
        let (mut attempts, mut missed) = (1, p);
        while missed > 1e-6 && attempts <= MAX_AUTO_RETRIES {
            missed *= p;
            attempts += 1;
        }
        (attempts - 1).clamp(2, MAX_AUTO_RETRIES)
    }
}

#[derive(Debug)]
struct Congestion {
    /// Answers and drops in the current verdict window.
    answered: u32,
    drops: u32,
    since: Instant,
    /// The pace while slowed down (probes per second), and the next slot.
    rate: Option<f64>,
    next_slot: Instant,
    /// Times the scan slowed down.
    slowdowns: u32,
    /// When it last did: drops of probes sent before do not count.
    recovery_point: Instant,
    /// Drops in this verdict window from before it: the window is not
    /// clean, so it does not speed the scan up either.
    stale_drops: u32,
}

/// How a probe's attempt was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The newest attempt answered; `retransmitted` when earlier ones
    /// had gone unanswered (a drop).
    Newest {
        /// Whether earlier attempts had timed out.
        retransmitted: bool,
    },
    /// An earlier attempt answered after its timeout.
    Late,
}

/// The timing state of one scan, shared by its probes.
#[derive(Debug)]
pub struct Timing {
    ceiling: Duration,
    fixed_retries: Option<u32>,
    max_window: usize,
    window: AtomicUsize,
    /// Whether probes are paced now (read without the lock).
    paced: AtomicBool,
    /// Whether the scan has ever slowed down.
    congested: AtomicBool,
    /// One lock for all of it: probes take it once per answer.
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    hosts: HashMap<IpAddr, Host>,
    global: Estimate,
    cc: Congestion,
}

impl Timing {
    /// Timing for a scan whose ceiling (and first timeout) is `ceiling`,
    /// with `retries` fixed by the user or adaptive (`None`), at most
    /// `window` probes in flight.
    pub fn new(ceiling: Duration, retries: Option<u32>, window: usize) -> Timing {
        let now = Instant::now();
        Timing {
            ceiling,
            fixed_retries: retries,
            max_window: window.max(1),
            window: AtomicUsize::new(window.max(1)),
            paced: AtomicBool::new(false),
            congested: AtomicBool::new(false),
            state: Mutex::new(State {
                hosts: HashMap::new(),
                global: Estimate::default(),
                cc: Congestion {
                    answered: 0,
                    drops: 0,
                    since: now,
                    rate: None,
                    next_slot: now,
                    slowdowns: 0,
                    recovery_point: now,
                    stale_drops: 0,
                },
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The timeout for an unanswered SYN to `ip` now: from its own
    /// estimate, else from every host's, else the ceiling.
    pub fn timeout(&self, ip: IpAddr) -> Duration {
        let st = self.lock();
        st.hosts
            .get(&ip)
            .and_then(|h| h.rtt.timeout(self.ceiling))
            .or_else(|| st.global.timeout(self.ceiling))
            .unwrap_or(self.ceiling)
    }

    /// The wait for attempt `attempt` (1, 2...) of a probe to `ip`: the
    /// timeout; once the scan has had to slow down, doubled for each
    /// retransmission before it (as TCP backs off its RTO), at most the
    /// ceiling: retransmissions of a burst that a SYN limit dropped spread
    /// out instead of meeting the limit again. Random loss alone (no
    /// slowdown) keeps the plain timeout, so filtered ports stay cheap.
    pub fn timeout_for(&self, ip: IpAddr, attempt: u32) -> Duration {
        let base = self.timeout(ip);
        if !self.congested.load(Ordering::Relaxed) {
            return base;
        }
        base.saturating_mul(1 << attempt.saturating_sub(1).min(10))
            .min(self.ceiling)
            .max(base)
    }

    /// Retransmissions for an unanswered probe to `ip`.
    pub fn retries(&self, ip: IpAddr) -> u32 {
        if let Some(n) = self.fixed_retries {
            return n;
        }
        self.lock().hosts.get(&ip).map_or(1, Host::retries)
    }

    /// Notes an answer from `ip` (open, refused, unreachable) `rtt` after
    /// the attempt that drew it was sent (a probe first sent now).
    pub fn answered(&self, ip: IpAddr, rtt: Duration, how: Answer) {
        self.answered_since(ip, rtt, how, Instant::now());
    }

    /// [`Timing::answered`] for a probe whose dropped attempt was sent at
    /// `dropped_sent`: a drop of an attempt sent before the last slowdown
    /// does not count towards the next (that slowdown already answered it:
    /// one reduction per round of drops, as TCP's recovery point does), or
    /// a burst's late drops would shrink the window again and again.
    pub fn answered_since(&self, ip: IpAddr, rtt: Duration, how: Answer, dropped_sent: Instant) {
        let drop = how
            == (Answer::Newest {
                retransmitted: true,
            });
        let mut st = self.lock();
        let h = st.hosts.entry(ip).or_default();
        h.rtt.sample(rtt);
        h.answered += 1;
        h.drops += u64::from(drop);
        st.global.sample(rtt);
        let cc = &mut st.cc;
        cc.answered += 1;
        let counted = drop && dropped_sent >= cc.recovery_point;
        cc.drops += u32::from(counted);
        cc.stale_drops += u32::from(drop && !counted);
        if cc.answered < VERDICT_EVERY {
            return;
        }
        let now = Instant::now();
        let secs = now.duration_since(cc.since).as_secs_f64().max(1e-6);
        let pace = f64::from(cc.answered) / secs;
        let window = self.window.load(Ordering::Relaxed);
        if f64::from(cc.drops) / f64::from(cc.answered) > CONGESTION_DROPS {
            // Congested: 30% fewer in flight, and 30% under the pace it
            // was paced at (the pace the answers came at, the first time:
            // what got through), as CUBIC backs off.
            self.window
                .store((window * 7 / 10).max(MIN_WINDOW), Ordering::Relaxed);
            let rate = cc.rate.unwrap_or(pace) * BACKOFF;
            cc.rate = Some(rate.max(MIN_RATE));
            cc.slowdowns += 1;
            cc.recovery_point = now;
            self.paced.store(true, Ordering::Relaxed);
            self.congested.store(true, Ordering::Relaxed);
        } else if let Some(rate) = cc.rate.filter(|_| cc.stale_drops == 0) {
            // Clean window: a quarter more each time, until unlimited.
            let grown = (window + window / 4 + 1).min(self.max_window);
            self.window.store(grown, Ordering::Relaxed);
            cc.rate = (grown < self.max_window).then_some(rate * 1.25);
            self.paced.store(cc.rate.is_some(), Ordering::Relaxed);
        }
        cc.answered = 0;
        cc.drops = 0;
        cc.stale_drops = 0;
        cc.since = now;
    }

    /// Probes in flight allowed now.
    pub fn window(&self) -> usize {
        self.window.load(Ordering::Relaxed)
    }

    /// When the next probe may be sent (`None`: now), taking its slot.
    pub fn slot(&self) -> Option<Instant> {
        if !self.paced.load(Ordering::Relaxed) {
            return None;
        }
        let mut st = self.lock();
        let cc = &mut st.cc;
        let rate = cc.rate?;
        let now = Instant::now();
        let at = cc.next_slot.max(now);
        cc.next_slot = at + Duration::from_secs_f64(1.0 / rate);
        (at > now).then_some(at)
    }

    /// Times the scan slowed down for drops.
    pub fn slowdowns(&self) -> u32 {
        self.lock().cc.slowdowns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn timeout_follows_the_round_trip_within_bounds() {
        let ip: IpAddr = [192, 0, 2, 1].into();
        let t = Timing::new(MS(1000), None, 100);
        assert_eq!(t.timeout(ip), MS(1000), "nothing known: the ceiling");
        for _ in 0..50 {
            t.answered(
                ip,
                MS(100),
                Answer::Newest {
                    retransmitted: false,
                },
            );
        }
        // A steady 100 ms: srtt 100, no deviation, the half-RTT margin.
        let d = t.timeout(ip).as_secs_f64();
        assert!((0.149..0.151).contains(&d), "{d}");
        // Loopback: the floor.
        let lo: IpAddr = [127, 0, 0, 1].into();
        t.answered(lo, Duration::from_micros(40), Answer::Late);
        assert_eq!(t.timeout(lo), MIN_TIMEOUT);
        // A host never heard from borrows every host's estimate.
        let other: IpAddr = [192, 0, 2, 9].into();
        assert!(t.timeout(other) < MS(1000));
        // Jitter widens it; the ceiling holds.
        let j: IpAddr = [192, 0, 2, 2].into();
        for i in 0..40 {
            t.answered(j, MS(100 + (i % 2) * 80), Answer::Late);
        }
        let d = t.timeout(j);
        assert!(d > MS(250) && d < MS(450), "{d:?}");
        let slow: IpAddr = [192, 0, 2, 3].into();
        t.answered(slow, MS(5000), Answer::Late);
        assert_eq!(t.timeout(slow), MS(1000));
    }

    #[test]
    fn retries_rise_with_loss() {
        let ip: IpAddr = [192, 0, 2, 1].into();
        let t = Timing::new(MS(1000), None, 100);
        assert_eq!(t.retries(ip), 1, "nothing lost: one retransmission");
        for _ in 0..98 {
            t.answered(
                ip,
                MS(10),
                Answer::Newest {
                    retransmitted: false,
                },
            );
        }
        for _ in 0..2 {
            t.answered(
                ip,
                MS(10),
                Answer::Newest {
                    retransmitted: true,
                },
            );
        }
        // 2% per attempt: four attempts keep a mislabel under 1e-6.
        assert_eq!(t.retries(ip), 3);
        for _ in 0..30 {
            t.answered(
                ip,
                MS(10),
                Answer::Newest {
                    retransmitted: true,
                },
            );
        }
        assert_eq!(t.retries(ip), MAX_AUTO_RETRIES);
        assert_eq!(Timing::new(MS(1), Some(0), 1).retries(ip), 0, "fixed");
    }

    #[test]
    fn one_slowdown_per_round_of_drops() {
        let ip: IpAddr = [192, 0, 2, 1].into();
        let t = Timing::new(MS(1000), None, 512);
        let before = Instant::now();
        let drop = Answer::Newest {
            retransmitted: true,
        };
        for _ in 0..64 {
            t.answered(ip, MS(1), drop);
        }
        assert_eq!(t.slowdowns(), 1);
        // The same burst's drops, sent before the slowdown: no second one.
        for _ in 0..64 {
            t.answered_since(ip, MS(1), drop, before);
        }
        assert_eq!((t.slowdowns(), t.window()), (1, 358), "512 x 0.7");
        // Drops of attempts sent after it: the path is still congested.
        for _ in 0..64 {
            t.answered_since(ip, MS(1), drop, Instant::now());
        }
        assert_eq!((t.slowdowns(), t.window()), (2, 250), "358 x 0.7");
    }

    #[test]
    fn drops_slow_the_scan_and_clean_windows_restore_it() {
        let ip: IpAddr = [192, 0, 2, 1].into();
        let t = Timing::new(MS(1000), None, 512);
        // Random loss (2%) does not slow it down.
        for i in 0..640 {
            t.answered(
                ip,
                MS(1),
                Answer::Newest {
                    retransmitted: i % 50 == 0,
                },
            );
        }
        assert_eq!((t.window(), t.slowdowns()), (512, 0));
        assert!(t.slot().is_none());
        // A SYN limit: a third of the probes need retransmitting (answers
        // spread over 20 ms at least, so the pace they came at is known).
        std::thread::sleep(MS(20));
        for i in 0..64 {
            t.answered(
                ip,
                MS(1),
                Answer::Newest {
                    retransmitted: i % 3 == 0,
                },
            );
        }
        assert_eq!((t.window(), t.slowdowns()), (358, 1), "512 x 0.7");
        // At most 64 answers in 20 ms: paced at 2,240/s at most.
        t.slot();
        let next = t.slot().expect("paced: the next slot is later");
        assert!(next > Instant::now() + Duration::from_micros(100));
        for _ in 0..64 * 30 {
            t.answered(
                ip,
                MS(1),
                Answer::Newest {
                    retransmitted: false,
                },
            );
        }
        assert_eq!(t.window(), 512, "recovered");
        assert!(t.slot().is_none(), "unpaced again");
    }
}
