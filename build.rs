//! Link flags for netkit (no file is written).
//!
//! Start-up: the executable is linked non-PIE, so the dynamic loader has no
//! run-time relative relocations to apply, and libgcc's unwinder is linked
//! statically (libgcc_eh.a), so libgcc_s.so is not loaded (nor libm.so:
//! see `sys::pow`). glibc stays dynamic: NSS modules must load, so
//! `addrinfo` and `lookup --system` answer exactly as the system does.
//! Without a C compiler that knows libgcc_eh.a the default linking stays.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    if let Some(dir) = libgcc_eh_dir() {
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-lib=static=gcc_eh");
    }
}

/// The directory of the C compiler's libgcc_eh.a, if it has one.
fn libgcc_eh_dir() -> Option<PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let out = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    // An unknown file is printed back as given, without a directory.
    if !out.status.success() || !path.is_absolute() || !path.is_file() {
        return None;
    }
    path.parent().map(PathBuf::from)
}
