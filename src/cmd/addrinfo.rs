//! `netkit addrinfo`: the system's getaddrinfo with every knob.

use crate::addr::netdb::DbChoice;
use crate::addr::services::ServiceDb;
use crate::cli::{AddrinfoArgs, AiFamily, AiProto, AiSockType};
use crate::exit::Exit;
use crate::output::Printer;
use crate::resolve::AiHints;
use crate::resolve::report::{self, AddrinfoTable};
use crate::signal::Stop;

fn hints(args: &AddrinfoArgs) -> AiHints {
    let flags = [
        (args.canonname, libc::AI_CANONNAME),
        (args.numeric_host, libc::AI_NUMERICHOST),
        (args.numeric_serv, libc::AI_NUMERICSERV),
        (args.passive, libc::AI_PASSIVE),
        (args.addrconfig, libc::AI_ADDRCONFIG),
        (args.v4mapped, libc::AI_V4MAPPED),
        (args.all, libc::AI_ALL),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |acc, (_, f)| acc | f);
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

/// Splits the positionals into hosts and a service: with two, the second
/// is the service when it is a port or a name in the services table.
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
pub fn run(args: &AddrinfoArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let (hosts, service) = hosts_and_service(args);
    let h = hints(args);
    let mut answers = Vec::new();
    let mut exit = Exit::Success;
    for (i, host) in hosts.iter().enumerate() {
        if stop.is_set() {
            break;
        }
        let host = (host != "-").then(|| host.clone());
        let deadline = args.timeout.unwrap_or(crate::resolve::SYSTEM_DEADLINE);
        let what = crate::sanitize::escape(host.as_deref().unwrap_or("(wildcard)")).into_owned();
        let (h2, s2) = (host.clone(), service.clone());
        let deadline = crate::deadline::Deadline::after(deadline);
        let mut answer = match crate::deadline::within(&what, deadline, move || {
            report::addrinfo(h2.as_deref(), s2.as_deref(), h)
        }) {
            Ok(r) => r?,
            Err(f) => report::AddrinfoAnswer::failed(host.as_deref(), service.as_deref(), f),
        };
        if let Some(e) = &answer.error {
            exit = exit.max(e.exit());
        }
        if args.table {
            answers.push(answer);
            continue;
        }
        answer.heading = (hosts.len() > 1).then_some(i > 0);
        out.emit(&answer)?;
    }
    if args.table {
        out.emit_group(&AddrinfoTable(&answers), &answers)?;
    }
    Ok(exit)
}
