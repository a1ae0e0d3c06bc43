//! One thin module per subcommand: args -> core call -> report -> printer.

pub mod echo_client;
pub mod echo_server;
pub mod mcast_recv;
pub mod mcast_send;
pub mod pack;
pub mod proto;
pub mod services;
