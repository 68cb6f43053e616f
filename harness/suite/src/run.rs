//! Running a corpus against an implementation and collecting the results.

use crate::corpus::Corpus;
use crate::judge::{judge, Judgement, Status};
use c169_model::{Level, Outcome, Stage, Vector, VerdictClass};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

/// What the implementation under test claims it can do (from its `describe`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Capability names (`verify`, `decrypt`, `decode_unverified`, algorithm names …).
    pub names: BTreeSet<String>,
}

impl Capabilities {
    /// The first capability `vector` needs that is not declared.
    #[must_use]
    pub fn missing<'v>(&self, vector: &'v Vector) -> Option<&'v str> {
        vector
            .capabilities
            .iter()
            .find(|c| !self.names.contains(*c))
            .map(String::as_str)
    }
}

/// One decode request as the runner makes it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub vector: &'a Vector,
    pub verify_keys: Vec<c169_codec::keys::Key>,
    pub decrypt_keys: Vec<c169_codec::keys::Key>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    /// The vector file, relative to the corpus root.
    pub file: String,
    pub level: Level,
    pub requirements: Vec<String>,
    pub expected: VerdictClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_stage: Option<Stage>,
    #[serde(flatten)]
    pub judgement: Judgement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Outcome>,
    /// Wall time of the request, in milliseconds.
    pub duration_ms: f64,
}

/// Runs every vector through `decode` (which answers an outcome, or why the rig
/// could not get one) and judges the answers.
pub fn run_vectors<F>(
    corpus: &Corpus,
    root: &Path,
    caps: &Capabilities,
    mut decode: F,
) -> Vec<CaseResult>
where
    F: FnMut(&Request<'_>) -> Result<Outcome, String>,
{
    let mut results = Vec::with_capacity(corpus.vectors.len());
    for (path, vector) in &corpus.vectors {
        let file = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let mut result = CaseResult {
            id: vector.id.clone(),
            file,
            level: vector.level,
            requirements: vector.requirements.iter().map(|r| r.id.clone()).collect(),
            expected: vector.verdict,
            expected_stage: vector.stage,
            judgement: Judgement {
                status: Status::Skip,
                reason: String::new(),
                stage_mismatch: false,
            },
            observed: None,
            duration_ms: 0.0,
        };
        if let Some(cap) = caps.missing(vector) {
            result.judgement.reason =
                format!("not run: the implementation does not declare capability {cap:?}");
            results.push(result);
            continue;
        }
        let request = Request {
            vector,
            verify_keys: corpus.keys_for(&vector.keys.verify),
            decrypt_keys: corpus.keys_for(&vector.keys.decrypt),
        };
        let start = Instant::now();
        let answer = decode(&request);
        result.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
        match answer {
            Ok(outcome) => {
                result.judgement = judge(vector, &outcome);
                result.observed = Some(outcome);
            }
            Err(reason) => {
                result.judgement = Judgement {
                    status: Status::Error,
                    reason,
                    stage_mismatch: false,
                };
            }
        }
        results.push(result);
    }
    results
}

/// Counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errors: usize,
    pub stage_mismatches: usize,
    /// Failed or errored cases whose level is MUST.
    pub must_failures: usize,
}

impl Summary {
    #[must_use]
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary {
            total: results.len(),
            ..Summary::default()
        };
        for r in results {
            match r.judgement.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Skip => s.skipped += 1,
                Status::Error => s.errors += 1,
            }
            if r.judgement.stage_mismatch {
                s.stage_mismatches += 1;
            }
            if matches!(r.judgement.status, Status::Fail | Status::Error) && r.level == Level::Must
            {
                s.must_failures += 1;
            }
        }
        s
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename,
/// so a reader never sees half a report.
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
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
