//! A small authoritative DNS server for trying netkit's DNS examples
//! (README): serves zone files on one address, UDP and TCP, until Ctrl-C.
//!
//!     cargo run -q --example zone-server -- 127.0.0.1:5353 docs/zones/*.zone
//!
//! With no zone files it serves docs/zones/. It prints `ready ADDRESS`
//! once it answers.

#[path = "../tests/support/zones.rs"]
mod zones;

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:5353".into());
    let Ok(bind) = bind.parse() else {
        eprintln!("usage: zone-server ADDRESS:PORT [ZONE-FILE...]");
        std::process::exit(2);
    };
    let mut files: Vec<String> = args.collect();
    if files.is_empty() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/zones");
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path().display().to_string())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        files = found;
    }
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let addr = zones::serve(bind, &refs);
    println!("ready {addr}");
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
