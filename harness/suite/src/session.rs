//! One whole run — the vectors, then the scenarios — streamed as report events
//! and finished into a [`Report`].

use crate::run::{run_side_by_side, CaseResult, Run};
use crate::steps::{run_features_with, Controls, ScenarioRecord, ScenarioStatus, Shared};
use c169_adapter::Implementation;
use c169_corpus::catalogue::Catalogue;
use c169_corpus::corpus::Corpus;
use c169_corpus::features::TagFilter;
use c169_model::{Level, Vector};
use c169_report::expectations::Expectations;
use c169_report::{
    digest_json, first_divergence, Case, CaseKind, Event, Expected, ExpectedVerdict, GateRule,
    ImplementationInfo, Observed, ObservedVerdict, Report, RequirementInfo, RunFacts, ShardId,
    Sink, Status, Suite,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Everything a run needs besides the runtime.
pub struct Session<'a> {
    /// The vector corpus root (`vectors/`); the features are beside it.
    pub root: &'a Path,
    pub corpus: &'a Corpus,
    pub catalogue: &'a Catalogue,
    pub imp: Arc<dyn Implementation>,
    /// More copies of `imp` to run side by side (`--jobs`): empty, one case at a
    /// time. The report is the same either way.
    pub copies: Vec<Arc<dyn Implementation>>,
    /// How the report names the implementation.
    pub label: String,
    pub filter: Option<TagFilter>,
    /// Only these cases (vector or scenario ids), when not empty.
    pub only: Vec<String>,
    /// Run the scenarios of `features/` too.
    pub features: bool,
    pub shard: Option<ShardId>,
    /// What fails the run: the level, the profile, the coverage asked for.
    pub gate: GateRule,
    /// The expectations file: its name as given, and its content.
    pub expectations: Option<(String, Expectations)>,
    /// Options that shape the results, recorded in the report.
    pub options: BTreeMap<String, Json>,
    /// Set by a Ctrl-C handler: the run stops and its report is marked incomplete.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("root", &self.root)
            .field("label", &self.label)
            .field("filter", &self.filter.is_some())
            .field("only", &self.only)
            .field("features", &self.features)
            .field("shard", &self.shard)
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

/// Why a session could not finish (a case that fails is not this: it is in the
/// report).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Generator(#[from] c169_corpus::generate::GenerateError),
    #[error(transparent)]
    Features(#[from] crate::steps::FeaturesRunError),
    #[error("the features are broken: {0} parsing errors or undefined or ambiguous steps (run `cargo test -p c169-suite --test features`)")]
    BrokenFeatures(usize),
}

/// What a session gives back besides its report.
#[derive(Debug)]
pub struct Finished {
    pub report: Report,
    /// Expectations that named no case of this run.
    pub unmatched_expectations: Vec<String>,
    /// Copies (`--jobs`) that ran no case, and why: their describe failed or
    /// differed from the first copy's. Their share ran on the others.
    pub copies_left_out: Vec<String>,
}

impl<'a> Session<'a> {
    /// Every vector and every scenario, failing on MUST, no expectations, no
    /// shard: the run `c169 matrix` and the full-run benchmark make.
    #[must_use]
    pub fn whole(
        root: &'a Path,
        corpus: &'a Corpus,
        catalogue: &'a Catalogue,
        imp: Arc<dyn Implementation>,
        label: String,
    ) -> Self {
        Session {
            root,
            corpus,
            catalogue,
            imp,
            copies: Vec::new(),
            label,
            filter: None,
            only: Vec::new(),
            features: true,
            shard: None,
            gate: GateRule::default(),
            expectations: None,
            options: BTreeMap::new(),
            interrupt: None,
        }
    }

    fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    }

    /// The vectors, on every copy side by side, each case sent to `sink` as it
    /// finishes; the cases in corpus order.
    fn vectors(&self, rt: &tokio::runtime::Runtime, sink: &mut dyn Sink) -> (Run, Vec<Case>) {
        let filter = self.filter.as_ref();
        let part = self.shard;
        let only = &self.only;
        let keep = |v: &Vector| {
            filter.is_none_or(|keep| keep(&c169_corpus::features::vector_tags(v)))
                && part.is_none_or(|s| s.holds(&v.id))
                && (only.is_empty() || only.contains(&v.id))
        };
        let total = self.corpus.vectors.iter().filter(|(_, v)| keep(v)).count();
        sink.event(&Event::Phase {
            name: "vectors",
            cases: total,
        });
        let flag = self.interrupt.clone();
        let stop = move || flag.as_ref().is_some_and(|f| f.load(Ordering::SeqCst));
        let copies: Vec<&dyn Implementation> = std::iter::once(&self.imp)
            .chain(&self.copies)
            .map(AsRef::as_ref)
            .collect();
        let mut finished: BTreeMap<String, Case> = BTreeMap::new();
        let run = run_side_by_side(
            self.corpus,
            self.root,
            &copies,
            rt,
            &keep,
            &stop,
            &mut |vector, result| {
                let case = vector_case(vector, result);
                sink.event(&Event::Case(&case));
                finished.insert(case.id.clone(), case);
            },
        );
        // In corpus order, whatever order the cases finished in.
        let cases = run
            .results
            .iter()
            .filter_map(|r| finished.remove(&r.id))
            .collect();
        (run, cases)
    }

    /// Runs the session, sending each case to `sink` as it finishes.
    pub fn run(
        &self,
        rt: &tokio::runtime::Runtime,
        sink: &mut dyn Sink,
    ) -> Result<Finished, SessionError> {
        let started = SystemTime::now();
        let clock = Instant::now();
        let (run, mut cases) = self.vectors(rt, sink);
        // The first case that could not be run for a failure of the rig.
        let rig_case = run.results.iter().find_map(|r| {
            let j = &r.judgement;
            j.not_run
                .is_some_and(crate::judge::NotRun::fails_the_rig)
                .then(|| format!("{} (first at {})", j.reason, r.id))
        });

        let features_dir = self.root.join("../features");
        if self.features && !self.interrupted() && features_dir.is_dir() {
            if let Some(d) = &run.description {
                // The scenarios lend requests only to the copies the vectors used.
                let copies: Vec<Arc<dyn Implementation>> = if d.serial {
                    Vec::new()
                } else {
                    (1..)
                        .zip(&self.copies)
                        .filter(|(k, _)| !run.copies_left_out.iter().any(|(out, _)| out == k))
                        .map(|(_, c)| Arc::clone(c))
                        .collect()
                };
                cases.extend(self.scenarios(
                    rt,
                    sink,
                    &features_dir,
                    d.capability_names(),
                    copies,
                )?);
            }
        }

        let unmatched = match &self.expectations {
            Some((_, e)) => e.apply(&mut cases),
            None => Vec::new(),
        };
        let rig_failure = run
            .describe_error
            .as_ref()
            .map(|e| format!("describe failed: {e}"))
            .or(rig_case);
        let interrupted = run.interrupted || self.interrupted();
        let facts = RunFacts {
            started: rfc3339(started),
            duration_ms: clock.elapsed().as_secs_f64() * 1000.0,
            host: host(),
            options: self.options.clone(),
            shards: self.shard.into_iter().collect(),
            complete: !interrupted,
            interrupted: interrupted.then(|| "interrupted (Ctrl-C or SIGTERM)".to_owned()),
            expectations: self.expectations.as_ref().map(|(n, _)| n.clone()),
            rig_failure,
        };
        let suite = Suite {
            name: "c169".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            vectors_digest: digest_tree(&[self.root.to_owned()]),
            features_digest: digest_tree(&[features_dir]),
        };
        let implementation = ImplementationInfo {
            label: self.label.clone(),
            describe: run
                .description
                .as_ref()
                .and_then(|d| serde_json::to_value(d).ok()),
        };
        let catalogue: Vec<RequirementInfo> = self
            .catalogue
            .requirements
            .iter()
            .map(|r| RequirementInfo::new(&r.id, r.level, &r.statement))
            .collect();
        let report = Report::finish(
            suite,
            implementation,
            facts,
            self.gate.clone(),
            &catalogue,
            cases,
        );
        let n = self.copies.len() + 1;
        Ok(Finished {
            report,
            unmatched_expectations: unmatched,
            copies_left_out: run
                .copies_left_out
                .iter()
                .map(|(k, why)| format!("copy {} of {n}: {why}", k + 1))
                .collect(),
        })
    }

    /// Runs the scenarios of `features_dir`, sending each case to `sink`.
    fn scenarios(
        &self,
        rt: &tokio::runtime::Runtime,
        sink: &mut dyn Sink,
        features_dir: &Path,
        caps: std::collections::BTreeSet<String>,
        copies: Vec<Arc<dyn Implementation>>,
    ) -> Result<Vec<Case>, SessionError> {
        // Cucumber runs scenarios concurrently: a pool lends each request a copy.
        let inputs = Shared {
            imp: Arc::new(c169_adapter::Pool::new(Arc::clone(&self.imp), copies)),
            generator: c169_corpus::generate::Generator::load(self.root, self.catalogue)?,
            corpus: self.corpus.clone(),
            caps,
        };
        sink.event(&Event::Phase {
            name: "scenarios",
            cases: 0,
        });
        let features = rt.block_on(run_features_with(
            features_dir,
            inputs,
            self.filter.clone(),
            false,
            Controls {
                shard: self.shard,
                interrupt: self.interrupt.clone(),
                only: self.only.clone(),
                tick: sink.ticker(),
            },
        ))?;
        if features.broken > 0 {
            return Err(SessionError::BrokenFeatures(features.broken));
        }
        Ok(features
            .records
            .iter()
            .map(|rec| {
                let case = scenario_case(rec);
                sink.event(&Event::Case(&case));
                case
            })
            .collect())
    }
}

