//! How look-ups look to people: gethostbyname_ex's block (the default),
//! dig's sections (`-t`), values only (`--short`, as `dig +short`), or one
//! line per result (`-f` batches).

use std::io::{self, Write};

use colored::Colorize;

use super::dnssec::Security;
use super::lookup::{LookupReport, NssReport};
use super::status::DnsStatus;
use crate::output::{Render, View, pad_left, pad_right};
use crate::sanitize::escape;

/// Which layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A and AAAA as one block per name (and server).
    Host,
    /// dig-style sections per (name, type, server).
    Sections,
    /// Values only, one per line.
    Short,
    /// One line per (name, type, server).
    Batch,
}

/// One name's results, as one block for people.
pub struct LookupGroup<'a> {
    /// The layout.
    pub style: Style,
    /// Every (type, server) result of the name.
    pub results: &'a [LookupReport],
    /// Whether servers were named (`@SERVER`), so blocks say which answered.
    pub explicit_servers: bool,
    /// The batch's columns, shared by its rows.
    pub columns: &'a BatchColumns,
    /// TTLs in units (`1h30m`), as dig +ttlunits.
    pub ttl_units: bool,
    /// Show each answer's OPT pseudo-section (EDNS options were asked).
    pub show_opt: bool,
}

/// A TTL as shown: seconds, or with `units` as dig +ttlunits writes it
/// (`1w1d1h1m1s`, `0s`).
pub fn ttl_text(ttl: u32, units: bool) -> String {
    if !units {
        return ttl.to_string();
    }
    if ttl == 0 {
        return "0s".to_string();
    }
    let mut left = ttl;
    let mut out = String::new();
    for (size, unit) in [
        (604_800, 'w'),
        (86_400, 'd'),
        (3_600, 'h'),
        (60, 'm'),
        (1, 's'),
    ] {
        if left >= size {
            out.push_str(&(left / size).to_string());
            out.push(unit);
            left %= size;
        }
    }
    out
}

/// The columns of `lookup -f` rows. Rows are streamed, so a column is as
/// wide as its widest cell so far, from a floor that fits most names; a
/// cell past the cap overflows its own row instead of widening the rest.
#[derive(Debug)]
pub struct BatchColumns {
    name: std::cell::Cell<usize>,
    qtype: std::cell::Cell<usize>,
}

impl Default for BatchColumns {
    fn default() -> Self {
        BatchColumns {
            name: std::cell::Cell::new(24),
            qtype: std::cell::Cell::new(5),
        }
    }
}

impl BatchColumns {
    const NAME_CAP: usize = 64;

    fn fit(cell: &std::cell::Cell<usize>, len: usize, cap: usize) -> usize {
        if len <= cap && len > cell.get() {
            cell.set(len);
        }
        cell.get()
    }
}

fn trim_dot(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

fn upper(status: impl std::fmt::Display) -> String {
    status.to_string().to_ascii_uppercase()
}

impl Render for LookupGroup<'_> {
    fn render(&self, w: &mut dyn Write, view: &View) -> io::Result<()> {
        match self.style {
            Style::Short => {
                // A bogus answer's data is not printed where only data is;
                // a CNAME chain shared by a name's types (A and AAAA) is
                // printed once, with the first.
                let mut chain_shown: Vec<(&str, &str)> = Vec::new();
                for r in self.results.iter().filter(|r| !is_bogus(r)) {
                    for a in &r.answers {
                        if a.rtype == "CNAME" && r.qtype != "CNAME" {
                            let link = (a.name.as_str(), a.value.as_str());
                            if chain_shown.contains(&link) {
                                continue;
                            }
                            chain_shown.push(link);
                        }
                        writeln!(w, "{}", escape(&a.value))?;
                    }
                }
                Ok(())
            }
            Style::Batch => {
                for r in self.results {
                    let mut values: Vec<String> =
                        r.values().map(|a| escape(&a.value).into_owned()).collect();
                    // ERROR says why (a line that is no name, a refused
                    // query); the other statuses say it themselves.
                    if let (DnsStatus::Error, Some(e)) = (r.status, &r.error) {
                        values.push(format!("({})", escape(&e.message)));
                    }
                    let name = escape(&r.name);
                    let nw = BatchColumns::fit(
                        &self.columns.name,
                        name.chars().count(),
                        BatchColumns::NAME_CAP,
                    );
                    let tw = BatchColumns::fit(&self.columns.qtype, r.qtype.len(), 16);
                    // NXDOMAIN and SERVFAIL are the widest statuses.
                    let status = format!("{:<8}", upper(r.status));
                    let status = if r.ok { status.normal() } else { status.red() };
                    let dnssec = r
                        .dnssec
                        .as_ref()
                        .map(|v| format!("  DNSSEC:{}", v.status))
                        .unwrap_or_default();
                    let line = format!(
                        "{name:<nw$}  {:<tw$}  {status}{dnssec}  {}",
                        r.qtype,
                        values.join(" ")
                    );
                    writeln!(w, "{}", line.trim_end())?;
                }
                Ok(())
            }
            Style::Sections => {
                for r in self.results {
                    sections(w, r, view.verbose > 0, self)?;
                }
                Ok(())
            }
            Style::Host => host_blocks(w, self.results, self),
        }
    }
}

