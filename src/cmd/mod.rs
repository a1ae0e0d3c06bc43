//! One thin module per subcommand: args -> core call -> report -> printer.

pub mod pack;
pub mod proto;
pub mod services;
