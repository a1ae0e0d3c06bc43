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

/// dig's query options netkit takes as they are written (each has a long
/// flag too): `+short`, `+tcp`/`+vc`, `+trace`, `+time=S`, `+tries=N`,
/// `+retry=N`, `+rec`/`+norec`, `+cd`, `+dnssec`, `+bufsize=N`, `+edns`/
/// `+noedns`, and their `+no` forms where dig has them.
const DIG_OPTIONS: &[&str] = &[
    "short", "noshort", "tcp", "notcp", "vc", "novc", "trace", "notrace", "time=", "tries=",
    "retry=", "rec", "norec", "cd", "nocd", "dnssec", "nodnssec", "bufsize=", "edns", "noedns",
];

/// The query's header and EDNS settings from the flags.
pub(super) fn wire(args: &LookupArgs) -> dns::client::WireOpts {
    dns::client::WireOpts {
        cd: args.cd,
        dnssec_ok: args.dnssec_ok,
        edns_size: if args.no_edns {
            None
        } else {
            Some(args.bufsize.unwrap_or(1232))
        },
    }
}

/// `lookup` as dig's fingers type it: a positional word that is a record
/// type mnemonic (`MX`, `txt`, `TYPE65`) is a type for every name (as
/// `-t`), unless no name would be left (`lookup ns`: the name "ns"); the
/// class `IN` is taken and others refused; `+opts` set their flags. A name
/// written like a type takes a trailing dot (`MX.`).
pub(super) fn dig_habits(args: &LookupArgs) -> Result<LookupArgs> {
    let mut out = args.clone();
    out.names.clear();
    let is_type =
        |w: &str| !w.starts_with(['@', '+']) && crate::dns::types::type_from_name(w).is_some();
    let is_class = |w: &str| {
        let u = w.to_ascii_uppercase();
        matches!(u.as_str(), "IN" | "CH" | "CHAOS" | "HS" | "HESIOD")
            || u.strip_prefix("CLASS")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let names_left = args
        .names
        .iter()
        .filter(|w| !w.starts_with(['@', '+']) && !is_type(w) && !is_class(w))
        .count();
    let mut first_type_is_name = names_left == 0 && args.file.is_none() && args.reverse.is_empty();
    for w in &args.names {
        if let Some(opt) = w.strip_prefix('+') {
            dig_option(opt, &mut out)?;
        } else if w.starts_with('@') {
            out.names.push(w.clone());
        } else if is_class(w) && names_left > 0 {
            if !w.eq_ignore_ascii_case("IN") {
                return Err(NetkitError::invalid(format!(
                    "class {}: netkit asks class IN only",
                    crate::sanitize::brief(w, 32)
                )));
            }
        } else if is_type(w) && !first_type_is_name {
            out.types.push(w.clone());
        } else {
            first_type_is_name = false;
            out.names.push(w.clone());
        }
    }
    // The flags' own conflicts, for what +options turned on.
    if out.trace && (out.system || out.file.is_some() || out.all_ns || out.dnssec) {
        return Err(NetkitError::invalid(
            "+trace does not go with --system, -f, --all-ns or --dnssec",
        ));
    }
    if out.no_edns && (out.dnssec_ok || out.dnssec || out.bufsize.is_some()) {
        return Err(NetkitError::invalid(
            "+noedns leaves no OPT record for +dnssec, --dnssec or +bufsize",
        ));
    }
    if out.tcp && out.system {
        return Err(NetkitError::invalid("+tcp does not go with --system"));
    }
    if out.system && !out.types.is_empty() {
        return Err(NetkitError::invalid(
            "--system asks NSS for addresses; it takes no record type",
        ));
    }
    Ok(out)
}

fn dig_option(opt: &str, out: &mut LookupArgs) -> Result<()> {
    let (key, value) = match opt.split_once('=') {
        Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
        None => (opt.to_ascii_lowercase(), None),
    };
    let number = |what: &str| -> Result<u32> {
        value
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| NetkitError::invalid(format!("+{what} takes a number: +{what}=N")))
    };
    match (key.as_str(), value) {
        ("short", None) => out.short = true,
        ("noshort", None) => out.short = false,
        ("tcp" | "vc", None) => out.tcp = true,
        ("notcp" | "novc", None) => out.tcp = false,
        ("trace", None) => out.trace = true,
        ("notrace", None) => out.trace = false,
        ("time", Some(_)) => {
            let s = number("time")?;
            if s == 0 || s > 300 {
                return Err(NetkitError::invalid("+time=S takes 1 to 300 seconds"));
            }
            out.timeout = Some(std::time::Duration::from_secs(u64::from(s)));
        }
        ("tries", Some(_)) => {
            let n = number("tries")?;
            if !(1..=11).contains(&n) {
                return Err(NetkitError::invalid("+tries=N takes 1 to 11"));
            }
            out.retries = Some(n - 1);
        }
        ("retry", Some(_)) => {
            let n = number("retry")?;
            if n > 10 {
                return Err(NetkitError::invalid("+retry=N takes 0 to 10"));
            }
            out.retries = Some(n);
        }
        ("rec" | "recurse", None) => out.norec = false,
        ("norec" | "norecurse", None) => out.norec = true,
        ("cd" | "cdflag", None) => out.cd = true,
        ("nocd" | "nocdflag", None) => out.cd = false,
        ("dnssec" | "do", None) => out.dnssec_ok = true,
        ("nodnssec" | "nodo", None) => out.dnssec_ok = false,
        ("bufsize", Some(_)) => {
            let n = number("bufsize")?;
            if !(512..=65535).contains(&n) {
                return Err(NetkitError::invalid("+bufsize=N takes 512 to 65535"));
            }
            out.bufsize = u16::try_from(n).ok();
            out.no_edns = false;
        }
        ("edns", None) => out.no_edns = false,
        ("noedns", None) => out.no_edns = true,
        _ => {
            let near = closest(&key, DIG_OPTIONS)
                .map(|n| format!(" (did you mean +{}?)", n.trim_end_matches('=')))
                .unwrap_or_default();
            return Err(NetkitError::invalid(format!(
                "unknown query option '+{}'{near}: netkit takes +short, +tcp (+vc), +trace, +time=S, +tries=N, +retry=N, +[no]rec, +[no]cd, +[no]dnssec, +bufsize=N, +[no]edns",
                crate::sanitize::brief(opt, 32)
            )));
        }
    }
    Ok(())
}

/// The option nearest `word` by edit distance, if it is near enough.
fn closest<'a>(word: &str, options: &[&'a str]) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    options
        .iter()
        .map(|o| (distance(word, o.trim_end_matches('=')), *o))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}
