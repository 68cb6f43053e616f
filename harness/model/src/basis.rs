//! What an expectation rests on. A verdict is only as strong as its basis: a
//! sentence of a normative text (graded at that sentence's level), the suite's
//! strict profile (reported as a departure, never a conformance failure), or what
//! deployed implementations do (shown as context, never graded).

use crate::outcome::{Level, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The basis of an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Basis {
    /// A normative sentence of the Claim 169 specification or an RFC it builds on.
    Text(TextBasis),
    /// The suite's strict-profile preference where no text decides.
    Profile(ProfileBasis),
    /// What deployed implementations do: context, never graded.
    Observed(ObservedBasis),
}

/// A quoted normative sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextBasis {
    /// `RFC 9052`, `Claim 169 v1.2.0` …
    pub document: String,
    /// `§3.1` …
    pub section: String,
    /// The sentence, verbatim.
    pub quote: String,
    /// The level the expectation is graded at: never above the sentence's.
    pub level: Level,
    /// How the sentence reads as this expectation, where that is not plain (a
    /// format definition read as MUST; a level lowered to the sentence's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// A row of the suite's verdict policy that states a preference of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileBasis {
    /// The policy row, in its words (`vectors/policy.yaml`).
    pub row: String,
}

/// Behaviour seen in deployed code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedBasis {
    /// Who does it: `idpass claim169-core 0.3.0` …
    pub source: String,
}

/// The kind of a basis, as reports count it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BasisKind {
    #[default]
    Text,
    Profile,
    Observed,
}

impl BasisKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BasisKind::Text => "text",
            BasisKind::Profile => "profile",
            BasisKind::Observed => "observed",
        }
    }
}

impl fmt::Display for BasisKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Basis {
    #[must_use]
    pub fn kind(&self) -> BasisKind {
        match self {
            Basis::Text(_) => BasisKind::Text,
            Basis::Profile(_) => BasisKind::Profile,
            Basis::Observed(_) => BasisKind::Observed,
        }
    }

    /// The level a failure against this basis is graded at: a text's level; none
    /// for the profile and for observed behaviour.
    #[must_use]
    pub fn level(&self) -> Option<Level> {
        match self {
            Basis::Text(t) => Some(t.level),
            Basis::Profile(_) | Basis::Observed(_) => None,
        }
    }
}

/// The one requirement a case tests, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Primary {
    pub id: String,
    /// One line: what the case does to test it.
    pub how: String,
}

/// The answer the basis prefers where either answer conforms.
pub type Preference = Verdict;

/// The strongest requirement keyword in a sentence of `document`: what a quote
/// can carry. BCP 14 keywords count only in capitals (RFC 8174), except in the
/// texts that write them in lower case: the Claim 169 specification, and RFC 1950
/// and RFC 1951, which predate RFC 2119.
#[must_use]
pub fn keyword_level(quote: &str, document: &str) -> Option<Level> {
    let any_case = document.starts_with("Claim 169")
        || document.starts_with("RFC 1950")
        || document.starts_with("RFC 1951");
    let words: Vec<String> = quote
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .filter(|w| any_case || w.chars().all(|c| c.is_ascii_uppercase()))
        .map(str::to_ascii_uppercase)
        .collect();
    let has = |w: &str| words.iter().any(|x| x == w);
    if has("MUST") || has("SHALL") || has("REQUIRED") {
        Some(Level::Must)
    } else if has("SHOULD") || has("RECOMMENDED") {
        Some(Level::Should)
    } else if has("MAY") || has("OPTIONAL") {
        Some(Level::May)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords() {
        let rfc = "RFC 9052";
        assert_eq!(
            keyword_level("The CWT MUST be signed.", rfc),
            Some(Level::Must)
        );
        assert_eq!(
            keyword_level("it SHOULD NOT appear in both", rfc),
            Some(Level::Should)
        );
        assert_eq!(keyword_level("support is OPTIONAL", rfc), Some(Level::May));
        assert_eq!(keyword_level("The alphabet is 0-9 A-Z.", rfc), None);
        // Lower case counts in a recent RFC only as prose (RFC 8174) ...
        assert_eq!(keyword_level("It should be noted", rfc), None);
        // ... and as a keyword in the texts that write them so.
        assert_eq!(
            keyword_level("it should be noted", "Claim 169 v1.2.0"),
            Some(Level::Should)
        );
        assert_eq!(
            keyword_level("FCHECK must be", "RFC 1950"),
            Some(Level::Must)
        );
        // A word that merely contains a keyword is not one.
        assert_eq!(keyword_level("mustard shallow", "Claim 169"), None);
    }
}
