//! The modes of `netkit lookup` beside the look-up itself: `--trace`,
//! `--all-ns` and `--system` (NSS).

use std::time::Duration;

use hickory_proto::rr::{Name, RecordType};

use crate::cli::LookupArgs;
use crate::dns::lookup;
use crate::dns::render::NssGroup;
use crate::dns::{self, QueryOpts};
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

use super::MAX_LINE;

/// `--trace`: each step as it is known, then where it ended. From the
/// built-in roots (or `--root-hints`), or, with @SERVER, from the root
/// servers SERVER names (as dig +trace @SERVER primes).
pub(super) fn run_trace(
    given: &[(String, Name)],
    types: &[RecordType],
    servers: &[dns::Server],
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    if servers.len() > 1 {
        return Err(NetkitError::invalid(
            "--trace primes from one @SERVER (the root servers it names start the walk)",
        )
        .into());
    }
    // One type unless asked for more, as dig +trace.
    let types = if args.types.is_empty() {
        &[RecordType::A][..]
    } else {
        types
    };
    let opts = QueryOpts {
        wire: super::request::wire(args),
        recurse: false,
        dnssec: false,
        timeout: args.timeout.unwrap_or(Duration::from_secs(2)),
        retries: args.retries.unwrap_or(1),
    };
    let rt = crate::sys::runtime::current_thread()?;
    let hints = match servers.first() {
        Some(server) => rt
            .block_on(dns::trace::prime(
                server,
                opts,
                dns::trace::default_budget(&opts),
                stop,
            ))
            .map_err(NetkitError::Failed)?,
        None => dns::trace::root_hints(args.root_hints.as_deref())?
            .into_iter()
            .map(|(name, addr)| (name, super::request::plain(args).at(addr)))
            .collect(),
    };
    let mut emit = |e: dns::trace::Event<'_>| match e {
        dns::trace::Event::Step(s) => out.emit(s),
        dns::trace::Event::End(s) => out.summary(s),
    };
    let plan = super::request::dnssec_plan(args)?;
    let walk = dns::trace::TracePlan {
        hints,
        opts,
        budget: dns::trace::default_budget(&opts),
        stop,
        dnssec: plan.as_ref(),
        resolver: servers.first(),
        family: super::request::family(args),
    };
    Ok(rt.block_on(dns::trace::trace_all(given, types, &walk, &mut emit))?)
}

/// `--all-ns`: one report per (name, type).
pub(super) fn run_all_ns(
    given: &[(String, Name)],
    types: &[RecordType],
    servers: &[dns::Server],
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let (via, timeout, retries) = dns::allns::via(servers, super::request::plain(args))?;
    let opts = QueryOpts {
        wire: super::request::wire(args),
        recurse: true,
        dnssec: false,
        timeout: args.timeout.unwrap_or(timeout),
        retries: args.retries.unwrap_or(retries),
    };
    let rt = crate::sys::runtime::current_thread()?;
    Ok(rt.block_on(dns::allns::all_ns_all(
        given,
        types,
        &via,
        opts,
        stop,
        &mut |r| out.emit(r),
    ))?)
}

pub(super) fn run_nss(
    given: &[(String, Name)],
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let mut exit = Exit::Success;
    // Read as asked (a file is not held whole). NSS takes the text as
    // given, as `getent hosts` does, whether or not it spells a DNS name.
    let file = lookup::names_from_file(args.file.as_deref(), false, MAX_LINE)?;
    let names = given.iter().map(|(text, _)| Ok(text.clone()));
    for name in names.chain(file.map(|line| line.map(|(text, _)| text))) {
        if stop.is_set() {
            break;
        }
        let text: String = name?;
        let pair = lookup::nss(
            &text,
            args.timeout.unwrap_or(crate::resolve::SYSTEM_DEADLINE),
        )?;
        exit = exit.max(lookup::nss_exit(&pair));
        out.emit_group(
            &NssGroup {
                pair: &pair,
                short: args.short,
            },
            &pair,
        )?;
    }
    Ok(exit)
}

/// A zone transfer: each record as it comes, then the summary.
pub(super) fn run_xfr(
    given: &[(String, Name)],
    kind: dns::xfr::Kind,
    key: Option<dns::tsig::Key>,
    servers: Vec<dns::Server>,
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let [(_, zone)] = given else {
        return Err(NetkitError::invalid(format!(
            "{} transfers one zone: give one name",
            kind.name()
        ))
        .into());
    };
    let server = match servers.as_slice() {
        [s] => s.clone(),
        [] => {
            // As dig: the first nameserver of resolv.conf.
            let conf = dns::system_config(std::path::Path::new("/etc/resolv.conf"))?;
            let conf = super::request::restrict_conf(conf, args);
            let first = *conf.servers.first().ok_or_else(|| {
                NetkitError::invalid(format!(
                    "{}: no nameserver in /etc/resolv.conf: give @SERVER",
                    kind.name()
                ))
            })?;
            super::request::plain(args).at(first)
        }
        _ => {
            return Err(NetkitError::invalid(format!(
                "{} asks one server: give one @SERVER",
                kind.name()
            ))
            .into());
        }
    };
    if matches!(
        server.transport,
        dns::server::Transport::Https(_) | dns::server::Transport::Quic(_)
    ) {
        return Err(NetkitError::invalid(
            "zone transfers go over TCP or TLS (XoT): give @SERVER, @tcp:// or @tls://",
        )
        .into());
    }
    let plan = dns::xfr::Plan {
        zone: dns::wire::WireName::from_name(zone),
        kind,
        key,
        timeout: args.timeout.unwrap_or(Duration::from_secs(5)),
        deadline: args.xfr_deadline.unwrap_or(dns::xfr::DEADLINE),
        short: args.short,
    };
    let rt = crate::sys::runtime::current_thread()?;
    let summary = rt.block_on(dns::xfr::transfer(&server, &plan, stop, &mut |r| {
        out.emit(r)
    }))?;
    out.summary(&summary)?;
    Ok(summary.exit())
}
