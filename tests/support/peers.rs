//! The peers every test file uses: a TCP peer running a function per
//! connection, an HTTP request head reader, HTTPS servers with certificates
//! made here, and an HTTP CONNECT proxy. All on loopback.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;

/// A TCP peer on 127.0.0.1 running `serve` on each connection, a thread
/// each; returns its address.
pub fn tcp_peer(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            let serve = Arc::clone(&serve);
            std::thread::spawn(move || serve(c));
        }
    });
    addr
}

/// Reads a request head (to the blank line); None if the client went away
/// first.
pub fn read_head(c: &mut TcpStream) -> Option<String> {
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    Some(String::from_utf8_lossy(&req).into_owned())
}

/// The path of a request head.
pub fn path_of(head: &str) -> &str {
    head.split_whitespace().nth(1).unwrap_or("")
}

/// An HTTP peer: `respond(path)` is written back whole, then the
/// connection closes.
pub fn http_peer(respond: impl Fn(&str) -> String + Send + Sync + 'static) -> SocketAddr {
    tcp_peer(move |mut c| {
        if let Some(head) = read_head(&mut c) {
            let _ = c.write_all(respond(path_of(&head)).as_bytes());
        }
    })
}

/// A minimal HTTP CONNECT proxy: tunnels to the target, or 502.
pub fn connect_proxy() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { continue };
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match c.read(&mut b) {
                        Ok(1) => head.push(b[0]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let target = text.split_whitespace().nth(1).unwrap_or("").to_string();
                let Ok(mut up) = std::net::TcpStream::connect(&target) else {
                    let _ = c.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                    return;
                };
                let _ = c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c2, mut up2) = (c.try_clone().unwrap(), up.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut up2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut c, &mut up);
                let _ = up.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    addr
}

pub struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

/// A CA, and leaves: valid (localhost, dns.example.test, both.example.test,
/// 127.0.0.1), expired, for another name, self-signed, and signed by
/// another CA of the same name (otherkey). PEM files in a temporary directory.
pub fn make_certs() -> Certs {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType, date_time_ymd};
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "netkit test CA");
    let ca_cert = ca.clone().self_signed(&ca_key).unwrap();
    write("ca.pem", &ca_cert.pem());
    let now = time_now_year();
    let leaf = |file: &str, names: Vec<SanType>, expired: bool, self_signed: bool| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.subject_alt_names = names;
        p.distinguished_name.push(rcgen::DnType::CommonName, file);
        if expired {
            p.not_before = date_time_ymd(2020, 1, 1);
            p.not_after = date_time_ymd(2021, 1, 1);
        } else {
            p.not_before = date_time_ymd(now - 1, 1, 1);
            p.not_after = date_time_ymd(now + 2, 1, 1);
        }
        let cert = if self_signed {
            p.self_signed(&key).unwrap()
        } else {
            p.signed_by(&key, &ca_cert, &ca_key).unwrap()
        };
        write(&format!("{file}.pem"), &cert.pem());
        write(&format!("{file}.key"), &key.serialize_pem());
    };
    let local = || {
        vec![
            SanType::DnsName("localhost".try_into().unwrap()),
            SanType::DnsName("dns.example.test".try_into().unwrap()),
            SanType::DnsName("both.example.test".try_into().unwrap()),
            SanType::IpAddress(IpAddr::from([127, 0, 0, 1])),
        ]
    };
    leaf("valid", local(), false, false);
    leaf("expired", local(), true, false);
    leaf(
        "wrongname",
        vec![SanType::DnsName("other.example.test".try_into().unwrap())],
        false,
        false,
    );
    leaf("selfsigned", local(), false, true);
    // Signed by another CA of the same name (a CA re-keyed): the issuer
    // named is trusted, its key did not sign.
    let other_key = KeyPair::generate().unwrap();
    let other_ca = ca.self_signed(&other_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.subject_alt_names = local();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "otherkey");
    p.not_before = date_time_ymd(now - 1, 1, 1);
    p.not_after = date_time_ymd(now + 2, 1, 1);
    let cert = p.signed_by(&key, &other_ca, &other_key).unwrap();
    write("otherkey.pem", &cert.pem());
    write("otherkey.key", &key.serialize_pem());
    Certs { dir }
}

fn time_now_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    1970 + (secs / 31_556_952) as i32
}

/// An HTTPS server with this certificate answering 200 to anything.
pub fn tls_server(certs: &Certs, leaf: &str) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(certs.path(&format!("{leaf}.pem")))
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
    let key = PrivateKeyDer::from_pem_file(certs.path(&format!("{leaf}.key"))).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(l).unwrap();
            loop {
                let Ok((s, _)) = l.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let Ok(mut t) = acceptor.accept(s).await else {
                        return;
                    };
                    let mut buf = [0u8; 4096];
                    let _ = t.read(&mut buf).await;
                    let _ = t
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = t.shutdown().await;
                });
            }
        });
    });
    addr
}
