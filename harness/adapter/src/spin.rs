//! Reading a pipe with a short busy-wait before sleeping on the event loop.
//!
//! A request–reply exchange over two pipes costs about 50 µs on a small virtual
//! machine when each side sleeps until the kernel wakes it: two wake-ups per round
//! trip, each a scheduler hand-off. When the side waiting for the answer instead
//! polls its pipe with non-blocking reads for a moment, the round trip drops to a
//! few microseconds (the bench README has the figures). [`SpinRead`] does that for a
//! bounded time after it is [armed](SpinRead::arm), then falls back to the event
//! loop, so a slow peer costs a little CPU, never correctness: the reads it makes are
//! the same `read(2)` calls the runtime would make, on a descriptor the runtime has
//! already set non-blocking (checked; a blocking descriptor is never spun on).
//!
//! The spin adapts: after [`GIVE_UP`] arms in a row whose answer came too late to be
//! caught, it stays off for [`REST`] exchanges before trying again, so a peer that
//! always takes milliseconds (an interpreter starting work, a network hop) is not
//! paid for with a busy core.

use std::io;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use tokio::io::{AsyncRead, ReadBuf};

/// How long a read polls before sleeping on the event loop, by default.
pub const DEFAULT_SPIN: Duration = Duration::from_micros(250);
/// Missed spins in a row after which spinning rests.
const GIVE_UP: u32 = 8;
/// How many arms a rest lasts.
const REST: u32 = 64;

/// An [`AsyncRead`] over a non-blocking pipe that busy-polls for a bounded time
/// after each [`arm`](Self::arm).
#[derive(Debug)]
pub struct SpinRead<T> {
    inner: T,
    budget: Duration,
    /// Set while a spin may run: until when.
    deadline: Option<Instant>,
    misses: u32,
    resting: u32,
}

impl<T: AsFd> SpinRead<T> {
    /// Wraps `inner`, spinning up to `budget` after each arm. A zero budget, or a
    /// descriptor that is not non-blocking, turns spinning off.
    pub fn new(inner: T, budget: Duration) -> Self {
        let nonblocking = fcntl(inner.as_fd(), FcntlArg::F_GETFL)
            .is_ok_and(|flags| OFlag::from_bits_truncate(flags).contains(OFlag::O_NONBLOCK));
        Self {
            inner,
            budget: if nonblocking { budget } else { Duration::ZERO },
            deadline: None,
            misses: 0,
            resting: 0,
        }
    }
}

impl<T> SpinRead<T> {
    /// Says an answer is expected soon: the next reads poll for up to the budget.
    pub fn arm(&mut self) {
        if self.budget.is_zero() {
            return;
        }
        if self.resting > 0 {
            self.resting -= 1;
            return;
        }
        self.deadline = Some(Instant::now() + self.budget);
    }

    /// The wrapped reader.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    fn missed(&mut self) {
        self.deadline = None;
        self.misses += 1;
        if self.misses >= GIVE_UP {
            self.misses = 0;
            self.resting = REST;
        }
    }
}

impl<T: AsyncRead + AsFd + Unpin> AsyncRead for SpinRead<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(deadline) = this.deadline {
            loop {
                match nix::unistd::read(this.inner.as_fd(), buf.initialize_unfilled()) {
                    Ok(n) => {
                        // Data, or the end of the stream: either is the answer.
                        buf.advance(n);
                        this.misses = 0;
                        return Poll::Ready(Ok(()));
                    }
                    Err(Errno::EINTR) => {}
                    Err(Errno::EAGAIN) => {
                        if Instant::now() >= deadline {
                            this.missed();
                            break;
                        }
                        std::hint::spin_loop();
                    }
                    Err(e) => {
                        this.deadline = None;
                        return Poll::Ready(Err(e.into()));
                    }
                }
            }
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::unix::pipe;

    fn pair() -> (pipe::Sender, pipe::Receiver) {
        pipe::pipe().unwrap()
    }

    #[tokio::test]
    async fn an_armed_read_takes_what_is_already_there() {
        let (mut tx, rx) = pair();
        let mut r = SpinRead::new(rx, Duration::from_millis(50));
        tx.write_all(b"hello\n").await.unwrap();
        r.arm();
        let mut buf = [0u8; 16];
        let n = r.read(&mut buf).await.unwrap();
        assert_eq!(buf.get(..n), Some(&b"hello\n"[..]));
        assert_eq!(r.misses, 0);
    }

    #[tokio::test]
    async fn a_spin_that_sees_nothing_falls_back_to_the_event_loop() {
        let (mut tx, rx) = pair();
        let mut r = SpinRead::new(rx, Duration::from_micros(100));
        r.arm();
        let writer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            tx.write_all(b"late\n").await.unwrap();
            tx
        });
        let mut buf = [0u8; 16];
        let n = r.read(&mut buf).await.unwrap();
        assert_eq!(buf.get(..n), Some(&b"late\n"[..]));
        assert_eq!(r.misses, 1, "the spin ended without data");
        drop(writer.await.unwrap());
        let n = r.read(&mut buf).await.unwrap();
        assert_eq!(n, 0, "end of stream after the writer is gone");
    }

    #[tokio::test]
    async fn the_end_of_the_stream_ends_an_armed_read() {
        let (tx, rx) = pair();
        let mut r = SpinRead::new(rx, Duration::from_secs(5));
        drop(tx);
        r.arm();
        let started = Instant::now();
        let mut buf = [0u8; 4];
        assert_eq!(r.read(&mut buf).await.unwrap(), 0);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "EOF did not wait out the spin"
        );
    }

    #[tokio::test]
    async fn repeated_misses_rest_the_spin() {
        let (_tx, rx) = pair();
        let mut r = SpinRead::new(rx, Duration::from_micros(10));
        let mut buf = [0u8; 4];
        for _ in 0..GIVE_UP {
            r.arm();
            assert!(r.deadline.is_some());
            // Nothing is written: the spin runs out, then the event-loop read is pending.
            let pending = tokio::time::timeout(Duration::from_millis(1), r.read(&mut buf)).await;
            assert!(pending.is_err());
        }
        assert_eq!(r.resting, REST);
        r.arm();
        assert!(r.deadline.is_none(), "resting: no spin");
    }

    #[test]
    fn a_blocking_descriptor_is_never_spun_on() {
        let (_tx, rx) = std::io::pipe().unwrap();
        let r = SpinRead::new(rx, DEFAULT_SPIN);
        assert!(r.budget.is_zero());
    }
}
