//! `netkit echo-server`: TCP, UDP and Unix-socket echo with limits.

use crate::cli::help::{Help, ex, row};
use tokio::sync::mpsc;

use crate::cli::EchoServerArgs;
use crate::echo::server::{self, ServerConfig, ServerEvent};
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;

/// Events queued for the printer; beyond this, while stdout's reader lags,
/// events are dropped (and counted), never waited for.
pub const EVENT_QUEUE: usize = 4096;

/// Turns the arguments into a configuration.
pub fn config(args: &EchoServerArgs, verbose: u8) -> Result<ServerConfig, NetkitError> {
    let tcp = args.tcp || (!args.udp && args.unix.is_none());
    let to_usize = |v: Option<u64>, what: &str| {
        v.map(|n| {
            usize::try_from(n).map_err(|_| NetkitError::invalid(format!("{what} is too large")))
        })
        .transpose()
    };
    Ok(ServerConfig {
        tcp,
        udp: args.udp,
        unix: args.unix.clone(),
        bind: args.bind,
        port: args.port,
        max_conns: args.max_conns as usize,
        idle_timeout: args.idle_timeout,
        max_bytes: args.max_bytes.filter(|b| *b > 0),
        max_duration: args.max_duration,
        min_rate: args.min_rate,
        once: args.once,
        reuseport: args.reuseport,
        rcvbuf: to_usize(args.rcvbuf, "--rcvbuf")?,
        sndbuf: to_usize(args.sndbuf, "--sndbuf")?,
        nodelay: args.nodelay,
        congestion: args.congestion.clone(),
        keepalive: args.keepalive,
        udp_rate: args.udp_rate,
        allow_low_ports: args.allow_low_ports,
        allow: args.allow.clone(),
        drain_timeout: args.drain_timeout,
        log_drops: verbose > 0,
    })
}

/// Runs `netkit echo-server` until SIGINT/SIGTERM (or `--once`).
pub fn run(args: &EchoServerArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let cfg = config(args, out.view().verbose)?;
    if cfg.congestion != crate::echo::congestion::Congestion::Auto && !cfg.tcp {
        return Err(NetkitError::invalid("--congestion works with TCP only").into());
    }
    if !cfg.bind.is_loopback() && (cfg.tcp || cfg.udp) {
        crate::output::warn(&format!(
            "binding {}: clients on the network can reach this echo server (limit them with --allow)",
            cfg.bind
        ));
    }
    // The drain may take its time after a signal; the watchdog waits for it.
    stop.set_grace(cfg.drain_timeout + std::time::Duration::from_secs(3));
    crate::sys::raise_nofile_limit();
    let rt = crate::sys::runtime::multi_thread(args.threads.map(usize::from))?;
    let (tx, mut rx) = mpsc::channel::<ServerEvent>(EVENT_QUEUE);
    let summary = rt.block_on(async {
        // Serving runs on the runtime's workers; this thread only prints,
        // and serving never waits for it.
        let mut serving = tokio::spawn(server::serve(cfg, tx, stop.clone()));
        loop {
            tokio::select! {
                r = &mut serving => {
                    while let Ok(e) = rx.try_recv() {
                        out.emit(&e)?;
                    }
                    break r.map_err(|e| NetkitError::System {
                        call: "the server task",
                        source: std::io::Error::other(e.to_string()),
                    })?.map_err(anyhow::Error::from);
                }
                Some(e) = rx.recv() => out.emit(&e)?,
            }
        }
    })?;
    rt.shutdown_background();
    out.summary(&summary)?;
    Ok(Exit::Success)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "The seeds' server: TCP on 127.0.0.1:50007",
            "netkit echo-server",
        ),
        ex(
            "TCP and UDP on every address, IPv6 and IPv4",
            "netkit echo-server --tcp --udp --bind ::",
        ),
        ex(
            "Serve one client, then exit (as the seed's server does)",
            "netkit echo-server --once",
        ),
        ex("A Unix socket", "netkit echo-server --unix /tmp/echo.sock"),
        ex(
            "Only local clients, short idle timeout, JSON events",
            "netkit echo-server --json --allow 127.0.0.0/8 --idle-timeout 10s",
        ),
    ],
    exits: &[
        row(
            0,
            "stopped by SIGINT or SIGTERM after the drain, or --once served its client",
        ),
        row(
            2,
            "a bad address, port, size, CIDR, or --unix path that is not a socket",
        ),
        row(
            6,
            "bind failed (address in use, permission, a live socket at --unix PATH)",
        ),
    ],
};
