//! `netkit lookup`: DNS look-ups, dig-style or as gethostbyname_ex shows
//! them, and streaming batches.

mod help;
mod modes;
mod request;

pub(crate) use help::HELP;

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
    let types = request::types(args)?;
    if args.trace && args.root_hints.is_some() && !specs.is_empty() {
        return Err(NetkitError::invalid(
            "--trace starts from --root-hints or from the root servers @SERVER names, not both",
        )
        .into());
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
    let dnssec = request::dnssec_plan(args)?.map(Arc::new);
    let plan = Arc::new(BatchPlan {
        types,
        target,
        dnssec,
        opts: QueryOpts {
            wire: request::wire(args),
            recurse: !args.norec,
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
        budget: Arc::new(lookup::Budget::new(BATCH_MEMORY)),
    });
    let names = given.into_iter().map(Ok).chain(lookup::names_from_file(
        args.file.as_deref(),
        ptr_only,
        MAX_LINE,
    )?);
    let rt = crate::sys::runtime::current_thread()?;
    let columns = BatchColumns::default();
    let exit = rt.block_on(lookup::lookup_all(names, plan, stop, &mut |_, results| {
        let group = LookupGroup {
            style,
            results: &results,
            explicit_servers: explicit,
            columns: &columns,
        };
        out.emit_group(&group, &results)
    }))?;
    Ok(exit)
}
