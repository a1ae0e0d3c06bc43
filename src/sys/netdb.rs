//! The C library's resolver calls, which no crate offers with every hint:
//! getaddrinfo, gethostbyname2_r and gethostbyaddr_r. They go through NSS
//! (/etc/hosts, DNS, nss-resolve, sss...), which is why netkit keeps glibc
//! dynamic: `addrinfo` and `lookup --system` must answer exactly as the
//! system's own calls do.

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// One getaddrinfo result, as the C library gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAddrInfo {
    /// ai_family.
    pub family: i32,
    /// ai_socktype.
    pub socktype: i32,
    /// ai_protocol.
    pub protocol: i32,
    /// ai_canonname, when set.
    pub canonname: Option<String>,
    /// ai_addr.
    pub addr: SocketAddr,
}

/// A getaddrinfo failure: the EAI code, and errno for EAI_SYSTEM.
#[derive(Debug)]
pub struct GaiFailure {
    /// EAI_*.
    pub code: i32,
    /// The OS error behind EAI_SYSTEM.
    pub os: Option<std::io::Error>,
}

/// The C library's text for an EAI code.
pub fn gai_strerror(code: i32) -> String {
    // SAFETY: gai_strerror returns a pointer to a static, NUL-terminated
    // string for any code.
    unsafe { CStr::from_ptr(libc::gai_strerror(code)) }
        .to_string_lossy()
        .into_owned()
}

/// Reads a sockaddr written by the C library.
///
/// # Safety
/// `sa` is null or points to a valid sockaddr of its family's size.
unsafe fn socket_addr(sa: *const libc::sockaddr) -> Option<SocketAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: non-null and valid per the caller.
    match i32::from(unsafe { (*sa).sa_family }) {
        libc::AF_INET => {
            // SAFETY: the family says sockaddr_in.
            let sin = unsafe { &*sa.cast::<libc::sockaddr_in>() };
            Some(
                SocketAddrV4::new(
                    Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)),
                    u16::from_be(sin.sin_port),
                )
                .into(),
            )
        }
        libc::AF_INET6 => {
            // SAFETY: the family says sockaddr_in6.
            let s6 = unsafe { &*sa.cast::<libc::sockaddr_in6>() };
            Some(
                SocketAddrV6::new(
                    Ipv6Addr::from(s6.sin6_addr.s6_addr),
                    u16::from_be(s6.sin6_port),
                    u32::from_be(s6.sin6_flowinfo),
                    s6.sin6_scope_id,
                )
                .into(),
            )
        }
        _ => None,
    }
}

/// getaddrinfo(host, service, hints).
pub fn getaddrinfo(
    host: Option<&CString>,
    service: Option<&CString>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
) -> Result<Vec<RawAddrInfo>, GaiFailure> {
    // SAFETY: addrinfo is plain data; all zero is a valid hints value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid C strings or null, valid hints, and an out pointer.
    let rc = unsafe {
        libc::getaddrinfo(
            host.map_or(std::ptr::null(), |c| c.as_ptr()),
            service.map_or(std::ptr::null(), |c| c.as_ptr()),
            &hints,
            &mut res,
        )
    };
    if rc != 0 {
        let os = (rc == libc::EAI_SYSTEM).then(std::io::Error::last_os_error);
        return Err(GaiFailure { code: rc, os });
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getaddrinfo returned, alive
        // until freeaddrinfo below.
        let ai = unsafe { &*cur };
        cur = ai.ai_next;
        // SAFETY: ai_addr points to a sockaddr of ai_family (or is null).
        let Some(addr) = (unsafe { socket_addr(ai.ai_addr) }) else {
            continue;
        };
        let canonname = (!ai.ai_canonname.is_null()).then(|| {
            // SAFETY: a NUL-terminated string owned by the list.
            unsafe { CStr::from_ptr(ai.ai_canonname) }
                .to_string_lossy()
                .into_owned()
        });
        out.push(RawAddrInfo {
            family: ai.ai_family,
            socktype: ai.ai_socktype,
            protocol: ai.ai_protocol,
            canonname,
            addr,
        });
    }
    // SAFETY: res came from a successful getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

/// A host entry as gethostbyname2_r / gethostbyaddr_r fill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHostEnt {
    /// h_name.
    pub hostname: String,
    /// h_aliases.
    pub aliases: Vec<String>,
    /// h_addr_list.
    pub addresses: Vec<IpAddr>,
}

