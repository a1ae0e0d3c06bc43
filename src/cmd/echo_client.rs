//! `netkit echo-client`.

use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use colored::Colorize;

use crate::cli::EchoClientArgs;
use crate::echo::client::{
    self, ClientSummary, Endpoint, Failure, Family, PingPlan, PingTally, Reply, ThroughputTally,
    Transport,
};
use crate::echo::{HostPort, RttStats};
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::output::Printer;

/// What the client does.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Send one message and compare the echo.
    Message(Vec<u8>),
    /// Round trips.
    Ping(PingPlan),
    /// Stream and verify.
    Throughput {
        /// Bytes to stream.
        bytes: Option<u64>,
        /// Or for how long.
        duration: Option<Duration>,
    },
}

/// Largest message read from stdin in message mode.
const MAX_MESSAGE: u64 = 64 << 20;

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
    let (target, message) = match transport {
        Transport::Unix(_) => {
            if args.message.is_some() {
                return Err(NetkitError::invalid(
                    "with --unix, give only MESSAGE (no TARGET)",
                ));
            }
            (None, args.target.clone())
        }
        _ => {
            let t = args
                .target
                .as_deref()
                .ok_or_else(|| NetkitError::invalid("a TARGET (host:port) is required"))?;
            (
                Some(HostPort::parse(t, crate::echo::DEFAULT_PORT)?),
                args.message.clone(),
            )
        }
    };
    if args.proxy.is_some() && transport != Transport::Tcp {
        return Err(NetkitError::invalid("--proxy works with TCP only"));
    }
    let family = match (args.ipv4, args.ipv6) {
        (true, _) => Some(Family::V4),
        (_, true) => Some(Family::V6),
        _ => None,
    };
    let ep = Endpoint {
        target,
        transport: transport.clone(),
        family,
        timeout: args.timeout,
        proxy: args.proxy.clone(),
    };
    let throughput = args.bytes.is_some() || args.throughput;
    let ping = args.count.is_some()
        || args.interval.is_some()
        || args.duration.is_some()
        || args.connections > 1;
    if throughput {
        if transport == Transport::Udp {
            return Err(NetkitError::invalid(
                "throughput mode needs a stream: use TCP or --unix",
            ));
        }
        if message.is_some() || args.count.is_some() || args.interval.is_some() {
            return Err(NetkitError::invalid(
                "--bytes/--throughput do not go with MESSAGE, --count or --interval",
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
    if ping {
        if message.is_some() {
            return Err(NetkitError::invalid(
                "ping mode sends its own payload: drop MESSAGE, or drop --count/--interval/--duration",
            ));
        }
        let min = if transport == Transport::Udp { 16 } else { 1 };
        let max = if transport == Transport::Udp {
            65_507
        } else {
            16 << 20
        };
        if args.size < min || args.size > max {
            return Err(NetkitError::invalid(format!(
                "--size must be {min}-{max} bytes for {}",
                transport.name()
            )));
        }
        return Ok((
            ep,
            Mode::Ping(PingPlan {
                count: args.count,
                interval: args.interval.unwrap_or(Duration::from_secs(1)),
                size: args.size,
                duration: args.duration,
            }),
        ));
    }
    let bytes = match message {
        Some(m) => m.into_bytes(),
        None => {
            if stdin_is_terminal {
                return Err(NetkitError::invalid(
                    "give a MESSAGE, pipe one on stdin, or use --count for ping mode",
                ));
            }
            let mut buf = Vec::new();
            stdin
                .take(MAX_MESSAGE + 1)
                .read_to_end(&mut buf)
                .map_err(|source| NetkitError::System {
                    call: "reading stdin",
                    source,
                })?;
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
pub fn run(args: &EchoClientArgs, out: &mut Printer) -> anyhow::Result<Exit> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let (ep, mode) = plan(args, stdin.lock(), terminal)?;
    if args.connections > 1 {
        crate::echo::raise_nofile_limit();
    }
    let stop = crate::signal::stop_flag()?;
    let interrupted = crate::signal::interrupted_flag()?;
    // One connection doing round trips is latency-bound: a single thread
    // that polls and runs avoids cross-thread wakeups. Streams and load use
    // every core.
    let single = matches!(mode, Mode::Ping(_) | Mode::Message(_)) && args.connections == 1;
    let rt = if single {
        crate::runtime::current_thread()?
    } else {
        crate::runtime::multi_thread(None)?
    };
    let started = Instant::now();
    let (mut summary, mut exit) = rt.block_on(async {
        match &mode {
            Mode::Message(msg) => run_message(&ep, msg).await,
            Mode::Ping(plan) if args.connections == 1 => run_ping(&ep, plan, &stop, out).await,
            Mode::Ping(plan) => run_load_ping(&ep, plan, args.connections, &stop).await,
            Mode::Throughput { bytes, duration } => {
                run_throughput(&ep, *bytes, *duration, args.connections, &stop).await
            }
        }
    });
    summary.duration_ms = started.elapsed().as_secs_f64() * 1e3;
    if let (Some(max), Some(avg)) = (args.max_rtt, summary.rtt.avg_ms) {
        if avg > max {
            summary.thresholds.push(format!(
                "average round trip {avg:.3} ms is above --max-rtt {max} ms"
            ));
        }
    }
    if let Some(max) = args.max_loss {
        if summary.loss_pct > max {
            summary.thresholds.push(format!(
                "loss {:.2}% is above --max-loss {max}%",
                summary.loss_pct
            ));
        }
    }
    if let Some(min) = args.min_throughput {
        let got = summary.mb_per_s.unwrap_or(0.0);
        if got < min {
            summary.thresholds.push(format!(
                "throughput {got:.1} MB/s is below --min-throughput {min} MB/s"
            ));
        }
    }
    if !summary.thresholds.is_empty() {
        exit = exit.max(Exit::Negative);
    }
    if interrupted.load(Ordering::Relaxed) {
        summary.interrupted = true;
        exit = Exit::Interrupted;
    }
    print_summary(out, &summary)?;
    Ok(exit)
}

async fn run_message(ep: &Endpoint, msg: &[u8]) -> (ClientSummary, Exit) {
    let mut s = ClientSummary::new(ep, "message");
    s.connections = 1;
    s.sent = 1;
    s.bytes_sent = msg.len() as u64;
    match client::message(ep, msg).await {
        Ok(o) => {
            s.connected = u64::from(ep.transport != Transport::Udp || !o.reply.is_empty());
            s.connect_ms = o.connect_ms;
            s.received = 1;
            s.bytes_received = o.reply.len() as u64;
            let matched = o.reply == msg;
            s.rtt = RttStats::from_samples(&mut [o.rtt_ms]);
            s.reply = Some(String::from_utf8_lossy(&o.reply).into_owned());
            s.matched = Some(matched);
            let exit = if matched {
                Exit::Success
            } else {
                Exit::Negative
            };
            if !matched {
                s.fail(&Failure {
                    reason: "mismatch",
                    exit: Exit::Negative,
                    message: format!(
                        "sent {} bytes, {} came back different",
                        msg.len(),
                        o.reply.len()
                    ),
                });
            }
            (s, exit)
        }
        Err(f) => {
            s.lost = 1;
            s.loss_pct = 100.0;
            s.fail(&f);
            (s, f.exit)
        }
    }
}

fn tally_into(s: &mut ClientSummary, tallies: &[PingTally], seconds: f64) -> Exit {
    let mut exit = Exit::Success;
    s.connections = tallies.len() as u64;
    let connects: Vec<f64> = tallies.iter().filter_map(|t| t.connect_ms).collect();
    s.connected = connects.len() as u64;
    if s.protocol == "udp" {
        s.connected = tallies.iter().filter(|t| t.sent > 0).count() as u64;
    }
    if !connects.is_empty() {
        s.connect_ms = Some(connects.iter().sum::<f64>() / connects.len() as f64);
    }
    for t in tallies {
        s.sent += t.sent;
        s.received += t.received;
        s.duplicates += t.duplicates;
        s.reordered += t.reordered;
        if let Some(f) = &t.failure {
            s.fail(f);
            exit = exit.max(f.exit);
        }
    }
    s.lost = s.sent.saturating_sub(s.received);
    s.loss_pct = if s.sent > 0 {
        s.lost as f64 * 100.0 / s.sent as f64
    } else {
        0.0
    };
    s.rtt = client::merged_rtts(tallies);
    if seconds > 0.0 {
        s.round_trips_per_s = Some(s.received as f64 / seconds);
    }
    if s.sent > 0 && s.received == 0 && exit == Exit::Success {
        // UDP: nothing came back at all.
        exit = Exit::Timeout;
        s.fail(&Failure {
            reason: "timeout",
            exit,
            message: "no reply at all".into(),
        });
    }
    exit
}

async fn run_ping(
    ep: &Endpoint,
    plan: &PingPlan,
    stop: &AtomicBool,
    out: &mut Printer,
) -> (ClientSummary, Exit) {
    let mut s = ClientSummary::new(ep, "ping");
    let label = ep.label();
    if !out.is_json() {
        let _ = writeln!(
            out.human(),
            "ECHO {label} ({}): {} bytes per request",
            ep.transport.name(),
            plan.size
        );
        let _ = out.flush();
    }
    let start = Instant::now();
    let mut last_flush = Instant::now();
    let mut print = |r: &Reply| {
        let _ = if out.is_json() {
            out.json(r)
        } else {
            let mark = r
                .anomaly
                .map(|a| format!(" ({a})").yellow().to_string())
                .unwrap_or_default();
            writeln!(
                out.human(),
                "{} bytes from {label}: seq={} time={:.3} ms{mark}",
                r.bytes,
                r.seq,
                r.rtt_ms
            )
        };
        if last_flush.elapsed() >= Duration::from_millis(50) || !plan.interval.is_zero() {
            let _ = out.flush();
            last_flush = Instant::now();
        }
    };
    let tally = if ep.transport == Transport::Udp {
        client::ping_udp(ep, plan, stop, &mut print).await
    } else {
        client::ping_stream(ep, plan, stop, &mut print).await
    };
    let exit = tally_into(&mut s, &[tally], start.elapsed().as_secs_f64());
    (s, exit)
}

async fn run_load_ping(
    ep: &Endpoint,
    plan: &PingPlan,
    n: u64,
    stop: &Arc<AtomicBool>,
) -> (ClientSummary, Exit) {
    let mut s = ClientSummary::new(ep, "ping");
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let (ep, plan, stop) = (ep.clone(), plan.clone(), Arc::clone(stop));
        tasks.push(tokio::spawn(async move {
            if ep.transport == Transport::Udp {
                client::ping_udp(&ep, &plan, &stop, |_| {}).await
            } else {
                client::ping_stream(&ep, &plan, &stop, |_| {}).await
            }
        }));
    }
    let mut tallies = Vec::with_capacity(tasks.len());
    for t in tasks {
        tallies.push(t.await.unwrap_or_else(|e| PingTally {
            failure: Some(Failure {
                reason: "error",
                exit: Exit::Local,
                message: e.to_string(),
            }),
            ..PingTally::default()
        }));
    }
    let exit = tally_into(&mut s, &tallies, start.elapsed().as_secs_f64());
    (s, exit)
}

async fn run_throughput(
    ep: &Endpoint,
    bytes: Option<u64>,
    duration: Option<Duration>,
    n: u64,
    stop: &Arc<AtomicBool>,
) -> (ClientSummary, Exit) {
    let mut s = ClientSummary::new(ep, "throughput");
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let (ep, stop) = (ep.clone(), Arc::clone(stop));
        tasks.push(tokio::spawn(async move {
            client::throughput(&ep, bytes, duration, &stop).await
        }));
    }
    let mut tallies: Vec<ThroughputTally> = Vec::new();
    for t in tasks {
        tallies.push(t.await.unwrap_or_else(|e| ThroughputTally {
            failure: Some(Failure {
                reason: "error",
                exit: Exit::Local,
                message: e.to_string(),
            }),
            ..ThroughputTally::default()
        }));
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut exit = Exit::Success;
    s.connections = n;
    let connects: Vec<f64> = tallies.iter().filter_map(|t| t.connect_ms).collect();
    s.connected = connects.len() as u64;
    if !connects.is_empty() {
        s.connect_ms = Some(connects.iter().sum::<f64>() / connects.len() as f64);
    }
    for t in &tallies {
        s.bytes_sent += t.sent;
        s.bytes_received += t.received;
        if s.mismatch_at.is_none() {
            s.mismatch_at = t.mismatch_at;
        }
        if let Some(f) = &t.failure {
            s.fail(f);
            exit = exit.max(f.exit);
        }
    }
    // One stream: its own time; several: the wall time of the whole run.
    let span = if n == 1 {
        tallies.first().map_or(seconds, |t| t.seconds)
    } else {
        seconds
    };
    if span > 0.0 {
        s.mb_per_s = Some(s.bytes_received as f64 / span / 1e6);
    }
    (s, exit)
}

fn print_summary(out: &mut Printer, s: &ClientSummary) -> std::io::Result<()> {
    if out.is_json() {
        return out.summary_json(s);
    }
    let w = out.summary_human();
    match s.mode {
        "message" => {
            if let Some(reply) = &s.reply {
                writeln!(
                    w,
                    "Received {}",
                    crate::addr::python_bytes_repr(reply.as_bytes())
                )?;
                if s.matched == Some(false) {
                    writeln!(
                        w,
                        "{}",
                        format!(
                            "mismatch: sent {} bytes, got {} bytes back",
                            s.bytes_sent, s.bytes_received
                        )
                        .red()
                    )?;
                }
            }
        }
        "ping" => {
            writeln!(w, "--- {} echo statistics ---", s.target)?;
            let conns = if s.connections > 1 {
                format!(
                    "{} connections ({} connected), ",
                    s.connections, s.connected
                )
            } else {
                String::new()
            };
            writeln!(
                w,
                "{conns}{} sent, {} received, {:.1}% loss, {} duplicates, {} reordered, time {:.0} ms{}",
                s.sent,
                s.received,
                s.loss_pct,
                s.duplicates,
                s.reordered,
                s.duration_ms,
                s.round_trips_per_s
                    .map(|r| format!(", {r:.0} round trips/s"))
                    .unwrap_or_default()
            )?;
            let r = &s.rtt;
            if let (Some(min), Some(avg), Some(max), Some(sd)) =
                (r.min_ms, r.avg_ms, r.max_ms, r.stddev_ms)
            {
                writeln!(
                    w,
                    "rtt min/avg/max/stddev = {min:.3}/{avg:.3}/{max:.3}/{sd:.3} ms"
                )?;
            }
            if let (Some(p50), Some(p90), Some(p99), Some(p999)) =
                (r.p50_ms, r.p90_ms, r.p99_ms, r.p999_ms)
            {
                writeln!(
                    w,
                    "rtt p50/p90/p99/p99.9 = {p50:.3}/{p90:.3}/{p99:.3}/{p999:.3} ms"
                )?;
            }
            if let Some(c) = s.connect_ms {
                writeln!(w, "connect {c:.3} ms")?;
            }
        }
        _ => {
            writeln!(w, "--- {} echo throughput ---", s.target)?;
            writeln!(
                w,
                "{} bytes sent, {} verified back in {:.3} s: {:.1} MB/s{}",
                s.bytes_sent,
                s.bytes_received,
                s.duration_ms / 1e3,
                s.mb_per_s.unwrap_or(0.0),
                if s.connections > 1 {
                    format!(" over {} connections", s.connections)
                } else {
                    String::new()
                }
            )?;
        }
    }
    for (reason, n) in &s.failures {
        writeln!(w, "{}", format!("failed: {n} x {reason}").red())?;
    }
    for e in &s.errors {
        writeln!(w, "{}", format!("  {}", crate::sanitize::escape(e)).red())?;
    }
    for t in &s.thresholds {
        writeln!(w, "{}", t.red())?;
    }
    Ok(())
}
