//! Look-ups: one (name, type, server) at a time ([`resolve_at`],
//! [`resolve_system`]), NSS ([`nss`]), and [`lookup_all`], which streams a
//! batch in input order with a bounded window of work in flight, so a
//! 200,000-name file or a server that never answers one early name costs
//! bounded memory.

use std::net::SocketAddr;
use std::sync::Arc;

use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use super::client::{QueryOpts, exchange};
use super::record::Answer;
use super::server::Server;
use super::status::{DnsStatus, NameStatus};
use super::system::{SystemConfig, candidates};
use super::types::type_name;
use super::wire::{Reply, Rr, WireName};
use crate::error::Failure;
use crate::exit::{Exit, Reason};
use crate::signal::Stop;

/// A DNS server's address, in the one address form of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ServerAddr {
    /// The server's IP address.
    pub address: std::net::IpAddr,
    /// Its port.
    pub port: u16,
    /// The server's name, when it was given by name (`@tls://dns.example`):
    /// `address` is the one of its addresses that was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl From<SocketAddr> for ServerAddr {
    fn from(s: SocketAddr) -> Self {
        ServerAddr {
            address: s.ip(),
            port: s.port(),
            host: None,
        }
    }
}

impl ServerAddr {
    /// `server`, at the address `used` of its own.
    pub fn of(server: &Server, used: SocketAddr) -> ServerAddr {
        ServerAddr {
            host: server.endpoint.name.clone(),
            ..ServerAddr::from(used)
        }
    }
}

impl std::fmt::Display for ServerAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addr = SocketAddr::new(self.address, self.port);
        match &self.host {
            Some(h) => write!(f, "{} ({addr})", crate::sanitize::escape(h)),
            None => write!(f, "{addr}"),
        }
    }
}

/// One look-up of (name, type) at one server.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LookupReport {
    /// True for an answer with data (status `noerror`).
    pub ok: bool,
    /// The name as given.
    pub name: String,
    /// The record type asked for.
    pub qtype: String,
    /// The class asked for when it is not IN (`CH`, as dig's
    /// `CH TXT version.bind`); absent for IN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qclass: Option<String>,
    /// The server that answered (or was asked last).
    pub server: Option<ServerAddr>,
    /// The absolute name that was asked (after the search list).
    pub query_name: Option<String>,
    /// The asked name in Unicode when it is an IDN (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_name_unicode: Option<String>,
    /// noerror, nodata, nxdomain, referral, servfail, refused, formerr,
    /// notimp, yxdomain... (the rcode, lower case), timeout or error.
    pub status: DnsStatus,
    /// The numeric rcode, when an answer came.
    pub rcode: Option<u16>,
    /// Header flags set in the answer.
    pub flags: Vec<&'static str>,
    /// Round trip of the last exchange.
    #[serde(serialize_with = "crate::output::json::opt_ms")]
    pub rtt_ms: Option<f64>,
    /// What carried the answer: udp, tcp, tls, https or quic.
    pub transport: Option<super::TransportName>,
    /// Answer section, as the server sent it.
    pub answers: Vec<Answer>,
    /// Authority section.
    pub authority: Vec<Answer>,
    /// The end of the CNAME chain within the answer.
    pub canonical_name: Option<String>,
    /// Names on the CNAME chain before the canonical one.
    pub aliases: Vec<String>,
    /// Records left out to bound memory in a batch (see docs/limits.md).
    pub records_dropped: u64,
    /// Extended DNS Errors (RFC 8914) the server gave with its answer.
    pub ede: Vec<super::wire::ExtendedError>,
    /// The answer's OPT record (EDNS: version, flags, UDP size, NSID,
    /// cookie, client subnet, padding, other options); null when it had
    /// none or no answer came.
    pub edns: Option<super::edns::EdnsReport>,
    /// Why there is no answer with data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// With --dnssec: the validation verdict (null without it).
    pub dnssec: Option<super::dnssec::Verdict>,
    /// The reply as read, kept only until it is validated.
    #[serde(skip)]
    #[schemars(skip)]
    pub reply: Option<Box<Reply>>,
    /// What this report holds of the batch's memory budget until printed.
    #[serde(skip)]
    #[schemars(skip)]
    pub held_bytes: usize,
}

/// `netkit_dns_lookup_success`, the one series every look-up mode writes.
pub fn success_gauge(m: &mut crate::output::prom::Metrics, labels: &[(&str, &str)], ok: bool) {
    m.gauge(
        "netkit_dns_lookup_success",
        "Whether the look-up got an answer with data",
        labels,
        f64::from(u8::from(ok)),
    );
}

impl crate::output::Report for LookupReport {
    const TYPE: &'static str = "lookup";

