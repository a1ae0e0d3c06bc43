//! `netkit lookup`: DNS look-ups, dig-style or as gethostbyname_ex shows
//! them, and streaming batches.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{Name, RecordType};

use crate::cli::LookupArgs;
use crate::deadline::Deadline;
use crate::dns::lookup::{self, BatchPlan, Target};
use crate::dns::render::{LookupGroup, NssGroup, Style};
use crate::dns::{self, QueryOpts};
use crate::error::{NetkitError, Result};
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

/// The longest line of a `-f` file (a DNS name is at most 253 bytes).
pub const MAX_LINE: usize = 1024;
/// Records kept per section of each answer in a batch (docs/limits.md).
pub const BATCH_MAX_RECORDS: usize = 512;

/// Runs `netkit lookup`.
pub fn run(args: &LookupArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let mut specs = args
        .server
        .iter()
        .map(|s| dns::server::parse(s))
        .collect::<Result<Vec<_>>>()?;
    // -t PTR (alone, or -x): an address is looked up by its reverse name.
    let ptr_only = args.types.is_empty() && !args.reverse.is_empty()
        || args.types.len() == 1 && args.types[0].eq_ignore_ascii_case("ptr");
    let mut given = Vec::new();
    for n in &args.names {
        match n.strip_prefix('@') {
            Some(s) => specs.push(dns::server::parse(s)?),
            None => given.push((n.clone(), dns::query_name(n, ptr_only)?)),
        }
    }
    for a in &args.reverse {
        let ip = a.trim().parse().map_err(|_| {
            NetkitError::invalid(format!(
                "-x {}: not an IPv4 or IPv6 address",
                crate::sanitize::brief(a, 64)
            ))
        })?;
        given.push((a.clone(), dns::reverse_name(ip)));
    }
    if given.is_empty() && args.file.is_none() {
        return Err(
            NetkitError::invalid("nothing to look up: give a NAME, -x ADDR or -f FILE").into(),
        );
    }
    if (args.ca_file.is_some() || args.tls_name.is_some())
        && !specs.iter().any(|s| s.scheme.encrypted())
    {
        return Err(NetkitError::invalid(
            "--ca-file and --tls-name are for tls://, https:// and quic:// servers: give one as @SERVER",
        )
        .into());
    }
    if args.system {
        if !specs.is_empty() {
            return Err(
                NetkitError::invalid("--system asks NSS; it does not go with @SERVER").into(),
            );
        }
        return run_nss(&given, args, out, stop);
    }
    let types = if args.types.is_empty() && !args.reverse.is_empty() {
        vec![RecordType::PTR]
    } else if args.types.is_empty() {
        vec![RecordType::A, RecordType::AAAA]
    } else {
        let mut t = Vec::new();
        for text in &args.types {
            let rt = dns::parse_type(text)?;
            if !t.contains(&rt) {
                t.push(rt);
            }
        }
        t
    };
    if args.trace {
        return run_trace(&given, &types, args, out, stop);
    }
    // Server names are resolved now, under one deadline, once everything
    // given has been checked.
    let servers = dns::server::build_all(
        &specs,
        &dns::server::BuildOpts {
            tls: dns::server::TlsOpts {
                ca_file: args.ca_file.as_deref(),
                name: args.tls_name.as_deref(),
            },
            tcp: args.tcp,
        },
        Deadline::after(
            args.timeout
                .map(|t| t * (args.retries.unwrap_or(1) + 1))
                .unwrap_or(crate::resolve::SYSTEM_DEADLINE),
        ),
    )?;
    if args.all_ns {
        return run_all_ns(&given, &types, &servers, args, out, stop);
    }
    let explicit = !servers.is_empty();
    let target = if explicit {
        Target::Servers(servers)
    } else {
        Target::System {
            conf: dns::system_config(Path::new("/etc/resolv.conf")).map_err(|e| e.to_string()),
            tcp: args.tcp,
        }
    };
    let (conf_timeout, conf_retries) = match &target {
        Target::System { conf: Ok(c), .. } => (c.timeout, c.attempts.saturating_sub(1) as u32),
        _ => (Duration::from_secs(2), 1),
    };
    let batch = args.file.is_some();
    let style = match (args.short, batch, args.types.is_empty()) {
        (true, _, _) => Style::Short,
        (_, true, _) => Style::Batch,
        (_, _, true) => Style::Host,
        _ => Style::Sections,
    };
    let dnssec = if args.dnssec {
        let anchors = match &args.trust_anchor {
            Some(path) => {
                let data = crate::value::read_file_limited(
                    path,
                    dns::dnssec::MAX_ANCHOR_FILE,
                    "--trust-anchor",
                )?;
                dns::dnssec::parse_anchors(&String::from_utf8_lossy(&data)).map_err(|why| {
                    NetkitError::invalid(format!(
                        "--trust-anchor {}: {}",
                        crate::sanitize::brief(&path.to_string_lossy(), 200),
                        crate::sanitize::escape(&why)
                    ))
                })?
            }
            None => dns::dnssec::root_anchors(),
        };
        Some(Arc::new(dns::dnssec::Plan::new(anchors)))
    } else {
        None
    };
    let plan = Arc::new(BatchPlan {
        types,
        target,
        dnssec,
        opts: QueryOpts {
            recurse: true,
            dnssec: args.dnssec,
            timeout: args.timeout.unwrap_or(conf_timeout),
            retries: args.retries.unwrap_or(conf_retries),
        },
        // A socket per look-up in flight (a batch; one name needs none).
        concurrency: if batch || given.len() > 1 {
            super::fit_concurrency("--concurrency", Some(args.concurrency.into()), 256, 1)
        } else {
            1
        },
        max_records: if batch { BATCH_MAX_RECORDS } else { 0 },
    });
    let names = given.into_iter().map(Ok).chain(lookup::names_from_file(
        args.file.as_deref(),
        ptr_only,
        MAX_LINE,
    )?);
    let rt = crate::sys::runtime::current_thread()?;
    let exit = rt.block_on(lookup::lookup_all(names, plan, stop, &mut |_, results| {
        let group = LookupGroup {
            style,
            results: &results,
            explicit_servers: explicit,
        };
        out.emit_group(&group, &results)
    }))?;
    Ok(exit)
}

