//! An authoritative DNS server (hickory-server) for zone files, on one
//! UDP + TCP port: the tests' zone server, and `examples/zone-server.rs`,
//! which README readers start to try the DNS examples.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::serialize::txt::Parser;
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};

/// Binds UDP and TCP on one port of `addr` (port 0: any free one).
pub fn bind_pair(addr: SocketAddr) -> (UdpSocket, TcpListener) {
    for _ in 0..50 {
        let udp = UdpSocket::bind(addr).expect("bind udp");
        let port = udp.local_addr().expect("local address").port();
        if let Ok(tcp) = TcpListener::bind(SocketAddr::new(addr.ip(), port)) {
            return (udp, tcp);
        }
        assert_eq!(addr.port(), 0, "TCP port {port} taken");
    }
    panic!("no free port pair");
}

fn catalog(zones: &[&str]) -> Catalog {
    let mut catalog = Catalog::new();
    for zone in zones {
        let (origin, records) = Parser::new(*zone, None, None).parse().expect("zone parses");
        let handler =
            InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::new(
                origin.clone(),
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .expect("zone loads");
        catalog.upsert(origin.into(), vec![Arc::new(handler)]);
    }
    catalog
}

/// Serves `zones` (zone-file texts) on `bind`, on a thread of its own;
/// returns the address.
pub fn serve(bind: SocketAddr, zones: &[&str]) -> SocketAddr {
    let (udp, tcp) = bind_pair(bind);
    let addr = udp.local_addr().expect("local address");
    let catalog = catalog(zones);
    udp.set_nonblocking(true).expect("nonblocking");
    tcp.set_nonblocking(true).expect("nonblocking");
    run(catalog, move |server| {
        server.register_socket(tokio::net::UdpSocket::from_std(udp).expect("udp"));
        server.register_listener(
            tokio::net::TcpListener::from_std(tcp).expect("tcp"),
            Duration::from_secs(5),
            65_535,
        );
    });
    addr
}

/// Runs a hickory-server for `catalog` on a thread of its own, with the
/// sockets `register` gives it (registered inside the runtime).
fn run(catalog: Catalog, register: impl FnOnce(&mut Server<Catalog>) + Send + 'static) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let mut server = Server::new(catalog);
            register(&mut server);
            let _ = server.block_until_done().await;
        });
    });
}

/// Serves `zones` over DNS over QUIC (RFC 9250, hickory-server's) on a UDP
/// port of `bind`, with the certificate and key in PEM files; returns the
/// address.
pub fn serve_doq(bind: SocketAddr, zones: &[&str], cert: &str, key: &str) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .expect("cert file")
        .map(|c| c.expect("cert"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).expect("key file");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("certificate");
    tls.alpn_protocols = vec![b"doq".to_vec()];
    let udp = UdpSocket::bind(bind).expect("bind udp");
    let addr = udp.local_addr().expect("local address");
    udp.set_nonblocking(true).expect("nonblocking");
    let catalog = catalog(zones);
    run(catalog, move |server| {
        server
            .register_quic_listener_and_tls_config(
                tokio::net::UdpSocket::from_std(udp).expect("udp"),
                Duration::from_secs(5),
                Arc::new(tls),
            )
            .expect("DoQ listener");
    });
    addr
}
