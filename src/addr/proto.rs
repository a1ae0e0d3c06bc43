//! IP protocol numbers: `getprotobyname` and `getprotobynumber` over
//! `/etc/protocols`, a `--db` file or the built-in IANA table.

use std::path::Path;

use serde::Serialize;

use crate::addr::netdb::{self, DbChoice, DbSource, SkippedLine};
use crate::error::{NetkitError, Result};

/// The system protocols file.
pub const SYSTEM_PATH: &str = "/etc/protocols";
/// The built-in table: netbase's entries plus the rest of IANA's registry.
pub const BUILTIN: &str = include_str!("../../data/protocols");

/// One line of a protocols file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProtoEntry {
    /// The official name.
    pub name: String,
    /// The protocol number (8 bits on the wire; Linux adds a few above 255).
    pub number: u32,
    /// Other names.
    pub aliases: Vec<String>,
}

/// A parsed protocols table.
#[derive(Debug, Clone)]
pub struct ProtoDb {
    /// Where it came from.
    pub source: DbSource,
    /// The entries, in file order.
    pub entries: Vec<ProtoEntry>,
    /// Lines that were not valid entries.
    pub skipped: Vec<SkippedLine>,
}

impl ProtoDb {
    /// Loads the table named by `choice`.
    pub fn load(choice: &DbChoice) -> Result<Self> {
        let (text, source) = netdb::load(choice, Path::new(SYSTEM_PATH), BUILTIN)?;
        Ok(Self::parse(&text, source))
    }

    /// Parses protocols-file text.
    pub fn parse(text: &str, source: DbSource) -> Self {
        let mut entries = Vec::new();
        let mut skipped = Vec::new();
        let mut f = Vec::new();
        for (i, line) in netdb::lines(text).enumerate() {
            netdb::fields_into(line, &mut f);
            if f.is_empty() {
                continue;
            }
            match f.get(1).map(|n| n.parse::<u32>()) {
                Some(Ok(number)) => entries.push(ProtoEntry {
                    name: f[0].to_string(),
                    number,
                    aliases: f[2..].iter().map(|s| s.to_string()).collect(),
                }),
                Some(Err(_)) => skipped.push(SkippedLine {
                    line: i + 1,
                    reason: format!("'{}' is not a protocol number", f[1]),
                }),
                None => skipped.push(SkippedLine {
                    line: i + 1,
                    reason: "no protocol number".into(),
                }),
            }
        }
        ProtoDb {
            source,
            entries,
            skipped,
        }
    }

    /// The first entry whose name or alias is `name` (exact, as glibc).
    pub fn by_name(&self, name: &str) -> Option<&ProtoEntry> {
        self.entries
            .iter()
            .find(|e| e.name == name || e.aliases.iter().any(|a| a == name))
    }

    /// The first entry with this number.
    pub fn by_number(&self, number: u32) -> Option<&ProtoEntry> {
        self.entries.iter().find(|e| e.number == number)
    }

    /// A name that differs from `name` only in case, to suggest.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        netdb::suggest(
            self.entries
                .iter()
                .flat_map(|e| std::iter::once(&e.name).chain(&e.aliases)),
            name,
        )
    }
}

/// The Linux `IPPROTO_*` constant for a protocol number, if there is one
/// (`<netinet/in.h>`; for 0 the name `IPPROTO_IP`, as Python shows it).
pub fn ipproto_constant(number: u32) -> Option<&'static str> {
    Some(match number {
        0 => "IPPROTO_IP",
        1 => "IPPROTO_ICMP",
        2 => "IPPROTO_IGMP",
        4 => "IPPROTO_IPIP",
        6 => "IPPROTO_TCP",
        8 => "IPPROTO_EGP",
        12 => "IPPROTO_PUP",
        17 => "IPPROTO_UDP",
        22 => "IPPROTO_IDP",
        29 => "IPPROTO_TP",
        33 => "IPPROTO_DCCP",
        41 => "IPPROTO_IPV6",
        43 => "IPPROTO_ROUTING",
        44 => "IPPROTO_FRAGMENT",
        46 => "IPPROTO_RSVP",
        47 => "IPPROTO_GRE",
        50 => "IPPROTO_ESP",
        51 => "IPPROTO_AH",
        58 => "IPPROTO_ICMPV6",
        59 => "IPPROTO_NONE",
        60 => "IPPROTO_DSTOPTS",
        92 => "IPPROTO_MTP",
        94 => "IPPROTO_BEETPH",
        98 => "IPPROTO_ENCAP",
        103 => "IPPROTO_PIM",
        108 => "IPPROTO_COMP",
        115 => "IPPROTO_L2TP",
        132 => "IPPROTO_SCTP",
        135 => "IPPROTO_MH",
        136 => "IPPROTO_UDPLITE",
        137 => "IPPROTO_MPLS",
        143 => "IPPROTO_ETHERNET",
        255 => "IPPROTO_RAW",
        262 => "IPPROTO_MPTCP",
        _ => return None,
    })
}

