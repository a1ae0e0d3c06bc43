//! Host/network byte-order conversions: `htons`, `htonl`, `ntohs`, `ntohl`
//! and their 64-bit siblings, range-checked and shown in both orders.

use serde::Serialize;

use crate::addr::hex;
use crate::error::{NetkitError, Result};

/// One of the conversion functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ByteOrderFn {
    /// Host to network, 16 bits.
    Htons,
    /// Host to network, 32 bits.
    Htonl,
    /// Host to network, 64 bits.
    Htonll,
    /// Network to host, 16 bits.
    Ntohs,
    /// Network to host, 32 bits.
    Ntohl,
    /// Network to host, 64 bits.
    Ntohll,
}

impl ByteOrderFn {
    /// The C name of the function.
    pub fn name(self) -> &'static str {
        match self {
            ByteOrderFn::Htons => "htons",
            ByteOrderFn::Htonl => "htonl",
            ByteOrderFn::Htonll => "htonll",
            ByteOrderFn::Ntohs => "ntohs",
            ByteOrderFn::Ntohl => "ntohl",
            ByteOrderFn::Ntohll => "ntohll",
        }
    }

    /// The width in bits.
    pub fn bits(self) -> u32 {
        match self {
            ByteOrderFn::Htons | ByteOrderFn::Ntohs => 16,
            ByteOrderFn::Htonl | ByteOrderFn::Ntohl => 32,
            ByteOrderFn::Htonll | ByteOrderFn::Ntohll => 64,
        }
    }

    /// Applies the function. hton and ntoh are the same swap (or the same
    /// no-op on a big-endian host), so each is its own inverse.
    pub fn apply(self, value: u64) -> u64 {
        match self.bits() {
            16 => u64::from((value as u16).to_be()),
            32 => u64::from((value as u32).to_be()),
            _ => value.to_be(),
        }
    }
}

/// The result of one conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ByteOrderReport {
    /// Always true: a bad value is a usage error.
    pub ok: bool,
    /// htons, htonl, htonll, ntohs, ntohl or ntohll.
    pub function: ByteOrderFn,
    /// 16, 32 or 64.
    pub bits: u32,
    /// The value given (a decimal string: 64-bit values pass 2^53).
    #[serde(serialize_with = "crate::output::json::u64_string")]
    #[schemars(with = "String")]
    pub input: u64,
    /// The value returned, as an integer on this host (a decimal string).
    #[serde(serialize_with = "crate::output::json::u64_string")]
    #[schemars(with = "String")]
    pub result: u64,
    /// The input in hex, zero-padded to the width.
    pub input_hex: String,
    /// The result in hex, zero-padded to the width.
    pub result_hex: String,
    /// This host's byte order: `little` or `big`.
    pub host_order: Endian,
    /// The input's bytes as they lie in this host's memory.
    pub host_bytes: String,
    /// The input's bytes in network (big-endian) order.
    pub network_bytes: String,
}

impl crate::output::Report for ByteOrderReport {
    const TYPE: &'static str = "byte_order";
}

/// The byte order of this host.
pub fn host_order() -> Endian {
    if cfg!(target_endian = "little") {
        Endian::Little
    } else {
        Endian::Big
    }
}

words! {
    /// A byte order.
    pub enum Endian {
        /// Least significant byte first (x86, most ARM).
        Little = "little",
        /// Most significant byte first (network order).
        Big = "big",
    }
}

/// Parses a decimal or `0x` hex value and converts it, range-checked.
pub fn convert(function: ByteOrderFn, text: &str) -> Result<ByteOrderReport> {
    let value = parse_unsigned(text)?;
    let bits = function.bits();
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if value > max {
        return Err(NetkitError::invalid(format!(
            "{}({}): value out of range for {bits} bits (0-{max})",
            function.name(),
            crate::sanitize::brief(text, 64)
        )));
    }
    let width = (bits / 8) as usize;
    let be = value.to_be_bytes();
    let ne = value.to_ne_bytes();
    let network = &be[8 - width..];
    let host = if cfg!(target_endian = "little") {
        &ne[..width]
    } else {
        &ne[8 - width..]
    };
    let result = function.apply(value);
    Ok(ByteOrderReport {
        ok: true,
        function,
        bits,
        input: value,
        result,
        input_hex: format!("0x{value:0w$x}", w = width * 2),
        result_hex: format!("0x{result:0w$x}", w = width * 2),
        host_order: host_order(),
        host_bytes: hex(host),
        network_bytes: hex(network),
    })
}

fn parse_unsigned(text: &str) -> Result<u64> {
    let t = text.trim();
    let bad = |why: &str| {
        NetkitError::invalid(format!(
            "invalid integer '{}': {why}",
            crate::sanitize::brief(text, 64)
        ))
    };
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (t, 10),
    };
    if digits.is_empty() {
        return Err(bad("no digits"));
    }
    if t.starts_with('-') {
        return Err(bad("must not be negative"));
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(bad(if radix == 16 {
            "not a hex number"
        } else {
            "not a decimal number (use 0x for hex)"
        }));
    }
    u64::from_str_radix(digits, radix).map_err(|_| bad("larger than 64 bits"))
}

impl crate::output::Render for ByteOrderReport {
    fn render(&self, w: &mut dyn std::io::Write, _: &crate::output::View) -> std::io::Result<()> {
        use colored::Colorize;
        let spaced = |hex: &str| {
            hex.as_bytes()
                .chunks(2)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        writeln!(
            w,
            "{}({}) = {}",
            self.function.name(),
            self.input,
            self.result.to_string().bold()
        )?;
        writeln!(
            w,
            "  {} -> {}   bytes in memory: host ({}-endian) {}, network {}",
            self.input_hex,
            self.result_hex,
            self.host_order,
            spaced(&self.host_bytes),
            spaced(&self.network_bytes)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples_on_this_host() {
        let swap = cfg!(target_endian = "little");
        let expect = |little: u64, big: u64| if swap { little } else { big };
        assert_eq!(
            convert(ByteOrderFn::Htons, "1").unwrap().result,
            expect(256, 1)
        );
        assert_eq!(
            convert(ByteOrderFn::Htonl, "1").unwrap().result,
            expect(16_777_216, 1)
        );
        assert_eq!(
            convert(ByteOrderFn::Ntohs, "256").unwrap().result,
            expect(1, 256)
        );
        assert_eq!(
            convert(ByteOrderFn::Ntohl, "16777216").unwrap().result,
            expect(1, 16_777_216)
        );
        assert_eq!(
            convert(ByteOrderFn::Htonll, "1").unwrap().result,
            expect(1 << 56, 1)
        );
        let r = convert(ByteOrderFn::Htons, "0x1234").unwrap();
        assert_eq!(r.network_bytes, "1234");
        assert_eq!(r.input_hex, "0x1234");
    }

    #[test]
    fn range_checks() {
        assert!(convert(ByteOrderFn::Htons, "65535").is_ok());
        assert!(convert(ByteOrderFn::Htons, "65536").is_err());
        assert!(convert(ByteOrderFn::Ntohl, "4294967296").is_err());
        assert!(convert(ByteOrderFn::Htonll, "18446744073709551615").is_ok());
        assert!(convert(ByteOrderFn::Htonll, "18446744073709551616").is_err());
        for bad in ["", "-1", "0x", "12a", "0xfg", "1.5", "+3"] {
            assert!(convert(ByteOrderFn::Htonl, bad).is_err(), "{bad:?}");
        }
    }
}
