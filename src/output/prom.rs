//! `--prom-file PATH`: the result in the Prometheus text exposition format
//! (version 0.0.4), for node_exporter's textfile collector: every metric a
//! gauge with its HELP and TYPE once, its samples together, no timestamps,
//! label values escaped, and the file written atomically (a temporary file
//! in the same directory, then a rename), so the collector never reads half
//! a file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::error::{NetkitError, Result};

/// Most samples written (a scan of every port keeps its counts, not a line
/// per port past this).
pub const MAX_SAMPLES: usize = 4096;

struct Family {
    name: String,
    help: String,
    samples: Vec<String>,
}

/// Metrics gathered for one file.
#[derive(Default)]
pub struct Metrics {
    families: Vec<Family>,
    samples: usize,
}

fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl Metrics {
    /// Adds one sample of gauge `name`.
    pub fn gauge(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        if self.samples >= MAX_SAMPLES {
            return;
        }
        self.samples += 1;
        let mut line = String::from(name);
        if !labels.is_empty() {
            line.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                let _ = write!(line, "{k}=\"{}\"", escape_label(v));
            }
            line.push('}');
        }
        let _ = write!(line, " {}", number(value));
        match self.families.iter_mut().find(|f| f.name == name) {
            Some(f) => f.samples.push(line),
            None => self.families.push(Family {
                name: name.to_string(),
                help: help.to_string(),
                samples: vec![line],
            }),
        }
    }

    /// Whether per-item samples still fit, leaving room for a summary's.
    pub fn has_room(&self) -> bool {
        self.samples + 64 < MAX_SAMPLES
    }

    /// The exposition text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for f in &self.families {
            let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
            let _ = writeln!(out, "# TYPE {} gauge", f.name);
            for s in &f.samples {
                out.push_str(s);
                out.push('\n');
            }
        }
        out
    }

    /// Writes the file atomically: a new file beside PATH (a random name,
    /// created with O_EXCL and O_NOFOLLOW, mode 0644: a symlink or a file
    /// planted there is never written through), then a rename over PATH.
    /// PATH itself must be a regular file or not exist ([`check_path`]).
    pub fn write_atomic(&self, path: &Path) -> Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        check_path(path)?;
        let shown = crate::sanitize::escape(&path.display().to_string()).into_owned();
        let fail = |e: std::io::Error| NetkitError::System {
            call: "writing --prom-file",
            source: std::io::Error::new(e.kind(), format!("{shown}: {e}")),
        };
        let mut last = None;
        for _ in 0..8 {
            let mut salt = [0u8; 8];
            let _ = rustix::rand::getrandom(&mut salt, rustix::rand::GetRandomFlags::empty());
            let mut tmp_name = path.as_os_str().to_owned();
            tmp_name.push(format!(
                ".tmp.{}.{:016x}",
                std::process::id(),
                u64::from_ne_bytes(salt)
            ));
            let tmp = std::path::PathBuf::from(tmp_name);
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&tmp);
            let mut f = match created {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    last = Some(e);
                    continue;
                }
                Err(e) => return Err(fail(e)),
            };
            let mut write = || -> std::io::Result<()> {
                use std::os::unix::fs::PermissionsExt;
                // Readable by the collector whatever the umask.
                f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
                f.write_all(self.text().as_bytes())?;
                f.sync_all()?;
                std::fs::rename(&tmp, path)
            };
            return write().map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                fail(e)
            });
        }
        Err(fail(last.unwrap_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free temporary name")
        })))
    }
}

/// A `--prom-file` PATH must be a regular file or not exist yet, in a
/// directory that exists: a FIFO, a device (`/dev/null`), a directory or a
/// symlink there is refused (exit 2), never replaced. Checked before the
/// command runs, and again before the rename.
pub fn check_path(path: &Path) -> Result<()> {
    let shown = crate::sanitize::escape(&path.display().to_string()).into_owned();
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => {}
        Ok(m) => {
            let kind = if m.file_type().is_symlink() {
                "a symbolic link"
            } else if m.is_dir() {
                "a directory"
            } else {
                "a device, FIFO or socket"
            };
            return Err(NetkitError::invalid(format!(
                "--prom-file {shown}: {kind} is there; give the path of a regular file (it is replaced atomically)"
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            if !dir.is_dir() {
                return Err(NetkitError::invalid(format!(
                    "--prom-file {shown}: no directory {}",
                    crate::sanitize::escape(&dir.display().to_string())
                )));
            }
        }
        Err(e) => {
            return Err(NetkitError::invalid(format!("--prom-file {shown}: {e}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_grouped_and_labels_escaped() {
        let mut m = Metrics::default();
        m.gauge("a_x", "help a", &[("k", "v\"1\\\n")], 1.0);
        m.gauge("b_y", "help b", &[], 0.25);
        m.gauge("a_x", "help a", &[("k", "v2")], 2.5);
        assert_eq!(
            m.text(),
            "# HELP a_x help a\n# TYPE a_x gauge\na_x{k=\"v\\\"1\\\\\\n\"} 1\na_x{k=\"v2\"} 2.5\n\
             # HELP b_y help b\n# TYPE b_y gauge\nb_y 0.25\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.prom");
        m.write_atomic(&p).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), m.text());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
        assert!(
            m.write_atomic(&dir.path().join("no/such/dir.prom"))
                .is_err()
        );
    }
}
