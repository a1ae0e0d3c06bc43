//! The `netkit` binary: the C entry point around [`netkit::app::run`].
//!
//! `main` is the C entry point: std's runtime set-up is skipped (it reads
//! /proc/self/maps to place a stack guard, a tenth of netkit's start-up);
//! what netkit needs of it is done here: SIGPIPE ignored, so a closed
//! stdout is an EPIPE error and not a silent death, and stdout flushed at
//! the end. argv comes from std's own capture (glibc's init_array).
#![no_main]

use std::io::Write;

/// The process's entry point.
// SAFETY: the one C `main` symbol of this executable; nothing else defines it.
#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const std::ffi::c_char) -> i32 {
    let code = netkit::app::run();
    let _ = std::io::stdout().flush();
    i32::from(code)
}
