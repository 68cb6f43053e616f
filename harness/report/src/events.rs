//! The stream of a run: events, and the sinks that follow them.

use crate::Case;

/// One event of a run's stream.
#[derive(Debug)]
pub enum Event<'a> {
    /// A phase begins with this many cases (`vectors`, `scenarios`).
    Phase { name: &'a str, cases: usize },
    /// A case finished.
    Case(&'a Case),
}

/// Something that follows a run as it goes: a progress display, a collector.
pub trait Sink {
    fn event(&mut self, event: &Event<'_>);

    /// A function to call, from any thread, each time a case of the current phase
    /// finishes before its [`Event::Case`] can be sent (the scenarios run inside
    /// cucumber and are reported when it ends). `None` when not wanted.
    fn ticker(&self) -> Option<Ticker> {
        None
    }
}

/// See [`Sink::ticker`].
pub type Ticker = std::sync::Arc<dyn Fn() + Send + Sync>;

/// Keeps every case of the stream.
#[derive(Debug, Default)]
pub struct Collector {
    pub cases: Vec<Case>,
}

impl Sink for Collector {
    fn event(&mut self, event: &Event<'_>) {
        if let Event::Case(c) = event {
            self.cases.push((*c).clone());
        }
    }
}
