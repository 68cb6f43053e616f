//! Runs the features (`features/*.feature`) against the reference codec, in
//! process: every scenario must pass, no step may be undefined or ambiguous, and
//! nothing is skipped (the reference declares every capability).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test's main: a failure stops it

use c169_adapter::{Implementation, Reference};
use c169_suite::catalogue::Catalogue;
use c169_suite::generate::Generator;
use c169_suite::steps::{run_features, FeatureRun, Shared};
use c169_suite::Corpus;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared(imp: Arc<dyn Implementation>, rt: &tokio::runtime::Runtime) -> Shared {
    let root = repo().join("vectors");
    let catalogue = Catalogue::load(&repo().join("features/requirements.yaml")).unwrap();
    let caps = rt.block_on(imp.describe()).unwrap().capability_names();
    Shared {
        imp,
        generator: Generator::load(&root, &catalogue).unwrap(),
        corpus: Corpus::load(&root).unwrap(),
        caps,
    }
}

fn report(what: &str, run: &FeatureRun) {
    for f in &run.failed {
        println!("FAILED {f}");
    }
    for (s, why) in &run.skipped {
        println!("SKIPPED {s}: {why}");
    }
    println!(
        "{what}: {} passed, {} failed, {} skipped, {} broken",
        run.passed.len(),
        run.failed.len(),
        run.skipped.len(),
        run.broken
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut failures = 0;
    for (what, dir) in [
        (
            "step library smoke test",
            repo().join("harness/suite/tests/smoke"),
        ),
        ("features", repo().join("features")),
    ] {
        let has_features = std::fs::read_dir(&dir).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "feature"))
        });
        if !has_features {
            println!("{what}: no .feature files in {}", dir.display());
            continue;
        }
        let run = rt
            .block_on(run_features(&dir, shared(Arc::new(Reference), &rt), None))
            .unwrap();
        report(what, &run);
        failures += run.failed.len() + run.broken + run.skipped.len();
        assert!(!run.passed.is_empty(), "{what}: no scenario ran");
    }
    assert_eq!(failures, 0, "features failed against the reference");
}
