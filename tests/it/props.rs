//! Property tests: pack/unpack round-trips for all IPv4 and IPv6 addresses,
//! byte-order involutions, and netkit's parsers against glibc's own.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr};

use netkit::api::addr::byteorder::{ByteOrderFn, convert};
use netkit::api::addr::pack::{self as addr, AddrInteger};
use proptest::prelude::*;

// The libc crate does not bind these; glibc exports them.
unsafe extern "C" {
    fn inet_aton(cp: *const libc::c_char, inp: *mut libc::in_addr) -> libc::c_int;
    fn inet_pton(af: libc::c_int, src: *const libc::c_char, dst: *mut libc::c_void) -> libc::c_int;
    fn inet_ntop(
        af: libc::c_int,
        src: *const libc::c_void,
        dst: *mut libc::c_char,
        size: libc::socklen_t,
    ) -> *const libc::c_char;
}

fn glibc_inet_aton(text: &str) -> Option<Ipv4Addr> {
    let c = CString::new(text).ok()?;
    let mut out = libc::in_addr { s_addr: 0 };
    // SAFETY: valid C string and a valid out pointer.
    let ok = unsafe { inet_aton(c.as_ptr(), &mut out) };
    (ok != 0).then(|| Ipv4Addr::from(u32::from_be(out.s_addr)))
}

fn glibc_inet_pton(family: i32, text: &str) -> Option<Vec<u8>> {
    let c = CString::new(text).ok()?;
    let mut buf = [0u8; 16];
    // SAFETY: valid C string; buf holds 16 bytes, enough for either family.
    let ok = unsafe { inet_pton(family, c.as_ptr(), buf.as_mut_ptr().cast()) };
    let len = if family == libc::AF_INET { 4 } else { 16 };
    (ok == 1).then(|| buf[..len].to_vec())
}

fn glibc_inet_ntop6(addr: Ipv6Addr) -> String {
    let octets = addr.octets();
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: 16 input bytes; 64-byte output buffer > INET6_ADDRSTRLEN.
    let p = unsafe { inet_ntop(libc::AF_INET6, octets.as_ptr().cast(), buf.as_mut_ptr(), 64) };
    assert!(!p.is_null());
    // SAFETY: inet_ntop wrote a NUL-terminated string into buf.
    unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

fn ipv4_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,4}(\\.[0-9]{1,4}){0,4}",
        "(0[xX][0-9a-fA-F]{0,9}|0[0-7]{0,12}|[1-9][0-9]{0,10})(\\.(0[xX][0-9a-fA-F]{0,9}|0[0-7]{0,12}|[1-9][0-9]{0,10})){0,4}",
        "[0-9xX.a-f ]{1,20}",
    ]
}

