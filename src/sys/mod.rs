//! OS glue: the only home of `unsafe`. Maintained crates cover what they
//! can (rustix: pipes, splice, rlimits, poll, uname; nix: getifaddrs,
//! interface names); what no crate offers is hand-written here, each block
//! with the reason it is sound: getaddrinfo with every hint,
//! gethostbyname2_r, gethostbyaddr_r, IP_MULTICAST_IF by index,
//! MCAST_JOIN_SOURCE_GROUP, vmsplice of static memory, kill, _exit.

pub mod alloc;
pub mod netdb;
pub mod runtime;

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

/// Sends `sig` to process `pid` (errors ignored: it may have ended).
pub fn kill(pid: i32, sig: i32) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe { libc::kill(pid, sig) };
}

/// Ends the process now with `code`, running no destructors (the watchdog
/// uses it after flushing stdout itself).
pub fn exit_now(code: u8) -> ! {
    // SAFETY: _exit(2) is async-signal-safe and never returns.
    unsafe { libc::_exit(i32::from(code)) }
}

/// Milliseconds on the monotonic clock (async-signal-safe: the signal
/// handler tells a repeated signal from a second one with it).
pub fn monotonic_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime(2) writes the timespec we own; it is
    // async-signal-safe.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64).saturating_mul(1000) + (ts.tv_nsec as u64) / 1_000_000
}

/// Whether stdout is a pipe or a socket (whose reader can go away).
pub fn stdout_is_pipe_or_socket() -> bool {
    let stdout = io::stdout();
    match rustix::fs::fstat(stdout.as_fd()) {
        Ok(st) => {
            let ty = rustix::fs::FileType::from_raw_mode(st.st_mode);
            matches!(
                ty,
                rustix::fs::FileType::Fifo | rustix::fs::FileType::Socket
            )
        }
        Err(_) => false,
    }
}

/// What [`wait_wake`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// The self-pipe had bytes (drained): a signal came.
    Pipe,
    /// The reader of stdout went away (POLLERR/POLLHUP on the write end).
    StdoutClosed,
    /// The timeout passed.
    Timeout,
    /// Nothing can be waited on (or poll failed).
    Failed,
}

/// Blocks until the self-pipe `wake` is readable (and drains it) or, with
/// `stdout` true, until the reader of stdout goes away: one thread watches
/// both. `timeout` (rounded up to a millisecond) ends the wait with
/// [`Woken::Timeout`].
pub fn wait_wake(
    wake: Option<&OwnedFd>,
    stdout: bool,
    timeout: Option<std::time::Duration>,
) -> Woken {
    use rustix::event::{PollFd, PollFlags, poll};
    let out = io::stdout();
    let out = out.as_fd();
    loop {
        // No allocation here: the watch thread then never creates a
        // malloc arena of its own (start-up cost).
        let wake_flags = if wake.is_some() {
            PollFlags::IN
        } else {
            PollFlags::empty()
        };
        let mut all = [
            PollFd::from_borrowed_fd(wake.map_or(out, AsFd::as_fd), wake_flags),
            PollFd::from_borrowed_fd(out, PollFlags::empty()),
        ];
        let fds = match (wake.is_some(), stdout) {
            (true, true) => &mut all[..],
            (true, false) => &mut all[..1],
            (false, true) => &mut all[1..],
            (false, false) => &mut all[..0],
        };
        if fds.is_empty() && timeout.is_none() {
            return Woken::Failed;
        }
        let ts = timeout.map(|t| {
            let t = t.max(std::time::Duration::from_millis(1));
            rustix::event::Timespec {
                tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
                tv_nsec: i64::from(t.subsec_nanos()),
            }
        });
        match poll(fds, ts.as_ref()) {
            Ok(0) => return Woken::Timeout,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return Woken::Failed,
        }
        let woke = wake.is_some() && !all[0].revents().is_empty();
        let out_revents = all[1].revents();
        if let Some(fd) = wake
            && woke
        {
            let mut buf = [0u8; 16];
            let _ = rustix::io::read(fd, &mut buf);
            return Woken::Pipe;
        }
        if stdout {
            let r = out_revents;
            if r.contains(PollFlags::NVAL) {
                return Woken::Failed;
            }
            if r.intersects(PollFlags::ERR | PollFlags::HUP) {
                return Woken::StdoutClosed;
            }
        }
    }
}

