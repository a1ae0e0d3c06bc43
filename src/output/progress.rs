//! A progress line on stderr, only when stderr is a terminal: never in
//! stdout, never in JSON.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Whether a live line is on the terminal now (drawn, not yet cleared).
/// Held while drawing it, and while stdout is written after clearing it:
/// a result row never lands at the end of a progress line.
static DRAWN: Mutex<bool> = Mutex::new(false);
/// Whether a live line may be on screen at all (a cheap test for the rest).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Runs `write` (stdout) with no live line on the terminal: the line is
/// cleared first (and redrawn by its thread on its next tick).
pub fn with_line_cleared<T>(write: impl FnOnce() -> T) -> T {
    if !ACTIVE.load(Ordering::Acquire) {
        return write();
    }
    let mut drawn = DRAWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if *drawn {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
        *drawn = false;
    }
    write()
}

/// Draws `text` as the live line (stderr, a terminal).
fn draw(text: &str) {
    let mut drawn = DRAWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if text.is_empty() && !*drawn {
        return;
    }
    let _ = write!(std::io::stderr(), "\r\x1b[K{text}");
    *drawn = !text.is_empty();
}

/// A status that changes (what `--wait` waits for) on stderr: a live line
/// on a terminal, else one line per change of state. Dropping it clears the
/// live line.
pub struct StatusLine {
    terminal: bool,
    last: String,
}

impl StatusLine {
    /// A status line on stderr.
    pub fn new() -> StatusLine {
        let terminal = std::io::stderr().is_terminal();
        if terminal {
            ACTIVE.store(std::io::stdout().is_terminal(), Ordering::Release);
        }
        StatusLine {
            terminal,
            last: String::new(),
        }
    }

    /// Shows `text` (a state: the numbers that change every poll, in
    /// parentheses at its end, do not make a new line off a terminal).
    pub fn show(&mut self, text: &str) {
        if self.terminal {
            draw(text);
            return;
        }
        let state = text.split(" (").next().unwrap_or(text);
        if state != self.last {
            self.last = state.to_string();
            let _ = writeln!(std::io::stderr(), "netkit: {text}");
        }
    }
}

impl Default for StatusLine {
    fn default() -> Self {
        StatusLine::new()
    }
}

impl Drop for StatusLine {
    fn drop(&mut self) {
        if self.terminal {
            draw("");
        }
    }
}

/// A running progress line; dropping it clears the line.
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Shows `done/total` (and `found` so far, with an ETA) every 200 ms,
    /// when stderr is a terminal, `show` holds and the total (known once
    /// the work is planned) is over 1,000.
    pub fn start(
        show: bool,
        what: &'static str,
        total: Arc<AtomicU64>,
        done: Arc<AtomicU64>,
        found: Arc<AtomicU64>,
    ) -> Option<Progress> {
        if !show || !std::io::stderr().is_terminal() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        // Only a terminal on stdout too shares the screen with the line.
        ACTIVE.store(std::io::stdout().is_terminal(), Ordering::Release);
        let started = Instant::now();
        let thread = std::thread::Builder::new()
            .name("netkit-progress".into())
            .spawn(move || {
                while !stop2.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    let total = total.load(Ordering::Relaxed);
                    if total <= 1000 {
                        continue;
                    }
                    let d = done.load(Ordering::Relaxed);
                    let secs = started.elapsed().as_secs_f64();
                    let eta = if d > 0 && d < total {
                        format!(", about {:.0} s left", secs * (total - d) as f64 / d as f64)
                    } else {
                        String::new()
                    };
                    draw(&format!(
                        "{what} {d}/{total}, {} open{eta}",
                        found.load(Ordering::Relaxed)
                    ));
                }
                draw("");
            })
            .ok()?;
        Some(Progress {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
