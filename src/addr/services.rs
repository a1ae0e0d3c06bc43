//! Service names and ports: `getservbyname` and `getservbyport` over
//! `/etc/services`, a `--db` file or the built-in table.

use std::path::Path;

use serde::Serialize;

use crate::addr::netdb::{self, DbChoice, DbSource, SkippedLine};
use crate::error::{NetkitError, Result};

/// The system services file.
pub const SYSTEM_PATH: &str = "/etc/services";
/// The built-in table (Debian netbase), used when the system file is missing.
pub const BUILTIN: &str = include_str!("../../data/services");

/// One line of a services file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ServiceEntry {
    /// The official name.
    pub name: &'static str,
    /// The port number.
    pub port: u16,
    /// The transport protocol: tcp, udp, sctp, ddp...
    pub protocol: &'static str,
    /// Other names for the same entry.
    #[schemars(with = "Vec<String>")]
    pub aliases: Aliases,
}

/// An entry's aliases: the rest of its line (comment removed), split on
/// demand, so parsing a table does not look at them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Aliases(&'static str);

impl PartialEq for Aliases {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Aliases {}

impl Aliases {
    /// The aliases in file order.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.0.split_ascii_whitespace()
    }

    /// Whether `name` is one of them.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|a| a == name)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Them, in a list.
    pub fn to_vec(self) -> Vec<&'static str> {
        self.iter().collect()
    }

    /// Them, separated by one space.
    pub fn join(&self, sep: &str) -> String {
        self.to_vec().join(sep)
    }
}

impl Serialize for Aliases {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// A parsed services table. Its entries point into the table's text,
/// which lives as long as the process (one table per run: no copy of each
/// name, nothing to free at exit).
#[derive(Debug, Clone)]
pub struct ServiceDb {
    /// Where it came from.
    pub source: DbSource,
    /// The entries, in file order (glibc answers with the first match).
    pub entries: Vec<ServiceEntry>,
    /// Lines that were not valid entries.
    pub skipped: Vec<SkippedLine>,
}

/// Asks of one protocol's port names at a time. The first
/// [`PortNames::WALKS`] walk the table; after that an index is built once.
/// A scan of all 65,535 ports asks once per port, and a walk per port was
/// two thirds of its work; a check of one port should not pay for an index
/// (67k instructions, 9% of its run).
pub struct PortNames<'a> {
    db: &'a ServiceDb,
    protocol: &'a str,
    asked: std::cell::Cell<u32>,
    index: std::cell::OnceCell<rustc_hash::FxHashMap<u16, &'static str>>,
}

impl PortNames<'_> {
    /// Asks answered by a walk before the index is built.
    pub const WALKS: u32 = 32;

    /// The first name of `port`, in file order.
    pub fn get(&self, port: u16) -> Option<&'static str> {
        if self.index.get().is_none() && self.asked.get() < Self::WALKS {
            self.asked.set(self.asked.get() + 1);
            return self
                .db
                .by_port(port, Some(self.protocol))
                .first()
                .map(|e| e.name);
        }
        let index = self.index.get_or_init(|| {
            let mut names = rustc_hash::FxHashMap::default();
            for e in self
                .db
                .entries
                .iter()
                .filter(|e| e.protocol == self.protocol)
            {
                names.entry(e.port).or_insert(e.name);
            }
            names
        });
        index.get(&port).copied()
    }
}