/// Blocks until `fd` is readable (or has an error to report) and returns
/// true; false once `until` passes or `stopped()` says so. One poll per
/// wait with a nanosecond timeout, at most 50 ms each so that a stop is
/// seen promptly. A blocking wait measures what blocking clients (ping,
/// sockperf, the C pair in benches) measure.
pub fn wait_readable(
    fd: std::os::fd::BorrowedFd<'_>,
    until: std::time::Instant,
    stopped: &dyn Fn() -> bool,
) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    loop {
        let now = std::time::Instant::now();
        if stopped() || now >= until {
            return false;
        }
        let t = (until - now).min(std::time::Duration::from_millis(50));
        let ts = Timespec {
            tv_sec: 0,
            tv_nsec: i64::from(t.subsec_nanos()),
        };
        let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
        match poll(&mut fds, Some(&ts)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => {}
            // Readable, an error queued (ECONNREFUSED), or poll failed:
            // the receive that follows says which.
            _ => return true,
        }
    }
}

/// Raises the soft open-file limit to the hard limit, so thousands of
/// sockets fit. Returns the limit now in force.
pub fn raise_nofile_limit() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let lim = getrlimit(Resource::Nofile);
    let (cur, max) = (lim.current.unwrap_or(u64::MAX), lim.maximum);
    if let Some(max) = max
        && cur < max
    {
        let raised = rustix::process::Rlimit {
            current: Some(max),
            maximum: Some(max),
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            return max;
        }
    }
    cur
}

/// This host's name (gethostname: the kernel's nodename).
pub fn hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// The index of the interface with this name.
pub fn if_index(name: &str) -> Option<u32> {
    nix::net::if_::if_nametoindex(name).ok().filter(|i| *i != 0)
}

/// The name of the interface with this index.
pub fn if_name(index: u32) -> Option<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: buf holds IF_NAMESIZE bytes, as if_indextoname requires.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: if_indextoname wrote a NUL-terminated name into buf.
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

fn setsockopt<T>(fd: RawFd, level: i32, name: i32, value: &T) -> io::Result<()> {
    // SAFETY: `value` is a valid, initialised T for the duration of the
    // call and its exact size is passed; the kernel only reads it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast::<libc::c_void>(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// IP_MULTICAST_IF by interface index (struct ip_mreqn), which works for
/// interfaces with several or no IPv4 addresses (socket2 takes an address).
pub fn set_multicast_if_v4_index(socket: &impl AsRawFd, index: u32) -> io::Result<()> {
    let req = libc::ip_mreqn {
        imr_multiaddr: libc::in_addr { s_addr: 0 },
        imr_address: libc::in_addr { s_addr: 0 },
        imr_ifindex: index as libc::c_int,
    };
    setsockopt(
        socket.as_raw_fd(),
        libc::IPPROTO_IP,
        libc::IP_MULTICAST_IF,
        &req,
    )
}

fn sockaddr_storage(ip: std::net::IpAddr) -> libc::sockaddr_storage {
    let sa = socket2::SockAddr::from(std::net::SocketAddr::new(ip, 0));
    // SAFETY: sockaddr_storage is plain old data, valid all zero.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = (sa.len() as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
    // SAFETY: copies `len` bytes of a valid sockaddr into storage that is
    // at least that large; the two do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(
            sa.as_ptr().cast::<u8>(),
            (&mut storage as *mut libc::sockaddr_storage).cast::<u8>(),
            len,
        );
    }
    storage
}

