//! `netkit services`: getservbyname / getservbyport.

use crate::addr::services::{ServiceDb, ServiceQuery, ServiceTable, SkippedReport};
use crate::cli::ServicesArgs;
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
