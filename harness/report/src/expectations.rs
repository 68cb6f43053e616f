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
use std::path::Path;

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

/// What was wrong with an expectations file: the file, where, and what was expected.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ExpectationsError {
    pub file: String,
    pub message: String,
}

impl Expectations {
    /// Reads and parses an expectations file: a regular file of at most
    /// [`c169_model::bounded::EXPECTATIONS_FILE`] bytes.
    pub fn load(path: &Path) -> Result<Expectations, ExpectationsError> {
        let err = |message: String| ExpectationsError {
            file: path.display().to_string(),
            message,
        };
        let text =
            c169_model::bounded::read_to_string(path, c169_model::bounded::EXPECTATIONS_FILE)
                .map_err(|e| err(e.problem.to_string()))?;
        Self::parse(&text).map_err(err)
    }

    /// Parses the YAML text of an expectations file (refused past a nesting depth
    /// and an alias expansion before it is parsed: see [`c169_model::deep::check_yaml`]).
    pub fn parse(text: &str) -> Result<Expectations, String> {
        c169_model::deep::check_yaml(text, serde_yaml_ng::Deserializer::from_str)
            .map_err(|e| e.to_string())?;
        let de = serde_yaml_ng::Deserializer::from_str(text);
        let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.inner();
            if at == "." {
                format!("{inner} (expected a map with `known_failures`, a list of {{case, reason, link}})")
            } else {
                format!("field `{at}`: {inner}")
            }
        })?;
        let mut seen = BTreeMap::new();
        for (i, e) in file.known_failures.iter().enumerate() {
            if e.case.trim().is_empty() {
                return Err(format!(
                    "field `known_failures[{i}].case`: expected a vector or scenario id, found an empty string"
                ));
            }
            if e.reason.trim().is_empty() {
                return Err(format!(
                    "field `known_failures[{i}].reason`: expected why {:?} is known to fail, found an empty string",
                    e.case
                ));
            }
            if let Some(first) = seen.insert(e.case.as_str(), i) {
                return Err(format!(
                    "field `known_failures[{i}].case`: {:?} is already listed at known_failures[{first}]",
                    e.case
                ));
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

    #[test]
    fn errors_name_the_field_and_what_was_expected() {
        let e = Expectations::parse("known_failures:\n  - case: x\n").unwrap_err();
        assert!(
            e.contains("known_failures[0]") && e.contains("reason"),
            "{e}"
        );
        let e = Expectations::parse("known_failures:\n  - case: x\n    reason: y\n    url: z\n")
            .unwrap_err();
        assert!(e.contains("known_failures[0]") && e.contains("url"), "{e}");
        let e = Expectations::parse(
            "known_failures:\n  - {case: x, reason: y}\n  - {case: x, reason: z}\n",
        )
        .unwrap_err();
        assert!(
            e.contains("known_failures[1].case") && e.contains("already listed"),
            "{e}"
        );
        let e = Expectations::parse("- case: x\n").unwrap_err();
        assert!(e.contains("known_failures"), "{e}");
    }

    #[test]
    fn deep_or_expanding_yaml_is_refused_before_it_is_parsed() {
        let n = 100_000;
        let start = std::time::Instant::now();
        let deep = format!("known_failures: {}{}", "[".repeat(n), "]".repeat(n));
        let e = Expectations::parse(&deep).unwrap_err();
        assert!(e.contains("nests more than 64 levels deep"), "{e}");
        let long = "x".repeat(1 << 20);
        let bomb = format!(
            "known_failures: [&e {{case: a, reason: {long}}}, {}]",
            vec!["*e"; 100].join(", ")
        );
        let e = Expectations::parse(&bomb).unwrap_err();
        assert!(e.contains("expands, its aliases repeated"), "{e}");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