fn sections(
    w: &mut dyn Write,
    r: &LookupReport,
    verbose: bool,
    g: &LookupGroup<'_>,
) -> io::Result<()> {
    let unicode = r
        .query_name_unicode
        .as_deref()
        .map(|u| format!(" ({})", escape(u)))
        .unwrap_or_default();
    let class = r
        .qclass
        .as_deref()
        .map(|c| format!("{c} "))
        .unwrap_or_default();
    let mut head = format!(
        ";; {}{unicode} {class}{}",
        escape(r.query_name.as_deref().unwrap_or(&r.name)),
        r.qtype
    );
    if let Some(s) = &r.server {
        head.push_str(&format!(" @{s}"));
    }
    head.push_str(&format!(": {}", upper(r.status)));
    if !r.flags.is_empty() {
        head.push_str(&format!(", flags {}", r.flags.join(" ")));
    }
    if let (Some(ms), Some(t)) = (r.rtt_ms, r.transport) {
        head.push_str(&format!(", {ms:.2} ms over {t}"));
    }
    if let Some(e) = &r.error
        && !matches!(r.status, DnsStatus::Nxdomain | DnsStatus::Nodata)
    {
        head.push_str(&format!(" ({})", e.message));
    }
    writeln!(w, "{}", if r.ok { head.dimmed() } else { head.yellow() })?;
    opt_lines(w, r, g.show_opt || verbose)?;
    let nw = r
        .answers
        .iter()
        .map(|a| escape(&a.name).chars().count())
        .max()
        .unwrap_or(0);
    for a in &r.answers {
        writeln!(
            w,
            "{}  {}  {}  {}",
            pad_right(&escape(&a.name), nw),
            pad_left(&ttl_text(a.ttl, g.ttl_units), 6),
            pad_right(&a.rtype, 5),
            escape(&a.value)
        )?;
    }
    // Shown in the OPT pseudo-section, where dig has them.
    let ede = if g.show_opt || verbose {
        &[][..]
    } else {
        &r.ede[..]
    };
    for e in ede {
        writeln!(w, "{}", format!(";; {}", ede_words(e)).yellow())?;
    }
    if let Some(v) = &r.dnssec {
        dnssec_lines(w, v, verbose)?;
    }
    if r.records_dropped > 0 {
        writeln!(
            w,
            "{}",
            format!(";; {} records not kept", r.records_dropped).dimmed()
        )?;
    }
    if !r.ok || verbose {
        for a in &r.authority {
            let line = format!(
                ";; authority: {}  {}  {}  {}",
                escape(&a.name),
                ttl_text(a.ttl, g.ttl_units),
                a.rtype,
                escape(&a.value)
            );
            writeln!(w, "{}", line.dimmed())?;
        }
    }
    Ok(())
}

/// An Extended DNS Error in words: `EDE 7 (Signature Expired): text`.
fn ede_words(e: &super::wire::ExtendedError) -> String {
    if e.text.is_empty() {
        format!("EDE {} ({})", e.code, e.name)
    } else {
        format!("EDE {} ({}): {}", e.code, e.name, escape(&e.text))
    }
}

fn is_bogus(r: &LookupReport) -> bool {
    r.dnssec
        .as_ref()
        .is_some_and(|v| v.status == Security::Bogus)
}