impl ServiceDb {
    /// Loads the table named by `choice`.
    pub fn load(choice: &DbChoice) -> Result<Self> {
        let (text, source) = netdb::load(choice, Path::new(SYSTEM_PATH), BUILTIN)?;
        let text: &'static str = match text {
            std::borrow::Cow::Borrowed(text) => text,
            std::borrow::Cow::Owned(text) => text.leak(),
        };
        Ok(Self::parse(text, source))
    }

    /// Parses services-file text. A line of the usual shape (name,
    /// decimal port, protocol) is read in one pass over its bytes, aliases
    /// left for when they are asked for; any other line goes through the
    /// general reader, which gives glibc's answer or the reason it skips
    /// the line (portcheck and services parse the table at every start).
    pub fn parse(text: &'static str, source: DbSource) -> Self {
        let mut entries = Vec::with_capacity(text.len() / 32);
        let mut skipped = Vec::new();
        let b = text.as_bytes();
        let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\x0c');
        let field = |c: u8| !ws(c) && c != b'\n' && c != b'#';
        let (mut i, mut line_no) = (0, 0);
        while i < b.len() {
            line_no += 1;
            let start = i;
            let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
            i = end + 1;
            let mut j = start;
            while j < end && ws(b[j]) {
                j += 1;
            }
            if j == end || b[j] == b'#' {
                continue;
            }
            let name_start = j;
            while j < end && field(b[j]) {
                j += 1;
            }
            let name_end = j;
            while j < end && ws(b[j]) {
                j += 1;
            }
            let digits_start = j;
            let mut port = 0u32;
            while j < end && b[j].is_ascii_digit() && j - digits_start < 6 {
                port = port * 10 + u32::from(b[j] - b'0');
                j += 1;
            }
            let digits = j - digits_start;
            // strtoul's octal (leading 0), hex and '+' forms, long numbers,
            // errors: the general reader.
            let usual = (1..=5).contains(&digits)
                && (digits == 1 || b[digits_start] != b'0')
                && port <= 65535
                && j < end
                && b[j] == b'/';
            let proto_start = j + 1;
            let mut k = proto_start;
            while usual && k < end && field(b[k]) {
                k += 1;
            }
            let rest_end = memchr::memchr(b'#', &b[k.min(end)..end]).map_or(end, |c| k + c);
            let parts = (
                text.get(name_start..name_end),
                text.get(proto_start..k),
                text.get(k..rest_end),
            );
            if let (true, Some(name), Some(protocol), Some(rest)) =
                (usual, parts.0, parts.1, parts.2)
                && !protocol.is_empty()
            {
                entries.push(ServiceEntry {
                    name,
                    port: port as u16,
                    protocol,
                    aliases: Aliases(rest),
                });
                continue;
            }
            let line = text.get(start..end).unwrap_or_default();
            match parse_line(line.strip_suffix('\r').unwrap_or(line)) {
                None => {}
                Some(Ok(entry)) => entries.push(entry),
                Some(Err(reason)) => skipped.push(SkippedLine {
                    line: line_no,
                    reason,
                }),
            }
        }
        ServiceDb {
            source,
            entries,
            skipped,
        }
    }

    /// [`ServiceDb::parse`] with the general reader for every line: the
    /// reference the fast path is tested against.
    pub fn parse_general(text: &'static str, source: DbSource) -> Self {
        let mut entries = Vec::new();
        let mut skipped = Vec::new();
        for (i, line) in netdb::lines(text).enumerate() {
            match parse_line(line) {
                None => {}
                Some(Ok(entry)) => entries.push(entry),
                Some(Err(reason)) => skipped.push(SkippedLine {
                    line: i + 1,
                    reason,
                }),
            }
        }
        ServiceDb {
            source,
            entries,
            skipped,
        }
    }

    /// Every entry whose name or alias is `name`, for `protocol` if given,
    /// in file order. Names compare exactly, as glibc compares them.
    pub fn by_name<'a>(&'a self, name: &str, protocol: Option<&str>) -> Vec<&'a ServiceEntry> {
        self.entries
            .iter()
            .filter(|e| protocol.is_none_or(|p| e.protocol == p))
            .filter(|e| e.name == name || e.aliases.contains(name))
            .collect()
    }

    /// Every entry for `port`, for `protocol` if given, in file order.
    pub fn by_port<'a>(&'a self, port: u16, protocol: Option<&str>) -> Vec<&'a ServiceEntry> {
        self.entries
            .iter()
            .filter(|e| e.port == port && protocol.is_none_or(|p| e.protocol == p))
            .collect()
    }

    /// Each port's first name for `protocol` (what [`Self::by_port`] gives
    /// first), asked port by port: see [`PortNames`].
    pub fn port_names<'a>(&'a self, protocol: &'a str) -> PortNames<'a> {
        PortNames {
            db: self,
            protocol,
            asked: std::cell::Cell::new(0),
            index: std::cell::OnceCell::new(),
        }
    }

    /// A name that differs from `name` only in case, to suggest.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        netdb::suggest(
            self.entries
                .iter()
                .flat_map(|e| std::iter::once(e.name).chain(e.aliases.iter())),
            name,
        )
    }

    /// Resolves one port-list item that is a name to its port, for `protocol`
    /// (or any protocol, then tcp first).
    pub fn port_of(&self, name: &str, protocol: Option<&str>) -> Option<u16> {
        self.by_name(name, protocol).first().map(|e| e.port)
    }
}

