//! netkit's core and its command-line side.
//!
//! - The CLI side: `cli` (clap definition, help, generated assets), `cmd`
//!   (one thin module per subcommand), `output` (the one printer), `signal`
//!   (the one stop mechanism).
//! - The network core, a folder per domain: `addr` (addresses and the
//!   netdb files), `resolve` (the system resolver), `dns`, `probe`
//!   (portcheck, waits, diagnose), `echo`, `mcast`; shared `value`
//!   syntaxes, `threshold`s, the failure vocabulary (`exit`, `error`), and
//!   `sys`, the OS glue and the only home of `unsafe`.
//!
//! The core never prints and never exits: it returns typed reports that
//! render themselves for people and serialise to JSON.

#![deny(clippy::print_stdout, clippy::print_stderr)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

/// A closed vocabulary of words printed in JSON (a status, a state, a
/// mode): an enum whose variants serialise as the given words, so the JSON
/// Schema lists them, with `as_str` and `Display` giving the same word.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema,
        )]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// The word, as printed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) mod addr;
pub mod api;
pub mod app;
pub(crate) mod cli;
pub(crate) mod cmd;
pub(crate) mod deadline;
pub(crate) mod dns;
pub(crate) mod echo;
pub(crate) mod error;
pub(crate) mod exit;
pub(crate) mod mcast;
pub(crate) mod output;
pub(crate) mod probe;
pub(crate) mod resolve;
pub(crate) mod sanitize;
pub(crate) mod signal;
pub(crate) mod sys;
pub(crate) mod threshold;
pub(crate) mod tls;
pub(crate) mod value;
