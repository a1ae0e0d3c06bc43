//! `netkit services`: getservbyname / getservbyport.

use crate::addr::services::{ServiceDb, ServiceQuery, ServiceTable, SkippedReport};
use crate::cli::ServicesArgs;
use crate::cli::help::{Help, ex, row};
use crate::error::Result;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

/// Runs `netkit services`.
pub fn run(args: &ServicesArgs, out: &mut Printer, _: &Stop) -> anyhow::Result<Exit> {
    let queries = args
        .queries
        .iter()
        .map(|q| ServiceQuery::parse(q))
        .collect::<Result<Vec<_>>>()?;
    let db = ServiceDb::load(&args.source.choice())?;
    let filter = args.proto.map(|p| p.as_str());
    if args.all {
        let entries = db.listing(filter);
        let exit = if entries.is_empty() {
            Exit::Negative
        } else {
            Exit::Success
        };
        let items: Vec<_> = db.listing(filter);
        out.emit_group(&ServiceTable(entries), &items)?;
        return Ok(exit);
    }
    let mut answers: Vec<_> = args
        .queries
        .iter()
        .zip(&queries)
        .map(|(text, (q, own))| db.answer(text, q, own.as_deref().or(filter)))
        .collect();
    let width = answers.iter().map(|a| a.width).max().unwrap_or(0);
    let mut exit = Exit::Success;
    for a in &mut answers {
        a.width = width;
        if let Some(e) = &a.error {
            exit = exit.max(e.exit());
        }
        out.emit(a)?;
    }
    if out.view().verbose > 1 {
        out.human(&SkippedReport { db: &db })?;
    }
    Ok(exit)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "Ports of the seed's URL schemes",
            "netkit services http https ftp gopher smtp imap imaps pop3 pop3s",
        ),
        ex("The service on a port", "netkit services 443 993"),
        ex("A URL's scheme", "netkit services imaps://mail.example.com"),
        ex("UDP only", "netkit services --proto udp 53 syslog"),
        ex(
            "Every UDP entry as JSON",
            "netkit services --all --proto udp --json",
        ),
        ex(
            "Another services file",
            "netkit services --db ./services http",
        ),
    ],
    exits: &[
        row(0, "every query was answered"),
        row(1, "a name or port is not in the table"),
        row(
            2,
            "a malformed query or port, an unreadable or oversized --db file",
        ),
    ],
};
