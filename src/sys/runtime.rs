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

/// Runs `work` over `items` with at most `concurrency` futures in flight,
/// and hands each result to `emit` in input order. At most `window` items
/// separate the oldest unfinished one from the newest started, so a result
/// that never comes holds back a bounded number of finished ones. Items
/// are pulled lazily; an `Err` item ends the run (returned after the
/// results before it). While `full(in flight)` (a memory budget, say),
/// nothing new starts unless nothing is in flight. On `stop`, nothing new starts; results already
/// finished are emitted (in order, skipping the unfinished) and the rest
/// abandoned.
pub async fn ordered<I, T, R, F, Fut>(
    items: I,
    concurrency: usize,
    window: usize,
    stop: &crate::signal::Stop,
    mut work: F,
    full: &dyn Fn(usize) -> bool,
    emit: &mut dyn FnMut(R) -> std::io::Result<()>,
) -> crate::error::Result<()>
where
    I: Iterator<Item = crate::error::Result<T>>,
    F: FnMut(T) -> Fut,
    Fut: std::future::Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    use futures_util::FutureExt;
    use futures_util::stream::{FuturesUnordered, StreamExt};
    use std::collections::BTreeMap;
    let concurrency = concurrency.max(1);
    let window = window.max(concurrency);
    let mut items = items.enumerate();
    // Polled here, not spawned: a task per item cost an aligned allocation
    // and a scheduler round each (a tenth of a batch query's time); the
    // work is I/O, and blocking work runs on threads of its own.
    let mut tasks = FuturesUnordered::new();
    let mut done: BTreeMap<usize, R> = BTreeMap::new();
    let (mut next_emit, mut next_issue) = (0usize, 0usize);
    let mut exhausted = false;
    let mut input_error = None;
    let write_err = |e| NetkitError::System {
        call: "writing stdout",
        source: e,
    };
    loop {
        while !exhausted
            && !stop.is_set()
            && tasks.len() < concurrency
            && next_issue - next_emit < window
            && (tasks.is_empty() || !full(tasks.len()))
        {
            match items.next() {
                None => exhausted = true,
                Some((_, Err(e))) => {
                    input_error = Some(e);
                    exhausted = true;
                }
                Some((i, Ok(item))) => {
                    next_issue = i + 1;
                    // Mapped, not wrapped in an async block: that would
                    // hold the future twice (captured, and awaited), and
                    // copy it from one to the other.
                    tasks.push(Box::pin(work(item).map(move |r| (i, r))));
                }
            }
        }
        while let Some(r) = done.remove(&next_emit) {
            emit(r).map_err(write_err)?;
            next_emit += 1;
        }
        if tasks.is_empty() {
            if exhausted || stop.is_set() {
                break;
            }
            continue;
        }
        let finished = tokio::select! {
            f = tasks.next() => f,
            () = stop.wait() => None,
        };
        match finished {
            Some((i, r)) => {
                done.insert(i, r);
            }
            None => {
                drop(tasks);
                for (_, r) in std::mem::take(&mut done) {
                    emit(r).map_err(write_err)?;
                }
                break;
            }
        }
    }
    match input_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
