//! Core error types. Each carries the context a user needs (the input, the
//! file, the syscall) and knows which exit status it maps to.

use std::path::PathBuf;

use crate::exit::Exit;

/// An error raised by netkit's core.
#[derive(Debug, thiserror::Error)]
pub enum NetkitError {
    /// The user gave something netkit cannot parse or accept.
    #[error("{0}")]
    Invalid(String),
    /// A file named by the user could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The network has no way there (no route, unreachable).
    #[error("{0}")]
    Unreachable(String),
    /// A local system call failed.
    #[error("{call}")]
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
        NetkitError::Invalid(msg.into())
    }

    /// The exit status this error maps to.
    pub fn exit(&self) -> Exit {
        match self {
            NetkitError::Invalid(_) => Exit::Usage,
            // A file the user named that is missing or unreadable is bad input.
            NetkitError::ReadFile { .. } => Exit::Usage,
            NetkitError::Unreachable(_) => Exit::Connect,
            NetkitError::System { .. } => Exit::Local,
        }
    }
}

/// Result alias for the core.
pub type Result<T, E = NetkitError> = std::result::Result<T, E>;

/// An error reported in-band, inside a JSON result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorInfo {
    /// A stable snake_case code: `not_found`, `timeout`, ...
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}