/// One line: None for a blank or comment-only line, else the entry or
/// why it is skipped.
fn parse_line(line: &'static str) -> Option<std::result::Result<ServiceEntry, String>> {
    let data = match memchr::memchr(b'#', line.as_bytes()) {
        Some(i) => &line[..i],
        None => line,
    };
    let mut fields = data.split_ascii_whitespace();
    let name = fields.next()?;
    let Some(port_proto) = fields.next() else {
        return Some(Err("no port/protocol field".into()));
    };
    // The aliases are what follows the second field.
    let end = port_proto.as_ptr() as usize - data.as_ptr() as usize + port_proto.len();
    Some(parse_entry(name, port_proto, Aliases(&data[end..])))
}

fn parse_entry(
    name: &'static str,
    port_proto: &'static str,
    aliases: Aliases,
) -> std::result::Result<ServiceEntry, String> {
    let (port, proto) = port_proto
        .split_once('/')
        .ok_or_else(|| format!("'{port_proto}' is not port/protocol"))?;
    if proto.is_empty() {
        return Err(format!("'{port_proto}' has no protocol"));
    }
    let port = parse_port_field(port)?;
    Ok(ServiceEntry {
        name,
        port,
        protocol: proto,
        aliases,
    })
}

/// The port field as glibc reads it: `strtoul(s, &end, 0)`, so `0x50` is 80
/// and `010` is 8, and the number must fill the field. glibc truncates
/// values above 65535 (70000 becomes 4464); netkit skips such lines.
fn parse_port_field(text: &str) -> std::result::Result<u16, String> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let bytes = digits.as_bytes();
    let parsed = bytes
        .first()
        .is_some_and(u8::is_ascii_digit)
        .then(|| crate::addr::strtoul_base0(bytes, 0))
        .flatten()
        .filter(|(_, end)| *end == bytes.len());
    match parsed {
        Some((value, _)) => u16::try_from(value).map_err(|_| format!("port {text} is above 65535")),
        None => Err(format!("port '{text}' is not a number")),
    }
}

/// What the user asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceQuery {
    /// A service name (`http`).
    Name(String),
    /// A port number (`443`).
    Port(u16),
    /// A URL whose scheme names the service (`imaps://mail.example.com`).
    Url {
        /// The scheme.
        scheme: String,
    },
}

impl ServiceQuery {
    /// Parses `http`, `443`, `imaps://host/`, `80/tcp`, `http/udp`. The
    /// `/proto` suffix overrides the protocol filter for this query.
    pub fn parse(text: &str) -> Result<(Self, Option<String>)> {
        let t = text.trim();
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid service '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if let Some((scheme, _rest)) = t.split_once("://") {
            let valid = scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if !valid {
                return Err(bad(
                    "a URL scheme is a letter followed by letters, digits, '+', '-' or '.'",
                ));
            }
            return Ok((
                ServiceQuery::Url {
                    scheme: scheme.to_ascii_lowercase(),
                },
                None,
            ));
        }
        let (body, proto) = match t.split_once('/') {
            Some((b, p)) => {
                if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(bad(
                        "expected NAME/PROTOCOL or PORT/PROTOCOL, such as 53/udp",
                    ));
                }
                (b, Some(p.to_ascii_lowercase()))
            }
            None => (t, None),
        };
        if body.is_empty() {
            return Err(bad("empty name"));
        }
        if body.bytes().all(|b| b.is_ascii_digit()) {
            let port = body
                .parse::<u32>()
                .ok()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| bad("port out of range 0-65535"))?;
            return Ok((ServiceQuery::Port(port), proto));
        }
        if body.starts_with('-') {
            return Err(bad("ports are not negative"));
        }
        if body
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == ':')
        {
            return Err(bad(
                "service names cannot hold spaces, ':', '#' or control characters",
            ));
        }
        Ok((ServiceQuery::Name(body.to_string()), proto))
    }
}