/// MCAST_JOIN_SOURCE_GROUP (RFC 3678): a source-specific join that works
/// for both families (IGMPv3 and MLDv2).
pub fn join_source_group(
    socket: &impl AsRawFd,
    group: std::net::IpAddr,
    source: std::net::IpAddr,
    index: u32,
) -> io::Result<()> {
    let req = libc::group_source_req {
        gsr_interface: index,
        gsr_group: sockaddr_storage(group),
        gsr_source: sockaddr_storage(source),
    };
    let level = if group.is_ipv4() {
        libc::IPPROTO_IP
    } else {
        libc::IPPROTO_IPV6
    };
    setsockopt(
        socket.as_raw_fd(),
        level,
        libc::MCAST_JOIN_SOURCE_GROUP,
        &req,
    )
}

/// A pipe for splice(2): bytes go socket -> pipe -> socket as page
/// references, never through user space.
pub struct SplicePipe {
    /// The read end.
    pub read: OwnedFd,
    /// The write end.
    pub write: OwnedFd,
}

impl SplicePipe {
    /// A non-blocking pipe, enlarged to `size` when the kernel allows.
    pub fn new(size: usize) -> io::Result<SplicePipe> {
        use rustix::pipe::{PipeFlags, fcntl_setpipe_size, pipe_with};
        let (read, write) = pipe_with(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC)?;
        // A bigger pipe moves more per call; the default (64 KiB) still works.
        let _ = fcntl_setpipe_size(&write, size);
        Ok(SplicePipe { read, write })
    }
}

/// splice(2) between a socket and a pipe, non-blocking.
pub fn splice(from: RawFd, to: RawFd, len: usize) -> io::Result<usize> {
    use rustix::pipe::SpliceFlags;
    // SAFETY: both descriptors are open for the duration of the call (the
    // caller holds them); they are only borrowed here.
    let (from, to) = unsafe {
        (
            std::os::fd::BorrowedFd::borrow_raw(from),
            std::os::fd::BorrowedFd::borrow_raw(to),
        )
    };
    rustix::pipe::splice(
        from,
        None,
        to,
        None,
        len,
        SpliceFlags::MOVE | SpliceFlags::NONBLOCK,
    )
    .map_err(io::Error::from)
}

/// Places `data` in a pipe by reference (vmsplice(2)): no copy. Only
/// `'static` data is accepted: the pages must not change or go away while
/// the pipe holds them.
pub fn vmsplice(pipe_write: &OwnedFd, data: &'static [u8]) -> io::Result<usize> {
    use rustix::pipe::{IoSliceRaw, SpliceFlags};
    let iov = [IoSliceRaw::from_slice(data)];
    // SAFETY: the slice is 'static and never written, so the pages the
    // kernel references stay valid and unchanged for as long as it needs.
    unsafe { rustix::pipe::vmsplice(pipe_write, &iov, SpliceFlags::NONBLOCK) }
        .map_err(io::Error::from)
}

/// Random bytes from the OS (getrandom(2)): DNS query ids, ping tokens,
/// sender ids must not be guessable by an off-path attacker. Fetched 512
/// bytes at a time per thread (a batch asks for one per query; a system
/// call each cost as much as the query's own parsing).
pub fn random_u64() -> u64 {
    use std::cell::RefCell;
    thread_local! {
        static POOL: RefCell<([u8; 512], usize)> = const { RefCell::new(([0; 512], 512)) };
    }
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.1 + 8 > p.0.len() {
            os_random(&mut p.0);
            p.1 = 0;
        }
        let at = p.1;
        p.1 += 8;
        let mut b = [0u8; 8];
        b.copy_from_slice(&p.0[at..at + 8]);
        // Used once: what was handed out is not left behind.
        p.0[at..at + 8].fill(0);
        u64::from_ne_bytes(b)
    })
}

/// Fills `b` from getrandom(2); without it, from the clock and the pid,
/// mixed (splitmix64).
fn os_random(b: &mut [u8]) {
    let mut filled = 0;
    while filled < b.len() {
        match rustix::rand::getrandom(&mut b[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => break,
        }
    }
    if filled == b.len() {
        return;
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = t ^ (u64::from(std::process::id()) << 32);
    for chunk in b[filled..].chunks_mut(8) {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_ne_bytes()[..chunk.len()]);
    }
}

/// A pipe whose write end a signal handler may write to (non-blocking,
/// close-on-exec): the self-pipe that wakes the stop flag's waiters.
pub fn wake_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::pipe::{PipeFlags, pipe_with};
    pipe_with(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).map_err(io::Error::from)
}

