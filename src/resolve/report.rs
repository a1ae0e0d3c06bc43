//! Reports of the system-resolver commands (`fqdn`, `hostname`,
//! `addrinfo`), rendered for people as the seeds print them.

use std::io::{self, Write};
use std::net::IpAddr;

use colored::Colorize;
use serde::Serialize;

use super::{AddrInfo, AiHints};
use crate::addr::iface::Interface;
use crate::error::{Failure, Result};
use crate::output::{Render, View, pad_left};
use crate::sanitize::escape;

/// One `fqdn` answer.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FqdnAnswer {
    /// True unless the resolver did not answer in time (getfqdn itself
    /// falls back to the name given).
    pub ok: bool,
    /// The name as given ("" for this host).
    pub name: String,
    /// getfqdn's answer (the name given when the resolver did not answer).
    pub fqdn: String,
    /// Why the answer is only the name given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Label width (None: this host alone, printed bare).
    #[serde(skip)]
    pub width: Option<usize>,
}

impl crate::output::Report for FqdnAnswer {
    const TYPE: &'static str = "fqdn";
}

/// Python's getfqdn of `name` ("" for this host).
pub fn fqdn(name: &str) -> Result<FqdnAnswer> {
    if name.contains('\0') {
        return Err(crate::error::NetkitError::invalid(
            "a name contains a NUL byte",
        ));
    }
    Ok(FqdnAnswer {
        ok: true,
        name: name.to_string(),
        fqdn: super::getfqdn(name)?,
        error: None,
        width: None,
    })
}

/// [`fqdn`] waited for at most `deadline`.
pub fn fqdn_within(name: &str, deadline: std::time::Duration) -> Result<FqdnAnswer> {
    let owned = name.to_string();
    let what = if name.is_empty() {
        "this host's name".to_string()
    } else {
        escape(name).into_owned()
    };
    match crate::deadline::within(
        &what,
        crate::deadline::Deadline::after(deadline),
        move || fqdn(&owned),
    ) {
        Ok(r) => r,
        Err(f) => Ok(FqdnAnswer {
            ok: false,
            name: name.to_string(),
            fqdn: if name.is_empty() {
                crate::sys::hostname()
            } else {
                name.to_string()
            },
            error: Some(f),
            width: None,
        }),
    }
}

impl Render for FqdnAnswer {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let note = self
            .error
            .as_ref()
            .map(|e| format!("  ({})", e.message).red().to_string())
            .unwrap_or_default();
        match self.width {
            None => writeln!(w, "{}{note}", escape(&self.fqdn)),
            Some(width) => writeln!(
                w,
                "{} : {}{note}",
                pad_left(&escape(&self.name), width),
                escape(&self.fqdn)
            ),
        }
    }
}

/// The `hostname` report.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HostnameReport {
    /// False when `--addrs` was asked and the name does not resolve.
    pub ok: bool,
    /// gethostname.
    pub hostname: String,
    /// With --addrs: what the name resolves to, in order, each once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<IpAddr>>,
    /// With --addrs, when the name does not resolve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// With --interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interfaces: Option<Vec<Interface>>,
}

impl crate::output::Report for HostnameReport {
    const TYPE: &'static str = "hostname";
}

/// This host's name, and what was asked about it.
pub fn hostname(addrs: bool, interfaces: bool) -> Result<HostnameReport> {
    let name = super::hostname();
    let mut report = HostnameReport {
        ok: true,
        hostname: name.clone(),
        addresses: None,
        error: None,
        interfaces: None,
    };
    if addrs {
        // The seed's get_local_ips: getaddrinfo(gethostname()), each address once.
        match super::stream_addresses(&name, libc::AF_UNSPEC)? {
            Ok(list) => report.addresses = Some(list),
            Err(e) => {
                report.ok = false;
                report.addresses = Some(Vec::new());
                report.error = Some(e.failure());
            }
        }
    }
    if interfaces {
        report.interfaces = Some(crate::addr::iface::list()?);
    }
    Ok(report)
}