words! {
    /// What a `services` query named.
    pub enum QueryKind {
        /// A service name (`http`).
        Name = "name",
        /// A URL, by its scheme (`imaps://host`).
        Url = "url",
        /// A port number.
        Port = "port",
    }
}

/// The answer to one query.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ServiceAnswer {
    /// Whether the table has an answer.
    pub ok: bool,
    /// The query as given.
    pub query: String,
    /// `name`, `port` or `url`.
    pub query_kind: QueryKind,
    /// The protocol filter in force, if any.
    pub protocol: Option<String>,
    /// The official name of the first matching entry (glibc's answer).
    pub name: Option<&'static str>,
    /// Its port.
    pub port: Option<u16>,
    /// Its aliases.
    pub aliases: Vec<&'static str>,
    /// The protocols of every matching entry, in file order.
    pub protocols: Vec<&'static str>,
    /// Every matching entry, in file order.
    pub entries: Vec<ServiceEntry>,
    /// Where the answer came from.
    pub source: DbSource,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::Failure>,
    /// What the human output shows left of the colon.
    #[serde(skip)]
    pub label: String,
    /// The width labels are aligned to (the widest of the queries).
    #[serde(skip)]
    pub width: usize,
}

impl crate::output::Report for ServiceAnswer {
    const TYPE: &'static str = "service";
}

impl ServiceDb {
    /// Answers one parsed query (`filter`: a protocol, or any).
    pub fn answer(&self, text: &str, query: &ServiceQuery, filter: Option<&str>) -> ServiceAnswer {
        use crate::sanitize::escape;
        let (query_kind, label, matches, asked) = match query {
            ServiceQuery::Name(n) => (
                QueryKind::Name,
                n.clone(),
                self.by_name(n, filter),
                format!("no service named '{}'", escape(n)),
            ),
            ServiceQuery::Url { scheme } => (
                QueryKind::Url,
                scheme.clone(),
                self.by_name(scheme, filter),
                format!("no service for URL scheme '{scheme}'"),
            ),
            ServiceQuery::Port(p) => (
                QueryKind::Port,
                p.to_string(),
                self.by_port(*p, filter),
                format!("no service on port {p}"),
            ),
        };
        let first = matches.first();
        let error = first.is_none().then(|| {
            let mut message = asked;
            if let Some(p) = filter {
                message.push_str(&format!(" for {p}"));
            }
            message.push_str(&format!(" in {}", self.source));
            if let ServiceQuery::Name(n) = query
                && let Some(s) = self.suggest(n)
            {
                message.push_str(&format!(
                    " (names are case-sensitive: did you mean '{}'?)",
                    escape(s)
                ));
            }
            crate::error::Failure::new(crate::exit::Reason::NotFound, message)
        });
        let mut protocols: Vec<&'static str> = Vec::new();
        for e in &matches {
            if !protocols.contains(&e.protocol) {
                protocols.push(e.protocol);
            }
        }
        ServiceAnswer {
            ok: error.is_none(),
            query: text.to_string(),
            query_kind,
            protocol: filter.map(str::to_string),
            name: first.map(|e| e.name),
            port: first.map(|e| e.port),
            aliases: first.map(|e| e.aliases.to_vec()).unwrap_or_default(),
            protocols,
            entries: matches.into_iter().cloned().collect(),
            source: self.source.clone(),
            error,
            width: label.chars().count(),
            label,
        }
    }
}