    /// Written by hand: a batch prints one per name, and serde's path was
    /// a third of a batch query's work. The same bytes as serde's (a test
    /// compares them field by field).
    fn write_json(&self, out: &mut Vec<u8>) -> std::io::Result<()> {
        use crate::output::jsonw::Obj;
        let mut o = Obj::new(out);
        o.word(crate::k!("type"), Self::TYPE)
            .bool(crate::k!("ok"), self.ok)
            .str(crate::k!("name"), &self.name)
            .str(crate::k!("qtype"), &self.qtype);
        if let Some(c) = &self.qclass {
            o.word(crate::k!("qclass"), c);
        }
        match &self.server {
            Some(s) => {
                o.obj(crate::k!("server"), |o| {
                    o.ip(crate::k!("address"), s.address)
                        .uint(crate::k!("port"), u64::from(s.port));
                    if let Some(h) = &s.host {
                        o.str(crate::k!("host"), h);
                    }
                    Ok(())
                })?;
            }
            None => {
                o.raw(crate::k!("server"), "null");
            }
        }
        o.opt_str(crate::k!("query_name"), self.query_name.as_deref());
        if let Some(u) = &self.query_name_unicode {
            o.str(crate::k!("query_name_unicode"), u);
        }
        o.word(crate::k!("status"), &self.status.as_str());
        match self.rcode {
            Some(rc) => o.uint(crate::k!("rcode"), u64::from(rc)),
            None => o.raw(crate::k!("rcode"), "null"),
        };
        o.word_list(crate::k!("flags"), &self.flags);
        o.value(
            crate::k!("rtt_ms"),
            &self.rtt_ms.map(crate::output::json::round_ms),
        )?;
        match self.transport {
            Some(t) => o.word(crate::k!("transport"), t.as_str()),
            None => o.raw(crate::k!("transport"), "null"),
        };
        o.list(crate::k!("answers"), &self.answers, Answer::write_json)?;
        o.list(crate::k!("authority"), &self.authority, Answer::write_json)?;
        o.opt_str(crate::k!("canonical_name"), self.canonical_name.as_deref());
        o.str_list(crate::k!("aliases"), &self.aliases);
        o.uint(crate::k!("records_dropped"), self.records_dropped);
        o.values(crate::k!("ede"), &self.ede)?;
        match &self.edns {
            Some(e) => {
                o.obj(crate::k!("edns"), |o| e.write_json(o))?;
            }
            None => {
                o.raw(crate::k!("edns"), "null");
            }
        }
        if let Some(e) = &self.error {
            o.value(crate::k!("error"), e)?;
        }
        o.opt_value(crate::k!("dnssec"), &self.dnssec)?;
        o.close();
        Ok(())
    }

    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let server = self
            .server
            .as_ref()
            .map(|s| SocketAddr::new(s.address, s.port).to_string())
            .unwrap_or_else(|| "system".into());
        let l = [
            ("name", self.name.as_str()),
            ("qtype", self.qtype.as_str()),
            ("server", server.as_str()),
        ];
        success_gauge(m, &l, self.ok);
        if let Some(ms) = self.rtt_ms {
            m.gauge(
                "netkit_dns_lookup_duration_seconds",
                "Round trip of the answer",
                &l,
                ms / 1e3,
            );
        }
        if let Some(rc) = self.rcode {
            m.gauge("netkit_dns_rcode", "The answer's rcode", &l, f64::from(rc));
        }
        m.gauge(
            "netkit_dns_answers",
            "Records in the answer section",
            &l,
            self.answers.len() as f64,
        );
    }
}

impl LookupReport {
    /// The exit status this result maps to.
    pub fn exit(&self) -> Exit {
        self.error.as_ref().map_or(Exit::Success, Failure::exit)
    }

    /// Records of the asked type owned by the canonical name.
    pub fn values(&self) -> impl Iterator<Item = &Answer> {
        let canonical = self.canonical_name.clone();
        let qtype = self.qtype.clone();
        self.answers.iter().filter(move |a| {
            (a.rtype == qtype || qtype == "ANY")
                && canonical
                    .as_deref()
                    .is_none_or(|c| a.name.eq_ignore_ascii_case(c))
        })
    }

    fn failed(
        name: &str,
        qtype: RecordType,
        server: Option<ServerAddr>,
        query_name: Option<&Name>,
        f: Failure,
    ) -> Self {
        LookupReport {
            ok: false,
            name: name.to_string(),
            qtype: type_name(u16::from(qtype)).into_owned(),
            qclass: None,
            server,
            query_name: query_name.map(|n| WireName::from_name(n).to_text()),
            query_name_unicode: query_name.and_then(|n| WireName::from_name(n).to_unicode()),
            status: if f.reason == Reason::Timeout {
                DnsStatus::Timeout
            } else {
                DnsStatus::Error
            },
            rcode: None,
            flags: Vec::new(),
            rtt_ms: None,
            transport: None,
            answers: Vec::new(),
            authority: Vec::new(),
            canonical_name: None,
            aliases: Vec::new(),
            records_dropped: 0,
            ede: Vec::new(),
            edns: None,
            error: Some(f),
            dnssec: None,
            reply: None,
            held_bytes: 0,
        }
    }

    /// Records a DNSSEC verdict: a bogus answer becomes an error (exit 3).
    pub fn set_verdict(&mut self, verdict: super::dnssec::Verdict) {
        if verdict.status == super::dnssec::Security::Bogus {
            self.ok = false;
            self.error = Some(Failure::new(
                Reason::Bogus,
                format!(
                    "DNSSEC validation failed: {}",
                    verdict.reason.as_deref().unwrap_or("bogus")
                ),
            ));
        }
        self.dnssec = Some(verdict);
    }

    /// Keeps at most `max` records per section (batches hold results in
    /// order, so each one's size is bounded).
    /// About what the report holds in memory, bytes (strings, records).
    pub fn heap_bytes(&self) -> usize {
        let held = |t: &String| t.capacity() + 16;
        let strings = held(&self.name)
            + held(&self.qtype)
            + self.query_name.as_ref().map_or(0, held)
            + self.canonical_name.as_ref().map_or(0, held)
            + self.aliases.iter().map(|a| held(a) + 24).sum::<usize>()
            + self.error.as_ref().map_or(0, |e| e.message.len() + 16)
            + (self.answers.capacity() - self.answers.len()) * std::mem::size_of::<Answer>();
        std::mem::size_of::<Self>()
            + strings
            + self
                .answers
                .iter()
                .chain(&self.authority)
                .map(Answer::heap_bytes)
                .sum::<usize>()
    }