impl Render for HostnameReport {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        writeln!(w, "{}", escape(&self.hostname))?;
        if let Some(addrs) = &self.addresses {
            match &self.error {
                Some(e) => writeln!(w, "  addresses: none ({})", e.message)?,
                None => {
                    let list: Vec<String> = addrs.iter().map(IpAddr::to_string).collect();
                    writeln!(w, "  addresses: {}", list.join(", "))?
                }
            }
        }
        if let Some(list) = &self.interfaces {
            let rows = list
                .iter()
                .map(|i| {
                    vec![
                        i.index.to_string(),
                        escape(&i.name).into_owned(),
                        i.flags.join(","),
                        i.mtu.map(|m| m.to_string()).unwrap_or_default(),
                        i.mac.clone().unwrap_or_default(),
                        i.addrs
                            .iter()
                            .map(|a| format!("{}/{}", a.address, a.prefix_len))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            w.write_all(
                crate::output::table(&["INDEX", "NAME", "FLAGS", "MTU", "MAC", "ADDRESSES"], rows)
                    .as_bytes(),
            )?;
        }
        Ok(())
    }
}

/// The `addrinfo` answer for one host.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AddrinfoAnswer {
    /// Whether getaddrinfo succeeded.
    pub ok: bool,
    /// The host as given (null for the passive wildcard).
    pub host: Option<String>,
    /// The service as given.
    pub service: Option<String>,
    /// The results, in getaddrinfo's order.
    pub results: Vec<AddrInfo>,
    /// The EAI error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Human layout: print the host above its block, and a blank line before.
    #[serde(skip)]
    pub heading: Option<bool>,
}

impl crate::output::Report for AddrinfoAnswer {
    const TYPE: &'static str = "addrinfo";
}

/// getaddrinfo for one host (`None`: the passive wildcard).
impl AddrinfoAnswer {
    /// An answer that never came (the resolver did not answer in time).
    pub fn failed(host: Option<&str>, service: Option<&str>, error: Failure) -> Self {
        AddrinfoAnswer {
            ok: false,
            host: host.map(str::to_string),
            service: service.map(str::to_string),
            results: Vec::new(),
            error: Some(error),
            heading: None,
        }
    }
}

/// getaddrinfo of `host` and `service`, as a report.
pub fn addrinfo(
    host: Option<&str>,
    service: Option<&str>,
    hints: AiHints,
) -> Result<AddrinfoAnswer> {
    let (results, error) = match super::getaddrinfo(host, service, hints)? {
        Ok(r) => (r, None),
        Err(e) => (Vec::new(), Some(e.failure())),
    };
    Ok(AddrinfoAnswer {
        ok: error.is_none(),
        host: host.map(str::to_string),
        service: service.map(str::to_string),
        results,
        error,
        heading: None,
    })
}

impl Render for AddrinfoAnswer {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        if let Some(blank_before) = self.heading {
            if blank_before {
                writeln!(w)?;
            }
            writeln!(
                w,
                "{}",
                escape(self.host.as_deref().unwrap_or("(wildcard)"))
            )?;
        }
        if let Some(e) = &self.error {
            // Under a heading the host is named already; alone, the error
            // names what was asked.
            let asked = match (self.heading, self.host.as_deref(), self.service.as_deref()) {
                (Some(_), ..) => String::new(),
                (None, Some(h), Some(s)) => format!("{} (service {}): ", escape(h), escape(s)),
                (None, Some(h), None) => format!("{}: ", escape(h)),
                (None, None, Some(s)) => format!("service {}: ", escape(s)),
                (None, None, None) => String::new(),
            };
            return writeln!(w, "{}", format!("ERROR: {asked}{}", e.message).red());
        }
        for (j, r) in self.results.iter().enumerate() {
            if j > 0 {
                writeln!(w)?;
            }
            writeln!(w, "Family        : {}", r.family)?;
            writeln!(w, "Type          : {}", r.socktype)?;
            writeln!(w, "Protocol      : {}", r.protocol)?;
            writeln!(w, "Canonical name: {}", escape(&r.canonname))?;
            match &r.scope {
                Some(scope) => writeln!(
                    w,
                    "Socket address: {}  (scope {})",
                    r.sockaddr,
                    escape(scope)
                )?,
                None => writeln!(w, "Socket address: {}", r.sockaddr)?,
            }
        }
        Ok(())
    }
}

/// `addrinfo --table` for people.
pub struct AddrinfoTable<'a>(pub &'a [AddrinfoAnswer]);

impl Render for AddrinfoTable<'_> {
    fn render(&self, w: &mut dyn Write, _: &View) -> io::Result<()> {
        let rows = self
            .0
            .iter()
            .flat_map(|a| {
                let host = escape(a.host.as_deref().unwrap_or("*")).into_owned();
                if let Some(e) = &a.error {
                    return vec![vec![
                        host,
                        e.message.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]];
                }
                a.results
                    .iter()
                    .map(|r| {
                        vec![
                            host.clone(),
                            r.family.into(),
                            r.socktype.into(),
                            r.protocol.into(),
                            escape(&r.canonname).into_owned(),
                            r.sockaddr.clone(),
                        ]
                    })
                    .collect()
            })
            .collect();
        w.write_all(
            crate::output::table(
                &[
                    "HOST",
                    "FAMILY",
                    "TYPE",
                    "PROTOCOL",
                    "CANONICAL NAME",
                    "SOCKET ADDRESS",
                ],
                rows,
            )
            .as_bytes(),
        )
    }
}
