//! `netkit mcast-recv`: join a group, report datagrams and per-sender stats.

use crate::addr::iface;
use crate::cli::McastRecvArgs;
use crate::cli::help::{Help, ex, row};
use crate::error::Failure;
use crate::exit::{Exit, Reason};
use crate::mcast::recv::{self, Event, RecvConfig};
use crate::output::Printer;
use crate::signal::Stop;
use crate::threshold::{self, Metric, Threshold};

/// Runs `netkit mcast-recv`.
pub fn run(args: &McastRecvArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let interfaces = args
        .interface
        .iter()
        .map(|i| iface::find(i))
        .collect::<Result<Vec<_>, _>>()?;
    let cfg = RecvConfig {
        target: match interfaces.as_slice() {
            [one] => args.target.named_with(Some(&one.name)),
            _ => args.target.clone(),
        },
        interfaces,
        source: args.source,
        count: args.count,
        duration: args.duration,
        idle_timeout: args.timeout,
        preview_bytes: 64,
    };
    let thresholds: Vec<Threshold> = [
        args.expect
            .map(|n| Threshold::min("--expect", Metric::Received, n as f64)),
        args.max_loss
            .map(|v| Threshold::max("--max-loss", Metric::LossPct, v)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut summary = recv::receive(&cfg, stop, &mut |e| match e {
        Event::Joined(j) => out.emit(j),
        Event::Datagram(d) => out.emit(d),
        Event::Gap(g) => out.emit(g),
    })?;
    let mut exit = Exit::Success;
    if summary.received == 0 {
        let (reason, message) = match summary.stop_reason {
            crate::mcast::recv::StopReason::Timeout => (
                Reason::Timeout,
                "nothing arrived within --timeout".to_string(),
            ),
            _ => (Reason::NothingReceived, "nothing arrived".to_string()),
        };
        // What this host's own settings say.
        summary.likely_causes = crate::mcast::hints::why_nothing(&cfg);
        let f = Failure::new(reason, message);
        exit = if reason == Reason::Timeout {
            Exit::Timeout
        } else {
            Exit::Negative
        };
        summary.error = Some(f);
    }
    summary.thresholds = threshold::check(&thresholds, |m| match m {
        Metric::Received => Some(summary.received as f64),
        Metric::LossPct => Some(summary.loss_pct),
        _ => None,
    });
    if let Some(c) = summary.thresholds.first() {
        exit = exit.max(Exit::Negative);
        summary
            .error
            .get_or_insert_with(|| Failure::new(Reason::Threshold, c.message.clone()));
    }
    summary.ok = summary.error.is_none();
    out.summary(&summary)?;
    Ok(exit)
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "Join and print every datagram",
            "netkit mcast-recv 239.1.2.3:5000",
        ),
        ex(
            "Summary only, fail above 1% loss",
            "netkit mcast-recv -q --duration 30s --max-loss 1 239.1.2.3:5000",
        ),
        ex(
            "Source-specific: only from 192.0.2.10",
            "netkit mcast-recv --source 192.0.2.10 232.1.1.1:5000",
        ),
        ex(
            "Per-datagram JSON",
            "netkit mcast-recv --json --count 10 239.1.2.3:5000 | jq -c 'select(.type == \"datagram\")'",
        ),
    ],
    exits: &[
        row(0, "datagrams arrived and every threshold was met"),
        row(
            1,
            "nothing arrived by --duration or --count, --expect or --max-loss crossed",
        ),
        row(2, "a bad group, interface, source or threshold"),
        row(4, "--timeout passed with nothing received"),
        row(6, "bind or join failed"),
    ],
};
