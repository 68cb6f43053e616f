//! The degradations of the image corpus: what a printed card goes through between
//! the issuer's printer and a verifier's camera, made deterministic.
//!
//! Every operation uses integer arithmetic or the four IEEE operations (and square
//! roots, which IEEE 754 rounds exactly): no `sin`, `exp` or `ln`, whose results
//! differ between C libraries, so the same pixels come out on every machine.

use crate::Gray;
use serde::{Deserialize, Serialize};

/// One degradation of a clean symbol image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Degradation {
    /// The symbol as rendered.
    Clean,
}

impl Degradation {
    /// Applies the degradation to `clean`, rendered at `module` pixels a module.
    #[must_use]
    pub fn apply(&self, clean: &Gray, _module: u32) -> Gray {
        match self {
            Degradation::Clean => clean.clone(),
        }
    }
}

/// The degradations of the corpus, by name, each with whether a conformant scanner
/// should still read the symbol, and why.
pub const DEGRADATIONS: [(&str, Degradation, bool, &str); 1] = [(
    "clean",
    Degradation::Clean,
    true,
    "the symbol as rendered, with a four-module quiet zone",
)];

impl Degradation {
    /// The degradation in words.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Degradation::Clean => "clean".into(),
        }
    }
}
