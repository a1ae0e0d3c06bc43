//! `netkit fqdn`: Python's getfqdn.

use serde::Serialize;

use crate::cli::FqdnArgs;
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve;
use crate::sanitize::escape;

/// One answer.
#[derive(Debug, Serialize)]
pub struct FqdnAnswer {
    /// Always `"fqdn"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The name as given ("" for this host).
    pub name: String,
    /// getfqdn's answer.
    pub fqdn: String,
}

/// Runs `netkit fqdn`.
pub fn run(args: &FqdnArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let names: Vec<String> = if args.names.is_empty() {
        vec![String::new()]
    } else {
        args.names.clone()
    };
    let mut answers = Vec::new();
    for n in &names {
        if n.contains('\0') {
            return Err(crate::error::NetkitError::invalid("a name contains a NUL byte").into());
        }
        answers.push(FqdnAnswer {
            kind: "fqdn",
            name: n.clone(),
            fqdn: resolve::getfqdn(n)?,
        });
    }
    if out.is_json() {
        for a in &answers {
            out.json(a)?;
        }
        return Ok(Exit::Success);
    }
    let width = answers
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0);
    let w = out.human();
    for a in &answers {
        if args.names.is_empty() {
            writeln!(w, "{}", escape(&a.fqdn))?;
        } else {
            writeln!(w, "{:>width$} : {}", escape(&a.name), escape(&a.fqdn))?;
        }
    }
    Ok(Exit::Success)
}
