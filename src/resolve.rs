//! The system's resolver (NSS: /etc/hosts, DNS, ...), through glibc:
//! gethostname, getaddrinfo with every knob, gethostbyname_ex,
//! gethostbyaddr, and Python's getfqdn on top of them.

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use serde::Serialize;

use crate::error::{ErrorInfo, NetkitError, Result};
use crate::exit::Exit;

/// This host's name (gethostname).
pub fn hostname() -> Result<String> {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its length.
    if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
        return Err(NetkitError::System {
            call: "gethostname",
            source: std::io::Error::last_os_error(),
        });
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// A getaddrinfo failure, with its EAI code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaiError {
    /// The EAI_* code.
    pub code: i32,
    /// gai_strerror's text.
    pub message: String,
}

impl GaiError {
    fn new(code: i32) -> Self {
        let message = if code == libc::EAI_SYSTEM {
            std::io::Error::last_os_error().to_string()
        } else {
            // SAFETY: gai_strerror returns a static string for any code.
            unsafe { CStr::from_ptr(libc::gai_strerror(code)) }
                .to_string_lossy()
                .into_owned()
        };
        GaiError { code, message }
    }

    /// The EAI_* name.
    pub fn name(&self) -> &'static str {
        match self.code {
            libc::EAI_NONAME => "EAI_NONAME",
            libc::EAI_AGAIN => "EAI_AGAIN",
            libc::EAI_FAIL => "EAI_FAIL",
            libc::EAI_SERVICE => "EAI_SERVICE",
            libc::EAI_BADFLAGS => "EAI_BADFLAGS",
            libc::EAI_FAMILY => "EAI_FAMILY",
            libc::EAI_SOCKTYPE => "EAI_SOCKTYPE",
            libc::EAI_MEMORY => "EAI_MEMORY",
            libc::EAI_SYSTEM => "EAI_SYSTEM",
            -5 => "EAI_NODATA",
            -9 => "EAI_ADDRFAMILY",
            _ => "EAI_OTHER",
        }
    }

    /// NONAME/NODATA are a "no" (1); AGAIN/FAIL a resolution failure (3);
    /// bad service or flags a usage error (2); the rest local (6).
    pub fn exit(&self) -> Exit {
        match self.code {
            libc::EAI_NONAME | -5 | -9 => Exit::Negative,
            libc::EAI_AGAIN | libc::EAI_FAIL => Exit::Resolve,
            libc::EAI_SERVICE | libc::EAI_BADFLAGS | libc::EAI_FAMILY | libc::EAI_SOCKTYPE => {
                Exit::Usage
            }
            _ => Exit::Local,
        }
    }

    /// As an in-band JSON error.
    pub fn info(&self) -> ErrorInfo {
        let code = match self.code {
            libc::EAI_NONAME | -5 => "not_found",
            libc::EAI_AGAIN => "temporary_failure",
            libc::EAI_FAIL => "failure",
            libc::EAI_SERVICE => "bad_service",
            _ => "error",
        };
        ErrorInfo {
            code,
            message: format!("{} ({})", self.message, self.name()),
        }
    }
}

/// getaddrinfo's hints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AiHints {
    /// AF_UNSPEC, AF_INET or AF_INET6.
    pub family: i32,
    /// 0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW.
    pub socktype: i32,
    /// 0, IPPROTO_TCP, IPPROTO_UDP.
    pub protocol: i32,
    /// AI_* flags.
    pub flags: i32,
}

/// One getaddrinfo result, in Python's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddrInfo {
    /// AF_INET / AF_INET6.
    pub family: &'static str,
    /// SOCK_STREAM / SOCK_DGRAM / SOCK_RAW.
    pub socktype: &'static str,
    /// IPPROTO_TCP / IPPROTO_UDP / ...
    pub protocol: &'static str,
    /// The canonical name (AI_CANONNAME, first result only), else "".
    pub canonname: String,
    /// The address, as Python shows it (no zone: that is `scope_id`).
    pub address: String,
    /// The interface a scoped IPv6 address belongs to, by name.
    pub scope: Option<String>,
    /// The port.
    pub port: u16,
    /// IPv6 flow info.
    pub flowinfo: Option<u32>,
    /// IPv6 scope id.
    pub scope_id: Option<u32>,
    /// Python's sockaddr tuple, `('192.0.2.1', 80)` / `('fe80::1%lo', 80, 0, 1)`.
    pub sockaddr: String,
}

