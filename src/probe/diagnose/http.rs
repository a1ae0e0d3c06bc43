//! The HTTP phase: one HTTP/1.1 GET over the connection, the response head
//! parsed with httparse (1xx interim responses skipped to the final one),
//! the body counted (and its start kept for --expect-body) until it ends,
//! its length is reached, or the time is up; a body that never ends keeps
//! the status, headers and time to first byte already known. A connection
//! that closes or resets before the response's end (its declared length,
//! its last chunk) fails the phase, and says where: before any response
//! byte, inside the head, or after how many of the body's bytes.

use std::io;
use std::time::Instant;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::Failure;
use crate::exit::Reason;

/// Most response-head bytes read.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most interim (1xx) responses before the final one.
pub const MAX_INTERIM: usize = 16;
/// Body bytes kept for --expect-body.
pub const MAX_BODY_KEPT: usize = 64 * 1024;

/// What the HTTP request got back.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HttpInfo {
    /// The final status code.
    pub status: u16,
    /// Its reason phrase.
    pub reason_phrase: String,
    /// Interim (1xx) statuses seen before it.
    pub interim: Vec<u16>,
    /// Response headers, in order.
    pub headers: Vec<Header>,
    /// From the request sent to the first byte back.
    #[serde(serialize_with = "crate::output::json::ms")]
    pub ttfb_ms: f64,
    /// Body bytes read.
    pub body_bytes: u64,
    /// Whether the body ended in time: its length reached, its last chunk,
    /// or (a body without either) the peer's close. One cut short fails
    /// the phase instead.
    pub body_complete: bool,
    /// Whether the body stopped coming: incomplete, and nothing arrived
    /// in the last second (or half the timeout) before the time was up (a
    /// body still flowing then is a slow download, not a failure).
    pub body_stalled: bool,
    /// The redirect target, for 3xx with a Location header.
    pub location: Option<String>,
    /// The start of the body (for --expect-body), not serialised.
    #[serde(skip)]
    pub body_start: Vec<u8>,
}

/// One HTTP header.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value (lossy UTF-8).
    pub value: String,
}

/// Anything the TLS and HTTP phases can run over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

fn malformed(why: impl Into<String>) -> Failure {
    Failure::new(Reason::HttpMalformed, why.into())
}

