//! The whole process, as the binary runs it: parse argv, dispatch to one
//! command module, map the result to an exit code. `src/main.rs` is only
//! the C entry point around [`run`].

use std::io::{self, Write};

use crate::cli::{self, Command};
use crate::cmd;
use crate::error::{Failure, NetkitError};
use crate::exit::Exit;
use crate::output::{self, Mode, Printer};
use crate::signal::{Stop, StopCause};

/// Runs netkit with the process's arguments; returns the exit status.
pub fn run() -> u8 {
    crate::sys::ignore_sigpipe();
    let cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => return clap_failure(&err),
    };
    output::apply_color(cli.global.color);
    let stop = Stop::process();
    if cli.command.watches_from_start() {
        stop.watch();
    }
    let mode = if cli.global.json {
        Mode::Json
    } else {
        Mode::Human
    };
    // A --prom-file PATH that cannot be replaced fails before any work.
    if let Some(p) = cli.command.prom_file()
        && let Err(e) = output::prom::check_path(p)
    {
        return failure(&e.into(), cli.command.name(), &stop);
    }
    let mut out = Printer::stdout(mode, cli.global.quiet, cli.global.verbose)
        .with_prom_file(cli.command.prom_file().map(Into::into));
    let result = match &cli.command {
        Command::Pack(args) => cmd::pack::run(args, &mut out, &stop),
        Command::Services(args) => cmd::services::run(args, &mut out, &stop),
        Command::Proto(args) => cmd::proto::run(args, &mut out, &stop),
        Command::McastSend(args) => cmd::mcast_send::run(args, &mut out, &stop),
        Command::McastRecv(args) => cmd::mcast_recv::run(args, &mut out, &stop),
        Command::EchoServer(args) => cmd::echo_server::run(args, &mut out, &stop),
        Command::EchoClient(args) => cmd::echo_client::run(args, &mut out, &stop),
        Command::Hostname(args) => cmd::hostname::run(args, &mut out, &stop),
        Command::Addrinfo(args) => cmd::addrinfo::run(args, &mut out, &stop),
        Command::Lookup(args) => cmd::lookup::run(args, &mut out, &stop),
        Command::Fqdn(args) => cmd::fqdn::run(args, &mut out, &stop),
        Command::Rdns(args) => cmd::rdns::run(args, &mut out, &stop),
        Command::Portcheck(args) => cmd::portcheck::run(args, &mut out, &stop),
        Command::Diagnose(args) => cmd::diagnose::run(args, &mut out, &stop),
    }
    .and_then(|exit| out.finish().map(|()| exit).map_err(Into::into));
    let exit = match result {
        Ok(exit) => exit,
        Err(err) => {
            // What was printed before the error still goes out.
            let _ = out.flush();
            return failure(&err, cli.command.name(), &stop);
        }
    };
    final_exit(exit, &cli.command, &stop).code()
}

/// A signal decides the status (130, 143) over the command's own, except
/// for echo-server, whose normal stop is a signal, and a child's status,
/// which `portcheck --wait -- CMD` hands on.
fn final_exit(exit: Exit, command: &Command, stop: &Stop) -> Exit {
    match stop.cause() {
        Some(StopCause::ClosedOutput) => Exit::Success,
        Some(_) if matches!(command, Command::EchoServer(_)) => exit,
        Some(_) if matches!(exit, Exit::Child(_)) => exit,
        Some(cause) => cause.exit(),
        None => exit,
    }
}

/// An error and its causes in one line, each said once: an error that
/// shows its source in its own words (`bind: Address in use`) is not
/// followed by that source again.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for e in err.chain() {
        let text = e.to_string().replace('\n', " ");
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Prints the one error line and picks the exit code. A closed stdout
/// (`netkit ... | head -1`) is not an error: exit 0 quietly.
fn failure(err: &anyhow::Error, command: &str, stop: &Stop) -> u8 {
    let broken = err
        .chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe);
    if broken || stop.cause() == Some(StopCause::ClosedOutput) {
        return 0;
    }
    let (exit, hint) = match err.chain().find_map(|e| e.downcast_ref::<NetkitError>()) {
        Some(e) => (e.exit(), e.hint()),
        None => match err.chain().find_map(|e| e.downcast_ref::<Failure>()) {
            Some(f) => (f.exit(), f.reason.hint()),
            None => (Exit::Local, None),
        },
    };
    let message = one_line(err);
    let tail = match (exit, hint) {
        (Exit::Usage, _) => format!(" (see 'netkit {command} --help')"),
        (_, Some(h)) => format!(" ({h})"),
        _ => String::new(),
    };
    let _ = writeln!(
        io::stderr(),
        "netkit: error: {}{tail}",
        crate::sanitize::brief(&message, 2000)
    );
    let exit = match stop.exit() {
        Some(signal) if stop.by_signal() => signal,
        _ => exit,
    };
    exit.code()
}

/// clap's errors in one line (with its "did you mean" tip); help and
/// version go to stdout with status 0.
/// `lookup -x.example.test`: a word with a dot that clap took for flags is
/// a name starting with `-`; say how to give one (dig's `-q NAME`).
fn lookup_name_tip(err: &clap::Error) -> Option<&'static str> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let lookup = std::env::args_os().skip(1).any(|a| a == "lookup");
    let dotted = std::env::args_os().skip(1).any(|a| {
        a.to_str()
            .is_some_and(|s| s.starts_with('-') && !s.starts_with("--") && s.contains('.'))
    });
    let unknown = matches!(
        err.get(ContextKind::InvalidArg),
        Some(ContextValue::String(_))
    );
    (lookup && dotted && unknown).then_some("a name starting with '-' goes after --name or --")
}

/// clap's range check says `0 is not in 1..=100000`, Rust's syntax; the
/// rest of netkit says `out of range 1-100000` (as `pack --htons` does).
fn ranges_in_words(message: &str) -> String {
    regex_lite::Regex::new(r"(-?[0-9]+) is not in (-?[0-9]+)\.\.=(-?[0-9]+)").map_or_else(
        |_| message.to_string(),
        |range| {
            range
                .replace_all(message, "$1 is out of range $2-$3")
                .into_owned()
        },
    )
}

fn clap_failure(err: &clap::Error) -> u8 {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            Exit::Usage.code()
        }
        _ => {
            // The message and its tips, up to the usage block.
            let rendered = err.render().to_string();
            // clap's "to pass '--x' as a value, use '-- --x'" is wrong here:
            // after `--` netkit takes no values (portcheck runs a command).
            let message = rendered
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .filter(|l| !l.is_empty() && !l.contains("as a value, use '-- "))
                .fold(String::new(), |mut acc, l| {
                    // "not provided:" then its list: one phrase.
                    if !acc.is_empty() {
                        acc.push_str(if acc.ends_with(':') { " " } else { "; " });
                    }
                    acc.push_str(l);
                    acc
                });
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            let message = ranges_in_words(message);
            let message = match lookup_name_tip(err) {
                Some(tip) => format!("{message}; {tip}"),
                None => message.to_string(),
            };
            // argv may hold bytes that are not UTF-8: never panic on them.
            let subcommand = std::env::args_os()
                .skip(1)
                .find_map(|a| {
                    a.to_str()
                        .filter(|s| cli::is_subcommand(s))
                        .map(str::to_string)
                })
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let _ = writeln!(
                io::stderr(),
                "netkit: error: {} (see 'netkit{subcommand} --help')",
                crate::sanitize::brief(&message, 2000)
            );
            Exit::Usage.code()
        }
    }
}
