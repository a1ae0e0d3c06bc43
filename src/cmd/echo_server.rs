//! `netkit echo-server`.

use std::io::Write;

use colored::Colorize;
use tokio::sync::mpsc;

use crate::cli::EchoServerArgs;
use crate::echo::server::{self, ServerConfig, ServerEvent, ServerSummary};
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::sanitize::escape;

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
        once: args.once,
        reuseport: args.reuseport,
        rcvbuf: to_usize(args.rcvbuf, "--rcvbuf")?,
        sndbuf: to_usize(args.sndbuf, "--sndbuf")?,
        nodelay: args.nodelay,
        keepalive: args.keepalive,
        udp_rate: args.udp_rate,
        allow_low_ports: args.allow_low_ports,
        allow: args.allow.clone(),
        drain_timeout: args.drain_timeout,
        log_drops: verbose > 0,
    })
}

/// Runs `netkit echo-server` until SIGINT/SIGTERM (or `--once`).
pub fn run(args: &EchoServerArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let cfg = config(args, out.verbose())?;
    if !cfg.bind.is_loopback() && (cfg.tcp || cfg.udp) {
        let _ = writeln!(
            std::io::stderr(),
            "netkit: warning: binding {}: clients on the network can reach this echo server (limit them with --allow)",
            cfg.bind
        );
    }
    let limit = crate::echo::raise_nofile_limit();
    let rt = crate::runtime::multi_thread(args.threads.map(usize::from))?;
    let (tx, mut rx) = mpsc::channel::<ServerEvent>(4096);
    let summary = rt.block_on(async {
        let stop = async {
            use tokio::signal::unix::{SignalKind, signal};
            match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => std::future::pending::<()>().await,
            }
        };
        let serving = server::serve(cfg, tx, stop);
        tokio::pin!(serving);
        let mut last_flush = std::time::Instant::now();
        loop {
            tokio::select! {
                result = &mut serving => {
                    while let Ok(e) = rx.try_recv() {
                        print_event(out, &e)?;
                    }
                    break result.map_err(anyhow::Error::from);
                }
                Some(e) = rx.recv() => {
                    print_event(out, &e)?;
                    if rx.is_empty() || last_flush.elapsed().as_millis() >= 50 {
                        out.flush()?;
                        last_flush = std::time::Instant::now();
                    }
                }
            }
        }
    })?;
    print_summary(out, &summary, limit)?;
    Ok(Exit::Success)
}

fn print_event(out: &mut Printer, e: &ServerEvent) -> std::io::Result<()> {
    if out.is_json() {
        return out.json(e);
    }
    let w = out.human();
    match e {
        ServerEvent::Listening { protocol, address } => {
            writeln!(w, "Listening on {address} ({protocol})")
        }
        ServerEvent::Open { peer, id, .. } => writeln!(w, "Connected by {} [#{id}]", escape(peer)),
        ServerEvent::Close {
            peer,
            id,
            bytes,
            duration_ms,
            reason,
            error,
            ..
        } => {
            let err = error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            writeln!(
                w,
                "Closed {} [#{id}]: {bytes} bytes in {:.3} s ({reason}{err})",
                escape(peer),
                duration_ms / 1e3
            )
        }
        ServerEvent::Refused { peer, reason, .. } => {
            writeln!(
                w,
                "{}",
                format!("Refused {} ({reason})", escape(peer)).yellow()
            )
        }
        ServerEvent::Dropped {
            peer,
            bytes,
            reason,
        } => {
            writeln!(
                w,
                "{}",
                format!("Dropped {bytes} bytes from {} ({reason})", escape(peer)).yellow()
            )
        }
        ServerEvent::Warning { message } => {
            writeln!(w, "{}", format!("warning: {message}").yellow())
        }
    }
}

fn print_summary(out: &mut Printer, s: &ServerSummary, fd_limit: u64) -> std::io::Result<()> {
    if out.is_json() {
        return out.summary_json(s);
    }
    let d = &s.udp_dropped;
    let w = out.summary_human();
    writeln!(w, "--- echo-server summary ---")?;
    writeln!(
        w,
        "{} connections, {} bytes echoed; refused {} (max-conns) and {} (not allowed); {} closed at drain; {} accept errors; ran {:.3} s",
        s.connections,
        s.bytes,
        s.refused_max_conns,
        s.refused_not_allowed,
        s.aborted_at_drain,
        s.accept_errors,
        s.duration_ms / 1e3
    )?;
    if s.udp_received > 0 {
        writeln!(
            w,
            "udp: {} received, {} echoed ({} bytes); dropped: {} low port, {} bad source, {} own address, {} rate limited, {} loop, {} not allowed",
            s.udp_received,
            s.udp_echoed,
            s.udp_bytes,
            d.low_port,
            d.bad_source,
            d.own_address,
            d.rate_limited,
            d.loop_suspected,
            d.not_allowed
        )?;
    }
    if out.verbose() > 0 {
        writeln!(out.summary_human(), "open-file limit: {fd_limit}")?;
    }
    Ok(())
}
