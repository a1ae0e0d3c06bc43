//! The colour decision, made once at start.

use std::ffi::OsString;
use std::io::IsTerminal;

/// `--color auto|always|never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and the environment allows it.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Decides whether to colour: `--color`, then NO_COLOR (set and non-empty:
/// off), CLICOLOR_FORCE (set, non-empty and not 0: on), CLICOLOR=0 (off),
/// TERM=dumb (off), then whether stdout is a terminal.
pub fn decide_color(
    choice: ColorChoice,
    env: impl Fn(&str) -> Option<OsString>,
    stdout_is_terminal: bool,
) -> bool {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if set("NO_COLOR").is_some() {
                return false;
            }
            if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                return true;
            }
            if env("CLICOLOR").is_some_and(|v| v == "0") {
                return false;
            }
            if env("TERM").is_some_and(|v| v == "dumb") {
                return false;
            }
            stdout_is_terminal
        }
    }
}

/// Applies the colour decision for this process, once.
pub fn apply_color(choice: ColorChoice) -> bool {
    let on = decide_color(
        choice,
        |k| std::env::var_os(k),
        std::io::stdout().is_terminal(),
    );
    colored::control::set_override(on);
    on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn color_decision_table() {
        use ColorChoice::*;
        type Case = (
            ColorChoice,
            &'static [(&'static str, &'static str)],
            bool,
            bool,
        );
        let table: &[Case] = &[
            (Auto, &[], true, true),
            (Auto, &[], false, false),
            (Auto, &[("NO_COLOR", "1")], true, false),
            (Auto, &[("NO_COLOR", "")], true, true),
            (Auto, &[("CLICOLOR_FORCE", "1")], false, true),
            (Auto, &[("CLICOLOR_FORCE", "0")], false, false),
            (
                Auto,
                &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
                false,
                false,
            ),
            (Auto, &[("TERM", "dumb")], true, false),
            (
                Auto,
                &[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")],
                false,
                true,
            ),
            (Auto, &[("CLICOLOR", "0")], true, false),
            (Always, &[("NO_COLOR", "1"), ("TERM", "dumb")], false, true),
            (Never, &[("CLICOLOR_FORCE", "1")], true, false),
        ];
        for (choice, env, tty, want) in table {
            assert_eq!(
                decide_color(*choice, env_of(env), *tty),
                *want,
                "{choice:?} {env:?} tty={tty}"
            );
        }
    }
}
