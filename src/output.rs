//! The one printer: human text (tables, colour) or JSON Lines, to stdout.
//! Colour is decided once, at start, by [`decide_color`].

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

use serde::Serialize;

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
    let on = decide_color(choice, |k| std::env::var_os(k), io::stdout().is_terminal());
    colored::control::set_override(on);
    on
}

/// What the printer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Text for people.
    Human,
    /// JSON Lines.
    Json,
    /// Nothing: the exit status is the answer (a command may still print
    /// its summary, see [`Printer::summary_json`]).
    Quiet,
    /// JSON Lines, quiet: only what a command prints as its summary.
    QuietJson,
}

/// The stdout printer every command writes through.
pub struct Printer {
    mode: Mode,
    verbose: u8,
    out: BufWriter<StdoutLock<'static>>,
    sink: io::Sink,
}

impl Printer {
    /// A printer on this process's stdout.
    pub fn stdout(mode: Mode, verbose: u8) -> Self {
        Printer {
            mode,
            verbose,
            out: BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
            sink: io::sink(),
        }
    }

    /// True when results are printed as JSON Lines.
    pub fn is_json(&self) -> bool {
        matches!(self.mode, Mode::Json | Mode::QuietJson)
    }

    /// True with `-q`.
    pub fn is_quiet(&self) -> bool {
        matches!(self.mode, Mode::Quiet | Mode::QuietJson)
    }

    /// How verbose the human output should be (0 = normal).
    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    /// Writes one JSON object on its own line (JSON mode, not quiet).
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        if self.mode != Mode::Json {
            return Ok(());
        }
        self.write_json(value)
    }

    /// Writes a summary object in JSON mode, even with `-q`.
    pub fn summary_json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        if !self.is_json() {
            return Ok(());
        }
        self.write_json(value)
    }

    fn write_json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value).map_err(io::Error::from)?;
        self.out.write_all(b"\n")
    }

    /// The writer for human output: stdout in human mode, a sink otherwise.
    pub fn human(&mut self) -> &mut dyn Write {
        match self.mode {
            Mode::Human => &mut self.out,
            _ => &mut self.sink,
        }
    }

    /// The writer for a human summary, which `-q` keeps.
    pub fn summary_human(&mut self) -> &mut dyn Write {
        match self.mode {
            Mode::Human | Mode::Quiet => &mut self.out,
            _ => &mut self.sink,
        }
    }

    /// Flushes what was written; long-running commands call this per event.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Renders rows as an aligned table with a header, no borders.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut builder = tabled::builder::Builder::default();
    builder.push_record(header.iter().map(|h| h.to_string()));
    for row in rows {
        builder.push_record(row);
    }
    let mut t = builder.build();
    t.with(tabled::settings::Style::blank());
    t.with(tabled::settings::Padding::new(0, 1, 0, 0));
    // The last column's right padding would leave trailing blanks.
    t.to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
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

    #[test]
    fn tables_have_no_trailing_blanks() {
        let t = table(&["NAME", "PORT"], vec![vec!["http".into(), "80".into()]]);
        assert_eq!(t, "NAME  PORT\nhttp  80");
    }
}