/// Writes one byte to `fd` (async-signal-safe: one write(2)).
pub fn write_byte(fd: RawFd) {
    let b = [1u8];
    // SAFETY: write(2) on a descriptor this process owns, from a valid
    // one-byte buffer; async-signal-safe.
    unsafe { libc::write(fd, b.as_ptr().cast(), 1) };
}

/// Writes `data` to stdout with write(2) directly (async-signal-safe: no
/// lock, no allocation), giving up on any error.
pub fn write_stdout_raw(mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: write(2) to descriptor 1 from a valid buffer of that length.
        let n = unsafe { libc::write(1, data.as_ptr().cast(), data.len()) };
        if n <= 0 {
            return;
        }
        data = &data[n as usize..];
    }
}

/// Arms the real-time interval timer: SIGALRM in `ms` milliseconds, once
/// (async-signal-safe).
pub fn arm_timer(ms: u64) {
    let t = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: (ms / 1000) as libc::time_t,
            tv_usec: ((ms % 1000) * 1000) as libc::suseconds_t,
        },
    };
    // SAFETY: setitimer(2) with a valid itimerval and a null old value.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &t, std::ptr::null_mut()) };
}

/// Ignores SIGPIPE, as Rust's runtime does before `main`: a write to a
/// closed pipe then fails with EPIPE, which netkit turns into a quiet exit.
pub fn ignore_sigpipe() {
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}

/// `pow(3)` and `log2(3)` for the callers netkit links (tokio's scheduler
/// statistics, `f64::powf`; hdrhistogram's bucket index, `f64::log2`, when
/// not inlined), from the `libm` crate (a port of musl's), so the
/// executable does not load libm.so at start-up for them. An executable's
/// symbols are not exported to shared libraries unless they reference
/// them, so NSS modules keep glibc's own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
// SAFETY: no other definition of `pow` is linked into netkit: libm.so is
// only looked at for symbols still undefined, and this one is defined.
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// `log2(3)`: see [`pow`].
#[cfg(all(target_os = "linux", target_env = "gnu"))]
// SAFETY: as for `pow`, the only definition linked.
#[unsafe(no_mangle)]
pub extern "C" fn log2(x: f64) -> f64 {
    libm::log2(x)
}

/// Asks the kernel to keep the ICMP errors a socket receives (`IP_RECVERR`,
/// `IPV6_RECVERR`), so that an unreachable can be told apart from an
/// administratively prohibited one (both are `EHOSTUNREACH` for TCP).
pub fn set_recverr(fd: RawFd, v6: bool) {
    let on: libc::c_int = 1;
    let (level, name) = if v6 {
        (libc::IPPROTO_IPV6, libc::IPV6_RECVERR)
    } else {
        (libc::IPPROTO_IP, libc::IP_RECVERR)
    };
    // SAFETY: a valid descriptor and a c_int option of the right size.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

/// Dissolves a TCP socket's association (connect with `AF_UNSPEC`), so
/// that a socket whose connect was refused can connect again: a scan saves
/// a socket(2) and a close(2), and the kernel's allocation of each, per
/// closed port. False when the kernel refused.
pub fn disconnect(fd: RawFd) -> bool {
    // SAFETY: sockaddr is plain data; all zeroes is AF_UNSPEC (0).
    let addr: libc::sockaddr = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor and an address passed with its own size.
    let r = unsafe {
        libc::connect(
            fd,
            &raw const addr,
            std::mem::size_of::<libc::sockaddr>() as libc::socklen_t,
        )
    };
    r == 0
}

/// The ICMP (or ICMPv6) type and code of the last error queued on a socket
/// with [`set_recverr`], if one is there.
pub fn icmp_error(fd: RawFd) -> Option<(u8, u8, bool)> {
    icmp_report(fd).map(|r| (r.kind, r.code, r.v6))
}

/// An ICMP error the kernel queued on a socket ([`set_recverr`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpReport {
    /// ICMP (or ICMPv6) type.
    pub kind: u8,
    /// Its code.
    pub code: u8,
    /// ICMPv6.
    pub v6: bool,
    /// Who sent it (`SO_EE_OFFENDER`): a router, or the destination.
    pub offender: Option<std::net::IpAddr>,
    /// `ee_info`: the next-hop MTU of a "fragmentation needed" or
    /// "packet too big".
    pub info: u32,
}

