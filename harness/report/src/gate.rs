//! What fails a run, and the run's verdict with the exit code that carries it.

use c169_model::Level;
use serde::{Deserialize, Serialize};

use crate::{exit, CoverageRule, RunFacts, Summary};

/// Which failures fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Failures of MUST cases.
    #[default]
    Must,
    /// Failures of MUST and SHOULD cases.
    Should,
    /// Any failure.
    Any,
}

/// Whether departures from the suite's strict profile fail a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Conformance to the texts only: departures are reported, never gated.
    #[default]
    Texts,
    /// The texts and the suite's strict profile: a departure fails the run.
    Strict,
}

impl Profile {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Texts => "texts",
            Profile::Strict => "strict",
        }
    }
}

/// A command-line value that names none of the values it may name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, not {given:?}")]
pub struct ParseError {
    /// What may be given, in words: `texts or strict`.
    pub expected: &'static str,
    pub given: String,
}

impl std::str::FromStr for Profile {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s {
            "texts" => Ok(Profile::Texts),
            "strict" => Ok(Profile::Strict),
            other => Err(ParseError {
                expected: "texts or strict",
                given: other.to_owned(),
            }),
        }
    }
}

impl FailOn {
    #[must_use]
    pub fn counts(self, level: Level) -> bool {
        match self {
            FailOn::Must => level == Level::Must,
            FailOn::Should => matches!(level, Level::Must | Level::Should),
            FailOn::Any => true,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Must => "must",
            FailOn::Should => "should",
            FailOn::Any => "any",
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s {
            "must" => Ok(FailOn::Must),
            "should" => Ok(FailOn::Should),
            "any" => Ok(FailOn::Any),
            other => Err(ParseError {
                expected: "must, should or any",
                given: other.to_owned(),
            }),
        }
    }
}

/// The run's verdict and the exit code that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub fail_on: FailOn,
    /// Whether profile departures gate too.
    #[serde(default, skip_serializing_if = "is_texts")]
    pub profile: Profile,
    /// The coverage asked for (`--min-applicable`, `--require`).
    #[serde(flatten)]
    pub coverage: CoverageRule,
    pub verdict: RunVerdict,
    /// The verdict's exit code (see [`RunVerdict::exit_code`]).
    pub exit_code: u8,
    /// Why, one line each.
    pub reasons: Vec<String>,
}

named_enum! {
    /// The verdict on a whole run.
    pub enum RunVerdict {
        /// No failure at or above the gate's level outside the known ones, and
        /// coverage as asked.
        Conformant = "conformant",
        /// New failures at or above the gate's level, or stale expectations.
        Failed = "failed",
        /// No failure, but too little of the suite applied (or a required
        /// capability is not declared).
        InsufficientCoverage = "insufficient-coverage",
        /// The rig itself failed: no verdict on the implementation.
        RigFailed = "rig-failed",
        /// Interrupted: the cases are those finished before.
        Incomplete = "incomplete",
    }
}

impl RunVerdict {
    /// The exit code that carries the verdict: 0 conformant, 1 failures at or
    /// above `fail_on` or too little coverage, 3 the rig failed, 130 interrupted.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            RunVerdict::Conformant => exit::CONFORMANT,
            RunVerdict::Failed | RunVerdict::InsufficientCoverage => exit::FAILED,
            RunVerdict::RigFailed => exit::RIG,
            RunVerdict::Incomplete => exit::INTERRUPTED,
        }
    }
}

/// What fails a run: the level of the failures that count, the profile, and the
/// coverage asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateRule {
    pub fail_on: FailOn,
    pub profile: Profile,
    pub coverage: CoverageRule,
}

impl From<(FailOn, Profile)> for GateRule {
    fn from((fail_on, profile): (FailOn, Profile)) -> Self {
        GateRule {
            fail_on,
            profile,
            coverage: CoverageRule::default(),
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if hands a reference
fn is_texts(p: &Profile) -> bool {
    *p == Profile::Texts
}

pub(crate) fn gate(rule: GateRule, s: &Summary, run: &RunFacts, shortfalls: Vec<String>) -> Gate {
    let GateRule {
        fail_on,
        profile,
        coverage,
    } = rule;
    let mut reasons = Vec::new();
    if let Some(why) = &run.rig_failure {
        reasons.push(format!("the rig failed: {why}"));
    }
    if let Some(why) = &run.interrupted {
        reasons.push(format!("the run is incomplete: {why}"));
    }
    if s.new_failures > 0 {
        let strict = match profile {
            Profile::Strict => " or departure(s) from the strict profile",
            Profile::Texts => "",
        };
        reasons.push(format!(
            "{} failure(s) at or above {}{strict} not recorded as known",
            s.new_failures,
            fail_on.as_str().to_uppercase()
        ));
    }
    if s.stale_expectations > 0 {
        reasons.push(format!(
            "{} known failure(s) pass now: remove them from the expectations file",
            s.stale_expectations
        ));
    }
    let short = !shortfalls.is_empty();
    reasons.extend(shortfalls);
    let verdict = if run.interrupted.is_some() {
        RunVerdict::Incomplete
    } else if run.rig_failure.is_some() {
        RunVerdict::RigFailed
    } else if s.new_failures > 0 || s.stale_expectations > 0 {
        RunVerdict::Failed
    } else if short {
        RunVerdict::InsufficientCoverage
    } else {
        RunVerdict::Conformant
    };
    if reasons.is_empty() {
        let known = match s.known_failures {
            0 => String::new(),
            n => format!(" outside the {n} known one(s)"),
        };
        reasons.push(format!(
            "no failure at or above {}{known}",
            fail_on.as_str().to_uppercase()
        ));
    }
    Gate {
        fail_on,
        profile,
        coverage,
        verdict,
        exit_code: verdict.exit_code(),
        reasons,
    }
}
