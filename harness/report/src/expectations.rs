//! Known failures of an implementation (`--expectations FILE`).
//!
//! ```yaml
//! implementation: claim169-py 0.3.0     # optional, for the reader
//! known_failures:
//!   - case: b45-lowercase-first-minimal # a vector id or a scenario id
//!     reason: accepts lowercase Base45 letters
//!     link: https://example.org/issues/12   # optional
//! ```
//!
//! A listed case that fails is reported as a known failure and does not fail the
//! run; one that passes now is *stale* and fails the run until its entry is
//! removed, so the file cannot silently go out of date; a failure not listed is new
//! and fails the run.

use crate::{Case, Known, KnownState};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub case: String,
    pub reason: String,
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    #[allow(dead_code)]
    implementation: Option<String>,
    #[serde(default)]
    known_failures: Vec<Entry>,
}

/// An expectations file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    pub entries: Vec<Entry>,
}

/// Why an expectations file was not read: the file, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExpectationsError {
    /// Missing, unreadable, not a regular file, too large or not UTF-8.
    #[error(transparent)]
    Read(#[from] c169_model::bounded::ReadError),
    #[error("{file}")]
    Invalid {
        file: PathBuf,
        #[source]
        source: InvalidExpectations,
    },
}

/// What is wrong with the text of an expectations file: where, and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidExpectations {
    /// Nested too deep, or aliases that expand too far: refused before parsing.
    #[error(transparent)]
    Deep(#[from] c169_model::deep::DeepError),
    #[error("expected a map with `known_failures`, a list of {{case, reason, link}}")]
    NotAMap {
        #[source]
        source: serde_yaml_ng::Error,
    },
    #[error("field `{field}`")]
    Field {
        field: String,
        #[source]
        source: serde_yaml_ng::Error,
    },
    #[error("field `known_failures[{index}].case`: expected a vector or scenario id, found an empty string")]
    NoCase { index: usize },
    #[error("field `known_failures[{index}].reason`: expected why {case:?} is known to fail, found an empty string")]
    NoReason { index: usize, case: String },
    #[error("field `known_failures[{index}].case`: {case:?} is already listed at known_failures[{first}]")]
    Listed {
        index: usize,
        case: String,
        first: usize,
    },
}

impl Expectations {
    /// Reads and parses an expectations file: a regular file of at most
    /// [`c169_model::bounded::EXPECTATIONS_FILE`] bytes.
    pub fn load(path: &Path) -> Result<Expectations, ExpectationsError> {
        let text =
            c169_model::bounded::read_to_string(path, c169_model::bounded::EXPECTATIONS_FILE)?;
        Self::parse(&text).map_err(|source| ExpectationsError::Invalid {
            file: path.to_owned(),
            source,
        })
    }

    /// Parses the YAML text of an expectations file (refused past a nesting depth
    /// and an alias expansion before it is parsed: see [`c169_model::deep::check_yaml`]).
    pub fn parse(text: &str) -> Result<Expectations, InvalidExpectations> {
        c169_model::deep::check_yaml(text, serde_yaml_ng::Deserializer::from_str)?;
        let de = serde_yaml_ng::Deserializer::from_str(text);
        let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let source = e.into_inner();
            if field == "." {
                InvalidExpectations::NotAMap { source }
            } else {
                InvalidExpectations::Field { field, source }
            }
        })?;
        let mut seen = BTreeMap::new();
        for (index, e) in file.known_failures.iter().enumerate() {
            if e.case.trim().is_empty() {
                return Err(InvalidExpectations::NoCase { index });
            }
            if e.reason.trim().is_empty() {
                return Err(InvalidExpectations::NoReason {
                    index,
                    case: e.case.clone(),
                });
            }
            if let Some(first) = seen.insert(e.case.as_str(), index) {
                return Err(InvalidExpectations::Listed {
                    index,
                    case: e.case.clone(),
                    first,
                });
            }
        }
        Ok(Expectations {
            entries: file.known_failures,
        })
    }

    /// Marks the cases the file lists. Returns the entries that name no case of
    /// this run (a typo, or a case filtered out or in another shard).
    pub fn apply(&self, cases: &mut [Case]) -> Vec<String> {
        let mut by_id: BTreeMap<&str, &Entry> =
            self.entries.iter().map(|e| (e.case.as_str(), e)).collect();
        for c in cases.iter_mut() {
            let Some(entry) = by_id.remove(c.id.as_str()) else {
                continue;
            };
            let state = match c.status {
                s if s.is_failure() => KnownState::Known,
                crate::Status::Pass => KnownState::Stale,
                // Not run: nothing is known either way this time.
                _ => continue,
            };
            c.known = Some(Known {
                reason: entry.reason.clone(),
                link: entry.link.clone(),
                state,
            });
        }
        by_id.into_keys().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// An error as a person reads it: the message, then each cause after a colon.
    fn shown(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut cause = e.source();
        while let Some(c) = cause {
            out = format!("{out}: {c}");
            cause = c.source();
        }
        out
    }

    fn parse_err(text: &str) -> String {
        shown(&Expectations::parse(text).unwrap_err())
    }

    #[test]
    fn errors_name_the_field_and_what_was_expected() {
        let e = parse_err("known_failures:\n  - case: x\n");
        assert!(
            e.contains("known_failures[0]") && e.contains("reason"),
            "{e}"
        );
        let e = parse_err("known_failures:\n  - case: x\n    reason: y\n    url: z\n");
        assert!(e.contains("known_failures[0]") && e.contains("url"), "{e}");
        let e = parse_err("known_failures:\n  - {case: x, reason: y}\n  - {case: x, reason: z}\n");
        assert!(
            e.contains("known_failures[1].case") && e.contains("already listed"),
            "{e}"
        );
        let e = parse_err("- case: x\n");
        assert!(e.contains("known_failures"), "{e}");
    }

    #[test]
    fn deep_or_expanding_yaml_is_refused_before_it_is_parsed() {
        let n = 100_000;
        // Each is refused by a check made before the YAML is parsed or expanded:
        // the error says which, so no clock is needed to show it.
        let deep = format!("known_failures: {}{}", "[".repeat(n), "]".repeat(n));
        let e = parse_err(&deep);
        assert!(e.contains("nests more than 64 levels deep"), "{e}");
        let long = "x".repeat(1 << 20);
        let bomb = format!(
            "known_failures: [&e {{case: a, reason: {long}}}, {}]",
            vec!["*e"; 100].join(", ")
        );
        let e = parse_err(&bomb);
        assert!(e.contains("expands, its aliases repeated"), "{e}");
    }
}
