//! `netkit echo-client`: message, ping, throughput and load modes.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use crate::cli::EchoClientArgs;
use crate::echo::client::{self, Endpoint, Mode, PingPlan, Transport};
use crate::echo::render::ReplyLine;
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;
use crate::signal::Stop;
use crate::threshold::{Metric, Threshold};

/// Largest message read from stdin in message mode.
pub const MAX_MESSAGE: u64 = 64 << 20;

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
    let ep = Endpoint {
        port: hp
            .as_ref()
            .map_or(0, |h| h.port_or(crate::echo::DEFAULT_PORT)),
        host: hp.map(|h| h.host),
        transport: transport.clone(),
        family: if args.ipv4 {
            libc::AF_INET
        } else if args.ipv6 {
            libc::AF_INET6
        } else {
            libc::AF_UNSPEC
        },
        timeout: args.timeout,
        proxy: args.proxy.clone(),
    };
    if args.bytes.is_some() || args.throughput {
        if transport == Transport::Udp {
            return Err(NetkitError::invalid(
                "throughput mode needs a stream: use TCP or --unix",
            ));
        }
        if message.is_some()
            || args.count.is_some()
            || args.interval.is_some()
            || args.rate.is_some()
        {
            return Err(NetkitError::invalid(
                "--bytes/--throughput do not go with MESSAGE, --count, --interval or --rate",
            ));
        }
        return Ok((
            ep,
            Mode::Throughput {
                bytes: args.bytes,
                duration: args.duration,
            },
        ));
    }
    let ping = args.count.is_some()
        || args.interval.is_some()
        || args.rate.is_some()
        || args.duration.is_some()
        || args.connections > 1;
    if ping {
        if message.is_some() {
            return Err(NetkitError::invalid(
                "ping mode sends its own payload: drop MESSAGE, or drop --count/--interval/--duration",
            ));
        }
        let (min, max) = if transport == Transport::Udp {
            (16, 65_507)
        } else {
            (1, 16 << 20)
        };
        if args.size < min || args.size > max {
            return Err(NetkitError::invalid(format!(
                "--size must be {min}-{max} bytes for {}",
                transport.name()
            )));
        }
        let interval = args.interval.unwrap_or(Duration::from_secs(1));
        return Ok((
            ep,
            Mode::Ping(PingPlan {
                count: args.count,
                interval,
                size: args.size,
                duration: args.duration,
                rate: args.rate,
            }),
        ));
    }
    let bytes = match message {
        Some(m) => m.into_bytes(),
        None if stdin_is_terminal => {
            return Err(NetkitError::invalid(
                "give a MESSAGE, pipe one on stdin, or use --count for ping mode",
            ));
        }
        None => {
            let mut buf = Vec::new();
            stdin
                .take(MAX_MESSAGE + 1)
                .read_to_end(&mut buf)
                .map_err(NetkitError::system("reading stdin"))?;
            if buf.len() as u64 > MAX_MESSAGE {
                return Err(NetkitError::invalid(
                    "stdin holds more than 64 MiB: use --bytes for streams",
                ));
            }
            buf
        }
    };
    if transport == Transport::Udp && bytes.len() > 65_507 {
        return Err(NetkitError::invalid(
            "a UDP message holds at most 65507 bytes",
        ));
    }
    Ok((ep, Mode::Message(bytes)))
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
        crate::sys::raise_nofile_limit();
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
