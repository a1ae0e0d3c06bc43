//! The diagnosis, one function per phase: resolve, proxy and connect (or
//! the race), tls, request; [`diagnose`] runs them hop by hop through
//! redirects. Each phase streams its outcome through the [`Run`] and
//! returns what the next one needs, or `None` when it failed (the run then
//! holds the failure and the phases not reached).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::ServerName;

use super::http::{self, Stream};
use super::phase::{AttemptState, PhaseKind, PhaseName, PhaseStatus, Run};
use super::{ConnectAttempt, Options, Phase, Report, Target, alpn, render};
use crate::error::{Failure, NetkitError, Result};
use crate::exit::Reason;
use crate::probe::proxy::{Dest, Proxy};
use crate::sanitize::escape;
use crate::signal::Stop;
use crate::tls::{self, TlsInfo};

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

fn stopped() -> Failure {
    Failure::new(Reason::Interrupted, "stopped")
}

/// Diagnoses one target, each phase handed to `emit` as it ends.
pub async fn diagnose(
    target: &Target,
    opts: &Options,
    stop: &Stop,
    emit: &mut dyn FnMut(&Phase) -> std::io::Result<()>,
) -> Result<Report> {
    let mut target = target.clone();
    let http_wanted = target.scheme != "tcp" || opts.http;
    // Validate the TLS settings before touching the network.
    if target.scheme == "https" || opts.tls {
        tls::client_config(opts.ca_file.as_deref(), opts.insecure, alpn(http_wanted))?;
    }
    let mut run = Run::new(Report::new(&target), emit);
    let mut hop = 0u32;
    loop {
        let name = |kind| PhaseName { kind, hop };
        let with_tls = target.scheme == "https" || (hop == 0 && opts.tls);
        let mut plan = vec![PhaseKind::Resolve];
        if opts.proxy.is_some() {
            plan.push(PhaseKind::Proxy);
        }
        plan.push(PhaseKind::Connect);
        if with_tls {
            plan.push(PhaseKind::Tls);
        }
        if http_wanted {
            plan.push(PhaseKind::Request);
        }
        run.plan(hop, &plan);
        let Some(addrs) = resolve(&mut run, name(PhaseKind::Resolve), &target, opts, stop).await?
        else {
            break;
        };
        if hop == 0 {
            run.report.addresses = addrs.clone();
        }
        let stream = match &opts.proxy {
            Some(proxy) => proxied(&mut run, hop, &target, &addrs, proxy, opts, stop).await?,
            None => {
                connect(
                    &mut run,
                    name(PhaseKind::Connect),
                    &target,
                    &addrs,
                    opts,
                    stop,
                )
                .await?
            }
        };
        let Some(mut stream) = stream else { break };
        if with_tls {
            let shaken = handshake(
                &mut run,
                name(PhaseKind::Tls),
                &target,
                stream,
                opts,
                http_wanted,
            )
            .await?;
            let Some(s) = shaken else { break };
            stream = s;
        }
        if !http_wanted {
            break;
        }
        let half_close = !with_tls && opts.proxy.is_none();
        let next = request(
            &mut run,
            name(PhaseKind::Request),
            &target,
            &mut stream,
            half_close,
            opts,
            stop,
        )
        .await?;
        let Some(next) = next else { break };
        hop += 1;
        run.report.redirects.push(next.text.clone());
        let seen = run.report.redirects.iter().filter(|r| **r == next.text);
        if seen.count() > 1 {
            let f = Failure::new(
                Reason::TooManyRedirects,
                format!("redirect loop at {}", escape(&next.text)),
            );
            let detail = f.message.clone();
            let at = PhaseName {
                kind: PhaseKind::Request,
                hop,
            };
            run.fail(at, f, None, detail)?;
            break;
        }
        target = next;
    }
    Ok(run.finish())
}

