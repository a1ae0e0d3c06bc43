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

/// Serves `zones` (zone-file texts) on `bind`, on a thread of its own;
/// returns the address.
pub fn serve(bind: SocketAddr, zones: &[&str]) -> SocketAddr {
    let (udp, tcp) = bind_pair(bind);
    let addr = udp.local_addr().expect("local address");
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
    udp.set_nonblocking(true).expect("nonblocking");
    tcp.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let mut server = Server::new(catalog);
            server.register_socket(tokio::net::UdpSocket::from_std(udp).expect("udp"));
            server.register_listener(
                tokio::net::TcpListener::from_std(tcp).expect("tcp"),
                Duration::from_secs(5),
                65_535,
            );
            let _ = server.block_until_done().await;
        });
    });
    addr
}
