//! A progress line on stderr, only when stderr is a terminal: never in
//! stdout, never in JSON.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
                    let _ = write!(
                        std::io::stderr(),
                        "\r\x1b[K{what} {d}/{total}, {} open{eta}",
                        found.load(Ordering::Relaxed)
                    );
                }
                let _ = write!(std::io::stderr(), "\r\x1b[K");
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
