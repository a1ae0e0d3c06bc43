//! `netkit lookup`.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use colored::Colorize;
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use crate::cli::LookupArgs;
use crate::dns::{self, LookupResult, QueryOpts, SystemConfig};
use crate::error::{ErrorInfo, NetkitError, Result};
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve::{self, HostError};
use crate::sanitize::escape;

/// Where look-ups go.
#[derive(Debug, Clone)]
pub enum Target {
    /// These servers, each asked separately.
    Servers(Vec<SocketAddr>),
    /// The system's resolv.conf (or why it could not be read).
    System(std::result::Result<SystemConfig, String>),
    /// NSS, through gethostbyname_ex.
    Nss,
}

/// A validated `lookup` invocation.
#[derive(Debug, Clone)]
pub struct Plan {
    /// (as given, parsed) names, in input order.
    pub names: Vec<(String, Name)>,
    /// Types to ask for each name.
    pub types: Vec<RecordType>,
    /// Where to ask.
    pub target: Target,
    /// How.
    pub opts: QueryOpts,
    /// True when the types were not given (A and AAAA, shown as a host).
    pub default_types: bool,
    /// True for `-f` (one line per result).
    pub batch: bool,
}

fn read_names(path: &Path) -> Result<Vec<String>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(path).map_err(|source| NetkitError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.map_err(|source| NetkitError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

/// Validates the arguments.
pub fn plan(args: &LookupArgs, resolv_conf: &Path) -> Result<Plan> {
    let mut servers: Vec<SocketAddr> = args
        .server
        .iter()
        .map(|s| dns::parse_server(s))
        .collect::<Result<_>>()?;
    let mut given: Vec<String> = Vec::new();
    for n in &args.names {
        if let Some(s) = n.strip_prefix('@') {
            servers.push(dns::parse_server(s)?);
        } else {
            given.push(n.clone());
        }
    }
    if let Some(path) = &args.file {
        given.extend(read_names(path)?);
    }
    if given.is_empty() {
        return Err(NetkitError::invalid(
            "nothing to look up: give a NAME or -f FILE",
        ));
    }
    if args.system && !servers.is_empty() {
        return Err(NetkitError::invalid(
            "--system asks NSS; it does not go with @SERVER",
        ));
    }
    let names = given
        .iter()
        .map(|g| dns::parse_name(g).map(|n| (g.clone(), n)))
        .collect::<Result<Vec<_>>>()?;
    let default_types = args.types.is_empty();
    let types = if default_types {
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
    let target = if args.system {
        Target::Nss
    } else if servers.is_empty() {
        Target::System(dns::system_config(resolv_conf).map_err(|e| e.to_string()))
    } else {
        Target::Servers(servers)
    };
    let (conf_timeout, conf_retries) = match &target {
        Target::System(Ok(c)) => (c.timeout, c.attempts.saturating_sub(1) as u32),
        _ => (Duration::from_secs(2), 1),
    };
    Ok(Plan {
        names,
        types,
        target,
        opts: QueryOpts {
            tcp: args.tcp,
            timeout: args.timeout.unwrap_or(conf_timeout),
            retries: args.retries.unwrap_or(conf_retries),
        },
        default_types,
        batch: args.file.is_some(),
    })
}

/// A look-up through NSS (gethostbyname_ex), one per family.
#[derive(Debug, Clone, Serialize)]
pub struct NssResult {
    /// The name as given.
    pub name: String,
    /// A (AF_INET) or AAAA (AF_INET6).
    #[serde(rename = "type")]
    pub rtype: &'static str,
    /// Always `"nss"`.
    pub source: &'static str,
    /// NOERROR, NOTFOUND, NODATA, TRYAGAIN or ERROR.
    pub status: &'static str,
    /// The primary name.
    pub canonical_name: Option<String>,
    /// Other names.
    pub aliases: Vec<String>,
    /// The addresses.
    pub addresses: Vec<String>,
    /// Why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

fn nss(given: &str, af: i32) -> Result<(NssResult, Exit)> {
    let rtype = if af == libc::AF_INET { "A" } else { "AAAA" };
    Ok(match resolve::gethostbyname_ex(given, af)? {
        Ok(e) => (
            NssResult {
                name: given.into(),
                rtype,
                source: "nss",
                status: "NOERROR",
                canonical_name: Some(e.hostname),
                aliases: e.aliases,
                addresses: e.addresses,
                error: None,
            },
            Exit::Success,
        ),
        Err(HostError { code }) => {
            let err = HostError { code };
            let status = match code {
                1 => "NOTFOUND",
                4 => "NODATA",
                2 => "TRYAGAIN",
                _ => "ERROR",
            };
            (
                NssResult {
                    name: given.into(),
                    rtype,
                    source: "nss",
                    status,
                    canonical_name: None,
                    aliases: Vec::new(),
                    addresses: Vec::new(),
                    error: Some(err.info()),
                },
                err.exit(),
            )
        }
    })
}

/// Runs `netkit lookup`.
pub fn run(args: &LookupArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let plan = plan(args, Path::new("/etc/resolv.conf"))?;
    if let Target::Nss = plan.target {
        return run_nss(&plan, args, out);
    }
    if plan.batch || plan.names.len() > 256 {
        crate::echo::raise_nofile_limit();
    }
    let rt = crate::runtime::current_thread()?;
    let plan = Arc::new(plan);
    rt.block_on(async {
        let limit = Arc::new(tokio::sync::Semaphore::new(args.concurrency as usize));
        let mut jobs = Vec::new();
        let servers: Vec<Option<SocketAddr>> = match &plan.target {
            Target::Servers(s) => s.iter().copied().map(Some).collect(),
            _ => vec![None],
        };
        for (i, _) in plan.names.iter().enumerate() {
            for rtype in &plan.types {
                for server in &servers {
                    let (plan, limit, rtype, server) =
                        (Arc::clone(&plan), Arc::clone(&limit), *rtype, *server);
                    jobs.push(tokio::spawn(async move {
                        let _permit = limit.acquire_owned().await;
                        let (given, name) = &plan.names[i];
                        match (&plan.target, server) {
                            (_, Some(s)) => dns::resolve_at(given, name, rtype, s, plan.opts).await,
                            (Target::System(Ok(cfg)), None) => {
                                dns::resolve_system(given, name, rtype, cfg, plan.opts).await
                            }
                            (Target::System(Err(why)), None) => {
                                dns::no_nameserver(given, rtype, why)
                            }
                            _ => dns::no_nameserver(given, rtype, "no target"),
                        }
                    }));
                }
            }
        }
        let mut exit = Exit::Success;
        let verbose = out.verbose() > 0;
        let per_name = plan.types.len() * servers.len();
        let mut group: Vec<LookupResult> = Vec::with_capacity(per_name);
        for job in jobs {
            let r = job.await.map_err(|e| NetkitError::System {
                call: "look-up task",
                source: std::io::Error::other(e),
            })?;
            exit = exit.max(r.exit());
            if out.is_json() {
                out.json(&r)?;
                continue;
            }
            group.push(r);
            if group.len() == per_name {
                render(out.human(), &plan, &group, args.short, verbose)?;
                group.clear();
            }
        }
        Ok::<Exit, anyhow::Error>(exit)
    })
}

fn trim_dot(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

/// Prints the results of one name (all its types and servers).
fn render(
    w: &mut dyn Write,
    plan: &Plan,
    group: &[LookupResult],
    short: bool,
    verbose: bool,
) -> std::io::Result<()> {
    if short {
        for r in group {
            for a in r.values() {
                writeln!(w, "{}", escape(&a.value))?;
            }
        }
        return Ok(());
    }
    if plan.batch {
        for r in group {
            let values: Vec<String> = r.values().map(|a| escape(&a.value).into_owned()).collect();
            let status = if r.status == "NOERROR" {
                r.status.normal()
            } else {
                r.status.red()
            };
            writeln!(
                w,
                "{}  {}  {status}  {}",
                escape(&r.name),
                r.rtype,
                values.join(" ")
            )?;
        }
        return Ok(());
    }
    let explicit = matches!(plan.target, Target::Servers(_));
    if plan.default_types {
        // gethostbyname_ex's view: one block per name (and server).
        let servers: Vec<Option<String>> = {
            let mut s: Vec<Option<String>> = Vec::new();
            for r in group {
                if !s.contains(&r.server) {
                    s.push(r.server.clone());
                }
            }
            s
        };
        for server in servers {
            let rs: Vec<&LookupResult> = group
                .iter()
                .filter(|r| !explicit || r.server == server)
                .collect();
            writeln!(w, "{}", escape(&group[0].name))?;
            if explicit {
                if let Some(s) = &server {
                    writeln!(w, "  Server   : {s}")?;
                }
            }
            let ok: Vec<&&LookupResult> = rs.iter().filter(|r| r.status == "NOERROR").collect();
            if ok.is_empty() {
                let worst = rs.iter().max_by_key(|r| r.exit()).copied();
                let why = worst
                    .and_then(|r| r.error.as_ref())
                    .map_or_else(|| "no answer".to_string(), |e| e.message.clone());
                let status = worst.map_or("ERROR", |r| r.status);
                let shown = if status == "NODATA" {
                    "no address (NODATA)".to_string()
                } else {
                    format!("{status}: {why}")
                };
                writeln!(w, "  {}", format!("ERROR: {shown}").red())?;
                writeln!(w)?;
                continue;
            }
            let first = ok[0];
            writeln!(
                w,
                "  Hostname : {}",
                escape(trim_dot(first.canonical_name.as_deref().unwrap_or("")))
            )?;
            let aliases: Vec<String> = first
                .aliases
                .iter()
                .map(|a| escape(trim_dot(a)).into_owned())
                .collect();
            writeln!(
                w,
                "  Aliases  : {}",
                if aliases.is_empty() {
                    "-".to_string()
                } else {
                    aliases.join(", ")
                }
            )?;
            let addrs: Vec<String> = ok
                .iter()
                .flat_map(|r| {
                    r.values()
                        .map(|a| format!("{} (ttl {})", escape(&a.value), a.ttl))
                        .collect::<Vec<_>>()
                })
                .collect();
            writeln!(w, "  Addresses: {}", addrs.join(", "))?;
            writeln!(w)?;
        }
        return Ok(());
    }
    for r in group {
        let mut head = format!(
            ";; {} {}",
            escape(r.query_name.as_deref().unwrap_or(&r.name)),
            r.rtype
        );
        if let Some(s) = &r.server {
            head.push_str(&format!(" @{s}"));
        }
        head.push_str(&format!(": {}", r.status));
        if !r.flags.is_empty() {
            head.push_str(&format!(", flags {}", r.flags.join(" ")));
        }
        if let (Some(ms), Some(t)) = (r.rtt_ms, r.transport) {
            head.push_str(&format!(", {ms:.2} ms over {t}"));
        }
        if let Some(e) = &r.error {
            if !matches!(r.status, "NXDOMAIN" | "NODATA") {
                head.push_str(&format!(" ({})", e.message));
            }
        }
        writeln!(
            w,
            "{}",
            if r.status == "NOERROR" {
                head.dimmed()
            } else {
                head.yellow()
            }
        )?;
        let nw = r.answers.iter().map(|a| a.name.len()).max().unwrap_or(0);
        for a in &r.answers {
            writeln!(
                w,
                "{:nw$}  {:>6}  {:5}  {}",
                escape(&a.name),
                a.ttl,
                a.rtype,
                escape(&a.value)
            )?;
        }
        if r.status != "NOERROR" || verbose {
            for a in &r.authority {
                writeln!(
                    w,
                    "{}",
                    format!(
                        ";; authority: {}  {}  {}  {}",
                        escape(&a.name),
                        a.ttl,
                        a.rtype,
                        escape(&a.value)
                    )
                    .dimmed()
                )?;
            }
        }
    }
    Ok(())
}

fn run_nss(plan: &Plan, args: &LookupArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let mut exit = Exit::Success;
    for (given, _) in &plan.names {
        let (v4, e4) = nss(given, libc::AF_INET)?;
        let (v6, e6) = nss(given, libc::AF_INET6)?;
        // Found in either family is a positive answer for the name.
        let name_exit = if e4 == Exit::Success || e6 == Exit::Success {
            Exit::Success
        } else {
            e4.max(e6)
        };
        exit = exit.max(name_exit);
        if out.is_json() {
            out.json(&v4)?;
            out.json(&v6)?;
            continue;
        }
        let w = out.human();
        if args.short {
            for a in v4.addresses.iter().chain(&v6.addresses) {
                writeln!(w, "{a}")?;
            }
            continue;
        }
        writeln!(w, "{}", escape(given))?;
        let found = if v4.status == "NOERROR" {
            Some(&v4)
        } else if v6.status == "NOERROR" {
            Some(&v6)
        } else {
            None
        };
        match found {
            None => writeln!(
                w,
                "  {}",
                format!(
                    "ERROR: {}",
                    v4.error.as_ref().map_or("", |e| e.message.as_str())
                )
                .red()
            )?,
            Some(f) => {
                // The seed's layout, Python's list reprs included.
                writeln!(
                    w,
                    "  Hostname: {}",
                    escape(f.canonical_name.as_deref().unwrap_or(""))
                )?;
                writeln!(
                    w,
                    "  Aliases : {}",
                    crate::sanitize::python_list(&f.aliases)
                )?;
                let all: Vec<String> = v4.addresses.iter().chain(&v6.addresses).cloned().collect();
                writeln!(w, " Addresses: {}", crate::sanitize::python_list(&all))?;
            }
        }
        writeln!(w)?;
    }
    Ok(exit)
}
