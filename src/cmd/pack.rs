//! `netkit pack`: addresses to bytes and back, and byte-order conversions.

use std::io::{BufRead, Write};

use colored::Colorize;
use serde::Serialize;

use crate::addr::{self, AddrFamily, PackReport};
use crate::byteorder::{self, ByteOrderFn, ByteOrderReport};
use crate::cli::PackArgs;
use crate::error::{NetkitError, Result};
use crate::exit::Exit;
use crate::output::Printer;
use crate::sanitize::escape;

/// One result of `netkit pack`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PackItem {
    /// An address, packed or unpacked.
    Address(Box<PackReport>),
    /// A byte-order conversion.
    ByteOrder(ByteOrderReport),
}

/// Computes every result; fails on the first bad input, before printing.
pub fn collect(args: &PackArgs, stdin: impl BufRead) -> Result<Vec<PackItem>> {
    let mut items = Vec::new();
    let mut stdin = Some(stdin);
    for a in &args.addrs {
        if a == "-" {
            let reader = stdin
                .take()
                .ok_or_else(|| NetkitError::invalid("'-' (stdin) may be given only once"))?;
            for line in reader.lines() {
                let line = line.map_err(|source| NetkitError::System {
                    call: "reading stdin",
                    source,
                })?;
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                items.push(PackItem::Address(Box::new(addr::pack(t)?)));
            }
        } else {
            items.push(PackItem::Address(Box::new(addr::pack(a)?)));
        }
    }
    for u in &args.unpack {
        items.push(PackItem::Address(Box::new(addr::unpack(u)?)));
    }
    let conversions: [(ByteOrderFn, &Vec<String>); 6] = [
        (ByteOrderFn::Htons, &args.htons),
        (ByteOrderFn::Htonl, &args.htonl),
        (ByteOrderFn::Htonll, &args.htonll),
        (ByteOrderFn::Ntohs, &args.ntohs),
        (ByteOrderFn::Ntohl, &args.ntohl),
        (ByteOrderFn::Ntohll, &args.ntohll),
    ];
    for (function, values) in conversions {
        for v in values {
            items.push(PackItem::ByteOrder(byteorder::convert(function, v)?));
        }
    }
    if items.is_empty() {
        return Err(NetkitError::invalid(
            "nothing to do: give an ADDR, --unpack BYTES or a byte-order flag such as --htons 1",
        ));
    }
    Ok(items)
}

/// Runs `netkit pack`.
pub fn run(args: &PackArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let items = collect(args, std::io::stdin().lock())?;
    let verbose = out.verbose();
    for (i, item) in items.iter().enumerate() {
        if out.is_json() {
            out.json(item)?;
            continue;
        }
        let w = out.human();
        if i > 0 {
            writeln!(w)?;
        }
        match item {
            PackItem::Address(r) => render_address(w, r, verbose)?,
            PackItem::ByteOrder(r) => render_byte_order(w, r)?,
        }
    }
    Ok(Exit::Success)
}

fn render_address(w: &mut dyn Write, r: &PackReport, verbose: u8) -> std::io::Result<()> {
    let packed_bytes = addr::parse_byte_text(&r.packed).unwrap_or_default();
    writeln!(w, "Original: {}", escape(&r.input))?;
    writeln!(
        w,
        "Packed  : {}  {}",
        r.packed.bold(),
        addr::python_bytes_repr(&packed_bytes).dimmed()
    )?;
    writeln!(w, "Unpacked: {}", r.unpacked.green())?;
    let family = match r.family {
        AddrFamily::Ipv4 => "AF_INET (IPv4)",
        AddrFamily::Ipv6 => "AF_INET6 (IPv6)",
        AddrFamily::Mac => "MAC-48 (IEEE 802)",
    };
    writeln!(w, "Family  : {family}")?;
    writeln!(w, "Integer : {}", r.integer)?;
    let mut class = r.classes.join(", ");
    if let Some(scope) = r.multicast_scope {
        class.push_str(&format!(" (scope {scope})"));
    }
    writeln!(w, "Class   : {class}")?;
    if let Some(p) = &r.parsers {
        let verdict = match (p.inet_pton, p.inet_aton) {
            (true, _) => format!("inet_pton and inet_aton ({})", p.aton_form).normal(),
            (false, true) => format!("inet_aton only ({})", p.aton_form).yellow().bold(),
            (false, false) => "neither".red(),
        };
        writeln!(w, "Parsers : {verdict}")?;
    }
    if let Some(full) = &r.full {
        writeln!(w, "Full    : {full}")?;
    }
    if let Some(zone) = &r.zone {
        match r.scope_id {
            Some(id) => writeln!(w, "Zone    : {} (scope id {id})", escape(zone))?,
            None => writeln!(w, "Zone    : {} (unknown interface)", escape(zone))?,
        }
    }
    if let Some(m) = &r.mac {
        writeln!(
            w,
            "Forms   : {}  {}  {}  {}",
            m.colon, m.hyphen, m.dot, m.bare
        )?;
        writeln!(
            w,
            "EUI-64  : {}  (link-local {})",
            m.eui64, m.ipv6_link_local
        )?;
    }
    if let Some(rev) = &r.reverse_name {
        writeln!(w, "Reverse : {rev}")?;
    }
    for note in &r.notes {
        writeln!(w, "{}", format!("Note    : {note}").yellow())?;
    }
    if verbose > 0 && r.family != AddrFamily::Mac {
        writeln!(w, "Global  : {}", r.global.unwrap_or(false))?;
    }
    Ok(())
}

fn render_byte_order(w: &mut dyn Write, r: &ByteOrderReport) -> std::io::Result<()> {
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
        r.function.name(),
        r.input,
        r.result.to_string().bold()
    )?;
    writeln!(
        w,
        "  {} -> {}   bytes in memory: host ({}-endian) {}, network {}",
        r.input_hex,
        r.result_hex,
        r.host_order,
        spaced(&r.host_bytes),
        spaced(&r.network_bytes)
    )
}
