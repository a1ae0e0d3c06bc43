//! Generated assets: shell completions and man pages, rendered from the clap
//! definition. A test compares them with the committed files.

use std::path::PathBuf;

use clap_complete::Shell;

use crate::cli;
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
    files
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
    for e in Exit::ALL {
        out.extend_from_slice(
            format!(".TP\n\\fB{}\\fR\n{}\n", e.code(), roff_escape(e.meaning())).as_bytes(),
        );
    }
    out.extend_from_slice(
        b".PP\nWith several inputs, netkit exits with the largest code among them.\n",
    );
    out.extend_from_slice(b".SH EXAMPLES\n");
    for ex in cli::examples(examples_key) {
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