    /// Takes what the report needs of `budget`, first dropping records
    /// (counted in `records_dropped`, last first) while they do not fit.
    pub fn charge(&mut self, budget: &Budget) {
        let mut size = self.heap_bytes();
        while !budget.try_take(size) {
            let Some(a) = self.authority.pop().or_else(|| self.answers.pop()) else {
                // What is left is the report's own shell: always held.
                budget.take(size);
                break;
            };
            size -= a.heap_bytes();
            self.records_dropped += 1;
        }
        self.held_bytes = size;
    }

    pub fn cap_records(&mut self, max: usize) {
        for section in [&mut self.answers, &mut self.authority] {
            if section.len() > max {
                self.records_dropped += (section.len() - max) as u64;
                section.truncate(max);
                // What is held for in-order output is what is kept.
                section.shrink_to_fit();
            }
        }
    }
}

/// A result for when no nameserver could be asked, and why.
pub fn no_nameserver(given: &str, qtype: RecordType, why: &str) -> LookupReport {
    LookupReport::failed(
        given,
        qtype,
        None,
        None,
        Failure::new(Reason::NoNameserver, format!("no nameserver: {why}")),
    )
}

/// Follows the CNAME chain from `qname` through the answer section
/// (owner names compared without regard to case). Returns the canonical
/// name and the aliases before it.
pub fn cname_chain(answers: &[Rr], qname: &WireName) -> (WireName, Vec<WireName>) {
    let mut current = qname.clone();
    let mut aliases: Vec<WireName> = Vec::new();
    for _ in 0..16 {
        let next = answers.iter().find_map(|r| match &r.target {
            Some(t) if r.rtype == 5 && r.name.eq_ignore_case(&current) => Some(t.clone()),
            _ => None,
        });
        match next {
            Some(n)
                if !aliases.iter().any(|a| a.eq_ignore_case(&n)) && !n.eq_ignore_case(qname) =>
            {
                aliases.push(current);
                current = n;
            }
            _ => break,
        }
    }
    (current, aliases)
}

/// Asks `server` for (`qname`, `qtype`) and reports the answer exactly as
/// it came: no CNAME target is chased behind the user's back.
pub async fn resolve_at(
    given: &str,
    qname: &Name,
    qtype: RecordType,
    server: &Server,
    opts: QueryOpts,
) -> LookupReport {
    // Names sent to a server are absolute, as dig sends them.
    let mut absolute = qname.clone();
    absolute.set_fqdn(true);
    let qname = &absolute;
    let ex = match exchange(server, qname, qtype, opts).await {
        Ok(ex) => ex,
        Err(f) => {
            let at = ServerAddr::of(server, super::link::link(server).addr());
            return LookupReport::failed(given, qtype, Some(at), Some(qname), f);
        }
    };
    let answered = ServerAddr::of(server, ex.server);
    let server = ex.server;
    let resp = &ex.response;
    let answers: &[Rr] = &resp.answers;
    let qwire = resp
        .question
        .as_ref()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| WireName::from_name(qname));
    let (canonical, aliases) = cname_chain(answers, &qwire);
    let qt = u16::from(qtype);
    let has_data = match qt {
        255 => !answers.is_empty(),
        5 => answers.iter().any(|r| r.rtype == 5),
        _ => answers
            .iter()
            .any(|r| r.rtype == qt && r.name.eq_ignore_case(&canonical)),
    };
    let rcode = resp.rcode;
    let referral = rcode == 0
        && answers.is_empty()
        && !resp.flags.aa
        && resp.authority.iter().any(|r| r.rtype == 2);
    // RFC 2308 2.2: a CNAME chain that ends in the server's own zone
    // without the type comes with that zone's SOA in authority: NODATA.
    let chain_ends_here = resp.authority.iter().any(|r| {
        r.rtype == 6 && {
            let zone = r.name.to_text().to_ascii_lowercase();
            let end = canonical.to_text().to_ascii_lowercase();
            zone == "." || end == zone || end.ends_with(&format!(".{zone}"))
        }
    });
    let status = match rcode {
        0 if has_data => DnsStatus::Noerror,
        0 if !aliases.is_empty() && chain_ends_here => DnsStatus::Nodata,
        // A chain that leaves the server's zones is still its answer.
        0 if !aliases.is_empty() => DnsStatus::Noerror,
        0 if referral => DnsStatus::Referral,
        0 => DnsStatus::Nodata,
        other => DnsStatus::from_rcode(other),
    };
    let error = status.reason().map(|reason| {
        let what = match reason {
            Reason::Referral => {
                let to: Vec<&str> = resp
                    .authority
                    .iter()
                    .filter(|r| r.rtype == 2)
                    .map(|r| r.text.as_str())
                    .collect();
                format!("{server} referred the query to {}", to.join(", "))
            }
            _ => format!("{} from {server}", status.upper()),
        };
        let what = match resp.ede.first() {
            Some(e) if e.text.is_empty() => format!("{what} (EDE {} {})", e.code, e.name),
            Some(e) => format!("{what} (EDE {} {}: {})", e.code, e.name, e.text),
            None => what,
        };
        Failure::new(reason, crate::sanitize::escape(&what).into_owned())
    });
    let query_text = qwire.to_text();
    // Without a CNAME chain (most answers) the canonical name is the
    // query's, byte for byte: its text is copied, not made again.
    let canonical_text = if canonical == qwire {
        query_text.clone()
    } else {
        canonical.to_text()
    };
    let mut report = LookupReport {
        ok: error.is_none(),
        name: given.to_string(),
        qtype: type_name(qt).into_owned(),
        qclass: None,
        server: Some(answered),
        query_name: Some(query_text),
        query_name_unicode: qwire.to_unicode(),
        status,
        rcode: Some(rcode),
        flags: resp.flags.names(),
        rtt_ms: Some(ex.rtt_ms),
        transport: Some(ex.transport),
        answers: Vec::new(),
        authority: Vec::new(),
        canonical_name: Some(canonical_text),
        aliases: aliases.iter().map(WireName::to_text).collect(),
        records_dropped: 0,
        ede: resp.ede.clone(),
        edns: resp.opt.as_ref().map(|o| o.report(&opts.wire.options)),
        error,
        dnssec: None,
        reply: None,
        held_bytes: 0,
    };
    let reply = ex.response;
    if opts.dnssec {
        report.answers = reply.answers.iter().map(Answer::from_rr).collect();
        report.authority = reply.authority.iter().map(Answer::from_rr).collect();
        // Kept (not copied) for --dnssec to check.
        report.reply = Some(Box::new(reply));
    } else {
        // Moved: the reply's text and typed fields become the report's.
        report.answers = reply.answers.into_iter().map(Answer::from_owned).collect();
        report.authority = reply
            .authority
            .into_iter()
            .map(Answer::from_owned)
            .collect();
    }
    report
}

