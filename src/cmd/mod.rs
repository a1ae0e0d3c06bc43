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
pub mod path;
pub mod portcheck;
pub mod proto;
pub mod rdns;
pub mod services;

/// Work in flight for `flag`: `asked` (or `default` when not given),
/// lowered to what the open-file limit allows at `fds_each` descriptors
/// per task (64 kept for everything else). A value the user gave that
/// does not fit is lowered with a warning, not left to fail task by task.
pub fn fit_concurrency(flag: &str, asked: Option<u64>, default: u64, fds_each: u64) -> usize {
    let limit = crate::sys::raise_nofile_limit();
    let room = (limit.saturating_sub(64) / fds_each.max(1)).max(1);
    let value = match asked {
        Some(n) if n > room => {
            crate::output::warn(&format!(
                "{flag} {n} lowered to {room}: the open-file limit is {limit} (ulimit -n)"
            ));
            room
        }
        Some(n) => n,
        None => default.min(room),
    };
    usize::try_from(value.max(1)).unwrap_or(usize::MAX)
}
