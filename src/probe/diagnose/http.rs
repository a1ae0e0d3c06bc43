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

fn framing(why: impl Into<String>) -> Failure {
    Failure::new(Reason::HttpFraming, why.into())
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
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    // RFC 9112 6.3: Transfer-Encoding overrides Content-Length; lengths
    // that disagree or are no number make the framing unknowable (a
    // smuggling trick), not a length to pick one of.
    let length = if chunked {
        None
    } else {
        content_length(&headers).map_err(framing)?
    };
    let no_body = status == 204 || status == 304;
    let mut body = Body {
        bytes: 0,
        start: Vec::new(),
        decoder: chunked.then(Chunked::default),
    };
    let ended = |body: &Body| {
        no_body
            || length.is_some_and(|l| body.bytes >= l)
            || body.decoder.as_ref().is_some_and(Chunked::done)
    };
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
            crate::sanitize::brief(&reason_phrase, 100)
        )
    };
    let broken = |bytes: u64, why: String| {
        framing(format!(
            "{status} {} came, then a broken chunked body after {bytes} body bytes: {why}",
            crate::sanitize::brief(&reason_phrase, 100)
        ))
    };
    if let Err(why) = body.take(&buf[head_len..]) {
        return Err(broken(body.bytes, why));
    }
    let mut body_complete = ended(&body);
    let mut last_progress = tokio::time::Instant::now();
    // The peer's close ends a body without a length; one that declared a
    // length or chunks and closed before its end was cut short (curl's
    // "transfer closed with bytes remaining").
    let closed = |body: &Body| {
        (length.is_some() || chunked)
            .then(|| Failure::new(Reason::Closed, cut(body.bytes, "closed")))
            .filter(|_| !ended(body))
    };
    while !body_complete {
        match tokio::time::timeout_at(body_deadline, stream.read(&mut chunk)).await {
            Err(_) => break,
            Ok(Ok(0)) => {
                if let Some(f) = closed(&body) {
                    return Err(f);
                }
                body_complete = true;
            }
            Ok(Ok(n)) => {
                last_progress = tokio::time::Instant::now();
                if let Err(why) = body.take(&chunk[..n]) {
                    return Err(broken(body.bytes, why));
                }
                body_complete = ended(&body);
            }
            // A TLS peer that closes without close_notify ends the body too.
            Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                if let Some(f) = closed(&body) {
                    return Err(f);
                }
                body_complete = true;
            }
            // A reset (or any other error) mid-body: said where, never
            // taken for a body still arriving.
            Ok(Err(e)) => {
                return Err(Failure::io(&e, cut(body.bytes, "failed")));
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
        body_bytes: body.bytes,
        body_complete,
        body_stalled,
        body_start: body.start,
    })
}

/// The body as it is read: its wire bytes counted, decoded if chunked, its
/// start kept (as data, without the chunks' framing) for --expect-body.
struct Body {
    bytes: u64,
    start: Vec<u8>,
    decoder: Option<Chunked>,
}

impl Body {
    fn take(&mut self, wire: &[u8]) -> Result<(), String> {
        self.bytes += wire.len() as u64;
        let start = &mut self.start;
        let mut keep = |data: &[u8]| {
            let room = MAX_BODY_KEPT.saturating_sub(start.len()).min(data.len());
            start.extend_from_slice(&data[..room]);
        };
        match &mut self.decoder {
            Some(d) => d.feed(wire, &mut keep),
            None => {
                keep(wire);
                Ok(())
            }
        }
    }
}

/// The body's length from its Content-Length headers (RFC 9110 8.6): none,
/// or one number however often repeated (`5`, `5, 5`). Values that differ
/// or are no number are an error: which one frames the body is unknowable.
fn content_length(headers: &[Header]) -> Result<Option<u64>, String> {
    let mut length: Option<u64> = None;
    for h in headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("content-length"))
    {
        for v in h.value.split(',').map(str::trim) {
            let n = v
                .parse::<u64>()
                .ok()
                .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    format!(
                        "Content-Length '{}' is not a number",
                        crate::sanitize::brief(v, 40)
                    )
                })?;
            match length {
                Some(l) if l != n => {
                    return Err(format!(
                        "Content-Length headers disagree ({l} and {n}): the body's end is unknowable"
                    ));
                }
                _ => length = Some(n),
            }
        }
    }
    Ok(length)
}

/// The longest chunk-size or trailer line taken (RFC 9112 7.1).
pub const MAX_CHUNK_LINE: usize = 4096;

/// A chunked body (RFC 9112 7.1) decoded as it streams: its framing
/// checked, its data handed on, its end found where the last chunk and the
/// trailer end (not wherever the bytes `0\r\n\r\n` happen to fall).
#[derive(Debug, Default)]
struct Chunked {
    state: ChunkState,
    /// The size or trailer line read so far.
    line: Vec<u8>,
    /// Trailer bytes read (bounded as a head is).
    trailer: usize,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Reading a chunk-size line.
    #[default]
    Size,
    /// In a chunk's data, this many bytes left.
    Data(u64),
    /// After a chunk's data: its CRLF, this many of the two bytes seen.
    DataEnd(u8),
    /// After the last chunk: trailer lines, to the empty one.
    Trailer,
    /// The body is whole.
    Done,
}

