//! `netkit lookup`'s arguments into a checked request: names (with dig's
//! `@SERVER`), servers, types and the DNSSEC plan, before anything is sent.

use hickory_proto::rr::{Name, RecordType};

use crate::cli::LookupArgs;
use crate::dns;
use crate::error::{NetkitError, Result};

/// What was asked, checked.
pub(super) struct Request {
    /// The servers as written, not yet resolved.
    pub specs: Vec<dns::server::ServerSpec>,
    /// The names as given, and as asked.
    pub given: Vec<(String, Name)>,
    /// `-t PTR` alone (or `-x`): an address is asked by its reverse name.
    pub ptr_only: bool,
}

/// Reads the names, `@SERVER`s and `-x` addresses.
pub(super) fn parse(args: &LookupArgs) -> Result<Request> {
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
        return Err(NetkitError::invalid(
            "nothing to look up: give a NAME, -x ADDR or -f FILE",
        ));
    }
    if (args.ca_file.is_some() || args.tls_name.is_some())
        && !specs.iter().any(|s| s.scheme.encrypted())
    {
        return Err(NetkitError::invalid(
            "--ca-file and --tls-name are for tls://, https:// and quic:// servers: give one as @SERVER",
        ));
    }
    Ok(Request {
        specs,
        given,
        ptr_only,
    })
}

/// The types asked: `-t` (each once), PTR for `-x`, else A and AAAA.
pub(super) fn types(args: &LookupArgs) -> Result<Vec<RecordType>> {
    Ok(if args.types.is_empty() && !args.reverse.is_empty() {
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
    })
}

/// `--dnssec`: the plan with its trust anchors (the root's, or
/// `--trust-anchor FILE`).
pub(super) fn dnssec_plan(args: &LookupArgs) -> Result<Option<dns::dnssec::Plan>> {
    if !args.dnssec {
        return Ok(None);
    }
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
    Ok(Some(dns::dnssec::Plan::new(anchors)))
}
