//! `netkit proto`: getprotobyname / getprotobynumber.

use std::io::Write;

use colored::Colorize;
use serde::Serialize;

use crate::cli::ProtoArgs;
use crate::error::{ErrorInfo, NetkitError, Result};
use crate::exit::Exit;
use crate::netdb::DbSource;
use crate::output::{self, Printer};
use crate::proto::{ProtoDb, ProtoEntry, ProtoQuery, ipproto_constant};
use crate::sanitize::escape;

/// The answer to one query.
#[derive(Debug, Serialize)]
pub struct ProtoAnswer {
    /// Always `"protocol"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The query as given.
    pub query: String,
    /// The official name.
    pub name: Option<String>,
    /// The protocol number.
    pub number: Option<u32>,
    /// Other names.
    pub aliases: Vec<String>,
    /// The Linux `IPPROTO_*` constant with this number, if any.
    pub constant: Option<&'static str>,
    /// Where the answer came from.
    pub source: DbSource,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// One entry of `--all`.
#[derive(Debug, Serialize)]
pub struct ProtoListEntry<'a> {
    /// Always `"protocol_entry"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The entry.
    #[serde(flatten)]
    pub entry: &'a ProtoEntry,
    /// The Linux constant.
    pub constant: Option<&'static str>,
    /// Where it came from.
    pub source: &'a DbSource,
}

/// Answers one parsed query.
pub fn answer(db: &ProtoDb, text: &str, query: &ProtoQuery) -> Result<ProtoAnswer> {
    let found = match query {
        ProtoQuery::Name(n) => db.by_name(n),
        ProtoQuery::Number(n) => {
            let entry = db.by_number(*n);
            if *n > 255 && entry.is_none() {
                return Err(NetkitError::invalid(format!(
                    "invalid protocol '{text}': IP protocol numbers are 0-255"
                )));
            }
            entry
        }
    };
    let number = found.map(|e| e.number).or(match query {
        ProtoQuery::Number(n) => Some(*n),
        ProtoQuery::Name(_) => None,
    });
    let error = found.is_none().then(|| {
        let mut message = match query {
            ProtoQuery::Name(n) => format!("no protocol named '{}' in {}", escape(n), db.source),
            ProtoQuery::Number(n) => format!("no name for protocol number {n} in {}", db.source),
        };
        if let ProtoQuery::Name(n) = query {
            if let Some(s) = db.suggest(n) {
                message.push_str(&format!(" (did you mean '{s}'?)"));
            }
        }
        ErrorInfo {
            code: "not_found",
            message,
        }
    });
    Ok(ProtoAnswer {
        kind: "protocol",
        query: text.to_string(),
        name: found.map(|e| e.name.clone()),
        number,
        aliases: found.map(|e| e.aliases.clone()).unwrap_or_default(),
        constant: number.and_then(ipproto_constant),
        source: db.source.clone(),
        error,
    })
}

/// Runs `netkit proto`.
pub fn run(args: &ProtoArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let queries: Vec<ProtoQuery> = args
        .queries
        .iter()
        .map(|q| ProtoQuery::parse(q))
        .collect::<Result<_>>()?;
    let db = ProtoDb::load(&args.source.choice())?;
    if args.all {
        return list_all(&db, out);
    }
    let answers: Vec<ProtoAnswer> = args
        .queries
        .iter()
        .zip(&queries)
        .map(|(text, q)| answer(&db, text, q))
        .collect::<Result<_>>()?;
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
    render(out.human(), &answers, verbose)?;
    Ok(exit)
}

/// The seed's layout: `icmp ->  1 (IPPROTO_ICMP =  1)`, columns aligned.
fn render(w: &mut dyn Write, answers: &[ProtoAnswer], verbose: u8) -> std::io::Result<()> {
    let label = |a: &ProtoAnswer| match (&a.name, a.query.parse::<u32>().is_ok()) {
        (Some(name), true) => name.clone(),
        _ => a.query.clone(),
    };
    let lw = answers
        .iter()
        .map(|a| label(a).chars().count())
        .max()
        .unwrap_or(0);
    let nw = answers
        .iter()
        .filter_map(|a| a.number)
        .map(|n| n.to_string().len())
        .max()
        .unwrap_or(0)
        .max(2);
    let cw = answers
        .iter()
        .filter_map(|a| a.constant)
        .map(str::len)
        .max()
        .unwrap_or(0);
    for a in answers {
        let l = format!("{:>lw$}", escape(&label(a)));
        match (&a.error, a.number) {
            (Some(e), Some(n)) => {
                writeln!(w, "{l} -> {n:>nw$} {}", format!("({})", e.message).red())?
            }
            (Some(e), None) => writeln!(w, "{l} -> {}", format!("not found: {}", e.message).red())?,
            (None, None) => writeln!(w, "{l} -> ?")?,
            (None, Some(n)) => match a.constant {
                Some(c) => writeln!(w, "{l} -> {n:>nw$} ({c:<cw$} = {n:>nw$})")?,
                None => writeln!(w, "{l} -> {n:>nw$} {}", "(no IPPROTO_ constant)".dimmed())?,
            },
        }
        if verbose > 0 && a.error.is_none() {
            let detail = format!(
                "{} · aliases: {} · {}",
                a.name.as_deref().unwrap_or(""),
                if a.aliases.is_empty() {
                    "none".into()
                } else {
                    a.aliases.join(" ")
                },
                a.source
            );
            writeln!(w, "{:lw$}    {}", "", escape(&detail).dimmed())?;
        }
    }
    Ok(())
}

fn list_all(db: &ProtoDb, out: &mut Printer) -> anyhow::Result<Exit> {
    if out.is_json() {
        for entry in &db.entries {
            out.json(&ProtoListEntry {
                kind: "protocol_entry",
                entry,
                constant: ipproto_constant(entry.number),
                source: &db.source,
            })?;
        }
    } else {
        let rows = db
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.number.to_string(),
                    escape(&e.name).into_owned(),
                    escape(&e.aliases.join(" ")).into_owned(),
                    ipproto_constant(e.number).unwrap_or("").to_string(),
                ]
            })
            .collect();
        writeln!(
            out.human(),
            "{}",
            output::table(&["NUMBER", "NAME", "ALIASES", "CONSTANT"], rows)
        )?;
    }
    Ok(if db.entries.is_empty() {
        Exit::Negative
    } else {
        Exit::Success
    })
}
