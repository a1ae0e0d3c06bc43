//! SIGINT/SIGTERM for long-running commands: a flag they poll, so they stop
//! cleanly and print what they gathered.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::error::{NetkitError, Result};

/// A flag set by SIGINT or SIGTERM.
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&flag)).map_err(|source| {
            NetkitError::System {
                call: "installing a signal handler",
                source,
            }
        })?;
    }
    Ok(flag)
}

/// Whether SIGINT (not SIGTERM) was received; decides exit 130.
pub fn interrupted_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&flag)).map_err(
        |source| NetkitError::System {
            call: "installing a signal handler",
            source,
        },
    )?;
    Ok(flag)
}
