//! Everything that can go wrong between the rig and an implementation.

use c169_model::protocol::ErrorKind;
use std::fmt;
use std::time::Duration;

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExitInfo {
    /// The exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
}

impl ExitInfo {
    #[must_use]
    pub fn from_status(status: std::process::ExitStatus) -> Self {
        use std::os::unix::process::ExitStatusExt;
        ExitInfo {
            code: status.code(),
            signal: status.signal(),
        }
    }
}

impl fmt::Display for ExitInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit code {code}"),
            (None, Some(signal)) => write!(f, "signal {signal}"),
            (None, None) => f.write_str("unknown status"),
        }
    }
}

/// Why a request to an implementation produced no reply of the protocol.
///
/// A rejected credential is not an error: it is an `Outcome` with `verdict: reject`.
/// Every variant that concerns a subprocess carries the excerpt of the stderr the
/// adapter wrote while the request was under way (the last 64 KiB by default).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The adapter program could not be started.
    #[error("could not start {program}: {message}")]
    Spawn { program: String, message: String },
    /// No reply within the per-request timeout; the adapter was killed.
    #[error("no reply within {after:?}")]
    Timeout {
        after: Duration,
        stderr: Option<String>,
    },
    /// The adapter exited (or closed its stdout) before a complete reply.
    #[error("the adapter ended ({status}) before a complete reply{}", partial_note(*.partial_len))]
    Crashed {
        status: ExitInfo,
        /// How many bytes of an unfinished reply line it had written.
        partial_len: usize,
        /// The start of that unfinished line.
        partial: Option<String>,
        stderr: Option<String>,
    },
    /// The reply broke the protocol: not JSON, the wrong id, a schema violation.
    #[error("protocol error: {reason}")]
    Protocol {
        reason: String,
        /// The start of the offending reply.
        excerpt: Option<String>,
        stderr: Option<String>,
    },
    /// The reply exceeded the size cap; reading stopped there and the adapter was killed.
    #[error("the reply exceeds the {limit}-byte cap")]
    ResponseTooLarge {
        limit: usize,
        stderr: Option<String>,
    },
    /// The adapter failed too often in a row: this case was not run.
    #[error("not run: adapter broken ({cause})")]
    Broken {
        /// Restarts made before it was given up.
        restarts: u32,
        /// Why it was given up, the reason of its last failure.
        cause: String,
    },
    /// Reading from or writing to the adapter failed.
    #[error("I/O with the adapter failed: {message}")]
    Io {
        message: String,
        stderr: Option<String>,
    },
    /// The HTTP endpoint could not be reached.
    #[error("could not connect to {url}: {message}")]
    Connect { url: String, message: String },
    /// The HTTP exchange failed after connecting.
    #[error("HTTP exchange with {url} failed: {message}")]
    Transport { url: String, message: String },
    /// The HTTP endpoint answered with an error status and no protocol error reply.
    #[error("HTTP status {status}")]
    Http {
        status: u16,
        /// The start of the body.
        excerpt: Option<String>,
    },
    /// The HTTP endpoint answered with a redirect, which the rig does not follow.
    #[error("HTTP redirect ({status}) to {}", .location.as_deref().unwrap_or("nowhere"))]
    Redirect {
        status: u16,
        location: Option<String>,
    },
    /// The adapter answered with an error reply: it could not carry out the request.
    #[error("the adapter answered {kind}: {message}")]
    Adapter {
        kind: ErrorKind,
        message: String,
        stderr: Option<String>,
    },
}

fn partial_note(partial_len: usize) -> String {
    if partial_len == 0 {
        String::new()
    } else {
        format!(" (after {partial_len} bytes of a line)")
    }
}