/// The name to addresses (skipped when a proxy resolves it, immediate for
/// an address).
async fn resolve(
    run: &mut Run<'_>,
    name: PhaseName,
    target: &Target,
    opts: &Options,
    stop: &Stop,
) -> Result<Option<Vec<IpAddr>>> {
    let t = Instant::now();
    let remote_dns = opts.proxy.as_ref().is_some_and(Proxy::remote_dns);
    let literal = target.host.parse::<IpAddr>().ok();
    if remote_dns && literal.is_none() {
        let detail = format!(
            "the {} proxy resolves the name",
            opts.proxy.as_ref().map_or("", Proxy::scheme)
        );
        run.phase(name, PhaseStatus::Skipped, None, detail, None)?;
        return Ok(Some(Vec::new()));
    }
    if let Some(ip) = literal {
        run.passed(
            name,
            ms(t),
            format!("{ip} (an address, nothing to resolve)"),
        )?;
        return Ok(Some(vec![ip]));
    }
    let resolving = crate::resolve::stream_addresses_within(
        &target.host,
        opts.family,
        crate::deadline::Deadline::after(opts.timeout),
    );
    let r = tokio::select! {
        r = resolving => r,
        () = stop.wait() => Err(stopped()),
    };
    match r {
        Err(f) => {
            let detail = f.message.clone();
            run.fail(name, f, Some(ms(t)), detail)?;
            Ok(None)
        }
        Ok(ips) => {
            let shown: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
            run.passed(name, ms(t), shown.join(", "))?;
            Ok(Some(ips))
        }
    }
}

/// Through a proxy: reaching it (its own phase), then the tunnel to the
/// target (the connect phase).
async fn proxied(
    run: &mut Run<'_>,
    hop: u32,
    target: &Target,
    addrs: &[IpAddr],
    proxy: &Proxy,
    opts: &Options,
    stop: &Stop,
) -> Result<Option<Box<dyn Stream>>> {
    let dest = match addrs.first() {
        Some(ip) => Dest::Addr(SocketAddr::new(*ip, target.port)),
        None => Dest::Name(target.host.clone(), target.port),
    };
    let reach_phase = PhaseName {
        kind: PhaseKind::Proxy,
        hop,
    };
    let tp = Instant::now();
    let reached = tokio::select! {
        r = crate::probe::proxy::reach(proxy, opts.timeout) => r,
        () = stop.wait() => Err(stopped()),
    };
    let socket = match reached {
        Ok(s) => {
            let detail = format!("{} proxy {} reached", proxy.scheme(), proxy.address);
            run.passed(reach_phase, ms(tp), detail)?;
            s
        }
        Err(f) => {
            let detail = f.message.clone();
            run.fail(reach_phase, f, Some(ms(tp)), detail)?;
            return Ok(None);
        }
    };
    let name = PhaseName {
        kind: PhaseKind::Connect,
        hop,
    };
    let t = Instant::now();
    let tunnel = tokio::time::timeout(
        opts.timeout,
        crate::probe::proxy::handshake(socket, proxy, &dest),
    );
    let r = tokio::select! {
        r = tunnel => r.unwrap_or_else(|_| Err(Failure::timeout(
            format!("{dest} via proxy {}", proxy.address),
            opts.timeout,
        ))),
        () = stop.wait() => Err(stopped()),
    };
    let mut attempt = ConnectAttempt {
        address: dest.to_string(),
        port: target.port,
        state: AttemptState::Open,
        reason: None,
        started_ms: 0.0,
        duration_ms: ms(t),
        won: true,
    };
    match r {
        Ok(s) => {
            run.report.connects.push(attempt);
            let detail = format!("{dest} via {} proxy {}", proxy.scheme(), proxy.address);
            run.passed(name, ms(t), detail)?;
            Ok(Some(s))
        }
        Err(f) => {
            attempt.state = crate::probe::PortState::of(f.reason).into();
            attempt.reason = Some(f.reason);
            attempt.won = false;
            run.report.connects.push(attempt);
            let detail = f.message.clone();
            run.fail(name, f, Some(ms(t)), detail)?;
            Ok(None)
        }
    }
}

