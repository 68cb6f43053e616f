//! The last bytes of an adapter's stderr, captured continuously.
//!
//! A background task drains the pipe whenever it is readable, so a flood never
//! blocks the adapter, and the ring keeps only the last bytes. After a reply the
//! rig also drains the pipe synchronously (the descriptor is non-blocking): all the
//! adapter wrote to stderr before its reply is then in the ring, and the excerpt of
//! a case is complete, not a race with the background task.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::ErrorKind;
use std::os::fd::AsFd;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::net::unix::pipe::Receiver;

/// A ring of the last `cap` bytes written, and a count of all bytes written.
#[derive(Debug)]
pub(crate) struct Tail {
    inner: Mutex<Ring>,
}

#[derive(Debug)]
struct Ring {
    cap: usize,
    bytes: VecDeque<u8>,
    total: u64,
}

impl Ring {
    fn push(&mut self, chunk: &[u8]) {
        self.total += chunk.len() as u64;
        let cap = self.cap;
        let keep = chunk
            .get(chunk.len().saturating_sub(cap)..)
            .unwrap_or(chunk);
        let overflow = (self.bytes.len() + keep.len()).saturating_sub(cap);
        let held = self.bytes.len();
        self.bytes.drain(..overflow.min(held));
        self.bytes.extend(keep);
    }
}

impl Tail {
    pub(crate) fn new(cap: usize) -> Arc<Self> {
        Arc::new(Tail {
            inner: Mutex::new(Ring {
                cap,
                bytes: VecDeque::with_capacity(cap.min(64 * 1024)),
                total: 0,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn push(&self, chunk: &[u8]) {
        self.lock().push(chunk);
    }

    /// How many bytes were written so far: a mark for [`Tail::since`].
    pub(crate) fn mark(&self) -> u64 {
        self.lock().total
    }

    /// What was written since `mark`, as far as the ring still holds it; `None` if nothing.
    pub(crate) fn since(&self, mark: u64) -> Option<String> {
        let ring = self.lock();
        let written = ring.total.saturating_sub(mark);
        if written == 0 {
            return None;
        }
        let held = (written.min(ring.bytes.len() as u64)) as usize;
        let start = ring.bytes.len() - held;
        let bytes: Vec<u8> = ring.bytes.range(start..).copied().collect();
        let mut text = String::new();
        if written > held as u64 {
            let _ = writeln!(
                text,
                "[… {} earlier bytes of stderr dropped …]",
                written - held as u64
            );
        }
        text.push_str(&String::from_utf8_lossy(&bytes));
        Some(text)
    }
}

/// The read end of an adapter's stderr pipe, non-blocking.
#[derive(Debug)]
pub(crate) struct Pipe {
    rx: Arc<Receiver>,
    tail: Arc<Tail>,
}

/// What one drain found.
#[derive(Debug, PartialEq, Eq)]
enum Drained {
    /// The pipe is empty for now.
    Empty,
    /// The pipe still had data after the per-call bound.
    More,
    /// The writer side is closed, or reading failed.
    End,
}

/// At most this much is read in one go, so that a flood cannot hold the ring's lock.
const DRAIN_BOUND: usize = 1024 * 1024;

impl Pipe {
    /// Takes over `stderr` and starts draining it into `tail` in the background.
    pub(crate) fn start(
        stderr: tokio::process::ChildStderr,
        tail: Arc<Tail>,
    ) -> std::io::Result<(Pipe, tokio::task::JoinHandle<()>)> {
        let rx = Arc::new(Receiver::from_owned_fd(stderr.into_owned_fd()?)?);
        let pipe = Pipe {
            rx: Arc::clone(&rx),
            tail: Arc::clone(&tail),
        };
        let task = tokio::spawn(async move {
            loop {
                if rx.readable().await.is_err() {
                    return;
                }
                match drain(&rx, &tail, Receiver::try_read) {
                    Drained::End => return,
                    Drained::More => tokio::task::yield_now().await,
                    Drained::Empty => {}
                }
            }
        });
        Ok((pipe, task))
    }

    /// Reads what is in the pipe now, without waiting.
    pub(crate) fn drain_now(&self) {
        let _ = drain(&self.rx, &self.tail, |rx, buf| {
            nix::unistd::read(rx.as_fd(), buf).map_err(std::io::Error::from)
        });
    }
}

/// How [`drain`] reads: through the runtime, which clears its readiness flag on
/// `WouldBlock` (what the background task must do, or `readable()` would never wait
/// again); or by a plain read(2), for the synchronous drain after a reply, because
/// the runtime's flag may not have caught up yet when the reply itself was read by
/// a spin (see `crate::spin`), while the non-blocking descriptor knows what is there.
fn drain(
    rx: &Receiver,
    tail: &Tail,
    read: fn(&Receiver, &mut [u8]) -> std::io::Result<usize>,
) -> Drained {
    let mut buf = [0_u8; 8192];
    let mut ring = tail.lock();
    let mut taken = 0;
    loop {
        if taken >= DRAIN_BOUND {
            return Drained::More;
        }
        match read(rx, &mut buf) {
            Ok(0) => return Drained::End,
            Ok(n) => {
                ring.push(buf.get(..n).unwrap_or_default());
                taken += n;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Drained::Empty,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Drained::End,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keeps_the_last_bytes_and_counts_all() {
        let t = Tail::new(8);
        assert_eq!(t.since(0), None);
        t.push(b"hello ");
        let m = t.mark();
        assert_eq!(m, 6);
        t.push(b"world");
        assert_eq!(t.since(m).unwrap(), "world");
        t.push(b"0123456789abcdef");
        let s = t.since(m).unwrap();
        assert!(s.ends_with("89abcdef"), "{s}");
        assert!(s.contains("13 earlier bytes"), "{s}");
        assert_eq!(t.mark(), 27);
    }
}
