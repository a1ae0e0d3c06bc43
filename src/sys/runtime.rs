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
    use std::collections::VecDeque;
    let concurrency = concurrency.max(1);
    let window = window.max(concurrency);
    let mut items = items.enumerate();
    // Polled here, not spawned: a task per item cost an aligned allocation
    // and a scheduler round each (a tenth of a batch query's time); the
    // work is I/O, and blocking work runs on threads of its own.
    let mut tasks = FuturesUnordered::new();
    // Finished results waiting for their turn, at their distance from the
    // next to print (a ring, not a map: no node per result, no shuffling).
    let mut done: VecDeque<Option<R>> = VecDeque::new();
    let (mut next_emit, mut next_issue) = (0usize, 0usize);
    let mut exhausted = false;
    let mut input_error = None;
    // One wait on the stop flag for the whole run: a new one per result
    // registered and unregistered a waiter each time.
    let stopped = stop.wait();
    tokio::pin!(stopped);
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
                    // copy it from one to the other. Not boxed: the set
                    // pins each future in its own task allocation.
                    tasks.push(work(item).map(move |r| (i, r)));
                }
            }
        }
        while let Some(Some(_)) = done.front() {
            if let Some(Some(r)) = done.pop_front() {
                emit(r).map_err(write_err)?;
            }
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
            () = &mut stopped => None,
        };
        match finished {
            Some((i, r)) => {
                let k = i - next_emit;
                if done.len() <= k {
                    done.resize_with(k + 1, || None);
                }
                done[k] = Some(r);
            }
            None => {
                drop(tasks);
                for r in std::mem::take(&mut done).into_iter().flatten() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Results finishing out of order print in order; a stop prints the
    /// finished ones, in order, and skips those still running.
    #[test]
    fn ordered_prints_in_input_order_and_a_stop_keeps_what_finished() {
        let rt = current_thread().unwrap();
        // Item i takes (i * 7 % 10) ms: later items often finish first.
        let delays: Vec<u64> = (0..200u64).map(|i| i * 7 % 10).collect();
        let stop = crate::signal::Stop::new();
        let mut seen = Vec::new();
        rt.block_on(ordered(
            delays.iter().copied().enumerate().map(Ok),
            16,
            64,
            &stop,
            |(i, d)| async move {
                tokio::time::sleep(Duration::from_millis(d)).await;
                i
            },
            &|_| false,
            &mut |i| {
                seen.push(i);
                Ok(())
            },
        ))
        .unwrap();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());

        // Item 3 never finishes; a stop comes once items 4-9 have.
        let stop = crate::signal::Stop::new();
        let trigger = stop.clone();
        let mut seen = Vec::new();
        rt.block_on(async {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                trigger.trigger(crate::signal::StopCause::Interrupt);
            });
            ordered(
                (0..10usize).map(Ok),
                10,
                10,
                &stop,
                |i| async move {
                    let ms = if i == 3 { 60_000 } else { 5 };
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    i
                },
                &|_| false,
                &mut |i| {
                    seen.push(i);
                    Ok(())
                },
            )
            .await
        })
        .unwrap();
        assert_eq!(seen, vec![0, 1, 2, 4, 5, 6, 7, 8, 9]);
    }
}