impl crate::output::Render for ServiceAnswer {
    fn render(
        &self,
        w: &mut dyn std::io::Write,
        view: &crate::output::View,
    ) -> std::io::Result<()> {
        use crate::output::pad_left;
        use crate::sanitize::escape;
        use colored::Colorize;
        let label = pad_left(&escape(&self.label), self.width);
        match (&self.error, self.query_kind) {
            (Some(e), _) => writeln!(w, "{label} : {}", format!("not found: {}", e.message).red())?,
            (None, QueryKind::Port) => {
                writeln!(w, "{label} : {}", self.name.map(escape).unwrap_or_default())?
            }
            (None, _) => writeln!(w, "{label} : {}", self.port.unwrap_or_default())?,
        }
        if view.verbose > 0 && self.error.is_none() {
            let aliases = if self.aliases.is_empty() {
                "none".to_string()
            } else {
                self.aliases.join(" ")
            };
            let detail = format!(
                "{} · aliases: {} · {}",
                self.protocols.join(", "),
                aliases,
                self.source
            );
            writeln!(
                w,
                "{}   {}",
                pad_left("", self.width),
                escape(&detail).dimmed()
            )?;
        }
        Ok(())
    }
}

/// One entry of `--all`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ServiceListEntry<'a> {
    /// Always true.
    pub ok: bool,
    /// The entry.
    #[serde(flatten)]
    pub entry: &'a ServiceEntry,
    /// Where it came from.
    pub source: &'a DbSource,
}

impl<'a> crate::output::Report for ServiceListEntry<'a> {
    const TYPE: &'static str = "service_entry";
}

/// `--all` for people: one table.
pub struct ServiceTable<'a>(pub Vec<ServiceListEntry<'a>>);

impl crate::output::Render for ServiceTable<'_> {
    fn render(&self, w: &mut dyn std::io::Write, _: &crate::output::View) -> std::io::Result<()> {
        use crate::sanitize::escape;
        let rows = self
            .0
            .iter()
            .map(|e| {
                vec![
                    escape(e.entry.name).into_owned(),
                    e.entry.port.to_string(),
                    escape(e.entry.protocol).into_owned(),
                    escape(&e.entry.aliases.join(" ")).into_owned(),
                ]
            })
            .collect();
        w.write_all(crate::output::table(&["NAME", "PORT", "PROTO", "ALIASES"], rows).as_bytes())
    }
}

impl ServiceDb {
    /// Every entry (of `filter`'s protocol), for `--all`.
    pub fn listing<'a>(&'a self, filter: Option<&str>) -> Vec<ServiceListEntry<'a>> {
        self.entries
            .iter()
            .filter(|e| filter.is_none_or(|p| e.protocol == p))
            .map(|entry| ServiceListEntry {
                ok: true,
                entry,
                source: &self.source,
            })
            .collect()
    }
}

/// Lines the parser skipped, for `-vv`.
pub struct SkippedReport<'a> {
    /// The table.
    pub db: &'a ServiceDb,
}

