//! Reading the netdb files (`/etc/services`, `/etc/protocols`) the way
//! glibc's nss_files does: `#` starts a comment anywhere on a line, fields
//! are separated by white space, malformed lines are skipped.

use std::borrow::Cow;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{NetkitError, Result};

/// Where a table's entries came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbSource {
    /// A file: the system one or one named with `--db`.
    File(PathBuf),
    /// The table compiled into netkit, because the system file is missing
    /// or `--builtin` asked for it.
    Builtin,
}

impl std::fmt::Display for DbSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbSource::File(p) => write!(f, "{}", p.display()),
            DbSource::Builtin => f.write_str("builtin"),
        }
    }
}

impl schemars::JsonSchema for DbSource {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DbSource".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "The file the answer came from, or \"builtin\" for the table compiled into netkit"
        })
    }
}

impl Serialize for DbSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Which file to read: the user's choice, or the system file with the
/// built-in table as the fallback when it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbChoice {
    /// The system file, or the built-in table if it is missing.
    System,
    /// A file named by the user; it must be readable.
    File(PathBuf),
    /// The built-in table.
    Builtin,
}

/// A line the parser skipped, with its number and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// Loads a table's text according to `choice`.
pub fn load(
    choice: &DbChoice,
    system: &Path,
    builtin: &'static str,
) -> Result<(Cow<'static, str>, DbSource)> {
    match choice {
        DbChoice::Builtin => Ok((Cow::Borrowed(builtin), DbSource::Builtin)),
        DbChoice::File(path) => read_text(path)
            .map(|t| (Cow::Owned(t), DbSource::File(path.clone())))
            .map_err(|e| match e.kind() {
                ErrorKind::FileTooLarge => NetkitError::invalid(format!(
                    "--db {}: larger than {MAX_DB_BYTES} bytes, the limit in docs/limits.md",
                    crate::sanitize::escape(&path.display().to_string())
                )),
                _ => NetkitError::read_file(path, &e),
            }),
        DbChoice::System => match read_text(system) {
            Ok(text) => Ok((Cow::Owned(text), DbSource::File(system.to_path_buf()))),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                Ok((Cow::Borrowed(builtin), DbSource::Builtin))
            }
            Err(source) => Err(NetkitError::System {
                call: "reading the system netdb file",
                source,
            }),
        },
    }
}

/// The largest netdb file read (a real /etc/services is about 13 KiB).
pub const MAX_DB_BYTES: u64 = 16 << 20;

fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "is a directory",
        ));
    }
    // Sized from the metadata (a pipe or /proc file reports 0 and grows).
    let hint = usize::try_from(meta.len().min(MAX_DB_BYTES)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint + 1);
    std::fs::File::open(path)?
        .take(MAX_DB_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_DB_BYTES {
        return Err(ErrorKind::FileTooLarge.into());
    }
    // Valid UTF-8 (the usual case) is kept without a copy.
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A name among `names` that differs from `name` only in case, to suggest
/// (netdb names compare exactly, as glibc compares them).
pub fn suggest<'a, S: AsRef<str> + ?Sized + 'a>(
    names: impl IntoIterator<Item = &'a S>,
    name: &str,
) -> Option<&'a str> {
    names
        .into_iter()
        .map(AsRef::as_ref)
        .find(|n| n.eq_ignore_ascii_case(name))
}

/// The white-space separated fields of a line, comment removed. Empty for
/// blank and comment-only lines.
pub fn fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    fields_into(line, &mut out);
    out
}

/// [`fields`] into a buffer the caller reuses from line to line (a table
/// is parsed at every start of `services` and `portcheck`: no allocation
/// per line, one pass over the bytes).
pub fn fields_into<'a>(line: &'a str, out: &mut Vec<&'a str>) {
    out.clear();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => break,
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < b.len() && b[i] != b'#' && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                // Both ends are next to ASCII bytes (or the line's ends):
                // character boundaries.
                out.push(&line[start..i]);
            }
        }
    }
}

/// The lines of a table, as `str::lines` splits them ("\n", or "\r\n"),
/// with a plain byte scan.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        Some(match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => {
                let line = &rest[..i];
                rest = &rest[i + 1..];
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => std::mem::take(&mut rest),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_nss_files() {
        assert_eq!(
            fields("http 80/tcp www # WorldWideWeb"),
            vec!["http", "80/tcp", "www"]
        );
        assert_eq!(fields("  # only a comment"), Vec::<&str>::new());
        assert_eq!(fields("a\tb#c d"), vec!["a", "b"]);
        assert_eq!(fields(""), Vec::<&str>::new());
        assert_eq!(fields("é\tü x#"), vec!["é", "ü", "x"]);
        for text in ["a\nb\r\n\nc", "", "\n", "x\r\n", "a\rb\n", "x\r"] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn missing_system_file_falls_back_to_builtin() {
        let (text, source) = load(
            &DbChoice::System,
            Path::new("/nonexistent/netkit/services"),
            "builtin text",
        )
        .unwrap();
        assert_eq!((&*text, source), ("builtin text", DbSource::Builtin));
        let err = load(
            &DbChoice::File("/nonexistent/netkit/x".into()),
            Path::new("/x"),
            "",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/netkit/x")
        );
    }
}
