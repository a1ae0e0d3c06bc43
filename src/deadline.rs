//! One deadline, passed down. A command's deadline is a value every wait
//! and every loop consults; [`within`] and [`within_async`] are the one
//! way to run a blocking call that cannot be cancelled (a C resolver call:
//! getaddrinfo, gethostbyname_ex, gethostbyaddr) and give up at the
//! deadline, abandoning the thread that still waits in it.

use std::time::{Duration, Instant};

use crate::error::Failure;
use crate::exit::Reason;

/// A point in time a whole operation must end by, and the budget it was
/// given (for messages: "did not answer within 30 s").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub fn after(budget: Duration) -> Deadline {
        let now = Instant::now();
        Deadline {
            at: now
                .checked_add(budget)
                .unwrap_or(now + Duration::from_secs(86_400 * 365)),
            budget,
        }
    }

    /// When it falls.
    pub fn at(self) -> Instant {
        self.at
    }

    /// The budget it was made with.
    pub fn budget(self) -> Duration {
        self.budget
    }

    /// Time left (zero once past).
    pub fn left(self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Whether it has passed.
    pub fn passed(self) -> bool {
        Instant::now() >= self.at
    }

    /// The earlier of this one and `budget` from now (a step's own limit
    /// inside the whole operation's).
    pub fn cap(self, budget: Duration) -> Deadline {
        let other = Deadline::after(budget);
        if other.at < self.at { other } else { self }
    }
}

/// The one message for a call abandoned at its deadline.
fn late(what: &str, deadline: Deadline) -> Failure {
    Failure::new(
        Reason::TemporaryFailure,
        format!(
            "{what}: the system resolver did not answer within {}",
            crate::value::seconds(deadline.budget())
        ),
    )
}

/// A blocking call running on a thread of its own (see [`started`]).
pub struct Started<T> {
    what: String,
    rx: Result<std::sync::mpsc::Receiver<T>, Failure>,
}

/// Starts the blocking call `f` on a thread of its own, to be waited for
/// later with [`Started::wait`] (several calls at once: each family of a
/// look-up, say, under one deadline).
pub fn started<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Started<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("netkit-resolve".into())
        .spawn(move || {
            let _ = tx.send(f());
        });
    Started {
        what: what.to_string(),
        rx: spawned
            .map(|_| rx)
            .map_err(|e| Failure::io(&e, "starting a resolver thread")),
    }
}

impl<T> Started<T> {
    /// Its result, or a failure once `deadline` passes (the thread is
    /// abandoned: a C resolver call cannot be cancelled).
    pub fn wait(self, deadline: Deadline) -> Result<T, Failure> {
        let rx = self.rx?;
        rx.recv_timeout(deadline.left())
            .map_err(|_| late(&self.what, deadline))
    }
}

/// Runs the blocking call `f` on a thread of its own and waits for it until
/// `deadline`; past it the thread is abandoned (a C resolver call cannot be
/// cancelled) and `what` is reported as not answered in time.
pub fn within<T: Send + 'static>(
    what: &str,
    deadline: Deadline,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    started(what, f).wait(deadline)
}

/// [`within`] for async code: the runtime is never blocked, and its
/// blocking pool never waits for an abandoned call at shutdown.
pub async fn within_async<T: Send + 'static>(
    what: &str,
    deadline: Deadline,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("netkit-resolve".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| Failure::io(&e, "starting a resolver thread"))?;
    match tokio::time::timeout_at(deadline.at().into(), rx).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(Failure::new(
            Reason::System,
            format!("{what}: the resolver thread ended without an answer"),
        )),
        Err(_) => Err(late(what, deadline)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_past_the_deadline_is_abandoned() {
        let t = Instant::now();
        let r = within("x", Deadline::after(Duration::from_millis(50)), || {
            std::thread::sleep(Duration::from_secs(5));
        });
        assert!(t.elapsed() < Duration::from_secs(2));
        let f = r.unwrap_err();
        assert_eq!(f.reason, Reason::TemporaryFailure);
        assert_eq!(
            f.message,
            "x: the system resolver did not answer within 50 ms"
        );
        assert_eq!(
            within("y", Deadline::after(Duration::from_secs(5)), || 7),
            Ok(7)
        );
    }

    #[test]
    fn async_twin() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let t = Instant::now();
        let r = rt.block_on(within_async(
            "x",
            Deadline::after(Duration::from_millis(50)),
            || std::thread::sleep(Duration::from_secs(5)),
        ));
        assert!(r.is_err() && t.elapsed() < Duration::from_secs(2));
        let r = rt.block_on(within_async(
            "y",
            Deadline::after(Duration::from_secs(5)),
            || 3,
        ));
        assert_eq!(r, Ok(3));
    }

    #[test]
    fn caps_take_the_earlier() {
        let d = Deadline::after(Duration::from_secs(10));
        assert!(d.cap(Duration::from_secs(1)).left() <= Duration::from_secs(1));
        assert_eq!(d.cap(Duration::from_secs(100)), d);
        assert!(!d.passed());
        assert!(Deadline::after(Duration::ZERO).passed());
    }
}