/// What the user asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoQuery {
    /// A protocol name (`icmp`).
    Name(String),
    /// A number (`6`).
    Number(u32),
}

impl ProtoQuery {
    /// Parses a name or a number. Numbers above 255 are accepted only for
    /// the look-up to refuse them later unless the table lists them.
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid protocol '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return t
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 65535)
                .map(ProtoQuery::Number)
                .ok_or_else(|| bad("IP protocol numbers are 0-255"));
        }
        if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("protocol numbers are not negative"));
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '/')
        {
            return Err(bad(
                "protocol names cannot hold spaces, '/', '#' or control characters",
            ));
        }
        Ok(ProtoQuery::Name(t.to_string()))
    }
}

/// The answer to one query.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProtoAnswer {
    /// Whether the table has an answer.
    pub ok: bool,
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
    pub error: Option<crate::error::Failure>,
    /// Column widths shared by every answer of the run (label, number, constant).
    #[serde(skip)]
    pub widths: (usize, usize, usize),
}

impl crate::output::Report for ProtoAnswer {
    const TYPE: &'static str = "protocol";
}

impl ProtoAnswer {
    /// What the human output shows left of the arrow.
    fn label(&self) -> String {
        match (&self.name, self.query.parse::<u32>().is_ok()) {
            (Some(name), true) => name.clone(),
            _ => self.query.clone(),
        }
    }
}

/// Aligns the columns of several answers, as the seed's output is aligned.
pub fn align(answers: &mut [ProtoAnswer]) {
    let lw = answers
        .iter()
        .map(|a| a.label().chars().count())
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
        a.widths = (lw, nw, cw);
    }
}

