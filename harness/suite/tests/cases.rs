//! One libtest trial per vector and per scenario case, each run against the
//! reference and judged as `c169 run` judges it: a trial passes when its case
//! passes, with no stage mismatch, and fails with the judge's reason otherwise.
//!
//! So one case runs by name, as any test does:
//! `cargo test -p c169-suite --test cases -- b45-lowercase-first-minimal` (add
//! `--exact` to leave out names that only contain it; `--list` lists them all).
//! Scenario cases are named by the id their record carries
//! (`scenario-<feature>-<scenario>[-<row values>]`, without lines), an outline's rows one by one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test's main: a failure stops it

use c169_adapter::{Implementation, Reference};
use c169_corpus::catalogue::Catalogue;
use c169_corpus::generate::Generator;
use c169_corpus::Corpus;
use c169_suite::run::run_with;
use c169_suite::steps::{run_features_with, Controls, FeatureRun, Shared};
use c169_suite::Status;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Fewer vectors or scenario cases than this, and the corpus lost a folder.
const AT_LEAST: usize = 500;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// One vector against the reference.
fn vector_trial(corpus: &Corpus, root: &Path, id: &str) -> Result<(), Failed> {
    let run = run_with(
        corpus,
        root,
        &Reference,
        &runtime(),
        &|v| v.id == id,
        &|| false,
        &mut |_, _| {},
    );
    let [result] = run.results.as_slice() else {
        return Err(format!("{} cases ran for the id {id}, not one", run.results.len()).into());
    };
    let j = &result.judgement;
    match (j.status, j.stage_mismatch) {
        (Status::Pass, false) => Ok(()),
        (Status::Pass, true) => Err(format!("passed at another stage: {}", j.reason).into()),
        (status, _) => Err(format!("{status:?}: {}", j.reason).into()),
    }
}

/// What every scenario trial shares: made once, by the first that runs.
fn shared(cell: &OnceLock<Result<Arc<Shared>, String>>) -> Result<Arc<Shared>, Failed> {
    cell.get_or_init(|| {
        let root = repo().join("vectors");
        let catalogue = Catalogue::load(&repo().join("features/requirements.yaml"))
            .map_err(|e| e.to_string())?;
        let imp: Arc<dyn Implementation> = Arc::new(Reference);
        let caps = runtime()
            .block_on(imp.describe())
            .map_err(|e| e.reason())?
            .capability_names();
        Ok(Arc::new(Shared {
            imp,
            generator: Generator::load(&root, &catalogue).map_err(|e| e.to_string())?,
            corpus: Corpus::load(&root).map_err(|e| e.to_string())?,
            caps,
        }))
    })
    .clone()
    .map_err(Failed::from)
}

/// One scenario case against the reference: only its feature file is read, and
/// only it runs.
fn scenario_trial(shared: Arc<Shared>, file: &Path, id: &str) -> Result<(), Failed> {
    let controls = Controls {
        only: vec![id.to_owned()],
        ..Controls::default()
    };
    let run: FeatureRun = runtime()
        .block_on(run_features_with(file, shared, None, false, controls))
        .map_err(Failed::from)?;
    if let Some(failed) = run.failed.first() {
        let why = run
            .records
            .first()
            .map(|r| r.reason.clone())
            .unwrap_or_default();
        return Err(format!("failed: {failed}: {why}").into());
    }
    if let Some((name, why)) = run.skipped.first() {
        return Err(format!("not run: {name}: {why}").into());
    }
    if run.broken > 0 {
        return Err("a step is undefined or ambiguous, or the file did not parse".into());
    }
    match run.passed.len() {
        1 => Ok(()),
        n => Err(format!("{n} scenarios ran for the id {id}, not one").into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = repo().join("vectors");
    let corpus = Arc::new(Corpus::load(&root).expect("the corpus loads"));
    let cases = c169_corpus::features::scenario_cases(&repo().join("features"))
        .expect("the features parse");
    let (vectors, scenarios) = (corpus.vectors.len(), cases.len());
    let mut trials = vec![Trial::test("corpus-size", move || {
        if vectors < AT_LEAST || scenarios < AT_LEAST {
            return Err(format!(
                "{vectors} vectors and {scenarios} scenario cases: fewer than {AT_LEAST}"
            )
            .into());
        }
        Ok(())
    })
    .with_kind("corpus")];
    for (_, vector) in &corpus.vectors {
        let (corpus, root, id) = (Arc::clone(&corpus), root.clone(), vector.id.clone());
        trials.push(
            Trial::test(vector.id.clone(), move || vector_trial(&corpus, &root, &id))
                .with_kind("vector"),
        );
    }
    let cell: Arc<OnceLock<Result<Arc<Shared>, String>>> = Arc::new(OnceLock::new());
    for case in cases {
        let cell = Arc::clone(&cell);
        trials.push(
            Trial::test(case.id.clone(), move || {
                scenario_trial(shared(&cell)?, &case.file, &case.id)
            })
            .with_kind("scenario"),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