/// The next ICMP error queued on a socket with [`set_recverr`], taken off
/// the queue; `None` when the queue is empty. Local errors (origin
/// `SO_EE_ORIGIN_LOCAL`, such as a local EMSGSIZE) are taken and skipped.
pub fn icmp_report(fd: RawFd) -> Option<IcmpReport> {
    icmp_report_data(fd, &mut [0u8; 64]).map(|(r, _)| r)
}

/// [`icmp_report`], with the start of the offending datagram's payload
/// as the ICMP message quoted it (UDP: what was sent, after the UDP
/// header) copied into `data`, and its length.
pub fn icmp_report_data(fd: RawFd, data: &mut [u8]) -> Option<(IcmpReport, usize)> {
    for _ in 0..16 {
        match next_error(fd, data)? {
            Some(r) => return Some(r),
            None => continue,
        }
    }
    None
}

/// One entry of the error queue: `None` when the queue is empty,
/// `Some(None)` for an entry that is not an ICMP error.
fn next_error(fd: RawFd, data: &mut [u8]) -> Option<Option<(IcmpReport, usize)>> {
    let mut control = [0u64; 64];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: msghdr is plain data; every pointer in it points at a live
    // buffer of the stated size for the duration of the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control);
    // SAFETY: as above.
    let n = unsafe { libc::recvmsg(fd, &raw mut msg, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if n < 0 {
        return None;
    }
    // SAFETY: the CMSG macros walk the control buffer the kernel filled,
    // bounded by msg_controllen.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(&raw const msg) };
    while !cmsg.is_null() {
        // SAFETY: cmsg is a header inside the control buffer.
        let (level, kind, len) =
            unsafe { ((*cmsg).cmsg_level, (*cmsg).cmsg_type, (*cmsg).cmsg_len) };
        let ours = (level == libc::IPPROTO_IP && kind == libc::IP_RECVERR)
            || (level == libc::IPPROTO_IPV6 && kind == libc::IPV6_RECVERR);
        if ours {
            // SAFETY: the kernel puts a sock_extended_err at CMSG_DATA for
            // these types, followed by the offender's sockaddr (within
            // cmsg_len); read unaligned, as the buffer gives no guarantee.
            let cdata = unsafe { libc::CMSG_DATA(cmsg) };
            // SAFETY: as above: a sock_extended_err is at CMSG_DATA.
            let e: libc::sock_extended_err = unsafe { std::ptr::read_unaligned(cdata.cast()) };
            let icmp = e.ee_origin == libc::SO_EE_ORIGIN_ICMP;
            let icmp6 = e.ee_origin == libc::SO_EE_ORIGIN_ICMP6;
            if icmp || icmp6 {
                // SAFETY: pointer arithmetic within the cmsg, checked
                // against its length before reading.
                let header = unsafe { cdata.offset_from(cmsg.cast::<u8>()) } as usize;
                let ee = std::mem::size_of::<libc::sock_extended_err>();
                let room = len.saturating_sub(header + ee);
                // SAFETY: `room` bytes of sockaddr follow the extended error.
                let offender = unsafe { offender_of(cdata.add(ee), room) };
                let report = IcmpReport {
                    kind: e.ee_type,
                    code: e.ee_code,
                    v6: icmp6,
                    offender,
                    info: e.ee_info,
                };
                return Some(Some((report, (n as usize).min(data.len()))));
            }
        }
        // SAFETY: as above.
        cmsg = unsafe { libc::CMSG_NXTHDR(&raw const msg, cmsg) };
    }
    Some(None)
}

/// The address in the `room` bytes at `p` (a sockaddr_in or sockaddr_in6).
///
/// # Safety
/// `p` points at `room` readable bytes.
unsafe fn offender_of(p: *const u8, room: usize) -> Option<std::net::IpAddr> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    if room < std::mem::size_of::<libc::sa_family_t>() {
        return None;
    }
    // SAFETY: at least a family's bytes are there (checked above).
    let family = unsafe { std::ptr::read_unaligned(p.cast::<libc::sa_family_t>()) };
    match i32::from(family) {
        libc::AF_INET if room >= std::mem::size_of::<libc::sockaddr_in>() => {
            // SAFETY: a whole sockaddr_in is there (checked).
            let a: libc::sockaddr_in = unsafe { std::ptr::read_unaligned(p.cast()) };
            Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr))))
        }
        libc::AF_INET6 if room >= std::mem::size_of::<libc::sockaddr_in6>() => {
            // SAFETY: a whole sockaddr_in6 is there (checked).
            let a: libc::sockaddr_in6 = unsafe { std::ptr::read_unaligned(p.cast()) };
            Some(IpAddr::V6(Ipv6Addr::from(a.sin6_addr.s6_addr)))
        }
        _ => None,
    }
}

