//! One stop mechanism for every command: SIGINT, SIGTERM and a closed
//! stdout all set the same [`Stop`], which loops poll (`is_set`), blocking
//! waits sleep on (`sleep`) and async code awaits (`wait`). The command
//! then prints what it gathered and its summary, and `main` exits 130
//! (SIGINT), 143 (SIGTERM) or quietly 0 (stdout closed).
//!
//! A watchdog holds the promise when a command cannot notice: the signal
//! arms a timer, and if the process has not ended `grace` later (a blocking
//! call in the C library, a stalled reader), SIGALRM writes out the buffered
//! lines and exits with the signal's status. A second signal exits at once
//! the same way, unless it comes within [`SAME_STOP`] of the first: that
//! is the same stop said twice (`timeout(1)` signals the child and then its
//! group), and the command goes on printing its summary. While `portcheck --wait -- CMD` runs its command, signals
//! are passed to the command instead, and netkit waits for it.
//!
//! Nothing here costs a thread at start-up: handlers only set atomics,
//! write a byte to a pipe and arm a timer; the thread that wakes waiters
//! (and the one that watches stdout) starts when a command first waits.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::exit::Exit;

/// What stopped a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopCause {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (a CI job cancelled, `kill`).
    Terminate,
    /// The reader of stdout went away (`| head -1`).
    ClosedOutput,
}

impl StopCause {
    fn from_u8(v: u8) -> Option<StopCause> {
        match v {
            1 => Some(StopCause::Interrupt),
            2 => Some(StopCause::Terminate),
            3 => Some(StopCause::ClosedOutput),
            _ => None,
        }
    }

    fn as_u8(self) -> u8 {
        match self {
            StopCause::Interrupt => 1,
            StopCause::Terminate => 2,
            StopCause::ClosedOutput => 3,
        }
    }

    /// The exit status a stop of this kind imposes.
    pub fn exit(self) -> Exit {
        match self {
            StopCause::Interrupt => Exit::Interrupted,
            StopCause::Terminate => Exit::Terminated,
            StopCause::ClosedOutput => Exit::Success,
        }
    }
}

struct Inner {
    cause: AtomicU8,
    notify: tokio::sync::Notify,
    lock: Mutex<()>,
    cv: Condvar,
    grace_ms: AtomicU64,
    /// When the first signal came (monotonic ms; 0: none yet).
    first_signal_ms: AtomicU64,
    child: AtomicI32,
    /// Write end of the pipe the waker thread reads (-1: none yet).
    wake_fd: AtomicI32,
    waker: AtomicBool,
    /// When the first [`Stop::wait`] began.
    first_wait: OnceLock<Instant>,
    process: bool,
}

/// A stop flag shared by everything a command runs.
#[derive(Clone)]
pub struct Stop {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stop({:?})", self.cause())
    }
}

impl Default for Stop {
    fn default() -> Self {
        Self::new()
    }
}

/// How long a command may take to end after a signal before the watchdog
/// ends it (commands that drain, like echo-server, raise it).
pub const DEFAULT_GRACE: Duration = Duration::from_millis(1500);

/// A signal this soon after the first is the same stop, not "now".
pub const SAME_STOP: Duration = Duration::from_millis(500);

static PROCESS: OnceLock<Stop> = OnceLock::new();

impl Stop {
    fn build(process: bool) -> Stop {
        Stop {
            inner: Arc::new(Inner {
                cause: AtomicU8::new(0),
                notify: tokio::sync::Notify::new(),
                lock: Mutex::new(()),
                cv: Condvar::new(),
                grace_ms: AtomicU64::new(DEFAULT_GRACE.as_millis() as u64),
                first_signal_ms: AtomicU64::new(0),
                child: AtomicI32::new(0),
                wake_fd: AtomicI32::new(-1),
                waker: AtomicBool::new(false),
                first_wait: OnceLock::new(),
                process,
            }),
        }
    }

    /// A flag that only [`Stop::trigger`] sets (tests, library callers).
    pub fn new() -> Stop {
        Stop::build(false)
    }

    /// The process's stop flag, wired to SIGINT and SIGTERM. Installed
    /// once; later calls return the same flag.
    pub fn process() -> Stop {
        PROCESS
            .get_or_init(|| {
                let stop = Stop::build(true);
                install();
                stop
            })
            .clone()
    }

