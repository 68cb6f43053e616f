//! What crossed between the rig and an implementation, byte for byte: the request
//! lines written and the replies read (`c169 replay` prints them). Kept only when
//! asked for, and bounded: a replay concerns one case.

use std::sync::{Arc, Mutex, PoisonError};

/// The most entries one transcript holds; later ones are counted, not kept.
pub const MAX_ENTRIES: usize = 1_000;

/// One thing that crossed, or the note of what did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A request line as written (without its line end), or an HTTP request body.
    Sent { op: String, bytes: Vec<u8> },
    /// A reply as read: a line without its end, or an HTTP response body.
    Received(Vec<u8>),
    /// No reply came: why, in words.
    Unanswered(String),
}

/// A shared, append-only record of the exchanges of one implementation.
#[derive(Debug, Clone, Default)]
pub struct Transcript(Arc<Mutex<Log>>);

#[derive(Debug, Default)]
struct Log {
    entries: Vec<Entry>,
    dropped: usize,
}

// Settings that carry a transcript compare equal when they share the same one.
impl PartialEq for Transcript {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Transcript {}

impl Transcript {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&self, entry: Entry) {
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if log.entries.len() < MAX_ENTRIES {
            log.entries.push(entry);
        } else {
            log.dropped += 1;
        }
    }

    /// The entries so far, and how many were not kept past [`MAX_ENTRIES`].
    #[must_use]
    pub fn entries(&self) -> (Vec<Entry>, usize) {
        let log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (log.entries.clone(), log.dropped)
    }
}

/// Records into `transcript`, when there is one.
pub(crate) fn note(transcript: Option<&Transcript>, entry: impl FnOnce() -> Entry) {
    if let Some(t) = transcript {
        t.record(entry());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_in_order_and_bounds_the_count() {
        let t = Transcript::new();
        let copy = t.clone();
        for i in 0..MAX_ENTRIES + 3 {
            copy.record(Entry::Received(vec![u8::try_from(i % 200).unwrap_or(0)]));
        }
        let (entries, dropped) = t.entries();
        assert_eq!(entries.len(), MAX_ENTRIES);
        assert_eq!(dropped, 3);
        assert_eq!(entries.first(), Some(&Entry::Received(vec![0])));
        assert_eq!(t, copy);
        assert_ne!(t, Transcript::new());
    }
}
