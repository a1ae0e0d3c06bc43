//! The exit-code contract shared by every netkit command.
//!
//! One enum, documented once; the man pages, `docs/exit-codes.md` and the
//! README are checked against [`Exit::ALL`].

use serde::Serialize;

/// A process exit status with a meaning. Ordered so that, with several
/// inputs, the largest code wins (`Exit::worst`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// Every input got a positive answer.
    Success,
    /// A negative answer: not found, closed, mismatch, over a threshold.
    Negative,
    /// Usage error or invalid input.
    Usage,
    /// Name resolution failed without a "no" (SERVFAIL, REFUSED, no nameserver).
    Resolve,
    /// A network wait ran out of time.
    Timeout,
    /// A connection failed: refused, unreachable, reset.
    Connect,
    /// A local or system error: bind failed, permission, limits.
    Local,
    /// Interrupted by SIGINT.
    Interrupted,
    /// The status of a command netkit ran for the user (`portcheck --wait
    /// -- CMD`), passed through unchanged.
    Child(u8),
}

impl Exit {
    /// Every code, in numeric order.
    pub const ALL: [Exit; 8] = [
        Exit::Success,
        Exit::Negative,
        Exit::Usage,
        Exit::Resolve,
        Exit::Timeout,
        Exit::Connect,
        Exit::Local,
        Exit::Interrupted,
    ];

    /// The numeric status handed to the operating system.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Negative => 1,
            Exit::Usage => 2,
            Exit::Resolve => 3,
            Exit::Timeout => 4,
            Exit::Connect => 5,
            Exit::Local => 6,
            Exit::Interrupted => 130,
            Exit::Child(code) => code,
        }
    }

    /// A child command's own status, passed through.
    pub fn pass_through(code: u8) -> Exit {
        Exit::Child(code)
    }

    /// One line describing when this status is used.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success: every input got a positive answer",
            Exit::Negative => "negative answer: not found, closed, mismatch, over a threshold",
            Exit::Usage => "usage error or invalid input",
            Exit::Resolve => {
                "name-resolution failure that is not a \"no\" (SERVFAIL, REFUSED, no nameserver)"
            }
            Exit::Timeout => "timeout",
            Exit::Connect => "connection failed (refused, unreachable, reset)",
            Exit::Local => "local or system error (bind failed, permission, limits)",
            Exit::Interrupted => "interrupted (SIGINT)",
            Exit::Child(_) => "the status of the command run by portcheck --wait -- CMD",
        }
    }

    /// The combined status of several inputs: the largest code wins.
    pub fn worst<I: IntoIterator<Item = Exit>>(codes: I) -> Exit {
        codes.into_iter().max().unwrap_or(Exit::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_contract() {
        let table: Vec<(Exit, u8)> = Exit::ALL.iter().map(|e| (*e, e.code())).collect();
        assert_eq!(
            table,
            vec![
                (Exit::Success, 0),
                (Exit::Negative, 1),
                (Exit::Usage, 2),
                (Exit::Resolve, 3),
                (Exit::Timeout, 4),
                (Exit::Connect, 5),
                (Exit::Local, 6),
                (Exit::Interrupted, 130),
            ]
        );
    }

    #[test]
    fn largest_code_wins() {
        assert_eq!(Exit::worst([]), Exit::Success);
        assert_eq!(Exit::worst([Exit::Negative, Exit::Success]), Exit::Negative);
        assert_eq!(
            Exit::worst([Exit::Timeout, Exit::Resolve, Exit::Negative]),
            Exit::Timeout
        );
        assert_eq!(
            Exit::worst([Exit::Local, Exit::Interrupted]),
            Exit::Interrupted
        );
    }
}