fn const_name(table: &[(i32, &'static str)], v: i32) -> &'static str {
    table.iter().find(|(k, _)| *k == v).map_or("?", |(_, n)| n)
}

fn family_name(f: i32) -> &'static str {
    const_name(
        &[
            (libc::AF_INET, "AF_INET"),
            (libc::AF_INET6, "AF_INET6"),
            (libc::AF_UNIX, "AF_UNIX"),
        ],
        f,
    )
}

fn socktype_name(t: i32) -> &'static str {
    const_name(
        &[
            (libc::SOCK_STREAM, "SOCK_STREAM"),
            (libc::SOCK_DGRAM, "SOCK_DGRAM"),
            (libc::SOCK_RAW, "SOCK_RAW"),
            (0, "0"),
        ],
        t,
    )
}

fn proto_name(p: i32) -> &'static str {
    match p {
        0 => "0",
        n => crate::proto::ipproto_constant(n as u32).unwrap_or("?"),
    }
}

/// Reads a sockaddr written by the C library.
///
/// # Safety
/// `sa` points to a valid sockaddr of its family's size.
unsafe fn socket_addr(sa: *const libc::sockaddr) -> Option<SocketAddr> {
    // SAFETY: per the caller.
    match i32::from(unsafe { (*sa).sa_family }) {
        libc::AF_INET => {
            // SAFETY: the family says sockaddr_in.
            let sin = unsafe { &*(sa as *const libc::sockaddr_in) };
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
            let s6 = unsafe { &*(sa as *const libc::sockaddr_in6) };
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

fn cstring(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| NetkitError::invalid(format!("{what} contains a NUL byte")))
}

/// getaddrinfo(host, service, hints). `Err` carries the EAI code.
pub fn getaddrinfo(
    host: Option<&str>,
    service: Option<&str>,
    hints: AiHints,
) -> Result<std::result::Result<Vec<AddrInfo>, GaiError>> {
    let host_c = host.map(|h| cstring("host", h)).transpose()?;
    let serv_c = service.map(|s| cstring("service", s)).transpose()?;
    // SAFETY: addrinfo is plain data; all zero is a valid hints value.
    let mut h: libc::addrinfo = unsafe { std::mem::zeroed() };
    h.ai_family = hints.family;
    h.ai_socktype = hints.socktype;
    h.ai_protocol = hints.protocol;
    h.ai_flags = hints.flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid C strings or null, valid hints, and an out pointer.
    let rc = unsafe {
        libc::getaddrinfo(
            host_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            serv_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            &h,
            &mut res,
        )
    };
    if rc != 0 {
        return Ok(Err(GaiError::new(rc)));
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getaddrinfo returned.
        let ai = unsafe { &*cur };
        cur = ai.ai_next;
        // SAFETY: ai_addr points to a sockaddr of ai_family.
        let Some(sa) = (unsafe { socket_addr(ai.ai_addr) }) else {
            continue;
        };
        let canonname = if ai.ai_canonname.is_null() {
            String::new()
        } else {
            // SAFETY: a NUL-terminated string owned by the list.
            unsafe { CStr::from_ptr(ai.ai_canonname) }
                .to_string_lossy()
                .into_owned()
        };
        out.push(addr_info(
            ai.ai_family,
            ai.ai_socktype,
            ai.ai_protocol,
            canonname,
            sa,
        ));
    }
    // SAFETY: res came from getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(Ok(out))
}

fn addr_info(
    family: i32,
    socktype: i32,
    protocol: i32,
    canonname: String,
    sa: SocketAddr,
) -> AddrInfo {
    match sa {
        SocketAddr::V4(v4) => AddrInfo {
            family: family_name(family),
            socktype: socktype_name(socktype),
            protocol: proto_name(protocol),
            canonname,
            address: v4.ip().to_string(),
            scope: None,
            port: v4.port(),
            flowinfo: None,
            scope_id: None,
            sockaddr: format!("('{}', {})", v4.ip(), v4.port()),
        },
        SocketAddr::V6(v6) => {
            let scope = match v6.scope_id() {
                0 => None,
                id => Some(crate::iface::name_of(id).unwrap_or_else(|| id.to_string())),
            };
            AddrInfo {
                family: family_name(family),
                socktype: socktype_name(socktype),
                protocol: proto_name(protocol),
                canonname,
                sockaddr: format!(
                    "('{}', {}, {}, {})",
                    v6.ip(),
                    v6.port(),
                    v6.flowinfo(),
                    v6.scope_id()
                ),
                address: v6.ip().to_string(),
                scope,
                port: v6.port(),
                flowinfo: Some(v6.flowinfo()),
                scope_id: Some(v6.scope_id()),
            }
        }
    }
}

/// The addresses a host name resolves to for TCP (getaddrinfo with
/// SOCK_STREAM), each once, in the resolver's order.
pub fn stream_addresses(
    host: &str,
    family: i32,
) -> Result<std::result::Result<Vec<IpAddr>, GaiError>> {
    let hints = AiHints {
        family,
        socktype: libc::SOCK_STREAM,
        ..AiHints::default()
    };
    Ok(getaddrinfo(Some(host), None, hints)?.map(|list| {
        let mut ips: Vec<IpAddr> = Vec::new();
        for ip in list.iter().filter_map(|a| a.address.parse::<IpAddr>().ok()) {
            if !ips.contains(&ip) {
                ips.push(ip);
            }
        }
        ips
    }))
}

/// A host entry: gethostbyname_ex / gethostbyaddr's triple.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostEntry {
    /// The primary name.
    pub hostname: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Addresses.
    pub addresses: Vec<String>,
}

/// An NSS host look-up failure (h_errno).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// h_errno: 1 HOST_NOT_FOUND, 2 TRY_AGAIN, 3 NO_RECOVERY, 4 NO_DATA.
    pub code: i32,
}

