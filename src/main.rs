//! The `netkit` binary: parse argv, dispatch, map the error to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use netkit::cli::{self, Command};
use netkit::cmd;
use netkit::error::NetkitError;
use netkit::exit::Exit;
use netkit::output::{self, Mode, Printer};

fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => return clap_failure(&err),
    };
    output::apply_color(cli.global.color);
    if !cli.command.handles_interrupt() {
        exit_130_on_sigint();
    }
    let mode = match (cli.global.quiet, cli.global.json) {
        (true, true) => Mode::QuietJson,
        (true, false) => Mode::Quiet,
        (false, true) => Mode::Json,
        (false, false) => Mode::Human,
    };
    let mut printer = Printer::stdout(mode, cli.global.verbose);
    let result = match &cli.command {
        Command::Pack(args) => cmd::pack::run(args, &mut printer),
        Command::Services(args) => cmd::services::run(args, &mut printer),
        Command::Proto(args) => cmd::proto::run(args, &mut printer),
        Command::McastSend(args) => cmd::mcast_send::run(args, &mut printer),
        Command::McastRecv(args) => cmd::mcast_recv::run(args, &mut printer),
        Command::EchoServer(args) => cmd::echo_server::run(args, &mut printer),
        Command::EchoClient(args) => cmd::echo_client::run(args, &mut printer),
        Command::Hostname(args) => cmd::hostname::run(args, &mut printer),
        Command::Addrinfo(args) => cmd::addrinfo::run(args, &mut printer),
        Command::Lookup(args) => cmd::lookup::run(args, &mut printer),
        Command::Fqdn(args) => cmd::fqdn::run(args, &mut printer),
        Command::Rdns(args) => cmd::rdns::run(args, &mut printer),
        Command::Portcheck(args) => cmd::portcheck::run(args, &mut printer),
        Command::Diagnose(args) => cmd::diagnose::run(args, &mut printer),
    }
    .and_then(|exit| printer.flush().map(|_| exit).map_err(Into::into));
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => failure(&err, cli.command.name()),
    }
}

/// Prints the one error line and picks the exit code. A closed stdout
/// (`netkit ... | head -1`) is not an error: exit 0 quietly.
fn failure(err: &anyhow::Error, command: &str) -> ExitCode {
    if err
        .chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
    {
        return ExitCode::SUCCESS;
    }
    let exit = err
        .chain()
        .find_map(|e| e.downcast_ref::<NetkitError>())
        .map_or(Exit::Local, NetkitError::exit);
    let message = format!("{err:#}").replace('\n', " ");
    let hint = if exit == Exit::Usage {
        format!(" (see 'netkit {command} --help')")
    } else {
        String::new()
    };
    let _ = writeln!(
        io::stderr(),
        "netkit: error: {}{hint}",
        netkit::sanitize::escape(&message)
    );
    ExitCode::from(exit.code())
}

/// clap's errors in one line; help and version go to stdout with status 0.
fn clap_failure(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(Exit::Usage.code())
        }
        _ => {
            // clap's message runs until the first blank line; the usage and
            // tips after it are left out to keep the error to one line.
            let rendered = err.render().to_string();
            let message = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            let subcommand = std::env::args()
                .skip(1)
                .find(|a| cli::command().find_subcommand(a).is_some())
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let _ = writeln!(
                io::stderr(),
                "netkit: error: {} (see 'netkit{subcommand} --help')",
                netkit::sanitize::escape(message)
            );
            ExitCode::from(Exit::Usage.code())
        }
    }
}

/// Short commands have nothing to print when interrupted: exit 130 at once.
fn exit_130_on_sigint() {
    // SAFETY: the action only calls `_exit`, which is async-signal-safe.
    let registered = unsafe {
        signal_hook::low_level::register(signal_hook::consts::SIGINT, || {
            signal_hook::low_level::exit(Exit::Interrupted.code().into())
        })
    };
    if let Err(e) = registered {
        let _ = writeln!(io::stderr(), "netkit: warning: cannot handle SIGINT: {e}");
    }
}
