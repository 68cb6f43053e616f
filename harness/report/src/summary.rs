//! What follows from the cases of a run: counts, and each requirement's verdict.

use c169_model::Level;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::{Case, Coverage, GradedAt, Status};

/// Counts of cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Departures from the strict profile (not failures).
    #[serde(default)]
    pub departed: usize,
    pub skipped: usize,
    pub errors: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, s: Status) {
        self.total += 1;
        match s {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::Depart => self.departed += 1,
            Status::Skip => self.skipped += 1,
            Status::Error => self.errors += 1,
        }
    }
}

/// The whole run in numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// How many cases applied, and why the others did not.
    #[serde(default)]
    pub coverage: Coverage,
    pub all: Counts,
    pub vectors: Counts,
    pub scenarios: Counts,
    /// By level: `MUST`, `SHOULD`, `MAY`, `DE-FACTO`; `profile` and `observed`
    /// for cases graded by no text.
    pub by_level: BTreeMap<GradedAt, Counts>,
    /// Failures against a quoted text, at any level (known ones included).
    #[serde(default)]
    pub text_failures: usize,
    /// Departures from the strict profile.
    #[serde(default)]
    pub profile_departures: usize,
    /// Cases where either answer conforms, with the answer the implementation chose.
    #[serde(default)]
    pub implementation_defined: usize,
    pub stage_mismatches: usize,
    /// Failures the expectations file records.
    pub known_failures: usize,
    /// Expectations whose case passes now.
    pub stale_expectations: usize,
    /// Failures at or above the gate's level that the expectations do not record.
    pub new_failures: usize,
}

/// A requirement's verdict over the cases that test it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementVerdict {
    #[serde(flatten)]
    pub requirement: RequirementInfo,
    pub verdict: RequirementStatus,
    pub counts: Counts,
}

named_enum! {
    /// A requirement's verdict over the cases that test it, the first that holds:
    /// `fail` if any case failed or erred (known failures included), `depart` if
    /// any departed from the strict profile, `pass` if any passed, `skip` if all
    /// were skipped, else `untested`.
    pub enum RequirementStatus {
        Pass = "pass",
        Fail = "fail",
        Depart = "depart",
        Skip = "skip",
        /// No case of the run tests it.
        Untested = "untested",
    }
}

/// A requirement as the catalogue states it, for [`Report::finish`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementInfo {
    pub id: String,
    pub level: Level,
    pub statement: String,
}

impl RequirementInfo {
    #[must_use]
    pub fn new(id: &str, level: Level, statement: &str) -> Self {
        RequirementInfo {
            id: id.to_owned(),
            level,
            statement: statement.to_owned(),
        }
    }
}

pub(crate) fn requirement_verdicts(
    catalogue: &[RequirementInfo],
    cases: &[Case],
) -> Vec<RequirementVerdict> {
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    for c in cases {
        for r in &c.requirements {
            counts.entry(r.as_str()).or_default().add(c.status);
        }
    }
    catalogue
        .iter()
        .map(|info| {
            let counts = counts.get(info.id.as_str()).copied().unwrap_or_default();
            let verdict = if counts.failed + counts.errors > 0 {
                RequirementStatus::Fail
            } else if counts.departed > 0 {
                RequirementStatus::Depart
            } else if counts.passed > 0 {
                RequirementStatus::Pass
            } else if counts.skipped > 0 {
                RequirementStatus::Skip
            } else {
                RequirementStatus::Untested
            };
            RequirementVerdict {
                requirement: info.clone(),
                verdict,
                counts,
            }
        })
        .collect()
}
