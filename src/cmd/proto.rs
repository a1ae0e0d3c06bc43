//! `netkit proto`: getprotobyname / getprotobynumber.

use crate::addr::proto::{self, ProtoDb, ProtoQuery, ProtoTable};
use crate::cli::ProtoArgs;
use crate::cli::help::{Help, ex, row};
use crate::error::Result;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

/// Runs `netkit proto`.
pub fn run(args: &ProtoArgs, out: &mut Printer, _: &Stop) -> anyhow::Result<Exit> {
    let queries = args
        .queries
        .iter()
        .map(|q| ProtoQuery::parse(q))
        .collect::<Result<Vec<_>>>()?;
    let db = ProtoDb::load(&args.source.choice())?;
    if args.all {
        let entries = db.listing();
        out.emit_group(&ProtoTable(&entries), &entries)?;
        return Ok(if entries.is_empty() {
            Exit::Negative
        } else {
            Exit::Success
        });
    }
    let mut answers = args
        .queries
        .iter()
        .zip(&queries)
        .map(|(text, q)| db.answer(text, q))
        .collect::<Result<Vec<_>>>()?;
    proto::align(&mut answers);
    let mut exit = Exit::Success;
    for a in &answers {
        if let Some(e) = &a.error {
            exit = exit.max(e.exit());
        }
        out.emit(a)?;
    }
    Ok(exit)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "The seed's getprotobyname loop",
            "netkit proto icmp udp tcp",
        ),
        ex("A number to its name", "netkit proto 132"),
        ex(
            "Every protocol, from the built-in IANA table",
            "netkit proto --all --builtin",
        ),
    ],
    exits: &[
        row(0, "every query was answered"),
        row(1, "a name or number is not in the table"),
        row(
            2,
            "a malformed query, a number above 255, an unreadable --db file",
        ),
    ],
};
