//! The last bytes of an adapter's stderr, captured continuously.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncRead, AsyncReadExt};

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

    fn push(&self, chunk: &[u8]) {
        let mut ring = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        ring.total += chunk.len() as u64;
        let cap = ring.cap;
        let keep = chunk
            .get(chunk.len().saturating_sub(cap)..)
            .unwrap_or(chunk);
        let overflow = (ring.bytes.len() + keep.len()).saturating_sub(cap);
        let held = ring.bytes.len();
        ring.bytes.drain(..overflow.min(held));
        ring.bytes.extend(keep);
    }

    /// How many bytes were written so far: a mark for [`Tail::since`].
    pub(crate) fn mark(&self) -> u64 {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }

    /// What was written since `mark`, as far as the ring still holds it; `None` if nothing.
    pub(crate) fn since(&self, mark: u64) -> Option<String> {
        let ring = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
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

/// Reads `stream` to its end into `tail`, never blocking the writer for long.
pub(crate) async fn drain<R: AsyncRead + Unpin>(mut stream: R, tail: Arc<Tail>) {
    let mut buf = vec![0_u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => tail.push(buf.get(..n).unwrap_or_default()),
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
