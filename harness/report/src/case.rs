//! One case of a run: a vector or a scenario, what it expected, what the
//! implementation answered, and how it was judged.

use c169_model::{BasisKind, EcLevel, Level, QrMode, Stage, Verdict, VerdictClass};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::fmt;

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

named_enum! {
    /// What a case expected: a vector's verdict class, or a scenario's pass.
    pub enum ExpectedVerdict {
        /// Accept, with exactly the expected content.
        Valid = "valid",
        /// Reject, preferably at the expected stage.
        Invalid = "invalid",
        /// Either answer conforms.
        Acceptable = "acceptable",
        /// Every step of the scenario passes.
        Pass = "pass",
    }
}

impl From<VerdictClass> for ExpectedVerdict {
    fn from(class: VerdictClass) -> Self {
        match class {
            VerdictClass::Valid => ExpectedVerdict::Valid,
            VerdictClass::Invalid => ExpectedVerdict::Invalid,
            VerdictClass::Acceptable => ExpectedVerdict::Acceptable,
        }
    }
}

named_enum! {
    /// What an implementation answered to a vector.
    pub enum ObservedVerdict {
        /// A decode accepted the credential.
        Accept = "accept",
        /// A decode rejected it.
        Reject = "reject",
        /// An encode produced a credential.
        Encoded = "encoded",
    }
}

impl From<Verdict> for ObservedVerdict {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Accept => ObservedVerdict::Accept,
            Verdict::Reject => ObservedVerdict::Reject,
        }
    }
}

/// What the case expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    pub verdict: ExpectedVerdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The expected decoded content, canonical JSON (on a mismatch only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Json>,
}

/// What the implementation answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    pub verdict: ObservedVerdict,
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
pub struct SymbolFacts {
    pub level: EcLevel,
    /// 1–40; `None` when not even version 40 holds the text.
    pub version: Option<u8>,
    /// `alphanumeric`, or `byte` for a text outside the 45-character set.
    pub mode: QrMode,
    /// Characters of the text.
    pub chars: usize,
}

impl SymbolFacts {
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

named_enum! {
    /// How a step of a scenario ended, in the words of BDD tooling.
    pub enum StepStatus {
        Passed = "passed",
        Failed = "failed",
        /// Not reached, or no step definition matched.
        Skipped = "skipped",
    }
}

/// One step of a scenario, for BDD tooling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub keyword: String,
    pub text: String,
    pub line: u32,
    pub status: StepStatus,
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
    pub diverges_at: Option<Divergence>,
    /// The QR text a scenario gave the implementation to decode (a vector's is in its file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The vector's notes (what the case is about, where a reader needs more than
    /// its name), beside a failure or a departure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What an encoder produced (encoder vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The QR symbol the encoded credential needs (encoder vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<SymbolFacts>,
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
    /// The reason, followed by the vector's notes where the record carries them
    /// (beside a failure or departure): what every format prints for one.
    #[must_use]
    pub fn reason_with_notes(&self) -> String {
        if self.notes.is_empty() {
            self.reason.clone()
        } else {
            format!("{} (vector notes: {})", self.reason, self.notes.join(" "))
        }
    }

    /// The order of cases in every report: vectors by file, then scenarios by file and line.
    #[must_use]
    pub fn sort_key(&self) -> (CaseKind, &str, u32, &str) {
        (self.kind, &self.file, self.line.unwrap_or(0), &self.id)
    }

    /// The level it was graded at, or `profile` / `observed` when no text grades it.
    #[must_use]
    pub fn graded_at(&self) -> GradedAt {
        self.level
            .map_or(GradedAt::Basis(self.basis), GradedAt::Level)
    }

    /// [`Case::graded_at`] as the reports write it: `MUST` … or `profile`, `observed`.
    #[must_use]
    pub fn grade_name(&self) -> &'static str {
        self.graded_at().as_str()
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
            && (self.expected.verdict == ExpectedVerdict::Acceptable
                || self.basis == BasisKind::Observed)
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
/// and stage, the content. `None` when there is nothing to compare.
#[must_use]
pub fn first_divergence(expected: &Expected, observed: &Observed) -> Option<Divergence> {
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
        Some(s) => Some(Divergence::Stage(s)),
        None if matches!(
            observed.verdict,
            ObservedVerdict::Accept | ObservedVerdict::Encoded
        ) =>
        {
            Some(Divergence::Content)
        }
        None => None,
    }
}

/// Where a failed case's answer first departs from the expected one: a pipeline
/// stage, or, past every stage, the content. Written as the stage's name or
/// `content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Divergence {
    Stage(Stage),
    /// Both answers agree on verdict and stage; what was decoded (or encoded) differs.
    Content,
}

impl Divergence {
    /// The name the record writes: the stage's (`cose` …), or `content`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Divergence::Stage(s) => s.as_str(),
            Divergence::Content => "content",
        }
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Divergence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Divergence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Stage::ALL
            .into_iter()
            .map(Divergence::Stage)
            .chain([Divergence::Content])
            .find(|v| v.as_str() == name)
            .ok_or_else(|| {
                serde::de::Error::invalid_value(
                    serde::de::Unexpected::Str(&name),
                    &"a pipeline stage (base45, zlib, cose …) or content",
                )
            })
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

/// What a case was graded at: the level of the text that grades it, or, when no
/// text does, its basis (the strict profile, observed behaviour). Written as
/// `MUST`, `SHOULD`, `MAY`, `DE-FACTO`, `profile` or `observed`; the summary
/// counts cases by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GradedAt {
    Level(Level),
    /// A case no level grades: `profile` or `observed` (`text` only for a text
    /// case without a level, which the suite does not make).
    Basis(BasisKind),
}

impl GradedAt {
    /// The rows of a table by grade, in the order reports list them: the levels,
    /// strongest first, then the profile and observed behaviour.
    pub const ROWS: [GradedAt; 6] = [
        GradedAt::Level(Level::Must),
        GradedAt::Level(Level::Should),
        GradedAt::Level(Level::May),
        GradedAt::Level(Level::DeFacto),
        GradedAt::Basis(BasisKind::Profile),
        GradedAt::Basis(BasisKind::Observed),
    ];

    /// The name the record writes.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            GradedAt::Level(l) => level_name(l),
            GradedAt::Basis(b) => b.as_str(),
        }
    }
}

impl fmt::Display for GradedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// By name, the order the summary's `by_level` object has always listed them in.
impl Ord for GradedAt {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for GradedAt {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for GradedAt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GradedAt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        GradedAt::ROWS
            .into_iter()
            .chain([GradedAt::Basis(BasisKind::Text)])
            .find(|g| g.as_str() == name)
            .ok_or_else(|| {
                serde::de::Error::invalid_value(
                    serde::de::Unexpected::Str(&name),
                    &"a level (MUST, SHOULD, MAY, DE-FACTO) or profile, observed",
                )
            })
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
