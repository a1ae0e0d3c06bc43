//! Adaptive scan timing, as TCP and nmap do it: a round-trip estimate per
//! host (srtt/rttvar, RFC 6298) from the answers that come back, the
//! timeout for unanswered SYNs derived from it within bounds (`--timeout`
//! is the ceiling, and the wait while nothing is known), retransmissions
//! raised as a host shows loss, and a scan that slows down (fewer in
//! flight, then paced) when drops rise well above random loss: ICMP rate
//! limits and firewalls' SYN limits. A limit passes its rate whatever is
//! offered, so the rate answers come at while drops rise measures it: the
//! pace is set just under it (not at a fixed fraction of the pace before,
//! a sawtooth that leaves the limit idle a third of the time), and grows a
//! few percent a clean window to find more room.
//!
//! Every attempt is its own socket, so an answer is never ambiguous (Karn's
//! problem does not arise): an answer to a retransmission proves the earlier
//! SYN or its answer was lost (a drop); an answer to an earlier attempt
//! after its timeout says the timeout is too short (a late answer), and its
//! time is a sample like any other.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

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
/// What a slowdown keeps of the window.
const BACKOFF: f64 = 0.7;
/// The pace a slowdown sets, as a share of the rate answers came at over
/// the last verdict windows (what got through the limit): just under it.
const UNDER_LIMIT: f64 = 0.95;
/// How much faster each clean window lets a paced scan go: a gentle probe
/// for more room, so a limit is met again by a few percent, not by a
/// burst.
const PROBE_UP: f64 = 1.04;
/// How far a paced scan's pace may run ahead of the fastest its answers
/// came at lately: past it, a faster pace is not what the answers wait for
/// (slots taken at an older pace, a backlog of retransmissions).
const AHEAD: f64 = 1.25;
/// A paced scan goes unpaced again once its pace is this many times the
/// pace its last slowdown set (and the window is whole again): whatever
/// limited it is gone.
const UNPACE_AT: f64 = 4.0;
/// The shortest verdict window whose answer rate counts as a peak (a
/// shorter one is a burst).
const PEAK_WINDOW: Duration = Duration::from_millis(10);
/// Verdict windows whose answer rate a slowdown looks at.
const RATE_WINDOWS: usize = 4;

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
    /// The pace while slowed down (probes per second).
    rate: Option<f64>,
    /// Times the scan slowed down.
    slowdowns: u32,
    /// When it last did: drops of probes sent before do not count.
    recovery_point: Instant,
    /// Drops in this verdict window from before it: the window is not
    /// clean, so it does not speed the scan up either.
    stale_drops: u32,
    /// The last verdict windows' answers and seconds, a ring: the rate
    /// answers came at, measured over more than one window.
    recent: [(u32, f64); RATE_WINDOWS],
    recent_at: usize,
    /// The pace the last slowdown set.
    floor: f64,
    /// Whether any answer came yet: the first verdict window starts at
    /// the first answer, not when the scan began (its wait for the first
    /// round trip is no rate).
    heard: bool,
    /// The fastest answers came at in a verdict window of at least
    /// [`PEAK_WINDOW`].
    peak: f64,
}

impl Congestion {
    /// The last verdict windows (this one included) as (answers, seconds),
    /// leaving out windows much shorter than the longest. Those are bursts
    /// (a limiter's bucket emptying at once, answers queued behind one
    /// another), which say nothing of the rate it passes after.
    fn steady(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        let longest = self.recent.iter().map(|w| w.1).fold(0.0, f64::max);
        self.recent
            .iter()
            .copied()
            .filter(move |(_, secs)| *secs >= longest / 4.0)
    }

    /// The rate answers came at over the steady windows.
    fn answer_rate(&self) -> f64 {
        let (n, secs) = self
            .steady()
            .fold((0u32, 0f64), |(n, t), (a, s)| (n + a, t + s));
        f64::from(n) / secs.max(1e-6)
    }

