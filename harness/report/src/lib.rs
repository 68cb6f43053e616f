//! c169's conformance reports.
//!
//! A run is one stream of [`Event`]s: the run's facts, then one [`Case`] per vector
//! or scenario as it finishes. A [`Collector`] keeps them; [`Report::finish`] adds
//! what follows from the cases (summary, per-requirement verdicts, the gate), and
//! each format in [`formats`] is one writer over the finished record:
//! JSON (the full record, with its own schema), JUnit XML, Cucumber JSON,
//! Markdown and a self-contained HTML page.
//!
//! Beside the formats: [`expectations`] (known failures of an implementation),
//! [`diff`] (what changed between two runs), [`shard`] (a stable split of a run
//! and the merge of its parts).

pub mod coverage;
pub mod diff;
pub mod expectations;
pub mod findings;
pub mod formats;
pub mod matrix;
pub mod publish;
pub mod shard;

pub use coverage::{Coverage, CoverageRule};

use c169_model::{BasisKind, Level, Stage};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

/// The format tag of a report file; bumped on any incompatible change.
pub const FORMAT: &str = "c169-report/1";

/// The JSON Schema of a report file.
pub const SCHEMA: &str = include_str!("../report.schema.json");

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
    fn add(&mut self, s: Status) {
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
    pub by_level: BTreeMap<String, Counts>,
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
    /// `fail` if any case failed (known failures included), else `pass` if any
    /// passed, else `skip` if all were skipped, else `untested`.
    pub verdict: String,
    pub counts: Counts,
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

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "texts" => Ok(Profile::Texts),
            "strict" => Ok(Profile::Strict),
            other => Err(format!("expected texts or strict, not {other:?}")),
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
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "must" => Ok(FailOn::Must),
            "should" => Ok(FailOn::Should),
            "any" => Ok(FailOn::Any),
            other => Err(format!("expected must, should or any, not {other:?}")),
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
    /// `conformant`, `failed`, `insufficient-coverage`, `rig-failed` or `incomplete`.
    pub verdict: String,
    /// 0 conformant, 1 failures at or above `fail_on` or too little coverage, 3 the
    /// rig failed, 130 interrupted.
    pub exit_code: u8,
    /// Why, one line each.
    pub reasons: Vec<String>,
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

/// The exit codes of `c169 run`.
/// The exit codes of every `c169` command: the one list.
pub mod exit {
    /// Conformant (`run`), accepted (`decode`), done.
    pub const CONFORMANT: u8 = 0;
    /// The same code where no verdict is given: the command did what was asked.
    pub const OK: u8 = CONFORMANT;
    /// Failures at or above the gate, or too little coverage (`run`); rejected
    /// (`decode`); a check that found a difference.
    pub const FAILED: u8 = 1;
    /// A usage or configuration error: a bad flag, an unreadable or malformed
    /// input file, a run that selected no case.
    pub const USAGE: u8 = 2;
    /// The rig itself failed: an adapter broke, the report could not be written.
    pub const RIG: u8 = 3;
    /// Interrupted (Ctrl-C or SIGTERM); the report is partial.
    pub const INTERRUPTED: u8 = 130;
}

/// The suite that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suite {
    pub name: String,
    pub version: String,
    /// SHA-256 over the vector files (path and content, in path order).
    pub vectors_digest: String,
    /// SHA-256 over the feature files and the requirement catalogue.
    pub features_digest: String,
}

/// The implementation under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Implementation {
    pub label: String,
    /// Its `describe` answer, as it gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub describe: Option<Json>,
}

/// Part `index` of `count` of a sharded run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardId {
    pub index: u32,
    pub count: u32,
}

/// How and where the run happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFacts {
    /// Start, RFC 3339 UTC.
    pub started: String,
    pub duration_ms: f64,
    pub host: String,
    /// The options that shape results: timeout, transport, tags, features on or off.
    pub options: BTreeMap<String, Json>,
    /// The shards merged into this report, or the one it is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardId>,
    /// False when the run was interrupted: the cases are those finished before.
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The expectations file, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<String>,
    /// A reason the rig itself failed (the implementation could not be described,
    /// the adapter broke), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rig_failure: Option<String>,
}

