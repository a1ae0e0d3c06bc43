//! Bounded input: names and addresses read line by line with a cap on each
//! line (a file of NUL bytes or one giant line is refused with a short
//! message, not loaded), and whole files read with a size cap.

use std::io::{BufRead, Read};
use std::path::Path;

use crate::error::{NetkitError, Result};

/// One input line, trimmed, with its number (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: u64,
    /// The text, trimmed.
    pub text: String,
}

/// Lines of a reader, each at most `max` bytes; blank lines and `#`
/// comments skipped. A longer line, or bytes that are not UTF-8, end the
/// stream with an error naming the line.
pub struct BoundedLines<R> {
    reader: R,
    max: usize,
    number: u64,
    source: String,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    /// Reads `reader` (named `source` in errors), `max` bytes a line at most.
    pub fn new(reader: R, source: impl Into<String>, max: usize) -> Self {
        BoundedLines {
            reader,
            max,
            number: 0,
            source: source.into(),
            buf: Vec::new(),
            done: false,
        }
    }

    /// The next line into `buf`, its end of line dropped; false at the end.
    fn next_raw(&mut self) -> Result<bool> {
        self.buf.clear();
        let mut limited = (&mut self.reader).take(self.max as u64 + 1);
        let n = limited
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| NetkitError::read_file(&self.source, &e))?;
        if n == 0 {
            return Ok(false);
        }
        self.number += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        } else if n > self.max {
            return Err(NetkitError::invalid(format!(
                "{}: line {} is longer than {} bytes: is this a text file with one entry per line?",
                crate::sanitize::escape(&self.source),
                self.number,
                self.max
            )));
        }
        Ok(true)
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = Result<Line>;

    fn next(&mut self) -> Option<Result<Line>> {
        while !self.done {
            // The line stays in the reader's buffer (kept from line to
            // line); only its trimmed text is copied out.
            match self.next_raw() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(_) => {
                    self.done = true;
                    return Some(Err(NetkitError::invalid(format!(
                        "{}: line {} is not UTF-8 text",
                        crate::sanitize::escape(&self.source),
                        self.number
                    ))));
                }
            };
            let t = text.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            return Some(Ok(Line {
                number: self.number,
                text: t.to_string(),
            }));
        }
        None
    }
}

/// Reads a whole file the user named, refusing more than `max` bytes
/// (`/dev/zero` is refused at `max`, not read until memory runs out).
pub fn read_file_limited(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| NetkitError::read_file(path, &e))?;
    let mut data = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut data)
        .map_err(|e| NetkitError::read_file(path, &e))?;
    if data.len() as u64 > max {
        return Err(NetkitError::invalid(format!(
            "{what} {}: larger than {} bytes, the limit in docs/limits.md",
            crate::sanitize::escape(&path.display().to_string()),
            max
        )));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_bounded() {
        let input = b"a\n\n  # comment\n b \nccc";
        let got: Vec<Line> = BoundedLines::new(&input[..], "t", 16)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(
            got.iter()
                .map(|l| (l.number, l.text.as_str()))
                .collect::<Vec<_>>(),
            vec![(1, "a"), (4, "b"), (5, "ccc")]
        );
        let long = [b'x'; 100];
        let mut it = BoundedLines::new(&long[..], "f", 8);
        let e = it.next().unwrap().unwrap_err().to_string();
        assert!(e.contains("line 1 is longer than 8 bytes"), "{e}");
        assert!(it.next().is_none());
        let zeros = std::io::repeat(0).take(1 << 30);
        let mut it = BoundedLines::new(std::io::BufReader::new(zeros), "/dev/zero", 4096);
        assert!(it.next().unwrap().is_err());
        let bad = b"ok\n\xff\xfe\n";
        let r: Vec<Result<Line>> = BoundedLines::new(&bad[..], "b", 64).collect();
        assert!(r[1].as_ref().unwrap_err().to_string().contains("not UTF-8"));
    }

    #[test]
    fn files_are_capped() {
        let e = read_file_limited(Path::new("/dev/zero"), 1024, "--ca-file")
            .unwrap_err()
            .to_string();
        assert!(e.contains("larger than 1024 bytes"), "{e}");
    }
}