    /// The fastest any steady window was answered at.
    fn fastest(&self) -> f64 {
        self.steady()
            .map(|(n, secs)| f64::from(n) / secs.max(1e-6))
            .fold(0.0, f64::max)
    }
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

/// Paced probes' turns: a token bucket that a ticker fills at the pace
/// (holding at most [`PACE_BURST`] worth while nobody waits), and that
/// probes take turns from in the order they ask.
#[derive(Debug)]
struct Pacer {
    turns: Semaphore,
    /// Turns a second (f64 bits); 0 while unpaced: the ticker then lets
    /// every waiter go.
    rate: AtomicU64,
    ticking: AtomicBool,
}

/// Most turns one tick adds.
const MAX_TURNS_PER_TICK: f64 = 1_048_576.0;
/// How often the ticker adds turns.
const TICK: Duration = Duration::from_millis(1);
/// Turns saved up while nobody waits, as time at the pace.
const PACE_BURST: Duration = Duration::from_millis(2);

impl Pacer {
    fn set(&self, rate: Option<f64>) {
        self.rate
            .store(rate.unwrap_or(0.0).to_bits(), Ordering::Relaxed);
    }

    /// Starts the ticker (once, from within the runtime); it ends with
    /// the scan (when it holds the last reference).
    fn start(self: &Arc<Self>) {
        if tokio::runtime::Handle::try_current().is_err()
            || self.ticking.swap(true, Ordering::Relaxed)
        {
            return;
        }
        let pacer = Arc::clone(self);
        tokio::spawn(async move {
            let mut last = tokio::time::Instant::now();
            let mut owed = 0.0f64;
            while Arc::strong_count(&pacer) > 1 {
                tokio::time::sleep(TICK).await;
                let now = tokio::time::Instant::now();
                let secs = now.duration_since(last).as_secs_f64();
                last = now;
                let rate = f64::from_bits(pacer.rate.load(Ordering::Relaxed));
                if rate <= 0.0 {
                    // Unpaced: whoever still waits goes.
                    pacer.turns.add_permits(4096);
                } else {
                    owed += rate * secs;
                    // At most a second's worth at a time (a stalled
                    // runtime owes no burst), and far under the
                    // semaphore's ceiling.
                    owed = owed.min(rate.min(MAX_TURNS_PER_TICK));
                    let whole = owed.floor();
                    owed -= whole;
                    pacer.turns.add_permits(whole as usize);
                }
                // Turns nobody took do not pile up into a burst.
                let keep = (rate * PACE_BURST.as_secs_f64()).ceil().max(1.0) as usize;
                let spare = pacer.turns.available_permits();
                if spare > keep {
                    pacer.turns.forget_permits(spare - keep);
                }
            }
        });
    }
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
    /// Hands out the paced probes' turns.
    pacer: Arc<Pacer>,
    /// Whether the scan has ever slowed down.
    congested: AtomicBool,
    /// One lock for all of it: probes take it once per answer.
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Per target. Asked for every answer of a scan: aHash (seeded per
    /// process, so a peer's DNS answers cannot choose colliding keys), not
    /// SipHash, a tenth of a loopback scan's work.
    hosts: HashMap<IpAddr, Host, ahash::RandomState>,
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
            pacer: Arc::new(Pacer {
                turns: Semaphore::new(0),
                rate: AtomicU64::new(0),
                ticking: AtomicBool::new(false),
            }),
            congested: AtomicBool::new(false),
            state: Mutex::new(State {
                hosts: HashMap::default(),
                global: Estimate::default(),
                cc: Congestion {
                    answered: 0,
                    drops: 0,
                    since: now,
                    rate: None,
                    slowdowns: 0,
                    recovery_point: now,
                    stale_drops: 0,
                    recent: [(0, 0.0); RATE_WINDOWS],
                    recent_at: 0,
                    floor: 0.0,
                    heard: false,
                    peak: 0.0,
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

    /// [`Timing::retries`] for a probe first sent at `first_sent`: one more
    /// (up to [`MAX_AUTO_RETRIES`]) when the scan slowed down since, as its
    /// attempts met the drops that slowed it (a burst of drops is not the
    /// port's silence).
    pub fn retries_since(&self, ip: IpAddr, first_sent: Instant) -> u32 {
        if let Some(n) = self.fixed_retries {
            return n;
        }
        let st = self.lock();
        let base = st.hosts.get(&ip).map_or(1, Host::retries);
        let met = st.cc.slowdowns > 0 && st.cc.recovery_point > first_sent;
        (base + u32::from(met)).min(MAX_AUTO_RETRIES.max(base))
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
        if !cc.heard {
            cc.heard = true;
            cc.since = Instant::now();
        }
        cc.answered += 1;
        let counted = drop && dropped_sent >= cc.recovery_point;
        cc.drops += u32::from(counted);
        cc.stale_drops += u32::from(drop && !counted);
        if cc.answered < VERDICT_EVERY {
            return;
        }
        let now = Instant::now();
        let secs = now.duration_since(cc.since).as_secs_f64();
        cc.recent[cc.recent_at] = (cc.answered, secs);
        if secs >= PEAK_WINDOW.as_secs_f64() {
            cc.peak = cc.peak.max(f64::from(cc.answered) / secs);
        }
        cc.recent_at = (cc.recent_at + 1) % RATE_WINDOWS;
        let window = self.window.load(Ordering::Relaxed);
        if f64::from(cc.drops) / f64::from(cc.answered) > CONGESTION_DROPS {
            // Congested: fewer in flight, and paced just under the rate
            // the answers came at (what got through the limit: a limiter
            // or a queue passes its rate whatever is offered, so this
            // measures it), never faster than the pace that met it. Not a
            // fixed fraction of it: that sawtooth leaves the limit idle a
            // third of the time.
            self.window.store(
                ((window as f64 * BACKOFF) as usize).max(MIN_WINDOW),
                Ordering::Relaxed,
            );
            // At most halved, from the pace before or (unpaced) from the
            // fastest answers came at: answers slow for want of probes to
            // send (a scan's tail, a sender still opening sockets) are no
            // measure of the limit.
            let measured = cc.answer_rate() * UNDER_LIMIT;
            let before = cc.rate.unwrap_or(cc.peak);
            let rate = cc
                .rate
                .map_or(measured, |r| measured.min(r * UNDER_LIMIT))
                .max(before * 0.5);
            cc.rate = Some(rate.max(MIN_RATE));
            cc.floor = rate.max(MIN_RATE);
            self.pacer.set(cc.rate);
            cc.slowdowns += 1;
            cc.recovery_point = now;
            self.paced.store(true, Ordering::Relaxed);
            self.congested.store(true, Ordering::Relaxed);
        } else if let Some(rate) = cc
            .rate
            .filter(|r| cc.drops <= cc.answered / 32 && r * PROBE_UP <= cc.fastest() * AHEAD)
        {
            // Clean window (drops of attempts sent since the slowdown at
            // the level of random loss; a burst's earlier drops, answered
            // late, say nothing of the pace now): the window a quarter
            // larger, the pace a few percent faster; unpaced once well
            // past where it was held.
            let grown = (window + window / 4 + 1).min(self.max_window);
            self.window.store(grown, Ordering::Relaxed);
            let faster = rate * PROBE_UP;
            cc.rate = (grown < self.max_window || faster < cc.floor * UNPACE_AT).then_some(faster);
            self.pacer.set(cc.rate);
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

    /// Takes the next probe's turn if it may go now: unpaced, or a turn
    /// is free. `false`: wait in [`Timing::pace`].
    pub fn try_pace(&self) -> bool {
        if !self.paced.load(Ordering::Relaxed) {
            return true;
        }
        self.pacer.start();
        match self.pacer.turns.try_acquire() {
            Ok(p) => {
                p.forget();
                true
            }
            Err(_) => false,
        }
    }

    /// Waits for the next probe's turn: at once unless paced; paced, in
    /// the order asked, at the pace as it is now (a turn is not booked at
    /// the pace of when it was asked for, so a backlog of retransmissions
    /// speeds up as the pace does).
    pub async fn pace(&self) {
        if self.try_pace() {
            return;
        }
        if let Ok(p) = self.pacer.turns.acquire().await {
            p.forget();
        }
    }

    /// The pace probes are held to now (`None`: unpaced).
    #[cfg(test)]
    pub fn pace_rate(&self) -> Option<f64> {
        self.lock().cc.rate
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
        assert_eq!((t.slowdowns(), t.window()), (1, 358), "512 x 0.7");
        let paced = t.pace_rate().expect("paced");
        // The same burst's drops, sent before the slowdown: no second one
        // (and, saying nothing of the pace now, no brake on probing up).
        for _ in 0..64 {
            t.answered_since(ip, MS(1), drop, before);
        }
        assert_eq!((t.slowdowns(), t.window()), (1, 448), "358 + 358/4 + 1");
        assert!(t.pace_rate().expect("paced") > paced);
        // Drops of attempts sent after it: the path is still congested.
        for _ in 0..64 {
            t.answered_since(ip, MS(1), drop, Instant::now());
        }
        assert_eq!((t.slowdowns(), t.window()), (2, 313), "448 x 0.7");
    }

    #[test]
    fn a_probe_that_met_a_slowdown_gets_one_more_attempt() {
        let ip: IpAddr = [192, 0, 2, 1].into();
        let t = Timing::new(MS(1000), None, 512);
        let early = Instant::now();
        assert_eq!(t.retries_since(ip, early), 1, "nothing known");
        // 15 clean windows, then one with 7 drops in 64: a slowdown, at a
        // host loss low enough for 2 retries.
        for i in 0..64 * 16 {
            t.answered(
                ip,
                MS(1),
                Answer::Newest {
                    retransmitted: i >= 64 * 15 && i % 9 == 0,
                },
            );
        }
        assert_eq!(t.slowdowns(), 1);
        let base = t.retries(ip);
        assert_eq!(base, 2);
        assert_eq!(
            t.retries_since(ip, early),
            3,
            "first sent before the slowdown"
        );
        assert_eq!(t.retries_since(ip, Instant::now()), base, "sent after it");
        assert_eq!(
            Timing::new(MS(1), Some(0), 1).retries_since(ip, early),
            0,
            "fixed"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn paced_probes_go_at_the_pace_and_all_go_when_unpaced() {
        let t = Arc::new(Timing::new(MS(1000), None, 512));
        let pace = |t: &Timing, rate: Option<f64>| {
            t.lock().cc.rate = rate;
            t.pacer.set(rate);
            t.paced.store(rate.is_some(), Ordering::Relaxed);
        };
        pace(&t, Some(1000.0));
        let start = Instant::now();
        for _ in 0..100 {
            t.pace().await;
        }
        let took = start.elapsed();
        assert!(
            took >= MS(90) && took < MS(400),
            "100 turns at 1,000/s: {took:?}"
        );
        // A faster pace applies to those already waiting.
        let waiting: Vec<_> = (0..200)
            .map(|_| {
                let t = Arc::clone(&t);
                tokio::spawn(async move { t.pace().await })
            })
            .collect();
        tokio::time::sleep(MS(5)).await;
        pace(&t, Some(20_000.0));
        let start = Instant::now();
        for w in waiting {
            w.await.expect("joined");
        }
        assert!(start.elapsed() < MS(100), "{:?}", start.elapsed());
        // Unpaced: whoever waits goes at once.
        pace(&t, Some(1.0));
        let stuck: Vec<_> = (0..50)
            .map(|_| {
                let t = Arc::clone(&t);
                tokio::spawn(async move { t.pace().await })
            })
            .collect();
        tokio::time::sleep(MS(5)).await;
        pace(&t, None);
        let start = Instant::now();
        for w in stuck {
            w.await.expect("joined");
        }
        assert!(start.elapsed() < MS(50), "{:?}", start.elapsed());
        assert!(t.try_pace());
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
        assert_eq!(t.pace_rate(), None);
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
        // At most 64 answers in 20 ms: paced just under 3,200/s at most,
        // and a probe waits for its turn.
        let rate = t.pace_rate().expect("paced");
        assert!(rate <= 3200.0 * UNDER_LIMIT, "{rate}");
        assert!(!t.try_pace(), "no turn before the pacer gives one");
        // Clean windows speed it up a few percent each, until well past
        // the pace the slowdown set.
        for _ in 0..64 * 40 {
            t.answered(
                ip,
                MS(1),
                Answer::Newest {
                    retransmitted: false,
                },
            );
        }
        assert_eq!(t.window(), 512, "recovered");
        assert_eq!(t.pace_rate(), None, "unpaced again");
        assert!(t.try_pace());
    }
}