/// A whole run. See the crate documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: String,
    pub suite: Suite,
    pub implementation: Implementation,
    pub run: RunFacts,
    pub gate: Gate,
    pub summary: Summary,
    pub requirements: Vec<RequirementVerdict>,
    pub cases: Vec<Case>,
}

/// One event of a run's stream.
#[derive(Debug)]
pub enum Event<'a> {
    /// A phase begins with this many cases (`vectors`, `scenarios`).
    Phase { name: &'a str, cases: usize },
    /// A case finished.
    Case(&'a Case),
}

/// Something that follows a run as it goes: a progress display, a collector.
pub trait Sink {
    fn event(&mut self, event: &Event<'_>);

    /// A function to call, from any thread, each time a case of the current phase
    /// finishes before its [`Event::Case`] can be sent (the scenarios run inside
    /// cucumber and are reported when it ends). `None` when not wanted.
    fn ticker(&self) -> Option<Ticker> {
        None
    }
}

/// See [`Sink::ticker`].
pub type Ticker = std::sync::Arc<dyn Fn() + Send + Sync>;

/// Keeps every case of the stream.
#[derive(Debug, Default)]
pub struct Collector {
    pub cases: Vec<Case>,
}

impl Sink for Collector {
    fn event(&mut self, event: &Event<'_>) {
        if let Event::Case(c) = event {
            self.cases.push((*c).clone());
        }
    }
}

impl Report {
    /// A report of `cases`, with everything that follows from them computed:
    /// the order, the summary, per-requirement verdicts and the gate.
    #[must_use]
    pub fn finish(
        suite: Suite,
        implementation: Implementation,
        run: RunFacts,
        rule: impl Into<GateRule>,
        catalogue: &[RequirementInfo],
        mut cases: Vec<Case>,
    ) -> Report {
        let GateRule {
            fail_on,
            profile,
            coverage,
        } = rule.into();
        for c in &mut cases {
            // A skip must say why, or it would pass for "not applicable" silently.
            if c.status == Status::Skip && c.reason.trim().is_empty() {
                c.status = Status::Error;
                "not run: skipped without a reason, a fault of the rig; reported as an error so that it cannot pass unseen".clone_into(&mut c.reason);
            }
        }
        cases.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut report = Report {
            format: FORMAT.to_owned(),
            suite,
            implementation,
            run,
            gate: Gate {
                fail_on,
                profile,
                coverage,
                verdict: String::new(),
                exit_code: 0,
                reasons: Vec::new(),
            },
            summary: Summary::default(),
            requirements: Vec::new(),
            cases,
        };
        report.recompute(catalogue);
        report
    }

    /// What a reader acts on, in the order they act: failures against a quoted
    /// text (by level), departures from the strict profile, and the
    /// implementation-defined choices the implementation made.
    #[must_use]
    pub fn standing(&self) -> [String; 3] {
        let mut by_level: BTreeMap<Level, usize> = BTreeMap::new();
        for c in &self.cases {
            if c.status == Status::Fail && c.basis == BasisKind::Text {
                *by_level.entry(c.level.unwrap_or(Level::Must)).or_default() += 1;
            }
        }
        let levels: Vec<String> = by_level
            .iter()
            .map(|(l, n)| format!("{n} {}", level_name(*l)))
            .collect();
        let errors = self.summary.all.errors;
        [
            format!(
                "Conformance failures (against a quoted text): {}{}{}",
                self.summary.text_failures,
                if levels.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", levels.join(", "))
                },
                if errors > 0 {
                    format!(
                        "; {errors} case(s) with no usable answer (crash, timeout, protocol error)"
                    )
                } else {
                    String::new()
                }
            ),
            format!(
                "Departures from the strict profile (not failures{}): {}",
                if self.gate.profile == Profile::Strict {
                    ", but gated: --profile strict"
                } else {
                    "; --profile strict gates them"
                },
                self.summary.profile_departures
            ),
            format!(
                "Implementation-defined choices (either answer conforms): {}",
                self.summary.implementation_defined
            ),
        ]
    }

    /// Recomputes summary, requirement verdicts and gate from the cases.
    pub fn recompute(&mut self, catalogue: &[RequirementInfo]) {
        let fail_on = self.gate.fail_on;
        let strict = self.gate.profile == Profile::Strict;
        let mut s = Summary {
            coverage: Coverage::of(&self.cases),
            ..Summary::default()
        };
        for c in &self.cases {
            s.all.add(c.status);
            match c.kind {
                CaseKind::Vector => s.vectors.add(c.status),
                CaseKind::Scenario => s.scenarios.add(c.status),
            }
            s.by_level
                .entry(c.grade_name().to_owned())
                .or_default()
                .add(c.status);
            s.text_failures += usize::from(c.status == Status::Fail && c.basis == BasisKind::Text);
            s.profile_departures += usize::from(c.status == Status::Depart);
            s.implementation_defined += usize::from(c.is_implementation_defined());
            s.stage_mismatches += usize::from(c.stage_mismatch);
            match c.known.as_ref().map(|k| k.state) {
                Some(KnownState::Known) => s.known_failures += 1,
                Some(KnownState::Stale) => s.stale_expectations += 1,
                None => {}
            }
            if c.gates(fail_on, strict) {
                s.new_failures += 1;
            }
        }
        self.summary = s;
        self.requirements = requirement_verdicts(catalogue, &self.cases);
        let shortfalls = self.coverage_shortfalls();
        let rule = GateRule {
            fail_on,
            profile: self.gate.profile,
            coverage: self.gate.coverage.clone(),
        };
        self.gate = gate(rule, &self.summary, &self.run, shortfalls);
    }

    /// Where the run's coverage falls short of the gate's rule, one line each.
    #[must_use]
    pub fn coverage_shortfalls(&self) -> Vec<String> {
        self.gate
            .coverage
            .shortfalls(&self.summary.coverage, self.declared().as_ref())
    }

    /// The capabilities the implementation declared in its `describe` answer
    /// (`verify`, `decrypt`, `encode`, algorithm names …); `None` without one.
    #[must_use]
    pub fn declared(&self) -> Option<std::collections::BTreeSet<String>> {
        let describe = self.implementation.describe.as_ref()?;
        serde_json::from_value::<c169_model::protocol::Description>(describe.clone())
            .ok()
            .map(|d| d.capability_names())
    }

    /// The verdict with its coverage, the first line of every format:
    /// "conformant on 110 of 1,180 cases applicable (9%); 1,070 not applicable: …".
    #[must_use]
    pub fn headline(&self) -> String {
        let c = &self.summary.coverage;
        if c.total == 0 {
            return format!("{}: no case ran", self.gate.verdict);
        }
        format!("{} on {}", self.gate.verdict, c.line())
    }

    /// A copy with every fact that changes from run to run without the
    /// implementation changing replaced by a fixed value: start time, durations,
    /// host, and the QR symbol of encoded credentials (an output's length, hence
    /// its symbol, moves with random signatures and IVs; a change that matters
    /// shows in the case's status, since `fits-qr-v40` judges it). Two runs of the
    /// same implementation on the same inputs give equal redacted reports.
    #[must_use]
    pub fn redacted(&self) -> Report {
        let mut r = self.clone();
        "[started]".clone_into(&mut r.run.started);
        "[host]".clone_into(&mut r.run.host);
        r.run.duration_ms = 0.0;
        for c in &mut r.cases {
            c.duration_ms = 0.0;
            c.symbol = None;
            for s in &mut c.steps {
                s.duration_ms = 0.0;
            }
        }
        r
    }

    /// Where two reports differ once redacted (see [`Report::redacted`]): the
    /// top-level fields and the cases (by id) that are not equal.
    #[must_use]
    pub fn differences(&self, other: &Report) -> Vec<String> {
        let a = serde_json::to_value(self.redacted()).unwrap_or(Json::Null);
        let b = serde_json::to_value(other.redacted()).unwrap_or(Json::Null);
        let mut out = Vec::new();
        if let (Json::Object(a), Json::Object(b)) = (&a, &b) {
            for (k, v) in a {
                if k != "cases" && b.get(k) != Some(v) {
                    out.push(format!("field `{k}` differs"));
                }
            }
        }
        let theirs: BTreeMap<&str, &Case> =
            other.cases.iter().map(|c| (c.id.as_str(), c)).collect();
        for c in &self.redacted().cases {
            match theirs.get(c.id.as_str()) {
                None => out.push(format!("case {} is only in the first", c.id)),
                Some(t) if !cases_equal(c, t) => out.push(format!("case {} differs", c.id)),
                Some(_) => {}
            }
        }
        let mine: std::collections::BTreeSet<&str> =
            self.cases.iter().map(|c| c.id.as_str()).collect();
        for c in &other.cases {
            if !mine.contains(c.id.as_str()) {
                out.push(format!("case {} is only in the second", c.id));
            }
        }
        out
    }

    /// Reads a report file, naming the file and what is wrong in it.
    pub fn load(path: &Path) -> Result<Report, String> {
        let text = c169_model::bounded::read_to_string(path, c169_model::bounded::REPORT_FILE)
            .map_err(|e| e.to_string())?;
        // Decoded content may nest deeper than serde_json reads by default.
        let value: Json = c169_model::deep::from_slice(text.as_bytes())
            .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
        match value.get("format").and_then(Json::as_str) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(format!(
                    "{}: field `format` is {other:?}; this c169 reads {FORMAT:?}",
                    path.display()
                ))
            }
            None => {
                return Err(format!(
                    "{}: field `format` is missing; expected {FORMAT:?} (a c169 results.json)",
                    path.display()
                ))
            }
        }
        let mut de = serde_json::Deserializer::from_str(&text);
        de.disable_recursion_limit();
        serde_path_to_error::deserialize(serde_stacker::Deserializer::new(&mut de))
            .map_err(|e| format!("{}: field `{}`: {}", path.display(), e.path(), e.inner()))
    }
}

