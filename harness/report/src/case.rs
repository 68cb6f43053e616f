//! One case of a run: a vector or a scenario, what it expected, what the
//! implementation answered, and how it was judged.

use c169_model::{BasisKind, Level, Stage};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::gate::FailOn;

/// The status of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Departs from the suite's strict profile: no text is broken, so this is not a
    /// conformance failure; it gates only under `--profile strict`.
    Depart,
    /// Not run, with the reason; never counted as passed.
    Skip,
    /// The rig got no usable answer (crash, timeout, protocol error).
    Error,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Depart => "depart",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }

    /// A failure of the implementation: failed, or no usable answer.
    #[must_use]
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// What a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    /// A golden vector: a decode or encode request and its judgement.
    Vector,
    /// A Gherkin scenario of `features/`.
    Scenario,
}

/// What the case expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    /// `valid`, `invalid` or `acceptable` for vectors; `pass` for scenarios.
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The expected decoded content, canonical JSON (on a mismatch only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Json>,
}

/// What the implementation answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// `accept` or `reject` for decodes; `encoded` for encodes.
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Who decided a rejection, when an adapter says glue code did (a step the
    /// library under test lacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<c169_model::DecidedBy>,
    /// SHA-256 of the canonical JSON of the whole answer: two runs that answered
    /// the same have the same digest, content included.
    pub digest: String,
    /// The whole answer, canonical JSON (on a mismatch only, to keep reports small).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Json>,
}

/// The QR symbol an encoded credential needs: the smallest version that holds the
/// encoder's output at the error-correction level it is printed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symbol {
    /// `L`, `M`, `Q` or `H`.
    pub level: String,
    /// 1–40; `None` when not even version 40 holds the text.
    pub version: Option<u8>,
    /// `alphanumeric`, or `byte` for a text outside the 45-character set.
    pub mode: String,
    /// Characters of the text.
    pub chars: usize,
}

impl Symbol {
    /// `version 12-M (alphanumeric, 1 234 characters)`, or `over version 40 at M …`.
    #[must_use]
    pub fn line(&self) -> String {
        match self.version {
            Some(v) => format!(
                "version {v}-{} ({}, {} characters)",
                self.level, self.mode, self.chars
            ),
            None => format!(
                "over version 40 at level {} ({}, {} characters)",
                self.level, self.mode, self.chars
            ),
        }
    }
}

/// One step of a scenario, for BDD tooling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub keyword: String,
    pub text: String,
    pub line: u32,
    /// `passed`, `failed` or `skipped`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: f64,
}

/// A known failure from the expectations file, as it applied to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// `known`: it still fails as recorded. `stale`: it passes now; the entry must go.
    pub state: KnownState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KnownState {
    Known,
    Stale,
}

/// One vector or scenario, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub kind: CaseKind,
    /// The vector id, or `scenario-…` for a scenario (stable across runs).
    pub id: String,
    /// The group a report lists it under: the vector's folder, the feature's file stem.
    pub area: String,
    /// The vector's description or the scenario's name.
    pub name: String,
    /// The file it comes from, relative to the project root.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What the case was graded by: a quoted text (at `level`), the strict
    /// profile, or observed behaviour (never graded).
    #[serde(default)]
    pub basis: BasisKind,
    /// The level of the text the case was graded by; absent for profile and
    /// observed cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The requirement the case tests first, then those it touches.
    pub requirements: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub expected: Expected,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    pub status: Status,
    /// Why, in a sentence a person can act on.
    pub reason: String,
    /// Rejected as required, but at another stage than expected.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stage_mismatch: bool,
    /// For a failure: the first pipeline stage where observed and expected differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverges_at: Option<String>,
    /// What an encoder produced (encoder vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The QR symbol the encoded credential needs (encoder vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<Symbol>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// The adapter's stderr around a failed case (its last 64 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<Known>,
    pub duration_ms: f64,
}

impl Case {
    /// The order of cases in every report: vectors by file, then scenarios by file and line.
    #[must_use]
    pub fn sort_key(&self) -> (CaseKind, &str, u32, &str) {
        (self.kind, &self.file, self.line.unwrap_or(0), &self.id)
    }

    /// The level it was graded at, or `profile` / `observed` when no text grades it.
    #[must_use]
    pub fn grade_name(&self) -> &'static str {
        self.level.map_or(self.basis.as_str(), level_name)
    }

    /// Whether the case counts against the gate: a failure not recorded as known.
    #[must_use]
    pub fn is_new_failure(&self) -> bool {
        self.status.is_failure() && self.known.is_none()
    }

    /// Whether the case fails a run gated at `fail_on`, under the strict profile or
    /// not: an error always (the rig got no usable answer: a crash is never
    /// conformant); a failure against a text at or above the gate's level; a
    /// profile departure only under the strict profile. Known failures do not.
    #[must_use]
    pub fn gates(&self, fail_on: FailOn, strict: bool) -> bool {
        if self.known.is_some() {
            return false;
        }
        match self.status {
            Status::Error => true,
            Status::Fail => self.level.is_none_or(|l| fail_on.counts(l)),
            Status::Depart => strict,
            Status::Pass | Status::Skip => false,
        }
    }

    /// Where either answer conforms and the implementation chose one: a passed
    /// case of an `acceptable` vector or of observed behaviour.
    #[must_use]
    pub fn is_implementation_defined(&self) -> bool {
        matches!(self.status, Status::Pass | Status::Depart)
            && (self.expected.verdict == "acceptable" || self.basis == BasisKind::Observed)
    }
}

/// The pipeline stages in order, for [`first_divergence`].
const PIPELINE: [Stage; 8] = [
    Stage::Base45,
    Stage::Zlib,
    Stage::Cose,
    Stage::Decrypt,
    Stage::Signature,
    Stage::Cwt,
    Stage::Time,
    Stage::Claim169,
];

/// The first stage of the pipeline where an observed decode departs from the
/// expected one: the earlier of the two rejection stages (an answer that goes on
/// past the stage that should reject departs there); when both agree on verdict
/// and stage, the content (`claim169`). `None` when there is nothing to compare.
#[must_use]
pub fn first_divergence(expected: &Expected, observed: &Observed) -> Option<String> {
    let rank = |s: Stage| {
        PIPELINE
            .iter()
            .position(|p| *p == s)
            .unwrap_or(PIPELINE.len())
    };
    let stage = match (expected.stage, observed.stage) {
        (Some(e), Some(o)) if e != o => Some(if rank(e) <= rank(o) { e } else { o }),
        (Some(e), None) => Some(e),
        (None, Some(o)) => Some(o),
        _ => None,
    };
    match stage {
        Some(s) => Some(s.as_str().to_owned()),
        None if observed.verdict == "accept" || observed.verdict == "encoded" => {
            Some("content".to_owned())
        }
        None => None,
    }
}

/// The levels, strongest first: the order reports list them in.
pub const LEVELS: [Level; 4] = [Level::Must, Level::Should, Level::May, Level::DeFacto];

#[must_use]
pub fn level_name(l: Level) -> &'static str {
    match l {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::May => "MAY",
        Level::DeFacto => "DE-FACTO",
    }
}

/// SHA-256 of `value`'s JSON text with every object's members in key order,
/// lowercase hex. Member order does not count, as in the suite's comparisons: an
/// implementation that hands back unknown keys from a hash map gets the same
/// digest every run.
#[must_use]
pub fn digest_json(value: &Json) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(sorted(value).to_string().as_bytes()))
}

fn sorted(value: &Json) -> Json {
    match value {
        Json::Object(m) => {
            let mut entries: Vec<(&String, &Json)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Json::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Json::Array(a) => Json::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
