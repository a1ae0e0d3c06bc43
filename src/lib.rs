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

pub mod addr;
pub mod cli;
pub mod cmd;
pub mod deadline;
pub mod dns;
pub mod echo;
pub mod error;
pub mod exit;
pub mod mcast;
pub mod output;
pub mod probe;
pub mod resolve;
pub mod sanitize;
pub mod signal;
pub mod sys;
pub mod threshold;
pub mod tls;
pub mod value;

pub use cli::assets;
