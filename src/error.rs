//! Error types. [`NetkitError`] ends a command (bad input, a local failure);
//! [`Failure`] is a failure reported in-band, inside a result, and is the
//! JSON error object `{"code", "message"}` of every command.

use std::path::PathBuf;

use serde::Serialize;

use crate::exit::{Exit, Reason};

/// An error that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum NetkitError {
    /// The user gave something netkit cannot parse or accept.
    #[error("{0}")]
    Invalid(String),
    /// A file named by the user could not be read, or is too large.
    #[error("cannot read {}: {why}", crate::sanitize::escape(&path.display().to_string()))]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why, for people.
        why: String,
    },
    /// A failure with its reason (a bind that failed, no route...).
    #[error("{0}")]
    Failed(Failure),
    /// The command `portcheck --wait -- CMD` was to run cannot run
    /// (126: not executable, 127: not found), as a shell reports it.
    #[error("{message}")]
    Command {
        /// 126 or 127.
        code: u8,
        /// For people.
        message: String,
    },
    /// A local system call failed.
    #[error("{call}: {source}")]
    System {
        /// The call that failed.
        call: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

impl NetkitError {
    /// Shorthand for an invalid-input error.
    pub fn invalid(msg: impl Into<String>) -> Self {
        NetkitError::Invalid(one_line(msg.into()))
    }

    /// A file that could not be read.
    pub fn read_file(path: impl Into<PathBuf>, source: &std::io::Error) -> Self {
        NetkitError::ReadFile {
            path: path.into(),
            why: source.to_string(),
        }
    }

    /// A local system call that failed.
    pub fn system(call: &'static str) -> impl FnOnce(std::io::Error) -> NetkitError {
        move |source| NetkitError::System { call, source }
    }

    /// The exit status this error maps to.
    pub fn exit(&self) -> Exit {
        match self {
            NetkitError::Invalid(_) | NetkitError::ReadFile { .. } => Exit::Usage,
            NetkitError::Failed(f) => f.reason.exit(),
            NetkitError::Command { code, .. } => Exit::Child(*code),
            NetkitError::System { source, .. } => Reason::from_local_io(source).exit(),
        }
    }

    /// The hint that goes with it, if any.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            NetkitError::Failed(f) => f.reason.hint(),
            NetkitError::System { source, .. } => Reason::from_local_io(source).hint(),
            _ => None,
        }
    }
}

/// Result alias for the core.
pub type Result<T, E = NetkitError> = std::result::Result<T, E>;

/// A failure reported in-band: the JSON error object, `{"code", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// Why, from the one vocabulary (serialised as `code`).
    #[serde(rename = "code")]
    pub reason: Reason,
    /// A sentence for people (already escaped where it quotes input).
    pub message: String,
}

impl Failure {
    /// A failure with its reason and message.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Failure {
            reason,
            message: one_line(message.into()),
        }
    }

    /// An OS error on `what` (`connect 192.0.2.1:22`), classified.
    pub fn io(e: &std::io::Error, what: impl std::fmt::Display) -> Self {
        // read_exact's "early eof" and "failed to fill whole buffer" are
        // the library's words for a peer that closed mid-message.
        let text = e.to_string();
        if e.kind() == std::io::ErrorKind::UnexpectedEof
            && (text == "early eof" || text == "failed to fill whole buffer")
        {
            return Failure::new(
                Reason::from_io(e),
                format!("{what}: the peer closed the connection"),
            );
        }
        Failure::new(Reason::from_io(e), format!("{what}: {e}"))
    }

    /// Nothing came back within `after`.
    pub fn timeout(what: impl std::fmt::Display, after: std::time::Duration) -> Self {
        Failure::new(
            Reason::Timeout,
            format!("{what}: no answer within {}", crate::value::seconds(after)),
        )
    }

    /// The exit status.
    pub fn exit(&self) -> Exit {
        self.reason.exit()
    }
}

impl From<Failure> for NetkitError {
    fn from(f: Failure) -> Self {
        NetkitError::Failed(f)
    }
}

/// The most characters of a message: whatever a caller quoted into it, an
/// error stays one short line.
pub const MAX_MESSAGE: usize = 400;

/// Escapes control characters and cuts to [`MAX_MESSAGE`] characters: the
/// last guard for messages that quote user or network text (the fuzzers
/// found quotes that escaped nothing and escapes that quadrupled a 64-byte
/// cut).
fn one_line(msg: String) -> String {
    if msg.len() <= MAX_MESSAGE && !msg.chars().any(char::is_control) {
        return msg;
    }
    let escaped = crate::sanitize::escape(&msg);
    if escaped.chars().count() <= MAX_MESSAGE {
        return escaped.into_owned();
    }
    let mut cut: String = escaped.chars().take(MAX_MESSAGE - 3).collect();
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_peer_that_closed_mid_message_is_said_in_words() {
        use std::io::{ErrorKind, Read};
        let mut buf = [0u8; 4];
        let std_eof = (&b"ab"[..]).read_exact(&mut buf).unwrap_err();
        let tokio_eof = std::io::Error::new(ErrorKind::UnexpectedEof, "early eof");
        for e in [std_eof, tokio_eof] {
            let f = super::Failure::io(&e, "round trip 4");
            assert_eq!(f.message, "round trip 4: the peer closed the connection");
            assert_eq!(f.reason, crate::exit::Reason::Closed);
        }
        // Another library's own words for it stay.
        let tls = std::io::Error::new(
            ErrorKind::UnexpectedEof,
            "peer closed connection without sending TLS close_notify",
        );
        assert!(
            super::Failure::io(&tls, "x")
                .message
                .contains("close_notify")
        );
    }

    use super::*;

    #[test]
    fn messages_are_one_short_line() {
        let e = NetkitError::invalid(format!("bad '{}'", "\0".repeat(10_000)));
        let m = e.to_string();
        assert!(m.chars().count() <= MAX_MESSAGE, "{}", m.len());
        assert!(!m.chars().any(char::is_control));
        let f = Failure::new(Reason::Invalid, "a\nb\u{1b}[2J");
        assert_eq!(f.message, "a\\nb\\x1b[2J");
        assert_eq!(Failure::new(Reason::Invalid, "plain").message, "plain");
    }
}