/// IPv6 texts in the shapes people write: padded or not, upper case,
/// a `::` in any place, an embedded dotted quad, and some too long.
fn ipv6_text() -> impl Strategy<Value = String> {
    (
        any::<[u16; 8]>(),
        0usize..9,
        0usize..9,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        7usize..10,
    )
        .prop_map(|(segs, start, len, pad, upper, v4, count)| {
            let mut groups: Vec<String> = segs
                .iter()
                .cycle()
                .take(count)
                .map(|s| {
                    if pad {
                        format!("{s:04x}")
                    } else {
                        format!("{s:x}")
                    }
                })
                .collect();
            if v4 {
                let n = groups.len();
                groups.truncate(n - 2);
                groups.push(format!(
                    "{}.{}.{}.{}",
                    segs[6] >> 8,
                    segs[6] & 0xff,
                    segs[7] >> 8,
                    segs[7] & 0xff
                ));
            }
            let start = start.min(groups.len());
            let end = (start + len).min(groups.len());
            let mut text = if len > 0 {
                format!("{}::{}", groups[..start].join(":"), groups[end..].join(":"))
            } else {
                groups.join(":")
            };
            if upper {
                text = text.to_uppercase();
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn ipv4_round_trips(n in any::<u32>()) {
        let text = Ipv4Addr::from(n).to_string();
        let packed = addr::pack(&text).unwrap();
        prop_assert_eq!(&packed.packed, &format!("{n:08x}"));
        prop_assert_eq!(&packed.integer, &AddrInteger::Number(u64::from(n)));
        let back = addr::unpack_bytes(&packed.packed).unwrap();
        prop_assert_eq!(back.unpacked, text);
    }

    #[test]
    fn ipv6_round_trips(n in any::<u128>()) {
        let a = Ipv6Addr::from(n);
        let packed = addr::pack(&a.to_string()).unwrap();
        prop_assert_eq!(&packed.packed, &format!("{n:032x}"));
        let back = addr::unpack_bytes(&packed.packed).unwrap();
        prop_assert_eq!(&back.unpacked, &a.to_string());
        // The full form parses back to the same address too.
        prop_assert_eq!(addr::pack(packed.full.as_deref().unwrap()).unwrap().packed, packed.packed);
    }

    #[test]
    fn ipv6_text_equals_glibc_inet_ntop(n in any::<u128>(), shape in 0u8..4) {
        // Bias towards zero runs and embedded IPv4, where formatting differs.
        let n = match shape {
            0 => n,
            1 => n & 0xffff_0000_0000_ffff_0000_0000_ffff_ffff,
            2 => (0xffff_u128 << 32) | (n & 0xffff_ffff),
            _ => n & 0x0000_0000_ffff_ffff_0000_0000_0000_ffff,
        };
        let a = Ipv6Addr::from(n);
        let deprecated_compat = a.segments()[..6] == [0; 6] && n > 1;
        if !deprecated_compat {
            prop_assert_eq!(addr::pack(&a.to_string()).unwrap().unpacked, glibc_inet_ntop6(a));
        }
    }

    #[test]
    fn byte_order_is_an_involution(v in any::<u64>()) {
        for (f, g, bits) in [
            (ByteOrderFn::Htons, ByteOrderFn::Ntohs, 16),
            (ByteOrderFn::Htonl, ByteOrderFn::Ntohl, 32),
            (ByteOrderFn::Htonll, ByteOrderFn::Ntohll, 64),
        ] {
            let v = if bits == 64 { v } else { v & ((1u64 << bits) - 1) };
            let there = convert(f, &v.to_string()).unwrap().result;
            prop_assert_eq!(convert(g, &there.to_string()).unwrap().result, v);
            prop_assert_eq!(convert(f, &there.to_string()).unwrap().result, v);
            prop_assert_eq!(convert(g, &v.to_string()).unwrap().result, there);
        }
    }

    #[test]
    fn legacy_parser_equals_glibc_inet_aton(text in ipv4_like()) {
        prop_assert_eq!(addr::inet_aton(&text), glibc_inet_aton(&text), "input {:?}", text);
    }

    #[test]
    fn strict_parser_equals_glibc_inet_pton(text in ipv4_like()) {
        let ours = text.parse::<Ipv4Addr>().ok().map(|a| a.octets().to_vec());
        prop_assert_eq!(ours, glibc_inet_pton(libc::AF_INET, &text), "input {:?}", text);
    }

    #[test]
    fn ipv6_parser_equals_glibc_inet_pton(text in prop_oneof![ipv6_text(), "[0-9a-fA-F:.]{1,45}"]) {
        let ours = text.parse::<Ipv6Addr>().ok().map(|a| a.octets().to_vec());
        prop_assert_eq!(ours, glibc_inet_pton(libc::AF_INET6, &text), "input {:?}", text);
    }

    #[test]
    fn pack_never_panics(text in "\\PC{0,40}") {
        let _ = addr::pack(&text);
        let _ = addr::unpack_bytes(&text);
        let _ = netkit::api::addr::services::ServiceQuery::parse(&text);
        let _ = netkit::api::addr::proto::ProtoQuery::parse(&text);
        let _ = text.parse::<netkit::api::addr::ports::PortSpec>();
        let _ = netkit::api::value::parse_duration(&text);
        let _ = netkit::api::dns::parse_name(&text);
        let _ = netkit::api::dns::server::parse(&text);
        let _ = netkit::api::dns::parse_type(&text);
        let _ = text.parse::<netkit::api::addr::cidr::Cidr>();
        let _ = text.parse::<netkit::api::mcast::McastTarget>();
        let _ = text.parse::<netkit::api::probe::proxy::Proxy>();
        let _ = netkit::api::value::parse_size(&text);
        let _ = netkit::api::addr::parse_host_port(&text);
        let db = netkit::api::addr::services::ServiceDb::parse(
            netkit::api::addr::services::BUILTIN,
            netkit::api::addr::netdb::DbSource::Builtin,
        );
        let _ = netkit::api::probe::scan::parse_target(&text, &db);
        let _ = netkit::api::probe::diagnose::Target::parse(&text);
    }
}
