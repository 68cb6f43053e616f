//! The record of a whole run: the suite, the implementation, the run's facts,
//! the gate, the summary, the requirements and the cases; how it is finished from
//! the cases, compared, redacted and read back.

use c169_model::{BasisKind, Level};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::gate::gate;
use crate::summary::requirement_verdicts;
use crate::{
    level_name, Case, CaseKind, Coverage, Gate, GateRule, KnownState, Profile, RequirementInfo,
    RequirementVerdict, RunVerdict, Status, Summary, FORMAT,
};

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

/// The implementation under test, as the report records it (the record's
/// `implementation`): the label it runs under and what it declared. Named apart
/// from `c169_adapter::Implementation`, the trait the suite runs cases through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImplementationInfo {
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
    pub implementation: ImplementationInfo,
    pub run: RunFacts,
    pub gate: Gate,
    pub summary: Summary,
    pub requirements: Vec<RequirementVerdict>,
    pub cases: Vec<Case>,
}

impl Report {
    /// A report of `cases`, with everything that follows from them computed:
    /// the order, the summary, per-requirement verdicts and the gate.
    #[must_use]
    pub fn finish(
        suite: Suite,
        implementation: ImplementationInfo,
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
            // The rule only: `recompute`, below, judges the cases.
            gate: Gate {
                fail_on,
                profile,
                coverage,
                verdict: RunVerdict::Incomplete,
                exit_code: RunVerdict::Incomplete.exit_code(),
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
            s.by_level.entry(c.graded_at()).or_default().add(c.status);
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
    /// "conformant; tested on 110 of 1,180 cases applicable (9%); 1,070 not applicable: …"
    /// (not "failed on 1,009 of …", which read as a count of failures).
    #[must_use]
    pub fn headline(&self) -> String {
        let c = &self.summary.coverage;
        if c.total == 0 {
            return format!("{}: no case ran", self.gate.verdict);
        }
        format!("{}; tested on {}", self.gate.verdict, c.line())
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
    pub fn load(path: &Path) -> Result<Report, LoadError> {
        let text = c169_model::bounded::read_to_string(path, c169_model::bounded::REPORT_FILE)?;
        // Decoded content may nest deeper than serde_json reads by default.
        let value: Json =
            c169_model::deep::from_slice(text.as_bytes()).map_err(|source| LoadError::NotJson {
                path: path.to_owned(),
                source,
            })?;
        match value.get("format").and_then(Json::as_str) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(LoadError::OtherFormat {
                    path: path.to_owned(),
                    found: other.to_owned(),
                })
            }
            None => {
                return Err(LoadError::NoFormat {
                    path: path.to_owned(),
                })
            }
        }
        let mut de = serde_json::Deserializer::from_str(&text);
        de.disable_recursion_limit();
        serde_path_to_error::deserialize(serde_stacker::Deserializer::new(&mut de)).map_err(|e| {
            LoadError::Field {
                path: path.to_owned(),
                field: e.path().to_string(),
                source: e.into_inner(),
            }
        })
    }
}

/// Why a report file was not read: the file, and what is wrong in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Missing, unreadable, not a regular file, too large or not UTF-8.
    #[error(transparent)]
    Read(#[from] c169_model::bounded::ReadError),
    #[error("{path}: not JSON")]
    NotJson {
        path: PathBuf,
        #[source]
        source: c169_model::deep::DeepError,
    },
    /// The record of another version of c169, or another file.
    #[error("{path}: field `format` is {found:?}; this c169 reads {FORMAT:?}")]
    OtherFormat { path: PathBuf, found: String },
    #[error("{path}: field `format` is missing; expected {FORMAT:?} (a c169 results.json)")]
    NoFormat { path: PathBuf },
    /// A field holds what the record does not: another type, a name it does not know.
    #[error("{path}: field `{field}`")]
    Field {
        path: PathBuf,
        field: String,
        #[source]
        source: serde_json::Error,
    },
}

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