impl HostError {
    /// The h_errno name.
    pub fn name(&self) -> &'static str {
        match self.code {
            1 => "HOST_NOT_FOUND",
            2 => "TRY_AGAIN",
            3 => "NO_RECOVERY",
            4 => "NO_DATA",
            _ => "NETDB_INTERNAL",
        }
    }

    /// A "no" (1) or a failure (3).
    pub fn exit(&self) -> Exit {
        match self.code {
            1 | 4 => Exit::Negative,
            _ => Exit::Resolve,
        }
    }

    /// As an in-band JSON error.
    pub fn info(&self) -> ErrorInfo {
        let (code, text) = match self.code {
            1 => ("not_found", "Unknown host"),
            2 => ("temporary_failure", "Host name lookup failure"),
            3 => ("failure", "Unknown server error"),
            4 => ("no_data", "No address associated with name"),
            _ => ("error", "Resolver internal error"),
        };
        ErrorInfo {
            code,
            message: format!("{text} ({})", self.name()),
        }
    }
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

/// Reads a hostent, growing the buffer on ERANGE.
fn with_hostent(
    mut call: impl FnMut(
        *mut libc::hostent,
        *mut libc::c_char,
        usize,
        *mut *mut libc::hostent,
        *mut libc::c_int,
    ) -> libc::c_int,
) -> std::result::Result<HostEntry, HostError> {
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
            return Err(HostError {
                code: if herr == 0 { 1 } else { herr },
            });
        }
        // SAFETY: result points to `he`, filled by the call, whose pointers
        // point into `buf`, alive here.
        return Ok(unsafe { read_hostent(&he) });
    }
}

/// # Safety
/// `he` was filled by a successful gethostby*_r call whose buffer is alive.
unsafe fn read_hostent(he: &libc::hostent) -> HostEntry {
    // SAFETY: h_name is a NUL-terminated string in the buffer.
    let hostname = unsafe { CStr::from_ptr(he.h_name) }
        .to_string_lossy()
        .into_owned();
    let mut aliases = Vec::new();
    let mut p = he.h_aliases;
    // SAFETY: h_aliases is a NULL-terminated array of C strings.
    while !p.is_null() && !unsafe { *p }.is_null() {
        aliases.push(unsafe { CStr::from_ptr(*p) }.to_string_lossy().into_owned());
        p = unsafe { p.add(1) };
    }
    let mut addresses = Vec::new();
    let mut a = he.h_addr_list;
    // SAFETY: h_addr_list is a NULL-terminated array of h_length-byte addresses.
    while !a.is_null() && !unsafe { *a }.is_null() {
        let bytes = unsafe { std::slice::from_raw_parts(*a as *const u8, he.h_length as usize) };
        let ip: Option<IpAddr> = match bytes.len() {
            4 => Some(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).into()),
            16 => <[u8; 16]>::try_from(bytes)
                .ok()
                .map(|b| Ipv6Addr::from(b).into()),
            _ => None,
        };
        addresses.extend(ip.map(|ip| ip.to_string()));
        a = unsafe { a.add(1) };
    }
    HostEntry {
        hostname,
        aliases,
        addresses,
    }
}

