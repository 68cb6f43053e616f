//! Naming an implementation on a command line, and reaching it.

use crate::{
    AdapterError, Command, Http, HttpSettings, Implementation, Mode, Reference, Subprocess,
    SubprocessSettings,
};

/// Where an implementation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The c169 reference codec, in-process.
    Reference,
    /// An adapter program.
    Subprocess { command: Command, mode: Mode },
    /// An HTTP adapter endpoint, by its base URL.
    Http { base: String },
}

/// The rig's bounds on every kind of implementation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub subprocess: SubprocessSettings,
    pub http: HttpSettings,
}

impl Settings {
    /// The same per-request timeout for every kind.
    #[must_use]
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.subprocess.timeout = timeout;
        self.http.timeout = timeout;
        self
    }

    /// Every request and reply of an adapter program or endpoint copied into
    /// `transcript`, byte for byte.
    #[must_use]
    pub fn with_transcript(mut self, transcript: &crate::Transcript) -> Self {
        self.subprocess.transcript = Some(transcript.clone());
        self.http.transcript = Some(transcript.clone());
        self
    }
}

/// Why words or a URL name no implementation the rig can reach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("no implementation named: give `reference`, a URL, or an adapter command")]
    Nothing,
    #[error("{0:?}: https is not supported: the rig speaks plain HTTP to adapters on loopback")]
    Https(String),
    #[error("{0:?} is not an http:// URL (an adapter program goes in --adapter-cmd)")]
    NotHttp(String),
}

impl Target {
    /// Reads a target from command-line words: `reference`; a URL
    /// `http://127.0.0.1:8169`; or a program and its arguments
    /// (`python3 adapters/examples/python/adapter.py`), persistent unless `one_shot`.
    pub fn from_words<S: AsRef<str>>(words: &[S], one_shot: bool) -> Result<Target, TargetError> {
        match words {
            [] => Err(TargetError::Nothing),
            [word] if word.as_ref() == "reference" => Ok(Target::Reference),
            [word] if word.as_ref().starts_with("http://") => Ok(Target::Http {
                base: word.as_ref().to_owned(),
            }),
            [word] if word.as_ref().starts_with("https://") => {
                Err(TargetError::Https(word.as_ref().to_owned()))
            }
            [program, args @ ..] => Ok(Target::Subprocess {
                command: Command::new(program.as_ref()).args(args.iter().map(AsRef::as_ref)),
                mode: if one_shot {
                    Mode::OneShot
                } else {
                    Mode::Persistent
                },
            }),
        }
    }

    /// An HTTP adapter endpoint from a URL, and nothing else: a value that is not
    /// an `http://` URL is refused, never run as a program.
    pub fn http(url: &str) -> Result<Target, TargetError> {
        match url.strip_prefix("http://") {
            Some(rest) if !rest.is_empty() && !rest.contains(char::is_whitespace) => {
                Ok(Target::Http {
                    base: url.to_owned(),
                })
            }
            _ if url.starts_with("https://") => Err(TargetError::Https(url.to_owned())),
            _ => Err(TargetError::NotHttp(url.to_owned())),
        }
    }

    /// Reaches the implementation. Nothing is started yet: a subprocess starts with its first request.
    pub fn connect(&self, settings: &Settings) -> Result<Box<dyn Implementation>, AdapterError> {
        Ok(match self {
            Target::Reference => Box::new(Reference),
            Target::Subprocess { command, mode } => Box::new(Subprocess::new(
                command.clone(),
                *mode,
                settings.subprocess.clone(),
            )),
            Target::Http { base } => Box::new(Http::new(base.clone(), settings.http.clone())?),
        })
    }

    /// `n` copies to run side by side (`--jobs`): a process each of an adapter
    /// program; the one endpoint (`n` requests in flight) or the in-process
    /// reference (`n` threads) lent `n` times. At least one.
    pub fn connect_copies(
        &self,
        settings: &Settings,
        n: usize,
    ) -> Result<Vec<std::sync::Arc<dyn Implementation>>, AdapterError> {
        let first: std::sync::Arc<dyn Implementation> =
            std::sync::Arc::from(self.connect(settings)?);
        let mut copies = vec![std::sync::Arc::clone(&first)];
        for _ in 1..n {
            copies.push(match self {
                Target::Subprocess { .. } => std::sync::Arc::from(self.connect(settings)?),
                Target::Reference | Target::Http { .. } => std::sync::Arc::clone(&first),
            });
        }
        Ok(copies)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn words_name_targets() {
        assert_eq!(
            Target::from_words(&["reference"], false).unwrap(),
            Target::Reference
        );
        assert_eq!(
            Target::from_words(&["http://127.0.0.1:1"], false).unwrap(),
            Target::Http {
                base: "http://127.0.0.1:1".into()
            }
        );
        assert!(Target::from_words(&["https://x"], false).is_err());
        assert!(Target::from_words::<&str>(&[], false).is_err());
        assert!(Target::http("http://127.0.0.1:8169").is_ok());
        for bad in [
            "python3 a.py",
            "http://",
            "http://a b",
            "https://x",
            "ftp://x",
            "",
        ] {
            assert!(Target::http(bad).is_err(), "{bad}");
        }
        match Target::from_words(&["python3", "a.py"], true).unwrap() {
            Target::Subprocess { command, mode } => {
                assert_eq!(command.program, std::path::PathBuf::from("python3"));
                assert_eq!(command.args, vec![std::ffi::OsString::from("a.py")]);
                assert_eq!(mode, Mode::OneShot);
            }
            other => panic!("{other:?}"),
        }
    }
}