/// `;; DNSSEC: STATUS[: why]`, and with -v every link checked.
fn dnssec_lines(w: &mut dyn Write, v: &super::dnssec::Verdict, verbose: bool) -> io::Result<()> {
    let line = match &v.reason {
        Some(why) => format!(";; DNSSEC: {}: {}", v.status, escape(why)),
        None => format!(";; DNSSEC: {}", v.status),
    };
    let line = match v.status {
        Security::Secure => line.green(),
        Security::Bogus => line.red(),
        _ => line.yellow(),
    };
    writeln!(w, "{line}")?;
    if let Some(r) = &v.resolver {
        let ede: Vec<String> = r.ede.iter().map(ede_words).collect();
        let ede = if ede.is_empty() {
            String::new()
        } else {
            format!(", {}", ede.join("; "))
        };
        writeln!(
            w,
            "{}",
            format!(
                ";; resolver {} without CD: {}{ede}: {}",
                r.server,
                upper(r.status),
                escape(&r.summary)
            )
            .yellow()
        )?;
    }
    if verbose {
        for s in &v.chain {
            let mark = if s.ok { "ok  " } else { "FAIL" };
            writeln!(
                w,
                "{}",
                format!(
                    ";;   {mark} {} {}: {}",
                    escape(&s.zone),
                    s.check,
                    escape(&s.detail)
                )
                .dimmed()
            )?;
        }
    }
    Ok(())
}

/// gethostbyname_ex's view: one block per name (and server).
/// dig's OPT pseudo-section of `r`'s answer, when `show` and it had one.
fn opt_lines(w: &mut dyn Write, r: &LookupReport, show: bool) -> io::Result<()> {
    if let (true, Some(e)) = (show, &r.edns) {
        for line in super::edns::pseudo_section(e) {
            writeln!(w, "{}", line.dimmed())?;
        }
    }
    Ok(())
}

