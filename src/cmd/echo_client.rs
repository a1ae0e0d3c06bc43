//! `netkit echo-client`: message, ping, throughput and load modes.

use crate::cli::help::{Help, ex, row};
use std::io::{IsTerminal, Read};

use crate::cli::EchoClientArgs;
use crate::echo::client::{self, Endpoint, Mode, ModeFlags, Transport};
use crate::echo::render::ReplyLine;
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;
use crate::threshold::{Metric, Threshold};

/// Validates the arguments into an endpoint and a mode.
pub fn plan(
    args: &EchoClientArgs,
    stdin: impl Read,
    stdin_is_terminal: bool,
) -> Result<(Endpoint, Mode), NetkitError> {
    let transport = match (&args.unix, args.udp) {
        (Some(p), _) => Transport::Unix(p.clone()),
        (None, true) => Transport::Udp,
        (None, false) => Transport::Tcp,
    };
    // With --unix the first positional is the message.
    let (hp, message) = match transport {
        Transport::Unix(_) if args.message.is_some() => {
            return Err(NetkitError::invalid(
                "with --unix, give only MESSAGE (no TARGET)",
            ));
        }
        Transport::Unix(_) => (None, args.target.clone()),
        _ => {
            let t = args
                .target
                .as_deref()
                .ok_or_else(|| NetkitError::invalid("a TARGET (host:port) is required"))?;
            (Some(crate::addr::parse_host_port(t)?), args.message.clone())
        }
    };
    if args.proxy.is_some() && transport != Transport::Tcp {
        return Err(NetkitError::invalid("--proxy works with TCP only"));
    }
    let congestion_named = args.congestion != crate::echo::congestion::Congestion::Auto;
    if congestion_named && transport != Transport::Tcp {
        return Err(NetkitError::invalid("--congestion works with TCP only"));
    }
    if congestion_named && args.proxy.is_some() {
        return Err(NetkitError::invalid(
            "--congestion does not reach through a proxy (the proxy's own connection carries the data)",
        ));
    }
    args.congestion.check()?;
    let ep = Endpoint {
        port: hp
            .as_ref()
            .map_or(0, |h| h.port_or(crate::echo::DEFAULT_PORT)),
        host: hp.map(|h| h.host),
        transport: transport.clone(),
        family: crate::addr::family(args.ipv4, args.ipv6),
        timeout: args.timeout,
        proxy: args.proxy.clone(),
        congestion: args.congestion.clone(),
    };
    let flags = ModeFlags {
        bytes: args.bytes,
        throughput: args.throughput,
        count: args.count,
        interval: args.interval,
        rate: args.rate,
        duration: args.duration,
        connections: args.connections,
        size: args.size,
    };
    let mode = Mode::choose(&flags, &transport, message, stdin, stdin_is_terminal)?;
    Ok((ep, mode))
}

/// Runs `netkit echo-client`.
pub fn run(args: &EchoClientArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let (ep, mode) = plan(args, stdin.lock(), terminal)?;
    let thresholds: Vec<Threshold> = [
        args.max_rtt
            .map(|v| Threshold::max("--max-rtt", Metric::RttAvg, v)),
        args.max_p99
            .map(|v| Threshold::max("--max-p99", Metric::RttP99, v)),
        args.max_p999
            .map(|v| Threshold::max("--max-p999", Metric::RttP999, v)),
        args.max_loss
            .map(|v| Threshold::max("--max-loss", Metric::LossPct, v)),
        args.min_throughput
            .map(|v| Threshold::min("--min-throughput", Metric::ThroughputMbyte, v)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if args.connections > 1 {
        // One descriptor per connection: a load that cannot fit is refused
        // before it starts, not reported as thousands of failed connects.
        let limit = crate::sys::raise_nofile_limit();
        let need = args.connections.saturating_add(64);
        if need > limit {
            return Err(NetkitError::Failed(crate::error::Failure::new(
                crate::exit::Reason::FdLimit,
                format!(
                    "--connections {} needs about {need} open files; the limit is {limit} (ulimit -n)",
                    args.connections
                ),
            ))
            .into());
        }
    }
    // One connection doing round trips is latency-bound: a single thread
    // that polls and runs avoids cross-thread wakeups. Streams and load use
    // every core.
    let single = matches!(mode, Mode::Ping(_) | Mode::Message(_)) && args.connections == 1;
    let rt = if single {
        crate::sys::runtime::current_thread()?
    } else {
        crate::sys::runtime::multi_thread(None)?
    };
    let label = ep.label();
    if let (Mode::Ping(p), 1) = (&mode, args.connections) {
        out.text(&format!(
            "ECHO {label} ({}): {} bytes per request\n",
            ep.transport.name(),
            p.size
        ))?;
    }
    let mut write_error = None;
    let summary = rt.block_on(client::run(
        &ep,
        &mode,
        args.connections,
        &thresholds,
        stop,
        &mut |r| {
            if write_error.is_none()
                && let Err(e) = out.emit_group(
                    &ReplyLine {
                        reply: r,
                        label: &label,
                    },
                    std::slice::from_ref(r),
                )
            {
                // A closed stdout ends the run at once.
                stop.trigger(crate::signal::StopCause::ClosedOutput);
                write_error = Some(e);
            }
        },
    ));
    rt.shutdown_background();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    out.summary(&summary)?;
    Ok(summary.exit())
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "The seeds' client: send a message, print the echo",
            "netkit echo-client 127.0.0.1:50007 'Hello, world'",
        ),
        ex(
            "Ping: 10 round trips, RTT percentiles",
            "netkit echo-client --count 10 --interval 0.2 127.0.0.1",
        ),
        ex(
            "UDP ping counting loss, duplicates, reordering",
            "netkit echo-client --udp --count 100 --interval 10ms 127.0.0.1",
        ),
        ex(
            "Stream 1 GiB and verify every byte",
            "netkit echo-client --bytes 1G 127.0.0.1",
        ),
        ex(
            "1,000 clients x 100 round trips",
            "netkit echo-client --connections 1000 --count 100 --interval 0 127.0.0.1",
        ),
        ex(
            "CI gate: fail above 2 ms average or 1% loss",
            "netkit echo-client --count 50 --interval 0 --max-rtt 2 --max-loss 1 127.0.0.1",
        ),
        ex(
            "Through a SOCKS5 proxy",
            "netkit echo-client --proxy socks5h://127.0.0.1:1080 echo.example.test:7 hello",
        ),
    ],
    exits: &[
        row(0, "the echo matched and every threshold was met"),
        row(
            1,
            "a mismatch, a threshold crossed (--max-rtt, --max-p99, --max-p999, --max-loss, --min-throughput), a name not found",
        ),
        row(2, "a bad target, mode mix, size or proxy URL"),
        row(3, "the resolver failed"),
        row(4, "no reply within --timeout"),
        row(5, "refused, unreachable, reset, proxy refused"),
        row(6, "a local failure (file descriptors, sockets)"),
    ],
};
