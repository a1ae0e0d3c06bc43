//! `netkit mcast-send`: numbered datagrams (or a message) to a group.

use crate::cli::help::{Help, ex, row};
use std::io::Read;
use std::time::Duration;

use crate::addr::iface;
use crate::cli::McastSendArgs;
use crate::error::NetkitError;
use crate::exit::Exit;
use crate::mcast::send::{self, Payload, SendConfig};
use crate::mcast::{HEADER_LEN, MAX_PAYLOAD_V4, MAX_PAYLOAD_V6};
use crate::output::Printer;
use crate::signal::Stop;

/// Turns the arguments into a validated configuration.
pub fn config(args: &McastSendArgs, stdin: impl Read) -> Result<SendConfig, NetkitError> {
    let max = if args.target.group.is_ipv4() {
        MAX_PAYLOAD_V4
    } else {
        MAX_PAYLOAD_V6
    };
    let payload = match &args.message {
        Some(text) => {
            let bytes = if text == "-" {
                let mut buf = Vec::new();
                stdin
                    .take(max as u64 + 1)
                    .read_to_end(&mut buf)
                    .map_err(NetkitError::system("reading stdin"))?;
                buf
            } else {
                text.as_bytes().to_vec()
            };
            if bytes.len() > max {
                return Err(NetkitError::invalid(format!(
                    "--message is longer than {max} bytes, the most one datagram holds"
                )));
            }
            Payload::Raw(bytes)
        }
        None => {
            if args.size < HEADER_LEN || args.size > max {
                return Err(NetkitError::invalid(format!(
                    "--size {} is out of range {HEADER_LEN}-{max} (the netkit header takes {HEADER_LEN} bytes)",
                    args.size
                )));
            }
            Payload::Sequenced(args.size)
        }
    };
    if let Some(src) = args.source
        && src.is_ipv4() != args.target.group.is_ipv4()
    {
        return Err(NetkitError::invalid(format!(
            "--source {src} is not of the group's address family"
        )));
    }
    let interface = args.interface.as_deref().map(iface::find).transpose()?;
    let default_count = if args.message.is_some() { 1 } else { 10 };
    let count = args.count.or(if args.duration.is_none() {
        Some(default_count)
    } else {
        None
    });
    let interval = match (args.rate, args.interval) {
        (Some(rate), _) => Duration::from_secs_f64(1.0 / rate),
        (None, Some(i)) => i,
        (None, None) => Duration::from_secs(1),
    };
    Ok(SendConfig {
        target: args
            .target
            .named_with(interface.as_ref().map(|i| i.name.as_str())),
        interface,
        ttl: args.ttl,
        loopback: args.loopback,
        source: args.source,
        count,
        interval,
        duration: args.duration,
        payload,
    })
}

/// Runs `netkit mcast-send`.
pub fn run(args: &McastSendArgs, out: &mut Printer, stop: &Stop) -> anyhow::Result<Exit> {
    let cfg = config(args, std::io::stdin().lock())?;
    let summary = send::send(&cfg, stop)?;
    out.summary(&summary)?;
    Ok(if summary.send_errors > 0 {
        Exit::Negative
    } else {
        Exit::Success
    })
}

/// `--help`'s worked examples and exit statuses (the man page and
/// docs/exit-codes.md are generated from them; a usage error's 2 and the
/// signals' 130 and 143 are added to every command's).
pub(crate) const HELP: Help = Help {
    examples: &[
        ex(
            "Ten numbered datagrams, one a second, on the default route",
            "netkit mcast-send 239.1.2.3:5000",
        ),
        ex(
            "On lo: bind 127.0.0.1 so receivers see the sender",
            "netkit mcast-send --interface lo --source 127.0.0.1 239.1.2.3:5000",
        ),
        ex(
            "100,000 datagrams at 50,000 per second",
            "netkit mcast-send --rate 50000 --count 100000 239.1.2.3:5000",
        ),
        ex(
            "IPv6 link-local group on eth0, hop limit 1",
            "netkit mcast-send '[ff02::1234%eth0]:5000'",
        ),
        ex(
            "A raw message for another receiver",
            "netkit mcast-send --message 'hello group' 224.3.29.71:10000",
        ),
    ],
    exits: &[
        row(0, "every datagram was sent"),
        row(1, "some sends failed"),
        row(2, "a bad group, size, rate, interface or source"),
        row(5, "no route for the group (every send failed)"),
        row(6, "socket, bind or option failed"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(argv: &[&str]) -> McastSendArgs {
        let mut full = vec!["netkit", "mcast-send"];
        full.extend_from_slice(argv);
        match crate::cli::Cli::try_parse_from(full).unwrap().command {
            crate::cli::Command::McastSend(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_and_stdin_message() {
        let cfg = config(&args(&["239.1.2.3:5000"]), &b""[..]).unwrap();
        assert_eq!(
            (cfg.count, cfg.interval, cfg.ttl, cfg.loopback),
            (Some(10), Duration::from_secs(1), 1, true)
        );
        assert_eq!(cfg.payload, Payload::Sequenced(64));
        let cfg = config(
            &args(&["--message", "-", "239.1.2.3:5000"]),
            &b"from stdin"[..],
        )
        .unwrap();
        assert_eq!(
            (cfg.payload, cfg.count),
            (Payload::Raw(b"from stdin".to_vec()), Some(1))
        );
        let cfg = config(
            &args(&[
                "--rate",
                "1000",
                "--duration",
                "2s",
                "--no-loop",
                "239.1.2.3:5000",
            ]),
            &b""[..],
        )
        .unwrap();
        assert_eq!(
            (cfg.count, cfg.interval, cfg.loopback),
            (None, Duration::from_millis(1), false)
        );
        let cfg = config(&args(&["--no-loop", "--loop", "239.1.2.3:5000"]), &b""[..]).unwrap();
        assert!(cfg.loopback, "the last of --loop/--no-loop wins");
        let big = vec![b'x'; 70_000];
        assert!(config(&args(&["--message", "-", "239.1.2.3:5000"]), &big[..]).is_err());
    }
}