    /// Sets the flag (the first cause wins) and wakes every waiter.
    pub fn trigger(&self, cause: StopCause) {
        let _ = self.inner.cause.compare_exchange(
            0,
            cause.as_u8(),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        self.wake_all();
    }

    fn wake_all(&self) {
        self.inner.notify.notify_waiters();
        let _guard = self.inner.lock.lock();
        self.inner.cv.notify_all();
    }

    /// Whether a stop was asked for.
    pub fn is_set(&self) -> bool {
        self.inner.cause.load(Ordering::Acquire) != 0
    }

    /// Why, if stopped.
    pub fn cause(&self) -> Option<StopCause> {
        StopCause::from_u8(self.inner.cause.load(Ordering::Acquire))
    }

    /// Whether a signal (not a closed stdout) stopped it.
    pub fn by_signal(&self) -> bool {
        matches!(
            self.cause(),
            Some(StopCause::Interrupt | StopCause::Terminate)
        )
    }

    /// The exit status the stop imposes, if any.
    pub fn exit(&self) -> Option<Exit> {
        self.cause().map(StopCause::exit)
    }

    /// Starts watching: one thread that wakes waiters when a signal comes
    /// and notices a closed stdout. Commands that run for a while call it
    /// (waiting does, too); short ones never pay for it.
    pub fn watch(&self) {
        if !self.inner.process || self.inner.waker.swap(true, Ordering::AcqRel) {
            return;
        }
        let read = match crate::sys::wake_pipe() {
            Ok((read, write)) => {
                use std::os::fd::IntoRawFd;
                self.inner
                    .wake_fd
                    .store(write.into_raw_fd(), Ordering::Release);
                Some(read)
            }
            Err(_) => None,
        };
        // When stdout is a pipe or a socket, a reader that goes away
        // (`| head -1`) stops the command at once, even one that prints
        // nothing until its end.
        let stdout = crate::sys::stdout_is_pipe_or_socket();
        let stop = self.clone();
        let spawned = std::thread::Builder::new()
            .name("netkit-watch".into())
            .stack_size(WATCH_STACK)
            .spawn(move || watcher(&stop, read.as_ref(), stdout));
        if spawned.is_err() {
            self.inner.wake_fd.store(-1, Ordering::Release);
        }
        // A signal that came before the thread was there is not lost.
        if self.is_set() {
            self.wake_all();
        }
    }

    /// Resolves once the flag is set. The watch thread starts once
    /// [`WATCH_AFTER`] has passed since the process's first wait (many
    /// short waits add up: a quiet scan is watched too); until then the
    /// flag is looked at when that time is up (the runtime needs its timer enabled, as every
    /// netkit runtime has).
    pub async fn wait(&self) {
        if self.inner.process && !self.inner.waker.load(Ordering::Acquire) {
            let since = *self.inner.first_wait.get_or_init(Instant::now);
            let first = tokio::time::sleep_until((since + WATCH_AFTER).into());
            tokio::pin!(first);
            loop {
                let notified = self.inner.notify.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if self.is_set() {
                    return;
                }
                tokio::select! {
                    () = &mut notified => {}
                    () = &mut first => break,
                }
            }
            self.watch();
        }
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }

    /// How long the command may take to end after a signal.
    pub fn set_grace(&self, grace: Duration) {
        self.inner
            .grace_ms
            .store(grace.as_millis() as u64, Ordering::Relaxed);
    }

    /// While a child runs, signals go to it (`Some(pid)`) instead of
    /// stopping netkit; `None` when it has ended.
    pub fn forward_to(&self, pid: Option<u32>) {
        let pid = pid.and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
        self.inner.child.store(pid, Ordering::SeqCst);
    }
}

/// The signal handlers: async-signal-safe work only (atomics, write(2),
/// setitimer(2), kill(2), _exit(2)).
fn install() {
    use signal_hook::consts::{SIGALRM, SIGINT, SIGTERM};
    for sig in [SIGINT, SIGTERM] {
        // SAFETY: the action only loads and stores atomics and calls
        // async-signal-safe functions (see on_signal).
        let _ = unsafe { signal_hook::low_level::register(sig, move || on_signal(sig)) };
    }
    // SAFETY: as above (see on_alarm).
    let _ = unsafe { signal_hook::low_level::register(SIGALRM, on_alarm) };
}

fn on_signal(sig: i32) {
    let Some(stop) = PROCESS.get() else { return };
    let inner = &stop.inner;
    let child = inner.child.load(Ordering::SeqCst);
    if child != 0 {
        crate::sys::kill(child, sig);
        return;
    }
    // The first signal's time, set before anything else: two signals
    // handled at once on two threads still see one of them.
    let now = crate::sys::monotonic_ms().max(1);
    let _ = inner
        .first_signal_ms
        .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
    let cause = if sig == signal_hook::consts::SIGINT {
        StopCause::Interrupt
    } else {
        StopCause::Terminate
    };
    let first = inner
        .cause
        .compare_exchange(0, cause.as_u8(), Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
        || inner.cause.load(Ordering::Acquire) == StopCause::ClosedOutput.as_u8();
    if !first {
        let at = inner.first_signal_ms.load(Ordering::Acquire);
        if at != 0 && now.saturating_sub(at) < SAME_STOP.as_millis() as u64 {
            // The same stop said twice (timeout(1): the child, then its
            // group): the first one's summary is on its way.
            return;
        }
        // A second signal: the user means it.
        flush_from_signal();
        crate::sys::exit_now(cause.exit().code());
    }
    let fd = inner.wake_fd.load(Ordering::Acquire);
    if fd >= 0 {
        crate::sys::write_byte(fd);
    }
    crate::sys::arm_timer(inner.grace_ms.load(Ordering::Relaxed));
}

fn on_alarm() {
    let Some(stop) = PROCESS.get() else { return };
    if stop.inner.child.load(Ordering::SeqCst) != 0 {
        return;
    }
    let code = StopCause::from_u8(stop.inner.cause.load(Ordering::Acquire))
        .map_or(Exit::Interrupted.code(), |c| c.exit().code());
    flush_from_signal();
    crate::sys::exit_now(code);
}

/// What the watch thread and the watchdog flush: stdout's buffer. The
/// printer registers it ([`set_output`]), so this module needs nothing of
/// the printer's.
pub trait Output: Sync {
    /// How long until buffered lines are due (None: nothing buffered).
    fn due_in(&self) -> Option<Duration>;
    /// Writes what is buffered if it is due.
    fn flush_if_due(&self) -> std::io::Result<()>;
    /// From a signal handler: writes what is buffered, never waiting.
    fn flush_from_signal(&self);
}

static OUTPUT: OnceLock<&'static dyn Output> = OnceLock::new();

/// Registers stdout's buffer (once, by the printer).
pub fn set_output(out: &'static dyn Output) {
    let _ = OUTPUT.set(out);
}

fn flush_from_signal() {
    if let Some(o) = OUTPUT.get() {
        o.flush_from_signal();
    }
}

/// The watch thread's stack: it polls, flushes and wakes (small frames).
const WATCH_STACK: usize = 128 * 1024;

/// How long a wait goes without the watch thread: a command that ends
/// sooner never pays for a thread (a quarter of a one-port check's time);
/// a signal in that time is seen within it.
const WATCH_AFTER: Duration = Duration::from_millis(40);

/// Wakes the watch thread, if there is one, so it looks at stdout's
/// buffer; false when there is none (the caller flushes some other way).
pub fn poke_watcher() -> bool {
    let Some(stop) = PROCESS.get() else {
        return false;
    };
    let fd = stop.inner.wake_fd.load(Ordering::Acquire);
    if fd < 0 {
        return false;
    }
    crate::sys::write_byte(fd);
    true
}

/// The watch thread: wakes every waiter when a signal has set the flag,
/// and sets it when stdout's reader goes away.
///
/// It is also stdout's late flusher: lines buffered because the last write
/// was very recent are written when due (see [`poke_watcher`]).
fn watcher(stop: &Stop, wake: Option<&std::os::fd::OwnedFd>, stdout: bool) {
    use crate::sys::Woken;
    let sink = OUTPUT.get();
    loop {
        let due = sink.and_then(|s| s.due_in());
        let woken = crate::sys::wait_wake(wake, stdout, due);
        // An error (closed stdout) reaches the writer at its next line.
        if let Some(s) = sink {
            let _ = s.flush_if_due();
        }
        match woken {
            Woken::Pipe if stop.is_set() => {
                stop.wake_all();
                return;
            }
            Woken::Pipe | Woken::Timeout => {}
            Woken::StdoutClosed => {
                stop.trigger(StopCause::ClosedOutput);
                return;
            }
            Woken::Failed => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_cause_wins() {
        let stop = Stop::new();
        assert!(!stop.is_set());
        stop.trigger(StopCause::Interrupt);
        assert!(stop.is_set());
        assert_eq!(stop.exit(), Some(Exit::Interrupted));
        stop.trigger(StopCause::Terminate);
        assert_eq!(stop.cause(), Some(StopCause::Interrupt), "first cause wins");
    }

    #[test]
    fn async_wait_wakes() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let stop = Stop::new();
        let s2 = stop.clone();
        rt.block_on(async move {
            let w = tokio::spawn(async move { s2.wait().await });
            tokio::time::sleep(Duration::from_millis(10)).await;
            stop.trigger(StopCause::Terminate);
            tokio::time::timeout(Duration::from_secs(5), w)
                .await
                .unwrap()
                .unwrap();
        });
    }
}
