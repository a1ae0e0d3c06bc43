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
        let name = dns::reverse_of(a).ok_or_else(|| {
            NetkitError::invalid(format!(
                "-x {}: not an IPv4 or IPv6 address, nor 1-3 octets of one (192.0.2)",
                crate::sanitize::brief(a, 64)
            ))
        })?;
        given.push((a.clone(), name));
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
        types_of(&args.types)?
    })
}

/// Record types as written, each once.
pub(super) fn types_of(texts: &[String]) -> Result<Vec<RecordType>> {
    let mut t = Vec::new();
    for text in texts {
        let rt = dns::parse_type(text)?;
        if !t.contains(&rt) {
            t.push(rt);
        }
    }
    Ok(t)
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
/// flag too), and their `+no` forms where dig has them.
const DIG_OPTIONS: &[&str] = &[
    "short",
    "noshort",
    "tcp",
    "notcp",
    "vc",
    "novc",
    "trace",
    "notrace",
    "time=",
    "tries=",
    "retry=",
    "rec",
    "norec",
    "cd",
    "nocd",
    "dnssec",
    "nodnssec",
    "bufsize=",
    "edns",
    "noedns",
    "adflag",
    "noadflag",
    "nsid",
    "nonsid",
    "subnet=",
    "nosubnet",
    "cookie",
    "cookie=",
    "nocookie",
    "padding=",
    "nopadding",
    "ttlunits",
    "nottlunits",
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
        ad: args.adflag,
        options: dns::edns::QueryOptions {
            nsid: args.nsid,
            subnet: args.subnet,
            cookie: args.cookie,
            padding: args.padding.unwrap_or(0),
        },
        // Checked in dig_habits.
        class: args
            .class
            .as_deref()
            .and_then(|c| dns::parse_class(c).ok())
            .unwrap_or(1),
    }
}