impl ProtoDb {
    /// Answers one parsed query.
    pub fn answer(&self, text: &str, query: &ProtoQuery) -> Result<ProtoAnswer> {
        use crate::sanitize::escape;
        let found = match query {
            ProtoQuery::Name(n) => self.by_name(n),
            ProtoQuery::Number(n) => {
                let entry = self.by_number(*n);
                if *n > 255 && entry.is_none() {
                    return Err(NetkitError::invalid(format!(
                        "invalid protocol '{}': IP protocol numbers are 0-255",
                        crate::sanitize::brief(text, 64)
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
                ProtoQuery::Name(n) => {
                    format!("no protocol named '{}' in {}", escape(n), self.source)
                }
                ProtoQuery::Number(n) => {
                    format!("no name for protocol number {n} in {}", self.source)
                }
            };
            if let ProtoQuery::Name(n) = query
                && let Some(s) = self.suggest(n)
            {
                message.push_str(&format!(" (did you mean '{}'?)", escape(s)));
            }
            crate::error::Failure::new(crate::exit::Reason::NotFound, message)
        });
        Ok(ProtoAnswer {
            ok: error.is_none(),
            query: text.to_string(),
            name: found.map(|e| e.name.clone()),
            number,
            aliases: found.map(|e| e.aliases.clone()).unwrap_or_default(),
            constant: number.and_then(ipproto_constant),
            source: self.source.clone(),
            error,
            widths: (0, 2, 0),
        })
    }

    /// Every entry, for `--all`.
    pub fn listing(&self) -> Vec<ProtoListEntry<'_>> {
        self.entries
            .iter()
            .map(|entry| ProtoListEntry {
                ok: true,
                entry,
                constant: ipproto_constant(entry.number),
                source: &self.source,
            })
            .collect()
    }
}

/// The seed's layout: `icmp ->  1 (IPPROTO_ICMP =  1)`, columns aligned.
impl crate::output::Render for ProtoAnswer {
    fn render(
        &self,
        w: &mut dyn std::io::Write,
        view: &crate::output::View,
    ) -> std::io::Result<()> {
        use crate::output::{pad_left, pad_right};
        use crate::sanitize::escape;
        use colored::Colorize;
        let (lw, nw, cw) = self.widths;
        let l = pad_left(&escape(&self.label()), lw);
        let num = |n: u32| pad_left(&n.to_string(), nw);
        match (&self.error, self.number) {
            (Some(e), Some(n)) => {
                writeln!(w, "{l} -> {} {}", num(n), format!("({})", e.message).red())?
            }
            (Some(e), None) => writeln!(w, "{l} -> {}", format!("not found: {}", e.message).red())?,
            (None, None) => writeln!(w, "{l} -> ?")?,
            (None, Some(n)) => match self.constant {
                Some(c) => writeln!(w, "{l} -> {} ({} = {})", num(n), pad_right(c, cw), num(n))?,
                None => writeln!(w, "{l} -> {} {}", num(n), "(no IPPROTO_ constant)".dimmed())?,
            },
        }
        if view.verbose > 0 && self.error.is_none() {
            let aliases = if self.aliases.is_empty() {
                "none".to_string()
            } else {
                self.aliases.join(" ")
            };
            let detail = format!(
                "{} · aliases: {} · {}",
                self.name.as_deref().unwrap_or(""),
                aliases,
                self.source
            );
            writeln!(w, "{}    {}", pad_left("", lw), escape(&detail).dimmed())?;
        }
        Ok(())
    }
}

/// One entry of `--all`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProtoListEntry<'a> {
    /// Always true.
    pub ok: bool,
    /// The entry.
    #[serde(flatten)]
    pub entry: &'a ProtoEntry,
    /// The Linux constant.
    pub constant: Option<&'static str>,
    /// Where it came from.
    pub source: &'a DbSource,
}

impl<'a> crate::output::Report for ProtoListEntry<'a> {
    const TYPE: &'static str = "protocol_entry";
}

/// `--all` for people: one table.
pub struct ProtoTable<'a>(pub &'a [ProtoListEntry<'a>]);

impl crate::output::Render for ProtoTable<'_> {
    fn render(&self, w: &mut dyn std::io::Write, _: &crate::output::View) -> std::io::Result<()> {
        use crate::sanitize::escape;
        let rows = self
            .0
            .iter()
            .map(|e| {
                vec![
                    e.entry.number.to_string(),
                    escape(&e.entry.name).into_owned(),
                    escape(&e.entry.aliases.join(" ")).into_owned(),
                    e.constant.unwrap_or("").to_string(),
                ]
            })
            .collect();
        w.write_all(
            crate::output::table(&["NUMBER", "NAME", "ALIASES", "CONSTANT"], rows).as_bytes(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_protocols_in_builtin() {
        let db = ProtoDb::parse(BUILTIN, DbSource::Builtin);
        assert!(db.skipped.is_empty(), "{:?}", db.skipped);
        for (name, number) in [
            ("icmp", 1),
            ("udp", 17),
            ("tcp", 6),
            ("TCP", 6),
            ("sctp", 132),
            ("ipv6-icmp", 58),
        ] {
            assert_eq!(db.by_name(name).map(|e| e.number), Some(number), "{name}");
        }
        // Every IANA number 0-145 has a name, except the "any ..." ones.
        let unnamed: Vec<u32> = (0..=145).filter(|n| db.by_number(*n).is_none()).collect();
        assert_eq!(unnamed, vec![61, 63, 68, 99, 114]);
        assert_eq!(ipproto_constant(1), Some("IPPROTO_ICMP"));
        assert_eq!(ipproto_constant(3), None);
    }

    #[test]
    fn query_forms() {
        assert_eq!(
            ProtoQuery::parse("icmp").unwrap(),
            ProtoQuery::Name("icmp".into())
        );
        assert_eq!(ProtoQuery::parse("17").unwrap(), ProtoQuery::Number(17));
        for bad in ["", "-1", "99999", "a b", "tc/p", "x#"] {
            assert!(ProtoQuery::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn skips_malformed_lines() {
        let db = ProtoDb::parse("ok 1 OK\nbad x\nalone\n", DbSource::Builtin);
        assert_eq!(db.entries.len(), 1);
        assert_eq!(
            db.skipped.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![2, 3]
        );
    }
}
