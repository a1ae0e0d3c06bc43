//! `netkit services`: getservbyname / getservbyport.

use colored::Colorize;
use serde::Serialize;

use crate::cli::ServicesArgs;
use crate::error::{ErrorInfo, Result};
use crate::exit::Exit;
use crate::netdb::DbSource;
use crate::output::{self, Printer};
use crate::sanitize::escape;
use crate::services::{ServiceDb, ServiceEntry, ServiceQuery};

/// The answer to one query.
#[derive(Debug, Serialize)]
pub struct ServiceAnswer {
    /// Always `"service"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The query as given.
    pub query: String,
    /// `name`, `port` or `url`.
    pub query_kind: &'static str,
    /// The protocol filter in force, if any.
    pub protocol: Option<String>,
    /// The official name of the first matching entry (glibc's answer).
    pub name: Option<String>,
    /// Its port.
    pub port: Option<u16>,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// The protocols of every matching entry, in file order.
    pub protocols: Vec<String>,
    /// Every matching entry, in file order.
    pub entries: Vec<ServiceEntry>,
    /// Where the answer came from.
    pub source: DbSource,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    #[serde(skip)]
    label: String,
}

/// One entry of `--all`.
#[derive(Debug, Serialize)]
pub struct ServiceListEntry<'a> {
    /// Always `"service_entry"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The entry.
    #[serde(flatten)]
    pub entry: &'a ServiceEntry,
    /// Where it came from.
    pub source: &'a DbSource,
}

/// Answers one parsed query.
pub fn answer(
    db: &ServiceDb,
    text: &str,
    query: &ServiceQuery,
    filter: Option<&str>,
) -> ServiceAnswer {
    let (query_kind, label, matches, asked) = match query {
        ServiceQuery::Name(n) => (
            "name",
            n.clone(),
            db.by_name(n, filter),
            format!("no service named '{}'", escape(n)),
        ),
        ServiceQuery::Url { scheme } => (
            "url",
            scheme.clone(),
            db.by_name(scheme, filter),
            format!("no service for URL scheme '{scheme}'"),
        ),
        ServiceQuery::Port(p) => (
            "port",
            p.to_string(),
            db.by_port(*p, filter),
            format!("no service on port {p}"),
        ),
    };
    let first = matches.first();
    let error = first.is_none().then(|| {
        let mut message = asked;
        if let Some(p) = filter {
            message.push_str(&format!(" for {p}"));
        }
        message.push_str(&format!(" in {}", db.source));
        let suggestion = match query {
            ServiceQuery::Name(n) => db.suggest(n),
            _ => None,
        };
        if let Some(s) = suggestion {
            message.push_str(&format!(" (names are case-sensitive: did you mean '{s}'?)"));
        }
        ErrorInfo {
            code: "not_found",
            message,
        }
    });
    let mut protocols: Vec<String> = Vec::new();
    for e in &matches {
        if !protocols.contains(&e.protocol) {
            protocols.push(e.protocol.clone());
        }
    }
    ServiceAnswer {
        kind: "service",
        query: text.to_string(),
        query_kind,
        protocol: filter.map(str::to_string),
        name: first.map(|e| e.name.clone()),
        port: first.map(|e| e.port),
        aliases: first.map(|e| e.aliases.clone()).unwrap_or_default(),
        protocols,
        entries: matches.into_iter().cloned().collect(),
        source: db.source.clone(),
        error,
        label,
    }
}

/// Parses every query, failing on the first bad one.
pub fn parse_queries(queries: &[String]) -> Result<Vec<(ServiceQuery, Option<String>)>> {
    queries.iter().map(|q| ServiceQuery::parse(q)).collect()
}

/// Runs `netkit services`.
pub fn run(args: &ServicesArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let queries = parse_queries(&args.queries)?;
    let db = ServiceDb::load(&args.source.choice())?;
    let filter = args.proto.map(|p| p.as_str());
    if args.all {
        return list_all(&db, filter, out);
    }
    let answers: Vec<ServiceAnswer> = args
        .queries
        .iter()
        .zip(&queries)
        .map(|(text, (q, own))| answer(&db, text, q, own.as_deref().or(filter)))
        .collect();
    let exit = Exit::worst(answers.iter().map(|a| {
        if a.error.is_some() {
            Exit::Negative
        } else {
            Exit::Success
        }
    }));
    if out.is_json() {
        for a in &answers {
            out.json(a)?;
        }
        return Ok(exit);
    }
    let verbose = out.verbose();
    let width = answers
        .iter()
        .map(|a| a.label.chars().count())
        .max()
        .unwrap_or(0);
    let w = out.human();
    for a in &answers {
        let label = format!("{:>width$}", escape(&a.label));
        match (&a.error, a.query_kind) {
            (Some(e), _) => writeln!(w, "{label} : {}", format!("not found: {}", e.message).red())?,
            (None, "port") => writeln!(
                w,
                "{label} : {}",
                a.name.as_deref().map(escape).unwrap_or_default()
            )?,
            (None, _) => writeln!(w, "{label} : {}", a.port.unwrap_or_default())?,
        }
        if verbose > 0 && a.error.is_none() {
            let detail = format!(
                "{} · aliases: {} · {}",
                a.protocols.join(", "),
                if a.aliases.is_empty() {
                    "none".to_string()
                } else {
                    escape(&a.aliases.join(" ")).into_owned()
                },
                a.source
            );
            writeln!(w, "{:width$}   {}", "", detail.dimmed())?;
        }
    }
    if verbose > 1 {
        for s in &db.skipped {
            writeln!(
                w,
                "{}",
                format!("skipped {}:{}: {}", db.source, s.line, escape(&s.reason)).dimmed()
            )?;
        }
    }
    Ok(exit)
}

fn list_all(db: &ServiceDb, filter: Option<&str>, out: &mut Printer) -> anyhow::Result<Exit> {
    let entries: Vec<&ServiceEntry> = db
        .entries
        .iter()
        .filter(|e| filter.is_none_or(|p| e.protocol == p))
        .collect();
    if out.is_json() {
        for entry in &entries {
            out.json(&ServiceListEntry {
                kind: "service_entry",
                entry,
                source: &db.source,
            })?;
        }
    } else {
        let rows = entries
            .iter()
            .map(|e| {
                vec![
                    escape(&e.name).into_owned(),
                    e.port.to_string(),
                    escape(&e.protocol).into_owned(),
                    escape(&e.aliases.join(" ")).into_owned(),
                ]
            })
            .collect();
        writeln!(
            out.human(),
            "{}",
            output::table(&["NAME", "PORT", "PROTO", "ALIASES"], rows)
        )?;
    }
    Ok(if entries.is_empty() {
        Exit::Negative
    } else {
        Exit::Success
    })
}
