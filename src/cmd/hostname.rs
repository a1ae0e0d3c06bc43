//! `netkit hostname`.

use serde::Serialize;

use crate::cli::HostnameArgs;
use crate::exit::Exit;
use crate::iface::{self, Interface};
use crate::output::{self, Printer};
use crate::resolve::{self, AiHints};
use crate::sanitize::escape;

/// The report.
#[derive(Debug, Serialize)]
pub struct HostnameReport {
    /// Always `"hostname"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// gethostname.
    pub hostname: String,
    /// With --addrs: what the name resolves to, in order, each once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<String>>,
    /// With --addrs, when the name does not resolve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::ErrorInfo>,
    /// With --interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interfaces: Option<Vec<Interface>>,
}

/// Runs `netkit hostname`.
pub fn run(args: &HostnameArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let name = resolve::hostname()?;
    let mut report = HostnameReport {
        kind: "hostname",
        hostname: name.clone(),
        addresses: None,
        error: None,
        interfaces: None,
    };
    let mut exit = Exit::Success;
    if args.addrs {
        // The seed's get_local_ips: getaddrinfo(gethostname()), each address once.
        match resolve::getaddrinfo(Some(&name), None, AiHints::default())? {
            Ok(list) => {
                let mut seen: Vec<String> = Vec::new();
                for a in list {
                    if !seen.contains(&a.address) {
                        seen.push(a.address);
                    }
                }
                report.addresses = Some(seen);
            }
            Err(e) => {
                exit = e.exit();
                report.addresses = Some(Vec::new());
                report.error = Some(e.info());
            }
        }
    }
    if args.interfaces {
        report.interfaces = Some(iface::list()?);
    }
    if out.is_json() {
        out.json(&report)?;
        return Ok(exit);
    }
    let w = out.human();
    writeln!(w, "{}", escape(&report.hostname))?;
    if let Some(addrs) = &report.addresses {
        match &report.error {
            Some(e) => writeln!(w, "  addresses: none ({})", e.message)?,
            None => writeln!(w, "  addresses: {}", addrs.join(", "))?,
        }
    }
    if let Some(list) = &report.interfaces {
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
                        .map(|a| format!("{}/{}", a.addr, a.prefix_len))
                        .collect::<Vec<_>>()
                        .join(" "),
                ]
            })
            .collect();
        writeln!(
            w,
            "{}",
            output::table(&["INDEX", "NAME", "FLAGS", "MTU", "MAC", "ADDRESSES"], rows)
        )?;
    }
    Ok(exit)
}
