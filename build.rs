//! Link flags for the `netkit` executable only (no file is written).
//!
//! Start-up: the executable is linked non-PIE, so the dynamic loader has no
//! run-time relative relocations to apply, and with a static libgcc, one
//! shared library fewer to load. glibc stays dynamic: NSS modules must load,
//! so `addrinfo` and `lookup --system` answer exactly as the system does.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        println!("cargo:rustc-link-arg-bins=-static-libgcc");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
