//! `netkit pack`: addresses to bytes and back, and byte-order conversions.

use crate::addr::byteorder::ByteOrderFn;
use crate::addr::pack::{PackItem, PackPlan};
use crate::cli::PackArgs;
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