/// Looks (`given`, `qtype`) up the way the system's stub resolver would:
/// search list, then each nameserver in turn on timeouts and errors.
pub async fn resolve_system(
    given: &str,
    name: &Name,
    qtype: RecordType,
    cfg: &SystemConfig,
    plain: super::server::Plain,
    opts: QueryOpts,
) -> LookupReport {
    if cfg.servers.is_empty() {
        return no_nameserver(given, qtype, "none in /etc/resolv.conf");
    }
    let mut fallback: Option<LookupReport> = None;
    for candidate in candidates(given, name, cfg) {
        let mut result = None;
        for server in &cfg.servers {
            let server = plain.at(*server);
            let r = resolve_at(given, &candidate, qtype, &server, opts).await;
            let elsewhere = r.status.try_elsewhere();
            result = Some(r);
            if !elsewhere {
                break;
            }
        }
        let Some(r) = result else { continue };
        match r.status {
            DnsStatus::Noerror => return r,
            // NODATA beats a later NXDOMAIN, as in glibc.
            DnsStatus::Nodata => {
                if fallback
                    .as_ref()
                    .is_none_or(|f| f.status != DnsStatus::Nodata)
                {
                    fallback = Some(r);
                }
            }
            DnsStatus::Nxdomain => {
                if fallback.is_none() {
                    fallback = Some(r);
                }
            }
            // A server failure stops the search: the answer is unknown.
            _ => return r,
        }
    }
    fallback.unwrap_or_else(|| no_nameserver(given, qtype, "no candidate name"))
}

/// Where look-ups go.
#[derive(Debug, Clone)]
pub enum Target {
    /// These servers, each asked separately.
    Servers(Vec<Server>),
    /// The system's resolv.conf (or why it could not be read), its servers
    /// asked as `plain` says (`--tcp`, `-b`).
    System {
        /// The configuration.
        conf: Result<SystemConfig, String>,
        /// How its servers are asked.
        plain: super::server::Plain,
    },
}

/// Answers measured before their average size paces a batch.
const AVERAGE_AFTER: usize = 64;
/// About the most a batch answer holds: 512 records kept in each section,
/// the longest presentation forms a 64 KiB message makes.
const MAX_ANSWER_BYTES: usize = 512 << 10;

/// The memory a batch's answers may hold at once, waiting in flight or
/// for in-order printing (docs/limits.md), shared by its queries.
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    held: std::sync::atomic::AtomicUsize,
    /// Answers charged so far and their bytes, for the average size.
    charged: std::sync::atomic::AtomicUsize,
    charged_bytes: std::sync::atomic::AtomicUsize,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Budget {
        Budget {
            limit,
            held: 0.into(),
            charged: 0.into(),
            charged_bytes: 0.into(),
        }
    }

    fn count(&self, bytes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.charged.fetch_add(1, Relaxed);
        self.charged_bytes.fetch_add(bytes, Relaxed);
    }

    /// Takes `bytes` if they fit.
    pub fn try_take(&self, bytes: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let ok = self
            .held
            .fetch_update(Relaxed, Relaxed, |h| {
                (h + bytes <= self.limit).then_some(h + bytes)
            })
            .is_ok();
        if ok {
            self.count(bytes);
        }
        ok
    }

    /// Takes `bytes` whether they fit or not.
    pub fn take(&self, bytes: usize) {
        self.held
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        self.count(bytes);
    }

    /// Gives `bytes` back.
    pub fn give(&self, bytes: usize) {
        let _ = self.held.fetch_update(
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
            |h| Some(h.saturating_sub(bytes)),
        );
    }

    /// Whether `in_flight` more answers of the average size so far would
    /// not fit beside what is held: then no new query starts.
    pub fn full(&self, in_flight: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.charged.load(Relaxed);
        // Until enough answers were seen, each is taken to be as large as
        // a batch answer can be (a slow start); then half again the
        // average, for answers that grow.
        let each = if n < AVERAGE_AFTER {
            MAX_ANSWER_BYTES
        } else {
            self.charged_bytes.load(Relaxed) / n * 3 / 2
        };
        self.held.load(Relaxed) + in_flight.saturating_mul(each) > self.limit
    }
}

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct BatchPlan {
    /// Types to ask for each name.
    pub types: Vec<RecordType>,
    /// Where to ask.
    pub target: Target,
    /// How each query goes.
    pub opts: QueryOpts,
    /// Queries in flight at once.
    pub concurrency: usize,
    /// Most records kept per section of an answer (0: all).
    pub max_records: usize,
    /// `--dnssec`: validate every answer.
    pub dnssec: Option<Arc<super::dnssec::Plan>>,
    /// The memory the batch's answers may hold at once.
    pub budget: Arc<Budget>,
}

