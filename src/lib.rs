//! netkit's core: address, service, protocol and network functions that
//! return typed reports. The core never prints and never exits; the binary
//! (`src/main.rs`) parses argv, dispatches and maps errors to exit codes.

#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(missing_docs)]

pub mod addr;
pub mod assets;
pub mod byteorder;
pub mod cidr;
pub mod cli;
pub mod cmd;
pub mod diagnose;
pub mod dns;
pub mod duration;
pub mod echo;
pub mod error;
pub mod exit;
pub mod iface;
pub mod mcast;
pub mod netdb;
pub mod output;
pub mod ports;
pub mod probe;
pub mod proto;
pub mod proxy;
pub mod resolve;
pub mod runtime;
pub mod sanitize;
pub mod services;
pub mod signal;
pub mod units;