/// A vector's result as a report case. Decoded content and the expected content
/// are kept on a failure only; every answer keeps its digest.
#[must_use]
pub fn vector_case(vector: &Vector, r: &CaseResult) -> Case {
    let status = r.judgement.status;
    let failed = status.is_failure();
    let area = Path::new(&r.file)
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "vectors".to_owned());
    let expected = Expected {
        verdict: vector.verdict.into(),
        stage: vector.stage,
        content: if failed {
            vector
                .expected
                .as_ref()
                .and_then(|e| serde_json::to_value(e).ok())
        } else {
            None
        },
    };
    let observed = match (&r.observed, &r.output) {
        // An encoder's output: its digest is that of the reference's reading of it
        // (the text itself varies with random signatures and IVs).
        (reading, Some(qr)) => {
            let read = reading
                .as_ref()
                .and_then(|o| serde_json::to_value(o).ok())
                .unwrap_or_else(|| json!(qr));
            Some(Observed {
                verdict: ObservedVerdict::Encoded,
                stage: None,
                code: None,
                by: None,
                digest: reading
                    .as_ref()
                    .map_or_else(|| digest_json(&read), answer_digest),
                content: failed.then_some(read),
            })
        }
        (Some(o), None) => Some(observed(o, failed)),
        (None, None) => None,
    };
    let diverges_at = match (&observed, status) {
        (Some(o), Status::Fail) => first_divergence(&expected, o),
        _ => None,
    };
    Case {
        kind: CaseKind::Vector,
        id: r.id.clone(),
        area,
        name: vector.description.clone(),
        file: format!("vectors/{}", r.file),
        line: None,
        basis: r
            .judgement
            .grade
            .map_or_else(|| vector.basis.kind(), |g| g.basis),
        level: r.judgement.grade.map_or(r.level, |g| g.level),
        requirements: r.requirements.clone(),
        tags: Vec::new(),
        expected,
        observed,
        status,
        reason: r.judgement.reason.clone(),
        stage_mismatch: r.judgement.stage_mismatch,
        diverges_at,
        input: None,
        notes: if failed || status == Status::Depart {
            vector.notes.clone()
        } else {
            Vec::new()
        },
        output: if failed { r.output.clone() } else { None },
        symbol: r.output.as_deref().map(|text| {
            c169_corpus::symbol::facts(text, c169_corpus::symbol::encoder_level(vector))
        }),
        steps: Vec::new(),
        stderr: r.stderr.clone(),
        known: None,
        duration_ms: r.duration_ms,
    }
}