/// `--trace`: each step as it is known, then where it ended.
fn run_trace(
    given: &[(String, Name)],
    types: &[RecordType],
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let hints = dns::trace::root_hints(args.root_hints.as_deref())?
        .into_iter()
        .map(|(name, addr)| (name, dns::Server::plain(addr, args.tcp)))
        .collect();
    // One type unless asked for more, as dig +trace.
    let types = if args.types.is_empty() {
        &[RecordType::A][..]
    } else {
        types
    };
    let opts = QueryOpts {
        recurse: false,
        dnssec: false,
        timeout: args.timeout.unwrap_or(Duration::from_secs(2)),
        retries: args.retries.unwrap_or(1),
    };
    let rt = crate::sys::runtime::current_thread()?;
    let mut emit = |e: dns::trace::Event<'_>| match e {
        dns::trace::Event::Step(s) => out.emit(s),
        dns::trace::Event::End(s) => out.summary(s),
    };
    let walk = dns::trace::TracePlan {
        hints,
        opts,
        budget: dns::trace::default_budget(&opts),
        stop,
    };
    Ok(rt.block_on(dns::trace::trace_all(given, types, &walk, &mut emit))?)
}

/// `--all-ns`: one report per (name, type).
fn run_all_ns(
    given: &[(String, Name)],
    types: &[RecordType],
    servers: &[dns::Server],
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let (via, timeout, retries) = dns::allns::via(servers, args.tcp)?;
    let opts = QueryOpts {
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

fn run_nss(
    given: &[(String, Name)],
    args: &LookupArgs,
    out: &mut Printer,
    stop: &Stop,
) -> anyhow::Result<Exit> {
    let mut exit = Exit::Success;
    let mut names: Vec<Result<(String, Name)>> = given.iter().cloned().map(Ok).collect();
    names.extend(lookup::names_from_file(
        args.file.as_deref(),
        false,
        MAX_LINE,
    )?);
    for name in names {
        if stop.is_set() {
            break;
        }
        let (text, _) = name?;
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
