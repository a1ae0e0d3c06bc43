//! The tokio runtimes the network commands run on.

use tokio::runtime::{Builder, Runtime};

use crate::error::{NetkitError, Result};

fn built(b: &mut Builder) -> Result<Runtime> {
    b.enable_all()
        .build()
        .map_err(|source| NetkitError::System {
            call: "starting the runtime",
            source,
        })
}

/// One thread that polls and runs: lowest latency for a few sockets.
pub fn current_thread() -> Result<Runtime> {
    built(&mut Builder::new_current_thread())
}

/// Worker threads (default: one per core), for many sockets or streams.
pub fn multi_thread(workers: Option<usize>) -> Result<Runtime> {
    let mut b = Builder::new_multi_thread();
    if let Some(n) = workers {
        b.worker_threads(n);
    }
    built(&mut b)
}