/// Looks up every name of `names` (read lazily: an `Err` ends the batch
/// with that error after what came before is printed), emitting each
/// name's results (every type and server) in input order as soon as they
/// and all before them are known. At most `concurrency` queries are in
/// flight, and at most four windows of names separate the oldest
/// unfinished name from the newest started. On `stop`, no new query starts
/// and what already finished is still emitted.
pub async fn lookup_all<I>(
    names: I,
    plan: Arc<BatchPlan>,
    stop: &Stop,
    emit: &mut dyn FnMut(&str, Vec<LookupReport>) -> std::io::Result<()>,
) -> crate::error::Result<Exit>
where
    I: Iterator<Item = crate::error::Result<(String, Given)>>,
{
    let servers: Vec<Option<Server>> = match &plan.target {
        Target::Servers(s) => s.iter().cloned().map(Some).collect(),
        Target::System { .. } => vec![None],
    };
    let per_name = plan.types.len() * servers.len();
    let names_in_flight = (plan.concurrency / per_name.max(1)).max(1);
    // Several queries in flight share a few UDP sockets per server.
    let plain: Vec<Server> = match &plan.target {
        Target::Servers(s) => s.clone(),
        Target::System { conf: Ok(c), plain } => c.servers.iter().map(|a| plain.at(*a)).collect(),
        Target::System { conf: Err(_), .. } => Vec::new(),
    };
    // One name (its types at once) keeps a socket per query: sharing
    // costs a reader and its buffer, paid back only over a batch.
    let in_flight = names_in_flight * plan.types.len();
    let _shared: Vec<_> = if plan.concurrency > 1 {
        plain
            .iter()
            .filter_map(|s| super::link::link(s).share_udp(in_flight, plan.dnssec.is_some()))
            .collect()
    } else {
        Vec::new()
    };
    let mut exit = Exit::Success;
    let host_types = plan.types == [RecordType::A, RecordType::AAAA];
    let work = |(given, name): (String, Given)| {
        let (plan, servers, stop) = (Arc::clone(&plan), servers.clone(), stop.clone());
        async move {
            // A line that is no name: its result says so, in its place.
            let name = match name {
                Ok(name) => name,
                Err(f) => {
                    let reports = plan
                        .types
                        .iter()
                        .map(|t| LookupReport::failed(&given, *t, None, None, f.clone()))
                        .collect();
                    return (given, reports);
                }
            };
            // One type from one server (the common batch): no task of its own.
            if let ([qtype], [server]) = (plan.types.as_slice(), servers.as_slice()) {
                let r = one_query(&plan, &given, &name, *qtype, server.as_ref(), &stop).await;
                return (given, vec![r]);
            }
            // Several types or servers: a task each, boxed (a batch of
            // one type carries none of this state).
            Box::pin(all_queries(plan, given, name, servers, stop)).await
        }
    };
    let budget = Arc::clone(&plan.budget);
    crate::sys::runtime::ordered(
        names,
        names_in_flight,
        names_in_flight * 4,
        stop,
        work,
        &|in_flight| budget.full(in_flight * per_name.max(1)),
        &mut |(given, results): (String, Vec<LookupReport>)| {
            exit = exit.max(group_exit(&results, host_types));
            for r in &results {
                budget.give(r.held_bytes);
            }
            emit(&given, results)
        },
    )
    .await?;
    Ok(exit)
}

