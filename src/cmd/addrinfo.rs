//! `netkit addrinfo`: the system's getaddrinfo with every knob.

use crate::addr::netdb::DbChoice;
use crate::addr::services::ServiceDb;
use crate::cli::help::{Help, ex, row};
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

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "The seed's getaddrinfo loop",
            "netkit addrinfo www.example.test http",
        ),
        ex(
            "TCP over IPv6 only, with the canonical name",
            "netkit addrinfo --family inet6 --proto tcp --canonname www.example.test 443",
        ),
        ex(
            "Odd literals, without any resolver",
            "netkit addrinfo --numeric-host 0xc000027b 'fe80::1%lo' ::ffff:192.0.2.128",
        ),
        ex(
            "A table of several hosts",
            "netkit addrinfo --table -s 53 localhost ip6-localhost",
        ),
    ],
    exits: &[
        row(0, "results for every host"),
        row(1, "a host does not resolve (EAI_NONAME, EAI_NODATA)"),
        row(
            2,
            "EAI_SERVICE, EAI_FAMILY, EAI_SOCKTYPE, EAI_BADFLAGS, bad flags",
        ),
        row(3, "the resolver failed (EAI_AGAIN, EAI_FAIL)"),
        row(6, "EAI_SYSTEM, EAI_MEMORY"),
    ],
};
