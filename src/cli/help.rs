//! What `--help` and the man pages add to clap's text: worked examples and
//! each command's own exit-status table. The tables are the contract each
//! command keeps (tests check them); docs/exit-codes.md and the man pages
//! are generated from them.

use crate::exit::Exit;

/// One worked example for `--help` and the man page.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// What it shows.
    pub about: &'static str,
    /// The command line.
    pub command: &'static str,
}

/// An example.
pub const fn ex(about: &'static str, command: &'static str) -> Example {
    Example { about, command }
}

/// netkit's own examples (`netkit --help`).
const NETKIT_EXAMPLES: &[Example] = &[
    ex(
        "Pack an address, as inet_aton and inet_pton do",
        "netkit pack 192.168.1.1",
    ),
    ex("Which port is imaps?", "netkit services imaps"),
    ex("The protocol number of ICMP", "netkit proto icmp"),
    ex(
        "Every service, as JSON, filtered with jq",
        "netkit services --all --json | jq -r 'select(.port < 100) | .name'",
    ),
];

/// What `--help` adds to a command's text, owned by the command's module.
#[derive(Debug, Clone, Copy)]
pub struct Help {
    /// Worked examples.
    pub examples: &'static [Example],
    /// What each exit status means for this command.
    pub exits: &'static [ExitRow],
}

/// The help of a subcommand, from its module (`None` for netkit itself).
fn help_of(name: &str) -> Option<&'static Help> {
    use crate::cmd;
    Some(match name {
        "pack" => &cmd::pack::HELP,
        "services" => &cmd::services::HELP,
        "proto" => &cmd::proto::HELP,
        "mcast-send" => &cmd::mcast_send::HELP,
        "mcast-recv" => &cmd::mcast_recv::HELP,
        "echo-server" => &cmd::echo_server::HELP,
        "echo-client" => &cmd::echo_client::HELP,
        "hostname" => &cmd::hostname::HELP,
        "addrinfo" => &cmd::addrinfo::HELP,
        "lookup" => &cmd::lookup::HELP,
        "fqdn" => &cmd::fqdn::HELP,
        "rdns" => &cmd::rdns::HELP,
        "portcheck" => &cmd::portcheck::HELP,
        "diagnose" => &cmd::diagnose::HELP,
        _ => return None,
    })
}

/// The examples for one subcommand ("netkit" for the top level).
pub fn examples(name: &str) -> &'static [Example] {
    help_of(name).map_or(NETKIT_EXAMPLES, |h| h.examples)
}

/// One row of a command's exit-status table.
#[derive(Debug, Clone, Copy)]
pub struct ExitRow {
    /// The status.
    pub code: u8,
    /// When this command exits with it.
    pub when: &'static str,
}

/// A row of an exit-status table.
pub const fn row(code: u8, when: &'static str) -> ExitRow {
    ExitRow { code, when }
}

const SIGNALS: [ExitRow; 2] = [
    row(
        130,
        "interrupted (SIGINT), after printing what was gathered",
    ),
    row(
        143,
        "terminated (SIGTERM), after printing what was gathered",
    ),
];

/// Each command's exit statuses: what 0, 1, 2... mean for it.
pub fn exit_table(name: &str) -> Vec<ExitRow> {
    let mut rows: Vec<ExitRow> = match help_of(name) {
        Some(h) => h.exits.to_vec(),
        None => Exit::ALL
            .iter()
            .map(|e| row(e.code(), e.meaning()))
            .collect(),
    };
    if name == "echo-server" || !crate::cli::is_subcommand(name) {
        return rows;
    }
    if !rows.iter().any(|r| r.code == 2) {
        rows.push(row(2, "a usage error"));
        rows.sort_by_key(|r| r.code);
    }
    rows.extend(SIGNALS);
    rows
}

/// The examples and exit statuses shown by `--help` (not `-h`).
pub fn long_help(name: &str) -> String {
    let mut text = String::from("Examples:\n");
    for e in examples(name) {
        text.push_str(&format!("  # {}\n  {}\n\n", e.about, e.command));
    }
    text.push_str("Exit status:\n");
    for r in exit_table(name) {
        text.push_str(&format!("  {:>3}  {}\n", r.code, r.when));
    }
    text
}