/// Every type from every server for one name, a task each, in order.
async fn all_queries(
    plan: Arc<BatchPlan>,
    given: String,
    name: Name,
    servers: Vec<Option<Server>>,
    stop: Stop,
) -> (String, Vec<LookupReport>) {
    let mut set = tokio::task::JoinSet::new();
    let mut sub = 0usize;
    for qtype in plan.types.clone() {
        for server in &servers {
            let (plan, given, name, server, stop) = (
                Arc::clone(&plan),
                given.clone(),
                name.clone(),
                server.clone(),
                stop.clone(),
            );
            set.spawn(async move {
                let r = one_query(&plan, &given, &name, qtype, server.as_ref(), &stop).await;
                (sub, r)
            });
            sub += 1;
        }
    }
    let mut results: Vec<(usize, LookupReport)> = Vec::with_capacity(sub);
    while let Some(j) = set.join_next().await {
        if let Ok(r) = j {
            results.push(r);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    (
        given,
        results.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
    )
}

/// One query of a batch: (`given`, `qtype`) from `server` (or as the
/// system's resolver asks), validated with `--dnssec`, its sections capped.
async fn one_query(
    plan: &BatchPlan,
    given: &str,
    name: &Name,
    qtype: RecordType,
    server: Option<&Server>,
    stop: &Stop,
) -> LookupReport {
    let mut r = match (&plan.target, server) {
        (_, Some(s)) => resolve_at(given, name, qtype, s, plan.opts).await,
        // Boxed: its state holds a fallback answer beside a query's, and
        // would size every query's future.
        (
            Target::System {
                conf: Ok(cfg),
                plain,
            },
            None,
        ) => Box::pin(resolve_system(given, name, qtype, cfg, *plain, plan.opts)).await,
        (Target::System { conf: Err(why), .. }, None) => no_nameserver(given, qtype, why),
        (Target::Servers(_), None) => no_nameserver(given, qtype, "none given"),
    };
    if let Some(d) = &plan.dnssec {
        // Boxed, and apart: the report it holds across its waits would
        // otherwise sit beside the query's state in every query's future.
        r = Box::pin(validated(plan, d, r, name, qtype, server, stop)).await;
    }
    if plan.opts.wire.class != 1 {
        r.qclass = Some(super::class_name(plan.opts.wire.class));
    }
    if plan.max_records > 0 {
        r.cap_records(plan.max_records);
    }
    r.charge(&plan.budget);
    r
}

/// `r` with its DNSSEC verdict (`--dnssec`): the server that answered,
/// over the same transport, is asked for the keys and DS.
async fn validated(
    plan: &BatchPlan,
    d: &super::dnssec::Plan,
    mut r: LookupReport,
    name: &Name,
    qtype: RecordType,
    server: Option<&Server>,
    stop: &Stop,
) -> LookupReport {
    let asked = match (server, &r.server) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(a)) => Some(match &plan.target {
            Target::System { plain, .. } => plain.at(SocketAddr::new(a.address, a.port)),
            Target::Servers(_) => Server::plain(SocketAddr::new(a.address, a.port), false),
        }),
        (None, None) => None,
    };
    let mut caps = Vec::new();
    let resolver = r.flags.contains(&"ra");
    let verdict = match (r.reply.take(), asked.clone()) {
        (Some(reply), Some(asked)) => {
            caps = super::dnssec::ttl_caps(&reply);
            let qname = reply
                .question
                .as_ref()
                .map(|q| q.name.clone())
                .or_else(|| r.query_name.as_deref().and_then(WireName::from_text))
                .unwrap_or_else(WireName::root);
            // Boxed: the validation's state is large, and only
            // --dnssec needs it (it would size every query's task).
            Box::pin(super::dnssec::validate(
                &reply,
                &qname,
                u16::from(qtype),
                &asked,
                d,
                plan.opts,
                stop,
            ))
            .await
        }
        _ => super::dnssec::Verdict::indeterminate("no answer to validate"),
    };
    if verdict.status == super::dnssec::Security::Secure {
        // Served above what was signed: shown as a validator keeps it.
        for a in &mut r.answers {
            let cap = caps
                .iter()
                .find(|(owner, rtype, _)| *rtype == a.rtype && owner.eq_ignore_ascii_case(&a.name));
            if let Some((_, _, cap)) = cap {
                a.ttl = a.ttl.min(*cap);
            }
        }
    }
    let mut verdict = verdict;
    if verdict.status == super::dnssec::Security::Bogus
        && resolver
        && let Some(asked) = &asked
        && !stop.is_set()
    {
        // Boxed: rare, and its state beside the report's would size
        // every query's future.
        verdict.resolver = Some(Box::pin(resolver_view(asked, name, qtype, plan.opts)).await);
    }
    r.set_verdict(verdict);
    r
}

/// A resolver's own verdict on what netkit found bogus: the question asked
/// once more without CD, so it validates (RFC 4035 3.2.2), with DO and AD.
async fn resolver_view(
    server: &Server,
    name: &Name,
    qtype: RecordType,
    opts: QueryOpts,
) -> super::dnssec::ResolverView {
    let opts = QueryOpts {
        dnssec: false,
        recurse: true,
        retries: 0,
        wire: super::client::WireOpts {
            cd: false,
            dnssec_ok: true,
            ad: true,
            ..opts.wire
        },
        ..opts
    };
    let addr = ServerAddr::of(server, server.addr());
    match super::client::exchange(server, name, qtype, opts).await {
        Ok(ex) => {
            let m = &ex.response;
            let status = match m.rcode {
                0 if m.answers.is_empty() => DnsStatus::Nodata,
                rc => DnsStatus::from_rcode(rc),
            };
            let summary = if m.rcode == 2 {
                "it refuses the data too (SERVFAIL)".to_string()
            } else if m.flags.ad {
                "it validated the data as authentic (AD): the two validators disagree".to_string()
            } else {
                "it does not validate (no AD, no SERVFAIL)".to_string()
            };
            super::dnssec::ResolverView {
                server: addr,
                status,
                validated: m.flags.ad,
                ede: m.ede.clone(),
                summary,
            }
        }
        Err(f) => super::dnssec::ResolverView {
            server: addr,
            status: if f.reason == Reason::Timeout {
                DnsStatus::Timeout
            } else {
                DnsStatus::Error
            },
            validated: false,
            ede: Vec::new(),
            summary: format!("no answer: {}", f.message),
        },
    }
}

/// A name with several types: found in any one of them is a positive
/// answer for the name, so a host with only IPv4 (or only IPv6) addresses
/// is not a failure for `lookup` with the default A and AAAA.
fn group_exit(results: &[LookupReport], host_types: bool) -> Exit {
    if host_types && results.iter().any(|r| r.ok) {
        let hard = results
            .iter()
            .map(LookupReport::exit)
            .filter(|e| *e != Exit::Negative)
            .max();
        return hard.unwrap_or(Exit::Success);
    }
    Exit::worst(results.iter().map(LookupReport::exit))
}