/// Straight to the target: the addresses raced (Happy Eyeballs).
async fn connect(
    run: &mut Run<'_>,
    name: PhaseName,
    target: &Target,
    addrs: &[IpAddr],
    opts: &Options,
    stop: &Stop,
) -> Result<Option<Box<dyn Stream>>> {
    let t = Instant::now();
    let order = super::interleave(addrs);
    let (winner, attempts) = tokio::select! {
        r = super::race(&order, target.port, opts.timeout) => r,
        () = stop.wait() => (None, Vec::new()),
    };
    let detail = attempts
        .iter()
        .map(|a| {
            let what = if a.won {
                "open (won)".to_string()
            } else {
                a.reason.map_or(a.state.as_str(), Reason::code).to_string()
            };
            let ip = a.address.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
            format!("{} {what}", SocketAddr::new(ip, a.port))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let failure = winner.is_none().then(|| {
        if stop.is_set() {
            stopped()
        } else {
            super::connect_failure(&attempts, &format!("{}:{}", target.host, target.port))
        }
    });
    run.report.connects.extend(attempts);
    match (winner, failure) {
        (Some(s), _) => {
            let _ = s.set_nodelay(true);
            run.passed(name, ms(t), detail)?;
            Ok(Some(Box::new(s)))
        }
        (None, f) => {
            let f = f.unwrap_or_else(|| Failure::new(Reason::Timeout, "no address"));
            run.fail(name, f, Some(ms(t)), detail)?;
            Ok(None)
        }
    }
}

/// The TLS handshake, the verdict on the certificate (recorded, so
/// `--insecure` can go on past it) and `--min-days`.
async fn handshake(
    run: &mut Run<'_>,
    name: PhaseName,
    target: &Target,
    stream: Box<dyn Stream>,
    opts: &Options,
    http_wanted: bool,
) -> Result<Option<Box<dyn Stream>>> {
    let t = Instant::now();
    let (config, verifier) =
        tls::client_config(opts.ca_file.as_deref(), opts.insecure, alpn(http_wanted))?;
    let server_name = match target.host.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(target.host.clone()).map_err(|_| {
            NetkitError::invalid(format!(
                "'{}' is not a valid TLS server name",
                escape(&target.host)
            ))
        })?,
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let shaken = tokio::time::timeout(opts.timeout, connector.connect(server_name, stream)).await;
    let verify = verifier.result.lock().ok().and_then(|r| r.clone());
    let mut info = TlsInfo {
        verified: matches!(verify, Some(Ok(()))),
        verify_error: verify.as_ref().and_then(|r| r.as_ref().err().map(|e| e.0)),
        verify_detail: verify
            .as_ref()
            .and_then(|r| r.as_ref().err().map(|e| e.1.clone())),
        ..TlsInfo::default()
    };
    if let Some(der) = verifier.end_entity.lock().ok().and_then(|c| c.clone()) {
        tls::x509_details(&der, &mut info);
    }
    let tls_stream = match shaken {
        Err(_) => {
            run.report.tls = Some(info);
            let f = Failure::timeout("TLS handshake", opts.timeout);
            run.fail(name, f, Some(ms(t)), "no handshake in time".into())?;
            return Ok(None);
        }
        Ok(Err(e)) => {
            let reason = info.verify_error.unwrap_or_else(|| super::tls_reason(&e));
            let words = info
                .verify_detail
                .clone()
                .unwrap_or_else(|| super::tls_words(&e));
            let detail = match &info.subject {
                Some(s) => format!(
                    "{words}; certificate {} issued by {}",
                    escape(s),
                    escape(info.issuer.as_deref().unwrap_or("?"))
                ),
                None => words.clone(),
            };
            run.report.tls = Some(info);
            run.fail(name, Failure::new(reason, words), Some(ms(t)), detail)?;
            return Ok(None);
        }
        Ok(Ok(s)) => s,
    };
    {
        let (_, conn) = tls_stream.get_ref();
        info.version = conn
            .protocol_version()
            .and_then(|v| v.as_str())
            .map(|v| v.replace("TLSv1_", "TLSv1."));
        info.cipher = conn
            .negotiated_cipher_suite()
            .and_then(|c| c.suite().as_str())
            .map(str::to_string);
        info.alpn = conn
            .alpn_protocol()
            .map(|a| String::from_utf8_lossy(a).into_owned());
        if let Some(end) = conn.peer_certificates().and_then(|c| c.first()) {
            tls::x509_details(end, &mut info);
        }
    }
    let detail = render::tls_detail(&info);
    let soon = match (opts.min_days, info.days_left) {
        (Some(min), Some(left)) if left < min => Some(Failure::new(
            Reason::TlsExpiresSoon,
            format!("the certificate expires in {left} days, fewer than --min-days {min}"),
        )),
        _ => None,
    };
    run.report.tls = Some(info);
    if let Some(f) = soon {
        run.fail(name, f, Some(ms(t)), detail)?;
        return Ok(None);
    }
    run.passed(name, ms(t), detail)?;
    Ok(Some(Box::new(tls_stream)))
}

/// The HTTP request: the status and body checked; `Some(next)` when a
/// redirect is to be followed.
async fn request(
    run: &mut Run<'_>,
    name: PhaseName,
    target: &Target,
    stream: &mut Box<dyn Stream>,
    half_close: bool,
    opts: &Options,
    stop: &Stop,
) -> Result<Option<Target>> {
    let t = Instant::now();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: netkit/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        target.path,
        target.authority(),
        env!("CARGO_PKG_VERSION")
    );
    // Half-closing is the seed's way, but TLS has no half-close and many
    // proxies tear the relay down on the client's FIN (`half_close`).
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let exchange = http::exchange(stream, request.as_bytes(), half_close, deadline, deadline);
    let r = tokio::select! {
        r = exchange => r,
        () = stop.wait() => Err(stopped()),
    };
    let info = match r {
        Err(f) => {
            let detail = f.message.clone();
            run.fail(name, f, Some(ms(t)), detail)?;
            return Ok(None);
        }
        Ok(info) => info,
    };
    let detail = render::http_detail(&info);
    let elapsed = ms(t);
    let is_redirect = (300..400).contains(&info.status) && info.location.is_some();
    let redirect = info
        .location
        .clone()
        .filter(|_| is_redirect && name.hop < opts.follow);
    // -L and still a redirect after the last hop allowed: not an answer.
    let too_many = opts.follow > 0 && is_redirect && redirect.is_none();
    let bad_status = match opts.expect_status {
        Some(want) => (info.status != want && redirect.is_none())
            .then(|| format!("{detail} (expected {want})")),
        None => (info.status >= 400).then(|| detail.clone()),
    };
    let body_mismatch = opts
        .expect_body
        .as_ref()
        .filter(|_| redirect.is_none())
        .filter(|re| !re.is_match(&String::from_utf8_lossy(&info.body_start)))
        .map(|re| {
            format!(
                "the first {} body bytes do not match --expect-body '{}'",
                info.body_start.len(),
                re.as_str()
            )
        });
    // Where a redirect goes, checked before it counts as passed: a
    // Location that is not a URL, or names another scheme, is the peer's
    // failure (never a usage error).
    let next = match &redirect {
        Some(location) => match super::resolve_location(target, location) {
            Ok(t) => Some(t),
            Err(why) => {
                run.report.http = Some(info);
                let f = Failure::new(Reason::HttpMalformed, why);
                let d = f.message.clone();
                run.fail(name, f, Some(elapsed), d)?;
                return Ok(None);
            }
        },
        None => None,
    };
    let stalled = info.body_stalled.then(|| detail.clone());
    run.report.http = Some(info);
    if let Some(d) = stalled {
        let f = Failure::new(Reason::Timeout, d.clone());
        run.fail(name, f, Some(elapsed), d)?;
        return Ok(None);
    }
    if too_many {
        let f = Failure::new(
            Reason::TooManyRedirects,
            format!(
                "still redirected after {} hops (-L follows at most {})",
                opts.follow, opts.follow
            ),
        );
        run.fail(name, f, Some(elapsed), detail)?;
        return Ok(None);
    }
    if let Some(d) = bad_status {
        let f = Failure::new(Reason::HttpStatus, d.clone());
        run.fail(name, f, Some(elapsed), d)?;
        return Ok(None);
    }
    if let Some(d) = body_mismatch {
        let f = Failure::new(Reason::HttpBody, d);
        run.fail(name, f, Some(elapsed), detail)?;
        return Ok(None);
    }
    run.passed(name, elapsed, detail)?;
    Ok(next)
}
