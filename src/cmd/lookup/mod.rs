//! `netkit lookup`: DNS look-ups, dig-style or as gethostbyname_ex shows
//! them, and streaming batches.

mod help;
mod modes;
mod request;

pub(crate) use help::HELP;

use hickory_proto::rr::Name;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::LookupArgs;
use crate::deadline::Deadline;
use crate::dns::lookup::{self, BatchPlan, Target};
use crate::dns::render::{BatchColumns, LookupGroup, Style};
use crate::dns::{self, QueryOpts};
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

/// The longest line of a `-f` file (a DNS name is at most 253 bytes).
pub const MAX_LINE: usize = 1024;
/// Records kept per section of each answer in a batch (docs/limits.md).
pub const BATCH_MAX_RECORDS: usize = 512;
/// The memory a batch's answers may hold at once, in flight or waiting
/// for in-order printing (docs/limits.md): new queries wait when the
/// answers in flight, at the average size so far, would not fit.
pub const BATCH_MEMORY: usize = 192 << 20;

/// Names asked with the same types (`lookup a.test MX b.test TXT`).
type Run = (Vec<(String, Name)>, Vec<String>);

/// Runs `netkit lookup`.
pub fn run(args: &LookupArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    // dig's habits: positional types and classes, +options.
    let args = &request::dig_habits(args)?;
    let request::Request {
        specs,
        given,
        ptr_only,
    } = request::parse(args)?;
    if args.system {
        if !specs.is_empty() {
            return Err(
                NetkitError::invalid("--system asks NSS; it does not go with @SERVER").into(),
            );
        }
        return modes::run_nss(&given, args, out, stop);
    }
    // A zone transfer (its TSIG key file read once, here).
    let xfr = request::xfr(args)?;
    let types = if xfr.is_some() {
        Vec::new()
    } else {
        request::types(args)?
    };
    if args.trace && args.root_hints.is_some() && !specs.is_empty() {
        return Err(NetkitError::invalid(
            "--trace starts from --root-hints or from the root servers @SERVER names, not both",
        )
        .into());
    }
    // Server names are resolved now, under one deadline, once everything
    // given has been checked.
    let specs = request::with_port(specs, args);
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
    let servers = request::restrict(servers, args)?;
    if let Some((kind, key)) = xfr {
        return modes::run_xfr(&given, kind, key, servers, args, out, stop);
    }
    if args.trace {
        return modes::run_trace(&given, &types, &servers, args, out, stop);
    }
    if args.all_ns {
        return modes::run_all_ns(&given, &types, &servers, args, out, stop);
    }
    let explicit = !servers.is_empty();
    let target = if explicit {
        Target::Servers(servers)
    } else {
        Target::System {
            conf: dns::system_config(Path::new("/etc/resolv.conf"))
                .map(|c| request::restrict_conf(c, args))
                .map_err(|e| e.to_string()),
            plain: request::plain(args),
        }
    };
    let (conf_timeout, conf_retries) = match &target {
        Target::System { conf: Ok(c), .. } => (c.timeout, c.attempts.saturating_sub(1) as u32),
        _ => (Duration::from_secs(2), 1),
    };
    let batch = args.file.is_some();
    let dnssec = request::dnssec_plan(args)?.map(Arc::new);
    let opts = QueryOpts {
        wire: request::wire(args),
        recurse: !args.norec,
        dnssec: args.dnssec,
        timeout: args.timeout.unwrap_or(conf_timeout),
        retries: args.retries.unwrap_or(conf_retries),
    };
    // A batch allocates per query by the hundred thousand: mimalloc from
    // here on (src/sys/alloc.rs); one name keeps glibc's quick start.
    if batch {
        crate::sys::alloc::fast();
    }
    // A socket per look-up in flight (a batch; one name needs none).
    let concurrency = if batch || given.len() > 1 {
        super::fit_concurrency("--concurrency", Some(args.concurrency.into()), 256, 1)
    } else {
        1
    };
    let budget = Arc::new(lookup::Budget::new(BATCH_MEMORY));
    // Names given with their own types (`a.test MX b.test TXT`): each run
    // of names with the same types is a batch of its own, in order.
    let mut runs: Vec<Run> = Vec::new();
    let mut rest = given.into_iter();
    for own in &args.name_types {
        let Some(g) = rest.next() else { break };
        match runs.last_mut() {
            Some((names, t)) if t == own => names.push(g),
            _ => runs.push((vec![g], own.clone())),
        }
    }
    let rest: Vec<(String, Name)> = rest.collect();
    if !rest.is_empty() || runs.is_empty() {
        runs.push((rest, Vec::new()));
    }
    let last = runs.len() - 1;
    let rt = crate::sys::runtime::current_thread()?;
    let columns = BatchColumns::default();
    let mut exit = Exit::Success;
    for (i, (names, own)) in runs.into_iter().enumerate() {
        if stop.is_set() {
            break;
        }
        let (types, explicit_types) = if own.is_empty() {
            (types.clone(), !args.types.is_empty())
        } else {
            (request::types_of(&own)?, true)
        };
        let style = match (args.short, batch, explicit_types) {
            (true, _, _) => Style::Short,
            (_, true, _) => Style::Batch,
            (_, _, false) => Style::Host,
            _ => Style::Sections,
        };
        let plan = Arc::new(BatchPlan {
            types,
            target: target.clone(),
            dnssec: dnssec.clone(),
            opts,
            concurrency,
            max_records: if batch { BATCH_MAX_RECORDS } else { 0 },
            budget: Arc::clone(&budget),
        });
        // The file's names come with the last run (the -t types).
        let file = if i == last {
            lookup::names_from_file(args.file.as_deref(), ptr_only, MAX_LINE)?
        } else {
            lookup::names_from_file(None, ptr_only, MAX_LINE)?
        };
        let names = names.into_iter().map(|(g, n)| Ok((g, Ok(n)))).chain(file);
        let code = rt.block_on(lookup::lookup_all(names, plan, stop, &mut |_, results| {
            let group = LookupGroup {
                style,
                results: &results,
                explicit_servers: explicit,
                columns: &columns,
                ttl_units: args.ttl_units,
                show_opt: args.nsid
                    || args.subnet.is_some()
                    || args.cookie.is_some()
                    || args.padding.is_some(),
            };
            out.emit_group(&group, &results)
        }))?;
        exit = exit.max(code);
    }
    Ok(exit)
}