/// gethostbyname_ex, as Python's: IPv4 through NSS (`af` AF_INET), or
/// IPv6 (`af` AF_INET6).
pub fn gethostbyname_ex(name: &str, af: i32) -> Result<std::result::Result<HostEntry, HostError>> {
    let c = cstring("name", name)?;
    Ok(with_hostent(|he, buf, len, result, herr| {
        // SAFETY: all pointers are valid for the call.
        unsafe { gethostbyname2_r(c.as_ptr(), af, he, buf, len, result, herr) }
    }))
}

/// gethostbyaddr: the names of an address.
pub fn gethostbyaddr(ip: IpAddr) -> std::result::Result<HostEntry, HostError> {
    let (bytes, af): (Vec<u8>, i32) = match ip {
        IpAddr::V4(v4) => (v4.octets().to_vec(), libc::AF_INET),
        IpAddr::V6(v6) => (v6.octets().to_vec(), libc::AF_INET6),
    };
    with_hostent(|he, buf, len, result, herr| {
        // SAFETY: bytes holds an address of the family's length.
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

/// Python's `socket.gethostbyaddr(name)`: the name is first resolved (or
/// parsed) to one address, then looked up.
pub fn gethostbyaddr_of(name: &str) -> Result<std::result::Result<HostEntry, String>> {
    let ip = match name.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) => match getaddrinfo(Some(name), None, AiHints::default())? {
            Ok(list) => match list.first().and_then(|a| {
                a.address
                    .split('%')
                    .next()
                    .and_then(|s| s.parse::<IpAddr>().ok())
            }) {
                Some(ip) => ip,
                None => return Ok(Err("no address".into())),
            },
            Err(e) => return Ok(Err(e.message)),
        },
    };
    Ok(gethostbyaddr(ip).map_err(|e| e.info().message))
}

/// Python's `socket.getfqdn(name)`: the first of gethostbyaddr's hostname
/// and aliases that contains a dot, else the hostname, else the input.
pub fn getfqdn(name: &str) -> Result<String> {
    let mut name = name.trim().to_string();
    if name.is_empty() || name == "0.0.0.0" || name == "::" {
        name = hostname()?;
    }
    match gethostbyaddr_of(&name)? {
        Err(_) => Ok(name),
        Ok(entry) => {
            let mut all = vec![entry.hostname.clone()];
            all.extend(entry.aliases);
            Ok(all
                .into_iter()
                .find(|n| n.contains('.'))
                .unwrap_or(entry.hostname))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_getaddrinfo_needs_no_resolver() {
        let hints = AiHints {
            flags: libc::AI_NUMERICHOST | libc::AI_NUMERICSERV,
            socktype: libc::SOCK_STREAM,
            ..AiHints::default()
        };
        let r = getaddrinfo(Some("0xc000027b"), Some("80"), hints)
            .unwrap()
            .unwrap();
        assert_eq!(r[0].sockaddr, "('192.0.2.123', 80)");
        assert_eq!(
            (r[0].family, r[0].socktype, r[0].protocol),
            ("AF_INET", "SOCK_STREAM", "IPPROTO_TCP")
        );
        let r = getaddrinfo(Some("::ffff:192.0.2.128"), Some("443"), hints)
            .unwrap()
            .unwrap();
        assert_eq!(r[0].sockaddr, "('::ffff:192.0.2.128', 443, 0, 0)");
        let e = getaddrinfo(Some("10.0.0.256"), Some("80"), hints)
            .unwrap()
            .unwrap_err();
        assert_eq!((e.name(), e.exit()), ("EAI_NONAME", Exit::Negative));
        let e = getaddrinfo(
            Some("127.0.0.1"),
            Some("nosuchservice"),
            AiHints {
                flags: libc::AI_NUMERICHOST,
                ..AiHints::default()
            },
        )
        .unwrap()
        .unwrap_err();
        assert_eq!((e.name(), e.exit()), ("EAI_SERVICE", Exit::Usage));
        assert!(getaddrinfo(Some("a\0b"), None, hints).is_err());
    }

    #[test]
    fn this_host_has_a_name() {
        assert!(!hostname().unwrap().is_empty());
    }
}
