//! `netkit pack`: addresses to bytes and back, and byte-order conversions.

use crate::addr::byteorder::ByteOrderFn;
use crate::addr::pack::{PackItem, PackPlan};
use crate::cli::PackArgs;
use crate::cli::help::{Help, ex, row};
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

/// Runs `netkit pack`.
pub fn run(args: &PackArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let conversions: [(ByteOrderFn, &[String]); 6] = [
        (ByteOrderFn::Htons, &args.htons),
        (ByteOrderFn::Htonl, &args.htonl),
        (ByteOrderFn::Htonll, &args.htonll),
        (ByteOrderFn::Ntohs, &args.ntohs),
        (ByteOrderFn::Ntohl, &args.ntohl),
        (ByteOrderFn::Ntohll, &args.ntohll),
    ];
    let plan = PackPlan::new(&args.addrs, &args.unpack, &conversions)?;
    let mut first = true;
    let invalid = plan.run(std::io::stdin().lock(), stop, &mut |item| {
        if !std::mem::take(&mut first) {
            out.text("\n")?;
        }
        match item {
            PackItem::Address(r) => out.emit(&**r),
            PackItem::ByteOrder(r) => out.emit(r),
            PackItem::Invalid(r) => out.emit(r),
        }
    })?;
    if invalid > 0 {
        return Err(crate::error::NetkitError::invalid(format!(
            "{invalid} line(s) of stdin are not addresses (reported in place above)"
        ))
        .into());
    }
    Ok(Exit::Success)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "The seed's inet_aton example",
            "netkit pack 192.168.1.1 127.0.0.1",
        ),
        ex(
            "An IPv6 address packed and back",
            "netkit pack 2002:ac10:10a:1234:21e:52ff:fe74:40e",
        ),
        ex("A legacy form strict parsers refuse", "netkit pack 0x7f.1"),
        ex(
            "A MAC address in every form",
            "netkit pack 00:11:32:3c:c3:0b",
        ),
        ex(
            "Bytes back to an address",
            "netkit pack --unpack c0a80101 --unpack '\\x7f\\x00\\x00\\x01'",
        ),
        ex(
            "Byte order, as socket.htons(1) shows it",
            "netkit pack --htons 1 --htonl 1",
        ),
        ex(
            "Addresses from a file, as JSON",
            "netkit pack --json - < addrs.txt | jq -r .packed",
        ),
    ],
    exits: &[
        row(0, "every input was packed, unpacked or converted"),
        row(
            2,
            "an input is not an address, bytes or a number in range (a bad line of '-' input is reported in place, then exit 2)",
        ),
    ],
};