/// Whether an ICMP type and code say "administratively prohibited":
/// ICMP destination unreachable codes 9, 10 and 13 (communication with the
/// network or host, or any communication, administratively prohibited), or
/// ICMPv6 destination unreachable code 1 (and 5, 6: policy, reject route).
pub fn icmp_prohibited((kind, code, v6): (u8, u8, bool)) -> bool {
    if v6 {
        kind == 1 && matches!(code, 1 | 5 | 6)
    } else {
        kind == 3 && matches!(code, 9 | 10 | 13)
    }
}

/// A socket registered with tokio's reactor for `interest` (readiness of
/// any kind, errors included, with `Interest::ERROR`).
pub fn async_socket(
    s: socket2::Socket,
    interest: tokio::io::Interest,
) -> std::io::Result<tokio::io::unix::AsyncFd<socket2::Socket>> {
    // SAFETY: a socket2::Socket owns its descriptor: it stays open, and
    // as_raw_fd() returns the same one, until the Socket is dropped, which
    // only the AsyncFd that now owns it can do.
    unsafe { tokio::io::unix::AsyncFd::register_with_interest(s, interest) }.map_err(|e| e.into())
}

/// Sets the don't-fragment bit on a socket's datagrams whatever the path
/// MTU the kernel has cached (`IP_PMTUDISC_PROBE`), so a probe of a given
/// size goes out as it is and a router's "fragmentation needed" (or
/// "packet too big") comes back to the error queue with the MTU in it.
pub fn set_pmtu_probe(fd: RawFd, v6: bool) -> std::io::Result<()> {
    let (level, name, value) = if v6 {
        (
            libc::IPPROTO_IPV6,
            libc::IPV6_MTU_DISCOVER,
            libc::IPV6_PMTUDISC_PROBE,
        )
    } else {
        (
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_PROBE,
        )
    };
    // SAFETY: a valid descriptor and a c_int option of the right size.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const value).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The MTU of a connected socket's route (`IP_MTU`, `IPV6_MTU`).
pub fn route_mtu(fd: RawFd, v6: bool) -> Option<u32> {
    let (level, name) = if v6 {
        (libc::IPPROTO_IPV6, libc::IPV6_MTU)
    } else {
        (libc::IPPROTO_IP, libc::IP_MTU)
    };
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: a valid descriptor, and a c_int buffer with its size.
    let r = unsafe { libc::getsockopt(fd, level, name, (&raw mut value).cast(), &raw mut len) };
    (r == 0).then(|| u32::try_from(value).ok()).flatten()
}