impl AdapterError {
    /// A stable short code for reports: `timeout`, `crashed`, `protocol` …
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            AdapterError::Spawn { .. } => "spawn",
            AdapterError::Timeout { .. } => "timeout",
            AdapterError::Crashed { .. } => "crashed",
            AdapterError::Protocol { .. } => "protocol",
            AdapterError::ResponseTooLarge { .. } => "response_too_large",
            AdapterError::Broken { .. } => "broken",
            AdapterError::Io { .. } => "io",
            AdapterError::Connect { .. } => "connect",
            AdapterError::Transport { .. } => "transport",
            AdapterError::Http { .. } => "http",
            AdapterError::Redirect { .. } => "redirect",
            AdapterError::Adapter { kind, .. } => match kind {
                ErrorKind::Unsupported => "unsupported",
                ErrorKind::BadRequest => "bad_request",
                ErrorKind::Internal => "internal",
            },
        }
    }

    /// A one-line reason for a report (the `Display` text, cut to 300 characters).
    #[must_use]
    pub fn reason(&self) -> String {
        excerpt(self.to_string().as_bytes(), 300)
    }

    /// The adapter's stderr while the request was under way, when there was any.
    #[must_use]
    pub fn stderr(&self) -> Option<&str> {
        match self {
            AdapterError::Timeout { stderr, .. }
            | AdapterError::Crashed { stderr, .. }
            | AdapterError::Protocol { stderr, .. }
            | AdapterError::ResponseTooLarge { stderr, .. }
            | AdapterError::Io { stderr, .. }
            | AdapterError::Adapter { stderr, .. } => stderr.as_deref(),
            _ => None,
        }
    }

    /// Whether the case was not run at all (the implementation was given up before it).
    #[must_use]
    pub fn is_not_run(&self) -> bool {
        matches!(self, AdapterError::Broken { .. })
    }

    /// The same error with `stderr` attached, where the variant carries one.
    #[must_use]
    pub(crate) fn with_stderr(mut self, text: Option<String>) -> Self {
        match &mut self {
            AdapterError::Timeout { stderr, .. }
            | AdapterError::Crashed { stderr, .. }
            | AdapterError::Protocol { stderr, .. }
            | AdapterError::ResponseTooLarge { stderr, .. }
            | AdapterError::Io { stderr, .. }
            | AdapterError::Adapter { stderr, .. } => *stderr = text,
            _ => {}
        }
        self
    }

    pub(crate) fn protocol(reason: impl Into<String>, reply: &[u8]) -> Self {
        AdapterError::Protocol {
            reason: reason.into(),
            excerpt: Some(excerpt(reply, 200)),
            stderr: None,
        }
    }
}

/// At most `max` characters of `bytes`, lossily decoded, with an ellipsis when cut.
#[must_use]
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(max * 4)).unwrap_or(bytes));
    let mut out: String = text.chars().take(max).collect();
    if out.len() < text.len() || bytes.len() > max * 4 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn excerpts_are_bounded() {
        assert_eq!(excerpt(b"abc", 10), "abc");
        assert_eq!(excerpt(b"abcdef", 3), "abc…");
        assert_eq!(excerpt(&[0xff, b'a'], 10), "\u{fffd}a");
        assert_eq!(excerpt(&vec![b'x'; 1000], 5), "xxxxx…");
    }

    #[test]
    fn reasons_and_codes() {
        let e = AdapterError::Crashed {
            status: ExitInfo {
                code: Some(3),
                signal: None,
            },
            partial_len: 5,
            partial: Some("{\"id\"".into()),
            stderr: Some("boom".into()),
        };
        assert_eq!(e.code(), "crashed");
        assert!(e.reason().contains("exit code 3"), "{}", e.reason());
        assert!(e.reason().contains("after 5 bytes"), "{}", e.reason());
        assert_eq!(e.stderr(), Some("boom"));
        let b = AdapterError::Broken {
            restarts: 3,
            cause: "x".into(),
        };
        assert!(b.is_not_run());
        assert!(b.reason().starts_with("not run: adapter broken"));
    }
}
