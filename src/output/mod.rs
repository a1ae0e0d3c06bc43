//! The one printer: human text (tables, colour) or JSON Lines, to stdout.
//!
//! Commands never ask which mode is on: they hand typed reports to
//! [`Printer::emit`] (a result or an event) and [`Printer::summary`] (the
//! last object, kept by `-q`). Every report derives `Serialize` for JSON and
//! implements [`Render`] for people. Output streams: each object is written
//! whole into a shared buffer that is flushed at once (or within 10 ms at
//! high rates), so `| head`, Ctrl-C and a killed pipeline lose nothing that
//! was already known, and no line is ever cut in half.

pub mod color;
pub mod json;
pub mod jsonw;
pub mod progress;
pub mod prom;
pub mod report;
pub mod text;

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use color::{ColorChoice, apply_color};
pub use report::Report;
pub use text::{pad_left, pad_right, table};

/// What human rendering may depend on besides the report itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// `-v` count (0 = normal).
    pub verbose: u8,
}

/// A report that knows how to show itself to people.
pub trait Render {
    /// Writes the human form (whole lines, each ending in `\n`).
    fn render(&self, w: &mut dyn Write, view: &View) -> io::Result<()>;
}

/// How much goes to stdout besides summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Text for people.
    Human,
    /// JSON Lines.
    Json,
}

/// How often buffered output is written at the latest.
const FLUSH_EVERY: Duration = Duration::from_millis(10);
/// Written at once when this much is buffered.
const FLUSH_BYTES: usize = 64 * 1024;
/// Lines written at once per [`FLUSH_EVERY`] window, before buffering: a
/// quick command prints without a flusher thread; a flood is batched.
const BURST: u32 = 16;

struct SinkState {
    buf: Vec<u8>,
    last_flush: Option<Instant>,
    window_start: Option<Instant>,
    window_writes: u32,
    broken: bool,
}

/// The process's stdout buffer, shared with the signal watchdog, which
/// flushes it before a forced exit. It holds whole lines only.
pub struct Sink {
    state: Mutex<SinkState>,
    flusher: AtomicBool,
}

/// One warning line on stderr, `netkit: warning: ...` (stdout stays the
/// command's results).
pub fn warn(message: &str) {
    let _ = writeln!(io::stderr(), "netkit: warning: {message}");
}

/// The stdout sink of this process.
pub fn stdout_sink() -> &'static Sink {
    static SINK: OnceLock<Sink> = OnceLock::new();
    let mut created = false;
    let sink = SINK.get_or_init(|| {
        created = true;
        Sink {
            state: Mutex::new(SinkState {
                buf: Vec::with_capacity(8 * 1024),
                last_flush: None,
                window_start: None,
                window_writes: 0,
                broken: false,
            }),
            flusher: AtomicBool::new(false),
        }
    });
    if created {
        crate::signal::set_output(sink);
    }
    sink
}

impl crate::signal::Output for Sink {
    fn due_in(&self) -> Option<Duration> {
        Sink::due_in(self)
    }

    fn flush_if_due(&self) -> io::Result<()> {
        Sink::flush_if_due(self)
    }

    fn flush_from_signal(&self) {
        Sink::flush_from_signal(self);
    }
}

fn write_out(state: &mut SinkState) -> io::Result<()> {
    if state.broken {
        return Err(io::ErrorKind::BrokenPipe.into());
    }
    state.last_flush = Some(Instant::now());
    if state.buf.is_empty() {
        return Ok(());
    }
    let r = progress::with_line_cleared(|| {
        let mut out = io::stdout().lock();
        out.write_all(&state.buf).and_then(|()| out.flush())
    });
    state.buf.clear();
    if let Err(e) = &r
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        state.broken = true;
    }
    r
}

impl Sink {
    fn lock(&self) -> std::sync::MutexGuard<'_, SinkState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends whole lines; writes them now unless many were written in
    /// the last 10 ms, in which case they are written within 10 ms by the
    /// signal watch thread or a flusher thread.
    fn push(&'static self, bytes: &[u8], now: bool) -> io::Result<()> {
        let mut st = self.lock();
        if st.broken {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let was_empty = st.buf.is_empty();
        st.buf.extend_from_slice(bytes);
        let t = Instant::now();
        if st
            .window_start
            .is_none_or(|w| t.duration_since(w) >= FLUSH_EVERY)
        {
            st.window_start = Some(t);
            st.window_writes = 0;
        }
        let due = now || st.buf.len() >= FLUSH_BYTES || st.window_writes < BURST;
        if due {
            st.window_writes += 1;
            return write_out(&mut st);
        }
        drop(st);
        // The signal watch thread, when a long command has one, writes it
        // when due; else a flusher thread of its own.
        // A batch already buffered has its writer arranged.
        if self.flusher.load(Ordering::Acquire) || !was_empty || crate::signal::poke_watcher() {
            return Ok(());
        }
        if !self.flusher.swap(true, Ordering::AcqRel) {
            let spawned = std::thread::Builder::new()
                .name("netkit-flush".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(FLUSH_EVERY);
                        let mut st = self.lock();
                        if !st.buf.is_empty() && write_out(&mut st).is_err() {
                            return;
                        }
                    }
                });
            if spawned.is_err() {
                return write_out(&mut self.lock());
            }
        }
        Ok(())
    }

    /// How long until buffered lines are due (None: nothing buffered).
    pub fn due_in(&self) -> Option<Duration> {
        let st = self.lock();
        if st.buf.is_empty() || st.broken {
            return None;
        }
        Some(
            st.last_flush
                .map_or(Duration::ZERO, |t| FLUSH_EVERY.saturating_sub(t.elapsed())),
        )
    }

    /// Writes what is buffered if it is due.
    pub fn flush_if_due(&self) -> io::Result<()> {
        let mut st = self.lock();
        let due = !st.buf.is_empty() && st.last_flush.is_none_or(|t| t.elapsed() >= FLUSH_EVERY);
        if due { write_out(&mut st) } else { Ok(()) }
    }

    /// Writes what is buffered.
    pub fn flush(&self) -> io::Result<()> {
        write_out(&mut self.lock())
    }

    /// From a signal handler: writes what is buffered if the lock is free
    /// (never waits: the interrupted thread may hold it), with raw write(2).
    pub fn flush_from_signal(&self) {
        if let Ok(st) = self.state.try_lock() {
            crate::sys::write_stdout_raw(&st.buf);
        }
    }

    /// Whether stdout is known to be closed.
    pub fn is_broken(&self) -> bool {
        self.lock().broken
    }
}