/// `lookup` as dig's fingers type it. A positional word that is a record
/// type mnemonic (`MX`, `txt`, `TYPE65`) is a type of the name before it
/// (types before the first name are the first name's), unless no name
/// would be left (`lookup ns`: the name "ns"); when every name has the same
/// types they are `-t` types. A class word (`IN`, `CH`, `HS`) is `-c`;
/// `+opts` set their flags. A name written like a type takes a trailing
/// dot (`MX.`), `--name NAME`, or comes after `--`.
pub(super) fn dig_habits(args: &LookupArgs) -> Result<LookupArgs> {
    let mut out = args.clone();
    out.names.clear();
    out.query_names.clear();
    out.forced_names.clear();
    let is_type = |w: &str| {
        !w.starts_with(['@', '+'])
            && (crate::dns::types::type_from_name(w).is_some() || ixfr_serial(w).is_some())
    };
    let is_class = crate::dns::is_class_word;
    let forced: Vec<String> = args
        .query_names
        .iter()
        .chain(&args.forced_names)
        .cloned()
        .collect();
    let names_left = args
        .names
        .iter()
        .filter(|w| !w.starts_with(['@', '+']) && !is_type(w) && !is_class(w))
        .count()
        + forced.len();
    let mut first_type_is_name = names_left == 0 && args.file.is_none() && args.reverse.is_empty();
    // Each positional name with the types written after it; types written
    // before any name.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let mut leading: Vec<String> = Vec::new();
    for w in &args.names {
        if let Some(opt) = w.strip_prefix('+') {
            dig_option(opt, &mut out)?;
        } else if w.starts_with('@') {
            out.names.push(w.clone());
        } else if is_class(w) && names_left > 0 {
            out.class = Some(w.clone());
        } else if is_type(w) && !first_type_is_name {
            match groups.last_mut() {
                Some((_, types)) => types.push(w.clone()),
                None => leading.push(w.clone()),
            }
        } else {
            first_type_is_name = false;
            groups.push((w.clone(), Vec::new()));
        }
    }
    match groups.first_mut() {
        Some((_, types)) => {
            let mut t = std::mem::take(&mut leading);
            t.append(types);
            *types = t;
        }
        // Types with no positional name: every name's (--name, -f, -x).
        None => out.types.append(&mut leading),
    }
    for f in forced {
        groups.push((f, Vec::new()));
    }
    let same = groups.windows(2).all(|w| w[0].1 == w[1].1);
    if same {
        if let Some((_, t)) = groups.first() {
            out.types.extend(t.iter().cloned());
        }
        out.names.extend(groups.into_iter().map(|(n, _)| n));
    } else {
        out.names.extend(groups.iter().map(|(n, _)| n.clone()));
        out.name_types = groups.into_iter().map(|(_, t)| t).collect();
    }
    // The flags' own conflicts, for what +options turned on.
    if out.root_hints.is_some() && !out.trace {
        return Err(NetkitError::invalid(
            "--root-hints is for --trace (or +trace)",
        ));
    }
    if out.trace && (out.system || out.file.is_some() || out.all_ns) {
        return Err(NetkitError::invalid(
            "+trace does not go with --system, -f or --all-ns",
        ));
    }
    let options = out.nsid || out.subnet.is_some() || out.cookie.is_some() || out.padding.is_some();
    if out.no_edns && (out.dnssec_ok || out.dnssec || out.bufsize.is_some() || options) {
        return Err(NetkitError::invalid(
            "+noedns leaves no OPT record for +dnssec, --dnssec, +bufsize, +nsid, +subnet, +cookie or +padding",
        ));
    }
    if out.system
        && (out.tcp
            || options
            || out.adflag
            || out.port.is_some()
            || out.source.is_some()
            || out.ipv4
            || out.ipv6)
    {
        return Err(NetkitError::invalid(
            "--system asks NSS: +tcp, +adflag, EDNS options, -p, -b, -4 and -6 are for DNS queries",
        ));
    }
    if out.system && (!out.types.is_empty() || !out.name_types.is_empty()) {
        return Err(NetkitError::invalid(
            "--system asks NSS for addresses; it takes no record type",
        ));
    }
    if !out.name_types.is_empty() && (out.trace || out.all_ns) {
        return Err(NetkitError::invalid(
            "--trace and --all-ns take one set of types for every name: give them with -t",
        ));
    }
    if let Some(c) = &out.class {
        let transfer = out
            .types
            .iter()
            .chain(out.name_types.iter().flatten())
            .any(|t| t.eq_ignore_ascii_case("AXFR") || t.to_ascii_uppercase().starts_with("IXFR"));
        if dns::parse_class(c)? != 1
            && (out.trace || out.all_ns || out.dnssec || out.system || transfer)
        {
            return Err(NetkitError::invalid(format!(
                "class {}: --trace, --all-ns, --dnssec, --system and zone transfers ask class IN; \
                 other classes are for plain look-ups",
                crate::sanitize::brief(c, 32)
            )));
        }
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
        ("adflag" | "ad", None) => out.adflag = true,
        ("noadflag" | "noad", None) => out.adflag = false,
        ("nsid", None) => out.nsid = true,
        ("nonsid", None) => out.nsid = false,
        ("subnet", Some(v)) => {
            out.subnet = Some(dns::edns::Subnet::parse(v).map_err(|why| {
                NetkitError::invalid(format!("+subnet={}: {why}", crate::sanitize::brief(v, 64)))
            })?);
        }
        ("nosubnet", None) => out.subnet = None,
        ("cookie", None) => out.cookie = Some(dns::edns::Cookie::random()),
        ("cookie", Some(v)) => {
            out.cookie = Some(dns::edns::Cookie::parse_hex(v).map_err(|why| {
                NetkitError::invalid(format!("+cookie={}: {why}", crate::sanitize::brief(v, 100)))
            })?);
        }
        ("nocookie", None) => out.cookie = None,
        ("padding", Some(_)) => {
            let n = number("padding")?;
            if n > 512 {
                return Err(NetkitError::invalid("+padding=N takes 0 (none) to 512"));
            }
            out.padding = (n > 0).then_some(n as u16);
        }
        ("nopadding", None) => out.padding = None,
        ("ttlunits", None) => out.ttl_units = true,
        ("nottlunits", None) => out.ttl_units = false,
        _ => {
            let near = closest(&key, DIG_OPTIONS)
                .map(|n| format!(" (did you mean +{}?)", n.trim_end_matches('=')))
                .unwrap_or_default();
            return Err(NetkitError::invalid(format!(
                "unknown query option '+{}'{near}: netkit takes +short, +tcp (+vc), +trace, +time=S, +tries=N, +retry=N, +[no]rec, +[no]cd, +[no]dnssec, +bufsize=N, +[no]edns, +[no]adflag, +[no]nsid, +subnet=ADDR/LEN, +[no]cookie[=HEX], +padding=N, +[no]ttlunits",
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

/// `-p PORT`: the port of every server given without one.
pub(super) fn with_port(
    mut specs: Vec<dns::server::ServerSpec>,
    args: &LookupArgs,
) -> Vec<dns::server::ServerSpec> {
    if let Some(p) = args.port {
        for s in specs.iter_mut().filter(|s| !s.port_given) {
            s.port = p;
        }
    }
    specs
}

/// How servers found on the way are asked (`--tcp`, `-b`).
pub(super) fn plain(args: &LookupArgs) -> dns::server::Plain {
    dns::server::Plain {
        tcp: args.tcp,
        source: args.source,
    }
}

/// The address family `-4`, `-6` or `-b ADDR` keeps: `Some(true)` IPv4.
pub(super) fn family(args: &LookupArgs) -> Option<bool> {
    if args.ipv4 {
        Some(true)
    } else if args.ipv6 {
        Some(false)
    } else {
        args.source.map(|s| s.is_ipv4())
    }
}

/// `-4`, `-6` and `-b`: each server keeps the addresses of the family
/// asked and sends from `-b`'s address. A server left with none is a
/// usage error that says why.
pub(super) fn restrict(servers: Vec<dns::Server>, args: &LookupArgs) -> Result<Vec<dns::Server>> {
    let Some(v4) = family(args) else {
        return Ok(servers);
    };
    if let Some(src) = args.source
        && src.is_ipv4() != v4
    {
        return Err(NetkitError::invalid(format!(
            "-b {src} and -{} contradict",
            if v4 { 4 } else { 6 }
        )));
    }
    servers
        .into_iter()
        .map(|mut s| {
            let kept: Vec<std::net::SocketAddr> = s
                .endpoint
                .addrs
                .iter()
                .filter(|a| a.is_ipv4() == v4)
                .copied()
                .collect();
            if kept.is_empty() {
                let why = match args.source {
                    Some(src) if !args.ipv4 && !args.ipv6 => format!("-b {src}"),
                    _ => format!("-{}", if v4 { 4 } else { 6 }),
                };
                return Err(NetkitError::invalid(format!(
                    "@{}: no IPv{} address to ask it at ({why})",
                    crate::sanitize::brief(&s.to_string(), 64),
                    if v4 { 4 } else { 6 }
                )));
            }
            s.endpoint.addrs = kept.into();
            s.source = args.source;
            Ok(s)
        })
        .collect()
}

/// `-p`, `-4`, `-6` and `-b` for resolv.conf's nameservers.
pub(super) fn restrict_conf(mut conf: dns::SystemConfig, args: &LookupArgs) -> dns::SystemConfig {
    if let Some(v4) = family(args) {
        conf.servers.retain(|a| a.is_ipv4() == v4);
    }
    if let Some(p) = args.port {
        for a in &mut conf.servers {
            a.set_port(p);
        }
    }
    conf
}

/// `IXFR=SERIAL` (any case): the serial.
fn ixfr_serial(w: &str) -> Option<u32> {
    let (t, n) = w.split_once('=')?;
    if !t.eq_ignore_ascii_case("ixfr") {
        return None;
    }
    n.parse().ok()
}

/// A zone transfer asked with `-t AXFR` or `-t IXFR=SERIAL` (or
/// positionally): its kind and TSIG key. Transfers go alone: one zone,
/// one type.
pub(super) fn xfr(args: &LookupArgs) -> Result<Option<(dns::xfr::Kind, Option<dns::tsig::Key>)>> {
    let kinds: Vec<Option<dns::xfr::Kind>> = args
        .types
        .iter()
        .map(|t| {
            if t.eq_ignore_ascii_case("axfr") {
                Some(dns::xfr::Kind::Axfr)
            } else {
                ixfr_serial(t).map(dns::xfr::Kind::Ixfr)
            }
        })
        .collect();
    let key_given = args.tsig_key.is_some() || args.tsig.is_some();
    if args.types.iter().any(|t| t.eq_ignore_ascii_case("ixfr")) {
        return Err(NetkitError::invalid(
            "IXFR needs the serial the changes start from: -t IXFR=SERIAL",
        ));
    }
    let Some(kind) = kinds.iter().flatten().next().copied() else {
        if key_given || args.xfr_deadline.is_some() {
            return Err(NetkitError::invalid(
                "--tsig-key, -y and --xfr-deadline are for zone transfers: -t AXFR or -t IXFR=SERIAL",
            ));
        }
        return Ok(None);
    };
    if kinds.len() > 1
        || !args.name_types.is_empty()
        || args.file.is_some()
        || !args.reverse.is_empty()
        || args.trace
        || args.all_ns
        || args.dnssec
        || args.system
    {
        return Err(NetkitError::invalid(
            "a zone transfer goes alone: one zone, one -t AXFR or -t IXFR=SERIAL, no -f, -x, --trace, --all-ns, --dnssec or --system",
        ));
    }
    let key = match (&args.tsig_key, &args.tsig) {
        (Some(path), _) => {
            let data = crate::value::read_file_limited(path, 64 << 10, "--tsig-key")?;
            Some(
                dns::tsig::Key::from_bind_file(&String::from_utf8_lossy(&data)).map_err(|why| {
                    NetkitError::invalid(format!(
                        "--tsig-key {}: {why}",
                        crate::sanitize::brief(&path.to_string_lossy(), 200)
                    ))
                })?,
            )
        }
        (None, Some(y)) => Some(
            dns::tsig::Key::from_y(y).map_err(|why| NetkitError::invalid(format!("-y: {why}")))?,
        ),
        (None, None) => None,
    };
    Ok(Some((kind, key)))
}
