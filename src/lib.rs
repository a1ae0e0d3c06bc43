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