/// Sends `request` and reads the answer. The head must come before
/// `head_deadline`; the body is read until `body_deadline` at the latest.
pub async fn exchange(
    stream: &mut Box<dyn Stream>,
    request: &[u8],
    half_close: bool,
    head_deadline: tokio::time::Instant,
    body_deadline: tokio::time::Instant,
) -> Result<HttpInfo, Failure> {
    // A body with nothing new for this long at the deadline has stalled.
    let stall_after = (body_deadline.saturating_duration_since(tokio::time::Instant::now()) / 2)
        .min(std::time::Duration::from_secs(1));
    let timed = |what: &str| {
        Failure::new(
            Reason::Timeout,
            format!("no complete response {what} in time"),
        )
    };
    let write = async {
        stream.write_all(request).await?;
        stream.flush().await?;
        if half_close {
            // The seed's raw client: shut the write side, then read.
            stream.shutdown().await?;
        }
        Ok::<(), io::Error>(())
    };
    tokio::time::timeout_at(head_deadline, write)
        .await
        .map_err(|_| timed("head"))?
        .map_err(|e| Failure::io(&e, "sending the HTTP request"))?;
    let sent = Instant::now();
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut ttfb = None;
    let mut interim = Vec::new();
    let (head_len, status, reason_phrase, headers) = loop {
        // Parse what we have first: a 1xx head may be followed by more.
        let mut hdrs = [httparse::EMPTY_HEADER; 96];
        let mut resp = httparse::Response::new(&mut hdrs);
        match resp.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let code = resp.code.unwrap_or(0);
                // RFC 9110 15: three digits, 100 to 599.
                if !(100..600).contains(&code) {
                    return Err(malformed(format!("status code {code:03} is not 100-599")));
                }
                if (100..200).contains(&code) && code != 101 {
                    // A server sends one or two (100 Continue, 103 Early
                    // Hints); an endless stream of them is not an answer.
                    if interim.len() >= MAX_INTERIM {
                        return Err(malformed(format!(
                            "more than {MAX_INTERIM} interim (1xx) responses and no final one"
                        )));
                    }
                    interim.push(code);
                    buf.drain(..len);
                    continue;
                }
                let headers = resp
                    .headers
                    .iter()
                    .map(|h| Header {
                        name: h.name.to_string(),
                        value: String::from_utf8_lossy(h.value).into_owned(),
                    })
                    .collect::<Vec<_>>();
                break (len, code, resp.reason.unwrap_or("").to_string(), headers);
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => {
                return Err(malformed("response head larger than 64 KiB"));
            }
            Err(e) => return Err(malformed(format!("not an HTTP/1.x response: {e}"))),
        }
        // Where the connection died, if it does: before any answer, or
        // inside the head.
        let so_far = if ttfb.is_none() {
            "after the request was sent, before any response byte".to_string()
        } else {
            format!("after {} bytes of the response head", buf.len())
        };
        let n = tokio::time::timeout_at(head_deadline, stream.read(&mut chunk))
            .await
            .map_err(|_| timed("head"))?
            .map_err(|e| Failure::io(&e, format!("the connection failed {so_far}")))?;
        if n == 0 {
            return Err(Failure::new(
                Reason::Closed,
                format!("the connection closed {so_far}"),
            ));
        }
        ttfb.get_or_insert_with(|| sent.elapsed().as_secs_f64() * 1e3);
        buf.extend_from_slice(&chunk[..n]);
    };
    let header = |name: &str| {
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone())
    };
    let length: Option<u64> = header("content-length").and_then(|v| v.trim().parse().ok());
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let no_body = status == 204 || status == 304;
    let mut body_start: Vec<u8> = buf[head_len..]
        .iter()
        .copied()
        .take(MAX_BODY_KEPT)
        .collect();
    let mut body_bytes = (buf.len() - head_len) as u64;
    let ended = |bytes: u64, tail: &[u8]| {
        no_body || length.is_some_and(|l| bytes >= l) || (chunked && tail.ends_with(b"0\r\n\r\n"))
    };
    let mut tail: Vec<u8> = buf[head_len..]
        .iter()
        .rev()
        .take(8)
        .rev()
        .copied()
        .collect();
    let mut body_complete = ended(body_bytes, &tail);
    let mut last_progress = tokio::time::Instant::now();
    // Where the body stands, for a connection that dies in it: the status
    // that came, and how far the body got of the length it declared.
    let cut = |bytes: u64, how: &str| {
        let of = match length {
            Some(l) => format!("{bytes} of {l} body bytes"),
            None if chunked => format!("{bytes} body bytes, before the last chunk"),
            None => format!("{bytes} body bytes"),
        };
        format!(
            "{status} {} came, then the connection {how} after {of}",
            crate::sanitize::escape(&reason_phrase)
        )
    };
    // The peer's close ends a body without a length; one that declared a
    // length or chunks and closed before its end was cut short (curl's
    // "transfer closed with bytes remaining").
    let closed = |bytes: u64, tail: &[u8]| {
        (length.is_some() || chunked)
            .then(|| Failure::new(Reason::Closed, cut(bytes, "closed")))
            .filter(|_| !ended(bytes, tail))
    };
    while !body_complete {
        match tokio::time::timeout_at(body_deadline, stream.read(&mut chunk)).await {
            Err(_) => break,
            Ok(Ok(0)) => {
                if let Some(f) = closed(body_bytes, &tail) {
                    return Err(f);
                }
                body_complete = true;
            }
            Ok(Ok(n)) => {
                last_progress = tokio::time::Instant::now();
                body_bytes += n as u64;
                let keep = MAX_BODY_KEPT.saturating_sub(body_start.len()).min(n);
                body_start.extend_from_slice(&chunk[..keep]);
                tail.extend_from_slice(&chunk[n.saturating_sub(8)..n]);
                let cut = tail.len().saturating_sub(8);
                tail.drain(..cut);
                body_complete = ended(body_bytes, &tail);
            }
            // A TLS peer that closes without close_notify ends the body too.
            Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                if let Some(f) = closed(body_bytes, &tail) {
                    return Err(f);
                }
                body_complete = true;
            }
            // A reset (or any other error) mid-body: said where, never
            // taken for a body still arriving.
            Ok(Err(e)) => {
                return Err(Failure::io(&e, cut(body_bytes, "failed")));
            }
        }
    }
    let quiet = tokio::time::Instant::now().saturating_duration_since(last_progress);
    let body_stalled = !body_complete && quiet >= stall_after;
    Ok(HttpInfo {
        status,
        reason_phrase,
        interim,
        location: if (300..400).contains(&status) {
            header("location")
        } else {
            None
        },
        headers,
        ttfb_ms: ttfb.unwrap_or(0.0),
        body_bytes,
        body_complete,
        body_stalled,
        body_start,
    })
}