impl crate::output::Render for SkippedReport<'_> {
    fn render(&self, w: &mut dyn std::io::Write, _: &crate::output::View) -> std::io::Result<()> {
        use colored::Colorize;
        for s in &self.db.skipped {
            let line = format!(
                "skipped {}:{}: {}",
                self.db.source,
                s.line,
                crate::sanitize::escape(&s.reason)
            );
            writeln!(w, "{}", line.dimmed())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# comment
ftp\t\t21/tcp
fsp\t\t21/udp\t\tfspd
http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
imap2\t\t143/tcp\t\timap
broken\t\tx/tcp
noproto\t\t12/
lonely
huge\t\t70000/tcp
hex\t\t0x50/tcp
oct\t\t010/udp
plus\t\t+81/tcp
eight\t\t08/tcp
";

    fn db() -> ServiceDb {
        ServiceDb::parse(SAMPLE, DbSource::Builtin)
    }

    #[test]
    fn parses_and_skips_like_glibc() {
        let db = db();
        let ports: Vec<(&str, u16)> = db.entries.iter().map(|e| (e.name, e.port)).collect();
        assert_eq!(
            ports,
            vec![
                ("ftp", 21),
                ("fsp", 21),
                ("http", 80),
                ("imap2", 143),
                ("hex", 80),
                ("oct", 8),
                ("plus", 81)
            ]
        );
        let lines: Vec<usize> = db.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![6, 7, 8, 9, 13]);
    }

    #[test]
    fn lookups() {
        let db = db();
        assert_eq!(db.by_name("www", None)[0].port, 80);
        assert_eq!(db.by_name("imap", Some("tcp"))[0].name, "imap2");
        assert!(db.by_name("imap", Some("udp")).is_empty());
        assert!(db.by_name("HTTP", None).is_empty());
        assert_eq!(db.suggest("HTTP"), Some("http"));
        for proto in ["tcp", "udp", "sctp"] {
            // Every port, walked for the first asks and indexed after;
            // the ports with names (21, 80...) are asked on both sides.
            let names = db.port_names(proto);
            for port in (0..=u16::MAX).chain(0..200) {
                let first = db.by_port(port, Some(proto)).first().map(|e| e.name);
                assert_eq!(names.get(port), first, "{proto} {port}");
            }
            assert!(names.index.get().is_some());
        }
        let port21: Vec<&str> = db.by_port(21, None).iter().map(|e| e.name).collect();
        assert_eq!(port21, vec!["ftp", "fsp"]);
        assert_eq!(db.by_port(21, Some("udp"))[0].name, "fsp");
    }

    #[test]
    fn builtin_table_has_the_seed_services() {
        let db = ServiceDb::parse(BUILTIN, DbSource::Builtin);
        assert!(db.skipped.is_empty(), "{:?}", db.skipped);
        for (scheme, port) in [
            ("http", 80),
            ("https", 443),
            ("ftp", 21),
            ("gopher", 70),
            ("smtp", 25),
            ("imap", 143),
            ("imaps", 993),
            ("pop3", 110),
            ("pop3s", 995),
        ] {
            assert_eq!(db.port_of(scheme, None), Some(port), "{scheme}");
        }
    }

    #[test]
    fn query_forms() {
        let table: &[(&str, ServiceQuery, Option<&str>)] = &[
            ("http", ServiceQuery::Name("http".into()), None),
            ("443", ServiceQuery::Port(443), None),
            ("53/udp", ServiceQuery::Port(53), Some("udp")),
            ("http/TCP", ServiceQuery::Name("http".into()), Some("tcp")),
            (
                "imaps://mail.example.com",
                ServiceQuery::Url {
                    scheme: "imaps".into(),
                },
                None,
            ),
            (
                "HTTP://x",
                ServiceQuery::Url {
                    scheme: "http".into(),
                },
                None,
            ),
            ("0", ServiceQuery::Port(0), None),
        ];
        for (text, query, proto) in table {
            let (q, p) = ServiceQuery::parse(text).unwrap();
            assert_eq!((&q, p.as_deref()), (query, *proto), "{text}");
        }
        for text in [
            "",
            "65536",
            "99999999999",
            "-1",
            "://x",
            "1http://x",
            "a b",
            "x/",
            "/tcp",
            "80/t-p",
            "a:b",
            "x#y",
        ] {
            assert!(ServiceQuery::parse(text).is_err(), "{text:?}");
        }
    }

    fn same(text: &'static str) {
        let fast = ServiceDb::parse(text, DbSource::Builtin);
        let general = ServiceDb::parse_general(text, DbSource::Builtin);
        assert_eq!(fast.entries, general.entries, "{text:?}");
        assert_eq!(fast.skipped, general.skipped, "{text:?}");
    }

    #[test]
    fn fast_path_reads_as_the_general_reader() {
        same(SAMPLE);
        same(BUILTIN);
        same("a 1/tcp\r\nb 2/udp x y\r\n\r\nc\t03/tcp\n d 0/x#c\n#\ne 65535/t\nf 65536/t\n");
        same("name 80/tcp alias # comment\nname2 80/ # x\nn 8#0/tcp\nn 80#/tcp\n");
        if let Ok(text) = std::fs::read_to_string(SYSTEM_PATH) {
            same(text.leak());
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_matches_on_any_text(
            lines in proptest::collection::vec("[a-c0-9x+/# \t\r\x0b\x0cé]{0,16}", 0..8)
        ) {
            same(lines.join("\n").leak());
        }
    }
}
