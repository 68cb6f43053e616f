//! Reading files and standard input with a bound: every file or stream the rig
//! reads goes through here, so `/dev/zero`, a FIFO or a runaway file given as an
//! input ends with an error that names it, not with gigabytes read or a hang.
//!
//! A file must be a regular file (symbolic links are followed); that is checked
//! before it is opened, since opening a FIFO that has no writer blocks, and again
//! on what was opened. It is read through `Read::take`, one byte past its
//! [`Limit`], so a file that grows while it is read is still refused. Standard
//! input has the same size bound and a time bound as well: a pipe or terminal that
//! is never closed ends the read after the time given.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What is read, for messages, and the most bytes read of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the input is, with its article: "a vector file".
    pub what: &'static str,
    /// The most bytes read; one more is an error.
    pub bytes: u64,
}

impl Limit {
    /// A limit of `bytes` for inputs that are `what` ("a vector file").
    #[must_use]
    pub const fn new(what: &'static str, bytes: u64) -> Limit {
        Limit { what, bytes }
    }
}

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

/// A QR text given on standard input (`c169 decode -`): as large as a request the
/// reference adapter reads; a QR symbol holds at most 4 296 characters, the corpus's
/// longest text is about 0.5 MiB.
pub const QR_TEXT: Limit = Limit::new("a QR text", 16 * MIB);
/// The identity document `c169 encode` reads (YAML or JSON): as large as a request
/// the reference adapter reads, room for photographs and biometrics.
pub const ENCODE_INPUT: Limit = Limit::new("an encode input document", 16 * MIB);
/// A JWK or JWK-set file: the corpus's keys are under 500 bytes each; a set of a
/// thousand keys fits.
pub const KEY_FILE: Limit = Limit::new("a key file", MIB);
/// A vector file of the corpus: the largest (limits/limit-many-items.json) is about
/// 0.5 MiB.
pub const VECTOR_FILE: Limit = Limit::new("a vector file", 16 * MIB);
/// A PNG image (`c169 qr scan`, `c169 decode --image`, image vectors): the same
/// bound as c169-qr's `MAX_IMAGE_BYTES`, which the command line checks; the
/// corpus's largest image is about 0.4 MiB.
pub const IMAGE_FILE: Limit = Limit::new("a PNG image", 32 * MIB);
/// A source file of the suite: the requirement catalogue (about 130 KiB), the
/// generator's and importers' YAML, feature files, the vector schema, the curated
/// findings.
pub const SOURCE_FILE: Limit = Limit::new("a source file of the suite", 4 * MIB);
/// An expectations file (`--expectations`): a known failure is a line or three, so
/// tens of thousands of them fit.
pub const EXPECTATIONS_FILE: Limit = Limit::new("an expectations file", 4 * MIB);
/// A report file read back (`c169 diff`, `c169 report`, `c169 matrix --check`):
/// the published results.json files are under 2 MiB for the whole corpus.
pub const REPORT_FILE: Limit = Limit::new("a report file", 256 * MIB);
/// A peer's adapter.toml: a few dozen lines.
pub const ADAPTER_TOML: Limit = Limit::new("an adapter.toml", 64 * KIB);

/// How long standard input may take to end unless the caller says otherwise.
pub const STDIN_TIME: Duration = Duration::from_mins(1);

/// Where bytes were read from: a file, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file, by the path it was given as.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Stdin => f.write_str("standard input"),
        }
    }
}

/// Why an input was not read: names it, and what was wrong, with the bound where
/// one was passed.
#[derive(Debug, thiserror::Error)]
#[error("{from}: {problem}")]
pub struct ReadError {
    /// The file or stream.
    pub from: Origin,
    /// What was wrong, without the name (for callers that name the file themselves).
    pub problem: Problem,
}

/// What was wrong with an input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Missing or unreadable, or reading failed.
    #[error("cannot read {what}: {error}")]
    Io {
        what: &'static str,
        error: std::io::Error,
    },
    /// A FIFO, a device, a directory or a socket where a regular file was expected.
    #[error("not a regular file ({kind}); {what} is read from a regular file")]
    NotRegular {
        what: &'static str,
        kind: &'static str,
    },
    /// More bytes than the limit.
    #[error("larger than {}, the limit for {}", size(limit.bytes), limit.what)]
    TooLarge { limit: Limit },
    /// Not UTF-8 where text was expected.
    #[error("{what} must be UTF-8 text: {error}")]
    NotText {
        what: &'static str,
        error: std::str::Utf8Error,
    },
    /// A stream that did not end in time.
    #[error(
        "did not end within {} s ({what} is read to its end: close it, or give a file)",
        after.as_secs_f64()
    )]
    TimedOut { what: &'static str, after: Duration },
}