/// A look-up through NSS (gethostbyname_ex), one per family.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NssReport {
    /// True when NSS found the name for this family.
    pub ok: bool,
    /// The name as given.
    pub name: String,
    /// A (AF_INET) or AAAA (AF_INET6).
    pub qtype: &'static str,
    /// found, not_found, nodata, temporary_failure or resolver_failure.
    pub status: NameStatus,
    /// The primary name.
    pub canonical_name: Option<String>,
    /// Other names.
    pub aliases: Vec<String>,
    /// The addresses.
    pub addresses: Vec<std::net::IpAddr>,
    /// Why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

impl crate::output::Report for NssReport {
    const TYPE: &'static str = "nss_lookup";

    /// The same series as a DNS look-up's, with `server="nss"`.
    fn metrics(&self, m: &mut crate::output::prom::Metrics) {
        let l = [
            ("name", self.name.as_str()),
            ("qtype", self.qtype),
            ("server", "nss"),
        ];
        success_gauge(m, &l, self.ok);
        m.gauge(
            "netkit_dns_answers",
            "Records in the answer section",
            &l,
            self.addresses.len() as f64,
        );
    }
}

/// gethostbyname_ex for both families, side by side, each waited for at
/// most `deadline` (one resolver wait, not two in a row).
pub fn nss(given: &str, deadline: std::time::Duration) -> crate::error::Result<[NssReport; 2]> {
    let deadline = crate::deadline::Deadline::after(deadline);
    let start = |af: i32| {
        let qtype = if af == libc::AF_INET { "A" } else { "AAAA" };
        let owned = given.to_string();
        let what = format!("{} {qtype}", crate::sanitize::escape(given));
        crate::deadline::started(&what, move || crate::resolve::gethostbyname_ex(&owned, af))
    };
    // Both families at once: one resolver wait, not two in a row.
    let (v4, v6) = (start(libc::AF_INET), start(libc::AF_INET6));
    type Answer = crate::error::Result<
        std::result::Result<crate::resolve::HostEntry, crate::resolve::HostError>,
    >;
    let one =
        |af: i32, pending: crate::deadline::Started<Answer>| -> crate::error::Result<NssReport> {
            let qtype = if af == libc::AF_INET { "A" } else { "AAAA" };
            let answer = match pending.wait(deadline) {
                Ok(a) => a,
                Err(f) => {
                    return Ok(NssReport {
                        ok: false,
                        name: given.into(),
                        qtype,
                        status: NameStatus::Failed(f.reason),
                        canonical_name: None,
                        aliases: Vec::new(),
                        addresses: Vec::new(),
                        error: Some(f),
                    });
                }
            };
            Ok(match answer? {
                Ok(e) => NssReport {
                    ok: true,
                    name: given.into(),
                    qtype,
                    status: NameStatus::FOUND,
                    canonical_name: Some(e.hostname),
                    aliases: e.aliases,
                    addresses: e.addresses,
                    error: None,
                },
                Err(he) => NssReport {
                    ok: false,
                    name: given.into(),
                    qtype,
                    status: NameStatus::Failed(he.reason()),
                    canonical_name: None,
                    aliases: Vec::new(),
                    addresses: Vec::new(),
                    error: Some(he.failure()),
                },
            })
        };
    Ok([one(libc::AF_INET, v4)?, one(libc::AF_INET6, v6)?])
}

/// The status of a name looked up through NSS: found in either family is
/// a positive answer.
pub fn nss_exit(pair: &[NssReport; 2]) -> Exit {
    if pair.iter().any(|r| r.ok) {
        Exit::Success
    } else {
        Exit::worst(
            pair.iter()
                .map(|r| r.error.as_ref().map_or(Exit::Success, Failure::exit)),
        )
    }
}

/// Names read lazily from a file, each checked.
pub type Names = Box<dyn Iterator<Item = crate::error::Result<(String, Given)>>>;

/// A name as given and checked: the name, or why a line of `-f` input is
/// none (shown as that line's result; the batch goes on).
pub type Given = std::result::Result<Name, Failure>;