/// The Prometheus file of `--prom-file`: every report printed feeds it,
/// and it is written once, when the printer finishes.
struct PromSink {
    path: std::path::PathBuf,
    metrics: prom::Metrics,
    written: bool,
}

/// The stdout printer every command writes through. It owns every sink:
/// stdout (human text or JSON Lines) and the `--prom-file` metrics, so no
/// command can forget one.
pub struct Printer {
    mode: Mode,
    quiet: bool,
    view: View,
    sink: &'static Sink,
    scratch: Vec<u8>,
    prom: Option<PromSink>,
}

impl Printer {
    /// A printer on this process's stdout.
    pub fn stdout(mode: Mode, quiet: bool, verbose: u8) -> Self {
        Printer {
            mode,
            quiet,
            view: View { verbose },
            sink: stdout_sink(),
            scratch: Vec::with_capacity(1024),
            prom: None,
        }
    }

    /// Also writes what is printed as Prometheus metrics to `path`
    /// (`--prom-file`), when [`Printer::finish`] is called.
    pub fn with_prom_file(mut self, path: Option<std::path::PathBuf>) -> Self {
        self.prom = path.map(|path| PromSink {
            path,
            metrics: prom::Metrics::default(),
            written: false,
        });
        self
    }

    /// Adds a report's samples: results while there is room for them
    /// (leaving room for a summary's), summaries always.
    fn measure<R: Report + ?Sized>(&mut self, r: &R, summary: bool) {
        if let Some(p) = self.prom.as_mut()
            && (summary || p.metrics.has_room())
        {
            r.metrics(&mut p.metrics);
        }
    }

    /// Writes the `--prom-file` (once) and everything buffered. Called when
    /// a command has printed its last result, even a failed one.
    pub fn finish(&mut self) -> crate::error::Result<()> {
        if let Some(p) = self.prom.as_mut()
            && !p.written
        {
            p.written = true;
            p.metrics.write_atomic(&p.path)?;
        }
        self.sink
            .flush()
            .map_err(|e| crate::error::NetkitError::System {
                call: "write",
                source: e,
            })
    }

    /// What human rendering may depend on.
    pub fn view(&self) -> View {
        self.view
    }

    fn render_one<R: Render + Report + ?Sized>(&mut self, r: &R) -> io::Result<()> {
        match self.mode {
            Mode::Json => {
                r.write_json(&mut self.scratch)?;
                self.scratch.push(b'\n');
            }
            Mode::Human => r.render(&mut self.scratch, &self.view)?,
        }
        Ok(())
    }

    fn push(&mut self, now: bool) -> io::Result<()> {
        let r = self.sink.push(&self.scratch, now);
        self.scratch.clear();
        r
    }

    /// One result or event: printed unless `-q`.
    pub fn emit<R: Render + Report + ?Sized>(&mut self, r: &R) -> io::Result<()> {
        self.measure(r, false);
        if self.quiet {
            return self.check_open();
        }
        self.render_one(r)?;
        self.push(false)
    }

    /// A group shown to people as one block and in JSON as one object per
    /// item (a name's A and AAAA answers, say).
    pub fn emit_group<G: Render + ?Sized, T: Report>(
        &mut self,
        group: &G,
        items: &[T],
    ) -> io::Result<()> {
        for item in items {
            self.measure(item, false);
        }
        if self.quiet {
            return self.check_open();
        }
        match self.mode {
            Mode::Json => {
                for item in items {
                    item.write_json(&mut self.scratch)?;
                    self.scratch.push(b'\n');
                }
            }
            Mode::Human => group.render(&mut self.scratch, &self.view)?,
        }
        self.push(false)
    }

    /// The last object of a command: printed even with `-q`, and at once.
    pub fn summary<R: Render + Report + ?Sized>(&mut self, r: &R) -> io::Result<()> {
        self.measure(r, true);
        self.render_one(r)?;
        self.push(true)
    }

    /// Human-only text (a header line, a blank line between blocks): not in
    /// JSON, not with `-q`.
    pub fn text(&mut self, line: &str) -> io::Result<()> {
        if self.quiet || self.mode == Mode::Json {
            return self.check_open();
        }
        self.scratch.extend_from_slice(line.as_bytes());
        self.push(false)
    }

    /// A human-only block (rendered for people; nothing in JSON, nothing
    /// with `-q`).
    pub fn human<G: Render + ?Sized>(&mut self, block: &G) -> io::Result<()> {
        if self.quiet || self.mode == Mode::Json {
            return self.check_open();
        }
        block.render(&mut self.scratch, &self.view)?;
        self.push(false)
    }

    /// Err(BrokenPipe) once stdout is known to be closed, so quiet loops
    /// end too.
    fn check_open(&self) -> io::Result<()> {
        if self.sink.is_broken() {
            Err(io::ErrorKind::BrokenPipe.into())
        } else {
            Ok(())
        }
    }

    /// Writes everything buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.sink.flush()
    }
}
