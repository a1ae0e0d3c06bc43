//! One thin module per subcommand: args -> core call -> report -> printer.

pub mod addrinfo;
pub mod diagnose;
pub mod echo_client;
pub mod echo_server;
pub mod fqdn;
pub mod hostname;
pub mod lookup;
pub mod mcast_recv;
pub mod mcast_send;
pub mod pack;
pub mod portcheck;
pub mod proto;
pub mod rdns;
pub mod services;