/// The levels, strongest first: the order reports list them in.
pub const LEVELS: [Level; 4] = [Level::Must, Level::Should, Level::May, Level::DeFacto];

/// Whether two cases are equal but for their durations and symbols (see
/// [`Report::redacted`]).
fn cases_equal(a: &Case, b: &Case) -> bool {
    let strip = |c: &Case| {
        let mut c = c.clone();
        c.duration_ms = 0.0;
        c.symbol = None;
        for s in &mut c.steps {
            s.duration_ms = 0.0;
        }
        c
    };
    strip(a) == strip(b)
}

#[must_use]
pub fn level_name(l: Level) -> &'static str {
    match l {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::May => "MAY",
        Level::DeFacto => "DE-FACTO",
    }
}

fn requirement_verdicts(catalogue: &[RequirementInfo], cases: &[Case]) -> Vec<RequirementVerdict> {
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
                "fail"
            } else if counts.departed > 0 {
                "depart"
            } else if counts.passed > 0 {
                "pass"
            } else if counts.skipped > 0 {
                "skip"
            } else {
                "untested"
            };
            RequirementVerdict {
                requirement: info.clone(),
                verdict: verdict.to_owned(),
                counts,
            }
        })
        .collect()
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if hands a reference
fn is_texts(p: &Profile) -> bool {
    *p == Profile::Texts
}

fn gate(rule: GateRule, s: &Summary, run: &RunFacts, shortfalls: Vec<String>) -> Gate {
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
    let (verdict, exit_code) = if run.interrupted.is_some() {
        ("incomplete", exit::INTERRUPTED)
    } else if run.rig_failure.is_some() {
        ("rig-failed", exit::RIG)
    } else if s.new_failures > 0 || s.stale_expectations > 0 {
        ("failed", exit::FAILED)
    } else if short {
        ("insufficient-coverage", exit::FAILED)
    } else {
        ("conformant", exit::CONFORMANT)
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
        verdict: verdict.to_owned(),
        exit_code,
        reasons,
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

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename,
/// so a reader never sees half a report. A temporary file of the same name whose
/// process is gone (killed mid-write) is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // What a killed writer of the same file left goes first.
    publish::sweep_left(dir, &format!(".{name}."), &[".tmp"]);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