/// An answer as the report records it: verdict, stage, code and digest, and the
/// whole answer when `keep` (on a failure).
fn observed(o: &c169_model::Outcome, keep: bool) -> Observed {
    Observed {
        verdict: o.verdict.into(),
        stage: o.stage,
        code: o.code.clone(),
        by: o.by,
        digest: answer_digest(o),
        content: keep.then(|| serde_json::to_value(o).unwrap_or(Json::Null)),
    }
}

/// The digest of what an answer says, not how it words it: verdict, stage, code,
/// decoded content, whether it verified, and its warnings' flags (their messages
/// are free text, which some libraries fill in hash-map order).
fn answer_digest(o: &c169_model::Outcome) -> String {
    let mut flags: Vec<String> = o.warnings.iter().map(|w| w.flag.to_string()).collect();
    flags.sort();
    digest_json(&json!({
        "verdict": o.verdict,
        "stage": o.stage,
        "code": o.code,
        "claim169": o.claim169,
        "cwt": o.cwt,
        "verified": o.verified,
        "warnings": flags,
        "by": o.by,
    }))
}

/// A scenario's record as a report case.
#[must_use]
pub fn scenario_case(rec: &ScenarioRecord) -> Case {
    let status = match rec.status {
        ScenarioStatus::Passed => Status::Pass,
        ScenarioStatus::Failed => Status::Fail,
        ScenarioStatus::Departed => Status::Depart,
        ScenarioStatus::NotRun => Status::Skip,
    };
    let failed = status == Status::Fail;
    // A failed scenario expected what its Then step judged against (the verdict
    // class, stage and content), and records the answer as a failed vector does.
    let judged = rec.judged_as.as_ref().filter(|_| failed);
    let expected = Expected {
        verdict: judged.map_or(ExpectedVerdict::Pass, |v| v.verdict.into()),
        stage: judged.and_then(|v| v.stage),
        content: judged
            .and_then(|v| v.expected.as_ref())
            .and_then(|e| serde_json::to_value(e).ok()),
    };
    // Every answer is recorded (its digest, verdict and stage), the whole of it
    // on a failure, as for a vector.
    let observed = rec.answer.as_ref().map(|o| observed(o, failed));
    let diverges_at = match (&observed, failed) {
        (Some(o), true) => first_divergence(&expected, o),
        _ => None,
    };
    let basis = crate::steps::basis_kind(&rec.tags);
    let (basis, level) = match rec.grade {
        Some(g) => (g.basis, g.level),
        None if basis == c169_model::BasisKind::Text => (
            basis,
            Some(crate::steps::level_tag(&rec.tags).unwrap_or(Level::May)),
        ),
        None => (basis, None),
    };
    Case {
        kind: CaseKind::Scenario,
        id: rec.id.clone(),
        area: Path::new(&rec.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        name: format!("{}: {}", rec.feature, rec.name),
        file: rec.file.clone(),
        line: Some(rec.line),
        basis,
        level,
        requirements: rec
            .tags
            .iter()
            .filter(|t| t.starts_with("C169-"))
            .cloned()
            .collect(),
        tags: rec
            .tags
            .iter()
            .filter(|t| {
                !t.starts_with("C169-")
                    && !matches!(
                        t.as_str(),
                        "must"
                            | "should"
                            | "may"
                            | crate::steps::PROFILE_TAG
                            | crate::steps::OBSERVED_TAG
                    )
            })
            .cloned()
            .collect(),
        expected,
        observed,
        status,
        reason: rec.reason.clone(),
        stage_mismatch: false,
        diverges_at,
        input: rec.judged_as.as_ref().and_then(|v| v.qr.clone()),
        notes: rec
            .judged_as
            .as_ref()
            .filter(|_| matches!(status, Status::Fail | Status::Depart))
            .map(|v| v.notes.clone())
            .unwrap_or_default(),
        output: None,
        symbol: rec.symbol.clone(),
        steps: rec.steps.clone(),
        stderr: None,
        known: None,
        duration_ms: rec.duration_ms,
    }
}

/// SHA-256 over every file under `dirs`: each file's path (relative to its
/// directory) and content, in path order.
#[must_use]
pub fn digest_tree(dirs: &[PathBuf]) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for dir in dirs {
        let mut files = Vec::new();
        walk(dir, &mut files);
        files.sort();
        for f in files {
            let rel = f
                .strip_prefix(dir)
                .unwrap_or(&f)
                .to_string_lossy()
                .replace('\\', "/");
            // A FIFO or a device in the tree is not read (it would block, or never
            // end), nor is a file past the largest the corpus reads; either counts
            // as a mark in its place, so the digest still changes.
            let bytes = c169_model::bounded::read_file(&f, c169_model::bounded::IMAGE_FILE)
                .unwrap_or_else(|_| b"(not read)".to_vec());
            h.update((rel.len() as u64).to_be_bytes());
            h.update(rel.as_bytes());
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(&bytes);
        }
    }
    hex::encode(h.finalize())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        // Hidden files, and the fuzzer's candidates: not part of the corpus.
        if p.file_name().is_some_and(|n| {
            n.to_string_lossy().starts_with('.') || n == c169_corpus::corpus::FUZZ_FOUND
        }) {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn host() -> String {
    let read = |path: &str| {
        c169_model::bounded::read_to_string(
            Path::new(path),
            c169_model::bounded::Limit::new("a host name file", 4096),
        )
    };
    read("/proc/sys/kernel/hostname")
        .or_else(|_| read("/etc/hostname"))
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `2026-11-27T21:55:28Z`.
#[must_use]
#[allow(clippy::many_single_char_names)] // the names of the civil-from-days algorithm
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        let at = |s: u64| rfc3339(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(1_760_000_000), "2025-10-09T08:53:20Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
    }
}
