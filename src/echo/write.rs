//! The throughput writer: the static pattern lent to the kernel page by
//! page (vmsplice + splice, no copy) where it can be, copied where not
//! (proxies), every write bounded by the timeout and the stop flag.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

use super::conn::Conn;
use super::pattern;
use super::server::EchoStream;
use crate::signal::Stop;

/// When and how much the writer writes.
pub struct WriteLimits {
    /// Bytes to write, if bounded.
    pub bytes: Option<u64>,
    /// Stop writing at this time.
    pub deadline: Option<Instant>,
    /// Stop writing when set.
    pub stop: Stop,
    /// A write that makes no progress this long fails.
    pub timeout: Duration,
}

impl WriteLimits {
    fn done(&self, off: u64) -> bool {
        self.stop.is_set()
            || self.bytes.is_some_and(|b| off >= b)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// The next slice of the pattern to send from stream offset `off`.
    fn chunk(&self, off: u64) -> &'static [u8] {
        let p = pattern().len() as u64;
        let pos = (off % p) as usize;
        let mut len = p as usize * WRITE_PERIODS;
        if let Some(b) = self.bytes {
            len = len.min((b - off) as usize);
        }
        &repeated_pattern()[pos..pos + len]
    }
}

/// Pattern periods written per call: about 256 KiB, few syscalls.
const WRITE_PERIODS: usize = 4;

/// The pattern repeated, so any offset can be written as one slice.
fn repeated_pattern() -> &'static [u8] {
    static REPEATED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    REPEATED.get_or_init(|| pattern().repeat(WRITE_PERIODS + 1))
}

fn stalled() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "write stalled")
}

async fn write_copy<W: AsyncWrite + Unpin>(
    w: &mut W,
    l: &WriteLimits,
    written: &AtomicU64,
) -> io::Result<u64> {
    let mut off = written.load(Ordering::Acquire);
    while !l.done(off) {
        let n = tokio::time::timeout(l.timeout, w.write(l.chunk(off)))
            .await
            .map_err(|_| stalled())??;
        off += n as u64;
        written.store(off, Ordering::Release);
    }
    Ok(off)
}

/// Writes without copying: vmsplice(2) lends the static pattern's pages to
/// a pipe, splice(2) moves them to the socket. `None` when the kernel
/// refuses before anything was sent (then copy instead).
async fn write_spliced<S: EchoStream>(
    sock: &S,
    l: &WriteLimits,
    written: &AtomicU64,
) -> io::Result<Option<u64>> {
    let Ok(pipe) = crate::sys::SplicePipe::new(1 << 20) else {
        return Ok(None);
    };
    use std::os::fd::AsRawFd;
    let unsupported = |e: &io::Error| {
        matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
    };
    let (fd, mut off, mut in_pipe) = (sock.fd(), 0u64, 0usize);
    loop {
        if in_pipe == 0 {
            if l.done(off) {
                return Ok(Some(off));
            }
            match crate::sys::vmsplice(&pipe.write, l.chunk(off)) {
                Ok(n) => in_pipe = n,
                Err(e) if off == 0 && unsupported(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        tokio::select! {
            r = tokio::time::timeout(l.timeout, sock.ready_to_write()) => { r.map_err(|_| stalled())??; }
            () = l.stop.wait() => return Ok(Some(off)),
        }
        match sock.try_raw(tokio::io::Interest::WRITABLE, || {
            crate::sys::splice(pipe.read.as_raw_fd(), fd, in_pipe)
        }) {
            Ok(m) => {
                in_pipe -= m;
                off += m as u64;
                written.store(off, Ordering::Release);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if off == 0 && unsupported(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// The write half of a TCP or Unix stream, which can splice.
trait SpliceHalf: AsyncWrite + Unpin + Send {
    type Stream: EchoStream;
    fn stream(&self) -> &Self::Stream;
}

impl SpliceHalf for tokio::net::tcp::OwnedWriteHalf {
    type Stream = TcpStream;
    fn stream(&self) -> &TcpStream {
        self.as_ref()
    }
}

impl SpliceHalf for tokio::net::unix::OwnedWriteHalf {
    type Stream = UnixStream;
    fn stream(&self) -> &UnixStream {
        self.as_ref()
    }
}

async fn write_stream<W: SpliceHalf>(
    mut w: W,
    l: WriteLimits,
    written: Arc<AtomicU64>,
) -> io::Result<u64> {
    let off = match write_spliced(w.stream(), &l, &written).await? {
        Some(off) => off,
        None => write_copy(&mut w, &l, &written).await?,
    };
    let _ = tokio::time::timeout(l.timeout, w.shutdown()).await;
    Ok(off)
}

/// Splits the connection: the writer runs as a task of its own (another
/// core, while this one reads and verifies), counting into `written` and
/// notifying `done` when it has finished. Returns the read half.
pub fn spawn_writer(
    conn: Conn,
    limits: WriteLimits,
    written: Arc<AtomicU64>,
    done: Arc<tokio::sync::Notify>,
) -> (
    Box<dyn AsyncRead + Unpin + Send>,
    tokio::task::JoinHandle<io::Result<u64>>,
) {
    let finish = move |r: io::Result<u64>, done: Arc<tokio::sync::Notify>| {
        done.notify_one();
        r
    };
    match conn {
        Conn::Tcp(s) => {
            let (r, w) = s.into_split();
            (
                Box::new(r),
                tokio::spawn(async move { finish(write_stream(w, limits, written).await, done) }),
            )
        }
        Conn::Unix(s) => {
            let (r, w) = s.into_split();
            (
                Box::new(r),
                tokio::spawn(async move { finish(write_stream(w, limits, written).await, done) }),
            )
        }
        Conn::Proxied(s) => {
            let (r, mut w) = tokio::io::split(s);
            (
                Box::new(r),
                tokio::spawn(async move {
                    let r = async {
                        let off = write_copy(&mut w, &limits, &written).await?;
                        let _ = tokio::time::timeout(limits.timeout, w.shutdown()).await;
                        Ok(off)
                    }
                    .await;
                    finish(r, done)
                }),
            )
        }
    }
}