impl Chunked {
    fn done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Takes the next wire bytes, handing each piece of chunk data to
    /// `data`. `Err`: the framing is broken, in words. Bytes after the end
    /// are ignored (the connection closes).
    fn feed(&mut self, mut input: &[u8], data: &mut impl FnMut(&[u8])) -> Result<(), String> {
        while let Some(&b) = input.first() {
            match self.state {
                ChunkState::Done => return Ok(()),
                ChunkState::Data(left) => {
                    let k = input.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    data(&input[..k]);
                    input = &input[k..];
                    let left = left - k as u64;
                    self.state = if left == 0 {
                        ChunkState::DataEnd(0)
                    } else {
                        ChunkState::Data(left)
                    };
                }
                ChunkState::DataEnd(seen) => {
                    let want = if seen == 0 { b'\r' } else { b'\n' };
                    if b != want {
                        return Err("a chunk's data is not followed by CRLF".into());
                    }
                    input = &input[1..];
                    self.state = if seen == 0 {
                        ChunkState::DataEnd(1)
                    } else {
                        ChunkState::Size
                    };
                }
                ChunkState::Size | ChunkState::Trailer => {
                    input = &input[1..];
                    if self.state == ChunkState::Trailer {
                        self.trailer += 1;
                        if self.trailer > MAX_HEAD {
                            return Err("a trailer larger than 64 KiB".into());
                        }
                    }
                    if b != b'\n' {
                        if self.line.len() >= MAX_CHUNK_LINE {
                            return Err("a chunk-size or trailer line longer than 4 KiB".into());
                        }
                        self.line.push(b);
                        continue;
                    }
                    let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
                    self.state = if self.state == ChunkState::Trailer {
                        if line.is_empty() {
                            ChunkState::Done
                        } else {
                            ChunkState::Trailer
                        }
                    } else {
                        match chunk_size(line)? {
                            0 => ChunkState::Trailer,
                            n => ChunkState::Data(n),
                        }
                    };
                    self.line.clear();
                }
            }
        }
        Ok(())
    }
}

/// A chunk-size line's size: hex digits, then optional `;extensions`.
fn chunk_size(line: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(line);
    let hex = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim_end_matches([' ', '\t']);
    if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "chunk size '{}' is not a hex number",
            crate::sanitize::brief(&text, 40)
        ));
    }
    u64::from_str_radix(hex, 16).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pieces: &[&[u8]]) -> (Result<(), String>, Vec<u8>, bool) {
        let mut d = Chunked::default();
        let mut out = Vec::new();
        for p in pieces {
            if let Err(e) = d.feed(p, &mut |b| out.extend_from_slice(b)) {
                return (Err(e), out, d.done());
            }
        }
        (Ok(()), out, d.done())
    }

    #[test]
    fn chunks_are_decoded_whatever_the_reads_cut() {
        let wire: &[u8] =
            b"5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n";
        // Every split into two reads, and one byte a read.
        for cut in 0..=wire.len() {
            let (r, out, done) = decode(&[&wire[..cut], &wire[cut..]]);
            assert_eq!(r, Ok(()), "cut {cut}");
            assert_eq!(out, b"helloabcdefghijklmnopqrstuvwxyz", "cut {cut}");
            assert!(done, "cut {cut}");
        }
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(decode(&bytes).1, b"helloabcdefghijklmnopqrstuvwxyz");
        // Data that holds the last chunk's bytes is not the end.
        let (r, out, done) = decode(&[b"7\r\n0\r\n\r\n\r\n\r\n"]);
        assert_eq!(
            (r, out.as_slice(), done),
            (Ok(()), &b"0\r\n\r\n\r\n"[..], false)
        );
    }

    #[test]
    fn broken_chunks_are_refused() {
        for (wire, why) in [
            (&b"zz\r\nhello\r\n"[..], "not a hex number"),
            (b"\r\n", "not a hex number"),
            (b"5\r\nhelloXX", "not followed by CRLF"),
            (b"11111111111111111\r\n", "not a hex number"),
        ] {
            let (r, _, _) = decode(&[wire]);
            assert!(
                r.as_ref().is_err_and(|e| e.contains(why)),
                "{wire:?}: {r:?}"
            );
        }
        let long = vec![b'1'; MAX_CHUNK_LINE + 1];
        assert!(decode(&[&long]).0.is_err());
        let mut trailer = b"0\r\n".to_vec();
        trailer.extend(std::iter::repeat_n(b"X: y\r\n".as_slice(), 20_000).flatten());
        assert!(decode(&[&trailer]).0.is_err_and(|e| e.contains("trailer")));
    }

    #[test]
    fn content_lengths_must_agree() {
        let h = |vals: &[&str]| -> Vec<Header> {
            vals.iter()
                .map(|v| Header {
                    name: "Content-Length".into(),
                    value: (*v).into(),
                })
                .collect()
        };
        assert_eq!(content_length(&h(&[])), Ok(None));
        assert_eq!(content_length(&h(&["5"])), Ok(Some(5)));
        assert_eq!(content_length(&h(&["5", "5, 5"])), Ok(Some(5)));
        for bad in [
            &["5", "100"][..],
            &["5, 6"],
            &["abc"],
            &["-1"],
            &["+5"],
            &[""],
        ] {
            assert!(content_length(&h(bad)).is_err(), "{bad:?}");
        }
    }
}