impl ReadError {
    fn new(from: Origin, problem: Problem) -> ReadError {
        ReadError { from, problem }
    }

    /// Whether the file does not exist (callers for which a missing file is normal).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(&self.problem, Problem::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    }

    /// Whether the input was refused for its size.
    #[must_use]
    pub fn is_too_large(&self) -> bool {
        matches!(self.problem, Problem::TooLarge { .. })
    }
}

/// `bytes` for people: "16 MiB", "64 KiB", or "1000 bytes".
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// What kind of file `t` is, when it is not a regular file.
fn irregular(t: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("neither a file nor a directory")
}

/// Checks, without opening it, that `path` is a regular file of at most
/// `limit.bytes`: for a file that a library opens and reads itself (the feature
/// files, which cucumber reads). A FIFO or a device named by mistake is caught; a
/// file swapped in between the check and the read is not.
pub fn check_file(path: &Path, limit: Limit) -> Result<u64, ReadError> {
    let fail = |problem| ReadError::new(Origin::File(path.to_owned()), problem);
    // Before opening: opening a FIFO without a writer would block.
    let meta = std::fs::metadata(path).map_err(|error| {
        fail(Problem::Io {
            what: limit.what,
            error,
        })
    })?;
    if let Some(kind) = irregular(meta.file_type()) {
        return Err(fail(Problem::NotRegular {
            what: limit.what,
            kind,
        }));
    }
    if meta.len() > limit.bytes {
        return Err(fail(Problem::TooLarge { limit }));
    }
    Ok(meta.len())
}

/// The bytes of the regular file at `path`, at most `limit.bytes` of them.
pub fn read_file(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let fail = |problem| ReadError::new(Origin::File(path.to_owned()), problem);
    let io = |error| {
        fail(Problem::Io {
            what: limit.what,
            error,
        })
    };
    let len = check_file(path, limit)?;
    let file = std::fs::File::open(path).map_err(io)?;
    // What was opened, in case the path changed in between.
    if let Some(kind) = irregular(file.metadata().map_err(io)?.file_type()) {
        return Err(fail(Problem::NotRegular {
            what: limit.what,
            kind,
        }));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    within(bytes, Origin::File(path.to_owned()), limit)
}

/// The text of the regular file at `path` (UTF-8), at most `limit.bytes` of it.
pub fn read_to_string(path: &Path, limit: Limit) -> Result<String, ReadError> {
    text(
        read_file(path, limit)?,
        Origin::File(path.to_owned()),
        limit,
    )
}

/// Standard input to its end, at most `limit.bytes` of it, and within `time`: past
/// that, an error. The thread that reads is then left blocked on standard input;
/// this is for commands that end on the error.
pub fn read_stdin(limit: Limit, time: Duration) -> Result<Vec<u8>, ReadError> {
    read_within(std::io::stdin(), Origin::Stdin, limit, time)
}

/// `reader` to its end on a thread of its own, at most `limit.bytes` of it, waiting
/// for it at most `time`.
fn read_within<R: std::io::Read + Send + 'static>(
    reader: R,
    from: Origin,
    limit: Limit,
    time: Duration,
) -> Result<Vec<u8>, ReadError> {
    let io = |from, error| {
        ReadError::new(
            from,
            Problem::Io {
                what: limit.what,
                error,
            },
        )
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bounded read".to_owned())
        .spawn(move || {
            let mut bytes = Vec::new();
            let read = reader
                .take(limit.bytes.saturating_add(1))
                .read_to_end(&mut bytes)
                .map(|_| bytes);
            // The receiver is gone only after a timeout, when nobody waits any more.
            let _ = tx.send(read);
        })
        .map_err(|e| io(from.clone(), e))?;
    match rx.recv_timeout(time) {
        Ok(read) => within(read.map_err(|e| io(from.clone(), e))?, from, limit),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(ReadError::new(
            from,
            Problem::TimedOut {
                what: limit.what,
                after: time,
            },
        )),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(io(
            from,
            std::io::Error::other("the reading thread ended without an answer"),
        )),
    }
}

/// Standard input as text (UTF-8): [`read_stdin`], then a check that it is text.
pub fn read_stdin_to_string(limit: Limit, time: Duration) -> Result<String, ReadError> {
    text(read_stdin(limit, time)?, Origin::Stdin, limit)
}

fn within(bytes: Vec<u8>, from: Origin, limit: Limit) -> Result<Vec<u8>, ReadError> {
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::new(from, Problem::TooLarge { limit }));
    }
    Ok(bytes)
}

