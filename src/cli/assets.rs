//! Generated assets: shell completions, man pages and docs/exit-codes.md,
//! rendered from the clap definition and the exit tables of
//! src/cli/help.rs. A test compares them with the committed files.

use std::path::PathBuf;

use clap_complete::Shell;

use crate::cli;
use crate::cli::help;
use crate::exit::Exit;

/// Every generated file: its path relative to the repository, and content.
pub fn render_all() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "netkit.bash"),
        (Shell::Zsh, "_netkit"),
        (Shell::Fish, "netkit.fish"),
        (Shell::Elvish, "netkit.elv"),
        (Shell::PowerShell, "_netkit.ps1"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cli::command(), "netkit", &mut buf);
        files.push((PathBuf::from("completions").join(file), buf));
    }
    let mut top = cli::command();
    // Building propagates the version to the subcommands.
    top.build();
    files.push((
        PathBuf::from("man/netkit.1"),
        man_page(top.clone(), "netkit", "netkit"),
    ));
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name().to_string();
        let page = man_page(
            sub.clone()
                .name(format!("netkit-{name}"))
                .bin_name(format!("netkit {name}"))
                .version(env!("CARGO_PKG_VERSION")),
            &name,
            &format!("netkit {name}"),
        );
        files.push((PathBuf::from(format!("man/netkit-{name}.1")), page));
    }
    files.push((PathBuf::from("docs/exit-codes.md"), exit_codes_doc()));
    for (name, schema) in super::schema::all() {
        let mut text = serde_json::to_string_pretty(&schema)
            .unwrap_or_default()
            .into_bytes();
        text.push(b'\n');
        files.push((PathBuf::from(format!("docs/schema/{name}.json")), text));
    }
    files
}

/// docs/exit-codes.md: the contract, then each command's own table.
fn exit_codes_doc() -> Vec<u8> {
    let mut s = String::from(
        "# Exit codes\n\n\
<!-- Generated from src/exit.rs and src/cli/help.rs by `UPDATE_ASSETS=1 cargo test`; do not edit. -->\n\n\
One enum, `netkit::exit::Exit` in `src/exit.rs`, defines the contract; every\n\
failure is classified into one `Reason` (src/exit.rs), which names its exit\n\
status. Each command's table below is also its man page's EXIT STATUS and\n\
the end of its `--help`.\n\n| code | meaning |\n| --- | --- |\n",
    );
    for e in Exit::ALL {
        s.push_str(&format!("| {} | {} |\n", e.code(), e.meaning()));
    }
    s.push_str(
        "\n## Rules\n\n\
- **Several inputs:** the largest code among them wins; every input is still\n  answered (`netkit services http nosuch` prints the http answer, exits 1).\n\
- **Usage errors fail fast:** arguments are parsed before any work starts; a\n  bad one gives one line `netkit: error: ...` on stderr, nothing on stdout,\n  and exit 2. This covers clap's own errors and arguments that are not UTF-8.\n\
- **Files named by the user** (`--db`, `-f`, `--ca-file`) that cannot be read\n  or are over their size limit (docs/limits.md) are invalid input: exit 2.\n\
- **A closed stdout** (`netkit ... | head -1`) ends any command at once,\n  quietly, with exit 0.\n\
- **Signals:** SIGINT and SIGTERM make a command print what it gathered and\n  its summary, then exit 130 or 143. echo-server treats both as its normal\n  stop (exit 0). A command that cannot stop within a grace period is ended by\n  a watchdog with the same code, after what it printed is flushed.\n\
- **`portcheck --wait ... -- CMD`** exits with CMD's status (or 128 + its\n  signal); a missing CMD is 127 and one not executable 126, checked before\n  waiting. A wait that is stopped never runs CMD; a signal while CMD runs is\n  passed to it, and netkit waits for it.\n\n## Per command\n",
    );
    for name in crate::cli::SUBCOMMANDS {
        s.push_str(&format!(
            "\n### `netkit {name}`\n\n| code | when |\n| --- | --- |\n"
        ));
        for r in help::exit_table(name) {
            s.push_str(&format!(
                "| {} | {} |\n",
                r.code,
                r.when.replace('|', "\\|")
            ));
        }
    }
    s.push_str("\n## Failure reasons\n\nThe `code` of every JSON error object, and its exit status:\n\n| code | exit | hint |\n| --- | --- | --- |\n");
    for r in crate::exit::Reason::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            r.code(),
            r.exit().code(),
            r.hint().unwrap_or("")
        ));
    }
    s.into_bytes()
}

fn man_page(cmd: clap::Command, examples_key: &str, invocation: &str) -> Vec<u8> {
    // The EXAMPLES and EXIT STATUS sections are written below; clap's
    // after_help carries the same text for --help and must not be doubled.
    let cmd = cmd.after_help(None::<&str>).after_long_help(None::<&str>);
    let man = clap_mangen::Man::new(cmd.clone())
        .date("")
        .source(format!("netkit {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut out);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        let _ = man.render_subcommands_section(&mut out);
    }
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for r in help::exit_table(examples_key) {
        out.extend_from_slice(
            format!(".TP\n\\fB{}\\fR\n{}\n", r.code, roff_escape(r.when)).as_bytes(),
        );
    }
    out.extend_from_slice(
        b".PP\nWith several inputs, netkit exits with the largest code among them.\n",
    );
    out.extend_from_slice(b".SH EXAMPLES\n");
    for ex in help::examples(examples_key) {
        out.extend_from_slice(
            format!(
                ".PP\n{}:\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
                roff_escape(ex.about),
                roff_escape(ex.command)
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!(
            ".SH \"SEE ALSO\"\nThe README and docs/ of netkit; \\fBnetkit help\\fR; {} \\-\\-help\n",
            roff_escape(invocation)
        )
        .as_bytes(),
    );
    let _ = man.render_version_section(&mut out);
    out
}

fn roff_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.starts_with('.') || line.starts_with('\'') {
            out.push_str("\\&");
        }
        for c in line.chars() {
            match c {
                '\\' => out.push_str("\\e"),
                '-' => out.push_str("\\-"),
                c => out.push(c),
            }
        }
    }
    out
}
