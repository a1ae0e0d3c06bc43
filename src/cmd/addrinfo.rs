//! `netkit addrinfo`.

use serde::Serialize;

use crate::cli::{AddrinfoArgs, AiFamily, AiProto, AiSockType};
use crate::error::ErrorInfo;
use crate::exit::Exit;
use crate::netdb::DbChoice;
use crate::output::{self, Printer};
use crate::resolve::{self, AddrInfo, AiHints};
use crate::sanitize::escape;
use crate::services::ServiceDb;

/// The answer for one host.
#[derive(Debug, Serialize)]
pub struct AddrinfoAnswer {
    /// Always `"addrinfo"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The host as given (null for the passive wildcard).
    pub host: Option<String>,
    /// The service as given.
    pub service: Option<String>,
    /// The results, in getaddrinfo's order.
    pub results: Vec<AddrInfo>,
    /// The EAI error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

fn hints(args: &AddrinfoArgs) -> AiHints {
    let mut flags = 0;
    for (on, f) in [
        (args.canonname, libc::AI_CANONNAME),
        (args.numeric_host, libc::AI_NUMERICHOST),
        (args.numeric_serv, libc::AI_NUMERICSERV),
        (args.passive, libc::AI_PASSIVE),
        (args.addrconfig, libc::AI_ADDRCONFIG),
        (args.v4mapped, libc::AI_V4MAPPED),
        (args.all, libc::AI_ALL),
    ] {
        if on {
            flags |= f;
        }
    }
    AiHints {
        family: match args.family {
            None => libc::AF_UNSPEC,
            Some(AiFamily::Inet) => libc::AF_INET,
            Some(AiFamily::Inet6) => libc::AF_INET6,
        },
        socktype: match args.socktype {
            None => 0,
            Some(AiSockType::Stream) => libc::SOCK_STREAM,
            Some(AiSockType::Dgram) => libc::SOCK_DGRAM,
            Some(AiSockType::Raw) => libc::SOCK_RAW,
        },
        protocol: match args.proto {
            None => 0,
            Some(AiProto::Tcp) => libc::IPPROTO_TCP,
            Some(AiProto::Udp) => libc::IPPROTO_UDP,
        },
        flags,
    }
}

/// Splits the positionals into hosts and a service (see the help text).
pub fn hosts_and_service(args: &AddrinfoArgs) -> (Vec<String>, Option<String>) {
    if args.service.is_some() || args.hosts.len() != 2 {
        return (args.hosts.clone(), args.service.clone());
    }
    let second = &args.hosts[1];
    let is_service = second.bytes().all(|b| b.is_ascii_digit())
        || ServiceDb::load(&DbChoice::System).is_ok_and(|db| !db.by_name(second, None).is_empty());
    if is_service {
        (vec![args.hosts[0].clone()], Some(second.clone()))
    } else {
        (args.hosts.clone(), None)
    }
}

/// Runs `netkit addrinfo`.
pub fn run(args: &AddrinfoArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let (hosts, service) = hosts_and_service(args);
    let h = hints(args);
    let mut answers = Vec::new();
    let mut exit = Exit::Success;
    for host in &hosts {
        let host_arg = (host != "-").then_some(host.as_str());
        let answer = match resolve::getaddrinfo(host_arg, service.as_deref(), h)? {
            Ok(results) => AddrinfoAnswer {
                kind: "addrinfo",
                host: host_arg.map(str::to_string),
                service: service.clone(),
                results,
                error: None,
            },
            Err(e) => {
                exit = exit.max(e.exit());
                AddrinfoAnswer {
                    kind: "addrinfo",
                    host: host_arg.map(str::to_string),
                    service: service.clone(),
                    results: Vec::new(),
                    error: Some(e.info()),
                }
            }
        };
        answers.push(answer);
    }
    if out.is_json() {
        for a in &answers {
            out.json(a)?;
        }
        return Ok(exit);
    }
    let w = out.human();
    if args.table {
        let rows = answers
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
        writeln!(
            w,
            "{}",
            output::table(
                &[
                    "HOST",
                    "FAMILY",
                    "TYPE",
                    "PROTOCOL",
                    "CANONICAL NAME",
                    "SOCKET ADDRESS"
                ],
                rows
            )
        )?;
        return Ok(exit);
    }
    for (i, a) in answers.iter().enumerate() {
        if answers.len() > 1 {
            if i > 0 {
                writeln!(w)?;
            }
            writeln!(w, "{}", escape(a.host.as_deref().unwrap_or("(wildcard)")))?;
        }
        if let Some(e) = &a.error {
            writeln!(w, "ERROR: {}", e.message)?;
            continue;
        }
        for (j, r) in a.results.iter().enumerate() {
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
    }
    Ok(exit)
}