/// The names of `-f FILE` (`-` for stdin), read lazily (lines of at most
/// `max_line` bytes), each checked; with `ptr_only`, addresses become
/// their reverse names.
pub fn names_from_file(
    path: Option<&std::path::Path>,
    ptr_only: bool,
    max_line: usize,
) -> crate::error::Result<Names> {
    use crate::error::NetkitError;
    use std::io::BufRead;
    let Some(path) = path else {
        return Ok(Box::new(std::iter::empty()));
    };
    let reader: Box<dyn BufRead> = if path == std::path::Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(path).map_err(|e| NetkitError::read_file(path, &e))?;
        Box::new(std::io::BufReader::new(f))
    };
    let source = path.display().to_string();
    Ok(Box::new(
        // A line too long or not UTF-8 ends the input (the file is not a
        // names file); a line that is no name is that line's result.
        crate::value::BoundedLines::new(reader, source.clone(), max_line).map(move |line| {
            let line = line?;
            let name = super::query_name(&line.text, ptr_only).map_err(|e| {
                Failure::new(
                    Reason::Invalid,
                    format!(
                        "{}: line {}: {}",
                        crate::sanitize::escape(&source),
                        line.number,
                        e
                    ),
                )
            });
            Ok((line.text, name))
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain() {
        let n = |s: &str| WireName::from_text(s).unwrap();
        let cname = |from: &str, to: &str| Rr {
            name: n(from),
            rtype: 5,
            class: 1,
            ttl: 60,
            rdlength: 0,
            text: n(to).to_text(),
            data: crate::dns::record::RecordData::Other {},
            target: Some(n(to)),
            rdata: n(to).0,
        };
        let answers = vec![
            cname("www.t.", "a.t."),
            cname("A.t.", "b.t."),
            cname("b.t.", "c.t."),
        ];
        let (canonical, aliases) = cname_chain(&answers, &n("www.t."));
        assert_eq!(canonical, n("c.t."), "owner names compare without case");
        assert_eq!(aliases, vec![n("www.t."), n("a.t."), n("b.t.")]);
        let looped = vec![cname("x.t.", "y.t."), cname("y.t.", "x.t.")];
        let (c, a) = cname_chain(&looped, &n("x.t."));
        assert_eq!((c, a.len()), (n("y.t."), 1));
    }

    /// The hand-written JSON of a lookup is serde's, byte for byte: every
    /// DNS message of the fuzz corpus (hostile names, every record type,
    /// EDNS options, EDE) as a report, with each optional field both ways.
    #[test]
    fn hand_written_json_is_serdes() {
        use crate::output::Report;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/dns_message");
        let mut checked = 0;
        let mut records = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let Ok(reply) = Reply::parse(&bytes) else {
                continue;
            };
            for variant in 0..4u8 {
                let mut r = no_nameserver("a\u{1b}.test", RecordType::AAAA, "x\u{202e}");
                r.answers = reply.answers.iter().map(Answer::from_rr).collect();
                r.authority = reply.authority.iter().map(Answer::from_rr).collect();
                r.ede = reply.ede.clone();
                r.edns = reply.opt.as_ref().map(|o| o.report(&Default::default()));
                r.flags = reply.flags.names();
                records += r.answers.len() + r.authority.len();
                if variant & 1 == 1 {
                    r.ok = true;
                    r.error = None;
                    r.server = Some(ServerAddr {
                        address: "2001:db8::1".parse().unwrap(),
                        port: 853,
                        host: Some("dns.example.test\u{7f}".into()),
                    });
                    r.query_name = Some("xn--bcher-kva.test.".into());
                    r.query_name_unicode = Some("b\u{fc}cher.test.".into());
                    r.status = DnsStatus::from_rcode(3841);
                    r.rcode = Some(3841);
                    r.rtt_ms = Some(0.019_899_999_999_999_998);
                    r.transport = Some(super::super::TransportName::Tls);
                    r.canonical_name = Some("c.test.".into());
                    r.aliases = vec!["a.test.".into(), "\"b\\".into()];
                    r.records_dropped = 7;
                    r.qclass = Some(super::super::class_name(3));
                }
                if variant & 2 == 2 {
                    r.server = Some(ServerAddr::from(SocketAddr::from(([127, 0, 0, 1], 53))));
                    r.rtt_ms = Some(12.0);
                    r.dnssec = Some(super::super::dnssec::Verdict {
                        status: super::super::dnssec::Security::Bogus,
                        reason: Some("bad\u{9b}".into()),
                        chain: Vec::new(),
                        resolver: None,
                    });
                }
                let mut mine = Vec::new();
                r.write_json(&mut mine).unwrap();
                let mut serde = Vec::new();
                crate::output::json::to_writer(&mut serde, &crate::output::report::Tagged(&r))
                    .unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&mine),
                    String::from_utf8_lossy(&serde)
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 40 && records >= 100,
            "{checked} reports, {records} records"
        );
    }

    #[test]
    fn a_full_budget_drops_records_last_first_and_keeps_the_shell() {
        let rr = |i: u8| Answer {
            name: "a.test.".into(),
            name_unicode: None,
            rtype: "A".into(),
            ttl: 1,
            value: format!("192.0.2.{i}"),
            data: crate::dns::record::RecordData::Address {
                address: std::net::IpAddr::from([192, 0, 2, i]),
            },
        };
        let mut r = no_nameserver("a.test", RecordType::A, "test");
        r.answers = (0..100).map(rr).collect();
        let whole = r.heap_bytes();
        // Room for the report and about half its records.
        let budget = Budget::new(whole / 2);
        r.charge(&budget);
        assert!(
            r.records_dropped > 0 && !r.answers.is_empty(),
            "{}",
            r.answers.len()
        );
        assert_eq!(r.answers.len() as u64 + r.records_dropped, 100);
        assert_eq!(
            r.answers.last().unwrap().value,
            format!("192.0.2.{}", r.answers.len() - 1)
        );
        assert!(r.held_bytes <= whole / 2);
        // Nothing left: the next keeps only its shell, over the limit.
        let mut next = no_nameserver("b.test", RecordType::A, "test");
        next.answers = (0..10).map(rr).collect();
        next.charge(&budget);
        assert!(next.answers.is_empty() && next.records_dropped == 10);
        assert!(budget.full(1));
        budget.give(r.held_bytes);
        budget.give(next.held_bytes);
        assert!(!budget.full(0));
    }

    #[test]
    fn a_name_with_one_family_is_found() {
        let mut a = no_nameserver("x", RecordType::A, "t");
        a.ok = true;
        a.error = None;
        let mut aaaa = no_nameserver("x", RecordType::AAAA, "t");
        aaaa.error = Some(Failure::new(Reason::Nodata, "NODATA"));
        assert_eq!(group_exit(&[a.clone(), aaaa.clone()], true), Exit::Success);
        assert_eq!(
            group_exit(&[a.clone(), aaaa.clone()], false),
            Exit::Negative
        );
        aaaa.error = Some(Failure::new(Reason::Servfail, "SERVFAIL"));
        assert_eq!(group_exit(&[a, aaaa], true), Exit::Resolve);
    }
}
