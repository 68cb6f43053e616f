//! Why the harness could not make its tests, or why a run tested nothing.

use c169_report::exit;
use std::path::PathBuf;

/// Why [`crate::Harness`] made no test, or why its run tested nothing. A case
/// that fails is not this: it is a failed test.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// The vectors folder is not there.
    #[error("{}: no vectors folder here ({from}); expected the corpus's vectors/ (with keys/ and one folder per area)", .path.display())]
    NoCorpus {
        path: PathBuf,
        /// Where the path came from: `Harness::vectors`, `C169_VECTORS` or the
        /// crate's own checkout.
        from: &'static str,
    },
    /// A vector or key file could not be read or does not follow the schema.
    #[error(transparent)]
    Corpus(#[from] c169_corpus::LoadError),
    /// The tag expression does not parse.
    #[error(transparent)]
    Tags(c169_corpus::features::FeaturesError),
    /// The feature files, read to tell a known failure that names a scenario
    /// from one that names nothing, do not parse.
    #[error(transparent)]
    Features(c169_corpus::features::FeaturesError),
    /// The expectations file could not be read or does not follow its format.
    #[error(transparent)]
    Expectations(#[from] c169_report::expectations::ExpectationsError),
    /// A case is listed as a known failure twice.
    #[error("known failures: {case:?} is listed twice")]
    ListedTwice { case: String },
    /// Known failures that name no vector (nor scenario) of the corpus.
    #[error("known failures: expected the id of a vector of {}; no vector is named {}", .root.display(), .cases.join(", "))]
    UnknownCases { root: PathBuf, cases: Vec<String> },
    /// The decoder's description cannot be used.
    #[error("describe: {reason}")]
    Describe { reason: String },
    /// The corpus, after the tag filter, holds no vector: nothing would be tested.
    #[error("{}: no vector selected{}", .root.display(), .tags.as_ref().map(|t| format!(" by the tags {t:?}")).unwrap_or_default())]
    NothingSelected { root: PathBuf, tags: Option<String> },
    /// Every case ran was ignored (not applicable, known or not gated): a green
    /// run would have tested nothing.
    #[error("no test passed or failed: all {ignored} were ignored (not applicable, known failures or not gated: see their reasons), so nothing was tested")]
    NothingApplied { ignored: u64 },
}

impl HarnessError {
    /// The exit code `c169 run` gives for the same condition: 1 when nothing
    /// applied (too little coverage), 2 for a configuration error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            HarnessError::NothingApplied { .. } => exit::FAILED,
            _ => exit::USAGE,
        }
    }
}