fn host_blocks(w: &mut dyn Write, results: &[LookupReport], g: &LookupGroup<'_>) -> io::Result<()> {
    let explicit = g.explicit_servers;
    let Some(first) = results.first() else {
        return Ok(());
    };
    let mut servers = Vec::new();
    for r in results {
        if !servers.contains(&r.server) {
            servers.push(r.server.clone());
        }
    }
    if !explicit {
        servers = vec![None];
    }
    for server in servers {
        let rs: Vec<&LookupReport> = results
            .iter()
            .filter(|r| !explicit || r.server == server)
            .collect();
        writeln!(w, "{}", escape(&first.name))?;
        if let (true, Some(s)) = (explicit, server) {
            writeln!(w, "  Server   : {s}")?;
        }
        let ok: Vec<&&LookupReport> = rs.iter().filter(|r| r.ok).collect();
        let Some(found) = ok.first() else {
            let worst = rs.iter().max_by_key(|r| r.exit()).copied();
            let shown = match worst {
                Some(r) if is_bogus(r) => format!(
                    "DNSSEC bogus: {}",
                    escape(
                        r.dnssec
                            .as_ref()
                            .and_then(|v| v.reason.as_deref())
                            .unwrap_or("validation failed")
                    )
                ),
                Some(r) if r.status == DnsStatus::Nodata => "no address (NODATA)".to_string(),
                Some(r) => {
                    // The status once: "NXDOMAIN from ...", not
                    // "NXDOMAIN: NXDOMAIN from ...".
                    let msg = r.error.as_ref().map_or("no answer", |e| e.message.as_str());
                    let word = upper(r.status);
                    if msg.starts_with(&word)
                        || matches!(r.status, DnsStatus::Error | DnsStatus::Timeout)
                    {
                        msg.to_string()
                    } else {
                        format!("{word}: {msg}")
                    }
                }
                None => "no answer".to_string(),
            };
            writeln!(w, "  {}", format!("ERROR: {shown}").red())?;
            if let Some(r) = rs.iter().find(|r| r.edns.is_some()) {
                opt_lines(w, r, g.show_opt)?;
            }
            writeln!(w)?;
            continue;
        };
        let canonical = found.canonical_name.as_deref().unwrap_or("");
        let unicode = super::wire::WireName::from_text(canonical)
            .and_then(|n| n.to_unicode())
            .map(|u| format!(" ({})", escape(trim_dot(&u))))
            .unwrap_or_default();
        writeln!(w, "  Hostname : {}{unicode}", escape(trim_dot(canonical)))?;
        let aliases: Vec<String> = found
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
                    .map(|a| {
                        format!(
                            "{} (ttl {})",
                            escape(&a.value),
                            ttl_text(a.ttl, g.ttl_units)
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // -x: what a PTR names are names, not addresses.
        let label = if found.qtype == "PTR" {
            "Names    "
        } else {
            "Addresses"
        };
        writeln!(w, "  {label}: {}", addrs.join(", "))?;
        // The weakest verdict among the block's answers.
        if let Some(v) = rs
            .iter()
            .filter_map(|r| r.dnssec.as_ref())
            .max_by_key(|v| v.status)
        {
            let text = match &v.reason {
                Some(why) => format!("{}: {}", v.status, escape(why)),
                None => v.status.to_string(),
            };
            writeln!(w, "  DNSSEC   : {text}")?;
        }
        if let Some(r) = rs.iter().find(|r| r.edns.is_some()) {
            opt_lines(w, r, g.show_opt)?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// One name looked up through NSS, as the seed prints gethostbyname_ex.
pub struct NssGroup<'a> {
    /// The A and AAAA results.
    pub pair: &'a [NssReport; 2],
    /// Values only.
    pub short: bool,
}

impl Render for NssGroup<'_> {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let [v4, v6] = self.pair;
        if self.short {
            for a in v4.addresses.iter().chain(&v6.addresses) {
                writeln!(w, "{a}")?;
            }
            return Ok(());
        }
        writeln!(w, "{}", escape(&v4.name))?;
        match [v4, v6].into_iter().find(|r| r.ok) {
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
                // The seed's labels, aligned.
                writeln!(
                    w,
                    "  Hostname : {}",
                    escape(f.canonical_name.as_deref().unwrap_or(""))
                )?;
                writeln!(
                    w,
                    "  Aliases  : {}",
                    crate::sanitize::python_list(&f.aliases)
                )?;
                let all: Vec<String> = v4
                    .addresses
                    .iter()
                    .chain(&v6.addresses)
                    .map(|a| a.to_string())
                    .collect();
                writeln!(w, "  Addresses: {}", crate::sanitize::python_list(&all))?;
            }
        }
        writeln!(w)
    }
}

impl Render for super::allns::AllNsReport {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let zone = self.zone.as_deref().unwrap_or("?");
        writeln!(
            w,
            "{}",
            format!(
                ";; all-ns {} {} (zone {}, {} servers{})",
                escape(&self.name),
                self.qtype,
                escape(zone),
                self.servers.len(),
                match self.servers_not_asked {
                    0 => String::new(),
                    n => format!(
                        "; {n} more not asked: at most {} in all",
                        super::allns::MAX_SERVERS
                    ),
                }
            )
            .dimmed()
        )?;
        let nw = self
            .servers
            .iter()
            .map(|s| escape(&s.ns).chars().count())
            .max()
            .unwrap_or(0);
        let aw = self
            .servers
            .iter()
            .map(|s| s.server.to_string().len())
            .max()
            .unwrap_or(0);
        for s in &self.servers {
            let serial = s.serial.map_or("-".to_string(), |n| n.to_string());
            let detail = match &s.error {
                Some(e) => escape(&e.message).red().to_string(),
                None => format!("{}  {}", upper(s.status), escape(&s.values.join(" "))),
            };
            writeln!(
                w,
                "{}  {}  serial {}  {}",
                pad_right(&escape(&s.ns), nw),
                pad_right(&s.server.to_string(), aw),
                pad_left(&serial, 10),
                detail.trim_end()
            )?;
        }
        let verdict = match (&self.error, self.ok) {
            (_, true) => "all servers agree".green().to_string(),
            (Some(e), false) => escape(&e.message).yellow().to_string(),
            (None, false) => "some servers did not answer".yellow().to_string(),
        };
        writeln!(w, "{verdict}")
    }
}

impl Render for super::trace::TraceStep {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        for a in &self.answers {
            writeln!(
                w,
                "{}  {}  {}  {}",
                escape(&a.name),
                pad_left(&a.ttl.to_string(), 6),
                pad_right(&a.rtype, 5),
                escape(&a.value)
            )?;
        }
        let rtt = self
            .rtt_ms
            .map_or(String::new(), |ms| format!(" in {ms:.2} ms"));
        let what = match (&self.referral_to, &self.error) {
            (_, Some(e)) => format!("{}: {}", self.outcome, escape(&e.message)),
            (Some(z), None) => format!(
                "referral to {} ({})",
                escape(z),
                escape(&self.servers.join(", "))
            ),
            (None, None) => self.outcome.to_string(),
        };
        let line = format!(
            ";; {} {} from {} ({}){rtt}: {what}",
            self.step,
            escape(&self.zone),
            self.server,
            escape(&self.ns)
        );
        writeln!(
            w,
            "{}",
            if self.ok {
                line.dimmed()
            } else {
                line.yellow()
            }
        )
    }
}