unsafe extern "C" {
    fn gethostbyname2_r(
        name: *const libc::c_char,
        af: libc::c_int,
        ret: *mut libc::hostent,
        buf: *mut libc::c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::hostent,
        h_errnop: *mut libc::c_int,
    ) -> libc::c_int;
    fn gethostbyaddr_r(
        addr: *const libc::c_void,
        len: libc::socklen_t,
        af: libc::c_int,
        ret: *mut libc::hostent,
        buf: *mut libc::c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::hostent,
        h_errnop: *mut libc::c_int,
    ) -> libc::c_int;
}

type HostentCall<'a> = &'a mut dyn FnMut(
    *mut libc::hostent,
    *mut libc::c_char,
    usize,
    *mut *mut libc::hostent,
    *mut libc::c_int,
) -> libc::c_int;

/// Calls a gethostby*_r function, growing the buffer on ERANGE (to 1 MiB).
/// `Err` carries h_errno.
fn with_hostent(call: HostentCall<'_>) -> Result<RawHostEnt, i32> {
    let mut size = 16 * 1024;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: hostent is plain data; all zero is valid.
        let mut he: libc::hostent = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::hostent = std::ptr::null_mut();
        let mut herr: libc::c_int = 0;
        let rc = call(&mut he, buf.as_mut_ptr(), size, &mut result, &mut herr);
        if rc == libc::ERANGE && size < 1 << 20 {
            size *= 4;
            continue;
        }
        if rc != 0 || result.is_null() {
            return Err(if herr == 0 { 1 } else { herr });
        }
        // SAFETY: the call succeeded: `he` points into `buf`, alive here.
        return Ok(unsafe { read_hostent(&he) });
    }
}

/// # Safety
/// `he` was filled by a successful gethostby*_r call whose buffer is alive.
unsafe fn read_hostent(he: &libc::hostent) -> RawHostEnt {
    // SAFETY: h_name is a NUL-terminated string in the buffer.
    let hostname = unsafe { CStr::from_ptr(he.h_name) }
        .to_string_lossy()
        .into_owned();
    let mut aliases = Vec::new();
    let mut p = he.h_aliases;
    // SAFETY: h_aliases is a NULL-terminated array of C strings.
    while !p.is_null() && !unsafe { *p }.is_null() {
        // SAFETY: each element before the NULL is a valid C string.
        aliases.push(unsafe { CStr::from_ptr(*p) }.to_string_lossy().into_owned());
        // SAFETY: still inside the NULL-terminated array.
        p = unsafe { p.add(1) };
    }
    let mut addresses = Vec::new();
    let mut a = he.h_addr_list;
    let len = usize::try_from(he.h_length).unwrap_or(0);
    // SAFETY: h_addr_list is a NULL-terminated array of h_length-byte
    // addresses.
    while !a.is_null() && !unsafe { *a }.is_null() {
        // SAFETY: each element points to h_length bytes.
        let bytes = unsafe { std::slice::from_raw_parts((*a).cast::<u8>(), len) };
        match bytes.len() {
            4 => addresses.push(IpAddr::from([bytes[0], bytes[1], bytes[2], bytes[3]])),
            16 => {
                if let Ok(b) = <[u8; 16]>::try_from(bytes) {
                    addresses.push(IpAddr::from(b));
                }
            }
            _ => {}
        }
        // SAFETY: still inside the NULL-terminated array.
        a = unsafe { a.add(1) };
    }
    RawHostEnt {
        hostname,
        aliases,
        addresses,
    }
}

/// gethostbyname2_r(name, af). `Err` carries h_errno.
pub fn gethostbyname2(name: &CString, af: i32) -> Result<RawHostEnt, i32> {
    with_hostent(&mut |he, buf, len, result, herr| {
        // SAFETY: every pointer is valid for the call; `buf` has `len` bytes.
        unsafe { gethostbyname2_r(name.as_ptr(), af, he, buf, len, result, herr) }
    })
}

/// gethostbyaddr_r(ip). `Err` carries h_errno.
pub fn gethostbyaddr(ip: IpAddr) -> Result<RawHostEnt, i32> {
    let (bytes, af): (Vec<u8>, i32) = match ip {
        IpAddr::V4(v4) => (v4.octets().to_vec(), libc::AF_INET),
        IpAddr::V6(v6) => (v6.octets().to_vec(), libc::AF_INET6),
    };
    with_hostent(&mut |he, buf, len, result, herr| {
        // SAFETY: `bytes` holds an address of the family's length; every
        // other pointer is valid for the call.
        unsafe {
            gethostbyaddr_r(
                bytes.as_ptr().cast(),
                bytes.len() as libc::socklen_t,
                af,
                he,
                buf,
                len,
                result,
                herr,
            )
        }
    })
}