fn text(bytes: Vec<u8>, from: Origin, limit: Limit) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        ReadError::new(
            from,
            Problem::NotText {
                what: limit.what,
                error: e.utf8_error(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use std::time::Instant;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("c169-bounded-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SMALL: Limit = Limit::new("a test file", 16);

    #[test]
    fn a_regular_file_within_its_limit_is_read_whole() {
        let dir = scratch("regular");
        let path = dir.join("f.txt");
        std::fs::write(&path, "0123456789abcdef").unwrap();
        assert_eq!(read_file(&path, SMALL).unwrap(), b"0123456789abcdef");
        assert_eq!(read_to_string(&path, SMALL).unwrap(), "0123456789abcdef");
    }

    #[test]
    fn one_byte_past_the_limit_is_refused_naming_the_file_and_the_limit() {
        let dir = scratch("large");
        let path = dir.join("big.json");
        std::fs::write(&path, [b'x'; 17]).unwrap();
        let e = read_file(&path, SMALL).unwrap_err();
        assert!(e.is_too_large(), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains("big.json") && m.contains("16 bytes") && m.contains("a test file"),
            "{m}"
        );
        assert_eq!(size(16 * MIB), "16 MiB");
        assert_eq!(size(64 * KIB), "64 KiB");
    }

    #[test]
    fn dev_zero_is_refused_at_once_as_a_character_device() {
        let e = read_file(Path::new("/dev/zero"), VECTOR_FILE).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("/dev/zero: not a regular file (a character device)")
                && m.contains("a vector file"),
            "{m}"
        );
    }

    #[test]
    fn a_fifo_a_directory_and_a_socket_are_refused_without_blocking() {
        let dir = scratch("special");
        let fifo = dir.join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let socket = dir.join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let link = dir.join("link-to-fifo");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        for (path, kind) in [
            (&fifo, "a FIFO"),
            (&link, "a FIFO"),
            (&dir, "a directory"),
            (&socket, "a socket"),
        ] {
            let m = read_to_string(path, KEY_FILE).unwrap_err().to_string();
            assert!(
                m.contains(&format!(": not a regular file ({kind})")) && m.contains("a key file"),
                "{m}"
            );
        }
    }

    #[test]
    fn a_missing_file_names_the_file_and_says_it_is_missing() {
        let e = read_file(Path::new("/nonexistent/c169/x.json"), VECTOR_FILE).unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        assert!(e
            .to_string()
            .starts_with("/nonexistent/c169/x.json: cannot read a vector file"));
    }

    #[test]
    fn a_stream_never_closed_ends_with_an_error_after_the_time_given() {
        let (reader, writer) = std::io::pipe().unwrap();
        let start = Instant::now();
        let e =
            read_within(reader, Origin::Stdin, QR_TEXT, Duration::from_millis(300)).unwrap_err();
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
        assert_eq!(
            e.to_string(),
            "standard input: did not end within 0.3 s (a QR text is read to its end: close it, or give a file)"
        );
        drop(writer);
    }

    #[test]
    fn an_endless_stream_is_cut_one_byte_past_its_limit() {
        let e = read_within(std::io::repeat(0), Origin::Stdin, SMALL, STDIN_TIME).unwrap_err();
        assert_eq!(
            e.to_string(),
            "standard input: larger than 16 bytes, the limit for a test file"
        );
        let (reader, mut writer) = std::io::pipe().unwrap();
        std::io::Write::write_all(&mut writer, b"text\n").unwrap();
        drop(writer);
        let read = read_within(reader, Origin::Stdin, SMALL, STDIN_TIME).unwrap();
        assert_eq!(read, b"text\n");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        let dir = scratch("utf8");
        let path = dir.join("latin1.yaml");
        std::fs::write(&path, b"caf\xe9").unwrap();
        let m = read_to_string(&path, SMALL).unwrap_err().to_string();
        assert!(m.contains("latin1.yaml") && m.contains("UTF-8"), "{m}");
    }
}