impl Render for super::trace::TraceSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        if let Some(v) = &self.dnssec {
            // Every zone's link, walked from the anchor down.
            dnssec_lines(w, v, true)?;
        }
        let line = format!(
            ";; {} {}: {} after {} steps through {}",
            escape(&self.name),
            self.qtype,
            upper(self.status),
            self.steps,
            escape(&self.zones.join(" "))
        );
        writeln!(
            w,
            "{}",
            if self.ok {
                line.normal()
            } else {
                line.yellow()
            }
        )
    }
}

impl Render for super::xfr::XfrRecord {
    /// A line as `dig axfr` prints it: owner, TTL, class, type, data.
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let r = &self.record;
        if self.short {
            return writeln!(w, "{}", escape(&r.value));
        }
        writeln!(
            w,
            "{}\t{}\tIN\t{}\t{}",
            escape(&r.name),
            r.ttl,
            r.rtype,
            escape(&r.value)
        )
    }
}

impl Render for super::xfr::XfrSummary {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        if self.short {
            // As dig +short: the data alone; a failure still says why.
            if let Some(e) = &self.error {
                writeln!(w, "{}", format!(";; {}", escape(&e.message)).red())?;
            }
            return Ok(());
        }
        writeln!(
            w,
            "{}",
            format!(
                ";; XFR size: {} records (messages {}, bytes {})",
                self.records, self.messages, self.bytes
            )
            .dimmed()
        )?;
        let rate = if self.duration_ms > 0.0 && self.records > 0 {
            format!(
                " ({:.0} records/s)",
                self.records as f64 / (self.duration_ms / 1e3)
            )
        } else {
            String::new()
        };
        let serial = self
            .serial
            .map_or(String::new(), |s| format!(", serial {s}"));
        let tsig = match &self.tsig {
            Some(t) if t.verified => format!(", TSIG {} ({}) verified", t.key, t.algorithm),
            Some(t) => format!(", TSIG {} ({}) NOT verified", t.key, t.algorithm),
            None => String::new(),
        };
        let status = match self.status {
            super::xfr::XfrStatus::Complete => "complete",
            super::xfr::XfrStatus::Incremental => "incremental",
            super::xfr::XfrStatus::UpToDate => "up to date",
            super::xfr::XfrStatus::Failed => "FAILED",
        };
        let from = self.ixfr_from.map_or(String::new(), |s| format!("={s}"));
        let line = format!(
            ";; {}{from} {} from {} over {}: {status}{serial}, {} records in {:.1} ms{rate}{tsig}",
            self.qtype,
            escape(&self.zone),
            self.server,
            self.transport,
            self.records,
            self.duration_ms
        );
        writeln!(
            w,
            "{}",
            if self.ok {
                line.normal()
            } else {
                line.yellow()
            }
        )?;
        if let Some(e) = &self.error {
            writeln!(w, "{}", format!(";; {}", escape(&e.message)).red())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ttl_text;

    #[test]
    fn ttl_units_as_dig_writes_them() {
        // dig 9.18 +ttlunits on the same TTLs from BIND.
        for (ttl, dig) in [
            (0, "0s"),
            (1, "1s"),
            (60, "1m"),
            (3600, "1h"),
            (90_061, "1d1h1m1s"),
            (694_861, "1w1d1h1m1s"),
            (2_147_483_647, "3550w5d3h14m7s"),
        ] {
            assert_eq!(ttl_text(ttl, true), dig, "{ttl}");
            assert_eq!(ttl_text(ttl, false), ttl.to_string());
        }
    }
}
